//! Evaluating compiled rules against one event.
//!
//! [`Matcher::prepare`] does the per-event work shared by all rules: one automaton scan, an index
//! of the event's entity spans by kind, the triggers that occurred, from them the candidate rules,
//! and the raw offsets of the occurrences of the candidates' literals (no other rule reads hits).
//! [`Ctx`] then answers, for one candidate and one scope (a raw byte range), whether its query
//! holds, and collects the evidence of a query that does.
//!
//! Everything positional is in raw byte offsets: literal hits are mapped back from the scanned
//! text, entity spans and sentences are raw already. `NEAR` counts words of the raw text (runs of
//! letters, digits and `_`) between two occurrences.

use std::cell::Cell;

use commwatch_core::{Communique, TextRange};

use crate::literals::{Hits, LitId, is_word_char};
use crate::plan::{EntityMatch, KindId, Matcher, MetaTest, Node, Plan, Trigger, TriggerId};
use crate::query::{MetaField, Query};
use crate::rule::Scope;

/// Buffers [`RuleSet::evaluate_with`](crate::RuleSet::evaluate_with) reuses between calls, so a
/// stream of events does not reallocate them for every event. One per thread; the contents between
/// calls mean nothing, and one `Scratch` may serve different rule sets.
#[derive(Default)]
pub struct Scratch {
    pub(crate) hits: Hits,
    /// The event's entities of the kinds rules refer to, by kind and position.
    pub(crate) ents: Vec<Ent>,
    /// Those whose id some rule names, by id trigger and position.
    pub(crate) ents_by_id: Vec<Ent>,
    /// Per trigger: occurred in this event. All false between calls.
    seen: Vec<bool>,
    fired: Vec<TriggerId>,
    /// Per plan: already looked at. All false between calls.
    plan_seen: Vec<bool>,
    /// Per literal: a candidate refers to it. All false between calls.
    lit_needed: Vec<bool>,
    touched: Vec<u32>,
    pub(crate) candidates: Vec<u32>,
    id_buf: String,
    /// The ASCII-lowercased text of an event without a folded copy.
    lower: String,
    /// Buffers for the occurrences of the two operands of a `NEAR` (which never nests).
    occ_bufs: Cell<(Vec<Occ>, Vec<Occ>)>,
    /// Buffer for the distinct ids of a count: (span index, id length).
    count_buf: Cell<Vec<(usize, usize)>>,
    /// Buffer for the scopes of a rule.
    pub(crate) scope_buf: Cell<Vec<Range>>,
    /// Buffers for the occurrences in qualifying `NEAR` pairs, and for marking them.
    pair_buf: Cell<Vec<Occ>>,
    used_buf: Cell<Vec<bool>>,
    /// Buffer for the evidence of a rule.
    pub(crate) evidence_buf: Cell<Evidence>,
    /// Buffer for span indices while building an alert.
    pub(crate) span_buf: Cell<Vec<usize>>,
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch").finish_non_exhaustive()
    }
}

/// An entity span of a kind some rule refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ent {
    pub(crate) kind: KindId,
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Index in `event.spans`.
    pub(crate) span: usize,
    /// The [`Trigger::Id`] of its kind and id, when some rule names that id; else `NO_ID`.
    pub(crate) id: TriggerId,
}

const NO_ID: TriggerId = TriggerId::MAX;

/// A raw byte range a query is evaluated in.
pub(crate) type Range = (usize, usize);

impl Matcher {
    /// Scans the event and fills `scratch` with hits, entities and the candidate plans (ascending).
    /// The hits mapped to raw offsets are those of the candidates' literals, or all with
    /// `map_all`.
    pub(crate) fn prepare(&self, event: &Communique, scratch: &mut Scratch, map_all: bool) {
        self.literals
            .scan(event, &mut scratch.hits, &mut scratch.lower);
        scratch.ents.clear();
        scratch.ents_by_id.clear();
        for (i, span) in event.spans.iter().enumerate() {
            if let Some(&kind) = self.kind_ids.get(&span.kind) {
                let ids = &self.id_triggers[kind];
                let mut id = NO_ID;
                if !ids.is_empty() {
                    scratch.id_buf.clear();
                    scratch.id_buf.push_str(&span.id);
                    scratch.id_buf.make_ascii_lowercase();
                    id = ids.get(scratch.id_buf.as_str()).copied().unwrap_or(NO_ID);
                }
                let ent = Ent {
                    kind,
                    start: span.start,
                    end: span.end,
                    span: i,
                    id,
                };
                scratch.ents.push(ent);
                if id != NO_ID {
                    scratch.ents_by_id.push(ent);
                }
            }
        }
        scratch.ents.sort_unstable();
        scratch
            .ents_by_id
            .sort_unstable_by_key(|e| (e.id, e.start, e.end, e.span));

        if scratch.seen.len() < self.triggers.len() {
            scratch.seen.resize(self.triggers.len(), false);
        }
        if scratch.plan_seen.len() < self.plans.len() {
            scratch.plan_seen.resize(self.plans.len(), false);
        }
        scratch.fired.clear();
        let fire = |t: TriggerId, seen: &mut Vec<bool>, fired: &mut Vec<TriggerId>| {
            if !seen[t] {
                seen[t] = true;
                fired.push(t);
            }
        };
        for lit in scratch.hits.lits() {
            if let Some(t) = self.lit_trigger[lit] {
                fire(t, &mut scratch.seen, &mut scratch.fired);
            }
        }
        for ent in &scratch.ents {
            if let Some(t) = self.kind_trigger[ent.kind] {
                fire(t, &mut scratch.seen, &mut scratch.fired);
            }
            if ent.id != NO_ID {
                fire(ent.id, &mut scratch.seen, &mut scratch.fired);
            }
        }

        scratch.candidates.clear();
        scratch.touched.clear();
        for &t in &scratch.fired {
            for &p in &self.postings[t] {
                if scratch.plan_seen[p as usize] {
                    continue;
                }
                scratch.plan_seen[p as usize] = true;
                scratch.touched.push(p);
                let rest = &self.rest
                    [self.rest_at[p as usize] as usize..self.rest_at[p as usize + 1] as usize];
                let mut rest_hold = true;
                let mut k = 0;
                while k < rest.len() {
                    let len = rest[k] as usize;
                    let clause = &rest[k + 1..k + 1 + len];
                    if !clause.iter().any(|&t| scratch.seen[t as usize]) {
                        rest_hold = false;
                        break;
                    }
                    k += 1 + len;
                }
                if rest_hold {
                    scratch.candidates.push(p);
                }
            }
        }
        for &p in &scratch.touched {
            scratch.plan_seen[p as usize] = false;
        }
        for &t in &scratch.fired {
            scratch.seen[t] = false;
        }
        scratch.candidates.extend_from_slice(&self.always);
        scratch.candidates.sort_unstable();

        if map_all {
            scratch.hits.map(event, |_| true);
            return;
        }
        if scratch.lit_needed.len() < self.literals.len() {
            scratch.lit_needed.resize(self.literals.len(), false);
        }
        let terms = |p: &u32| self.plans[*p as usize].terms.iter().map(|t| t.0);
        for lit in scratch.candidates.iter().flat_map(terms) {
            scratch.lit_needed[lit] = true;
        }
        let needed = &scratch.lit_needed;
        scratch.hits.map(event, |lit| needed[lit]);
        for lit in scratch.candidates.iter().flat_map(terms) {
            scratch.lit_needed[lit] = false;
        }
    }
}

/// What the evaluation of one rule needs to know about the event.
pub(crate) struct Ctx<'a> {
    pub(crate) event: &'a Communique,
    pub(crate) matcher: &'a Matcher,
    pub(crate) hits: &'a Hits,
    pub(crate) ents: &'a [Ent],
    pub(crate) ents_by_id: &'a [Ent],
    /// Reusable buffers.
    pub(crate) bufs: &'a Scratch,
}

/// What made a query hold: literal hits and entity spans (indices into `event.spans`).
#[derive(Debug, Default)]
pub(crate) struct Evidence {
    pub(crate) lits: Vec<(LitId, usize, usize)>,
    pub(crate) spans: Vec<usize>,
}

impl Evidence {
    /// Empties both lists, keeping their memory.
    pub(crate) fn clear(&mut self) {
        self.lits.clear();
        self.spans.clear();
    }
}

/// An occurrence of a positional operand.
#[derive(Clone, Copy, Debug)]
struct Occ {
    start: usize,
    end: usize,
    source: Source,
}

#[derive(Clone, Copy, Debug)]
enum Source {
    Lit(LitId),
    Span(usize),
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        event: &'a Communique,
        matcher: &'a Matcher,
        scratch: &'a Scratch,
    ) -> Ctx<'a> {
        Ctx {
            event,
            matcher,
            hits: &scratch.hits,
            ents: &scratch.ents,
            ents_by_id: &scratch.ents_by_id,
            bufs: scratch,
        }
    }

    /// The ranges a rule's query is evaluated in. With `all`, every sentence for sentence scope;
    /// else only the sentences holding an occurrence of the rule's most selective clause.
    pub(crate) fn scopes(&self, scope: Scope, plan: &Plan, all: bool, out: &mut Vec<Range>) {
        out.clear();
        let sentences = &self.event.sentences;
        match scope {
            _ if sentences.is_empty() => out.push((0, self.event.raw.len())),
            Scope::Document => out.push((0, self.event.raw.len())),
            Scope::FirstSentences(n) => {
                let last = &sentences[n.min(sentences.len()) - 1];
                out.push((sentences[0].start, last.end));
            }
            Scope::Sentence => match plan.clauses.first() {
                Some(clause) if !all => {
                    for &t in clause {
                        self.trigger_positions(t, |start| {
                            let i = sentences.partition_point(|s| s.start <= start);
                            if i > 0 && start < sentences[i - 1].end {
                                out.push((sentences[i - 1].start, sentences[i - 1].end));
                            }
                        });
                    }
                    out.sort_unstable();
                    out.dedup();
                }
                _ => out.extend(sentences.iter().map(|s| (s.start, s.end))),
            },
        }
    }

    fn trigger_positions(&self, t: TriggerId, mut f: impl FnMut(usize)) {
        match &self.matcher.triggers[t] {
            Trigger::Lit(l) => self.hits.of(*l).iter().for_each(|h| f(h.start)),
            Trigger::Kind(k) => self.ents_of(*k).iter().for_each(|e| f(e.start)),
            Trigger::Id(..) => self.ents_with_id(t).iter().for_each(|e| f(e.start)),
        }
    }

    fn ents_of(&self, kind: KindId) -> &'a [Ent] {
        let start = self.ents.partition_point(|e| e.kind < kind);
        let end = start + self.ents[start..].partition_point(|e| e.kind <= kind);
        &self.ents[start..end]
    }

    /// The hits of `lit` inside `r`.
    fn lit_in(&self, lit: LitId, r: Range) -> impl Iterator<Item = (usize, usize)> + 'a {
        let hits = self.hits.of(lit);
        let first = hits.partition_point(|h| h.start < r.0);
        hits[first..]
            .iter()
            .take_while(move |h| h.start < r.1)
            .filter(move |h| h.end <= r.1)
            .map(|h| (h.start, h.end))
    }

    fn ents_with_id(&self, id: TriggerId) -> &'a [Ent] {
        let start = self.ents_by_id.partition_point(|e| e.id < id);
        let end = start + self.ents_by_id[start..].partition_point(|e| e.id <= id);
        &self.ents_by_id[start..end]
    }

    /// The entities matching `m` inside `r`, by position.
    fn ents_in(&self, m: &'a EntityMatch, r: Range) -> impl Iterator<Item = &'a Ent> + 'a {
        let (ents, check) = match m.trigger {
            Some(t) => (self.ents_with_id(t), false),
            None => (self.ents_of(m.kind), m.id.is_some()),
        };
        let first = ents.partition_point(|e| e.start < r.0);
        let spans = &self.event.spans;
        ents[first..]
            .iter()
            .take_while(move |e| e.start < r.1)
            .filter(move |e| e.end <= r.1 && (!check || m.accepts(&spans[e.span].id)))
    }

    /// The number of distinct ids of entities matching `m` in `r`, counting no further than
    /// `limit` (enough to decide a comparison).
    fn count(&self, m: &'a EntityMatch, r: Range, limit: u32) -> u32 {
        let mut ids = self.bufs.count_buf.take();
        ids.clear();
        for e in self.ents_in(m, r) {
            let id = &*self.event.spans[e.span].id;
            if !ids
                .iter()
                .any(|&(s, l)| l == id.len() && *self.event.spans[s].id == *id)
            {
                ids.push((e.span, id.len()));
                if ids.len() as u32 >= limit {
                    break;
                }
            }
        }
        let n = ids.len() as u32;
        self.bufs.count_buf.set(ids);
        n
    }

    fn meta(&self, t: &MetaTest) -> bool {
        let e = self.event;
        match &t.field {
            MetaField::Source => t.accepts(Some(&e.origin.name)),
            MetaField::Lang => t.accepts(e.language.as_deref()),
            MetaField::Meta(key) => t.accepts(e.metadata.get(key).map(String::as_str)),
        }
    }

    /// Whether `node` holds in `r`.
    pub(crate) fn holds(&self, node: &'a Node, r: Range) -> bool {
        match node {
            Node::Lit(l) => self.lit_in(*l, r).next().is_some(),
            Node::Entity(m) => self.ents_in(m, r).next().is_some(),
            Node::Count(m, op, value) => {
                op.holds(self.count(m, r, value.saturating_add(1)), *value)
            }
            Node::Meta(t) => self.meta(t),
            Node::Not(x) => !self.holds(x, r),
            Node::And(a, b) => self.holds(a, r) && self.holds(b, r),
            Node::Or(a, b) => self.holds(a, r) || self.holds(b, r),
            Node::Near(a, b, d) => self.near(a, b, *d, r, None),
        }
    }

    /// Adds the evidence of `node`, which holds in `r`: the occurrences of its positive terms
    /// that hold (for `NEAR`, those in a qualifying pair).
    pub(crate) fn collect(&self, node: &'a Node, r: Range, out: &mut Evidence) {
        match node {
            Node::Lit(l) => out.lits.extend(self.lit_in(*l, r).map(|(s, e)| (*l, s, e))),
            Node::Entity(m) | Node::Count(m, ..) => {
                out.spans.extend(self.ents_in(m, r).map(|e| e.span))
            }
            Node::Meta(_) | Node::Not(_) => {}
            Node::And(a, b) => {
                self.collect(a, r, out);
                self.collect(b, r, out);
            }
            Node::Or(a, b) => {
                for x in [a, b] {
                    if self.holds(x, r) {
                        self.collect(x, r, out);
                    }
                }
            }
            Node::Near(a, b, d) => {
                let mut pairs = self.bufs.pair_buf.take();
                pairs.clear();
                self.near(a, b, *d, r, Some(&mut pairs));
                for occ in &pairs {
                    match occ.source {
                        Source::Lit(l) => out.lits.push((l, occ.start, occ.end)),
                        Source::Span(s) => out.spans.push(s),
                    }
                }
                self.bufs.pair_buf.set(pairs);
            }
        }
    }

    fn occurrences(&self, node: &'a Node, r: Range, out: &mut Vec<Occ>) {
        match node {
            Node::Lit(l) => out.extend(self.lit_in(*l, r).map(|(start, end)| Occ {
                start,
                end,
                source: Source::Lit(*l),
            })),
            Node::Entity(m) => out.extend(self.ents_in(m, r).map(|e| Occ {
                start: e.start,
                end: e.end,
                source: Source::Span(e.span),
            })),
            Node::Or(a, b) => {
                self.occurrences(a, r, out);
                self.occurrences(b, r, out);
            }
            // The parser only lets positional operands into NEAR.
            _ => {}
        }
    }

    /// Whether an occurrence of `a` and one of `b` are at most `d` words apart in `r` (the number
    /// of words that start between the end of the first and the start of the second; 0 when they
    /// overlap). With `pairs`, appends to it every occurrence that is in such a pair instead of
    /// stopping at the first.
    ///
    /// For each occurrence of the shorter list, the text is read for `d + 1` words on each side
    /// to find how far the other occurrences may start (after it) or end (before it), and those
    /// are found by binary search; the cost is the occurrences times the bytes of `d` words, not
    /// the length of the text.
    fn near(
        &self,
        a: &'a Node,
        b: &'a Node,
        d: u32,
        r: Range,
        pairs: Option<&mut Vec<Occ>>,
    ) -> bool {
        let (mut left, mut right) = self.bufs.occ_bufs.take();
        left.clear();
        right.clear();
        self.occurrences(a, r, &mut left);
        if !left.is_empty() {
            self.occurrences(b, r, &mut right);
        }
        let mut found = false;
        if !left.is_empty() && !right.is_empty() {
            // Occurrences of one term come sorted; only an OR needs sorting.
            for list in [&mut left, &mut right] {
                if !list.is_sorted_by_key(|o| (o.start, o.end)) {
                    list.sort_unstable_by_key(|o| (o.start, o.end));
                }
            }
            let (xs, ys) = if left.len() <= right.len() {
                (&left, &right)
            } else {
                (&right, &left)
            };
            match pairs {
                None => found = self.near_pairs(xs, ys, d, None),
                Some(p) => {
                    let mut used = self.bufs.used_buf.take();
                    used.clear();
                    used.resize(xs.len() + ys.len(), false);
                    let (used_x, used_y) = used.split_at_mut(xs.len());
                    found = self.near_pairs(xs, ys, d, Some((&mut *used_x, &mut *used_y)));
                    for (list, used) in [(xs, used_x), (ys, used_y)] {
                        p.extend(list.iter().zip(used).filter(|(_, u)| **u).map(|(o, _)| *o));
                    }
                    self.bufs.used_buf.set(used);
                }
            }
        }
        self.bufs.occ_bufs.set((left, right));
        found
    }

    /// Whether some x of `xs` and y of `ys` (both sorted by start) are within `d` words. With
    /// `used`, marks the members of every such pair; without, returns at the first.
    fn near_pairs(
        &self,
        xs: &[Occ],
        ys: &[Occ],
        d: u32,
        mut used: Option<(&mut [bool], &mut [bool])>,
    ) -> bool {
        let text = &self.event.raw;
        let longest = ys.iter().map(|y| y.end - y.start).max().unwrap_or(0);
        let mut found = false;
        let mut mark = |i: usize, j: usize| match used.as_mut() {
            None => true,
            Some((ux, uy)) => {
                ux[i] = true;
                uy[j] = true;
                false
            }
        };
        for (i, x) in xs.iter().enumerate() {
            // y starting at or after x: at most d word starts in text[x.end..y.start], i.e. y
            // starts no later than the (d+1)-th word start from x.end.
            let limit = nth_word_start_after(text, x.end, d + 1).unwrap_or(usize::MAX);
            let from = ys.partition_point(|y| y.start < x.start);
            let to = ys.partition_point(|y| y.start <= limit);
            for j in from..to.max(from) {
                found = true;
                if mark(i, j) {
                    return true;
                }
            }
            // y starting before x: at most d word starts in text[y.end..x.start], i.e. y ends
            // after the (d+1)-th word start before x.start.
            let floor = nth_word_start_before(text, x.start, d + 1);
            for j in (0..from).rev() {
                let y = &ys[j];
                if let Some(p) = floor {
                    if y.start + longest <= p {
                        break;
                    }
                    if y.end <= p {
                        continue;
                    }
                }
                found = true;
                if mark(i, j) {
                    return true;
                }
            }
        }
        found
    }
}

/// `at`, or the nearest character boundary below it, within `text`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The `n`-th (from 1) word start at or after `from`, if there are that many.
fn nth_word_start_after(text: &str, from: usize, n: u32) -> Option<usize> {
    // Offsets come from spans, which a faulty stage could put off a character boundary.
    let from = boundary(text, from);
    let mut prev = text[..from].chars().next_back().is_some_and(is_word_char);
    let mut count = 0;
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        let (w, len) = if b < 0x80 {
            (b.is_ascii_alphanumeric() || b == b'_', 1)
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            (is_word_char(c), c.len_utf8())
        };
        if w && !prev {
            count += 1;
            if count == n {
                return Some(i);
            }
        }
        prev = w;
        i += len;
    }
    None
}

/// The `n`-th (from 1) word start before `to`, counting leftwards, if there are that many.
fn nth_word_start_before(text: &str, to: usize, n: u32) -> Option<usize> {
    let mut count = 0;
    let mut chars = text[..boundary(text, to)].char_indices().rev().peekable();
    while let Some((i, c)) = chars.next() {
        if is_word_char(c) && !chars.peek().is_some_and(|&(_, p)| is_word_char(p)) {
            count += 1;
            if count == n {
                return Some(i);
            }
        }
    }
    None
}

/// How one term of a query fared on an event; see [`RuleSet::explain`](crate::RuleSet::explain).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermMatch {
    /// The term in canonical form: `"new members"`, `@country:ML`, `@country >= 3`, `lang:en`, or
    /// a whole `a NEAR/10 b` (listed after its operands).
    pub term: String,
    /// True when the term sits under a `NOT` (matching it works against the rule).
    pub negated: bool,
    /// True when the term holds in at least one of the evaluated scopes.
    pub matched: bool,
    /// Where it matched, in raw byte offsets, sorted: literal hits, entity spans (for a count, the
    /// spans counted), the occurrences in qualifying pairs for `NEAR`; empty for metadata.
    pub ranges: Vec<TextRange>,
}

/// Why a rule fired or did not on one event: see [`RuleSet::explain`](crate::RuleSet::explain).
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// The rule id.
    pub rule: String,
    /// The query in canonical form.
    pub query: String,
    /// The rule's scope.
    pub scope: Scope,
    /// The ranges the query was evaluated in: the document, the first N sentences, or each
    /// sentence.
    pub scopes: Vec<TextRange>,
    /// Whether the prefilter would evaluate the rule on this event (always true when it fired).
    pub candidate: bool,
    /// Whether the rule fires (also true for a disabled rule that would fire).
    pub fired: bool,
    /// Each term of the query, in query order.
    pub terms: Vec<TermMatch>,
    /// The alert the rule raises, when it fires.
    pub alert: Option<commwatch_core::Alert>,
}

impl<'a> Ctx<'a> {
    /// Lists the terms of `node` (compiled from `query`) and how they matched in `scopes`.
    pub(crate) fn explain_terms(
        &self,
        node: &'a Node,
        query: &Query,
        negated: bool,
        scopes: &[Range],
        out: &mut Vec<TermMatch>,
    ) {
        let mut ranges = Vec::new();
        let mut matched = false;
        match (node, query) {
            (Node::Not(x), Query::Not(q)) => {
                return self.explain_terms(x, q, !negated, scopes, out);
            }
            (Node::And(a, b), Query::And(qa, qb)) | (Node::Or(a, b), Query::Or(qa, qb)) => {
                self.explain_terms(a, qa, negated, scopes, out);
                return self.explain_terms(b, qb, negated, scopes, out);
            }
            (Node::Near(a, b, d), Query::Near { left, right, .. }) => {
                self.explain_terms(a, left, negated, scopes, out);
                self.explain_terms(b, right, negated, scopes, out);
                let mut pairs = Vec::new();
                for &r in scopes {
                    pairs.clear();
                    matched |= self.near(a, b, *d, r, Some(&mut pairs));
                    ranges.extend(pairs.iter().map(|o| (o.start, o.end)));
                }
            }
            (Node::Lit(l), _) => {
                for &r in scopes {
                    ranges.extend(self.lit_in(*l, r));
                }
                matched = !ranges.is_empty();
            }
            (Node::Entity(m), _) => {
                for &r in scopes {
                    ranges.extend(self.ents_in(m, r).map(|e| (e.start, e.end)));
                }
                matched = !ranges.is_empty();
            }
            (Node::Count(m, op, value), _) => {
                for &r in scopes {
                    if op.holds(self.count(m, r, value.saturating_add(1)), *value) {
                        matched = true;
                        ranges.extend(self.ents_in(m, r).map(|e| (e.start, e.end)));
                    }
                }
            }
            (Node::Meta(t), _) => matched = self.meta(t),
            _ => unreachable!("a compiled node mirrors its query"),
        }
        ranges.sort_unstable();
        ranges.dedup();
        out.push(TermMatch {
            term: query.to_string(),
            negated,
            matched,
            ranges: ranges.into_iter().map(TextRange::from).collect(),
        });
    }
}
