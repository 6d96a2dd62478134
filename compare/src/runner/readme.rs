//! The README's result tables, printed from a run's `report.csv` and
//! criterion's estimates (`--readme`), so that no figure in the README is
//! typed by hand.

use std::fmt::Write as _;

use super::chart::groups;
use super::criterion::Estimate;
use super::measure::Mode;
use super::record;
use super::record::Record;
use super::report;

/// A time in the unit that suits it.
pub fn ns(t: f64) -> String {
    if t >= 1e6 {
        format!("{:.2} ms", t / 1e6)
    } else if t >= 1e3 {
        format!("{:.2} µs", t / 1e3)
    } else if t >= 10.0 {
        format!("{t:.1} ns")
    } else {
        format!("{t:.2} ns")
    }
}

/// The workloads table, in Markdown.
pub fn workloads_table(records: &[Record]) -> String {
    report::markdown_table(&report::cells(records))
}

/// The modes table, in Markdown: for every workload and every mode other
/// than semispace that it ran in, each scheme's time in that mode over its
/// semispace time, and what each mode did (bytes copied, collections, peak
/// footprint in MiB), from the first scheme's record.
pub fn modes_table(records: &[Record]) -> String {
    // The schemes that ran the semispace rows (the conservative scheme
    // runs in mark-region rows only, and has no ratio to semispace).
    let mut schemes = record::schemes(records);
    if let Some(first) = records.first() {
        schemes.retain(|sc| record::find(records, &first.workload, sc).is_some());
    }
    let mut s = String::from("| workload | mode |");
    for scheme in &schemes {
        let _ = write!(s, " {scheme} mode/semispace |");
    }
    s.push_str(
        " bytes copied, semispace → mode | collections, semispace → mode | peak footprint MiB, semispace → mode |\n|---|---|",
    );
    s.push_str(&"--:|".repeat(schemes.len() + 3));
    s.push('\n');
    for w in record::workloads(records) {
        for mode in &Mode::ALL[1..] {
            let label = mode.label(w);
            let pairs: Vec<(&Record, &Record)> = schemes
                .iter()
                .filter_map(|sc| {
                    Some((
                        record::find(records, w, sc)?,
                        record::find(records, &label, sc)?,
                    ))
                })
                .collect();
            let Some(&(semi0, other0)) = pairs.first() else {
                continue;
            };
            let _ = write!(s, "| {w} | {} |", mode.name());
            for (semi, other) in &pairs {
                let _ = write!(
                    s,
                    " {:.2} |",
                    other.median_ns as f64 / semi.median_ns as f64
                );
            }
            let mib = |r: &Record| r.peak_footprint_bytes as f64 / f64::from(1 << 20);
            let _ = writeln!(
                s,
                " {} → {} | {} → {} ({} minor) | {:.1} → {:.1} |",
                semi0.bytes_copied,
                other0.bytes_copied,
                semi0.collections,
                other0.collections,
                other0.minor_collections,
                mib(semi0),
                mib(other0)
            );
        }
    }
    s
}

/// The hot paths table, in Markdown: every criterion benchmark with its
/// median and, in groups that have a floor (a function named `floor_*`),
/// its multiple of the floor. In `collect/N` and `minor_root_scan/N`
/// groups the time is also given per root (the median over N).
pub fn hot_paths_table(estimates: &[Estimate]) -> String {
    let mut s = String::from(
        "| group | benchmark | median | per root | × floor |\n|---|---|--:|--:|--:|\n",
    );
    for group in groups(estimates) {
        let in_group: Vec<&Estimate> = estimates.iter().filter(|e| e.group == group).collect();
        let floor = in_group
            .iter()
            .find(|e| e.function.starts_with("floor"))
            .map(|e| e.median_ns);
        let per = group
            .strip_prefix("collect/")
            .or_else(|| group.strip_prefix("minor_root_scan/"))
            .and_then(|n| n.parse::<f64>().ok());
        for e in in_group {
            let per_root = match per {
                Some(n) if !e.function.starts_with("floor") => ns(e.median_ns / n),
                _ => String::new(),
            };
            let times = floor
                .map(|f| format!("{:.2}", e.median_ns / f))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "| {group} | {} | {} | {per_root} | {times} |",
                e.function,
                ns(e.median_ns)
            );
        }
    }
    s
}
