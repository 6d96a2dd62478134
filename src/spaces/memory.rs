//! [`Memory`]: one owned, zero-initialised, 8-byte-aligned run of words,
//! which every space is made of (a semispace, the nursery, a mark-region
//! chunk, a large object).
//!
//! All access to object memory goes through raw pointers made by
//! [`Memory::at`] from the run's base pointer, so every pointer into the
//! heap carries the run's provenance (the code is clean under
//! `-Zmiri-strict-provenance`), and no Rust reference to object memory is
//! ever created: objects can be written through a shared borrow of the heap
//! without breaking the aliasing rules.
//!
//! The run comes from `alloc_zeroed`; for large sizes the system allocator
//! maps fresh pages, which the operating system zeroes when they are first
//! touched, so memory that is never used costs no resident memory.

use core::ptr::NonNull;
use std::alloc::{self, Layout};

use crate::object::{POISON, WORD};

pub(crate) struct Memory {
    /// Start of the run. Invariant: allocated with `layout(words)` and
    /// owned by this `Memory` until it is dropped.
    base: NonNull<u64>,
    words: usize,
}

// SAFETY: a `Memory` owns its run like a `Box<[u64]>` does. It is not
// `Sync`: the heap writes objects through shared borrows.
unsafe impl Send for Memory {}

impl Memory {
    /// A zeroed run of `words` words, or `None` if the size does not fit a
    /// `Layout` or the allocator refuses.
    pub(crate) fn new(words: usize) -> Option<Memory> {
        let layout = Layout::array::<u64>(words.max(1)).ok()?;
        // SAFETY: `layout` has a non-zero size.
        let base = NonNull::new(unsafe { alloc::alloc_zeroed(layout) })?.cast::<u64>();
        Some(Memory { base, words })
    }

    /// The size in words.
    #[inline(always)]
    pub(crate) fn words(&self) -> usize {
        self.words
    }

    /// The address of the first word.
    #[inline(always)]
    pub(crate) fn start(&self) -> usize {
        self.base.as_ptr().addr()
    }

    /// Whether `addr` is the address of a word of this run.
    #[inline(always)]
    pub(crate) fn contains(&self, addr: usize) -> bool {
        addr.wrapping_sub(self.start()) < self.words * WORD
    }

    /// The address of word `index` (`index` may be one past the end).
    #[inline(always)]
    pub(crate) fn addr_of(&self, index: usize) -> usize {
        self.start() + index * WORD
    }

    /// The word index of `addr`, which must be in this run.
    #[inline(always)]
    pub(crate) fn index_of(&self, addr: usize) -> usize {
        debug_assert!(self.contains(addr));
        (addr - self.start()) / WORD
    }

    /// A pointer to the word at `addr`, with this run's provenance.
    /// Dereferencing it is sound when `addr` is a word of this run
    /// ([`contains`](Self::contains)); making it is always safe.
    #[inline(always)]
    pub(crate) fn at(&self, addr: usize) -> *mut u64 {
        self.base.as_ptr().with_addr(addr)
    }

    /// A pointer to word `index`, with this run's provenance (as
    /// [`at`](Self::at)).
    #[inline(always)]
    pub(crate) fn word(&self, index: usize) -> *mut u64 {
        self.base.as_ptr().wrapping_add(index)
    }

    /// The run's base pointer, for a [`Bump`](crate::spaces::Bump) lent
    /// from it.
    #[inline(always)]
    pub(crate) fn base(&self) -> NonNull<u64> {
        self.base
    }

    /// Fills words `from..to` with [`POISON`], so that a stale pointer into
    /// them reads a header that decodes as corrupt.
    pub(crate) fn poison_range(&mut self, from: usize, to: usize) {
        assert!(from <= to && to <= self.words);
        // SAFETY: words `from..to` are inside the run (checked), which we own.
        unsafe {
            self.base
                .as_ptr()
                .add(from)
                .cast::<u8>()
                .write_bytes(POISON, (to - from) * WORD)
        };
    }

    /// Fills the first `words` words with [`POISON`] (a nursery's used part).
    pub(crate) fn poison_words(&mut self, words: usize) {
        self.poison_range(0, words);
    }

    /// Fills the whole run with [`POISON`].
    pub(crate) fn poison(&mut self) {
        self.poison_range(0, self.words);
    }
}

/// A non-owning view of a [`Memory`]: its base pointer and size, for the
/// heap's read path, which checks one run before any other. Whoever keeps
/// a view must refresh it whenever the memory it was taken from is
/// replaced or freed (see `Heap::sync_view`).
#[derive(Clone, Copy)]
pub(crate) struct View {
    base: NonNull<u64>,
    words: usize,
}

// SAFETY: a view points into memory that its owner (the heap) owns and
// keeps alive while the view is current; it moves with the heap.
unsafe impl Send for View {}

impl View {
    /// A view of `memory`.
    pub(crate) fn of(memory: &Memory) -> View {
        View {
            base: memory.base,
            words: memory.words,
        }
    }

    /// Whether `addr` is a word of the viewed run.
    #[inline(always)]
    pub(crate) fn contains(&self, addr: usize) -> bool {
        addr.wrapping_sub(self.base.as_ptr().addr()) < self.words * WORD
    }

    /// A pointer to the word at `addr`, with the run's provenance (see
    /// [`Memory::at`]).
    #[inline(always)]
    pub(crate) fn at(&self, addr: usize) -> *mut u64 {
        self.base.as_ptr().with_addr(addr)
    }

    /// Whether this is a view of `memory`.
    pub(crate) fn is_of(&self, memory: &Memory) -> bool {
        self.base == memory.base && self.words == memory.words
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        let layout =
            Layout::array::<u64>(self.words.max(1)).expect("the layout was valid at allocation");
        // SAFETY: `base` was allocated with this layout (invariant) and is
        // freed once, here.
        unsafe { alloc::dealloc(self.base.as_ptr().cast(), layout) };
    }
}
