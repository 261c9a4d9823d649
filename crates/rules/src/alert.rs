//! Turning a rule that fired into an [`Alert`].
//!
//! Kept apart from matching so that however a rule comes to fire, its alert is built the same way:
//! the same labels, the same evidence, and above all the same fingerprint, which stored alert
//! histories and deduplication rely on.

use std::collections::HashSet;

use commwatch_core::{Alert, Communique, Span, Symbol, fingerprint};

use crate::eval::Evidence;
use crate::plan::Plan;
use crate::rule::Rule;
use crate::template::Values;

/// Builds the alert of `rule`, which fired on `event` with `evidence`: static labels plus one
/// label per entity kind the query refers to (outside `NOT`), the rendered summary, the evidence
/// spans, and the fingerprint of the rule id and key labels in key order. `buf` is scratch space
/// (span indices), reused across alerts.
pub(crate) fn build(
    rule: &Rule,
    plan: &Plan,
    evidence: &mut Evidence,
    buf: &mut Vec<usize>,
    event: &Communique,
    keyword_kind: &Symbol,
) -> Alert {
    evidence
        .lits
        .sort_unstable_by_key(|&(lit, s, e)| (s, e, lit));
    evidence.lits.dedup();
    let spans = &event.spans;
    evidence
        .spans
        .sort_unstable_by_key(|&i| (spans[i].start, spans[i].end, i));
    evidence.spans.dedup();

    let mut labels = rule.labels.clone();
    for (_, kind) in &plan.kinds {
        // The distinct ids of the evidence spans of this kind, sorted, comma-joined.
        buf.clear();
        buf.extend(
            evidence
                .spans
                .iter()
                .copied()
                .filter(|&i| *spans[i].kind == **kind),
        );
        buf.sort_unstable_by(|&a, &b| spans[a].id.cmp(&spans[b].id));
        buf.dedup_by(|a, b| spans[*a].id == spans[*b].id);
        let mut ids = String::new();
        for (n, &i) in buf.iter().enumerate() {
            if n > 0 {
                ids.push(',');
            }
            ids.push_str(&spans[i].id);
        }
        labels.insert(kind.clone(), ids);
    }
    let fingerprint = fingerprint(
        &rule.id,
        labels
            .iter()
            .filter(|(k, _)| rule.key_labels.as_ref().is_none_or(|keys| keys.contains(k)))
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );

    let phrase = evidence
        .lits
        .first()
        .and_then(|&(_, s, e)| event.raw.get(s..e))
        .unwrap_or("");
    let entities = |kind: &str| {
        let mut seen = HashSet::new();
        evidence
            .spans
            .iter()
            .map(|&i| &spans[i])
            .filter(|s| &*s.kind == kind && seen.insert(&*s.id))
            .map(|s| &*s.label)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let summary = rule.summary.render(&Values {
        title: event.title.as_deref().unwrap_or(&event.id),
        phrase,
        labels: &labels,
        entities: &entities,
    });

    let mut evidence_spans: Vec<Span> = evidence
        .lits
        .iter()
        .map(|&(lit, start, end)| Span {
            kind: keyword_kind.clone(),
            id: rule.id.clone(),
            label: plan.term(lit).clone(),
            start,
            end,
            detail: None,
        })
        .chain(evidence.spans.iter().map(|&i| spans[i].clone()))
        .collect();
    evidence_spans.sort_by(|a, b| {
        (a.start, a.end, &a.kind, &a.id, &a.label).cmp(&(b.start, b.end, &b.kind, &b.id, &b.label))
    });
    // Equal spans are adjacent now; positions differ far more often than texts, so compare them
    // first.
    evidence_spans.dedup_by(|a, b| (a.start, a.end) == (b.start, b.end) && a == b);

    Alert {
        rule: rule.id.to_string(),
        severity: rule.severity,
        fingerprint,
        labels,
        summary,
        evidence: evidence_spans,
        communique: event.id.clone(),
        suppressed: None,
        routes: Vec::new(),
    }
}
