//! One group per workload, one function per scheme, at the runner's full
//! size: criterion's report shows each pair side by side. Times the
//! workload on a fresh heap, heap creation excluded (as the runner does).
//! Each scheme also runs in a mark-region heap (`{scheme}_mr`), the only
//! mode of the conservative scheme, which runs there only.

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion};
use gcroots::Scheme;
use gcroots_compare::workloads::{self, Workload};

fn time<S: Scheme>(w: &Workload<S>, mark_region: bool, iters: u64) -> Duration {
    let config = mark_region.then(|| (w.config)().with_mark_region());
    (0..iters)
        .map(|_| {
            let (checksum, _, elapsed) = w
                .run_timed(w.full, config.clone())
                .expect("the workload fits its heap");
            std::hint::black_box(checksum);
            elapsed
        })
        .sum()
}

/// Adds scheme `S`'s run of the workload `name` to its group, in the
/// workload's own mode unless `mark_region`.
fn add<S: Scheme>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str, mark_region: bool) {
    let w = workloads::all::<S>()
        .into_iter()
        .find(|w| w.name == name)
        .expect("every scheme has every workload");
    let id = if mark_region {
        format!("{}_mr", S::NAME)
    } else {
        S::NAME.to_owned()
    };
    g.bench_function(id, |b| b.iter_custom(|iters| time(&w, mark_region, iters)));
}

fn all(c: &mut Criterion) {
    for w in workloads::all::<gcroots::Selected>() {
        let mut g = c.benchmark_group(w.name);
        g.sample_size(10);
        for mark_region in [false, true] {
            #[cfg(feature = "intrusive")]
            add::<gcroots::Intrusive>(&mut g, w.name, mark_region);
            #[cfg(feature = "indexed")]
            add::<gcroots::Indexed>(&mut g, w.name, mark_region);
            #[cfg(feature = "hybrid")]
            add::<gcroots::Hybrid>(&mut g, w.name, mark_region);
        }
        #[cfg(all(feature = "conservative", not(miri)))]
        add::<gcroots::Conservative>(&mut g, w.name, true);
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
