//! Counting manual roots that were dropped without being unrooted.
//!
//! A [`ManualRoot`](crate::ManualRoot) is `Send + Sync` and holds no
//! reference to its table, so its `Drop` cannot reach the table to count
//! itself. It records the leak here instead, by table id. The registry is
//! touched only when a table is created or dropped and when a leak happens,
//! never on the rooting fast paths.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::error::TableId;

/// Leak counts of the tables that are alive, by id.
static LEAKS: Mutex<BTreeMap<u32, usize>> = Mutex::new(BTreeMap::new());

fn registry() -> MutexGuard<'static, BTreeMap<u32, usize>> {
    // A panic while the lock is held cannot leave a count half-written, so a
    // poisoned lock is still good; and `record` runs in `Drop`, which must
    // not panic.
    LEAKS.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn register(table: TableId) {
    registry().insert(table.get(), 0);
}

pub(crate) fn unregister(table: TableId) {
    registry().remove(&table.get());
}

/// Counts one leak for `table`. A root that outlives its table has nothing
/// left to leak into and is not counted.
pub(crate) fn record(table: TableId) {
    if let Some(n) = registry().get_mut(&table.get()) {
        *n += 1;
    }
}

pub(crate) fn count(table: TableId) -> usize {
    registry().get(&table.get()).copied().unwrap_or(0)
}
