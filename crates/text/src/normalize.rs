//! Normalization of raw communiqué text into the form every matcher works on.
//!
//! Communiqués arrive typed by hand, pasted from word processors, scraped from web pages and run
//! through machine translation. The same words then come with curly or straight quotes, en dashes
//! or hyphens, non-breaking spaces, soft hyphens and decomposed accents. Matchers should not have
//! to care, so they run on one canonical form produced here; and because evidence must quote the
//! original bytes, every rewrite is recorded in an [`OffsetMap`](commwatch_core::OffsetMap).

use std::ops::Range;

use commwatch_core::{NormalizedText, OffsetMapBuilder};
use unicode_normalization::char::{canonical_combining_class, decompose_compatible};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Rewrites raw text into commwatch's canonical matching form and maps it back to the raw bytes.
///
/// The normalized text is:
///
/// - **Unicode NFKC.** The raw text is processed in chunks, each a *starter* (a character whose
///   compatibility decomposition begins with a character of canonical combining class 0) with
///   the combining marks that follow it, so `"e\u{301}"` becomes `"é"` while each chunk still
///   maps to an exact raw byte range. Composition *across* two starters, which NFKC performs for
///   conjoining Hangul jamo and a few Indic vowel signs, is not done: such text keeps its jamo.
/// - **Typographic punctuation folded.** `‘ ’ ‚ ‛ ′ ‹ ›` become `'`; `“ ” „ ‟ ″ « »` become `"`;
///   the dashes `‐ ‑ ‒ – — ― −` become `-`; NFKC already turns `…` into `...`.
/// - **Invisible characters deleted:** zero-width space, non-joiner and joiner (U+200B–U+200D),
///   word joiner (U+2060), byte-order mark (U+FEFF) and soft hyphen (U+00AD). They are
///   transparent: a combining mark after one still composes with the character before it.
/// - **Whitespace collapsed.** Any run of Unicode whitespace (after NFKC, so no-break spaces
///   count) becomes one `" "`, except a run holding two or more line breaks, which becomes
///   `"\n\n"`, a paragraph break. Line breaks are `\n`, `\r` (a `\r\n` pair counts once), vertical
///   tab, form feed, U+0085, U+2028 and U+2029. Leading and trailing whitespace is removed.
///
/// Normalizing normalized text changes nothing. Runs of ASCII that need no change are copied in
/// bulk without going through NFKC, so plain English prose costs little more than a copy.
#[derive(Clone, Copy, Debug, Default)]
pub struct Normalizer {
    _private: (),
}

impl Normalizer {
    /// A normalizer applying the rules described on the type.
    pub fn new() -> Normalizer {
        Normalizer::default()
    }

    /// Normalizes `raw`, returning the normalized text and its map back to byte offsets of `raw`.
    pub fn normalize(&self, raw: &str) -> NormalizedText {
        self.normalize_range(raw, 0..raw.len())
    }

    /// Normalizes only the bytes `range` of `raw` (the article body that
    /// [`find_content`](crate::find_content) found), while the returned map still covers the
    /// **whole** raw text: the bytes before `range` are one leading deletion, the bytes after it
    /// one trailing deletion, so normalized offsets map to offsets of `raw` itself.
    ///
    /// The text is exactly `normalize(&raw[range]).text`. A range that is out of bounds, reversed
    /// or not on character boundaries is clamped to `raw` and moved down to a character boundary,
    /// so this never panics.
    pub fn normalize_range(&self, raw: &str, range: Range<usize>) -> NormalizedText {
        let end = floor_char_boundary(raw, range.end.min(raw.len()));
        let start = floor_char_boundary(raw, range.start.min(end));
        // The writer only ever sees the text up to `end`, so no lookahead crosses the range.
        let body = &raw[..end];
        let mut w = Writer::new(body);
        w.delete(start);
        let mut i = start;
        while i < body.len() {
            let space_end = ascii_space_end(body, i);
            if space_end > i {
                let spaces = &body.as_bytes()[i..space_end];
                w.space(spaces.len(), spaces.iter().map(|&b| char::from(b)));
                i = space_end;
                continue;
            }
            let run_end = ascii_run_end(body, i);
            if run_end > i {
                w.content(&body[i..run_end], run_end - i, true);
                i = run_end;
                continue;
            }
            let end = chunk_end(body, i);
            w.chunk(&body[i..end]);
            i = end;
        }
        w.finish(raw.len() - end)
    }
}

/// The largest character boundary of `s` at or below `at` (`at <= s.len()`).
pub(crate) fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Characters deleted from the text (and skipped over when forming chunks).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}'
    )
}

/// Folds typographic quotes, primes and dashes to their ASCII forms.
fn fold(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{2039}'
        | '\u{203A}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{AB}' | '\u{BB}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => '-',
        _ => c,
    }
}

/// True when `c` starts a chunk: its compatibility decomposition begins with a character of
/// canonical combining class 0, so nothing before it can reorder or compose with what follows.
fn is_starter(c: char) -> bool {
    if c < '\u{300}' {
        return true;
    }
    let mut first = None;
    decompose_compatible(c, |d| {
        first.get_or_insert(d);
    });
    canonical_combining_class(first.unwrap_or(c)) == 0
}

/// The first byte at or after `from` that is not ASCII, is ASCII whitespace other than a space
/// (`\t \n \v \f \r`) or is the first of two spaces, or `bytes.len()`. Looks at eight bytes at
/// a time.
fn first_special(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let word_at = |i: usize| {
        let mut word = [0; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        u64::from_le_bytes(word)
    };
    // The high bit of each byte of `w` that equals `b` (for bytes below 128).
    let equal = |w: u64, b: u8| {
        let x = (w ^ (ONES * u64::from(b))) & (ONES * 127);
        !(x.wrapping_add(ONES * 127) | w) & (ONES * 0x80)
    };
    let mut i = from;
    // The word after this one must be loadable too: a double space may straddle the two.
    while i + 9 <= bytes.len() {
        let w = word_at(i);
        if w & (ONES * 0x80) != 0 {
            break;
        }
        // A byte between 8 and 14 (exclusive), for bytes below 128 ("Bit Twiddling Hacks").
        let (m, n) = (8, 14);
        let low = w & (ONES * 127);
        let between =
            (ONES * (127 + n)).wrapping_sub(low) & !w & low.wrapping_add(ONES * (127 - m));
        // A space followed by a space: the next word starts one byte later.
        let double = equal(w, b' ') & equal(word_at(i + 1), b' ');
        if (between | double) & (ONES * 0x80) != 0 {
            break;
        }
        i += 8;
    }
    while i < bytes.len()
        && !(bytes[i] >= 0x80
            || (0x09..=0x0d).contains(&bytes[i])
            || (bytes[i] == b' ' && bytes.get(i + 1) == Some(&b' ')))
    {
        i += 1;
    }
    i
}

/// [`ascii_run_end`] without its return to the general path before a combining mark, byte by
/// byte: the definition the fast version is checked against in debug builds.
#[cfg_attr(not(debug_assertions), allow(dead_code))]
fn ascii_run_end_bytewise(bytes: &[u8], start: usize) -> usize {
    let plain = |j: usize| bytes.get(j).is_some_and(|&b| PLAIN_ASCII[usize::from(b)]);
    let mut j = start;
    while j < bytes.len() {
        if plain(j) {
            j += 1;
        } else if bytes[j] == b' ' && j > start && plain(j + 1) {
            j += 2;
        } else {
            break;
        }
    }
    j
}

/// For every byte value: true for an ASCII byte that normalization never rewrites on its own
/// (anything but whitespace).
static PLAIN_ASCII: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        // ASCII whitespace as `char::is_whitespace` has it: \t \n \v \f \r and space.
        table[b] = !matches!(b, 0x09..=0x0d | 0x20);
        b += 1;
    }
    table
};

/// The end of the run of ASCII starting at `start` that normalization leaves unchanged: non-space
/// ASCII, with single spaces between such bytes. Returns `start` when there is no such run.
fn ascii_run_end(raw: &str, start: usize) -> usize {
    let bytes = raw.as_bytes();
    // The run ends at the first byte that is neither plain nor a single space after a plain byte
    // and before one: at the first non-ASCII byte, whitespace other than a space or double space
    // (`stop`), or earlier at a space that starts the run or stands right before `stop`.
    let stop = first_special(bytes, start);
    let mut j = stop;
    if stop > start {
        if bytes[start] == b' ' {
            j = start;
        } else if bytes[stop - 1] == b' ' {
            j = stop - 1;
        }
    }
    debug_assert_eq!(j, ascii_run_end_bytewise(bytes, start));
    // The last ASCII character starts the chunk of any combining mark (or invisible character
    // standing before one) that follows it, so leave it to the general path.
    if j > start && starts_chunk_of_previous(raw, j) {
        j -= 1;
    }
    j
}

/// The end of the run of ASCII whitespace (`\t \n \v \f \r` and space) starting at `start`, each
/// byte a chunk of its own: the last one is left to the general path when a combining mark (or an
/// invisible character) follows, since it would start that mark's chunk. Returns `start` when
/// there is no such run.
fn ascii_space_end(raw: &str, start: usize) -> usize {
    let bytes = raw.as_bytes();
    let is_space = |b: &u8| matches!(b, 0x09..=0x0d | b' ');
    let mut j = start;
    while bytes.get(j).is_some_and(is_space) {
        j += 1;
    }
    if j > start && starts_chunk_of_previous(raw, j) {
        j -= 1;
    }
    j
}

/// True when the character at `at` (a character boundary) belongs to the chunk of the character
/// before it: a combining mark, or an invisible character (which may stand before one).
fn starts_chunk_of_previous(raw: &str, at: usize) -> bool {
    raw.get(at..)
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| !c.is_ascii() && (is_invisible(c) || !is_starter(c)))
}

/// The end of the chunk starting at `start`: the character there with the non-starters after it,
/// including invisible characters that stand before a non-starter.
fn chunk_end(raw: &str, start: usize) -> usize {
    let mut chars = raw[start..].char_indices();
    let Some((_, first)) = chars.next() else {
        return start;
    };
    let mut end = start + first.len_utf8();
    if is_invisible(first) {
        return end;
    }
    for (at, c) in chars {
        if is_invisible(c) {
            continue;
        }
        if is_starter(c) {
            break;
        }
        end = start + at + c.len_utf8();
    }
    end
}

/// Appends the NFKC normalization of `chunk`, typographic punctuation folded and invisible
/// characters deleted, to `out`.
fn normalize_chunk(chunk: &str, out: &mut String) {
    out.extend(
        chunk
            .chars()
            .filter(|&c| !is_invisible(c))
            .map(fold)
            .nfkc()
            .map(fold)
            .filter(|&c| !is_invisible(c)),
    );
}

/// What [`normalize_chunk`] makes of a character alone, for the characters that can be told
/// without running NFKC; [`Writer::chunk`] then records what it would record for that output.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Lone {
    /// Nothing: an invisible character.
    Deleted,
    /// Whitespace: NFKC maps whitespace to whitespace, and line breaks to themselves.
    Space,
    /// An ASCII quote or dash, which NFKC keeps.
    Folded(char),
    /// The character itself, not whitespace: a starter in NFKC ("é", "•").
    Kept,
}

impl Lone {
    fn of(c: char) -> Option<Lone> {
        if is_invisible(c) {
            return Some(Lone::Deleted);
        }
        if c.is_whitespace() {
            return Some(Lone::Space);
        }
        let folded = fold(c);
        if folded != c {
            return Some(Lone::Folded(folded));
        }
        (is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes).then_some(Lone::Kept)
    }
}

/// Whitespace seen but not yet written: it becomes `" "`, `"\n\n"` or nothing once we know what
/// follows it.
struct PendingSpace {
    /// Raw offset where the run starts.
    start: usize,
    /// Raw bytes the run covers (including invisible characters deleted inside it).
    raw_len: usize,
    /// Line breaks seen, counted up to 2.
    breaks: u8,
    /// The last whitespace character was `\r`, so a `\n` right after it is the same break.
    after_cr: bool,
}

/// Accumulates the normalized text and its offset map while the raw text is walked.
struct Writer<'r> {
    raw: &'r str,
    out: String,
    map: OffsetMapBuilder,
    pending: Option<PendingSpace>,
    scratch: String,
}

impl<'r> Writer<'r> {
    fn new(raw: &'r str) -> Writer<'r> {
        Writer {
            raw,
            out: String::with_capacity(raw.len()),
            map: OffsetMapBuilder::new(),
            pending: None,
            scratch: String::new(),
        }
    }

    /// Writes non-whitespace `text` standing for the next `raw_len` raw bytes, which it
    /// reproduces exactly when `copied`.
    fn content(&mut self, text: &str, raw_len: usize, copied: bool) {
        self.flush_space();
        self.out.push_str(text);
        if copied {
            self.map.copied(raw_len);
        } else {
            self.map.replaced(raw_len, text.len());
        }
    }

    /// Records whitespace characters `chars` standing for the next `raw_len` raw bytes.
    fn space(&mut self, raw_len: usize, chars: impl Iterator<Item = char>) {
        let start = self.map.raw_offset();
        let p = self.pending.get_or_insert(PendingSpace {
            start,
            raw_len: 0,
            breaks: 0,
            after_cr: false,
        });
        p.raw_len += raw_len;
        for c in chars {
            let is_break = match c {
                '\n' => !p.after_cr,
                '\r' | '\u{B}' | '\u{C}' | '\u{85}' | '\u{2028}' | '\u{2029}' => true,
                _ => false,
            };
            if is_break {
                p.breaks = (p.breaks + 1).min(2);
            }
            p.after_cr = c == '\r';
        }
    }

    /// Deletes the next `raw_len` raw bytes, folding them into pending whitespace if any.
    fn delete(&mut self, raw_len: usize) {
        match &mut self.pending {
            Some(p) => p.raw_len += raw_len,
            None => self.map.replaced(raw_len, 0),
        }
    }

    /// Writes pending whitespace before content: nothing at the start of the text, else one
    /// space or a paragraph break.
    fn flush_space(&mut self) {
        let Some(p) = self.pending.take() else {
            return;
        };
        if self.out.is_empty() {
            self.map.replaced(p.raw_len, 0);
            return;
        }
        let sep = if p.breaks >= 2 { "\n\n" } else { " " };
        self.out.push_str(sep);
        if self.raw.get(p.start..p.start + p.raw_len) == Some(sep) {
            self.map.copied(p.raw_len);
        } else {
            self.map.replaced(p.raw_len, sep.len());
        }
    }

    /// Normalizes one chunk (a starter and its combining marks) through NFKC and folding.
    fn chunk(&mut self, chunk: &str) {
        let mut chars = chunk.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            match Lone::of(c) {
                Some(Lone::Deleted) => return self.delete(chunk.len()),
                Some(Lone::Space) => return self.space(chunk.len(), std::iter::once(c)),
                Some(Lone::Folded(folded)) => {
                    let mut buf = [0; 4];
                    return self.content(folded.encode_utf8(&mut buf), chunk.len(), false);
                }
                Some(Lone::Kept) => return self.content(chunk, chunk.len(), true),
                None => {}
            }
        }
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        normalize_chunk(chunk, &mut text);
        if text.is_empty() {
            self.delete(chunk.len());
        } else if text.chars().all(char::is_whitespace) {
            self.space(chunk.len(), text.chars());
        } else if text == chunk && !text.contains(char::is_whitespace) {
            self.content(&text, chunk.len(), true);
        } else {
            // Mixed output (a compatibility character that decomposes to a space and a mark):
            // the chunk's raw bytes go to its first stretch of content.
            let mut raw_left = chunk.len();
            let mut rest = text.as_str();
            while let Some(first) = rest.chars().next() {
                let ws = first.is_whitespace();
                let len = rest
                    .find(|c: char| c.is_whitespace() != ws)
                    .unwrap_or(rest.len());
                let (piece, tail) = rest.split_at(len);
                if ws {
                    self.space(0, piece.chars());
                } else {
                    self.content(piece, raw_left, false);
                    raw_left = 0;
                }
                rest = tail;
            }
        }
        self.scratch = text;
    }

    /// Ends the text; `trailing` raw bytes after what was walked are deleted.
    fn finish(mut self, trailing: usize) -> NormalizedText {
        if let Some(p) = self.pending.take() {
            self.map.replaced(p.raw_len, 0);
        }
        self.map.replaced(trailing, 0);
        let folded = crate::fold::fold(&self.out);
        NormalizedText {
            text: self.out,
            map: self.map.finish(),
            folded: Some(folded),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(raw: &str) -> String {
        Normalizer::new().normalize(raw).text
    }

    /// The raw text a normalized range maps back to.
    fn back<'a>(raw: &'a str, n: &NormalizedText, start: usize, end: usize) -> &'a str {
        let (s, e) = n.map.to_raw_range(start, end);
        &raw[s..e]
    }

    #[test]
    fn composes_combining_marks() {
        assert_eq!(norm("Cafe\u{301} noir"), "Café noir");
        assert_eq!(norm("Co\u{302}te d\u{2019}Ivoire"), "Côte d'Ivoire");
        let raw = "x e\u{301}t\u{e9} y";
        let n = Normalizer::new().normalize(raw);
        assert_eq!(n.text, "x été y");
        let s = n.text.find('é').unwrap_or(0);
        assert_eq!(back(raw, &n, s, s + "été".len()), "e\u{301}t\u{e9}");
    }

    #[test]
    fn applies_compatibility_mappings() {
        assert_eq!(norm("ＩＲＡＱ"), "IRAQ");
        assert_eq!(norm("ﬁnal"), "final");
        assert_eq!(norm("wait…"), "wait...");
        assert_eq!(norm("x\u{A8}y"), "x \u{308}y");
    }

    #[test]
    fn folds_quotes_and_dashes() {
        assert_eq!(norm("‘a’ ‚b‛ 1′ ‹c›"), "'a' 'b' 1' 'c'");
        assert_eq!(norm("“a” „b‟ 2″ «c»"), "\"a\" \"b\" 2\" \"c\"");
        assert_eq!(norm("a‐b‑c‒d–e—f―g−h"), "a-b-c-d-e-f-g-h");
        assert_eq!(norm("small ﹘ dash"), "small - dash");
    }

    #[test]
    fn deletes_invisible_characters() {
        assert_eq!(
            norm("\u{FEFF}Ir\u{200B}aq\u{AD} co\u{200C}op\u{200D}\u{2060}"),
            "Iraq coop"
        );
        // Transparent to composition.
        assert_eq!(norm("e\u{200B}\u{301}"), "é");
        assert_eq!(norm("a \u{200B} b"), "a b");
    }

    #[test]
    fn collapses_whitespace() {
        assert_eq!(norm("  a \t b\u{A0}c\u{2003}\u{3000}d  "), "a b c d");
        assert_eq!(norm("a\nb"), "a b");
        assert_eq!(norm("a\r\nb"), "a b");
        assert_eq!(norm("a\r\n\r\nb"), "a\n\nb");
        assert_eq!(norm("a \n \n\n\t b"), "a\n\nb");
        assert_eq!(norm("a\u{2029}\u{2028}b"), "a\n\nb");
        assert_eq!(norm(" \n\n "), "");
        assert_eq!(norm(""), "");
    }

    #[test]
    fn maps_offsets_back_to_raw_text() {
        let raw = "  Iraq’s  forces\n\nMali ";
        let n = Normalizer::new().normalize(raw);
        assert_eq!(n.text, "Iraq's forces\n\nMali");
        let mali = n.text.find("Mali").unwrap_or(0);
        assert_eq!(back(raw, &n, mali, mali + 4), "Mali");
        assert_eq!(back(raw, &n, 0, 6), "Iraq’s");
        assert_eq!(back(raw, &n, 4, 5), "’");
        assert_eq!(back(raw, &n, 0, n.text.len()), raw.trim());
        assert_eq!(n.map.raw_len(), raw.len());
        assert_eq!(n.map.norm_len(), n.text.len());
    }

    #[test]
    fn plain_ascii_is_one_copied_segment() {
        let raw = "The Ministers met in Baghdad on 3 May.";
        let n = Normalizer::new().normalize(raw);
        assert_eq!(n.text, raw);
        assert_eq!(n.map.segment_count(), 1);
        let n = Normalizer::new().normalize("one\n\ntwo three");
        assert_eq!(n.map.segment_count(), 1);
    }

    #[test]
    fn normalize_range_maps_into_the_whole_raw_text() {
        let raw = "HomeX\n\n  Iraq\u{2019}s  forces\n\nMali \n\nStay Connected\n";
        let start = raw.find("Iraq").unwrap_or(0);
        let end = raw.find("Mali").unwrap_or(0) + 4;
        let n = Normalizer::new().normalize_range(raw, start..end);
        assert_eq!(n.text, "Iraq's forces\n\nMali");
        assert_eq!(n.map.raw_len(), raw.len());
        assert_eq!(n.map.norm_len(), n.text.len());
        assert_eq!(n.map.to_raw_range(0, n.text.len()), (start, end));
        assert_eq!(back(raw, &n, 0, 6), "Iraq\u{2019}s");
        let mali = n.text.find("Mali").unwrap_or(0);
        assert_eq!(back(raw, &n, mali, mali + 4), "Mali");
        assert_eq!(
            n.folded.map(|f| f.text).as_deref(),
            Some("iraq's forces\n\nmali")
        );
        // Whitespace at the edges of the range is still trimmed.
        let n = Normalizer::new().normalize_range(raw, 5..raw.len());
        assert_eq!(n.map.to_raw_range(0, 4), (start, start + 4));
        // Out-of-range and mid-character ranges are clamped, not a panic.
        let n = Normalizer::new().normalize_range(raw, start + 5..999);
        assert!(n.text.starts_with("'s forces"));
        let (from, to) = (9, 3);
        let n = Normalizer::new().normalize_range(raw, from..to);
        assert!(n.text.is_empty());
        assert_eq!(n.map.raw_len(), raw.len());
    }

    #[test]
    fn lone_characters_are_classified_as_nfkc_would() {
        let is_break = |c: char| {
            matches!(
                c,
                '\n' | '\r' | '\u{B}' | '\u{C}' | '\u{85}' | '\u{2028}' | '\u{2029}'
            )
        };
        let mut text = String::new();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let Some(lone) = Lone::of(c) else {
                continue;
            };
            text.clear();
            normalize_chunk(c.encode_utf8(&mut [0; 4]), &mut text);
            match lone {
                Lone::Deleted => assert_eq!(text, "", "{c:?}"),
                // `Writer::space` sees `c` instead of `text`: the same line breaks, no `\r`.
                Lone::Space if is_break(c) => assert_eq!(text, c.to_string(), "{c:?}"),
                Lone::Space => {
                    assert!(
                        text.chars().all(|d| d.is_whitespace() && !is_break(d)),
                        "{c:?}"
                    );
                    assert!(!text.is_empty(), "{c:?}");
                }
                Lone::Folded(a) => {
                    assert!(a.is_ascii() && !a.is_whitespace(), "{c:?}");
                    assert_eq!(text, a.to_string(), "{c:?}");
                }
                Lone::Kept => {
                    assert!(!c.is_whitespace(), "{c:?}");
                    assert_eq!(text, c.to_string(), "{c:?}");
                }
            }
        }
    }

    /// Arbitrary text biased towards the characters the normalizer treats specially.
    fn text() -> impl Strategy<Value = String> {
        let special = prop::sample::select(vec![
            " ", "  ", "\n", "\r\n", "\n\n", "\t", "\u{A0}", "\u{3000}", "\u{2028}", "\u{301}",
            "\u{308}", "\u{327}", "e", "A", "’", "“", "—", "…", "\u{200B}", "\u{AD}", "\u{FEFF}",
            "ﬁ", "\u{A8}", "①", "ᄀ", "ᅡ", "가", "\u{F73}", "\u{FF9E}", "\u{344}", "=", "\u{338}",
        ]);
        let piece = prop_oneof![
            special.prop_map(str::to_owned),
            any::<String>(),
            "[a-zA-Z ]{0,8}",
        ];
        prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn is_idempotent(raw in text()) {
            let once = norm(&raw);
            prop_assert_eq!(norm(&once), once);
        }

        #[test]
        fn maps_char_boundaries_to_raw_char_boundaries(raw in text()) {
            let n = Normalizer::new().normalize(&raw);
            prop_assert_eq!(n.map.norm_len(), n.text.len());
            prop_assert_eq!(n.map.raw_len(), raw.len());
            let bounds: Vec<usize> = n
                .text
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(n.text.len()))
                .collect();
            for (k, &s) in bounds.iter().enumerate() {
                for &e in &bounds[k..] {
                    let (rs, re) = n.map.to_raw_range(s, e);
                    prop_assert!(rs <= re && re <= raw.len());
                    prop_assert!(raw.is_char_boundary(rs) && raw.is_char_boundary(re));
                }
            }
        }

        #[test]
        fn normalize_range_is_idempotent_and_maps_into_raw(
            raw in text(),
            a in 0usize..200,
            b in 0usize..200,
        ) {
            let n = Normalizer::new().normalize_range(&raw, a.min(b)..a.max(b));
            prop_assert_eq!(&norm(&n.text), &n.text);
            prop_assert_eq!(n.map.raw_len(), raw.len());
            prop_assert_eq!(n.map.norm_len(), n.text.len());
            let bounds: Vec<usize> = n
                .text
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(n.text.len()))
                .collect();
            for (k, &s) in bounds.iter().enumerate() {
                for &e in &bounds[k..] {
                    let (rs, re) = n.map.to_raw_range(s, e);
                    prop_assert!(rs <= re && re <= raw.len());
                    prop_assert!(raw.is_char_boundary(rs) && raw.is_char_boundary(re));
                }
            }
        }

        #[test]
        fn copied_words_map_back_exactly(before in text(), after in text()) {
            let word = "Qxzzyq";
            let raw = format!("{before} {word} {after}");
            let n = Normalizer::new().normalize(&raw);
            let hits: Vec<usize> = n.text.match_indices(word).map(|(i, _)| i).collect();
            prop_assume!(hits.len() == 1);
            let s = hits[0];
            prop_assert_eq!(back(&raw, &n, s, s + word.len()), word);
        }
    }
}
