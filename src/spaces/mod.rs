//! The spaces a heap is made of, one file each, and the buffer the mutator
//! allocates from.
//!
//! - [`Memory`]: an owned run of zeroed words, what every space is made of;
//! - [`Semispaces`]: the two halves of a copying space;
//! - [`Nursery`]: the young space of a generational heap, its remembered
//!   set and write barrier;
//! - [`MarkRegion`]: blocks of lines, marked in place and swept, with
//!   opportunistic evacuation (Immix);
//! - [`LargeObjects`]: objects in runs of their own, marked and swept.
//!
//! The heap ([`Heap`](crate::Heap)) owns the spaces and decides when to
//! collect and grow; the collector ([`collector`](crate::collector)) reads
//! and writes them during a collection. Between collections the mutator
//! allocates from a [`Bump`] buffer that one space lends it: the rest of
//! the semispace, the rest of the nursery up to its limit, or the current
//! hole of a mark-region chunk. The fast path of an allocation is a compare
//! and an add on that buffer, whatever the mode; the space learns how far
//! the buffer was used when the heap *retires* it, before anything else
//! looks at the space.

use core::ptr::NonNull;

pub(crate) mod large;
pub(crate) mod mark_region;
pub(crate) mod memory;
pub(crate) mod nursery;
pub(crate) mod semispace;

pub(crate) use large::LargeObjects;
pub(crate) use mark_region::MarkRegion;
pub(crate) use memory::Memory;
pub(crate) use nursery::Nursery;
pub(crate) use semispace::Semispaces;

/// Free words that a space lends the mutator: words `cursor..limit` of
/// the run whose base pointer is `base`, of which `start..cursor` were
/// allocated since the loan began.
///
/// Invariant: either the buffer is empty (`cursor == limit`), or `base` is
/// the base of a [`Memory`] the heap owns and `limit` is at most its size,
/// and words `cursor..limit` hold nothing live.
pub(crate) struct Bump {
    base: NonNull<u64>,
    /// Where the loan began.
    pub(crate) start: usize,
    /// The next free word.
    pub(crate) cursor: usize,
    /// One past the last word lent.
    pub(crate) limit: usize,
}

// SAFETY: `base` points into memory that the heap owns (a `Memory`, which
// is `Send`); the buffer is part of the heap and moves with it.
unsafe impl Send for Bump {}

impl Bump {
    /// A buffer that lends nothing.
    pub(crate) fn empty() -> Bump {
        Bump {
            base: NonNull::dangling(),
            start: 0,
            cursor: 0,
            limit: 0,
        }
    }

    /// Lends words `from..to` of `memory`.
    pub(crate) fn lend(memory: &Memory, from: usize, to: usize) -> Bump {
        debug_assert!(from <= to && to <= memory.words());
        Bump {
            base: memory.base(),
            start: from,
            cursor: from,
            limit: to,
        }
    }

    /// Words allocated since the loan began.
    #[inline(always)]
    pub(crate) fn used(&self) -> usize {
        self.cursor - self.start
    }

    /// Takes `words` words if they fit: a pointer to the first, with the
    /// lending run's provenance.
    #[inline(always)]
    pub(crate) fn take(&mut self, words: usize) -> Option<*mut u64> {
        if self.limit - self.cursor >= words {
            let p = self.base.as_ptr().wrapping_add(self.cursor);
            self.cursor += words;
            Some(p)
        } else {
            None
        }
    }
}
