//! Deterministic, realistic rule packs of any size up to [`MAX_RULES`], for measuring.
//!
//! How evaluation cost grows with the number of rules can only be measured with packs far larger
//! than anyone writes by hand, and the criterion bench (`benches/rules.rs`), the end-to-end
//! benchmark (`commwatch bench --rules`) and scale tests must measure the *same* packs, or their
//! figures cannot be compared. This module is that one generator.
//!
//! A pack is a realistic mix for a large deployment: watch rules pairing a topic word with a
//! country id (anywhere in the document, or near it), topic phrases near any country,
//! organisation and armed-group rules, sentence-scoped counts, negations, and lead-paragraph rules
//! with a prefix and a language test. The vocabulary is real (topic words and phrases of
//! diplomatic and security reporting, ISO 3166-1 ids of UN member and observer states, ids of the
//! bundled gazetteer's organisations and groups), so the rules do fire on real communiqués, but
//! most refer to topics or ids a given document does not mention, as in a real pack.
//!
//! Every rule of a pack is distinct: no two rules have the same query (a pack that repeated its
//! rules would measure a smaller pack with duplicated work). Ids are `r0`, `r1`, … The generator is
//! seeded, so a pack is the same on every run and machine, and the first `n` rules of a larger pack
//! are exactly the pack of `n`.

use std::collections::HashSet;
use std::fmt::Write;

/// The most rules [`rule_pack`] makes: every rule of a pack is distinct, and the vocabulary has
/// room for this many.
pub const MAX_RULES: usize = 200_000;

/// Topic words, each a single word that occurs in diplomatic or security reporting.
const WORDS: &[&str] = &[
    "sanctions",
    "ceasefire",
    "coup",
    "ratified",
    "accession",
    "embargo",
    "insurgency",
    "militia",
    "airstrike",
    "hostage",
    "blockade",
    "annexation",
    "referendum",
    "mobilization",
    "evacuation",
    "kidnapping",
    "assassination",
    "genocide",
    "famine",
    "cholera",
    "refugees",
    "deportation",
    "extradition",
    "espionage",
    "sabotage",
    "piracy",
    "smuggling",
    "trafficking",
    "mercenaries",
    "uprising",
    "curfew",
    "martial",
    "junta",
    "secession",
    "incursion",
    "shelling",
    "massacre",
    "reprisal",
    "ultimatum",
    "expulsion",
    "defection",
    "detainees",
    "repatriation",
    "designation",
    "truce",
    "armistice",
    "normalization",
    "rapprochement",
    "veto",
    "indictment",
    "tribunal",
    "impeachment",
    "dissolution",
    "landmines",
    "cyberattack",
    "ransomware",
    "disinformation",
    "drought",
    "earthquake",
    "pandemic",
    "outbreak",
    "abduction",
    "airspace",
    "ammunition",
    "amnesty",
    "arbitration",
    "arrests",
    "artillery",
    "asylum",
    "atrocities",
    "bombing",
    "bombardment",
    "casualties",
    "censorship",
    "clashes",
    "crackdown",
    "demining",
    "demobilization",
    "denuclearization",
    "deterrence",
    "detention",
    "disarmament",
    "displacement",
    "drones",
    "enrichment",
    "escalation",
    "executions",
    "explosives",
    "extremism",
    "fighters",
    "flooding",
    "fraud",
    "grenades",
    "hijacking",
    "hostilities",
    "incursions",
    "insurgents",
    "interception",
    "invasion",
    "jihadists",
    "kidnappers",
    "landslide",
    "looting",
    "malnutrition",
    "migrants",
    "militants",
    "mines",
    "missiles",
    "mutiny",
    "occupation",
    "offensive",
    "overflight",
    "paramilitary",
    "peacekeepers",
    "peacekeeping",
    "persecution",
    "proliferation",
    "protesters",
    "radicalization",
    "ransom",
    "rebels",
    "reconstruction",
    "riots",
    "rockets",
    "seizure",
    "shipments",
    "sieges",
    "smugglers",
    "snipers",
    "strikes",
    "submarines",
    "surveillance",
    "terrorism",
    "torture",
    "uranium",
    "warheads",
    "warships",
    "weapons",
];

/// ISO 3166-1 alpha-2 ids of the 193 UN member states, the two observer states and Taiwan.
const COUNTRY_IDS: &[&str] = &[
    "AF", "AL", "DZ", "AD", "AO", "AG", "AR", "AM", "AU", "AT", "AZ", "BS", "BH", "BD", "BB", "BY",
    "BE", "BZ", "BJ", "BT", "BO", "BA", "BW", "BR", "BN", "BG", "BF", "BI", "CV", "KH", "CM", "CA",
    "CF", "TD", "CL", "CN", "CO", "KM", "CG", "CD", "CR", "CI", "HR", "CU", "CY", "CZ", "DK", "DJ",
    "DM", "DO", "EC", "EG", "SV", "GQ", "ER", "EE", "SZ", "ET", "FJ", "FI", "FR", "GA", "GM", "GE",
    "DE", "GH", "GR", "GD", "GT", "GN", "GW", "GY", "HT", "HN", "HU", "IS", "IN", "ID", "IR", "IQ",
    "IE", "IL", "IT", "JM", "JP", "JO", "KZ", "KE", "KI", "KP", "KR", "KW", "KG", "LA", "LV", "LB",
    "LS", "LR", "LY", "LI", "LT", "LU", "MG", "MW", "MY", "MV", "ML", "MT", "MH", "MR", "MU", "MX",
    "FM", "MD", "MC", "MN", "ME", "MA", "MZ", "MM", "NA", "NR", "NP", "NL", "NZ", "NI", "NE", "NG",
    "MK", "NO", "OM", "PK", "PW", "PA", "PG", "PY", "PE", "PH", "PL", "PT", "QA", "RO", "RU", "RW",
    "KN", "LC", "VC", "WS", "SM", "ST", "SA", "SN", "RS", "SC", "SL", "SG", "SK", "SI", "SB", "SO",
    "ZA", "SS", "ES", "LK", "SD", "SR", "SE", "CH", "SY", "TJ", "TZ", "TH", "TL", "TG", "TO", "TT",
    "TN", "TR", "TM", "TV", "UG", "UA", "AE", "GB", "US", "UY", "UZ", "VU", "VE", "VN", "YE", "ZM",
    "ZW", "PS", "VA", "TW",
];

/// First words of topic phrases.
const ADJECTIVES: &[&str] = &[
    "arms",
    "nuclear",
    "ballistic",
    "humanitarian",
    "military",
    "naval",
    "cross-border",
    "armed",
    "foreign",
    "maritime",
    "diplomatic",
    "territorial",
    "economic",
    "political",
    "electoral",
    "terrorist",
    "chemical",
    "hypersonic",
    "peace",
    "security",
    "border",
    "prisoner",
    "energy",
    "grain",
    "cyber",
    "financial",
    "civilian",
    "regional",
    "emergency",
    "joint",
    "migrant",
    "food",
    "water",
    "ethnic",
    "religious",
    "sectarian",
    "covert",
    "illegal",
    "unilateral",
    "multilateral",
];

/// Second words of topic phrases.
const NOUNS: &[&str] = &[
    "embargo",
    "program",
    "missile",
    "access",
    "coup",
    "blockade",
    "clashes",
    "incursion",
    "fighters",
    "exercises",
    "dispute",
    "talks",
    "crisis",
    "fraud",
    "attack",
    "weapons",
    "corridor",
    "exchange",
    "agreement",
    "deal",
    "convoy",
    "forces",
    "deployment",
    "sanctions",
    "summit",
    "pact",
    "accord",
    "mission",
    "offensive",
    "strike",
    "ban",
    "freeze",
    "zone",
    "ceasefire",
    "waters",
    "facilities",
    "infrastructure",
    "casualties",
    "evacuation",
    "tensions",
    "operation",
    "violations",
    "cooperation",
    "negotiations",
    "framework",
    "escalation",
    "resolution",
    "reforms",
    "assistance",
    "shipments",
    "routes",
    "network",
    "threats",
    "campaign",
    "capabilities",
    "situation",
    "response",
    "arrangements",
    "monitoring",
    "observers",
];

/// Organisation ids of the bundled gazetteer.
const ORGS: &[&str] = &[
    "nato",
    "un",
    "eu",
    "au",
    "ecowas",
    "asean",
    "opec",
    "sco",
    "brics",
    "osce",
    "oas",
    "gcc",
    "arab-league",
    "iaea",
    "who",
    "wto",
    "imf",
    "g7",
    "g20",
    "icc",
    "oic",
    "sadc",
    "igad",
    "unsc",
    "unhcr",
    "wfp",
];

/// Armed-group ids of the bundled gazetteer.
const GROUPS: &[&str] = &[
    "isis",
    "houthis",
    "al-shabaab",
    "hezbollah",
    "boko-haram",
    "jnim",
    "al-qaeda",
    "aqim",
    "hamas",
    "taliban",
    "wagner",
    "pkk",
    "rsf",
    "m23",
    "adf",
    "hts",
    "iswap",
    "isgs",
    "ttp",
    "irgc",
];

/// The seed of every pack.
const SEED: u64 = 42;

/// A small deterministic generator (SplitMix64), so that every run gets the same rules.
struct Rng(u64);

impl Rng {
    /// The next 64 random bits.
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    /// One of `items`.
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next_u64() % items.len() as u64) as usize]
    }

    /// A quoted two-word topic phrase.
    fn phrase(&mut self) -> String {
        format!("\"{} {}\"", self.pick(ADJECTIVES), self.pick(NOUNS))
    }
}

/// The query and scope of a candidate for rule `i`: eight shapes, in turn.
fn draw(i: usize, g: &mut Rng) -> (String, &'static str) {
    match i % 8 {
        0 => (
            format!("{} AND @country:{}", g.pick(WORDS), g.pick(COUNTRY_IDS)),
            "",
        ),
        1 => (
            format!(
                "{} NEAR/{} @country:{}",
                g.pick(WORDS),
                g.between(5, 15),
                g.pick(COUNTRY_IDS)
            ),
            "",
        ),
        2 => (
            format!("{} NEAR/{} @country", g.phrase(), g.between(5, 15)),
            "",
        ),
        3 => (
            format!(
                "({} OR {}) NEAR/10 @country:{}",
                g.phrase(),
                g.pick(WORDS),
                g.pick(COUNTRY_IDS)
            ),
            "scope = \"sentence\"",
        ),
        4 => (format!("{} AND @org:{}", g.phrase(), g.pick(ORGS)), ""),
        5 => (
            format!(
                "{} AND @group:{} AND NOT {}",
                g.phrase(),
                g.pick(GROUPS),
                g.pick(WORDS)
            ),
            "",
        ),
        6 => (
            format!("{} AND @country >= 2 AND NOT {}", g.phrase(), g.pick(WORDS)),
            "scope = \"sentence\"",
        ),
        _ => {
            let word = g.pick(WORDS);
            (
                format!(
                    "{}* AND {} AND lang:en",
                    &word[..word.len().min(5)],
                    g.phrase()
                ),
                "scope = { first_sentences = 20 }",
            )
        }
    }
}

/// A rule file (TOML, the format of `docs/rules.md`) of `n` distinct, valid rules, ids `r0` to
/// `r{n-1}`, each of severity `low` with the document title as summary. The same `n` always gives
/// the same text, and a pack of `n` is the first `n` rules of any larger pack.
///
/// # Panics
///
/// If `n` is more than [`MAX_RULES`].
pub fn rule_pack(n: usize) -> String {
    assert!(
        n <= MAX_RULES,
        "a synthetic rule pack has at most {MAX_RULES} rules, {n} requested"
    );
    let mut g = Rng(SEED);
    let mut seen: HashSet<String> = HashSet::with_capacity(n);
    let mut out = String::with_capacity(n * 110);
    for i in 0..n {
        // Draw until the query is new; every shape has room for MAX_RULES / 8 distinct queries.
        let (query, scope) = loop {
            let (query, scope) = draw(i, &mut g);
            if !seen.contains(&query) {
                seen.insert(query.clone());
                break (query, scope);
            }
        };
        let _ = write!(
            out,
            "[[rule]]\nid = \"r{i}\"\nquery = '{query}'\nseverity = \"low\"\n\
             summary = \"{{title}}\"\n{scope}\n\n"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RuleSet;

    fn queries(pack: &str) -> Vec<&str> {
        pack.lines()
            .filter_map(|l| l.strip_prefix("query = "))
            .collect()
    }

    #[test]
    fn the_vocabulary_does_not_repeat_itself() {
        for list in [WORDS, COUNTRY_IDS, ADJECTIVES, NOUNS, ORGS, GROUPS] {
            let distinct: HashSet<&str> = list.iter().copied().collect();
            assert_eq!(distinct.len(), list.len(), "{list:?}");
        }
        assert_eq!(COUNTRY_IDS.len(), 196);
    }

    #[test]
    fn every_shape_has_room_for_its_share_of_the_largest_pack() {
        let share = MAX_RULES / 8;
        let (words, countries) = (WORDS.len(), COUNTRY_IDS.len());
        let phrases = ADJECTIVES.len() * NOUNS.len();
        let distances = 11;
        let prefixes: HashSet<&str> = WORDS.iter().map(|w| &w[..w.len().min(5)]).collect();
        for (shape, room) in [
            ("word AND country", words * countries),
            ("word NEAR country", words * distances * countries),
            ("phrase NEAR any country", phrases * distances),
            ("(phrase OR word) NEAR country", phrases * words * countries),
            ("phrase AND org", phrases * ORGS.len()),
            (
                "phrase AND group AND NOT word",
                phrases * GROUPS.len() * words,
            ),
            ("phrase AND 2 countries AND NOT word", phrases * words),
            ("prefix AND phrase", prefixes.len() * phrases),
        ] {
            assert!(room > share, "{shape}: {room} distinct queries");
        }
    }

    #[test]
    fn packs_are_deterministic_and_grow_by_appending() {
        let small = rule_pack(100);
        assert_eq!(small, rule_pack(100));
        assert!(rule_pack(1_000).starts_with(&small));
        assert_eq!(rule_pack(0), "");
    }

    #[test]
    fn the_largest_pack_has_distinct_rules_and_ids() {
        let pack = rule_pack(MAX_RULES);
        let queries = queries(&pack);
        assert_eq!(queries.len(), MAX_RULES);
        let distinct: HashSet<&str> = queries.iter().copied().collect();
        assert_eq!(distinct.len(), MAX_RULES);
        let ids: HashSet<&str> = pack
            .lines()
            .filter_map(|l| l.strip_prefix("id = "))
            .collect();
        assert_eq!(ids.len(), MAX_RULES);
    }

    #[test]
    fn packs_compile() {
        for n in [1, 10, 1_000, 10_000] {
            let rules = RuleSet::from_toml_str(&rule_pack(n), "synthetic").unwrap();
            assert_eq!(rules.len(), n);
        }
    }

    #[test]
    #[should_panic(expected = "at most")]
    fn more_than_the_maximum_is_refused() {
        rule_pack(MAX_RULES + 1);
    }
}
