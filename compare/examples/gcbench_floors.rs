//! GCBench against the floors a collector is judged by: the same trees
//! built with `Box` (malloc and free) and in a `bumpalo` arena that never
//! frees anything, beside the gcroots workload in every heap mode (the
//! mark-region ones with and without evacuation) under every scheme. Each
//! runs in a process of its own, so that its peak resident memory
//! (`VmHWM`) is its own. `--workload NAME` measures another workload the
//! same way, without the floors (the fragment workload shows what
//! evacuation saves); `--only TEXT` keeps the variants whose name contains
//! it.
//!
//! ```sh
//! cargo run --release -p gcroots-compare --example gcbench_floors [-- --reps ROUNDS] [--workload NAME] [--only TEXT]
//! ```
//!
//! The three implementations build the same trees in the same order (a
//! stretch tree, a long-lived tree and array, then top-down and bottom-up
//! trees of every even depth from 4 to 16) and return the same checksum,
//! which is checked.

use std::cell::Cell;
use std::process::{Command, ExitCode};
use std::time::Instant;

use gcroots::{Config, Scheme};
use gcroots_compare::runner::measure::Mode;
use gcroots_compare::workloads;

const MAX_DEPTH: u32 = 16;
const MIN_DEPTH: u32 = 4;
const ARRAY_LEN: usize = 500_000;

fn tree_size(depth: u32) -> u64 {
    (1 << (depth + 1)) - 1
}

/// GCBench's driver, over any way of making trees: `top_down` and
/// `bottom_up` build a tree of the given depth and return the sum along
/// its leftmost path; `long_lived` builds the long-lived tree and array and
/// returns what the end of the run adds to the checksum.
fn drive(
    mut top_down: impl FnMut(u32) -> u64,
    mut bottom_up: impl FnMut(u32) -> u64,
    long_lived: impl FnOnce(&mut dyn FnMut()) -> u64,
) -> u64 {
    let stretch = MAX_DEPTH + 2;
    let mut sum = bottom_up(stretch);
    sum += long_lived(&mut || {
        for depth in (MIN_DEPTH..=MAX_DEPTH).step_by(2) {
            let iterations = 2 * tree_size(stretch) / tree_size(depth);
            for _ in 0..iterations {
                sum += top_down(depth);
            }
            for _ in 0..iterations {
                sum += bottom_up(depth);
            }
        }
    });
    sum
}

/// The end of the run: the long-lived tree's node count and the array
/// sample, as the gcroots workload adds them.
fn tail(nodes: u64, array: &[f64]) -> u64 {
    nodes + (array[ARRAY_LEN / 4] * 1e9) as u64
}

fn array() -> Vec<f64> {
    let mut a = vec![0.0; ARRAY_LEN];
    for (i, x) in a.iter_mut().enumerate().take(ARRAY_LEN / 2).skip(1) {
        *x = 1.0 / i as f64;
    }
    a
}

/// `Box` nodes: malloc for every node, free when the tree is dropped.
mod boxed {
    pub(super) struct Node {
        pub(super) left: Option<Box<Node>>,
        pub(super) right: Option<Box<Node>>,
        pub(super) i: u64,
        pub(super) j: u64,
    }

    fn new() -> Box<Node> {
        Box::new(Node {
            left: None,
            right: None,
            i: 0,
            j: 0,
        })
    }

    pub(super) fn populate(depth: u32, node: &mut Node) {
        node.i = depth.into();
        if depth > 0 {
            let (mut l, mut r) = (new(), new());
            populate(depth - 1, &mut l);
            populate(depth - 1, &mut r);
            node.left = Some(l);
            node.right = Some(r);
        }
    }

    pub(super) fn make(depth: u32) -> Box<Node> {
        if depth == 0 {
            return new();
        }
        let (l, r) = (make(depth - 1), make(depth - 1));
        let mut n = new();
        n.left = Some(l);
        n.right = Some(r);
        n.i = depth.into();
        n
    }

    pub(super) fn top_down(depth: u32) -> Box<Node> {
        let mut n = new();
        populate(depth, &mut n);
        n
    }

    pub(super) fn leftmost(mut n: &Node) -> u64 {
        let mut sum = n.i + n.j;
        while let Some(l) = &n.left {
            n = l;
            sum += n.i;
        }
        sum
    }

    pub(super) fn count(n: &Node) -> u64 {
        1 + n.left.as_deref().map_or(0, count) + n.right.as_deref().map_or(0, count)
    }
}

/// Arena nodes: bump-allocated, never freed.
mod arena {
    use std::cell::Cell;

    pub(super) struct Node<'a> {
        pub(super) left: Cell<Option<&'a Node<'a>>>,
        pub(super) right: Cell<Option<&'a Node<'a>>>,
        pub(super) i: Cell<u64>,
        pub(super) j: u64,
    }

    fn new<'a>(bump: &'a bumpalo::Bump) -> &'a Node<'a> {
        bump.alloc(Node {
            left: Cell::new(None),
            right: Cell::new(None),
            i: Cell::new(0),
            j: 0,
        })
    }

    pub(super) fn populate<'a>(bump: &'a bumpalo::Bump, depth: u32, node: &'a Node<'a>) {
        node.i.set(depth.into());
        if depth > 0 {
            let (l, r) = (new(bump), new(bump));
            node.left.set(Some(l));
            node.right.set(Some(r));
            populate(bump, depth - 1, l);
            populate(bump, depth - 1, r);
        }
    }

    pub(super) fn make<'a>(bump: &'a bumpalo::Bump, depth: u32) -> &'a Node<'a> {
        let n = new(bump);
        if depth > 0 {
            n.left.set(Some(make(bump, depth - 1)));
            n.right.set(Some(make(bump, depth - 1)));
            n.i.set(depth.into());
        }
        n
    }

    pub(super) fn top_down<'a>(bump: &'a bumpalo::Bump, depth: u32) -> &'a Node<'a> {
        let n = new(bump);
        populate(bump, depth, n);
        n
    }

    pub(super) fn leftmost(mut n: &Node<'_>) -> u64 {
        let mut sum = n.i.get() + n.j;
        while let Some(l) = n.left.get() {
            n = l;
            sum += n.i.get();
        }
        sum
    }

    pub(super) fn count(n: &Node<'_>) -> u64 {
        1 + n.left.get().map_or(0, count) + n.right.get().map_or(0, count)
    }
}

fn run_box() -> u64 {
    drive(
        |d| boxed::leftmost(&boxed::top_down(d)),
        |d| boxed::leftmost(&boxed::make(d)),
        |rest| {
            let long_lived = boxed::top_down(MAX_DEPTH);
            let a = array();
            rest();
            tail(boxed::count(&long_lived), &a)
        },
    )
}

fn run_arena() -> u64 {
    let bump = bumpalo::Bump::new();
    let a = Cell::new(None);
    drive(
        |d| arena::leftmost(arena::top_down(&bump, d)),
        |d| arena::leftmost(arena::make(&bump, d)),
        |rest| {
            let long_lived = arena::top_down(&bump, MAX_DEPTH);
            a.set(Some(array()));
            rest();
            let a = a.take().expect("set above");
            tail(arena::count(long_lived), &a)
        },
    )
}

/// What one run reports: its checksum, and for a gcroots heap its peak
/// footprint and the bytes its collections copied.
type Outcome = (u64, u64, u64);

/// A variant's name, and what it runs.
type Variant = (String, Box<dyn Fn() -> Outcome>);

/// The GCBench floors, which report no heap statistics.
fn floor(f: fn() -> u64) -> Box<dyn Fn() -> Outcome> {
    Box::new(move || (f(), 0, 0))
}

/// Runs `workload` at full size in `mode` (evacuating or not).
fn run_gcroots<S: Scheme>(workload: &str, mode: Mode, evacuate: bool) -> Outcome {
    let w = workloads::all::<S>()
        .into_iter()
        .find(|w| w.name == workload)
        .expect("a workload of that name");
    let config = Config {
        evacuate,
        ..mode.config((w.config)(), Config::NURSERY_BYTES)
    };
    let size = if workload == "gcbench" {
        u64::from(MAX_DEPTH)
    } else {
        w.full
    };
    let (checksum, stats, _) = w
        .run_timed(size, Some(config))
        .expect("the workload fits the default heap");
    (
        checksum,
        stats.peak_footprint_bytes as u64,
        stats.bytes_copied,
    )
}

/// Every mode of one scheme, and the mark-region ones without evacuation.
fn modes<S: Scheme>(workload: &'static str) -> Vec<Variant> {
    let mut v = Vec::new();
    for mode in Mode::ALL {
        let evacuations: &[bool] = match mode {
            Mode::MarkRegion | Mode::GenMarkRegion => &[true, false],
            _ => &[true],
        };
        for &evacuate in evacuations {
            let mut name = match mode {
                Mode::Semispace => format!("gcroots {}", S::NAME),
                m => format!(
                    "gcroots {},{}",
                    S::NAME,
                    m.suffix().trim_end_matches(')').replace(" (", " ")
                ),
            };
            if !evacuate {
                name.push_str(", no evacuation");
            }
            v.push((
                name,
                Box::new(move || run_gcroots::<S>(workload, mode, evacuate))
                    as Box<dyn Fn() -> Outcome>,
            ));
        }
    }
    v
}

/// The variants for `workload`: GCBench's floors first, for GCBench.
fn variants(workload: &'static str) -> Vec<Variant> {
    let mut v: Vec<Variant> = Vec::new();
    if workload == "gcbench" {
        v.push(("Box (malloc/free)".into(), floor(run_box)));
        v.push(("bumpalo (never freed)".into(), floor(run_arena)));
    }
    #[cfg(feature = "intrusive")]
    v.extend(modes::<gcroots::Intrusive>(workload));
    #[cfg(feature = "indexed")]
    v.extend(modes::<gcroots::Indexed>(workload));
    #[cfg(feature = "hybrid")]
    v.extend(modes::<gcroots::Hybrid>(workload));
    v
}

/// This process's peak resident memory in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Child mode: runs variant `index` of `workload` once; prints the time in
/// nanoseconds, the checksum, the peak RSS, the heap's peak footprint and
/// the bytes it copied.
fn child(workload: &'static str, index: usize) -> ExitCode {
    let variants = variants(workload);
    let (_, run) = &variants[index];
    let start = Instant::now();
    let (checksum, footprint, copied) = std::hint::black_box(run());
    let time = start.elapsed();
    println!(
        "{} {checksum} {} {footprint} {copied}",
        time.as_nanos(),
        peak_rss_kib().unwrap_or(0)
    );
    ExitCode::SUCCESS
}

/// The value of option `name`, if given.
fn option<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1).map(String::as_str)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let reps = option(&args, "--reps")
        .and_then(|r| r.parse().ok())
        .unwrap_or(5usize)
        .max(1);
    let workload: &'static str = match option(&args, "--workload") {
        Some(w) => match workloads::all::<gcroots::Selected>()
            .into_iter()
            .find(|x| x.name == w)
        {
            Some(x) => x.name,
            None => {
                eprintln!("no workload `{w}` (`cargo run --release -- --list` lists them)");
                return ExitCode::FAILURE;
            }
        },
        None => "gcbench",
    };
    if let Some(i) = option(&args, "--variant") {
        return child(workload, i.parse().expect("a variant index"));
    }
    let exe = std::env::current_exe().expect("this example's path");
    let variants = variants(workload);
    let floors = if workload == "gcbench" { 2 } else { 0 };
    // `--only TEXT`: the floors and the variants whose name contains it.
    let only = option(&args, "--only");
    let chosen = |index: usize, name: &str| index < floors || only.is_none_or(|o| name.contains(o));
    // Round by round, one process per variant per round, so that a noisy
    // stretch of time falls on every variant alike; then the median.
    let mut runs: Vec<Vec<[f64; 5]>> = vec![Vec::new(); variants.len()];
    let mut ok = true;
    for _ in 0..reps {
        for (index, (name, _)) in variants.iter().enumerate() {
            if !chosen(index, name) {
                continue;
            }
            let out = Command::new(&exe)
                .args(["--workload", workload, "--variant", &index.to_string()])
                .output()
                .expect("run a variant");
            let text = String::from_utf8_lossy(&out.stdout);
            let f: Vec<f64> = text
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            match f[..] {
                [ns, checksum, rss, footprint, copied] => {
                    runs[index].push([ns, checksum, rss, footprint, copied])
                }
                _ => {
                    eprintln!(
                        "{name}: no result ({})",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    ok = false;
                }
            }
        }
    }
    let median = |i: usize, field: usize| {
        let mut x: Vec<f64> = runs[i].iter().map(|r| r[field]).collect();
        x.sort_by(f64::total_cmp);
        x.get(x.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let ratio = |a: f64, b: f64| {
        if b.is_finite() && b > 0.0 {
            format!("{:.2}", a / b)
        } else {
            "—".to_owned()
        }
    };
    // Every variant does the same work: the same checksum on every run
    // (the gcroots workload's is checked against plain arithmetic by its
    // test).
    let sums: Vec<u64> = runs.iter().flatten().map(|r| r[1] as u64).collect();
    if sums.windows(2).any(|w| w[0] != w[1]) {
        eprintln!("the variants' checksums differ: {sums:?}");
        ok = false;
    }
    // Ratios against Box (GCBench) or the first variant (semispace).
    let base = 0;
    let against = if floors > 0 {
        "Box"
    } else {
        "intrusive semispace"
    };
    println!(
        "{workload}: median of {reps} rounds, each variant once per round in a process of its own"
    );
    // With the floors, the time against bumpalo's too (index 1); every
    // gcroots variant's time against its scheme's semispace variant (the
    // one named without a mode), from the same rounds.
    let bumpalo = if floors > 1 { " × bumpalo |" } else { "" };
    println!(
        "| variant | time | × {against} |{bumpalo} × its semispace | peak RSS | × {against} RSS | heap peak footprint | bytes copied |\n|---|--:|--:|{}--:|--:|--:|--:|--:|",
        if floors > 1 { "--:|" } else { "" }
    );
    for (index, (name, _)) in variants.iter().enumerate() {
        if !chosen(index, name) {
            continue;
        }
        let gcroots = index >= floors;
        let scheme = name.split(',').next().unwrap_or(name);
        let semispace = variants.iter().position(|(n, _)| *n == scheme);
        let against_semispace = match semispace {
            Some(s) if gcroots => ratio(median(index, 0), median(s, 0)),
            _ => String::new(),
        };
        let against_bumpalo = if floors > 1 {
            format!(" {} |", ratio(median(index, 0), median(1, 0)))
        } else {
            String::new()
        };
        println!(
            "| {name} | {:.0} ms | {} |{against_bumpalo} {against_semispace} | {:.0} MiB | {} | {} | {} |",
            median(index, 0) / 1e6,
            ratio(median(index, 0), median(base, 0)),
            median(index, 2) / 1024.0,
            ratio(median(index, 2), median(base, 2)),
            if gcroots {
                format!("{:.0} MiB", median(index, 3) / f64::from(1 << 20))
            } else {
                String::new()
            },
            if gcroots {
                format!("{:.0}", median(index, 4))
            } else {
                String::new()
            },
        );
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
