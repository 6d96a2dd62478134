// Intrusive roots point into a list that belongs to one thread: they are
// not Send.
use gcroots::{Config, Heap, Intrusive, Roots, Shape, root};

fn main() {
    let roots = Roots::<Intrusive>::new();
    let mut heap = Heap::new(&roots, Config::default()).unwrap();
    root!(heap, let x = heap.alloc(Shape::new(0, 8)).unwrap());
    std::thread::scope(|s| {
        s.spawn(move || {
            let _moved = x;
        });
    });
}
