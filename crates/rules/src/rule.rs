//! One validated rule.
//!
//! A [`Rule`] is what the file said, checked: id, severity, query, scope, labels and the summary
//! template are validated once at load time so that evaluation cannot meet a malformed rule. How a
//! rule is *matched* (literal ids in the shared automaton, its prefilter requirement) lives with
//! the [`RuleSet`](crate::RuleSet).

use std::collections::BTreeMap;

use commwatch_core::{Severity, Symbol};

use crate::fold::fold_term;
use crate::query::{Query, QueryError};
use crate::spec::RuleSpec;
use crate::template::{RESERVED, Template};

/// One rule of a [`RuleSet`](crate::RuleSet): its query, where it must hold, and what its alerts
/// look like.
#[derive(Clone, Debug)]
pub struct Rule {
    pub(crate) id: Symbol,
    description: Option<String>,
    pub(crate) severity: Severity,
    pub(crate) enabled: bool,
    pub(crate) query: Query,
    pub(crate) scope: Scope,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) key_labels: Option<Vec<String>>,
    /// Entity kinds the query refers to outside `NOT`, sorted: each becomes a computed label.
    pub(crate) kinds: Vec<String>,
    pub(crate) summary: Template,
}

/// Where a rule's query must hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Anywhere in the document (the default).
    Document,
    /// Within one sentence ([`Communique::sentences`](commwatch_core::Communique::sentences));
    /// the whole document when the event has no sentences.
    Sentence,
    /// Within the first N sentences taken together; the whole document when it has no
    /// sentences.
    FirstSentences(usize),
}

/// A validation failure, before the caller adds the origin and rule position.
pub(crate) enum Invalid {
    /// A field (`severity`, `labels.x`) is wrong.
    Field { field: String, problem: String },
    /// The query does not parse.
    Query(QueryError),
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Invalid {
    Invalid::Field {
        field: field.into(),
        problem: problem.into(),
    }
}

impl Rule {
    /// The rule's id, unique in its set; alerts carry it as [`Alert::rule`](commwatch_core::Alert::rule).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What the rule is for, in the analyst's words, when the file says.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The severity of the alerts the rule raises.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// False when the file disabled the rule: it is validated but never evaluated.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The parsed query; its `Display` is the canonical form.
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// Where the query must hold.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// The static labels every alert of the rule carries.
    pub fn labels(&self) -> &BTreeMap<String, String> {
        &self.labels
    }

    /// The labels the fingerprint is made of, when the file names them (default: all labels).
    pub fn key_labels(&self) -> Option<&[String]> {
        self.key_labels.as_deref()
    }

    /// The computed label names: the entity kinds the query refers to outside `NOT`, sorted.
    pub fn computed_labels(&self) -> &[String] {
        &self.kinds
    }

    /// Validates one `[[rule]]` table.
    pub(crate) fn from_spec(spec: RuleSpec) -> Result<Rule, Invalid> {
        validate_id(&spec.id)?;
        let severity = spec
            .severity
            .parse::<Severity>()
            .map_err(|problem| invalid("severity", problem))?;
        let query = Query::parse(spec.query.get_ref()).map_err(Invalid::Query)?;
        check_terms(&query)?;
        let scope = match &spec.scope {
            None => Scope::Document,
            Some(value) => parse_scope(value)?,
        };
        let mut kinds = Vec::new();
        positive_kinds(&query, false, &mut kinds);
        kinds.sort();
        kinds.dedup();
        for name in spec.labels.keys() {
            if RESERVED.contains(&name.as_str()) || name.starts_with("entities") {
                return Err(invalid(
                    format!("labels.{name}"),
                    format!(
                        "label name `{name}` is reserved (reserved: {}, entities:…)",
                        RESERVED.join(", ")
                    ),
                ));
            }
            if kinds.contains(name) {
                return Err(invalid(
                    format!("labels.{name}"),
                    format!(
                        "label `{name}` is computed from @{name} in the query; choose another name"
                    ),
                ));
            }
        }
        if let Some(keys) = &spec.key_labels {
            for (i, key) in keys.iter().enumerate() {
                if !spec.labels.contains_key(key) && !kinds.contains(key) {
                    let mut known: Vec<&str> = spec.labels.keys().map(String::as_str).collect();
                    known.extend(kinds.iter().map(String::as_str));
                    known.sort_unstable();
                    return Err(invalid(
                        format!("key_labels[{i}]"),
                        format!("unknown label `{key}`; labels: {}", known.join(", ")),
                    ));
                }
                if keys[..i].contains(key) {
                    return Err(invalid(
                        format!("key_labels[{i}]"),
                        format!("`{key}` repeated"),
                    ));
                }
            }
        }
        let summary = Template::parse(&spec.summary, &spec.labels, &kinds)
            .map_err(|problem| invalid("summary", problem))?;
        Ok(Rule {
            id: spec.id.into(),
            description: spec.description,
            severity,
            enabled: spec.enabled,
            query,
            scope,
            labels: spec.labels,
            key_labels: spec.key_labels,
            kinds,
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

fn parse_scope(value: &toml::Value) -> Result<Scope, Invalid> {
    const EXPECTED: &str = "expected \"document\", \"sentence\" or { first_sentences = N }";
    match value {
        toml::Value::String(s) if s == "document" => Ok(Scope::Document),
        toml::Value::String(s) if s == "sentence" => Ok(Scope::Sentence),
        toml::Value::Table(t) if t.len() == 1 => match t.get("first_sentences") {
            Some(toml::Value::Integer(n)) if *n >= 1 => Ok(Scope::FirstSentences(*n as usize)),
            Some(_) => Err(invalid(
                "scope.first_sentences",
                "must be a whole number of at least 1",
            )),
            None => Err(invalid("scope", EXPECTED)),
        },
        _ => Err(invalid("scope", format!("{EXPECTED}, got {value}"))),
    }
}

/// Every literal term must leave something to match once folded.
fn check_terms(query: &Query) -> Result<(), Invalid> {
    match query {
        Query::Text(p) if fold_term(&p.text).is_empty() => Err(invalid(
            "query",
            format!("term {:?} has nothing left to match once folded", p.text),
        )),
        Query::Not(q) => check_terms(q),
        Query::And(a, b) | Query::Or(a, b) => check_terms(a).and(check_terms(b)),
        Query::Near { left, right, .. } => check_terms(left).and(check_terms(right)),
        _ => Ok(()),
    }
}

/// The entity kinds referred to outside any `NOT`.
pub(crate) fn positive_kinds(query: &Query, negated: bool, out: &mut Vec<String>) {
    match query {
        Query::Entity(e) | Query::Count { entity: e, .. } if !negated => out.push(e.kind.clone()),
        Query::Not(q) => positive_kinds(q, true, out),
        Query::And(a, b) | Query::Or(a, b) => {
            positive_kinds(a, negated, out);
            positive_kinds(b, negated, out);
        }
        Query::Near { left, right, .. } => {
            positive_kinds(left, negated, out);
            positive_kinds(right, negated, out);
        }
        _ => {}
    }
}
