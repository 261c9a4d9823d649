//! Dates, the dateline, and the publication date of a communiqué.
//!
//! [`DateFinder`] recognizes the date forms of English-language communiqués in normalized text:
//!
//! | written | value |
//! | --- | --- |
//! | `June 28, 2021`, `June 28 2021`, `Jun. 28, 2021`, `JUNE 28, 2021`, `June 28th, 2021` | `2021-06-28` |
//! | `28 June 2021`, `28th of June, 2021` | `2021-06-28` |
//! | `2021-06-28` | `2021-06-28` |
//! | `June 2021`, `Jun. 2021` | `2021-06` (month precision) |
//!
//! Month names are English, capitalized or all capitals (so the verb "may" is never a month).
//! Years run from 1000 to 2999 and days are checked against the month (29 February only in leap
//! years). Dates without a year ("July 13") and bare years are not reported.
//!
//! [`DateFinder::find_dateline`] recognizes the line that says when, where and by whom a
//! communiqué was issued, in three forms, each starting a sentence:
//!
//! - `June 28, 2021 : Ottawa, Ontario – Global Affairs Canada` (date, `:` or dash, place, dash,
//!   issuing body), as on government sites;
//! - `WASHINGTON, June 28, 2021 —` (place in capitals, date, dash), the wire form;
//! - `ROME (Reuters) -` (place in capitals, issuer in parentheses, dash);
//! - `THE WHITE HOUSE, July 20, 2021.` as a sentence of its own among the last three (the
//!   signature of a letter or proclamation), only when there is no other dateline.
//!
//! [`published_date`] chooses the publication date from these.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use regex::{Captures, Regex};

/// Full month names and their abbreviations (written with or without a dot).
const MONTHS: [(&str, &[&str]); 12] = [
    ("January", &["Jan"]),
    ("February", &["Feb"]),
    ("March", &["Mar"]),
    ("April", &["Apr"]),
    ("May", &[]),
    ("June", &["Jun"]),
    ("July", &["Jul"]),
    ("August", &["Aug"]),
    ("September", &["Sept", "Sep"]),
    ("October", &["Oct"]),
    ("November", &["Nov"]),
    ("December", &["Dec"]),
];

/// How many sentences from the start are searched for a publication date when there is no
/// dateline.
pub const FIRST_SENTENCES: usize = 5;

/// A calendar date at day or month precision, written in ISO 8601 form (`2021-06-28`,
/// `2021-06`). Ordered chronologically, a month before any day in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate {
    /// The year, 1000 to 2999.
    pub year: u16,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, when known.
    pub day: Option<u8>,
}

impl IsoDate {
    /// A date, or `None` when it does not exist (month 13, 31 April, 29 February 2021) or the
    /// year is outside 1000..=2999.
    pub fn new(year: u16, month: u8, day: Option<u8>) -> Option<IsoDate> {
        if !(1000..=2999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if let Some(d) = day
            && (d == 0 || d > days_in_month(year, month))
        {
            return None;
        }
        Some(IsoDate { year, month, day })
    }

    /// True when this date lies after `now`. At month precision (on either side) only the
    /// months are compared, so "June 2021" is not after 28 June 2021.
    pub fn is_after(&self, now: IsoDate) -> bool {
        match (self.year, self.month).cmp(&(now.year, now.month)) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => matches!((self.day, now.day), (Some(a), Some(b)) if a > b),
        }
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)?;
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl FromStr for IsoDate {
    type Err = String;

    /// Parses `YYYY-MM-DD` or `YYYY-MM`; anything after the day (a time: `2021-06-28T10:00Z`)
    /// is ignored.
    fn from_str(s: &str) -> Result<IsoDate, String> {
        let err = || format!("not an ISO 8601 date: {s:?}");
        let num = |range: Range<usize>| {
            s.get(range)
                .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|p| p.parse::<u16>().ok())
        };
        let year = num(0..4).ok_or_else(err)?;
        if s.as_bytes().get(4) != Some(&b'-') {
            return Err(err());
        }
        let month = num(5..7).ok_or_else(err)?;
        let day = match s.as_bytes().get(7) {
            None => None,
            Some(b'-') => Some(num(8..10).ok_or_else(err)?),
            Some(_) => return Err(err()),
        };
        if day.is_some() && s.as_bytes().get(10).is_some_and(u8::is_ascii_digit) {
            return Err(err());
        }
        IsoDate::new(year, month as u8, day.map(|d| d as u8)).ok_or_else(err)
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A date found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateMatch {
    /// Byte range of the date in the text searched.
    pub range: Range<usize>,
    /// The date.
    pub date: IsoDate,
}

/// A dateline: when, where and by whom a communiqué was issued. Ranges index the text searched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dateline {
    /// The whole dateline, up to and including its last separator.
    pub range: Range<usize>,
    /// Its date, when it has one (`ROME (Reuters) -` has none).
    pub date: Option<DateMatch>,
    /// The place ("Ottawa, Ontario", "WASHINGTON").
    pub place: Range<usize>,
    /// The issuing body ("Global Affairs Canada", "Reuters"), when given.
    pub issuer: Option<Range<usize>>,
}

/// Finds dates and datelines. Build once ([`DateFinder::new`] compiles its regular
/// expressions) and reuse.
#[derive(Clone, Debug)]
pub struct DateFinder {
    dates: Regex,
    /// After a date: separator, place, dash, first letter of the issuer.
    after_date: Regex,
    /// A sentence start up to a date: capitalized place and a comma.
    wire_place: Regex,
    /// A sentence start: capitalized place, issuer in parentheses, dash.
    agency: Regex,
    /// A whole sentence up to a date: place and a comma (a signature line).
    signature_place: Regex,
}

impl Default for DateFinder {
    fn default() -> DateFinder {
        DateFinder::new()
    }
}

impl DateFinder {
    /// Compiles the patterns.
    pub fn new() -> DateFinder {
        let mut alts = Vec::new();
        for (name, abbrs) in MONTHS {
            alts.push(name.to_owned());
            alts.push(name.to_uppercase());
            for a in abbrs {
                alts.push(format!(r"{a}\.?"));
                alts.push(format!(r"{}\.?", a.to_uppercase()));
            }
        }
        let month = alts.join("|");
        let ord = r"(?:st|nd|rd|th)?";
        let dates = format!(
            r"(?-u:\b)(?:(?P<m1>{month})\s+(?P<d1>[0-9]{{1,2}}){ord},?\s+(?P<y1>[0-9]{{4}})|(?P<d2>[0-9]{{1,2}}){ord}\s+(?:of\s+)?(?P<m2>{month}),?\s+(?P<y2>[0-9]{{4}})|(?P<y3>[0-9]{{4}})-(?P<n3>[0-9]{{2}})-(?P<d3>[0-9]{{2}})|(?P<m4>{month}),?\s+(?P<y4>[0-9]{{4}}))(?-u:\b)"
        );
        // A capitalized word, hyphens only between letters: "Ottawa", "Saint-Jean", "D.C.".
        let word = r"\p{Lu}[\p{L}'.]*(?:-\p{L}[\p{L}'.]*)*";
        let caps = r"\p{Lu}[\p{Lu}'.]*(?:-\p{Lu}[\p{Lu}'.]*)*";
        let place = format!(r"{word}(?:\s{word}){{0,3}}(?:,\s{word}(?:\s{word}){{0,3}})?");
        let after_date = format!(r"\A\s*[:\-]\s*(?P<place>{place})\s*-\s*(?P<issuer>\p{{Lu}})");
        let wire_place = format!(
            r"\A(?P<place>{caps}(?:\s{caps}){{0,3}}(?:,\s{word}(?:\s{word}){{0,3}})?),\s*\z"
        );
        let agency = format!(
            r"\A(?P<place>{caps}(?:\s{caps}){{0,3}})\s*\((?P<issuer>\p{{Lu}}[\p{{L}}&.']*(?:\s[\p{{L}}&.']+){{0,3}})\)\s*(?P<dash>-)\s"
        );
        let signature_place = format!(r"\A(?P<place>{word}(?:\s{word}){{0,3}}),\s*\z");
        let compile = |p: &str| Regex::new(p).expect("date patterns are valid");
        DateFinder {
            dates: compile(&dates),
            after_date: compile(&after_date),
            wire_place: compile(&wire_place),
            agency: compile(&agency),
            signature_place: compile(&signature_place),
        }
    }

    /// All dates in `text`, in order.
    ///
    /// Every date holds its year as a run of exactly four ASCII digits, so the pattern only runs
    /// on a short window around each such run (up to three words before it, six bytes after);
    /// text without one costs a scan for digits. The result is the pattern's non-overlapping
    /// matches from the left, exactly as if it had run over the whole text.
    pub fn find_dates(&self, text: &str) -> Vec<DateMatch> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        // Where the whole-text search would resume: no match starts before it.
        let mut pos = 0;
        let mut at = 0;
        while let Some(year) = next_year(bytes, at) {
            at = year.end;
            if year.start < pos {
                continue;
            }
            // A match at or after `pos` either holds this year, and then lies within the window,
            // or starts after it: a match cannot hold a year without holding the whole run, and
            // one before this year would hold an earlier year at or after `pos`.
            let (from, limit) = year_window(text, &year);
            let found = self
                .dates
                .captures_at(&text[..limit], from.max(pos))
                .filter(|c| c.get_match().start() <= year.start);
            let Some(c) = found else {
                pos = year.end;
                continue;
            };
            let m = c.get_match();
            pos = m.end();
            if let Some(date) = date_from(&c) {
                out.push(DateMatch {
                    range: m.start()..m.end(),
                    date,
                });
            }
        }
        debug_assert_eq!(out, self.find_dates_everywhere(text));
        out
    }

    /// [`find_dates`](Self::find_dates) by running the pattern over the whole text: the definition
    /// the windowed search is checked against in debug builds.
    #[cfg_attr(not(debug_assertions), allow(dead_code))]
    fn find_dates_everywhere(&self, text: &str) -> Vec<DateMatch> {
        self.dates
            .captures_iter(text)
            .filter_map(|c| {
                let m = c.get(0)?;
                let date = date_from(&c)?;
                Some(DateMatch {
                    range: m.start()..m.end(),
                    date,
                })
            })
            .collect()
    }

    /// The first dateline in `text`, given the text's `sentences` (as from
    /// [`split_sentences`](crate::split_sentences)) and `dates` (from [`find_dates`]). Wire
    /// forms are looked for only in the first ten sentences; the government form anywhere,
    /// since scraped pages move it around.
    ///
    /// [`find_dates`]: DateFinder::find_dates
    pub fn find_dateline(
        &self,
        text: &str,
        sentences: &[Range<usize>],
        dates: &[DateMatch],
    ) -> Option<Dateline> {
        let mut found: Vec<Dateline> = Vec::new();
        // Government form: a full date starting a sentence.
        for d in dates.iter().filter(|d| d.date.day.is_some()) {
            let i = sentences.partition_point(|s| s.end <= d.range.start);
            if sentences.get(i).is_some_and(|s| s.start == d.range.start)
                && let Some(dl) = self.government(text, d)
            {
                found.push(dl);
                break;
            }
        }
        for s in sentences.iter().take(10) {
            if found.first().is_some_and(|f| f.range.start < s.start) {
                break;
            }
            if let Some(dl) = self.wire(text, s, dates).or_else(|| self.reuters(text, s)) {
                found.push(dl);
                break;
            }
        }
        if found.is_empty() {
            let last = sentences.len().saturating_sub(3);
            found.extend(
                sentences[last..]
                    .iter()
                    .find_map(|s| self.signature(text, s, dates)),
            );
        }
        found.into_iter().min_by_key(|d| d.range.start)
    }

    /// `June 28, 2021 : Ottawa, Ontario - Global Affairs Canada`.
    fn government(&self, text: &str, d: &DateMatch) -> Option<Dateline> {
        let rest = &text[d.range.end..];
        let c = self.after_date.captures(rest)?;
        let place = c.name("place")?;
        let issuer_start = d.range.end + c.name("issuer")?.start();
        let issuer = issuer_at(text, issuer_start)?;
        Some(Dateline {
            range: d.range.start..issuer.end,
            date: Some(d.clone()),
            place: d.range.end + place.start()..d.range.end + place.end(),
            issuer: Some(issuer),
        })
    }

    /// `WASHINGTON, June 28, 2021 -`.
    fn wire(&self, text: &str, s: &Range<usize>, dates: &[DateMatch]) -> Option<Dateline> {
        let d = dates
            .iter()
            .find(|d| d.date.day.is_some() && s.contains(&d.range.start))?;
        let c = self.wire_place.captures(&text[s.start..d.range.start])?;
        let place = c.name("place")?;
        let after = &text[d.range.end..];
        let sep = after.len() - after.trim_start().len();
        if !after[sep..].starts_with('-') {
            return None;
        }
        Some(Dateline {
            range: s.start..d.range.end + sep + 1,
            date: Some(d.clone()),
            place: s.start + place.start()..s.start + place.end(),
            issuer: None,
        })
    }

    /// `THE WHITE HOUSE, July 20, 2021.` as a sentence of its own.
    fn signature(&self, text: &str, s: &Range<usize>, dates: &[DateMatch]) -> Option<Dateline> {
        let d = dates
            .iter()
            .find(|d| d.date.day.is_some() && s.contains(&d.range.start))?;
        if !matches!(&text[d.range.end..s.end], "" | ".") {
            return None;
        }
        let c = self
            .signature_place
            .captures(&text[s.start..d.range.start])?;
        let place = c.name("place")?;
        Some(Dateline {
            range: s.clone(),
            date: Some(d.clone()),
            place: s.start + place.start()..s.start + place.end(),
            issuer: None,
        })
    }

    /// `ROME (Reuters) -`.
    fn reuters(&self, text: &str, s: &Range<usize>) -> Option<Dateline> {
        let c = self.agency.captures(&text[s.start..])?;
        let (place, issuer, dash) = (c.name("place")?, c.name("issuer")?, c.name("dash")?);
        Some(Dateline {
            range: s.start..s.start + dash.end(),
            date: None,
            place: s.start + place.start()..s.start + place.end(),
            issuer: Some(s.start + issuer.start()..s.start + issuer.end()),
        })
    }
}

/// The next run of exactly four ASCII digits (a possible year) starting at or after `from`, where
/// `from` is not inside a run of digits.
fn next_year(bytes: &[u8], from: usize) -> Option<Range<usize>> {
    let mut i = from;
    loop {
        i = next_digit(bytes, i)?;
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i - start == 4 {
            return Some(start..i);
        }
    }
}

/// The first ASCII digit at or after `from`. Looks at eight bytes at a time.
fn next_digit(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // A byte between b'0' - 1 and b'9' + 1 (exclusive), for bytes below 128 ("Bit Twiddling
        // Hacks"); bytes from 128 up never count.
        let (m, n) = (u64::from(b'0') - 1, u64::from(b'9') + 1);
        let low = w & (ONES * 127);
        let between =
            (ONES * (127 + n)).wrapping_sub(low) & !w & low.wrapping_add(ONES * (127 - m));
        if between & (ONES * 0x80) != 0 {
            break;
        }
        i += 8;
    }
    (i..bytes.len()).find(|&k| bytes[k].is_ascii_digit())
}

/// The longest run of text before a year that a date can hold: "28th of June, " is three words
/// (runs of non-whitespace), none of them longer than "September," (10 bytes).
const DATE_WORDS_BEFORE_YEAR: usize = 3;

/// Bytes of a word before the year that can belong to a date, with some margin.
const MAX_DATE_WORD: usize = 12;

/// The part of `text` a date holding `year` must lie in: from at most three words before it
/// (the whitespace between them of any length) to six bytes after it (`-06-28`), extended to
/// the next character that is not an ASCII word character, so that the pattern's closing `\b`
/// sees the same on both sides of the window's end.
fn year_window(text: &str, year: &Range<usize>) -> (usize, usize) {
    let mut start = year.start;
    'words: for _ in 0..DATE_WORDS_BEFORE_YEAR {
        let before = text[..start].trim_end_matches(char::is_whitespace);
        if before.len() == start {
            break;
        }
        start = before.len();
        for (i, c) in before.char_indices().rev() {
            if c.is_whitespace() {
                continue 'words;
            }
            if before.len() - i > MAX_DATE_WORD {
                // A longer word: the date can only start within its last bytes.
                break 'words;
            }
            start = i;
        }
    }
    let bytes = text.as_bytes();
    let mut end = (year.end + 6).min(bytes.len());
    while end < bytes.len()
        && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_' || !text.is_char_boundary(end))
    {
        end += 1;
    }
    (start, end)
}

/// The date a match of the date pattern stands for.
fn date_from(c: &Captures<'_>) -> Option<IsoDate> {
    let num = |name: &str| c.name(name).and_then(|m| m.as_str().parse::<u16>().ok());
    let month = |name: &str| c.name(name).and_then(|m| month_number(m.as_str()));
    let (year, month, day) = if let Some(y) = num("y1") {
        (y, month("m1")?, Some(num("d1")?))
    } else if let Some(y) = num("y2") {
        (y, month("m2")?, Some(num("d2")?))
    } else if let Some(y) = num("y3") {
        (y, u8::try_from(num("n3")?).ok()?, Some(num("d3")?))
    } else {
        (num("y4")?, month("m4")?, None)
    };
    let day = match day {
        Some(d) => Some(u8::try_from(d).ok()?),
        None => None,
    };
    IsoDate::new(year, month, day)
}

/// 1 for "January", "JAN", "Jan." ….
fn month_number(name: &str) -> Option<u8> {
    let name = name.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|(full, abbrs)| {
            full.eq_ignore_ascii_case(name) || abbrs.iter().any(|a| a.eq_ignore_ascii_case(name))
        })
        .and_then(|i| u8::try_from(i + 1).ok())
}

/// Lowercase words allowed inside an issuer's name ("Ministry of Foreign Affairs").
const CONNECTORS: &[&str] = &[
    "of", "for", "and", "the", "on", "de", "du", "des", "la", "le", "et", "del", "&",
];

/// Capitalized words that start a sentence rather than continue a name.
const STARTERS: &[&str] = &[
    "The",
    "This",
    "These",
    "That",
    "Those",
    "In",
    "On",
    "At",
    "As",
    "We",
    "Today",
    "It",
    "A",
    "An",
    "Our",
    "With",
    "Following",
    "After",
    "During",
    "Since",
    "Recognizing",
    "Recalling",
    "Welcoming",
    "Noting",
];

/// The issuing body's name starting at `start`: capitalized words joined by connectors, at most
/// eight, ending before punctuation, a paragraph break or the next sentence.
fn issuer_at(text: &str, start: usize) -> Option<Range<usize>> {
    const MAX_WORDS: usize = 8;
    // (start, end) of words taken so far, and whether each is a connector.
    let mut words: Vec<(usize, usize, bool)> = Vec::new();
    let mut at = start;
    let mut stop_after = false;
    while words.len() < MAX_WORDS && !stop_after {
        let rest = &text[at..];
        let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let raw_word = &rest[..len];
        let word = raw_word.trim_end_matches([',', ';', ':', '.', ')']);
        stop_after = word.len() < raw_word.len();
        if word.is_empty() {
            break;
        }
        let connector = CONNECTORS.contains(&word);
        let name = word.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
            && word
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '&' | '\'' | '-'));
        if !connector && !name {
            break;
        }
        if name && !words.is_empty() && STARTERS.contains(&word) {
            break;
        }
        words.push((at, at + word.len(), connector));
        // Continue over exactly one space; a paragraph break ends the name.
        let after = &text[at + len..];
        if !after.starts_with(' ') || after[1..].starts_with(char::is_whitespace) {
            break;
        }
        at += len + 1;
    }
    while words.last().is_some_and(|w| w.2) {
        words.pop();
    }
    // "Global Affairs Canada Recognizing the challenge": the last word opens the next sentence.
    if words.len() >= 2
        && let Some(&(s, e, _)) = words.last()
    {
        let w = &text[s..e];
        let next_is_lower = text[e..]
            .strip_prefix(' ')
            .is_some_and(|n| n.starts_with(char::is_lowercase));
        let verb_like = w.len() > 4 && (w.ends_with("ing") || w.ends_with("ed"));
        if next_is_lower && (verb_like || STARTERS.contains(&w)) {
            words.pop();
            while words.last().is_some_and(|w| w.2) {
                words.pop();
            }
        }
    }
    let first = words.first()?;
    let last = words.last()?;
    Some(first.0..last.1)
}

/// Chooses the publication date: the dateline's date, else the first day-precision date that
/// starts within the first [`FIRST_SENTENCES`] sentences; never a date after `now`.
pub fn published_date(
    dateline: Option<&Dateline>,
    dates: &[DateMatch],
    sentences: &[Range<usize>],
    now: IsoDate,
) -> Option<IsoDate> {
    if let Some(d) = dateline.and_then(|d| d.date.as_ref())
        && !d.date.is_after(now)
    {
        return Some(d.date);
    }
    let limit = sentences
        .get(FIRST_SENTENCES)
        .map_or(usize::MAX, |s| s.start);
    dates
        .iter()
        .take_while(|d| d.range.start < limit)
        .find(|d| d.date.day.is_some() && !d.date.is_after(now))
        .map(|d| d.date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split_sentences;
    use proptest::prelude::*;

    fn found(text: &str) -> Vec<(&str, String)> {
        DateFinder::new()
            .find_dates(text)
            .into_iter()
            .map(|d| (&text[d.range], d.date.to_string()))
            .collect()
    }

    fn date(s: &str) -> IsoDate {
        s.parse().expect("test date")
    }

    #[test]
    fn recognizes_date_forms() {
        let text = "June 28, 2021; 28 June 2021; Jun. 28, 2021; 2021-06-28; June 2021; \
                    JUNE 28, 2021; 4th of April, 2023; Sept. 5 2022; 29 February 2024";
        assert_eq!(
            found(text),
            [
                ("June 28, 2021", "2021-06-28".to_owned()),
                ("28 June 2021", "2021-06-28".to_owned()),
                ("Jun. 28, 2021", "2021-06-28".to_owned()),
                ("2021-06-28", "2021-06-28".to_owned()),
                ("June 2021", "2021-06".to_owned()),
                ("JUNE 28, 2021", "2021-06-28".to_owned()),
                ("4th of April, 2023", "2023-04-04".to_owned()),
                ("Sept. 5 2022", "2022-09-05".to_owned()),
                ("29 February 2024", "2024-02-29".to_owned()),
            ]
        );
    }

    #[test]
    fn real_lines_from_the_examples() {
        assert_eq!(
            found("On April 12, 2010, by Executive Order 13536, the President declared"),
            [("April 12, 2010", "2010-04-12".to_owned())]
        );
        assert_eq!(
            found("the next ministerial meeting of the Global Coalition by June 2022 and"),
            [("June 2022", "2022-06".to_owned())]
        );
        assert_eq!(
            found("back-to-back with the U.S.-EU Energy Council on 4 April 2023."),
            [("4 April 2023", "2023-04-04".to_owned())]
        );
        assert_eq!(
            found("THE WHITE HOUSE, July 20, 2021."),
            [("July 20, 2021", "2021-07-20".to_owned())]
        );
    }

    #[test]
    fn rejects_non_dates() {
        assert!(found("Powers Act (50 U.S.C. 1701-1706) and Public Law 93-148").is_empty());
        assert!(found("Resolution 2254, the 2021 Pledge Drive, July 13 ahead").is_empty());
        assert!(found("31 April 2021, 29 February 2021, 2021-13-01, May we 2021").is_empty());
        assert!(found("Order 13536 of 2022-2023 in Declaration 12").is_empty());
        assert!(found("we may 2021").is_empty());
    }

    #[test]
    fn windows_around_years_see_what_the_whole_text_search_sees() {
        let f = DateFinder::new();
        for text in [
            "June\u{a0}\u{2003}28th,\n\n    2021 and 28th   of\tJune,  2021",
            "xJune 2021, -June 2021, Julyy 2021, (September, 2021), aaaaaaaaaaaaaaaaSeptember 2021",
            "2021-06-28x 2021-06-28_ 2021-06-28é 2021-06-281 12021-06-28 2021-06-28-01",
            "June 28, 20211 June 28, 2021a June 28, 2021é 1 2 3 4 5 6 7 8 9 10 11 2021",
            "28 28 June 2021 2021 2021-06-28 June 2021-06-28 June 1 2021",
        ] {
            assert_eq!(f.find_dates(text), f.find_dates_everywhere(text), "{text}");
        }
    }

    fn date_soup() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "June",
            "JUNE",
            "Jun.",
            "Sept",
            "Sept.",
            "May",
            "of",
            "th",
            "28",
            "28th",
            "1",
            "31",
            "2021",
            "12345",
            "2021-06-28",
            "-06",
            "-2",
            " ",
            "  ",
            "\u{a0}",
            "\n\n",
            "\t",
            ",",
            "-",
            ".",
            "x",
            "é",
            "_",
            "(",
            "aaaaaaaaaaaaaaaa",
            "\u{301}",
        ]);
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    /// One finder for the property test: building one compiles the patterns.
    static FINDER: std::sync::LazyLock<DateFinder> = std::sync::LazyLock::new(DateFinder::new);

    proptest! {
        #[test]
        fn windowed_search_is_the_whole_text_search(text in date_soup()) {
            prop_assert_eq!(FINDER.find_dates(&text), FINDER.find_dates_everywhere(&text));
        }
    }

    #[test]
    fn iso_dates_parse_print_and_compare() {
        assert_eq!(date("2021-06-28").to_string(), "2021-06-28");
        assert_eq!(date("2021-06").to_string(), "2021-06");
        assert_eq!(date("2021-06-28T10:00:00Z"), date("2021-06-28"));
        assert!("2021-6-28".parse::<IsoDate>().is_err());
        assert!("2021-02-30".parse::<IsoDate>().is_err());
        assert!(date("2021-06-29").is_after(date("2021-06-28")));
        assert!(!date("2021-06").is_after(date("2021-06-28")));
        assert!(date("2021-07").is_after(date("2021-06-28")));
        assert!(!date("2021-06-28").is_after(date("2021-06-28")));
    }

    fn dateline(text: &str) -> Option<(String, Option<String>, String, Option<String>)> {
        let f = DateFinder::new();
        let sentences = split_sentences(text);
        let dates = f.find_dates(text);
        let d = f.find_dateline(text, &sentences, &dates)?;
        Some((
            text[d.range].to_owned(),
            d.date.map(|m| m.date.to_string()),
            text[d.place].to_owned(),
            d.issuer.map(|r| text[r].to_owned()),
        ))
    }

    #[test]
    fn government_dateline_from_the_sample() {
        let text = "under the parameters of UN Security Council Resolution 2254. June 28, 2021 : \
                    Ottawa, Ontario - Global Affairs Canada Recognizing the challenge posed by \
                    foreign terrorist fighters";
        assert_eq!(
            dateline(text),
            Some((
                "June 28, 2021 : Ottawa, Ontario - Global Affairs Canada".to_owned(),
                Some("2021-06-28".to_owned()),
                "Ottawa, Ontario".to_owned(),
                Some("Global Affairs Canada".to_owned()),
            ))
        );
        let text = "June 28, 2021 - Ottawa - Ministry of Foreign Affairs of Italy.\n\nBody.";
        let got = dateline(text).expect("dateline");
        assert_eq!(got.2, "Ottawa");
        assert_eq!(
            got.3.as_deref(),
            Some("Ministry of Foreign Affairs of Italy")
        );
    }

    #[test]
    fn wire_datelines() {
        let text = "Statement\n\nWASHINGTON, June 28, 2021 - The Ministers met.";
        assert_eq!(
            dateline(text),
            Some((
                "WASHINGTON, June 28, 2021 -".to_owned(),
                Some("2021-06-28".to_owned()),
                "WASHINGTON".to_owned(),
                None
            ))
        );
        let text = "WASHINGTON, D.C., June 28, 2021 - The Ministers met.";
        assert_eq!(
            dateline(text).map(|d| d.2).as_deref(),
            Some("WASHINGTON, D.C.")
        );
        let text = "ROME (Reuters) - Ministers of the coalition met on Monday.";
        assert_eq!(
            dateline(text),
            Some((
                "ROME (Reuters) -".to_owned(),
                None,
                "ROME".to_owned(),
                Some("Reuters".to_owned())
            ))
        );
    }

    #[test]
    fn signature_lines() {
        // The end of examples/communiques/wh-2021-07-20-letter-…-mali.txt, normalized.
        let text = "with respect to the situation in Mali. JOSEPH R. BIDEN JR. THE WHITE HOUSE, \
                    July 20, 2021.";
        assert_eq!(
            dateline(text),
            Some((
                "THE WHITE HOUSE, July 20, 2021.".to_owned(),
                Some("2021-07-20".to_owned()),
                "THE WHITE HOUSE".to_owned(),
                None
            ))
        );
        // Not when it is not the end of the document.
        let text = "THE WHITE HOUSE, July 20, 2021. One. Two. Three. Four.";
        assert_eq!(dateline(text), None);
    }

    #[test]
    fn no_dateline_in_ordinary_prose() {
        assert_eq!(
            dateline("On April 12, 2010, by Executive Order 13536, the President"),
            None
        );
        assert_eq!(dateline("The White House said on July 20, 2021."), None);
        assert_eq!(
            dateline("The meeting - held in Rome - ended. NATO (the Alliance) said"),
            None
        );
    }

    #[test]
    fn publication_date_prefers_the_dateline_and_never_the_future() {
        let f = DateFinder::new();
        let text = "Meeting on 1 May 2021. Other text. June 28, 2021 : Ottawa, Ontario - Global \
                    Affairs Canada. More.";
        let sentences = split_sentences(text);
        let dates = f.find_dates(text);
        let dl = f.find_dateline(text, &sentences, &dates);
        let now = date("2025-01-01");
        assert_eq!(
            published_date(dl.as_ref(), &dates, &sentences, now),
            Some(date("2021-06-28"))
        );
        assert_eq!(
            published_date(None, &dates, &sentences, now),
            Some(date("2021-05-01"))
        );
        // Everything lies after "now".
        assert_eq!(
            published_date(dl.as_ref(), &dates, &sentences, date("2020-01-01")),
            None
        );
        // Only the first few sentences count.
        let text = "One. Two. Three. Four. Five. Six. On 1 May 2021 it met.";
        let sentences = split_sentences(text);
        assert_eq!(
            published_date(None, &f.find_dates(text), &sentences, now),
            None
        );
    }
}
