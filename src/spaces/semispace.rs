//! [`Semispaces`]: the two halves of a copying space. Objects are
//! bump-allocated in one half; a collection copies the live ones into the
//! other (Cheney) and the halves trade places. In semispace mode this is
//! the whole heap; in generational mode, the mature space.

use super::memory::Memory;

pub(crate) struct Semispaces {
    /// The half objects are allocated in. Invariant: words `0..top` are a
    /// sequence of well-formed objects.
    pub(crate) space: Memory,
    /// The other half, the same size, holding nothing live (poisoned if
    /// the configuration asks).
    pub(crate) spare: Memory,
    /// Words of `space` in use (in semispace mode, as of the last time the
    /// heap retired the mutator's buffer, which is lent from `space`).
    pub(crate) top: usize,
    /// The size the growth policy asks for at the next collection.
    pub(crate) target_words: usize,
}

impl Semispaces {
    /// Two halves of `words` words each, or `None` if the system refuses.
    pub(crate) fn new(words: usize) -> Option<Semispaces> {
        Some(Semispaces {
            space: Memory::new(words)?,
            spare: Memory::new(words)?,
            top: 0,
            target_words: words,
        })
    }

    /// The size of each half, in words.
    #[inline(always)]
    pub(crate) fn words(&self) -> usize {
        self.space.words()
    }

    /// Free words in the current half.
    #[inline(always)]
    pub(crate) fn free_words(&self) -> usize {
        self.space.words() - self.top
    }

    /// Before a collection into the same size: the halves trade places, so
    /// that `spare` holds the objects to copy and `space` is empty.
    pub(crate) fn flip(&mut self) {
        core::mem::swap(&mut self.space, &mut self.spare);
    }
}
