//! The words of a sentence, with each entity the tagging stage found as one token.
//!
//! A word is a run of letters and digits (an apostrophe between two letters stays inside:
//! "Qa'ida"); its classes come from the lexicon, looked up in lowercase. The possessive "'s" (or
//! "’s") is a token of its own, and so is a lone apostrophe after a name ending in s ("Hamas’
//! grip"). Punctuation is a token; whitespace is not. Each token carries the number of its clause:
//! a clause ends at `;`, `:`, a spaced dash, a bullet at the start of a line, and at the words of
//! the `clause_word` list ("while", "but").

use crate::lexicon::{Lexicon, class};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A word, with its classes.
    Word(u64),
    /// An entity: its index in the document's entity list.
    Entity(usize),
    /// Punctuation: `,` `;` `:` `(` `)` `-` `/` `&` `"` `.` `!` `?`, `~` for a dash that
    /// separates (em or en dash), `*` for a bullet.
    Punct(u8),
}

/// One token of a sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tok {
    /// Byte offsets into the document.
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// The number of its clause in the sentence.
    pub clause: u16,
}

impl Tok {
    /// The classes of a word (0 for other tokens).
    #[inline]
    pub fn bits(&self) -> u64 {
        match self.kind {
            Kind::Word(bits) => bits,
            _ => 0,
        }
    }

    #[inline]
    pub fn is(&self, mask: u64) -> bool {
        self.bits() & mask != 0
    }

    #[inline]
    pub fn entity(&self) -> Option<usize> {
        match self.kind {
            Kind::Entity(i) => Some(i),
            _ => None,
        }
    }

    #[inline]
    pub fn punct(&self) -> Option<u8> {
        match self.kind {
            Kind::Punct(p) => Some(p),
            _ => None,
        }
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}')
}

/// Appends the tokens of `raw[range]` to `out` (cleared first). `entities` are the document's
/// entities as (start, end), sorted by start, none inside another; `first` is the index of the
/// first that may lie in the range. `lower` is a reused buffer.
pub(crate) fn tokenize(
    raw: &str,
    range: std::ops::Range<usize>,
    entities: &[(usize, usize)],
    mut first: usize,
    lexicon: &Lexicon,
    lower: &mut String,
    out: &mut Vec<Tok>,
) {
    out.clear();
    let text = &raw[range.clone()];
    let base = range.start;
    let mut clause: u16 = 0;
    let mut line_start = true;
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        let at = base + i;
        // An entity starting here (or one that started before and reaches past here).
        while first < entities.len() && entities[first].1 <= at {
            first += 1;
        }
        if let Some(&(start, end)) = entities.get(first)
            && start <= at
        {
            out.push(Tok {
                start: at.max(start),
                end: end.min(range.end),
                kind: Kind::Entity(first),
                clause,
            });
            first += 1;
            line_start = false;
            while chars.peek().is_some_and(|&(j, _)| base + j < end) {
                chars.next();
            }
            continue;
        }
        let next_entity = entities.get(first).map_or(usize::MAX, |e| e.0);
        if c.is_whitespace() {
            if c == '\n' {
                line_start = true;
            }
            chars.next();
            continue;
        }
        if c.is_alphanumeric() {
            let mut end = i;
            lower.clear();
            while let Some(&(j, d)) = chars.peek() {
                if base + j >= next_entity {
                    break;
                }
                if d.is_alphanumeric() {
                    lower.push(d.to_ascii_lowercase());
                    end = j + d.len_utf8();
                    chars.next();
                    continue;
                }
                // An apostrophe between letters stays in the word, except before a final "s".
                if is_apostrophe(d) {
                    let rest = &text[j + d.len_utf8()..];
                    let mut after = rest.chars();
                    let (n1, n2) = (after.next(), after.next());
                    let possessive =
                        matches!(n1, Some('s' | 'S')) && !n2.is_some_and(char::is_alphanumeric);
                    if n1.is_some_and(char::is_alphabetic) && !possessive {
                        lower.push('\'');
                        end = j + d.len_utf8();
                        chars.next();
                        continue;
                    }
                }
                break;
            }
            let mut bits = lexicon.classes(lower);
            if bits & class::CLAUSE_WORD != 0 {
                clause += 1;
                bits &= !class::CLAUSE_WORD;
            }
            out.push(Tok {
                start: at,
                end: base + end,
                kind: Kind::Word(bits),
                clause,
            });
            line_start = false;
            continue;
        }
        chars.next();
        let len = c.len_utf8();
        if is_apostrophe(c) {
            let rest = &text[i + len..];
            let mut after = rest.chars();
            let (n1, n2) = (after.next(), after.next());
            if matches!(n1, Some('s' | 'S')) && !n2.is_some_and(char::is_alphanumeric) {
                chars.next();
                out.push(Tok {
                    start: at,
                    end: at + len + 1,
                    kind: Kind::Word(class::POSSESSIVE),
                    clause,
                });
                line_start = false;
                continue;
            }
            let after_s = out.last().is_some_and(|t| {
                t.end == at && raw[..t.end].ends_with(['s', 'S']) && t.punct().is_none()
            });
            let kind = if after_s && !n1.is_some_and(char::is_alphanumeric) {
                Kind::Word(class::POSSESSIVE)
            } else {
                Kind::Punct(b'"')
            };
            out.push(Tok {
                start: at,
                end: at + len,
                kind,
                clause,
            });
            line_start = false;
            continue;
        }
        let p = match c {
            ',' | ';' | ':' | '(' | ')' | '/' | '&' | '.' | '!' | '?' => c as u8,
            '-' | '*' | '\u{2022}' | '\u{25AA}' | '\u{00B7}' if line_start => b'*',
            '-' | '\u{2010}' | '\u{2011}' => b'-',
            '\u{2013}' | '\u{2014}' | '\u{2015}' => {
                let spaced = text[..i].ends_with(char::is_whitespace)
                    || text[i + len..].starts_with(char::is_whitespace);
                if spaced { b'~' } else { b'-' }
            }
            '*' | '#' | '_' | '\\' => {
                // Markdown emphasis and escapes: nothing.
                continue;
            }
            _ => b'"',
        };
        if matches!(p, b';' | b':' | b'~' | b'*') {
            clause += 1;
        }
        out.push(Tok {
            start: at,
            end: at + len,
            kind: Kind::Punct(p),
            clause,
        });
        line_start = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::LEXICON;

    fn show(raw: &str, entities: &[(usize, usize)]) -> Vec<String> {
        let lexicon = Lexicon::parse(LEXICON).unwrap();
        let mut out = Vec::new();
        tokenize(
            raw,
            0..raw.len(),
            entities,
            0,
            &lexicon,
            &mut String::new(),
            &mut out,
        );
        out.iter()
            .map(|t| {
                let text = &raw[t.start..t.end];
                match t.kind {
                    Kind::Word(b) if b & class::POSSESSIVE != 0 => format!("POSS{}", t.clause),
                    Kind::Word(_) => format!("{text}{}", t.clause),
                    Kind::Entity(i) => format!("[{i}:{text}]{}", t.clause),
                    Kind::Punct(p) => format!("{}{}", p as char, t.clause),
                }
            })
            .collect()
    }

    #[test]
    fn entities_words_possessives_and_clauses() {
        let raw =
            "Iranian-backed Houthis hit Israel’s north; al-Qa'ida’s men — Hamas’ grip, but not";
        let find = |s: &str| {
            let start = raw.find(s).unwrap();
            (start, start + s.len())
        };
        let entities = [
            find("Iranian"),
            find("Houthis"),
            find("Israel"),
            find("al-Qa'ida"),
            find("Hamas"),
        ];
        assert_eq!(
            show(raw, &entities),
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
    }

    #[test]
    fn bullets_and_inner_apostrophes() {
        let raw = "Attacks:\n-   in Gaza and **Mali**\n* don't";
        assert_eq!(
            show(raw, &[]),
            [
                "Attacks0", ":1", "*2", "in2", "Gaza2", "and2", "Mali2", "*3", "don't3"
            ]
        );
    }
}
