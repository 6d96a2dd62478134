//! [`StackRoot`]: a root pinned in its creator's frame, SpiderMonkey's
//! `JS::Rooted`.

use core::marker::PhantomPinned;
use core::pin::Pin;

use crate::list::{Node, RootList};

/// A root that lives where its creator put it (usually a stack frame,
/// through [`stack_root!`](crate::stack_root)), pinned there, holding a `T`
/// that its list's collector may rewrite at any collection.
///
/// # Invariants
///
/// - While linked, the node is pinned and in its list's stack chain, and it
///   unlinks itself in `Drop` (which cannot panic). Pinning guarantees the
///   `Drop` runs before the memory is reused, so the list never points to a
///   dead node.
/// - Users only ever get `Pin<&StackRoot>` or `&StackRoot`: a shared borrow,
///   under which the collector's writes through its own pointer (to the
///   `UnsafeCell`) are allowed. The type is `!Unpin` (`PhantomPinned`), so
///   even the creator's `Pin<&mut StackRoot>` is not a unique borrow under
///   Rust's aliasing rules.
/// - `!Send` and `!Sync`: it points into a list that belongs to one thread.
///
/// # Order of drops
///
/// The chain is doubly linked, so a root unlinks itself in O(1) whatever
/// the order: LIFO as stack frames give it, or any other, as interleaved
/// futures or boxed roots give it. Creating a root is a load and four
/// stores; dropping it, two loads, a compare and three stores.
pub struct StackRoot<'r, T> {
    node: Node<T>,
    list: &'r RootList<T>,
    _pin: PhantomPinned,
}

impl<'r, T: Copy> StackRoot<'r, T> {
    /// A root for `list` holding `value`, not yet linked: pin it, then call
    /// [`link`](Self::link). Until then the list's collector does not see
    /// `value`.
    #[inline(always)]
    pub fn new(list: &'r RootList<T>, value: T) -> Self {
        StackRoot {
            node: Node::new(value),
            list,
            _pin: PhantomPinned,
        }
    }

    /// Links the pinned root into its list, making its value visible to the
    /// list's collector.
    ///
    /// # Panics
    ///
    /// If the root is already linked.
    #[inline]
    pub fn link(self: Pin<&Self>) {
        assert!(
            !self.is_linked(),
            "StackRoot::link: the root is already linked"
        );
        // SAFETY: the node is pinned (we hold `Pin<&Self>`), in no chain
        // (checked), and unlinks itself in `Drop`; the list is borrowed for
        // `'r`, which outlives the node, so it cannot move meanwhile.
        unsafe { self.list.stack.push(&self.get_ref().node) };
    }

    /// Whether the root is linked into its list.
    #[inline(always)]
    pub fn is_linked(&self) -> bool {
        self.node.is_linked()
    }

    /// The rooted value: one load.
    #[inline(always)]
    pub fn load(&self) -> T {
        // SAFETY: the value is only ever copied in or out (here, in `store`,
        // and in the list's `trace`, which cannot run during this call: the
        // root is `!Sync` and `trace` promises not to run user code), so no
        // reference to it exists while we read.
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

impl<T> Drop for StackRoot<'_, T> {
    /// Unlinks the root if it is linked. Never panics (corruption aborts).
    #[inline]
    fn drop(&mut self) {
        // SAFETY: if linked, then by `link`, into the stack chain of
        // `self.list`, which is alive (borrowed); the node is being dropped.
        unsafe { self.list.stack.remove_for_drop(&self.node) };
    }
}

impl<T: Copy + core::fmt::Debug> core::fmt::Debug for StackRoot<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StackRoot")
            .field("value", &self.load())
            .field("linked", &self.is_linked())
            .finish()
    }
}

/// Creates a [`StackRoot`] pinned in the current frame, links it into a list
/// and binds `Pin<&StackRoot>` to a name.
///
/// The node lives in storage that the caller cannot name, so it can be
/// neither moved nor forgotten: it unlinks itself when the enclosing block
/// ends, whichever way it ends.
///
/// ```
/// use gcroots_intrusive::{stack_root, RootList};
///
/// let list = RootList::<usize>::new();
/// stack_root!(&list, let x = 0x1000);
/// assert_eq!(x.load(), 0x1000);
/// assert_eq!(list.stack_len(), 1);
/// ```
#[macro_export]
macro_rules! stack_root {
    ($list:expr, let $name:ident = $value:expr) => {
        let __gcroots_node = ::core::pin::pin!($crate::StackRoot::new($list, $value));
        let $name = __gcroots_node.into_ref();
        $name.link();
    };
}
