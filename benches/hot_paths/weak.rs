//! Weak references against the strong roots of the same scheme:
//!
//! - `weak_create_drop`: make and drop one weak root of an object
//!   (`{scheme}_weak`) against making and dropping one long-lived root of
//!   it (`{scheme}_strong`);
//! - `weak_upgrade`: upgrade a weak root (`{scheme}_weak`) against reading a
//!   long-lived root (`{scheme}_strong`);
//! - `weak_collect/N`: one full collection of N objects held by long-lived
//!   roots (`{scheme}_strong`), then with a weak root to each as well
//!   (`{scheme}_weak`), or with an ephemeron per object keyed by it whose
//!   value is an object of its own (`{scheme}_ephemeron`): the difference
//!   over N is the cost of one weak root or one ephemeron to a collection
//!   (the ephemeron's value is copied too). Throughput per object.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use gcroots::{Config, Conservative, Heap, Hybrid, Indexed, Intrusive, Roots, Scheme, Shape};

fn ops<S: Scheme>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    upgrade: bool,
    config: Config,
) {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).unwrap();
    let p = heap.roots().persist(heap.alloc(Shape::new(0, 8)).unwrap());
    let w = heap.weak(&p);
    let heap = &heap;
    if upgrade {
        // A `usize` to `black_box`: an `Option<usize>` by value goes
        // through memory as two 8-byte stores and a 16-byte load, a
        // store-forwarding stall that cost 6 ns (perf annotate).
        g.bench_function(format!("{}_weak", S::NAME), |b| {
            b.iter(|| black_box(black_box(&w).upgrade(heap).map_or(0, |r| r.addr())))
        });
        g.bench_function(format!("{}_strong", S::NAME), |b| {
            b.iter(|| black_box(heap.get(black_box(&p)).addr()))
        });
    } else {
        // Each handle goes to `black_box` by reference (see
        // `create_drop_persistent`).
        g.bench_function(format!("{}_weak", S::NAME), |b| {
            b.iter(|| {
                let w = heap.weak(black_box(&p));
                black_box(&w);
            })
        });
        g.bench_function(format!("{}_strong", S::NAME), |b| {
            b.iter(|| {
                let s = heap.persist(heap.get(black_box(&p)));
                black_box(&s);
            })
        });
    }
}

/// What the objects carry besides their strong roots.
#[derive(Clone, Copy)]
enum Extra {
    Nothing,
    WeakRoots,
    Ephemerons,
}

/// Times `iters` full collections of a semispace heap (mark-region for
/// the conservative scheme) holding `n` objects by long-lived roots, each
/// with `extra`.
fn collections<S: Scheme>(n: usize, extra: Extra, iters: u64) -> Duration {
    let roots = Roots::<S>::new();
    let mut config = Config {
        initial_bytes: (n * 48 * 4).max(1 << 20),
        ..Config::default()
    };
    if S::NAME == "conservative" {
        config = config.with_mark_region();
    }
    let mut heap = Heap::new(&roots, config).unwrap();
    let set = heap.roots();
    let map = heap.weak_map();
    let mut held = Vec::with_capacity(n);
    let mut weak = Vec::new();
    for i in 0..n {
        let object = heap.alloc(Shape::new(1, 8)).unwrap();
        object.write_u64(0, i as u64);
        let p = set.persist(object);
        match extra {
            Extra::Nothing => {}
            Extra::WeakRoots => weak.push(heap.weak(&p)),
            Extra::Ephemerons => {
                let value = set.persist(heap.alloc(Shape::new(0, 8)).unwrap());
                map.insert(heap.get(&p), heap.get(&value));
            }
        }
        held.push(p);
    }
    heap.collect();
    let start = Instant::now();
    for _ in 0..iters {
        heap.collect();
    }
    let elapsed = start.elapsed();
    let s = heap.stats();
    assert_eq!(s.weak_roots_cleared + s.ephemerons_removed, 0);
    assert_eq!(
        map.len(&heap),
        if let Extra::Ephemerons = extra { n } else { 0 }
    );
    drop((held, weak));
    elapsed
}

fn collect_per_scheme<S: Scheme>(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    n: usize,
) {
    for (label, extra) in [
        ("strong", Extra::Nothing),
        ("weak", Extra::WeakRoots),
        ("ephemeron", Extra::Ephemerons),
    ] {
        g.bench_function(BenchmarkId::new(format!("{}_{label}", S::NAME), n), |b| {
            b.iter_custom(|iters| collections::<S>(n, extra, iters))
        });
    }
}

pub(crate) fn weak(c: &mut Criterion) {
    for (name, upgrade) in [("weak_create_drop", false), ("weak_upgrade", true)] {
        let mut g = c.benchmark_group(name);
        ops::<Intrusive>(&mut g, upgrade, Config::default());
        ops::<Indexed>(&mut g, upgrade, Config::default());
        ops::<Hybrid>(&mut g, upgrade, Config::default());
        ops::<Conservative>(&mut g, upgrade, Config::mark_region());
        g.finish();
    }
    for n in [1_000usize, 100_000] {
        let mut g = c.benchmark_group(format!("weak_collect/{n}"));
        g.throughput(Throughput::Elements(n as u64));
        collect_per_scheme::<Intrusive>(&mut g, n);
        collect_per_scheme::<Indexed>(&mut g, n);
        collect_per_scheme::<Hybrid>(&mut g, n);
        collect_per_scheme::<Conservative>(&mut g, n);
        g.finish();
    }
}
