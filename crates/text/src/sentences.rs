//! Sentence segmentation of normalized text.
//!
//! Rules scope matches to "the same sentence", so sentences must be right in the common cases of
//! diplomatic prose: titles and initials ("Mr. Blinken", "Antony L. Blinken", "U. S."), dotted
//! acronyms ("the U.S. Congress", "50 U.S.C. 1622"), numbers ("2.5") and quotations. The
//! splitter jumps from one line break or terminator to the next and allocates nothing besides the
//! result.
//!
//! A sentence ends:
//!
//! - at a paragraph break (a whitespace run holding two or more `\n`), always;
//! - after `.`, `!` or `?` (a run of them, then any closing `"` `'` `)` `]`) followed by
//!   whitespace and then an uppercase letter, a digit, an opening quote (`"` `'` `“` `‘`) or a
//!   list bullet (`-` `*` `•` followed by a space),
//!
//! except after a single `.` that ends a known abbreviation ([`ABBREVIATIONS`]), a single letter
//! (an initial), or a dotted initialism (`U.S.C.`, `a.m.`), also at the end of a hyphenated word
//! (`Indo-U.S.`).

use std::ops::Range;
use std::sync::LazyLock;

/// Abbreviations (without their final dot) after which `.` does not end a sentence. Matched
/// case-insensitively, but a capitalized entry only matches a capitalized word ("No." is an
/// abbreviation, "no." is not).
pub const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Messrs", "Dr", "Prof", "St", "Mt", "Ft", "No", "Nos", "Jan", "Feb", "Mar",
    "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Gen", "Col", "Lt", "Maj",
    "Capt", "Cmdr", "Adm", "Sgt", "Sen", "Rep", "Gov", "Pres", "Amb", "Hon", "Rev", "Rt", "Inc",
    "Ltd", "Co", "Corp", "Art", "Sec", "Para", "Vol", "Ref", "e.g", "i.e", "etc", "vs", "cf", "al",
    "approx", "pp", "U.S", "U.K", "U.N", "E.U",
];

/// Splits `text` (normally normalized text) into sentences, returned as byte ranges of `text`
/// in order, each without surrounding whitespace and non-empty.
pub fn split_sentences(text: &str) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let len = b.len();
    let mut out = Vec::new();
    // Only line breaks and terminators can end a sentence: jump from one to the next, each found
    // by a vectorized search and kept until passed (`len` when there is none).
    let find_newline = |from: usize| memchr::memchr(b'\n', &b[from..]).map_or(len, |k| from + k);
    let find_terminator =
        |from: usize| memchr::memchr3(b'.', b'!', b'?', &b[from..]).map_or(len, |k| from + k);
    let mut i = skip_whitespace(text, 0);
    let (mut newline, mut terminator) = (find_newline(i), find_terminator(i));
    let mut start = (i < len).then_some(i);
    while let Some(s) = start {
        if newline < i {
            newline = find_newline(i);
        }
        if terminator < i {
            terminator = find_terminator(i);
        }
        let at = newline.min(terminator);
        if at == len {
            break;
        }
        if at == newline {
            // The whitespace run around the line break, which starts at or after `i` (the
            // character at `i` or the one before it is not whitespace): a paragraph break when
            // it holds two.
            let run_start = text[..at].trim_end_matches(char::is_whitespace).len();
            let mut run_end = run_start;
            let mut breaks = 0;
            for c in text[run_start..].chars().take_while(|c| c.is_whitespace()) {
                breaks += usize::from(c == '\n');
                run_end += c.len_utf8();
            }
            if breaks >= 2 {
                out.push(s..run_start);
                start = (run_end < len).then_some(run_end);
            }
            i = run_end;
            continue;
        }
        let mut j = at + 1;
        while j < len && matches!(b[j], b'.' | b'!' | b'?') {
            j += 1;
        }
        let single_dot = b[at] == b'.' && j == at + 1;
        while j < len && matches!(b[j], b'"' | b'\'' | b')' | b']') {
            j += 1;
        }
        if ends_sentence(text, s, at, j, single_dot) {
            out.push(s..j);
            i = skip_whitespace(text, j);
            start = (i < len).then_some(i);
        } else {
            i = j;
        }
    }
    if let Some(s) = start {
        out.push(s..text.trim_end().len());
    }
    out
}

/// The first character at or after byte `from` of `text` that is not whitespace, or `text.len()`.
fn skip_whitespace(text: &str, from: usize) -> usize {
    text.len() - text[from..].trim_start().len()
}

/// True when the terminator at `dot` (ending, with closers, at `end`) ends the sentence that
/// began at `start`.
fn ends_sentence(text: &str, start: usize, dot: usize, end: usize, single_dot: bool) -> bool {
    let rest = &text[end..];
    let Some(after) = rest.strip_prefix(|c: char| c.is_whitespace()) else {
        return false;
    };
    let mut next = after.trim_start().chars();
    let Some(first) = next.next() else {
        return false;
    };
    let starts_sentence = first.is_uppercase()
        || first.is_ascii_digit()
        || matches!(first, '"' | '\'' | '“' | '‘')
        || (matches!(first, '-' | '*' | '•') && next.next().is_some_and(char::is_whitespace));
    if !starts_sentence {
        return false;
    }
    if !single_dot {
        return true;
    }
    // The word the dot ends, without opening punctuation.
    let word_start = text[start..dot]
        .rfind(char::is_whitespace)
        .map_or(start, |k| {
            start + k + text[start + k..].chars().next().map_or(1, char::len_utf8)
        });
    let word = text[word_start..dot].trim_start_matches(['(', '[', '"', '\'', '“', '‘']);
    // "Indo-U.S." ends with the abbreviation "U.S.".
    let last = word.rsplit('-').next().unwrap_or(word);
    !(is_abbreviation(last) || is_initial(word) || is_dotted_initialism(last))
}

/// [`ABBREVIATIONS`] by [`abbreviation_key`], sorted, each with whether it is capitalized.
static ABBREVIATION_KEYS: LazyLock<Vec<(u64, bool)>> = LazyLock::new(|| {
    let mut keys: Vec<(u64, bool)> = ABBREVIATIONS
        .iter()
        .filter_map(|a| Some((abbreviation_key(a)?, a.starts_with(char::is_uppercase))))
        .collect();
    keys.sort_unstable();
    keys
});

/// A word of at most eight ASCII bytes, lowercased and packed into an integer (no abbreviation
/// is longer).
fn abbreviation_key(word: &str) -> Option<u64> {
    (word.len() <= 8 && word.is_ascii()).then(|| {
        word.bytes()
            .fold(0, |k, b| k << 8 | u64::from(b.to_ascii_lowercase()))
    })
}

fn is_abbreviation(word: &str) -> bool {
    let (Some(w0), Some(key)) = (word.chars().next(), abbreviation_key(word)) else {
        return false;
    };
    let keys = &*ABBREVIATION_KEYS;
    keys.binary_search_by_key(&key, |&(k, _)| k)
        .is_ok_and(|i| keys[i].1 == w0.is_uppercase())
}

/// A single letter: "L" in "Antony L. Blinken", "U" and "S" in "U. S.".
fn is_initial(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none()
}

/// Letters separated by dots: "U.S.C", "D.C", "a.m" (the final dot is not part of `word`).
fn is_dotted_initialism(word: &str) -> bool {
    let mut parts = 0;
    for part in word.split('.') {
        if !is_initial(part) {
            return false;
        }
        parts += 1;
    }
    parts >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(text: &str) -> Vec<&str> {
        split_sentences(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn splits_at_terminators_before_capitals() {
        assert_eq!(
            split("The Ministers met. They agreed! Did they? 2021 was long."),
            [
                "The Ministers met.",
                "They agreed!",
                "Did they?",
                "2021 was long."
            ]
        );
        assert_eq!(
            split("Iraq and Syria-K. The Coalition"),
            ["Iraq and Syria-K.", "The Coalition"]
        );
        assert_eq!(
            split("Daesh/ISIS (ISIS-K). The Coalition"),
            ["Daesh/ISIS (ISIS-K).", "The Coalition"]
        );
        // Lowercase after the dot: no boundary.
        assert_eq!(
            split("In September 2015. in this very Hall"),
            ["In September 2015. in this very Hall"]
        );
    }

    #[test]
    fn quotes_and_parentheses() {
        assert_eq!(
            split("He said \"no.\" Then he left."),
            ["He said \"no.\"", "Then he left."]
        );
        assert_eq!(split("(See annex.) The text"), ["(See annex.)", "The text"]);
        assert_eq!(
            split("mission; \"to help.\" \"Next\" is"),
            ["mission; \"to help.\"", "\"Next\" is"]
        );
    }

    #[test]
    fn paragraph_breaks_always_split() {
        assert_eq!(
            split("Ministerial Meeting of the Global Coalition\n\nThe particular Ministers"),
            [
                "Ministerial Meeting of the Global Coalition",
                "The particular Ministers"
            ]
        );
        assert_eq!(split("  \n\n a \n\n\n b  "), ["a", "b"]);
        assert!(split_sentences("").is_empty());
        assert!(split_sentences(" \n\n ").is_empty());
    }

    #[test]
    fn initials_and_abbreviations_from_the_examples() {
        let text = "Luigi Di Maio and U. S. Admin of State Antony L. Blinken. The Ministers \
                    reaffirmed their shared determination.";
        assert_eq!(
            split(text),
            [
                "Luigi Di Maio and U. S. Admin of State Antony L. Blinken.",
                "The Ministers reaffirmed their shared determination."
            ]
        );
        for one in [
            "with the U.S. Congress and our NATO Allies to quickly bring Finland",
            "Section 202(d) of the National Emergencies Act (50 U.S.C. 1622(d)) provides",
            "President Joseph R. Biden, Jr. spoke today with Prime Minister Magdalena Andersson",
            "I congratulate Mr. Csaba Kőrösi on his election",
            "Presidential Determination No. 2024-05",
            "On Jan. 5 the Ministers met",
            "The two countries are renewing the Indo-U.S. Vaccine Action Program",
            "the 2.5 percent growth, e.g. Iraq",
            "Prime Minister Mohammed Shia'a Al-Sudani, to the White House",
            "A LETTER FROM MR. SMITH AND DR. JONES",
        ] {
            assert_eq!(split(one), [one]);
        }
    }

    #[test]
    fn ellipses_and_bullets() {
        assert_eq!(split("and so on... The end"), ["and so on...", "The end"]);
        assert_eq!(
            split("domain awareness. - The U.S. and India committed"),
            ["domain awareness.", "- The U.S. and India committed"]
        );
    }

    #[test]
    fn abbreviations_are_short_ascii_and_distinct_ignoring_case() {
        let mut keys: Vec<u64> = ABBREVIATIONS
            .iter()
            .map(|a| abbreviation_key(a).unwrap_or_else(|| panic!("{a}")))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), ABBREVIATIONS.len());
        assert!(is_abbreviation("Mr") && is_abbreviation("MR") && is_abbreviation("etc"));
        assert!(!is_abbreviation("no") && !is_abbreviation("Étc") && !is_abbreviation("Messrss"));
    }

    /// The splitter looking at every character: the definition `split_sentences` is checked
    /// against.
    fn split_char_by_char(text: &str) -> Vec<Range<usize>> {
        let b = text.as_bytes();
        let mut out = Vec::new();
        let mut start: Option<usize> = None;
        let mut i = 0;
        while let Some(c) = text[i..].chars().next() {
            if c.is_whitespace() {
                let run_start = i;
                let mut breaks = 0;
                while let Some(w) = text[i..].chars().next().filter(|w| w.is_whitespace()) {
                    breaks += usize::from(w == '\n');
                    i += w.len_utf8();
                }
                if breaks >= 2
                    && let Some(s) = start.take()
                {
                    out.push(s..run_start);
                }
                continue;
            }
            let s = *start.get_or_insert(i);
            if matches!(c, '.' | '!' | '?') {
                let mut j = i + 1;
                while j < b.len() && matches!(b[j], b'.' | b'!' | b'?') {
                    j += 1;
                }
                let single_dot = c == '.' && j == i + 1;
                while j < b.len() && matches!(b[j], b'"' | b'\'' | b')' | b']') {
                    j += 1;
                }
                if ends_sentence(text, s, i, j, single_dot) {
                    out.push(s..j);
                    start = None;
                }
                i = j;
                continue;
            }
            i += c.len_utf8();
        }
        if let Some(s) = start {
            out.push(s..text.trim_end().len());
        }
        out
    }

    proptest! {
        #[test]
        fn jumping_finds_what_looking_at_every_character_finds(
            text in "[a-zA-Z .!?\"')\\]\n\r\t\u{a0}\u{2028}\u{85}é]{0,80}|\\PC{0,60}"
        ) {
            prop_assert_eq!(split_sentences(&text), split_char_by_char(&text));
        }

        #[test]
        fn ranges_are_ordered_trimmed_and_on_boundaries(text in "\\PC{0,60}|[a-zA-Z.!?\" \n]{0,60}") {
            let mut last = 0;
            for r in split_sentences(&text) {
                prop_assert!(last <= r.start && r.start < r.end && r.end <= text.len());
                prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                let s = &text[r.clone()];
                prop_assert_eq!(s.trim(), s);
                last = r.end;
            }
        }
    }
}
