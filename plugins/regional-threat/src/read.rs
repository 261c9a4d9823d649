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
    /// A person: what a person owns is a state's ("Putin's war").
    Person,
    /// A named group that is not (state forces, crime), an organization, …
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
    /// It fights the actor: "Iraq's cooperation in countering ISIS", "Burkina Faso in its fight
    /// against terrorism".
    Fights,
    /// It risks hosting the actor: "prevent Sudan from attracting terrorist networks".
    Haven,
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
            Role::Fights => "fights",
            Role::Haven => "haven",
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
            Role::Fights => "fights the group",
            Role::Haven => "risks hosting the group",
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
    /// A state's: "the military junta in Myanmar", "Russian atrocities in Ukraine", "Putin's war
    /// in Ukraine".
    State,
    /// Named for aid: "humanitarian assistance into Gaza".
    Aid,
    /// Where troops deploy to, for operations in another place of the clause.
    Staging,
    /// A name of a topic: "the Gaza conflict".
    Modifier,
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

/// How strongly a coordinator or comma separates what comes before it from what follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Boundary {
    /// A new noun phrase of the same clause: "… against Israel and the humanitarian situation in
    /// Gaza", "…, the military junta in Myanmar".
    Weak,
    /// A new clause: "…, and we …", "… and will deepen …", "…, when asked …", "(ii)".
    Strong,
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

    fn is_word(&self, i: usize) -> bool {
        matches!(self.toks[i].kind, Kind::Word)
    }

    /// A word of no class of the lexicon: an adjective or a noun it does not know.
    fn plain(&self, i: usize) -> bool {
        self.toks[i].kind == Kind::Word && self.toks[i].classes == 0
    }

    fn capitalized(&self, i: usize) -> bool {
        self.is_word(i) && self.word(i).starts_with(|c: char| c.is_uppercase())
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

    /// Whether the noun at `i` is a state's: a country's adjective or a country's or a person's
    /// possessive before it, over up to three adjectives ("Russian atrocities", "Russia's
    /// brutal and unjust war", "Putin's unjust war").
    fn state_owned(&self, i: usize) -> bool {
        let state = |k: usize| {
            self.ent(k)
                .is_some_and(|e| matches!(e.kind, EntKind::Country | EntKind::Person))
        };
        let mut j = i;
        let mut skipped = 0;
        while let Some(k) = self.prev(j, 0) {
            if state(k) {
                return true;
            }
            if self.toks[k].is(POSSESSIVE) {
                return k > 0 && state(k - 1);
            }
            let adjective = self.plain(k) && !self.capitalized(k) || self.toks[k].is(AND);
            if !adjective || skipped == 3 {
                return false;
            }
            skipped += 1;
            j = k;
        }
        false
    }

    /// The sentence's actors, in order.
    pub(crate) fn actors(&self, out: &mut Vec<Actor>) {
        out.clear();
        let state_context = self.toks.iter().any(|t| t.is(STATE_CONTEXT));
        let mut i = 0;
        while i < self.toks.len() {
            let t = &self.toks[i];
            if let Kind::Entity(e) = t.kind {
                if self.ents[e].kind == EntKind::Group && !self.not_groups[e] && !self.denied(i) {
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
            if let Some(group) = self.pronoun_of_group(i, out) {
                out.push(Actor {
                    first: i,
                    last: i,
                    entity: Some(group),
                    weak: false,
                    carried: false,
                });
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
                if !self.said_of_a_state_or_crime(i) && !self.not_an_actor(i, last, weak) {
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

    /// The named group that the subject pronoun at `i` stands for: "it" or "they" starting a
    /// clause of its own after the group, with no other entity between ("Hamas has shown that it
    /// still poses a threat to Israel", "if Hamas stays in power, it will … attack Israel").
    fn pronoun_of_group(&self, i: usize, actors: &[Actor]) -> Option<usize> {
        let word = self.is_word(i).then(|| self.word(i))?;
        if !(word.eq_ignore_ascii_case("it") || word.eq_ignore_ascii_case("they")) {
            return None;
        }
        let last = actors.last()?;
        let group = last.entity?;
        // A subject: not the object of a preposition or a verb ("against it", "defeat it"), and
        // a word follows.
        let subject = self.prev(i, 0).is_none_or(|p| {
            self.punct(p).is_some() || self.toks[p].is(AND | RELATIVE | SUBORDINATOR | WHERE)
        }) && self.next(i, 0).is_some_and(|n| self.is_word(n));
        let alone = (last.last + 1..i).all(|k| self.ent(k).is_none());
        (subject && alone).then_some(group)
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

    /// Whether the actor phrase `i..=last` is not an actor where it is said: a verb
    /// ("terrorize"), part of a capitalised name ("Terrorist Financing Targeting Center",
    /// "Global Counter-Terrorism Strategy", "Bureau of Counterterrorism"), a topic of money or
    /// designation ("terrorist financing", "terrorist-sponsoring"), a state's ("the terror of
    /// Russian bombardments", "Kurti's extremist regime"), an act of a state or a figure of
    /// speech ("abducted by Russia", "held hostage by the situation"), or denied.
    fn not_an_actor(&self, i: usize, last: usize, weak: bool) -> bool {
        if self.toks[i].is(NOT_ACTOR) {
            return true;
        }
        let after = self.next(last, 0).map(|n| {
            if self.punct(n) == Some('-') {
                self.next(n, 0)
            } else {
                Some(n)
            }
        });
        let after = after.flatten();
        // A capitalised name with a word of names in it ("Terrorist Financing Targeting
        // Center", "Global Counter-Terrorism Strategy", "Bureau of Counterterrorism"), not a
        // group's name the tagger does not know ("Islamic Jihad rockets").
        if self.capitalized(i) && self.in_a_name(i, last) {
            return true;
        }
        // "… the Extraordinary Session of the African Union Assembly on terrorism": the topic of
        // a named meeting or office.
        if let Some(p) = self.prev(i, 0)
            && (self.toks[p].is(OF | ON) || self.word(p).eq_ignore_ascii_case("for"))
            && let Some(q) = self.prev(p, 0)
            && self.capitalized(q)
            && self.in_a_name(q, q)
        {
            return true;
        }
        if let Some(n) = after {
            let adjective_then = self
                .plain(n)
                .then(|| self.next(n, 0))
                .flatten()
                .is_some_and(|m| self.toks[m].is(NOT_BEFORE));
            if self.toks[n].is(NOT_BEFORE) || adjective_then {
                return true;
            }
            // "the terror of Russian bombardments".
            if self.toks[n].is(OF)
                && let Some(m) = self.next(n, DETERMINER)
                && self
                    .ent(m)
                    .is_some_and(|e| matches!(e.kind, EntKind::Country | EntKind::Person))
            {
                return true;
            }
        }
        if weak {
            // "abducted by Russia", "held hostage by the ten most powerful families".
            let by = (last + 1..(last + 3).min(self.toks.len()))
                .take_while(|&k| self.toks[k].clause == self.toks[i].clause)
                .find(|&k| self.toks[k].is(BY));
            if let Some(by) = by {
                let mut k = by;
                let mut skipped = 0;
                let captor = loop {
                    let Some(n) = self.next(k, DETERMINER) else {
                        break false;
                    };
                    if self.ent(n).is_some_and(|e| e.kind == EntKind::Group) {
                        break true;
                    }
                    if self.toks[n].is(ACTOR_START) {
                        break true;
                    }
                    if self.plain(n) && skipped < 2 {
                        skipped += 1;
                        k = n;
                        continue;
                    }
                    break false;
                };
                if !captor {
                    return true;
                }
            } else if self.word(i).to_ascii_lowercase().starts_with("hostage")
                && !self.word(i).contains('-')
                && self.toks.get(i + 1).is_some()
                && self.punct(i + 1) != Some('-')
            {
                // "all hostages held in Gaza": hostages with no group named are no actor
                // (docs/labelling.md); "hostages held by Hamas" have their group.
                return true;
            }
        }
        self.denied(i)
    }

    /// Whether the capitalised words around `i..=last` (joined by hyphens and "of", "on",
    /// "for", "and", "the", "to" between capitalised words) hold a word of `name_word`.
    fn in_a_name(&self, i: usize, last: usize) -> bool {
        let connector = |k: usize| {
            self.punct(k) == Some('-')
                || self.is_word(k)
                    && matches!(
                        self.word(k).to_ascii_lowercase().as_str(),
                        "of" | "on" | "for" | "and" | "the" | "to"
                    )
        };
        let part = |k: usize| self.capitalized(k) || self.punct(k) == Some('-');
        let mut named = (i..=last).any(|k| self.toks[k].is(NAME_WORD));
        let mut k = i;
        while !named && k > 0 {
            k -= 1;
            if part(k) {
                named = self.toks[k].is(NAME_WORD);
            } else if !(connector(k) && k > 0 && self.capitalized(k - 1)) {
                break;
            }
        }
        let mut k = last;
        while !named && k + 1 < self.toks.len() {
            k += 1;
            if part(k) {
                named = self.toks[k].is(NAME_WORD);
            } else if !(connector(k)
                && self
                    .toks
                    .get(k + 1)
                    .is_some_and(|_| self.capitalized(k + 1)))
            {
                break;
            }
        }
        named
    }

    /// Whether the actor at token `i` is denied or only reported as an allegation: a word of
    /// negation among the three words before it ("no links between the 46 mercenaries"), or a
    /// word of hedging in its clause ("… raised by some media").
    fn denied(&self, i: usize) -> bool {
        let clause = self.toks[i].clause;
        if self.toks.iter().any(|t| t.clause == clause && t.is(HEDGE)) {
            return true;
        }
        let mut j = i;
        let mut words = 0;
        while let Some(k) = self.prev(j, DETERMINER) {
            j = k;
            if !self.is_word(k) || self.word(k).starts_with(|c: char| c.is_ascii_digit()) {
                continue;
            }
            if self.toks[k].is(NEGATION)
                && !self.toks.get(k + 1).is_some_and(|n| {
                    self.is_word(k + 1) && self.raw[n.range.clone()].eq_ignore_ascii_case("only")
                })
            {
                return true;
            }
            words += 1;
            if words == 3 {
                break;
            }
        }
        false
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

    /// The lists of places of the sentence. A list joined by commas alone is one list only when
    /// its places are in apposition ("Peshawar, Pakistan") or end it; otherwise it ends at its
    /// first place ("In Coastal West Africa, the United States aims …", "On the conflict in
    /// Palestine, Solomon Islands condemns …"). Two places with nothing between are two lists.
    fn lists(&self, out: &mut Vec<List>) {
        out.clear();
        let separator = |j: usize| {
            matches!(self.punct(j), Some(',' | '/' | '&'))
                || self.toks[j].is(AND | LIST_WORD | DETERMINER | DIRECTION | LOCATIVE)
        };
        let joining = |k: usize| {
            matches!(self.punct(k), Some('/' | '&')) || self.toks[k].is(AND | LIST_WORD | LOCATIVE)
        };
        let mut i = 0;
        while i < self.toks.len() {
            if !self.is_place(i) {
                i += 1;
                continue;
            }
            let first = i;
            let mut last = i;
            // The places of the list, and whether a word joins them (not commas alone).
            let mut places = vec![i];
            let mut joined = false;
            let mut j = i + 1;
            while j < self.toks.len() && self.toks[j].clause == self.toks[first].clause {
                if self.is_place(j) {
                    if j == last + 1 {
                        break;
                    }
                    joined |= (last + 1..j).any(joining);
                    places.push(j);
                    last = j;
                    j += 1;
                } else if separator(j) {
                    j += 1;
                } else {
                    break;
                }
            }
            // "…, the United States will reevaluate": a place after a comma, then a word that
            // is no separator, is the subject of a new clause, not the list's last place.
            if places.len() > 1 {
                let follows = self.toks.get(last + 1).is_some_and(|t| {
                    matches!(t.kind, Kind::Word)
                        && t.clause == self.toks[first].clause
                        && !t.is(AND
                            | LIST_WORD
                            | LOCATIVE
                            | TO
                            | ON
                            | OF
                            | WITH
                            | BY
                            | FROM
                            | POSSESSIVE)
                });
                let prev = places[places.len() - 2];
                let comma = (prev + 1..last)
                    .all(|k| self.punct(k) == Some(',') || self.toks[k].is(DETERMINER))
                    && (prev + 1..last).any(|k| self.punct(k) == Some(','));
                let apposition = self.ent(last).is_some_and(|b| {
                    self.ent(prev).is_some_and(|a| {
                        b.code.is_some() && (b.code == a.country || b.code == a.code)
                    })
                });
                if follows && comma && !apposition {
                    places.pop();
                    last = prev;
                }
            }
            if places.len() > 1 && !joined {
                let apposition = places.windows(2).all(|w| {
                    let (a, b) = (self.ent(w[0]), self.ent(w[1]));
                    match (a, b) {
                        (Some(a), Some(b)) => {
                            b.code.is_some() && (b.code == a.country || b.code == a.code)
                        }
                        _ => false,
                    }
                });
                // What follows the list: a word that is not a separator makes its last place a
                // subject ("…, the United States aims").
                let subject = self.toks.get(last + 1).is_some_and(|t| {
                    matches!(t.kind, Kind::Word)
                        && t.clause == self.toks[first].clause
                        && !t.is(AND | LIST_WORD | LOCATIVE | TO | ON | OF | WITH | BY | FROM)
                });
                if !apposition && subject {
                    last = first;
                }
            }
            out.push(List { first, last });
            i = last + 1;
        }
    }

    /// Whether a word of `mask` is within `n` words before token `j`, in its clause.
    fn within_before(&self, j: usize, n: usize, mask: u64) -> bool {
        (j.saturating_sub(n)..j)
            .any(|k| self.toks[k].clause == self.toks[j].clause && self.toks[k].is(mask))
    }

    /// Whether the preposition at `j` is governed by a word of aid ("humanitarian assistance
    /// into Gaza", "relief for civilians in Gaza"), not one of aid workers.
    fn aid(&self, j: usize) -> bool {
        (j.saturating_sub(4)..j).any(|k| {
            self.toks[k].clause == self.toks[j].clause
                && self.toks[k].is(AID)
                && !self.toks.get(k + 1).is_some_and(|n| n.is(PEOPLE))
        })
    }

    /// The role the words before a list give it.
    fn before(&self, first: usize, last: usize, actors: &[Actor]) -> Option<Reading> {
        let mut j = self.prev(first, DETERMINER | DIRECTION)?;
        // "into southern and central Mali": directions joined by "and".
        while self.toks[j].is(AND)
            && self.toks[first].clause == self.toks[j].clause
            && self.prev(j, 0).is_some_and(|d| self.toks[d].is(DIRECTION))
        {
            j = self.prev(j, DETERMINER | DIRECTION)?;
        }
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
            if self.within_before(j, 4, VENUE) {
                return None;
            }
            if self.aid(j) {
                return Some(Reading::IsNot(Not::Aid));
            }
            // "the military junta in Myanmar", "Russian atrocities in Ukraine", "Putin's war in
            // Ukraine": where a state is or acts.
            if let Some(head) = self.prev(j, DETERMINER | DIRECTION)
                && self.is_word(head)
                && (self.toks[head].is(STATE_HEAD)
                    || self.toks[head].is(STATE_WAR
                        | TOWARD_HEAD
                        | ATTACK_VERB
                        | THREAT_NOUN
                        | VIOLENT)
                        && self.state_owned(head))
            {
                return Some(Reading::IsNot(Not::State));
            }
            return Some(Reading::Is(Role::Locative, j));
        }
        if t.is(TO | ON | AGAINST) {
            let head = (j.saturating_sub(3)..=j)
                .rev()
                .find(|&k| self.toks[k].clause == t.clause && self.toks[k].is(TOWARD_HEAD))?;
            if self.state_owned(head) || self.of_a_state(head) {
                return Some(Reading::IsNot(Not::State));
            }
            if self.aid(j) {
                return Some(Reading::IsNot(Not::Aid));
            }
            // "deployed to Kenya to support counterterrorism operations in East Africa".
            if self.toks[head].is(DEPLOY) {
                let code = self.ent(first).and_then(|e| e.code);
                let elsewhere = (last + 1..self.toks.len())
                    .take_while(|&k| self.toks[k].clause == t.clause)
                    .any(|k| {
                        self.is_place(k)
                            && self
                                .ent(k)
                                .is_some_and(|e| e.code.is_none() || e.code != code)
                            && self
                                .prev(k, DETERMINER | DIRECTION)
                                .is_some_and(|p| self.toks[p].is(LOCATIVE | OF))
                    });
                if elsewhere {
                    return Some(Reading::IsNot(Not::Staging));
                }
            }
            return Some(Reading::Is(Role::Attacked, head));
        }
        if t.is(OF) {
            // "the north of Israel": a direction right before "of" is its head ("the security of
            // northern Mali" skips it after "of").
            let k = self
                .prev(j, DETERMINER)
                .filter(|&d| self.toks[d].is(DIRECTION) && self.toks[d].is(OF_HEAD))
                .or_else(|| self.prev(j, DETERMINER | DIRECTION))?;
            // "groups operating out of Afghanistan": where the group is.
            if self.is_word(k)
                && self.word(k).eq_ignore_ascii_case("out")
                && let Some(based) = self.prev(k, 0).filter(|&b| self.toks[b].is(BASED))
            {
                return Some(Reading::Is(Role::Locative, based));
            }
            if !self.toks[k].is(OF_HEAD) {
                return None;
            }
            if self.state_owned(k) || self.of_a_state(k) {
                return Some(Reading::IsNot(Not::State));
            }
            if self.aid(j) {
                return Some(Reading::IsNot(Not::Aid));
            }
            return Some(Reading::Is(Role::Of, k));
        }
        if t.is(FROM) {
            let k = self.prev(j, 0)?;
            // "terrorist organizations operating from Lebanon" are there; "rockets launched from
            // Yemen" are not.
            if self.toks[k].is(BASED) {
                return Some(Reading::Is(Role::Locative, k));
            }
            // "the withdrawal of all foreign forces, fighters and mercenaries from Libya": the
            // actor right before "from", a word of its removal a few words before it.
            if actors.iter().any(|a| a.last == k)
                && let Some(removal) = (k.saturating_sub(8)..k)
                    .find(|&m| self.toks[m].clause == t.clause && self.toks[m].is(LIBERATE))
            {
                return Some(Reading::Is(Role::Locative, removal));
            }
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
        // "the Gaza conflict": the place names a topic.
        if adjacent && t.is(TOPIC) && !self.capitalized(n) {
            return Some(Not::Modifier);
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
        // "U.S. and coalition personnel": a place and a modifier of the same forces or people.
        if t.is(AND) {
            let m = self.next(n, 0)?;
            if !self.is_place(m) && self.is_word(m) {
                let noun = if self.toks[m].is(FORCES | PEOPLE | EMBASSY) {
                    Some(m)
                } else if self.plain(m) {
                    self.next(m, 0)
                        .filter(|&k| self.toks[k].is(FORCES | PEOPLE | EMBASSY))
                } else {
                    None
                };
                if let Some(k) = noun {
                    return Some(if self.toks[k].is(FORCES) {
                        Not::Forces
                    } else if self.toks[k].is(EMBASSY) {
                        Not::Embassy
                    } else {
                        Not::People
                    });
                }
            }
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
            if let Some(m2) = self.next(m, DETERMINER)
                && self.toks[m].kind == Kind::Word
                && self.toks[m2].is(POSSESSIVE_HEAD)
            {
                return Some(Reading::Is(Role::Possessive, m2));
            }
            return self.fights_or_hosts(last, actors);
        }
        // "the Mumbai attacks": a city or province naming an attack is where it was (a country
        // so named is more often the attacker's: "the Iran attack", "Russian attacks").
        if self.ent(last).is_some_and(|e| e.kind == EntKind::Place) && t.is(VIOLENT) {
            return Some(Reading::Is(Role::Locative, n));
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
        if let Some(reading) = self.fights_or_hosts(last, actors) {
            return Some(reading);
        }
        // Auxiliaries and adverbs (six words at most: ", which has itself been a …"), then a verb
        // of suffering, liberation or control.
        let mut k = n;
        for _ in 0..6 {
            let t = &self.toks[k];
            if t.is(SUFFER) {
                return self
                    .suffers_a_threat(k, actors)
                    .then_some(Reading::Is(Role::Faces, k));
            }
            if t.is(LIBERATE) {
                return Some(Reading::Is(Role::Liberated, k));
            }
            // "Sri Lanka was a victim of terrorism", "Iran … has been a major target of
            // terrorists".
            if t.is(DETERMINER)
                && let Some(noun) = self.next(k, 0).and_then(|m| {
                    if self.plain(m) && !self.is_victim(m) {
                        self.next(m, 0)
                    } else {
                        Some(m)
                    }
                })
                && self.is_victim(noun)
                && self.next(noun, 0).is_some_and(|o| self.toks[o].is(OF))
            {
                return self
                    .suffers_a_threat(noun, actors)
                    .then_some(Reading::Is(Role::Faces, noun));
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

    /// Whether the word at `i` is "victim" or "target" (of what is named next).
    fn is_victim(&self, i: usize) -> bool {
        self.is_word(i)
            && ["victim", "target"]
                .iter()
                .any(|w| self.word(i).eq_ignore_ascii_case(w))
    }

    /// "Iraq's continuing cooperation in countering Daesh/ISIS", "Burkina Faso in its fight
    /// against terrorism", "prevent Sudan from attracting terrorist networks": after the place
    /// (and its possessive), up to four words (articles, adjectives, "in", "from", auxiliaries)
    /// then a word of fighting or of a haven, and the actor within three words after it
    /// ("against", "to defeat" between), and no other place after the actor in the clause.
    fn fights_or_hosts(&self, last: usize, actors: &[Actor]) -> Option<Reading> {
        let clause = self.toks[last].clause;
        let mut k = last;
        let mut cue = None;
        for _ in 0..6 {
            k = self.next(k, 0)?;
            let t = &self.toks[k];
            if t.is(FIGHT | HAVEN) {
                cue = Some(k);
                break;
            }
            let skip = t.is(POSSESSIVE | DETERMINER | AUXILIARY | FROM)
                || self.plain(k)
                || self.is_word(k) && self.word(k).eq_ignore_ascii_case("in")
                // "must not become", "risks becoming a safe haven".
                || self.is_word(k)
                    && ["become", "becoming", "becomes", "risk", "risks"]
                        .iter()
                        .any(|w| self.word(k).eq_ignore_ascii_case(w));
            if !skip {
                return None;
            }
        }
        let cue = cue?;
        let actor = actors
            .iter()
            .find(|a| a.first > cue && a.first <= cue + 4 && self.toks[a.first].clause == clause)?;
        let between_ok = (cue + 1..actor.first).all(|m| {
            let t = &self.toks[m];
            t.is(AGAINST | DETERMINER | TO | ATTACK_VERB | FIGHT)
                || self.plain(m)
                || self.is_word(m) && self.word(m).eq_ignore_ascii_case("for")
        });
        let elsewhere = (actor.last + 1..self.toks.len())
            .take_while(|&m| self.toks[m].clause == clause)
            .any(|m| self.is_place(m));
        // A generic actor is the place's own fight, where it is supported ("Burkina Faso in its
        // fight against terrorism"), not the world's ("cooperates in the fight against
        // terrorism", "Cuba's efforts to fight terrorism").
        let own = self.prev(cue, 0).is_some_and(|p| {
            let p = if self.plain(p) {
                match self.prev(p, 0) {
                    Some(q) => q,
                    None => return false,
                }
            } else {
                p
            };
            self.toks[p].is(OUR)
                && self
                    .prev(p, 0)
                    .is_some_and(|q| self.is_word(q) && self.word(q).eq_ignore_ascii_case("in"))
        });
        if actor.entity.is_none() && self.toks[cue].is(FIGHT) && !own {
            return None;
        }
        let role = if self.toks[cue].is(HAVEN) {
            Role::Haven
        } else {
            Role::Fights
        };
        (between_ok && !elsewhere).then_some(Reading::Is(role, cue))
    }

    /// Whether the verb of suffering at `k` is said of a threat: nothing follows it in the
    /// clause ("Pakistan has suffered."), or an actor or a word of threat or violence comes
    /// within six words ("faces terrorist attacks", "was plagued only by the actions of terrorist
    /// groups"), not another object ("faces an economic contraction").
    fn suffers_a_threat(&self, k: usize, actors: &[Actor]) -> bool {
        let clause = self.toks[k].clause;
        let mut seen = 0;
        for m in k + 1..self.toks.len() {
            let t = &self.toks[m];
            if t.clause != clause || matches!(self.punct(m), Some('.' | ';' | ':')) {
                return seen == 0;
            }
            if actors.iter().any(|a| a.first == m)
                || t.is(TOWARD_HEAD | THREAT_NOUN | ATTACK_VERB | VIOLENT)
            {
                return true;
            }
            if self.punct(m) == Some(',') && seen == 0 {
                return true;
            }
            seen += 1;
            if seen == 6 {
                return false;
            }
        }
        seen == 0
    }

    /// How strongly the tokens `from..to` separate what is before them from what is after: a
    /// coordinator (and, or, nor, as well as) before a new noun phrase or a new clause, a comma
    /// before a subordinate clause or a subject pronoun, a comma before a noun phrase that no
    /// comma closes (not an apposition: "al-Shabaab, an associated force of al-Qa'ida, in
    /// Somalia"), an enumeration mark ("(ii)"). Not "and" before another actor or the group's
    /// own members ("Hamas and other terrorist groups", "ISIS and its affiliates"), nor before a
    /// conjunct with its own attack ("… in Jeddah as well as attacks against civil facilities in
    /// Jizan").
    fn boundary(&self, from: usize, to: usize, actors: &[Actor], verbs: bool) -> Option<Boundary> {
        let mut strongest = None;
        let mut k = from;
        while k < to {
            let t = &self.toks[k];
            let mut found = None;
            let as_well_as = self.is_word(k)
                && self.word(k).eq_ignore_ascii_case("as")
                && k + 2 < to
                && self.word(k + 1).eq_ignore_ascii_case("well")
                && self.word(k + 2).eq_ignore_ascii_case("as");
            let coordinator = as_well_as
                || t.is(AND) && self.is_word(k) && !self.word(k).eq_ignore_ascii_case("&");
            // "… on UAE and its rejection of violent extremism", "Iran and its proxies": the
            // conjunct goes on about the place just named.
            let continuation = coordinator
                && !as_well_as
                && k > 0
                && self.is_place(k - 1)
                && self.toks.get(k + 1).is_some_and(|n| n.is(OUR));
            if coordinator && !continuation {
                let end = if as_well_as { k + 2 } else { k };
                let mut n = end + 1;
                while n < to && (self.punct(n) == Some(',') || self.punct(n) == Some('"')) {
                    n += 1;
                }
                if n < to {
                    let actor_follows = (n..(n + 4).min(to)).any(|m| {
                        actors.iter().any(|a| a.first == m)
                            || self.toks[m].is(GROUP_NOUN)
                                && (n..m).all(|x| self.toks[x].is(DETERMINER) || self.plain(x))
                    });
                    // "… as well as attacks against civil facilities in Jizan": the conjunct
                    // opens with its own attack (within its first three words).
                    let own_attack = self.toks[n..to.min(n + 3)]
                        .iter()
                        .any(|x| x.is(TOWARD_HEAD | ATTACK_VERB | THREAT_NOUN));
                    let nt = &self.toks[n];
                    let strong = nt.is(AUXILIARY | PRONOUN)
                        || self.is_word(n)
                            && self.word(n).ends_with("ing")
                            && self.toks.get(n + 1).is_some_and(|x| x.is(DETERMINER));
                    let preposition = LOCATIVE | TO | ON | OF | WITH | BY | FROM | AGAINST;
                    // "… and commitment to counterterrorism": a new noun with its own complement.
                    let noun_and_complement = self.plain(n)
                        && n + 2 < to
                        && self.toks[n + 1].is(preposition)
                        && !self.is_place(n + 2);
                    // "… and expressed deep regret that …", "… and affirmed our cooperation …": a
                    // verb and its object.
                    let verb_and_object = verbs
                        && self.plain(n)
                        && self.toks.get(n + 1).is_some_and(|x| x.is(DETERMINER));
                    let weak = (nt.is(DETERMINER | preposition) && !self.is_place(n))
                        || noun_and_complement
                        || verb_and_object
                        || as_well_as;
                    // A new noun phrase closed by a comma before the end is a parenthesis or an
                    // item of a longer list whose end the place (or actor) completes ("… and the
                    // re-emergence of unconstitutional changes of Government, civil strife and
                    // armed conflicts across the Sahel").
                    let closed = (n..to).any(|x| self.punct(x) == Some(','));
                    if !actor_follows && strong {
                        found = Some(Boundary::Strong);
                    } else if !actor_follows && weak && !own_attack && !closed {
                        found = Some(Boundary::Weak);
                    }
                }
                k = end;
            } else if self.punct(k) == Some(',') {
                if let Some(n) = (k + 1 < to).then_some(k + 1) {
                    let nt = &self.toks[n];
                    if nt.is(SUBORDINATOR | PRONOUN) {
                        found = Some(Boundary::Strong);
                    } else {
                        // "…, such as those in the Sahel": an elaboration.
                        let such_as = self.word(n).eq_ignore_ascii_case("such")
                            && self.toks.get(n + 1).is_some_and(|x| x.is(LIST_WORD));
                        let closed = (n + 1..to).any(|x| self.punct(x) == Some(','));
                        let actor_follows =
                            (n..(n + 4).min(to)).any(|m| actors.iter().any(|a| a.first == m));
                        if nt.is(DETERMINER) && !such_as && !closed && !actor_follows {
                            found = Some(Boundary::Weak);
                        }
                    }
                }
            } else if self.punct(k) == Some('(')
                && k + 2 < to
                && self.punct(k + 2) == Some(')')
                && self.is_word(k + 1)
                && matches!(
                    self.word(k + 1),
                    "i" | "ii" | "iii" | "iv" | "v" | "a" | "b" | "c" | "d" | "1" | "2" | "3" | "4"
                )
            {
                found = Some(Boundary::Strong);
            }
            strongest = strongest.max(found);
            k += 1;
        }
        strongest
    }

    /// The comma after the list ending at `last`, when the locative at `cue` opens its clause:
    /// "In Africa, terrorism … continues", "Today in Jerusalem, …".
    fn fronted(&self, cue: usize, last: usize) -> Option<usize> {
        let clause = self.toks[cue].clause;
        let before: Vec<usize> = (0..cue)
            .filter(|&k| self.toks[k].clause == clause && self.punct(k).is_none())
            .collect();
        let opening = before.len() <= 1
            && before
                .iter()
                .all(|&k| self.toks[k].is(AND | AUXILIARY) || self.word(k).ends_with("ay"));
        let comma = (last + 1..(last + 6).min(self.toks.len()))
            .take_while(|&k| self.toks[k].clause == clause && !self.toks[k].is(AUXILIARY))
            .find(|&k| self.punct(k) == Some(','))?;
        // "…, and last month, in Kabul, we eliminated …": set off by commas and followed by
        // a subject pronoun, the locative opens a coordinated clause.
        let set_off = cue > 0
            && self.punct(cue - 1) == Some(',')
            && self.toks.get(comma + 1).is_some_and(|t| t.is(PRONOUN));
        (opening || set_off).then_some(comma)
    }

    /// Whether `actor` governs the role of the list `first..=last` (cued at `cue`): the place's
    /// role is the actor's, in the same clause, and not a state's war's.
    ///
    /// - An actor before the list: nothing between them starts a new noun phrase or clause
    ///   (`boundary`), and a generic actor does not place where a state's war is ("the war in
    ///   Ukraine").
    /// - An actor after: the verb of the role leads to it ("Niger faces terrorist attacks",
    ///   "Sudan, where militias …", within six words of "where"), or a preposition right after
    ///   the place does ("in Iraq against ISIS", "attacks in Gaza by Hamas", "facilities in Iraq
    ///   that the militia use"), or the place opens the clause ("In Africa, terrorism …"),
    ///   with no word of talks between ("In Mauritania, the delegations will discuss …"), and
    ///   nothing between them starts a new clause.
    /// - Never a named group whose clause is about its policies (women's rights, schools,
    ///   restrictions) and not violence.
    fn governs(
        &self,
        actor: &Actor,
        first: usize,
        last: usize,
        role: Role,
        cue: usize,
        actors: &[Actor],
    ) -> bool {
        let clause = self.toks[actor.first].clause;
        let policy = self.toks.iter().any(|t| t.clause == clause && t.is(POLICY));
        let violence = self
            .toks
            .iter()
            .any(|t| t.clause == clause && t.is(ATTACK_VERB | THREAT_NOUN | VIOLENT));
        if actor.entity.is_some() && policy && !violence {
            return false;
        }
        if matches!(role, Role::DefendsItself | Role::HomeSoil | Role::InName) {
            return true;
        }
        // "the ongoing crisis in Gaza and … the release of all remaining hostages held by Hamas":
        // hostages a named group holds place it in the place named where it happens
        // (docs/labelling.md), whatever comes between, unless the place is named for aid.
        if actor.entity.is_some()
            && matches!(role, Role::Locative | Role::Of)
            && self.holds_hostages(actor)
            && !self.within_before(cue, 8, AID)
            && !self.talks_at(cue, first, last, actor)
        {
            return true;
        }
        // A war, an invasion, an aggression is a state's: a generic actor does not place where
        // it is waged ("terrorist threats … the war in Ukraine"), nor a named group unless the
        // war is said to be its own ("the aggression against Iraq created ISIS").
        let head = match role {
            Role::Locative => self.prev(cue, DETERMINER | DIRECTION),
            Role::Of | Role::Attacked => Some(cue),
            _ => None,
        };
        if let Some(h) = head.filter(|&h| self.toks[h].is(STATE_WAR)) {
            let owner = self.prev(h, POSSESSIVE | DETERMINER);
            let own = actor.entity.is_some() && owner == Some(actor.last);
            if !own {
                return false;
            }
        }
        if actor.last < first {
            // "… defeating terrorism, and we … stood with Iraq against this barbaric threat": the
            // threat named after the place is the actor's.
            if role == Role::Faces && cue > last {
                return true;
            }
            // "to fight terror, protect civilians, and maintain democracy in Israel": a generic
            // actor fought as a topic reaches only a place right after it ("the fight against
            // terrorism in the Sahel", "… in general and in the Sahel").
            if actor.entity.is_none()
                && self
                    .prev(actor.first, AGAINST | DETERMINER)
                    .is_some_and(|p| self.toks[p].is(FIGHT))
                && (actor.last + 1..first).any(|k| {
                    self.punct(k) == Some(',')
                        || self.toks[k].is(AND)
                            && !self.toks.get(k + 1).is_some_and(|n| n.is(LOCATIVE))
                })
            {
                return false;
            }
            // "the first convoy of humanitarian assistance since Hamas's attack … crossed the
            // border into Gaza": an actor inside what modifies the aid the place is named for.
            // (Not the place of the actor's own attack: "… since Hamas's attack on Israel".)
            if (0..actor.first).any(|k| {
                self.toks[k].clause == self.toks[first].clause
                    && self.toks[k].is(AID)
                    && !self.toks.get(k + 1).is_some_and(|n| n.is(PEOPLE))
            }) && matches!(role, Role::Locative | Role::Attacked | Role::Of)
                && cue > actor.last + 3
            {
                return false;
            }
            return self
                .boundary(actor.last + 1, first, actors, false)
                .is_none();
        }
        if actor.first <= last {
            return true;
        }
        // The actor comes after the list. A place that opens the clause is read from the comma
        // after it ("In West Africa, we face persistent terrorist threats").
        if self.talks_at(cue, first, last, actor) {
            return false;
        }
        let from = cue.max(last);
        let comma = (role == Role::Locative && cue < first)
            .then(|| self.fronted(cue, last))
            .flatten();
        let start = comma.map_or(from + 1, |c| c + 1);
        let boundary = self.boundary(start, actor.first, actors, true);
        if boundary == Some(Boundary::Strong) {
            return false;
        }
        match role {
            Role::Where => !(cue..actor.first).any(|k| self.toks[k].is(VENUE | DISCUSS | AID)),
            Role::Faces | Role::Liberated | Role::Controlled | Role::Fights | Role::Haven => true,
            _ if comma.is_some() => true,
            _ => {
                // A preposition, a relative pronoun or an elaboration right after the place
                // ("in Iraq against ISIS", "events in the Middle East, in particular …"), or the
                // actor a few words on with no coordinator between ("deployed to Lebanon to
                // enhance the government's counterterrorism capabilities").
                // "by" with a verb in -ing is a means ("including by addressing the root causes
                // of … terrorism"), not an agent.
                let means = |k: usize| {
                    self.toks[k].is(BY)
                        && self
                            .next(k, 0)
                            .is_some_and(|n| self.is_word(n) && self.word(n).ends_with("ing"))
                };
                let linked = (from + 1..(from + 4).min(actor.first + 1)).any(|k| {
                    k == actor.first && !(from + 1..k).any(|m| self.toks[m].is(AND))
                        || self.toks[k].is(AGAINST | BY | FROM | BASED) && !means(k)
                        // A relative pronoun right after the place ("facilities in Iraq and Syria
                        // that the militia use"), not a "that" after a verb.
                        || self.toks[k].is(RELATIVE)
                            && (from + 1..k).all(|m| self.punct(m) == Some(','))
                        || self.toks[k].is(ELABORATION)
                            && self.next(k, 0).is_some_and(|n| {
                                self.toks[n].is(DETERMINER) || self.plain(n) || n == actor.first
                            })
                });
                let coordinator = (from + 1..actor.first).any(|k| {
                    self.toks[k].is(AND)
                        && !(k == last + 1 && self.toks.get(k + 1).is_some_and(|n| n.is(OUR)))
                });
                // "… the people of Afghanistan with electricity since the Taliban came to
                // power": an adverbial of time between them.
                let temporal = (from + 1..actor.first).any(|k| self.toks[k].is(TEMPORAL));
                linked || boundary.is_none() && !coordinator && !temporal && actor.first <= from + 8
            }
        }
    }

    /// Whether the locative at `cue` opens the clause of the list `first..=last` and a word of
    /// talks or meetings comes before the actor: "In Mauritania, the delegations will discuss …
    /// terrorist groups", "In Doha, he will also focus on … hostages held by Hamas".
    fn talks_at(&self, cue: usize, first: usize, last: usize, actor: &Actor) -> bool {
        cue < first
            && actor.first > last
            && self.toks[cue].is(LOCATIVE)
            && self.fronted(cue, last).is_some()
            && (cue..actor.first).any(|k| self.toks[k].is(VENUE | DISCUSS))
    }

    /// Whether the named group `actor` is said to hold hostages: "hostages held by Hamas",
    /// "taken hostage by Hamas", "hostages … still being held by Hamas".
    fn holds_hostages(&self, actor: &Actor) -> bool {
        let clause = self.toks[actor.first].clause;
        let Some(by) = self.prev(actor.first, DETERMINER) else {
            return false;
        };
        if !self.toks[by].is(BY) {
            return false;
        }
        (by.saturating_sub(5)..by).any(|k| {
            self.toks[k].clause == clause
                && self.is_word(k)
                && self.word(k).to_ascii_lowercase().starts_with("hostage")
        }) && (by.saturating_sub(4)..by).any(|k| self.toks[k].is(CAPTIVE))
    }

    /// The findings of the sentence, given its actors, and the actor of the sentence just
    /// before (for "Israel has the right to defend itself" after an attack by a group).
    pub(crate) fn read(&self, actors: &[Actor], carried: Option<Actor>, out: &mut Vec<Finding>) {
        if actors.is_empty() && carried.is_none() {
            return;
        }
        let mut lists = Vec::new();
        self.lists(&mut lists);
        // For each place token, its readings in order of preference (with its list's bounds):
        // the first whose role an actor governs is kept; a reason against ends them.
        let mut found: Vec<(usize, Reading, usize, usize)> = Vec::new();
        for list in &lists {
            let before = self.before(list.first, list.last, actors);
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
                if let Some(r) = reading {
                    found.push((i, r, list.first, list.last));
                    continue;
                }
                // "in Russia's war": the preposition governs what the place has, not the place.
                let possessed =
                    |k: usize| self.next(k, 0).is_some_and(|n| self.toks[n].is(POSSESSIVE));
                let governed = !possessed(i) && !possessed(list.last);
                let list_after = after;
                let (first, last) = (list.first, list.last);
                for r in [own_after, before.filter(|_| governed), list_after]
                    .into_iter()
                    .flatten()
                {
                    found.push((i, r, first, last));
                    if matches!(r, Reading::IsNot(_)) {
                        break;
                    }
                }
            }
        }
        // "X … to defend itself": the nearest place before, if it is named by its name ("the
        // Afghan security forces to defend themselves" is not the United States before), and
        // not against a state ("defends itself against Russia's aggression").
        for (d, t) in self.toks.iter().enumerate() {
            // "to defend itself", "to defend its territory and people", "self-defense".
            let reflexive = t.is(DEFEND)
                && self.next(d, 0).is_some_and(|r| {
                    self.toks[r].is(REFLEXIVE)
                        || self.toks[r].is(OUR)
                            && self
                                .next(r, 0)
                                .is_some_and(|h| self.toks[h].is(HOME | TERRITORY | PEOPLE))
                });
            let self_defense = self.is_word(d)
                && self.word(d).eq_ignore_ascii_case("self")
                && self.punct(d + 1) == Some('-')
                && self.toks.get(d + 2).is_some_and(|n| {
                    n.kind == Kind::Word
                        && self.raw[n.range.clone()]
                            .get(..5)
                            .is_some_and(|w| w.eq_ignore_ascii_case("defen"))
                })
                || t.kind == Kind::Word
                    && self
                        .word(d)
                        .as_bytes()
                        .get(..10)
                        .is_some_and(|w| w.eq_ignore_ascii_case(b"self-defen"));
            if !(reflexive || self_defense) {
                continue;
            }
            if self.against_a_state(d, actors) {
                continue;
            }
            if let Some(p) = (d.saturating_sub(12)..d).rev().find(|&p| self.is_place(p))
                && self.ent(p).is_some_and(|e| e.form == Form::Name)
            {
                let list = lists.iter().find(|l| l.first <= p && p <= l.last);
                let (first, last) = list.map_or((p, p), |l| (l.first, l.last));
                found.push((p, Reading::Is(Role::DefendsItself, d), first, last));
            }
        }
        // "… on our soil": the nearest place before, in the sentence, if named by its name and
        // not a possessor ("Iran's destabilizing influence … in our country").
        for (h, t) in self.toks.iter().enumerate() {
            if !t.is(HOME) || h < 2 {
                continue;
            }
            if !(self.toks[h - 1].is(OUR) && self.toks[h - 2].is(LOCATIVE | ON)) {
                continue;
            }
            if let Some(p) = (0..h).rev().find(|&p| self.is_place(p))
                && self.ent(p).is_some_and(|e| e.form == Form::Name)
                && !self.next(p, 0).is_some_and(|n| self.toks[n].is(POSSESSIVE))
            {
                found.retain(|(i, r, _, _)| *i != p || matches!(r, Reading::Is(..)));
                found.push((p, Reading::Is(Role::HomeSoil, h), p, p));
            }
        }
        // In order of places, each place's readings in order of preference (a stable sort).
        found.sort_by_key(|(i, ..)| *i);
        let mut done: Option<usize> = None;
        for (i, reading, first, last) in found {
            if done == Some(i) {
                continue;
            }
            let Reading::Is(role, cue) = reading else {
                done = Some(i);
                continue;
            };
            let actor = match self.actor_for(i, first, last, role, cue, actors) {
                Some(actor) => actor,
                None if role == Role::DefendsItself && actors.is_empty() => match carried {
                    Some(actor) => actor,
                    None => continue,
                },
                None => continue,
            };
            done = Some(i);
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

    /// Whether what the defence word at `d` is against is a state and no actor: "defends itself
    /// against Russia's continuing aggression", "against Russian aggression", "in response to
    /// aggressive Western policies" is not; "against Iran and Iran-backed terrorists like
    /// Hamas" has an actor.
    fn against_a_state(&self, d: usize, actors: &[Actor]) -> bool {
        let clause = self.toks[d].clause;
        let Some(a) = (d + 1..(d + 6).min(self.toks.len()))
            .take_while(|&k| self.toks[k].clause == clause)
            .find(|&k| self.toks[k].is(AGAINST | FROM))
        else {
            return false;
        };
        let object: Vec<usize> = (a + 1..(a + 9).min(self.toks.len()))
            .take_while(|&k| {
                self.toks[k].clause == clause && !matches!(self.punct(k), Some('.' | ';'))
            })
            .collect();
        let actor = object.iter().any(|&k| actors.iter().any(|x| x.first == k));
        let state = object.iter().take(4).any(|&k| {
            self.ent(k)
                .is_some_and(|e| matches!(e.kind, EntKind::Country | EntKind::Person))
                || self.toks[k].is(STATE_WAR)
        });
        state && !actor
    }

    /// The actor of a place at token `p` (in the list `first..=last`, in `role` cued at `cue`):
    /// among the actors of its clause that govern its role, a named group rather than a generic
    /// actor, the nearest; a weak actor only a few words away.
    fn actor_for(
        &self,
        p: usize,
        first: usize,
        last: usize,
        role: Role,
        cue: usize,
        actors: &[Actor],
    ) -> Option<Actor> {
        let clause = self.toks[p].clause;
        let distance = |a: &Actor| {
            if a.last < p {
                p - a.last
            } else {
                a.first.saturating_sub(p)
            }
        };
        let usable = |a: &&Actor| {
            (!a.weak || distance(a) <= 12)
                && self.toks[a.first].clause == clause
                && self.governs(a, first, last, role, cue, actors)
        };
        let named = actors.iter().filter(usable).any(|a| a.entity.is_some());
        actors
            .iter()
            .filter(usable)
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
