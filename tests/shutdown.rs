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

#[test]
fn a_second_signal_exits_at_once_without_waiting_for_the_drain() {
    let dir = tempfile::tempdir().unwrap();
    let path = pipeline_file(
        dir.path(),
        r#"
[sources.in]
type = "stdin"
format = "jsonl"

[sinks.out]
type = "jsonl"
inputs = ["in"]
path = "-"
content = "events"
"#,
    );
    // Nobody reads stdout, so once the pipe is full the sink blocks and the drain cannot finish.
    let mut child = commwatch()
        .arg("run")
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Input is written from a thread: once everything downstream is full, the write blocks too.
    std::thread::spawn(move || {
        let body = "x".repeat(4000);
        for i in 0..200 {
            if writeln!(stdin, "{{\"id\":\"doc-{i}\",\"body\":\"{body}\"}}").is_err() {
                break;
            }
        }
    });
    let kill = |pid: u32| {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    };
    std::thread::sleep(Duration::from_millis(300));
    kill(child.id());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().unwrap().is_none(),
        "still draining into a blocked stdout"
    );
    kill(child.id());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert_eq!(status.code(), Some(130), "the second signal exits at once");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "second signal did not end the process"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
