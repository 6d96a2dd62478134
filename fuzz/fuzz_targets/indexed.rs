//! `gcroots-indexed` on its own, against a model: scopes entered and exited
//! in any order (and marks and handles of another table), scoped roots and
//! vectors, owned roots and vectors (cloned, dropped, released), manual
//! roots, a scope guard over a swapped table, with the collector's `trace`
//! rewriting every value. Every read must be the model's value or the
//! model's error, and `trace` must visit exactly the model's live values.

#![no_main]

use std::collections::HashMap;

use arbitrary::Arbitrary;
use gcroots_indexed::{HandleError, ManualRoot, Mark, OwnedRoot, OwnedVec, RootTable, ScopedRoot, ScopedVec};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Enter,
    Exit(u16),
    ForeignExit(u16),
    Root(u32),
    Get(u16),
    Set(u16, u32),
    Owned(u32),
    Clone(u16),
    Drop(u16),
    Release(u16),
    Manual(u32),
    Unroot(u16),
    ScopedVec,
    OwnedVec,
    VecPush(u16, u32),
    VecPop(u16),
    VecGet(u16, u16),
    WrongTable(u16),
    SwappedScope(u32),
    Trim,
    Trace(u8),
}

/// A handle, and how to find its model.
enum Handle {
    Scoped(ScopedRoot, usize, u64),
    Owned(OwnedRoot, usize),
    Manual(ManualRoot, usize),
    ScopedVec(ScopedVec, u64),
    OwnedVec(OwnedVec, usize),
}

/// The model of a table.
#[derive(Default)]
struct Model {
    /// The LIFO: generation, and the value (none for a vector's marker).
    lifo: Vec<(u64, Option<u64>)>,
    next_generation: u64,
    /// Scoped vectors by their marker's generation.
    scoped_vecs: HashMap<u64, Vec<u64>>,
    /// Owned slots (values or vectors), by model id.
    owned: Vec<u64>,
    owned_vecs: Vec<Vec<u64>>,
    manual: Vec<Option<u64>>,
}

impl Model {
    fn generation(&mut self) -> u64 {
        self.next_generation += 1;
        self.next_generation
    }

    fn alive(&self, index: usize, generation: u64) -> bool {
        self.lifo.get(index).is_some_and(|e| e.0 == generation)
    }

    fn marker_alive(&self, generation: u64) -> bool {
        self.lifo.iter().any(|e| e.0 == generation && e.1.is_none())
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut t = RootTable::<u64>::new();
    let mut other = RootTable::<u64>::new();
    let mut m = Model::default();
    let mut handles: Vec<Handle> = Vec::new();
    let mut marks: Vec<(Mark, usize)> = Vec::new();
    let pick = |i: u16, n: usize| (n > 0).then(|| usize::from(i) % n);
    for op in ops.iter().take(512) {
        match *op {
            Op::Enter => marks.push((t.enter(), m.lifo.len())),
            Op::Exit(i) => {
                if let Some(i) = pick(i, marks.len()) {
                    let (mark, len) = marks[i];
                    t.exit(mark);
                    m.lifo.truncate(len);
                }
            }
            Op::ForeignExit(i) => {
                if let Some(i) = pick(i, marks.len()) {
                    assert!(matches!(other.try_exit(marks[i].0), Err(HandleError::WrongTable { .. })));
                }
            }
            Op::Root(v) => {
                let h = t.root(u64::from(v));
                let g = m.generation();
                m.lifo.push((g, Some(u64::from(v))));
                handles.push(Handle::Scoped(h, m.lifo.len() - 1, g));
            }
            Op::Get(i) | Op::Set(i, _) => {
                let Some(i) = pick(i, handles.len()) else { continue };
                let new = if let Op::Set(_, v) = *op { Some(u64::from(v)) } else { None };
                match &handles[i] {
                    Handle::Scoped(h, index, g) => {
                        let alive = m.alive(*index, *g);
                        match new {
                            None => {
                                let got = t.get(*h);
                                if alive {
                                    assert_eq!(got, Ok(m.lifo[*index].1.unwrap()));
                                } else {
                                    assert!(matches!(got, Err(HandleError::Stale { .. })));
                                }
                            }
                            Some(v) => {
                                assert_eq!(t.set(*h, v).is_ok(), alive);
                                if alive {
                                    m.lifo[*index].1 = Some(v);
                                }
                            }
                        }
                    }
                    Handle::Owned(h, slot) => match new {
                        None => assert_eq!(t.get_owned(h), Ok(m.owned[*slot])),
                        Some(v) => {
                            t.set_owned(h, v).unwrap();
                            m.owned[*slot] = v;
                        }
                    },
                    Handle::Manual(h, slot) => match new {
                        None => assert_eq!(t.get_manual(h), Ok(m.manual[*slot].unwrap())),
                        Some(v) => {
                            t.set_manual(h, v).unwrap();
                            m.manual[*slot] = Some(v);
                        }
                    },
                    _ => {}
                }
            }
            Op::Owned(v) => {
                handles.push(Handle::Owned(t.root_owned(u64::from(v)), m.owned.len()));
                m.owned.push(u64::from(v));
            }
            Op::Clone(i) => {
                if let Some(i) = pick(i, handles.len()) {
                    match &handles[i] {
                        Handle::Owned(h, s) => handles.push(Handle::Owned(h.clone(), *s)),
                        Handle::OwnedVec(h, s) => handles.push(Handle::OwnedVec(h.clone(), *s)),
                        _ => {}
                    }
                }
            }
            Op::Drop(i) => {
                if let Some(i) = pick(i, handles.len()) {
                    if !matches!(handles[i], Handle::Manual(..)) {
                        handles.swap_remove(i);
                    }
                }
            }
            Op::Release(i) => {
                if let Some(i) = pick(i, handles.len()) {
                    match handles.swap_remove(i) {
                        Handle::Owned(h, _) => t.release(h).unwrap(),
                        Handle::OwnedVec(h, _) => t.release_vec(h).unwrap(),
                        Handle::Manual(h, s) => {
                            assert_eq!(t.unroot(h), Ok(m.manual[s].take().unwrap()));
                        }
                        h => handles.push(h),
                    }
                }
            }
            Op::Manual(v) => {
                handles.push(Handle::Manual(t.root_manual(u64::from(v)), m.manual.len()));
                m.manual.push(Some(u64::from(v)));
            }
            Op::Unroot(i) => {
                if let Some(i) = pick(i, handles.len()) {
                    if let Handle::Manual(..) = handles[i] {
                        if let Handle::Manual(h, s) = handles.swap_remove(i) {
                            assert_eq!(t.unroot(h), Ok(m.manual[s].take().unwrap()));
                        }
                    }
                }
            }
            Op::ScopedVec => {
                let h = t.root_vec();
                let g = m.generation();
                m.lifo.push((g, None));
                m.scoped_vecs.insert(g, Vec::new());
                handles.push(Handle::ScopedVec(h, g));
            }
            Op::OwnedVec => {
                handles.push(Handle::OwnedVec(t.root_vec_owned(), m.owned_vecs.len()));
                m.owned_vecs.push(Vec::new());
            }
            Op::VecPush(i, v) => {
                let Some(i) = pick(i, handles.len()) else { continue };
                let v = u64::from(v);
                match &handles[i] {
                    Handle::ScopedVec(h, g) => {
                        let alive = m.marker_alive(*g);
                        assert_eq!(t.vec_push(h, v).is_ok(), alive);
                        if alive {
                            m.scoped_vecs.get_mut(g).unwrap().push(v);
                        }
                    }
                    Handle::OwnedVec(h, s) => {
                        t.vec_push(h, v).unwrap();
                        m.owned_vecs[*s].push(v);
                    }
                    _ => {}
                }
            }
            Op::VecPop(i) => {
                let Some(i) = pick(i, handles.len()) else { continue };
                match &handles[i] {
                    Handle::ScopedVec(h, g) => {
                        if m.marker_alive(*g) {
                            assert_eq!(t.vec_pop(h), Ok(m.scoped_vecs.get_mut(g).unwrap().pop()));
                        } else {
                            assert!(matches!(t.vec_pop(h), Err(HandleError::Stale { .. })));
                        }
                    }
                    Handle::OwnedVec(h, s) => assert_eq!(t.vec_pop(h), Ok(m.owned_vecs[*s].pop())),
                    _ => {}
                }
            }
            Op::VecGet(i, k) => {
                let Some(i) = pick(i, handles.len()) else { continue };
                let k = usize::from(k);
                match &handles[i] {
                    Handle::ScopedVec(h, g) => {
                        if m.marker_alive(*g) {
                            let vs = &m.scoped_vecs[g];
                            assert_eq!(t.vec_get(h, k % (vs.len() + 1)), Ok(vs.get(k % (vs.len() + 1)).copied()));
                            assert_eq!(t.vec_len(h), Ok(vs.len()));
                        } else {
                            assert!(t.vec_len(h).is_err());
                        }
                    }
                    Handle::OwnedVec(h, s) => {
                        let vs = &m.owned_vecs[*s];
                        assert_eq!(t.vec_get(h, k % (vs.len() + 1)), Ok(vs.get(k % (vs.len() + 1)).copied()));
                    }
                    _ => {}
                }
            }
            Op::WrongTable(i) => {
                let Some(i) = pick(i, handles.len()) else { continue };
                let wrong = |e: Result<_, HandleError>| matches!(e, Err(HandleError::WrongTable { .. }));
                let refused = match &handles[i] {
                    Handle::Scoped(h, ..) => wrong(other.get(*h).map(drop)),
                    Handle::Owned(h, _) => wrong(other.get_owned(h).map(drop)),
                    Handle::Manual(h, _) => wrong(other.get_manual(h).map(drop)),
                    Handle::ScopedVec(h, _) => wrong(other.vec_len(h).map(drop)),
                    Handle::OwnedVec(h, _) => wrong(other.vec_len(h).map(drop)),
                };
                assert!(refused);
            }
            Op::SwappedScope(v) => {
                {
                    let mut s = t.scope();
                    let h = s.root(u64::from(v));
                    let g = m.generation();
                    m.lifo.push((g, Some(u64::from(v))));
                    handles.push(Handle::Scoped(h, m.lifo.len() - 1, g));
                    std::mem::swap(&mut *s, &mut other);
                } // the guard exits on a table that did not issue its mark: nothing released
                std::mem::swap(&mut t, &mut other);
            }
            Op::Trim => t.trim(),
            Op::Trace(delta) => {
                let delta = u64::from(delta);
                t.trace(|v| *v = v.wrapping_add(delta));
                let bump = |v: &mut u64| *v = v.wrapping_add(delta);
                m.lifo.iter_mut().filter_map(|e| e.1.as_mut()).for_each(bump);
                let live_markers: Vec<u64> = m.lifo.iter().filter(|e| e.1.is_none()).map(|e| e.0).collect();
                for g in live_markers {
                    m.scoped_vecs.get_mut(&g).unwrap().iter_mut().for_each(bump);
                }
                // Owned slots are only traced while a handle holds them.
                let held: Vec<usize> = handles.iter().filter_map(|h| match h {
                    Handle::Owned(_, s) => Some(*s),
                    _ => None,
                }).collect();
                for s in unique(held) {
                    bump(&mut m.owned[s]);
                }
                let held: Vec<usize> = handles.iter().filter_map(|h| match h {
                    Handle::OwnedVec(_, s) => Some(*s),
                    _ => None,
                }).collect();
                for s in unique(held) {
                    m.owned_vecs[s].iter_mut().for_each(bump);
                }
                m.manual.iter_mut().flatten().for_each(bump);
            }
        }
        // What a collection would see: exactly the model's live values.
        let mut traced = Vec::new();
        t.trace(|v| traced.push(*v));
        let mut expected: Vec<u64> = m.lifo.iter().filter_map(|e| e.1).collect();
        for e in &m.lifo {
            if e.1.is_none() {
                expected.extend(&m.scoped_vecs[&e.0]);
            }
        }
        let owned: Vec<usize> = handles.iter().filter_map(|h| match h {
            Handle::Owned(_, s) => Some(*s),
            _ => None,
        }).collect();
        expected.extend(unique(owned).into_iter().map(|s| m.owned[s]));
        let owned_vecs: Vec<usize> = handles.iter().filter_map(|h| match h {
            Handle::OwnedVec(_, s) => Some(*s),
            _ => None,
        }).collect();
        for s in unique(owned_vecs) {
            expected.extend(&m.owned_vecs[s]);
        }
        expected.extend(m.manual.iter().flatten());
        traced.sort();
        expected.sort();
        assert_eq!(traced, expected);
    }
    // Manual roots left are leaked into the table, which frees them.
    drop(handles);
});

/// The distinct values of `v`.
fn unique(mut v: Vec<usize>) -> Vec<usize> {
    v.sort();
    v.dedup();
    v
}
