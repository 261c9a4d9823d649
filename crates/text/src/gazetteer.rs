//! Gazetteers: the lists of named entities (countries, organizations, …) the tagger looks for.
//!
//! Names are data, not code: analysts add the organizations and places they follow without
//! rebuilding anything. This module reads the TOML files they write (see `docs/gazetteer.md`),
//! checks them with errors that point at the offending entry, and merges several files into one
//! [`Gazetteer`]. Six lists ship inside the crate ([`Gazetteer::builtin`]): every ISO 3166-1
//! country, the UN M49, geopolitical and maritime regions, international organizations, armed
//! groups, senior officials, and places (capitals, cities, provinces) with their countries.
//! A gazetteer also holds the word lists of the tagger's rules ([`WordList`]): every gazetteer
//! starts with the bundled lists, and its files may add words to them.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use commwatch_core::Symbol;
use serde::Deserialize;

use crate::words::{WordList, Words};

/// The bundled gazetteer files, in load order: (file name, TOML text).
///
/// Countries come first so that a name shared with another list is a country unless its context
/// rules it out (see [`Ambiguity`]); places come last, so that a name shared with any other list
/// is never a place.
const BUNDLED: [(&str, &str); 6] = [
    ("countries.toml", include_str!("../data/countries.toml")),
    ("regions.toml", include_str!("../data/regions.toml")),
    (
        "organizations.toml",
        include_str!("../data/organizations.toml"),
    ),
    ("groups.toml", include_str!("../data/groups.toml")),
    ("people.toml", include_str!("../data/people.toml")),
    ("places.toml", include_str!("../data/places.toml")),
];

/// A context rule for an entity whose names are also something else; the tagger drops a match
/// that the context shows to be the other thing. Written in TOML as `ambiguous = "person-name"`
/// or a list of these names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ambiguity {
    /// `person-name`: the entity's label is also a given name or surname ("Chad", "Jordan",
    /// "Georgia"). A match of the label is dropped when a capitalized word that looks like part
    /// of a person's name stands right before it ("Michael Jordan") or right after it ("Chad
    /// Smith").
    PersonName,
    /// `us-state`: the entity's label is also a US state ("Georgia"). A match of the label is
    /// dropped when it is an item of a comma list next to a US state ("Delaware, Georgia") or
    /// follows "City, " ("Atlanta, Georgia").
    UsState,
    /// `common-word`: the entity's short `exact` names (three letters at most) are also English
    /// words ("WHO", "IS", "US"). A match is dropped inside ALL-CAPS text: when the two nearest
    /// words on each side are all in capitals ("WHO WE ARE").
    CommonWord,
}

impl Ambiguity {
    /// Every rule, in the order documented.
    pub const ALL: [Ambiguity; 3] = [
        Ambiguity::PersonName,
        Ambiguity::UsState,
        Ambiguity::CommonWord,
    ];

    /// The name used in gazetteer files.
    pub fn as_str(self) -> &'static str {
        match self {
            Ambiguity::PersonName => "person-name",
            Ambiguity::UsState => "us-state",
            Ambiguity::CommonWord => "common-word",
        }
    }

    fn parse(name: &str) -> Result<Ambiguity, String> {
        Ambiguity::ALL
            .into_iter()
            .find(|a| a.as_str() == name)
            .ok_or_else(|| {
                format!(
                    "unknown `ambiguous` value {name:?}; expected one of person-name, us-state, \
                     common-word"
                )
            })
    }
}

/// One named thing the tagger can find: a canonical id of some kind, its display label, and the
/// names it goes by in text.
///
/// Matching rules (applied by the [`Tagger`](crate::Tagger)):
///
/// - [`names`](Self::names) match ignoring ASCII case, but **the first letter of the text matched
///   must not be lowercase**: the name `Turkey` matches "Turkey" and "TURKEY", never "turkey";
///   `Chad` matches "Chad", never "chad". Write names the way they are capitalized in prose.
/// - [`exact`](Self::exact) names match only with exactly the case given: acronyms such as `US`,
///   `UK` or `DRC`, which would otherwise match ordinary words like "us".
/// - Either way a match must be a whole word: the characters around it must not be letters,
///   digits or `_`.
///
/// Besides names an entity may carry [`members`](Self::members) (ISO codes of a region's
/// countries), free [`attributes`](Self::attributes) (`m49 = "014"`), [`Ambiguity`] rules, and
/// [`not_within`](Self::not_within) phrases in which its names do not refer to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    kind: Symbol,
    id: Symbol,
    label: Symbol,
    names: Vec<String>,
    exact: Vec<String>,
    members: Vec<String>,
    attributes: BTreeMap<String, String>,
    ambiguous: Vec<Ambiguity>,
    not_within: Vec<String>,
}

impl Entity {
    /// What sort of entity this is: `country`, `organization`, ….
    pub fn kind(&self) -> &Symbol {
        &self.kind
    }

    /// The canonical id, unique within the kind (`CD` for the Democratic Republic of the Congo).
    pub fn id(&self) -> &Symbol {
        &self.id
    }

    /// The display name shown to analysts.
    pub fn label(&self) -> &Symbol {
        &self.label
    }

    /// Names matched ignoring ASCII case, provided the first letter matched is not lowercase.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Names matched only with exactly this case (acronyms).
    pub fn exact(&self) -> &[String] {
        &self.exact
    }

    /// The ids of this entity's members, for a region or a grouping its countries' ISO 3166-1
    /// alpha-2 codes (`["ML", "NE", …]`); empty when the file gives none.
    pub fn members(&self) -> &[String] {
        &self.members
    }

    /// The attribute `name` (`m49` for a UN M49 region), if the entity has it.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    /// All attributes, by name.
    pub fn attributes(&self) -> &BTreeMap<String, String> {
        &self.attributes
    }

    /// The context rules that can drop a match of this entity (see [`Ambiguity`]).
    pub fn ambiguous(&self) -> &[Ambiguity] {
        &self.ambiguous
    }

    /// Longer phrases that contain one of this entity's names without referring to it
    /// ("National Security Council" for the UN Security Council's "Security Council"). Where the
    /// text has such a phrase, nothing inside it is tagged as this entity.
    pub fn not_within(&self) -> &[String] {
        &self.not_within
    }

    /// Adds what `other` (the same entity from another file) has that this one lacks: names,
    /// members, ambiguity rules, `not_within` phrases, and attributes not already set.
    fn absorb(&mut self, other: Entity) {
        for name in other.names {
            push_unique(&mut self.names, name);
        }
        for name in other.exact {
            push_unique(&mut self.exact, name);
        }
        for member in other.members {
            push_unique(&mut self.members, member);
        }
        for (key, value) in other.attributes {
            self.attributes.entry(key).or_insert(value);
        }
        for rule in other.ambiguous {
            if !self.ambiguous.contains(&rule) {
                self.ambiguous.push(rule);
            }
        }
        for phrase in other.not_within {
            push_unique(&mut self.not_within, phrase);
        }
    }
}

fn push_unique(list: &mut Vec<String>, name: String) {
    if !list.contains(&name) {
        list.push(name);
    }
}

/// A set of [`Entity`]s, in the order they were loaded, and the word lists of the tagger's rules
/// ([`WordList`]).
///
/// Load order matters in one case: when two entities share a name (say "Georgia" as a country
/// in one file and a US state in another), the tagger reports the one loaded first, always.
///
/// Every gazetteer, [`Gazetteer::default`] (no entities) included, starts with the bundled word
/// lists (`data/words.toml`); a file adds the words of its word-list tables to them.
#[derive(Clone, Debug)]
pub struct Gazetteer {
    entities: Vec<Entity>,
    /// kind → id → index in `entities`.
    index: HashMap<Symbol, HashMap<Symbol, usize>>,
    words: Words,
}

impl Default for Gazetteer {
    /// No entities, and the bundled word lists.
    fn default() -> Gazetteer {
        Gazetteer {
            entities: Vec::new(),
            index: HashMap::new(),
            words: Words::bundled().clone(),
        }
    }
}

impl Gazetteer {
    /// The gazetteer bundled with commwatch, all six files in this order:
    ///
    /// - `countries.toml`: all 249 ISO 3166-1 countries and territories, and Kosovo (XK) (kind `country`, ids the
    ///   alpha-2 codes), with official names, common aliases, demonyms and acronyms;
    /// - `regions.toml`: the UN M49 regions and sub-regions, the geopolitical regions analysts
    ///   use and seas, gulfs and straits (kind `region`, slug ids such as `sahel`,
    ///   `east-africa`, `north-africa`, `red-sea`), with `members` and `attributes.m49`;
    /// - `organizations.toml`: international organizations, their organs and missions, and
    ///   multilateral coalitions (kind `organization`);
    /// - `groups.toml`: armed groups and designated terrorist organizations (kind `group`);
    /// - `people.toml`: senior officials (kind `person`);
    /// - `places.toml`: capitals, cities, provinces, states and districts (kind `place`, slug
    ///   ids such as `borno`, `mogadishu`), each with `attributes.country`, its country's ISO
    ///   3166-1 alpha-2 code.
    ///
    /// Like every gazetteer, it has the bundled word lists of `words.toml` ([`WordList`]).
    pub fn builtin() -> Gazetteer {
        // The files are part of the crate and a unit test parses them, so failing here is a bug
        // in the build, not a condition a caller could handle.
        let mut gazetteer = Gazetteer::default();
        for (file, text) in BUNDLED {
            match Gazetteer::from_toml_str(text, &format!("builtin {file}")) {
                Ok(g) => gazetteer.extend(g),
                Err(e) => panic!("the bundled gazetteer is invalid: {e}"),
            }
        }
        gazetteer
    }

    /// Parses a gazetteer from TOML text: its entities, and the words its word-list tables add
    /// to the bundled lists. `origin` names the text (a file name) in errors.
    ///
    /// Two entries with the same kind and id in one file are an error; across files use
    /// [`extend`](Self::extend), which merges them.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Gazetteer, GazetteerError> {
        let parse_error = |message: String| GazetteerError::Parse {
            origin: origin.to_owned(),
            message,
        };
        let mut file: toml::Table =
            toml::from_str(text).map_err(|e: toml::de::Error| parse_error(e.to_string()))?;
        let entities: Vec<toml::Table> = match file.remove("entity") {
            Some(value) => value
                .try_into()
                .map_err(|e: toml::de::Error| parse_error(format!("`entity`: {}", e.message())))?,
            None => Vec::new(),
        };
        let mut gazetteer = Gazetteer::default();
        gazetteer.words.extend(&Words::from_tables(file, origin)?);
        for (i, table) in entities.into_iter().enumerate() {
            let index = i + 1;
            let id = table
                .get("id")
                .and_then(toml::Value::as_str)
                .map(str::to_owned);
            let fail = |problem: String| GazetteerError::Entity {
                origin: origin.to_owned(),
                index,
                id: id.clone(),
                problem,
            };
            let doc: EntityDoc = toml::Value::Table(table)
                .try_into()
                .map_err(|e: toml::de::Error| fail(e.message().trim_end().to_owned()))?;
            let entity = doc.validate().map_err(&fail)?;
            if let Some(first) = gazetteer.position(&entity.kind, &entity.id) {
                return Err(fail(format!(
                    "kind {:?} and id {:?} are already used by entity #{}",
                    &*entity.kind,
                    &*entity.id,
                    first + 1
                )));
            }
            gazetteer.push(entity);
        }
        Ok(gazetteer)
    }

    /// Reads and parses a gazetteer file.
    pub fn load(path: &Path) -> Result<Gazetteer, GazetteerError> {
        let text = std::fs::read_to_string(path).map_err(|error| GazetteerError::Io {
            path: path.to_owned(),
            error,
        })?;
        Gazetteer::from_toml_str(&text, &path.display().to_string())
    }

    /// Adds the entities of `other` after this gazetteer's, and its words to the word lists. An
    /// entity whose kind and id already exist adds its names to the existing one (which keeps
    /// its label and position).
    pub fn extend(&mut self, other: Gazetteer) {
        self.words.extend(&other.words);
        for entity in other.entities {
            match self.position(&entity.kind, &entity.id) {
                Some(i) => self.entities[i].absorb(entity),
                None => self.push(entity),
            }
        }
    }

    /// The entities of `kinds` only, with the same word lists: the gazetteer of a reader that
    /// needs some kinds (a plugin reading countries and organizations in titles), whose tagger is
    /// then smaller and quicker to build.
    pub fn of_kinds(self, kinds: &[&str]) -> Gazetteer {
        let mut kept = Gazetteer {
            entities: Vec::new(),
            index: HashMap::new(),
            words: self.words,
        };
        for entity in self.entities {
            if kinds.contains(&&*entity.kind) {
                kept.push(entity);
            }
        }
        kept
    }

    /// Number of entities.
    pub fn len(&self) -> usize {
        self.entities.len()
    }

    /// True when there are no entities.
    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    /// The entities in load order.
    pub fn entities(&self) -> impl ExactSizeIterator<Item = &Entity> {
        self.entities.iter()
    }

    /// The words of a word list of the tagger's rules: the bundled ones, then those the
    /// gazetteer's files added.
    pub fn words(&self, list: WordList) -> &[String] {
        self.words.get(list)
    }

    /// The entity of this kind and id, if any.
    pub fn entity(&self, kind: &str, id: &str) -> Option<&Entity> {
        self.position(kind, id).map(|i| &self.entities[i])
    }

    fn position(&self, kind: &str, id: &str) -> Option<usize> {
        self.index.get(kind)?.get(id).copied()
    }

    fn push(&mut self, entity: Entity) {
        self.index
            .entry(entity.kind.clone())
            .or_default()
            .insert(entity.id.clone(), self.entities.len());
        self.entities.push(entity);
    }
}

/// Why a gazetteer could not be loaded. Every variant names the file; entry problems also name
/// the entry's position (from 1) and its id.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerError {
    /// The file could not be read.
    #[error("cannot read gazetteer {}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        error: std::io::Error,
    },
    /// The text is not valid TOML, or has a top-level key other than `entity` and the word
    /// lists.
    #[error("{origin}: {message}")]
    Parse {
        /// The file name given to [`Gazetteer::from_toml_str`].
        origin: String,
        /// The TOML parser's message, with line and column.
        message: String,
    },
    /// One `[[entity]]` entry is wrong: a missing, misspelt or empty field, no names at all, or
    /// a kind and id used twice.
    #[error("{origin}: entity #{index}{}: {problem}", IdSuffix(.id.as_deref()))]
    Entity {
        /// The file name given to [`Gazetteer::from_toml_str`].
        origin: String,
        /// Position of the entry in the file, counting from 1.
        index: usize,
        /// The entry's `id`, when it has one.
        id: Option<String>,
        /// What is wrong.
        problem: String,
    },
    /// A word-list table is wrong: a misspelt key, an empty word, or a phrase in a list of
    /// single words.
    #[error("{origin}: [{}]: {problem}", list.as_str())]
    Words {
        /// The file name given to [`Gazetteer::from_toml_str`].
        origin: String,
        /// The list.
        list: WordList,
        /// What is wrong.
        problem: String,
    },
}

/// Formats an optional entity id as ` (id "CD")`.
struct IdSuffix<'a>(Option<&'a str>);

impl fmt::Display for IdSuffix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(id) => write!(f, " (id {id:?})"),
            None => Ok(()),
        }
    }
}

/// One `[[entity]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityDoc {
    id: String,
    kind: String,
    label: String,
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    exact: Vec<String>,
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
    #[serde(default)]
    ambiguous: OneOrMany,
    #[serde(default)]
    not_within: Vec<String>,
}

/// `ambiguous = "person-name"` or `ambiguous = ["person-name", "us-state"]`.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

impl EntityDoc {
    fn validate(self) -> Result<Entity, String> {
        let field = |name: &str, value: String| {
            let trimmed = value.trim();
            if trimmed.is_empty() {
                Err(format!("`{name}` is empty"))
            } else {
                Ok(Symbol::from(trimmed))
            }
        };
        let list = |name: &str, values: Vec<String>| {
            let mut out = Vec::with_capacity(values.len());
            for (i, value) in values.into_iter().enumerate() {
                let trimmed = value.trim();
                if trimmed.is_empty() {
                    return Err(format!("`{name}[{i}]` is empty"));
                }
                push_unique(&mut out, trimmed.to_owned());
            }
            Ok(out)
        };
        let mut attributes = BTreeMap::new();
        for (key, value) in self.attributes {
            let key = key.trim();
            if key.is_empty() {
                return Err("an attribute name is empty".to_owned());
            }
            attributes.insert(key.to_owned(), value.trim().to_owned());
        }
        let mut ambiguous = Vec::new();
        for name in self.ambiguous.into_vec() {
            let rule = Ambiguity::parse(name.trim())?;
            if !ambiguous.contains(&rule) {
                ambiguous.push(rule);
            }
        }
        let entity = Entity {
            kind: field("kind", self.kind)?,
            id: field("id", self.id)?,
            label: field("label", self.label)?,
            names: list("names", self.names)?,
            exact: list("exact", self.exact)?,
            members: list("members", self.members)?,
            attributes,
            ambiguous,
            not_within: list("not_within", self.not_within)?,
        };
        if entity.names.is_empty() && entity.exact.is_empty() {
            return Err("has no names: give `names`, `exact` or both".to_owned());
        }
        Ok(entity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
[[entity]]
id = "CD"
kind = "country"
label = "Democratic Republic of the Congo"
names = ["Democratic Republic of the Congo", "DR Congo", "Congolese"]
exact = ["DRC"]

[[entity]]
id = "ECOWAS"
kind = "organization"
label = "Economic Community of West African States"
exact = ["ECOWAS"]
"#;

    fn load(text: &str) -> Result<Gazetteer, GazetteerError> {
        Gazetteer::from_toml_str(text, "test.toml")
    }

    fn error(text: &str) -> String {
        match load(text) {
            Ok(_) => String::from("(no error)"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parses_entities() -> Result<(), GazetteerError> {
        let g = load(SAMPLE)?;
        assert_eq!(g.len(), 2);
        let cd = g.entity("country", "CD").map(Entity::names);
        assert_eq!(cd.map(<[String]>::len), Some(3), "names of CD: {cd:?}");
        let ecowas = g.entity("organization", "ECOWAS");
        assert_eq!(
            ecowas.map(|e| e.exact().to_vec()),
            Some(vec!["ECOWAS".into()])
        );
        assert!(g.entity("country", "ECOWAS").is_none());
        let ids: Vec<&str> = g.entities().map(|e| &**e.id()).collect();
        assert_eq!(ids, ["CD", "ECOWAS"]);
        Ok(())
    }

    #[test]
    fn builtin_has_every_iso_code() {
        let g = Gazetteer::builtin();
        let countries: Vec<&Entity> = g.entities().filter(|e| &**e.kind() == "country").collect();
        // The 249 ISO 3166-1 codes and Kosovo's user-assigned XK.
        assert_eq!(countries.len(), 250);
        assert!(countries.iter().all(|e| e.id().len() == 2));
        for id in ["CD", "CG", "US", "GB", "TR", "CI", "VA", "XK"] {
            assert!(g.entity("country", id).is_some(), "{id}");
        }
    }

    #[test]
    fn builtin_loads_every_bundled_file() {
        let g = Gazetteer::builtin();
        let count = |kind: &str| g.entities().filter(|e| &**e.kind() == kind).count();
        assert!(count("region") >= 40, "regions: {}", count("region"));
        assert!(
            count("organization") >= 60,
            "organizations: {}",
            count("organization")
        );
        assert!(count("group") >= 40, "groups: {}", count("group"));
        assert!(count("person") >= 30, "people: {}", count("person"));
        assert!(count("place") >= 500, "places: {}", count("place"));
        // Countries load first: load order decides shared names.
        assert!(g.entities().take(250).all(|e| &**e.kind() == "country"));

        let north = g.entity("region", "north-africa");
        assert_eq!(north.and_then(|e| e.attribute("m49")), Some("015"));
        assert!(g.entity("region", "northern-africa").is_none());

        let east = g.entity("region", "east-africa");
        assert_eq!(east.and_then(|e| e.attribute("m49")), Some("014"));
        assert!(east.is_some_and(|e| e.members().iter().any(|m| m == "SO")));
        let sahel = g.entity("region", "sahel");
        assert!(sahel.is_some_and(|e| {
            ["ML", "NE", "BF", "TD", "MR"]
                .iter()
                .all(|c| e.members().iter().any(|m| m == c))
        }));
        assert_eq!(sahel.and_then(|e| e.attribute("m49")), None);
        // Every member is a country of the gazetteer.
        for e in g.entities() {
            for m in e.members() {
                assert!(g.entity("country", m).is_some(), "{}: member {m}", e.id());
            }
        }
        for id in ["TD", "JO", "GE"] {
            let e = g.entity("country", id);
            assert!(
                e.is_some_and(|e| e.ambiguous().contains(&Ambiguity::PersonName)),
                "{id}"
            );
        }
        for (kind, id) in [
            ("organization", "nato"),
            ("organization", "unsc"),
            ("group", "isis"),
            ("group", "isis-k"),
            ("person", "antony-blinken"),
        ] {
            assert!(g.entity(kind, id).is_some(), "{kind} {id}");
        }
    }

    #[test]
    fn every_bundled_place_has_a_country() {
        let g = Gazetteer::builtin();
        let places: Vec<&Entity> = g.entities().filter(|e| &**e.kind() == "place").collect();
        for place in &places {
            let country = place.attribute("country");
            assert!(
                country.is_some_and(|c| g.entity("country", c).is_some()),
                "place {}: country {country:?}",
                place.id()
            );
            if let Some(also) = place.attribute("also_in") {
                assert!(
                    g.entity("country", also).is_some(),
                    "{}: {also}",
                    place.id()
                );
            }
            assert!(place.attribute("type").is_some(), "place {}", place.id());
        }
        let country_of = |id: &str| g.entity("place", id).and_then(|e| e.attribute("country"));
        assert_eq!(country_of("borno"), Some("NG"));
        assert_eq!(country_of("mogadishu"), Some("SO"));
        assert_eq!(country_of("kurdistan-region"), Some("IQ"));
        // Places load last: every bundled place comes after every other entity.
        let first_place = g.entities().position(|e| &**e.kind() == "place");
        assert_eq!(first_place, Some(g.len() - places.len()));
    }

    #[test]
    fn reads_members_attributes_and_context_rules() -> Result<(), GazetteerError> {
        let mut g = load(
            r#"
[[entity]]
id = "sahel"
kind = "region"
label = "Sahel"
names = ["Sahel"]
members = ["ML", "NE"]
attributes = { m49 = "none", source = "UNISS" }

[[entity]]
id = "TD"
kind = "country"
label = "Chad"
names = ["Chad"]
ambiguous = "person-name"

[[entity]]
id = "GE"
kind = "country"
label = "Georgia"
names = ["Georgia"]
ambiguous = ["person-name", "us-state"]
not_within = ["Georgia Tech"]
"#,
        )?;
        let sahel = g.entity("region", "sahel");
        assert_eq!(
            sahel.map(Entity::members),
            Some(&["ML".to_owned(), "NE".to_owned()][..])
        );
        assert_eq!(sahel.and_then(|e| e.attribute("source")), Some("UNISS"));
        assert_eq!(sahel.and_then(|e| e.attribute("nope")), None);
        assert_eq!(
            g.entity("country", "GE").map(Entity::ambiguous),
            Some(&[Ambiguity::PersonName, Ambiguity::UsState][..])
        );
        g.extend(load(
            "[[entity]]\nid = \"sahel\"\nkind = \"region\"\nlabel = \"x\"\nnames = [\"Sahel Region\"]\n\
             members = [\"NE\", \"TD\"]\nattributes = { source = \"other\", core = \"ML\" }\n",
        )?);
        let sahel = g.entity("region", "sahel");
        assert_eq!(sahel.map(|e| e.members().len()), Some(3));
        assert_eq!(sahel.and_then(|e| e.attribute("source")), Some("UNISS"));
        assert_eq!(sahel.and_then(|e| e.attribute("core")), Some("ML"));

        let e = error(
            "[[entity]]\nid = \"X\"\nkind = \"c\"\nlabel = \"X\"\nnames = [\"X\"]\nambiguous = \"surname\"\n",
        );
        assert!(e.contains("unknown `ambiguous` value \"surname\""), "{e}");
        let e = error(
            "[[entity]]\nid = \"X\"\nkind = \"c\"\nlabel = \"X\"\nnames = [\"X\"]\nmembers = [\"\"]\n",
        );
        assert!(e.ends_with("`members[0]` is empty"), "{e}");
        let e = error(
            "[[entity]]\nid = \"X\"\nkind = \"c\"\nlabel = \"X\"\nnames = [\"X\"]\nattributes = { m49 = 14 }\n",
        );
        assert!(e.starts_with("test.toml: entity #1 (id \"X\")"), "{e}");
        Ok(())
    }

    #[test]
    fn errors_name_origin_entry_and_problem() {
        let e =
            error("[[entity]]\nid = \"X\"\nkind = \"country\"\nlabel = \"X\"\nnmes = [\"X\"]\n");
        assert!(
            e.starts_with("test.toml: entity #1 (id \"X\"): unknown field `nmes`"),
            "{e}"
        );

        let e = error("[[entity]]\nid = \"X\"\nkind = \"country\"\nnames = [\"X\"]\n");
        assert_eq!(e, "test.toml: entity #1 (id \"X\"): missing field `label`");

        let e = error(&format!(
            "{SAMPLE}\n[[entity]]\nkind = \"country\"\nlabel = \"Y\"\nnames = [\"Y\"]\n"
        ));
        assert_eq!(e, "test.toml: entity #3: missing field `id`");

        let e =
            error("[[entity]]\nid = \"X\"\nkind = \"c\"\nlabel = \"X\"\nnames = [\"X\", \" \"]\n");
        assert_eq!(e, "test.toml: entity #1 (id \"X\"): `names[1]` is empty");

        let e = error("[[entity]]\nid = \"X\"\nkind = \"c\"\nlabel = \"X\"\n");
        assert!(
            e.ends_with("has no names: give `names`, `exact` or both"),
            "{e}"
        );

        let e = error("[[entity]]\nid = \"\"\nkind = \"c\"\nlabel = \"X\"\nnames = [\"X\"]\n");
        assert!(e.ends_with("`id` is empty"), "{e}");

        let e = error(&format!(
            "{SAMPLE}\n[[entity]]\nid = \"CD\"\nkind = \"country\"\nlabel = \"Z\"\nnames = [\"Z\"]\n"
        ));
        assert!(e.contains("entity #3 (id \"CD\")"), "{e}");
        assert!(e.contains("already used by entity #1"), "{e}");

        let e = error("[[entities]]\nid = \"X\"\n");
        assert!(
            e.starts_with("test.toml: ") && e.contains("unknown field `entities`"),
            "{e}"
        );

        let e = error("[[entity]\n");
        assert!(e.starts_with("test.toml: "), "{e}");
    }

    #[test]
    fn load_reports_missing_file() {
        let path = Path::new("/nonexistent/commwatch/gazetteer.toml");
        let e = Gazetteer::load(path).map(|_| ()).map_err(|e| e.to_string());
        let message = e.err().unwrap_or_default();
        assert!(
            message.starts_with("cannot read gazetteer /nonexistent/commwatch/gazetteer.toml"),
            "{message}"
        );
    }

    #[test]
    fn of_kinds_keeps_those_kinds_findable() {
        let g = Gazetteer::builtin().of_kinds(&["country", "organization"]);
        assert!(
            g.entities()
                .all(|e| matches!(&**e.kind(), "country" | "organization"))
        );
        assert!(g.entity("country", "FI").is_some());
        assert!(g.entity("organization", "nato").is_some());
        assert!(g.entity("place", "mogadishu").is_none());
    }

    #[test]
    fn extend_merges_same_kind_and_id() -> Result<(), GazetteerError> {
        let mut g = load(SAMPLE)?;
        let more = load(
            r#"
[[entity]]
id = "CD"
kind = "country"
label = "Congo (Kinshasa)"
names = ["DR Congo", "Zaire"]
[[entity]]
id = "AU"
kind = "organization"
label = "African Union"
names = ["African Union"]
exact = ["AU"]
"#,
        )?;
        g.extend(more);
        assert_eq!(g.len(), 3);
        let cd = g.entity("country", "CD");
        assert_eq!(
            cd.map(|e| (&**e.label(), e.names().len())),
            Some(("Democratic Republic of the Congo", 4))
        );
        assert!(g.entity("organization", "AU").is_some());
        Ok(())
    }
}
