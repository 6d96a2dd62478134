//! The comparison: every workload under every scheme the features enable,
//! side by side. `cargo run --release`; `cargo run --release -- --help`.

fn main() -> std::process::ExitCode {
    gcroots_compare::runner::main()
}
