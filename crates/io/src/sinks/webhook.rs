//! The webhook sink: alerts POSTed as JSON to an HTTP endpoint, or as Slack / Mattermost
//! incoming-webhook messages.
//!
//! Alerts the sink should send ([`Alert::notifies`](commwatch_core::Alert::notifies) its id) are
//! batched by [`commwatch_alerting::Grouper`] on the values of the `group_by` labels; each
//! [`Notification`] it hands over becomes one request body, which goes to the spool before its
//! first attempt and is delivered in order, with retries (see the `notify` module).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write as _;
use std::time::Duration;

use chrono::{DateTime, Utc};
use commwatch_alerting::{AlertRecord, Grouper, Notification};
use commwatch_core::{Ack, Communique, Sink, SinkError};
use serde::Serialize;
use serde_json::json;
use tracing::error;

use super::notify::{AlertPayload, Courier, DeliveryOptions, Secret, one_line};

/// What a [`WebhookSink`] posts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WebhookFormat {
    /// `{"version":"1","sink":…,"group_key":{…},"alerts":[…]}`.
    #[default]
    Json,
    /// A Slack (or Mattermost) incoming-webhook message: `{"text":…,"blocks":[…]}`.
    Slack,
}

/// How alerts are batched into notifications (see [`Grouper`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grouping {
    /// Label names whose values make the group key; `rule` and `severity` name the alert's own
    /// fields unless it has a label of that name; `...` means every label; labels an alert lacks
    /// are left out of its key. Empty: one group.
    pub by: Vec<String>,
    /// How long a new group's first alert waits for others. Zero: at once, so each event's
    /// alerts make one notification per group.
    pub wait: Duration,
    /// How long after a notification further alerts of the same group wait.
    pub interval: Duration,
}

impl Default for Grouping {
    /// Grouped by rule, sent at once.
    fn default() -> Grouping {
        Grouping {
            by: vec!["rule".to_owned()],
            wait: Duration::ZERO,
            interval: Duration::ZERO,
        }
    }
}

/// Everything a [`WebhookSink`] needs.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// The sink's pipeline id: alerts are sent when they notify it, and it is in the payload.
    pub id: String,
    /// Where to POST, `http://` or `https://`.
    pub url: String,
    /// The payload format.
    pub format: WebhookFormat,
    /// The signing key, when signatures are wanted.
    pub secret: Option<Secret>,
    /// How alerts are grouped.
    pub grouping: Grouping,
    /// Spool and retries.
    pub delivery: DeliveryOptions,
}

/// The values of the `group_by` labels, by label name.
pub type GroupKey = BTreeMap<String, String>;

/// What identifies an alert record while it waits in the grouper.
type PayloadKey = (String, String, String, DateTime<Utc>, Vec<(usize, usize)>);

fn payload_key(record: &AlertRecord) -> PayloadKey {
    let alert = &record.alert;
    (
        alert.communique.clone(),
        alert.rule.clone(),
        alert.fingerprint.clone(),
        record.received_at,
        alert.evidence.iter().map(|s| (s.start, s.end)).collect(),
    )
}

/// Posts notifications of alerts to a webhook (see the module documentation).
pub struct WebhookSink {
    id: String,
    format: WebhookFormat,
    grouper: Grouper,
    /// The payload of each alert waiting in the grouper (which keeps no raw text, so the quotes
    /// are taken when the alert arrives), with the events (their [`EventAck`] numbers) of the
    /// waiting alerts that share it.
    payloads: HashMap<PayloadKey, (AlertPayload, VecDeque<u64>)>,
    /// Serialized bytes of the alerts waiting, for the spool bound.
    pending_bytes: u64,
    /// Notifications taken from the grouper that could not be written to the spool yet, with
    /// the events of their alerts.
    unqueued: VecDeque<(GroupKey, Vec<AlertPayload>, Vec<u64>)>,
    /// The acks of events whose alerts are not all in the spool yet, by number.
    acks: HashMap<u64, EventAck>,
    next_ack: u64,
    courier: Courier,
}

/// An event's ack, settled when the last of its alerts is in the spool.
struct EventAck {
    ack: Ack,
    alerts_waiting: usize,
}

impl WebhookSink {
    /// Opens the sink: its spool directory is created, or read back if an earlier run left
    /// notifications in it (they are delivered first).
    pub fn open(config: WebhookConfig) -> Result<WebhookSink, SinkError> {
        let g = config.grouping;
        Ok(WebhookSink {
            courier: Courier::open(config.url, config.secret, config.delivery)?,
            id: config.id,
            format: config.format,
            grouper: Grouper::new(g.by, g.wait, g.interval),
            payloads: HashMap::new(),
            pending_bytes: 0,
            unqueued: VecDeque::new(),
            acks: HashMap::new(),
            next_ack: 0,
        })
    }

    /// Notifications queued in the spool.
    pub fn queued(&self) -> usize {
        self.courier.spool().len()
    }

    /// Alerts waiting in groups.
    pub fn waiting(&self) -> usize {
        self.grouper.pending() + self.unqueued.iter().map(|(_, a, _)| a.len()).sum::<usize>()
    }

    /// The payloads of a notification's alerts and the events they came from, forgetting them.
    fn take_payloads(
        &mut self,
        notification: Notification,
    ) -> (GroupKey, Vec<AlertPayload>, Vec<u64>) {
        let mut payloads = Vec::with_capacity(notification.alerts.len());
        let mut events = Vec::with_capacity(notification.alerts.len());
        for record in &notification.alerts {
            let key = payload_key(record);
            let payload = match self.payloads.get_mut(&key) {
                Some((payload, owners)) if owners.len() > 1 => {
                    events.extend(owners.pop_front());
                    payload.clone()
                }
                Some(_) => {
                    let (payload, owners) = self.payloads.remove(&key).expect("present");
                    events.extend(owners);
                    payload
                }
                // Not expected: every record added has its payload. Send what the record has.
                None => record_payload(record),
            };
            self.pending_bytes = self.pending_bytes.saturating_sub(payload_size(&payload));
            payloads.push(payload);
        }
        (notification.group_key, payloads, events)
    }

    /// One alert of each of `events` is in the spool: an event whose alerts all are is done.
    fn spooled(&mut self, events: &[u64]) {
        for number in events {
            if let Some(waiting) = self.acks.get_mut(number) {
                waiting.alerts_waiting -= 1;
                if waiting.alerts_waiting == 0 {
                    self.acks.remove(number).expect("present").ack.done();
                }
            }
        }
    }

    /// Turns due groups (all of them when `all`) into notifications in the spool. A notification
    /// that could not be written waits for the next call, before any newer one.
    fn release(&mut self, all: bool) -> Result<(), SinkError> {
        let due = if all {
            self.grouper.drain()
        } else {
            self.grouper.due(Utc::now())
        };
        for notification in due {
            let taken = self.take_payloads(notification);
            self.unqueued.push_back(taken);
        }
        while let Some((key, alerts, _)) = self.unqueued.front() {
            let body = match self.format {
                WebhookFormat::Json => json_payload(&self.id, key, alerts),
                WebhookFormat::Slack => slack_payload(alerts),
            };
            self.courier.enqueue(vec![body])?;
            let (_, _, events) = self.unqueued.pop_front().expect("present");
            self.spooled(&events);
        }
        Ok(())
    }
}

/// A payload from what an alerting record has (no quotes: the raw text is not there).
fn record_payload(record: &AlertRecord) -> AlertPayload {
    AlertPayload {
        alert: record.alert.clone(),
        title: record.title.clone(),
        origin: record.origin.clone(),
        published: record.published.clone(),
        received_at: record.received_at,
        duplicate_of: record.duplicate_of.clone(),
        quotes: Vec::new(),
        excerpt: None,
    }
}

fn payload_size(payload: &AlertPayload) -> u64 {
    serde_json::to_vec(payload).map_or(0, |b| b.len() as u64)
}

impl Sink for WebhookSink {
    fn write(&mut self, event: &Communique, ack: Ack) -> Result<(), SinkError> {
        let now = Utc::now();
        let records = AlertRecord::from_event(event, now);
        let mut batch = Vec::new();
        for (alert, record) in event.alerts.iter().zip(records) {
            if alert.notifies(&self.id) {
                let payload = AlertPayload::new(event, alert);
                let bytes = payload_size(&payload);
                batch.push((record, payload, bytes));
            }
        }
        if batch.is_empty() {
            ack.done();
        } else {
            let bytes: u64 = batch.iter().map(|(_, _, b)| b).sum();
            self.courier.admit(bytes as usize, self.pending_bytes)?;
            let number = self.next_ack;
            self.next_ack += 1;
            self.acks.insert(
                number,
                EventAck {
                    ack,
                    alerts_waiting: batch.len(),
                },
            );
            for (record, payload, bytes) in batch {
                self.payloads
                    .entry(payload_key(&record))
                    .or_insert_with(|| (payload, VecDeque::new()))
                    .1
                    .push_back(number);
                self.pending_bytes += bytes;
                self.grouper.add(record, now);
            }
            // A failure to queue leaves the notification (and the event's ack) waiting; the
            // next poll tries again.
            if let Err(e) = self.release(false) {
                error!(error = %e, "could not queue a notification; will try again");
            }
        }
        // The event's alerts are taken: a delivery problem is the spool's, not the event's.
        self.courier.step_logged();
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        // Nothing is buffered outside the spool and the groups, so a delivery problem fails no
        // flush.
        self.courier.step_logged();
        Ok(())
    }

    fn poll(&mut self) -> Result<(), SinkError> {
        let released = self.release(false);
        self.courier.step()?;
        released
    }
}

impl Drop for WebhookSink {
    /// The end of the run: every waiting group is queued now, then the courier (dropped next)
    /// delivers for at most `drain_timeout`.
    fn drop(&mut self) {
        if self.waiting() == 0 {
            return;
        }
        if let Err(e) = self.release(true) {
            error!(
                error = %e,
                lost = self.waiting(),
                "alerts still waiting in notification groups could not be queued and are lost"
            );
        }
    }
}

/// The `json` format body:
///
/// ```json
/// {"version": "1", "sink": "<sink id>", "group_key": {"rule": "…"}, "alerts": [<AlertPayload>…]}
/// ```
pub fn json_payload(sink: &str, key: &GroupKey, alerts: &[AlertPayload]) -> Vec<u8> {
    #[derive(Serialize)]
    struct Payload<'a> {
        version: &'static str,
        sink: &'a str,
        group_key: &'a GroupKey,
        alerts: &'a [AlertPayload],
    }
    serde_json::to_vec(&Payload {
        version: "1",
        sink,
        group_key: key,
        alerts,
    })
    .expect("alert records serialize")
}

/// Alerts shown one by one in a Slack message; the rest are counted.
const SLACK_MAX_ALERTS: usize = 20;
/// Longest text of one Slack section block (Slack's limit is 3000).
const SLACK_MAX_SECTION: usize = 2900;

/// The `slack` format body: `{"text": …, "blocks": [{"type":"section",…}…]}` with, per alert,
/// its severity, rule and summary, the communiqué's title (linked when its URI is a web address)
/// and source, and the first evidence in context. `text` holds the whole message too, so that
/// Mattermost (which ignores `blocks`) and notifications show it.
pub fn slack_payload(alerts: &[AlertPayload]) -> Vec<u8> {
    let sections: Vec<String> = alerts
        .iter()
        .take(SLACK_MAX_ALERTS)
        .map(slack_section)
        .collect();
    let mut blocks: Vec<serde_json::Value> = sections
        .iter()
        .map(|s| json!({"type": "section", "text": {"type": "mrkdwn", "text": s}}))
        .collect();
    let mut text = sections.join("\n\n");
    if alerts.len() > SLACK_MAX_ALERTS {
        let more = format!("…and {} more alert(s)", alerts.len() - SLACK_MAX_ALERTS);
        blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]}));
        text.push_str("\n\n");
        text.push_str(&more);
    }
    serde_json::to_vec(&json!({"text": text, "blocks": blocks})).expect("JSON values serialize")
}

fn slack_section(record: &AlertPayload) -> String {
    let alert = &record.alert;
    let mut s = format!(
        "*[{}] {}* · {}",
        alert.severity.as_str().to_ascii_uppercase(),
        slack_escape(&one_line(&alert.rule)),
        slack_escape(&one_line(&alert.summary))
    );
    let title = slack_escape(&one_line(record.title.as_deref().unwrap_or("(untitled)")));
    let title = match record.web_uri() {
        Some(uri) => format!("<{}|{title}>", slack_escape(uri).replace('|', "%7C")),
        None => format!("*{title}*"),
    };
    let _ = write!(
        s,
        "\n{title} — {}",
        slack_escape(&one_line(&record.origin.name))
    );
    if let Some(excerpt) = &record.excerpt {
        let _ = write!(s, "\n> {}", slack_escape(excerpt));
    }
    if s.len() > SLACK_MAX_SECTION {
        let mut cut = SLACK_MAX_SECTION;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// Escapes the three characters Slack's markup gives a meaning to.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use commwatch_core::{Alert, Origin, Severity, Span};
    use serde_json::Value;
    use std::path::Path;

    fn event(id: &str, uri: Option<&str>, alerts: &[(&str, &str)]) -> Communique {
        let raw = format!("Ministers said <Sahel> & more in {id}.");
        let mut ev = Communique::new(
            Some(id.into()),
            Origin {
                name: "examples".into(),
                uri: uri.map(Into::into),
            },
            raw.clone(),
        );
        ev.title = Some(format!("Title of {id}"));
        let start = raw.find("Sahel").unwrap();
        for (rule, country) in alerts {
            ev.alerts.push(Alert {
                rule: (*rule).into(),
                severity: Severity::High,
                fingerprint: format!("fp-{rule}-{country}"),
                labels: BTreeMap::from([("country".into(), (*country).into())]),
                summary: format!("{rule} in {country}"),
                evidence: vec![Span {
                    kind: "region".into(),
                    id: "sahel".into(),
                    label: "Sahel".into(),
                    start,
                    end: start + 5,
                    detail: None,
                }],
                communique: id.into(),
                suppressed: None,
                routes: Vec::new(),
            });
        }
        ev
    }

    fn records(ev: &Communique) -> Vec<AlertPayload> {
        ev.alerts.iter().map(|a| AlertPayload::new(ev, a)).collect()
    }

    #[test]
    fn json_payload_has_the_documented_shape() {
        let ev = event("doc-1", None, &[("a", "ML")]);
        let key = GroupKey::from([("rule".to_owned(), "a".to_owned())]);
        let body: Value =
            serde_json::from_slice(&json_payload("hook", &key, &records(&ev))).unwrap();
        assert_eq!(body["version"], "1");
        assert_eq!(body["sink"], "hook");
        assert_eq!(body["group_key"], json!({"rule": "a"}));
        let alert = &body["alerts"][0];
        assert_eq!(alert["rule"], "a");
        assert_eq!(alert["severity"], "high");
        assert_eq!(alert["fingerprint"], "fp-a-ML");
        assert_eq!(alert["communique"], "doc-1");
        assert_eq!(alert["title"], "Title of doc-1");
        assert_eq!(alert["origin"], json!({"name": "examples"}));
        assert_eq!(alert["quotes"], json!(["Sahel"]));
        assert_eq!(alert["evidence"][0]["start"], 16);
    }

    #[test]
    fn slack_payload_is_readable_escaped_and_linked() {
        let ev = event(
            "doc-1",
            Some("https://example.org/a?x=1&y=2"),
            &[("threat", "ML")],
        );
        let body: Value = serde_json::from_slice(&slack_payload(&records(&ev))).unwrap();
        let text = body["text"].as_str().unwrap();
        assert_eq!(
            text,
            "*[HIGH] threat* · threat in ML\n\
             <https://example.org/a?x=1&amp;y=2|Title of doc-1> — examples\n\
             > Ministers said &lt;Sahel&gt; &amp; more in doc-1."
        );
        assert_eq!(body["blocks"][0]["type"], "section");
        assert_eq!(body["blocks"][0]["text"]["type"], "mrkdwn");
        assert_eq!(body["blocks"][0]["text"]["text"], text);

        // No web address: the title in bold, not linked.
        let ev = event("doc-2", Some("file:///x.txt"), &[("threat", "ML")]);
        let body: Value = serde_json::from_slice(&slack_payload(&records(&ev))).unwrap();
        assert!(
            body["text"]
                .as_str()
                .unwrap()
                .contains("\n*Title of doc-2* — examples")
        );

        // Many alerts: the first are shown, the rest counted.
        let many: Vec<(&str, &str)> = vec![("r", "ML"); 25];
        let ev = event("doc-3", None, &many);
        let body: Value = serde_json::from_slice(&slack_payload(&records(&ev))).unwrap();
        assert_eq!(
            body["blocks"].as_array().unwrap().len(),
            SLACK_MAX_ALERTS + 1
        );
        assert!(
            body["text"]
                .as_str()
                .unwrap()
                .ends_with("…and 5 more alert(s)")
        );
    }

    #[test]
    fn the_sink_sends_only_what_notifies_it_and_refuses_events_when_the_spool_is_full() {
        let dir = tempfile::tempdir().unwrap();
        let mut delivery = DeliveryOptions::new(dir.path().join("spool"));
        delivery.spool_max_bytes = 4000;
        // Nothing listens on port 9 of the loopback address: every attempt fails fast.
        delivery.retry_initial = Duration::from_secs(3600);
        delivery.retry_max = Duration::from_secs(3600);
        delivery.drain_timeout = Duration::ZERO;
        let config = WebhookConfig {
            id: "hook".into(),
            url: "http://127.0.0.1:9/".into(),
            format: WebhookFormat::Json,
            secret: None,
            grouping: Grouping {
                by: Vec::new(),
                ..Grouping::default()
            },
            delivery,
        };
        let mut sink = WebhookSink::open(config.clone()).unwrap();
        let mut ev = event("d", None, &[("a", "ML"), ("b", "NE"), ("c", "TD")]);
        ev.alerts[0].suppressed = Some("repeat".into());
        ev.alerts[1].routes = vec!["other".into()];
        sink.write(&ev, Ack::detached()).unwrap();
        assert_eq!(sink.queued(), 1);
        let mut no_alerts = ev.clone();
        no_alerts.alerts.retain(|a| !a.notifies("hook"));
        sink.write(&no_alerts, Ack::detached()).unwrap();
        assert_eq!(sink.queued(), 1, "nothing to notify: nothing queued");

        let mut refused = None;
        for _ in 0..20 {
            if let Err(e) = sink.write(&event("big", None, &[("c", "TD")]), Ack::detached()) {
                refused = Some(e);
                break;
            }
        }
        let err = refused.expect("the spool fills up").to_string();
        assert!(err.contains("spool") && err.contains("is full"), "{err}");
        let queued = sink.queued();
        drop(sink);

        // The queue is still there for the next start, first alert first.
        let sink = WebhookSink::open(config).unwrap();
        assert_eq!(sink.queued(), queued);
        let first = std::fs::read_dir(dir.path().join("spool"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "spool"))
            .min()
            .unwrap();
        let text = std::fs::read_to_string(first).unwrap();
        let body: Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
        let rules: Vec<&str> = body["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["rule"].as_str().unwrap())
            .collect();
        assert_eq!(rules, ["c"]);
    }

    /// A sink posting to a closed port, never retrying within the test, not draining.
    fn offline(dir: &Path, grouping: Grouping) -> WebhookConfig {
        let mut delivery = DeliveryOptions::new(dir.join("spool"));
        delivery.retry_initial = Duration::from_secs(3600);
        delivery.retry_max = Duration::from_secs(3600);
        delivery.drain_timeout = Duration::ZERO;
        WebhookConfig {
            id: "hook".into(),
            url: "http://127.0.0.1:9/".into(),
            format: WebhookFormat::Json,
            secret: None,
            grouping,
            delivery,
        }
    }

    /// The bodies in the spool, oldest first.
    fn spooled(dir: &Path) -> Vec<Value> {
        let mut files: Vec<_> = std::fs::read_dir(dir.join("spool"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "spool"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| {
                let text = std::fs::read_to_string(f).unwrap();
                serde_json::from_str(text.lines().nth(1).unwrap()).unwrap()
            })
            .collect()
    }

    #[test]
    fn without_a_wait_each_event_makes_one_notification_per_group() {
        let dir = tempfile::tempdir().unwrap();
        let mut sink = WebhookSink::open(offline(dir.path(), Grouping::default())).unwrap();
        sink.write(
            &event("d1", None, &[("a", "ML"), ("b", "NE"), ("a", "TD")]),
            Ack::detached(),
        )
        .unwrap();
        sink.write(&event("d2", None, &[("a", "ML")]), Ack::detached())
            .unwrap();
        assert_eq!((sink.queued(), sink.waiting()), (3, 0));
        drop(sink);
        let bodies = spooled(dir.path());
        let summary: Vec<(Value, usize, Value)> = bodies
            .iter()
            .map(|b| {
                let alerts = b["alerts"].as_array().unwrap();
                (
                    b["group_key"].clone(),
                    alerts.len(),
                    alerts[0]["communique"].clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (json!({"rule": "a"}), 2, json!("d1")),
                (json!({"rule": "b"}), 1, json!("d1")),
                (json!({"rule": "a"}), 1, json!("d2")),
            ]
        );
        // The quotes were taken from the raw text when the alerts arrived.
        assert_eq!(bodies[0]["alerts"][1]["quotes"], json!(["Sahel"]));
        assert_eq!(bodies[0]["alerts"][1]["labels"]["country"], "TD");
    }

    #[test]
    fn waiting_groups_are_queued_when_the_sink_shuts_down() {
        let dir = tempfile::tempdir().unwrap();
        let grouping = Grouping {
            by: vec!["country".into()],
            wait: Duration::from_secs(3600),
            interval: Duration::from_secs(3600),
        };
        let mut sink = WebhookSink::open(offline(dir.path(), grouping)).unwrap();
        let log = commwatch_core::AckLog::new();
        sink.write(&event("d1", None, &[("a", "ML"), ("b", "NE")]), log.ack(1))
            .unwrap();
        sink.write(&event("d2", None, &[("c", "ML")]), log.ack(2))
            .unwrap();
        sink.write(&event("d3", None, &[]), log.ack(3)).unwrap();
        sink.poll().unwrap();
        assert_eq!((sink.queued(), sink.waiting()), (0, 3));
        assert_eq!(
            log.done(),
            [3],
            "alerts waiting in a group are not acknowledged"
        );
        drop(sink);
        let mut done = log.done();
        done.sort_unstable();
        assert_eq!(
            done,
            [1, 2, 3],
            "acknowledged once their groups are spooled"
        );
        let bodies = spooled(dir.path());
        assert_eq!(bodies.len(), 2);
        let ml = bodies
            .iter()
            .find(|b| b["group_key"] == json!({"country": "ML"}))
            .unwrap();
        let rules: Vec<&Value> = ml["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| &a["rule"])
            .collect();
        assert_eq!(rules, [&json!("a"), &json!("c")]);
    }
}
