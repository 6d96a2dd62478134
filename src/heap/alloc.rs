//! The heap's allocation slow paths, one per mode, and the mutator's
//! buffer: how each mode makes room, when it collects, how it grows.

use super::*;

impl<'r, S: Scheme> Heap<'r, S> {
    // --- Each mode's slow path (the mutator's buffer retired) ---

    /// Semispace mode: a pointer to `words` free words of the semispace.
    pub(super) fn alloc_semispace(&mut self, words: usize) -> Result<*mut u64, AllocError> {
        if self.config.stress || self.semispaces().free_words() < words {
            self.make_room(words)?;
        }
        let s = self.semispaces_mut();
        let p = s.space.word(s.top);
        s.top += words;
        Ok(p)
    }

    /// Semispace mode: collects, then grows if `words` still do not fit.
    pub(super) fn make_room(&mut self, words: usize) -> Result<(), AllocError> {
        self.full_collection();
        let s = self.semispaces();
        if s.free_words() >= words {
            return Ok(());
        }
        // `top <= space words <= max_words <= usize::MAX / WORD` and
        // `words <= max_words`: neither this sum nor the products below
        // overflow.
        let need = s.top + words;
        if need > self.max_words {
            return Err(AllocError::OutOfMemory {
                requested: words * WORD,
                live: s.top * WORD,
                limit: self.limit_bytes(),
            });
        }
        let target = need.max(s.words().saturating_mul(2)).min(self.max_words);
        self.grow(target)
    }

    /// Generational modes: a pointer to `words` free words (in the
    /// nursery, or a large object's run).
    pub(super) fn alloc_generational(&mut self, words: usize) -> Result<*mut u64, AllocError> {
        if self.config.stress {
            self.nursery.stress_count = self.nursery.stress_count.wrapping_add(1);
            if self.nursery.stress_count % STRESS_FULL_EVERY == 0 {
                self.full_collection();
            } else {
                self.minor_collection();
            }
        }
        if words >= self.large_words {
            return self.alloc_large(words);
        }
        if self.nursery.top + words > self.nursery.limit {
            self.make_nursery_room(words)?;
        }
        let n = &mut self.nursery;
        let p = n.memory.word(n.top);
        n.top += words;
        Ok(p)
    }

    /// Makes `words` fit the nursery: a minor collection, then a full one,
    /// then a larger mature space; `OutOfMemory` if the live data and the
    /// allocation would exceed the limit.
    pub(super) fn make_nursery_room(&mut self, words: usize) -> Result<(), AllocError> {
        self.minor_collection();
        if self.nursery.top + words <= self.nursery.limit {
            return Ok(());
        }
        self.full_collection();
        if self.nursery.top + words <= self.nursery.limit {
            return Ok(());
        }
        self.check_limit(words)?;
        // The nursery is empty; grow the mature space to hold a full one
        // (or as much as the limit allows): then `words` fit, since they fit
        // the nursery and the limit (`check_limit`).
        let nursery_words = self.nursery.memory.words();
        match &mut self.mature {
            Mature::Copying(s) => {
                let target = (s.top.saturating_add(nursery_words))
                    .max(s.words().saturating_mul(2))
                    .min(self.max_words);
                self.grow(target)?;
            }
            Mature::MarkRegion(r) => {
                // Promotion may need twice its words in free blocks.
                let blocks = (2 * words).div_ceil(BLOCK_WORDS) + 1;
                if !r.raise_budget(blocks) {
                    self.regrow()?;
                    self.full_collection();
                    self.region_mut().raise_budget(blocks);
                }
                self.update_nursery_limit();
            }
        }
        debug_assert!(self.nursery.top + words <= self.nursery.limit);
        Ok(())
    }

    /// Mark-region mode: a pointer to `words` free words (in a hole, the
    /// overflow block, or a large object's run).
    pub(super) fn alloc_region(&mut self, words: usize) -> Result<*mut u64, AllocError> {
        let mut collected = false;
        if self.config.stress {
            self.full_collection();
            collected = true;
        }
        if words >= self.large_words {
            return self.alloc_large(words);
        }
        if self.used_words() + words > self.max_words {
            if !collected {
                self.full_collection();
                collected = true;
            }
            self.check_limit(words)?;
        }
        if let Some(p) = self.place_in_region(words) {
            return Ok(p);
        }
        if !collected {
            self.full_collection();
            self.check_limit(words)?;
            if let Some(p) = self.place_in_region(words) {
                return Ok(p);
            }
        }
        // The live data and the object fit the limit, but not the budget:
        // raise it, and if the primary chunk has no free block left, move
        // everything to a larger one.
        if !self.region_mut().raise_budget(1) {
            self.regrow()?;
            self.full_collection();
            self.region_mut().raise_budget(1);
        }
        Ok(self
            .place_in_region(words)
            .expect("a free block after raising the budget"))
    }

    /// Mark-region mode: `words` words in the current hole, the next one,
    /// or (an object over a line) the overflow block; `None` if the budget
    /// has no block left.
    pub(super) fn place_in_region(&mut self, words: usize) -> Option<*mut u64> {
        let r = self.region_mut();
        let at = if r.hole_room() >= words {
            r.take_from_hole(words)
        } else if words > LINE_WORDS {
            r.take_overflow(words, true)?
        } else if r.next_hole(words, true) {
            r.take_from_hole(words)
        } else {
            return None;
        };
        r.note_allocated(at, words);
        Some(r.primary().word(at))
    }

    /// Mark-region modes: makes the larger chunk the budget asks for the
    /// primary, before a full collection evacuates into it.
    pub(super) fn regrow(&mut self) -> Result<(), AllocError> {
        self.region_mut()
            .regrow()
            .map_err(|bytes| AllocError::System { bytes })
    }

    /// A large object of `words` words, in a run of its own.
    pub(super) fn alloc_large(&mut self, words: usize) -> Result<*mut u64, AllocError> {
        // Each term is at most `max_words <= usize::MAX / WORD`: no overflow.
        if self.used_words() + words > self.max_words {
            self.full_collection();
            self.check_limit(words)?;
        }
        self.large.alloc(words).ok_or(AllocError::System {
            bytes: words * WORD,
        })
    }

    /// After a full collection: `OutOfMemory` if the live data and `words`
    /// more would exceed the limit.
    pub(super) fn check_limit(&self, words: usize) -> Result<(), AllocError> {
        let live = self.used_words();
        if live + words > self.max_words {
            return Err(AllocError::OutOfMemory {
                requested: words * WORD,
                live: live * WORD,
                limit: self.limit_bytes(),
            });
        }
        Ok(())
    }

    // --- The mutator's buffer ---

    /// Takes back the mutator's buffer: its space learns how far it was
    /// used. Before anything reads that space.
    pub(super) fn retire(&mut self) {
        // While the buffer is lent, nothing else moves the space's top, so
        // the top at the loan plus what the buffer handed out is the top.
        let bump = mem::replace(&mut self.bump, Bump::empty());
        if self.nursery.on() {
            self.nursery.top += bump.used();
        } else {
            match &mut self.mature {
                Mature::Copying(s) => s.top += bump.used(),
                Mature::MarkRegion(r) => r.retire(&bump),
            }
        }
    }

    /// Lends the mutator a buffer again: the rest of the semispace, the
    /// nursery up to its limit, or the rest of the current hole (no more
    /// than keeps the heap within its limit).
    pub(super) fn refill(&mut self) {
        debug_assert_eq!(self.bump.used(), 0, "refill over a buffer in use");
        self.bump = Bump::empty();
        self.bump = if self.nursery.on() {
            self.update_nursery_limit();
            Bump::lend(&self.nursery.memory, self.nursery.top, self.nursery.limit)
        } else {
            match &self.mature {
                Mature::Copying(s) => Bump::lend(&s.space, s.top, s.words()),
                Mature::MarkRegion(r) => r.lend(self.max_words.saturating_sub(self.used_words())),
            }
        };
    }

    /// Words in use in every space.
    pub(super) fn used_words(&self) -> usize {
        let mature = match &self.mature {
            Mature::Copying(s) => s.top,
            Mature::MarkRegion(r) => r.used(),
        };
        mature + self.nursery.top + self.bump.used() + self.large.words()
    }

    /// Sets how much of the nursery may fill before a minor collection: no
    /// more than the mature space can take in (so a minor collection never
    /// runs out of room) and than keeps the heap within its limit.
    pub(super) fn update_nursery_limit(&mut self) {
        let (room, mature) = match &self.mature {
            Mature::Copying(s) => (s.free_words(), s.top),
            // As much as the budget leaves, in holes and blocks, until
            // promotion has taken more blocks than the budget (objects over
            // a line are promoted into free blocks, not holes, so the holes
            // alone do not bound it): then the next allocation runs a full
            // collection. And no more than half the free blocks, since
            // promotion may waste up to half of each (an object that does
            // not fit a block's end).
            Mature::MarkRegion(r) => (
                if r.over_budget() {
                    0
                } else {
                    (r.hole_words() + r.budget_left() * BLOCK_WORDS)
                        .min(r.free_blocks() * BLOCK_WORDS / 2)
                },
                r.used(),
            ),
        };
        let n = &mut self.nursery;
        n.limit = n.memory.words().min(room).min(
            self.max_words
                .saturating_sub(mature)
                .saturating_sub(self.large.words()),
        );
        debug_assert!(n.top <= n.limit, "the nursery holds more than its limit");
    }
}
