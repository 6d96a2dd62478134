// An intrusive stack root borrows the pinned node in its block: it cannot
// be used after the block (so it can never be used after its scope).
use gcroots::{Config, Heap, Intrusive, Local, Roots, Shape, root};

fn main() {
    let roots = Roots::<Intrusive>::new();
    let mut heap = Heap::new(&roots, Config::default()).unwrap();
    let escaped: Local<'_, Intrusive>;
    {
        root!(heap, let x = heap.alloc(Shape::new(0, 8)).unwrap());
        escaped = x;
    }
    heap.get(&escaped);
}
