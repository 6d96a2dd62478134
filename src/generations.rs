//! The parts a generational heap adds to the semispace heap: the nursery,
//! the remembered set and its write barrier, and the large-object space.
//!
//! In generational mode ([`Config::nursery_bytes`](crate::Config::nursery_bytes)
//! above 0) small objects are bump-allocated in the nursery. A *minor*
//! collection copies the nursery objects that the roots and the remembered
//! objects reach into the mature space (the heap's semispaces), scanning
//! what it copies as Cheney does, and empties the nursery: an object is
//! promoted when it survives one minor collection. A *full* collection
//! copies the mature space and the nursery together into the other
//! semispace and marks and sweeps the large objects.
//!
//! The remembered set is object-granular: the write barrier
//! ([`Generations::barrier`]) sees every store of a reference into a field;
//! when a mature or large object gets a reference to a nursery object, the
//! object's header gets the [`REMEMBERED`] bit and the object goes on a
//! list, once until the next collection. A minor collection scans the
//! fields of exactly those objects besides the roots. In semispace mode the
//! nursery is empty, so the barrier's first test is always false.

use core::cell::RefCell;

use crate::large::{LARGE_OBJECT_BYTES, LargeObjects};
use crate::object::{Gc, REMEMBERED, WORD};
use crate::space::Space;

/// The nursery, the remembered set and the large objects of a heap.
pub(crate) struct Generations {
    /// Where small objects are allocated; 0 words in semispace mode.
    /// Invariant: words `0..top` are well-formed objects.
    pub(crate) nursery: Space,
    /// Words of the nursery in use.
    pub(crate) top: usize,
    /// Words of the nursery that may be in use before a minor collection:
    /// at most its size, at most the mature space's free words (so a minor
    /// collection can always promote everything), and at most what keeps
    /// the heap's used words within its limit. `top <= limit`.
    pub(crate) limit: usize,
    /// Objects of at least this many words go to the large-object space
    /// (`usize::MAX` in semispace mode: there is none).
    pub(crate) large_words: usize,
    /// The mature and large objects whose header has [`REMEMBERED`] set.
    /// Boxed, so that the heap itself holds no interior mutability.
    pub(crate) remembered: Box<RefCell<Vec<Gc>>>,
    pub(crate) large: LargeObjects,
    /// Collections made by stress mode, to make every 16th a full one.
    pub(crate) stress_count: u32,
}

/// In stress mode, one collection in this many is a full collection; the
/// others are minor.
pub(crate) const STRESS_FULL_EVERY: u32 = 16;

impl Generations {
    /// The generational state for a nursery of `nursery_words` (0: semispace
    /// mode), or `None` if the system refuses the nursery.
    pub(crate) fn new(nursery_words: usize) -> Option<Generations> {
        let large_words = if nursery_words == 0 {
            usize::MAX
        } else {
            (LARGE_OBJECT_BYTES / WORD).min(nursery_words + 1)
        };
        Some(Generations {
            nursery: Space::new(nursery_words)?,
            top: 0,
            limit: 0,
            large_words,
            remembered: Box::new(RefCell::new(Vec::new())),
            large: LargeObjects::default(),
            stress_count: 0,
        })
    }

    /// Whether the heap is generational.
    #[inline(always)]
    pub(crate) fn on(&self) -> bool {
        self.nursery.words() != 0
    }

    /// The write barrier, after `value` was stored in a reference field of
    /// `obj`, whose header is at `header`: remembers `obj` if it is outside
    /// the nursery and `value` inside. Costs two compares when nothing is
    /// to be done (one in semispace mode, where the nursery is empty).
    ///
    /// # Safety
    ///
    /// `header` must point to the live header of `obj`, in the heap these
    /// generations belong to.
    #[inline(always)]
    pub(crate) unsafe fn barrier(&self, obj: Gc, header: *mut u64, value: usize) {
        if self.nursery.contains(value) && !self.nursery.contains(obj.addr()) {
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
}
