//! The collectors: Cheney copying ([`cheney`]) for the semispace and
//! generational modes, and mark-region tracing with opportunistic
//! evacuation ([`mark`]) for the mark-region modes. Both are generic over
//! [`Scheme`](crate::Scheme) and never name one: the roots reach them
//! through `Scheme::trace`, which hands each root over to be rewritten in
//! place, and through the heap's pin table, which every collection traces
//! first.
//!
//! Both are iterative: Cheney's scan pointer, or an explicit stack of grey
//! objects, so that a million-long list needs no native stack.
//!
//! Corruption found mid-collection (a root or field that is not an object
//! of the heap, which safe code cannot cause) aborts the process: a
//! half-evacuated heap cannot be unwound safely. The verifier
//! ([`verify`](crate::verify)), which runs after a collection has finished,
//! panics instead.

use core::ptr;

use crate::object::{Gc, Header, Shape};

pub(crate) mod cheney;
pub(crate) mod mark;

/// What one collection did.
#[derive(Default)]
pub(crate) struct Outcome {
    /// Words in use in the space copied into (Cheney: to-space's top).
    pub(crate) top: usize,
    /// Objects copied (evacuated or promoted).
    pub(crate) objects: u64,
    /// Words copied.
    pub(crate) words_copied: usize,
    /// Words of the objects kept in a mark-region space (marked in place
    /// or copied into it).
    pub(crate) live: usize,
    /// Roots visited (pins included).
    pub(crate) roots: u64,
    /// Objects a full collection of a mark-region heap kept (marked in
    /// place, copied, or large and marked).
    pub(crate) kept: u64,
    /// Objects the stack's words pinned (conservative scheme), and their
    /// words, not counting those a pin had pinned already.
    pub(crate) stack_pinned: u64,
    pub(crate) stack_pinned_words: usize,
    /// The stack's words (and registers) that pointed into an object, and
    /// the bytes of stack read (conservative scheme).
    pub(crate) ambiguous_words: u64,
    pub(crate) stack_bytes: usize,
    /// What the weak pass did.
    pub(crate) weak: crate::weak::WeakOutcome,
}

/// The size in words of an object of `shape`, read from a header.
#[inline(always)]
pub(crate) fn words(shape: Shape) -> usize {
    shape.words().unwrap_or_else(|| {
        corrupt(format_args!(
            "a header decodes to an impossible shape {shape:?}"
        ))
    })
}

/// Calls `forward` on every non-empty reference field of the object whose
/// header is at `p`, storing what it returns; the object's size in words.
///
/// # Safety
///
/// `p` must point to the header of a well-formed object that lies whole
/// in its run of memory.
#[inline(always)]
pub(crate) unsafe fn scan_object(p: *mut u64, mut forward: impl FnMut(Gc) -> Gc) -> usize {
    // SAFETY: `p` is a header (the caller's guarantee).
    let shape = match Header::decode(unsafe { *p }) {
        Header::Object(shape) => shape,
        other => corrupt(format_args!(
            "a scanned word is not an object header: {other:?}"
        )),
    };
    for i in 1..=shape.fields() {
        // SAFETY: the fields follow the header inside the object, which
        // lies whole in its run (the caller's guarantee).
        let field = unsafe { p.add(i) };
        // SAFETY: as above.
        let value = unsafe { *field } as usize;
        if value != 0 {
            let new = forward(Gc::from_addr(value));
            // SAFETY: as above.
            unsafe { *field = new.addr() as u64 };
        }
    }
    words(shape)
}

/// Copies the object of `words` words at `old` to `new` and leaves the
/// forwarding address in its old header.
///
/// # Safety
///
/// `old` must be valid for reading and writing, `new` for writing, `words`
/// words each, and the ranges must not overlap.
#[inline(always)]
pub(crate) unsafe fn move_object(old: *mut u64, new: *mut u64, words: usize) {
    // SAFETY: the caller's guarantee. The old header then becomes the
    // forwarding address: it is 8-byte aligned and non-zero, so it decodes
    // as `Forwarded`.
    unsafe {
        copy_words(old, new, words);
        *old = new.addr() as u64;
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

/// Reports heap corruption found during a collection and aborts.
#[cold]
#[inline(never)]
pub(crate) fn corrupt(what: core::fmt::Arguments<'_>) -> ! {
    eprintln!("gcroots collector: heap corruption: {what}; aborting");
    std::process::abort()
}
