//! The rule author's loop through the real binary: `rules check`, `test`, `explain`.

mod common;

use common::{commwatch, text};

#[test]
fn rules_check_accepts_the_default_pack_and_points_at_errors_with_a_caret() {
    let output = commwatch()
        .args(["rules", "check", "examples/rules/default.toml"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.starts_with("ok: 8 rule(s), 8 enabled"), "{stdout}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[rule]]\nid = \"broken\"\nseverity = \"low\"\nsummary = \"s\"\nquery = \"sanctions AND\"\n",
    )
    .unwrap();
    let output = commwatch()
        .args(["rules", "check"])
        .arg(&bad)
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("bad.toml:5:"), "{stderr}");
    assert!(stderr.contains("rule \"broken\""), "{stderr}");
    assert!(stderr.contains('^'), "a caret under the column: {stderr}");
}

#[test]
fn test_runs_the_cases_beside_the_rules_and_fails_on_a_failing_case() {
    let output = commwatch()
        .args(["test", "examples/rules/default.tests.toml"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");

    let dir = tempfile::tempdir().unwrap();
    std::fs::copy("examples/rules/default.toml", dir.path().join("pack.toml")).unwrap();
    let tests = dir.path().join("pack.tests.toml");
    std::fs::write(&tests, "[[case]]\nname = \"wrong on purpose\"\ntext = \"The weather was fine.\"\nexpect = [\"sanctions\"]\n").unwrap();
    let output = commwatch().arg("test").arg(&tests).output().unwrap();
    let (stdout, _) = text(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout.contains("FAIL") && stdout.contains("wrong on purpose"),
        "{stdout}"
    );
}

#[test]
fn explain_shows_each_term_and_highlights_the_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("doc.txt");
    std::fs::write(
        &doc,
        "The Treasury is designating three entities under the Global Magnitsky sanctions program.",
    )
    .unwrap();
    let output = commwatch()
        .args(["explain", "--rule", "sanctions"])
        .arg(&doc)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("result    FIRES"), "{stdout}");
    assert!(stdout.contains("✓ sanction*"), "{stdout}");
    assert!(stdout.contains("✗ \"asset freeze\""), "{stdout}");
    assert!(stdout.contains("[[sanctions]]"), "{stdout}");
    let output = commwatch()
        .args(["explain", "--rule", "nope"])
        .arg(&doc)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        text(&output)
            .1
            .contains("no rule \"nope\"; the rules are: ")
    );
}
