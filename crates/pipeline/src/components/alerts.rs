//! Stage type `alerts`: the alert lifecycle between the stages that raise alerts and the sinks
//! that notify them — near-duplicate communiqués, deduplication and throttling, routing.
//!
//! It keeps state across events (which fingerprints were sent when, which texts were seen), so
//! it runs on one worker; with `history`, the last sends come from the SQLite alert store too,
//! so restarts and other instances sharing the store do not notify the same situation again.

use std::sync::{Arc, Mutex};

use commwatch_alerting::{AlertGate, AlertStage, AlertStore, AlertingConfig};
use commwatch_core::Transform;
use commwatch_runtime::StageFactory;

use super::Ctx;
use crate::error::ConfigError;

/// A checked `alerts` stage.
pub(crate) struct AlertsSpec {
    gate: Arc<Mutex<AlertGate>>,
    routes: AlertingConfig,
    key: String,
    origin: String,
}

/// Parses the options (those of [`AlertingConfig`], plus `history`, the SQLite store to consult
/// for earlier sends) and opens the store.
pub(crate) fn prepare(
    options: serde_json::Value,
    ctx: &Ctx<'_>,
) -> Result<AlertsSpec, ConfigError> {
    let serde_json::Value::Object(mut table) = options else {
        return Err(ctx.error("", "expected a table"));
    };
    let history = match table.remove("history") {
        None => None,
        Some(serde_json::Value::String(path)) => Some(path),
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
    let mut gate = AlertGate::new(config.clone());
    if let Some(path) = history {
        let path = ctx.resolve(&path);
        let store = AlertStore::open(&path)
            .map_err(|e| ctx.error("history", format!("{}: {e}", path.display())))?;
        gate = gate.with_store(store);
    }
    Ok(AlertsSpec {
        gate: Arc::new(Mutex::new(gate)),
        routes: config,
        key: ctx.key.clone(),
        origin: ctx.origin.clone(),
    })
}

impl AlertsSpec {
    /// Checks that every route names sinks of the pipeline.
    pub(crate) fn check_routes(&self, sinks: &[&str]) -> Result<(), ConfigError> {
        self.routes.routes.check_sinks(sinks).map_err(|e| {
            ConfigError::new(&self.origin, format!("{}.{}", self.key, e.path), e.message)
        })
    }

    /// The stage (one worker, sharing the gate).
    pub(crate) fn factory(self) -> StageFactory {
        let gate = self.gate;
        Box::new(move || Ok(Box::new(AlertStage::new(Arc::clone(&gate))) as Box<dyn Transform>))
    }
}
