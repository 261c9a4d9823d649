//! Turning a rule that fired into an [`Alert`].
//!
//! Kept apart from matching so that however a rule comes to fire (today: phrase lists; later: a
//! boolean query), its alert is built the same way: the same labels, the same evidence, and above
//! all the same fingerprint, which stored alert histories and deduplication rely on.

use std::collections::HashSet;

use commwatch_core::{Alert, Communique, Span, Symbol, fingerprint};

use crate::rule::Rule;
use crate::ruleset::{Phrase, RuleHit};
use crate::template::Values;

/// What made a rule fire on one event.
pub(crate) struct Firing<'a> {
    pub(crate) rule: &'a Rule,
    /// The rule's phrases, indexed by [`RuleHit::phrase`].
    pub(crate) phrases: &'a [Phrase],
    pub(crate) keyword_kind: &'a Symbol,
    /// The qualifying phrase hits, sorted by position.
    pub(crate) hits: &'a [RuleHit],
    /// The qualifying entity spans, sorted by position (empty when the rule needs no entity).
    pub(crate) entities: &'a [&'a Span],
    pub(crate) event: &'a Communique,
}

/// Builds the alert: static labels plus `entities` (when the rule needs an entity), the rendered
/// summary, the evidence spans, and the fingerprint of the rule id and labels in key order.
pub(crate) fn build(firing: &Firing<'_>) -> Alert {
    let Firing {
        rule,
        phrases,
        keyword_kind,
        hits,
        entities,
        event,
    } = *firing;

    let mut ids: Vec<&str> = entities.iter().map(|s| &*s.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let entity_ids = ids.join(",");
    let mut labels = rule.labels.clone();
    if rule.entity.is_some() {
        labels.insert("entities".to_string(), entity_ids.clone());
    }
    let fingerprint = fingerprint(
        &rule.id,
        labels.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );

    let mut seen = HashSet::new();
    let entity_labels: Vec<&str> = entities
        .iter()
        .filter(|s| seen.insert(&*s.id))
        .map(|s| &*s.label)
        .collect();
    let phrase = hits
        .first()
        .and_then(|h| event.raw.get(h.start..h.end))
        .unwrap_or("");
    let summary = rule.summary.render(&Values {
        entities: &entity_labels,
        entity_ids: &entity_ids,
        phrase,
        title: event.title.as_deref().unwrap_or(&event.id),
    });

    let mut evidence: Vec<Span> = hits
        .iter()
        .map(|h| Span {
            kind: keyword_kind.clone(),
            id: rule.id.clone(),
            label: phrases[h.phrase].text.clone(),
            start: h.start,
            end: h.end,
            detail: None,
        })
        .chain(entities.iter().map(|s| (*s).clone()))
        .collect();
    evidence.sort_by(|a, b| {
        (a.start, a.end, &a.kind, &a.id, &a.label).cmp(&(b.start, b.end, &b.kind, &b.id, &b.label))
    });
    evidence.dedup();

    Alert {
        rule: rule.id.to_string(),
        severity: rule.severity,
        fingerprint,
        labels,
        summary,
        evidence,
        communique: event.id.clone(),
        suppressed: None,
        routes: Vec::new(),
    }
}
