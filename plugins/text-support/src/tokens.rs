//! Sentences as tokens — words, numbers, punctuation and the entities tagged in them — so that a
//! plugin can read a clause by the role of its parts (who joins what, who threatens where)
//! instead of matching a pattern over characters. Both bundled alerting plugins read their
//! sentences this way: `accession` with the plain reading ([`Tokens::tokenize`]),
//! `regional-threat` with its word classes and clauses ([`Tokens::tokenize_with`] and its
//! [`Rules`]).
//!
//! An entity span becomes one token whatever its length ("the Democratic Republic of the Congo"
//! is one `Entity` token), so that "X, Y and Z joined NATO" is five tokens before the verb
//! whatever the names. Words are compared by their lowercase ASCII form; a possessive "'s" (with
//! a straight or curly apostrophe) is a token of its own. Offsets are the raw text's.
//!
//! What a plugin adds to the plain reading is its [`Rules`]: the classes of its words (bits it
//! defines, from its own word lists), the words and marks that cut a sentence into clauses, and
//! how hyphens, apostrophes and punctuation are read.

use std::ops::Range;

use commwatch_plugin_sdk::SpanView;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A word: letters and digits, with hyphens or apostrophes inside as the [`Rules`] say
    /// ("thirty-first", "don't"); also the possessive "'s".
    Word,
    /// Punctuation: one character that is neither a letter, a digit nor white space.
    Punct,
    /// An entity tagged by an earlier stage: its index in the spans given to
    /// [`Tokens::tokenize`] (or [`Tokens::tokenize_with`]).
    Entity(usize),
}

/// One token.
#[derive(Clone, Debug)]
pub struct Token {
    /// Where it is in the raw text.
    pub range: Range<usize>,
    /// What it is.
    pub kind: Kind,
    /// Its lowercase ASCII form in [`Tokens`]' buffer (words and punctuation).
    lower: Range<usize>,
    /// Whether it starts with a capital letter.
    pub capital: bool,
    /// A word's classes ([`Rules::classes`] of its lowercase form, without the
    /// [`Rules::CLAUSE_WORDS`]); 0 for other tokens.
    pub classes: u64,
    /// The number of its clause in the sentence, from 0 (see [`Rules::CLAUSES`] and
    /// [`Rules::CLAUSE_WORDS`]).
    pub clause: u16,
}

impl Token {
    /// Whether it is a word of one of `classes`.
    #[inline]
    pub fn is(&self, classes: u64) -> bool {
        self.classes & classes != 0
    }

    /// Its entity index, if it is an entity.
    #[inline]
    pub fn entity(&self) -> Option<usize> {
        match self.kind {
            Kind::Entity(e) => Some(e),
            _ => None,
        }
    }
}

/// How a plugin reads its sentences beyond the plain reading (the defaults, which are the
/// `accession` plugin's): the classes of its words and where its clauses end. Implemented by
/// the plugin over its own word lists; the choices are constants, so each reading is compiled
/// on its own.
pub trait Rules {
    /// Whether a hyphen (`-`, U+2011) between letters or digits stays inside a word
    /// ("thirty-first", "Saudi‑led"). If not, the word, the hyphen and the next word are three
    /// tokens ("Iranian", "-", "backed"), as word lists that match phrases across hyphens want.
    const HYPHENATED_WORDS: bool = true;

    /// Whether apostrophes are read as in names ("Qa'ida", "Hamas’ grip"): the left quote ‘ is
    /// one too ("Iran‘s"); one stays inside a word only before a letter (not a digit); what
    /// follows it is looked at up to the end of the sentence, past the start of an entity; and
    /// a lone one right after a word or entity that ends in s, before no letter or digit, is a
    /// possessive (a word whose lowercase form is "'s", as that of "’s" is). If not,
    /// apostrophes are ' and ’, one stays inside a word before a letter or digit, and what
    /// follows it is looked at up to the next entity.
    const NAME_APOSTROPHES: bool = false;

    /// Whether punctuation is read by its class and the sentence cut into clauses. A
    /// punctuation token's lowercase form is then its class: `,` `;` `:` `(` `)` `/` `&` `.` `!`
    /// `?` themselves, `*` a bullet at the start of a line (`-`, `*`, `•`, `▪`, `·`), `-` a
    /// hyphen (`-`, U+2010, U+2011) or a dash (– — ―) with no space on either side, `~` such a
    /// dash with a space on either side, `"`
    /// anything else (quotes, brackets, apostrophes that are not possessives); markdown emphasis
    /// and escapes (`*` `#` `_` `\`) are no token. A new clause starts at `;`, `:`, a spaced
    /// dash and a bullet (each the first token of its clause). If not, a punctuation token's
    /// lowercase form is its character, dashes as `-` and curly quotes as straight ones.
    const CLAUSES: bool = false;

    /// The classes of a word that start a new clause ("but", "while"): the word is the first
    /// token of the new clause, and these bits are not kept in its classes.
    const CLAUSE_WORDS: u64 = 0;

    /// The classes of a word (and of the possessive, "'s"), given its lowercase form: bits the
    /// plugin defines, 0 for none.
    #[inline]
    fn classes(&self, _word: &str) -> u64 {
        0
    }
}

/// The plain reading ([`Tokens::tokenize`]).
struct Plain;

impl Rules for Plain {}

/// The tokens of one sentence; reused from sentence to sentence.
#[derive(Debug, Default)]
pub struct Tokens {
    list: Vec<Token>,
    lower: String,
}

impl Tokens {
    /// Splits `raw[range]` into tokens with the plain reading; each of `spans` (in order,
    /// non-overlapping, within the range) becomes one entity token.
    pub fn tokenize(&mut self, raw: &str, range: Range<usize>, spans: &[SpanView<'_>]) {
        self.tokenize_with(raw, range, spans, 0, &Plain);
    }

    /// Splits `raw[range]` into tokens read with `rules`. `spans` are the document's entities
    /// (in order, none overlapping another), of which those from `first` on are looked at: each
    /// in the range becomes one entity token (cut to the range if it crosses its end), with its
    /// index in `spans`.
    pub fn tokenize_with<R: Rules>(
        &mut self,
        raw: &str,
        range: Range<usize>,
        spans: &[SpanView<'_>],
        mut first: usize,
        rules: &R,
    ) {
        self.list.clear();
        self.lower.clear();
        let mut at = range.start;
        let mut clause: u16 = 0;
        let mut line_start = true;
        while at < range.end {
            // An entity here (or one that started before and reaches past here).
            while spans.get(first).is_some_and(|s| s.end <= at) {
                first += 1;
            }
            if let Some(span) = spans.get(first)
                && span.start <= at
            {
                self.list.push(Token {
                    range: at.max(span.start)..span.end.min(range.end),
                    kind: Kind::Entity(first),
                    lower: 0..0,
                    capital: true,
                    classes: 0,
                    clause,
                });
                first += 1;
                line_start = false;
                at = span.end;
                continue;
            }
            let c = raw[at..].chars().next().expect("in range");
            let len = c.len_utf8();
            if c.is_whitespace() {
                line_start |= c == '\n';
                at += len;
                continue;
            }
            let limit = spans
                .get(first)
                .map_or(range.end, |s| s.start.min(range.end));
            // How far to look after an apostrophe.
            let ahead = if R::NAME_APOSTROPHES {
                range.end
            } else {
                limit
            };
            let start = at;
            let lower_start = self.lower.len();
            if c.is_alphanumeric() {
                // A word: letters and digits, with hyphens or apostrophes inside; "'s" apart.
                let bytes = raw.as_bytes();
                let mut end = at + len;
                loop {
                    while end < limit && bytes[end].is_ascii_alphanumeric() {
                        end += 1;
                    }
                    let Some(ch) = raw[end..limit].chars().next() else {
                        break;
                    };
                    let after = end + ch.len_utf8();
                    if ch.is_alphanumeric() {
                        end = after;
                        continue;
                    }
                    let apostrophe = is_apostrophe::<R>(ch);
                    if apostrophe || (R::HYPHENATED_WORDS && matches!(ch, '-' | '\u{2011}')) {
                        let (next, possessive) = look_after(raw, after..ahead);
                        let goes_on = next.is_some_and(|n| {
                            if R::NAME_APOSTROPHES {
                                n.is_alphabetic()
                            } else {
                                n.is_alphanumeric()
                            }
                        });
                        if goes_on && !(apostrophe && possessive) {
                            end = after;
                            continue;
                        }
                    }
                    break;
                }
                let word = &raw[start..end];
                if word.is_ascii() {
                    self.lower.push_str(word);
                    self.lower[lower_start..].make_ascii_lowercase();
                } else {
                    for ch in word.chars() {
                        self.lower.push(match ch {
                            '\u{2019}' | '\u{2018}' => '\'',
                            '\u{2011}' => '-',
                            c => c.to_ascii_lowercase(),
                        });
                    }
                }
                self.push_word(
                    start..end,
                    lower_start,
                    c.is_uppercase(),
                    rules,
                    &mut clause,
                );
                line_start = false;
                at = end;
                continue;
            }
            if is_apostrophe::<R>(c) {
                let (_, possessive) = look_after(raw, at + len..ahead);
                if possessive {
                    // "'s": the apostrophe and the s.
                    self.lower.push_str("'s");
                    self.push_word(start..at + len + 1, lower_start, false, rules, &mut clause);
                    line_start = false;
                    at += len + 1;
                    continue;
                }
                let after_s = self.list.last().is_some_and(|t| {
                    t.range.end == at && t.kind != Kind::Punct && raw[..at].ends_with(['s', 'S'])
                });
                let before_word = raw[at + len..ahead].starts_with(char::is_alphanumeric);
                if R::NAME_APOSTROPHES && after_s && !before_word {
                    // "Hamas’ grip".
                    self.lower.push_str("'s");
                    self.push_word(start..at + len, lower_start, false, rules, &mut clause);
                    line_start = false;
                    at += len;
                    continue;
                }
            }
            at += len;
            let mark = if R::CLAUSES {
                match c {
                    ',' | ';' | ':' | '(' | ')' | '/' | '&' | '.' | '!' | '?' => c,
                    '-' | '*' | '\u{2022}' | '\u{25AA}' | '\u{00B7}' if line_start => '*',
                    '-' | '\u{2010}' | '\u{2011}' => '-',
                    '\u{2013}' | '\u{2014}' | '\u{2015}' => {
                        let spaced = raw[range.start..start].ends_with(char::is_whitespace)
                            || raw[at..range.end].starts_with(char::is_whitespace);
                        if spaced { '~' } else { '-' }
                    }
                    // Markdown emphasis and escapes: nothing.
                    '*' | '#' | '_' | '\\' => continue,
                    _ => '"',
                }
            } else {
                match c {
                    '\u{2013}' | '\u{2014}' | '\u{2012}' | '\u{2015}' => '-',
                    '\u{2018}' | '\u{2019}' => '\'',
                    '\u{201c}' | '\u{201d}' => '"',
                    c => c,
                }
            };
            if R::CLAUSES && matches!(mark, ';' | ':' | '~' | '*') {
                clause += 1;
            }
            self.lower.push(mark);
            self.list.push(Token {
                range: start..at,
                kind: Kind::Punct,
                lower: lower_start..self.lower.len(),
                capital: false,
                classes: 0,
                clause,
            });
            line_start = false;
        }
    }

    /// Pushes the word at `range` whose lowercase form starts at `lower_start` in the buffer,
    /// with its classes; a clause word opens a new clause.
    #[inline]
    fn push_word<R: Rules>(
        &mut self,
        range: Range<usize>,
        lower_start: usize,
        capital: bool,
        rules: &R,
        clause: &mut u16,
    ) {
        let mut classes = rules.classes(&self.lower[lower_start..]);
        if classes & R::CLAUSE_WORDS != 0 {
            *clause += 1;
            classes &= !R::CLAUSE_WORDS;
        }
        self.list.push(Token {
            range,
            kind: Kind::Word,
            lower: lower_start..self.lower.len(),
            capital,
            classes,
            clause: *clause,
        });
    }

    /// The tokens.
    #[inline]
    pub fn list(&self) -> &[Token] {
        &self.list
    }

    /// How many tokens there are.
    #[inline]
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there is no token.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The lowercase form of token `i` ("" for an entity or past the end).
    #[inline]
    pub fn word(&self, i: usize) -> &str {
        self.list
            .get(i)
            .map_or("", |t| &self.lower[t.lower.clone()])
    }

    /// Whether token `i` is one of `words` (lowercase).
    #[inline]
    pub fn is(&self, i: usize, words: &[&str]) -> bool {
        let w = self.word(i);
        !w.is_empty() && words.contains(&w)
    }

    /// The entity index of token `i`, if it is an entity.
    #[inline]
    pub fn entity(&self, i: usize) -> Option<usize> {
        self.list.get(i)?.entity()
    }

    /// The lowercase form of token `i` if it is punctuation: its character, or its class (see
    /// [`Rules::CLAUSES`]).
    #[inline]
    pub fn punct(&self, i: usize) -> Option<char> {
        let t = self.list.get(i)?;
        if t.kind == Kind::Punct {
            self.lower[t.lower.clone()].chars().next()
        } else {
            None
        }
    }

    /// The token index at or after byte offset `at`.
    pub fn at(&self, at: usize) -> usize {
        self.list.partition_point(|t| t.range.start < at)
    }
}

/// Whether `c` is an apostrophe under `R`.
#[inline]
fn is_apostrophe<R: Rules>(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}') || (R::NAME_APOSTROPHES && c == '\u{2018}')
}

/// After an apostrophe (or a hyphen) at the start of `raw[ahead]`: the next character, and
/// whether it is a possessive's s ("s" or "S" that no letter or digit follows).
#[inline]
fn look_after(raw: &str, ahead: Range<usize>) -> (Option<char>, bool) {
    let mut next = raw[ahead].chars();
    let n1 = next.next();
    let possessive =
        matches!(n1, Some('s' | 'S')) && !next.next().is_some_and(char::is_alphanumeric);
    (n1, possessive)
}

/// The value of an ordinal number written in words or digits: "31st", "thirty-first",
/// "thirty first" (as two words joined with `next`), "one hundred and ninety-third", "11th".
/// Returns the value and how many words it took, reading `words` from the first.
pub fn ordinal(words: &[&str]) -> Option<(u32, usize)> {
    let first = *words.first()?;
    // Digits with a suffix.
    let digits = first.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    if !digits.is_empty()
        && digits.len() < first.len()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        let suffix = &first[digits.len()..];
        return matches!(suffix, "st" | "nd" | "rd" | "th")
            .then(|| digits.parse().ok().map(|n| (n, 1)))
            .flatten();
    }
    // Words: a cardinal part ("one hundred and ninety") then an ordinal word ("third"); hyphens
    // split words ("thirty-first").
    // Most words asked about are no number at all: reject them before reading further.
    let head = first.split('-').next().unwrap_or(first);
    if !is_number_word(head) {
        return None;
    }
    // Read lazily, without allocating.
    let parts = words
        .iter()
        .enumerate()
        .take(6)
        .flat_map(|(i, w)| w.split('-').map(move |part| (part, i)));
    let mut total = 0u32;
    let mut current = 0u32;
    for (part, word_index) in parts {
        if let Some(n) = ORDINAL_UNITS.iter().position(|&u| u == part) {
            return Some((total + current + n as u32 + 1, word_index + 1));
        }
        if let Some(n) = ORDINAL_TEENS.iter().position(|&u| u == part) {
            return Some((total + current + n as u32 + 10, word_index + 1));
        }
        if let Some(n) = ORDINAL_TENS.iter().position(|&u| u == part) {
            return Some((total + current + (n as u32 + 2) * 10, word_index + 1));
        }
        match part {
            "hundredth" => return Some((total + current.max(1) * 100, word_index + 1)),
            "hundred" => current = current.max(1) * 100,
            "thousand" => {
                total += current.max(1) * 1000;
                current = 0;
            }
            "and" if current > 0 || total > 0 => {}
            _ => {
                if let Some(n) = CARDINAL_UNITS.iter().position(|&u| u == part) {
                    current += n as u32 + 1;
                } else if let Some(n) = CARDINAL_TEENS.iter().position(|&u| u == part) {
                    current += n as u32 + 10;
                } else if let Some(n) = CARDINAL_TENS.iter().position(|&u| u == part) {
                    current += (n as u32 + 2) * 10;
                } else {
                    return None;
                }
            }
        }
    }
    None
}

/// Whether `word` is one of the number words [`ordinal`] reads.
fn is_number_word(word: &str) -> bool {
    let lists: [&[&str]; 6] = [
        &ORDINAL_UNITS,
        &ORDINAL_TEENS,
        &ORDINAL_TENS,
        &CARDINAL_UNITS,
        &CARDINAL_TEENS,
        &CARDINAL_TENS,
    ];
    (3..=11).contains(&word.len())
        && (lists.iter().any(|l| l.contains(&word)) || word == "hundredth" || word == "hundred")
}

const ORDINAL_UNITS: [&str; 9] = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
];
const ORDINAL_TEENS: [&str; 10] = [
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
];
const ORDINAL_TENS: [&str; 8] = [
    "twentieth",
    "thirtieth",
    "fortieth",
    "fiftieth",
    "sixtieth",
    "seventieth",
    "eightieth",
    "ninetieth",
];
const CARDINAL_UNITS: [&str; 9] = [
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
const CARDINAL_TEENS: [&str; 10] = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const CARDINAL_TENS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn span(raw: &str, text: &str, kind: &'static str) -> SpanView<'static> {
        let start = raw.find(text).unwrap();
        SpanView {
            start,
            end: start + text.len(),
            kind,
            id: "X",
            label: "X",
            detail: None,
        }
    }

    #[test]
    fn entities_are_one_token_and_possessives_split() {
        let raw =
            "Finland\u{2019}s accession to NATO \u{2013} the thirty-first Ally, Iranian-backed.";
        let spans = [
            span(raw, "Finland", "country"),
            span(raw, "NATO", "organization"),
            span(raw, "Iranian", "country"),
        ];
        let mut t = Tokens::default();
        t.tokenize(raw, 0..raw.len(), &spans);
        let words: Vec<String> = (0..t.len())
            .map(|i| match t.entity(i) {
                Some(e) => format!("<{e}>"),
                None => t.word(i).to_string(),
            })
            .collect();
        assert_eq!(
            words,
            [
                "<0>",
                "'s",
                "accession",
                "to",
                "<1>",
                "-",
                "the",
                "thirty-first",
                "ally",
                ",",
                "<2>",
                "-",
                "backed",
                "."
            ]
        );
        assert_eq!(&raw[t.list()[7].range.clone()], "thirty-first");
    }

    /// Rules as `regional-threat` reads: hyphens apart, apostrophes as in names, clauses; "but"
    /// and "while" open a clause, "in" is a class, "'s" another.
    struct Clauses;

    const IN: u64 = 1;
    const POSSESSIVE: u64 = 2;
    const CLAUSE_WORD: u64 = 4;

    impl Rules for Clauses {
        const HYPHENATED_WORDS: bool = false;
        const NAME_APOSTROPHES: bool = true;
        const CLAUSES: bool = true;
        const CLAUSE_WORDS: u64 = CLAUSE_WORD;

        fn classes(&self, word: &str) -> u64 {
            match word {
                "in" => IN,
                "'s" => POSSESSIVE,
                "but" | "while" => CLAUSE_WORD | IN,
                _ => 0,
            }
        }
    }

    /// Each token with its clause: entities as `[index:text]`, possessives as `POSS`, other
    /// words as their text, punctuation as its class.
    fn clauses(raw: &str, spans: &[SpanView<'_>]) -> Vec<String> {
        let mut t = Tokens::default();
        t.tokenize_with(raw, 0..raw.len(), spans, 0, &Clauses);
        (0..t.len())
            .map(|i| {
                let tok = &t.list()[i];
                let text = &raw[tok.range.clone()];
                let shown = match tok.kind {
                    Kind::Entity(e) => format!("[{e}:{text}]"),
                    Kind::Word if tok.is(POSSESSIVE) => "POSS".to_string(),
                    Kind::Word => text.to_string(),
                    Kind::Punct => t.punct(i).expect("punctuation").to_string(),
                };
                format!("{shown}{}", tok.clause)
            })
            .collect()
    }

    #[test]
    fn rules_split_hyphens_read_possessives_and_cut_clauses() {
        let raw =
            "Iranian-backed Houthis hit Israel’s north; al-Qa'ida’s men — Hamas’ grip, but not";
        let spans = [
            span(raw, "Iranian", "country"),
            span(raw, "Houthis", "group"),
            span(raw, "Israel", "country"),
            span(raw, "al-Qa'ida", "group"),
            span(raw, "Hamas", "group"),
        ];
        assert_eq!(
            clauses(raw, &spans),
            [
                "[0:Iranian]0",
                "-0",
                "backed0",
                "[1:Houthis]0",
                "hit0",
                "[2:Israel]0",
                "POSS0",
                "north0",
                ";1",
                "[3:al-Qa'ida]1",
                "POSS1",
                "men1",
                "~2",
                "[4:Hamas]2",
                "POSS2",
                "grip2",
                ",2",
                "but3",
                "not3",
            ]
        );
        // A clause word keeps its other classes, not the clause bit.
        let mut t = Tokens::default();
        t.tokenize_with(raw, 0..raw.len(), &spans, 0, &Clauses);
        let but = t.list().iter().find(|t| t.clause == 3).unwrap();
        assert_eq!(but.classes, IN);
        // The plain reading keeps the hyphenated word and reads no lone possessive.
        t.tokenize(raw, 0..raw.len(), &spans);
        assert_eq!(t.word(2), "backed");
        assert_eq!(t.word(t.at(raw.find(" grip").unwrap()) - 1), "'");
    }

    #[test]
    fn rules_read_bullets_inner_apostrophes_and_left_quotes() {
        let raw = "Attacks:\n-   in Gaza and **Mali**\n* don't, Qa‘ida\u{2011}led, Iran‘s FY'24";
        assert_eq!(
            clauses(raw, &[]),
            [
                "Attacks0",
                ":1",
                "*2",
                "in2",
                "Gaza2",
                "and2",
                "Mali2",
                "*3",
                "don't3",
                ",3",
                "Qa‘ida3",
                "-3",
                "led3",
                ",3",
                "Iran3",
                "POSS3",
                "FY3",
                "\"3",
                "243"
            ]
        );
        let mut t = Tokens::default();
        t.tokenize_with(raw, 0..raw.len(), &[], 0, &Clauses);
        let qaida = t.at(raw.find("Qa").unwrap());
        assert_eq!(t.word(qaida), "qa'ida");
        assert_eq!(t.list()[qaida].classes, 0);
        assert_eq!(t.list()[t.at(raw.find("in").unwrap())].classes, IN);
    }

    #[test]
    fn entities_start_at_first_and_are_cut_to_the_range() {
        let raw = "Mali. Niger and Chad border";
        let spans = [
            span(raw, "Mali", "country"),
            span(raw, "Niger", "country"),
            span(raw, "Chad border", "region"),
        ];
        let range = raw.find("Niger").unwrap()..raw.find(" border").unwrap();
        let mut t = Tokens::default();
        t.tokenize_with(raw, range, &spans, 1, &Clauses);
        let read: Vec<(Option<usize>, &str)> = t
            .list()
            .iter()
            .map(|tok| (tok.entity(), &raw[tok.range.clone()]))
            .collect();
        assert_eq!(read, [(Some(1), "Niger"), (None, "and"), (Some(2), "Chad")]);
    }

    #[test]
    fn ordinals_in_words_and_digits() {
        type Reading = Option<(u32, usize)>;
        let cases: &[(&[&str], Reading)] = &[
            (&["31st", "ally"], Some((31, 1))),
            (&["thirty-second", "member"], Some((32, 1))),
            (&["thirty", "second", "member"], Some((32, 2))),
            (&["one", "hundred", "and", "ninety-third"], Some((193, 4))),
            (&["first"], Some((1, 1))),
            (&["eleventh", "member"], Some((11, 1))),
            (&["fortieth"], Some((40, 1))),
            (&["11th"], Some((11, 1))),
            (&["new", "member"], None),
            (&["thirty", "members"], None),
            (&["1st0"], None),
        ];
        for (words, want) in cases {
            assert_eq!(ordinal(words), *want, "{words:?}");
        }
    }
}
