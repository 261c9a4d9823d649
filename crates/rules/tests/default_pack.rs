//! The default rule pack (`examples/rules/default.toml`) and its test cases
//! (`examples/rules/default.tests.toml`): every case passes, and every rule has at least two cases
//! that expect it and one that forbids it.

use commwatch_rules::{RuleSet, run_tests};

const PACK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/rules/default.toml"
);
const TESTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/rules/default.tests.toml"
);

fn pack() -> RuleSet {
    RuleSet::load(PACK).unwrap_or_else(|e| panic!("the default pack loads: {e}"))
}

fn tests() -> String {
    std::fs::read_to_string(TESTS).expect("the test file is readable")
}

#[test]
fn the_pack_has_its_rules() {
    let pack = pack();
    let ids: Vec<&str> = pack.rules().iter().map(|r| r.id()).collect();
    assert_eq!(
        ids,
        [
            "attack_on_forces_or_facilities",
            "sanctions",
            "detainees_and_foreign_fighters",
            "accession_mentioned",
            "threat_mentioned",
            "terrorist_designation",
            "ceasefire_or_peace_agreement",
            "un_security_council_resolution",
        ]
    );
    // The plugins own the precise alerts; the pack's cues have other ids and are info only.
    for id in ["accession_mentioned", "threat_mentioned"] {
        assert_eq!(
            pack.rule(id).unwrap().severity(),
            commwatch_core::Severity::Info
        );
    }
    assert!(pack.rule("new_member_accession").is_none());
    assert!(pack.rule("regional_threat").is_none());
}

#[test]
fn every_case_passes() {
    let report =
        run_tests(&pack(), &tests(), "default.tests.toml").unwrap_or_else(|e| panic!("{e}"));
    assert!(report.passed(), "\n{report}");
    assert!(report.untested.is_empty(), "\n{report}");
}

#[test]
fn every_rule_has_two_expect_and_one_forbid_cases() {
    let cases: toml::Table = toml::from_str(&tests()).unwrap();
    let cases = cases["case"].as_array().unwrap();
    let count = |field: &str, id: &str| {
        cases
            .iter()
            .filter(|c| {
                c.get(field)
                    .and_then(|v| v.as_array())
                    .is_some_and(|ids| ids.iter().any(|v| v.as_str() == Some(id)))
            })
            .count()
    };
    for rule in pack().rules() {
        let id = rule.id();
        assert!(count("expect", id) >= 2, "{id} needs two expect cases");
        assert!(count("forbid", id) >= 1, "{id} needs a forbid case");
    }
}

#[test]
fn the_pack_fires_on_the_communiques() {
    // Without entity spans, only the text rules can fire; each of these must, somewhere.
    let pack = pack();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/communiques");
    let mut fired = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            let text = std::fs::read_to_string(&path).unwrap();
            let event = commwatch_core::Communique::new(None, Default::default(), text);
            fired.extend(pack.evaluate(&event).into_iter().map(|a| a.rule));
        }
    }
    for id in [
        "attack_on_forces_or_facilities",
        "sanctions",
        "detainees_and_foreign_fighters",
        "terrorist_designation",
        "ceasefire_or_peace_agreement",
    ] {
        assert!(fired.contains(id), "{id} fired on no communiqué: {fired:?}");
    }
}
