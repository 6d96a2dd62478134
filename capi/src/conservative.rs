//! The conservative scheme's C API: no root operation for a value on the
//! stack. An object is a plain pointer (`gcr_object_t *`) that C keeps in
//! its locals; every collection scans the calling thread's stack and
//! registers and keeps, where they are, the objects those words point
//! into. Only a reference kept outside the stack (in `malloc`ed memory, a
//! global) takes a root: the indexed scheme's owned root, cloned and
//! unrooted with no heap argument (`gcr_indexed_root_clone`,
//! `gcr_indexed_root_unroot`).
//!
//! Every access through a pointer takes the heap, which checks that the
//! pointer is the start of one of its objects (`GCR_ERR_STALE` if not:
//! never a read of memory that is not an object).

use core::ptr::NonNull;

use gcroots::{Config, Conservative, Heap, Indexed, Persistent, Ref, Root, Roots, Shape};

use crate::gcr_status_t::{self, *};
use crate::indexed::gcr_indexed_root_t;
use crate::{alloc_error, fail, gcr_config_t, gcr_stats_t, guard, heap_error, non_null, status};

/// A heap whose stack roots are found by scanning the stack. Made by
/// [`gcr_conservative_heap_new`] (in a mark-region configuration without a
/// nursery), ended by [`gcr_conservative_heap_destroy`]. It belongs to the
/// thread that made it: a collection on another thread is refused
/// (`GCR_ERR_MISUSE`), since its stack roots are on that thread's stack.
pub struct gcr_conservative_heap_t {
    /// The heap, borrowing `roots`; dropped before it.
    heap: Heap<'static, Conservative>,
    /// From `Box::into_raw`; freed after the heap.
    roots: NonNull<Roots<Conservative>>,
}

impl core::fmt::Debug for gcr_conservative_heap_t {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.heap.fmt(f)
    }
}

/// An object of a conservative heap: C holds `gcr_object_t *`, the
/// object's address, and never reads through it itself (an incomplete
/// type in C).
pub struct gcr_object_t {
    _opaque: [u8; 0],
}

impl core::fmt::Debug for gcr_object_t {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("gcr_object_t")
    }
}

/// A long-lived root of a conservative heap: an indexed root
/// (`gcr_indexed_root_t`), initialised, cloned, tested and unrooted with
/// the indexed functions, read with [`gcr_conservative_root_get`].
pub type gcr_conservative_root_t = gcr_indexed_root_t;

// A conservative heap's long-lived root is an owned root, as an indexed
// heap's is, behind the same `repr(transparent)` `Persistent`: the C root
// type holds either.
const _: () = assert!(
    size_of::<Persistent<'static, Conservative>>() == size_of::<Persistent<'static, Indexed>>()
);

/// The heap behind a context pointer.
///
/// # Safety
///
/// `cx` is null or a live heap of this API, and nothing else borrows it.
unsafe fn heap<'a>(
    cx: *mut gcr_conservative_heap_t,
) -> Result<&'a mut Heap<'static, Conservative>, gcr_status_t> {
    non_null(cx, "heap")?;
    // SAFETY: the caller's promise.
    Ok(unsafe { &mut (*cx).heap })
}

/// The object that starts at `obj` in `heap`.
fn object<'h>(
    heap: &'h mut Heap<'static, Conservative>,
    obj: *const gcr_object_t,
) -> Result<Ref<'h, Conservative>, gcr_status_t> {
    non_null(obj, "object")?;
    let addr = obj.addr();
    heap.object_at(addr).ok_or_else(|| {
        fail(
            GCR_ERR_STALE,
            format!(
                "{addr:#x} is not an object of this heap: another heap's, not an object's \
                 first byte, or an address kept off the stack across a collection (keep \
                 those in a root)"
            ),
        )
    })
}

fn data_range(obj: Ref<'_, Conservative>, offset: usize, len: usize) -> Result<(), gcr_status_t> {
    let bytes = obj.shape().bytes();
    match offset.checked_add(len) {
        Some(end) if end <= bytes => Ok(()),
        _ => Err(fail(
            GCR_ERR_RANGE,
            format!("data bytes {offset}..+{len} out of range for an object with {bytes} bytes"),
        )),
    }
}

fn field_range(obj: Ref<'_, Conservative>, i: usize) -> Result<(), gcr_status_t> {
    let fields = obj.shape().fields();
    if i < fields {
        Ok(())
    } else {
        Err(fail(
            GCR_ERR_RANGE,
            format!("field {i} out of range for an object with {fields} fields"),
        ))
    }
}

fn out_ptr(r: Option<Ref<'_, Conservative>>) -> *mut gcr_object_t {
    r.map_or(core::ptr::null_mut(), |r| {
        core::ptr::without_provenance_mut(r.addr())
    })
}

/// Makes a heap with `config` (null: the default mark-region
/// configuration) and stores it in `*out`. Errors: `GCR_ERR_NULL`,
/// `GCR_ERR_CONFIG`, `GCR_ERR_UNSUPPORTED` (a mode that cannot pin: not
/// mark-region, or with a nursery), `GCR_ERR_SYSTEM`.
///
/// # Safety
///
/// `config` is null or valid for reading; `out` is null or valid for
/// writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_conservative_heap_new(
    config: *const gcr_config_t,
    out: *mut *mut gcr_conservative_heap_t,
) -> gcr_status_t {
    guard(|| {
        if let Err(s) = non_null(out, "out") {
            return s;
        }
        let config = if config.is_null() {
            Config::mark_region()
        } else {
            // SAFETY: the caller's promise.
            Config::from(unsafe { &*config })
        };
        let roots = NonNull::from(Box::leak(Box::new(Roots::<Conservative>::new())));
        // SAFETY: `roots` is freed only after the heap (`heap_destroy`).
        match Heap::new(unsafe { roots.as_ref() }, config) {
            Ok(heap) => {
                let cx = Box::into_raw(Box::new(gcr_conservative_heap_t { heap, roots }));
                // SAFETY: the caller's promise.
                unsafe { out.write(cx) };
                GCR_OK
            }
            Err(e) => {
                // SAFETY: from `Box::leak` just above; nothing borrows it.
                drop(unsafe { Box::from_raw(roots.as_ptr()) });
                match e {
                    gcroots::HeapError::CannotPin { .. } => fail(GCR_ERR_UNSUPPORTED, e),
                    e => heap_error(e),
                }
            }
        }
    })
}

/// Destroys a heap. Its roots still need `gcr_indexed_root_unroot`. Does
/// nothing if `heap` is null.
///
/// # Safety
///
/// `heap` is null or came from [`gcr_conservative_heap_new`] and was not
/// destroyed; it is not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_conservative_heap_destroy(heap: *mut gcr_conservative_heap_t) {
    if heap.is_null() {
        return;
    }
    // SAFETY: the caller's promise; the heap (which borrows `roots`) drops
    // first.
    unsafe {
        let cx = Box::from_raw(heap);
        let roots = cx.roots;
        drop(cx);
        drop(Box::from_raw(roots.as_ptr()));
    }
}

/// Runs a collection: every object a word of this thread's stack or
/// registers points into stays where it is; the others reachable from
/// them or from roots may move. Errors: `GCR_ERR_NULL`; `GCR_ERR_MISUSE`
/// on another thread than the heap's.
///
/// # Safety
///
/// `heap` is null or a live heap of this API.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_conservative_collect(
    heap: *mut gcr_conservative_heap_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            // SAFETY: the caller's promise.
            unsafe { self::heap(heap)? }.collect();
            Ok(())
        })())
    })
}

/// Stores the heap's statistics in `*out`. Errors: `GCR_ERR_NULL`.
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `out` is null or valid for
/// writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_conservative_stats(
    heap: *mut gcr_conservative_heap_t,
    out: *mut gcr_stats_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let stats = unsafe { self::heap(heap)? }.stats();
            // SAFETY: the caller's promise.
            unsafe { out.write(stats.into()) };
            Ok(())
        })())
    })
}

/// Allocates an object with `fields` reference fields (empty) and `bytes`
/// bytes of data (zero) and stores its address in `*out`: keep it in a
/// local, and the collector keeps the object. May collect first.
///
/// Errors: `GCR_ERR_NULL`; `GCR_ERR_TOO_LARGE`, `GCR_ERR_OUT_OF_MEMORY`
/// (the heap keeps working); `GCR_ERR_SYSTEM`; `GCR_ERR_MISUSE` if it
/// collects on another thread than the heap's.
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `out` is null or valid for
/// writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_conservative_alloc(
    heap: *mut gcr_conservative_heap_t,
    fields: usize,
    bytes: usize,
    out: *mut *mut gcr_object_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let heap = unsafe { self::heap(heap)? };
            let obj = heap.alloc(Shape::new(fields, bytes)).map_err(alloc_error)?;
            // SAFETY: the caller's promise.
            unsafe { out.write(out_ptr(Some(obj))) };
            Ok(())
        })())
    })
}

/// Reads the 8 data bytes at byte `offset` of `obj` into `*out`. Errors:
/// `GCR_ERR_NULL`, `GCR_ERR_STALE` (not an object of this heap),
/// `GCR_ERR_RANGE`.
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `out` is null or valid for
/// writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_conservative_get_u64(
    heap: *mut gcr_conservative_heap_t,
    obj: *const gcr_object_t,
    offset: usize,
    out: *mut u64,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let o = object(unsafe { self::heap(heap)? }, obj)?;
            data_range(o, offset, 8)?;
            // SAFETY: the caller's promise.
            unsafe { out.write(o.read_u64(offset)) };
            Ok(())
        })())
    })
}

/// Writes `value` to the 8 data bytes at byte `offset` of `obj`. Errors
/// as [`gcr_conservative_get_u64`].
///
/// # Safety
///
/// `heap` is null or a live heap of this API.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_conservative_set_u64(
    heap: *mut gcr_conservative_heap_t,
    obj: *const gcr_object_t,
    offset: usize,
    value: u64,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            // SAFETY: the caller's promise.
            let o = object(unsafe { self::heap(heap)? }, obj)?;
            data_range(o, offset, 8)?;
            o.write_u64(offset, value);
            Ok(())
        })())
    })
}

/// Stores field `i` of `obj` in `*out` (null for none). Errors as
/// [`gcr_conservative_get_u64`].
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `out` is null or valid for
/// writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_conservative_get_field(
    heap: *mut gcr_conservative_heap_t,
    obj: *const gcr_object_t,
    i: usize,
    out: *mut *mut gcr_object_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let o = object(unsafe { self::heap(heap)? }, obj)?;
            field_range(o, i)?;
            // SAFETY: the caller's promise.
            unsafe { out.write(out_ptr(o.field(i))) };
            Ok(())
        })())
    })
}

/// Makes field `i` of `obj` hold `value` (null for none). Errors as
/// [`gcr_conservative_get_u64`], for either object.
///
/// # Safety
///
/// `heap` is null or a live heap of this API.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_conservative_set_field(
    heap: *mut gcr_conservative_heap_t,
    obj: *const gcr_object_t,
    i: usize,
    value: *const gcr_object_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            // SAFETY: the caller's promise.
            let heap = unsafe { self::heap(heap)? };
            // Both checked first (`object_at` borrows the heap mutably, and
            // records the starts of new objects), then found again through
            // a shared borrow, which finds them now.
            object(heap, obj)?;
            if !value.is_null() {
                object(heap, value)?;
            }
            let heap = &*heap;
            let found = |addr: usize| heap.find_object(addr).expect("checked just above");
            let o = found(obj.addr());
            field_range(o, i)?;
            o.set_field(i, (!value.is_null()).then(|| found(value.addr())));
            Ok(())
        })())
    })
}

/// Stores `obj`'s number of fields and data bytes. Errors as
/// [`gcr_conservative_get_u64`].
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `fields` and `bytes` are
/// null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_conservative_shape(
    heap: *mut gcr_conservative_heap_t,
    obj: *const gcr_object_t,
    fields: *mut usize,
    bytes: *mut usize,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(fields, "fields")?;
            non_null(bytes, "bytes")?;
            // SAFETY: the caller's promise.
            let o = object(unsafe { self::heap(heap)? }, obj)?;
            // SAFETY: the caller's promise.
            unsafe {
                fields.write(o.shape().fields());
                bytes.write(o.shape().bytes());
            }
            Ok(())
        })())
    })
}

/// Makes `out` a long-lived root of `obj` (dropping the handle it held),
/// for a reference kept outside the stack. Errors as
/// [`gcr_conservative_get_u64`].
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `out` is null or an
/// initialised root.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_conservative_persist(
    heap: *mut gcr_conservative_heap_t,
    obj: *const gcr_object_t,
    out: *mut gcr_conservative_root_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let heap = unsafe { self::heap(heap)? };
            let roots = heap.roots();
            let o = object(heap, obj)?;
            let p = roots.persist(o);
            // SAFETY: `Persistent` is `repr(transparent)` over the owned
            // root under both schemes (size asserted above): the C root
            // type holds either, and the table id inside tells the heaps
            // apart (another heap's use is `GCR_ERR_WRONG_HEAP`).
            let p: Persistent<'static, Indexed> = unsafe { core::mem::transmute(p) };
            // SAFETY: `out` is an initialised root.
            unsafe { crate::indexed::fill_root(out, p) };
            Ok(())
        })())
    })
}

/// Stores the object `root` holds in `*out`. Errors: `GCR_ERR_NULL`,
/// `GCR_ERR_EMPTY`, `GCR_ERR_WRONG_HEAP`, `GCR_ERR_STALE`.
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `root` is null or an
/// initialised root; `out` is null or valid for writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_conservative_root_get(
    heap: *mut gcr_conservative_heap_t,
    root: *const gcr_conservative_root_t,
    out: *mut *mut gcr_object_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let heap = unsafe { self::heap(heap)? };
            // SAFETY: the caller's promise.
            let h = unsafe { crate::indexed::root_handle(root)? };
            // SAFETY: as in `gcr_conservative_persist`: the same bytes,
            // read as the conservative scheme's owned root.
            let h: &Persistent<'static, Conservative> = unsafe { core::mem::transmute(h) };
            let o = h.try_get(heap).map_err(crate::root_error)?;
            // SAFETY: the caller's promise.
            unsafe { out.write(out_ptr(Some(o))) };
            Ok(())
        })())
    })
}
