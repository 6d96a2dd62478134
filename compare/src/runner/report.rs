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

/// The table as rows of cells, header first.
pub fn cells(records: &[Record]) -> Vec<Vec<String>> {
    let schemes = record::schemes(records);
    let mut header = vec!["workload".to_owned(), "size".to_owned()];
    header.extend(schemes.iter().map(|s| format!("{s} (median)")));
    header.extend(ratio_headers(&schemes));
    header.extend(["checksum", "collections", "bytes copied", "roots scanned"].map(str::to_owned));
    let mut out = vec![header];
    for w in record::workloads(records) {
        let row: Vec<&Record> = schemes
            .iter()
            .filter_map(|s| record::find(records, w, s))
            .collect();
        let mut line = vec![w.to_owned(), row[0].size.to_string()];
        line.extend(row.iter().map(|r| ms(r.median_ns)));
        let t: Vec<f64> = row.iter().map(|r| r.median_ns as f64).collect();
        line.extend(ratios(&t).iter().map(|r| format!("{r:.2}")));
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
