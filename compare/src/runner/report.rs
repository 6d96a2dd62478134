//! Rendering the results: a table for the terminal, the same table in
//! Markdown, and one CSV line per workload and scheme.

use std::fmt::Write as _;
use std::time::Duration;

use gcroots::Stats;

use super::measure::Row;
use super::options::Options;

/// A duration in milliseconds with three significant figures or so.
fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 100.0 {
        format!("{ms:.0} ms")
    } else if ms >= 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

/// `a`, or `a / b` when the schemes disagree.
fn joined(values: impl Iterator<Item = u64>) -> String {
    let v: Vec<u64> = values.collect();
    if v.windows(2).all(|w| w[0] == w[1]) {
        v[0].to_string()
    } else {
        v.iter().map(u64::to_string).collect::<Vec<_>>().join(" / ")
    }
}

/// The ratio columns: with two schemes, the first's median over the
/// second's; with more, each scheme's median over the best of the others
/// (below 1: the fastest of all, by that factor).
fn ratios(row: &Row) -> Vec<f64> {
    let t: Vec<f64> = row.results.iter().map(|m| m.median.as_secs_f64()).collect();
    match t.as_slice() {
        [_] => Vec::new(),
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
        [_] => Vec::new(),
        [a, b] => vec![format!("{a}/{b}")],
        _ => schemes.iter().map(|s| format!("{s}/best other")).collect(),
    }
}

/// The table as rows of cells, header first.
pub fn cells(rows: &[Row]) -> Vec<Vec<String>> {
    let schemes: Vec<&str> = rows[0].results.iter().map(|m| m.scheme).collect();
    let mut header = vec!["workload".to_owned(), "size".to_owned()];
    header.extend(schemes.iter().map(|s| format!("{s} (median)")));
    header.extend(ratio_headers(&schemes));
    header.extend(["checksum", "collections", "bytes copied", "roots scanned"].map(str::to_owned));
    let mut out = vec![header];
    for row in rows {
        let mut line = vec![row.workload.to_owned(), row.size.to_string()];
        line.extend(row.results.iter().map(|m| ms(m.median)));
        line.extend(ratios(row).iter().map(|r| format!("{r:.2}")));
        line.push(
            if row.checksums_match() {
                "match"
            } else {
                "MISMATCH"
            }
            .to_owned(),
        );
        let stat = |f: fn(&Stats) -> u64| joined(row.results.iter().map(|m| f(&m.stats)));
        line.push(stat(|s| s.collections));
        line.push(stat(|s| s.bytes_copied));
        line.push(stat(|s| s.roots_scanned));
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

/// The cells as a Markdown document with a line saying how they were made.
pub fn markdown(cells: &[Vec<String>], options: &Options) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# gcroots comparison\n\nMedian of {} run(s) per workload and scheme, scale {}, on {} {} with {} hardware thread(s).\n",
        options.reps,
        options.scale,
        std::env::consts::OS,
        std::env::consts::ARCH,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    for (i, row) in cells.iter().enumerate() {
        let _ = writeln!(s, "| {} |", row.join(" | "));
        if i == 0 {
            let rule: Vec<&str> = row
                .iter()
                .enumerate()
                .map(|(c, _)| if c == 0 { "---" } else { "--:" })
                .collect();
            let _ = writeln!(s, "| {} |", rule.join(" | "));
        }
    }
    s
}

/// One line per workload and scheme, with every counter.
pub fn csv(rows: &[Row]) -> String {
    let mut s = String::from(
        "workload,size,scheme,median_ns,checksum,collections,objects_allocated,bytes_allocated,bytes_copied,roots_scanned,gc_ns\n",
    );
    for row in rows {
        for m in &row.results {
            let st = &m.stats;
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{},{},{},{},{}",
                row.workload,
                row.size,
                m.scheme,
                m.median.as_nanos(),
                m.checksum,
                st.collections,
                st.objects_allocated,
                st.bytes_allocated,
                st.bytes_copied,
                st.roots_scanned,
                st.gc_time.as_nanos()
            );
        }
    }
    s
}
