//! The Prometheus Alertmanager sink: alerts POSTed to Alertmanager's `/api/v2/alerts`, so that its
//! routing, grouping, silences and receivers (e-mail, PagerDuty, …) take over.
//!
//! Each event's alerts that notify this sink become one notification: a JSON array of
//! Alertmanager alerts (see [`to_alertmanager`] for the mapping), spooled and delivered in order
//! with retries like the webhook sink's. Alertmanager does its own grouping, so this sink does
//! none.

use std::collections::BTreeMap;
use std::time::Duration;

use commwatch_core::{Ack, Communique, Sink, SinkError};
use serde::Serialize;

use super::notify::{AlertPayload, Courier, DeliveryOptions, one_line};

/// Default time after which an alert resolves on its own (`endsAt - startsAt`).
pub const DEFAULT_RESOLVE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// The path alerts are posted to, below the base URL.
pub const ALERTS_PATH: &str = "/api/v2/alerts";

/// Everything an [`AlertmanagerSink`] needs.
#[derive(Clone, Debug)]
pub struct AlertmanagerConfig {
    /// The sink's pipeline id.
    pub id: String,
    /// Alertmanager's base URL (`http://127.0.0.1:9093`); [`ALERTS_PATH`] is appended unless the
    /// URL already ends with it.
    pub url: String,
    /// `endsAt - startsAt`.
    pub resolve_after: Duration,
    /// Spool and retries.
    pub delivery: DeliveryOptions,
}

/// One alert in Alertmanager's `postableAlert` form.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableAlert {
    /// Identifying labels.
    pub labels: BTreeMap<String, String>,
    /// Descriptive annotations.
    pub annotations: BTreeMap<String, String>,
    /// RFC 3339.
    pub starts_at: String,
    /// RFC 3339.
    pub ends_at: String,
    /// A link back to the source, when it is a web address.
    #[serde(rename = "generatorURL", skip_serializing_if = "Option::is_none")]
    pub generator_url: Option<String>,
}

/// Maps an alert record to Alertmanager's form.
///
/// - `labels`: every alert label (names made valid for Alertmanager: characters other than
///   ASCII letters, digits and `_` become `_`, and a leading digit gets a `_` before it; empty
///   values are left out), then `alertname` (the rule id), `severity`, `fingerprint_commwatch`
///   (our fingerprint) and `communique` (the communiqué id), which win over alert labels of the
///   same name.
/// - `annotations`: `summary`; `description`, the communiqué's title and the first evidence in
///   context, on two lines; `communique_title`; `source` (the origin's name); `communique_uri`
///   when the communiqué has a URI.
/// - `startsAt`: when the communiqué was received; `endsAt`: `startsAt + resolve_after`.
/// - `generatorURL`: the communiqué's URI when it is `http(s)://`, else left out.
pub fn to_alertmanager(record: &AlertPayload, resolve_after: Duration) -> PostableAlert {
    let alert = &record.alert;
    let mut labels = BTreeMap::new();
    for (name, value) in &alert.labels {
        if !value.is_empty() {
            labels.insert(label_name(name), value.clone());
        }
    }
    labels.insert("alertname".into(), alert.rule.clone());
    labels.insert("severity".into(), alert.severity.as_str().into());
    labels.insert("fingerprint_commwatch".into(), alert.fingerprint.clone());
    labels.insert("communique".into(), alert.communique.clone());

    let title = record.title.as_deref().map(one_line);
    let mut description = title.clone().unwrap_or_else(|| "(untitled)".into());
    if let Some(excerpt) = &record.excerpt {
        description.push_str("\n\"");
        description.push_str(excerpt);
        description.push('"');
    }
    let mut annotations = BTreeMap::from([
        ("summary".to_owned(), alert.summary.clone()),
        ("description".to_owned(), description),
        ("source".to_owned(), record.origin.name.clone()),
    ]);
    if let Some(title) = title {
        annotations.insert("communique_title".into(), title);
    }
    if let Some(uri) = &record.origin.uri {
        annotations.insert("communique_uri".into(), uri.clone());
    }
    let starts = record.received_at;
    let ends = starts
        + chrono::Duration::from_std(resolve_after).unwrap_or(chrono::Duration::days(365 * 100));
    PostableAlert {
        labels,
        annotations,
        starts_at: starts.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        ends_at: ends.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        generator_url: record.web_uri().map(str::to_owned),
    }
}

/// A label name Alertmanager accepts: `[a-zA-Z_][a-zA-Z0-9_]*`.
fn label_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The URL alerts are posted to, for a base URL.
pub fn alerts_url(base: &str) -> String {
    let base = base.trim_end_matches('/');
    if base.ends_with(ALERTS_PATH) {
        base.to_owned()
    } else {
        format!("{base}{ALERTS_PATH}")
    }
}

/// Posts alerts to Prometheus Alertmanager (see the module documentation).
pub struct AlertmanagerSink {
    id: String,
    resolve_after: Duration,
    courier: Courier,
}

impl AlertmanagerSink {
    /// Opens the sink: its spool directory is created, or read back if an earlier run left
    /// notifications in it (they are delivered first).
    pub fn open(config: AlertmanagerConfig) -> Result<AlertmanagerSink, SinkError> {
        Ok(AlertmanagerSink {
            courier: Courier::open(alerts_url(&config.url), None, config.delivery)?,
            id: config.id,
            resolve_after: config.resolve_after,
        })
    }

    /// Notifications queued in the spool.
    pub fn queued(&self) -> usize {
        self.courier.spool().len()
    }
}

impl Sink for AlertmanagerSink {
    fn write(&mut self, event: &Communique, ack: Ack) -> Result<(), SinkError> {
        let alerts: Vec<PostableAlert> = event
            .alerts
            .iter()
            .filter(|a| a.notifies(&self.id))
            .map(|a| to_alertmanager(&AlertPayload::new(event, a), self.resolve_after))
            .collect();
        if !alerts.is_empty() {
            let body = serde_json::to_vec(&alerts).map_err(|e| {
                SinkError::Other(format!("cannot serialize alerts of {}: {e}", event.id))
            })?;
            self.courier.admit(body.len(), 0)?;
            self.courier.enqueue(vec![body])?;
        }
        // In the synced spool, or nothing to send.
        ack.done();
        // The event's alerts are queued: a delivery problem is the spool's, not the event's.
        self.courier.step_logged();
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        // Nothing is buffered outside the spool, so a delivery problem fails no flush.
        self.courier.step_logged();
        Ok(())
    }

    fn poll(&mut self) -> Result<(), SinkError> {
        self.courier.step()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commwatch_core::{Alert, Origin, Severity, Span};
    use serde_json::json;

    fn record(uri: Option<&str>) -> AlertPayload {
        let raw = "The Coalition welcomed Mauritania as its newest member.";
        let mut ev = Communique::new(
            Some("doc-7".into()),
            Origin {
                name: "examples".into(),
                uri: uri.map(Into::into),
            },
            raw.into(),
        );
        ev.title = Some("Ministerial\nMeeting".into());
        ev.received_at = "2021-06-28T10:00:00Z".parse().unwrap();
        let start = raw.find("Mauritania").unwrap();
        let alert = Alert {
            rule: "new_member_accession".into(),
            severity: Severity::High,
            fingerprint: "abc123".into(),
            labels: BTreeMap::from([
                ("country".into(), "MR".into()),
                ("org-name".into(), "d-isis-coalition".into()),
                ("2nd".into(), "x".into()),
                ("empty".into(), String::new()),
                ("severity".into(), "shadowed".into()),
            ]),
            summary: "New member: Mauritania".into(),
            evidence: vec![Span {
                kind: "country".into(),
                id: "MR".into(),
                label: "Mauritania".into(),
                start,
                end: start + 10,
                detail: None,
            }],
            communique: "doc-7".into(),
            suppressed: None,
            routes: Vec::new(),
        };
        AlertPayload::new(&ev, &alert)
    }

    #[test]
    fn maps_alerts_to_alertmanager_form() {
        let am = to_alertmanager(
            &record(Some("https://example.org/c/7")),
            DEFAULT_RESOLVE_AFTER,
        );
        let json = serde_json::to_value(&am).unwrap();
        assert_eq!(
            json,
            json!({
                "labels": {
                    "alertname": "new_member_accession",
                    "severity": "high",
                    "fingerprint_commwatch": "abc123",
                    "communique": "doc-7",
                    "country": "MR",
                    "org_name": "d-isis-coalition",
                    "_2nd": "x",
                },
                "annotations": {
                    "summary": "New member: Mauritania",
                    "description": "Ministerial Meeting\n\"The Coalition welcomed Mauritania as its newest member.\"",
                    "communique_title": "Ministerial Meeting",
                    "source": "examples",
                    "communique_uri": "https://example.org/c/7",
                },
                "startsAt": "2021-06-28T10:00:00.000Z",
                "endsAt": "2021-06-29T10:00:00.000Z",
                "generatorURL": "https://example.org/c/7",
            })
        );
    }

    #[test]
    fn generator_url_only_for_web_addresses() {
        let am = to_alertmanager(&record(Some("file:///data/c.txt")), Duration::from_secs(60));
        assert_eq!(am.generator_url, None);
        assert_eq!(am.annotations["communique_uri"], "file:///data/c.txt");
        assert_eq!(am.ends_at, "2021-06-28T10:01:00.000Z");
        let json = serde_json::to_value(&am).unwrap();
        assert!(json.get("generatorURL").is_none());
    }

    #[test]
    fn the_alerts_path_is_appended_once() {
        assert_eq!(
            alerts_url("http://127.0.0.1:9093"),
            "http://127.0.0.1:9093/api/v2/alerts"
        );
        assert_eq!(
            alerts_url("http://am:9093/prefix/"),
            "http://am:9093/prefix/api/v2/alerts"
        );
        assert_eq!(
            alerts_url("http://am:9093/api/v2/alerts"),
            "http://am:9093/api/v2/alerts"
        );
    }
}
