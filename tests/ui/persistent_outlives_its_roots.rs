// A persistent root borrows the root set too: it cannot outlive it.
use gcroots::{Config, Heap, Intrusive, Persistent, Roots, Shape};

fn main() {
    let escaped: Persistent<'static, Intrusive>;
    {
        let roots = Roots::<Intrusive>::new();
        let mut heap = Heap::new(&roots, Config::default()).unwrap();
        escaped = heap.roots().persist(heap.alloc(Shape::new(0, 8)).unwrap());
    }
    drop(escaped);
}
