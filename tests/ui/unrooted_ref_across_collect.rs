// The same for an explicit collection.
use gcroots::{Config, Heap, Roots, Selected, Shape, root};

fn main() {
    let roots = Roots::<Selected>::new();
    let mut heap = Heap::new(&roots, Config::default()).unwrap();
    root!(heap, let x = heap.alloc(Shape::new(0, 8)).unwrap());
    let unrooted = heap.get(&x);
    heap.collect();
    unrooted.read_u64(0);
}
