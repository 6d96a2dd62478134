//! Helpers shared by the test files: the per-scheme `suite!` macro, panic
//! messages, and hand-polled futures. Each test file includes this module
//! and uses what it needs.

#![allow(dead_code)]

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// Instantiates each generic test `fn name<S: Scheme>(...)` once per
/// enabled scheme, as `intrusive::name`, `indexed::name`, `hybrid::name`,
/// `conservative::name`. The conservative scheme runs in the modes that
/// can pin only, mark-region (`conservative_mr::a`) and its zeal mode
/// (`conservative_mr_zeal::a`), and never under miri (it reads the native
/// stack).
///
/// - `suite!(a, b)`: each test takes no argument;
/// - `suite!(modes: a, b)`: each takes a `Config`, and runs once per heap
///   mode: semispace (`intrusive::a`), generational (`intrusive_gen::a`),
///   mark-region (`intrusive_mr::a`), generational mark-region
///   (`intrusive_gen_mr::a`);
/// - `suite!(configs: a, b)`: each takes a `Config`, and runs eight times
///   per scheme, once per heap mode and zeal setting: semispace with the
///   default configuration (`intrusive::a`) and in zeal mode
///   (`intrusive_zeal::a`), generational (`intrusive_gen::a`,
///   `intrusive_gen_zeal::a`), mark-region (`intrusive_mr::a`,
///   `intrusive_mr_zeal::a`) and generational mark-region
///   (`intrusive_gen_mr::a`, `intrusive_gen_mr_zeal::a`).
macro_rules! suite {
    (configs: $($test:ident),* $(,)?) => {
        $crate::common::suite!(@configs gcroots::Intrusive, "intrusive",
            [intrusive, intrusive_zeal, intrusive_gen, intrusive_gen_zeal,
             intrusive_mr, intrusive_mr_zeal, intrusive_gen_mr, intrusive_gen_mr_zeal],
            $($test),*);
        $crate::common::suite!(@configs gcroots::Indexed, "indexed",
            [indexed, indexed_zeal, indexed_gen, indexed_gen_zeal,
             indexed_mr, indexed_mr_zeal, indexed_gen_mr, indexed_gen_mr_zeal],
            $($test),*);
        $crate::common::suite!(@configs gcroots::Hybrid, "hybrid",
            [hybrid, hybrid_zeal, hybrid_gen, hybrid_gen_zeal,
             hybrid_mr, hybrid_mr_zeal, hybrid_gen_mr, hybrid_gen_mr_zeal],
            $($test),*);
        $crate::common::suite!(@conservative conservative_mr,
            (gcroots::Config::mark_region()), $($test),*);
        $crate::common::suite!(@conservative conservative_mr_zeal,
            (gcroots::Config::zeal().with_mark_region()), $($test),*);
    };
    (@configs $scheme:ty, $feature:literal,
        [$plain:ident, $zeal:ident, $gen:ident, $gen_zeal:ident,
         $mr:ident, $mr_zeal:ident, $gen_mr:ident, $gen_mr_zeal:ident],
        $($test:ident),*) => {
        $crate::common::suite!(@mod $plain, $scheme, $feature,
            (gcroots::Config::default()), $($test),*);
        $crate::common::suite!(@mod $zeal, $scheme, $feature,
            (gcroots::Config::zeal()), $($test),*);
        $crate::common::suite!(@mod $gen, $scheme, $feature,
            ($crate::common::generational()), $($test),*);
        $crate::common::suite!(@mod $gen_zeal, $scheme, $feature,
            ($crate::common::gen_zeal()), $($test),*);
        $crate::common::suite!(@mod $mr, $scheme, $feature,
            (gcroots::Config::mark_region()), $($test),*);
        $crate::common::suite!(@mod $mr_zeal, $scheme, $feature,
            (gcroots::Config::zeal().with_mark_region()), $($test),*);
        $crate::common::suite!(@mod $gen_mr, $scheme, $feature,
            ($crate::common::generational().with_mark_region()), $($test),*);
        $crate::common::suite!(@mod $gen_mr_zeal, $scheme, $feature,
            ($crate::common::gen_zeal().with_mark_region()), $($test),*);
    };
    (modes: $($test:ident),* $(,)?) => {
        $crate::common::suite!(@modes gcroots::Intrusive, "intrusive",
            [intrusive, intrusive_gen, intrusive_mr, intrusive_gen_mr], $($test),*);
        $crate::common::suite!(@modes gcroots::Indexed, "indexed",
            [indexed, indexed_gen, indexed_mr, indexed_gen_mr], $($test),*);
        $crate::common::suite!(@modes gcroots::Hybrid, "hybrid",
            [hybrid, hybrid_gen, hybrid_mr, hybrid_gen_mr], $($test),*);
        $crate::common::suite!(@conservative conservative_mr,
            (gcroots::Config::mark_region()), $($test),*);
    };
    (@modes $scheme:ty, $feature:literal, [$plain:ident, $gen:ident, $mr:ident, $gen_mr:ident],
        $($test:ident),*) => {
        $crate::common::suite!(@mod $plain, $scheme, $feature,
            (gcroots::Config::default()), $($test),*);
        $crate::common::suite!(@mod $gen, $scheme, $feature,
            ($crate::common::generational()), $($test),*);
        $crate::common::suite!(@mod $mr, $scheme, $feature,
            (gcroots::Config::mark_region()), $($test),*);
        $crate::common::suite!(@mod $gen_mr, $scheme, $feature,
            ($crate::common::generational().with_mark_region()), $($test),*);
    };
    ($($test:ident),* $(,)?) => {
        $crate::common::suite!(@mod intrusive, gcroots::Intrusive, "intrusive", (), $($test),*);
        $crate::common::suite!(@mod indexed, gcroots::Indexed, "indexed", (), $($test),*);
        $crate::common::suite!(@mod hybrid, gcroots::Hybrid, "hybrid", (), $($test),*);
        $crate::common::suite!(@conservative conservative, (), $($test),*);
    };
    // The conservative scheme: mark-region without a nursery only (every
    // other mode is refused), and natively only (it reads the stack, which
    // miri has not got: under miri these modules do not exist).
    (@conservative $module:ident, $args:tt, $($test:ident),*) => {
        #[cfg(all(feature = "conservative", not(miri)))]
        mod $module {
            $(#[test] fn $test() { super::$test::<gcroots::Conservative> $args })*
        }
    };
    (@mod $module:ident, $scheme:ty, $feature:literal, $args:tt, $($test:ident),*) => {
        #[cfg(feature = $feature)]
        mod $module {
            $(#[test] fn $test() { super::$test::<$scheme> $args })*
        }
    };
}
pub(crate) use suite;

/// A generational heap: the default 1 MiB nursery natively; under miri,
/// where the tests are scaled down, a 16 KiB one, so that their smaller
/// allocation volumes still fill the nursery and run minor collections.
pub(crate) fn generational() -> gcroots::Config {
    if cfg!(miri) {
        gcroots::Config::generational().with_nursery(16 << 10)
    } else {
        gcroots::Config::generational()
    }
}

/// Zeal mode for scheme `S`: the semispace zeal configuration, or, for
/// a scheme that needs a heap that can pin (conservative), mark-region
/// zeal.
pub(crate) fn zeal<S: gcroots::Scheme>() -> gcroots::Config {
    if needs_pinning::<S>() {
        gcroots::Config::zeal().with_mark_region()
    } else {
        gcroots::Config::zeal()
    }
}

/// Whether the scheme finds its stack roots by scanning the stack, and so
/// needs a mark-region heap and may keep objects that a stale stack word
/// points to (the conservative scheme).
pub(crate) fn needs_pinning<S: gcroots::Scheme>() -> bool {
    S::NAME == "conservative"
}

/// Zeal mode for a generational heap: a 4 KiB nursery (objects over
/// about 4 KiB go to the large-object space), a minor collection before
/// every allocation and a full one every 16th.
pub(crate) fn gen_zeal() -> gcroots::Config {
    gcroots::Config::generational_zeal()
}

/// Zeal mode in the same heap mode as `config`: a collection before every
/// allocation, poisoning and verification, small spaces (a 4 KiB nursery
/// if `config` is generational).
pub(crate) fn zeal_of(config: &gcroots::Config) -> gcroots::Config {
    let zeal = gcroots::Config {
        space: config.space,
        ..gcroots::Config::zeal()
    };
    if config.is_generational() {
        zeal.with_nursery(gcroots::Config::ZEAL_NURSERY_BYTES)
    } else {
        zeal
    }
}

/// Whether the scheme's scoped roots live until their *scope* exits (the
/// indexed scheme: a table LIFO), rather than until their *block* ends
/// (the intrusive and hybrid schemes: pinned stack roots in a list).
pub(crate) fn scoped_roots_outlive_their_block<S: gcroots::Scheme>() -> bool {
    S::NAME == "indexed"
}

/// Whether the scheme keeps stack roots nowhere but on the stack, so that
/// the heap does not count them (the conservative scheme).
pub(crate) fn stack_roots_are_uncounted<S: gcroots::Scheme>() -> bool {
    S::NAME == "conservative"
}

/// Whether the scheme keeps a root list outside the heap, which roots
/// borrow and which serves one heap for good (the intrusive and hybrid
/// schemes); the indexed scheme keeps everything in the heap's table.
pub(crate) fn has_a_root_list<S: gcroots::Scheme>() -> bool {
    S::NAME == "intrusive" || S::NAME == "hybrid"
}

/// Asserts the bytes a heap holds after a collection: exactly `expected`
/// under a precise scheme. Under the conservative scheme at least
/// `expected`, never less (nothing live may be lost): a stale word on the
/// stack (a dead local, a register a frame saved) may keep a dead object,
/// which is the scheme's false retention, measured by the runner.
#[track_caller]
pub(crate) fn check_used<S: gcroots::Scheme>(actual: usize, expected: usize, what: &str) {
    if needs_pinning::<S>() {
        assert!(
            actual >= expected,
            "{what}: {actual} bytes used, fewer than the {expected} live"
        );
    } else {
        assert_eq!(actual, expected, "{what}");
    }
}

/// The roots a heap counts for `n` stack roots: none under the
/// conservative scheme, which keeps them on the stack only.
pub(crate) fn stack_roots<S: gcroots::Scheme>(n: usize) -> usize {
    if stack_roots_are_uncounted::<S>() {
        0
    } else {
        n
    }
}

/// The message of the panic `f` raises.
///
/// # Panics
///
/// If `f` returns instead.
pub(crate) fn panic_message(f: impl FnOnce()) -> String {
    let err = panic::catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// A future that returns `Pending` once, then `Ready`: an await point.
pub(crate) struct YieldOnce(pub(crate) bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Polls `f` once, with a waker that does nothing.
pub(crate) fn poll<F: Future>(f: Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}
