//! The runner's reports: the README's tables from a fixed sample of
//! criterion output and of a run's CSV, the CSV read back, the baseline
//! comparison, and the charts.

use std::path::Path;

use gcroots_compare::runner::{baseline, chart, criterion, readme, record};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

const CSV: &str = "\
workload,size,scheme,median_ns,min_ns,max_ns,checksum,collections,minor_collections,objects_allocated,bytes_allocated,bytes_copied,roots_scanned,gc_ns,bytes_marked,peak_footprint_bytes
gcbench,16,intrusive,250000000,245000000,260000000,1395402,35,0,100,4000,311488600,419,70000000,0,69206016
gcbench,16,indexed,300000000,290000000,310000000,1395402,35,0,100,4000,311488600,419,71000000,0,69206016
gcbench,16,hybrid,252000000,249000000,255000000,1395402,35,0,100,4000,311488600,419,70500000,0,69206016
gcbench (gen),16,intrusive,200000000,195000000,210000000,1395402,90,88,100,4000,31148860,500,20000000,0,75497472
gcbench (gen),16,indexed,240000000,230000000,250000000,1395402,90,88,100,4000,31148860,500,21000000,0,75497472
gcbench (gen),16,hybrid,202000000,199000000,205000000,1395402,90,88,100,4000,31148860,500,20500000,0,75497472
access,20000000,intrusive,48000000,47000000,49000000,360000000,1,0,8,192,192,8,1000,0,2097152
access,20000000,indexed,67000000,66000000,68000000,360000000,1,0,8,192,192,8,1000,0,2097152
access,20000000,hybrid,48500000,47500000,49500000,360000000,1,0,8,192,192,8,1000,0,2097152
";

#[test]
fn the_hot_paths_table_comes_from_criterions_output() {
    let estimates = criterion::read(&fixture("criterion"));
    assert_eq!(estimates.len(), 8);
    assert_eq!(
        readme::hot_paths_table(&estimates),
        "\
| group | benchmark | median | per root | × floor |
|---|---|--:|--:|--:|
| collect/1000 | floor_copy_nonoverlapping | 410.0 ns |  | 1.00 |
| collect/1000 | indexed/1000 | 13.90 µs | 13.9 ns | 33.90 |
| collect/1000 | intrusive/1000 | 11.90 µs | 11.9 ns | 29.02 |
| create_drop | floor_vec_push_pop | 2.18 ns |  | 1.00 |
| create_drop | indexed_scoped_root | 2.48 ns |  | 1.13 |
| create_drop | intrusive_stack_root | 2.46 ns |  | 1.13 |
| read | floor_pointer_read | 0.84 ns |  | 1.00 |
| read | indexed_local | 1.69 ns |  | 2.01 |
"
    );
    assert!(criterion::read(Path::new("/nonexistent")).is_empty());
}

#[test]
fn the_workloads_table_comes_from_the_csv() {
    let records = record::from_csv(CSV).unwrap();
    assert_eq!(
        record::from_csv(&record::to_csv(&records)).unwrap(),
        records
    );
    assert_eq!(
        readme::workloads_table(&records),
        "\
| workload | size | intrusive (median) | indexed (median) | hybrid (median) | intrusive/best other | indexed/best other | hybrid/best other | checksum | collections | bytes copied | roots scanned |
|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
| gcbench | 16 | 250 ms | 300 ms | 252 ms | 0.99 | 1.20 | 1.01 | match | 35 | 311488600 | 419 |
| gcbench (gen) | 16 | 200 ms | 240 ms | 202 ms | 0.99 | 1.20 | 1.01 | match | 90 (88 minor) | 31148860 | 500 |
| access | 20000000 | 48.0 ms | 67.0 ms | 48.5 ms | 0.99 | 1.40 | 1.01 | match | 1 | 192 | 8 |
"
    );
    assert!(record::from_csv("not,a,report\n").is_err());
    // A report written before the last two columns existed still reads.
    let old: String = CSV
        .lines()
        .map(|l| l.rsplitn(3, ',').nth(2).unwrap().to_owned() + "\n")
        .collect();
    let read = record::from_csv(&old).unwrap();
    assert_eq!(read.len(), 9);
    assert_eq!((read[0].bytes_marked, read[0].peak_footprint_bytes), (0, 0));
    assert_eq!(read[0].median_ns, 250_000_000);
}

#[test]
fn the_modes_table_sets_each_other_mode_row_against_its_semispace_row() {
    let records = record::from_csv(CSV).unwrap();
    assert_eq!(
        readme::modes_table(&records),
        "\
| workload | mode | intrusive mode/semispace | indexed mode/semispace | hybrid mode/semispace | bytes copied, semispace → mode | collections, semispace → mode | peak footprint MiB, semispace → mode |
|---|---|--:|--:|--:|--:|--:|--:|
| gcbench | generational | 0.80 | 0.80 | 0.80 | 311488600 → 31148860 | 35 → 90 (88 minor) | 66.0 → 72.0 |
"
    );
}

#[test]
fn the_baseline_flags_only_moves_beyond_the_noise() {
    let before = record::from_csv(CSV).unwrap();
    let mut now = before.clone();
    // gcbench under indexed: 20% faster, ranges apart. access under
    // intrusive: 2% slower, ranges overlapping.
    now[1].median_ns = 240_000_000;
    now[1].min_ns = 235_000_000;
    now[1].max_ns = 245_000_000;
    now[6].median_ns = 49_000_000;
    now[6].min_ns = 48_500_000;
    now[6].max_ns = 49_500_000;
    let changes = baseline::compare(&now, &before);
    assert_eq!(changes.len(), 9);
    let moved: Vec<(&str, &str)> = changes
        .iter()
        .filter(|c| c.moved)
        .map(|c| (c.workload.as_str(), c.scheme.as_str()))
        .collect();
    assert_eq!(moved, [("gcbench", "indexed")]);
    let table = baseline::table(&changes);
    assert!(
        table.contains("| gcbench | indexed | 300 ms | 240 ms | 0.80 | **faster** |"),
        "{table}"
    );
    assert!(
        table.contains("| access | intrusive | 48.0 ms | 49.0 ms | 1.02 | within noise |"),
        "{table}"
    );
}

#[test]
fn the_charts_are_svg_documents_naming_every_workload_and_scheme() {
    let records = record::from_csv(CSV).unwrap();
    let svg = chart::workloads_svg(&records, "title").unwrap();
    assert!(svg.starts_with("<svg"));
    for name in [
        "gcbench",
        "access",
        "intrusive",
        "indexed",
        "hybrid",
        "title",
    ] {
        assert!(svg.contains(name), "{name} missing from the chart");
    }
    let estimates = criterion::read(&fixture("criterion"));
    let hot = chart::hot_paths_svg(&estimates, "hot").unwrap().unwrap();
    assert!(hot.contains("create_drop: intrusive_stack_root"));
    assert!(chart::hot_paths_svg(&[], "none").unwrap().is_none());
}

/// The conservative scheme runs in the mark-region rows only: blank cells
/// elsewhere in the main table, and a table of its own whose figures are
/// computed from the CSV's columns (ratios, per collection, shares, and
/// the false retention against the first precise scheme).
#[test]
fn the_conservative_table_comes_from_the_csv() {
    use gcroots_compare::runner::report;
    let csv = "\
workload,size,scheme,median_ns,min_ns,max_ns,checksum,collections,minor_collections,objects_allocated,bytes_allocated,bytes_copied,roots_scanned,gc_ns,bytes_marked,peak_footprint_bytes,live_bytes_summed,objects_kept,stack_bytes_scanned,ambiguous_words,objects_pinned_by_stack,bytes_pinned_by_stack
access,20,intrusive,40000000,40000000,40000000,7,1,0,8,192,192,8,10,0,100,192,8,0,0,0,0
access,20,indexed,60000000,60000000,60000000,7,1,0,8,192,192,8,10,0,100,192,8,0,0,0,0
access (mr),20,intrusive,40000000,40000000,40000000,7,2,0,8,192,0,8,10,400,100,1000,20,0,0,0,0
access (mr),20,indexed,60000000,60000000,60000000,7,2,0,8,192,0,8,10,400,100,1000,20,0,0,0,0
access (mr),20,conservative,50000000,50000000,50000000,7,2,0,8,192,0,9,10,400,100,1100,20,4096,6,2,100
";
    let records = record::from_csv(csv).unwrap();
    assert_eq!(
        record::from_csv(&record::to_csv(&records)).unwrap(),
        records
    );
    let main = report::cells(&records);
    assert_eq!(main[0][4], "conservative (median)");
    assert_eq!(main[1][4], "-", "no conservative run in the semispace row");
    assert_eq!(main[2][4], "50.0 ms");
    // Each scheme over the best of the others, blank where it did not run.
    assert_eq!(main[1][5..8], ["0.67", "1.50", "-"]);
    assert_eq!(main[2][5..8], ["0.80", "1.50", "1.25"]);
    let c = report::conservative_cells(&records).unwrap();
    assert_eq!(c.len(), 2, "one row: the mark-region one");
    assert_eq!(
        c[1],
        [
            "access (mr)",
            "50.0 ms",
            "40.0 ms (intrusive)",
            "1.25",
            "0.83",
            "2.0",
            "3.0",
            "10.000%",
            "25.000%",
            "+10.000%",
            "2 (2)",
        ]
    );
    // Without a conservative run there is no such table.
    assert!(report::conservative_cells(&records[..4]).is_none());
}
