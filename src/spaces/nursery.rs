//! [`Nursery`]: the young space of a generational heap, its remembered set
//! and its write barrier.
//!
//! In generational mode ([`Config::nursery_bytes`](crate::Config::nursery_bytes)
//! above 0) small objects are bump-allocated in the nursery. A *minor*
//! collection copies the nursery objects that the roots and the remembered
//! objects reach into the mature space (a semispace, or a mark-region
//! space) and empties the nursery: an object is promoted when it survives
//! one minor collection. A *full* collection empties the nursery too.
//!
//! The remembered set is object-granular: the write barrier
//! ([`Nursery::barrier`]) sees every store of a reference into a field;
//! when a mature or large object gets a reference to a nursery object, the
//! object's header gets the [`REMEMBERED`] bit and the object goes on a
//! list, once until the next collection. A minor collection scans the
//! fields of exactly those objects besides the roots. In the other modes
//! the nursery is empty, so the barrier's first test is always false.

use core::cell::RefCell;

use super::memory::Memory;
use crate::object::{Gc, REMEMBERED};

pub(crate) struct Nursery {
    /// Where small objects are allocated; 0 words outside generational
    /// mode. Invariant: words `0..top` are well-formed objects.
    pub(crate) memory: Memory,
    /// Words in use, as of the last time the heap retired the mutator's
    /// buffer (which is lent from the nursery in generational mode).
    pub(crate) top: usize,
    /// Words that may be in use before a minor collection: at most the
    /// nursery's size, at most what the mature space can take in (so a
    /// minor collection can always promote everything), and at most what
    /// keeps the heap's used words within its limit. `top <= limit`.
    pub(crate) limit: usize,
    /// The mature and large objects whose header has [`REMEMBERED`] set.
    /// Boxed, so that the heap itself holds no interior mutability.
    pub(crate) remembered: Box<RefCell<Vec<Gc>>>,
    /// Collections made by stress mode, to make every 16th a full one.
    pub(crate) stress_count: u32,
}

/// In stress mode, one collection in this many is a full collection; the
/// others are minor.
pub(crate) const STRESS_FULL_EVERY: u32 = 16;

impl Nursery {
    /// A nursery of `words` words (0: not generational), or `None` if the
    /// system refuses it.
    pub(crate) fn new(words: usize) -> Option<Nursery> {
        Some(Nursery {
            memory: Memory::new(words)?,
            top: 0,
            limit: 0,
            remembered: Box::new(RefCell::new(Vec::new())),
            stress_count: 0,
        })
    }

    /// Whether the heap is generational.
    #[inline(always)]
    pub(crate) fn on(&self) -> bool {
        self.memory.words() != 0
    }

    /// Whether `addr` is a word of the nursery.
    #[inline(always)]
    pub(crate) fn contains(&self, addr: usize) -> bool {
        self.memory.contains(addr)
    }

    /// The write barrier, after `value` was stored in a reference field of
    /// `obj`, whose header is at `header`: remembers `obj` if it is outside
    /// the nursery and `value` inside. Costs two compares when nothing is
    /// to be done (one outside generational mode, where the nursery is
    /// empty).
    ///
    /// # Safety
    ///
    /// `header` must point to the live header of `obj`, in the heap this
    /// nursery belongs to.
    #[inline(always)]
    pub(crate) unsafe fn barrier(&self, obj: Gc, header: *mut u64, value: usize) {
        if self.memory.contains(value) && !self.memory.contains(obj.addr()) {
            // SAFETY: the caller's guarantee.
            unsafe { self.remember(obj, header) };
        }
    }

    /// # Safety
    ///
    /// As for [`barrier`](Self::barrier).
    #[inline(never)]
    unsafe fn remember(&self, obj: Gc, header: *mut u64) {
        // SAFETY: `header` is `obj`'s live header (the caller's guarantee);
        // object memory is only accessed through raw pointers, and the heap
        // is not `Sync`, so nothing else touches the word meanwhile.
        unsafe {
            if *header & REMEMBERED == 0 {
                *header |= REMEMBERED;
                // No other borrow of the list is alive: the heap only
                // borrows it here and in collections, which take `&mut`.
                self.remembered.borrow_mut().push(obj);
            }
        }
    }

    /// After a collection copied its objects out: poisons the used words
    /// if asked, and empties the nursery (the heap sets its limit).
    pub(crate) fn empty(&mut self, poison: bool) {
        if poison {
            self.memory.poison_words(self.top);
        }
        self.top = 0;
    }
}
