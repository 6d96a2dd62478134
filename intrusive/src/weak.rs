//! [`WeakRoot`]: a movable root that does not keep its value alive, a
//! handle to a slot of its list's weak pool.

use core::ptr::NonNull;

use crate::list::{PoolSlot, RootList};

/// A root the collector does not trace: its value is *seen* (rewritten when
/// it moves) but not *kept*. After a collection that found the value
/// unreachable the collector clears the slot, and [`load`](Self::load)
/// answers `None` from then on (V8's weak `Global`, JNI's weak global
/// reference, SpiderMonkey's weak pointers).
///
/// The slot is one of the list's *weak pool*, a pool of its own, so a
/// collection's strong walk never visits weak slots and its weak sweep
/// ([`RootList::sweep_weak`]) visits nothing else. As a
/// [`PooledRoot`](crate::PooledRoot): two words, movable, `!Send`,
/// `!Sync`; dropping it gives the slot back; cloning takes another slot
/// holding the same value (a weak root is never written after it is made,
/// but by the collector, so a clone cannot be told from a shared handle);
/// forgetting it keeps its slot until the list is dropped
/// ([`RootList::weak_len`] counts it), and never keeps its value alive.
pub struct WeakRoot<'r, T: Copy> {
    /// Invariant: a slot of `list`'s weak pool that this handle occupies,
    /// until `Drop` gives it back.
    slot: NonNull<PoolSlot<Option<T>>>,
    list: &'r RootList<T>,
}

impl<'r, T: Copy> WeakRoot<'r, T> {
    /// A weak root for `list` seeing `value`.
    #[inline]
    pub fn new(list: &'r RootList<T>, value: T) -> Self {
        WeakRoot {
            slot: list.weak.take(Some(value)),
            list,
        }
    }

    /// The value, or `None` once a collector cleared it: one load.
    #[inline(always)]
    pub fn load(&self) -> Option<T> {
        // SAFETY: the slot is occupied by this handle (invariant), in a
        // chunk that lives as long as the list; values are only copied in
        // and out, and `sweep_weak` cannot run during this call.
        unsafe { self.slot.as_ref().load() }
    }

    /// The list this root belongs to.
    #[inline(always)]
    pub fn list(&self) -> &'r RootList<T> {
        self.list
    }
}

impl<T: Copy> Clone for WeakRoot<'_, T> {
    /// Another weak root of the same value (or of none), in a slot of its
    /// own.
    fn clone(&self) -> Self {
        WeakRoot {
            slot: self.list.weak.take(self.load()),
            list: self.list,
        }
    }
}

impl<T: Copy> Drop for WeakRoot<'_, T> {
    /// Gives the slot back. Never panics.
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the slot came from this list's weak pool and is occupied
        // by this handle (invariant); it is given back once, here.
        unsafe { self.list.weak.give_back(self.slot) };
    }
}

impl<T: Copy + core::fmt::Debug> core::fmt::Debug for WeakRoot<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WeakRoot")
            .field("value", &self.load())
            .finish()
    }
}
