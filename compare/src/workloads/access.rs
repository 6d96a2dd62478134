//! Access: reads through roots with no allocation, the cost of the
//! indirection. Eight stack (or scoped) roots, each to an object whose
//! field points at the next; each step reads an object through a root, its
//! data and its field's data.

use gcroots::{AllocError, Heap, Root, Scheme, Shape, root};

/// Reads in a full run.
pub const FULL: u64 = 20_000_000;
/// Small enough for zeal mode and miri.
pub const TINY: u64 = 500;

const RING: Shape = Shape::new(1, 8);

/// Performs `size` reads through roots.
pub fn run<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    let mut scope = heap.scope();
    root!(scope, let r0 = scope.alloc(RING)?);
    root!(scope, let r1 = scope.alloc_with(RING, &[r0])?);
    root!(scope, let r2 = scope.alloc_with(RING, &[r1])?);
    root!(scope, let r3 = scope.alloc_with(RING, &[r2])?);
    root!(scope, let r4 = scope.alloc_with(RING, &[r3])?);
    root!(scope, let r5 = scope.alloc_with(RING, &[r4])?);
    root!(scope, let r6 = scope.alloc_with(RING, &[r5])?);
    root!(scope, let r7 = scope.alloc_with(RING, &[r6])?);
    scope.get(&r0).set_field(0, Some(scope.get(&r7)));
    let roots = [r0, r1, r2, r3, r4, r5, r6, r7];
    for (i, r) in roots.iter().enumerate() {
        scope.get(r).write_u64(0, i as u64 + 1);
    }
    scope.collect();
    let heap = &*scope;
    let mut sum = 0u64;
    for i in 0..size {
        let object = roots[i as usize % roots.len()].get(heap);
        sum = sum.wrapping_add(object.read_u64(0));
        sum = sum.wrapping_add(object.field(0).expect("a ring").read_u64(0));
    }
    Ok(sum)
}
