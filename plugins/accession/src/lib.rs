//! `accession`: flags **new member accessions** — a state or an organization that has become a
//! member of an international organization, alliance, coalition or membership-based grouping.
//!
//! Real communiqués say "join" far more often in other senses ("joined by leaders", "join the
//! call", "troops joining the operation") and talk of accessions that have not happened
//! ("supports Sweden's accession", "accession protocols sent for ratification", "will join as
//! soon as possible"). So the plugin reads the clause around each cue (see [`clause`]) instead
//! of matching a phrase:
//!
//! - the **cue**: "joined", "became (has become) the Nth / a full member" or "part of Y", "the
//!   accession / admission / entry of X to Y" (only when the clause says it is done:
//!   "following", "completed", "welcome", "with the accession of X, Y …"), "was admitted to",
//!   "Y accepted A, B as members", "obtained (was granted) membership of Y", "(was) welcomed X
//!   as the newest Ally", "expanded to include", "our newest Ally, Finland"; ordinals are read
//!   by a number-word grammar ("thirty-second", "one hundred and ninety-third", "32nd");
//! - the **organization**: the object of "joined", "accession to", "member of", "NATO's newest
//!   Ally"; "the Alliance" / "the Coalition" resolved to the document's organization of that
//!   kind, else to the title's ("INTERPOL General Assembly opens …": "the Organization"); a
//!   capitalised name ending in an organization word ("Minerals Security Partnership") when
//!   the gazetteer lacks it, reported by that name; an organization that is a modifier
//!   ("joined NATO leaders", "joined the Coalition's efforts") is not one joined;
//! - the **members**: the countries or organizations that are the subject of "joined" or
//!   "became", the object of "welcomed … as", the list after "new members joining the
//!   Coalition –"; "it" for the country named before, "we" for the speaker the title names
//!   ("Statement by Timor-Leste …"); never the one welcoming, nor a person;
//! - **completion**: a pending, hoped-for, conditional or negated word before the cue in its
//!   clause ("will", "to", "applied", "invited", "look forward", "support", "not"), a pending
//!   word after it ("as soon as possible", "upon ratification", "protocols"), or an election
//!   ("elected as a non-permanent member") drops it.
//!
//! One alert per (organization, member), rule `new_member_accession`, labels `organization`
//! (canonical id, or a slug of the name the text gives), `organization_name`, `member` (ISO
//! 3166-1 alpha-2 code or organization id), `member_kind` (`country` / `organization`) and
//! `country` for a country; evidence: the cue (its id says which kind of cue), the member and
//! the organization.

mod clause;

use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use commwatch_plugin_sdk::{
    Event, NewAlert, NewSpan, Outcome, Output, Severity, SpanView, Stage, export_stage,
};

use clause::{ANTECEDENT, Dropped, Found, GENERIC_HEADS, Org, Reader, Role, SPEAKER};
use commwatch_text::{Gazetteer, Normalizer, Tagger};
use plugin_text_support::Tokens;

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
    /// Places passed by the host (`regions_from`); accepted and not needed by this plugin.
    #[serde(default, rename = "places")]
    _places: Option<serde::de::IgnoredAny>,
    /// Also emit an `explain` span for every cue read: why it was kept or dropped
    /// (`commwatch explain --plugin` sets it).
    #[serde(default)]
    explain: bool,
}

/// The stage.
#[derive(Debug)]
pub struct Accession {
    severity: Severity,
    /// Word stems every cue contains: a sentence without one is not read.
    stems: AhoCorasick,
    /// Reused from call to call.
    tokens: Tokens,
    /// See [`Config::explain`].
    explain: bool,
}

/// Stems of the cue words (matched in lowercase or capitalised, at the start of a word).
const STEMS: &[&str] = &[
    // Verbs of joining, the first VERB_STEMS: a cue on their own (with an organization after
    // them), whose subject may be "it" or "the country".
    "join",
    "rejoin",
    "re-join",
    "becam",
    "becom",
    "admit",
    "accepted",
    "acced",
    "entered",
    "enters",
    "expand",
    "enlarg",
    // Nouns of joining, and "welcomed": a cue with their member and organization.
    "accession",
    "admission",
    "adhesion",
    "inclusion",
    "entry",
    "addition",
    "welcom",
    // Membership nouns: every other cue ("newest Ally", "the 31st member", "making X the 30th
    // Ally", "is now a full member") holds one.
    "member",
    "ally",
    "allies",
    "partner",
    "participant",
];

/// How many of [`STEMS`] are verbs: a sentence that names no entity is read only for one of
/// them ("It joined the organisation 14 years ago"), as only a verb's subject can stand for a
/// country named before.
const VERB_STEMS: usize = 12;

/// Whether the match at `start` begins a word: stems are word beginnings ("ally" in "Ally",
/// "allies", never in "finally").
fn starts_word(raw: &str, start: usize) -> bool {
    raw[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

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

/// A slug of a name: lowercase ASCII letters and digits, other runs as one `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// An organization as reported.
struct Resolved<'a> {
    id: String,
    name: String,
    span: Option<Range<usize>>,
    view: Option<SpanView<'a>>,
}

/// A new member as reported: a tagged entity of the text, or the speaker the title names.
struct Member<'a> {
    id: String,
    label: String,
    /// `country` or `organization`.
    kind: &'static str,
    view: Option<SpanView<'a>>,
}

impl<'a> Member<'a> {
    fn of(view: SpanView<'a>) -> Member<'a> {
        Member {
            id: view.id.to_string(),
            label: view.label.to_string(),
            kind: if view.kind == "country" {
                "country"
            } else {
                "organization"
            },
            view: Some(view),
        }
    }
}

/// An accession found, before it is emitted.
struct Accepted<'a> {
    cue_kind: &'static str,
    cue: Range<usize>,
    member: Member<'a>,
    org: Resolved<'a>,
}

/// What a document's title says that a passage of its text may not: the organizations it names
/// (what "the Organization", "the initiative" or an unsaid organization stand for when the text
/// names none: "INTERPOL General Assembly opens …") and the speaker of a statement ("Statement by
/// Timor-Leste …": who "we" are). Tagged with the bundled gazetteer, as the host tags the text.
#[derive(Debug, Default)]
struct TitleFacts {
    /// (id, label) of each organization, in title order.
    orgs: Vec<(String, String)>,
    /// (id, label) of the country right after "by".
    speaker: Option<(String, String)>,
    /// (id, label) of the country, when the title names one only: what "it" or "the country"
    /// stands for when the text names none before ("Finland joins NATO": "Today the country
    /// became …").
    country: Option<(String, String)>,
}

impl TitleFacts {
    fn of(title: Option<&str>) -> TitleFacts {
        static TITLE_TAGGER: OnceLock<Option<(Tagger, Normalizer)>> = OnceLock::new();
        let (Some(title), Some((tagger, normalizer))) = (
            title,
            TITLE_TAGGER
                .get_or_init(|| {
                    // Countries and organizations are all a title is read for: a third of the
                    // bundled names, so the tagger builds (once per process) in a third of the time.
                    let gazetteer = Gazetteer::builtin().of_kinds(&["country", "organization"]);
                    let tagger = Tagger::new(&gazetteer).ok()?;
                    Some((tagger, Normalizer::new()))
                })
                .as_ref(),
        ) else {
            return TitleFacts::default();
        };
        let text = normalizer.normalize(title).text;
        let mut tags = Vec::new();
        tagger.tag(&text, &mut tags);
        let mut facts = TitleFacts::default();
        let mut countries: Vec<(String, String)> = Vec::new();
        for tag in &tags {
            let pair = (tag.entity.id().to_string(), tag.entity.label().to_string());
            let kind = &**tag.entity.kind();
            if kind == "country" {
                countries.push(pair.clone());
            }
            match kind {
                "organization" => facts.orgs.push(pair),
                "country"
                    if facts.speaker.is_none()
                        && text[..tag.start]
                            .trim_end()
                            .rsplit(' ')
                            .next()
                            .is_some_and(|w| w.eq_ignore_ascii_case("by")) =>
                {
                    facts.speaker = Some(pair);
                }
                _ => {}
            }
        }
        countries.dedup();
        if let [country] = &countries[..] {
            facts.country = Some(country.clone());
        }
        facts
    }
}

/// Whether a tagged organization is a peace or military operation ("African Union Mission in
/// Somalia"): states join it with troops, not as members. (An initiative the gazetteer lacks
/// may still be a "Mission for Climate".)
fn is_operation(name: &str) -> bool {
    ["Mission in ", "Mission to ", "Mission for ", "Operation "]
        .iter()
        .any(|w| name.contains(w))
}

/// Whether a tagged organization is an organ of another whose members hold elected seats ("UN
/// Human Rights Council", "AU Peace and Security Council"): "rejoined the UN Human Rights
/// Council" is an election, not an accession.
fn is_seat_body(name: &str) -> bool {
    ["UN ", "AU "].iter().any(|p| name.starts_with(p))
        && ["Council", "Commission", "Committee", "Board"]
            .iter()
            .any(|s| name.ends_with(s))
}

/// The country "it" or "the country" stands for in sentence `s`: the first country of the last
/// sentence before it that names one (its subject: "Mozambique is the only other member without
/// historic UK ties. It joined the organisation 14 years ago.").
fn antecedent<'a>(
    spans: &[SpanView<'a>],
    sentences: &[Range<usize>],
    s: usize,
) -> Option<SpanView<'a>> {
    let last = spans
        .iter()
        .rev()
        .find(|sp| sp.kind == "country" && sp.end <= sentences[s].start)?;
    let within = sentences[..s]
        .iter()
        .rev()
        .find(|r| r.start <= last.start)
        .map_or(0, |r| r.start);
    spans
        .iter()
        .find(|sp| sp.kind == "country" && sp.start >= within)
        .copied()
}

/// The entity spans of a document that tokens are made of: the tagged kinds, without spans
/// nested inside another (a region inside a group's name).
fn entity_spans<'a>(event: &Event<'a>) -> Vec<SpanView<'a>> {
    let mut out: Vec<SpanView<'a>> = Vec::new();
    for span in event.spans() {
        if !matches!(
            span.kind,
            "country" | "organization" | "group" | "person" | "region" | "place" | "date"
        ) {
            continue;
        }
        if out.last().is_some_and(|last| span.start < last.end) {
            continue;
        }
        out.push(span);
    }
    out
}

impl Accession {
    /// Emits the alert of an accession.
    fn emit(&self, raw: &str, a: &Accepted<'_>, out: &mut Output<'_>) -> Result<(), String> {
        let (member, org) = (&a.member, &a.org);
        let kind = member.kind;
        let summary = format!("{} joins {}", member.label, org.name);
        let mut labels = vec![
            ("organization", org.id.as_str()),
            ("organization_name", org.name.as_str()),
            ("member", member.id.as_str()),
            ("member_kind", kind),
        ];
        if kind == "country" {
            labels.push(("country", member.id.as_str()));
        }
        let mut evidence = vec![NewSpan::new(
            a.cue.start,
            a.cue.end,
            "keyword",
            a.cue_kind,
            &raw[a.cue.clone()],
        )];
        if let Some(view) = member.view {
            evidence.push(NewSpan::from(view));
        }
        if let Some(span) = &org.span {
            let (id, label) = org
                .view
                .map_or((org.id.as_str(), org.name.as_str()), |v| (v.id, v.label));
            evidence.push(NewSpan::new(
                span.start,
                span.end,
                "organization",
                id,
                label,
            ));
        }
        evidence.sort_by_key(|s| (s.start, s.end));
        evidence.dedup_by_key(|s| (s.start, s.end));
        out.alert(&NewAlert {
            rule: "new_member_accession",
            severity: self.severity,
            summary: &summary,
            labels,
            evidence,
        })
        .map_err(|e| e.to_string())
    }

    /// Emits an `explain` span over each cue of a sentence: its kind, and the members and
    /// organization it read, or why it was dropped.
    fn explain_cues(
        &self,
        raw: &str,
        sentence_spans: &[SpanView<'_>],
        found: &[Found],
        dropped: &[Dropped],
        out: &mut Output<'_>,
    ) -> Result<(), String> {
        let tokens = self.tokens.list();
        let name = |i: usize| match self.tokens.entity(i) {
            _ if i == ANTECEDENT => "(the country named before)".to_string(),
            _ if i == SPEAKER => "(the speaker)".to_string(),
            Some(e) => sentence_spans[e].id.to_string(),
            None => raw[tokens[i].range.clone()].to_string(),
        };
        let mut notes: Vec<(Range<usize>, &str, String)> = Vec::new();
        for f in found {
            let members: Vec<String> = f.members.iter().map(|&m| name(m)).collect();
            let org = match &f.org {
                Org::Entity(i) => name(*i),
                Org::Anaphor(_, i) => format!("{} (anaphor)", name(*i)),
                Org::Named(a, b) => raw[tokens[*a].range.start..tokens[*b].range.end].to_string(),
                Org::Unsaid => "(from the document)".to_string(),
            };
            let range = tokens[f.cue_tokens.0].range.start..tokens[f.cue_tokens.1].range.end;
            notes.push((
                range,
                f.cue,
                format!("kept: members {} joined {org}", members.join(", ")),
            ));
        }
        for d in dropped {
            notes.push((
                tokens[d.token].range.clone(),
                d.cue,
                format!("dropped: {}", d.reason),
            ));
        }
        for (range, cue, label) in &notes {
            out.span(&NewSpan::new(range.start, range.end, "explain", cue, label))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Resolves the organization of a finding: an entity, an unknown name, or "the Alliance" /
    /// an unsaid one from the document (`orgs`, the organizations named before `at` first),
    /// else from its title. A new member never stands for the organization it joined.
    #[allow(clippy::too_many_arguments)]
    fn resolve<'a>(
        &self,
        org: &Org,
        raw: &str,
        sentence_spans: &[SpanView<'a>],
        orgs: &[SpanView<'a>],
        title: &TitleFacts,
        at: usize,
        members: &[usize],
    ) -> Option<Resolved<'a>> {
        let entity = |view: SpanView<'a>| Resolved {
            id: view.id.to_string(),
            name: view.label.to_string(),
            span: Some(view.start..view.end),
            view: Some(view),
        };
        let span_of = |i: usize| self.tokens.list()[i].range.clone();
        let member_ids: Vec<&str> = members
            .iter()
            .filter_map(|&m| self.tokens.entity(m))
            .map(|e| sentence_spans[e].id)
            .collect();
        let not_member = |id: &str| !member_ids.contains(&id);
        let from_title = |(id, label): &(String, String), span: Option<Range<usize>>| Resolved {
            id: id.clone(),
            name: label.clone(),
            span,
            view: None,
        };
        match org {
            Org::Entity(i) => {
                let e = self.tokens.entity(*i)?;
                Some(entity(sentence_spans[e]))
            }
            Org::Named(a, b) => {
                let range = span_of(*a).start..span_of(*b).end;
                let name = raw[range.clone()].to_string();
                Some(Resolved {
                    id: slug(&name),
                    name,
                    span: Some(range),
                    view: None,
                })
            }
            Org::Anaphor(head, i) => {
                let of_kind = |id: &str, label: &str| {
                    label.to_ascii_lowercase().contains(head)
                        || (*head == "alliance" && id == "nato")
                };
                // A member that is the organization itself is dropped below.
                let matches = |o: &&SpanView<'_>| of_kind(o.id, o.label);
                // A generic head ("the organization", "the regional grouping") stands for the
                // organization named last before it.
                let generic = GENERIC_HEADS.contains(head);
                let before = self.tokens.list()[*i].range.start;
                let found = orgs
                    .iter()
                    .filter(|o| o.end <= at)
                    .rev()
                    .find(matches)
                    .or_else(|| orgs.iter().find(matches));
                if let Some(o) = found {
                    return Some(Resolved {
                        span: Some(span_of(*i)),
                        ..entity(*o)
                    });
                }
                // The title's organization of that kind, else, for a generic head, the last one
                // the text named before (not a member), else the title's first.
                let titled = |generic: bool| {
                    title
                        .orgs
                        .iter()
                        .find(|(id, label)| not_member(id) && (generic || of_kind(id, label)))
                };
                if let Some(o) = titled(false) {
                    return Some(from_title(o, Some(span_of(*i))));
                }
                if generic {
                    if let Some(o) = orgs
                        .iter()
                        .rev()
                        .find(|o| o.end <= before && not_member(o.id))
                    {
                        return Some(Resolved {
                            span: Some(span_of(*i)),
                            ..entity(*o)
                        });
                    }
                    if let Some(o) = titled(true) {
                        return Some(from_title(o, Some(span_of(*i))));
                    }
                }
                let range = span_of(*i);
                // "the Alliance", capitalised, with no alliance named: NATO, as communiqués
                // write it.
                let nato = *head == "alliance" && self.tokens.list()[*i].capital;
                Some(Resolved {
                    id: if nato { "nato" } else { head }.to_string(),
                    name: raw[range.clone()].to_string(),
                    span: Some(range),
                    view: None,
                })
            }
            Org::Unsaid => {
                // An organization named in the sentence that is not a member, else the last one
                // named before it.
                let in_sentence = (0..self.tokens.len()).find(|&k| {
                    !members.contains(&k)
                        && !clause::affiliation(&self.tokens, k)
                        && self
                            .tokens
                            .entity(k)
                            .is_some_and(|e| sentence_spans[e].kind == "organization")
                });
                if let Some(k) = in_sentence {
                    return Some(entity(sentence_spans[self.tokens.entity(k)?]));
                }
                if let Some(o) = orgs.iter().rev().find(|o| o.end <= at) {
                    return Some(Resolved {
                        span: None,
                        ..entity(*o)
                    });
                }
                // "Poland, Hungary and the Czech Republic are the first new members" under
                // "Poles, Hungarians, Czechs Join NATO Fold".
                title
                    .orgs
                    .iter()
                    .find(|(id, _)| not_member(id))
                    .map(|o| from_title(o, None))
            }
        }
    }
}

impl Stage for Accession {
    const NAME: &'static str = "accession";
    const VERSION: &'static str = "0.2.0";
    const CONFIG_SCHEMA: &'static str = r#"{"type":"object","properties":{"severity":{"enum":["info","low","medium","high","critical"]},"regions":{"type":"array"},"places":{"type":"array"},"explain":{"type":"boolean"}},"additionalProperties":false}"#;
    const CAPABILITIES: u64 = commwatch_plugin_sdk::abi::CAP_EMITS_ALERTS;

    fn new(config: &str) -> Result<Self, String> {
        let config: Config = commwatch_plugin_sdk::parse_config(config)?;
        // Each stem in lowercase and capitalised (a cue in ALL-CAPS text is not read): matched
        // as written, the automaton gets a SIMD prefilter that skips most of the text, where a
        // case-insensitive one walks every byte.
        let forms: Vec<String> = STEMS
            .iter()
            .flat_map(|s| {
                let mut capital = s.to_string();
                capital[..1].make_ascii_uppercase();
                [s.to_string(), capital]
            })
            .collect();
        let stems = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(&forms)
            .map_err(|e| e.to_string())?;
        Ok(Accession {
            severity: severity(config.severity.as_deref())?,
            stems,
            tokens: Tokens::default(),
            explain: config.explain,
        })
    }

    fn process(&mut self, event: &Event<'_>, out: &mut Output<'_>) -> Result<Outcome, String> {
        let raw = event.raw();
        let spans = entity_spans(event);
        // A text that names no member nor organization may still report "it joined" of the
        // country its title names.
        if event.title().is_none()
            && !spans
                .iter()
                .any(|s| s.kind == "country" || s.kind == "organization")
        {
            return Ok(Outcome::Keep);
        }
        let orgs: Vec<SpanView<'_>> = spans
            .iter()
            .filter(|s| s.kind == "organization")
            .copied()
            .collect();
        let sentences = event.sentence_ranges();
        // The sentences with a cue stem, found in one scan of the document.
        // Each candidate: the sentence, and whether a verb stem is in it.
        let mut candidates: Vec<(usize, bool)> = Vec::new();
        let mut s = 0;
        for m in self.stems.find_iter(raw) {
            while s < sentences.len() && sentences[s].end <= m.start() {
                s += 1;
            }
            if s >= sentences.len()
                || sentences[s].start > m.start()
                || !starts_word(raw, m.start())
            {
                continue;
            }
            let verb = m.pattern().as_usize() / 2 < VERB_STEMS;
            match candidates.last_mut() {
                Some((last, v)) if *last == s => *v |= verb,
                _ => candidates.push((s, verb)),
            }
        }
        let mut found: Vec<Found> = Vec::new();
        let mut dropped: Vec<Dropped> = Vec::new();
        let mut accessions: Vec<Accepted<'_>> = Vec::new();
        // Members of cues dropped as pending: a later "Croatia's accession marks…" restates
        // what the document said is still to come ("Croatia will become…").
        let mut pending: Vec<&str> = Vec::new();
        let mut sentence_spans: Vec<SpanView<'_>> = Vec::new();
        let first_country = spans.iter().find(|s| s.kind == "country").map(|s| s.start);
        let title = if candidates.is_empty() {
            TitleFacts::default()
        } else {
            TitleFacts::of(event.title())
        };
        for &(s, verb) in &candidates {
            let sentence = sentences[s].clone();
            let first = spans.partition_point(|sp| sp.start < sentence.start);
            let last = spans.partition_point(|sp| sp.start < sentence.end);
            sentence_spans.clear();
            sentence_spans.extend(
                spans[first..last]
                    .iter()
                    .filter(|sp| sp.end <= sentence.end)
                    .copied(),
            );
            // A sentence that names no member or organization can only report "it joined"
            // (a verb) for a country named before.
            let names = sentence_spans
                .iter()
                .any(|sp| sp.kind == "country" || sp.kind == "organization");
            let country_before =
                first_country.is_some_and(|at| at < sentence.start) || title.country.is_some();
            if !(names || verb && country_before) {
                continue;
            }
            self.tokens.tokenize(raw, sentence.clone(), &sentence_spans);
            found.clear();
            dropped.clear();
            let role = |e: usize| match sentence_spans[e].kind {
                "country" => Role::Member,
                "organization" => Role::Organization,
                _ => Role::Other,
            };
            Reader::new(&self.tokens, raw, role).read(&mut found, &mut dropped);
            if self.explain {
                self.explain_cues(raw, &sentence_spans, &found, &dropped, out)?;
            }
            for d in &dropped {
                for &m in &d.members {
                    if let Some(e) = self.tokens.entity(m).filter(|_| m != ANTECEDENT) {
                        pending.push(sentence_spans[e].id);
                    }
                }
            }
            for f in &found {
                let Some(org) = self.resolve(
                    &f.org,
                    raw,
                    &sentence_spans,
                    &orgs,
                    &title,
                    sentence.start,
                    &f.members,
                ) else {
                    continue;
                };
                if org.view.is_some() && (is_operation(&org.name) || is_seat_body(&org.name)) {
                    continue;
                }
                let cue = self.tokens.list()[f.cue_tokens.0].range.start
                    ..self.tokens.list()[f.cue_tokens.1].range.end;
                for &m in &f.members {
                    let titled = |country: &Option<(String, String)>| {
                        country.as_ref().map(|(id, label)| Member {
                            id: id.clone(),
                            label: label.clone(),
                            kind: "country",
                            view: None,
                        })
                    };
                    let member = if m == ANTECEDENT {
                        match antecedent(&spans, &sentences, s).map(Member::of) {
                            Some(member) => member,
                            None => match titled(&title.country) {
                                Some(member) => member,
                                None => continue,
                            },
                        }
                    } else if m == SPEAKER {
                        match titled(&title.speaker) {
                            Some(member) => member,
                            None => continue,
                        }
                    } else {
                        let Some(e) = self.tokens.entity(m) else {
                            continue;
                        };
                        Member::of(sentence_spans[e])
                    };
                    let same = member.id == org.id
                        || org
                            .span
                            .as_ref()
                            .zip(member.view)
                            .is_some_and(|(o, v)| o.start == v.start);
                    let repeat = accessions
                        .iter()
                        .any(|a| a.org.id == org.id && a.member.id == member.id);
                    if same || repeat {
                        continue;
                    }
                    accessions.push(Accepted {
                        cue_kind: f.cue,
                        cue: cue.clone(),
                        member,
                        org: Resolved {
                            id: org.id.clone(),
                            name: org.name.clone(),
                            span: org.span.clone(),
                            view: org.view,
                        },
                    });
                }
            }
        }
        for a in &accessions {
            if a.cue_kind == "accession" && pending.contains(&a.member.id.as_str()) {
                continue;
            }
            self.emit(raw, a, out)?;
        }
        Ok(Outcome::Keep)
    }
}

export_stage!(Accession);

#[cfg(test)]
mod tests {
    use super::*;
    use commwatch_plugin_sdk::testing::{TestEvent, TestSpan, run};

    /// `raw` with spans over the first occurrence of each (text, kind, id).
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

    /// The (organization, member) pairs raised on `raw`.
    fn pairs(raw: &str, spans: &[(&str, &str, &str)]) -> Vec<(String, String)> {
        pairs_titled(raw, None, spans)
    }

    /// The (organization, member) pairs raised on `raw` under `title`.
    fn pairs_titled(
        raw: &str,
        title: Option<&str>,
        spans: &[(&str, &str, &str)],
    ) -> Vec<(String, String)> {
        let mut stage = Accession::new("{}").unwrap();
        let mut ev = event(raw, spans);
        ev.title = title.map(str::to_string);
        let out = run(&mut stage, &ev).unwrap();
        out.alerts
            .iter()
            .map(|a| {
                (
                    a.label("organization").unwrap().to_string(),
                    a.label("member").unwrap().to_string(),
                )
            })
            .collect()
    }

    /// A tagged entity of a test: (text, kind, id).
    type Tag<'a> = (&'a str, &'a str, &'a str);

    /// An expected (organization, member) pair.
    type Pair<'a> = (&'a str, &'a str);

    fn p(org: &str, member: &str) -> (String, String) {
        (org.to_string(), member.to_string())
    }

    #[test]
    fn new_members_listed_after_the_coalition_they_join() {
        // The seed's word-spun sentence: "the particular Coalition" is an anaphor like "the
        // Coalition", resolved to the coalition the document named before.
        let raw = "The Global Coalition to Defeat Daesh/ISIS met in Rome. The Ministers welcomed new members \
                   joining the particular Coalition – Central African Republic, Democratic Republic from the Congo, \
                   Mauritania, and Yemen.";
        let spans = [
            (
                "Global Coalition to Defeat Daesh/ISIS",
                "organization",
                "d-isis-coalition",
            ),
            ("Rome", "place", "rome"),
            ("Central African Republic", "country", "CF"),
            ("Democratic Republic from the Congo", "country", "CD"),
            ("Mauritania", "country", "MR"),
            ("Yemen", "country", "YE"),
        ];
        assert_eq!(
            pairs(raw, &spans),
            [
                p("d-isis-coalition", "CF"),
                p("d-isis-coalition", "CD"),
                p("d-isis-coalition", "MR"),
                p("d-isis-coalition", "YE")
            ]
        );
    }

    #[test]
    fn subjects_objects_and_ordinals() {
        let cases: &[(&str, &[Tag<'_>], &[Pair<'_>])] = &[
            (
                "Finland and Sweden have both joined NATO.",
                &[
                    ("Finland", "country", "FI"),
                    ("Sweden", "country", "SE"),
                    ("NATO", "organization", "nato"),
                ],
                &[("nato", "FI"), ("nato", "SE")],
            ),
            (
                "The United States welcomes Sweden as the thirty-second member of NATO.",
                &[
                    ("United States", "country", "US"),
                    ("Sweden", "country", "SE"),
                    ("NATO", "organization", "nato"),
                ],
                &[("nato", "SE")],
            ),
            (
                "Timor-Leste became the one hundred and ninety-first Member State of the United Nations.",
                &[
                    ("Timor-Leste", "country", "TL"),
                    ("United Nations", "organization", "un"),
                ],
                &[("un", "TL")],
            ),
            (
                "The Federated States of Micronesia was admitted as the Organization's 195th member country.",
                &[("Federated States of Micronesia", "country", "FM")],
                &[("organization", "FM")],
            ),
            (
                "The African Union joined the G20 as a permanent member.",
                &[
                    ("African Union", "organization", "au"),
                    ("G20", "organization", "g20"),
                ],
                &[("g20", "au")],
            ),
            (
                "Ecuador has joined the Alliance for Development and Democracy.",
                &[("Ecuador", "country", "EC")],
                &[("alliance-for-development-and-democracy", "EC")],
            ),
            (
                "Since joining NATO in 2004, Estonia has hosted Allied troops.",
                &[
                    ("NATO", "organization", "nato"),
                    ("Estonia", "country", "EE"),
                ],
                &[("nato", "EE")],
            ),
            (
                "Kazakhstan acceded to the WTO in 2015; Croatia is now a full member of the EU.",
                &[
                    ("Kazakhstan", "country", "KZ"),
                    ("WTO", "organization", "wto"),
                    ("Croatia", "country", "HR"),
                    ("EU", "organization", "eu"),
                ],
                &[("wto", "KZ"), ("eu", "HR")],
            ),
            (
                "Bhutan was admitted to membership in the United Nations in 1971.",
                &[
                    ("Bhutan", "country", "BT"),
                    ("United Nations", "organization", "un"),
                ],
                &[("un", "BT")],
            ),
            (
                "Kosovo joined the IMF and the World Bank in 2009.",
                &[
                    ("Kosovo", "country", "XK"),
                    ("IMF", "organization", "imf"),
                    ("World Bank", "organization", "world-bank"),
                ],
                &[("world-bank", "XK"), ("imf", "XK")],
            ),
            (
                "Canada joined NATO and the EU in condemning the attack.",
                &[
                    ("Canada", "country", "CA"),
                    ("NATO", "organization", "nato"),
                    ("EU", "organization", "eu"),
                ],
                &[],
            ),
            (
                "Timor-Leste was formally admitted as ASEAN's 11th member at the summit.",
                &[
                    ("Timor-Leste", "country", "TL"),
                    ("ASEAN", "organization", "asean"),
                ],
                &[("asean", "TL")],
            ),
            (
                "Kazakhstan acceded to the Convention.",
                &[("Kazakhstan", "country", "KZ")],
                &[],
            ),
            (
                "Together with our newest Ally, Finland, we stand united.",
                &[("Finland", "country", "FI")],
                &[],
            ),
        ];
        for (raw, spans, want) in cases {
            let want: Vec<_> = want.iter().map(|(o, m)| p(o, m)).collect();
            assert_eq!(pairs(raw, spans), want, "{raw}");
        }
    }

    #[test]
    fn pending_hoped_for_negated_and_other_senses_do_not_fire() {
        let nato = ("NATO", "organization", "nato");
        let sweden = ("Sweden", "country", "SE");
        let cases: &[(&str, &[Tag<'_>])] = &[
            (
                "Sweden will join NATO as soon as possible.",
                &[sweden, nato],
            ),
            ("We support Sweden's accession to NATO.", &[sweden, nato]),
            (
                "We look forward to welcoming Sweden as NATO's newest Ally.",
                &[sweden, nato],
            ),
            ("Sweden applied to join NATO.", &[sweden, nato]),
            (
                "Sweden's NATO accession protocols were sent to the Senate for ratification.",
                &[sweden, nato],
            ),
            ("Sweden has not joined NATO.", &[sweden, nato]),
            (
                "Sweden joined NATO leaders in condemning the attack.",
                &[sweden, nato],
            ),
            (
                "Sweden joined NATO in condemning the attack.",
                &[sweden, nato],
            ),
            ("Sweden joined the NATO summit at Vilnius.", &[sweden, nato]),
            ("Sweden joined the call.", &[sweden]),
            (
                "Troops from Sweden joined NATO in the exercise.",
                &[sweden, nato],
            ),
            ("Sweden joined the mission in Kosovo.", &[sweden]),
            (
                "Sweden joined the UN Mission in South Sudan in 2012.",
                &[
                    sweden,
                    ("UN Mission in South Sudan", "organization", "unmiss"),
                ],
            ),
            (
                "Sweden became a member of the steering committee.",
                &[sweden],
            ),
            (
                "Sweden rejoined the UN Human Rights Council in 2024.",
                &[sweden, ("UN Human Rights Council", "organization", "unhrc")],
            ),
            (
                "President Biden was joined by Sweden and NATO.",
                &[sweden, nato],
            ),
            ("Sweden joined the Paris Agreement.", &[sweden]),
            (
                "Sweden was elected as a non-permanent member of the Security Council.",
                &[sweden, ("Security Council", "organization", "unsc")],
            ),
            (
                "Sweden, a new member of NATO, will host the summit.",
                &[sweden, nato],
            ),
        ];
        for (raw, spans) in cases {
            let got = pairs(raw, spans);
            let pending_future = raw.contains("will host");
            if pending_future {
                // An appositive restates a completed accession; the verb after it is not the
                // cue's.
                assert_eq!(got, [p("nato", "SE")], "{raw}");
            } else {
                assert!(got.is_empty(), "{raw}: {got:?}");
            }
        }
    }

    #[test]
    fn the_title_says_what_the_passage_leaves_unsaid() {
        let tonga = ("Kingdom of Tonga", "country", "TO");
        let cases: &[(&str, &str, &[Tag<'_>], &[Pair<'_>])] = &[
            // "the Organization" with no organization in the text: the title's.
            (
                "INTERPOL General Assembly meets in Lyon",
                "The Kingdom of Tonga was admitted as the Organization's 197th member country.",
                &[tonga],
                &[("interpol", "TO")],
            ),
            // A generic head: the title's first organization.
            (
                "Tonga becomes a member of the UN",
                "After years of debate, the Kingdom of Tonga formally joined the organization.",
                &[tonga],
                &[("un", "TO")],
            ),
            // Unsaid: the organization of the title.
            (
                "Iceland and Norway join the OSCE",
                "Iceland and Norway are the first new members in a decade.",
                &[("Iceland", "country", "IS"), ("Norway", "country", "NO")],
                &[("osce", "IS"), ("osce", "NO")],
            ),
            // "it", "the country": the one country the title names, when the text names none
            // before.
            (
                "Tonga joins the Commonwealth",
                "Today the country became the 51st member of the Commonwealth.",
                &[("Commonwealth", "organization", "commonwealth")],
                &[("commonwealth", "TO")],
            ),
            (
                "Tonga and Fiji meet in Suva",
                "It joined the Commonwealth in 1970.",
                &[("Commonwealth", "organization", "commonwealth")],
                &[],
            ),
            // An office holder's organization is not the one joined.
            (
                "Tonga joins the Commonwealth",
                "The President of the Pacific Islands Forum also welcomed Tonga's accession.",
                &[
                    ("Pacific Islands Forum", "organization", "pif"),
                    ("Tonga", "country", "TO"),
                ],
                &[("commonwealth", "TO")],
            ),
            // "we": the speaker of a statement the title names after "by".
            (
                "Statement by Nepal in the General Debate",
                "Since we joined the United Nations in 1955, we have stood for peace.",
                &[("United Nations", "organization", "un")],
                &[("un", "NP")],
            ),
            (
                "Statement by Nepal in the General Debate",
                "This year marks the 70th anniversary of our admission to the United Nations.",
                &[("United Nations", "organization", "un")],
                &[("un", "NP")],
            ),
            (
                "Statement by Nepal in the General Debate",
                "Since joining the United Nations, we have stood for peace.",
                &[("United Nations", "organization", "un")],
                &[("un", "NP")],
            ),
            (
                "Statement by Nepal in the General Debate",
                "We look forward to our accession to the WTO.",
                &[("WTO", "organization", "wto")],
                &[],
            ),
            (
                "Remarks by the President on Nepal",
                "Since we joined the United Nations in 1955, we have stood for peace.",
                &[("United Nations", "organization", "un")],
                &[],
            ),
            // "an active participant of all UN processes" is no membership of one body.
            (
                "Statement by Nepal in the General Debate",
                "Our country has become an active participant of all UN processes.",
                &[("UN", "organization", "un")],
                &[],
            ),
        ];
        for (title, raw, spans, want) in cases {
            let want: Vec<_> = want.iter().map(|(o, m)| p(o, m)).collect();
            assert_eq!(pairs_titled(raw, Some(title), spans), want, "{raw}");
        }
    }

    #[test]
    fn members_given_by_a_noun_a_pronoun_or_another_clause() {
        let cases: &[(&str, &[Tag<'_>], &[Pair<'_>])] = &[
            // A generic anaphor never stands for the member itself.
            (
                "At the G7 meeting in Apulia, Italy announced the addition of the European Union as a full member of the grouping.",
                &[
                    ("G7", "organization", "g7"),
                    ("Apulia", "place", "apulia"),
                    ("Italy", "country", "IT"),
                    ("European Union", "organization", "eu"),
                ],
                &[("g7", "eu")],
            ),
            // "their countries": the countries the sentence named.
            (
                "The foreign ministers of Chile and of Peru spoke after their countries were admitted as full members of the Pacific Alliance.",
                &[("Chile", "country", "CL"), ("Peru", "country", "PE")],
                &[("pacific-alliance", "CL"), ("pacific-alliance", "PE")],
            ),
            // The one praised is the subject of the gerund.
            (
                "The Embassy congratulates the Timorese government on becoming the eleventh member of ASEAN.",
                &[
                    ("Timorese", "country", "TL"),
                    ("ASEAN", "organization", "asean"),
                ],
                &[("asean", "TL")],
            ),
            // A participle of result takes the main clause's subject; a done procedure is not
            // pending.
            (
                "Albania and Croatia have deposited the ratification documents, thereby formally becoming members of the Alliance.",
                &[("Albania", "country", "AL"), ("Croatia", "country", "HR")],
                &[("nato", "AL"), ("nato", "HR")],
            ),
            // "the bloc's entry": the organization named before.
            (
                "The African Union Commission chairperson welcomed the bloc's entry into the G20 as a permanent member.",
                &[
                    ("African Union Commission", "organization", "au"),
                    ("G20", "organization", "g20"),
                ],
                &[("g20", "au")],
            ),
            // An organization by an acronym the gazetteer lacks.
            (
                "Slovenia's accession as a new CERN Member State was completed in 2017.",
                &[("Slovenia", "country", "SI")],
                &[("cern", "SI")],
            ),
            // An instrument of accession to an organization's founding convention, not to
            // another treaty.
            (
                "Peru completed its domestic procedures for ratification of the OECD Convention and deposited its instrument of accession.",
                &[("Peru", "country", "PE"), ("OECD", "organization", "oecd")],
                &[("oecd", "PE")],
            ),
            (
                "Peru deposited its instrument of accession to the Rome Statute.",
                &[("Peru", "country", "PE")],
                &[],
            ),
            // "It": the first country of the sentence before.
            (
                "Gabon, like Togo, has no historic UK ties. It joined the Commonwealth in 2022.",
                &[
                    ("Gabon", "country", "GA"),
                    ("Togo", "country", "TG"),
                    ("UK", "country", "GB"),
                    ("Commonwealth", "organization", "commonwealth"),
                ],
                &[("commonwealth", "GA")],
            ),
            // "ORG has accepted A (date), B (date) and C (date) as members".
            (
                "Since 2000 the OECD has accepted four nations - Chile (May 2010), Slovenia (July 2010), Israel (September 2010) and Estonia (December 2010) - as members.",
                &[
                    ("OECD", "organization", "oecd"),
                    ("Chile", "country", "CL"),
                    ("Slovenia", "country", "SI"),
                    ("Israel", "country", "IL"),
                    ("Estonia", "country", "EE"),
                ],
                &[
                    ("oecd", "CL"),
                    ("oecd", "SI"),
                    ("oecd", "IL"),
                    ("oecd", "EE"),
                ],
            ),
            // A decision to admit, taken, is the admission; one still to be taken is not.
            (
                "The ministers have decided to admit Andorra as the 58th OSCE participating State.",
                &[
                    ("Andorra", "country", "AD"),
                    ("OSCE", "organization", "osce"),
                ],
                &[("osce", "AD")],
            ),
            (
                "The ministers will decide to admit Andorra as the 58th OSCE participating State.",
                &[
                    ("Andorra", "country", "AD"),
                    ("OSCE", "organization", "osce"),
                ],
                &[],
            ),
            // The second of two complements of "became".
            (
                "In 1960 Nigeria became a republic and, soon after, a member of the African Union.",
                &[
                    ("Nigeria", "country", "NG"),
                    ("African Union", "organization", "au"),
                ],
                &[("au", "NG")],
            ),
            // "an organization" describes the one named before.
            (
                "Peru has long prepared for the OECD. Today it joins an organization whose members share its values.",
                &[("Peru", "country", "PE"), ("OECD", "organization", "oecd")],
                &[("oecd", "PE")],
            ),
            // A passive "welcomed as".
            (
                "Montenegro was formally welcomed as the Alliance's 29th member in Brussels.",
                &[
                    ("Montenegro", "country", "ME"),
                    ("Brussels", "place", "brussels"),
                ],
                &[("nato", "ME")],
            ),
            // Membership obtained, gained or granted.
            (
                "In 1995 Austria gained membership in the European Union.",
                &[
                    ("Austria", "country", "AT"),
                    ("European Union", "organization", "eu"),
                ],
                &[("eu", "AT")],
            ),
            (
                "Kiribati was granted full membership of the Commonwealth at the meeting.",
                &[
                    ("Kiribati", "country", "KI"),
                    ("Commonwealth", "organization", "commonwealth"),
                ],
                &[("commonwealth", "KI")],
            ),
            (
                "Moldova hopes to be granted membership of the European Union.",
                &[
                    ("Moldova", "country", "MD"),
                    ("European Union", "organization", "eu"),
                ],
                &[],
            ),
            (
                "Samoa was accepted as a full member of the Commonwealth in 1970.",
                &[
                    ("Samoa", "country", "WS"),
                    ("Commonwealth", "organization", "commonwealth"),
                ],
                &[("commonwealth", "WS")],
            ),
            // A membership said to take effect, not one said to do anything else.
            (
                "Austria's membership of the European Union took effect on 1 January 1995.",
                &[
                    ("Austria", "country", "AT"),
                    ("European Union", "organization", "eu"),
                ],
                &[("eu", "AT")],
            ),
            (
                "Austria's membership of the European Union shapes its trade.",
                &[
                    ("Austria", "country", "AT"),
                    ("European Union", "organization", "eu"),
                ],
                &[],
            ),
            // "took its seat as the Nth member", not as an elected one.
            (
                "Montenegro took its seat as the 192nd member of the United Nations.",
                &[
                    ("Montenegro", "country", "ME"),
                    ("United Nations", "organization", "un"),
                ],
                &[("un", "ME")],
            ),
            (
                "Malta took its seat as a non-permanent member of the Security Council.",
                &[
                    ("Malta", "country", "MT"),
                    ("Security Council", "organization", "unsc"),
                ],
                &[],
            ),
            // "became the first … to join ORG", not to join something else.
            (
                "Slovenia and Croatia became the first former Yugoslav republics to join the EU.",
                &[
                    ("Slovenia", "country", "SI"),
                    ("Croatia", "country", "HR"),
                    ("EU", "organization", "eu"),
                ],
                &[("eu", "SI"), ("eu", "HR")],
            ),
            (
                "Slovenia became the first country to join the call.",
                &[("Slovenia", "country", "SI")],
                &[],
            ),
            // "became part of ORG", not of something of the organization's.
            (
                "Albania became part of NATO in 2009.",
                &[
                    ("Albania", "country", "AL"),
                    ("NATO", "organization", "nato"),
                ],
                &[("nato", "AL")],
            ),
            (
                "Albania became part of NATO's air policing.",
                &[
                    ("Albania", "country", "AL"),
                    ("NATO", "organization", "nato"),
                ],
                &[],
            ),
            // "with the accession of X, ORG …": the organization of the clause it opens,
            // when that clause is stated.
            (
                "With the accession of Croatia, the EU now has 28 member states.",
                &[("Croatia", "country", "HR"), ("EU", "organization", "eu")],
                &[("eu", "HR")],
            ),
            (
                "With the accession of Serbia, the EU would have 28 member states.",
                &[("Serbia", "country", "RS"), ("EU", "organization", "eu")],
                &[],
            ),
            (
                "Following the accession of Kazakhstan, the WTO counted 162 members.",
                &[
                    ("Kazakhstan", "country", "KZ"),
                    ("WTO", "organization", "wto"),
                ],
                &[("wto", "KZ")],
            ),
            (
                "With Bulgaria's accession, the EU now counts 27 member states.",
                &[("Bulgaria", "country", "BG"), ("EU", "organization", "eu")],
                &[("eu", "BG")],
            ),
            // A pending word in a fronted phrase of time is over; in the main clause it is not.
            (
                "After a decade-long accession process, Samoa became a full member of the WTO.",
                &[("Samoa", "country", "WS"), ("WTO", "organization", "wto")],
                &[("wto", "WS")],
            ),
            (
                "After a decade of talks, Samoa will become a full member of the WTO.",
                &[("Samoa", "country", "WS"), ("WTO", "organization", "wto")],
                &[],
            ),
            // A list set off by dashes before the verb; a gapped clause with its own date.
            (
                "Three states - Malta, Cyprus and Slovenia - joined the EU in 2004.",
                &[
                    ("Malta", "country", "MT"),
                    ("Cyprus", "country", "CY"),
                    ("Slovenia", "country", "SI"),
                    ("EU", "organization", "eu"),
                ],
                &[("eu", "MT"), ("eu", "CY"), ("eu", "SI")],
            ),
            (
                "Liechtenstein - a small state between Austria and Switzerland - joined the EFTA in 1991.",
                &[
                    ("Liechtenstein", "country", "LI"),
                    ("Austria", "country", "AT"),
                    ("Switzerland", "country", "CH"),
                    ("EFTA", "organization", "efta"),
                ],
                &[("efta", "LI")],
            ),
            (
                "Austria joined the EU in 1995 and Malta in 2004.",
                &[
                    ("Austria", "country", "AT"),
                    ("EU", "organization", "eu"),
                    ("Malta", "country", "MT"),
                ],
                &[("eu", "AT"), ("eu", "MT")],
            ),
            (
                "Austria joined the EU in 1995, and Serbia in 2030 may follow.",
                &[
                    ("Austria", "country", "AT"),
                    ("EU", "organization", "eu"),
                    ("Serbia", "country", "RS"),
                ],
                &[("eu", "AT")],
            ),
            // Lists by date after "the accession of".
            (
                "Following the accession of Austria and Finland in 1995; and Malta in 2004, the EU counted 25 members.",
                &[
                    ("Austria", "country", "AT"),
                    ("Finland", "country", "FI"),
                    ("Malta", "country", "MT"),
                    ("EU", "organization", "eu"),
                ],
                &[("eu", "AT"), ("eu", "FI"), ("eu", "MT")],
            ),
            // A closed relative clause says nothing of the cue's modality; one on the
            // accession may say it is done.
            (
                "Japan, which long backed the bid, welcomed Samoa as the WTO's 153rd member.",
                &[
                    ("Japan", "country", "JP"),
                    ("Samoa", "country", "WS"),
                    ("WTO", "organization", "wto"),
                ],
                &[("wto", "WS")],
            ),
            (
                "Samoa's accession to the WTO, which was completed in May, opens new markets.",
                &[("Samoa", "country", "WS"), ("WTO", "organization", "wto")],
                &[("wto", "WS")],
            ),
            (
                "Samoa's accession to the WTO, which is still pending, would open new markets.",
                &[("Samoa", "country", "WS"), ("WTO", "organization", "wto")],
                &[],
            ),
            // "May" the month is no modal.
            (
                "In May, Samoa became the WTO's 153rd member.",
                &[("Samoa", "country", "WS"), ("WTO", "organization", "wto")],
                &[("wto", "WS")],
            ),
            (
                "Thanks to the support of all members, Samoa has become the WTO's 153rd member.",
                &[("Samoa", "country", "WS"), ("WTO", "organization", "wto")],
                &[("wto", "WS")],
            ),
            // The participle after "joined ORG," is the joiner's.
            (
                "Croatia joined the European Union, becoming the Union's 28th member.",
                &[
                    ("Croatia", "country", "HR"),
                    ("European Union", "organization", "eu"),
                ],
                &[("eu", "HR")],
            ),
            // A longer name than the organization's: a grouping, or a body with elected seats.
            (
                "Mexico became a member of the United Nations Friends of the Ocean Group.",
                &[
                    ("Mexico", "country", "MX"),
                    ("United Nations", "organization", "un"),
                ],
                &[("united-nations-friends-of-the-ocean-group", "MX")],
            ),
            (
                "Chile joins the OAS, the United Nations Alliance of Civilizations and those states that condemned the attack.",
                &[
                    ("Chile", "country", "CL"),
                    ("OAS", "organization", "oas"),
                    ("United Nations", "organization", "un"),
                ],
                &[],
            ),
            (
                "Mexico joined the UN Human Rights Committee.",
                &[("Mexico", "country", "MX"), ("UN", "organization", "un")],
                &[],
            ),
        ];
        for (raw, spans, want) in cases {
            let want: Vec<_> = want.iter().map(|(o, m)| p(o, m)).collect();
            assert_eq!(pairs(raw, spans), want, "{raw}");
        }
    }

    #[test]
    fn a_modal_keeps_its_subject_pending() {
        // The later "Iceland's accession" restates what "will become" says is to come.
        let raw = "Iceland will become the 30th member of the Union on 1 May. Iceland's accession marks a new chapter.";
        let mut ev = event(raw, &[("Iceland", "country", "IS")]);
        let second = raw.rfind("Iceland").unwrap();
        ev.spans.push(TestSpan {
            start: second,
            end: second + "Iceland".len(),
            ..ev.spans[0].clone()
        });
        let mut stage = Accession::new("{}").unwrap();
        assert!(run(&mut stage, &ev).unwrap().alerts.is_empty());
    }

    #[test]
    fn the_welcoming_country_is_not_a_member() {
        let raw = "Canada welcomed Finland as NATO's 31st Ally.";
        let spans = [
            ("Canada", "country", "CA"),
            ("Finland", "country", "FI"),
            ("NATO", "organization", "nato"),
        ];
        assert_eq!(pairs(raw, &spans), [p("nato", "FI")]);
    }

    #[test]
    fn explain_says_why_each_cue_was_kept_or_dropped() {
        let raw = "Sweden will join NATO. Finland joined NATO.";
        let spans = [
            ("Sweden", "country", "SE"),
            ("NATO", "organization", "nato"),
            ("Finland", "country", "FI"),
        ];
        let mut ev = event(raw, &spans);
        ev.spans
            .push(TestSpan::find(&raw[20..], "NATO", "organization", "nato"));
        ev.spans[3].start += 20;
        ev.spans[3].end += 20;
        ev.spans.sort_by_key(|s| s.start);
        let mut stage = Accession::new(r#"{"explain": true}"#).unwrap();
        let out = run(&mut stage, &ev).unwrap();
        let notes: Vec<&str> = out
            .spans
            .iter()
            .filter(|s| s.kind == "explain")
            .map(|s| s.label.as_str())
            .collect();
        assert_eq!(notes, ["kept: members FI joined nato"]);
        // "will join" has no cue ("join" alone is never one); "will become" is dropped.
        let raw = "Sweden will become a member of NATO.";
        let out = run(&mut stage, &event(raw, &[spans[0], spans[1]])).unwrap();
        assert!(out.alerts.is_empty());
        assert_eq!(out.spans.len(), 1);
        assert!(
            out.spans[0].label.starts_with("dropped: "),
            "{:?}",
            out.spans
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Whatever the sentence — cue words, entities, punctuation in any order, cut anywhere —
        /// reading it neither panics nor reports a member that is not a tagged entity.
        #[test]
        fn any_sentence_reads_without_panic(words in proptest::collection::vec(0usize..WORDS.len(), 0..12)) {
            let mut raw = String::new();
            let mut spans = Vec::new();
            for &w in &words {
                let (text, kind) = WORDS[w];
                if !raw.is_empty() {
                    raw.push(' ');
                }
                if let Some(kind) = kind {
                    spans.push(TestSpan {
                        start: raw.len(),
                        end: raw.len() + text.len(),
                        kind: kind.into(),
                        id: text.to_ascii_lowercase(),
                        label: text.into(),
                        detail: None,
                    });
                }
                raw.push_str(text);
            }
            let ev = TestEvent { raw: raw.clone(), spans, ..TestEvent::default() };
            let mut stage = Accession::new(r#"{"explain": true}"#).unwrap();
            let out = run(&mut stage, &ev).unwrap();
            for alert in &out.alerts {
                let member = alert.label("member").unwrap();
                proptest::prop_assert!(ev.spans.iter().any(|s| s.id == member), "{raw}");
            }
        }
    }

    #[test]
    fn sentences_cut_short_after_a_cue_read_without_panic() {
        // Each once panicked: a lookahead past the last token, a lookbehind before the first.
        for raw in [
            "Finland joined the new",
            "NATO accession",
            "Finland joined the big new",
        ] {
            let spans: Vec<Tag<'_>> = [
                ("Finland", "country", "FI"),
                ("NATO", "organization", "nato"),
            ]
            .into_iter()
            .filter(|(t, _, _)| raw.contains(t))
            .collect();
            assert!(pairs(raw, &spans).is_empty(), "{raw}");
        }
    }

    /// The vocabulary of [`any_sentence_reads_without_panic`]: words and tagged entities.
    const WORDS: &[(&str, Option<&str>)] = &[
        ("joined", None),
        ("joining", None),
        ("became", None),
        ("become", None),
        ("the", None),
        ("a", None),
        ("as", None),
        ("of", None),
        ("to", None),
        ("and", None),
        (",", None),
        ("(", None),
        (")", None),
        ("-", None),
        ("new", None),
        ("newest", None),
        ("member", None),
        ("members", None),
        ("Ally", None),
        ("31st", None),
        ("thirty-first", None),
        ("one", None),
        ("hundred", None),
        ("accession", None),
        ("admission", None),
        ("admitted", None),
        ("was", None),
        ("has", None),
        ("welcomed", None),
        ("making", None),
        ("expanded", None),
        ("include", None),
        ("its", None),
        ("it", None),
        ("country", None),
        ("since", None),
        ("Coalition", None),
        ("coalition", None),
        ("Initiative", None),
        ("group", None),
        ("will", None),
        ("not", None),
        ("now", None),
        ("is", None),
        ("acceded", None),
        ("'s", None),
        (".", None),
        ("Finland", Some("country")),
        ("Sweden", Some("country")),
        ("NATO", Some("organization")),
        ("AU", Some("organization")),
        ("Biden", Some("person")),
    ];

    #[test]
    fn rejects_a_bad_severity() {
        assert!(Accession::new(r#"{"severity":"urgent"}"#).is_err());
    }
}
