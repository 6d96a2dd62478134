//! The slab: roots with arbitrary lifetimes, released in any order.
//!
//! Free slots form a singly linked free list threaded through the vector,
//! so rooting and unrooting are O(1) and the vector never shrinks. Like the
//! LIFO vector, an occupied slot carries the generation of the root that
//! filled it; a [`ManualRoot`] is valid while its slot holds its generation.

use crate::error::TableId;

/// A root with an arbitrary lifetime: a slot in a table's slab, held until
/// [`RootTable::unroot`](crate::RootTable::unroot) releases it (Wasmtime's
/// `ManuallyRooted`, which Wasmtime replaced in 2025 with the
/// [`OwnedRoot`](crate::OwnedRoot) design; kept here as the measured
/// variant without a liveness flag).
///
/// Dropping it without unrooting keeps the slot (and so the object it
/// roots) alive for the table's lifetime:
/// [`RootTable::manual_len`](crate::RootTable::manual_len) still counts it.
/// 16 bytes, `Send + Sync`, neither `Copy` nor `Clone`: exactly one owner
/// may unroot it.
#[derive(PartialEq, Eq, Hash, Debug)]
#[must_use = "dropping a ManualRoot without unrooting it leaks the slot until the table is dropped"]
pub struct ManualRoot {
    pub(crate) table: TableId,
    pub(crate) index: u32,
    pub(crate) generation: u64,
}

impl ManualRoot {
    /// The table that issued this root.
    pub fn table(&self) -> TableId {
        self.table
    }
}

const NO_SLOT: u32 = u32::MAX;

#[derive(Clone, Copy)]
enum Slot<T> {
    Occupied { value: T, generation: u64 },
    Vacant { next_free: u32 },
}

/// Plain data, like [`Lifo`](crate::lifo::Lifo).
pub(crate) struct Slab<T> {
    slots: Vec<Slot<T>>,
    free: u32,
    occupied: usize,
}

impl<T: Copy> Slab<T> {
    pub(crate) const fn new() -> Self {
        Slab {
            slots: Vec::new(),
            free: NO_SLOT,
            occupied: 0,
        }
    }

    pub(crate) fn occupied(&self) -> usize {
        self.occupied
    }

    /// Stores `value` in a free slot and returns its index.
    ///
    /// Panics if the slab already has `u32::MAX - 1` slots.
    pub(crate) fn insert(&mut self, value: T, generation: u64) -> u32 {
        let index = if self.free != NO_SLOT {
            let index = self.free;
            match self.slots[index as usize] {
                Slot::Vacant { next_free } => self.free = next_free,
                Slot::Occupied { .. } => unreachable!("the free list only links vacant slots"),
            }
            self.slots[index as usize] = Slot::Occupied { value, generation };
            index
        } else {
            let index = u32::try_from(self.slots.len())
                .ok()
                .filter(|&i| i < NO_SLOT)
                .expect("gcroots-indexed: more than u32::MAX - 1 manual roots alive in one table");
            self.slots.push(Slot::Occupied { value, generation });
            index
        };
        self.occupied += 1;
        index
    }

    pub(crate) fn get(&self, index: u32, generation: u64) -> Option<T> {
        match self.slots.get(index as usize) {
            Some(&Slot::Occupied {
                value,
                generation: g,
            }) if g == generation => Some(value),
            _ => None,
        }
    }

    pub(crate) fn set(&mut self, index: u32, generation: u64, value: T) -> bool {
        match self.slots.get_mut(index as usize) {
            Some(Slot::Occupied {
                value: v,
                generation: g,
            }) if *g == generation => {
                *v = value;
                true
            }
            _ => false,
        }
    }

    pub(crate) fn remove(&mut self, index: u32, generation: u64) -> Option<T> {
        let value = self.get(index, generation)?;
        self.slots[index as usize] = Slot::Vacant {
            next_free: self.free,
        };
        self.free = index;
        self.occupied -= 1;
        Some(value)
    }

    pub(crate) fn for_each_mut(&mut self, mut f: impl FnMut(&mut T)) {
        for slot in &mut self.slots {
            if let Slot::Occupied { value, .. } = slot {
                f(value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_list_reuses_slots_in_lifo_order() {
        let mut s = Slab::new();
        let a = s.insert(1u64, 1);
        let b = s.insert(2u64, 2);
        let c = s.insert(3u64, 3);
        assert_eq!(s.remove(b, 2), Some(2));
        assert_eq!(
            s.remove(b, 2),
            None,
            "a second remove finds the slot vacant"
        );
        assert_eq!(s.remove(a, 1), Some(1));
        assert_eq!(s.occupied(), 1);
        assert_eq!(s.insert(4, 4), a);
        assert_eq!(s.insert(5, 5), b);
        assert_eq!(s.get(b, 2), None, "old generation");
        assert_eq!(s.get(b, 5), Some(5));
        assert!(s.set(c, 3, 33));
        let mut seen = Vec::new();
        s.for_each_mut(|v| seen.push(*v));
        assert_eq!(seen, [4, 5, 33]);
    }
}
