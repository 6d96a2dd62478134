//! The schemes' bindings: how each keeps its roots, behind
//! [`Bindings`](crate::scheme::sealed::Bindings). Each file names one
//! scheme; nothing outside this module names any.

#[cfg(feature = "indexed")]
pub(crate) mod indexed;
#[cfg(feature = "intrusive")]
pub(crate) mod intrusive;
