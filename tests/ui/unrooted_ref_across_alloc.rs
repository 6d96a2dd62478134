// An unrooted reference borrows the heap immutably; allocating may move
// every object, so it needs the heap mutably: the two cannot overlap, under
// any scheme (the function is generic over it).
use gcroots::{Config, Conservative, Heap, Hybrid, Indexed, Intrusive, Roots, Scheme, Shape, root};

fn misuse<S: Scheme>(heap: &mut Heap<'_, S>) {
    root!(heap, let x = heap.alloc(Shape::new(0, 8)).unwrap());
    let unrooted = heap.get(&x);
    heap.alloc(Shape::new(0, 8)).unwrap();
    unrooted.write_u64(0, 1);
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
