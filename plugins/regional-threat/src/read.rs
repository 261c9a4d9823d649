//! Reading one sentence: its non-state armed actors, its places, and the role of each place.
//!
//! A place is reported only in a role that makes it the place threatened, and never in a role
//! that makes it something else (see [`Role`] and [`Not`]). The roles are read from the words
//! right around the place (or around the list of places it belongs to: "in Iraq and Syria").

use crate::lexicon::{Lexicon, Pattern, class::*};
use plugin_text_support::{Token, TokenKind as Kind, Tokens};

/// What an entity of the document is, for this plugin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntKind {
    Country,
    Region,
    /// A city or province (kind `place`), with its country as detail.
    Place,
    /// A named group that is a non-state armed actor.
    Group,
    /// A named group that is not (state forces, crime), an organization, a person, …
    Other,
}

/// How a country or region is written, from its text and label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// By a name ("Mali", "U.S.", "the Sahel Region").
    Name,
    /// By an adjective ("Malian", "Iranian", "Sahelian").
    Adjective,
    /// By its people ("Americans", "Israelis").
    People,
}

/// The form of a country or region named `text`, whose canonical label is `label`.
pub(crate) fn form(text: &str, label: &str) -> Form {
    let text = text.trim();
    let last = text.rsplit([' ', '-']).next().unwrap_or(text);
    let label_last = label.rsplit([' ', '-']).next().unwrap_or(label);
    let (t, l) = (text.as_bytes(), label.as_bytes());
    let contains_label = !l.is_empty()
        && (0..t.len().saturating_sub(l.len()) + 1).any(|at| {
            t.len() >= l.len()
                && t[at..at + l.len()].eq_ignore_ascii_case(l)
                && !t.get(at + l.len()).is_some_and(u8::is_ascii_alphabetic)
        });
    if last.eq_ignore_ascii_case(label_last)
        || contains_label
        || !last.chars().any(|c| c.is_lowercase())
        || last.ends_with("stan")
        || matches!(last, "region" | "Region" | "continent" | "Continent")
    {
        return Form::Name;
    }
    let stem = |w: &str| -> bool {
        [
            "an", "ian", "ean", "ese", "i", "ish", "ch", "ic", "ern", "ine", "ite", "ot", "be",
        ]
        .iter()
        .any(|s| w.ends_with(s))
    };
    if let Some(singular) = last.strip_suffix('s')
        && stem(singular)
    {
        return Form::People;
    }
    if stem(last) {
        Form::Adjective
    } else {
        Form::Name
    }
}

/// An entity of the document.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ent {
    pub start: usize,
    pub end: usize,
    pub kind: EntKind,
    pub form: Form,
    /// For a `place`: the ISO code of its country, if given.
    pub country: Option<[u8; 2]>,
    /// For a group: the range of its regions and countries named inside (`region_in_name`,
    /// `country_in_name`) in the document's list of them.
    pub inner: (usize, usize),
    /// For a country or a city: the id (a country code) to compare appositions ("Peshawar,
    /// Pakistan").
    pub code: Option<[u8; 2]>,
}

/// Why a place is the place threatened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Where it happens: "attacks in Mali", "operations across the Sahel", "spill-over into".
    Locative,
    /// Attacked or threatened: "a threat to Yemen", "attacks on Israel", "spread to X".
    Attacked,
    /// Part of it, or something of it, is threatened: "parts of Mali", "the security of Israel".
    Of,
    /// "Israel's security", "Iraq's territory".
    Possessive,
    /// "Sudan, where militias …".
    Where,
    /// It faces, suffers, was attacked: "Niger faces …", "Pakistan has suffered".
    Faces,
    /// Held or controlled by the group: "Houthi-controlled Sana'a", "Hamas controls Gaza".
    Controlled,
    /// Liberated from the group: "Mosul, liberated from ISIS".
    Liberated,
    /// "Israel … to defend itself".
    DefendsItself,
    /// "defeating terrorist groups on our soil": the country speaking, whose soil it is.
    HomeSoil,
    /// Named inside the group's name: "Islamic State West Africa Province", "ISIS-Somalia".
    InName,
}

impl Role {
    pub(crate) fn id(self) -> &'static str {
        match self {
            Role::Locative => "locative",
            Role::Attacked => "attacked",
            Role::Of => "of",
            Role::Possessive => "possessive",
            Role::Where => "where",
            Role::Faces => "faces",
            Role::Controlled => "controlled",
            Role::Liberated => "liberated",
            Role::DefendsItself => "defends-itself",
            Role::HomeSoil => "home-soil",
            Role::InName => "in-name",
        }
    }

    /// A short explanation, for the summary.
    pub(crate) fn explain(self) -> &'static str {
        match self {
            Role::Locative => "where it happens",
            Role::Attacked => "attacked or threatened",
            Role::Of => "its territory or security",
            Role::Possessive => "its territory or security",
            Role::Where => "where the group acts",
            Role::Faces => "faces the threat",
            Role::Controlled => "held by the group",
            Role::Liberated => "liberated from the group",
            Role::DefendsItself => "defends itself",
            Role::HomeSoil => "its own soil",
            Role::InName => "named in the group's name",
        }
    }
}

/// Why a place is not the place threatened (kept for tests and debugging).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Not {
    /// "Iranian-backed", "backed by Iran".
    Backer,
    /// "launched from Yemen".
    Origin,
    /// "U.S. forces", "Iraqi security forces".
    Forces,
    /// "the U.S. Embassy".
    Embassy,
    /// "Israeli citizens", "Americans".
    People,
    /// "Iraqi Prime Minister", "the Yemeni government".
    Official,
    /// An adjective with no place after it.
    Adjective,
    /// Part of a sea's or strait's name ("the South China Sea").
    Water,
    /// The start of a longer name ("Aden Adde International Airport").
    NamePart,
}

/// An actor of the sentence.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Actor {
    /// Its tokens.
    pub first: usize,
    pub last: usize,
    /// For a named group, its entity.
    pub entity: Option<usize>,
    /// A kidnapping or hostage-taking: counts only near the place.
    pub weak: bool,
    /// Carried over from an earlier sentence: `first` and `last` are then byte offsets (start,
    /// end) in the document, not tokens.
    pub carried: bool,
}

/// What is reported of a place: which place, why, with what cue, by which actor.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Finding {
    /// The place: an entity, or a region or country inside a group's name (index into the
    /// document's list of them).
    pub place: Place,
    pub role: Role,
    /// The cue (byte offsets).
    pub cue: (usize, usize),
    /// The actor (index into the sentence's actors).
    pub actor: Actor,
    /// A country named in apposition ("Peshawar, Pakistan"): its entity, also evidence.
    pub apposition: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Place {
    Entity(usize),
    InName(usize),
}

/// The reading of one sentence.
pub(crate) struct Reader<'a> {
    lexicon: &'a Lexicon,
    raw: &'a str,
    /// The sentence's tokens, read with the lexicon's rules (its classes and clauses).
    tokens: &'a Tokens,
    /// The same, as a list.
    toks: &'a [Token],
    ents: &'a [Ent],
    not_groups: &'a [bool],
}

/// A maximal run of places in a row ("Iraq and northeast Syria", "Mali, Burkina Faso and
/// Niger"): tokens `first..=last`, and its place tokens.
struct List {
    first: usize,
    last: usize,
}

/// A role or a reason against, with the token that cues it.
#[derive(Clone, Copy)]
enum Reading {
    Is(Role, usize),
    /// Dropped, and why (read in a debugger; the alert needs only the roles kept).
    IsNot(#[allow(dead_code)] Not),
}

impl<'a> Reader<'a> {
    /// The reading of a sentence of `raw` tokenized into `tokens`, whose entity tokens are
    /// indexes into `ents` (and `not_groups`).
    pub(crate) fn new(
        lexicon: &'a Lexicon,
        raw: &'a str,
        tokens: &'a Tokens,
        ents: &'a [Ent],
        not_groups: &'a [bool],
    ) -> Self {
        Reader {
            lexicon,
            raw,
            tokens,
            toks: tokens.list(),
            ents,
            not_groups,
        }
    }

    fn word(&self, i: usize) -> &'a str {
        &self.raw[self.toks[i].range.clone()]
    }

    /// The class of token `i` if it is punctuation (see `TokenRules::CLAUSES`).
    fn punct(&self, i: usize) -> Option<char> {
        self.tokens.punct(i)
    }

    fn ent(&self, i: usize) -> Option<&'a Ent> {
        self.toks.get(i)?.entity().map(|e| &self.ents[e])
    }

    fn is_place(&self, i: usize) -> bool {
        self.ent(i)
            .is_some_and(|e| matches!(e.kind, EntKind::Country | EntKind::Region | EntKind::Place))
    }

    /// The token before `i` in the same clause, skipping words of `skip` and quotes.
    fn prev(&self, i: usize, skip: u64) -> Option<usize> {
        let clause = self.toks[i].clause;
        let mut j = i;
        while j > 0 {
            j -= 1;
            let t = &self.toks[j];
            if t.clause != clause {
                return None;
            }
            if t.is(skip) || self.punct(j) == Some('"') {
                continue;
            }
            return Some(j);
        }
        None
    }

    /// The token after `i` in the same clause, skipping words of `skip` and quotes.
    fn next(&self, i: usize, skip: u64) -> Option<usize> {
        let clause = self.toks[i].clause;
        let mut j = i + 1;
        while let Some(t) = self.toks.get(j) {
            if t.clause != clause {
                return None;
            }
            if t.is(skip) || self.punct(j) == Some('"') {
                j += 1;
                continue;
            }
            return Some(j);
        }
        None
    }

    /// Whether the word at `i` is said of a state: right after a country's adjective or a
    /// country's possessive ("Russian attacks", "Russia's war").
    fn of_a_state(&self, i: usize) -> bool {
        let Some(j) = self.prev(i, DETERMINER) else {
            return false;
        };
        let country = |k: usize| self.ent(k).is_some_and(|e| e.kind == EntKind::Country);
        if country(j) {
            return true;
        }
        self.toks[j].is(POSSESSIVE) && j > 0 && country(j - 1)
    }

    /// The sentence's actors, in order.
    pub(crate) fn actors(&self, out: &mut Vec<Actor>) {
        out.clear();
        let state_context = self.toks.iter().any(|t| t.is(STATE_CONTEXT));
        let mut i = 0;
        while i < self.toks.len() {
            let t = &self.toks[i];
            if let Kind::Entity(e) = t.kind {
                if self.ents[e].kind == EntKind::Group && !self.not_groups[e] {
                    out.push(Actor {
                        first: i,
                        last: i,
                        entity: Some(e),
                        weak: false,
                        carried: false,
                    });
                }
                i += 1;
                continue;
            }
            if !t.is(ACTOR_START) {
                i += 1;
                continue;
            }
            let found = self
                .phrase(i, &self.lexicon.generic)
                .map(|last| (last, false))
                .or_else(|| {
                    (!state_context)
                        .then(|| self.phrase(i, &self.lexicon.weak))
                        .flatten()
                        .map(|last| (last, true))
                })
                .or_else(|| {
                    let last = self.phrase(i, &self.lexicon.held)?;
                    let held = (i.saturating_sub(3)..(last + 4).min(self.toks.len()))
                        .any(|k| self.toks[k].clause == t.clause && self.toks[k].is(CAPTIVE));
                    (!state_context && held).then_some((last, true))
                });
            if let Some((last, weak)) = found {
                if !self.said_of_a_state_or_crime(i) {
                    out.push(Actor {
                        first: i,
                        last,
                        entity: None,
                        weak,
                        carried: false,
                    });
                }
                i = last + 1;
                continue;
            }
            i += 1;
        }
    }

    /// Whether the generic actor at `i` is a state's or crime's ("Russian terror", "state
    /// terrorism", "cyber terrorism").
    fn said_of_a_state_or_crime(&self, i: usize) -> bool {
        let Some(j) = self.prev(i, 0) else {
            return false;
        };
        let j = if self.punct(j) == Some('-') {
            match self.prev(j, 0) {
                Some(k) => k,
                None => return false,
            }
        } else {
            j
        };
        let before = self.prev(j, 0).is_some_and(|k| self.toks[k].is(NOT_AFTER));
        self.toks[j].is(NOT_AFTER) || before || self.of_a_state(i)
    }

    /// The last token of the first phrase of `phrases` that starts at word `i`.
    fn phrase(&self, i: usize, phrases: &[Vec<Pattern>]) -> Option<usize> {
        'phrases: for phrase in phrases {
            let mut j = i;
            for (n, pattern) in phrase.iter().enumerate() {
                if n > 0 {
                    j += 1;
                    if self.punct(j) == Some('-') {
                        j += 1;
                    }
                }
                match self.toks.get(j) {
                    Some(t) if t.kind == Kind::Word => {
                        if !pattern.matches(self.word(j)) {
                            continue 'phrases;
                        }
                    }
                    _ => continue 'phrases,
                }
            }
            return Some(j);
        }
        None
    }

    /// The lists of places of the sentence.
    fn lists(&self, out: &mut Vec<List>) {
        out.clear();
        let separator = |j: usize| {
            matches!(self.punct(j), Some(',' | '/' | '&'))
                || self.toks[j].is(AND | LIST_WORD | DETERMINER | DIRECTION | LOCATIVE)
        };
        let mut i = 0;
        while i < self.toks.len() {
            if !self.is_place(i) {
                i += 1;
                continue;
            }
            let first = i;
            let mut last = i;
            let mut j = i + 1;
            while j < self.toks.len() && self.toks[j].clause == self.toks[first].clause {
                if self.is_place(j) {
                    last = j;
                    j += 1;
                } else if separator(j) {
                    j += 1;
                } else {
                    break;
                }
            }
            out.push(List { first, last });
            i = last + 1;
        }
    }

    /// The role the words before a list give it.
    fn before(&self, first: usize, actors: &[Actor]) -> Option<Reading> {
        let j = self.prev(first, DETERMINER | DIRECTION)?;
        let t = &self.toks[j];
        let near_actor = |at: usize| actors.iter().any(|a| a.last < at && a.last + 4 >= at);
        // "stood firmly by Israel", "solidarity with Nigeria", in a clause about attacks.
        if t.is(WITH | BY | TO) {
            let verb = self.prev(j, AUXILIARY).and_then(|k| {
                if self.toks[k].is(SOLIDARITY) {
                    Some(k)
                } else if self.word(k).ends_with("ly") {
                    self.prev(k, AUXILIARY)
                        .filter(|&v| self.toks[v].is(SOLIDARITY))
                } else {
                    None
                }
            });
            if let Some(v) = verb {
                let attacks = self
                    .toks
                    .iter()
                    .any(|o| o.clause == t.clause && o.is(TOWARD_HEAD | THREAT_NOUN | ATTACK_VERB));
                return attacks.then_some(Reading::Is(Role::Faces, v));
            }
        }
        if t.is(LOCATIVE) {
            let venue = (j.saturating_sub(3)..j)
                .any(|k| self.toks[k].clause == t.clause && self.toks[k].is(VENUE));
            return (!venue).then_some(Reading::Is(Role::Locative, j));
        }
        if t.is(TO | ON | AGAINST) {
            let head = (j.saturating_sub(3)..=j)
                .rev()
                .find(|&k| self.toks[k].clause == t.clause && self.toks[k].is(TOWARD_HEAD))?;
            return (!self.of_a_state(head)).then_some(Reading::Is(Role::Attacked, head));
        }
        if t.is(OF) {
            let k = self.prev(j, DETERMINER | DIRECTION)?;
            return (self.toks[k].is(OF_HEAD) && !self.of_a_state(k))
                .then_some(Reading::Is(Role::Of, k));
        }
        if t.is(FROM) {
            let k = self.prev(j, 0)?;
            return self.toks[k]
                .is(LAUNCH)
                .then_some(Reading::IsNot(Not::Origin));
        }
        if t.is(BY) {
            let k = self.prev(j, 0)?;
            return self.toks[k]
                .is(BACKER)
                .then_some(Reading::IsNot(Not::Backer));
        }
        if t.is(CONTROL) && near_actor(j) {
            return Some(Reading::Is(Role::Controlled, j));
        }
        // "to attack Venezuela", "threatens Iraq": the object of an attack.
        if t.is(ATTACK_VERB) && !self.of_a_state(j) {
            return Some(Reading::Is(Role::Attacked, j));
        }
        // "in Tinzawaten, Mali", "in Dapchi, Yobe State, Nigeria": places the tagger does not
        // know, then the place they are in.
        if self.punct(j) == Some(',') {
            let mut k = j;
            let mut names = 0;
            loop {
                let w = self.prev(k, 0)?;
                let tok = &self.toks[w];
                let capital =
                    tok.kind == Kind::Word && self.word(w).starts_with(|c: char| c.is_uppercase());
                if capital && names < 4 {
                    names += 1;
                    k = w;
                } else if self.punct(w) == Some(',') && names > 0 {
                    k = w;
                } else {
                    break;
                }
            }
            if names > 0 {
                let p = self.prev(k, DETERMINER)?;
                return self.toks[p]
                    .is(LOCATIVE)
                    .then_some(Reading::Is(Role::Locative, p));
            }
        }
        None
    }

    /// What the words right after one place say against it.
    fn against(&self, i: usize) -> Option<Not> {
        let n = self.next(i, 0)?;
        let t = &self.toks[n];
        // "Aden Adde International Airport": a longer name the place only begins.
        let adjacent = self.raw[self.toks[i].range.end..t.range.start] == *" ";
        if adjacent
            && t.kind == Kind::Word
            && t.classes == 0
            && self.word(n).starts_with(|c: char| c.is_uppercase())
        {
            return Some(Not::NamePart);
        }
        if self.punct(n) == Some('-') {
            let m = self.next(n, 0)?;
            return self.toks[m].is(BACKER).then_some(Not::Backer);
        }
        if t.is(BACKER) {
            return Some(Not::Backer);
        }
        if t.is(FORCES) {
            return Some(Not::Forces);
        }
        if t.is(EMBASSY) {
            return Some(Not::Embassy);
        }
        if t.is(PEOPLE) {
            return Some(Not::People);
        }
        if t.is(TITLES) {
            return Some(Not::Official);
        }
        if t.is(WATER) {
            return Some(Not::Water);
        }
        None
    }

    /// The role the words after a list (or one place) give it.
    fn after(&self, last: usize, actors: &[Actor]) -> Option<Reading> {
        let n = self.next(last, 0)?;
        let t = &self.toks[n];
        // "Gaza-based militants".
        if self.punct(n) == Some('-') {
            let m = self.next(n, 0)?;
            let actor = self
                .next(m, 0)
                .is_some_and(|a| actors.iter().any(|x| x.first == a));
            return (self.toks[m].is(BASED) && actor).then_some(Reading::Is(Role::Locative, m));
        }
        if t.is(POSSESSIVE) {
            let m = self.next(n, DETERMINER)?;
            if self.toks[m].is(POSSESSIVE_HEAD) {
                return Some(Reading::Is(Role::Possessive, m));
            }
            let m2 = self.next(m, DETERMINER)?;
            if self.toks[m].kind == Kind::Word && self.toks[m2].is(POSSESSIVE_HEAD) {
                return Some(Reading::Is(Role::Possessive, m2));
            }
            return None;
        }
        // "with Iraq against this barbaric threat".
        if t.is(AGAINST) {
            let threat = (n + 1..n + 4)
                .take_while(|&k| k < self.toks.len() && self.toks[k].clause == t.clause)
                .find(|&k| self.toks[k].is(THREAT_NOUN));
            return threat.map(|k| Reading::Is(Role::Faces, k));
        }
        if self.punct(n) == Some(',') {
            let m = self.next(n, 0)?;
            if self.toks[m].is(WHERE) {
                let clause = self.toks[m].clause;
                let acts = actors
                    .iter()
                    .any(|a| a.first > m && self.toks[a.first].clause == clause);
                return acts.then_some(Reading::Is(Role::Where, m));
            }
        }
        // Auxiliaries and adverbs, then a verb of suffering, liberation or control.
        let mut k = n;
        for _ in 0..5 {
            let t = &self.toks[k];
            if t.is(SUFFER) {
                return Some(Reading::Is(Role::Faces, k));
            }
            if t.is(LIBERATE) {
                return Some(Reading::Is(Role::Liberated, k));
            }
            if t.is(CONTROL) {
                let by = self.next(k, 0)?;
                let actor = self.next(by, DETERMINER)?;
                return (self.toks[by].is(BY) && actors.iter().any(|a| a.first == actor))
                    .then_some(Reading::Is(Role::Controlled, k));
            }
            let skip = t.is(AUXILIARY)
                || self.punct(k) == Some(',')
                || (t.kind == Kind::Word && self.word(k).ends_with("ly"));
            if !skip {
                break;
            }
            k = self.next(k, 0)?;
        }
        None
    }

    /// The findings of the sentence, given its actors, and the actor of the sentences just
    /// before (for "Israel has the right to defend itself" after an attack by a group).
    pub(crate) fn read(&self, actors: &[Actor], carried: Option<Actor>, out: &mut Vec<Finding>) {
        if actors.is_empty() && carried.is_none() {
            return;
        }
        let mut lists = Vec::new();
        self.lists(&mut lists);
        // For each place token: its reading (None: no role).
        let mut found: Vec<(usize, Reading)> = Vec::new();
        for list in &lists {
            let before = self.before(list.first, actors);
            let after = self.after(list.last, actors);
            for i in (list.first..=list.last).filter(|&i| self.is_place(i)) {
                let ent = self.ent(i).expect("a place");
                let own_after = if i == list.last {
                    None
                } else {
                    self.after(i, actors)
                };
                let territory = self.next(i, 0).is_some_and(|n| self.toks[n].is(TERRITORY))
                    || self
                        .next(list.last, 0)
                        .is_some_and(|n| self.toks[n].is(TERRITORY));
                let reading = match ent.form {
                    Form::People => Some(Reading::IsNot(Not::People)),
                    Form::Adjective if !territory => self
                        .against(i)
                        .map(Reading::IsNot)
                        .or(Some(Reading::IsNot(Not::Adjective))),
                    _ => self.against(i).map(Reading::IsNot),
                };
                let reading = reading.or_else(|| {
                    // The list's last place's own words against it count for all ("Iraqi and
                    // U.S. forces").
                    (i != list.last)
                        .then(|| self.against(list.last))
                        .flatten()
                        .map(Reading::IsNot)
                });
                // "in Russia's war": the preposition governs what the place has, not the place.
                let possessed =
                    |k: usize| self.next(k, 0).is_some_and(|n| self.toks[n].is(POSSESSIVE));
                let governed = !possessed(i) && !possessed(list.last);
                let reading = reading
                    .or(own_after)
                    .or_else(|| before.as_ref().filter(|_| governed).copied())
                    .or(after);
                if let Some(r) = reading {
                    found.push((i, r));
                }
            }
        }
        // "X … to defend itself": the nearest place before.
        for (d, t) in self.toks.iter().enumerate() {
            let reflexive =
                t.is(DEFEND) && self.next(d, 0).is_some_and(|r| self.toks[r].is(REFLEXIVE));
            let self_defense = self.word(d).eq_ignore_ascii_case("self")
                && self.punct(d + 1) == Some('-')
                && self.toks.get(d + 2).is_some_and(|n| n.is(DEFEND))
                || t.kind == Kind::Word
                    && self
                        .word(d)
                        .as_bytes()
                        .get(..10)
                        .is_some_and(|w| w.eq_ignore_ascii_case(b"self-defen"));
            if !(reflexive || self_defense) {
                continue;
            }
            if let Some(p) = (d.saturating_sub(12)..d)
                .rev()
                .find(|&p| self.is_place(p) && self.ent(p).is_some_and(|e| e.form == Form::Name))
                && !found.iter().any(|(i, _)| *i == p)
            {
                found.push((p, Reading::Is(Role::DefendsItself, d)));
            }
        }
        // "… on our soil": the nearest place before, in the sentence.
        for (h, t) in self.toks.iter().enumerate() {
            if !t.is(HOME) || h < 2 {
                continue;
            }
            if !(self.toks[h - 1].is(OUR) && self.toks[h - 2].is(LOCATIVE | ON)) {
                continue;
            }
            if let Some(p) = (0..h)
                .rev()
                .find(|&p| self.is_place(p) && self.ent(p).is_some_and(|e| e.form == Form::Name))
            {
                found.retain(|(i, r)| *i != p || matches!(r, Reading::Is(..)));
                if !found.iter().any(|(i, _)| *i == p) {
                    found.push((p, Reading::Is(Role::HomeSoil, h)));
                }
            }
        }
        found.sort_by_key(|(i, _)| *i);
        for (i, reading) in found {
            let Reading::Is(role, cue) = reading else {
                continue;
            };
            let actor = match self.actor_for(i, actors) {
                Some(actor) => actor,
                None if role == Role::DefendsItself && actors.is_empty() => match carried {
                    Some(actor) => actor,
                    None => continue,
                },
                None => continue,
            };
            // "Peshawar, Pakistan": the country in apposition to a city of it is the same place.
            let ent = self.ent(i).expect("a place");
            let apposition = (ent.kind == EntKind::Place)
                .then(|| {
                    let comma = self.next(i, 0)?;
                    let country = self.next(comma, 0)?;
                    let c = self.ent(country)?;
                    (self.punct(comma) == Some(',')
                        && c.kind == EntKind::Country
                        && c.code.is_some()
                        && c.code == ent.country)
                        .then(|| self.toks[country].entity())
                        .flatten()
                })
                .flatten();
            if let Some(a) = apposition {
                out.retain(|f| f.place != Place::Entity(a));
            }
            let after_apposition = out
                .iter()
                .any(|f| f.apposition.is_some() && f.apposition == self.toks[i].entity());
            if after_apposition {
                continue;
            }
            out.push(Finding {
                place: Place::Entity(self.toks[i].entity().expect("a place")),
                role,
                cue: (self.toks[cue].range.start, self.toks[cue].range.end),
                actor,
                apposition,
            });
        }
        // Regions and countries named inside a group's name.
        for actor in actors {
            let Some(e) = actor.entity else { continue };
            let (from, to) = self.ents[e].inner;
            for inner in from..to {
                let t = &self.toks[actor.first];
                out.push(Finding {
                    place: Place::InName(inner),
                    role: Role::InName,
                    cue: (t.range.start, t.range.end),
                    actor: *actor,
                    apposition: None,
                });
            }
        }
    }

    /// The actor of a place at token `p`: among the actors of its clause (else of the
    /// sentence), a named group rather than a generic actor, the nearest; a weak actor only a
    /// few words away.
    fn actor_for(&self, p: usize, actors: &[Actor]) -> Option<Actor> {
        let clause = self.toks[p].clause;
        let distance = |a: &Actor| {
            if a.last < p {
                p - a.last
            } else {
                a.first.saturating_sub(p)
            }
        };
        let usable = |a: &&Actor| !a.weak || distance(a) <= 12;
        let in_clause = actors
            .iter()
            .filter(usable)
            .any(|a| self.toks[a.first].clause == clause);
        let candidates = || {
            actors
                .iter()
                .filter(usable)
                .filter(move |a| in_clause && self.toks[a.first].clause == clause)
        };
        let named = candidates().any(|a| a.entity.is_some());
        candidates()
            .filter(|a| !named || a.entity.is_some())
            .min_by_key(|a| distance(a))
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        for (text, label, want) in [
            ("Mali", "Mali", Form::Name),
            ("Malian", "Mali", Form::Adjective),
            ("Iranian", "Iran", Form::Adjective),
            ("Americans", "United States", Form::People),
            ("American", "United States", Form::Adjective),
            ("U.S.", "United States", Form::Name),
            ("Israelis", "Israel", Form::People),
            ("Israeli", "Israel", Form::Adjective),
            ("Emirati", "United Arab Emirates", Form::Adjective),
            ("Afghanistan", "Afghanistan", Form::Name),
            ("Islamic Republic of Afghanistan", "Afghanistan", Form::Name),
            ("Philippines", "Philippines", Form::Name),
            ("Lebanese", "Lebanon", Form::Adjective),
            ("Sahelian", "Sahel", Form::Adjective),
            ("Sahel Region", "Sahel", Form::Name),
            ("African continent", "Africa", Form::Name),
            ("African", "Africa", Form::Adjective),
            ("Middle Eastern", "Middle East", Form::Adjective),
            ("Burma", "Myanmar", Form::Name),
            ("Palestinians", "Palestine", Form::People),
            ("Caribbean", "Caribbean", Form::Name),
            ("Türkiye", "Turkey", Form::Name),
            ("PRC", "China", Form::Name),
        ] {
            assert_eq!(form(text, label), want, "{text}");
        }
    }
}
