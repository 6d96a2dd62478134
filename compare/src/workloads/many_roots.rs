//! Many roots: N live roots (each to its own small object) and repeated
//! collections, for N = 10, 1,000 and 100,000: how scanning and rewriting
//! roots grows with their number. `size` counts root visits, so each
//! variant does the same number (N roots x size / N collections), and the
//! time per root visit can be compared across N.
//!
//! The roots are persistent roots (pool slots, or owned-root slots): stack
//! roots could not be 100,000 deep. Below N (tiny runs), the root count
//! shrinks to `size`. The checksum reads one root after each
//! collection and every root at the end.

use gcroots::{AllocError, Heap, Persistent, Scheme, Shape};

/// Root visits in a full run.
pub const FULL: u64 = 4_000_000;
/// Small enough for zeal mode and miri.
pub const TINY: u64 = if cfg!(miri) { 60 } else { 200 };

/// N = 10.
pub fn run_10<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    run(heap, 10, size)
}

/// N = 1,000.
pub fn run_1000<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    run(heap, 1_000, size)
}

/// N = 100,000.
pub fn run_100000<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    run(heap, 100_000, size)
}

/// `n` roots (at most `size`), `size / n` collections (at least one).
pub fn run<S: Scheme>(heap: &mut Heap<'_, S>, n: u64, size: u64) -> Result<u64, AllocError> {
    let n = n.min(size).max(1);
    let collections = (size / n).max(1);
    let set = heap.roots();
    let mut roots: Vec<Persistent<'_, S>> = Vec::with_capacity(n as usize);
    for i in 0..n {
        let object = heap.alloc(Shape::new(1, 8))?;
        object.write_u64(0, i);
        roots.push(set.persist(object));
    }
    let mut sum = 0u64;
    for c in 0..collections {
        heap.collect();
        sum = sum.wrapping_add(heap.get(&roots[(c % n) as usize]).read_u64(0));
    }
    for root in &roots {
        sum = sum.wrapping_add(heap.get(root).read_u64(0));
    }
    Ok(sum)
}
