//! Roots kept in a [`RootTable`] (the indexed crate): the operations on
//! long-lived roots, each taking the table, for the schemes that keep them
//! this way (`Indexed`, `Hybrid`, `Conservative`), and on scoped vectors
//! and scopes, for the two that keep those there too (`Indexed`,
//! `Conservative`).

use gcroots_indexed::{HandleError, OwnedRoot, OwnedVec, RootTable, WeakRoot};

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

/// The weak-root items of `Bindings` for a scheme whose table is a
/// `RootTable<Gc>` (every scheme but the intrusive one): weak roots in the
/// table's weak slots.
macro_rules! weak_in_table {
    () => {
        type WeakRepr<'r> = gcroots_indexed::WeakRoot;

        #[inline]
        unsafe fn weak<'r>(set: RootSetRef<'_, 'r, Self>, gc: Gc) -> gcroots_indexed::WeakRoot {
            $crate::schemes::table::weak(set.table, gc)
        }

        #[inline]
        fn load_weak(
            set: RootSetRef<'_, '_, Self>,
            root: &gcroots_indexed::WeakRoot,
        ) -> Result<Option<Gc>, RootError> {
            $crate::schemes::table::load_weak(set.table, root)
        }

        unsafe fn sweep_weak(set: RootSetMut<'_, '_, Self>, f: impl FnMut(&mut Option<Gc>)) {
            $crate::schemes::table::sweep_weak(set.table, f)
        }

        fn weak_count(set: RootSetRef<'_, '_, Self>) -> usize {
            set.table.weak_len()
        }
    };
}
pub(crate) use weak_in_table;

#[inline]
pub(crate) fn weak(table: &RootTable<Gc>, gc: Gc) -> WeakRoot {
    table.root_weak(gc)
}

#[inline]
pub(crate) fn load_weak(table: &RootTable<Gc>, root: &WeakRoot) -> Result<Option<Gc>, RootError> {
    Ok(table.get_weak(root)?)
}

/// Calls `f` on every weak root of the table not yet cleared (and on
/// dropped ones the table has not reclaimed yet).
pub(crate) fn sweep_weak(table: &mut RootTable<Gc>, f: impl FnMut(&mut Option<Gc>)) {
    table.sweep_weak(f)
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

// --- Scoped vectors and scopes (the indexed and conservative schemes) ---

#[cfg(any(feature = "indexed", feature = "conservative"))]
pub(crate) use scoped::*;

#[cfg(any(feature = "indexed", feature = "conservative"))]
mod scoped {
    use super::*;
    use gcroots_indexed::{Mark, ScopedVec, VecRef};

    #[inline]
    pub(crate) fn root_vec(table: &RootTable<Gc>) -> ScopedVec {
        table.root_vec()
    }

    pub(crate) fn vec_len(table: &RootTable<Gc>, v: VecRef<'_>) -> Result<usize, RootError> {
        Ok(table.vec_len(&v)?)
    }

    pub(crate) fn vec_get(
        table: &RootTable<Gc>,
        v: VecRef<'_>,
        i: usize,
    ) -> Result<Option<Gc>, RootError> {
        Ok(table.vec_get(&v, i)?)
    }

    pub(crate) fn vec_set(
        table: &RootTable<Gc>,
        v: VecRef<'_>,
        i: usize,
        gc: Gc,
    ) -> Result<bool, RootError> {
        Ok(table.vec_set(&v, i, gc)?)
    }

    pub(crate) fn vec_push(table: &RootTable<Gc>, v: VecRef<'_>, gc: Gc) -> Result<(), RootError> {
        Ok(table.vec_push(&v, gc)?)
    }

    pub(crate) fn vec_pop(table: &RootTable<Gc>, v: VecRef<'_>) -> Result<Option<Gc>, RootError> {
        Ok(table.vec_pop(&v)?)
    }

    pub(crate) fn vec_clear(table: &RootTable<Gc>, v: VecRef<'_>) -> Result<(), RootError> {
        Ok(table.vec_clear(&v)?)
    }

    #[inline(always)]
    pub(crate) fn enter(table: &RootTable<Gc>) -> Mark {
        table.enter()
    }

    #[inline(always)]
    pub(crate) fn exit(table: &RootTable<Gc>, mark: Mark) {
        // A foreign mark (a swapped heap) releases nothing; see the trait.
        let _ = table.try_exit(mark);
    }
}
