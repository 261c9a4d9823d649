//! Loading a rule file and evaluating it against communiqués.
//!
//! Evaluation runs in three steps, each keeping the cost tied to the text rather than to the size
//! of the rule pack: one automaton scan records every phrase occurrence ([`crate::phrases`]); an
//! inverted index from phrase to rules picks the *candidate* rules, those with a triggering phrase
//! that occurred; only candidates have their conditions, entities and windows checked, and only
//! rules that fire cost an [`Alert`] (built in [`crate::alert`]).

use std::collections::HashMap;
use std::path::Path;

use commwatch_core::{Alert, Communique, Span, Symbol};

use crate::alert::{self, Firing};
use crate::error::RuleError;
use crate::phrases::{Hits, PatternId, PhraseIndex, PhraseIndexBuilder};
use crate::rule::Rule;
use crate::spec::RuleFile;

/// A validated rule file, compiled for matching.
///
/// Build it once with [`RuleSet::from_toml_str`] or [`RuleSet::load`] and share it: evaluation
/// takes `&self` and never mutates the set.
#[derive(Clone, Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    /// One plan per enabled rule, in file order.
    plans: Vec<Plan>,
    index: PhraseIndex,
    /// For each phrase, the plans it can trigger (ascending).
    triggers: Vec<Vec<usize>>,
    /// The span kind of phrase evidence, shared by all alerts.
    keyword_kind: Symbol,
}

/// How an enabled rule is matched: its phrases as automaton patterns.
#[derive(Clone, Debug)]
struct Plan {
    rule: usize,
    /// The `any` and `all` phrases, one per distinct pattern, with the first spelling written.
    phrases: Vec<Phrase>,
    any: Vec<PatternId>,
    all: Vec<PatternId>,
    none: Vec<PatternId>,
}

#[derive(Clone, Debug)]
pub(crate) struct Phrase {
    pub(crate) pattern: PatternId,
    /// The phrase as written in the rule, used as the evidence label.
    pub(crate) text: Symbol,
}

/// A phrase occurrence as one rule sees it, in raw offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RuleHit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Index into the plan's phrases.
    pub(crate) phrase: usize,
}

/// Buffers [`RuleSet::evaluate_with`] reuses between calls, so evaluating a stream of events does
/// not reallocate them for every event. One per thread; the contents between calls mean nothing.
#[derive(Debug, Default)]
pub struct Scratch {
    hits: Hits,
    candidates: Vec<usize>,
    rule_hits: Vec<RuleHit>,
    near: Vec<bool>,
}

impl RuleSet {
    /// Parses, validates and compiles a rule file. `origin` (a path, `"builtin"`) names the text in
    /// errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<RuleSet, RuleError> {
        RuleSet::from_sources([(origin, text)])
    }

    /// Parses, validates and compiles several rule files, given as `(origin, text)` pairs, into one
    /// set with one automaton. Rule ids must be unique across all of them.
    pub fn from_sources<'a>(
        sources: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<RuleSet, RuleError> {
        let mut rules = Vec::new();
        let mut positions: HashMap<Symbol, (String, usize)> = HashMap::new();
        let mut origins = Vec::new();
        for (origin, text) in sources {
            origins.push(origin);
            let file: RuleFile = toml::from_str(text).map_err(|source| RuleError::Parse {
                origin: origin.to_string(),
                source,
            })?;
            for (i, spec) in file.rule.into_iter().enumerate() {
                let index = i + 1;
                let id = spec.id.clone();
                let error = |field: String, problem: String| RuleError::Invalid {
                    origin: origin.to_string(),
                    index,
                    id: id.clone(),
                    field,
                    problem,
                };
                let rule = Rule::from_spec(spec).map_err(|e| error(e.field, e.problem))?;
                if let Some((first_origin, first)) =
                    positions.insert(rule.id.clone(), (origin.to_string(), index))
                {
                    return Err(error(
                        "id".to_string(),
                        format!(
                            "duplicate id {id:?}, first used by rule #{first} of {first_origin}"
                        ),
                    ));
                }
                rules.push(rule);
            }
        }
        RuleSet::compile(rules, &origins.join(", "))
    }

    /// Reads and compiles the rule file at `path`; errors name the path.
    pub fn load(path: impl AsRef<Path>) -> Result<RuleSet, RuleError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RuleError::Read {
            origin: origin.clone(),
            source,
        })?;
        RuleSet::from_toml_str(&text, &origin)
    }

    /// Number of rules in the set, disabled ones included.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when the file defined no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules in file order, disabled ones included.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The alerts `event` raises, one per rule that fires, in file order. Pure: the caller appends
    /// them to [`Communique::alerts`]. Allocates fresh buffers; see [`evaluate_with`](Self::evaluate_with).
    pub fn evaluate(&self, event: &Communique) -> Vec<Alert> {
        self.evaluate_with(event, &mut Scratch::default())
    }

    /// [`evaluate`](Self::evaluate) with buffers kept across calls.
    pub fn evaluate_with(&self, event: &Communique, scratch: &mut Scratch) -> Vec<Alert> {
        let Scratch {
            hits,
            candidates,
            rule_hits,
            near,
        } = scratch;
        self.index.scan(event, hits);
        candidates.clear();
        for pattern in hits.patterns() {
            candidates.extend_from_slice(&self.triggers[pattern]);
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .iter()
            .filter_map(|&plan| self.evaluate_plan(&self.plans[plan], event, hits, rule_hits, near))
            .collect()
    }

    fn compile(rules: Vec<Rule>, origin: &str) -> Result<RuleSet, RuleError> {
        let mut builder = PhraseIndexBuilder::default();
        let plans: Vec<Plan> = rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.enabled)
            .map(|(i, rule)| Plan::new(i, rule, &mut builder))
            .collect();
        let mut triggers = vec![Vec::new(); builder.len()];
        for (i, plan) in plans.iter().enumerate() {
            for phrase in &plan.phrases {
                triggers[phrase.pattern].push(i);
            }
        }
        let index = builder.build().map_err(|source| RuleError::Automaton {
            origin: origin.to_string(),
            source,
        })?;
        Ok(RuleSet {
            rules,
            plans,
            index,
            triggers,
            keyword_kind: Symbol::from("keyword"),
        })
    }

    /// Checks one candidate rule and builds its alert if it fires.
    fn evaluate_plan(
        &self,
        plan: &Plan,
        event: &Communique,
        hits: &Hits,
        rule_hits: &mut Vec<RuleHit>,
        near: &mut Vec<bool>,
    ) -> Option<Alert> {
        let rule = &self.rules[plan.rule];
        let phrases_hold = !plan.none.iter().any(|&p| hits.occurred(p))
            && (plan.any.is_empty() || plan.any.iter().any(|&p| hits.occurred(p)))
            && plan.all.iter().all(|&p| hits.occurred(p));
        if !phrases_hold {
            return None;
        }
        rule_hits.clear();
        for (i, phrase) in plan.phrases.iter().enumerate() {
            rule_hits.extend(hits.of(phrase.pattern).iter().map(|h| RuleHit {
                start: h.start,
                end: h.end,
                phrase: i,
            }));
        }
        rule_hits.sort_unstable();

        let mut entities: Vec<&Span> = Vec::new();
        if let Some(req) = &rule.entity {
            entities.extend(event.spans.iter().filter(|s| *s.kind == *req.kind));
            entities.sort_by_key(|s| (s.start, s.end));
            if let Some(window) = req.within {
                keep_near(rule_hits, &mut entities, window, near);
            }
            let mut ids: Vec<&str> = entities.iter().map(|s| &*s.id).collect();
            ids.sort_unstable();
            ids.dedup();
            if ids.len() < req.min {
                return None;
            }
        }
        Some(alert::build(&Firing {
            rule,
            phrases: &plan.phrases,
            keyword_kind: &self.keyword_kind,
            hits: rule_hits,
            entities: &entities,
            event,
        }))
    }
}

impl Plan {
    fn new(rule_index: usize, rule: &Rule, builder: &mut PhraseIndexBuilder) -> Plan {
        let mut phrases: Vec<Phrase> = Vec::new();
        let mut patterns = |written: &[Symbol], trigger: bool| -> Vec<PatternId> {
            let mut ids: Vec<PatternId> = Vec::with_capacity(written.len());
            for text in written {
                let pattern = builder.add(text);
                if trigger && !phrases.iter().any(|p| p.pattern == pattern) {
                    phrases.push(Phrase {
                        pattern,
                        text: text.clone(),
                    });
                }
                if !ids.contains(&pattern) {
                    ids.push(pattern);
                }
            }
            ids
        };
        let any = patterns(&rule.any, true);
        let all = patterns(&rule.all, true);
        let none = patterns(&rule.none, false);
        Plan {
            rule: rule_index,
            phrases,
            any,
            all,
            none,
        }
    }
}

/// Keeps the entities within `window` raw bytes of a phrase hit and the hits with such an entity.
///
/// The gap between a hit and an entity is the number of bytes between them (zero when they
/// touch or overlap), i.e. the distance from the nearer of the entity's start and end. Hits are
/// sorted by start, so each entity only looks at the hits that can be near it.
fn keep_near(
    hits: &mut Vec<RuleHit>,
    entities: &mut Vec<&Span>,
    window: usize,
    near: &mut Vec<bool>,
) {
    let longest = hits.iter().map(|h| h.end - h.start).max().unwrap_or(0);
    near.clear();
    near.resize(hits.len(), false);
    entities.retain(|entity| {
        let lowest_start = entity.start.saturating_sub(window.saturating_add(longest));
        let highest_start = entity.end.saturating_add(window);
        let first = hits.partition_point(|h| h.start < lowest_start);
        let mut qualifies = false;
        for (i, hit) in hits.iter().enumerate().skip(first) {
            if hit.start > highest_start {
                break;
            }
            let gap = hit
                .start
                .saturating_sub(entity.end)
                .max(entity.start.saturating_sub(hit.end));
            if gap <= window {
                near[i] = true;
                qualifies = true;
            }
        }
        qualifies
    });
    let mut flags = near.iter();
    hits.retain(|_| flags.next().copied().unwrap_or(false));
}
