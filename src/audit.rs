//! Finding where generic code keeps roots alive for different spans under
//! different schemes.
//!
//! A [`root!`](crate::root) ends with its *block* under the intrusive and
//! hybrid schemes and with the innermost [`Scope`](crate::Scope) under the
//! indexed one. Code that roots in a loop or a branch without opening a scope
//! there is correct under both, but under the indexed scheme it keeps
//! every such root until the enclosing scope exits: a loop of a million
//! iterations holds a million roots, and a long one runs the heap out of
//! memory. Nothing fails where the scope is missing, so the bug shows up
//! far away, as a difference in root counts.
//!
//! [`root_lifetimes`] runs a [`Program`] once under each enabled scheme,
//! logging the number of live roots at every allocation, and reports the
//! first allocation at which the schemes disagree:
//!
//! ```
//! use gcroots::audit::{self, Program};
//! use gcroots::{root, AllocError, Config, Heap, Scheme, Shape};
//!
//! /// Roots a fresh object holding `i` and returns `i`. It opens no scope of
//! /// its own: under the indexed scheme its root outlives it.
//! fn fill<S: Scheme>(heap: &mut Heap<'_, S>, i: u64) -> Result<u64, AllocError> {
//!     root!(heap, let x = heap.alloc(Shape::new(0, 8))?);
//!     heap.get(&x).write_u64(0, i);
//!     Ok(heap.get(&x).read_u64(0))
//! }
//!
//! struct Sum { n: u64, scoped: bool }
//!
//! impl Program for Sum {
//!     type Output = Result<u64, AllocError>;
//!     fn run<S: Scheme>(&self, heap: &mut Heap<'_, S>) -> Self::Output {
//!         let mut scope = heap.scope();
//!         let mut sum = 0;
//!         for i in 0..self.n {
//!             if self.scoped {
//!                 sum += fill(&mut scope.scope(), i)?; // the fix: a scope per call
//!             } else {
//!                 sum += fill(&mut scope, i)?;
//!             }
//!         }
//!         Ok(sum)
//!     }
//! }
//!
//! # #[cfg(all(feature = "indexed", any(feature = "intrusive", feature = "hybrid")))] {
//! let missing = audit::root_lifetimes(&Sum { n: 10, scoped: false }, Config::default());
//! let divergence = missing.unwrap_err();
//! assert_eq!(divergence.allocation, Some(1));
//! assert!(divergence.to_string().contains("open a scope"));
//!
//! let fixed = audit::root_lifetimes(&Sum { n: 10, scoped: true }, Config::default());
//! assert_eq!(fixed.unwrap(), Ok(45));
//! # }
//! ```

use core::fmt;

use crate::config::Config;
use crate::heap::Heap;
use crate::roots::Roots;
use crate::scheme::Scheme;

/// Code generic over the scheme, for [`root_lifetimes`] to run under each.
pub trait Program {
    /// What a run returns; the runs must agree on it too.
    type Output: PartialEq + fmt::Debug;

    /// Runs the program on `heap`.
    fn run<S: Scheme>(&self, heap: &mut Heap<'_, S>) -> Self::Output;
}

/// Where the schemes first disagreed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The allocation (counting from 0) at which the root counts first
    /// differed; `None` if they agreed at every allocation but the runs
    /// made different numbers of allocations or returned different
    /// outputs.
    pub allocation: Option<usize>,
    /// Each scheme's name with its root count at that allocation (or, when
    /// `allocation` is `None`, the number of allocations its run made).
    pub counts: Vec<(&'static str, usize)>,
    /// The outputs, formatted, when they differ.
    pub outputs: Option<Vec<(&'static str, String)>>,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counts = self
            .counts
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        match (self.allocation, &self.outputs) {
            (Some(k), _) => write!(
                f,
                "at allocation #{k} the schemes hold different numbers of roots ({counts}): a \
                 root made in a loop or a branch without a scope of its own lives until the \
                 enclosing scope exits under the indexed scheme, but ends with its block under \
                 the intrusive and hybrid ones; open a scope there (`heap.scope()`)"
            ),
            (None, Some(outputs)) => {
                let outputs = outputs
                    .iter()
                    .map(|(s, o)| format!("{s}: {o}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                write!(
                    f,
                    "the schemes' runs returned different outputs ({outputs})"
                )
            }
            (None, None) => write!(
                f,
                "the schemes' runs made different numbers of allocations ({counts})"
            ),
        }
    }
}

impl std::error::Error for Divergence {}

/// One scheme's run.
struct Run<O> {
    scheme: &'static str,
    log: Vec<usize>,
    output: O,
}

fn run<S: Scheme, P: Program>(program: &P, config: &Config) -> Run<P::Output> {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config.clone()).expect("the audit's configuration is valid");
    heap.log_root_counts();
    let output = program.run(&mut heap);
    Run {
        scheme: S::NAME,
        log: heap.root_log().to_vec(),
        output,
    }
}

/// Runs `program` on a fresh heap with `config` under every enabled
/// precise scheme, logging the root count at each allocation, and returns
/// its output if the runs agree on every count and on the output;
/// otherwise where they first differ. With one scheme enabled there is
/// nothing to compare, and the output is returned. The conservative
/// scheme counts no stack root, so it takes part only alone.
///
/// # Panics
///
/// If `config` is refused by [`Heap::new`].
pub fn root_lifetimes<P: Program>(program: &P, config: Config) -> Result<P::Output, Divergence> {
    let mut runs: Vec<Run<P::Output>> = Vec::new();
    #[cfg(feature = "intrusive")]
    runs.push(run::<crate::Intrusive, P>(program, &config));
    #[cfg(feature = "indexed")]
    runs.push(run::<crate::Indexed, P>(program, &config));
    #[cfg(feature = "hybrid")]
    runs.push(run::<crate::Hybrid, P>(program, &config));
    // The conservative scheme does not count its stack roots, so its
    // counts cannot be compared: it runs only when it is the one scheme.
    #[cfg(all(feature = "conservative", not(miri)))]
    if runs.is_empty() {
        return Ok(run::<crate::Conservative, P>(program, &config).output);
    }
    let first = &runs[0];
    let longest = runs.iter().map(|r| r.log.len()).max().unwrap_or(0);
    for k in 0..longest {
        let at: Vec<Option<usize>> = runs.iter().map(|r| r.log.get(k).copied()).collect();
        if at.iter().all(Option::is_some) && at.windows(2).any(|w| w[0] != w[1]) {
            return Err(Divergence {
                allocation: Some(k),
                counts: runs
                    .iter()
                    .zip(&at)
                    .map(|(r, n)| (r.scheme, n.unwrap_or(0)))
                    .collect(),
                outputs: None,
            });
        }
    }
    if runs.iter().any(|r| r.log.len() != first.log.len()) {
        return Err(Divergence {
            allocation: None,
            counts: runs.iter().map(|r| (r.scheme, r.log.len())).collect(),
            outputs: None,
        });
    }
    if runs.iter().any(|r| r.output != first.output) {
        return Err(Divergence {
            allocation: None,
            counts: runs.iter().map(|r| (r.scheme, r.log.len())).collect(),
            outputs: Some(
                runs.iter()
                    .map(|r| (r.scheme, format!("{:?}", r.output)))
                    .collect(),
            ),
        });
    }
    Ok(runs.swap_remove(0).output)
}
