//! Per-stage cost of the alerting layer: the near-duplicate fingerprint of a communiqué, a
//! lookup in a full window of recent fingerprints, the whole `alerts` stage decision, and the
//! `sqlite` sink writing alert history.
//!
//! ```text
//! cargo bench -p commwatch-alerting --bench alerting -- --warm-up-time 1 --measurement-time 3
//! ```

use std::collections::BTreeMap;
use std::hint::black_box;

use chrono::Utc;
use commwatch_alerting::{AlertGate, AlertingConfig, NearDuplicates, SqliteSink, simhash};
use commwatch_core::{Ack, Alert, Communique, Origin, Severity, Sink};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

/// The example communiqués, lowercased as the `alerts` stage sees them (the folded text).
fn documents() -> Vec<String> {
    commwatch_testkit::example_communiques()
        .into_iter()
        .map(|(_, text)| text.to_lowercase())
        .collect()
}

/// A communiqué with two alerts, as the rules stage leaves it.
fn event(id: &str, text: &str) -> Communique {
    let mut ev = Communique::new(Some(id.into()), Origin::default(), text.to_owned());
    for rule in ["coalition-accession", "regional-threat"] {
        let labels: BTreeMap<String, String> = [("country", "SE"), ("category", rule)]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        ev.alerts.push(Alert {
            rule: rule.into(),
            severity: Severity::High,
            fingerprint: commwatch_core::fingerprint(
                rule,
                labels.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            ),
            labels,
            summary: format!("{rule} fired"),
            evidence: Vec::new(),
            communique: id.into(),
            suppressed: None,
            routes: Vec::new(),
        });
    }
    ev
}

/// Texts of 200 words sharing no shingle with each other, to fill a window.
fn unrelated(i: usize) -> String {
    (0..200)
        .map(|w| format!("w{i}x{w}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn benches(c: &mut Criterion) {
    let docs = documents();
    let bytes: usize = docs.iter().map(String::len).sum();

    let mut group = c.benchmark_group("alerting");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("simhash", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(simhash(black_box(d)));
            }
        })
    });

    // A lookup that finds nothing in a full window of the default size: the common case, and
    // the most expensive (the whole window is scanned). The probe is a paragraph, so that the
    // scan, not the probe's fingerprint, is what is measured.
    let mut window = NearDuplicates::default();
    for i in 0..commwatch_alerting::neardup::DEFAULT_CAPACITY {
        window.check_and_insert(&format!("u{i}"), &unrelated(i));
    }
    let end = (0..=400)
        .rev()
        .find(|&i| docs[0].is_char_boundary(i))
        .unwrap_or(0);
    let probe = &docs[0][..end];
    window.check_and_insert("probe", probe);
    group.throughput(Throughput::Elements(1));
    group.bench_function("near_duplicate_lookup_10000", |b| {
        b.iter(|| black_box(window.check_and_insert("probe", black_box(probe))))
    });

    // The stage's whole decision for one communiqué with two alerts: fingerprint, lookup,
    // repeat suppression, routing.
    let mut gate = AlertGate::new(AlertingConfig::default());
    let events: Vec<Communique> = docs
        .iter()
        .enumerate()
        .map(|(i, d)| event(&format!("d{i}"), d))
        .collect();
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("gate", |b| {
        b.iter_batched_ref(
            || events.clone(),
            |events| {
                for ev in events.iter_mut() {
                    gate.process(ev, Utc::now());
                }
            },
            BatchSize::SmallInput,
        )
    });

    // The `sqlite` sink: 500 communiqués with two alerts each, committed as the sink does.
    let dir = tempfile::tempdir().expect("temp dir");
    let mut sink = SqliteSink::open(&dir.path().join("alerts.db")).expect("store");
    let events: Vec<Communique> = (0..500)
        .map(|i| event(&format!("s{i}"), &docs[i % docs.len()]))
        .collect();
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("sqlite_sink", |b| {
        b.iter(|| {
            for ev in &events {
                sink.write(ev, Ack::detached()).expect("write");
            }
            sink.flush().expect("commit");
        })
    });
    group.finish();
}

criterion_group!(alerting, benches);
criterion_main!(alerting);
