//! Repeat suppression: the same situation is notified at most once per repeat interval.
//!
//! A rule that fires on every communiqué about an ongoing crisis would otherwise page someone for
//! each of them. Alerts carry a [fingerprint](commwatch_core::fingerprint) of the rule and its key
//! labels, equal across runs and instances; [`Deduplicator`] remembers when each fingerprint was
//! last sent and holds back alerts whose fingerprint was sent less than `repeat_interval` ago, like
//! Alertmanager's `repeat_interval`. A held-back alert does not restart the interval: an ongoing
//! situation is notified again once per interval.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// The default number of fingerprints a [`Deduplicator`] remembers.
pub const DEFAULT_DEDUP_CAPACITY: usize = 100_000;

/// What to do with an alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Notify it: its fingerprint was not sent within the repeat interval. The send is recorded.
    Send,
    /// Hold it back: its fingerprint was sent at `last_sent`, within the repeat interval.
    Suppress {
        /// When the fingerprint was last sent.
        last_sent: DateTime<Utc>,
    },
}

/// Remembers when each alert fingerprint was last sent, for at most `capacity` fingerprints.
///
/// When full, recording a new fingerprint forgets the one sent longest ago: it is the least likely
/// to still be within its repeat interval. Earlier sends known from elsewhere (the alert history of
/// an earlier run or of another instance) are added with [`observe_sent`](Self::observe_sent).
#[derive(Debug)]
pub struct Deduplicator {
    repeat_interval: TimeDelta,
    capacity: usize,
    /// Fingerprint → (last send, its key in `by_age`).
    sent: HashMap<String, (DateTime<Utc>, u64)>,
    /// (last send, sequence number) → fingerprint, oldest first; the sequence number breaks ties.
    by_age: BTreeMap<(DateTime<Utc>, u64), String>,
    next_seq: u64,
}

impl Deduplicator {
    /// A deduplicator holding back fingerprints sent less than `repeat_interval` ago, remembering
    /// at most `capacity` fingerprints (at least 1). A zero interval holds nothing back.
    pub fn new(repeat_interval: Duration, capacity: usize) -> Deduplicator {
        Deduplicator {
            repeat_interval: TimeDelta::from_std(repeat_interval).unwrap_or(TimeDelta::MAX),
            capacity: capacity.max(1),
            sent: HashMap::new(),
            by_age: BTreeMap::new(),
            next_seq: 0,
        }
    }

    /// Decides about an alert with `fingerprint` raised at `now`: [`Decision::Suppress`] when the
    /// fingerprint was sent less than the repeat interval before `now` (or, clocks being what they
    /// are, after it), else [`Decision::Send`], recording `now` as its last send.
    pub fn decide(&mut self, fingerprint: &str, now: DateTime<Utc>) -> Decision {
        if let Some(&(last_sent, _)) = self.sent.get(fingerprint)
            && now.signed_duration_since(last_sent) < self.repeat_interval
        {
            return Decision::Suppress { last_sent };
        }
        self.record(fingerprint, now);
        Decision::Send
    }

    /// Records that `fingerprint` was sent at `at` elsewhere (an earlier run, another instance),
    /// unless a later send is already known.
    pub fn observe_sent(&mut self, fingerprint: &str, at: DateTime<Utc>) {
        match self.sent.get(fingerprint) {
            Some(&(known, _)) if known >= at => {}
            _ => self.record(fingerprint, at),
        }
    }

    /// When `fingerprint` was last sent, as far as this deduplicator knows.
    pub fn last_sent(&self, fingerprint: &str) -> Option<DateTime<Utc>> {
        self.sent.get(fingerprint).map(|&(at, _)| at)
    }

    /// The number of fingerprints remembered.
    pub fn len(&self) -> usize {
        self.sent.len()
    }

    /// True when no fingerprint is remembered.
    pub fn is_empty(&self) -> bool {
        self.sent.is_empty()
    }

    fn record(&mut self, fingerprint: &str, at: DateTime<Utc>) {
        let seq = self.next_seq;
        self.next_seq += 1;
        match self.sent.get_mut(fingerprint) {
            Some(entry) => {
                self.by_age.remove(&(entry.0, entry.1));
                *entry = (at, seq);
            }
            None => {
                if self.sent.len() >= self.capacity
                    && let Some((_, oldest)) = self.by_age.pop_first()
                {
                    self.sent.remove(&oldest);
                }
                self.sent.insert(fingerprint.to_owned(), (at, seq));
            }
        }
        self.by_age.insert((at, seq), fingerprint.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::ts;

    const HOUR: Duration = Duration::from_secs(3_600);

    #[test]
    fn repeats_within_the_interval_are_suppressed() {
        let mut d = Deduplicator::new(4 * HOUR, 10);
        let t0 = ts("2024-01-01T00:00:00Z");
        assert_eq!(d.decide("fp", t0), Decision::Send);
        assert_eq!(
            d.decide("fp", ts("2024-01-01T03:59:59Z")),
            Decision::Suppress { last_sent: t0 }
        );
        assert_eq!(d.decide("other", t0), Decision::Send);
        // A suppressed repeat does not restart the interval.
        assert_eq!(d.decide("fp", ts("2024-01-01T04:00:00Z")), Decision::Send);
        assert_eq!(d.last_sent("fp"), Some(ts("2024-01-01T04:00:00Z")));
    }

    #[test]
    fn sends_from_elsewhere_count_and_later_ones_win() {
        let mut d = Deduplicator::new(HOUR, 10);
        d.observe_sent("fp", ts("2024-01-01T00:30:00Z"));
        d.observe_sent("fp", ts("2024-01-01T00:10:00Z"));
        assert_eq!(d.last_sent("fp"), Some(ts("2024-01-01T00:30:00Z")));
        assert!(matches!(
            d.decide("fp", ts("2024-01-01T01:00:00Z")),
            Decision::Suppress { .. }
        ));
        // A send "from the future" (clock skew between instances) also holds back.
        d.observe_sent("skew", ts("2024-01-01T02:00:00Z"));
        assert!(matches!(
            d.decide("skew", ts("2024-01-01T01:00:00Z")),
            Decision::Suppress { .. }
        ));
    }

    #[test]
    fn zero_interval_holds_nothing_back() {
        let mut d = Deduplicator::new(Duration::ZERO, 10);
        let t = ts("2024-01-01T00:00:00Z");
        assert_eq!(d.decide("fp", t), Decision::Send);
        assert_eq!(d.decide("fp", t), Decision::Send);
    }

    #[test]
    fn the_oldest_send_is_forgotten_first() {
        let mut d = Deduplicator::new(HOUR, 2);
        d.decide("a", ts("2024-01-01T00:00:00Z"));
        d.decide("b", ts("2024-01-01T00:01:00Z"));
        d.decide("a", ts("2024-01-01T01:02:00Z")); // a is now the newest
        d.decide("c", ts("2024-01-01T01:03:00Z"));
        assert_eq!(d.len(), 2);
        assert_eq!(d.last_sent("b"), None);
        assert!(d.last_sent("a").is_some() && d.last_sent("c").is_some());
        assert_eq!(d.by_age.len(), 2);
    }

    #[test]
    fn memory_is_bounded_on_a_long_stream() {
        let mut d = Deduplicator::new(HOUR, 100);
        let t0 = ts("2024-01-01T00:00:00Z");
        for i in 0..10_000 {
            d.decide(&format!("fp{}", i % 1_000), t0 + TimeDelta::seconds(i));
        }
        assert_eq!(d.len(), 100);
        assert_eq!(d.by_age.len(), 100);
    }
}
