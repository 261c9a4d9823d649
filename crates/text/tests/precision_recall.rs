//! Precision and recall of the bundled gazetteer on hand-labelled paragraphs.
//!
//! The fixtures (`tests/fixtures/entities/*.toml` at the workspace root, format and labelling
//! guideline in its README) hold paragraphs copied verbatim from `examples/communiques/` with
//! every country, region, organization and group mention labelled by hand. Each paragraph is
//! normalized and tagged with `Gazetteer::builtin()`; a prediction is correct when kind, id and
//! raw byte span all equal a label's. The test prints a table per kind (run with
//! `--nocapture`) and fails below the agreed floors.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use commwatch_core::{Communique, Origin};
use commwatch_text::{Gazetteer, Normalizer, Tagger};
use serde::Deserialize;

/// Kinds scored, with their (precision, recall) floors; `None` is reported only.
const FLOORS: [(&str, Option<(f64, f64)>); 4] = [
    ("country", Some((0.97, 0.95))),
    ("region", None),
    ("organization", Some((0.95, 0.90))),
    ("group", Some((0.95, 0.90))),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    source: String,
    text: String,
    mentions: Vec<(String, String, String)>,
}

/// (kind, id, start, end) in raw offsets of the paragraph.
type Key = (String, String, usize, usize);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The end of `words` matched at `at`, any run of whitespace standing for a space.
fn match_words(text: &str, at: usize, words: &[&str]) -> Option<usize> {
    let mut pos = at;
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            let gap = text[pos..].len() - text[pos..].trim_start().len();
            if gap == 0 {
                return None;
            }
            pos += gap;
        }
        if !text[pos..].starts_with(word) {
            return None;
        }
        pos += word.len();
    }
    Some(pos)
}

/// The next whole-word occurrence of `label` at or after `from`.
fn locate(text: &str, from: usize, label: &str) -> Option<(usize, usize)> {
    let words: Vec<&str> = label.split_whitespace().collect();
    let mut at = from;
    while at < text.len() {
        if let Some(end) = match_words(text, at, &words) {
            let before_ok = !text[..at].chars().next_back().is_some_and(is_word);
            let after_ok = !text[end..].chars().next().is_some_and(is_word);
            if before_ok && after_ok {
                return Some((at, end));
            }
        }
        at += text[at..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

#[test]
fn bundled_gazetteer_meets_precision_and_recall_floors() {
    let dir = workspace().join("tests/fixtures/entities");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "only {} fixtures", files.len());

    let tagger = Tagger::new(&Gazetteer::builtin()).expect("builtin gazetteer compiles");
    let normalizer = Normalizer::new();
    let mut counts: BTreeMap<&str, Counts> = FLOORS
        .iter()
        .map(|(k, _)| {
            (
                *k,
                Counts {
                    tp: 0,
                    fp: 0,
                    fn_: 0,
                },
            )
        })
        .collect();
    let mut errors = String::new();

    for path in &files {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let text = std::fs::read_to_string(path).expect("fixture is readable");
        let fixture: Fixture =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: bad fixture: {e}"));
        let source = workspace()
            .join("examples/communiques")
            .join(&fixture.source);
        let original = std::fs::read_to_string(&source)
            .unwrap_or_else(|e| panic!("{name}: cannot read {}: {e}", source.display()));
        assert!(
            original.contains(&fixture.text),
            "{name}: text is not a verbatim part of {}",
            fixture.source
        );
        let raw = fixture.text;

        // Gold spans, found in order.
        let mut gold: Vec<Key> = Vec::new();
        let mut from = 0;
        for (kind, id, label) in &fixture.mentions {
            assert!(
                counts.contains_key(kind.as_str()),
                "{name}: unknown kind {kind:?}"
            );
            let (start, end) = locate(&raw, from, label)
                .unwrap_or_else(|| panic!("{name}: mention {label:?} not found after byte {from}"));
            gold.push((kind.clone(), id.clone(), start, end));
            from = end;
        }

        // Predictions.
        let mut event = Communique::new(None, Origin::default(), raw.clone());
        event.normalized = Some(normalizer.normalize(&raw));
        tagger.tag_event(&mut event);
        let mut predicted: Vec<Key> = event
            .spans
            .iter()
            .filter(|s| counts.contains_key(&*s.kind))
            .map(|s| (s.kind.to_string(), s.id.to_string(), s.start, s.end))
            .collect();

        // Match as multisets.
        let mut unmatched_gold = Vec::new();
        for g in gold {
            match predicted.iter().position(|p| *p == g) {
                Some(i) => {
                    predicted.remove(i);
                    if let Some(c) = counts.get_mut(g.0.as_str()) {
                        c.tp += 1;
                    }
                }
                None => unmatched_gold.push(g),
            }
        }
        for (kind, id, s, e) in &unmatched_gold {
            if let Some(c) = counts.get_mut(kind.as_str()) {
                c.fn_ += 1;
            }
            let _ = writeln!(errors, "  FN {name}: {kind} {id} {:?}", &raw[*s..*e]);
        }
        for (kind, id, s, e) in &predicted {
            if let Some(c) = counts.get_mut(kind.as_str()) {
                c.fp += 1;
            }
            let _ = writeln!(errors, "  FP {name}: {kind} {id} {:?}", &raw[*s..*e]);
        }
    }

    let mut table = format!(
        "\n{} fixtures\n{:<13} {:>5} {:>5} {:>5} {:>9} {:>7}\n",
        files.len(),
        "kind",
        "TP",
        "FP",
        "FN",
        "precision",
        "recall"
    );
    for (kind, _) in FLOORS {
        let c = &counts[kind];
        let _ = writeln!(
            table,
            "{kind:<13} {:>5} {:>5} {:>5} {:>9.3} {:>7.3}",
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall()
        );
    }
    println!("{table}");
    if !errors.is_empty() {
        println!("errors:\n{errors}");
    }

    for (kind, floor) in FLOORS {
        let Some((p, r)) = floor else { continue };
        let c = &counts[kind];
        assert!(
            c.precision() >= p && c.recall() >= r,
            "{kind}: precision {:.3} (floor {p}), recall {:.3} (floor {r}){table}\n{errors}",
            c.precision(),
            c.recall()
        );
    }
}
