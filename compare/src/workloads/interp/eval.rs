//! The evaluator: a recursive tree walker over heap values, holding its
//! temporaries in `root!`s under scopes and its globals in persistent
//! roots.

use std::collections::HashMap;

use gcroots::{
    AllocError, Heap, Local, Persistent, Ref, Root, RootVec, Roots, Scheme, Weak, root, root_vec,
};

use super::lexer::tokenize;
use super::value::{
    self, BINDING, Error, NIL, TAG_BINDING, TAG_CONS, TAG_LAMBDA, TAG_NIL, TAG_SYMBOL, Value, car,
    cdr, cons, int, int_of, lambda, symbol, symbol_id,
};

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

/// An interpreter: its symbol table (in Rust), its intern table (each
/// symbol's heap object, held weakly: a symbol no live value holds is
/// collected and made again when next read) and its two long-lived roots,
/// `nil` and the global environment (in the heap).
///
/// Its roots end when it is dropped.
pub struct Interp<'r, S: Scheme> {
    names: Vec<String>,
    ids: HashMap<String, u64>,
    /// By symbol id.
    symbols: Vec<Option<Weak<'r, S>>>,
    pub(super) nil: Persistent<'r, S>,
    globals: Persistent<'r, S>,
}

impl<S: Scheme> std::fmt::Debug for Interp<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interp")
            .field("scheme", &S::NAME)
            .field("symbols", &self.names.len())
            .finish_non_exhaustive()
    }
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
            symbols: Vec::new(),
            nil,
            globals,
        };
        for (name, _) in BUILTINS {
            interp.intern(name);
        }
        assert_eq!(interp.intern("nil"), NIL_SYMBOL);
        Ok(interp)
    }

    pub(super) fn intern(&mut self, name: &str) -> u64 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u64;
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }

    /// The heap object of symbol `id`: the interned one while it is alive,
    /// so that one symbol is one object; a new one, interned, otherwise.
    pub(super) fn symbol<'h>(
        &mut self,
        heap: &'h mut Heap<'r, S>,
        id: u64,
    ) -> Result<Ref<'h, S>, AllocError> {
        let i = id as usize;
        if self.symbols.len() <= i {
            self.symbols.resize(i + 1, None);
        }
        let interned = |heap: &Heap<'r, S>, w: &Option<Weak<'r, S>>| {
            w.as_ref().is_some_and(|w| w.upgrade(heap).is_some())
        };
        if interned(heap, &self.symbols[i]) {
            let heap: &'h Heap<'r, S> = heap;
            return Ok(self.symbols[i]
                .as_ref()
                .and_then(|w| w.upgrade(heap))
                .expect("alive"));
        }
        let roots = heap.roots();
        let v = symbol(heap, id)?;
        self.symbols[i] = Some(roots.weak(v));
        Ok(v)
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
            last = value::read(scope.get(&value), &self.names);
        }
        Ok(last)
    }

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
                // Each branch roots in a scope of its own, so that its roots
                // end with it under every scheme.
                // (define (f params...) body) = (define f (lambda (params...) body))
                let function = t.read_u64(0) == TAG_CONS;
                let id = symbol_id(if function { car(t)? } else { t })?;
                root!(scope, let value = if function {
                    let mut branch = scope.scope();
                    root!(branch, let params = cdr(branch.get(&target))?);
                    root!(branch, let body = car(cdr(branch.get(&args))?)?);
                    root!(branch, let closure = lambda(&mut branch, &params, &body, env)?);
                    branch.escape(&closure)
                } else {
                    let mut branch = scope.scope();
                    root!(branch, let value_expr = car(cdr(branch.get(&args))?)?);
                    root!(branch, let value = self.eval(&mut branch, &value_expr, env)?);
                    branch.escape(&value)
                });
                self.define(&mut scope, id, &value)?;
                root!(scope, let name = self.symbol(&mut scope, id)?);
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
                let binary = cdr(scope.get(&args))?.read_u64(0) == TAG_CONS;
                root!(scope, let value = if binary {
                    let mut branch = scope.scope();
                    root!(branch, let b_expr = car(cdr(branch.get(&args))?)?);
                    root!(branch, let b = self.eval(&mut branch, &b_expr, env)?);
                    root!(branch, let value = self.binary(&mut branch, prim, &a, &b)?);
                    branch.escape(&value)
                } else {
                    self.unary(&mut scope, prim, &a)?
                });
                return Ok(scope.escape(&value));
            }
            None => {
                root!(scope, let closure = self.eval(&mut scope, &op, env)?);
                let c = scope.get(&closure);
                if c.read_u64(0) != TAG_LAMBDA {
                    return Err(Error::Type("call of a non-function"));
                }
                root!(scope, let frame = c.field(2).expect("a closure's env"));
                root!(scope, let params = c.field(0).expect("a closure's params"));
                // Evaluate one argument per parameter, in the caller's
                // environment, onto the argument stack: one root for them
                // all, however many there are.
                root_vec!(scope, let values);
                root!(scope, let names = scope.get(&params));
                root!(scope, let rest = scope.get(&args));
                while scope.get(&names).read_u64(0) == TAG_CONS {
                    let mut inner = scope.scope();
                    root!(inner, let arg = car(inner.get(&rest))?);
                    let value = self.eval(&mut inner, &arg, env)?;
                    values.push(value);
                    names.set(cdr(inner.get(&names))?);
                    rest.set(cdr(inner.get(&rest))?);
                }
                // Bind them, in a new environment that extends the
                // closure's.
                for i in 0..values.len(&scope) {
                    let mut inner = scope.scope();
                    let id = symbol_id(car(inner.get(&params))?)?;
                    let binding = inner.alloc_init(BINDING, |heap, b| {
                        b.set_field(0, values.get(heap, i));
                        b.set_field(1, Some(heap.get(&frame)));
                        b.write_u64(0, TAG_BINDING);
                        b.write_u64(8, id);
                    })?;
                    frame.set(binding);
                    params.set(cdr(inner.get(&params))?);
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
