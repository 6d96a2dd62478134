//! Root churn: millions of short-lived scoped roots, each created, read
//! once and dropped with its scope. Rooting-cost-bound: no allocation in
//! the loop, a collection every 65,536 roots (with the root alive).
//!
//! The values come from a pool of 1,024 objects (or `size`, if fewer) held
//! by one rooted array; the checksum sums what each root read.

use gcroots::{AllocError, Heap, Scheme, Shape, root};

/// Roots created in a full run.
pub const FULL: u64 = 20_000_000;
/// Small enough for zeal mode and miri.
pub const TINY: u64 = if cfg!(miri) { 40 } else { 300 };

/// The pool's size (fewer for a run of fewer roots).
const POOL: usize = 1024;

/// Creates, reads and drops `size` roots.
pub fn run<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    let pool_len = POOL.min(usize::try_from(size).unwrap_or(POOL)).max(1);
    let mut scope = heap.scope();
    root!(scope, let pool = scope.alloc(Shape::new(pool_len, 0))?);
    for i in 0..pool_len {
        let mut inner = scope.scope();
        root!(inner, let item = inner.alloc(Shape::new(0, 8))?);
        inner.get(&item).write_u64(0, i as u64);
        inner.get(&pool).set_field(i, Some(inner.get(&item)));
    }
    let mut sum = 0u64;
    for i in 0..size {
        let mut inner = scope.scope();
        root!(inner, let r = inner.get(&pool).field(i as usize % pool_len).expect("the pool is full"));
        if i % 65_536 == 0 {
            inner.collect();
        }
        sum = sum.wrapping_add(inner.get(&r).read_u64(0));
    }
    Ok(sum)
}
