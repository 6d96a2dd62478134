//! [`Scheme`]: what a rooting scheme is, and the sealed bindings through
//! which the heap, the roots and the collector use it.
//!
//! A scheme is a marker type (`Intrusive`, `Indexed`, `Hybrid`, each
//! behind its feature) that names the representation of each kind
//! of root and the operations on them. The heap trusts those operations to
//! keep every stored [`Gc`] current (that is what makes [`Ref`](crate::Ref)
//! sound), so the trait that carries them is sealed: only this crate
//! implements it.
//!
//! A scheme keeps its root set in up to two places:
//!
//! - an **anchor**, outside the heap, that roots may borrow for as long as
//!   they live (the intrusive scheme's
//!   [`RootList`](gcroots_intrusive::RootList), which the hybrid scheme's
//!   stack roots use too; nothing for the indexed scheme). The user owns
//!   it, in [`Roots`](crate::Roots), and the heap borrows it;
//! - a **table**, owned by the heap (the indexed scheme's
//!   [`RootTable`](gcroots_indexed::RootTable), which the hybrid scheme's
//!   long-lived roots use too; nothing for the intrusive scheme).
//!
//! Every operation takes the two together as one borrowed context, a
//! [`RootSetRef`] that the heap hands out (or, for the collector, a
//! [`RootSetMut`]); each scheme reads the part it keeps.

/// A rooting scheme: `Intrusive` (roots linked into a list the collector
/// walks), `Indexed` (roots as checked indices into a table), `Hybrid`
/// (intrusive stack roots, indexed long-lived roots) or `Conservative`
/// (stack roots found by scanning the stack, indexed long-lived roots),
/// each behind the feature of its name. Code generic over `S: Scheme` runs unchanged under
/// every one, in every heap mode.
///
/// Sealed: the heap relies on the scheme's operations to keep every root
/// current, so only this crate implements it.
pub trait Scheme: sealed::Bindings {
    /// A short name for reports: `"intrusive"`, `"indexed"`, `"hybrid"` or
    /// `"conservative"`.
    const NAME: &'static str;
}

pub(crate) use sealed::{RootSetMut, RootSetRef};

/// Sealed: `pub` items in a private module, so that the bounds of the public
/// [`Scheme`] may name them while no code outside this crate can.
pub(crate) mod sealed {
    use core::pin::Pin;

    use crate::error::RootError;
    use crate::object::Gc;

    /// The root set of one heap, borrowed: the anchor (for `'r`, the borrow of
    /// the [`Roots`](crate::Roots)) and the heap's table (for `'h`). Made by
    /// [`Heap::root_set`](crate::Heap); the one context every binding takes.
    pub struct RootSetRef<'h, 'r, S: Bindings> {
        // Read by the list schemes only.
        #[cfg_attr(not(any(feature = "intrusive", feature = "hybrid")), allow(dead_code))]
        pub(crate) anchor: &'r S::Anchor,
        // Read by the table schemes only.
        #[cfg_attr(not(any(feature = "indexed", feature = "hybrid")), allow(dead_code))]
        pub(crate) table: &'h S::Table,
    }

    impl<S: Bindings> Clone for RootSetRef<'_, '_, S> {
        #[inline(always)]
        fn clone(&self) -> Self {
            *self
        }
    }

    impl<S: Bindings> Copy for RootSetRef<'_, '_, S> {}

    impl<S: Bindings> core::fmt::Debug for RootSetRef<'_, '_, S> {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("RootSetRef").finish_non_exhaustive()
        }
    }

    impl<S: Bindings> core::fmt::Debug for RootSetMut<'_, '_, S> {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("RootSetMut").finish_non_exhaustive()
        }
    }

    /// The root set of one heap, borrowed by the collector: as
    /// [`RootSetRef`], with the table borrowed exclusively, so that nothing
    /// else can root, read or release while the collector rewrites the roots.
    pub struct RootSetMut<'h, 'r, S: Bindings> {
        // Read by the list schemes only.
        #[cfg_attr(not(any(feature = "intrusive", feature = "hybrid")), allow(dead_code))]
        pub(crate) anchor: &'r S::Anchor,
        // Read by the table schemes only.
        #[cfg_attr(not(any(feature = "indexed", feature = "hybrid")), allow(dead_code))]
        pub(crate) table: &'h mut S::Table,
    }

    impl<S: Bindings> RootSetMut<'_, '_, S> {
        /// The same root set, borrowed again for a shorter while (a
        /// collection hands it to the strong trace, then to the weak
        /// sweep).
        #[inline(always)]
        pub(crate) fn reborrow(&mut self) -> RootSetMut<'_, '_, S> {
            RootSetMut {
                anchor: self.anchor,
                table: &mut *self.table,
            }
        }
    }

    /// What a scheme keeps outside the heap.
    pub trait Anchor: Default + 'static {
        /// Marks the anchor as serving one heap; `false` if it already
        /// does (or did).
        fn claim(&self) -> bool;
        /// Whether `self` and `other` are the same root set, where the
        /// scheme can tell (an empty anchor says yes: its roots go to the
        /// table of the heap a value came from, and carry that table's id).
        fn same(&self, other: &Self) -> bool;

        /// Before a collection: panics, saying why, if the heap may not
        /// collect on this thread (the conservative scheme scans the stack
        /// of the thread that made its `Roots`; safe Rust cannot move its
        /// heap, but C can call it from anywhere).
        fn check_thread(&self) {}
    }

    /// The representations and operations of a scheme. Every `Gc` passed in
    /// must be *current*: the address of a live object of the heap whose
    /// root set is `set` (hence the `unsafe fn`s). In return every `Gc`
    /// handed out is current, because the heap's collector rewrites every
    /// root it holds.
    pub trait Bindings: Sized + 'static {
        /// Outside the heap, borrowed by the heap and by roots.
        type Anchor: Anchor;
        /// Owned by the heap.
        type Table;
        /// Pinned storage for one stack root, provided by `root!`; starts
        /// empty (its `Default`).
        type SlotRepr<'r>: Default;
        /// A stack or scoped root as handed to the user, with no lifetime:
        /// [`Local`](crate::Local) adds the borrow of the slot it came from
        /// (covariantly, so roots of different frames mix).
        type LocalRepr: Copy;
        /// A long-lived root.
        type PersistentRepr<'r>;
        /// Pinned storage for one scoped vector root, provided by
        /// `root_vec!`.
        type VecSlotRepr<'r>: Default;
        /// A scoped vector root, as [`LocalRepr`](Self::LocalRepr) is to a
        /// value.
        type LocalVecRepr: Copy;
        /// A long-lived vector root.
        type PersistentVecRepr<'r>;
        /// A weak root, kept where the scheme keeps its long-lived roots.
        type WeakRepr<'r>: Clone;
        /// A vector root of either kind, borrowed for one operation.
        type VecRef<'a>: Copy;
        /// Where a scope began.
        type Mark: Copy;

        /// Whether the scheme's stack roots are found by scanning the
        /// thread's stack (the conservative scheme), not by
        /// [`trace`](Self::trace): the heap then scans before each
        /// collection and pins what the stack points to, and refuses a
        /// mode that cannot pin.
        const CONSERVATIVE: bool = false;

        /// An empty table, for a new heap.
        fn new_table() -> Self::Table;

        /// Roots `gc` in `slot` (the intrusive scheme) or in the table's
        /// innermost scope (the indexed scheme). The result is valid while
        /// `slot` stays borrowed for `'s`.
        ///
        /// # Safety
        ///
        /// `gc` is current for the heap whose root set is `set`.
        unsafe fn root<'s, 'r: 's>(
            set: RootSetRef<'_, 'r, Self>,
            slot: Pin<&'s mut Self::SlotRepr<'r>>,
            gc: Gc,
        ) -> Self::LocalRepr;

        /// The object `root` holds, if it belongs to this root set and is
        /// still alive.
        ///
        /// # Safety
        ///
        /// `root` was returned by [`root`](Self::root), and the slot it
        /// borrowed is still borrowed (the `Local` holding it is alive).
        unsafe fn load(
            set: RootSetRef<'_, '_, Self>,
            root: &Self::LocalRepr,
        ) -> Result<Gc, RootError>;

        /// Makes `root` hold `gc`.
        ///
        /// # Safety
        ///
        /// As for [`load`](Self::load); and `gc` is current for the heap
        /// whose root set is `set`.
        unsafe fn store(
            set: RootSetRef<'_, '_, Self>,
            root: &Self::LocalRepr,
            gc: Gc,
        ) -> Result<(), RootError>;

        /// A long-lived root holding `gc`.
        ///
        /// # Safety
        ///
        /// As for [`root`](Self::root).
        unsafe fn persist<'r>(set: RootSetRef<'_, 'r, Self>, gc: Gc) -> Self::PersistentRepr<'r>;

        /// The object a long-lived root holds, if it belongs to this root
        /// set.
        fn load_persistent(
            set: RootSetRef<'_, '_, Self>,
            root: &Self::PersistentRepr<'_>,
        ) -> Result<Gc, RootError>;

        /// Makes a long-lived root hold `gc`.
        ///
        /// # Safety
        ///
        /// As for [`root`](Self::root).
        unsafe fn store_persistent(
            set: RootSetRef<'_, '_, Self>,
            root: &Self::PersistentRepr<'_>,
            gc: Gc,
        ) -> Result<(), RootError>;

        /// Ends a long-lived root now (dropping it ends it too, at the
        /// latest before the next collection). `WrongHeap` if it is not of
        /// this root set; it is ended all the same.
        fn release(
            set: RootSetRef<'_, '_, Self>,
            root: Self::PersistentRepr<'_>,
        ) -> Result<(), RootError>;

        /// A weak root seeing `gc`.
        ///
        /// # Safety
        ///
        /// As for [`root`](Self::root).
        unsafe fn weak<'r>(set: RootSetRef<'_, 'r, Self>, gc: Gc) -> Self::WeakRepr<'r>;

        /// The object a weak root sees, `None` once a collection cleared
        /// it, if the weak root belongs to this root set.
        fn load_weak(
            set: RootSetRef<'_, '_, Self>,
            root: &Self::WeakRepr<'_>,
        ) -> Result<Option<Gc>, RootError>;

        /// Calls `f` on every weak root not yet cleared, after the
        /// collector has traced everything else, so that it rewrites or
        /// clears each (`f` receives `Some`). A dropped weak root may
        /// still be visited until the table reclaims its slot (lazily: it
        /// keeps nothing alive); nothing reads what `f` leaves there.
        ///
        /// # Safety
        ///
        /// As for [`trace`](Self::trace).
        unsafe fn sweep_weak(set: RootSetMut<'_, '_, Self>, f: impl FnMut(&mut Option<Gc>));

        /// How many weak roots the set holds (cleared ones included).
        fn weak_count(set: RootSetRef<'_, '_, Self>) -> usize;

        /// An empty scoped vector root in `slot` or the table's innermost
        /// scope, valid while `slot` stays borrowed for `'s`.
        fn root_vec<'s, 'r: 's>(
            set: RootSetRef<'_, 'r, Self>,
            slot: Pin<&'s mut Self::VecSlotRepr<'r>>,
        ) -> Self::LocalVecRepr;

        /// An empty long-lived vector root.
        fn persist_vec<'r>(set: RootSetRef<'_, 'r, Self>) -> Self::PersistentVecRepr<'r>;

        /// A scoped vector root, borrowed for one operation.
        ///
        /// # Safety
        ///
        /// `root` was returned by [`root_vec`](Self::root_vec) and the slot
        /// it borrowed is still borrowed (the `LocalVec` holding it is
        /// alive).
        unsafe fn local_vec(root: &Self::LocalVecRepr) -> Self::VecRef<'_>;

        /// A long-lived vector root, borrowed for one operation.
        fn persistent_vec<'a>(root: &'a Self::PersistentVecRepr<'_>) -> Self::VecRef<'a>;

        /// The number of values in a vector root.
        fn vec_len(set: RootSetRef<'_, '_, Self>, v: Self::VecRef<'_>) -> Result<usize, RootError>;

        /// The value at `index`, if there is one.
        fn vec_get(
            set: RootSetRef<'_, '_, Self>,
            v: Self::VecRef<'_>,
            index: usize,
        ) -> Result<Option<Gc>, RootError>;

        /// Replaces the value at `index`: `Ok(false)` if out of range.
        ///
        /// # Safety
        ///
        /// `gc` is current for the heap whose root set is `set`.
        unsafe fn vec_set(
            set: RootSetRef<'_, '_, Self>,
            v: Self::VecRef<'_>,
            index: usize,
            gc: Gc,
        ) -> Result<bool, RootError>;

        /// Appends a value.
        ///
        /// # Safety
        ///
        /// As for [`vec_set`](Self::vec_set).
        unsafe fn vec_push(
            set: RootSetRef<'_, '_, Self>,
            v: Self::VecRef<'_>,
            gc: Gc,
        ) -> Result<(), RootError>;

        /// Removes and returns the last value.
        fn vec_pop(
            set: RootSetRef<'_, '_, Self>,
            v: Self::VecRef<'_>,
        ) -> Result<Option<Gc>, RootError>;

        /// Removes every value.
        fn vec_clear(set: RootSetRef<'_, '_, Self>, v: Self::VecRef<'_>) -> Result<(), RootError>;

        /// Enters a scope.
        fn enter(set: RootSetRef<'_, '_, Self>) -> Self::Mark;

        /// Exits the scope that `mark` began. Never panics: a mark of
        /// another root set (the heap behind a scope was swapped) releases
        /// nothing, and the roots it would have released stay alive and
        /// counted.
        fn exit(set: RootSetRef<'_, '_, Self>, mark: Self::Mark);

        /// Calls `f` on every root of the set (every value of every vector
        /// root), so that the collector can rewrite each in place. Dropped
        /// long-lived roots are reclaimed first, never traced.
        ///
        /// # Safety
        ///
        /// `f` must not create, drop, read or write any root of this set, nor
        /// call anything that might.
        unsafe fn trace(set: RootSetMut<'_, '_, Self>, f: impl FnMut(&mut Gc));

        /// How many roots the set holds (may walk them); a vector root
        /// counts once.
        fn count(set: RootSetRef<'_, '_, Self>) -> usize;
    }
}
