//! [`Heap`]: the API, and the policy that decides when to collect and how
//! to grow. The spaces are in [`spaces`](crate::spaces), the collectors in
//! [`collector`](crate::collector).
//!
//! # Borrows, and why they make unrooted references safe
//!
//! Allocation and collection take `&mut Heap`. Everything that reads or
//! writes objects takes `&Heap` and hands out [`Ref`]s that borrow it. So a
//! `Ref` (an unrooted reference) can never be alive across anything that
//! may move objects: the borrow checker refuses the program. To keep an
//! object across an allocation, root it.
//!
//! # Modes
//!
//! [`Config::space`] and [`Config::nursery_bytes`] make four modes
//! ([`Config::mode`]):
//!
//! - **semispace**: two semispaces of equal size, starting at
//!   [`Config::initial_bytes`] each. After a collection, if the live bytes
//!   exceed [`Config::grow_percent`] of a semispace, the next collection
//!   copies into semispaces twice the size (never over
//!   [`Config::max_bytes`]). If an allocation still does not fit after a
//!   collection, the heap grows at once to at least twice its size or what
//!   the allocation needs, with a second collection into the larger space.
//!   The memory held is two semispaces, so up to twice `max_bytes` (three
//!   times, briefly, while growing).
//! - **generational**: small objects are allocated in a nursery of
//!   `nursery_bytes` and the semispaces hold the *mature* objects, those
//!   that survived a minor collection (which copies the nursery's reachable
//!   objects into the mature space). Objects of at least
//!   [`LARGE_OBJECT_BYTES`](crate::LARGE_OBJECT_BYTES) (or larger than the
//!   nursery) get a run of memory each and never move. When the nursery is
//!   full, a minor collection runs. The nursery fills only as far as the
//!   mature space has room to take it all in; when that room is too small
//!   for the next allocation, a full collection copies the mature space,
//!   and grows it by the rule above.
//! - **mark-region**: one space of 32 KiB blocks of 128-byte lines
//!   (Immix; [`MarkRegion`](crate::spaces::MarkRegion)). A full collection
//!   marks live objects in place and the mutator then fills the free
//!   lines; blocks the previous collection found fragmented are evacuated.
//!   The *budget*, the blocks the mutator may fill before a collection,
//!   starts at `initial_bytes` and grows after a collection until the live
//!   data is at most `grow_percent` of it. Objects over a block go to the
//!   large-object space. Objects can be pinned ([`Heap::pin`]).
//! - **generational mark-region**: a nursery in front of a mark-region
//!   mature space (GenImmix): minor collections promote into its holes.
//!
//! In every mode the limit is the same: the objects in use (allocated and
//! not yet found dead) never exceed `max_bytes`, and an allocation is
//! refused with [`AllocError::OutOfMemory`] only after a full collection,
//! when the live data plus the allocation would exceed it. The heap and
//! its roots are then intact and usable. The heap never shrinks.

use core::cell::{Cell, RefCell};
use core::marker::PhantomData;
use core::mem;
use core::ptr::{self, NonNull};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use crate::collector::{self, cheney, mark};
use crate::config::{Config, SpaceKind};
use crate::error::{AllocError, HeapError, PinError, RootError};
use crate::fields::Fields;
use crate::object::{Gc, Header, REMEMBERED, Shape, WORD};
use crate::pin::{Pinned, Pins};
use crate::reference::Ref;
use crate::root::{Persistent, Root};
use crate::roots::Roots;
use crate::scheme::sealed::Anchor;
use crate::scheme::{RootSetMut, RootSetRef, Scheme};
use crate::scope::Scope;
use crate::spaces::mark_region::{BLOCK_WORDS, LINE_WORDS};
use crate::spaces::memory::View;
use crate::spaces::nursery::STRESS_FULL_EVERY;
use crate::spaces::{Bump, LargeObjects, MarkRegion, Memory, Nursery, Semispaces};
use crate::stats::Stats;
use crate::vec::PersistentVec;
use crate::verify::{self, View as HeapView};
use crate::weak::{FinalizationRegistry, Weak, WeakMap, Weaks};

mod alloc;
mod collect;
#[cfg(test)]
mod tests;

/// The heap's main space: the whole heap outside generational mode, the
/// mature space in it.
enum Mature {
    Copying(Semispaces),
    /// Boxed: the mark-region space is the larger by far, and the heap is
    /// moved by value when it is made.
    MarkRegion(Box<MarkRegion>),
}

/// A garbage-collected heap with a moving collector (Cheney copying,
/// mark-region with evacuation, either optionally generational), rooted
/// by scheme `S`.
///
/// `'r` is the borrow of the [`Roots`] the heap was made with; roots of the
/// intrusive scheme borrow them too. The heap is `Send` when the scheme
/// allows it (indexed) and never `Sync`.
pub struct Heap<'r, S: Scheme> {
    roots: &'r Roots<S>,
    table: S::Table,
    /// The mutator's allocation buffer: lent by the semispace, the nursery
    /// or the mark-region space's current hole (see
    /// [`spaces`](crate::spaces)). Retired into its space before anything
    /// else reads that space.
    bump: Bump,
    /// Objects of at least this many words go to the large-object space
    /// (`usize::MAX` in semispace mode, which has none).
    large_words: usize,
    /// The run the read path checks first: the current semispace, or the
    /// mark-region space's primary chunk. Refreshed by `sync_view` after
    /// anything that replaces that run.
    view: View,
    mature: Mature,
    /// The nursery (0 words outside generational mode) and the remembered
    /// set.
    nursery: Nursery,
    large: LargeObjects,
    pins: Pins,
    /// Ephemeron tables and finalization registrations (weak roots are the
    /// scheme's); borrowed only inside this crate's methods, which run no
    /// user code meanwhile.
    weaks: RefCell<Weaks>,
    /// Full collections so far, to alternate zeal's evacuating ones.
    full_collections: u64,
    max_words: usize,
    /// A number no other heap of this process has: the pins carry it.
    id: u64,
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

/// The next heap's id.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl<'r, S: Scheme> Heap<'r, S> {
    /// A heap whose root set is `roots`.
    ///
    /// Fails if the configuration is inconsistent ([`HeapError::Config`]),
    /// if the system allocator refuses the initial spaces
    /// ([`HeapError::System`]), or, under the intrusive and hybrid schemes,
    /// if `roots` already serve a heap, even one since dropped
    /// ([`HeapError::RootsInUse`]; see [`Roots`]). Under the indexed scheme
    /// one `Roots` may serve several heaps.
    pub fn new(roots: &'r Roots<S>, config: Config) -> Result<Self, HeapError> {
        let (initial, max_words, nursery_words) = config.validate()?;
        if S::CONSERVATIVE && (config.space != SpaceKind::MarkRegion || nursery_words != 0) {
            return Err(HeapError::CannotPin {
                scheme: S::NAME,
                mode: config.mode(),
            });
        }
        // `validate` keeps `initial, nursery_words <= max_words <= usize::MAX / WORD`.
        let system = |words: usize| {
            move || HeapError::System {
                bytes: words * WORD,
            }
        };
        let nursery = Nursery::new(nursery_words).ok_or_else(system(nursery_words))?;
        let young_limit = if nursery_words == 0 {
            usize::MAX
        } else {
            (crate::LARGE_OBJECT_BYTES / WORD).min(nursery_words + 1)
        };
        let (mature, large_words) = match config.space {
            SpaceKind::Semispace => (
                Mature::Copying(Semispaces::new(initial).ok_or_else(system(initial))?),
                young_limit,
            ),
            SpaceKind::MarkRegion => {
                let blocks = initial.div_ceil(BLOCK_WORDS);
                let max_chunk = max_words
                    .div_ceil(BLOCK_WORDS)
                    .saturating_mul(2)
                    .saturating_add(2);
                let region = MarkRegion::new(blocks, max_chunk).ok_or_else(system(initial))?;
                (
                    Mature::MarkRegion(Box::new(region)),
                    young_limit.min(BLOCK_WORDS + 1),
                )
            }
        };
        if !roots.anchor.claim() {
            return Err(HeapError::RootsInUse);
        }
        let mut heap = Heap {
            roots,
            table: S::new_table(),
            bump: Bump::empty(),
            large_words,
            view: match &mature {
                Mature::Copying(s) => View::of(&s.space),
                Mature::MarkRegion(r) => View::of(r.primary().memory()),
            },
            mature,
            nursery,
            large: LargeObjects::default(),
            pins: Pins::default(),
            weaks: RefCell::default(),
            full_collections: 0,
            max_words,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            slow_alloc: config.stress,
            config,
            stats: Stats::default(),
            root_log: None,
            _not_sync: PhantomData,
        };
        heap.refill();
        Ok(heap)
    }

    /// Allocates an object of the given shape: reference fields empty, data
    /// zeroed. May collect first, which may move objects (roots follow).
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
    /// `struct.new` takes its operands): a slice, array or `Vec` of roots of
    /// one kind (`&[a, b]`, `&vec`), or a tuple of roots of any kinds
    /// (`&(local, &persistent)`).
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

    /// Allocates an object; a pointer to its header.
    #[inline(always)]
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
        // The bump in the mutator's buffer, whatever the mode; anything
        // else (stress, an audit, a large object, an exhausted buffer) takes
        // the slow path.
        if !self.slow_alloc
            && words < self.large_words
            && let Some(p) = self.bump.take(words)
        {
            // SAFETY: the buffer lent words `cursor - words .. cursor` of
            // its run, which hold nothing live (`Bump`'s invariant).
            return Ok(unsafe { self.init_object(p, shape, words) });
        }
        self.alloc_slow(shape, words)
    }

    /// Writes the header of a new object and zeroes the rest; `p`.
    ///
    /// # Safety
    ///
    /// `p`, with its run's provenance, must be valid for writing `words`
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

    /// Logs the root count if asked, takes back the mutator's buffer, makes
    /// room as the mode does (collecting always in stress mode), allocates,
    /// and lends a buffer again.
    #[cold]
    #[inline(never)]
    fn alloc_slow(&mut self, shape: Shape, words: usize) -> Result<*mut u64, AllocError> {
        if self.root_log.is_some() {
            let count = self.root_count();
            if let Some(log) = &mut self.root_log {
                log.push(count);
            }
        }
        self.retire();
        let p = if self.nursery.on() {
            self.alloc_generational(words)
        } else if matches!(self.mature, Mature::Copying(_)) {
            self.alloc_semispace(words)
        } else {
            self.alloc_region(words)
        };
        self.refill();
        let p = p?;
        // SAFETY: each mode's allocation left `words` free words at `p`
        // (see each).
        Ok(unsafe { self.init_object(p, shape, words) })
    }

    // --- Pins ---

    /// Pins the object `root` holds: a [`Pinned`] root that keeps it alive
    /// and at the same address until it is dropped, so that its data can
    /// be handed to native code ([`pinned_data`](Self::pinned_data)). In a
    /// generational heap a nursery object is promoted first (a minor
    /// collection).
    ///
    /// ```
    /// # use gcroots::{root, Config, Heap, Roots, Selected, Shape};
    /// let roots = Roots::<Selected>::new();
    /// let mut heap = Heap::new(&roots, Config::mark_region()).unwrap();
    /// root!(heap, let buf = heap.alloc(Shape::new(0, 64)).unwrap());
    /// let pin = heap.pin(&buf).unwrap();
    /// let at = heap.get(&pin).addr();
    /// heap.collect();
    /// assert_eq!(heap.get(&pin).addr(), at); // it did not move
    /// heap.get(&pin).write_u64(0, 7); // read and written with no `unsafe`
    /// ```
    ///
    /// # Errors
    ///
    /// [`PinError::Unsupported`] in a semispace or generational heap, whose
    /// collector moves every object; [`PinError::Root`] if the root is
    /// stale or of another heap.
    pub fn pin<R: Root<S>>(&mut self, root: &R) -> Result<Pinned, PinError> {
        let gc = root.try_get(self)?.gc();
        if matches!(self.mature, Mature::Copying(_)) {
            return Err(PinError::Unsupported {
                mode: self.config.mode(),
            });
        }
        let gc = if self.nursery.contains(gc.addr()) {
            self.collect_minor();
            root.try_get(self)?.gc()
        } else {
            gc
        };
        let pin = self.pins.pin(gc, self.id);
        self.stats.objects_pinned = self.pins.len();
        Ok(pin)
    }

    /// Ends a pin now (dropping it does too, at the latest before the next
    /// collection). `WrongHeap` if it is not a pin of this heap; it is
    /// dropped all the same.
    pub fn unpin(&mut self, pin: Pinned) -> Result<(), RootError> {
        self.check_pin(&pin)?;
        drop(pin);
        self.pins.trace(|_| {});
        self.stats.objects_pinned = self.pins.len();
        Ok(())
    }

    /// A pointer to the first data byte of the pinned object: valid, and
    /// the object's data bytes readable and writable through it, until the
    /// pin is dropped or the heap is. For native code (the C API's
    /// `gcr_*_pin_data`): in Rust, read and write through
    /// [`get`](Self::get) instead, with no `unsafe`. Writing through the
    /// pointer while a [`Ref`] of the object is being used is the caller's
    /// business: the heap is not `Sync`, so both happen on one thread.
    pub fn pinned_data(&self, pin: &Pinned) -> Result<NonNull<u8>, RootError> {
        let obj = self.get_pinned(pin)?;
        Ok(obj.data_ptr())
    }

    /// The object a pin holds, if it is a pin of this heap.
    pub(crate) fn get_pinned(&self, pin: &Pinned) -> Result<Ref<'_, S>, RootError> {
        let gc = self.check_pin(pin)?;
        // SAFETY: the pin table holds current objects (every collection
        // traces it, and never moves what it holds).
        Ok(unsafe { Ref::new(self, gc) })
    }

    fn check_pin(&self, pin: &Pinned) -> Result<Gc, RootError> {
        if pin.heap != self.id {
            return Err(RootError::WrongHeap);
        }
        self.pins.get(pin).ok_or(RootError::WrongHeap)
    }

    // --- The rest of the API ---

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

    /// A weak root of the object `root` holds: it follows the object but
    /// does not keep it alive (see [`Weak`]).
    ///
    /// ```
    /// # use gcroots::{root, Config, Heap, Roots, Selected, Shape};
    /// let roots = Roots::<Selected>::new();
    /// let mut heap = Heap::new(&roots, Config::default()).unwrap();
    /// let strong = heap.roots().persist(heap.alloc(Shape::new(0, 8)).unwrap());
    /// let weak = heap.weak(&strong);
    /// heap.collect();
    /// assert!(weak.upgrade(&heap).is_some()); // still rooted by `strong`
    /// drop(strong);
    /// heap.collect();
    /// assert!(weak.upgrade(&heap).is_none()); // found dead, cleared
    /// ```
    ///
    /// # Panics
    ///
    /// If `root` is stale or belongs to another heap; the message says
    /// which.
    #[track_caller]
    pub fn weak<R: Root<S>>(&self, root: &R) -> Weak<'r, S> {
        let gc = root.get(self).gc();
        let set = RootSetRef {
            anchor: &self.roots.anchor,
            table: &self.table,
        };
        // SAFETY: `gc` is the current object of a root of this heap.
        Weak(unsafe { S::weak(set, gc) })
    }

    /// How many weak roots are alive (held by a handle, cleared or not).
    /// They are not counted by [`root_count`](Self::root_count): they keep
    /// nothing alive.
    pub fn weak_count(&self) -> usize {
        S::weak_count(self.root_set())
    }

    /// A new, empty ephemeron table (see [`WeakMap`]).
    pub fn weak_map(&self) -> WeakMap {
        self.weaks.borrow_mut().new_map(self.id)
    }

    /// A new finalization registry (see [`FinalizationRegistry`]).
    pub fn finalization_registry(&self) -> FinalizationRegistry {
        self.weaks.borrow_mut().new_registry(self.id)
    }

    /// How many held values are queued, waiting for
    /// [`run_finalizers`](Self::run_finalizers).
    pub fn pending_finalizers(&self) -> usize {
        self.weaks.borrow().pending()
    }

    /// How many registrations are watching objects not yet found dead.
    pub fn registered_finalizers(&self) -> usize {
        self.weaks.borrow().registered()
    }

    /// How many entries the heap's ephemeron tables hold, in all.
    pub fn ephemeron_count(&self) -> usize {
        self.weaks.borrow().entries()
    }

    /// Hands every queued held value to `callback`, with its registry, in
    /// the order they were queued: collections in the order they ran, and
    /// within one collection in registration order. Returns how many it
    /// handed over.
    ///
    /// Collections only queue; user code runs here and nowhere else (never
    /// during a collection, never inside an allocation), and sees held
    /// values only, never the dead objects. The callback gets the heap:
    ///
    /// - it may allocate and collect: what those collections queue is
    ///   handed over by this same call, after what was queued before;
    /// - a nested `run_finalizers` (from the callback) does nothing and
    ///   returns 0;
    /// - if it panics, the panic propagates out of this call; the held
    ///   value it was given is consumed, the rest stay queued for the next
    ///   call, and the heap is intact.
    ///
    /// ```
    /// # use gcroots::{root, Config, Heap, Roots, Selected, Shape};
    /// let roots = Roots::<Selected>::new();
    /// let mut heap = Heap::new(&roots, Config::default()).unwrap();
    /// let files = heap.finalization_registry();
    /// let obj = heap.alloc(Shape::new(0, 8)).unwrap();
    /// files.register(obj, 42); // say, a file descriptor
    /// heap.collect(); // `obj` was never rooted: it dies, 42 is queued
    /// let mut closed = Vec::new();
    /// heap.run_finalizers(|_heap, _registry, fd| closed.push(fd));
    /// assert_eq!(closed, [42]);
    /// ```
    pub fn run_finalizers(
        &mut self,
        mut callback: impl FnMut(&mut Self, FinalizationRegistry, u64),
    ) -> usize {
        if mem::replace(&mut self.weaks.get_mut().running, true) {
            return 0;
        }
        let mut n = 0;
        while let Some((registry, held)) = self.weaks.get_mut().pop(self.id) {
            self.stats.finalizers_run += 1;
            n += 1;
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                callback(self, registry, held)
            }));
            if let Err(panic) = run {
                // Nothing of the heap is half-changed by a callback that
                // unwinds: every heap method leaves it consistent.
                self.weaks.get_mut().running = false;
                std::panic::resume_unwind(panic);
            }
        }
        self.weaks.get_mut().running = false;
        n
    }

    /// The heap's ephemeron tables and registrations.
    #[inline]
    pub(crate) fn weaks(&self) -> &RefCell<Weaks> {
        &self.weaks
    }

    /// The heap's identity (pins, weak maps and registries carry it).
    #[inline]
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// An empty long-lived vector root (see [`PersistentVec`]).
    pub fn persist_vec(&self) -> PersistentVec<'r, S> {
        PersistentVec(S::persist_vec(self.root_set()))
    }

    /// Counters and sizes.
    pub fn stats(&self) -> Stats {
        let capacity = match &self.mature {
            Mature::Copying(s) => s.words(),
            Mature::MarkRegion(r) => r.budget() * BLOCK_WORDS,
        };
        Stats {
            capacity_bytes: capacity * WORD,
            used_bytes: self.used_bytes(),
            objects_pinned: self.pins.len(),
            ..self.stats.clone()
        }
    }

    /// The configuration the heap was made with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Bytes in use: live after the last collection plus allocated since
    /// (in every space).
    pub fn used_bytes(&self) -> usize {
        self.used_words() * WORD
    }

    /// The limit on live data, in bytes: [`Config::max_bytes`] rounded
    /// down to a whole number of words.
    pub fn limit_bytes(&self) -> usize {
        self.max_words * WORD
    }

    /// How many roots are alive (all kinds, pins included; may walk them).
    pub fn root_count(&self) -> usize {
        S::count(self.root_set()) + self.pins.len()
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
    /// the address is in one of the heap's spaces (reading the word is then
    /// sound; whether it is a live header is for the caller to decode).
    ///
    /// # Panics
    ///
    /// If it is not: a root the collector did not see.
    /// The object of the mark-region space or the large-object space that
    /// starts exactly at `addr`, if its start is recorded.
    #[cfg(all(feature = "conservative", not(miri)))]
    pub(crate) fn object_starting_at(&self, addr: usize) -> Option<Gc> {
        let Mature::MarkRegion(r) = &self.mature else {
            return None;
        };
        r.object_containing(addr)
            .or_else(|| self.large.object_containing(addr))
            .filter(|&start| start == addr)
            .map(Gc::from_addr)
    }

    /// Records the start bits of the objects allocated since they were
    /// last recorded (the mutator's buffer retired and lent again).
    #[cfg(all(feature = "conservative", not(miri)))]
    pub(crate) fn record_starts(&mut self) {
        self.retire();
        if let Mature::MarkRegion(r) = &mut self.mature {
            r.record_fresh_starts();
        }
        self.refill();
    }

    #[inline(always)]
    #[track_caller]
    pub(crate) fn header_ptr(&self, gc: Gc) -> *mut u64 {
        debug_assert!(self.view_is_current(), "the heap's view is stale");
        let addr = gc.addr();
        if self.view.contains(addr) {
            self.view.at(addr)
        } else if self.nursery.contains(addr) {
            self.nursery.memory.at(addr)
        } else if let Some(p) = self.other_header_ptr(addr) {
            p
        } else {
            crate::reference::stale(gc, "its address is in none of the heap's spaces")
        }
    }

    /// The header of the object at `addr` in a retained chunk or the
    /// large-object space, if there is one. Out of line, and generic (a
    /// method of `Heap<S>`), so that each crate that reads objects compiles
    /// its own copy and its optimiser sees that the call writes nothing:
    /// loops that read objects then keep the heap's spaces in registers.
    /// (As an opaque call it cost the access workload about 10%; inlined,
    /// about 25%.)
    #[inline(never)]
    fn other_header_ptr(&self, addr: usize) -> Option<*mut u64> {
        if let Mature::MarkRegion(r) = &self.mature
            && let Some(loc) = r.find_retained(addr)
        {
            return Some(r.chunk(loc.chunk).word(loc.index));
        }
        self.large.header_at(addr)
    }

    /// The nursery and its remembered set (for the write barrier).
    #[inline(always)]
    pub(crate) fn nursery(&self) -> &Nursery {
        &self.nursery
    }

    fn semispaces(&self) -> &Semispaces {
        match &self.mature {
            Mature::Copying(s) => s,
            Mature::MarkRegion(_) => unreachable!("a semispace operation on a mark-region heap"),
        }
    }

    fn semispaces_mut(&mut self) -> &mut Semispaces {
        match &mut self.mature {
            Mature::Copying(s) => s,
            Mature::MarkRegion(_) => unreachable!("a semispace operation on a mark-region heap"),
        }
    }

    fn region_mut(&mut self) -> &mut MarkRegion {
        match &mut self.mature {
            Mature::MarkRegion(r) => r,
            Mature::Copying(_) => unreachable!("a mark-region operation on a copying heap"),
        }
    }
}

impl<S: Scheme> core::fmt::Debug for Heap<'_, S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Heap")
            .field("scheme", &S::NAME)
            .field("mode", &self.config.mode())
            .field("used_bytes", &self.used_bytes())
            .field("capacity_bytes", &self.stats().capacity_bytes)
            .field("nursery_bytes", &(self.nursery.memory.words() * WORD))
            .field("limit_bytes", &self.limit_bytes())
            .finish_non_exhaustive()
    }
}
