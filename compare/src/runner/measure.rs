//! Running the workloads: every selected workload under every enabled
//! scheme, alternating the schemes run by run, keeping the median.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use gcroots::{Scheme, Stats};

use super::options::Options;
use crate::workloads::{self, Workload};

/// One workload's results: a row of the report.
#[derive(Debug)]
pub struct Row {
    /// The workload's name.
    pub workload: &'static str,
    /// The size it ran at.
    pub size: u64,
    /// One result per enabled scheme: intrusive, indexed, hybrid.
    pub results: Vec<Measured>,
}

/// One scheme's results on one workload.
#[derive(Clone, Debug)]
pub struct Measured {
    /// The scheme's name.
    pub scheme: &'static str,
    /// The median wall time of the runs.
    pub median: Duration,
    /// The fastest and slowest runs: the noise the median sits in.
    pub min: Duration,
    /// See `min`.
    pub max: Duration,
    /// The workload's checksum (the same on every run).
    pub checksum: u64,
    /// The heap's statistics after the last run.
    pub stats: Stats,
}

impl Row {
    /// Whether every scheme returned the same checksum.
    pub fn checksums_match(&self) -> bool {
        self.results
            .windows(2)
            .all(|w| w[0].checksum == w[1].checksum)
    }
}

/// A workload instantiated for one scheme, erased so that the schemes can
/// share a row.
struct Entry {
    workload: &'static str,
    full: u64,
    scheme: &'static str,
    run: Box<dyn Fn(u64) -> (Duration, u64, Stats)>,
}

fn entries<S: Scheme>() -> impl Iterator<Item = Entry> {
    workloads::all::<S>()
        .into_iter()
        .map(|w: Workload<S>| Entry {
            workload: w.name,
            full: w.full,
            scheme: S::NAME,
            run: Box::new(move |size| {
                let (checksum, stats, elapsed) = w
                    .run_timed(size, None)
                    .unwrap_or_else(|e| panic!("{} under {}: {e}", w.name, S::NAME));
                (elapsed, checksum, stats)
            }),
        })
}

/// Every workload under every enabled scheme, grouped by workload in the
/// order the workloads are listed.
fn all_entries() -> Vec<Vec<Entry>> {
    let mut flat = Vec::new();
    #[cfg(feature = "intrusive")]
    flat.extend(entries::<gcroots::Intrusive>());
    #[cfg(feature = "indexed")]
    flat.extend(entries::<gcroots::Indexed>());
    #[cfg(feature = "hybrid")]
    flat.extend(entries::<gcroots::Hybrid>());
    let mut groups: Vec<Vec<Entry>> = Vec::new();
    for e in flat {
        match groups.iter_mut().find(|g| g[0].workload == e.workload) {
            Some(g) => g.push(e),
            None => groups.push(vec![e]),
        }
    }
    groups
}

/// Runs the selected workloads; `Err` if none is selected.
pub fn measure(options: &Options) -> Result<Vec<Row>, String> {
    let chosen: Vec<Vec<Entry>> = all_entries()
        .into_iter()
        .filter(|g| options.selects(g[0].workload))
        .collect();
    if chosen.is_empty() {
        return Err("no workload matches --workloads (try --list)".into());
    }
    let count = chosen.len();
    // On a terminal, a progress bar over every run with an estimate of the
    // time left; elsewhere (a log), a line per workload.
    let runs: u64 = chosen.iter().map(|g| (g.len() * options.reps) as u64).sum();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(runs);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} runs, {eta} left: {msg}")
                .expect("a valid template"),
        );
        bar
    });
    let mut rows = Vec::new();
    for (i, group) in chosen.into_iter().enumerate() {
        let name = group[0].workload;
        let size = ((group[0].full as f64 * options.scale).round() as u64).max(1);
        if bar.is_none() {
            eprintln!("[{}/{count}] {name} (size {size})", i + 1);
        }
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); group.len()];
        let mut last: Vec<Option<(u64, Stats)>> = vec![None; group.len()];
        for _ in 0..options.reps {
            for (k, e) in group.iter().enumerate() {
                if let Some(bar) = &bar {
                    bar.set_message(format!("{name} under {}", e.scheme));
                }
                let (t, checksum, stats) = (e.run)(size);
                times[k].push(t);
                last[k] = Some((checksum, stats));
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
            }
        }
        let results = group
            .iter()
            .zip(times)
            .zip(last)
            .map(|((e, mut t), last)| {
                t.sort();
                let (checksum, stats) = last.expect("at least one rep");
                Measured {
                    scheme: e.scheme,
                    median: t[t.len() / 2],
                    min: t[0],
                    max: t[t.len() - 1],
                    checksum,
                    stats,
                }
            })
            .collect();
        rows.push(Row {
            workload: name,
            size,
            results,
        });
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(rows)
}
