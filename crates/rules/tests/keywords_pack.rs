//! The default rule pack (`examples/rules/keywords.toml`) on hand-tagged communiqués.

use commwatch_core::{Communique, Origin, Span};
use commwatch_rules::RuleSet;

const PACK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/rules/keywords.toml"
);

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

#[test]
fn the_pack_has_the_three_rules() {
    let pack = pack();
    let ids: Vec<&str> = pack.rules().iter().map(|r| r.id()).collect();
    assert_eq!(
        ids,
        [
            "attack_on_forces_or_facilities",
            "sanctions",
            "detainees_and_foreign_fighters"
        ]
    );
}

#[test]
fn the_accession_sentence_raises_no_keyword_alert() {
    // Accessions belong to the `accession` plugin; the keyword pack stays quiet on them.
    let text = "The Ministers welcomed new members joining the particular Coalition – Mauritania.";
    assert!(pack().evaluate(&tagged(text, &[("Mauritania", "MR")])).is_empty());
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
            "attack_on_forces_or_facilities",
            "sanctions",
            "detainees_and_foreign_fighters"
        ]
    );
    assert_eq!(
        alerts[0].summary,
        "Attack on forces or facilities reported in doc-1: \"attack on\""
    );
}
