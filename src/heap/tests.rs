//! Tests that need the heap's insides.

use super::*;

mod missing_root {
    use super::*;
    use crate::object::Shape;
    use crate::root;

    /// Allocates `kept` (rooted) and `lost` (not rooted), collects
    /// `collections` times, then reads `lost` through its old address.
    fn read_through_a_missing_root<S: Scheme>(config: Config, collections: usize) {
        let roots = Roots::<S>::new();
        let mut heap = Heap::new(&roots, config).unwrap();
        root!(heap, let kept = heap.alloc(Shape::new(1, 8)).unwrap());
        let lost = heap.alloc(Shape::new(1, 8)).unwrap();
        lost.write_u64(0, 42);
        let lost = lost.gc();
        for _ in 0..collections {
            heap.collect_minor();
        }
        assert_eq!(heap.get(&kept).read_u64(0), 0);
        // SAFETY: deliberately broken: `lost` is not current (nothing rooted
        // it through the collections). The test shows that the checked
        // accessors refuse it before touching memory. After one collection
        // of a semispace heap its address is in the other semispace; after
        // two it is back in the current one, past the live data, at a word
        // the poisoning filled. In a generational heap it is in the nursery,
        // which the minor collection poisoned.
        let stale = unsafe { Ref::new(&heap, lost) };
        let _ = stale.read_u64(0);
    }

    /// Roots an object, keeps its address unrooted, collects until the
    /// object has moved, then reads through the old address.
    fn read_the_old_address_of_a_moved_object<S: Scheme>(config: Config) {
        let roots = Roots::<S>::new();
        let mut heap = Heap::new(&roots, config).unwrap();
        root!(heap, let kept = heap.alloc(Shape::new(1, 8)).unwrap());
        let old = heap.get(&kept).gc();
        while heap.get(&kept).gc() == old {
            heap.collect();
        }
        // SAFETY: deliberately broken: `old` is where the object was; the
        // checked accessors refuse it.
        let stale = unsafe { Ref::new(&heap, old) };
        let _ = stale.read_u64(0);
    }

    /// Stores a nursery object in a field of a mature one, with the barrier
    /// (`barrier: true`) or bypassing it, then runs a minor collection and
    /// reads the field.
    fn store_into_a_mature_object<S: Scheme>(barrier: bool, mark_region: bool) {
        let roots = Roots::<S>::new();
        let mut config = Config {
            verify: true,
            poison: true,
            ..Config::generational()
        };
        if mark_region {
            config = config.with_mark_region();
        }
        let mut heap = Heap::new(&roots, config).unwrap();
        root!(heap, let old = heap.alloc(Shape::new(1, 0)).unwrap());
        heap.collect_minor(); // `old` is promoted
        root!(heap, let young = heap.alloc(Shape::new(0, 8)).unwrap());
        {
            let young = heap.get(&young);
            young.write_u64(0, 7);
            let old = heap.get(&old);
            if barrier {
                old.set_field(0, Some(young));
            } else {
                let p = heap.header_ptr(old.gc());
                // SAFETY: field 0 of `old`, a live object with one field.
                unsafe { *p.add(1) = young.gc().addr() as u64 };
            }
        }
        heap.collect_minor();
        let young = heap.get(&old).field(0).unwrap();
        assert_eq!(young.read_u64(0), 7);
    }

    macro_rules! per_scheme {
        ($($scheme:ident, $feature:literal, $name:ident);* $(;)?) => {$(
            #[cfg(feature = $feature)]
            mod $name {
                use super::*;
                use crate::$scheme as S;

                #[test]
                #[should_panic(expected = "its address is in none of the heap's spaces")]
                fn after_one_collection() {
                    read_through_a_missing_root::<S>(Config::zeal(), 1);
                }

                #[test]
                #[should_panic(expected = "its header is poisoned")]
                fn after_two_collections() {
                    read_through_a_missing_root::<S>(Config::zeal(), 2);
                }

                #[test]
                #[should_panic(expected = "its header is poisoned")]
                fn after_a_minor_collection() {
                    read_through_a_missing_root::<S>(Config::zeal().with_nursery(4 << 10), 1);
                }

                #[test]
                fn a_store_through_the_barrier_is_remembered() {
                    store_into_a_mature_object::<S>(true, false);
                    store_into_a_mature_object::<S>(true, true);
                }

                #[test]
                #[should_panic(expected = "but the object is not in the remembered set")]
                fn a_store_that_bypasses_the_barrier_is_caught() {
                    store_into_a_mature_object::<S>(false, false);
                }

                #[test]
                #[should_panic(expected = "but the object is not in the remembered set")]
                fn a_store_into_a_mark_region_object_that_bypasses_the_barrier_is_caught() {
                    store_into_a_mature_object::<S>(false, true);
                }

                /// The first full collection of a mark-region heap in zeal
                /// mode marks in place and poisons every word no live
                /// object covers.
                #[test]
                #[should_panic(expected = "its header is poisoned")]
                fn after_a_mark_region_collection() {
                    read_through_a_missing_root::<S>(Config::zeal().with_mark_region(), 1);
                }

                /// The second evacuates every object, and poisons the
                /// blocks it emptied.
                #[test]
                #[should_panic(expected = "its header is poisoned")]
                fn after_an_evacuating_collection() {
                    read_through_a_missing_root::<S>(Config::zeal().with_mark_region(), 2);
                }

                #[test]
                #[should_panic(expected = "its header is poisoned")]
                fn after_a_minor_collection_into_a_mark_region_space() {
                    read_through_a_missing_root::<S>(
                        Config::zeal().with_mark_region().with_nursery(4 << 10),
                        1,
                    );
                }

                /// Without poisoning, an evacuated object's old header is
                /// its forwarding address: a stale address of it is still
                /// caught.
                #[test]
                #[should_panic(expected = "its header is poisoned or was overwritten by a collection")]
                fn the_old_address_of_an_evacuated_object() {
                    read_the_old_address_of_a_moved_object::<S>(Config {
                        poison: false,
                        ..Config::zeal().with_mark_region()
                    });
                }
            }
        )*};
    }

    per_scheme!(
        Intrusive, "intrusive", intrusive;
        Indexed, "indexed", indexed;
        Hybrid, "hybrid", hybrid;
    );
}

/// What the conformance suite cannot see from outside: the chunks of a
/// mark-region heap.
mod chunks {
    use super::*;
    use crate::{RootVec, root};

    fn chunks(heap: &Heap<'_, crate::Selected>) -> usize {
        match &heap.mature {
            Mature::MarkRegion(r) => r.chunks().len(),
            Mature::Copying(_) => 0,
        }
    }

    /// Outgrowing the first chunk retains it while a pinned object is in
    /// it (and reads it from there), and frees it once the pin is gone.
    #[test]
    fn an_outgrown_chunk_is_retained_while_it_holds_a_pinned_object() {
        let roots = Roots::<crate::Selected>::new();
        let config = Config {
            initial_bytes: 32 << 10,
            verify: true,
            ..Config::mark_region()
        };
        let mut heap = Heap::new(&roots, config).unwrap();
        root!(heap, let pinned = heap.alloc(Shape::new(1, 8)).unwrap());
        heap.get(&pinned).write_u64(0, 5);
        let pin = heap.pin(&pinned).unwrap();
        let list = heap.persist_vec();
        let target = if cfg!(miri) { 48 << 10 } else { 3 << 20 };
        while heap.used_bytes() < target {
            let cell = heap.alloc(Shape::new(1, 8)).unwrap();
            list.push(cell);
        }
        heap.collect();
        heap.collect();
        assert_eq!(chunks(&heap), 2, "the old chunk is retained for the pin");
        assert_eq!(heap.get(&pin).read_u64(0), 5, "read from the old chunk");
        drop(pin);
        heap.collect();
        heap.collect();
        assert_eq!(chunks(&heap), 1, "and freed once it holds nothing");
        assert_eq!(heap.get(&pinned).read_u64(0), 5);
        let n = list.len(&heap);
        assert!(n > 0 && list.get(&heap, n - 1).is_some());
    }
}

/// The conservative scheme's lookup of a stack word: every byte of every
/// object (header, fields, data) finds that object; a byte of free room
/// finds none; objects allocated since the last collection are found
/// once their start bits are recorded; large objects are found by any
/// byte too.
#[cfg(feature = "indexed")]
mod ambiguous_lookup {
    use super::*;
    use crate::object::Shape;

    #[test]
    fn every_byte_of_an_object_finds_it() {
        let roots = Roots::<crate::Indexed>::new();
        let mut heap = Heap::new(&roots, Config::mark_region()).unwrap();
        let set = heap.roots();
        let shapes = [
            Shape::new(0, 0),
            Shape::new(1, 8),
            Shape::new(3, 5),
            Shape::new(0, 200),
            Shape::new(2, 1000),
        ];
        // Survivors of a collection (start bits from the sweep) and fresh
        // objects (start bits recorded from the bump runs).
        let old: Vec<_> = shapes
            .iter()
            .map(|&s| set.persist(heap.alloc(s).unwrap()))
            .collect();
        heap.collect();
        let fresh: Vec<_> = shapes
            .iter()
            .map(|&s| set.persist(heap.alloc(s).unwrap()))
            .collect();
        let big = set.persist(heap.alloc(Shape::new(0, 200 << 10)).unwrap());
        heap.retire();
        let Mature::MarkRegion(r) = &mut heap.mature else {
            unreachable!()
        };
        r.record_fresh_starts();
        let objects: Vec<(usize, usize)> = old
            .iter()
            .chain(&fresh)
            .map(|p| (heap.get(p).addr(), heap.get(p).size_bytes()))
            .collect();
        let Mature::MarkRegion(r) = &heap.mature else {
            unreachable!()
        };
        for &(addr, size) in &objects {
            for b in 0..size {
                assert_eq!(
                    r.object_containing(addr + b),
                    Some(addr),
                    "byte {b} of {size}"
                );
            }
            // The byte after the object is the next object's, or free.
            assert_ne!(r.object_containing(addr + size), Some(addr));
            assert_eq!(heap.large.object_containing(addr), None);
        }
        let (end, _) = objects.iter().map(|&(a, s)| (a + s, 0)).max().unwrap();
        assert_eq!(r.object_containing(end), None, "free room is no object");
        assert_eq!(r.object_containing(0x10), None);
        let (addr, size) = (heap.get(&big).addr(), heap.get(&big).size_bytes());
        assert_eq!(
            r.object_containing(addr),
            None,
            "a large object is not in the space"
        );
        for b in [0, 1, 8, size / 2, size - 1] {
            assert_eq!(heap.large.object_containing(addr + b), Some(addr));
        }
        assert_eq!(heap.large.object_containing(addr + size), None);
        assert_eq!(heap.large.object_containing(addr - 1), None);
    }
}
