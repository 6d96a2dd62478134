//! The verifier: every object, reference field, root and pin must be where
//! the collector left it, and (generational modes) every reference from a
//! mature or large object into the nursery must be remembered. In
//! mark-region mode, also: the object-start map agrees with the objects
//! (every start bit is a live header, objects do not overlap or cross a
//! block), every object lies in live lines, no mark bit or evacuation flag
//! survives a collection, and every pinned object is where it was pinned.
//!
//! Run when [`Config::verify`](crate::Config::verify) is on (zeal mode):
//! after every collection, and before every minor collection, when the
//! nursery is full of objects and the remembered set is what the write
//! barrier made of the stores since the last collection. It panics with a
//! message naming the first bad word, field, root or pin, so a missing
//! root, a store that bypassed the barrier or a collector bug shows up at
//! the collection that would have gone wrong.

use crate::object::{Gc, Header, REMEMBERED, Shape, WORD};
use crate::pin::Pins;
use crate::scheme::{RootSetMut, Scheme};
use crate::spaces::mark_region::{BLOCK_WORDS, Chunk, LINE_WORDS};
use crate::spaces::{LargeObjects, MarkRegion, Memory};
use crate::weak::Weaks;

/// The heap as the verifier sees it.
pub(crate) struct View<'a> {
    /// The current semispace and its words in use (copying modes).
    pub(crate) semispace: Option<(&'a Memory, usize)>,
    /// The mark-region space (mark-region modes).
    pub(crate) region: Option<&'a MarkRegion>,
    pub(crate) nursery: &'a Memory,
    /// Words of `nursery` in use.
    pub(crate) nursery_top: usize,
    pub(crate) large: &'a LargeObjects,
    pub(crate) remembered: &'a [Gc],
    pub(crate) pins: &'a Pins,
    pub(crate) weaks: &'a Weaks,
}

/// The objects of one bump-allocated run, found by walking it.
struct Walked<'a> {
    memory: &'a Memory,
    top: usize,
    /// One bit per word: whether an object starts there.
    starts: Vec<u64>,
    /// Each object's first word, header and shape.
    objects: Vec<(usize, u64, Shape)>,
}

impl<'a> Walked<'a> {
    fn walk(memory: &'a Memory, top: usize, name: &str) -> Walked<'a> {
        let mut starts = vec![0u64; top.div_ceil(64)];
        let mut objects = Vec::new();
        let mut w = 0;
        while w < top {
            // SAFETY: `w < top <= memory.words()`.
            let header = unsafe { *memory.word(w) };
            match Header::decode(header) {
                Header::Object(shape) if shape.words().is_some_and(|n| w + n <= top) => {
                    starts[w / 64] |= 1 << (w % 64);
                    objects.push((w, header, shape));
                    w += shape.words().unwrap_or(1);
                }
                other => panic!(
                    "gcroots verifier: word {w} of the {name} is not an object header: {other:?}"
                ),
            }
        }
        Walked {
            memory,
            top,
            starts,
            objects,
        }
    }

    fn has_object_at(&self, addr: usize) -> bool {
        self.memory.contains(addr) && addr % WORD == 0 && {
            let i = self.memory.index_of(addr);
            i < self.top && self.starts[i / 64] & (1 << (i % 64)) != 0
        }
    }
}

/// Checks the start map, lines and marks of every chunk; every object's
/// header pointer, header and shape, with the chunk it is in.
fn walk_region(region: &MarkRegion, when: &str) -> Vec<(*mut u64, u64, Shape, &'static str)> {
    let mut objects = Vec::new();
    for (c, chunk) in region.chunks().iter().enumerate() {
        let kind = if c == 0 {
            "mark-region"
        } else {
            "retained-chunk"
        };
        assert!(
            chunk.marks_are_clear(),
            "gcroots verifier ({when}): mark bits or evacuation flags survived a collection \
             in chunk {c}"
        );
        let end = chunk.touched() * BLOCK_WORDS;
        let mut w = 0;
        while let Some(s) = chunk.next_start(w, end) {
            assert!(
                s >= w,
                "gcroots verifier ({when}): the object at {:#x} overlaps the one before it",
                chunk.addr_of(s)
            );
            let p = chunk.word(s);
            // SAFETY: `s` is a word of the chunk.
            let header = unsafe { *p };
            let shape = match Header::decode(header) {
                Header::Object(shape) => shape,
                other => panic!(
                    "gcroots verifier ({when}): the start map has an object at {:#x} (chunk {c}) \
                     whose header is {other:?}",
                    chunk.addr_of(s)
                ),
            };
            let words = shape.words().unwrap_or(usize::MAX);
            assert!(
                Chunk::fits_its_block(s, words),
                "gcroots verifier ({when}): the object at {:#x} ({shape:?}) crosses its block's end",
                chunk.addr_of(s)
            );
            for l in s / LINE_WORDS..=(s + words - 1) / LINE_WORDS {
                assert!(
                    chunk.line_is_live(l),
                    "gcroots verifier ({when}): the object at {:#x} ({shape:?}) lies across \
                     line {l}, which is free",
                    chunk.addr_of(s)
                );
            }
            objects.push((p, header, shape, kind));
            w = s + words;
        }
    }
    objects
}

/// Checks the heap; `when` says at which point, for the message.
///
/// # Panics
///
/// With a message naming the first bad word, field, root or pin.
pub(crate) fn verify<S: Scheme>(mut set: RootSetMut<'_, '_, S>, view: &View<'_>, when: &str) {
    let semispace = view
        .semispace
        .map(|(memory, top)| Walked::walk(memory, top, "mature space"));
    let nursery = Walked::walk(view.nursery, view.nursery_top, "nursery");
    let region_objects = view
        .region
        .map(|r| walk_region(r, when))
        .unwrap_or_default();
    let in_region = |addr: usize| {
        view.region.is_some_and(|r| {
            addr % WORD == 0
                && r.find(addr).is_some_and(|loc| {
                    let chunk = r.chunk(loc.chunk);
                    loc.index < chunk.touched() * BLOCK_WORDS && chunk.is_start(loc.index)
                })
        })
    };
    let is_object = |addr: usize| {
        semispace.as_ref().is_some_and(|s| s.has_object_at(addr))
            || in_region(addr)
            || nursery.has_object_at(addr)
            || view.large.find(addr).is_some()
    };
    // Every object outside the nursery, with its header and shape.
    let mut old: Vec<(*mut u64, u64, Shape, &str)> = region_objects;
    if let Some(s) = &semispace {
        old.extend(
            s.objects
                .iter()
                .map(|&(w, header, shape)| (s.memory.word(w), header, shape, "mature")),
        );
    }
    for p in view.large.headers() {
        // SAFETY: `p` is the first word of a large object's run.
        let header = unsafe { *p };
        match Header::decode(header) {
            Header::Object(shape) => old.push((p, header, shape, "large")),
            other => panic!(
                "gcroots verifier ({when}): the large object at {:#x} has no object header: {other:?}",
                p.addr()
            ),
        }
    }
    let in_nursery = |addr: usize| view.nursery.contains(addr);
    let mut remembered_bits = 0;
    for &(p, header, shape, kind) in &old {
        let remembered = header & REMEMBERED != 0;
        remembered_bits += usize::from(remembered);
        for i in 0..shape.fields() {
            // SAFETY: the field lies inside the object, inside its run.
            let value = unsafe { *p.add(1 + i) } as usize;
            if value == 0 {
                continue;
            }
            if !is_object(value) {
                panic!(
                    "gcroots verifier ({when}): field {i} of the {kind} object at {:#x} points \
                     to {value:#x}, which is not an object of the heap",
                    p.addr()
                );
            }
            if in_nursery(value) && !remembered {
                panic!(
                    "gcroots verifier ({when}): field {i} of the {kind} object at {:#x} points \
                     into the nursery ({value:#x}), but the object is not in the remembered \
                     set (a store that bypassed the write barrier?)",
                    p.addr()
                );
            }
        }
    }
    for &(w, header, shape) in &nursery.objects {
        let at = view.nursery.addr_of(w);
        assert!(
            header & REMEMBERED == 0,
            "gcroots verifier ({when}): the nursery object at {at:#x} is marked remembered"
        );
        for i in 0..shape.fields() {
            // SAFETY: the field lies inside the object, within `0..nursery_top`.
            let value = unsafe { *view.nursery.at(at + (1 + i) * WORD) } as usize;
            if value != 0 && !is_object(value) {
                panic!(
                    "gcroots verifier ({when}): field {i} of the nursery object at {at:#x} \
                     points to {value:#x}, which is not an object of the heap"
                );
            }
        }
    }
    let headers: std::collections::HashMap<usize, u64> = old
        .iter()
        .map(|&(p, header, ..)| (p.addr(), header))
        .collect();
    for gc in view.remembered {
        let header = headers.get(&gc.addr()).copied().unwrap_or_else(|| {
            panic!("gcroots verifier ({when}): remembered {gc:?} is not a mature or large object")
        });
        assert!(
            header & REMEMBERED != 0,
            "gcroots verifier ({when}): remembered {gc:?} lacks the remembered bit"
        );
    }
    assert_eq!(
        remembered_bits,
        view.remembered.len(),
        "gcroots verifier ({when}): objects with the remembered bit and remembered objects differ"
    );
    for (gc, at) in view.pins.objects() {
        assert!(
            gc.addr() == at,
            "gcroots verifier ({when}): the object pinned at {at:#x} moved to {gc:?}"
        );
        assert!(
            is_object(gc.addr()) && !in_nursery(gc.addr()),
            "gcroots verifier ({when}): the pinned {gc:?} is not a mature or large object"
        );
    }
    let mut bad = None;
    let mut n = 0usize;
    // SAFETY: the closure only reads the roots' values.
    unsafe {
        S::trace(set.reborrow(), |gc| {
            if bad.is_none() && !is_object(gc.addr()) {
                bad = Some((n, *gc));
            }
            n += 1;
        })
    };
    if let Some((k, gc)) = bad {
        panic!(
            "gcroots verifier ({when}): root #{k} of {n} holds {gc:?}, which is not an object \
             of the heap (a root the collector did not trace?)"
        );
    }
    // Weak references: each holds an object of the heap, or (a weak root)
    // nothing.
    // SAFETY: the closure only reads the weak roots' values.
    unsafe {
        S::sweep_weak(set, |v| {
            if let Some(gc) = *v {
                assert!(
                    is_object(gc.addr()),
                    "gcroots verifier ({when}): a weak root holds {gc:?}, which is not an object \
                     of the heap (a weak root the collector did not sweep?)"
                );
            }
        })
    };
    view.weaks.for_each(|gc, what| {
        assert!(
            is_object(gc.addr()),
            "gcroots verifier ({when}): {what} is {gc:?}, which is not an object of the heap"
        );
    });
}
