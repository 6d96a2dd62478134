//! Indexed-table GC roots, after Wasmtime's `RootScope` / `Rooted` /
//! `OwnedRooted` (and the `ManuallyRooted` it replaced in 2025).
//!
//! # Why
//!
//! Native code that holds GC objects while a *moving* collector runs must
//! tell the collector where its pointers are, so that they can be traced and
//! rewritten. This crate keeps those pointers in a table owned by the heap
//! and hands out small handles that *name* a slot instead of pointing at
//! anything:
//!
//! - **Safety first.** A handle holds no pointer into the table, so no
//!   misuse of a handle is undefined behaviour. Every access checks the
//!   table id (a handle used with another heap) and a generation or
//!   liveness flag (a scoped handle used after its scope exited), and
//!   returns a [`HandleError`] that says which.
//! - **Handles travel.** Every handle is 16 bytes and `Send + Sync`;
//!   [`ScopedRoot`] and [`ScopedVec`] are `Copy`: they can be stored
//!   anywhere, including in futures that move between threads. An
//!   [`OwnedRoot`] unroots itself when dropped, on any thread, without
//!   touching its table.
//! - **The cost** is an indirection and two compares on every access; two
//!   atomic operations per owned root; and scoped roots that live until
//!   their *scope* exits, not until the handle is dropped.
//!
//! # Structure
//!
//! - the **scope table**: a LIFO vector of [`ScopedRoot`]s; a scope
//!   records its length on entry ([`Mark`]) and truncates back to it on
//!   exit;
//! - **owned roots** ([`OwnedRoot`]): slots whose handles share a
//!   liveness flag, reclaimed lazily when every handle is dropped (before
//!   each collection, and amortised O(1) when roots are created);
//! - **weak roots** ([`WeakRoot`]): owned slots that the collector does
//!   not trace but sweeps afterwards ([`RootTable::sweep_weak`]),
//!   rewriting each value that moved and clearing each that died;
//! - **vector roots**: one entry holding a growable vector, scoped
//!   ([`ScopedVec`], released with its scope) or owned ([`OwnedVec`]);
//! - the **manual slab** ([`ManualRoot`]): roots released only by
//!   [`RootTable::unroot`], Wasmtime's former design, kept as a measured
//!   variant;
//! - **generations**: every scoped root, scoped vector and manual root is
//!   stamped with a number its table never issues twice, so a stale handle
//!   can never read a newer root's slot.
//!
//! The crate knows nothing of objects or collectors: it stores any `T: Copy`
//! (a GC pointer, for a collector) and gives a collector
//! [`RootTable::trace`] to visit and rewrite every stored value.
//!
//! # Example
//!
//! ```
//! use gcroots_indexed::{HandleError, RootTable};
//!
//! let mut table = RootTable::<usize>::new();
//! let outer = table.root(0x1000);
//! let inner = {
//!     let scope = table.scope();
//!     let inner = scope.root(0x2000);
//!     assert_eq!(scope.get(inner), Ok(0x2000));
//!     inner
//! }; // the scope exits: `inner` is released
//! assert!(matches!(table.get(inner), Err(HandleError::Stale { .. })));
//!
//! let owned = table.root_owned(0x3000);
//! let moved = std::thread::spawn(move || owned).join().unwrap();
//!
//! // A moving collector rewrites every root in place.
//! table.trace(|p| *p += 0x10);
//! assert_eq!(table.get(outer), Ok(0x1010));
//! assert_eq!(table.get_owned(&moved), Ok(0x3010));
//! drop(moved); // unrooted: the table reclaims the slot at its next trim
//! assert_eq!(table.owned_len(), 0);
//!
//! // A handle from another table is refused, not misread.
//! let other = RootTable::<usize>::new();
//! assert!(matches!(other.get(outer), Err(HandleError::WrongTable { .. })));
//! ```

// Also denied workspace-wide (`[workspace.lints]`); stated here because
// it is this crate's rule whatever workspace builds it.
#![deny(unsafe_op_in_unsafe_fn)]

mod error;
pub mod layout;
mod lifo;
mod owned;
mod slab;
mod table;
mod vecs;

pub use error::{HandleError, TableId};
pub use lifo::{Mark, ScopedRoot};
pub use owned::{OwnedRoot, OwnedVec, WeakRoot};
pub use slab::ManualRoot;
pub use table::{RootTable, Scope, VecHandle, VecRef};
pub use vecs::ScopedVec;
