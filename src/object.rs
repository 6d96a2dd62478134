//! Object layout: a header word, reference fields, plain data.
//!
//! Objects are shaped like WebAssembly GC structs and arrays: `N` reference
//! fields followed by `M` bytes of plain data, `N` and `M` chosen per
//! allocation. In memory, in 8-byte words:
//!
//! ```text
//! word 0        header: fields << 36 | bytes << 8 | 0xA5
//! words 1..=N   reference fields: an object's address, or 0 for none
//! then          ceil(M / 8) words of data, zeroed at allocation
//! ```
//!
//! The low byte of a header is the magic `0xA5`, or `0xA7` for a mature
//! object that the generational write barrier has put in the remembered set
//! (bit 1, [`REMEMBERED`]). After the collector copies an object it
//! overwrites the old header with the new address, whose low three bits are
//! zero (objects are 8-byte aligned), so one load tells a live header from a
//! forwarding pointer; anything else (poison, a missing root) decodes as
//! [`Header::Corrupt`] and is reported, never followed.
//!
//! No Rust destructor ever lives in the heap: copying and dropping an
//! object is copying and forgetting its words.

use core::fmt;
use core::num::NonZeroUsize;

pub(crate) use crate::layout::WORD;
use crate::layout::{BYTES_MASK, BYTES_SHIFT, FIELDS_SHIFT, HEADER_MAGIC as MAGIC};

/// The header bit that marks a mature object as remembered: it may hold a
/// reference into the nursery, and the next minor collection scans it. Set
/// only by the write barrier, cleared by the collector.
pub(crate) const REMEMBERED: u64 = crate::layout::HEADER_REMEMBERED;
const FIELD_BITS: u32 = 28;
const _: () = assert!(FIELDS_SHIFT + FIELD_BITS == 64);

/// The largest number of reference fields one object may have.
pub const MAX_FIELDS: usize = (1 << FIELD_BITS) - 1;
/// The largest number of data bytes one object may have.
pub const MAX_BYTES: usize = BYTES_MASK as usize;

/// The byte that [`Config::poison`](crate::Config::poison) fills dead
/// semispaces with. As a header it decodes as corrupt (its low byte is not
/// the magic and its low bit is set, so it is not a forwarding address).
pub(crate) const POISON: u8 = 0xDB;

/// What a header word says.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Header {
    /// A live object.
    Object(Shape),
    /// An object already copied; its new address.
    Forwarded(usize),
    /// Neither: poison, or memory that was never an object.
    Corrupt(u64),
}

impl Header {
    #[inline(always)]
    pub(crate) fn encode(shape: Shape) -> u64 {
        debug_assert!(shape.fields <= MAX_FIELDS && shape.bytes <= MAX_BYTES);
        ((shape.fields as u64) << FIELDS_SHIFT) | ((shape.bytes as u64) << BYTES_SHIFT) | MAGIC
    }

    #[inline(always)]
    pub(crate) fn decode(word: u64) -> Header {
        if word & 0xFF & !REMEMBERED == MAGIC {
            Header::Object(Shape {
                fields: (word >> FIELDS_SHIFT) as usize,
                bytes: ((word >> BYTES_SHIFT) as usize) & MAX_BYTES,
            })
        } else if word & 0b111 == 0 && word != 0 {
            Header::Forwarded(word as usize)
        } else {
            Header::Corrupt(word)
        }
    }
}

/// How many reference fields and data bytes an object has.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Shape {
    fields: usize,
    bytes: usize,
}

impl Shape {
    /// A shape with `fields` reference fields and `bytes` bytes of data.
    /// Any numbers are accepted here; allocation refuses shapes over
    /// [`MAX_FIELDS`] or [`MAX_BYTES`] or the heap's limit.
    pub const fn new(fields: usize, bytes: usize) -> Shape {
        Shape { fields, bytes }
    }

    /// The number of reference fields.
    pub const fn fields(self) -> usize {
        self.fields
    }

    /// The number of data bytes.
    pub const fn bytes(self) -> usize {
        self.bytes
    }

    /// The object's size in words, or `None` if the shape is over the
    /// per-object limits.
    #[inline(always)]
    pub(crate) fn words(self) -> Option<usize> {
        if self.fields > MAX_FIELDS || self.bytes > MAX_BYTES {
            return None;
        }
        // Both terms are below 2^28, so neither this sum nor its product by
        // WORD overflows a 64-bit usize; checked for 32-bit targets.
        1usize
            .checked_add(self.fields)?
            .checked_add(self.bytes.div_ceil(WORD))
    }

    /// The object's size in bytes, saturating for shapes over the limits
    /// (for error messages).
    pub(crate) fn size_bytes(self) -> usize {
        self.words()
            .and_then(|w| w.checked_mul(WORD))
            .unwrap_or(usize::MAX)
    }
}

/// The address of an object in its heap's current semispace.
///
/// An opaque number: it borrows nothing, and there is no public way to make
/// one or to read memory through one. Only the heap turns a `Gc` into a
/// [`Ref`](crate::Ref), and only for a `Gc` it knows to be current: one
/// that a root holds (roots are rewritten by every collection) or one it
/// has just allocated.
///
/// `repr(transparent)`: in a root's node it is the word foreign code reads
/// (see [`LinkedRoot`](crate::LinkedRoot)'s layout).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Gc(NonZeroUsize);

impl Gc {
    #[inline(always)]
    pub(crate) fn from_addr(addr: usize) -> Gc {
        Gc(NonZeroUsize::new(addr).expect("objects never live at address 0"))
    }

    /// A value for a root that holds nothing and is never traced or read
    /// (an unlinked [`LinkedRoot`](crate::LinkedRoot)): the alignment of a
    /// word, which no object has.
    #[cfg(any(feature = "intrusive", feature = "hybrid"))]
    #[inline(always)]
    pub(crate) const fn placeholder() -> Gc {
        Gc(NonZeroUsize::new(WORD).expect("non-zero"))
    }

    #[inline(always)]
    pub(crate) fn addr(self) -> usize {
        self.0.get()
    }
}

impl fmt::Debug for Gc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Gc({:#x})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_and_never_look_like_forwarding() {
        for shape in [
            Shape::new(0, 0),
            Shape::new(2, 16),
            Shape::new(MAX_FIELDS, MAX_BYTES),
            Shape::new(1, 7),
        ] {
            let h = Header::encode(shape);
            assert_eq!(Header::decode(h), Header::Object(shape));
            assert_ne!(h & 0b111, 0);
        }
        let h = Header::encode(Shape::new(3, 5));
        assert_eq!(
            Header::decode(h | REMEMBERED),
            Header::Object(Shape::new(3, 5))
        );
        assert_eq!(Header::decode(0x1000), Header::Forwarded(0x1000));
        let poison = u64::from_ne_bytes([POISON; 8]);
        assert!(matches!(Header::decode(poison), Header::Corrupt(_)));
        assert!(matches!(
            Header::decode(poison & !REMEMBERED),
            Header::Corrupt(_)
        ));
        assert!(matches!(Header::decode(0), Header::Corrupt(0)));
    }

    #[test]
    fn sizes_round_data_up_to_words_and_refuse_oversized_shapes() {
        assert_eq!(Shape::new(0, 0).words(), Some(1));
        assert_eq!(Shape::new(2, 1).words(), Some(4));
        assert_eq!(Shape::new(2, 8).words(), Some(4));
        assert_eq!(Shape::new(2, 9).words(), Some(5));
        assert_eq!(Shape::new(MAX_FIELDS + 1, 0).words(), None);
        assert_eq!(Shape::new(0, MAX_BYTES + 1).words(), None);
        assert_eq!(Shape::new(usize::MAX, usize::MAX).size_bytes(), usize::MAX);
    }
}
