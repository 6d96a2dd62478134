//! The intrusive scheme's bindings: stack roots pinned in the frame of the
//! code that made them, persistent roots in boxes, both linked into a
//! [`RootList`] that the user owns (in [`Roots`](crate::Roots)) and the heap
//! borrows.

use core::pin::Pin;
use core::ptr::{self, NonNull};

use gcroots_intrusive::{PersistentRoot, RootList, StackRoot};

use crate::error::RootError;
use crate::object::Gc;
use crate::scheme::{RootSet, Scheme, sealed::Bindings};

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

#[inline(always)]
fn check(anchor: &RootList<Gc>, list: &RootList<Gc>) -> Result<(), RootError> {
    if ptr::eq(anchor, list) {
        Ok(())
    } else {
        Err(RootError::WrongHeap)
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

    fn new_anchor() -> RootList<Gc> {
        RootList::new()
    }

    fn new_table() {}

    fn claim(anchor: &RootList<Gc>) -> bool {
        anchor.claim()
    }

    #[inline(always)]
    fn same_anchor(a: &RootList<Gc>, b: &RootList<Gc>) -> bool {
        ptr::eq(a, b)
    }

    #[inline(always)]
    unsafe fn root<'s, 'r: 's>(
        anchor: &'r RootList<Gc>,
        _: &(),
        mut slot: Pin<&'s mut Option<StackRoot<'r, Gc>>>,
        gc: Gc,
    ) -> NonNull<StackRoot<'static, Gc>> {
        // `Pin::set` drops what the slot held before (unlinking it, were it a
        // linked root) and puts an unlinked root in its place.
        slot.set(Some(StackRoot::new(anchor, gc)));
        let node = slot
            .into_ref()
            .as_pin_ref()
            .expect("the slot was just filled");
        node.link();
        NonNull::from(node.get_ref()).cast()
    }

    #[inline(always)]
    unsafe fn load(
        anchor: &RootList<Gc>,
        _: &(),
        root: &NonNull<StackRoot<'static, Gc>>,
    ) -> Result<Gc, RootError> {
        // SAFETY: the caller guarantees that the `Local` is alive, so the slot
        // it borrows (and the pinned node in it) is too; only shared borrows
        // of the node ever exist.
        let node = unsafe { root.cast::<StackRoot<'_, Gc>>().as_ref() };
        check(anchor, node.list())?;
        Ok(node.load())
    }

    #[inline(always)]
    unsafe fn store(
        anchor: &RootList<Gc>,
        _: &(),
        root: &NonNull<StackRoot<'static, Gc>>,
        gc: Gc,
    ) -> Result<(), RootError> {
        // SAFETY: as in `load`.
        let node = unsafe { root.cast::<StackRoot<'_, Gc>>().as_ref() };
        check(anchor, node.list())?;
        node.store(gc);
        Ok(())
    }

    unsafe fn persist<'r>(
        anchor: &'r RootList<Gc>,
        _: &(),
        gc: Gc,
    ) -> Pin<Box<PersistentRoot<'r, Gc>>> {
        PersistentRoot::boxed(anchor, gc)
    }

    #[inline(always)]
    fn load_persistent(
        anchor: &RootList<Gc>,
        _: &(),
        root: &Pin<Box<PersistentRoot<'_, Gc>>>,
    ) -> Result<Gc, RootError> {
        check(anchor, root.list())?;
        Ok(root.load())
    }

    unsafe fn store_persistent(
        anchor: &RootList<Gc>,
        _: &(),
        root: &Pin<Box<PersistentRoot<'_, Gc>>>,
        gc: Gc,
    ) -> Result<(), RootError> {
        check(anchor, root.list())?;
        root.store(gc);
        Ok(())
    }

    fn release(
        anchor: &RootList<Gc>,
        _: &(),
        root: Pin<Box<PersistentRoot<'_, Gc>>>,
    ) -> Result<(), RootError> {
        // A root of another list is dropped all the same, which unlinks it
        // from its own list: nothing leaks, but the caller is told.
        check(anchor, root.list())
    }

    #[inline(always)]
    fn enter(_: &()) {}

    #[inline(always)]
    fn exit(_: &(), _: ()) {}

    fn leaked(_: &RootList<Gc>, _: &()) -> usize {
        // Dropped persistent roots unlink themselves: nothing can leak but a
        // forgotten box, which is still linked and so counted as alive.
        0
    }
}

impl RootSet for Intrusive {
    #[inline]
    unsafe fn trace(anchor: &RootList<Gc>, _: &mut (), f: impl FnMut(&mut Gc)) {
        // SAFETY: forwarded from our caller's promise about `f`.
        unsafe { anchor.trace(f) }
    }

    fn count(anchor: &RootList<Gc>, _: &()) -> usize {
        anchor.len()
    }
}
