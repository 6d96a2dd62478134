//! Cheney copying, for the semispace and generational modes.
//!
//! A collection evacuates every object reachable from the roots out of
//! *from-space* into an empty *to-space*:
//!
//! 1. each root is *forwarded*: its object is copied to the end of
//!    to-space, its old header overwritten with the new address, and the
//!    root rewritten to it (an object met again is already forwarded, so
//!    sharing and cycles are preserved and nothing is copied twice);
//! 2. to-space is then scanned from its start: each copied object's
//!    reference fields are forwarded in turn, which copies their objects to
//!    the end; the scan ends when it catches up with the end.
//!
//! The scan pointer and the end pointer are all the state there is, so the
//! collection is iterative and breadth first: a million-long list needs no
//! stack. Time is linear in live data plus roots; garbage costs nothing.
//!
//! These modes cannot pin ([`Heap::pin`](crate::Heap::pin) refuses), so the
//! heap's pin table is empty and is not traced here.

use super::{Outcome, corrupt, move_object, scan_object, words};
use crate::object::{Gc, Header, REMEMBERED};
use crate::scheme::{RootSetMut, Scheme};
use crate::spaces::{LargeObjects, Memory};
use crate::weak::{self, Liveness, Weaks};

/// A full collection: evacuates everything reachable from the roots of `S`
/// out of `from` (the old semispace) and `nursery` into `to`, which must be
/// empty and at least as large as `from` and the nursery's used words
/// together, and marks the large objects it reaches (the caller sweeps the
/// rest). No header may have the [`REMEMBERED`] bit.
pub(crate) fn evacuate<S: Scheme>(
    mut set: RootSetMut<'_, '_, S>,
    from: &Memory,
    nursery: &Memory,
    large: &mut LargeObjects,
    to: &Memory,
    weaks: &mut Weaks,
) -> Outcome {
    debug_assert!(to.words() >= from.words());
    let mut copier = Copier::<false> {
        from,
        nursery,
        to,
        top: 0,
        scan: 0,
        objects: 0,
        large,
        grey: Vec::new(),
    };
    let roots = copier.roots::<S>(set.reborrow());
    copier.drain();
    let weak = weak::process(&mut copier, set, weaks);
    Outcome {
        top: copier.top,
        objects: copier.objects,
        roots,
        weak,
        ..Outcome::default()
    }
}

/// A minor collection: copies the objects of `nursery` that the roots and
/// the `remembered` objects reach into `mature` from word `top` on
/// (promotes them), and clears the remembered objects' [`REMEMBERED`] bit.
/// `mature` must have room for the nursery's used words after `top`.
pub(crate) fn evacuate_nursery<S: Scheme>(
    mut set: RootSetMut<'_, '_, S>,
    nursery: &Memory,
    remembered: &[Gc],
    large: &mut LargeObjects,
    mature: &Memory,
    top: usize,
    weaks: &mut Weaks,
) -> Outcome {
    let mut copier = Copier::<true> {
        from: nursery,
        nursery,
        to: mature,
        top,
        scan: top,
        objects: 0,
        large,
        grey: Vec::new(),
    };
    let roots = copier.roots::<S>(set.reborrow());
    for &gc in remembered {
        let addr = gc.addr();
        let p = if mature.contains(addr) {
            mature.at(addr)
        } else if let Some(i) = copier.large.find(addr) {
            copier.large.header(i)
        } else {
            corrupt(format_args!(
                "remembered {gc:?} is neither a mature nor a large object"
            ))
        };
        // SAFETY: the barrier only remembers objects outside the nursery,
        // whose header it read at `addr`; mature objects stay where they are
        // until a full collection, which empties the set first.
        unsafe {
            *p &= !REMEMBERED;
            copier.scan_object(p);
        }
    }
    copier.drain();
    let weak = weak::process(&mut copier, set, weaks);
    Outcome {
        top: copier.top,
        objects: copier.objects,
        roots,
        weak,
        ..Outcome::default()
    }
}

/// Copies objects out of `from` into `to`. `MINOR`: `from` is the nursery
/// and `to` the mature space, whose objects and the large ones stay where
/// they are; otherwise `from` is the old semispace, nursery objects are
/// copied too and large objects are marked.
struct Copier<'a, const MINOR: bool> {
    from: &'a Memory,
    nursery: &'a Memory,
    to: &'a Memory,
    /// Words of to-space in use.
    top: usize,
    /// Words of to-space scanned: the objects below are black, those
    /// between here and `top` grey.
    scan: usize,
    objects: u64,
    large: &'a mut LargeObjects,
    /// Large objects marked and not yet scanned.
    grey: Vec<usize>,
}

impl<const MINOR: bool> Copier<'_, MINOR> {
    /// Forwards every root; how many there were.
    fn roots<S: Scheme>(&mut self, set: RootSetMut<'_, '_, S>) -> u64 {
        let mut roots = 0u64;
        // SAFETY: the closure only copies objects between the spaces; it
        // creates, drops and touches no root.
        unsafe {
            S::trace(set, |gc| {
                *gc = self.forward(*gc);
                roots += 1;
            })
        };
        roots
    }

    /// Scans to-space and the grey large objects until nothing is left
    /// to scan.
    fn drain(&mut self) {
        loop {
            while self.scan < self.top {
                let p = self.to.at(self.to.addr_of(self.scan));
                // SAFETY: `scan < top`, and the words up to `top` are
                // objects (copied whole by `copy`, or mature objects below
                // the minor collection's start), so `p` is a header inside
                // to-space.
                self.scan += unsafe { self.scan_object(p) };
            }
            match self.grey.pop() {
                Some(i) => {
                    let p = self.large.header(i);
                    // SAFETY: `p` is the header of a large object, a block
                    // of its own that the collection does not free.
                    unsafe { self.scan_object(p) };
                }
                None => break,
            }
        }
    }

    /// Forwards every reference field of the object whose header is at
    /// `p`; its size in words.
    ///
    /// # Safety
    ///
    /// `p` must point to the header of a well-formed object that lies whole
    /// in its run of memory.
    #[inline(always)]
    unsafe fn scan_object(&mut self, p: *mut u64) -> usize {
        // SAFETY: the caller's guarantee.
        unsafe { scan_object(p, |gc| self.forward(gc)) }
    }

    /// The new address of the object at `gc`, copying it if this is the first
    /// time it is met.
    #[inline(always)]
    fn forward(&mut self, gc: Gc) -> Gc {
        if self.from.contains(gc.addr()) {
            self.copy(self.from, gc)
        } else if MINOR {
            self.stays(gc)
        } else if self.nursery.contains(gc.addr()) {
            // A full collection of a generational heap: nursery objects are
            // copied like mature ones.
            self.copy(self.nursery, gc)
        } else {
            self.mark_large(gc)
        }
    }

    /// A minor collection meets a reference outside the nursery: a mature
    /// or large object, which stays.
    #[inline(always)]
    fn stays(&self, gc: Gc) -> Gc {
        if !self.to.contains(gc.addr()) && self.large.find(gc.addr()).is_none() {
            corrupt(format_args!(
                "{gc:?} is in no space of the heap: a root or field holds a stale address"
            ));
        }
        gc
    }

    /// A full collection meets a reference to neither semispace nor nursery:
    /// a large object, which it marks (generational mode).
    #[inline(never)]
    fn mark_large(&mut self, gc: Gc) -> Gc {
        match self.large.find(gc.addr()) {
            Some(i) => {
                if self.large.mark(i) {
                    self.grey.push(i);
                }
                gc
            }
            None => corrupt(format_args!(
                "{gc:?} is not in from-space: a root or field holds a stale address"
            )),
        }
    }

    /// Where the object at `gc`, in `from`, was copied, if it was.
    fn copied(from: &Memory, gc: Gc) -> Option<Gc> {
        // SAFETY: `gc` is a word of `from` (checked by the caller), not
        // yet freed or poisoned.
        match Header::decode(unsafe { *from.at(gc.addr()) }) {
            Header::Forwarded(new) => Some(Gc::from_addr(new)),
            _ => None,
        }
    }

    /// Copies the object at `gc`, in `from`, unless it was copied already.
    #[inline(always)]
    fn copy(&mut self, from: &Memory, gc: Gc) -> Gc {
        let addr = gc.addr();
        let old = from.at(addr);
        // SAFETY: `addr` is a word of `from` (checked by the caller).
        match Header::decode(unsafe { *old }) {
            Header::Forwarded(new) => Gc::from_addr(new),
            Header::Object(shape) => {
                let words = words(shape);
                let index = from.index_of(addr);
                if index + words > from.words() || self.top + words > self.to.words() {
                    corrupt(format_args!(
                        "the object at {gc:?} ({shape:?}) does not fit its space"
                    ));
                }
                let new = self.to.addr_of(self.top);
                // SAFETY: both ranges are inside their runs (checked
                // above), and the runs are distinct allocations.
                unsafe { move_object(old, self.to.at(new), words) };
                self.top += words;
                self.objects += 1;
                Gc::from_addr(new)
            }
            Header::Corrupt(word) => corrupt(format_args!(
                "{gc:?} has a corrupt header {word:#x}: it was never an object, or was poisoned"
            )),
        }
    }
}

impl<const MINOR: bool> Liveness for Copier<'_, MINOR> {
    fn reached(&self, gc: Gc) -> Option<Gc> {
        let addr = gc.addr();
        if self.from.contains(addr) {
            Self::copied(self.from, gc)
        } else if MINOR {
            Some(self.stays(gc))
        } else if self.nursery.contains(addr) {
            Self::copied(self.nursery, gc)
        } else {
            match self.large.find(addr) {
                Some(i) => self.large.is_marked(i).then_some(gc),
                None => corrupt(format_args!(
                    "{gc:?} is in no space of the heap: a weak reference holds a stale address"
                )),
            }
        }
    }

    fn keep(&mut self, gc: Gc) -> Gc {
        let new = self.forward(gc);
        self.drain();
        new
    }
}
