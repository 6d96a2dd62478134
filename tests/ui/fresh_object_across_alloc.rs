// The result of an allocation is unrooted too: it cannot be held across
// the next allocation, under any scheme.
use gcroots::{Config, Conservative, Heap, Hybrid, Indexed, Intrusive, Roots, Scheme, Shape};

fn misuse<S: Scheme>(heap: &mut Heap<'_, S>) {
    let a = heap.alloc(Shape::new(1, 0)).unwrap();
    let b = heap.alloc(Shape::new(1, 0)).unwrap();
    a.set_field(0, Some(b));
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
