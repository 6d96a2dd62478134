//! A semispace: one owned, zero-initialised, 8-byte-aligned block of words.
//!
//! All access to object memory goes through raw pointers made by
//! [`Space::at`] from the block's base pointer, so every pointer into the
//! heap carries the block's provenance (the code is clean under
//! `-Zmiri-strict-provenance`), and no Rust reference to object memory is
//! ever created: objects can be written through a shared borrow of the heap
//! without breaking the aliasing rules.

use core::ptr::NonNull;
use std::alloc::{self, Layout};

use crate::object::{POISON, WORD};

pub(crate) struct Space {
    /// Start of the block. Invariant: allocated with `layout(words)` and
    /// owned by this `Space` until it is dropped.
    base: NonNull<u64>,
    words: usize,
}

// SAFETY: a `Space` owns its block like a `Box<[u64]>` does. It is not
// `Sync`: the heap writes objects through shared borrows.
unsafe impl Send for Space {}

impl Space {
    /// A zeroed block of `words` words, or `None` if the size does not fit a
    /// `Layout` or the allocator refuses.
    pub(crate) fn new(words: usize) -> Option<Space> {
        let layout = Layout::array::<u64>(words.max(1)).ok()?;
        // SAFETY: `layout` has a non-zero size.
        let base = NonNull::new(unsafe { alloc::alloc_zeroed(layout) })?.cast::<u64>();
        Some(Space { base, words })
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

    /// Whether `addr` is the address of a word of this space.
    #[inline(always)]
    pub(crate) fn contains(&self, addr: usize) -> bool {
        addr.wrapping_sub(self.start()) < self.words * WORD
    }

    /// The address of word `index` (`index` may be one past the end).
    #[inline(always)]
    pub(crate) fn addr_of(&self, index: usize) -> usize {
        self.start() + index * WORD
    }

    /// The word index of `addr`, which must be in this space.
    #[inline(always)]
    pub(crate) fn index_of(&self, addr: usize) -> usize {
        debug_assert!(self.contains(addr));
        (addr - self.start()) / WORD
    }

    /// A pointer to the word at `addr`, with this block's provenance.
    /// Dereferencing it is sound when `addr` is a word of this space
    /// ([`contains`](Self::contains)); making it is always safe.
    #[inline(always)]
    pub(crate) fn at(&self, addr: usize) -> *mut u64 {
        self.base.as_ptr().with_addr(addr)
    }

    /// Fills the first `words` words with [`POISON`] (a nursery's used part).
    pub(crate) fn poison_words(&mut self, words: usize) {
        assert!(words <= self.words);
        // SAFETY: the first `words` words are inside the block, owned by us.
        unsafe {
            self.base
                .as_ptr()
                .cast::<u8>()
                .write_bytes(POISON, words * WORD)
        };
    }

    /// Fills the whole block with [`POISON`], so that a stale pointer into it
    /// reads a header that decodes as corrupt.
    pub(crate) fn poison(&mut self) {
        // SAFETY: the block is `words` words long and owned by us.
        unsafe {
            self.base
                .as_ptr()
                .cast::<u8>()
                .write_bytes(POISON, self.words * WORD)
        };
    }
}

impl Drop for Space {
    fn drop(&mut self) {
        let layout =
            Layout::array::<u64>(self.words.max(1)).expect("the layout was valid at allocation");
        // SAFETY: `base` was allocated with this layout (invariant) and is
        // freed once, here.
        unsafe { alloc::dealloc(self.base.as_ptr().cast(), layout) };
    }
}
