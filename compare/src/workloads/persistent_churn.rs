//! Persistent churn: long-lived roots created and dropped in a random (but
//! seeded) order while allocation continues: the embedder's pattern of host
//! objects holding GC objects. Up to 4,096 are alive at once. Each
//! operation also allocates a piece of garbage.
//!
//! Persistent roots are slots of the root list's pool under the intrusive
//! scheme and owned roots (a slot and a shared liveness flag, reclaimed
//! lazily) under the indexed scheme; both end when dropped. The checksum
//! sums the values read through the roots as they are dropped.

use gcroots::{AllocError, Heap, Persistent, Scheme, Shape};

use super::Xorshift;

/// Operations in a full run.
pub const FULL: u64 = 4_000_000;
/// Small enough for zeal mode and miri.
pub const TINY: u64 = if cfg!(miri) { 100 } else { 300 };

const MAX_LIVE: usize = 4096;

/// Performs `size` create-or-drop operations.
pub fn run<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    let roots = heap.roots();
    let mut live: Vec<Persistent<'_, S>> = Vec::with_capacity(MAX_LIVE);
    let mut rng = Xorshift::new(0x5EED_CAFE);
    let mut sum = 0u64;
    for i in 0..size {
        let r = rng.next();
        if live.is_empty() || (live.len() < MAX_LIVE && r & 1 == 0) {
            let object = heap.alloc(Shape::new(1, 8))?;
            object.write_u64(0, i);
            live.push(roots.persist(object));
        } else {
            let root = live.swap_remove((r >> 1) as usize % live.len());
            sum = sum.wrapping_add(heap.get(&root).read_u64(0));
            drop(root);
        }
        heap.alloc(Shape::new(2, 16))?;
    }
    for root in live {
        sum = sum.wrapping_add(heap.get(&root).read_u64(0));
    }
    Ok(sum)
}
