//! `commwatch new-plugin NAME`: a plugin crate that builds and loads as generated.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Writes a new plugin crate named `name` under `dir`, depending on the SDK at `sdk` (a path)
/// or, when `sdk` is `None`, on the published SDK version. Returns the crate's directory.
pub fn new_plugin(name: &str, dir: &Path, sdk: Option<&Path>) -> anyhow::Result<PathBuf> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.starts_with(|c: char| c.is_ascii_lowercase());
    if !valid {
        bail!(
            "plugin name {name:?} must start with a lowercase letter and use only a-z, 0-9, '-' and '_'"
        );
    }
    let root = dir.join(name);
    if root.exists() {
        bail!(
            "{} already exists; choose another name or directory",
            root.display()
        );
    }
    let sdk_dep = match sdk {
        Some(path) => format!("{{ path = {:?} }}", path.display().to_string()),
        None => format!("\"{}\"", env!("CARGO_PKG_VERSION")),
    };
    let type_name: String = name
        .split(['-', '_'])
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let cargo = format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
description = "A commwatch stage plugin."

[lib]
# A shared library commwatch loads at run time.
crate-type = ["cdylib"]

[dependencies]
commwatch-plugin-sdk = {sdk_dep}
serde = {{ version = "1", features = ["derive"] }}

# Its own workspace, so it builds wherever it is created.
[workspace]

# The SDK catches panics so they cannot abort commwatch; that needs unwinding.
[profile.release]
panic = "unwind"
"#
    );
    let lib = format!(
        r##"//! {name}: a commwatch stage plugin. It tags every mention of the configured words as a
//! `keyword` span and counts them in the metadata key `{name}.count`.
//!
//! Build:      cargo build --release
//! Configure:  [stages.{name}]
//!             type = "plugin"
//!             path = "target/release/lib{lib_name}.so"
//!             inputs = ["tag"]
//!             config = {{ words = ["ceasefire", "accession"] }}

use commwatch_plugin_sdk::{{Event, NewSpan, Outcome, Output, Stage, export_stage}};

/// The plugin's configuration (the stage's `config` table in pipeline.toml).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {{
    /// Words to tag, matched case-sensitively.
    words: Vec<String>,
}}

/// The stage: one instance per worker thread.
#[derive(Debug)]
pub struct {type_name} {{
    words: Vec<String>,
}}

impl Stage for {type_name} {{
    const NAME: &'static str = "{name}";
    const VERSION: &'static str = "0.1.0";
    const CONFIG_SCHEMA: &'static str = r#"{{"type":"object","properties":{{"words":{{"type":"array","items":{{"type":"string"}}}}}},"required":["words"]}}"#;

    fn new(config: &str) -> Result<Self, String> {{
        let config: Config = commwatch_plugin_sdk::parse_config(config)?;
        if config.words.iter().any(String::is_empty) {{
            return Err("config.words: words must not be empty".into());
        }}
        Ok({type_name} {{ words: config.words }})
    }}

    fn process(&mut self, event: &Event<'_>, out: &mut Output<'_>) -> Result<Outcome, String> {{
        let mut count = 0;
        for word in &self.words {{
            for (start, _) in event.raw().match_indices(word.as_str()) {{
                out.span(&NewSpan::new(start, start + word.len(), "keyword", word, word))
                    .map_err(|e| e.to_string())?;
                count += 1;
            }}
        }}
        out.meta("{name}.count", &count.to_string()).map_err(|e| e.to_string())?;
        Ok(Outcome::Keep)
    }}
}}

export_stage!({type_name});

#[cfg(test)]
mod tests {{
    use super::*;
    use commwatch_plugin_sdk::testing::{{TestEvent, run}};

    #[test]
    fn tags_configured_words() {{
        let mut stage = {type_name}::new(r#"{{"words":["ceasefire"]}}"#).unwrap();
        let event = TestEvent {{ raw: "A ceasefire, then another ceasefire.".into(), ..TestEvent::default() }};
        let emitted = run(&mut stage, &event).unwrap();
        assert_eq!(emitted.spans.len(), 2);
        assert_eq!(emitted.metadata, [("{name}.count".to_string(), "2".to_string())]);
    }}

    #[test]
    fn rejects_bad_configuration() {{
        assert!({type_name}::new(r#"{{"words":[""]}}"#).is_err());
        assert!({type_name}::new(r#"{{"wrds":[]}}"#).unwrap_err().contains("wrds"));
    }}
}}
"##,
        lib_name = name.replace('-', "_"),
    );
    std::fs::create_dir_all(root.join("src"))
        .with_context(|| format!("creating {}", root.display()))?;
    std::fs::write(root.join("Cargo.toml"), cargo).context("writing Cargo.toml")?;
    std::fs::write(root.join("src/lib.rs"), lib).context("writing src/lib.rs")?;
    Ok(root)
}
