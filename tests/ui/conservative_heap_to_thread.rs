// A conservative heap scans the stack of the thread that collects, where
// its stack roots are: it cannot be sent to another thread.
use gcroots::{Config, Conservative, Heap, Roots};

fn main() {
    let roots = Roots::<Conservative>::new();
    let heap = Heap::new(&roots, Config::mark_region()).unwrap();
    std::thread::scope(|s| {
        s.spawn(move || drop(heap));
    });
}
