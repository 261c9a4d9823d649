//! Stage type `alerts`: the alert lifecycle between the stages that raise alerts and the sinks
//! that notify them — near-duplicate communiqués, deduplication and throttling, routing.
//!
//! It keeps state across events (which fingerprints were sent when, which texts were seen), so
//! it runs on one worker; with `history`, the last sends come from the SQLite alert store too,
//! so restarts and other instances sharing the store do not notify the same situation again.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use commwatch_alerting::{AlertGate, AlertStage, AlertStore, AlertingConfig};
use commwatch_core::Transform;
use commwatch_runtime::StageFactory;

use super::Ctx;
use crate::error::ConfigError;

/// A checked `alerts` stage.
pub(crate) struct AlertsSpec {
    config: AlertingConfig,
    history: Option<PathBuf>,
    key: String,
    origin: String,
}

/// Parses the options (those of [`AlertingConfig`], plus `history`, the SQLite store to consult
/// for earlier sends). The store is opened when the pipeline runs: validating creates nothing.
pub(crate) fn prepare(
    options: serde_json::Value,
    ctx: &Ctx<'_>,
) -> Result<AlertsSpec, ConfigError> {
    let serde_json::Value::Object(mut table) = options else {
        return Err(ctx.error("", "expected a table"));
    };
    let history = match table.remove("history") {
        None => None,
        Some(serde_json::Value::String(path)) => Some(ctx.resolve(&path)),
        Some(other) => {
            return Err(ctx.error(
                "history",
                format!("expected the path of the SQLite alert store, found {other}"),
            ));
        }
    };
    let config: AlertingConfig = ctx.options(serde_json::Value::Object(table))?;
    config
        .validate()
        .map_err(|e| ctx.error(e.field, e.message))?;
    if let Some(path) = &history {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(ctx.error(
                "history",
                format!("directory {} does not exist", dir.display()),
            ));
        }
    }
    Ok(AlertsSpec {
        config,
        history,
        key: ctx.key.clone(),
        origin: ctx.origin.clone(),
    })
}

impl AlertsSpec {
    /// Checks that every route names sinks of the pipeline.
    pub(crate) fn check_routes(&self, sinks: &[&str]) -> Result<(), ConfigError> {
        self.config.routes.check_sinks(sinks).map_err(|e| {
            ConfigError::new(&self.origin, format!("{}.{}", self.key, e.path), e.message)
        })
    }

    /// The stage (one worker). The gate, and the store it consults, are made on first use. With
    /// `keep_decisions` (a pipeline with a state store), replayed communiqués keep the decisions
    /// the history recorded.
    pub(crate) fn factory(self, keep_decisions: bool) -> StageFactory {
        let (config, history) = (self.config, self.history);
        let gate: Mutex<Option<Arc<Mutex<AlertGate>>>> = Mutex::new(None);
        Box::new(move || {
            let mut shared = gate
                .lock()
                .map_err(|_| "the alerts stage's state was poisoned".to_string())?;
            let gate = match shared.as_ref() {
                Some(g) => Arc::clone(g),
                None => {
                    let mut g = AlertGate::new(config.clone());
                    if let Some(path) = &history {
                        let store = AlertStore::open(path)
                            .map_err(|e| format!("{}: {e}", path.display()))?;
                        g = g.with_store(store);
                        if keep_decisions {
                            g = g.keeping_decisions();
                        }
                    }
                    Arc::clone(shared.insert(Arc::new(Mutex::new(g))))
                }
            };
            Ok(Box::new(AlertStage::new(gate)) as Box<dyn Transform>)
        })
    }
}
