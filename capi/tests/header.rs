//! `include/gcroots.h` is generated from the crate by cbindgen and checked
//! in; this test regenerates it and fails if the checked-in copy is stale.
//! `GCROOTS_BLESS=1 cargo test -p gcroots-capi --test header` rewrites it.

use std::path::Path;

#[test]
fn the_checked_in_header_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header")
        .write(&mut generated);
    let generated = String::from_utf8(generated).expect("UTF-8");
    let path = dir.join("include/gcroots.h");
    if std::env::var_os("GCROOTS_BLESS").is_some() {
        std::fs::write(&path, &generated).expect("write the header");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "capi/include/gcroots.h is stale: regenerate it with \
         `GCROOTS_BLESS=1 cargo test -p gcroots-capi --test header` and review the diff"
    );
}
