//! Text helpers shared by the bundled plugins (`accession`, `regional-threat`): what both need to
//! run their regular expressions fast on real communiqués, and to read a sentence as tokens
//! (entities as single tokens) when a pattern over characters is not enough, kept in one place.

mod shadow;
mod spans;
mod tokens;

pub use shadow::{Shadow, StandIns, words};
pub use spans::Spans;
pub use tokens::{Kind as TokenKind, Rules as TokenRules, Token, Tokens, ordinal};
