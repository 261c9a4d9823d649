//! The alerting step: decides, for each communiqué's alerts, whether they are notified and where.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use commwatch_core::{Communique, Outcome, StageError, Transform};
use serde::Deserialize;

use crate::dedup::{DEFAULT_DEDUP_CAPACITY, Decision, Deduplicator};
use crate::neardup::{self, NearDuplicates};
use crate::record::{META_ALERTED_AT, META_DUPLICATE_OF, SUPPRESSED_DUPLICATE, SUPPRESSED_REPEAT};
use crate::route::RoutingTree;
use crate::store::AlertStore;

/// Settings of the alerting step (the `alerts` stage), with their defaults.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertingConfig {
    /// How long after a fingerprint was sent its repeats are held back. Default `"4h"`, as in
    /// Alertmanager.
    #[serde(deserialize_with = "crate::duration::deserialize")]
    pub repeat_interval: Duration,
    /// The greatest distance between the 128-bit SimHashes of two communiqués that can be
    /// near-duplicates (0: only identical hashes). Default [`neardup::DEFAULT_MAX_DISTANCE`]; at
    /// most [`neardup::MAX_DISTANCE_LIMIT`].
    pub near_duplicate_distance: u32,
    /// How many recent communiqués near-duplicates are looked for among. Default
    /// [`neardup::DEFAULT_CAPACITY`].
    pub near_duplicate_capacity: usize,
    /// How many fingerprints' last sends are kept in memory (the alert store, when given, remembers
    /// the rest). Default [`DEFAULT_DEDUP_CAPACITY`].
    pub dedup_capacity: usize,
    /// The routing tree (`[[routes]]`). Default: none, every alert to every sink.
    pub routes: RoutingTree,
}

impl Default for AlertingConfig {
    fn default() -> AlertingConfig {
        AlertingConfig {
            repeat_interval: Duration::from_secs(4 * 3_600),
            near_duplicate_distance: neardup::DEFAULT_MAX_DISTANCE,
            near_duplicate_capacity: neardup::DEFAULT_CAPACITY,
            dedup_capacity: DEFAULT_DEDUP_CAPACITY,
            routes: RoutingTree::default(),
        }
    }
}

/// A setting of [`AlertingConfig`] out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ConfigError {
    /// The key, e.g. `near_duplicate_distance`.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

impl AlertingConfig {
    /// Checks the ranges that deserialization cannot: the distance limit and non-zero capacities.
    /// (Route errors are reported when the routes are read; sink ids are checked against the
    /// pipeline with [`RoutingTree::check_sinks`].)
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.near_duplicate_distance > neardup::MAX_DISTANCE_LIMIT {
            return Err(ConfigError {
                field: "near_duplicate_distance",
                message: format!(
                    "{} is above the limit of {}",
                    self.near_duplicate_distance,
                    neardup::MAX_DISTANCE_LIMIT
                ),
            });
        }
        for (field, value) in [
            ("near_duplicate_capacity", self.near_duplicate_capacity),
            ("dedup_capacity", self.dedup_capacity),
        ] {
            if value == 0 {
                return Err(ConfigError {
                    field,
                    message: "must be at least 1".into(),
                });
            }
        }
        Ok(())
    }
}

/// The alerting step's state: recent communiqué fingerprints, recent sends, the routing tree and,
/// optionally, the alert history to consult.
///
/// For each event, [`process`](Self::process), in this order:
///
/// 1. **Near-duplicates.** When the text is a near-duplicate of a recent communiqué, sets metadata
///    `duplicate_of` to the first copy's id; step 2 then holds back, with reason `duplicate`, the
///    alerts of the copy that were sent within the interval (by the first copy or another), and
///    sends those it raises that nobody sent (a copy with a new paragraph says something new).
///    So which copy comes first changes the reasons recorded, never which situations are sent.
/// 2. **Repeats.** With [`keeping_decisions`](Self::keeping_decisions), an alert the history
///    already decided for this same communiqué (a replay after a restart) keeps that decision.
///    Each other alert not yet held back is checked against the last
///    send of its fingerprint, in memory and (when a store is given) in the history, which also
///    holds the sends of earlier runs and other instances. Sent less than `repeat_interval` ago:
///    held back with reason `repeat`; otherwise the send is recorded.
/// 3. **Routing.** Every alert's `routes` are set from the routing tree.
///
/// It also sets metadata `alerted_at` (the decision time) on events with alerts, which the
/// `sqlite` sink stores as `raised_at`.
#[derive(Debug)]
pub struct AlertGate {
    near: NearDuplicates,
    dedup: Deduplicator,
    routes: RoutingTree,
    store: Option<AlertStore>,
    /// A replayed communiqué's alerts keep the decisions the store recorded.
    keep_decisions: bool,
}

impl AlertGate {
    /// A gate with the settings of `config` and no alert history: repeats are remembered for this
    /// process only.
    pub fn new(config: AlertingConfig) -> AlertGate {
        AlertGate {
            near: NearDuplicates::new(
                config.near_duplicate_distance,
                config.near_duplicate_capacity,
            ),
            dedup: Deduplicator::new(config.repeat_interval, config.dedup_capacity),
            routes: config.routes,
            store: None,
            keep_decisions: false,
        }
    }

    /// Consults `store` for the last send of each fingerprint, so that sends recorded by earlier
    /// runs and by other instances sharing the file count. The gate only reads from it: the
    /// `sqlite` sink writes the history.
    pub fn with_store(mut self, store: AlertStore) -> AlertGate {
        self.store = Some(store);
        self
    }

    /// A communiqué seen again (a restart replaying what was not done) keeps, for each alert the
    /// store recorded a decision for, that decision: sent stays sent rather than becoming a repeat
    /// of itself. For pipelines whose sinks deliver each alert once (a state store, see
    /// docs/delivery.md): without them, a re-run would notify again what was sent.
    pub fn keeping_decisions(mut self) -> AlertGate {
        self.keep_decisions = true;
        self
    }

    /// Decides about `event`'s alerts at time `now` (see the type's documentation).
    ///
    /// If the store cannot be read, the decision is taken with what is in memory and a warning is
    /// logged: a repeat notified twice is better than an alert lost.
    pub fn process(&mut self, event: &mut Communique, now: DateTime<Utc>) {
        // Only communiqués that raise alerts take part in near-duplicate detection: a copy of a
        // communiqué raises the same alerts, so a communiqué without alerts has nothing to merge,
        // and it is not worth remembering (most of a stream raises nothing; this keeps the
        // one-worker stage off the critical path).
        if event.alerts.is_empty() {
            return;
        }
        let text = event
            .folded()
            .map_or_else(|| event.matching_text(), |f| f.text.as_str());
        // `check_and_insert` lowercases words itself, so the matching text needs no copy.
        let copy = self.near.check_and_insert(&event.id, text);
        if let Some(first) = &copy {
            tracing::debug!(id = %event.id, duplicate_of = %first, "near-duplicate communiqué");
            event
                .metadata
                .insert(META_DUPLICATE_OF.to_owned(), first.clone());
        }
        let held_back = match copy {
            Some(_) => SUPPRESSED_DUPLICATE,
            None => SUPPRESSED_REPEAT,
        };

        for alert in event.alerts.iter_mut().filter(|a| a.suppressed.is_none()) {
            if let Some(store) = &self.store {
                // A replayed communiqué (a restart after a crash) keeps the decisions recorded
                // for its alerts: one that was sent is not now a repeat of itself.
                let recorded = match self.keep_decisions {
                    true => store.decision(&event.id, &alert.fingerprint),
                    false => Ok(None),
                };
                match recorded {
                    Ok(Some(decided)) => {
                        alert.suppressed = decided;
                        continue;
                    }
                    Ok(None) => {}
                    Err(err) => {
                        tracing::warn!(%err, "cannot read the alert history; deciding from memory")
                    }
                }
                match store.last_sent(&alert.fingerprint) {
                    Ok(Some(at)) => self.dedup.observe_sent(&alert.fingerprint, at),
                    Ok(None) => {}
                    Err(err) => {
                        tracing::warn!(%err, "cannot read the alert history; deciding from memory")
                    }
                }
            }
            // A copy's alert that was sent (by the first copy, or any communiqué) within the
            // interval is a duplicate; one the first copy did not raise is news, and is sent.
            if let Decision::Suppress { last_sent } = self.dedup.decide(&alert.fingerprint, now) {
                tracing::debug!(fingerprint = %alert.fingerprint, %last_sent, held_back, "held back");
                alert.suppressed = Some(held_back.to_owned());
            }
        }

        for alert in &mut event.alerts {
            alert.routes = self.routes.route(alert);
        }
        event.metadata.insert(
            META_ALERTED_AT.to_owned(),
            now.to_rfc3339_opts(SecondsFormat::Micros, true),
        );
    }
}

/// The `alerts` pipeline stage: an [`AlertGate`] behind a shared lock.
///
/// Deduplication state must be shared by every instance of the stage, so each worker's instance
/// holds a clone of the same `Arc<Mutex<AlertGate>>`. Run the stage with `workers = 1`: the lock
/// serializes the work anyway, and with several workers which of two copies counts as the first
/// would depend on thread scheduling instead of input order.
#[derive(Debug, Clone)]
pub struct AlertStage {
    gate: Arc<Mutex<AlertGate>>,
}

impl AlertStage {
    /// A stage instance deciding with `gate` (clone the `Arc` for each instance).
    pub fn new(gate: Arc<Mutex<AlertGate>>) -> AlertStage {
        AlertStage { gate }
    }
}

impl Transform for AlertStage {
    fn process(&mut self, event: &mut Communique) -> Result<Outcome, StageError> {
        // A panic in another instance poisons the lock; the state behind it is only a cache of
        // recent fingerprints and sends, still fit for use.
        let mut gate = self.gate.lock().unwrap_or_else(PoisonError::into_inner);
        gate.process(event, Utc::now());
        Ok(Outcome::Keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::AlertRecord;
    use crate::testing::{alert, ts};
    use chrono::TimeDelta;
    use commwatch_core::Origin;

    const TEXT: &str = "The Ministers reaffirmed their commitment to the Coalition and to the \
        lasting defeat of Daesh in Iraq and Syria, and welcomed the progress made since the \
        last meeting of the Small Group in Rome.";

    fn event(id: &str, text: &str, rules: &[&str]) -> Communique {
        let mut ev = Communique::new(Some(id.into()), Origin::default(), text.into());
        ev.alerts = rules
            .iter()
            .map(|r| alert(r, &[("category", r)], None))
            .collect();
        ev
    }

    fn reasons(ev: &Communique) -> Vec<Option<&str>> {
        ev.alerts.iter().map(|a| a.suppressed.as_deref()).collect()
    }

    #[test]
    fn duplicates_then_repeats_then_routes() {
        let config: AlertingConfig = toml::from_str(
            r#"
            repeat_interval = "1h"
            [[routes]]
            match = { category = "accession" }
            sinks = ["pager"]
            "#,
        )
        .unwrap();
        let mut gate = AlertGate::new(config);
        let t0 = ts("2024-01-01T00:00:00Z");

        let mut first = event("first", TEXT, &["accession", "other"]);
        gate.process(&mut first, t0);
        assert_eq!(reasons(&first), [None, None]);
        assert_eq!(first.alerts[0].routes, ["pager"]);
        assert!(first.alerts[1].routes.is_empty());
        assert!(first.metadata.contains_key(META_ALERTED_AT));

        let mut copy = event("copy", &TEXT.replace("welcomed", "hailed"), &["accession"]);
        gate.process(&mut copy, t0);
        assert_eq!(
            copy.metadata.get(META_DUPLICATE_OF).map(String::as_str),
            Some("first")
        );
        assert_eq!(reasons(&copy), [Some("duplicate")]);
        assert_eq!(
            copy.alerts[0].routes,
            ["pager"],
            "routes are set on held-back alerts too"
        );

        let unrelated = "A different statement on trade: tariffs on steel and aluminium will \
            be reviewed by the joint committee at its next session in Geneva this autumn.";
        let mut later = event("later", unrelated, &["accession", "new"]);
        gate.process(&mut later, t0 + TimeDelta::minutes(30));
        assert_eq!(later.metadata.get(META_DUPLICATE_OF), None);
        assert_eq!(reasons(&later), [Some("repeat"), None]);

        let mut much_later = event("much-later", "x", &["accession"]);
        gate.process(&mut much_later, t0 + TimeDelta::hours(1));
        assert_eq!(reasons(&much_later), [None]);
    }

    #[test]
    fn the_store_supplies_sends_of_other_instances() {
        let mut store = AlertStore::open_in_memory().unwrap();
        let mut ev = event("e", "short", &["accession"]);
        ev.metadata
            .insert(META_ALERTED_AT.into(), "2024-01-01T00:00:00Z".into());
        store
            .record(&AlertRecord::from_event(&ev, Utc::now()))
            .unwrap();

        let mut gate = AlertGate::new(AlertingConfig::default()).with_store(store);
        let mut again = event("e2", "short", &["accession", "fresh"]);
        gate.process(&mut again, ts("2024-01-01T03:00:00Z"));
        assert_eq!(reasons(&again), [Some("repeat"), None]);
    }

    #[test]
    fn the_stage_shares_one_gate() {
        let gate = Arc::new(Mutex::new(AlertGate::new(AlertingConfig::default())));
        let mut one = AlertStage::new(Arc::clone(&gate));
        let mut two = one.clone();
        let mut a = event("a", "short", &["r"]);
        let mut b = event("b", "short", &["r"]);
        assert_eq!(one.process(&mut a).unwrap(), Outcome::Keep);
        two.process(&mut b).unwrap();
        assert_eq!(reasons(&a), [None]);
        assert_eq!(reasons(&b), [Some("repeat")]);
    }

    #[test]
    fn config_defaults_and_validation() {
        let c: AlertingConfig = toml::from_str("").unwrap();
        assert_eq!(c, AlertingConfig::default());
        assert_eq!(c.repeat_interval, Duration::from_secs(14_400));
        assert!(c.validate().is_ok());
        let c: AlertingConfig = toml::from_str("near_duplicate_distance = 65").unwrap();
        assert_eq!(c.validate().unwrap_err().field, "near_duplicate_distance");
        let c: AlertingConfig = toml::from_str("dedup_capacity = 0").unwrap();
        assert_eq!(c.validate().unwrap_err().field, "dedup_capacity");
        let e = toml::from_str::<AlertingConfig>("repeat_interval = \"often\"").unwrap_err();
        assert!(e.to_string().contains("invalid duration"), "{e}");
        let e = toml::from_str::<AlertingConfig>("repeat = \"4h\"").unwrap_err();
        assert!(e.to_string().contains("repeat"), "{e}");
        let e = toml::from_str::<AlertingConfig>("[[routes]]\nseverity = \"?\"").unwrap_err();
        assert!(e.to_string().contains("routes[0].severity"), "{e}");
    }
}
