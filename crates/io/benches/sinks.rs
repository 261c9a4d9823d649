//! Per-event cost of the sinks, through the [`Sink`] contract the way the runtime's sink thread
//! calls it: every event of a batch of [`BATCH`] (the runtime's default `batch_size`) is written,
//! then the sink is flushed, as the runtime does whenever the sink's input goes quiet.
//!
//! The events are the example communiqués cut into pieces of 2–6 KB of text (3.5 KB on average),
//! as the pipeline leaves them at the sinks: normalized (identity map), sentences, entity spans,
//! the alerting stage's metadata, and 1–3 alerts each (1.75 on average) with a fingerprint,
//! labels and 2–4 evidence spans. The sinks:
//!
//! - `jsonl_alerts`: [`JsonlSink`] in `alerts` mode (the default pipeline's `alerts.jsonl`),
//!   appending to a file in a temporary directory;
//! - `jsonl_events`: [`JsonlSink`] in `events` mode (whole events), same;
//! - `console`: [`ConsoleSink`] without color writing to `/dev/null`, so every write it makes
//!   is a real system call, as on a terminal or pipe, without flooding the terminal;
//! - `webhook`: [`WebhookSink`] with the default grouping (by rule, sent at once), spooling in a
//!   temporary directory (each notification synced to disk before its first attempt) and
//!   POSTing to a keep-alive HTTP server on 127.0.0.1 started here, which answers 200;
//! - `alertmanager`: [`AlertmanagerSink`] (one notification per event), same server.
//!
//! Each criterion sample opens a fresh sink on an emptied file (outside the timed region), so
//! the output files stay small.
//!
//! ```text
//! cargo bench -p commwatch-io --bench sinks -- --warm-up-time 1 --measurement-time 3
//! ```

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use commwatch_alerting::META_ALERTED_AT;
use commwatch_core::{
    Ack, Alert, Communique, NormalizedText, OffsetMap, Origin, Severity, Sink, Span, TextRange,
    fingerprint,
};
use commwatch_io::{
    AlertmanagerConfig, AlertmanagerSink, ConsoleSink, DEFAULT_RESOLVE_AFTER, DeliveryOptions,
    Grouping, JsonlContent, JsonlSink, WebhookConfig, WebhookFormat, WebhookSink,
};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

/// Events per batch: the runtime's default `batch_size`.
const BATCH: usize = 32;

/// Pieces of document text are at least this many bytes…
const MIN_TEXT: usize = 2_000;
/// …and at most this many…
const MAX_TEXT: usize = 6_000;
/// …cut at the first line end after these lengths, in turn (3.5 KB on average).
const TARGETS: [usize; 4] = [2_500, 4_000, 3_000, 5_500];

/// Names the bench "tags": kind, id, label, the text searched for.
const ENTITIES: &[(&str, &str, &str, &str)] = &[
    ("country", "IQ", "Iraq", "Iraq"),
    ("country", "SY", "Syria", "Syria"),
    ("country", "IR", "Iran", "Iran"),
    ("country", "ML", "Mali", "Mali"),
    ("country", "SO", "Somalia", "Somalia"),
    ("country", "FI", "Finland", "Finland"),
    ("country", "SE", "Sweden", "Sweden"),
    ("country", "TR", "Türkiye", "Turkey"),
    ("country", "IN", "India", "India"),
    ("country", "ZW", "Zimbabwe", "Zimbabwe"),
    ("country", "KE", "Kenya", "Kenya"),
    ("country", "MZ", "Mozambique", "Mozambique"),
    ("country", "NE", "Niger", "Niger"),
    ("country", "EG", "Egypt", "Egypt"),
    ("country", "CN", "China", "China"),
    ("country", "RU", "Russia", "Russia"),
    ("country", "UA", "Ukraine", "Ukraine"),
    ("country", "HU", "Hungary", "Hungary"),
    ("country", "YE", "Yemen", "Yemen"),
    ("country", "US", "United States", "United States"),
    ("organization", "nato", "NATO", "NATO"),
    ("organization", "un", "United Nations", "United Nations"),
    ("organization", "eu", "European Union", "European Union"),
    ("group", "isis", "ISIS", "ISIS"),
    ("group", "houthis", "Houthis", "Houthis"),
    ("group", "al-shabaab", "al-Shabaab", "al-Shabaab"),
    ("region", "sahel", "Sahel", "Sahel"),
    ("region", "middle-east", "Middle East", "Middle East"),
    ("keyword", "sanctions", "sanctions", "sanctions"),
    ("keyword", "terrorist", "terrorist", "terrorist"),
    ("keyword", "accession", "accession", "accession"),
    ("keyword", "security", "security", "security"),
];

/// Rules an event's alerts come from: id, severity, category.
const RULES: &[(&str, Severity, &str)] = &[
    ("new_member_accession", Severity::High, "accession"),
    ("regional_threat", Severity::Critical, "threat"),
    ("sanctions_watch", Severity::Medium, "sanctions"),
    ("armed_group_activity", Severity::High, "security"),
];

/// Alerts on the events, in turn (1.75 per event).
const ALERTS_PER_EVENT: [usize; 4] = [1, 2, 1, 3];

/// A document's title: its first line, cut at a word before 150 bytes.
fn title(text: &str) -> String {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if line.len() <= 150 {
        return line.to_owned();
    }
    let mut cut = 150;
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = line[..cut].rfind(' ').unwrap_or(cut);
    line[..cut].to_owned()
}

/// A piece of a document: file name, title, text.
struct Piece {
    name: String,
    title: String,
    text: String,
}

/// The example communiqués, in file-name order, cut at line ends into pieces of 2–6 KB.
fn pieces() -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for (name, text) in commwatch_testkit::example_communiques() {
        let title = title(&text);
        let piece_of = |text: String| Piece {
            name: name.clone(),
            title: title.clone(),
            text,
        };
        let mut piece = String::new();
        for line in text.split_inclusive('\n').filter(|l| l.len() <= MAX_TEXT) {
            if piece.len() + line.len() > MAX_TEXT {
                let full = std::mem::take(&mut piece);
                if full.len() >= MIN_TEXT {
                    out.push(piece_of(full));
                }
            }
            piece.push_str(line);
            if piece.len() >= TARGETS[out.len() % TARGETS.len()] {
                out.push(piece_of(std::mem::take(&mut piece)));
            }
        }
        if piece.len() >= MIN_TEXT {
            out.push(piece_of(piece));
        }
    }
    assert!(out.len() >= BATCH, "{} pieces of 2–6 KB", out.len());
    out
}

/// Byte offsets of whole-word occurrences of `needle` in `text`.
fn find_words(text: &str, needle: &str) -> Vec<usize> {
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(needle)
        .map(|(i, _)| i)
        .filter(|&i| {
            !word(text[..i].chars().next_back()) && !word(text[i + needle.len()..].chars().next())
        })
        .collect()
}

/// An event as the pipeline hands it to the sinks.
fn event(index: usize, piece: Piece) -> Communique {
    let Piece { name, title, text } = piece;
    let mut ev = Communique::new(
        None,
        Origin {
            name: "examples".into(),
            uri: Some(format!("file:///data/communiques/{name}")),
        },
        text,
    );
    let raw = &ev.raw;
    ev.title = Some(title);
    ev.published = Some(format!("2024-{:02}-{:02}", index % 12 + 1, index % 28 + 1));
    ev.language = Some("en".into());
    let mut spans = Vec::new();
    for (kind, id, label, needle) in ENTITIES {
        for start in find_words(raw, needle) {
            spans.push(Span {
                kind: (*kind).into(),
                id: (*id).into(),
                label: (*label).into(),
                start,
                end: start + needle.len(),
                detail: None,
            });
        }
    }
    if spans.len() < 2 {
        // Every event raises alerts, so give it evidence: its first two words.
        for (start, word) in raw.match_indices(char::is_alphabetic).take(2) {
            spans.push(Span {
                kind: "keyword".into(),
                id: "bench".into(),
                label: word.into(),
                start,
                end: start + word.len(),
                detail: None,
            });
        }
    }
    spans.sort_by_key(|s| (s.start, s.end));
    let mut sentences = Vec::new();
    let mut start = 0;
    for (i, _) in raw.match_indices(". ") {
        sentences.push(TextRange { start, end: i + 1 });
        start = i + 2;
    }
    sentences.push(TextRange {
        start,
        end: raw.len(),
    });
    ev.normalized = Some(NormalizedText {
        text: raw.clone(),
        map: OffsetMap::identity(raw.len()),
        folded: None,
    });
    ev.metadata = BTreeMap::from([
        ("encoding".to_owned(), "utf-8".to_owned()),
        ("path".to_owned(), format!("/data/communiques/{name}")),
        ("publisher".to_owned(), "The White House".to_owned()),
        (META_ALERTED_AT.to_owned(), ev.received_at.to_rfc3339()),
    ]);
    let n_alerts = ALERTS_PER_EVENT[index % ALERTS_PER_EVENT.len()];
    for a in 0..n_alerts {
        let (rule, severity, category) = RULES[(index + a) % RULES.len()];
        let take = 2 + (index + a) % 3;
        let first = (a * 3) % spans.len();
        let evidence: Vec<Span> = spans
            .iter()
            .cycle()
            .skip(first)
            .take(take)
            .cloned()
            .collect();
        let mut ids: Vec<&str> = evidence.iter().map(|s| &*s.id).collect();
        ids.sort_unstable();
        ids.dedup();
        let entities = ids.join(",");
        let labels = BTreeMap::from([
            ("category".to_owned(), category.to_owned()),
            ("entities".to_owned(), entities.clone()),
        ]);
        let names: Vec<&str> = evidence.iter().map(|s| &*s.label).collect();
        ev.alerts.push(Alert {
            rule: rule.to_owned(),
            severity,
            fingerprint: fingerprint(rule, labels.iter().map(|(k, v)| (&**k, &**v))),
            labels,
            summary: format!("{category}: {}", names.join(", ")),
            evidence,
            communique: ev.id.clone(),
            suppressed: None,
            routes: Vec::new(),
        });
    }
    ev.spans = spans;
    ev.sentences = sentences;
    ev
}

/// One batch of events with alerts.
fn batch() -> Vec<Communique> {
    pieces()
        .into_iter()
        .take(BATCH)
        .enumerate()
        .map(|(i, piece)| event(i, piece))
        .collect()
}

/// A minimal HTTP/1.1 receiver on an ephemeral port of 127.0.0.1: keeps connections alive and
/// answers every request `200 OK`. Returns its base URL and the number of requests received.
fn serve() -> (String, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let answered = Arc::new(AtomicU64::new(0));
    let count = Arc::clone(&answered);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let count = Arc::clone(&count);
            thread::spawn(move || {
                let _ = answer(stream, &count);
            });
        }
    });
    (url, answered)
}

/// Answers the requests of one connection until the client closes it.
fn answer(stream: TcpStream, answered: &AtomicU64) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        let mut length = 0usize;
        let mut chunked = false;
        let mut first = true;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            if line == "\r\n" && !first {
                break;
            }
            first = false;
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
                chunked = true;
            }
        }
        if chunked {
            loop {
                line.clear();
                reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .unwrap_or(0);
                body.resize(size + 2, 0);
                reader.read_exact(&mut body)?;
                if size == 0 {
                    break;
                }
            }
        } else {
            body.resize(length, 0);
            reader.read_exact(&mut body)?;
        }
        answered.fetch_add(1, Ordering::Relaxed);
        out.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok",
        )?;
    }
}

/// Delivery options for a bench: spool in `dir`, retries soon, a short drain.
fn delivery(dir: &Path) -> DeliveryOptions {
    let mut options = DeliveryOptions::new(dir);
    options.retry_initial = Duration::from_millis(10);
    options.retry_max = Duration::from_millis(100);
    options.drain_timeout = Duration::from_secs(5);
    options
}

/// Times `iters` batches through a sink made by `open` (outside the timed region), each batch
/// written event by event and then flushed, as the runtime's sink thread does.
fn run(events: &[Communique], iters: u64, open: &mut dyn FnMut() -> Box<dyn Sink>) -> Duration {
    let mut sink = open();
    let started = Instant::now();
    for _ in 0..iters {
        for ev in events {
            sink.write(ev, Ack::detached()).expect("sink write");
        }
        sink.flush().expect("sink flush");
    }
    let elapsed = started.elapsed();
    drop(sink);
    elapsed
}

fn benches(c: &mut Criterion) {
    let events = batch();
    let text: usize = events.iter().map(|e| e.raw.len()).sum();
    let alerts: usize = events.iter().map(|e| e.alerts.len()).sum();
    eprintln!(
        "sinks: batches of {BATCH} events, {:.1} KB of text and {:.2} alerts per event on average",
        text as f64 / BATCH as f64 / 1000.0,
        alerts as f64 / BATCH as f64,
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let (url, answered) = serve();

    let mut group = c.benchmark_group("sinks");
    group.throughput(Throughput::Elements(BATCH as u64));

    for (name, what) in [
        ("jsonl_alerts", JsonlContent::Alerts),
        ("jsonl_events", JsonlContent::Events),
    ] {
        let path = dir.path().join(format!("{name}.jsonl"));
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                run(&events, iters, &mut || {
                    let _ = std::fs::remove_file(&path);
                    Box::new(
                        JsonlSink::create(&path, what)
                            .expect("open JSONL")
                            .with_id(name),
                    )
                })
            })
        });
    }

    group.bench_function("console", |b| {
        b.iter_custom(|iters| {
            run(&events, iters, &mut || {
                let null = File::create("/dev/null").expect("/dev/null");
                Box::new(ConsoleSink::new(Box::new(null), false).with_id("console"))
            })
        })
    });

    // A notification costs milliseconds (a synced spool file, an HTTP round trip): ten samples
    // of equal size keep these within the measurement time.
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    let spool = dir.path().join("spool-webhook");
    group.bench_function("webhook", |b| {
        b.iter_custom(|iters| {
            let before = answered.load(Ordering::Relaxed);
            let elapsed = run(&events, iters, &mut || {
                Box::new(
                    WebhookSink::open(WebhookConfig {
                        id: "webhook".into(),
                        url: format!("{url}/hook"),
                        format: WebhookFormat::Json,
                        secret: None,
                        grouping: Grouping::default(),
                        delivery: delivery(&spool),
                    })
                    .expect("open webhook sink"),
                )
            });
            assert!(
                answered.load(Ordering::Relaxed) > before,
                "nothing delivered"
            );
            elapsed
        })
    });

    let spool = dir.path().join("spool-alertmanager");
    group.bench_function("alertmanager", |b| {
        b.iter_custom(|iters| {
            let before = answered.load(Ordering::Relaxed);
            let elapsed = run(&events, iters, &mut || {
                Box::new(
                    AlertmanagerSink::open(AlertmanagerConfig {
                        id: "alertmanager".into(),
                        url: url.clone(),
                        resolve_after: DEFAULT_RESOLVE_AFTER,
                        delivery: delivery(&spool),
                    })
                    .expect("open Alertmanager sink"),
                )
            });
            assert!(
                answered.load(Ordering::Relaxed) > before,
                "nothing delivered"
            );
            elapsed
        })
    });
    group.finish();
}

criterion_group!(sink_benches, benches);
criterion_main!(sink_benches);
