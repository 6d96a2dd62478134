//! [`Fields`]: the initial reference fields of [`Heap::alloc_with`].

use crate::heap::Heap;
use crate::reference::Ref;
use crate::root::Root;
use crate::scheme::Scheme;

/// Roots whose objects become the first reference fields of a new object
/// ([`Heap::alloc_with`]): a slice, array or `Vec` of roots of one kind
/// (`[R]`, `[R; N]`, `Vec<R>`), or a tuple of up to six roots of any kinds.
/// Sealed.
///
/// ```
/// use gcroots::{root, Config, Heap, Persistent, Roots, Selected, Shape};
///
/// let roots = Roots::<Selected>::new();
/// let mut heap = Heap::new(&roots, Config::default()).unwrap();
/// let kept: Vec<Persistent<'_, Selected>> = (0..3)
///     .map(|_| heap.roots().persist(heap.alloc(Shape::new(0, 8)).unwrap()))
///     .collect();
/// root!(heap, let node = heap.alloc_with(Shape::new(3, 0), &kept).unwrap());
/// assert!(heap.get(&node).field(2).is_some());
/// ```
pub trait Fields<S: Scheme>: sealed::Sealed<S> {
    /// How many fields.
    #[doc(hidden)]
    fn count(&self) -> usize;

    /// Panics, naming the mistake, if a root is stale or of another heap:
    /// before anything is allocated.
    #[doc(hidden)]
    fn check(&self, heap: &Heap<'_, S>);

    /// Sets `obj`'s first fields.
    #[doc(hidden)]
    fn write(&self, heap: &Heap<'_, S>, obj: Ref<'_, S>);
}

mod sealed {
    pub trait Sealed<S> {}
}

impl<S: Scheme, R: Root<S>> sealed::Sealed<S> for [R] {}

impl<S: Scheme, R: Root<S>> Fields<S> for [R] {
    fn count(&self) -> usize {
        self.len()
    }

    #[track_caller]
    fn check(&self, heap: &Heap<'_, S>) {
        for r in self {
            r.get(heap);
        }
    }

    fn write(&self, heap: &Heap<'_, S>, obj: Ref<'_, S>) {
        for (i, r) in self.iter().enumerate() {
            obj.set_field(i, Some(r.get(heap)));
        }
    }
}

impl<S: Scheme, R: Root<S>> sealed::Sealed<S> for Vec<R> {}

impl<S: Scheme, R: Root<S>> Fields<S> for Vec<R> {
    fn count(&self) -> usize {
        self.len()
    }

    #[track_caller]
    fn check(&self, heap: &Heap<'_, S>) {
        self.as_slice().check(heap)
    }

    fn write(&self, heap: &Heap<'_, S>, obj: Ref<'_, S>) {
        self.as_slice().write(heap, obj)
    }
}

impl<S: Scheme, R: Root<S>, const N: usize> sealed::Sealed<S> for [R; N] {}

impl<S: Scheme, R: Root<S>, const N: usize> Fields<S> for [R; N] {
    fn count(&self) -> usize {
        N
    }

    #[track_caller]
    fn check(&self, heap: &Heap<'_, S>) {
        self.as_slice().check(heap)
    }

    fn write(&self, heap: &Heap<'_, S>, obj: Ref<'_, S>) {
        self.as_slice().write(heap, obj)
    }
}

macro_rules! tuple_fields {
    ($($r:ident $i:tt),+) => {
        impl<S: Scheme, $($r: Root<S>),+> sealed::Sealed<S> for ($($r,)+) {}

        impl<S: Scheme, $($r: Root<S>),+> Fields<S> for ($($r,)+) {
            fn count(&self) -> usize {
                [$(stringify!($r)),+].len()
            }

            #[track_caller]
            fn check(&self, heap: &Heap<'_, S>) {
                $(self.$i.get(heap);)+
            }

            fn write(&self, heap: &Heap<'_, S>, obj: Ref<'_, S>) {
                $(obj.set_field($i, Some(self.$i.get(heap)));)+
            }
        }
    };
}

tuple_fields!(A 0);
tuple_fields!(A 0, B 1);
tuple_fields!(A 0, B 1, C 2);
tuple_fields!(A 0, B 1, C 2, D 3);
tuple_fields!(A 0, B 1, C 2, D 3, E 4);
tuple_fields!(A 0, B 1, C 2, D 3, E 4, G 5);
