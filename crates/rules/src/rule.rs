//! One validated rule.
//!
//! A [`Rule`] is what the file said, checked: ids, severities, phrases and the summary template
//! are validated once at load time so that evaluation cannot meet a malformed rule. How a rule is
//! *matched* (pattern ids in the shared automaton) lives with the [`RuleSet`](crate::RuleSet), so
//! that the query language planned next can replace the matching plan without touching this.

use std::collections::BTreeMap;

use commwatch_core::{Severity, Symbol};

use crate::spec::RuleSpec;
use crate::template::{BUILTIN_PLACEHOLDERS, Template};

/// One rule of a [`RuleSet`](crate::RuleSet): the phrases that trigger it, the entities it needs,
/// and what its alerts look like.
#[derive(Clone, Debug)]
pub struct Rule {
    pub(crate) id: Symbol,
    description: String,
    pub(crate) severity: Severity,
    pub(crate) enabled: bool,
    /// Phrases as written (trimmed).
    pub(crate) any: Vec<Symbol>,
    pub(crate) all: Vec<Symbol>,
    pub(crate) none: Vec<Symbol>,
    pub(crate) entity: Option<EntityRequirement>,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) summary: Template,
}

/// The entities a rule needs to fire.
#[derive(Clone, Debug)]
pub(crate) struct EntityRequirement {
    /// The span kind, e.g. `country`.
    pub(crate) kind: String,
    /// How close (raw bytes) an entity must be to a phrase hit; `None` means anywhere.
    pub(crate) within: Option<usize>,
    /// How many distinct entity ids must qualify.
    pub(crate) min: usize,
}

/// A validation failure, before the caller adds the origin and rule position.
pub(crate) struct Invalid {
    pub(crate) field: String,
    pub(crate) problem: String,
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Invalid {
    Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

impl Rule {
    /// The rule's id, unique in its set; alerts carry it as [`Alert::rule`](commwatch_core::Alert::rule).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What the rule is for, in the analyst's words.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The severity of the alerts the rule raises.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// False when the file disabled the rule: it is validated but never evaluated.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The span kind the rule needs (`country`), if any.
    pub fn entity(&self) -> Option<&str> {
        self.entity.as_ref().map(|e| e.kind.as_str())
    }

    /// The static labels every alert of the rule carries.
    pub fn labels(&self) -> &BTreeMap<String, String> {
        &self.labels
    }

    /// Validates one `[[rule]]` table.
    pub(crate) fn from_spec(spec: RuleSpec) -> Result<Rule, Invalid> {
        validate_id(&spec.id)?;
        let severity = spec
            .severity
            .parse::<Severity>()
            .map_err(|problem| invalid("severity", problem))?;
        let any = phrases("any", &spec.any)?;
        let all = phrases("all", &spec.all)?;
        let none = phrases("none", &spec.none)?;
        if any.is_empty() && all.is_empty() {
            return Err(invalid(
                "any",
                "a rule needs at least one phrase in `any` or `all`",
            ));
        }
        let entity = match (spec.entity, spec.within, spec.min_entities) {
            (None, Some(_), _) => return Err(invalid("within", "`within` needs `entity`")),
            (None, None, Some(_)) => {
                return Err(invalid("min_entities", "`min_entities` needs `entity`"));
            }
            (None, None, None) => None,
            (Some(kind), within, min) => {
                if kind.trim().is_empty() {
                    return Err(invalid("entity", "empty entity kind"));
                }
                let min = min.unwrap_or(1);
                if min == 0 {
                    return Err(invalid(
                        "min_entities",
                        "must be at least 1 (leave `entity` out to need none)",
                    ));
                }
                Some(EntityRequirement { kind, within, min })
            }
        };
        if let Some(name) = spec
            .labels
            .keys()
            .find(|k| BUILTIN_PLACEHOLDERS.contains(&k.as_str()))
        {
            return Err(invalid(
                format!("labels.{name}"),
                format!(
                    "label name `{name}` is reserved (reserved: {})",
                    BUILTIN_PLACEHOLDERS.join(", ")
                ),
            ));
        }
        let summary = Template::parse(&spec.summary, &spec.labels, entity.is_some())
            .map_err(|problem| invalid("summary", problem))?;
        Ok(Rule {
            id: spec.id.into(),
            description: spec.description,
            severity,
            enabled: spec.enabled,
            any,
            all,
            none,
            entity,
            labels: spec.labels,
            summary,
        })
    }
}

fn validate_id(id: &str) -> Result<(), Invalid> {
    let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
    if id.is_empty() || !id.chars().all(valid) {
        return Err(invalid(
            "id",
            format!("invalid id {id:?}: use one or more of a-z, 0-9 and _"),
        ));
    }
    Ok(())
}

fn phrases(field: &str, written: &[String]) -> Result<Vec<Symbol>, Invalid> {
    written
        .iter()
        .enumerate()
        .map(|(i, phrase)| match phrase.trim() {
            "" => Err(invalid(format!("{field}[{i}]"), "empty phrase")),
            trimmed => Ok(Symbol::from(trimmed)),
        })
        .collect()
}
