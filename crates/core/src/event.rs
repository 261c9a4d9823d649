//! The communiqué event and what the pipeline attaches to it.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::fold::FoldedText;
use crate::offsets::OffsetMap;

/// A cheaply clonable, immutable string for values that repeat across many spans (kinds,
/// canonical ids, labels). Cloning bumps a reference count instead of allocating.
pub type Symbol = Arc<str>;

/// One communiqué as it travels through the pipeline.
///
/// A source creates it with [`Communique::new`]; stages fill in [`normalized`](Self::normalized),
/// [`spans`](Self::spans), [`metadata`](Self::metadata) and [`alerts`](Self::alerts). The whole
/// event serializes to JSON (see `docs/event-schema.md`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Communique {
    /// Stable identifier: the input's own id when it gives one, else [`content_id`](crate::content_id)
    /// of the raw text, so the same document always receives the same id.
    pub id: String,
    /// Where the communiqué came from.
    pub origin: Origin,
    /// When commwatch received it.
    pub received_at: DateTime<Utc>,
    /// Publication date as given by the input, in ISO 8601 form (`YYYY`, `YYYY-MM` or
    /// `YYYY-MM-DD`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Title, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Language of the text, as an ISO 639-1 code (`en`) where one exists, else ISO 639-3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The text exactly as received (after decoding to UTF-8). All span offsets index into it.
    pub raw: String,
    /// The normalized text used for matching, with its map back to `raw`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalized: Option<NormalizedText>,
    /// Sentences of the text, in order, as raw byte ranges. Rules and plugins use them to scope
    /// a match ("in the same sentence").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sentences: Vec<TextRange>,
    /// Entities and keywords found in the text, ordered by start offset.
    #[serde(default)]
    pub spans: Vec<Span>,
    /// Free key/value metadata from the input and from stages.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Alerts raised on this communiqué.
    #[serde(default)]
    pub alerts: Vec<Alert>,
}

impl Communique {
    /// Creates an event for `raw` text. When `id` is `None` the id is the content hash of `raw`.
    pub fn new(id: Option<String>, origin: Origin, raw: String) -> Communique {
        let id = id.unwrap_or_else(|| crate::content_id(&raw));
        Communique {
            id,
            origin,
            received_at: Utc::now(),
            published: None,
            title: None,
            language: None,
            raw,
            normalized: None,
            sentences: Vec::new(),
            spans: Vec::new(),
            metadata: BTreeMap::new(),
            alerts: Vec::new(),
        }
    }

    /// The text stages should match against: the normalized text when a normalization stage has
    /// run, else the raw text.
    pub fn matching_text(&self) -> &str {
        self.normalized.as_ref().map_or(&self.raw, |n| &n.text)
    }

    /// The case- and diacritic-folded copy of the matching text, with its map back to the
    /// matching text, when the normalizer made one.
    pub fn folded(&self) -> Option<&FoldedText> {
        self.normalized.as_ref().and_then(|n| n.folded.as_ref())
    }

    /// Maps a byte range of [`matching_text`](Self::matching_text) back to a range of `raw`.
    pub fn to_raw_range(&self, start: usize, end: usize) -> (usize, usize) {
        match &self.normalized {
            Some(n) => n.map.to_raw_range(start, end),
            None => (start, end),
        }
    }

    /// The raw text a span covers. Returns an empty string for a span that does not fit, which a
    /// validated pipeline never produces.
    pub fn span_text(&self, span: &Span) -> &str {
        self.raw.get(span.start..span.end).unwrap_or("")
    }
}

/// Where a communiqué came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The source's name: the pipeline source id, or the publisher given by the input.
    pub name: String,
    /// A URI for the document itself (a `file://` path or the article URL), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
}

/// The normalized text of a communiqué and the map from its byte offsets back to the raw text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NormalizedText {
    /// The normalized text.
    pub text: String,
    /// Maps byte offsets of `text` to byte offsets of the raw text.
    pub map: OffsetMap,
    /// The folded copy matchers scan, built once per document and shared by every stage. Not
    /// serialized: it is derived from `text`.
    #[serde(skip)]
    pub folded: Option<FoldedText>,
}

/// A byte range of the raw text, serialized as `[start, end]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "(usize, usize)", into = "(usize, usize)")]
pub struct TextRange {
    /// Start byte offset (inclusive).
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
}

impl From<(usize, usize)> for TextRange {
    fn from((start, end): (usize, usize)) -> TextRange {
        TextRange { start, end }
    }
}

impl From<TextRange> for (usize, usize) {
    fn from(r: TextRange) -> (usize, usize) {
        (r.start, r.end)
    }
}

/// A typed stretch of the raw text: an entity, a keyword, a sentence.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// What was found: `country`, `keyword`, `organization`, ….
    pub kind: Symbol,
    /// The canonical id of what was found (`CD` for the Democratic Republic of the Congo).
    pub id: Symbol,
    /// A human label for the canonical entity ("Democratic Republic of the Congo").
    pub label: Symbol,
    /// Start byte offset in the raw text (inclusive, on a character boundary).
    pub start: usize,
    /// End byte offset in the raw text (exclusive, on a character boundary).
    pub end: usize,
    /// Extra detail about the entity, e.g. a person's title as written ("Italian Minister of
    /// Foreign Affairs"), a `place`'s country code (`NG`), or for a `country_in_name` /
    /// `region_in_name` span (which lies inside another span) the id of the organization or
    /// group whose name holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<Symbol>,
}

/// Something an analyst asked to hear about, raised by a rule on one communiqué.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The id of the rule that fired.
    pub rule: String,
    /// How urgent the alert is.
    pub severity: Severity,
    /// Stable fingerprint of the situation (rule id and key labels), equal across runs and
    /// instances; see [`fingerprint`](crate::fingerprint).
    pub fingerprint: String,
    /// Key/value labels describing the situation (`organization`, `country`, …).
    pub labels: BTreeMap<String, String>,
    /// One-line human summary.
    pub summary: String,
    /// The spans of raw text that made the rule fire.
    pub evidence: Vec<Span>,
    /// The id of the communiqué the alert was raised on.
    pub communique: String,
    /// Why the alert is held back from notification, once an alerting stage decided: `repeat`
    /// (the same fingerprint was sent within the repeat interval) or `duplicate` (raised on a
    /// near-duplicate of an earlier communiqué). `None`: to be notified. Held-back alerts are
    /// still stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
    /// The sinks (monitoring channels) the routing tree sent this alert to; empty means every sink.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
}

impl Alert {
    /// What identifies this alert across runs and instances: the communiqué that raised it and
    /// its fingerprint (`<communiqué id>/<fingerprint>`). A replay of the communiqué raises an
    /// alert of the same identity, which a sink that already delivered it does not deliver again.
    pub fn identity(&self) -> String {
        format!("{}/{}", self.communique, self.fingerprint)
    }

    /// True when the sink `sink_id` should notify this alert: it is not held back, and either no
    /// route was decided or the routes include that sink.
    pub fn notifies(&self, sink_id: &str) -> bool {
        self.suppressed.is_none()
            && (self.routes.is_empty() || self.routes.iter().any(|r| r == sink_id))
    }
}

/// Alert severity, ordered from least to most urgent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth recording, not worth a notification.
    Info,
    /// Low urgency.
    Low,
    /// Medium urgency.
    Medium,
    /// High urgency.
    High,
    /// Needs attention now.
    Critical,
}

impl Severity {
    /// All severities, least urgent first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The lowercase name used in configuration and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Severity, String> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity {s:?}; expected one of info, low, medium, high, critical")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_defaults_to_content_hash_and_is_stable() {
        let a = Communique::new(None, Origin::default(), "same text".into());
        let b = Communique::new(None, Origin::default(), "same text".into());
        assert_eq!(a.id, b.id);
        let c = Communique::new(None, Origin::default(), "other text".into());
        assert_ne!(a.id, c.id);
        let given = Communique::new(Some("doc-1".into()), Origin::default(), "same text".into());
        assert_eq!(given.id, "doc-1");
    }

    #[test]
    fn event_round_trips_through_json() {
        let mut ev = Communique::new(
            None,
            Origin {
                name: "t".into(),
                uri: None,
            },
            "Mali".into(),
        );
        ev.spans.push(Span {
            kind: "country".into(),
            id: "ML".into(),
            label: "Mali".into(),
            start: 0,
            end: 4,
            detail: None,
        });
        let json = serde_json::to_string(&ev).unwrap();
        let back: Communique = serde_json::from_str(&json).unwrap();
        assert_eq!(ev, back);
    }

    #[test]
    fn severity_parses_case_insensitively() {
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("urgent".parse::<Severity>().is_err());
        assert!(Severity::Critical > Severity::Info);
    }
}
