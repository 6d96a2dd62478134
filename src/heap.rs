//! [`Heap`]: bump allocation in one semispace, a Cheney collection into the
//! other, and the root set of one scheme.
//!
//! # Borrows, and why they make unrooted references safe
//!
//! Allocation and collection take `&mut Heap`. Everything that reads or
//! writes objects takes `&Heap` and hands out [`Ref`]s that borrow it. So a
//! `Ref` (an unrooted reference) can never be alive across anything that
//! may move objects: the borrow checker refuses the program. To keep an
//! object across an allocation, root it.
//!
//! # Growth policy
//!
//! A heap has two semispaces of equal size, starting at
//! [`Config::initial_bytes`] each. After a collection, if the live bytes
//! exceed [`Config::grow_percent`] of a semispace, the next collection
//! copies into semispaces twice the size (never over
//! [`Config::max_bytes`]). If an allocation still does not fit after a
//! collection, the heap grows at once to at least twice its size or what
//! the allocation needs, with a second collection into the larger space.
//! When the live data plus the allocation would exceed `max_bytes`, the
//! allocation returns [`AllocError::OutOfMemory`]; the heap and its roots
//! are intact and usable. The heap never shrinks. The memory it holds is
//! two semispaces, so up to twice `max_bytes` (three times, briefly, while
//! growing).

use core::cell::Cell;
use core::marker::PhantomData;
use core::mem;
use core::ptr;
use std::time::Instant;

use crate::collector;
use crate::config::Config;
use crate::error::{AllocError, HeapError, RootError};
use crate::fields::Fields;
use crate::object::{Gc, Header, Shape, WORD};
use crate::reference::Ref;
use crate::root::{Persistent, Root};
use crate::roots::Roots;
use crate::scheme::sealed::Anchor;
use crate::scheme::{RootSetMut, RootSetRef, Scheme};
use crate::scope::Scope;
use crate::space::Space;
use crate::stats::Stats;
use crate::vec::PersistentVec;
use crate::verify;

/// A garbage-collected heap with a moving (Cheney semispace) collector,
/// rooted by scheme `S`.
///
/// `'r` is the borrow of the [`Roots`] the heap was made with; roots of the
/// intrusive scheme borrow them too. The heap is `Send` when the scheme
/// allows it (indexed) and never `Sync`.
pub struct Heap<'r, S: Scheme> {
    roots: &'r Roots<S>,
    table: S::Table,
    /// The semispace objects are allocated in. Invariant: words
    /// `0..top` are a sequence of well-formed objects, every reference in
    /// them and every root points at one of them.
    space: Space,
    /// The other semispace, the same size as `space` and holding nothing
    /// live (poisoned if `config.poison`).
    spare: Space,
    /// Words of `space` in use.
    top: usize,
    /// The semispace size the growth policy asks for at the next collection.
    target_words: usize,
    max_words: usize,
    config: Config,
    stats: Stats,
    /// The root count at each allocation, when an audit asks for it
    /// ([`audit`](crate::audit)).
    root_log: Option<Vec<usize>>,
    /// Whether every allocation takes the slow path: `config.stress`, or a
    /// root log. One flag, so that the fast path tests one thing.
    slow_alloc: bool,
    /// Objects are written through `&Heap`: never `Sync`.
    _not_sync: PhantomData<Cell<()>>,
}

impl<'r, S: Scheme> Heap<'r, S> {
    /// A heap whose root set is `roots`.
    ///
    /// Fails if `roots` already serve a heap (even one since dropped), if
    /// the configuration is inconsistent, or if the system allocator refuses
    /// the semispaces.
    pub fn new(roots: &'r Roots<S>, config: Config) -> Result<Self, HeapError> {
        let (initial, max_words) = config.validate()?;
        // `validate` keeps `initial <= max_words <= usize::MAX / WORD`.
        let system = || HeapError::System {
            bytes: initial * WORD,
        };
        let space = Space::new(initial).ok_or_else(system)?;
        let spare = Space::new(initial).ok_or_else(system)?;
        if !roots.anchor.claim() {
            return Err(HeapError::RootsInUse);
        }
        Ok(Heap {
            roots,
            table: S::new_table(),
            space,
            spare,
            top: 0,
            target_words: initial,
            max_words,
            slow_alloc: config.stress,
            config,
            stats: Stats::default(),
            root_log: None,
            _not_sync: PhantomData,
        })
    }

    /// Allocates an object of the given shape: reference fields empty, data
    /// zeroed. May collect first, which moves every object (roots follow).
    ///
    /// The result is unrooted: root it (with [`root!`](crate::root)) before
    /// the next allocation.
    #[inline]
    pub fn alloc(&mut self, shape: Shape) -> Result<Ref<'_, S>, AllocError> {
        let gc = self.alloc_gc(shape)?;
        // SAFETY: `gc` is the object just allocated in the current space.
        Ok(unsafe { Ref::new(self, gc) })
    }

    /// Allocates an object whose first fields are set from `fields`, which
    /// are rooted because the allocation may move them (as WebAssembly's
    /// `struct.new` takes its operands): a slice or array of roots of one
    /// kind (`&[a, b]`), or a tuple of roots of any kinds (`&(local,
    /// &persistent)`).
    ///
    /// ```
    /// # use gcroots::{root, Heap, Roots, Selected, Shape};
    /// # let roots = Roots::<Selected>::new();
    /// # let mut heap = Heap::new(&roots, gcroots::Config::zeal()).unwrap();
    /// let global = heap.roots().persist(heap.alloc(Shape::new(0, 8)).unwrap());
    /// root!(heap, let local = heap.alloc(Shape::new(0, 8)).unwrap());
    /// root!(heap, let pair = heap.alloc_with(Shape::new(2, 0), &(local, &global)).unwrap());
    /// assert_eq!(heap.get(&pair).field(1), Some(heap.get(&global)));
    /// ```
    ///
    /// # Panics
    ///
    /// If `fields` has more roots than `shape.fields()`, or (see
    /// [`Root::get`]) if one of them is stale or of another heap. Nothing is
    /// allocated then.
    pub fn alloc_with<F: Fields<S> + ?Sized>(
        &mut self,
        shape: Shape,
        fields: &F,
    ) -> Result<Ref<'_, S>, AllocError> {
        assert!(
            fields.count() <= shape.fields(),
            "alloc_with: {} initial fields given for an object with {} fields",
            fields.count(),
            shape.fields()
        );
        fields.check(self);
        let gc = self.alloc_gc(shape)?;
        let heap: &Self = self;
        // SAFETY: `gc` is the object just allocated in the current space.
        let obj = unsafe { Ref::new(heap, gc) };
        fields.write(heap, obj);
        Ok(obj)
    }

    /// Allocates an object and runs `init` on it before anything else can
    /// allocate: `init` gets the heap (to read any roots) and the new
    /// object (to set its fields and data). The way to fill an object from
    /// roots of several kinds, or from data, in one step.
    ///
    /// ```
    /// # use gcroots::{root, Heap, Roots, Selected, Shape};
    /// # let roots = Roots::<Selected>::new();
    /// # let mut heap = Heap::new(&roots, gcroots::Config::zeal()).unwrap();
    /// let name = heap.roots().persist(heap.alloc(Shape::new(0, 8)).unwrap());
    /// root!(heap, let value = heap.alloc(Shape::new(0, 8)).unwrap());
    /// let binding = heap
    ///     .alloc_init(Shape::new(2, 8), |heap, b| {
    ///         b.set_field(0, Some(heap.get(&name)));
    ///         b.set_field(1, Some(heap.get(&value)));
    ///         b.write_u64(0, 42);
    ///     })
    ///     .unwrap();
    /// assert_eq!(binding.read_u64(0), 42);
    /// ```
    pub fn alloc_init(
        &mut self,
        shape: Shape,
        init: impl FnOnce(&Heap<'r, S>, Ref<'_, S>),
    ) -> Result<Ref<'_, S>, AllocError> {
        let gc = self.alloc_gc(shape)?;
        let heap: &Self = self;
        // SAFETY: `gc` is the object just allocated in the current space;
        // `init` only gets shared borrows of the heap, so nothing can move it
        // before it is returned.
        let obj = unsafe { Ref::new(heap, gc) };
        init(heap, obj);
        Ok(obj)
    }

    #[inline(always)]
    fn alloc_gc(&mut self, shape: Shape) -> Result<Gc, AllocError> {
        let words = match shape.words() {
            Some(w) if w <= self.max_words => w,
            _ => {
                return Err(AllocError::TooLarge {
                    requested: shape.size_bytes(),
                    limit: self.limit_bytes(),
                });
            }
        };
        if self.slow_alloc || self.space.words() - self.top < words {
            self.alloc_slow(words)?;
        }
        let addr = self.space.addr_of(self.top);
        self.top += words;
        let p = self.space.at(addr);
        // SAFETY: words `top - words .. top` are inside `space` (checked
        // above or by `make_room`) and hold nothing live: write a header and
        // zero the rest.
        unsafe {
            p.write(Header::encode(shape));
            p.add(1).write_bytes(0, words - 1);
        }
        self.stats.objects_allocated += 1;
        self.stats.bytes_allocated += (words * WORD) as u64;
        Ok(Gc::from_addr(addr))
    }

    /// Logs the root count if asked, then collects (always in stress mode;
    /// otherwise if `words` do not fit) and grows if they still do not.
    #[cold]
    #[inline(never)]
    fn alloc_slow(&mut self, words: usize) -> Result<(), AllocError> {
        if self.root_log.is_some() {
            let count = self.root_count();
            if let Some(log) = &mut self.root_log {
                log.push(count);
            }
        }
        if self.config.stress || self.space.words() - self.top < words {
            self.make_room(words)?;
        }
        Ok(())
    }

    fn make_room(&mut self, words: usize) -> Result<(), AllocError> {
        self.collect();
        if self.space.words() - self.top >= words {
            return Ok(());
        }
        // `top <= space words <= max_words <= usize::MAX / WORD` and
        // `words <= max_words`: neither this sum nor the products below
        // overflow.
        let need = self.top + words;
        if need > self.max_words {
            return Err(AllocError::OutOfMemory {
                requested: words * WORD,
                live: self.top * WORD,
                limit: self.limit_bytes(),
            });
        }
        let target = need
            .max(self.space.words().saturating_mul(2))
            .min(self.max_words);
        self.grow(target)
    }

    /// Runs a collection now: copies every object reachable from the roots
    /// into the other semispace (growing it first if the policy asks) and
    /// rewrites the roots.
    pub fn collect(&mut self) {
        if self.target_words > self.space.words() && self.grow(self.target_words).is_ok() {
            return;
        }
        // Same size: evacuate into the spare, which becomes the space.
        mem::swap(&mut self.space, &mut self.spare);
        self.evacuate_from_spare();
    }

    /// Collects into two fresh semispaces of `words` words.
    fn grow(&mut self, words: usize) -> Result<(), AllocError> {
        let system = AllocError::System {
            bytes: words * WORD,
        };
        let to = Space::new(words).ok_or(system)?;
        let spare = Space::new(words).ok_or(system)?;
        self.spare = mem::replace(&mut self.space, to);
        self.evacuate_from_spare();
        // The old semispaces are freed, not poisoned.
        self.spare = spare;
        Ok(())
    }

    /// The collection proper: `spare` holds the objects, `space` is empty.
    fn evacuate_from_spare(&mut self) {
        let start = Instant::now();
        let roots = &self.roots.anchor;
        let set = RootSetMut {
            anchor: roots,
            table: &mut self.table,
        };
        let outcome = collector::evacuate::<S>(set, &self.spare, &self.space);
        self.top = outcome.top;
        if self.config.verify {
            let set = RootSetMut {
                anchor: roots,
                table: &mut self.table,
            };
            verify::verify::<S>(set, &self.space, self.top);
        }
        if self.config.poison {
            self.spare.poison();
        }
        // In u128: `words * 100` may not fit a u64 when the limit is near
        // `usize::MAX`.
        let live = self.top as u128;
        if live * 100 > self.space.words() as u128 * u128::from(self.config.grow_percent) {
            self.target_words = self.space.words().saturating_mul(2).min(self.max_words);
        }
        let live = self.top as u64;
        let s = &mut self.stats;
        s.collections += 1;
        s.objects_copied += outcome.objects;
        s.bytes_copied += live * WORD as u64;
        s.roots_scanned += outcome.roots;
        s.live_bytes_after_gc = self.top * WORD;
        s.gc_time += start.elapsed();
    }

    /// Enters a scope. Under the indexed scheme, the scoped roots made while
    /// the scope is alive are released when it is dropped; under the
    /// intrusive scheme a scope costs nothing (stack roots end with their
    /// block). The scope dereferences to the heap.
    #[inline]
    pub fn scope(&mut self) -> Scope<'_, 'r, S> {
        Scope::enter(self)
    }

    /// The object `root` holds.
    ///
    /// # Panics
    ///
    /// If the root is stale or belongs to another heap; the message says
    /// which. [`try_get`](Self::try_get) returns the error instead.
    #[inline(always)]
    pub fn get<R: Root<S>>(&self, root: &R) -> Ref<'_, S> {
        root.get(self)
    }

    /// The object `root` holds, or why it cannot be read.
    #[inline(always)]
    pub fn try_get<R: Root<S>>(&self, root: &R) -> Result<Ref<'_, S>, RootError> {
        root.try_get(self)
    }

    /// Whether two roots hold the same object.
    pub fn same<A: Root<S>, B: Root<S>>(&self, a: &A, b: &B) -> bool {
        a.get(self) == b.get(self)
    }

    /// A long-lived root holding `value`; it unroots itself when dropped
    /// (see [`Persistent`]).
    ///
    /// # Panics
    ///
    /// If `value` belongs to another heap.
    pub fn persist(&self, value: Ref<'_, S>) -> Persistent<'r, S> {
        assert!(
            value.is_in(self),
            "persist: the value belongs to another heap"
        );
        self.roots.persist(value)
    }

    /// Ends a long-lived root now. Dropping it does too; `release` also
    /// says whether it was a root of this heap (`WrongHeap` otherwise, and
    /// the root is ended all the same, in its own heap).
    pub fn release(&self, root: Persistent<'_, S>) -> Result<(), RootError> {
        S::release(self.root_set(), root.0)
    }

    /// An empty long-lived vector root (see [`PersistentVec`]).
    pub fn persist_vec(&self) -> PersistentVec<'r, S> {
        PersistentVec(S::persist_vec(self.root_set()))
    }

    /// Counters and sizes.
    pub fn stats(&self) -> Stats {
        Stats {
            capacity_bytes: self.space.words() * WORD,
            used_bytes: self.top * WORD,
            ..self.stats.clone()
        }
    }

    /// The configuration the heap was made with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Bytes in use: live after the last collection plus allocated since.
    pub fn used_bytes(&self) -> usize {
        self.top * WORD
    }

    /// The limit on live data, in bytes: [`Config::max_bytes`] rounded
    /// down to a whole number of words.
    pub fn limit_bytes(&self) -> usize {
        self.max_words * WORD
    }

    /// How many roots are alive (all kinds; may walk them).
    pub fn root_count(&self) -> usize {
        S::count(self.root_set())
    }

    /// Starts logging the root count at every allocation (for
    /// [`audit`](crate::audit)).
    pub(crate) fn log_root_counts(&mut self) {
        self.root_log = Some(Vec::new());
        self.slow_alloc = true;
    }

    /// The root counts logged so far.
    pub(crate) fn root_log(&self) -> &[usize] {
        self.root_log.as_deref().unwrap_or_default()
    }

    /// The root set, borrowed for `'r` rather than for the borrow of the
    /// heap: take it before an allocation to root or persist the result
    /// (what [`root!`](crate::root) does).
    #[inline(always)]
    pub fn roots(&self) -> &'r Roots<S> {
        self.roots
    }

    /// Whether `other` is this heap (for `Ref`s, which carry their heap).
    #[inline(always)]
    pub(crate) fn is(&self, other: &Heap<'_, S>) -> bool {
        ptr::eq(
            self as *const Self as *const (),
            other as *const Heap<'_, S> as *const (),
        )
    }

    /// The root set, borrowed: the one context the scheme's bindings take.
    #[inline(always)]
    pub(crate) fn root_set(&self) -> RootSetRef<'_, 'r, S> {
        RootSetRef {
            anchor: &self.roots.anchor,
            table: &self.table,
        }
    }

    /// The heap's table (see [`Roots::with`]).
    #[inline(always)]
    pub(crate) fn table(&self) -> &S::Table {
        &self.table
    }

    /// A pointer to the header of the object at `gc`, after checking that
    /// the address is in the current semispace (reading the word is then
    /// sound; whether it is a live header is for the caller to decode).
    ///
    /// # Panics
    ///
    /// If it is not: a root the collector did not see.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn header_ptr(&self, gc: Gc) -> *mut u64 {
        let addr = gc.addr();
        if !self.space.contains(addr) {
            crate::reference::stale(gc, "its address is outside the heap's current semispace");
        }
        self.space.at(addr)
    }
}

impl<S: Scheme> core::fmt::Debug for Heap<'_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Heap")
            .field("scheme", &S::NAME)
            .field("used_bytes", &self.used_bytes())
            .field("capacity_bytes", &(self.space.words() * WORD))
            .field("limit_bytes", &self.limit_bytes())
            .finish_non_exhaustive()
    }
}

/// A root the collector does not see, made on purpose (only this crate can:
/// outside it, a `Ref` cannot be held across a collection): the poisoning
/// and the checks on every access must catch the stale address the first
/// time it is used, rather than read whatever is there.
#[cfg(test)]
mod missing_root {
    use super::*;
    use crate::object::Shape;
    use crate::root;

    /// Allocates `kept` (rooted) and `lost` (not rooted), collects
    /// `collections` times, then reads `lost` through its old address.
    fn read_through_a_missing_root<S: Scheme>(collections: usize) {
        let roots = Roots::<S>::new();
        let mut heap = Heap::new(&roots, Config::zeal()).unwrap();
        root!(heap, let kept = heap.alloc(Shape::new(1, 8)).unwrap());
        let lost = heap.alloc(Shape::new(1, 8)).unwrap();
        lost.write_u64(0, 42);
        let lost = lost.gc();
        for _ in 0..collections {
            heap.collect();
        }
        assert_eq!(heap.get(&kept).read_u64(0), 0);
        // SAFETY: deliberately broken: `lost` is not current (nothing rooted
        // it through the collections). The test shows that the checked
        // accessors refuse it before touching memory. After one collection
        // its address is in the other semispace; after two it is back in the
        // current one, past the live data, at a word the poisoning filled.
        let stale = unsafe { Ref::new(&heap, lost) };
        let _ = stale.read_u64(0);
    }

    #[cfg(feature = "intrusive")]
    #[test]
    #[should_panic(expected = "outside the heap's current semispace")]
    fn intrusive_after_one_collection() {
        read_through_a_missing_root::<crate::Intrusive>(1);
    }

    #[cfg(feature = "intrusive")]
    #[test]
    #[should_panic(expected = "its header is poisoned")]
    fn intrusive_after_two_collections() {
        read_through_a_missing_root::<crate::Intrusive>(2);
    }

    #[cfg(feature = "indexed")]
    #[test]
    #[should_panic(expected = "outside the heap's current semispace")]
    fn indexed_after_one_collection() {
        read_through_a_missing_root::<crate::Indexed>(1);
    }

    #[cfg(feature = "indexed")]
    #[test]
    #[should_panic(expected = "its header is poisoned")]
    fn indexed_after_two_collections() {
        read_through_a_missing_root::<crate::Indexed>(2);
    }

    #[cfg(feature = "hybrid")]
    #[test]
    #[should_panic(expected = "outside the heap's current semispace")]
    fn hybrid_after_one_collection() {
        read_through_a_missing_root::<crate::Hybrid>(1);
    }

    #[cfg(feature = "hybrid")]
    #[test]
    #[should_panic(expected = "its header is poisoned")]
    fn hybrid_after_two_collections() {
        read_through_a_missing_root::<crate::Hybrid>(2);
    }
}
