//! Owned roots: roots with arbitrary lifetimes that unroot themselves when
//! dropped, without access to their table (Wasmtime's `OwnedRooted`, which
//! replaced `ManuallyRooted` in 2025).
//!
//! # How a drop reaches the table without touching it
//!
//! Each slot of an [`OwnedSlab`] holds a value and a *liveness flag*, an
//! `Arc<()>`; every handle to the slot holds a clone of it. Dropping a
//! handle only decrements the count, on whatever thread it is; the slot is
//! dead when the table's own clone is the last one. The table notices
//! lazily, by *trimming*:
//!
//! - **before every collection**, fully ([`OwnedSlab::trim`]), so a
//!   collection never traces a dropped root;
//! - **when a root is created and no slot is free**, if the slab has
//!   reached its *high-water mark*; after a trim the mark is set to twice
//!   the number of live roots (at least 8). Wasmtime proves this amortised
//!   O(1) per created root while keeping the slab O(peak live roots) in
//!   size: each root alive after a trim pays for its next scan with a
//!   creation.
//!
//! Unlike Wasmtime, which allocates a fresh `Arc` for every root, a slot
//! keeps its flag for good: when a slot is reused, its flag is cloned
//! again. A root then costs two atomic operations and no allocation after
//! the slot's first use. No stale handle can see the reuse: a slot is only
//! freed when no handle to it is left.

use std::sync::Arc;

use crate::error::{HandleError, TableId};

/// A slot: a value and the flag its handles share.
struct Slot<V> {
    value: V,
    flag: Arc<()>,
    /// Whether a handle holds (or held, until the next trim) the slot.
    occupied: bool,
}

/// Slots for owned roots of values `V` (a value, or a vector of values).
///
/// Invariants: `free` lists exactly the vacant slots; a slot is vacated
/// only when its flag's count is 1 (the slot's own clone), so every handle
/// names an occupied slot holding the handle's flag.
pub(crate) struct OwnedSlab<V> {
    slots: Vec<Slot<V>>,
    free: Vec<u32>,
    /// Trim before growing past this many slots.
    high_water: usize,
}

/// The smallest high-water mark.
const MIN_HIGH_WATER: usize = 8;

impl<V> OwnedSlab<V> {
    pub(crate) const fn new() -> Self {
        OwnedSlab {
            slots: Vec::new(),
            free: Vec::new(),
            high_water: MIN_HIGH_WATER,
        }
    }

    /// Puts `value` in a slot and returns the slot's index and a clone of
    /// its flag for the handle.
    ///
    /// Panics if the slab already has `u32::MAX` slots.
    #[inline]
    pub(crate) fn insert(&mut self, value: V) -> (u32, Arc<()>) {
        if self.free.is_empty() && self.slots.len() >= self.high_water {
            self.trim();
        }
        let index = match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                slot.value = value;
                slot.occupied = true;
                index
            }
            None => {
                let index = u32::try_from(self.slots.len())
                    .expect("gcroots-indexed: more than u32::MAX owned roots alive in one table");
                self.slots.push(Slot {
                    value,
                    flag: Arc::new(()),
                    occupied: true,
                });
                index
            }
        };
        (index, Arc::clone(&self.slots[index as usize].flag))
    }

    /// The slot `index`, if a handle holding `flag` may use it.
    #[inline]
    fn slot(&self, index: u32, flag: &Arc<()>) -> Option<&Slot<V>> {
        self.slots
            .get(index as usize)
            .filter(|s| s.occupied && Arc::ptr_eq(&s.flag, flag))
    }

    /// The value of the slot a handle names, by reference.
    #[inline]
    pub(crate) fn get(&self, index: u32, flag: &Arc<()>) -> Option<&V> {
        self.slot(index, flag).map(|s| &s.value)
    }

    /// The value of the slot a handle names, mutably.
    #[inline]
    pub(crate) fn get_mut(&mut self, index: u32, flag: &Arc<()>) -> Option<&mut V> {
        self.slots
            .get_mut(index as usize)
            .filter(|s| s.occupied && Arc::ptr_eq(&s.flag, flag))
            .map(|s| &mut s.value)
    }

    /// Drops a handle's flag, and frees its slot at once if that was the
    /// last handle: the eager release.
    pub(crate) fn release(&mut self, index: u32, flag: Arc<()>) {
        drop(flag);
        if let Some(slot) = self.slots.get_mut(index as usize) {
            if slot.occupied && Arc::strong_count(&slot.flag) == 1 {
                slot.occupied = false;
                self.free.push(index);
            }
        }
    }

    /// Frees every slot no handle holds any more, and sets the high-water
    /// mark to twice the live slots left (at least 8). O(slots).
    pub(crate) fn trim(&mut self) {
        let mut live = 0;
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if !slot.occupied {
                continue;
            }
            // The table's clone is the last: no handle is left, and none can
            // appear (only a handle can be cloned), so the count cannot rise
            // again under our feet.
            if Arc::strong_count(&slot.flag) == 1 {
                slot.occupied = false;
                self.free.push(i as u32);
            } else {
                live += 1;
            }
        }
        self.high_water = (2 * live).max(MIN_HIGH_WATER);
    }

    /// How many slots a handle still holds (counts, does not free).
    pub(crate) fn live(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.occupied && Arc::strong_count(&s.flag) > 1)
            .count()
    }

    /// Calls `f` on the value of every occupied slot. Call after
    /// [`trim`](Self::trim) to skip the dropped ones.
    pub(crate) fn for_each_mut(&mut self, mut f: impl FnMut(&mut V)) {
        for slot in &mut self.slots {
            if slot.occupied {
                f(&mut slot.value);
            }
        }
    }
}

/// A root with an arbitrary lifetime that unroots itself when the last
/// clone of it is dropped, on any thread, without access to its table
/// (Wasmtime's `OwnedRooted`). The table reclaims its slot at its next trim
/// (before every collection, and amortised when roots are created), or at
/// once with [`RootTable::release`](crate::RootTable::release).
///
/// 16 bytes: the slot's liveness flag (an `Arc<()>`), the table id and the
/// slot index. `Clone` (another handle to the same slot: both must be
/// dropped before the value is unrooted), `Send + Sync`. Forgetting a
/// handle (`mem::forget`) keeps its slot, and its value rooted, until the
/// table is dropped; [`RootTable::owned_len`](crate::RootTable::owned_len)
/// counts it.
#[derive(Clone, Debug)]
pub struct OwnedRoot {
    pub(crate) flag: Arc<()>,
    pub(crate) table: TableId,
    pub(crate) index: u32,
}

impl OwnedRoot {
    /// The table that issued this root.
    pub fn table(&self) -> TableId {
        self.table
    }
}

/// A vector root with an arbitrary lifetime: as [`OwnedRoot`], for a
/// vector of values. Its operations are the table's `vec_*` methods.
#[derive(Clone, Debug)]
pub struct OwnedVec {
    pub(crate) flag: Arc<()>,
    pub(crate) table: TableId,
    pub(crate) index: u32,
}

impl OwnedVec {
    /// The table that issued this root.
    pub fn table(&self) -> TableId {
        self.table
    }
}

/// Why a handle whose table id matched names no live slot: it cannot
/// happen (a handle keeps its slot), so it is reported as stale rather than
/// trusted.
pub(crate) fn stale(index: u32) -> HandleError {
    HandleError::Stale {
        index,
        generation: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_handle_frees_its_slot_at_the_next_trim_and_the_slot_is_reused() {
        let mut s = OwnedSlab::new();
        let (a, fa) = s.insert(1u64);
        let (b, fb) = s.insert(2u64);
        assert_eq!(s.live(), 2);
        drop(fa);
        assert_eq!(s.live(), 1, "counted as dead before it is trimmed");
        s.trim();
        let (c, fc) = s.insert(3);
        assert_eq!(c, a, "the freed slot is reused");
        assert_eq!(s.get(c, &fc), Some(&3));
        assert_eq!(s.get(b, &fb), Some(&2));
        s.release(b, fb);
        assert_eq!(s.live(), 1, "released eagerly");
    }

    #[test]
    fn a_handle_of_another_slot_is_refused() {
        let mut s = OwnedSlab::new();
        let (a, _fa) = s.insert(1u64);
        let (_b, fb) = s.insert(2u64);
        assert_eq!(s.get(a, &fb), None);
    }

    #[test]
    fn creating_and_dropping_one_root_forever_keeps_the_slab_small() {
        let mut s = OwnedSlab::new();
        let (_keep, _fk) = s.insert(0u64);
        for i in 0..10_000u64 {
            let (_, f) = s.insert(i);
            drop(f);
        }
        assert!(s.slots.len() <= MIN_HIGH_WATER, "{} slots", s.slots.len());
    }
}
