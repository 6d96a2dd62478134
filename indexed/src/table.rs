//! [`RootTable`]: the scope table and the slab behind one owner.

use core::cell::UnsafeCell;
use core::mem::ManuallyDrop;

use crate::error::{HandleError, TableId};
use crate::leaks;
use crate::lifo::{Lifo, Mark, ScopedRoot};
use crate::slab::{ManualRoot, Slab};

/// The roots of one heap: a LIFO vector of scoped roots and a slab of manual
/// roots, holding values of type `T` (a GC pointer, for a collector).
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
    /// file, which calls no code outside this crate (`T: Copy` has no user
    /// code on copy or drop). Since the table is `!Sync`, no two such
    /// borrows can overlap.
    inner: UnsafeCell<Inner<T>>,
}

struct Inner<T> {
    lifo: Lifo<T>,
    slab: Slab<T>,
    /// The generation the next root will carry. Starts at 1 and only grows
    /// (a `u64` does not wrap in practice), so no two roots of one table
    /// ever share a generation.
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
/// every scoped root created since it was entered (see
/// [`RootTable::scope`]). Because each scope borrows the one outside it,
/// scopes exit in LIFO order by construction.
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
        self.table.exit(self.mark);
    }
}

impl<T: Copy> Default for RootTable<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy> RootTable<T> {
    /// An empty table with a fresh id.
    pub fn new() -> Self {
        let id = TableId::fresh();
        leaks::register(id);
        RootTable {
            id,
            inner: UnsafeCell::new(Inner {
                lifo: Lifo::new(),
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

    // ----- scoped roots -------------------------------------------------

    /// Enters a scope: scoped roots created until the matching
    /// [`exit`](Self::exit) are released by it.
    #[inline]
    pub fn enter(&self) -> Mark {
        let len = self.with(|t| t.lifo.len());
        // `Lifo::push` keeps the length below u32::MAX.
        Mark {
            table: self.id,
            len: len as u32,
        }
    }

    /// Exits the scope that `mark` began, releasing every scoped root created
    /// since. Exiting marks out of order is not undefined behaviour, only
    /// early release: an outer exit releases the inner scope's roots too,
    /// and a late inner exit releases whatever was pushed above its mark in
    /// the meantime. Either way the released handles become stale (a clean
    /// [`HandleError::Stale`]); no handle ever reads another root's value.
    /// [`scope`](Self::scope) rules the misordering out at compile time.
    ///
    /// # Panics
    ///
    /// If `mark` came from another table.
    #[inline]
    pub fn exit(&self, mark: Mark) {
        // The check stays, shaped so that it costs little: the truncation
        // is conditional and the panic is out of line (an `assert!` with
        // formatted arguments ahead of the truncation cost measurably more:
        // DESIGN.md).
        let ours = mark.table == self.id;
        self.with(|t| {
            if ours {
                t.lifo.truncate(mark.len)
            }
        });
        if !ours {
            mark_of_another_table(mark.table, self.id);
        }
    }

    /// Enters a scope that exits when the returned guard is dropped. Root
    /// through the guard (it dereferences to the table); nest by calling
    /// `scope` on it.
    pub fn scope(&mut self) -> Scope<'_, T> {
        let mark = self.enter();
        Scope { table: self, mark }
    }

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

    /// How many scoped roots are alive.
    pub fn scoped_len(&self) -> usize {
        self.with(|t| t.lifo.len())
    }

    // ----- manual roots ---------------------------------------------------

    /// Roots `value` until [`unroot`](Self::unroot).
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
        Ok(self
            .with(|t| t.slab.get(root.index, root.generation))
            .expect(
                "a ManualRoot of this table is occupied until it is unrooted, which consumes it",
            ))
    }

    /// Makes `root` hold `value`.
    pub fn set_manual(&self, root: &ManualRoot, value: T) -> Result<(), HandleError> {
        self.check(root.table)?;
        let stored = self.with(|t| t.slab.set(root.index, root.generation, value));
        assert!(
            stored,
            "a ManualRoot of this table is occupied until it is unrooted"
        );
        Ok(())
    }

    /// Releases `root` and returns the value it held.
    ///
    /// With a root of another table this returns `WrongTable`, and the root
    /// is dropped: its own table counts it as leaked.
    pub fn unroot(&self, root: ManualRoot) -> Result<T, HandleError> {
        self.check(root.table)?;
        // Unrooting is the one way a ManualRoot ends without counting a leak.
        let root = ManuallyDrop::new(root);
        Ok(self
            .with(|t| t.slab.remove(root.index, root.generation))
            .expect(
                "a ManualRoot of this table is occupied until it is unrooted, which consumes it",
            ))
    }

    /// How many manual roots are alive, leaked ones included.
    pub fn manual_len(&self) -> usize {
        self.with(|t| t.slab.occupied())
    }

    /// How many manual roots of this table were dropped without being
    /// unrooted. Their slots stay occupied (and counted by
    /// [`manual_len`](Self::manual_len)) until the table is dropped.
    pub fn leaked(&self) -> usize {
        leaks::count(self.id)
    }

    // ----- the collector's view ------------------------------------------

    /// Calls `f` on every root, scoped and manual, so that a moving
    /// collector can rewrite each in place.
    pub fn trace(&mut self, mut f: impl FnMut(&mut T)) {
        let inner = self.inner.get_mut();
        inner.lifo.for_each_mut(&mut f);
        inner.slab.for_each_mut(&mut f);
    }

    /// How many roots are alive, scoped and manual.
    pub fn len(&self) -> usize {
        self.with(|t| t.lifo.len() + t.slab.occupied())
    }

    /// Whether no root is alive.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for RootTable<T> {
    fn drop(&mut self) {
        leaks::unregister(self.id);
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
fn mark_of_another_table(mark: TableId, table: TableId) -> ! {
    panic!("RootTable::exit: the mark belongs to root table {mark}, not {table}")
}
