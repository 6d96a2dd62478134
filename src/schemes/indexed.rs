//! The indexed scheme's bindings: scoped roots in the LIFO vector and
//! manual roots in the slab of a [`RootTable`] that the heap owns. Nothing
//! lives outside the heap: the anchor is empty.

use core::pin::Pin;

use gcroots_indexed::{HandleError, ManualRoot, Mark, RootTable, ScopedRoot};

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
/// [`Persistent`](crate::Persistent) is a manual root: it must be released
/// with [`Heap::release`](crate::Heap::release), and one dropped without
/// release is leaked and counted ([`Heap::leaked_roots`](crate::Heap::leaked_roots)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Indexed {}

impl Scheme for Indexed {
    const NAME: &'static str = "indexed";
}

type Set<'h, 'r> = RootSetRef<'h, 'r, Indexed>;

impl From<HandleError> for RootError {
    fn from(e: HandleError) -> RootError {
        match e {
            HandleError::WrongTable { .. } => RootError::WrongHeap,
            HandleError::Stale { .. } => RootError::Stale,
        }
    }
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

impl Bindings for Indexed {
    type Anchor = ();
    type Table = RootTable<Gc>;
    type SlotRepr<'r> = ();
    type LocalRepr = ScopedRoot;
    type PersistentRepr<'r> = ManualRoot;
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

    unsafe fn persist(set: Set<'_, '_>, gc: Gc) -> ManualRoot {
        set.table.root_manual(gc)
    }

    #[inline(always)]
    fn load_persistent(set: Set<'_, '_>, root: &ManualRoot) -> Result<Gc, RootError> {
        Ok(set.table.get_manual(root)?)
    }

    unsafe fn store_persistent(
        set: Set<'_, '_>,
        root: &ManualRoot,
        gc: Gc,
    ) -> Result<(), RootError> {
        Ok(set.table.set_manual(root, gc)?)
    }

    fn release(set: Set<'_, '_>, root: ManualRoot) -> Result<(), RootError> {
        set.table.unroot(root)?;
        Ok(())
    }

    #[inline(always)]
    fn enter(set: Set<'_, '_>) -> Mark {
        set.table.enter()
    }

    #[inline(always)]
    fn exit(set: Set<'_, '_>, mark: Mark) {
        set.table.exit(mark)
    }

    fn leaked(set: Set<'_, '_>) -> usize {
        set.table.leaked()
    }

    #[inline]
    unsafe fn trace(set: RootSetMut<'_, '_, Self>, f: impl FnMut(&mut Gc)) {
        set.table.trace(f)
    }

    fn count(set: Set<'_, '_>) -> usize {
        set.table.len()
    }
}
