//! [`PooledRoot`]: a movable long-lived root, a handle to a slot of its
//! list's pool.

use core::ptr::NonNull;

use crate::list::{PoolSlot, RootList};

/// A long-lived root whose value lives in a slot of its list's pool, and
/// whose handle is a pointer to that slot: movable, reading it is one load,
/// and creating or dropping it takes a slot off or puts it back on a free
/// list (an allocation once per 64 slots, never per root).
///
/// Dropping it gives the slot back, which unroots its value. Cloning it
/// takes a new slot holding the same value: two roots of one object.
/// Forgetting it (`mem::forget`) keeps its slot occupied and its value
/// rooted until the list is dropped: a leak that
/// [`RootList::pooled_len`] counts, never a dangling slot.
///
/// Two words (the slot and the list). `!Send` and `!Sync`, like the list.
pub struct PooledRoot<'r, T: Copy> {
    /// Invariant: a slot of `list`'s pool that this handle occupies, until
    /// `Drop` gives it back.
    slot: NonNull<PoolSlot<T>>,
    list: &'r RootList<T>,
}

impl<'r, T: Copy> PooledRoot<'r, T> {
    /// A root for `list` holding `value`.
    #[inline]
    pub fn new(list: &'r RootList<T>, value: T) -> Self {
        PooledRoot {
            slot: list.pool.take(value),
            list,
        }
    }

    /// The rooted value: one load.
    #[inline(always)]
    pub fn load(&self) -> T {
        // SAFETY: the slot is occupied by this handle (invariant), in a
        // chunk that lives as long as the list; values are only copied in
        // and out, and `trace` cannot run during this call.
        unsafe { self.slot.as_ref().load() }
    }

    /// Makes the root hold `value`.
    #[inline(always)]
    pub fn store(&self, value: T) {
        // SAFETY: as in `load`.
        unsafe { self.slot.as_ref().store(value) }
    }

    /// The list this root belongs to.
    #[inline(always)]
    pub fn list(&self) -> &'r RootList<T> {
        self.list
    }
}

impl<T: Copy> Clone for PooledRoot<'_, T> {
    /// Another root of the same value, in a slot of its own.
    fn clone(&self) -> Self {
        PooledRoot::new(self.list, self.load())
    }
}

impl<T: Copy> Drop for PooledRoot<'_, T> {
    /// Gives the slot back. Never panics.
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the slot came from this list's pool and is occupied by this
        // handle (invariant); it is given back once, here.
        unsafe { self.list.pool.give_back(self.slot) };
    }
}

impl<T: Copy + core::fmt::Debug> core::fmt::Debug for PooledRoot<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PooledRoot")
            .field("value", &self.load())
            .finish()
    }
}
