// Nor is a heap whose roots are intrusive.
use gcroots::{Config, Heap, Intrusive, Roots};

fn main() {
    let roots = Roots::<Intrusive>::new();
    let heap = Heap::new(&roots, Config::default()).unwrap();
    std::thread::scope(|s| {
        s.spawn(move || drop(heap));
    });
}
