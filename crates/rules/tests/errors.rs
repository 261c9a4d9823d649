//! Every way a rule file is rejected, and what the message says.

use commwatch_rules::{RuleError, RuleSet};

/// A valid rule with `extra` lines added and `remove` lines dropped, loaded as the second rule
/// of a file, so errors must name rule #2.
fn error(extra: &str, remove: &[&str]) -> String {
    let mut rule =
        String::from("id = \"bad_rule\"\nquery = \"x\"\nseverity = \"low\"\nsummary = \"s\"\n");
    for line in remove {
        rule = rule
            .lines()
            .filter(|l| !l.starts_with(line))
            .map(|l| format!("{l}\n"))
            .collect();
    }
    let text = format!(
        "[[rule]]\nid = \"good\"\nquery = \"y\"\nseverity = \"low\"\nsummary = \"s\"\n\n[[rule]]\n{rule}{extra}"
    );
    RuleSet::from_toml_str(&text, "rules.toml")
        .expect_err("the rule is invalid")
        .to_string()
}

const AT: &str = "rules.toml: rule #2 (id \"bad_rule\"), field";

#[test]
fn query_errors_show_line_column_and_caret() {
    let text = "# Default pack.\n\n[[rule]]\nid = \"sanctions\"\nseverity = \"medium\"\nsummary = \"s\"\nquery = \"sanctions AND\"\n";
    let err = RuleSet::from_toml_str(text, "examples/rules/default.toml").unwrap_err();
    assert_eq!(
        err.to_string(),
        "examples/rules/default.toml:7:23: rule \"sanctions\": expected a term after AND\n    \
         query = \"sanctions AND\"\n                          ^"
    );
    let RuleError::Query {
        line, column, id, ..
    } = err
    else {
        panic!("expected a query error");
    };
    assert_eq!((line, column, id.as_str()), (7, 23, "sanctions"));
}

#[test]
fn query_error_columns_account_for_escapes_and_string_kinds() {
    let at = |query_line: &str| {
        let text =
            format!("[[rule]]\nid = \"r\"\nseverity = \"low\"\nsummary = \"s\"\n{query_line}\n");
        match RuleSet::from_toml_str(&text, "f").unwrap_err() {
            RuleError::Query {
                line,
                column,
                message,
                ..
            } => (line, column, message),
            other => panic!("{other}"),
        }
    };
    // The `)` is the 8th character of the decoded query, the 9th of the line after `query = "`
    // plus one for each escape backslash before it.
    assert_eq!(
        at(r#"query = "\"a b\" )""#),
        (5, 18, "unmatched `)`".to_string())
    );
    assert_eq!(
        at(r#"query = '"a b" )'"#),
        (5, 16, "unmatched `)`".to_string())
    );
    let (line, column, message) = at("query = \"\"\"\nsanctions AND\n  foo:bar\"\"\"");
    assert_eq!((line, column), (7, 3));
    assert!(message.starts_with("unknown field `foo:`"), "{message}");
}

#[test]
fn bad_id() {
    assert_eq!(
        error("", &["id"]).lines().next().unwrap(),
        "rules.toml: TOML parse error at line 7, column 1"
    );
    let text = "[[rule]]\nid = \"Bad-Id\"\nquery = \"x\"\nseverity = \"low\"\nsummary = \"s\"\n";
    assert_eq!(
        RuleSet::from_toml_str(text, "rules.toml")
            .unwrap_err()
            .to_string(),
        "rules.toml: rule #1 (id \"Bad-Id\"), field `id`: invalid id \"Bad-Id\": use one or more of a-z, 0-9 and _"
    );
}

#[test]
fn duplicate_id() {
    let text = "[[rule]]\nid = \"a\"\nquery = \"x\"\nseverity = \"low\"\nsummary = \"s\"\n\n[[rule]]\nid = \"a\"\nquery = \"x\"\nseverity = \"low\"\nsummary = \"s\"\n";
    assert_eq!(
        RuleSet::from_toml_str(text, "rules.toml")
            .unwrap_err()
            .to_string(),
        "rules.toml: rule #2 (id \"a\"), field `id`: duplicate id \"a\", first used by rule #1 of rules.toml"
    );
}

#[test]
fn unknown_severity_lists_the_valid_ones() {
    let message = error("", &["severity"]);
    assert!(message.contains("missing field `severity`"), "{message}");
    let text = "[[rule]]\nid = \"r\"\nquery = \"x\"\nseverity = \"urgent\"\nsummary = \"s\"\n";
    assert_eq!(
        RuleSet::from_toml_str(text, "rules.toml")
            .unwrap_err()
            .to_string(),
        "rules.toml: rule #1 (id \"r\"), field `severity`: unknown severity \"urgent\"; expected one of info, low, medium, high, critical"
    );
}

#[test]
fn bad_scope() {
    assert_eq!(
        error("scope = \"paragraph\"\n", &[]),
        format!(
            "{AT} `scope`: expected \"document\", \"sentence\" or {{ first_sentences = N }}, got \"paragraph\""
        )
    );
    assert_eq!(
        error("scope = { first_sentences = 0 }\n", &[]),
        format!("{AT} `scope.first_sentences`: must be a whole number of at least 1")
    );
    assert!(error("scope = { first = 2 }\n", &[]).starts_with(&format!("{AT} `scope`")));
}

#[test]
fn labels_reserved_or_computed() {
    assert_eq!(
        error("labels = { title = \"x\" }\n", &[]),
        format!(
            "{AT} `labels.title`: label name `title` is reserved (reserved: title, phrase, entities:…)"
        )
    );
    let text = "[[rule]]\nid = \"r\"\nquery = \"x @country\"\nseverity = \"low\"\nsummary = \"s\"\nlabels = { country = \"ML\" }\n";
    assert_eq!(
        RuleSet::from_toml_str(text, "f").unwrap_err().to_string(),
        "f: rule #1 (id \"r\"), field `labels.country`: label `country` is computed from @country in the query; choose another name"
    );
}

#[test]
fn key_labels_must_exist() {
    assert_eq!(
        error(
            "labels = { category = \"c\" }\nkey_labels = [\"categry\"]\n",
            &[]
        ),
        format!("{AT} `key_labels[0]`: unknown label `categry`; labels: category")
    );
}

#[test]
fn unknown_template_placeholder() {
    assert_eq!(
        error("", &["summary"]).lines().next().unwrap(),
        "rules.toml: TOML parse error at line 7, column 1"
    );
    let text = "[[rule]]\nid = \"r\"\nquery = \"x\"\nseverity = \"low\"\nsummary = \"{entities:country}\"\n";
    assert_eq!(
        RuleSet::from_toml_str(text, "f").unwrap_err().to_string(),
        "f: rule #1 (id \"r\"), field `summary`: placeholder {entities:country} needs the query to refer to @country (outside NOT)"
    );
    let text = "[[rule]]\nid = \"r\"\nquery = \"x\"\nseverity = \"low\"\nsummary = \"{titel}\"\n";
    assert!(
        RuleSet::from_toml_str(text, "f")
            .unwrap_err()
            .to_string()
            .ends_with("unknown placeholder {titel}; known: {title}, {phrase}")
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
    let old_format = error("any = [\"x\"]\n", &[]);
    assert!(old_format.contains("unknown field `any`"), "{old_format}");

    let syntax = RuleSet::from_toml_str("[[rule]\n", "x.toml").unwrap_err();
    assert!(matches!(syntax, RuleError::Parse { .. }));
    assert!(syntax.to_string().contains("line 1"), "{syntax}");
}

#[test]
fn the_error_carries_its_parts() {
    let err = RuleSet::from_toml_str(
        "[[rule]]\nid = \"r\"\nquery = \"x\"\nseverity = \"nope\"\nsummary = \"s\"\n",
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
query = "x"
severity = "low"
summary = "s"
"#;
    let err = RuleSet::from_sources([("a.toml", rule), ("b.toml", rule)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "b.toml: rule #1 (id \"same\"), field `id`: duplicate id \"same\", first used by rule #1 of a.toml"
    );
}
