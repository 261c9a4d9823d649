//! Stage type `plugin`: a native stage loaded from a shared library at run time.
//!
//! The plugin is loaded and checked while the pipeline is validated (file ownership and
//! permissions, the optional SHA-256 pin, ABI version, layout hash), and its configuration is
//! tried by creating one instance, so `commwatch validate` reports a rejected configuration with
//! the plugin's own message. Each worker thread then gets its own instance.

use std::path::PathBuf;
use std::sync::Arc;

use commwatch_core::Transform;
use commwatch_plugin_host::{PanicPolicy, Plugin, PluginStage};
use commwatch_runtime::StageFactory;
use commwatch_text::Gazetteer;
use serde::Deserialize;

use super::Ctx;
use crate::error::ConfigError;

/// `type = "plugin"`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PluginOptions {
    /// Plugin name: the file `lib<name>.so` (dashes as underscores) is looked up in the
    /// `[pipeline] plugin_dirs`. Give this or `path`.
    plugin: Option<String>,
    /// Path of the plugin file, relative to the pipeline file's directory. Give this or `plugin`.
    path: Option<String>,
    /// Refuse the plugin unless its SHA-256 (hex) equals this.
    sha256: Option<String>,
    /// What to do when the plugin panics: `restart` (retry the event once on a fresh instance),
    /// `dead-letter` (dead-letter the event), `stop` (stop the pipeline). Default `restart`.
    #[serde(default)]
    on_panic: PanicOption,
    /// The plugin's own configuration, passed to it as JSON.
    #[serde(default)]
    config: serde_json::Map<String, serde_json::Value>,
    /// The id of a `tag` stage whose gazetteer regions (id, label, names, member countries) are
    /// passed to the plugin as `config.regions`, so regions are defined in one place.
    regions_from: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum PanicOption {
    #[default]
    Restart,
    DeadLetter,
    Stop,
}

/// A loaded plugin and its configuration, ready to instantiate once regions are resolved.
pub(crate) struct PluginSpec {
    plugin: Arc<Plugin>,
    config: serde_json::Map<String, serde_json::Value>,
    policy: PanicPolicy,
    /// The tag stage to take regions from, with the key path and origin for errors.
    pub(crate) regions_from: Option<String>,
    key: String,
    origin: String,
    frozen: Option<Arc<str>>,
}

/// Parses the options, finds and loads the plugin file.
pub(crate) fn prepare(
    options: serde_json::Value,
    ctx: &Ctx<'_>,
    plugin_dirs: &[PathBuf],
) -> Result<PluginSpec, ConfigError> {
    let o: PluginOptions = ctx.options(options)?;
    let path = match (&o.plugin, &o.path) {
        (Some(_), Some(_)) => {
            return Err(ctx.error("path", "give either `plugin` (a name) or `path`, not both"));
        }
        (None, None) => {
            return Err(ctx.error(
                "plugin",
                "missing; name the plugin (`plugin = \"accession\"`) or give its `path`",
            ));
        }
        (None, Some(path)) => ctx.existing_file("path", path)?,
        (Some(name), None) => {
            let file = format!("lib{}.so", name.replace('-', "_"));
            match plugin_dirs
                .iter()
                .map(|d| d.join(&file))
                .find(|p| p.is_file())
            {
                Some(p) => p,
                None => {
                    let dirs: Vec<String> = plugin_dirs
                        .iter()
                        .map(|d| d.display().to_string())
                        .collect();
                    return Err(ctx.error(
                        "plugin",
                        format!(
                            "no {file} in the plugin directories ({}); build it (cargo build --release -p {name}), set `path`, or set [pipeline] plugin_dirs",
                            dirs.join(", ")
                        ),
                    ));
                }
            }
        }
    };
    let field = if o.plugin.is_some() { "plugin" } else { "path" };
    let plugin =
        Plugin::load(&path, o.sha256.as_deref()).map_err(|e| ctx.error(field, e.to_string()))?;
    let policy = match o.on_panic {
        PanicOption::Restart => PanicPolicy::Restart,
        PanicOption::DeadLetter => PanicPolicy::DeadLetter,
        PanicOption::Stop => PanicPolicy::Stop,
    };
    Ok(PluginSpec {
        plugin,
        config: o.config,
        policy,
        regions_from: o.regions_from,
        key: ctx.key.clone(),
        origin: ctx.origin.clone(),
        frozen: None,
    })
}

/// The regions of a gazetteer as JSON for a plugin's configuration.
pub(crate) fn regions_json(gazetteer: &Gazetteer) -> serde_json::Value {
    let regions: Vec<serde_json::Value> = gazetteer
        .entities()
        .filter(|e| &**e.kind() == "region")
        .map(|e| {
            serde_json::json!({
                "id": &**e.id(),
                "label": &**e.label(),
                "names": e.names(),
                "members": e.members(),
            })
        })
        .collect();
    serde_json::Value::Array(regions)
}

impl PluginSpec {
    /// Completes the configuration (with regions, when asked for) and creates one instance to
    /// check that the plugin accepts it.
    pub(crate) fn finish(&mut self, regions: Option<serde_json::Value>) -> Result<(), ConfigError> {
        if let Some(regions) = regions {
            self.config.insert("regions".to_string(), regions);
        }
        let text: Arc<str> = Arc::from(serde_json::Value::Object(self.config.clone()).to_string());
        PluginStage::new(Arc::clone(&self.plugin), Arc::clone(&text), self.policy).map_err(
            |e| ConfigError::new(&self.origin, format!("{}.config", self.key), e.to_string()),
        )?;
        self.frozen = Some(text);
        Ok(())
    }

    /// The key path of this stage, for errors about `regions_from`.
    pub(crate) fn error(&self, field: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::new(&self.origin, format!("{}.{field}", self.key), message)
    }

    /// A factory making one plugin instance per worker thread.
    pub(crate) fn factory(self) -> StageFactory {
        let config = self.frozen.unwrap_or_else(|| Arc::from("{}"));
        let (plugin, policy) = (self.plugin, self.policy);
        Box::new(move || {
            PluginStage::new(Arc::clone(&plugin), Arc::clone(&config), policy)
                .map(|s| Box::new(s) as Box<dyn Transform>)
                .map_err(|e| e.to_string())
        })
    }
}
