//! [`VecRoot`]: one root holding a growable sequence of values,
//! SpiderMonkey's `RootedVector` / `PersistentRootedVector`.

use core::marker::PhantomPinned;
use core::pin::Pin;

use crate::list::{Node, RootList};

/// A pinned root holding a vector of `T`: one node in its list's vector
/// chain, whatever the vector's length, whose every element the list's
/// collector traces and may rewrite.
///
/// Scoped, pinned in a frame by [`vec_root!`](crate::vec_root); or
/// long-lived, boxed ([`VecRoot::boxed`]) or pinned in a host object. It
/// unlinks itself (and frees its buffer) when dropped. Values are copied in
/// and out: no method hands out a reference into the vector, which may
/// reallocate on the next `push`.
///
/// The invariants are those of [`StackRoot`](crate::StackRoot): pinned
/// while linked, only shared borrows handed out, `!Unpin`, `!Send`,
/// `!Sync`.
pub struct VecRoot<'r, T> {
    node: Node<Vec<T>>,
    list: &'r RootList<T>,
    _pin: PhantomPinned,
}

impl<'r, T: Copy> VecRoot<'r, T> {
    /// An empty vector root for `list`, not yet linked: pin it, then call
    /// [`link`](Self::link). Until then the list's collector does not see
    /// its values.
    #[inline]
    pub fn new(list: &'r RootList<T>) -> Self {
        VecRoot {
            node: Node::new(Vec::new()),
            list,
            _pin: PhantomPinned,
        }
    }

    /// A linked, empty vector root on the heap.
    pub fn boxed(list: &'r RootList<T>) -> Pin<Box<Self>> {
        let root = Box::pin(Self::new(list));
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
            "VecRoot::link: the root is already linked"
        );
        // SAFETY: the node is pinned, in no chain (checked), and `Drop`
        // unlinks it before its memory can go; the list is borrowed for
        // `'r`, so it cannot move meanwhile.
        unsafe { self.list.vectors.push(&self.get_ref().node) };
    }

    /// Whether the root is linked into its list.
    pub fn is_linked(&self) -> bool {
        self.node.is_linked()
    }

    /// The list this root belongs to.
    #[inline(always)]
    pub fn list(&self) -> &'r RootList<T> {
        self.list
    }

    /// Runs `f` on the vector.
    #[inline(always)]
    fn with<R>(&self, f: impl FnOnce(&mut Vec<T>) -> R) -> R {
        // SAFETY: the vector is only reached here and in the list's
        // `trace`, which cannot run meanwhile (the root is `!Sync`, and
        // `trace` promises to run no code that touches roots); every caller
        // passes a closure of this file that neither re-enters this root
        // nor returns a reference into the vector. So this `&mut` is the
        // only reference to it while `f` runs.
        f(unsafe { &mut *self.node.value.get() })
    }

    /// The number of values.
    #[inline]
    pub fn len(&self) -> usize {
        self.with(|v| v.len())
    }

    /// Whether the vector is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `index`, if there is one.
    #[inline]
    pub fn get(&self, index: usize) -> Option<T> {
        self.with(|v| v.get(index).copied())
    }

    /// Replaces the value at `index`; `false` (and nothing changed) if
    /// `index` is out of range.
    #[inline]
    pub fn set(&self, index: usize, value: T) -> bool {
        self.with(|v| match v.get_mut(index) {
            Some(slot) => {
                *slot = value;
                true
            }
            None => false,
        })
    }

    /// Appends a value.
    #[inline]
    pub fn push(&self, value: T) {
        self.with(|v| v.push(value))
    }

    /// Removes and returns the last value.
    #[inline]
    pub fn pop(&self) -> Option<T> {
        self.with(|v| v.pop())
    }

    /// Removes every value (keeping the buffer).
    pub fn clear(&self) {
        self.with(|v| v.clear())
    }

    /// Shortens the vector to `len` values (nothing if it is not longer).
    pub fn truncate(&self, len: usize) {
        self.with(|v| v.truncate(len))
    }
}

impl<T> Drop for VecRoot<'_, T> {
    /// Unlinks the root if it is linked. Never panics (corruption aborts).
    fn drop(&mut self) {
        if self.node.is_linked() {
            // SAFETY: linked, by `link`, into `self.list`'s vector chain.
            unsafe { self.node.unlink() };
        }
    }
}

impl<T: Copy> core::fmt::Debug for VecRoot<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VecRoot")
            .field("len", &self.len())
            .field("linked", &self.is_linked())
            .finish()
    }
}

/// Creates an empty [`VecRoot`] pinned in the current frame, links it into
/// a list and binds `Pin<&VecRoot>` to a name. As with
/// [`stack_root!`](crate::stack_root), the node can be neither moved nor
/// forgotten.
///
/// ```
/// use gcroots_intrusive::{vec_root, RootList};
///
/// let list = RootList::<usize>::new();
/// vec_root!(&list, let args);
/// args.push(0x1000);
/// args.push(0x2000);
/// // SAFETY: the closure touches no root.
/// unsafe { list.trace(|p| *p += 1) };
/// assert_eq!((args.get(0), args.get(1)), (Some(0x1001), Some(0x2001)));
/// assert_eq!(list.len(), 1, "one root, whatever its length");
/// ```
#[macro_export]
macro_rules! vec_root {
    ($list:expr, let $name:ident) => {
        let __gcroots_node = ::core::pin::pin!($crate::VecRoot::new($list));
        let $name = __gcroots_node.into_ref();
        $name.link();
    };
}
