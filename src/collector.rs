//! The Cheney semispace collector, and the verifier.
//!
//! A collection evacuates every object reachable from the roots out of
//! *from-space* into an empty *to-space*:
//!
//! 1. each root is *forwarded*: its object is copied to the end of
//!    to-space, its old header overwritten with the new address, and the
//!    root rewritten to it (an object met again is already forwarded, so
//!    sharing and cycles are preserved and nothing is copied twice);
//! 2. to-space is then scanned from its start: each copied object's
//!    reference fields are forwarded in turn, which copies their objects to
//!    the end; the scan ends when it catches up with the end.
//!
//! The scan pointer and the end pointer are all the state there is, so the
//! collection is iterative and breadth first: a million-long list needs no
//! stack. Time is linear in live data plus roots; garbage costs nothing.
//!
//! The code is generic over [`Scheme`]: it never names one.
//!
//! Corruption found mid-collection (a root or field that is not a from-space
//! object, which safe code cannot cause) aborts the process: a
//! half-evacuated heap cannot be unwound safely. The verifier
//! ([`verify`](crate::verify)), which runs after a collection has finished,
//! panics instead.

use core::ptr;

use crate::object::{Gc, Header, Shape};
use crate::scheme::{RootSetMut, Scheme};
use crate::space::Space;

/// What one evacuation did.
pub(crate) struct Outcome {
    /// Words of to-space in use.
    pub(crate) top: usize,
    pub(crate) objects: u64,
    pub(crate) roots: u64,
}

/// Evacuates everything reachable from the roots of `S` out of `from` into
/// `to`, which must be empty and at least as large as `from`.
pub(crate) fn evacuate<S: Scheme>(set: RootSetMut<'_, '_, S>, from: &Space, to: &Space) -> Outcome {
    debug_assert!(to.words() >= from.words());
    let mut copier = Copier { from, to, top: 0 };
    let mut roots = 0u64;
    // SAFETY: the closure only copies objects between the two spaces; it
    // creates, drops and touches no root.
    unsafe {
        S::trace(set, |gc| {
            *gc = copier.forward(*gc);
            roots += 1;
        })
    };
    // The scan meets every copied object once: it counts them.
    let (mut scan, mut objects) = (0, 0u64);
    while scan < copier.top {
        objects += 1;
        let p = to.at(to.addr_of(scan));
        // SAFETY: `scan < top`, and words `0..top` of to-space are objects
        // copied whole by `forward`, so `p` is a header inside to-space.
        let shape = match Header::decode(unsafe { *p }) {
            Header::Object(shape) => shape,
            other => corrupt(format_args!(
                "to-space word {scan} is not an object header: {other:?}"
            )),
        };
        for i in 1..=shape.fields() {
            // SAFETY: the fields follow the header inside the object, which
            // lies within `0..top`.
            let field = unsafe { p.add(i) };
            // SAFETY: as above.
            let value = unsafe { *field } as usize;
            if value != 0 {
                let new = copier.forward(Gc::from_addr(value));
                // SAFETY: as above.
                unsafe { *field = new.addr() as u64 };
            }
        }
        scan += words(shape);
    }
    Outcome {
        top: copier.top,
        objects,
        roots,
    }
}

#[inline(always)]
fn words(shape: Shape) -> usize {
    shape.words().unwrap_or_else(|| {
        corrupt(format_args!(
            "a header decodes to an impossible shape {shape:?}"
        ))
    })
}

struct Copier<'a> {
    from: &'a Space,
    to: &'a Space,
    /// Words of to-space in use.
    top: usize,
}

impl Copier<'_> {
    /// The new address of the object at `gc`, copying it if this is the first
    /// time it is met.
    #[inline(always)]
    fn forward(&mut self, gc: Gc) -> Gc {
        let addr = gc.addr();
        if !self.from.contains(addr) {
            corrupt(format_args!(
                "{gc:?} is not in from-space: a root or field holds a stale address"
            ));
        }
        let old = self.from.at(addr);
        // SAFETY: `addr` is a word of from-space (checked above).
        match Header::decode(unsafe { *old }) {
            Header::Forwarded(new) => Gc::from_addr(new),
            Header::Object(shape) => {
                let words = words(shape);
                let index = self.from.index_of(addr);
                if index + words > self.from.words() || self.top + words > self.to.words() {
                    corrupt(format_args!(
                        "the object at {gc:?} ({shape:?}) does not fit its space"
                    ));
                }
                let new = self.to.addr_of(self.top);
                // SAFETY: both ranges are inside their spaces (checked
                // above), and the spaces are distinct allocations. The old
                // header then becomes the forwarding address: it is 8-byte
                // aligned and non-zero, so it decodes as `Forwarded`.
                unsafe {
                    copy_words(old, self.to.at(new), words);
                    *old = new as u64;
                }
                self.top += words;
                Gc::from_addr(new)
            }
            Header::Corrupt(word) => corrupt(format_args!(
                "{gc:?} has a corrupt header {word:#x}: it was never an object, or was poisoned"
            )),
        }
    }
}

/// Copies `n` words from `src` to `dst`. Objects of up to 8 words (most of
/// them) are copied inline with two possibly overlapping fixed-size copies,
/// as `memcpy` itself does for short lengths; a call to `memcpy` costs more
/// than copying them (`cargo bench --bench hot_paths -- copy`; DESIGN.md).
///
/// # Safety
///
/// `src` must be valid for reading and `dst` for writing `n` words, and the
/// two ranges must not overlap.
#[inline(always)]
unsafe fn copy_words(src: *const u64, dst: *mut u64, n: usize) {
    type W4 = [u64; 4];
    type W2 = [u64; 2];
    // SAFETY: every copy below lies within the first `n` words of both
    // ranges (`n - 4 >= 0` where 4 words are copied from the end, and so on),
    // which the caller guarantees are valid and disjoint. Copying a word
    // twice writes the same value twice.
    unsafe {
        if n > 8 {
            ptr::copy_nonoverlapping(src, dst, n);
        } else if n >= 4 {
            ptr::copy_nonoverlapping(src.cast::<W4>(), dst.cast::<W4>(), 1);
            ptr::copy_nonoverlapping(src.add(n - 4).cast::<W4>(), dst.add(n - 4).cast::<W4>(), 1);
        } else if n >= 2 {
            ptr::copy_nonoverlapping(src.cast::<W2>(), dst.cast::<W2>(), 1);
            ptr::copy_nonoverlapping(src.add(n - 2).cast::<W2>(), dst.add(n - 2).cast::<W2>(), 1);
        } else if n == 1 {
            *dst = *src;
        }
    }
}

#[cold]
#[inline(never)]
fn corrupt(what: core::fmt::Arguments<'_>) -> ! {
    eprintln!("gcroots collector: heap corruption: {what}; aborting");
    std::process::abort()
}
