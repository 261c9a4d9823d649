//! An ASCII stand-in for a text, byte for byte, on which the plugins' patterns match exactly
//! where they match on the text itself — at the speed of a DFA.
//!
//! The patterns use Unicode word boundaries, and the regex crate's fast engine gives up on them
//! at the first non-ASCII byte, falling back to engines many times slower; communiqués are full
//! of curly quotes, dashes and no-break spaces. So each non-ASCII character is replaced by as
//! many ASCII bytes as it takes in UTF-8, chosen by what the patterns can tell apart:
//!
//! - whitespace (`\s`) becomes spaces;
//! - a decimal digit (`\d`) becomes `0`s;
//! - any other word character (`\w`: letters, marks, …) becomes `_`s: a word character that
//!   no letter class or literal of the patterns matches;
//! - anything else becomes `#`s: neither word, space, `-` nor a literal of the patterns.
//!
//! This holds for patterns built from ASCII literals matched case-insensitively, `\b`, `\w`,
//! `\d`, `[A-Z]`, `-` and `\s` only under `+` (a run of whitespace of any length matches the
//! same way). Under Unicode case folding two non-ASCII characters match ASCII letters: KELVIN
//! SIGN (k) and LATIN SMALL LETTER LONG S (s); a text holding either has no stand-in. Offsets
//! are the text's, and every match starts and ends on one of its character boundaries.

use std::borrow::Cow;
use std::collections::HashMap;

use regex::Regex;

/// Builds stand-ins; remembers the class of each non-ASCII character seen.
#[derive(Debug)]
pub struct Shadow {
    space: Regex,
    digit: Regex,
    word: Regex,
    classes: HashMap<char, u8>,
}

impl Shadow {
    /// A builder whose classes are the regex crate's own `\s`, `\d` and `\w`.
    pub fn new() -> Shadow {
        let compile = |p: &str| Regex::new(p).expect("constant pattern");
        Shadow {
            space: compile(r"\A\s\z"),
            digit: compile(r"\A\d\z"),
            word: compile(r"\A\w\z"),
            classes: HashMap::new(),
        }
    }

    /// The stand-in for `text` (the text itself when it is ASCII), or `None` when the text holds
    /// a character that case-folds to an ASCII letter.
    pub fn of<'t>(&mut self, text: &'t str) -> Option<Cow<'t, str>> {
        if text.is_ascii() {
            return Some(Cow::Borrowed(text));
        }
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        while at < bytes.len() {
            let ascii = ascii_prefix(&bytes[at..]);
            out.push_str(&text[at..at + ascii]);
            at += ascii;
            let Some(c) = text[at..].chars().next() else {
                break;
            };
            let len = c.len_utf8();
            let fill = match self.class(c)? {
                b' ' => "    ",
                b'0' => "0000",
                b'_' => "____",
                _ => "####",
            };
            out.push_str(&fill[..len]);
            at += len;
        }
        Some(Cow::Owned(out))
    }

    /// The stand-in byte for a non-ASCII character.
    fn class(&mut self, c: char) -> Option<u8> {
        if matches!(c, '\u{212A}' | '\u{17F}') {
            return None;
        }
        if let Some(&class) = self.classes.get(&c) {
            return Some(class);
        }
        let mut buf = [0; 4];
        let s = c.encode_utf8(&mut buf);
        let class = if self.space.is_match(s) {
            b' '
        } else if self.digit.is_match(s) {
            b'0'
        } else if self.word.is_match(s) {
            b'_'
        } else {
            b'#'
        };
        self.classes.insert(c, class);
        Some(class)
    }
}

/// The length of the ASCII prefix of `bytes`, looked at eight bytes at a time.
fn ascii_prefix(bytes: &[u8]) -> usize {
    let mut n = 0;
    while let Some(chunk) = bytes.get(n..n + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        if u64::from_le_bytes(word) & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        n += 8;
    }
    n + bytes[n..].iter().take_while(|b| b.is_ascii()).count()
}

impl Default for Shadow {
    fn default() -> Shadow {
        Shadow::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_lengths() {
        let mut s = Shadow::new();
        let text = "new\u{a0}members — Côte d’Ivoire ٣١st";
        let shadow = s.of(text).expect("stand-in");
        assert_eq!(shadow.len(), text.len());
        assert!(shadow.is_ascii());
        assert!(shadow.starts_with("new  members ### C__te d###Ivoire 0000st"));
        assert!(s.of("joinſ").is_none());
        assert!(matches!(s.of("plain"), Some(Cow::Borrowed("plain"))));
    }

    /// The only non-ASCII characters that case-insensitive ASCII letters match are the two the
    /// stand-in refuses.
    #[test]
    fn only_kelvin_and_long_s_fold_to_ascii_letters() {
        let letters = Regex::new(r"(?i)\A[a-z]\z").expect("pattern");
        let folding: Vec<char> = (0x80..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|c| letters.is_match(c.encode_utf8(&mut [0; 4])))
            .collect();
        assert_eq!(folding, ['\u{17F}', '\u{212A}']);
    }
}
