//! The intrusive scheme's bindings: stack roots pinned in the frame of the
//! code that made them, persistent roots in boxes, both linked into a
//! [`RootList`] that the user owns (in [`Roots`](crate::Roots)) and the heap
//! borrows.

use core::pin::Pin;
use core::ptr;

use gcroots_intrusive::{PersistentRoot, RootList, StackRoot};

use crate::error::RootError;
use crate::object::Gc;
use crate::scheme::{RootSet, Scheme, sealed::Bindings};

/// The SpiderMonkey-style scheme: pinned intrusive-list roots.
///
/// A [`Local`](crate::Local) is a `Pin<&StackRoot>` (one word; reading it
/// is one load plus a check that it belongs to the heap); a
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
    type LocalRepr<'s> = Pin<&'s StackRoot<'s, Gc>>;
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
    ) -> Pin<&'s StackRoot<'s, Gc>> {
        // `Pin::set` drops what the slot held before (unlinking it, were it a
        // linked root) and puts an unlinked root in its place.
        slot.set(Some(StackRoot::new(anchor, gc)));
        let node = slot
            .into_ref()
            .as_pin_ref()
            .expect("the slot was just filled");
        node.link();
        node
    }

    #[inline(always)]
    fn load(
        anchor: &RootList<Gc>,
        _: &(),
        root: &Pin<&StackRoot<'_, Gc>>,
    ) -> Result<Gc, RootError> {
        check(anchor, root.list())?;
        Ok(root.load())
    }

    #[inline(always)]
    unsafe fn store(
        anchor: &RootList<Gc>,
        _: &(),
        root: &Pin<&StackRoot<'_, Gc>>,
        gc: Gc,
    ) -> Result<(), RootError> {
        check(anchor, root.list())?;
        root.store(gc);
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
