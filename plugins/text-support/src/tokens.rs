//! Sentences as tokens — words, numbers, punctuation and the entities tagged in them — so that a
//! plugin can read a clause by the role of its parts (who joins what, who threatens where)
//! instead of matching a pattern over characters.
//!
//! An entity span becomes one token whatever its length ("the Democratic Republic of the Congo"
//! is one `Entity` token), so that "X, Y and Z joined NATO" is five tokens before the verb
//! whatever the names. Words are compared by their lowercase ASCII form; a possessive "'s" (with
//! a straight or curly apostrophe) is a token of its own. Offsets are the raw text's.

use std::ops::Range;

use commwatch_plugin_sdk::SpanView;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A word: letters, digits, and hyphens or apostrophes inside ("thirty-second", "don't").
    Word,
    /// Punctuation: one character that is neither a letter, a digit nor white space.
    Punct,
    /// An entity tagged by an earlier stage: its index in the spans given to
    /// [`Tokens::tokenize`].
    Entity(usize),
}

/// One token.
#[derive(Clone, Debug)]
pub struct Token {
    /// Where it is in the raw text.
    pub range: Range<usize>,
    /// What it is.
    pub kind: Kind,
    /// Its lowercase ASCII form in [`Tokens`]' buffer (words and punctuation).
    lower: Range<usize>,
    /// Whether it starts with a capital letter.
    pub capital: bool,
}

/// The tokens of one sentence; reused from sentence to sentence.
#[derive(Debug, Default)]
pub struct Tokens {
    list: Vec<Token>,
    lower: String,
}

impl Tokens {
    /// Splits `raw[range]` into tokens; each of `spans` (in order, non-overlapping, within the
    /// range) becomes one entity token.
    pub fn tokenize(&mut self, raw: &str, range: Range<usize>, spans: &[SpanView<'_>]) {
        self.list.clear();
        self.lower.clear();
        let mut at = range.start;
        let mut next_span = 0;
        while at < range.end {
            if let Some(span) = spans.get(next_span)
                && span.start <= at
            {
                if span.end > at {
                    self.list.push(Token {
                        range: span.start..span.end,
                        kind: Kind::Entity(next_span),
                        lower: 0..0,
                        capital: true,
                    });
                    at = span.end;
                }
                next_span += 1;
                continue;
            }
            let limit = spans
                .get(next_span)
                .map_or(range.end, |s| s.start.min(range.end));
            let c = raw[at..].chars().next().expect("in range");
            if c.is_whitespace() {
                at += c.len_utf8();
                continue;
            }
            let start = at;
            let lower_start = self.lower.len();
            if c.is_alphanumeric() {
                // A word: alphanumerics, with single hyphens or apostrophes inside; "'s" apart.
                let mut end = at;
                let mut chars = raw[at..limit].char_indices().peekable();
                while let Some((i, ch)) = chars.next() {
                    if ch.is_alphanumeric() {
                        end = at + i + ch.len_utf8();
                        continue;
                    }
                    let joiner = matches!(ch, '-' | '\'' | '\u{2019}' | '\u{2011}');
                    let next_alnum = chars.peek().is_some_and(|(_, n)| n.is_alphanumeric());
                    let possessive = matches!(ch, '\'' | '\u{2019}')
                        && raw[at + i + ch.len_utf8()..limit]
                            .strip_prefix(['s', 'S'])
                            .is_some_and(|rest| !rest.starts_with(char::is_alphanumeric));
                    if joiner && next_alnum && !possessive {
                        continue;
                    }
                    break;
                }
                for ch in raw[start..end].chars() {
                    self.lower.push(match ch {
                        '\u{2019}' => '\'',
                        '\u{2011}' => '-',
                        c => c.to_ascii_lowercase(),
                    });
                }
                self.list.push(Token {
                    range: start..end,
                    kind: Kind::Word,
                    lower: lower_start..self.lower.len(),
                    capital: c.is_uppercase(),
                });
                at = end;
            } else if matches!(c, '\'' | '\u{2019}')
                && raw[at + c.len_utf8()..limit]
                    .strip_prefix(['s', 'S'])
                    .is_some_and(|rest| !rest.starts_with(char::is_alphanumeric))
            {
                self.lower.push_str("'s");
                at += c.len_utf8() + 1;
                self.list.push(Token {
                    range: start..at,
                    kind: Kind::Word,
                    lower: lower_start..self.lower.len(),
                    capital: false,
                });
            } else {
                self.lower.push(match c {
                    '\u{2013}' | '\u{2014}' | '\u{2012}' | '\u{2015}' => '-',
                    '\u{2018}' | '\u{2019}' => '\'',
                    '\u{201c}' | '\u{201d}' => '"',
                    c => c,
                });
                at += c.len_utf8();
                self.list.push(Token {
                    range: start..at,
                    kind: Kind::Punct,
                    lower: lower_start..self.lower.len(),
                    capital: false,
                });
            }
        }
    }

    /// The tokens.
    #[inline]
    pub fn list(&self) -> &[Token] {
        &self.list
    }

    /// How many tokens there are.
    #[inline]
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there is no token.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The lowercase form of token `i` ("" for an entity or past the end).
    #[inline]
    pub fn word(&self, i: usize) -> &str {
        self.list
            .get(i)
            .map_or("", |t| &self.lower[t.lower.clone()])
    }

    /// Whether token `i` is one of `words` (lowercase).
    #[inline]
    pub fn is(&self, i: usize, words: &[&str]) -> bool {
        let w = self.word(i);
        !w.is_empty() && words.contains(&w)
    }

    /// The entity index of token `i`, if it is an entity.
    #[inline]
    pub fn entity(&self, i: usize) -> Option<usize> {
        match self.list.get(i)?.kind {
            Kind::Entity(e) => Some(e),
            _ => None,
        }
    }

    /// The token index at or after byte offset `at`.
    pub fn at(&self, at: usize) -> usize {
        self.list.partition_point(|t| t.range.start < at)
    }
}

/// The value of an ordinal number written in words or digits: "31st", "thirty-first",
/// "thirty first" (as two words joined with `next`), "one hundred and ninety-third", "11th".
/// Returns the value and how many words it took, reading `words` from the first.
pub fn ordinal(words: &[&str]) -> Option<(u32, usize)> {
    let first = *words.first()?;
    // Digits with a suffix.
    let digits = first.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    if !digits.is_empty()
        && digits.len() < first.len()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        let suffix = &first[digits.len()..];
        return matches!(suffix, "st" | "nd" | "rd" | "th")
            .then(|| digits.parse().ok().map(|n| (n, 1)))
            .flatten();
    }
    // Words: a cardinal part ("one hundred and ninety") then an ordinal word ("third"); hyphens
    // split words ("thirty-first").
    let mut parts: Vec<(&str, usize)> = Vec::new();
    for (i, w) in words.iter().enumerate().take(6) {
        for part in w.split('-') {
            parts.push((part, i));
        }
    }
    let mut total = 0u32;
    let mut current = 0u32;
    for (part, word_index) in parts {
        if let Some(n) = ORDINAL_UNITS.iter().position(|&u| u == part) {
            return Some((total + current + n as u32 + 1, word_index + 1));
        }
        if let Some(n) = ORDINAL_TEENS.iter().position(|&u| u == part) {
            return Some((total + current + n as u32 + 10, word_index + 1));
        }
        if let Some(n) = ORDINAL_TENS.iter().position(|&u| u == part) {
            return Some((total + current + (n as u32 + 2) * 10, word_index + 1));
        }
        match part {
            "hundredth" => return Some((total + current.max(1) * 100, word_index + 1)),
            "hundred" => current = current.max(1) * 100,
            "thousand" => {
                total += current.max(1) * 1000;
                current = 0;
            }
            "and" if current > 0 || total > 0 => {}
            _ => {
                if let Some(n) = CARDINAL_UNITS.iter().position(|&u| u == part) {
                    current += n as u32 + 1;
                } else if let Some(n) = CARDINAL_TEENS.iter().position(|&u| u == part) {
                    current += n as u32 + 10;
                } else if let Some(n) = CARDINAL_TENS.iter().position(|&u| u == part) {
                    current += (n as u32 + 2) * 10;
                } else {
                    return None;
                }
            }
        }
    }
    None
}

const ORDINAL_UNITS: [&str; 9] = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
];
const ORDINAL_TEENS: [&str; 10] = [
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];
const ORDINAL_TENS: [&str; 8] = [
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
];
const CARDINAL_UNITS: [&str; 9] = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
const CARDINAL_TEENS: [&str; 10] = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const CARDINAL_TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn span(raw: &str, text: &str, kind: &'static str) -> SpanView<'static> {
        let start = raw.find(text).unwrap();
        SpanView {
            start,
            end: start + text.len(),
            kind,
            id: "X",
            label: "X",
            detail: None,
        }
    }

    #[test]
    fn entities_are_one_token_and_possessives_split() {
        let raw =
            "Finland\u{2019}s accession to NATO \u{2013} the thirty-first Ally, Iranian-backed.";
        let spans = [
            span(raw, "Finland", "country"),
            span(raw, "NATO", "organization"),
            span(raw, "Iranian", "country"),
        ];
        let mut t = Tokens::default();
        t.tokenize(raw, 0..raw.len(), &spans);
        let words: Vec<String> = (0..t.len())
            .map(|i| match t.entity(i) {
                Some(e) => format!("<{e}>"),
                None => t.word(i).to_string(),
            })
            .collect();
        assert_eq!(
            words,
            [
                "<0>",
                "'s",
                "accession",
                "to",
                "<1>",
                "-",
                "the",
                "thirty-first",
                "ally",
                ",",
                "<2>",
                "-",
                "backed",
                "."
            ]
        );
        assert_eq!(&raw[t.list()[7].range.clone()], "thirty-first");
    }

    #[test]
    fn ordinals_in_words_and_digits() {
        type Reading = Option<(u32, usize)>;
        let cases: &[(&[&str], Reading)] = &[
            (&["31st", "ally"], Some((31, 1))),
            (&["thirty-second", "member"], Some((32, 1))),
            (&["thirty", "second", "member"], Some((32, 2))),
            (&["one", "hundred", "and", "ninety-third"], Some((193, 4))),
            (&["first"], Some((1, 1))),
            (&["eleventh", "member"], Some((11, 1))),
            (&["fortieth"], Some((40, 1))),
            (&["11th"], Some((11, 1))),
            (&["new", "member"], None),
            (&["thirty", "members"], None),
            (&["1st0"], None),
        ];
        for (words, want) in cases {
            assert_eq!(ordinal(words), *want, "{words:?}");
        }
    }
}
