//! The tagger: finds the names of a [`Gazetteer`] in normalized text.
//!
//! A communiqué can name dozens of countries and organizations, and the pipeline tags every
//! communiqué, so all names of all entities are compiled into one Aho-Corasick automaton and the
//! text is scanned once. The automaton matches ASCII case-insensitively and leftmost-longest;
//! the rules it cannot express (whole words, the capital letter of `names`, the case of `exact`
//! names) are checked on each match, and a rejected match resumes the scan one character after
//! its start so a shorter name inside it is still found.
//!
//! The matching rules are documented on [`Tagger`].

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, Input, MatchKind};
use commwatch_core::{Communique, Span};

use crate::gazetteer::{Entity, Gazetteer};
use crate::normalize::Normalizer;

/// The prepositions swapped to make function-word variants.
const PREPOSITIONS: [&str; 9] = ["of", "from", "for", "in", "on", "to", "at", "with", "by"];

/// The most function-word variants generated for one name.
pub const MAX_VARIANTS: usize = 100;

/// Finds the entities of a gazetteer in text.
///
/// Build it once with [`Tagger::new`] and share it: tagging takes `&self`. The rules are those
/// of [`Entity`] (whole words; `names` ignore ASCII case but need a capital first letter; `exact`
/// names match as written), plus:
///
/// - **Leftmost-longest.** Among overlapping names the one starting first, then the longest,
///   wins: "Democratic Republic of the Congo" rather than the "Republic of the Congo" inside it.
/// - **Resume after a rejected match.** When that match breaks a rule, the scan resumes one
///   character after its start, so a shorter valid name inside it is still found.
/// - **Function-word variants.** Word-spinning sites and machine translations swap the small
///   words inside long names ("Democratic Republic *from* the Congo"). For every name of three
///   or more words holding one or two of the prepositions *of, from, for, in, on, to, at, with,
///   by* (not as its first or last word), the variants with those prepositions replaced by others
///   from the list are matched too, at most [`MAX_VARIANTS`] per name. A written name always
///   wins a tie with a variant.
///
/// Names are normalized with [`Normalizer`] when compiled, so they match text produced by it:
/// tag [`NormalizedText::text`](commwatch_core::NormalizedText), not raw text.
#[derive(Clone, Debug)]
pub struct Tagger {
    automaton: AhoCorasick,
    /// Per automaton pattern, the entities it may stand for, in priority order.
    candidates: Vec<Vec<Candidate>>,
    entities: Vec<Entity>,
}

/// One entity a pattern may stand for.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Candidate {
    /// Index into `Tagger::entities`.
    entity: usize,
    /// For an `exact` name, the spelling the text must have.
    exact: Option<Box<str>>,
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
}

/// Why a [`Tagger`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TaggerError {
    /// A name is nothing but characters the normalizer deletes (zero-width spaces, …).
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
    ///
    /// When several entities share a name (ignoring ASCII case), a match is reported as the
    /// first of them in gazetteer order whose rules it satisfies.
    pub fn new(gazetteer: &Gazetteer) -> Result<Tagger, TaggerError> {
        let normalizer = Normalizer::new();
        let entities: Vec<Entity> = gazetteer.entities().cloned().collect();
        let mut patterns = Patterns::default();
        let mut written = Vec::new();
        for (index, entity) in entities.iter().enumerate() {
            let names = entity.names().iter().map(|n| (n, false));
            for (name, exact) in names.chain(entity.exact().iter().map(|n| (n, true))) {
                let text = normalizer.normalize(name).text;
                if text.is_empty() {
                    return Err(TaggerError::EmptyName {
                        kind: entity.kind().to_string(),
                        id: entity.id().to_string(),
                        name: name.clone(),
                    });
                }
                patterns.add(&text, index, exact);
                written.push((text, index, exact));
            }
        }
        // Variants come after every written name so that a written name always wins a tie.
        for (text, index, exact) in &written {
            for variant in variants(text) {
                patterns.add(&variant, *index, *exact);
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(&patterns.texts)?;
        Ok(Tagger {
            automaton,
            candidates: patterns.candidates,
            entities,
        })
    }

    /// Number of patterns compiled, written names and function-word variants together.
    pub fn pattern_count(&self) -> usize {
        self.candidates.len()
    }

    /// Appends to `out` the entities found in `text`, in order of their start offsets, without
    /// overlaps. Offsets are byte offsets of `text`, on character boundaries.
    pub fn tag<'t>(&'t self, text: &str, out: &mut Vec<Tag<'t>>) {
        let mut at = 0;
        while at < text.len() {
            let Some(m) = self.automaton.find(Input::new(text).span(at..text.len())) else {
                break;
            };
            match self.accept(text, m.start(), m.end(), m.pattern().as_usize()) {
                Some(entity) => {
                    out.push(Tag {
                        start: m.start(),
                        end: m.end(),
                        entity,
                    });
                    at = m.end();
                }
                // Rejected: a shorter name starting inside this match may still be valid.
                None => {
                    at = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
                }
            }
        }
    }

    /// Tags [`Communique::matching_text`] and adds a [`Span`] with **raw** offsets (mapped by
    /// [`Communique::to_raw_range`]) for each entity found. `event.spans` stays sorted by start;
    /// spans already there keep their place before new spans with the same start.
    pub fn tag_event(&self, event: &mut Communique) {
        let mut tags = Vec::new();
        self.tag(event.matching_text(), &mut tags);
        if tags.is_empty() {
            return;
        }
        event.spans.reserve(tags.len());
        for tag in tags {
            let (start, end) = event.to_raw_range(tag.start, tag.end);
            event.spans.push(Span {
                kind: tag.entity.kind().clone(),
                id: tag.entity.id().clone(),
                label: tag.entity.label().clone(),
                start,
                end,
                detail: None,
            });
        }
        event.spans.sort_by_key(|span| span.start);
    }

    /// The entity a match of pattern `pattern` at `start..end` stands for, if the match
    /// satisfies the word-boundary and case rules.
    fn accept(&self, text: &str, start: usize, end: usize, pattern: usize) -> Option<&Entity> {
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        if text[..start].chars().next_back().is_some_and(is_word)
            || text[end..].chars().next().is_some_and(is_word)
        {
            return None;
        }
        let matched = &text[start..end];
        let capital = matched.chars().next().is_some_and(|c| !c.is_lowercase());
        self.candidates
            .get(pattern)?
            .iter()
            .find(|c| match &c.exact {
                Some(spelling) => **spelling == *matched,
                None => capital,
            })
            .and_then(|c| self.entities.get(c.entity))
    }
}

/// The automaton's patterns, one per distinct name ignoring ASCII case.
#[derive(Default)]
struct Patterns {
    texts: Vec<String>,
    candidates: Vec<Vec<Candidate>>,
    /// ASCII-lowercased text → pattern index.
    by_key: HashMap<String, usize>,
}

impl Patterns {
    fn add(&mut self, text: &str, entity: usize, exact: bool) {
        let index = *self
            .by_key
            .entry(text.to_ascii_lowercase())
            .or_insert_with(|| {
                self.texts.push(text.to_owned());
                self.candidates.push(Vec::new());
                self.texts.len() - 1
            });
        let candidate = Candidate {
            entity,
            exact: exact.then(|| text.into()),
        };
        let list = &mut self.candidates[index];
        if !list.contains(&candidate) {
            list.push(candidate);
        }
    }
}

/// The function-word variants of a normalized name (see the module documentation).
fn variants(name: &str) -> Vec<String> {
    let words: Vec<&str> = name.split(' ').collect();
    if words.len() < 3 {
        return Vec::new();
    }
    let slots: Vec<usize> = (1..words.len() - 1)
        .filter(|&i| {
            PREPOSITIONS
                .iter()
                .any(|p| p.eq_ignore_ascii_case(words[i]))
        })
        .collect();
    if slots.is_empty() || slots.len() > 2 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut choice = vec![0; slots.len()];
    'combinations: loop {
        let mut variant = words.clone();
        for (slot, &p) in slots.iter().zip(&choice) {
            variant[*slot] = PREPOSITIONS[p];
        }
        let changed = slots
            .iter()
            .any(|&s| !variant[s].eq_ignore_ascii_case(words[s]));
        if changed && out.len() < MAX_VARIANTS {
            out.push(variant.join(" "));
        }
        // Next combination, like an odometer.
        for digit in choice.iter_mut() {
            *digit += 1;
            if *digit < PREPOSITIONS.len() {
                continue 'combinations;
            }
            *digit = 0;
        }
        break;
    }
    out
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
    }

    #[test]
    fn prefers_the_longest_name() {
        assert_eq!(
            ids("the Democratic Republic of the Congo and the Republic of the Congo"),
            [
                ("CD".into(), "Democratic Republic of the Congo".into()),
                ("CG".into(), "Republic of the Congo".into()),
            ]
        );
        assert_eq!(id_list("South Sudan and Sudan"), ["SS", "SD"]);
    }

    #[test]
    fn resumes_after_a_rejected_match() {
        // "democratic Republic of the Congo" fails the capital rule as a whole; the shorter
        // name inside it is still found.
        assert_eq!(id_list("democratic Republic of the Congo"), ["CG"]);
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
    fn makes_function_word_variants() {
        let v = variants("Democratic Republic of the Congo");
        assert_eq!(v.len(), 8);
        assert!(v.contains(&"Democratic Republic from the Congo".to_owned()));
        assert_eq!(variants("Isle of Man").len(), 8);
        assert_eq!(variants("Bank for Settlements of Nations").len(), 80);
        assert!(variants("Republic of").is_empty());
        assert!(variants("Of the Congo").is_empty());
        assert!(variants("Trinidad and Tobago").is_empty());
        assert!(variants("A of B of C of D").is_empty());
        assert_eq!(id_list("the Republic with Korea"), ["KR"]);
        let written: usize = Gazetteer::builtin()
            .entities()
            .map(|e| e.names().len() + e.exact().len())
            .sum();
        assert!(
            builtin().pattern_count() > written,
            "variants are compiled too"
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

    fn name() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "Iraq",
            "Côte d’Ivoire",
            "Cote d'Ivoire",
            "Democratic Republic of the Congo",
            "Republic  of\nthe Congo",
            "Türkiye",
            "US",
            "Syrian",
            "Congo–Brazzaville",
            "São Tomé and Príncipe",
            "Sa\u{303}o Tome\u{301} and Pri\u{301}ncipe",
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
            for tag in &tags {
                let (s, e) = norm.map.to_raw_range(tag.start, tag.end);
                let back = Normalizer::new().normalize(&raw[s..e]).text;
                prop_assert_eq!(back.as_str(), &norm.text[tag.start..tag.end]);
            }
        }
    }
}
