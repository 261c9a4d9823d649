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

use std::ops::Range;

use commwatch_plugin_sdk::{
    Event, NewAlert, NewSpan, Outcome, Output, Severity, SpanView, Stage, export_stage,
};
use regex::Regex;
use regex_automata::{Input, meta};

use plugin_text_support::{Shadow, Spans, StandIns};

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
    /// The patterns, for texts.
    text: Patterns<Regex, Regex>,
    /// The same patterns for lowercase ASCII stand-ins (see [`Shadow`]): the same matches, found
    /// fast. The cue runs without a prefilter (its literals, digits among them, make a slow
    /// one) on sentences that have a cue word.
    stand_in: Patterns<regex::bytes::Regex, meta::Regex>,
    /// Makes the stand-ins of the sentences searched.
    shadow: Shadow,
    /// Reused from call to call: the sentences searched (those naming a country), their
    /// stand-ins, and where a cue word first starts in each stand-in.
    searched: Vec<Range<usize>>,
    stand_ins: StandIns,
    first_words: Vec<Option<usize>>,
}

/// How a sentence is searched.
#[derive(Clone, Copy, Debug)]
enum Haystack<'s> {
    /// On its stand-in, where a cue word first starts (none: it has no cue).
    StandIn(&'s [u8], Option<usize>),
    /// On its text, which has no stand-in.
    Text,
}

impl<'s> Haystack<'s> {
    /// The stand-in, if the sentence is searched on it.
    fn stand_in(self) -> Option<&'s [u8]> {
        match self {
            Haystack::StandIn(stand_in, _) => Some(stand_in),
            Haystack::Text => None,
        }
    }
}

/// The stage's patterns, compiled for one kind of haystack.
#[derive(Debug)]
struct Patterns<R, C> {
    /// A word every cue contains (with the same case folding): sentences without one are
    /// skipped without running `cue`.
    cue_words: R,
    cue: C,
    /// Words just before a cue that make it pending or hypothetical.
    hypothetical: R,
    /// "the Coalition", "the Alliance", … naming the organization of an earlier sentence.
    anaphor: R,
    /// "welcome…", after the country welcoming.
    welcomer: R,
}

/// Words of which every match of the cue pattern contains one, matched with the same case
/// folding: "new", "member", "ally"/"allies", "accession", "admission", "join…",
/// "became"/"becom…".
const CUE_WORDS: &str = r"new|member|ally|allies|accession|admission|join|became|becom";

/// The accession cue, without flags: compiled case-insensitively (`(?ix)`) for texts, and in
/// lowercase ASCII (`(?x-u)`, `[a-z]` for `[A-Z]`) for their stand-ins.
const CUE: &str = r"\b(?:
      new(?:est)?\s+(?:[A-Z][\w-]*\s+)?(?:members?|allies|ally)\b
    | \d+(?:st|nd|rd|th)\s+(?:member|ally)\b
    | (?:first|second|third|thirtieth|thirty-first|thirty-second)\s+(?:new\s+)?(?:member|ally)\b
    | accession\s+(?:of|to)\b | accession\s+protocols?\b | instruments?\s+of\s+accession\b
    | admission\s+of\b
    | (?:joined|joins|joining)\b
    | (?:became|becomes|becoming)\s+(?:a|an|the)\s+(?:full\s+|new\s+|\w+\s+)?(?:member|party|ally|participant)\b
  )";

/// A word that makes a cue right after it pending or hypothetical, without flags like [`CUE`].
const HYPOTHETICAL: &str = r"\b(?:to|will|would|could|should|may|might|can|shall|future|eventual|eventually|aspire\w*|application\w*|appl(?:y|ied|ies)|bid|support\w*|invite\w*|invitation|forward|path|process|toward|towards|intend\w*|hope\w*|seek\w*|want\w*|not|never)\W*$";

/// "the Coalition" and the like, without flags like [`CUE`]; the kind of organization is
/// captured.
const ANAPHOR: &str = r"\bthe\s+(?:\w+\s+)?(coalition|alliance|union|organi[sz]ation|bloc|initiative|partnership|forum|group)\b";

/// "welcome…", without flags like [`CUE`].
const WELCOMER: &str = r"\bwelcom\w*\b";

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

/// True when the cue at `cue` in `text` is one by what follows it: not "new member states".
fn is_cue_by_what_follows(text: &str, cue: &Range<usize>) -> bool {
    let after = text[cue.end..].trim_start().as_bytes();
    !(after.len() >= 5 && after[..5].eq_ignore_ascii_case(b"state"))
}

/// Where the few words before the cue at `cue` in `text` are looked at: its last 41 characters
/// (offsets into `text`).
fn window_before(text: &str, cue: &Range<usize>) -> Range<usize> {
    let before = &text[..cue.start];
    let start = before.char_indices().rev().nth(40).map_or(0, |(i, _)| i);
    start..cue.start
}

/// Where a search for cues in a stand-in may start, given where its first cue word starts: no
/// cue starts earlier. A cue starts with a cue word, or with at most two words before the one
/// holding its cue word ("thirty-second new member", "instruments of accession", "31st ally"),
/// in which no cue word starts; so it starts at or after the start of the second word before
/// the one holding the first cue word (the third, for a margin).
fn search_start(stand_in: &[u8], first_word: usize) -> usize {
    // Back over what is (or is not) whitespace, as `\s` has it in the stand-in.
    let back_over = |at: usize, space: bool| {
        let run = stand_in[..at]
            .iter()
            .rev()
            .take_while(|&&b| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') == space)
            .count();
        at - run
    };
    let mut at = back_over(first_word, false);
    for _ in 0..3 {
        at = back_over(back_over(at, true), false);
    }
    at
}

impl Accession {
    /// The first cue of a sentence (offsets into `text`), searched on its stand-in when it has
    /// one: a match of the cue pattern that is not "new member states" nor right after a word
    /// that makes it hypothetical.
    fn find_cue(&self, text: &str, haystack: Haystack<'_>) -> Option<Range<usize>> {
        let Haystack::StandIn(stand_in, first_word) = haystack else {
            let text_patterns = &self.text;
            if !text_patterns.cue_words.is_match(text) {
                return None;
            }
            return text_patterns
                .cue
                .find_iter(text)
                .map(|m| m.range())
                .find(|cue| {
                    is_cue_by_what_follows(text, cue)
                        && !text[window_before(text, cue)]
                            .split_whitespace()
                            .rev()
                            .take(3)
                            .any(|w| text_patterns.hypothetical.is_match(w))
                });
        };
        let patterns = &self.stand_in;
        let start = search_start(stand_in, first_word?);
        patterns
            .cue
            .find_iter(Input::new(stand_in).range(start..))
            .map(|m| m.range())
            .find(|cue| {
                is_cue_by_what_follows(text, cue)
                    && !plugin_text_support::words(&stand_in[window_before(text, cue)])
                        .rev()
                        .take(3)
                        .any(|w| patterns.hypothetical.is_match(w))
            })
    }

    /// The kind of organization a sentence refers to as "the Coalition", "the Alliance", …,
    /// lowercase.
    fn anaphor(&self, text: &str, stand_in: Option<&[u8]>) -> Option<String> {
        let head = match stand_in {
            Some(stand_in) => {
                let head = self.stand_in.anaphor.captures(stand_in)?.get(1)?;
                String::from_utf8_lossy(head.as_bytes()).into_owned()
            }
            None => self
                .text
                .anaphor
                .captures(text)?
                .get(1)?
                .as_str()
                .to_string(),
        };
        Some(head.to_ascii_lowercase())
    }

    /// Where a sentence says "welcome…" (offset into `text`).
    fn welcome_at(&self, text: &str, stand_in: Option<&[u8]>) -> Option<usize> {
        match stand_in {
            Some(stand_in) => self.stand_in.welcomer.find(stand_in).map(|m| m.start()),
            None => self.text.welcomer.find(text).map(|m| m.start()),
        }
    }
}

impl Stage for Accession {
    const NAME: &'static str = "accession";
    const VERSION: &'static str = "0.1.0";
    const CONFIG_SCHEMA: &'static str = r#"{"type":"object","properties":{"severity":{"enum":["info","low","medium","high","critical"]},"regions":{"type":"array"}},"additionalProperties":false}"#;
    const CAPABILITIES: u64 = commwatch_plugin_sdk::abi::CAP_EMITS_ALERTS;

    fn new(config: &str) -> Result<Self, String> {
        let config: Config = commwatch_plugin_sdk::parse_config(config)?;
        let text = |p: &str| Regex::new(&format!("(?i){p}")).map_err(|e| e.to_string());
        let stand_in =
            |p: &str| regex::bytes::Regex::new(&format!("(?-u){p}")).map_err(|e| e.to_string());
        Ok(Accession {
            severity: severity(config.severity.as_deref())?,
            text: Patterns {
                cue_words: text(CUE_WORDS)?,
                cue: text(&format!("(?x){CUE}"))?,
                hypothetical: text(HYPOTHETICAL)?,
                anaphor: text(ANAPHOR)?,
                welcomer: text(WELCOMER)?,
            },
            stand_in: Patterns {
                cue_words: stand_in(CUE_WORDS)?,
                cue: meta::Regex::builder()
                    .configure(meta::Regex::config().auto_prefilter(false))
                    .build(&format!("(?x-u){}", CUE.replace("[A-Z]", "[a-z]")))
                    .map_err(|e| e.to_string())?,
                hypothetical: stand_in(HYPOTHETICAL)?,
                anaphor: stand_in(ANAPHOR)?,
                welcomer: stand_in(WELCOMER)?,
            },
            shadow: Shadow::new(),
            searched: Vec::new(),
            stand_ins: StandIns::default(),
            first_words: Vec::new(),
        })
    }

    fn process(&mut self, event: &Event<'_>, out: &mut Output<'_>) -> Result<Outcome, String> {
        let raw = event.raw();
        let spans = event.spans();
        let mut countries = Vec::with_capacity(spans.size_hint().0);
        let mut organizations = Vec::with_capacity(spans.size_hint().0);
        for span in spans {
            match span.kind {
                "country" => countries.push(span),
                "organization" => organizations.push(span),
                _ => {}
            }
        }
        // Every alert names a country of its sentence and an organization of the document.
        if countries.is_empty() || organizations.is_empty() {
            return Ok(Outcome::Keep);
        }
        let countries = Spans::new(countries);
        let organizations = Spans::new(organizations);
        // The sentences naming a country, with their stand-ins made and searched for cue words
        // all at once.
        let mut searched = std::mem::take(&mut self.searched);
        searched.clear();
        searched.extend(
            event
                .sentence_ranges()
                .into_iter()
                .filter(|sentence| countries.within(sentence).next().is_some()),
        );
        self.stand_ins.clear();
        for sentence in &searched {
            self.stand_ins.push(&raw[sentence.clone()]);
        }
        self.shadow.make(&mut self.stand_ins);
        self.stand_ins
            .first_matches(&self.stand_in.cue_words, &mut self.first_words);
        let mut seen: Vec<(String, String)> = Vec::new();
        for (i, sentence) in searched.iter().enumerate() {
            let in_sentence = |s: &SpanView<'_>| s.start >= sentence.start && s.end <= sentence.end;
            let text = &raw[sentence.clone()];
            let haystack = match self.stand_ins.get(i) {
                Some(stand_in) => Haystack::StandIn(stand_in, self.first_words[i]),
                None => Haystack::Text,
            };
            let stand_in = haystack.stand_in();
            let Some(cue) = self.find_cue(text, haystack) else {
                continue;
            };
            let cue_start = sentence.start + cue.start;
            let cue_end = sentence.start + cue.end;
            // The organization: named in the sentence, or "the Coalition" resolved backwards.
            let organizations = organizations.as_slice();
            let org = organizations
                .iter()
                .find(|o| in_sentence(o))
                .copied()
                .or_else(|| {
                    let head = self.anaphor(text, stand_in)?;
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
            let welcome_at = self
                .welcome_at(text, stand_in)
                .map(|at| sentence.start + at);
            for country in countries.within(sentence) {
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
        self.searched = searched;
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

    /// The stand-in of `text`, which must have one.
    fn stand_in_of(shadow: &mut Shadow, text: &str) -> Vec<u8> {
        let mut stand_ins = StandIns::default();
        stand_ins.push(text);
        shadow.make(&mut stand_ins);
        stand_ins.get(0).expect("a stand-in").to_vec()
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
    fn the_patterns_match_the_same_on_the_ascii_stand_in() {
        let stage = stage();
        let (text_patterns, twins) = (&stage.text, &stage.stand_in);
        let mut shadow = Shadow::new();
        for text in [
            "The Ministers welcomed new\u{a0}members joining the Coalition – Mali.",
            "NEW MEMBERS: Côte d’Ivoire joined; Finland became a full\u{2003}member of NATO.",
            "welcomed Finland as the ٣١st Ally, “newest Ally” of the Alliance…",
            "the accession\u{202f}of Sweden, the admission of Montenegro, instruments of accession",
            "Ελλάδα joinedé joined—joined_ new Ωmega members, new Éire ally, thirty-first member",
            "Became THE Full Party, BECOMING an observer participant, 32ND ALLY, New Zealand-Born Allies",
            "the Thirty-Second new Member; accession PROTOCOLS; Instrument  of\taccession; joins",
            "THE Global ORGANISATION, the\u{a0}Union, the Ünion, the organization; WELCOMES, Welcomé; joined",
        ] {
            let stand_in = stand_in_of(&mut shadow, text);
            let on_text: Vec<_> = text_patterns
                .cue
                .find_iter(text)
                .map(|m| m.range())
                .collect();
            let on_stand_in: Vec<_> = twins.cue.find_iter(&stand_in).map(|m| m.range()).collect();
            assert!(!on_text.is_empty(), "{text}");
            assert_eq!(on_text, on_stand_in, "{text}");
            assert!(text_patterns.cue_words.is_match(text));
            assert!(twins.cue_words.is_match(&stand_in));
            for (pattern, twin) in [
                (&text_patterns.anaphor, &twins.anaphor),
                (&text_patterns.welcomer, &twins.welcomer),
            ] {
                let on_text: Vec<_> = pattern
                    .captures_iter(text)
                    .map(|c| c.iter().map(|g| g.map(|g| g.range())).collect::<Vec<_>>())
                    .collect();
                let on_stand_in: Vec<_> = twin
                    .captures_iter(&stand_in)
                    .map(|c| c.iter().map(|g| g.map(|g| g.range())).collect::<Vec<_>>())
                    .collect();
                assert_eq!(on_text, on_stand_in, "{text}");
            }
            let words: Vec<_> = text.split_whitespace().collect();
            let stand_in_words: Vec<_> = plugin_text_support::words(&stand_in).collect();
            assert_eq!(words.len(), stand_in_words.len(), "{text}");
            for (word, stand_in_word) in words.iter().zip(stand_in_words) {
                assert_eq!(
                    text_patterns.hypothetical.is_match(word),
                    twins.hypothetical.is_match(stand_in_word),
                    "{word}"
                );
            }
        }
        // Words that make a cue hypothetical, with and without punctuation.
        for word in [
            "To",
            "WILL",
            "Applied:",
            "supportS…",
            "towards,",
            "Hopeful”",
            "not—",
            "Not_",
        ] {
            let stand_in = stand_in_of(&mut shadow, word);
            assert_eq!(
                text_patterns.hypothetical.is_match(word),
                twins.hypothetical.is_match(&stand_in),
                "{word}"
            );
        }
    }

    /// Searching from `search_start` finds the cues a search from the start finds.
    #[test]
    fn no_cue_starts_before_the_search_start() {
        let stage = stage();
        let mut shadow = Shadow::new();
        for text in [
            "The Ministers, meeting in Rome, welcomed Finland as the 31st Ally and its new members.",
            "a b c d e the thirty-second new member; 2024 the 3rd  ally, instruments\tof  accession",
            "x, y; First  New\u{a0}Member. Instrument of Accession. 12th member. joined",
            "It recalled that 7 years ago the second member became a full party, and renewed ties.",
            "thirty-first\nally 32nd\u{2003}Ally became an observer participant new Euro-Atlantic allies",
            "joined",
            "  new members",
        ] {
            let stand_in = stand_in_of(&mut shadow, text);
            let all: Vec<_> = stage
                .stand_in
                .cue
                .find_iter(&stand_in)
                .map(|m| m.range())
                .collect();
            let first_word = stage
                .stand_in
                .cue_words
                .find(&stand_in)
                .expect("a cue word")
                .start();
            let start = search_start(&stand_in, first_word);
            assert!(start <= first_word, "{text}");
            let from_start: Vec<_> = stage
                .stand_in
                .cue
                .find_iter(Input::new(&stand_in).range(start..))
                .map(|m| m.range())
                .collect();
            assert!(!all.is_empty(), "{text}");
            assert_eq!(all, from_start, "{text}");
        }
    }

    #[test]
    fn a_kelvin_sign_takes_the_slow_path_with_the_same_result() {
        // "K" here is KELVIN SIGN, which case-folds to "k": no stand-in, the text is searched.
        let raw = "Sweden joined NATO at the summit in \u{212A}yiv.";
        let spans = [
            ("Sweden", "country", "SE"),
            ("NATO", "organization", "nato"),
        ];
        let out = run(&mut stage(), &event(raw, &spans)).unwrap();
        assert_eq!(alerts(&out), [("nato".to_string(), "SE".to_string())]);
        assert_eq!(out.alerts[0].evidence[1].label, "joined");
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
