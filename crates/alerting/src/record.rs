//! An alert together with the context that a notification and the alert history need.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use commwatch_core::{Alert, Communique, Origin};
use serde::{Deserialize, Serialize};

/// Metadata key set by the alerting step on a communiqué found to be a near-duplicate: the id of
/// the first copy.
pub const META_DUPLICATE_OF: &str = "duplicate_of";

/// Metadata key set by the alerting step: when it decided about the event's alerts (RFC 3339).
/// The alert history records it as `raised_at`, so that the time a send is stored under is the
/// time the repeat check used.
pub const META_ALERTED_AT: &str = "alerted_at";

/// What became of an alert: the `status` column of the alert history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    /// To be notified (not held back).
    Sent,
    /// Held back because the same fingerprint was sent within the repeat interval (or for any
    /// other reason than a duplicate communiqué).
    Suppressed,
    /// Held back because the communiqué is a near-duplicate of an earlier one.
    Duplicate,
}

impl AlertStatus {
    /// The status an alert's [`suppressed`](Alert::suppressed) reason stands for: none → `sent`,
    /// `duplicate` → `duplicate`, anything else → `suppressed`.
    pub fn of(alert: &Alert) -> AlertStatus {
        match alert.suppressed.as_deref() {
            None => AlertStatus::Sent,
            Some(SUPPRESSED_DUPLICATE) => AlertStatus::Duplicate,
            Some(_) => AlertStatus::Suppressed,
        }
    }

    /// The lowercase name stored and shown: `sent`, `suppressed`, `duplicate`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertStatus::Sent => "sent",
            AlertStatus::Suppressed => "suppressed",
            AlertStatus::Duplicate => "duplicate",
        }
    }
}

impl fmt::Display for AlertStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AlertStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<AlertStatus, String> {
        [
            AlertStatus::Sent,
            AlertStatus::Suppressed,
            AlertStatus::Duplicate,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| {
            format!("unknown alert status {s:?}; expected sent, suppressed or duplicate")
        })
    }
}

/// [`Alert::suppressed`] reason for an alert raised on a near-duplicate communiqué.
pub const SUPPRESSED_DUPLICATE: &str = "duplicate";

/// [`Alert::suppressed`] reason for an alert whose fingerprint was sent within the repeat
/// interval.
pub const SUPPRESSED_REPEAT: &str = "repeat";

/// An [`Alert`] with what a notification says about its communiqué and what the history keeps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertRecord {
    /// The alert, with its suppression reason and routes as the alerting step set them.
    pub alert: Alert,
    /// The communiqué's title, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where the communiqué came from (source name and document URI).
    pub origin: Origin,
    /// The communiqué's publication date as given by the input (ISO 8601), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// When commwatch received the communiqué.
    pub received_at: DateTime<Utc>,
    /// The id of the earlier communiqué this one is a near-duplicate of, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// When the alerting step decided about the alert.
    pub raised_at: DateTime<Utc>,
}

impl AlertRecord {
    /// A record for each alert of `event`, in order. `raised_at` is the event's
    /// [`META_ALERTED_AT`] metadata when the alerting step set it, else `fallback_raised_at`.
    pub fn from_event(event: &Communique, fallback_raised_at: DateTime<Utc>) -> Vec<AlertRecord> {
        let raised_at = event
            .metadata
            .get(META_ALERTED_AT)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or(fallback_raised_at, |t| t.with_timezone(&Utc));
        let duplicate_of = event.metadata.get(META_DUPLICATE_OF).cloned();
        event
            .alerts
            .iter()
            .map(|alert| AlertRecord {
                alert: alert.clone(),
                title: event.title.clone(),
                origin: event.origin.clone(),
                published: event.published.clone(),
                received_at: event.received_at,
                duplicate_of: duplicate_of.clone(),
                raised_at,
            })
            .collect()
    }

    /// What became of the alert.
    pub fn status(&self) -> AlertStatus {
        AlertStatus::of(&self.alert)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{alert, ts};

    #[test]
    fn status_follows_the_suppression_reason() {
        assert_eq!(AlertStatus::of(&alert("r", &[], None)), AlertStatus::Sent);
        assert_eq!(
            AlertStatus::of(&alert("r", &[], Some(SUPPRESSED_REPEAT))),
            AlertStatus::Suppressed
        );
        assert_eq!(
            AlertStatus::of(&alert("r", &[], Some(SUPPRESSED_DUPLICATE))),
            AlertStatus::Duplicate
        );
        for st in [
            AlertStatus::Sent,
            AlertStatus::Suppressed,
            AlertStatus::Duplicate,
        ] {
            assert_eq!(st.as_str().parse::<AlertStatus>(), Ok(st));
        }
        assert!("lost".parse::<AlertStatus>().is_err());
    }

    #[test]
    fn records_carry_the_event_context() {
        let mut ev = Communique::new(
            Some("doc".into()),
            Origin {
                name: "wire".into(),
                uri: Some("https://example.invalid/a".into()),
            },
            "text".into(),
        );
        ev.title = Some("Title".into());
        ev.alerts = vec![
            alert("a", &[], None),
            alert("b", &[], Some(SUPPRESSED_DUPLICATE)),
        ];
        ev.metadata.insert(META_DUPLICATE_OF.into(), "first".into());
        let fallback = ts("2024-01-01T00:00:00Z");
        let recs = AlertRecord::from_event(&ev, fallback);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].raised_at, fallback);
        assert_eq!(recs[1].duplicate_of.as_deref(), Some("first"));
        assert_eq!(recs[1].status(), AlertStatus::Duplicate);
        assert_eq!(recs[0].title.as_deref(), Some("Title"));

        ev.metadata
            .insert(META_ALERTED_AT.into(), "2024-05-06T07:08:09Z".into());
        let recs = AlertRecord::from_event(&ev, fallback);
        assert_eq!(recs[0].raised_at.to_rfc3339(), "2024-05-06T07:08:09+00:00");
        let json = serde_json::to_string(&recs[0]).unwrap();
        assert_eq!(serde_json::from_str::<AlertRecord>(&json).unwrap(), recs[0]);
    }
}
