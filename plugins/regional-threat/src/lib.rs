//! `regional-threat`: flags **regional threats** — an armed or terrorist group, or a threat,
//! reported in a region or country.
//!
//! It reads what the tagging stage found (groups, regions, countries, sentences). A sentence
//! counts when it carries a threat cue ("threaten", "threat", "attack", "insurgency",
//! "militants", "armed groups", "bombing", "kidnapping", …), or names an armed or terrorist group
//! together with a softer cue ("violence", "insecurity", "terrorism", "extremism"); a group or a
//! cue alone, without a place, does not.
//!
//! Places become alerts by region. Regions come from the gazetteer's region data (id, label,
//! member countries), passed to the plugin by the host (`regions_from = "<tag stage>"`), so
//! analysts define them in one place:
//!
//! - a `region` span names its region ("the Sahel Region" → `sahel`); a country named right after
//!   it that belongs to it is attached ("Eastern Africa/Mozambique" → `east-africa`, `MZ`);
//! - a `country` span is reported under the smallest watched region it belongs to ("Mali" →
//!   `sahel`), or with no region when none contains it;
//! - a broad region named together with narrower ones that it (mostly) contains is dropped:
//!   "sub-Saharan Africa …, namely in the Sahel Region and in Eastern Africa" reports the Sahel
//!   and Eastern Africa.
//!
//! One alert per (region, country) per communiqué, rule `regional_threat`, labels `region`,
//! `country` where named and `group` where named, with the cue, the places and the group as
//! evidence.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use commwatch_plugin_sdk::{
    Event, NewAlert, NewSpan, Outcome, Output, Severity, SpanView, Stage, export_stage,
};
use regex::Regex;

use plugin_text_support::{Shadow, Spans, StandIns};

/// One region as the host passes it.
#[derive(Debug, serde::Deserialize)]
struct Region {
    id: String,
    label: String,
    #[serde(default)]
    members: Vec<String>,
    #[serde(default, rename = "names")]
    _names: Option<serde::de::IgnoredAny>,
}

/// Configuration (`config` table of the stage).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// Regions with their member countries (given by the host with `regions_from`).
    #[serde(default)]
    regions: Vec<Region>,
    /// Region ids to report under; default: all regions.
    #[serde(default)]
    watch: Option<Vec<String>>,
    /// Alert severity: info, low, medium, high (default), critical.
    #[serde(default)]
    severity: Option<String>,
}

/// The stage.
#[derive(Debug)]
pub struct RegionalThreat {
    regions: Vec<Region>,
    watch: Option<BTreeSet<String>>,
    /// The index of the first region with each id.
    by_id: HashMap<String, usize>,
    /// For each country that is a member of some region: [`RegionalThreat::smallest_region`].
    smallest: HashMap<String, Option<usize>>,
    severity: Severity,
    /// The cue patterns, for texts.
    text: Cues<Regex>,
    /// The same patterns for lowercase ASCII stand-ins (see [`Shadow`]): the same matches,
    /// found fast.
    stand_in: Cues<regex::bytes::Regex>,
    /// Makes the stand-ins of the sentences searched.
    shadow: Shadow,
    /// Reused from call to call: the stand-ins of the sentences searched (those naming a place),
    /// and where a strong and a soft cue word first start in each.
    stand_ins: StandIns,
    strong_first: Vec<Option<usize>>,
    soft_first: Vec<Option<usize>>,
}

/// The cue patterns, compiled for one kind of haystack.
#[derive(Debug)]
struct Cues<R> {
    strong: R,
    soft: R,
    /// Words of which every match of `strong` (`soft`) contains one, with the same case folding:
    /// a sentence without one is not searched with the pattern.
    strong_words: R,
    soft_words: R,
}

/// Words of which every match of [`STRONG`] contains one, without flags like it.
const STRONG_WORDS: &str =
    "threat|attack|insurgen|militant|armed|jihadist|bomb|kidnapp|abduct|massacre|offensive";

/// Words of which every match of [`SOFT`] contains one, without flags like it.
const SOFT_WORDS: &str =
    "terror|extremis|violen|insecurity|instability|destabili|affiliate|network";

/// The strong threat cues, without flags: compiled case-insensitively (`(?i)`) for texts, and
/// as they are, in lowercase ASCII (`(?-u)`), for their stand-ins.
const STRONG: &str = r"\b(?:threat(?:s|en|ens|ened|ening)?|attack(?:s|ed|ing)?|insurgen(?:cy|ts?)|militants?|armed\s+groups?|jihadists?|bomb(?:ing|ings|ed)|kidnapp\w*|abduct\w*|massacre\w*|offensive)\b";

/// The soft threat cues (counted with a group only), like [`STRONG`].
const SOFT: &str = r"\b(?:terror\w*|extremis\w*|violen\w*|insecurity|instability|destabili[sz]\w*|affiliates?|networks?)\b";

/// One alert in the making.
struct Finding<'a> {
    region: Option<&'a Region>,
    country: Option<SpanView<'a>>,
    region_span: Option<SpanView<'a>>,
    group: Option<SpanView<'a>>,
    cue: (usize, usize),
}

impl RegionalThreat {
    fn region(&self, id: &str) -> Option<&Region> {
        self.by_id.get(id).map(|&i| &self.regions[i])
    }

    fn watched(&self, id: &str) -> bool {
        self.watch.as_ref().is_none_or(|w| w.contains(id))
    }

    /// The smallest watched region that has `country` as a member.
    fn region_of(&self, country: &str) -> Option<&Region> {
        let index = self.smallest.get(country).copied().flatten()?;
        Some(&self.regions[index])
    }

    /// The index of the smallest watched region that has `country` as a member (the first of
    /// equally small ones), computed once per country by [`RegionalThreat::new`].
    fn smallest_region(&self, country: &str) -> Option<usize> {
        self.regions
            .iter()
            .enumerate()
            .filter(|(_, r)| self.watched(&r.id) && r.members.iter().any(|m| m == country))
            .min_by_key(|(_, r)| r.members.len())
            .map(|(i, _)| i)
    }

    #[cfg(test)]
    fn region_of_uncached(&self, country: &str) -> Option<&Region> {
        self.regions
            .iter()
            .filter(|r| self.watched(&r.id) && r.members.iter().any(|m| m == country))
            .min_by_key(|r| r.members.len())
    }

    /// The first cue of the `i`th sentence searched (offsets into its `text`), found on its
    /// stand-in when it has one: a strong one, else a soft one when the sentence names a group.
    fn find_cue(&self, i: usize, text: &str, group: bool) -> Option<Range<usize>> {
        if let Some(stand_in) = self.stand_ins.get(i) {
            let cues = &self.stand_in;
            let strong_possible = self.strong_first[i].is_some();
            let soft_possible = group && self.soft_first[i].is_some();
            return strong_possible
                .then(|| cues.strong.find(stand_in))
                .flatten()
                .or_else(|| soft_possible.then(|| cues.soft.find(stand_in)).flatten())
                .map(|m| m.range());
        }
        let cues = &self.text;
        let strong_possible = cues.strong_words.is_match(text);
        let soft_possible = group && cues.soft_words.is_match(text);
        strong_possible
            .then(|| cues.strong.find(text))
            .flatten()
            .or_else(|| soft_possible.then(|| cues.soft.find(text)).flatten())
            .map(|m| m.range())
    }

    /// What a sentence with a cue at `cue` reports, from its spans (`in_sentence`) and its
    /// first group: its regions (with a member country named right after each), broad regions
    /// named together with narrower ones they contain dropped, then its other countries.
    fn findings<'a>(
        &'a self,
        raw: &str,
        in_sentence: &[SpanView<'a>],
        group: Option<SpanView<'a>>,
        cue: (usize, usize),
    ) -> Vec<Finding<'a>> {
        // Regions named in the sentence, with a member country named right after each.
        let mut findings: Vec<Finding<'_>> = Vec::new();
        let mut attached: Vec<usize> = Vec::new();
        for (i, span) in in_sentence
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == "region")
        {
            let Some(region) = self.region(span.id).filter(|r| self.watched(&r.id)) else {
                continue;
            };
            let next_country = in_sentence.get(i + 1).filter(|n| {
                n.kind == "country"
                    && raw[span.end..n.start].trim().len() <= 2
                    && region.members.iter().any(|m| m == n.id)
            });
            if next_country.is_some() {
                attached.push(i + 1);
            }
            findings.push(Finding {
                region: Some(region),
                country: next_country.copied(),
                region_span: Some(*span),
                group,
                cue,
            });
        }
        // Drop broad regions named together with narrower ones they contain.
        let named: Vec<&Region> = findings.iter().filter_map(|f| f.region).collect();
        findings.retain(|f| {
            f.region
                .is_none_or(|r| !named.iter().any(|n| Self::contains(r, n)))
        });
        // Countries on their own, under their smallest region.
        for (i, span) in in_sentence
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == "country")
        {
            if attached.contains(&i) {
                continue;
            }
            findings.push(Finding {
                region: self.region_of(span.id),
                country: Some(*span),
                region_span: None,
                group,
                cue,
            });
        }
        findings
    }

    /// True when `broad` mostly contains `narrow` (80% of its members) and is larger.
    fn contains(broad: &Region, narrow: &Region) -> bool {
        if broad.members.len() <= narrow.members.len() || narrow.members.is_empty() {
            return false;
        }
        let inside = narrow
            .members
            .iter()
            .filter(|m| broad.members.contains(m))
            .count();
        inside * 5 >= narrow.members.len() * 4
    }
}

impl Stage for RegionalThreat {
    const NAME: &'static str = "regional-threat";
    const VERSION: &'static str = "0.1.0";
    const CONFIG_SCHEMA: &'static str = r#"{"type":"object","properties":{"regions":{"type":"array","items":{"type":"object","properties":{"id":{"type":"string"},"label":{"type":"string"},"members":{"type":"array","items":{"type":"string"}}},"required":["id","label"]}},"watch":{"type":"array","items":{"type":"string"}},"severity":{"enum":["info","low","medium","high","critical"]}},"additionalProperties":false}"#;
    const CAPABILITIES: u64 = commwatch_plugin_sdk::abi::CAP_EMITS_ALERTS;

    fn new(config: &str) -> Result<Self, String> {
        let config: Config = commwatch_plugin_sdk::parse_config(config)?;
        if let Some(watch) = &config.watch {
            for (i, id) in watch.iter().enumerate() {
                if !config.regions.iter().any(|r| &r.id == id) {
                    return Err(format!(
                        "config.watch[{i}]: no region with id {id:?} in config.regions"
                    ));
                }
            }
        }
        let severity = match config.severity.as_deref().unwrap_or("high") {
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            "critical" => Severity::Critical,
            other => return Err(format!("config.severity: unknown severity {other:?}")),
        };
        let compile = |p: &str| Regex::new(p).map_err(|e| e.to_string());
        let compile_bytes = |p: &str| regex::bytes::Regex::new(p).map_err(|e| e.to_string());
        let mut by_id = HashMap::new();
        for (i, r) in config.regions.iter().enumerate() {
            by_id.entry(r.id.clone()).or_insert(i);
        }
        let mut stage = RegionalThreat {
            regions: config.regions,
            watch: config.watch.map(|w| w.into_iter().collect()),
            by_id,
            smallest: HashMap::new(),
            severity,
            text: Cues {
                strong: compile(&format!("(?i){STRONG}"))?,
                soft: compile(&format!("(?i){SOFT}"))?,
                strong_words: compile(&format!("(?i){STRONG_WORDS}"))?,
                soft_words: compile(&format!("(?i){SOFT_WORDS}"))?,
            },
            stand_in: Cues {
                strong: compile_bytes(&format!("(?-u){STRONG}"))?,
                soft: compile_bytes(&format!("(?-u){SOFT}"))?,
                strong_words: compile_bytes(STRONG_WORDS)?,
                soft_words: compile_bytes(SOFT_WORDS)?,
            },
            shadow: Shadow::new(),
            stand_ins: StandIns::default(),
            strong_first: Vec::new(),
            soft_first: Vec::new(),
        };
        let countries: BTreeSet<String> = stage
            .regions
            .iter()
            .flat_map(|r| r.members.iter().cloned())
            .collect();
        stage.smallest = countries
            .into_iter()
            .map(|c| {
                let smallest = stage.smallest_region(&c);
                (c, smallest)
            })
            .collect();
        Ok(stage)
    }

    fn process(&mut self, event: &Event<'_>, out: &mut Output<'_>) -> Result<Outcome, String> {
        let raw = event.raw();
        let all = event.spans();
        let mut spans = Vec::with_capacity(all.size_hint().0);
        spans.extend(all.filter(|s| matches!(s.kind, "group" | "region" | "country")));
        if spans.is_empty() {
            return Ok(Outcome::Keep);
        }
        let spans = Spans::new(spans);
        // Findings are made of a sentence's regions and countries: the sentences naming none
        // are not searched. The others are, with their first group, and their stand-ins made
        // and searched for cue words all at once.
        let mut searched = Vec::new();
        self.stand_ins.clear();
        for sentence in event.sentence_ranges() {
            let mut place = false;
            let mut group = None;
            for span in spans.within(&sentence) {
                if span.kind == "group" {
                    group = group.or(Some(*span));
                } else {
                    place = true;
                }
            }
            if place {
                self.stand_ins.push(&raw[sentence.clone()]);
                searched.push((sentence, group));
            }
        }
        self.shadow.make(&mut self.stand_ins);
        let stand_in_cues = &self.stand_in;
        self.stand_ins
            .first_matches(&stand_in_cues.strong_words, &mut self.strong_first);
        self.soft_first.clear();
        if searched.iter().any(|(_, group)| group.is_some()) {
            self.stand_ins
                .first_matches(&stand_in_cues.soft_words, &mut self.soft_first);
        }
        // The (region, country) of each alert raised.
        let mut reported: Vec<(String, String)> = Vec::new();
        // The spans of the sentence at hand, reused from sentence to sentence.
        let mut in_sentence: Vec<SpanView<'_>> = Vec::new();
        for (i, (sentence, group)) in searched.into_iter().enumerate() {
            // A strong cue, or a soft one with a group.
            let Some(cue) = self.find_cue(i, &raw[sentence.clone()], group.is_some()) else {
                continue;
            };
            let cue = (sentence.start + cue.start, sentence.start + cue.end);
            in_sentence.clear();
            in_sentence.extend(spans.within(&sentence).copied());
            let findings = self.findings(raw, &in_sentence, group, cue);
            for f in findings {
                let region_id = f.region.map_or("", |r| r.id.as_str());
                let country_id = f.country.map_or("", |c| c.id);
                if reported
                    .iter()
                    .any(|(r, c)| r == region_id && c == country_id)
                {
                    continue;
                }
                reported.push((region_id.to_string(), country_id.to_string()));
                let place = match (f.region, f.country) {
                    (Some(r), Some(c)) => format!("{} ({})", r.label, c.label),
                    (Some(r), None) => r.label.clone(),
                    (None, Some(c)) => c.label.to_string(),
                    (None, None) => continue,
                };
                let summary = match f.group {
                    Some(g) => format!("{} threat reported in {place}", g.label),
                    None => format!("Threat reported in {place}"),
                };
                let mut labels: Vec<(&str, &str)> = Vec::new();
                if let Some(r) = f.region {
                    labels.push(("region", &r.id));
                }
                if let Some(c) = f.country {
                    labels.push(("country", c.id));
                }
                if let Some(g) = f.group {
                    labels.push(("group", g.id));
                }
                let mut evidence = vec![NewSpan::new(
                    f.cue.0,
                    f.cue.1,
                    "keyword",
                    "threat",
                    &raw[f.cue.0..f.cue.1],
                )];
                evidence.extend(f.region_span.map(NewSpan::from));
                evidence.extend(f.country.map(NewSpan::from));
                evidence.extend(f.group.map(NewSpan::from));
                evidence.sort_by_key(|s| s.start);
                evidence.dedup_by_key(|s| (s.start, s.end));
                out.alert(&NewAlert {
                    rule: "regional_threat",
                    severity: self.severity,
                    summary: &summary,
                    labels,
                    evidence,
                })
                .map_err(|e| e.to_string())?;
            }
        }
        Ok(Outcome::Keep)
    }
}

export_stage!(RegionalThreat);

#[cfg(test)]
mod tests {
    use super::*;
    use commwatch_plugin_sdk::testing::{TestEvent, TestSpan, run};

    const REGIONS: &str = r#"{"regions":[
        {"id":"sahel","label":"Sahel","members":["BF","ML","MR","NE","TD"]},
        {"id":"east-africa","label":"Eastern Africa","members":["KE","MZ","SO","ET","TZ","UG"]},
        {"id":"sub-saharan-africa","label":"Sub-Saharan Africa","members":["BF","ML","MR","NE","TD","KE","MZ","SO","ET","TZ","UG","NG"]},
        {"id":"middle-east","label":"Middle East","members":["IQ","SY","JO","LB"]}
    ]}"#;

    fn event(raw: &str, spans: &[(&str, &str, &str)]) -> TestEvent {
        let mut spans: Vec<TestSpan> = spans
            .iter()
            .map(|(t, k, id)| TestSpan::find(raw, t, k, id))
            .collect();
        spans.sort_by_key(|s| s.start);
        TestEvent {
            raw: raw.into(),
            spans,
            ..TestEvent::default()
        }
    }

    fn labels(out: &commwatch_plugin_sdk::testing::Emitted) -> Vec<(String, String, String)> {
        out.alerts
            .iter()
            .map(|a| {
                let get = |k| a.label(k).unwrap_or("").to_string();
                (get("region"), get("country"), get("group"))
            })
            .collect()
    }

    #[test]
    fn the_sample_sentence_reports_the_sahel_and_eastern_africa_with_mozambique() {
        let raw = "the Ministers noted with grave concern that Daesh/ISIS affiliates and networks within sub-Saharan \
                   Africa threaten safety and stability, namely in the Sahel Region and in Eastern Africa/Mozambique.";
        let ev = event(
            raw,
            &[
                ("Daesh/ISIS", "group", "isis"),
                ("sub-Saharan Africa", "region", "sub-saharan-africa"),
                ("Sahel Region", "region", "sahel"),
                ("Eastern Africa", "region", "east-africa"),
                ("Mozambique", "country", "MZ"),
            ],
        );
        let out = run(&mut RegionalThreat::new(REGIONS).unwrap(), &ev).unwrap();
        assert_eq!(
            labels(&out),
            [
                ("sahel".to_string(), String::new(), "isis".to_string()),
                (
                    "east-africa".to_string(),
                    "MZ".to_string(),
                    "isis".to_string()
                ),
            ]
        );
        assert_eq!(
            out.alerts[1].summary,
            "Daesh/ISIS threat reported in Eastern Africa (Mozambique)"
        );
        assert_eq!(out.alerts[0].rule, "regional_threat");
    }

    #[test]
    fn the_smallest_region_is_computed_once_and_the_same() {
        let config = REGIONS.replacen('{', r#"{"watch":["sahel","east-africa","middle-east"],"#, 1);
        for stage in [
            RegionalThreat::new(REGIONS).unwrap(),
            RegionalThreat::new(&config).unwrap(),
        ] {
            for country in ["ML", "NG", "MZ", "IQ", "FR", "", "SO"] {
                assert_eq!(
                    stage.region_of(country).map(|r| &r.id),
                    stage.region_of_uncached(country).map(|r| &r.id),
                    "{country}"
                );
            }
        }
    }

    #[test]
    fn cues_match_the_same_on_the_ascii_stand_in() {
        let stage = RegionalThreat::new(REGIONS).unwrap();
        let mut shadow = Shadow::new();
        let mut stand_ins = StandIns::default();
        for text in [
            "Daesh/ISIS affiliates and networks – threaten\u{a0}safety in the Sahel’s “tri-border” area.",
            "ARMED\u{2003}GROUPS attacked Gao; kidnappings and massacres in Ménaka, offensive…",
            "terrorismé violence_ insecurity—instability, destabilizing jihadists, bombings ٣ attacks",
            "THREATENED, Threatening ATTACKED Insurgency INSURGENTS Militant armed  group BOMBED",
            "Abducted ABDUCTIONS Massacred, the Offensive; Terrorist EXTREMISTS Violent Destabilised",
        ] {
            let mut found = 0;
            stand_ins.clear();
            stand_ins.push(text);
            shadow.make(&mut stand_ins);
            let stand_in = stand_ins.get(0).expect("a stand-in");
            let (text_cues, twins) = (&stage.text, &stage.stand_in);
            for (words, twin) in [
                (&text_cues.strong_words, &twins.strong_words),
                (&text_cues.soft_words, &twins.soft_words),
            ] {
                assert_eq!(words.is_match(text), twin.is_match(stand_in), "{text}");
            }
            for (pattern, twin) in [
                (&text_cues.strong, &twins.strong),
                (&text_cues.soft, &twins.soft),
            ] {
                let on_text: Vec<_> = pattern.find_iter(text).map(|m| m.range()).collect();
                let on_stand_in: Vec<_> = twin.find_iter(stand_in).map(|m| m.range()).collect();
                assert_eq!(on_text, on_stand_in, "{text}");
                found += on_text.len();
            }
            assert!(found > 1, "{text}");
        }
    }

    #[test]
    fn a_kelvin_sign_takes_the_slow_path_with_the_same_result() {
        // "K" here is KELVIN SIGN, which case-folds to "k": no stand-in, the text is searched.
        for raw in [
            "al-Shabaab attac\u{212A}ed a convoy in Somalia.",
            "al-Shabaab violence continues in Somalia, near \u{212A}ismayo.",
        ] {
            let out = run(
                &mut RegionalThreat::new(REGIONS).unwrap(),
                &event(
                    raw,
                    &[
                        ("al-Shabaab", "group", "al-shabaab"),
                        ("Somalia", "country", "SO"),
                    ],
                ),
            )
            .unwrap();
            assert_eq!(
                labels(&out),
                [(
                    "east-africa".to_string(),
                    "SO".to_string(),
                    "al-shabaab".to_string()
                )],
                "{raw}"
            );
        }
    }

    #[test]
    fn a_country_is_reported_under_its_smallest_region() {
        let raw = "Militants attacked a convoy near Gao in Mali.";
        let out = run(
            &mut RegionalThreat::new(REGIONS).unwrap(),
            &event(raw, &[("Mali", "country", "ML")]),
        )
        .unwrap();
        assert_eq!(
            labels(&out),
            [("sahel".to_string(), "ML".to_string(), String::new())]
        );
    }

    #[test]
    fn no_threat_no_alert_and_soft_cues_need_a_group() {
        let plugin = || RegionalThreat::new(REGIONS).unwrap();
        let raw = "The Ministers met in Iraq to discuss trade.";
        assert!(
            run(&mut plugin(), &event(raw, &[("Iraq", "country", "IQ")]))
                .unwrap()
                .alerts
                .is_empty()
        );
        let raw = "Cooperation against terrorism with Kenya was discussed.";
        assert!(
            run(&mut plugin(), &event(raw, &[("Kenya", "country", "KE")]))
                .unwrap()
                .alerts
                .is_empty()
        );
        let raw = "al-Shabaab violence continues in Somalia.";
        let out = run(
            &mut plugin(),
            &event(
                raw,
                &[
                    ("al-Shabaab", "group", "al-shabaab"),
                    ("Somalia", "country", "SO"),
                ],
            ),
        )
        .unwrap();
        assert_eq!(
            labels(&out),
            [(
                "east-africa".to_string(),
                "SO".to_string(),
                "al-shabaab".to_string()
            )]
        );
    }

    #[test]
    fn watch_limits_regions_and_is_checked() {
        let config = REGIONS.replacen('{', r#"{"watch":["middle-east"],"#, 1);
        let raw = "Daesh/ISIS attacks continue in Iraq and in Mali.";
        let spans = [
            ("Daesh/ISIS", "group", "isis"),
            ("Iraq", "country", "IQ"),
            ("Mali", "country", "ML"),
        ];
        let out = run(
            &mut RegionalThreat::new(&config).unwrap(),
            &event(raw, &spans),
        )
        .unwrap();
        assert_eq!(
            labels(&out),
            [
                (
                    "middle-east".to_string(),
                    "IQ".to_string(),
                    "isis".to_string()
                ),
                (String::new(), "ML".to_string(), "isis".to_string())
            ]
        );
        let bad = REGIONS.replacen('{', r#"{"watch":["atlantis"],"#, 1);
        assert!(
            RegionalThreat::new(&bad)
                .unwrap_err()
                .contains("config.watch[0]")
        );
    }

    #[test]
    fn one_alert_per_region_and_country_per_event() {
        let raw = "Daesh/ISIS threatens Iraq. Daesh/ISIS attacks in Iraq go on.";
        let mut ev = event(raw, &[("Iraq", "country", "IQ")]);
        for (start, _) in raw.match_indices("Daesh/ISIS") {
            ev.spans.push(TestSpan {
                start,
                end: start + 10,
                kind: "group".into(),
                id: "isis".into(),
                label: "Daesh/ISIS".into(),
            });
        }
        let second_iraq = raw.rfind("Iraq").unwrap();
        ev.spans.push(TestSpan {
            start: second_iraq,
            end: second_iraq + 4,
            kind: "country".into(),
            id: "IQ".into(),
            label: "Iraq".into(),
        });
        ev.spans.sort_by_key(|s| s.start);
        let out = run(&mut RegionalThreat::new(REGIONS).unwrap(), &ev).unwrap();
        assert_eq!(out.alerts.len(), 1);
    }
}
