//! Case and diacritic folding for matching.
//!
//! Analysts write "Mozambique", sources write "Moçambique", "MOZAMBIQUE" or "mozambique"; all
//! must match the same gazetteer name. Rather than compile a variant of every pattern for every
//! spelling, commwatch matches against one *folded* copy of the normalized text: lowercase, with
//! diacritics removed. The copy is built once per document (by the
//! [`Normalizer`](crate::Normalizer)) and shared by every matcher, with an
//! [`OffsetMap`](commwatch_core::OffsetMap) back to the normalized text so that a match can be
//! mapped to the original bytes, and checked against the original case where that matters
//! (acronyms such as "US" must match only in capitals).
//!
//! Folding is applied per character of the (NFKC) normalized text:
//!
//! - ASCII letters are lowercased; other ASCII is kept. Pure ASCII text keeps its length, so its
//!   map is a single linear segment.
//! - Any other character is decomposed (NFD), its combining marks (diacritics) are dropped, and
//!   what is left is lowercased with Unicode's full lowercase mapping: `"Ç"` → `"c"`,
//!   `"İ"` → `"i"`, `"Ω"` → `"ω"`. Letters that do not decompose keep their identity apart from
//!   case (`"ø"`, `"ł"` and `"ß"` are not transliterated).

use commwatch_core::{FoldedText, OffsetMapBuilder};
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Folds `text` (normally already NFKC-normalized) for matching.
pub fn fold(text: &str) -> FoldedText {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut map = OffsetMapBuilder::new();
    let mut at = 0;
    while at < bytes.len() {
        let ascii = ascii_run_len(&bytes[at..]);
        if ascii > 0 {
            // Lowercasing ASCII keeps byte length and positions: a linear ("copied") segment.
            let from = out.len();
            out.push_str(&text[at..at + ascii]);
            out[from..].make_ascii_lowercase();
            map.copied(ascii);
            at += ascii;
            continue;
        }
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        let before = out.len();
        fold_char(c, &mut out);
        let (norm_len, folded_len) = (c.len_utf8(), out.len() - before);
        if folded_len == norm_len && out[before..] == text[at..at + norm_len] {
            map.copied(norm_len);
        } else {
            map.replaced(norm_len, folded_len);
        }
        at += norm_len;
    }
    FoldedText {
        text: out,
        map: map.finish(),
    }
}

/// The number of ASCII bytes at the start of `bytes`. Looks at eight bytes at a time.
fn ascii_run_len(bytes: &[u8]) -> usize {
    let mut n = 0;
    for chunk in bytes.chunks_exact(8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        if u64::from_le_bytes(word) & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        n += 8;
    }
    n + bytes[n..]
        .iter()
        .position(|b| !b.is_ascii())
        .unwrap_or(bytes.len() - n)
}

/// Folds one non-ASCII character into `out`.
fn fold_char(c: char, out: &mut String) {
    decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            out.extend(d.to_lowercase());
        }
    });
}

/// Folds a pattern (a gazetteer name, a rule phrase) the way [`fold`] folds text, so that the two
/// can be compared byte for byte.
pub fn fold_pattern(pattern: &str) -> String {
    fold(pattern).text
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(fold("Moçambique").text, "mocambique");
        assert_eq!(fold("CÔTE D'IVOIRE").text, "cote d'ivoire");
        assert_eq!(fold("Türkiye").text, "turkiye");
        assert_eq!(fold("São Tomé and Príncipe").text, "sao tome and principe");
        assert_eq!(fold("İstanbul").text, "istanbul");
    }

    #[test]
    fn ascii_maps_linearly_and_other_characters_to_their_edges() {
        let f = fold("Mali");
        assert_eq!(f.map.segment_count(), 1);
        let f = fold("Moçambique x");
        // "ç" (2 bytes) became "c" (1 byte): "mocambique" is 10 bytes, normalized 11.
        assert_eq!(&f.text[..10], "mocambique");
        assert_eq!(f.map.to_raw_range(0, 10), (0, 11));
        assert_eq!(f.map.to_raw_range(2, 3), (2, 4));
        assert_eq!(f.map.to_raw_range(11, 12), (12, 13));
    }

    proptest! {
        /// Folding is idempotent and every folded range maps inside the input on char boundaries.
        #[test]
        fn idempotent_and_maps_to_boundaries(s in "\\PC{0,40}") {
            let f = fold(&s);
            prop_assert_eq!(&fold(&f.text).text, &f.text);
            let bounds: Vec<usize> = (0..=f.text.len()).filter(|&i| f.text.is_char_boundary(i)).collect();
            for &a in &bounds {
                for &b in bounds.iter().filter(|&&b| b >= a) {
                    let (x, y) = f.map.to_raw_range(a, b);
                    prop_assert!(x <= y && y <= s.len());
                    prop_assert!(s.is_char_boundary(x) && s.is_char_boundary(y));
                }
            }
        }
    }
}
