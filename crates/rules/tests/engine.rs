//! Matching and alert semantics of the rule engine, on small hand-built rule sets.

use commwatch_core::{Communique, NormalizedText, OffsetMap, Origin, Span, TextRange, fingerprint};
use commwatch_rules::{RuleSet, Scope, Scratch};

fn rules(toml: &str) -> RuleSet {
    RuleSet::from_toml_str(toml, "test").unwrap_or_else(|e| panic!("{e}"))
}

/// One rule with this query (and optional extra lines).
fn rule(query: &str, extra: &str) -> RuleSet {
    rules(&format!(
        "[[rule]]\nid = \"r\"\nquery = \"{}\"\nseverity = \"low\"\nsummary = \"s\"\n{extra}",
        query.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

/// An event as the pipeline has it: identity normalization with a folded copy.
fn event(text: &str) -> Communique {
    let mut e = Communique::new(Some("doc-1".into()), Origin::default(), text.into());
    e.normalized = Some(NormalizedText {
        text: text.into(),
        map: OffsetMap::identity(text.len()),
        folded: Some(commwatch_rules::fold(text)),
    });
    e
}

/// An event without a normalization stage.
fn raw_event(text: &str) -> Communique {
    Communique::new(Some("doc-1".into()), Origin::default(), text.into())
}

/// Adds a span of `kind` over every occurrence of `surface`.
fn with(mut event: Communique, kind: &str, id: &str, surface: &str) -> Communique {
    let starts: Vec<usize> = event.raw.match_indices(surface).map(|(i, _)| i).collect();
    assert!(!starts.is_empty(), "{surface:?} not in text");
    for start in starts {
        event.spans.push(Span {
            kind: kind.into(),
            id: id.into(),
            label: surface.into(),
            start,
            end: start + surface.len(),
            detail: None,
        });
    }
    event.spans.sort_by_key(|s| s.start);
    event
}

fn sentences(mut event: Communique) -> Communique {
    let mut start = 0;
    let raw = event.raw.clone();
    for (i, _) in raw.match_indices(". ") {
        event.sentences.push(TextRange::from((start, i + 1)));
        start = i + 2;
    }
    event.sentences.push(TextRange::from((start, raw.len())));
    event
}

fn fires(set: &RuleSet, event: &Communique) -> bool {
    !set.evaluate(event).is_empty()
}

fn check(query: &str, yes: &[&str], no: &[&str]) {
    let set = rule(query, "");
    for text in yes {
        assert!(
            fires(&set, &event(text)),
            "{query:?} should fire on {text:?}"
        );
    }
    for text in no {
        assert!(
            !fires(&set, &event(text)),
            "{query:?} should not fire on {text:?}"
        );
    }
}

#[test]
fn words_and_phrases_match_whole_words_ignoring_case_and_diacritics() {
    check(
        "member",
        &["A member.", "MEMBER"],
        &["members", "nonmember", "member_x"],
    );
    check(
        "\"new members\"",
        &["The New Members"],
        &["new member", "new membership"],
    );
    check(
        "\"côte d'ivoire\"",
        &["CÔTE D'IVOIRE", "Cote d'Ivoire"],
        &["Cote d Ivoire"],
    );
    check("Türkiye", &["TURKIYE ratified", "türkiye"], &["Turkey"]);
}

#[test]
fn without_a_folded_copy_only_ascii_case_is_ignored() {
    let set = rule("sanctions AND cote", "");
    assert!(fires(&set, &raw_event("SANCTIONS on cote")));
    assert!(!fires(&set, &raw_event("SANCTIONS on Côte")));
    assert!(fires(&set, &event("SANCTIONS on Côte")));
}

#[test]
fn prefixes_extend_to_the_end_of_the_word() {
    check(
        "terror*",
        &["Terrorism.", "terror", "terrorist attack"],
        &["counterterrorism"],
    );
    check(
        "\"foreign fight\"*",
        &["foreign fighters"],
        &["foreign affairs"],
    );
    let set = rule("terror*", "");
    let alerts = set.evaluate(&event("The terrorists fled."));
    assert_eq!(
        (alerts[0].evidence[0].start, alerts[0].evidence[0].end),
        (4, 14)
    );
    assert_eq!(&*alerts[0].evidence[0].label, "terror*");
}

#[test]
fn boolean_operators() {
    check("a AND b", &["a b", "b a"], &["a", "b"]);
    check("a b", &["a b"], &["a"]);
    check("a OR b", &["a", "b"], &["c"]);
    check("a AND NOT b", &["a c"], &["a b", "c"]);
    check("NOT b", &["a", ""], &["b"]);
    check("a OR b AND c", &["a", "b c"], &["b", "c"]);
    check("(a OR b) AND c", &["a c", "b c"], &["a", "b"]);
    check("NOT (a AND b)", &["a", "b", "c"], &["a b"]);
}

#[test]
fn near_counts_words_between_in_either_order() {
    // NEAR/N: at most N words between the two.
    check(
        "sanctions NEAR/1 iran",
        &[
            "sanctions on Iran",
            "Iran faces sanctions",
            "Iran sanctions",
        ],
        &["sanctions imposed on Iran"],
    );
    check(
        "sanctions NEAR/0 iran",
        &["Iran sanctions", "sanctions, Iran"],
        &["sanctions on Iran"],
    );
    let ten = format!("a {} b", ["x"; 10].join(" "));
    let eleven = format!("a {} b", ["x"; 11].join(" "));
    check("a NEAR b", &[&ten], &[&eleven]);
    check(
        "\"new members\" NEAR/2 (joined OR welcomed)",
        &["welcomed the new members"],
        &["welcomed all of the new members"],
    );
}

#[test]
fn near_entities_and_evidence_keeps_only_pairs() {
    let set = rule("\"new members\" NEAR/3 @country", "");
    let text =
        "Chad is far away from here and from there. The new members Mali and Niger were welcomed.";
    let ev = with(
        with(
            with(event(text), "country", "TD", "Chad"),
            "country",
            "ML",
            "Mali",
        ),
        "country",
        "NE",
        "Niger",
    );
    let alerts = set.evaluate(&ev);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].labels["country"], "ML,NE");
    let evidence: Vec<&str> = alerts[0]
        .evidence
        .iter()
        .map(|s| &ev.raw[s.start..s.end])
        .collect();
    assert_eq!(evidence, ["new members", "Mali", "Niger"]);
}

/// Spans nested inside others, as the tagger emits them for the countries and regions inside a
/// group's or an organization's name (kinds `region_in_name`, `country_in_name`): they are their
/// own kinds, never counted as `region` or `country`, and overlapping spans are evaluated,
/// counted, quoted as evidence and explained like any others.
#[test]
fn nested_spans_of_their_own_kinds() {
    let text = "ISIS-Somalia and Islamic State West Africa Province attacked a base in Nigeria.";
    let ev = with(
        with(
            with(
                with(
                    with(event(text), "group", "isis-somalia", "ISIS-Somalia"),
                    "country_in_name",
                    "SO",
                    "Somalia",
                ),
                "group",
                "iswap",
                "Islamic State West Africa Province",
            ),
            "region_in_name",
            "west-africa",
            "West Africa",
        ),
        "country",
        "NG",
        "Nigeria",
    );
    assert!(ev.spans.is_sorted_by_key(|s| s.start));
    // Not mentions: @region and @country see only the mentions.
    assert!(!fires(&rule("@region", ""), &ev));
    assert!(!fires(&rule("@country >= 2", ""), &ev));
    assert!(fires(&rule("@country:NG", ""), &ev));
    assert!(!fires(&rule("@country:SO", ""), &ev));
    // Their own kinds work, nested in the group spans, with NEAR and counts.
    let set = rule("@region_in_name:west-africa NEAR/3 attack*", "");
    let alerts = set.evaluate(&ev);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].labels["region_in_name"], "west-africa");
    let evidence: Vec<&str> = alerts[0]
        .evidence
        .iter()
        .map(|s| &ev.raw[s.start..s.end])
        .collect();
    assert_eq!(evidence, ["West Africa", "attacked"]);
    let set = rule("@group >= 2 AND @country_in_name AND attack*", "");
    let alerts = set.evaluate(&ev);
    assert_eq!(alerts.len(), 1);
    let evidence: Vec<&str> = alerts[0]
        .evidence
        .iter()
        .map(|s| &ev.raw[s.start..s.end])
        .collect();
    assert_eq!(
        evidence,
        [
            "ISIS-Somalia",
            "Somalia",
            "Islamic State West Africa Province",
            "attacked"
        ]
    );
    assert_eq!(alerts[0].labels["group"], "isis-somalia,iswap");
    assert_eq!(alerts[0].labels["country_in_name"], "SO");
    // A group and the region inside its name are "near" (they overlap).
    assert!(fires(&rule("@group NEAR/0 @region_in_name", ""), &ev));
    let x = set.explain("r", &ev).expect("rule r");
    assert!(x.fired);
    assert!(x.terms.iter().all(|t| t.matched));
}

#[test]
fn entity_references_counts_and_ids() {
    let ev = with(
        with(
            with(
                event("Mali, Niger and NATO met on resolution 2254."),
                "country",
                "ML",
                "Mali",
            ),
            "country",
            "NE",
            "Niger",
        ),
        "organization",
        "nato",
        "NATO",
    );
    let ev = with(ev, "resolution", "S/RES/2254", "resolution 2254");
    for (query, expected) in [
        ("@country", true),
        ("@country:ml", true),
        ("@country:BF", false),
        ("@org:NATO", true),
        ("@organization", true),
        ("@group", false),
        ("@resolution:S/RES/2254", true),
        ("@resolution:s/res/*", true),
        ("@resolution:A/RES/*", false),
        ("@country >= 2", true),
        ("@country > 2", false),
        ("@country = 2", true),
        ("@country < 1", false),
        ("@group < 1", true),
        ("@country:M* = 1", true),
        ("NOT @group", true),
    ] {
        assert_eq!(fires(&rule(query, ""), &ev), expected, "{query}");
    }
}

#[test]
fn counts_are_distinct_ids() {
    let ev = with(event("Mali and Mali and Niger"), "country", "ML", "Mali");
    assert!(fires(&rule("@country = 1", ""), &ev));
    assert!(!fires(&rule("@country >= 2", ""), &ev));
}

#[test]
fn metadata_terms() {
    let mut ev = event("text");
    ev.origin.name = "WhiteHouse".into();
    ev.language = Some("en".into());
    ev.metadata
        .insert("agency".into(), "State Department".into());
    for (query, expected) in [
        ("source:whitehouse", true),
        ("source:white*", true),
        ("source:white", false),
        ("lang:EN", true),
        ("lang:fr", false),
        ("meta.agency:\"state department\"", true),
        ("meta.agency:state*", true),
        ("meta.other:x", false),
        ("NOT lang:fr", true),
    ] {
        assert_eq!(fires(&rule(query, ""), &ev), expected, "{query}");
    }
}

#[test]
fn sentence_scope_needs_one_sentence() {
    let text = "Sanctions were discussed. Iran was mentioned. Iran sanctions followed.";
    let doc = rule("sanctions AND iran", "");
    let sent = rule("sanctions AND iran", "scope = \"sentence\"");
    assert_eq!(sent.rules()[0].scope(), Scope::Sentence);
    let split = sentences(event(text));
    assert!(fires(&sent, &split));
    let alerts = sent.evaluate(&split);
    // Only the third sentence holds both: its words are the evidence.
    assert!(
        alerts[0].evidence.iter().all(|s| s.start >= 46),
        "{:?}",
        alerts[0].evidence
    );

    let apart = sentences(event("Sanctions were discussed. Iran was mentioned."));
    assert!(fires(&doc, &apart));
    assert!(!fires(&sent, &apart));
    // Without sentences the whole document is the scope.
    assert!(fires(
        &sent,
        &event("Sanctions were discussed. Iran was mentioned.")
    ));
    // A negation is judged per sentence too.
    let not = rule("iran AND NOT sanctions", "scope = \"sentence\"");
    assert!(fires(&not, &apart));
    assert!(!fires(&not, &sentences(event("Iran sanctions."))));
}

#[test]
fn first_sentences_scope() {
    let set = rule("sanctions", "scope = { first_sentences = 2 }");
    assert_eq!(set.rules()[0].scope(), Scope::FirstSentences(2));
    assert!(fires(&set, &sentences(event("A. The sanctions. C."))));
    assert!(!fires(&set, &sentences(event("A. B. The sanctions."))));
    assert!(fires(&set, &sentences(event("sanctions"))));
}

#[test]
fn rules_with_only_negations_or_metadata_are_always_evaluated() {
    let set = rule("NOT sanctions", "");
    assert!(fires(&set, &event("nothing here")));
    assert!(!fires(&set, &event("sanctions")));
    assert!(fires(&rule("lang:en", ""), &{
        let mut e = event("x");
        e.language = Some("en".into());
        e
    }));
}

#[test]
fn alert_labels_summary_evidence_and_fingerprint() {
    let set = rules(
        r#"
[[rule]]
id = "accession"
query = '("new members" OR joined) NEAR/5 @country AND NOT @group'
severity = "high"
labels = { category = "accession" }
summary = "[{category}] {title}: {phrase} — {entities:country} ({country})"
"#,
    );
    let text =
        "The Coalition welcomed new members Mauritania and the Democratic Republic of the Congo.";
    let mut ev = with(
        with(event(text), "country", "MR", "Mauritania"),
        "country",
        "CD",
        "Democratic Republic of the Congo",
    );
    ev.title = Some("Ministerial".into());
    let alerts = set.evaluate(&ev);
    assert_eq!(alerts.len(), 1);
    let a = &alerts[0];
    assert_eq!(a.rule, "accession");
    assert_eq!(a.communique, "doc-1");
    assert_eq!(a.labels["country"], "CD,MR");
    assert_eq!(
        a.summary,
        "[accession] Ministerial: new members — Mauritania, Democratic Republic of the Congo (CD,MR)"
    );
    assert_eq!(
        a.fingerprint,
        fingerprint(
            "accession",
            [("category", "accession"), ("country", "CD,MR")]
        )
    );
    let kinds: Vec<&str> = a.evidence.iter().map(|s| &*s.kind).collect();
    assert_eq!(kinds, ["keyword", "country", "country"]);
    assert_eq!(&*a.evidence[0].id, "accession");
    assert_eq!(&*a.evidence[0].label, "new members");
    assert!(a.suppressed.is_none() && a.routes.is_empty());
}

#[test]
fn key_labels_choose_the_fingerprint() {
    let set = rule(
        "sanctions AND @country",
        "labels = { category = \"sanctions\" }\nkey_labels = [\"category\"]",
    );
    let a = with(event("sanctions on Mali"), "country", "ML", "Mali");
    let b = with(event("sanctions on Niger"), "country", "NE", "Niger");
    let (fa, fb) = (&set.evaluate(&a)[0], &set.evaluate(&b)[0]);
    assert_eq!(fa.fingerprint, fb.fingerprint);
    assert_eq!(
        fa.fingerprint,
        fingerprint("r", [("category", "sanctions")])
    );
    assert_ne!(fa.labels, fb.labels);
    let all = rule("sanctions AND @country", "");
    assert_ne!(
        all.evaluate(&a)[0].fingerprint,
        all.evaluate(&b)[0].fingerprint
    );
}

#[test]
fn overlapping_terms_of_different_rules_all_fire_in_file_order() {
    let set = rules(
        r#"
[[rule]]
id = "b_rule"
query = '"the coalition"'
severity = "low"
summary = "s"

[[rule]]
id = "a_rule"
query = '"joined the"'
severity = "low"
summary = "s"

[[rule]]
id = "off"
query = "joined"
severity = "low"
summary = "s"
enabled = false
"#,
    );
    let ids: Vec<String> = set
        .evaluate(&event("Chad joined the Coalition."))
        .into_iter()
        .map(|a| a.rule)
        .collect();
    assert_eq!(ids, ["b_rule", "a_rule"]);
}

#[test]
fn hit_counts_count_alerts_per_rule() {
    let set = rules(
        "[[rule]]\nid = \"a\"\nquery = \"x\"\nseverity = \"low\"\nsummary = \"s\"\n\n[[rule]]\nid = \"b\"\nquery = \"y\"\nseverity = \"low\"\nsummary = \"s\"\n",
    );
    let mut scratch = Scratch::default();
    set.evaluate_with(&event("x"), &mut scratch);
    set.evaluate_with(&event("x y"), &mut scratch);
    assert_eq!(set.hit_counts(), [("a", 2), ("b", 1)]);
    let clone = set.clone();
    clone.evaluate(&event("y"));
    assert_eq!(
        set.hit_counts(),
        [("a", 2), ("b", 2)],
        "clones share counters"
    );
}

#[test]
fn explain_lists_terms_with_ranges() {
    let set = rules(
        r#"
[[rule]]
id = "r"
query = '"new members" NEAR/3 @country AND NOT "member states" AND lang:en'
severity = "low"
summary = "s"

[[rule]]
id = "off"
query = "members"
severity = "low"
summary = "s"
enabled = false
"#,
    );
    let text = "The new members Mali joined.";
    let ev = with(event(text), "country", "ML", "Mali");
    let x = set.explain("r", &ev).unwrap();
    assert!(!x.fired && x.candidate && x.alert.is_none());
    assert_eq!(x.scopes, [TextRange::from((0, text.len()))]);
    type Term<'a> = (&'a str, bool, bool, Vec<(usize, usize)>);
    let terms: Vec<Term> = x
        .terms
        .iter()
        .map(|t| {
            (
                t.term.as_str(),
                t.negated,
                t.matched,
                t.ranges.iter().map(|r| (r.start, r.end)).collect(),
            )
        })
        .collect();
    assert_eq!(
        terms,
        [
            ("\"new members\"", false, true, vec![(4, 15)]),
            ("@country", false, true, vec![(16, 20)]),
            (
                "\"new members\" NEAR/3 @country",
                false,
                true,
                vec![(4, 15), (16, 20)]
            ),
            ("\"member states\"", true, false, vec![]),
            ("lang:en", false, false, vec![]),
        ]
    );
    let mut en = ev.clone();
    en.language = Some("en".into());
    let x = set.explain("r", &en).unwrap();
    assert!(x.fired && x.alert.is_some());
    assert!(
        set.explain("off", &en).unwrap().fired,
        "disabled rules are explained as if enabled"
    );
    assert!(set.evaluate(&en).iter().all(|a| a.rule != "off"));
    assert!(set.explain("nope", &en).is_none());
    assert_eq!(set.hit_counts(), [("r", 1), ("off", 0)]);
}

#[test]
fn raw_offsets_survive_normalization() {
    let set = rule("\"new members\"", "");
    let raw = "The  new   members.";
    let norm = "The new members.";
    let mut ev = raw_event(raw);
    let mut map = commwatch_core::OffsetMapBuilder::new();
    map.copied(3);
    map.replaced(2, 1);
    map.copied(3);
    map.replaced(3, 1);
    map.copied(8);
    ev.normalized = Some(NormalizedText {
        text: norm.into(),
        map: map.finish(),
        folded: Some(commwatch_rules::fold(norm)),
    });
    let alerts = set.evaluate(&ev);
    let s = &alerts[0].evidence[0];
    assert_eq!(&raw[s.start..s.end], "new   members");
}

#[test]
fn scratch_reuse_across_sets_gives_the_same_alerts() {
    let a = rule("x OR @country", "");
    let b =
        rules("[[rule]]\nid = \"q\"\nquery = \"y AND z\"\nseverity = \"low\"\nsummary = \"s\"\n");
    let mut scratch = Scratch::default();
    let ev = with(event("x y z Mali"), "country", "ML", "Mali");
    for _ in 0..3 {
        assert_eq!(a.evaluate_with(&ev, &mut scratch), a.evaluate(&ev));
        assert_eq!(b.evaluate_with(&ev, &mut scratch), b.evaluate(&ev));
    }
}

#[test]
fn an_empty_file_is_an_empty_set() {
    let set = rules("");
    assert!(set.is_empty());
    assert!(set.evaluate(&event("anything")).is_empty());
}
