//! The prefilter never hides a rule that would fire: on random rule sets and texts, the rules
//! `evaluate` reports (candidates only) are exactly those that fire when evaluated without the
//! prefilter (`explain`), and every rule that fires was a candidate.

use commwatch_core::{Communique, NormalizedText, OffsetMap, Origin, Span, TextRange};
use commwatch_rules::{RuleSet, Scratch};
use proptest::prelude::*;

const WORDS: [&str; 6] = ["alpha", "beta", "gamma", "delta", "Mali", "Niger"];

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(WORDS.to_vec()).prop_map(str::to_string),
        Just("\"alpha beta\"".to_string()),
        Just("gam*".to_string()),
        Just("@country".to_string()),
        Just("@country:ML".to_string()),
        Just("@country:n*".to_string()),
        (
            prop::sample::select(vec![">=", ">", "<", "<=", "="]),
            0u32..3
        )
            .prop_map(|(op, n)| format!("@country {op} {n}")),
        Just("lang:en".to_string()),
    ]
}

fn positional() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(WORDS.to_vec()).prop_map(str::to_string),
        Just("\"alpha beta\"".to_string()),
        Just("@country".to_string()),
        Just("(beta OR @country:NE)".to_string()),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let base = prop_oneof![
        3 => leaf(),
        1 => (positional(), positional(), 0u32..4)
            .prop_map(|(a, b, n)| format!("{a} NEAR/{n} {b}")),
    ];
    base.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|q| format!("NOT ({q})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) AND ({b})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("({a}) OR ({b})")),
        ]
    })
}

fn scope() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "",
        "scope = \"sentence\"",
        "scope = { first_sentences = 2 }",
    ])
}

fn text() -> impl Strategy<Value = Vec<&'static str>> {
    prop::collection::vec(
        prop::sample::select(vec![
            "alpha", "beta", "gamma", "gammas", "delta", "Mali", "Niger", "x", "y", ".",
        ]),
        0..24,
    )
}

fn event(words: &[&str], english: bool) -> Communique {
    let raw = words.join(" ");
    let mut e = Communique::new(Some("d".into()), Origin::default(), raw.clone());
    e.normalized = Some(NormalizedText {
        text: raw.clone(),
        map: OffsetMap::identity(raw.len()),
        folded: Some(commwatch_rules::fold(&raw)),
    });
    if english {
        e.language = Some("en".into());
    }
    let mut at = 0;
    let mut sentence_start = 0;
    for w in words {
        let id = match *w {
            "Mali" => Some("ML"),
            "Niger" => Some("NE"),
            _ => None,
        };
        if let Some(id) = id {
            e.spans.push(Span {
                kind: "country".into(),
                id: id.into(),
                label: (*w).into(),
                start: at,
                end: at + w.len(),
                detail: None,
            });
        }
        if *w == "." {
            e.sentences.push(TextRange::from((sentence_start, at + 1)));
            sentence_start = at + 2;
        }
        at += w.len() + 1;
    }
    if sentence_start < raw.len() {
        e.sentences
            .push(TextRange::from((sentence_start, raw.len())));
    }
    e
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn prefilter_is_sound(
        rules in prop::collection::vec((query(), scope()), 1..6),
        texts in prop::collection::vec((text(), any::<bool>()), 1..4),
    ) {
        let toml: String = rules
            .iter()
            .enumerate()
            .map(|(i, (q, scope))| {
                format!(
                    "[[rule]]\nid = \"r{i}\"\nquery = '{q}'\nseverity = \"low\"\nsummary = \"s\"\n{scope}\n\n"
                )
            })
            .collect();
        let set = RuleSet::from_toml_str(&toml, "random").map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut scratch = Scratch::default();
        for (words, english) in &texts {
            let ev = event(words, *english);
            let alerts = set.evaluate_with(&ev, &mut scratch);
            for rule in set.rules() {
                // `explain` evaluates without the prefilter, in every sentence.
                let x = set.explain(rule.id(), &ev).unwrap();
                let alert = alerts.iter().find(|a| a.rule == rule.id());
                prop_assert_eq!(
                    x.alert.as_ref(),
                    alert,
                    "rule {} ({}) on {:?}", rule.id(), x.query, ev.raw
                );
                prop_assert!(!x.fired || x.candidate);
            }
        }
    }
}
