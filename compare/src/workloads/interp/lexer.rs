//! The lexer: source text to tokens.

/// A token of the source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Token {
    Open,
    Close,
    Int(i64),
    Symbol(String),
}

/// Splits `src` into tokens.
pub(super) fn tokenize(src: &str) -> Vec<Token> {
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
