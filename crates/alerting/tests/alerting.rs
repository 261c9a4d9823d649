//! The alerting step over the example communiqués: near-duplicates, repeats within the interval,
//! and repeats remembered across a restart through the alert history.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use commwatch_alerting::{
    AlertGate, AlertQuery, AlertStatus, AlertStore, AlertingConfig, META_DUPLICATE_OF, SqliteSink,
};
use commwatch_core::{Ack, Alert, Communique, Origin, Severity, Sink, fingerprint};

const COPY: &str = "copy-of-sample";

/// A fake alert whose labels come from the file name: publisher (`wh`, `ungdc`, …) and document.
fn fake_alert(file_stem: &str, event_id: &str) -> Alert {
    let publisher = file_stem.split('-').next().unwrap_or(file_stem);
    let labels = BTreeMap::from([
        ("publisher".to_owned(), publisher.to_owned()),
        ("document".to_owned(), file_stem.to_owned()),
    ]);
    Alert {
        rule: "example".into(),
        severity: Severity::High,
        fingerprint: fingerprint(
            "example",
            labels.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ),
        labels,
        summary: format!("example alert on {file_stem}"),
        evidence: Vec::new(),
        communique: event_id.into(),
        suppressed: None,
        routes: Vec::new(),
    }
}

/// Every example as an event with raw text only, then a rewritten copy of the sample raising the
/// sample's alert.
fn events() -> Vec<Communique> {
    let mut out: Vec<Communique> = support::communiques()
        .into_iter()
        .map(|(stem, text)| {
            let mut ev = Communique::new(Some(stem.clone()), origin(), text);
            ev.alerts.push(fake_alert(&stem, &stem));
            ev
        })
        .collect();
    let sample_stem = support::SAMPLE.trim_end_matches(".txt");
    let mut copy = Communique::new(
        Some(COPY.into()),
        origin(),
        support::rewrite(&support::sample()),
    );
    copy.alerts.push(fake_alert(sample_stem, COPY));
    out.push(copy);
    out
}

fn origin() -> Origin {
    Origin {
        name: "examples".into(),
        uri: None,
    }
}

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-06-01T12:00:00Z")
        .expect("a valid timestamp")
        .with_timezone(&Utc)
}

/// Runs `gate` over fresh events at `now`, writing them to `sink` when given.
fn pass(
    gate: &mut AlertGate,
    now: DateTime<Utc>,
    sink: Option<&mut SqliteSink>,
) -> Vec<Communique> {
    pass_as(gate, now, sink, "")
}

/// [`pass`] over the events republished under other ids (`<id><suffix>`).
fn pass_as(
    gate: &mut AlertGate,
    now: DateTime<Utc>,
    mut sink: Option<&mut SqliteSink>,
    suffix: &str,
) -> Vec<Communique> {
    let mut events = events();
    for ev in &mut events {
        ev.id.push_str(suffix);
        ev.alerts[0].communique.push_str(suffix);
        gate.process(ev, now);
        if let Some(sink) = sink.as_deref_mut() {
            sink.write(ev, Ack::detached()).unwrap();
        }
    }
    if let Some(sink) = sink {
        sink.flush().unwrap();
    }
    events
}

fn reason(ev: &Communique) -> Option<&str> {
    ev.alerts[0].suppressed.as_deref()
}

const WAR_POWERS_2024: &str = "wh-2024-12-06-war-powers-report";

#[test]
fn copies_merge_and_repeats_are_held_back() {
    let mut gate = AlertGate::new(AlertingConfig::default());
    let first = pass(&mut gate, t0(), None);
    assert_eq!(first.len(), 42);

    let sample_stem = support::SAMPLE.trim_end_matches(".txt");
    let copy = first.iter().find(|e| e.id == COPY).unwrap();
    assert_eq!(
        copy.metadata.get(META_DUPLICATE_OF).map(String::as_str),
        Some(sample_stem)
    );
    assert_eq!(reason(copy), Some("duplicate"));
    // The 2024 war powers report is a near-duplicate of an earlier one, but its alert (keyed on
    // its own document) was never sent: news, sent, with the copy noted.
    let war_powers = first.iter().find(|e| e.id == WAR_POWERS_2024).unwrap();
    assert!(war_powers.metadata.contains_key(META_DUPLICATE_OF));
    for ev in &first {
        match ev.id.as_str() {
            COPY => assert_eq!(reason(ev), Some("duplicate"), "{}", ev.id),
            _ => {
                assert_eq!(reason(ev), None, "{}", ev.id);
                assert!(ev.alerts[0].notifies("console"));
            }
        }
    }

    // The same alerts an hour later (repeat interval 4h): every one held back.
    let second = pass(&mut gate, t0() + TimeDelta::hours(1), None);
    for ev in &second {
        let expected = if ev.id == COPY || ev.id == WAR_POWERS_2024 {
            "duplicate"
        } else {
            "repeat"
        };
        assert_eq!(reason(ev), Some(expected), "{}", ev.id);
    }

    // After the interval they are notified again.
    let third = pass(&mut gate, t0() + TimeDelta::hours(5), None);
    assert_eq!(third.iter().filter(|e| reason(e).is_none()).count(), 41);
}

#[test]
fn a_restarted_gate_remembers_sends_through_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history/alerts.db");
    let config = AlertingConfig {
        repeat_interval: Duration::from_secs(4 * 3_600),
        ..AlertingConfig::default()
    };

    {
        let mut sink = SqliteSink::open(&path).unwrap();
        let mut gate = AlertGate::new(config.clone()).with_store(AlertStore::open(&path).unwrap());
        pass(&mut gate, t0(), Some(&mut sink));
    }

    // A new process replaying the same communiqués (a restart after a crash): each alert keeps
    // the decision the history recorded, and the history gains nothing.
    {
        let mut sink = SqliteSink::open(&path).unwrap();
        let mut gate = AlertGate::new(config.clone())
            .with_store(AlertStore::open(&path).unwrap())
            .keeping_decisions();
        let replayed = pass(&mut gate, t0() + TimeDelta::hours(1), Some(&mut sink));
        for ev in &replayed {
            let first = (ev.id == COPY).then_some("duplicate");
            assert_eq!(reason(ev), first, "{}", ev.id);
        }
    }

    // Another new process: the same situations in other communiqués are repeats of the sends the
    // history holds.
    let mut sink = SqliteSink::open(&path).unwrap();
    let mut gate = AlertGate::new(config).with_store(AlertStore::open(&path).unwrap());
    let again = "-republished";
    let after_restart = pass_as(
        &mut gate,
        t0() + TimeDelta::hours(2),
        Some(&mut sink),
        again,
    );
    for ev in after_restart
        .iter()
        .filter(|e| e.id != format!("{COPY}{again}") && e.id != format!("{WAR_POWERS_2024}{again}"))
    {
        assert_eq!(reason(ev), Some("repeat"), "{}", ev.id);
    }
    // The copy is merged with the first copy again: near-duplicate memory is per process, but the
    // sample came first in this run too.
    let copy = after_restart
        .iter()
        .find(|e| e.id == format!("{COPY}{again}"))
        .unwrap();
    assert_eq!(reason(copy), Some("duplicate"));

    // The history holds every alert of both runs, with its status.
    let store = AlertStore::open(&path).unwrap();
    let all = store
        .query(&AlertQuery {
            limit: 1_000,
            ..AlertQuery::default()
        })
        .unwrap();
    assert_eq!(all.len(), 84);
    let count = |status| all.iter().filter(|a| a.status == status).count();
    assert_eq!(count(AlertStatus::Sent), 41);
    assert_eq!(count(AlertStatus::Duplicate), 3);
    assert_eq!(count(AlertStatus::Suppressed), 40);
    let recent = store
        .query(&AlertQuery {
            since: Some(t0() + TimeDelta::hours(1)),
            rule: Some("example".into()),
            limit: 1_000,
        })
        .unwrap();
    assert_eq!(recent.len(), 42, "only the republished communiqués");
    assert!(
        recent
            .iter()
            .all(|a| a.record.raised_at == t0() + TimeDelta::hours(2))
    );
    let dup = all
        .iter()
        .find(|a| a.record.alert.communique == COPY)
        .unwrap();
    assert_eq!(
        dup.record.duplicate_of.as_deref(),
        Some(support::SAMPLE.trim_end_matches(".txt"))
    );
}
