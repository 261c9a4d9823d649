//! Sentence segmentation of normalized text.
//!
//! Rules scope matches to "the same sentence", so sentences must be right in the common cases of
//! diplomatic prose: titles and initials ("Mr. Blinken", "Antony L. Blinken", "U. S."), dotted
//! acronyms ("the U.S. Congress", "50 U.S.C. 1622"), numbers ("2.5") and quotations. The
//! splitter is a single pass over the bytes with no allocation besides the result.
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
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < len {
        // Inside a sentence most bytes are ASCII letters, digits and punctuation that do not end
        // it, and single spaces between them: skip them without decoding.
        if start.is_some() {
            i = plain_run_end(b, i);
            debug_assert_eq!(i, plain_run_end_bytewise(b, i));
            if i == len {
                break;
            }
        }
        let Some(c) = char_at(text, i) else {
            break;
        };
        if c.is_whitespace() {
            let run_start = i;
            let mut breaks = 0;
            while let Some(w) = char_at(text, i).filter(|w| w.is_whitespace()) {
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
            while j < len && matches!(b[j], b'.' | b'!' | b'?') {
                j += 1;
            }
            let single_dot = c == '.' && j == i + 1;
            while j < len && matches!(b[j], b'"' | b'\'' | b')' | b']') {
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

/// An ASCII byte that is neither whitespace nor a sentence terminator.
fn is_plain(b: u8) -> bool {
    b.is_ascii() && !b.is_ascii_whitespace() && b != 0x0b && !matches!(b, b'.' | b'!' | b'?')
}

/// The end of the run from `from` of plain bytes ([`is_plain`]) and single spaces followed by a
/// plain byte: where the splitter has something to look at. Eight bytes at a time.
fn plain_run_end(b: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & (ONES * 0x80) != 0;
    // The first byte that is not plain and not a space.
    let mut stop = from;
    while let Some(chunk) = b.get(stop..stop + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let low = w & (ONES * 127);
        // A byte between 8 and 14 (exclusive): \t \n \v \f \r ("Bit Twiddling Hacks").
        let control =
            (ONES * (127 + 14)).wrapping_sub(low) & !w & low.wrapping_add(ONES * (127 - 8));
        if w & (ONES * 0x80) != 0
            || control & (ONES * 0x80) != 0
            || has_zero(w ^ (ONES * u64::from(b'.')))
            || has_zero(w ^ (ONES * u64::from(b'!')))
            || has_zero(w ^ (ONES * u64::from(b'?')))
        {
            break;
        }
        stop += 8;
    }
    while stop < b.len() && (is_plain(b[stop]) || b[stop] == b' ') {
        stop += 1;
    }
    // Before it, the first space that starts a double space or precedes `stop`.
    if stop == from {
        return from;
    }
    if let Some(double) = memchr::memmem::find(&b[from..stop], b"  ") {
        return from + double;
    }
    if b[stop - 1] == b' ' {
        return stop - 1;
    }
    stop
}

/// [`plain_run_end`] byte by byte: the definition it is checked against in debug builds.
#[cfg_attr(not(debug_assertions), allow(dead_code))]
fn plain_run_end_bytewise(b: &[u8], mut i: usize) -> usize {
    while i < b.len()
        && (is_plain(b[i]) || (b[i] == b' ' && b.get(i + 1).is_some_and(|&n| is_plain(n))))
    {
        i += 1;
    }
    i
}

/// The character starting at byte `i` of `text` (`i` on a character boundary).
fn char_at(text: &str, i: usize) -> Option<char> {
    match text.as_bytes().get(i) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        Some(_) => text[i..].chars().next(),
        None => None,
    }
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

fn is_abbreviation(word: &str) -> bool {
    let Some(w0) = word.chars().next() else {
        return false;
    };
    ABBREVIATIONS.iter().any(|a| {
        a.eq_ignore_ascii_case(word)
            && a.chars()
                .next()
                .is_some_and(|a0| a0.is_uppercase() == w0.is_uppercase())
    })
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

    proptest! {
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
