//! Indexed-table GC roots, after Wasmtime's `RootScope` / `Rooted` /
//! `ManuallyRooted`.
//!
//! # Why
//!
//! Native code that holds GC objects while a *moving* collector runs must
//! tell the collector where its pointers are, so that they can be traced and
//! rewritten. This crate keeps those pointers in a table owned by the heap
//! and hands out small handles that *name* a slot instead of pointing at
//! anything:
//!
//! - **Safety first.** A handle holds no pointer, so no misuse of a handle is
//!   undefined behaviour. Every access checks the table id (a handle used
//!   with another heap) and a generation (a scoped handle used after its
//!   scope exited), and returns a [`HandleError`] that says which.
//! - **Handles travel.** [`ScopedRoot`] and [`ManualRoot`] are 16 bytes,
//!   `Send + Sync`, and `ScopedRoot` is `Copy`: they can be stored anywhere,
//!   including in futures that move between threads.
//! - **The cost** is an indirection and two compares on every access, and
//!   discipline: scoped roots live until their *scope* exits (not until the
//!   handle is dropped), and manual roots live until explicitly
//!   [unrooted](RootTable::unroot).
//!
//! # Structure
//!
//! - the **scope table** ([`lifo`]): a LIFO vector; a scope records its
//!   length on entry and truncates back to it on exit;
//! - the **slab** ([`slab`]): manual roots with arbitrary lifetimes, released
//!   in any order through a free list;
//! - **generations**: every root is stamped with a number its table never
//!   issues twice, so a stale handle can never read a newer root's slot;
//! - **leak counting** ([`RootTable::leaked`]): a manual root dropped without
//!   being unrooted keeps its slot for the table's lifetime and is counted.
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
//! let manual = table.root_manual(0x3000);
//!
//! // A moving collector rewrites every root in place.
//! table.trace(|p| *p += 0x10);
//! assert_eq!(table.get(outer), Ok(0x1010));
//! assert_eq!(table.unroot(manual), Ok(0x3010));
//!
//! // A handle from another table is refused, not misread.
//! let other = RootTable::<usize>::new();
//! assert!(matches!(other.get(outer), Err(HandleError::WrongTable { .. })));
//! ```

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod error;
mod leaks;
pub mod lifo;
pub mod slab;
mod table;

pub use error::{HandleError, TableId};
pub use lifo::{Mark, ScopedRoot};
pub use slab::ManualRoot;
pub use table::{RootTable, Scope};
