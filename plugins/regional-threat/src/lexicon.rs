//! The plugin's word lists (`data/lexicon.toml`), read once: each word's classes as bits, and the
//! actor phrases. They are also the rules its sentences are tokenized with (the shared
//! tokenizer of `plugin-text-support`, [`TokenRules`]): words get their classes from here, and
//! a sentence is cut into clauses at `;`, `:`, a spaced dash, a bullet and the `clause_word`s.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use plugin_text_support::TokenRules;

/// FNV-1a: words are short, and looked up for every word of the sentences read.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type Words = HashMap<Box<str>, u64, BuildHasherDefault<Fnv>>;

/// The word lists, as written in the plugin.
pub(crate) const LEXICON: &str = include_str!("../data/lexicon.toml");

/// Word classes, one bit each (`[words]` lists, and two of `[actors]`).
pub(crate) mod class {
    pub const DETERMINER: u64 = 1 << 0;
    pub const DIRECTION: u64 = 1 << 1;
    pub const LOCATIVE: u64 = 1 << 2;
    pub const TO: u64 = 1 << 3;
    pub const ON: u64 = 1 << 4;
    pub const AGAINST: u64 = 1 << 5;
    pub const OF: u64 = 1 << 6;
    pub const FROM: u64 = 1 << 7;
    pub const BY: u64 = 1 << 8;
    pub const TOWARD_HEAD: u64 = 1 << 9;
    pub const OF_HEAD: u64 = 1 << 10;
    pub const POSSESSIVE_HEAD: u64 = 1 << 11;
    pub const SUFFER: u64 = 1 << 12;
    pub const AUXILIARY: u64 = 1 << 13;
    pub const VENUE: u64 = 1 << 14;
    pub const BACKER: u64 = 1 << 15;
    pub const FORCES: u64 = 1 << 16;
    pub const EMBASSY: u64 = 1 << 17;
    pub const PEOPLE: u64 = 1 << 18;
    pub const TITLES: u64 = 1 << 19;
    pub const TERRITORY: u64 = 1 << 20;
    pub const CONTROL: u64 = 1 << 21;
    pub const LIBERATE: u64 = 1 << 22;
    pub const DEFEND: u64 = 1 << 23;
    pub const REFLEXIVE: u64 = 1 << 24;
    pub const OUR: u64 = 1 << 25;
    pub const HOME: u64 = 1 << 26;
    pub const LAUNCH: u64 = 1 << 27;
    pub const WHERE: u64 = 1 << 28;
    pub const AND: u64 = 1 << 29;
    pub const LIST_WORD: u64 = 1 << 30;
    pub const CLAUSE_WORD: u64 = 1 << 31;
    /// `[actors] not_after`.
    pub const NOT_AFTER: u64 = 1 << 32;
    /// `[actors] state_context`.
    pub const STATE_CONTEXT: u64 = 1 << 33;
    /// The possessive `'s` (or a lone apostrophe after a name), which the tokenizer gives as
    /// the word "'s".
    pub const POSSESSIVE: u64 = 1 << 34;
    pub const WATER: u64 = 1 << 35;
    pub const ATTACK_VERB: u64 = 1 << 36;
    pub const THREAT_NOUN: u64 = 1 << 37;
    pub const SOLIDARITY: u64 = 1 << 38;
    pub const WITH: u64 = 1 << 39;
    pub const BASED: u64 = 1 << 40;
    pub const CAPTIVE: u64 = 1 << 41;
    /// The first word of an actor phrase.
    pub const ACTOR_START: u64 = 1 << 42;
    pub const STATE_HEAD: u64 = 1 << 43;
    pub const STATE_WAR: u64 = 1 << 44;
    pub const AID: u64 = 1 << 45;
    pub const NEGATION: u64 = 1 << 46;
    pub const HEDGE: u64 = 1 << 47;
    pub const POLICY: u64 = 1 << 48;
    pub const VIOLENT: u64 = 1 << 49;
    pub const TOPIC: u64 = 1 << 50;
    pub const DEPLOY: u64 = 1 << 51;
    pub const PRONOUN: u64 = 1 << 52;
    pub const GROUP_NOUN: u64 = 1 << 53;
    pub const SUBORDINATOR: u64 = 1 << 54;
    pub const RELATIVE: u64 = 1 << 55;
    pub const DISCUSS: u64 = 1 << 56;
    /// `[actors] not_before`.
    pub const NOT_BEFORE: u64 = 1 << 57;
    /// `[actors] not_actor`.
    pub const NOT_ACTOR: u64 = 1 << 58;
    pub const NAME_WORD: u64 = 1 << 59;
    pub const FIGHT: u64 = 1 << 60;
    pub const HAVEN: u64 = 1 << 61;
    pub const ELABORATION: u64 = 1 << 62;
    pub const TEMPORAL: u64 = 1 << 63;

    /// The `[words]` lists, by name.
    pub const WORD_LISTS: &[(&str, u64)] = &[
        ("determiner", DETERMINER),
        ("direction", DIRECTION),
        ("locative", LOCATIVE),
        ("to", TO),
        ("on", ON),
        ("against", AGAINST),
        ("of", OF),
        ("from", FROM),
        ("by", BY),
        ("toward_head", TOWARD_HEAD),
        ("of_head", OF_HEAD),
        ("possessive_head", POSSESSIVE_HEAD),
        ("suffer", SUFFER),
        ("auxiliary", AUXILIARY),
        ("venue", VENUE),
        ("backer", BACKER),
        ("forces", FORCES),
        ("embassy", EMBASSY),
        ("people", PEOPLE),
        ("titles", TITLES),
        ("territory", TERRITORY),
        ("control", CONTROL),
        ("liberate", LIBERATE),
        ("defend", DEFEND),
        ("reflexive", REFLEXIVE),
        ("our", OUR),
        ("home", HOME),
        ("launch", LAUNCH),
        ("where", WHERE),
        ("and", AND),
        ("list_word", LIST_WORD),
        ("clause_word", CLAUSE_WORD),
        ("water", WATER),
        ("attack_verb", ATTACK_VERB),
        ("threat_noun", THREAT_NOUN),
        ("solidarity", SOLIDARITY),
        ("with", WITH),
        ("based", BASED),
        ("captive", CAPTIVE),
        ("state_head", STATE_HEAD),
        ("state_war", STATE_WAR),
        ("aid", AID),
        ("negation", NEGATION),
        ("hedge", HEDGE),
        ("policy", POLICY),
        ("violent", VIOLENT),
        ("topic", TOPIC),
        ("deploy", DEPLOY),
        ("pronoun", PRONOUN),
        ("group_noun", GROUP_NOUN),
        ("subordinator", SUBORDINATOR),
        ("relative", RELATIVE),
        ("discuss", DISCUSS),
        ("name_word", NAME_WORD),
        ("fight", FIGHT),
        ("haven", HAVEN),
        ("elaboration", ELABORATION),
        ("temporal", TEMPORAL),
    ];
}

/// One word of an actor phrase.
#[derive(Debug, Clone)]
pub(crate) enum Pattern {
    /// The word itself.
    Exact(Box<str>),
    /// Any word that starts with this.
    Prefix(Box<str>),
}

impl Pattern {
    fn new(word: &str) -> Pattern {
        match word.strip_suffix('*') {
            Some(prefix) => Pattern::Prefix(prefix.into()),
            None => Pattern::Exact(word.into()),
        }
    }

    /// Whether `word` matches, ignoring ASCII case.
    pub(crate) fn matches(&self, word: &str) -> bool {
        match self {
            Pattern::Exact(w) => w.eq_ignore_ascii_case(word),
            Pattern::Prefix(p) => word
                .as_bytes()
                .get(..p.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(p.as_bytes())),
        }
    }

    /// The literal every match starts with.
    fn stem(&self) -> &str {
        match self {
            Pattern::Exact(w) | Pattern::Prefix(w) => w,
        }
    }
}

/// The word lists, ready to look words up.
#[derive(Debug)]
pub(crate) struct Lexicon {
    exact: Words,
    prefixes: Vec<(Box<str>, u64)>,
    /// `prefixes` by their first byte.
    by_first: Vec<Vec<(Box<str>, u64)>>,
    /// Generic actor phrases, each a sequence of words.
    pub generic: Vec<Vec<Pattern>>,
    /// Weak actor phrases (kidnappings, hostages).
    pub weak: Vec<Vec<Pattern>>,
    /// Weak actor phrases that count only near a word of the `captive` list.
    pub held: Vec<Vec<Pattern>>,
    /// Group ids that are not non-state armed actors.
    pub not_groups: Vec<String>,
    /// Group ids whose names do not tell where they act.
    pub names_not_places: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Actors {
    generic: Vec<String>,
    not_actor: Vec<String>,
    weak: Vec<String>,
    held: Vec<String>,
    not_after: Vec<String>,
    not_before: Vec<String>,
    state_context: Vec<String>,
    not_groups: Vec<String>,
    names_not_places: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    actors: Actors,
    words: HashMap<String, Vec<String>>,
}

impl Lexicon {
    /// Reads the word lists of `text` (the format of `data/lexicon.toml`).
    pub(crate) fn parse(text: &str) -> Result<Lexicon, String> {
        let file: File = toml::from_str(text).map_err(|e| format!("lexicon: {e}"))?;
        let mut lexicon = Lexicon {
            exact: Words::default(),
            prefixes: Vec::new(),
            by_first: Vec::new(),
            generic: Vec::new(),
            weak: Vec::new(),
            held: Vec::new(),
            not_groups: file.actors.not_groups,
            names_not_places: file.actors.names_not_places,
        };
        for (name, words) in &file.words {
            let Some(&(_, bit)) = class::WORD_LISTS.iter().find(|(n, _)| n == name) else {
                return Err(format!("lexicon: unknown word list [words] {name}"));
            };
            for word in words {
                lexicon.add(word, bit)?;
            }
        }
        for word in &file.actors.not_after {
            lexicon.add(word, class::NOT_AFTER)?;
        }
        for word in &file.actors.not_before {
            lexicon.add(word, class::NOT_BEFORE)?;
        }
        for word in &file.actors.not_actor {
            lexicon.add(word, class::NOT_ACTOR)?;
        }
        for word in &file.actors.state_context {
            lexicon.add(word, class::STATE_CONTEXT)?;
        }
        let phrases = |list: &[String]| -> Result<Vec<Vec<Pattern>>, String> {
            list.iter()
                .map(|p| {
                    let words: Vec<Pattern> = p
                        .split([' ', '-'])
                        .filter(|w| !w.is_empty())
                        .map(Pattern::new)
                        .collect();
                    if words.is_empty() || p.chars().any(|c| c.is_ascii_uppercase()) {
                        Err(format!("lexicon: bad actor phrase {p:?}"))
                    } else {
                        Ok(words)
                    }
                })
                .collect()
        };
        lexicon.generic = phrases(&file.actors.generic)?;
        lexicon.weak = phrases(&file.actors.weak)?;
        lexicon.held = phrases(&file.actors.held)?;
        let starts: Vec<String> = lexicon
            .generic
            .iter()
            .chain(&lexicon.weak)
            .chain(&lexicon.held)
            .map(|p| match &p[0] {
                Pattern::Exact(w) => w.to_string(),
                Pattern::Prefix(w) => format!("{w}*"),
            })
            .collect();
        for word in starts {
            lexicon.add(&word, class::ACTOR_START)?;
        }
        lexicon.by_first = vec![Vec::new(); 256];
        for (prefix, bits) in &lexicon.prefixes {
            lexicon.by_first[usize::from(prefix.as_bytes()[0])].push((prefix.clone(), *bits));
        }
        Ok(lexicon)
    }

    fn add(&mut self, word: &str, bit: u64) -> Result<(), String> {
        if word.is_empty() || word.chars().any(|c| c.is_ascii_uppercase() || c == ' ') {
            return Err(format!("lexicon: bad word {word:?}"));
        }
        match word.strip_suffix('*') {
            Some(prefix) => match self.prefixes.iter_mut().find(|(p, _)| &**p == prefix) {
                Some((_, bits)) => *bits |= bit,
                None => self.prefixes.push((prefix.into(), bit)),
            },
            None => *self.exact.entry(word.into()).or_default() |= bit,
        }
        Ok(())
    }

    /// The classes of a lowercase word.
    pub(crate) fn classes(&self, word: &str) -> u64 {
        let mut bits = self.exact.get(word).copied().unwrap_or(0);
        if let Some(&first) = word.as_bytes().first() {
            for (prefix, bit) in &self.by_first[usize::from(first)] {
                if word.starts_with(&**prefix) {
                    bits |= bit;
                }
            }
        }
        bits
    }

    /// For each actor phrase, the literal that its longest word starts with: a sentence with
    /// an actor has one of these at the start of a word (a first scan of the document).
    pub(crate) fn actor_stems(&self) -> Vec<String> {
        let mut stems: Vec<String> = self
            .generic
            .iter()
            .chain(&self.weak)
            .chain(&self.held)
            .map(|p| {
                let longest = p
                    .iter()
                    .rev()
                    .max_by_key(|w| w.stem().len())
                    .expect("a phrase has a word");
                longest.stem().to_string()
            })
            .collect();
        stems.sort();
        stems.dedup();
        stems
    }
}

/// How the plugin's sentences are tokenized: hyphens apart (actor phrases are matched across
/// them: "counter-terrorism"), apostrophes as in names ("Qa'ida", "Hamas’ grip"), punctuation by
/// class and clauses, each word with its classes.
impl TokenRules for Lexicon {
    const HYPHENATED_WORDS: bool = false;
    const NAME_APOSTROPHES: bool = true;
    const CLAUSES: bool = true;
    const CLAUSE_WORDS: u64 = class::CLAUSE_WORD;

    #[inline]
    fn classes(&self, word: &str) -> u64 {
        if word == "'s" {
            class::POSSESSIVE
        } else {
            Lexicon::classes(self, word)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_lexicon_reads() {
        let lexicon = Lexicon::parse(LEXICON).unwrap();
        assert_ne!(lexicon.classes("in") & class::LOCATIVE, 0);
        assert_ne!(lexicon.classes("attacks") & class::TOWARD_HEAD, 0);
        assert_ne!(lexicon.classes("war") & class::STATE_CONTEXT, 0);
        assert_eq!(lexicon.classes("zebra"), 0);
        assert!(lexicon.actor_stems().contains(&"terror".to_string()));
        assert!(lexicon.not_groups.contains(&"irgc".to_string()));
    }

    /// The tokens of `raw` read with the lexicon, each with its clause: entities as
    /// `[index:text]`, possessives as `POSS`, other words as their text, punctuation as its
    /// class.
    fn show(raw: &str, entities: &[&str]) -> Vec<String> {
        let lexicon = Lexicon::parse(LEXICON).unwrap();
        let spans: Vec<commwatch_plugin_sdk::SpanView<'_>> = entities
            .iter()
            .map(|e| {
                let start = raw.find(e).unwrap();
                commwatch_plugin_sdk::SpanView {
                    start,
                    end: start + e.len(),
                    kind: "group",
                    id: "x",
                    label: e,
                    detail: None,
                }
            })
            .collect();
        let mut tokens = plugin_text_support::Tokens::default();
        tokens.tokenize_with(raw, 0..raw.len(), &spans, 0, &lexicon);
        (0..tokens.len())
            .map(|i| {
                let t = &tokens.list()[i];
                let text = &raw[t.range.clone()];
                let shown = match (t.entity(), tokens.punct(i)) {
                    (Some(e), _) => format!("[{e}:{text}]"),
                    (_, Some(p)) => p.to_string(),
                    _ if t.is(class::POSSESSIVE) => "POSS".to_string(),
                    _ => text.to_string(),
                };
                format!("{shown}{}", t.clause)
            })
            .collect()
    }

    #[test]
    fn sentences_read_with_the_lexicon() {
        let raw =
            "Iranian-backed Houthis hit Israel’s north; al-Qa'ida’s men — Hamas’ grip, but not";
        assert_eq!(
            show(raw, &["Iranian", "Houthis", "Israel", "al-Qa'ida", "Hamas"]),
            [
                "[0:Iranian]0",
                "-0",
                "backed0",
                "[1:Houthis]0",
                "hit0",
                "[2:Israel]0",
                "POSS0",
                "north0",
                ";1",
                "[3:al-Qa'ida]1",
                "POSS1",
                "men1",
                "~2",
                "[4:Hamas]2",
                "POSS2",
                "grip2",
                ",2",
                "but3",
                "not3",
            ]
        );
        let raw = "Attacks:\n-   in Gaza and **Mali**\n* don't";
        assert_eq!(
            show(raw, &[]),
            [
                "Attacks0", ":1", "*2", "in2", "Gaza2", "and2", "Mali2", "*3", "don't3"
            ]
        );
    }

    #[test]
    fn mistakes_are_named() {
        let bad = LEXICON.replace("[words]", "[words]\nnonsense = [\"x\"]");
        assert!(Lexicon::parse(&bad).unwrap_err().contains("nonsense"));
        let bad = LEXICON.replace("\"terror*\",", "\"Terror*\",");
        assert!(Lexicon::parse(&bad).unwrap_err().contains("Terror"));
    }
}
