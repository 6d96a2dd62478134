//! Misuse that compiles, under each scheme: what happens is a clear error,
//! a counted leak, or correct behaviour, never undefined behaviour (miri
//! runs this file under Stacked and Tree Borrows). The README's misuse
//! matrix names these tests; what does not compile is in `tests/ui`.
//!
//! Written once, generic over the scheme, like the conformance suite; where
//! the schemes differ by design, each test asserts the outcome of each.

mod common;

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::task::Poll;

use common::{
    YieldOnce, check_used, has_a_root_list, needs_pinning, panic_message, poll,
    scoped_roots_outlive_their_block, stack_roots, zeal_of,
};

use gcroots::{Config, Heap, Root, RootError, Roots, Scheme, Shape, root};

const CELL: Shape = Shape::new(1, 8);

common::suite!(
    modes:
    root_with_another_heap_is_an_error,
    root_macro_with_a_value_of_another_heap,
    interleaved_futures_dropped_in_start_order,
    interleaved_futures_dropped_in_reverse_order,
    panic_unwinding_through_rooted_frames,
    forgotten_scope_releases_at_the_outer_scope,
    dropped_persistent_root_is_unrooted,
    roots_persist_with_a_value_of_another_heap,
    local_used_after_its_scope_was_dropped_in_the_same_block,
    roots_made_in_a_loop_without_a_scope,
    heap_dropped_while_roots_are_alive,
);

fn root_with_another_heap_is_an_error<S: Scheme>(config: Config) {
    let (ra, rb) = (Roots::<S>::new(), Roots::<S>::new());
    let mut a = Heap::new(&ra, config.clone()).unwrap();
    let b = Heap::new(&rb, config.clone()).unwrap();
    root!(a, let x = a.alloc(CELL).unwrap());
    assert_eq!(x.try_get(&b).unwrap_err(), RootError::WrongHeap);
    assert_eq!(
        panic_message(|| {
            b.get(&x);
        }),
        "gcroots: root used with a heap it does not belong to"
    );
}

/// `root!(a, let x = <a value of heap b>)`: the intrusive scheme would link
/// a pointer of `b` into `a`'s list, so it panics; the indexed scheme roots
/// the value in `b`'s table, and the handle says so.
fn root_macro_with_a_value_of_another_heap<S: Scheme>(config: Config) {
    let (ra, rb) = (Roots::<S>::new(), Roots::<S>::new());
    let a = Heap::new(&ra, config.clone()).unwrap();
    let mut b = Heap::new(&rb, config.clone()).unwrap();
    root!(b, let y = b.alloc(CELL).unwrap());
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        root!(a, let x = b.get(&y));
        (x.try_get(&a).err(), x.try_get(&b).is_ok())
    }));
    if !has_a_root_list::<S>() {
        assert_eq!(outcome.unwrap(), (Some(RootError::WrongHeap), true));
    } else {
        let err = outcome.unwrap_err();
        let msg = err.downcast_ref::<&str>().copied().unwrap_or_default();
        assert_eq!(
            msg,
            "root!: the value belongs to another heap than the one named"
        );
    }
}

/// Holds two roots across awaits, collecting in between, and returns what
/// they hold at the end.
async fn rooted_body<S: Scheme>(heap: &RefCell<Heap<'_, S>>, base: u64) -> u64 {
    // Each statement borrows the heap only for itself, as code that shares a
    // heap between futures must.
    root!(heap.borrow(), let a = heap.borrow_mut().alloc(CELL).unwrap());
    heap.borrow().get(&a).write_u64(0, base);
    YieldOnce(false).await;
    heap.borrow_mut().collect();
    root!(heap.borrow(), let b = heap.borrow_mut().alloc_with(CELL, &[a]).unwrap());
    heap.borrow().get(&b).write_u64(0, base + 1);
    YieldOnce(false).await;
    heap.borrow_mut().collect();
    let h = heap.borrow();
    let b = h.get(&b);
    b.read_u64(0) + b.field(0).unwrap().read_u64(0)
}

/// Two futures on one thread, each holding roots across awaits, polled
/// alternately by hand, then the one started first or second dropped while
/// the other still runs. The intrusive scheme's stack roots are then
/// dropped out of LIFO order (its slow path); the indexed scheme's scoped
/// roots live in the table until their scope (here: the heap) ends.
fn interleaved_futures<S: Scheme>(config: Config, drop_first: bool) {
    let roots = Roots::<S>::new();
    let heap = RefCell::new(Heap::new(&roots, zeal_of(&config)).unwrap());
    {
        let mut f1 = Box::pin(rooted_body(&heap, 100));
        let mut f2 = Box::pin(rooted_body(&heap, 200));
        assert!(poll(f1.as_mut()).is_pending());
        assert!(poll(f2.as_mut()).is_pending());
        assert!(poll(f1.as_mut()).is_pending());
        assert!(poll(f2.as_mut()).is_pending());
        assert_eq!(heap.borrow().root_count(), 4);
        if drop_first {
            drop(f1);
            assert_eq!(poll(f2.as_mut()), Poll::Ready(401));
        } else {
            drop(f2);
            assert_eq!(poll(f1.as_mut()), Poll::Ready(201));
        }
    }
    let mut heap = heap.into_inner();
    heap.collect();
    let left = heap.root_count();
    // The conservative scheme sees that a boxed future's slots are not on
    // the stack, and roots their values in the table, as scoped roots of
    // the indexed scheme.
    if scoped_roots_outlive_their_block::<S>() || needs_pinning::<S>() {
        assert_eq!(
            left, 4,
            "scoped roots outside any scope live until the heap ends"
        );
    } else {
        assert_eq!(left, 0, "every stack root unlinked itself");
        assert_eq!(heap.used_bytes(), 0);
    }
}

fn interleaved_futures_dropped_in_start_order<S: Scheme>(config: Config) {
    interleaved_futures::<S>(config, true);
}

fn interleaved_futures_dropped_in_reverse_order<S: Scheme>(config: Config) {
    interleaved_futures::<S>(config, false);
}

fn panic_unwinding_through_rooted_frames<S: Scheme>(config: Config) {
    fn deep<S: Scheme>(heap: &mut Heap<'_, S>, n: u64) {
        let mut scope = heap.scope();
        root!(scope, let r = scope.alloc(CELL).unwrap());
        scope.get(&r).write_u64(0, n);
        if n == 0 {
            scope.collect();
            panic!("boom at the bottom");
        }
        deep(&mut scope, n - 1);
    }
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, zeal_of(&config)).unwrap();
    root!(heap, let outer = heap.alloc(CELL).unwrap());
    heap.get(&outer).write_u64(0, 42);
    let msg = panic_message(|| deep(&mut heap, 30));
    assert_eq!(msg, "boom at the bottom");
    // Every frame's root is gone, the heap works, the outer root is intact.
    assert_eq!(heap.root_count(), stack_roots::<S>(1));
    heap.collect();
    check_used::<S>(heap.used_bytes(), 24, "the outer root's object");
    assert_eq!(heap.get(&outer).read_u64(0), 42);
    root!(heap, let after = heap.alloc(CELL).unwrap());
    assert!(!heap.same(&outer, &after));
}

/// `mem::forget` of a scope: nothing leaks. The indexed scheme's forgotten
/// scope never truncates, so its roots live until the enclosing scope
/// exits; the intrusive scheme's scope held nothing.
fn forgotten_scope_releases_at_the_outer_scope<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config.clone()).unwrap();
    {
        let mut outer = heap.scope();
        {
            let mut inner = outer.scope();
            root!(inner, let _x = inner.alloc(CELL).unwrap());
            std::mem::forget(inner);
            // `_x`'s slot ends with this block (intrusive); the indexed root
            // stays in the table.
        }
        let expected = if scoped_roots_outlive_their_block::<S>() {
            1
        } else {
            0
        };
        assert_eq!(outer.root_count(), expected);
    }
    assert_eq!(heap.root_count(), 0);
}

/// Dropping a long-lived root without releasing it unroots it, under every
/// scheme: the intrusive scheme gives its pool slot back at once; the
/// indexed scheme's owned root is reclaimed before the next collection.
fn dropped_persistent_root_is_unrooted<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config.clone()).unwrap();
    let set = heap.roots();
    let p = set.persist(heap.alloc(CELL).unwrap());
    assert_eq!(heap.root_count(), 1);
    drop(p);
    assert_eq!(heap.root_count(), 0);
    heap.collect();
    check_used::<S>(heap.used_bytes(), 0, "the dropped root's object");
}

/// `Roots::persist` with a value of another heap: the intrusive scheme would
/// put a pointer of heap `b` in `a`'s list, so it panics; the indexed
/// scheme's roots carry no list, and the root goes to the value's own heap,
/// which its handle names.
fn roots_persist_with_a_value_of_another_heap<S: Scheme>(config: Config) {
    let (ra, rb) = (Roots::<S>::new(), Roots::<S>::new());
    let a = Heap::new(&ra, config.clone()).unwrap();
    let mut b = Heap::new(&rb, config.clone()).unwrap();
    root!(b, let y = b.alloc(CELL).unwrap());
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        let p = ra.persist(b.get(&y));
        (p.try_get(&a).err(), p.try_get(&b).is_ok())
    }));
    if !has_a_root_list::<S>() {
        assert_eq!(outcome.unwrap(), (Some(RootError::WrongHeap), true));
    } else {
        let err = outcome.unwrap_err();
        let msg = err.downcast_ref::<&str>().copied().unwrap_or_default();
        assert_eq!(msg, "persist: the value belongs to another heap");
    }
}

/// A `Local` whose scope was dropped in the same block compiles under both
/// schemes (the `Local` borrows the block's slot, not the scope): the
/// intrusive root lives until the block ends; the indexed one ended with
/// the scope, and using it is a `Stale` error.
fn local_used_after_its_scope_was_dropped_in_the_same_block<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config.clone()).unwrap();
    let mut scope = heap.scope();
    root!(scope, let x = scope.alloc(CELL).unwrap());
    drop(scope);
    heap.collect();
    let outcome = x.try_get(&heap).map(|r| r.shape());
    if scoped_roots_outlive_their_block::<S>() {
        assert_eq!(outcome, Err(RootError::Stale));
        assert_eq!(
            panic_message(|| {
                heap.get(&x);
            }),
            "gcroots: scoped root used after its scope exited"
        );
    } else {
        assert_eq!(outcome, Ok(CELL));
    }
}

/// Rooting in a loop without a scope per iteration: the intrusive scheme
/// ends each root with its iteration; the indexed scheme keeps every one
/// until the enclosing scope exits (and, in a long enough loop, runs the
/// heap out of memory). `gcroots::audit` finds the loop.
fn roots_made_in_a_loop_without_a_scope<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config.clone()).unwrap();
    {
        let mut scope = heap.scope();
        for i in 0..100 {
            root!(scope, let x = scope.alloc(CELL).unwrap());
            scope.get(&x).write_u64(0, i);
        }
        let held = scope.root_count();
        assert_eq!(
            held,
            if scoped_roots_outlive_their_block::<S>() {
                100
            } else {
                0
            }
        );
    }
    assert_eq!(heap.root_count(), 0, "the scope's exit ends them all");
}

/// Dropping the heap while roots are alive compiles (roots do not borrow the
/// heap) and is harmless: a root can only be read through a heap, the
/// intrusive scheme's `Roots` refuse to serve a second heap, and the indexed
/// scheme's handles carry their table's id.
fn heap_dropped_while_roots_are_alive<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config.clone()).unwrap();
    root!(heap, let x = heap.alloc(CELL).unwrap());
    let p = heap.roots().persist(heap.alloc(CELL).unwrap());
    drop(heap);
    match Heap::new(&roots, config.clone()) {
        Err(e) => {
            assert!(has_a_root_list::<S>());
            assert_eq!(e, gcroots::HeapError::RootsInUse);
        }
        Ok(heap2) => {
            assert!(!has_a_root_list::<S>());
            assert_eq!(x.try_get(&heap2).unwrap_err(), RootError::WrongHeap);
            assert_eq!(p.try_get(&heap2).unwrap_err(), RootError::WrongHeap);
        }
    }
    drop(p); // unlinks from the list (intrusive); its table is gone (indexed)
}

/// What only the schemes whose long-lived roots are owned roots (indexed,
/// hybrid) can do: send a `Persistent` to another thread, clone one.
mod owned_persistent {
    use super::*;
    use gcroots::Persistent;

    /// A `Persistent` that is an owned root: dropping it on another thread
    /// unroots it as dropping it here does.
    pub(super) fn persistent_dropped_on_another_thread_unroots<S: Scheme>()
    where
        for<'r> Persistent<'r, S>: Send,
    {
        let roots = Roots::<S>::new();
        let mut heap = Heap::new(&roots, Config::default()).unwrap();
        let before = heap.root_count();
        let held: Vec<Persistent<'_, S>> = (0..10)
            .map(|_| heap.roots().persist(heap.alloc(CELL).unwrap()))
            .collect();
        assert_eq!(heap.root_count(), before + 10);
        std::thread::scope(|s| {
            s.spawn(move || drop(held));
        });
        assert_eq!(heap.root_count(), before);
        heap.collect();
        assert_eq!(heap.used_bytes(), 0);
    }

    /// A clone of a `Persistent` that is an owned root shares its root
    /// (Wasmtime's `OwnedRooted`): the object stays rooted until both are
    /// dropped, and a `set` through one is seen through the other.
    pub(super) fn a_cloned_persistent_shares_its_root<S: Scheme>()
    where
        for<'r> Persistent<'r, S>: Clone,
    {
        let roots = Roots::<S>::new();
        let mut heap = Heap::new(&roots, Config::default()).unwrap();
        let p = heap.roots().persist(heap.alloc(CELL).unwrap());
        let q = p.clone();
        assert_eq!(heap.root_count(), 1);
        root!(heap, let other = heap.alloc(CELL).unwrap());
        q.set(heap.get(&other));
        assert!(heap.same(&p, &other));
        drop(p);
        heap.collect();
        assert_eq!(heap.root_count(), 2, "`q` and `other`");
        assert!(heap.same(&q, &other));
    }
}

#[cfg(feature = "indexed")]
mod indexed_owned {
    #[test]
    fn persistent_dropped_on_another_thread_unroots() {
        super::owned_persistent::persistent_dropped_on_another_thread_unroots::<gcroots::Indexed>();
    }

    #[test]
    fn a_cloned_persistent_shares_its_root() {
        super::owned_persistent::a_cloned_persistent_shares_its_root::<gcroots::Indexed>();
    }
}

#[cfg(feature = "hybrid")]
mod hybrid_owned {
    #[test]
    fn persistent_dropped_on_another_thread_unroots() {
        super::owned_persistent::persistent_dropped_on_another_thread_unroots::<gcroots::Hybrid>();
    }

    #[test]
    fn a_cloned_persistent_shares_its_root() {
        super::owned_persistent::a_cloned_persistent_shares_its_root::<gcroots::Hybrid>();
    }
}

/// Misuse that only the indexed scheme can express: its roots are
/// `'static` and `Send`. Under the intrusive scheme the same programs do not
/// compile (`tests/ui/local_escapes_its_block.rs`,
/// `tests/ui/intrusive_root_to_thread.rs`).
#[cfg(feature = "indexed")]
mod indexed_only {
    use super::*;
    use gcroots::{Indexed, Local};

    #[test]
    fn use_after_scope_is_a_stale_root_error() {
        let roots = Roots::<Indexed>::new();
        let mut heap = Heap::new(&roots, Config::default()).unwrap();
        let escaped: Local<'static, Indexed> = {
            let mut scope = heap.scope();
            root!(scope, let x = scope.alloc(CELL).unwrap());
            x.detach()
        };
        root!(heap, let y = heap.alloc(CELL).unwrap()); // reuses the slot
        heap.collect();
        assert_eq!(escaped.try_get(&heap).unwrap_err(), RootError::Stale);
        assert_eq!(escaped.try_set(heap.get(&y)).unwrap_err(), RootError::Stale);
        let msg = panic_message(|| {
            heap.get(&escaped);
        });
        assert_eq!(msg, "gcroots: scoped root used after its scope exited");
        assert_eq!(heap.root_count(), 1, "the stale handle did not disturb `y`");
    }

    #[test]
    fn heap_and_handles_move_to_another_thread() {
        static ROOTS: std::sync::LazyLock<Roots<Indexed>> = std::sync::LazyLock::new(Roots::new);
        let mut heap = Heap::new(&ROOTS, Config::default()).unwrap();
        root!(heap, let x = heap.alloc(CELL).unwrap());
        let x = x.detach();
        let p = heap.roots().persist(heap.alloc(CELL).unwrap());
        heap.get(&p).write_u64(0, 9);
        heap.get(&x).write_u64(0, 8);
        let (heap, p) = std::thread::spawn(move || {
            let mut heap = heap;
            heap.collect();
            assert_eq!(heap.get(&p).read_u64(0) + heap.get(&x).read_u64(0), 17);
            (heap, p)
        })
        .join()
        .unwrap();
        assert_eq!(heap.get(&x).read_u64(0), 8);
        heap.release(p).unwrap();
    }

    #[test]
    fn a_handle_sent_to_a_thread_with_another_heap_is_refused() {
        let roots = Roots::<Indexed>::new();
        let mut heap = Heap::new(&roots, Config::default()).unwrap();
        root!(heap, let x = heap.alloc(CELL).unwrap());
        let x = x.detach();
        let err = std::thread::spawn(move || {
            let roots = Roots::<Indexed>::new();
            let other = Heap::new(&roots, Config::default()).unwrap();
            x.try_get(&other).unwrap_err()
        })
        .join()
        .unwrap();
        assert_eq!(err, RootError::WrongHeap);
    }
}
