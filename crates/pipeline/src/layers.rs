//! Reading the configuration layers: the file, then the environment, then `--set` overrides.
//!
//! The `config` crate merges the layers and remembers where each value came from, so an error
//! about a value set by `COMMWATCH__STAGES__TAG__WORKERS` names the environment, not the file.

use std::path::Path;

use config::{Config, Environment, File, FileFormat, Map, Value, ValueKind};

use crate::error::{ConfigError, ConfigErrors};

/// Prefix of environment overrides: `COMMWATCH__STAGES__TAG__WORKERS=4`.
pub(crate) const ENV_PREFIX: &str = "COMMWATCH";

/// The merged configuration tree.
pub(crate) struct Layered {
    pub(crate) file: String,
    pub(crate) root: Map<String, Value>,
}

/// Reads `path`, then the environment, then each `key.path=value` of `sets`.
pub(crate) fn load(path: &Path, sets: &[String]) -> Result<Layered, ConfigErrors> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(&file, "", format!("cannot read the pipeline file: {e}")))?;
    load_text(&file, &text, sets)
}

/// Like [`load`], for pipeline text that did not come from a file; `file` names it in errors.
pub(crate) fn load_text(file: &str, text: &str, sets: &[String]) -> Result<Layered, ConfigErrors> {
    let file = file.to_string();
    // Parse once ourselves: toml's own error carries the line and column.
    if let Err(e) = text.parse::<toml::Table>() {
        return Err(ConfigError::new(
            &file,
            "",
            format!("not valid TOML: {}", e.to_string().trim_end()),
        )
        .into());
    }
    let mut builder = Config::builder()
        .add_source(File::from_str(text, FileFormat::Toml))
        .add_source(
            Environment::with_prefix(ENV_PREFIX)
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
    for set in sets {
        let Some((key, value)) = set.split_once('=') else {
            return Err(ConfigError::new(
                "--set",
                set.as_str(),
                "expected KEY=VALUE, e.g. stages.tag.workers=2",
            )
            .into());
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(
                ConfigError::new("--set", set.as_str(), "the key before '=' is empty").into(),
            );
        }
        builder = builder
            .set_override(key, parse_override(value))
            .map_err(|e| ConfigError::new("--set", key, e.to_string()))?;
    }
    let config = builder
        .build()
        .map_err(|e| ConfigError::new(&file, "", e.to_string()))?;
    // The cache keeps each value's origin; deserializing it into a map would drop them.
    let root = match config.cache.kind {
        ValueKind::Table(root) => root,
        _ => return Err(ConfigError::new(&file, "", "expected a table at the top level").into()),
    };
    Ok(Layered { file, root })
}

/// A `--set` value is read as a TOML value when it parses as one (`4`, `true`, `["a", "b"]`),
/// else as a plain string, so `--set sinks.out.path=alerts.jsonl` needs no quotes.
fn parse_override(value: &str) -> Value {
    let origin = Some("--set".to_string());
    match format!("v = {value}").parse::<toml::Table>() {
        Ok(mut table) => match table.remove("v") {
            Some(v) => Value::new(origin.as_ref(), toml_kind(v, &origin)),
            None => Value::new(origin.as_ref(), value),
        },
        Err(_) => Value::new(origin.as_ref(), value),
    }
}

fn toml_kind(v: toml::Value, origin: &Option<String>) -> ValueKind {
    match v {
        toml::Value::String(s) => ValueKind::String(s),
        toml::Value::Integer(i) => ValueKind::I64(i),
        toml::Value::Float(f) => ValueKind::Float(f),
        toml::Value::Boolean(b) => ValueKind::Boolean(b),
        toml::Value::Datetime(d) => ValueKind::String(d.to_string()),
        toml::Value::Array(a) => ValueKind::Array(
            a.into_iter()
                .map(|v| Value::new(origin.as_ref(), toml_kind(v, origin)))
                .collect(),
        ),
        toml::Value::Table(t) => ValueKind::Table(
            t.into_iter()
                .map(|(k, v)| (k, Value::new(origin.as_ref(), toml_kind(v, origin))))
                .collect(),
        ),
    }
}

impl Layered {
    /// Where the value at `path` (relative to the root) came from: the pipeline file, the
    /// environment or `--set`.
    pub(crate) fn origin(&self, path: &[&str]) -> String {
        let mut current: Option<&Value> = None;
        let mut table = Some(&self.root);
        for key in path {
            let Some(value) = table.and_then(|t| t.get(*key)) else {
                break;
            };
            current = Some(value);
            table = match &value.kind {
                ValueKind::Table(t) => Some(t),
                _ => None,
            };
        }
        match current.and_then(|v| v.origin()) {
            Some("--set") => "--set".to_string(),
            Some(o) if o.contains("environment") => "environment".to_string(),
            _ => self.file.clone(),
        }
    }
}

/// A configuration value as JSON, for deserializing typed options with precise error paths.
pub(crate) fn to_json(value: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match &value.kind {
        ValueKind::Nil => J::Null,
        ValueKind::Boolean(b) => J::Bool(*b),
        ValueKind::I64(i) => J::from(*i),
        ValueKind::I128(i) => i64::try_from(*i)
            .map(J::from)
            .unwrap_or_else(|_| J::String(i.to_string())),
        ValueKind::U64(u) => J::from(*u),
        ValueKind::U128(u) => u64::try_from(*u)
            .map(J::from)
            .unwrap_or_else(|_| J::String(u.to_string())),
        ValueKind::Float(f) => serde_json::Number::from_f64(*f)
            .map(J::Number)
            .unwrap_or(J::Null),
        ValueKind::String(s) => J::String(s.clone()),
        ValueKind::Array(a) => J::Array(a.iter().map(to_json).collect()),
        ValueKind::Table(t) => J::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}
