//! Helpers shared by this crate's test files.

#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use gcroots_intrusive::{RootList, stack_root};

/// Every value the list's collector would see, sorted.
pub(crate) fn traced(list: &RootList<usize>) -> Vec<usize> {
    let mut seen = Vec::new();
    // SAFETY: the closure only records values.
    unsafe { list.trace(|v| seen.push(*v)) };
    seen.sort();
    seen
}

/// A future that returns `Pending` once, then `Ready`: an await point.
pub(crate) struct YieldOnce(pub(crate) bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// Polls `f` once, with a waker that does nothing.
pub(crate) fn poll<F: Future>(f: Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

/// An async body that roots `base` and, after an await, `base + 1`, and
/// returns their sum after a second await.
pub(crate) async fn two_roots_across_awaits(list: &RootList<usize>, base: usize) -> usize {
    stack_root!(list, let a = base);
    YieldOnce(false).await;
    stack_root!(list, let b = base + 1);
    YieldOnce(false).await;
    a.load() + b.load()
}
