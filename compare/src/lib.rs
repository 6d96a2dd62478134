//! The gcroots comparison: identical workloads under every rooting scheme,
//! and the runner that measures them and tables the results.
//!
//! This crate is the experiment, not the library: an embedder depends on
//! [`gcroots`] alone. Its parts:
//!
//! - [`workloads`]: each written once, generic over `S: gcroots::Scheme`,
//!   naming no scheme, and returning a checksum that the schemes must agree
//!   on;
//! - [`runner`]: what `cargo run --release` at the workspace root runs:
//!   every workload under every enabled scheme, medians, ratios, GC
//!   counters, and a report on disk;
//! - `examples/lisp.rs`: a small embedder written against `gcroots::Selected`.
//!
//! The criterion benches live in the workspace root's `benches/` and take
//! their workloads from here. They build this crate without its scheme
//! features (so that a feature set chosen at the root stays what it says),
//! and then the runner has no scheme to run: its scheme-specific code is
//! unused, not wrong, hence the `allow` below for that build only.

#![cfg_attr(
    not(any(feature = "intrusive", feature = "indexed", feature = "hybrid")),
    allow(unused)
)]

pub mod runner;
pub mod workloads;
