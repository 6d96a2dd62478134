//! The byte layout of an object, for foreign code that reads and writes
//! objects itself rather than through [`Ref`](crate::Ref): the C API's
//! inline functions (`gcroots.h`). The [`object`](crate) module's own
//! decoding uses these constants, so they cannot drift.
//!
//! An object is 8-byte words: a header, its reference fields (an object's
//! address, or 0), then its data bytes. The header is
//! `fields << FIELDS_SHIFT | bytes << BYTES_SHIFT | magic`, where the low
//! byte is [`HEADER_MAGIC`], possibly with [`HEADER_REMEMBERED`] set in a
//! generational heap. A header whose low byte, with the remembered bit
//! cleared, is not the magic is not an object's (a forwarding address
//! during a collection, or poison): foreign code must not decode it.
//!
//! Reading or writing an object from outside is sound only where
//! [`Ref`](crate::Ref)'s methods are: at an address a root holds, with no
//! collection between the load of that address and the access, within the
//! object's words; a reference store in a generational heap must go
//! through the heap (its write barrier).

/// The size of a heap word, in bytes.
pub const WORD: usize = 8;
/// The low byte of a live object's header.
pub const HEADER_MAGIC: u64 = 0xA5;
/// The header bit that marks a mature object as remembered (generational
/// heaps): ignore it when checking the magic.
pub const HEADER_REMEMBERED: u64 = 0b10;
/// Where a header's data byte count starts.
pub const BYTES_SHIFT: u32 = 8;
/// Where a header's field count starts (it runs to the top bit).
pub const FIELDS_SHIFT: u32 = 36;
/// The data byte count's mask, after shifting by [`BYTES_SHIFT`].
pub const BYTES_MASK: u64 = (1 << (FIELDS_SHIFT - BYTES_SHIFT)) - 1;
