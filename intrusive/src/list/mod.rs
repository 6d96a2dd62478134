//! [`RootList`]: the head of a collector's root set, which its roots borrow.

use core::cell::{Cell, UnsafeCell};
use core::ptr;

use intrusive_collections::{LinkedList, UnsafeRef};

mod links;

use links::PersistentAdapter;
pub(crate) use links::{PersistentNode, StackLink};

/// The roots of one collector: a chain of stack roots and a doubly linked
/// list of persistent roots, each root holding a `T`.
///
/// Roots *borrow* the list (`StackRoot<'r, T>` and `PersistentRoot<'r, T>`
/// hold a `&'r RootList<T>`), so the borrow checker proves that the list
/// outlives every root that can still unlink itself from it. Roots link and
/// unlink themselves through that shared borrow; the list's fields are
/// therefore cells, and the list is `!Send` and `!Sync`.
///
/// A collector enumerates and rewrites the roots with
/// [`trace`](Self::trace).
pub struct RootList<T> {
    /// The most recently linked stack root, or null.
    ///
    /// Invariant: every node reachable from `stack` is linked (its `next` is
    /// not the unlinked sentinel), pinned, and alive: a node unlinks itself
    /// in its `Drop`, before its memory can go, and pinning forbids the
    /// memory going without that `Drop` (a leaked node simply stays linked,
    /// in memory that stays valid).
    stack: Cell<*const StackLink<T>>,
    /// The persistent roots. Invariant: as for `stack`; and a `&mut` to the
    /// list exists only inside [`RootList::with_persistent`], for one
    /// closure from this crate that does not re-enter the list.
    persistent: UnsafeCell<LinkedList<PersistentAdapter<T>>>,
    /// Whether a collector has claimed this list (see [`claim`](Self::claim)).
    claimed: Cell<bool>,
}

impl<T> Default for RootList<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> RootList<T> {
    /// An empty list.
    pub fn new() -> Self {
        RootList {
            stack: Cell::new(ptr::null()),
            persistent: UnsafeCell::new(LinkedList::new(PersistentAdapter::new())),
            claimed: Cell::new(false),
        }
    }

    /// Marks the list as the root set of one collector. Returns `false` if it
    /// was already claimed.
    ///
    /// A list outlives the collector that traced it, and so can its roots,
    /// still holding that collector's pointers. A collector claims its list
    /// on creation and refuses one that is taken, so those pointers can
    /// never be read through another collector.
    pub fn claim(&self) -> bool {
        !self.claimed.replace(true)
    }

    /// Whether [`claim`](Self::claim) has been called.
    pub fn is_claimed(&self) -> bool {
        self.claimed.get()
    }

    /// Links a stack root at the head of the chain.
    #[inline]
    pub(crate) fn push_stack(&self, link: &StackLink<T>) {
        link.next.set(self.stack.get());
        self.stack.set(link);
    }

    /// Unlinks a stack root. LIFO order (the node is the head) is two loads,
    /// a compare and a store; any other order walks the chain from the head
    /// to the node's predecessor and splices it out.
    ///
    /// Aborts the process if the node is not in the chain: the list is
    /// corrupt, and unwinding would free nodes that are still linked.
    #[inline]
    pub(crate) fn unlink_stack(&self, link: &StackLink<T>) {
        let node: *const StackLink<T> = link;
        let next = link.next.get();
        if self.stack.get() == node {
            self.stack.set(next);
        } else {
            self.unlink_stack_slow(node, next);
        }
        link.next.set(StackLink::unlinked());
    }

    #[cold]
    #[inline(never)]
    fn unlink_stack_slow(&self, node: *const StackLink<T>, next: *const StackLink<T>) {
        let mut p = self.stack.get();
        loop {
            if p.is_null() {
                corrupt("a linked stack root is missing from its root list");
            }
            // SAFETY: `p` is reachable from the head, so by the invariant on
            // `stack` it points to a live, pinned, linked node.
            let prev = unsafe { &*p };
            let after = prev.next.get();
            if after == node {
                prev.next.set(next);
                return;
            }
            p = after;
        }
    }

    #[inline(always)]
    fn with_persistent<R>(&self, f: impl FnOnce(&mut LinkedList<PersistentAdapter<T>>) -> R) -> R {
        // SAFETY: see the invariant on `persistent`: callers pass closures
        // from this crate that do not re-enter the list, and `RootList` is
        // `!Sync`, so this is the only reference to the list while `f` runs.
        f(unsafe { &mut *self.persistent.get() })
    }

    /// Links a persistent root at the back of the list.
    ///
    /// # Safety
    ///
    /// `node` must be pinned, not linked in any list, and must unlink itself
    /// from this list (with [`unlink_persistent`](Self::unlink_persistent))
    /// before its memory is invalidated.
    #[inline]
    pub(crate) unsafe fn link_persistent(&self, node: &PersistentNode<T>) {
        // SAFETY: the caller keeps `node` alive and in place for as long as
        // it is linked, which is all `UnsafeRef` asks.
        let node = unsafe { UnsafeRef::from_raw(node) };
        self.with_persistent(|list| list.push_back(node));
    }

    /// Unlinks a persistent root.
    ///
    /// # Safety
    ///
    /// `node` must be linked in this list.
    #[inline]
    pub(crate) unsafe fn unlink_persistent(&self, node: &PersistentNode<T>) {
        self.with_persistent(|list| {
            // SAFETY: the caller guarantees `node` is linked in `list`.
            let mut cursor = unsafe { list.cursor_mut_from_ptr(node) };
            cursor.remove();
        });
    }

    /// Calls `f` on the value of every linked root, stack and persistent, so
    /// that a moving collector can rewrite each in place.
    ///
    /// # Safety
    ///
    /// `f` must not create, link, unlink or drop any root of this list, nor
    /// call anything that might: the walk holds pointers into the list that
    /// such a change would invalidate. A collector's forwarding function,
    /// which only reads and writes its heap, satisfies this.
    pub unsafe fn trace(&self, mut f: impl FnMut(&mut T)) {
        let mut p = self.stack.get();
        while !p.is_null() {
            // SAFETY: by the invariant on `stack`, `p` points to a live node;
            // by the caller's promise, `f` cannot unlink or free it.
            let link = unsafe { &*p };
            // SAFETY: values are only accessed by copying in and out through
            // the cell (`StackRoot::load`/`set`), never by reference, and none
            // of that can run during `f` (the caller's promise, and `!Sync`).
            f(unsafe { &mut *link.value.get() });
            p = link.next.get();
        }
        // SAFETY: `f` does not link or unlink (the caller's promise), so no
        // `&mut` to the list is created while this shared borrow lives.
        let list = unsafe { &*self.persistent.get() };
        for node in list.iter() {
            // SAFETY: as for the stack values above.
            f(unsafe { &mut *node.value.get() });
        }
    }

    /// How many stack roots are linked (walks the chain).
    pub fn stack_len(&self) -> usize {
        let mut n = 0;
        let mut p = self.stack.get();
        while !p.is_null() {
            n += 1;
            // SAFETY: by the invariant on `stack`, `p` points to a live node.
            p = unsafe { &*p }.next.get();
        }
        n
    }

    /// How many persistent roots are linked (walks the list).
    pub fn persistent_len(&self) -> usize {
        self.with_persistent(|list| list.iter().count())
    }

    /// How many roots are linked.
    pub fn len(&self) -> usize {
        self.stack_len() + self.persistent_len()
    }

    /// Whether no root is linked.
    pub fn is_empty(&self) -> bool {
        self.stack.get().is_null() && self.with_persistent(|list| list.is_empty())
    }
}

impl<T> core::fmt::Debug for RootList<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RootList")
            .field("claimed", &self.claimed.get())
            .finish_non_exhaustive()
    }
}

/// Reports corruption of a root list and aborts. Unwinding is not an option:
/// it would run destructors that free nodes the list still points to.
#[cold]
pub(crate) fn corrupt(what: &str) -> ! {
    eprintln!("gcroots-intrusive: {what}; aborting");
    std::process::abort()
}
