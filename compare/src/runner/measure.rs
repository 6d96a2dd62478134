//! Running the workloads: every selected workload in every selected heap
//! mode under every enabled scheme, alternating the schemes run by run,
//! keeping the median.

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use gcroots::{Config, Scheme, Stats};

use super::options::Options;
use crate::workloads::{self, Workload};

/// How the heap collects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// The workload's own configuration: a semispace heap.
    Semispace,
    /// The same with a nursery (of [`Config::NURSERY_BYTES`] unless
    /// `--nursery` says otherwise).
    Generational,
    /// A mark-region heap (Immix).
    MarkRegion,
    /// A nursery in front of a mark-region mature space.
    GenMarkRegion,
}

impl Mode {
    /// Every mode, in report order.
    pub const ALL: [Mode; 4] = [
        Mode::Semispace,
        Mode::Generational,
        Mode::MarkRegion,
        Mode::GenMarkRegion,
    ];

    /// The name `--modes` takes.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Semispace => "semispace",
            Mode::Generational => "generational",
            Mode::MarkRegion => "mark-region",
            Mode::GenMarkRegion => "gen-mark-region",
        }
    }

    /// What a row's label ends with in this mode: nothing for semispace.
    pub fn suffix(self) -> &'static str {
        match self {
            Mode::Semispace => "",
            Mode::Generational => " (gen)",
            Mode::MarkRegion => " (mr)",
            Mode::GenMarkRegion => " (gen mr)",
        }
    }

    /// A workload's row label in this mode: its name, with the mode's
    /// suffix.
    pub fn label(self, workload: &str) -> String {
        format!("{workload}{}", self.suffix())
    }

    /// The workload's configuration in this mode.
    pub fn config(self, base: Config, nursery: usize) -> Config {
        match self {
            Mode::Semispace => base,
            Mode::Generational => base.with_nursery(nursery),
            Mode::MarkRegion => base.with_mark_region(),
            Mode::GenMarkRegion => base.with_mark_region().with_nursery(nursery),
        }
    }
}

/// One workload's results in one mode: a row of the report.
#[derive(Debug)]
pub struct Row {
    /// The workload's name, with its mode ([`Mode::label`]).
    pub workload: String,
    /// The size it ran at.
    pub size: u64,
    /// One result per enabled scheme that runs in its mode: intrusive,
    /// indexed, hybrid, and conservative in mark-region rows.
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
    mode: Mode,
    full: u64,
    scheme: &'static str,
    run: Box<dyn Fn(u64) -> (Duration, u64, Stats)>,
}

fn entries<S: Scheme>(nursery: usize) -> impl Iterator<Item = Entry> {
    Mode::ALL.into_iter().flat_map(move |mode| {
        workloads::all::<S>()
            .into_iter()
            .map(move |w: Workload<S>| Entry {
                workload: w.name,
                mode,
                full: w.full,
                scheme: S::NAME,
                run: Box::new(move |size| {
                    let config = mode.config((w.config)(), nursery);
                    let (checksum, stats, elapsed) =
                        w.run_timed(size, Some(config)).unwrap_or_else(|e| {
                            panic!("{} ({}) under {}: {e}", w.name, mode.name(), S::NAME)
                        });
                    (elapsed, checksum, stats)
                }),
            })
    })
}

/// Every workload in every mode under every enabled scheme, grouped by
/// workload (all its modes in one group, semispace first, so that their
/// runs alternate too), in the order the workloads are listed.
fn all_entries(nursery: usize) -> Vec<Vec<Entry>> {
    let mut flat: Vec<Entry> = Vec::new();
    #[cfg(feature = "intrusive")]
    flat.extend(entries::<gcroots::Intrusive>(nursery));
    #[cfg(feature = "indexed")]
    flat.extend(entries::<gcroots::Indexed>(nursery));
    #[cfg(feature = "hybrid")]
    flat.extend(entries::<gcroots::Hybrid>(nursery));
    // Conservative stack roots need a heap that pins what the stack points
    // to: the mark-region rows only.
    #[cfg(all(feature = "conservative", not(miri)))]
    flat.extend(entries::<gcroots::Conservative>(nursery).filter(|e| e.mode == Mode::MarkRegion));
    let mut groups: Vec<Vec<Entry>> = Vec::new();
    for e in flat {
        match groups.iter_mut().find(|g| g[0].workload == e.workload) {
            Some(g) => g.push(e),
            None => groups.push(vec![e]),
        }
    }
    for g in &mut groups {
        g.sort_by_key(|e| e.mode);
    }
    let names: Vec<&str> = workloads::all::<gcroots::Selected>()
        .iter()
        .map(|w| w.name)
        .collect();
    groups.sort_by_key(|g| names.iter().position(|n| *n == g[0].workload));
    groups
}

/// Runs the selected workloads; `Err` if none is selected.
pub fn measure(options: &Options) -> Result<Vec<Row>, String> {
    let chosen: Vec<Vec<Entry>> = all_entries(options.nursery)
        .into_iter()
        .filter(|g| options.selects(g[0].workload))
        .map(|g| {
            g.into_iter()
                .filter(|e| options.modes.contains(&e.mode))
                .collect::<Vec<_>>()
        })
        .filter(|g| !g.is_empty())
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
                    bar.set_message(format!("{} under {}", e.mode.label(name), e.scheme));
                }
                let (t, checksum, stats) = (e.run)(size);
                times[k].push(t);
                last[k] = Some((checksum, stats));
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
            }
        }
        let results: Vec<(Mode, Measured)> = group
            .iter()
            .zip(times)
            .zip(last)
            .map(|((e, mut t), last)| {
                t.sort();
                let (checksum, stats) = last.expect("at least one rep");
                let m = Measured {
                    scheme: e.scheme,
                    median: t[t.len() / 2],
                    min: t[0],
                    max: t[t.len() - 1],
                    checksum,
                    stats,
                };
                (e.mode, m)
            })
            .collect();
        // A row per mode, in report order.
        for mode in Mode::ALL {
            let in_mode: Vec<Measured> = results
                .iter()
                .filter(|(m, _)| *m == mode)
                .map(|(_, r)| r.clone())
                .collect();
            if !in_mode.is_empty() {
                rows.push(Row {
                    workload: mode.label(name),
                    size,
                    results: in_mode,
                });
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(rows)
}
