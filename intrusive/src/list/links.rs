//! The nodes a [`RootList`](super::RootList) links: the part of each root
//! that the list points to. The handle types (`StackRoot`,
//! `PersistentRoot`) embed them; only the list reads their links.

use core::cell::{Cell, UnsafeCell};
use core::ptr;

use intrusive_collections::{LinkedListLink, UnsafeRef, intrusive_adapter};

/// The part of a stack root that its list points to.
pub(crate) struct StackLink<T> {
    /// The next older stack root, null at the end of the chain, or
    /// [`StackLink::unlinked`] when this node is in no chain.
    pub(crate) next: Cell<*const StackLink<T>>,
    /// The rooted value. Written by [`StackRoot::store`] and by the list's
    /// `trace`, read by [`StackRoot::load`]; always by copy, so no reference
    /// to it outlives a call.
    pub(crate) value: UnsafeCell<T>,
}

impl<T> StackLink<T> {
    /// The `next` of a node that is in no chain. Never a node's address (it
    /// is the alignment of `StackLink`, in the null page), only compared.
    #[inline(always)]
    pub(crate) fn unlinked() -> *const StackLink<T> {
        ptr::dangling()
    }
}

/// The part of a persistent root that its list points to.
pub(crate) struct PersistentNode<T> {
    pub(crate) link: LinkedListLink,
    /// As `StackLink::value`: only ever copied in and out.
    pub(crate) value: UnsafeCell<T>,
}

intrusive_adapter!(pub(crate) PersistentAdapter<T> = UnsafeRef<PersistentNode<T>>: PersistentNode<T> { link => LinkedListLink });
