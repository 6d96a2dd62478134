//! `gcroots-intrusive` on its own, against a model: stack roots (boxed, so
//! that they can be dropped in any order), pinned persistent roots (unlinked
//! and relinked), pooled roots (cloned), vector roots, in any order of
//! creation and drop, with the collector's `trace` rewriting every value.
//! After each step the traced values, and each root's own value, must be
//! the model's.

#![no_main]

use std::pin::Pin;

use arbitrary::Arbitrary;
use gcroots_intrusive::{PersistentRoot, PooledRoot, RootList, StackRoot, VecRoot};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Stack(u32),
    Persistent(u32),
    Pooled(u32),
    ClonePooled(u16),
    Vector,
    VecPush(u16, u32),
    VecPop(u16),
    VecSet(u16, u16, u32),
    Unlink(u16),
    Relink(u16),
    Drop(u16),
    Store(u16, u32),
    Trace(u8),
}

/// A root of any kind, and what the model says it holds.
enum Root<'l> {
    Stack(Pin<Box<StackRoot<'l, u64>>>, u64),
    /// The root, its value, and whether it is linked.
    Persistent(Pin<Box<PersistentRoot<'l, u64>>>, u64, bool),
    Pooled(PooledRoot<'l, u64>, u64),
    Vector(Pin<Box<VecRoot<'l, u64>>>, Vec<u64>),
}

impl Root<'_> {
    /// The values the collector must see through this root.
    fn expected(&self, out: &mut Vec<u64>) {
        match self {
            Root::Stack(_, v) | Root::Pooled(_, v) => out.push(*v),
            Root::Persistent(_, v, linked) => out.extend(linked.then_some(*v)),
            Root::Vector(_, vs) => out.extend(vs),
        }
    }

    /// Checks the root's own view against the model.
    fn check(&self) {
        match self {
            Root::Stack(r, v) => assert_eq!(r.load(), *v),
            Root::Persistent(r, v, linked) => {
                assert_eq!(r.is_linked(), *linked);
                if *linked {
                    assert_eq!(r.load(), *v);
                }
            }
            Root::Pooled(r, v) => assert_eq!(r.load(), *v),
            Root::Vector(r, vs) => {
                assert_eq!(r.len(), vs.len());
                for (i, v) in vs.iter().enumerate() {
                    assert_eq!(r.get(i), Some(*v));
                }
            }
        }
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let list = RootList::<u64>::new();
    let mut roots: Vec<Root<'_>> = Vec::new();
    let pick = |i: u16, n: usize| (n > 0).then(|| usize::from(i) % n);
    for op in ops.iter().take(512) {
        match *op {
            Op::Stack(v) => {
                let r = Box::pin(StackRoot::new(&list, u64::from(v)));
                r.as_ref().link();
                roots.push(Root::Stack(r, u64::from(v)));
            }
            Op::Persistent(v) => {
                roots.push(Root::Persistent(PersistentRoot::boxed(&list, u64::from(v)), u64::from(v), true))
            }
            Op::Pooled(v) => roots.push(Root::Pooled(PooledRoot::new(&list, u64::from(v)), u64::from(v))),
            Op::ClonePooled(i) => {
                if let Some(i) = pick(i, roots.len()) {
                    if let Root::Pooled(r, v) = &roots[i] {
                        let (c, v) = (r.clone(), *v);
                        roots.push(Root::Pooled(c, v));
                    }
                }
            }
            Op::Vector => roots.push(Root::Vector(VecRoot::boxed(&list), Vec::new())),
            Op::VecPush(i, v) => {
                if let Some(i) = pick(i, roots.len()) {
                    if let Root::Vector(r, vs) = &mut roots[i] {
                        r.push(u64::from(v));
                        vs.push(u64::from(v));
                    }
                }
            }
            Op::VecPop(i) => {
                if let Some(i) = pick(i, roots.len()) {
                    if let Root::Vector(r, vs) = &mut roots[i] {
                        assert_eq!(r.pop(), vs.pop());
                    }
                }
            }
            Op::VecSet(i, k, v) => {
                if let Some(i) = pick(i, roots.len()) {
                    if let Root::Vector(r, vs) = &mut roots[i] {
                        let k = usize::from(k) % (vs.len() + 1);
                        assert_eq!(VecRoot::set(r, k, u64::from(v)), k < vs.len());
                        if let Some(slot) = vs.get_mut(k) {
                            *slot = u64::from(v);
                        }
                    }
                }
            }
            Op::Unlink(i) => {
                if let Some(i) = pick(i, roots.len()) {
                    if let Root::Persistent(r, _, linked) = &mut roots[i] {
                        r.as_ref().unlink();
                        *linked = false;
                    }
                }
            }
            Op::Relink(i) => {
                if let Some(i) = pick(i, roots.len()) {
                    if let Root::Persistent(r, v, linked) = &mut roots[i] {
                        if !*linked {
                            // An unlinked root was not traced: its value is
                            // whatever it held; make it the model's again.
                            r.store(*v);
                            r.as_ref().link();
                            *linked = true;
                        }
                    }
                }
            }
            Op::Drop(i) => {
                if let Some(i) = pick(i, roots.len()) {
                    drop(roots.swap_remove(i));
                }
            }
            Op::Store(i, v) => {
                if let Some(i) = pick(i, roots.len()) {
                    match &mut roots[i] {
                        Root::Stack(r, m) => {
                            r.store(u64::from(v));
                            *m = u64::from(v);
                        }
                        Root::Pooled(r, m) => {
                            r.store(u64::from(v));
                            *m = u64::from(v);
                        }
                        Root::Persistent(r, m, true) => {
                            r.store(u64::from(v));
                            *m = u64::from(v);
                        }
                        _ => {}
                    }
                }
            }
            Op::Trace(delta) => {
                let delta = u64::from(delta);
                // SAFETY: the closure only rewrites values.
                unsafe { list.trace(|v| *v = v.wrapping_add(delta)) };
                for r in &mut roots {
                    match r {
                        Root::Stack(_, v) | Root::Pooled(_, v) | Root::Persistent(_, v, true) => {
                            *v = v.wrapping_add(delta)
                        }
                        Root::Persistent(_, _, false) => {}
                        Root::Vector(_, vs) => vs.iter_mut().for_each(|v| *v = v.wrapping_add(delta)),
                    }
                }
            }
        }
        let mut traced = Vec::new();
        // SAFETY: the closure only records values.
        unsafe { list.trace(|v| traced.push(*v)) };
        let mut expected = Vec::new();
        roots.iter().for_each(|r| r.expected(&mut expected));
        traced.sort();
        expected.sort();
        assert_eq!(traced, expected);
        roots.iter().for_each(Root::check);
        let linked = roots.iter().filter(|r| !matches!(r, Root::Persistent(_, _, false))).count();
        assert_eq!(list.len(), linked);
    }
    drop(roots);
    assert!(list.is_empty());
});
