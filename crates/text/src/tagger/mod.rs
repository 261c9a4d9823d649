//! The tagger: finds the names of a [`Gazetteer`] in normalized text.
//!
//! A communiqué can name dozens of countries, regions, organizations, groups and people, and the
//! pipeline tags every communiqué, so all names of all entities are compiled into one
//! Aho-Corasick automaton and the text is scanned once. The automaton runs on a *folded* copy of
//! the text (lowercase, no diacritics: [`crate::fold`]) in which the small words that
//! word-spinners and translators swap are collapsed ([`WordList::FunctionWords`]); each match is
//! mapped back to the normalized text, where the rules the automaton cannot express (whole
//! words, capitals, exact acronyms, context) are checked, and from there to the raw bytes.
//!
//! The matching rules are documented on [`Tagger`] and in `docs/gazetteer.md`.
//!
//! One file per concern, so that each rule can be read, and changed, on its own:
//!
//! - this module: the [`Tagger`] API, compiling a gazetteer (its names and its word lists), and
//!   turning tags into spans;
//! - `scan`: the automaton scan, the rules checked at each match, and overlap resolution;
//! - `function_words`: the folded text with runs of function words collapsed, which names and
//!   text are both scanned as;
//! - `names`: what the tagger keeps about each name and entity (patterns, candidates, the
//!   capitals rule, the kinds of names inside names);
//! - `context`: the context rules that tell a country from a person or a US state;
//! - `titles`: the title written before a person's name.

mod context;
mod function_words;
mod names;
mod scan;
#[cfg(test)]
mod tests;
mod titles;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind, StartKind};
use commwatch_core::{Communique, FoldedText, Span, Symbol};

use crate::fold::fold;
use crate::gazetteer::{Ambiguity, Entity, Gazetteer};
use crate::normalize::Normalizer;
use crate::words::WordList;

use context::ContextWords;
use function_words::FunctionWords;
use names::{Candidate, EntityInfo, Pattern, Patterns, Role, ascii_capitals, written_capitals};
use titles::TitleWords;

/// Up to this many distinct names the tagger scans with a DFA (about 2 KB of transitions per
/// name); beyond, with the smaller and slower default automaton.
const MAX_DFA_PATTERNS: usize = 10_000;

/// Finds the entities of a gazetteer in text.
///
/// Build it once with [`Tagger::new`] and share it: tagging takes `&self`. A match is reported
/// when all of these hold:
///
/// - **Folded match.** Case and diacritics do not matter to the automaton: "Moçambique",
///   "Mocambique" and "MOZAMBIQUE" are one spelling ([`crate::fold`]).
/// - **Function words.** Inside a name, the words of [`WordList::FunctionWords`] stand in for
///   one another and an article after one of them may be added, swapped or dropped
///   ([`WordList::Articles`]): the name
///   "Democratic Republic of the Congo" matches "Democratic Republic from the Congo" and
///   "Democratic Republic of Congo". Nowhere else does a word differ from the name.
/// - **Whole words.** The characters around the match are not letters, digits or `_`: "Niger"
///   is never found in "Nigeria"; "Iraq's" and "Syria-wide" are found.
/// - **Capitals** (`names`). Every word of the name that starts with a capital, and every part
///   of a word after `-`, `'` or `/` that does ("al-Qa'ida"), starts with a letter that is not
///   lowercase in the text: "Turkey" and "TURKEY", never "turkey"; "Islamic State", never
///   "Islamic state". A name written in lowercase ("Sahel region") asks nothing of that word.
/// - **Exact** (`exact`). The normalized text equals the name byte for byte: "US", never "us".
/// - **Context** (`ambiguous`, see [`Ambiguity`]). "Jordan" in "Michael Jordan" is not Jordan;
///   "Georgia" in "Atlanta, Georgia" is not Georgia; "WHO" in "WHO WE ARE" is not the WHO.
/// - **Not within** (`not_within`). A name inside one of its entity's `not_within` phrases
///   ("Security Council" in "National Security Council") is not that entity.
///
/// Among overlapping names the leftmost, then the longest, wins, across all kinds: the group
/// "Islamic State of Iraq and Syria" beats the countries inside it. When the longest name at a
/// position fails a rule, the next longest name starting there is tried, then the scan resumes
/// one character later. When several entities share a name, the candidates whose written name
/// equals the text (ignoring case and diacritics) come before function-word variants, and
/// otherwise gazetteer order decides: countries, regions, organizations, groups, people, places
/// for [`Gazetteer::builtin`]. Tags never overlap.
///
/// **Names inside names.** Because tags never overlap, a group or an organization swallows the
/// places its name holds: "Islamic State West Africa Province" is the group ISWAP, not West
/// Africa. [`tag_with_names_inside`](Self::tag_with_names_inside) (and so
/// [`tag_event`](Self::tag_event)) also searches the text of every `organization` and `group`
/// tag, with the same automaton and rules, for the `country` and `region` names inside it, and
/// reports them as tags with [`Tag::in_name`] set, right after the tag that holds them. They are
/// not mentions of the country or region: [`tag_event`](Self::tag_event) gives them the kinds
/// [`COUNTRY_IN_NAME`] and [`REGION_IN_NAME`].
///
/// The rules' word lists are the gazetteer's ([`Gazetteer::words`]): the bundled ones and those
/// its files add.
///
/// Names and words are normalized with [`Normalizer`] when compiled, so they match text produced
/// by it: tag [`NormalizedText::text`](commwatch_core::NormalizedText), not raw text.
#[derive(Clone, Debug)]
pub struct Tagger {
    /// Unanchored scan for the leftmost-longest name (a DFA: the hot loop of tagging).
    automaton: AhoCorasick,
    /// The same patterns, anchored: the next longest name at a position whose longest failed.
    anchored: AhoCorasick,
    /// Per automaton pattern: its text (canonical folded form) and the candidates it stands for.
    patterns: Vec<Pattern>,
    entities: Vec<Entity>,
    /// Per entity (same index as `entities`), what tagging needs beyond the entity itself.
    info: Vec<EntityInfo>,
    /// The function words and articles, as the tables that collapse them.
    function_words: FunctionWords,
    /// The word lists of the context rules.
    context: ContextWords,
    /// The word lists that find people's titles.
    titles: TitleWords,
}

/// A word list of the gazetteer as the rules compare it with text: normalized like the text.
#[derive(Clone, Debug)]
struct WordSet(Box<[Box<str>]>);

impl WordSet {
    fn new(gazetteer: &Gazetteer, list: WordList, normalizer: &Normalizer) -> WordSet {
        let words = gazetteer.words(list).iter();
        WordSet(
            words
                .map(|w| normalizer.normalize(w).text.trim().into())
                .collect(),
        )
    }

    fn contains(&self, word: &str) -> bool {
        self.0.iter().any(|w| **w == *word)
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|w| &**w)
    }
}

/// The span kind of a country named inside an organization's or a group's name ("Somalia" in
/// "ISIS-Somalia"): not a mention of the country. See [`Tagger::tag_with_names_inside`].
pub const COUNTRY_IN_NAME: &str = "country_in_name";

/// The span kind of a region named inside an organization's or a group's name ("West Africa"
/// in "Islamic State West Africa Province"): not a mention of the region.
pub const REGION_IN_NAME: &str = "region_in_name";

/// The kind of the bundled places (`places.toml`): a [`Span`] of this kind carries its
/// country's ISO 3166-1 alpha-2 code (the entity's `country` attribute) in `detail`.
pub const PLACE: &str = "place";

/// An entity found in text: a byte range of the text that was tagged and the entity it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag<'t> {
    /// Start byte offset in the tagged text (inclusive).
    pub start: usize,
    /// End byte offset in the tagged text (exclusive).
    pub end: usize,
    /// The entity named.
    pub entity: &'t Entity,
    /// A country or region found inside the name of the organization or group tagged just
    /// before it ("Somalia" in "ISIS-Somalia"), not a mention: it lies inside that tag. Only
    /// [`Tagger::tag_with_names_inside`] reports these.
    pub in_name: bool,
    /// Index of `entity` in the tagger's entities.
    index: usize,
}

/// Why a [`Tagger`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TaggerError {
    /// A name is nothing but characters the normalizer or folding deletes (zero-width spaces,
    /// lone combining marks, …).
    #[error("{kind} {id:?}: name {name:?} is empty once normalized")]
    EmptyName {
        /// The entity's kind.
        kind: String,
        /// The entity's id.
        id: String,
        /// The name as written in the gazetteer.
        name: String,
    },
    /// A function word or an article is nothing but characters the normalizer or folding
    /// deletes.
    #[error("[{}] {word:?} is empty once normalized", list.as_str())]
    EmptyWord {
        /// Its list.
        list: WordList,
        /// The word as written in the gazetteer.
        word: String,
    },
    /// The automaton could not be built (too many or too long names).
    #[error("cannot compile the gazetteer's names: {0}")]
    Build(#[from] aho_corasick::BuildError),
}

impl Tagger {
    /// Compiles every name of every entity of `gazetteer` into one automaton, and its word lists
    /// into the tables of the rules.
    pub fn new(gazetteer: &Gazetteer) -> Result<Tagger, TaggerError> {
        let normalizer = Normalizer::new();
        let function_words = FunctionWords::new(gazetteer, &normalizer)?;
        let entities: Vec<Entity> = gazetteer.entities().cloned().collect();
        let mut patterns = Patterns::default();
        for (index, entity) in entities.iter().enumerate() {
            let label = fold(&normalizer.normalize(entity.label()).text).text;
            let names = entity.names().iter().map(|n| (n, Role::Name));
            let exact = entity.exact().iter().map(|n| (n, Role::Exact));
            let blocks = entity.not_within().iter().map(|n| (n, Role::Block));
            for (name, role) in names.chain(exact).chain(blocks) {
                let written = normalizer.normalize(name).text;
                let folded = fold(&written).text;
                if folded.is_empty() {
                    return Err(TaggerError::EmptyName {
                        kind: entity.kind().to_string(),
                        id: entity.id().to_string(),
                        name: name.clone(),
                    });
                }
                let canonical = function_words.canonicalize(&folded).text;
                // Context rules apply to matches of the label (person-name, us-state) or of an
                // exact name (common-word) only.
                let is_label = role != Role::Block && folded == label;
                let has = |rule| entity.ambiguous().contains(&rule);
                let folded_is_pattern = folded == canonical;
                patterns.add(
                    &function_words,
                    canonical,
                    Candidate {
                        entity: index,
                        role,
                        folded_is_pattern,
                        person_name: is_label && has(Ambiguity::PersonName),
                        us_state: is_label && has(Ambiguity::UsState),
                        common_word: role == Role::Exact && has(Ambiguity::CommonWord),
                        capitals: written_capitals(&function_words, &written),
                        ascii_capitals: ascii_capitals(&function_words, &written),
                        written: written.into(),
                        folded: folded.into(),
                    },
                );
            }
        }
        let names = || patterns.list.iter().map(|p| p.canonical.as_bytes());
        // A DFA scans 2-3 times faster than the default contiguous NFA for a gazetteer this size
        // (a few MB of transitions, built once and shared by every worker). Only the rare retry
        // of a shorter name needs anchored searches; a small NFA does those.
        let unanchored = |kind| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .start_kind(StartKind::Unanchored)
                .kind(kind)
                .build(names())
        };
        let small = patterns.list.len() <= MAX_DFA_PATTERNS;
        let automaton = match small.then(|| unanchored(Some(AhoCorasickKind::DFA))) {
            Some(Ok(dfa)) => dfa,
            _ => unanchored(None)?,
        };
        let anchored = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(names())?;
        let info = entities.iter().map(EntityInfo::of).collect();
        Ok(Tagger {
            automaton,
            anchored,
            patterns: patterns.list,
            entities,
            info,
            function_words,
            context: ContextWords::new(gazetteer, &normalizer),
            titles: TitleWords::new(gazetteer, &normalizer),
        })
    }

    /// Number of distinct patterns compiled (names that differ only in case, diacritics or
    /// function words share one).
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }

    /// Appends to `out` the entities found in `text`, in order of their start offsets, without
    /// overlaps. Offsets are byte offsets of `text`, on character boundaries. Folds `text`
    /// first; use [`tag_folded`](Self::tag_folded) when the folded copy is at hand.
    pub fn tag<'t>(&'t self, text: &str, out: &mut Vec<Tag<'t>>) {
        let folded = fold(text);
        self.tag_folded(text, &folded, out);
    }

    /// Like [`tag`](Self::tag), with `folded` the [`fold`] of `text` (as the normalizer stores
    /// it in [`NormalizedText::folded`](commwatch_core::NormalizedText::folded)).
    pub fn tag_folded<'t>(&'t self, text: &str, folded: &FoldedText, out: &mut Vec<Tag<'t>>) {
        self.scan(text, folded, false, out);
    }

    /// Like [`tag_folded`](Self::tag_folded) (`folded` may be `None`: `text` is folded first),
    /// and after each `organization` or `group` tag, the `country` and `region` names found
    /// inside its text, with [`Tag::in_name`] set ("Islamic State **West Africa** Province",
    /// "ISIS-**Somalia**", "al-Qa'ida in the **Arabian Peninsula**"). The names inside are found
    /// with the same automaton and rules as any other, among the names that lie wholly inside
    /// the holder's text; they do not overlap one another, but lie inside their holder. Tags
    /// stay in order of their start offsets.
    pub fn tag_with_names_inside<'t>(
        &'t self,
        text: &str,
        folded: Option<&FoldedText>,
        out: &mut Vec<Tag<'t>>,
    ) {
        match folded {
            Some(folded) => self.scan(text, folded, true, out),
            None => self.scan(text, &fold(text), true, out),
        }
    }

    /// Tags [`Communique::matching_text`] (with its folded copy when the normalizer made one)
    /// with [`tag_with_names_inside`](Self::tag_with_names_inside) and adds a [`Span`] with
    /// **raw** offsets for each entity found. A `person` span's [`detail`](Span::detail) is the
    /// title written right before the name, if any ("Secretary of State"); a [`PLACE`] span's is
    /// its country's ISO code (`NG` for Borno State). A country or region inside an
    /// organization's or group's name becomes a span of kind [`COUNTRY_IN_NAME`] or
    /// [`REGION_IN_NAME`] (its id and label those of the country or region, its `detail` the id
    /// of the organization or group), inside the span of the name that holds it; every other
    /// span is disjoint from the rest. `event.spans` stays sorted by start; spans already there
    /// keep their place before new spans with the same start, and a holder comes before the
    /// names inside it.
    pub fn tag_event(&self, event: &mut Communique) {
        // Communiqués name an entity every 200 bytes or so.
        let mut tags = Vec::with_capacity(event.raw.len() / 128);
        // The fields, not `matching_text()`, so that spans can be added while `text` is held.
        let (text, to_raw) = match &event.normalized {
            Some(n) => {
                self.tag_with_names_inside(&n.text, n.folded.as_ref(), &mut tags);
                (n.text.as_str(), Some(n.map.cursor()))
            }
            None => {
                self.tag_with_names_inside(&event.raw, None, &mut tags);
                (event.raw.as_str(), None)
            }
        };
        if tags.is_empty() {
            return;
        }
        let spans = &mut event.spans;
        let sorted_before = spans.is_sorted_by_key(|span| span.start);
        let first_new = spans.len();
        spans.reserve(tags.len());
        // Tags come sorted by start: their starts map in one forward pass, and so do their ends
        // but for the names inside a holder's (which end before it).
        let mut to_raw = to_raw;
        let mut holder: Option<&Symbol> = None;
        for (i, tag) in tags.iter().enumerate() {
            let (start, end) = match &mut to_raw {
                Some(cursor) => cursor.to_raw_range(tag.start, tag.end),
                None => (tag.start, tag.end),
            };
            let info = &self.info[tag.index];
            let (kind, detail) = if tag.in_name {
                let kind = info.in_name_kind.clone();
                (
                    kind.unwrap_or_else(|| tag.entity.kind().clone()),
                    holder.map(Symbol::clone),
                )
            } else {
                holder = Some(tag.entity.id());
                let detail = if &**tag.entity.kind() == "person" {
                    self.titles
                        .person_title(text, &tags, i)
                        .map(|(s, e)| Symbol::from(&text[s..e]))
                } else {
                    info.detail.clone()
                };
                (tag.entity.kind().clone(), detail)
            };
            spans.push(Span {
                kind,
                id: tag.entity.id().clone(),
                label: tag.entity.label().clone(),
                start,
                end,
                detail,
            });
        }
        // Already in order when every earlier span starts no later than the first new one;
        // otherwise a stable sort, which keeps earlier spans before new ones with the same start.
        let in_order = sorted_before
            && first_new
                .checked_sub(1)
                .is_none_or(|last| spans[last].start <= spans[first_new].start);
        if !in_order {
            spans.sort_by_key(|span| span.start);
        }
    }
}
