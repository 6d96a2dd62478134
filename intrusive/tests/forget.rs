//! `mem::forget` of roots: a leak, never a dangling node.
//!
//! These tests leak on purpose, so miri runs this file with
//! `-Zmiri-ignore-leaks` (see `.ci/run`); every other test file keeps miri's
//! leak check.

mod common;

use common::{YieldOnce, poll, traced};

use gcroots_intrusive::{PersistentRoot, PooledRoot, RootList, stack_root};

async fn body(list: &RootList<usize>, base: usize) -> usize {
    stack_root!(list, let a = base);
    YieldOnce(false).await;
    a.load()
}

#[test]
fn forgotten_persistent_root_stays_linked_in_valid_memory() {
    let list = RootList::new();
    let p = PersistentRoot::boxed(&list, 7);
    std::mem::forget(p);
    assert_eq!(traced(&list), [7]);
    // SAFETY: the closure only rewrites values.
    unsafe { list.trace(|v| *v = 8) };
    assert_eq!(traced(&list), [8]);
    // The list can now be dropped: it unlinks the leaked node, whose memory
    // (a leaked box) is still valid.
    drop(list);
}

#[test]
fn forgotten_future_with_stack_roots_is_a_leak_not_a_dangling_node() {
    let list = RootList::new();
    let mut f = Box::pin(body(&list, 5));
    assert!(poll(f.as_mut()).is_pending());
    std::mem::forget(f);
    {
        stack_root!(&list, let later = 9);
        assert_eq!(traced(&list), [5, 9]);
        assert_eq!(later.load(), 9);
    } // `later` was younger than the leaked root: LIFO fast path
    assert_eq!(
        list.stack_len(),
        1,
        "the forgotten future's root stays linked"
    );
    {
        stack_root!(&list, let later = 10);
        assert_eq!(later.load(), 10);
    }
    // Dropping the list with the leaked node still linked is fine: nothing
    // walks a chain whose head is gone.
    drop(list);
}

#[test]
fn forgotten_pooled_root_keeps_its_slot_until_the_list_goes() {
    let list = RootList::new();
    let p = PooledRoot::new(&list, 3);
    std::mem::forget(p);
    assert_eq!(list.pooled_len(), 1);
    let q = PooledRoot::new(&list, 4);
    assert_eq!(traced(&list), [3, 4]);
    drop(q);
    assert_eq!(traced(&list), [3]);
    // Dropping the list frees the pool's chunks, the forgotten slot's with
    // them: its handle is gone and can never reach it.
    drop(list);
}
