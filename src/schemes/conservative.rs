//! The conservative scheme's bindings: stack roots are not registered at
//! all. `root!` stores the value in a slot of the current frame; every
//! collection reads the thread's stack ([`stack`](crate::stack)) and keeps,
//! in place, every object a word of it points into. What is not on the
//! stack is rooted precisely in a [`RootTable`], as the indexed scheme
//! roots it: long-lived roots and vectors, scoped vectors, and a `root!`
//! whose slot is not on the stack (a `Box`, a boxed future).

use core::cell::Cell;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;

use gcroots_indexed::{
    HandleError, Mark, OwnedRoot, OwnedVec, RootTable, ScopedRoot, ScopedVec, VecRef,
};

use super::table;
use crate::error::RootError;
use crate::object::Gc;
use crate::scheme::sealed::{Anchor, Bindings};
use crate::scheme::{RootSetMut, RootSetRef, Scheme};
use crate::stack::Bounds;

/// Conservative stack roots (JavaScriptCore, Boehm, Whippet, V8's Oilpan)
/// with precise long-lived roots.
///
/// A [`Local`](crate::Local) made by [`root!`](crate::root) is the value
/// itself, kept in a slot of the frame that made it: rooting is a store,
/// reading a load, and dropping nothing. A collection scans the current
/// thread's stack and its callee-saved registers; every word that points
/// into an object (its header, a field, its data) keeps that object alive
/// and *pins* it for that collection, since the word cannot be rewritten.
/// Every other object may still move. So the heap must be able to pin
/// where it finds: [`Heap::new`](crate::Heap::new) accepts the
/// mark-region mode without a nursery only.
///
/// A slot that is not on the thread's stack (inside a `Box`, a boxed
/// future) would not be scanned: `root!` sees that and roots the value
/// precisely in the heap's table instead, as the indexed scheme would,
/// until the innermost [`Scope`](crate::Scope) exits. A
/// [`Persistent`](crate::Persistent) is an owned root, as under
/// [`Indexed`](crate::Indexed): 16 bytes, `Clone + Send + Sync`. The heap
/// and its stack roots are `!Send`: the stack scanned is the one of the
/// thread that collects.
///
/// Not under miri (there is no native stack there to read): the type does
/// not exist when `cfg(miri)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conservative {}

impl Scheme for Conservative {
    const NAME: &'static str = "conservative";
}

/// What the conservative scheme keeps outside the heap: the bounds of the
/// stack of the thread that made it, which `root!` checks each slot
/// against. It ties the heap to that thread (`!Send`, `!Sync`), whose
/// stack every collection scans.
#[derive(Debug)]
pub struct StackAnchor {
    stack: Bounds,
    _one_thread: PhantomData<*const ()>,
}

impl Default for StackAnchor {
    fn default() -> Self {
        StackAnchor {
            stack: crate::stack::bounds(),
            _one_thread: PhantomData,
        }
    }
}

impl Anchor for StackAnchor {
    fn claim(&self) -> bool {
        // Each heap scans the stack for its own objects: one `Roots` may
        // serve any number of heaps.
        true
    }

    #[inline(always)]
    fn same(&self, _other: &Self) -> bool {
        // A stack root belongs to no heap until it is read, and a read
        // through another heap finds no object of it: checked then.
        true
    }

    fn check_thread(&self) {
        let here = crate::stack::bounds();
        assert!(
            here == self.stack,
            "gcroots: a conservative heap collected on another thread than the one that made \
             its Roots: its stack roots are on that thread's stack, which this thread cannot scan"
        );
    }
}

impl<'r> crate::Heap<'r, Conservative> {
    /// The object that starts at `addr`, if one of this heap does: how an
    /// embedder that holds objects as plain addresses (C, through
    /// `gcroots.h`) turns one back into a [`Ref`](crate::Ref). Any `addr`
    /// is safe: one that is not the first byte of an object of this heap
    /// (an interior pointer, another heap's object, freed or poisoned
    /// memory, a stale address whose object moved) gives `None`. An
    /// address kept only outside the stack (in `malloc`ed memory) across a
    /// collection may be the start of another object by then, as with any
    /// conservative collector: keep such references in a
    /// [`Persistent`](crate::Persistent).
    pub fn object_at(&mut self, addr: usize) -> Option<crate::Ref<'_, Conservative>> {
        let gc = match self.object_starting_at(addr) {
            Some(gc) => gc,
            None => {
                // Perhaps an object allocated since the start bits were
                // last recorded: record them, and look again.
                self.record_starts();
                self.object_starting_at(addr)?
            }
        };
        // SAFETY: `gc` is the start of an object of this heap that has a
        // start bit (or is a large object): well-formed, and, as every
        // object the start map knows, current until the next collection.
        Some(unsafe { crate::Ref::new(self, gc) })
    }

    /// As [`object_at`](Self::object_at), through a shared borrow, so that
    /// several references can be held at once; it finds only the objects
    /// whose start is recorded: those that survived a collection, and
    /// those allocated before the last [`object_at`](Self::object_at) that
    /// had to record the starts.
    pub fn find_object(&self, addr: usize) -> Option<crate::Ref<'_, Conservative>> {
        let gc = self.object_starting_at(addr)?;
        // SAFETY: as in `object_at`.
        Some(unsafe { crate::Ref::new(self, gc) })
    }
}

/// The slot `root!` declares, two words: on the stack, the value, where
/// the stack scan reads it; off the stack, the parts of the value's scoped
/// root in the table. With the table of the heap it belongs to, which
/// every use checks. A [`Local`](crate::Local) is a pointer to it.
///
/// Plain integers, all zero at first: a slot is made by one 16-byte store
/// of zeroes (with an `Option<ScopedRoot>` in it, 32 bytes made of parts,
/// the compiler built it in a temporary and copied it with loads that
/// straddled its stores: a store-forwarding stall that made `root!` cost
/// 6.7 ns instead of 3).
#[derive(Default, Debug)]
pub struct StackSlot {
    /// On the stack: the value's address. Off the stack: its table
    /// root's generation.
    word: Cell<u64>,
    /// The table's id in the low half; off the stack, the table root's
    /// index plus one in the high half (zero on the stack). So a read of
    /// a stack root checks both with one comparison.
    tag: Cell<u64>,
}

/// A slot forgets its value when its block ends: otherwise the word
/// stays in the frame, which lives on until its function returns, and the
/// next collection keeps (and pins) the dead object and all it reaches.
/// (GCBench's stretch tree, dead after its first phase, stayed alive that
/// way: 33% more live data at each collection.) A volatile store, which
/// the compiler cannot drop as dead before the slot's storage ends.
impl Drop for StackSlot {
    #[inline(always)]
    fn drop(&mut self) {
        // SAFETY: `&mut self.word` is a valid, aligned, exclusive place.
        unsafe { core::ptr::write_volatile(self.word.as_ptr(), 0) };
    }
}

/// A stack root: a pointer to its slot.
pub(crate) type ConservativeLocal = NonNull<StackSlot>;

type Set<'h, 'r> = RootSetRef<'h, 'r, Conservative>;

/// Roots `gc` in the table for a slot that is not on the stack.
#[cold]
#[inline(never)]
fn root_precisely(set: Set<'_, '_>, slot: &StackSlot, gc: Gc) {
    let r = set.table.root(gc);
    slot.word.set(r.generation());
    let index = r
        .index()
        .checked_add(1)
        .expect("fewer than 2^32 - 1 scoped roots");
    slot.tag.set(slot.tag.get() | u64::from(index) << 32);
}

/// `f` on the table root of a slot that is not on the stack; `WrongHeap`
/// for a slot of another heap's table.
#[cold]
#[inline(never)]
fn precise<T>(
    set: Set<'_, '_>,
    slot: &StackSlot,
    f: impl FnOnce(&RootTable<Gc>, ScopedRoot) -> Result<T, HandleError>,
) -> Result<T, RootError> {
    let tag = slot.tag.get();
    let (table, index) = (tag as u32, (tag >> 32) as u32);
    if table != set.table.id().get() || index == 0 {
        // Another heap's slot (a slot of this heap on the stack has the
        // plain id, which the caller's fast path took).
        return Err(RootError::WrongHeap);
    }
    let r = ScopedRoot::from_parts(set.table.id(), index - 1, slot.word.get());
    Ok(f(set.table, r)?)
}

impl Bindings for Conservative {
    type Anchor = StackAnchor;
    type Table = RootTable<Gc>;
    type SlotRepr<'r> = StackSlot;
    type LocalRepr = ConservativeLocal;
    type PersistentRepr<'r> = OwnedRoot;
    type VecSlotRepr<'r> = ();
    type LocalVecRepr = ScopedVec;
    type PersistentVecRepr<'r> = OwnedVec;
    type VecRef<'a> = VecRef<'a>;
    type Mark = Mark;

    const CONSERVATIVE: bool = true;

    fn new_table() -> RootTable<Gc> {
        RootTable::new()
    }

    #[inline(always)]
    unsafe fn root<'s, 'r: 's>(
        set: Set<'_, 'r>,
        slot: Pin<&'s mut StackSlot>,
        gc: Gc,
    ) -> ConservativeLocal {
        // `StackSlot` is `Unpin`; the pin only says where `root!` put it.
        let slot = slot.get_mut();
        slot.tag.set(u64::from(set.table.id().get()));
        let at = (slot as *const StackSlot).addr();
        // A live slot on this thread's stack is between the current stack
        // pointer and the base; anything else (a `Box`, a boxed future, a
        // coroutine's stack) is not scanned: root precisely.
        let stack = set.anchor.stack;
        if stack.lo <= at && crate::stack::stack_pointer() <= at && at < stack.hi {
            slot.word.set(gc.addr() as u64);
        } else {
            root_precisely(set, slot, gc);
        }
        let slot = NonNull::from(slot);
        // The slot's address escapes: the compiler must now assume any
        // call it cannot see through (the collector's stack scan) reads
        // it, so the value is in memory, on the stack, at every collection.
        core::hint::black_box(slot);
        slot
    }

    #[inline(always)]
    unsafe fn load(set: Set<'_, '_>, root: &ConservativeLocal) -> Result<Gc, RootError> {
        // SAFETY: the slot is still borrowed (our caller's promise), and
        // only ever accessed through shared cells.
        let slot = unsafe { root.as_ref() };
        if slot.tag.get() == u64::from(set.table.id().get()) {
            Ok(Gc::from_addr(slot.word.get() as usize))
        } else {
            precise(set, slot, |t, r| t.get(r))
        }
    }

    #[inline(always)]
    unsafe fn store(set: Set<'_, '_>, root: &ConservativeLocal, gc: Gc) -> Result<(), RootError> {
        // SAFETY: as in `load`.
        let slot = unsafe { root.as_ref() };
        if slot.tag.get() == u64::from(set.table.id().get()) {
            slot.word.set(gc.addr() as u64);
            Ok(())
        } else {
            precise(set, slot, |t, r| t.set(r, gc))
        }
    }

    #[inline(always)]
    unsafe fn persist(set: Set<'_, '_>, gc: Gc) -> OwnedRoot {
        table::persist(set.table, gc)
    }

    #[inline(always)]
    fn load_persistent(set: Set<'_, '_>, root: &OwnedRoot) -> Result<Gc, RootError> {
        table::load_persistent(set.table, root)
    }

    #[inline(always)]
    unsafe fn store_persistent(
        set: Set<'_, '_>,
        root: &OwnedRoot,
        gc: Gc,
    ) -> Result<(), RootError> {
        table::store_persistent(set.table, root, gc)
    }

    fn release(set: Set<'_, '_>, root: OwnedRoot) -> Result<(), RootError> {
        table::release(set.table, root)
    }

    #[inline]
    fn root_vec<'s, 'r: 's>(set: Set<'_, 'r>, _: Pin<&'s mut ()>) -> ScopedVec {
        table::root_vec(set.table)
    }

    fn persist_vec(set: Set<'_, '_>) -> OwnedVec {
        table::persist_vec(set.table)
    }

    #[inline(always)]
    unsafe fn local_vec(root: &ScopedVec) -> VecRef<'_> {
        VecRef::Scoped(*root)
    }

    #[inline(always)]
    fn persistent_vec<'a>(root: &'a OwnedVec) -> VecRef<'a> {
        VecRef::Owned(root)
    }

    fn vec_len(set: Set<'_, '_>, v: VecRef<'_>) -> Result<usize, RootError> {
        table::vec_len(set.table, v)
    }

    fn vec_get(set: Set<'_, '_>, v: VecRef<'_>, i: usize) -> Result<Option<Gc>, RootError> {
        table::vec_get(set.table, v, i)
    }

    unsafe fn vec_set(
        set: Set<'_, '_>,
        v: VecRef<'_>,
        i: usize,
        gc: Gc,
    ) -> Result<bool, RootError> {
        table::vec_set(set.table, v, i, gc)
    }

    unsafe fn vec_push(set: Set<'_, '_>, v: VecRef<'_>, gc: Gc) -> Result<(), RootError> {
        table::vec_push(set.table, v, gc)
    }

    fn vec_pop(set: Set<'_, '_>, v: VecRef<'_>) -> Result<Option<Gc>, RootError> {
        table::vec_pop(set.table, v)
    }

    fn vec_clear(set: Set<'_, '_>, v: VecRef<'_>) -> Result<(), RootError> {
        table::vec_clear(set.table, v)
    }

    #[inline(always)]
    fn enter(set: Set<'_, '_>) -> Mark {
        table::enter(set.table)
    }

    #[inline(always)]
    fn exit(set: Set<'_, '_>, mark: Mark) {
        table::exit(set.table, mark)
    }

    table::weak_in_table!();

    #[inline]
    unsafe fn trace(set: RootSetMut<'_, '_, Self>, f: impl FnMut(&mut Gc)) {
        // The stack's roots are found by the heap's scan, not here.
        table::trace(set.table, f)
    }

    fn count(set: Set<'_, '_>) -> usize {
        set.table.len()
    }
}
