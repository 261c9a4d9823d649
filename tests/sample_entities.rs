//! The default pipeline, run on `examples/`, tags the sample communiqué with every entity an
//! analyst expects — checked at raw-text offsets, through the real binary.

mod common;

use common::{commwatch, read_jsonl, text};

#[test]
fn default_pipeline_tags_the_sample_with_raw_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let output = commwatch()
        .args([
            "run",
            "pipeline.toml",
            "--set",
            "sinks.alerts.path=/dev/null",
            "--set",
            "sinks.console.type=jsonl",
        ])
        .args([
            "--set",
            "sinks.console.path=/dev/null",
            "--set",
            "sinks.events.type=jsonl",
        ])
        .args([
            "--set",
            r#"sinks.events.inputs=["alert"]"#,
            "--set",
            "sinks.events.content=events",
        ])
        .arg("--set")
        .arg(format!("sinks.events.path={}", events.display()))
        .arg("--set")
        .arg(format!(
            "pipeline.dead_letter={}",
            dir.path().join("dead.jsonl").display()
        ))
        .args(common::default_pipeline_overrides(dir.path()))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output).1);
    let all = read_jsonl(&events);
    let seed = all
        .iter()
        .find(|e| {
            e["origin"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("coalition-ministerial-2021-06-28.txt")
        })
        .expect("the sample went through");
    let raw = seed["raw"].as_str().unwrap();
    let spans: Vec<(&str, &str, &str, Option<&str>)> = seed["spans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let (start, end) = (
                s["start"].as_u64().unwrap() as usize,
                s["end"].as_u64().unwrap() as usize,
            );
            (
                s["kind"].as_str().unwrap(),
                s["id"].as_str().unwrap(),
                &raw[start..end],
                s["detail"].as_str(),
            )
        })
        .collect();
    let has = |kind: &str, id: &str, text: &str| {
        assert!(
            spans
                .iter()
                .any(|s| s.0 == kind && s.1 == id && s.2 == text),
            "no {kind} {id} at raw text {text:?}"
        )
    };
    for (id, text) in [
        ("CF", "Central African Republic"),
        ("CD", "Democratic Republic from the Congo"),
        ("MR", "Mauritania"),
        ("YE", "Yemen"),
        ("IQ", "Iraq"),
        ("SY", "Syria"),
        ("AF", "Afghanistan"),
        ("MZ", "Mozambique"),
        ("IT", "Italian"),
        ("CA", "Canada"),
    ] {
        has("country", id, text);
    }
    has("region", "sahel", "Sahel Region");
    has("region", "east-africa", "Eastern Africa");
    for (id, text) in [
        ("nato", "NATO"),
        ("eu", "EU"),
        ("euam-iraq", "EUAM Iraq"),
        ("interpol", "INTERPOL"),
        ("unsc", "UN Security Council"),
        ("gctf", "Global Counter-Terrorism Forum"),
        ("coalition-for-the-sahel", "Coalition for the Sahel"),
        ("d-isis-coalition", "Global Coalition to Defeat Daesh/ISIS"),
    ] {
        has("organization", id, text);
    }
    has("group", "isis", "Daesh/ISIS");
    has("group", "isis-k", "ISIS-K");
    has("resolution", "S/RES/2254", "Resolution 2254");
    has("date", "2021-06-28", "June 28, 2021");
    let person = |name: &str| {
        spans
            .iter()
            .find(|s| s.0 == "person" && s.2 == name)
            .map(|s| s.3)
    };
    assert_eq!(
        person("Luigi Di Maio"),
        Some(Some(
            "Italian Minister of Foreign Affairs and International Cooperation"
        ))
    );
    assert_eq!(
        person("Antony L. Blinken"),
        Some(Some("U. S. Admin of State"))
    );

    // What normalization recovered from the scraped page.
    assert_eq!(
        seed["title"],
        "Ministerial Meeting of the Global Coalition to Defeat Daesh/ISIS"
    );
    assert_eq!(seed["published"], "2021-06-28");
    assert_eq!(seed["language"], "en");
    assert_eq!(seed["metadata"]["dateline_place"], "Ottawa, Ontario");
    assert_eq!(seed["metadata"]["issuer"], "Global Affairs Canada");
    let normalized = seed["normalized"]["text"].as_str().unwrap();
    assert!(!normalized.contains("Stay Connected") && !normalized.contains("HomeCanada"));
}
