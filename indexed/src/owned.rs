//! Owned roots: roots with arbitrary lifetimes that unroot themselves when
//! dropped, without access to their table (Wasmtime's `OwnedRooted`, which
//! replaced `ManuallyRooted` in 2025).
//!
//! # How a drop reaches the table without touching it
//!
//! Each slot of an [`OwnedSlab`] has a *liveness cell*, one atomic word:
//! a generation in its high half and the number of live handles in its low
//! half. A handle carries the cell's address and the generation it was
//! issued with. Cloning a handle adds one to the count and dropping one
//! takes one away, each a compare-and-swap that first checks the
//! generation, on whatever thread. The drop that takes the count to zero
//! also advances the generation, in the same swap: from then on every
//! handle of that occupancy is stale, whatever else it does. The table
//! notices lazily, by *trimming*:
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
//! # Why a generation, and why cells are never freed
//!
//! Safe Rust cannot duplicate a handle without counting it, but C can: a
//! `memcpy` of a handle is a second handle the count does not know. With a
//! shared count alone (an `Arc`, as this crate had and Wasmtime has), two
//! drops of such twins free what is still in use. Here the second drop
//! finds the generation moved on and does nothing, and a read through
//! either twin after the first drop is [`HandleError::Stale`], because
//! reads compare the handle's generation with the cell's. That needs the
//! cell to outlive every handle, which may outlive its table: cells are
//! never freed. A dropped table retires its cells (advancing each one's
//! generation, so its handles are stale) into a process-wide pool that new
//! tables take from; a cell whose generation would wrap is left out of the
//! pool for good, so no generation is ever reused. The cost is eight bytes
//! per slot ever created, kept for the process's life, and reused.

use core::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::error::{HandleError, TableId};

/// The liveness cell of a slot: `generation << 32 | count`. Immortal
/// (`&'static`), see the module documentation.
#[derive(Debug)]
#[repr(transparent)]
pub(crate) struct Cell(AtomicU64);

const COUNT: u64 = crate::layout::CELL_COUNT_MASK;

fn generation_of(state: u64) -> u32 {
    (state >> crate::layout::CELL_GENERATION_SHIFT) as u32
}

impl Cell {
    /// A cell from the pool, or a new one. Its count is zero.
    #[cold]
    fn take() -> &'static Cell {
        let pooled = POOL.lock().unwrap_or_else(|e| e.into_inner()).pop();
        pooled.unwrap_or_else(|| Box::leak(Box::new(Cell(AtomicU64::new(0)))))
    }

    /// Ends the current occupancy (every handle of it becomes stale) and
    /// gives the cell back to the pool, unless its generation is spent.
    fn retire(&'static self) {
        // Only this slot's table may start an occupancy; handles can only
        // lower the count or end it, so a swap that fails saw one of them.
        let mut state = self.0.load(Ordering::Relaxed);
        loop {
            if state & COUNT == 0 {
                // Already ended: the generation moved on when the count
                // reached zero.
                break;
            }
            // An occupancy never has the last generation (`start`).
            let next = u64::from(generation_of(state) + 1) << crate::layout::CELL_GENERATION_SHIFT;
            match self
                .0
                .compare_exchange_weak(state, next, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => break,
                Err(now) => state = now,
            }
        }
        if !self.is_spent() {
            POOL.lock().unwrap_or_else(|e| e.into_inner()).push(self);
        }
    }

    /// Whether the cell can start no more occupancies: its generation is
    /// the last, which no handle may carry (so no generation is reused).
    #[inline]
    fn is_spent(&self) -> bool {
        generation_of(self.0.load(Ordering::Relaxed)) == u32::MAX
    }

    /// Starts an occupancy with one handle, and returns its generation.
    /// Only while the count is zero (a vacant slot) and the cell is not
    /// spent.
    #[inline]
    fn start(&self) -> u32 {
        let generation = generation_of(self.0.load(Ordering::Relaxed));
        debug_assert!(generation != u32::MAX, "a spent cell");
        // No handle of this generation exists yet, and every older handle
        // fails its swap on the generation: a store is enough.
        self.0.store(
            u64::from(generation) << crate::layout::CELL_GENERATION_SHIFT | 1,
            Ordering::Release,
        );
        generation
    }

    /// Whether an occupancy of `generation` is still live (a handle of it
    /// has not been dropped as the last one).
    #[inline]
    pub(crate) fn is_live(&self, generation: u32) -> bool {
        let state = self.0.load(Ordering::Acquire);
        generation_of(state) == generation && state & COUNT != 0
    }

    /// Counts one more handle of `generation`; false (and nothing counted)
    /// if that occupancy has ended.
    #[inline]
    pub(crate) fn acquire(&self, generation: u32) -> bool {
        let mut state = self.0.load(Ordering::Relaxed);
        loop {
            if generation_of(state) != generation || state & COUNT == 0 {
                return false;
            }
            assert!(
                state & COUNT != COUNT,
                "gcroots-indexed: more than u32::MAX clones of one owned root"
            );
            match self.0.compare_exchange_weak(
                state,
                state + 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => state = now,
            }
        }
    }

    /// Counts one handle of `generation` less: `Some(true)` if it was the
    /// last (the occupancy ended), `Some(false)` if others are left, `None`
    /// if the occupancy had already ended (a handle duplicated without
    /// being counted, by C; nothing changes).
    #[inline]
    pub(crate) fn release(&self, generation: u32) -> Option<bool> {
        let mut state = self.0.load(Ordering::Relaxed);
        loop {
            if generation_of(state) != generation || state & COUNT == 0 {
                return None;
            }
            let last = state & COUNT == 1;
            let next = if last {
                // Below the last generation (`start`): no wrap.
                u64::from(generation + 1) << crate::layout::CELL_GENERATION_SHIFT
            } else {
                state - 1
            };
            // Release: the last drop publishes the handles' use of the slot
            // before the table (trimming, with Acquire) may reuse it.
            match self
                .0
                .compare_exchange_weak(state, next, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => return Some(last),
                Err(now) => state = now,
            }
        }
    }
}

/// Cells of dropped tables, for new tables to take.
static POOL: Mutex<Vec<&'static Cell>> = Mutex::new(Vec::new());

/// A slot: a value and the cell its handles count in.
struct Slot<V> {
    value: V,
    cell: &'static Cell,
    /// The generation of the slot's current (or last) occupancy.
    generation: u32,
    /// Whether a handle holds (or held, until the next trim) the slot.
    occupied: bool,
}

impl<V> Slot<V> {
    /// Whether a handle of `cell` and `generation` was issued for this
    /// slot's current (or last, until the next trim) occupancy.
    #[inline]
    fn issued(&self, cell: &'static Cell, generation: u32) -> bool {
        self.occupied && self.generation == generation && core::ptr::eq(self.cell, cell)
    }

    /// Whether such a handle names this slot's live occupancy.
    #[inline]
    fn names(&self, cell: &'static Cell, generation: u32) -> bool {
        self.issued(cell, generation) && cell.is_live(generation)
    }
}

/// Slots for owned roots of values `V` (a value, or a vector of values).
///
/// Invariants: `free` lists exactly the vacant slots; a slot is vacated
/// only when its occupancy has ended (its cell's generation moved past the
/// slot's), so a handle that names an occupied slot with its generation
/// names the value it was issued for.
pub(crate) struct OwnedSlab<V> {
    slots: Vec<Slot<V>>,
    free: Vec<u32>,
    /// Trim before growing past this many slots.
    high_water: usize,
}

/// The smallest high-water mark.
const MIN_HIGH_WATER: usize = 8;

/// What a new handle carries: its slot, its cell and its generation.
pub(crate) type Issued = (u32, &'static Cell, u32);

impl<V> OwnedSlab<V> {
    pub(crate) const fn new() -> Self {
        OwnedSlab {
            slots: Vec::new(),
            free: Vec::new(),
            high_water: MIN_HIGH_WATER,
        }
    }

    /// Puts `value` in a slot, counted once, and returns what the handle
    /// carries. The common case (a free slot) is small enough to inline,
    /// so that what it returns stays in registers: returned through memory,
    /// its two `u32`s were read back as one word, a store-forwarding stall
    /// that doubled the cost of an owned root.
    ///
    /// Panics if the slab already has `u32::MAX` slots.
    #[inline(always)]
    pub(crate) fn insert(&mut self, value: V) -> Issued {
        let index = match self.free.pop() {
            Some(index) => {
                self.slots[index as usize].value = value;
                index
            }
            None => self.place_slow(value),
        };
        self.occupy(index)
    }

    /// Puts `value` in a vacant slot when none is free, for
    /// [`insert`](Self::insert): one a trim frees if the slab reached its
    /// high-water mark, else (or if nothing was freed) a new one.
    #[cold]
    #[inline(never)]
    fn place_slow(&mut self, value: V) -> u32 {
        if self.slots.len() >= self.high_water {
            self.trim();
            if let Some(index) = self.free.pop() {
                self.slots[index as usize].value = value;
                return index;
            }
        }
        let index = u32::try_from(self.slots.len())
            .expect("gcroots-indexed: more than u32::MAX owned roots alive in one table");
        self.slots.push(Slot {
            value,
            cell: Cell::take(),
            generation: 0,
            occupied: false,
        });
        index
    }

    /// Starts an occupancy of the vacant slot `index`.
    #[inline(always)]
    fn occupy(&mut self, index: u32) -> Issued {
        let slot = &mut self.slots[index as usize];
        if slot.cell.is_spent() {
            // 2^32 occupancies of this slot: a fresh cell, so that no
            // generation is ever reused (the spent one stays allocated,
            // for the stale handles that may still name it).
            slot.cell = Cell::take();
        }
        slot.generation = slot.cell.start();
        slot.occupied = true;
        (index, slot.cell, slot.generation)
    }

    /// The value of the slot a handle names, by reference.
    #[inline]
    pub(crate) fn get(&self, index: u32, cell: &'static Cell, generation: u32) -> Option<&V> {
        self.slots
            .get(index as usize)
            .filter(|s| s.names(cell, generation))
            .map(|s| &s.value)
    }

    /// The value of the slot a handle names, mutably.
    #[inline]
    pub(crate) fn get_mut(
        &mut self,
        index: u32,
        cell: &'static Cell,
        generation: u32,
    ) -> Option<&mut V> {
        self.slots
            .get_mut(index as usize)
            .filter(|s| s.names(cell, generation))
            .map(|s| &mut s.value)
    }

    /// Counts a handle out (the handle is gone), and frees its slot at once
    /// if that was the last handle: the eager release. `None` if its
    /// occupancy had already ended (the handle was a duplicate).
    pub(crate) fn release(
        &mut self,
        index: u32,
        cell: &'static Cell,
        generation: u32,
    ) -> Option<()> {
        let last = cell.release(generation)?;
        if let Some(slot) = self.slots.get_mut(index as usize) {
            if last && slot.issued(cell, generation) {
                slot.occupied = false;
                self.free.push(index);
            }
        }
        Some(())
    }

    /// Frees every slot whose occupancy ended, and sets the high-water mark
    /// to twice the live slots left (at least 8). O(slots).
    pub(crate) fn trim(&mut self) {
        let mut live = 0;
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if !slot.occupied {
                continue;
            }
            // An ended occupancy cannot start again but through `insert`.
            if slot.cell.is_live(slot.generation) {
                live += 1;
            } else {
                slot.occupied = false;
                self.free.push(i as u32);
            }
        }
        self.high_water = (2 * live).max(MIN_HIGH_WATER);
    }

    /// How many slots a handle still holds (counts, does not free).
    pub(crate) fn live(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.occupied && s.cell.is_live(s.generation))
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

impl<V> Drop for OwnedSlab<V> {
    /// Retires every cell: the handles still out become stale.
    fn drop(&mut self) {
        for slot in &self.slots {
            slot.cell.retire();
        }
    }
}

/// What an owned handle is: its table, slot, cell and generation. (Public
/// only to the sealed vector-handle trait; not nameable outside the crate.)
#[derive(Debug)]
#[repr(C)]
pub struct Handle {
    pub(crate) cell: &'static Cell,
    pub(crate) table: TableId,
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

impl Handle {
    #[inline]
    fn issue(table: TableId, (index, cell, generation): Issued) -> Handle {
        Handle {
            cell,
            table,
            index,
            generation,
        }
    }
}

impl Clone for Handle {
    /// Another counted handle to the same slot; a handle whose occupancy
    /// ended (possible only for a duplicate made by C) gives another stale
    /// one.
    #[inline]
    fn clone(&self) -> Handle {
        self.cell.acquire(self.generation);
        Handle { ..*self }
    }
}

impl Drop for Handle {
    #[inline]
    fn drop(&mut self) {
        self.cell.release(self.generation);
    }
}

/// A root with an arbitrary lifetime that unroots itself when the last
/// clone of it is dropped, on any thread, without access to its table
/// (Wasmtime's `OwnedRooted`). The table reclaims its slot at its next trim
/// (before every collection, and amortised when roots are created), or at
/// once with [`RootTable::release`](crate::RootTable::release).
///
/// 24 bytes: the address of the slot's liveness cell, the generation it was
/// issued with, the table id and the slot index. `Clone` (another handle to
/// the same slot: both must be dropped before the value is unrooted),
/// `Send + Sync`. Forgetting a handle (`mem::forget`) keeps its slot, and
/// its value rooted, until the table is dropped;
/// [`RootTable::owned_len`](crate::RootTable::owned_len) counts it. A copy
/// of its bytes (which only C or `unsafe` code can make) is not counted:
/// after either twin is dropped, the other reads as
/// [`HandleError::Stale`] and its drop does nothing.
#[derive(Clone, Debug)]
#[repr(transparent)]
pub struct OwnedRoot(pub(crate) Handle);

impl OwnedRoot {
    #[inline]
    pub(crate) fn issue(table: TableId, issued: Issued) -> OwnedRoot {
        OwnedRoot(Handle::issue(table, issued))
    }

    /// The table that issued this root.
    pub fn table(&self) -> TableId {
        self.0.table
    }

    /// Whether this handle's root is still rooted: false only for a copy
    /// of a handle's bytes whose twin was dropped (which safe Rust cannot
    /// make). Needs no table.
    #[inline]
    pub fn is_live(&self) -> bool {
        self.0.cell.is_live(self.0.generation)
    }
}

/// A vector root with an arbitrary lifetime: as [`OwnedRoot`], for a
/// vector of values. Its operations are the table's `vec_*` methods.
#[derive(Clone, Debug)]
pub struct OwnedVec(pub(crate) Handle);

impl OwnedVec {
    #[inline]
    pub(crate) fn issue(table: TableId, issued: Issued) -> OwnedVec {
        OwnedVec(Handle::issue(table, issued))
    }

    /// The table that issued this root.
    pub fn table(&self) -> TableId {
        self.0.table
    }
}

/// A root that does not keep its value alive: the table's collector
/// rewrites its value when the object moves and clears it (`None`) once a
/// collection found the object unreachable
/// ([`RootTable::sweep_weak`](crate::RootTable::sweep_weak)). Otherwise an
/// [`OwnedRoot`]: 24 bytes, `Clone` (clones share the slot), `Send +
/// Sync`, dropped on any thread without its table, its slot reclaimed at
/// the next trim; a forgotten handle keeps its slot (counted by
/// [`RootTable::weak_len`](crate::RootTable::weak_len)) but never its
/// value.
#[derive(Clone, Debug)]
#[repr(transparent)]
pub struct WeakRoot(pub(crate) Handle);

impl WeakRoot {
    #[inline]
    pub(crate) fn issue(table: TableId, issued: Issued) -> WeakRoot {
        WeakRoot(Handle::issue(table, issued))
    }

    /// The table that issued this root.
    pub fn table(&self) -> TableId {
        self.0.table
    }
}

/// Why a handle whose table id matched names no live slot: its occupancy
/// ended (a duplicate made by C, dropped through its twin).
pub(crate) fn stale(handle: &Handle) -> HandleError {
    HandleError::Unrooted {
        index: handle.index,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handle(issued: Issued) -> Handle {
        Handle::issue(TableId::fresh(), issued)
    }

    #[test]
    fn a_dropped_handle_frees_its_slot_at_the_next_trim_and_the_slot_is_reused() {
        let mut s = OwnedSlab::new();
        let a = handle(s.insert(1u64));
        let b = handle(s.insert(2u64));
        assert_eq!(s.live(), 2);
        let a_index = a.index;
        drop(a);
        assert_eq!(s.live(), 1, "counted as dead before it is trimmed");
        s.trim();
        let c = handle(s.insert(3));
        assert_eq!(c.index, a_index, "the freed slot is reused");
        assert_eq!(s.get(c.index, c.cell, c.generation), Some(&3));
        assert_eq!(s.get(b.index, b.cell, b.generation), Some(&2));
        let b = core::mem::ManuallyDrop::new(b);
        assert_eq!(s.release(b.index, b.cell, b.generation), Some(()));
        assert_eq!(s.live(), 1, "released eagerly");
    }

    #[test]
    fn a_handle_of_another_slot_is_refused() {
        let mut s = OwnedSlab::new();
        let a = handle(s.insert(1u64));
        let b = handle(s.insert(2u64));
        assert_eq!(s.get(a.index, b.cell, b.generation), None);
        assert_eq!(s.get(a.index, a.cell, a.generation.wrapping_add(1)), None);
    }

    #[test]
    fn a_duplicate_is_stale_once_its_twin_is_dropped_and_its_drop_does_nothing() {
        let mut s = OwnedSlab::new();
        let a = handle(s.insert(1u64));
        let keep = handle(s.insert(2u64));
        // A duplicate the count does not know (what a C `memcpy` makes).
        let twin = Handle { ..a };
        let (index, cell, generation) = (a.index, a.cell, a.generation);
        drop(a);
        assert_eq!(
            s.get(index, cell, generation),
            None,
            "stale before any trim"
        );
        assert!(
            !cell.acquire(generation),
            "a stale handle cannot be counted again"
        );
        drop(twin); // not a second release
        s.trim();
        let c = handle(s.insert(3));
        assert_eq!(c.index, index);
        assert_ne!(c.generation, generation);
        assert_eq!(s.get(index, cell, generation), None);
        assert_eq!(s.get(c.index, c.cell, c.generation), Some(&3));
        assert_eq!(s.get(keep.index, keep.cell, keep.generation), Some(&2));
        assert_eq!(s.live(), 2);
    }

    #[test]
    fn handles_outliving_their_slab_are_stale_and_its_cells_are_reused() {
        let mut s = OwnedSlab::new();
        let a = handle(s.insert(1u64));
        let clone = a.clone();
        let (cell, generation) = (a.cell, a.generation);
        drop(s);
        assert!(!cell.is_live(generation));
        drop(a);
        drop(clone);
        let mut t = OwnedSlab::new();
        let b = handle(t.insert(2u64));
        // The pool is process-wide and tests run in parallel: whichever
        // cell `t` got, it is live at its own generation only.
        assert!(b.cell.is_live(b.generation));
        assert!(!cell.is_live(generation));
    }

    #[test]
    fn creating_and_dropping_one_root_forever_keeps_the_slab_small() {
        let mut s = OwnedSlab::new();
        let _keep = handle(s.insert(0u64));
        for i in 0..10_000u64 {
            drop(handle(s.insert(i)));
        }
        assert!(s.slots.len() <= MIN_HIGH_WATER, "{} slots", s.slots.len());
    }
}
