//! What the HTTP notification sinks ([`WebhookSink`](super::WebhookSink),
//! [`AlertmanagerSink`](super::AlertmanagerSink)) share: the alert record they send, request
//! signing, retry timing, and the [`Courier`] that delivers a [`Spool`] in order.
//!
//! ## Delivery
//!
//! A notification is queued in the spool (synced to disk) before its first attempt and removed
//! only after a `2xx` answer. Delivery is **strictly in order**: the oldest notification is retried
//! until it is delivered or refused for good, and nothing newer is sent before it. Answers:
//!
//! - `2xx`: delivered.
//! - `408`, `429`, `5xx`, `3xx` (redirects are not followed), connection errors and timeouts:
//!   retried after an exponentially growing delay with jitter (`retry_initial` doubling up to
//!   `retry_max`; each delay is drawn uniformly from the upper half of the current step, so that
//!   many commwatch instances do not retry in lock step). A `Retry-After` header of a number of
//!   seconds lengthens the delay, up to `retry_max`.
//! - any other `4xx`: refused for good (the receiver will never take this request). The
//!   notification is moved to the spool's `failed/` directory with the reason, logged as an
//!   error, and the next one is sent.
//!
//! Attempts run on the sink's thread, from [`Sink::write`](commwatch_core::Sink::write),
//! [`flush`](commwatch_core::Sink::flush) and [`poll`](commwatch_core::Sink::poll) when a retry is
//! due. One call starts attempts back to back while they succeed, but none after
//! [`STEP_BUDGET`]: so a call holds the pipeline for at most that plus one attempt's `timeout`,
//! however slow or broken the receiver is. Delivery is at least once: a crash between the
//! receiver's answer and the removal of the file sends the notification again at the next start,
//! with the same `X-Commwatch-Delivery` id, so a receiver can drop the repeat.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use commwatch_alerting::META_DUPLICATE_OF;
use commwatch_core::{Alert, Communique, Origin, SinkError, Span};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use tracing::{error, info, warn};

use super::spool::{Spool, SpoolEntry, hex};

/// Default bound of a spool directory: 64 MiB.
pub const DEFAULT_SPOOL_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// Default longest time one delivery attempt may take, connection to last byte.
pub const DEFAULT_NOTIFY_TIMEOUT: Duration = Duration::from_secs(10);
/// Default delay before the first retry.
pub const DEFAULT_RETRY_INITIAL: Duration = Duration::from_millis(500);
/// Default longest delay between two retries.
pub const DEFAULT_RETRY_MAX: Duration = Duration::from_secs(30);
/// Default time spent delivering what is left in the spool when the run ends.
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// After this long, one call of `write`/`flush`/`poll` starts no further delivery attempt.
pub const STEP_BUDGET: Duration = Duration::from_millis(250);

/// Header carrying the HMAC-SHA256 signature of the body: `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "X-Commwatch-Signature";
/// Header carrying the notification's unique id, the same on every attempt.
pub const DELIVERY_HEADER: &str = "X-Commwatch-Delivery";

/// Response bytes read (and logged, in part) from a receiver.
const MAX_RESPONSE_BYTES: u64 = 64 * 1024;

/// Where and how patiently an HTTP sink delivers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryOptions {
    /// The spool directory (one per sink).
    pub spool_dir: PathBuf,
    /// Bound of the spool, in bytes of queued files.
    pub spool_max_bytes: u64,
    /// Longest one attempt may take.
    pub timeout: Duration,
    /// Delay before the first retry.
    pub retry_initial: Duration,
    /// Longest delay between retries.
    pub retry_max: Duration,
    /// Time spent at the end of the run delivering what is left.
    pub drain_timeout: Duration,
}

impl DeliveryOptions {
    /// The defaults, spooling in `spool_dir`.
    pub fn new(spool_dir: impl Into<PathBuf>) -> DeliveryOptions {
        DeliveryOptions {
            spool_dir: spool_dir.into(),
            spool_max_bytes: DEFAULT_SPOOL_MAX_BYTES,
            timeout: DEFAULT_NOTIFY_TIMEOUT,
            retry_initial: DEFAULT_RETRY_INITIAL,
            retry_max: DEFAULT_RETRY_MAX,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
        }
    }
}

/// A signing key. Its `Debug` form does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// A key of these bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Secret {
        Secret(bytes.into())
    }

    /// `sha256=<hex>` of the HMAC-SHA256 of `body` under this key: the value of
    /// [`SIGNATURE_HEADER`].
    pub fn sign(&self, body: &[u8]) -> String {
        sign(&self.0, body)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// `sha256=<lowercase hex HMAC-SHA256 of body under key>`.
pub fn sign(key: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

/// The delay before retry number `failures` (1 = after the first failure): `initial` doubled for
/// each earlier failure, at most `max`, then scaled into its upper half by `unit` (in `[0, 1)`):
/// the result lies in `[step / 2, step]`.
pub fn backoff(initial: Duration, max: Duration, failures: u32, unit: f64) -> Duration {
    let doublings = failures.saturating_sub(1).min(31);
    let step = initial.saturating_mul(1 << doublings).min(max);
    let half = step / 2;
    half + (step - half).mul_f64(unit.clamp(0.0, 1.0))
}

/// A pseudo-random number, seeded from the operating system (through `RandomState`) and a
/// counter: good for jitter and unique ids, not for cryptography.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    h.finish()
}

/// A pseudo-random number in `[0, 1)`.
fn random_unit() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A new delivery id, formatted as a random (version 4) UUID.
pub fn delivery_id() -> String {
    let (a, b) = (random_u64(), random_u64());
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// One alert as the HTTP sinks send it: the alert's own fields and the communiqué's `title`,
/// `origin`, `published` and `received_at` (and `duplicate_of` when the alerting stage found the
/// communiqué to be a near-duplicate), plus `quotes`, the raw text of each evidence span.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertPayload {
    /// The alert.
    #[serde(flatten)]
    pub alert: Alert,
    /// The communiqué's title.
    pub title: Option<String>,
    /// Where the communiqué came from.
    pub origin: Origin,
    /// The communiqué's publication date, as given.
    pub published: Option<String>,
    /// When commwatch received the communiqué.
    pub received_at: DateTime<Utc>,
    /// The earlier communiqué this one is a near-duplicate of, when the alerting stage said so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// The raw text of each evidence span, in the order of `evidence`.
    pub quotes: Vec<String>,
    /// The first piece of evidence with some context, on one line, for human-readable formats.
    #[serde(skip)]
    pub excerpt: Option<String>,
}

impl AlertPayload {
    /// The record of `alert`, raised on `event`.
    pub fn new(event: &Communique, alert: &Alert) -> AlertPayload {
        AlertPayload {
            alert: alert.clone(),
            title: event.title.clone(),
            origin: event.origin.clone(),
            published: event.published.clone(),
            received_at: event.received_at,
            duplicate_of: event.metadata.get(META_DUPLICATE_OF).cloned(),
            quotes: alert
                .evidence
                .iter()
                .map(|s| event.span_text(s).to_owned())
                .collect(),
            excerpt: alert.evidence.first().map(|s| excerpt(&event.raw, s)),
        }
    }

    /// The communiqué's URI when it is a web address (`http://` or `https://`).
    pub fn web_uri(&self) -> Option<&str> {
        self.origin.uri.as_deref().filter(|u| {
            let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
            lower.starts_with("http://") || lower.starts_with("https://")
        })
    }
}

/// Bytes of context quoted on each side of a piece of evidence.
const EXCERPT_CONTEXT: usize = 60;

/// `span`'s text in `raw` with up to 60 bytes of context on each side, cut between words where
/// possible, `…` marking a cut, on one line.
pub fn excerpt(raw: &str, span: &Span) -> String {
    let Some(evidence) = raw.get(span.start..span.end) else {
        return String::new();
    };
    let mut from = span.start.saturating_sub(EXCERPT_CONTEXT);
    while !raw.is_char_boundary(from) {
        from += 1;
    }
    let mut to = span.end.saturating_add(EXCERPT_CONTEXT).min(raw.len());
    while !raw.is_char_boundary(to) {
        to -= 1;
    }
    if from > 0
        && let Some((i, c)) = raw[from..span.start]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
    {
        from += i + c.len_utf8();
        from += raw[from..span.start].len() - raw[from..span.start].trim_start().len();
    }
    if to < raw.len()
        && let Some(i) = raw[span.end..to].rfind(char::is_whitespace)
    {
        to = span.end + i;
    }
    one_line(&format!(
        "{}{}{evidence}{}{}",
        if from > 0 { "…" } else { "" },
        &raw[from..span.start],
        &raw[span.end..to],
        if to < raw.len() { "…" } else { "" },
    ))
}

/// `text` with control characters as spaces and runs of white space folded to one space.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if !(c.is_whitespace() && (out.is_empty() || out.ends_with(char::is_whitespace))) {
            out.push(if c.is_whitespace() { ' ' } else { c });
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// How a receiver answered one attempt.
#[derive(Debug, PartialEq)]
enum Attempt {
    Delivered,
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    Refused(String),
}

/// Sorts an HTTP answer into delivered, retry, or refused for good.
fn classify(status: u16, retry_after: Option<Duration>, response: &str) -> Attempt {
    let reason = if response.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {response}")
    };
    match status {
        200..=299 => Attempt::Delivered,
        408 | 429 => Attempt::Retry {
            reason,
            after: retry_after,
        },
        400..=499 => Attempt::Refused(reason),
        300..=399 => Attempt::Retry {
            reason: format!(
                "{reason} (redirects are not followed; set `url` to the final address)"
            ),
            after: None,
        },
        _ => Attempt::Retry {
            reason,
            after: retry_after,
        },
    }
}

/// Delivers the notifications of one [`Spool`], in order, to one URL.
pub(crate) struct Courier {
    url: String,
    secret: Option<Secret>,
    agent: ureq::Agent,
    spool: Spool,
    options: DeliveryOptions,
    /// Failed attempts on the current head.
    failures: u32,
    /// No attempt before this.
    next_attempt: Instant,
    /// Set once the runtime called the sink: only a sink that ran drains when it is dropped.
    active: bool,
}

impl Courier {
    /// Opens the spool and reads back what an earlier run left in it.
    pub(crate) fn open(
        url: String,
        secret: Option<Secret>,
        options: DeliveryOptions,
    ) -> Result<Courier, SinkError> {
        let spool = Spool::open(&options.spool_dir, options.spool_max_bytes).map_err(|source| {
            SinkError::Io {
                context: format!("opening the spool {}", options.spool_dir.display()),
                source,
            }
        })?;
        if !spool.is_empty() {
            info!(
                queued = spool.len(),
                spool = %spool.dir().display(),
                "notifications left by an earlier run will be delivered first"
            );
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(options.timeout))
            .user_agent(concat!("commwatch/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Courier {
            url,
            secret,
            agent: ureq::Agent::new_with_config(config),
            spool,
            options,
            failures: 0,
            next_attempt: Instant::now(),
            active: false,
        })
    }

    /// The spool.
    pub(crate) fn spool(&self) -> &Spool {
        &self.spool
    }

    /// Checks that notifications of these sizes fit in the spool; an error names the cause.
    pub(crate) fn admit(&self, body_bytes: usize, extra_queued: u64) -> Result<(), SinkError> {
        let needed = Spool::file_size(body_bytes).saturating_add(extra_queued);
        if self.spool.has_room(needed) {
            return Ok(());
        }
        Err(SinkError::Other(format!(
            "the notification spool {} is full ({} bytes queued in {} undelivered notification(s), \
             spool_max_bytes = {}; this event needs about {needed} more): {} has not been taking \
             notifications; the event's alerts were not queued",
            self.spool.dir().display(),
            self.spool.bytes(),
            self.spool.len(),
            self.spool.max_bytes(),
            self.url,
        )))
    }

    /// Queues notifications, durably and in order. The caller checked room with
    /// [`admit`](Self::admit).
    pub(crate) fn enqueue(&mut self, bodies: Vec<Vec<u8>>) -> Result<(), SinkError> {
        self.active = true;
        for body in bodies {
            self.spool
                .push(&delivery_id(), &body)
                .map_err(|source| SinkError::Io {
                    context: format!("writing to the spool {}", self.spool.dir().display()),
                    source,
                })?;
        }
        Ok(())
    }

    /// Delivers what is due, within [`STEP_BUDGET`] (see the module documentation).
    pub(crate) fn step(&mut self) -> Result<(), SinkError> {
        self.active = true;
        let started = Instant::now();
        while Instant::now() >= self.next_attempt && started.elapsed() < STEP_BUDGET {
            if !self.attempt_head(self.options.timeout)? {
                break;
            }
        }
        Ok(())
    }

    /// [`step`](Self::step), logging a failure instead of returning it.
    pub(crate) fn step_logged(&mut self) {
        if let Err(e) = self.step() {
            error!(error = %e, "notification delivery failed");
        }
    }

    /// Delivers what is left for at most `drain_timeout`, and says what remains. Called once,
    /// at the end of the run.
    pub(crate) fn drain(&mut self) {
        if !self.active {
            return;
        }
        self.active = false;
        if self.spool.is_empty() {
            return;
        }
        let deadline = Instant::now() + self.options.drain_timeout;
        info!(
            queued = self.spool.len(),
            drain_timeout = ?self.options.drain_timeout,
            "delivering the notifications still queued"
        );
        while !self.spool.is_empty() {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            if now < self.next_attempt {
                std::thread::sleep(self.next_attempt.min(deadline) - now);
                continue;
            }
            let timeout = self.options.timeout.min(deadline - now);
            if let Err(e) = self.attempt_head(timeout) {
                error!(error = %e, "the notification spool failed");
                break;
            }
        }
        if self.spool.is_empty() {
            info!("every notification was delivered");
        } else {
            warn!(
                queued = self.spool.len(),
                spool = %self.spool.dir().display(),
                "notifications not delivered before drain_timeout stay in the spool; \
                 they are delivered, in order, at the next start"
            );
        }
    }

    /// Makes one attempt on the oldest notification. `Ok(true)` when the queue moved on
    /// (delivered or refused for good), `Ok(false)` when there is nothing to send or a retry
    /// was scheduled.
    fn attempt_head(&mut self, timeout: Duration) -> Result<bool, SinkError> {
        let spool_error = |dir: &std::path::Path, source| SinkError::Io {
            context: format!("reading the spool {}", dir.display()),
            source,
        };
        let dir = self.spool.dir().to_path_buf();
        let entry = match self.spool.front() {
            Ok(Some(entry)) => entry.clone(),
            Ok(None) => return Ok(false),
            Err(e) => return Err(spool_error(&dir, e)),
        };
        match self.post(&entry, timeout) {
            Attempt::Delivered => {
                if self.failures > 0 {
                    info!(
                        delivery = %entry.delivery,
                        attempts = self.failures + 1,
                        "delivered after retries"
                    );
                }
                self.failures = 0;
                self.spool.pop_front().map_err(|e| spool_error(&dir, e))?;
                Ok(true)
            }
            Attempt::Refused(reason) => {
                self.failures = 0;
                let moved = self
                    .spool
                    .fail_front(&reason)
                    .map_err(|e| spool_error(&dir, e))?;
                error!(
                    delivery = %entry.delivery,
                    url = %self.url,
                    reason = %reason,
                    kept_in = %moved.map(|p| p.display().to_string()).unwrap_or_default(),
                    "the receiver refused a notification for good; it was moved to failed/"
                );
                Ok(true)
            }
            Attempt::Retry { reason, after } => {
                self.failures += 1;
                let mut delay = backoff(
                    self.options.retry_initial,
                    self.options.retry_max,
                    self.failures,
                    random_unit(),
                );
                if let Some(after) = after {
                    delay = delay.max(after.min(self.options.retry_max));
                }
                self.next_attempt = Instant::now() + delay;
                if self.failures == 1 || self.failures.is_multiple_of(10) {
                    warn!(
                        url = %self.url,
                        reason = %reason,
                        failures = self.failures,
                        queued = self.spool.len(),
                        retry_in = ?delay,
                        "notification not delivered; will retry"
                    );
                }
                Ok(false)
            }
        }
    }

    fn post(&self, entry: &SpoolEntry, timeout: Duration) -> Attempt {
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header(DELIVERY_HEADER, &entry.delivery);
        if let Some(secret) = &self.secret {
            request = request.header(SIGNATURE_HEADER, secret.sign(&entry.body));
        }
        let request = request.config().timeout_global(Some(timeout)).build();
        match request.send(&entry.body[..]) {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let text = response
                    .body_mut()
                    .with_config()
                    .limit(MAX_RESPONSE_BYTES)
                    .read_to_vec()
                    .map(|b| one_line(&String::from_utf8_lossy(&b)))
                    .unwrap_or_default();
                let text: String = text.chars().take(200).collect();
                classify(status, retry_after, &text)
            }
            Err(e) => Attempt::Retry {
                reason: e.to_string(),
                after: None,
            },
        }
    }
}

impl Drop for Courier {
    fn drop(&mut self) {
        self.drain();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn signatures_are_hmac_sha256_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let secret = Secret::new("s3cret");
        assert_eq!(secret.sign(b"{}"), sign(b"s3cret", b"{}"));
        assert_ne!(secret.sign(b"{}"), secret.sign(b"{ }"));
        assert_eq!(format!("{secret:?}"), "Secret(…)");
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum_with_jitter_in_the_upper_half() {
        let (initial, max) = (Duration::from_millis(500), Duration::from_secs(30));
        let steps = [500u64, 1000, 2000, 4000, 8000, 16000, 30000, 30000];
        for (i, step) in steps.iter().enumerate() {
            let failures = i as u32 + 1;
            let step = Duration::from_millis(*step);
            assert_eq!(backoff(initial, max, failures, 0.0), step / 2);
            assert!(backoff(initial, max, failures, 0.999_999) <= step);
            for _ in 0..200 {
                let d = backoff(initial, max, failures, random_unit());
                assert!(d >= step / 2 && d <= step, "{d:?} for {failures}");
            }
        }
        assert_eq!(backoff(initial, max, u32::MAX, 1.0), max);
        // Random draws spread over the interval.
        let draws: Vec<Duration> = (0..200)
            .map(|_| backoff(initial, max, 3, random_unit()))
            .collect();
        assert!(draws.iter().any(|d| *d < Duration::from_millis(1500)));
        assert!(draws.iter().any(|d| *d > Duration::from_millis(1500)));
    }

    #[test]
    fn delivery_ids_are_unique_uuids() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| delivery_id()).collect();
        assert_eq!(ids.len(), 1000);
        let id = ids.iter().next().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert!(
            matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
            "{id}"
        );
    }

    #[test]
    fn answers_are_sorted_into_delivered_retry_and_refused() {
        assert_eq!(classify(200, None, ""), Attempt::Delivered);
        assert_eq!(classify(204, None, "x"), Attempt::Delivered);
        let retry = |s| matches!(classify(s, None, ""), Attempt::Retry { .. });
        assert!(
            [408, 429, 500, 502, 503, 504, 301, 307]
                .into_iter()
                .all(retry)
        );
        assert_eq!(
            classify(400, None, "bad label"),
            Attempt::Refused("HTTP 400: bad label".into())
        );
        assert!(matches!(classify(404, None, ""), Attempt::Refused(_)));
        assert_eq!(
            classify(429, Some(Duration::from_secs(3)), ""),
            Attempt::Retry {
                reason: "HTTP 429".into(),
                after: Some(Duration::from_secs(3))
            }
        );
    }

    #[test]
    fn records_carry_the_communique_and_the_evidence() {
        let raw = "Ministerial Meeting.\n\nThe ministers welcomed new members joining the \
                   Coalition: Mauritania and Yemen. They also discussed other matters at length.";
        let mut ev = Communique::new(
            Some("doc-1".into()),
            Origin {
                name: "examples".into(),
                uri: Some("HTTPS://example.org/c/1".into()),
            },
            raw.into(),
        );
        ev.title = Some("Ministerial Meeting".into());
        let start = raw.find("Mauritania").unwrap();
        let alert = Alert {
            rule: "new_member_accession".into(),
            severity: commwatch_core::Severity::High,
            fingerprint: "fp".into(),
            labels: BTreeMap::from([("country".into(), "MR".into())]),
            summary: "New member: Mauritania".into(),
            evidence: vec![Span {
                kind: "country".into(),
                id: "MR".into(),
                label: "Mauritania".into(),
                start,
                end: start + 10,
                detail: None,
            }],
            communique: "doc-1".into(),
            suppressed: None,
            routes: Vec::new(),
        };
        let record = AlertPayload::new(&ev, &alert);
        assert_eq!(record.quotes, ["Mauritania"]);
        assert_eq!(
            record.excerpt.as_deref(),
            Some(
                "…The ministers welcomed new members joining the Coalition: Mauritania and \
                 Yemen. They also discussed other matters at length."
            )
        );
        assert_eq!(record.web_uri(), Some("HTTPS://example.org/c/1"));
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["rule"], "new_member_accession");
        assert_eq!(json["labels"]["country"], "MR");
        assert_eq!(json["title"], "Ministerial Meeting");
        assert_eq!(json["origin"]["name"], "examples");
        assert_eq!(json["published"], serde_json::Value::Null);
        assert!(json["received_at"].is_string());
        assert!(json.get("excerpt").is_none() && json.get("suppressed").is_none());
        assert!(json.get("duplicate_of").is_none());
    }

    #[test]
    fn one_line_folds_whitespace_and_controls() {
        assert_eq!(one_line(" a\n\tb \x1b[2J c  "), "a b [2J c");
    }
}
