//! Matching and alert semantics of the rule engine, on small hand-built rule sets.

use commwatch_core::{Communique, NormalizedText, OffsetMapBuilder, Origin, Severity, Span};
use commwatch_rules::{RuleSet, Scratch};

fn rules(toml: &str) -> RuleSet {
    RuleSet::from_toml_str(toml, "test").expect("valid rules")
}

fn event(text: &str) -> Communique {
    Communique::new(Some("ev".into()), Origin::default(), text.into())
}

/// Adds a `country` span over the first occurrence of `surface`.
fn with_country(mut event: Communique, surface: &str, id: &str) -> Communique {
    let start = event.raw.find(surface).expect("surface is present");
    event.spans.push(Span {
        kind: "country".into(),
        id: id.into(),
        label: surface.into(),
        start,
        end: start + surface.len(),
        detail: None,
    });
    event.spans.sort_by_key(|s| s.start);
    event
}

fn fired(set: &RuleSet, event: &Communique) -> Vec<String> {
    set.evaluate(event).into_iter().map(|a| a.rule).collect()
}

const MEMBER: &str = r#"
[[rule]]
id = "member"
description = "d"
severity = "low"
any = ["member"]
summary = "s"
"#;

#[test]
fn phrases_match_whole_words_only() {
    let set = rules(MEMBER);
    assert!(fired(&set, &event("new members arrived")).is_empty());
    assert!(fired(&set, &event("a nonmember state")).is_empty());
    assert!(fired(&set, &event("member_state")).is_empty());
    assert_eq!(fired(&set, &event("a member, finally")), ["member"]);
    assert_eq!(fired(&set, &event("member")), ["member"]);
    assert_eq!(fired(&set, &event("(member)")), ["member"]);
}

#[test]
fn phrases_match_ignoring_ascii_case() {
    let set = rules(MEMBER);
    assert_eq!(fired(&set, &event("MEMBER")), ["member"]);
    assert_eq!(fired(&set, &event("Member of")), ["member"]);
    let alert = &set.evaluate(&event("the MeMbEr"))[0];
    assert_eq!(alert.evidence[0].start, 4);
    assert_eq!(
        &*alert.evidence[0].label, "member",
        "label is the phrase as written"
    );
}

#[test]
fn matching_uses_normalized_text_and_reports_raw_offsets() {
    let set = rules(MEMBER);
    // raw "a  member" normalized to "a member".
    let mut ev = event("a  member");
    let mut map = OffsetMapBuilder::new();
    map.copied(1);
    map.replaced(2, 1);
    map.copied(6);
    ev.normalized = Some(NormalizedText {
        text: "a member".into(),
        map: map.finish(),
        folded: None,
    });
    let alert = &set.evaluate(&ev)[0];
    assert_eq!((alert.evidence[0].start, alert.evidence[0].end), (3, 9));
}

#[test]
fn none_phrase_anywhere_suppresses_the_rule() {
    let set = rules(
        r#"
        [[rule]]
        id = "sanctions"
        description = "d"
        severity = "medium"
        any = ["sanctions"]
        none = ["lifted the sanctions", "Sanctions Committee"]
        summary = "s"
        "#,
    );
    assert_eq!(fired(&set, &event("new sanctions")), ["sanctions"]);
    assert!(fired(&set, &event("They lifted the sanctions.")).is_empty());
    assert!(
        fired(
            &set,
            &event("New sanctions. ... The sanctions committee met.")
        )
        .is_empty()
    );
}

#[test]
fn all_phrases_must_each_occur() {
    let set = rules(
        r#"
        [[rule]]
        id = "embassy_attack"
        description = "d"
        severity = "medium"
        all = ["attack", "embassy"]
        summary = "{phrase}"
        "#,
    );
    assert!(fired(&set, &event("an attack on the base")).is_empty());
    assert!(fired(&set, &event("the embassy reopened")).is_empty());
    let alerts = set.evaluate(&event("the Embassy suffered an attack"));
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        alerts[0].summary, "Embassy",
        "first hit in text order, raw text"
    );
    assert_eq!(alerts[0].evidence.len(), 2);
}

#[test]
fn any_and_all_combine() {
    let set = rules(
        r#"
        [[rule]]
        id = "r"
        description = "d"
        severity = "low"
        any = ["convoy", "personnel"]
        all = ["attacked"]
        summary = "s"
        "#,
    );
    assert!(fired(&set, &event("the convoy arrived")).is_empty());
    assert!(fired(&set, &event("they attacked the town")).is_empty());
    assert_eq!(fired(&set, &event("they attacked the convoy")), ["r"]);
}

const NEAR: &str = r#"
[[rule]]
id = "threat"
description = "d"
severity = "high"
any = ["threatens"]
entity = "country"
within = 20
labels = { category = "security" }
summary = "{entities}"
"#;

#[test]
fn within_keeps_only_entities_near_a_hit() {
    let set = rules(NEAR);
    let text = "The group threatens Mali. ........................................ Chad is calm.";
    let ev = with_country(with_country(event(text), "Mali", "ML"), "Chad", "TD");
    let alerts = set.evaluate(&ev);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].labels["entities"], "ML");
    let evidence: Vec<&str> = alerts[0].evidence.iter().map(|s| ev.span_text(s)).collect();
    assert_eq!(evidence, ["threatens", "Mali"]);

    // Only a far entity: the rule needs one within 20 bytes, so it does not fire.
    let far = with_country(event(text), "Chad", "TD");
    assert!(set.evaluate(&far).is_empty());
}

#[test]
fn within_counts_bytes_from_either_edge_of_the_entity() {
    let set = rules(NEAR);
    // Gap of exactly 20 bytes before the hit, and of 21 after it.
    let before = format!("Mali{}threatens", " ".repeat(20));
    let ev = with_country(event(&before), "Mali", "ML");
    assert_eq!(fired(&set, &ev), ["threat"]);
    let after = format!("threatens{}Mali", " ".repeat(21));
    let ev = with_country(event(&after), "Mali", "ML");
    assert!(fired(&set, &ev).is_empty());
}

#[test]
fn evidence_keeps_only_hits_with_a_near_entity() {
    let set = rules(NEAR);
    let text =
        "Chad threatens nobody. ......................................... It threatens Mali.";
    let ev = with_country(event(text), "Mali", "ML");
    let alert = &set.evaluate(&ev)[0];
    let evidence: Vec<(usize, &str)> = alert
        .evidence
        .iter()
        .map(|s| (s.start, ev.span_text(s)))
        .collect();
    let second = text.rfind("threatens").unwrap();
    assert_eq!(evidence, [(second, "threatens"), (second + 10, "Mali")]);
}

#[test]
fn entity_without_within_may_be_anywhere_and_min_entities_counts_distinct_ids() {
    let set = rules(
        r#"
        [[rule]]
        id = "r"
        description = "d"
        severity = "low"
        any = ["joined"]
        entity = "country"
        min_entities = 2
        summary = "{entity_ids}"
        "#,
    );
    let text = format!("Chad joined.{}Chad again, and Niger.", " ".repeat(1000));
    let one = with_country(event(&text), "Chad", "TD");
    assert!(set.evaluate(&one).is_empty(), "one distinct id is not two");
    let two = with_country(one.clone(), "Niger", "NE");
    let alerts = set.evaluate(&two);
    assert_eq!(alerts[0].summary, "NE,TD");
}

#[test]
fn entity_of_another_kind_does_not_count() {
    let set = rules(NEAR);
    let mut ev = event("ISIS threatens everyone");
    ev.spans.push(Span {
        kind: "organization".into(),
        id: "ISIS".into(),
        label: "ISIS".into(),
        start: 0,
        end: 4,
        detail: None,
    });
    assert!(set.evaluate(&ev).is_empty());
}

#[test]
fn summary_renders_every_placeholder() {
    let set = rules(
        r#"
        [[rule]]
        id = "r"
        description = "d"
        severity = "critical"
        any = ["joined the"]
        entity = "country"
        labels = { category = "accession", region = "Sahel" }
        summary = "[{category}/{region}] {title}: {phrase} — {entities} ({entity_ids}) {{literal}}"
        "#,
    );
    let text = "Niger and Chad Joined The group; Niger welcomed it.";
    let ev = with_country(with_country(event(text), "Niger", "NE"), "Chad", "TD");
    let mut second_niger = ev.spans[0].clone();
    second_niger.start = text.rfind("Niger").unwrap();
    second_niger.end = second_niger.start + 5;
    let mut ev = ev;
    ev.spans.push(second_niger);
    let alert = &set.evaluate(&ev)[0];
    assert_eq!(
        alert.summary,
        "[accession/Sahel] ev: Joined The — Niger, Chad (NE,TD) {literal}"
    );
    assert_eq!(alert.severity, Severity::Critical);
    assert_eq!(alert.labels["region"], "Sahel");
    assert_eq!(alert.evidence.len(), 4, "hit + three entity mentions");

    ev.title = Some("Joint statement".into());
    assert!(set.evaluate(&ev)[0].summary.contains("Joint statement: "));
}

#[test]
fn overlapping_phrases_of_different_rules_both_fire() {
    let set = rules(
        r#"
        [[rule]]
        id = "joined"
        description = "d"
        severity = "low"
        any = ["joined the"]
        summary = "s"

        [[rule]]
        id = "coalition"
        description = "d"
        severity = "low"
        any = ["the Coalition"]
        summary = "s"

        [[rule]]
        id = "prefix"
        description = "d"
        severity = "low"
        any = ["joined"]
        summary = "s"
        "#,
    );
    assert_eq!(
        fired(&set, &event("Chad joined the Coalition")),
        ["joined", "coalition", "prefix"]
    );
}

#[test]
fn disabled_rules_are_loaded_but_never_fire() {
    let set = rules(&MEMBER.replace("summary = \"s\"", "summary = \"s\"\nenabled = false"));
    assert_eq!(set.len(), 1);
    assert!(!set.rules()[0].is_enabled());
    assert!(fired(&set, &event("a member")).is_empty());
}

#[test]
fn rule_accessors_expose_the_definition() {
    let set = rules(NEAR);
    let rule = &set.rules()[0];
    assert_eq!(rule.id(), "threat");
    assert_eq!(rule.description(), "d");
    assert_eq!(rule.severity(), Severity::High);
    assert_eq!(rule.entity(), Some("country"));
    assert_eq!(rule.labels()["category"], "security");
    assert!(!set.is_empty());
}

#[test]
fn an_empty_file_is_an_empty_set() {
    let set = rules("");
    assert!(set.is_empty());
    assert!(set.evaluate(&event("anything")).is_empty());
}

#[test]
fn alert_identifies_rule_and_communique() {
    let set = rules(MEMBER);
    let alert = &set.evaluate(&event("a member"))[0];
    assert_eq!(alert.rule, "member");
    assert_eq!(alert.communique, "ev");
    assert_eq!(alert.severity, Severity::Low);
    assert!(alert.labels.is_empty());
}

#[test]
fn fingerprint_depends_on_rule_and_labels_only() {
    let set = rules(NEAR);
    let a = with_country(event("Militants: it threatens Mali today"), "Mali", "ML");
    let b = with_country(
        event("A different text that threatens Mali, somewhat"),
        "Mali",
        "ML",
    );
    let c = with_country(event("it threatens Chad"), "Chad", "TD");
    let fa = set.evaluate(&a)[0].fingerprint.clone();
    assert_eq!(fa, set.evaluate(&b)[0].fingerprint, "same labels");
    assert_ne!(fa, set.evaluate(&c)[0].fingerprint, "different entities");
    assert_eq!(
        fa,
        commwatch_core::fingerprint("threat", [("category", "security"), ("entities", "ML")])
    );
}

#[test]
fn scratch_reuse_gives_the_same_alerts() {
    let set = rules(NEAR);
    let mut scratch = Scratch::default();
    let one = with_country(event("it threatens Mali"), "Mali", "ML");
    let two = event("nothing here");
    assert_eq!(set.evaluate_with(&one, &mut scratch), set.evaluate(&one));
    assert!(set.evaluate_with(&two, &mut scratch).is_empty());
    assert_eq!(set.evaluate_with(&one, &mut scratch), set.evaluate(&one));
}
