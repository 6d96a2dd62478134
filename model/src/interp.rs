//! The interpreter: runs [`Op`]s on two real heaps and on the model, and
//! checks that they agree.

use gcroots::{
    AllocError, Config, FinalizationRegistry, Heap, Local, MAX_BYTES, MAX_FIELDS, Persistent,
    PersistentVec, Ref, Root, RootError, RootVec, Roots, Scheme, Shape, Weak, WeakMap, root,
};

use crate::model::Model;
use crate::{Event, Op, Trace};

/// The scoped roots of the frames below the current one, innermost first.
struct Frame<'a, S: Scheme> {
    root: Local<'a, S>,
    parent: Option<&'a Frame<'a, S>>,
}

/// Everything the frames share.
struct Run<'p, 'r, S: Scheme> {
    ops: std::slice::Iter<'p, Op>,
    model: Model,
    persistent: Vec<Persistent<'r, S>>,
    /// Each physical heap's vector root (dropped at the end).
    vectors: Vec<PersistentVec<'r, S>>,
    /// The weak roots, as the model's `weak`.
    weak: Vec<Weak<'r, S>>,
    /// Each physical heap's ephemeron table and finalization registry.
    maps: [WeakMap; 2],
    registries: [FinalizationRegistry; 2],
    /// The next registration's held value.
    next_held: u64,
    trace: Trace,
    stress: bool,
    /// The scheme finds stack roots conservatively: a stale word on the
    /// stack may keep a dead object, so the heap's live bytes are at least
    /// the model's (never fewer: nothing reachable is lost), and an
    /// allocation may be refused with less live in the model.
    conservative: bool,
}

/// Checks the heap's live bytes against the model's: equal, or under the
/// conservative scheme at least as many.
#[track_caller]
fn check_live(conservative: bool, heap: usize, model: usize, what: &str) {
    if conservative {
        assert!(
            heap >= model,
            "{what}: {heap} bytes live in the heap, fewer than the model's {model}"
        );
    } else {
        assert_eq!(heap, model, "{what}");
    }
}

/// The two heaps, by label (the variable that holds each).
type Heaps<'a, 'r, S> = [&'a mut Heap<'r, S>; 2];

/// An object's identity: its model index, in data word 0.
fn id<S: Scheme>(r: Ref<'_, S>) -> u64 {
    r.read_u64(0)
}

impl<S: Scheme> Run<'_, '_, S> {
    /// The label of the variable that holds physical heap `p`.
    fn label_of(&self, p: usize) -> usize {
        usize::from(self.model.labels[0] != p)
    }

    /// The physical heap of the object handle `h` holds.
    fn heap_of(&self, h: usize) -> usize {
        self.model.objects[self.model.object_of(h)].heap
    }

    /// Checks an allocation of `words` words in physical heap `p` against
    /// the model and records it: it fails with `TooLarge` exactly when it
    /// is over the limit on its own; with `OutOfMemory` only when the live
    /// data plus the request exceed the limit, and then always in stress
    /// mode (which collects first).
    fn check_alloc(
        &mut self,
        p: usize,
        words: usize,
        limit_bytes: usize,
        outcome: Result<(), AllocError>,
    ) {
        let max = limit_bytes / 8;
        let live = self.model.live_bytes(p) / 8;
        match outcome {
            Ok(()) => assert!(
                words <= max && (!self.stress || live + words <= max),
                "an allocation of {words} words succeeded with {live} words live and a limit of {max}"
            ),
            Err(AllocError::TooLarge { .. }) => {
                assert!(words > max, "TooLarge for {words} words, limit {max}")
            }
            Err(AllocError::OutOfMemory { live: l, .. }) => {
                check_live(
                    self.conservative,
                    l,
                    live * 8,
                    "OutOfMemory reports the live data",
                );
                assert!(words <= max, "OutOfMemory for a request over the limit");
                assert!(
                    l / 8 + words > max,
                    "OutOfMemory with {} + {words} <= {max} words",
                    l / 8
                );
            }
            Err(e) => panic!("unexpected allocation failure: {e}"),
        }
        self.trace.push(Event::Alloc(outcome));
    }
}

impl<S: Scheme> Run<'_, '_, S> {
    /// After a full collection of physical heap `p` (label `l`'s heap):
    /// every weak root, ephemeron entry and registration of it agrees
    /// with the model's reachability.
    fn check_weak(&mut self, p: usize, heap: &Heap<'_, S>) {
        let reach = self.model.reachable(p);
        let conservative = self.conservative;
        let objects = &self.model.objects;
        for (i, (obj, cleared)) in self.model.weak.iter_mut().enumerate() {
            if objects[*obj].heap != p {
                continue;
            }
            let got = self.weak[i].upgrade(heap).map(id);
            if reach[*obj] {
                assert_eq!(got, Some(*obj as u64), "a reachable object's weak root");
            } else {
                assert!(
                    conservative || got.is_none(),
                    "the weak root of unreachable object {obj} survived a full collection"
                );
                if let Some(g) = got {
                    assert_eq!(g, *obj as u64, "a weak root reads another object");
                }
                *cleared |= got.is_none();
            }
        }
        self.model.maps[p].retain(|&(k, _)| reach[k]);
        let entries = self.maps[p].len(heap);
        check_live(
            conservative,
            entries,
            self.model.maps[p].len(),
            "ephemeron entries after a collection",
        );
        let dead = self
            .model
            .registrations
            .iter()
            .filter(|&&(t, _)| objects[t].heap == p && !reach[t])
            .count();
        let pending = heap.pending_finalizers();
        if conservative {
            assert!(pending <= dead, "{pending} queued, {dead} dead targets");
        } else {
            assert_eq!(pending, dead, "held values queued after a full collection");
        }
    }
}

/// The root of frame `h` (counted from the outermost), walking from the
/// innermost.
fn frame_root<'a, S: Scheme>(
    frames: Option<&Frame<'a, S>>,
    depth: usize,
    h: usize,
) -> Local<'a, S> {
    let mut frame = frames.expect("a frame per level");
    for _ in 0..depth - 1 - h {
        frame = frame.parent.expect("a frame per level");
    }
    frame.root
}

/// The object handle `h` holds, read through its root, on the heap that
/// root belongs to.
fn get<'h, S: Scheme>(
    run: &Run<'_, '_, S>,
    heap: &'h Heap<'_, S>,
    frames: Option<&Frame<'_, S>>,
    depth: usize,
    h: usize,
) -> Ref<'h, S> {
    if h < depth {
        heap.get(&frame_root(frames, depth, h))
    } else {
        heap.get(&run.persistent[h - depth])
    }
}

/// Runs ops in the current frame (depth `depth`) until an `Exit` or the end.
fn frame<'r, S: Scheme>(
    run: &mut Run<'_, 'r, S>,
    mut hs: Heaps<'_, 'r, S>,
    frames: Option<&Frame<'_, S>>,
    depth: usize,
) {
    while let Some(op) = run.ops.next() {
        match *op {
            Op::Enter {
                heap,
                fields,
                words,
            } => {
                let l = usize::from(heap % 2);
                let p = run.model.labels[l];
                let (fields, words) = (usize::from(fields % 4), usize::from(words % 3));
                let shape = Shape::new(fields, 8 + 8 * words);
                let [a, b] = &mut hs;
                let (target, other) = if l == 0 { (a, b) } else { (b, a) };
                let limit = target.limit_bytes();
                'enter: {
                    let mut scope = target.scope();
                    root!(scope, let r = match scope.alloc(shape) {
                        Ok(r) => r,
                        Err(e) => {
                            run.check_alloc(p, 2 + fields + words, limit, Err(e));
                            break 'enter;
                        }
                    });
                    run.check_alloc(p, 2 + fields + words, limit, Ok(()));
                    let id = run.model.alloc(p, fields, words);
                    run.model.frames.push(id);
                    scope.get(&r).write_u64(0, id as u64);
                    let inner = Frame {
                        root: r,
                        parent: frames,
                    };
                    let hs2: Heaps<'_, 'r, S> = if l == 0 {
                        [&mut scope, &mut **other]
                    } else {
                        [&mut **other, &mut scope]
                    };
                    frame(run, hs2, Some(&inner), depth + 1);
                }
            }
            Op::EnterField { handle, field } => {
                let Some(h) = run.model.handle(handle) else {
                    continue;
                };
                let o = &run.model.objects[run.model.object_of(h)];
                if o.fields.is_empty() {
                    continue;
                }
                let field = usize::from(field) % o.fields.len();
                let Some(target_id) = o.fields[field] else {
                    continue;
                };
                let l = run.label_of(run.heap_of(h));
                run.model.frames.push(target_id);
                let [a, b] = &mut hs;
                let (target, other) = if l == 0 { (a, b) } else { (b, a) };
                let mut scope = target.scope();
                root!(scope, let r = get(run, &scope, frames, depth, h)
                    .field(field)
                    .expect("the model says the field is set"));
                assert_eq!(id(scope.get(&r)), target_id as u64);
                let inner = Frame {
                    root: r,
                    parent: frames,
                };
                let hs2: Heaps<'_, 'r, S> = if l == 0 {
                    [&mut scope, &mut **other]
                } else {
                    [&mut **other, &mut scope]
                };
                frame(run, hs2, Some(&inner), depth + 1);
            }
            Op::Exit => {
                if depth > 0 {
                    run.model.frames.pop();
                    return;
                }
            }
            Op::Persist { handle } => {
                let Some(h) = run.model.handle(handle) else {
                    continue;
                };
                let heap = &*hs[run.label_of(run.heap_of(h))];
                let p = heap.persist(get(run, heap, frames, depth, h));
                run.model.persistent.push(run.model.object_of(h));
                run.persistent.push(p);
            }
            Op::Release { which } | Op::DropPersistent { which } => {
                if run.persistent.is_empty() {
                    continue;
                }
                let which = usize::from(which) % run.persistent.len();
                let p = run.model.objects[run.model.persistent[which]].heap;
                run.model.persistent.remove(which);
                let root = run.persistent.remove(which);
                if matches!(op, Op::Release { .. }) {
                    hs[run.label_of(p)]
                        .release(root)
                        .expect("a root of this heap");
                } else {
                    drop(root);
                }
            }
            Op::SetField {
                handle,
                field,
                source,
            } => {
                let Some(h) = run.model.handle(handle) else {
                    continue;
                };
                let target = run.model.object_of(h);
                let n = run.model.objects[target].fields.len();
                if n == 0 {
                    continue;
                }
                let field = usize::from(field) % n;
                let source = source.map(|s| usize::from(s) % run.model.handles());
                // A field can only hold an object of its own heap (across
                // heaps `set_field` panics: a conformance test).
                if source.is_some_and(|s| run.heap_of(s) != run.heap_of(h)) {
                    continue;
                }
                run.model.objects[target].fields[field] = source.map(|s| run.model.object_of(s));
                let heap = &*hs[run.label_of(run.heap_of(h))];
                let value = source.map(|s| get(run, heap, frames, depth, s));
                get(run, heap, frames, depth, h).set_field(field, value);
            }
            Op::Write {
                handle,
                word,
                value,
            } => {
                let Some(h) = run.model.handle(handle) else {
                    continue;
                };
                let target = run.model.object_of(h);
                let o = &mut run.model.objects[target];
                if o.data.len() < 2 {
                    continue;
                }
                let word = 1 + usize::from(word) % (o.data.len() - 1);
                o.data[word] = value;
                let heap = &*hs[run.label_of(run.heap_of(h))];
                get(run, heap, frames, depth, h).write_u64(8 * word, value);
            }
            Op::Read {
                handle,
                word,
                field,
            } => {
                let Some(h) = run.model.handle(handle) else {
                    continue;
                };
                let o = &run.model.objects[run.model.object_of(h)];
                let heap = &*hs[run.label_of(run.heap_of(h))];
                let r = get(run, heap, frames, depth, h);
                let word = usize::from(word) % o.data.len();
                assert_eq!(r.read_u64(8 * word), o.data[word], "data word {word}");
                assert_eq!(r.shape(), Shape::new(o.fields.len(), 8 * o.data.len()));
                let f = if o.fields.is_empty() {
                    None
                } else {
                    let field = usize::from(field) % o.fields.len();
                    let got = r.field(field).map(id);
                    assert_eq!(got, o.fields[field].map(|f| f as u64), "field {field}");
                    got
                };
                let e = Event::Read(r.read_u64(8 * word), f);
                run.trace.push(e);
            }
            Op::Collect { heap } => {
                let l = usize::from(heap % 2);
                let p = run.model.labels[l];
                hs[l].collect();
                let live = hs[l].stats().live_bytes_after_gc;
                check_live(
                    run.conservative,
                    live,
                    run.model.live_bytes(p),
                    "live bytes after a collection",
                );
                run.trace.push(Event::Live(live));
                run.check_weak(p, hs[l]);
            }
            Op::Weak { handle } => {
                let Some(h) = run.model.handle(handle) else {
                    continue;
                };
                let heap = &*hs[run.label_of(run.heap_of(h))];
                let w = heap.roots().weak(get(run, heap, frames, depth, h));
                run.weak.push(w);
                run.model.weak.push((run.model.object_of(h), false));
            }
            Op::DropWeak { which } => {
                if run.weak.is_empty() {
                    continue;
                }
                let which = usize::from(which) % run.weak.len();
                run.weak.remove(which);
                run.model.weak.remove(which);
            }
            Op::Upgrade { which } => {
                if run.weak.is_empty() {
                    continue;
                }
                let which = usize::from(which) % run.weak.len();
                let (obj, cleared) = run.model.weak[which];
                let p = run.model.objects[obj].heap;
                let heap = &*hs[run.label_of(p)];
                let got = run.weak[which].upgrade(heap).map(id);
                match got {
                    // Reachable, or not yet found dead by a collection.
                    Some(g) => {
                        assert!(!cleared, "a cleared weak root reads {g}");
                        assert_eq!(g, obj as u64, "a weak root reads another object");
                    }
                    // (The model's reachability only when it decides.)
                    None => assert!(
                        !run.model.reachable(p)[obj],
                        "the weak root of reachable object {obj} was cleared"
                    ),
                }
                run.trace.push(Event::Weak(got));
            }
            Op::MapInsert { handle, value } => {
                let Some(h) = run.model.handle(handle) else {
                    continue;
                };
                let v = usize::from(value) % run.model.handles();
                let p = run.heap_of(h);
                if run.heap_of(v) != p {
                    continue; // refused across heaps: a weak-suite test
                }
                let heap = &*hs[run.label_of(p)];
                run.maps[p].insert(
                    get(run, heap, frames, depth, h),
                    get(run, heap, frames, depth, v),
                );
                let (key, value) = (run.model.object_of(h), run.model.object_of(v));
                let map = &mut run.model.maps[p];
                match map.iter_mut().find(|(k, _)| *k == key) {
                    Some(entry) => entry.1 = value,
                    None => map.push((key, value)),
                }
            }
            Op::MapGet { handle } | Op::MapRemove { handle } => {
                let Some(h) = run.model.handle(handle) else {
                    continue;
                };
                let p = run.heap_of(h);
                let key = run.model.object_of(h);
                let heap = &*hs[run.label_of(p)];
                let k = get(run, heap, frames, depth, h);
                let expected = run.model.maps[p]
                    .iter()
                    .find(|&&(k, _)| k == key)
                    .map(|&(_, v)| v as u64);
                let got = if matches!(op, Op::MapGet { .. }) {
                    run.maps[p].get(k).map(id)
                } else {
                    run.model.maps[p].retain(|&(k, _)| k != key);
                    run.maps[p]
                        .remove(k)
                        .then_some(expected.unwrap_or(u64::MAX))
                };
                assert_eq!(got, expected, "an ephemeron table's entry for {key}");
                run.trace.push(Event::Weak(got));
            }
            Op::Register { handle } => {
                let Some(h) = run.model.handle(handle) else {
                    continue;
                };
                let p = run.heap_of(h);
                let heap = &*hs[run.label_of(p)];
                let held = run.next_held;
                run.next_held += 1;
                run.registries[p].register(get(run, heap, frames, depth, h), held);
                run.model.registrations.push((run.model.object_of(h), held));
            }
            Op::Unregister { which } => {
                if run.model.registrations.is_empty() {
                    continue;
                }
                let which = usize::from(which) % run.model.registrations.len();
                let (target, held) = run.model.registrations.remove(which);
                let p = run.model.objects[target].heap;
                let ended = run.registries[p].unregister(hs[run.label_of(p)], held);
                assert_eq!(ended, 1, "registration {held} ends, queued or not");
            }
            Op::RunFinalizers { heap } => {
                let l = usize::from(heap % 2);
                let p = run.model.labels[l];
                let mut got = Vec::new();
                hs[l].run_finalizers(|_, registry, held| {
                    assert_eq!(registry, run.registries[p], "another heap's registry");
                    got.push(held);
                });
                let reach = if got.is_empty() {
                    Vec::new()
                } else {
                    run.model.reachable(p)
                };
                for &held in &got {
                    let at = run
                        .model
                        .registrations
                        .iter()
                        .position(|&(_, h)| h == held)
                        .unwrap_or_else(|| panic!("held value {held}: not registered, or twice"));
                    let (target, _) = run.model.registrations.remove(at);
                    assert!(
                        !reach[target],
                        "held value {held} handed over while object {target} is reachable"
                    );
                }
                run.trace.push(Event::Finalized(got));
            }
            Op::Garbage { heap, words } => {
                let l = usize::from(heap % 2);
                let p = run.model.labels[l];
                let w = usize::from(words % 64);
                let limit = hs[l].limit_bytes();
                let outcome = hs[l].alloc(Shape::new(0, 8 * w)).map(|_| ());
                run.check_alloc(p, 1 + w, limit, outcome);
            }
            Op::TooLarge { heap, kind } => {
                let l = usize::from(heap % 2);
                let max_words = hs[l].limit_bytes() / 8;
                let shape = match kind % 3 {
                    0 => Shape::new(MAX_FIELDS + 1, 0),
                    1 => Shape::new(0, MAX_BYTES + 1),
                    _ => Shape::new(max_words, 0), // one header word over
                };
                let outcome = hs[l].alloc(shape).map(|_| ());
                assert!(
                    matches!(outcome, Err(AllocError::TooLarge { .. })),
                    "{shape:?}: {outcome:?}"
                );
                run.trace.push(Event::Alloc(outcome));
            }
            Op::VecPush { handle } => {
                let Some(h) = run.model.handle(handle) else {
                    continue;
                };
                let p = run.heap_of(h);
                let heap = &*hs[run.label_of(p)];
                run.vectors[p].push(get(run, heap, frames, depth, h));
                run.model.vectors[p].push(run.model.object_of(h));
            }
            Op::VecPop { heap } => {
                let l = usize::from(heap % 2);
                let p = run.model.labels[l];
                let got = run.vectors[p].pop(hs[l]).map(id);
                let expected = run.model.vectors[p].pop().map(|o| o as u64);
                assert_eq!(got, expected, "popped from a vector root");
                run.trace.push(Event::Vec(got));
            }
            Op::VecRead { heap, index } => {
                let l = usize::from(heap % 2);
                let p = run.model.labels[l];
                let index = usize::from(index) % (run.model.vectors[p].len() + 1);
                let got = run.vectors[p].get(hs[l], index).map(id);
                let expected = run.model.vectors[p].get(index).map(|&o| o as u64);
                assert_eq!(got, expected, "element {index} of a vector root");
                assert_eq!(run.vectors[p].len(hs[l]), run.model.vectors[p].len());
                run.trace.push(Event::Vec(got));
            }
            Op::WrongHeap { handle } => {
                let Some(h) = run.model.handle(handle) else {
                    continue;
                };
                let other = &*hs[1 - run.label_of(run.heap_of(h))];
                let err = if h < depth {
                    frame_root(frames, depth, h).try_get(other).err()
                } else {
                    run.persistent[h - depth].try_get(other).err()
                };
                assert_eq!(err, Some(RootError::WrongHeap));
                run.trace.push(Event::Refused(RootError::WrongHeap));
            }
            Op::SwapHeaps => {
                if depth == 0 {
                    let [a, b] = &mut hs;
                    std::mem::swap(&mut **a, &mut **b);
                    run.model.labels.swap(0, 1);
                }
            }
            Op::SwappedScope => {
                let err = swapped_scope::<S>();
                assert_eq!(err, RootError::WrongHeap);
                run.trace.push(Event::Refused(err));
            }
        }
    }
    // Out of ops: unwind every frame.
    if depth > 0 {
        run.model.frames.pop();
    }
}

/// Two fresh heaps; a scope over one with a root in it; the heap behind the
/// scope swapped for the other. `escape` must refuse the root, and the
/// scope's drop (which meets a table that did not issue its mark) must not
/// panic; both heaps must work afterwards.
fn swapped_scope<S: Scheme>() -> RootError {
    let (ra, rb) = (Roots::<S>::new(), Roots::<S>::new());
    // Semispace zeal; mark-region zeal for the conservative scheme, which
    // accepts no other mode.
    let config = if S::NAME == "conservative" {
        Config::zeal().with_mark_region()
    } else {
        Config::zeal()
    };
    let mut a = Heap::new(&ra, config.clone()).expect("zeal is valid");
    let mut b = Heap::new(&rb, config).expect("zeal is valid");
    let err = {
        let mut scope = a.scope();
        root!(scope, let x = scope.alloc(Shape::new(1, 8)).expect("a small heap has room"));
        std::mem::swap(&mut *scope, &mut b);
        scope
            .try_escape(&x)
            .expect_err("a root of the heap swapped away")
    };
    a.collect();
    b.collect();
    root!(a, let y = a.alloc(Shape::new(0, 8)).expect("the heap still works"));
    assert_eq!(a.get(&y).shape(), Shape::new(0, 8));
    err
}

pub(crate) fn run<S: Scheme>(ops: &[Op], config: &Config) -> Trace {
    let (r0, r1) = (Roots::<S>::new(), Roots::<S>::new());
    let mut h0 = Heap::new(&r0, config.clone()).expect("a valid configuration");
    let mut h1 = Heap::new(&r1, config.clone()).expect("a valid configuration");
    let vectors = vec![h0.persist_vec(), h1.persist_vec()];
    let maps = [h0.weak_map(), h1.weak_map()];
    let registries = [h0.finalization_registry(), h1.finalization_registry()];
    let mut run = Run {
        ops: ops.iter(),
        model: Model::new(),
        persistent: Vec::new(),
        vectors,
        weak: Vec::new(),
        maps,
        registries,
        next_held: 0,
        trace: Trace::new(),
        stress: config.stress,
        conservative: S::NAME == "conservative",
    };
    frame(&mut run, [&mut h0, &mut h1], None, 0);
    assert!(run.model.frames.is_empty());
    // Everything still rooted survives a last collection of each heap...
    let mut hs = [&mut h0, &mut h1];
    for (l, heap) in hs.iter_mut().enumerate() {
        heap.collect();
        let p = run.model.labels[l];
        let live = heap.stats().live_bytes_after_gc;
        check_live(
            run.conservative,
            live,
            run.model.live_bytes(p),
            "at the end",
        );
    }
    // ... and nothing once the roots are gone.
    for (k, p) in run.persistent.drain(..).enumerate() {
        if k % 2 == 0 {
            drop(p);
        } else {
            let heap_of = |h: &Heap<'_, S>| p.try_get(h).is_ok();
            let l = usize::from(!heap_of(hs[0]));
            hs[l].release(p).expect("a root of this heap");
        }
    }
    run.model.persistent.clear();
    run.vectors.clear();
    run.model.vectors = [Vec::new(), Vec::new()];
    for (l, heap) in hs.into_iter().enumerate() {
        heap.collect();
        let live = heap.stats().live_bytes_after_gc;
        check_live(run.conservative, live, 0, "every root gone");
        assert_eq!(heap.root_count(), 0);
        // Nothing is reachable: every weak reference of the heap is gone.
        run.check_weak(run.model.labels[l], heap);
    }
    run.trace
}
