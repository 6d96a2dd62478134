//! The intrusive scheme's C API: roots are nodes in the caller's memory,
//! linked into their heap's root list; nothing but the heap's own
//! functions takes a heap argument.

use core::ffi::c_void;
use core::mem::{MaybeUninit, align_of, size_of};
use core::pin::Pin;
use core::ptr::{self, NonNull};
use std::cell::UnsafeCell;

use gcroots::{Config, Heap, Intrusive, LinkedRoot, Ref, Root, Roots, Shape};
use gcroots_intrusive::layout;

use crate::gcr_status_t::{self, *};
use crate::{
    PinTable, alloc_error, fail, gcr_config_t, gcr_pin_t, gcr_stats_t, guard, heap_error, non_null,
    pin_error, root_error, status,
};

/// A heap whose roots are intrusive. Made by [`gcr_intrusive_heap_new`],
/// ended by [`gcr_intrusive_heap_destroy`]; used from one thread.
///
/// Its root list lives beside it: when the heap is destroyed while roots
/// still hold objects, the list (and this block) stays until the last of
/// them is destroyed, and those roots answer `GCR_ERR_DESTROYED`.
///
/// Opaque to C, but its first bytes are a [`gcr_intrusive_heap_inline_t`],
/// which the header's inline functions read.
#[repr(C)]
pub struct gcr_intrusive_heap_t {
    /// What the inline functions read; first, at offset 0. Its `destroyed`
    /// is written only by `gcr_intrusive_heap_destroy`, through the
    /// block's raw pointer, while no call borrows the block.
    shared: gcr_intrusive_heap_inline_t,
    /// From `Box::into_raw`; freed with this block, once the heap is
    /// destroyed and the list is empty.
    roots: NonNull<Roots<Intrusive>>,
    /// The heap, borrowing `roots` for as long as this block lives; `None`
    /// once destroyed. Reached only through `&self` and one call at a time
    /// (the heap is used from one thread and no call re-enters another).
    heap: UnsafeCell<Option<Heap<'static, Intrusive>>>,
    /// The pins the heap made for C. Reached like `heap`.
    pins: UnsafeCell<PinTable>,
}

impl core::fmt::Debug for gcr_intrusive_heap_t {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("gcr_intrusive_heap_t")
            .field("destroyed", &self.shared.destroyed)
            .finish_non_exhaustive()
    }
}

impl gcr_intrusive_heap_t {
    fn roots(&self) -> &'static Roots<Intrusive> {
        // SAFETY: `roots` is freed only with this block, after every root
        // that borrows it is gone (`free_if_done`).
        unsafe { self.roots.as_ref() }
    }

    /// The heap, borrowed exclusively (to allocate or collect), or
    /// `GCR_ERR_DESTROYED`.
    #[allow(clippy::mut_from_ref)]
    fn heap_mut(&self) -> Result<&mut Heap<'static, Intrusive>, gcr_status_t> {
        // SAFETY: see the invariant on `heap`: a call that borrows it
        // exclusively borrows it once and holds no other reference to it.
        unsafe { &mut *self.heap.get() }
            .as_mut()
            .ok_or_else(destroyed)
    }

    /// The pin table, borrowed exclusively.
    #[allow(clippy::mut_from_ref)]
    fn pins_mut(&self) -> &mut PinTable {
        // SAFETY: as for `heap`: one call at a time, and a call borrows the
        // table once.
        unsafe { &mut *self.pins.get() }
    }

    /// The heap, shared (to read and write objects), or
    /// `GCR_ERR_DESTROYED`.
    fn heap(&self) -> Result<&Heap<'static, Intrusive>, gcr_status_t> {
        // SAFETY: see the invariant on `heap`: no exclusive borrow is alive
        // during a call that takes shared ones.
        unsafe { &*self.heap.get() }.as_ref().ok_or_else(destroyed)
    }
}

/// Aborts for a copy of a linked root's bytes used where no status can be
/// returned (a copy or a move), as destroying one does: its object may be
/// gone, and the list it names does not know it.
#[cold]
fn copied_as_bytes() -> ! {
    eprintln!("gcroots: {COPIED_AS_BYTES}; aborting");
    std::process::abort()
}

fn destroyed() -> gcr_status_t {
    fail(GCR_ERR_DESTROYED, "the root's heap was destroyed")
}

/// Frees `rt` if its heap was destroyed and no root links into its list.
///
/// # Safety
///
/// `rt` came from `gcr_intrusive_heap_new` and is not used after this if
/// it is freed (no root refers to it, and its heap was destroyed).
unsafe fn free_if_done(rt: *const gcr_intrusive_heap_t) {
    // SAFETY: `rt` is alive (the caller's promise).
    let r = unsafe { &*rt };
    if r.shared.destroyed && r.roots().is_empty() {
        let roots = r.roots;
        // SAFETY: both came from `Box::into_raw`, and nothing refers to them
        // any more: the heap is gone and no root links into the list.
        unsafe {
            drop(Box::from_raw(rt.cast_mut()));
            drop(Box::from_raw(roots.as_ptr()));
        }
    }
}

/// A root: a node in the caller's memory. 40 bytes, aligned like a
/// pointer. All-zero bytes are an empty root, as is one that
/// [`gcr_intrusive_root_init`] initialised. Its fields belong to this
/// library and to the header's inline functions: read and write them only
/// through those.
///
/// While it holds an object it is linked into its heap's root list, and
/// must stay where it is: copy or move it only with
/// [`gcr_intrusive_root_copy`] and [`gcr_intrusive_root_move`], and end it
/// with [`gcr_intrusive_root_destroy`] before its memory goes. Never copy
/// its bytes (`memcpy`, struct assignment, `realloc` or `qsort` of an
/// array of roots): reading through such a copy is `GCR_ERR_MISUSE`, but
/// the original's memory stays linked, and freeing it without destroying
/// the root is undefined behaviour (the collector walks it).
#[repr(C)]
pub struct gcr_intrusive_root_t {
    /// The heap; null while the root is empty (and then `node` means
    /// nothing).
    pub heap: *const gcr_intrusive_heap_t,
    /// The node linked into the heap's root list while `heap` is not null;
    /// uninitialised memory otherwise (an initialised root need only have
    /// `heap` written, so Rust must not assume more).
    pub node: MaybeUninit<gcr_intrusive_node_t>,
}

/// The node of a root that holds an object: a node of its heap's root
/// list (`gcroots_intrusive::layout`), linked at the list's persistent
/// head. Its fields belong to the library and the header's inline
/// functions.
#[repr(C)]
pub struct gcr_intrusive_node_t {
    /// The node linked before this one (older), or null.
    pub next: *mut gcr_intrusive_node_t,
    /// The cell that points at this node: the list's head, or the `next`
    /// of the node linked after it.
    pub pprev: *mut *mut gcr_intrusive_node_t,
    /// The object's address: its header word.
    pub value: usize,
    /// The root list (`gcr_intrusive_heap_inline_t::list`).
    pub list: *const c_void,
}

/// What the header's inline functions read of a heap: the first bytes of
/// every `gcr_intrusive_heap_t`.
#[repr(C)]
pub struct gcr_intrusive_heap_inline_t {
    /// The cell holding the newest linked node (the root list's persistent
    /// head), where a new node links.
    pub head: *mut *mut gcr_intrusive_node_t,
    /// The list word of every node of this heap.
    pub list: *const c_void,
    /// Whether `gcr_intrusive_heap_destroy` ran: reads then take the calls
    /// (`GCR_ERR_DESTROYED`), and the last root destroyed frees the block
    /// ([`gcr_intrusive_heap_release`]).
    pub destroyed: bool,
    /// Whether the heap is generational: a reference store then takes the
    /// call, for its write barrier.
    pub barrier: bool,
}

impl core::fmt::Debug for gcr_intrusive_node_t {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("gcr_intrusive_node_t")
    }
}

impl core::fmt::Debug for gcr_intrusive_heap_inline_t {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("gcr_intrusive_heap_inline_t")
            .field("destroyed", &self.destroyed)
            .field("barrier", &self.barrier)
            .finish_non_exhaustive()
    }
}

/// The offsets of a root's words, in bytes, for the header's static
/// assertions: the heap, then the node's next, pprev, value and list.
pub const GCR_INTRUSIVE_ROOT_SIZE: usize = 40;
/// See [`GCR_INTRUSIVE_ROOT_SIZE`].
pub const GCR_INTRUSIVE_ROOT_NODE: usize = 8;
/// See [`GCR_INTRUSIVE_ROOT_SIZE`].
pub const GCR_INTRUSIVE_ROOT_VALUE: usize = 24;
/// The object header's low byte, as `gcroots::layout::HEADER_MAGIC`.
pub const GCR_OBJECT_MAGIC: u64 = 0xA5;
/// The mask that clears the remembered bit from a header's low byte.
pub const GCR_OBJECT_MAGIC_MASK: u64 = 0xFD;
/// As `gcroots::layout::BYTES_SHIFT`.
pub const GCR_OBJECT_BYTES_SHIFT: u32 = 8;
/// As `gcroots::layout::BYTES_MASK`.
pub const GCR_OBJECT_BYTES_MASK: u64 = 0x0FFF_FFFF;
/// As `gcroots::layout::FIELDS_SHIFT`.
pub const GCR_OBJECT_FIELDS_SHIFT: u32 = 36;

// The C layout is the Rust one (`gcroots_intrusive::layout`,
// `gcroots::layout`): checked here at compile time, and in the header by
// static assertions on these constants.
const _: () = {
    use core::mem::offset_of;
    use gcroots::layout as object;
    assert!(size_of::<gcr_intrusive_root_t>() == GCR_INTRUSIVE_ROOT_SIZE);
    assert!(offset_of!(gcr_intrusive_root_t, node) == GCR_INTRUSIVE_ROOT_NODE);
    assert!(offset_of!(RootRepr, node) == GCR_INTRUSIVE_ROOT_NODE);
    assert!(offset_of!(gcr_intrusive_node_t, next) == layout::PERSISTENT_NEXT);
    assert!(offset_of!(gcr_intrusive_node_t, pprev) == layout::PERSISTENT_PPREV);
    assert!(offset_of!(gcr_intrusive_node_t, value) == layout::PERSISTENT_VALUE);
    assert!(GCR_INTRUSIVE_ROOT_NODE + layout::PERSISTENT_VALUE == GCR_INTRUSIVE_ROOT_VALUE);
    assert!(offset_of!(gcr_intrusive_node_t, list) == layout::PERSISTENT_LIST);
    assert!(size_of::<gcr_intrusive_node_t>() == layout::PERSISTENT_SIZE);
    assert!(size_of::<LinkedRoot<'static, Intrusive>>() == layout::PERSISTENT_SIZE);
    assert!(offset_of!(gcr_intrusive_heap_t, shared) == 0);
    assert!(GCR_OBJECT_MAGIC == object::HEADER_MAGIC);
    assert!(GCR_OBJECT_MAGIC_MASK == 0xFF & !object::HEADER_REMEMBERED);
    assert!(GCR_OBJECT_BYTES_SHIFT == object::BYTES_SHIFT);
    assert!(GCR_OBJECT_BYTES_MASK == object::BYTES_MASK);
    assert!(GCR_OBJECT_FIELDS_SHIFT == object::FIELDS_SHIFT);
    assert!(object::WORD == 8);
};

impl core::fmt::Debug for gcr_intrusive_root_t {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("gcr_intrusive_root_t")
    }
}

/// The layout behind [`gcr_intrusive_root_t`].
#[repr(C)]
struct RootRepr {
    /// The heap block; null while empty.
    rt: *const gcr_intrusive_heap_t,
    /// Initialised and linked while `rt` is not null.
    node: MaybeUninit<LinkedRoot<'static, Intrusive>>,
}

const _: () = assert!(size_of::<RootRepr>() == size_of::<gcr_intrusive_root_t>());
const _: () = assert!(align_of::<RootRepr>() == align_of::<gcr_intrusive_root_t>());

/// The repr behind a C root.
fn repr(root: *const gcr_intrusive_root_t) -> *mut RootRepr {
    root.cast_mut().cast()
}

/// The heap block (the pointer `gcr_intrusive_heap_new` made, with all its
/// permissions: the last root may free the block through it) and node of a
/// root that holds an object.
///
/// # Safety
///
/// `root` is valid and initialised, and no `&mut` to it is alive.
unsafe fn holding<'a>(
    root: *const gcr_intrusive_root_t,
) -> Result<
    (
        *const gcr_intrusive_heap_t,
        &'a LinkedRoot<'static, Intrusive>,
    ),
    gcr_status_t,
> {
    // SAFETY: the caller's promise.
    let r = unsafe { &*repr(root) };
    if r.rt.is_null() {
        return Err(fail(GCR_ERR_EMPTY, "the root holds no object"));
    }
    // SAFETY: a root that holds an object has an initialised node.
    let node = unsafe { r.node.assume_init_ref() };
    if !node.is_in_place() {
        return Err(fail(GCR_ERR_MISUSE, COPIED_AS_BYTES));
    }
    Ok((r.rt, node))
}

/// The message for a linked root whose bytes were copied (`memcpy`, struct
/// assignment, `realloc`): the copy is in no list, so no collection
/// updates it.
const COPIED_AS_BYTES: &str = "the root was copied as bytes (memcpy, struct assignment or realloc) \
    while it held an object, so the collector does not see the copy: copy a root with \
    gcr_intrusive_root_copy and move it with gcr_intrusive_root_move";

/// Empties `root`: unlinks its node and, if its heap was destroyed and it
/// was the last root, frees the heap's block.
///
/// # Safety
///
/// `root` is valid and initialised, and no reference into it is alive.
unsafe fn release(root: *const gcr_intrusive_root_t) {
    let r = repr(root);
    // SAFETY: the caller's promise.
    let rt = unsafe { (*r).rt };
    if !rt.is_null() {
        // SAFETY: the node is initialised while `rt` is not null; dropping it
        // unlinks it (aborting if it was moved by `memcpy`).
        unsafe {
            (*r).rt = ptr::null();
            ptr::drop_in_place((*r).node.as_mut_ptr());
            free_if_done(rt);
        }
    }
}

/// Makes the (initialised) `root` hold what `link` links into a fresh node
/// of `rt`'s list.
///
/// # Safety
///
/// As for [`release`]; `rt` is the live block's pointer as
/// `gcr_intrusive_heap_new` made it (kept with its permissions, since the
/// last root frees the block through it); and `link` touches no C root.
unsafe fn fill(
    root: *const gcr_intrusive_root_t,
    rt: *const gcr_intrusive_heap_t,
    link: impl FnOnce(Pin<&LinkedRoot<'static, Intrusive>>),
) {
    // SAFETY: forwarded.
    unsafe { release(root) };
    let r = repr(root);
    // SAFETY: `root` is valid and now empty; the node is written in place
    // and pinned there from now on (the C contract: a linked root does not
    // move), then linked. `rt` is live (the caller's promise).
    unsafe {
        (*r).node.write(LinkedRoot::new((*rt).roots()));
        link(Pin::new_unchecked((*r).node.assume_init_ref()));
        (*r).rt = rt;
    }
}

// ----- the heap --------------------------------------------------------------

/// Makes a heap with `config` (null: the default) and stores it in `*out`.
///
/// Errors: `GCR_ERR_NULL` if `out` is null; `GCR_ERR_CONFIG` if the
/// configuration is invalid; `GCR_ERR_SYSTEM` if the allocator refuses.
///
/// # Safety
///
/// `config` is null or valid for reading; `out` is null or valid for
/// writing a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_heap_new(
    config: *const gcr_config_t,
    out: *mut *mut gcr_intrusive_heap_t,
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
        let barrier = config.is_generational();
        let roots = NonNull::from(Box::leak(Box::new(Roots::<Intrusive>::new())));
        // SAFETY: `roots` lives until the block below is freed, after the
        // heap (`free_if_done`).
        let heap = match Heap::new(unsafe { roots.as_ref() }, config) {
            Ok(h) => h,
            Err(e) => {
                // SAFETY: from `Box::leak` just above; nothing borrows it.
                drop(unsafe { Box::from_raw(roots.as_ptr()) });
                return heap_error(e);
            }
        };
        // The list lives inside the `Roots` block: its address and its
        // persistent head's get that block's provenance.
        let list = roots
            .as_ptr()
            .cast::<c_void>()
            // SAFETY: `roots` is alive (leaked just above).
            .with_addr(unsafe { roots.as_ref() }.list_addr());
        let rt = Box::new(gcr_intrusive_heap_t {
            shared: gcr_intrusive_heap_inline_t {
                head: list.wrapping_byte_add(layout::LIST_PERSISTENT_HEAD).cast(),
                list: list.cast_const(),
                destroyed: false,
                barrier,
            },
            roots,
            heap: UnsafeCell::new(Some(heap)),
            pins: UnsafeCell::new(PinTable::new()),
        });
        // SAFETY: the caller's promise.
        unsafe { out.write(Box::into_raw(rt)) };
        GCR_OK
    })
}

/// Destroys a heap. Its roots that still hold objects answer
/// `GCR_ERR_DESTROYED` from then on, and must still be destroyed; the
/// heap's root list is freed with the last of them. Does nothing if `heap`
/// is null.
///
/// # Safety
///
/// `heap` is null or came from [`gcr_intrusive_heap_new`] and was not
/// destroyed; it is not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_heap_destroy(heap: *mut gcr_intrusive_heap_t) {
    if heap.is_null() {
        return;
    }
    // SAFETY: the caller's promise; dropping the heap frees its semispaces
    // and touches no root.
    unsafe {
        drop((*(*heap).heap.get()).take());
        (*heap).shared.destroyed = true;
        free_if_done(heap);
    }
}

/// Frees a destroyed heap's block if no root holds one of its objects any
/// more: what [`gcr_intrusive_root_destroy`] does after unlinking the last
/// root of a destroyed heap, for the header's inline destroy, which unlinks
/// by itself and calls this when it finds the heap destroyed. Does nothing
/// if `heap` is null, was not destroyed, or still has roots.
///
/// # Safety
///
/// `heap` is null or came from [`gcr_intrusive_heap_new`] and was not
/// freed (a root that held one of its objects was just emptied); it is not
/// used again unless it still has roots.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_heap_release(heap: *const gcr_intrusive_heap_t) {
    if !heap.is_null() {
        // SAFETY: the caller's promise.
        unsafe { free_if_done(heap) };
    }
}

/// Runs a collection: every object the roots reach moves, and the roots
/// follow. Errors: `GCR_ERR_NULL`.
///
/// # Safety
///
/// `heap` is null or a live heap of this API.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_collect(heap: *mut gcr_intrusive_heap_t) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(heap, "heap")?;
            // SAFETY: the caller's promise.
            unsafe { &*heap }.heap_mut()?.collect();
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
pub unsafe extern "C" fn gcr_intrusive_stats(
    heap: *const gcr_intrusive_heap_t,
    out: *mut gcr_stats_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(heap, "heap")?;
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let stats = unsafe { &*heap }.heap()?.stats();
            // SAFETY: the caller's promise.
            unsafe { out.write(stats.into()) };
            Ok(())
        })())
    })
}

/// How many roots hold objects of `heap` (0 if `heap` is null).
///
/// # Safety
///
/// `heap` is null or a live heap of this API.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_root_count(heap: *const gcr_intrusive_heap_t) -> usize {
    if heap.is_null() {
        return 0;
    }
    // SAFETY: the caller's promise.
    unsafe { &*heap }.roots().len()
}

/// Allocates an object with `fields` reference fields (empty) and `bytes`
/// bytes of data (zero), and makes `out` hold it (releasing what it held).
/// May collect first.
///
/// Errors: `GCR_ERR_NULL`; `GCR_ERR_TOO_LARGE` or `GCR_ERR_OUT_OF_MEMORY`
/// if the heap's limit refuses it (the heap keeps working); `GCR_ERR_SYSTEM`.
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `out` is null or an
/// initialised root.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_alloc(
    heap: *mut gcr_intrusive_heap_t,
    fields: usize,
    bytes: usize,
    out: *mut gcr_intrusive_root_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(heap, "heap")?;
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let obj = unsafe { &*heap }
                .heap_mut()?
                .alloc(Shape::new(fields, bytes))
                .map_err(alloc_error)?;
            // SAFETY: `out` is an initialised root; `heap` is the block's
            // pointer; nothing allocates before the new object is linked.
            unsafe { fill(out, heap, |node| node.link(obj)) };
            Ok(())
        })())
    })
}

// ----- roots -----------------------------------------------------------------

/// Initialises `root` empty. Call it first on a root's memory (the C++
/// wrapper's constructors do). Does nothing if `root` is null.
///
/// # Safety
///
/// `root` is null or valid for writing a `gcr_intrusive_root_t`, and does
/// not hold an object (that would leak its node in the list).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_root_init(root: *mut gcr_intrusive_root_t) {
    if !root.is_null() {
        // SAFETY: the caller's promise.
        unsafe { (*repr(root)).rt = ptr::null() };
    }
}

/// Empties `root`: it no longer holds its object, and its memory may go.
/// Does nothing if `root` is null or empty. Aborts with a message if the
/// root was moved by `memcpy` while it held an object (its list is then
/// corrupt).
///
/// # Safety
///
/// `root` is null or an initialised root.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_root_destroy(root: *mut gcr_intrusive_root_t) {
    if !root.is_null() {
        // SAFETY: the caller's promise.
        unsafe { release(root) };
    }
}

/// Makes `dst` hold what `src` holds (empty if `src` is empty), releasing
/// what `dst` held: a copy constructor or assignment. No heap argument:
/// the new node joins `src`'s list. Does nothing if either is null or they
/// are the same root.
///
/// # Safety
///
/// Each is null or an initialised root.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_root_copy(
    dst: *mut gcr_intrusive_root_t,
    src: *const gcr_intrusive_root_t,
) {
    if dst.is_null() || src.is_null() || ptr::eq(dst, src) {
        return;
    }
    // SAFETY: the caller's promise; `dst` and `src` are distinct roots.
    unsafe {
        match holding(src) {
            Ok((rt, node)) => fill(dst, rt, |n| n.link_as(node)),
            // No status to return it in: abort, as destroying it would.
            Err(GCR_ERR_MISUSE) => copied_as_bytes(),
            Err(_) => release(dst),
        }
    }
}

/// Makes `dst` hold what `src` holds and empties `src`: a move constructor
/// or assignment (`dst`'s old object is released). Does nothing if either
/// is null or they are the same root.
///
/// # Safety
///
/// Each is null or an initialised root.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_root_move(
    dst: *mut gcr_intrusive_root_t,
    src: *mut gcr_intrusive_root_t,
) {
    if dst.is_null() || src.is_null() || ptr::eq(dst, src) {
        return;
    }
    // SAFETY: the caller's promise; distinct roots.
    unsafe {
        release(dst);
        let (d, s) = (repr(dst), repr(src));
        let rt = (*s).rt;
        if rt.is_null() {
            return;
        }
        // The new node takes the old one's place in the list (no link at
        // the head, no unlink): both stay where they are in memory, pinned.
        (*d).node.write(LinkedRoot::new((*rt).roots()));
        Pin::new_unchecked((*d).node.assume_init_ref())
            .take_from(Pin::new_unchecked((*s).node.assume_init_ref()));
        (*d).rt = rt;
        (*s).rt = ptr::null();
        // The unlinked source node has nothing left to release.
        ptr::drop_in_place((*s).node.as_mut_ptr());
    }
}

/// Whether `root` holds no object (true if null).
///
/// # Safety
///
/// `root` is null or an initialised root.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_root_is_empty(root: *const gcr_intrusive_root_t) -> bool {
    // SAFETY: the caller's promise.
    root.is_null() || unsafe { (*repr(root)).rt.is_null() }
}

/// The object a root holds, on its live heap, and the heap's block (see
/// [`holding`]).
///
/// # Safety
///
/// `root` is null or an initialised root; no `&mut` to it is alive.
unsafe fn object<'a>(
    root: *const gcr_intrusive_root_t,
) -> Result<(*const gcr_intrusive_heap_t, Ref<'a, Intrusive>), gcr_status_t> {
    non_null(root, "root")?;
    // SAFETY: the caller's promise.
    let (rt, node) = unsafe { holding(root)? };
    // SAFETY: a root that holds an object has a live block (freed only once
    // no root links into its list).
    let heap: &'a Heap<'static, Intrusive> = unsafe { &*rt }.heap()?;
    Ok((rt, node.try_get(heap).map_err(root_error)?))
}

/// Checks that `len` bytes at `offset` lie in `obj`'s data.
fn data_range(obj: Ref<'_, Intrusive>, offset: usize, len: usize) -> Result<(), gcr_status_t> {
    let bytes = obj.shape().bytes();
    match offset.checked_add(len) {
        Some(end) if end <= bytes => Ok(()),
        _ => Err(fail(
            GCR_ERR_RANGE,
            format!("data bytes {offset}..+{len} out of range for an object with {bytes} bytes"),
        )),
    }
}

/// Checks that field `i` exists in `obj`.
fn field_range(obj: Ref<'_, Intrusive>, i: usize) -> Result<(), gcr_status_t> {
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

/// Reads 8 data bytes at `offset` of the object `root` holds into `*out`.
/// No heap argument.
///
/// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_DESTROYED`,
/// `GCR_ERR_RANGE`.
///
/// # Safety
///
/// `root` is null or an initialised root; `out` is null or valid for
/// writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_get_u64(
    root: *const gcr_intrusive_root_t,
    offset: usize,
    out: *mut u64,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let (_, obj) = unsafe { object(root)? };
            data_range(obj, offset, 8)?;
            // SAFETY: the caller's promise.
            unsafe { out.write(obj.read_u64(offset)) };
            Ok(())
        })())
    })
}

/// Writes 8 data bytes at `offset` of the object `root` holds. No heap
/// argument. Errors: as [`gcr_intrusive_get_u64`].
///
/// # Safety
///
/// `root` is null or an initialised root.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_set_u64(
    root: *const gcr_intrusive_root_t,
    offset: usize,
    value: u64,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            // SAFETY: the caller's promise.
            let (_, obj) = unsafe { object(root)? };
            data_range(obj, offset, 8)?;
            obj.write_u64(offset, value);
            Ok(())
        })())
    })
}

/// Makes `out` hold the object in field `i` of the object `root` holds
/// (empty if the field is empty). `out` may be `root` itself.
///
/// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_DESTROYED`,
/// `GCR_ERR_RANGE`.
///
/// # Safety
///
/// `root` and `out` are null or initialised roots.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_get_field(
    root: *const gcr_intrusive_root_t,
    i: usize,
    out: *mut gcr_intrusive_root_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(out, "out")?;
            // SAFETY: the caller's promise. The borrow of `root` ends here:
            // `value` borrows only the heap, so `out` may be `root`.
            let (rt, value) = unsafe {
                let (rt, obj) = object(root)?;
                field_range(obj, i)?;
                (rt, obj.field(i))
            };
            match value {
                // SAFETY: `out` is an initialised root; nothing allocates
                // before the value is linked.
                Some(v) => unsafe { fill(out, rt, |node| node.link(v)) },
                // SAFETY: as above.
                None => unsafe { release(out) },
            }
            Ok(())
        })())
    })
}

/// Sets field `i` of the object `root` holds to the object `value` holds,
/// or empties it if `value` is null or empty.
///
/// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_DESTROYED`,
/// `GCR_ERR_RANGE`, `GCR_ERR_WRONG_HEAP` if `value` is of another heap.
///
/// # Safety
///
/// `root` and `value` are null or initialised roots.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_set_field(
    root: *const gcr_intrusive_root_t,
    i: usize,
    value: *const gcr_intrusive_root_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            // SAFETY: the caller's promise.
            let (rt, obj) = unsafe { object(root)? };
            field_range(obj, i)?;
            // SAFETY: the caller's promise.
            let value = if value.is_null() || unsafe { gcr_intrusive_root_is_empty(value) } {
                None
            } else {
                // SAFETY: the caller's promise.
                let (vrt, v) = unsafe { object(value)? };
                if rt != vrt {
                    return Err(fail(
                        GCR_ERR_WRONG_HEAP,
                        "the value belongs to another heap than the object",
                    ));
                }
                Some(v)
            };
            obj.set_field(i, value);
            Ok(())
        })())
    })
}

/// Stores the shape of the object `root` holds in `*fields` and `*bytes`.
/// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_DESTROYED`.
///
/// # Safety
///
/// `root` is null or an initialised root; `fields` and `bytes` are null or
/// valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_shape(
    root: *const gcr_intrusive_root_t,
    fields: *mut usize,
    bytes: *mut usize,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(fields, "fields")?;
            non_null(bytes, "bytes")?;
            // SAFETY: the caller's promise.
            let (_, obj) = unsafe { object(root)? };
            let shape = obj.shape();
            // SAFETY: the caller's promise.
            unsafe {
                fields.write(shape.fields());
                bytes.write(shape.bytes());
            }
            Ok(())
        })())
    })
}

/// Stores in `*out` whether `a` and `b` hold the same object.
/// Errors: `GCR_ERR_NULL`, `GCR_ERR_EMPTY`, `GCR_ERR_DESTROYED`,
/// `GCR_ERR_WRONG_HEAP` if they hold objects of different heaps.
///
/// # Safety
///
/// `a` and `b` are null or initialised roots; `out` is null or valid for
/// writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_same(
    a: *const gcr_intrusive_root_t,
    b: *const gcr_intrusive_root_t,
    out: *mut bool,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let ((ra, x), (rb, y)) = unsafe { (object(a)?, object(b)?) };
            if ra != rb {
                return Err(fail(
                    GCR_ERR_WRONG_HEAP,
                    "the roots belong to different heaps",
                ));
            }
            // SAFETY: the caller's promise.
            unsafe { out.write(x == y) };
            Ok(())
        })())
    })
}

// ----- pins ------------------------------------------------------------------

/// Pins the object `root` holds (a root of `heap`) and stores the pin in
/// `*out`: until [`gcr_intrusive_unpin`] the object stays alive and its
/// data stays at `out->data` (`out->bytes` long), across collections, for
/// `memcpy`, `qsort`, I/O. In a generational heap a young object is
/// promoted first (a minor collection, so pinning takes the heap).
///
/// Errors: `GCR_ERR_NULL`; `GCR_ERR_EMPTY`; `GCR_ERR_WRONG_HEAP` if `root`
/// is another heap's; `GCR_ERR_DESTROYED`; `GCR_ERR_UNSUPPORTED` if the
/// heap is not mark-region (its collector moves every object).
///
/// # Safety
///
/// `heap` is null or a live heap of this API; `root` is null or an
/// initialised root; `out` is null or valid for writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_pin(
    heap: *mut gcr_intrusive_heap_t,
    root: *const gcr_intrusive_root_t,
    out: *mut gcr_pin_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(heap, "heap")?;
            non_null(root, "root")?;
            non_null(out, "out")?;
            // SAFETY: the caller's promise.
            let (rt, node) = unsafe { holding(root)? };
            if !ptr::eq(rt, heap) {
                return Err(fail(GCR_ERR_WRONG_HEAP, "the root belongs to another heap"));
            }
            // SAFETY: the caller's promise.
            let block = unsafe { &*heap };
            let h = block.heap_mut()?;
            let pin = h.pin(node).map_err(pin_error)?;
            let data = h.pinned_data(&pin).map_err(root_error)?;
            let bytes = h.get(&pin).shape().bytes();
            let c = block.pins_mut().add(pin, data.as_ptr(), bytes);
            // SAFETY: the caller's promise.
            unsafe { out.write(c) };
            Ok(())
        })())
    })
}

/// Ends a pin of `heap` and empties `*pin` (its `data` becomes null): the
/// object may move or die from then on. Also after the heap was destroyed
/// (while the heap's block lives, that is while its roots do).
///
/// Errors: `GCR_ERR_NULL`; `GCR_ERR_WRONG_HEAP` if the pin is another
/// heap's; `GCR_ERR_MISUSE` if it was already ended (through a copy).
///
/// # Safety
///
/// `heap` is null or a heap of this API whose block is alive; `pin` is
/// null or valid for reading and writing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_intrusive_unpin(
    heap: *mut gcr_intrusive_heap_t,
    pin: *mut gcr_pin_t,
) -> gcr_status_t {
    guard(|| {
        status((|| {
            non_null(heap, "heap")?;
            non_null(pin, "pin")?;
            // SAFETY: the caller's promise.
            let (block, pin) = unsafe { (&*heap, &mut *pin) };
            drop(block.pins_mut().remove(pin)?);
            Ok(())
        })())
    })
}
