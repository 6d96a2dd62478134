//! What the types forbid, checked: each file in `tests/ui` must fail to
//! compile with the error in its `.stderr` file. These are the *does not
//! compile* cells of the README's misuse matrix.
//!
//! The expected messages depend on the compiler version, which
//! `rust-toolchain.toml` pins; after a deliberate toolchain change,
//! regenerate them with `TRYBUILD=overwrite cargo test --test compile_fail`
//! and review the diff.

#![cfg(all(
    feature = "intrusive",
    feature = "indexed",
    feature = "hybrid",
    feature = "conservative"
))]

#[test]
fn misuse_that_does_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
