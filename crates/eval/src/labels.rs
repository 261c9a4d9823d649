//! The labelled passages: one JSON object per line, in the record format of
//! `docs/labelling.md`, plus the optional `rules` field of `docs/eval.md`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use commwatch_core::{Communique, Origin};
use serde::Deserialize;

/// Rules whose labels are fields of their own (`accession`, `threat_places`), not `rules`.
pub(crate) const HEADLINE_RULES: [&str; 2] = ["new_member_accession", "regional_threat"];

/// One labelled passage. A label field that is absent (or `null`) means the passage was not
/// labelled for it: the metrics that need it leave the passage out.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelRecord {
    /// Unique id of the passage; the event id.
    pub id: String,
    /// The passage, byte for byte as the source wrote it.
    pub text: String,
    /// The document's title, given to the pipeline as the event's title.
    #[serde(default)]
    pub title: Option<String>,
    /// `dev` or `test`.
    #[serde(default)]
    pub split: Option<String>,
    /// Where the passage comes from.
    #[serde(default)]
    pub source: Option<String>,
    /// Its license.
    #[serde(default)]
    pub license: Option<String>,
    /// One entry per (organization, new member); empty: an accession negative.
    #[serde(default)]
    pub accession: Option<Vec<AccessionLabel>>,
    /// For a passage that looks like an accession but is not: the kind (`application`, …).
    #[serde(default)]
    pub accession_negative: Option<String>,
    /// Places facing a threat from a non-state armed group; empty: a threat negative.
    #[serde(default)]
    pub threat_places: Option<Vec<String>>,
    /// The groups named as actors of the threat.
    #[serde(default)]
    pub threat_groups: Option<Vec<String>>,
    /// Every country named (ISO 3166-1 alpha-2).
    #[serde(default)]
    pub countries: Option<Vec<String>>,
    /// Every international organization named (gazetteer ids).
    #[serde(default)]
    pub organizations: Option<Vec<String>>,
    /// Every non-state armed or terrorist group named (gazetteer ids).
    #[serde(default)]
    pub groups: Option<Vec<String>>,
    /// Whether each named rule should fire on the passage (`{"sanctions": true}`): labels for
    /// rules other than the two headline alerts.
    #[serde(default)]
    pub rules: Option<BTreeMap<String, bool>>,
    /// Why, when the call was hard.
    #[serde(default)]
    pub note: Option<String>,
}

/// One new member of an organization.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessionLabel {
    /// ISO alpha-2 code of a country, or the id of an organization that became a member.
    pub member: String,
    /// Whether the member is a country or an organization.
    #[serde(default)]
    pub member_kind: Option<MemberKind>,
    /// Gazetteer id of the organization, else a slug of its name.
    pub organization: String,
    /// The organization's name as the text writes it.
    #[serde(default)]
    pub organization_name: Option<String>,
}

/// What kind of member joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberKind {
    /// A state.
    Country,
    /// An organization (the African Union joining the G20).
    Organization,
}

impl LabelRecord {
    /// The event the pipeline processes for this passage: id, text and title.
    pub fn to_event(&self) -> Communique {
        let mut event = Communique::new(
            Some(self.id.clone()),
            Origin {
                name: "eval".into(),
                uri: None,
            },
            self.text.clone(),
        );
        event.title = self.title.clone();
        event
    }
}

/// A labels file, read and checked.
#[derive(Clone, Debug)]
pub struct Labels {
    /// The file.
    pub path: PathBuf,
    /// Its records, in file order.
    pub records: Vec<LabelRecord>,
    /// The split kept by [`Labels::only_split`], if any.
    pub split: Option<String>,
}

impl Labels {
    /// Reads a labels file, checking every line; returns every problem found.
    pub fn read(path: &Path) -> Result<Labels, LabelErrors> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| {
            LabelErrors(vec![LabelError {
                location: file.clone(),
                message: format!("cannot read: {e}"),
            }])
        })?;
        Labels::parse(&file, &bytes).map(|records| Labels {
            path: path.to_path_buf(),
            records,
            split: None,
        })
    }

    /// Parses the content of a labels file named `file` (for error locations).
    pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<Vec<LabelRecord>, LabelErrors> {
        let mut records = Vec::new();
        let mut errors = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (n, line) in bytes.split(|&b| b == b'\n').enumerate() {
            let line_no = n + 1;
            let error = |message: String| LabelError {
                location: format!("{file}:{line_no}"),
                message,
            };
            let Ok(line) = std::str::from_utf8(line) else {
                errors.push(error("not UTF-8".into()));
                continue;
            };
            if line.trim().is_empty() {
                continue;
            }
            match parse_record(line) {
                Ok(record) => {
                    if let Some(first) = seen.insert(record.id.clone(), line_no) {
                        errors.push(error(format!(
                            "id {:?} is already used on line {first}; ids must be unique",
                            record.id
                        )));
                    } else {
                        records.push(record);
                    }
                }
                Err(message) => errors.push(error(message)),
            }
        }
        if errors.is_empty() {
            Ok(records)
        } else {
            Err(LabelErrors(errors))
        }
    }

    /// Keeps the records of `split`, and those that have no `split` field.
    pub fn only_split(mut self, split: &str) -> Labels {
        self.records
            .retain(|r| r.split.as_deref().is_none_or(|s| s == split));
        self.split = Some(split.to_string());
        self
    }
}

/// Fields of a record, for suggestions.
const FIELDS: &[&str] = &[
    "id",
    "text",
    "title",
    "split",
    "source",
    "license",
    "accession",
    "accession_negative",
    "threat_places",
    "threat_groups",
    "countries",
    "organizations",
    "groups",
    "rules",
    "note",
];

/// Fields of an `accession` entry, for suggestions.
const ACCESSION_FIELDS: &[&str] = &["member", "member_kind", "organization", "organization_name"];

fn parse_record(line: &str) -> Result<LabelRecord, String> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| {
        let message = e.to_string();
        let message = message
            .rfind(" at line ")
            .map_or(message.as_str(), |i| &message[..i]);
        format!("not valid JSON (column {}): {message}", e.column())
    })?;
    if !value.is_object() {
        return Err(format!(
            "expected a JSON object (one labelled passage), found {}",
            kind_of(&value)
        ));
    }
    let record: LabelRecord = serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.inner().to_string();
        let in_accession = path.starts_with("accession[");
        let suggestion = unknown_field(&message).and_then(|given| {
            let fields = if in_accession {
                ACCESSION_FIELDS
            } else {
                FIELDS
            };
            commwatch_runtime::nearest(given, fields.iter().copied())
        });
        let mut text = if path == "." || path.is_empty() || message.starts_with("unknown field") {
            let at = path
                .rsplit_once('.')
                .map(|(parent, _)| parent)
                .filter(|p| !p.is_empty() && *p != "." && message.starts_with("unknown field"));
            match at {
                Some(parent) => format!("{parent}: {message}"),
                None => message,
            }
        } else {
            format!("{path}: {message}")
        };
        if let Some(s) = suggestion {
            text.push_str(&format!(" (did you mean {s:?}?)"));
        }
        text
    })?;
    check(&record)?;
    Ok(record)
}

/// For serde's "unknown field `x`, expected …", the `x`.
fn unknown_field(message: &str) -> Option<&str> {
    message
        .strip_prefix("unknown field `")?
        .split_once('`')
        .map(|(given, _)| given)
}

fn kind_of(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// What the types cannot say.
fn check(r: &LabelRecord) -> Result<(), String> {
    if r.id.trim().is_empty() {
        return Err("id: is empty".into());
    }
    if r.text.trim().is_empty() {
        return Err("text: is empty; expected the passage".into());
    }
    for (i, a) in r.accession.iter().flatten().enumerate() {
        if a.member.trim().is_empty() {
            return Err(format!("accession[{i}].member: is empty"));
        }
        if a.organization.trim().is_empty() {
            return Err(format!("accession[{i}].organization: is empty"));
        }
    }
    if r.accession.as_ref().is_some_and(|a| !a.is_empty()) && r.accession_negative.is_some() {
        return Err(
            "accession_negative: is set, but `accession` lists new members; a passage is one or the other"
                .into(),
        );
    }
    let lists = [
        ("threat_places", &r.threat_places),
        ("threat_groups", &r.threat_groups),
        ("countries", &r.countries),
        ("organizations", &r.organizations),
        ("groups", &r.groups),
    ];
    for (name, list) in lists {
        if let Some(i) = list.iter().flatten().position(|v| v.trim().is_empty()) {
            return Err(format!("{name}[{i}]: is empty"));
        }
    }
    if let Some(rule) = r
        .rules
        .iter()
        .flat_map(|m| m.keys())
        .find(|k| HEADLINE_RULES.contains(&k.as_str()))
    {
        let field = if rule == "new_member_accession" {
            "accession"
        } else {
            "threat_places"
        };
        return Err(format!(
            "rules.{rule}: {rule} is labelled by the `{field}` field, not in `rules`"
        ));
    }
    Ok(())
}

/// A problem with one line of a labels file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelError {
    /// `file:line`, or the file for a file that cannot be read.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Every problem found in a labels file; never empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelErrors(pub Vec<LabelError>);

impl fmt::Display for LabelErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LabelErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        match Labels::parse("l.jsonl", text.as_bytes()) {
            Ok(_) => Vec::new(),
            Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn reads_the_record_format_of_the_labelling_guide() {
        let line = r#"{"id": "wh#3", "split": "dev", "source": "White House", "license": "public domain", "title": "T", "text": "Finland joined NATO.", "accession": [{"member": "FI", "member_kind": "country", "organization": "nato", "organization_name": "NATO"}], "accession_negative": null, "threat_places": [], "threat_groups": [], "countries": ["FI"], "organizations": ["nato"], "groups": [], "note": null}"#;
        let records = Labels::parse("l.jsonl", format!("{line}\n\n").as_bytes()).unwrap();
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(r.accession.as_ref().unwrap()[0].member, "FI");
        assert_eq!(
            r.accession.as_ref().unwrap()[0].member_kind,
            Some(MemberKind::Country)
        );
        assert_eq!(r.countries.as_deref(), Some(&["FI".to_string()][..]));
        assert_eq!(r.groups.as_deref(), Some(&[][..]));
        assert_eq!(r.to_event().title.as_deref(), Some("T"));
    }

    #[test]
    fn every_bad_line_is_reported_with_its_location() {
        let text = [
            r#"{"id": "a", "text": "x"}"#,
            r#"{"id": "b", "text": "x", "threat_place": []}"#,
            "not json",
            r#"["id"]"#,
            r#"{"id": "a", "text": "y"}"#,
            r#"{"id": "c", "text": "x", "accession": [{"member": "FI", "member_kind": "state", "organization": "nato"}]}"#,
            r#"{"id": "d"}"#,
            r#"{"id": "e", "text": "x", "countries": "FI"}"#,
            r#"{"id": "f", "text": "x", "accession": [{"membr": "FI", "organization": "nato"}]}"#,
            r#"{"id": "g", "text": "x", "rules": {"regional_threat": true}}"#,
        ]
        .join("\n");
        let e = errors(&text);
        assert_eq!(e.len(), 9, "{e:#?}");
        assert!(
            e[0].starts_with("l.jsonl:2: unknown field `threat_place`")
                && e[0].ends_with("(did you mean \"threat_places\"?)"),
            "{}",
            e[0]
        );
        assert_eq!(e[1], "l.jsonl:3: not valid JSON (column 2): expected ident");
        assert_eq!(
            e[2],
            "l.jsonl:4: expected a JSON object (one labelled passage), found an array"
        );
        assert_eq!(
            e[3],
            "l.jsonl:5: id \"a\" is already used on line 1; ids must be unique"
        );
        assert!(
            e[4].starts_with("l.jsonl:6: accession[0].member_kind: unknown variant `state`"),
            "{}",
            e[4]
        );
        assert_eq!(e[5], "l.jsonl:7: missing field `text`");
        assert!(
            e[6].starts_with("l.jsonl:8: countries: invalid type: string \"FI\""),
            "{}",
            e[6]
        );
        assert!(
            e[7].starts_with("l.jsonl:9: accession[0]: unknown field `membr`")
                && e[7].ends_with("(did you mean \"member\"?)"),
            "{}",
            e[7]
        );
        assert!(e[8].contains("rules.regional_threat"), "{}", e[8]);
    }

    #[test]
    fn a_split_keeps_its_records_and_those_without_one() {
        let text = [
            r#"{"id": "a", "text": "x", "split": "dev"}"#,
            r#"{"id": "b", "text": "x", "split": "test"}"#,
            r#"{"id": "c", "text": "x"}"#,
        ]
        .join("\n");
        let labels = Labels {
            path: "l.jsonl".into(),
            records: Labels::parse("l.jsonl", text.as_bytes()).unwrap(),
            split: None,
        }
        .only_split("test");
        let ids: Vec<&str> = labels.records.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["b", "c"]);
    }
}
