//! The indexed crate on its own: scopes, handles, manual roots, tracing,
//! and every misuse of a handle (another table, a stale scope), through the
//! public API. Run under miri with Stacked and Tree Borrows.

use gcroots_indexed::{
    HandleError, ManualRoot, OwnedRoot, OwnedVec, RootTable, ScopedRoot, ScopedVec, WeakRoot,
};
use static_assertions::{assert_eq_size, assert_impl_all, assert_not_impl_any};

assert_impl_all!(ScopedRoot: Send, Sync, Copy, Unpin);
assert_impl_all!(ManualRoot: Send, Sync, Unpin);
assert_impl_all!(OwnedRoot: Send, Sync, Unpin, Clone);
assert_not_impl_any!(OwnedRoot: Copy);
assert_impl_all!(ScopedVec: Send, Sync, Copy);
assert_impl_all!(OwnedVec: Send, Sync, Clone);
assert_eq_size!(OwnedRoot, [u64; 3]);
assert_eq_size!(OwnedVec, [u64; 3]);
assert_impl_all!(WeakRoot: Send, Sync, Clone);
assert_eq_size!(WeakRoot, [u64; 3]);
assert_eq_size!(ScopedVec, [u64; 2]);
assert_not_impl_any!(ManualRoot: Copy, Clone);
assert_eq_size!(ScopedRoot, [u64; 2]);
assert_eq_size!(Option<ScopedRoot>, [u64; 2]);
assert_eq_size!(ManualRoot, [u64; 2]);
assert_impl_all!(RootTable<usize>: Send);
assert_not_impl_any!(RootTable<usize>: Sync);

#[test]
fn nested_scopes_release_only_their_own_roots() {
    let t = RootTable::<u32>::new();
    let a = t.root(1);
    let m1 = t.enter();
    let b = t.root(2);
    let m2 = t.enter();
    let c = t.root(3);
    assert_eq!(t.scoped_len(), 3);
    t.exit(m2);
    assert!(t.get(c).is_err());
    assert_eq!(t.get(b), Ok(2));
    t.exit(m1);
    assert!(t.get(b).is_err());
    assert_eq!(t.get(a), Ok(1));
}

#[test]
fn out_of_order_exit_makes_handles_stale_never_wrong() {
    let t = RootTable::<u32>::new();
    let outer = t.enter();
    let inner = t.enter();
    let x = t.root(7);
    t.exit(outer); // the inner scope never got to exit first
    assert_eq!(
        t.get(x),
        Err(HandleError::Stale {
            index: x.index(),
            generation: x.generation()
        })
    );
    let y = t.root(8); // reuses slot 0 with a new generation
    assert_eq!(y.index(), x.index());
    assert!(
        t.get(x).is_err(),
        "the stale handle must not read the new root"
    );
    assert_eq!(t.get(y), Ok(8));
    t.exit(inner); // late: releases `y`, which was pushed above its mark
    assert!(matches!(t.get(y), Err(HandleError::Stale { .. })));
    assert!(t.is_empty());
}

#[test]
fn scope_guards_nest_and_deref_to_the_table() {
    let mut t = RootTable::<u32>::new();
    let a = t.root(1);
    let (b, c) = {
        let mut s = t.scope();
        let b = s.root(2);
        let c = {
            let s2 = s.scope();
            s2.root(3)
        };
        assert!(s.get(c).is_err());
        assert_eq!(s.get(b), Ok(2));
        (b, c)
    };
    assert!(t.get(b).is_err() && t.get(c).is_err());
    assert_eq!(t.get(a), Ok(1));
}

#[test]
fn set_writes_through_the_handle_and_rejects_stale_ones() {
    let mut t = RootTable::<u32>::new();
    let s = t.scope();
    let x = s.root(1);
    s.set(x, 2).unwrap();
    assert_eq!(s.get(x), Ok(2));
    drop(s);
    assert!(matches!(t.set(x, 3), Err(HandleError::Stale { .. })));
}

#[test]
fn handles_of_another_table_are_refused() {
    let a = RootTable::<u32>::new();
    let b = RootTable::<u32>::new();
    let x = a.root(1);
    let m = a.root_manual(2);
    assert_eq!(
        b.get(x),
        Err(HandleError::WrongTable {
            handle: a.id(),
            table: b.id()
        })
    );
    assert!(b.set(x, 5).is_err());
    assert!(b.get_manual(&m).is_err());
    // Unrooting with the wrong table drops the root: its slot in its own
    // table stays occupied, and counted.
    assert!(b.unroot(m).is_err());
    assert_eq!((a.manual_len(), b.manual_len()), (1, 0));
    assert_eq!(a.get(x), Ok(1));
    let o = a.root_owned(3);
    assert!(b.get_owned(&o).is_err());
    assert!(b.set_owned(&o, 4).is_err());
    // Releasing with the wrong table drops the root all the same; its own
    // table reclaims it.
    assert!(b.release(o).is_err());
    assert_eq!(a.owned_len(), 0);
    let v = a.root_vec();
    assert!(b.vec_push(&v, 1).is_err());
    assert!(b.vec_len(&v).is_err());
}

#[test]
fn error_messages_name_the_mistake() {
    let mut a = RootTable::<u32>::new();
    let b = RootTable::<u32>::new();
    let x = a.root(1);
    let msg = b.get(x).unwrap_err().to_string();
    assert!(msg.contains("another heap"), "{msg}");
    let x = {
        let s = a.scope();
        s.root(2)
    };
    let msg = a.get(x).unwrap_err().to_string();
    assert!(msg.contains("after its scope exited"), "{msg}");
}

#[test]
fn a_mark_of_another_table_is_refused_and_changes_nothing() {
    let a = RootTable::<u32>::new();
    let b = RootTable::<u32>::new();
    let mark = b.enter();
    let x = a.root(7);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a.exit(mark)))
        .expect_err("a foreign mark must panic");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.starts_with("RootTable::exit: the mark belongs to root table"),
        "{msg}"
    );
    assert_eq!(a.get(x), Ok(7), "nothing was released");
    b.exit(mark);
}

#[test]
fn manual_roots_in_random_order() {
    let t = RootTable::<u64>::new();
    let mut roots: Vec<_> = (0..200u64).map(|i| (i, t.root_manual(i))).collect();
    // a fixed permutation: multiply by a unit modulo a prime
    let mut order: Vec<usize> = (0..199).map(|i| (i * 73) % 199).collect();
    order.push(199);
    let mut taken: Vec<Option<(u64, ManualRoot)>> = roots.drain(..).map(Some).collect();
    for (n, &i) in order.iter().enumerate() {
        let (v, r) = taken[i].take().unwrap();
        assert_eq!(t.get_manual(&r), Ok(v));
        assert_eq!(t.unroot(r), Ok(v));
        assert_eq!(t.manual_len(), 199 - n);
    }
    assert!(t.is_empty());
}

#[test]
fn dropped_manual_roots_keep_their_slots_and_are_counted() {
    let t = RootTable::<u32>::new();
    let a = t.root_manual(1);
    let b = t.root_manual(2);
    drop(a);
    assert_eq!(t.manual_len(), 2, "a leaked slot stays occupied");
    t.unroot(b).unwrap();
    assert_eq!(t.manual_len(), 1);
    assert_eq!(t.len(), 1);
}

#[test]
fn trace_visits_scoped_and_manual_roots_once_each() {
    let mut t = RootTable::<u32>::new();
    let a = t.root(1);
    let m = t.root_manual(2);
    let b = t.root(3);
    let gone = t.root_manual(4);
    t.unroot(gone).unwrap();
    let mut seen = Vec::new();
    t.trace(|v| {
        seen.push(*v);
        *v *= 10;
    });
    seen.sort();
    assert_eq!(seen, [1, 2, 3]);
    assert_eq!((t.get(a), t.get(b)), (Ok(10), Ok(30)));
    assert_eq!(t.unroot(m), Ok(20));
}

#[test]
fn handles_move_between_threads() {
    let t = RootTable::<u32>::new();
    let x = t.root(5);
    let m = t.root_manual(6);
    let (x, m) = std::thread::spawn(move || (x, m)).join().unwrap();
    assert_eq!(t.get(x), Ok(5));
    assert_eq!(t.unroot(m), Ok(6));
}

#[test]
fn a_root_that_outlives_its_table_is_harmless() {
    let m = {
        let t = RootTable::<u32>::new();
        t.root_manual(1)
    };
    drop(m); // its table is gone: nothing to count, nothing to touch
}

#[test]
fn many_roots() {
    let n = if cfg!(miri) { 2_000 } else { 100_000 };
    let mut t = RootTable::<usize>::new();
    let s = t.enter();
    let roots: Vec<_> = (0..n).map(|i| t.root(i)).collect();
    t.trace(|v| *v += 1);
    for (i, r) in roots.iter().enumerate() {
        assert_eq!(t.get(*r), Ok(i + 1));
    }
    t.exit(s);
    assert!(t.is_empty());
}

#[test]
fn owned_roots_unroot_when_the_last_clone_is_dropped() {
    let mut t = RootTable::<u64>::new();
    let a = t.root_owned(1);
    let b = a.clone();
    assert_eq!(t.owned_len(), 1, "clones share one slot");
    t.set_owned(&b, 2).unwrap();
    assert_eq!(t.get_owned(&a), Ok(2));
    drop(a);
    assert_eq!(t.owned_len(), 1, "a clone is still alive");
    let mut seen = Vec::new();
    t.trace(|v| seen.push(*v));
    assert_eq!(seen, [2]);
    drop(b);
    assert_eq!(t.owned_len(), 0);
    seen.clear();
    t.trace(|v| seen.push(*v));
    assert!(seen.is_empty(), "a dropped root is never traced");
    assert!(t.is_empty());
}

#[test]
fn owned_roots_dropped_on_another_thread_unroot_too() {
    let mut t = RootTable::<u64>::new();
    let roots: Vec<OwnedRoot> = (0..10).map(|i| t.root_owned(i)).collect();
    let keep = t.root_owned(99);
    std::thread::spawn(move || drop(roots)).join().unwrap();
    assert_eq!(t.owned_len(), 1);
    t.trim();
    let again = t.root_owned(5);
    assert_eq!(t.get_owned(&again), Ok(5));
    assert_eq!(t.get_owned(&keep), Ok(99));
    assert_eq!(t.len(), 2);
}

#[test]
fn release_frees_the_slot_at_once_unless_a_clone_lives() {
    let t = RootTable::<u64>::new();
    let a = t.root_owned(1);
    let b = a.clone();
    t.release(a).unwrap();
    assert_eq!(t.get_owned(&b), Ok(1), "the clone still roots it");
    t.release(b).unwrap();
    assert_eq!(t.owned_len(), 0);
}

#[test]
fn churning_owned_roots_keeps_the_table_small() {
    let mut t = RootTable::<u64>::new();
    let keep: Vec<OwnedRoot> = (0..100).map(|i| t.root_owned(i)).collect();
    let n = if cfg!(miri) { 2_000 } else { 200_000 };
    for i in 0..n {
        let r = t.root_owned(i);
        assert_eq!(t.get_owned(&r), Ok(i));
    }
    let mut traced = 0;
    t.trace(|_| traced += 1);
    assert_eq!(traced, keep.len());
    assert_eq!(t.owned_len(), keep.len());
}

#[test]
fn scoped_vectors_end_with_their_scope() {
    let mut t = RootTable::<u32>::new();
    let outer = t.root_vec();
    t.vec_push(&outer, 1).unwrap();
    let inner = {
        let mut s = t.scope();
        let v = s.root_vec();
        for i in 0..10 {
            s.vec_push(&v, i).unwrap();
        }
        assert_eq!(s.vec_len(&v), Ok(10));
        assert_eq!(s.vec_get(&v, 3), Ok(Some(3)));
        assert_eq!(s.vec_set(&v, 3, 30), Ok(true));
        assert_eq!(s.vec_set(&v, 10, 0), Ok(false));
        assert_eq!(s.vec_pop(&v), Ok(Some(9)));
        let (mut seen, mut sum) = (0, 0);
        s.trace(|x| {
            sum += *x;
            seen += 1
        });
        assert_eq!((seen, sum), (10, 1 + (0..9).sum::<u32>() - 3 + 30));
        v
    };
    assert!(matches!(t.vec_len(&inner), Err(HandleError::Stale { .. })));
    assert_eq!(t.vec_get(&outer, 0), Ok(Some(1)));
    assert_eq!(t.scoped_vec_len(), 1);
    // A new vector in the released slot has a new generation.
    let again = t.root_vec();
    assert!(t.vec_len(&inner).is_err());
    assert_eq!(t.vec_len(&again), Ok(0), "a reused buffer starts empty");
}

#[test]
fn owned_vectors_live_until_dropped() {
    let mut t = RootTable::<u32>::new();
    let v = t.root_vec_owned();
    {
        let _s = t.scope();
    }
    t.vec_push(&v, 7).unwrap();
    let w = v.clone();
    assert_eq!(t.vec_pop(&w), Ok(Some(7)));
    t.vec_push(&w, 8).unwrap();
    t.vec_clear(&v).unwrap();
    assert_eq!(t.vec_len(&v), Ok(0));
    t.vec_push(&v, 9).unwrap();
    let mut seen = Vec::new();
    t.trace(|x| seen.push(*x));
    assert_eq!(seen, [9]);
    drop(v);
    t.release_vec(w).unwrap();
    assert!(t.is_empty());
}

#[test]
fn a_scope_guard_over_a_swapped_table_releases_nothing_and_does_not_panic() {
    let mut a = RootTable::<u32>::new();
    let mut b = RootTable::<u32>::new();
    let kept_in_b;
    {
        let mut scope = a.scope();
        let x = scope.root(1);
        std::mem::swap(&mut *scope, &mut b);
        // The guard now fronts the table that was `b`: its mark is `a`'s.
        kept_in_b = scope.root(2);
        assert!(scope.get(x).is_err());
    } // drop: a foreign mark, nothing released, no panic
    // The table that was `a` (now in `b`) keeps the root the scope could not
    // release; the one that was `b` (now in `a`) keeps its root too.
    assert_eq!(b.scoped_len(), 1);
    assert_eq!(a.get(kept_in_b), Ok(2));
}

#[test]
fn a_scope_guard_drops_cleanly_while_a_panic_unwinds() {
    let mut a = RootTable::<u32>::new();
    let mut b = RootTable::<u32>::new();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut scope = a.scope();
        scope.root(1);
        std::mem::swap(&mut *scope, &mut b);
        panic!("boom while a swapped scope is alive");
    }));
    assert!(outcome.is_err(), "the panic, not an abort");
    assert_eq!(b.scoped_len(), 1);
}

#[test]
fn try_exit_refuses_a_foreign_mark_and_releases_nothing() {
    let a = RootTable::<u32>::new();
    let b = RootTable::<u32>::new();
    let x = a.root(1);
    let mark = b.enter();
    assert_eq!(
        a.try_exit(mark),
        Err(HandleError::WrongTable {
            handle: b.id(),
            table: a.id()
        })
    );
    assert_eq!(a.get(x), Ok(1));
}

#[test]
fn weak_roots_are_swept_not_traced_and_stay_cleared() {
    let mut table = RootTable::<usize>::new();
    let strong = table.root_owned(1);
    let a = table.root_weak(10);
    let b = table.root_weak(20);
    let b2 = b.clone();
    assert_eq!(
        (table.weak_len(), table.len()),
        (2, 1),
        "clones share a slot; not roots"
    );
    let mut traced = Vec::new();
    table.trace(|v| traced.push(*v));
    assert_eq!(traced, [1], "the strong walk does not see them");
    table.sweep_weak(|v| *v = if *v == Some(10) { Some(11) } else { None });
    assert_eq!(table.get_weak(&a), Ok(Some(11)));
    assert_eq!(table.get_weak(&b2), Ok(None));
    let mut seen = 0;
    table.sweep_weak(|_| seen += 1);
    assert_eq!(seen, 1, "a cleared weak root is never visited again");
    // Another table's weak root is refused; a dropped one is no longer
    // counted (its slot is reclaimed when the slab is next full).
    let other = RootTable::<usize>::new();
    assert!(matches!(
        other.get_weak(&a),
        Err(HandleError::WrongTable { .. })
    ));
    drop((b, b2));
    table.sweep_weak(|_| {});
    assert_eq!(table.weak_len(), 1);
    let moved = std::thread::spawn(move || a).join().unwrap();
    assert_eq!(table.get_weak(&moved), Ok(Some(11)));
    assert_eq!(table.get_owned(&strong), Ok(1));
}
