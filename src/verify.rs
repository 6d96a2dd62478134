//! The verifier: every object, reference field and root must be where the
//! collector left it, and (generational mode) every reference from a
//! mature or large object into the nursery must be remembered. Run when
//! [`Config::verify`](crate::Config::verify) is on (zeal mode): after every
//! collection, and before every minor collection, when the nursery is full
//! of objects and the remembered set is what the write barrier made of the
//! stores since the last collection. It panics with a message naming the
//! first bad word, field or root, so a missing root, a store that bypassed
//! the barrier or a collector bug shows up at the collection that would
//! have gone wrong.

use crate::large::LargeObjects;
use crate::object::{Gc, Header, REMEMBERED, Shape, WORD};
use crate::scheme::{RootSetMut, Scheme};
use crate::space::Space;

/// The heap as the verifier sees it.
pub(crate) struct View<'a> {
    pub(crate) mature: &'a Space,
    /// Words of `mature` in use.
    pub(crate) top: usize,
    pub(crate) nursery: &'a Space,
    /// Words of `nursery` in use.
    pub(crate) nursery_top: usize,
    pub(crate) large: &'a LargeObjects,
    pub(crate) remembered: &'a [Gc],
}

/// The objects of one bump-allocated region, found by walking it.
struct Region<'a> {
    space: &'a Space,
    top: usize,
    /// One bit per word: whether an object starts there.
    starts: Vec<u64>,
    /// Each object's first word, header and shape.
    objects: Vec<(usize, u64, Shape)>,
}

impl<'a> Region<'a> {
    fn walk(space: &'a Space, top: usize, name: &str) -> Region<'a> {
        let mut starts = vec![0u64; top.div_ceil(64)];
        let mut objects = Vec::new();
        let mut w = 0;
        while w < top {
            // SAFETY: `w < top <= space.words()`.
            let header = unsafe { *space.at(space.addr_of(w)) };
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
        Region {
            space,
            top,
            starts,
            objects,
        }
    }

    fn has_object_at(&self, addr: usize) -> bool {
        self.space.contains(addr) && addr % WORD == 0 && {
            let i = self.space.index_of(addr);
            i < self.top && self.starts[i / 64] & (1 << (i % 64)) != 0
        }
    }
}

/// Checks the heap; `when` says at which point, for the message.
///
/// # Panics
///
/// With a message naming the first bad word, field or root.
pub(crate) fn verify<S: Scheme>(set: RootSetMut<'_, '_, S>, view: &View<'_>, when: &str) {
    let mature = Region::walk(view.mature, view.top, "mature space");
    let nursery = Region::walk(view.nursery, view.nursery_top, "nursery");
    let is_object = |addr: usize| {
        mature.has_object_at(addr) || nursery.has_object_at(addr) || view.large.find(addr).is_some()
    };
    // Every object outside the nursery, with its header and shape.
    let mut old: Vec<(*mut u64, u64, Shape, &str)> = mature
        .objects
        .iter()
        .map(|&(w, header, shape)| {
            (
                view.mature.at(view.mature.addr_of(w)),
                header,
                shape,
                "mature",
            )
        })
        .collect();
    for p in view.large.headers() {
        // SAFETY: `p` is the first word of a large object's block.
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
            // SAFETY: the field lies inside the object, inside its block.
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
    for gc in view.remembered {
        let addr = gc.addr();
        let header = if mature.has_object_at(addr) {
            // SAFETY: an object starts at `addr` in the mature space.
            unsafe { *view.mature.at(addr) }
        } else if let Some(i) = view.large.find(addr) {
            // SAFETY: `header` points to a large object's first word.
            unsafe { *view.large.header(i) }
        } else {
            panic!("gcroots verifier ({when}): remembered {gc:?} is not a mature or large object")
        };
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
    let mut bad = None;
    let mut n = 0usize;
    // SAFETY: the closure only reads the roots' values.
    unsafe {
        S::trace(set, |gc| {
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
}
