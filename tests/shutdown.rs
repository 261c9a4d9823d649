//! SIGTERM mid-stream: sources stop, everything already read drains to the sink, exit 0.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{commwatch, pipeline_file, read_jsonl};

#[test]
fn sigterm_drains_in_flight_events_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let path = pipeline_file(
        dir.path(),
        r#"
[pipeline]
dead_letter = "dead.jsonl"
channel_capacity = 2
batch_size = 4

[sources.in]
type = "stdin"
format = "jsonl"

[stages.normalize]
type = "normalize"
inputs = ["in"]
workers = 2

[stages.tag]
type = "tag"
inputs = ["normalize"]

[sinks.out]
type = "jsonl"
inputs = ["tag"]
path = "-"
content = "events"
"#,
    );
    let stats = dir.path().join("stats.json");
    let mut child = commwatch()
        .arg("run")
        .arg(&path)
        .arg("--stats-json")
        .arg(&stats)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // A writer thread keeps feeding input and never closes stdin: only the signal ends the run.
    let feeder = std::thread::spawn(move || {
        let body = "The Ministers of Iraq, Syria and Mozambique met in Rome. ".repeat(40);
        for i in 0..100_000 {
            let line = format!("{{\"id\":\"doc-{i}\",\"body\":\"{body}\"}}\n");
            if stdin.write_all(line.as_bytes()).is_err() {
                return i;
            }
        }
        100_000
    });
    // Wait for output to flow, then signal mid-stream.
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let mut line = String::new();
    while lines.len() < 50 {
        line.clear();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "output ended early"
        );
        lines.push(line.clone());
    }
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    for l in reader.lines() {
        lines.push(l.unwrap());
    }
    let status = child.wait().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "drain took too long"
    );
    assert_eq!(status.code(), Some(0), "first signal drains and exits 0");
    drop(feeder); // it ends when the pipe closes

    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    assert_eq!(stats["interrupted"], true);
    let src = &stats["sources"][0];
    let emitted = src["emitted"].as_u64().unwrap();
    let dead = read_jsonl(&dir.path().join("dead.jsonl")).len() as u64;
    assert!(emitted >= 50);
    assert!(
        emitted < 100_000,
        "the source stopped reading at the signal"
    );
    // Count in = count out + dead-lettered.
    assert_eq!(lines.len() as u64 + dead, emitted);
    assert_eq!(src["delivered"].as_u64().unwrap(), lines.len() as u64);
    // Every output line is a whole event, in order.
    for (i, l) in lines.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["id"], format!("doc-{i}"));
    }
}
