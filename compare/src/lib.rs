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
//! - `benches/`: criterion, one group per workload and the hot paths
//!   against their floors;
//! - `examples/lisp.rs`: a small embedder written against `gcroots::Selected`.

pub mod runner;
pub mod workloads;
