//! An embedder: a small Lisp whose values live in a gcroots heap, run under
//! whichever scheme the crate's features select. It names no scheme: it
//! uses [`gcroots::Selected`], so
//!
//! ```text
//! cargo run --example lisp --no-default-features --features intrusive
//! cargo run --example lisp --no-default-features --features indexed
//! ```
//!
//! print the same thing (the scheme goes to stderr). With a file argument
//! it runs that file; otherwise it runs a demo. `--zeal` collects before
//! every allocation, with poisoning and verification on; `--gen` makes the
//! heap generational (with `--zeal`: a 4 KiB nursery, a minor collection
//! before every allocation); `--mr` gives it a mark-region main space.
//!
//! The evaluator itself is `gcroots_compare::workloads::interp`: a tree walker
//! generic over `S: Scheme`, holding its temporaries in `root!`s under
//! scopes and its globals in persistent roots. What an embedder writes is
//! what this file shows: make the root set, make the heap on it, run; the
//! interpreter's long-lived roots end when it is dropped.

use std::process::ExitCode;

use gcroots::{Config, Heap, Roots, Scheme, Selected};
use gcroots_compare::workloads::interp::Interp;

const DEMO: &str = "
(define (range a b) (if (< a b) (cons a (range (+ a 1) b)) nil))
(define (map f l) (if (null? l) nil (cons (f (car l)) (map f (cdr l)))))
(define (filter p l)
  (if (null? l) nil
      (if (p (car l)) (cons (car l) (filter p (cdr l))) (filter p (cdr l)))))
(define (fold f acc l) (if (null? l) acc (fold f (f acc (car l)) (cdr l))))
(define (rev l acc) (if (null? l) acc (rev (cdr l) (cons (car l) acc))))
(range 0 10)
(map (lambda (x) (* x x)) (range 0 10))
(filter (lambda (x) (= (mod x 3) 0)) (range 0 20))
(fold (lambda (acc x) (+ acc x)) 0 (range 0 1000))
(rev (range 0 8) nil)
(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2)))))
(fib 20)
(define (make-counter n) (lambda (k) (+ n k)))
((make-counter 40) 2)
(quote (a b (c d)))
";

/// Splits `src` into top-level forms (balanced parentheses or atoms), so
/// that each can be printed with its value.
fn forms(src: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, None);
    for (i, c) in src.char_indices() {
        match c {
            '(' => {
                start.get_or_insert(i);
                depth += 1;
            }
            ')' => {
                depth -= 1;
                if depth == 0 {
                    out.extend(start.take().map(|s| &src[s..=i]));
                }
            }
            c if c.is_whitespace() => {
                if depth == 0 {
                    out.extend(start.take().map(|s| &src[s..i]));
                }
            }
            _ => {
                start.get_or_insert(i);
            }
        }
    }
    out.extend(start.map(|s| &src[s..]));
    out
}

/// Runs `src` on a fresh heap of scheme `S`, printing each form's value.
fn run<S: Scheme>(src: &str, config: Config) -> Result<(), String> {
    let roots = Roots::<S>::new();
    let mut heap = Heap::new(&roots, config).map_err(|e| e.to_string())?;
    let mut interp = Interp::new(&mut heap).map_err(|e| e.to_string())?;
    let mut result = Ok(());
    for form in forms(src) {
        match interp.eval_str(&mut heap, form) {
            Ok(value) => println!("{form}\n  => {value}"),
            Err(e) => {
                result = Err(format!("{form}: {e}"));
                break;
            }
        }
    }
    drop(interp); // its long-lived roots end with it
    let stats = heap.stats();
    println!(
        "\n{} collections, {} objects allocated, {} roots alive",
        stats.collections,
        stats.objects_allocated,
        heap.root_count(),
    );
    result
}

fn main() -> ExitCode {
    let (mut zeal, mut generational, mut mark_region) = (false, false, false);
    let mut src = DEMO.to_owned();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--zeal" => zeal = true,
            "--gen" => generational = true,
            "--mr" => mark_region = true,
            "-h" | "--help" => {
                println!("usage: lisp [--zeal] [--gen] [--mr] [FILE]");
                return ExitCode::SUCCESS;
            }
            path => match std::fs::read_to_string(path) {
                Ok(text) => src = text,
                Err(e) => {
                    eprintln!("lisp: {path}: {e}");
                    return ExitCode::FAILURE;
                }
            },
        }
    }
    let config = match (zeal, generational) {
        (false, false) => Config::default(),
        (true, false) => Config::zeal(),
        (false, true) => Config::generational(),
        (true, true) => Config::zeal().with_nursery(4 << 10),
    };
    let config = if mark_region {
        config.with_mark_region()
    } else {
        config
    };
    eprintln!("lisp: rooting scheme `{}`", Selected::NAME);
    // The evaluator recurses on the Rust stack, one frame per call.
    let worker = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || run::<Selected>(&src, config))
        .expect("spawn the interpreter's thread");
    match worker.join().expect("the interpreter panicked") {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lisp: {e}");
            ExitCode::FAILURE
        }
    }
}
