//! The intrusive crate on its own: linking, tracing, and every way safe
//! code can end a root's life (out of order, forgotten, unwound, the list
//! going first). Run under miri with Stacked and Tree Borrows.

mod common;

use std::panic::{self, AssertUnwindSafe};
use std::pin::{Pin, pin};
use std::task::Poll;

use common::{poll, traced, two_roots_across_awaits};

use gcroots_intrusive::{
    PersistentRoot, PooledRoot, RootList, StackRoot, VecRoot, WeakRoot, stack_root, vec_root,
};
use static_assertions::{assert_eq_size, assert_not_impl_any};

assert_not_impl_any!(WeakRoot<'static, usize>: Send, Sync);
assert_eq_size!(WeakRoot<'static, usize>, [usize; 2]);

assert_not_impl_any!(StackRoot<'static, usize>: Send, Sync, Unpin);
assert_not_impl_any!(PersistentRoot<'static, usize>: Send, Sync, Unpin);
assert_not_impl_any!(RootList<usize>: Send, Sync);
assert_not_impl_any!(PooledRoot<'static, usize>: Send, Sync);
assert_not_impl_any!(VecRoot<'static, usize>: Send, Sync, Unpin);
assert_eq_size!(StackRoot<'static, usize>, [usize; 4]);
assert_eq_size!(Option<StackRoot<'static, usize>>, [usize; 4]);
assert_eq_size!(PersistentRoot<'static, usize>, [usize; 4]);
assert_eq_size!(VecRoot<'static, usize>, [usize; 6]);
assert_eq_size!(PooledRoot<'static, usize>, [usize; 2]);
assert_eq_size!(Pin<&StackRoot<'static, usize>>, usize);

#[test]
fn lifo_stack_roots_link_and_unlink() {
    let list = RootList::new();
    stack_root!(&list, let a = 1);
    {
        stack_root!(&list, let b = 2);
        stack_root!(&list, let c = 3);
        assert_eq!(traced(&list), [1, 2, 3]);
        assert_eq!((b.load(), c.load()), (2, 3));
    }
    assert_eq!(traced(&list), [1]);
    assert_eq!(a.load(), 1);
}

#[test]
fn trace_rewrites_every_root_in_place() {
    let list = RootList::new();
    let p = PersistentRoot::boxed(&list, 10);
    stack_root!(&list, let s = 20);
    // SAFETY: the closure only rewrites values.
    unsafe { list.trace(|v| *v += 1) };
    assert_eq!((p.load(), s.load()), (11, 21));
    s.store(30);
    p.store(40);
    assert_eq!(traced(&list), [30, 40]);
}

#[test]
fn stack_roots_dropped_in_any_order_unlink_themselves() {
    let list = RootList::new();
    let roots: Vec<Pin<Box<StackRoot<'_, usize>>>> = (0..6)
        .map(|i| {
            let r = Box::pin(StackRoot::new(&list, i));
            r.as_ref().link();
            r
        })
        .collect();
    // Drop the oldest, a middle one, the newest, then the rest in FIFO order.
    let mut roots: Vec<Option<_>> = roots.into_iter().map(Some).collect();
    for i in [0, 3, 5, 1, 2, 4] {
        roots[i] = None;
        let left: Vec<usize> = (0..6).filter(|j| roots[*j].is_some()).collect();
        assert_eq!(traced(&list), left);
    }
    assert!(list.is_empty());
}

fn interleaved_futures(drop_first_started_first: bool) {
    let list = RootList::new();
    {
        let mut f1 = Box::pin(two_roots_across_awaits(&list, 100));
        let mut f2 = Box::pin(two_roots_across_awaits(&list, 200));
        // Alternate: f1 roots 100, f2 roots 200, f1 roots 101, f2 roots 201.
        assert!(poll(f1.as_mut()).is_pending());
        assert!(poll(f2.as_mut()).is_pending());
        assert!(poll(f1.as_mut()).is_pending());
        assert!(poll(f2.as_mut()).is_pending());
        assert_eq!(traced(&list), [100, 101, 200, 201]);
        // The chain is now 201 -> 101 -> 200 -> 100: dropping either future
        // unlinks roots that are not at the head.
        if drop_first_started_first {
            drop(f1);
            assert_eq!(traced(&list), [200, 201]);
            assert_eq!(poll(f2.as_mut()), Poll::Ready(401));
        } else {
            drop(f2);
            assert_eq!(traced(&list), [100, 101]);
            assert_eq!(poll(f1.as_mut()), Poll::Ready(201));
        }
    }
    assert!(list.is_empty());
}

#[test]
fn interleaved_futures_dropped_in_start_order() {
    interleaved_futures(true);
}

#[test]
fn interleaved_futures_dropped_in_reverse_start_order() {
    interleaved_futures(false);
}

#[test]
fn a_panic_unwinding_through_rooted_frames_unlinks_them() {
    fn deep(list: &RootList<usize>, n: usize) {
        stack_root!(list, let _r = n);
        if n == 0 {
            panic!("boom");
        }
        deep(list, n - 1);
    }
    let list = RootList::new();
    stack_root!(&list, let outer = 1000);
    let err = panic::catch_unwind(AssertUnwindSafe(|| deep(&list, 20)));
    assert!(err.is_err());
    assert_eq!(traced(&list), [1000]);
    // The list keeps working.
    stack_root!(&list, let after = 2000);
    assert_eq!(traced(&list), [1000, 2000]);
    assert_eq!(outer.load() + after.load(), 3000);
}

#[test]
fn persistent_roots_unlink_in_any_order() {
    let list = RootList::new();
    let mut roots: Vec<Option<Pin<Box<PersistentRoot<'_, usize>>>>> = (0..50)
        .map(|i| Some(PersistentRoot::boxed(&list, i)))
        .collect();
    for k in 0..50 {
        let i = (k * 17) % 50; // 17 is a unit modulo 50: a permutation
        roots[i] = None;
        assert_eq!(list.persistent_len(), 49 - k);
    }
    assert!(list.is_empty());
}

#[test]
fn persistent_root_pinned_in_an_embedders_struct() {
    #[pin_project::pin_project]
    struct Host<'r> {
        name: &'static str,
        #[pin]
        global: PersistentRoot<'r, usize>,
    }

    let list = RootList::new();
    let host = Box::pin(Host {
        name: "host",
        global: PersistentRoot::new(&list, 42),
    });
    assert!(list.is_empty(), "not linked until pinned and linked");
    host.as_ref().project_ref().global.link();
    assert_eq!(traced(&list), [42]);
    // SAFETY: the closure only rewrites values.
    unsafe { list.trace(|v| *v += 1) };
    assert_eq!(host.global.load(), 43);
    assert_eq!(host.name, "host");
    host.as_ref().project_ref().global.unlink();
    assert!(list.is_empty());
    host.as_ref().project_ref().global.link();
    drop(host);
    assert!(list.is_empty());
}

#[test]
fn linking_twice_panics_before_touching_the_list() {
    let list = RootList::new();
    stack_root!(&list, let a = 1);
    let again = panic::catch_unwind(AssertUnwindSafe(|| a.link()));
    assert!(again.is_err());
    assert_eq!(list.stack_len(), 1);
    let p = PersistentRoot::boxed(&list, 2);
    assert!(panic::catch_unwind(AssertUnwindSafe(|| p.as_ref().link())).is_err());
    assert_eq!(list.persistent_len(), 1);
}

#[test]
fn pin_set_on_the_creators_own_pin_unlinks_the_old_root() {
    // The creator of a pinned root holds `Pin<&mut StackRoot>`; `Pin::set`
    // drops the old node (unlinking it) before writing the new, unlinked
    // one. `stack_root!` never hands that `Pin<&mut>` out.
    let list = RootList::new();
    let mut node = pin!(StackRoot::new(&list, 1));
    node.as_ref().link();
    node.set(StackRoot::new(&list, 2));
    assert!(list.is_empty());
    node.as_ref().link();
    assert_eq!(traced(&list), [2]);
}

#[test]
fn a_list_is_claimed_once() {
    let list = RootList::<usize>::new();
    assert!(!list.is_claimed());
    assert!(list.claim());
    assert!(!list.claim());
    assert!(list.is_claimed());
}

#[test]
fn many_roots_in_one_list() {
    fn nest(list: &RootList<usize>, n: usize, total: &mut usize) {
        if n == 0 {
            *total = traced(list).len();
            return;
        }
        stack_root!(list, let _r = n);
        nest(list, n - 1, total);
    }
    let n = if cfg!(miri) { 300 } else { 20_000 };
    let list = RootList::new();
    let persistent: Vec<_> = (0..n).map(|i| PersistentRoot::boxed(&list, i)).collect();
    let mut total = 0;
    nest(&list, n.min(2_000), &mut total);
    assert_eq!(total, n + n.min(2_000));
    drop(persistent);
    assert!(list.is_empty());
}

/// Dropping a `Vec` of boxed roots drops them oldest first: the order a
/// singly linked chain handled in quadratic time. Every root must leave,
/// and the chain must stay whole after each drop.
#[test]
fn many_stack_roots_dropped_oldest_first() {
    let n = if cfg!(miri) { 200 } else { 20_000 };
    let list = RootList::new();
    let roots: Vec<Pin<Box<StackRoot<'_, usize>>>> = (0..n)
        .map(|i| {
            let r = Box::pin(StackRoot::new(&list, i));
            r.as_ref().link();
            r
        })
        .collect();
    assert_eq!(list.stack_len(), n);
    let mut roots = roots.into_iter();
    for k in 0..n {
        drop(roots.next());
        if k % (n / 10) == 0 {
            assert_eq!(traced(&list), (k + 1..n).collect::<Vec<_>>());
        }
    }
    assert!(list.is_empty());
}

#[test]
fn pooled_roots_take_and_give_back_slots_in_any_order() {
    let n = if cfg!(miri) { 150 } else { 1_000 };
    let list = RootList::new();
    let mut roots: Vec<Option<PooledRoot<'_, usize>>> =
        (0..n).map(|i| Some(PooledRoot::new(&list, i))).collect();
    assert_eq!(list.pooled_len(), n);
    // SAFETY: the closure only rewrites values.
    unsafe { list.trace(|v| *v += 1) };
    assert!(
        roots
            .iter()
            .enumerate()
            .all(|(i, r)| r.as_ref().unwrap().load() == i + 1)
    );
    // Give back every third, then refill: freed slots are reused.
    for r in roots.iter_mut().step_by(3) {
        *r = None;
    }
    let left = list.pooled_len();
    assert_eq!(left, n - n.div_ceil(3));
    let again: Vec<_> = (0..n.div_ceil(3))
        .map(|i| PooledRoot::new(&list, 10_000 + i))
        .collect();
    assert_eq!(list.pooled_len(), n);
    let mut expected: Vec<usize> = (0..n).filter(|i| i % 3 != 0).map(|i| i + 1).collect();
    expected.extend((0..n.div_ceil(3)).map(|i| 10_000 + i));
    expected.sort();
    assert_eq!(traced(&list), expected);
    drop(again);
    drop(roots);
    assert!(list.is_empty());
}

/// The trace stops after the last occupied slot it counts: slots left
/// alone behind long runs of free ones, at the end of a chunk or of the
/// pool, must still be found, and only they. In a fresh pool root `i` takes
/// slot `i` (the free list hands out a new chunk front to back).
#[test]
fn a_trace_finds_occupied_slots_anywhere_in_the_pool() {
    let n = 3 * 64 + 5; // four chunks, the last one barely used
    for keep in [&[n - 1, 70][..], &[127], &[0, 63, 64, 191], &[5], &[]] {
        let list = RootList::new();
        let mut roots: Vec<Option<PooledRoot<'_, usize>>> =
            (0..n).map(|i| Some(PooledRoot::new(&list, i))).collect();
        assert_eq!(traced(&list), (0..n).collect::<Vec<_>>());
        for (i, r) in roots.iter_mut().enumerate() {
            if !keep.contains(&i) {
                *r = None;
            }
        }
        let mut expected = keep.to_vec();
        expected.sort();
        assert_eq!(traced(&list), expected);
        assert_eq!(list.pooled_len(), keep.len());
    }
}

#[test]
fn a_cloned_pooled_root_is_a_second_root() {
    let list = RootList::new();
    let a = PooledRoot::new(&list, 7);
    let b = a.clone();
    assert_eq!(list.pooled_len(), 2);
    b.store(8);
    assert_eq!((a.load(), b.load()), (7, 8));
    drop(a);
    assert_eq!(traced(&list), [8]);
}

#[test]
fn vector_roots_trace_every_element_and_count_once() {
    let list = RootList::new();
    vec_root!(&list, let v);
    for i in 0..100 {
        v.push(i);
    }
    assert_eq!((v.len(), list.len(), list.vec_len()), (100, 1, 1));
    // SAFETY: the closure only rewrites values.
    unsafe { list.trace(|x| *x *= 2) };
    assert_eq!(v.get(99), Some(198));
    assert!(v.set(0, 5));
    assert!(!v.set(100, 5), "out of range: nothing changes");
    assert_eq!(v.pop(), Some(198));
    v.truncate(10);
    assert_eq!(traced(&list), [2, 4, 5, 6, 8, 10, 12, 14, 16, 18]);
    v.clear();
    assert!(v.is_empty() && v.get(0).is_none());
    let boxed = VecRoot::boxed(&list);
    boxed.push(1);
    assert_eq!(list.vec_len(), 2);
    drop(boxed);
    assert_eq!(traced(&list), Vec::<usize>::new());
}

#[test]
fn roots_of_every_kind_in_one_list() {
    let list = RootList::new();
    stack_root!(&list, let s = 1);
    let p = PersistentRoot::boxed(&list, 2);
    let q = PooledRoot::new(&list, 3);
    vec_root!(&list, let v);
    v.push(4);
    v.push(5);
    assert_eq!(traced(&list), [1, 2, 3, 4, 5]);
    assert_eq!(list.len(), 4);
    drop((p, q));
    assert_eq!(traced(&list), [1, 4, 5]);
    assert_eq!(s.load(), 1);
}

#[test]
fn weak_roots_are_swept_not_traced_and_stay_cleared() {
    let list = RootList::new();
    let strong = PooledRoot::new(&list, 1);
    let a = WeakRoot::new(&list, 10);
    let b = WeakRoot::new(&list, 20);
    let c = b.clone();
    assert_eq!(
        (list.weak_len(), list.len()),
        (3, 1),
        "weak roots are not roots"
    );
    assert_eq!(traced(&list), [1], "the strong walk does not see them");
    // A sweep: 10 moves to 11, 20 dies.
    let mut seen = Vec::new();
    // SAFETY: the closure touches no root of `list`.
    unsafe {
        list.sweep_weak(|v| {
            seen.push(v.unwrap());
            *v = if *v == Some(10) { Some(11) } else { None };
        })
    };
    seen.sort();
    assert_eq!(seen, [10, 20, 20]);
    assert_eq!((a.load(), b.load(), c.load()), (Some(11), None, None));
    let mut seen = 0;
    // SAFETY: as above.
    unsafe { list.sweep_weak(|_| seen += 1) };
    assert_eq!(seen, 1, "a cleared weak root is never visited again");
    assert_eq!(b.clone().load(), None);
    drop((a, b, c));
    assert_eq!(list.weak_len(), 0);
    assert_eq!(strong.load(), 1);
}
