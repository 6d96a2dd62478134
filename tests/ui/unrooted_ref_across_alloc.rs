// An unrooted reference borrows the heap immutably; allocating may move
// every object, so it needs the heap mutably: the two cannot overlap.
use gcroots::{Config, Heap, Roots, Selected, Shape, root};

fn main() {
    let roots = Roots::<Selected>::new();
    let mut heap = Heap::new(&roots, Config::default()).unwrap();
    root!(heap, let x = heap.alloc(Shape::new(0, 8)).unwrap());
    let unrooted = heap.get(&x);
    heap.alloc(Shape::new(0, 8)).unwrap();
    unrooted.write_u64(0, 1);
}
