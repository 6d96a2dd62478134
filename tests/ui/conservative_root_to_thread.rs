// A conservative stack root points to its slot in this thread's frame:
// not Send.
use gcroots::{Config, Conservative, Heap, Roots, Shape, root};

fn main() {
    let roots = Roots::<Conservative>::new();
    let mut heap = Heap::new(&roots, Config::mark_region()).unwrap();
    root!(heap, let a = heap.alloc(Shape::new(0, 8)).unwrap());
    std::thread::scope(|s| {
        s.spawn(move || a);
    });
}
