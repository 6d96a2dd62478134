//! A small Lisp whose values all live in the heap: the real program among
//! the workloads.
//!
//! Integers are boxed (every `+` allocates), lists are conses, closures
//! capture their environment, environments are linked lists of bindings in
//! the heap. The evaluator is a recursive tree walker, so the Rust stack
//! holds the evaluator's roots, frame after frame, exactly as a native
//! interpreter's does. It is written once, generic over the scheme.
//!
//! The language: integers, symbols, `nil`, `(quote x)`, `(if c a b)`,
//! `(define (f args...) body)`, `(define x expr)`, `(lambda (args...) body)`,
//! and the primitives `+ - * mod < = cons car cdr null?`. `nil` is false,
//! everything else true; comparisons return `1` or `nil`.
//!
//! The workload evaluates [`program`] once, then `(main i)` for `i` in
//! `0..size`; the checksum sums the results.
//!
//! One stage per file: `lexer` (text to tokens), `parser` (tokens to heap
//! lists), `value` (how values are laid out in heap objects, and read back
//! into [`Value`]), `eval` (the evaluator, [`Interp`]).

mod eval;
mod lexer;
mod parser;
mod value;

pub use eval::Interp;
pub use value::{Error, Value};

use gcroots::{AllocError, Heap, Scheme};

/// Calls of `(main i)` in a full run.
pub const FULL: u64 = 2_000;
/// Small enough for zeal mode and miri.
pub const TINY: u64 = 1;

/// The shortest list `(main i)` builds: 30, or 4 under miri, where every
/// allocation of the zeal runs costs a collection.
pub const LIST_BASE: u64 = if cfg!(miri) { 4 } else { 30 };
/// The smallest Fibonacci number `(main i)` computes: 8, or 3 under miri.
pub const FIB_BASE: u64 = if cfg!(miri) { 3 } else { 8 };

/// The program, with `LIST_BASE` and `FIB_BASE` to be filled in.
const TEMPLATE: &str = "
(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(define (range a b) (if (< a b) (cons a (range (+ a 1) b)) nil))
(define (map f l) (if (null? l) nil (cons (f (car l)) (map f (cdr l)))))
(define (rev l acc) (if (null? l) acc (rev (cdr l) (cons (car l) acc))))
(define (sum l) (if (null? l) 0 (+ (car l) (sum (cdr l)))))
(define (square x) (* x x))
(define (main i)
  (+ (sum (map square (rev (range 0 (+ LIST_BASE (mod i 20))) nil)))
     (fib (+ FIB_BASE (mod i 5)))))
";

/// The program the workload runs: list building, mapping, reversing and
/// summing over boxed integers, and a naive Fibonacci.
pub fn program() -> String {
    TEMPLATE
        .replace("LIST_BASE", &LIST_BASE.to_string())
        .replace("FIB_BASE", &FIB_BASE.to_string())
}

/// What `(main i)` returns, computed in Rust: the expected checksum terms.
pub fn expected_main(i: u64) -> i64 {
    let n = (LIST_BASE + i % 20) as i64;
    let squares: i64 = (0..n).map(|k| k * k).sum();
    fn fib(n: i64) -> i64 {
        if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
    }
    squares + fib((FIB_BASE + i % 5) as i64)
}

/// Runs the program, then `(main i)` for `i` in `0..size`.
pub fn run<S: Scheme>(heap: &mut Heap<'_, S>, size: u64) -> Result<u64, AllocError> {
    let mut interp = Interp::new(heap)?;
    let checksum = (|| -> Result<u64, Error> {
        interp.eval_str(heap, &program())?;
        let mut sum = 0u64;
        for i in 0..size {
            let result = interp.eval_str(heap, &format!("(main {i})"))?;
            sum = sum.wrapping_add(
                result
                    .as_int()
                    .ok_or(Error::Type("main returns an integer"))? as u64,
            );
        }
        Ok(sum)
    })();
    drop(interp);
    match checksum {
        Ok(sum) => Ok(sum),
        Err(Error::Alloc(e)) => Err(e),
        Err(e) => panic!("the interp workload's program failed: {e}"),
    }
}
