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
use core::ops::{Deref, DerefMut};
use core::ptr;
use std::time::Instant;

use crate::collector;
use crate::error::{AllocError, HeapError, RootError};
use crate::object::{Gc, Header, Shape, WORD};
use crate::reference::Ref;
use crate::root::{Persistent, Root};
use crate::scheme::Scheme;
use crate::space::Space;
use crate::stats::Stats;

/// How a heap sizes itself and how much checking it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The initial size of each semispace, in bytes (rounded up to 8).
    pub initial_bytes: usize,
    /// The largest a semispace may grow, in bytes: the limit on live data.
    pub max_bytes: usize,
    /// Grow when, after a collection, live data exceeds this percentage of a
    /// semispace (1 to 100).
    pub grow_percent: u8,
    /// Collect before every allocation, so that a value that should have
    /// been rooted but was not is moved (and, with `poison`, destroyed) at
    /// the first opportunity.
    pub stress: bool,
    /// After each collection, fill the semispace that was evacuated with a
    /// pattern that no header decodes to, so that reading a stale object
    /// fails loudly instead of returning old data.
    pub poison: bool,
    /// After each collection, check that every root and every reference
    /// field points at an object in the new semispace; panic with a message
    /// if not.
    pub verify: bool,
}

impl Default for Config {
    /// 1 MiB semispaces growing at 50% occupancy up to 1 GiB, no checking.
    fn default() -> Self {
        Config {
            initial_bytes: 1 << 20,
            max_bytes: 1 << 30,
            grow_percent: 50,
            stress: false,
            poison: false,
            verify: false,
        }
    }
}

impl Config {
    /// Stress, poisoning and verification on, small initial semispaces: the
    /// configuration that makes a missing root show up deterministically
    /// (SpiderMonkey calls this *zeal*). Slow; for tests.
    pub fn zeal() -> Config {
        Config {
            initial_bytes: 4 << 10,
            stress: true,
            poison: true,
            verify: true,
            ..Config::default()
        }
    }

    fn validate(&self) -> Result<(usize, usize), HeapError> {
        if self.max_bytes < WORD || self.initial_bytes < WORD {
            return Err(HeapError::Config(
                "initial_bytes and max_bytes must be at least 8",
            ));
        }
        if self.initial_bytes > self.max_bytes {
            return Err(HeapError::Config("initial_bytes exceeds max_bytes"));
        }
        if !(1..=100).contains(&self.grow_percent) {
            return Err(HeapError::Config("grow_percent must be between 1 and 100"));
        }
        let words = |bytes: usize| bytes.div_ceil(WORD);
        Ok((words(self.initial_bytes), words(self.max_bytes)))
    }
}

/// The part of a heap's root set that lives outside the heap, so that roots
/// can borrow it while the heap is borrowed mutably.
///
/// Under the intrusive scheme it is the list that every root links into;
/// roots borrow it, which proves it outlives them. Under the indexed scheme
/// it is empty (the table lives in the heap). One `Roots` serves one heap,
/// for good: see [`HeapError::RootsInUse`].
pub struct Roots<S: Scheme> {
    pub(crate) anchor: S::Anchor,
}

impl<S: Scheme> Roots<S> {
    /// An empty root set.
    pub fn new() -> Self {
        Roots {
            anchor: S::new_anchor(),
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
        let heap = value.heap;
        assert!(
            S::same_anchor(&self.anchor, &heap.roots.anchor),
            "persist: the value belongs to another heap"
        );
        // SAFETY: `value` is a `Ref` of `heap`, whose root set is this one
        // (checked above, or the scheme roots into `heap`'s own table).
        Persistent(unsafe { S::persist(&self.anchor, &heap.table, value.gc) })
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

/// A garbage-collected heap with a moving (Cheney semispace) collector,
/// rooted by scheme `S`.
///
/// `'r` is the borrow of the [`Roots`] the heap was made with; roots of the
/// intrusive scheme borrow them too. The heap is `Send` when the scheme
/// allows it (indexed) and never `Sync`.
pub struct Heap<'r, S: Scheme> {
    pub(crate) roots: &'r Roots<S>,
    pub(crate) table: S::Table,
    /// The semispace objects are allocated in. Invariant: words
    /// `0..top` are a sequence of well-formed objects, every reference in
    /// them and every root points at one of them.
    pub(crate) space: Space,
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
        let system = || HeapError::System {
            bytes: initial * WORD,
        };
        let space = Space::new(initial).ok_or_else(system)?;
        let spare = Space::new(initial).ok_or_else(system)?;
        if !S::claim(&roots.anchor) {
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
            config,
            stats: Stats::default(),
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
    /// `struct.new` takes its operands).
    ///
    /// # Panics
    ///
    /// If `fields` is longer than `shape.fields()`, or (see [`Root::get`]) if
    /// one of them is stale or of another heap. Nothing is allocated then.
    pub fn alloc_with<R: Root<S>>(
        &mut self,
        shape: Shape,
        fields: &[R],
    ) -> Result<Ref<'_, S>, AllocError> {
        assert!(
            fields.len() <= shape.fields(),
            "alloc_with: {} initial fields given for an object with {} fields",
            fields.len(),
            shape.fields()
        );
        for f in fields {
            f.get(self);
        }
        let gc = self.alloc_gc(shape)?;
        let heap: &Self = self;
        // SAFETY: `gc` is the object just allocated in the current space.
        let obj = unsafe { Ref::new(heap, gc) };
        for (i, f) in fields.iter().enumerate() {
            obj.set_field(i, Some(f.get(heap)));
        }
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
        if self.config.stress || self.space.words() - self.top < words {
            self.make_room(words)?;
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

    #[cold]
    fn make_room(&mut self, words: usize) -> Result<(), AllocError> {
        self.collect();
        if self.space.words() - self.top >= words {
            return Ok(());
        }
        let need = self.top + words;
        if need > self.max_words {
            return Err(AllocError::OutOfMemory {
                requested: words * WORD,
                live: self.top * WORD,
                limit: self.limit_bytes(),
            });
        }
        let target = need.max(self.space.words() * 2).min(self.max_words);
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
        let outcome = collector::evacuate::<S>(
            &self.roots.anchor,
            &mut self.table,
            &self.spare,
            &self.space,
        );
        self.top = outcome.top;
        if self.config.verify {
            collector::verify::<S>(&self.roots.anchor, &mut self.table, &self.space, self.top);
        }
        if self.config.poison {
            self.spare.poison();
        }
        let live = self.top as u64;
        if live * 100 > self.space.words() as u64 * u64::from(self.config.grow_percent) {
            self.target_words = (self.space.words() * 2).min(self.max_words);
        }
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
        let mark = S::enter(&self.table);
        Scope { heap: self, mark }
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

    /// A long-lived root holding `value`: a boxed `PersistentRoot` (intrusive)
    /// that unroots when dropped, or a manual root (indexed) that must be
    /// given back to [`release`](Self::release).
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

    /// Ends a long-lived root.
    pub fn release(&self, root: Persistent<'_, S>) -> Result<(), RootError> {
        S::release(&self.roots.anchor, &self.table, root.0)
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

    /// The limit on live data, in bytes.
    pub fn limit_bytes(&self) -> usize {
        self.max_words * WORD
    }

    /// How many roots are alive (all kinds; may walk them).
    pub fn root_count(&self) -> usize {
        S::count(&self.roots.anchor, &self.table)
    }

    /// Long-lived roots dropped without being released (indexed scheme:
    /// manual roots; the intrusive scheme's unroot themselves). Their
    /// objects stay alive until the heap is dropped.
    pub fn leaked_roots(&self) -> usize {
        S::leaked(&self.roots.anchor, &self.table)
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

/// A scope: borrows the heap mutably, dereferences to it, and on drop
/// releases the scoped roots made inside it (indexed scheme) or does
/// nothing (intrusive scheme). Scopes nest by construction.
pub struct Scope<'a, 'r, S: Scheme> {
    heap: &'a mut Heap<'r, S>,
    mark: S::Mark,
}

impl<'a, 'r, S: Scheme> Scope<'a, 'r, S> {
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
        let gc = root.get(self.heap).gc;
        let this = mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so moving the
        // `&mut` out of it is a move, not a copy.
        let heap: &'a mut Heap<'r, S> = unsafe { ptr::read(&this.heap) };
        S::exit(&heap.table, this.mark);
        let heap: &'a Heap<'r, S> = heap;
        // SAFETY: `gc` was current when read above, and nothing has
        // allocated or collected since.
        unsafe { Ref::new(heap, gc) }
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
        S::exit(&self.heap.table, self.mark);
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
        let lost = lost.gc;
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
}
