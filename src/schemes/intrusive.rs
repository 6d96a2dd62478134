//! The intrusive scheme's bindings: stack roots and scoped vectors pinned
//! in the frame of the code that made them, long-lived roots in the pool of
//! a [`RootList`] that the user owns (in [`Roots`](crate::Roots)) and the
//! heap borrows. The heap's table is empty.
//!
//! The operations on each kind of root are functions of the list
//! ([`list`](super::list)), shared with the hybrid scheme.

use core::pin::Pin;

use gcroots_intrusive::{PooledRoot, RootList, StackRoot, VecRoot, WeakRoot};

use super::list;
use crate::error::RootError;
use crate::object::Gc;
use crate::scheme::sealed::Bindings;
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
    type WeakRepr<'r> = WeakRoot<'r, Gc>;
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
    unsafe fn weak<'r>(set: Set<'_, 'r>, gc: Gc) -> WeakRoot<'r, Gc> {
        WeakRoot::new(set.anchor, gc)
    }

    #[inline]
    fn load_weak(set: Set<'_, '_>, root: &WeakRoot<'_, Gc>) -> Result<Option<Gc>, RootError> {
        list::load_weak(set.anchor, root)
    }

    unsafe fn sweep_weak(set: RootSetMut<'_, '_, Self>, f: impl FnMut(&mut Option<Gc>)) {
        // SAFETY: forwarded from our caller's promise about `f`.
        unsafe { set.anchor.sweep_weak(f) }
    }

    fn weak_count(set: Set<'_, '_>) -> usize {
        set.anchor.weak_len()
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
