//! Helpers shared by the unit tests.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use commwatch_core::{Alert, Communique, Origin, Severity};

use crate::record::AlertRecord;

/// A timestamp from RFC 3339 text.
pub(crate) fn ts(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("a valid timestamp")
        .with_timezone(&Utc)
}

/// A high-severity alert of `rule` with `labels`, fingerprinted from both.
pub(crate) fn alert(rule: &str, labels: &[(&str, &str)], suppressed: Option<&str>) -> Alert {
    let labels: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Alert {
        rule: rule.into(),
        severity: Severity::High,
        fingerprint: commwatch_core::fingerprint(
            rule,
            labels.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ),
        labels,
        summary: format!("{rule} fired"),
        evidence: Vec::new(),
        communique: "doc".into(),
        suppressed: suppressed.map(str::to_owned),
        routes: Vec::new(),
    }
}

/// A record of `alert` raised at `raised_at`, on a communiqué of that time (`doc@<raised_at>`):
/// each record is of another communiqué, as the history has one record per alert identity.
pub(crate) fn record(mut alert: Alert, raised_at: &str) -> AlertRecord {
    alert.communique = format!("{}@{raised_at}", alert.communique);
    let mut ev = Communique::new(
        Some(alert.communique.clone()),
        Origin {
            name: "wire".into(),
            uri: Some("https://example.invalid/doc".into()),
        },
        "text".into(),
    );
    ev.title = Some("A communiqué".into());
    ev.received_at = ts(raised_at);
    ev.alerts.push(alert);
    AlertRecord::from_event(&ev, ts(raised_at)).remove(0)
}
