//! Sinks: where events and alerts leave commwatch.
//!
//! One module per kind. Machines get JSON Lines ([`JsonlSink`]), people get the console
//! ([`ConsoleSink`]); both write to any [`Write`](std::io::Write) so tests need no terminal or
//! file. Monitoring channels get HTTP notifications: [`WebhookSink`] (JSON or Slack/Mattermost)
//! and [`AlertmanagerSink`], both delivering through an on-disk [`Spool`] in order, with retries.

mod alertmanager;
mod console;
mod jsonl;
mod notify;
mod spool;
mod webhook;

pub use alertmanager::{
    ALERTS_PATH, AlertmanagerConfig, AlertmanagerSink, DEFAULT_RESOLVE_AFTER, PostableAlert,
    alerts_url, to_alertmanager,
};
pub use console::{ConsoleSink, format_alert};
pub use jsonl::{JsonlContent, JsonlSink};
pub use notify::{
    AlertPayload, DEFAULT_DRAIN_TIMEOUT, DEFAULT_NOTIFY_TIMEOUT, DEFAULT_RETRY_INITIAL,
    DEFAULT_RETRY_MAX, DEFAULT_SPOOL_MAX_BYTES, DELIVERY_HEADER, DeliveryOptions, SIGNATURE_HEADER,
    STEP_BUDGET, Secret, backoff, delivery_id, sign,
};
pub use spool::{Spool, SpoolEntry};
pub use webhook::{
    GroupKey, Grouping, WebhookConfig, WebhookFormat, WebhookSink, json_payload, slack_payload,
};
