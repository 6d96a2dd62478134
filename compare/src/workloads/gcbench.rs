//! Boehm's GCBench: binary trees, built top-down and bottom-up.
//!
//! After Hans Boehm's classic benchmark (GCBench.java): a stretch tree of
//! depth `max + 2` built and dropped; a long-lived tree of depth `max` and
//! an array of doubles kept alive throughout; then, for each depth from 4 to
//! `max` in steps of 2, as many trees as make up twice the stretch tree's
//! nodes, built top-down (allocate a node, then populate its children) and
//! bottom-up (build the children, then allocate their parent).
//! Allocation-heavy, root-light: a root or two per tree frame.
//!
//! Nodes are `{left, right; i, j}`; `i` records the node's depth. The
//! checksum sums `i` along each tree's leftmost path, then counts the
//! long-lived tree and samples the array at the end, so it depends on every
//! tree having been built whole and on the long-lived data surviving every
//! collection.

use gcroots::{AllocError, Heap, Ref, Root, Scheme, Shape, root};

/// The default largest depth, as in the original.
pub const FULL: u64 = 16;
/// Small enough for zeal mode (and, at depth 2, for zeal mode under miri).
pub const TINY: u64 = MIN_DEPTH as u64;

const NODE: Shape = Shape::new(2, 16);
/// The smallest trees built, as in the original; 2 under miri, where each
/// allocation of a zeal run costs a collection.
pub const MIN_DEPTH: u32 = if cfg!(miri) { 2 } else { 4 };

fn tree_size(depth: u32) -> u64 {
    (1 << (depth + 1)) - 1
}

/// Gives `node` (of depth `depth`) two children and recurses.
fn populate<S: Scheme>(
    heap: &mut Heap<'_, S>,
    depth: u32,
    node: &impl Root<S>,
) -> Result<(), AllocError> {
    let mut scope = heap.scope();
    scope.get(node).write_u64(0, depth.into());
    if depth == 0 {
        return Ok(());
    }
    root!(scope, let left = scope.alloc(NODE)?);
    root!(scope, let right = scope.alloc(NODE)?);
    let n = scope.get(node);
    n.set_field(0, Some(scope.get(&left)));
    n.set_field(1, Some(scope.get(&right)));
    populate(&mut scope, depth - 1, &left)?;
    populate(&mut scope, depth - 1, &right)
}

/// Builds a tree of the given depth bottom-up and returns it, unrooted
/// (the benches use it to build live data).
pub fn make_tree<'h, S: Scheme>(
    heap: &'h mut Heap<'_, S>,
    depth: u32,
) -> Result<Ref<'h, S>, AllocError> {
    if depth == 0 {
        return heap.alloc(NODE);
    }
    let mut scope = heap.scope();
    root!(scope, let left = make_tree(&mut scope, depth - 1)?);
    root!(scope, let right = make_tree(&mut scope, depth - 1)?);
    root!(scope, let node = scope.alloc_with(NODE, &[left, right])?);
    scope.get(&node).write_u64(0, depth.into());
    Ok(scope.escape(&node))
}

/// The sum of `i` along the leftmost path: d + (d-1) + ... + 0 for a whole
/// tree of depth d.
fn leftmost<S: Scheme>(tree: Ref<'_, S>) -> u64 {
    let (mut sum, mut at) = (0, Some(tree));
    while let Some(node) = at {
        sum += node.read_u64(0);
        at = node.field(0);
    }
    sum
}

/// The number of nodes reachable from `tree` (iteratively: no allocation
/// happens, so the unrooted references stay valid).
fn count<S: Scheme>(tree: Ref<'_, S>) -> u64 {
    let (mut n, mut stack) = (0, vec![tree]);
    while let Some(node) = stack.pop() {
        n += 1;
        stack.extend(node.field(0));
        stack.extend(node.field(1));
    }
    n
}

/// Runs GCBench with trees up to depth `size` (at least [`MIN_DEPTH`]).
pub fn run<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    let max = u32::try_from(size.clamp(MIN_DEPTH.into(), 24)).expect("clamped");
    let stretch = max + 2;
    let mut sum = 0u64;

    {
        let mut scope = heap.scope();
        root!(scope, let tree = make_tree(&mut scope, stretch)?);
        sum += leftmost(scope.get(&tree));
    }

    let mut scope = heap.scope();
    root!(scope, let long_lived = scope.alloc(NODE)?);
    populate(&mut scope, max, &long_lived)?;
    // The original keeps 500,000 doubles; scaled with the tree size below
    // the default depth.
    let len = (tree_size(max) * 500_000 / tree_size(16)).max(64) as usize;
    root!(scope, let array = scope.alloc(Shape::new(0, len * 8))?);
    let a = scope.get(&array);
    for i in 1..len / 2 {
        a.write_u64(i * 8, (1.0 / i as f64).to_bits());
    }

    for depth in (MIN_DEPTH..=max).step_by(2) {
        let iterations = 2 * tree_size(stretch) / tree_size(depth);
        for _ in 0..iterations {
            let mut inner = scope.scope();
            root!(inner, let tree = inner.alloc(NODE)?);
            populate(&mut inner, depth, &tree)?;
            sum += leftmost(inner.get(&tree));
        }
        for _ in 0..iterations {
            let mut inner = scope.scope();
            root!(inner, let tree = make_tree(&mut inner, depth)?);
            sum += leftmost(inner.get(&tree));
        }
    }

    sum += count(scope.get(&long_lived));
    let sample = f64::from_bits(scope.get(&array).read_u64(8 * (len / 4)));
    sum += (sample * 1e9) as u64;
    Ok(sum)
}
