//! The hybrid scheme's bindings: stack roots and scoped vectors pinned in
//! the frames that made them, in a [`RootList`] the user owns, as the
//! intrusive scheme keeps them; long-lived roots and vectors as owned roots
//! in a [`RootTable`] the heap owns, as the indexed scheme keeps them. One
//! collection traces both, the list then the table.

use core::pin::Pin;

use gcroots_indexed::{OwnedRoot, OwnedVec, RootTable};
use gcroots_intrusive::{RootList, StackRoot, VecRoot};

use super::{list, table};
use crate::error::RootError;
use crate::object::Gc;
use crate::scheme::sealed::Bindings;
use crate::scheme::{RootSetMut, RootSetRef, Scheme};

/// Intrusive stack roots with indexed long-lived roots: each kind of root
/// where the measurements say it is cheapest.
///
/// A [`Local`](crate::Local) is a pointer to a pinned `StackRoot`, as under
/// [`Intrusive`](crate::Intrusive): one word, read with one load, ended with
/// its block, `!Send`. A [`Persistent`](crate::Persistent) is an owned root,
/// as under [`Indexed`](crate::Indexed): 16 bytes, `Send + Sync`, unrooted
/// when dropped on any thread. Scopes cost nothing. The heap is `!Send`
/// (its stack roots point into one thread's frames).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hybrid {}

impl Scheme for Hybrid {
    const NAME: &'static str = "hybrid";
}

type Set<'h, 'r> = RootSetRef<'h, 'r, Hybrid>;

/// A vector root of either kind: pinned in a frame, or owned.
#[derive(Clone, Copy, Debug)]
pub enum HybridVec<'a> {
    /// A scoped vector root, pinned in its frame.
    Pinned(&'a VecRoot<'a, Gc>),
    /// A long-lived vector root in the table.
    Owned(&'a OwnedVec),
}

impl Bindings for Hybrid {
    type Anchor = RootList<Gc>;
    type Table = RootTable<Gc>;
    type SlotRepr<'r> = Option<StackRoot<'r, Gc>>;
    type LocalRepr = list::Stack;
    type PersistentRepr<'r> = OwnedRoot;
    type VecSlotRepr<'r> = Option<VecRoot<'r, Gc>>;
    type LocalVecRepr = list::Vector;
    type PersistentVecRepr<'r> = OwnedVec;
    type VecRef<'a> = HybridVec<'a>;
    type Mark = ();

    fn new_table() -> RootTable<Gc> {
        RootTable::new()
    }

    #[inline(always)]
    unsafe fn root<'s, 'r: 's>(
        set: Set<'_, 'r>,
        slot: Pin<&'s mut Option<StackRoot<'r, Gc>>>,
        gc: Gc,
    ) -> list::Stack {
        list::root(set.anchor, slot, gc)
    }

    #[inline(always)]
    unsafe fn load(set: Set<'_, '_>, root: &list::Stack) -> Result<Gc, RootError> {
        // SAFETY: forwarded from our caller.
        unsafe { list::load(set.anchor, root) }
    }

    #[inline(always)]
    unsafe fn store(set: Set<'_, '_>, root: &list::Stack, gc: Gc) -> Result<(), RootError> {
        // SAFETY: forwarded from our caller.
        unsafe { list::store(set.anchor, root, gc) }
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
    fn root_vec<'s, 'r: 's>(
        set: Set<'_, 'r>,
        slot: Pin<&'s mut Option<VecRoot<'r, Gc>>>,
    ) -> list::Vector {
        list::root_vec(set.anchor, slot)
    }

    fn persist_vec(set: Set<'_, '_>) -> OwnedVec {
        table::persist_vec(set.table)
    }

    #[inline(always)]
    unsafe fn local_vec(root: &list::Vector) -> HybridVec<'_> {
        // SAFETY: forwarded from our caller.
        HybridVec::Pinned(unsafe { list::local_vec(root) })
    }

    #[inline(always)]
    fn persistent_vec<'a>(root: &'a OwnedVec) -> HybridVec<'a> {
        HybridVec::Owned(root)
    }

    fn vec_len(set: Set<'_, '_>, v: HybridVec<'_>) -> Result<usize, RootError> {
        match v {
            HybridVec::Pinned(v) => list::with_vec(set.anchor, v, |v| v.len()),
            HybridVec::Owned(v) => Ok(set.table.vec_len(v)?),
        }
    }

    fn vec_get(set: Set<'_, '_>, v: HybridVec<'_>, i: usize) -> Result<Option<Gc>, RootError> {
        match v {
            HybridVec::Pinned(v) => list::with_vec(set.anchor, v, |v| v.get(i)),
            HybridVec::Owned(v) => Ok(set.table.vec_get(v, i)?),
        }
    }

    unsafe fn vec_set(
        set: Set<'_, '_>,
        v: HybridVec<'_>,
        i: usize,
        gc: Gc,
    ) -> Result<bool, RootError> {
        match v {
            HybridVec::Pinned(v) => list::with_vec(set.anchor, v, |v| v.set(i, gc)),
            HybridVec::Owned(v) => Ok(set.table.vec_set(v, i, gc)?),
        }
    }

    unsafe fn vec_push(set: Set<'_, '_>, v: HybridVec<'_>, gc: Gc) -> Result<(), RootError> {
        match v {
            HybridVec::Pinned(v) => list::with_vec(set.anchor, v, |v| v.push(gc)),
            HybridVec::Owned(v) => Ok(set.table.vec_push(v, gc)?),
        }
    }

    fn vec_pop(set: Set<'_, '_>, v: HybridVec<'_>) -> Result<Option<Gc>, RootError> {
        match v {
            HybridVec::Pinned(v) => list::with_vec(set.anchor, v, |v| v.pop()),
            HybridVec::Owned(v) => Ok(set.table.vec_pop(v)?),
        }
    }

    fn vec_clear(set: Set<'_, '_>, v: HybridVec<'_>) -> Result<(), RootError> {
        match v {
            HybridVec::Pinned(v) => list::with_vec(set.anchor, v, |v| v.clear()),
            HybridVec::Owned(v) => Ok(set.table.vec_clear(v)?),
        }
    }

    #[inline(always)]
    fn enter(_: Set<'_, '_>) {}

    #[inline(always)]
    fn exit(_: Set<'_, '_>, (): ()) {}

    table::weak_in_table!();

    #[inline]
    unsafe fn trace(set: RootSetMut<'_, '_, Self>, mut f: impl FnMut(&mut Gc)) {
        // SAFETY: forwarded from our caller's promise about `f`.
        unsafe { list::trace(set.anchor, &mut f) };
        table::trace(set.table, f)
    }

    fn count(set: Set<'_, '_>) -> usize {
        set.anchor.len() + set.table.len()
    }
}
