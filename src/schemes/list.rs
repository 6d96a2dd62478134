//! Roots kept in a [`RootList`] (the intrusive crate): the operations on
//! them, each taking the list, for the schemes that keep stack roots (and
//! perhaps more) this way: [`Intrusive`](crate::Intrusive) and
//! [`Hybrid`](crate::Hybrid).

use core::pin::Pin;
use core::ptr::{self, NonNull};

#[cfg(feature = "intrusive")]
use gcroots_intrusive::PooledRoot;
use gcroots_intrusive::{RootList, StackRoot, VecRoot};

use crate::error::RootError;
use crate::object::Gc;
use crate::scheme::sealed::Anchor;

impl Anchor for RootList<Gc> {
    fn claim(&self) -> bool {
        RootList::claim(self)
    }

    #[inline(always)]
    fn same(&self, other: &Self) -> bool {
        ptr::eq(self, other)
    }
}

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

// Long-lived roots: the hybrid scheme keeps them in the table instead.
#[cfg(feature = "intrusive")]
#[inline(always)]
pub(crate) fn persist(list: &RootList<Gc>, gc: Gc) -> PooledRoot<'_, Gc> {
    PooledRoot::new(list, gc)
}

#[cfg(feature = "intrusive")]
#[inline(always)]
pub(crate) fn load_persistent(
    list: &RootList<Gc>,
    root: &PooledRoot<'_, Gc>,
) -> Result<Gc, RootError> {
    check(list, root.list())?;
    Ok(root.load())
}

#[cfg(feature = "intrusive")]
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

#[cfg(feature = "intrusive")]
pub(crate) fn release(list: &RootList<Gc>, root: PooledRoot<'_, Gc>) -> Result<(), RootError> {
    // A root of another list is dropped all the same, which gives its
    // slot back to its own list: nothing leaks, but the caller is told.
    check(list, root.list())
}

/// The value of a weak root of `list` (the intrusive scheme's).
#[cfg(feature = "intrusive")]
#[inline]
pub(crate) fn load_weak(
    list: &RootList<Gc>,
    root: &gcroots_intrusive::WeakRoot<'_, Gc>,
) -> Result<Option<Gc>, RootError> {
    check(list, root.list())?;
    Ok(root.load())
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

#[cfg(feature = "intrusive")]
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
