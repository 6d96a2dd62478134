//! Errors: each names the mistake or the limit that was hit.

use core::fmt;

/// Why a root could not be used. Both are mistakes of the caller; neither
/// changes the heap or any root.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum RootError {
    /// The root belongs to another heap.
    WrongHeap,
    /// A scoped root (indexed scheme) was used after its scope exited.
    Stale,
    /// A [`LinkedRoot`](crate::LinkedRoot) was used while not linked: it
    /// holds no object.
    Unlinked,
    /// A [`Pinned`](crate::Pinned) root was given another object: a pin
    /// holds the object it was made for until it is dropped.
    Pinned,
    /// An owned root (indexed and hybrid schemes) whose handle was copied
    /// as bytes (by C) was used after one of the copies unrooted it.
    Unrooted,
}

impl fmt::Display for RootError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RootError::WrongHeap => "root used with a heap it does not belong to",
            RootError::Stale => "scoped root used after its scope exited",
            RootError::Unlinked => "root used while not linked: it holds no object",
            RootError::Unrooted => {
                "owned root used after it was unrooted: a copy of its bytes (memcpy, struct \
                 assignment) was unrooted first; clone roots with their clone function instead"
            }
            RootError::Pinned => {
                "a pinned root cannot be set to another object: pin that object instead"
            }
        })
    }
}

impl std::error::Error for RootError {}

/// Why an object could not be pinned ([`Heap::pin`](crate::Heap::pin)).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum PinError {
    /// The heap's mode moves every live object at a full collection, so it
    /// cannot promise an address: pinning needs a mark-region heap.
    Unsupported {
        /// The heap's mode ([`Config::mode`](crate::Config::mode)).
        mode: &'static str,
    },
    /// The root could not be read.
    Root(RootError),
}

impl fmt::Display for PinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PinError::Unsupported { mode } => write!(
                f,
                "cannot pin in a {mode} heap, whose collector moves every live object: \
                 pinning needs a mark-region heap (Config::mark_region())"
            ),
            PinError::Root(e) => write!(f, "cannot pin: {e}"),
        }
    }
}

impl std::error::Error for PinError {}

impl From<RootError> for PinError {
    fn from(e: RootError) -> Self {
        PinError::Root(e)
    }
}

/// Why an allocation failed. The heap is unchanged by a failed allocation
/// (it may have collected), and every root still holds its object.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum AllocError {
    /// The object is larger than any heap may hold: over
    /// [`MAX_FIELDS`](crate::MAX_FIELDS) or [`MAX_BYTES`](crate::MAX_BYTES),
    /// or over the heap's configured limit on its own.
    TooLarge {
        /// The requested size in bytes (`usize::MAX` if it overflows).
        requested: usize,
        /// The heap's limit in bytes.
        limit: usize,
    },
    /// The live objects plus the new one would exceed the heap's limit, even
    /// after a collection.
    OutOfMemory {
        /// The requested size in bytes.
        requested: usize,
        /// Bytes live after the collection.
        live: usize,
        /// The heap's limit in bytes.
        limit: usize,
    },
    /// The system allocator refused to grow the heap.
    System {
        /// The size of the semispace or chunk that could not be allocated,
        /// in bytes.
        bytes: usize,
    },
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            AllocError::TooLarge { requested, limit } if requested == usize::MAX => write!(
                f,
                "object too large: its size overflows (the heap limit is {limit} bytes)"
            ),
            AllocError::TooLarge { requested, limit } => {
                write!(
                    f,
                    "object too large: {requested} bytes requested, the heap limit is {limit} bytes"
                )
            }
            AllocError::OutOfMemory {
                requested,
                live,
                limit,
            } => write!(
                f,
                "heap limit reached: {live} bytes live after collection + {requested} requested exceeds the limit of {limit} bytes"
            ),
            AllocError::System { bytes } => {
                write!(f, "the system allocator refused {bytes} bytes for the heap")
            }
        }
    }
}

impl std::error::Error for AllocError {}

/// Why a heap could not be created.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum HeapError {
    /// The [`Roots`](crate::Roots) already serve another heap (alive or
    /// dropped): roots that outlived that heap may still hold its
    /// addresses, so they must never be read through a new one.
    RootsInUse,
    /// The configuration is inconsistent; the message says how.
    Config(&'static str),
    /// The scheme needs a heap that can pin an object where it finds it,
    /// and the mode cannot: the conservative scheme keeps every object the
    /// stack points to where it is, which the mark-region mode without a
    /// nursery does (a copying space moves everything, a nursery is
    /// emptied by moving).
    CannotPin {
        /// The scheme ([`Scheme::NAME`](crate::Scheme::NAME)).
        scheme: &'static str,
        /// The heap's mode ([`Config::mode`](crate::Config::mode)).
        mode: &'static str,
    },
    /// The system allocator refused the initial semispaces.
    System {
        /// The semispace size that could not be allocated, in bytes.
        bytes: usize,
    },
}

impl fmt::Display for HeapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapError::RootsInUse => f.write_str(
                "these Roots already serve another heap; create a new Roots for each heap",
            ),
            HeapError::Config(why) => write!(f, "invalid heap configuration: {why}"),
            HeapError::CannotPin { scheme, mode } => write!(
                f,
                "the {scheme} scheme pins every object the stack points to, and a {mode} heap \
                 moves objects it cannot leave in place: use Config::mark_region() without a \
                 nursery"
            ),
            HeapError::System { bytes } => {
                write!(
                    f,
                    "the system allocator refused a semispace of {bytes} bytes"
                )
            }
        }
    }
}

impl std::error::Error for HeapError {}
