//! Scoped vector roots: one entry of the table holding a growable vector of
//! values, released when its scope exits (the indexed counterpart of
//! SpiderMonkey's `RootedVector`). Long-lived vectors are owned roots
//! ([`OwnedVec`](crate::OwnedVec)).
//!
//! Scoped vectors form a LIFO of their own beside the scoped roots; a
//! scope's [`Mark`](crate::Mark) records the length of both. A released
//! vector's buffer is kept for the next scoped vector, so rooting a vector
//! in a hot loop allocates only when it outgrows the buffers it inherits.

use crate::error::TableId;

/// A scoped vector root: a copyable handle to one entry of a table's
/// scoped-vector LIFO, valid until the scope that was innermost when it was
/// created exits. Its operations are the table's `vec_*` methods.
///
/// 16 bytes, `Send + Sync + Copy`, like [`ScopedRoot`](crate::ScopedRoot).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ScopedVec {
    pub(crate) table: TableId,
    pub(crate) index: u32,
    pub(crate) generation: u64,
}

impl ScopedVec {
    /// The table that issued this handle.
    pub fn table(self) -> TableId {
        self.table
    }
}

/// The LIFO of scoped vectors, with the buffers of released ones.
pub(crate) struct ScopedVecs<T> {
    entries: Vec<(u64, Vec<T>)>,
    /// Emptied buffers of released vectors, reused by the next ones.
    spare: Vec<Vec<T>>,
}

/// Buffers kept for reuse at most; more are freed.
const MAX_SPARE: usize = 64;

impl<T> ScopedVecs<T> {
    pub(crate) const fn new() -> Self {
        ScopedVecs {
            entries: Vec::new(),
            spare: Vec::new(),
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Pushes an empty vector stamped with `generation`; returns its index.
    ///
    /// Panics if `u32::MAX - 1` scoped vectors are alive.
    pub(crate) fn push(&mut self, generation: u64) -> u32 {
        let index = u32::try_from(self.entries.len())
            .ok()
            .filter(|&i| i < u32::MAX)
            .expect("gcroots-indexed: more than u32::MAX - 1 scoped vectors alive in one table");
        let buffer = self.spare.pop().unwrap_or_default();
        self.entries.push((generation, buffer));
        index
    }

    /// The vector at `index`, if it still carries `generation`.
    #[inline]
    pub(crate) fn get_mut(&mut self, index: u32, generation: u64) -> Option<&mut Vec<T>> {
        match self.entries.get_mut(index as usize) {
            Some((g, v)) if *g == generation => Some(v),
            _ => None,
        }
    }

    /// Releases every vector at `len` and above, keeping their buffers.
    #[inline]
    pub(crate) fn truncate(&mut self, len: u32) {
        if self.entries.len() > len as usize {
            self.release_from(len as usize);
        }
    }

    #[cold]
    fn release_from(&mut self, len: usize) {
        for (_, mut v) in self.entries.drain(len..) {
            if self.spare.len() < MAX_SPARE {
                v.clear();
                self.spare.push(v);
            }
        }
    }

    pub(crate) fn for_each_mut(&mut self, mut f: impl FnMut(&mut T)) {
        for (_, v) in &mut self.entries {
            v.iter_mut().for_each(&mut f);
        }
    }
}
