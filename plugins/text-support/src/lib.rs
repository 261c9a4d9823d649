//! Text helpers for the bundled plugins, over the plugin SDK (plugins see only the SDK, not
//! commwatch's own crates), kept in one place:
//!
//! - [`Tokens`]: a sentence as tokens, each tagged entity one token — the one tokenizer of both
//!   bundled alerting plugins. `accession` reads its sentences with the plain reading
//!   ([`Tokens::tokenize`]); `regional-threat` with its lexicon as the [`TokenRules`] (word
//!   classes, clause words and clauses, hyphens apart, apostrophes as in names:
//!   [`Tokens::tokenize_with`]). Each plugin's word lists stay in the plugin.
//! - [`ordinal`]: the value of an ordinal number in words or digits ("thirty-second", "32nd"),
//!   for `accession`.
//!
//! (The lowercase ASCII stand-in on which the plugins once ran regular expressions went with
//! the regular expressions: both plugins now read tokens.)

mod tokens;

pub use tokens::{Kind as TokenKind, Rules as TokenRules, Token, Tokens, ordinal};
