//! [`PersistentRoot`]: a pinned root with an arbitrary lifetime,
//! SpiderMonkey's `JS::PersistentRooted`, for embedding in a host object.

use core::marker::PhantomPinned;
use core::pin::Pin;

use crate::list::{Node, RootList};

/// A root with an arbitrary lifetime that lives where its owner put it:
/// pinned inside a struct of the embedder's (with `pin-project`, marking
/// the field `#[pin]`, then calling [`link`](Self::link) on the
/// projection), or boxed ([`PersistentRoot::boxed`]).
///
/// It is the same doubly linked node as a [`StackRoot`](crate::StackRoot),
/// in a chain of its own, and unlinks itself when dropped. Embedded in a
/// host object it costs no allocation of its own; for a root that must be
/// movable, a [`PooledRoot`](crate::PooledRoot) is cheaper than a boxed
/// one. Forgetting a boxed one (`mem::forget`) leaks the box and keeps the
/// root linked, in memory that stays valid: a leak, never a dangling node.
///
/// The invariants are those of [`StackRoot`](crate::StackRoot): pinned
/// while linked, only shared borrows handed out, `!Unpin`, `!Send`,
/// `!Sync`.
#[repr(C)]
pub struct PersistentRoot<'r, T> {
    pub(crate) node: Node<T>,
    pub(crate) list: &'r RootList<T>,
    _pin: PhantomPinned,
}

impl<'r, T: Copy> PersistentRoot<'r, T> {
    /// A root for `list` holding `value`, not yet linked: pin it, then call
    /// [`link`](Self::link). Until then the list's collector does not see
    /// `value`.
    pub fn new(list: &'r RootList<T>, value: T) -> Self {
        PersistentRoot {
            node: Node::new(value),
            list,
            _pin: PhantomPinned,
        }
    }

    /// A linked root on the heap.
    pub fn boxed(list: &'r RootList<T>, value: T) -> Pin<Box<Self>> {
        let root = Box::pin(Self::new(list, value));
        root.as_ref().link();
        root
    }

    /// Links the pinned root into its list.
    ///
    /// # Panics
    ///
    /// If the root is already linked.
    pub fn link(self: Pin<&Self>) {
        assert!(
            !self.is_linked(),
            "PersistentRoot::link: the root is already linked"
        );
        // SAFETY: the node is pinned (we hold `Pin<&Self>`), in no chain
        // (checked), and `Drop` unlinks it before its memory can go; the
        // list is borrowed for `'r`, so it cannot move meanwhile.
        unsafe { self.list.persistent.push(&self.get_ref().node) };
    }

    /// Makes this unlinked root take `from`'s place in the list, with its
    /// value, and leaves `from` unlinked: a move (a C++ move constructor's)
    /// that touches only `from`'s neighbours.
    ///
    /// # Panics
    ///
    /// If this root is linked, `from` is not, or they belong to different
    /// lists.
    pub fn take_place_of(self: Pin<&Self>, from: Pin<&Self>) {
        assert!(
            !self.is_linked() && from.is_linked(),
            "PersistentRoot::take_place_of: needs an unlinked root and a linked one"
        );
        assert!(
            core::ptr::eq(self.list, from.list),
            "PersistentRoot::take_place_of: the roots belong to different lists"
        );
        // SAFETY: `from` is linked into its list's persistent chain (`link`
        // is the only way in); `self` is pinned, unlinked, unlinks itself in
        // `Drop`, and borrows the same list.
        unsafe { from.node.transplant(&self.node) };
    }

    /// Unlinks the root early; its value is no longer traced (and may go
    /// stale). Does nothing if it is not linked.
    pub fn unlink(self: Pin<&Self>) {
        if self.is_linked() {
            // SAFETY: a linked node is in `self.list`'s persistent chain:
            // `link` is the only way in.
            unsafe { self.node.unlink() };
        }
    }

    /// Whether the root is linked into its list.
    pub fn is_linked(&self) -> bool {
        self.node.is_linked()
    }

    /// Whether the root is where its list believes it is: true for every
    /// root safe code can reach (a linked root is pinned). False for a copy
    /// of a linked root's bytes (made by C or by `unsafe` code), which the
    /// list does not know and the collector does not update: a C API
    /// checks it before reading through a root. One load.
    ///
    /// A byte copy is found only while the cell its stale link names is
    /// alive (the list's head, or the `next` of the root linked after the
    /// original); if that root's memory was freed, this reads freed memory,
    /// as unlinking such a copy would.
    #[inline(always)]
    pub fn is_in_place(&self) -> bool {
        // SAFETY: a root reached by safe code was linked in place and not
        // moved since (it is pinned), so the cell its link names is alive;
        // the copies this exists to catch are the caller's documented
        // undefined behaviour, checked at best effort.
        unsafe { self.node.is_in_place() }
    }

    /// The rooted value: one load.
    #[inline(always)]
    pub fn load(&self) -> T {
        // SAFETY: as in `StackRoot::load`: the value is only copied in and
        // out, and the list's `trace` cannot run during this call.
        unsafe { *self.node.value.get() }
    }

    /// Makes the root hold `value`.
    #[inline(always)]
    pub fn store(&self, value: T) {
        // SAFETY: as in `load`.
        unsafe { *self.node.value.get() = value }
    }

    /// The list this root belongs to.
    #[inline(always)]
    pub fn list(&self) -> &'r RootList<T> {
        self.list
    }
}

impl<T> Drop for PersistentRoot<'_, T> {
    /// Unlinks the root if it is linked. Never panics (corruption aborts).
    fn drop(&mut self) {
        if self.node.is_linked() {
            // SAFETY: as in `unlink`.
            unsafe { self.node.unlink() };
        }
    }
}

impl<T: Copy + core::fmt::Debug> core::fmt::Debug for PersistentRoot<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PersistentRoot")
            .field("value", &self.load())
            .field("linked", &self.is_linked())
            .finish()
    }
}
