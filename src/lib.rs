//! Three ways of rooting a moving garbage collector, behind one trait,
//! over one heap in four modes, measured on identical workloads.
//!
//! # The question
//!
//! Native code that holds GC objects while a *moving* collector runs must
//! let the collector find and rewrite its pointers. Two answers compete,
//! and a third combines them:
//!
//! - **pinned intrusive-list roots** ([`Intrusive`], after SpiderMonkey's
//!   `JS::Rooted` / `JS::PersistentRooted`): a root is a pinned node that
//!   holds the raw pointer and is linked into a list the collector walks;
//!   long-lived roots are slots of a pool. Reading a root is a load; the
//!   price is pinning, `!Send` roots, and unsafe code that must be exactly
//!   right.
//! - **indexed table roots** ([`Indexed`], after Wasmtime's `RootScope` /
//!   `Rooted` / `OwnedRooted`): the pointers live in a table owned by the
//!   heap and a root is a checked index. Misuse is a clean error and
//!   handles are `Send + Sync`; the price is an indirection on every access
//!   and scopes.
//! - **both at once** ([`Hybrid`]): intrusive stack roots and indexed owned
//!   long-lived roots, traced by one collection.
//!
//! This crate implements all three ([`Scheme`]), so that the same code,
//! generic over `S: Scheme`, runs on each and the difference can be
//! measured.
//!
//! # The heap's modes
//!
//! [`Config`] chooses one of four, the same for every scheme:
//!
//! - **semispace** ([`Config::default`]): a Cheney copying collector that
//!   moves every live object at every collection;
//! - **generational** ([`Config::generational`]): a nursery whose minor
//!   collections promote into the semispaces, with a write barrier and a
//!   remembered set;
//! - **mark-region** ([`Config::mark_region`]): Immix-style blocks and
//!   lines, objects marked in place and fragmented blocks evacuated; the
//!   only mode in which an object can be pinned ([`Heap::pin`]);
//! - **generational mark-region** (`Config::mark_region().with_nursery(n)`).
//!
//! Each has a zeal configuration for tests ([`Config::zeal`],
//! [`Config::generational_zeal`], `Config::zeal().with_mark_region()`):
//! a collection before every allocation, freed and evacuated memory
//! poisoned, the heap verified after every collection.
//!
//! # Choosing a scheme
//!
//! All three are on by default, side by side. An embedder picks one with a
//! feature (`default-features = false, features = ["intrusive"]`,
//! `["indexed"]` or `["hybrid"]`) and names it [`Selected`]; with several
//! on, `Selected` is the first enabled of [`Indexed`], [`Intrusive`],
//! [`Hybrid`]. With none, the crate does not compile and says why.
//!
//! # The pieces
//!
//! - [`Heap`]: bump allocation and the collector of its mode ([`Config`]
//!   sets its mode, size, growth, and the stress/poison/verify checks;
//!   [`Stats`] counts what it did). Objects have reference fields and plain data
//!   ([`Shape`]), like WebAssembly GC structs and arrays.
//! - [`Ref`]: an unrooted reference, which borrows the heap immutably and so
//!   cannot be held across an allocation.
//! - [`root!`]: roots a value under either scheme, giving a [`Local`];
//!   [`Heap::persist`] gives a long-lived [`Persistent`], which unroots
//!   itself when dropped. Both implement [`Root`]. [`Heap::scope`] gives a
//!   [`Scope`], which releases the indexed scheme's scoped roots.
//! - [`root_vec!`] and [`Heap::persist_vec`]: one root holding a growable
//!   sequence of objects ([`LocalVec`], [`PersistentVec`], used through
//!   [`RootVec`]), for a number of values known only at run time.
//! - [`Heap::alloc_with`] and [`Heap::alloc_init`]: an allocation whose
//!   fields are filled from roots of any kinds before anything can move.
//! - [`Roots`]: the part of the root set the heap borrows (the intrusive
//!   scheme's list), made before the heap.
//! - [`Pinned`]: a root that also fixes its object's address, in a
//!   mark-region heap, for native code.
//! - [`audit`]: runs generic code under every scheme and finds where it
//!   keeps roots alive for different spans.
//!
//! ```
//! use gcroots::{root, Config, Heap, Roots, Selected, Shape};
//!
//! let roots = Roots::<Selected>::new();
//! let mut heap = Heap::new(&roots, Config::default()).unwrap();
//!
//! root!(heap, let a = heap.alloc(Shape::new(1, 8)).unwrap());
//! root!(heap, let b = heap.alloc(Shape::new(1, 8)).unwrap());
//! heap.get(&a).write_u64(0, 7);
//! heap.get(&a).set_field(0, Some(heap.get(&b)));
//! heap.get(&b).set_field(0, Some(heap.get(&a))); // a cycle
//!
//! heap.collect(); // both objects move; the roots follow them
//!
//! let a2 = heap.get(&a);
//! assert_eq!(a2.read_u64(0), 7);
//! assert_eq!(a2.field(0).unwrap().field(0), Some(a2));
//! assert_eq!(heap.stats().collections, 1);
//! ```

// Also denied workspace-wide (`[workspace.lints]`); stated here because
// it is this crate's rule whatever workspace builds it.
#![deny(unsafe_op_in_unsafe_fn)]

#[cfg(not(any(
    feature = "intrusive",
    feature = "indexed",
    feature = "hybrid",
    feature = "conservative"
)))]
compile_error!(
    "gcroots: no rooting scheme selected. Enable the `intrusive`, `indexed`, `hybrid` or `conservative` feature, or any of them together (the default: all four)."
);

#[cfg(all(
    feature = "conservative",
    not(all(
        target_os = "linux",
        any(target_arch = "x86_64", target_arch = "aarch64")
    ))
))]
compile_error!(
    "gcroots: the `conservative` feature scans the native stack, which gcroots does on x86-64 and AArch64 Linux only. Disable it on this target: `default-features = false, features = [\"intrusive\", \"indexed\", \"hybrid\"]`."
);

pub mod audit;
mod collector;
mod config;
mod error;
mod fields;
mod heap;
pub mod layout;
#[cfg(any(feature = "intrusive", feature = "hybrid"))]
mod linked;
mod object;
mod pin;
mod reference;
mod root;
mod roots;
mod scheme;
mod schemes;
mod scope;
mod spaces;
#[cfg(all(feature = "conservative", not(miri)))]
mod stack;
mod stats;
mod vec;
mod verify;
mod weak;

pub use config::{Config, SpaceKind};
pub use error::{AllocError, HeapError, PinError, RootError};
pub use fields::Fields;
pub use heap::Heap;
#[cfg(any(feature = "intrusive", feature = "hybrid"))]
pub use linked::{LinkedRoot, ListScheme};
pub use object::{MAX_BYTES, MAX_FIELDS, Shape};
pub use pin::Pinned;
pub use reference::Ref;
pub use root::{Local, Persistent, Root};
pub use roots::Roots;
pub use scheme::Scheme;
#[cfg(all(feature = "conservative", not(miri)))]
pub use schemes::conservative::Conservative;
#[cfg(feature = "hybrid")]
pub use schemes::hybrid::Hybrid;
#[cfg(feature = "indexed")]
pub use schemes::indexed::Indexed;
#[cfg(feature = "intrusive")]
pub use schemes::intrusive::Intrusive;
pub use scope::Scope;
pub use spaces::large::LARGE_OBJECT_BYTES;
pub use stats::Stats;
pub use vec::{Iter, LocalVec, PersistentVec, RootVec};
pub use weak::{FinalizationRegistry, Weak, WeakMap};

/// The scheme the features select: the first enabled of [`Indexed`],
/// [`Intrusive`], `Hybrid` (so with one feature on, that scheme; with the
/// defaults, `Indexed`).
#[cfg(feature = "indexed")]
pub type Selected = Indexed;

/// The scheme the features select: the first enabled of `Indexed`,
/// [`Intrusive`], `Hybrid` (so with one feature on, that scheme; with the
/// defaults, `Indexed`).
#[cfg(all(feature = "intrusive", not(feature = "indexed")))]
pub type Selected = Intrusive;

/// The scheme the features select: the first enabled of `Indexed`,
/// `Intrusive`, [`Hybrid`] (so with one feature on, that scheme; with the
/// defaults, `Indexed`).
#[cfg(all(
    feature = "hybrid",
    not(feature = "indexed"),
    not(feature = "intrusive")
))]
pub type Selected = Hybrid;

/// The scheme the features select: with `conservative` the only one on,
/// [`Conservative`].
#[cfg(all(
    feature = "conservative",
    not(miri),
    not(feature = "hybrid"),
    not(feature = "indexed"),
    not(feature = "intrusive")
))]
pub type Selected = Conservative;

/// What [`root!`] expands to. Not public API: public only because a macro
/// expands in the caller's crate.
#[doc(hidden)]
pub mod __private {
    pub use crate::root::{__root, Slot};
    pub use crate::vec::{__root_vec, VecSlot};
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
