//! Loading rule files and evaluating them against communiqués.
//!
//! Evaluation keeps the cost tied to the text rather than to the size of the rule pack: one
//! automaton scan records every literal occurrence ([`crate::literals`]); the trigger index picks
//! the *candidate* rules, those whose requirement can be met ([`crate::plan`]); only candidates
//! have their queries evaluated ([`crate::eval`]), and only rules that fire cost an [`Alert`]
//! (built in [`crate::alert`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use commwatch_core::{Alert, Communique, Symbol, TextRange};

use crate::alert;
use crate::error::RuleError;
use crate::eval::{Ctx, Explanation, Scratch};
use crate::location::{file_offset, line_col};
use crate::plan::{Matcher, Plan};
use crate::rule::{Invalid, Rule};
use crate::spec::RuleFile;

/// Validated rule files, compiled for matching.
///
/// Build it once with [`RuleSet::from_toml_str`], [`RuleSet::from_sources`] or [`RuleSet::load`]
/// and share it: evaluation takes `&self`. The only state that changes is the per-rule hit
/// counters ([`RuleSet::hit_counts`]), which clones of a set share.
#[derive(Clone, Debug)]
pub struct RuleSet {
    rules: Vec<Rule>,
    matcher: Matcher,
    /// For each rule, its plan in the matcher (`None` when disabled).
    plan_of: Vec<Option<usize>>,
    hits: Arc<[AtomicU64]>,
    /// The span kind of literal evidence, shared by all alerts.
    keyword_kind: Symbol,
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
                let query_span = spec.query.span();
                let error = |field: String, problem: String| RuleError::Invalid {
                    origin: origin.to_string(),
                    index,
                    id: id.clone(),
                    field,
                    problem,
                };
                let rule = Rule::from_spec(spec).map_err(|e| match e {
                    Invalid::Field { field, problem } => error(field, problem),
                    Invalid::Query(q) => {
                        let at = file_offset(text, query_span.clone(), q.offset);
                        let (line, column, line_text) = line_col(text, at);
                        RuleError::Query {
                            origin: origin.to_string(),
                            line,
                            column,
                            id: id.clone(),
                            message: q.message,
                            line_text,
                        }
                    }
                })?;
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
        let origin = origins.join(", ");
        let matcher = Matcher::new(rules.iter().enumerate().filter(|(_, r)| r.enabled)).map_err(
            |source| RuleError::Automaton {
                origin: origin.clone(),
                source,
            },
        )?;
        let mut plan_of = vec![None; rules.len()];
        for (i, plan) in matcher.plans.iter().enumerate() {
            plan_of[plan.rule] = Some(i);
        }
        let hits = rules.iter().map(|_| AtomicU64::new(0)).collect();
        Ok(RuleSet {
            rules,
            matcher,
            plan_of,
            hits,
            keyword_kind: Symbol::from("keyword"),
        })
    }

    /// Reads and compiles a rule file.
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

    /// True when the files defined no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules in file order, disabled ones included.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| &*r.id == id)
    }

    /// How many alerts each rule has raised through [`evaluate`](Self::evaluate) and
    /// [`evaluate_with`](Self::evaluate_with) so far, in file order (disabled rules included, at 0).
    pub fn hit_counts(&self) -> Vec<(&str, u64)> {
        self.rules
            .iter()
            .zip(self.hits.iter())
            .map(|(r, n)| (&*r.id, n.load(Ordering::Relaxed)))
            .collect()
    }

    /// Number of distinct literals in the automaton (after folding and deduplication).
    pub fn literal_count(&self) -> usize {
        self.matcher.literals.len()
    }

    /// The alerts `event` raises, one per rule that fires, in file order. Pure apart from the hit
    /// counters: the caller appends them to [`Communique::alerts`]. Allocates fresh buffers; see
    /// [`evaluate_with`](Self::evaluate_with).
    pub fn evaluate(&self, event: &Communique) -> Vec<Alert> {
        self.evaluate_with(event, &mut Scratch::default())
    }

    /// [`evaluate`](Self::evaluate) with buffers kept across calls.
    pub fn evaluate_with(&self, event: &Communique, scratch: &mut Scratch) -> Vec<Alert> {
        self.evaluate_inner(event, scratch, true)
    }

    /// [`evaluate_with`](Self::evaluate_with) without counting hits (for rule tests).
    pub(crate) fn evaluate_uncounted(
        &self,
        event: &Communique,
        scratch: &mut Scratch,
    ) -> Vec<Alert> {
        self.evaluate_inner(event, scratch, false)
    }

    fn evaluate_inner(&self, event: &Communique, scratch: &mut Scratch, count: bool) -> Vec<Alert> {
        self.matcher.prepare(event, scratch, false);
        let ctx = Ctx::new(event, &self.matcher, scratch);
        let mut alerts = Vec::new();
        for (i, &p) in scratch.candidates.iter().enumerate() {
            let plan = &self.matcher.plans[p as usize];
            let rule = &self.rules[plan.rule];
            if let Some(alert) = self.fire(rule, plan, &ctx, false) {
                if count {
                    self.hits[plan.rule].fetch_add(1, Ordering::Relaxed);
                }
                // Room for every candidate left at once, rather than growing (and copying) the
                // vector as alerts come.
                if alerts.is_empty() {
                    alerts.reserve_exact(scratch.candidates.len() - i);
                }
                alerts.push(alert);
            }
        }
        alerts
    }

    /// Evaluates one rule in its scopes and builds its alert if it fires. With `all`, in every
    /// sentence rather than only those the prefilter points at (for `explain`).
    fn fire(&self, rule: &Rule, plan: &Plan, ctx: &Ctx<'_>, all: bool) -> Option<Alert> {
        let bufs = ctx.bufs;
        let mut evidence = bufs.evidence_buf.take();
        evidence.clear();
        let mut held = false;
        let mut scopes = bufs.scope_buf.take();
        ctx.scopes(rule.scope, plan, all, &mut scopes);
        for &r in &scopes {
            if ctx.holds(&plan.root, r) {
                held = true;
                ctx.collect(&plan.root, r, &mut evidence);
            }
        }
        bufs.scope_buf.set(scopes);
        let alert = held.then(|| {
            let mut span_buf = bufs.span_buf.take();
            let alert = alert::build(
                rule,
                plan,
                &mut evidence,
                &mut span_buf,
                ctx.event,
                &self.keyword_kind,
            );
            bufs.span_buf.set(span_buf);
            alert
        });
        bufs.evidence_buf.set(evidence);
        alert
    }

    /// Explains how rule `rule_id` fares on `event`: each term of its query, whether it matched
    /// and where (raw ranges), whether the prefilter picks the rule, and the alert if it fires.
    /// A disabled rule is explained as if enabled. `None` for an unknown id. Does not count hits.
    pub fn explain(&self, rule_id: &str, event: &Communique) -> Option<Explanation> {
        let index = self.rules.iter().position(|r| &*r.id == rule_id)?;
        let rule = &self.rules[index];
        let own;
        let (matcher, plan_index) = match self.plan_of[index] {
            Some(p) => (&self.matcher, p),
            None => {
                // Disabled rules are not in the shared automaton: compile this one alone.
                own = Matcher::new([(index, rule)]).ok()?;
                (&own, 0)
            }
        };
        let mut scratch = Scratch::default();
        matcher.prepare(event, &mut scratch, true);
        let plan = &matcher.plans[plan_index];
        let candidate = scratch.candidates.contains(&(plan_index as u32));
        let ctx = Ctx::new(event, matcher, &scratch);
        let alert = self.fire(rule, plan, &ctx, true);
        let mut scopes = Vec::new();
        ctx.scopes(rule.scope, plan, true, &mut scopes);
        let mut terms = Vec::new();
        ctx.explain_terms(&plan.root, &rule.query, false, &scopes, &mut terms);
        Some(Explanation {
            rule: rule.id.to_string(),
            query: rule.query.to_string(),
            scope: rule.scope,
            scopes: scopes.into_iter().map(TextRange::from).collect(),
            candidate,
            fired: alert.is_some(),
            terms,
            alert,
        })
    }
}
