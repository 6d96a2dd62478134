//! Deep stack: the interpreter's pattern. A recursive descent in which every
//! frame allocates an environment linked to its caller's, a temporary, and
//! roots both plus a value read from the caller: three roots per frame,
//! thousands of frames deep, with a collection every 256 frames and at the
//! bottom. On the way back up, every frame checks what its roots hold.
//!
//! The descent is repeated 20 times; the checksum sums what the frames read
//! back.

use gcroots::{AllocError, Config, Heap, Root, Scheme, Shape, root};

/// The depth of a full run.
pub const FULL: u64 = 10_000;
/// Small enough for zeal mode and miri.
pub const TINY: u64 = if cfg!(miri) { 12 } else { 40 };

const REPEAT: u64 = 20;
const ENV: Shape = Shape::new(1, 8);

/// A small heap, so that allocation also triggers collections.
pub fn config() -> Config {
    Config {
        initial_bytes: 64 << 10,
        ..Config::default()
    }
}

fn descend<S: Scheme>(
    heap: &mut Heap<'_, S>,
    depth: u64,
    caller: &impl Root<S>,
) -> Result<u64, AllocError> {
    let mut scope = heap.scope();
    root!(scope, let env = scope.alloc(ENV)?);
    scope.get(&env).write_u64(0, depth);
    scope.get(&env).set_field(0, Some(scope.get(caller)));
    root!(scope, let temp = scope.alloc(Shape::new(0, 16))?);
    scope.get(&temp).write_u64(8, depth * 3);
    root!(scope, let from_caller = scope.get(&env).field(0).expect("linked above"));
    let below = if depth == 0 {
        scope.collect();
        0
    } else {
        if depth % 256 == 0 {
            scope.collect();
        }
        descend(&mut scope, depth - 1, &env)?
    };
    let here = scope.get(&env).read_u64(0)
        + scope.get(&temp).read_u64(8)
        + scope.get(&from_caller).read_u64(0);
    Ok(below.wrapping_add(here))
}

/// Descends `size` frames deep, 20 times.
pub fn run<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    let mut scope = heap.scope();
    root!(scope, let top = scope.alloc(ENV)?);
    scope.get(&top).write_u64(0, size + 1);
    let mut sum = 0u64;
    for _ in 0..REPEAT {
        sum = sum.wrapping_add(descend(&mut scope, size, &top)?);
    }
    Ok(sum)
}
