//! Values: a variable number of objects kept alive at once, the way an
//! interpreter keeps an argument stack, rooted either in one vector root
//! (`values/vec`: SpiderMonkey's `RootedVector`) or one long-lived root per
//! value (`values/persistent`: the only generic way before vector roots).
//!
//! Each round roots 1,000 fresh objects (or `size`, if fewer), collects,
//! reads every one back, and lets them all go. `size` counts values rooted.

use gcroots::{AllocError, Heap, Persistent, RootVec, Scheme, Shape, root_vec};

/// Values rooted in a full run.
pub const FULL: u64 = 4_000_000;
/// Small enough for zeal mode and miri.
pub const TINY: u64 = if cfg!(miri) { 40 } else { 300 };

/// Values per round.
const ROUND: u64 = 1_000;
const CELL: Shape = Shape::new(1, 8);

/// The rounds: `(round, values in it)`.
fn rounds(size: u64) -> impl Iterator<Item = (u64, u64)> {
    let n = ROUND.min(size).max(1);
    (0..size.div_ceil(n)).map(move |r| (r, n.min(size - r * n)))
}

/// One vector root per round.
pub fn run_vec<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    let mut sum = 0u64;
    for (r, n) in rounds(size) {
        let mut scope = heap.scope();
        root_vec!(scope, let values);
        for i in 0..n {
            let cell = scope.alloc(CELL)?;
            cell.write_u64(0, r + i);
            values.push(cell);
        }
        scope.collect();
        for v in values.iter(&scope) {
            sum = sum.wrapping_add(v.read_u64(0));
        }
    }
    Ok(sum)
}

/// One long-lived root per value.
pub fn run_persistent<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    let roots = heap.roots();
    let mut sum = 0u64;
    let mut values: Vec<Persistent<'_, S>> = Vec::with_capacity(ROUND as usize);
    for (r, n) in rounds(size) {
        for i in 0..n {
            let cell = heap.alloc(CELL)?;
            cell.write_u64(0, r + i);
            values.push(roots.persist(cell));
        }
        heap.collect();
        for v in &values {
            sum = sum.wrapping_add(heap.get(v).read_u64(0));
        }
        values.clear();
    }
    Ok(sum)
}
