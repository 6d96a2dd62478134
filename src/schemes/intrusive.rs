//! The intrusive scheme's bindings: stack roots and scoped vectors pinned
//! in the frame of the code that made them, long-lived roots in the pool of
//! a [`RootList`] that the user owns (in [`Roots`](crate::Roots)) and the
//! heap borrows. The heap's table is empty.
//!
//! The operations on each kind of root are functions of the list
//! ([`list`]), which the [`Bindings`] impl below calls and which another
//! scheme that keeps its stack roots this way may call too.

use core::pin::Pin;
use core::ptr::{self, NonNull};

use gcroots_intrusive::{PooledRoot, RootList, StackRoot, VecRoot};

use crate::error::RootError;
use crate::object::Gc;
use crate::scheme::sealed::{Anchor, Bindings};
use crate::scheme::{RootSetMut, RootSetRef, Scheme};

/// The SpiderMonkey-style scheme: pinned intrusive-list roots.
///
/// A [`Local`](crate::Local) is a pointer to a pinned `StackRoot` (one
/// word; reading it is one load plus a check that it belongs to the heap); a
/// [`Persistent`](crate::Persistent) is a `PooledRoot`, a pointer to a slot
/// of the root list's pool (two words). Scopes cost nothing: a stack root
/// ends with the block that made it. Roots are `!Send`, `!Sync`, and cannot
/// outlive their [`Roots`](crate::Roots).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intrusive {}

impl Scheme for Intrusive {
    const NAME: &'static str = "intrusive";
}

impl Anchor for RootList<Gc> {
    fn claim(&self) -> bool {
        RootList::claim(self)
    }

    #[inline(always)]
    fn same(&self, other: &Self) -> bool {
        ptr::eq(self, other)
    }
}

/// The operations on roots kept in a [`RootList`], each taking the list.
pub(crate) mod list {
    use super::*;

    /// A stack root as a `Local` holds it: the pinned node in the slot that
    /// `root!` declared. `Local<'s>` borrows that slot for `'s`; the
    /// lifetime is erased here only so that `Local` can be covariant.
    pub(crate) type Stack = NonNull<StackRoot<'static, Gc>>;
    /// A scoped vector root as a `LocalVec` holds it, likewise.
    pub(crate) type Vector = NonNull<VecRoot<'static, Gc>>;

    /// `Ok` if `of` is `list`.
    #[inline(always)]
    fn check(list: &RootList<Gc>, of: &RootList<Gc>) -> Result<(), RootError> {
        if ptr::eq(list, of) {
            Ok(())
        } else {
            Err(RootError::WrongHeap)
        }
    }

    #[inline(always)]
    pub(crate) fn root<'s, 'r: 's>(
        list: &'r RootList<Gc>,
        mut slot: Pin<&'s mut Option<StackRoot<'r, Gc>>>,
        gc: Gc,
    ) -> Stack {
        // `Pin::set` drops what the slot held before (unlinking it, were it a
        // linked root) and puts an unlinked root in its place.
        slot.set(Some(StackRoot::new(list, gc)));
        let node = slot
            .into_ref()
            .as_pin_ref()
            .expect("the slot was just filled");
        node.link();
        NonNull::from(node.get_ref()).cast()
    }

    /// # Safety
    ///
    /// The `Local` holding `root` is alive, so the slot it borrows (and the
    /// pinned node in it) is.
    #[inline(always)]
    pub(crate) unsafe fn load(list: &RootList<Gc>, root: &Stack) -> Result<Gc, RootError> {
        // SAFETY: the caller's promise; only shared borrows of the node ever
        // exist.
        let node = unsafe { root.cast::<StackRoot<'_, Gc>>().as_ref() };
        check(list, node.list())?;
        Ok(node.load())
    }

    /// # Safety
    ///
    /// As for [`load`].
    #[inline(always)]
    pub(crate) unsafe fn store(list: &RootList<Gc>, root: &Stack, gc: Gc) -> Result<(), RootError> {
        // SAFETY: as in `load`.
        let node = unsafe { root.cast::<StackRoot<'_, Gc>>().as_ref() };
        check(list, node.list())?;
        node.store(gc);
        Ok(())
    }

    #[inline(always)]
    pub(crate) fn persist(list: &RootList<Gc>, gc: Gc) -> PooledRoot<'_, Gc> {
        PooledRoot::new(list, gc)
    }

    #[inline(always)]
    pub(crate) fn load_persistent(
        list: &RootList<Gc>,
        root: &PooledRoot<'_, Gc>,
    ) -> Result<Gc, RootError> {
        check(list, root.list())?;
        Ok(root.load())
    }

    #[inline(always)]
    pub(crate) fn store_persistent(
        list: &RootList<Gc>,
        root: &PooledRoot<'_, Gc>,
        gc: Gc,
    ) -> Result<(), RootError> {
        check(list, root.list())?;
        root.store(gc);
        Ok(())
    }

    pub(crate) fn release(list: &RootList<Gc>, root: PooledRoot<'_, Gc>) -> Result<(), RootError> {
        // A root of another list is dropped all the same, which gives its
        // slot back to its own list: nothing leaks, but the caller is told.
        check(list, root.list())
    }

    #[inline]
    pub(crate) fn root_vec<'s, 'r: 's>(
        list: &'r RootList<Gc>,
        mut slot: Pin<&'s mut Option<VecRoot<'r, Gc>>>,
    ) -> Vector {
        slot.set(Some(VecRoot::new(list)));
        let node = slot
            .into_ref()
            .as_pin_ref()
            .expect("the slot was just filled");
        node.link();
        NonNull::from(node.get_ref()).cast()
    }

    pub(crate) fn persist_vec(list: &RootList<Gc>) -> Pin<Box<VecRoot<'_, Gc>>> {
        VecRoot::boxed(list)
    }

    /// # Safety
    ///
    /// The `LocalVec` holding `root` is alive, so the slot it borrows (and
    /// the pinned node in it) is.
    #[inline(always)]
    pub(crate) unsafe fn local_vec<'a>(root: &'a Vector) -> &'a VecRoot<'a, Gc> {
        // SAFETY: the caller's promise; only shared borrows of the node ever
        // exist, and `'a` is no longer than the `Local`'s borrow of the slot.
        unsafe { root.cast::<VecRoot<'a, Gc>>().as_ref() }
    }

    /// Runs `f` on a vector root of `list`.
    #[inline(always)]
    pub(crate) fn with_vec<R>(
        list: &RootList<Gc>,
        v: &VecRoot<'_, Gc>,
        f: impl FnOnce(&VecRoot<'_, Gc>) -> R,
    ) -> Result<R, RootError> {
        check(list, v.list())?;
        Ok(f(v))
    }

    /// # Safety
    ///
    /// `f` touches no root of `list` (see [`RootList::trace`]).
    #[inline]
    pub(crate) unsafe fn trace(list: &RootList<Gc>, f: impl FnMut(&mut Gc)) {
        // SAFETY: forwarded from our caller's promise about `f`.
        unsafe { list.trace(f) }
    }
}

type Set<'h, 'r> = RootSetRef<'h, 'r, Intrusive>;

impl Bindings for Intrusive {
    type Anchor = RootList<Gc>;
    type Table = ();
    type SlotRepr<'r> = Option<StackRoot<'r, Gc>>;
    type LocalRepr = list::Stack;
    type PersistentRepr<'r> = PooledRoot<'r, Gc>;
    type VecSlotRepr<'r> = Option<VecRoot<'r, Gc>>;
    type LocalVecRepr = list::Vector;
    type PersistentVecRepr<'r> = Pin<Box<VecRoot<'r, Gc>>>;
    type VecRef<'a> = &'a VecRoot<'a, Gc>;
    type Mark = ();

    fn new_table() {}

    #[inline(always)]
    unsafe fn root<'s, 'r: 's>(
        set: Set<'_, 'r>,
        slot: Pin<&'s mut Option<StackRoot<'r, Gc>>>,
        gc: Gc,
    ) -> list::Stack {
        list::root(set.anchor, slot, gc)
    }

    #[inline(always)]
    unsafe fn load(set: Set<'_, '_>, root: &list::Stack) -> Result<Gc, RootError> {
        // SAFETY: forwarded from our caller.
        unsafe { list::load(set.anchor, root) }
    }

    #[inline(always)]
    unsafe fn store(set: Set<'_, '_>, root: &list::Stack, gc: Gc) -> Result<(), RootError> {
        // SAFETY: forwarded from our caller.
        unsafe { list::store(set.anchor, root, gc) }
    }

    #[inline(always)]
    unsafe fn persist<'r>(set: Set<'_, 'r>, gc: Gc) -> PooledRoot<'r, Gc> {
        list::persist(set.anchor, gc)
    }

    #[inline(always)]
    fn load_persistent(set: Set<'_, '_>, root: &PooledRoot<'_, Gc>) -> Result<Gc, RootError> {
        list::load_persistent(set.anchor, root)
    }

    #[inline(always)]
    unsafe fn store_persistent(
        set: Set<'_, '_>,
        root: &PooledRoot<'_, Gc>,
        gc: Gc,
    ) -> Result<(), RootError> {
        list::store_persistent(set.anchor, root, gc)
    }

    fn release(set: Set<'_, '_>, root: PooledRoot<'_, Gc>) -> Result<(), RootError> {
        list::release(set.anchor, root)
    }

    #[inline]
    fn root_vec<'s, 'r: 's>(
        set: Set<'_, 'r>,
        slot: Pin<&'s mut Option<VecRoot<'r, Gc>>>,
    ) -> list::Vector {
        list::root_vec(set.anchor, slot)
    }

    fn persist_vec<'r>(set: Set<'_, 'r>) -> Pin<Box<VecRoot<'r, Gc>>> {
        list::persist_vec(set.anchor)
    }

    #[inline(always)]
    unsafe fn local_vec(root: &list::Vector) -> &VecRoot<'_, Gc> {
        // SAFETY: forwarded from our caller.
        unsafe { list::local_vec(root) }
    }

    #[inline(always)]
    fn persistent_vec<'a>(root: &'a Pin<Box<VecRoot<'_, Gc>>>) -> &'a VecRoot<'a, Gc> {
        root
    }

    fn vec_len(set: Set<'_, '_>, v: &VecRoot<'_, Gc>) -> Result<usize, RootError> {
        list::with_vec(set.anchor, v, |v| v.len())
    }

    fn vec_get(set: Set<'_, '_>, v: &VecRoot<'_, Gc>, i: usize) -> Result<Option<Gc>, RootError> {
        list::with_vec(set.anchor, v, |v| v.get(i))
    }

    unsafe fn vec_set(
        set: Set<'_, '_>,
        v: &VecRoot<'_, Gc>,
        i: usize,
        gc: Gc,
    ) -> Result<bool, RootError> {
        list::with_vec(set.anchor, v, |v| v.set(i, gc))
    }

    unsafe fn vec_push(set: Set<'_, '_>, v: &VecRoot<'_, Gc>, gc: Gc) -> Result<(), RootError> {
        list::with_vec(set.anchor, v, |v| v.push(gc))
    }

    fn vec_pop(set: Set<'_, '_>, v: &VecRoot<'_, Gc>) -> Result<Option<Gc>, RootError> {
        list::with_vec(set.anchor, v, |v| v.pop())
    }

    fn vec_clear(set: Set<'_, '_>, v: &VecRoot<'_, Gc>) -> Result<(), RootError> {
        list::with_vec(set.anchor, v, |v| v.clear())
    }

    #[inline(always)]
    fn enter(_: Set<'_, '_>) {}

    #[inline(always)]
    fn exit(_: Set<'_, '_>, (): ()) {}

    #[inline]
    unsafe fn trace(set: RootSetMut<'_, '_, Self>, f: impl FnMut(&mut Gc)) {
        // SAFETY: forwarded from our caller's promise about `f`.
        unsafe { list::trace(set.anchor, f) }
    }

    fn count(set: Set<'_, '_>) -> usize {
        set.anchor.len()
    }
}
