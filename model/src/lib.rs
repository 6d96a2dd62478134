//! A plain model of gcroots heaps, and an interpreter that runs one
//! sequence of operations on two real heaps of any scheme and checks every
//! step against the model.
//!
//! The property tests (`tests/model.rs`, proptest) and the differential
//! fuzzer (`fuzz/fuzz_targets/schemes.rs`, libFuzzer) both generate
//! sequences of [`Op`]s and hand them to [`run`]: every read must agree with
//! the model, a collection must keep exactly the bytes the model reaches
//! from the roots of that heap, an allocation must fail exactly when (in
//! zeal mode) the live data plus the request exceed the limit, and a root
//! used with the other heap must be refused. [`run`] returns the
//! [`Trace`] of what it observed, so that the fuzzer can check too that
//! the schemes observed the same things.
//!
//! Operations name a heap (`0` or `1`) and *handles*: the frames' scoped
//! roots (outermost first), then the persistent roots (oldest first), both
//! reduced modulo their number. A frame is a scope of the Rust stack: an
//! `Enter` allocates an object, opens a scope in a new (recursive) frame
//! and roots the object there with `root!`; `Exit` returns from it. Each
//! heap also has one long-lived vector root, one ephemeron table and one
//! finalization registry; weak roots are kept in a list of their own.
//!
//! The model decides weak references exactly at explicit collections (a
//! full collection finds every unreachable object): after `Collect`, a
//! weak root is cleared, an ephemeron entry removed and a registration
//! queued exactly when the model (roots, then ephemeron values of reached
//! keys to a fixpoint) does not reach its object. Between them, an
//! implicit collection (an allocation's, a minor one) may have done so
//! already for an object the model does not reach, never for one it
//! does; and a finalizer is never handed the held value of a reachable
//! target.

mod interp;
mod model;

use gcroots::{AllocError, Config, RootError, Scheme};

/// One operation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Op {
    /// Allocate `{fields % 4, 8 + 8 * (words % 3)}` in `heap` and root it
    /// in a new frame.
    Enter {
        /// Which heap (`% 2`).
        heap: u8,
        /// Reference fields (`% 4`).
        fields: u8,
        /// Data words beyond the identity (`% 3`).
        words: u8,
    },
    /// Root the object in `handle`'s field in a new frame (if set).
    EnterField {
        /// Whose field.
        handle: u16,
        /// Which field.
        field: u8,
    },
    /// Leave the innermost frame.
    Exit,
    /// Persist `handle`'s object.
    Persist {
        /// Which handle.
        handle: u16,
    },
    /// Release persistent root `which` with [`Heap::release`](gcroots::Heap::release).
    Release {
        /// Which persistent root.
        which: u16,
    },
    /// Drop persistent root `which` (any order).
    DropPersistent {
        /// Which persistent root.
        which: u16,
    },
    /// Set `handle`'s field to `source`'s object (same heap only) or none.
    SetField {
        /// Whose field.
        handle: u16,
        /// Which field.
        field: u8,
        /// The new value's handle, or none.
        source: Option<u16>,
    },
    /// Write a data word (never word 0, the identity).
    Write {
        /// Whose data.
        handle: u16,
        /// Which word.
        word: u8,
        /// The value.
        value: u64,
    },
    /// Read a data word and a field, and compare them with the model.
    Read {
        /// Whose.
        handle: u16,
        /// Which word.
        word: u8,
        /// Which field.
        field: u8,
    },
    /// Collect `heap` and compare its live bytes with the model.
    Collect {
        /// Which heap.
        heap: u8,
    },
    /// Allocate `words % 64` words of unrooted garbage in `heap`.
    Garbage {
        /// Which heap.
        heap: u8,
        /// How big.
        words: u16,
    },
    /// Allocate a shape over a limit: must be `TooLarge`.
    TooLarge {
        /// Which heap.
        heap: u8,
        /// Which limit: fields, bytes, or the heap's size.
        kind: u8,
    },
    /// Push `handle`'s object onto its heap's vector root.
    VecPush {
        /// Which handle.
        handle: u16,
    },
    /// Pop `heap`'s vector root.
    VecPop {
        /// Which heap.
        heap: u8,
    },
    /// Read element `index` of `heap`'s vector root.
    VecRead {
        /// Which heap.
        heap: u8,
        /// Which element.
        index: u16,
    },
    /// Use `handle` with the other heap: must be `WrongHeap`.
    WrongHeap {
        /// Which handle.
        handle: u16,
    },
    /// Swap the two heaps (only outside every frame; ignored inside).
    SwapHeaps,
    /// Make a weak root of `handle`'s object.
    Weak {
        /// Which handle.
        handle: u16,
    },
    /// Drop weak root `which`.
    DropWeak {
        /// Which weak root.
        which: u16,
    },
    /// Upgrade weak root `which`: its object while the model reaches it;
    /// none after a full collection found it unreachable.
    Upgrade {
        /// Which weak root.
        which: u16,
    },
    /// Map `handle`'s object to `value`'s in its heap's ephemeron table
    /// (same heap only).
    MapInsert {
        /// The key's handle.
        handle: u16,
        /// The value's handle.
        value: u16,
    },
    /// Look `handle`'s object up in its heap's ephemeron table.
    MapGet {
        /// The key's handle.
        handle: u16,
    },
    /// Remove `handle`'s object's entry from its heap's ephemeron table.
    MapRemove {
        /// The key's handle.
        handle: u16,
    },
    /// Register `handle`'s object with its heap's finalization registry;
    /// the held value is the registration's number.
    Register {
        /// Which handle.
        handle: u16,
    },
    /// Unregister registration `which` (by its held value).
    Unregister {
        /// Which registration.
        which: u16,
    },
    /// Run `heap`'s finalizers: each held value handed over must be of a
    /// registration whose target the model no longer reaches, once.
    RunFinalizers {
        /// Which heap.
        heap: u8,
    },
    /// Swap the heap behind a scope of two fresh heaps: the scope's
    /// `escape` must refuse the root, and dropping the scope must not
    /// panic.
    SwappedScope,
}

/// Something a run observed, for comparing runs under different schemes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An allocation's outcome.
    Alloc(Result<(), AllocError>),
    /// A data word and a field's identity, read.
    Read(u64, Option<u64>),
    /// Live bytes after a collection.
    Live(usize),
    /// A root refused.
    Refused(RootError),
    /// A vector root's element or popped value (its identity).
    Vec(Option<u64>),
    /// A weak root upgraded, or an ephemeron table's value (identity).
    Weak(Option<u64>),
    /// Held values handed to a finalization callback.
    Finalized(Vec<u64>),
}

/// What a run observed, in order.
pub type Trace = Vec<Event>;

/// Runs `ops` on two fresh heaps of scheme `S` made with `config`, checking
/// every step against the model, and returns what it observed.
///
/// # Panics
///
/// On the first disagreement with the model (or any other misbehaviour of
/// a heap), with a message that names it: that is what the tests and the
/// fuzzers look for. Also if `config` is refused.
pub fn run<S: Scheme>(ops: &[Op], config: &Config) -> Trace {
    interp::run::<S>(ops, config)
}
