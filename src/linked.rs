//! [`LinkedRoot`]: a long-lived root that lives where its owner puts it,
//! under the schemes with a root list (intrusive, hybrid).

use core::fmt;
use core::marker::PhantomData;
use core::pin::Pin;

use gcroots_intrusive::{PersistentRoot, RootList};

use crate::error::RootError;
use crate::heap::Heap;
use crate::object::Gc;
use crate::reference::Ref;
use crate::root::{Root, sealed_root};
use crate::roots::Roots;
use crate::scheme::Scheme;
use crate::scheme::sealed::Anchor;

/// The schemes that keep a root list outside the heap, whose nodes can live
/// anywhere: [`Intrusive`](crate::Intrusive) and [`Hybrid`](crate::Hybrid).
/// Sealed.
pub trait ListScheme: Scheme + list_scheme::Sealed {}

pub(crate) mod list_scheme {
    use super::*;

    /// Not public API: the list itself.
    pub trait Sealed {
        fn list(roots: &Roots<Self>) -> &RootList<Gc>
        where
            Self: Scheme;
    }
}

#[cfg(feature = "intrusive")]
impl list_scheme::Sealed for crate::Intrusive {
    fn list(roots: &Roots<Self>) -> &RootList<Gc> {
        &roots.anchor
    }
}

#[cfg(feature = "intrusive")]
impl ListScheme for crate::Intrusive {}

#[cfg(feature = "hybrid")]
impl list_scheme::Sealed for crate::Hybrid {
    fn list(roots: &Roots<Self>) -> &RootList<Gc> {
        &roots.anchor
    }
}

#[cfg(feature = "hybrid")]
impl ListScheme for crate::Hybrid {}

impl<S: ListScheme> Roots<S> {
    /// How many roots of every kind this root set's list holds (walks them).
    /// With the heap, the same as [`Heap::root_count`] under the intrusive
    /// scheme; without it (the heap dropped), what still links into the list.
    pub fn len(&self) -> usize {
        S::list(self).len()
    }

    /// Whether the list holds no root.
    pub fn is_empty(&self) -> bool {
        S::list(self).is_empty()
    }

    /// The address of the root list, as a [`LinkedRoot`]'s list word holds
    /// it: for foreign code that lays out linked roots itself (see
    /// [`LinkedRoot`]'s layout); the list's own words are in
    /// `gcroots_intrusive::layout`.
    pub fn list_addr(&self) -> usize {
        core::ptr::from_ref(S::list(self)).addr()
    }
}

/// A long-lived root that lives where its owner puts it: pinned inside a
/// host object (with `pin-project`), in a `Box::pin`, or in memory a C or
/// C++ program owns (the C API's intrusive roots are these). It costs no
/// allocation: it is a node of the heap's root list, linked while it holds
/// an object (SpiderMonkey's `PersistentRooted` embedded in a host
/// object). Under the schemes with a root list only ([`ListScheme`]).
///
/// It starts unlinked, holding nothing; [`link`](Self::link) makes it hold
/// an object, [`unlink`](Self::unlink) or dropping it lets go. A value and
/// its linking are one step, so the node never holds an object the
/// collector does not see. Reading an unlinked root is
/// [`RootError::Unlinked`].
///
/// ```
/// # #[cfg(feature = "intrusive")] {
/// use gcroots::{Heap, Intrusive, LinkedRoot, Root, Roots, Shape};
/// use std::pin::pin;
///
/// let roots = Roots::<Intrusive>::new();
/// let mut heap = Heap::new(&roots, Default::default()).unwrap();
/// let global = pin!(LinkedRoot::new(&roots));
/// global.as_ref().link(heap.alloc(Shape::new(0, 8)).unwrap());
/// heap.collect();
/// heap.get(&*global).write_u64(0, 1);
/// assert_eq!(heap.root_count(), 1);
/// # }
/// ```
///
/// Four words; `!Unpin`, `!Send`, `!Sync`, like the list's other nodes.
///
/// # Layout
///
/// `repr(transparent)` over the list's persistent node, whose words
/// `gcroots_intrusive::layout` gives; its value word holds the object's
/// address (its header's), 0 never, and [`Roots::list_addr`] is its list
/// word. Foreign code that links, unlinks and moves these nodes itself
/// (the C API's inline roots) must keep the list's invariant exactly (see
/// that module) and link only an object's current address in a heap that
/// the list serves; reading through a linked node's value word reads the
/// object's memory, which stays valid until the next collection.
#[repr(transparent)]
pub struct LinkedRoot<'r, S: ListScheme> {
    /// Invariant: holds `Gc::placeholder()` while unlinked, an object of
    /// the list's heap (kept current by its collector) while linked.
    node: PersistentRoot<'r, Gc>,
    _scheme: PhantomData<S>,
}

impl<'r, S: ListScheme> LinkedRoot<'r, S> {
    /// An unlinked root of `roots`' list, holding nothing.
    pub fn new(roots: &'r Roots<S>) -> Self {
        LinkedRoot {
            node: PersistentRoot::new(S::list(roots), Gc::placeholder()),
            _scheme: PhantomData,
        }
    }

    /// Makes the root hold `value` and links it, in one step.
    ///
    /// # Panics
    ///
    /// If the root is already linked, or `value` belongs to another heap
    /// than the root's list serves.
    #[track_caller]
    pub fn link(self: Pin<&Self>, value: Ref<'_, S>) {
        let heap = value.heap();
        assert!(
            S::list(heap.roots()).same(self.node.list()),
            "LinkedRoot::link: the value belongs to another heap"
        );
        assert!(!self.node.is_linked(), "LinkedRoot::link: already linked");
        // `value` is current for the list's heap (checked) and nothing can
        // collect between the store and the link.
        self.node.store(value.gc());
        self.node().link();
    }

    /// Makes this unlinked root hold what `other` holds, in `other`'s list,
    /// and links it: a copy that needs no heap.
    ///
    /// # Panics
    ///
    /// If this root is linked, or `other` is not (it holds nothing), or the
    /// two belong to different lists.
    #[track_caller]
    pub fn link_as(self: Pin<&Self>, other: &LinkedRoot<'_, S>) {
        assert!(
            other.is_linked(),
            "LinkedRoot::link_as: the source holds nothing"
        );
        assert!(
            self.node.list().same(other.node.list()),
            "LinkedRoot::link_as: the roots belong to different heaps"
        );
        assert!(
            !self.node.is_linked(),
            "LinkedRoot::link_as: already linked"
        );
        // `other` is linked, so its value is current for the shared list's
        // heap; nothing can collect between the copy and the link.
        self.node.store(other.node.load());
        self.node().link();
    }

    /// Makes this unlinked root hold what `from` holds, in its place in the
    /// list, and leaves `from` unlinked: a move that needs no heap.
    ///
    /// # Panics
    ///
    /// If this root is linked, `from` is not, or they belong to different
    /// lists.
    #[track_caller]
    pub fn take_from(self: Pin<&Self>, from: Pin<&Self>) {
        self.node().take_place_of(from.node());
        from.node.store(Gc::placeholder());
    }

    /// Lets go of the object: the root is unlinked and holds nothing.
    pub fn unlink(self: Pin<&Self>) {
        self.node().unlink();
        self.node.store(Gc::placeholder());
    }

    /// Whether the root is linked (and so holds an object).
    pub fn is_linked(&self) -> bool {
        self.node.is_linked()
    }

    /// Whether the root is where its list believes it is: always, in safe
    /// Rust (a `LinkedRoot` is pinned). False for a copy of a linked root's
    /// bytes made by C or `unsafe` code, which the collector does not see:
    /// the C API refuses to read through one (`GCR_ERR_MISUSE`). See
    /// `gcroots_intrusive::PersistentRoot::is_in_place` for its limit.
    pub fn is_in_place(&self) -> bool {
        self.node.is_in_place()
    }

    fn node(self: Pin<&Self>) -> Pin<&PersistentRoot<'r, Gc>> {
        // SAFETY: structural pinning of `node`: it is never moved out of
        // `self`, and `LinkedRoot` has no `Drop` of its own that could.
        unsafe { self.map_unchecked(|s| &s.node) }
    }

    /// `Ok` if the root is linked into `heap`'s list.
    #[inline(always)]
    fn check(&self, heap: &Heap<'_, S>) -> Result<(), RootError> {
        if !self.node.is_linked() {
            Err(RootError::Unlinked)
        } else if !S::list(heap.roots()).same(self.node.list()) {
            Err(RootError::WrongHeap)
        } else {
            Ok(())
        }
    }
}

impl<S: ListScheme> sealed_root::Sealed<S> for LinkedRoot<'_, S> {}

impl<S: ListScheme> Root<S> for LinkedRoot<'_, S> {
    #[inline(always)]
    fn try_get<'h>(&self, heap: &'h Heap<'_, S>) -> Result<Ref<'h, S>, RootError> {
        self.check(heap)?;
        // SAFETY: a linked root of `heap`'s list holds a current object.
        Ok(unsafe { Ref::new(heap, self.node.load()) })
    }

    #[inline(always)]
    fn try_set(&self, value: Ref<'_, S>) -> Result<(), RootError> {
        self.check(value.heap())?;
        self.node.store(value.gc());
        Ok(())
    }
}

impl<S: ListScheme> fmt::Debug for LinkedRoot<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkedRoot")
            .field("scheme", &S::NAME)
            .field("linked", &self.is_linked())
            .finish()
    }
}

// The layout the type's docs promise.
const _: () = {
    use core::mem::size_of;
    assert!(size_of::<Gc>() == size_of::<usize>());
    // `LinkedRoot` is transparent over this node.
    assert!(size_of::<PersistentRoot<'static, Gc>>() == gcroots_intrusive::layout::PERSISTENT_SIZE);
};
