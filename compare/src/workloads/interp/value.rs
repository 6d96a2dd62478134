//! How the interpreter's values are laid out in heap objects: a tag in the
//! first data word, then the payload; and reading them back into [`Value`].

use std::fmt;

use gcroots::{AllocError, Heap, Local, Ref, Scheme, Shape};

pub(super) const TAG_NIL: u64 = 0;
pub(super) const TAG_INT: u64 = 1;
pub(super) const TAG_SYMBOL: u64 = 2;
pub(super) const TAG_CONS: u64 = 3;
pub(super) const TAG_LAMBDA: u64 = 4;
pub(super) const TAG_BINDING: u64 = 5;

pub(super) const NIL: Shape = Shape::new(0, 8);
pub(super) const INT: Shape = Shape::new(0, 16);
pub(super) const SYMBOL: Shape = Shape::new(0, 16);
/// car, cdr
pub(super) const CONS: Shape = Shape::new(2, 8);
/// params, body, env
pub(super) const LAMBDA: Shape = Shape::new(3, 8);
/// value, next; the symbol id in the data
pub(super) const BINDING: Shape = Shape::new(2, 16);

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

/// Reads a heap value back into a [`Value`]; `names` is the symbol table.
pub(super) fn read<S: Scheme>(value: Ref<'_, S>, names: &[String]) -> Value {
    match value.read_u64(0) {
        TAG_NIL => Value::Nil,
        TAG_INT => Value::Int(value.read_u64(8) as i64),
        TAG_SYMBOL => Value::Symbol(names[value.read_u64(8) as usize].clone()),
        TAG_LAMBDA => Value::Lambda,
        TAG_CONS => {
            let mut items = Vec::new();
            let mut at = value;
            loop {
                items.push(read(at.field(0).expect("car"), names));
                let next = at.field(1).expect("cdr");
                match next.read_u64(0) {
                    TAG_CONS => at = next,
                    TAG_NIL => return Value::List(items, None),
                    _ => return Value::List(items, Some(Box::new(read(next, names)))),
                }
            }
        }
        tag => unreachable!("no value has tag {tag}"),
    }
}

pub(super) fn int<'h, S: Scheme>(
    heap: &'h mut Heap<'_, S>,
    n: i64,
) -> Result<Ref<'h, S>, AllocError> {
    let v = heap.alloc(INT)?;
    v.write_u64(0, TAG_INT);
    v.write_u64(8, n as u64);
    Ok(v)
}

pub(super) fn symbol<'h, S: Scheme>(
    heap: &'h mut Heap<'_, S>,
    id: u64,
) -> Result<Ref<'h, S>, AllocError> {
    let v = heap.alloc(SYMBOL)?;
    v.write_u64(0, TAG_SYMBOL);
    v.write_u64(8, id);
    Ok(v)
}

pub(super) fn cons<'h, S: Scheme>(
    heap: &'h mut Heap<'_, S>,
    car: &Local<'_, S>,
    cdr: &Local<'_, S>,
) -> Result<Ref<'h, S>, AllocError> {
    let pair = heap.alloc_with(CONS, &[*car, *cdr])?;
    pair.write_u64(0, TAG_CONS);
    Ok(pair)
}

pub(super) fn lambda<'h, S: Scheme>(
    heap: &'h mut Heap<'_, S>,
    params: &Local<'_, S>,
    body: &Local<'_, S>,
    env: &Local<'_, S>,
) -> Result<Ref<'h, S>, AllocError> {
    let closure = heap.alloc_with(LAMBDA, &[*params, *body, *env])?;
    closure.write_u64(0, TAG_LAMBDA);
    Ok(closure)
}

pub(super) fn car<S: Scheme>(v: Ref<'_, S>) -> Result<Ref<'_, S>, Error> {
    if v.read_u64(0) != TAG_CONS {
        return Err(Error::Type("car of a non-pair"));
    }
    Ok(v.field(0).expect("a pair's car"))
}

pub(super) fn cdr<S: Scheme>(v: Ref<'_, S>) -> Result<Ref<'_, S>, Error> {
    if v.read_u64(0) != TAG_CONS {
        return Err(Error::Type("cdr of a non-pair"));
    }
    Ok(v.field(1).expect("a pair's cdr"))
}

pub(super) fn int_of<S: Scheme>(v: Ref<'_, S>) -> Result<i64, Error> {
    if v.read_u64(0) != TAG_INT {
        return Err(Error::Type("arithmetic on a non-integer"));
    }
    Ok(v.read_u64(8) as i64)
}

pub(super) fn symbol_id<S: Scheme>(v: Ref<'_, S>) -> Result<u64, Error> {
    if v.read_u64(0) != TAG_SYMBOL {
        return Err(Error::Type("a name must be a symbol"));
    }
    Ok(v.read_u64(8))
}
