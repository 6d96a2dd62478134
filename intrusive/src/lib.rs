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
//! - [`RootList`]: the head of one collector's root set. Roots borrow it,
//!   so the borrow checker proves it outlives every root that can still
//!   unlink itself; the collector reads and rewrites roots through
//!   [`RootList::trace`].
//! - [`StackRoot`]: a root pinned in its creator's frame by
//!   [`stack_root!`], in a singly linked chain with a LIFO fast path and a
//!   correct slow path for the drops that safe Rust can make out of order.
//! - [`PersistentRoot`]: a root with an arbitrary lifetime, boxed or pinned
//!   in an embedder's struct, in a doubly linked list
//!   (`intrusive-collections`) so that it unlinks in O(1) in any order.
//!
//! The crate knows nothing of objects or collectors: a root holds any
//! `T: Copy`, for a collector a GC pointer.
//!
//! # Singly linked stack roots
//!
//! Stack roots are created and dropped in LIFO order nearly always, so the
//! chain is singly linked as in SpiderMonkey. The alternative was to put
//! stack roots in the same doubly linked list as persistent roots, which
//! makes every order O(1) but costs more per root and a word per node (the
//! measurement that decided it is in the repository's `DESIGN.md`).
//! Out-of-order drops pay a walk over the younger roots instead; they are
//! rare (interleaved futures, boxed roots) and are tested.
//!
//! # Sizes (64-bit)
//!
//! `StackRoot<usize>` is 3 words (next, value, list); `PersistentRoot<usize>`
//! is 4 (prev, next, value, list); a `Pin<&StackRoot>` handle is 1 word.
//!
//! # What the types rule out
//!
//! - Moving a linked root: it is `!Unpin` and only reachable through `Pin`.
//! - Outliving the list: every root borrows it.
//! - Forgetting a stack root while it stays linked: [`stack_root!`] keeps
//!   the node in storage the caller cannot name, so its `Drop` always runs.
//!   Forgetting a boxed [`PersistentRoot`] leaks the box, and the node stays
//!   linked in valid memory.
//! - A panic in `Drop`: unlinking never panics; a corrupt list aborts.
//! - Sending a root to another thread: roots and lists are `!Send`,
//!   `!Sync`.
//!
//! # Example
//!
//! ```
//! use gcroots_intrusive::{stack_root, PersistentRoot, RootList};
//!
//! let list = RootList::<usize>::new();
//! let global = PersistentRoot::boxed(&list, 0x3000);
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

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod list;
mod persistent;
mod stack;

pub use list::RootList;
pub use persistent::PersistentRoot;
pub use stack::StackRoot;
