//! Case and diacritic folding for matching: the one definition every matcher shares.
//!
//! Analysts write "Mozambique", sources write "Moçambique", "MOZAMBIQUE" or "mozambique"; all
//! must match the same gazetteer name or rule term. Rather than compile a variant of every
//! pattern for every spelling, commwatch matches against one *folded* copy of the normalized
//! text ([`FoldedText`]): lowercase, with diacritics removed. The normalization stage builds it
//! once per document (`commwatch_text::Normalizer`) and every matcher shares it, with an
//! [`OffsetMap`] back to the normalized text so that a match can be mapped to the original bytes,
//! and checked against the original case where that matters (acronyms such as "US" must match
//! only in capitals). Patterns — gazetteer names (`commwatch_text`), rule terms
//! (`commwatch_rules`) — are folded with the same [`fold`], so the two compare byte for byte.
//!
//! Folding is applied per character of the (NFKC) normalized text:
//!
//! - ASCII letters are lowercased; other ASCII is kept. Pure ASCII text keeps its length, so its
//!   map is a single linear segment.
//! - Any other character is decomposed (NFD), its combining marks (diacritics) are dropped, and
//!   what is left is lowercased with Unicode's full lowercase mapping: `"Ç"` → `"c"`,
//!   `"İ"` → `"i"`, `"Ω"` → `"ω"`. Letters that do not decompose keep their identity apart from
//!   case (`"ø"`, `"ł"` and `"ß"` are not transliterated).
//!
//! Plugins see only the SDK, not this crate: the bundled ones read sentences as tokens whose
//! words they lowercase themselves (`plugins/text-support`).

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use crate::offsets::{OffsetMap, OffsetMapBuilder};

/// A case- and diacritic-folded copy of a normalized text ("Moçambique" → "mocambique"), with
/// the map from its offsets back to the normalized text: what [`fold`] returns.
///
/// Matching on it makes every matcher case- and accent-insensitive without per-pattern variants;
/// a matcher that needs the original case (acronyms) maps its match back and looks.
#[derive(Clone, Debug, PartialEq)]
pub struct FoldedText {
    /// The folded text.
    pub text: String,
    /// Maps byte offsets of `text` to byte offsets of the normalized text.
    pub map: OffsetMap,
}

/// Folds `text` (normally already NFKC-normalized) for matching, and maps the folded offsets
/// back to `text`.
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

/// Folds a pattern (a gazetteer name, a rule phrase) the way [`fold`] folds text, so that the two
/// can be compared byte for byte.
pub fn fold_pattern(pattern: &str) -> String {
    fold(pattern).text
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definition one character at a time, as the rules crate had it before folding moved
    /// here: what the eight-byte ASCII runs of [`fold`] must not change.
    fn fold_by_char(text: &str) -> FoldedText {
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

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(fold("Moçambique").text, "mocambique");
        assert_eq!(fold("CÔTE D'IVOIRE").text, "cote d'ivoire");
        assert_eq!(fold("Türkiye").text, "turkiye");
        assert_eq!(fold("São Tomé and Príncipe").text, "sao tome and principe");
        assert_eq!(fold("İstanbul").text, "istanbul");
        assert_eq!(fold("ΩMEGA Łódź STRAẞE").text, "ωmega łodz straße");
        assert_eq!(fold_pattern("Côte d’Ivoire"), "cote d’ivoire");
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

        /// Folding ASCII eight bytes at a time gives the text and map of folding one character
        /// at a time, with ASCII runs of every length around non-ASCII characters.
        #[test]
        fn ascii_runs_fold_like_single_characters(s in "([ -~]{0,20}\\PC{0,3}){0,6}") {
            let (fast, slow) = (fold(&s), fold_by_char(&s));
            prop_assert_eq!(&fast.text, &slow.text);
            prop_assert_eq!(fast.map, slow.map);
        }
    }
}
