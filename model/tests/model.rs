//! Model-based property tests: random sequences of heap operations on two
//! heaps, under each scheme, checked step by step against a plain model of
//! the object graph (`gcroots_model::run`): every read agrees with the
//! model, every collection keeps exactly what the model reaches from that
//! heap's roots, allocations fail exactly when the model says they must,
//! roots used with the other heap are refused. Proptest shrinks a failure
//! to a minimal sequence. The schemes must also observe the same things.

use gcroots::Config;
use gcroots_model::{Op, run};
use proptest::prelude::*;

fn op() -> impl Strategy<Value = Op> {
    let h = any::<u16>;
    prop_oneof![
        4 => (any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(heap, fields, words)| Op::Enter { heap, fields, words }),
        1 => (h(), any::<u8>()).prop_map(|(handle, field)| Op::EnterField { handle, field }),
        3 => Just(Op::Exit),
        1 => h().prop_map(|handle| Op::Persist { handle }),
        1 => h().prop_map(|which| Op::Release { which }),
        1 => h().prop_map(|which| Op::DropPersistent { which }),
        3 => (h(), any::<u8>(), proptest::option::of(h()))
            .prop_map(|(handle, field, source)| Op::SetField { handle, field, source }),
        1 => (h(), any::<u8>(), any::<u64>())
            .prop_map(|(handle, word, value)| Op::Write { handle, word, value }),
        2 => (h(), any::<u8>(), any::<u8>())
            .prop_map(|(handle, word, field)| Op::Read { handle, word, field }),
        1 => any::<u8>().prop_map(|heap| Op::Collect { heap }),
        1 => (any::<u8>(), any::<u16>()).prop_map(|(heap, words)| Op::Garbage { heap, words }),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(heap, kind)| Op::TooLarge { heap, kind }),
        1 => h().prop_map(|handle| Op::VecPush { handle }),
        1 => any::<u8>().prop_map(|heap| Op::VecPop { heap }),
        1 => (any::<u8>(), h()).prop_map(|(heap, index)| Op::VecRead { heap, index }),
        1 => h().prop_map(|handle| Op::WrongHeap { handle }),
        1 => Just(Op::SwapHeaps),
        1 => h().prop_map(|handle| Op::Weak { handle }),
        1 => h().prop_map(|which| Op::DropWeak { which }),
        2 => h().prop_map(|which| Op::Upgrade { which }),
        1 => (h(), h()).prop_map(|(handle, value)| Op::MapInsert { handle, value }),
        1 => h().prop_map(|handle| Op::MapGet { handle }),
        1 => h().prop_map(|handle| Op::MapRemove { handle }),
        1 => h().prop_map(|handle| Op::Register { handle }),
        1 => h().prop_map(|which| Op::Unregister { which }),
        1 => any::<u8>().prop_map(|heap| Op::RunFinalizers { heap }),
    ]
}

/// A small heap, checked at every collection; `limit` small enough that
/// some sequences run out of memory; generational when `nursery` is not 0;
/// a mark-region main space when `mark_region` (which, in stress mode,
/// evacuates every object it can at every other full collection).
fn config(stress: bool, limit: usize, nursery: usize, mark_region: bool) -> Config {
    let config = Config {
        initial_bytes: 512,
        max_bytes: limit,
        stress,
        poison: true,
        verify: true,
        nursery_bytes: nursery,
        ..Config::default()
    };
    if mark_region {
        config.with_mark_region()
    } else {
        config
    }
}

/// Half the cases semispace, half generational: with a nursery of 8 to 64
/// bytes, most objects are larger than the nursery and go to the
/// large-object space; with 64 bytes to 4 KiB, few do.
fn nursery() -> impl Strategy<Value = usize> {
    prop_oneof![2 => Just(0), 1 => 8usize..64, 1 => 64usize..4_096]
}

fn cases() -> ProptestConfig {
    ProptestConfig {
        // Miri is some 1,000 times slower: there the per-mode tests below
        // guarantee every mode, and one random case per test adds to them
        // (the operations are the same, only fewer).
        cases: if cfg!(miri) { 1 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A fixed sequence of operations: `MAX_OPS` drawn from the strategy with
/// a deterministic generator, the same on every run.
fn fixed_ops(seed: u8) -> Vec<Op> {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(ProptestConfig::default(), rng);
    prop::collection::vec(op(), MAX_OPS)
        .new_tree(&mut runner)
        .expect("a sequence")
        .current()
}

/// One fixed sequence in one heap mode, checked against the model under
/// every scheme, and the schemes against each other: every mode is run
/// whatever the random cases draw (under miri, where they are few, and
/// which runs these split by mode between its borrow models).
// One push per scheme compiled in: `vec![]` cannot hold the `cfg`s.
#[allow(clippy::vec_init_then_push)]
fn every_scheme_in(nursery: usize, mark_region: bool, stress: bool) {
    let c = config(stress, 4_096, nursery, mark_region);
    let ops = fixed_ops(u8::from(mark_region) * 2 + u8::from(nursery != 0));
    let mut seen = Vec::new();
    #[cfg(feature = "intrusive")]
    seen.push(run::<gcroots::Intrusive>(&ops, &c));
    #[cfg(feature = "indexed")]
    seen.push(run::<gcroots::Indexed>(&ops, &c));
    #[cfg(feature = "hybrid")]
    seen.push(run::<gcroots::Hybrid>(&ops, &c));
    assert!(
        seen.windows(2).all(|w| w[0] == w[1]),
        "the schemes observed different things"
    );
    // The conservative scheme, in the one mode it accepts, against the
    // model only: it may keep more than the others (a stale stack word),
    // so it may observe more live bytes and earlier refusals.
    #[cfg(all(feature = "conservative", not(miri)))]
    if mark_region && nursery == 0 {
        run::<gcroots::Conservative>(&ops, &c);
    }
}

/// The conservative scheme in mark-region mode, without and with stress,
/// on the fixed sequence of each.
#[cfg(all(feature = "conservative", not(miri)))]
#[test]
fn conservative_against_the_model() {
    for stress in [false, true] {
        let c = config(stress, 4_096, 0, true);
        run::<gcroots::Conservative>(&fixed_ops(2), &c);
    }
}

#[test]
fn semispace_against_the_model() {
    every_scheme_in(0, false, true);
}

#[test]
fn generational_against_the_model() {
    every_scheme_in(1_024, false, false);
}

#[test]
fn mark_region_against_the_model() {
    every_scheme_in(0, true, false);
}

#[test]
fn generational_mark_region_against_the_model() {
    every_scheme_in(1_024, true, true);
}

const MAX_OPS: usize = if cfg!(miri) { 40 } else { 200 };

proptest! {
    #![proptest_config(cases())]

    #[cfg(feature = "intrusive")]
    #[test]
    fn intrusive_matches_the_model(
        ops in prop::collection::vec(op(), 1..MAX_OPS),
        stress: bool,
        limit in 1_024usize..16_384,
        nursery in nursery(),
        mark_region: bool,
    ) {
        run::<gcroots::Intrusive>(&ops, &config(stress, limit, nursery, mark_region));
    }

    #[cfg(feature = "indexed")]
    #[test]
    fn indexed_matches_the_model(
        ops in prop::collection::vec(op(), 1..MAX_OPS),
        stress: bool,
        limit in 1_024usize..16_384,
        nursery in nursery(),
        mark_region: bool,
    ) {
        run::<gcroots::Indexed>(&ops, &config(stress, limit, nursery, mark_region));
    }

    #[cfg(feature = "hybrid")]
    #[test]
    fn hybrid_matches_the_model(
        ops in prop::collection::vec(op(), 1..MAX_OPS),
        stress: bool,
        limit in 1_024usize..16_384,
        nursery in nursery(),
        mark_region: bool,
    ) {
        run::<gcroots::Hybrid>(&ops, &config(stress, limit, nursery, mark_region));
    }

    /// The conservative scheme: mark-region without a nursery only, and
    /// natively only.
    #[cfg(all(feature = "conservative", not(miri)))]
    #[test]
    fn conservative_matches_the_model(
        ops in prop::collection::vec(op(), 1..MAX_OPS),
        stress: bool,
        limit in 1_024usize..16_384,
    ) {
        run::<gcroots::Conservative>(&ops, &config(stress, limit, 0, true));
    }

    /// The schemes observe the same reads, collections and failures.
    #[cfg(all(feature = "intrusive", feature = "indexed", feature = "hybrid"))]
    #[test]
    fn the_schemes_observe_the_same(
        ops in prop::collection::vec(op(), 1..MAX_OPS),
        stress: bool,
        limit in 1_024usize..16_384,
        nursery in nursery(),
        mark_region: bool,
    ) {
        let c = config(stress, limit, nursery, mark_region);
        let intrusive = run::<gcroots::Intrusive>(&ops, &c);
        prop_assert_eq!(&intrusive, &run::<gcroots::Indexed>(&ops, &c));
        prop_assert_eq!(&intrusive, &run::<gcroots::Hybrid>(&ops, &c));
    }
}

/// The swapped-scope episode, which the generated sequences leave to the
/// fuzzer (it builds two heaps of its own each time).
#[test]
fn a_scope_over_a_swapped_heap() {
    let ops = [
        Op::SwappedScope,
        Op::Enter {
            heap: 0,
            fields: 1,
            words: 0,
        },
        Op::SwappedScope,
    ];
    for (nursery, mark_region) in [(0, false), (1_024, false), (0, true), (1_024, true)] {
        let c = config(true, 4096, nursery, mark_region);
        #[cfg(feature = "intrusive")]
        run::<gcroots::Intrusive>(&ops, &c);
        #[cfg(feature = "indexed")]
        run::<gcroots::Indexed>(&ops, &c);
        #[cfg(feature = "hybrid")]
        run::<gcroots::Hybrid>(&ops, &c);
        #[cfg(all(feature = "conservative", not(miri)))]
        if mark_region && nursery == 0 {
            run::<gcroots::Conservative>(&ops, &c);
        }
    }
}
