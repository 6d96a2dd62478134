//! The C API of gcroots: a heap with a moving collector, and the roots of
//! three schemes, side by side in one library (`gcroots.h`; C++17 RAII
//! classes over it in `gcroots.hpp`).
//!
//! # The question it answers
//!
//! The debate between intrusive lists and indexed tables began with C and
//! C++ embedders: under an indexed table every root operation was said to
//! need the table, so a C API takes a context argument everywhere and a C++
//! class cannot copy or destroy a root in an ordinary copy constructor or
//! destructor; intrusive lists were named as the way out. Here are both:
//!
//! - **intrusive** (`gcr_intrusive_*`): a root is a node in the caller's
//!   memory (`gcr_intrusive_root_t`, 40 bytes, 8-aligned), linked into its
//!   heap's root list while it holds an object. Initialising, copying,
//!   moving and destroying a root, and reading or writing the object it
//!   holds, take no heap argument: the node knows its list, and the list
//!   its heap.
//! - **indexed** (`gcr_indexed_*`), shaped like Wasmtime's C API for its
//!   `OwnedRooted` references (`wasmtime_anyref_t`): a root is a handle
//!   (`gcr_indexed_root_t`, 32 bytes) naming a slot of the heap's table
//!   and the generation of the slot's liveness cell. Cloning and unrooting
//!   a handle take no heap argument (as `wasmtime_anyref_clone` and
//!   `_unroot` take no context since Wasmtime's 2025 `OwnedRooted`);
//!   everything that reads or writes the object takes the heap, the
//!   context the table lives in.
//! - **conservative** (`gcr_conservative_*`): no root for a value on the
//!   stack. An object is a plain pointer (`gcr_object_t *`) in C's locals;
//!   every collection scans the thread's stack and registers and keeps,
//!   in place, what they point into. A reference kept off the stack takes
//!   an indexed root (`gcr_conservative_persist`). Every access takes the
//!   heap, which checks the pointer is one of its objects.
//!
//! # What C must not do with a root: copy its bytes
//!
//! C copies structs as bytes without asking: `memcpy`, struct assignment
//! (`b = a`), `realloc` of an array of roots, `qsort` of one. What each
//! scheme does with such a copy of a root that holds an object:
//!
//! | | intrusive | indexed |
//! |---|---|---|
//! | `memcpy` or `=`, both kept | the copy is in no list, so no collection updates it: every read, write or comparison through it is `GCR_ERR_MISUSE` (its link names a cell that does not point back at it); copying, moving or destroying it aborts with a message; the original works | twins: both work until one is unrooted, which unroots both; every later use of the other, unrooting included, is `GCR_ERR_STALE` |
//! | `memcpy` or `=`, then the source forgotten (re-initialised, freed) | undefined: the list still links the source's memory, which the collector reads and writes | a move: fine (the C++ move constructor does this) |
//! | `realloc` or `qsort` of an array of roots | undefined, as above: the collector walks freed or rearranged memory | a move of each: fine |
//!
//! The intrusive check reads the cell the copy's stale link names, so it
//! catches a copy only while the root linked after the original is alive
//! (or the original was the newest); a copy made after that root was freed
//! reads freed memory, as destroying it would. Copy intrusive roots with
//! `gcr_intrusive_root_copy` and move them with `gcr_intrusive_root_move`;
//! in C++, `gcroots.hpp`'s `Root` does both in its constructors, so
//! `std::vector<gcroots::intrusive::Root>` may grow and copy freely. For a
//! growable array of intrusive roots in C, allocate each root where it
//! stays (a linked list of chunks, or an array that never moves).
//!
//! # Errors
//!
//! Every function that can fail returns a [`gcr_status_t`]; on failure
//! nothing changed, and [`gcr_last_error`] describes the failure. Bad input
//! is an error code: a null pointer, an empty root, a root of another
//! heap, a root whose heap was destroyed (intrusive: the list outlives the
//! heap until its last root is destroyed), a field or data offset out of
//! range, an allocation over the limit, an invalid configuration. A heap
//! pointer used after `*_heap_destroy` is, as after `free`, undefined
//! behaviour. Misuse that only a broken invariant can cause (a root copied
//! as bytes, a stale object) is `GCR_ERR_MISUSE` or `GCR_ERR_STALE` with a
//! message, or an abort with a message where unwinding would leave a root
//! list corrupt (and no status can be returned).
//!
//! The library writes nothing to the host's stderr: a panic inside a call
//! (a broken invariant) becomes `GCR_ERR_MISUSE`, its message and place in
//! [`gcr_last_error`], through a panic hook that keeps quiet inside calls
//! and defers to the hook installed before it elsewhere. Only the aborts
//! above print their message, just before the process ends.
//!
//! # Threads
//!
//! An intrusive heap and its roots belong to the thread that made them. An
//! indexed heap may move between threads (one at a time); its roots may be
//! cloned and unrooted on any thread. A conservative heap belongs to the
//! thread that made it (a collection elsewhere is `GCR_ERR_MISUSE`); its
//! roots may be cloned and unrooted anywhere.

#![allow(non_camel_case_types)]
// Also denied workspace-wide (`[workspace.lints]`); stated here because
// it is this crate's rule whatever workspace builds it.
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(not(miri))]
pub mod conservative;
pub mod indexed;
pub mod intrusive;

use core::ffi::c_char;
use core::panic::AssertUnwindSafe;
use std::cell::{Cell, RefCell};
use std::ffi::CString;
use std::sync::Once;

use gcroots::{AllocError, Config, HeapError, RootError, SpaceKind, Stats};

/// What a call did.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum gcr_status_t {
    /// It worked.
    GCR_OK = 0,
    /// A pointer argument was null.
    GCR_ERR_NULL = 1,
    /// A root argument holds no object.
    GCR_ERR_EMPTY = 2,
    /// A root belongs to another heap than the one it is used with.
    GCR_ERR_WRONG_HEAP = 3,
    /// The root's heap was destroyed.
    GCR_ERR_DESTROYED = 4,
    /// A field index or data offset is out of range for the object.
    GCR_ERR_RANGE = 5,
    /// The object is larger than the heap's limit (or the per-object limits).
    GCR_ERR_TOO_LARGE = 6,
    /// The live data plus the new object would exceed the heap's limit.
    GCR_ERR_OUT_OF_MEMORY = 7,
    /// The system allocator refused memory.
    GCR_ERR_SYSTEM = 8,
    /// The configuration is invalid.
    GCR_ERR_CONFIG = 9,
    /// A broken invariant was detected (see [`gcr_last_error`]).
    GCR_ERR_MISUSE = 10,
    /// The heap's mode cannot do it (pinning in a copying heap).
    GCR_ERR_UNSUPPORTED = 11,
    /// An indexed root was already unrooted: a copy of its bytes (memcpy,
    /// struct assignment) was unrooted first, which unroots them all.
    GCR_ERR_STALE = 12,
}

use gcr_status_t::*;

/// How a heap sizes itself and how much checking it does (the Rust
/// `gcroots::Config`; start from [`gcr_config_default`]).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct gcr_config_t {
    /// The initial size of each semispace, in bytes.
    pub initial_bytes: usize,
    /// The limit on live data, in bytes (rounded down to 8).
    pub max_bytes: usize,
    /// Grow when live data after a collection exceeds this percentage of a
    /// semispace (1 to 100).
    pub grow_percent: u8,
    /// Collect before every allocation.
    pub stress: bool,
    /// Poison evacuated space.
    pub poison: bool,
    /// Verify the heap after every collection.
    pub verify: bool,
    /// 0 for no nursery; otherwise the nursery size of a generational
    /// heap, in bytes.
    pub nursery_bytes: usize,
    /// A mark-region main space (Immix: objects marked in place, fragmented
    /// blocks evacuated; objects can be pinned) instead of semispaces.
    pub mark_region: bool,
    /// In a mark-region heap, whether collections evacuate fragmented
    /// blocks.
    pub evacuate: bool,
}

impl From<&gcr_config_t> for Config {
    fn from(c: &gcr_config_t) -> Config {
        Config {
            initial_bytes: c.initial_bytes,
            max_bytes: c.max_bytes,
            grow_percent: c.grow_percent,
            stress: c.stress,
            poison: c.poison,
            verify: c.verify,
            nursery_bytes: c.nursery_bytes,
            space: if c.mark_region {
                SpaceKind::MarkRegion
            } else {
                SpaceKind::Semispace
            },
            evacuate: c.evacuate,
        }
    }
}

/// Fills `out` with the default configuration (1 MiB semispaces growing at
/// 50% occupancy up to 1 GiB, no checking), or zeal mode (collect before
/// every allocation, poison, verify) if `zeal` is true. Does nothing if
/// `out` is null.
///
/// # Safety
///
/// `out` is null or valid for writing a `gcr_config_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gcr_config_default(out: *mut gcr_config_t, zeal: bool) {
    let c = if zeal {
        Config::zeal()
    } else {
        Config::default()
    };
    if !out.is_null() {
        // SAFETY: the caller's promise.
        unsafe {
            out.write(gcr_config_t {
                initial_bytes: c.initial_bytes,
                max_bytes: c.max_bytes,
                grow_percent: c.grow_percent,
                stress: c.stress,
                poison: c.poison,
                verify: c.verify,
                nursery_bytes: c.nursery_bytes,
                mark_region: c.space == SpaceKind::MarkRegion,
                evacuate: c.evacuate,
            })
        };
    }
}

/// What a heap's collector has done, and its size.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct gcr_stats_t {
    /// Collections run, minor and full.
    pub collections: u64,
    /// Of those, minor collections.
    pub minor_collections: u64,
    /// Objects allocated.
    pub objects_allocated: u64,
    /// Bytes allocated.
    pub bytes_allocated: u64,
    /// Bytes copied by collections.
    pub bytes_copied: u64,
    /// Roots visited by collections.
    pub roots_scanned: u64,
    /// Bytes live after the last collection.
    pub live_bytes_after_gc: usize,
    /// Bytes in use.
    pub used_bytes: usize,
    /// The size of one semispace (of the budget, in a mark-region heap).
    pub capacity_bytes: usize,
    /// Objects pinned now.
    pub objects_pinned: usize,
}

impl From<Stats> for gcr_stats_t {
    fn from(s: Stats) -> Self {
        gcr_stats_t {
            collections: s.collections,
            minor_collections: s.minor_collections,
            objects_allocated: s.objects_allocated,
            bytes_allocated: s.bytes_allocated,
            bytes_copied: s.bytes_copied,
            roots_scanned: s.roots_scanned,
            live_bytes_after_gc: s.live_bytes_after_gc,
            used_bytes: s.used_bytes,
            capacity_bytes: s.capacity_bytes,
            objects_pinned: s.objects_pinned,
        }
    }
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `message` as this thread's last error.
fn set_error(message: impl Into<Vec<u8>>) {
    let mut bytes = message.into();
    bytes.retain(|&b| b != 0);
    let message = CString::new(bytes).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = message);
}

/// A description of the last failure on this thread, in UTF-8; empty if
/// none. Valid until the next call into this library on this thread.
#[unsafe(no_mangle)]
pub extern "C" fn gcr_last_error() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

/// Records an error's message and returns its status.
fn fail(status: gcr_status_t, message: impl std::fmt::Display) -> gcr_status_t {
    set_error(message.to_string());
    status
}

fn root_error(e: RootError) -> gcr_status_t {
    let status = match e {
        RootError::WrongHeap => GCR_ERR_WRONG_HEAP,
        RootError::Unlinked => GCR_ERR_EMPTY,
        RootError::Unrooted => GCR_ERR_STALE,
        _ => GCR_ERR_MISUSE,
    };
    fail(status, e)
}

fn alloc_error(e: AllocError) -> gcr_status_t {
    let status = match e {
        AllocError::TooLarge { .. } => GCR_ERR_TOO_LARGE,
        AllocError::OutOfMemory { .. } => GCR_ERR_OUT_OF_MEMORY,
        _ => GCR_ERR_SYSTEM,
    };
    fail(status, e)
}

fn heap_error(e: HeapError) -> gcr_status_t {
    let status = match e {
        HeapError::Config(_) => GCR_ERR_CONFIG,
        HeapError::System { .. } => GCR_ERR_SYSTEM,
        _ => GCR_ERR_MISUSE,
    };
    fail(status, e)
}

thread_local! {
    /// Whether this thread is inside a call of this API (in [`guard`]).
    static IN_CALL: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic inside a call was raised, for its message.
    static PANIC_AT: Cell<Option<String>> = const { Cell::new(None) };
}

/// Installs, once per process, a panic hook that keeps quiet about panics
/// raised inside a call of this API (they become `GCR_ERR_MISUSE` and
/// [`gcr_last_error`]; a C library writes nothing to its host's stderr)
/// and hands every other panic to the hook that was installed before.
/// A host that installs its own hook later replaces this one; its panics
/// inside calls are then printed as that hook decides.
fn quiet_panics_in_calls() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_CALL.with(Cell::get) {
                PANIC_AT.with(|at| at.set(info.location().map(ToString::to_string)));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic (a broken invariant: the C API checks every
/// mistake it can name before calling into the library) into
/// `GCR_ERR_MISUSE` with the panic's message and where it was raised, so
/// that no panic unwinds into C, and nothing is printed.
fn guard(f: impl FnOnce() -> gcr_status_t) -> gcr_status_t {
    quiet_panics_in_calls();
    // A call may not re-enter another (no callbacks), but restore rather
    // than clear, in case one ever does.
    let outer = IN_CALL.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    IN_CALL.with(|c| c.set(outer));
    match result {
        Ok(status) => status,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".to_owned());
            match PANIC_AT.with(Cell::take) {
                Some(at) => fail(GCR_ERR_MISUSE, format!("{message} (at {at})")),
                None => fail(GCR_ERR_MISUSE, message),
            }
        }
    }
}

/// `Ok` if `p` is not null.
fn non_null<T>(p: *const T, what: &str) -> Result<(), gcr_status_t> {
    if p.is_null() {
        Err(fail(GCR_ERR_NULL, format!("{what} is null")))
    } else {
        Ok(())
    }
}

/// The status of a `Result` whose error is already a status.
fn status(r: Result<(), gcr_status_t>) -> gcr_status_t {
    match r {
        Ok(()) => GCR_OK,
        Err(s) => s,
    }
}

// ----- pins ------------------------------------------------------------------

/// A pinned object: its data bytes stay where `data` points, and the
/// object alive, until the pin is ended with `gcr_*_unpin` (or its heap is
/// destroyed). Only a mark-region heap can pin (`gcr_config_t::mark_region`).
///
/// `data` and `bytes` are for the caller to read; the other fields are the
/// heap's. A pin is a plain value: a copy made with `memcpy` or assignment
/// names the same pin, and the second of two unpins is refused with
/// `GCR_ERR_MISUSE` (the pin was already ended), never a double free.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct gcr_pin_t {
    /// The object's first data byte (null for an ended pin).
    pub data: *mut u8,
    /// How many data bytes the object has.
    pub bytes: usize,
    /// Private: the pin table of the heap that made it.
    pub table: u64,
    /// Private: its slot in that table.
    pub slot: u32,
    /// Private: the slot's generation when the pin was made.
    pub generation: u32,
}

/// The pins a C heap made, each in a slot with a generation, so that a C
/// pin (a plain value, which C may copy) is ended at most once.
#[derive(Debug)]
pub(crate) struct PinTable {
    /// A number no other table of this process has.
    id: u64,
    slots: Vec<(u32, Option<gcroots::Pinned>)>,
    free: Vec<u32>,
}

impl PinTable {
    pub(crate) fn new() -> PinTable {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        PinTable {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Keeps `pin` and returns its C value, for an object whose data is at
    /// `data`, `bytes` long.
    pub(crate) fn add(&mut self, pin: gcroots::Pinned, data: *mut u8, bytes: usize) -> gcr_pin_t {
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push((0, None));
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 pins")
            }
        };
        let entry = &mut self.slots[slot as usize];
        entry.1 = Some(pin);
        gcr_pin_t {
            data,
            bytes,
            table: self.id,
            slot,
            generation: entry.0,
        }
    }

    /// Ends the pin `c` names (and empties `c`), or says why not.
    pub(crate) fn remove(&mut self, c: &mut gcr_pin_t) -> Result<gcroots::Pinned, gcr_status_t> {
        if c.table != self.id {
            return Err(fail(
                GCR_ERR_WRONG_HEAP,
                "the pin was not made by this heap (or was never made)",
            ));
        }
        match self.slots.get_mut(c.slot as usize) {
            Some((generation, pin @ Some(_))) if *generation == c.generation => {
                let pin = pin.take().expect("matched Some");
                *generation = generation.wrapping_add(1);
                self.free.push(c.slot);
                *c = gcr_pin_t::ended();
                Ok(pin)
            }
            _ => Err(fail(
                GCR_ERR_MISUSE,
                "the pin was already ended (a copy of it was unpinned)",
            )),
        }
    }
}

impl gcr_pin_t {
    /// An ended pin: no data, no table.
    pub(crate) fn ended() -> gcr_pin_t {
        gcr_pin_t {
            data: core::ptr::null_mut(),
            bytes: 0,
            table: 0,
            slot: 0,
            generation: 0,
        }
    }
}

fn pin_error(e: gcroots::PinError) -> gcr_status_t {
    match e {
        gcroots::PinError::Root(e) => root_error(e),
        e => fail(GCR_ERR_UNSUPPORTED, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Set in the child process [`a_panic_inside_a_call_prints_nothing`]
    /// starts.
    const CHILD: &str = "GCROOTS_CAPI_PANIC_CHILD";

    /// The child's part: a panic inside a call becomes `GCR_ERR_MISUSE`
    /// with the panic's message and place; a panic outside any call still
    /// reaches the hook that was there before (the test harness's).
    #[test]
    fn panic_inside_a_call_child() {
        if std::env::var_os(CHILD).is_none() {
            return;
        }
        let status = guard(|| panic!("a broken invariant"));
        assert_eq!(status, GCR_ERR_MISUSE);
        // SAFETY: `gcr_last_error` returns a valid C string.
        let message = unsafe { std::ffi::CStr::from_ptr(gcr_last_error()) }.to_string_lossy();
        assert!(
            message.starts_with("a broken invariant (at ") && message.contains("lib.rs"),
            "{message}"
        );
        assert_eq!(guard(|| GCR_OK), GCR_OK);
        let outside = std::panic::catch_unwind(|| panic!("outside a call"));
        assert!(outside.is_err());
        println!("child done");
    }

    /// A panic inside a call prints nothing (no message, no backtrace, even
    /// with `RUST_BACKTRACE` set): run in a child process with its output
    /// uncaptured, whose stderr is then read.
    #[test]
    fn a_panic_inside_a_call_prints_nothing() {
        let output = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "tests::panic_inside_a_call_child", "--nocapture"])
            .args(["--test-threads", "1"])
            .env(CHILD, "1")
            .env("RUST_BACKTRACE", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stdout}\n{stderr}");
        assert!(stdout.contains("child done"), "{stdout}");
        assert!(!stderr.contains("a broken invariant"), "{stderr}");
        // Only the panic outside any call reached the previous hook (with
        // its backtrace).
        assert_eq!(stderr.matches("panicked at").count(), 1, "{stderr}");
        assert_eq!(stderr.matches("stack backtrace").count(), 1, "{stderr}");
        assert!(stderr.contains("outside a call"), "{stderr}");
    }
}
