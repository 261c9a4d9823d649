//! The prefilter: every literal term of every rule in one Aho-Corasick automaton.
//!
//! A rule pack grows to thousands of rules, and most have nothing to say about a given communiqué.
//! All literal terms (words, phrases, prefixes, `NEAR` operands) of all enabled rules are folded
//! (lowercase, no diacritics, single spaces), deduplicated and compiled into one automaton; one
//! pass over the text records every occurrence, and the rule set evaluates only rules whose
//! required literals occurred. The scan costs O(text length + occurrences), whatever the number of
//! rules.
//!
//! The automaton uses [`MatchKind::Standard`] with overlapping iteration, which reports *every*
//! occurrence of every pattern, including overlapping ones and patterns that are prefixes of
//! others; word boundaries are checked afterwards, so a rejected candidate hides nothing. A word
//! `terror` and a prefix `terror*` share one pattern: the word needs a boundary after the match,
//! the prefix does not and its hit is extended to the end of the word.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, BuildError, MatchKind};
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
        let kind = if total <= DFA_BUDGET {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(&self.patterns)?;
        Ok(Literals {
            automaton,
            word: self.word,
            prefix: self.prefix,
            count: self.count,
        })
    }
}

/// The compiled automaton.
#[derive(Clone, Debug)]
pub(crate) struct Literals {
    automaton: AhoCorasick,
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

/// The occurrences found in one text, sorted by literal and then position.
#[derive(Debug, Default)]
pub(crate) struct Hits(Vec<Hit>);

impl Literals {
    /// Number of distinct literals.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Replaces `hits` with every occurrence of every literal, mapped to raw offsets. Scans the
    /// folded copy of the text when the event has one, else the matching text ignoring ASCII case
    /// (an ASCII-lowercased copy in `lower`, which keeps every byte offset).
    pub(crate) fn scan(&self, event: &Communique, hits: &mut Hits, lower: &mut String) {
        let found = &mut hits.0;
        found.clear();
        let folded = event.folded();
        let text = match folded {
            Some(f) => f.text.as_str(),
            None => {
                lower.clear();
                lower.push_str(event.matching_text());
                lower.make_ascii_lowercase();
                lower.as_str()
            }
        };
        let mut push = |lit: LitId, start: usize, end: usize| {
            let (start, end) = match folded {
                Some(f) => f.map.to_raw_range(start, end),
                None => (start, end),
            };
            let (start, end) = event.to_raw_range(start, end);
            found.push(Hit { lit, start, end });
        };
        for m in self.automaton.find_overlapping_iter(text) {
            let p = m.pattern().as_usize();
            if !boundary_before(text, m.start()) {
                continue;
            }
            if let Some(lit) = self.word[p]
                && boundary_after(text, m.end())
            {
                push(lit, m.start(), m.end());
            }
            if let Some(lit) = self.prefix[p] {
                let rest = &text[m.end()..];
                let extra = rest
                    .char_indices()
                    .find(|&(_, c)| !is_word_char(c))
                    .map_or(rest.len(), |(i, _)| i);
                push(lit, m.start(), m.end() + extra);
            }
        }
        found.sort_unstable();
        // Normalization can map two matches onto the same raw range.
        found.dedup();
    }
}

impl Hits {
    /// The occurrences of one literal, by position.
    pub(crate) fn of(&self, lit: LitId) -> &[Hit] {
        let start = self.0.partition_point(|h| h.lit < lit);
        let end = start + self.0[start..].partition_point(|h| h.lit <= lit);
        &self.0[start..end]
    }

    /// The distinct literals that occurred, ascending.
    pub(crate) fn lits(&self) -> impl Iterator<Item = LitId> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|&(i, h)| i == 0 || self.0[i - 1].lit != h.lit)
            .map(|(_, h)| h.lit)
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
        hits.0.iter().map(|h| (h.lit, h.start, h.end)).collect()
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

    #[test]
    fn empty_automaton_finds_nothing() {
        assert!(scan(&literals(&[]), &event("anything")).is_empty());
    }
}
