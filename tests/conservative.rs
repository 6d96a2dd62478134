//! What the conservative scheme alone must show: that a root whose slot
//! is not on the scanned stack is caught (rooted precisely), never
//! missed; that a word on the stack alone keeps and pins its object; and
//! that the heap refuses the modes that cannot pin. Natively only: the
//! scheme reads the native stack, which miri has not got, so under miri
//! this file is empty (`cfg`), and says so by running no test.
//!
//! Every heap here is in mark-region zeal mode: a collection before every
//! allocation, every object it may move evacuated, the dead poisoned, the
//! heap verified. A missed root is then a poisoned read, reported.

#![cfg(all(feature = "conservative", not(miri)))]

#[allow(unused)]
mod common;

use std::cell::RefCell;
use std::hint::black_box;

use common::{YieldOnce, poll};
use gcroots::{Config, Conservative, Heap, HeapError, Roots, Shape, root};

const CELL: Shape = Shape::new(1, 8);

type Reader<'a> = Box<dyn Fn(&Heap<'_, Conservative>) -> u64 + 'a>;
type Maker = Box<dyn Fn(&mut Heap<'_, Conservative>) -> u64>;

fn zeal() -> Config {
    Config::zeal().with_mark_region()
}

#[test]
fn modes_that_cannot_pin_are_refused_by_name() {
    let roots = Roots::<Conservative>::new();
    for (config, mode) in [
        (Config::default(), "semispace"),
        (Config::generational(), "generational"),
        (
            Config::mark_region().with_nursery(1 << 20),
            "generational mark-region",
        ),
    ] {
        let err = Heap::new(&roots, config).unwrap_err();
        assert_eq!(
            err,
            HeapError::CannotPin {
                scheme: "conservative",
                mode
            }
        );
        let msg = err.to_string();
        assert!(
            msg.contains(mode) && msg.contains("Config::mark_region()"),
            "{msg}"
        );
    }
    assert!(Heap::new(&roots, Config::mark_region()).is_ok());
}

/// A stack root is not registered: the heap counts none, and the scan
/// finds it; the object stays where it is while zeal moves the others.
#[test]
fn a_stack_root_is_found_on_the_stack_and_pinned() {
    let roots = Roots::<Conservative>::new();
    let mut heap = Heap::new(&roots, zeal()).unwrap();
    root!(heap, let a = heap.alloc(CELL).unwrap());
    heap.get(&a).write_u64(0, 7);
    let at = !heap.get(&a).addr(); // complemented: not itself a pointer
    let before = heap.stats();
    for _ in 0..10 {
        heap.alloc(CELL).unwrap();
    }
    heap.collect();
    let after = heap.stats();
    assert_eq!(heap.root_count(), 0, "stack roots are not registered");
    assert_eq!(heap.get(&a).read_u64(0), 7);
    assert_eq!(
        !heap.get(&a).addr(),
        at,
        "an object the stack points to stays put"
    );
    assert!(after.ambiguous_words > before.ambiguous_words);
    assert!(after.objects_pinned_by_stack > before.objects_pinned_by_stack);
    assert!(after.stack_bytes_scanned > before.stack_bytes_scanned);
}

/// A pointer into the middle of an object's data on the stack keeps the
/// object alive (the unit test `ambiguous_lookup` checks, byte by byte,
/// that such a word finds exactly its object; here a stale copy of the
/// object's address may help keep it, which a test cannot rule out).
#[test]
fn an_interior_pointer_keeps_its_object() {
    let roots = Roots::<Conservative>::new();
    let mut heap = Heap::new(&roots, zeal()).unwrap();
    let o = heap.alloc(Shape::new(0, 64)).unwrap();
    o.write_u64(40, 0xfeed);
    let interior = o.addr() + 8 + 44; // inside the data, not at a word
    let slot = black_box(&interior); // on this frame's stack
    for _ in 0..10 {
        heap.alloc(CELL).unwrap();
    }
    heap.collect(); // verified after: a kept object is whole
    black_box(slot);
    assert!(heap.stats().objects_pinned_by_stack >= 1);
    assert!(heap.used_bytes() >= 80, "the 80-byte object is kept");
}

/// A future boxed and polled by hand: its slot is in the box, not on the
/// stack, so `root!` roots the value precisely in the table (counted),
/// and it survives collections that evacuate everything they may.
#[test]
fn a_root_in_a_boxed_future_is_rooted_precisely() {
    let roots = Roots::<Conservative>::new();
    let heap = RefCell::new(Heap::new(&roots, zeal()).unwrap());
    let mut fut = Box::pin(async {
        root!(heap.borrow(), let x = heap.borrow_mut().alloc(CELL).unwrap());
        heap.borrow().get(&x).write_u64(0, 41);
        YieldOnce(false).await;
        let h = heap.borrow();
        h.get(&x).read_u64(0) + 1
    });
    assert!(poll(fut.as_mut()).is_pending());
    assert_eq!(heap.borrow().root_count(), 1, "rooted in the table");
    {
        let mut h = heap.borrow_mut();
        for _ in 0..10 {
            h.alloc(CELL).unwrap();
        }
        h.collect();
        h.collect();
    }
    assert_eq!(poll(fut.as_mut()), std::task::Poll::Ready(42));
}

/// A closure stored in a `Box` that holds a stack root: the root's slot is
/// still in the frame that made it (the closure holds a pointer to it),
/// so the scan finds it; and a root the boxed closure makes when called is
/// in the closure's frame, on the stack.
#[test]
fn a_closure_in_a_box_keeps_stack_roots() {
    let roots = Roots::<Conservative>::new();
    let mut heap = Heap::new(&roots, zeal()).unwrap();
    root!(heap, let a = heap.alloc(CELL).unwrap());
    heap.get(&a).write_u64(0, 5);
    let read: Reader<'_> = Box::new(move |h| h.get(&a).read_u64(0));
    for _ in 0..10 {
        heap.alloc(CELL).unwrap();
    }
    heap.collect();
    assert_eq!(read(&heap), 5);
    let make: Maker = Box::new(|h| {
        root!(h, let b = h.alloc(CELL).unwrap());
        h.get(&b).write_u64(0, 9);
        let n = h.root_count();
        for _ in 0..10 {
            h.alloc(CELL).unwrap();
        }
        h.collect();
        assert_eq!(n, 0, "the closure's frame is on the stack: not registered");
        h.get(&b).read_u64(0)
    });
    assert_eq!(make(&mut heap), 9);
}

/// A root made on another thread, for a heap of that thread: its scan
/// reads that thread's stack (each thread's bounds are its own), and a
/// heap cannot cross threads (`!Send`, tests/ui).
#[test]
fn a_root_on_another_thread_is_found_on_that_threads_stack() {
    let sum = std::thread::spawn(|| {
        let roots = Roots::<Conservative>::new();
        let mut heap = Heap::new(&roots, zeal()).unwrap();
        root!(heap, let a = heap.alloc(CELL).unwrap());
        heap.get(&a).write_u64(0, 3);
        for _ in 0..10 {
            heap.alloc(CELL).unwrap();
        }
        heap.collect();
        heap.get(&a).read_u64(0)
    })
    .join()
    .unwrap();
    assert_eq!(sum, 3);
}

/// Long-lived roots are precise (owned roots of the table): counted, read
/// after collections that evacuate what they may, and droppable on
/// another thread. (Whether the object moves is not asserted: a stale
/// copy of its address on the stack, a `Ref` a debug build left in its
/// frame, pins it for that collection.)
#[test]
fn persistent_roots_are_precise_and_send() {
    let roots = Roots::<Conservative>::new();
    let mut heap = Heap::new(&roots, zeal()).unwrap();
    let set = heap.roots();
    let p = set.persist(heap.alloc(CELL).unwrap());
    heap.get(&p).write_u64(0, 11);
    let q = p.clone();
    for _ in 0..8 {
        heap.alloc(CELL).unwrap();
        heap.collect();
    }
    assert_eq!(heap.root_count(), 1);
    assert_eq!(heap.get(&q).read_u64(0), 11);
    std::thread::scope(|s| s.spawn(move || drop(q)).join().unwrap());
    assert_eq!(heap.root_count(), 1);
    drop(p);
    heap.collect();
    assert_eq!(heap.root_count(), 0);
}

/// `Heap::object_at` turns an object's address back into a reference: any
/// address is safe, and only an object's first byte finds it.
#[test]
fn object_at_finds_objects_by_address_only() {
    let roots = Roots::<Conservative>::new();
    let mut heap = Heap::new(&roots, zeal()).unwrap();
    root!(heap, let a = heap.alloc(Shape::new(1, 16)).unwrap());
    heap.get(&a).write_u64(8, 77);
    let addr = heap.get(&a).addr();
    // Allocated since the last collection: found after recording starts.
    assert_eq!(heap.object_at(addr).unwrap().read_u64(8), 77);
    heap.collect(); // pinned by the slot: same address
    assert_eq!(heap.object_at(addr).unwrap().read_u64(8), 77);
    for wrong in [addr + 8, addr + 1, 0, 8, usize::MAX - 7] {
        assert!(heap.object_at(wrong).is_none(), "{wrong:#x}");
    }
    let big = heap.alloc(Shape::new(0, 200 << 10)).unwrap().addr();
    assert!(heap.object_at(big).is_some(), "a large object");
    assert!(heap.object_at(big + 64).is_none());
    // Another heap's object is not this heap's.
    let other_roots = Roots::<Conservative>::new();
    let mut other = Heap::new(&other_roots, zeal()).unwrap();
    let o = other.alloc(Shape::new(0, 8)).unwrap().addr();
    assert!(heap.object_at(o).is_none());
    assert!(other.object_at(o).is_some());
}

/// A conservative heap collecting on a thread other than its `Roots`'
/// (which safe Rust cannot do; C can) is refused with a message before
/// anything is scanned.
#[test]
fn collecting_on_another_thread_is_refused() {
    struct SendAnyway<T>(T);
    // SAFETY: deliberately wrong, to show the check: the heap is used on
    // the other thread only to collect, which refuses at once.
    unsafe impl<T> Send for SendAnyway<T> {}
    let roots = Roots::<Conservative>::new();
    let heap = Heap::new(&roots, zeal()).unwrap();
    let mut moved = SendAnyway(heap);
    let msg = std::thread::scope(|s| {
        s.spawn(move || {
            let h = &mut moved;
            common::panic_message(std::panic::AssertUnwindSafe(|| h.0.collect()))
        })
        .join()
        .unwrap()
    });
    assert!(msg.contains("collected on another thread"), "{msg}");
}
