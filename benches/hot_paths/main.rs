//! The hot paths, each group with a floor that does the bare minimum, so
//! that the figures read as multiples of it:
//!
//! - `create_drop`: create and drop one stack (scoped) root, against
//!   `Vec::push` + `pop` of a pointer; with the two designs the intrusive
//!   crate's doubly linked stack root replaced ([`alternatives`]).
//! - `create_drop_persistent`: create and drop one long-lived root, against
//!   `Box::new` + drop: the intrusive pooled root (what `Persistent` is),
//!   a boxed pinned `PersistentRoot`, the indexed owned root (what
//!   `Persistent` is) and the manual root it replaced.
//! - `drop_order/N`: drop N stack roots (boxed and linked in order) newest
//!   first or oldest first, under each stack-root design.
//! - `read`: read the pointer a root holds, against a plain pointer read.
//! - `collect/N`: one collection with N live roots, each to its own
//!   24-byte object, against `copy_nonoverlapping` of the same live bytes;
//!   the throughput is per root, so time per root can be compared across N.
//!   In a semispace heap (`intrusive/N`) and a mark-region one, where the
//!   objects are marked in place (`intrusive_mr/N`).
//! - `copy`: one collection of GCBench's long-lived data (a depth-16 tree
//!   and a 4 MB array), against `copy_nonoverlapping` of the same bytes:
//!   how close object-by-object Cheney copying comes to a bulk copy
//!   (`*_collect_*`), and marking the same objects in place in a
//!   mark-region heap (`*_mark_*`).
//! - `barrier`: one reference store into a field, against a plain store
//!   into a slice: in a semispace heap (the barrier's first test fails at
//!   once), and in a generational heap storing a young object into a young
//!   one (no barrier work) and into a mature one (the remembered bit is
//!   already set after the first store).
//! - `minor_root_scan/N`: one minor collection of an empty nursery with N
//!   long-lived roots to mature objects: the root scan alone, which a
//!   generational collector pays at every minor collection, against a loop
//!   that reads N pointers and range-checks each.
//! - `weak_create_drop`, `weak_upgrade`, `weak_collect/N`: weak roots and
//!   ephemerons against the strong roots of the same scheme ([`weak`]).

// criterion's `criterion_group!` defines an undocumented public function.
#![allow(missing_docs)]

mod alternatives;
mod weak;

use std::hint::black_box;
use std::pin::pin;
use std::time::{Duration, Instant};

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gcroots::{
    Config, Conservative, Heap, Hybrid, Indexed, Intrusive, Persistent, Roots, Scheme, Shape, root,
};
use gcroots_compare::workloads::gcbench;
use gcroots_indexed::RootTable;
use gcroots_intrusive::{PersistentRoot, PooledRoot, RootList, StackRoot};

fn create_drop(c: &mut Criterion) {
    let mut g = c.benchmark_group("create_drop");
    let object = 0x1000usize as *const u8;

    let mut vec: Vec<*const u8> = Vec::with_capacity(64);
    g.bench_function("floor_vec_push_pop", |b| {
        b.iter(|| {
            // Through `black_box`, or the compiler sees that the vector is
            // empty on every iteration and keeps nothing of the push and pop
            // but the value (as it did with one codegen unit: 1.06 ns).
            let vec = black_box(&mut vec);
            vec.push(black_box(object));
            // By reference: a by-value `Option<*const u8>` goes through
            // memory as two stores and one 16-byte load, a store-forwarding
            // stall that costs more than the push and pop.
            black_box(&vec.pop());
        })
    });

    let list = RootList::<usize>::new();
    g.bench_function("intrusive_stack_root", |b| {
        b.iter(|| {
            let node = pin!(StackRoot::new(&list, black_box(0x1000usize)));
            node.as_ref().link();
            black_box(node.load())
        })
    });
    let singly = alternatives::singly::List::new();
    g.bench_function("alternative_singly_linked", |b| {
        b.iter(|| {
            let node = pin!(alternatives::singly::Node::new(
                &singly,
                black_box(0x1000usize)
            ));
            node.as_ref().link();
            black_box(node.load())
        })
    });
    let ic = alternatives::ic::List::new();
    g.bench_function("alternative_intrusive_collections", |b| {
        b.iter(|| {
            let node = pin!(alternatives::ic::Node::new(&ic, black_box(0x1000usize)));
            node.as_ref().link();
            black_box(node.load())
        })
    });

    // A root as `root!` makes it, under each scheme, on a heap in the
    // mode every scheme accepts (mark-region).
    root_macro::<Intrusive>(&mut g);
    root_macro::<Indexed>(&mut g);
    root_macro::<Hybrid>(&mut g);
    root_macro::<Conservative>(&mut g);

    let mut table = RootTable::<usize>::new();
    g.bench_function("indexed_scoped_root", |b| {
        b.iter(|| {
            let scope = table.scope();
            let root = scope.root(black_box(0x1000usize));
            black_box(&root);
        })
    });
    g.finish();
}

/// `root!` of an object and one read, in a scope of its own (which the
/// indexed scheme needs to end the root), under scheme `S`.
fn root_macro<S: Scheme>(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, Config::mark_region()).unwrap();
    root!(heap, let keep = heap.alloc(Shape::new(0, 8)).unwrap());
    g.bench_function(format!("root_macro/{}", S::NAME), |b| {
        b.iter(|| {
            let scope = heap.scope();
            let value = scope.get(&keep);
            root!(scope, let r = value);
            black_box(scope.get(&r).addr())
        })
    });
}

fn create_drop_persistent(c: &mut Criterion) {
    let mut g = c.benchmark_group("create_drop_persistent");
    // Each root is passed to `black_box` by reference: a 16-byte handle
    // passed by value goes through memory as one 16-byte store and two
    // 8-byte loads, a store-forwarding stall that cost more than the root.
    g.bench_function("floor_box_new_drop", |b| {
        b.iter(|| {
            let r = Box::new(black_box(0x1000usize));
            black_box(&r);
        })
    });
    let list = RootList::<usize>::new();
    // A few roots alive, as in a real heap: the pool is not empty.
    let _held: Vec<_> = (0..16).map(|i| PooledRoot::new(&list, i)).collect();
    g.bench_function("intrusive_pooled_root", |b| {
        b.iter(|| {
            let r = PooledRoot::new(&list, black_box(0x1000usize));
            black_box(&r);
        })
    });
    g.bench_function("intrusive_persistent_root_boxed", |b| {
        b.iter(|| {
            let r = PersistentRoot::boxed(&list, black_box(0x1000usize));
            black_box(&r);
        })
    });
    let table = RootTable::<usize>::new();
    let _held: Vec<_> = (0..16).map(|i| table.root_owned(i)).collect();
    g.bench_function("indexed_owned_root", |b| {
        b.iter(|| {
            let r = table.root_owned(black_box(0x1000usize));
            black_box(&r);
        })
    });
    // Another handle to an existing owned root, and its drop
    // (`OwnedRooted::clone`): what a C++ copy constructor and destructor of
    // an indexed root cost, without the call into the C library.
    let held = table.root_owned(0x1000usize);
    g.bench_function("indexed_owned_clone", |b| {
        b.iter(|| {
            let r = black_box(&held).clone();
            black_box(&r);
        })
    });
    g.bench_function("indexed_manual_root", |b| {
        b.iter(|| {
            let root = table.root_manual(black_box(0x1000usize));
            black_box(table.unroot(root).unwrap())
        })
    });
    g.finish();
}

/// Drops `n` linked roots, oldest first or newest first, under three
/// stack-root designs. Each root is boxed so that it can be dropped in any
/// order (as a `Vec` of futures holding roots is); making the roots is not
/// timed.
fn drop_order(c: &mut Criterion) {
    for n in [1_000usize, 10_000, 40_000] {
        let mut g = c.benchmark_group(format!("drop_order/{n}"));
        g.sample_size(10);
        g.throughput(Throughput::Elements(n as u64));
        macro_rules! design {
            ($name:literal, $list:expr, $node:expr) => {
                let list = $list;
                for oldest_first in [false, true] {
                    let order = if oldest_first {
                        "oldest_first"
                    } else {
                        "newest_first"
                    };
                    g.bench_function(format!("{}/{order}", $name), |b| {
                        b.iter_batched(
                            || {
                                (0..n)
                                    .map(|i| {
                                        let node = Box::pin($node(&list, i));
                                        node.as_ref().link();
                                        node
                                    })
                                    .collect::<Vec<_>>()
                            },
                            |mut roots| {
                                if oldest_first {
                                    drop(roots); // a `Vec` drops front to back
                                } else {
                                    while let Some(r) = roots.pop() {
                                        drop(black_box(r));
                                    }
                                }
                            },
                            BatchSize::PerIteration,
                        )
                    });
                }
            };
        }
        design!("doubly_linked", RootList::<usize>::new(), StackRoot::new);
        design!(
            "alternative_intrusive_collections",
            alternatives::ic::List::new(),
            alternatives::ic::Node::new
        );
        // Quadratic oldest first: 40,000 would take seconds per sample.
        if n <= 10_000 {
            design!(
                "alternative_singly_linked",
                alternatives::singly::List::new(),
                alternatives::singly::Node::new
            );
        }
        g.finish();
    }
}

/// Reads the address a `Local` of scheme `S` holds (made by `root!`, as an
/// embedder would), and one a `Persistent` holds, in a heap of `config`.
fn read_roots<S: Scheme>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    config: Config,
) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    root!(heap, let r = heap.alloc(Shape::new(0, 8)).unwrap());
    let p = heap.roots().persist(heap.alloc(Shape::new(0, 8)).unwrap());
    let heap = &heap;
    g.bench_function(format!("{}_local", S::NAME), |b| {
        b.iter(|| black_box(heap.get(&black_box(r)).addr()))
    });
    g.bench_function(format!("{}_persistent", S::NAME), |b| {
        b.iter(|| black_box(heap.get(black_box(&p)).addr()))
    });
}

fn read(c: &mut Criterion) {
    let mut g = c.benchmark_group("read");
    let word = 0x1000usize;
    g.bench_function("floor_pointer_read", |b| {
        b.iter(|| black_box(load(black_box(&word))))
    });
    read_roots::<Intrusive>(&mut g, Config::default());
    read_roots::<Indexed>(&mut g, Config::default());
    read_roots::<Hybrid>(&mut g, Config::default());
    // In the only mode it accepts; a mark-region heap reads like the
    // others (the read path checks the primary chunk as it checks the
    // semispace).
    read_roots::<Conservative>(&mut g, Config::mark_region());
    g.finish();
}

/// A plain load through a reference: what the floor measures.
#[inline(always)]
fn load(p: &usize) -> usize {
    *p
}

/// Adds `S`'s `collect/n` benchmark to `g`, named after the scheme (with
/// `_mr` in a mark-region heap).
fn collect_bench<S: Scheme>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    n: usize,
    mark_region: bool,
) {
    let name = if mark_region {
        format!("{}_mr", S::NAME)
    } else {
        S::NAME.to_owned()
    };
    g.bench_function(BenchmarkId::new(name, n), |b| {
        b.iter_custom(|iters| collect_with_roots::<S>(n, mark_region, iters))
    });
}

/// Times `collections` collections of a heap (semispace, or mark-region
/// if `mark_region`) holding `n` persistent roots, each to its own
/// `{1 field, 8 bytes}` object.
fn collect_with_roots<S: Scheme>(n: usize, mark_region: bool, iters: u64) -> Duration {
    let roots = Roots::<S>::new();
    let mut config = Config {
        initial_bytes: (n * 24 * 4).max(1 << 20),
        ..Config::default()
    };
    if mark_region {
        config = config.with_mark_region();
    }
    let mut heap = Heap::new(&roots, config).unwrap();
    let set = heap.roots();
    let mut held: Vec<Persistent<'_, S>> = Vec::with_capacity(n);
    for i in 0..n {
        let object = heap.alloc(Shape::new(1, 8)).unwrap();
        object.write_u64(0, i as u64);
        held.push(set.persist(object));
    }
    heap.collect();
    let start = Instant::now();
    for _ in 0..iters {
        heap.collect();
    }
    let elapsed = start.elapsed();
    let s = heap.stats();
    assert_eq!(s.bytes_copied + s.bytes_marked, (iters + 1) * n as u64 * 24);
    drop(held);
    elapsed
}

fn collect(c: &mut Criterion) {
    for n in [10usize, 1_000, 100_000] {
        let mut g = c.benchmark_group(format!("collect/{n}"));
        g.throughput(Throughput::Elements(n as u64));
        let src = vec![0u64; n * 3];
        let mut dst = vec![0u64; n * 3];
        g.bench_function("floor_copy_nonoverlapping", |b| {
            b.iter(|| {
                // SAFETY: both buffers hold `n * 3` words and do not overlap.
                unsafe {
                    std::ptr::copy_nonoverlapping(black_box(src.as_ptr()), dst.as_mut_ptr(), n * 3)
                };
                black_box(&mut dst);
            })
        });
        // Each scheme in a semispace heap, then the same collections in a
        // mark-region heap (`*_mr`: marked in place).
        for mark_region in [false, true] {
            collect_bench::<Intrusive>(&mut g, n, mark_region);
            collect_bench::<Indexed>(&mut g, n, mark_region);
            collect_bench::<Hybrid>(&mut g, n, mark_region);
        }
        g.finish();
    }
}

/// Builds GCBench's long-lived data and returns the bytes one collection
/// keeps (copies, or in a mark-region heap marks in place); then times
/// `iters` collections.
fn collect_gcbench_live<S: Scheme>(mark_region: bool, iters: u64) -> (u64, Duration) {
    let roots = Roots::<S>::new();
    let mut config = Config {
        initial_bytes: 64 << 20,
        ..Config::default()
    };
    if mark_region {
        config = config.with_mark_region();
    }
    let mut heap = Heap::new(&roots, config).unwrap();
    root!(heap, let tree = gcbench::make_tree(&mut heap, 16).unwrap());
    root!(heap, let array = heap.alloc(Shape::new(0, 500_000 * 8)).unwrap());
    black_box((tree, array));
    heap.collect();
    let s = heap.stats();
    let per_collection = s.bytes_copied + s.bytes_marked;
    let start = Instant::now();
    for _ in 0..iters {
        heap.collect();
    }
    (per_collection, start.elapsed())
}

fn copy(c: &mut Criterion) {
    let (bytes, _) = collect_gcbench_live::<Indexed>(false, 0);
    let mut g = c.benchmark_group("copy");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(20);
    let words = bytes as usize / 8;
    let src = vec![0u64; words];
    let mut dst = vec![0u64; words];
    g.bench_function("floor_copy_nonoverlapping", |b| {
        b.iter(|| {
            // SAFETY: both buffers hold `words` words and do not overlap.
            unsafe {
                std::ptr::copy_nonoverlapping(black_box(src.as_ptr()), dst.as_mut_ptr(), words)
            };
            black_box(&mut dst);
        })
    });
    g.bench_function("intrusive_collect_gcbench_live", |b| {
        b.iter_custom(|iters| collect_gcbench_live::<Intrusive>(false, iters).1)
    });
    g.bench_function("indexed_collect_gcbench_live", |b| {
        b.iter_custom(|iters| collect_gcbench_live::<Indexed>(false, iters).1)
    });
    // Marking the same data in place (a mark-region heap), against the
    // same floor: the mark rate.
    g.bench_function("intrusive_mark_gcbench_live", |b| {
        b.iter_custom(|iters| collect_gcbench_live::<Intrusive>(true, iters).1)
    });
    g.bench_function("indexed_mark_gcbench_live", |b| {
        b.iter_custom(|iters| collect_gcbench_live::<Indexed>(true, iters).1)
    });
    g.finish();
}

/// Stores `iters` times into field 0 of `target`, alternating two values
/// (rooted), in a heap made with `config`; `promote` first makes `target`
/// mature with a full collection.
fn stores<S: Scheme>(config: Config, promote: bool, iters: u64) -> Duration {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    root!(heap, let target = heap.alloc(Shape::new(1, 0)).unwrap());
    if promote {
        heap.collect();
    }
    root!(heap, let a = heap.alloc(Shape::new(0, 8)).unwrap());
    root!(heap, let b = heap.alloc(Shape::new(0, 8)).unwrap());
    let (t, a, b) = (heap.get(&target), heap.get(&a), heap.get(&b));
    let start = Instant::now();
    for i in 0..iters {
        black_box(t).set_field(0, Some(if i & 1 == 0 { a } else { b }));
    }
    start.elapsed()
}

fn barrier(c: &mut Criterion) {
    let mut g = c.benchmark_group("barrier");
    let mut slots = vec![0usize; 2];
    g.bench_function("floor_plain_store", |b| {
        let mut i = 0usize;
        b.iter(|| {
            i = i.wrapping_add(1);
            black_box(&mut slots)[0] = 0x1000 + (i & 1) * 8;
        })
    });
    macro_rules! per_scheme {
        ($($scheme:ty),*) => {$(
            g.bench_function(format!("{}/semispace", <$scheme>::NAME), |b| {
                b.iter_custom(|iters| stores::<$scheme>(Config::default(), false, iters))
            });
            g.bench_function(format!("{}/gen_young_into_young", <$scheme>::NAME), |b| {
                b.iter_custom(|iters| stores::<$scheme>(Config::generational(), false, iters))
            });
            g.bench_function(format!("{}/gen_young_into_mature", <$scheme>::NAME), |b| {
                b.iter_custom(|iters| stores::<$scheme>(Config::generational(), true, iters))
            });
        )*};
    }
    per_scheme!(Intrusive, Indexed);
    g.finish();
}

/// Times `iters` minor collections of an empty nursery, with `n` long-lived
/// roots to mature objects.
fn minor_collections<S: Scheme>(n: usize, iters: u64) -> Duration {
    let roots = Roots::<S>::new();
    let config = Config {
        initial_bytes: (n * 24 * 4).max(1 << 20),
        ..Config::generational()
    };
    let mut heap = Heap::new(&roots, config).unwrap();
    let set = heap.roots();
    let held: Vec<Persistent<'_, S>> = (0..n)
        .map(|_| set.persist(heap.alloc(Shape::new(1, 8)).unwrap()))
        .collect();
    heap.collect(); // every object is mature
    let copied = heap.stats().bytes_copied;
    let start = Instant::now();
    for _ in 0..iters {
        heap.collect_minor();
    }
    let elapsed = start.elapsed();
    assert_eq!(heap.stats().bytes_copied, copied, "nothing to promote");
    drop(held);
    elapsed
}

fn minor_root_scan(c: &mut Criterion) {
    for n in [1_000usize, 100_000] {
        let mut g = c.benchmark_group(format!("minor_root_scan/{n}"));
        g.throughput(Throughput::Elements(n as u64));
        let pointers: Vec<usize> = (0..n).map(|i| 0x10_0000 + i * 24).collect();
        let (start, len) = (0x4000_0000usize, 1usize << 20);
        g.bench_function("floor_range_check_each", |b| {
            b.iter(|| {
                let young = black_box(&pointers)
                    .iter()
                    .filter(|&&p| p.wrapping_sub(start) < len)
                    .count();
                black_box(young)
            })
        });
        g.bench_function(BenchmarkId::new("intrusive", n), |b| {
            b.iter_custom(|iters| minor_collections::<Intrusive>(n, iters))
        });
        g.bench_function(BenchmarkId::new("indexed", n), |b| {
            b.iter_custom(|iters| minor_collections::<Indexed>(n, iters))
        });
        g.bench_function(BenchmarkId::new("hybrid", n), |b| {
            b.iter_custom(|iters| minor_collections::<Hybrid>(n, iters))
        });
        g.finish();
    }
}

/// Recurses `depth` frames, each rooting three objects as deep_stack's
/// frames do, then times `iters` collections at the bottom: what a
/// collection costs to find the roots of a deep stack, by walking the
/// frames' list nodes (intrusive, hybrid), scanning the table (indexed),
/// or reading the stack word by word (conservative). Every scheme in a
/// mark-region heap, the only mode the conservative scheme accepts.
/// Also returns the stack bytes the collections read (the conservative
/// scheme's; 0 for the others).
fn collect_in_frames<S: Scheme>(depth: usize, iters: u64) -> (Duration, u64) {
    fn frame<S: Scheme>(heap: &mut Heap<'_, S>, depth: usize, iters: u64) -> (Duration, u64) {
        let mut scope = heap.scope();
        root!(scope, let a = scope.alloc(Shape::new(1, 8)).unwrap());
        root!(scope, let b = scope.alloc(Shape::new(0, 16)).unwrap());
        root!(scope, let c = scope.get(&a));
        let t = if depth == 0 {
            let before = scope.stats().stack_bytes_scanned;
            let start = Instant::now();
            for _ in 0..iters {
                scope.collect();
            }
            let t = start.elapsed();
            (t, scope.stats().stack_bytes_scanned - before)
        } else {
            frame(&mut scope, depth - 1, iters)
        };
        black_box((scope.get(&b).addr(), scope.get(&c).addr()));
        t
    }
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, Config::mark_region()).unwrap();
    frame(&mut heap, depth, iters)
}

/// `collect_in_frames` on a thread with room for 10,000 frames (a bench
/// thread's stack has not).
fn in_frames<S: Scheme>(depth: usize, iters: u64) -> (Duration, u64) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || collect_in_frames::<S>(depth, iters))
        .unwrap()
        .join()
        .unwrap()
}

fn stack_roots(c: &mut Criterion) {
    for depth in [10usize, 100, 1_000, 10_000] {
        let mut g = c.benchmark_group(format!("stack_roots/{depth}"));
        // Three roots per frame.
        g.throughput(Throughput::Elements(3 * depth as u64));
        macro_rules! scheme {
            ($($s:ty),*) => {$(
                g.bench_function(<$s>::NAME, |b| {
                    b.iter_custom(|iters| in_frames::<$s>(depth, iters).0)
                });
            )*};
        }
        scheme!(Intrusive, Indexed, Hybrid, Conservative);
        g.finish();
    }
    // The conservative scheme's collection per byte of stack: the same
    // collections, with criterion's throughput the stack bytes each reads
    // (counted by one collection first).
    for depth in [100usize, 1_000, 10_000] {
        let bytes = in_frames::<Conservative>(depth, 1).1;
        let mut g = c.benchmark_group(format!("stack_scan/{depth}"));
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function("conservative", |b| {
            b.iter_custom(|iters| in_frames::<Conservative>(depth, iters).0)
        });
        g.finish();
    }
}

criterion_group!(
    benches,
    stack_roots,
    create_drop,
    create_drop_persistent,
    drop_order,
    read,
    collect,
    copy,
    barrier,
    minor_root_scan,
    weak::weak
);
criterion_main!(benches);
