// A scope borrows the heap mutably: the outer heap cannot be used until the
// scope ends, so scopes nest and exit in order by construction.
use gcroots::{Config, Heap, Roots, Selected, Shape};

fn main() {
    let roots = Roots::<Selected>::new();
    let mut heap = Heap::new(&roots, Config::default()).unwrap();
    let mut scope = heap.scope();
    heap.alloc(Shape::new(0, 8)).unwrap();
    scope.alloc(Shape::new(0, 8)).unwrap();
}
