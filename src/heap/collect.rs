//! The heap's collections: when each mode's full and minor collections run
//! a collector over the spaces, what they do around it (the remembered set,
//! the growth rule, poisoning, verification) and what they count.

use super::*;

impl<'r, S: Scheme> Heap<'r, S> {
    // --- Collections (the mutator's buffer retired) ---

    /// Runs a full collection now: copies (or, in mark-region mode, marks
    /// in place or evacuates) every object reachable from the roots, and
    /// rewrites the roots of every object that moved. In generational mode
    /// the nursery is emptied into the mature space too, and unreachable
    /// large objects are freed.
    ///
    /// Never inlined: inlined into a loop that collects now and then, it
    /// took registers from the loop's fast path.
    #[inline(never)]
    pub fn collect(&mut self) {
        self.retire();
        self.full_collection();
        self.refill();
    }

    /// Runs a minor collection now: promotes the nursery objects that the
    /// roots and the remembered objects reach into the mature space, and
    /// empties the nursery. Outside generational mode, a full collection
    /// ([`collect`](Self::collect)).
    #[inline(never)]
    pub fn collect_minor(&mut self) {
        self.retire();
        self.minor_collection();
        self.refill();
    }

    pub(super) fn full_collection(&mut self) {
        self.full_collections += 1;
        self.forget_remembered();
        match &self.mature {
            Mature::Copying(s) => {
                let target = s.target_words;
                if target > s.words() && self.grow(target).is_ok() {
                    return;
                }
                // Same size: evacuate into the spare, which becomes the
                // space. The spare holds the mature objects and the
                // nursery's: the nursery limit keeps `top + nursery top <=
                // space words`.
                self.semispaces_mut().flip();
                self.evacuate_from_spare();
            }
            Mature::MarkRegion(_) => self.mark_region_full(),
        }
    }

    /// Copying modes: collects into two fresh semispaces of `words` words
    /// (at least the words in use in the semispace and the nursery).
    pub(super) fn grow(&mut self, words: usize) -> Result<(), AllocError> {
        let system = AllocError::System {
            bytes: words * WORD,
        };
        let to = Memory::new(words).ok_or(system)?;
        let spare = Memory::new(words).ok_or(system)?;
        self.forget_remembered();
        let s = self.semispaces_mut();
        s.spare = mem::replace(&mut s.space, to);
        self.evacuate_from_spare();
        // The old semispaces are freed, not poisoned.
        self.semispaces_mut().spare = spare;
        Ok(())
    }

    /// The copying full collection proper: `spare` holds the mature
    /// objects (all of them in semispace mode), `space` is empty.
    pub(super) fn evacuate_from_spare(&mut self) {
        let start = Instant::now();
        let Mature::Copying(s) = &mut self.mature else {
            unreachable!("a copying collection of a mark-region heap")
        };
        let set = RootSetMut {
            anchor: &self.roots.anchor,
            table: &mut self.table,
        };
        let outcome = cheney::evacuate::<S>(
            set,
            &s.spare,
            &self.nursery.memory,
            &mut self.large,
            &s.space,
            self.weaks.get_mut(),
        );
        s.top = outcome.top;
        if self.config.poison {
            s.spare.poison();
        }
        // In u128: `words * 100` may not fit a u64 when the limit is near
        // `usize::MAX`. (Growing also while the free room is less than one
        // nursery made the workloads that collect by hand up to 40% slower
        // in generational mode: DESIGN.md.)
        let live = s.top as u128;
        if live * 100 > s.words() as u128 * u128::from(self.config.grow_percent) {
            s.target_words = s.words().saturating_mul(2).min(self.max_words);
        }
        let top = s.top;
        self.large.sweep();
        self.nursery.empty(self.config.poison);
        self.update_nursery_limit();
        self.sync_view();
        if self.config.verify {
            self.verify("after a full collection");
        }
        self.count_full(start, &outcome, (top * WORD) as u64, 0);
    }

    /// The mark-region full collection: marks in place, evacuates the
    /// candidates (on every other collection in stress mode, every object
    /// it can; after the budget outgrew the primary, every object of the
    /// old chunk), sweeps, and applies the occupancy rule.
    pub(super) fn mark_region_full(&mut self) {
        let start = Instant::now();
        let evacuate_all = self.config.stress && self.full_collections % 2 == 0;
        // Blocks for the nursery's objects, which the collection must copy
        // (the nursery's limit keeps them within the free blocks).
        let reserve = (2 * self.nursery.top).div_ceil(BLOCK_WORDS);
        let Mature::MarkRegion(r) = &mut self.mature else {
            unreachable!("a mark-region collection of a copying heap")
        };
        if S::CONSERVATIVE {
            self.roots.anchor.check_thread();
        }
        if self.config.poison || S::CONSERVATIVE {
            // Poisoning needs to know every object that may die; the stack
            // scan, every object a word may point into. (Before a regrow:
            // the fresh runs are of the current primary.)
            r.record_fresh_starts();
        }
        if r.wants_chunk() {
            // If the system refuses the larger chunk, the budget stays
            // where it is; an allocation that then finds no room reports
            // the refusal.
            let _ = r.regrow();
        }
        let evacuating = r.prepare(evacuate_all, self.config.evacuate, reserve);
        let set = RootSetMut {
            anchor: &self.roots.anchor,
            table: &mut self.table,
        };
        let outcome = mark::full::<S>(
            set,
            &mut self.pins,
            r,
            &self.nursery.memory,
            &mut self.large,
            self.weaks.get_mut(),
        );
        r.sweep(outcome.live, self.config.poison);
        r.grow_budget(self.config.grow_percent);
        self.large.sweep();
        self.nursery.empty(self.config.poison);
        self.update_nursery_limit();
        self.sync_view();
        if self.config.verify {
            self.verify("after a full collection");
        }
        if evacuating && outcome.objects > 0 {
            self.stats.evacuating_collections += 1;
        }
        let marked = (outcome.live - outcome.words_copied) * WORD;
        self.count_full(
            start,
            &outcome,
            (outcome.words_copied * WORD) as u64,
            marked as u64,
        );
    }

    /// Counts a full collection in the statistics.
    pub(super) fn count_full(
        &mut self,
        start: Instant,
        outcome: &collector::Outcome,
        copied: u64,
        marked: u64,
    ) {
        let live = self.used_words() * WORD;
        let footprint = self.footprint_bytes();
        let s = &mut self.stats;
        s.collections += 1;
        s.objects_copied += outcome.objects;
        s.bytes_copied += copied;
        s.bytes_marked += marked;
        s.roots_scanned += outcome.roots;
        s.objects_kept += outcome.kept;
        s.objects_pinned_by_stack += outcome.stack_pinned;
        s.ambiguous_words += outcome.ambiguous_words;
        s.stack_bytes_scanned += outcome.stack_bytes as u64;
        s.bytes_pinned_by_stack += (outcome.stack_pinned_words * WORD) as u64;
        s.live_bytes_after_gc = live;
        s.live_bytes_summed += live as u64;
        s.count_weak(&outcome.weak);
        s.peak_footprint_bytes = s.peak_footprint_bytes.max(footprint);
        s.gc_time += start.elapsed();
    }

    /// A minor collection (a full one outside generational mode).
    pub(super) fn minor_collection(&mut self) {
        if !self.nursery.on() {
            return self.full_collection();
        }
        let start = Instant::now();
        if self.config.verify {
            self.verify("before a minor collection");
        }
        let set = RootSetMut {
            anchor: &self.roots.anchor,
            table: &mut self.table,
        };
        let remembered = mem::take(self.nursery.remembered.get_mut());
        let (outcome, copied) = match &mut self.mature {
            Mature::Copying(s) => {
                let old_top = s.top;
                let outcome = cheney::evacuate_nursery::<S>(
                    set,
                    &self.nursery.memory,
                    &remembered,
                    &mut self.large,
                    &s.space,
                    old_top,
                    self.weaks.get_mut(),
                );
                s.top = outcome.top;
                (outcome, ((s.top - old_top) * WORD) as u64)
            }
            Mature::MarkRegion(r) => {
                let outcome = mark::minor::<S>(
                    set,
                    &mut self.pins,
                    &self.nursery.memory,
                    &remembered,
                    r,
                    &mut self.large,
                    self.weaks.get_mut(),
                );
                let copied = (outcome.words_copied * WORD) as u64;
                (outcome, copied)
            }
        };
        *self.nursery.remembered.get_mut() = remembered;
        self.nursery.remembered.get_mut().clear();
        self.nursery.empty(self.config.poison);
        self.update_nursery_limit();
        if self.config.verify {
            self.verify("after a minor collection");
        }
        let footprint = self.footprint_bytes();
        let s = &mut self.stats;
        s.collections += 1;
        s.minor_collections += 1;
        s.objects_copied += outcome.objects;
        s.bytes_copied += copied;
        s.roots_scanned += outcome.roots;
        s.count_weak(&outcome.weak);
        s.peak_footprint_bytes = s.peak_footprint_bytes.max(footprint);
        s.gc_time += start.elapsed();
    }

    /// Clears the remembered set and its header bits, before a full
    /// collection (which scans everything, and leaves the nursery empty).
    pub(super) fn forget_remembered(&mut self) {
        for gc in self.nursery.remembered.get_mut().drain(..) {
            let addr = gc.addr();
            let p = match &self.mature {
                Mature::Copying(s) if s.space.contains(addr) => Some(s.space.at(addr)),
                Mature::MarkRegion(r) => r.find(addr).map(|l| r.chunk(l.chunk).word(l.index)),
                Mature::Copying(_) => None,
            }
            .or_else(|| self.large.find(addr).map(|i| self.large.header(i)))
            .unwrap_or_else(|| unreachable!("the barrier remembers only mature and large objects"));
            // SAFETY: `p` is the header of a remembered object, which has
            // not moved since the barrier read it (only full collections
            // move mature objects, and they empty the set first).
            unsafe { *p &= !REMEMBERED };
        }
    }

    /// Points the read path's first check at the current semispace or the
    /// primary chunk. After anything that replaces either.
    pub(super) fn sync_view(&mut self) {
        self.view = match &self.mature {
            Mature::Copying(s) => View::of(&s.space),
            Mature::MarkRegion(r) => View::of(r.primary().memory()),
        };
    }

    /// Whether the view is of the current semispace or primary chunk.
    pub(super) fn view_is_current(&self) -> bool {
        match &self.mature {
            Mature::Copying(s) => self.view.is_of(&s.space),
            Mature::MarkRegion(r) => self.view.is_of(r.primary().memory()),
        }
    }

    /// The memory the spaces have written to, in bytes (see
    /// [`Stats::peak_footprint_bytes`]).
    pub(super) fn footprint_bytes(&self) -> usize {
        let mature = match &self.mature {
            Mature::Copying(s) => 2 * s.words(),
            Mature::MarkRegion(r) => r.touched_blocks() * BLOCK_WORDS,
        };
        (mature + self.nursery.memory.words() + self.large.words()) * WORD
    }

    /// Runs the verifier on the heap as it is (the mutator's buffer
    /// retired).
    pub(super) fn verify(&mut self, when: &str) {
        if let Mature::MarkRegion(r) = &mut self.mature {
            r.record_fresh_starts();
        }
        let remembered = self.nursery.remembered.borrow();
        let (semispace, region) = match &self.mature {
            Mature::Copying(s) => (Some((&s.space, s.top)), None),
            Mature::MarkRegion(r) => (None, Some(&**r)),
        };
        let view = HeapView {
            semispace,
            region,
            nursery: &self.nursery.memory,
            nursery_top: self.nursery.top,
            large: &self.large,
            remembered: &remembered,
            pins: &self.pins,
            weaks: self.weaks.get_mut(),
        };
        let set = RootSetMut {
            anchor: &self.roots.anchor,
            table: &mut self.table,
        };
        verify::verify::<S>(set, &view, when);
    }
}
