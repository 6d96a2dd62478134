//! Vector roots: one root holding a growable sequence of objects
//! (SpiderMonkey's `RootedVector` and `PersistentRootedVector`), under every
//! scheme: [`LocalVec`] (scoped, made by [`root_vec!`](crate::root_vec))
//! and [`PersistentVec`] (long-lived, made by [`Heap::persist_vec`]), both
//! used through [`RootVec`].
//!
//! A vector root is one entry of the root set whatever its length: an
//! interpreter's argument stack or environment, a list of values whose
//! number is known only at run time, kept alive with one root instead of
//! one per value (which `root!` cannot do in a loop).
//!
//! ```
//! use gcroots::{root, root_vec, AllocError, Heap, RootVec, Scheme, Shape};
//!
//! /// Allocates `n` cells, then links them into a list, last first.
//! fn build<S: Scheme>(heap: &mut Heap<'_, S>, n: u64) -> Result<u64, AllocError> {
//!     let mut scope = heap.scope();
//!     root_vec!(scope, let cells);
//!     for i in 0..n {
//!         let cell = scope.alloc(Shape::new(1, 8))?; // may collect: `cells` follows
//!         cell.write_u64(0, i);
//!         cells.push(cell);
//!     }
//!     for i in 1..cells.len(&scope) {
//!         let (prev, cell) = (cells.get(&scope, i - 1), cells.get(&scope, i));
//!         cell.unwrap().set_field(0, prev);
//!     }
//!     Ok(cells.iter(&scope).map(|c| c.read_u64(0)).sum())
//! }
//!
//! # fn run<S: Scheme>() {
//! let roots = gcroots::Roots::<S>::new();
//! let mut heap = Heap::new(&roots, gcroots::Config::zeal()).unwrap();
//! assert_eq!(build(&mut heap, 20).unwrap(), 190);
//! assert_eq!(heap.root_count(), 0);
//! # }
//! # run::<gcroots::Selected>();
//! ```

use core::fmt;
use core::marker::PhantomData;
use core::pin::Pin;

use crate::error::RootError;
use crate::heap::Heap;
use crate::reference::Ref;
use crate::root::root_failed;
use crate::roots::Roots;
use crate::scheme::Scheme;
use crate::scheme::sealed::Anchor;

/// What every vector root offers, under every scheme. Values go in as
/// [`Ref`]s (which carry their heap) and come out as `Ref`s of the heap
/// passed in. Each method with a `try_` twin panics where the twin returns
/// an error: the root is stale (its scope exited) or belongs to another
/// heap.
///
/// Sealed: the heap relies on every value a vector holds being current.
pub trait RootVec<S: Scheme>: sealed::Sealed {
    #[doc(hidden)]
    fn vec_ref(&self) -> S::VecRef<'_>;

    /// The number of values, or why the root cannot be used.
    fn try_len(&self, heap: &Heap<'_, S>) -> Result<usize, RootError> {
        S::vec_len(heap.root_set(), self.vec_ref())
    }

    /// The value at `index` (`None` if out of range), or why the root
    /// cannot be used.
    fn try_get<'h>(
        &self,
        heap: &'h Heap<'_, S>,
        index: usize,
    ) -> Result<Option<Ref<'h, S>>, RootError> {
        let gc = S::vec_get(heap.root_set(), self.vec_ref(), index)?;
        // SAFETY: a vector root of `heap`'s root set (the operation checked)
        // holds current objects: the collector rewrites every value.
        Ok(gc.map(|gc| unsafe { Ref::new(heap, gc) }))
    }

    /// Replaces the value at `index`: `Ok(false)`, and nothing changed, if
    /// `index` is out of range.
    fn try_set(&self, index: usize, value: Ref<'_, S>) -> Result<bool, RootError> {
        // SAFETY: `value` is a `Ref` of its heap: current for that heap's
        // root set, which the operation checks the vector belongs to.
        unsafe { S::vec_set(value.heap().root_set(), self.vec_ref(), index, value.gc()) }
    }

    /// Appends `value`.
    fn try_push(&self, value: Ref<'_, S>) -> Result<(), RootError> {
        // SAFETY: as in `try_set`.
        unsafe { S::vec_push(value.heap().root_set(), self.vec_ref(), value.gc()) }
    }

    /// Removes and returns the last value (`None` if empty).
    fn try_pop<'h>(&self, heap: &'h Heap<'_, S>) -> Result<Option<Ref<'h, S>>, RootError> {
        let gc = S::vec_pop(heap.root_set(), self.vec_ref())?;
        // SAFETY: as in `try_get`: the value was rooted until this call.
        Ok(gc.map(|gc| unsafe { Ref::new(heap, gc) }))
    }

    /// Removes every value.
    fn try_clear(&self, heap: &Heap<'_, S>) -> Result<(), RootError> {
        S::vec_clear(heap.root_set(), self.vec_ref())
    }

    /// The number of values.
    ///
    /// # Panics
    ///
    /// If the root is stale or of another heap ([`try_len`](Self::try_len)).
    #[track_caller]
    fn len(&self, heap: &Heap<'_, S>) -> usize {
        self.try_len(heap).unwrap_or_else(|e| root_failed(e))
    }

    /// Whether the vector is empty.
    ///
    /// # Panics
    ///
    /// As [`len`](Self::len).
    #[track_caller]
    fn is_empty(&self, heap: &Heap<'_, S>) -> bool {
        self.len(heap) == 0
    }

    /// The value at `index`, `None` if out of range.
    ///
    /// # Panics
    ///
    /// If the root is stale or of another heap ([`try_get`](Self::try_get)).
    #[track_caller]
    fn get<'h>(&self, heap: &'h Heap<'_, S>, index: usize) -> Option<Ref<'h, S>> {
        self.try_get(heap, index).unwrap_or_else(|e| root_failed(e))
    }

    /// Replaces the value at `index`.
    ///
    /// # Panics
    ///
    /// If `index` is out of range, or the root is stale or of another heap
    /// ([`try_set`](Self::try_set)).
    #[track_caller]
    fn set(&self, index: usize, value: Ref<'_, S>) {
        match self.try_set(index, value) {
            Ok(true) => {}
            Ok(false) => panic!("gcroots: index {index} out of range for a rooted vector"),
            Err(e) => root_failed(e),
        }
    }

    /// Appends `value`.
    ///
    /// # Panics
    ///
    /// If the root is stale or of another heap ([`try_push`](Self::try_push)).
    #[track_caller]
    fn push(&self, value: Ref<'_, S>) {
        if let Err(e) = self.try_push(value) {
            root_failed(e)
        }
    }

    /// Removes and returns the last value.
    ///
    /// # Panics
    ///
    /// If the root is stale or of another heap ([`try_pop`](Self::try_pop)).
    #[track_caller]
    fn pop<'h>(&self, heap: &'h Heap<'_, S>) -> Option<Ref<'h, S>> {
        self.try_pop(heap).unwrap_or_else(|e| root_failed(e))
    }

    /// Removes every value.
    ///
    /// # Panics
    ///
    /// If the root is stale or of another heap ([`try_clear`](Self::try_clear)).
    #[track_caller]
    fn clear(&self, heap: &Heap<'_, S>) {
        if let Err(e) = self.try_clear(heap) {
            root_failed(e)
        }
    }

    /// The values, first to last. Each is read when the iterator reaches
    /// it, so values pushed meanwhile are seen.
    ///
    /// # Panics
    ///
    /// As [`get`](Self::get), while iterating.
    fn iter<'a, 'h>(&'a self, heap: &'h Heap<'_, S>) -> Iter<'a, 'h, S, Self>
    where
        Self: Sized,
    {
        Iter {
            vec: self,
            heap,
            next: 0,
            _scheme: PhantomData,
        }
    }
}

/// The iterator of [`RootVec::iter`].
pub struct Iter<'a, 'h, S: Scheme, V: RootVec<S>> {
    vec: &'a V,
    heap: &'h Heap<'h, S>,
    next: usize,
    _scheme: PhantomData<S>,
}

impl<'h, S: Scheme, V: RootVec<S>> Iterator for Iter<'_, 'h, S, V> {
    type Item = Ref<'h, S>;

    #[track_caller]
    fn next(&mut self) -> Option<Ref<'h, S>> {
        let r = self.vec.get(self.heap, self.next)?;
        self.next += 1;
        Some(r)
    }
}

impl<S: Scheme, V: RootVec<S>> fmt::Debug for Iter<'_, '_, S, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter").field("next", &self.next).finish()
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A scoped vector root, made by [`root_vec!`](crate::root_vec): it ends
/// with its block (intrusive scheme) or its scope (indexed scheme), like a
/// [`Local`](crate::Local). `Copy`; borrows the slot the macro declared.
pub struct LocalVec<'s, S: Scheme> {
    repr: S::LocalVecRepr,
    _slot: PhantomData<&'s ()>,
}

impl<S: Scheme> Clone for LocalVec<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: Scheme> Copy for LocalVec<'_, S> {}

impl<S: Scheme> sealed::Sealed for LocalVec<'_, S> {}

impl<S: Scheme> RootVec<S> for LocalVec<'_, S> {
    #[inline(always)]
    fn vec_ref(&self) -> S::VecRef<'_> {
        // SAFETY: `self` is alive, so the slot it borrows is.
        unsafe { S::local_vec(&self.repr) }
    }
}

impl<S: Scheme> fmt::Debug for LocalVec<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalVec<{}>", S::NAME)
    }
}

/// A long-lived vector root, made by [`Heap::persist_vec`]: it lives until
/// it is dropped, like a [`Persistent`](crate::Persistent).
pub struct PersistentVec<'r, S: Scheme>(pub(crate) S::PersistentVecRepr<'r>);

impl<S: Scheme> sealed::Sealed for PersistentVec<'_, S> {}

impl<S: Scheme> RootVec<S> for PersistentVec<'_, S> {
    #[inline(always)]
    fn vec_ref(&self) -> S::VecRef<'_> {
        S::persistent_vec(&self.0)
    }
}

impl<V: sealed::Sealed + ?Sized> sealed::Sealed for &V {}

/// A reference to a vector root is a vector root, as a reference to a root
/// is a root: generic code can take `impl RootVec<S>` and be given `&v`.
impl<S: Scheme, V: RootVec<S> + ?Sized> RootVec<S> for &V {
    #[inline(always)]
    fn vec_ref(&self) -> S::VecRef<'_> {
        (**self).vec_ref()
    }
}

impl<S: Scheme> fmt::Debug for PersistentVec<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PersistentVec<{}>", S::NAME)
    }
}

/// Pinned storage for one scoped vector root. [`root_vec!`](crate::root_vec)
/// makes one in the current frame, where the caller cannot name it.
#[doc(hidden)]
pub struct VecSlot<'r, S: Scheme>(S::VecSlotRepr<'r>);

impl<S: Scheme> VecSlot<'_, S> {
    /// An empty slot.
    #[inline(always)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        VecSlot(Default::default())
    }
}

impl<S: Scheme> fmt::Debug for VecSlot<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VecSlot<{}>", S::NAME)
    }
}

/// Makes an empty vector root in `slot`. What [`root_vec!`](crate::root_vec)
/// expands to.
#[doc(hidden)]
#[inline]
pub fn __root_vec<'s, 'r: 's, S: Scheme>(
    roots: &'r Roots<S>,
    heap: &Heap<'_, S>,
    slot: Pin<&'s mut VecSlot<'r, S>>,
) -> LocalVec<'s, S> {
    assert!(
        roots.anchor.same(&heap.roots().anchor),
        "root_vec!: the roots and the heap do not belong together"
    );
    // SAFETY: `VecSlot` is a plain wrapper: the field is pinned exactly when
    // the slot is (it is never moved out, and `VecSlot` has no `Drop`).
    let inner = unsafe { slot.map_unchecked_mut(|s| &mut s.0) };
    LocalVec {
        repr: S::root_vec(roots.with(heap), inner),
        _slot: PhantomData,
    }
}

/// Makes an empty scoped vector root and binds it to a name, under any
/// scheme: `root_vec!(heap, let name);` binds `name` to a [`LocalVec`]
/// (see [`RootVec`] for what it does). `heap` may be a [`Heap`], a `&mut
/// Heap` or a [`Scope`](crate::Scope).
///
/// As with [`root!`](crate::root), the root ends with its block under the
/// intrusive scheme and with the innermost [`Scope`](crate::Scope) under
/// the indexed one.
#[macro_export]
macro_rules! root_vec {
    ($heap:expr, let $name:ident $(,)?) => {
        let __gcroots_roots = $heap.roots();
        let __gcroots_slot = ::core::pin::pin!($crate::__private::VecSlot::new());
        let $name = $crate::__private::__root_vec(__gcroots_roots, &$heap, __gcroots_slot);
    };
}
