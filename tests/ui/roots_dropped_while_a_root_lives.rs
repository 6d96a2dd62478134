// The root set must outlive every root: dropping it while a root lives is
// refused by the borrow checker.
use gcroots::{Config, Heap, Intrusive, Roots, Shape, root};

fn main() {
    let roots = Roots::<Intrusive>::new();
    let mut heap = Heap::new(&roots, Config::default()).unwrap();
    root!(heap, let x = heap.alloc(Shape::new(0, 8)).unwrap());
    drop(heap);
    drop(roots);
    let _ = x;
}
