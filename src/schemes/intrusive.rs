//! The intrusive scheme's bindings: stack roots pinned in the frame of the
//! code that made them, persistent roots in boxes, both linked into a
//! [`RootList`] that the user owns (in [`Roots`](crate::Roots)) and the heap
//! borrows. The heap's table is empty.

use core::pin::Pin;
use core::ptr::{self, NonNull};

use gcroots_intrusive::{PersistentRoot, RootList, StackRoot};

use crate::error::RootError;
use crate::object::Gc;
use crate::scheme::sealed::{Anchor, Bindings};
use crate::scheme::{RootSetMut, RootSetRef, Scheme};

/// The SpiderMonkey-style scheme: pinned intrusive-list roots.
///
/// A [`Local`](crate::Local) is a pointer to a pinned `StackRoot` (one
/// word; reading it is one load plus a check that it belongs to the heap); a
/// [`Persistent`](crate::Persistent) is a `Pin<Box<PersistentRoot>>`.
/// Scopes cost nothing: a stack root ends with the block that made it.
/// Roots are `!Send`, `!Sync`, and cannot outlive their [`Roots`](crate::Roots).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intrusive {}

impl Scheme for Intrusive {
    const NAME: &'static str = "intrusive";
}

type Set<'h, 'r> = RootSetRef<'h, 'r, Intrusive>;

/// `Ok` if `list` is the root set's own list.
#[inline(always)]
fn check(set: Set<'_, '_>, list: &RootList<Gc>) -> Result<(), RootError> {
    if ptr::eq(set.anchor, list) {
        Ok(())
    } else {
        Err(RootError::WrongHeap)
    }
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

impl Bindings for Intrusive {
    type Anchor = RootList<Gc>;
    type Table = ();
    type SlotRepr<'r> = Option<StackRoot<'r, Gc>>;
    /// The pinned node in the slot that `root!` declared. `Local<'s>` borrows
    /// that slot for `'s`; the lifetime is erased here only so that `Local`
    /// can be covariant.
    type LocalRepr = NonNull<StackRoot<'static, Gc>>;
    type PersistentRepr<'r> = Pin<Box<PersistentRoot<'r, Gc>>>;
    type Mark = ();

    fn new_table() {}

    #[inline(always)]
    unsafe fn root<'s, 'r: 's>(
        set: Set<'_, 'r>,
        mut slot: Pin<&'s mut Option<StackRoot<'r, Gc>>>,
        gc: Gc,
    ) -> NonNull<StackRoot<'static, Gc>> {
        // `Pin::set` drops what the slot held before (unlinking it, were it a
        // linked root) and puts an unlinked root in its place.
        slot.set(Some(StackRoot::new(set.anchor, gc)));
        let node = slot
            .into_ref()
            .as_pin_ref()
            .expect("the slot was just filled");
        node.link();
        NonNull::from(node.get_ref()).cast()
    }

    #[inline(always)]
    unsafe fn load(
        set: Set<'_, '_>,
        root: &NonNull<StackRoot<'static, Gc>>,
    ) -> Result<Gc, RootError> {
        // SAFETY: the caller guarantees that the `Local` is alive, so the slot
        // it borrows (and the pinned node in it) is too; only shared borrows
        // of the node ever exist.
        let node = unsafe { root.cast::<StackRoot<'_, Gc>>().as_ref() };
        check(set, node.list())?;
        Ok(node.load())
    }

    #[inline(always)]
    unsafe fn store(
        set: Set<'_, '_>,
        root: &NonNull<StackRoot<'static, Gc>>,
        gc: Gc,
    ) -> Result<(), RootError> {
        // SAFETY: as in `load`.
        let node = unsafe { root.cast::<StackRoot<'_, Gc>>().as_ref() };
        check(set, node.list())?;
        node.store(gc);
        Ok(())
    }

    unsafe fn persist<'r>(set: Set<'_, 'r>, gc: Gc) -> Pin<Box<PersistentRoot<'r, Gc>>> {
        PersistentRoot::boxed(set.anchor, gc)
    }

    #[inline(always)]
    fn load_persistent(
        set: Set<'_, '_>,
        root: &Pin<Box<PersistentRoot<'_, Gc>>>,
    ) -> Result<Gc, RootError> {
        check(set, root.list())?;
        Ok(root.load())
    }

    unsafe fn store_persistent(
        set: Set<'_, '_>,
        root: &Pin<Box<PersistentRoot<'_, Gc>>>,
        gc: Gc,
    ) -> Result<(), RootError> {
        check(set, root.list())?;
        root.store(gc);
        Ok(())
    }

    fn release(set: Set<'_, '_>, root: Pin<Box<PersistentRoot<'_, Gc>>>) -> Result<(), RootError> {
        // A root of another list is dropped all the same, which unlinks it
        // from its own list: nothing leaks, but the caller is told.
        check(set, root.list())
    }

    #[inline(always)]
    fn enter(_: Set<'_, '_>) {}

    #[inline(always)]
    fn exit(_: Set<'_, '_>, (): ()) {}

    fn leaked(_: Set<'_, '_>) -> usize {
        // Dropped persistent roots unlink themselves: nothing can leak but a
        // forgotten box, which is still linked and so counted as alive.
        0
    }

    #[inline]
    unsafe fn trace(set: RootSetMut<'_, '_, Self>, f: impl FnMut(&mut Gc)) {
        // SAFETY: forwarded from our caller's promise about `f`.
        unsafe { set.anchor.trace(f) }
    }

    fn count(set: Set<'_, '_>) -> usize {
        set.anchor.len()
    }
}
