//! The three schemes against the model and against each other: one random
//! sequence of operations on two heaps (allocate, root in nested scopes,
//! persist, release, drop out of order, write fields and data, vector
//! roots, collect, use a root with the other heap, swap the heaps, a scope
//! over a swapped heap, shapes over the limits, weak roots, ephemeron
//! tables and finalization registries), in a small heap that may
//! run out of memory, in every heap mode (a semispace or mark-region main
//! space, with or without a nursery of up to 4 KiB),
//! with poisoning and verification on, and collecting
//! before every allocation when `stress` is set. Each step is checked
//! against the model (`gcroots_model::run`); the two schemes must then have
//! observed the same reads, failures and live bytes. Also a random
//! configuration, which both schemes must accept or refuse alike.

#![no_main]

use arbitrary::Arbitrary;
use gcroots::{Config, Heap, Hybrid, Indexed, Intrusive, Roots, Scheme};
use gcroots_model::{Op, run};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    stress: bool,
    limit: u16,
    /// Even: no nursery; odd: a nursery of 8 bytes to 4 KiB.
    nursery: u16,
    /// A mark-region main space instead of semispaces.
    mark_region: bool,
    config: (u32, u64, u8, u64),
    ops: Vec<Op>,
}

/// Whether a heap can be made with this configuration (and what it says).
fn make<S: Scheme>(config: &Config) -> Result<usize, String> {
    let roots = Roots::<S>::new();
    let heap = Heap::new(&roots, config.clone()).map_err(|e| e.to_string())?;
    let _ = format!("{heap:?}");
    Ok(heap.limit_bytes())
}

fuzz_target!(|input: Input| {
    // Any configuration: both schemes accept it, or refuse it with the same
    // message. The initial size (two semispaces of it are allocated at once)
    // stays under 16 MiB, within libFuzzer's memory limit; the limit is
    // anything.
    let (initial, max, grow, nursery) = input.config;
    let any = Config {
        initial_bytes: (initial % (1 << 24)) as usize,
        max_bytes: max as usize,
        grow_percent: grow,
        nursery_bytes: (nursery % (1 << 24)) as usize,
        space: if input.mark_region {
            gcroots::SpaceKind::MarkRegion
        } else {
            gcroots::SpaceKind::Semispace
        },
        ..Config::default()
    };
    let made = make::<Intrusive>(&any);
    assert_eq!(made, make::<Indexed>(&any));
    assert_eq!(made, make::<Hybrid>(&any));

    let config = Config {
        initial_bytes: 512,
        max_bytes: 1_024 + usize::from(input.limit % 16_384),
        stress: input.stress,
        poison: true,
        verify: true,
        nursery_bytes: if input.nursery % 2 == 0 {
            0
        } else {
            8 + usize::from(input.nursery % 4_088)
        },
        space: any.space,
        ..Config::default()
    };
    let ops = &input.ops[..input.ops.len().min(256)];
    let a = run::<Intrusive>(ops, &config);
    assert_eq!(a, run::<Indexed>(ops, &config), "intrusive and indexed observed different things");
    assert_eq!(a, run::<Hybrid>(ops, &config), "intrusive and hybrid observed different things");
});
