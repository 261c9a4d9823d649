//! Shared helpers for the integration tests: the example communiqués and a rewritten copy.

#![allow(dead_code)] // Each test binary uses a different part.

use std::fs;
use std::path::PathBuf;

/// The file name of the sample communiqué.
pub const SAMPLE: &str = "coalition-ministerial-2021-06-28.txt";

/// `examples/communiques/`.
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/communiques")
}

/// Every `examples/communiques/*.txt` file as (file stem, text), sorted by name.
pub fn communiques() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(examples_dir())
        .expect("examples/communiques exists")
        .map(|e| e.expect("readable directory").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            let stem = p
                .file_stem()
                .expect("a name")
                .to_string_lossy()
                .into_owned();
            let text = fs::read_to_string(&p).expect("UTF-8 text");
            (stem, text)
        })
        .collect();
    files.sort();
    files
}

/// The sample communiqué's text.
pub fn sample() -> String {
    fs::read_to_string(examples_dir().join(SAMPLE)).expect("the sample exists")
}

/// Synonyms an aggregator's "spinner" might use.
const SYNONYMS: &[(&str, &str)] = &[
    ("Ministers", "officials"),
    ("welcomed", "applauded"),
    ("reaffirmed", "restated"),
    ("reaffirm", "restate"),
    ("Coalition", "alliance"),
    ("efforts", "endeavours"),
    ("support", "backing"),
    ("important", "significant"),
    ("continue", "keep"),
    ("threat", "danger"),
    ("forces", "troops"),
    ("security", "safety"),
    ("people", "persons"),
    ("areas", "regions"),
    ("committed", "pledged"),
    ("strong", "robust"),
    ("noted", "observed"),
    ("help", "assist"),
    ("also", "additionally"),
    ("enhance", "improve"),
    ("meeting", "gathering"),
    ("commitment", "pledge"),
    ("essential", "vital"),
    ("condemned", "denounced"),
];

/// A light rewrite of `text`, as an aggregator site would publish it: about 5% of the words
/// swapped for synonyms (spread evenly), the first line (the site's breadcrumb) replaced by the
/// aggregator's header, a footer added, and every line reflowed to 60 columns.
pub fn rewrite(text: &str) -> String {
    let body = text.split_once('\n').map_or(text, |(_, rest)| rest);
    let words: Vec<&str> = body.split_whitespace().collect();
    let mut swapped = 0;
    let mut out_words: Vec<String> = "WorldNewsWire | Home > Politics > Share this story"
        .split(' ')
        .map(str::to_owned)
        .collect();
    for (i, word) in words.iter().enumerate() {
        let synonym = SYNONYMS
            .iter()
            .find(|(from, _)| word.trim_end_matches(',') == *from);
        match synonym {
            Some((from, to)) if swapped * 20 < i + 1 => {
                swapped += 1;
                out_words.push(word.replacen(from, to, 1));
            }
            _ => out_words.push(word.to_string()),
        }
    }
    out_words.extend(
        "Copyright 2024 WorldNewsWire. All rights reserved. Subscribe for more stories."
            .split(' ')
            .map(str::to_owned),
    );
    let mut out = String::new();
    let mut line = 0;
    for w in &out_words {
        if line > 0 && line + w.len() > 60 {
            out.push_str("  \n");
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(w);
        line += w.len();
    }
    out
}
