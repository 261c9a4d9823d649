//! A lowercase ASCII stand-in for a text, byte for byte, on which the plugins' patterns match
//! exactly where they match on the text itself — at the speed of a DFA, with a literal
//! prefilter.
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
//! ASCII letters are lowercased, so that a case-insensitive pattern can be searched as its
//! lowercase, case-sensitive, ASCII-only twin (`(?-u)`, literals in lowercase, `[a-z]` for a
//! case-insensitive `[A-Z]`), whose prefilter then looks for a handful of literals instead of
//! every mix of their cases. On ASCII this is commwatch's own folding (`commwatch_core::fold`,
//! which the rules stage and the tagger match on); plugins see only the SDK, not that crate, so
//! the byte-level scheme here is its own, and a property test checks that the two agree.
//!
//! This holds for patterns built from ASCII literals matched case-insensitively, `\b`, `\w`,
//! `\d`, `[A-Z]`, `-` and `\s` only under `+` (a run of whitespace of any length matches the
//! same way). Under Unicode case folding two non-ASCII characters match ASCII letters: KELVIN
//! SIGN (k) and LATIN SMALL LETTER LONG S (s); a text holding either has no stand-in. Offsets
//! are the text's, and every match starts and ends on one of its character boundaries.
//!
//! The stand-in of a part of a text (cut at character boundaries) is that part of the text's
//! stand-in, so a plugin builds it only for the sentences it searches.

use std::collections::HashMap;
use std::ops::Range;

use regex::Regex;

/// Code points below this have their class in a table; the others in a map.
const TABLE_SIZE: usize = 0x1_0000;

/// The table entry of a character whose class is not known yet.
const UNKNOWN: u8 = 0;

/// The table entry of a character that case-folds to an ASCII letter: no stand-in.
const REFUSED: u8 = 1;

/// The high bit of every byte of a word.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Builds stand-ins; remembers the class of each non-ASCII character seen.
#[derive(Debug)]
pub struct Shadow {
    space: Regex,
    digit: Regex,
    word: Regex,
    /// The class of each Basic Multilingual Plane character seen, by code point ([`UNKNOWN`]
    /// for the others, [`REFUSED`] for KELVIN SIGN and LONG S).
    table: Vec<u8>,
    /// The class of each character seen beyond the Basic Multilingual Plane.
    beyond: HashMap<u32, u8>,
}

/// The lowercase stand-ins of several texts (the sentences a plugin searches), side by side in
/// one buffer, each followed by a separator (`#`, which none of the patterns matches), so that
/// they are made, and searched for literals, in one go: push the texts, then
/// [`Shadow::make`] their stand-ins.
#[derive(Debug, Default)]
pub struct StandIns {
    buffer: Vec<u8>,
    /// Where each text's stand-in is in `buffer`.
    parts: Vec<Range<usize>>,
    /// Whether each text has no stand-in.
    refused: Vec<bool>,
    /// Where the blocks of 32 bytes holding non-ASCII bytes start in `buffer`.
    high: Vec<usize>,
}

impl StandIns {
    /// Forgets the texts pushed, keeping the memory.
    #[inline]
    pub fn clear(&mut self) {
        self.buffer.clear();
        self.parts.clear();
        self.refused.clear();
        self.high.clear();
    }

    /// Adds a text, as it is until [`Shadow::make`] makes its stand-in.
    #[inline]
    pub fn push(&mut self, text: &str) {
        let start = self.buffer.len();
        self.buffer.extend_from_slice(text.as_bytes());
        self.parts.push(start..self.buffer.len());
        self.refused.push(false);
        self.buffer.push(b'#');
    }

    /// The stand-in of the `i`th text pushed, or `None` when it has none.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        (!self.refused[i]).then(|| &self.buffer[self.parts[i].clone()])
    }

    /// Where `pattern` first matches in each stand-in (an offset into it), or `None` when it
    /// does not (or the text has no stand-in), in `first`: one search through all of them.
    /// The pattern must not match across a separator (a literal of ASCII letters does not).
    pub fn first_matches(&self, pattern: &regex::bytes::Regex, first: &mut Vec<Option<usize>>) {
        first.clear();
        first.resize(self.parts.len(), None);
        let mut part = 0;
        for m in pattern.find_iter(&self.buffer) {
            while self.parts[part].end <= m.start() {
                part += 1;
            }
            if first[part].is_none() && !self.refused[part] {
                first[part] = Some(m.start() - self.parts[part].start);
            }
        }
    }
}

impl Shadow {
    /// A builder whose classes are the regex crate's own `\s`, `\d` and `\w`.
    pub fn new() -> Shadow {
        let compile = |p: &str| Regex::new(p).expect("constant pattern");
        let mut table = vec![UNKNOWN; TABLE_SIZE];
        for c in ['\u{212A}', '\u{17F}'] {
            table[c as usize] = REFUSED;
        }
        Shadow {
            space: compile(r"\A\s\z"),
            digit: compile(r"\A\d\z"),
            word: compile(r"\A\w\z"),
            table,
            beyond: HashMap::new(),
        }
    }

    /// Makes the stand-ins of the texts pushed to `stand_ins` since it was last cleared: writes
    /// them over the copies of the texts, and marks the texts that hold a character that
    /// case-folds to an ASCII letter as having none.
    pub fn make(&mut self, stand_ins: &mut StandIns) {
        let StandIns {
            buffer,
            parts,
            refused,
            high,
        } = stand_ins;
        // Lowercase everything in bulk, then overwrite the non-ASCII characters (the separators
        // are ASCII), looking only at the blocks that hold some.
        lowercase_ascii(buffer, high);
        let mut part = 0;
        let mut at = 0;
        for &block in high.iter() {
            at = at.max(block);
            let end = (block + 32).min(buffer.len());
            while at < end {
                // Skip ASCII eight bytes at a time, to the first byte of a non-ASCII character.
                if let Some(chunk) = buffer.get(at..at + 8) {
                    let bits = word(chunk) & HIGH;
                    if bits == 0 {
                        at += 8;
                        continue;
                    }
                    at += bits.trailing_zeros() as usize / 8;
                } else if buffer[at].is_ascii() {
                    at += 1;
                    continue;
                }
                // Non-ASCII bytes are still the text's own, valid UTF-8.
                let (code, len) = decode(&buffer[at..]);
                let class = match self.table.get(code as usize) {
                    Some(&UNKNOWN) => {
                        let class = self.classify(code);
                        self.table[code as usize] = class;
                        class
                    }
                    Some(&class) => class,
                    None => match self.beyond.get(&code) {
                        Some(&class) => class,
                        None => {
                            let class = self.classify(code);
                            self.beyond.insert(code, class);
                            class
                        }
                    },
                };
                if class == REFUSED {
                    while parts[part].end <= at {
                        part += 1;
                    }
                    refused[part] = true;
                }
                buffer[at..at + len].fill(class);
                at += len;
            }
        }
    }

    /// The class of a code point, by the regex crate's definitions.
    fn classify(&self, code: u32) -> u8 {
        let c = char::from_u32(code).expect("a code point decoded from UTF-8");
        let mut buf = [0; 4];
        let s = c.encode_utf8(&mut buf);
        if self.space.is_match(s) {
            b' '
        } else if self.digit.is_match(s) {
            b'0'
        } else if self.word.is_match(s) {
            b'_'
        } else {
            b'#'
        }
    }
}

/// Lowercases the ASCII letters of `bytes`, 32 at a time in a way the compiler vectorizes, and
/// lists the offsets of the blocks of 32 that hold a non-ASCII byte in `high`.
fn lowercase_ascii(bytes: &mut [u8], high: &mut Vec<usize>) {
    high.clear();
    let mut chunks = bytes.chunks_exact_mut(32);
    let mut start = 0;
    for chunk in &mut chunks {
        if !lowercase_block(chunk).is_ascii() {
            high.push(start);
        }
        start += 32;
    }
    // The rest, through a block of 32 (zeros are ASCII).
    let rest = chunks.into_remainder();
    let mut block = [0; 32];
    block[..rest.len()].copy_from_slice(rest);
    if !lowercase_block(&mut block).is_ascii() {
        high.push(start);
    }
    rest.copy_from_slice(&block[..rest.len()]);
}

/// Lowercases the ASCII letters of a block of 32 bytes; returns the OR of its bytes.
#[inline(always)]
fn lowercase_block(block: &mut [u8]) -> u8 {
    let mut seen = [0u8; 32];
    for (seen, b) in seen.iter_mut().zip(block.iter_mut()) {
        *seen = *b;
        *b = b.to_ascii_lowercase();
    }
    seen.iter().fold(0, |all, b| all | b)
}

/// The words of a stand-in, split where [`str::split_whitespace`] splits its text: at the
/// bytes of whitespace characters (`char::is_whitespace` is `\s`, which the stand-in keeps as
/// ASCII whitespace or spaces).
pub fn words(stand_in: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    stand_in
        .split(|&b| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' '))
        .filter(|w| !w.is_empty())
}

/// The eight bytes of `chunk`, as a little-endian word.
fn word(chunk: &[u8]) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(chunk);
    u64::from_le_bytes(word)
}

/// The code point of the non-ASCII character that `bytes` (valid UTF-8) starts with, and its
/// length in bytes.
fn decode(bytes: &[u8]) -> (u32, usize) {
    let tail = |i: usize| u32::from(bytes[i] & 0x3F);
    let lead = u32::from(bytes[0]);
    match bytes[0] {
        0xC0..=0xDF => ((lead & 0x1F) << 6 | tail(1), 2),
        0xE0..=0xEF => ((lead & 0x0F) << 12 | tail(1) << 6 | tail(2), 3),
        _ => (
            (lead & 0x07) << 18 | tail(1) << 12 | tail(2) << 6 | tail(3),
            4,
        ),
    }
}

impl Default for Shadow {
    fn default() -> Shadow {
        Shadow::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stand_in(shadow: &mut Shadow, text: &str) -> Option<String> {
        let mut stand_ins = StandIns::default();
        stand_ins.push(text);
        shadow.make(&mut stand_ins);
        let stand_in = stand_ins.get(0)?;
        Some(String::from_utf8(stand_in.to_vec()).expect("ASCII"))
    }

    /// Several texts at once have the stand-ins they have one by one, and their first matches.
    #[test]
    fn side_by_side() {
        let mut s = Shadow::new();
        let long = "A".repeat(70) + " renewed ties";
        let texts = [
            "The Ministers welcomed NEW\u{a0}members — Côte d’Ivoire.",
            "",
            "joinſ new",
            &long,
            "Ελλάδα, ٣١st \u{212A}",
            "news",
        ];
        let mut stand_ins = StandIns::default();
        let new = regex::bytes::Regex::new("new").expect("pattern");
        for round in 0..2 {
            stand_ins.clear();
            for text in &texts {
                stand_ins.push(text);
            }
            s.make(&mut stand_ins);
            let mut first = vec![Some(round)];
            stand_ins.first_matches(&new, &mut first);
            for (i, text) in texts.iter().enumerate() {
                let alone = stand_in(&mut s, text);
                let together = stand_ins
                    .get(i)
                    .map(|b| String::from_utf8(b.to_vec()).expect("ASCII"));
                assert_eq!(together, alone, "{text}");
                let want = alone.and_then(|a| a.find("new"));
                assert_eq!(first[i], want, "{text}");
            }
            assert_eq!(first, [Some(23), None, None, Some(73), None, Some(0)]);
        }
    }

    #[test]
    fn classes_lengths_and_case() {
        let mut s = Shadow::new();
        let text = "New\u{a0}Members — Côte d’Ivoire ٣١st 🙂 𝟗";
        let shadow = stand_in(&mut s, text).expect("stand-in");
        assert_eq!(shadow.len(), text.len());
        assert_eq!(shadow, "new  members ### c__te d###ivoire 0000st #### 0000");
        // Remembered classes give the same stand-in.
        assert_eq!(stand_in(&mut s, text).as_deref(), Some(shadow.as_str()));
        assert!(stand_in(&mut s, "joinſ").is_none());
        assert!(stand_in(&mut s, "\u{212A}m").is_none());
        assert_eq!(
            stand_in(&mut s, "PLAIN Text").as_deref(),
            Some("plain text")
        );
        assert_eq!(stand_in(&mut s, "").as_deref(), Some(""));
    }

    /// A part of a text cut at character boundaries has that part of the text's stand-in.
    #[test]
    fn the_stand_in_of_a_part_is_the_part_of_the_stand_in() {
        let mut s = Shadow::new();
        let text = "Les Alliés — “welcomed” Finland\u{2003}as the ٣١st Ally; ÉIRE joined.";
        let whole = stand_in(&mut s, text).expect("stand-in");
        for (start, _) in text.char_indices() {
            for end in (start..=text.len()).filter(|&e| text.is_char_boundary(e)) {
                let part = stand_in(&mut s, &text[start..end]).expect("stand-in");
                assert_eq!(part, whole[start..end], "{start}..{end}");
            }
        }
    }

    #[test]
    fn decodes_every_length() {
        for c in [
            '\u{80}',
            'é',
            '\u{7FF}',
            '\u{800}',
            '’',
            '\u{FFFD}',
            '\u{FFFF}',
            '\u{10000}',
            '🙂',
            '\u{10FFFF}',
        ] {
            let mut buf = [0; 4];
            let s = c.encode_utf8(&mut buf);
            assert_eq!(decode(s.as_bytes()), (c as u32, c.len_utf8()), "{c:?}");
        }
    }

    /// A stand-in splits into words where its text does, and `char::is_whitespace` is `\s`.
    #[test]
    fn words_are_the_words_of_the_text() {
        let space = Regex::new(r"\A\s\z").expect("pattern");
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(
                c.is_whitespace(),
                space.is_match(c.encode_utf8(&mut [0; 4])),
                "{c:?}"
            );
        }
        let mut s = Shadow::new();
        let text = " Les\u{a0}Alliés\u{2003}— “welcomed”\tFinland\u{b}as\u{1c}the\u{85}٣١st  Ally;\r\nÉIRE\u{3000}joined. ";
        let stand_in = stand_in(&mut s, text).expect("stand-in");
        let offset = |w: &str| w.as_ptr() as usize - text.as_ptr() as usize;
        let on_text: Vec<_> = text
            .split_whitespace()
            .map(|w| offset(w)..offset(w) + w.len())
            .collect();
        let base = stand_in.as_ptr() as usize;
        let on_stand_in: Vec<_> = words(stand_in.as_bytes())
            .map(|w| w.as_ptr() as usize - base..w.as_ptr() as usize - base + w.len())
            .collect();
        assert_eq!(on_text, on_stand_in);
        assert_eq!(on_text.len(), 10);
    }

    proptest::proptest! {
        /// Every ASCII character of a text is, in its stand-in, what commwatch's fold makes of it:
        /// a pure ASCII text's stand-in is its fold.
        #[test]
        fn ascii_is_lowercased_as_commwatch_folds_it(
            text in r"([\x00-\x7F]{0,24}\PC{0,2}){0,5}"
        ) {
            let mut s = Shadow::new();
            // KELVIN SIGN and LONG S refuse a stand-in; the others have one.
            let Some(stand_in) = stand_in(&mut s, &text) else {
                let refusing = text.contains(['\u{212A}', '\u{17F}']);
                proptest::prop_assert!(refusing);
                return Ok(());
            };
            for (at, c) in text.char_indices().filter(|(_, c)| c.is_ascii()) {
                let folded = commwatch_core::fold::fold_pattern(c.encode_utf8(&mut [0; 4]));
                proptest::prop_assert_eq!(&stand_in[at..at + 1], folded.as_str(), "{:?}", c);
            }
            if text.is_ascii() {
                proptest::prop_assert_eq!(stand_in, commwatch_core::fold::fold(&text).text);
            }
        }
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
