//! [`Chunk`]: one run of whole blocks of a mark-region space, and its side
//! metadata (line marks, object-start bits, mark bits, per-block counts),
//! with the operations on them that a collection and a sweep need.

use super::side::Side;
use super::{BITS, BLOCK_WORDS, LINE_WORDS, LINES};
use crate::object::Header;
use crate::spaces::memory::Memory;

/// One run of whole blocks, and its side metadata.
pub(crate) struct Chunk {
    pub(super) memory: Memory,
    pub(super) blocks: usize,
    /// A byte per line: non-zero when the line is live (see the module).
    pub(super) lines: Side<u8>,
    /// A bit per word: an object starts there (see the module).
    pub(super) starts: Side<u64>,
    /// A bit per word: marked by the full collection in progress. Zero
    /// outside full collections.
    pub(super) marks: Side<u64>,
    /// Per block: live lines at the last sweep.
    pub(super) live_lines: Side<u16>,
    /// Per block: an evacuation candidate of the full collection in
    /// progress (0 or 1). Zero outside full collections.
    pub(super) candidate: Side<u8>,
    /// Per block: 1 if the block was free at the last sweep and has not
    /// been taken since, so that its metadata is all zero and its words
    /// poison or zero: sweeping and clearing skip it.
    pub(super) idle: Side<u8>,
    /// Blocks below this index may have been written; the ones above are
    /// as the system gave them (zero, and perhaps not resident).
    pub(super) touched: usize,
}

impl Chunk {
    pub(super) fn new(blocks: usize) -> Option<Chunk> {
        let words = blocks.checked_mul(BLOCK_WORDS)?;
        Some(Chunk {
            memory: Memory::new(words)?,
            blocks,
            lines: Side::new(blocks.checked_mul(LINES)?)?,
            starts: Side::new(blocks.checked_mul(BITS)?)?,
            marks: Side::new(blocks.checked_mul(BITS)?)?,
            live_lines: Side::new(blocks)?,
            candidate: Side::new(blocks)?,
            idle: Side::new(blocks)?,
            touched: 0,
        })
    }

    /// Whether `addr` is a word of this chunk.
    #[inline(always)]
    pub(crate) fn contains(&self, addr: usize) -> bool {
        self.memory.contains(addr)
    }

    /// The word index of `addr`, which must be in the chunk.
    #[inline(always)]
    pub(crate) fn index_of(&self, addr: usize) -> usize {
        self.memory.index_of(addr)
    }

    /// A pointer to word `i`, with the chunk's provenance.
    #[inline(always)]
    pub(crate) fn word(&self, i: usize) -> *mut u64 {
        self.memory.word(i)
    }

    /// The address of word `i`.
    #[inline(always)]
    pub(crate) fn addr_of(&self, i: usize) -> usize {
        self.memory.addr_of(i)
    }

    /// The memory, for the heap's read path and the mutator's buffer.
    #[inline(always)]
    pub(crate) fn memory(&self) -> &Memory {
        &self.memory
    }

    #[inline(always)]
    pub(crate) fn is_marked(&self, i: usize) -> bool {
        self.marks.bit(i)
    }

    #[inline(always)]
    pub(crate) fn is_start(&self, i: usize) -> bool {
        self.starts.bit(i)
    }

    #[inline(always)]
    pub(crate) fn is_candidate(&self, i: usize) -> bool {
        self.candidate.get(i / BLOCK_WORDS) != 0
    }

    /// Whether line `l` (an index over the whole chunk) is live.
    #[inline(always)]
    pub(crate) fn line_is_live(&self, l: usize) -> bool {
        self.lines.get(l) != 0
    }

    /// Marks the object of `words` words at word `i`, and its lines.
    #[inline(always)]
    pub(crate) fn mark(&mut self, i: usize, words: usize) {
        self.marks.set_bit(i);
        self.mark_lines(i, words);
    }

    /// Records an object of `words` words copied to word `i` outside a
    /// full collection (a promotion): its start bit and its lines.
    #[inline(always)]
    pub(crate) fn record(&mut self, i: usize, words: usize) {
        self.starts.set_bit(i);
        self.mark_lines(i, words);
    }

    /// Records an object copied to word `i` during a full collection:
    /// marked, so that the sweep keeps its start bit.
    #[inline(always)]
    pub(crate) fn record_marked(&mut self, i: usize, words: usize) {
        self.mark(i, words);
    }

    #[inline(always)]
    fn mark_lines(&mut self, i: usize, words: usize) {
        let (first, last) = (i / LINE_WORDS, (i + words - 1) / LINE_WORDS);
        // Most objects cover one or two lines: two stores, not a call to
        // `memset` (10% of a deep_stack collection when it was one).
        self.lines.set(first, 1);
        self.lines.set(last, 1);
        if last > first + 1 {
            self.lines.fill(first + 1, last, 1);
        }
    }

    /// Whether the object of `words` words at word `i` lies inside one
    /// block (every object the collector made does).
    #[inline(always)]
    pub(crate) fn fits_its_block(i: usize, words: usize) -> bool {
        i % BLOCK_WORDS + words <= BLOCK_WORDS
    }

    /// The first object start at or after word `from`, before word `to`.
    pub(crate) fn next_start(&self, from: usize, to: usize) -> Option<usize> {
        self.starts.next_bit(from, to)
    }

    /// The size in words of the live object starting at word `i`.
    ///
    /// # Panics
    ///
    /// If its header is not an object's (the start map is wrong).
    fn object_words(&self, i: usize) -> usize {
        // SAFETY: `i` is a word of the chunk (a start bit is set for it).
        let header = unsafe { *self.word(i) };
        match Header::decode(header) {
            Header::Object(shape) => shape.words().unwrap_or(1),
            other => panic!(
                "gcroots mark-region: the start map has an object at {:#x} whose header is {other:?}",
                self.addr_of(i)
            ),
        }
    }

    /// Sweeps every used block: counts its live lines, turns its marks
    /// into start bits and clears its candidate flag; if `poison`, first
    /// fills every object that died in this collection with poison (for an
    /// evacuated object, the header it left behind: its forwarding address).
    /// The start bits must then cover every object the mutator allocated
    /// since the last collection ([`MarkRegion::record_fresh_starts`]
    /// before the trace).
    pub(super) fn sweep(&mut self, poison: bool) {
        for b in 0..self.touched {
            if self.idle.get(b) != 0 {
                continue;
            }
            if poison {
                self.poison_dead(b);
            }
            // Line marks are 0 or 1, so a word's popcount counts its marks.
            let live = self.lines.count_ones(b * LINES, (b + 1) * LINES);
            self.live_lines.set(b, live as u16);
            self.starts.copy_from(&self.marks, b * BITS, (b + 1) * BITS);
            self.marks.fill(b * BITS, (b + 1) * BITS, 0);
            self.candidate.set(b, 0);
            self.idle.set(b, u8::from(live == 0));
        }
    }

    /// Before a full collection: clears the line marks of the blocks in use
    /// (an idle block's are clear).
    pub(super) fn clear_lines(&mut self) {
        for b in 0..self.touched {
            if self.idle.get(b) == 0 {
                self.lines.fill(b * LINES, (b + 1) * LINES, 0);
            }
        }
    }

    /// Makes every block in use an evacuation candidate; whether there is
    /// one.
    pub(super) fn all_candidates(&mut self) -> bool {
        let mut any = false;
        for b in 0..self.touched {
            let in_use = self.idle.get(b) == 0;
            self.candidate.set(b, u8::from(in_use));
            any |= in_use;
        }
        any
    }

    /// Fills every object of block `b` that has a start bit and no mark
    /// (one that died in this collection) with poison; for one that was
    /// evacuated, only its header (the forwarding address, which is all a
    /// stale reference reads first). Words no object ever covered are
    /// zero or were poisoned when their object died, so a collection
    /// writes only what it freed, not the whole block.
    fn poison_dead(&mut self, b: usize) {
        let end = (b + 1) * BLOCK_WORDS;
        let mut w = b * BLOCK_WORDS;
        while let Some(s) = self.next_start(w, end) {
            w = s + 1;
            if self.marks.bit(s) {
                continue;
            }
            // SAFETY: `s` is a word of the chunk (a start bit is set for it).
            let header = unsafe { *self.word(s) };
            let words = match Header::decode(header) {
                Header::Object(shape) => shape.words().unwrap_or(1).min(end - s),
                Header::Forwarded(_) | Header::Corrupt(_) => 1,
            };
            self.memory.poison_range(s, s + words);
            w = s + words;
        }
    }

    /// Sets the start bits of the objects bump-allocated in words
    /// `from..to` (a sequence of objects), by walking their headers.
    pub(super) fn walk_starts(&mut self, from: usize, to: usize) {
        let mut w = from;
        while w < to {
            self.starts.set_bit(w);
            w += self.object_words(w);
        }
    }

    #[cfg(any(test, all(feature = "conservative", not(miri))))]
    /// The first word of the object that covers word `i`, if one with a
    /// start bit does: the nearest start at or before `i` in its block,
    /// if the object there reaches `i`. The start bits must cover every
    /// object ([`MarkRegion::record_fresh_starts`](super::MarkRegion)).
    #[inline]
    pub(crate) fn object_covering(&self, i: usize) -> Option<usize> {
        if i / BLOCK_WORDS >= self.touched {
            return None;
        }
        // Most stack words that point into an object point at its header
        // (they are references): one bit.
        if self.starts.bit(i) {
            return Some(i);
        }
        if self.idle.get(i / BLOCK_WORDS) != 0 {
            return None;
        }
        let s = self.starts.prev_bit(i / BLOCK_WORDS * BLOCK_WORDS, i)?;
        (s + self.object_words(s) > i).then_some(s)
    }

    /// Blocks below this index may have been written.
    pub(crate) fn touched(&self) -> usize {
        self.touched
    }

    /// Whether no mark bit and no candidate flag is set (true outside full
    /// collections). Above `touched` nothing was ever set.
    pub(crate) fn marks_are_clear(&self) -> bool {
        self.marks.all(0, self.touched * BITS, 0) && self.candidate.all(0, self.touched, 0)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.live_lines.all(0, self.touched, 0)
    }
}
