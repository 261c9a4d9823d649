//! The tagger: finds the names of a [`Gazetteer`] in normalized text.
//!
//! A communiqué can name dozens of countries, regions, organizations, groups and people, and the
//! pipeline tags every communiqué, so all names of all entities are compiled into one
//! Aho-Corasick automaton and the text is scanned once. The automaton runs on a *folded* copy of
//! the text (lowercase, no diacritics: [`crate::fold`]) in which the small words that
//! word-spinners and translators swap are collapsed (see [`FUNCTION_WORDS`]); each match is
//! mapped back to the normalized text, where the rules the automaton cannot express (whole
//! words, capitals, exact acronyms, context) are checked, and from there to the raw bytes.
//!
//! The matching rules are documented on [`Tagger`] and in `docs/gazetteer.md`.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, Anchored, Input, MatchKind, StartKind};
use commwatch_core::{
    Communique, FoldedText, OffsetCursor, OffsetMap, OffsetMapBuilder, Span, Symbol,
};

use crate::fold::fold;
use crate::gazetteer::{Ambiguity, Entity, Gazetteer};
use crate::normalize::Normalizer;

/// The function words that may stand in for one another inside a name, as folded words.
///
/// Word-spinning sites and machine translations swap the small words inside long names
/// ("Democratic Republic *from* the Congo", "Islamic State *within* Iraq and Syria", "defeat
/// *associated with* Daesh"). Inside a name, any of these (a multi-word entry counts as one)
/// matches any other, with or without an article after it (see [`ARTICLES`]).
pub const FUNCTION_WORDS: [&str; 23] = [
    "of",
    "from",
    "for",
    "in",
    "on",
    "to",
    "at",
    "with",
    "by",
    "within",
    "into",
    "among",
    "over",
    "across",
    "regarding",
    "against",
    "upon",
    "towards",
    "toward",
    "through",
    "under",
    "associated with",
    "contrary to",
];

/// Articles that may follow a function word, or be missing, inside a name ("Republic of Congo",
/// "Coalition for the particular Sahel").
pub const ARTICLES: [&str; 4] = ["the particular", "the", "an", "a"];

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
/// - **Function words.** Inside a name, the words of [`FUNCTION_WORDS`] stand in for one another
///   and an article after one of them may be added, swapped or dropped ([`ARTICLES`]): the name
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
/// Names are normalized with [`Normalizer`] when compiled, so they match text produced by it:
/// tag [`NormalizedText::text`](commwatch_core::NormalizedText), not raw text.
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

/// Entity kinds whose names are searched for [`COUNTRY_IN_NAME`] and [`REGION_IN_NAME`] tags.
const NAME_HOLDERS: [&str; 2] = ["organization", "group"];

/// What tagging needs to know about an entity, computed once when the tagger is built so that
/// making spans allocates nothing per span.
#[derive(Clone, Debug, Default)]
struct EntityInfo {
    /// The span `detail` of every tag of the entity: a place's country code.
    detail: Option<Symbol>,
    /// The span kind of the entity when found inside another name (`country_in_name`,
    /// `region_in_name`), or `None` when it is not looked for there.
    in_name_kind: Option<Symbol>,
    /// The entity's names are searched for countries and regions (organizations and groups).
    holds_names: bool,
}

impl EntityInfo {
    fn of(entity: &Entity) -> EntityInfo {
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
struct Pattern {
    canonical: Box<str>,
    /// `canonicalize(canonical) == canonical`: a folded match spelled exactly like the pattern
    /// needs no canonicalization to be checked.
    stable: bool,
    candidates: Vec<Candidate>,
}

/// One entity a pattern may stand for, as one of its written names.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Candidate {
    /// Index into `Tagger::entities`.
    entity: usize,
    role: Role,
    /// The name as written, normalized.
    written: Box<str>,
    /// `written`, folded.
    folded: Box<str>,
    /// `folded` is the pattern itself (it has no function words to collapse): a match whose
    /// folded text is the pattern is spelled like this name, without comparing them.
    folded_is_pattern: bool,
    /// The `person-name` rule applies: the entity has it and this name is its label.
    person_name: bool,
    /// The `us-state` rule applies: the entity has it and this name is its label.
    us_state: bool,
    /// The `common-word` rule applies: the entity has it and this is an `exact` name.
    common_word: bool,
    /// For the capitals rule: per content word of `written` (see [`capitals_match`]), whether
    /// each of its initials is uppercase.
    capitals: Box<[Box<[bool]>]>,
    /// For a name written in ASCII in at most 64 bytes, the capitals rule as byte positions:
    /// bit `i` set when byte `i` of `written` is an uppercase initial that `capitals` asks for.
    /// An ASCII match spelled like the name has its initials at the same bytes.
    ascii_capitals: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// A `names` entry: capitals rule.
    Name,
    /// An `exact` entry: byte-for-byte.
    Exact,
    /// A `not_within` phrase: the entity is not tagged inside it.
    Block,
}

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
    /// The automaton could not be built (too many or too long names).
    #[error("cannot compile the gazetteer's names: {0}")]
    Build(#[from] aho_corasick::BuildError),
}

impl Tagger {
    /// Compiles every name of every entity of `gazetteer` into one automaton.
    pub fn new(gazetteer: &Gazetteer) -> Result<Tagger, TaggerError> {
        let normalizer = Normalizer::new();
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
                let canonical = canonicalize(&folded).text;
                // Context rules apply to matches of the label (person-name, us-state) or of an
                // exact name (common-word) only.
                let is_label = role != Role::Block && folded == label;
                let has = |rule| entity.ambiguous().contains(&rule);
                let folded_is_pattern = folded == canonical;
                patterns.add(
                    canonical,
                    Candidate {
                        entity: index,
                        role,
                        folded_is_pattern,
                        person_name: is_label && has(Ambiguity::PersonName),
                        us_state: is_label && has(Ambiguity::UsState),
                        common_word: role == Role::Exact && has(Ambiguity::CommonWord),
                        capitals: written_capitals(&written),
                        ascii_capitals: ascii_capitals(&written),
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

    /// The scan behind [`tag_folded`](Self::tag_folded) and, with `inside`,
    /// [`tag_with_names_inside`](Self::tag_with_names_inside).
    fn scan<'t>(&'t self, text: &str, folded: &FoldedText, inside: bool, out: &mut Vec<Tag<'t>>) {
        if folded.map.raw_len() != text.len() || folded.map.norm_len() != folded.text.len() {
            // Not the fold of this text (a stale copy): make the right one.
            let fresh = fold(text);
            return self.scan(text, &fresh, inside, out);
        }
        let canonical = canonicalize(&folded.text);
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
                    person_title(text, &tags, i).map(|(s, e)| Symbol::from(&text[s..e]))
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
        if !exact && canonicalize(folded).text != *pattern.canonical {
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
                            _ => capitals_match(&c.capitals, matched, &mut scratch),
                        };
                        debug_assert_eq!(fits, capitals_match_reference(&c.written, matched));
                        fits
                    }
                };
                spelled
                    && !(c.person_name && person_context(text, ns, ne, previous))
                    && !(c.us_state && us_state_context(text, ns, ne, previous))
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
fn is_word(c: char) -> bool {
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

/// The automaton's patterns, one per distinct canonical folded name.
#[derive(Default)]
struct Patterns {
    list: Vec<Pattern>,
    by_text: HashMap<String, usize>,
}

impl Patterns {
    fn add(&mut self, canonical: String, candidate: Candidate) {
        let index = match self.by_text.get(&canonical) {
            Some(&i) => i,
            None => {
                let stable = canonicalize(&canonical).text == canonical;
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

/// A folded text with its function words collapsed, and the map back to the folded text.
struct Canonical {
    text: String,
    /// Maps canonical offsets ("normalized" side) to folded offsets ("raw" side).
    map: OffsetMap,
    /// Where each rewritten run (an `of` standing for other words) starts in `text`, in order.
    runs: Vec<usize>,
}

/// Rewrites every run of a function word (see [`FUNCTION_WORDS`]) with an optional article
/// after it (see [`ARTICLES`]) as `of`, on whole space-separated words of a folded text. Names
/// and text are both canonicalized, so names match whatever function words the text uses.
fn canonicalize(folded: &str) -> Canonical {
    let bytes = folded.as_bytes();
    // English prose has a run to rewrite every 50 bytes or so, and two segments per run.
    let runs = folded.len() / 48 + 1;
    let mut rewriter = Rewriter {
        folded,
        out: String::with_capacity(folded.len()),
        map: OffsetMapBuilder::with_capacity(2 * runs + 1),
        runs: Vec::with_capacity(runs),
        copied_from: 0,
    };
    // Words start at 0 and after every space; a run of function words covers whole words, and
    // the word after it starts after the space that ends it.
    let mut word_start = 0;
    // Per 64 bytes: the words that may be function words, gathered without a branch per word
    // (which would be mispredicted for one word in seven), then rewritten in order.
    let mut candidates = [(0, 0); 64];
    for (index, chunk) in bytes.chunks(64).enumerate() {
        let mut spaces = match <&[u8; 64]>::try_from(chunk) {
            Ok(full) => space_mask(full),
            Err(_) => chunk
                .iter()
                .enumerate()
                .fold(0, |m, (k, &b)| m | (u64::from(b == b' ') << k)),
        };
        let mut found = 0;
        while spaces != 0 {
            let space = index * 64 + spaces.trailing_zeros() as usize;
            spaces &= spaces - 1;
            candidates[found] = (word_start, space);
            found += usize::from(may_be_function_word(bytes, word_start, space));
            word_start = space + 1;
        }
        for &(at, word_end) in &candidates[..found] {
            rewriter.word(at, word_end);
        }
    }
    if word_start < bytes.len() && may_be_function_word(bytes, word_start, bytes.len()) {
        rewriter.word(word_start, bytes.len());
    }
    rewriter.finish()
}

/// The output of [`canonicalize`] as it is written.
struct Rewriter<'a> {
    folded: &'a str,
    out: String,
    map: OffsetMapBuilder,
    /// [`Canonical::runs`].
    runs: Vec<usize>,
    /// `folded[..copied_from]` has been written.
    copied_from: usize,
}

impl Rewriter<'_> {
    /// Rewrites the run of function words that starts at word `folded[at..word_end]`, if one
    /// does and it is not inside the previous run. Out of line, so that the loop over every
    /// word stays small.
    #[inline(never)]
    fn word(&mut self, at: usize, word_end: usize) {
        if at < self.copied_from {
            return;
        }
        match function_run_at(self.folded, at, word_end) {
            // A lone "of" stays as it is: nothing to rewrite.
            Some(end) if &self.folded.as_bytes()[at..end] == b"of" => {}
            Some(end) => {
                self.out.push_str(&self.folded[self.copied_from..at]);
                self.map.copied(at - self.copied_from);
                self.map.replaced(end - at, 2);
                self.runs.push(self.out.len());
                self.out.push_str("of");
                self.copied_from = end;
            }
            None => {}
        }
    }

    fn finish(mut self) -> Canonical {
        self.out.push_str(&self.folded[self.copied_from..]);
        self.map.copied(self.folded.len() - self.copied_from);
        Canonical {
            text: self.out,
            map: self.map.finish(),
            runs: self.runs,
        }
    }
}

/// False when the word `text[at..word_end]` cannot start a run of function words: its first two
/// bytes and its length are those of no [`FUNCTION_WORDS`] entry's first word. Two table lookups
/// and no branch, so that the many words that are no function word cost next to nothing.
#[inline]
fn may_be_function_word(text: &[u8], at: usize, word_end: usize) -> bool {
    let len = word_end - at;
    let group = FUNCTION_GROUP[usize::from(text[at])];
    // Any byte will do for words shorter than two bytes: no shape has their length.
    let second = text.get(at + 1).copied().unwrap_or(0);
    FUNCTION_SHAPES[usize::from(group)][usize::from(second)] >> len.min(15) & 1 != 0
}

/// The first letters of the [`FUNCTION_WORDS`], by byte value.
static FUNCTION_INITIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < FUNCTION_WORDS.len() {
        table[FUNCTION_WORDS[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    table
};

/// Number of distinct first letters of the [`FUNCTION_WORDS`], plus one.
const FUNCTION_GROUPS: usize = {
    let mut seen = [false; 256];
    let mut groups = 1;
    let mut i = 0;
    while i < FUNCTION_WORDS.len() {
        let b = FUNCTION_WORDS[i].as_bytes()[0] as usize;
        if !seen[b] {
            seen[b] = true;
            groups += 1;
        }
        i += 1;
    }
    groups
};

/// By byte value, a number for each first letter of the [`FUNCTION_WORDS`] (from 1), or 0.
static FUNCTION_GROUP: [u8; 256] = {
    let mut table = [0; 256];
    let mut next = 1;
    let mut i = 0;
    while i < FUNCTION_WORDS.len() {
        let b = FUNCTION_WORDS[i].as_bytes()[0] as usize;
        if table[b] == 0 {
            table[b] = next;
            next += 1;
        }
        i += 1;
    }
    table
};

/// By [`FUNCTION_GROUP`] of a word's first byte and by its second byte: bit `n` set when the
/// first word of a [`FUNCTION_WORDS`] entry starts with those two bytes and is `n` bytes long.
static FUNCTION_SHAPES: [[u16; 256]; FUNCTION_GROUPS] = {
    let mut table = [[0; 256]; FUNCTION_GROUPS];
    let mut i = 0;
    while i < FUNCTION_WORDS.len() {
        let word = FUNCTION_WORDS[i].as_bytes();
        let mut len = 0;
        while len < word.len() && word[len] != b' ' {
            len += 1;
        }
        assert!(2 <= len && len < 16);
        table[FUNCTION_GROUP[word[0] as usize] as usize][word[1] as usize] |= 1 << len;
        i += 1;
    }
    table
};

/// Bit `k` set when `chunk[k]` is a space.
#[inline]
fn space_mask(chunk: &[u8; 64]) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut mask = 0;
    for (k, word) in chunk.chunks_exact(8).enumerate() {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(word);
        // Bytes equal to a space become zero; the high bit of each byte of `zero` is set exactly
        // for those ("Bit Twiddling Hacks"); the multiplication gathers the eight bits.
        let x = u64::from_le_bytes(bytes) ^ 0x2020_2020_2020_2020;
        let zero = !(((x & LOW7) + LOW7) | x | LOW7);
        let bits = ((zero >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        mask |= bits << (8 * k);
    }
    mask
}

/// The end of the run "function word \[article\]" starting at word start `at`, if one starts
/// there. The article is taken only when a word follows it.
///
/// Equivalent to trying every entry of [`FUNCTION_WORDS`] and [`ARTICLES`] with [`words_at`] and
/// keeping the longest, but looks at the word at `at` once instead of comparing 27 strings at
/// every word of every document.
#[inline]
fn function_run(text: &str, at: usize) -> Option<usize> {
    let rest = text.as_bytes().get(at..)?;
    // No function word is longer than 10 bytes: look no further.
    let word = first_word(&rest[..rest.len().min(11)]);
    function_run_at(text, at, at + word.len())
}

/// [`function_run`] for the word `text[at..word_end]` (`word_end` is the next space or the end
/// of the text).
#[inline]
fn function_run_at(text: &str, at: usize, word_end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let word = &bytes[at..word_end];
    if !word
        .first()
        .is_some_and(|&b| FUNCTION_INITIAL[usize::from(b)])
    {
        return None;
    }
    let end = match *word {
        [b'o', b'f'] | [b'i', b'n'] | [b'o', b'n'] | [b't', b'o'] | [b'a', b't'] | [b'b', b'y'] => {
            word_end
        }
        [_, _, _] if word == b"for" => word_end,
        [_, _, _, _] if matches!(word, b"from" | b"with" | b"into" | b"over" | b"upon") => word_end,
        [_, _, _, _, _] if matches!(word, b"among" | b"under") => word_end,
        [_, _, _, _, _, _] if matches!(word, b"within" | b"across" | b"toward") => word_end,
        [_, _, _, _, _, _, _] if matches!(word, b"against" | b"towards" | b"through") => word_end,
        [_, _, _, _, _, _, _, _, _] if word == b"regarding" => word_end,
        [_, _, _, _, _, _, _, _, _, _] if word == b"associated" => {
            second_word_is(bytes, word_end, b"with")?
        }
        [_, _, _, _, _, _, _, _] if word == b"contrary" => second_word_is(bytes, word_end, b"to")?,
        _ => return None,
    };
    debug_assert_eq!(
        Some(end),
        FUNCTION_WORDS
            .iter()
            .filter_map(|w| words_at(text, at, w))
            .max()
    );
    // An article after it, itself followed by a space and something more.
    if bytes.get(end) != Some(&b' ') {
        return Some(end);
    }
    let start = end + 1;
    let rest = &bytes[start..];
    let article_end = |len: usize| {
        let e = start + len;
        (bytes.get(e) == Some(&b' ') && e + 1 < bytes.len()).then_some(e)
    };
    let after = if rest.starts_with(b"the ") {
        rest.starts_with(b"the particular")
            .then(|| article_end(14))
            .flatten()
            .or_else(|| article_end(3))
    } else if rest.starts_with(b"an ") {
        article_end(2)
    } else if rest.starts_with(b"a ") {
        article_end(1)
    } else {
        None
    };
    Some(after.unwrap_or(end))
}

/// The bytes of `text` up to its first space (all of it when there is none).
fn first_word(text: &[u8]) -> &[u8] {
    // Words are short: a plain loop beats setting up a vectorized search.
    let len = text.iter().position(|&b| b == b' ').unwrap_or(text.len());
    &text[..len]
}

/// When `text[at..]` is a space and then exactly the word `word` (followed by a space or the end
/// of the text), the end of that word.
fn second_word_is(text: &[u8], at: usize, word: &[u8]) -> Option<usize> {
    let rest = text.get(at..)?.strip_prefix(b" ")?;
    (first_word(rest) == word).then_some(at + 1 + word.len())
}

/// The end of `words` if the text at `at` is exactly those words, ending at a word end.
#[cfg_attr(not(debug_assertions), allow(dead_code))]
fn words_at(text: &str, at: usize, words: &str) -> Option<usize> {
    let rest = text.get(at..)?;
    let end = at + words.len();
    (rest.starts_with(words) && matches!(text.as_bytes().get(end), None | Some(b' ')))
        .then_some(end)
}

/// Calls `f` with each word of a name or matched text (split at spaces) that is not a function
/// word or its article. `folded` is a buffer for the folded text.
fn for_each_content_word<'t>(text: &'t str, folded: &mut String, mut f: impl FnMut(&'t str)) {
    // Folding works character by character and never makes or removes a space, so the folded
    // text splits into the folded words, in order.
    folded.clear();
    if text.is_ascii() {
        folded.push_str(text);
        folded.make_ascii_lowercase();
    } else {
        folded.push_str(&fold(text).text);
    }
    let mut offset = 0;
    let mut run_end = None;
    for (word, folded_word) in text.split(' ').zip(folded.split(' ')) {
        let covered = run_end.is_some_and(|end| offset < end);
        if !covered {
            run_end = function_run(folded, offset);
            if run_end.is_none() {
                f(word);
            }
        }
        offset += folded_word.len() + 1;
    }
}

/// Per content word of a name as written, whether each of its initials is uppercase.
fn written_capitals(written: &str) -> Box<[Box<[bool]>]> {
    let mut words = Vec::new();
    for_each_content_word(written, &mut String::new(), |w| {
        words.push(initials(w).map(char::is_uppercase).collect());
    });
    words.into()
}

/// True when every capital that starts a word, or a part of a word after a non-alphanumeric
/// character, in the written name (given as its [`written_capitals`]) stands over a letter that
/// is not lowercase in `matched`, word for word of their content words.
fn capitals_match(capitals: &[Box<[bool]>], matched: &str, folded: &mut String) -> bool {
    let mut words = 0;
    let mut fits = true;
    for_each_content_word(matched, folded, |word| {
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
fn ascii_capitals(written: &str) -> Option<u64> {
    if !written.is_ascii() || written.len() > 64 {
        return None;
    }
    let mut upper = 0;
    for_each_content_word(written, &mut String::new(), |word| {
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
fn ascii_capitals_match(upper: u64, matched: &str) -> bool {
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
fn capitals_match_reference(written: &str, matched: &str) -> bool {
    let content_words = |text| {
        let mut words = Vec::new();
        for_each_content_word(text, &mut String::new(), |w| words.push(w));
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

// ---- Context rules --------------------------------------------------------------------------

/// Capitalized words that, right before a name, are no sign of a person: function words, titles,
/// and words that start a place name.
const NOT_GIVEN_NAMES: &[&str] = &[
    "A",
    "An",
    "And",
    "As",
    "At",
    "Both",
    "But",
    "By",
    "Crown",
    "East",
    "Eastern",
    "Embassy",
    "Emir",
    "For",
    "From",
    "Government",
    "Greater",
    "Hashemite",
    "In",
    "Into",
    "King",
    "Kingdom",
    "Lower",
    "Minister",
    "Ministry",
    "Neighboring",
    "Neighbouring",
    "North",
    "Northern",
    "Of",
    "On",
    "Or",
    "President",
    "Prime",
    "Prince",
    "Queen",
    "Republic",
    "South",
    "Southern",
    "State",
    "States",
    "The",
    "To",
    "Upper",
    "Visit",
    "Visiting",
    "West",
    "Western",
    "With",
];

/// Capitalized words that, right after a country name, make a place or an institution rather
/// than a person's surname ("Jordan Valley", "Chad Basin").
const NOT_SURNAMES: &[&str] = &[
    "Accord",
    "Agreement",
    "Affairs",
    "Air",
    "Airways",
    "Armed",
    "Army",
    "Association",
    "Authorities",
    "Authority",
    "Bank",
    "Basin",
    "Border",
    "Cabinet",
    "Central",
    "Centre",
    "Center",
    "Chamber",
    "Coast",
    "Commission",
    "Committee",
    "Compact",
    "Conference",
    "Council",
    "Crisis",
    "Cup",
    "Declaration",
    "Defence",
    "Defense",
    "Delegation",
    "Department",
    "Dialogue",
    "Dream",
    "Embassy",
    "Energy",
    "Federation",
    "Foreign",
    "Forces",
    "Forum",
    "Foundation",
    "Fund",
    "Gas",
    "Government",
    "Guard",
    "Highlands",
    "House",
    "Initiative",
    "Institute",
    "Investment",
    "Kingdom",
    "Lake",
    "Mission",
    "Ministry",
    "National",
    "Navy",
    "News",
    "Office",
    "Oil",
    "Parliament",
    "Partnership",
    "Plan",
    "Police",
    "Policy",
    "Post",
    "Power",
    "President",
    "Prime",
    "Program",
    "Programme",
    "Region",
    "Relations",
    "Republic",
    "Rift",
    "River",
    "Sea",
    "Security",
    "Society",
    "State",
    "Strategy",
    "Summit",
    "Talks",
    "Team",
    "Tech",
    "Times",
    "Trade",
    "University",
    "Valley",
    "Water",
];

/// US states and the capital, for the `us-state` rule.
const US_STATES: &[&str] = &[
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Carolina",
    "North Dakota",
    "Ohio",
    "Oklahoma",
    "Oregon",
    "Pennsylvania",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "West Virginia",
    "Wisconsin",
    "Wyoming",
    "D.C.",
];

/// The offset just after the last whitespace character of `text`, or 0.
fn after_last_space(text: &str) -> usize {
    text.char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// The word (space-separated) that ends right before `at` with exactly one space between.
fn word_before(text: &str, at: usize) -> Option<(usize, usize)> {
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

/// Honorifics: right before a name they make it a person's.
const HONORIFICS: &[&str] = &["Mr.", "Mrs.", "Ms.", "Dr.", "Mr", "Mrs", "Ms", "Dr", "Sir"];

/// A capitalized word that may be part of a person's name: "Michael", "O'Keeffe", an initial
/// "J.", an honorific. A word with other punctuation ("Chad.", "Iraq,") ends a phrase.
fn name_like(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !first.is_uppercase() {
        return false;
    }
    let rest = chars.as_str();
    rest == "."
        || HONORIFICS.contains(&word)
        || (rest.chars().any(char::is_lowercase)
            && rest
                .chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\''))
}

/// The `person-name` rule: a name-like word right before the match (not starting a sentence,
/// not a title or function word, not part of another tag), or a surname-like word right after.
fn person_context(text: &str, start: usize, end: usize, previous: &[Tag<'_>]) -> bool {
    if let Some((s, e)) = word_before(text, start) {
        let word = &text[s..e];
        if name_like(word)
            && !starts_sentence(text, s)
            && !NOT_GIVEN_NAMES.contains(&word.trim_end_matches('.'))
            && !inside_tag(previous, s, e)
        {
            return true;
        }
    }
    if let Some((s, e)) = word_after(text, end) {
        let word = text[s..e].trim_end_matches(|c: char| !c.is_alphanumeric());
        if name_like(word) && !HONORIFICS.contains(&word) && !NOT_SURNAMES.contains(&word) {
            return true;
        }
    }
    false
}

/// The `us-state` rule: an item of a comma list whose neighbour is a US state, or a name right
/// after "City, " (a capitalized word that is not a sentence start nor part of another tag).
fn us_state_context(text: &str, start: usize, end: usize, previous: &[Tag<'_>]) -> bool {
    let is_state_at = |at: usize| {
        US_STATES.iter().any(|state| {
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
        let state = US_STATES.iter().any(|s| before.ends_with(s));
        let city = word.chars().next().is_some_and(char::is_uppercase)
            && word
                .chars()
                .all(|c| c.is_alphabetic() || c == '.' || c == '-')
            && !starts_sentence(text, word_start)
            && !NOT_GIVEN_NAMES.contains(&word)
            && !inside_tag(previous, word_start, before.len());
        if state || city {
            return true;
        }
    }
    text[end..].starts_with(", ") && is_state_at(end + 2)
}

/// The `common-word` rule: the two nearest words before and the two after (within the
/// paragraph) are all written in capitals (two capitals or more, no lowercase), and there are at
/// least two of them.
fn all_caps_context(text: &str, start: usize, end: usize) -> bool {
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

// ---- Person titles --------------------------------------------------------------------------

/// Words that start a title.
const TITLE_HEADS: &[&str] = &[
    "Admin",
    "Administrator",
    "Admiral",
    "Adviser",
    "Advisor",
    "Ambassador",
    "Amir",
    "Assistant",
    "Attorney",
    "Brigadier",
    "Captain",
    "Chair",
    "Chairman",
    "Chairperson",
    "Chairwoman",
    "Chancellor",
    "Chief",
    "Colonel",
    "Commander",
    "Commissioner",
    "Coordinator",
    "Counsellor",
    "Counselor",
    "Crown",
    "Defence",
    "Defense",
    "Deputy",
    "Director",
    "Emir",
    "Envoy",
    "Finance",
    "First",
    "Foreign",
    "General",
    "Governor",
    "Head",
    "High",
    "Interior",
    "King",
    "Leader",
    "Lieutenant",
    "Marshal",
    "Mayor",
    "Minister",
    "Premier",
    "President",
    "Prime",
    "Prince",
    "Princess",
    "Queen",
    "Representative",
    "Secretary",
    "Senator",
    "Senior",
    "Speaker",
    "Special",
    "Spokesman",
    "Spokesperson",
    "Spokeswoman",
    "Sultan",
    "Taoiseach",
    "Undersecretary",
    "Vice",
];

/// Lowercase words allowed inside a title.
const TITLE_CONNECTORS: &[&str] = &["of", "for", "and", "the", "to", "on"];

/// Abbreviations ending in "." allowed inside a title.
const TITLE_ABBREVIATIONS: &[&str] = &["Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Gen.", "Sen."];

/// The most words a title may have.
const MAX_TITLE_WORDS: usize = 12;

/// The title written right before person tag `tags[index]`: a run of title-like words (capitalized
/// words, tagged countries and organizations, and of/for/and/the/to/on) that starts at a title
/// head word ([`TITLE_HEADS`]), optionally preceded by a demonym, an organization or "U.S."
/// ("Italian Minister of Foreign Affairs", "U. S. Admin of State", "NATO Secretary General").
fn person_title(text: &str, tags: &[Tag<'_>], index: usize) -> Option<(usize, usize)> {
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
            || TITLE_CONNECTORS.contains(&word)
            || TITLE_ABBREVIATIONS.contains(&word)
            || initial
            || (word.starts_with(char::is_uppercase)
                && word
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '\'' | '&')));
        if !title_word {
            break;
        }
        let head = TITLE_HEADS.contains(&word.split('-').next().unwrap_or(word));
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
    while last > h + 1 && TITLE_CONNECTORS.contains(&&text[words[last - 1].0..words[last - 1].1]) {
        last -= 1;
    }
    Some((words[first].0, words[last - 1].1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gazetteer::GazetteerError;
    use commwatch_core::Origin;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn builtin() -> &'static Tagger {
        static TAGGER: OnceLock<Tagger> = OnceLock::new();
        TAGGER.get_or_init(|| match Tagger::new(&Gazetteer::builtin()) {
            Ok(t) => t,
            Err(e) => panic!("builtin gazetteer does not compile: {e}"),
        })
    }

    /// (id, matched text) for each tag of `text`.
    fn ids(text: &str) -> Vec<(String, String)> {
        let mut tags = Vec::new();
        builtin().tag(text, &mut tags);
        tags.iter()
            .map(|t| (t.entity.id().to_string(), text[t.start..t.end].to_owned()))
            .collect()
    }

    fn id_list(text: &str) -> Vec<String> {
        ids(text).into_iter().map(|(id, _)| id).collect()
    }

    /// A normalized, tagged event.
    fn tagged_event(raw: &str) -> Communique {
        let mut event = Communique::new(None, Origin::default(), raw.to_owned());
        event.normalized = Some(Normalizer::new().normalize(raw));
        builtin().tag_event(&mut event);
        event
    }

    #[test]
    fn tags_the_coalition_sentence_with_raw_offsets() {
        let raw = "The Ministers welcomed new members joining the particular Coalition – \
                   Central African Republic, Democratic Republic from the Congo, Mauritania, \
                   and Yemen.";
        let event = tagged_event(raw);
        let found: Vec<(&str, &str)> = event
            .spans
            .iter()
            .map(|s| (&*s.id, event.span_text(s)))
            .collect();
        assert_eq!(
            found,
            [
                ("CF", "Central African Republic"),
                ("CD", "Democratic Republic from the Congo"),
                ("MR", "Mauritania"),
                ("YE", "Yemen"),
            ]
        );
        assert!(event.spans.iter().all(|s| &*s.kind == "country"));
        assert_eq!(&*event.spans[1].label, "Democratic Republic of the Congo");
    }

    #[test]
    fn respects_word_boundaries() {
        assert_eq!(id_list("Nigeria and Niger"), ["NG", "NE"]);
        assert_eq!(id_list("Nigerian troops"), ["NG"]);
        assert!(id_list("Nigeriaa Irakq").is_empty());
        assert_eq!(ids("Iraq's forces"), [("IQ".into(), "Iraq".into())]);
        assert_eq!(ids("a Syria-wide truce"), [("SY".into(), "Syria".into())]);
        assert_eq!(id_list("Iraqi forces"), ["IQ"]);
        assert!(id_list("_Iraq Iraq_ 2Iraq").is_empty());
    }

    #[test]
    fn applies_case_rules() {
        assert_eq!(id_list("US forces"), ["US"]);
        assert!(id_list("let us go; Us and them").is_empty());
        assert!(id_list("roast turkey and chad").is_empty());
        assert_eq!(id_list("TURKEY Turkey Chad"), ["TR", "TR", "TD"]);
        assert_eq!(id_list("the DRC and the drc"), ["CD"]);
        // Every capitalized word of a name must be capitalized in the text.
        assert_eq!(id_list("an Islamic State fighter"), ["isis"]);
        assert!(id_list("an Islamic state").is_empty());
        assert_eq!(
            id_list("al-Shabaab, Al-Shabaab and AL-SHABAAB"),
            ["al-shabaab"; 3]
        );
        assert!(id_list("al-shabaab").is_empty());
    }

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(
            id_list("Moçambique, Mocambique, MOZAMBIQUE, Mozambique"),
            ["MZ"; 4]
        );
        assert_eq!(id_list("TÜRKIYE and Turkiye"), ["TR", "TR"]);
        assert_eq!(
            ids("Sauli Niinisto"),
            [("sauli-niinisto".into(), "Sauli Niinisto".into())]
        );
        // Offsets are in the (unfolded) text, whatever folding did to lengths.
        assert_eq!(ids("İİ Moçambique"), [("MZ".into(), "Moçambique".into())]);
    }

    #[test]
    fn prefers_the_longest_name_across_kinds() {
        assert_eq!(
            ids("the Democratic Republic of the Congo and the Republic of the Congo"),
            [
                ("CD".into(), "Democratic Republic of the Congo".into()),
                ("CG".into(), "Republic of the Congo".into()),
            ]
        );
        assert_eq!(id_list("South Sudan and Sudan"), ["SS", "SD"]);
        assert_eq!(
            id_list("the Islamic State of Iraq and Syria in Iraq"),
            ["isis", "IQ"]
        );
        assert_eq!(
            id_list("the Lake Chad Basin and Chad"),
            ["lake-chad-basin", "TD"]
        );
        assert_eq!(id_list("EUAM Iraq and Iraq"), ["euam-iraq", "IQ"]);
    }

    #[test]
    fn tags_seas_straits_and_analyst_regions() {
        assert_eq!(
            id_list("North Africa, Northern Africa and the North African coast"),
            ["north-africa"; 3]
        );
        // Seas win over the countries inside their names.
        assert_eq!(
            id_list("the South China Sea, the Gulf of Oman and the Indian Ocean"),
            ["south-china-sea", "gulf-of-oman", "indian-ocean"]
        );
        assert_eq!(
            id_list("in the Red Sea, the Bab al-Mandeb Strait, and the Gulf of Aden"),
            ["red-sea", "bab-el-mandeb", "gulf-of-aden"]
        );
        assert_eq!(
            id_list("piracy in the Gulf of Guinea and the Mediterranean Sea"),
            ["gulf-of-guinea", "mediterranean"]
        );
        assert_eq!(
            id_list("the Black Sea, the Strait of Hormuz and the Persian Gulf"),
            ["black-sea", "strait-of-hormuz", "persian-gulf"]
        );
        // The political Gulf (the GCC states) is not the sea.
        assert_eq!(
            id_list("the Gulf States and the Arabian Gulf"),
            ["gulf", "persian-gulf"]
        );
        assert_eq!(
            id_list("the Liptako-Gourma, the three borders area and the central Sahel"),
            ["liptako-gourma", "liptako-gourma", "central-sahel"]
        );
        assert_eq!(
            id_list("the Sahel and the Central Sahel"),
            ["sahel", "central-sahel"]
        );
        // Ambiguous between the Sahel and South America: not a name.
        assert!(id_list("the tri-border area").is_empty());
        assert_eq!(id_list("Kashmir"), ["kashmir"]);
    }

    /// (kind, id, text, detail) of each span of a tagged event.
    fn spans_of(raw: &str) -> Vec<(String, String, String, Option<String>)> {
        let event = tagged_event(raw);
        event
            .spans
            .iter()
            .map(|s| {
                (
                    s.kind.to_string(),
                    s.id.to_string(),
                    event.span_text(s).to_owned(),
                    s.detail.as_deref().map(str::to_owned),
                )
            })
            .collect()
    }

    fn span(
        kind: &str,
        id: &str,
        text: &str,
        detail: Option<&str>,
    ) -> (String, String, String, Option<String>) {
        (
            kind.into(),
            id.into(),
            text.into(),
            detail.map(str::to_owned),
        )
    }

    #[test]
    fn tags_places_with_their_country_and_no_country_span() {
        for (text, id, country) in [
            ("Borno State", "borno", "NG"),
            ("Borno state", "borno", "NG"),
            ("Mogadishu", "mogadishu", "SO"),
            ("Cabo Delgado", "cabo-delgado", "MZ"),
            ("Gaza", "gaza", "PS"),
            ("the Gaza Strip", "gaza", "PS"),
            ("Kurdistan Region", "kurdistan-region", "IQ"),
            ("the Kurdistan Region of Iraq", "kurdistan-region", "IQ"),
            ("Iraqi Kurdistan", "kurdistan-region", "IQ"),
            ("Idlib", "idlib", "SY"),
            ("Mexico City", "mexico-city", "MX"),
            ("Kuwait City", "kuwait-city", "KW"),
            ("Guatemala City", "guatemala-city", "GT"),
            ("Port Sudan", "port-sudan", "SD"),
            ("the Somali Region", "somali-region", "ET"),
            ("North Sinai", "north-sinai", "EG"),
            ("Jammu and Kashmir", "jammu-and-kashmir", "IN"),
            ("Niger State", "niger-state", "NG"),
            ("the Niger Delta", "niger-delta", "NG"),
            ("the Inner Niger Delta", "inner-niger-delta", "ML"),
        ] {
            let spans = spans_of(text);
            assert_eq!(spans.len(), 1, "{text}: {spans:?}");
            let (kind, found, _, detail) = &spans[0];
            assert_eq!(
                (kind.as_str(), found.as_str(), detail.as_deref()),
                (PLACE, id, Some(country)),
                "{text}"
            );
        }
        // Niger State is in Nigeria; Niger is a country, and so is Niger with a lowercase
        // "state" after it (its state media).
        assert_eq!(
            spans_of("attacks in Niger State and in Niger; Niger state media said"),
            [
                span(PLACE, "niger-state", "Niger State", Some("NG")),
                span("country", "NE", "Niger", None),
                span("country", "NE", "Niger", None),
            ]
        );
        // A name that is a country's is the country: Djibouti, Kuwait, Mexico.
        assert_eq!(id_list("Djibouti, Kuwait and Mexico"), ["DJ", "KW", "MX"]);
        assert_eq!(
            id_list("from Mogadishu, Somalia to Maiduguri, Nigeria"),
            ["mogadishu", "SO", "maiduguri", "NG"]
        );
        // Treaties named after a city are not the city; the city alone is.
        assert_eq!(id_list("the Paris Agreement, signed in Paris"), ["paris"]);
        // Direction words before a country are not places.
        assert_eq!(id_list("northeast Syria"), ["SY"]);
    }

    #[test]
    fn every_bundled_place_name_is_that_place() {
        let g = Gazetteer::builtin();
        let normalizer = Normalizer::new();
        for place in g.entities().filter(|e| &**e.kind() == PLACE) {
            for name in place.names() {
                let text = normalizer.normalize(name).text;
                let mut tags = Vec::new();
                builtin().tag(&text, &mut tags);
                let found: Vec<(&str, &str)> = tags
                    .iter()
                    .map(|t| (&**t.entity.kind(), &**t.entity.id()))
                    .collect();
                assert_eq!(found, [(PLACE, &**place.id())], "{name:?}");
                assert_eq!((tags[0].start, tags[0].end), (0, text.len()), "{name:?}");
            }
        }
    }

    #[test]
    fn finds_regions_and_countries_inside_group_and_organization_names() {
        assert_eq!(
            spans_of("Islamic State West Africa Province attacks"),
            [
                span("group", "iswap", "Islamic State West Africa Province", None),
                span(REGION_IN_NAME, "west-africa", "West Africa", Some("iswap")),
            ]
        );
        assert_eq!(
            spans_of("ISIS-Somalia fighters in Puntland"),
            [
                span("group", "isis-somalia", "ISIS-Somalia", None),
                span(COUNTRY_IN_NAME, "SO", "Somalia", Some("isis-somalia")),
                span(PLACE, "puntland", "Puntland", Some("SO")),
            ]
        );
        assert_eq!(
            spans_of("al-Qa'ida in the Arabian Peninsula (AQAP)"),
            [
                span("group", "aqap", "al-Qa'ida in the Arabian Peninsula", None),
                span(
                    REGION_IN_NAME,
                    "arabian-peninsula",
                    "Arabian Peninsula",
                    Some("aqap")
                ),
                span("group", "aqap", "AQAP", None),
            ]
        );
        assert_eq!(
            spans_of("al-Qaida in the Islamic Maghreb"),
            [
                span("group", "aqim", "al-Qaida in the Islamic Maghreb", None),
                span(REGION_IN_NAME, "maghreb", "Maghreb", Some("aqim")),
            ]
        );
        // Several inside one name, in order; an organization's name too.
        assert_eq!(
            spans_of("the Islamic State of Iraq and the Levant and EUAM Iraq"),
            [
                span(
                    "group",
                    "isis",
                    "Islamic State of Iraq and the Levant",
                    None
                ),
                span(COUNTRY_IN_NAME, "IQ", "Iraq", Some("isis")),
                span(REGION_IN_NAME, "levant", "Levant", Some("isis")),
                span("organization", "euam-iraq", "EUAM Iraq", None),
                span(COUNTRY_IN_NAME, "IQ", "Iraq", Some("euam-iraq")),
            ]
        );
        // Nothing the gazetteer knows inside: no extra span. Places are not looked for.
        assert_eq!(
            spans_of("ISIS-Khorasan and ISIS-Sinai"),
            [
                span("group", "isis-k", "ISIS-Khorasan", None),
                span("group", "isis-sinai", "ISIS-Sinai", None),
            ]
        );
        // "American" in the OAS's name is the Americas, not the United States.
        assert_eq!(
            spans_of("the Organization of American States"),
            [span(
                "organization",
                "oas",
                "Organization of American States",
                None
            )]
        );
        // `tag` reports mentions only, disjoint.
        assert_eq!(id_list("ISIS-Somalia"), ["isis-somalia"]);
        // The names inside a name follow the usual rules: capitals, whole words.
        assert_eq!(
            spans_of("Economic Community of West African States"),
            [
                span(
                    "organization",
                    "ecowas",
                    "Economic Community of West African States",
                    None
                ),
                span(
                    REGION_IN_NAME,
                    "west-africa",
                    "West African",
                    Some("ecowas")
                ),
            ]
        );
    }

    #[test]
    fn names_inside_names_keep_spans_sorted_and_nested() {
        let raw = "Talks on ISIS-Somalia, al-Shabaab and the Lake Chad Basin Commission \
                   with Nigeria and the African Union Mission in Somalia.";
        let event = tagged_event(raw);
        assert!(event.spans.is_sorted_by_key(|s| s.start));
        let mut holder: Option<&Span> = None;
        let mut last_end = 0;
        for s in &event.spans {
            if matches!(&*s.kind, COUNTRY_IN_NAME | REGION_IN_NAME) {
                let h = holder.expect("a holder before");
                assert!(h.start <= s.start && s.end <= h.end, "{s:?} in {h:?}");
                assert_eq!(s.detail.as_deref(), Some(&*h.id));
            } else {
                assert!(s.start >= last_end, "mentions overlap at {s:?}");
                last_end = s.end;
                holder = Some(s);
            }
        }
        let kinds: Vec<&str> = event.spans.iter().map(|s| &*s.kind).collect();
        assert_eq!(
            kinds,
            [
                "group",
                COUNTRY_IN_NAME,
                "group",
                "organization",
                REGION_IN_NAME,
                "country",
                "organization",
                REGION_IN_NAME,
                COUNTRY_IN_NAME,
            ]
        );
    }

    #[test]
    fn tags_groupings_partnerships_and_their_long_forms() {
        assert_eq!(
            id_list("the Group of 7, the Group of Seven, the Group of 20 and the G20"),
            ["g7", "g7", "g20", "g20"]
        );
        assert_eq!(
            id_list("the Minerals Security Partnership and the MSP Forum"),
            ["minerals-security-partnership", "msp-forum"]
        );
        for name in [
            "Coalition to Defeat ISIS",
            "D-ISIS Coalition",
            "Global Coalition Against Daesh",
            "Global Coalition to Defeat ISIS",
            "anti-ISIS coalition",
        ] {
            assert_eq!(id_list(name), ["d-isis-coalition"], "{name}");
        }
        assert_eq!(
            id_list("Croatia joined the euro area and the Schengen area"),
            ["HR", "euro-area", "schengen-area"]
        );
        assert_eq!(id_list("the Schengen Agreement"), Vec::<String>::new());
        assert_eq!(
            id_list("the Five Eyes, the Commonwealth and OPEC+"),
            ["five-eyes", "commonwealth", "opec-plus"]
        );
        assert_eq!(
            id_list("the Commonwealth of Virginia"),
            Vec::<String>::new()
        );
        assert_eq!(id_list("the Commonwealth of Australia"), ["AU"]);
        assert_eq!(
            id_list("the Counter Ransomware Initiative and the PGII"),
            ["cri", "pgii"]
        );
    }

    #[test]
    fn resumes_after_a_rejected_match() {
        // "democratic Republic of the Congo" fails the capital rule as a whole; the shorter
        // name inside it is still found.
        assert_eq!(id_list("democratic Republic of the Congo"), ["CG"]);
        // A shorter name at the same start is tried too: "Global Coalition in" is no name.
        assert_eq!(
            id_list("the mission of the Global Coalition in Iraq"),
            ["d-isis-coalition", "IQ"]
        );
    }

    #[test]
    fn first_entity_wins_a_shared_name() -> Result<(), Box<dyn std::error::Error>> {
        let g = Gazetteer::from_toml_str(
            r#"
[[entity]]
id = "GE"
kind = "country"
label = "Georgia"
names = ["Georgia"]
[[entity]]
id = "US-GA"
kind = "state"
label = "Georgia"
names = ["GEORGIA"]
exact = ["GA"]
[[entity]]
id = "US-GA2"
kind = "state"
label = "Georgia"
exact = ["georgia"]
"#,
            "t.toml",
        )?;
        let tagger = Tagger::new(&g)?;
        let mut tags = Vec::new();
        tagger.tag("Georgia, GA, georgia", &mut tags);
        let found: Vec<&str> = tags.iter().map(|t| &**t.entity.id()).collect();
        assert_eq!(found, ["GE", "US-GA", "US-GA2"]);
        Ok(())
    }

    #[test]
    fn matches_swapped_function_words_and_articles() {
        let c = |s: &str| canonicalize(s).text;
        assert_eq!(
            c("democratic republic from the congo"),
            "democratic republic of congo"
        );
        assert_eq!(c("defeat associated with daesh"), "defeat of daesh");
        assert_eq!(
            c("coalition for the particular sahel"),
            "coalition of sahel"
        );
        assert_eq!(c("of"), "of");
        assert_eq!(c("the end of the"), "the end of the");
        assert_eq!(c("often info ofx"), "often info ofx");
        assert_eq!(id_list("the Republic with Korea"), ["KR"]);
        assert_eq!(id_list("Democratic Republic of Congo"), ["CD"]);
        assert_eq!(
            ids("the Islamic State within Iraq and Syria-Khurasan (ISIS-K)"),
            [
                (
                    "isis-k".into(),
                    "Islamic State within Iraq and Syria-Khurasan".into()
                ),
                ("isis-k".into(), "ISIS-K".into()),
            ]
        );
        assert_eq!(id_list("Coalition for Sahel"), ["coalition-for-the-sahel"]);
        // Only function words vary: other words must be the name's.
        assert!(id_list("Democratic Republic of the Kongo").is_empty());
    }

    #[test]
    fn applies_context_rules() {
        // person-name
        assert!(id_list("the player Michael Jordan scored").is_empty());
        // A capitalized word that starts the sentence says nothing.
        assert_eq!(id_list("Visit Jordan. Michael Jordan scored"), ["JO", "JO"]);
        assert!(id_list("the coach Chad Smith said").is_empty());
        assert_eq!(id_list("troops in Jordan and Chad"), ["JO", "TD"]);
        assert_eq!(id_list("Jordan, Chad and Georgia"), ["JO", "TD", "GE"]);
        assert_eq!(id_list("King Abdullah of Jordan"), ["JO"]);
        assert_eq!(id_list("Visiting Jordan, the minister"), ["JO"]);
        assert_eq!(id_list("the Jordan Valley"), ["JO"]);
        assert_eq!(id_list("the Government of Chad. Jordan said"), ["TD", "JO"]);
        assert_eq!(id_list("Jordanian Armed Forces"), ["JO"]);
        // us-state
        assert!(id_list("Alliance Theatre, Atlanta, Georgia").is_empty());
        assert_eq!(id_list("Delaware, Georgia, Kansas"), Vec::<String>::new());
        assert_eq!(id_list("Armenia, Georgia, Azerbaijan"), ["AM", "GE", "AZ"]);
        assert_eq!(id_list("However, Georgia signed"), ["GE"]);
        // A place tagged before the comma is no US city: Tbilisi is in Georgia.
        assert_eq!(id_list("in Tbilisi, Georgia"), ["tbilisi", "GE"]);
        // common-word
        assert!(id_list("WHO WE ARE").is_empty());
        assert!(id_list("THIS IS US").is_empty());
        assert_eq!(id_list("the WHO and IS fighters"), ["who", "isis"]);
        assert_eq!(id_list("US, UK and France"), ["US", "GB", "FR"]);
        // Longer acronyms are no English words: kept in capitals.
        assert_eq!(id_list("THE FIGHT AGAINST ISIS"), ["isis"]);
        // not_within
        assert!(id_list("the White House National Security Council").is_empty());
        assert_eq!(id_list("the Security Council"), ["unsc"]);
        assert_eq!(
            id_list("Security Council of the Russian Federation"),
            ["RU"]
        );
    }

    #[test]
    fn finds_person_titles() {
        let event = tagged_event(
            "met today within Rome at the invitation of Italian Minister of Foreign Affairs and \
             International Cooperation Luigi Di Maio and U. S. Admin of State Antony L. Blinken. \
             NATO Secretary General Stoltenberg and Biden spoke.",
        );
        let people: Vec<(&str, Option<&str>)> = event
            .spans
            .iter()
            .filter(|s| &*s.kind == "person")
            .map(|s| (event.span_text(s), s.detail.as_deref()))
            .collect();
        assert_eq!(
            people,
            [
                (
                    "Luigi Di Maio",
                    Some("Italian Minister of Foreign Affairs and International Cooperation")
                ),
                ("Antony L. Blinken", Some("U. S. Admin of State")),
                ("Stoltenberg", Some("NATO Secretary General")),
                ("Biden", None),
            ]
        );
        let event = tagged_event(
            "I welcomed Prime Minister Andersson and President Niinistö to the White House. \
             Assistant to the President for National Security Affairs Jake Sullivan hosted \
             President Hassan Sheikh Mohamud. In Iraq. President Biden spoke.",
        );
        let details: Vec<Option<&str>> = event
            .spans
            .iter()
            .filter(|s| &*s.kind == "person")
            .map(|s| s.detail.as_deref())
            .collect();
        assert_eq!(
            details,
            [
                Some("President"),
                Some("Assistant to the President for National Security Affairs"),
                Some("President"),
                Some("President"),
            ]
        );
    }

    #[test]
    fn keeps_event_spans_sorted() {
        let mut event = Communique::new(None, Origin::default(), "Mali and Chad".to_owned());
        event.spans.push(Span {
            kind: "keyword".into(),
            id: "and".into(),
            label: "and".into(),
            start: 5,
            end: 8,
            detail: None,
        });
        builtin().tag_event(&mut event);
        let starts: Vec<usize> = event.spans.iter().map(|s| s.start).collect();
        assert_eq!(starts, [0, 5, 9]);
    }

    #[test]
    fn rejects_names_empty_once_normalized() -> Result<(), GazetteerError> {
        let g = Gazetteer::from_toml_str(
            "[[entity]]\nid = \"X\"\nkind = \"k\"\nlabel = \"X\"\nnames = [\"\u{200B}\"]\n",
            "t.toml",
        )?;
        let e = Tagger::new(&g).map(|_| ()).map_err(|e| e.to_string());
        assert_eq!(
            e,
            Err("k \"X\": name \"\\u{200b}\" is empty once normalized".into())
        );
        Ok(())
    }

    /// [`canonicalize`] as first written: every word of the text tried with [`function_run`].
    fn canonicalize_reference(folded: &str) -> Canonical {
        let mut out = String::new();
        let mut map = OffsetMapBuilder::new();
        let mut copied_from = 0;
        let mut at = 0;
        while at < folded.len() {
            let word_end = folded[at..].find(' ').map_or(folded.len(), |i| at + i);
            if at >= copied_from
                && let Some(end) = function_run(folded, at)
            {
                out.push_str(&folded[copied_from..at]);
                map.copied(at - copied_from);
                if &folded[at..end] == "of" {
                    map.copied(2);
                } else {
                    map.replaced(end - at, 2);
                }
                out.push_str("of");
                copied_from = end;
            }
            at = word_end + 1;
        }
        out.push_str(&folded[copied_from..]);
        map.copied(folded.len() - copied_from);
        let map = map.finish();
        // Inside a rewritten run, offsets map to the run's start; elsewhere they step by one.
        let runs = (0..out.len().saturating_sub(1))
            .filter(|&p| map.to_raw_start(p + 1) == map.to_raw_start(p))
            .collect();
        Canonical {
            text: out,
            map,
            runs,
        }
    }

    fn name() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "Iraq",
            "Côte d’Ivoire",
            "Cote d'Ivoire",
            "Democratic Republic of the Congo",
            "Republic  of\nthe Congo",
            "Türkiye",
            "TÜRKIYE",
            "US",
            "Syrian",
            "Congo–Brazzaville",
            "São Tomé and Príncipe",
            "Sa\u{303}o Tome\u{301} and Pri\u{301}ncipe",
            "Democratic Republic from the Congo",
            "Daesh/ISIS",
            "Sahel Region",
        ])
    }

    proptest! {
        #[test]
        fn spans_map_back_to_the_matched_text(
            parts in prop::collection::vec((name(), any::<String>()), 0..6),
        ) {
            let raw: String = parts
                .iter()
                .map(|(name, filler)| format!("{filler} {name} "))
                .collect();
            let norm = Normalizer::new().normalize(&raw);
            let mut tags = Vec::new();
            builtin().tag(&norm.text, &mut tags);
            prop_assert!(parts.is_empty() || !tags.is_empty());
            let mut last_end = 0;
            for tag in &tags {
                prop_assert!(tag.start >= last_end, "tags overlap");
                last_end = tag.end;
                prop_assert!(norm.text.is_char_boundary(tag.start));
                prop_assert!(norm.text.is_char_boundary(tag.end));
                let (s, e) = norm.map.to_raw_range(tag.start, tag.end);
                let back = Normalizer::new().normalize(&raw[s..e]).text;
                prop_assert_eq!(back.as_str(), &norm.text[tag.start..tag.end]);
            }
        }

        /// The word-at-a-time canonicalization equals the definition: every word tried.
        #[test]
        fn canonicalize_matches_its_definition(
            words in prop::collection::vec(
                prop_oneof![
                    prop::sample::select(FUNCTION_WORDS.to_vec()).prop_map(str::to_owned),
                    prop::sample::select(ARTICLES.to_vec()).prop_map(str::to_owned),
                    prop::sample::select(vec![
                        "of", "off", "o", "wit", "withins", "regardin", "toward s", "", "é", "ün",
                        "associated", "contrary", "the", "thé", "congo", "a a", "x",
                    ]).prop_map(str::to_owned),
                    "[a-z]{1,12}",
                ],
                0..40,
            ),
            separators in prop::collection::vec(
                prop::sample::select(vec![" ", " ", " ", "  ", "-"]),
                40,
            ),
        ) {
            let text: String = words
                .iter()
                .zip(&separators)
                .flat_map(|(w, s)| [w.as_str(), s])
                .collect();
            let fast = canonicalize(&text);
            let reference = canonicalize_reference(&text);
            prop_assert_eq!(&fast.text, &reference.text);
            prop_assert_eq!(&fast.map, &reference.map);
            prop_assert_eq!(&fast.runs, &reference.runs);
        }

        /// The canonical text maps onto the whole folded text, word for word.
        #[test]
        fn canonical_maps_onto_the_folded_text(s in "[a-z ]{0,40}|((of|the|in|a|x|associated|with) ){0,8}") {
            let c = canonicalize(&s);
            prop_assert_eq!(c.map.norm_len(), c.text.len());
            prop_assert_eq!(c.map.raw_len(), s.len());
            prop_assert!(c.text.len() <= s.len());
            // Words other than function words and articles survive, in order.
            let small: Vec<&str> = FUNCTION_WORDS.iter().chain(&ARTICLES).flat_map(|w| w.split(' ')).collect();
            let kept = |t: &str| t.split(' ').filter(|w| !w.is_empty() && !small.contains(w)).map(str::to_owned).collect::<Vec<_>>();
            prop_assert_eq!(kept(&c.text), kept(&s));
        }
    }
}
