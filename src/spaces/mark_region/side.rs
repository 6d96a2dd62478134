//! [`Side`]: a chunk's side metadata, one table of small values (line
//! marks, bitmap words, per-block counts), read and written value by value
//! through raw pointers.
//!
//! Why not a `Vec`: a collection touches the tables one value at a time,
//! millions of times, and indexing a `Vec` mutably makes a `&mut [T]` of
//! the whole table first. That costs nothing natively, but under miri every
//! such reference is retagged over the whole table, whose borrow state the
//! element-wise accesses have fragmented: a collection of 4,000 objects
//! took 6 seconds there. Here no reference to a table is ever made; each
//! access checks its index against the length and touches one value.

use core::marker::PhantomData;
use core::ptr::NonNull;
use std::alloc::{self, Layout};

/// Types whose all-zero bytes are a valid value.
pub(super) trait Zeroable: Copy {}
impl Zeroable for u8 {}
impl Zeroable for u16 {}
impl Zeroable for u64 {}

/// `len` values of `T`, zeroed at first.
pub(super) struct Side<T: Zeroable> {
    /// Invariant: allocated with `Layout::array::<T>(len.max(1))`, owned
    /// by this table until it is dropped, and `len` initialised values.
    ptr: NonNull<T>,
    len: usize,
    _owns: PhantomData<T>,
}

// SAFETY: a table owns its values like a `Box<[T]>` does; `T` is plain data.
unsafe impl<T: Zeroable> Send for Side<T> {}

impl<T: Zeroable> Side<T> {
    /// A table of `len` zeroes, or `None` if the allocator refuses (so that
    /// a large chunk's metadata can fail like its memory, without
    /// aborting). For large sizes the pages are fresh, not resident until
    /// written.
    pub(super) fn new(len: usize) -> Option<Side<T>> {
        let layout = Layout::array::<T>(len.max(1)).ok()?;
        // SAFETY: `layout` has a non-zero size.
        let ptr = NonNull::new(unsafe { alloc::alloc_zeroed(layout) })?.cast::<T>();
        Some(Side {
            ptr,
            len,
            _owns: PhantomData,
        })
    }

    /// Value `i`.
    ///
    /// # Panics
    ///
    /// If `i` is out of range.
    #[inline(always)]
    pub(super) fn get(&self, i: usize) -> T {
        assert!(
            i < self.len,
            "side table index {i} out of range {}",
            self.len
        );
        // SAFETY: `i < len` (checked), and the values are initialised
        // (zeroed, then written whole); `T: Zeroable` makes zero valid.
        unsafe { self.ptr.as_ptr().add(i).read() }
    }

    /// Sets value `i`.
    ///
    /// # Panics
    ///
    /// If `i` is out of range.
    #[inline(always)]
    pub(super) fn set(&mut self, i: usize, value: T) {
        assert!(
            i < self.len,
            "side table index {i} out of range {}",
            self.len
        );
        // SAFETY: `i < len` (checked); `&mut self` is the only access.
        unsafe { self.ptr.as_ptr().add(i).write(value) }
    }

    /// Sets values `from..to`: one bounds check and a loop the compiler
    /// turns into `memset` (a `set` per value, each checked, cost a quarter
    /// of a microsecond per block at every collection).
    ///
    /// # Panics
    ///
    /// If the range is out of the table.
    pub(super) fn fill(&mut self, from: usize, to: usize, value: T) {
        assert!(
            from <= to && to <= self.len,
            "side table range {from}..{to} out of range {}",
            self.len
        );
        // SAFETY: `from..to` is inside the table (checked), whose values
        // are initialised; `&mut self` is the only access, and the slice
        // covers only the range (not the whole table, which miri would
        // retag at every call).
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr().add(from), to - from) }
            .fill(value);
    }

    /// Copies values `from..to` of `other` over this table's.
    ///
    /// # Panics
    ///
    /// If the range is out of either table.
    pub(super) fn copy_from(&mut self, other: &Side<T>, from: usize, to: usize) {
        assert!(from <= to && to <= self.len && to <= other.len);
        // SAFETY: the range is inside both tables (checked), which are
        // distinct allocations (`&mut self` and `&other` cannot alias).
        unsafe {
            core::ptr::copy_nonoverlapping(
                other.ptr.as_ptr().add(from),
                self.ptr.as_ptr().add(from),
                to - from,
            )
        }
    }

    /// Whether values `from..to` are all `value`.
    pub(super) fn all(&self, from: usize, to: usize, value: T) -> bool
    where
        T: PartialEq,
    {
        assert!(from <= to && to <= self.len);
        // SAFETY: as in `fill`, shared.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr().add(from), to - from) }
            .iter()
            .all(|v| *v == value)
    }
}

impl Side<u8> {
    /// The first index in `from..to` whose value is zero (`zero`) or not.
    pub(super) fn find(&self, from: usize, to: usize, zero: bool) -> Option<usize> {
        (from..to).find(|&i| (self.get(i) == 0) == zero)
    }

    /// How many of values `from..to`, each 0 or 1, are 1: a popcount over
    /// 8 values at a time. `from` and `to` are multiples of 8.
    pub(super) fn count_ones(&self, from: usize, to: usize) -> usize {
        assert!(from % 8 == 0 && to % 8 == 0 && from <= to && to <= self.len);
        (from..to)
            .step_by(8)
            .map(|i| {
                // SAFETY: `i + 8 <= to <= len` (checked above): 8 initialised
                // bytes, read unaligned.
                let word = unsafe { self.ptr.as_ptr().add(i).cast::<u64>().read_unaligned() };
                word.count_ones() as usize
            })
            .sum()
    }
}

impl Side<u64> {
    /// Bit `i` of the table, read as a bitmap.
    #[inline(always)]
    pub(super) fn bit(&self, i: usize) -> bool {
        self.get(i / 64) >> (i % 64) & 1 != 0
    }

    /// Sets bit `i`.
    #[inline(always)]
    pub(super) fn set_bit(&mut self, i: usize) {
        let w = self.get(i / 64);
        self.set(i / 64, w | 1 << (i % 64));
    }

    #[cfg(any(test, all(feature = "conservative", not(miri))))]
    /// The last set bit at or before `at` and at or after `from`.
    pub(super) fn prev_bit(&self, from: usize, at: usize) -> Option<usize> {
        let mut w = at;
        loop {
            // The bits of word `w / 64` at or below `w`.
            let bits = self.get(w / 64) & (u64::MAX >> (63 - w % 64));
            if bits != 0 {
                let s = (w / 64) * 64 + 63 - bits.leading_zeros() as usize;
                return (s >= from).then_some(s);
            }
            if w / 64 * 64 <= from {
                return None;
            }
            w = w / 64 * 64 - 1;
        }
    }

    /// The first set bit at or after `from` and before `to`.
    pub(super) fn next_bit(&self, from: usize, to: usize) -> Option<usize> {
        let mut w = from;
        while w < to {
            let bits = self.get(w / 64) >> (w % 64);
            if bits != 0 {
                let s = w + bits.trailing_zeros() as usize;
                return (s < to).then_some(s);
            }
            w = (w / 64 + 1) * 64;
        }
        None
    }
}

impl<T: Zeroable> Drop for Side<T> {
    fn drop(&mut self) {
        let layout = Layout::array::<T>(self.len.max(1)).expect("valid at allocation");
        // SAFETY: allocated with this layout (invariant), freed once, here.
        unsafe { alloc::dealloc(self.ptr.as_ptr().cast(), layout) };
    }
}
