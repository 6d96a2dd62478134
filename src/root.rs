//! [`Root`]: what every root offers, under every scheme; the root handles
//! [`Local`] and [`Persistent`]; and the [`root!`](crate::root) macro.
//!
//! Code written against these runs unchanged under either scheme. A value
//! rooted in a loop gets a scope of its own per iteration, so that it ends
//! with the iteration under both schemes (the intrusive scheme ends a
//! stack root with its block; the indexed scheme keeps a scoped root until
//! its scope exits):
//!
//! ```
//! use gcroots::{root, AllocError, Heap, Root, Scheme, Shape};
//!
//! /// Builds the list n, n-1, ..., 1 and returns the sum of its data.
//! fn sum_list<S: Scheme>(heap: &mut Heap<'_, S>, n: u64) -> Result<u64, AllocError> {
//!     let mut scope = heap.scope();
//!     root!(scope, let list = scope.alloc(Shape::new(1, 8))?); // a sentinel
//!     for i in 1..=n {
//!         let mut inner = scope.scope(); // one scope per iteration
//!         root!(inner, let cell = inner.alloc(Shape::new(1, 8))?);
//!         let c = inner.get(&cell);
//!         c.write_u64(0, i);
//!         c.set_field(0, Some(inner.get(&list)));
//!         list.set(c);
//!     }
//!     let (mut sum, mut at) = (0, Some(scope.get(&list)));
//!     while let Some(cell) = at {
//!         sum += cell.read_u64(0);
//!         at = cell.field(0);
//!     }
//!     Ok(sum)
//! }
//!
//! # fn run<S: Scheme>() {
//! let roots = gcroots::Roots::<S>::new();
//! let mut heap = Heap::new(&roots, gcroots::Config::zeal()).unwrap();
//! assert_eq!(sum_list(&mut heap, 50).unwrap(), 50 * 51 / 2);
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
use crate::roots::Roots;
use crate::scheme::Scheme;
use crate::scheme::sealed::Anchor;

/// A rooted reference to an object: the collector keeps its object alive
/// and the root up to date when objects move.
///
/// Implemented by [`Local`] (stack or scoped roots, made by
/// [`root!`](crate::root)) and [`Persistent`] (long-lived roots, made by
/// [`Heap::persist`]). Sealed: the heap relies on every root holding a
/// current object.
pub trait Root<S: Scheme>: sealed_root::Sealed<S> {
    /// The object the root holds, or why it cannot be read: the root is
    /// stale (its scope exited) or belongs to another heap.
    fn try_get<'h>(&self, heap: &'h Heap<'_, S>) -> Result<Ref<'h, S>, RootError>;

    /// Makes the root hold `value` (an object of the root's own heap).
    fn try_set(&self, value: Ref<'_, S>) -> Result<(), RootError>;

    /// The object the root holds.
    ///
    /// # Panics
    ///
    /// If the root is stale or belongs to another heap; the message says
    /// which. [`try_get`](Self::try_get) returns the error instead.
    #[inline(always)]
    #[track_caller]
    fn get<'h>(&self, heap: &'h Heap<'_, S>) -> Ref<'h, S> {
        match self.try_get(heap) {
            Ok(r) => r,
            Err(e) => root_failed(e),
        }
    }

    /// Makes the root hold `value`.
    ///
    /// # Panics
    ///
    /// As [`get`](Self::get); [`try_set`](Self::try_set) returns the error
    /// instead.
    #[inline(always)]
    #[track_caller]
    fn set(&self, value: Ref<'_, S>) {
        if let Err(e) = self.try_set(value) {
            root_failed(e)
        }
    }
}

/// Panics with the message of a failed root operation.
#[cold]
#[inline(never)]
#[track_caller]
pub(crate) fn root_failed(e: RootError) -> ! {
    panic!("gcroots: {e}")
}

pub(crate) mod sealed_root {
    pub trait Sealed<S> {}
}

impl<R: Root<S> + ?Sized, S: Scheme> sealed_root::Sealed<S> for &R {}

/// A reference to a root is a root: roots of different kinds can then be
/// listed together, as `&[&dyn Root<S>]` or in a tuple.
impl<R: Root<S> + ?Sized, S: Scheme> Root<S> for &R {
    #[inline(always)]
    fn try_get<'h>(&self, heap: &'h Heap<'_, S>) -> Result<Ref<'h, S>, RootError> {
        (**self).try_get(heap)
    }

    #[inline(always)]
    fn try_set(&self, value: Ref<'_, S>) -> Result<(), RootError> {
        (**self).try_set(value)
    }
}

/// A stack root (intrusive scheme) or scoped root (indexed scheme), made by
/// [`root!`](crate::root). `Copy`, and covariant in `'s`, so that roots of
/// different frames can be used together.
///
/// It borrows (for `'s`) the slot that `root!` declared in the current
/// frame, so it cannot escape that frame. Under the intrusive scheme the
/// slot holds the pinned node and the `Local` points to it (1 word,
/// `!Send`). Under the indexed scheme it is a handle into the heap's table,
/// valid until the innermost scope at its creation exits (16 bytes, `Send +
/// Sync`; [`detach`](Local::detach) drops the borrow).
pub struct Local<'s, S: Scheme> {
    pub(crate) repr: S::LocalRepr,
    _slot: PhantomData<&'s ()>,
}

impl<S: Scheme> Local<'_, S> {
    #[inline(always)]
    pub(crate) fn new(repr: S::LocalRepr) -> Self {
        Local {
            repr,
            _slot: PhantomData,
        }
    }
}

#[cfg(feature = "indexed")]
impl Local<'_, crate::Indexed> {
    /// The same handle without the borrow of the frame that made it.
    ///
    /// [`root!`](crate::root) ties every [`Local`] to its frame, so that code
    /// generic over the scheme is correct under both. Under the indexed
    /// scheme a scoped root is a plain index: detached, it is `'static`,
    /// `Send` and `Sync`, and can be stored or sent anywhere, as Wasmtime's
    /// `Rooted<T>`. It stays valid until its scope exits; using it
    /// afterwards is a [`RootError::Stale`], never a wrong object.
    #[inline(always)]
    pub fn detach(self) -> Local<'static, crate::Indexed> {
        Local::new(self.repr)
    }
}

impl<S: Scheme> Clone for Local<'_, S> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: Scheme> Copy for Local<'_, S> {}

impl<S: Scheme> sealed_root::Sealed<S> for Local<'_, S> {}

impl<S: Scheme> Root<S> for Local<'_, S> {
    #[inline(always)]
    fn try_get<'h>(&self, heap: &'h Heap<'_, S>) -> Result<Ref<'h, S>, RootError> {
        // SAFETY: `self` is alive, so the slot it borrows is.
        let gc = unsafe { S::load(heap.root_set(), &self.repr)? };
        // SAFETY: `load` succeeded, so the root belongs to `heap`'s root set,
        // whose every root holds a current object.
        Ok(unsafe { Ref::new(heap, gc) })
    }

    #[inline(always)]
    fn try_set(&self, value: Ref<'_, S>) -> Result<(), RootError> {
        // SAFETY: `self` is alive, so the slot it borrows is; `value` is a
        // `Ref` of its heap, so its object is current for the root set it is
        // stored into (`store` checks the root belongs to that set).
        unsafe { S::store(value.heap().root_set(), &self.repr, value.gc()) }
    }
}

impl<S: Scheme> fmt::Debug for Local<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Local<{}>", S::NAME)
    }
}

/// A long-lived root, made by [`Heap::persist`] or [`Roots::persist`]. It
/// unroots itself when dropped, under every scheme; [`Heap::release`] does
/// it at once and says whether it was a root of that heap.
///
/// Under the intrusive scheme it is a pointer to a slot of the root list's
/// pool (two words, `!Send`), freed when dropped. Under the indexed scheme
/// it is an owned root (Wasmtime's `OwnedRooted`, 16 bytes, `Send + Sync`):
/// dropping it needs no heap and may happen on any thread, and the heap
/// reclaims its slot before its next collection, so a dropped root is never
/// traced.
///
/// A `Persistent` can be kept anywhere the borrow of the [`Roots`] allows:
/// in the embedder's own structs, in collections, across `?` (an early
/// return drops it, and so unroots it). A second root of the same object
/// is `heap.persist(heap.get(&p))`. It is not `Clone` in code generic over
/// the scheme, because the schemes would clone differently: under the
/// indexed scheme a clone shares the slot (Wasmtime's `OwnedRooted`: a
/// [`set`](Root::set) through one is seen through the other), which
/// `Persistent<Indexed>` and `Persistent<Hybrid>` offer as `Clone`.
///
/// `repr(transparent)`: under the indexed and hybrid schemes it is an
/// owned root, whose layout `gcroots_indexed::layout` gives (the C API's
/// inline clone and unroot rely on it).
#[repr(transparent)]
pub struct Persistent<'r, S: Scheme>(pub(crate) S::PersistentRepr<'r>);

/// `Clone` and `is_rooted` for the schemes whose long-lived roots are
/// owned roots of the indexed crate's table.
macro_rules! owned_persistent {
    ($($(#[$cfg:meta])* $scheme:ty;)*) => {$(
        $(#[$cfg])*
        impl Clone for Persistent<'_, $scheme> {
            /// Another handle to the same root (Wasmtime's
            /// `OwnedRooted::clone`): the object stays rooted until every
            /// clone is dropped, and a [`set`](Root::set) through one is
            /// seen through the others.
            fn clone(&self) -> Self {
                Persistent(self.0.clone())
            }
        }

        $(#[$cfg])*
        impl Persistent<'_, $scheme> {
            /// Whether this handle still roots its object: always, for a
            /// handle safe Rust holds. False only for a copy of a handle's
            /// bytes (made by C, or `unsafe` code) once it or its twin was
            /// dropped: the count of handles does not know such a copy, so
            /// the first of the two drops unrooted the object, and the
            /// other handle reads as [`RootError::Unrooted`]. Needs no
            /// heap.
            pub fn is_rooted(&self) -> bool {
                self.0.is_live()
            }
        }
    )*};
}

owned_persistent! {
    #[cfg(feature = "indexed")] crate::Indexed;
    #[cfg(feature = "hybrid")] crate::Hybrid;
    #[cfg(all(feature = "conservative", not(miri)))] crate::Conservative;
}

impl<S: Scheme> sealed_root::Sealed<S> for Persistent<'_, S> {}

impl<S: Scheme> Root<S> for Persistent<'_, S> {
    #[inline(always)]
    fn try_get<'h>(&self, heap: &'h Heap<'_, S>) -> Result<Ref<'h, S>, RootError> {
        let gc = S::load_persistent(heap.root_set(), &self.0)?;
        // SAFETY: as for `Local::try_get`.
        Ok(unsafe { Ref::new(heap, gc) })
    }

    #[inline(always)]
    fn try_set(&self, value: Ref<'_, S>) -> Result<(), RootError> {
        // SAFETY: as for `Local::try_set`.
        unsafe { S::store_persistent(value.heap().root_set(), &self.0, value.gc()) }
    }
}

impl<S: Scheme> fmt::Debug for Persistent<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Persistent<{}>", S::NAME)
    }
}

impl<S: Scheme> sealed_root::Sealed<S> for crate::Pinned {}

/// A pin is a root under every scheme: it reads its object; it cannot be
/// set to another one ([`RootError::Pinned`]).
impl<S: Scheme> Root<S> for crate::Pinned {
    #[inline]
    fn try_get<'h>(&self, heap: &'h Heap<'_, S>) -> Result<Ref<'h, S>, RootError> {
        heap.get_pinned(self)
    }

    fn try_set(&self, _value: Ref<'_, S>) -> Result<(), RootError> {
        Err(RootError::Pinned)
    }
}

/// Pinned storage for one stack root. [`root!`](crate::root) makes one in
/// the current frame, where the caller cannot name it; the intrusive scheme
/// keeps its node there, the indexed scheme keeps nothing.
#[doc(hidden)]
pub struct Slot<'r, S: Scheme>(S::SlotRepr<'r>);

impl<S: Scheme> fmt::Debug for Slot<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Slot<{}>", S::NAME)
    }
}

impl<S: Scheme> Slot<'_, S> {
    /// An empty slot.
    #[inline(always)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Slot(Default::default())
    }
}

/// Roots `value` in `slot`. What [`root!`](crate::root) expands to; `roots`
/// must be the root set of the heap `value` belongs to.
///
/// # Panics
///
/// If `value` belongs to another heap than `roots` (the intrusive scheme
/// checks; under the indexed scheme the root goes to `value`'s heap, whose
/// id it carries).
#[doc(hidden)]
#[inline(always)]
#[track_caller]
pub fn __root<'s, 'r: 's, S: Scheme>(
    roots: &'r Roots<S>,
    slot: Pin<&'s mut Slot<'r, S>>,
    value: Ref<'_, S>,
) -> Local<'s, S> {
    let heap = value.heap();
    assert!(
        roots.anchor.same(&heap.roots().anchor),
        "root!: the value belongs to another heap than the one named"
    );
    // SAFETY: `Slot` is a plain wrapper: the field is pinned exactly when the
    // slot is (it is never moved out, and `Slot` has no `Drop`).
    let inner = unsafe { slot.map_unchecked_mut(|s| &mut s.0) };
    // SAFETY: `value` is a `Ref` of `heap`, whose root set is `roots` (checked
    // above, or the scheme roots into `heap`'s own table): its object is
    // current for that set. The `Local` borrows the slot for `'s`, as long as
    // the representation is valid.
    Local::new(unsafe { S::root(roots.with(heap), inner, value.gc()) })
}

/// Roots a value and binds the root to a name, under any scheme.
///
/// `root!(heap, let name = value);` evaluates `value` (a [`Ref`] of
/// `heap`, typically from [`Heap::alloc`] or [`Ref::field`]), roots it, and
/// binds `name` to a [`Local`]. `heap` may be a [`Heap`], a `&mut Heap` or a
/// [`Scope`](crate::Scope).
///
/// Under the intrusive scheme the root is a node pinned in storage that the
/// macro declares in the current block and the caller cannot name, so it
/// can neither move nor be forgotten, and it unlinks itself when the block
/// ends. Under the indexed scheme the value is pushed on the heap's scope
/// table and lives until the innermost [`Scope`](crate::Scope) exits. Code
/// that must behave the same under both opens a scope in each frame, and
/// in each loop iteration or branch that roots (see the module example);
/// [`audit`](crate::audit) finds the places where it does not.
///
/// ```
/// # use gcroots::{root, Heap, Roots, Shape, Selected};
/// let roots = Roots::<Selected>::new();
/// let mut heap = Heap::new(&roots, Default::default()).unwrap();
/// root!(heap, let pair = heap.alloc(Shape::new(2, 0)).unwrap());
/// heap.collect(); // `pair` follows its object
/// assert_eq!(heap.get(&pair).shape(), Shape::new(2, 0));
/// ```
///
/// # Errors from the compiler
///
/// A [`Local`] borrows storage that the macro declares in the current
/// block, so it cannot be used after the block ends. Keeping one longer,
/// for instance pushing it into a `Vec` declared outside a loop, is refused
/// with *error\[E0716\]: temporary value dropped while borrowed* at the
/// `root!` line, followed by where the block ends and where the root is
/// used later (`tests/ui/local_pushed_into_a_vec.rs`). The compiler's hint
/// to use a `let` binding does not apply: the temporary is the macro's.
/// To keep a variable number of values, root them in one vector root
/// ([`root_vec!`](crate::root_vec), or [`Heap::persist_vec`]) or make each
/// a [`Persistent`].
#[macro_export]
macro_rules! root {
    ($heap:expr, let $name:ident = $value:expr $(,)?) => {
        let __gcroots_roots = $heap.roots();
        let __gcroots_slot = ::core::pin::pin!($crate::__private::Slot::new());
        let $name = $crate::__private::__root(__gcroots_roots, __gcroots_slot, $value);
    };
}
