//! [`MarkRegion`]: a mark-region space after Immix (Blackburn and
//! McKinley, PLDI 2008): objects live in 32 KiB *blocks* of 128-byte
//! *lines*; a full collection marks live objects where they are and the
//! lines they cover, and the mutator then bump-allocates into the runs of
//! free lines (*holes*) that the marks leave. Blocks found fragmented by
//! the previous collection are *evacuation candidates*: their live objects
//! are copied out (forwarded, and every root and field rewritten, as in a
//! copying collection) when there is room, so the blocks become free again.
//! An object that must not move (a pinned one) is simply marked in place:
//! that is what the mode offers that copying cannot.
//!
//! # Layout
//!
//! Blocks are carved out of *chunks*, each one [`Memory`] run of whole
//! blocks. The first chunk is the *primary*: the mutator allocates there
//! and the heap's read path checks it first. A chunk is made larger than
//! the heap's budget (the blocks the mutator may hold before a collection),
//! so that the budget can grow without moving anything and so that
//! evacuation always has free blocks to copy into; the memory the
//! operating system hands out is not resident until it is first written,
//! so the unused part costs address space, not memory. When the budget
//! outgrows the primary, a larger chunk becomes the primary and the next
//! collection evacuates every object out of the old one into it; an old
//! chunk that still holds an object (a pinned one) is *retained* until it
//! holds none.
//!
//! Per block, beside the objects (side metadata, so that neither sweeping
//! nor allocating touches the objects):
//!
//! - a **line mark** per line: set when the full collection marks an object
//!   covering the line, or when a collection copies an object into it. A
//!   line is free when its mark is clear.
//! - an **object-start bit** per word: set for every object that was live
//!   at the last collection or was copied in since. Objects the mutator
//!   allocates between collections are not recorded here, only the ranges
//!   they were bump-allocated in (`fresh`), which a walk over their headers
//!   turns into start bits when something needs them
//!   ([`MarkRegion::record_fresh_starts`]), so the allocation fast path is
//!   a plain bump.
//! - a **mark bit** per word, set during a full collection only. The sweep
//!   makes the marks the new start bits, so dead objects vanish from the
//!   start map.
//!
//! Marking covers every line an object touches (exact line marks), not
//! Immix's first line plus an implicit next one: objects here are a few
//! words, so the range is one or two lines, and a free line is then
//! certainly free.
//!
//! # Sweeping
//!
//! Eager: right after the trace, every block that has ever been used is
//! swept (its live lines counted, its marks turned into start bits, and, in
//! poisoning mode, every object that died in the collection filled with
//! poison, only the header of one that was evacuated) and classified as
//! free, recyclable (some free lines) or full.
//! DESIGN.md has the measurement that chose eager over lazy sweeping.

use core::mem;

use super::Bump;

use crate::object::WORD;

/// Words per line (128 bytes).
pub(crate) const LINE_WORDS: usize = 16;
/// Words per block (32 KiB).
pub(crate) const BLOCK_WORDS: usize = 4096;
/// Lines per block.
pub(crate) const LINES: usize = BLOCK_WORDS / LINE_WORDS;
/// Bitmap words (64 bits each) per block, for one bit per word.
const BITS: usize = BLOCK_WORDS / 64;

/// How many times the budget a new chunk holds: room to grow and to
/// evacuate into without a new chunk. Smaller under miri, which zeroes
/// (and tracks) every byte of an allocation; the paths are the same.
const CHUNK_FACTOR: usize = if cfg!(miri) { 2 } else { 64 };
/// The most room beyond the budget a new chunk holds, in blocks (64 MiB):
/// a large budget does not need 64 times itself to grow into.
const CHUNK_HEADROOM: usize = 2048;

/// A full collection evacuates when the previous one left more than this
/// fraction (1 / n) of the budget's lines free inside partly used blocks.
const FRAGMENTED: usize = 8;
/// A block is a candidate when at most this many of its lines were live.
const CANDIDATE_LINES: usize = LINES / 2;

mod chunk;
mod side;

pub(crate) use chunk::Chunk;

/// The headers of objects a trace reached and has not scanned yet, each
/// with its run's provenance. Empty between collections.
#[derive(Default)]
pub(crate) struct Grey(pub(crate) Vec<*mut u64>);

// SAFETY: the pointers point into memory the heap owns (its chunks and
// large objects), and the stack is empty outside a collection, which runs
// on the thread that owns the heap.
unsafe impl Send for Grey {}

/// Where a word of the space is: a chunk (0 is the primary) and the word's
/// index in it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Loc {
    pub(crate) chunk: usize,
    pub(crate) index: usize,
}

/// Free words `(at, end)` of the primary chunk, as word indices.
type Run = (usize, usize);

/// A mark-region space: see the module documentation.
pub(crate) struct MarkRegion {
    /// The primary chunk first, then retained ones. Never empty.
    chunks: Vec<Chunk>,
    /// Blocks of the primary the mutator may hold before a collection.
    budget: usize,
    /// Blocks of the primary that held live lines at the last sweep, or
    /// were taken from the free list since.
    in_use: usize,
    /// Blocks of the primary with free and live lines, to allocate into,
    /// highest address first (taken from the end).
    recyclable: Vec<u32>,
    /// Free blocks of the primary below its `touched` mark, highest address
    /// first; the blocks above the mark are free too, and taken in order
    /// after these ([`take_block`](Self::take_block)). So the work a
    /// collection does on the block lists is proportional to the blocks
    /// ever used, not to the chunk's size.
    free: Vec<u32>,
    /// The recyclable block whose holes are being handed out, and the line
    /// to look from.
    search: Option<(usize, usize)>,
    /// Free lines in the recyclable blocks not yet handed out as holes.
    hole_lines: usize,
    /// The small-object hole: where it is used up to (while it is lent to
    /// the mutator, as of the loan) and its end.
    hole: Run,
    /// The overflow block's free run, for objects over a line that do not
    /// fit the hole (Immix's medium objects).
    overflow: Run,
    /// Words of objects in the space: live at the last full collection,
    /// plus those allocated or promoted since (as of the last retire).
    used: usize,
    /// Runs of the primary the mutator bump-allocated in since the last
    /// collection, whose objects have no start bits yet.
    fresh: Vec<Run>,
    /// During a full collection: the run evacuated objects are copied to.
    evac: Run,
    /// During a full collection: free blocks that only required copies
    /// (nursery objects) may take.
    reserve: usize,
    /// The size of the chunk the next full collection evacuates into, or 0.
    pending: usize,
    /// The limit on the chunk size, in blocks (twice the heap's limit).
    max_chunk: usize,
    /// The tracer's stack of grey objects, kept between collections (empty)
    /// so that a collection does not allocate it anew.
    pub(crate) grey: Grey,
    /// The limit on the budget the occupancy rule sets, in blocks (the
    /// heap's limit, rounded up).
    max_budget: usize,
}

impl MarkRegion {
    /// A space with a budget of `budget` blocks (at least 1), whose chunks
    /// hold at most `max_chunk` blocks; `None` if the system refuses.
    pub(crate) fn new(budget: usize, max_chunk: usize) -> Option<MarkRegion> {
        let budget = budget.max(1);
        let max_chunk = max_chunk.max(budget + 1);
        let blocks = chunk_blocks(budget, max_chunk);
        let chunk = Chunk::new(blocks)?;
        Some(MarkRegion {
            free: Vec::new(),
            chunks: vec![chunk],
            budget,
            in_use: 0,
            recyclable: Vec::new(),
            search: None,
            hole_lines: 0,
            hole: (0, 0),
            overflow: (0, 0),
            used: 0,
            fresh: Vec::new(),
            evac: (0, 0),
            reserve: 0,
            pending: 0,
            max_budget: (max_chunk.saturating_sub(2) / 2).max(budget),
            max_chunk,
            grey: Grey::default(),
        })
    }

    /// The primary chunk.
    #[inline(always)]
    pub(crate) fn primary(&self) -> &Chunk {
        &self.chunks[0]
    }

    /// Chunk `c` (0 is the primary).
    #[inline(always)]
    pub(crate) fn chunk(&self, c: usize) -> &Chunk {
        &self.chunks[c]
    }

    #[inline(always)]
    pub(crate) fn chunk_mut(&mut self, c: usize) -> &mut Chunk {
        &mut self.chunks[c]
    }

    /// Every chunk, the primary first.
    pub(crate) fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }

    /// Where `addr` is, if it is a word of the space.
    #[inline(always)]
    pub(crate) fn find(&self, addr: usize) -> Option<Loc> {
        let primary = &self.chunks[0];
        if primary.contains(addr) {
            return Some(Loc {
                chunk: 0,
                index: primary.index_of(addr),
            });
        }
        self.find_retained(addr)
    }

    /// [`find`](Self::find) in the retained chunks.
    #[inline(never)]
    pub(crate) fn find_retained(&self, addr: usize) -> Option<Loc> {
        self.chunks
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, c)| c.contains(addr))
            .map(|(chunk, c)| Loc {
                chunk,
                index: c.index_of(addr),
            })
    }

    #[cfg(any(test, all(feature = "conservative", not(miri))))]
    /// The address of the object that `addr` points into (its header, a
    /// field, its data), if there is one: the conservative scheme's lookup
    /// of a stack word. The start bits must be current
    /// ([`record_fresh_starts`](Self::record_fresh_starts)).
    #[inline]
    pub(crate) fn object_containing(&self, addr: usize) -> Option<usize> {
        let loc = self.find(addr)?;
        let chunk = &self.chunks[loc.chunk];
        chunk.object_covering(loc.index).map(|s| chunk.addr_of(s))
    }

    #[cfg(any(test, all(feature = "conservative", not(miri))))]
    /// The addresses `lo..hi` that every word an object may cover lies
    /// in: from the lowest chunk to the end of the highest chunk's blocks
    /// ever used. The stack scan's first filter.
    pub(crate) fn span(&self) -> (usize, usize) {
        self.chunks.iter().fold((usize::MAX, 0), |(lo, hi), c| {
            let start = c.memory().start();
            (
                lo.min(start),
                hi.max(start + c.touched() * BLOCK_WORDS * WORD),
            )
        })
    }

    /// The budget in blocks.
    pub(crate) fn budget(&self) -> usize {
        self.budget
    }

    /// Blocks ever written, in every chunk: what the space has made
    /// resident.
    pub(crate) fn touched_blocks(&self) -> usize {
        self.chunks.iter().map(|c| c.touched).sum()
    }

    /// Words of objects in the space, as of the last retire.
    #[inline(always)]
    pub(crate) fn used(&self) -> usize {
        self.used
    }

    /// Free words the holes still to be handed out hold, the current one
    /// included.
    pub(crate) fn hole_words(&self) -> usize {
        self.hole_room() + self.hole_lines * LINE_WORDS
    }

    /// Free blocks of the primary, whatever the budget.
    pub(crate) fn free_blocks(&self) -> usize {
        let primary = &self.chunks[0];
        self.free.len() + (primary.blocks - primary.touched)
    }

    /// Whether more blocks are in use than the budget allows (promotion may
    /// take blocks beyond it).
    pub(crate) fn over_budget(&self) -> bool {
        self.in_use > self.budget
    }

    /// Free blocks the mutator may still take under the budget.
    pub(crate) fn budget_left(&self) -> usize {
        self.budget
            .saturating_sub(self.in_use)
            .min(self.free_blocks())
    }

    // --- The mutator's allocation ---

    /// Lends the rest of the hole to the mutator, at most `allowance`
    /// words of it.
    pub(crate) fn lend(&self, allowance: usize) -> Bump {
        let (at, end) = self.hole;
        Bump::lend(
            self.primary().memory(),
            at,
            end.min(at.saturating_add(allowance)),
        )
    }

    /// Takes back a buffer [`lend`](Self::lend) made: its objects become
    /// used words and a fresh run.
    pub(crate) fn retire(&mut self, bump: &Bump) {
        if bump.used() == 0 {
            return;
        }
        self.hole.0 = bump.cursor;
        self.used += bump.used();
        self.note_fresh(bump.start, bump.cursor);
    }

    /// Records that words `from..to` of the primary hold new objects
    /// without start bits.
    fn note_fresh(&mut self, from: usize, to: usize) {
        match self.fresh.last_mut() {
            Some(last) if last.1 == from => last.1 = to,
            _ => self.fresh.push((from, to)),
        }
    }

    /// Moves the hole to the next one with room for `words` words (a small
    /// object: at most a line, so any hole fits it), taking a free block
    /// if the recyclable ones have no more holes and the budget allows
    /// (any free block when `budget` is false). Whether there is one.
    pub(crate) fn next_hole(&mut self, words: usize, budget: bool) -> bool {
        debug_assert!(words <= LINE_WORDS);
        loop {
            if let Some((b, line)) = self.search {
                let lines = &self.chunks[0].lines;
                let base = b * LINES;
                match lines.find(base + line, base + LINES, true) {
                    Some(start) => {
                        let start = start - base;
                        let end = lines
                            .find(base + start, base + LINES, false)
                            .map_or(LINES, |n| n - base);
                        self.search = Some((b, end));
                        self.hole_lines -= end - start;
                        self.hole = (
                            b * BLOCK_WORDS + start * LINE_WORDS,
                            b * BLOCK_WORDS + end * LINE_WORDS,
                        );
                        return true;
                    }
                    None => self.search = None,
                }
            }
            if let Some(b) = self.recyclable.pop() {
                self.search = Some((b as usize, 0));
                continue;
            }
            return match self.take_free(budget) {
                Some(b) => {
                    self.hole = (b * BLOCK_WORDS, (b + 1) * BLOCK_WORDS);
                    true
                }
                None => false,
            };
        }
    }

    /// Takes the lowest free block of the primary, within the budget if
    /// `budget`.
    fn take_free(&mut self, budget: bool) -> Option<usize> {
        if budget && self.in_use >= self.budget {
            return None;
        }
        let b = self.take_block()?;
        self.in_use += 1;
        Some(b)
    }

    /// The lowest free block of the primary: from the free list, or the
    /// first never used.
    fn take_block(&mut self) -> Option<usize> {
        if let Some(b) = self.free.pop() {
            self.chunks[0].idle.set(b as usize, 0);
            return Some(b as usize);
        }
        let primary = &mut self.chunks[0];
        (primary.touched < primary.blocks).then(|| {
            primary.touched += 1;
            primary.touched - 1
        })
    }

    /// Room in the current hole.
    #[inline(always)]
    pub(crate) fn hole_room(&self) -> usize {
        self.hole.1 - self.hole.0
    }

    /// Takes `words` words from the hole, which has room for them.
    pub(crate) fn take_from_hole(&mut self, words: usize) -> usize {
        debug_assert!(self.hole_room() >= words);
        let at = self.hole.0;
        self.hole.0 += words;
        at
    }

    /// Room for an object of `words` words (over a line, at most a block)
    /// in the overflow block, taking a fresh one if needed (within the
    /// budget if `budget`): its first word, or `None`.
    pub(crate) fn take_overflow(&mut self, words: usize, budget: bool) -> Option<usize> {
        debug_assert!(words <= BLOCK_WORDS);
        if self.overflow.1 - self.overflow.0 < words {
            let b = self.take_free(budget)?;
            self.overflow = (b * BLOCK_WORDS, (b + 1) * BLOCK_WORDS);
        }
        let at = self.overflow.0;
        self.overflow.0 += words;
        Some(at)
    }

    /// Records a medium object the mutator allocated at `at`.
    pub(crate) fn note_allocated(&mut self, at: usize, words: usize) {
        self.used += words;
        self.note_fresh(at, at + words);
    }

    /// Raises the budget so that `blocks` more free blocks may be taken;
    /// whether the primary has them (if not, the next full collection
    /// moves everything to a larger chunk).
    pub(crate) fn raise_budget(&mut self, blocks: usize) -> bool {
        self.budget = self.budget.max(self.in_use.saturating_add(blocks));
        if self.free_blocks() >= blocks {
            true
        } else {
            self.pending = chunk_blocks(self.budget, self.max_chunk);
            false
        }
    }

    /// Sets the start bits of every object the mutator allocated since the
    /// last collection (the verifier and interior-pointer lookups need
    /// them). The mutator's buffer must have been retired.
    pub(crate) fn record_fresh_starts(&mut self) {
        for (from, to) in mem::take(&mut self.fresh) {
            self.chunks[0].walk_starts(from, to);
        }
    }

    // --- Collections ---

    /// The object a minor collection promotes: room for `words` words in
    /// the primary (a hole, the overflow block, or a free block whatever
    /// the budget), with its start bit and lines recorded. Its first word.
    ///
    /// The nursery's limit keeps the promoted words within half the free
    /// blocks, so there is always room; a lack of it aborts (heap
    /// corruption).
    pub(crate) fn promote_alloc(&mut self, words: usize) -> usize {
        let at = if words > LINE_WORDS {
            if self.hole_room() >= words {
                Some(self.take_from_hole(words))
            } else {
                self.take_overflow(words, false)
            }
        } else if self.hole_room() >= words || self.next_hole(words, false) {
            Some(self.take_from_hole(words))
        } else {
            None
        };
        let Some(at) = at else {
            crate::collector::corrupt(format_args!("no free block to promote {words} words into"))
        };
        self.chunks[0].record(at, words);
        self.used += words;
        at
    }

    /// Whether the budget has outgrown the primary chunk.
    pub(crate) fn wants_chunk(&self) -> bool {
        self.pending > 0
    }

    /// Before a full collection, if the budget outgrew the primary: a
    /// larger chunk becomes the primary, and the old one is retained until
    /// the collection, which evacuates it, leaves it empty. `Err` with the
    /// chunk's size in bytes if the system refuses it.
    pub(crate) fn regrow(&mut self) -> Result<(), usize> {
        let blocks = self.pending;
        let chunk = Chunk::new(blocks).ok_or(blocks.saturating_mul(BLOCK_WORDS * WORD))?;
        self.free.clear();
        self.chunks.insert(0, chunk);
        self.in_use = 0;
        self.pending = 0;
        Ok(())
    }

    /// Before a full collection's trace (the mutator's buffer retired):
    /// clears the line marks, chooses the evacuation candidates (every
    /// block in use if `evacuate_all`; otherwise, if `defragment`, the most
    /// fragmented ones, when the last collection left the space
    /// fragmented), and keeps `reserve` free blocks for copies that must
    /// not fail. Every block of a retained chunk is a candidate, whatever
    /// `defragment` says: emptying it is how the space grows. Whether any
    /// block is a candidate.
    pub(crate) fn prepare(&mut self, evacuate_all: bool, defragment: bool, reserve: usize) -> bool {
        self.hole = (0, 0);
        self.overflow = (0, 0);
        self.search = None;
        self.recyclable.clear();
        self.hole_lines = 0;
        self.reserve = reserve;
        self.evac = (0, 0);
        for chunk in &mut self.chunks {
            chunk.clear_lines();
        }
        let mut any = false;
        for chunk in &mut self.chunks[1..] {
            any |= chunk.all_candidates();
        }
        let free = &self.free;
        let primary = &mut self.chunks[0];
        if evacuate_all {
            return primary.all_candidates() || any;
        }
        // Opportunistic: only if the last sweep left many free lines in
        // partly used blocks; then the blocks with the fewest live lines,
        // as long as their live lines fit the free blocks to copy into.
        let holes: usize = (0..primary.touched)
            .map(|b| primary.live_lines.get(b) as usize)
            .filter(|&l| l > 0 && l < LINES)
            .map(|l| LINES - l)
            .sum();
        if !defragment || holes * FRAGMENTED <= self.budget * LINES {
            return any;
        }
        let mut blocks: Vec<(u16, u32)> = (0..primary.touched)
            .filter(|&b| {
                let l = primary.live_lines.get(b) as usize;
                l > 0 && l <= CANDIDATE_LINES
            })
            .map(|b| (primary.live_lines.get(b), b as u32))
            .collect();
        blocks.sort_unstable();
        let room = (free.len() + primary.blocks - primary.touched).saturating_sub(reserve) * LINES;
        let mut lines = 0;
        for (live, b) in blocks {
            lines += live as usize;
            if lines > room {
                break;
            }
            primary.candidate.set(b as usize, 1);
            any = true;
        }
        any
    }

    /// During a full collection: room for a copy of `words` words in a free
    /// block of the primary. Copies that may fail (evacuation) leave the
    /// reserve alone; `required` ones (nursery objects) may take it. Its
    /// first word, or `None`. The caller records the copy
    /// ([`Chunk::record_marked`]).
    #[inline]
    pub(crate) fn evac_alloc(&mut self, words: usize, required: bool) -> Option<usize> {
        if self.evac.1 - self.evac.0 < words {
            if !required && self.free_blocks() <= self.reserve {
                return None;
            }
            let b = self.take_block()?;
            self.evac = (b * BLOCK_WORDS, (b + 1) * BLOCK_WORDS);
        }
        let at = self.evac.0;
        self.evac.0 += words;
        Some(at)
    }

    /// After a full collection's trace: sweeps every chunk, frees the
    /// retained chunks that hold nothing, and makes the primary's blocks
    /// ready to allocate into. `live` is the words of the objects the trace
    /// kept in the space.
    pub(crate) fn sweep(&mut self, live: usize, poison: bool) {
        for chunk in &mut self.chunks {
            chunk.sweep(poison);
        }
        let mut c = 1;
        while c < self.chunks.len() {
            if self.chunks[c].is_empty() {
                self.chunks.remove(c);
            } else {
                c += 1;
            }
        }
        let primary = &self.chunks[0];
        self.free.clear();
        self.recyclable.clear();
        self.hole_lines = 0;
        self.in_use = 0;
        for b in (0..primary.touched).rev() {
            let l = primary.live_lines.get(b) as usize;
            if primary.idle.get(b) != 0 {
                self.free.push(b as u32);
            } else {
                self.in_use += 1;
                if l < LINES {
                    self.recyclable.push(b as u32);
                    self.hole_lines += LINES - l;
                }
            }
        }
        self.used = live;
        self.fresh.clear();
        self.evac = (0, 0);
        self.reserve = 0;
    }

    /// The occupancy rule, after a full collection: the budget grows so
    /// that the live words are at most `percent` of it; if the primary then
    /// has no free block beyond the budget, the next full collection moves
    /// everything to a larger chunk.
    pub(crate) fn grow_budget(&mut self, percent: u8) {
        let want = (self.used as u128 * 100)
            .div_ceil(u128::from(percent) * BLOCK_WORDS as u128)
            .min(usize::MAX as u128) as usize;
        self.budget = self.budget.max(want.min(self.max_budget));
        if self.budget >= self.chunks[0].blocks {
            self.pending = chunk_blocks(self.budget, self.max_chunk);
        }
    }
}

/// The blocks of a new chunk for a budget of `budget` blocks:
/// [`CHUNK_FACTOR`] times the budget, but no more than
/// [`CHUNK_HEADROOM`] beyond it, and at most `max` unless the budget needs
/// more; at least one more than the budget (a block for the copies of the
/// first collection).
fn chunk_blocks(budget: usize, max: usize) -> usize {
    budget
        .saturating_mul(CHUNK_FACTOR)
        .min(budget.saturating_add(CHUNK_HEADROOM))
        .min(max)
        .max(budget.saturating_add(1))
}

const _: () = assert!(BLOCK_WORDS * WORD == 32 << 10 && LINE_WORDS * WORD == 128);
