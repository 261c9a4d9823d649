//! The prefilter: every literal term of every rule in one Aho-Corasick automaton.
//!
//! A rule pack grows to thousands of rules, and most have nothing to say about a given communiqué.
//! All literal terms (words, phrases, prefixes, `NEAR` operands) of all enabled rules are folded
//! (lowercase, no diacritics, single spaces), deduplicated and compiled into one automaton; one
//! pass over the text records every occurrence, and the rule set evaluates only rules whose
//! required literals occurred. The scan costs O(text length + occurrences), whatever the number of
//! rules.
//!
//! The automaton uses [`MatchKind::Standard`] and reports *every* occurrence of every pattern,
//! including overlapping ones and patterns that are prefixes of others (the overlapping search of
//! the `aho-corasick` crate); word boundaries are checked afterwards, so a rejected candidate hides
//! nothing. A word `terror` and a prefix `terror*` share one pattern: the word needs a boundary
//! after the match, the prefix does not and its hit is extended to the end of the word.
//!
//! The search drives the automaton's state machine itself ([`find_all`]): each step is a table
//! lookup that depends on the previous one, so a single walk through a text waits on memory at
//! every byte. The text is cut into four pieces walked side by side, whose steps the processor
//! overlaps; each walk goes on past the end of its piece far enough to finish the occurrences that
//! start in it, and reports only those.

use std::collections::HashMap;
use std::sync::Arc;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::contiguous;
use aho_corasick::{Anchored, BuildError, MatchKind, PatternID, StartKind, dfa};
use commwatch_core::Communique;

/// Total pattern bytes up to which the automaton is a DFA (about 100,000 states: tens of MB at
/// most; a pack of 10,000 rules has a few thousand distinct terms).
const DFA_BUDGET: usize = 100_000;

/// Index of a distinct literal (a folded pattern and whether it is a prefix).
pub(crate) type LitId = usize;

/// Collects literals, deduplicating equal folded patterns.
#[derive(Debug, Default)]
pub(crate) struct LiteralsBuilder {
    patterns: Vec<String>,
    pattern_ids: HashMap<String, usize>,
    /// Per pattern: the literal matching it as a whole word, and as a prefix.
    word: Vec<Option<LitId>>,
    prefix: Vec<Option<LitId>>,
    count: usize,
}

impl LiteralsBuilder {
    /// Adds a folded term (or finds it) and returns its literal id.
    pub(crate) fn add(&mut self, folded: &str, prefix: bool) -> LitId {
        let pattern = match self.pattern_ids.get(folded) {
            Some(&p) => p,
            None => {
                let p = self.patterns.len();
                self.patterns.push(folded.to_string());
                self.pattern_ids.insert(folded.to_string(), p);
                self.word.push(None);
                self.prefix.push(None);
                p
            }
        };
        let slot = if prefix {
            &mut self.prefix[pattern]
        } else {
            &mut self.word[pattern]
        };
        *slot.get_or_insert_with(|| {
            self.count += 1;
            self.count - 1
        })
    }

    /// Number of distinct literals.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Number of distinct automaton patterns.
    #[cfg(test)]
    pub(crate) fn patterns(&self) -> usize {
        self.patterns.len()
    }

    pub(crate) fn build(self) -> Result<Literals, BuildError> {
        // A DFA scans fastest; its size grows with the patterns' total length (times the number
        // of byte classes), so past a budget the contiguous NFA is used instead.
        let total: usize = self.patterns.iter().map(String::len).sum();
        // No prefilter: with one, start states are special, and the search (`find_all`) would
        // leave its loop at every return to the start state, after most words; terms start with
        // too many different bytes for a prefilter to skip much anyway.
        let automaton = if total <= DFA_BUDGET {
            Scanner::Dfa(Arc::new(
                dfa::DFA::builder()
                    .match_kind(MatchKind::Standard)
                    .start_kind(StartKind::Unanchored)
                    .prefilter(false)
                    .build(&self.patterns)?,
            ))
        } else {
            Scanner::Nfa(Arc::new(
                contiguous::NFA::builder()
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(&self.patterns)?,
            ))
        };
        Ok(Literals {
            automaton,
            word: self.word,
            prefix: self.prefix,
            count: self.count,
        })
    }
}

/// The automaton, shared by clones of a rule set.
#[derive(Clone, Debug)]
enum Scanner {
    Dfa(Arc<dfa::DFA>),
    Nfa(Arc<contiguous::NFA>),
}

/// The compiled automaton.
#[derive(Clone, Debug)]
pub(crate) struct Literals {
    automaton: Scanner,
    word: Vec<Option<LitId>>,
    prefix: Vec<Option<LitId>>,
    count: usize,
}

/// One literal occurrence, in **raw** byte offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    pub(crate) lit: LitId,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The occurrences found in one text: all of them in the scanned text
/// ([`Literals::scan`]), and those of the literals evaluation needs in raw offsets
/// ([`Hits::map`]).
#[derive(Debug, Default)]
pub(crate) struct Hits {
    /// The mapped occurrences, sorted by literal and then position.
    hits: Vec<Hit>,
    /// Every occurrence in the scanned text, as (start, end, literal), in text order.
    found: Vec<(usize, usize, LitId)>,
}

impl Literals {
    /// Number of distinct literals.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Finds every occurrence of every literal in the event (to be mapped to raw offsets by
    /// [`Hits::map`]). Scans the folded copy of the text when the event has one, else the matching
    /// text ignoring ASCII case (an ASCII-lowercased copy in `lower`, which keeps every byte
    /// offset).
    pub(crate) fn scan(&self, event: &Communique, hits: &mut Hits, lower: &mut String) {
        let found = &mut hits.found;
        found.clear();
        hits.hits.clear();
        let text = match event.folded() {
            Some(f) => f.text.as_str(),
            None => {
                lower.clear();
                lower.push_str(event.matching_text());
                lower.make_ascii_lowercase();
                lower.as_str()
            }
        };
        let mut report = |p: PatternID, start: usize, end: usize| {
            if !boundary_before(text, start) {
                return;
            }
            if let Some(lit) = self.word[p.as_usize()]
                && boundary_after(text, end)
            {
                found.push((start, end, lit));
            }
            if let Some(lit) = self.prefix[p.as_usize()] {
                let rest = &text[end..];
                let extra = rest
                    .char_indices()
                    .find(|&(_, c)| !is_word_char(c))
                    .map_or(rest.len(), |(i, _)| i);
                found.push((start, end + extra, lit));
            }
        };
        match &self.automaton {
            Scanner::Dfa(a) => find_all(&**a, text.as_bytes(), &mut report),
            Scanner::Nfa(a) => find_all(&**a, text.as_bytes(), &mut report),
        }
        found.sort_unstable();
    }
}

/// Reports every occurrence of every pattern of `aut` (built for unanchored searches with
/// [`MatchKind::Standard`]) in `text` as (pattern, start, end), in no particular order.
///
/// The text is cut into four pieces searched side by side. A search that starts at the beginning
/// of a piece, in the start state, finds exactly the occurrences that start there or later; it
/// runs on until every occurrence starting in its piece has ended (the longest pattern past the
/// piece's end) and reports only those. A text shorter than about 16 times the longest pattern is
/// searched in one piece.
fn find_all<A: Automaton>(aut: &A, text: &[u8], report: &mut impl FnMut(PatternID, usize, usize)) {
    let start = aut
        .start_state(Anchored::No)
        .expect("the automaton is built for unanchored searches");
    let reach = aut.max_pattern_len().saturating_sub(1);
    // Reports the occurrences ending at `end` (in state `sid`) that start in `piece`.
    let mut emit = |sid, end: usize, piece: (usize, usize)| {
        if !aut.is_match(sid) {
            return;
        }
        for i in 0..aut.match_len(sid) {
            let p = aut.match_pattern(sid, i);
            let start = end - aut.pattern_len(p);
            if piece.0 <= start && start < piece.1 {
                report(p, start, end);
            }
        }
    };
    let len = text.len();
    let piece = len.div_ceil(4);
    // Pieces much shorter than the overlap would repeat most of the work.
    if piece < 4 * reach.max(1) {
        walk(aut, start, text, 0, |sid, end| emit(sid, end, (0, len)));
        return;
    }
    let pieces: [(usize, usize); 4] =
        std::array::from_fn(|k| (k * piece, ((k + 1) * piece).min(len)));
    // The four searches step together over as many bytes as the last (shortest) piece has; each
    // then finishes alone.
    let together = len - 3 * piece;
    let bytes = pieces.map(|(from, _)| &text[from..from + together]);
    let mut sids = [start; 4];
    let mut at = 0;
    while at < together {
        (at, sids) = step4(aut, bytes, at, sids);
        for (&sid, piece) in sids.iter().zip(pieces) {
            if aut.is_special(sid) {
                emit(sid, piece.0 + at, piece);
            }
        }
    }
    for (sid, piece) in sids.into_iter().zip(pieces) {
        let from = piece.0 + together;
        let rest = &text[from..(piece.1 + reach).min(len)];
        walk(aut, sid, rest, from, |sid, end| emit(sid, end, piece));
    }
}

/// Steps four searches of `aut`, in states `sids`, over the four `bytes` (of equal length) from
/// index `at`, until one of them reaches a special state or the bytes end; returns the index after
/// the last step and the states.
///
/// Not inlined, so that the loop has the registers to itself: the four states and the pointers
/// stay in registers instead of going through the stack at every step (twice as fast).
#[inline(never)]
fn step4<A: Automaton>(
    aut: &A,
    bytes: [&[u8]; 4],
    at: usize,
    sids: [StateID; 4],
) -> (usize, [StateID; 4]) {
    let [mut s0, mut s1, mut s2, mut s3] = sids;
    let [b0, b1, b2, b3] = bytes.map(|b| &b[at..]);
    for (i, (((&x0, &x1), &x2), &x3)) in b0.iter().zip(b1).zip(b2).zip(b3).enumerate() {
        s0 = aut.next_state(Anchored::No, s0, x0);
        s1 = aut.next_state(Anchored::No, s1, x1);
        s2 = aut.next_state(Anchored::No, s2, x2);
        s3 = aut.next_state(Anchored::No, s3, x3);
        if aut.is_special(s0) | aut.is_special(s1) | aut.is_special(s2) | aut.is_special(s3) {
            return (at + i + 1, [s0, s1, s2, s3]);
        }
    }
    (at + b0.len(), [s0, s1, s2, s3])
}

/// Steps `aut` from state `sid` over `bytes`, which start at offset `from` of the text, and calls
/// `special` with every special state reached and the offset just after the byte that led there.
fn walk<A: Automaton>(
    aut: &A,
    mut sid: StateID,
    bytes: &[u8],
    from: usize,
    mut special: impl FnMut(StateID, usize),
) {
    for (at, &byte) in bytes.iter().enumerate() {
        sid = aut.next_state(Anchored::No, sid, byte);
        if aut.is_special(sid) {
            special(sid, from + at + 1);
        }
    }
}

impl Hits {
    /// Maps the occurrences of the literals for which `needed` holds to raw offsets, replacing
    /// those mapped before. Mapping reads the event's offset maps, which is most of the cost of an
    /// occurrence: evaluation maps only the literals of the rules it evaluates.
    pub(crate) fn map(&mut self, event: &Communique, needed: impl Fn(LitId) -> bool) {
        self.hits.clear();
        // In text order, the offset maps are read forward (cursors) rather than searched.
        let mut to_matching = event.folded().map(|f| f.map.cursor());
        let mut to_raw = event.normalized.as_ref().map(|n| n.map.cursor());
        for &(start, end, lit) in self.found.iter().filter(|f| needed(f.2)) {
            let (start, end) = match &mut to_matching {
                Some(c) => c.to_raw_range(start, end),
                None => (start, end),
            };
            let (start, end) = match &mut to_raw {
                Some(c) => c.to_raw_range(start, end),
                None => (start, end),
            };
            self.hits.push(Hit { lit, start, end });
        }
        self.hits.sort_unstable();
        // Normalization can map two matches onto the same raw range.
        self.hits.dedup();
    }

    /// The mapped occurrences of one literal, by position.
    pub(crate) fn of(&self, lit: LitId) -> &[Hit] {
        let start = self.hits.partition_point(|h| h.lit < lit);
        let end = start + self.hits[start..].partition_point(|h| h.lit <= lit);
        &self.hits[start..end]
    }

    /// The literal of every occurrence found, mapped or not: each literal that occurred, maybe
    /// more than once.
    pub(crate) fn lits(&self) -> impl Iterator<Item = LitId> + '_ {
        self.found.iter().map(|f| f.2)
    }
}

fn boundary_before(text: &str, start: usize) -> bool {
    !text[..start].chars().next_back().is_some_and(is_word_char)
}

fn boundary_after(text: &str, end: usize) -> bool {
    !text[end..].chars().next().is_some_and(is_word_char)
}

/// Letters, digits (Unicode) and `_` make up words.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use commwatch_core::{NormalizedText, OffsetMap, Origin};

    fn literals(terms: &[(&str, bool)]) -> Literals {
        let mut b = LiteralsBuilder::default();
        for &(t, prefix) in terms {
            b.add(t, prefix);
        }
        b.build().unwrap()
    }

    fn scan(lits: &Literals, event: &Communique) -> Vec<(LitId, usize, usize)> {
        let mut hits = Hits::default();
        lits.scan(event, &mut hits, &mut String::new());
        hits.map(event, |_| true);
        hits.hits.iter().map(|h| (h.lit, h.start, h.end)).collect()
    }

    fn event(text: &str) -> Communique {
        Communique::new(None, Origin::default(), text.into())
    }

    #[test]
    fn finds_overlapping_and_prefix_terms() {
        let lits = literals(&[
            ("joined the", false),
            ("the coalition", false),
            ("new member", false),
            ("new members", false),
        ]);
        let ev = event("Chad joined the Coalition; new members too.");
        assert_eq!(scan(&lits, &ev), vec![(0, 5, 15), (1, 12, 25), (3, 27, 38)]);
    }

    #[test]
    fn word_and_prefix_share_a_pattern() {
        let mut b = LiteralsBuilder::default();
        let word = b.add("terror", false);
        let prefix = b.add("terror", true);
        assert_ne!(word, prefix);
        assert_eq!(b.add("terror", false), word);
        assert_eq!(b.patterns(), 1);
        let lits = b.build().unwrap();
        let ev = event("Terrorism and terror; counterterrorism.");
        assert_eq!(scan(&lits, &ev), vec![(0, 14, 20), (1, 0, 9), (1, 14, 20)]);
    }

    #[test]
    fn folded_text_is_scanned_and_mapped_to_raw() {
        let lits = literals(&[("cote d'ivoire", false)]);
        let raw = "In  CÔTE D'IVOIRE.";
        let mut ev = event(raw);
        // A normalized text with the double space collapsed, and its folded copy.
        let text = "In CÔTE D'IVOIRE.".to_string();
        let mut map = commwatch_core::OffsetMapBuilder::new();
        map.copied(2);
        map.replaced(2, 1);
        map.copied(raw.len() - 4);
        let folded = crate::fold::fold(&text);
        ev.normalized = Some(NormalizedText {
            text,
            map: map.finish(),
            folded: Some(folded),
        });
        assert_eq!(scan(&lits, &ev), vec![(0, 4, 18)]);
        assert_eq!(&raw[4..18], "CÔTE D'IVOIRE");
        let _ = OffsetMap::identity(0);
    }

    #[test]
    fn without_a_folded_copy_only_ascii_case_is_ignored() {
        let lits = literals(&[("sanctions", false), ("cote", false)]);
        assert_eq!(scan(&lits, &event("SANCTIONS on Côte")), vec![(0, 0, 9)]);
    }

    /// Every occurrence `find_all` reports, sorted, as (pattern, start, end).
    fn find_sorted<A: Automaton>(aut: &A, text: &str) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        find_all(aut, text.as_bytes(), &mut |p, s, e| {
            found.push((p.as_usize(), s, e))
        });
        found.sort_unstable();
        found
    }

    #[test]
    fn searching_in_four_pieces_finds_every_occurrence_once() {
        // Overlapping patterns, patterns that are prefixes and suffixes of others, and one long
        // enough that occurrences straddle the pieces' ends, over a text made of little else:
        // cut at every length, every piece boundary falls inside and between occurrences.
        let patterns = ["ab", "aba", "b a", "a", "abab ab", "ba ab a", "b", "bb ab"];
        let mut text = String::new();
        let mut x = 7u32;
        while text.len() < 600 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            text.push(['a', 'b', ' '][(x >> 16) as usize % 3]);
        }
        let reference = aho_corasick::AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(patterns)
            .unwrap();
        let dfa = dfa::DFA::builder()
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Unanchored)
            .prefilter(false)
            .build(patterns)
            .unwrap();
        let nfa = contiguous::NFA::builder()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(patterns)
            .unwrap();
        for len in 0..=text.len() {
            let text = &text[..len];
            let mut expected: Vec<_> = reference
                .find_overlapping_iter(text)
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .collect();
            expected.sort_unstable();
            assert_eq!(find_sorted(&dfa, text), expected, "DFA, length {len}");
            assert_eq!(find_sorted(&nfa, text), expected, "NFA, length {len}");
        }
    }

    #[test]
    fn large_sets_use_the_nfa_and_find_the_same() {
        // Past the DFA budget: long distinct patterns.
        let mut b = LiteralsBuilder::default();
        let words: Vec<String> = (0..2_000)
            .map(|i| format!("term{i:04}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"))
            .collect();
        let lits: Vec<LitId> = words.iter().map(|w| b.add(w, false)).collect();
        let sanctions = b.add("sanctions", false);
        let lits_of = b.build().unwrap();
        assert!(matches!(lits_of.automaton, Scanner::Nfa(_)));
        let text = format!(
            "{} Sanctions. {}, sanctions {}",
            "filler ".repeat(200),
            words[1234],
            "more filler ".repeat(100)
        );
        let found = scan(&lits_of, &event(&text));
        let at = text.find(&words[1234]).unwrap();
        let first = text.find("Sanctions").unwrap();
        let second = text.rfind("sanctions").unwrap();
        assert_eq!(
            found,
            vec![
                (lits[1234], at, at + words[1234].len()),
                (sanctions, first, first + 9),
                (sanctions, second, second + 9),
            ]
        );
    }

    #[test]
    fn empty_automaton_finds_nothing() {
        assert!(scan(&literals(&[]), &event("anything")).is_empty());
        assert!(scan(&literals(&[]), &event(&"anything ".repeat(100))).is_empty());
    }
}
