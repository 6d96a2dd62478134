//! `mem::forget` of roots, under each scheme: a leak that the heap still
//! sees (the root stays alive and keeps its object), never a dangling root.
//!
//! These tests leak on purpose, so miri runs this file with
//! `-Zmiri-ignore-leaks` (see `.ci/run`); every other file keeps miri's
//! leak check.

mod common;

use common::{YieldOnce, poll};

use gcroots::{Heap, Roots, Scheme, Shape, root};

const CELL: Shape = Shape::new(1, 8);

common::suite!(
    forgotten_persistent_root_stays_alive,
    forgotten_future_keeps_its_roots,
    a_forgotten_weak_root_keeps_its_slot_not_its_object
);

/// A forgotten weak root keeps its slot (the heap counts it) but never its
/// object: it is a leak of a slot, not of the object.
fn a_forgotten_weak_root_keeps_its_slot_not_its_object<S: Scheme>() {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, common::zeal::<S>()).unwrap();
    let empty = {
        heap.collect();
        heap.used_bytes()
    };
    let p = heap.roots().persist(heap.alloc(CELL).unwrap());
    std::mem::forget(heap.weak(&p));
    drop(p);
    heap.collect();
    assert_eq!(heap.weak_count(), 1, "the slot is still held");
    assert_eq!(heap.root_count(), 0);
    common::check_used::<S>(heap.used_bytes(), empty, "the object is not kept");
    drop(heap);
    drop(roots);
}

/// A forgotten persistent root stays rooted: its object survives, the heap
/// counts the root as alive, and the heap and its `Roots` can still be
/// dropped (the intrusive list unlinks the leaked node, whose box is still
/// allocated).
fn forgotten_persistent_root_stays_alive<S: Scheme>() {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, common::zeal::<S>()).unwrap();
    let p = heap.roots().persist(heap.alloc(CELL).unwrap());
    heap.get(&p).write_u64(0, 5);
    std::mem::forget(p);
    heap.alloc(CELL).unwrap();
    heap.collect();
    assert_eq!(heap.root_count(), 1);
    common::check_used::<S>(heap.used_bytes(), 24, "the forgotten root keeps its object");
    drop(heap);
    drop(roots);
}

/// A future holding a root across an await, polled once and forgotten: its
/// pinned state (with the intrusive scheme's node in it) is leaked in place,
/// so the root stays linked in valid memory; the indexed scheme's scoped
/// root stays in the table. Later roots, collections and drops are fine.
fn forgotten_future_keeps_its_roots<S: Scheme>() {
    let roots = Roots::<S>::new();
    let heap = std::cell::RefCell::new(Heap::new(&roots, common::zeal::<S>()).unwrap());
    let mut fut = Box::pin(async {
        root!(heap.borrow(), let x = heap.borrow_mut().alloc(CELL).unwrap());
        YieldOnce(false).await;
        heap.borrow().get(&x).read_u64(0)
    });
    assert!(poll(fut.as_mut()).is_pending());
    std::mem::forget(fut);
    let mut h = heap.borrow_mut();
    {
        let mut scope = h.scope();
        root!(scope, let y = scope.alloc(CELL).unwrap());
        scope.collect();
        assert_eq!(scope.root_count(), 1 + common::stack_roots::<S>(1));
        scope.get(&y).write_u64(0, 1);
    }
    h.collect();
    common::check_used::<S>(
        h.used_bytes(),
        24,
        "the forgotten future's root keeps its object",
    );
}
