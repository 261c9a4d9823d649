//! Rule test files: example texts with the rules that must and must not fire on them.
//!
//! Analysts keep a `*.tests.toml` file beside each rule file (`default.toml` →
//! `default.tests.toml`). Each `[[case]]` is a short text, the entities a tagger would find in
//! it, and expectations; [`run_tests`] builds an event per case the way the pipeline would (with
//! a folded copy of the text, entity spans and sentences), evaluates the rule set and reports each
//! case as passed or failed, with reasons. The format is described in `docs/rules.md`.

use std::collections::BTreeMap;
use std::fmt;

use commwatch_core::{Communique, NormalizedText, OffsetMap, Origin, Span, TextRange};
use serde::Deserialize;

use crate::error::RuleError;
use crate::eval::Scratch;
use crate::fold::fold;
use crate::literals::is_word_char;
use crate::ruleset::RuleSet;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    case: Vec<CaseSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    name: String,
    text: String,
    #[serde(default)]
    entities: Vec<String>,
    #[serde(default = "yes")]
    sentences: bool,
    title: Option<String>,
    language: Option<String>,
    source: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    #[serde(default)]
    expect: Vec<String>,
    #[serde(default)]
    forbid: Vec<String>,
    #[serde(default)]
    labels: BTreeMap<String, BTreeMap<String, String>>,
}

fn yes() -> bool {
    true
}

/// The outcome of one test case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// True when every expectation held.
    pub passed: bool,
    /// The rules that fired, in file order.
    pub fired: Vec<String>,
    /// Why the case failed, one line per broken expectation (empty when it passed).
    pub problems: Vec<String>,
}

/// The outcome of a test file; its `Display` is a pass/fail table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestReport {
    /// Where the test file came from.
    pub origin: String,
    /// One result per case, in file order.
    pub cases: Vec<CaseResult>,
    /// Enabled rules that no case expects to fire.
    pub untested: Vec<String>,
}

impl TestReport {
    /// True when every case passed.
    pub fn passed(&self) -> bool {
        self.cases.iter().all(|c| c.passed)
    }

    /// Number of failed cases.
    pub fn failed(&self) -> usize {
        self.cases.iter().filter(|c| !c.passed).count()
    }
}

impl fmt::Display for TestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for case in &self.cases {
            let status = if case.passed { "PASS" } else { "FAIL" };
            writeln!(f, "{status}  {}", case.name)?;
            if !case.passed {
                for problem in &case.problems {
                    writeln!(f, "        {problem}")?;
                }
                let fired = if case.fired.is_empty() {
                    "nothing".to_string()
                } else {
                    case.fired.join(", ")
                };
                writeln!(f, "        fired: {fired}")?;
            }
        }
        let failed = self.failed();
        writeln!(
            f,
            "{}: {} cases, {} passed, {} failed",
            self.origin,
            self.cases.len(),
            self.cases.len() - failed,
            failed
        )?;
        if !self.untested.is_empty() {
            writeln!(
                f,
                "rules no case expects to fire: {}",
                self.untested.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Runs the cases of a rule test file (TOML text; `origin` names it in errors and the report)
/// against `rules`. A malformed file (bad TOML, an unknown rule id, an entity whose text does not
/// occur) is an error; cases whose expectations fail are reported, not errors. Does not count
/// towards [`RuleSet::hit_counts`].
pub fn run_tests(rules: &RuleSet, cases_toml: &str, origin: &str) -> Result<TestReport, RuleError> {
    let file: CaseFile = toml::from_str(cases_toml).map_err(|source| RuleError::Parse {
        origin: origin.to_string(),
        source,
    })?;
    let mut scratch = Scratch::default();
    let mut cases = Vec::new();
    let mut expected: Vec<&str> = Vec::new();
    for (i, spec) in file.case.iter().enumerate() {
        let case_name = if spec.name.is_empty() {
            format!("#{}", i + 1)
        } else {
            spec.name.clone()
        };
        let error = |problem: String| RuleError::Test {
            origin: origin.to_string(),
            case: case_name.clone(),
            problem,
        };
        let known = |id: &str, field: &str| match rules.rule(id) {
            Some(_) => Ok(()),
            None => Err(error(format!("{field}: unknown rule {id:?}"))),
        };
        for id in &spec.expect {
            known(id, "expect")?;
        }
        for id in &spec.forbid {
            known(id, "forbid")?;
            if spec.expect.contains(id) {
                return Err(error(format!("rule {id:?} is both expected and forbidden")));
            }
        }
        for id in spec.labels.keys() {
            known(id, "labels")?;
        }
        expected.extend(spec.expect.iter().map(String::as_str));
        expected.extend(spec.labels.keys().map(String::as_str));
        let event = case_event(spec).map_err(error)?;

        let alerts = rules.evaluate_uncounted(&event, &mut scratch);
        let fired: Vec<String> = alerts.iter().map(|a| a.rule.clone()).collect();
        let mut problems = Vec::new();
        let must_fire = spec
            .expect
            .iter()
            .chain(spec.labels.keys().filter(|id| !spec.expect.contains(id)));
        for id in must_fire {
            if !fired.contains(id) {
                let disabled = rules.rule(id).is_some_and(|r| !r.is_enabled());
                problems.push(format!(
                    "expected `{id}` to fire{}",
                    if disabled {
                        " (the rule is disabled)"
                    } else {
                        ""
                    }
                ));
            }
        }
        for id in &spec.forbid {
            if let Some(alert) = alerts.iter().find(|a| &a.rule == id) {
                problems.push(format!("`{id}` fired but is forbidden: {}", alert.summary));
            }
        }
        for (id, want) in &spec.labels {
            let Some(alert) = alerts.iter().find(|a| &a.rule == id) else {
                continue;
            };
            for (name, value) in want {
                match alert.labels.get(name) {
                    Some(got) if got == value => {}
                    Some(got) => problems.push(format!(
                        "`{id}` label `{name}` is {got:?}, expected {value:?}"
                    )),
                    None => problems.push(format!("`{id}` has no label `{name}`")),
                }
            }
        }
        cases.push(CaseResult {
            name: case_name,
            passed: problems.is_empty(),
            fired,
            problems,
        });
    }
    let untested = rules
        .rules()
        .iter()
        .filter(|r| r.is_enabled() && !expected.contains(&r.id()))
        .map(|r| r.id().to_string())
        .collect();
    Ok(TestReport {
        origin: origin.to_string(),
        cases,
        untested,
    })
}

/// The event for a case: raw text, identity normalization with a folded copy, entity spans on
/// every whole-word occurrence of their text, and sentences.
fn case_event(spec: &CaseSpec) -> Result<Communique, String> {
    let raw = spec.text.clone();
    let mut event = Communique::new(
        Some(spec.name.clone()),
        Origin {
            name: spec.source.clone().unwrap_or_else(|| "test".to_string()),
            uri: None,
        },
        raw.clone(),
    );
    event.title = spec.title.clone();
    event.language = spec.language.clone();
    event.metadata = spec.metadata.clone();
    event.normalized = Some(NormalizedText {
        map: OffsetMap::identity(raw.len()),
        folded: Some(fold(&raw)),
        text: raw.clone(),
    });
    for entity in &spec.entities {
        let parsed = entity
            .split_once(':')
            .and_then(|(kind, rest)| rest.split_once('@').map(|(id, text)| (kind, id, text)))
            .filter(|(kind, id, text)| !kind.is_empty() && !id.is_empty() && !text.is_empty());
        let Some((kind, id, text)) = parsed else {
            return Err(format!(
                "entity {entity:?}: expected \"kind:id@text\", like \"country:ML@Mali\""
            ));
        };
        let before = event.spans.len();
        for (start, _) in raw.match_indices(text) {
            let end = start + text.len();
            let clear_before = !raw[..start].chars().next_back().is_some_and(is_word_char);
            let clear_after = !raw[end..].chars().next().is_some_and(is_word_char);
            if clear_before && clear_after {
                event.spans.push(Span {
                    kind: kind.into(),
                    id: id.into(),
                    label: text.into(),
                    start,
                    end,
                    detail: None,
                });
            }
        }
        if event.spans.len() == before {
            return Err(format!(
                "entity {entity:?}: {text:?} does not occur in the text as whole words"
            ));
        }
    }
    event.spans.sort_by_key(|s| (s.start, s.end));
    if spec.sentences {
        event.sentences = split_sentences(&raw);
    }
    Ok(event)
}

/// Sentences end after `.`, `!` or `?` followed by whitespace, and at line breaks; leading
/// whitespace is not part of a sentence.
fn split_sentences(text: &str) -> Vec<TextRange> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    let push = |s: usize, e: usize, out: &mut Vec<TextRange>| {
        let piece = &text[s..e];
        let lead = piece.len() - piece.trim_start().len();
        let trimmed_end = s + piece.trim_end().len();
        if s + lead < trimmed_end {
            out.push(TextRange::from((s + lead, trimmed_end)));
        }
    };
    while let Some((i, c)) = chars.next() {
        let end_here = match c {
            '\n' => Some(i),
            '.' | '!' | '?' => chars
                .peek()
                .filter(|(_, next)| next.is_whitespace())
                .map(|_| i + 1),
            _ => None,
        };
        if let Some(end) = end_here {
            push(start, end, &mut out);
            start = end;
        }
    }
    push(start, text.len(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_on_terminators_and_lines() {
        let text = "First one. Second? Third!\nFourth 3.5 stays. ";
        let got: Vec<&str> = split_sentences(text)
            .iter()
            .map(|r| &text[r.start..r.end])
            .collect();
        assert_eq!(
            got,
            ["First one.", "Second?", "Third!", "Fourth 3.5 stays."]
        );
    }
}
