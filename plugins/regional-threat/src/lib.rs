//! `regional-threat`: flags **regional threats** — a country, region or place facing, suffering
//! or hosting a threat from a **non-state armed actor** (docs/labelling.md).
//!
//! It reads what the tagging stage found (countries, regions, places, groups, organizations,
//! people, sentences) and the words between them, sentence by sentence — as tokens, each entity
//! one token, from the tokenizer the bundled plugins share (`plugin-text-support`), with the
//! plugin's lexicon as its rules (`lexicon.rs`: word classes, clause words):
//!
//! 1. **An actor.** A sentence counts only when it names a non-state armed actor: a tagged
//!    `group` (but not a state force or a cartel: `[actors] not_groups` in
//!    `data/lexicon.toml`), or a generic one (terrorists, terrorism, counterterrorism, militants,
//!    insurgents, jihadists, violent extremists, armed groups, militias, …: `[actors] generic`),
//!    unless said of a state or of crime ("Russian terror", "cyber terrorism"), or not an actor
//!    where it is said: a verb ("terrorise"), part of a capitalised name ("the Global
//!    Counter-Terrorism Strategy"), a designation, its money or an institution ("state sponsors
//!    of terrorism", "terrorist financing"). Kidnappings count only a few words from the place and
//!    never in a sentence about a war, a regime or detentions; hostages only with the group that
//!    holds them. An actor denied ("no links between the 46 mercenaries") or only alleged ("…,
//!    which is raised by some media") is none. Only sentences where a first scan of the document
//!    (one Aho-Corasick pass over the actor words) or a tagged group shows a possible actor are
//!    read.
//! 2. **A place in a threatened role, that the actor governs.** Each country, region and place
//!    (city, province) of the sentence — in lists read as one ("in Iraq and Syria"), "the
//!    country" as the country named last before it and a speaker's "my country" as the speaker's
//!    (`anaphors`) — is reported
//!    only in a role that makes it the place threatened ([`read::Role`]): where it happens
//!    ("attacks in", "operations across", "spill-over into"), attacked ("a threat to Yemen",
//!    "attacks on Israel", "spread to"), its territory or security ("parts of Mali", "Israel's
//!    security"), "X, where militias …", "X faces / has suffered / was attacked", held by or
//!    liberated from the group, "X … defends itself", "on our soil", fighting the actor ("Iraq's
//!    cooperation in countering Daesh") or risking hosting it ("prevent Sudan from attracting
//!    terrorist networks"), or named inside the group's name (`region_in_name`,
//!    `country_in_name` spans within the group's span). The role must be the actor's: in the
//!    same clause, with no new noun phrase or clause between an actor and the place after it
//!    ("Hamas's attack against Israel and the humanitarian situation in Gaza" places only
//!    Israel), and an actor after the place only when a word links them ("in Iraq against ISIS")
//!    or the place opens the clause ("In West Africa, we face terrorist threats"). It is never
//!    reported as the backer ("Iranian-backed", "backed by Iran"), the attacker's home ("launched
//!    from Yemen"), the victims' nationality ("Americans", "Israeli citizens"), a state's forces
//!    or embassy ("U.S. forces", "the U.S. Embassy": the host country is the place), its
//!    officials, a speaker or subject that condemns, supports or fights (no role), an adjective
//!    with no place after it, a venue ("the Summit in Madrid", "adopted in Tashkent"), a state's
//!    ("the military junta in Myanmar", "Putin's war in Ukraine"), where a state's war is waged
//!    ("the war in Ukraine" with a generic actor), named for aid ("humanitarian assistance into
//!    Gaza"), a staging base for operations elsewhere, or where a group's policies (not its
//!    attacks) are.
//! 3. **One alert per (actor, place)** per communiqué, rule `regional_threat`. The place is what
//!    the text names: a country (`country` = ISO code), a region (`region` = region id) or a
//!    place (`country` = its country, when the tagger gives it). `place` is its name, `group` the
//!    group id (or `generic`), `actor` the actor as named, `role` why the place is the one
//!    threatened, and `region_path` the chain of regions above it ("africa/sub-saharan-africa/
//!    sahel") for routing — parent regions are never alerts of their own. A generic actor's
//!    alert is dropped when a named group's alert has the same place. Evidence: the cue, the
//!    actor, the place.
//!
//! Regions come from the gazetteer (`regions_from = "<tag stage>"`): a region's parent is the
//! smallest region whose members include all of its own; a country's chain is the deepest chain
//! of a region it belongs to (the larger of equally deep ones; seas and straits, named by their
//! coasts, are not a country's home).

mod lexicon;
mod read;

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use aho_corasick::AhoCorasick;
use commwatch_plugin_sdk::{
    Event, NewAlert, NewSpan, Outcome, Output, Severity, SpanView, Stage, export_stage,
};

use lexicon::{LEXICON, Lexicon, class};
use plugin_text_support::Tokens;
use read::{Actor, Ent, EntKind, Finding, Form, Place, Reader};

/// One region as the host passes it.
#[derive(Debug, serde::Deserialize)]
struct Region {
    id: String,
    #[serde(rename = "label")]
    _label: String,
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
    /// Region ids to report under: a place is reported when it is one of them, a member country
    /// of one, or a region whose members all belong to them (inside one, or across several:
    /// "the Arabian Peninsula" under `gulf` and `middle-east`); default: every place.
    #[serde(default)]
    watch: Option<Vec<String>>,
    /// Alert severity: info, low, medium, high (default), critical.
    #[serde(default)]
    severity: Option<String>,
}

/// What is known of each region.
#[derive(Debug)]
struct RegionInfo {
    id: String,
    /// "africa/sub-saharan-africa/sahel".
    path: String,
    watched: bool,
}

/// The stage.
#[derive(Debug)]
pub struct RegionalThreat {
    lexicon: Lexicon,
    /// The first words of the actor phrases, to find the sentences worth reading.
    actor_stems: AhoCorasick,
    regions: Vec<RegionInfo>,
    by_id: HashMap<String, usize>,
    /// For each country that belongs to a region: the path of regions above it, and whether a
    /// watched region has it.
    countries: HashMap<String, (String, bool)>,
    watching: bool,
    severity: Severity,
    // Reused from call to call.
    tokens: Tokens,
    actors: Vec<Actor>,
    findings: Vec<Finding>,
    /// The actor of the sentence read last, with byte offsets.
    last_actor: Option<Actor>,
    /// How many of the patterns of `actor_stems` are actor words (the others are the words of
    /// self-defence).
    actor_patterns: usize,
}

/// The entities of the document, for reading one of its sentences.
struct Doc<'a> {
    ents: &'a [Ent],
    /// The index of the first entity that may lie in the sentence.
    first_ent: usize,
    /// Each entity's span.
    spans: &'a [SpanView<'a>],
    /// Whether each entity is a group that is not a non-state armed actor.
    not_groups: &'a [bool],
}

/// A finding of the document, with what its alert needs.
struct Alert<'a> {
    finding: Finding,
    place: SpanView<'a>,
    apposition: Option<SpanView<'a>>,
    actor_span: NewSpan<'a>,
    group: &'a str,
    actor_name: &'a str,
}

impl RegionalThreat {
    /// The path and watch status of a place: (region id, country code, path, watched).
    fn locate<'s>(&'s self, span: &SpanView<'s>, kind: &str) -> (&'s str, &'s str, &'s str, bool) {
        let country = |code: &'s str| -> (&'s str, &'s str, &'s str, bool) {
            match self.countries.get(code) {
                Some((path, watched)) => ("", code, path.as_str(), *watched),
                None => ("", code, "", !self.watching),
            }
        };
        match kind {
            "region" | "region_in_name" => match self.by_id.get(span.id) {
                Some(&i) => {
                    let r = &self.regions[i];
                    (span.id, "", r.path.as_str(), r.watched)
                }
                None => (span.id, "", "", !self.watching),
            },
            "place" => match span.detail.filter(|d| d.len() == 2) {
                Some(code) => country(code),
                None => ("", "", "", !self.watching),
            },
            _ => country(span.id),
        }
    }

    fn emit(&self, raw: &str, alert: &Alert<'_>, out: &mut Output<'_>) -> Result<(), String> {
        let f = &alert.finding;
        let kind = match f.place {
            Place::InName(_) => alert.place.kind,
            Place::Entity(_) => alert.place.kind,
        };
        let (region, country, path, watched) = self.locate(&alert.place, kind);
        if !watched {
            return Ok(());
        }
        let place_name = alert.place.label;
        let cue = &raw[f.cue.0..f.cue.1];
        let where_ = if country.is_empty() || kind == "country" || kind == "country_in_name" {
            place_name.to_string()
        } else {
            format!("{place_name} ({country})")
        };
        let summary = format!(
            "{} threat reported in {where_}: {} ({cue:?})",
            alert.actor_name,
            f.role.explain()
        );
        let mut labels: Vec<(&str, &str)> = Vec::with_capacity(7);
        if !region.is_empty() {
            labels.push(("region", region));
        }
        if !country.is_empty() {
            labels.push(("country", country));
        }
        labels.push(("place", place_name));
        labels.push(("group", alert.group));
        labels.push(("actor", alert.actor_name));
        labels.push(("role", f.role.id()));
        if !path.is_empty() {
            labels.push(("region_path", path));
        }
        let mut evidence = vec![
            NewSpan::new(f.cue.0, f.cue.1, "keyword", f.role.id(), cue),
            alert.actor_span,
            NewSpan::from(alert.place),
        ];
        evidence.extend(alert.apposition.map(NewSpan::from));
        evidence.sort_by_key(|s| (s.start, s.end));
        evidence.dedup_by_key(|s| (s.start, s.end));
        out.alert(&NewAlert {
            rule: "regional_threat",
            severity: self.severity,
            summary: &summary,
            labels,
            evidence,
        })
        .map_err(|e| e.to_string())
    }
}

/// The kinds of span the plugin reads.
fn ent_kind(kind: &str) -> Option<EntKind> {
    Some(match kind {
        "country" => EntKind::Country,
        "region" => EntKind::Region,
        "place" => EntKind::Place,
        "group" => EntKind::Group,
        "person" => EntKind::Person,
        "organization" => EntKind::Other,
        _ => return None,
    })
}

fn code(s: &str) -> Option<[u8; 2]> {
    let b = s.as_bytes();
    (b.len() == 2).then(|| [b[0], b[1]])
}

impl Stage for RegionalThreat {
    const NAME: &'static str = "regional-threat";
    const VERSION: &'static str = "0.2.0";
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
        let lexicon = Lexicon::parse(LEXICON)?;
        let mut stems = lexicon.actor_stems();
        let actor_patterns = stems.len();
        stems.extend(["defend".to_string(), "self-defen".to_string()]);
        let actor_stems = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(stems)
            .map_err(|e| e.to_string())?;
        let regions = &config.regions;
        let members: Vec<BTreeSet<&str>> = regions
            .iter()
            .map(|r| r.members.iter().map(String::as_str).collect())
            .collect();
        // A region's parent: the smallest region that has all its members and more.
        let parent: Vec<Option<usize>> = (0..regions.len())
            .map(|i| {
                (0..regions.len())
                    .filter(|&j| {
                        !members[i].is_empty()
                            && members[j].len() > members[i].len()
                            && members[i].is_subset(&members[j])
                    })
                    .min_by_key(|&j| members[j].len())
            })
            .collect();
        let watch: Option<BTreeSet<&str>> = config
            .watch
            .as_ref()
            .map(|w| w.iter().map(String::as_str).collect());
        // The countries of the watched regions.
        let watched_countries: BTreeSet<&str> = (0..regions.len())
            .filter(|&j| {
                watch
                    .as_ref()
                    .is_some_and(|w| w.contains(regions[j].id.as_str()))
            })
            .flat_map(|j| members[j].iter().copied())
            .collect();
        let infos: Vec<RegionInfo> = (0..regions.len())
            .map(|i| {
                let mut chain = vec![regions[i].id.as_str()];
                let mut at = i;
                while let Some(p) = parent[at] {
                    if chain.len() > regions.len() {
                        break;
                    }
                    chain.push(&regions[p].id);
                    at = p;
                }
                chain.reverse();
                // Watched: itself, or all its members are in watched regions.
                let watched = watch.as_ref().is_none_or(|w| {
                    w.contains(regions[i].id.as_str())
                        || !members[i].is_empty() && members[i].is_subset(&watched_countries)
                });
                RegionInfo {
                    id: regions[i].id.clone(),
                    path: chain.join("/"),
                    watched,
                }
            })
            .collect();
        let mut by_id = HashMap::new();
        for (i, r) in infos.iter().enumerate() {
            by_id.entry(r.id.clone()).or_insert(i);
        }
        let mut countries: HashMap<String, (String, bool)> = HashMap::new();
        let all: BTreeSet<&str> = members.iter().flatten().copied().collect();
        // A country's path: the deepest chain of a region that has it (a sea or strait named
        // by its coasts is not one: "Gulf of Aden"), the larger region of equally deep ones.
        let water = |label: &str| {
            label
                .split([' ', '-'])
                .any(|w| lexicon.classes(&w.to_ascii_lowercase()) & lexicon::class::WATER != 0)
        };
        let depth = |i: usize| infos[i].path.matches('/').count();
        for country in all {
            let home = (0..regions.len())
                .filter(|&i| members[i].contains(country) && !water(&regions[i]._label))
                .max_by_key(|&i| (depth(i), members[i].len(), std::cmp::Reverse(i)));
            let path = home.map_or(String::new(), |i| infos[i].path.clone());
            let watched = watch.as_ref().is_none_or(|w| {
                (0..regions.len())
                    .any(|i| w.contains(regions[i].id.as_str()) && members[i].contains(country))
            });
            countries.insert(country.to_string(), (path, watched));
        }
        Ok(RegionalThreat {
            lexicon,
            actor_stems,
            watching: config.watch.is_some(),
            regions: infos,
            by_id,
            countries,
            severity,
            tokens: Tokens::default(),
            actors: Vec::new(),
            findings: Vec::new(),
            last_actor: None,
            actor_patterns,
        })
    }

    fn process(&mut self, event: &Event<'_>, out: &mut Output<'_>) -> Result<Outcome, String> {
        let raw = event.raw();
        // The entities, none inside another; the regions and countries inside a group's name
        // apart, each group knowing its own.
        let mut spans: Vec<SpanView<'_>> = Vec::new();
        let mut ents: Vec<Ent> = Vec::new();
        let mut inner: Vec<SpanView<'_>> = Vec::new();
        let mut any_place = false;
        for span in event.spans() {
            let in_name = matches!(span.kind, "region_in_name" | "country_in_name");
            if let Some(last) = ents.last_mut()
                && span.start < last.end
            {
                let holder = spans.last().map_or("", |s| s.id);
                let names_places = !self.lexicon.names_not_places.iter().any(|g| g == holder);
                if in_name && last.kind == EntKind::Group && span.end <= last.end && names_places {
                    inner.push(span);
                    last.inner.1 = inner.len();
                    any_place = true;
                }
                continue;
            }
            let Some(kind) = ent_kind(span.kind) else {
                continue;
            };
            any_place |= matches!(kind, EntKind::Country | EntKind::Region | EntKind::Place);
            // Read when the sentence is (see `read_sentence`).
            let form = Form::Name;
            let country = if kind == EntKind::Place {
                span.detail.and_then(code)
            } else {
                None
            };
            ents.push(Ent {
                start: span.start,
                end: span.end,
                kind,
                form,
                country,
                inner: (inner.len(), inner.len()),
                code: if kind == EntKind::Country {
                    code(span.id)
                } else {
                    country
                },
            });
            spans.push(span);
        }
        if !any_place {
            return Ok(Outcome::Keep);
        }
        let sentences = event.sentence_ranges();
        let speaker = speaker(event.title(), raw, &spans, &ents);
        let antecedents = self.anaphors(raw, &sentences, speaker, &mut spans, &mut ents);
        let not_groups: Vec<bool> = spans
            .iter()
            .map(|s| s.kind == "group" && self.lexicon.not_groups.iter().any(|g| g == s.id))
            .collect();
        for (e, ent) in ents.iter_mut().enumerate() {
            if not_groups[e] {
                ent.kind = EntKind::Other;
            }
        }
        // Where actor words (true) and words of self-defence (false) may start, in order.
        let bytes = raw.as_bytes();
        // The last actor read, and the number of its sentence.
        let mut carry: Option<(Actor, usize)> = None;
        let mut alerts: Vec<Alert<'_>> = Vec::new();
        let mut first_ent = 0;
        for (number, sentence) in sentences.into_iter().enumerate() {
            while first_ent < ents.len() && ents[first_ent].start < sentence.start {
                first_ent += 1;
            }
            let in_sentence = ents[first_ent..]
                .iter()
                .take_while(|e| e.start < sentence.end);
            let (mut place, mut group) = (false, false);
            for e in in_sentence {
                match e.kind {
                    EntKind::Country | EntKind::Region | EntKind::Place => place = true,
                    EntKind::Group => {
                        group = true;
                        place |= e.inner.1 > e.inner.0;
                    }
                    EntKind::Other | EntKind::Person => {}
                }
            }
            // Actor words (and words of self-defence) at the start of a word, in the sentences
            // that name a place.
            let (mut actor_word, mut defence) = (false, false);
            // (A named group is an actor already.)
            if place && !group {
                for m in self.actor_stems.find_iter(&raw[sentence.clone()]) {
                    let at = sentence.start + m.start();
                    if at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
                        continue;
                    }
                    if m.pattern().as_usize() < self.actor_patterns {
                        actor_word = true;
                    } else {
                        defence = true;
                    }
                }
            }
            let carried = carry
                .filter(|&(actor, n)| n + 1 >= number || n + 2 >= number && actor.entity.is_some())
                .map(|(actor, _)| actor);
            if !place || !(actor_word || group || (defence && carried.is_some())) {
                // A named group with no place here may still be the one a place defends
                // itself against in the next sentences.
                let last_group = ents[first_ent..]
                    .iter()
                    .enumerate()
                    .take_while(|(_, e)| e.start < sentence.end)
                    .filter(|(_, e)| e.kind == EntKind::Group)
                    .last();
                if let Some((i, e)) = last_group {
                    let actor = Actor {
                        first: e.start,
                        last: e.end,
                        entity: Some(first_ent + i),
                        weak: false,
                        carried: true,
                    };
                    carry = Some((actor, number));
                }
                continue;
            }
            for (e, span) in ents[first_ent..].iter_mut().zip(&spans[first_ent..]) {
                if e.start >= sentence.end {
                    break;
                }
                if matches!(e.kind, EntKind::Country | EntKind::Region) {
                    e.form = read::form(raw.get(e.start..e.end).unwrap_or(""), span.label);
                }
            }
            let doc = Doc {
                ents: &ents,
                first_ent,
                spans: &spans,
                not_groups: &not_groups,
            };
            self.read_sentence(raw, sentence, &doc, carried);
            if let Some(actor) = self.last_actor {
                carry = Some((actor, number));
            }
            for f in self.findings.drain(..) {
                let place = match f.place {
                    Place::Entity(e) => spans[e],
                    Place::InName(i) => inner[i],
                };
                let (actor_span, group, actor_name) = match f.actor.entity {
                    Some(e) => (NewSpan::from(spans[e]), spans[e].id, spans[e].label),
                    None => {
                        let (s, e) = (f.actor.first, f.actor.last);
                        let text = &raw[s..e];
                        (
                            NewSpan::new(s, e, "actor", "generic", text),
                            "generic",
                            text,
                        )
                    }
                };
                let antecedent = match f.place {
                    Place::Entity(e) => antecedents[e],
                    Place::InName(_) => None,
                };
                alerts.push(Alert {
                    apposition: f.apposition.or(antecedent).map(|a| spans[a]),
                    finding: f,
                    place,
                    actor_span,
                    group,
                    actor_name,
                });
            }
        }
        // One alert per (actor, place); a generic actor's only where no named group's.
        fn key<'a>(a: &Alert<'a>) -> (&'static str, &'a str) {
            match a.place.kind {
                "place" => ("place", a.place.id),
                "region" | "region_in_name" => ("region", a.place.id),
                _ => ("country", a.place.id),
            }
        }
        let mut seen: Vec<((&str, &str), &str)> = Vec::new();
        let mut kept: Vec<&Alert<'_>> = Vec::new();
        for a in &alerts {
            let k = key(a);
            if a.group == "generic" && alerts.iter().any(|b| b.group != "generic" && key(b) == k) {
                continue;
            }
            if seen.iter().any(|&(sk, g)| sk == k && g == a.group) {
                continue;
            }
            seen.push((k, a.group));
            kept.push(a);
        }
        for a in kept {
            self.emit(raw, a, out)?;
        }
        Ok(Outcome::Keep)
    }
}

impl RegionalThreat {
    /// Tokenizes and reads one sentence into `self.findings`.
    fn read_sentence(
        &mut self,
        raw: &str,
        sentence: Range<usize>,
        doc: &Doc<'_>,
        carried: Option<Actor>,
    ) {
        self.tokens
            .tokenize_with(raw, sentence, doc.spans, doc.first_ent, &self.lexicon);
        let reader = Reader::new(&self.lexicon, raw, &self.tokens, doc.ents, doc.not_groups);
        reader.actors(&mut self.actors);
        self.findings.clear();
        reader.read(&self.actors, carried, &mut self.findings);
        // Actors by byte offsets (`first`, `last` = start, end), since tokens are reused.
        let toks = self.tokens.list();
        let in_bytes = |a: &mut Actor| {
            if !a.carried {
                a.first = toks[a.first].range.start;
                a.last = toks[a.last].range.end;
                a.carried = true;
            }
        };
        for f in &mut self.findings {
            in_bytes(&mut f.actor);
        }
        // The actor to carry to the next sentences: the last named group, else the last actor.
        self.last_actor = self
            .actors
            .iter()
            .rev()
            .find(|a| a.entity.is_some())
            .or(self.actors.last())
            .copied()
            .map(|mut a| {
                in_bytes(&mut a);
                a
            });
    }
}

/// The speaker's country of a statement titled "Statement by [the] X …" (as the UN General
/// Debate's are): the entity of the document that names X (its label, or its text).
fn speaker(title: Option<&str>, raw: &str, spans: &[SpanView<'_>], ents: &[Ent]) -> Option<usize> {
    let rest = title?.strip_prefix("Statement by ")?;
    let rest = rest.strip_prefix("the ").unwrap_or(rest);
    let names = |name: &str| {
        !name.is_empty()
            && rest
                .strip_prefix(name)
                .is_some_and(|after| after.is_empty() || after.starts_with([' ', ',', ':']))
    };
    ents.iter().zip(spans).position(|(e, s)| {
        e.kind == EntKind::Country
            && (names(s.label) || names(raw.get(e.start..e.end).unwrap_or("")))
    })
}

/// How many sentences before its own "the country" looks back for the country it stands for.
const ANAPHOR_REACH: usize = 3;

impl RegionalThreat {
    /// "the country" stands for the country named last before it, in its sentence or the
    /// `ANAPHOR_REACH` before ("the Taliban's forced takeover of the country", "violent extremism
    /// across the country"); "my country", "our nation" for the speaker's (`speaker`): it becomes
    /// an entity of that country (its span over the noun, its id and label the antecedent's),
    /// read like the name. Not "the country of X" (X is named) nor "the countryside", nor inside
    /// another entity's name. A country that only modifies a noun of its state or people is no
    /// antecedent ("to protect United States interests in the country", "the Afghan people").
    /// Returns, for each entity, the entity it stands for (evidence of the alert).
    fn anaphors<'a>(
        &self,
        raw: &'a str,
        sentences: &[Range<usize>],
        speaker: Option<usize>,
        spans: &mut Vec<SpanView<'a>>,
        ents: &mut Vec<Ent>,
    ) -> Vec<Option<usize>> {
        let bytes = raw.as_bytes();
        // (offset and end of the anaphor, its antecedent's offset).
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        let words = raw
            .match_indices("country")
            .chain(raw.match_indices("nation"));
        for (at, word) in words {
            let end = at + word.len();
            // "the", then spaces or a line break.
            let before = raw[..at].trim_end();
            let word_before = |w: &[u8]| {
                let n = before.len();
                n < at
                    && n >= w.len()
                    && bytes[n - w.len()..n].eq_ignore_ascii_case(w)
                    && (n == w.len() || !bytes[n - w.len() - 1].is_ascii_alphanumeric())
            };
            let article = word_before(b"the");
            let own = word_before(b"my") || word_before(b"our");
            let bounded = bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
            let of = raw[end..]
                .trim_start()
                .strip_prefix("of")
                .is_some_and(|rest| rest.starts_with(char::is_whitespace));
            // "the nation" is a speaker's own more often than the country named last.
            let article = article && word == "country";
            if !(article || own) || !bounded || of {
                continue;
            }
            if spans.iter().any(|s| s.start < end && at < s.end) {
                continue;
            }
            let Some(here) = sentences.iter().position(|s| s.start <= at && at < s.end) else {
                continue;
            };
            let from = sentences[here.saturating_sub(ANAPHOR_REACH)].start;
            let antecedent = if own {
                speaker
            } else {
                ents.iter().zip(spans.iter()).rposition(|(e, s)| {
                    e.kind == EntKind::Country
                        && e.end <= at
                        && e.start >= from
                        && !self.modifier(raw, s)
                })
            };
            if let Some(a) = antecedent {
                found.push((at, end, ents[a].start));
            }
        }
        found.sort_unstable();
        // Each anaphor in its place among the entities, standing for its antecedent's start.
        let mut stands_for: Vec<Option<usize>> = vec![None; ents.len()];
        let named = |ents: &[Ent], stands_for: &[Option<usize>], start: usize| {
            (0..ents.len()).find(|&k| ents[k].start == start && stands_for[k].is_none())
        };
        for &(at, end, a_start) in &found {
            let Some(a) = named(ents, &stands_for, a_start) else {
                continue;
            };
            let (span, ent) = (spans[a], ents[a]);
            let i = ents.partition_point(|e| e.start < at);
            spans.insert(
                i,
                SpanView {
                    start: at,
                    end,
                    kind: span.kind,
                    id: span.id,
                    label: span.label,
                    detail: span.detail,
                },
            );
            ents.insert(
                i,
                Ent {
                    start: at,
                    end,
                    inner: (0, 0),
                    ..ent
                },
            );
            stands_for.insert(i, Some(a_start));
        }
        // Then the antecedents' indexes, once every anaphor is in.
        stands_for
            .iter()
            .map(|start| named(ents, &stands_for, (*start)?))
            .collect()
    }

    /// Whether a country's name only modifies what follows: written as an adjective or people
    /// ("Afghan", "Americans"), or before a word (in lower case: not a name's, "U.S. National
    /// Strategy") of a state's forces, missions, officials or people ("U.S. forces", "United
    /// States interests").
    fn modifier(&self, raw: &str, span: &SpanView<'_>) -> bool {
        let text = raw.get(span.start..span.end).unwrap_or("");
        if read::form(text, span.label) != Form::Name {
            return true;
        }
        let next = raw[span.end..]
            .trim_start()
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        let of_a_state = class::FORCES | class::EMBASSY | class::TITLES | class::PEOPLE;
        next.starts_with(|c: char| c.is_lowercase()) && self.lexicon.classes(next) & of_a_state != 0
    }
}

export_stage!(RegionalThreat);

#[cfg(test)]
mod tests;
