//! Watch mode end to end: `commwatch run` keeps watching a folder, reads a file dropped into it
//! only once it is completely written, emits it once, and exits 0 on SIGTERM.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{commwatch, pipeline_file, read_jsonl};

/// Polls `path` until it holds at least `n` JSON lines, or panics after `timeout`.
fn wait_for_lines(path: &Path, n: usize, timeout: Duration, child: &mut Child) {
    let started = Instant::now();
    while read_jsonl(path).len() < n {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("commwatch exited early with {status}");
        }
        assert!(
            started.elapsed() < timeout,
            "no {n} line(s) in {} after {timeout:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn sigterm(child: &Child) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_file_written_in_two_steps_is_read_once_complete_and_emitted_once() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let path = pipeline_file(
        dir.path(),
        r#"
[pipeline]
dead_letter = "dead.jsonl"

[sources.in]
type = "files"
paths = ["inbox/**/*.txt"]
watch = true
settle_ms = 1500

[stages.normalize]
type = "normalize"
inputs = ["in"]

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
    let out = dir.path().join("out.jsonl");
    let mut child = commwatch()
        .arg("run")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Let it start watching (a file written before would be found by the first pass anyway).
    std::thread::sleep(Duration::from_millis(500));

    // Temporary files are ignored, whatever their content.
    std::fs::write(inbox.join("download.txt.part"), "Partial download").unwrap();

    // The statement arrives in two writes, well within the settle time of each other.
    let first = "Joint statement\n\nThe Ministers of Kenya and ";
    let second = "Uganda met in Kampala.\n";
    let target = inbox.join("statement.txt");
    let mut file = std::fs::File::create(&target).unwrap();
    file.write_all(first.as_bytes()).unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(400));
    file.write_all(second.as_bytes()).unwrap();
    drop(file);

    wait_for_lines(&out, 1, Duration::from_secs(30), &mut child);
    // Long enough for a second, wrong read to show up if there were one.
    std::thread::sleep(Duration::from_millis(2500));

    sigterm(&child);
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took too long to stop"
    );
    assert_eq!(output.status.code(), Some(0), "{stderr}");

    let events = read_jsonl(&out);
    assert_eq!(events.len(), 1, "exactly one event: {events:#?}");
    let ev = &events[0];
    assert_eq!(ev["raw"], format!("{first}{second}").as_str());
    assert_eq!(ev["title"], "Joint statement");
    assert!(
        ev["metadata"]["path"]
            .as_str()
            .unwrap()
            .ends_with("inbox/statement.txt")
    );
    let ids: Vec<&str> = ev["spans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "country")
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["KE", "UG"]);
    assert!(read_jsonl(&dir.path().join("dead.jsonl")).is_empty());
}
