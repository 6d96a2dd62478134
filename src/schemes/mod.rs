//! The schemes' bindings: how each keeps its roots, behind
//! [`Bindings`](crate::scheme::sealed::Bindings). Each scheme has a file;
//! the operations on roots kept in the intrusive crate's list and in the
//! indexed crate's table are in `list.rs` and `table.rs`, which the
//! schemes that keep roots there share. Nothing outside this module names a
//! scheme.

#[cfg(all(feature = "conservative", not(miri)))]
pub(crate) mod conservative;
#[cfg(feature = "hybrid")]
pub(crate) mod hybrid;
#[cfg(feature = "indexed")]
pub(crate) mod indexed;
#[cfg(feature = "intrusive")]
pub(crate) mod intrusive;
#[cfg(any(feature = "intrusive", feature = "hybrid"))]
pub(crate) mod list;
#[cfg(any(feature = "indexed", feature = "hybrid", feature = "conservative"))]
pub(crate) mod table;
