//! Rule test files: running cases, reporting failures, rejecting malformed files.

use commwatch_rules::{RuleError, RuleSet, run_tests};

fn rules() -> RuleSet {
    RuleSet::from_toml_str(
        r#"
[[rule]]
id = "sanctions"
query = "sanctions AND @country"
severity = "medium"
summary = "s"

[[rule]]
id = "english"
query = "lang:en AND source:wh*"
severity = "low"
summary = "s"

[[rule]]
id = "same_sentence"
query = "alpha AND beta"
severity = "low"
scope = "sentence"
summary = "s"

[[rule]]
id = "off"
query = "alpha"
severity = "low"
summary = "s"
enabled = false
"#,
        "rules.toml",
    )
    .unwrap()
}

#[test]
fn passing_and_failing_cases_are_reported() {
    let cases = r#"
[[case]]
name = "passes"
text = "New sanctions on Iran. And on Iran again."
entities = ["country:IR@Iran"]
expect = ["sanctions"]
forbid = ["english"]
labels = { sanctions = { country = "IR" } }

[[case]]
name = "fails"
text = "Sanctions on Mali."
entities = ["country:ML@Mali"]
expect = ["off", "english"]
forbid = ["sanctions"]
labels = { sanctions = { country = "NE" } }

[[case]]
name = "metadata and sentences"
text = "alpha here. beta there."
language = "en"
source = "whitehouse"
expect = ["english"]
forbid = ["same_sentence"]

[[case]]
name = "no sentences"
text = "alpha here. beta there."
sentences = false
expect = ["same_sentence"]
"#;
    let report = run_tests(&rules(), cases, "t.tests.toml").unwrap();
    assert!(!report.passed());
    assert_eq!(report.failed(), 1);
    let passed: Vec<bool> = report.cases.iter().map(|c| c.passed).collect();
    assert_eq!(passed, [true, false, true, true]);
    assert_eq!(
        report.cases[1].problems,
        [
            "expected `off` to fire (the rule is disabled)",
            "expected `english` to fire",
            "`sanctions` fired but is forbidden: s",
            "`sanctions` label `country` is \"ML\", expected \"NE\"",
        ]
    );
    assert_eq!(report.untested, Vec::<String>::new());
    assert_eq!(
        report.to_string(),
        "PASS  passes\nFAIL  fails\n        expected `off` to fire (the rule is disabled)\n        \
         expected `english` to fire\n        `sanctions` fired but is forbidden: s\n        \
         `sanctions` label `country` is \"ML\", expected \"NE\"\n        fired: sanctions\n\
         PASS  metadata and sentences\nPASS  no sentences\n\
         t.tests.toml: 4 cases, 3 passed, 1 failed\n"
    );
}

#[test]
fn rules_no_case_expects_are_listed() {
    let report = run_tests(&rules(), "", "empty.toml").unwrap();
    assert!(report.passed());
    assert_eq!(report.untested, ["sanctions", "english", "same_sentence"]);
    assert!(report.to_string().ends_with(
        "empty.toml: 0 cases, 0 passed, 0 failed\nrules no case expects to fire: sanctions, english, same_sentence\n"
    ));
}

#[test]
fn malformed_files_are_errors() {
    let err = |cases: &str| {
        run_tests(&rules(), cases, "t.toml")
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        err("[[case]]\nname = \"a\"\ntext = \"x\"\nexpect = [\"sanction\"]\n"),
        "t.toml: case \"a\": expect: unknown rule \"sanction\""
    );
    assert_eq!(
        err("[[case]]\nname = \"a\"\ntext = \"x\"\nentities = [\"country:ML@Mali\"]\n"),
        "t.toml: case \"a\": entity \"country:ML@Mali\": \"Mali\" does not occur in the text as whole words"
    );
    assert_eq!(
        err("[[case]]\nname = \"a\"\ntext = \"Mali\"\nentities = [\"country@Mali\"]\n"),
        "t.toml: case \"a\": entity \"country@Mali\": expected \"kind:id@text\", like \"country:ML@Mali\""
    );
    assert_eq!(
        err(
            "[[case]]\nname = \"a\"\ntext = \"x\"\nexpect = [\"english\"]\nforbid = [\"english\"]\n"
        ),
        "t.toml: case \"a\": rule \"english\" is both expected and forbidden"
    );
    assert!(
        err("[[case]]\nname = \"a\"\ntext = \"x\"\nexpected = []\n")
            .contains("unknown field `expected`")
    );
    assert!(matches!(
        run_tests(&rules(), "[[case]]\nname = 1\n", "t.toml"),
        Err(RuleError::Parse { .. })
    ));
}

#[test]
fn tests_do_not_count_hits() {
    let set = rules();
    run_tests(
        &set,
        "[[case]]\nname = \"a\"\ntext = \"sanctions on Mali\"\nentities = [\"country:ML@Mali\"]\nexpect = [\"sanctions\"]\n",
        "t.toml",
    )
    .unwrap();
    assert!(set.hit_counts().iter().all(|&(_, n)| n == 0));
}

#[test]
fn default_pack_report() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/rules/");
    let pack = RuleSet::load(format!("{dir}default.toml")).unwrap();
    let cases = std::fs::read_to_string(format!("{dir}default.tests.toml")).unwrap();
    let report = run_tests(&pack, &cases, "default.tests.toml").unwrap();
    println!("{report}");
    assert!(report.cases.len() >= 30);
}
