//! [`Pinned`]: a root that also fixes its object's address, and the heap's
//! table of them.
//!
//! Native code sometimes needs an object's bytes where they are: C handed
//! a pointer to sort or fill, an I/O buffer, a hash of an address (JNI's
//! critical arrays, .NET's pinned `GCHandle`, Go's `runtime.Pinner`). A
//! copying collector cannot promise that; a mark-region one can, because
//! it moves an object only when it chooses to evacuate it. Every
//! collection of a mark-region heap traces the pin table *first* and marks
//! each pinned object where it is, so that no later visit (from a root or a
//! field) can evacuate it; a pinned object in the nursery would have to
//! move, so pinning promotes it first.
//!
//! The table belongs to the heap, not to a scheme: a pin behaves the same
//! under every scheme. A [`Pinned`] handle is an index and a clone of its
//! slot's `Arc` liveness flag, like the indexed scheme's owned roots:
//! dropping it needs no heap and may happen on any thread, and the table
//! reclaims the slot before the next collection (so a dropped pin never
//! keeps its object). The slot keeps its flag for good, so pinning again
//! clones an `Arc` instead of allocating one.

use core::fmt;
use std::sync::Arc;

use crate::object::Gc;

/// A pinned root: keeps its object alive *and at the same address* until
/// it is dropped (or given to [`Heap::unpin`](crate::Heap::unpin)).
///
/// Made by [`Heap::pin`](crate::Heap::pin), in a mark-region heap (the
/// copying modes refuse to pin). It is a [`Root`](crate::Root) under every
/// scheme: [`Heap::get`](crate::Heap::get) reads the object, and the data
/// can be read and written through the [`Ref`](crate::Ref) it gives, with
/// no `unsafe`. For native code, [`Heap::pinned_data`](crate::Heap::pinned_data)
/// gives a raw pointer to the data bytes, valid until the pin is dropped.
///
/// `Send` and `Sync` (an index and an `Arc`): it may be dropped on any
/// thread; using it needs its heap, and another heap answers
/// [`RootError::WrongHeap`](crate::RootError::WrongHeap). Not `Clone`: pin
/// the object again for a second pin.
pub struct Pinned {
    pub(crate) heap: u64,
    pub(crate) index: u32,
    pub(crate) flag: Arc<()>,
}

impl fmt::Debug for Pinned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pinned(#{} of heap {})", self.index, self.heap)
    }
}

/// One slot of the table.
struct Slot {
    /// The pinned object, or `None` for a free slot.
    gc: Option<Gc>,
    /// Its address when it was pinned, which the verifier checks it keeps.
    at: usize,
    /// Shared with the slot's handle while it is pinned: a strong count of
    /// 1 means the handle was dropped.
    flag: Arc<()>,
}

/// The pinned roots of one heap.
#[derive(Default)]
pub(crate) struct Pins {
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// Slots holding an object (dropped handles included until reclaimed).
    live: usize,
}

impl Pins {
    /// Pins `gc` (current for the heap whose id is `heap`).
    pub(crate) fn pin(&mut self, gc: Gc, heap: u64) -> Pinned {
        let index = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize].gc = Some(gc);
                self.slots[i as usize].at = gc.addr();
                i
            }
            None => {
                self.reclaim();
                match self.free.pop() {
                    Some(i) => {
                        self.slots[i as usize].gc = Some(gc);
                        self.slots[i as usize].at = gc.addr();
                        i
                    }
                    None => {
                        let i = u32::try_from(self.slots.len())
                            .expect("fewer than 2^32 pinned objects");
                        self.slots.push(Slot {
                            gc: Some(gc),
                            at: gc.addr(),
                            flag: Arc::new(()),
                        });
                        i
                    }
                }
            }
        };
        self.live += 1;
        Pinned {
            heap,
            index,
            flag: Arc::clone(&self.slots[index as usize].flag),
        }
    }

    /// The object `pin` holds, if it is a pin of this table (the caller
    /// checked the heap id).
    #[inline]
    pub(crate) fn get(&self, pin: &Pinned) -> Option<Gc> {
        let slot = self.slots.get(pin.index as usize)?;
        if Arc::ptr_eq(&slot.flag, &pin.flag) {
            slot.gc
        } else {
            None
        }
    }

    /// Frees the slots whose handles were dropped.
    fn reclaim(&mut self) {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if slot.gc.is_some() && Arc::strong_count(&slot.flag) == 1 {
                slot.gc = None;
                self.free.push(i as u32);
                self.live -= 1;
            }
        }
    }

    /// How many objects are pinned (dropped handles not yet reclaimed
    /// included).
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Calls `f` on every pinned object, after reclaiming the slots of
    /// dropped handles; `f` may rewrite it (the collector marks pinned
    /// objects in place, so it never does).
    pub(crate) fn trace(&mut self, mut f: impl FnMut(&mut Gc)) {
        if self.live == 0 {
            return;
        }
        self.reclaim();
        for slot in &mut self.slots {
            if let Some(gc) = &mut slot.gc {
                f(gc);
            }
        }
    }

    /// Every pinned object and its address when it was pinned, for the
    /// verifier.
    pub(crate) fn objects(&self) -> impl Iterator<Item = (Gc, usize)> + '_ {
        self.slots.iter().filter_map(|s| Some((s.gc?, s.at)))
    }
}
