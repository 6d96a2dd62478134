// A stack root is pinned: it cannot be moved out of its place.
use gcroots_intrusive::{RootList, StackRoot, stack_root};

fn main() {
    let list = RootList::<usize>::new();
    stack_root!(&list, let x = 1);
    let moved: StackRoot<'_, usize> = *x;
    drop(moved);
}
