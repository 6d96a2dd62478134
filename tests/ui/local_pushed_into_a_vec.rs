// A `Local` cannot outlive the block of its `root!`, so a variable number
// of values cannot be kept by pushing `root!` results into a `Vec` (under
// either scheme). The error names the `root!` line, where the block ends,
// and where the root is used later; keep such values in a vector root
// (`root_vec!`) or in `Persistent`s instead (`root!`'s docs).
use gcroots::{Config, Conservative, Heap, Hybrid, Indexed, Intrusive, Local, Roots, Scheme, Shape, root};

fn misuse<S: Scheme>(heap: &mut Heap<'_, S>) {
    let mut all: Vec<Local<'_, S>> = Vec::new();
    for _ in 0..3 {
        root!(heap, let x = heap.alloc(Shape::new(0, 8)).unwrap());
        all.push(x);
    }
    heap.get(&all[0]);
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
