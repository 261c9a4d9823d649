//! The rule file as written, before validation.
//!
//! Kept apart from [`Rule`](crate::Rule) so that serde's view of the file (optional fields,
//! strings for severities, the raw `scope` value) never leaks into the engine: everything here is
//! checked and converted once, at load time.

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
    /// With its byte range in the file, so parse errors can point into it.
    pub(crate) query: toml::Spanned<String>,
    /// A string rather than [`Severity`](commwatch_core::Severity) so the error can name the rule.
    pub(crate) severity: String,
    #[serde(default)]
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) summary: String,
    pub(crate) description: Option<String>,
    /// `"document"`, `"sentence"` or `{ first_sentences = N }`, checked by hand for a clear error.
    pub(crate) scope: Option<toml::Value>,
    #[serde(default = "enabled_by_default")]
    pub(crate) enabled: bool,
    pub(crate) key_labels: Option<Vec<String>>,
}

fn enabled_by_default() -> bool {
    true
}
