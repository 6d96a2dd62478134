//! [`Ref`]: an unrooted reference to an object, valid while the heap is
//! borrowed immutably.

use core::fmt;

use crate::heap::Heap;
use crate::object::{Gc, Header, Shape, WORD};
use crate::scheme::Scheme;

/// An unrooted reference to an object of a heap.
///
/// A `Ref` borrows the heap immutably, so it cannot be held across an
/// allocation or a collection (both need `&mut Heap`): while it exists,
/// nothing can move its object. Root it to keep the object across one.
///
/// Every access is checked: the object's address must be in one of the
/// heap's spaces (checked once, when the `Ref` is made) and its header live
/// (checked at every access), a field index must be below the object's
/// field count, a data access must lie within its bytes. A failed check
/// panics with a message that names the mistake; nothing is read or
/// written then.
///
/// Two words (the heap and a pointer to the object's header); `Copy`;
/// neither `Send` nor `Sync`.
pub struct Ref<'h, S: Scheme> {
    heap: &'h Heap<'h, S>,
    /// The object's header, with the provenance of the block it is in. The
    /// heap is borrowed for `'h`, so nothing moves or frees the object
    /// while the `Ref` exists.
    header: *mut u64,
}

impl<S: Scheme> Clone for Ref<'_, S> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: Scheme> Copy for Ref<'_, S> {}

impl<'h, S: Scheme> Ref<'h, S> {
    /// # Safety
    ///
    /// `gc` must be current for `heap`: a live object in its current
    /// spaces (one just allocated, one a root of `heap` holds, or one a
    /// field of such an object holds).
    ///
    /// # Panics
    ///
    /// If `gc` is in none of the heap's spaces (a root the collector did
    /// not see, which the checks catch rather than trust).
    #[inline(always)]
    #[track_caller]
    pub(crate) unsafe fn new(heap: &'h Heap<'_, S>, gc: Gc) -> Self {
        Ref {
            heap,
            header: heap.header_ptr(gc),
        }
    }

    /// # Safety
    ///
    /// `header` must point, with its block's provenance, to the header of a
    /// live object of `heap` (one just allocated).
    #[inline(always)]
    pub(crate) unsafe fn from_header(heap: &'h Heap<'_, S>, header: *mut u64) -> Self {
        Ref { heap, header }
    }

    /// The heap the object belongs to.
    #[inline(always)]
    pub(crate) fn heap(self) -> &'h Heap<'h, S> {
        self.heap
    }

    /// The object's address.
    #[inline(always)]
    pub(crate) fn gc(self) -> Gc {
        Gc::from_addr(self.header.addr())
    }

    /// Whether this object belongs to `heap`.
    #[inline(always)]
    pub(crate) fn is_in(self, heap: &Heap<'_, S>) -> bool {
        self.heap.is(heap)
    }

    /// The header word's address, checked when the `Ref` was made to be
    /// in one of the heap's spaces.
    #[inline(always)]
    fn ptr(self) -> *mut u64 {
        self.header
    }

    /// The object's shape, from its header.
    #[inline(always)]
    pub fn shape(self) -> Shape {
        // SAFETY: `new` checked that the word is in one of the heap's spaces.
        match Header::decode(unsafe { *self.ptr() }) {
            Header::Object(shape) => shape,
            _ => stale(
                self.gc(),
                "its header is poisoned or was overwritten by a collection",
            ),
        }
    }

    /// The object in reference field `i`, if any.
    ///
    /// # Panics
    ///
    /// If `i` is not below the number of fields.
    #[inline]
    pub fn field(self, i: usize) -> Option<Ref<'h, S>> {
        let fields = self.shape().fields();
        if i >= fields {
            field_out_of_range(i, fields);
        }
        // SAFETY: field `i` lies inside the object (checked), which lies
        // inside its space (heap invariant).
        let value = unsafe { *self.ptr().add(1 + i) } as usize;
        // SAFETY: reference fields of a current object hold current objects
        // (the collector forwards them all) or 0.
        (value != 0).then(|| unsafe { Ref::new(self.heap, Gc::from_addr(value)) })
    }

    /// Sets reference field `i` to `value` (or to none).
    ///
    /// # Panics
    ///
    /// If `i` is not below the number of fields, or if `value` belongs to
    /// another heap.
    #[inline]
    pub fn set_field(self, i: usize, value: Option<Ref<'_, S>>) {
        let fields = self.shape().fields();
        if i >= fields {
            field_out_of_range(i, fields);
        }
        let word = match value {
            Some(v) => {
                assert!(
                    v.is_in(self.heap),
                    "set_field: the value belongs to another heap"
                );
                v.gc().addr() as u64
            }
            None => 0,
        };
        let header = self.ptr();
        // SAFETY: as in `field`. Object memory is only ever accessed through
        // raw pointers, so writing through a shared borrow of the heap
        // aliases no reference. `header` is this object's live header, as the
        // barrier requires.
        unsafe {
            *header.add(1 + i) = word;
            self.heap
                .nursery()
                .barrier(self.gc(), header, word as usize);
        }
    }

    /// A pointer to data byte `offset`, after checking that `len` bytes from
    /// there lie within the object's data.
    #[inline(always)]
    fn data(self, offset: usize, len: usize) -> *mut u8 {
        let shape = self.shape();
        match offset.checked_add(len) {
            Some(end) if end <= shape.bytes() => {}
            _ => data_out_of_range(offset, len, shape.bytes()),
        }
        // SAFETY: the data starts after the header and the fields, inside the
        // object; `offset + len` is within it (checked).
        unsafe { self.ptr().add(1 + shape.fields()).cast::<u8>().add(offset) }
    }

    /// A pointer to the first data byte (for a pinned object's data, handed
    /// to native code).
    pub(crate) fn data_ptr(self) -> core::ptr::NonNull<u8> {
        let fields = self.shape().fields();
        // SAFETY: the data starts right after the fields, at most one past
        // the object's end, inside or at the end of its run; the run's
        // base is not null, so neither is this.
        unsafe { core::ptr::NonNull::new_unchecked(self.ptr().add(1 + fields).cast::<u8>()) }
    }

    /// Reads 8 data bytes at `offset` (any alignment) as a native-endian `u64`.
    ///
    /// # Panics
    ///
    /// If the bytes are not all within the object's data.
    #[inline]
    pub fn read_u64(self, offset: usize) -> u64 {
        // SAFETY: `data` checked the 8 bytes.
        unsafe { self.data(offset, 8).cast::<u64>().read_unaligned() }
    }

    /// Writes `value` into 8 data bytes at `offset` (any alignment).
    ///
    /// # Panics
    ///
    /// If the bytes are not all within the object's data.
    #[inline]
    pub fn write_u64(self, offset: usize, value: u64) {
        // SAFETY: `data` checked the 8 bytes.
        unsafe { self.data(offset, 8).cast::<u64>().write_unaligned(value) }
    }

    /// Copies data bytes starting at `offset` into `out`.
    ///
    /// # Panics
    ///
    /// If the bytes are not all within the object's data.
    pub fn read_bytes(self, offset: usize, out: &mut [u8]) {
        let src = self.data(offset, out.len());
        // SAFETY: `data` checked the range; `out` is a distinct Rust
        // allocation (no reference into the heap exists).
        unsafe { core::ptr::copy_nonoverlapping(src, out.as_mut_ptr(), out.len()) }
    }

    /// Copies `bytes` into the data starting at `offset`.
    ///
    /// # Panics
    ///
    /// If the bytes are not all within the object's data.
    pub fn write_bytes(self, offset: usize, bytes: &[u8]) {
        let dst = self.data(offset, bytes.len());
        // SAFETY: as in `read_bytes`.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), dst, bytes.len()) }
    }

    /// The object's size in bytes, header included.
    pub fn size_bytes(self) -> usize {
        self.shape().size_bytes()
    }

    /// The object's current address, for printing. It changes when the object
    /// moves, and cannot be turned back into a reference.
    pub fn addr(self) -> usize {
        self.header.addr()
    }
}

/// Object identity: two `Ref`s are equal when they are the same object of
/// the same heap.
impl<S: Scheme> PartialEq for Ref<'_, S> {
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        self.header == other.header && self.is_in(other.heap)
    }
}

impl<S: Scheme> Eq for Ref<'_, S> {}

impl<S: Scheme> fmt::Debug for Ref<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shape = self.shape();
        write!(
            f,
            "Ref({:#x}: {} fields, {} bytes)",
            self.addr(),
            shape.fields(),
            shape.bytes()
        )
    }
}

/// Reports a reference to an object that is not where the heap keeps its
/// live objects: a root the collector did not see.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn stale(gc: Gc, why: &str) -> ! {
    panic!("gcroots: stale object reference {gc:?}: {why} (a root the collector did not see?)")
}

#[cold]
#[inline(never)]
#[track_caller]
fn field_out_of_range(i: usize, fields: usize) -> ! {
    panic!("field index {i} out of range for an object with {fields} fields")
}

#[cold]
#[inline(never)]
#[track_caller]
fn data_out_of_range(offset: usize, len: usize, bytes: usize) -> ! {
    panic!(
        "data access out of range: bytes {offset}..{} of an object with {bytes} data bytes",
        offset.saturating_add(len)
    )
}

const _: () = assert!(WORD == core::mem::size_of::<u64>());
