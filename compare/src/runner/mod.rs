//! The comparison runner: `cargo run --release` at the workspace root.
//!
//! One stage per file: [`options`] (the command line), [`measure`] (running
//! every selected workload under every enabled scheme), [`record`] (a
//! result as the CSV keeps it), [`report`] (the table, for the terminal and
//! in Markdown), [`chart`] (the SVG charts), [`criterion`] (criterion's
//! results, read back), [`readme`] (the README's tables) and [`baseline`]
//! (this run against a saved one).

pub mod baseline;
pub mod chart;
pub mod criterion;
pub mod measure;
pub mod options;
pub mod readme;
pub mod record;
pub mod report;

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use crate::workloads;
use options::{Command, HELP, Options};
use record::Record;

/// Runs the comparison with the process's arguments; the exit code says
/// whether every scheme agreed and the report was written.
pub fn main() -> ExitCode {
    let options = match options::parse(std::env::args().skip(1)) {
        Ok(Command::Run(o)) => o,
        Ok(Command::Help) => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("gcroots: {e}");
            return ExitCode::from(2);
        }
    };
    if options.list {
        for w in workloads::all::<gcroots::Selected>() {
            println!("{:<18} full size {:>9}  {}", w.name, w.full, w.what);
        }
        return ExitCode::SUCCESS;
    }
    if options.readme {
        return match print_readme(&options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("gcroots: {e}");
                ExitCode::from(2)
            }
        };
    }
    if cfg!(debug_assertions) {
        eprintln!("gcroots: this is a debug build; the figures mean little (use --release)");
    }
    let baseline = match options.baseline.as_deref().map(read_csv).transpose() {
        Ok(b) => b,
        Err(e) => {
            eprintln!("gcroots: {e}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    // deep_stack and interp recurse thousands of frames deep: give them room.
    let worker = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || measure::measure(&options).map(|rows| (rows, options)))
        .expect("spawn the worker thread");
    let (rows, options) = match worker.join().expect("the worker thread panicked") {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gcroots: {e}");
            return ExitCode::from(2);
        }
    };
    let records = record::records(&rows);
    let cells = report::cells(&records);
    print!("{}", report::terminal(&cells));
    if let Some(c) = report::conservative_cells(&records) {
        println!("\nConservative stack roots (mark-region rows):\n");
        print!("{}", report::terminal(&c));
    }
    let mut status = ExitCode::SUCCESS;
    if !rows.iter().all(measure::Row::checksums_match) {
        eprintln!("gcroots: the schemes' checksums differ: a bug in a scheme or the collector");
        status = ExitCode::FAILURE;
    }
    let changes = baseline.as_ref().map(|b| baseline::compare(&records, b));
    if let Some(changes) = &changes {
        println!("\nAgainst the baseline:\n{}", baseline::table(changes));
    }
    match write_report(&options, &records, changes.as_deref()) {
        Ok(files) => println!(
            "\n{:.1} s in all. Report: {}",
            start.elapsed().as_secs_f64(),
            files.join(", ")
        ),
        Err(e) => {
            eprintln!(
                "gcroots: cannot write the report to {}: {e}",
                options.out.display()
            );
            status = ExitCode::FAILURE;
        }
    }
    status
}

fn read_csv(path: &Path) -> Result<Vec<Record>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    record::from_csv(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A line that says how the figures were made.
fn provenance(options: &Options) -> String {
    format!(
        "Median of {} run(s) per workload and scheme, scale {}, on {} {} with {} hardware thread(s), {}.",
        options.reps,
        options.scale,
        std::env::consts::OS,
        std::env::consts::ARCH,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        if cfg!(debug_assertions) {
            "debug build"
        } else {
            "release build"
        },
    )
}

/// Writes `report.md`, `report.csv`, `workloads.svg` and (where criterion's
/// results exist) `hot_paths.svg`; returns their paths.
fn write_report(
    options: &Options,
    records: &[Record],
    changes: Option<&[baseline::Change]>,
) -> Result<Vec<String>, String> {
    let out = &options.out;
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    let mut write = |name: &str, text: &str| -> Result<(), String> {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        files.push(path.display().to_string());
        Ok(())
    };
    let mut md = format!("# gcroots comparison\n\n{}\n\n", provenance(options));
    md.push_str(&readme::workloads_table(records));
    md.push_str("\n![every workload under every scheme](workloads.svg)\n");
    if let Some(c) = report::conservative_cells(records) {
        let _ = write!(
            md,
            "\n## Conservative stack roots (mark-region rows)\n\n{}",
            report::markdown_table(&c)
        );
    }
    let modes = readme::modes_table(records);
    if modes.lines().count() > 2 {
        let _ = write!(md, "\n## Each mode against semispace\n\n{modes}");
    }
    if let Some(changes) = changes {
        let _ = write!(
            md,
            "\n## Against the baseline\n\n{}",
            baseline::table(changes)
        );
    }
    let estimates = criterion::read(&options.criterion);
    let hot = chart::hot_paths_svg(&estimates, "gcroots hot paths (criterion)")?;
    if hot.is_some() {
        let _ = write!(
            md,
            "\n## Hot paths (criterion, {})\n\n{}\n![hot paths](hot_paths.svg)\n",
            options.criterion.display(),
            readme::hot_paths_table(&estimates)
        );
    }
    write("report.md", &md)?;
    write("report.csv", &record::to_csv(records))?;
    write(
        "workloads.svg",
        &chart::workloads_svg(records, "gcroots: the same workloads under every scheme")?,
    )?;
    if let Some(svg) = hot {
        write("hot_paths.svg", &svg)?;
    }
    Ok(files)
}

/// `--readme`: the README's tables from the last report and criterion, and
/// the report's chart redrawn from its records.
fn print_readme(options: &Options) -> Result<(), String> {
    let records = read_csv(&options.out.join("report.csv"))?;
    // The chart too, redrawn from the same records (for `docs/`).
    let svg = chart::workloads_svg(&records, "gcroots: the same workloads under every scheme")?;
    let chart = options.out.join("workloads.svg");
    std::fs::write(&chart, svg).map_err(|e| format!("{}: {e}", chart.display()))?;
    eprintln!("gcroots: redrew {}", chart.display());
    println!("{}", readme::workloads_table(&records));
    println!("{}", readme::modes_table(&records));
    let estimates = criterion::read(&options.criterion);
    if estimates.is_empty() {
        eprintln!(
            "gcroots: no criterion results in {} (run `cargo bench --bench hot_paths`)",
            options.criterion.display()
        );
    } else {
        println!("{}", readme::hot_paths_table(&estimates));
    }
    Ok(())
}
