//! Every way a rule file is rejected, and what the message says.

use commwatch_rules::{RuleError, RuleSet};

/// A valid rule with `extra` lines added and `remove` lines dropped, loaded as the second rule
/// of a file, so errors must name rule #2.
fn error(extra: &str, remove: &[&str]) -> String {
    let mut rule = String::from(
        "id = \"bad_rule\"\ndescription = \"d\"\nseverity = \"low\"\nany = [\"x\"]\nsummary = \"s\"\n",
    );
    for line in remove {
        rule = rule
            .lines()
            .filter(|l| !l.starts_with(line))
            .map(|l| format!("{l}\n"))
            .collect();
    }
    let text = format!(
        "[[rule]]\nid = \"good\"\ndescription = \"d\"\nseverity = \"low\"\nany = [\"y\"]\nsummary = \"s\"\n\n[[rule]]\n{rule}{extra}"
    );
    RuleSet::from_toml_str(&text, "rules.toml")
        .expect_err("the rule is invalid")
        .to_string()
}

const AT: &str = "rules.toml: rule #2 (id \"bad_rule\"), field";

#[test]
fn bad_id() {
    assert_eq!(
        error("id = \"Bad-Rule\"\n", &["id"]),
        "rules.toml: rule #2 (id \"Bad-Rule\"), field `id`: invalid id \"Bad-Rule\": use one or \
         more of a-z, 0-9 and _"
    );
    assert!(error("id = \"\"\n", &["id"]).contains("invalid id \"\""));
}

#[test]
fn duplicate_id() {
    assert_eq!(
        error("id = \"good\"\n", &["id"]),
        "rules.toml: rule #2 (id \"good\"), field `id`: duplicate id \"good\", first used by rule #1 of rules.toml"
    );
}

#[test]
fn unknown_severity_lists_the_valid_ones() {
    assert_eq!(
        error("severity = \"urgent\"\n", &["severity"]),
        format!(
            "{AT} `severity`: unknown severity \"urgent\"; expected one of info, low, medium, \
             high, critical"
        )
    );
}

#[test]
fn neither_any_nor_all() {
    let expected = format!("{AT} `any`: a rule needs at least one phrase in `any` or `all`");
    assert_eq!(error("", &["any"]), expected);
    assert_eq!(error("any = []\nall = []\n", &["any"]), expected);
}

#[test]
fn empty_phrase() {
    assert_eq!(
        error("none = [\"ok\", \"  \"]\n", &[]),
        format!("{AT} `none[1]`: empty phrase")
    );
    assert_eq!(
        error("any = [\"\"]\n", &["any"]),
        format!("{AT} `any[0]`: empty phrase")
    );
    assert_eq!(
        error("all = [\"\"]\n", &[]),
        format!("{AT} `all[0]`: empty phrase")
    );
}

#[test]
fn min_entities_or_within_without_entity() {
    assert_eq!(
        error("min_entities = 2\n", &[]),
        format!("{AT} `min_entities`: `min_entities` needs `entity`")
    );
    assert_eq!(
        error("within = 10\n", &[]),
        format!("{AT} `within`: `within` needs `entity`")
    );
}

#[test]
fn bad_entity_requirements() {
    assert_eq!(
        error("entity = \"country\"\nmin_entities = 0\n", &[]),
        format!("{AT} `min_entities`: must be at least 1 (leave `entity` out to need none)")
    );
    assert_eq!(
        error("entity = \" \"\n", &[]),
        format!("{AT} `entity`: empty entity kind")
    );
}

#[test]
fn unknown_template_placeholder() {
    assert_eq!(
        error(
            "summary = \"{countries}\"\nlabels = { category = \"c\" }\n",
            &["summary"]
        ),
        format!(
            "{AT} `summary`: unknown placeholder {{countries}}; known: {{phrase}}, {{title}}, \
             {{category}}"
        )
    );
    assert_eq!(
        error("summary = \"{entities}\"\n", &["summary"]),
        format!("{AT} `summary`: placeholder {{entities}} needs `entity` to be set")
    );
    assert!(error("summary = \"{title\"\n", &["summary"]).contains("unclosed `{`"));
}

#[test]
fn reserved_label_name() {
    assert_eq!(
        error("labels = { entities = \"x\" }\n", &[]),
        format!(
            "{AT} `labels.entities`: label name `entities` is reserved (reserved: entities, \
             entity_ids, phrase, title)"
        )
    );
}

#[test]
fn toml_errors_keep_line_and_column() {
    let message = error("colour = \"red\"\n", &[]);
    assert!(
        message.starts_with("rules.toml: TOML parse error at line"),
        "{message}"
    );
    assert!(message.contains("unknown field `colour`"), "{message}");

    let missing = error("", &["summary"]);
    assert!(missing.contains("missing field `summary`"), "{missing}");

    let syntax = RuleSet::from_toml_str("[[rule]\n", "x.toml").unwrap_err();
    assert!(matches!(syntax, RuleError::Parse { .. }));
    assert!(syntax.to_string().contains("line 1"), "{syntax}");
}

#[test]
fn the_error_carries_its_parts() {
    let err = RuleSet::from_toml_str(
        "[[rule]]\nid = \"r\"\ndescription = \"d\"\nseverity = \"nope\"\nany = [\"x\"]\nsummary = \"s\"\n",
        "o",
    )
    .unwrap_err();
    let RuleError::Invalid {
        origin,
        index,
        id,
        field,
        ..
    } = err
    else {
        panic!("expected Invalid, got {err:?}");
    };
    assert_eq!(
        (origin.as_str(), index, id.as_str(), field.as_str()),
        ("o", 1, "r", "severity")
    );
}

#[test]
fn unreadable_file_names_the_path() {
    let err = RuleSet::load("/nonexistent/rules.toml").unwrap_err();
    assert!(matches!(err, RuleError::Read { .. }));
    assert!(
        err.to_string()
            .starts_with("/nonexistent/rules.toml: cannot read rule file: "),
        "{err}"
    );
}

#[test]
fn duplicate_ids_across_files_name_both_files() {
    let rule = r#"
[[rule]]
id = "same"
description = "d"
severity = "low"
any = ["x"]
summary = "s"
"#;
    let err =
        commwatch_rules::RuleSet::from_sources([("a.toml", rule), ("b.toml", rule)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "b.toml: rule #1 (id \"same\"), field `id`: duplicate id \"same\", first used by rule #1 of a.toml"
    );
}
