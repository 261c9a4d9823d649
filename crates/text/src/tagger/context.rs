//! Context rules: a country's name that its neighbours show to be something else.
//!
//! "Chad", "Jordan" and "Georgia" are also people's names, "Georgia" a US state, "US" and "WHO"
//! English words. The automaton cannot see context, so a match of such a name (see
//! [`Ambiguity`](crate::Ambiguity)) is checked here against the words around it in the
//! normalized text.

use super::Tag;

/// Capitalized words that, right before a name, are no sign of a person: function words, titles,
/// and words that start a place name.
const NOT_GIVEN_NAMES: &[&str] = &[
    "A",
    "An",
    "And",
    "As",
    "At",
    "Both",
    "But",
    "By",
    "Crown",
    "East",
    "Eastern",
    "Embassy",
    "Emir",
    "For",
    "From",
    "Government",
    "Greater",
    "Hashemite",
    "In",
    "Into",
    "King",
    "Kingdom",
    "Lower",
    "Minister",
    "Ministry",
    "Neighboring",
    "Neighbouring",
    "North",
    "Northern",
    "Of",
    "On",
    "Or",
    "President",
    "Prime",
    "Prince",
    "Queen",
    "Republic",
    "South",
    "Southern",
    "State",
    "States",
    "The",
    "To",
    "Upper",
    "Visit",
    "Visiting",
    "West",
    "Western",
    "With",
];

/// Capitalized words that, right after a country name, make a place or an institution rather
/// than a person's surname ("Jordan Valley", "Chad Basin").
const NOT_SURNAMES: &[&str] = &[
    "Accord",
    "Agreement",
    "Affairs",
    "Air",
    "Airways",
    "Armed",
    "Army",
    "Association",
    "Authorities",
    "Authority",
    "Bank",
    "Basin",
    "Border",
    "Cabinet",
    "Central",
    "Centre",
    "Center",
    "Chamber",
    "Coast",
    "Commission",
    "Committee",
    "Compact",
    "Conference",
    "Council",
    "Crisis",
    "Cup",
    "Declaration",
    "Defence",
    "Defense",
    "Delegation",
    "Department",
    "Dialogue",
    "Dream",
    "Embassy",
    "Energy",
    "Federation",
    "Foreign",
    "Forces",
    "Forum",
    "Foundation",
    "Fund",
    "Gas",
    "Government",
    "Guard",
    "Highlands",
    "House",
    "Initiative",
    "Institute",
    "Investment",
    "Kingdom",
    "Lake",
    "Mission",
    "Ministry",
    "National",
    "Navy",
    "News",
    "Office",
    "Oil",
    "Parliament",
    "Partnership",
    "Plan",
    "Police",
    "Policy",
    "Post",
    "Power",
    "President",
    "Prime",
    "Program",
    "Programme",
    "Region",
    "Relations",
    "Republic",
    "Rift",
    "River",
    "Sea",
    "Security",
    "Society",
    "State",
    "Strategy",
    "Summit",
    "Talks",
    "Team",
    "Tech",
    "Times",
    "Trade",
    "University",
    "Valley",
    "Water",
];

/// US states and the capital, for the `us-state` rule.
const US_STATES: &[&str] = &[
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Carolina",
    "North Dakota",
    "Ohio",
    "Oklahoma",
    "Oregon",
    "Pennsylvania",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "West Virginia",
    "Wisconsin",
    "Wyoming",
    "D.C.",
];

/// The offset just after the last whitespace character of `text`, or 0.
fn after_last_space(text: &str) -> usize {
    text.char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// The word (space-separated) that ends right before `at` with exactly one space between.
pub(super) fn word_before(text: &str, at: usize) -> Option<(usize, usize)> {
    let end = at.checked_sub(1)?;
    if text.as_bytes().get(end) != Some(&b' ') {
        return None;
    }
    let start = after_last_space(&text[..end]);
    (start < end).then_some((start, end))
}

/// The word (space-separated) that starts right after `at` with exactly one space between.
fn word_after(text: &str, at: usize) -> Option<(usize, usize)> {
    if text.as_bytes().get(at) != Some(&b' ') {
        return None;
    }
    let start = at + 1;
    let end = text[start..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| start + i);
    (start < end).then_some((start, end))
}

/// True when the word starting at `start` starts a sentence (or the text, a paragraph, a list
/// item, a quotation, a heading).
fn starts_sentence(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches(' ');
    match before.chars().next_back() {
        None => true,
        Some(c) => {
            before.ends_with("\n\n")
                || matches!(
                    c,
                    '.' | '!' | '?' | ':' | ';' | '"' | '(' | '*' | '-' | '\u{2022}'
                )
        }
    }
}

/// True when `start..end` lies inside one of `tags`.
fn inside_tag(tags: &[Tag<'_>], start: usize, end: usize) -> bool {
    tags.iter().any(|t| t.start <= start && end <= t.end)
}

/// Honorifics: right before a name they make it a person's.
const HONORIFICS: &[&str] = &["Mr.", "Mrs.", "Ms.", "Dr.", "Mr", "Mrs", "Ms", "Dr", "Sir"];

/// A capitalized word that may be part of a person's name: "Michael", "O'Keeffe", an initial
/// "J.", an honorific. A word with other punctuation ("Chad.", "Iraq,") ends a phrase.
fn name_like(word: &str) -> bool {
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !first.is_uppercase() {
        return false;
    }
    let rest = chars.as_str();
    rest == "."
        || HONORIFICS.contains(&word)
        || (rest.chars().any(char::is_lowercase)
            && rest
                .chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\''))
}

/// The `person-name` rule: a name-like word right before the match (not starting a sentence,
/// not a title or function word, not part of another tag), or a surname-like word right after.
pub(super) fn person_context(text: &str, start: usize, end: usize, previous: &[Tag<'_>]) -> bool {
    if let Some((s, e)) = word_before(text, start) {
        let word = &text[s..e];
        if name_like(word)
            && !starts_sentence(text, s)
            && !NOT_GIVEN_NAMES.contains(&word.trim_end_matches('.'))
            && !inside_tag(previous, s, e)
        {
            return true;
        }
    }
    if let Some((s, e)) = word_after(text, end) {
        let word = text[s..e].trim_end_matches(|c: char| !c.is_alphanumeric());
        if name_like(word) && !HONORIFICS.contains(&word) && !NOT_SURNAMES.contains(&word) {
            return true;
        }
    }
    false
}

/// The `us-state` rule: an item of a comma list whose neighbour is a US state, or a name right
/// after "City, " (a capitalized word that is not a sentence start nor part of another tag).
pub(super) fn us_state_context(text: &str, start: usize, end: usize, previous: &[Tag<'_>]) -> bool {
    let is_state_at = |at: usize| {
        US_STATES.iter().any(|state| {
            text[at..].starts_with(state)
                && !text[at + state.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
        })
    };
    if let Some(before) = text[..start].strip_suffix(", ") {
        let word_start = after_last_space(before);
        let word = &before[word_start..];
        let state = US_STATES.iter().any(|s| before.ends_with(s));
        let city = word.chars().next().is_some_and(char::is_uppercase)
            && word
                .chars()
                .all(|c| c.is_alphabetic() || c == '.' || c == '-')
            && !starts_sentence(text, word_start)
            && !NOT_GIVEN_NAMES.contains(&word)
            && !inside_tag(previous, word_start, before.len());
        if state || city {
            return true;
        }
    }
    text[end..].starts_with(", ") && is_state_at(end + 2)
}

/// The `common-word` rule: the two nearest words before and the two after (within the
/// paragraph) are all written in capitals (two capitals or more, no lowercase), and there are at
/// least two of them.
pub(super) fn all_caps_context(text: &str, start: usize, end: usize) -> bool {
    let paragraph_start = text[..start].rfind("\n\n").map_or(0, |i| i + 2);
    let paragraph_end = text[end..].find("\n\n").map_or(text.len(), |i| end + i);
    let caps = |w: &str| {
        w.chars().filter(|c| c.is_uppercase()).count() >= 2 && !w.chars().any(char::is_lowercase)
    };
    let not_word = |c: char| !c.is_alphanumeric();
    let before = text[paragraph_start..start]
        .rsplit(not_word)
        .filter(|w| !w.is_empty())
        .take(2);
    let after = text[end..paragraph_end]
        .split(not_word)
        .filter(|w| !w.is_empty())
        .take(2);
    let mut around = 0;
    for word in before.chain(after) {
        if !caps(word) {
            return false;
        }
        around += 1;
    }
    around >= 2
}
