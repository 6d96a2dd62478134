// Nor is its heap, whose root list holds pointers into one thread's frames.
use gcroots::{Config, Heap, Hybrid, Roots};

fn main() {
    let roots = Roots::<Hybrid>::new();
    let heap = Heap::new(&roots, Config::default()).unwrap();
    std::thread::scope(|s| {
        s.spawn(move || drop(heap));
    });
}
