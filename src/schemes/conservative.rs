//! The conservative scheme's bindings: stack roots are not registered at
//! all. `root!` stores the value in a slot of the current frame; every
//! collection reads the thread's stack ([`stack`](crate::stack)) and keeps,
//! in place, every object a word of it points into. What is not on the
//! stack is rooted precisely in a [`RootTable`], as the indexed scheme
//! roots it: long-lived roots and vectors, scoped vectors, and a `root!`
//! whose slot is not on the stack (a `Box`, a boxed future).

use core::cell::Cell;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;

use gcroots_indexed::{
    Mark, OwnedRoot, OwnedVec, RootTable, ScopedRoot, ScopedVec, TableId, VecRef,
};

use super::table;
use crate::error::RootError;
use crate::object::Gc;
use crate::scheme::sealed::{Anchor, Bindings};
use crate::scheme::{RootSetMut, RootSetRef, Scheme};

/// Conservative stack roots (JavaScriptCore, Boehm, Whippet, V8's Oilpan)
/// with precise long-lived roots.
///
/// A [`Local`](crate::Local) made by [`root!`](crate::root) is the value
/// itself, kept in a slot of the frame that made it: rooting is a store,
/// reading a load, and dropping nothing. A collection scans the current
/// thread's stack and its callee-saved registers; every word that points
/// into an object (its header, a field, its data) keeps that object alive
/// and *pins* it for that collection, since the word cannot be rewritten.
/// Every other object may still move. So the heap must be able to pin
/// where it finds: [`Heap::new`](crate::Heap::new) accepts the
/// mark-region mode without a nursery only.
///
/// A slot that is not on the thread's stack (inside a `Box`, a boxed
/// future) would not be scanned: `root!` sees that and roots the value
/// precisely in the heap's table instead, as the indexed scheme would,
/// until the innermost [`Scope`](crate::Scope) exits. A
/// [`Persistent`](crate::Persistent) is an owned root, as under
/// [`Indexed`](crate::Indexed): 16 bytes, `Clone + Send + Sync`. The heap
/// and its stack roots are `!Send`: the stack scanned is the one of the
/// thread that collects.
///
/// Not under miri (there is no native stack there to read): the type does
/// not exist when `cfg(miri)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conservative {}

impl Scheme for Conservative {
    const NAME: &'static str = "conservative";
}

/// What the conservative scheme keeps outside the heap: nothing, but it
/// ties the heap to one thread (`!Send`, `!Sync`), whose stack it scans.
#[derive(Default, Debug)]
pub struct StackAnchor(PhantomData<*const ()>);

impl Anchor for StackAnchor {
    fn claim(&self) -> bool {
        // Each heap scans the stack for its own objects: one `Roots` may
        // serve any number of heaps.
        true
    }

    #[inline(always)]
    fn same(&self, _other: &Self) -> bool {
        // A stack root belongs to no heap until it is read, and a read
        // through another heap finds no object of it: checked then.
        true
    }
}

/// The slot `root!` declares: the value, where the stack scan reads it,
/// and the table of the heap it belongs to, which every use checks.
#[derive(Default, Debug)]
pub struct StackSlot {
    gc: Cell<Option<Gc>>,
    table: Cell<Option<TableId>>,
}

/// A stack root: the slot on the stack holding the value, or, for a slot
/// that is not on the stack, a scoped root of the table.
#[derive(Clone, Copy, Debug)]
pub enum ConservativeLocal {
    /// The value is in this slot, on the stack; the scan finds it there.
    Stack(NonNull<StackSlot>),
    /// The slot was not on the stack: rooted precisely.
    Table(ScopedRoot),
}

type Set<'h, 'r> = RootSetRef<'h, 'r, Conservative>;

impl Bindings for Conservative {
    type Anchor = StackAnchor;
    type Table = RootTable<Gc>;
    type SlotRepr<'r> = StackSlot;
    type LocalRepr = ConservativeLocal;
    type PersistentRepr<'r> = OwnedRoot;
    type VecSlotRepr<'r> = ();
    type LocalVecRepr = ScopedVec;
    type PersistentVecRepr<'r> = OwnedVec;
    type VecRef<'a> = VecRef<'a>;
    type Mark = Mark;

    const CONSERVATIVE: bool = true;

    fn new_table() -> RootTable<Gc> {
        RootTable::new()
    }

    #[inline(always)]
    unsafe fn root<'s, 'r: 's>(
        set: Set<'_, 'r>,
        slot: Pin<&'s mut StackSlot>,
        gc: Gc,
    ) -> ConservativeLocal {
        // `StackSlot` is `Unpin`; the pin only says where `root!` put it.
        let slot = NonNull::from(slot.get_mut());
        if !crate::stack::is_on_stack(slot.as_ptr().addr()) {
            return ConservativeLocal::Table(set.table.root(gc));
        }
        // SAFETY: the slot is borrowed for `'s`, as long as the result may
        // be used (the trait's contract), and only through shared cells.
        let s = unsafe { slot.as_ref() };
        s.gc.set(Some(gc));
        s.table.set(Some(set.table.id()));
        // The slot's address escapes: the compiler must now assume any
        // call it cannot see through (the collector's stack scan) reads
        // it, so the value is in memory, on the stack, at every collection.
        core::hint::black_box(slot);
        ConservativeLocal::Stack(slot)
    }

    #[inline(always)]
    unsafe fn load(set: Set<'_, '_>, root: &ConservativeLocal) -> Result<Gc, RootError> {
        match *root {
            ConservativeLocal::Stack(slot) => {
                // SAFETY: the slot is still borrowed (our caller's promise).
                let slot = unsafe { slot.as_ref() };
                match slot.gc.get() {
                    Some(gc) if slot.table.get() == Some(set.table.id()) => Ok(gc),
                    _ => Err(RootError::WrongHeap),
                }
            }
            ConservativeLocal::Table(r) => Ok(set.table.get(r)?),
        }
    }

    #[inline(always)]
    unsafe fn store(set: Set<'_, '_>, root: &ConservativeLocal, gc: Gc) -> Result<(), RootError> {
        match *root {
            ConservativeLocal::Stack(slot) => {
                // SAFETY: as in `load`.
                let slot = unsafe { slot.as_ref() };
                if slot.table.get() != Some(set.table.id()) {
                    return Err(RootError::WrongHeap);
                }
                slot.gc.set(Some(gc));
                Ok(())
            }
            ConservativeLocal::Table(r) => Ok(set.table.set(r, gc)?),
        }
    }

    #[inline(always)]
    unsafe fn persist(set: Set<'_, '_>, gc: Gc) -> OwnedRoot {
        table::persist(set.table, gc)
    }

    #[inline(always)]
    fn load_persistent(set: Set<'_, '_>, root: &OwnedRoot) -> Result<Gc, RootError> {
        table::load_persistent(set.table, root)
    }

    #[inline(always)]
    unsafe fn store_persistent(
        set: Set<'_, '_>,
        root: &OwnedRoot,
        gc: Gc,
    ) -> Result<(), RootError> {
        table::store_persistent(set.table, root, gc)
    }

    fn release(set: Set<'_, '_>, root: OwnedRoot) -> Result<(), RootError> {
        table::release(set.table, root)
    }

    #[inline]
    fn root_vec<'s, 'r: 's>(set: Set<'_, 'r>, _: Pin<&'s mut ()>) -> ScopedVec {
        table::root_vec(set.table)
    }

    fn persist_vec(set: Set<'_, '_>) -> OwnedVec {
        table::persist_vec(set.table)
    }

    #[inline(always)]
    unsafe fn local_vec(root: &ScopedVec) -> VecRef<'_> {
        VecRef::Scoped(*root)
    }

    #[inline(always)]
    fn persistent_vec<'a>(root: &'a OwnedVec) -> VecRef<'a> {
        VecRef::Owned(root)
    }

    fn vec_len(set: Set<'_, '_>, v: VecRef<'_>) -> Result<usize, RootError> {
        table::vec_len(set.table, v)
    }

    fn vec_get(set: Set<'_, '_>, v: VecRef<'_>, i: usize) -> Result<Option<Gc>, RootError> {
        table::vec_get(set.table, v, i)
    }

    unsafe fn vec_set(
        set: Set<'_, '_>,
        v: VecRef<'_>,
        i: usize,
        gc: Gc,
    ) -> Result<bool, RootError> {
        table::vec_set(set.table, v, i, gc)
    }

    unsafe fn vec_push(set: Set<'_, '_>, v: VecRef<'_>, gc: Gc) -> Result<(), RootError> {
        table::vec_push(set.table, v, gc)
    }

    fn vec_pop(set: Set<'_, '_>, v: VecRef<'_>) -> Result<Option<Gc>, RootError> {
        table::vec_pop(set.table, v)
    }

    fn vec_clear(set: Set<'_, '_>, v: VecRef<'_>) -> Result<(), RootError> {
        table::vec_clear(set.table, v)
    }

    #[inline(always)]
    fn enter(set: Set<'_, '_>) -> Mark {
        table::enter(set.table)
    }

    #[inline(always)]
    fn exit(set: Set<'_, '_>, mark: Mark) {
        table::exit(set.table, mark)
    }

    #[inline]
    unsafe fn trace(set: RootSetMut<'_, '_, Self>, f: impl FnMut(&mut Gc)) {
        // The stack's roots are found by the heap's scan, not here.
        table::trace(set.table, f)
    }

    fn count(set: Set<'_, '_>) -> usize {
        set.table.len()
    }
}
