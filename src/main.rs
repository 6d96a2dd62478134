//! The comparison: every workload under every scheme the features enable,
//! side by side. `cargo run --release`; `cargo run --release -- --help`.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use gcroots::workloads::{self, Workload};
use gcroots::{Scheme, Stats};

const HELP: &str = "\
gcroots: the same workloads under both GC rooting schemes, side by side.

USAGE:
    cargo run --release [-- OPTIONS]

OPTIONS:
    --workloads A,B,..  run only these workloads (a name, or a prefix such as
                        `many_roots`); default: all
    --scale X           multiply every workload's size by X (default 1)
    --reps N            runs per workload and scheme, median reported
                        (default 5; the schemes alternate run by run)
    --out DIR           where to write report.md and report.csv
                        (default: report)
    --list              list the workloads and what their size counts
    -h, --help          this text

Time is wall-clock time of the workload on a fresh heap (heap creation
excluded). Collections, bytes copied and roots scanned come from the heap's
statistics; `a / b` means the schemes differ (intrusive / indexed).
";

struct Options {
    workloads: Option<Vec<String>>,
    scale: f64,
    reps: usize,
    out: PathBuf,
    list: bool,
}

fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        workloads: None,
        scale: 1.0,
        reps: 5,
        out: PathBuf::from("report"),
        list: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{HELP}");
                std::process::exit(0);
            }
            "--list" => options.list = true,
            "--workloads" => {
                let v = value("--workloads")?;
                options.workloads = Some(v.split(',').map(str::to_owned).collect());
            }
            "--scale" => {
                let v = value("--scale")?;
                options.scale = v
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0)
                    .ok_or(format!("--scale wants a positive number, not `{v}`"))?;
            }
            "--reps" => {
                let v = value("--reps")?;
                options.reps = v
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or(format!("--reps wants a positive integer, not `{v}`"))?;
            }
            "--out" => options.out = PathBuf::from(value("--out")?),
            other => return Err(format!("unknown option `{other}` (try --help)")),
        }
    }
    Ok(options)
}

/// One scheme's results on one workload.
struct Measured {
    median: Duration,
    checksum: u64,
    stats: Stats,
}

/// One workload's row: the result under each enabled scheme, in the order
/// intrusive, indexed.
struct Row {
    name: &'static str,
    size: u64,
    schemes: Vec<(&'static str, Measured)>,
}

/// A workload instantiated for one scheme, with the run that times it.
struct Runner {
    scheme: &'static str,
    run: Box<dyn Fn(u64) -> (Duration, u64, Stats)>,
}

fn runner<S: Scheme>(w: Workload<S>) -> Runner {
    Runner {
        scheme: S::NAME,
        run: Box::new(move |size| {
            let (checksum, stats, elapsed) = w
                .run_timed(size, None)
                .unwrap_or_else(|e| panic!("{} under {}: {e}", w.name, S::NAME));
            (elapsed, checksum, stats)
        }),
    }
}

/// A workload's name, full size, and its runner under each enabled scheme.
type Row0 = (&'static str, u64, Vec<Runner>);

/// Every workload, with a runner per enabled scheme (intrusive first).
fn table() -> Vec<Row0> {
    let mut rows: Vec<Row0> = workloads::all::<gcroots::Selected>()
        .into_iter()
        .map(|w| (w.name, w.full, Vec::new()))
        .collect();
    #[cfg(feature = "intrusive")]
    add::<gcroots::Intrusive>(&mut rows);
    #[cfg(feature = "indexed")]
    add::<gcroots::Indexed>(&mut rows);
    rows
}

fn add<S: Scheme>(rows: &mut [Row0]) {
    for (row, w) in rows.iter_mut().zip(workloads::all::<S>()) {
        assert_eq!(
            row.0, w.name,
            "every scheme lists the workloads in one order"
        );
        row.2.push(runner(w));
    }
}

fn selected(name: &str, filter: &Option<Vec<String>>) -> bool {
    match filter {
        None => true,
        Some(list) => list
            .iter()
            .any(|f| name == f || name.starts_with(f.as_str())),
    }
}

fn measure(options: &Options) -> Result<Vec<Row>, String> {
    let all = table();
    let chosen: Vec<_> = all
        .into_iter()
        .filter(|(name, _, _)| selected(name, &options.workloads))
        .collect();
    if chosen.is_empty() {
        return Err("no workload matches --workloads (try --list)".into());
    }
    let count = chosen.len();
    // On a terminal, one line rewritten per run; elsewhere (a log), a line
    // per workload.
    let progress = std::io::stderr().is_terminal();
    let mut rows = Vec::new();
    for (i, (name, full, runners)) in chosen.into_iter().enumerate() {
        let size = ((full as f64 * options.scale).round() as u64).max(1);
        if !progress {
            eprintln!("[{}/{count}] {name} (size {size})", i + 1);
        }
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); runners.len()];
        let mut last: Vec<Option<(u64, Stats)>> = vec![None; runners.len()];
        for rep in 0..options.reps {
            for (k, r) in runners.iter().enumerate() {
                if progress {
                    eprint!(
                        "\r\x1b[2K[{}/{count}] {name} (size {size}): {} run {}/{}",
                        i + 1,
                        r.scheme,
                        rep + 1,
                        options.reps
                    );
                    let _ = std::io::stderr().flush();
                }
                let (t, checksum, stats) = (r.run)(size);
                times[k].push(t);
                last[k] = Some((checksum, stats));
            }
        }
        let schemes = runners
            .iter()
            .zip(times)
            .zip(last)
            .map(|((r, mut t), last)| {
                t.sort();
                let (checksum, stats) = last.expect("at least one rep");
                let median = t[t.len() / 2];
                (
                    r.scheme,
                    Measured {
                        median,
                        checksum,
                        stats,
                    },
                )
            })
            .collect();
        rows.push(Row {
            name,
            size,
            schemes,
        });
    }
    if progress {
        eprint!("\r\x1b[2K");
    }
    Ok(rows)
}

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

fn ratio(row: &Row) -> Option<f64> {
    match row.schemes.as_slice() {
        [(_, a), (_, b)] => Some(a.median.as_secs_f64() / b.median.as_secs_f64()),
        _ => None,
    }
}

fn checksums_match(row: &Row) -> bool {
    row.schemes
        .windows(2)
        .all(|w| w[0].1.checksum == w[1].1.checksum)
}

/// The table as rows of cells, header first.
fn cells(rows: &[Row]) -> Vec<Vec<String>> {
    let schemes: Vec<&str> = rows[0].schemes.iter().map(|(s, _)| *s).collect();
    let mut header = vec!["workload".to_owned(), "size".to_owned()];
    header.extend(schemes.iter().map(|s| format!("{s} (median)")));
    if schemes.len() == 2 {
        header.push(format!("{}/{}", schemes[0], schemes[1]));
    }
    header.extend(["checksum", "collections", "bytes copied", "roots scanned"].map(str::to_owned));
    let mut out = vec![header];
    for row in rows {
        let mut line = vec![row.name.to_owned(), row.size.to_string()];
        line.extend(row.schemes.iter().map(|(_, m)| ms(m.median)));
        if let Some(r) = ratio(row) {
            line.push(format!("{r:.2}"));
        }
        line.push(
            if checksums_match(row) {
                "match"
            } else {
                "MISMATCH"
            }
            .to_owned(),
        );
        let stat = |f: fn(&Stats) -> u64| joined(row.schemes.iter().map(|(_, m)| f(&m.stats)));
        line.push(stat(|s| s.collections));
        line.push(stat(|s| s.bytes_copied));
        line.push(stat(|s| s.roots_scanned));
        out.push(line);
    }
    out
}

fn terminal(cells: &[Vec<String>]) -> String {
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

fn markdown(cells: &[Vec<String>], options: &Options) -> String {
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

fn csv(rows: &[Row]) -> String {
    let mut s = String::from(
        "workload,size,scheme,median_ns,checksum,collections,objects_allocated,bytes_allocated,bytes_copied,roots_scanned,gc_ns\n",
    );
    for row in rows {
        for (scheme, m) in &row.schemes {
            let st = &m.stats;
            let _ = writeln!(
                s,
                "{},{},{},{},{},{},{},{},{},{},{}",
                row.name,
                row.size,
                scheme,
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

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(o) => o,
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
        .spawn(move || measure(&options).map(|rows| (rows, options)))
        .expect("spawn the worker thread");
    let (rows, options) = match worker.join().expect("the worker thread panicked") {
        Ok(r) => r,
        Err(e) => {
            eprintln!("gcroots: {e}");
            return ExitCode::from(2);
        }
    };
    let cells = cells(&rows);
    print!("{}", terminal(&cells));
    let mut status = ExitCode::SUCCESS;
    if !rows.iter().all(checksums_match) {
        eprintln!("gcroots: the schemes' checksums differ: a bug in a scheme or the collector");
        status = ExitCode::FAILURE;
    }
    let write = || -> std::io::Result<(PathBuf, PathBuf)> {
        std::fs::create_dir_all(&options.out)?;
        let md = options.out.join("report.md");
        let csv_path = options.out.join("report.csv");
        std::fs::write(&md, markdown(&cells, &options))?;
        std::fs::write(&csv_path, csv(&rows))?;
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
