//! Alerts that don't spam, through the real binary: the default pipeline records every alert in
//! the SQLite history; a second run with the same state store reads nothing (every file is
//! done); one without it, within the repeat interval, holds the same situations back (recorded
//! as suppressed, not notified); and `commwatch alerts` reads the history back.

mod common;

use common::{commwatch, read_jsonl, text};

fn run_default(dir: &std::path::Path, alerts_file: &str, extra: &[&str]) -> (String, String) {
    let output = commwatch()
        .args(["run", "pipeline.toml"])
        .arg("--set")
        .arg(format!(
            "sinks.alerts.path={}",
            dir.join(alerts_file).display()
        ))
        .arg("--set")
        .arg(format!(
            "pipeline.dead_letter={}",
            dir.join("dead.jsonl").display()
        ))
        .args(common::default_pipeline_overrides(dir))
        .args(extra)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    (stdout, stderr)
}

#[test]
fn repeats_are_held_back_across_runs_and_the_history_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (first_console, _) = run_default(dir.path(), "first.jsonl", &[]);
    let first = read_jsonl(&dir.path().join("first.jsonl"));
    assert!(
        first.iter().any(|a| a["rule"] == "new_member_accession"),
        "{first:#?}"
    );
    assert!(first_console.contains("new_member_accession"));

    // Run again with the same state: every file is done, nothing is read.
    let (_, stderr) = run_default(dir.path(), "again.jsonl", &[]);
    assert!(stderr.contains("0 communiqué(s) read"), "{stderr}");
    assert!(read_jsonl(&dir.path().join("again.jsonl")).is_empty());

    // Same communiqués again without the state store, within repeat_interval: read, and nothing
    // is notified again.
    let no_state = ["--set", "pipeline.state=off"];
    let (second_console, _) = run_default(dir.path(), "second.jsonl", &no_state);
    let second = read_jsonl(&dir.path().join("second.jsonl"));
    assert!(second.is_empty(), "repeats were notified: {second:#?}");
    assert!(
        !second_console.contains("new_member_accession"),
        "{second_console}"
    );

    // The history has both runs: sent the first time, suppressed the second.
    let db = dir.path().join("alerts.db");
    let output = commwatch()
        .args(["alerts", "--db"])
        .arg(&db)
        .args([
            "--since",
            "1h",
            "--rule",
            "new_member_accession",
            "--json",
            "--limit",
            "1000",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let count = |status: &str| rows.iter().filter(|r| r["status"] == status).count();
    let sent_first = first
        .iter()
        .filter(|a| a["rule"] == "new_member_accession")
        .count();
    assert_eq!(count("sent"), sent_first, "{rows:#?}");
    assert!(count("suppressed") >= sent_first, "{rows:#?}");
    assert!(
        rows.iter()
            .all(|r| r["alert"]["rule"] == "new_member_accession"),
        "{rows:#?}"
    );

    let output = commwatch()
        .args(["alerts", "--db"])
        .arg(&db)
        .args(["--since", "1h"])
        .output()
        .unwrap();
    let (table, _) = text(&output);
    assert!(
        table.contains("suppressed") && table.contains(" alert(s)"),
        "{table}"
    );
    let output = commwatch()
        .args(["alerts", "--db"])
        .arg(dir.path().join("none.db"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(text(&output).1.contains("no alert store here"));
}
