//! [`Config`]: how a heap sizes itself and how much checking it does.

use crate::error::HeapError;
use crate::object::WORD;

/// What the heap's main space (its mature space, in generational mode)
/// does with the objects that survive a collection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SpaceKind {
    /// Two semispaces: every full collection copies every live object
    /// (Cheney). Cannot pin.
    #[default]
    Semispace,
    /// Blocks of lines (Immix): a full collection marks live objects where
    /// they are and frees whole lines, and evacuates the objects of
    /// fragmented blocks when [`Config::evacuate`] allows. Can pin
    /// ([`Heap::pin`](crate::Heap::pin)).
    MarkRegion,
}

/// How a heap sizes itself and how much checking it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The initial size of each semispace, in bytes (in mark-region mode:
    /// of the space's budget, in whole 32 KiB blocks), rounded up to a
    /// whole number of 8-byte words. At least 8, and at most `max_bytes`
    /// after rounding.
    pub initial_bytes: usize,
    /// The largest a semispace may grow, in bytes: the limit on live data,
    /// rounded *down* to a whole number of 8-byte words (so `max_bytes: 12`
    /// allows 8 bytes of live data; [`Heap::limit_bytes`](crate::Heap::limit_bytes)
    /// says what the limit is). At least 8. Any value up to `usize::MAX`
    /// is accepted; the system allocator decides how much a heap can
    /// really get ([`AllocError::System`](crate::AllocError::System)).
    pub max_bytes: usize,
    /// Grow when, after a collection, live data exceeds this percentage of a
    /// semispace (1 to 100): the next collection copies into semispaces
    /// twice the size. In mark-region mode the budget (the blocks the
    /// mutator may fill before a collection) grows just enough that the
    /// live data is at most this percentage of it.
    pub grow_percent: u8,
    /// Collect before every allocation, so that a value that should have
    /// been rooted but was not is moved (and, with `poison`, destroyed) at
    /// the first opportunity.
    pub stress: bool,
    /// After each collection, fill the semispace that was evacuated (in
    /// mark-region mode: every word of a used block that no live object
    /// covers) with a pattern that no header decodes to, so that reading a
    /// stale object fails loudly instead of returning old data.
    pub poison: bool,
    /// After each collection, check that every root and every reference
    /// field points at an object of the heap, and, in generational mode,
    /// before each minor collection, that every reference from a mature or
    /// large object into the nursery is in the remembered set; panic with a
    /// message if not.
    pub verify: bool,
    /// The nursery's size in bytes, rounded down to whole 8-byte words: 0
    /// for a semispace heap (the default); otherwise the heap is
    /// generational (see [`Heap`](crate::Heap#generational-mode)). A
    /// nursery larger than `max_bytes` is cut to it. In stress mode a generational heap runs a minor
    /// collection before every allocation and a full one every 16th time.
    pub nursery_bytes: usize,
    /// The main space: [`SpaceKind::Semispace`] (the default) or
    /// [`SpaceKind::MarkRegion`].
    pub space: SpaceKind,
    /// In mark-region mode, whether full collections evacuate the objects
    /// of fragmented blocks (the default) or only ever mark in place.
    /// Ignored by the semispace. In stress mode every other full
    /// collection of a mark-region heap evacuates every object it can.
    pub evacuate: bool,
}

impl Default for Config {
    /// 1 MiB semispaces growing at 50% occupancy up to 1 GiB, no checking.
    fn default() -> Self {
        Config {
            initial_bytes: 1 << 20,
            max_bytes: 1 << 30,
            grow_percent: 50,
            stress: false,
            poison: false,
            verify: false,
            nursery_bytes: 0,
            space: SpaceKind::Semispace,
            evacuate: true,
        }
    }
}

impl Config {
    /// Stress, poisoning and verification on, small initial semispaces: the
    /// configuration that makes a missing root show up deterministically
    /// (SpiderMonkey calls this *zeal*). Slow; for tests.
    pub fn zeal() -> Config {
        Config {
            initial_bytes: 4 << 10,
            stress: true,
            poison: true,
            verify: true,
            ..Config::default()
        }
    }

    /// The nursery size [`generational`](Self::generational) uses: 1 MiB
    /// (measured against 256 KiB, 4 MiB and 8 MiB; DESIGN.md).
    pub const NURSERY_BYTES: usize = 1 << 20;

    /// The default configuration with a nursery of
    /// [`NURSERY_BYTES`](Self::NURSERY_BYTES): a generational heap.
    pub fn generational() -> Config {
        Config::default().with_nursery(Config::NURSERY_BYTES)
    }

    /// Zeal mode for a generational heap: [`zeal`](Self::zeal) with a
    /// 4 KiB nursery, so that minor collections (one before every
    /// allocation) and promotion run constantly, and the remembered set is
    /// verified before each. What this crate's own suites use.
    ///
    /// ```
    /// let c = gcroots::Config::generational_zeal();
    /// assert!(c.is_generational() && c.stress && c.verify);
    /// assert_eq!(c.mode(), "generational");
    /// ```
    pub fn generational_zeal() -> Config {
        Config::zeal().with_nursery(Config::ZEAL_NURSERY_BYTES)
    }

    /// The nursery size of [`generational_zeal`](Self::generational_zeal):
    /// 4 KiB.
    pub const ZEAL_NURSERY_BYTES: usize = 4 << 10;

    /// This configuration with a nursery of `bytes` (0: semispace mode).
    /// `Config::zeal().with_nursery(4 << 10)` is
    /// [`generational_zeal`](Self::generational_zeal).
    pub fn with_nursery(self, bytes: usize) -> Config {
        Config {
            nursery_bytes: bytes,
            ..self
        }
    }

    /// Whether the configuration asks for a generational heap.
    pub fn is_generational(&self) -> bool {
        self.nursery_bytes >= WORD
    }

    /// The default configuration with a mark-region main space.
    pub fn mark_region() -> Config {
        Config::default().with_mark_region()
    }

    /// This configuration with a mark-region main space:
    /// `Config::zeal().with_mark_region()` is zeal mode for a mark-region
    /// heap, and `Config::mark_region().with_nursery(n)` a generational
    /// heap whose nursery promotes into a mark-region mature space (Immix's
    /// GenImmix).
    pub fn with_mark_region(self) -> Config {
        Config {
            space: SpaceKind::MarkRegion,
            ..self
        }
    }

    /// The heap mode this configuration makes, as reports name it:
    /// `"semispace"`, `"generational"`, `"mark-region"` or
    /// `"generational mark-region"`.
    pub fn mode(&self) -> &'static str {
        match (self.space, self.is_generational()) {
            (SpaceKind::Semispace, false) => "semispace",
            (SpaceKind::Semispace, true) => "generational",
            (SpaceKind::MarkRegion, false) => "mark-region",
            (SpaceKind::MarkRegion, true) => "generational mark-region",
        }
    }

    /// The initial and largest semispace sizes and the nursery size in
    /// words, or why the configuration is refused.
    ///
    /// On success `initial <= max`, `nursery <= max`, `max <= usize::MAX / 8`, so any
    /// number of words up to `max` times 8 fits a `usize`: the heap's size
    /// arithmetic cannot overflow.
    pub(crate) fn validate(&self) -> Result<(usize, usize, usize), HeapError> {
        if self.max_bytes < WORD || self.initial_bytes < WORD {
            return Err(HeapError::Config(
                "initial_bytes and max_bytes must be at least 8",
            ));
        }
        if !(1..=100).contains(&self.grow_percent) {
            return Err(HeapError::Config("grow_percent must be between 1 and 100"));
        }
        let max = self.max_bytes / WORD;
        let initial = self.initial_bytes.div_ceil(WORD);
        if initial > max {
            return Err(HeapError::Config(
                "initial_bytes exceeds max_bytes (after rounding initial_bytes up and max_bytes down to whole 8-byte words)",
            ));
        }
        let nursery = self.nursery_bytes / WORD;
        if self.nursery_bytes != 0 && nursery == 0 {
            return Err(HeapError::Config(
                "nursery_bytes must be 0 (semispace mode) or at least 8",
            ));
        }
        Ok((initial, max, nursery.min(max)))
    }
}
