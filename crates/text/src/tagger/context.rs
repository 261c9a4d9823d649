//! Context rules: a country's name that its neighbours show to be something else.
//!
//! "Chad", "Jordan" and "Georgia" are also people's names, "Georgia" a US state, "US" and "WHO"
//! English words. The automaton cannot see context, so a match of such a name (see
//! [`Ambiguity`](crate::Ambiguity)) is checked here against the words around it in the
//! normalized text. The words that decide (not given names, not surnames, honorifics, US states)
//! are the gazetteer's word lists ([`WordList`]), so an analyst can add to them.

use super::{Tag, WordSet};
use crate::gazetteer::Gazetteer;
use crate::normalize::Normalizer;
use crate::words::WordList;

/// The offset just after the last whitespace character of `text`, or 0.
fn after_last_space(text: &str) -> usize {
    text.char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// The word (space-separated) that ends right before `at` with exactly one space between.
pub(super) fn word_before(text: &str, at: usize) -> Option<(usize, usize)> {
    let end = at.checked_sub(1)?;
    if text.as_bytes().get(end) != Some(&b' ') {
        return None;
    }
    let start = after_last_space(&text[..end]);
    (start < end).then_some((start, end))
}

/// The word (space-separated) that starts right after `at` with exactly one space between.
fn word_after(text: &str, at: usize) -> Option<(usize, usize)> {
    if text.as_bytes().get(at) != Some(&b' ') {
        return None;
    }
    let start = at + 1;
    let end = text[start..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| start + i);
    (start < end).then_some((start, end))
}

/// True when the word starting at `start` starts a sentence (or the text, a paragraph, a list
/// item, a quotation, a heading).
fn starts_sentence(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches(' ');
    match before.chars().next_back() {
        None => true,
        Some(c) => {
            before.ends_with("\n\n")
                || matches!(
                    c,
                    '.' | '!' | '?' | ':' | ';' | '"' | '(' | '*' | '-' | '\u{2022}'
                )
        }
    }
}

/// True when `start..end` lies inside one of `tags`.
fn inside_tag(tags: &[Tag<'_>], start: usize, end: usize) -> bool {
    tags.iter().any(|t| t.start <= start && end <= t.end)
}

/// The word lists of the context rules ([`WordList`]), normalized like the text.
#[derive(Clone, Debug)]
pub(super) struct ContextWords {
    /// [`WordList::NotGivenNames`].
    not_given_names: WordSet,
    /// [`WordList::NotSurnames`].
    not_surnames: WordSet,
    /// [`WordList::Honorifics`].
    honorifics: WordSet,
    /// [`WordList::UsStates`].
    us_states: WordSet,
}

impl ContextWords {
    pub(super) fn new(gazetteer: &Gazetteer, normalizer: &Normalizer) -> ContextWords {
        let list = |list| WordSet::new(gazetteer, list, normalizer);
        ContextWords {
            not_given_names: list(WordList::NotGivenNames),
            not_surnames: list(WordList::NotSurnames),
            honorifics: list(WordList::Honorifics),
            us_states: list(WordList::UsStates),
        }
    }

    /// A capitalized word that may be part of a person's name: "Michael", "O'Keeffe", an initial
    /// "J.", an honorific. A word with other punctuation ("Chad.", "Iraq,") ends a phrase.
    fn name_like(&self, word: &str) -> bool {
        let mut chars = word.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        if !first.is_uppercase() {
            return false;
        }
        let rest = chars.as_str();
        rest == "."
            || self.honorifics.contains(word)
            || (rest.chars().any(char::is_lowercase)
                && rest
                    .chars()
                    .all(|c| c.is_alphabetic() || c == '-' || c == '\''))
    }

    /// The `person-name` rule: a name-like word right before the match (not starting a sentence,
    /// not a title or function word, not part of another tag), or a surname-like word right after.
    pub(super) fn person_context(
        &self,
        text: &str,
        start: usize,
        end: usize,
        previous: &[Tag<'_>],
    ) -> bool {
        if let Some((s, e)) = word_before(text, start) {
            let word = &text[s..e];
            if self.name_like(word)
                && !starts_sentence(text, s)
                && !self.not_given_names.contains(word.trim_end_matches('.'))
                && !inside_tag(previous, s, e)
            {
                return true;
            }
        }
        if let Some((s, e)) = word_after(text, end) {
            let word = text[s..e].trim_end_matches(|c: char| !c.is_alphanumeric());
            if self.name_like(word)
                && !self.honorifics.contains(word)
                && !self.not_surnames.contains(word)
            {
                return true;
            }
        }
        false
    }

    /// The `us-state` rule: an item of a comma list whose neighbour is a US state, or a name right
    /// after "City, " (a capitalized word that is not a sentence start nor part of another tag).
    pub(super) fn us_state_context(
        &self,
        text: &str,
        start: usize,
        end: usize,
        previous: &[Tag<'_>],
    ) -> bool {
        let is_state_at = |at: usize| {
            self.us_states.iter().any(|state| {
                text[at..].starts_with(state)
                    && !text[at + state.len()..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric)
            })
        };
        if let Some(before) = text[..start].strip_suffix(", ") {
            let word_start = after_last_space(before);
            let word = &before[word_start..];
            let state = self.us_states.iter().any(|s| before.ends_with(s));
            let city = word.chars().next().is_some_and(char::is_uppercase)
                && word
                    .chars()
                    .all(|c| c.is_alphabetic() || c == '.' || c == '-')
                && !starts_sentence(text, word_start)
                && !self.not_given_names.contains(word)
                && !inside_tag(previous, word_start, before.len());
            if state || city {
                return true;
            }
        }
        text[end..].starts_with(", ") && is_state_at(end + 2)
    }
}

/// The `common-word` rule: the two nearest words before and the two after (within the
/// paragraph) are all written in capitals (two capitals or more, no lowercase), and there are at
/// least two of them.
pub(super) fn all_caps_context(text: &str, start: usize, end: usize) -> bool {
    let paragraph_start = text[..start].rfind("\n\n").map_or(0, |i| i + 2);
    let paragraph_end = text[end..].find("\n\n").map_or(text.len(), |i| end + i);
    let caps = |w: &str| {
        w.chars().filter(|c| c.is_uppercase()).count() >= 2 && !w.chars().any(char::is_lowercase)
    };
    let not_word = |c: char| !c.is_alphanumeric();
    let before = text[paragraph_start..start]
        .rsplit(not_word)
        .filter(|w| !w.is_empty())
        .take(2);
    let after = text[end..paragraph_end]
        .split(not_word)
        .filter(|w| !w.is_empty())
        .take(2);
    let mut around = 0;
    for word in before.chain(after) {
        if !caps(word) {
            return false;
        }
        around += 1;
    }
    around >= 2
}
