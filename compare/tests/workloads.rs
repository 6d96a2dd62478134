//! Every workload, tiny, under every scheme, with the default configuration
//! and in zeal mode (a collection before every allocation, poisoning,
//! verification), in every heap mode (semispace, generational, mark-region,
//! generational mark-region): the checksums must agree between schemes and
//! with the value computed here in plain Rust, without a heap.

use gcroots::{Config, Scheme};
use gcroots_compare::workloads::{self, Workload, Xorshift, fragment, interp, wrapper_cache};

/// The checksum each workload must return at `size`, computed without a
/// heap.
fn expected(name: &str, size: u64) -> u64 {
    match name {
        "gcbench" => {
            let tree_size = |d: u64| (1u64 << (d + 1)) - 1;
            let path = |d: u64| d * (d + 1) / 2;
            let min = u64::from(workloads::gcbench::MIN_DEPTH);
            let max = size.clamp(min, 24);
            let stretch = max + 2;
            let mut sum = path(stretch);
            for d in (min..=max).step_by(2) {
                sum += 2 * (2 * tree_size(stretch) / tree_size(d)) * path(d);
            }
            sum += tree_size(max);
            let len = (tree_size(max) * 500_000 / tree_size(16)).max(64);
            sum + ((1.0 / (len / 4) as f64) * 1e9) as u64
        }
        "root_churn" => (0..size).map(|i| i % size.clamp(1, 1024)).sum(),
        "deep_stack" => 20 * (0..=size).map(|d| 5 * d + 1).sum::<u64>(),
        "persistent_churn" => {
            // Replays the workload's choices: every object created is read
            // once, when it is released.
            let mut rng = Xorshift::new(0x5EED_CAFE);
            let (mut live, mut created) = (0usize, 0u64);
            for i in 0..size {
                let r = rng.next();
                if live == 0 || (live < 4096 && r & 1 == 0) {
                    live += 1;
                    created += i;
                } else {
                    live -= 1;
                }
            }
            created
        }
        "many_roots/10" | "many_roots/1000" | "many_roots/100000" => {
            let n: u64 = name["many_roots/".len()..].parse().unwrap();
            let n = n.min(size).max(1);
            let collections = (size / n).max(1);
            (0..collections).map(|c| c % n).sum::<u64>() + (0..n).sum::<u64>()
        }
        "access" => (0..size).map(|i| (i % 8 + 1) + ((i + 7) % 8 + 1)).sum(),
        "values/vec" | "values/persistent" => {
            // Rounds of up to 1,000 values; round r's values hold r + i.
            let n = size.clamp(1, 1_000);
            (0..size)
                .map(|k| {
                    let (r, i) = (k / n, k % n);
                    r + i
                })
                .sum()
        }
        "interp" => (0..size).map(|i| interp::expected_main(i) as u64).sum(),
        "wrapper_cache" => wrapper_cache::expected(size),
        "fragment" => {
            // Replays the choices: each replaced object and each object
            // left in the table adds its stamp and its tail word.
            let slots = fragment::slots(size);
            let mut rng = Xorshift::new(fragment::SEED);
            let value = |stamp: u64, r: u64| {
                let bytes = fragment::shape(r).bytes();
                stamp.wrapping_add(fragment::tail(stamp, bytes))
            };
            let mut table: Vec<u64> = (0..slots).map(|s| value(s, rng.next())).collect();
            let mut sum = 0u64;
            for step in 0..size {
                let r = rng.next();
                let slot = (r % slots) as usize;
                sum = sum.wrapping_add(table[slot]);
                table[slot] = value(slots + step, r);
            }
            table.iter().fold(sum, |a, &v| a.wrapping_add(v))
        }
        other => panic!("no expected checksum for {other}"),
    }
}

/// Runs `f` on a thread with room for the interpreter's recursion in a
/// debug build.
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

fn check_all<S: Scheme>(config: fn(&Workload<S>) -> Config) {
    with_big_stack(move || {
        for w in workloads::all::<S>() {
            let (checksum, stats) = w.run_fresh(w.tiny, Some(config(&w))).unwrap();
            assert_eq!(
                checksum,
                expected(w.name, w.tiny),
                "{} under {}",
                w.name,
                S::NAME
            );
            assert!(stats.objects_allocated > 0, "{}", w.name);
        }
    });
}

/// Zeal: a collection before every allocation, poisoning, verification.
/// Under miri, where a zeal collection of the interpreter's heap costs
/// seconds, the workloads keep poisoning and verification but collect when
/// a 1 KiB semispace fills (every few dozen allocations); the conformance
/// suite runs full zeal under miri.
fn zeal<S: Scheme>(_: &Workload<S>) -> Config {
    if cfg!(miri) {
        Config {
            initial_bytes: 1 << 10,
            stress: false,
            ..Config::zeal()
        }
    } else {
        Config::zeal()
    }
}

/// The workload's own configuration, generational.
fn generational<S: Scheme>(w: &Workload<S>) -> Config {
    (w.config)().with_nursery(Config::NURSERY_BYTES)
}

/// Zeal for a generational heap: a 4 KiB nursery, a minor collection before
/// every allocation, a full one every 16th, the remembered set verified
/// before each minor collection. Under miri, as for [`zeal`], collections
/// come when a 1 KiB nursery fills instead.
fn generational_zeal<S: Scheme>(w: &Workload<S>) -> Config {
    if cfg!(miri) {
        zeal(w).with_nursery(1 << 10)
    } else {
        Config::zeal().with_nursery(4 << 10)
    }
}

/// The workload's own configuration, mark-region.
fn mark_region<S: Scheme>(w: &Workload<S>) -> Config {
    (w.config)().with_mark_region()
}

/// Zeal for a mark-region heap (as [`zeal`] under miri); natively, every
/// other collection evacuates every object it can.
fn mark_region_zeal<S: Scheme>(w: &Workload<S>) -> Config {
    zeal(w).with_mark_region()
}

/// The workload's own configuration, generational, promoting into a
/// mark-region space.
fn gen_mark_region<S: Scheme>(w: &Workload<S>) -> Config {
    generational(w).with_mark_region()
}

/// Generational zeal, promoting into a mark-region space.
fn gen_mark_region_zeal<S: Scheme>(w: &Workload<S>) -> Config {
    generational_zeal(w).with_mark_region()
}

/// One test per scheme and configuration: `intrusive::plain`,
/// `intrusive::zeal`, `intrusive::generational`,
/// `intrusive::generational_zeal`, `intrusive::mark_region`, and so on.
macro_rules! per_scheme {
    ($($module:ident, $scheme:ty, $feature:literal);* $(;)?) => {$(
        #[cfg(feature = $feature)]
        mod $module {
            use super::*;

            #[test]
            fn plain() {
                check_all::<$scheme>(|w| (w.config)());
            }

            #[test]
            fn zeal() {
                check_all::<$scheme>(super::zeal);
            }

            #[test]
            fn generational() {
                check_all::<$scheme>(super::generational);
            }

            #[test]
            fn generational_zeal() {
                check_all::<$scheme>(super::generational_zeal);
            }

            #[test]
            fn mark_region() {
                check_all::<$scheme>(super::mark_region);
            }

            #[test]
            fn mark_region_zeal() {
                check_all::<$scheme>(super::mark_region_zeal);
            }

            #[test]
            fn gen_mark_region() {
                check_all::<$scheme>(super::gen_mark_region);
            }

            #[test]
            fn gen_mark_region_zeal() {
                check_all::<$scheme>(super::gen_mark_region_zeal);
            }
        }
    )*};
}

per_scheme!(
    intrusive, gcroots::Intrusive, "intrusive";
    indexed, gcroots::Indexed, "indexed";
    hybrid, gcroots::Hybrid, "hybrid";
);

/// The conservative scheme, in the modes that can pin (mark-region, and
/// its zeal mode), natively only (it reads the native stack).
#[cfg(all(feature = "conservative", not(miri)))]
mod conservative {
    use super::*;

    #[test]
    fn mark_region() {
        check_all::<gcroots::Conservative>(super::mark_region);
    }

    #[test]
    fn mark_region_zeal() {
        check_all::<gcroots::Conservative>(super::mark_region_zeal);
    }

    /// At a fiftieth of the full size, every workload returns the checksum
    /// the precise schemes return, and does the same allocations.
    #[test]
    fn larger_in_mark_region() {
        with_big_stack(|| {
            for w in workloads::all::<gcroots::Conservative>() {
                let size = (w.full / 50).max(w.tiny);
                let (checksum, stats) = w.run_fresh(size, Some(super::mark_region(&w))).unwrap();
                assert_eq!(checksum, expected(w.name, size), "{}", w.name);
                assert!(stats.objects_allocated > 0 || w.name.starts_with("gcbench"));
            }
        });
    }
}

/// At a size where collections happen on their own (not under miri, where
/// the tiny runs above suffice), every enabled scheme returns the expected
/// checksum and does the same work: the same allocations and collections,
/// in semispace and in generational mode.
#[cfg(not(miri))]
#[test]
fn the_schemes_agree_at_a_larger_size() {
    with_big_stack(|| {
        let mut runs: Vec<(&str, Vec<Summary>)> = Vec::new();
        #[cfg(feature = "intrusive")]
        runs.push(("intrusive", larger::<gcroots::Intrusive>()));
        #[cfg(feature = "indexed")]
        runs.push(("indexed", larger::<gcroots::Indexed>()));
        #[cfg(feature = "hybrid")]
        runs.push(("hybrid", larger::<gcroots::Hybrid>()));
        for (scheme, rows) in &runs[1..] {
            assert_eq!(rows, &runs[0].1, "{scheme} against {}", runs[0].0);
        }
    });
}

/// A workload's name, checksum, and the work it did (objects allocated,
/// bytes allocated, collections).
#[cfg(not(miri))]
type Summary = (&'static str, u64, [u64; 3]);

/// Each workload at a fiftieth of its full size, in every mode.
#[cfg(not(miri))]
fn larger<S: Scheme>() -> Vec<Summary> {
    let all = workloads::all::<S>();
    let modes = [
        None,
        Some(generational::<S> as fn(&Workload<S>) -> Config),
        Some(mark_region::<S>),
        Some(gen_mark_region::<S>),
    ];
    modes
        .into_iter()
        .flat_map(|mode| all.iter().map(move |w| (w, mode.map(|m| m(w)))))
        .map(|(w, config)| {
            let size = (w.full / 50).max(w.tiny);
            let (checksum, stats) = w.run_fresh(size, config).unwrap();
            assert_eq!(
                checksum,
                expected(w.name, size),
                "{} under {}",
                w.name,
                S::NAME
            );
            let work = [
                stats.objects_allocated,
                stats.bytes_allocated,
                stats.collections,
            ];
            (w.name, checksum, work)
        })
        .collect()
}

/// Every workload keeps each root alive for the same span under every
/// scheme: the root counts agree at every allocation (a `root!` in a loop
/// without a scope of its own would make the indexed count grow).
#[test]
fn every_workload_keeps_its_roots_for_the_same_span_under_every_scheme() {
    use gcroots::audit::{self, Program};

    struct Run(&'static str, u64);

    impl Program for Run {
        type Output = u64;
        fn run<S: Scheme>(&self, heap: &mut gcroots::Heap<'_, S>) -> u64 {
            let w = workloads::all::<S>()
                .into_iter()
                .find(|w| w.name == self.0)
                .expect("a workload of that name");
            (w.run)(heap, self.1).expect("the workload fits its heap")
        }
    }

    with_big_stack(|| {
        for w in workloads::all::<gcroots::Selected>() {
            let checksum = audit::root_lifetimes(&Run(w.name, w.tiny), (w.config)())
                .unwrap_or_else(|d| panic!("{}: {d}", w.name));
            assert_eq!(checksum, expected(w.name, w.tiny), "{}", w.name);
        }
    });
}
