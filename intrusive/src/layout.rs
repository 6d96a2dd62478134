//! The byte layout of a [`PersistentRoot`] and of a [`RootList`]'s chain of
//! them, for foreign code that links, unlinks and moves persistent roots
//! itself: the C API's inline roots (`gcroots.h`), which do in a header
//! what [`PersistentRoot::link`] and its `Drop` do, as SpiderMonkey's
//! `JS::Rooted` does in its own.
//!
//! A persistent root holding a pointer-sized `T` is four words:
//!
//! ```text
//! NEXT   the root linked before it (older), or null
//! PPREV  the address of the cell that points at it: the list's
//!        persistent head (for the newest root) or the NEXT word of the
//!        root linked after it; UNLINKED when in no list
//! VALUE  the rooted value, which the collector rewrites
//! LIST   the address of its RootList
//! ```
//!
//! Linking at the head, unlinking from anywhere and moving a linked node
//! to new memory are the operations of an `hlist` (the Linux kernel's),
//! on these words; a foreign implementation must keep the chain's
//! invariant exactly as this crate does: every node reachable from the
//! head is linked (its PPREV names the cell that points at it), pinned
//! and alive, and no node's memory goes while it is linked. The
//! collector reads the chain only inside [`RootList::trace`], never
//! concurrently with such code (a list is `!Sync`).
//!
//! Every offset is in bytes and holds for any `T` of a pointer's size and
//! alignment (the types are `repr(C)`; asserted below).

use core::mem::{align_of, offset_of, size_of};

use crate::list::{Chain, Node};
use crate::{PersistentRoot, RootList};

/// A persistent root's size, for a pointer-sized `T`.
pub const PERSISTENT_SIZE: usize = size_of::<PersistentRoot<'static, usize>>();
/// The offset of its NEXT word.
pub const PERSISTENT_NEXT: usize =
    offset_of!(PersistentRoot<'static, usize>, node) + offset_of!(Node<usize>, next);
/// The offset of its PPREV word.
pub const PERSISTENT_PPREV: usize =
    offset_of!(PersistentRoot<'static, usize>, node) + offset_of!(Node<usize>, pprev);
/// The offset of its VALUE word.
pub const PERSISTENT_VALUE: usize =
    offset_of!(PersistentRoot<'static, usize>, node) + offset_of!(Node<usize>, value);
/// The offset of its LIST word.
pub const PERSISTENT_LIST: usize = offset_of!(PersistentRoot<'static, usize>, list);
/// The offset, in a [`RootList`], of the head of its persistent roots'
/// chain: the newest linked root's address, or null.
pub const LIST_PERSISTENT_HEAD: usize =
    offset_of!(RootList<usize>, persistent) + offset_of!(Chain<usize>, head);
/// The PPREV of a root in no list: the alignment of a pointer, an address
/// in the null page that no cell has, only ever compared.
pub const UNLINKED: usize = align_of::<*const ()>();

const WORD: usize = size_of::<usize>();
const _: () = {
    assert!(PERSISTENT_SIZE == 4 * WORD);
    assert!(PERSISTENT_NEXT == 0);
    assert!(PERSISTENT_PPREV == WORD);
    assert!(PERSISTENT_VALUE == 2 * WORD);
    assert!(PERSISTENT_LIST == 3 * WORD);
    // A pointer-sized T of another type lays out the same.
    assert!(size_of::<PersistentRoot<'static, *const u8>>() == PERSISTENT_SIZE);
    assert!(offset_of!(RootList<*const u8>, persistent) == offset_of!(RootList<usize>, persistent));
};

#[cfg(test)]
mod tests {
    use super::*;
    use core::pin::pin;

    /// Reads word `offset` of `p`.
    fn word<T>(p: &T, offset: usize) -> usize {
        // SAFETY: `offset` is one of the layout's offsets, inside `T` and
        // aligned for a word (asserted above); the words are plain
        // pointers or integers, read by value.
        unsafe {
            (p as *const T)
                .cast::<u8>()
                .add(offset)
                .cast::<usize>()
                .read()
        }
    }

    #[test]
    fn the_words_are_where_the_layout_says() {
        let list = RootList::<usize>::new();
        let head = (&list as *const RootList<usize>).addr() + LIST_PERSISTENT_HEAD;
        let a = pin!(PersistentRoot::new(&list, 0x1000));
        assert_eq!(word(&*a, PERSISTENT_PPREV), UNLINKED);
        a.as_ref().link();
        let b = pin!(PersistentRoot::new(&list, 0x2000));
        b.as_ref().link();
        let (a_addr, b_addr) = (
            (&*a as *const PersistentRoot<usize>).addr(),
            (&*b as *const PersistentRoot<usize>).addr(),
        );
        assert_eq!(word(&list, LIST_PERSISTENT_HEAD), b_addr);
        assert_eq!(word(&*b, PERSISTENT_PPREV), head);
        assert_eq!(word(&*b, PERSISTENT_NEXT), a_addr);
        assert_eq!(word(&*a, PERSISTENT_PPREV), b_addr + PERSISTENT_NEXT);
        assert_eq!(word(&*a, PERSISTENT_NEXT), 0);
        assert_eq!(word(&*a, PERSISTENT_VALUE), 0x1000);
        assert_eq!(
            word(&*b, PERSISTENT_LIST),
            (&list as *const RootList<usize>).addr()
        );
    }
}
