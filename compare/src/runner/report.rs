//! Rendering the results: the table (for the terminal, and in Markdown for
//! `report.md` and the README), from the records of a run.

use std::fmt::Write as _;

use super::record::{self, Record};

/// A duration in milliseconds with three significant figures or so.
pub(crate) fn ms(ns: u128) -> String {
    let ms = ns as f64 / 1e6;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

/// `a`, or `a / b / c` when the schemes disagree.
fn joined(values: impl Iterator<Item = u64>) -> String {
    let v: Vec<u64> = values.collect();
    if v.windows(2).all(|w| w[0] == w[1]) {
        v.first().map(u64::to_string).unwrap_or_default()
    } else {
        v.iter().map(u64::to_string).collect::<Vec<_>>().join(" / ")
    }
}

/// The ratio columns of one workload, from its medians in scheme order:
/// with two schemes, the first over the second; with more, each over the
/// best of the others (below 1: the fastest of all, by that factor).
pub fn ratios(t: &[f64]) -> Vec<f64> {
    match t {
        [_] | [] => Vec::new(),
        [a, b] => vec![a / b],
        _ => (0..t.len())
            .map(|i| {
                let best_other = (0..t.len())
                    .filter(|&j| j != i)
                    .map(|j| t[j])
                    .fold(f64::INFINITY, f64::min);
                t[i] / best_other
            })
            .collect(),
    }
}

/// The headers of [`ratios`]' columns.
fn ratio_headers(schemes: &[&str]) -> Vec<String> {
    match schemes {
        [_] | [] => Vec::new(),
        [a, b] => vec![format!("{a}/{b}")],
        _ => schemes.iter().map(|s| format!("{s}/best other")).collect(),
    }
}

/// Whether every scheme returned the same checksum for `workload`.
pub fn checksums_match(records: &[Record], workload: &str) -> bool {
    let sums: Vec<u64> = records
        .iter()
        .filter(|r| r.workload == workload)
        .map(|r| r.checksum)
        .collect();
    sums.windows(2).all(|w| w[0] == w[1])
}

/// The table as rows of cells, header first. A scheme that does not run
/// in a row's mode (the conservative scheme outside mark-region) has an
/// empty cell there, and the ratios compare the schemes that ran.
pub fn cells(records: &[Record]) -> Vec<Vec<String>> {
    let schemes = record::schemes(records);
    let mut header = vec!["workload".to_owned(), "size".to_owned()];
    header.extend(schemes.iter().map(|s| format!("{s} (median)")));
    header.extend(ratio_headers(&schemes));
    header.extend(["checksum", "collections", "bytes copied", "roots scanned"].map(str::to_owned));
    let mut out = vec![header];
    for w in record::workloads(records) {
        let slots: Vec<Option<&Record>> = schemes
            .iter()
            .map(|s| record::find(records, w, s))
            .collect();
        let row: Vec<&Record> = slots.iter().flatten().copied().collect();
        let mut line = vec![w.to_owned(), row[0].size.to_string()];
        line.extend(
            slots
                .iter()
                .map(|r| r.map_or_else(|| "-".to_owned(), |r| ms(r.median_ns))),
        );
        let t: Vec<f64> = row.iter().map(|r| r.median_ns as f64).collect();
        let ratio_cells = ratio_headers(&schemes).len();
        if ratio_cells == slots.len() {
            // One ratio per scheme, each over the best of the others that
            // ran in this row; blank where the scheme did not run.
            let mut k = 0;
            line.extend(slots.iter().map(|r| {
                if r.is_none() || t.len() < 2 {
                    return "-".to_owned();
                }
                let best_other = (0..t.len())
                    .filter(|&j| j != k)
                    .map(|j| t[j])
                    .fold(f64::INFINITY, f64::min);
                k += 1;
                format!("{:.2}", t[k - 1] / best_other)
            }));
        } else {
            let mut cells: Vec<String> = ratios(&t).iter().map(|x| format!("{x:.2}")).collect();
            cells.resize(ratio_cells, "-".to_owned());
            line.extend(cells);
        }
        line.push(
            if checksums_match(records, w) {
                "match"
            } else {
                "MISMATCH"
            }
            .to_owned(),
        );
        let minor = joined(row.iter().map(|r| r.minor_collections));
        let collections = joined(row.iter().map(|r| r.collections));
        line.push(if minor == "0" {
            collections
        } else {
            format!("{collections} ({minor} minor)")
        });
        line.push(joined(row.iter().map(|r| r.bytes_copied)));
        line.push(joined(row.iter().map(|r| r.roots_scanned)));
        out.push(line);
    }
    out
}

/// The conservative scheme's own table, one row per workload it ran (the
/// mark-region rows), or `None` if it ran none: its time against the best
/// precise scheme's and the indexed scheme's (whose long-lived roots it
/// shares), what its stack scans read and found, what they pinned
/// (a share of the objects and bytes the collections kept), and its false
/// retention: the mean live size after a full collection against the
/// first precise scheme's on the same workload (the same deterministic
/// allocations, collected at the same points when the collection counts
/// agree, which the last column shows).
pub fn conservative_cells(records: &[Record]) -> Option<Vec<Vec<String>>> {
    const NAME: &str = "conservative";
    let precise: Vec<&str> = record::schemes(records)
        .into_iter()
        .filter(|s| *s != NAME)
        .collect();
    let mut out = vec![
        [
            "workload",
            "conservative",
            "best precise",
            "conservative/best",
            "conservative/indexed",
            "stack KiB/GC",
            "ambiguous words/GC",
            "pinned objects",
            "pinned bytes",
            "false retention",
            "collections (vs precise)",
        ]
        .map(str::to_owned)
        .to_vec(),
    ];
    let pct = |a: u64, b: u64| {
        if b == 0 {
            "-".to_owned()
        } else {
            format!("{:.3}%", 100.0 * a as f64 / b as f64)
        }
    };
    for w in record::workloads(records) {
        let Some(c) = record::find(records, w, NAME) else {
            continue;
        };
        let others: Vec<&Record> = precise
            .iter()
            .filter_map(|s| record::find(records, w, s))
            .collect();
        let Some(best) = others.iter().min_by_key(|r| r.median_ns) else {
            continue;
        };
        let reference = others[0];
        let full = |r: &Record| r.collections - r.minor_collections;
        let per_gc = |x: u64| {
            if full(c) == 0 {
                0.0
            } else {
                x as f64 / full(c) as f64
            }
        };
        let mean_live = |r: &Record| {
            if full(r) == 0 {
                0.0
            } else {
                r.live_bytes_summed as f64 / full(r) as f64
            }
        };
        let retention = if mean_live(reference) > 0.0 {
            format!(
                "{:+.3}%",
                100.0 * (mean_live(c) / mean_live(reference) - 1.0)
            )
        } else {
            "-".to_owned()
        };
        let kept_bytes = c.bytes_copied + c.bytes_marked;
        out.push(vec![
            w.to_owned(),
            ms(c.median_ns),
            format!("{} ({})", ms(best.median_ns), best.scheme),
            format!("{:.2}", c.median_ns as f64 / best.median_ns as f64),
            // The indexed scheme keeps long-lived roots as this one does:
            // the ratio isolates the stack roots.
            record::find(records, w, "indexed").map_or_else(
                || "-".to_owned(),
                |i| format!("{:.2}", c.median_ns as f64 / i.median_ns as f64),
            ),
            format!("{:.1}", per_gc(c.stack_bytes_scanned) / 1024.0),
            format!("{:.1}", per_gc(c.ambiguous_words)),
            pct(c.objects_pinned_by_stack, c.objects_kept),
            pct(c.bytes_pinned_by_stack, kept_bytes),
            retention,
            format!("{} ({})", full(c), full(reference)),
        ]);
    }
    (out.len() > 1).then_some(out)
}

/// The cells as an aligned plain-text table.
pub fn terminal(cells: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..cells[0].len())
        .map(|c| cells.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut s = String::new();
    for (i, row) in cells.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if c == 0 {
                let _ = write!(s, "{cell:<w$}", w = widths[c]);
            } else {
                let _ = write!(s, "  {cell:>w$}", w = widths[c]);
            }
        }
        s.push('\n');
        if i == 0 {
            let total = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            s.push_str(&"-".repeat(total));
            s.push('\n');
        }
    }
    s
}

/// The cells as a Markdown table.
pub fn markdown_table(cells: &[Vec<String>]) -> String {
    let mut s = String::new();
    for (i, row) in cells.iter().enumerate() {
        let _ = writeln!(s, "| {} |", row.join(" | "));
        if i == 0 {
            let rule: Vec<&str> = (0..row.len())
                .map(|c| if c == 0 { "---" } else { "--:" })
                .collect();
            let _ = writeln!(s, "|{}|", rule.join("|"));
        }
    }
    s
}
