// A `Local` borrows the slot `root!` declared in its block, under either
// scheme: it cannot be used after the block (so never after its scope).
// Under the intrusive scheme the slot holds the pinned node; under the
// indexed scheme only `Local::detach` lifts the borrow, and then a late use
// is a `Stale` error (tests/misuse.rs, `use_after_scope_is_a_stale_root_error`).
use gcroots::{Config, Conservative, Heap, Hybrid, Indexed, Intrusive, Local, Roots, Scheme, Shape, root};

fn misuse<S: Scheme>(heap: &mut Heap<'_, S>) {
    let escaped: Local<'_, S>;
    {
        let mut scope = heap.scope();
        root!(scope, let x = scope.alloc(Shape::new(0, 8)).unwrap());
        escaped = x;
    }
    heap.get(&escaped);
}

fn main() {
    let roots = Roots::<Intrusive>::new();
    misuse(&mut Heap::new(&roots, Config::default()).unwrap());
    let roots = Roots::<Indexed>::new();
    misuse(&mut Heap::new(&roots, Config::default()).unwrap());
    let roots = Roots::<Hybrid>::new();
    misuse(&mut Heap::new(&roots, Config::default()).unwrap());
    let roots = Roots::<Conservative>::new();
    misuse(&mut Heap::new(&roots, Config::mark_region()).unwrap());
}
