//! Scoring the processed events against the labels.

use std::collections::{BTreeSet, HashMap};

use commwatch_core::{Alert, Communique, Span};
use commwatch_pipeline::Processed;
use unicode_normalization::UnicodeNormalization;

use crate::config::EvalConfig;
use crate::labels::{HEADLINE_RULES, LabelRecord};
use crate::report::{
    AccessionMetrics, CaseError, ErrorKind, EvalReport, Evidence, Metric, RuleReport,
    ThreatMetrics, Unprocessed,
};

/// The accession alert's rule id.
const ACCESSION: &str = "new_member_accession";
/// The regional-threat alert's rule id.
const THREAT: &str = "regional_threat";

/// The order of metrics in the report and the error listing.
const METRIC_ORDER: &[&str] = &[
    "new_member_accession.case",
    "new_member_accession.pair",
    "new_member_accession.member",
    "regional_threat.case",
    "regional_threat.place",
    "countries",
    "organizations",
    "groups",
];

/// A slug of a name: lowercase ASCII letters and digits, every other run of characters one `-`
/// ("Minerals Security Partnership" → `minerals-security-partnership`); accents are dropped
/// ("Côte" → `cote`).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in name.nfkd() {
        if ('\u{300}'..='\u{36f}').contains(&c) {
            continue; // a combining accent
        }
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    out
}

/// One labelled passage and what the pipeline made of it.
struct Case<'a> {
    record: &'a LabelRecord,
    alerts: Vec<&'a Alert>,
    spans: &'a [Span],
}

impl Case<'_> {
    fn alerts_of<'s>(&'s self, rule: &'s str) -> impl Iterator<Item = &'s Alert> + 's {
        self.alerts.iter().copied().filter(move |a| a.rule == rule)
    }
}

/// A predicted value and what produced it.
struct Item<'a, K> {
    key: K,
    shown: String,
    alerts: Vec<&'a Alert>,
    spans: Vec<&'a Span>,
}

/// Groups (key, shown, alert, span) into one item per key, in first-seen order.
fn group<'a, K: PartialEq>(
    found: impl Iterator<Item = (K, String, Option<&'a Alert>, Option<&'a Span>)>,
) -> Vec<Item<'a, K>> {
    let mut items: Vec<Item<'a, K>> = Vec::new();
    for (key, shown, alert, span) in found {
        let i = match items.iter().position(|i| i.key == key) {
            Some(i) => i,
            None => {
                items.push(Item {
                    key,
                    shown,
                    alerts: Vec::new(),
                    spans: Vec::new(),
                });
                items.len() - 1
            }
        };
        items[i].alerts.extend(alert);
        items[i].spans.extend(span);
    }
    items
}

/// The organization of an accession alert: its `organization` id, or only its name.
#[derive(Clone, Debug, PartialEq)]
enum Org {
    Id(String),
    NameSlug(String),
    Unknown,
}

/// A gold (organization, member) pair.
struct GoldPair {
    organization: String,
    name_slug: Option<String>,
    member: String,
}

impl GoldPair {
    fn matches(&self, org: &Org, member: &str) -> bool {
        member == self.member
            && match org {
                Org::Id(id) => *id == self.organization,
                Org::NameSlug(s) => {
                    *s == self.organization || self.name_slug.as_deref() == Some(s.as_str())
                }
                Org::Unknown => false,
            }
    }

    fn shown(&self) -> String {
        format!("{}:{}", self.organization, self.member)
    }
}

/// Collects metrics and errors.
struct Scorer<'c> {
    config: &'c EvalConfig,
    errors: Vec<CaseError>,
}

impl Scorer<'_> {
    /// A case-level metric: does the case have such an alert, should it.
    #[allow(clippy::too_many_arguments)]
    fn case_level(
        &mut self,
        metric: &mut Metric,
        name: &str,
        case: &Case<'_>,
        gold: bool,
        predicted: &[&Alert],
        gold_shown: Vec<String>,
        predicted_shown: Vec<String>,
    ) {
        metric.cases += 1;
        let kind = match (gold, !predicted.is_empty()) {
            (true, true) => {
                metric.tp += 1;
                return;
            }
            (false, false) => return,
            (false, true) => {
                metric.fp += 1;
                ErrorKind::FalsePositive
            }
            (true, false) => {
                metric.fn_ += 1;
                ErrorKind::FalseNegative
            }
        };
        let negative = (name == "new_member_accession.case" && kind == ErrorKind::FalsePositive)
            .then(|| case.record.accession_negative.clone())
            .flatten();
        let evidence: Vec<Evidence> = predicted.iter().map(|a| alert_evidence(case, a)).collect();
        let ranges = alert_ranges(predicted.iter().copied());
        self.errors.push(CaseError {
            case: case.record.id.clone(),
            metric: name.to_string(),
            kind,
            value: None,
            gold: gold_shown,
            predicted: predicted_shown,
            negative_kind: negative,
            evidence,
            passage: shorten(&case.record.text, &ranges),
        });
    }

    /// An item-level metric: each gold item matched by at most one predicted item.
    #[allow(clippy::too_many_arguments)]
    fn items<G, K>(
        &mut self,
        metric: &mut Metric,
        name: &str,
        case: &Case<'_>,
        gold: &[G],
        gold_shown: &[String],
        predicted: &[Item<'_, K>],
        matches: impl Fn(&G, &K) -> bool,
    ) {
        metric.cases += 1;
        let mut used = vec![false; predicted.len()];
        let mut missed = Vec::new();
        for (g, shown) in gold.iter().zip(gold_shown) {
            match (0..predicted.len()).find(|&i| !used[i] && matches(g, &predicted[i].key)) {
                Some(i) => used[i] = true,
                None => missed.push(shown.clone()),
            }
        }
        let predicted_shown: Vec<String> = predicted.iter().map(|p| p.shown.clone()).collect();
        metric.tp += used.iter().filter(|u| **u).count();
        for (p, _) in predicted.iter().zip(&used).filter(|(_, u)| !**u) {
            metric.fp += 1;
            let mut evidence: Vec<Evidence> =
                p.alerts.iter().map(|a| alert_evidence(case, a)).collect();
            let mut ranges = alert_ranges(p.alerts.iter().copied());
            if !p.spans.is_empty() {
                let mut quotes: Vec<String> = Vec::new();
                for s in &p.spans {
                    let q = quote(&case.record.text, s);
                    if !quotes.contains(&q) {
                        quotes.push(q);
                    }
                    ranges.push((s.start, s.end));
                }
                evidence.push(Evidence {
                    summary: None,
                    quotes,
                });
            }
            self.errors.push(CaseError {
                case: case.record.id.clone(),
                metric: name.to_string(),
                kind: ErrorKind::FalsePositive,
                value: Some(p.shown.clone()),
                gold: gold_shown.to_vec(),
                predicted: predicted_shown.clone(),
                negative_kind: None,
                evidence,
                passage: shorten(&case.record.text, &ranges),
            });
        }
        for shown in missed {
            metric.fn_ += 1;
            self.errors.push(CaseError {
                case: case.record.id.clone(),
                metric: name.to_string(),
                kind: ErrorKind::FalseNegative,
                value: Some(shown),
                gold: gold_shown.to_vec(),
                predicted: predicted_shown.clone(),
                negative_kind: None,
                evidence: Vec::new(),
                passage: shorten(&case.record.text, &[]),
            });
        }
    }

    /// The first of `labels` that `alert` has.
    fn first_label<'a>(&self, alert: &'a Alert, labels: &[String]) -> Option<&'a str> {
        labels
            .iter()
            .find_map(|l| alert.labels.get(l))
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// A regional-threat alert's place (see [`EvalConfig::place_in_evidence`]).
    fn place<'a>(&self, alert: &'a Alert) -> Option<&'a str> {
        let labels = &self.config.place_labels;
        let named = self.config.place_in_evidence.then(|| {
            labels
                .iter()
                .filter_map(|l| alert.labels.get(l))
                .find(|v| alert.evidence.iter().any(|s| &*s.id == v.as_str()))
        });
        named
            .flatten()
            .map(String::as_str)
            .or_else(|| self.first_label(alert, labels))
    }

    fn accession(
        &mut self,
        m: &mut AccessionMetrics,
        case: &Case<'_>,
        gold: &[crate::AccessionLabel],
    ) {
        let alerts: Vec<&Alert> = case.alerts_of(ACCESSION).collect();
        let mut gold_pairs: Vec<GoldPair> = Vec::new();
        for a in gold {
            if !gold_pairs
                .iter()
                .any(|p| p.organization == a.organization && p.member == a.member)
            {
                gold_pairs.push(GoldPair {
                    organization: a.organization.clone(),
                    name_slug: a.organization_name.as_deref().map(slug),
                    member: a.member.clone(),
                });
            }
        }
        let gold_shown: Vec<String> = gold_pairs.iter().map(GoldPair::shown).collect();
        let pairs = group(alerts.iter().filter_map(|a| {
            let member = self.first_label(a, &self.config.member_labels)?.to_string();
            let org = match (
                a.labels.get("organization"),
                a.labels.get("organization_name"),
            ) {
                (Some(id), _) if !id.is_empty() => Org::Id(id.clone()),
                (_, Some(name)) if !slug(name).is_empty() => Org::NameSlug(slug(name)),
                _ => Org::Unknown,
            };
            let shown = match &org {
                Org::Id(id) | Org::NameSlug(id) => format!("{id}:{member}"),
                Org::Unknown => format!("?:{member}"),
            };
            Some(((org, member), shown, Some(*a), None))
        }));
        let predicted_shown: Vec<String> = pairs.iter().map(|p| p.shown.clone()).collect();
        self.case_level(
            &mut m.case,
            "new_member_accession.case",
            case,
            !gold.is_empty(),
            &alerts,
            gold_shown.clone(),
            predicted_shown,
        );
        self.items(
            &mut m.pair,
            "new_member_accession.pair",
            case,
            &gold_pairs,
            &gold_shown,
            &pairs,
            |g, (org, member)| g.matches(org, member),
        );
        let gold_members: Vec<String> = unique(gold.iter().map(|a| a.member.clone()));
        let members = group(alerts.iter().filter_map(|a| {
            let member = self.first_label(a, &self.config.member_labels)?.to_string();
            Some((member.clone(), member, Some(*a), None))
        }));
        self.items(
            &mut m.member,
            "new_member_accession.member",
            case,
            &gold_members,
            &gold_members,
            &members,
            |g, k| g == k,
        );
    }

    fn threat(&mut self, m: &mut ThreatMetrics, case: &Case<'_>, gold: &[String]) {
        let alerts: Vec<&Alert> = case.alerts_of(THREAT).collect();
        let gold_places = unique(gold.iter().cloned());
        let places = group(alerts.iter().filter_map(|a| {
            let place = self.place(a)?.to_string();
            Some((place.clone(), place, Some(*a), None))
        }));
        let predicted_shown: Vec<String> = places.iter().map(|p| p.shown.clone()).collect();
        self.case_level(
            &mut m.case,
            "regional_threat.case",
            case,
            !gold.is_empty(),
            &alerts,
            gold_places.clone(),
            predicted_shown,
        );
        self.items(
            &mut m.place,
            "regional_threat.place",
            case,
            &gold_places,
            &gold_places,
            &places,
            |g, k| g == k,
        );
    }

    fn entities(
        &mut self,
        metric: &mut Metric,
        name: &str,
        kind: &str,
        case: &Case<'_>,
        gold: &[String],
    ) {
        let gold = unique(gold.iter().cloned());
        let found = group(
            case.spans
                .iter()
                .filter(|s| &*s.kind == kind)
                .map(|s| (s.id.to_string(), s.id.to_string(), None, Some(s))),
        );
        self.items(metric, name, case, &gold, &gold, &found, |g, k| g == k);
    }
}

fn unique(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// The raw text of a span, whitespace collapsed.
fn quote(raw: &str, span: &Span) -> String {
    collapse(raw.get(span.start..span.end).unwrap_or(""))
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn alert_evidence(case: &Case<'_>, alert: &Alert) -> Evidence {
    Evidence {
        summary: Some(alert.summary.clone()),
        quotes: alert
            .evidence
            .iter()
            .map(|s| quote(&case.record.text, s))
            .collect(),
    }
}

fn alert_ranges<'a>(alerts: impl Iterator<Item = &'a Alert>) -> Vec<(usize, usize)> {
    alerts
        .flat_map(|a| a.evidence.iter().map(|s| (s.start, s.end)))
        .collect()
}

/// Bytes of context kept on each side of the evidence.
const CONTEXT: usize = 120;
/// Bytes of a passage shown when there is no evidence to center on.
const HEAD: usize = 320;

/// The passage around the byte ranges, cut at word boundaries and whitespace collapsed; with no
/// ranges, its beginning.
pub(crate) fn shorten(raw: &str, ranges: &[(usize, usize)]) -> String {
    let (from, to) = match (
        ranges.iter().map(|r| r.0).min(),
        ranges.iter().map(|r| r.1).max(),
    ) {
        (Some(s), Some(e)) if s <= e && e <= raw.len() => {
            (s.saturating_sub(CONTEXT), (e + CONTEXT).min(raw.len()))
        }
        _ => (0, HEAD.min(raw.len())),
    };
    let mut from = from;
    while !raw.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = to;
    while !raw.is_char_boundary(to) {
        to += 1;
    }
    // Whole words: start after a space, end before one.
    if from > 0
        && let Some(i) = raw[from..].find(char::is_whitespace)
        && ranges.iter().all(|r| from + i <= r.0)
    {
        from += i;
    }
    if to < raw.len()
        && let Some(i) = raw[..to].rfind(char::is_whitespace)
        && ranges.iter().all(|r| i >= r.1)
        && i > from
    {
        to = i;
    }
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&collapse(&raw[from..to]));
    if to < raw.len() {
        out.push('…');
    }
    out
}

/// Scores `records` against what the pipeline made of them.
pub(crate) fn score(
    records: &[LabelRecord],
    processed: &Processed,
    config: &EvalConfig,
) -> EvalReport {
    let events: HashMap<&str, &Communique> = processed
        .events
        .iter()
        .map(|e| (e.id.as_str(), e))
        .collect();
    let mut report = EvalReport {
        cases: records.len(),
        ..EvalReport::default()
    };
    let mut scorer = Scorer {
        config,
        errors: Vec::new(),
    };
    let mut cases = Vec::with_capacity(records.len());
    for record in records {
        let event = events.get(record.id.as_str()).copied();
        if event.is_none() {
            let reason = match processed.failed.iter().find(|f| f.id == record.id) {
                Some(f) => format!("stage {} failed on it: {}", f.component, f.error),
                None if !processed.failures.is_empty() => format!(
                    "not processed: the run stopped early ({})",
                    processed.failures.join("; ")
                ),
                None => "dropped by a stage (a filter)".to_string(),
            };
            report.unprocessed.push(Unprocessed {
                case: record.id.clone(),
                reason,
            });
        }
        let case = Case {
            record,
            alerts: event.map(|e| e.alerts.iter().collect()).unwrap_or_default(),
            spans: event.map(|e| e.spans.as_slice()).unwrap_or(&[]),
        };
        if let Some(gold) = &record.accession {
            scorer.accession(&mut report.new_member_accession, &case, gold);
        }
        if let Some(gold) = &record.threat_places {
            scorer.threat(&mut report.regional_threat, &case, gold);
        }
        for (metric, name, kind, gold) in [
            (
                &mut report.countries,
                "countries",
                "country",
                &record.countries,
            ),
            (
                &mut report.organizations,
                "organizations",
                "organization",
                &record.organizations,
            ),
            (&mut report.groups, "groups", "group", &record.groups),
        ] {
            if let Some(gold) = gold {
                scorer.entities(metric, name, kind, &case, gold);
            }
        }
        cases.push(case);
    }

    // Every other rule that fired or is labelled.
    let mut rules: BTreeSet<&str> = cases
        .iter()
        .flat_map(|c| c.alerts.iter().map(|a| a.rule.as_str()))
        .collect();
    rules.extend(
        records
            .iter()
            .flat_map(|r| r.rules.iter().flat_map(|m| m.keys().map(String::as_str))),
    );
    for rule in rules {
        if HEADLINE_RULES.contains(&rule) {
            continue;
        }
        let name = format!("rules.{rule}");
        let mut row = RuleReport {
            rule: rule.to_string(),
            firing_cases: cases
                .iter()
                .filter(|c| c.alerts_of(rule).next().is_some())
                .count(),
            labelled: None,
        };
        for case in &cases {
            let Some(&gold) = case.record.rules.as_ref().and_then(|m| m.get(rule)) else {
                continue;
            };
            let fired: Vec<&Alert> = case.alerts_of(rule).collect();
            let shown = |yes: bool| {
                if yes {
                    vec![rule.to_string()]
                } else {
                    Vec::new()
                }
            };
            let predicted_shown = shown(!fired.is_empty());
            scorer.case_level(
                row.labelled.get_or_insert_with(Metric::default),
                &name,
                case,
                gold,
                &fired,
                shown(gold),
                predicted_shown,
            );
        }
        report.rules.push(row);
    }

    for m in [
        &mut report.new_member_accession.case,
        &mut report.new_member_accession.pair,
        &mut report.new_member_accession.member,
        &mut report.regional_threat.case,
        &mut report.regional_threat.place,
        &mut report.countries,
        &mut report.organizations,
        &mut report.groups,
    ] {
        m.finish();
    }
    for r in &mut report.rules {
        if let Some(m) = &mut r.labelled {
            m.finish();
        }
    }
    let rank = |metric: &str| {
        METRIC_ORDER
            .iter()
            .position(|m| *m == metric)
            .unwrap_or(METRIC_ORDER.len())
    };
    scorer.errors.sort_by_key(|e| rank(&e.metric));
    report.errors = scorer.errors;
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Minerals Security Partnership"),
            "minerals-security-partnership"
        );
        assert_eq!(
            slug("Global Coalition to Defeat Daesh/ISIS"),
            "global-coalition-to-defeat-daesh-isis"
        );
        assert_eq!(slug("  the Côte d'Ivoire  "), "the-cote-d-ivoire");
        assert_eq!(slug("G20"), "g20");
    }

    use commwatch_core::Severity;
    use commwatch_pipeline::FailedEvent;

    use crate::labels::AccessionLabel;

    fn span(raw: &str, text: &str, kind: &str, id: &str) -> Span {
        let start = raw.find(text).expect("span text in the passage");
        Span {
            kind: kind.into(),
            id: id.into(),
            label: text.into(),
            start,
            end: start + text.len(),
            detail: None,
        }
    }

    fn alert(rule: &str, labels: &[(&str, &str)], evidence: Vec<Span>) -> Alert {
        Alert {
            rule: rule.into(),
            severity: Severity::High,
            fingerprint: String::new(),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            summary: format!("{rule} summary"),
            evidence,
            communique: String::new(),
            suppressed: None,
            routes: Vec::new(),
        }
    }

    fn member(member: &str, org: &str, name: &str) -> AccessionLabel {
        AccessionLabel {
            member: member.into(),
            member_kind: None,
            organization: org.into(),
            organization_name: Some(name.into()),
        }
    }

    #[test]
    fn pairs_match_by_organization_id_or_the_slug_of_its_name() {
        let raw = "Fiji joined the Minerals Security Partnership and Mali joined the Blue Club.";
        let record = LabelRecord {
            id: "a".into(),
            text: raw.into(),
            accession: Some(vec![
                member(
                    "FJ",
                    "minerals-security-partnership",
                    "Minerals Security Partnership",
                ),
                member("ML", "blue", "the Blue Club"),
            ]),
            ..LabelRecord::default()
        };
        let mut event = record.to_event();
        event.alerts = vec![
            // No id: the slug of the name is compared with the gold id …
            alert(
                ACCESSION,
                &[
                    ("organization_name", "Minerals Security Partnership"),
                    ("member", "FJ"),
                ],
                vec![span(raw, "Fiji", "country", "FJ")],
            ),
            // … and with the slug of the gold name; `country` stands in for `member`.
            alert(
                ACCESSION,
                &[("organization_name", "The Blue Club"), ("country", "ML")],
                vec![span(raw, "Mali", "country", "ML")],
            ),
            // An id is compared with the gold id only.
            alert(
                ACCESSION,
                &[
                    ("organization", "blue-club"),
                    ("organization_name", "the Blue Club"),
                    ("country", "ML"),
                ],
                vec![],
            ),
        ];
        let processed = Processed {
            events: vec![event],
            ..Processed::default()
        };
        let r = score(&[record], &processed, &EvalConfig::default());
        let m = &r.new_member_accession;
        assert_eq!((m.case.tp, m.case.fp, m.case.fn_), (1, 0, 0));
        assert_eq!((m.pair.tp, m.pair.fp, m.pair.fn_), (2, 1, 0));
        assert_eq!((m.member.tp, m.member.fp, m.member.fn_), (2, 0, 0));
        assert_eq!(r.errors.len(), 1);
        assert_eq!(r.errors[0].value.as_deref(), Some("blue-club:ML"));
    }

    #[test]
    fn places_follow_the_configured_labels_and_unprocessed_cases_predict_nothing() {
        let raw = "Militants attacked a base in Mali.";
        let record = LabelRecord {
            id: "a".into(),
            text: raw.into(),
            threat_places: Some(vec!["ML".into()]),
            countries: Some(vec!["ML".into()]),
            ..LabelRecord::default()
        };
        let lost = LabelRecord {
            id: "b".into(),
            text: "x".into(),
            threat_places: Some(vec!["SO".into()]),
            ..LabelRecord::default()
        };
        let mut event = record.to_event();
        let mali = span(raw, "Mali", "country", "ML");
        event.spans = vec![mali.clone()];
        event.alerts = vec![alert(
            THREAT,
            &[("region", "sahel"), ("country", "ML")],
            vec![span(raw, "attacked", "keyword", "threat"), mali],
        )];
        let processed = Processed {
            events: vec![event],
            failed: vec![FailedEvent {
                id: "b".into(),
                component: "normalize".into(),
                error: "too long".into(),
            }],
            ..Processed::default()
        };
        let records = [record, lost];
        let r = score(&records, &processed, &EvalConfig::default());
        let place = &r.regional_threat.place;
        assert_eq!(
            (place.tp, place.fp, place.fn_),
            (0, 1, 2),
            "region first: sahel"
        );
        assert_eq!(r.regional_threat.case.fn_, 1, "the lost case");
        assert_eq!(r.countries.tp, 1);
        assert_eq!(r.unprocessed.len(), 1);
        assert_eq!(
            r.unprocessed[0].reason,
            "stage normalize failed on it: too long"
        );

        let config = EvalConfig {
            place_labels: vec!["country".into(), "region".into()],
            ..EvalConfig::default()
        };
        let r = score(&records, &processed, &config);
        let place = &r.regional_threat.place;
        assert_eq!(
            (place.tp, place.fp, place.fn_),
            (1, 0, 1),
            "country first: ML"
        );
        let config = EvalConfig {
            place_in_evidence: true,
            ..EvalConfig::default()
        };
        let r = score(&records, &processed, &config);
        let place = &r.regional_threat.place;
        assert_eq!(
            (place.tp, place.fp, place.fn_),
            (1, 0, 1),
            "the span named: ML"
        );
        let fp = score(&records, &processed, &EvalConfig::default())
            .errors
            .into_iter()
            .find(|e| e.kind == ErrorKind::FalsePositive)
            .unwrap();
        assert_eq!(fp.value.as_deref(), Some("sahel"));
        assert_eq!(fp.evidence[0].quotes, ["attacked", "Mali"]);
        assert_eq!(fp.passage, raw);
    }

    #[test]
    fn passages_are_shortened_around_the_evidence_at_word_boundaries() {
        let raw = format!(
            "{} Finland joined NATO today. {}",
            "word ".repeat(60),
            "more ".repeat(60)
        );
        let at = raw.find("Finland").unwrap();
        let s = shorten(&raw, &[(at, at + 7)]);
        assert!(s.starts_with("…word ") && s.ends_with(" more…"), "{s}");
        assert!(s.contains("Finland joined NATO today."));
        assert!(s.len() < raw.len());
        assert_eq!(shorten("short text", &[]), "short text");
        let head = shorten(&"a ".repeat(400), &[]);
        assert!(head.ends_with('…') && head.len() <= HEAD + 3);
    }
}
