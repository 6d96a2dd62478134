//! Identity of a table, and why a handle could not be used.

use core::fmt;
use core::num::NonZeroU32;
use core::sync::atomic::{AtomicU32, Ordering};

/// Identity of a [`RootTable`](crate::RootTable): unique in the process.
///
/// Every handle carries the id of the table that issued it, so using a
/// handle with another table is detected instead of reading a slot that
/// means something else there.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct TableId(NonZeroU32);

impl TableId {
    /// A fresh id. Ids are never reused; after `u32::MAX` tables have been
    /// created in one process this panics rather than hand out a duplicate.
    pub(crate) fn fresh() -> TableId {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let id = NEXT
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_add(1))
            .expect("gcroots-indexed: table ids exhausted (u32::MAX root tables created in this process)");
        TableId(NonZeroU32::new(id).expect("ids start at 1 and never wrap"))
    }

    /// The id as a number, for messages and reports.
    pub fn get(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Display for TableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Why a handle could not be used. Every variant is a mistake of the caller;
/// none leaves the table in a different state than before the call.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HandleError {
    /// The handle was issued by another table: a root of one heap was used
    /// with another heap.
    WrongTable {
        /// The table that issued the handle.
        handle: TableId,
        /// The table it was used with.
        table: TableId,
    },
    /// A scoped root was used after the scope that created it exited.
    Stale {
        /// The slot the handle named.
        index: u32,
        /// The generation the handle was issued with.
        generation: u64,
    },
    /// An owned root or vector was used after its slot was unrooted: its
    /// handle's bytes were copied (by C, which the count of handles does
    /// not see) and a copy was dropped first.
    Unrooted {
        /// The slot the handle named.
        index: u32,
    },
}

impl fmt::Display for HandleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            HandleError::WrongTable { handle, table } => write!(
                f,
                "root used with another heap: it belongs to root table {handle}, not {table}"
            ),
            HandleError::Stale { index, generation } => write!(
                f,
                "scoped root used after its scope exited (slot {index}, generation {generation})"
            ),
            HandleError::Unrooted { index } => write!(
                f,
                "owned root used after it was unrooted through a copy of its bytes (slot {index})"
            ),
        }
    }
}

impl std::error::Error for HandleError {}
