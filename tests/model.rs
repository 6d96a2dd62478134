//! Model-based property tests: random sequences of heap operations run
//! under each scheme and against a plain model of the object graph (a
//! `Vec` of objects, indices for references). Every read must agree with
//! the model, and after every collection the heap's live bytes must equal
//! the size of what the model can reach from its roots: nothing rooted is
//! lost, nothing unreachable survives. Proptest shrinks a failure to a
//! minimal sequence.
//!
//! Scoped roots follow the program's frames: `Enter` allocates an object,
//! opens a scope in a new (recursive) frame and roots the object there with
//! `root!`; `Exit` returns from the frame, ending the scope and its root.
//! Persistent roots are created and released in any order.
//!
//! Each object's first data word holds its model index, so a reference read
//! out of a field can be matched to the model.

use gcroots::{Config, Heap, Local, Persistent, Ref, Roots, Scheme, Shape, root};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    /// Allocate `{fields, 8 + 8 * words}`; root it in a new frame's scope.
    Enter { fields: usize, words: usize },
    /// Root the object in `handle`'s field in a new frame's scope (if the
    /// field holds one).
    EnterField { handle: usize, field: usize },
    /// Leave the innermost frame, ending its scope.
    Exit,
    /// Persist `handle`'s object.
    Persist { handle: usize },
    /// Release the persistent root `which` (of those alive).
    Release { which: usize },
    /// Set `handle`'s field to `source`'s object, or to none.
    SetField {
        handle: usize,
        field: usize,
        source: Option<usize>,
    },
    /// Write a data word (never word 0, the identity).
    Write {
        handle: usize,
        word: usize,
        value: u64,
    },
    /// Read a data word and a field, and compare them with the model.
    Read {
        handle: usize,
        word: usize,
        field: usize,
    },
    /// Collect, then check the live bytes against the model.
    Collect,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..4usize, 0..3usize).prop_map(|(fields, words)| Op::Enter { fields, words }),
        1 => (any::<usize>(), any::<usize>())
            .prop_map(|(handle, field)| Op::EnterField { handle, field }),
        2 => Just(Op::Exit),
        1 => any::<usize>().prop_map(|handle| Op::Persist { handle }),
        1 => any::<usize>().prop_map(|which| Op::Release { which }),
        3 => (any::<usize>(), any::<usize>(), proptest::option::of(any::<usize>()))
            .prop_map(|(handle, field, source)| Op::SetField { handle, field, source }),
        1 => (any::<usize>(), any::<usize>(), any::<u64>())
            .prop_map(|(handle, word, value)| Op::Write { handle, word, value }),
        2 => (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(handle, word, field)| Op::Read { handle, word, field }),
        1 => Just(Op::Collect),
    ]
}

/// The plain model: objects by index, and which of them the roots hold.
#[derive(Default)]
struct Model {
    objects: Vec<Object>,
    /// Objects held by scoped roots, innermost last (one per frame).
    frames: Vec<usize>,
    /// Objects held by persistent roots, in creation order.
    persistent: Vec<usize>,
}

struct Object {
    fields: Vec<Option<usize>>,
    data: Vec<u64>,
}

impl Model {
    /// Handles are numbered frames first (outermost first), then
    /// persistent roots; `h` is reduced modulo their number.
    fn handle(&self, h: usize) -> Option<usize> {
        let n = self.frames.len() + self.persistent.len();
        (n > 0).then(|| h % n)
    }

    fn object_of(&self, handle: usize) -> usize {
        if handle < self.frames.len() {
            self.frames[handle]
        } else {
            self.persistent[handle - self.frames.len()]
        }
    }

    fn alloc(&mut self, fields: usize, words: usize) -> usize {
        let id = self.objects.len();
        let mut data = vec![0; 1 + words];
        data[0] = id as u64;
        self.objects.push(Object {
            fields: vec![None; fields],
            data,
        });
        id
    }

    /// Bytes reachable from the roots: what a collection must keep.
    fn live_bytes(&self) -> usize {
        let mut seen = vec![false; self.objects.len()];
        let mut stack: Vec<usize> = self
            .frames
            .iter()
            .chain(&self.persistent)
            .copied()
            .collect();
        let mut bytes = 0;
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut seen[id], true) {
                continue;
            }
            let o = &self.objects[id];
            bytes += 8 * (1 + o.fields.len() + o.data.len());
            stack.extend(o.fields.iter().flatten());
        }
        bytes
    }
}

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
}

/// The object that model handle `handle` holds, read through its root.
fn get<'h, S: Scheme>(
    heap: &'h Heap<'_, S>,
    frames: Option<&Frame<'_, S>>,
    persistent: &[Persistent<'_, S>],
    depth: usize,
    handle: usize,
) -> Ref<'h, S> {
    if handle < depth {
        // Frame `handle`, counted from the outermost: walk from the innermost.
        let mut frame = frames.expect("a frame per level");
        for _ in 0..depth - 1 - handle {
            frame = frame.parent.expect("a frame per level");
        }
        heap.get(&frame.root)
    } else {
        heap.get(&persistent[handle - depth])
    }
}

fn id<S: Scheme>(r: Ref<'_, S>) -> usize {
    r.read_u64(0) as usize
}

/// Runs ops in the current frame (depth `depth`) until an `Exit` or the end.
fn frame<'r, S: Scheme>(
    heap: &mut Heap<'r, S>,
    run: &mut Run<'_, 'r, S>,
    frames: Option<&Frame<'_, S>>,
    depth: usize,
) {
    while let Some(op) = run.ops.next() {
        let m = &mut run.model;
        match *op {
            Op::Enter { fields, words } => {
                let id = m.alloc(fields, words);
                m.frames.push(id);
                let mut scope = heap.scope();
                root!(scope, let r = scope.alloc(Shape::new(fields, 8 + 8 * words)).unwrap());
                scope.get(&r).write_u64(0, id as u64);
                let inner = Frame {
                    root: r,
                    parent: frames,
                };
                frame(&mut scope, run, Some(&inner), depth + 1);
            }
            Op::EnterField { handle, field } => {
                let Some(h) = m.handle(handle) else { continue };
                let o = &m.objects[m.object_of(h)];
                if o.fields.is_empty() {
                    continue;
                }
                let field = field % o.fields.len();
                let Some(target) = o.fields[field] else {
                    continue;
                };
                m.frames.push(target);
                let mut scope = heap.scope();
                let value = get(&scope, frames, &run.persistent, depth, h).field(field);
                let value = value.expect("the model says the field is set");
                root!(scope, let r = value);
                assert_eq!(id(scope.get(&r)), target);
                let inner = Frame {
                    root: r,
                    parent: frames,
                };
                frame(&mut scope, run, Some(&inner), depth + 1);
            }
            Op::Exit => {
                if depth > 0 {
                    m.frames.pop();
                    return;
                }
            }
            Op::Persist { handle } => {
                let Some(h) = m.handle(handle) else { continue };
                m.persistent.push(m.object_of(h));
                let p = heap.persist(get(heap, frames, &run.persistent, depth, h));
                run.persistent.push(p);
            }
            Op::Release { which } => {
                if m.persistent.is_empty() {
                    continue;
                }
                let which = which % m.persistent.len();
                m.persistent.remove(which);
                heap.release(run.persistent.remove(which)).unwrap();
            }
            Op::SetField {
                handle,
                field,
                source,
            } => {
                let Some(h) = m.handle(handle) else { continue };
                let target = m.object_of(h);
                if m.objects[target].fields.is_empty() {
                    continue;
                }
                let field = field % m.objects[target].fields.len();
                let source = source.map(|s| s % (m.frames.len() + m.persistent.len()));
                m.objects[target].fields[field] = source.map(|s| m.object_of(s));
                let p = &run.persistent;
                let value = source.map(|s| get(heap, frames, p, depth, s));
                get(heap, frames, p, depth, h).set_field(field, value);
            }
            Op::Write {
                handle,
                word,
                value,
            } => {
                let Some(h) = m.handle(handle) else { continue };
                let target = m.object_of(h);
                let o = &mut m.objects[target];
                if o.data.len() < 2 {
                    continue;
                }
                let word = 1 + word % (o.data.len() - 1);
                o.data[word] = value;
                get(heap, frames, &run.persistent, depth, h).write_u64(8 * word, value);
            }
            Op::Read {
                handle,
                word,
                field,
            } => {
                let Some(h) = m.handle(handle) else { continue };
                let o = &m.objects[m.object_of(h)];
                let r = get(heap, frames, &run.persistent, depth, h);
                let word = word % o.data.len();
                assert_eq!(r.read_u64(8 * word), o.data[word], "data word {word}");
                assert_eq!(r.shape(), Shape::new(o.fields.len(), 8 * o.data.len()));
                if !o.fields.is_empty() {
                    let field = field % o.fields.len();
                    assert_eq!(r.field(field).map(id), o.fields[field], "field {field}");
                }
            }
            Op::Collect => {
                heap.collect();
                assert_eq!(
                    heap.stats().live_bytes_after_gc,
                    m.live_bytes(),
                    "live bytes after a collection"
                );
            }
        }
    }
    // Out of ops: unwind every frame.
    if depth > 0 {
        run.model.frames.pop();
    }
}

/// Runs `ops` on a fresh heap of scheme `S` and checks it against the model.
fn check<S: Scheme>(ops: &[Op], stress: bool) {
    let roots = Roots::<S>::new();
    let config = Config {
        initial_bytes: 512,
        stress,
        poison: true,
        verify: true,
        ..Config::default()
    };
    let mut heap = Heap::new(&roots, config).unwrap();
    let mut run = Run {
        ops: ops.iter(),
        model: Model::default(),
        persistent: Vec::new(),
    };
    frame(&mut heap, &mut run, None, 0);
    assert!(run.model.frames.is_empty());
    heap.collect();
    assert_eq!(heap.stats().live_bytes_after_gc, run.model.live_bytes());
    for p in run.persistent.drain(..) {
        heap.release(p).unwrap();
    }
    heap.collect();
    assert_eq!(heap.stats().live_bytes_after_gc, 0, "every root released");
    assert_eq!(heap.root_count(), 0);
}

fn config() -> ProptestConfig {
    ProptestConfig {
        // Miri is some 1,000 times slower: a few cases still take every
        // path (the operations are the same, only fewer).
        cases: if cfg!(miri) { 4 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const MAX_OPS: usize = if cfg!(miri) { 40 } else { 200 };

proptest! {
    #![proptest_config(config())]

    #[cfg(feature = "intrusive")]
    #[test]
    fn intrusive_matches_the_model(ops in prop::collection::vec(op(), 1..MAX_OPS), stress: bool) {
        check::<gcroots::Intrusive>(&ops, stress);
    }

    #[cfg(feature = "indexed")]
    #[test]
    fn indexed_matches_the_model(ops in prop::collection::vec(op(), 1..MAX_OPS), stress: bool) {
        check::<gcroots::Indexed>(&ops, stress);
    }
}
