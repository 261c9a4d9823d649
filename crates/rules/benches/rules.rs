//! Evaluation cost against the number of rules.
//!
//! The same ~50 KB text (the example communiqués, concatenated, with entity spans and sentences as
//! the tag and normalize stages would add) is evaluated by generated rule packs of 10, 1,000,
//! 10,000 and 100,000 rules from `commwatch_rules::synthetic` (the packs `commwatch bench --rules`
//! measures end to end): a realistic mix for a large pack, whose rules mostly refer to topics or
//! ids a given document does not mention, as in a real pack; the scan and the candidate check are
//! what must not grow.
//!
//! The target: 10,000 rules at no less than half the throughput of 10.

use std::hint::black_box;

use commwatch_core::{Communique, NormalizedText, OffsetMap, Origin, Span, TextRange};
use commwatch_rules::synthetic::rule_pack;
use commwatch_rules::{RuleSet, Scratch};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const TEXT_BYTES: usize = 50_000;

const ENTITIES: &[(&str, &str, &str)] = &[
    ("country", "IQ", "Iraq"),
    ("country", "SY", "Syria"),
    ("country", "IR", "Iran"),
    ("country", "ML", "Mali"),
    ("country", "SO", "Somalia"),
    ("country", "FI", "Finland"),
    ("country", "SE", "Sweden"),
    ("country", "TR", "Türkiye"),
    ("country", "TR", "Turkey"),
    ("country", "IN", "India"),
    ("country", "FJ", "Fiji"),
    ("country", "ZW", "Zimbabwe"),
    ("country", "KE", "Kenya"),
    ("country", "MZ", "Mozambique"),
    ("country", "NE", "Niger"),
    ("country", "EG", "Egypt"),
    ("country", "CN", "China"),
    ("country", "RU", "Russia"),
    ("country", "UA", "Ukraine"),
    ("country", "HU", "Hungary"),
    ("country", "IE", "Ireland"),
    ("country", "YE", "Yemen"),
    ("country", "MR", "Mauritania"),
    ("country", "IL", "Israel"),
    ("country", "US", "United States"),
    ("country", "SD", "Sudan"),
    ("country", "LB", "Lebanon"),
    ("organization", "nato", "NATO"),
    ("organization", "un", "United Nations"),
    ("organization", "eu", "European Union"),
    ("organization", "au", "African Union"),
    ("group", "isis", "ISIS"),
    ("group", "isis", "Daesh"),
    ("group", "houthis", "Houthis"),
    ("group", "al-shabaab", "al-Shabaab"),
    ("group", "hezbollah", "Hezbollah"),
    ("region", "sahel", "Sahel"),
    ("region", "middle-east", "Middle East"),
    ("region", "horn-of-africa", "Horn of Africa"),
];

fn event() -> Communique {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/communiques");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    paths.sort();
    let mut text = String::new();
    for p in paths {
        text.push_str(&std::fs::read_to_string(p).unwrap());
        text.push_str("\n\n");
        if text.len() >= TEXT_BYTES {
            break;
        }
    }
    let mut cut = TEXT_BYTES.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);

    let mut event = Communique::new(Some("bench".into()), Origin::default(), text.clone());
    event.language = Some("en".into());
    for &(kind, id, surface) in ENTITIES {
        for (start, _) in text.match_indices(surface) {
            let end = start + surface.len();
            let word = |c: char| c.is_alphanumeric();
            if text[..start].chars().next_back().is_some_and(word)
                || text[end..].chars().next().is_some_and(word)
            {
                continue;
            }
            event.spans.push(Span {
                kind: kind.into(),
                id: id.into(),
                label: surface.into(),
                start,
                end,
                detail: None,
            });
        }
    }
    event.spans.sort_by_key(|s| s.start);
    let mut start = 0;
    for (i, _) in text.match_indices(". ") {
        event.sentences.push(TextRange::from((start, i + 1)));
        start = i + 2;
    }
    event.sentences.push(TextRange::from((start, text.len())));
    event.normalized = Some(NormalizedText {
        map: OffsetMap::identity(text.len()),
        folded: Some(commwatch_rules::fold(&text)),
        text,
    });
    event
}

fn bench(c: &mut Criterion) {
    let event = event();
    let mut group = c.benchmark_group("evaluate_50kb");
    group.throughput(Throughput::Bytes(event.raw.len() as u64));
    for n in [10, 1_000, 10_000, 100_000] {
        let rules = RuleSet::from_toml_str(&rule_pack(n), "generated").unwrap();
        let mut scratch = Scratch::default();
        let alerts = rules.evaluate_with(&event, &mut scratch).len();
        eprintln!(
            "{n} rules: {} literals, {} spans, {} sentences, {alerts} alerts per event",
            rules.literal_count(),
            event.spans.len(),
            event.sentences.len()
        );
        group.bench_function(format!("{n}_rules"), |b| {
            b.iter(|| black_box(rules.evaluate_with(black_box(&event), &mut scratch)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
