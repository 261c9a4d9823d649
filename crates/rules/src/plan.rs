//! Compiling rules for matching: query trees with literal and kind ids, and the prefilter.
//!
//! Every rule's query is compiled into a [`Node`] tree whose literal terms are ids in the shared
//! automaton ([`crate::literals`]) and whose entity kinds are small integers. From the tree the
//! compiler derives the rule's *requirement*: a conjunction of clauses, each a set of *triggers*
//! (a literal occurred, an entity of a kind occurred, an entity with an id occurred) of which at
//! least one must have occurred for the query to be able to hold. For `A AND (B OR C)` that is
//! `{A} ∧ {B, C}`; `NOT x`, metadata tests and counts that zero satisfies need nothing.
//!
//! The rule is indexed under the triggers of its most selective clause only; an event's triggers
//! pick the rules indexed under them, and the rule's other clauses are checked against the
//! event's triggers before it becomes a *candidate*. Rules with no requirement are kept in a
//! separate list and evaluated on every event. So the work per event is the scan, plus the rules
//! whose selective literals occurred.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use commwatch_core::Symbol;

use crate::fold::fold_term;
use crate::literals::{LitId, Literals, LiteralsBuilder};
use crate::query::{Cmp, EntityRef, MetaField, Pattern, Query};
use crate::rule::Rule;

/// FNV-1a: the maps looked up per span of every event have short keys (kinds, ids), for which
/// SipHash's setup dominates.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Index of an entity kind some rule refers to.
pub(crate) type KindId = usize;
pub(crate) type TriggerId = usize;

/// Most clauses kept per rule; more are dropped, which only weakens the prefilter.
const MAX_CLAUSES: usize = 8;

/// A compiled query.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    Lit(LitId),
    Entity(EntityMatch),
    Count(EntityMatch, Cmp, u32),
    Meta(MetaTest),
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Near(Box<Node>, Box<Node>, u32),
}

/// An entity reference: a kind and optionally an id (ASCII-lowercased) or id prefix.
#[derive(Clone, Debug)]
pub(crate) struct EntityMatch {
    pub(crate) kind: KindId,
    pub(crate) id: Option<(String, bool)>,
    /// For an exact id, its [`Trigger::Id`]: events index their entities by it.
    pub(crate) trigger: Option<TriggerId>,
}

impl EntityMatch {
    pub(crate) fn accepts(&self, id: &str) -> bool {
        match &self.id {
            None => true,
            Some((want, false)) => id.eq_ignore_ascii_case(want),
            Some((want, true)) => id
                .as_bytes()
                .get(..want.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(want.as_bytes())),
        }
    }
}

/// A metadata test; the value is ASCII-lowercased.
#[derive(Clone, Debug)]
pub(crate) struct MetaTest {
    pub(crate) field: MetaField,
    pub(crate) value: String,
    pub(crate) prefix: bool,
}

impl MetaTest {
    pub(crate) fn accepts(&self, value: Option<&str>) -> bool {
        let Some(value) = value else { return false };
        if self.prefix {
            value
                .as_bytes()
                .get(..self.value.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(self.value.as_bytes()))
        } else {
            value.eq_ignore_ascii_case(&self.value)
        }
    }
}

/// Something that can occur in an event and that a rule may require.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Trigger {
    Lit(LitId),
    Kind(KindId),
    /// A kind and an ASCII-lowercased id.
    Id(KindId, String),
}

/// A rule compiled for matching.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// Index of the rule in the set.
    pub(crate) rule: usize,
    pub(crate) root: Node,
    /// The requirement, most selective clause first; empty for a rule evaluated on every event.
    pub(crate) clauses: Vec<Vec<TriggerId>>,
    /// The rule's literals with the term as written (`terror*`), for evidence labels.
    pub(crate) terms: Vec<(LitId, Symbol)>,
    /// The computed label kinds, as (kind id, name), sorted by name.
    pub(crate) kinds: Vec<(KindId, String)>,
}

impl Plan {
    /// The term as written for a literal of this rule.
    pub(crate) fn term(&self, lit: LitId) -> &Symbol {
        &self
            .terms
            .iter()
            .find(|(l, _)| *l == lit)
            .expect("every literal of a plan has a term")
            .1
    }
}

/// Every enabled rule compiled: the automaton, the kind table, the trigger index.
#[derive(Clone, Debug)]
pub(crate) struct Matcher {
    pub(crate) plans: Vec<Plan>,
    pub(crate) literals: Literals,
    pub(crate) kind_ids: FastMap<Symbol, KindId>,
    /// All triggers, by id.
    pub(crate) triggers: Vec<Trigger>,
    /// The trigger for a literal, a kind, and per kind the triggers for ids.
    pub(crate) lit_trigger: Vec<Option<TriggerId>>,
    pub(crate) kind_trigger: Vec<Option<TriggerId>>,
    pub(crate) id_triggers: Vec<FastMap<String, TriggerId>>,
    /// The plans indexed under each trigger (their first clause contains it).
    pub(crate) postings: Vec<Vec<u32>>,
    /// The other clauses of every plan, flattened for a cache-friendly check: plan `i`'s are at
    /// `rest[rest_at[i]..rest_at[i + 1]]`, each as its length followed by its trigger ids.
    pub(crate) rest: Vec<u32>,
    pub(crate) rest_at: Vec<u32>,
    /// Plans without a requirement, evaluated on every event.
    pub(crate) always: Vec<u32>,
}

#[derive(Default)]
struct Compiler {
    literals: LiteralsBuilder,
    /// Per literal: a guess at how common it is (see [`Compiler::cost`]).
    lit_cost: Vec<usize>,
    kinds: Vec<Symbol>,
    kind_ids: FastMap<Symbol, KindId>,
    triggers: Vec<Trigger>,
    trigger_ids: HashMap<Trigger, TriggerId>,
}

impl Matcher {
    /// Compiles `rules` (pairs of the index in the set and the rule).
    pub(crate) fn new<'a>(
        rules: impl IntoIterator<Item = (usize, &'a Rule)>,
    ) -> Result<Matcher, aho_corasick::BuildError> {
        let mut c = Compiler::default();
        let mut plans = Vec::new();
        for (index, rule) in rules {
            let mut terms = Vec::new();
            let root = c.node(&rule.query, &mut terms);
            let requirement = c.requirement(&root).unwrap_or_default();
            let mut clauses: Vec<Vec<TriggerId>> = requirement
                .into_iter()
                .map(|clause| clause.into_iter().map(|t| c.trigger(t)).collect())
                .collect();
            clauses.sort_by_key(|clause: &Vec<TriggerId>| c.cost(clause));
            clauses.truncate(MAX_CLAUSES);
            let kinds = rule
                .kinds
                .iter()
                .map(|name| (c.kind(name), name.clone()))
                .collect();
            plans.push(Plan {
                rule: index,
                root,
                clauses,
                terms,
                kinds,
            });
        }
        let mut postings = vec![Vec::new(); c.triggers.len()];
        let mut always = Vec::new();
        let (mut rest, mut rest_at) = (Vec::new(), vec![0u32]);
        for (i, plan) in plans.iter().enumerate() {
            match plan.clauses.first() {
                Some(clause) => clause.iter().for_each(|&t| postings[t].push(i as u32)),
                None => always.push(i as u32),
            }
            for clause in plan.clauses.iter().skip(1) {
                rest.push(clause.len() as u32);
                rest.extend(clause.iter().map(|&t| t as u32));
            }
            rest_at.push(rest.len() as u32);
        }
        let mut lit_trigger = vec![None; c.literals.len()];
        let mut kind_trigger = vec![None; c.kinds.len()];
        let mut id_triggers = vec![FastMap::default(); c.kinds.len()];
        for (id, trigger) in c.triggers.iter().enumerate() {
            match trigger {
                Trigger::Lit(l) => lit_trigger[*l] = Some(id),
                Trigger::Kind(k) => kind_trigger[*k] = Some(id),
                Trigger::Id(k, value) => {
                    id_triggers[*k].insert(value.clone(), id);
                }
            }
        }
        Ok(Matcher {
            plans,
            literals: c.literals.build()?,
            kind_ids: c.kind_ids,
            triggers: c.triggers,
            lit_trigger,
            kind_trigger,
            id_triggers,
            postings,
            rest,
            rest_at,
            always,
        })
    }
}

/// A requirement: all clauses must hold; a clause holds when one of its triggers occurred. `None`
/// means no requirement (the node can hold whatever occurred).
type Requirement = Option<Vec<Vec<Trigger>>>;

impl Compiler {
    fn kind(&mut self, name: &str) -> KindId {
        if let Some(&k) = self.kind_ids.get(name) {
            return k;
        }
        let symbol = Symbol::from(name);
        self.kinds.push(symbol.clone());
        self.kind_ids.insert(symbol, self.kinds.len() - 1);
        self.kinds.len() - 1
    }

    fn trigger(&mut self, t: Trigger) -> TriggerId {
        if let Some(&id) = self.trigger_ids.get(&t) {
            return id;
        }
        self.triggers.push(t.clone());
        self.trigger_ids.insert(t, self.triggers.len() - 1);
        self.triggers.len() - 1
    }

    /// A guess at how often a clause holds, to index a rule under its rarest clause: a phrase
    /// is rarer than a word, a word than a prefix, a prefix than a given entity (a document names
    /// the same few countries many times), and "any entity of a kind" is common.
    fn cost(&self, clause: &[TriggerId]) -> usize {
        clause
            .iter()
            .map(|&t| match &self.triggers[t] {
                Trigger::Lit(l) => self.lit_cost[*l],
                Trigger::Id(..) => 5,
                Trigger::Kind(_) => 40,
            })
            .sum()
    }

    fn entity(&mut self, e: &EntityRef) -> EntityMatch {
        let kind = self.kind(&e.kind);
        let id =
            e.id.as_ref()
                .map(|p| (p.text.to_ascii_lowercase(), p.prefix));
        let trigger = match &id {
            Some((id, false)) => Some(self.trigger(Trigger::Id(kind, id.clone()))),
            _ => None,
        };
        EntityMatch { kind, id, trigger }
    }

    fn node(&mut self, q: &Query, terms: &mut Vec<(LitId, Symbol)>) -> Node {
        match q {
            Query::Text(Pattern { text, prefix }) => {
                let folded = fold_term(text);
                let lit = self.literals.add(&folded, *prefix);
                if lit == self.lit_cost.len() {
                    self.lit_cost.push(match (*prefix, folded.contains(' ')) {
                        (_, true) => 1,
                        (false, false) => 3,
                        (true, false) => 4,
                    });
                }
                if !terms.iter().any(|(l, _)| *l == lit) {
                    let written = text.trim();
                    let label = if *prefix {
                        format!("{written}*")
                    } else {
                        written.to_string()
                    };
                    terms.push((lit, label.into()));
                }
                Node::Lit(lit)
            }
            Query::Entity(e) => Node::Entity(self.entity(e)),
            Query::Count { entity, op, value } => Node::Count(self.entity(entity), *op, *value),
            Query::Meta(m) => Node::Meta(MetaTest {
                field: m.field.clone(),
                value: m.value.text.to_ascii_lowercase(),
                prefix: m.value.prefix,
            }),
            Query::Not(x) => Node::Not(Box::new(self.node(x, terms))),
            Query::And(a, b) => {
                Node::And(Box::new(self.node(a, terms)), Box::new(self.node(b, terms)))
            }
            Query::Or(a, b) => {
                Node::Or(Box::new(self.node(a, terms)), Box::new(self.node(b, terms)))
            }
            Query::Near {
                left,
                right,
                distance,
            } => Node::Near(
                Box::new(self.node(left, terms)),
                Box::new(self.node(right, terms)),
                *distance,
            ),
        }
    }

    fn entity_trigger(m: &EntityMatch) -> Trigger {
        match &m.id {
            Some((id, false)) => Trigger::Id(m.kind, id.clone()),
            _ => Trigger::Kind(m.kind),
        }
    }

    fn requirement(&self, node: &Node) -> Requirement {
        let req = match node {
            Node::Lit(l) => Some(vec![vec![Trigger::Lit(*l)]]),
            Node::Entity(m) => Some(vec![vec![Self::entity_trigger(m)]]),
            Node::Count(m, op, value) => {
                // Only a count that zero cannot satisfy needs an entity.
                (!op.holds(0, *value)).then(|| vec![vec![Self::entity_trigger(m)]])
            }
            Node::Meta(_) | Node::Not(_) => None,
            Node::And(a, b) | Node::Near(a, b, _) => {
                match (self.requirement(a), self.requirement(b)) {
                    (None, r) | (r, None) => r,
                    (Some(mut x), Some(y)) => {
                        x.extend(y);
                        Some(x)
                    }
                }
            }
            Node::Or(a, b) => match (self.requirement(a), self.requirement(b)) {
                (Some(x), Some(y)) => Some(or_requirements(x, y)),
                _ => None,
            },
        };
        req.map(|mut clauses| {
            for clause in &mut clauses {
                clause.sort();
                clause.dedup();
            }
            clauses.sort();
            clauses.dedup();
            clauses
        })
    }
}

/// `(x1 ∧ x2 …) ∨ (y1 ∧ y2 …)` as a conjunction: `∧ (xi ∨ yj)` when small, else the weaker
/// single clause `x1 ∨ y1` (every x implies x1, every y implies y1).
fn or_requirements(x: Vec<Vec<Trigger>>, y: Vec<Vec<Trigger>>) -> Vec<Vec<Trigger>> {
    if x.len() * y.len() <= MAX_CLAUSES {
        let mut out = Vec::with_capacity(x.len() * y.len());
        for a in &x {
            for b in &y {
                out.push(a.iter().chain(b).cloned().collect());
            }
        }
        return out;
    }
    let smallest = |v: Vec<Vec<Trigger>>| v.into_iter().min_by_key(Vec::len).unwrap_or_default();
    let mut clause = smallest(x);
    clause.extend(smallest(y));
    vec![clause]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requirement(query: &str) -> Vec<Vec<String>> {
        let q = Query::parse(query).unwrap();
        let mut c = Compiler::default();
        let node = c.node(&q, &mut Vec::new());
        let Some(req) = c.requirement(&node) else {
            return Vec::new();
        };
        let mut names: HashMap<LitId, String> = HashMap::new();
        collect_names(&q, &mut c, &mut names);
        req.into_iter()
            .map(|clause| {
                clause
                    .into_iter()
                    .map(|t| match t {
                        Trigger::Lit(l) => names[&l].clone(),
                        Trigger::Kind(k) => format!("@{}", c.kinds[k]),
                        Trigger::Id(k, id) => format!("@{}:{id}", c.kinds[k]),
                    })
                    .collect()
            })
            .collect()
    }

    fn collect_names(q: &Query, c: &mut Compiler, out: &mut HashMap<LitId, String>) {
        match q {
            Query::Text(p) => {
                out.insert(
                    c.literals.add(&fold_term(&p.text), p.prefix),
                    p.text.clone(),
                );
            }
            Query::Not(x) => collect_names(x, c, out),
            Query::And(a, b) | Query::Or(a, b) => {
                collect_names(a, c, out);
                collect_names(b, c, out);
            }
            Query::Near { left, right, .. } => {
                collect_names(left, c, out);
                collect_names(right, c, out);
            }
            _ => {}
        }
    }

    #[test]
    fn requirements_follow_the_query() {
        assert_eq!(requirement("a AND (b OR c)"), [vec!["a"], vec!["b", "c"]]);
        assert_eq!(requirement("a OR b"), [vec!["a", "b"]]);
        assert_eq!(requirement("NOT a"), Vec::<Vec<String>>::new());
        assert_eq!(requirement("a OR NOT b"), Vec::<Vec<String>>::new());
        assert_eq!(requirement("a AND NOT b"), [vec!["a"]]);
        assert_eq!(requirement("lang:en"), Vec::<Vec<String>>::new());
        assert_eq!(requirement("@country < 3"), Vec::<Vec<String>>::new());
        assert_eq!(requirement("@country >= 3"), [vec!["@country"]]);
        assert_eq!(requirement("@country:ML"), [vec!["@country:ml"]]);
        assert_eq!(requirement("@resolution:S/RES/*"), [vec!["@resolution"]]);
        assert_eq!(
            requirement("\"new members\" NEAR/5 @country"),
            [vec!["new members"], vec!["@country"]]
        );
        assert_eq!(
            requirement("(a AND b) OR c"),
            [vec!["a", "c"], vec!["b", "c"]]
        );
    }
}
