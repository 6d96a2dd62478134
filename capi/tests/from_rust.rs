//! The C API called from Rust, so that miri checks it (Stacked and Tree
//! Borrows): roots in memory the caller owns, copied, moved (in place),
//! read, collected, destroyed in any order, and outliving their heap.

use core::mem::MaybeUninit;

use gcroots_capi::gcr_status_t::*;
use gcroots_capi::indexed::*;
use gcroots_capi::intrusive::*;
use gcroots_capi::{gcr_config_default, gcr_config_t};

fn zeal() -> gcr_config_t {
    let mut c = MaybeUninit::uninit();
    // SAFETY: `c` is valid for writing.
    unsafe { gcr_config_default(c.as_mut_ptr(), true) };
    // SAFETY: initialised just above.
    unsafe { c.assume_init() }
}

/// `n` empty intrusive roots in one `Vec` (their memory stays put: the
/// vector is never grown).
fn intrusive_roots(n: usize) -> Vec<gcr_intrusive_root_t> {
    let mut v: Vec<MaybeUninit<gcr_intrusive_root_t>> =
        (0..n).map(|_| MaybeUninit::uninit()).collect();
    for r in &mut v {
        // SAFETY: valid for writing.
        unsafe { gcr_intrusive_root_init(r.as_mut_ptr()) };
    }
    // SAFETY: every element was initialised (empty).
    v.into_iter().map(|r| unsafe { r.assume_init() }).collect()
}

#[test]
fn intrusive_roots_in_caller_memory() {
    let config = zeal();
    let mut heap = core::ptr::null_mut();
    // SAFETY: every pointer below is valid; each root stays where it is
    // while it holds an object, and is destroyed before the vector goes.
    unsafe {
        assert_eq!(gcr_intrusive_heap_new(&config, &mut heap), GCR_OK);
        let mut r = intrusive_roots(4);
        let p = r.as_mut_ptr();
        assert_eq!(gcr_intrusive_alloc(heap, 1, 8, p), GCR_OK);
        assert_eq!(gcr_intrusive_set_u64(p, 0, 5), GCR_OK);
        assert_eq!(gcr_intrusive_alloc(heap, 1, 8, p.add(1)), GCR_OK);
        assert_eq!(gcr_intrusive_set_field(p.add(1), 0, p), GCR_OK);
        gcr_intrusive_root_copy(p.add(2), p.add(1));
        gcr_intrusive_root_move(p.add(3), p.add(2));
        assert!(gcr_intrusive_root_is_empty(p.add(2)));
        assert_eq!(gcr_intrusive_collect(heap), GCR_OK);
        assert_eq!(gcr_intrusive_get_field(p.add(3), 0, p.add(3)), GCR_OK);
        let mut v = 0;
        assert_eq!(gcr_intrusive_get_u64(p.add(3), 0, &mut v), GCR_OK);
        assert_eq!(v, 5);
        let mut same = false;
        assert_eq!(gcr_intrusive_same(p, p.add(3), &mut same), GCR_OK);
        assert!(same);
        assert_eq!(gcr_intrusive_root_count(heap), 3);
        // Destroyed out of order, the heap first: the roots answer
        // DESTROYED, and the last one frees the list.
        gcr_intrusive_root_destroy(p.add(1));
        gcr_intrusive_heap_destroy(heap);
        assert_eq!(gcr_intrusive_get_u64(p, 0, &mut v), GCR_ERR_DESTROYED);
        gcr_intrusive_root_destroy(p);
        gcr_intrusive_root_destroy(p.add(3));
    }
}

/// A root's address, sent to another thread.
struct SendPtr(*mut gcr_indexed_root_t);

// SAFETY: an indexed root may be unrooted on any thread (its handle is
// `Send`), and the test waits for that thread before touching it again.
unsafe impl Send for SendPtr {}

#[test]
fn indexed_roots_in_caller_memory() {
    let config = zeal();
    let mut heap = core::ptr::null_mut();
    let mut r: [MaybeUninit<gcr_indexed_root_t>; 3] = [const { MaybeUninit::uninit() }; 3];
    // SAFETY: every pointer below is valid; every root is initialised
    // before use and unrooted at the end.
    unsafe {
        assert_eq!(gcr_indexed_heap_new(&config, &mut heap), GCR_OK);
        let p = r.as_mut_ptr().cast::<gcr_indexed_root_t>();
        for i in 0..3 {
            gcr_indexed_root_init(p.add(i));
        }
        assert_eq!(gcr_indexed_alloc(heap, 1, 8, p), GCR_OK);
        assert_eq!(gcr_indexed_set_u64(heap, p, 0, 9), GCR_OK);
        gcr_indexed_root_clone(p, p.add(1));
        let q = SendPtr(p.add(1));
        let moved = std::thread::scope(|s| {
            // A clone unrooted on another thread.
            s.spawn(move || {
                let q = q;
                gcr_indexed_root_unroot(q.0)
            })
            .join()
        });
        assert!(moved.is_ok());
        assert_eq!(gcr_indexed_alloc(heap, 1, 0, p.add(2)), GCR_OK);
        assert_eq!(gcr_indexed_set_field(heap, p.add(2), 0, p), GCR_OK);
        assert_eq!(gcr_indexed_collect(heap), GCR_OK);
        assert_eq!(gcr_indexed_get_field(heap, p.add(2), 0, p.add(2)), GCR_OK);
        let mut v = 0;
        assert_eq!(gcr_indexed_get_u64(heap, p.add(2), 0, &mut v), GCR_OK);
        assert_eq!(v, 9);
        gcr_indexed_heap_destroy(heap);
        // Handles outlive their table harmlessly.
        for i in 0..3 {
            gcr_indexed_root_unroot(p.add(i));
        }
    }
}

/// The words the header's inline functions read and write are where
/// gcroots.h says: the root's heap, its node linked at the heap's head (an
/// hlist: pprev names the cell pointing at it), the value an object's
/// header with the allocated shape, rewritten by a collection.
#[test]
fn intrusive_roots_are_laid_out_as_the_header_says() {
    let config = zeal();
    let mut heap = core::ptr::null_mut();
    let mut roots = intrusive_roots(2);
    // SAFETY: as in `intrusive_roots_in_caller_memory`; the raw reads are
    // of the words the library keeps (the layout under test), while no
    // call runs.
    unsafe {
        assert_eq!(gcr_intrusive_heap_new(&config, &mut heap), GCR_OK);
        let view = heap.cast::<gcr_intrusive_heap_inline_t>();
        let (a, b) = roots.split_at_mut(1);
        let (a, b) = (&raw mut a[0], &raw mut b[0]);
        // A root holding an object has its node initialised.
        let node =
            |r: *mut gcr_intrusive_root_t| (&raw mut (*r).node).cast::<gcr_intrusive_node_t>();
        assert_eq!(gcr_intrusive_alloc(heap, 3, 16, a), GCR_OK);
        assert_eq!(gcr_intrusive_alloc(heap, 0, 8, b), GCR_OK);
        assert_eq!((*a).heap, heap.cast_const());
        assert_eq!(*(*view).head, node(b));
        assert_eq!((*node(b)).pprev, (*view).head);
        assert_eq!((*node(b)).next, node(a));
        assert_eq!((*node(a)).pprev, &raw mut (*node(b)).next);
        assert!((*node(a)).next.is_null());
        assert_eq!((*node(a)).list, (*view).list);
        assert!(!(*view).destroyed && !(*view).barrier);
        // The value word is the object's header address. C reads the
        // object through it, an integer made a pointer, which strict
        // provenance (as miri runs) forbids: there the words are checked
        // through the library instead.
        #[cfg(not(miri))]
        let header = |r: *mut gcr_intrusive_root_t| (*node(r)).value as *const u64;
        #[cfg(not(miri))]
        {
            let h = *header(a);
            assert_eq!(h & GCR_OBJECT_MAGIC_MASK, GCR_OBJECT_MAGIC);
            assert_eq!(h >> GCR_OBJECT_FIELDS_SHIFT, 3);
            assert_eq!((h >> GCR_OBJECT_BYTES_SHIFT) & GCR_OBJECT_BYTES_MASK, 16);
        }
        let (mut fields, mut bytes) = (0, 0);
        assert_eq!(gcr_intrusive_shape(a, &mut fields, &mut bytes), GCR_OK);
        assert_eq!((fields, bytes), (3, 16));
        assert_eq!(gcr_intrusive_set_u64(a, 8, 0xfeed), GCR_OK);
        // Data byte 8 is word 1 + fields + 1.
        #[cfg(not(miri))]
        assert_eq!(*header(a).add(1 + 3 + 1), 0xfeed);
        let before = (*node(a)).value;
        assert_ne!(before, 0);
        assert_eq!(gcr_intrusive_collect(heap), GCR_OK);
        assert_ne!(
            (*node(a)).value,
            before,
            "a zeal collection moves the object"
        );
        #[cfg(not(miri))]
        assert_eq!(*header(a).add(1 + 3 + 1), 0xfeed);
        let mut v = 0;
        assert_eq!(gcr_intrusive_get_u64(a, 8, &mut v), GCR_OK);
        assert_eq!(v, 0xfeed);
        gcr_intrusive_root_destroy(b);
        assert_eq!(*(*view).head, node(a));
        assert_eq!((*node(a)).pprev, (*view).head);
        gcr_intrusive_heap_destroy(heap);
        gcr_intrusive_root_destroy(a);
    }
}

/// A generational heap tells the inline functions to call for reference
/// stores (the write barrier).
#[test]
fn a_generational_intrusive_heap_asks_for_the_barrier() {
    let mut config = zeal();
    config.nursery_bytes = 4096;
    let mut heap = core::ptr::null_mut();
    // SAFETY: `heap` is made, read through its inline view, destroyed.
    unsafe {
        assert_eq!(gcr_intrusive_heap_new(&config, &mut heap), GCR_OK);
        assert!((*heap.cast::<gcr_intrusive_heap_inline_t>()).barrier);
        gcr_intrusive_heap_destroy(heap);
    }
}
