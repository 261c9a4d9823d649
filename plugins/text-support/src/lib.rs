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
//! - [`Shadow`] and [`Spans`]: a lowercase ASCII stand-in of a text on which regular expressions
//!   run at the speed of a DFA, and the spans of each sentence found by a forward walk — for a
//!   plugin that matches patterns over characters (neither bundled plugin does since both read
//!   tokens).

mod shadow;
mod spans;
mod tokens;

pub use shadow::{Shadow, StandIns, words};
pub use spans::Spans;
pub use tokens::{Kind as TokenKind, Rules as TokenRules, Token, Tokens, ordinal};
