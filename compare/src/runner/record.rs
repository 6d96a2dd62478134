//! [`Record`]: one workload under one scheme, as the report's CSV keeps it
//! and as `--baseline` and `--readme` read it back.

use std::fmt::Write as _;

use super::measure::Row;

/// One line of `report.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The workload.
    pub workload: String,
    /// Its size.
    pub size: u64,
    /// The scheme.
    pub scheme: String,
    /// The median, fastest and slowest run, in nanoseconds.
    pub median_ns: u128,
    /// See `median_ns`.
    pub min_ns: u128,
    /// See `median_ns`.
    pub max_ns: u128,
    /// The workload's checksum.
    pub checksum: u64,
    /// Collections run, minor and full.
    pub collections: u64,
    /// Of those, minor collections.
    pub minor_collections: u64,
    /// Objects allocated.
    pub objects_allocated: u64,
    /// Bytes allocated.
    pub bytes_allocated: u64,
    /// Bytes copied by collections.
    pub bytes_copied: u64,
    /// Roots visited by collections.
    pub roots_scanned: u64,
    /// Time spent collecting.
    pub gc_ns: u128,
    /// Bytes kept in place by mark-region collections.
    pub bytes_marked: u64,
    /// The most memory the heap's spaces had written to at the end of a
    /// collection ([`gcroots::Stats::peak_footprint_bytes`]).
    pub peak_footprint_bytes: u64,
    /// Live bytes after each full collection, summed
    /// ([`gcroots::Stats::live_bytes_summed`]).
    pub live_bytes_summed: u64,
    /// Objects kept by full collections, summed.
    pub objects_kept: u64,
    /// The conservative scheme's stack scans: bytes read, words that
    /// pointed into an object, objects and bytes those pinned (summed over
    /// the collections; 0 under the precise schemes).
    pub stack_bytes_scanned: u64,
    /// See `stack_bytes_scanned`.
    pub ambiguous_words: u64,
    /// See `stack_bytes_scanned`.
    pub objects_pinned_by_stack: u64,
    /// See `stack_bytes_scanned`.
    pub bytes_pinned_by_stack: u64,
}

/// The CSV header.
const HEADER: &str = "workload,size,scheme,median_ns,min_ns,max_ns,checksum,collections,minor_collections,objects_allocated,bytes_allocated,bytes_copied,roots_scanned,gc_ns,bytes_marked,peak_footprint_bytes,live_bytes_summed,objects_kept,stack_bytes_scanned,ambiguous_words,objects_pinned_by_stack,bytes_pinned_by_stack";

/// The header of reports written before the conservative scheme, which
/// lack the last six columns (read as 0).
const MR_HEADER: &str = "workload,size,scheme,median_ns,min_ns,max_ns,checksum,collections,minor_collections,objects_allocated,bytes_allocated,bytes_copied,roots_scanned,gc_ns,bytes_marked,peak_footprint_bytes";

/// The header of reports written before the mark-region mode, which lack
/// the last two columns (read as 0), so that `--baseline` still reads them.
const OLD_HEADER: &str = "workload,size,scheme,median_ns,min_ns,max_ns,checksum,collections,minor_collections,objects_allocated,bytes_allocated,bytes_copied,roots_scanned,gc_ns";

/// The records of measured rows.
pub fn records(rows: &[Row]) -> Vec<Record> {
    rows.iter()
        .flat_map(|row| {
            row.results.iter().map(|m| Record {
                workload: row.workload.to_owned(),
                size: row.size,
                scheme: m.scheme.to_owned(),
                median_ns: m.median.as_nanos(),
                min_ns: m.min.as_nanos(),
                max_ns: m.max.as_nanos(),
                checksum: m.checksum,
                collections: m.stats.collections,
                minor_collections: m.stats.minor_collections,
                objects_allocated: m.stats.objects_allocated,
                bytes_allocated: m.stats.bytes_allocated,
                bytes_copied: m.stats.bytes_copied,
                roots_scanned: m.stats.roots_scanned,
                gc_ns: m.stats.gc_time.as_nanos(),
                bytes_marked: m.stats.bytes_marked,
                peak_footprint_bytes: m.stats.peak_footprint_bytes as u64,
                live_bytes_summed: m.stats.live_bytes_summed,
                objects_kept: m.stats.objects_kept,
                stack_bytes_scanned: m.stats.stack_bytes_scanned,
                ambiguous_words: m.stats.ambiguous_words,
                objects_pinned_by_stack: m.stats.objects_pinned_by_stack,
                bytes_pinned_by_stack: m.stats.bytes_pinned_by_stack,
            })
        })
        .collect()
}

/// Records as CSV, with a header.
pub fn to_csv(records: &[Record]) -> String {
    let mut s = format!("{HEADER}\n");
    for r in records {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.workload,
            r.size,
            r.scheme,
            r.median_ns,
            r.min_ns,
            r.max_ns,
            r.checksum,
            r.collections,
            r.minor_collections,
            r.objects_allocated,
            r.bytes_allocated,
            r.bytes_copied,
            r.roots_scanned,
            r.gc_ns,
            r.bytes_marked,
            r.peak_footprint_bytes,
            r.live_bytes_summed,
            r.objects_kept,
            r.stack_bytes_scanned,
            r.ambiguous_words,
            r.objects_pinned_by_stack,
            r.bytes_pinned_by_stack
        );
    }
    s
}

/// Records from CSV as [`to_csv`] writes it.
pub fn from_csv(text: &str) -> Result<Vec<Record>, String> {
    let mut lines = text.lines();
    let fields = match lines.next().map(str::trim) {
        Some(HEADER) => 22,
        Some(MR_HEADER) => 16,
        Some(OLD_HEADER) => 14,
        _ => return Err("not a gcroots report.csv (its header differs)".into()),
    };
    lines
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let f: Vec<&str> = line.split(',').collect();
            let bad = || format!("report.csv line {}: `{line}`", i + 2);
            if f.len() != fields {
                return Err(bad());
            }
            let n = |k: usize| f[k].parse::<u64>().map_err(|_| bad());
            let t = |k: usize| f[k].parse::<u128>().map_err(|_| bad());
            Ok(Record {
                workload: f[0].to_owned(),
                size: n(1)?,
                scheme: f[2].to_owned(),
                median_ns: t(3)?,
                min_ns: t(4)?,
                max_ns: t(5)?,
                checksum: n(6)?,
                collections: n(7)?,
                minor_collections: n(8)?,
                objects_allocated: n(9)?,
                bytes_allocated: n(10)?,
                bytes_copied: n(11)?,
                roots_scanned: n(12)?,
                gc_ns: t(13)?,
                bytes_marked: if fields > 14 { n(14)? } else { 0 },
                peak_footprint_bytes: if fields > 14 { n(15)? } else { 0 },
                live_bytes_summed: if fields > 16 { n(16)? } else { 0 },
                objects_kept: if fields > 16 { n(17)? } else { 0 },
                stack_bytes_scanned: if fields > 16 { n(18)? } else { 0 },
                ambiguous_words: if fields > 16 { n(19)? } else { 0 },
                objects_pinned_by_stack: if fields > 16 { n(20)? } else { 0 },
                bytes_pinned_by_stack: if fields > 16 { n(21)? } else { 0 },
            })
        })
        .collect()
}

/// The schemes in the records, in order of first appearance.
pub fn schemes(records: &[Record]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for r in records {
        if !out.contains(&r.scheme.as_str()) {
            out.push(&r.scheme);
        }
    }
    out
}

/// The workloads in the records, in order of first appearance.
pub fn workloads(records: &[Record]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for r in records {
        if !out.contains(&r.workload.as_str()) {
            out.push(&r.workload);
        }
    }
    out
}

/// The record of `workload` under `scheme`.
pub fn find<'a>(records: &'a [Record], workload: &str, scheme: &str) -> Option<&'a Record> {
    records
        .iter()
        .find(|r| r.workload == workload && r.scheme == scheme)
}
