//! References that do not keep their objects alive: weak roots ([`Weak`],
//! kept by each scheme where it keeps its long-lived roots), ephemeron
//! tables ([`WeakMap`]) and finalization ([`FinalizationRegistry`]), the
//! last two kept by the heap itself, the same under every scheme.
//!
//! # What a collection does with them
//!
//! After the strong trace (pins, the stack under the conservative scheme,
//! the roots, and everything they reach) has finished, the collector runs
//! [`process`], in this order:
//!
//! 1. **ephemerons**, to a fixpoint: every entry whose key the trace
//!    reached has its value traced (and everything the value reaches);
//!    since that may reach the key of another entry, the pass repeats
//!    until one finds no new reached key. The entries whose key is still
//!    unreached are then removed, value and all;
//! 2. **finalization**: every registration whose target is unreached is
//!    removed and its held value queued, in registration order;
//! 3. **weak roots**: each is rewritten to its object's new address, or
//!    cleared if the object was not reached.
//!
//! So an object an ephemeron's value keeps is alive for weak roots and
//! registrations too (JavaScript's order: `WeakRef`s and
//! `FinalizationRegistry` cells see what `WeakMap`s keep). A minor
//! collection decides for the nursery only: a key, target or weak
//! referent outside it counts as reached until a full collection says
//! otherwise.
//!
//! Nothing here runs user code during a collection: the queued held values
//! wait until [`Heap::run_finalizers`] is called.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Arc;

use crate::error::RootError;
use crate::heap::Heap;
use crate::object::Gc;
use crate::reference::Ref;
use crate::root::root_failed;
use crate::scheme::{RootSetMut, Scheme};

/// A weak root: it follows its object when it moves but does not keep it
/// alive; once a collection finds the object unreachable,
/// [`upgrade`](Self::upgrade) answers `None`. Made by [`Heap::weak`].
///
/// Each scheme keeps weak roots where it keeps its long-lived roots:
/// under the intrusive scheme a slot of the root list's weak pool (two
/// words, `!Send`, it borrows the [`Roots`](crate::Roots)); under the
/// indexed, hybrid and conservative schemes a weak slot of the heap's
/// table (an owned handle, 24 bytes, `Send + Sync`, dropped anywhere).
/// `Clone` under every scheme. Dropping it unroots it; forgetting it keeps
/// its slot (counted by [`Heap::weak_count`]) but never its object.
pub struct Weak<'r, S: Scheme>(pub(crate) S::WeakRepr<'r>);

impl<S: Scheme> Clone for Weak<'_, S> {
    fn clone(&self) -> Self {
        Weak(self.0.clone())
    }
}

impl<S: Scheme> fmt::Debug for Weak<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Weak<{}>", S::NAME)
    }
}

impl<S: Scheme> Weak<'_, S> {
    /// The object, if no collection has found it unreachable since the
    /// weak root was made; or why the weak root cannot be read (it belongs
    /// to another heap, or is a stale copy made by C).
    #[inline]
    pub fn try_upgrade<'h>(&self, heap: &'h Heap<'_, S>) -> Result<Option<Ref<'h, S>>, RootError> {
        let gc = S::load_weak(heap.root_set(), &self.0)?;
        // SAFETY: `load_weak` succeeded, so the weak root belongs to
        // `heap`'s root set, whose every weak root holds a current object
        // or none (every collection rewrites or clears them).
        Ok(gc.map(|gc| unsafe { Ref::new(heap, gc) }))
    }

    /// The object, if no collection has found it unreachable.
    ///
    /// # Panics
    ///
    /// If the weak root belongs to another heap; the message says so.
    #[inline]
    #[track_caller]
    pub fn upgrade<'h>(&self, heap: &'h Heap<'_, S>) -> Option<Ref<'h, S>> {
        self.try_upgrade(heap).unwrap_or_else(|e| root_failed(e))
    }
}

/// An ephemeron table: a map from objects to objects whose keys are held
/// weakly and whose values are kept only while their key is reachable by
/// some other path (JavaScript's `WeakMap`, V8's `EphemeronHashTable`,
/// SpiderMonkey's `WeakMap`, Whippet's ephemerons). Made by
/// [`Heap::weak_map`]; the heap keeps its entries and every collection
/// rewrites them, removing those whose key died.
///
/// A value that reaches its own key does not keep the entry alive; chains
/// (a value that is the key of another entry) are resolved to a fixpoint
/// after each collection's trace. The table itself is the
/// embedder's, not a heap object: it lives until this handle is dropped
/// (then the heap frees it before its next collection). `Send + Sync`,
/// not `Clone`.
///
/// Lookups hash the key's address, which a collection may change: the heap
/// rehashes each table after every collection, O(entries).
pub struct WeakMap {
    heap: u64,
    index: usize,
    /// The heap's copy is a `std::sync::Weak`: the table is freed once
    /// this is dropped.
    _owner: Arc<()>,
}

impl fmt::Debug for WeakMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakMap")
            .field("heap", &self.heap)
            .field("index", &self.index)
            .finish()
    }
}

impl WeakMap {
    /// The table, if `heap` is the map's.
    #[track_caller]
    fn with<S: Scheme, R>(
        &self,
        heap: &Heap<'_, S>,
        what: &str,
        f: impl FnOnce(&mut Table) -> R,
    ) -> R {
        if self.heap != heap.id() {
            panic!("gcroots: WeakMap::{what}: the map belongs to another heap");
        }
        let mut weaks = heap.weaks().borrow_mut();
        let table = weaks.maps[self.index]
            .as_mut()
            .expect("a map's table lives as long as its handle");
        f(table)
    }

    /// Maps `key` to `value` (replacing the value `key` had); both must be
    /// objects of the map's heap.
    ///
    /// # Panics
    ///
    /// If the map, the key and the value do not all belong to one heap.
    #[track_caller]
    pub fn insert<S: Scheme>(&self, key: Ref<'_, S>, value: Ref<'_, S>) {
        let heap = key.heap();
        assert!(
            value.is_in(heap),
            "gcroots: WeakMap::insert: the key and the value belong to different heaps"
        );
        self.with(heap, "insert", |t| t.insert(key.gc(), value.gc()));
    }

    /// The value `key` maps to, if any.
    ///
    /// # Panics
    ///
    /// If the key belongs to another heap than the map.
    #[track_caller]
    pub fn get<'h, S: Scheme>(&self, key: Ref<'h, S>) -> Option<Ref<'h, S>> {
        let heap = key.heap();
        let value = self.with(heap, "get", |t| t.get(key.gc()))?;
        // SAFETY: the table's entries are current: a value is kept alive by
        // its key, which `key` shows is alive, and every collection
        // rewrites the entries it keeps.
        Some(unsafe { Ref::new(heap, value) })
    }

    /// Removes `key`'s entry; whether it had one.
    ///
    /// # Panics
    ///
    /// If the key belongs to another heap than the map.
    #[track_caller]
    pub fn remove<S: Scheme>(&self, key: Ref<'_, S>) -> bool {
        self.with(key.heap(), "remove", |t| t.remove(key.gc()))
    }

    /// How many entries the table holds (those whose key died are gone
    /// after the collection that found it).
    ///
    /// # Panics
    ///
    /// If `heap` is not the map's.
    #[track_caller]
    pub fn len<S: Scheme>(&self, heap: &Heap<'_, S>) -> usize {
        self.with(heap, "len", |t| t.entries.len())
    }

    /// Whether the table is empty.
    ///
    /// # Panics
    ///
    /// If `heap` is not the map's.
    #[track_caller]
    pub fn is_empty<S: Scheme>(&self, heap: &Heap<'_, S>) -> bool {
        self.len(heap) == 0
    }
}

/// A finalization registry (JavaScript's `FinalizationRegistry`): objects
/// registered with it are watched, not kept; once a collection finds one
/// unreachable, the *held value* given when registering it is queued, and
/// [`Heap::run_finalizers`] hands it to the embedder's callback, with the
/// registry, after the collection. The callback never sees the dead
/// object, only the held value (a `u64`: an index into the embedder's own
/// table of host resources, say).
///
/// Made by [`Heap::finalization_registry`]; `Copy` (a name, like a
/// JavaScript registry's identity), valid for its heap's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FinalizationRegistry {
    heap: u64,
    id: u32,
}

impl FinalizationRegistry {
    /// Watches `target` without keeping it: once a collection finds it
    /// unreachable, `held` is queued for the callback of
    /// [`Heap::run_finalizers`]. An object may be registered several
    /// times, with one registry or several; each registration is queued
    /// once.
    ///
    /// # Panics
    ///
    /// If the registry and the target belong to different heaps.
    #[track_caller]
    pub fn register<S: Scheme>(&self, target: Ref<'_, S>, held: u64) {
        let heap = target.heap();
        Weaks::check(self, heap.id(), "register");
        heap.weaks().borrow_mut().register(self, target.gc(), held);
    }

    /// Ends every registration of this registry with the held value
    /// `held`, queued or not (JavaScript's `unregister`, with the held
    /// value as the token); how many it ended.
    ///
    /// # Panics
    ///
    /// If the registry belongs to another heap than `heap`.
    #[track_caller]
    pub fn unregister<S: Scheme>(&self, heap: &Heap<'_, S>, held: u64) -> usize {
        Weaks::check(self, heap.id(), "unregister");
        heap.weaks().borrow_mut().unregister(self, held)
    }
}

/// One ephemeron table's entries, and its index by key address.
pub(crate) struct Table {
    owner: std::sync::Weak<()>,
    entries: Vec<(Gc, Gc)>,
    /// Key address → position in `entries`: rebuilt after each collection.
    index: HashMap<Gc, usize>,
}

impl Table {
    fn insert(&mut self, key: Gc, value: Gc) {
        match self.index.get(&key) {
            Some(&i) => self.entries[i].1 = value,
            None => {
                self.index.insert(key, self.entries.len());
                self.entries.push((key, value));
            }
        }
    }

    fn get(&self, key: Gc) -> Option<Gc> {
        self.index.get(&key).map(|&i| self.entries[i].1)
    }

    fn remove(&mut self, key: Gc) -> bool {
        let Some(i) = self.index.remove(&key) else {
            return false;
        };
        self.entries.swap_remove(i);
        if let Some(&(moved, _)) = self.entries.get(i) {
            self.index.insert(moved, i);
        }
        true
    }

    fn reindex(&mut self) {
        self.index.clear();
        self.index
            .extend(self.entries.iter().enumerate().map(|(i, &(k, _))| (k, i)));
    }
}

/// A watched object: its registry, its target, its held value.
struct Registration {
    registry: u32,
    target: Gc,
    held: u64,
}

/// What the heap keeps for ephemerons and finalization. Every `Gc` in it
/// is current (or, in the queue, absent: the queue holds held values).
#[derive(Default)]
pub(crate) struct Weaks {
    /// Ephemeron tables, by [`WeakMap::index`]; `None` once freed.
    maps: Vec<Option<Table>>,
    free_maps: Vec<usize>,
    registries: u32,
    /// In registration order.
    registrations: Vec<Registration>,
    /// Held values whose targets died, in the order they were found.
    queue: VecDeque<(u32, u64)>,
    /// Whether `run_finalizers` is running (a nested call does nothing).
    pub(crate) running: bool,
}

impl Weaks {
    pub(crate) fn new_map(&mut self, heap: u64) -> WeakMap {
        let owner = Arc::new(());
        let table = Table {
            owner: Arc::downgrade(&owner),
            entries: Vec::new(),
            index: HashMap::new(),
        };
        let index = match self.free_maps.pop() {
            Some(i) => {
                self.maps[i] = Some(table);
                i
            }
            None => {
                self.maps.push(Some(table));
                self.maps.len() - 1
            }
        };
        WeakMap {
            heap,
            index,
            _owner: owner,
        }
    }

    pub(crate) fn new_registry(&mut self, heap: u64) -> FinalizationRegistry {
        let id = self.registries;
        self.registries = id
            .checked_add(1)
            .expect("gcroots: u32::MAX finalization registries in one heap");
        FinalizationRegistry { heap, id }
    }

    /// Checks that `registry` is of heap `heap`.
    #[track_caller]
    pub(crate) fn check(registry: &FinalizationRegistry, heap: u64, what: &str) {
        if registry.heap != heap {
            panic!("gcroots: {what}: the finalization registry belongs to another heap");
        }
    }

    pub(crate) fn register(&mut self, registry: &FinalizationRegistry, target: Gc, held: u64) {
        self.registrations.push(Registration {
            registry: registry.id,
            target,
            held,
        });
    }

    /// Removes the registrations of `registry` with `held`, and their held
    /// values from the queue if they were queued; how many.
    pub(crate) fn unregister(&mut self, registry: &FinalizationRegistry, held: u64) -> usize {
        let before = self.registrations.len() + self.queue.len();
        let id = registry.id;
        self.registrations
            .retain(|r| !(r.registry == id && r.held == held));
        self.queue.retain(|&(r, h)| !(r == id && h == held));
        before - self.registrations.len() - self.queue.len()
    }

    /// The next queued held value, with the registry it came from.
    pub(crate) fn pop(&mut self, heap: u64) -> Option<(FinalizationRegistry, u64)> {
        self.queue
            .pop_front()
            .map(|(id, held)| (FinalizationRegistry { heap, id }, held))
    }

    pub(crate) fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Watched objects not yet found dead.
    pub(crate) fn registered(&self) -> usize {
        self.registrations.len()
    }

    /// Ephemeron entries, in every table.
    pub(crate) fn entries(&self) -> usize {
        self.maps.iter().flatten().map(|t| t.entries.len()).sum()
    }

    /// Calls `f` on every object the heap's weak structures hold, with
    /// what holds it (for the verifier).
    pub(crate) fn for_each(&self, mut f: impl FnMut(Gc, &str)) {
        for t in self.maps.iter().flatten() {
            for &(k, v) in &t.entries {
                f(k, "an ephemeron key");
                f(v, "an ephemeron value");
            }
        }
        for r in &self.registrations {
            f(r.target, "a finalization target");
        }
    }
}

/// What a collector tells the weak pass about the trace it has finished.
pub(crate) trait Liveness {
    /// The address of `gc`'s object after this collection, if the trace
    /// reached it; `None` if it is garbage. (A minor collection answers
    /// `Some(gc)` for every object outside the nursery.)
    fn reached(&self, gc: Gc) -> Option<Gc>;

    /// Traces `gc`'s object and everything it reaches, as the strong trace
    /// would have; its address after this collection.
    fn keep(&mut self, gc: Gc) -> Gc;
}

/// What the weak pass did.
#[derive(Default)]
pub(crate) struct WeakOutcome {
    /// Weak roots cleared.
    pub(crate) cleared: u64,
    /// Ephemeron entries removed with their dead keys.
    pub(crate) ephemerons_removed: u64,
    /// Held values queued.
    pub(crate) queued: u64,
    /// Passes over the ephemerons' pending entries (at least one if there
    /// were any).
    pub(crate) passes: u64,
}

/// The weak pass of a collection whose strong trace is complete; see the
/// [module documentation](self) for its order.
pub(crate) fn process<S: Scheme>(
    t: &mut impl Liveness,
    set: RootSetMut<'_, '_, S>,
    weaks: &mut Weaks,
) -> WeakOutcome {
    let mut out = WeakOutcome::default();
    // Tables whose handle is gone.
    for (i, slot) in weaks.maps.iter_mut().enumerate() {
        if slot.as_ref().is_some_and(|t| t.owner.strong_count() == 0) {
            *slot = None;
            weaks.free_maps.push(i);
        }
    }
    // Ephemerons: (table, entry) of every entry whose key is not yet
    // reached; each pass keeps the values of the keys found reached.
    let mut pending: Vec<(usize, usize)> = weaks
        .maps
        .iter()
        .enumerate()
        .filter_map(|(m, t)| t.as_ref().map(|t| (m, t.entries.len())))
        .flat_map(|(m, n)| (0..n).map(move |e| (m, e)))
        .collect();
    while !pending.is_empty() {
        out.passes += 1;
        let before = pending.len();
        pending.retain(|&(m, e)| {
            let Some(table) = weaks.maps[m].as_mut() else {
                unreachable!("freed tables are skipped")
            };
            let entry = &mut table.entries[e];
            match t.reached(entry.0) {
                Some(key) => {
                    entry.0 = key;
                    entry.1 = t.keep(entry.1);
                    false
                }
                None => true,
            }
        });
        if pending.len() == before {
            break;
        }
    }
    // The rest have dead keys: removed, highest position first in each
    // table (`pending` is in table, then entry order).
    out.ephemerons_removed = pending.len() as u64;
    for &(m, e) in pending.iter().rev() {
        if let Some(table) = weaks.maps[m].as_mut() {
            table.entries.swap_remove(e);
        }
    }
    for table in weaks.maps.iter_mut().flatten() {
        table.reindex();
    }
    // Finalization.
    let queue = &mut weaks.queue;
    weaks
        .registrations
        .retain_mut(|r| match t.reached(r.target) {
            Some(target) => {
                r.target = target;
                true
            }
            None => {
                queue.push_back((r.registry, r.held));
                out.queued += 1;
                false
            }
        });
    // Weak roots.
    // SAFETY: the closure only reads headers and mark bits of the heap: it
    // creates, drops and touches no root.
    unsafe {
        S::sweep_weak(set, |v| {
            let gc = v.expect("the sweep hands over uncleared weak roots only");
            *v = t.reached(gc);
            if v.is_none() {
                out.cleared += 1;
            }
        })
    };
    out
}
