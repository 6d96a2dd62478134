//! The byte layout of an [`OwnedRoot`] and of its slot's liveness cell,
//! for foreign code that clones and drops owned roots itself: the C API's
//! inline functions (`gcroots.h`), which count a clone in and out with one
//! atomic compare-and-swap each, as [`OwnedRoot`]'s `Clone` and `Drop` do,
//! without a call.
//!
//! An owned root is three words:
//!
//! ```text
//! CELL        the address of the slot's liveness cell (a u64, atomic)
//! table       its table's id (u32) and the slot index (u32): for reads,
//!             which go through the table
//! GENERATION  the occupancy's generation (u32), then padding
//! ```
//!
//! A cell holds `generation << CELL_GENERATION_SHIFT | count`, the count
//! in the low [`CELL_COUNT_MASK`] bits. Cells are never freed, so reading
//! one through any handle, however stale, is safe.
//!
//! - **Clone** (count one more): while the cell's generation is the
//!   handle's and its count is neither 0 (the occupancy ended: the handle
//!   is stale) nor [`CELL_COUNT_MASK`] (the count is full), swap in the
//!   state plus one (relaxed); otherwise do not clone here (the library
//!   says why).
//! - **Drop** (count one less): while the generation is the handle's and
//!   the count is not 0, swap in the state minus one, or, if the count was
//!   1, `(generation + 1) << CELL_GENERATION_SHIFT` (the occupancy ends,
//!   count 0), with release ordering (the table reclaims the slot with
//!   acquire). A handle whose occupancy ended does nothing.
//!
//! Any other change to a cell is the table's.

use core::mem::{offset_of, size_of};

use crate::OwnedRoot;
use crate::owned::{Cell, Handle};

/// An owned root's size.
pub const OWNED_SIZE: usize = size_of::<OwnedRoot>();
/// The offset of its CELL word.
pub const OWNED_CELL: usize = offset_of!(Handle, cell);
/// The offset of its GENERATION (a u32).
pub const OWNED_GENERATION: usize = offset_of!(Handle, generation);
/// Where a cell's generation starts.
pub const CELL_GENERATION_SHIFT: u32 = 32;
/// A cell's count mask.
pub const CELL_COUNT_MASK: u64 = u32::MAX as u64;

const _: () = {
    assert!(OWNED_SIZE == 24);
    assert!(OWNED_CELL == 0);
    assert!(OWNED_GENERATION == 16);
    assert!(size_of::<Cell>() == 8);
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RootTable;

    /// The cell a handle names, through its CELL word, and its state.
    fn state(root: &OwnedRoot) -> u64 {
        // SAFETY: OWNED_CELL is the offset of the handle's cell reference,
        // a pointer-sized, aligned field (asserted above), read as the
        // pointer it is; the cell is an `AtomicU64` that is never freed.
        unsafe {
            let cell = core::ptr::from_ref(root)
                .cast::<u8>()
                .add(OWNED_CELL)
                .cast::<*const core::sync::atomic::AtomicU64>()
                .read();
            (*cell).load(core::sync::atomic::Ordering::Relaxed)
        }
    }

    fn generation(root: &OwnedRoot) -> u32 {
        // SAFETY: OWNED_GENERATION is the offset of the handle's u32
        // generation (asserted above).
        unsafe {
            core::ptr::from_ref(root)
                .cast::<u8>()
                .add(OWNED_GENERATION)
                .cast::<u32>()
                .read()
        }
    }

    #[test]
    fn the_cell_counts_clones_as_the_layout_says() {
        let table = RootTable::<usize>::new();
        let a = table.root_owned(0x1000);
        let g = generation(&a);
        assert_eq!(state(&a), u64::from(g) << CELL_GENERATION_SHIFT | 1);
        let b = a.clone();
        assert_eq!(state(&a) & CELL_COUNT_MASK, 2);
        drop(b);
        assert_eq!(state(&a) & CELL_COUNT_MASK, 1);
        // A copy of the handle's bytes, which the count does not know (as
        // C makes one).
        // SAFETY: a bitwise duplicate of a handle is a stale handle once
        // its twin is dropped, whose drop does nothing (owned.rs).
        let twin = unsafe { core::ptr::read(&a) };
        drop(a);
        // The last drop ended the occupancy: count 0, next generation.
        assert_eq!(state(&twin), u64::from(g + 1) << CELL_GENERATION_SHIFT);
        drop(twin);
    }
}
