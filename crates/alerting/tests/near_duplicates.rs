//! Near-duplicate detection on the example communiqués: a spun copy of the sample merges with it,
//! distinct documents do not, and the default distance keeps its margins.

mod support;

use commwatch_alerting::NearDuplicates;
use commwatch_alerting::neardup::{DEFAULT_MAX_DISTANCE, MAX_DISTANCE_LIMIT, hamming, simhash};

#[test]
fn a_rewritten_copy_of_the_sample_merges_with_it() {
    let sample = support::sample();
    let copy = support::rewrite(&sample);
    assert_ne!(sample, copy);
    let distance = hamming(simhash(&sample), simhash(&copy));
    assert!(
        distance + 8 <= DEFAULT_MAX_DISTANCE,
        "the copy should lie well within the default distance: {distance}"
    );

    let mut nd = NearDuplicates::default();
    assert_eq!(nd.check_and_insert("sample", &sample), None);
    assert_eq!(
        nd.check_and_insert("copy", &copy),
        Some("sample".to_owned())
    );
    // Folded (lowercased) text, as the alerting step passes it, gives the same answer.
    assert_eq!(
        nd.check_and_insert("copy-folded", &copy.to_lowercase()),
        Some("sample".to_owned())
    );
}

#[test]
fn no_other_example_merges_with_the_sample() {
    let sample = support::sample();
    let others: Vec<(String, String)> = support::communiques()
        .into_iter()
        .filter(|(name, _)| format!("{name}.txt") != support::SAMPLE)
        .collect();
    assert_eq!(others.len(), 40);
    let s = simhash(&sample);
    for (name, text) in &others {
        let mut nd = NearDuplicates::default();
        assert_eq!(nd.check_and_insert("sample", &sample), None);
        assert_eq!(nd.check_and_insert(name, text), None, "{name}");
        let distance = hamming(s, simhash(text));
        assert!(
            distance >= DEFAULT_MAX_DISTANCE + 15,
            "{name} lies at {distance}, too close to the sample"
        );
    }
}

#[test]
fn among_the_examples_only_the_two_war_powers_reports_merge() {
    // The 2022 and 2024 War Powers reports share 58% of their 3-word shingles (the same template
    // letter): by text they are near-duplicates. Everything else stays apart, even at the largest
    // distance: the resemblance check keeps distinct statements apart.
    for distance in [DEFAULT_MAX_DISTANCE, MAX_DISTANCE_LIMIT] {
        let mut nd = NearDuplicates::new(distance, 100);
        let merged: Vec<(String, String)> = support::communiques()
            .into_iter()
            .filter_map(|(name, text)| nd.check_and_insert(&name, &text).map(|first| (name, first)))
            .collect();
        assert_eq!(
            merged,
            [(
                "wh-2024-12-06-war-powers-report".to_owned(),
                "wh-2022-12-08-war-powers-report".to_owned()
            )],
            "distance {distance}"
        );
    }
}

/// A crude spin of `text`: every 20th word (from `offset`) replaced by a new token, a header and a
/// footer added.
fn spin(text: &str, offset: usize) -> String {
    let body = text.split_once('\n').map_or(text, |(_, rest)| rest);
    let words = body
        .split_whitespace()
        .enumerate()
        .map(|(i, w)| {
            if i % 20 == offset {
                format!("spun{i}")
            } else {
                w.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "WorldNewsWire | Home > Politics > Share this story\n{words}\nCopyright 2024 \
         WorldNewsWire. All rights reserved. Subscribe for more stories."
    )
}

#[test]
fn spun_copies_of_long_documents_are_found() {
    // The calibration behind DEFAULT_MAX_DISTANCE (docs/alerting.md): 5% of the words replaced at
    // 20 different offsets, for every document of 300 words or more.
    let (mut found, mut tried) = (0, 0);
    for (name, text) in support::communiques() {
        if text.split_whitespace().count() < 300 {
            continue;
        }
        for offset in 0..20 {
            let mut nd = NearDuplicates::default();
            nd.check_and_insert(&name, &text);
            tried += 1;
            found += usize::from(nd.check_and_insert("spin", &spin(&text, offset)).is_some());
        }
    }
    assert!(tried >= 400, "{tried}");
    assert!(
        found * 100 >= tried * 95,
        "found {found} of {tried} spun copies"
    );
}
