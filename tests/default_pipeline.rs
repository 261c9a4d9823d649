//! The README's first command: the default pipeline over the bundled communiqués.

mod common;

use common::{commwatch, read_jsonl, text};

const SEED: &str = "coalition-ministerial-2021-06-28.txt";

#[test]
fn default_pipeline_alerts_on_the_sample_communique_and_tags_its_new_members() {
    let dir = tempfile::tempdir().unwrap();
    let alerts = dir.path().join("alerts.jsonl");
    let events = dir.path().join("events.jsonl");
    let dead = dir.path().join("dead.jsonl");
    let output = commwatch()
        .args(["run", "pipeline.toml", "--stats-json"])
        .arg(dir.path().join("stats.json"))
        .arg("--set")
        .arg(format!("sinks.alerts.path={}", alerts.display()))
        .arg("--set")
        .arg(format!("pipeline.dead_letter={}", dead.display()))
        // A second sink added from the command line: every enriched event.
        .args([
            "--set",
            "sinks.events.type=jsonl",
            "--set",
            r#"sinks.events.inputs=["alert"]"#,
        ])
        .arg("--set")
        .arg(format!("sinks.events.path={}", events.display()))
        .args(["--set", "sinks.events.content=events"])
        .args(common::default_pipeline_overrides(dir.path()))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "stderr:\n{stderr}");

    // The console shows the accession alert with quoted evidence.
    assert!(stdout.contains("new_member_accession"), "stdout:\n{stdout}");
    assert!(
        stdout.contains("Central African Republic"),
        "stdout:\n{stdout}"
    );

    // alerts.jsonl holds it, for the sample communiqué, naming the four countries.
    let seed_events: Vec<_> = read_jsonl(&events)
        .into_iter()
        .filter(|e| {
            e["origin"]["uri"]
                .as_str()
                .is_some_and(|u| u.ends_with(SEED))
        })
        .collect();
    assert_eq!(
        seed_events.len(),
        1,
        "the sample communiqué went through once"
    );
    let seed = &seed_events[0];
    let seed_id = seed["id"].as_str().unwrap();
    let alerts = read_jsonl(&alerts);
    let accessions: Vec<&serde_json::Value> = alerts
        .iter()
        .filter(|a| a["rule"] == "new_member_accession" && a["communique"] == seed_id)
        .collect();
    let mut countries: Vec<&str> = accessions
        .iter()
        .map(|a| a["labels"]["country"].as_str().unwrap())
        .collect();
    countries.sort();
    assert_eq!(
        countries,
        ["CD", "CF", "MR", "YE"],
        "one accession alert per new member: {accessions:#?}"
    );
    assert!(
        accessions
            .iter()
            .all(|a| a["labels"]["organization"] == "d-isis-coalition")
    );
    let accession = accessions
        .iter()
        .find(|a| a["labels"]["country"] == "MR")
        .unwrap();

    // The countries are tagged with ISO codes, and their offsets point at the raw text.
    let raw = seed["raw"].as_str().unwrap();
    let expect = [
        ("CF", "Central African Republic"),
        ("CD", "Democratic Republic from the Congo"),
        ("MR", "Mauritania"),
        ("YE", "Yemen"),
    ];
    for (code, name) in expect {
        let hit = seed["spans"].as_array().unwrap().iter().any(|s| {
            let (start, end) = (
                s["start"].as_u64().unwrap() as usize,
                s["end"].as_u64().unwrap() as usize,
            );
            s["kind"] == "country" && s["id"] == code && &raw[start..end] == name
        });
        assert!(hit, "{code} ({name}) not tagged at its raw offsets");
    }
    // The accession evidence quotes those same bytes.
    let evidence: Vec<&str> = accession["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &raw[s["start"].as_u64().unwrap() as usize..s["end"].as_u64().unwrap() as usize])
        .collect();
    assert!(evidence.contains(&"new members joining"), "{evidence:?}");
    assert!(evidence.contains(&"Mauritania"), "{evidence:?}");

    // Every bundled communiqué went in and came out; nothing was dead-lettered.
    let n_files = std::fs::read_dir(common::root().join("examples/communiques"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "txt")
        })
        .count() as u64;
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("stats.json")).unwrap())
            .unwrap();
    assert_eq!(stats["sources"][0]["emitted"], n_files);
    assert_eq!(stats["sources"][0]["delivered"], n_files);
    assert!(!dead.exists(), "no dead letters expected");
    assert!(
        stderr.contains(&format!(
            "{n_files} communiqué(s) read: {n_files} delivered"
        )),
        "{stderr}"
    );
}

#[test]
fn filter_pipeline_is_a_unix_filter() {
    let input = std::fs::read(common::root().join("examples/stdin-sample.jsonl")).unwrap();
    let n_in = input
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    let mut child = commwatch()
        .args(["run", "examples/pipelines/filter.toml"])
        .args(common::plugin_dirs_override())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let output = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "stderr:\n{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), n_in, "one output line per input communiqué");
    for line in &lines {
        assert!(line["spans"].is_array() && line["alerts"].is_array());
    }
    assert!(lines.iter().any(|l| {
        l["spans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "FI")
    }));
}
