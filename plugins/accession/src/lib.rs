//! `accession`: flags **new member accessions** — a country joining a coalition, alliance or
//! organization.
//!
//! It reads what the tagging stage found (countries, organizations, sentences) and looks, sentence
//! by sentence, for an accession cue:
//!
//! - "new member(s)", "newest member/Ally", "new Allies" ("welcomed new members joining the
//!   Coalition – Central African Republic, …"; "our newest NATO Ally");
//! - an ordinal member or Ally ("welcomed Finland as the 31st Ally", "became the 30th member");
//! - "accession of/to", "accession protocols", "admission of";
//! - "joined/joins/joining" or "became a member/party of".
//!
//! A cue only counts when it is not hypothetical or pending: "to join", "will join", "applied to
//! join", "supports the accession of", "look forward to welcoming" are skipped, and "member
//! states", "membership of the committee", or a country merely named near "member" contain no
//! cue at all. The countries are the `country` spans in the cue's sentence, apart from a country
//! that is itself the one welcoming (a sentence's subject before "welcome…"). The organization is
//! an `organization` span in the sentence or, when the sentence says "the Coalition" / "the
//! Alliance" / "the Union", the organization of that kind the document named last before it (or
//! named most).
//!
//! One alert per (organization, country), rule `new_member_accession`, labels `organization`
//! (its canonical id), `organization_name` and `country` (ISO 3166-1 alpha-2), with the cue, the
//! country and the organization as evidence.

use commwatch_plugin_sdk::{
    Event, NewAlert, NewSpan, Outcome, Output, Severity, SpanView, Stage, export_stage,
};
use regex::Regex;

use plugin_text_support::Shadow;

/// Configuration (`config` table of the stage).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// Alert severity: info, low, medium, high (default), critical.
    #[serde(default)]
    severity: Option<String>,
    /// Regions passed by the host (`regions_from`); accepted and not needed by this plugin.
    #[serde(default, rename = "regions")]
    _regions: Option<serde::de::IgnoredAny>,
}

/// The stage.
#[derive(Debug)]
pub struct Accession {
    severity: Severity,
    /// A word every cue contains (with the same case folding): sentences without one are skipped
    /// without running `cue`, whose Unicode word boundaries make it slow on non-ASCII text.
    cue_words: Regex,
    cue: Regex,
    hypothetical: Regex,
    anaphor: Regex,
    welcomer: Regex,
    /// ASCII stand-ins of texts, on which `cue` matches where it does on the text, fast.
    shadow: Shadow,
}

/// Words of which every match of the cue pattern contains one, matched with the same Unicode
/// case folding: "new", "member", "ally"/"allies", "accession", "admission", "join…",
/// "became"/"becom…".
const CUE_WORDS: &str = r"(?i)new|member|ally|allies|accession|admission|join|became|becom";

/// Parses a severity name.
fn severity(name: Option<&str>) -> Result<Severity, String> {
    Ok(match name.unwrap_or("high") {
        "info" => Severity::Info,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "critical" => Severity::Critical,
        other => {
            return Err(format!(
                "config.severity: unknown severity {other:?}; expected info, low, medium, high or critical"
            ));
        }
    })
}

impl Stage for Accession {
    const NAME: &'static str = "accession";
    const VERSION: &'static str = "0.1.0";
    const CONFIG_SCHEMA: &'static str = r#"{"type":"object","properties":{"severity":{"enum":["info","low","medium","high","critical"]},"regions":{"type":"array"}},"additionalProperties":false}"#;
    const CAPABILITIES: u64 = commwatch_plugin_sdk::abi::CAP_EMITS_ALERTS;

    fn new(config: &str) -> Result<Self, String> {
        let config: Config = commwatch_plugin_sdk::parse_config(config)?;
        let compile = |p: &str| Regex::new(p).map_err(|e| e.to_string());
        Ok(Accession {
            severity: severity(config.severity.as_deref())?,
            cue_words: compile(CUE_WORDS)?,
            cue: compile(
                r"(?ix)\b(?:
                    new(?:est)?\s+(?:[A-Z][\w-]*\s+)?(?:members?|allies|ally)\b
                  | \d+(?:st|nd|rd|th)\s+(?:member|ally)\b
                  | (?:first|second|third|thirtieth|thirty-first|thirty-second)\s+(?:new\s+)?(?:member|ally)\b
                  | accession\s+(?:of|to)\b | accession\s+protocols?\b | instruments?\s+of\s+accession\b
                  | admission\s+of\b
                  | (?:joined|joins|joining)\b
                  | (?:became|becomes|becoming)\s+(?:a|an|the)\s+(?:full\s+|new\s+|\w+\s+)?(?:member|party|ally|participant)\b
                )",
            )?,
            // Words just before a cue that make it pending or hypothetical.
            hypothetical: compile(
                r"(?i)\b(?:to|will|would|could|should|may|might|can|shall|future|eventual|eventually|aspire\w*|application\w*|appl(?:y|ied|ies)|bid|support\w*|invite\w*|invitation|forward|path|process|toward|towards|intend\w*|hope\w*|seek\w*|want\w*|not|never)\W*$",
            )?,
            anaphor: compile(
                r"(?i)\bthe\s+(?:\w+\s+)?(coalition|alliance|union|organi[sz]ation|bloc|initiative|partnership|forum|group)\b",
            )?,
            welcomer: compile(r"(?i)\bwelcom\w*\b")?,
            shadow: Shadow::new(),
        })
    }

    fn process(&mut self, event: &Event<'_>, out: &mut Output<'_>) -> Result<Outcome, String> {
        let raw = event.raw();
        let countries: Vec<SpanView<'_>> = event.spans_of("country").collect();
        if countries.is_empty() {
            return Ok(Outcome::Keep);
        }
        let organizations: Vec<SpanView<'_>> = event.spans_of("organization").collect();
        // Every alert names a country of its sentence and an organization of the document.
        if organizations.is_empty() {
            return Ok(Outcome::Keep);
        }
        let mut seen: Vec<(String, String)> = Vec::new();
        // Made the first time a sentence needs it.
        let mut shadow = None;
        for sentence in event.sentence_ranges() {
            let in_sentence = |s: &SpanView<'_>| s.start >= sentence.start && s.end <= sentence.end;
            if !countries.iter().any(in_sentence) {
                continue;
            }
            let text = &raw[sentence.clone()];
            if !self.cue_words.is_match(text) {
                continue;
            }
            // The same matches as on `text`, found on its ASCII stand-in when there is one.
            let stand_in = shadow.get_or_insert_with(|| self.shadow.of(raw));
            let haystack = stand_in.as_ref().map_or(text, |s| &s[sentence.clone()]);
            let Some(cue) = self.cue.find_iter(haystack).find(|m| {
                // "new member states" is not an accession.
                let after = text[m.end()..].trim_start().as_bytes();
                if after.len() >= 5 && after[..5].eq_ignore_ascii_case(b"state") {
                    return false;
                }
                // Look at the few words before the cue.
                let before = &text[..m.start()];
                let window = before
                    .char_indices()
                    .rev()
                    .nth(40)
                    .map_or(before, |(i, _)| &before[i..]);
                let last_words: Vec<&str> = window.split_whitespace().rev().take(3).collect();
                !last_words.iter().any(|w| self.hypothetical.is_match(w))
            }) else {
                continue;
            };
            let cue_start = sentence.start + cue.start();
            let cue_end = sentence.start + cue.end();
            // The organization: named in the sentence, or "the Coalition" resolved backwards.
            let org = organizations
                .iter()
                .find(|o| in_sentence(o))
                .copied()
                .or_else(|| {
                    let head = self
                        .anaphor
                        .captures(text)?
                        .get(1)?
                        .as_str()
                        .to_ascii_lowercase();
                    let head = head.trim_end_matches("isation").trim_end_matches("ization");
                    let matches = |o: &&SpanView<'_>| o.label.to_ascii_lowercase().contains(head);
                    organizations
                        .iter()
                        .filter(|o| o.end <= sentence.start)
                        .rev()
                        .find(matches)
                        .or_else(|| organizations.iter().find(matches))
                        .copied()
                });
            let Some(org) = org else { continue };
            // A country before "welcome…" is the one welcoming, not the one joining.
            let welcome_at = self.welcomer.find(text).map(|m| sentence.start + m.start());
            for country in countries.iter().filter(|c| in_sentence(c)) {
                if welcome_at.is_some_and(|w| country.end <= w && w < cue_start) {
                    continue;
                }
                if country.start < org.end && org.start < country.end {
                    continue;
                }
                let key = (org.id.to_string(), country.id.to_string());
                if seen.contains(&key) {
                    continue;
                }
                seen.push(key);
                let summary = format!("{} joins {}", country.label, org.label);
                let mut evidence = vec![
                    NewSpan::new(
                        cue_start,
                        cue_end,
                        "keyword",
                        "accession",
                        &raw[cue_start..cue_end],
                    ),
                    NewSpan::from(*country),
                ];
                if in_sentence(&org) {
                    evidence.push(NewSpan::from(org));
                }
                evidence.sort_by_key(|s| s.start);
                out.alert(&NewAlert {
                    rule: "new_member_accession",
                    severity: self.severity,
                    summary: &summary,
                    labels: vec![
                        ("organization", org.id),
                        ("organization_name", org.label),
                        ("country", country.id),
                    ],
                    evidence,
                })
                .map_err(|e| e.to_string())?;
            }
        }
        Ok(Outcome::Keep)
    }
}

export_stage!(Accession);

#[cfg(test)]
mod tests {
    use super::*;
    use commwatch_plugin_sdk::testing::{Emitted, TestEvent, TestSpan, run};

    fn event(raw: &str, spans: &[(&str, &str, &str)]) -> TestEvent {
        let mut spans: Vec<TestSpan> = spans
            .iter()
            .map(|(text, kind, id)| TestSpan::find(raw, text, kind, id))
            .collect();
        spans.sort_by_key(|s| s.start);
        TestEvent {
            raw: raw.into(),
            spans,
            ..TestEvent::default()
        }
    }

    fn alerts(emitted: &Emitted) -> Vec<(String, String)> {
        emitted
            .alerts
            .iter()
            .map(|a| {
                (
                    a.label("organization").unwrap().to_string(),
                    a.label("country").unwrap().to_string(),
                )
            })
            .collect()
    }

    fn stage() -> Accession {
        Accession::new("{}").unwrap()
    }

    #[test]
    fn new_members_joining_the_coalition_resolves_the_coalition_backwards() {
        let raw = "The Global Coalition to Defeat Daesh/ISIS met in Rome. The Ministers welcomed new members \
                   joining the particular Coalition – Central African Republic, Democratic Republic from the Congo, \
                   Mauritania, and Yemen.";
        let ev = event(
            raw,
            &[
                (
                    "Global Coalition to Defeat Daesh/ISIS",
                    "organization",
                    "global-coalition",
                ),
                ("Central African Republic", "country", "CF"),
                ("Democratic Republic from the Congo", "country", "CD"),
                ("Mauritania", "country", "MR"),
                ("Yemen", "country", "YE"),
            ],
        );
        let out = run(&mut stage(), &ev).unwrap();
        let want: Vec<(String, String)> = ["CF", "CD", "MR", "YE"]
            .iter()
            .map(|c| ("global-coalition".to_string(), c.to_string()))
            .collect();
        assert_eq!(alerts(&out), want);
        let a = &out.alerts[0];
        assert_eq!(a.rule, "new_member_accession");
        assert_eq!(
            a.summary,
            "Central African Republic joins Global Coalition to Defeat Daesh/ISIS"
        );
        assert_eq!(a.evidence[0].label, "new members");
    }

    #[test]
    fn ordinal_allies_and_newest_ally() {
        let raw = "NATO welcomed Finland as the 31st Ally today.";
        let out = run(
            &mut stage(),
            &event(
                raw,
                &[
                    ("NATO", "organization", "nato"),
                    ("Finland", "country", "FI"),
                ],
            ),
        )
        .unwrap();
        assert_eq!(alerts(&out), [("nato".to_string(), "FI".to_string())]);
        let raw = "President Biden congratulated Finland on becoming our newest NATO Ally.";
        let out = run(
            &mut stage(),
            &event(
                raw,
                &[
                    ("NATO", "organization", "nato"),
                    ("Finland", "country", "FI"),
                ],
            ),
        )
        .unwrap();
        assert_eq!(alerts(&out), [("nato".to_string(), "FI".to_string())]);
    }

    #[test]
    fn the_welcoming_country_is_not_the_joining_one() {
        let raw = "The United States welcomes Sweden as the 32nd member of NATO.";
        let spans = [
            ("United States", "country", "US"),
            ("Sweden", "country", "SE"),
            ("NATO", "organization", "nato"),
        ];
        let out = run(&mut stage(), &event(raw, &spans)).unwrap();
        assert_eq!(alerts(&out), [("nato".to_string(), "SE".to_string())]);
    }

    #[test]
    fn member_states_membership_and_pending_accessions_do_not_fire() {
        for raw in [
            "The member states of the EU, including France, met in Brussels.",
            "France holds the membership of the committee of the EU.",
            "Germany, a member of the EU, spoke first.",
            "The Allies invited Finland and Sweden to join NATO.",
            "We support the accession of Ukraine to the EU.",
            "Sweden applied to join NATO in May.",
            "Finland will join NATO soon.",
        ] {
            let mut spans = vec![];
            for (name, id) in [
                ("France", "FR"),
                ("Germany", "DE"),
                ("Finland", "FI"),
                ("Sweden", "SE"),
                ("Ukraine", "UA"),
            ] {
                if raw.contains(name) {
                    spans.push((name, "country", id));
                }
            }
            for (name, id) in [("EU", "eu"), ("NATO", "nato")] {
                if raw.contains(name) {
                    spans.push((name, "organization", id));
                }
            }
            let out = run(&mut stage(), &event(raw, &spans)).unwrap();
            assert!(out.alerts.is_empty(), "{raw}: {:?}", out.alerts);
        }
    }

    #[test]
    fn one_alert_per_organization_and_country() {
        let raw = "Finland joined NATO. Finland's joining NATO was celebrated as Finland became a member.";
        let out = run(
            &mut stage(),
            &event(
                raw,
                &[
                    ("Finland", "country", "FI"),
                    ("NATO", "organization", "nato"),
                ],
            ),
        )
        .unwrap();
        assert_eq!(out.alerts.len(), 1);
    }

    #[test]
    fn the_cue_matches_the_same_on_the_ascii_stand_in() {
        let stage = stage();
        let mut shadow = Shadow::new();
        for text in [
            "The Ministers welcomed new\u{a0}members joining the Coalition – Mali.",
            "NEW MEMBERS: Côte d’Ivoire joined; Finland became a full\u{2003}member of NATO.",
            "welcomed Finland as the ٣١st Ally, “newest Ally” of the Alliance…",
            "the accession\u{202f}of Sweden, the admission of Montenegro, instruments of accession",
            "Ελλάδα joinedé joined—joined_ new Ωmega members, new Éire ally, thirty-first member",
        ] {
            let on_text: Vec<_> = stage.cue.find_iter(text).map(|m| m.range()).collect();
            let stand_in = shadow.of(text).expect("a stand-in");
            let on_shadow: Vec<_> = stage.cue.find_iter(&stand_in).map(|m| m.range()).collect();
            assert!(!on_text.is_empty(), "{text}");
            assert_eq!(on_text, on_shadow, "{text}");
        }
    }

    #[test]
    fn rejects_a_bad_severity() {
        assert!(
            Accession::new(r#"{"severity":"urgent"}"#)
                .unwrap_err()
                .contains("config.severity")
        );
        assert!(
            Accession::new(r#"{"sevrity":"high"}"#)
                .unwrap_err()
                .contains("sevrity")
        );
    }
}
