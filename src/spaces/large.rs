//! [`LargeObjects`]: the large-object space of a generational or
//! mark-region heap. Objects of at least [`LARGE_OBJECT_BYTES`] (or too big
//! for the nursery, or for a mark-region block) each get a run of memory of
//! their own, are never moved, and are marked and swept by full
//! collections. Copying a 4 MB array at every collection is what a
//! semispace heap does; here it is allocated once and freed once.
//!
//! Large objects are mature from birth: a reference from one into the
//! nursery goes through the write barrier like any mature object's.

use super::memory::Memory;

/// The size from which a generational heap allocates an object in the
/// large-object space instead of the nursery: 128 KiB, header included (V8's
/// regular-object limit). Objects larger than the nursery go there too.
///
/// Finding a large object is a search, out of line; at 8 KiB, a 1,024-field
/// array read in a loop (the root churn workload's pool) cost that workload
/// 20% in generational mode.
pub const LARGE_OBJECT_BYTES: usize = 128 << 10;

/// One large object: its run of memory, and the mark of the full collection in
/// progress.
struct Large {
    space: Memory,
    marked: bool,
}

/// The large objects of a heap, sorted by address so that an address is
/// found by binary search. Empty in semispace mode.
#[derive(Default)]
pub(crate) struct LargeObjects {
    /// Sorted by `space.start()`; the blocks are distinct allocations, so
    /// the ranges do not overlap.
    objects: Vec<Large>,
    /// Words of all the objects together.
    words: usize,
}

impl LargeObjects {
    /// Words in use.
    #[inline(always)]
    pub(crate) fn words(&self) -> usize {
        self.words
    }

    /// A new zeroed object of `words` words, or `None` if the system
    /// allocator refuses. The caller writes its header.
    pub(crate) fn alloc(&mut self, words: usize) -> Option<*mut u64> {
        let space = Memory::new(words)?;
        let start = space.start();
        let at = self.objects.partition_point(|o| o.space.start() < start);
        let p = space.at(start);
        self.objects.insert(
            at,
            Large {
                space,
                marked: false,
            },
        );
        self.words += words;
        Some(p)
    }

    /// The index of the object that starts at `addr`, if there is one. No
    /// cache of the last object found: the heap holds no interior
    /// mutability.
    #[inline]
    pub(crate) fn find(&self, addr: usize) -> Option<usize> {
        self.objects
            .binary_search_by_key(&addr, |o| o.space.start())
            .ok()
    }

    #[cfg(any(test, all(feature = "conservative", not(miri))))]
    /// The addresses `lo..hi` that every large object lies in (empty if
    /// there is none).
    pub(crate) fn span(&self) -> (usize, usize) {
        match (self.objects.first(), self.objects.last()) {
            (Some(first), Some(last)) => (
                first.space.start(),
                last.space.start() + last.space.words() * crate::object::WORD,
            ),
            _ => (0, 0),
        }
    }

    #[cfg(any(test, all(feature = "conservative", not(miri))))]
    /// The address of the large object that `addr` points into, if there
    /// is one (the conservative scheme's lookup of a stack word).
    #[inline]
    pub(crate) fn object_containing(&self, addr: usize) -> Option<usize> {
        let first = self.objects.first()?.space.start();
        if addr < first {
            return None;
        }
        let at = self.objects.partition_point(|o| o.space.start() <= addr);
        let space = &self.objects[at - 1].space;
        space.contains(addr).then(|| space.start())
    }

    /// A pointer to the header of the object that starts at `addr`, if
    /// there is one. Free of panics and writes (see `Heap::header_ptr`).
    #[inline]
    pub(crate) fn header_at(&self, addr: usize) -> Option<*mut u64> {
        let i = self.find(addr)?;
        let space = &self.objects.get(i)?.space;
        Some(space.at(space.start()))
    }

    /// A pointer to the header of object `i` (from [`find`](Self::find)),
    /// with its block's provenance.
    #[inline(always)]
    pub(crate) fn header(&self, i: usize) -> *mut u64 {
        let space = &self.objects[i].space;
        space.at(space.start())
    }

    /// Marks object `i`; whether it was unmarked (the collector then scans
    /// it).
    #[inline]
    pub(crate) fn mark(&mut self, i: usize) -> bool {
        !core::mem::replace(&mut self.objects[i].marked, true)
    }

    /// Whether object `i` is marked (reached by the collection under way).
    #[inline]
    pub(crate) fn is_marked(&self, i: usize) -> bool {
        self.objects[i].marked
    }

    /// Frees every unmarked object and unmarks the rest; the number of
    /// objects freed.
    pub(crate) fn sweep(&mut self) -> usize {
        let before = self.objects.len();
        self.objects
            .retain_mut(|o| core::mem::replace(&mut o.marked, false));
        self.words = self.objects.iter().map(|o| o.space.words()).sum();
        before - self.objects.len()
    }

    /// Every object's header pointer.
    pub(crate) fn headers(&self) -> impl Iterator<Item = *mut u64> + '_ {
        self.objects.iter().map(|o| o.space.at(o.space.start()))
    }
}
