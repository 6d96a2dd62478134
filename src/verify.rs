//! The verifier: after a collection, every object, reference field and
//! root must be where the collector left it. Run when
//! [`Config::verify`](crate::Config::verify) is on (zeal mode); it panics
//! with a message naming the first bad word, field or root, so a missing
//! root or a collector bug shows up at the collection that caused it.

use crate::object::{Header, WORD};
use crate::scheme::{RootSetMut, Scheme};
use crate::space::Space;

/// Checks, after a collection, that words `0..top` of `space` are a
/// sequence of well-formed objects and that every reference field and every
/// root points at the start of one of them.
///
/// # Panics
///
/// With a message naming the first bad word, field or root.
pub(crate) fn verify<S: Scheme>(set: RootSetMut<'_, '_, S>, space: &Space, top: usize) {
    let mut starts = vec![0u64; top.div_ceil(64)];
    let mut objects = Vec::new();
    let mut w = 0;
    while w < top {
        // SAFETY: `w < top <= space.words()`.
        let header = unsafe { *space.at(space.addr_of(w)) };
        match Header::decode(header) {
            Header::Object(shape) if shape.words().is_some_and(|n| w + n <= top) => {
                starts[w / 64] |= 1 << (w % 64);
                objects.push((w, shape));
                w += shape.words().unwrap_or(1);
            }
            other => panic!(
                "gcroots verifier: word {w} of the current semispace is not an object header: {other:?}"
            ),
        }
    }
    let is_object = |addr: usize| {
        space.contains(addr) && addr % WORD == 0 && {
            let i = space.index_of(addr);
            i < top && starts[i / 64] & (1 << (i % 64)) != 0
        }
    };
    for &(w, shape) in &objects {
        for i in 0..shape.fields() {
            // SAFETY: the field lies inside an object within `0..top`.
            let value = unsafe { *space.at(space.addr_of(w + 1 + i)) } as usize;
            if value != 0 && !is_object(value) {
                panic!(
                    "gcroots verifier: field {i} of the object at {:#x} points to {value:#x}, \
                     which is not an object in the current semispace",
                    space.addr_of(w)
                );
            }
        }
    }
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
            "gcroots verifier: root #{k} of {n} holds {gc:?}, which is not an object in the \
             current semispace (a root the collector did not trace?)"
        );
    }
}
