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

use std::collections::HashMap;
use std::fmt;

use crate::{AllocError, Heap, Local, Persistent, Ref, Root, Roots, Scheme, Shape, root};

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
    interp.release(heap);
    match checksum {
        Ok(sum) => Ok(sum),
        Err(Error::Alloc(e)) => Err(e),
        Err(e) => panic!("the interp workload's program failed: {e}"),
    }
}

const TAG_NIL: u64 = 0;
const TAG_INT: u64 = 1;
const TAG_SYMBOL: u64 = 2;
const TAG_CONS: u64 = 3;
const TAG_LAMBDA: u64 = 4;
const TAG_BINDING: u64 = 5;

const NIL: Shape = Shape::new(0, 8);
const INT: Shape = Shape::new(0, 16);
const SYMBOL: Shape = Shape::new(0, 16);
/// car, cdr
const CONS: Shape = Shape::new(2, 8);
/// params, body, env
const LAMBDA: Shape = Shape::new(3, 8);
/// value, next; the symbol id in the data
const BINDING: Shape = Shape::new(2, 16);

/// Why evaluation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The heap refused an allocation.
    Alloc(AllocError),
    /// A symbol with no binding.
    Unbound(String),
    /// An operation on the wrong kind of value.
    Type(&'static str),
    /// The source text is malformed.
    Syntax(String),
}

impl From<AllocError> for Error {
    fn from(e: AllocError) -> Error {
        Error::Alloc(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Alloc(e) => write!(f, "{e}"),
            Error::Unbound(name) => write!(f, "unbound symbol `{name}`"),
            Error::Type(what) => write!(f, "type error: {what}"),
            Error::Syntax(what) => write!(f, "syntax error: {what}"),
        }
    }
}

impl std::error::Error for Error {}

/// A value read back from the heap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `nil`, the empty list.
    Nil,
    /// An integer.
    Int(i64),
    /// A symbol.
    Symbol(String),
    /// A list (proper or not: the tail, if not nil, is the last element).
    List(Vec<Value>, Option<Box<Value>>),
    /// A closure.
    Lambda,
}

impl Value {
    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("nil"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Symbol(s) => f.write_str(s),
            Value::Lambda => f.write_str("#<lambda>"),
            Value::List(items, tail) => {
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{item}")?;
                }
                if let Some(tail) = tail {
                    write!(f, " . {tail}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// The special forms and primitives, by symbol id (interned first, in this
/// order).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Builtin {
    Quote,
    If,
    Define,
    Lambda,
    Add,
    Sub,
    Mul,
    Mod,
    Less,
    Equal,
    Cons,
    Car,
    Cdr,
    IsNull,
}

const BUILTINS: [(&str, Builtin); 14] = [
    ("quote", Builtin::Quote),
    ("if", Builtin::If),
    ("define", Builtin::Define),
    ("lambda", Builtin::Lambda),
    ("+", Builtin::Add),
    ("-", Builtin::Sub),
    ("*", Builtin::Mul),
    ("mod", Builtin::Mod),
    ("<", Builtin::Less),
    ("=", Builtin::Equal),
    ("cons", Builtin::Cons),
    ("car", Builtin::Car),
    ("cdr", Builtin::Cdr),
    ("null?", Builtin::IsNull),
];

/// The symbol id of `nil`, interned right after the builtins.
const NIL_SYMBOL: u64 = BUILTINS.len() as u64;

/// An interpreter: its symbol table (in Rust) and its two long-lived roots,
/// `nil` and the global environment (in the heap).
///
/// Persistent roots must be given back with [`release`](Self::release)
/// (under the indexed scheme a dropped one is a counted leak).
pub struct Interp<'r, S: Scheme> {
    names: Vec<String>,
    ids: HashMap<String, u64>,
    nil: Persistent<'r, S>,
    globals: Persistent<'r, S>,
}

impl<'r, S: Scheme> Interp<'r, S> {
    /// An interpreter with an empty global environment.
    pub fn new(heap: &mut Heap<'r, S>) -> Result<Self, AllocError> {
        let roots: &'r Roots<S> = heap.roots();
        let nil = roots.persist(heap.alloc(NIL)?);
        heap.get(&nil).write_u64(0, TAG_NIL);
        // The global environment is a chain of bindings behind a sentinel.
        let globals = roots.persist(heap.alloc(BINDING)?);
        heap.get(&globals).write_u64(0, TAG_BINDING);
        heap.get(&globals).write_u64(8, u64::MAX);
        let mut interp = Interp {
            names: Vec::new(),
            ids: HashMap::new(),
            nil,
            globals,
        };
        for (name, _) in BUILTINS {
            interp.intern(name);
        }
        assert_eq!(interp.intern("nil"), NIL_SYMBOL);
        Ok(interp)
    }

    /// Gives back the interpreter's long-lived roots.
    pub fn release(self, heap: &Heap<'r, S>) {
        heap.release(self.nil).expect("a root of this heap");
        heap.release(self.globals).expect("a root of this heap");
    }

    fn intern(&mut self, name: &str) -> u64 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u64;
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }

    /// Parses and evaluates every expression in `src`; returns the last value.
    pub fn eval_str(&mut self, heap: &mut Heap<'r, S>, src: &str) -> Result<Value, Error> {
        let tokens = tokenize(src);
        let mut at = 0;
        let mut last = Value::Nil;
        while at < tokens.len() {
            let mut scope = heap.scope();
            root!(scope, let expr = self.parse(&mut scope, &tokens, &mut at)?);
            root!(scope, let env = scope.get(&self.nil));
            root!(scope, let value = self.eval(&mut scope, &expr, &env)?);
            last = self.read(scope.get(&value));
        }
        Ok(last)
    }

    /// Reads a heap value back into a [`Value`].
    fn read(&self, value: Ref<'_, S>) -> Value {
        match value.read_u64(0) {
            TAG_NIL => Value::Nil,
            TAG_INT => Value::Int(value.read_u64(8) as i64),
            TAG_SYMBOL => Value::Symbol(self.names[value.read_u64(8) as usize].clone()),
            TAG_LAMBDA => Value::Lambda,
            TAG_CONS => {
                let mut items = Vec::new();
                let mut at = value;
                loop {
                    items.push(self.read(at.field(0).expect("car")));
                    let next = at.field(1).expect("cdr");
                    match next.read_u64(0) {
                        TAG_CONS => at = next,
                        TAG_NIL => return Value::List(items, None),
                        _ => return Value::List(items, Some(Box::new(self.read(next)))),
                    }
                }
            }
            tag => unreachable!("no value has tag {tag}"),
        }
    }

    // ----- parsing --------------------------------------------------------

    fn parse<'h>(
        &mut self,
        heap: &'h mut Heap<'r, S>,
        tokens: &[Token],
        at: &mut usize,
    ) -> Result<Ref<'h, S>, Error> {
        let token = tokens
            .get(*at)
            .ok_or_else(|| Error::Syntax("unexpected end of input".into()))?;
        *at += 1;
        match token {
            Token::Open => self.parse_list(heap, tokens, at),
            Token::Close => Err(Error::Syntax("unexpected `)`".into())),
            Token::Int(n) => Ok(int(heap, *n)?),
            Token::Symbol(name) if name == "nil" => Ok(heap.get(&self.nil)),
            Token::Symbol(name) => {
                let id = self.intern(name);
                let symbol = heap.alloc(SYMBOL)?;
                symbol.write_u64(0, TAG_SYMBOL);
                symbol.write_u64(8, id);
                Ok(symbol)
            }
        }
    }

    /// The rest of a list, after its `(`.
    fn parse_list<'h>(
        &mut self,
        heap: &'h mut Heap<'r, S>,
        tokens: &[Token],
        at: &mut usize,
    ) -> Result<Ref<'h, S>, Error> {
        if tokens.get(*at) == Some(&Token::Close) {
            *at += 1;
            return Ok(heap.get(&self.nil));
        }
        let mut scope = heap.scope();
        root!(scope, let head = self.parse(&mut scope, tokens, at)?);
        root!(scope, let tail = self.parse_list(&mut scope, tokens, at)?);
        root!(scope, let list = cons(&mut scope, &head, &tail)?);
        Ok(scope.escape(&list))
    }

    // ----- evaluation -----------------------------------------------------

    fn lookup<'h>(
        &self,
        heap: &'h Heap<'r, S>,
        env: &Local<'_, S>,
        id: u64,
    ) -> Result<Ref<'h, S>, Error> {
        if id == NIL_SYMBOL {
            return Ok(heap.get(&self.nil));
        }
        for chain in [heap.get(env), heap.get(&self.globals)] {
            let mut at = Some(chain);
            while let Some(binding) = at.filter(|b| b.read_u64(0) == TAG_BINDING) {
                if binding.read_u64(8) == id {
                    return Ok(binding.field(0).expect("a bound value"));
                }
                at = binding.field(1);
            }
        }
        Err(Error::Unbound(self.names[id as usize].clone()))
    }

    fn eval<'h>(
        &mut self,
        heap: &'h mut Heap<'r, S>,
        expr: &Local<'_, S>,
        env: &Local<'_, S>,
    ) -> Result<Ref<'h, S>, Error> {
        let e = heap.get(expr);
        match e.read_u64(0) {
            TAG_SYMBOL => {
                let id = e.read_u64(8);
                let heap: &'h Heap<'r, S> = heap;
                self.lookup(heap, env, id)
            }
            TAG_CONS => self.eval_form(heap, expr, env),
            _ => Ok(heap.get(expr)), // integers, nil and closures evaluate to themselves
        }
    }

    fn eval_form<'h>(
        &mut self,
        heap: &'h mut Heap<'r, S>,
        expr: &Local<'_, S>,
        env: &Local<'_, S>,
    ) -> Result<Ref<'h, S>, Error> {
        let mut scope = heap.scope();
        root!(scope, let op = car(scope.get(expr))?);
        root!(scope, let args = cdr(scope.get(expr))?);
        let o = scope.get(&op);
        let builtin = if o.read_u64(0) == TAG_SYMBOL {
            BUILTINS.get(o.read_u64(8) as usize).map(|&(_, b)| b)
        } else {
            None
        };
        let result = match builtin {
            Some(Builtin::Quote) => car(scope.get(&args))?,
            Some(Builtin::If) => {
                root!(scope, let condition = car(scope.get(&args))?);
                root!(scope, let test = self.eval(&mut scope, &condition, env)?);
                let branches = cdr(scope.get(&args))?;
                let taken = if scope.get(&test).read_u64(0) != TAG_NIL {
                    car(branches)?
                } else {
                    car(cdr(branches)?)?
                };
                root!(scope, let taken = taken);
                root!(scope, let value = self.eval(&mut scope, &taken, env)?);
                return Ok(scope.escape(&value));
            }
            Some(Builtin::Define) => {
                root!(scope, let target = car(scope.get(&args))?);
                let t = scope.get(&target);
                let (id, value) = if t.read_u64(0) == TAG_CONS {
                    // (define (f params...) body) = (define f (lambda (params...) body))
                    let name = car(t)?;
                    let id = symbol_id(name)?;
                    root!(scope, let params = cdr(scope.get(&target))?);
                    root!(scope, let body = car(cdr(scope.get(&args))?)?);
                    root!(scope, let closure = lambda(&mut scope, &params, &body, env)?);
                    (id, scope.get(&closure))
                } else {
                    let id = symbol_id(t)?;
                    root!(scope, let value_expr = car(cdr(scope.get(&args))?)?);
                    root!(scope, let value = self.eval(&mut scope, &value_expr, env)?);
                    (id, scope.get(&value))
                };
                root!(scope, let value = value);
                self.define(&mut scope, id, &value)?;
                root!(scope, let name = symbol(&mut scope, id)?);
                return Ok(scope.escape(&name));
            }
            Some(Builtin::Lambda) => {
                root!(scope, let params = car(scope.get(&args))?);
                root!(scope, let body = car(cdr(scope.get(&args))?)?);
                root!(scope, let closure = lambda(&mut scope, &params, &body, env)?);
                return Ok(scope.escape(&closure));
            }
            Some(prim) => {
                root!(scope, let a_expr = car(scope.get(&args))?);
                root!(scope, let a = self.eval(&mut scope, &a_expr, env)?);
                root!(scope, let value = {
                    let rest = cdr(scope.get(&args))?;
                    if rest.read_u64(0) == TAG_CONS {
                        root!(scope, let b_expr = car(rest)?);
                        root!(scope, let b = self.eval(&mut scope, &b_expr, env)?);
                        self.binary(&mut scope, prim, &a, &b)?
                    } else {
                        self.unary(&mut scope, prim, &a)?
                    }
                });
                return Ok(scope.escape(&value));
            }
            None => {
                root!(scope, let closure = self.eval(&mut scope, &op, env)?);
                let c = scope.get(&closure);
                if c.read_u64(0) != TAG_LAMBDA {
                    return Err(Error::Type("call of a non-function"));
                }
                // Bind the parameters to the evaluated arguments, in a new
                // environment that extends the closure's.
                root!(scope, let frame = c.field(2).expect("a closure's env"));
                root!(scope, let params = c.field(0).expect("a closure's params"));
                root!(scope, let rest = scope.get(&args));
                while scope.get(&params).read_u64(0) == TAG_CONS {
                    let mut inner = scope.scope();
                    root!(inner, let arg = car(inner.get(&rest))?);
                    root!(inner, let value = self.eval(&mut inner, &arg, env)?);
                    let id = symbol_id(car(inner.get(&params))?)?;
                    let binding = inner.alloc_with(BINDING, &[value, frame])?;
                    binding.write_u64(0, TAG_BINDING);
                    binding.write_u64(8, id);
                    frame.set(binding);
                    params.set(cdr(inner.get(&params))?);
                    rest.set(cdr(inner.get(&rest))?);
                }
                root!(scope, let body = scope.get(&closure).field(1).expect("a closure's body"));
                root!(scope, let value = self.eval(&mut scope, &body, &frame)?);
                return Ok(scope.escape(&value));
            }
        };
        root!(scope, let result = result);
        Ok(scope.escape(&result))
    }

    fn binary<'h>(
        &mut self,
        heap: &'h mut Heap<'r, S>,
        prim: Builtin,
        a: &Local<'_, S>,
        b: &Local<'_, S>,
    ) -> Result<Ref<'h, S>, Error> {
        if prim == Builtin::Cons {
            return Ok(cons(heap, a, b)?);
        }
        let (x, y) = (int_of(heap.get(a))?, int_of(heap.get(b))?);
        let n = match prim {
            Builtin::Add => x.wrapping_add(y),
            Builtin::Sub => x.wrapping_sub(y),
            Builtin::Mul => x.wrapping_mul(y),
            Builtin::Mod if y != 0 => x.rem_euclid(y),
            Builtin::Mod => return Err(Error::Type("mod by zero")),
            Builtin::Less | Builtin::Equal => {
                let holds = if prim == Builtin::Less { x < y } else { x == y };
                return if holds {
                    Ok(int(heap, 1)?)
                } else {
                    Ok(heap.get(&self.nil))
                };
            }
            _ => {
                return Err(Error::Type(
                    "a primitive that takes one argument was given two",
                ));
            }
        };
        Ok(int(heap, n)?)
    }

    fn unary<'h>(
        &mut self,
        heap: &'h mut Heap<'r, S>,
        prim: Builtin,
        a: &Local<'_, S>,
    ) -> Result<Ref<'h, S>, Error> {
        match prim {
            Builtin::IsNull if heap.get(a).read_u64(0) == TAG_NIL => Ok(int(heap, 1)?),
            Builtin::IsNull => Ok(heap.get(&self.nil)),
            Builtin::Car => car(heap.get(a)),
            Builtin::Cdr => cdr(heap.get(a)),
            _ => Err(Error::Type(
                "a primitive that takes two arguments was given one",
            )),
        }
    }

    /// Prepends a global binding (a later definition shadows an earlier one).
    fn define(
        &mut self,
        heap: &mut Heap<'r, S>,
        id: u64,
        value: &Local<'_, S>,
    ) -> Result<(), Error> {
        let mut scope = heap.scope();
        root!(scope, let rest = scope.get(&self.globals).field(1).unwrap_or(scope.get(&self.nil)));
        root!(scope, let binding = scope.alloc_with(BINDING, &[*value, rest])?);
        let b = scope.get(&binding);
        b.write_u64(0, TAG_BINDING);
        b.write_u64(8, id);
        scope.get(&self.globals).set_field(1, Some(b));
        Ok(())
    }
}

fn int<'h, S: Scheme>(heap: &'h mut Heap<'_, S>, n: i64) -> Result<Ref<'h, S>, AllocError> {
    let v = heap.alloc(INT)?;
    v.write_u64(0, TAG_INT);
    v.write_u64(8, n as u64);
    Ok(v)
}

fn symbol<'h, S: Scheme>(heap: &'h mut Heap<'_, S>, id: u64) -> Result<Ref<'h, S>, AllocError> {
    let v = heap.alloc(SYMBOL)?;
    v.write_u64(0, TAG_SYMBOL);
    v.write_u64(8, id);
    Ok(v)
}

fn cons<'h, S: Scheme>(
    heap: &'h mut Heap<'_, S>,
    car: &Local<'_, S>,
    cdr: &Local<'_, S>,
) -> Result<Ref<'h, S>, AllocError> {
    let pair = heap.alloc_with(CONS, &[*car, *cdr])?;
    pair.write_u64(0, TAG_CONS);
    Ok(pair)
}

fn lambda<'h, S: Scheme>(
    heap: &'h mut Heap<'_, S>,
    params: &Local<'_, S>,
    body: &Local<'_, S>,
    env: &Local<'_, S>,
) -> Result<Ref<'h, S>, AllocError> {
    let closure = heap.alloc_with(LAMBDA, &[*params, *body, *env])?;
    closure.write_u64(0, TAG_LAMBDA);
    Ok(closure)
}

fn car<S: Scheme>(v: Ref<'_, S>) -> Result<Ref<'_, S>, Error> {
    if v.read_u64(0) != TAG_CONS {
        return Err(Error::Type("car of a non-pair"));
    }
    Ok(v.field(0).expect("a pair's car"))
}

fn cdr<S: Scheme>(v: Ref<'_, S>) -> Result<Ref<'_, S>, Error> {
    if v.read_u64(0) != TAG_CONS {
        return Err(Error::Type("cdr of a non-pair"));
    }
    Ok(v.field(1).expect("a pair's cdr"))
}

fn int_of<S: Scheme>(v: Ref<'_, S>) -> Result<i64, Error> {
    if v.read_u64(0) != TAG_INT {
        return Err(Error::Type("arithmetic on a non-integer"));
    }
    Ok(v.read_u64(8) as i64)
}

fn symbol_id<S: Scheme>(v: Ref<'_, S>) -> Result<u64, Error> {
    if v.read_u64(0) != TAG_SYMBOL {
        return Err(Error::Type("a name must be a symbol"));
    }
    Ok(v.read_u64(8))
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    Int(i64),
    Symbol(String),
}

fn tokenize(src: &str) -> Vec<Token> {
    let spaced = src.replace('(', " ( ").replace(')', " ) ");
    spaced
        .split_whitespace()
        .map(|word| match word {
            "(" => Token::Open,
            ")" => Token::Close,
            _ => word
                .parse()
                .map(Token::Int)
                .unwrap_or_else(|_| Token::Symbol(word.to_owned())),
        })
        .collect()
}
