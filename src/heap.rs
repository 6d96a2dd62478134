//! [`Heap`]: bump allocation in one semispace, a Cheney collection into the
//! other, and the root set of one scheme; in generational mode, a nursery
//! in front of the semispaces and a large-object space beside them.
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
//!
//! # Generational mode
//!
//! With [`Config::nursery_bytes`] above 0, small objects are allocated in a
//! nursery of that size and the semispaces hold the *mature* objects: those
//! that survived a minor collection, which copies the nursery's reachable
//! objects into the mature space. Objects of at least
//! [`LARGE_OBJECT_BYTES`](crate::LARGE_OBJECT_BYTES) (or larger than the
//! nursery) get a block each and never move. When the nursery is full, a
//! minor collection runs. The nursery fills only as far as the mature
//! space has room to take it all in; when that room is too small for the
//! next allocation, a full collection copies the mature space, and grows
//! it by the rule above. So the nursery holds at most its size, or the
//! mature space's free room if that is less. The limit
//! is the same: the mature, nursery and large objects together never
//! exceed `max_bytes`, and an allocation is refused with `OutOfMemory` only
//! after a full collection, when the live data plus the allocation would
//! exceed it. The memory held is the nursery, two semispaces and the large
//! objects.

use core::cell::Cell;
use core::marker::PhantomData;
use core::mem;
use core::ptr;
use std::time::Instant;

use crate::collector;
use crate::config::Config;
use crate::error::{AllocError, HeapError, RootError};
use crate::fields::Fields;
use crate::generations::{Generations, STRESS_FULL_EVERY};
use crate::object::{Gc, Header, REMEMBERED, Shape, WORD};
use crate::reference::Ref;
use crate::root::{Persistent, Root};
use crate::roots::Roots;
use crate::scheme::sealed::Anchor;
use crate::scheme::{RootSetMut, RootSetRef, Scheme};
use crate::scope::Scope;
use crate::space::Space;
use crate::stats::Stats;
use crate::vec::PersistentVec;
use crate::verify::{self, View};

/// A garbage-collected heap with a moving (Cheney semispace, optionally
/// generational) collector, rooted by scheme `S`.
///
/// `'r` is the borrow of the [`Roots`] the heap was made with; roots of the
/// intrusive scheme borrow them too. The heap is `Send` when the scheme
/// allows it (indexed) and never `Sync`.
pub struct Heap<'r, S: Scheme> {
    roots: &'r Roots<S>,
    table: S::Table,
    /// The semispace objects are allocated in (the mature objects, in
    /// generational mode). Invariant: words `0..top` are a sequence of
    /// well-formed objects; every reference in them and every root points
    /// at one of them, or at a nursery or large object.
    space: Space,
    /// The other semispace, the same size as `space` and holding nothing
    /// live (poisoned if `config.poison`).
    spare: Space,
    /// Words of `space` in use.
    top: usize,
    /// The nursery, the remembered set and the large objects (an empty
    /// nursery in semispace mode).
    young: Generations,
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
    /// Fails if the configuration is inconsistent ([`HeapError::Config`]),
    /// if the system allocator refuses the semispaces or the nursery
    /// ([`HeapError::System`]), or, under the intrusive and hybrid schemes,
    /// if `roots` already serve a heap, even one since dropped
    /// ([`HeapError::RootsInUse`]; see [`Roots`]). Under the indexed scheme
    /// one `Roots` may serve several heaps.
    pub fn new(roots: &'r Roots<S>, config: Config) -> Result<Self, HeapError> {
        let (initial, max_words, nursery_words) = config.validate()?;
        // `validate` keeps `initial, nursery_words <= max_words <= usize::MAX / WORD`.
        let system = |words: usize| {
            move || HeapError::System {
                bytes: words * WORD,
            }
        };
        let space = Space::new(initial).ok_or_else(system(initial))?;
        let spare = Space::new(initial).ok_or_else(system(initial))?;
        let young = Generations::new(nursery_words).ok_or_else(system(nursery_words))?;
        if !roots.anchor.claim() {
            return Err(HeapError::RootsInUse);
        }
        let mut heap = Heap {
            roots,
            table: S::new_table(),
            space,
            spare,
            top: 0,
            young,
            target_words: initial,
            max_words,
            slow_alloc: config.stress,
            config,
            stats: Stats::default(),
            root_log: None,
            _not_sync: PhantomData,
        };
        heap.update_nursery_limit();
        Ok(heap)
    }

    /// Allocates an object of the given shape: reference fields empty, data
    /// zeroed. May collect first, which moves every object (roots follow).
    ///
    /// The result is unrooted: root it (with [`root!`](crate::root)) before
    /// the next allocation.
    #[inline]
    pub fn alloc(&mut self, shape: Shape) -> Result<Ref<'_, S>, AllocError> {
        let header = self.alloc_gc(shape)?;
        // SAFETY: `header` is the object just allocated.
        Ok(unsafe { Ref::from_header(self, header) })
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
        let header = self.alloc_gc(shape)?;
        let heap: &Self = self;
        // SAFETY: `header` is the object just allocated.
        let obj = unsafe { Ref::from_header(heap, header) };
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
        let header = self.alloc_gc(shape)?;
        let heap: &Self = self;
        // SAFETY: `header` is the object just allocated; `init` only gets
        // shared borrows of the heap, so nothing can move it before it is
        // returned.
        let obj = unsafe { Ref::from_header(heap, header) };
        init(heap, obj);
        Ok(obj)
    }

    #[inline(always)]
    /// Allocates an object; a pointer to its header.
    fn alloc_gc(&mut self, shape: Shape) -> Result<*mut u64, AllocError> {
        let words = match shape.words() {
            Some(w) if w <= self.max_words => w,
            _ => {
                return Err(AllocError::TooLarge {
                    requested: shape.size_bytes(),
                    limit: self.limit_bytes(),
                });
            }
        };
        // The bump in the nursery or the semispace; anything else (stress,
        // an audit, a large object, a full space) takes the slow path.
        // `top + words` cannot overflow: both are at most `max_words`.
        if !self.slow_alloc {
            let y = &mut self.young;
            if y.on() {
                if words < y.large_words && y.top + words <= y.limit {
                    let addr = y.nursery.addr_of(y.top);
                    y.top += words;
                    let p = y.nursery.at(addr);
                    // SAFETY: words `top - words .. top` of the nursery are
                    // inside it (`limit <= nursery words`) and hold nothing
                    // live.
                    return Ok(unsafe { self.init_object(p, shape, words) });
                }
            } else if self.space.words() - self.top >= words {
                let addr = self.space.addr_of(self.top);
                self.top += words;
                let p = self.space.at(addr);
                // SAFETY: words `top - words .. top` are inside `space`
                // (checked above) and hold nothing live.
                return Ok(unsafe { self.init_object(p, shape, words) });
            }
        }
        self.alloc_slow(shape, words)
    }

    /// Writes the header of a new object and zeroes the rest; `p`.
    ///
    /// # Safety
    ///
    /// `p`, with its block's provenance, must be valid for writing `words`
    /// words that hold nothing live.
    #[inline(always)]
    unsafe fn init_object(&mut self, p: *mut u64, shape: Shape, words: usize) -> *mut u64 {
        // SAFETY: the caller's guarantee.
        unsafe {
            p.write(Header::encode(shape));
            p.add(1).write_bytes(0, words - 1);
        }
        self.stats.objects_allocated += 1;
        self.stats.bytes_allocated += (words * WORD) as u64;
        p
    }

    /// Logs the root count if asked, makes room (collecting always in stress
    /// mode; otherwise if `words` do not fit), and allocates.
    #[cold]
    #[inline(never)]
    fn alloc_slow(&mut self, shape: Shape, words: usize) -> Result<*mut u64, AllocError> {
        if self.root_log.is_some() {
            let count = self.root_count();
            if let Some(log) = &mut self.root_log {
                log.push(count);
            }
        }
        let p = if self.young.on() {
            self.alloc_generational(words)?
        } else {
            if self.config.stress || self.space.words() - self.top < words {
                self.make_room(words)?;
            }
            let addr = self.space.addr_of(self.top);
            self.top += words;
            self.space.at(addr)
        };
        // SAFETY: `alloc_generational` and `make_room` left `words` free
        // words at `p` (see each).
        Ok(unsafe { self.init_object(p, shape, words) })
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

    /// The generational slow path: a pointer to `words` free words (in the
    /// nursery, or a large object's block).
    fn alloc_generational(&mut self, words: usize) -> Result<*mut u64, AllocError> {
        if self.config.stress {
            self.young.stress_count = self.young.stress_count.wrapping_add(1);
            if self.young.stress_count % STRESS_FULL_EVERY == 0 {
                self.collect();
            } else {
                self.collect_minor();
            }
        }
        if words >= self.young.large_words {
            return self.alloc_large(words);
        }
        if self.young.top + words > self.young.limit {
            self.make_nursery_room(words)?;
        }
        let y = &mut self.young;
        let addr = y.nursery.addr_of(y.top);
        y.top += words;
        Ok(y.nursery.at(addr))
    }

    /// Makes `words` fit the nursery: a minor collection, then a full one,
    /// then a larger mature space; `OutOfMemory` if the live data and the
    /// allocation would exceed the limit.
    fn make_nursery_room(&mut self, words: usize) -> Result<(), AllocError> {
        self.collect_minor();
        if self.young.top + words <= self.young.limit {
            return Ok(());
        }
        self.collect();
        if self.young.top + words <= self.young.limit {
            return Ok(());
        }
        self.check_limit(words)?;
        // The nursery is empty; grow the mature space to hold a full one
        // (or as much as the limit allows): then `words` fit, since they fit
        // the nursery and the limit (`check_limit`).
        let target = (self.top.saturating_add(self.young.nursery.words()))
            .max(self.space.words().saturating_mul(2))
            .min(self.max_words);
        self.grow(target)?;
        debug_assert!(self.young.top + words <= self.young.limit);
        Ok(())
    }

    /// A large object of `words` words, in a block of its own.
    fn alloc_large(&mut self, words: usize) -> Result<*mut u64, AllocError> {
        // Each term is at most `max_words <= usize::MAX / WORD`: no overflow.
        if self.used_words() + words > self.max_words {
            self.collect();
            self.check_limit(words)?;
        }
        let p = self.young.large.alloc(words).ok_or(AllocError::System {
            bytes: words * WORD,
        })?;
        self.update_nursery_limit();
        Ok(p)
    }

    /// After a full collection: `OutOfMemory` if the live data and `words`
    /// more would exceed the limit.
    fn check_limit(&self, words: usize) -> Result<(), AllocError> {
        let live = self.top + self.young.large.words();
        if live + words > self.max_words {
            return Err(AllocError::OutOfMemory {
                requested: words * WORD,
                live: live * WORD,
                limit: self.limit_bytes(),
            });
        }
        Ok(())
    }

    /// Words in use in every space.
    fn used_words(&self) -> usize {
        self.top + self.young.top + self.young.large.words()
    }

    /// Sets how much of the nursery may fill before a minor collection: no
    /// more than the mature space can take in (so a minor collection never
    /// runs out of room) and than keeps the heap within its limit.
    fn update_nursery_limit(&mut self) {
        let y = &mut self.young;
        y.limit = y.nursery.words().min(self.space.words() - self.top).min(
            self.max_words
                .saturating_sub(self.top)
                .saturating_sub(y.large.words()),
        );
        debug_assert!(y.top <= y.limit, "the nursery holds more than its limit");
    }

    /// Runs a full collection now: copies every object reachable from the
    /// roots into the other semispace (growing it first if the policy asks)
    /// and rewrites the roots. In generational mode the nursery is emptied
    /// into the mature space too, and unreachable large objects are freed.
    ///
    /// Never inlined: inlined into a loop that collects now and then, it
    /// took registers from the loop's fast path.
    #[inline(never)]
    pub fn collect(&mut self) {
        if self.target_words > self.space.words() && self.grow(self.target_words).is_ok() {
            return;
        }
        // Same size: evacuate into the spare, which becomes the space. The
        // spare holds the mature objects and the nursery's: the nursery
        // limit keeps `top + nursery top <= space words`.
        mem::swap(&mut self.space, &mut self.spare);
        self.evacuate_from_spare();
    }

    /// Runs a minor collection now: promotes the nursery objects that the
    /// roots and the remembered objects reach into the mature space, and
    /// empties the nursery. In semispace mode, a full collection
    /// ([`collect`](Self::collect)).
    #[inline(never)]
    pub fn collect_minor(&mut self) {
        if !self.young.on() {
            return self.collect();
        }
        let start = Instant::now();
        if self.config.verify {
            self.verify("before a minor collection");
        }
        let roots = &self.roots.anchor;
        let set = RootSetMut {
            anchor: roots,
            table: &mut self.table,
        };
        let remembered = mem::take(self.young.remembered.get_mut());
        let old_top = self.top;
        let outcome = collector::evacuate_nursery::<S>(
            set,
            &self.young.nursery,
            &remembered,
            &mut self.young.large,
            &self.space,
            old_top,
        );
        self.top = outcome.top;
        *self.young.remembered.get_mut() = remembered;
        self.young.remembered.get_mut().clear();
        self.empty_nursery();
        if self.config.verify {
            self.verify("after a minor collection");
        }
        let s = &mut self.stats;
        s.collections += 1;
        s.minor_collections += 1;
        s.objects_copied += outcome.objects;
        s.bytes_copied += ((self.top - old_top) * WORD) as u64;
        s.roots_scanned += outcome.roots;
        s.gc_time += start.elapsed();
    }

    /// After a collection copied its objects out: poisons the nursery's used
    /// words if asked, empties it, and sets its limit.
    fn empty_nursery(&mut self) {
        if self.config.poison {
            self.young.nursery.poison_words(self.young.top);
        }
        self.young.top = 0;
        self.update_nursery_limit();
    }

    /// Collects into two fresh semispaces of `words` words (at least the
    /// words in use in the semispace and the nursery).
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

    /// The full collection proper: `spare` holds the mature objects (all of
    /// them in semispace mode), `space` is empty.
    fn evacuate_from_spare(&mut self) {
        let start = Instant::now();
        self.forget_remembered();
        let roots = &self.roots.anchor;
        let set = RootSetMut {
            anchor: roots,
            table: &mut self.table,
        };
        let outcome = collector::evacuate::<S>(
            set,
            &self.spare,
            &self.young.nursery,
            &mut self.young.large,
            &self.space,
        );
        self.top = outcome.top;
        self.young.large.sweep();
        if self.config.poison {
            self.spare.poison();
        }
        self.empty_nursery();
        if self.config.verify {
            self.verify("after a full collection");
        }
        // In u128: `words * 100` may not fit a u64 when the limit is near
        // `usize::MAX`. (Growing also while the free room is less than one
        // nursery made the workloads that collect by hand up to 40% slower
        // in generational mode: DESIGN.md.)
        let live = self.top as u128;
        if live * 100 > self.space.words() as u128 * u128::from(self.config.grow_percent) {
            self.target_words = self.space.words().saturating_mul(2).min(self.max_words);
        }
        let s = &mut self.stats;
        s.collections += 1;
        s.objects_copied += outcome.objects;
        s.bytes_copied += (self.top * WORD) as u64;
        s.roots_scanned += outcome.roots;
        s.live_bytes_after_gc = (self.top + self.young.large.words()) * WORD;
        s.gc_time += start.elapsed();
    }

    /// Clears the remembered set and its header bits, before a full
    /// collection (which scans everything, and leaves the nursery empty).
    fn forget_remembered(&mut self) {
        for gc in self.young.remembered.get_mut().drain(..) {
            let addr = gc.addr();
            // The mature objects are in the spare by now (`collect` swapped
            // the spaces, `grow` replaced the space).
            let p = if self.spare.contains(addr) {
                self.spare.at(addr)
            } else if let Some(i) = self.young.large.find(addr) {
                self.young.large.header(i)
            } else {
                unreachable!("the barrier remembers only mature and large objects")
            };
            // SAFETY: `p` is the header of a remembered object, which has
            // not moved since the barrier read it (only full collections move
            // mature objects, and they empty the set first).
            unsafe { *p &= !REMEMBERED };
        }
    }

    /// Runs the verifier on the heap as it is.
    fn verify(&mut self, when: &str) {
        let remembered = self.young.remembered.borrow();
        let view = View {
            mature: &self.space,
            top: self.top,
            nursery: &self.young.nursery,
            nursery_top: self.young.top,
            large: &self.young.large,
            remembered: &remembered,
        };
        let set = RootSetMut {
            anchor: &self.roots.anchor,
            table: &mut self.table,
        };
        verify::verify::<S>(set, &view, when);
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
            used_bytes: self.used_bytes(),
            ..self.stats.clone()
        }
    }

    /// The configuration the heap was made with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Bytes in use: live after the last collection plus allocated since
    /// (in generational mode: in the mature space, the nursery and large
    /// objects).
    pub fn used_bytes(&self) -> usize {
        self.used_words() * WORD
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
        if self.space.contains(addr) {
            self.space.at(addr)
        } else if self.young.nursery.contains(addr) {
            self.young.nursery.at(addr)
        } else if let Some(p) = self.large_header_ptr(addr) {
            p
        } else {
            crate::reference::stale(gc, "its address is in none of the heap's spaces")
        }
    }

    /// The header of the large object at `addr`, if there is one. Out of
    /// line, and generic (a method of `Heap<S>`), so that each crate that
    /// reads objects compiles its own copy and its optimiser sees that the
    /// call writes nothing: loops that read objects then keep the heap's
    /// spaces in registers. (As an opaque call it cost the access workload
    /// about 10%; inlined, about 25%.)
    #[inline(never)]
    fn large_header_ptr(&self, addr: usize) -> Option<*mut u64> {
        self.young.large.header_at(addr)
    }

    /// The nursery, the remembered set and the large objects (for the write
    /// barrier).
    #[inline(always)]
    pub(crate) fn generations(&self) -> &Generations {
        &self.young
    }
}

impl<S: Scheme> core::fmt::Debug for Heap<'_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Heap")
            .field("scheme", &S::NAME)
            .field("used_bytes", &self.used_bytes())
            .field("capacity_bytes", &(self.space.words() * WORD))
            .field("nursery_bytes", &(self.young.nursery.words() * WORD))
            .field("limit_bytes", &self.limit_bytes())
            .finish_non_exhaustive()
    }
}

/// A root the collector does not see, and a store that bypasses the write
/// barrier, made on purpose (only this crate can: outside it, a `Ref` cannot
/// be held across a collection, and every store goes through the barrier):
/// the poisoning, the checks on every access and the verifier must catch
/// each the first time it matters, rather than read whatever is there.
#[cfg(test)]
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

    /// Stores a nursery object in a field of a mature one, with the barrier
    /// (`barrier: true`) or bypassing it, then runs a minor collection and
    /// reads the field.
    fn store_into_a_mature_object<S: Scheme>(barrier: bool) {
        let roots = Roots::<S>::new();
        let config = Config {
            verify: true,
            poison: true,
            ..Config::generational()
        };
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
                    store_into_a_mature_object::<S>(true);
                }

                #[test]
                #[should_panic(expected = "but the object is not in the remembered set")]
                fn a_store_that_bypasses_the_barrier_is_caught() {
                    store_into_a_mature_object::<S>(false);
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
