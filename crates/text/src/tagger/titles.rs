//! People's titles: the words written right before a person's name ("Secretary of State").
//!
//! Alerts quote who spoke, and a person's title often says more than the name (which minister,
//! of which country), so a `person` span carries the title in its `detail`. Titles are free
//! text, not gazetteer entries: they are read from the run of title-like words that ends at the
//! name, which starts at a word of the gazetteer's `title_heads` list ([`WordList`]).

use super::context::word_before;
use super::{Tag, WordSet};
use crate::gazetteer::Gazetteer;
use crate::normalize::Normalizer;
use crate::words::WordList;

/// The most words a title may have.
const MAX_TITLE_WORDS: usize = 12;

/// The word lists that find a title ([`WordList`]), normalized like the text.
#[derive(Clone, Debug)]
pub(super) struct TitleWords {
    /// [`WordList::TitleHeads`].
    heads: WordSet,
    /// [`WordList::TitleConnectors`].
    connectors: WordSet,
    /// [`WordList::TitleAbbreviations`].
    abbreviations: WordSet,
}

impl TitleWords {
    pub(super) fn new(gazetteer: &Gazetteer, normalizer: &Normalizer) -> TitleWords {
        let list = |list| WordSet::new(gazetteer, list, normalizer);
        TitleWords {
            heads: list(WordList::TitleHeads),
            connectors: list(WordList::TitleConnectors),
            abbreviations: list(WordList::TitleAbbreviations),
        }
    }

    /// The title written right before person tag `tags[index]`: a run of title-like words (capitalized
    /// words, tagged countries and organizations, and of/for/and/the/to/on) that starts at a title
    /// head word ([`WordList::TitleHeads`]), optionally preceded by a demonym, an organization or "U.S."
    /// ("Italian Minister of Foreign Affairs", "U. S. Admin of State", "NATO Secretary General").
    pub(super) fn person_title(
        &self,
        text: &str,
        tags: &[Tag<'_>],
        index: usize,
    ) -> Option<(usize, usize)> {
        let before = &tags[..index];
        let tag_at = |s: usize, e: usize| {
            before
                .iter()
                .rev()
                .filter(|t| !t.in_name)
                .find(|t| t.start < e && s < t.end)
                .map(|t| (t.start, t.end, &**t.entity.kind()))
        };
        // Words backwards, each (start, end, is head, is prefix).
        let mut words: Vec<(usize, usize, bool, bool)> = Vec::new();
        let mut at = tags[index].start;
        while words.len() < MAX_TITLE_WORDS + 4 {
            let Some((s, e)) = word_before(text, at) else {
                break;
            };
            let word = &text[s..e];
            let (kind_ok, prefix) = match tag_at(s, e) {
                Some((ts, te, kind)) => {
                    if kind == "person" {
                        break;
                    }
                    // A tag must cover the word, but for a trailing "'s".
                    let covered = ts <= s && (te >= e || text[te..e].starts_with('\''));
                    if !covered {
                        break;
                    }
                    (true, kind == "country" || kind == "organization")
                }
                None => (false, false),
            };
            let initial =
                word.len() == 2 && word.ends_with('.') && word.starts_with(char::is_uppercase);
            let title_word = kind_ok
                || self.connectors.contains(word)
                || self.abbreviations.contains(word)
                || initial
                || (word.starts_with(char::is_uppercase)
                    && word
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '\'' | '&')));
            if !title_word {
                break;
            }
            let head = self.heads.contains(word.split('-').next().unwrap_or(word));
            words.push((s, e, head, prefix || initial));
            at = s;
        }
        words.reverse();
        // Leftmost head such that the title is not too long.
        let n = words.len();
        let mut h = (0..n).find(|&i| words[i].2 && n - i <= MAX_TITLE_WORDS)?;
        // "Prime Minister Andersson and President Niinistö": a head after "and" starts the title of
        // the next person.
        for i in h + 1..n.saturating_sub(1) {
            if &text[words[i].0..words[i].1] == "and" && words[i + 1].2 {
                h = i + 1;
            }
        }
        let mut first = h;
        while first > 0 && words[first - 1].3 {
            first -= 1;
        }
        // Drop trailing connectors ("... of the" before the name).
        let mut last = n;
        while last > h + 1
            && self
                .connectors
                .contains(&text[words[last - 1].0..words[last - 1].1])
        {
            last -= 1;
        }
        Some((words[first].0, words[last - 1].1))
    }
}
