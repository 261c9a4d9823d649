//! `commwatch validate`: bad pipelines are refused before anything runs, with the file, the key
//! path and what was expected.

mod common;

use std::path::Path;

use common::{commwatch, pipeline_file, text};

/// A valid pipeline over one communiqué file; tests break one thing in it.
fn good(dir: &Path) -> String {
    std::fs::write(dir.join("a.txt"), "Mali and Niger signed.").unwrap();
    std::fs::write(
        dir.join("rules.toml"),
        "[[rule]]\nid = \"signing\"\ndescription = \"d\"\nseverity = \"low\"\nquery = \"signed\"\nsummary = \"s\"\n",
    )
    .unwrap();
    r#"
[sources.in]
type = "files"
paths = ["*.txt"]

[stages.normalize]
type = "normalize"
inputs = ["in"]

[stages.tag]
type = "tag"
inputs = ["normalize"]

[stages.alert]
type = "rules"
inputs = ["tag"]
rules = ["rules.toml"]

[sinks.out]
type = "jsonl"
inputs = ["alert"]
path = "out.jsonl"
"#
    .to_string()
}

/// Runs `validate` on `text`; returns (success, stdout, stderr).
fn validate(dir: &Path, text_: &str, extra: &[&str]) -> (bool, String, String) {
    let path = pipeline_file(dir, text_);
    let output = commwatch()
        .arg("validate")
        .arg(&path)
        .args(extra)
        .output()
        .unwrap();
    let (out, err) = text(&output);
    if !output.status.success() {
        assert_eq!(output.status.code(), Some(2), "config errors exit 2");
    }
    (
        output.status.success(),
        out,
        err.replace(&format!("{}", path.display()), "pipeline.toml"),
    )
}

#[test]
fn accepts_a_good_pipeline_and_the_bundled_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = validate(dir.path(), &good(dir.path()), &[]);
    assert!(ok, "{err}");
    assert!(
        out.contains("ok (sources: in; stages: normalize, tag, alert; sinks: out)"),
        "{out}"
    );
    for bundled in ["pipeline.toml", "examples/pipelines/filter.toml"] {
        let output = commwatch()
            .args(["validate", bundled])
            .args(common::plugin_dirs_override())
            .output()
            .unwrap();
        assert!(output.status.success(), "{bundled}: {}", text(&output).1);
    }
    assert!(
        !dir.path().join("out.jsonl").exists(),
        "validate writes nothing"
    );
}

#[test]
fn misspelt_stage_type_names_the_key_and_suggests() {
    let dir = tempfile::tempdir().unwrap();
    let text = good(dir.path()).replace("type = \"tag\"", "type = \"tagg\"");
    let (ok, _, err) = validate(dir.path(), &text, &[]);
    assert!(!ok);
    assert!(
        err.contains(
            "error: pipeline.toml: stages.tag.type: unknown stage type \"tagg\"; expected one of normalize, tag, rules, plugin, alerts (did you mean \"tag\"?)"
        ),
        "{err}"
    );
}

#[test]
fn dangling_input_names_the_key_and_suggests() {
    let dir = tempfile::tempdir().unwrap();
    let text = good(dir.path()).replace("inputs = [\"tag\"]", "inputs = [\"tagger\"]");
    let (ok, _, err) = validate(dir.path(), &text, &[]);
    assert!(!ok);
    assert!(
        err.contains(
            "error: pipeline.toml: stages.alert.inputs: \"tagger\" is not a source or stage id"
        ),
        "{err}"
    );
    assert!(err.contains("(did you mean \"tag\"?)"), "{err}");
}

#[test]
fn cycle_is_reported_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let text = good(dir.path()).replace(
        "inputs = [\"normalize\"]",
        "inputs = [\"normalize\", \"alert\"]",
    );
    let (ok, _, err) = validate(dir.path(), &text, &[]);
    assert!(!ok);
    assert!(err.contains("stages form a cycle:"), "{err}");
    for id in ["tag", "alert"] {
        assert!(err.contains(id), "{err}");
    }
    assert!(err.contains(".inputs"), "{err}");
}

#[test]
fn wrong_types_unknown_options_missing_files_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let base = good(dir.path());

    let (ok, _, err) = validate(
        dir.path(),
        &base.replace("inputs = [\"in\"]", "inputs = [\"in\"]\nworkers = \"two\""),
        &[],
    );
    assert!(!ok);
    assert!(
        err.contains("pipeline.toml: stages.normalize.workers: invalid type: string \"two\""),
        "{err}"
    );

    let (ok, _, err) = validate(dir.path(), &base.replace("paths = ", "pathz = "), &[]);
    assert!(!ok);
    assert!(
        err.contains("sources.in.pathz: unknown option `pathz`"),
        "{err}"
    );
    assert!(err.contains("(did you mean \"paths\"?)"), "{err}");

    let (ok, _, err) = validate(
        dir.path(),
        &base.replace("rules.toml", "missing-rules.toml"),
        &[],
    );
    assert!(!ok);
    assert!(
        err.contains("stages.alert.rules[0]: file")
            && err.contains("missing-rules.toml does not exist"),
        "{err}"
    );

    let (ok, _, err) = validate(dir.path(), &base.replace("[sinks.out]", "[sinks.tag]"), &[]);
    assert!(!ok);
    assert!(
        err.contains("id \"tag\" is used by more than one component"),
        "{err}"
    );

    let (ok, _, err) = validate(
        dir.path(),
        &format!("{base}\n[sink.extra]\ntype = \"console\"\n"),
        &[],
    );
    assert!(!ok);
    assert!(
        err.contains("pipeline.toml: sink: unknown section")
            && err.contains("did you mean \"sinks\""),
        "{err}"
    );

    let (ok, _, err) = validate(dir.path(), "[sources.in\n", &[]);
    assert!(!ok);
    assert!(
        err.contains("pipeline.toml: not valid TOML") && err.contains("line 1"),
        "{err}"
    );
}

#[test]
fn overrides_from_environment_and_command_line_are_layered_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = pipeline_file(dir.path(), &good(dir.path()));
    // The environment overrides the file; the error names where the bad value came from.
    let output = commwatch()
        .arg("validate")
        .arg(&path)
        .env("COMMWATCH__STAGES__TAG__TYPE", "tagg")
        .output()
        .unwrap();
    let err = text(&output).1;
    assert!(!output.status.success());
    assert!(
        err.contains("error: environment: stages.tag.type: unknown stage type \"tagg\""),
        "{err}"
    );
    // --set overrides the environment.
    let output = commwatch()
        .arg("validate")
        .arg(&path)
        .env("COMMWATCH__STAGES__TAG__TYPE", "tagg")
        .args(["--set", "stages.tag.type=tag"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output).1);
    let output = commwatch()
        .arg("validate")
        .arg(&path)
        .args(["--set", "stages.tag.workers=0"])
        .output()
        .unwrap();
    assert!(
        text(&output)
            .1
            .contains("stages.tag.workers: must be at least 1"),
        "{}",
        text(&output).1
    );
}
