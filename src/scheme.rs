//! [`Scheme`]: what a rooting scheme provides, and [`RootSet`]: what the
//! collector asks of it.
//!
//! A scheme is a marker type ([`Intrusive`](crate::Intrusive),
//! [`Indexed`](crate::Indexed)) that names the representation of each kind
//! of root and the operations on them. Both traits are sealed: the heap
//! trusts their implementations to keep every stored [`Gc`] current (that
//! is what makes [`Ref`](crate::Ref) sound), so only this crate implements
//! them.
//!
//! A scheme keeps its root set in up to two places:
//!
//! - an **anchor**, outside the heap, that roots may borrow for as long as
//!   they live (the intrusive scheme's [`RootList`](gcroots_intrusive::RootList);
//!   nothing for the indexed scheme). The user owns it, in
//!   [`Roots`](crate::Roots), and the heap borrows it;
//! - a **table**, owned by the heap (the indexed scheme's
//!   [`RootTable`](gcroots_indexed::RootTable); nothing for the intrusive
//!   scheme).

use core::pin::Pin;

use crate::error::RootError;
use crate::object::Gc;

/// A rooting scheme: [`Intrusive`](crate::Intrusive) or
/// [`Indexed`](crate::Indexed). Code generic over `S: Scheme` runs
/// unchanged under either.
pub trait Scheme: RootSet {
    /// A short name for reports: `"intrusive"` or `"indexed"`.
    const NAME: &'static str;
}

/// The collector's view of a scheme's root set: enumerate every root and
/// rewrite it in place. The companion of [`Root`](crate::Root), which is
/// the user's view.
pub trait RootSet: sealed::Bindings {
    /// Calls `f` on every root of the set.
    ///
    /// # Safety
    ///
    /// `f` must not create, drop, read or write any root of this set, nor
    /// call anything that might.
    unsafe fn trace(anchor: &Self::Anchor, table: &mut Self::Table, f: impl FnMut(&mut Gc));

    /// How many roots the set holds (may walk them).
    fn count(anchor: &Self::Anchor, table: &Self::Table) -> usize;
}

pub(crate) mod sealed {
    use super::*;

    /// The representations and operations of a scheme. Every `Gc` passed in
    /// must be *current*: the address of a live object of the heap that owns
    /// `anchor` and `table` (hence the `unsafe fn`s). In return every `Gc`
    /// handed out is current, because the heap's collector rewrites every
    /// root it holds.
    pub trait Bindings: Sized + 'static {
        /// Outside the heap, borrowed by the heap and by roots.
        type Anchor;
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
        /// Where a scope began.
        type Mark: Copy;

        fn new_anchor() -> Self::Anchor;
        fn new_table() -> Self::Table;
        /// Marks the anchor as serving one heap; `false` if already taken.
        fn claim(anchor: &Self::Anchor) -> bool;
        /// Whether two anchors are the same root set, when the scheme can
        /// tell (the indexed scheme's anchor is empty and says yes).
        fn same_anchor(a: &Self::Anchor, b: &Self::Anchor) -> bool;

        /// Roots `gc` in `slot` (the intrusive scheme) or in `table`'s
        /// innermost scope (the indexed scheme). The result is valid while
        /// `slot` stays borrowed for `'s`.
        ///
        /// # Safety
        ///
        /// `gc` is current for the heap that owns `anchor` and `table`.
        unsafe fn root<'s, 'r: 's>(
            anchor: &'r Self::Anchor,
            table: &Self::Table,
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
            anchor: &Self::Anchor,
            table: &Self::Table,
            root: &Self::LocalRepr,
        ) -> Result<Gc, RootError>;

        /// Makes `root` hold `gc`.
        ///
        /// # Safety
        ///
        /// As for [`load`](Self::load); and `gc` is current for the heap
        /// that owns `anchor` and `table`.
        unsafe fn store(
            anchor: &Self::Anchor,
            table: &Self::Table,
            root: &Self::LocalRepr,
            gc: Gc,
        ) -> Result<(), RootError>;

        /// A long-lived root holding `gc`.
        ///
        /// # Safety
        ///
        /// As for [`root`](Self::root).
        unsafe fn persist<'r>(
            anchor: &'r Self::Anchor,
            table: &Self::Table,
            gc: Gc,
        ) -> Self::PersistentRepr<'r>;

        fn load_persistent(
            anchor: &Self::Anchor,
            table: &Self::Table,
            root: &Self::PersistentRepr<'_>,
        ) -> Result<Gc, RootError>;

        /// # Safety
        ///
        /// As for [`root`](Self::root).
        unsafe fn store_persistent(
            anchor: &Self::Anchor,
            table: &Self::Table,
            root: &Self::PersistentRepr<'_>,
            gc: Gc,
        ) -> Result<(), RootError>;

        /// Ends a long-lived root.
        fn release(
            anchor: &Self::Anchor,
            table: &Self::Table,
            root: Self::PersistentRepr<'_>,
        ) -> Result<(), RootError>;

        fn enter(table: &Self::Table) -> Self::Mark;
        fn exit(table: &Self::Table, mark: Self::Mark);

        /// Long-lived roots dropped without being released, where the scheme
        /// can count them.
        fn leaked(anchor: &Self::Anchor, table: &Self::Table) -> usize;
    }
}
