//! [`Scope`]: where the indexed scheme's scoped roots end.

use core::mem;
use core::ops::{Deref, DerefMut};
use core::ptr;

use crate::error::RootError;
use crate::heap::Heap;
use crate::reference::Ref;
use crate::root::Root;
use crate::scheme::Scheme;

/// A scope: borrows the heap mutably, dereferences to it, and on drop
/// releases the scoped roots and vectors made inside it (indexed scheme)
/// or does nothing (intrusive scheme, whose stack roots end with their
/// block). Scopes nest by construction.
///
/// Dropping a scope never panics. Swapping the heap behind it
/// (`mem::swap(&mut *scope, &mut other)`) compiles: the scope's drop then
/// meets a heap whose table did not issue its mark, and releases nothing;
/// the roots it could not release stay alive, and counted, until a scope
/// of their own heap exits (or the heap is dropped). Under the intrusive
/// scheme a scope holds nothing to release.
pub struct Scope<'a, 'r, S: Scheme> {
    heap: &'a mut Heap<'r, S>,
    mark: S::Mark,
}

impl<'a, 'r, S: Scheme> Scope<'a, 'r, S> {
    /// Enters a scope on `heap` (what [`Heap::scope`] does).
    #[inline]
    pub(crate) fn enter(heap: &'a mut Heap<'r, S>) -> Self {
        let mark = S::enter(heap.root_set());
        Scope { heap, mark }
    }

    /// Exits the scope and returns the object `root` holds, as an unrooted
    /// reference on the enclosing heap: how a function that builds an object
    /// under its own scope returns it (V8's `EscapableHandleScope::Escape`).
    /// The caller roots it before its next allocation.
    ///
    /// ```
    /// # use gcroots::{root, AllocError, Heap, Ref, Scheme, Shape};
    /// fn pair<'h, S: Scheme>(heap: &'h mut Heap<'_, S>) -> Result<Ref<'h, S>, AllocError> {
    ///     let mut scope = heap.scope();
    ///     root!(scope, let a = scope.alloc(Shape::new(0, 8))?);
    ///     root!(scope, let b = scope.alloc(Shape::new(0, 8))?);
    ///     root!(scope, let p = scope.alloc_with(Shape::new(2, 0), &[a, b])?);
    ///     Ok(scope.escape(&p))
    /// }
    /// # let roots = gcroots::Roots::<gcroots::Selected>::new();
    /// # let mut heap = Heap::new(&roots, gcroots::Config::zeal()).unwrap();
    /// root!(heap, let p = pair(&mut heap).unwrap());
    /// assert!(heap.get(&p).field(1).is_some());
    /// ```
    ///
    /// # Panics
    ///
    /// As [`Root::get`], if `root` is stale or of another heap (for
    /// instance after the heap behind the scope was swapped);
    /// [`try_escape`](Self::try_escape) returns the error instead. The
    /// scope is exited either way.
    #[inline]
    #[track_caller]
    pub fn escape<R: Root<S>>(self, root: &R) -> Ref<'a, S> {
        match self.try_escape(root) {
            Ok(r) => r,
            Err(e) => crate::root::root_failed(e),
        }
    }

    /// As [`escape`](Self::escape), but a stale root or a root of another
    /// heap is an error; the scope is exited either way.
    #[inline]
    pub fn try_escape<R: Root<S>>(self, root: &R) -> Result<Ref<'a, S>, RootError> {
        // On an error, `self` drops here, which exits the scope.
        let gc = root.try_get(self.heap)?.gc();
        let this = mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so moving the
        // `&mut` out of it is a move, not a copy.
        let heap: &'a mut Heap<'r, S> = unsafe { ptr::read(&this.heap) };
        S::exit(heap.root_set(), this.mark);
        let heap: &'a Heap<'r, S> = heap;
        // SAFETY: `gc` was current when read above, and nothing has
        // allocated or collected since.
        Ok(unsafe { Ref::new(heap, gc) })
    }
}

impl<S: Scheme> core::fmt::Debug for Scope<'_, '_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Scope").field("heap", &self.heap).finish()
    }
}

impl<'r, S: Scheme> Deref for Scope<'_, 'r, S> {
    type Target = Heap<'r, S>;
    #[inline(always)]
    fn deref(&self) -> &Heap<'r, S> {
        self.heap
    }
}

impl<'r, S: Scheme> DerefMut for Scope<'_, 'r, S> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut Heap<'r, S> {
        self.heap
    }
}

impl<S: Scheme> Drop for Scope<'_, '_, S> {
    #[inline(always)]
    fn drop(&mut self) {
        S::exit(self.heap.root_set(), self.mark);
    }
}
