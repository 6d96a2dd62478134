//! [`Scope`]: where the indexed scheme's scoped roots end.

use core::mem;
use core::ops::{Deref, DerefMut};
use core::ptr;

use crate::heap::Heap;
use crate::reference::Ref;
use crate::root::Root;
use crate::scheme::Scheme;

/// A scope: borrows the heap mutably, dereferences to it, and on drop
/// releases the scoped roots made inside it (indexed scheme) or does
/// nothing (intrusive scheme). Scopes nest by construction.
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
    /// As [`Root::get`], if `root` is stale or of another heap.
    #[inline]
    #[track_caller]
    pub fn escape<R: Root<S>>(self, root: &R) -> Ref<'a, S> {
        let gc = root.get(self.heap).gc();
        let this = mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so moving the
        // `&mut` out of it is a move, not a copy.
        let heap: &'a mut Heap<'r, S> = unsafe { ptr::read(&this.heap) };
        S::exit(heap.root_set(), this.mark);
        let heap: &'a Heap<'r, S> = heap;
        // SAFETY: `gc` was current when read above, and nothing has
        // allocated or collected since.
        unsafe { Ref::new(heap, gc) }
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
