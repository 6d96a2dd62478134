//! Roots kept in a [`RootTable`] (the indexed crate): the operations on
//! long-lived roots, each taking the table, for the schemes that keep them
//! this way: [`Indexed`](crate::Indexed) and [`Hybrid`](crate::Hybrid).

use gcroots_indexed::{HandleError, OwnedRoot, OwnedVec, RootTable};

use crate::error::RootError;
use crate::object::Gc;

impl From<HandleError> for RootError {
    fn from(e: HandleError) -> RootError {
        match e {
            HandleError::WrongTable { .. } => RootError::WrongHeap,
            HandleError::Stale { .. } => RootError::Stale,
            HandleError::Unrooted { .. } => RootError::Unrooted,
        }
    }
}

#[inline(always)]
pub(crate) fn persist(table: &RootTable<Gc>, gc: Gc) -> OwnedRoot {
    table.root_owned(gc)
}

#[inline(always)]
pub(crate) fn load_persistent(table: &RootTable<Gc>, root: &OwnedRoot) -> Result<Gc, RootError> {
    Ok(table.get_owned(root)?)
}

#[inline(always)]
pub(crate) fn store_persistent(
    table: &RootTable<Gc>,
    root: &OwnedRoot,
    gc: Gc,
) -> Result<(), RootError> {
    Ok(table.set_owned(root, gc)?)
}

pub(crate) fn release(table: &RootTable<Gc>, root: OwnedRoot) -> Result<(), RootError> {
    Ok(table.release(root)?)
}

pub(crate) fn persist_vec(table: &RootTable<Gc>) -> OwnedVec {
    table.root_vec_owned()
}

/// Calls `f` on every root of the table, after reclaiming the owned
/// roots whose handles are all dropped.
#[inline]
pub(crate) fn trace(table: &mut RootTable<Gc>, f: impl FnMut(&mut Gc)) {
    table.trace(f)
}
