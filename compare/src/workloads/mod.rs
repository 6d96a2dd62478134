//! The workloads: identical work for every scheme.
//!
//! Each workload is written once, generic over `S: Scheme`, names no scheme,
//! and returns a checksum that depends on the heap's contents having
//! survived every collection; the two schemes must return the same one.
//! Each takes a `size` (what it counts is in its description), so that the
//! runner can scale it and the tests can run it tiny.
//!
//! The code follows the discipline that is correct under *both* schemes:
//! every frame that roots values opens a [`Scope`](gcroots::Scope) (free under
//! the intrusive scheme, required under the indexed one), results leave a
//! scope through [`Scope::escape`](gcroots::Scope::escape), and long-lived
//! roots end when they are dropped.

use gcroots::{AllocError, Config, Heap, Scheme};

pub mod access;
pub mod deep_stack;
pub mod fragment;
pub mod gcbench;
pub mod interp;
pub mod many_roots;
pub mod persistent_churn;
pub mod root_churn;
pub mod values;
pub mod wrapper_cache;

/// A workload, instantiated for scheme `S`.
pub struct Workload<S: Scheme> {
    /// Short name, as the runner and the benches print it.
    pub name: &'static str,
    /// What it does and what `size` counts.
    pub what: &'static str,
    /// The size of a full run (the runner's `--scale 1`).
    pub full: u64,
    /// A size small enough for tests in zeal mode and under miri.
    pub tiny: u64,
    /// The heap configuration it runs with.
    pub config: fn() -> Config,
    /// Runs it on `heap` at `size` and returns its checksum.
    pub run: for<'a, 'r> fn(&'a mut Heap<'r, S>, u64) -> Result<u64, AllocError>,
}

impl<S: Scheme> std::fmt::Debug for Workload<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workload")
            .field("name", &self.name)
            .field("scheme", &S::NAME)
            .finish_non_exhaustive()
    }
}

impl<S: Scheme> Workload<S> {
    /// Runs the workload on a fresh heap with its configuration (or with
    /// `config`, if given), returning the checksum and the heap's
    /// statistics.
    pub fn run_fresh(
        &self,
        size: u64,
        config: Option<Config>,
    ) -> Result<(u64, gcroots::Stats), AllocError> {
        self.run_timed(size, config)
            .map(|(checksum, stats, _)| (checksum, stats))
    }

    /// As [`run_fresh`](Self::run_fresh), and the wall time of the run
    /// itself (making and dropping the heap excluded): what the runner and
    /// the benches measure.
    pub fn run_timed(
        &self,
        size: u64,
        config: Option<Config>,
    ) -> Result<(u64, gcroots::Stats, std::time::Duration), AllocError> {
        let roots = gcroots::Roots::<S>::new();
        let config = config.unwrap_or_else(self.config);
        let mut heap = Heap::new(&roots, config).expect("workload configurations are valid");
        let start = std::time::Instant::now();
        let checksum = (self.run)(&mut heap, size)?;
        let elapsed = start.elapsed();
        Ok((checksum, heap.stats(), elapsed))
    }
}

/// Every workload, in the order the runner reports them.
pub fn all<S: Scheme>() -> Vec<Workload<S>> {
    vec![
        Workload {
            name: "gcbench",
            what: "Boehm's GCBench binary trees; size = the largest tree depth (stretch = size + 2)",
            full: gcbench::FULL,
            tiny: gcbench::TINY,
            config: Config::default,
            run: gcbench::run::<S>,
        },
        Workload {
            name: "root_churn",
            what: "short-lived scoped roots, each created, read once and dropped; size = roots",
            full: root_churn::FULL,
            tiny: root_churn::TINY,
            config: Config::default,
            run: root_churn::run::<S>,
        },
        Workload {
            name: "deep_stack",
            what: "a recursive walk holding three roots per frame, collecting on the way; size = depth",
            full: deep_stack::FULL,
            tiny: deep_stack::TINY,
            config: deep_stack::config,
            run: deep_stack::run::<S>,
        },
        Workload {
            name: "persistent_churn",
            what: "long-lived roots created and dropped in a seeded random order amid allocation; size = operations",
            full: persistent_churn::FULL,
            tiny: persistent_churn::TINY,
            config: Config::default,
            run: persistent_churn::run::<S>,
        },
        Workload {
            name: "many_roots/10",
            what: "10 live roots, repeated collections; size = root visits (roots x collections)",
            full: many_roots::FULL,
            tiny: many_roots::TINY,
            config: Config::default,
            run: many_roots::run_10::<S>,
        },
        Workload {
            name: "many_roots/1000",
            what: "1,000 live roots, repeated collections; size = root visits",
            full: many_roots::FULL,
            tiny: many_roots::TINY,
            config: Config::default,
            run: many_roots::run_1000::<S>,
        },
        Workload {
            name: "many_roots/100000",
            what: "100,000 live roots, repeated collections; size = root visits",
            full: many_roots::FULL,
            tiny: many_roots::TINY,
            config: Config::default,
            run: many_roots::run_100000::<S>,
        },
        Workload {
            name: "values/vec",
            what: "1,000 values at a time held by one vector root, collected and read back; size = values rooted",
            full: values::FULL,
            tiny: values::TINY,
            config: Config::default,
            run: values::run_vec::<S>,
        },
        Workload {
            name: "values/persistent",
            what: "the same, one long-lived root per value; size = values rooted",
            full: values::FULL,
            tiny: values::TINY,
            config: Config::default,
            run: values::run_persistent::<S>,
        },
        Workload {
            name: "fragment",
            what: "a table of 8,192 objects of mixed sizes (16 B to 12 KiB), replaced in random order at a steady live size; size = replacements",
            full: fragment::FULL,
            tiny: fragment::TINY,
            config: Config::default,
            run: fragment::run::<S>,
        },
        Workload {
            name: "access",
            what: "reads of objects through roots, no allocation; size = reads",
            full: access::FULL,
            tiny: access::TINY,
            config: Config::default,
            run: access::run::<S>,
        },
        Workload {
            name: "wrapper_cache",
            what: "host objects looked up by key through a weak cache (most die young), with a finalization registry and a WeakMap of expandos; size = lookups",
            full: wrapper_cache::FULL,
            tiny: wrapper_cache::TINY,
            config: Config::default,
            run: wrapper_cache::run::<S>,
        },
        Workload {
            name: "interp",
            what: "a small Lisp over boxed integers: map, reverse, sum, naive fib; size = calls of (main i)",
            full: interp::FULL,
            tiny: interp::TINY,
            config: Config::default,
            run: interp::run::<S>,
        },
    ]
}

/// A small, seeded, reproducible generator (xorshift64).
#[derive(Clone, Debug)]
pub struct Xorshift(u64);

impl Xorshift {
    /// A generator with a non-zero seed.
    pub fn new(seed: u64) -> Self {
        Xorshift(seed.max(1))
    }

    /// The next number.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}
