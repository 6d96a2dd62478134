//! A chain: a doubly linked list of pinned nodes, each holding a `V`, that
//! a node joins and leaves in O(1) whatever the order.
//!
//! Each node keeps `next` (the node linked before it) and `pprev`, the
//! address of the cell that points at it: the chain's head for the newest
//! node, the `next` of the node after it otherwise (the "pprev" of the Linux
//! kernel's `hlist`). Linking is a load and four stores; unlinking writes
//! through `pprev` and, if there is an older node, into it, without ever
//! reading the chain's head, so it needs nothing but the node. Dropping a
//! million roots oldest first costs what dropping them newest first does.
//!
//! All links are `Cell`s and nodes are only ever reached through shared
//! references, so the chain can be rewired while roots hold `Pin<&Node>`.

use core::cell::{Cell, UnsafeCell};
use core::ptr;

/// A node of a [`Chain`]: the links and the value they root. `repr(C)`:
/// foreign code links and unlinks persistent nodes by this layout
/// ([`layout`](crate::layout)).
#[repr(C)]
pub(crate) struct Node<V> {
    /// The node linked before this one (older), or null.
    pub(crate) next: Cell<*const Node<V>>,
    /// The cell that points at this node (the chain's head or the newer
    /// node's `next`), or [`UNLINKED`](Node::unlinked) when in no chain.
    pub(crate) pprev: Cell<*const Cell<*const Node<V>>>,
    /// The rooted value. Read and written by copy (or, for vectors, through
    /// a `&mut` that lasts one call of this crate's code), never borrowed by
    /// a user.
    pub(crate) value: UnsafeCell<V>,
}

impl<V> Node<V> {
    /// The `pprev` of a node in no chain: [`UNLINKED`](crate::layout::UNLINKED),
    /// never a cell's address (it is the alignment of a pointer, in the
    /// null page), only compared.
    #[inline(always)]
    const fn unlinked() -> *const Cell<*const Node<V>> {
        ptr::without_provenance(crate::layout::UNLINKED)
    }

    /// A node holding `value`, in no chain.
    #[inline(always)]
    pub(crate) const fn new(value: V) -> Self {
        Node {
            next: Cell::new(ptr::null()),
            pprev: Cell::new(Self::unlinked()),
            value: UnsafeCell::new(value),
        }
    }

    /// Whether the node is in a chain.
    #[inline(always)]
    pub(crate) fn is_linked(&self) -> bool {
        self.pprev.get() != Self::unlinked()
    }

    /// Whether the cell `pprev` names points back at this node: always, for
    /// a linked node that was never moved, which safe code cannot do. A
    /// node copied as bytes (by C, or by `unsafe` code) while linked fails
    /// it, as long as the cell it names is still alive. One load; true for
    /// an unlinked node.
    ///
    /// # Safety
    ///
    /// If the node is linked, the cell `pprev` names is alive: so it is
    /// for a node that was not moved (the chain's invariant).
    #[inline(always)]
    pub(crate) unsafe fn is_in_place(&self) -> bool {
        let pprev = self.pprev.get();
        // SAFETY: the caller's promise.
        pprev == Self::unlinked() || ptr::eq(unsafe { &*pprev }.get(), self)
    }

    /// Takes the node out of its chain. O(1): the chain's head is reached,
    /// if at all, through `pprev`.
    ///
    /// Aborts the process if the cell `pprev` names does not point back at
    /// this node: the chain is corrupt (a linked node was moved, which safe
    /// code cannot do), and unwinding would free nodes still linked.
    ///
    /// # Safety
    ///
    /// The node is linked, into a chain whose invariant holds.
    #[inline(always)]
    pub(crate) unsafe fn unlink(&self) {
        // SAFETY: forwarded from our caller.
        unsafe { self.unlink_for_drop() };
        self.pprev.set(Self::unlinked());
    }

    /// As [`unlink`](Self::unlink), for a node about to be dropped: it is
    /// not marked unlinked, since nothing will look at it again.
    ///
    /// # Safety
    ///
    /// As for [`unlink`](Self::unlink); and the node's memory is not used
    /// again as a node.
    #[inline(always)]
    pub(crate) unsafe fn unlink_for_drop(&self) {
        let pprev = self.pprev.get();
        let next = self.next.get();
        // SAFETY: the node is linked (the caller's promise), so `pprev` is
        // the address of a live cell: the chain's head (which the node's
        // owner borrows, so it outlives the node) or the `next` of a newer
        // node (alive by the chain's invariant).
        let pointing = unsafe { &*pprev };
        if !ptr::eq(pointing.get(), self) {
            super::corrupt("a linked root is not where its neighbour says (moved?)");
        }
        pointing.set(next);
        if !next.is_null() {
            // SAFETY: `next` is linked into the same chain, hence alive.
            unsafe { &*next }.pprev.set(pprev);
        }
    }
}

impl<V: Copy> Node<V> {
    /// Puts `to` in this node's place in its chain, with this node's value,
    /// and leaves this node unlinked: a move that touches only the two
    /// neighbours, not the chain's head.
    ///
    /// Aborts the process, as [`unlink`](Self::unlink) does, if the chain is
    /// corrupt.
    ///
    /// # Safety
    ///
    /// This node is linked; `to` is pinned, unlinked, will be unlinked
    /// before its memory is invalidated, and belongs to the same owner's
    /// chain (it borrows the same list).
    #[inline(always)]
    pub(crate) unsafe fn transplant(&self, to: &Node<V>) {
        let pprev = self.pprev.get();
        let next = self.next.get();
        // SAFETY: as in `unlink`: `pprev` names a live cell.
        let pointing = unsafe { &*pprev };
        if !ptr::eq(pointing.get(), self) {
            super::corrupt("a linked root is not where its neighbour says (moved?)");
        }
        // SAFETY: values are only copied in and out (see `value`).
        unsafe { *to.value.get() = *self.value.get() };
        to.next.set(next);
        to.pprev.set(pprev);
        pointing.set(to);
        if !next.is_null() {
            // SAFETY: `next` is linked into the same chain, hence alive.
            unsafe { &*next }.pprev.set(&to.next);
        }
        self.pprev.set(Self::unlinked());
    }
}

/// The head of a chain.
///
/// Invariant: every node reachable from `head` is linked (its `pprev` names
/// the cell that points at it), pinned and alive. A node unlinks itself
/// before its memory can go (in its owner's `Drop`), and pinning forbids
/// the memory going without that `Drop`; a leaked node stays linked in
/// memory that stays valid.
#[repr(C)]
pub(crate) struct Chain<V> {
    pub(crate) head: Cell<*const Node<V>>,
}

impl<V> Chain<V> {
    pub(crate) const fn new() -> Self {
        Chain {
            head: Cell::new(ptr::null()),
        }
    }

    /// Links `node` at the head.
    ///
    /// # Safety
    ///
    /// `node` is pinned, in no chain, and will be unlinked before its memory
    /// is invalidated; the chain is not moved while `node` is linked (its
    /// owner borrows the chain's owner).
    #[inline(always)]
    pub(crate) unsafe fn push(&self, node: &Node<V>) {
        let old = self.head.get();
        node.next.set(old);
        node.pprev.set(&self.head);
        if !old.is_null() {
            // SAFETY: `old` is reachable from the head: alive (invariant).
            unsafe { &*old }.pprev.set(&node.next);
        }
        self.head.set(node);
    }

    /// Takes `node`, about to be dropped, out of this chain if it is linked.
    /// The newest node (LIFO order, as stack frames drop their roots) is
    /// unlinked from the head, without reading its `pprev` (a load that
    /// would wait on the store that linked it); any other through its
    /// `pprev` ([`Node::unlink_for_drop`]).
    ///
    /// # Safety
    ///
    /// `node` is in this chain or in none, and its memory is not used again
    /// as a node.
    #[inline(always)]
    pub(crate) unsafe fn remove_for_drop(&self, node: &Node<V>) {
        if ptr::eq(self.head.get(), node) {
            // Only linked nodes are reachable from the head.
            let next = node.next.get();
            self.head.set(next);
            if !next.is_null() {
                // SAFETY: `next` is linked into this chain, hence alive.
                unsafe { &*next }.pprev.set(&self.head);
            }
        } else if node.is_linked() {
            // SAFETY: linked, into this chain (the caller's promise).
            unsafe { node.unlink_for_drop() }
        }
    }

    /// Whether no node is linked.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.head.get().is_null()
    }

    /// Calls `f` on every linked node, newest first.
    ///
    /// # Safety
    ///
    /// `f` must not link or unlink any node of this chain, nor drop one.
    #[inline]
    pub(crate) unsafe fn for_each(&self, mut f: impl FnMut(&Node<V>)) {
        let mut p = self.head.get();
        while !p.is_null() {
            // SAFETY: `p` is reachable from the head: alive (invariant); `f`
            // cannot unlink or free it (the caller's promise).
            let node = unsafe { &*p };
            f(node);
            p = node.next.get();
        }
    }

    /// How many nodes are linked (walks them).
    pub(crate) fn len(&self) -> usize {
        let mut n = 0;
        // SAFETY: the closure only counts.
        unsafe { self.for_each(|_| n += 1) };
        n
    }
}
