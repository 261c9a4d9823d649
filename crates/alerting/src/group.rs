//! Grouping alerts into notifications, Alertmanager style.
//!
//! Ten communiqués about the same accession arriving within a minute should make one message, not
//! ten. A notifying sink puts each alert it is to notify into a [`Grouper`]; alerts whose
//! `group_by` labels are equal share a group. A new group waits `group_wait` for more alerts
//! before its first [`Notification`]; after that, alerts that join it are sent in batches at most
//! every `group_interval`. At the end of input, [`Grouper::drain`] hands over everything pending.
//!
//! The grouper keeps no clock of its own: the sink passes `now` to [`add`](Grouper::add) and
//! [`due`](Grouper::due) (from [`Sink::poll`](commwatch_core::Sink::poll)), which keeps it a
//! pure, testable library.

use std::collections::BTreeMap;
use std::mem;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use commwatch_core::Alert;
use serde::{Deserialize, Serialize};

use crate::record::AlertRecord;

/// The most alerts a group holds before it is due regardless of its timers, so that memory stays
/// bounded during a burst.
pub const MAX_GROUP_ALERTS: usize = 1_000;

/// The `group_by` entry that groups by every label (Alertmanager's `...`).
pub const GROUP_BY_ALL: &str = "...";

/// Grouping settings for a notifying sink, with Alertmanager's defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupingConfig {
    /// Labels whose values define a group. `rule` and `severity` name the alert's fields unless a
    /// label has that name; `...` groups by all labels; empty = one group for everything.
    /// Default `["rule"]`.
    pub group_by: Vec<String>,
    /// How long a new group waits for more alerts before its first notification. Default `"30s"`.
    #[serde(
        deserialize_with = "crate::duration::deserialize",
        serialize_with = "crate::duration::serialize"
    )]
    pub group_wait: Duration,
    /// How long after a notification further alerts of the same group wait. Default `"5m"`.
    #[serde(
        deserialize_with = "crate::duration::deserialize",
        serialize_with = "crate::duration::serialize"
    )]
    pub group_interval: Duration,
}

impl Default for GroupingConfig {
    fn default() -> GroupingConfig {
        GroupingConfig {
            group_by: vec!["rule".to_owned()],
            group_wait: Duration::from_secs(30),
            group_interval: Duration::from_secs(300),
        }
    }
}

/// A batch of alerts of one group, to be sent as one message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    /// The `group_by` labels and their values shared by the alerts (labels an alert lacks are
    /// left out).
    pub group_key: BTreeMap<String, String>,
    /// The alerts, in the order they were added.
    pub alerts: Vec<AlertRecord>,
}

/// Collects alerts into groups and says when each group's next notification is due.
#[derive(Debug)]
pub struct Grouper {
    group_by: Vec<String>,
    group_wait: TimeDelta,
    group_interval: TimeDelta,
    groups: BTreeMap<BTreeMap<String, String>, Group>,
}

#[derive(Debug)]
struct Group {
    pending: Vec<AlertRecord>,
    /// When the pending alerts are due: first alert + `group_wait`, then last notification +
    /// `group_interval`.
    next_flush: DateTime<Utc>,
}

impl Grouper {
    /// A grouper keyed on the `group_by` labels (see [`GroupingConfig::group_by`]).
    pub fn new(group_by: Vec<String>, group_wait: Duration, group_interval: Duration) -> Grouper {
        Grouper {
            group_by,
            group_wait: TimeDelta::from_std(group_wait).unwrap_or(TimeDelta::MAX),
            group_interval: TimeDelta::from_std(group_interval).unwrap_or(TimeDelta::MAX),
            groups: BTreeMap::new(),
        }
    }

    /// A grouper with the settings of `config`.
    pub fn from_config(config: &GroupingConfig) -> Grouper {
        Grouper::new(
            config.group_by.clone(),
            config.group_wait,
            config.group_interval,
        )
    }

    /// The group key of `alert`: its `group_by` labels and values.
    pub fn group_key(&self, alert: &Alert) -> BTreeMap<String, String> {
        if self.group_by.iter().any(|g| g == GROUP_BY_ALL) {
            return alert.labels.clone();
        }
        self.group_by
            .iter()
            .filter_map(|name| {
                let value = match (alert.labels.get(name), name.as_str()) {
                    (Some(v), _) => v.clone(),
                    (None, "rule") => alert.rule.clone(),
                    (None, "severity") => alert.severity.as_str().to_owned(),
                    (None, _) => return None,
                };
                Some((name.clone(), value))
            })
            .collect()
    }

    /// Adds an alert at `now`. A new group (or one idle since its last notification for longer
    /// than `group_interval`) becomes due at `now + group_wait`.
    pub fn add(&mut self, alert: AlertRecord, now: DateTime<Utc>) {
        let key = self.group_key(&alert.alert);
        let group = self.groups.entry(key).or_insert_with(|| Group {
            pending: Vec::new(),
            next_flush: now + self.group_wait,
        });
        if group.pending.is_empty() && group.next_flush <= now {
            // Idle past its interval: a fresh start, as if the group were new.
            group.next_flush = now + self.group_wait;
        }
        group.pending.push(alert);
    }

    /// The notifications due at `now`: groups whose wait or interval has elapsed, and groups that
    /// reached [`MAX_GROUP_ALERTS`]. Their next batch is due `group_interval` later. Groups idle
    /// past their interval are forgotten.
    pub fn due(&mut self, now: DateTime<Utc>) -> Vec<Notification> {
        let mut out = Vec::new();
        let interval = self.group_interval;
        self.groups.retain(|key, group| {
            if group.pending.is_empty() {
                return group.next_flush > now;
            }
            if group.next_flush <= now || group.pending.len() >= MAX_GROUP_ALERTS {
                out.push(Notification {
                    group_key: key.clone(),
                    alerts: mem::take(&mut group.pending),
                });
                group.next_flush = now + interval;
            }
            true
        });
        out
    }

    /// Everything pending, one notification per non-empty group, and forgets all groups (end of
    /// input).
    pub fn drain(&mut self) -> Vec<Notification> {
        mem::take(&mut self.groups)
            .into_iter()
            .filter(|(_, g)| !g.pending.is_empty())
            .map(|(group_key, g)| Notification {
                group_key,
                alerts: g.pending,
            })
            .collect()
    }

    /// The earliest time a pending group is due, if any: when the sink should call
    /// [`due`](Self::due) next.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        self.groups
            .values()
            .filter(|g| !g.pending.is_empty())
            .map(|g| g.next_flush)
            .min()
    }

    /// The number of alerts waiting in groups.
    pub fn pending(&self) -> usize {
        self.groups.values().map(|g| g.pending.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{alert, record, ts};

    fn rec(rule: &str, country: &str) -> AlertRecord {
        record(
            alert(rule, &[("country", country)], None),
            "2024-01-01T00:00:00Z",
        )
    }

    fn grouper() -> Grouper {
        Grouper::new(
            vec!["rule".into(), "country".into()],
            Duration::from_secs(30),
            Duration::from_secs(300),
        )
    }

    #[test]
    fn a_group_waits_then_batches_at_the_interval() {
        let mut g = grouper();
        let t0 = ts("2024-01-01T00:00:00Z");
        g.add(rec("accession", "FI"), t0);
        g.add(rec("accession", "FI"), t0 + TimeDelta::seconds(10));
        g.add(rec("accession", "SE"), t0 + TimeDelta::seconds(20));
        assert!(g.due(t0 + TimeDelta::seconds(29)).is_empty());
        assert_eq!(g.next_due(), Some(t0 + TimeDelta::seconds(30)));

        let first = g.due(t0 + TimeDelta::seconds(30));
        assert_eq!(first.len(), 1, "SE's group started later");
        assert_eq!(first[0].alerts.len(), 2);
        assert_eq!(
            first[0].group_key,
            BTreeMap::from([
                ("country".to_owned(), "FI".to_owned()),
                ("rule".to_owned(), "accession".to_owned())
            ])
        );
        assert_eq!(
            g.due(t0 + TimeDelta::seconds(50)).len(),
            1,
            "SE after its wait"
        );

        // Another FI alert waits for the group interval, not the group wait.
        g.add(rec("accession", "FI"), t0 + TimeDelta::seconds(60));
        assert!(g.due(t0 + TimeDelta::seconds(329)).is_empty());
        assert_eq!(g.due(t0 + TimeDelta::seconds(330))[0].alerts.len(), 1);
        assert_eq!(g.pending(), 0);
    }

    #[test]
    fn idle_groups_are_forgotten_and_start_afresh() {
        let mut g = grouper();
        let t0 = ts("2024-01-01T00:00:00Z");
        g.add(rec("r", "FI"), t0);
        assert_eq!(g.due(t0 + TimeDelta::seconds(30)).len(), 1);
        assert_eq!(g.groups.len(), 1);
        assert!(g.due(t0 + TimeDelta::seconds(330)).is_empty());
        assert!(g.groups.is_empty(), "idle past its interval");
        let t1 = t0 + TimeDelta::hours(1);
        g.add(rec("r", "FI"), t1);
        assert!(g.due(t1 + TimeDelta::seconds(29)).is_empty());
        assert_eq!(g.due(t1 + TimeDelta::seconds(30)).len(), 1);
    }

    #[test]
    fn drain_returns_everything_pending() {
        let mut g = grouper();
        let t0 = ts("2024-01-01T00:00:00Z");
        g.add(rec("a", "FI"), t0);
        g.add(rec("b", "FI"), t0);
        g.add(rec("a", "FI"), t0);
        let all = g.drain();
        assert_eq!(all.iter().map(|n| n.alerts.len()).sum::<usize>(), 3);
        assert_eq!(all.len(), 2);
        assert!(g.drain().is_empty());
    }

    #[test]
    fn full_groups_are_due_at_once() {
        let mut g = grouper();
        let t0 = ts("2024-01-01T00:00:00Z");
        for _ in 0..MAX_GROUP_ALERTS {
            g.add(rec("a", "FI"), t0);
        }
        assert_eq!(g.due(t0)[0].alerts.len(), MAX_GROUP_ALERTS);
    }

    #[test]
    fn group_keys() {
        let a = alert("r", &[("country", "FI"), ("org", "NATO")], None);
        let key = |by: &[&str]| {
            Grouper::new(
                by.iter().map(|s| (*s).to_owned()).collect(),
                Duration::ZERO,
                Duration::ZERO,
            )
            .group_key(&a)
        };
        assert_eq!(key(&[]), BTreeMap::new());
        assert_eq!(key(&["..."]), a.labels);
        assert_eq!(
            key(&["severity", "missing"]).get("severity").unwrap(),
            "high"
        );
        assert_eq!(key(&["rule"]).get("rule").unwrap(), "r");
    }

    #[test]
    fn config_defaults_and_parses() {
        let c: GroupingConfig = toml::from_str("group_wait = \"1m\"").unwrap();
        assert_eq!(c.group_wait, Duration::from_secs(60));
        assert_eq!(c.group_interval, Duration::from_secs(300));
        assert_eq!(c.group_by, ["rule"]);
        assert!(toml::from_str::<GroupingConfig>("group_wait = \"soon\"").is_err());
        let secs: GroupingConfig = toml::from_str("group_interval = 90").unwrap();
        assert_eq!(secs.group_interval, Duration::from_secs(90));
        let round_trip: GroupingConfig = toml::from_str(&toml::to_string(&secs).unwrap()).unwrap();
        assert_eq!(round_trip, secs);
        let g = Grouper::from_config(&c);
        assert_eq!(g.group_wait, TimeDelta::seconds(60));
    }
}
