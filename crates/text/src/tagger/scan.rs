//! The scan: one pass of the automaton over the canonical text, and the rules checked at each
//! match.
//!
//! The automaton finds the leftmost-longest name; everything it cannot express is checked here,
//! on the normalized text the match maps back to: the folded match is really the name (function
//! words), whole words, capitals or exact spelling, `not_within` phrases, the context rules.
//! When the longest name at a position fails, the next longest one starting there is tried,
//! then the scan resumes one character later, so tags never overlap.

use aho_corasick::{Anchored, Input};
use commwatch_core::{FoldedText, OffsetCursor};

use super::context::all_caps_context;
use super::names::{
    Candidate, Role, ascii_capitals_match, capitals_match, capitals_match_reference,
};
use super::{Tag, Tagger};
use crate::fold::fold;

impl Tagger {
    /// The scan behind [`tag_folded`](Self::tag_folded) and, with `inside`,
    /// [`tag_with_names_inside`](Self::tag_with_names_inside).
    pub(super) fn scan<'t>(
        &'t self,
        text: &str,
        folded: &FoldedText,
        inside: bool,
        out: &mut Vec<Tag<'t>>,
    ) {
        if folded.map.raw_len() != text.len() || folded.map.norm_len() != folded.text.len() {
            // Not the fold of this text (a stale copy): make the right one.
            let fresh = fold(text);
            return self.scan(text, &fresh, inside, out);
        }
        let canonical = self.function_words.canonicalize(&folded.text);
        let mut scan = Scan {
            text,
            canonical: canonical.text.as_bytes(),
            folded_text: &folded.text,
            to_folded: canonical.map.cursor(),
            runs: &canonical.runs,
            next_run: 0,
            to_text: (!folded.map.is_identity()).then(|| folded.map.cursor()),
            blocks: Vec::new(),
            first: out.len(),
            scratch: String::new(),
        };
        let haystack = canonical.text.as_str();
        self.scan_range(&mut scan, haystack, 0..haystack.len(), inside, false, out);
    }

    /// Tags the names that lie wholly inside canonical `range`: every name, or with `in_name`
    /// only countries and regions, as [`Tag::in_name`] tags (`range` is then the text of the
    /// organization or group tagged last). With `inside` (and not `in_name`), each organization
    /// or group tagged is searched that way before the scan goes on.
    fn scan_range<'t>(
        &'t self,
        scan: &mut Scan<'_>,
        haystack: &str,
        range: std::ops::Range<usize>,
        inside: bool,
        in_name: bool,
        out: &mut Vec<Tag<'t>>,
    ) {
        let mut at = range.start;
        while at < range.end {
            let Some(m) = self
                .automaton
                .find(Input::new(haystack).span(at..range.end))
            else {
                break;
            };
            let start = m.start();
            let next_char = start + haystack[start..].chars().next().map_or(1, char::len_utf8);
            // A name that starts inside a word of the text fails whatever its end ("is" in
            // "this"): look once, instead of trying every shorter name that starts here too.
            if starts_inside_word(scan, start) {
                at = next_char;
                continue;
            }
            let (mut end, mut pattern) = (m.end(), m.pattern().as_usize());
            loop {
                if let Some(tag) = self.evaluate(scan, start, end, pattern, in_name, out) {
                    out.push(tag);
                    at = end;
                    if inside && !in_name && self.info[tag.index].holds_names {
                        self.scan_range(scan, haystack, start..end, false, true, out);
                    }
                    break;
                }
                // Rejected: the next longest name starting at the same place.
                let shorter = (end > start + 1)
                    .then(|| {
                        self.anchored.find(
                            Input::new(haystack)
                                .span(start..end - 1)
                                .anchored(Anchored::Yes),
                        )
                    })
                    .flatten();
                match shorter {
                    Some(s) => (end, pattern) = (s.end(), s.pattern().as_usize()),
                    None => {
                        at = next_char;
                        break;
                    }
                }
            }
        }
    }

    /// The tag for a match of `pattern` at canonical `start..end`, if one of its candidates
    /// passes every rule. With `in_name`, only countries and regions are candidates, and the tag
    /// is a [`Tag::in_name`] one.
    fn evaluate<'t>(
        &'t self,
        scan: &mut Scan<'_>,
        start: usize,
        end: usize,
        pattern: usize,
        in_name: bool,
        out: &[Tag<'t>],
    ) -> Option<Tag<'t>> {
        let pattern = self.patterns.get(pattern)?;
        let (fs, fe) = scan.to_folded.to_raw_range(start, end);
        let folded = scan.folded_text.get(fs..fe)?;
        // The match may have started or ended inside a collapsed run of function words. A folded
        // text spelled exactly like a stable pattern canonicalizes to it: no need to look. (The
        // automaton matched the pattern, so the canonical text at the match is the pattern.)
        let exact = pattern.stable && folded.as_bytes() == scan.canonical.get(start..end)?;
        if !exact && self.function_words.canonicalize(folded).text != *pattern.canonical {
            return None;
        }
        let (ns, ne) = match &mut scan.to_text {
            Some(cursor) => cursor.to_raw_range(fs, fe),
            // `fs <= fe`: the identity maps the range to itself.
            None => (fs, fe),
        };
        let text = scan.text;
        let matched = text.get(ns..ne)?;
        if text[..ns].chars().next_back().is_some_and(is_word)
            || text[ne..].chars().next().is_some_and(is_word)
        {
            return None;
        }
        // Written names first, then function-word variants; gazetteer order within each.
        let is_written = |c: &&Candidate| {
            if exact {
                c.folded_is_pattern
            } else {
                *c.folded == *folded
            }
        };
        let written = pattern.candidates.iter().filter(is_written);
        let variants = pattern.candidates.iter().filter(|c| !is_written(c));
        for c in written.clone().filter(|c| c.role == Role::Block) {
            scan.blocks.push((ns, ne, c.entity));
        }
        let previous = &out[scan.first..];
        let mut scratch = std::mem::take(&mut scan.scratch);
        let found = written
            .chain(variants)
            .filter(|c| c.role != Role::Block)
            .filter(|c| !in_name || self.info[c.entity].in_name_kind.is_some())
            .filter(|c| {
                !scan
                    .blocks
                    .iter()
                    .any(|&(s, e, entity)| entity == c.entity && s <= ns && ne <= e)
            })
            .find(|c| {
                let spelled = match c.role {
                    Role::Exact => *c.written == *matched,
                    _ => {
                        let fits = match c.ascii_capitals {
                            Some(upper) if matched.is_ascii() && is_written(c) => {
                                ascii_capitals_match(upper, matched)
                            }
                            _ => capitals_match(
                                &self.function_words,
                                &c.capitals,
                                matched,
                                &mut scratch,
                            ),
                        };
                        debug_assert_eq!(
                            fits,
                            capitals_match_reference(&self.function_words, &c.written, matched)
                        );
                        fits
                    }
                };
                spelled
                    && !(c.person_name && self.context.person_context(text, ns, ne, previous))
                    && !(c.us_state && self.context.us_state_context(text, ns, ne, previous))
                    && !(c.common_word
                        && matched.chars().count() <= 3
                        && all_caps_context(text, ns, ne))
            })
            .map(|c| Tag {
                start: ns,
                end: ne,
                entity: &self.entities[c.entity],
                in_name,
                index: c.entity,
            });
        scan.scratch = scratch;
        found
    }
}

/// A character that makes a match not a whole word when it touches one.
pub(super) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// True when every match starting at canonical offset `start` fails the whole-word rule at its
/// start: the text has a word character right before where it begins (or it begins inside a
/// character). [`Tagger::evaluate`] maps a match's start the same way whatever its end.
///
/// Starts come in increasing order. Where folding rewrote nothing and `start` is not just after
/// or inside a rewritten run of function words, the canonical text around `start` is the text's
/// (lowercased): an ASCII byte before it decides without mapping.
fn starts_inside_word(scan: &mut Scan<'_>, start: usize) -> bool {
    while scan
        .runs
        .get(scan.next_run)
        .is_some_and(|&run| run + 2 < start)
    {
        scan.next_run += 1;
    }
    let near_run = scan.runs.get(scan.next_run).is_some_and(|&run| run < start);
    if scan.to_text.is_none() && !near_run {
        let fast = match start.checked_sub(1).map(|i| scan.canonical[i]) {
            None => Some(false),
            Some(b) if b.is_ascii() => Some(is_word(char::from(b))),
            Some(_) => None,
        };
        if let Some(inside) = fast {
            debug_assert_eq!(inside, text_before_is_word(scan, start));
            return inside;
        }
    }
    text_before_is_word(scan, start)
}

/// [`starts_inside_word`] by the definition: maps `start` to the text and looks there.
fn text_before_is_word(scan: &mut Scan<'_>, start: usize) -> bool {
    let folded_start = scan.to_folded.to_raw_start(start);
    let text_start = match &mut scan.to_text {
        Some(cursor) => cursor.to_raw_start(folded_start),
        None => folded_start,
    };
    match scan.text.get(..text_start) {
        Some(before) => before.chars().next_back().is_some_and(is_word),
        None => true,
    }
}

/// The state of one scan.
struct Scan<'a> {
    text: &'a str,
    /// The canonical text the automaton scans.
    canonical: &'a [u8],
    folded_text: &'a str,
    /// Maps canonical offsets to `folded_text`; matches come in increasing order of start.
    to_folded: OffsetCursor<'a>,
    /// [`Canonical::runs`].
    runs: &'a [usize],
    /// The first of `runs` that may end at or after the current match start.
    next_run: usize,
    /// Maps `folded_text` offsets to `text`, unless folding rewrote nothing (offsets are equal).
    to_text: Option<OffsetCursor<'a>>,
    /// `not_within` phrases found: (normalized start, end, entity).
    blocks: Vec<(usize, usize, usize)>,
    /// Index in `out` of the first tag of this scan.
    first: usize,
    /// A buffer for folding matched names.
    scratch: String,
}
