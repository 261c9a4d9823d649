//! Reading one sentence for accessions: which cue says that someone became a member, who the
//! new members are (the subject of "joined", the object of "welcomed … as", the list after "new
//! members"), which organization they joined (the object of "joined", "accession to", "member
//! of"), and whether it happened (completed) or is only pending, hoped for, negated or meant in
//! another sense of "join".
//!
//! The sentence is a list of [`Tokens`]: each tagged entity is one token, so the grammar below is
//! written over roles (an entity list, a determiner, a head noun), not over characters.

use plugin_text_support::Tokens;

/// A cue and what it found; offsets are token indices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// What kind of cue fired (`joined`, `became-member`, `accession`, `admitted`,
    /// `welcomed-as`, `new-member`, `expanded`), for the explanation.
    pub cue: &'static str,
    /// The cue's first and last tokens.
    pub cue_tokens: (usize, usize),
    /// The new members: entity tokens, or [`ANTECEDENT`].
    pub members: Vec<usize>,
    /// The organization joined.
    pub org: Org,
}

/// A member given by "it" or "the country" as subject: the country the document named last
/// before the sentence ("Mozambique is … It joined the organisation 14 years ago.").
pub const ANTECEDENT: usize = usize::MAX;

/// A member given by "we" or "our country" as subject: the speaker the document's title names
/// ("Statement by Timor-Leste …": "when we became the 191st member of the United Nations").
pub const SPEAKER: usize = usize::MAX - 1;

/// The organization of a cue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Org {
    /// An entity token.
    Entity(usize),
    /// "the Alliance", "the Coalition": the head word (lowercase), resolved by the caller.
    Anaphor(&'static str, usize),
    /// A name the gazetteer lacks: first and last token of "Minerals Security Partnership".
    Named(usize, usize),
    /// Not said in the sentence: the caller resolves it from the document.
    Unsaid,
}

/// A cue that was dropped, and why, for the explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dropped {
    /// The kind of cue.
    pub cue: &'static str,
    /// Its token.
    pub token: usize,
    /// Why it was dropped.
    pub reason: &'static str,
    /// The members it named, when it was read that far (entity tokens).
    pub members: Vec<usize>,
}

/// What kind of entity a token is, as far as this reading cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A country or an organization: may be a member.
    Member,
    /// An organization: may be joined (also a member).
    Organization,
    /// Anything else tagged (person, region, place, group, date…).
    Other,
}

/// Head nouns of a membership: "member", "Ally", "partner", …
const MEMBER_HEADS: &[&str] = &[
    "member",
    "members",
    "ally",
    "allies",
    "partner",
    "partners",
    "participant",
    "participants",
    "participating",
];

/// Words that head an organization's name ("… Partnership", "… Coalition"), so that an
/// organization the gazetteer lacks is still recognised as the thing joined, and the anaphors
/// "the Alliance", "the Coalition" are recognised.
const ORG_HEADS: &[&str] = &[
    "alliance",
    "coalition",
    "initiative",
    "partnership",
    "forum",
    "organization",
    "organisation",
    "union",
    "community",
    "group",
    "club",
    "council",
    "network",
    "association",
    "bloc",
    "dialogue",
    "platform",
    "consortium",
    "caucus",
    "bank",
    "agency",
    "mission",
    "challenge",
    "friends",
    "grouping",
    "body",
];

/// The words of [`ORG_HEADS`] that end the name of a grouping states join as members, not of a
/// body whose seats are elected ("Council", "Committee").
const GROUPING_HEADS: &[&str] = &[
    "alliance",
    "coalition",
    "initiative",
    "partnership",
    "forum",
    "group",
    "club",
    "network",
    "friends",
    "caucus",
    "platform",
    "consortium",
    "dialogue",
];

/// Words that qualify a membership without changing it: "a full member", "the newest Ally".
const MEMBER_ADJECTIVES: &[&str] = &[
    "full",
    "new",
    "newest",
    "latest",
    "permanent",
    "official",
    "formal",
    "fully-fledged",
    "full-fledged",
    "founding",
    "active",
    "proud",
    "valued",
    "equal",
    "sovereign",
    "strong",
];

/// Determiners before a membership noun or an organization.
const DETERMINERS: &[&str] = &[
    "a", "an", "the", "its", "our", "their", "his", "her", "this",
];

/// Adverbs that may stand between a subject and its verb, or a verb and its object.
const ADVERBS: &[&str] = &[
    "officially",
    "formally",
    "now",
    "also",
    "recently",
    "finally",
    "already",
    "just",
    "successfully",
    "proudly",
    "fully",
    "both",
    "all",
    "then",
    "today",
    "together",
    "historically",
    "since",
    "first",
];

/// Auxiliaries of a completed verb ("has joined", "has been admitted").
const AUXILIARIES: &[&str] = &[
    "has", "have", "had", "was", "were", "is", "are", "been", "having",
];

/// Words after an organization that show it is the thing joined and not a modifier of another
/// noun ("joined NATO in 2023" vs "joined NATO leaders"): prepositions, conjunctions, time words.
const AFTER_OBJECT: &[&str] = &[
    "as",
    "in",
    "on",
    "and",
    "or",
    "with",
    "after",
    "since",
    "following",
    "from",
    "during",
    "this",
    "last",
    "earlier",
    "today",
    "yesterday",
    "officially",
    "formally",
    "when",
    "while",
    "which",
    "who",
    "whose",
    "that",
    "to",
    "becoming",
    "making",
    "thereby",
    "bringing",
    "its",
    "by",
    "alongside",
    "along",
    "over",
    "under",
    "into",
    "through",
    "within",
    "effective",
    "upon",
    "once",
    "last",
    "ahead",
    "before",
    "back",
    "until",
    "of",
    "is",
    "was",
    "has",
    "have",
    "will",
    "the",
    "a",
    "an",
    "their",
    "our",
    "his",
    "her",
    "we",
    "it",
    "they",
    "but",
];

/// Words that make a cue pending, hoped-for, conditional or negated when they come before it in
/// its clause.
const PENDING_BEFORE: &[&str] = &[
    "will",
    "would",
    "could",
    "should",
    "may",
    "might",
    "shall",
    "can",
    "cannot",
    "must",
    "intend",
    "intends",
    "intended",
    "intention",
    "plan",
    "plans",
    "planned",
    "aspire",
    "aspires",
    "aspiration",
    "aspirations",
    "aspiring",
    "seek",
    "seeks",
    "sought",
    "seeking",
    "apply",
    "applies",
    "applied",
    "application",
    "applications",
    "applying",
    "bid",
    "bids",
    "candidate",
    "candidates",
    "candidacy",
    "invite",
    "invites",
    "invited",
    "inviting",
    "invitation",
    "hope",
    "hopes",
    "hoped",
    "hoping",
    "forward",
    "path",
    "pathway",
    "road",
    "roadmap",
    "process",
    "towards",
    "toward",
    "talks",
    "negotiation",
    "negotiations",
    "negotiating",
    "eligible",
    "eligibility",
    "prospective",
    "potential",
    "future",
    "eventual",
    "eventually",
    "upcoming",
    "pending",
    "expected",
    "expects",
    "ready",
    "readiness",
    "prepare",
    "prepares",
    "preparing",
    "preparation",
    "preparations",
    "support",
    "supports",
    "supported",
    "supporting",
    "endorse",
    "endorses",
    "endorsed",
    "ratification",
    "ratify",
    "ratifies",
    "ratifying",
    "protocol",
    "protocols",
    "once",
    "if",
    "unless",
    "whether",
    "until",
    "not",
    "never",
    "no",
    "nor",
    "yet",
    "interest",
    "interested",
    "wish",
    "wishes",
    "want",
    "wants",
    "desire",
    "commit",
    "commits",
    "committed",
    "commitment",
    "decision",
    "decide",
    "decided",
    "agree",
    "agreed",
    "approve",
    "approved",
    "approval",
    "consider",
    "considering",
    "request",
    "requests",
    "requested",
    "urge",
    "urges",
    "urged",
    "encourage",
    "encourages",
    "encouraged",
    "call",
    "calls",
    "pave",
    "paves",
    "paving",
    "possible",
    "possibility",
    "soon",
    "swift",
    "swiftly",
    "quick",
    "quickly",
    "rapid",
    "rapidly",
    "expedite",
    "timely",
    "prospects",
    "prospect",
    "help",
    "helping",
    "helped",
    "efforts",
    "effort",
    "work",
    "working",
    "step",
    "steps",
    "progress",
    "without",
    "favour",
    "favor",
    "voted",
];

/// Words that make a cue pending when they follow it in its clause.
const PENDING_AFTER: &[&str] = &[
    "soon",
    "future",
    "pending",
    "ratification",
    "ratify",
    "protocol",
    "protocols",
    "talks",
    "negotiations",
    "application",
    "bid",
    "principle",
    "next",
    "expected",
    "will",
    "eventually",
    "candidate",
    "invitation",
    "conditions",
    "criteria",
    "provided",
    "process",
    "process.",
    "possible",
    "once",
];

/// Days and months: capitalised, but never part of an organization's name ("the Alliance on
/// Monday").
const CALENDAR: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Words that show a seat won by election, not membership: "elected as a non-permanent member".
const ELECTION: &[&str] = &[
    "elected",
    "election",
    "elections",
    "non-permanent",
    "nonpermanent",
    "rotating",
    "re-elected",
];

/// Words that show an accession (a noun) is done: "completed its accession", "following
/// Finland's accession", "the anniversary of Poland's accession".
const COMPLETED: &[&str] = &[
    "completed",
    "complete",
    "completion",
    "completing",
    "following",
    "since",
    "after",
    "historic",
    "celebrate",
    "celebrated",
    "celebrates",
    "celebrating",
    "celebration",
    "marks",
    "marked",
    "marking",
    "anniversary",
    "finalized",
    "finalised",
    "welcome",
    "welcomed",
    "welcomes",
    "welcoming",
    "congratulate",
    "congratulated",
    "congratulates",
    "took",
    "upon",
    "announced",
    "announces",
    "formal",
    "formally",
    "officially",
    "deposited",
];

/// Words that end a clause: what comes after them says nothing of the cue's modality.
const CLAUSE_ENDS: &[&str] = &[
    ";", ":", "(", ")", "which", "who", "whom", "whose", "but", "while", "whereas", "although",
    "because",
];

/// Plural nouns standing for a list given elsewhere: "new members joining the Coalition – A, B".
const GENERIC_MEMBERS: &[&str] = &[
    "members",
    "countries",
    "nations",
    "partners",
    "states",
    "governments",
    "allies",
    "participants",
    "economies",
];

/// Modal verbs: the subject of "Croatia will become a member" is still Croatia (the cue is
/// dropped as pending, and a later "Croatia's accession" in the document with it).
const MODALS: &[&str] = &[
    "will", "would", "shall", "should", "can", "could", "may", "might", "must",
];

/// Nouns for the countries of "their countries (territories, …) were admitted".
const GROUP_NOUNS: &[&str] = &[
    "countries",
    "territories",
    "nations",
    "states",
    "governments",
];

/// Verbs of praise whose object is the subject of a gerund after "on" / "for": "commends X on
/// becoming".
const PRAISE: &[&str] = &[
    "commend",
    "commends",
    "commended",
    "congratulate",
    "congratulates",
    "congratulated",
    "congratulating",
    "salute",
    "salutes",
    "saluted",
];

/// Nouns standing for an organization named before, as a member: "the bloc's entry into the
/// G20".
const BODY_NOUNS: &[&str] = &["bloc", "organization", "organisation", "union", "grouping"];

/// Steps of an accession procedure, pending unless a [`PROCEDURE_DONE`] verb governs them.
const PROCEDURE: &[&str] = &["ratification", "ratify", "protocol", "protocols", "process"];

/// Verbs that say a procedure is done: "deposited its ratification documents".
const PROCEDURE_DONE: &[&str] = &[
    "deposited",
    "completed",
    "concluded",
    "finalized",
    "finalised",
];

/// Dashes that set off a list: "seven nations – A, B and C –".
const DASHES: &[&str] = &["-", "–", "—"];

/// Number words before a plural noun: "seven nations".
const COUNT_WORDS: &[&str] = &[
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
];

/// Anaphor heads that stand for any organization: resolved to the one named last before.
pub const GENERIC_HEADS: &[&str] = &["organization", "organisation", "grouping", "body", "bloc"];

/// Finite forms of the verbs of joining, whose object a participle after a comma does not take
/// for its subject.
const JOIN_VERBS: &[&str] = &[
    "joined", "joins", "rejoined", "acceded", "entered", "accedes", "enters",
];

/// People and forces of a country: "troops from Kenya joined …" says nothing of Kenya joining.
const PEOPLE: &[&str] = &[
    "troops",
    "forces",
    "soldiers",
    "personnel",
    "officers",
    "police",
    "leaders",
    "representatives",
    "delegations",
    "delegation",
    "ministers",
    "minister",
    "experts",
    "people",
    "citizens",
    "nationals",
    "companies",
    "firms",
    "students",
];

/// Bodies whose members hold seats, elected or appointed, when the text names them in lowercase.
const SEAT_BODIES: &[&str] = &[
    "committee",
    "committees",
    "board",
    "boards",
    "bureau",
    "council",
    "commission",
    "secretariat",
    "team",
    "jury",
    "delegation",
];

/// Quantifiers: "a participant of all (many) processes" names no one organization.
const QUANTIFIERS: &[&str] = &[
    "all", "many", "several", "various", "numerous", "most", "some", "multiple",
];

/// Offices whose holder an organization after "of" names: "the President of the European
/// Council".
const OFFICES: &[&str] = &[
    "president",
    "secretary-general",
    "secretary",
    "chair",
    "chairperson",
    "chairman",
    "director-general",
    "director",
    "commissioner",
    "head",
    "spokesperson",
    "ambassador",
    "representative",
    "envoy",
    "members",
];

/// Whether the organization at token `k` is an office holder's ("the President of the European
/// Council also welcomed Croatia's accession"): the one speaking, not the one joined.
pub fn affiliation(t: &Tokens, k: usize) -> bool {
    let of = if t.is(k.wrapping_sub(1), &["the"]) {
        k.wrapping_sub(2)
    } else {
        k.wrapping_sub(1)
    };
    t.is(of, &["of"]) && t.is(of.wrapping_sub(1), OFFICES)
}

/// Reads one sentence.
pub struct Reader<'t, F: Fn(usize) -> Role> {
    t: &'t Tokens,
    /// The text the tokens' ranges index.
    raw: &'t str,
    role: F,
}

impl<'t, F: Fn(usize) -> Role> Reader<'t, F> {
    /// A reader of `tokens` of `raw`; `role` tells what an entity token may be.
    pub fn new(t: &'t Tokens, raw: &'t str, role: F) -> Self {
        Reader { t, raw, role }
    }

    fn role(&self, i: usize) -> Option<Role> {
        self.t.entity(i).map(|e| (self.role)(e))
    }

    fn is_member_entity(&self, i: usize) -> bool {
        matches!(self.role(i), Some(Role::Member | Role::Organization))
    }

    fn word(&self, i: usize) -> &str {
        self.t.word(i)
    }

    fn is(&self, i: usize, words: &[&str]) -> bool {
        self.t.is(i, words)
    }

    /// Every accession the sentence reports, and the cues dropped with the reason.
    pub fn read(&self, found: &mut Vec<Found>, dropped: &mut Vec<Dropped>) {
        let n = self.t.len();
        for i in 0..n {
            let word = self.word(i);
            let result = match word {
                "joined" | "joins" | "joining" | "rejoined" | "rejoins" | "re-joined"
                | "re-joins" => self.joined(i),
                "became" | "becomes" | "becoming" | "become" => self.became(i),
                // "Croatia is now a full member of the EU".
                "now" if i > 0 && self.is(i - 1, &["is", "are"]) => self.became(i),
                "acceded" | "accedes" | "entered" | "enters" => self.acceded(i),
                "accession" | "admission" | "adhesion" | "inclusion" | "entry" | "addition" => {
                    self.accession(i)
                }
                "admitted" => match self.accepted_as(i) {
                    Ok(None) => self.admitted(i),
                    result => result,
                },
                "accepted" | "admit" => self.accepted_as(i),
                "membership" => self.membership_effect(i),
                "obtained" | "gained" | "got" | "acquired" | "attained" | "secured" | "granted"
                | "received" => self.obtained(i),
                "welcomed" | "welcomes" | "welcome" | "welcoming" | "making" | "made" | "makes" => {
                    self.welcomed_as(i)
                }
                "expanded" | "expands" | "enlarged" | "enlarges" => self.expanded(i),
                "new" | "newest" | "latest" | "newly" => self.new_member(i),
                _ if plugin_text_support::ordinal(&[word, self.word(i + 1)]).is_some() => {
                    self.new_member(i)
                }
                _ => continue,
            };
            match result {
                Ok(Some(mut f)) => {
                    if f.org == Org::Unsaid {
                        f.org = self.org_before(f.cue_tokens.0, &f.members);
                    }
                    if let Some(reason) = self.pending(f.cue_tokens.0, f.cue_tokens.1) {
                        dropped.push(Dropped {
                            cue: f.cue,
                            token: i,
                            reason,
                            members: f.members,
                        });
                    } else if !f.members.is_empty() {
                        // "joined the IMF and the World Bank": one finding per organization.
                        if let (Org::Entity(k), "joined") = (&f.org, f.cue) {
                            let mut n = k + 1;
                            while self.is(n, &["and", ","])
                                && let Some((org @ Org::Entity(_), next)) = self.object_org(n + 1)
                            {
                                found.push(Found { org, ..f.clone() });
                                n = next;
                            }
                        }
                        found.push(f);
                    } else {
                        dropped.push(Dropped {
                            cue: f.cue,
                            token: i,
                            reason: "no new member named",
                            members: Vec::new(),
                        });
                    }
                }
                Ok(None) => {}
                Err(reason) => dropped.push(Dropped {
                    cue: cue_name(word),
                    token: i,
                    reason,
                    members: Vec::new(),
                }),
            }
        }
    }

    /// "X (and Y) joined ORG", "new members joining ORG – X, Y", "X joined as the Nth member".
    fn joined(&self, i: usize) -> Result<Option<Found>, &'static str> {
        let mut j = i + 1;
        while self.is(j, ADVERBS) {
            j += 1;
        }
        if self.is(
            j,
            &[
                "by", "us", "me", "him", "her", "them", "you", "with", "forces", "hands",
            ],
        ) {
            return Err("joined by or with someone, not an organization");
        }
        let (org, after) = if self.is(j, &["as"]) {
            // "joined as the 31st member (of NATO)".
            let (org, after) = self
                .membership_role(j + 1)
                .ok_or("joined as something else")?;
            (org, after)
        } else if let Some((org, mut after)) = self.object_org(j) {
            // "joined the IMF and the World Bank": every organization of the list is joined
            // (see [`Reader::read`]); what follows the list decides the sense of "joined".
            while self.is(after, &["and", ","])
                && let Some((Org::Entity(_), next)) = self.object_org(after + 1)
            {
                after = next;
            }
            self.check_head_object(after)?;
            // "joins the OIC, the Alliance of Civilizations and those Member States that …":
            // joining others in a stance, not an organization as a member.
            let (_, clause_end) = self.clause(after);
            if self.is(after, &[",", "and"])
                && (after + 1..clause_end.min(after + 14)).any(|k| {
                    (k < after + 4 && self.role(k) == Some(Role::Member))
                        || self.is(k, &["those", "other", "fellow", "many"])
                })
            {
                return Err("joined others in a stance, not an organization");
            }
            (org, after)
        } else if j >= self.t.len()
            || self.is(j, &["."])
            || (self.is(j, &["in", "on"])
                && (self.word(j + 1).bytes().all(|b| b.is_ascii_digit())
                    || self.is(j + 1, CALENDAR)))
        {
            // "South Africa joined in 2010.": joined what the sentence or the document named.
            (Org::Unsaid, j)
        } else {
            return Err("what was joined is not an organization");
        };
        if self.word(i) == "joining" && i > 0 && self.is(i - 1, &["is", "are", "am"]) {
            return Err("\"is joining\": under way, not done");
        }
        let mut members = self.subject(i);
        if members.is_empty() {
            members = self.subject_after_phrase(i, after);
        }
        let mut first = i;
        if members.is_empty() && self.generic_subject(i) {
            members = self.list_after(after);
            // The cue is the whole "new members joining".
            first = i - 1;
            while first > 0 && self.is(first - 1, &["new", "newest", "the", "our"]) {
                first -= 1;
            }
        }
        if !members.is_empty() {
            members.extend(self.gapped_members(after));
        }
        Ok(Some(Found {
            cue: "joined",
            cue_tokens: (first, i),
            members,
            org,
        }))
    }

    /// "X became (has become) the Nth / a full member (of ORG)", "X became a NATO Ally".
    fn became(&self, i: usize) -> Result<Option<Found>, &'static str> {
        // Bare "become" is a plural present ("Finland and Sweden become members") or follows a
        // word that [`Reader::pending`] reads ("will become", "to become").
        let mut j = i + 1;
        while self.is(j, ADVERBS) {
            j += 1;
        }
        let (org, end) = self
            .membership_role(j)
            .or_else(|| self.coordinated_role(j))
            .or_else(|| self.part_of(j))
            .or_else(|| self.first_to_join(j))
            .ok_or("became something else")?;
        let mut members = self.subject(i);
        if members.is_empty() {
            members = self.subject_after_phrase(i, end);
        }
        Ok(Some(Found {
            cue: "became-member",
            cue_tokens: (i, end.saturating_sub(1).max(i)),
            members,
            org,
        }))
    }

    /// "the first former Warsaw Pact members to join NATO", "the latest country to join the
    /// Partnership": a superlative or an ordinal, a short noun phrase, and "to join ORG".
    fn first_to_join(&self, j: usize) -> Option<(Org, usize)> {
        if !self.is(j, &["the"]) {
            return None;
        }
        let mut k = j + 1;
        if self.is(k, &["latest", "newest", "last", "most", "recent"]) {
            k += 1;
        } else {
            let (_, len) = plugin_text_support::ordinal(&[
                self.word(k),
                self.word(k + 1),
                self.word(k + 2),
                self.word(k + 3),
            ])?;
            k += len;
        }
        let to = (k..k + 6).find(|&m| self.is(m, &["to"]))?;
        if (k..to).any(|m| self.is_member_entity(m) || self.is(m, CLAUSE_ENDS)) {
            return None;
        }
        if !self.is(to + 1, &["join", "rejoin"]) {
            return None;
        }
        let (org, after) = self.object_org(to + 2)?;
        self.check_head_object(after).ok()?;
        Some((org, after))
    }

    /// "(a) part of NATO": membership, when an organization follows as a whole ("part of
    /// NATO's air defence" is not).
    fn part_of(&self, mut j: usize) -> Option<(Org, usize)> {
        if self.is(j, &["a"]) {
            j += 1;
        }
        if !self.is(j, &["part"]) || !self.is(j + 1, &["of"]) {
            return None;
        }
        let (org, after) = self.object_org(j + 2)?;
        self.check_head_object(after).ok()?;
        Some((org, after))
    }

    /// "A and B joined NATO in 2009 and C in 2017": the members of a clause that leaves out the
    /// verb and its object, each with a date of its own, after the object ending before `at`.
    fn gapped_members(&self, at: usize) -> Vec<usize> {
        let (_, stop) = self.clause(at);
        let mut out = Vec::new();
        let mut k = at;
        while k < stop {
            if self.is(k, &["and", ","]) {
                let mut j = k;
                while self.is(j, &["and", ","]) {
                    j += 1;
                }
                let list = self.list_forward(j);
                if let Some(&last) = list.last() {
                    let date = self.after_item(last);
                    if self.is(date, &["in", "on"]) && self.is_date(date + 1) {
                        // The gapped clause ends with its date ("… and C in 2017, …"), or it
                        // has a verb of its own ("and C in 2025 will …").
                        let mut end = date + 1;
                        while self.is_date(end)
                            || self.word(end).bytes().all(|b| b.is_ascii_digit())
                                && !self.word(end).is_empty()
                        {
                            end += 1;
                        }
                        if end >= self.t.len()
                            || self.is(end, &[",", ".", ";", "and", "respectively"])
                        {
                            out.extend(list);
                        }
                        k = end;
                        continue;
                    }
                }
            }
            k += 1;
        }
        out
    }

    /// From `j`, after a list: "in 2004; C, D and E in 1999; and F in 1952" — the lists after
    /// the first, each with its date, and the token after the last date.
    fn dated_lists(&self, mut j: usize) -> (Vec<usize>, usize) {
        let mut out = Vec::new();
        let mut end = j;
        loop {
            if !self.is(j, &["in"]) || !self.is_date(j + 1) {
                break;
            }
            j += 2;
            while self.is_date(j) {
                j += 1;
            }
            end = j;
            if !self.is(j, &[";", ","]) {
                break;
            }
            j += 1;
            if self.is(j, &["and"]) {
                j += 1;
            }
            // A list of its own: "C, D and E", or one item.
            let list = self.list_forward(j);
            let Some(&last) = list.last() else {
                break;
            };
            let next = self.after_item(last);
            if !self.is(next, &["in"]) || !self.is_date(next + 1) {
                break;
            }
            out.extend(list);
            j = next;
        }
        (out, end)
    }

    /// Whether token `k` starts a date: a year, a month, a day and a month.
    fn is_date(&self, k: usize) -> bool {
        let digits = |k: usize, n: std::ops::RangeInclusive<usize>| {
            n.contains(&self.word(k).len()) && self.word(k).bytes().all(|b| b.is_ascii_digit())
        };
        digits(k, 4..=4) || self.is(k, CALENDAR) || (digits(k, 1..=2) && self.is(k + 1, CALENDAR))
    }

    /// "Since joining NATO in 2004, Estonia has …", "Since becoming a member of the Council of
    /// Europe, Moldova …": the subject follows the phrase of the gerund at `i`, which ends
    /// before `after`.
    fn subject_after_phrase(&self, i: usize, after: usize) -> Vec<usize> {
        if i == 0 || !self.is(i - 1, &["since", "after", "upon"]) {
            return Vec::new();
        }
        let Some(comma) = (after..(after + 8).min(self.t.len())).find(|&k| self.is(k, &[","]))
        else {
            return Vec::new();
        };
        if self.is(comma + 1, &["we"]) {
            return vec![SPEAKER];
        }
        self.list_forward(comma + 1)
    }

    /// The second of two complements: "became a sovereign nation, and shortly thereafter, the
    /// 185th member of the United Nations". The first is a short noun phrase (no verb, no
    /// entity) ended by "and".
    fn coordinated_role(&self, j: usize) -> Option<(Org, usize)> {
        let and = (j..j + 6).find(|&k| self.is(k, &["and"]))?;
        if (j..and).any(|k| self.t.entity(k).is_some() || self.is(k, CLAUSE_ENDS)) {
            return None;
        }
        let mut k = and + 1;
        while self.is(
            k,
            &[
                ",",
                "shortly",
                "soon",
                "thereafter",
                "after",
                "afterwards",
                "later",
            ],
        ) || self.is(k, ADVERBS)
        {
            k += 1;
        }
        self.membership_role(k)
    }

    /// "X acceded to the WTO", "X entered NATO": like "joined", with "to" after "acceded" (what
    /// follows must still be an organization: "acceded to the Convention" is not one).
    fn acceded(&self, i: usize) -> Result<Option<Found>, &'static str> {
        let mut j = i + 1;
        if self.is(i, &["acceded", "accedes"]) {
            if !self.is(j, &["to"]) {
                return Ok(None);
            }
            j += 1;
        }
        let Some((org, after)) = self.object_org(j) else {
            return Ok(None);
        };
        self.check_head_object(after)?;
        Ok(Some(Found {
            cue: "joined",
            cue_tokens: (i, i),
            members: self.subject(i),
            org,
        }))
    }

    /// "the accession (admission) of X to ORG", "X's accession to ORG", "X's ORG accession" —
    /// only when the clause says it is done ("following", "completed", "welcome", …).
    fn accession(&self, i: usize) -> Result<Option<Found>, &'static str> {
        let mut members = Vec::new();
        let mut org = Org::Unsaid;
        let mut end = i;
        // Before: "X's (ORG) accession", "ORG's … X's".
        let mut k = i;
        if k > 1 && self.role(k - 1) == Some(Role::Organization) && self.word(k - 2) == "'s" {
            org = Org::Entity(k - 1);
            k -= 1;
        }
        if k >= 3
            && self.word(k - 1) == "'s"
            && self.is(k - 2, BODY_NOUNS)
            && self.is(k - 3, &["the"])
        {
            // "the bloc's entry into the G20": the organization the sentence named last before.
            members = (0..k - 3)
                .rev()
                .find(|&o| self.role(o) == Some(Role::Organization))
                .into_iter()
                .collect();
        } else if k >= 2 && self.word(k - 1) == "'s" {
            members = self.list_before(k - 2);
        } else if let Some(pronoun) = self.possessive_before(k) {
            // "Croatia has finalised its accession", "congratulate Montenegro for its
            // adhesion", "deposited its instrument of accession": the pronoun's antecedent, the
            // first country named before it (the sentence's subject or the one addressed),
            // else the first organization.
            // "our (my country's) admission": the speaker.
            let k = pronoun + 1;
            let antecedent = (0..k - 1)
                .find(|&a| self.role(a) == Some(Role::Member))
                .or_else(|| (0..k - 1).find(|&a| self.is_member_entity(a)));
            if self.is(pronoun, &["our", "my"]) {
                members = vec![SPEAKER];
            } else if let Some(antecedent) = antecedent {
                members = vec![antecedent];
            }
        } else if k >= 3
            && self.word(k - 1) == "'s"
            && self.is(k - 2, &["country", "nation"])
            && self.is(k - 3, &["our", "my"])
        {
            members = vec![SPEAKER];
        }
        // "deposited its instrument of accession", after the ratification of "the OECD
        // Convention": the organization whose founding instrument the sentence names.
        // An instrument of accession to anything else is a treaty's.
        if self.is(i.wrapping_sub(1), &["of"])
            && self.is(i.wrapping_sub(2), &["instrument", "instruments"])
        {
            let founding = (1..self.t.len()).find(|&o| {
                self.role(o - 1) == Some(Role::Organization)
                    && self.is(o, &["convention", "treaty", "charter", "statute"])
                    && self.t.list()[o].capital
            });
            match founding {
                Some(o) => org = Org::Entity(o - 1),
                None => return Err("an instrument of accession to a treaty"),
            }
        }
        // After: "of X (and Y)", "to/into ORG".
        let mut j = i + 1;
        if self.is(j, &["of"]) {
            let list = self.list_forward(j + 1);
            if let Some(&last) = list.last() {
                members = list;
                j = self.after_item(last);
                // "the addition of A and B in 2004; C in 1999; and D in 1952": lists by date.
                let (more, end) = self.dated_lists(j);
                if !more.is_empty() {
                    members.extend(more);
                    j = end;
                }
            }
        }
        if self.is(j, &["to", "into"])
            && let Some((o, after)) = self.object_org(j + 1)
        {
            org = o;
            end = after - 1;
            // "the admission into ASEAN of the Kingdom of Cambodia".
            if members.is_empty() && self.is(after, &["of"]) {
                members = self.list_forward(after + 1);
            }
        } else if self.is(j, &["to", "into"]) {
            return Err("accession to something that is not an organization");
        } else if self.is(j, &["as"])
            && let Some((o @ (Org::Entity(_) | Org::Named(..) | Org::Anaphor(..)), after)) =
                self.membership_role(j + 1)
        {
            // "the accession of the African Union as a permanent member of the G20".
            org = o;
            end = after - 1;
        }
        if members.is_empty() {
            return Ok(None);
        }
        let with_main = if org == Org::Unsaid {
            self.with_phrase_org(i, j, &members)
        } else {
            None
        };
        if let Some(o) = &with_main {
            org = o.clone();
        }
        // "inclusion", "entry", "addition" name a membership only with its organization
        // ("entry into the G20 as a full member", not "entry into force").
        if !self.is(i, &["accession", "admission", "adhesion"]) && org == Org::Unsaid {
            return Ok(None);
        }
        let (start, stop) = self.clause(i);
        let ordinal_member = (start..stop).any(|k| {
            self.is(k, &["as"])
                && self
                    .membership_role(k + 1)
                    .is_some_and(|(_, end)| (k + 1..end).any(|o| self.ordinal_at(o)))
        });
        let done = ordinal_member
            || with_main.is_some()
            || (start..stop).any(|k| self.is(k, COMPLETED))
            || self.relative_says_done(end + 1);
        if !done {
            return Err("an accession not said to be done");
        }
        Ok(Some(Found {
            cue: "accession",
            cue_tokens: (i, end),
            members,
            org,
        }))
    }

    /// "Sweden's membership of NATO took effect on 7 March", "X's NATO membership became
    /// effective": a membership said to take effect (anything else said of it, "X's membership
    /// makes us stronger", is an existing one).
    fn membership_effect(&self, i: usize) -> Result<Option<Found>, &'static str> {
        let mut k = i;
        let mut org = Org::Unsaid;
        if k > 1 && self.role(k - 1) == Some(Role::Organization) {
            org = Org::Entity(k - 1);
            k -= 1;
        }
        if k < 2 || self.word(k - 1) != "'s" {
            return Ok(None);
        }
        let members = self.list_before(k - 2);
        let mut j = i + 1;
        if self.is(j, &["of", "in", "to"])
            && let Some((o, after)) = self.object_org(j + 1)
        {
            org = o;
            j = after;
        }
        let effect = (self.is(j, &["took", "takes", "came", "comes"])
            && self.is(j + 1, &["effect"]))
            || (self.is(j, &["took", "came", "comes"])
                && self.is(j + 1, &["into"])
                && self.is(j + 2, &["effect", "force"]))
            || (self.is(j, &["became", "becomes"]) && self.is(j + 1, &["effective"]))
            || (self.is(j, &["entered", "enters"]) && self.is(j + 1, &["into"]));
        if !effect || members.is_empty() || org == Org::Unsaid {
            return Ok(None);
        }
        Ok(Some(Found {
            cue: "accession",
            cue_tokens: (i, j + 1),
            members,
            org,
        }))
    }

    /// "X obtained (gained, was granted) full membership of ORG", "ORG granted X membership".
    fn obtained(&self, i: usize) -> Result<Option<Found>, &'static str> {
        let granted_to = self.is(i, &["granted"]) && !self.passive(i);
        let mut j = i + 1;
        let members = if granted_to {
            let list = self.list_forward(j);
            let Some(&last) = list.last() else {
                return Ok(None);
            };
            j = self.after_item(last);
            list
        } else {
            self.subject(i)
        };
        while self.is(j, MEMBER_ADJECTIVES) || self.is(j, &["the", "its", "their"]) {
            j += 1;
        }
        if !self.is(j, &["membership"]) {
            return Ok(None);
        }
        let mut org = Org::Unsaid;
        let mut end = j;
        if self.is(j + 1, &["of", "in", "to"]) {
            let (o, after) = self
                .object_org(j + 2)
                .ok_or("membership of something that is not an organization")?;
            // "membership of ASEAN at the summit": a place or an occasion may follow.
            if !self.is(after, &["at", "for"]) {
                self.check_head_object(after)?;
            }
            org = o;
            end = after - 1;
        } else if self.role(j - 1) == Some(Role::Organization) {
            // "gained NATO membership".
            org = Org::Entity(j - 1);
        }
        if granted_to {
            org = match org {
                Org::Unsaid => self.subject_org(i).unwrap_or(Org::Unsaid),
                org => org,
            };
        }
        Ok(Some(Found {
            cue: "joined",
            cue_tokens: (i, end),
            members,
            org,
        }))
    }

    /// "Sweden's accession to NATO, which was completed today, …": whether a relative clause
    /// from `k` (after an optional comma) says the accession is done, and nothing pending.
    fn relative_says_done(&self, mut k: usize) -> bool {
        if self.is(k, &[","]) {
            k += 1;
        }
        if !self.is(k, &["which", "that"]) {
            return false;
        }
        let stop = (k + 1..self.t.len().min(k + 12))
            .find(|&m| self.is(m, &[",", "."]))
            .unwrap_or(self.t.len().min(k + 12));
        (k + 1..stop).any(|m| self.is(m, COMPLETED)) && (k + 1..stop).all(|m| !self.pending_word(m))
    }

    /// "with the addition of Sweden today, NATO stands more united", "following the accession of
    /// Finland (Finland's accession), the Alliance …": the organization is the subject of the clause the phrase opens (from `j`, after the members), when that clause
    /// is stated, not pending, hoped-for or conditional ("…, NATO will be stronger").
    fn with_phrase_org(&self, i: usize, j: usize, members: &[usize]) -> Option<Org> {
        // The word before the noun phrase: "with the accession of X", "with X's accession".
        let before = if self.is(i.wrapping_sub(1), &["the"]) {
            i.checked_sub(2)?
        } else if self.word(i.wrapping_sub(1)) == "'s" {
            members.first()?.checked_sub(1)?
        } else {
            return None;
        };
        if !self.is(before, &["with", "following", "after", "since", "upon"]) {
            return None;
        }
        let comma = (j..j + 3).find(|&k| self.is(k, &[","]))?;
        if (j..comma).any(|k| !self.is(k, &["today", "now", "this", "year", "week"])) {
            return None;
        }
        let (org, after) = self.object_org(comma + 1)?;
        let (_, stop) = self.clause(after);
        let stated = (after..stop).all(|k| !self.pending_word(k));
        (stated && !matches!(org, Org::Named(..))).then_some(org)
    }

    /// "X was (has been) admitted to ORG", "ORG admitted X", "newly admitted members X, Y".
    fn admitted(&self, i: usize) -> Result<Option<Found>, &'static str> {
        let mut aux = i;
        while aux > 0 && self.is(aux - 1, ADVERBS) {
            aux -= 1;
        }
        if aux > 0 && self.is(aux - 1, AUXILIARIES) {
            let members = self.subject(i);
            let mut j = i + 1;
            let mut role_org = Org::Unsaid;
            if self.is(j, &["as"]) {
                let (org, after) = self
                    .membership_role(j + 1)
                    .ok_or("admitted as something else")?;
                role_org = org;
                j = after;
            }
            // "admitted as the 54th member state of the African Union in July 2011": the role
            // named the organization; what follows is not one.
            let named = matches!(role_org, Org::Entity(_) | Org::Anaphor(..));
            if named || !self.is(j, &["to", "into", "in"]) {
                if !named && !self.is(i + 1, &["as"]) {
                    return Err("admitted, but not to an organization");
                }
                return Ok(Some(Found {
                    cue: "admitted",
                    cue_tokens: (i, j - 1),
                    members,
                    org: role_org,
                }));
            }
            let (org, after) = self.object_org(j + 1).ok_or("admitted to something else")?;
            return Ok(Some(Found {
                cue: "admitted",
                cue_tokens: (i, after - 1),
                members,
                org,
            }));
        }
        // "ORG admitted X (and Y)".
        let members = self.list_forward(i + 1);
        let org = self
            .subject_org(i)
            .ok_or("admitted by something that is not an organization")?;
        Ok(Some(Found {
            cue: "admitted",
            cue_tokens: (i, i),
            members,
            org,
        }))
    }

    /// "ORG has accepted (admitted) seven nations – A (May 1994), B … – as members of the
    /// Organization", "the member states have agreed to admit Mongolia as the 57th OSCE member
    /// state" (a decision to admit, taken: the admission itself): the members are the list
    /// after the verb, the organization the role's, else the subject's.
    fn accepted_as(&self, i: usize) -> Result<Option<Found>, &'static str> {
        let first = if self.is(i, &["admit"]) {
            if i < 2 || !self.is(i - 1, &["to"]) || !self.is(i - 2, &["decided", "agreed"]) {
                return Ok(None);
            }
            i - 2
        } else {
            i
        };
        // Over "seven nations –" before the list.
        let mut j = i + 1;
        while j < i + 5
            && !self.is_member_entity(j)
            && (self.is(j, COUNT_WORDS) || self.is(j, GENERIC_MEMBERS) || self.is(j, DASHES))
        {
            j += 1;
        }
        let mut members = self.list_forward(j);
        let mut j = match members.last() {
            Some(&last) => self.after_item(last),
            // "Kiribati was accepted as a full member": the passive's subject.
            None if self.is(i, &["accepted"]) && self.passive(i) => {
                members = self.subject(i);
                i + 1
            }
            None => return Ok(None),
        };
        while self.is(j, DASHES) || self.is(j, &[","]) {
            j += 1;
        }
        if !self.is(j, &["as"]) {
            return Ok(None);
        }
        let (org, end) = self
            .membership_role(j + 1)
            .ok_or("accepted as something else")?;
        let org = match org {
            Org::Unsaid => self.subject_org(first).unwrap_or(Org::Unsaid),
            org => org,
        };
        Ok(Some(Found {
            cue: "admitted",
            cue_tokens: (first, end - 1),
            members,
            org,
        }))
    }

    /// "welcomed X (and Y) as the Nth / a new / a full member (of ORG)", "welcomed X into ORG".
    fn welcomed_as(&self, i: usize) -> Result<Option<Found>, &'static str> {
        let mut members = self.list_forward(i + 1);
        let mut j = match members.last() {
            Some(&last) => self.after_item(last),
            // "Sweden was formally welcomed as NATO's 32nd Ally": the passive's subject.
            None if self.is(i, &["welcomed"])
                && self.is(i + 1, &["as", "into"])
                && self.passive(i) =>
            {
                members = self.named_subject(i);
                i + 1
            }
            None => return Ok(None),
        };
        if members.is_empty() {
            return Ok(None);
        }
        let mut org = None;
        if self.is(j, &["to", "into"]) {
            if let Some((o, after)) = self.object_org(j + 1) {
                org = Some(o);
                j = after;
            } else {
                return Ok(None);
            }
        }
        let making = self.is(i, &["making", "made", "makes"]);
        if making || self.is(j, &["as"]) {
            // "making North Macedonia the 30th NATO Ally": the role follows the list.
            let role_at = if making { j } else { j + 1 };
            let Some((role_org, end)) = self.membership_role(role_at) else {
                return if making {
                    Ok(None)
                } else {
                    Err("welcomed as something else")
                };
            };
            let org = match (org, role_org) {
                (Some(o), Org::Unsaid) => o,
                (_, role_org @ (Org::Entity(_) | Org::Named(..) | Org::Anaphor(..))) => role_org,
                (None, Org::Unsaid) => self.subject_org(i).unwrap_or(Org::Unsaid),
            };
            return Ok(Some(Found {
                cue: "welcomed-as",
                cue_tokens: (i, end - 1),
                members,
                org,
            }));
        }
        match org {
            Some(org) if self.word(i.wrapping_sub(1)) != "to" => {
                self.check_head_object(j)?;
                Ok(Some(Found {
                    cue: "welcomed-into",
                    cue_tokens: (i, j - 1),
                    members,
                    org,
                }))
            }
            _ => Ok(None),
        }
    }

    /// "ORG expanded (its membership) to include X and Y".
    fn expanded(&self, i: usize) -> Result<Option<Found>, &'static str> {
        let mut j = i + 1;
        if self.is(j, &["its", "their"]) && self.is(j + 1, &["membership", "ranks"]) {
            j += 2;
        }
        if !(self.is(j, &["to"]) && self.is(j + 1, &["include", "includes"])) {
            return Ok(None);
        }
        let org = self
            .subject_org(i)
            .ok_or("expanded, but not an organization")?;
        Ok(Some(Found {
            cue: "expanded",
            cue_tokens: (i, j + 1),
            members: self.list_forward(j + 2),
            org,
        }))
    }

    /// "our newest Ally, Finland", "X, NATO's newest member,", "X is the 32nd member of ORG",
    /// "welcomed new members A, B".
    fn new_member(&self, i: usize) -> Result<Option<Found>, &'static str> {
        if i > 0
            && self.is(
                i - 1,
                &["potential", "prospective", "future", "aspiring", "possible"],
            )
        {
            return Err("a future member");
        }
        let start = if i > 0 && (self.is(i - 1, DETERMINERS) || self.word(i - 1) == "'s") {
            i - 1
        } else {
            i
        };
        let Some((org, end)) = self.membership_role(start) else {
            return Ok(None);
        };
        if self.is(end, &["state", "states", "country", "countries"]) && !self.is(i, &["newest"]) {
            return Err("new member states in general");
        }
        // The organization before "'s": "NATO's newest member".
        let org = match org {
            Org::Unsaid if start > 1 && self.word(start) == "'s" => match self.role(start - 1) {
                Some(Role::Organization) => Org::Entity(start - 1),
                _ => Org::Unsaid,
            },
            org => org,
        };
        let begin = if self.word(start) == "'s" {
            start.saturating_sub(1)
        } else {
            start
        };
        // Named after: "newest Ally, Finland", "new members: A, B".
        let mut j = end;
        if self.is(j, &[",", ":", "-"]) {
            j += 1;
        }
        let mut members = self.list_forward(j);
        if members.is_empty() && begin > 0 {
            // Named before: "Finland, NATO's newest member", "Finland is the newest member".
            let mut k = begin - 1;
            if self.is(k, &[",", "-"]) || self.is(k, &["is", "was", "are", "were", "as", "became"])
            {
                k = k.saturating_sub(1);
                if self.is(k, &["as", "is", "was", "are", "were"]) {
                    k = k.saturating_sub(1);
                }
                members = self.list_before(k);
            }
        }
        if members.is_empty() && begin > 3 && self.is(begin - 1, &["as"]) {
            // "South Sudan took its seat as the 193rd member": the subject of "took".
            let seat = begin - 2;
            if self.is(seat, &["seat", "place", "seats", "places"])
                && self.is(seat - 1, &["its", "their"])
                && self.is(seat - 2, &["took", "takes", "taken", "taking"])
            {
                members = self.subject(seat - 2);
            }
        }
        Ok(Some(Found {
            cue: "new-member",
            cue_tokens: (i, end.saturating_sub(1).max(i)),
            members,
            org,
        }))
    }

    /// A membership noun phrase from `j`: "(the|a|its|ORG's) (new|full|Nth|…)* (ORG)? member
    /// (of ORG)?". Returns its organization (or [`Org::Unsaid`]) and the token after it.
    fn membership_role(&self, mut j: usize) -> Option<(Org, usize)> {
        let mut org = Org::Unsaid;
        if self.is(j, DETERMINERS) {
            j += 1;
        }
        if self.word(j + 1) == "'s"
            && self.t.entity(j).is_none()
            && let Some(word) = ORG_HEADS.iter().find(|&&h| h == self.word(j))
        {
            // "the Organization's 195th member".
            org = Org::Anaphor(word, j);
            j += 2;
        } else if self.role(j) == Some(Role::Organization) && self.word(j + 1) == "'s" {
            org = Org::Entity(j);
            j += 2;
        } else if self.word(j) == "'s" {
            j += 1;
        }
        let mut qualified = false;
        loop {
            if self.is(j, MEMBER_ADJECTIVES) || self.is(j, &["newly", "admitted"]) {
                j += 1;
                qualified = true;
            } else if let Some((_, len)) = plugin_text_support::ordinal(&[
                self.word(j),
                self.word(j + 1),
                self.word(j + 2),
                self.word(j + 3),
            ]) {
                j += len;
                qualified = true;
            } else {
                break;
            }
        }
        if self.role(j) == Some(Role::Organization) {
            org = Org::Entity(j);
            j += 1;
        } else if self.is_acronym(j) && self.is(j + 1, MEMBER_HEADS) {
            // "a new CERN Member State": an organization the gazetteer lacks, by its acronym.
            org = Org::Named(j, j);
            j += 1;
        }
        if !self.is(j, MEMBER_HEADS) {
            return None;
        }
        let _ = qualified;
        j += 1;
        if self.is(j, &["state", "states", "country", "countries"]) {
            j += 1;
        }
        if self.is(j, &["of", "in", "to"]) {
            if self.is(j + 1, QUANTIFIERS) {
                // "an active participant of all UN processes": of many things, not one body.
                return None;
            }
            if let Some((o, after)) = self.object_org(j + 1) {
                org = o;
                j = after;
            } else if self.is(j + 1, &["the", "its", "our", "their"]) {
                // "our seventeenth member of the ocean panel": a grouping the text names in
                // lowercase, reported by that name rather than by another organization.
                let first = j + 2;
                let mut last = first;
                while last < first + 4
                    && self.t.entity(last).is_none()
                    && self
                        .t
                        .list()
                        .get(last)
                        .is_some_and(|t| t.kind == plugin_text_support::TokenKind::Word)
                    && !self.is(last, AFTER_OBJECT)
                {
                    last += 1;
                }
                if last > first {
                    // "a member of the steering committee (the board)": a seat, not membership.
                    if self.is(last - 1, SEAT_BODIES) {
                        return None;
                    }
                    org = Org::Named(first, last - 1);
                    j = last;
                }
            }
        }
        Some((org, j))
    }

    /// The organization at `j` (after an optional determiner): an entity, "the Coalition", or a
    /// capitalised name ending in an organization word. Returns it and the token after it.
    fn object_org(&self, mut j: usize) -> Option<(Org, usize)> {
        // "admitted to (full) membership in the United Nations": the organization follows.
        let full = usize::from(self.is(j, &["full"]));
        if self.is(j + full, &["membership"]) && self.is(j + full + 1, &["of", "in"]) {
            j += full + 2;
        }
        // "it joins an organization whose members …": an indefinite generic head describes
        // the organization named before.
        if self.is(j, &["a", "an"])
            && let Some(head) = GENERIC_HEADS.iter().find(|&&h| self.is(j + 1, &[h]))
        {
            return Some((Org::Anaphor(head, j + 1), j + 2));
        }
        if self.is(j, &["the", "this", "our"]) {
            j += 1;
        }
        if self.role(j) == Some(Role::Organization) {
            // "the United Nations Friends of the Family Group": a longer name the gazetteer
            // lacks, that begins with an organization's.
            if let Some(last) = self.name_continues(j + 1).filter(|&l| l > j + 1) {
                return Some((Org::Named(j, last), last + 1));
            }
            // "the NATO Alliance": the head word belongs to the name.
            let after = if self.t.list().get(j + 1).is_some_and(|t| t.capital)
                && self.is(j + 1, ORG_HEADS)
            {
                j + 2
            } else {
                j + 1
            };
            return Some((Org::Entity(j), after));
        }
        // "the particular Coalition": up to two lowercase modifiers before a capitalised head.
        if j > 0 && self.is(j - 1, &["the"]) {
            for skip in 1..=2 {
                let head = j + skip;
                if (j..head).all(|k| {
                    self.t.entity(k).is_none() && self.t.list().get(k).is_some_and(|t| !t.capital)
                }) && self.t.list().get(head).is_some_and(|t| t.capital)
                    && let Some(word) = ORG_HEADS.iter().find(|&&h| h == self.word(head))
                    && !self.t.list().get(head + 1).is_some_and(|t| t.capital)
                {
                    return Some((Org::Anaphor(word, head), head + 1));
                }
            }
        }
        // A capitalised name holding an organization word: "Minerals Security Partnership",
        // "Alliance for Development and Democracy", "Local 2030 Islands Network"; the head word
        // alone ("the Alliance", "the coalition") is an anaphor.
        let start = j;
        let mut k = j;
        let mut head = None;
        let mut last_capital = None;
        while k < self.t.len() && k < j + 12 {
            let token = &self.t.list()[k];
            let word = self.word(k);
            if self.t.entity(k).is_some() {
                if self.role(k) == Some(Role::Other) || k == start {
                    break;
                }
                last_capital = Some(k);
            } else if token.capital && !CALENDAR.contains(&word) {
                if head.is_none() {
                    head = ORG_HEADS.iter().find(|&&h| h == word).map(|h| (k, *h));
                }
                last_capital = Some(k);
            } else if word.bytes().all(|b| b.is_ascii_digit())
                || (k > start && matches!(word, "of" | "for" | "on" | "and" | "to" | "in"))
            {
                // Inside a name only when a capitalised word follows.
            } else if k == start
                && let Some(h) = ORG_HEADS.iter().find(|&&h| h == word)
                && start > 0
                && self.is(start - 1, &["the"])
                // "the group of gas-exporting countries" describes; it names no organization.
                && !self.is(start + 1, &["of"])
                // "joined the mission": an operation, joined with troops.
                && *h != "mission"
            {
                return Some((Org::Anaphor(h, start), start + 1));
            } else {
                break;
            }
            k += 1;
        }
        let (head, word) = head?;
        let last = last_capital?;
        if last == start {
            return Some((Org::Anaphor(word, head), head + 1));
        }
        Some((Org::Named(start, last), last + 1))
    }

    /// The last token of a capitalised name from `k` that holds a word of a grouping ("Friends
    /// of the Family Group", "Alliance of Civilizations"; not "Human Rights Council", a body
    /// with elected seats), if one starts there.
    fn name_continues(&self, k: usize) -> Option<usize> {
        let capital =
            |m: usize| {
                self.t.entity(m).is_none()
                    && self.t.list().get(m).is_some_and(|t| {
                        t.capital && t.kind == plugin_text_support::TokenKind::Word
                    })
                    && !self.is(m, CALENDAR)
                    && !self.is(m, AFTER_OBJECT)
            };
        if !capital(k) {
            return None;
        }
        let mut last = k;
        let mut grouping = false;
        let mut m = k;
        while m < k + 10 {
            if capital(m) {
                grouping |= self.is(m, GROUPING_HEADS);
                last = m;
            } else if !self.is(m, &["of", "for", "on", "and", "the"]) {
                break;
            }
            m += 1;
        }
        grouping.then_some(last)
    }

    /// An error when the organization ending before `after` is not the thing joined but a
    /// modifier or a possessive ("joined NATO leaders", "joined the Coalition's efforts") or the
    /// partner of a joint action ("joined the G7 in condemning").
    fn check_head_object(&self, after: usize) -> Result<(), &'static str> {
        if after >= self.t.len() {
            return Ok(());
        }
        let word = self.word(after);
        if word == "'s" {
            return Err("joined something of the organization's");
        }
        if self.t.entity(after).is_some() {
            return Err("the organization names something else joined");
        }
        if self.is(after, &["in", "on"]) && self.word(after + 1).ends_with("ing") {
            return Err("joined the organization in an action, not as a member");
        }
        if self.is(after, &["at", "for"]) {
            return Err("joined a meeting or an event");
        }
        let token = &self.t.list()[after];
        if token.kind == plugin_text_support::TokenKind::Word
            && !self.is(after, AFTER_OBJECT)
            && !word.bytes().all(|b| b.is_ascii_digit())
        {
            // "joined the UN Human Rights Committee": the start of a longer name (a seat on
            // a body, not membership of the organization).
            if token.capital && !self.is(after, CALENDAR) {
                return Err("the organization begins the name of something else joined");
            }
            if !token.capital {
                return Err("the organization is a modifier of what was joined");
            }
        }
        Ok(())
    }

    /// The entities that are the subject of the verb at `i`: a list right before it, over
    /// auxiliaries, adverbs and "which"/"who".
    fn subject(&self, i: usize) -> Vec<usize> {
        let list = self.named_subject(i);
        if !list.is_empty() {
            return list;
        }
        if self.pronoun_subject(i) {
            return vec![ANTECEDENT];
        }
        if self.speaker_subject(i) {
            return vec![SPEAKER];
        }
        let list = self.possessed_subject(i);
        if !list.is_empty() {
            return list;
        }
        let list = self.praised_object(i);
        if !list.is_empty() {
            return list;
        }
        self.participle_subject(i)
    }

    /// The token before the verb at `i`, over auxiliaries and adverbs.
    fn before_verb(&self, i: usize) -> Option<usize> {
        let mut k = i;
        while k > 0 && (self.is(k - 1, AUXILIARIES) || self.is(k - 1, ADVERBS)) {
            k -= 1;
        }
        k.checked_sub(1)
    }

    /// Whether the participle at `i` is a passive's: "was (has been, formally) welcomed".
    fn passive(&self, i: usize) -> bool {
        let mut k = i;
        while k > 0 && self.is(k - 1, ADVERBS) {
            k -= 1;
        }
        k > 0 && self.is(k - 1, &["was", "were", "been", "is", "are", "be"])
    }

    /// Whether the subject of the verb at `i` is the speaker: "we", "my (our) country".
    fn speaker_subject(&self, i: usize) -> bool {
        let Some(prev) = self.before_verb(i) else {
            return false;
        };
        self.is(prev, &["we"])
            || (prev > 0
                && self.is(prev, &["country", "nation"])
                && self.is(prev - 1, &["my", "our"]))
    }

    /// "the presidents of A and of B …, after their territories were admitted": "their"
    /// countries (territories, nations, governments) as subject are every country the sentence
    /// named before.
    fn possessed_subject(&self, i: usize) -> Vec<usize> {
        match self.before_verb(i) {
            Some(prev)
                if prev > 0 && self.is(prev, GROUP_NOUNS) && self.is(prev - 1, &["their"]) =>
            {
                (0..prev - 1)
                    .filter(|&k| self.role(k) == Some(Role::Member))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// "commends (congratulates) the Afghan government on becoming the 164th member": the one
    /// praised is the subject of the gerund after "on", "for", "upon".
    fn praised_object(&self, i: usize) -> Vec<usize> {
        if i < 2 || !self.is(i - 1, &["on", "for", "upon"]) || !self.word(i).ends_with("ing") {
            return Vec::new();
        }
        let (start, _) = self.clause(i);
        let Some(verb) = (start.max(i.saturating_sub(10))..i - 1)
            .rev()
            .find(|&k| self.is(k, PRAISE))
        else {
            return Vec::new();
        };
        self.list_forward(verb + 1)
    }

    /// ", thereby (officially) becoming members of the Alliance": a participle of result takes
    /// the subject of the clause it follows, the list before that clause's verb
    /// ("A, B and C have deposited …, thereby becoming").
    fn participle_subject(&self, i: usize) -> Vec<usize> {
        if !self.word(i).ends_with("ing") {
            return Vec::new();
        }
        let mut k = i;
        while k > 0 && self.is(k - 1, ADVERBS) {
            k -= 1;
        }
        // Only a participle of result: a bare ", becoming" may hang on any noun before it
        // ("pleased to see a country, with which Serbia had ties, becoming a member").
        if k < 2 || !self.is(k - 1, &["thereby", "thus"]) || !self.is(k - 2, &[","]) {
            return Vec::new();
        }
        k -= 1;
        // The main clause's verb: the first auxiliary or past form after a member entity.
        (0..k - 1)
            .find(|&e| {
                self.is_member_entity(e)
                    && self.is(e + 1, AUXILIARIES)
                    && !self.is(e + 2, &["a", "an", "the", "not"])
            })
            .map(|e| self.list_before(e))
            .unwrap_or_default()
    }

    /// Whether the subject of the verb at `i` is "it" or "the (Baltic) country / nation /
    /// state", standing for a country named before.
    fn pronoun_subject(&self, i: usize) -> bool {
        let mut k = i;
        while k > 0 && (self.is(k - 1, AUXILIARIES) || self.is(k - 1, ADVERBS)) {
            k -= 1;
        }
        let Some(prev) = k.checked_sub(1) else {
            return false;
        };
        if self.is(prev, &["it"]) {
            return true;
        }
        self.is(prev, &["country", "nation", "state", "kingdom", "republic"])
            && (1..=3).any(|d| {
                prev >= d
                    && self.is(prev - d, &["the", "this"])
                    && (prev - d + 1..prev).all(|m| self.t.entity(m).is_none())
            })
    }

    /// The entities named as the subject of the verb at `i`.
    fn named_subject(&self, i: usize) -> Vec<usize> {
        let mut k = i;
        let mut skipped = 0;
        while k > 0 && skipped < 6 {
            let prev = k - 1;
            if self.is(prev, AUXILIARIES)
                || self.is(prev, ADVERBS)
                || self.is(prev, MODALS)
                || self.is(prev, &["which", "who", "that", ",", "\"", "'"])
            {
                k -= 1;
                skipped += 1;
                continue;
            }
            break;
        }
        if k == 0 {
            return Vec::new();
        }
        let mut list = self.list_before(k - 1);
        if let Some(&f) = list.first()
            && f >= 2
            && self.is(f - 1, &["from", "of"])
            && self.is(f - 2, PEOPLE)
        {
            // "Troops from Kenya joined the mission": the subject is the people, not the
            // country.
            return Vec::new();
        }
        if list.is_empty() && self.is(k - 1, DASHES) {
            // "Seven countries – A, B and C – joined": a list set off by dashes that names the
            // members a plural noun before it counts (not an aside: "Andorra – between France
            // and Spain – joined").
            let inner = k
                .checked_sub(2)
                .map(|e| self.list_before(e))
                .unwrap_or_default();
            if inner.first().is_some_and(|&f| {
                f >= 2 && self.is(f - 1, DASHES) && self.is(f - 2, GENERIC_MEMBERS)
            }) {
                list = inner;
            } else if let Some(open) = (k.saturating_sub(14)..k - 1)
                .rev()
                .find(|&c| self.is(c, DASHES))
                && open > 0
            {
                // The aside's subject, before it.
                list = self.list_before(open - 1);
            }
        }
        if let [org] = list[..]
            && self.is(k, &[","])
            && let Some(verb) = (org.saturating_sub(2)..org)
                .rev()
                .find(|&v| self.is(v, JOIN_VERBS))
            && (verb + 1..org).all(|m| self.is(m, &["the"]))
        {
            // "Sweden joined NATO, becoming its 32nd member": the organization joined is the
            // object of the verb before; the participle's subject is that verb's.
            return self.named_subject(verb);
        }
        if list.is_empty() && self.is(k, &[","]) {
            // "Switzerland, after decades of resisting membership, formally joined": over a
            // parenthetical set off by commas.
            if let Some(open) = (k.saturating_sub(12)..k)
                .rev()
                .find(|&c| self.is(c, &[","]))
                && open > 0
            {
                return self.list_before(open - 1);
            }
        }
        list
    }

    /// Whether the verb at `i` has a plural noun for subject that stands for a list given
    /// elsewhere ("new members joining").
    fn generic_subject(&self, i: usize) -> bool {
        let mut k = i;
        while k > 0 && (self.is(k - 1, AUXILIARIES) || self.is(k - 1, ADVERBS)) {
            k -= 1;
        }
        k > 0 && self.is(k - 1, GENERIC_MEMBERS)
    }

    /// The organization that is the subject of the verb at `i`.
    fn subject_org(&self, i: usize) -> Option<Org> {
        let mut k = i;
        while k > 0 && (self.is(k - 1, AUXILIARIES) || self.is(k - 1, ADVERBS)) {
            k -= 1;
        }
        let prev = k.checked_sub(1)?;
        if self.role(prev) == Some(Role::Organization) {
            return Some(Org::Entity(prev));
        }
        if let Some(word) = ORG_HEADS.iter().find(|&&h| h == self.word(prev)) {
            // "the Alliance", "the regional grouping": a determiner and up to two modifiers.
            let det = (1..=3).find(|&d| prev >= d && self.is(prev - d, &["the", "this", "our"]))?;
            if (prev - det + 1..prev).all(|m| self.t.entity(m).is_none()) {
                return Some(Org::Anaphor(word, prev));
            }
        }
        None
    }

    /// The organization a sentence names before token `i` that is not one of `members`, the
    /// nearest first: "the Initiative welcomed 18 new members", "NATO … welcomed Finland as
    /// its 31st Ally". [`Org::Unsaid`] when there is none.
    fn org_before(&self, i: usize, members: &[usize]) -> Org {
        for k in (0..i).rev() {
            if members.contains(&k) {
                continue;
            }
            if self.role(k) == Some(Role::Organization) && !affiliation(self.t, k) {
                return Org::Entity(k);
            }
            if k > 0
                && self.is(k - 1, &["the"])
                && let Some(word) = ORG_HEADS.iter().find(|&&h| h == self.word(k))
            {
                return Org::Anaphor(word, k);
            }
        }
        Org::Unsaid
    }

    /// The token after the list item at `k`, over an acronym in parentheses after it ("the
    /// African Union (AU)").
    fn after_item(&self, k: usize) -> usize {
        if self.is(k + 1, &["("]) && self.is(k + 3, &[")"]) {
            return k + 4;
        }
        // A short note in parentheses that names no member: "Hungary (May 1996)".
        if self.is(k + 1, &["("])
            && let Some(close) = (k + 3..k + 7).find(|&c| self.is(c, &[")"]))
            && (k + 2..close).all(|m| !self.is_member_entity(m) && !self.is(m, &["("]))
        {
            return close + 1;
        }
        k + 1
    }

    /// The possessive pronoun of the accession noun at `k`: "its accession", "its instrument(s)
    /// of accession".
    fn possessive_before(&self, k: usize) -> Option<usize> {
        let p = if self.is(k.wrapping_sub(1), &["of"])
            && self.is(k.wrapping_sub(2), &["instrument", "instruments"])
        {
            k.checked_sub(3)?
        } else {
            k.checked_sub(1)?
        };
        self.is(p, &["its", "their", "our", "my"]).then_some(p)
    }

    /// Whether token `k` is a word of two or more capitals and nothing else ("CERN"), not tagged.
    fn is_acronym(&self, k: usize) -> bool {
        let Some(token) = self.t.list().get(k) else {
            return false;
        };
        let text = &self.raw[token.range.clone()];
        self.t.entity(k).is_none()
            && token.kind == plugin_text_support::TokenKind::Word
            && text.len() >= 2
            && text.bytes().all(|b| b.is_ascii_uppercase())
    }

    /// Whether token `k` starts an ordinal number.
    fn ordinal_at(&self, k: usize) -> bool {
        plugin_text_support::ordinal(&[self.word(k), self.word(k + 1), self.word(k + 2)]).is_some()
    }

    /// A list of member entities ending at `k` ("A, B, and C"), in order.
    fn list_before(&self, k: usize) -> Vec<usize> {
        let mut list = Vec::new();
        let mut at = k as isize;
        loop {
            let i = at as usize;
            if at < 0 || !self.is_member_entity(i) {
                break;
            }
            list.push(i);
            at -= 1;
            // Separators: ",", "and", ", and", "as well as", "the".
            while at >= 0 && self.is(at as usize, &["the"]) {
                at -= 1;
            }
            // The separator before the last item of a list holds "and" ("A, B and C", "A,
            // B, and C"); a bare comma there sets off an apposition ("the General Assembly,
            // Timor-Leste"), not a list.
            let mut separated = false;
            let mut and = false;
            while at >= 0 && self.is(at as usize, &[",", "and", "&"]) {
                separated = true;
                and |= !self.is(at as usize, &[","]);
                at -= 1;
            }
            if !separated || (list.len() == 1 && !and) {
                break;
            }
        }
        list.reverse();
        list
    }

    /// A list of member entities starting at `j`.
    fn list_forward(&self, mut j: usize) -> Vec<usize> {
        let mut list = Vec::new();
        let mut and = false;
        loop {
            while self.is(j, &["the"]) {
                j += 1;
            }
            if !self.is_member_entity(j) {
                break;
            }
            list.push(j);
            j = self.after_item(j);
            let mut separated = false;
            while self.is(j, &[",", "and", "&"])
                || (self.is(j, &["as"]) && self.is(j + 1, &["well"]) && self.is(j + 2, &["as"]))
            {
                and |= !self.is(j, &[","]);
                j += if self.is(j, &["as"]) { 3 } else { 1 };
                separated = true;
            }
            if !separated {
                break;
            }
        }
        // A list ends with "and": items set off by commas alone are appositions.
        if !and {
            list.truncate(1);
        }
        list
    }

    /// A list given after the organization of a generic subject: "… joining the Coalition –
    /// A, B, and C", "… joined the Initiative: A and B".
    fn list_after(&self, mut j: usize) -> Vec<usize> {
        let start = j;
        while j < self.t.len() && j < start + 4 && !self.is_member_entity(j) {
            if !self.is(j, &["-", ":", ",", "namely", "including", "the", "("]) {
                return Vec::new();
            }
            j += 1;
        }
        self.list_forward(j)
    }

    /// Whether token `k` is a word of [`PENDING_BEFORE`] (modals included), and not the month
    /// "May" ("completed in May").
    fn pending_word(&self, k: usize) -> bool {
        let month = self.is(k, &["may"])
            && k > 0
            && self.t.list()[k].capital
            && !self.is(k - 1, &[".", "\"", "(", ":", ";"]);
        (self.is(k, PENDING_BEFORE) || self.is(k, MODALS)) && !month
    }

    /// Whether token `k` lies in a phrase set off by a comma before the cue at `first` that
    /// says what is over or what helped ("After a 13-year accession process, Timor-Leste
    /// became …", "Having completed the steps, …", "Thanks to the support of all Allies, …"),
    /// or in a relative clause closed before it ("The United States, which supported Finland's
    /// bid, welcomes Finland as …"): not the cue's modality.
    fn in_fronted_phrase(&self, start: usize, k: usize, first: usize) -> bool {
        if !(k + 1..first).any(|c| self.is(c, &[","])) {
            return false;
        }
        if start > 0 && self.is(start - 1, &["which", "who", "whom", "whose"]) {
            return true;
        }
        (start..k).any(|p| {
            self.is(
                p,
                &[
                    "after",
                    "following",
                    "upon",
                    "since",
                    "having",
                    "thanks",
                    "with",
                ],
            ) && (p + 1..k).all(|m| !self.is(m, &[","]))
        })
    }

    /// The clause around tokens `i`: from after the last clause end before it to the next one
    /// after it.
    fn clause(&self, i: usize) -> (usize, usize) {
        let mut start = i;
        while start > 0 && !self.is(start - 1, CLAUSE_ENDS) {
            start -= 1;
        }
        let mut end = i;
        while end < self.t.len() && !self.is(end, CLAUSE_ENDS) && self.word(end) != "." {
            end += 1;
        }
        (start, end)
    }

    /// Why the cue from token `first` to `last` is not a completed accession, if it is not: a
    /// pending, hoped-for, negated or conditional word before it in its clause (and near it),
    /// "to" right before it, an election, or a pending word after it.
    fn pending(&self, first: usize, last: usize) -> Option<&'static str> {
        let (start, end) = self.clause(first);
        let before_from = start.max(first.saturating_sub(14));
        // "have deposited their ratification documents, thereby becoming members": a
        // procedure said to be done is no longer pending.
        let done = (start..first).find(|&k| self.is(k, PROCEDURE_DONE));
        if (before_from..first).any(|k| {
            self.pending_word(k)
                && !(done.is_some_and(|d| d < k) && self.is(k, PROCEDURE))
                && !self.in_fronted_phrase(start, k, first)
        }) {
            return Some("pending, hoped-for, negated or conditional (before the cue)");
        }
        // "in the event that Ukraine becomes a member": a condition.
        if (before_from.max(2)..first)
            .any(|k| self.is(k, &["event"]) && self.is(k - 1, &["the"]) && self.is(k - 2, &["in"]))
        {
            return Some("conditional (\"in the event\")");
        }
        let mut k = first;
        while k > 0 && self.is(k - 1, ADVERBS) {
            k -= 1;
        }
        if k > 0 && self.is(k - 1, &["to"]) {
            return Some("\"to\" before the cue: not (yet) done");
        }
        if (start..end.max(last + 1)).any(|k| self.is(k, ELECTION)) {
            return Some("a seat won by election");
        }
        let mut after_to = last + 1;
        while after_to < end.min(last + 12) && !self.is(after_to, &[",", "-", "\""]) {
            after_to += 1;
        }
        if (last + 1..after_to).any(|k| self.is(k, PENDING_AFTER)) {
            return Some("pending (after the cue)");
        }
        None
    }
}

/// The cue name of a cue word, for a dropped cue.
fn cue_name(word: &str) -> &'static str {
    match word {
        "joined" | "joins" | "joining" | "rejoined" | "rejoins" | "re-joined" | "re-joins" => {
            "joined"
        }
        "became" | "becomes" | "becoming" | "become" => "became-member",
        "accession" | "admission" | "adhesion" | "inclusion" | "entry" | "addition" => "accession",
        "admitted" => "admitted",
        "welcomed" | "welcomes" | "welcome" | "welcoming" => "welcomed-as",
        "expanded" | "expands" | "enlarged" | "enlarges" => "expanded",
        _ => "new-member",
    }
}
