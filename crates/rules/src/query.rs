//! The rule query language: its syntax tree, parser and canonical printer.
//!
//! A query is what an analyst writes in a rule's `query` field:
//!
//! ```text
//! ("new members" OR joined) NEAR/10 @country AND NOT "member states"
//! ```
//!
//! [`Query::parse`] turns it into a tree; [`Display`](std::fmt::Display) prints a tree back as the
//! canonical string (explicit `AND`, `NEAR/N`, the fewest parentheses), which parses to the same
//! tree. The grammar is given in EBNF in `docs/rules.md`:
//!
//! - `AND`, `OR`, `NOT` (capitals) and parentheses; adjacent terms are joined by an implicit
//!   `AND`. `NEAR` binds tightest, then `NOT`, `AND`, `OR`; `AND` and `OR` group to the left.
//! - Words (`sanctions`), `"exact phrases"`, prefixes (`terror*`, `"foreign fight"*`).
//! - `a NEAR/N b` (`NEAR` alone is `NEAR/10`): operands are words, phrases, prefixes, entity
//!   references, or parenthesized `OR`s of them.
//! - Entity references `@kind` and `@kind:id` (`@org` is `@organization`; an id may end in `*`),
//!   and counts `@kind >= 3` (also `>`, `<=`, `<`, `=`).
//! - Metadata: `source:name`, `lang:code`, `meta.KEY:value` (values may end in `*`).
//!
//! Lower-case `and`, `or`, `not` and `near` are rejected as words: they are almost always an
//! operator written in the wrong case. Quote them (`"and"`) to search for the word.

use std::fmt;
use std::str::FromStr;

/// The distance `NEAR` means without `/N`.
pub const DEFAULT_NEAR: u32 = 10;

/// A parsed query. `And` and `Or` are binary and group to the left: `a AND b AND c` is
/// `And(And(a, b), c)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Query {
    /// A word or phrase (`sanctions`, `"new members"`), or a prefix (`terror*`), matched on whole
    /// words, ignoring case and diacritics.
    Text(Pattern),
    /// An entity mentioned in scope: `@country`, `@country:ML`, `@resolution:S/RES/*`.
    Entity(EntityRef),
    /// The number of distinct ids of matching entities in scope, compared: `@country >= 3`.
    Count {
        /// Which entities are counted.
        entity: EntityRef,
        /// The comparison.
        op: Cmp,
        /// The number compared with.
        value: u32,
    },
    /// A test on the event's origin, language or metadata.
    Meta(MetaTerm),
    /// True when the operand is false.
    Not(Box<Query>),
    /// True when both operands are.
    And(Box<Query>, Box<Query>),
    /// True when either operand is.
    Or(Box<Query>, Box<Query>),
    /// An occurrence of `left` and one of `right` at most `distance` words apart (the number of
    /// words between them), in either order.
    Near {
        /// Left operand (positional: text, entity, or an `Or` of those).
        left: Box<Query>,
        /// Right operand (positional).
        right: Box<Query>,
        /// Most words allowed between the two occurrences.
        distance: u32,
    },
}

/// A literal value as written, optionally a prefix (written with a trailing `*`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// The text as written, without quotes, escapes or the `*`.
    pub text: String,
    /// True for `text*`: matches anything that starts with `text`.
    pub prefix: bool,
}

/// An entity reference: a span kind and optionally an id (compared ignoring ASCII case).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EntityRef {
    /// The span kind, canonical (`organization` for `@org`).
    pub kind: String,
    /// The id, or `None` for any entity of the kind.
    pub id: Option<Pattern>,
}

/// A metadata test: `source:whitehouse`, `lang:en`, `meta.KEY:value`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MetaTerm {
    /// What is tested.
    pub field: MetaField,
    /// The value it must equal (or start with), ignoring ASCII case.
    pub value: Pattern,
}

/// The event field a [`MetaTerm`] tests.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MetaField {
    /// `source:` — [`Origin::name`](commwatch_core::Origin::name).
    Source,
    /// `lang:` — [`Communique::language`](commwatch_core::Communique::language).
    Lang,
    /// `meta.KEY:` — the value of `KEY` in [`Communique::metadata`](commwatch_core::Communique::metadata).
    Meta(String),
}

/// A count comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `=`
    Eq,
    /// `>=`
    Ge,
    /// `>`
    Gt,
}

impl Cmp {
    /// Whether `count` compares true with `value`.
    pub fn holds(self, count: u32, value: u32) -> bool {
        match self {
            Cmp::Lt => count < value,
            Cmp::Le => count <= value,
            Cmp::Eq => count == value,
            Cmp::Ge => count >= value,
            Cmp::Gt => count > value,
        }
    }

    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Eq => "=",
            Cmp::Ge => ">=",
            Cmp::Gt => ">",
        }
    }
}

/// Why a query did not parse: a message and the byte offset in the query it refers to (the
/// query's length for "unexpected end").
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte {offset})")]
pub struct QueryError {
    /// Byte offset into the query text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl Query {
    /// Parses a query.
    pub fn parse(src: &str) -> Result<Query, QueryError> {
        let tokens = lex(src)?;
        let mut parser = Parser {
            tokens,
            pos: 0,
            len: src.len(),
        };
        if parser.tokens.is_empty() {
            return Err(parser.error_at(0, "empty query"));
        }
        let query = parser.or()?;
        if let Some(tok) = parser.peek() {
            let message = match tok.tok {
                Tok::RParen => "unmatched `)`".to_string(),
                Tok::Near(_) => "NEAR cannot be chained or follow a group of AND/NOT; \
                                 write `a NEAR b AND b NEAR c`"
                    .to_string(),
                _ => format!("unexpected {}", tok.tok.describe()),
            };
            return Err(parser.error_at(tok.start, message));
        }
        Ok(query)
    }

    /// True for a query that can be an operand of `NEAR`: text, an entity reference, or an `Or` of
    /// those.
    pub fn is_positional(&self) -> bool {
        match self {
            Query::Text(_) | Query::Entity(_) => true,
            Query::Or(a, b) => a.is_positional() && b.is_positional(),
            _ => false,
        }
    }

    fn level(&self) -> u8 {
        match self {
            Query::Or(..) => 1,
            Query::And(..) => 2,
            Query::Not(_) => 3,
            Query::Near { .. } => 4,
            _ => 5,
        }
    }

    fn fmt_at(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        if self.level() < min {
            f.write_str("(")?;
            self.fmt_at(f, 0)?;
            return f.write_str(")");
        }
        match self {
            Query::Text(p) => write_value(f, p, is_bare_word),
            Query::Entity(e) => write!(f, "{e}"),
            Query::Count { entity, op, value } => write!(f, "{entity} {} {value}", op.as_str()),
            Query::Meta(m) => write!(f, "{m}"),
            Query::Not(q) => {
                f.write_str("NOT ")?;
                q.fmt_at(f, 3)
            }
            Query::And(a, b) => {
                a.fmt_at(f, 2)?;
                f.write_str(" AND ")?;
                b.fmt_at(f, 3)
            }
            Query::Or(a, b) => {
                a.fmt_at(f, 1)?;
                f.write_str(" OR ")?;
                b.fmt_at(f, 2)
            }
            Query::Near {
                left,
                right,
                distance,
            } => {
                left.fmt_at(f, 5)?;
                write!(f, " NEAR/{distance} ")?;
                right.fmt_at(f, 5)
            }
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_at(f, 0)
    }
}

impl FromStr for Query {
    type Err = QueryError;

    fn from_str(s: &str) -> Result<Query, QueryError> {
        Query::parse(s)
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.kind)?;
        if let Some(id) = &self.id {
            f.write_str(":")?;
            write_value(f, id, is_bare_value)?;
        }
        Ok(())
    }
}

impl fmt::Display for MetaTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            MetaField::Source => f.write_str("source:")?,
            MetaField::Lang => f.write_str("lang:")?,
            MetaField::Meta(key) => write!(f, "meta.{key}:")?,
        }
        write_value(f, &self.value, is_bare_value)
    }
}

/// Writes a value bare when `bare` allows it, else quoted with `\"` and `\\` escapes; then `*`
/// for a prefix.
fn write_value(f: &mut fmt::Formatter<'_>, p: &Pattern, bare: fn(&str) -> bool) -> fmt::Result {
    if bare(&p.text) {
        f.write_str(&p.text)?;
    } else {
        f.write_str("\"")?;
        for c in p.text.chars() {
            if c == '"' || c == '\\' {
                f.write_str("\\")?;
            }
            write!(f, "{c}")?;
        }
        f.write_str("\"")?;
    }
    if p.prefix {
        f.write_str("*")?;
    }
    Ok(())
}

/// Characters that end a bare token.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | '<' | '>' | '=')
}

/// A value that lexes as one bare token with nothing special in it.
fn is_bare_value(s: &str) -> bool {
    !s.is_empty() && !s.contains(|c: char| is_delimiter(c) || c == '*' || c == '\\')
}

/// A value that, written bare, parses back as a word.
fn is_bare_word(s: &str) -> bool {
    is_bare_value(s)
        && !s.contains(':')
        && !s.starts_with('@')
        && keyword_in_wrong_case(s).is_none()
        && !matches!(s, "AND" | "OR" | "NOT" | "NEAR")
        && !s.starts_with("NEAR/")
}

/// For a word that is an operator in the wrong case (`and`, `Near/5`), the operator.
fn keyword_in_wrong_case(word: &str) -> Option<&'static str> {
    let head = word.split('/').next().unwrap_or(word);
    ["AND", "OR", "NOT", "NEAR"]
        .into_iter()
        .find(|k| head.eq_ignore_ascii_case(k) && (head == word || *k == "NEAR"))
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Near(Option<u32>),
    Cmp(Cmp),
    /// A quoted string, with `*` right after the closing quote.
    Str(String, bool),
    Bare(String),
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::And => "AND".into(),
            Tok::Or => "OR".into(),
            Tok::Not => "NOT".into(),
            Tok::Near(_) => "NEAR".into(),
            Tok::Cmp(c) => format!("`{}`", c.as_str()),
            Tok::Str(s, _) => format!("\"{s}\""),
            Tok::Bare(s) => format!("`{s}`"),
        }
    }
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

fn lex(src: &str) -> Result<Vec<Token>, QueryError> {
    let err = |offset, message: &str| QueryError {
        offset,
        message: message.to_string(),
    };
    let mut tokens = Vec::new();
    let mut chars = src.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let tok = match c {
            '(' | ')' => {
                chars.next();
                if c == '(' { Tok::LParen } else { Tok::RParen }
            }
            '<' | '>' | '=' => {
                chars.next();
                let eq = c != '=' && chars.next_if(|&(_, d)| d == '=').is_some();
                Tok::Cmp(match (c, eq) {
                    ('<', false) => Cmp::Lt,
                    ('<', true) => Cmp::Le,
                    ('>', false) => Cmp::Gt,
                    ('>', true) => Cmp::Ge,
                    _ => Cmp::Eq,
                })
            }
            '"' => {
                chars.next();
                let mut text = String::new();
                let mut closed = false;
                while let Some((i, d)) = chars.next() {
                    match d {
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\\' => match chars.next() {
                            Some((_, e @ ('"' | '\\'))) => text.push(e),
                            _ => {
                                return Err(err(
                                    i,
                                    "unknown escape in a phrase; only \\\" and \\\\ are allowed",
                                ));
                            }
                        },
                        _ => text.push(d),
                    }
                }
                if !closed {
                    return Err(err(start, "unterminated phrase: missing closing `\"`"));
                }
                let prefix = chars.next_if(|&(_, d)| d == '*').is_some();
                Tok::Str(text, prefix)
            }
            _ => {
                let mut end = start;
                while let Some(&(i, d)) = chars.peek() {
                    if is_delimiter(d) {
                        break;
                    }
                    end = i + d.len_utf8();
                    chars.next();
                }
                let word = &src[start..end];
                match word {
                    "AND" => Tok::And,
                    "OR" => Tok::Or,
                    "NOT" => Tok::Not,
                    "NEAR" => Tok::Near(None),
                    _ => match word.strip_prefix("NEAR/") {
                        Some(n) => match n.parse::<u32>() {
                            Ok(v) if n.bytes().all(|b| b.is_ascii_digit()) => Tok::Near(Some(v)),
                            _ => {
                                return Err(err(
                                    start,
                                    "expected a number of words after NEAR/, like NEAR/5",
                                ));
                            }
                        },
                        None => Tok::Bare(word.to_string()),
                    },
                }
            }
        };
        let end = chars.peek().map_or(src.len(), |&(i, _)| i);
        tokens.push(Token { tok, start, end });
    }
    Ok(tokens)
}

// ---------------------------------------------------------------------------------------------
// Parser

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let tok = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        tok
    }

    fn error_at(&self, offset: usize, message: impl Into<String>) -> QueryError {
        QueryError {
            offset,
            message: message.into(),
        }
    }

    /// Where the next token starts, or the end of the query.
    fn here(&self) -> usize {
        self.peek().map_or(self.len, |t| t.start)
    }

    fn or(&mut self) -> Result<Query, QueryError> {
        let mut left = self.and("")?;
        while self.peek().is_some_and(|t| t.tok == Tok::Or) {
            self.next();
            let right = self.and(" after OR")?;
            left = Query::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self, context: &str) -> Result<Query, QueryError> {
        let mut left = self.unary(context)?;
        loop {
            match self.peek().map(|t| &t.tok) {
                Some(Tok::And) => {
                    self.next();
                    let right = self.unary(" after AND")?;
                    left = Query::And(Box::new(left), Box::new(right));
                }
                Some(Tok::LParen | Tok::Not | Tok::Str(..) | Tok::Bare(_)) => {
                    let right = self.unary("")?;
                    left = Query::And(Box::new(left), Box::new(right));
                }
                _ => return Ok(left),
            }
        }
    }

    fn unary(&mut self, context: &str) -> Result<Query, QueryError> {
        if self.peek().is_some_and(|t| t.tok == Tok::Not) {
            self.next();
            let operand = self.unary(" after NOT")?;
            return Ok(Query::Not(Box::new(operand)));
        }
        self.near(context)
    }

    fn near(&mut self, context: &str) -> Result<Query, QueryError> {
        let left_at = self.here();
        let left = self.primary(context)?;
        let Some(Tok::Near(n)) = self.peek().map(|t| t.tok.clone()) else {
            return Ok(left);
        };
        self.next();
        if !left.is_positional() {
            return Err(self.error_at(left_at, not_positional("left")));
        }
        let distance = n.unwrap_or(DEFAULT_NEAR);
        let right_at = self.here();
        let context = match n {
            Some(n) => format!(" after NEAR/{n}"),
            None => " after NEAR".to_string(),
        };
        let right = self.primary(&context)?;
        if !right.is_positional() {
            return Err(self.error_at(right_at, not_positional("right")));
        }
        if self.peek().is_some_and(|t| matches!(t.tok, Tok::Near(_))) {
            return Err(self.error_at(
                self.here(),
                "NEAR cannot be chained; write `a NEAR b AND b NEAR c`",
            ));
        }
        Ok(Query::Near {
            left: Box::new(left),
            right: Box::new(right),
            distance,
        })
    }

    fn primary(&mut self, context: &str) -> Result<Query, QueryError> {
        let at = self.here();
        let Some(token) = self.next() else {
            return Err(self.error_at(self.len, format!("expected a term{context}")));
        };
        match token.tok {
            Tok::LParen => {
                if self.peek().is_some_and(|t| t.tok == Tok::RParen) {
                    return Err(self.error_at(self.here(), "empty parentheses"));
                }
                let inner = self.or()?;
                match self.next() {
                    Some(Token {
                        tok: Tok::RParen, ..
                    }) => Ok(inner),
                    _ => {
                        self.pos -= 1;
                        Err(self.error_at(
                            self.here(),
                            format!("expected `)` to close the `(` at byte {at}"),
                        ))
                    }
                }
            }
            Tok::Str(text, prefix) => {
                if text.trim().is_empty() {
                    return Err(self.error_at(at, "empty phrase"));
                }
                Ok(Query::Text(Pattern { text, prefix }))
            }
            Tok::Bare(word) => self.bare(word, token.start, token.end),
            Tok::Cmp(c) => Err(self.error_at(
                at,
                format!(
                    "`{}` must follow an entity reference, like `@country {} 2`",
                    c.as_str(),
                    c.as_str()
                ),
            )),
            Tok::RParen => Err(self.error_at(at, format!("expected a term{context}, found `)`"))),
            other => Err(self.error_at(
                at,
                format!("expected a term{context}, found {}", other.describe()),
            )),
        }
    }

    /// A value after `field:`: the rest of the bare token, or a quoted string right after it.
    fn value(
        &mut self,
        rest: &str,
        end: usize,
        at: usize,
        what: &str,
    ) -> Result<Pattern, QueryError> {
        if !rest.is_empty() {
            return bare_pattern(rest).map_err(|m| self.error_at(at, m));
        }
        if let Some(Token {
            tok: Tok::Str(text, prefix),
            start,
            ..
        }) = self.peek().cloned()
            && start == end
        {
            self.next();
            if text.is_empty() {
                return Err(self.error_at(start, format!("empty {what}")));
            }
            return Ok(Pattern { text, prefix });
        }
        Err(self.error_at(end, format!("expected {what} after `:`")))
    }

    fn bare(&mut self, word: String, start: usize, end: usize) -> Result<Query, QueryError> {
        if let Some(rest) = word.strip_prefix('@') {
            let (kind, id) = match rest.split_once(':') {
                Some((kind, id)) => (kind, Some(id)),
                None => (rest, None),
            };
            if kind.is_empty() {
                return Err(
                    self.error_at(start, "expected an entity kind after `@`, like @country")
                );
            }
            if !kind
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            {
                return Err(self.error_at(
                    start,
                    format!("bad entity kind `{kind}`: use lower-case letters, digits, _ and -"),
                ));
            }
            let id_at = start + 1 + kind.len() + 1;
            let kind = if kind == "org" { "organization" } else { kind }.to_string();
            let id = match id {
                Some(id) => Some(self.value(id, end, id_at, "an id")?),
                None => None,
            };
            let entity = EntityRef { kind, id };
            if let Some(Tok::Cmp(op)) = self.peek().map(|t| t.tok.clone()) {
                self.next();
                let num_at = self.here();
                let value = match self.next() {
                    Some(Token {
                        tok: Tok::Bare(n), ..
                    }) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => n
                        .parse::<u32>()
                        .map_err(|_| self.error_at(num_at, "number too large"))?,
                    _ => {
                        return Err(self.error_at(
                            num_at,
                            format!("expected a number after `{}`", op.as_str()),
                        ));
                    }
                };
                return Ok(Query::Count { entity, op, value });
            }
            return Ok(Query::Entity(entity));
        }
        if let Some((field, rest)) = word.split_once(':') {
            let field = match field {
                "source" => MetaField::Source,
                "lang" => MetaField::Lang,
                _ => match field.strip_prefix("meta.") {
                    Some(key)
                        if !key.is_empty()
                            && key.chars().all(|c| {
                                c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
                            }) =>
                    {
                        MetaField::Meta(key.to_string())
                    }
                    Some(_) => {
                        return Err(self.error_at(
                            start,
                            "bad metadata key: use meta.KEY: with letters, digits, _, - and .",
                        ));
                    }
                    None => {
                        return Err(self.error_at(
                            start,
                            format!(
                                "unknown field `{field}:`; fields are source:, lang: and \
                                 meta.KEY:; quote the text to search for it"
                            ),
                        ));
                    }
                },
            };
            let value = self.value(rest, end, start + field_len(&word), "a value")?;
            return Ok(Query::Meta(MetaTerm { field, value }));
        }
        if let Some(op) = keyword_in_wrong_case(&word) {
            return Err(self.error_at(
                start,
                format!(
                    "`{word}` is not an operator: write {op} in capitals, or \"{word}\" to search \
                     for the word"
                ),
            ));
        }
        if word.starts_with("NEAR/") {
            return Err(self.error_at(start, "expected a number of words after NEAR/"));
        }
        bare_pattern(&word)
            .map(Query::Text)
            .map_err(|m| self.error_at(start, m))
    }
}

fn field_len(word: &str) -> usize {
    word.find(':').map_or(0, |i| i + 1)
}

fn bare_pattern(s: &str) -> Result<Pattern, String> {
    let (text, prefix) = match s.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (s, false),
    };
    if text.contains('*') {
        return Err("`*` is only allowed at the end of a word".to_string());
    }
    if text.is_empty() {
        return Err("`*` needs a word before it, like terror*".to_string());
    }
    Ok(Pattern {
        text: text.to_string(),
        prefix,
    })
}

fn not_positional(side: &str) -> String {
    format!(
        "the {side} operand of NEAR must be a word, phrase, prefix, entity reference, or a \
         parenthesized OR of those"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Query {
        Query::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn canon(s: &str) -> String {
        p(s).to_string()
    }

    fn err(s: &str) -> (usize, String) {
        let e = Query::parse(s).unwrap_err();
        (e.offset, e.message)
    }

    #[test]
    fn precedence_and_implicit_and() {
        assert_eq!(canon("a b OR c"), "a AND b OR c");
        assert_eq!(canon("a OR b c"), "a OR b AND c");
        assert_eq!(canon("a AND (b OR c)"), "a AND (b OR c)");
        assert_eq!(canon("NOT a b"), "NOT a AND b");
        assert_eq!(canon("NOT (a b)"), "NOT (a AND b)");
        assert_eq!(canon("NOT a NEAR b"), "NOT a NEAR/10 b");
        assert_eq!(
            canon("(a OR b) NEAR/3 @country"),
            "(a OR b) NEAR/3 @country"
        );
        assert_eq!(canon("a AND (b AND c)"), "a AND (b AND c)");
        assert_eq!(canon("(a AND b) AND c"), "a AND b AND c");
        assert_eq!(
            p("a OR b AND NOT c"),
            Query::Or(
                Box::new(p("a")),
                Box::new(Query::And(
                    Box::new(p("b")),
                    Box::new(Query::Not(Box::new(p("c"))))
                ))
            )
        );
    }

    #[test]
    fn terms() {
        assert_eq!(
            p("terror*"),
            Query::Text(Pattern {
                text: "terror".into(),
                prefix: true
            })
        );
        assert_eq!(canon(r#""foreign fight"*"#), r#""foreign fight"*"#);
        assert_eq!(canon(r#""sanctions""#), "sanctions");
        assert_eq!(canon(r#""say \"no\"""#), r#""say \"no\"""#);
        assert_eq!(canon("@org:nato"), "@organization:nato");
        assert_eq!(canon("@resolution:S/RES/2254"), "@resolution:S/RES/2254");
        assert_eq!(canon("@resolution:S/RES/*"), "@resolution:S/RES/*");
        assert_eq!(canon(r#"@person:"Joe Biden""#), r#"@person:"Joe Biden""#);
        assert_eq!(canon("@country>=3"), "@country >= 3");
        assert_eq!(canon("@country:ML = 1"), "@country:ML = 1");
        assert_eq!(canon("source:white* lang:en"), "source:white* AND lang:en");
        assert_eq!(
            canon(r#"meta.agency:"State Dept""#),
            r#"meta.agency:"State Dept""#
        );
        assert_eq!(canon(r#""and""#), r#""and""#);
        assert_eq!(canon(r#""a:b""#), r#""a:b""#);
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(
            err("sanctions AND"),
            (13, "expected a term after AND".into())
        );
        assert_eq!(err(""), (0, "empty query".into()));
        assert_eq!(err("a)"), (1, "unmatched `)`".into()));
        assert_eq!(
            err("(a"),
            (2, "expected `)` to close the `(` at byte 0".into())
        );
        assert_eq!(err("a NEAR"), (6, "expected a term after NEAR".into()));
        assert_eq!(err("a NEAR/x b").0, 2);
        assert_eq!(err("a NEAR b NEAR c").0, 9);
        assert!(err("(a AND b) NEAR c").1.contains("left operand"));
        assert!(err("a NEAR NOT b").1.contains("found NOT"));
        assert!(err("a and b").1.contains("write AND in capitals"));
        assert!(err("foo:bar").1.contains("unknown field `foo:`"));
        assert_eq!(err("\"abc").0, 0);
        assert!(err("te*rror").1.contains("only allowed at the end"));
        assert!(err("@country >=").1.contains("expected a number"));
        assert!(err(">= 3").1.contains("must follow an entity"));
        assert!(err("@Country").1.contains("bad entity kind"));
        assert!(err("\"  \"").1.contains("empty phrase"));
        assert!(err("lang:").1.contains("expected a value"));
        assert_eq!(err("()").1, "empty parentheses");
    }

    fn value_text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9äé/:@*()\"\\\\. -]{1,10}"
            .prop_filter("needs a non-space", |s| !s.trim().is_empty())
    }

    fn pattern() -> impl Strategy<Value = Pattern> {
        (value_text(), any::<bool>()).prop_map(|(text, prefix)| Pattern { text, prefix })
    }

    fn entity() -> impl Strategy<Value = EntityRef> {
        (
            prop::sample::select(vec!["country", "organization", "group", "resolution"]),
            prop::option::of(pattern()),
        )
            .prop_map(|(kind, id)| EntityRef {
                kind: kind.to_string(),
                id,
            })
    }

    fn positional() -> impl Strategy<Value = Query> {
        let leaf = prop_oneof![
            pattern().prop_map(Query::Text),
            entity().prop_map(Query::Entity)
        ];
        leaf.prop_recursive(2, 6, 2, |inner| {
            (inner.clone(), inner).prop_map(|(a, b)| Query::Or(Box::new(a), Box::new(b)))
        })
    }

    fn query() -> impl Strategy<Value = Query> {
        let cmp = prop::sample::select(vec![Cmp::Lt, Cmp::Le, Cmp::Eq, Cmp::Ge, Cmp::Gt]);
        let field = prop_oneof![
            Just(MetaField::Source),
            Just(MetaField::Lang),
            "[a-z][a-z0-9_.-]{0,6}".prop_map(MetaField::Meta),
        ];
        let leaf = prop_oneof![
            pattern().prop_map(Query::Text),
            entity().prop_map(Query::Entity),
            (entity(), cmp, 0u32..20).prop_map(|(entity, op, value)| Query::Count {
                entity,
                op,
                value
            }),
            (field, pattern()).prop_map(|(field, value)| Query::Meta(MetaTerm { field, value })),
            (positional(), positional(), 0u32..30).prop_map(|(l, r, distance)| Query::Near {
                left: Box::new(l),
                right: Box::new(r),
                distance
            }),
        ];
        leaf.prop_recursive(4, 24, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|q| Query::Not(Box::new(q))),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| Query::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner).prop_map(|(a, b)| Query::Or(Box::new(a), Box::new(b))),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Printing a tree and parsing the result gives the same tree back.
        #[test]
        fn print_then_parse_round_trips(q in query()) {
            let printed = q.to_string();
            let back = Query::parse(&printed);
            prop_assert_eq!(back.as_ref().ok(), Some(&q), "printed: {}, got {:?}", printed, back);
        }

        /// Any string either parses or gives an error inside the string; never a panic.
        #[test]
        fn random_strings_never_panic(s in "\\PC{0,40}") {
            if let Err(e) = Query::parse(&s) {
                prop_assert!(e.offset <= s.len());
            }
        }

        /// Strings made of the language's own pieces, too.
        #[test]
        fn random_token_soup_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
            "a", "\"b c\"", "(", ")", "AND", "OR", "NOT", "NEAR", "NEAR/3", "@country", "@org:nato",
            ">=", "<", "=", "3", "x*", "source:w*", "lang:", "meta.k:v", "\"", "*", ":", "@", "and",
        ]), 0..12)) {
            let s = parts.join(" ");
            if let Ok(q) = Query::parse(&s) {
                prop_assert_eq!(Query::parse(&q.to_string()).ok(), Some(q));
            }
        }
    }
}
