//! A pool of root slots with stable addresses, for roots whose handle is
//! movable: [`PooledRoot`](crate::PooledRoot).
//!
//! Slots are allocated in chunks of [`CHUNK`] and never move or go back to
//! the allocator until the pool is dropped. A free slot is on a singly
//! linked free list threaded through the slots; an occupied one is marked
//! as such, so that the collector can walk the chunks and skip the free
//! ones. Taking a slot and giving it back are a few loads and stores, with
//! no allocation but one per [`CHUNK`] slots: the pool is what makes a
//! long-lived intrusive root cost less than a `Box`.
//!
//! This is the design of V8's global handles (blocks of nodes with a free
//! list, the handle a pointer to its node) rather than SpiderMonkey's
//! `PersistentRooted` (a node linked into a list, usually boxed); the
//! pinned, linked kind stays available as
//! [`PersistentRoot`](crate::PersistentRoot), for embedding in a host
//! object.

use core::cell::{Cell, UnsafeCell};
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

/// Slots per chunk: 64 slots of two words, 1 KiB on 64-bit targets.
pub(crate) const CHUNK: usize = 64;

/// One slot of the pool.
pub(crate) struct PoolSlot<T> {
    /// [`PoolSlot::occupied`] while a root holds the slot; otherwise the
    /// next free slot, or null.
    next_free: Cell<*const PoolSlot<T>>,
    /// The rooted value; initialised while the slot is occupied. Only ever
    /// copied in and out.
    value: UnsafeCell<MaybeUninit<T>>,
}

impl<T> PoolSlot<T> {
    /// The `next_free` of an occupied slot: never a slot's address (it is
    /// the alignment of a slot, in the null page), only compared.
    #[inline(always)]
    fn occupied() -> *const PoolSlot<T> {
        ptr::dangling()
    }

    const fn vacant() -> Self {
        PoolSlot {
            next_free: Cell::new(ptr::null()),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }
}

impl<T: Copy> PoolSlot<T> {
    /// The value of an occupied slot.
    ///
    /// # Safety
    ///
    /// The slot is occupied (its value is initialised), and no reference to
    /// the value exists (values are only copied in and out).
    #[inline(always)]
    pub(crate) unsafe fn load(&self) -> T {
        // SAFETY: the caller's promises.
        unsafe { (*self.value.get()).assume_init() }
    }

    /// Makes an occupied slot hold `value`.
    ///
    /// # Safety
    ///
    /// As for [`load`](Self::load).
    #[inline(always)]
    pub(crate) unsafe fn store(&self, value: T) {
        // SAFETY: the caller's promises.
        unsafe { (*self.value.get()).write(value) };
    }
}

/// The pool.
///
/// Invariants: every chunk pointer came from `Box::into_raw` of a
/// `[PoolSlot<T>; CHUNK]` and is freed only by `Drop`; every slot reachable
/// from `free` is vacant and in a chunk of this pool; `live` counts the
/// occupied slots.
pub(crate) struct Pool<T> {
    /// The chunks. A `&mut` to the vector exists only inside
    /// [`Pool::grow`], which runs no code outside this crate but the
    /// global allocator.
    chunks: UnsafeCell<Vec<NonNull<[PoolSlot<T>; CHUNK]>>>,
    free: Cell<*const PoolSlot<T>>,
    live: Cell<usize>,
}

impl<T> Pool<T> {
    pub(crate) const fn new() -> Self {
        Pool {
            chunks: UnsafeCell::new(Vec::new()),
            free: Cell::new(ptr::null()),
            live: Cell::new(0),
        }
    }

    /// How many slots are occupied.
    #[inline]
    pub(crate) fn live(&self) -> usize {
        self.live.get()
    }

    /// Adds a chunk and threads its slots onto the free list, first slot
    /// first.
    #[cold]
    #[inline(never)]
    fn grow(&self) {
        let chunk = Box::into_raw(Box::new([const { PoolSlot::<T>::vacant() }; CHUNK]));
        // SAFETY: `Box::into_raw` never returns null.
        let chunk = unsafe { NonNull::new_unchecked(chunk) };
        let first = chunk.as_ptr().cast::<PoolSlot<T>>();
        for i in (0..CHUNK).rev() {
            // SAFETY: `i < CHUNK`: a slot of the chunk just allocated, which
            // nothing else refers to yet.
            let slot = unsafe { &*first.add(i) };
            slot.next_free.set(self.free.get());
            self.free.set(slot);
        }
        // SAFETY: see the invariant on `chunks`: no other reference to the
        // vector exists while this runs (the pool is `!Sync`, and nothing
        // here calls back into it).
        unsafe { &mut *self.chunks.get() }.push(chunk);
    }
}

impl<T: Copy> Pool<T> {
    /// Takes a free slot (allocating a chunk if there is none) and puts
    /// `value` in it.
    #[inline]
    pub(crate) fn take(&self, value: T) -> NonNull<PoolSlot<T>> {
        if self.free.get().is_null() {
            self.grow();
        }
        let slot = self.free.get();
        // SAFETY: the free list is not empty (grown above), and every slot
        // on it is a vacant slot of a live chunk (invariant).
        let s = unsafe { &*slot };
        self.free.set(s.next_free.get());
        s.next_free.set(PoolSlot::occupied());
        // SAFETY: the slot is now occupied by the caller and no reference
        // to its value exists.
        unsafe { (*s.value.get()).write(value) };
        self.live.set(self.live.get() + 1);
        // SAFETY: `slot` came off the free list: not null.
        unsafe { NonNull::new_unchecked(slot.cast_mut()) }
    }

    /// Gives back an occupied slot.
    ///
    /// # Safety
    ///
    /// `slot` came from [`take`](Self::take) on this pool and has not been
    /// given back since.
    #[inline]
    pub(crate) unsafe fn give_back(&self, slot: NonNull<PoolSlot<T>>) {
        // SAFETY: a slot of this pool's chunks (the caller's promise), which
        // stay allocated until the pool is dropped.
        let s = unsafe { slot.as_ref() };
        debug_assert!(s.next_free.get() == PoolSlot::occupied());
        s.next_free.set(self.free.get());
        self.free.set(s);
        self.live.set(self.live.get() - 1);
    }

    /// Calls `f` on the value of every occupied slot, stopping at the last
    /// one (the free list hands out the lowest slots of a fresh chunk
    /// first, so live slots tend to sit at the front).
    ///
    /// # Safety
    ///
    /// `f` must not take or give back a slot of this pool, nor read or write
    /// a slot's value other than through its argument.
    pub(crate) unsafe fn for_each(&self, mut f: impl FnMut(&mut T)) {
        let mut left = self.live.get();
        if left == 0 {
            return;
        }
        // SAFETY: `f` cannot grow the pool (the caller's promise), so no
        // `&mut` to the vector exists while this shared borrow lives.
        let chunks = unsafe { &*self.chunks.get() };
        for chunk in chunks {
            let first = chunk.as_ptr().cast::<PoolSlot<T>>();
            for i in 0..CHUNK {
                // SAFETY: a slot of a live chunk (invariant on `chunks`).
                let slot = unsafe { &*first.add(i) };
                if slot.next_free.get() == PoolSlot::occupied() {
                    // SAFETY: the slot is occupied, so its value is
                    // initialised; values are only copied in and out, and
                    // `f` touches no other, so this is the only reference.
                    f(unsafe { (*slot.value.get()).assume_init_mut() });
                    left -= 1;
                    if left == 0 {
                        // `live` counts the occupied slots (invariant), and
                        // `f` takes and gives back none: there is no other.
                        return;
                    }
                }
            }
        }
    }
}

impl<T> Drop for Pool<T> {
    fn drop(&mut self) {
        for chunk in self.chunks.get_mut().drain(..) {
            // SAFETY: each chunk came from `Box::into_raw` and is freed once,
            // here. Slots hold `T: Copy` values or nothing: no destructor is
            // skipped. A root still occupying a slot was forgotten
            // (`mem::forget`); its handle is gone and can never reach here.
            drop(unsafe { Box::from_raw(chunk.as_ptr()) });
        }
    }
}
