// Nor can it be unpinned to get at it: it is `!Unpin`.
use gcroots_intrusive::{RootList, stack_root};

fn main() {
    let list = RootList::<usize>::new();
    stack_root!(&list, let x = 1);
    let unpinned = std::pin::Pin::into_inner(x);
    let _ = unpinned;
}
