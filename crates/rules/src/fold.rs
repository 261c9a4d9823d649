//! Case and diacritic folding, the same rule as `commwatch-text`'s `fold`.
//!
//! Rule terms are folded once, when the rule set is compiled, and compared byte for byte with the
//! folded copy of a communiqué ([`Communique::folded`](commwatch_core::Communique::folded)) that
//! the normalization stage builds. This crate does not depend on `commwatch-text`, so the rule is
//! repeated here: ASCII letters are lowercased; any other character is decomposed (NFD), its
//! combining marks are dropped and the rest is lowercased (`"Ç"` → `"c"`, `"İ"` → `"i"`).
//! [`fold`] is also what [`run_tests`](crate::run_tests) uses to give test cases the folded copy a
//! pipeline would.

use commwatch_core::{FoldedText, OffsetMapBuilder};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Folds `text` for matching and maps the folded offsets back to `text`.
pub fn fold(text: &str) -> FoldedText {
    let mut out = String::with_capacity(text.len());
    let mut map = OffsetMapBuilder::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_ascii() {
            let mut end = start + 1;
            out.push(c.to_ascii_lowercase());
            while let Some(&(i, d)) = chars.peek() {
                if !d.is_ascii() {
                    break;
                }
                out.push(d.to_ascii_lowercase());
                end = i + 1;
                chars.next();
            }
            map.copied(end - start);
            continue;
        }
        let before = out.len();
        fold_char(c, &mut out);
        let (len, folded_len) = (c.len_utf8(), out.len() - before);
        if folded_len == len && out[before..] == text[start..start + len] {
            map.copied(len);
        } else {
            map.replaced(len, folded_len);
        }
    }
    FoldedText {
        text: out,
        map: map.finish(),
    }
}

fn fold_char(c: char, out: &mut String) {
    decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            out.extend(d.to_lowercase());
        }
    });
}

/// Folds a rule term for the automaton: [`fold`], then every run of whitespace becomes one space
/// and the ends are trimmed (the normalizer collapses whitespace in the text the same way).
pub(crate) fn fold_term(term: &str) -> String {
    let folded = fold(term).text;
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_like_the_text_crate() {
        assert_eq!(fold("Moçambique").text, "mocambique");
        assert_eq!(fold("CÔTE D'IVOIRE").text, "cote d'ivoire");
        assert_eq!(fold("Türkiye").text, "turkiye");
        assert_eq!(fold("İstanbul").text, "istanbul");
        let f = fold("Moçambique x");
        assert_eq!(f.map.to_raw_range(0, 10), (0, 11));
    }

    #[test]
    fn terms_collapse_whitespace() {
        assert_eq!(fold_term("  New\t Members "), "new members");
    }
}
