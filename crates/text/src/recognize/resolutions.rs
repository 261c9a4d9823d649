//! UN resolutions: "UN Security Council Resolution 2254", "UNSCR 2254", "resolutions 2254 and
//! 2379", "Resolution 2254 (2015)", "S/RES/2254" → `S/RES/2254`; "General Assembly resolution
//! 76/262", "A/RES/76/262" → `A/RES/76/262`.
//!
//! Rules:
//!
//! - A resolution is a head ("resolution(s)" in any case, optionally followed by "No."; "UNSCR",
//!   "UNSCRs"; "S/RES/") and a number of one to four digits, without a leading zero, not
//!   followed by another digit, a letter, or a decimal or thousands separator and a digit. Five
//!   digits and more are not resolution numbers.
//! - A year in parentheses after the number ("(2015)") is part of the span and becomes its
//!   `detail`.
//! - After a plural head, a list continues with ", ", " and " or ", and " and another number:
//!   each number is its own span (the first span starts at the head).
//! - The body is decided by the five words before a "resolution" head: "Assembly" or "UNGA"
//!   makes a General Assembly resolution (`A/RES/…`); "Security" or "UNSC" (also in a spun
//!   "UN Security Authorities") a Security Council one; words of other bodies ("House",
//!   "Senate", "Congress", "Board", "Parliament", "Commission", "Rights", …) make it none of
//!   ours; otherwise a bare "resolution 2254" is a Security Council resolution.
//! - "N/M" numbers ("resolution 76/262") are General Assembly resolutions only with a General
//!   Assembly word before them (the Human Rights Council numbers its resolutions the same way).
//! - The span starts at the head, so "UN Security Council" before "Resolution 2254" stays a
//!   separate organization span.

use regex::Regex;

use super::Recognized;

/// The span kind of resolutions.
pub const RESOLUTION_KIND: &str = "resolution";

/// Words that, before "resolution", name a body whose resolutions are not the UN's.
const OTHER_BODIES: &[&str] = &[
    "house",
    "senate",
    "concurrent",
    "joint",
    "congress",
    "congressional",
    "board",
    "parliament",
    "parliamentary",
    "commission",
    "conference",
    "rights",
    "governors",
    "executive",
    "wha",
    "european",
    "oas",
    "council's",
    "legislative",
    "city",
    "county",
    "shareholder",
];

/// The UN resolution recognizer.
#[derive(Clone, Debug)]
pub struct Resolutions {
    head: Regex,
    ga_symbol: Regex,
}

impl Default for Resolutions {
    fn default() -> Resolutions {
        Resolutions::new()
    }
}

enum Body {
    SecurityCouncil,
    GeneralAssembly,
}

impl Resolutions {
    /// The recognizer.
    pub fn new() -> Resolutions {
        // Both patterns are constants covered by tests.
        let build = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("bad pattern {p}: {e}"));
        Resolutions {
            head: build(
                r"\b(?:(?P<unscr>UNSCRs?)[ ]?|(?P<symbol>S/RES/)|(?P<word>(?i:resolution)(?P<plural>(?i:s))?)[ ](?:(?i:nos?\.?)[ ]?)?)(?P<num>[0-9]+)",
            ),
            ga_symbol: build(r"\bA/RES/(?P<session>[0-9]{1,3})/(?P<num>[0-9]{1,4})\b"),
        }
    }

    /// Appends the resolutions found in `text`, ordered by start.
    pub fn find(&self, text: &str, out: &mut Vec<Recognized>) {
        let first = out.len();
        for m in self.ga_symbol.captures_iter(text) {
            let (Some(all), Some(session), Some(num)) =
                (m.get(0), m.name("session"), m.name("num"))
            else {
                continue;
            };
            out.push(ga(
                all.start(),
                all.end(),
                session.as_str(),
                num.as_str(),
                None,
            ));
        }
        for m in self.head.captures_iter(text) {
            let (Some(all), Some(num)) = (m.get(0), m.name("num")) else {
                continue;
            };
            let plural = m.name("plural").is_some()
                || m.name("unscr").is_some_and(|u| u.as_str().ends_with('s'));
            let body = if m.name("word").is_some() {
                match body_before(&text[..all.start()]) {
                    Some(body) => body,
                    None => continue,
                }
            } else {
                Body::SecurityCouncil
            };
            let rest = &text[num.end()..];
            // "76/262": a General Assembly session and number.
            if let Some(after_slash) = rest.strip_prefix('/') {
                let digits = leading_digits(after_slash);
                if matches!(body, Body::GeneralAssembly)
                    && m.name("word").is_some()
                    && (1..=4).contains(&digits.len())
                    && num.as_str().len() <= 3
                {
                    let end = num.end() + 1 + digits.len();
                    out.push(ga(all.start(), end, num.as_str(), digits, None));
                }
                continue;
            }
            let Some((end, year)) = number_end(text, num.start(), num.end()) else {
                continue;
            };
            out.push(resolution(&body, all.start(), end, num.as_str(), year));
            if !plural {
                continue;
            }
            let mut at = end;
            while let Some((start, num_end)) = list_item(text, at) {
                let Some((end, year)) = number_end(text, start, num_end) else {
                    break;
                };
                out.push(resolution(&body, start, end, &text[start..num_end], year));
                at = end;
            }
        }
        out[first..].sort_by_key(|r| r.start);
        // Drop overlaps (an "A/RES/…" symbol inside a "resolution" match).
        let mut kept_end = 0;
        let mut i = first;
        while i < out.len() {
            if out[i].start < kept_end {
                out.remove(i);
            } else {
                kept_end = out[i].end;
                i += 1;
            }
        }
    }
}

/// Which body's resolution a "resolution" word starts, from the five words before it.
fn body_before(before: &str) -> Option<Body> {
    let words: Vec<String> = before
        .split(|c: char| c.is_whitespace())
        .rev()
        .filter(|w| !w.is_empty())
        .take(5)
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                .to_lowercase()
        })
        .collect();
    let has = |w: &str| words.iter().any(|x| x == w);
    if has("assembly") || has("unga") {
        Some(Body::GeneralAssembly)
    } else if has("security") || has("unsc") {
        Some(Body::SecurityCouncil)
    } else if words.iter().any(|w| OTHER_BODIES.contains(&w.as_str())) {
        None
    } else {
        Some(Body::SecurityCouncil)
    }
}

fn leading_digits(s: &str) -> &str {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    &s[..n]
}

/// Checks the number at `start..end` and returns the span end (with a "(YYYY)" after it) and
/// the year, or `None` when it is no resolution number.
fn number_end(text: &str, start: usize, end: usize) -> Option<(usize, Option<String>)> {
    let digits = &text[start..end];
    if digits.is_empty() || digits.len() > 4 || digits.starts_with('0') {
        return None;
    }
    let rest = &text[end..];
    let mut chars = rest.chars();
    match chars.next() {
        Some(c) if c.is_alphanumeric() || c == '_' => return None,
        Some('.' | ',') if chars.next().is_some_and(|c| c.is_ascii_digit()) => return None,
        _ => {}
    }
    let trimmed = rest.trim_start_matches(' ');
    if let Some(inner) = trimmed.strip_prefix('(') {
        let year = leading_digits(inner);
        if year.len() == 4 && inner[4..].starts_with(')') {
            let span_end = end + (rest.len() - trimmed.len()) + 1 + 4 + 1;
            return Some((span_end, Some(year.to_owned())));
        }
    }
    Some((end, None))
}

/// The next number of a list after `at`: ", 2379", " and 2379", ", and 2379".
fn list_item(text: &str, at: usize) -> Option<(usize, usize)> {
    let rest = &text[at..];
    let after = [", and ", ", ", " and ", " & "]
        .iter()
        .find_map(|sep| rest.strip_prefix(sep))?;
    let digits = leading_digits(after);
    if digits.is_empty() {
        return None;
    }
    let start = at + (rest.len() - after.len());
    Some((start, start + digits.len()))
}

fn resolution(
    body: &Body,
    start: usize,
    end: usize,
    num: &str,
    year: Option<String>,
) -> Recognized {
    match body {
        Body::SecurityCouncil => Recognized {
            start,
            end,
            kind: RESOLUTION_KIND,
            id: format!("S/RES/{num}"),
            label: format!("UN Security Council resolution {num}"),
            detail: year,
        },
        Body::GeneralAssembly => Recognized {
            start,
            end,
            kind: RESOLUTION_KIND,
            id: format!("A/RES/{num}"),
            label: format!("UN General Assembly resolution {num}"),
            detail: year,
        },
    }
}

fn ga(start: usize, end: usize, session: &str, num: &str, year: Option<String>) -> Recognized {
    Recognized {
        start,
        end,
        kind: RESOLUTION_KIND,
        id: format!("A/RES/{session}/{num}"),
        label: format!("UN General Assembly resolution {session}/{num}"),
        detail: year,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        Resolutions::new().find(text, &mut out);
        out.into_iter()
            .map(|r| (r.id, text[r.start..r.end].to_owned()))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn finds_security_council_resolutions() {
        assert_eq!(
            found("the parameters of UN Security Council Resolution 2254. Also UNSCR 2254."),
            pairs(&[
                ("S/RES/2254", "Resolution 2254"),
                ("S/RES/2254", "UNSCR 2254")
            ])
        );
        assert_eq!(
            found("in accordance with UN Security Authorities Resolution 2254."),
            pairs(&[("S/RES/2254", "Resolution 2254")])
        );
        assert_eq!(
            found("consistent with resolution 2254 and Resolution 2254 (2015) and S/RES/2254"),
            pairs(&[
                ("S/RES/2254", "resolution 2254"),
                ("S/RES/2254", "Resolution 2254 (2015)"),
                ("S/RES/2254", "S/RES/2254"),
            ])
        );
        assert_eq!(
            found("Resolution 2036 of February 22, 2012, and Resolution 2002 of July 29, 2011"),
            pairs(&[
                ("S/RES/2036", "Resolution 2036"),
                ("S/RES/2002", "Resolution 2002")
            ])
        );
    }

    #[test]
    fn splits_lists() {
        assert_eq!(
            found("under resolutions 2254 and 2379."),
            pairs(&[("S/RES/2254", "resolutions 2254"), ("S/RES/2379", "2379")])
        );
        assert_eq!(
            found("resolutions 1267 (1999), 1989 (2011) and 2253 (2015) apply"),
            pairs(&[
                ("S/RES/1267", "resolutions 1267 (1999)"),
                ("S/RES/1989", "1989 (2011)"),
                ("S/RES/2253", "2253 (2015)"),
            ])
        );
        // A singular head takes one number.
        assert_eq!(
            found("resolution 2254, 12 members"),
            pairs(&[("S/RES/2254", "resolution 2254")])
        );
    }

    #[test]
    fn keeps_other_numbers_out() {
        assert!(found("resolution 76/262 and resolution 12345 and resolution 1,000").is_empty());
        assert!(found("House Resolution 123 and Senate resolution 45").is_empty());
        assert!(found("the War Powers Resolution (Public Law 93-148)").is_empty());
        assert!(found("resolution 0254 and resolution 2254th").is_empty());
        assert_eq!(
            found("General Assembly resolution 76/262 and A/RES/77/1"),
            pairs(&[
                ("A/RES/76/262", "resolution 76/262"),
                ("A/RES/77/1", "A/RES/77/1"),
            ])
        );
        assert_eq!(
            found("General Assembly resolution 2758"),
            pairs(&[("A/RES/2758", "resolution 2758")])
        );
    }

    #[test]
    fn year_is_the_detail() {
        let mut out = Vec::new();
        Resolutions::new().find("UNSCR 2254 (2015)", &mut out);
        assert_eq!(out.first().and_then(|r| r.detail.as_deref()), Some("2015"));
        assert_eq!(
            out.first().map(|r| r.label.as_str()),
            Some("UN Security Council resolution 2254")
        );
    }
}
