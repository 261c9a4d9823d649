//! The prefilter: every phrase of every rule in one Aho-Corasick automaton.
//!
//! A rule pack grows to hundreds of rules, and most of them have nothing to say about a given
//! communiqué. Scanning the text once per rule would make the cost grow with the pack; instead all
//! phrases (deduplicated, ASCII-lowercased) go into a single automaton, one pass over the matching
//! text records every phrase occurrence, and only rules with a phrase that occurred are looked at.
//! The scan costs O(text length + occurrences), whatever the number of rules.
//!
//! The automaton uses [`MatchKind::Standard`] with overlapping iteration, which reports *every*
//! occurrence of every phrase: overlapping ones ("joined the" and "the Coalition" in "joined the
//! Coalition") and phrases that are prefixes of others ("new member" and "new members").
//! Leftmost-first or leftmost-longest semantics would report only one of each such pair and silently
//! starve the other rule. Whole-word boundaries are checked after the automaton reports a match, so
//! a rejected candidate ("member" inside "members") hides nothing.
//!
//! This layer knows nothing of rules: the boolean query language planned next can keep it as is and
//! evaluate its leaves against [`Hits`].

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, BuildError, MatchKind};
use commwatch_core::Communique;

/// Index of a distinct phrase in the automaton.
pub(crate) type PatternId = usize;

/// Collects phrases, deduplicating them ASCII-case-insensitively.
#[derive(Debug, Default)]
pub(crate) struct PhraseIndexBuilder {
    patterns: Vec<String>,
    ids: HashMap<String, PatternId>,
}

impl PhraseIndexBuilder {
    /// Adds `phrase` (or finds it, if an equal phrase was added before) and returns its id.
    pub(crate) fn add(&mut self, phrase: &str) -> PatternId {
        let key = phrase.to_ascii_lowercase();
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.patterns.len();
        self.patterns.push(key.clone());
        self.ids.insert(key, id);
        id
    }

    /// Number of distinct phrases added.
    pub(crate) fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Compiles the automaton.
    pub(crate) fn build(self) -> Result<PhraseIndex, BuildError> {
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&self.patterns)?;
        Ok(PhraseIndex { automaton })
    }
}

/// The compiled automaton.
#[derive(Clone, Debug)]
pub(crate) struct PhraseIndex {
    automaton: AhoCorasick,
}

/// One whole-word phrase occurrence, in **raw** byte offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hit {
    pub(crate) pattern: PatternId,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The occurrences found in one text, sorted by phrase and then position.
#[derive(Debug, Default)]
pub(crate) struct Hits(Vec<Hit>);

impl PhraseIndex {
    /// Replaces `hits` with every whole-word occurrence of every phrase in
    /// [`Communique::matching_text`], mapped to raw offsets.
    pub(crate) fn scan(&self, event: &Communique, hits: &mut Hits) {
        let text = event.matching_text();
        let found = &mut hits.0;
        found.clear();
        // MatchKind::Standard was set at build time, so overlapping search is supported.
        for m in self.automaton.find_overlapping_iter(text) {
            if !on_word_boundaries(text, m.start(), m.end()) {
                continue;
            }
            let (start, end) = event.to_raw_range(m.start(), m.end());
            found.push(Hit {
                pattern: m.pattern().as_usize(),
                start,
                end,
            });
        }
        found.sort_unstable();
        // Normalization can map two matches onto the same raw range.
        found.dedup();
    }
}

impl Hits {
    /// The occurrences of one phrase, by position.
    pub(crate) fn of(&self, pattern: PatternId) -> &[Hit] {
        let start = self.0.partition_point(|h| h.pattern < pattern);
        let end = self.0.partition_point(|h| h.pattern <= pattern);
        &self.0[start..end]
    }

    /// Whether the phrase occurred at all.
    pub(crate) fn occurred(&self, pattern: PatternId) -> bool {
        !self.of(pattern).is_empty()
    }

    /// The distinct phrases that occurred, ascending.
    pub(crate) fn patterns(&self) -> impl Iterator<Item = PatternId> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|&(i, h)| i == 0 || self.0[i - 1].pattern != h.pattern)
            .map(|(_, h)| h.pattern)
    }
}

/// True when neither the character before `start` nor the one at `end` is a word character.
fn on_word_boundaries(text: &str, start: usize, end: usize) -> bool {
    let before = text.get(..start).and_then(|s| s.chars().next_back());
    let after = text.get(end..).and_then(|s| s.chars().next());
    !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;
    use commwatch_core::{NormalizedText, OffsetMapBuilder, Origin};

    fn index(phrases: &[&str]) -> PhraseIndex {
        let mut b = PhraseIndexBuilder::default();
        for p in phrases {
            b.add(p);
        }
        b.build().unwrap()
    }

    fn scan(index: &PhraseIndex, event: &Communique) -> Vec<(PatternId, usize, usize)> {
        let mut hits = Hits::default();
        index.scan(event, &mut hits);
        hits.0.iter().map(|h| (h.pattern, h.start, h.end)).collect()
    }

    fn event(text: &str) -> Communique {
        Communique::new(None, Origin::default(), text.into())
    }

    #[test]
    fn finds_overlapping_and_prefix_phrases() {
        let idx = index(&["joined the", "the coalition", "new member", "new members"]);
        let ev = event("Chad joined the Coalition; new members too.");
        assert_eq!(
            scan(&idx, &ev),
            vec![(0, 5, 15), (1, 12, 25), (3, 27, 38)],
            "\"new member\" is not a whole word inside \"new members\""
        );
    }

    #[test]
    fn equal_phrases_share_one_pattern() {
        let mut b = PhraseIndexBuilder::default();
        assert_eq!(b.add("Sanctions"), b.add("sanctions"));
        assert_eq!(b.len(), 1);
    }

    #[test]
    fn boundaries_use_unicode_letters_and_underscore() {
        let idx = index(&["mali"]);
        assert!(scan(&idx, &event("Malié")).is_empty());
        assert!(scan(&idx, &event("_mali")).is_empty());
        assert_eq!(scan(&idx, &event("«Mali»")), vec![(0, 2, 6)]);
    }

    #[test]
    fn hits_map_back_to_raw_offsets() {
        // raw "new   members" normalized to "new members".
        let mut ev = event("new   members");
        let mut b = OffsetMapBuilder::new();
        b.copied(3);
        b.replaced(3, 1);
        b.copied(7);
        ev.normalized = Some(NormalizedText {
            text: "new members".into(),
            map: b.finish(),
            folded: None,
        });
        assert_eq!(scan(&index(&["new members"]), &ev), vec![(0, 0, 13)]);
    }

    #[test]
    fn empty_index_finds_nothing() {
        assert!(scan(&index(&[]), &event("anything")).is_empty());
    }
}
