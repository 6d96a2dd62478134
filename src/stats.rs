//! What the heap and its collector have done.

use core::time::Duration;

/// Counters since the heap was created, and its current size.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Collections run, minor and full.
    pub collections: u64,
    /// Of those, minor collections (generational mode).
    pub minor_collections: u64,
    /// Objects allocated.
    pub objects_allocated: u64,
    /// Bytes allocated (headers included).
    pub bytes_allocated: u64,
    /// Objects copied by collections.
    pub objects_copied: u64,
    /// Bytes copied by collections (promoted, in minor collections).
    pub bytes_copied: u64,
    /// Roots visited by collections (a root counts once per collection).
    pub roots_scanned: u64,
    /// Time spent collecting (and, if enabled, verifying and poisoning).
    pub gc_time: Duration,
    /// Bytes of objects that full collections of a mark-region heap kept
    /// where they were (marked in place).
    pub bytes_marked: u64,
    /// Full collections of a mark-region heap that evacuated objects out of
    /// fragmented blocks (or out of an outgrown chunk).
    pub evacuating_collections: u64,
    /// Objects pinned now ([`Heap::pin`](crate::Heap::pin)).
    pub objects_pinned: usize,
    /// Objects that full collections of a mark-region heap kept (marked in
    /// place, evacuated, promoted or large), summed over the collections:
    /// an object live across three collections counts three times.
    pub objects_kept: u64,
    /// Conservative scheme: bytes of stack (and spilled registers excluded)
    /// that collections read, summed over the collections.
    pub stack_bytes_scanned: u64,
    /// Conservative scheme: the words read from the stack and the
    /// registers that pointed into an object (*ambiguous roots*), summed
    /// over the collections; several words may point into one object.
    pub ambiguous_words: u64,
    /// Conservative scheme: the objects that collections kept in place
    /// because a stack word pointed into them and that they could
    /// otherwise have moved, summed over the collections (compare with
    /// [`objects_kept`](Self::objects_kept)).
    pub objects_pinned_by_stack: u64,
    /// Conservative scheme: the bytes of those objects.
    pub bytes_pinned_by_stack: u64,
    /// The most memory the heap's spaces held at the end of a collection,
    /// counting what they have written to (and so made resident): both
    /// semispaces, the nursery, a mark-region space's used blocks, the
    /// large objects. A deterministic stand-in for the peak resident size.
    pub peak_footprint_bytes: usize,
    /// The current size of one semispace in bytes (of the mature space, in
    /// generational mode; of the budget, in mark-region mode).
    pub capacity_bytes: usize,
    /// Bytes in use: live after the last collection plus allocated since.
    pub used_bytes: usize,
    /// Bytes live after each full collection, summed over them: with
    /// the number of full collections, the mean live size, which the
    /// runner compares between schemes (the conservative scheme's false
    /// retention).
    pub live_bytes_summed: u64,
    /// Bytes live after the last full collection (in semispace mode every
    /// collection is one), large objects included.
    pub live_bytes_after_gc: usize,
    /// Weak roots cleared because their objects died.
    pub weak_roots_cleared: u64,
    /// Ephemeron entries removed because their keys died.
    pub ephemerons_removed: u64,
    /// Passes over the ephemeron entries whose keys were not yet reached
    /// (one per collection with any, one more per link of a chain of
    /// entries whose values reach the next key).
    pub ephemeron_passes: u64,
    /// Held values queued for finalization.
    pub finalizers_queued: u64,
    /// Held values handed to a callback
    /// ([`Heap::run_finalizers`](crate::Heap::run_finalizers)).
    pub finalizers_run: u64,
}

impl Stats {
    pub(crate) fn count_weak(&mut self, w: &crate::weak::WeakOutcome) {
        self.weak_roots_cleared += w.cleared;
        self.ephemerons_removed += w.ephemerons_removed;
        self.ephemeron_passes += w.passes;
        self.finalizers_queued += w.queued;
    }
}
