//! The indexed scheme's C API, shaped like Wasmtime's for its owned GC
//! references (`wasmtime_anyref_t`, `OwnedRooted` since 2025): a root is a
//! handle naming a slot of the heap's table. Cloning and unrooting a handle
//! take no heap; everything that reaches the object takes the heap, the
//! context the table lives in.

use core::mem::{MaybeUninit, align_of, size_of};
use core::ptr::{self, NonNull};

use gcroots::{Config, Heap, Indexed, Persistent, Ref, Root, RootError, Roots, Shape};

use crate::gcr_status_t::{self, *};
use crate::{
    PinTable, alloc_error, fail, gcr_config_t, gcr_pin_t, gcr_stats_t, guard, heap_error, non_null,
    pin_error, root_error, status,
};

/// A heap whose roots are indexed handles. Made by
/// [`gcr_indexed_heap_new`], ended by [`gcr_indexed_heap_destroy`]; may move
/// between threads (used by one at a time).
pub struct gcr_indexed_heap_t {
    /// The heap, borrowing `roots`; dropped before it.
    heap: Heap<'static, Indexed>,
    /// The pins the heap made for C.
    pins: PinTable,
    /// From `Box::into_raw`; freed after the heap.
    roots: NonNull<Roots<Indexed>>,
}

impl core::fmt::Debug for gcr_indexed_heap_t {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.heap.fmt(f)
    }
}

/// A root: a handle to a slot of a heap's table. 32 bytes, aligned like a
/// pointer. All-zero bytes are an empty root, as is one that
/// [`gcr_indexed_root_init`] initialised; end a root with
/// [`gcr_indexed_root_unroot`]. It may be cloned or unrooted on any thread.
///
/// Copy it with [`gcr_indexed_root_clone`], which counts the copy. A copy
/// of its bytes (`memcpy`, struct assignment, `realloc` of an array of
/// roots) is not counted: it is a move if the source is then forgotten
/// (re-initialised empty, or its memory freed: what the C++ move
/// constructor and `realloc` do), and otherwise the first of the twins to
/// be unrooted unroots both; every later use of the other, unrooting it
/// included, is `GCR_ERR_STALE`, and touches no freed memory (the slot's
/// liveness cell is never freed).
///
/// Its fields belong to this library and to the header's inline clone and
/// unroot (`gcroots_inline.h`).
#[repr(C)]
pub struct gcr_indexed_root_t {
    /// 1 while the root holds a handle, 0 while empty.
    pub full: usize,
    /// The handle, while `full`; uninitialised memory otherwise.
    pub handle: MaybeUninit<gcr_indexed_handle_t>,
}

/// An owned root's handle (`gcroots_indexed::layout`): its slot's liveness
/// cell (`generation << 32 | count`, updated atomically, never freed), the
/// table and slot, and the generation it was issued with.
#[repr(C)]
pub struct gcr_indexed_handle_t {
    /// The slot's liveness cell.
    pub cell: *mut u64,
    /// The table's id.
    pub table: u32,
    /// The slot's index.
    pub index: u32,
    /// The occupancy's generation.
    pub generation: u32,
}

impl core::fmt::Debug for gcr_indexed_handle_t {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("gcr_indexed_handle_t")
    }
}

/// An indexed root's size in bytes, for the header's static assertions.
pub const GCR_INDEXED_ROOT_SIZE: usize = 32;
/// Where a liveness cell's generation starts.
pub const GCR_INDEXED_CELL_GENERATION_SHIFT: u32 = 32;
/// A liveness cell's count mask.
pub const GCR_INDEXED_CELL_COUNT_MASK: u64 = 0xFFFF_FFFF;

// The C layout is the Rust one (`gcroots_indexed::layout`).
const _: () = {
    use core::mem::offset_of;
    use gcroots_indexed::layout;
    assert!(size_of::<gcr_indexed_root_t>() == GCR_INDEXED_ROOT_SIZE);
    assert!(offset_of!(gcr_indexed_root_t, handle) == offset_of!(RootRepr, root));
    assert!(size_of::<Persistent<'static, Indexed>>() == layout::OWNED_SIZE);
    assert!(size_of::<gcr_indexed_handle_t>() == layout::OWNED_SIZE);
    assert!(offset_of!(gcr_indexed_handle_t, cell) == layout::OWNED_CELL);
    assert!(offset_of!(gcr_indexed_handle_t, generation) == layout::OWNED_GENERATION);
    assert!(GCR_INDEXED_CELL_GENERATION_SHIFT == layout::CELL_GENERATION_SHIFT);
    assert!(GCR_INDEXED_CELL_COUNT_MASK == layout::CELL_COUNT_MASK);
};

impl core::fmt::Debug for gcr_indexed_root_t {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("gcr_indexed_root_t")
    }
}

/// The layout behind [`gcr_indexed_root_t`].
#[repr(C)]
struct RootRepr {
    /// 1 while `root` is initialised, 0 while empty.
    full: usize,
    root: MaybeUninit<Persistent<'static, Indexed>>,
}

const _: () = assert!(size_of::<RootRepr>() == size_of::<gcr_indexed_root_t>());
const _: () = assert!(align_of::<RootRepr>() == align_of::<gcr_indexed_root_t>());

fn repr(root: *const gcr_indexed_root_t) -> *mut RootRepr {
    root.cast_mut().cast()
}

/// Empties `root`, dropping its handle (which unroots its slot once no
/// clone is left).
///
/// # Safety
///
/// `root` is valid and initialised, and no reference into it is alive.
unsafe fn release(root: *const gcr_indexed_root_t) {
    let r = repr(root);
    // SAFETY: the caller's promise; the handle is initialised while `full`.
    unsafe {
        if (*r).full != 0 {
            (*r).full = 0;
            ptr::drop_in_place((*r).root.as_mut_ptr());
        }
    }
}

/// Makes the initialised `root` hold `handle`.
///
/// # Safety
///
/// As for [`release`].
unsafe fn fill(root: *const gcr_indexed_root_t, handle: Persistent<'static, Indexed>) {
    // SAFETY: forwarded.
    unsafe {
        release(root);
        let r = repr(root);
        (*r).root.write(handle);
        (*r).full = 1;
    }
}

/// Makes the initialised `root` hold `handle` (for the conservative
/// scheme's roots, which are this type).
///
/// # Safety
///
/// As for [`release`].
pub(crate) unsafe fn fill_root(
    root: *const gcr_indexed_root_t,
    handle: Persistent<'static, Indexed>,
) {
    // SAFETY: forwarded.
    unsafe { fill(root, handle) }
}

/// The handle a root holds (for the conservative scheme's roots).
///
/// # Safety
///
/// As for [`handle`].
pub(crate) unsafe fn root_handle<'a>(
    root: *const gcr_indexed_root_t,
) -> Result<&'a Persistent<'static, Indexed>, gcr_status_t> {
    // SAFETY: forwarded.
    unsafe { handle(root) }
}

/// The handle a root holds.
///
/// # Safety
///
/// `root` is null or initialised, and no `&mut` to it is alive.
unsafe fn handle<'a>(
    root: *const gcr_indexed_root_t,
) -> Result<&'a Persistent<'static, Indexed>, gcr_status_t> {
    non_null(root, "root")?;
    // SAFETY: the caller's promise.
    let r = unsafe { &*repr(root) };
    if r.full == 0 {
        return Err(fail(GCR_ERR_EMPTY, "the root holds no object"));
    }
    // SAFETY: initialised while `full`.
    Ok(unsafe { r.root.assume_init_ref() })
}

/// The heap behind a context pointer.
///
/// # Safety
///
/// `cx` is null or a live heap of this API.
unsafe fn heap<'a>(
    cx: *const gcr_indexed_heap_t,
) -> Result<&'a Heap<'static, Indexed>, gcr_status_t> {
    non_null(cx, "heap")?;
    // SAFETY: the caller's promise.
    Ok(unsafe { &(*cx).heap })
}

/// The object `root` holds, on the heap `cx`.
///
/// # Safety
///
/// As for [`handle`] and [`heap`].
unsafe fn object<'a>(
    cx: *const gcr_indexed_heap_t,
    root: *const gcr_indexed_root_t,
) -> Result<Ref<'a, Indexed>, gcr_status_t> {
    // SAFETY: forwarded.
    let (heap, h) = unsafe { (heap(cx)?, handle(root)?) };
    h.try_get(heap).map_err(root_error)
}

fn data_range(obj: Ref<'_, Indexed>, offset: usize, len: usize) -> Result<(), gcr_status_t> {
    let bytes = obj.shape().bytes();
    match offset.checked_add(len) {
        Some(end) if end <= bytes => Ok(()),
        _ => Err(fail(
            GCR_ERR_RANGE,
            format!("data bytes {offset}..+{len} out of range for an object with {bytes} bytes"),
        )),
    }
}

fn field_range(obj: Ref<'_, Indexed>, i: usize) -> Result<(), gcr_status_t> {
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

// ----- the heap --------------------------------------------------------------

/// Makes a heap with `config` (null: the default) and stores it in `*out`.
/// Errors: `GCR_ERR_NULL`, `GCR_ERR_CONFIG`, `GCR_ERR_SYSTEM`.
///
/// # Safety
///
/// `config` is null or valid for reading; `out` is null or valid for
/// writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_heap_new(
    config: *const gcr_config_t,
    out: *mut *mut gcr_indexed_heap_t,
) -> gcr_status_t {
    guard(|| {
        if let Err(s) = non_null(out, "out") {
            return s;
        }
        let config = if config.is_null() {
            Config::default()
        } else {
            // SAFETY: the caller's promise.
            Config::from(unsafe { &*config })
        };
        let roots = NonNull::from(Box::leak(Box::new(Roots::<Indexed>::new())));
        // SAFETY: `roots` is freed only after the heap (`heap_destroy`).
        match Heap::new(unsafe { roots.as_ref() }, config) {
            Ok(heap) => {
                let cx = Box::into_raw(Box::new(gcr_indexed_heap_t {
                    heap,
                    pins: PinTable::new(),
                    roots,
                }));
                // SAFETY: the caller's promise.
                unsafe { out.write(cx) };
                GCR_OK
            }
            Err(e) => {
                // SAFETY: from `Box::leak` just above; nothing borrows it.
                drop(unsafe { Box::from_raw(roots.as_ptr()) });
                heap_error(e)
            }
        }
    })
}

/// Destroys a heap. Its roots still need [`gcr_indexed_root_unroot`] (a
/// root outlives its table harmlessly: its handle holds no pointer into
/// it). Does nothing if `heap` is null.
///
/// # Safety
///
/// `heap` is null or came from [`gcr_indexed_heap_new`] and was not
/// destroyed; it is not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_heap_destroy(heap: *mut gcr_indexed_heap_t) {
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

/// Runs a collection (after reclaiming the slots of unrooted handles).
/// Errors: `GCR_ERR_NULL`.
///
/// # Safety
///
/// `heap` is null or a live heap of this API.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_collect(heap: *mut gcr_indexed_heap_t) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(heap, "heap")?;
            // SAFETY: the caller's promise.
            unsafe { &mut (*heap).heap }.collect();
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
pub unsafe extern "C" fn gcr_indexed_stats(
    heap: *const gcr_indexed_heap_t,
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

/// How many roots hold objects of `heap` (0 if `heap` is null); handles
/// unrooted since the last collection are not counted.
///
/// # Safety
///
/// `heap` is null or a live heap of this API.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_root_count(heap: *const gcr_indexed_heap_t) -> usize {
    // SAFETY: the caller's promise.
    unsafe { self::heap(heap) }.map_or(0, |h| h.root_count())
}

/// Allocates an object with `fields` reference fields (empty) and `bytes`
/// bytes of data (zero), and makes `out` hold it (dropping the handle it
/// held). May collect first.
///
/// Errors: `GCR_ERR_NULL`; `GCR_ERR_TOO_LARGE`, `GCR_ERR_OUT_OF_MEMORY`
/// (the heap keeps working); `GCR_ERR_SYSTEM`.
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `out` is null or an
/// initialised root.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_alloc(
    heap: *mut gcr_indexed_heap_t,
    fields: usize,
    bytes: usize,
    out: *mut gcr_indexed_root_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(heap, "heap")?;
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let cx = unsafe { &mut *heap };
            let roots = cx.heap.roots();
            let obj = cx
                .heap
                .alloc(Shape::new(fields, bytes))
                .map_err(alloc_error)?;
            let handle = roots.persist(obj);
            // SAFETY: `out` is an initialised root.
            unsafe { fill(out, handle) };
            Ok(())
        })())
    })
}

// ----- roots -----------------------------------------------------------------

/// Initialises `root` empty. Does nothing if `root` is null.
///
/// # Safety
///
/// `root` is null or valid for writing a `gcr_indexed_root_t`, and does
/// not hold a handle (that would leak its slot).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_root_init(root: *mut gcr_indexed_root_t) {
    if !root.is_null() {
        // SAFETY: the caller's promise.
        unsafe { (*repr(root)).full = 0 };
    }
}

/// Makes `out` a clone of `src` (another handle to the same slot: the
/// object stays rooted until every clone is unrooted), dropping the handle
/// `out` held; empty if `src` is. No heap argument (as
/// `wasmtime_anyref_clone`). Does nothing if either is null or they are
/// the same root. `GCR_ERR_STALE` (and `out` empty) if `src` was already
/// unrooted through a copy of its bytes; `GCR_OK` otherwise.
///
/// # Safety
///
/// Each is null or an initialised root.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_root_clone(
    src: *const gcr_indexed_root_t,
    out: *mut gcr_indexed_root_t,
) -> gcr_status_t {
    if src.is_null() || out.is_null() || ptr::eq(src, out) {
        return GCR_OK;
    }
    // SAFETY: the caller's promise; distinct roots.
    unsafe {
        match handle(src) {
            Ok(h) if h.is_rooted() => {
                fill(out, h.clone());
                GCR_OK
            }
            Ok(_) => {
                release(out);
                fail(GCR_ERR_STALE, RootError::Unrooted)
            }
            Err(_) => {
                release(out);
                GCR_OK
            }
        }
    }
}

/// Unroots `root` and leaves it empty: its slot is freed once no clone is
/// left (lazily: before the next collection at the latest). No heap
/// argument (as `wasmtime_anyref_unroot`); may run on any thread. Does
/// nothing if `root` is null or empty. `GCR_ERR_STALE` if it no longer
/// rooted anything: a copy of its bytes was unrooted first, or its heap
/// was destroyed (the root is emptied, and nothing else happens);
/// `GCR_OK` otherwise.
///
/// # Safety
///
/// `root` is null or an initialised root.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_root_unroot(root: *mut gcr_indexed_root_t) -> gcr_status_t {
    if root.is_null() {
        return GCR_OK;
    }
    let r = repr(root);
    // SAFETY: the caller's promise; the handle is initialised while `full`.
    let stale = unsafe { (*r).full != 0 && !(*r).root.assume_init_ref().is_rooted() };
    // SAFETY: the caller's promise.
    unsafe { release(root) };
    if stale {
        fail(GCR_ERR_STALE, RootError::Unrooted)
    } else {
        GCR_OK
    }
}

/// Whether `root` holds no object (true if null).
///
/// # Safety
///
/// `root` is null or an initialised root.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_root_is_empty(root: *const gcr_indexed_root_t) -> bool {
    // SAFETY: the caller's promise.
    root.is_null() || unsafe { (*repr(root)).full == 0 }
}

/// Reads 8 data bytes at `offset` of the object `root` holds, on `heap`.
///
/// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_WRONG_HEAP` (a root of
/// another heap, or of a destroyed one), `GCR_ERR_RANGE`.
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `root` is null or an
/// initialised root; `out` is null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_get_u64(
    heap: *const gcr_indexed_heap_t,
    root: *const gcr_indexed_root_t,
    offset: usize,
    out: *mut u64,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let obj = unsafe { object(heap, root)? };
            data_range(obj, offset, 8)?;
            // SAFETY: the caller's promise.
            unsafe { out.write(obj.read_u64(offset)) };
            Ok(())
        })())
    })
}

/// Writes 8 data bytes at `offset` of the object `root` holds, on `heap`.
/// Errors: as [`gcr_indexed_get_u64`].
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `root` is null or an
/// initialised root.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_set_u64(
    heap: *const gcr_indexed_heap_t,
    root: *const gcr_indexed_root_t,
    offset: usize,
    value: u64,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            // SAFETY: the caller's promise.
            let obj = unsafe { object(heap, root)? };
            data_range(obj, offset, 8)?;
            obj.write_u64(offset, value);
            Ok(())
        })())
    })
}

/// Makes `out` hold the object in field `i` of the object `root` holds
/// (empty if the field is), on `heap`. `out` may be `root` itself.
/// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_WRONG_HEAP`,
/// `GCR_ERR_RANGE`.
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `root` and `out` are null or
/// initialised roots.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_get_field(
    heap: *const gcr_indexed_heap_t,
    root: *const gcr_indexed_root_t,
    i: usize,
    out: *mut gcr_indexed_root_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(out, "out")?;
            // SAFETY: the caller's promise; the borrow of `root` ends here.
            let obj = unsafe { object(heap, root)? };
            field_range(obj, i)?;
            match obj.field(i) {
                // SAFETY: `out` is an initialised root.
                Some(v) => unsafe { fill(out, (*heap).heap.persist(v)) },
                // SAFETY: as above.
                None => unsafe { release(out) },
            }
            Ok(())
        })())
    })
}

/// Sets field `i` of the object `root` holds to the object `value` holds,
/// or empties it if `value` is null or empty, on `heap`. Errors:
/// `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_WRONG_HEAP`, `GCR_ERR_RANGE`.
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `root` and `value` are null
/// or initialised roots.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_set_field(
    heap: *const gcr_indexed_heap_t,
    root: *const gcr_indexed_root_t,
    i: usize,
    value: *const gcr_indexed_root_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            // SAFETY: the caller's promise.
            let obj = unsafe { object(heap, root)? };
            field_range(obj, i)?;
            // SAFETY: the caller's promise.
            let value = if unsafe { gcr_indexed_root_is_empty(value) } {
                None
            } else {
                // SAFETY: the caller's promise.
                Some(unsafe { object(heap, value)? })
            };
            obj.set_field(i, value);
            Ok(())
        })())
    })
}

/// Stores the shape of the object `root` holds in `*fields` and `*bytes`.
/// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_WRONG_HEAP`.
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `root` is null or an
/// initialised root; `fields` and `bytes` are null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_shape(
    heap: *const gcr_indexed_heap_t,
    root: *const gcr_indexed_root_t,
    fields: *mut usize,
    bytes: *mut usize,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(fields, "fields")?;
            non_null(bytes, "bytes")?;
            // SAFETY: the caller's promise.
            let shape = unsafe { object(heap, root)? }.shape();
            // SAFETY: the caller's promise.
            unsafe {
                fields.write(shape.fields());
                bytes.write(shape.bytes());
            }
            Ok(())
        })())
    })
}

/// Stores in `*out` whether `a` and `b` hold the same object, on `heap`.
/// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_WRONG_HEAP`.
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `a` and `b` are null or
/// initialised roots; `out` is null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_same(
    heap: *const gcr_indexed_heap_t,
    a: *const gcr_indexed_root_t,
    b: *const gcr_indexed_root_t,
    out: *mut bool,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let same = unsafe { object(heap, a)? == object(heap, b)? };
            // SAFETY: the caller's promise.
            unsafe { out.write(same) };
            Ok(())
        })())
    })
}

// ----- pins ------------------------------------------------------------------

/// Pins the object `root` holds and stores the pin in `*out`: until
/// [`gcr_indexed_unpin`] the object stays alive and its data stays at
/// `out->data` (`out->bytes` long), across collections. In a generational
/// heap a young object is promoted first (a minor collection).
///
/// Errors: `GCR_ERR_NULL`; `GCR_ERR_EMPTY`; `GCR_ERR_WRONG_HEAP`;
/// `GCR_ERR_UNSUPPORTED` if the heap is not mark-region.
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `root` is null or an
/// initialised root; `out` is null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_pin(
    heap: *mut gcr_indexed_heap_t,
    root: *const gcr_indexed_root_t,
    out: *mut gcr_pin_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(heap, "heap")?;
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let handle = unsafe { handle(root)? };
            // SAFETY: the caller's promise.
            let cx = unsafe { &mut *heap };
            let pin = cx.heap.pin(handle).map_err(pin_error)?;
            let data = cx.heap.pinned_data(&pin).map_err(root_error)?;
            let bytes = cx.heap.get(&pin).shape().bytes();
            let c = cx.pins.add(pin, data.as_ptr(), bytes);
            // SAFETY: the caller's promise.
            unsafe { out.write(c) };
            Ok(())
        })())
    })
}

/// Ends a pin of `heap` and empties `*pin` (its `data` becomes null).
///
/// Errors: `GCR_ERR_NULL`; `GCR_ERR_WRONG_HEAP` if the pin is another
/// heap's; `GCR_ERR_MISUSE` if it was already ended (through a copy).
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `pin` is null or valid for
/// reading and writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_indexed_unpin(
    heap: *mut gcr_indexed_heap_t,
    pin: *mut gcr_pin_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(heap, "heap")?;
            non_null(pin, "pin")?;
            // SAFETY: the caller's promise.
            let (cx, pin) = unsafe { (&mut *heap, &mut *pin) };
            drop(cx.pins.remove(pin)?);
            Ok(())
        })())
    })
}
