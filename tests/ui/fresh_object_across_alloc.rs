// The result of an allocation is unrooted too: it cannot be held across
// the next allocation.
use gcroots::{Config, Heap, Roots, Selected, Shape};

fn main() {
    let roots = Roots::<Selected>::new();
    let mut heap = Heap::new(&roots, Config::default()).unwrap();
    let a = heap.alloc(Shape::new(1, 0)).unwrap();
    let b = heap.alloc(Shape::new(1, 0)).unwrap();
    a.set_field(0, Some(b));
}
