//! The component types a pipeline file can name, each with its options.
//!
//! A component is prepared in two steps. *Prepare* parses and checks its options and loads what it
//! needs (rule files, gazetteers) without side effects, so `commwatch validate` can run it.
//! *Build* then creates the running component, opening output files if it has any.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::error::ConfigError;

pub(crate) mod alerts;
pub(crate) mod plugin;
pub(crate) mod sinks;
pub(crate) mod sources;
pub(crate) mod stages;

/// Source types, as written in `type = "…"`.
pub const SOURCE_TYPES: &[&str] = &["files", "feed", "jsonl", "stdin"];
/// Stage types, as written in `type = "…"`.
pub const STAGE_TYPES: &[&str] = &["normalize", "tag", "rules", "plugin", "alerts"];
/// Sink types, as written in `type = "…"`.
pub const SINK_TYPES: &[&str] = &["console", "jsonl", "sqlite", "webhook", "alertmanager"];

/// Where a component's options came from, for resolving paths and naming errors.
pub(crate) struct Ctx<'a> {
    /// Directory relative paths are resolved against: the pipeline file's directory.
    pub(crate) base_dir: &'a Path,
    /// The pipeline file or the override layer the component's table came from.
    pub(crate) origin: String,
    /// Key path of the component's table, e.g. `stages.tag`.
    pub(crate) key: String,
    /// Names valid in the component's table besides its own options (`type`, `inputs`, …).
    pub(crate) common_keys: &'static [&'static str],
    /// Directories searched for plugins named by `plugin = "…"`.
    pub(crate) plugin_dirs: &'a [PathBuf],
}

impl Ctx<'_> {
    /// An error at `<component key>.<field>`.
    pub(crate) fn error(&self, field: &str, message: impl Into<String>) -> ConfigError {
        let key = if field.is_empty() {
            self.key.clone()
        } else {
            format!("{}.{field}", self.key)
        };
        ConfigError::new(&self.origin, key, message)
    }

    /// Resolves a path from the pipeline file against the file's directory.
    pub(crate) fn resolve(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }

    /// Checks that `path` (an option value at `field`) names an existing file.
    pub(crate) fn existing_file(&self, field: &str, path: &str) -> Result<PathBuf, ConfigError> {
        let resolved = self.resolve(path);
        if resolved.is_file() {
            Ok(resolved)
        } else {
            Err(self.error(field, format!("file {} does not exist (expected a path relative to the pipeline file's directory, or absolute)", resolved.display())))
        }
    }

    /// Deserializes a component's own options, turning serde's message into a keyed error with
    /// a suggestion for a misspelt name.
    pub(crate) fn options<T: DeserializeOwned>(
        &self,
        value: serde_json::Value,
    ) -> Result<T, ConfigError> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." { String::new() } else { path };
            let message = e.inner().to_string();
            let suggestion = misspelt_name(&message, self.common_keys);
            let message = message.replace("unknown field", "unknown option");
            self.error(&field, message).suggest(suggestion)
        })
    }
}

/// For serde's "unknown field `x`, expected one of `a`, `b`" (or "unknown variant …"), the
/// expected name nearest to `x`, also considering `extra` names.
fn misspelt_name(message: &str, extra: &[&str]) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))?;
    let (given, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .chain(extra.iter().copied())
        .collect();
    commwatch_runtime::nearest(given, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_from_serde_messages() {
        let m = "unknown field `pathz`, expected one of `paths`, `recursive`";
        assert_eq!(misspelt_name(m, &[]), Some("paths".into()));
        let m = "unknown variant `alert`, expected `events` or `alerts`";
        assert_eq!(misspelt_name(m, &[]), Some("alerts".into()));
        let m = "unknown field `input`, expected `max_bytes`";
        assert_eq!(misspelt_name(m, &["type", "inputs"]), Some("inputs".into()));
        assert_eq!(misspelt_name("missing field `paths`", &[]), None);
    }
}

/// A duration given as a number of seconds or as text with a unit (`"30s"`, `"5m"`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct DurationOption(pub(crate) std::time::Duration);

impl<'de> serde::Deserialize<'de> for DurationOption {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DurationOption, D::Error> {
        struct DurationVisitor;

        impl serde::de::Visitor<'_> for DurationVisitor {
            type Value = DurationOption;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number of seconds or a duration such as \"30s\", \"5m\" or \"1h\"")
            }

            fn visit_u64<E: serde::de::Error>(self, secs: u64) -> Result<DurationOption, E> {
                Ok(DurationOption(std::time::Duration::from_secs(secs)))
            }

            fn visit_i64<E: serde::de::Error>(self, secs: i64) -> Result<DurationOption, E> {
                u64::try_from(secs)
                    .map(|secs| DurationOption(std::time::Duration::from_secs(secs)))
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(secs), &self))
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DurationOption, E> {
                commwatch_core::parse_duration(text)
                    .map(DurationOption)
                    .map_err(E::custom)
            }
        }

        deserializer.deserialize_any(DurationVisitor)
    }
}
