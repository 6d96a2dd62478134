//! Scoped vector roots: one entry of the table holding a growable vector of
//! values, released when its scope exits (the indexed counterpart of
//! SpiderMonkey's `RootedVector`). Long-lived vectors are owned roots
//! ([`OwnedVec`](crate::OwnedVec)).
//!
//! A scoped vector pushes a *marker* onto the LIFO of scoped roots (an
//! entry with no value) and keeps its values beside the LIFO, with the
//! marker's index. A scope's exit truncates the LIFO as it always does;
//! the vector is alive while its marker is. So scopes record one length
//! and exit with one truncation whether or not vectors exist: the scoped
//! root's hot path pays nothing for them. (Recording a second length in
//! every scope doubled the cost of a scoped root, 2.3 to 4.7 ns: DESIGN.md.)
//!
//! Vectors whose marker is gone are dead; they are always the newest ones
//! (a truncation ends a suffix of the LIFO), and are reclaimed, their
//! buffers kept for the next vectors, when a vector is created or the roots
//! are traced.

use crate::error::TableId;
use crate::lifo::Lifo;

/// A scoped vector root: a copyable handle to one vector of a table,
/// valid until the scope that was innermost when it was created exits. Its
/// operations are the table's `vec_*` methods.
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

/// One scoped vector.
struct Entry<T> {
    /// The index of its marker in the LIFO.
    marker: u32,
    /// The marker's generation, and the handle's.
    generation: u64,
    values: Vec<T>,
}

/// The scoped vectors, oldest first, with the buffers of released ones.
pub(crate) struct ScopedVecs<T> {
    entries: Vec<Entry<T>>,
    /// Emptied buffers of released vectors, reused by the next ones.
    spare: Vec<Vec<T>>,
}

/// Buffers kept for reuse at most; more are freed.
const MAX_SPARE: usize = 64;

impl<T: Copy> ScopedVecs<T> {
    pub(crate) const fn new() -> Self {
        ScopedVecs {
            entries: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// Releases the vectors whose markers a scope's exit removed: always the
    /// newest ones.
    pub(crate) fn reclaim(&mut self, lifo: &Lifo<T>) {
        while let Some(top) = self.entries.last() {
            if lifo.has_marker(top.marker, top.generation) {
                break;
            }
            let Some(mut dead) = self.entries.pop() else {
                break;
            };
            if self.spare.len() < MAX_SPARE {
                dead.values.clear();
                self.spare.push(dead.values);
            }
        }
    }

    /// Makes an empty vector whose marker `lifo` gets, stamped with
    /// `generation`; returns its index.
    ///
    /// Panics if `u32::MAX - 1` scoped vectors are alive.
    pub(crate) fn push(&mut self, lifo: &mut Lifo<T>, generation: u64) -> u32 {
        self.reclaim(lifo);
        let index = u32::try_from(self.entries.len())
            .ok()
            .filter(|&i| i < u32::MAX)
            .expect("gcroots-indexed: more than u32::MAX - 1 scoped vectors alive in one table");
        let marker = lifo.push_marker(generation);
        let values = self.spare.pop().unwrap_or_default();
        self.entries.push(Entry {
            marker,
            generation,
            values,
        });
        index
    }

    /// The vector at `index`, if it still carries `generation` and its
    /// scope has not exited.
    #[inline]
    pub(crate) fn get_mut(
        &mut self,
        lifo: &Lifo<T>,
        index: u32,
        generation: u64,
    ) -> Option<&mut Vec<T>> {
        match self.entries.get_mut(index as usize) {
            Some(e) if e.generation == generation && lifo.has_marker(e.marker, generation) => {
                Some(&mut e.values)
            }
            _ => None,
        }
    }

    /// How many vectors are alive.
    pub(crate) fn live(&self, lifo: &Lifo<T>) -> usize {
        self.entries
            .iter()
            .filter(|e| lifo.has_marker(e.marker, e.generation))
            .count()
    }

    /// Calls `f` on every value of every vector alive. Call after
    /// [`reclaim`](Self::reclaim), which leaves only live ones.
    pub(crate) fn for_each_mut(&mut self, mut f: impl FnMut(&mut T)) {
        for e in &mut self.entries {
            e.values.iter_mut().for_each(&mut f);
        }
    }
}
