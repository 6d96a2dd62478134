//! Weak roots, ephemeron tables and finalization: what every scheme must
//! do, in every heap mode, plain and in zeal mode (the `suite!`'s
//! `configs`), written once and generic over the scheme.
//!
//! Under the conservative scheme a dead object may be kept by a stale
//! word on the stack, so "cleared" and "queued" are upper bounds there
//! (`gone`); what must survive is checked exactly under every scheme.

mod common;

use common::{check_used, needs_pinning, panic_message};
use gcroots::{Config, Heap, Persistent, RootError, Roots, Scheme, Shape};

const CELL: Shape = Shape::new(1, 8);

/// `n` normally, fewer under miri or zeal.
fn size(config: &Config, n: usize) -> usize {
    match (cfg!(miri), config.stress) {
        (false, false) => n,
        (true, true) => (n / 16).max(3),
        _ => (n / 4).max(4),
    }
}

/// Whether a reference that should have been cleared was: always under a
/// precise scheme; under the conservative scheme the object may still be
/// kept by a stale stack word, so anything goes but the object must then
/// be intact.
#[track_caller]
fn gone<S: Scheme>(cleared: bool, what: &str) {
    if !needs_pinning::<S>() {
        assert!(cleared, "{what}: not cleared although its object died");
    }
}

/// A cell holding `value`, persisted.
fn cell<'r, S: Scheme>(heap: &mut Heap<'r, S>, value: u64) -> Persistent<'r, S> {
    let roots = heap.roots();
    let c = heap.alloc(CELL).unwrap();
    c.write_u64(0, value);
    roots.persist(c)
}

/// Allocates a cell holding `value` that nothing roots, and returns a weak
/// root of it. Never inlined, so that under the conservative scheme the
/// cell's address is in a frame that has returned.
#[inline(never)]
fn unrooted_weak<'r, S: Scheme>(heap: &mut Heap<'r, S>, value: u64) -> gcroots::Weak<'r, S> {
    let p = cell(heap, value);
    heap.weak(&p)
}

/// The bytes a heap holds after a full collection.
fn used_after_collect<S: Scheme>(heap: &mut Heap<'_, S>) -> usize {
    heap.collect();
    heap.used_bytes()
}

common::suite!(
    configs: a_weak_root_follows_its_object_and_is_cleared_once_it_dies,
    weak_roots_keep_nothing_alive,
    a_weak_root_of_an_object_a_field_keeps_survives,
    weak_roots_clone_and_drop,
    a_minor_collection_clears_weak_roots_of_dead_young_objects,
    ephemeron_values_live_while_their_keys_do,
    ephemeron_chains_resolve_to_a_fixpoint,
    an_ephemeron_value_that_reaches_its_own_key_does_not_keep_it,
    young_keys_and_values_in_an_old_table,
    weak_map_operations,
    a_dropped_weak_map_is_freed,
    finalizers_run_after_a_collection_in_registration_order,
    a_finalizer_may_allocate_and_collect,
    a_panicking_finalizer_leaves_the_rest_queued,
    unregister_ends_registrations_queued_or_not,
    a_weak_root_of_another_heap_is_refused,
    weak_structures_of_another_heap_are_refused,
    weak_roots_ephemerons_and_registrations_agree,
);

fn a_weak_root_follows_its_object_and_is_cleared_once_it_dies<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let strong = cell(&mut heap, 7);
    let weak = heap.weak(&strong);
    for round in 0..3 {
        // Garbage in between, so that the copying modes move the cell.
        for _ in 0..size(heap.config(), 20) {
            heap.alloc(CELL).unwrap();
        }
        heap.collect();
        let w = weak.upgrade(&heap).expect("kept by `strong`");
        assert_eq!(
            w,
            heap.get(&strong),
            "round {round}: the weak root followed"
        );
        assert_eq!(w.read_u64(0), 7);
    }
    drop(strong);
    heap.collect();
    let cleared = weak.upgrade(&heap).is_none();
    gone::<S>(cleared, "the weak root");
    if !cleared {
        assert_eq!(weak.upgrade(&heap).unwrap().read_u64(0), 7);
    }
    assert_eq!(heap.weak_count(), 1, "cleared, still held by its handle");
    drop(weak);
    heap.collect();
    assert_eq!(heap.weak_count(), 0);
    assert_eq!(heap.root_count(), 0, "weak roots are not roots");
}

fn weak_roots_keep_nothing_alive<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let empty = used_after_collect(&mut heap);
    let n = size(heap.config(), 200);
    let weaks: Vec<_> = (0..n as u64).map(|i| unrooted_weak(&mut heap, i)).collect();
    let used = used_after_collect(&mut heap);
    check_used::<S>(used, empty, "weakly referenced objects only");
    let cleared = weaks.iter().filter(|w| w.upgrade(&heap).is_none()).count();
    gone::<S>(cleared == n, "every weak root");
    assert_eq!(heap.stats().weak_roots_cleared, cleared as u64);
}

fn a_weak_root_of_an_object_a_field_keeps_survives<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let holder = cell(&mut heap, 1);
    let weak = {
        let held = cell(&mut heap, 2);
        heap.get(&holder).set_field(0, Some(heap.get(&held)));
        heap.weak(&held)
    };
    for _ in 0..3 {
        heap.alloc(CELL).unwrap();
        heap.collect();
        let w = weak.upgrade(&heap).expect("kept by `holder`'s field");
        assert_eq!(Some(w), heap.get(&holder).field(0));
        assert_eq!(w.read_u64(0), 2);
    }
    heap.get(&holder).set_field(0, None);
    heap.collect();
    gone::<S>(weak.upgrade(&heap).is_none(), "the weak root");
}

fn weak_roots_clone_and_drop<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let strong = cell(&mut heap, 3);
    let a = heap.weak(&strong);
    let b = a.clone();
    assert_eq!(
        heap.weak_count(),
        if S::NAME == "intrusive" { 2 } else { 1 }
    );
    heap.collect();
    assert_eq!(a.upgrade(&heap), b.upgrade(&heap));
    drop(a);
    heap.collect();
    assert_eq!(b.upgrade(&heap).unwrap().read_u64(0), 3);
    drop(strong);
    heap.collect();
    let cleared = b.upgrade(&heap).is_none();
    gone::<S>(cleared, "the clone");
    let c = b.clone();
    assert_eq!(
        c.upgrade(&heap).is_none(),
        cleared,
        "a clone of a cleared root is cleared"
    );
    drop((b, c));
    heap.collect();
    assert_eq!(heap.weak_count(), 0);
}

fn a_minor_collection_clears_weak_roots_of_dead_young_objects<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let old = cell(&mut heap, 1);
    heap.collect(); // `old` is mature now, in a generational heap
    let old_weak = heap.weak(&old);
    let young = cell(&mut heap, 2);
    let young_weak = heap.weak(&young);
    let dead_weak = unrooted_weak(&mut heap, 3);
    heap.collect_minor();
    assert_eq!(
        young_weak.upgrade(&heap).unwrap().read_u64(0),
        2,
        "promoted"
    );
    assert_eq!(young_weak.upgrade(&heap), Some(heap.get(&young)));
    assert_eq!(old_weak.upgrade(&heap), Some(heap.get(&old)));
    gone::<S>(
        dead_weak.upgrade(&heap).is_none(),
        "the dead young object's weak root",
    );
    // A mature object that dies is cleared by the next full collection.
    drop(old);
    heap.collect();
    gone::<S>(
        old_weak.upgrade(&heap).is_none(),
        "the dead mature object's weak root",
    );
}

fn ephemeron_values_live_while_their_keys_do<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let empty = used_after_collect(&mut heap);
    let map = heap.weak_map();
    let n = size(heap.config(), 64);
    let mut keys = Vec::new();
    for i in 0..n as u64 {
        let key = cell(&mut heap, i);
        let value = cell(&mut heap, 1000 + i);
        map.insert(heap.get(&key), heap.get(&value));
        keys.push(key);
        // `value` is dropped: only the entry keeps it.
    }
    for _ in 0..2 {
        heap.collect();
        assert_eq!(map.len(&heap), n);
        for (i, key) in keys.iter().enumerate() {
            let v = map.get(heap.get(key)).expect("the key is alive");
            assert_eq!(v.read_u64(0), 1000 + i as u64);
        }
    }
    // Drop every other key: their entries go, values and all.
    let kept: Vec<_> = keys.into_iter().step_by(2).collect();
    heap.collect();
    let removed = n - kept.len();
    if !needs_pinning::<S>() {
        assert_eq!(map.len(&heap), kept.len());
        assert_eq!(heap.stats().ephemerons_removed, removed as u64);
    }
    for key in &kept {
        let i = heap.get(key).read_u64(0);
        assert_eq!(map.get(heap.get(key)).unwrap().read_u64(0), 1000 + i);
    }
    drop(kept);
    let used = used_after_collect(&mut heap);
    check_used::<S>(used, empty, "a table whose keys all died");
    gone::<S>(map.is_empty(&heap), "the table's entries");
}

fn ephemeron_chains_resolve_to_a_fixpoint<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let empty = used_after_collect(&mut heap);
    let map = heap.weak_map();
    // k0 -> k1 -> ... -> kn: each value is the next entry's key, inserted
    // last to first, so that a single pass in table order finds one more
    // reached key each time.
    let n = size(heap.config(), 24);
    let chain: Vec<_> = (0..=n as u64).map(|i| cell(&mut heap, i)).collect();
    for i in (0..n).rev() {
        map.insert(heap.get(&chain[i]), heap.get(&chain[i + 1]));
    }
    let mut chain = chain.into_iter();
    let head = chain.next().unwrap();
    drop(chain);
    let passes = heap.stats().ephemeron_passes;
    heap.collect();
    // (Under the conservative scheme a stale stack word may reach a link
    // directly and save passes.)
    assert!(
        needs_pinning::<S>() || heap.stats().ephemeron_passes - passes >= n as u64,
        "one pass per link, at least"
    );
    let mut at = heap.get(&head);
    for i in 1..=n as u64 {
        at = map.get(at).expect("each link is kept by the one before");
        assert_eq!(at.read_u64(0), i);
    }
    assert!(map.get(at).is_none(), "the chain ends");
    drop(head);
    let used = used_after_collect(&mut heap);
    check_used::<S>(used, empty, "a chain whose head died");
    gone::<S>(map.is_empty(&heap), "the chain's entries");
}

fn an_ephemeron_value_that_reaches_its_own_key_does_not_keep_it<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let empty = used_after_collect(&mut heap);
    let map = heap.weak_map();
    let key = cell(&mut heap, 1);
    let value = cell(&mut heap, 2);
    heap.get(&value).set_field(0, Some(heap.get(&key)));
    map.insert(heap.get(&key), heap.get(&value));
    let weak_value = heap.weak(&value);
    drop(value);
    heap.collect();
    assert_eq!(map.get(heap.get(&key)).unwrap().read_u64(0), 2);
    drop(key);
    let used = used_after_collect(&mut heap);
    check_used::<S>(used, empty, "a key kept only by its own value");
    gone::<S>(map.is_empty(&heap), "the entry");
    gone::<S>(weak_value.upgrade(&heap).is_none(), "the value's weak root");
}

fn young_keys_and_values_in_an_old_table<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let map = heap.weak_map();
    let old_key = cell(&mut heap, 1);
    let old_value = cell(&mut heap, 2);
    map.insert(heap.get(&old_key), heap.get(&old_value));
    drop(old_value);
    heap.collect(); // the entry is old now
    // A young value for the old key, a young key with a young value, and
    // a young key that dies.
    let young_value = cell(&mut heap, 3);
    map.insert(heap.get(&old_key), heap.get(&young_value));
    drop(young_value);
    let young_key = cell(&mut heap, 4);
    let v = cell(&mut heap, 5);
    map.insert(heap.get(&young_key), heap.get(&v));
    drop(v);
    let dead_key = cell(&mut heap, 6);
    let v = cell(&mut heap, 7);
    map.insert(heap.get(&dead_key), heap.get(&v));
    drop((v, dead_key));
    heap.collect_minor();
    assert_eq!(map.get(heap.get(&old_key)).unwrap().read_u64(0), 3);
    assert_eq!(map.get(heap.get(&young_key)).unwrap().read_u64(0), 5);
    // (In zeal mode the allocation after it promoted the dead key while
    // it was rooted: a mature key waits for a full collection.)
    if !needs_pinning::<S>() && !heap.config().stress {
        assert_eq!(map.len(&heap), 2, "the dead young key's entry went");
    }
    heap.collect();
    assert_eq!(map.get(heap.get(&old_key)).unwrap().read_u64(0), 3);
    assert_eq!(map.get(heap.get(&young_key)).unwrap().read_u64(0), 5);
}

fn weak_map_operations<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let map = heap.weak_map();
    let a = cell(&mut heap, 1);
    let b = cell(&mut heap, 2);
    assert!(map.get(heap.get(&a)).is_none());
    map.insert(heap.get(&a), heap.get(&b));
    map.insert(heap.get(&b), heap.get(&b));
    map.insert(heap.get(&a), heap.get(&a)); // replaces
    assert_eq!(map.len(&heap), 2);
    heap.collect();
    assert_eq!(map.get(heap.get(&a)), Some(heap.get(&a)));
    assert_eq!(map.get(heap.get(&b)), Some(heap.get(&b)));
    assert!(map.remove(heap.get(&a)));
    assert!(!map.remove(heap.get(&a)));
    assert_eq!(map.len(&heap), 1);
    heap.collect();
    assert!(map.get(heap.get(&a)).is_none());
    assert_eq!(map.get(heap.get(&b)), Some(heap.get(&b)));
    assert_eq!(heap.ephemeron_count(), 1);
}

fn a_dropped_weak_map_is_freed<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let empty = used_after_collect(&mut heap);
    let key = cell(&mut heap, 1);
    let with_key = used_after_collect(&mut heap);
    let map = heap.weak_map();
    let value = cell(&mut heap, 2);
    map.insert(heap.get(&key), heap.get(&value));
    drop(value);
    heap.collect();
    assert_eq!(heap.ephemeron_count(), 1);
    drop(map);
    heap.collect();
    assert_eq!(heap.ephemeron_count(), 0);
    check_used::<S>(heap.used_bytes(), with_key, "the value of a dropped map");
    // Its slot is reused by the next map, which starts empty.
    let again = heap.weak_map();
    assert!(again.is_empty(&heap));
    drop(key);
    check_used::<S>(used_after_collect(&mut heap), empty, "everything dropped");
}

fn finalizers_run_after_a_collection_in_registration_order<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let files = heap.finalization_registry();
    let sockets = heap.finalization_registry();
    let kept = cell(&mut heap, 0);
    files.register(heap.get(&kept), 100);
    let n = size(heap.config(), 16) as u64;
    let mut targets = Vec::new();
    for i in 0..n {
        let target = cell(&mut heap, i);
        let registry = if i % 2 == 0 { &files } else { &sockets };
        registry.register(heap.get(&target), i);
        // Twice, with the other registry: each registration is queued.
        if i == 1 {
            files.register(heap.get(&target), 1001);
        }
        targets.push(target);
    }
    assert_eq!(heap.registered_finalizers(), n as usize + 2);
    assert_eq!(heap.pending_finalizers(), 0, "nothing died yet");
    drop(targets);
    heap.collect();
    let mut seen = Vec::new();
    let queued = heap.pending_finalizers();
    let ran = heap.run_finalizers(|heap, registry, held| {
        // Handed over one at a time: the rest are still queued.
        assert_eq!(heap.pending_finalizers(), queued - seen.len() - 1);
        seen.push((registry == files, held));
    });
    assert_eq!(ran, seen.len());
    if !needs_pinning::<S>() {
        let mut expected = Vec::new();
        for i in 0..n {
            expected.push((i % 2 == 0, i));
            if i == 1 {
                expected.push((true, 1001));
            }
        }
        assert_eq!(seen, expected, "registration order");
    } else {
        // In registration order, whichever the stack kept.
        let positions: Vec<_> = seen
            .iter()
            .map(|&(_, h)| if h == 1001 { 1 } else { h })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    }
    assert!(
        !seen.iter().any(|&(_, h)| h == 100),
        "a live target is not finalized"
    );
    assert_eq!(heap.pending_finalizers(), 0);
    assert_eq!(
        heap.run_finalizers(|_, _, _| panic!("nothing is queued")),
        0
    );
    drop(kept);
    heap.collect();
    let mut last = Vec::new();
    heap.run_finalizers(|_, registry, held| last.push((registry, held)));
    gone::<S>(last.contains(&(files, 100)), "the last target");
}

fn a_finalizer_may_allocate_and_collect<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let registry = heap.finalization_registry();
    for i in 0..3 {
        let p = cell(&mut heap, i);
        registry.register(heap.get(&p), i);
    }
    heap.collect();
    let mut seen = Vec::new();
    let ran = heap.run_finalizers(|heap, registry, held| {
        seen.push(held);
        if held < 3 {
            // Allocates a new watched object that dies at once, and
            // collects: its held value is queued, and handed over by this
            // same call, after the ones queued before it.
            let p = cell(heap, held + 10);
            registry.register(heap.get(&p), held + 10);
            drop(p);
            heap.collect();
            // A nested run does nothing.
            assert_eq!(heap.run_finalizers(|_, _, _| unreachable!()), 0);
        }
    });
    if !needs_pinning::<S>() {
        assert_eq!(seen, [0, 1, 2, 10, 11, 12]);
        assert_eq!(ran, 6);
    } else {
        assert_eq!(ran, seen.len());
    }
    assert_eq!(heap.pending_finalizers(), 0);
}

fn a_panicking_finalizer_leaves_the_rest_queued<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let registry = heap.finalization_registry();
    let keep = cell(&mut heap, 9);
    for i in 0..4 {
        let p = cell(&mut heap, i);
        registry.register(heap.get(&p), i);
    }
    heap.collect();
    let queued = heap.pending_finalizers();
    gone::<S>(queued == 4, "four targets");
    if queued == 0 {
        return;
    }
    let message = panic_message(|| {
        heap.run_finalizers(|_, _, held| panic!("finalizer {held} failed"));
    });
    assert!(message.starts_with("finalizer "), "{message}");
    assert_eq!(
        heap.pending_finalizers(),
        queued - 1,
        "the rest stay queued"
    );
    // The heap is intact and runs the rest.
    heap.collect();
    assert_eq!(heap.get(&keep).read_u64(0), 9);
    assert_eq!(heap.run_finalizers(|_, _, _| {}), queued - 1);
}

fn unregister_ends_registrations_queued_or_not<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let registry = heap.finalization_registry();
    let alive = cell(&mut heap, 1);
    registry.register(heap.get(&alive), 1);
    registry.register(heap.get(&alive), 2);
    let dead = cell(&mut heap, 2);
    registry.register(heap.get(&dead), 3);
    drop(dead);
    heap.collect();
    let queued = heap.pending_finalizers();
    gone::<S>(queued == 1, "the dead target");
    assert_eq!(registry.unregister(&heap, 1), 1);
    assert_eq!(registry.unregister(&heap, 3), 1, "queued or not, it ends");
    assert_eq!(registry.unregister(&heap, 3), 0);
    assert_eq!(heap.pending_finalizers(), 0);
    drop(alive);
    heap.collect();
    let mut seen = Vec::new();
    heap.run_finalizers(|_, _, held| seen.push(held));
    assert!(seen.iter().all(|&h| h == 2), "{seen:?}");
}

fn a_weak_root_of_another_heap_is_refused<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let other_roots = Roots::<S>::new();
    let mut other = Heap::new(&other_roots, config.clone()).unwrap();
    let weak = {
        let mut heap = Heap::new(&roots, config).unwrap();
        let p = cell(&mut heap, 1);
        let weak = heap.weak(&p);
        assert_eq!(weak.try_upgrade(&other).unwrap_err(), RootError::WrongHeap);
        let message = panic_message(|| {
            weak.upgrade(&other);
        });
        assert!(message.contains("does not belong"), "{message}");
        weak
        // `heap` is dropped here: the weak root outlives it.
    };
    other.collect();
    assert_eq!(weak.try_upgrade(&other).unwrap_err(), RootError::WrongHeap);
    drop(weak);
}

fn weak_structures_of_another_heap_are_refused<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let other_roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config.clone()).unwrap();
    let mut other = Heap::new(&other_roots, config).unwrap();
    let map = heap.weak_map();
    let registry = heap.finalization_registry();
    let mine = cell(&mut heap, 1);
    let theirs = cell(&mut other, 2);
    let message = panic_message(|| map.insert(other.get(&theirs), other.get(&theirs)));
    assert!(message.contains("another heap"), "{message}");
    let message = panic_message(|| map.insert(heap.get(&mine), other.get(&theirs)));
    assert!(message.contains("different heaps"), "{message}");
    let message = panic_message(|| {
        map.get(other.get(&theirs));
    });
    assert!(message.contains("another heap"), "{message}");
    let message = panic_message(|| registry.register(other.get(&theirs), 1));
    assert!(message.contains("another heap"), "{message}");
    let message = panic_message(|| {
        registry.unregister(&other, 1);
    });
    assert!(message.contains("another heap"), "{message}");
    // Nothing changed.
    assert!(map.is_empty(&heap));
    assert_eq!(
        heap.registered_finalizers() + other.registered_finalizers(),
        0
    );
    heap.collect();
    other.collect();
}

/// A weak root, an ephemeron and a registration of each of many objects,
/// some of which stay rooted: after every collection the three agree on
/// which objects died.
fn weak_roots_ephemerons_and_registrations_agree<S: Scheme>(config: Config) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let map = heap.weak_map();
    let registry = heap.finalization_registry();
    let n = size(heap.config(), 48) as u64;
    let mut strong = Vec::new();
    let mut weak = Vec::new();
    for i in 0..n {
        let p = cell(&mut heap, i);
        let v = cell(&mut heap, i + 500);
        map.insert(heap.get(&p), heap.get(&v));
        registry.register(heap.get(&p), i);
        weak.push(heap.weak(&p));
        strong.push(Some(p));
    }
    let mut finalized = vec![false; n as usize];
    for round in 0..4u64 {
        // Drop a quarter of what is left, then collect (minor and full).
        for (i, s) in strong.iter_mut().enumerate() {
            if (i as u64 + round) % 4 == 0 {
                *s = None;
            }
        }
        if round % 2 == 0 {
            heap.collect_minor();
        } else {
            heap.collect();
        }
        heap.run_finalizers(|_, _, held| {
            assert!(
                !std::mem::replace(&mut finalized[held as usize], true),
                "twice"
            )
        });
        for i in 0..n as usize {
            let w = weak[i].upgrade(&heap);
            match &strong[i] {
                Some(p) => {
                    let obj = heap.get(p);
                    assert_eq!(w, Some(obj), "round {round}: a live object's weak root");
                    assert_eq!(map.get(obj).unwrap().read_u64(0), i as u64 + 500);
                    assert!(!finalized[i], "round {round}: a live object was finalized");
                }
                None => {
                    // Cleared, removed and finalized together, or (a minor
                    // collection of a mature object; the conservative
                    // scheme's stack) none of the three.
                    if let Some(obj) = w {
                        assert_eq!(obj.read_u64(0), i as u64);
                        assert_eq!(map.get(obj).unwrap().read_u64(0), i as u64 + 500);
                        assert!(!finalized[i], "round {round}: finalized but not cleared");
                    } else {
                        assert!(finalized[i], "round {round}: cleared but not finalized");
                    }
                }
            }
        }
    }
    drop(strong);
    heap.collect();
    heap.run_finalizers(|_, _, held| finalized[held as usize] = true);
    gone::<S>(finalized.iter().all(|&f| f), "every object");
}
