//! The rule file as written, before validation.
//!
//! Kept apart from [`Rule`](crate::Rule) so that serde's view of the file (optional fields, strings
//! for severities) never leaks into the engine: everything here is checked and converted once, at
//! load time, and evaluation never re-validates.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A whole rule file: a list of `[[rule]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    #[serde(default)]
    pub(crate) rule: Vec<RuleSpec>,
}

/// One `[[rule]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleSpec {
    pub(crate) id: String,
    pub(crate) description: String,
    /// A string rather than [`Severity`](commwatch_core::Severity) so the error can name the rule.
    pub(crate) severity: String,
    #[serde(default)]
    pub(crate) any: Vec<String>,
    #[serde(default)]
    pub(crate) all: Vec<String>,
    #[serde(default)]
    pub(crate) none: Vec<String>,
    pub(crate) entity: Option<String>,
    pub(crate) within: Option<usize>,
    pub(crate) min_entities: Option<usize>,
    #[serde(default)]
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) summary: String,
    #[serde(default = "enabled_by_default")]
    pub(crate) enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}
