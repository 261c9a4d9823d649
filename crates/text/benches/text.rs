//! Per-stage throughput of the text layer over the same ~50 KB of `examples/communiques`:
//! normalize, analyze (the whole `normalize` stage), fold, the gazetteer tagger, the recognizers,
//! and the analyzer's parts (sentences, dates, language); and, for scale, `raw_scan`: the
//! baseline of `commwatch bench` (one Aho-Corasick DFA pass with every gazetteer name, folded,
//! over the folded copy of the same bytes, as the tagger's automaton scans).
//!
//! ```text
//! cargo bench -p commwatch-text --bench text -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use commwatch_core::{Communique, Origin};
use commwatch_text::{
    Analyzer, DateFinder, Gazetteer, Normalizer, Recognizers, Tagger, detect_language, fold,
    split_sentences,
};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

/// About this many bytes of document text per iteration.
const CORPUS_BYTES: usize = 50_000;

/// Whole example documents, in file-name order, until [`CORPUS_BYTES`] is reached.
fn documents() -> Vec<String> {
    let examples = commwatch_testkit::example_communiques();
    let mut docs = Vec::new();
    let mut bytes = 0;
    for (_, text) in examples.iter().cycle() {
        if bytes >= CORPUS_BYTES {
            break;
        }
        bytes += text.len();
        docs.push(text.clone());
    }
    docs
}

fn event(raw: &str) -> Communique {
    Communique::new(Some("bench".into()), Origin::default(), raw.to_owned())
}

fn benches(c: &mut Criterion) {
    let docs = documents();
    let bytes: usize = docs.iter().map(String::len).sum();
    let analyzer = Analyzer::new();
    let normalizer = Normalizer::new();
    let gazetteer = Gazetteer::builtin();
    let tagger = Tagger::new(&gazetteer).expect("builtin gazetteer");
    let recognizers = Recognizers::new();
    let dates = DateFinder::new();
    let analyzed: Vec<Communique> = docs
        .iter()
        .map(|d| {
            let mut ev = event(d);
            analyzer.analyze(&mut ev);
            ev
        })
        .collect();
    let normalized: Vec<&str> = analyzed
        .iter()
        .map(|e| e.normalized.as_ref().map_or("", |n| n.text.as_str()))
        .collect();

    let mut g = c.benchmark_group("text");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("normalize", |b| {
        b.iter(|| {
            for d in &docs {
                black_box(normalizer.normalize(d));
            }
        })
    });
    g.bench_function("analyze", |b| {
        b.iter_batched(
            || docs.iter().map(|d| event(d)).collect::<Vec<_>>(),
            |mut events| {
                for ev in &mut events {
                    analyzer.analyze(ev);
                }
                events
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("fold", |b| {
        b.iter(|| {
            for t in &normalized {
                black_box(fold::fold(t));
            }
        })
    });
    g.bench_function("sentences", |b| {
        b.iter(|| {
            for t in &normalized {
                black_box(split_sentences(t));
            }
        })
    });
    g.bench_function("dates", |b| {
        b.iter(|| {
            for t in &normalized {
                black_box(dates.find_dates(t));
            }
        })
    });
    g.bench_function("language", |b| {
        b.iter(|| {
            for t in &normalized {
                black_box(detect_language(t));
            }
        })
    });
    g.bench_function("tag", |b| {
        b.iter_batched(
            || analyzed.clone(),
            |mut events| {
                for ev in &mut events {
                    tagger.tag_event(ev);
                }
                events
            },
            BatchSize::SmallInput,
        )
    });
    g.bench_function("tag_folded", |b| {
        let mut tags = Vec::new();
        b.iter(|| {
            for ev in &analyzed {
                let n = ev.normalized.as_ref().expect("normalized");
                tags.clear();
                tagger.tag_folded(&n.text, n.folded.as_ref().expect("folded"), &mut tags);
                black_box(tags.len());
            }
        })
    });
    g.bench_function("recognizers", |b| {
        b.iter_batched(
            || analyzed.clone(),
            |mut events| {
                for ev in &mut events {
                    recognizers.tag_event(ev);
                }
                events
            },
            BatchSize::SmallInput,
        )
    });
    // Built and run as `commwatch bench` runs its baseline, and as the tagger's own automaton:
    // a DFA, case-sensitive over the folded names, scanning the folded text (folded before the
    // clock starts). aho-corasick's default for this many names is a contiguous NFA, about half
    // as fast.
    let mut names: Vec<String> = gazetteer
        .entities()
        .flat_map(|e| e.names().iter().chain(e.exact()))
        .map(|name| fold::fold_pattern(name))
        .collect();
    names.sort();
    names.dedup();
    let raw_scan = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .start_kind(aho_corasick::StartKind::Unanchored)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(names)
        .expect("baseline automaton");
    let folded_docs: Vec<String> = docs.iter().map(|d| fold::fold(d).text).collect();
    g.bench_function("raw_scan", |b| {
        b.iter(|| {
            for d in &folded_docs {
                black_box(raw_scan.find_iter(d.as_str()).count());
            }
        })
    });
    g.finish();
}

criterion_group!(text, benches);
criterion_main!(text);
