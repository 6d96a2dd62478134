// The hybrid scheme's stack roots are the intrusive scheme's: not Send
// (its long-lived roots, owned roots, are).
use gcroots::{Config, Heap, Hybrid, Roots, Shape, root};

fn main() {
    let roots = Roots::<Hybrid>::new();
    let mut heap = Heap::new(&roots, Config::default()).unwrap();
    root!(heap, let x = heap.alloc(Shape::new(0, 8)).unwrap());
    std::thread::scope(|s| {
        s.spawn(move || {
            let _moved = x;
        });
    });
}
