//! The default rule pack (`examples/rules/keywords.toml`) on hand-tagged communiqués.

use commwatch_core::{Alert, Communique, Origin, Span};
use commwatch_rules::RuleSet;

const PACK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/rules/keywords.toml"
);

const ACCESSION: &str = "The Ministers welcomed new members joining the particular Coalition – \
    Central African Republic, Democratic Republic from the Congo, Mauritania, and Yemen.";

fn pack() -> RuleSet {
    RuleSet::load(PACK).expect("the default pack loads")
}

fn country(id: &str, label: &str, start: usize, end: usize) -> Span {
    Span {
        kind: "country".into(),
        id: id.into(),
        label: label.into(),
        start,
        end,
        detail: None,
    }
}

/// A communiqué with a `country` span on each `(surface text, id)` pair, as a tagger would add.
fn tagged(text: &str, countries: &[(&str, &str)]) -> Communique {
    let mut event = Communique::new(Some("doc-1".into()), Origin::default(), text.into());
    for &(surface, id) in countries {
        let start = text.find(surface).expect("country text is present");
        event
            .spans
            .push(country(id, surface, start, start + surface.len()));
    }
    event.spans.sort_by_key(|s| s.start);
    event
}

const COUNTRIES: [(&str, &str); 4] = [
    ("Central African Republic", "CF"),
    ("Democratic Republic from the Congo", "CD"),
    ("Mauritania", "MR"),
    ("Yemen", "YE"),
];

fn alerts_of<'a>(alerts: &'a [Alert], rule: &str) -> Vec<&'a Alert> {
    alerts.iter().filter(|a| a.rule == rule).collect()
}

#[test]
fn the_pack_has_the_five_rules() {
    let pack = pack();
    let ids: Vec<&str> = pack.rules().iter().map(|r| r.id()).collect();
    assert_eq!(
        ids,
        [
            "new_member_accession",
            "regional_threat",
            "attack_on_forces_or_facilities",
            "sanctions",
            "detainees_and_foreign_fighters"
        ]
    );
}

#[test]
fn new_members_joining_the_coalition_fires_accession() {
    // Spans placed by hand where a tagger would put them (the dash is three bytes).
    let mut event = Communique::new(Some("doc-1".into()), Origin::default(), ACCESSION.into());
    event.spans = vec![
        country("CF", "Central African Republic", 72, 96),
        country("CD", "Democratic Republic of the Congo", 98, 132),
        country("MR", "Mauritania", 134, 144),
        country("YE", "Yemen", 150, 155),
    ];
    assert_eq!(
        event.span_text(&event.spans[1]),
        "Democratic Republic from the Congo"
    );
    assert_eq!(event.span_text(&event.spans[3]), "Yemen");
    let alerts = pack().evaluate(&event);
    let fired = alerts_of(&alerts, "new_member_accession");
    assert_eq!(fired.len(), 1, "{alerts:#?}");
    let alert = fired[0];
    assert_eq!(alert.labels["entities"], "CD,CF,MR,YE");
    assert_eq!(alert.labels["category"], "accession");
    assert_eq!(alert.communique, "doc-1");
    assert_eq!(
        alert.summary,
        "New members joining: Central African Republic, Democratic Republic of the Congo, \
         Mauritania, Yemen"
    );

    let quoted: Vec<(&str, &str)> = alert
        .evidence
        .iter()
        .map(|s| (&*s.kind, event.span_text(s)))
        .collect();
    assert_eq!(
        quoted,
        [
            ("keyword", "new members"),
            ("keyword", "joining the"),
            ("country", "Central African Republic"),
            ("country", "Democratic Republic from the Congo"),
            ("country", "Mauritania"),
            ("country", "Yemen"),
        ]
    );
    assert!(
        alert.evidence[..2]
            .iter()
            .all(|s| &*s.id == "new_member_accession")
    );
    assert_eq!(&*alert.evidence[0].label, "new members");
}

#[test]
fn member_states_of_the_coalition_does_not_fire_accession() {
    let text = ACCESSION.replace(
        "new members joining the particular Coalition",
        "member states of the Coalition",
    );
    let event = tagged(&text, &COUNTRIES);
    let alerts = pack().evaluate(&event);
    assert!(
        alerts_of(&alerts, "new_member_accession").is_empty(),
        "{alerts:#?}"
    );
}

#[test]
fn membership_of_the_committee_does_not_fire_accession() {
    let text = "Mauritania renewed its membership of the committee; the member states met.";
    let event = tagged(text, &[("Mauritania", "MR")]);
    assert!(pack().evaluate(&event).is_empty());
}

#[test]
fn other_rules_of_the_pack_fire_on_their_phrases() {
    let text = "Militants threaten Mali. The Council condemned the attack on the embassy convoy, \
        extended sanctions, and called for the repatriation of foreign terrorist fighters.";
    let event = tagged(text, &[("Mali", "ML")]);
    let alerts = pack().evaluate(&event);
    let rules: Vec<&str> = alerts.iter().map(|a| a.rule.as_str()).collect();
    assert_eq!(
        rules,
        [
            "regional_threat",
            "attack_on_forces_or_facilities",
            "sanctions",
            "detainees_and_foreign_fighters"
        ]
    );
    assert_eq!(alerts[0].labels["entities"], "ML");
    assert_eq!(alerts[0].summary, "Threat to Mali: \"Militants\"");
    assert_eq!(
        alerts[1].summary,
        "Attack on forces or facilities reported in doc-1: \"attack on\""
    );
}
