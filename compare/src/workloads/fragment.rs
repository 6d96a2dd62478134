//! Fragment: a table of objects of mixed sizes, replaced one at a time in
//! a seeded random order, so that the live data stays the same size while
//! the holes it leaves are scattered everywhere: what fragments a heap that
//! does not move its objects. Three objects in four are small (2 to 9
//! words), three in sixteen medium (256 bytes to 2 KiB), one in sixteen
//! large (4 to 12 KiB); the table holds 8,192 of them, about 6 MB.
//!
//! A copying heap does not fragment (each collection compacts); a
//! mark-region heap fills the holes with small objects, but a medium or
//! large object needs a free block, so without evacuation its footprint
//! grows; with it, the most fragmented blocks are emptied. The runner's
//! peak footprint column and the `footprint` example's peak RSS show the
//! difference.
//!
//! Every object records where it came from in its first and last data
//! words; the checksum sums what each replaced object holds and what the
//! table holds at the end, so it depends on every object's data having
//! survived every collection. `size` counts replacements.

use gcroots::{AllocError, Heap, Ref, RootVec, Scheme, Shape};

use super::Xorshift;

/// Replacements in a full run.
pub const FULL: u64 = 400_000;
/// Small enough for zeal mode and miri.
pub const TINY: u64 = if cfg!(miri) { 60 } else { 400 };

/// The table's size in a full run; a quarter of `size` when that is less.
const SLOTS: u64 = 8192;

/// The seed of the run's choices.
pub const SEED: u64 = 0xF4A6_3E47;

/// The table's size for a run of `size` replacements.
pub fn slots(size: u64) -> u64 {
    SLOTS.min(size / 4).max(1)
}

/// The shape of an object made from random number `r`: data bytes only
/// (at least 16), so the size classes are what they say.
pub fn shape(r: u64) -> Shape {
    let class = (r >> 40) % 16;
    let bytes = match class {
        0..=11 => 16 + 8 * ((r >> 48) % 8),
        12..=14 => 256 + 8 * ((r >> 48) % 225),
        _ => 4096 + 8 * ((r >> 48) % 1025),
    };
    Shape::new(0, bytes as usize)
}

/// What an object made at step `stamp` holds in its last data word.
pub fn tail(stamp: u64, bytes: usize) -> u64 {
    stamp.rotate_left(17) ^ bytes as u64
}

/// Fills the table, then makes `size` replacements.
pub fn run<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    let slots = slots(size);
    let mut rng = Xorshift::new(SEED);
    let table = heap.persist_vec();
    for stamp in 0..slots {
        let object = make(heap, stamp, rng.next())?;
        table.push(object);
    }
    let mut sum = 0u64;
    for step in 0..size {
        let r = rng.next();
        let slot = (r % slots) as usize;
        let old = table.get(heap, slot).expect("every slot is filled");
        sum = sum.wrapping_add(read(old));
        let object = make(heap, slots + step, r)?;
        table.set(slot, object);
    }
    for slot in 0..slots as usize {
        sum = sum.wrapping_add(read(table.get(heap, slot).expect("filled")));
    }
    Ok(sum)
}

/// An object for step `stamp`, shaped by `r`.
fn make<'h, S: Scheme>(
    heap: &'h mut Heap<'_, S>,
    stamp: u64,
    r: u64,
) -> Result<Ref<'h, S>, AllocError> {
    let shape = shape(r);
    let object = heap.alloc(shape)?;
    object.write_u64(0, stamp);
    object.write_u64(shape.bytes() - 8, tail(stamp, shape.bytes()));
    Ok(object)
}

/// What an object contributes to the checksum.
fn read<S: Scheme>(object: Ref<'_, S>) -> u64 {
    let bytes = object.shape().bytes();
    object.read_u64(0).wrapping_add(object.read_u64(bytes - 8))
}
