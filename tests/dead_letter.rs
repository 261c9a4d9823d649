//! Nothing is lost silently: events a stage fails on and input a source cannot parse go to the
//! dead-letter file with the component id and the reason; everything else reaches the sink.

mod common;

use common::{commwatch, pipeline_file, read_jsonl, text};

#[test]
fn a_failing_event_is_dead_lettered_and_the_others_reach_the_sink() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    for i in 0..20 {
        lines.push(format!(
            r#"{{"id":"doc-{i}","body":"Mali and Niger met on day {i}."}}"#
        ));
    }
    // One document over the normalizer's size limit, and one line that is not JSON.
    lines.insert(
        7,
        format!(r#"{{"id":"too-big","body":"{}"}}"#, "x".repeat(5000)),
    );
    lines.insert(12, "{not json".to_string());
    std::fs::write(dir.path().join("in.jsonl"), lines.join("\n") + "\n").unwrap();
    let path = pipeline_file(
        dir.path(),
        r#"
[pipeline]
dead_letter = "dead/letters.jsonl"

[sources.in]
type = "jsonl"
path = "in.jsonl"

[stages.normalize]
type = "normalize"
inputs = ["in"]
workers = 3
max_bytes = 1000

[stages.tag]
type = "tag"
inputs = ["normalize"]

[sinks.out]
type = "jsonl"
inputs = ["tag"]
path = "out.jsonl"
content = "events"
"#,
    );
    let output = commwatch()
        .arg("run")
        .arg(&path)
        .args(["--stats-json", "-"])
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");

    let out = read_jsonl(&dir.path().join("out.jsonl"));
    let dead = read_jsonl(&dir.path().join("dead/letters.jsonl"));
    assert_eq!(out.len(), 20);
    // Order is preserved through three workers.
    let ids: Vec<&str> = out.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let expected: Vec<String> = (0..20).map(|i| format!("doc-{i}")).collect();
    assert_eq!(ids, expected);
    assert!(
        out.iter()
            .all(|e| e["spans"].as_array().unwrap().len() == 2),
        "Mali and Niger tagged"
    );

    assert_eq!(dead.len(), 2, "{dead:#?}");
    let big = dead
        .iter()
        .find(|d| d["component"] == "normalize")
        .expect("stage dead letter");
    assert_eq!(big["kind"], "stage");
    assert_eq!(big["event"]["id"], "too-big");
    assert!(
        big["error"]
            .as_str()
            .unwrap()
            .contains("over the limit of 1000 (max_bytes)")
    );
    let bad = dead
        .iter()
        .find(|d| d["component"] == "in")
        .expect("source dead letter");
    assert_eq!(bad["input"], "{not json");
    assert!(
        bad["location"].as_str().unwrap().ends_with("in.jsonl:13"),
        "{bad}"
    );

    // Accounting: everything read is delivered or dead-lettered.
    let stats_start = stderr.find("{\n").expect("stats JSON on stderr");
    let stats: serde_json::Value = serde_json::from_str(&stderr[stats_start..]).unwrap();
    let src = &stats["sources"][0];
    assert_eq!(src["emitted"], 21);
    assert_eq!(src["delivered"], 20);
    assert_eq!(src["dead_lettered"], 1);
    let normalize = stats["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "normalize")
        .unwrap();
    assert_eq!(
        (normalize["received"].as_u64(), normalize["errors"].as_u64()),
        (Some(21), Some(1))
    );
    assert!(stderr.contains("1 input record(s) rejected"), "{stderr}");
}
