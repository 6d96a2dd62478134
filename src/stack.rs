//! The native stack, read word by word: the only code of gcroots that
//! looks outside Rust's abstract machine, for the
//! [`Conservative`](crate::Conservative) scheme. Miri cannot run it (there
//! is no native stack in the interpreter), so the scheme does not exist
//! under miri; natively it is checked by every suite in zeal mode.
//!
//! Three things, each with its argument:
//!
//! - **The bounds** of the current thread's stack, from the C library
//!   (`pthread_getattr_np`, which for the main thread reads the stack's
//!   mapping and its limit), asked once per thread and cached in a
//!   thread-local. Only `[sp, hi)` is ever read, where `sp` is the reading
//!   frame's own stack pointer: that range is the live frames of this
//!   thread, always mapped and readable (the guard page is below `lo`).
//! - **The registers**: a value the mutator keeps only in a callee-saved
//!   register when it calls the collector is not on the stack yet. The
//!   scan stores those registers into a local array first (inline
//!   assembly, the System V and AAPCS64 callee-saved sets), and reads
//!   that array like the stack. Caller-saved registers need nothing: a
//!   caller that needs them after a call has saved them in its frame.
//! - **The reads**: each word is loaded by one `mov`/`ldr` in inline
//!   assembly, not by a Rust read: the stack holds other frames' locals,
//!   padding and uninitialised bytes, which a Rust load could not read
//!   soundly (an uninitialised integer is undefined behaviour), while an
//!   assembly load's result is an initialised integer, whatever the bytes
//!   were. The words are only compared with the heap's address ranges;
//!   none is ever dereferenced here. Assembly loads are invisible to
//!   AddressSanitizer, so the scan needs no exclusion; valgrind sees them
//!   as reads of possibly undefined bytes (DESIGN.md says what to do).

use core::arch::asm;
use core::cell::Cell;

/// A thread's stack: the words at addresses `lo..hi` (the stack grows
/// down, from `hi`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Bounds {
    pub(crate) lo: usize,
    pub(crate) hi: usize,
}

thread_local! {
    /// The current thread's stack, once asked.
    static BOUNDS: Cell<Option<Bounds>> = const { Cell::new(None) };
}

/// The current thread's stack.
///
/// # Panics
///
/// If the C library cannot say (it always can for a thread it started).
#[inline]
pub(crate) fn bounds() -> Bounds {
    BOUNDS.with(|b| match b.get() {
        Some(bounds) => bounds,
        None => {
            let bounds = query();
            b.set(Some(bounds));
            bounds
        }
    })
}

#[cold]
fn query() -> Bounds {
    // SAFETY: `pthread_attr_t` is plain data that `pthread_getattr_np`
    // initialises; zeroed is a valid value to pass it.
    let mut attr: libc::pthread_attr_t = unsafe { core::mem::zeroed() };
    // SAFETY: `attr` is writable and this thread is alive; on success the
    // attributes are initialised and must be destroyed, which we do below.
    let rc = unsafe { libc::pthread_getattr_np(libc::pthread_self(), &mut attr) };
    assert_eq!(
        rc, 0,
        "gcroots: the C library cannot say where this thread's stack is"
    );
    let mut addr: *mut libc::c_void = core::ptr::null_mut();
    let mut size: libc::size_t = 0;
    // SAFETY: `attr` was initialised by `pthread_getattr_np`; the outputs
    // are writable.
    let rc = unsafe { libc::pthread_attr_getstack(&attr, &mut addr, &mut size) };
    // SAFETY: initialised above, destroyed once.
    unsafe { libc::pthread_attr_destroy(&mut attr) };
    assert_eq!(rc, 0, "gcroots: the C library cannot say the stack's size");
    let lo = addr as usize;
    Bounds { lo, hi: lo + size }
}

/// Whether `addr` is in a live frame of the current thread's stack: at
/// or above the current stack pointer, below the stack's base. A root's
/// slot that is not (a `Box`, a boxed future, another stack) is one a scan
/// would not see. (`root!` makes the same check against the base its
/// `Roots` recorded, without the thread-local.)
#[cfg(test)]
pub(crate) fn is_on_stack(addr: usize) -> bool {
    stack_pointer() <= addr && addr < bounds().hi
}

/// Callee-saved general registers (System V x86-64: rbx, rbp, r12-r15).
#[cfg(target_arch = "x86_64")]
const SAVED: usize = 6;
/// Callee-saved registers (AAPCS64: x19-x29, and the low halves of d8-d15).
#[cfg(target_arch = "aarch64")]
const SAVED: usize = 19;

/// Stores the callee-saved registers into `regs`.
#[inline(always)]
fn spill(regs: &mut [usize; SAVED]) {
    let p = regs.as_mut_ptr();
    // SAFETY: `p` points to `SAVED` writable words (`regs`); the assembly
    // writes exactly those and changes no register.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        asm!(
            "mov [{p}], rbx",
            "mov [{p} + 8], rbp",
            "mov [{p} + 16], r12",
            "mov [{p} + 24], r13",
            "mov [{p} + 32], r14",
            "mov [{p} + 40], r15",
            p = in(reg) p,
            options(nostack, preserves_flags),
        );
    }
    // SAFETY: as above.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        asm!(
            "stp x19, x20, [{p}]",
            "stp x21, x22, [{p}, #16]",
            "stp x23, x24, [{p}, #32]",
            "stp x25, x26, [{p}, #48]",
            "stp x27, x28, [{p}, #64]",
            "str x29, [{p}, #80]",
            "stp d8, d9, [{p}, #88]",
            "stp d10, d11, [{p}, #104]",
            "stp d12, d13, [{p}, #120]",
            "stp d14, d15, [{p}, #136]",
            p = in(reg) p,
            options(nostack, preserves_flags),
        );
    }
}

/// The stack pointer of the calling frame: below every local of every
/// running frame of this thread (inlined, it is the caller's).
#[inline(always)]
pub(crate) fn stack_pointer() -> usize {
    let sp: usize;
    // SAFETY: reads a register, touches no memory.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    // SAFETY: as above.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    sp
}

/// The four words at `addr`, whatever their bytes.
///
/// # Safety
///
/// `addr..addr + 32` is 8-byte aligned and in `[sp, hi)` of the current
/// thread's stack, where `sp` is a stack pointer of a frame still running.
#[inline(always)]
unsafe fn load4(addr: usize) -> [usize; 4] {
    let (a, b, c, d): (usize, usize, usize, usize);
    // SAFETY: the caller's guarantee: mapped, readable, aligned words.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        asm!(
            "mov {a}, qword ptr [{p}]",
            "mov {b}, qword ptr [{p} + 8]",
            "mov {c}, qword ptr [{p} + 16]",
            "mov {d}, qword ptr [{p} + 24]",
            p = in(reg) addr,
            // `out`, not `lateout`: each is written before `p` is last read.
            a = out(reg) a, b = out(reg) b, c = out(reg) c, d = out(reg) d,
            options(nostack, preserves_flags, readonly),
        )
    };
    // SAFETY: as above.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        asm!(
            "ldp {a}, {b}, [{p}]",
            "ldp {c}, {d}, [{p}, #16]",
            p = in(reg) addr,
            // `out`, not `lateout`: each is written before `p` is last read.
            a = out(reg) a, b = out(reg) b, c = out(reg) c, d = out(reg) d,
            options(nostack, preserves_flags, readonly),
        )
    };
    [a, b, c, d]
}

/// The word at `addr`, whatever its bytes.
///
/// # Safety
///
/// As for [`load4`], for one word.
#[inline(always)]
unsafe fn load(addr: usize) -> usize {
    let w: usize;
    // SAFETY: the caller's guarantee: a mapped, readable, aligned word.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        asm!("mov {w}, qword ptr [{a}]", a = in(reg) addr, w = lateout(reg) w,
             options(nostack, preserves_flags, readonly))
    };
    // SAFETY: as above.
    #[cfg(target_arch = "aarch64")]
    unsafe {
        asm!("ldr {w}, [{a}]", a = in(reg) addr, w = lateout(reg) w,
             options(nostack, preserves_flags, readonly))
    };
    w
}

/// `w`, defined to valgrind's memcheck: a stack word the filter let
/// through becomes an object's address, and memcheck would otherwise
/// report every use of that address (and of the object's words, read
/// through it) as depending on an uninitialised value, when the word was
/// padding or a dead local. The value is stored in a local and made
/// defined there by valgrind's `MAKE_MEM_DEFINED` client request: the
/// instruction sequence valgrind recognises (`valgrind.h`), which natively
/// does nothing (four rotations of one register by 128 bits in all, and a
/// no-op move). Only the words inside the heap's ranges pay for it.
#[inline(always)]
fn defined(w: usize) -> usize {
    let mut slot = w;
    // VG_USERREQ__MAKE_MEM_DEFINED = (`M` << 24 | `C` << 16) + 2 (after
    // NOACCESS and UNDEFINED, in memcheck.h), the
    // address and the length.
    let args: [u64; 6] = [
        0x4D43_0002,
        core::ptr::from_mut(&mut slot).addr() as u64,
        8,
        0,
        0,
        0,
    ];
    // SAFETY: natively the sequence changes no register and no memory (the
    // rotations total 128 bits); under valgrind it marks `slot`'s 8 bytes
    // defined. `slot`'s address escapes to the assembly, so `slot` is read
    // from memory after it.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            in("rax") args.as_ptr(),
            inout("rdx") 0usize => _,
            inout("rdi") 0usize => _,
            options(nostack),
        );
    }
    // SAFETY: as above (`valgrind.h`'s arm64 sequence).
    #[cfg(target_arch = "aarch64")]
    unsafe {
        asm!(
            "ror x12, x12, #3",
            "ror x12, x12, #13",
            "ror x12, x12, #51",
            "ror x12, x12, #61",
            "orr x10, x10, x10",
            in("x4") args.as_ptr(),
            inout("x3") 0usize => _,
            inout("x12") 0usize => _,
            options(nostack),
        );
    }
    slot
}

/// Calls `visit` with every callee-saved register and every word of the
/// current thread's stack from this frame to the base that lies in one of
/// the `filter` ranges (`lo..hi`: the heap's spaces, so that the words
/// that cannot be addresses of objects cost two comparisons each); the
/// bytes of stack read.
///
/// Never inlined, so that its frame is below every frame of its callers,
/// whose words it then reads.
///
/// # Panics
///
/// If it runs on a stack that is not the thread's (a coroutine's, a
/// signal stack): the roots on the thread's stack would not be read, so
/// nothing is scanned and the collection does not start.
#[inline(never)]
pub(crate) fn scan(filter: &[(usize, usize); 2], mut visit: impl FnMut(usize)) -> usize {
    let mut regs = [0usize; SAVED];
    spill(&mut regs);
    let sp = stack_pointer();
    let b = bounds();
    assert!(
        b.lo <= sp && sp < b.hi,
        "gcroots: a conservative collection ran on a stack that is not its thread's \
         (sp {sp:#x}, thread stack {:#x}..{:#x}): the roots on the thread's stack would be missed",
        b.lo,
        b.hi
    );
    let [(lo0, hi0), (lo1, hi1)] = *filter;
    let (n0, n1) = (hi0.saturating_sub(lo0), hi1.saturating_sub(lo1));
    let in_heap = |w: usize| w.wrapping_sub(lo0) < n0 || w.wrapping_sub(lo1) < n1;
    for &r in &regs {
        if in_heap(r) {
            visit(defined(r));
        }
    }
    let from = sp.next_multiple_of(8);
    let mut at = from;
    // Four words at a time: almost none is in the heap's ranges, so one
    // branch per four (0.6 ns a word with a branch each).
    while at + 32 <= b.hi {
        // SAFETY: `at..at + 32` is aligned, at or above this frame's stack
        // pointer (this frame is running) and below the base: words of
        // live frames of this thread (module documentation).
        let w = unsafe { load4(at) };
        if in_heap(w[0]) | in_heap(w[1]) | in_heap(w[2]) | in_heap(w[3]) {
            for w in w {
                if in_heap(w) {
                    visit(defined(w));
                }
            }
        }
        at += 32;
    }
    while at < b.hi {
        // SAFETY: as above, for one word.
        let w = unsafe { load(at) };
        if in_heap(w) {
            visit(defined(w));
        }
        at += 8;
    }
    // The registers were read above; keep the array (and its stores) alive.
    core::hint::black_box(&regs);
    b.hi - from
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_sees_a_local_of_its_caller() {
        let marker = core::hint::black_box(0x5eed_cafe_f00d_0001usize);
        let slot = core::hint::black_box(&marker);
        let mut seen = false;
        let all = [(0, usize::MAX), (0, 0)];
        let bytes = scan(&all, |w| seen |= w == 0x5eed_cafe_f00d_0001);
        assert!(seen, "the scan missed a word of its caller's frame");
        assert!(bytes > 0 && bytes % 8 == 0);
        assert!(is_on_stack(slot as *const usize as usize));
    }

    /// Five words in a row, so that whatever the alignment of the
    /// four-word reads, every position in a group is checked (a register
    /// clash in the four-word load once read garbage at three of them).
    #[test]
    fn the_scan_sees_every_word_of_a_run() {
        let markers: [usize; 5] = core::array::from_fn(|i| 0x5eed_0000_0000_0010 + i);
        let slot = core::hint::black_box(&markers);
        let mut seen = [false; 5];
        let all = [(0x5eed_0000_0000_0000, 0x5eed_0000_0000_0100), (0, 0)];
        scan(&all, |w| {
            if let Some(i) = w.checked_sub(0x5eed_0000_0000_0010).filter(|&i| i < 5) {
                seen[i] = true;
            }
        });
        core::hint::black_box(slot);
        assert_eq!(seen, [true; 5]);
    }

    #[test]
    fn a_box_is_not_on_the_stack() {
        let b = Box::new(1u64);
        assert!(!is_on_stack(&*b as *const u64 as usize));
        let b = bounds();
        assert!(b.lo < b.hi);
    }

    #[test]
    fn another_thread_has_other_bounds() {
        let here = bounds();
        let local = 0u64;
        let addr = core::hint::black_box(&local) as *const u64 as usize;
        let (there, seen) = std::thread::spawn(move || (bounds(), is_on_stack(addr)))
            .join()
            .unwrap();
        assert_ne!(here, there);
        assert!(
            !seen,
            "a word of this thread's stack is on another thread's"
        );
    }
}
