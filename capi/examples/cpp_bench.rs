//! Builds `capi/bench/bench.cpp` against this crate's static library (this
//! example's build, so `--release` for figures that mean something), runs
//! it, then runs the Rust GCBench workload at the same depth under the same
//! two schemes (median of 5, semispace heaps as the C++ one): its checksum
//! must match, and each C++ time is shown over the Rust time of its scheme.
//!
//! ```sh
//! cargo run --release -p gcroots-capi --example cpp_bench [-- DEPTH]
//! ```

use std::path::Path;
use std::process::{Command, ExitCode};

use gcroots_compare::workloads;

fn main() -> ExitCode {
    let depth: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(16);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let exe = std::env::current_exe().expect("this example's path");
    let profile = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/examples");
    let lib = profile.join("deps/libgcroots_capi.a");
    let out = profile.join("cpp_bench");
    let compiler = std::env::var("CXX").unwrap_or_else(|_| "c++".to_owned());
    let status = Command::new(&compiler)
        .args(["-std=c++17", "-O2", "-Wall", "-Wextra", "-Werror", "-I"])
        .arg(dir.join("include"))
        .arg(dir.join("bench/bench.cpp"))
        .arg(&lib)
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&out)
        .status()
        .unwrap_or_else(|e| panic!("cannot run `{compiler}` ({e}): install g++ or set $CXX"));
    if !status.success() {
        eprintln!("cpp_bench: {compiler} failed");
        return ExitCode::FAILURE;
    }
    if cfg!(debug_assertions) {
        eprintln!("cpp_bench: a debug build of the library; the figures mean little (--release)");
    }
    let run = Command::new(&out)
        .arg(depth.to_string())
        .output()
        .expect("run the C++ bench");
    let text = String::from_utf8_lossy(&run.stdout);
    print!("{text}");
    if !run.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&run.stderr));
        return ExitCode::FAILURE;
    }
    let mut status = ExitCode::SUCCESS;
    for line in text.lines().filter(|l| l.starts_with("gcbench")) {
        // "gcbench depth D under SCHEME   T ms  checksum C"
        let words: Vec<&str> = line.split_whitespace().collect();
        let scheme = words[4];
        let cpp_ms: f64 = words[5].parse().expect("a time after the scheme");
        let got: u64 = words
            .last()
            .and_then(|c| c.parse().ok())
            .expect("a checksum at the end of the line");
        let (expected, rust_ms) = match scheme {
            "intrusive" => rust_gcbench::<gcroots::Intrusive>(depth, false),
            "indexed" => rust_gcbench::<gcroots::Indexed>(depth, false),
            "intrusive_mr" => rust_gcbench::<gcroots::Intrusive>(depth, true),
            "indexed_mr" => rust_gcbench::<gcroots::Indexed>(depth, true),
            "conservative_mr" => rust_gcbench::<gcroots::Conservative>(depth, true),
            other => panic!("an unknown scheme in the C++ output: {other}"),
        };
        println!(
            "gcbench depth {depth} under {scheme:<15} Rust {rust_ms:8.1} ms  C++/Rust {:.2}",
            cpp_ms / rust_ms
        );
        if got == expected {
            println!("  checksum matches the Rust workload's ({expected})");
        } else {
            eprintln!("cpp_bench: checksum {got} differs from the Rust workload's {expected}");
            status = ExitCode::FAILURE;
        }
    }
    status
}

/// The Rust GCBench under `S` at `depth` (in a mark-region heap if
/// `mark_region`): its checksum and median time over 5 runs, in
/// milliseconds.
fn rust_gcbench<S: gcroots::Scheme>(depth: u64, mark_region: bool) -> (u64, f64) {
    let w = workloads::all::<S>()
        .into_iter()
        .find(|w| w.name == "gcbench")
        .expect("the gcbench workload");
    let mut checksum = 0;
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let config = mark_region.then(|| (w.config)().with_mark_region());
            let (c, _, elapsed) = w.run_timed(depth, config).expect("GCBench fits its heap");
            checksum = c;
            elapsed.as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (checksum, times[times.len() / 2])
}
