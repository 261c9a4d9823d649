//! Alerts that do not spam, and their history.
//!
//! A rule engine that fires on every communiqué about a situation would bury analysts: the same
//! statement is republished and reworded by aggregator sites, an ongoing crisis raises the same
//! alert dozens of times a day, and a burst of related alerts should make one message. This crate
//! decides, after the rules stage, which alerts are notified, where, and in what batches, and keeps
//! a history of every alert, notified or not. It is a library of plain data structures (no
//! threads); only the history touches a file.
//!
//! The lifecycle of an alert, and the principal types:
//!
//! 1. [`NearDuplicates`] (in [`neardup`]) recognizes a communiqué that is a near-copy of a recent
//!    one (SimHash of word shingles); its alerts merge with the first copy's.
//! 2. [`Deduplicator`] (in [`dedup`]) holds back an alert whose
//!    [fingerprint](commwatch_core::fingerprint) was sent within the repeat interval.
//! 3. [`RoutingTree`] (in [`route`]) picks the sinks that notify each alert, Alertmanager style.
//! 4. [`AlertGate`] runs those three steps on each event in order, configured by
//!    [`AlertingConfig`]; [`AlertStage`] is the pipeline stage around it.
//! 5. [`Grouper`] (in [`group`]) batches the alerts a notifying sink is to send into
//!    [`Notification`]s of [`AlertRecord`]s.
//! 6. [`AlertStore`] (in [`store`]) is the SQLite history, written by [`SqliteSink`] and read by
//!    the repeat check and by `commwatch alerts`.
//!
//! Held-back alerts are not dropped: they keep travelling with their event, with
//! [`Alert::suppressed`](commwatch_core::Alert::suppressed) saying why, so that the history records
//! them and [`Alert::notifies`](commwatch_core::Alert::notifies) tells sinks to stay quiet.
//!
//! Every structure is bounded: fingerprints and sends are kept for a configured number of entries
//! with the oldest evicted first, and groups are flushed when full, so memory does not grow with
//! the length of the stream. See `docs/alerting.md`.

#![warn(missing_docs)]

mod alerting;
pub mod dedup;
mod duration;
pub mod group;
pub mod neardup;
mod record;
pub mod route;
pub mod store;
#[cfg(test)]
mod testing;

pub use alerting::{AlertGate, AlertStage, AlertingConfig, ConfigError};
pub use dedup::{Decision, Deduplicator};
pub use duration::{DurationError, format_duration, parse_duration};
pub use group::{Grouper, GroupingConfig, Notification};
pub use neardup::{NearDuplicates, simhash};
pub use record::{
    AlertRecord, AlertStatus, META_ALERTED_AT, META_DUPLICATE_OF, SUPPRESSED_DUPLICATE,
    SUPPRESSED_REPEAT,
};
pub use route::{MatchValue, Matcher, Route, RouteError, RouteSpec, RoutingTree};
pub use store::{AlertQuery, AlertStore, SqliteSink, StoreError, StoredAlert};
