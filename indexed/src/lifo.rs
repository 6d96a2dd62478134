//! The scope table: a LIFO vector of scoped roots.
//!
//! A scope remembers the length of the vector when it is entered and
//! truncates back to it when it exits, releasing every root pushed since in
//! one store. Each push is stamped with a generation that is never issued
//! again by its table, so a handle kept past its scope finds either an index
//! beyond the end or a slot stamped with another generation: a clean
//! [`HandleError::Stale`](crate::HandleError::Stale), never another root's
//! value.

use crate::error::TableId;

/// A scoped root: a copyable handle to one slot of a table's LIFO vector,
/// valid until the scope that was innermost when it was created exits.
///
/// 16 bytes: the table id (4), the slot index (4) and the generation (8).
/// It holds no pointer, so it is `Send + Sync + Copy`; it is only meaningful
/// together with the table that issued it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ScopedRoot {
    pub(crate) table: TableId,
    pub(crate) index: u32,
    pub(crate) generation: u64,
}

impl ScopedRoot {
    /// The table that issued this handle.
    pub fn table(self) -> TableId {
        self.table
    }

    /// The slot it names in that table's scope vector.
    pub fn index(self) -> u32 {
        self.index
    }

    /// The generation it was issued with: the slot must still hold it.
    pub fn generation(self) -> u64 {
        self.generation
    }

    /// The handle with these parts, as [`table`](Self::table),
    /// [`index`](Self::index) and [`generation`](Self::generation) gave
    /// them: for a caller that keeps a handle's parts apart (gcroots'
    /// conservative scheme keeps them in a stack slot's words). Any parts
    /// are safe: a handle that names no live root of its table is refused
    /// by every use ([`HandleError::Stale`](crate::HandleError::Stale) or
    /// [`WrongTable`](crate::HandleError::WrongTable)), never read as
    /// another root.
    pub fn from_parts(table: TableId, index: u32, generation: u64) -> ScopedRoot {
        ScopedRoot {
            table,
            index,
            generation,
        }
    }
}

/// Where a scope began: the length of the LIFO at entry. Returned by
/// [`RootTable::enter`](crate::RootTable::enter), consumed by
/// [`RootTable::exit`](crate::RootTable::exit).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[must_use = "a scope that is never exited keeps its roots alive until an outer scope exits"]
pub struct Mark {
    pub(crate) table: TableId,
    pub(crate) len: u32,
}

impl Mark {
    /// The table whose scope this mark began.
    pub fn table(self) -> TableId {
        self.table
    }
}

/// A slot of the LIFO: a scoped root's value, or (`None`) the marker of a
/// scoped vector, whose values live beside the LIFO ([`ScopedVecs`]).
///
/// [`ScopedVecs`]: crate::vecs::ScopedVecs
#[derive(Clone, Copy)]
struct Entry<T> {
    value: Option<T>,
    generation: u64,
}

/// The LIFO vector. Plain data: every method takes `&self` or `&mut self`,
/// the interior mutability lives in [`RootTable`](crate::RootTable).
pub(crate) struct Lifo<T> {
    entries: Vec<Entry<T>>,
}

impl<T: Copy> Lifo<T> {
    pub(crate) const fn new() -> Self {
        Lifo {
            entries: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Pushes `value` and returns its index.
    ///
    /// Panics if the vector already holds `u32::MAX` roots (an index must fit
    /// in a handle).
    #[inline]
    pub(crate) fn push(&mut self, value: T, generation: u64) -> u32 {
        let index = u32::try_from(self.entries.len())
            .ok()
            .filter(|&i| i < u32::MAX)
            .expect("gcroots-indexed: more than u32::MAX - 1 scoped roots alive in one table");
        self.entries.push(Entry {
            value: Some(value),
            generation,
        });
        index
    }

    /// Pushes the marker of a scoped vector: an entry that holds no value,
    /// which a scope's exit truncates like any other. Returns its index.
    ///
    /// Panics as [`push`](Self::push).
    pub(crate) fn push_marker(&mut self, generation: u64) -> u32 {
        let index = u32::try_from(self.entries.len())
            .ok()
            .filter(|&i| i < u32::MAX)
            .expect("gcroots-indexed: more than u32::MAX - 1 scoped roots alive in one table");
        self.entries.push(Entry {
            value: None,
            generation,
        });
        index
    }

    /// Whether the marker pushed at `index` with `generation` is still
    /// there (its scope has not exited).
    #[inline]
    pub(crate) fn has_marker(&self, index: u32, generation: u64) -> bool {
        matches!(self.entries.get(index as usize), Some(e) if e.generation == generation)
    }

    #[inline]
    pub(crate) fn get(&self, index: u32, generation: u64) -> Option<T> {
        match self.entries.get(index as usize) {
            Some(e) if e.generation == generation => e.value,
            _ => None,
        }
    }

    #[inline]
    pub(crate) fn set(&mut self, index: u32, generation: u64, value: T) -> bool {
        match self.entries.get_mut(index as usize) {
            Some(Entry {
                value: Some(v),
                generation: g,
            }) if *g == generation => {
                *v = value;
                true
            }
            _ => false,
        }
    }

    /// Releases every root at `len` and above. A `len` at or past the end
    /// (an inner scope exiting after an outer one already truncated) does
    /// nothing.
    #[inline]
    pub(crate) fn truncate(&mut self, len: u32) {
        self.entries.truncate(len as usize);
    }

    pub(crate) fn for_each_mut(&mut self, mut f: impl FnMut(&mut T)) {
        for e in &mut self.entries {
            if let Some(v) = &mut e.value {
                f(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_get_set_truncate() {
        let mut l = Lifo::new();
        let a = l.push(10u64, 1);
        let b = l.push(20u64, 2);
        assert_eq!((a, b), (0, 1));
        assert_eq!(l.get(a, 1), Some(10));
        assert_eq!(
            l.get(a, 2),
            None,
            "a generation mismatch must not read the slot"
        );
        assert!(l.set(b, 2, 21));
        assert!(!l.set(b, 3, 22));
        assert_eq!(l.get(b, 2), Some(21));
        l.truncate(1);
        assert_eq!(l.get(b, 2), None);
        l.truncate(5);
        assert_eq!(l.len(), 1);
        let c = l.push(30, 3);
        assert_eq!(c, 1);
        assert_eq!(l.get(c, 2), None, "a reused slot has a new generation");
        assert_eq!(l.get(c, 3), Some(30));
    }
}
