//! Where communiqués enter commwatch and where events and alerts leave it.
//!
//! The runtime only knows the [`Source`](commwatch_core::Source) and
//! [`Sink`](commwatch_core::Sink) contracts of `commwatch-core`. This crate supplies the
//! implementations that touch the outside world, so that globbing, line framing, blocking reads
//! and output formats stay out of the runtime and out of the analysis stages, and each can be
//! tested with an in-memory reader or writer.
//!
//! Sources:
//! - [`FilesSource`]: the files matched by glob patterns or below directories, as plain text,
//!   HTML pages (article text extracted) or feeds (one communiqué per entry) ([`FileFormat`]);
//!   read once, or watched for new and changed files.
//! - [`FeedSource`]: RSS, Atom and JSON feeds polled over HTTP with conditional requests, each
//!   entry emitted once.
//! - [`JsonlSource`]: one communiqué per line of a JSON Lines file, parsed by the reusable
//!   [`JsonlReader`].
//! - [`StdinSource`]: JSON Lines or plain text on standard input ([`StdinFormat`]), read on a
//!   helper thread so that shutdown never waits for input that may not come.
//!
//! Every source that reads bytes decodes them with [`decode`] (byte order marks, declared
//! charsets, UTF-8, Windows-1252; binary input refused), and records the encoding and any
//! replaced bytes in the communiqué's metadata.
//!
//! Sinks:
//! - [`JsonlSink`]: whole events or their alerts ([`JsonlContent`]) as JSON Lines, appended to a
//!   file or written to stdout.
//! - [`ConsoleSink`]: one readable block per alert, quoting its evidence from the raw text
//!   (see [`format_alert`]).
//! - [`WebhookSink`]: notifications POSTed as signed JSON or as Slack/Mattermost messages,
//!   grouped by labels ([`Grouping`], with `commwatch-alerting`'s grouper).
//! - [`AlertmanagerSink`]: alerts POSTed to Prometheus Alertmanager (see [`to_alertmanager`]).
//!
//! The two HTTP sinks queue every notification in an on-disk [`Spool`] before the first attempt
//! and deliver it in order, retrying with backoff, so a receiver that is down loses nothing.
//!
//! Constructors take plain Rust values: reading `pipeline.toml` happens elsewhere. Input that
//! cannot become an event is never dropped silently; sources hand it to
//! [`SourceOutput::reject`](commwatch_core::SourceOutput::reject) and carry on.

pub mod sinks;
pub mod sources;

pub use sinks::{
    ALERTS_PATH, AlertPayload, AlertmanagerConfig, AlertmanagerSink, ConsoleSink,
    DEFAULT_DRAIN_TIMEOUT, DEFAULT_NOTIFY_TIMEOUT, DEFAULT_RESOLVE_AFTER, DEFAULT_RETRY_INITIAL,
    DEFAULT_RETRY_MAX, DEFAULT_SPOOL_MAX_BYTES, DELIVERY_HEADER, DeliveryOptions, GroupKey,
    Grouping, JsonlContent, JsonlSink, PostableAlert, SIGNATURE_HEADER, STEP_BUDGET, Secret, Spool,
    SpoolEntry, WebhookConfig, WebhookFormat, WebhookSink, alerts_url, backoff, delivery_id,
    format_alert, json_payload, sign, slack_payload, to_alertmanager,
};
pub use sources::{
    DEFAULT_FEED_INTERVAL, DEFAULT_FEED_TIMEOUT, DEFAULT_MAX_BYTES, DEFAULT_MAX_LINE_BYTES,
    DEFAULT_SETTLE, DecodeError, DecodeHints, Decoded, ENCODING_KEY, FeedSource, FileFormat,
    FilesSource, HtmlDocument, JsonlReader, JsonlRecord, JsonlSource, Markup, REPLACEMENTS_KEY,
    SNIFF_BYTES, StdinFormat, StdinSource, TextEncoding, WatchRoot, decode, extract_document,
    html_to_text, parse_duration,
};

#[cfg(test)]
mod test_support;
