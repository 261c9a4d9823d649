//! Case and diacritic folding for matching: [`commwatch_core::fold`], where the definition lives
//! (next to [`FoldedText`](commwatch_core::FoldedText)) so that the rule engine folds its terms
//! with the very function the [`Normalizer`](crate::Normalizer) folds text with.
//!
//! In short: ASCII letters are lowercased; any other character is decomposed (NFD), its combining
//! marks are dropped and the rest is lowercased (`"Ç"` → `"c"`, `"İ"` → `"i"`, `"Ω"` → `"ω"`);
//! `"ø"`, `"ł"` and `"ß"` are not transliterated.

pub use commwatch_core::fold::{fold, fold_pattern};
