//! Mark-region tracing, for the mark-region modes.
//!
//! A **full collection** traces every object reachable from the pins and
//! the roots, with an explicit stack of grey objects (their headers):
//!
//! - an object of the mark-region space is *marked* where it is (its mark
//!   bit and the lines it covers), unless its block is an evacuation
//!   candidate and there is room in a free block: then it is *evacuated*,
//!   copied there and forwarded as a copying collector would, and every
//!   later visit finds the forwarding address. The first visit decides, so
//!   an object is never both marked in place and copied;
//! - the pins are traced first and their objects always marked in place,
//!   so nothing pinned moves; so are the objects the stack's words point
//!   into (the conservative scheme), pinned for this collection only;
//! - a nursery object (generational mark-region mode) is always copied
//!   into the space (promoted), into blocks kept in reserve for it;
//! - a large object is marked, as in the copying modes.
//!
//! A **minor collection** copies the nursery objects that the roots, the
//! pins and the remembered objects reach into holes and free blocks of the
//! space, recording each copy's start bit and lines; mature and large
//! objects stay where they are.
//!
//! The caller sweeps afterwards ([`MarkRegion::sweep`]).

use super::{Outcome, corrupt, move_object, scan_object, words};
use crate::object::{Gc, Header, REMEMBERED};
use crate::pin::Pins;
use crate::scheme::{RootSetMut, Scheme};
use crate::spaces::mark_region::{Chunk, Loc};
use crate::spaces::{LargeObjects, MarkRegion, Memory};
use crate::weak::{self, Liveness, Weaks};

/// A full collection of a mark-region heap: marks or evacuates everything
/// reachable from `pins`, the objects the words of the thread's stack
/// point into (for a conservative `S`: each stays where it is) and the
/// roots of `S`, copies every reachable nursery object into the space, and
/// marks the large objects it reaches. The space must have been prepared
/// ([`MarkRegion::prepare`]), its start bits current if `S` is
/// conservative, and no header may have the [`REMEMBERED`] bit.
pub(crate) fn full<S: Scheme>(
    mut set: RootSetMut<'_, '_, S>,
    pins: &mut Pins,
    region: &mut MarkRegion,
    nursery: &Memory,
    large: &mut LargeObjects,
    weaks: &mut Weaks,
) -> Outcome {
    let stack = core::mem::take(&mut region.grey.0);
    let mut tracer = Tracer::<false> {
        region,
        nursery,
        large,
        stack,
        in_place: true,
        out: Outcome::default(),
    };
    tracer.pins(pins);
    #[cfg(all(feature = "conservative", not(miri)))]
    if S::CONSERVATIVE {
        tracer.stack();
    }
    tracer.in_place = false;
    tracer.roots::<S>(set.reborrow());
    tracer.drain();
    tracer.out.weak = weak::process(&mut tracer, set, weaks);
    tracer.finish()
}

/// A minor collection of a generational mark-region heap: promotes the
/// nursery objects that the pins, the roots of `S` and the `remembered`
/// objects reach, and clears the remembered objects' [`REMEMBERED`] bit.
pub(crate) fn minor<S: Scheme>(
    mut set: RootSetMut<'_, '_, S>,
    pins: &mut Pins,
    nursery: &Memory,
    remembered: &[Gc],
    region: &mut MarkRegion,
    large: &mut LargeObjects,
    weaks: &mut Weaks,
) -> Outcome {
    let stack = core::mem::take(&mut region.grey.0);
    let mut tracer = Tracer::<true> {
        region,
        nursery,
        large,
        stack,
        in_place: true,
        out: Outcome::default(),
    };
    tracer.pins(pins);
    tracer.roots::<S>(set.reborrow());
    for &gc in remembered {
        let p = tracer.mature_header(gc).unwrap_or_else(|| {
            corrupt(format_args!(
                "remembered {gc:?} is neither a mature nor a large object"
            ))
        });
        // SAFETY: the barrier only remembers objects outside the nursery,
        // whose header it read at `gc`; they stay where they are until a
        // full collection, which empties the set first.
        unsafe {
            *p &= !REMEMBERED;
            tracer.scan(p);
        }
    }
    tracer.drain();
    tracer.out.weak = weak::process(&mut tracer, set, weaks);
    tracer.finish()
}

/// The state of one trace. `MINOR`: only nursery objects are copied, and
/// the rest stays; otherwise everything is marked or evacuated.
struct Tracer<'a, const MINOR: bool> {
    region: &'a mut MarkRegion,
    nursery: &'a Memory,
    large: &'a mut LargeObjects,
    /// Headers of objects reached and not yet scanned, each with the
    /// provenance of its run of memory.
    stack: Vec<*mut u64>,
    /// Mark in place whatever the candidates (while tracing the pins).
    in_place: bool,
    out: Outcome,
}

impl<const MINOR: bool> Tracer<'_, MINOR> {
    /// Gives the (empty) stack back to the space; what the trace did.
    fn finish(self) -> Outcome {
        debug_assert!(self.stack.is_empty());
        self.region.grey.0 = self.stack;
        self.out
    }

    /// Forwards every pinned object, in place.
    fn pins(&mut self, pins: &mut Pins) {
        let mut roots = 0;
        pins.trace(|gc| {
            let new = self.forward(*gc);
            if new != *gc {
                corrupt(format_args!("the pinned object {gc:?} moved to {new:?}"));
            }
            roots += 1;
        });
        self.out.roots += roots;
    }

    /// Conservative scheme: reads the thread's stack and its registers
    /// ([`stack::scan`](crate::stack::scan)) and marks every object a word
    /// points into in place (header, field or data: the start bits find
    /// it). A word of no object is ignored. An object several words point
    /// into is marked by the first, and found marked by the others.
    #[cfg(all(feature = "conservative", not(miri)))]
    #[inline(never)]
    fn stack(&mut self) {
        let filter = [self.region.span(), self.large.span()];
        let bytes = crate::stack::scan(&filter, |word| {
            let Some(addr) = self
                .region
                .object_containing(word)
                .or_else(|| self.large.object_containing(word))
            else {
                return;
            };
            let gc = Gc::from_addr(addr);
            let (live, kept) = (self.out.live, self.out.kept);
            let new = self.forward(gc);
            if new != gc {
                corrupt(format_args!(
                    "the stack-pinned object {gc:?} moved to {new:?}"
                ));
            }
            self.out.ambiguous_words += 1;
            // Counted when it was marked here, in the space: a large object
            // never moves anyway, and one already pinned was counted there.
            if self.out.kept > kept && self.out.live > live {
                self.out.stack_pinned += 1;
                self.out.stack_pinned_words += self.out.live - live;
            }
        });
        self.out.stack_bytes += bytes;
        self.out.roots += self.out.ambiguous_words;
    }

    /// Forwards every root of the scheme.
    fn roots<S: Scheme>(&mut self, set: RootSetMut<'_, '_, S>) {
        let mut roots = 0;
        // SAFETY: the closure only marks and copies objects; it creates,
        // drops and touches no root.
        unsafe {
            S::trace(set, |gc| {
                *gc = self.forward(*gc);
                roots += 1;
            })
        };
        self.out.roots += roots;
    }

    /// Scans grey objects until there are none.
    fn drain(&mut self) {
        while let Some(p) = self.stack.pop() {
            // SAFETY: every header on the stack is an object that lies
            // whole in its run (checked when it was pushed), and nothing
            // frees memory during the trace.
            unsafe { self.scan(p) };
        }
    }

    /// Forwards the fields of the object whose header is at `p`.
    ///
    /// # Safety
    ///
    /// `p` must point to the header of a well-formed object that lies
    /// whole in its run of memory.
    #[inline(always)]
    unsafe fn scan(&mut self, p: *mut u64) {
        // SAFETY: the caller's guarantee.
        unsafe { scan_object(p, |gc| self.forward(gc)) };
    }

    /// The object's address after this collection, marking, copying or
    /// pushing it as it is met for the first time.
    #[inline(always)]
    fn forward(&mut self, gc: Gc) -> Gc {
        let addr = gc.addr();
        if MINOR {
            if self.nursery.contains(addr) {
                self.promote(gc)
            } else {
                self.stays(gc)
            }
        } else if let Some(loc) = self.region.find(addr) {
            self.mark(loc, gc)
        } else if self.nursery.contains(addr) {
            self.promote(gc)
        } else {
            self.mark_large(gc)
        }
    }

    /// A full collection meets an object of the space at `loc`.
    #[inline(always)]
    fn mark(&mut self, loc: Loc, gc: Gc) -> Gc {
        let chunk = self.region.chunk_mut(loc.chunk);
        let p = chunk.word(loc.index);
        // SAFETY: `loc.index` is a word of the chunk (`find`).
        match Header::decode(unsafe { *p }) {
            Header::Forwarded(new) => Gc::from_addr(new),
            Header::Object(shape) => {
                if chunk.is_marked(loc.index) {
                    return gc;
                }
                let words = words(shape);
                if !Chunk::fits_its_block(loc.index, words) {
                    corrupt(format_args!(
                        "the object at {gc:?} ({shape:?}) crosses its block's end"
                    ));
                }
                if self.in_place || !chunk.is_candidate(loc.index) {
                    chunk.mark(loc.index, words);
                    self.out.live += words;
                    self.out.kept += 1;
                    self.stack.push(p);
                    return gc;
                }
                self.evacuate(loc, p, words, gc)
            }
            Header::Corrupt(word) => corrupt(format_args!(
                "{gc:?} has a corrupt header {word:#x}: it was never an object, or was poisoned"
            )),
        }
    }

    /// An object of an evacuation candidate block: copied out if there is
    /// room, marked in place if not.
    #[inline(never)]
    fn evacuate(&mut self, loc: Loc, p: *mut u64, words: usize, gc: Gc) -> Gc {
        if let Some(at) = self.region.evac_alloc(words, false) {
            return self.copy_into(p, at, words);
        }
        self.region.chunk_mut(loc.chunk).mark(loc.index, words);
        self.out.live += words;
        self.out.kept += 1;
        self.stack.push(p);
        gc
    }

    /// Copies the object of `words` words at `old` to word `at` of the
    /// primary chunk (room the space gave for it) and pushes the copy.
    #[inline(always)]
    fn copy_into(&mut self, old: *mut u64, at: usize, words: usize) -> Gc {
        let primary = self.region.chunk_mut(0);
        let new = primary.word(at);
        // SAFETY: `old` is an object of `words` words inside its run (the
        // caller checked); `at..at + words` is free room of the primary,
        // which the space handed out once, so the ranges do not overlap.
        unsafe { move_object(old, new, words) };
        if !MINOR {
            primary.record_marked(at, words);
        }
        self.out.objects += 1;
        self.out.words_copied += words;
        self.out.live += words;
        self.out.kept += 1;
        self.stack.push(new);
        Gc::from_addr(new.addr())
    }

    /// A nursery object: promoted (copied into the space) the first time.
    #[inline(always)]
    fn promote(&mut self, gc: Gc) -> Gc {
        let addr = gc.addr();
        let old = self.nursery.at(addr);
        // SAFETY: `addr` is a word of the nursery (checked by the caller).
        match Header::decode(unsafe { *old }) {
            Header::Forwarded(new) => Gc::from_addr(new),
            Header::Object(shape) => {
                let words = words(shape);
                if self.nursery.index_of(addr) + words > self.nursery.words() {
                    corrupt(format_args!(
                        "the object at {gc:?} ({shape:?}) does not fit the nursery"
                    ));
                }
                let at = if MINOR {
                    self.region.promote_alloc(words)
                } else {
                    self.region.evac_alloc(words, true).unwrap_or_else(|| {
                        corrupt(format_args!("no free block to copy a nursery object into"))
                    })
                };
                self.copy_into(old, at, words)
            }
            Header::Corrupt(word) => corrupt(format_args!(
                "{gc:?} has a corrupt header {word:#x}: it was never an object, or was poisoned"
            )),
        }
    }

    /// A minor collection meets a reference outside the nursery: a mature
    /// or large object, which stays.
    #[inline(always)]
    fn stays(&self, gc: Gc) -> Gc {
        if self.region.find(gc.addr()).is_none() && self.large.find(gc.addr()).is_none() {
            corrupt(format_args!(
                "{gc:?} is in no space of the heap: a root or field holds a stale address"
            ));
        }
        gc
    }

    /// A full collection meets a reference outside the space and the
    /// nursery: a large object, which it marks.
    #[inline(never)]
    fn mark_large(&mut self, gc: Gc) -> Gc {
        match self.large.find(gc.addr()) {
            Some(i) => {
                if self.large.mark(i) {
                    self.out.kept += 1;
                    self.stack.push(self.large.header(i));
                }
                gc
            }
            None => corrupt(format_args!(
                "{gc:?} is in no space of the heap: a root or field holds a stale address"
            )),
        }
    }

    /// The header of a mature or large object, with its run's provenance.
    fn mature_header(&self, gc: Gc) -> Option<*mut u64> {
        match self.region.find(gc.addr()) {
            Some(loc) => Some(self.region.chunk(loc.chunk).word(loc.index)),
            None => self.large.find(gc.addr()).map(|i| self.large.header(i)),
        }
    }
}

impl<const MINOR: bool> Liveness for Tracer<'_, MINOR> {
    fn reached(&self, gc: Gc) -> Option<Gc> {
        let addr = gc.addr();
        if self.nursery.contains(addr) {
            // SAFETY: a word of the nursery, not yet emptied.
            return match Header::decode(unsafe { *self.nursery.at(addr) }) {
                Header::Forwarded(new) => Some(Gc::from_addr(new)),
                _ => None,
            };
        }
        if MINOR {
            return Some(self.stays(gc));
        }
        if let Some(loc) = self.region.find(addr) {
            let chunk = self.region.chunk(loc.chunk);
            // SAFETY: `loc.index` is a word of the chunk (`find`), not yet
            // swept.
            return match Header::decode(unsafe { *chunk.word(loc.index) }) {
                Header::Forwarded(new) => Some(Gc::from_addr(new)),
                Header::Object(_) => chunk.is_marked(loc.index).then_some(gc),
                Header::Corrupt(word) => corrupt(format_args!(
                    "a weak reference to {gc:?} finds a corrupt header {word:#x}"
                )),
            };
        }
        match self.large.find(addr) {
            Some(i) => self.large.is_marked(i).then_some(gc),
            None => corrupt(format_args!(
                "{gc:?} is in no space of the heap: a weak reference holds a stale address"
            )),
        }
    }

    fn keep(&mut self, gc: Gc) -> Gc {
        let new = self.forward(gc);
        self.drain();
        new
    }
}
