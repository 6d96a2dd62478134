//! The indexed scheme's bindings: scoped roots in the LIFO vector and
//! manual roots in the slab of a [`RootTable`] that the heap owns.

use core::pin::Pin;

use gcroots_indexed::{HandleError, ManualRoot, Mark, RootTable, ScopedRoot};

use crate::error::RootError;
use crate::object::Gc;
use crate::root::Local;
use crate::scheme::{RootSet, Scheme, sealed::Bindings};

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

/// The indexed scheme keeps nothing outside the heap.
#[derive(Debug, Default)]
pub struct NoAnchor;

impl From<HandleError> for RootError {
    fn from(e: HandleError) -> RootError {
        match e {
            HandleError::WrongTable { .. } => RootError::WrongHeap,
            HandleError::Stale { .. } => RootError::Stale,
        }
    }
}

impl Bindings for Indexed {
    type Anchor = NoAnchor;
    type Table = RootTable<Gc>;
    type SlotRepr<'r> = ();
    type LocalRepr = ScopedRoot;
    type PersistentRepr<'r> = ManualRoot;
    type Mark = Mark;

    fn new_anchor() -> NoAnchor {
        NoAnchor
    }

    fn new_table() -> RootTable<Gc> {
        RootTable::new()
    }

    fn claim(_: &NoAnchor) -> bool {
        // Each heap owns its own table; there is nothing to share.
        true
    }

    #[inline(always)]
    fn same_anchor(_: &NoAnchor, _: &NoAnchor) -> bool {
        // Roots go into the table of the heap the value came from, and carry
        // its id: a mismatch is caught when the handle is used.
        true
    }

    #[inline(always)]
    unsafe fn root<'s, 'r: 's>(
        _: &'r NoAnchor,
        table: &RootTable<Gc>,
        _: Pin<&'s mut ()>,
        gc: Gc,
    ) -> ScopedRoot {
        table.root(gc)
    }

    #[inline(always)]
    unsafe fn load(
        _: &NoAnchor,
        table: &RootTable<Gc>,
        root: &ScopedRoot,
    ) -> Result<Gc, RootError> {
        Ok(table.get(*root)?)
    }

    #[inline(always)]
    unsafe fn store(
        _: &NoAnchor,
        table: &RootTable<Gc>,
        root: &ScopedRoot,
        gc: Gc,
    ) -> Result<(), RootError> {
        Ok(table.set(*root, gc)?)
    }

    unsafe fn persist(_: &NoAnchor, table: &RootTable<Gc>, gc: Gc) -> ManualRoot {
        table.root_manual(gc)
    }

    #[inline(always)]
    fn load_persistent(
        _: &NoAnchor,
        table: &RootTable<Gc>,
        root: &ManualRoot,
    ) -> Result<Gc, RootError> {
        Ok(table.get_manual(root)?)
    }

    unsafe fn store_persistent(
        _: &NoAnchor,
        table: &RootTable<Gc>,
        root: &ManualRoot,
        gc: Gc,
    ) -> Result<(), RootError> {
        Ok(table.set_manual(root, gc)?)
    }

    fn release(_: &NoAnchor, table: &RootTable<Gc>, root: ManualRoot) -> Result<(), RootError> {
        table.unroot(root)?;
        Ok(())
    }

    #[inline(always)]
    fn enter(table: &RootTable<Gc>) -> Mark {
        table.enter()
    }

    #[inline(always)]
    fn exit(table: &RootTable<Gc>, mark: Mark) {
        table.exit(mark)
    }

    fn leaked(_: &NoAnchor, table: &RootTable<Gc>) -> usize {
        table.leaked()
    }
}

impl RootSet for Indexed {
    #[inline]
    unsafe fn trace(_: &NoAnchor, table: &mut RootTable<Gc>, f: impl FnMut(&mut Gc)) {
        table.trace(f)
    }

    fn count(_: &NoAnchor, table: &RootTable<Gc>) -> usize {
        table.len()
    }
}

impl Local<'_, Indexed> {
    /// The same handle without the borrow of the frame that made it.
    ///
    /// [`root!`](crate::root) ties every [`Local`] to its frame, so that code
    /// generic over the scheme is correct under both. Under this scheme a
    /// scoped root is a plain index: detached, it is `'static`, `Send` and
    /// `Sync`, and can be stored or sent anywhere, as Wasmtime's `Rooted<T>`.
    /// It stays valid until its scope exits; using it afterwards is a
    /// [`RootError::Stale`], never a wrong object.
    #[inline(always)]
    pub fn detach(self) -> Local<'static, Indexed> {
        Local::new(self.repr)
    }
}
