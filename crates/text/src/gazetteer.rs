//! Gazetteers: the lists of named entities (countries, organizations, …) the tagger looks for.
//!
//! Names are data, not code: analysts add the organizations and places they follow without
//! rebuilding anything. This module reads the TOML files they write (see `docs/gazetteer.md`),
//! checks them with errors that point at the offending entry, and merges several files into one
//! [`Gazetteer`]. The ISO 3166-1 country list ships inside the crate ([`Gazetteer::builtin`]).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use commwatch_core::Symbol;
use serde::Deserialize;

/// The bundled country gazetteer: every ISO 3166-1 code, with aliases and demonyms.
const COUNTRIES: &str = include_str!("../data/countries.toml");

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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    kind: Symbol,
    id: Symbol,
    label: Symbol,
    names: Vec<String>,
    exact: Vec<String>,
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

    /// Adds the names of `other` (the same entity from another file) not already present.
    fn absorb(&mut self, other: Entity) {
        for name in other.names {
            push_unique(&mut self.names, name);
        }
        for name in other.exact {
            push_unique(&mut self.exact, name);
        }
    }
}

fn push_unique(list: &mut Vec<String>, name: String) {
    if !list.contains(&name) {
        list.push(name);
    }
}

/// A set of [`Entity`]s, in the order they were loaded.
///
/// Load order matters in one case: when two entities share a name (say "Georgia" as a country
/// in one file and a US state in another), the tagger reports the one loaded first, always.
#[derive(Clone, Debug, Default)]
pub struct Gazetteer {
    entities: Vec<Entity>,
    /// kind → id → index in `entities`.
    index: HashMap<Symbol, HashMap<Symbol, usize>>,
}

impl Gazetteer {
    /// The gazetteer bundled with commwatch: all 249 ISO 3166-1 countries and territories
    /// (kind `country`, ids the alpha-2 codes), with official names, common aliases, demonyms
    /// and acronyms.
    pub fn builtin() -> Gazetteer {
        // The file is part of the crate and a unit test parses it, so failing here is a bug in
        // the build, not a condition a caller could handle.
        Gazetteer::from_toml_str(COUNTRIES, "builtin countries.toml")
            .unwrap_or_else(|e| panic!("the bundled gazetteer is invalid: {e}"))
    }

    /// Parses a gazetteer from TOML text. `origin` names the text (a file name) in errors.
    ///
    /// Two entries with the same kind and id in one file are an error; across files use
    /// [`extend`](Self::extend), which merges them.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Gazetteer, GazetteerError> {
        let file: FileDoc = toml::from_str(text).map_err(|e| GazetteerError::Parse {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        let mut gazetteer = Gazetteer::default();
        for (i, table) in file.entity.into_iter().enumerate() {
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

    /// Adds the entities of `other` after this gazetteer's. An entity whose kind and id already
    /// exist adds its names to the existing one (which keeps its label and position).
    pub fn extend(&mut self, other: Gazetteer) {
        for entity in other.entities {
            match self.position(&entity.kind, &entity.id) {
                Some(i) => self.entities[i].absorb(entity),
                None => self.push(entity),
            }
        }
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
    /// The text is not valid TOML, or has a top-level key other than `entity`.
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

/// A gazetteer file: a list of `[[entity]]` tables, each checked on its own so that errors can
/// name the entry.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    entity: Vec<toml::Table>,
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
        let entity = Entity {
            kind: field("kind", self.kind)?,
            id: field("id", self.id)?,
            label: field("label", self.label)?,
            names: list("names", self.names)?,
            exact: list("exact", self.exact)?,
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
        assert_eq!(g.len(), 249);
        assert!(
            g.entities()
                .all(|e| &**e.kind() == "country" && e.id().len() == 2)
        );
        for id in ["CD", "CG", "US", "GB", "TR", "CI", "VA", "XK"] {
            assert_eq!(g.entity("country", id).is_some(), id != "XK", "{id}");
        }
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
