//! `--baseline`: this run against a saved one. A workload's time under a
//! scheme has *moved* when the two runs' ranges (fastest to slowest run)
//! do not overlap: a change bigger than the noise either run measured.

use std::fmt::Write as _;

use super::record::{self, Record};
use super::report::ms;

/// One workload under one scheme, in both runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The workload.
    pub workload: String,
    /// The scheme.
    pub scheme: String,
    /// This run's median over the baseline's.
    pub ratio: f64,
    /// Whether the ranges do not overlap.
    pub moved: bool,
    /// The baseline's and this run's medians.
    pub before_ns: u128,
    /// See `before_ns`.
    pub after_ns: u128,
}

/// Every workload and scheme in both runs (at the same size), in this
/// run's order.
pub fn compare(now: &[Record], before: &[Record]) -> Vec<Change> {
    now.iter()
        .filter_map(|n| {
            let b = record::find(before, &n.workload, &n.scheme).filter(|b| b.size == n.size)?;
            Some(Change {
                workload: n.workload.clone(),
                scheme: n.scheme.clone(),
                ratio: n.median_ns as f64 / b.median_ns as f64,
                moved: n.min_ns > b.max_ns || n.max_ns < b.min_ns,
                before_ns: b.median_ns,
                after_ns: n.median_ns,
            })
        })
        .collect()
}

/// The comparison as a Markdown table; moved rows are marked.
pub fn table(changes: &[Change]) -> String {
    let mut s = String::from(
        "| workload | scheme | baseline | now | now/baseline | moved? |\n|---|---|--:|--:|--:|---|\n",
    );
    for c in changes {
        let moved = if !c.moved {
            "within noise"
        } else if c.ratio < 1.0 {
            "**faster**"
        } else {
            "**slower**"
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {:.2} | {moved} |",
            c.workload,
            c.scheme,
            ms(c.before_ns),
            ms(c.after_ns),
            c.ratio
        );
    }
    s
}
