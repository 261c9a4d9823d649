//! Helpers shared by the end-to-end tests: they run the real `commwatch` binary.

#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where pipeline.toml lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled plugins the default and filter pipelines load.
pub const BUNDLED_PLUGINS: &[&str] = &["accession", "regional-threat"];

/// Builds the bundled plugins (once per test process) and returns the `--set` arguments that
/// point a pipeline's `plugin_dirs` at them.
pub fn plugin_dirs_override() -> [String; 2] {
    let dir = commwatch_testkit::rust_plugins(BUNDLED_PLUGINS);
    [
        "--set".to_string(),
        format!("pipeline.plugin_dirs=[{:?}]", dir.display().to_string()),
    ]
}

/// `--set` arguments that run the default pipeline in isolation: the bundled plugins built for
/// the tests, and the alert history (which remembers what was sent, and so would hold back the
/// next run's alerts as repeats) and the state store (which remembers the files done) in `dir`
/// instead of the repository.
pub fn default_pipeline_overrides(dir: &Path) -> Vec<String> {
    let db = dir.join("alerts.db").display().to_string();
    let mut args = plugin_dirs_override().to_vec();
    args.extend([
        "--set".to_string(),
        format!("stages.alerting.history={db}"),
        "--set".to_string(),
        format!("sinks.history.path={db}"),
        "--set".to_string(),
        format!("pipeline.state={}", dir.join("state.db").display()),
    ]);
    args
}

/// A `commwatch` command run from the repository root, with logs quiet and no color.
pub fn commwatch() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_commwatch"));
    cmd.current_dir(root())
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1");
    for (key, _) in std::env::vars() {
        if key.starts_with("COMMWATCH__") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// Stdout and stderr as text, for assertion messages.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Reads a JSONL file into values; a missing file is an empty list.
pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .map(|l| serde_json::from_str(l).expect("valid JSON line"))
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Writes `text` as a pipeline file in `dir` and returns its path.
pub fn pipeline_file(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("pipeline.toml");
    std::fs::write(&path, text).expect("write pipeline");
    path
}
