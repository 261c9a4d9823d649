//! What the tagger keeps about each name and entity, computed once when it is built.
//!
//! A name is compiled as the canonical folded *pattern* the automaton finds, and one
//! *candidate* per entity that writes it; a candidate carries what the rules checked at a match
//! need, precomputed so that checking allocates nothing: the capitals the name asks for, which
//! context rules apply. An entity's [`EntityInfo`] says what its spans carry and whether names
//! are looked for inside its own (organizations and groups hold countries and regions).

use std::collections::HashMap;

use commwatch_core::Symbol;

use super::function_words::FunctionWords;
use super::{COUNTRY_IN_NAME, PLACE, REGION_IN_NAME};
use crate::gazetteer::Entity;

/// Entity kinds whose names are searched for [`COUNTRY_IN_NAME`] and [`REGION_IN_NAME`] tags.
const NAME_HOLDERS: [&str; 2] = ["organization", "group"];

/// What tagging needs to know about an entity, computed once when the tagger is built so that
/// making spans allocates nothing per span.
#[derive(Clone, Debug, Default)]
pub(super) struct EntityInfo {
    /// The span `detail` of every tag of the entity: a place's country code.
    pub(super) detail: Option<Symbol>,
    /// The span kind of the entity when found inside another name (`country_in_name`,
    /// `region_in_name`), or `None` when it is not looked for there.
    pub(super) in_name_kind: Option<Symbol>,
    /// The entity's names are searched for countries and regions (organizations and groups).
    pub(super) holds_names: bool,
}

impl EntityInfo {
    pub(super) fn of(entity: &Entity) -> EntityInfo {
        let kind = &**entity.kind();
        EntityInfo {
            detail: (kind == PLACE)
                .then(|| entity.attribute("country"))
                .flatten()
                .map(Symbol::from),
            in_name_kind: match kind {
                "country" => Some(Symbol::from(COUNTRY_IN_NAME)),
                "region" => Some(Symbol::from(REGION_IN_NAME)),
                _ => None,
            },
            holds_names: NAME_HOLDERS.contains(&kind),
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Pattern {
    pub(super) canonical: Box<str>,
    /// `canonicalize(canonical) == canonical`: a folded match spelled exactly like the pattern
    /// needs no canonicalization to be checked.
    pub(super) stable: bool,
    pub(super) candidates: Vec<Candidate>,
}

/// One entity a pattern may stand for, as one of its written names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Candidate {
    /// Index into `Tagger::entities`.
    pub(super) entity: usize,
    pub(super) role: Role,
    /// The name as written, normalized.
    pub(super) written: Box<str>,
    /// `written`, folded.
    pub(super) folded: Box<str>,
    /// `folded` is the pattern itself (it has no function words to collapse): a match whose
    /// folded text is the pattern is spelled like this name, without comparing them.
    pub(super) folded_is_pattern: bool,
    /// The `person-name` rule applies: the entity has it and this name is its label.
    pub(super) person_name: bool,
    /// The `us-state` rule applies: the entity has it and this name is its label.
    pub(super) us_state: bool,
    /// The `common-word` rule applies: the entity has it and this is an `exact` name.
    pub(super) common_word: bool,
    /// For the capitals rule: per content word of `written` (see [`capitals_match`]), whether
    /// each of its initials is uppercase.
    pub(super) capitals: Box<[Box<[bool]>]>,
    /// For a name written in ASCII in at most 64 bytes, the capitals rule as byte positions:
    /// bit `i` set when byte `i` of `written` is an uppercase initial that `capitals` asks for.
    /// An ASCII match spelled like the name has its initials at the same bytes.
    pub(super) ascii_capitals: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    /// A `names` entry: capitals rule.
    Name,
    /// An `exact` entry: byte-for-byte.
    Exact,
    /// A `not_within` phrase: the entity is not tagged inside it.
    Block,
}

/// The automaton's patterns, one per distinct canonical folded name.
#[derive(Default)]
pub(super) struct Patterns {
    pub(super) list: Vec<Pattern>,
    by_text: HashMap<String, usize>,
}

impl Patterns {
    pub(super) fn add(&mut self, words: &FunctionWords, canonical: String, candidate: Candidate) {
        let index = match self.by_text.get(&canonical) {
            Some(&i) => i,
            None => {
                let stable = words.canonicalize(&canonical).text == canonical;
                self.list.push(Pattern {
                    canonical: canonical.as_str().into(),
                    stable,
                    candidates: Vec::new(),
                });
                self.by_text.insert(canonical, self.list.len() - 1);
                self.list.len() - 1
            }
        };
        let list = &mut self.list[index].candidates;
        if !list.contains(&candidate) {
            list.push(candidate);
        }
    }
}

/// Per content word of a name as written, whether each of its initials is uppercase.
pub(super) fn written_capitals(
    function_words: &FunctionWords,
    written: &str,
) -> Box<[Box<[bool]>]> {
    let mut words = Vec::new();
    function_words.for_each_content_word(written, &mut String::new(), |w| {
        words.push(initials(w).map(char::is_uppercase).collect());
    });
    words.into()
}

/// True when every capital that starts a word, or a part of a word after a non-alphanumeric
/// character, in the written name (given as its [`written_capitals`]) stands over a letter that
/// is not lowercase in `matched`, word for word of their content words.
pub(super) fn capitals_match(
    function_words: &FunctionWords,
    capitals: &[Box<[bool]>],
    matched: &str,
    folded: &mut String,
) -> bool {
    let mut words = 0;
    let mut fits = true;
    function_words.for_each_content_word(matched, folded, |word| {
        fits = fits
            && capitals.get(words).is_some_and(|upper| {
                upper
                    .iter()
                    .zip(initials(word))
                    .all(|(&upper, c)| !upper || !c.is_lowercase())
            });
        words += 1;
    });
    fits && words == capitals.len()
}

/// [`Candidate::ascii_capitals`] of a name as written.
pub(super) fn ascii_capitals(function_words: &FunctionWords, written: &str) -> Option<u64> {
    if !written.is_ascii() || written.len() > 64 {
        return None;
    }
    let mut upper = 0;
    function_words.for_each_content_word(written, &mut String::new(), |word| {
        let offset = word.as_ptr() as usize - written.as_ptr() as usize;
        let mut previous_alnum = false;
        for (i, b) in word.bytes().enumerate() {
            let alnum = b.is_ascii_alphanumeric();
            if alnum && !previous_alnum && b.is_ascii_uppercase() {
                upper |= 1 << (offset + i);
            }
            previous_alnum = alnum;
        }
    });
    Some(upper)
}

/// [`capitals_match`] for an ASCII `matched` text whose folded form is that of a name written in
/// ASCII: none of the name's uppercase initials (`upper`, see [`Candidate::ascii_capitals`])
/// stands over a lowercase letter.
pub(super) fn ascii_capitals_match(upper: u64, matched: &str) -> bool {
    let bytes = matched.as_bytes();
    let mut rest = upper;
    while rest != 0 {
        let i = rest.trailing_zeros() as usize;
        rest &= rest - 1;
        if bytes.get(i).is_none_or(u8::is_ascii_lowercase) {
            return false;
        }
    }
    true
}

/// [`capitals_match`] as first written, on the written name itself: the definition it is
/// checked against in debug builds.
#[cfg_attr(not(debug_assertions), allow(dead_code))]
pub(super) fn capitals_match_reference(
    function_words: &FunctionWords,
    written: &str,
    matched: &str,
) -> bool {
    let content_words = |text| {
        let mut words = Vec::new();
        function_words.for_each_content_word(text, &mut String::new(), |w| words.push(w));
        words
    };
    let w = content_words(written);
    let t = content_words(matched);
    w.len() == t.len()
        && w.iter().zip(&t).all(|(a, b)| {
            initials(a)
                .zip(initials(b))
                .all(|(x, y)| !x.is_uppercase() || !y.is_lowercase())
        })
}

/// The first character of each run of alphanumeric characters of a word.
fn initials(word: &str) -> impl Iterator<Item = char> + '_ {
    let mut previous_alnum = false;
    word.chars().filter(move |c| {
        let alnum = c.is_alphanumeric();
        let initial = alnum && !previous_alnum;
        previous_alnum = alnum;
        initial
    })
}
