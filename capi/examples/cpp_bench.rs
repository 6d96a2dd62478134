//! Builds `capi/bench/bench.cpp` against this crate's static library (this
//! example's build, so `--release` for figures that mean something), runs
//! it, and checks its GCBench checksums against the Rust workload's at the
//! same depth.
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
    // The Rust workload at the same depth, for the checksum.
    let w = workloads::all::<gcroots::Intrusive>()
        .into_iter()
        .find(|w| w.name == "gcbench")
        .expect("the gcbench workload");
    let (expected, _) = w.run_fresh(depth, None).expect("GCBench fits its heap");
    let mut status = ExitCode::SUCCESS;
    for line in text.lines().filter(|l| l.starts_with("gcbench")) {
        let got: u64 = line
            .rsplit(' ')
            .next()
            .and_then(|c| c.parse().ok())
            .expect("a checksum at the end of the line");
        if got == expected {
            println!("checksum matches the Rust workload's ({expected})");
        } else {
            eprintln!("cpp_bench: checksum {got} differs from the Rust workload's {expected}");
            status = ExitCode::FAILURE;
        }
    }
    status
}
