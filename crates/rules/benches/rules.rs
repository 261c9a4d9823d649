//! Evaluation cost against the number of rules.
//!
//! The same ~50 KB text (the example communiqués, concatenated, with entity spans and sentences as
//! the tag and normalize stages would add) is evaluated by generated rule packs of 10, 1,000 and
//! 10,000 rules. The rules are a realistic mix for a large pack: watch rules pairing a topic word
//! or phrase with a country id, topic phrases near any country, organisation and group rules,
//! sentence-scoped counts, and a few negations. Most refer to topics or ids a given document does
//! not mention, as in a real pack; the scan and the candidate check are what must not grow.
//!
//! The target: 10,000 rules at no less than half the throughput of 10.

use std::hint::black_box;

use commwatch_core::{Communique, NormalizedText, OffsetMap, Origin, Span, TextRange};
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

const COUNTRY_IDS: &[&str] = &[
    "AF", "AL", "DZ", "AO", "AR", "AM", "AU", "AT", "AZ", "BH", "BD", "BY", "BE", "BJ", "BO", "BA",
    "BR", "BG", "BF", "BI", "KH", "CM", "CA", "CF", "TD", "CL", "CN", "CO", "CD", "CG", "HR", "CU",
    "CY", "CZ", "DK", "DJ", "EC", "EG", "ER", "EE", "ET", "FJ", "FI", "FR", "GA", "GE", "DE", "GH",
    "GR", "GT", "GN", "HT", "HU", "IN", "ID", "IR", "IQ", "IE", "IL", "IT", "JP", "JO", "KZ", "KE",
    "KP", "KR", "KW", "KG", "LB", "LY", "LT", "MG", "MW", "ML", "MR", "MX", "MD", "MN", "MA", "MZ",
    "MM", "NP", "NL", "NI", "NE", "NG", "NO", "OM", "PK", "PS", "PA", "PE", "PH", "PL", "QA", "RO",
    "RU", "RW", "SA", "SN", "RS", "SL", "SO", "ZA", "SS", "ES", "LK", "SD", "SE", "SY", "TW", "TJ",
    "TZ", "TH", "TG", "TN", "TR", "UG", "UA", "AE", "GB", "US", "UZ", "VE", "VN", "YE", "ZM", "ZW",
];

const WORDS: &[&str] = &[
    "sanctions",
    "ceasefire",
    "coup",
    "ratified",
    "accession",
    "embargo",
    "insurgency",
    "militia",
    "airstrike",
    "hostage",
    "blockade",
    "annexation",
    "referendum",
    "mobilization",
    "evacuation",
    "kidnapping",
    "assassination",
    "genocide",
    "famine",
    "cholera",
    "refugees",
    "deportation",
    "extradition",
    "espionage",
    "sabotage",
    "piracy",
    "smuggling",
    "trafficking",
    "mercenaries",
    "uprising",
    "curfew",
    "martial",
    "junta",
    "secession",
    "incursion",
    "shelling",
    "massacre",
    "reprisal",
    "ultimatum",
    "expulsion",
    "defection",
    "detainees",
    "repatriation",
    "designation",
    "truce",
    "armistice",
    "normalization",
    "rapprochement",
    "veto",
    "indictment",
    "tribunal",
    "impeachment",
    "dissolution",
    "landmines",
    "cyberattack",
    "ransomware",
    "disinformation",
    "drought",
    "earthquake",
    "pandemic",
    "outbreak",
];

const ADJECTIVES: &[&str] = &[
    "arms",
    "nuclear",
    "ballistic",
    "humanitarian",
    "military",
    "naval",
    "cross-border",
    "armed",
    "foreign",
    "maritime",
    "diplomatic",
    "territorial",
    "economic",
    "political",
    "electoral",
    "terrorist",
    "chemical",
    "hypersonic",
    "peace",
    "security",
    "border",
    "prisoner",
    "energy",
    "grain",
    "cyber",
    "financial",
    "civilian",
    "regional",
    "emergency",
    "joint",
];

const NOUNS: &[&str] = &[
    "embargo",
    "program",
    "missile",
    "access",
    "coup",
    "blockade",
    "clashes",
    "incursion",
    "fighters",
    "exercises",
    "dispute",
    "talks",
    "crisis",
    "fraud",
    "attack",
    "weapons",
    "corridor",
    "exchange",
    "agreement",
    "deal",
    "convoy",
    "forces",
    "deployment",
    "sanctions",
    "summit",
    "pact",
    "accord",
    "mission",
    "offensive",
    "strike",
    "ban",
    "freeze",
    "zone",
    "ceasefire",
    "waters",
    "facilities",
    "infrastructure",
    "casualties",
    "evacuation",
    "tensions",
];

const ORGS: &[&str] = &[
    "nato", "un", "eu", "au", "ecowas", "asean", "opec", "sco", "brics",
];
const GROUPS: &[&str] = &[
    "isis",
    "houthis",
    "al-shabaab",
    "hezbollah",
    "boko-haram",
    "jnim",
];

/// A small deterministic generator (SplitMix64), so every run benchmarks the same rules.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn phrase(&mut self) -> String {
        format!("\"{} {}\"", self.pick(ADJECTIVES), self.pick(NOUNS))
    }
}

fn rule_pack(n: usize) -> String {
    let mut g = Gen(42);
    let mut out = String::new();
    for i in 0..n {
        let (query, scope) = match i % 8 {
            0 | 1 => (
                format!("{} AND @country:{}", g.pick(WORDS), g.pick(COUNTRY_IDS)),
                "",
            ),
            2 => (
                format!("{} NEAR/{} @country", g.phrase(), 5 + g.next() % 11),
                "",
            ),
            3 => (
                format!(
                    "({} OR {}) NEAR/10 @country:{}",
                    g.phrase(),
                    g.pick(WORDS),
                    g.pick(COUNTRY_IDS)
                ),
                "scope = \"sentence\"",
            ),
            4 => (format!("{} AND @org:{}", g.phrase(), g.pick(ORGS)), ""),
            5 => (
                format!(
                    "{} AND @group:{} AND NOT {}",
                    g.phrase(),
                    g.pick(GROUPS),
                    g.pick(WORDS)
                ),
                "",
            ),
            6 => (
                format!("{} AND @country >= 2", g.phrase()),
                "scope = \"sentence\"",
            ),
            _ => (
                format!(
                    "{}* AND {} AND lang:en",
                    {
                        let w = g.pick(WORDS);
                        &w[..w.len().min(5)]
                    },
                    g.phrase()
                ),
                "scope = { first_sentences = 20 }",
            ),
        };
        out.push_str(&format!(
            "[[rule]]\nid = \"r{i}\"\nquery = '{query}'\nseverity = \"low\"\nsummary = \"{{title}}\"\n{scope}\n\n"
        ));
    }
    out
}

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
    for n in [10, 1_000, 10_000] {
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
