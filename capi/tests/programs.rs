//! The C and C++ programs in `tests/programs/`, compiled with the system's
//! C and C++ compilers against this crate's static library, and run: the C
//! API from C (`c_api.c`), the C++ wrapper over both schemes
//! (`cpp_api.cpp`), and the C++ example embedder (`../examples/cpp`), whose
//! output must be the same under both schemes. The header compiles as C11
//! and as C++17 with `-Wall -Wextra -Werror`.
//!
//! `GCROOTS_SANITIZE=1` builds the programs with AddressSanitizer and
//! UndefinedBehaviorSanitizer; `GCROOTS_VALGRIND=1` runs them under
//! valgrind's memcheck. CI does both; any report fails the test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The directory of this crate.
fn manifest() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The static library cargo built for this test run (beside the test
/// binary, in `target/<profile>/deps`).
fn staticlib() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let deps = exe.parent().expect("target/<profile>/deps");
    let lib = deps.join("libgcroots_capi.a");
    assert!(
        lib.exists(),
        "{} is missing: cargo builds it with the crate (crate-type staticlib)",
        lib.display()
    );
    lib
}

fn sanitize() -> bool {
    std::env::var_os("GCROOTS_SANITIZE").is_some()
}

fn valgrind() -> bool {
    std::env::var_os("GCROOTS_VALGRIND").is_some()
}

/// Compiles `sources` into an executable named `name`, with `compiler`
/// (`CC`/`CXX` or `cc`/`c++`) in `standard`. Every test build checks the
/// root list around each node the header's inline functions touch
/// (`GCROOTS_CHECK_LISTS`).
fn build(
    compiler_var: &str,
    default: &str,
    standard: &str,
    sources: &[PathBuf],
    name: &str,
) -> PathBuf {
    build_with(compiler_var, default, standard, sources, name, &[])
}

/// As [`build`], with more `-D` definitions.
fn build_with(
    compiler_var: &str,
    default: &str,
    standard: &str,
    sources: &[PathBuf],
    name: &str,
    defines: &[&str],
) -> PathBuf {
    let compiler = std::env::var(compiler_var).unwrap_or_else(|_| default.to_owned());
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(if sanitize() {
        format!("{name}-sanitized")
    } else {
        name.to_owned()
    });
    let mut cmd = Command::new(&compiler);
    cmd.arg(format!("-std={standard}"))
        .args([
            "-Wall",
            "-Wextra",
            "-Werror",
            "-g",
            "-O1",
            "-DGCROOTS_CHECK_LISTS",
        ])
        .args(defines.iter().map(|d| format!("-D{d}")))
        .arg("-I")
        .arg(manifest().join("include"))
        .args(sources)
        .arg(staticlib())
        .args(["-lpthread", "-ldl", "-lm"])
        .arg("-o")
        .arg(&out);
    if sanitize() {
        cmd.args([
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ]);
    }
    let result = cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run the {standard} compiler `{compiler}` ({e}): install one \
             (Debian: `apt-get install g++`) or name it in ${compiler_var}"
        )
    });
    assert!(
        result.status.success(),
        "{compiler} failed on {name}:\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    out
}

/// Runs `exe` with `args` (under valgrind if asked).
fn run(exe: &Path, args: &[&str]) -> Output {
    run_with(exe, args, &[])
}

/// Runs `exe` with `args` and the environment variables `env` (under
/// valgrind if asked).
fn run_with(exe: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = if valgrind() {
        let mut c = Command::new("valgrind");
        c.args([
            "--quiet",
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
        ])
        // The conservative scheme's stack scan reads every word of the
        // stack, initialised or not, and compares it with the heap's
        // ranges: memcheck reports those reads; the file suppresses them
        // in the scan only (and says why).
        .arg(format!(
            "--suppressions={}",
            manifest().join("tests/valgrind.supp").display()
        ))
        .arg(exe);
        c
    } else {
        Command::new(exe)
    };
    cmd.args(args).envs(env.iter().copied());
    if sanitize() {
        // `detect_stack_use_after_return` would move address-taken locals
        // to a "fake stack" on the heap, which the conservative scheme's
        // scan does not read (it reads the thread's stack): off, as an
        // embedder using that scheme under ASan must set it.
        cmd.env(
            "ASAN_OPTIONS",
            "detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0",
        )
        .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1");
    }
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()))
}

fn succeeds(output: &Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn program(name: &str) -> PathBuf {
    manifest().join("tests/programs").join(name)
}

/// Every error path of the C API, run with `RUST_BACKTRACE=1`: the library
/// writes nothing to stderr (errors reach C as status codes and
/// `gcr_last_error`), so stderr stays empty.
#[test]
fn the_c_api_from_c() {
    c_api_suite(c_api("c_api", false));
}

/// The same suite against the header's inline functions.
#[test]
fn the_c_api_from_c_inline() {
    c_api_suite(c_api("c_api_inline", true));
}

/// `c_api.c` built as `name`, against the library's functions or (with
/// `GCROOTS_INLINE`) the header's inline ones.
fn c_api(name: &str, inline: bool) -> PathBuf {
    let defines: &[&str] = if inline { &["GCROOTS_INLINE"] } else { &[] };
    build_with("CC", "cc", "c11", &[program("c_api.c")], name, defines)
}

fn c_api_suite(exe: PathBuf) {
    let output = run_with(&exe, &[], &[("RUST_BACKTRACE", "1")]);
    let out = succeeds(&output, "c_api");
    assert!(out.contains("all checks passed"), "{out}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "the library wrote to stderr:\n{stderr}");
}

/// A linked root moved by `memcpy` is found when the copy is destroyed, and
/// the process aborts with a message rather than corrupt its root list.
#[test]
fn a_root_moved_by_memcpy_aborts_with_a_message() {
    if valgrind() {
        return; // an abort is what this checks: nothing for valgrind to add
    }
    // A binary of its own: the tests run in parallel.
    for (name, inline) in [("c_api_memcpy", false), ("c_api_memcpy_inline", true)] {
        aborts_on_the_moved_root(&c_api(name, inline), inline);
    }
}

/// Runs the suite's "memcpy" case, which must abort with the library's
/// message (the inline destroy calls the library when the node is not
/// where its list says).
fn aborts_on_the_moved_root(exe: &Path, inline: bool) {
    let output = run(exe, &["memcpy"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let build = if inline { "inline" } else { "library" };
    assert!(
        !output.status.success(),
        "it did not abort ({build} build):\n{stderr}"
    );
    assert!(
        stderr.contains("a linked root is not where its neighbour says (moved?); aborting"),
        "{stderr}"
    );
    assert!(!stderr.contains("not reached"), "{stderr}");
}

/// The conservative scheme from C: plain pointers in locals across
/// collections, roots for references off the stack, every bad input.
#[test]
fn the_conservative_c_api_from_c() {
    let exe = build(
        "CC",
        "cc",
        "c11",
        &[program("conservative.c")],
        "conservative",
    );
    let output = run_with(&exe, &[], &[("RUST_BACKTRACE", "1")]);
    let out = succeeds(&output, "conservative");
    assert!(out.contains("all checks passed"), "{out}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "the library wrote to stderr:\n{stderr}");
}

#[test]
fn the_cpp_wrapper_over_both_schemes() {
    let exe = build("CXX", "c++", "c++17", &[program("cpp_api.cpp")], "cpp_api");
    let out = succeeds(&run(&exe, &[]), "cpp_api");
    assert!(out.contains("all checks passed"), "{out}");
}

#[test]
fn the_cpp_example_prints_the_same_under_every_scheme() {
    let exe = build(
        "CXX",
        "c++",
        "c++17",
        &[manifest().join("examples/cpp/embedder.cpp")],
        "embedder",
    );
    let intrusive = succeeds(&run(&exe, &["intrusive"]), "the example (intrusive)");
    let indexed = succeeds(&run(&exe, &["indexed"]), "the example (indexed)");
    assert!(intrusive.lines().count() >= 7, "{intrusive}");
    assert_eq!(intrusive, indexed);
    // The conservative scheme runs in a mark-region heap: the same lines
    // but the last (collections and live bytes of another mode).
    let conservative = succeeds(&run(&exe, &["conservative"]), "the example (conservative)");
    let but_last = |s: &str| {
        let lines: Vec<&str> = s.lines().collect();
        lines[..lines.len() - 1].join("\n")
    };
    assert_eq!(but_last(&intrusive), but_last(&conservative));
    assert_eq!(intrusive.lines().count(), conservative.lines().count());
}
