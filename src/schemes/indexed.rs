//! The indexed scheme's bindings: scoped roots and vectors in the LIFOs,
//! long-lived roots and vectors as owned roots, all in a [`RootTable`]
//! that the heap owns. Nothing lives outside the heap: the anchor is empty.
//!
//! The operations on long-lived roots are functions of the table
//! ([`table`](super::table)), shared with the hybrid scheme.

use core::pin::Pin;

use gcroots_indexed::{Mark, OwnedRoot, OwnedVec, RootTable, ScopedRoot, ScopedVec, VecRef};

use super::table;
use crate::error::RootError;
use crate::object::Gc;
use crate::scheme::sealed::{Anchor, Bindings};
use crate::scheme::{RootSetMut, RootSetRef, Scheme};

/// The Wasmtime-style scheme: roots are checked indices into a table owned
/// by the heap.
///
/// A [`Local`](crate::Local) is a 16-byte `Copy + Send + Sync` handle, valid
/// until the innermost [`Scope`](crate::Scope) at its creation exits (or
/// the heap is dropped); using it afterwards is a [`RootError::Stale`]. A
/// [`Persistent`](crate::Persistent) is an owned root (Wasmtime's
/// `OwnedRooted`): 16 bytes, `Clone + Send + Sync`, unrooted when its last
/// clone is dropped, on any thread; the table reclaims it before the next
/// collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Indexed {}

impl Scheme for Indexed {
    const NAME: &'static str = "indexed";
}

/// The indexed scheme keeps nothing outside the heap.
impl Anchor for () {
    fn claim(&self) -> bool {
        // Each heap owns its own table; there is nothing to share.
        true
    }

    #[inline(always)]
    fn same(&self, _other: &()) -> bool {
        // Roots go into the table of the heap the value came from, and carry
        // its id: a mismatch is caught when the handle is used.
        true
    }
}

type Set<'h, 'r> = RootSetRef<'h, 'r, Indexed>;

impl Bindings for Indexed {
    type Anchor = ();
    type Table = RootTable<Gc>;
    type SlotRepr<'r> = ();
    type LocalRepr = ScopedRoot;
    type PersistentRepr<'r> = OwnedRoot;
    type VecSlotRepr<'r> = ();
    type LocalVecRepr = ScopedVec;
    type PersistentVecRepr<'r> = OwnedVec;
    type VecRef<'a> = VecRef<'a>;
    type Mark = Mark;

    fn new_table() -> RootTable<Gc> {
        RootTable::new()
    }

    #[inline(always)]
    unsafe fn root<'s, 'r: 's>(set: Set<'_, 'r>, _: Pin<&'s mut ()>, gc: Gc) -> ScopedRoot {
        set.table.root(gc)
    }

    #[inline(always)]
    unsafe fn load(set: Set<'_, '_>, root: &ScopedRoot) -> Result<Gc, RootError> {
        Ok(set.table.get(*root)?)
    }

    #[inline(always)]
    unsafe fn store(set: Set<'_, '_>, root: &ScopedRoot, gc: Gc) -> Result<(), RootError> {
        Ok(set.table.set(*root, gc)?)
    }

    #[inline(always)]
    unsafe fn persist(set: Set<'_, '_>, gc: Gc) -> OwnedRoot {
        table::persist(set.table, gc)
    }

    #[inline(always)]
    fn load_persistent(set: Set<'_, '_>, root: &OwnedRoot) -> Result<Gc, RootError> {
        table::load_persistent(set.table, root)
    }

    #[inline(always)]
    unsafe fn store_persistent(
        set: Set<'_, '_>,
        root: &OwnedRoot,
        gc: Gc,
    ) -> Result<(), RootError> {
        table::store_persistent(set.table, root, gc)
    }

    fn release(set: Set<'_, '_>, root: OwnedRoot) -> Result<(), RootError> {
        table::release(set.table, root)
    }

    #[inline]
    fn root_vec<'s, 'r: 's>(set: Set<'_, 'r>, _: Pin<&'s mut ()>) -> ScopedVec {
        table::root_vec(set.table)
    }

    fn persist_vec(set: Set<'_, '_>) -> OwnedVec {
        table::persist_vec(set.table)
    }

    #[inline(always)]
    unsafe fn local_vec(root: &ScopedVec) -> VecRef<'_> {
        VecRef::Scoped(*root)
    }

    #[inline(always)]
    fn persistent_vec<'a>(root: &'a OwnedVec) -> VecRef<'a> {
        VecRef::Owned(root)
    }

    fn vec_len(set: Set<'_, '_>, v: VecRef<'_>) -> Result<usize, RootError> {
        table::vec_len(set.table, v)
    }

    fn vec_get(set: Set<'_, '_>, v: VecRef<'_>, i: usize) -> Result<Option<Gc>, RootError> {
        table::vec_get(set.table, v, i)
    }

    unsafe fn vec_set(
        set: Set<'_, '_>,
        v: VecRef<'_>,
        i: usize,
        gc: Gc,
    ) -> Result<bool, RootError> {
        table::vec_set(set.table, v, i, gc)
    }

    unsafe fn vec_push(set: Set<'_, '_>, v: VecRef<'_>, gc: Gc) -> Result<(), RootError> {
        table::vec_push(set.table, v, gc)
    }

    fn vec_pop(set: Set<'_, '_>, v: VecRef<'_>) -> Result<Option<Gc>, RootError> {
        table::vec_pop(set.table, v)
    }

    fn vec_clear(set: Set<'_, '_>, v: VecRef<'_>) -> Result<(), RootError> {
        table::vec_clear(set.table, v)
    }

    #[inline(always)]
    fn enter(set: Set<'_, '_>) -> Mark {
        table::enter(set.table)
    }

    #[inline(always)]
    fn exit(set: Set<'_, '_>, mark: Mark) {
        table::exit(set.table, mark)
    }

    table::weak_in_table!();

    #[inline]
    unsafe fn trace(set: RootSetMut<'_, '_, Self>, f: impl FnMut(&mut Gc)) {
        table::trace(set.table, f)
    }

    fn count(set: Set<'_, '_>) -> usize {
        set.table.len()
    }
}
