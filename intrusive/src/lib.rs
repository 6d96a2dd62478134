//! Pinned intrusive-list GC roots, after SpiderMonkey's `JS::Rooted` and
//! `JS::PersistentRooted`.
//!
//! # Why
//!
//! A moving collector must find, and rewrite, every pointer that native
//! code holds. Here each such pointer lives in a small *node* that stays
//! where its creator put it (a stack frame, a box, a field of a host
//! object), pinned there, and linked into a list that the collector walks.
//!
//! - **Reading a root is one load**: the pointer is in the node, not in a
//!   table somewhere else. Creating the newest root and dropping it are a
//!   handful of loads and stores on memory that is already in cache.
//! - **The cost is paid in the type system and in unsafe code**: nodes are
//!   pinned and `!Unpin`, `!Send` and `!Sync`; users only get shared
//!   borrows of them; the list must never point at a node that is gone.
//!
//! # Structure
//!
//! - [`RootList`]: the root set of one collector. Roots borrow it, so the
//!   borrow checker proves it outlives every root that can still unlink
//!   itself; the collector reads and rewrites roots through
//!   [`RootList::trace`].
//! - [`StackRoot`]: a root pinned in its creator's frame by
//!   [`stack_root!`].
//! - [`PersistentRoot`]: a pinned root with an arbitrary lifetime, for
//!   embedding in a host object (or boxed).
//! - [`VecRoot`]: one pinned root holding a growable vector of values,
//!   scoped ([`vec_root!`]) or long-lived.
//! - [`PooledRoot`]: a movable long-lived root: a handle to a slot of the
//!   list's pool, taken and given back without allocating.
//! - [`WeakRoot`]: the same, in a pool of its own that the collector
//!   sweeps after tracing ([`RootList::sweep_weak`]): it follows its value
//!   but does not keep it, and is cleared when the value dies.
//!
//! Pinned nodes sit in doubly linked chains (one per kind) and unlink in
//! O(1) in any order; pooled roots sit in chunks of slots with a free list.
//! The crate knows nothing of objects or collectors: a root holds any
//! `T: Copy`, for a collector a GC pointer.
//!
//! # Doubly linked stack roots
//!
//! SpiderMonkey links its stack roots singly, because C++ destroys them in
//! LIFO order. Safe Rust does not promise that order (roots in interleaved
//! futures, in boxes, in a `Vec` of futures dropped front to back), and a
//! singly linked chain must walk to a root's predecessor to unlink it
//! out of order: dropping N roots oldest first was quadratic. Every chain
//! here is doubly linked (each node knows the cell that points at it), so
//! every drop is O(1) and needs nothing but the node; creating and
//! dropping the newest root costs two stores more than a singly linked
//! push and pop (the measurements are in the repository's `DESIGN.md`).
//!
//! # Sizes (64-bit)
//!
//! [`StackRoot`], [`PersistentRoot`]: 4 words (next, pprev, value, list);
//! [`VecRoot`]: 6 (next, pprev, the vector's 3, list); a
//! `Pin<&StackRoot>` handle is 1 word; a [`PooledRoot`] 2 (slot, list),
//! its slot 2 (free link, value).
//!
//! # What the types rule out
//!
//! - Moving a linked root: pinned nodes are `!Unpin` and only reachable
//!   through `Pin`; a pooled root's slot never moves.
//! - Outliving the list: every root borrows it.
//! - Forgetting a stack root while it stays linked: [`stack_root!`] keeps
//!   the node in storage the caller cannot name, so its `Drop` always runs.
//!   Forgetting a boxed root or a pooled one leaks it, and it stays rooted
//!   in memory that stays valid.
//! - A panic in `Drop`: unlinking never panics; a corrupt chain aborts.
//! - Sending a root to another thread: roots and lists are `!Send`,
//!   `!Sync`.
//!
//! # Example
//!
//! ```
//! use gcroots_intrusive::{stack_root, PooledRoot, RootList};
//!
//! let list = RootList::<usize>::new();
//! let global = PooledRoot::new(&list, 0x3000);
//! {
//!     stack_root!(&list, let x = 0x1000);
//!     stack_root!(&list, let y = 0x2000);
//!     assert_eq!(list.len(), 3);
//!
//!     // A moving collector rewrites every root in place.
//!     // SAFETY: the closure touches no root of `list`.
//!     unsafe { list.trace(|p| *p += 0x10) };
//!     assert_eq!((x.load(), y.load(), global.load()), (0x1010, 0x2010, 0x3010));
//! } // `y`, then `x`, unlink themselves
//! assert_eq!(list.len(), 1);
//! drop(global);
//! assert!(list.is_empty());
//! ```

// Also denied workspace-wide (`[workspace.lints]`); stated here because
// it is this crate's rule whatever workspace builds it.
#![deny(unsafe_op_in_unsafe_fn)]

pub mod layout;
mod list;
mod persistent;
mod pooled;
mod stack;
mod vec;
mod weak;

pub use list::RootList;
pub use persistent::PersistentRoot;
pub use pooled::PooledRoot;
pub use stack::StackRoot;
pub use vec::VecRoot;
pub use weak::WeakRoot;
