//! One group per workload, one function per scheme, at the runner's full
//! size: criterion's report shows each pair side by side. Times the
//! workload on a fresh heap, heap creation excluded (as the runner does).

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use gcroots::Scheme;
use gcroots_compare::workloads::{self, Workload};

fn time<S: Scheme>(w: &Workload<S>, iters: u64) -> Duration {
    (0..iters)
        .map(|_| {
            let (checksum, _, elapsed) = w
                .run_timed(w.full, None)
                .expect("the workload fits its heap");
            std::hint::black_box(checksum);
            elapsed
        })
        .sum()
}

/// Adds scheme `S`'s run of the workload `name` to its group.
fn add<S: Scheme>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str) {
    let w = workloads::all::<S>()
        .into_iter()
        .find(|w| w.name == name)
        .expect("every scheme has every workload");
    g.bench_function(S::NAME, |b| b.iter_custom(|iters| time(&w, iters)));
}

fn all(c: &mut Criterion) {
    for w in workloads::all::<gcroots::Selected>() {
        let mut g = c.benchmark_group(w.name);
        g.sample_size(10);
        #[cfg(feature = "intrusive")]
        add::<gcroots::Intrusive>(&mut g, w.name);
        #[cfg(feature = "indexed")]
        add::<gcroots::Indexed>(&mut g, w.name);
        #[cfg(feature = "hybrid")]
        add::<gcroots::Hybrid>(&mut g, w.name);
        g.finish();
    }
}

fn main() {
    // deep_stack and interp recurse thousands of frames deep: run on a
    // thread with room for them.
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(|| {
            let mut c = Criterion::default().configure_from_args();
            all(&mut c);
            c.final_summary();
        })
        .expect("spawn the bench thread")
        .join()
        .expect("the benches panicked");
}
