//! The parser: tokens to lists in the heap.

use gcroots::{Heap, Ref, Scheme, root};

use super::eval::Interp;
use super::lexer::Token;
use super::value::{Error, cons, int};

impl<'r, S: Scheme> Interp<'r, S> {
    /// Parses one expression starting at token `*at` into the heap.
    pub(super) fn parse<'h>(
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
                Ok(self.symbol(heap, id)?)
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
}
