//! The type-level trade-off, asserted: what each scheme's roots and heaps
//! are (`Send`, `Sync`, `Unpin`, `Copy`) and how big they are. These are
//! the figures the README's decision guide quotes.

#![allow(dead_code)]

use core::mem::size_of;

use gcroots::{
    FinalizationRegistry, Heap, Local, LocalVec, Persistent, PersistentVec, Ref, Weak, WeakMap,
};

// The heap's ephemeron tables and registries are the same under every
// scheme: a map is an owned handle, a registry a name.
assert_impl_all!(WeakMap: Send, Sync);
assert_not_impl_any!(WeakMap: Clone);
assert_impl_all!(FinalizationRegistry: Send, Sync, Copy);

/// What the rooting crates hold for gcroots: an object's address, a
/// `NonZeroUsize` (the heap's own type for it is not public).
type Gc = core::num::NonZeroUsize;
use static_assertions::{assert_eq_size, assert_impl_all, assert_not_impl_any};

#[cfg(feature = "intrusive")]
mod intrusive {
    use super::*;
    use gcroots::Intrusive;
    use gcroots_intrusive::{PersistentRoot, PooledRoot, RootList, StackRoot, VecRoot};

    // The nodes themselves: pinned, thread-bound.
    assert_not_impl_any!(StackRoot<'static, Gc>: Send, Sync, Unpin);
    assert_not_impl_any!(PersistentRoot<'static, Gc>: Send, Sync, Unpin);
    assert_not_impl_any!(VecRoot<'static, Gc>: Send, Sync, Unpin);
    assert_not_impl_any!(RootList<Gc>: Send, Sync);

    // What the user holds: a shared borrow of a pinned node, which can be
    // copied but not sent; and a pointer to a pool slot, which cannot be
    // sent either.
    assert_impl_all!(Local<'static, Intrusive>: Copy);
    assert_not_impl_any!(Local<'static, Intrusive>: Send, Sync);
    assert_not_impl_any!(Persistent<'static, Intrusive>: Send, Sync, Copy, Clone);
    assert_not_impl_any!(Weak<'static, Intrusive>: Send, Sync, Copy);
    assert_impl_all!(Weak<'static, Intrusive>: Clone);
    assert_eq_size!(Weak<'static, Intrusive>, [usize; 2]);
    assert_impl_all!(LocalVec<'static, Intrusive>: Copy);
    assert_not_impl_any!(LocalVec<'static, Intrusive>: Send, Sync);
    assert_not_impl_any!(PersistentVec<'static, Intrusive>: Send, Sync, Clone);
    assert_not_impl_any!(Heap<'static, Intrusive>: Send, Sync);

    assert_eq_size!(Local<'static, Intrusive>, usize);
    assert_eq_size!(LocalVec<'static, Intrusive>, usize);
    assert_eq_size!(Persistent<'static, Intrusive>, [usize; 2]);
    assert_eq_size!(PooledRoot<'static, Gc>, [usize; 2]);
    assert_eq_size!(StackRoot<'static, Gc>, [usize; 4]);
    assert_eq_size!(PersistentRoot<'static, Gc>, [usize; 4]);
    assert_eq_size!(VecRoot<'static, Gc>, [usize; 6]);

    #[test]
    fn sizes() {
        assert_eq!(size_of::<Local<'static, Intrusive>>(), 8);
        assert_eq!(size_of::<StackRoot<'static, Gc>>(), 32);
        assert_eq!(size_of::<Persistent<'static, Intrusive>>(), 16);
    }
}

#[cfg(feature = "indexed")]
mod indexed {
    use super::*;
    use gcroots::Indexed;
    use gcroots_indexed::{ManualRoot, OwnedRoot, RootTable, ScopedRoot};

    // Handles are plain indices (and a shared liveness flag): they travel
    // between threads.
    assert_impl_all!(Local<'static, Indexed>: Copy, Send, Sync, Unpin);
    assert_impl_all!(Persistent<'static, Indexed>: Send, Sync, Unpin, Clone);
    assert_impl_all!(Weak<'static, Indexed>: Send, Sync, Clone);
    assert_eq_size!(Weak<'static, Indexed>, [u64; 3]);
    assert_not_impl_any!(Persistent<'static, Indexed>: Copy);
    assert_impl_all!(LocalVec<'static, Indexed>: Copy, Send, Sync);
    assert_impl_all!(PersistentVec<'static, Indexed>: Send, Sync);
    assert_impl_all!(ScopedRoot: Copy, Send, Sync);
    assert_impl_all!(OwnedRoot: Clone, Send, Sync);
    assert_impl_all!(ManualRoot: Send, Sync);

    // The heap owns its table: it may move to another thread, but is never
    // shared (objects are written through `&Heap`).
    assert_impl_all!(Heap<'static, Indexed>: Send);
    assert_not_impl_any!(Heap<'static, Indexed>: Sync);
    assert_not_impl_any!(RootTable<Gc>: Sync);

    assert_eq_size!(Local<'static, Indexed>, [u64; 2]);
    assert_eq_size!(Persistent<'static, Indexed>, [u64; 3]);
    assert_eq_size!(LocalVec<'static, Indexed>, [u64; 2]);
    assert_eq_size!(PersistentVec<'static, Indexed>, [u64; 3]);

    #[test]
    fn sizes() {
        assert_eq!(size_of::<Local<'static, Indexed>>(), 16);
        assert_eq!(size_of::<Persistent<'static, Indexed>>(), 24);
    }
}

#[cfg(feature = "hybrid")]
mod hybrid {
    use super::*;
    use gcroots::Hybrid;

    // Stack roots as under the intrusive scheme, long-lived roots as under
    // the indexed one.
    assert_impl_all!(Local<'static, Hybrid>: Copy);
    assert_not_impl_any!(Local<'static, Hybrid>: Send, Sync);
    assert_impl_all!(Persistent<'static, Hybrid>: Send, Sync, Unpin, Clone);
    assert_impl_all!(Weak<'static, Hybrid>: Send, Sync, Clone);
    assert_eq_size!(Weak<'static, Hybrid>, [u64; 3]);
    assert_not_impl_any!(Persistent<'static, Hybrid>: Copy);
    assert_impl_all!(LocalVec<'static, Hybrid>: Copy);
    assert_not_impl_any!(LocalVec<'static, Hybrid>: Send, Sync);
    assert_impl_all!(PersistentVec<'static, Hybrid>: Send, Sync);
    // The heap borrows a root list that its stack roots point into.
    assert_not_impl_any!(Heap<'static, Hybrid>: Send, Sync);

    assert_eq_size!(Local<'static, Hybrid>, usize);
    assert_eq_size!(Persistent<'static, Hybrid>, [u64; 3]);

    #[test]
    fn sizes() {
        assert_eq!(size_of::<Local<'static, Hybrid>>(), 8);
        assert_eq!(size_of::<Persistent<'static, Hybrid>>(), 24);
    }
}

#[cfg(all(feature = "conservative", not(miri)))]
mod conservative {
    use super::*;
    use gcroots::Conservative;

    // A stack root is a pointer to its slot in a frame; long-lived roots
    // are the indexed scheme's owned roots.
    assert_impl_all!(Local<'static, Conservative>: Copy);
    assert_not_impl_any!(Local<'static, Conservative>: Send, Sync);
    assert_impl_all!(Persistent<'static, Conservative>: Send, Sync, Unpin, Clone);
    assert_impl_all!(Weak<'static, Conservative>: Send, Sync, Clone);
    assert_eq_size!(Weak<'static, Conservative>, [u64; 3]);
    assert_impl_all!(PersistentVec<'static, Conservative>: Send, Sync);
    // Its stack roots are on the stack of the thread that made the heap's
    // `Roots`, which every collection scans.
    assert_not_impl_any!(Heap<'static, Conservative>: Send, Sync);
    assert_not_impl_any!(gcroots::Roots<Conservative>: Send, Sync);

    assert_eq_size!(Local<'static, Conservative>, usize);
    assert_eq_size!(Persistent<'static, Conservative>, [u64; 3]);
}

// A pin is the same under every scheme: a heap id, a slot, and the slot's
// shared liveness flag; it may be dropped on any thread, and is not `Clone`
// (pin again for a second pin).
assert_eq_size!(gcroots::Pinned, [u64; 3]);
assert_impl_all!(gcroots::Pinned: Send, Sync);
assert_not_impl_any!(gcroots::Pinned: Clone, Copy);

// An unrooted reference is two words and never leaves its thread.
assert_eq_size!(Ref<'static, gcroots::Selected>, [usize; 2]);
assert_not_impl_any!(Ref<'static, gcroots::Selected>: Send, Sync);
assert_impl_all!(Ref<'static, gcroots::Selected>: Copy);

/// `Selected` is the first enabled of `Indexed`, `Intrusive`, `Hybrid`,
/// `Conservative` (CI runs this file under each feature alone and in
/// pairs).
#[test]
fn selected_is_the_first_enabled_of_indexed_intrusive_hybrid() {
    use gcroots::Scheme;
    let expected = if cfg!(feature = "indexed") {
        "indexed"
    } else if cfg!(feature = "intrusive") {
        "intrusive"
    } else if cfg!(feature = "hybrid") {
        "hybrid"
    } else {
        "conservative"
    };
    assert_eq!(gcroots::Selected::NAME, expected);
}

// A reference to a root is a root, and a reference to a vector root is a
// vector root; a `Vec` of roots fills an object's fields.
assert_impl_all!(&'static gcroots::Persistent<'static, gcroots::Selected>: gcroots::Root<gcroots::Selected>);
assert_impl_all!(&'static gcroots::PersistentVec<'static, gcroots::Selected>: gcroots::RootVec<gcroots::Selected>);
assert_impl_all!(&'static gcroots::LocalVec<'static, gcroots::Selected>: gcroots::RootVec<gcroots::Selected>);
assert_impl_all!(Vec<gcroots::Persistent<'static, gcroots::Selected>>: gcroots::Fields<gcroots::Selected>);
