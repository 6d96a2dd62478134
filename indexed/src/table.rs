//! [`RootTable`]: the scope table, the owned roots, the vectors and the
//! manual slab behind one owner.

use core::cell::UnsafeCell;
use core::mem::ManuallyDrop;

use crate::error::{HandleError, TableId};
use crate::lifo::{Lifo, Mark, ScopedRoot};
use crate::owned::{self, OwnedRoot, OwnedSlab, OwnedVec, WeakRoot};
use crate::slab::{ManualRoot, Slab};
use crate::vecs::{ScopedVec, ScopedVecs};

/// The roots of one heap, holding values of type `T` (a GC pointer, for a
/// collector): a LIFO vector of scoped roots, owned roots, scoped and owned
/// vector roots, and a slab of manual roots.
///
/// Rooting, reading and writing take `&self`, so a heap that owns the table
/// can root a value while references into it are borrowed; enumerating the
/// roots for a collection takes `&mut self` ([`trace`](Self::trace)), so it
/// cannot overlap any of them.
///
/// The table is `Send` when `T` is, and never `Sync`.
pub struct RootTable<T> {
    id: TableId,
    /// All mutable state. Invariant: a `&mut` to it exists only inside
    /// [`RootTable::with`], for the duration of one closure defined in this
    /// file, which calls no code outside this crate but the global
    /// allocator and the lock of the pool of liveness cells (`T: Copy` has
    /// no user code on copy or drop). Since the table is `!Sync`, no two
    /// such borrows can overlap.
    inner: UnsafeCell<Inner<T>>,
}

struct Inner<T> {
    lifo: Lifo<T>,
    vecs: ScopedVecs<T>,
    owned: OwnedSlab<T>,
    owned_vecs: OwnedSlab<Vec<T>>,
    /// Weak roots: `None` once cleared.
    weak: OwnedSlab<Option<T>>,
    slab: Slab<T>,
    /// The generation the next scoped root, scoped vector or manual root
    /// will carry. Starts at 1 and only grows (a `u64` does not wrap in
    /// practice), so no two of them in one table ever share a generation.
    next_generation: u64,
}

impl<T> Inner<T> {
    #[inline]
    fn generation(&mut self) -> u64 {
        let g = self.next_generation;
        self.next_generation = g + 1;
        g
    }
}

/// A scope that borrows its table mutably, as Wasmtime's `RootScope`
/// borrows its store: it dereferences to the table, and on drop releases
/// every scoped root and scoped vector created since it was entered (see
/// [`RootTable::scope`]). Because each scope borrows the one outside it,
/// scopes exit in LIFO order by construction.
///
/// Its `Drop` never panics. If the table behind the guard was swapped for
/// another (`mem::swap(&mut *scope, &mut other)`), the mark is not the
/// table's: the guard releases nothing, and the roots it cannot release
/// stay alive (and counted) until an outer scope of their own table exits.
pub struct Scope<'t, T: Copy> {
    table: &'t mut RootTable<T>,
    mark: Mark,
}

impl<T: Copy> core::fmt::Debug for Scope<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Scope").field("mark", &self.mark).finish()
    }
}

impl<T: Copy> core::ops::Deref for Scope<'_, T> {
    type Target = RootTable<T>;
    fn deref(&self) -> &RootTable<T> {
        self.table
    }
}

impl<T: Copy> core::ops::DerefMut for Scope<'_, T> {
    fn deref_mut(&mut self) -> &mut RootTable<T> {
        self.table
    }
}

impl<T: Copy> Drop for Scope<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // A foreign mark (the table was swapped) releases nothing: see the
        // type's docs. Never a panic in `Drop`.
        let _ = self.table.try_exit(self.mark);
    }
}

impl<T: Copy> Default for RootTable<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A handle to a vector root: [`ScopedVec`] or [`OwnedVec`], for the
/// table's `vec_*` methods. Sealed.
pub trait VecHandle: sealed::Sealed {}

impl VecHandle for ScopedVec {}
impl VecHandle for OwnedVec {}
impl VecHandle for VecRef<'_> {}

/// A vector handle of either kind, borrowed: for code that holds both kinds
/// and treats them alike.
#[derive(Clone, Copy, Debug)]
pub enum VecRef<'a> {
    /// A scoped vector.
    Scoped(ScopedVec),
    /// An owned vector.
    Owned(&'a OwnedVec),
}

impl From<ScopedVec> for VecRef<'_> {
    fn from(v: ScopedVec) -> Self {
        VecRef::Scoped(v)
    }
}

impl<'a> From<&'a OwnedVec> for VecRef<'a> {
    fn from(v: &'a OwnedVec) -> Self {
        VecRef::Owned(v)
    }
}

/// Not public API: how the table finds a handle's vector.
mod sealed {
    use crate::error::TableId;
    use crate::owned::Handle;

    pub trait Sealed {
        fn locate(&self) -> Where<'_>;
    }

    /// Where a vector handle points.
    #[derive(Debug)]
    pub enum Where<'a> {
        Scoped {
            table: TableId,
            index: u32,
            generation: u64,
        },
        Owned(&'a Handle),
    }

    impl Sealed for crate::ScopedVec {
        fn locate(&self) -> Where<'_> {
            Where::Scoped {
                table: self.table,
                index: self.index,
                generation: self.generation,
            }
        }
    }

    impl Sealed for crate::OwnedVec {
        fn locate(&self) -> Where<'_> {
            Where::Owned(&self.0)
        }
    }

    impl Sealed for super::VecRef<'_> {
        fn locate(&self) -> Where<'_> {
            match self {
                super::VecRef::Scoped(v) => v.locate(),
                super::VecRef::Owned(v) => v.locate(),
            }
        }
    }
}

impl<T: Copy> RootTable<T> {
    /// An empty table with a fresh id.
    pub fn new() -> Self {
        RootTable {
            id: TableId::fresh(),
            inner: UnsafeCell::new(Inner {
                lifo: Lifo::new(),
                vecs: ScopedVecs::new(),
                owned: OwnedSlab::new(),
                owned_vecs: OwnedSlab::new(),
                weak: OwnedSlab::new(),
                slab: Slab::new(),
                next_generation: 1,
            }),
        }
    }

    /// This table's identity, carried by every handle it issues.
    pub fn id(&self) -> TableId {
        self.id
    }

    #[inline(always)]
    fn with<R>(&self, f: impl FnOnce(&mut Inner<T>) -> R) -> R {
        // SAFETY: see the invariant on `inner`: every caller passes a closure
        // from this file that neither re-enters the table nor runs code
        // outside this crate (beyond the global allocator, which is not
        // expected to reach into a `!Sync` table), and `RootTable: !Sync`,
        // so this is the only reference to `inner` while `f` runs.
        f(unsafe { &mut *self.inner.get() })
    }

    #[inline]
    fn check(&self, table: TableId) -> Result<(), HandleError> {
        if table == self.id {
            Ok(())
        } else {
            Err(HandleError::WrongTable {
                handle: table,
                table: self.id,
            })
        }
    }

    // ----- scopes ---------------------------------------------------------

    /// Enters a scope: scoped roots and vectors created until the matching
    /// [`exit`](Self::exit) are released by it.
    #[inline]
    pub fn enter(&self) -> Mark {
        // `Lifo::push` keeps the length below u32::MAX.
        let len = self.with(|t| t.lifo.len()) as u32;
        Mark {
            table: self.id,
            len,
        }
    }

    /// Exits the scope that `mark` began, releasing every scoped root and
    /// vector created since. Exiting marks out of order is not undefined
    /// behaviour, only early release: an outer exit releases the inner
    /// scope's roots too, and a late inner exit releases whatever was pushed
    /// above its mark in the meantime. Either way the released handles
    /// become stale (a clean [`HandleError::Stale`]); no handle ever reads
    /// another root's value. [`scope`](Self::scope) rules the misordering
    /// out at compile time.
    ///
    /// # Panics
    ///
    /// If `mark` came from another table; [`try_exit`](Self::try_exit)
    /// returns the error instead.
    #[inline]
    pub fn exit(&self, mark: Mark) {
        if let Err(e) = self.try_exit(mark) {
            mark_of_another_table(e)
        }
    }

    /// As [`exit`](Self::exit), but a mark of another table is an error
    /// (and releases nothing) instead of a panic: what a scope's `Drop`
    /// uses.
    #[inline]
    pub fn try_exit(&self, mark: Mark) -> Result<(), HandleError> {
        // The check costs little shaped this way: the truncation is
        // conditional and the error path is out of line (DESIGN.md).
        let ours = mark.table == self.id;
        self.with(|t| {
            if ours {
                t.lifo.truncate(mark.len);
            }
        });
        if ours {
            Ok(())
        } else {
            Err(HandleError::WrongTable {
                handle: mark.table,
                table: self.id,
            })
        }
    }

    /// Enters a scope that exits when the returned guard is dropped. Root
    /// through the guard (it dereferences to the table); nest by calling
    /// `scope` on it.
    pub fn scope(&mut self) -> Scope<'_, T> {
        let mark = self.enter();
        Scope { table: self, mark }
    }

    // ----- scoped roots ---------------------------------------------------

    /// Roots `value` in the innermost scope.
    #[inline]
    pub fn root(&self, value: T) -> ScopedRoot {
        let (index, generation) = self.with(|t| {
            let generation = t.generation();
            (t.lifo.push(value, generation), generation)
        });
        ScopedRoot {
            table: self.id,
            index,
            generation,
        }
    }

    /// The value `root` holds.
    #[inline]
    pub fn get(&self, root: ScopedRoot) -> Result<T, HandleError> {
        self.check(root.table)?;
        self.with(|t| t.lifo.get(root.index, root.generation))
            .ok_or(HandleError::Stale {
                index: root.index,
                generation: root.generation,
            })
    }

    /// Makes `root` hold `value`.
    #[inline]
    pub fn set(&self, root: ScopedRoot, value: T) -> Result<(), HandleError> {
        self.check(root.table)?;
        if self.with(|t| t.lifo.set(root.index, root.generation, value)) {
            Ok(())
        } else {
            Err(HandleError::Stale {
                index: root.index,
                generation: root.generation,
            })
        }
    }

    /// How many scoped roots are alive (scoped vectors not counted).
    pub fn scoped_len(&self) -> usize {
        self.with(|t| t.lifo.len() - t.vecs.live(&t.lifo))
    }

    // ----- owned roots ----------------------------------------------------

    /// Roots `value` until every clone of the returned handle is dropped.
    #[inline]
    pub fn root_owned(&self, value: T) -> OwnedRoot {
        OwnedRoot::issue(self.id, self.with(|t| t.owned.insert(value)))
    }

    /// The value `root` holds.
    #[inline]
    pub fn get_owned(&self, root: &OwnedRoot) -> Result<T, HandleError> {
        let h = &root.0;
        self.check(h.table)?;
        self.with(|t| t.owned.get(h.index, h.cell, h.generation).copied())
            .ok_or_else(|| owned::stale(h))
    }

    /// Makes `root` (and its clones) hold `value`.
    #[inline]
    pub fn set_owned(&self, root: &OwnedRoot, value: T) -> Result<(), HandleError> {
        let h = &root.0;
        self.check(h.table)?;
        self.with(|t| {
            t.owned
                .get_mut(h.index, h.cell, h.generation)
                .map(|v| *v = value)
        })
        .ok_or_else(|| owned::stale(h))
    }

    /// Drops `root` and, if it was the last clone, frees its slot now
    /// rather than at the next trim.
    ///
    /// With a root of another table this returns `WrongTable`; the root is
    /// dropped all the same, and its own table reclaims it lazily. `Stale`
    /// if it was already unrooted (a duplicate of its bytes, made by C,
    /// was dropped); nothing changes then.
    pub fn release(&self, root: OwnedRoot) -> Result<(), HandleError> {
        self.check(root.0.table)?;
        let h = core::mem::ManuallyDrop::new(root.0);
        self.with(|t| t.owned.release(h.index, h.cell, h.generation))
            .ok_or_else(|| owned::stale(&h))
    }

    /// How many owned roots are alive: held by a handle, dropped ones not
    /// counted even before the table has reclaimed them. O(slots).
    pub fn owned_len(&self) -> usize {
        self.with(|t| t.owned.live() + t.owned_vecs.live())
    }

    // ----- weak roots -----------------------------------------------------

    /// A weak root seeing `value` until a collection clears it, or every
    /// clone of the handle is dropped.
    #[inline]
    pub fn root_weak(&self, value: T) -> WeakRoot {
        WeakRoot::issue(self.id, self.with(|t| t.weak.insert(Some(value))))
    }

    /// The value `root` sees, or `None` once it was cleared.
    #[inline]
    pub fn get_weak(&self, root: &WeakRoot) -> Result<Option<T>, HandleError> {
        let h = &root.0;
        self.check(h.table)?;
        self.with(|t| t.weak.get(h.index, h.cell, h.generation).copied())
            .ok_or_else(|| owned::stale(h))
    }

    /// How many weak roots a handle still holds (cleared ones included;
    /// [`len`](Self::len) does not count weak roots). O(slots).
    pub fn weak_len(&self) -> usize {
        self.with(|t| t.weak.live())
    }

    /// Calls `f` on the value of every weak root not cleared yet: `f`
    /// rewrites a value whose object moved or clears it (`None`). A
    /// cleared root is never seen again.
    ///
    /// Unlike [`trace`](Self::trace), this does not trim first: a weak
    /// slot whose handles were all dropped keeps nothing alive, so it may
    /// wait for the trim that creating a weak root runs when the slab is
    /// full (amortised, as for owned roots), and is swept meanwhile like
    /// the others. A trim reads every slot's liveness cell, a separate
    /// allocation; at every collection it cost a table of 100,000 weak
    /// roots 7 ns per root, three times the sweep itself.
    pub fn sweep_weak(&mut self, mut f: impl FnMut(&mut Option<T>)) {
        let inner = self.inner.get_mut();
        inner.weak.for_each_mut(|v| {
            if v.is_some() {
                f(v)
            }
        });
    }

    // ----- vector roots ---------------------------------------------------

    /// An empty vector root in the innermost scope.
    pub fn root_vec(&self) -> ScopedVec {
        let (index, generation) = self.with(|t| {
            let generation = t.generation();
            (t.vecs.push(&mut t.lifo, generation), generation)
        });
        ScopedVec {
            table: self.id,
            index,
            generation,
        }
    }

    /// An empty vector root that lives until every clone of the returned
    /// handle is dropped.
    pub fn root_vec_owned(&self) -> OwnedVec {
        OwnedVec::issue(self.id, self.with(|t| t.owned_vecs.insert(Vec::new())))
    }

    /// Runs `f` on the vector `handle` names, or says why it cannot.
    #[inline]
    fn with_vec<R>(
        &self,
        handle: &impl VecHandle,
        f: impl FnOnce(&mut Vec<T>) -> R,
    ) -> Result<R, HandleError> {
        use sealed::Where;
        match handle.locate() {
            Where::Scoped {
                table,
                index,
                generation,
            } => {
                self.check(table)?;
                self.with(|t| t.vecs.get_mut(&t.lifo, index, generation).map(f))
                    .ok_or(HandleError::Stale { index, generation })
            }
            Where::Owned(h) => {
                self.check(h.table)?;
                self.with(|t| t.owned_vecs.get_mut(h.index, h.cell, h.generation).map(f))
                    .ok_or_else(|| owned::stale(h))
            }
        }
    }

    /// The number of values in the vector.
    pub fn vec_len(&self, handle: &impl VecHandle) -> Result<usize, HandleError> {
        self.with_vec(handle, |v| v.len())
    }

    /// The value at `index` in the vector, if there is one.
    pub fn vec_get(&self, handle: &impl VecHandle, index: usize) -> Result<Option<T>, HandleError> {
        self.with_vec(handle, |v| v.get(index).copied())
    }

    /// Replaces the value at `index`; `Ok(false)` (and nothing changed) if
    /// `index` is out of range.
    pub fn vec_set(
        &self,
        handle: &impl VecHandle,
        index: usize,
        value: T,
    ) -> Result<bool, HandleError> {
        self.with_vec(handle, |v| match v.get_mut(index) {
            Some(slot) => {
                *slot = value;
                true
            }
            None => false,
        })
    }

    /// Appends a value to the vector.
    pub fn vec_push(&self, handle: &impl VecHandle, value: T) -> Result<(), HandleError> {
        self.with_vec(handle, |v| v.push(value))
    }

    /// Removes and returns the vector's last value.
    pub fn vec_pop(&self, handle: &impl VecHandle) -> Result<Option<T>, HandleError> {
        self.with_vec(handle, |v| v.pop())
    }

    /// Removes every value from the vector (keeping its buffer).
    pub fn vec_clear(&self, handle: &impl VecHandle) -> Result<(), HandleError> {
        self.with_vec(handle, |v| v.clear())
    }

    /// Drops an owned vector root and, if it was the last clone, frees its
    /// slot now. As for [`release`](Self::release).
    pub fn release_vec(&self, root: OwnedVec) -> Result<(), HandleError> {
        self.check(root.0.table)?;
        let h = core::mem::ManuallyDrop::new(root.0);
        self.with(|t| t.owned_vecs.release(h.index, h.cell, h.generation))
            .ok_or_else(|| owned::stale(&h))
    }

    /// How many scoped vector roots are alive.
    pub fn scoped_vec_len(&self) -> usize {
        self.with(|t| t.vecs.live(&t.lifo))
    }

    // ----- manual roots ---------------------------------------------------

    /// Roots `value` until [`unroot`](Self::unroot): the pre-2025 Wasmtime
    /// `ManuallyRooted`, kept as a measured variant of [`root_owned`]
    /// (no liveness flag, and a dropped root leaks its slot).
    ///
    /// [`root_owned`]: Self::root_owned
    pub fn root_manual(&self, value: T) -> ManualRoot {
        let (index, generation) = self.with(|t| {
            let generation = t.generation();
            (t.slab.insert(value, generation), generation)
        });
        ManualRoot {
            table: self.id,
            index,
            generation,
        }
    }

    /// The value `root` holds.
    pub fn get_manual(&self, root: &ManualRoot) -> Result<T, HandleError> {
        self.check(root.table)?;
        self.with(|t| t.slab.get(root.index, root.generation))
            .ok_or(HandleError::Stale {
                index: root.index,
                generation: root.generation,
            })
    }

    /// Makes `root` hold `value`.
    pub fn set_manual(&self, root: &ManualRoot, value: T) -> Result<(), HandleError> {
        self.check(root.table)?;
        if self.with(|t| t.slab.set(root.index, root.generation, value)) {
            Ok(())
        } else {
            Err(HandleError::Stale {
                index: root.index,
                generation: root.generation,
            })
        }
    }

    /// Releases `root` and returns the value it held.
    ///
    /// With a root of another table this returns `WrongTable`, and the root
    /// is dropped: its slot in its own table stays occupied (a leak that
    /// [`manual_len`](Self::manual_len) shows).
    pub fn unroot(&self, root: ManualRoot) -> Result<T, HandleError> {
        self.check(root.table)?;
        let root = ManuallyDrop::new(root);
        self.with(|t| t.slab.remove(root.index, root.generation))
            .ok_or(HandleError::Stale {
                index: root.index,
                generation: root.generation,
            })
    }

    /// How many manual roots are alive, leaked ones (dropped without
    /// [`unroot`](Self::unroot)) included.
    pub fn manual_len(&self) -> usize {
        self.with(|t| t.slab.occupied())
    }

    // ----- the collector's view -------------------------------------------

    /// Frees the slots of every owned root and owned vector whose handles
    /// are all dropped. [`trace`](Self::trace) does it first; creating an
    /// owned root does it too, amortised.
    pub fn trim(&mut self) {
        let inner = self.inner.get_mut();
        inner.owned.trim();
        inner.owned_vecs.trim();
    }

    /// Calls `f` on every root of every kind (every element of every
    /// vector), so that a moving collector can rewrite each in place. Trims
    /// first: a dropped owned root is never traced.
    pub fn trace(&mut self, mut f: impl FnMut(&mut T)) {
        self.trim();
        let inner = self.inner.get_mut();
        inner.vecs.reclaim(&inner.lifo);
        inner.lifo.for_each_mut(&mut f);
        inner.vecs.for_each_mut(&mut f);
        inner.owned.for_each_mut(&mut f);
        inner
            .owned_vecs
            .for_each_mut(|v| v.iter_mut().for_each(&mut f));
        inner.slab.for_each_mut(&mut f);
    }

    /// How many roots are alive, of every kind (a vector counts once;
    /// dropped owned roots do not count). O(owned slots).
    pub fn len(&self) -> usize {
        // A scoped vector's marker is in the LIFO: counted once there.
        self.with(|t| t.lifo.len() + t.owned.live() + t.owned_vecs.live() + t.slab.occupied())
    }

    /// Whether no root is alive.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> core::fmt::Debug for RootTable<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RootTable")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn mark_of_another_table(e: HandleError) -> ! {
    match e {
        HandleError::WrongTable { handle, table } => {
            panic!("RootTable::exit: the mark belongs to root table {handle}, not {table}")
        }
        other => panic!("RootTable::exit: {other}"),
    }
}
