//! The comparison runner: `cargo run --release` at the workspace root.
//!
//! One stage per file: [`options`] (the command line), [`measure`] (running
//! every selected workload under every enabled scheme) and [`report`]
//! (the terminal table, `report.md` and `report.csv`).

pub mod measure;
pub mod options;
pub mod report;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crate::workloads;
use options::{Command, HELP};

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
    if cfg!(debug_assertions) {
        eprintln!("gcroots: this is a debug build; the figures mean little (use --release)");
    }
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
    let cells = report::cells(&rows);
    print!("{}", report::terminal(&cells));
    let mut status = ExitCode::SUCCESS;
    if !rows.iter().all(measure::Row::checksums_match) {
        eprintln!("gcroots: the schemes' checksums differ: a bug in a scheme or the collector");
        status = ExitCode::FAILURE;
    }
    let write = || -> std::io::Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(&options.out)?;
        let md = options.out.join("report.md");
        let csv_path = options.out.join("report.csv");
        std::fs::write(&md, report::markdown(&cells, &options))?;
        std::fs::write(&csv_path, report::csv(&rows))?;
        Ok((md, csv_path))
    };
    match write() {
        Ok((md, csv_path)) => println!(
            "\n{:.1} s in all. Report: {} and {}",
            start.elapsed().as_secs_f64(),
            md.display(),
            csv_path.display()
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
