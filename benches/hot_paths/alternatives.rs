//! The two designs the intrusive crate's doubly linked stack roots were
//! measured against, reduced to what a stack root needs (link, load, drop
//! in any order), so that all three run in one criterion group:
//!
//! - [`singly`]: a singly linked chain with a LIFO fast path and a walk to
//!   the predecessor for any other order (SpiderMonkey's `Rooted` list, and
//!   this crate's design until the quadratic drop cliff);
//! - [`ic`]: a doubly linked list from `intrusive-collections`, unlinked
//!   through a cursor (this crate's persistent roots until the pool).
//!
//! Nodes are pinned and only reached through shared references, as in the
//! real crate; each `unsafe` is justified where it stands.

#![allow(dead_code)]

pub(crate) mod singly {
    use core::cell::{Cell, UnsafeCell};
    use core::marker::PhantomPinned;
    use core::pin::Pin;
    use core::ptr;

    /// The head of a singly linked chain.
    pub(crate) struct List {
        /// Invariant: every node reachable from `head` is pinned and alive
        /// (nodes unlink themselves in `Drop`).
        head: Cell<*const Node<'static>>,
    }

    /// A pinned node holding a value.
    pub(crate) struct Node<'l> {
        next: Cell<*const Node<'static>>,
        value: UnsafeCell<usize>,
        list: &'l List,
        _pin: PhantomPinned,
    }

    impl List {
        pub(crate) fn new() -> Self {
            List {
                head: Cell::new(ptr::null()),
            }
        }
    }

    impl<'l> Node<'l> {
        pub(crate) fn new(list: &'l List, value: usize) -> Self {
            Node {
                next: Cell::new(ptr::null()),
                value: UnsafeCell::new(value),
                list,
                _pin: PhantomPinned,
            }
        }

        /// Links the pinned node at the head.
        #[inline]
        pub(crate) fn link(self: Pin<&Self>) {
            let this: *const Node<'static> = (self.get_ref() as *const Node<'l>).cast();
            self.next.set(self.list.head.get());
            self.list.head.set(this);
        }

        #[inline(always)]
        pub(crate) fn load(&self) -> usize {
            // SAFETY: the value is only copied in and out.
            unsafe { *self.value.get() }
        }
    }

    impl Drop for Node<'_> {
        #[inline]
        fn drop(&mut self) {
            let this: *const Node<'static> = (self as *const Node<'_>).cast();
            let next = self.next.get();
            if self.list.head.get() == this {
                self.list.head.set(next);
                return;
            }
            // Out of order: walk to the predecessor.
            let mut p = self.list.head.get();
            while !p.is_null() {
                // SAFETY: reachable from the head: alive (invariant).
                let prev = unsafe { &*p };
                if prev.next.get() == this {
                    prev.next.set(next);
                    return;
                }
                p = prev.next.get();
            }
        }
    }
}

pub(crate) mod ic {
    use core::cell::UnsafeCell;
    use core::marker::PhantomPinned;
    use core::pin::Pin;

    use intrusive_collections::{LinkedList, LinkedListLink, UnsafeRef, intrusive_adapter};

    pub(crate) struct Inner {
        link: LinkedListLink,
        value: UnsafeCell<usize>,
    }

    intrusive_adapter!(pub(crate) Adapter = UnsafeRef<Inner>: Inner { link => LinkedListLink });

    /// The list. Invariant: a `&mut` to it exists only inside `with`, for
    /// one closure of this module that does not re-enter it.
    pub(crate) struct List {
        list: UnsafeCell<LinkedList<Adapter>>,
    }

    impl List {
        pub(crate) fn new() -> Self {
            List {
                list: UnsafeCell::new(LinkedList::new(Adapter::new())),
            }
        }

        #[inline(always)]
        fn with<R>(&self, f: impl FnOnce(&mut LinkedList<Adapter>) -> R) -> R {
            // SAFETY: see the invariant on `list`; the list is `!Sync`.
            f(unsafe { &mut *self.list.get() })
        }
    }

    /// A pinned node linked into the list.
    pub(crate) struct Node<'l> {
        inner: Inner,
        list: &'l List,
        _pin: PhantomPinned,
    }

    impl<'l> Node<'l> {
        pub(crate) fn new(list: &'l List, value: usize) -> Self {
            Node {
                inner: Inner {
                    link: LinkedListLink::new(),
                    value: UnsafeCell::new(value),
                },
                list,
                _pin: PhantomPinned,
            }
        }

        #[inline]
        pub(crate) fn link(self: Pin<&Self>) {
            // SAFETY: the node is pinned and unlinks itself in `Drop`.
            let r = unsafe { UnsafeRef::from_raw(&self.get_ref().inner) };
            self.list.with(|l| l.push_front(r));
        }

        #[inline(always)]
        pub(crate) fn load(&self) -> usize {
            // SAFETY: the value is only copied in and out.
            unsafe { *self.inner.value.get() }
        }
    }

    impl Drop for Node<'_> {
        #[inline]
        fn drop(&mut self) {
            if self.inner.link.is_linked() {
                let inner: *const Inner = &self.inner;
                self.list.with(|l| {
                    // SAFETY: the node is linked in this list.
                    unsafe { l.cursor_mut_from_ptr(inner) }.remove();
                });
            }
        }
    }
}
