//! [`Roots`]: the part of a heap's root set that lives outside the heap.

use crate::heap::Heap;
use crate::reference::Ref;
use crate::root::Persistent;
use crate::scheme::sealed::Anchor;
use crate::scheme::{RootSetRef, Scheme};

/// The part of a heap's root set that lives outside the heap, so that roots
/// can borrow it while the heap is borrowed mutably.
///
/// Under the intrusive scheme it is the list that every root links into
/// (stack roots, and the pool of long-lived roots); roots borrow it, which
/// proves it outlives them. Under the hybrid scheme it is the list of stack
/// roots. Under both, one `Roots` serves one heap, for good: a second
/// [`Heap::new`] on it fails with
/// [`HeapError::RootsInUse`](crate::HeapError::RootsInUse), even after the
/// first heap is dropped (its roots may still be linked). Under the indexed
/// scheme it is empty (the table lives in the heap, and every handle names
/// its table), and it may serve any number of heaps, one after another or
/// at once.
pub struct Roots<S: Scheme> {
    pub(crate) anchor: S::Anchor,
}

impl<S: Scheme> Roots<S> {
    /// An empty root set.
    pub fn new() -> Self {
        Roots {
            anchor: Default::default(),
        }
    }

    /// A long-lived root holding `value`, which must belong to the heap
    /// these roots serve. Unlike [`Heap::persist`] this needs no borrow of
    /// the heap, so it takes the result of an allocation directly:
    ///
    /// ```
    /// # use gcroots::{Heap, Roots, Selected, Shape};
    /// # let roots = Roots::<Selected>::new();
    /// # let mut heap = Heap::new(&roots, Default::default()).unwrap();
    /// let roots = heap.roots();
    /// let global = roots.persist(heap.alloc(Shape::new(0, 8)).unwrap());
    /// heap.collect();
    /// heap.get(&global).write_u64(0, 1);
    /// heap.release(global).unwrap();
    /// ```
    ///
    /// # Panics
    ///
    /// If `value` belongs to another heap (the intrusive scheme checks;
    /// under the indexed scheme the root goes to `value`'s heap, whose id it
    /// carries).
    pub fn persist(&self, value: Ref<'_, S>) -> Persistent<'_, S> {
        let heap = value.heap();
        assert!(
            self.anchor.same(&heap.roots().anchor),
            "persist: the value belongs to another heap"
        );
        // SAFETY: `value` is a `Ref` of `heap`, whose root set is this one
        // (checked above, or the scheme roots into `heap`'s own table).
        Persistent(unsafe { S::persist(self.with(heap), value.gc()) })
    }

    /// A weak root of `value`, which must belong to the heap these roots
    /// serve (see [`Weak`](crate::Weak)). As [`persist`](Self::persist),
    /// it needs no borrow of the heap, so it takes the result of an
    /// allocation directly (an intern table's new entry, say).
    ///
    /// # Panics
    ///
    /// If `value` belongs to another heap.
    pub fn weak(&self, value: Ref<'_, S>) -> crate::Weak<'_, S> {
        let heap = value.heap();
        assert!(
            self.anchor.same(&heap.roots().anchor),
            "weak: the value belongs to another heap"
        );
        // SAFETY: as in `persist`.
        crate::Weak(unsafe { S::weak(self.with(heap), value.gc()) })
    }

    /// `heap`'s root set, with the anchor borrowed from `self` for as long
    /// as `self` is borrowed (a `Ref` only lends its heap for `'h`). The
    /// caller has checked with [`Anchor::same`] that these roots serve
    /// `heap`.
    #[inline(always)]
    pub(crate) fn with<'h>(&self, heap: &'h Heap<'_, S>) -> RootSetRef<'h, '_, S> {
        RootSetRef {
            anchor: &self.anchor,
            table: heap.table(),
        }
    }
}

impl<S: Scheme> Default for Roots<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Scheme> core::fmt::Debug for Roots<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Roots")
            .field("scheme", &S::NAME)
            .finish_non_exhaustive()
    }
}
