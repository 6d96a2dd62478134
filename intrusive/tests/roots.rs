//! The intrusive crate on its own: linking, tracing, and every way safe
//! code can end a root's life (out of order, forgotten, unwound, the list
//! going first). Run under miri with Stacked and Tree Borrows.

mod common;

use std::panic::{self, AssertUnwindSafe};
use std::pin::{Pin, pin};
use std::task::Poll;

use common::{poll, traced, two_roots_across_awaits};

use gcroots_intrusive::{PersistentRoot, RootList, StackRoot, stack_root};
use static_assertions::{assert_eq_size, assert_not_impl_any};

assert_not_impl_any!(StackRoot<'static, usize>: Send, Sync, Unpin);
assert_not_impl_any!(PersistentRoot<'static, usize>: Send, Sync, Unpin);
assert_not_impl_any!(RootList<usize>: Send, Sync);
assert_eq_size!(StackRoot<'static, usize>, [usize; 3]);
assert_eq_size!(Option<StackRoot<'static, usize>>, [usize; 3]);
assert_eq_size!(PersistentRoot<'static, usize>, [usize; 4]);
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
fn stack_roots_dropped_out_of_order_take_the_slow_path() {
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
