//! The state store under faults, with the real binary: a full disk stops the run cleanly with a
//! clear error and marks nothing done that was not (a rerun once space is freed delivers every
//! communiqué exactly once), and a corrupt state file is refused with how to recover, never reset.
//!
//! The full disk is a real one: a 200 KiB tmpfs mounted (as root) where the state store lives.
//! Without the right to mount, the test prints `SKIP` and passes, unless
//! `COMMWATCH_REQUIRE_SERVICES=1` (CI), where it fails.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{commwatch, pipeline_file, read_jsonl, text};

const DOCS: usize = 3_000;

/// A tmpfs mounted at a directory, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Tmpfs(dir.to_path_buf()))
    }

    fn resize(&self, size: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn pipeline(dir: &Path) -> PathBuf {
    let lines: String = (0..DOCS)
        .map(|i| {
            let doc = serde_json::json!({
                "id": format!("d{i}"),
                "body": format!("Mali and Niger met in Bamako. Reference {i}."),
            });
            format!("{doc}\n")
        })
        .collect();
    std::fs::write(dir.join("corpus.jsonl"), lines).unwrap();
    pipeline_file(
        dir,
        r#"
[pipeline]
dead_letter = "dead.jsonl"
state = "state/state.db"

[sources.corpus]
type = "jsonl"
path = "corpus.jsonl"

[stages.normalize]
type = "normalize"
inputs = ["corpus"]

[stages.tag]
type = "tag"
inputs = ["normalize"]

[sinks.events]
type = "jsonl"
inputs = ["tag"]
path = "events.jsonl"
content = "events"
"#,
    )
}

fn event_counts(dir: &Path) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for e in read_jsonl(&dir.join("events.jsonl")) {
        *counts
            .entry(e["id"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    counts
}

#[test]
fn a_full_disk_stops_the_run_cleanly_and_a_rerun_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = pipeline(dir.path());
    let Some(disk) = Tmpfs::mount(&dir.path().join("state"), "200k") else {
        if std::env::var("COMMWATCH_REQUIRE_SERVICES").as_deref() == Ok("1") {
            panic!(
                "cannot mount a tmpfs (needs root), and COMMWATCH_REQUIRE_SERVICES=1 requires it"
            );
        }
        eprintln!("SKIP: cannot mount a tmpfs (needs root); the full-disk test did not run");
        return;
    };

    let output = commwatch().arg("run").arg(&path).output().unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("state.db") && stderr.contains("full"),
        "{stderr}"
    );
    assert!(stderr.contains("stopped after a failure"), "{stderr}");
    let first = event_counts(dir.path());
    assert!(first.len() < DOCS, "the full disk stopped the run early");

    // Space freed: the rerun finishes, and every communiqué is in the output exactly once.
    disk.resize("64m");
    let output = commwatch().arg("run").arg(&path).output().unwrap();
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let counts = event_counts(dir.path());
    assert_eq!(counts.len(), DOCS);
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "written twice: {twice:?}");
}

#[test]
fn a_corrupt_state_file_is_refused_with_how_to_recover() {
    let dir = tempfile::tempdir().unwrap();
    let path = pipeline(dir.path());
    std::fs::create_dir_all(dir.path().join("state")).unwrap();
    let state = dir.path().join("state/state.db");
    std::fs::write(
        &state,
        b"this is not an SQLite file, but it is the only copy".repeat(100),
    )
    .unwrap();
    let before = std::fs::read(&state).unwrap();
    let output = commwatch().arg("run").arg(&path).output().unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("pipeline.state"), "{stderr}");
    assert!(stderr.contains("move it aside"), "{stderr}");
    assert_eq!(
        std::fs::read(&state).unwrap(),
        before,
        "the file is untouched"
    );
    assert!(!dir.path().join("events.jsonl").exists());
}
