//! [`RootList`]: the root set of one collector, which its roots borrow.
//!
//! Beneath it, the structures that hold the roots: [`chain`] (the doubly
//! linked chains of pinned nodes) and [`pool`] (the slots of pooled
//! roots). The handle types ([`StackRoot`](crate::StackRoot),
//! [`PersistentRoot`](crate::PersistentRoot),
//! [`PooledRoot`](crate::PooledRoot), [`VecRoot`](crate::VecRoot)) depend
//! only on this module.

use core::cell::Cell;

pub(crate) mod chain;
pub(crate) mod pool;

pub(crate) use chain::{Chain, Node};
pub(crate) use pool::{Pool, PoolSlot};

/// The roots of one collector, each holding a `T`: stack roots, pinned
/// persistent roots and vector roots in three chains, pooled roots in a
/// pool.
///
/// Roots *borrow* the list (each handle holds a `&'r RootList<T>`), so the
/// borrow checker proves that the list outlives every root that can still
/// unlink itself from it. Roots link and unlink themselves through that
/// shared borrow; the list's fields are therefore cells, and the list is
/// `!Send` and `!Sync`.
///
/// A collector enumerates and rewrites the roots with
/// [`trace`](Self::trace).
#[repr(C)]
pub struct RootList<T> {
    /// [`StackRoot`](crate::StackRoot)s.
    pub(crate) stack: Chain<T>,
    /// [`PersistentRoot`](crate::PersistentRoot)s.
    pub(crate) persistent: Chain<T>,
    /// [`VecRoot`](crate::VecRoot)s: one node per vector.
    pub(crate) vectors: Chain<Vec<T>>,
    /// [`PooledRoot`](crate::PooledRoot)s.
    pub(crate) pool: Pool<T>,
    /// [`WeakRoot`](crate::WeakRoot)s: `None` once cleared.
    pub(crate) weak: Pool<Option<T>>,
    /// Whether a collector has claimed this list (see [`claim`](Self::claim)).
    claimed: Cell<bool>,
}

impl<T> Default for RootList<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> RootList<T> {
    /// An empty list.
    pub const fn new() -> Self {
        RootList {
            stack: Chain::new(),
            persistent: Chain::new(),
            vectors: Chain::new(),
            pool: Pool::new(),
            weak: Pool::new(),
            claimed: Cell::new(false),
        }
    }

    /// Marks the list as the root set of one collector. Returns `false` if it
    /// was already claimed.
    ///
    /// A list outlives the collector that traced it, and so can its roots,
    /// still holding that collector's pointers. A collector claims its list
    /// on creation and refuses one that is taken, so those pointers can
    /// never be read through another collector.
    pub fn claim(&self) -> bool {
        !self.claimed.replace(true)
    }

    /// Whether [`claim`](Self::claim) has been called.
    pub fn is_claimed(&self) -> bool {
        self.claimed.get()
    }

    /// How many stack roots are linked (walks them).
    pub fn stack_len(&self) -> usize {
        self.stack.len()
    }

    /// How many pinned persistent roots are linked (walks them).
    pub fn persistent_len(&self) -> usize {
        self.persistent.len()
    }

    /// How many pooled roots are alive.
    pub fn pooled_len(&self) -> usize {
        self.pool.live()
    }

    /// How many weak roots are alive (cleared ones included: a handle
    /// still holds each slot). Weak roots are not counted by
    /// [`len`](Self::len): they keep nothing alive.
    pub fn weak_len(&self) -> usize {
        self.weak.live()
    }

    /// How many vector roots are linked (walks them), each counted once
    /// whatever its length.
    pub fn vec_len(&self) -> usize {
        self.vectors.len()
    }

    /// How many roots are alive, of every kind (a vector counts once).
    pub fn len(&self) -> usize {
        self.stack_len() + self.persistent_len() + self.pooled_len() + self.vec_len()
    }

    /// Whether no root is alive.
    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
            && self.persistent.is_empty()
            && self.vectors.is_empty()
            && self.pool.live() == 0
    }
}

impl<T: Copy> RootList<T> {
    /// Calls `f` on the value of every root of every kind (every element of
    /// every vector), so that a moving collector can rewrite each in place.
    ///
    /// # Safety
    ///
    /// `f` must not create, link, unlink, drop, read or write any root of
    /// this list, nor call anything that might: the walk holds pointers into
    /// the list that such a change would invalidate. A collector's
    /// forwarding function, which only reads and writes its heap, satisfies
    /// this.
    pub unsafe fn trace(&self, mut f: impl FnMut(&mut T)) {
        // SAFETY: values are only copied in and out of their cells by the
        // handles' methods, none of which can run during `f` (the caller's
        // promise; the list is `!Sync`), so each `&mut` handed to `f` is the
        // only reference to its value; `f` links and unlinks nothing, as
        // `for_each` requires.
        unsafe {
            self.stack.for_each(|node| f(&mut *node.value.get()));
            self.persistent.for_each(|node| f(&mut *node.value.get()));
            self.vectors.for_each(|node| {
                for v in (*node.value.get()).iter_mut() {
                    f(v);
                }
            });
        }
        // SAFETY: as above, for the pool's slots.
        unsafe { self.pool.for_each(f) };
    }

    /// Calls `f` on the value of every weak root that is not cleared yet,
    /// after a collection has traced everything else: `f` rewrites a value
    /// whose object moved, or clears it (`None`) if the object died. A
    /// cleared root stays cleared: `f` never sees it again.
    ///
    /// # Safety
    ///
    /// As for [`trace`](Self::trace): `f` must not create, drop, read or
    /// write any root of this list.
    pub unsafe fn sweep_weak(&self, mut f: impl FnMut(&mut Option<T>)) {
        // SAFETY: as in `trace`, for the weak pool's slots.
        unsafe {
            self.weak.for_each(|v| {
                if v.is_some() {
                    f(v)
                }
            })
        };
    }
}

impl<T> core::fmt::Debug for RootList<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RootList")
            .field("claimed", &self.claimed.get())
            .finish_non_exhaustive()
    }
}

/// Reports corruption of a root list and aborts. Unwinding is not an option:
/// it would run destructors that free nodes the list still points to.
#[cold]
#[inline(never)]
pub(crate) fn corrupt(what: &str) -> ! {
    eprintln!("gcroots-intrusive: {what}; aborting");
    std::process::abort()
}
