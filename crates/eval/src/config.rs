//! The thresholds file (`--thresholds FILE`): the least value each metric must reach, and how
//! alert labels map to the label fields.
//!
//! ```toml
//! [new_member_accession]
//! case_precision = 0.95
//! case_recall = 0.90
//! member_labels = ["member", "country"]     # mapping: the first label an alert has
//!
//! [regional_threat]
//! case_precision = 0.95
//! place_precision = 0.90
//! place_labels = ["region", "country"]      # mapping: the first label an alert has …
//! place_in_evidence = false                 # … or the first whose value is a span of its evidence
//!
//! [countries]
//! precision = 0.99
//!
//! [rules.sanctions]
//! recall = 0.9
//! ```

use std::path::Path;

use commwatch_pipeline::{ConfigError, ConfigErrors};
use commwatch_runtime::nearest;
use toml::Value;

/// The sections of a thresholds file.
const SECTIONS: &[&str] = &[
    "new_member_accession",
    "regional_threat",
    "countries",
    "organizations",
    "groups",
    "rules",
];

/// The statistics a threshold can bound.
const STATS: [&str; 3] = ["precision", "recall", "f1"];

/// How alerts are read, and the thresholds to check.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalConfig {
    /// Labels naming an accession alert's new member, in order of preference.
    pub member_labels: Vec<String>,
    /// Labels naming a regional-threat alert's place, in order of preference.
    pub place_labels: Vec<String>,
    /// Prefer the first of `place_labels` whose value is the id of one of the alert's evidence
    /// spans (the place the text names), before the first the alert has.
    pub place_in_evidence: bool,
    /// The thresholds, sorted by section and key.
    pub thresholds: Vec<Threshold>,
}

impl Default for EvalConfig {
    fn default() -> EvalConfig {
        EvalConfig {
            member_labels: vec!["member".into(), "country".into()],
            place_labels: vec!["region".into(), "country".into()],
            place_in_evidence: false,
            thresholds: Vec::new(),
        }
    }
}

/// The least value of one statistic of one metric.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    /// The key as written, e.g. `new_member_accession.case_precision`.
    pub key: String,
    /// The metric, as named in the report: `new_member_accession.case`, `countries`,
    /// `rules.sanctions`.
    pub metric: String,
    /// `precision`, `recall` or `f1`.
    pub stat: &'static str,
    /// The least value accepted.
    pub min: f64,
}

impl EvalConfig {
    /// Reads a thresholds file; returns every problem found.
    pub fn load(path: &Path) -> Result<EvalConfig, ConfigErrors> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(&file, "", format!("cannot read: {e}")))?;
        EvalConfig::parse(&file, &text)
    }

    /// Parses the text of a thresholds file named `file` (for error messages).
    pub fn parse(file: &str, text: &str) -> Result<EvalConfig, ConfigErrors> {
        let root: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ConfigError::new(file, "", e.to_string().trim_end()))?;
        let mut config = EvalConfig::default();
        let mut errors = Vec::new();
        let err = |key: &str, message: String| ConfigError::new(file, key, message);
        for (section, value) in &root {
            if !SECTIONS.contains(&section.as_str()) {
                errors.push(
                    err(
                        section,
                        format!("unknown section; expected one of {}", SECTIONS.join(", ")),
                    )
                    .suggest(nearest(section, SECTIONS.iter().copied())),
                );
                continue;
            }
            let Some(table) = value.as_table() else {
                errors.push(err(
                    section,
                    format!(
                        "expected a table, e.g. [{section}], found {}",
                        value.type_str()
                    ),
                ));
                continue;
            };
            if section == "rules" {
                for (rule, value) in table {
                    let key = format!("rules.{rule}");
                    match value.as_table() {
                        Some(t) => read_thresholds(file, &key, &[("", &key)], &[], t, &mut config, &mut errors),
                        None => errors.push(err(
                            &key,
                            format!(
                                "expected a table of thresholds for rule {rule:?}, e.g. [rules.{rule}] precision = 0.9"
                            ),
                        )),
                    }
                }
                continue;
            }
            // The measures of the section (the prefix of its keys, and the metric it bounds) and
            // its mapping keys.
            let (measures, mapping): (Vec<(&str, String)>, &[&str]) = match section.as_str() {
                "new_member_accession" => (
                    ["case", "pair", "member"]
                        .map(|m| (m, format!("{section}.{m}")))
                        .to_vec(),
                    &["member_labels"],
                ),
                "regional_threat" => (
                    ["case", "place"]
                        .map(|m| (m, format!("{section}.{m}")))
                        .to_vec(),
                    &["place_labels", "place_in_evidence"],
                ),
                _ => (vec![("", section.clone())], &[]),
            };
            let measures: Vec<(&str, &str)> = measures
                .iter()
                .map(|(m, metric)| (*m, metric.as_str()))
                .collect();
            read_thresholds(
                file,
                section,
                &measures,
                mapping,
                table,
                &mut config,
                &mut errors,
            );
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigErrors(errors))
        }
    }
}

/// Reads the keys of `table`, the thresholds of section `section`: `<measure>_<stat>` (or just
/// `<stat>` for a measure named "") for each of `measures` (measure, metric), and the
/// `mapping` keys (label lists).
fn read_thresholds(
    file: &str,
    section: &str,
    measures: &[(&str, &str)],
    mapping: &[&str],
    table: &toml::Table,
    config: &mut EvalConfig,
    errors: &mut Vec<ConfigError>,
) {
    let mut valid: Vec<(String, &str, &'static str)> = Vec::new();
    for (measure, metric) in measures {
        for stat in STATS {
            let name = if measure.is_empty() {
                stat.to_string()
            } else {
                format!("{measure}_{stat}")
            };
            valid.push((name, metric, stat));
        }
    }
    for (key, value) in table {
        let path = format!("{section}.{key}");
        if mapping.contains(&key.as_str()) {
            let read = match key.as_str() {
                "place_in_evidence" => match value.as_bool() {
                    Some(b) => {
                        config.place_in_evidence = b;
                        Ok(())
                    }
                    None => Err(format!(
                        "expected true or false, found {}",
                        value.type_str()
                    )),
                },
                "member_labels" => label_list(value).map(|l| config.member_labels = l),
                _ => label_list(value).map(|l| config.place_labels = l),
            };
            if let Err(m) = read {
                errors.push(ConfigError::new(file, &path, m));
            }
            continue;
        }
        let Some((_, metric, stat)) = valid.iter().find(|(name, _, _)| name == key) else {
            let names: Vec<&str> = valid
                .iter()
                .map(|(name, _, _)| name.as_str())
                .chain(mapping.iter().copied())
                .collect();
            errors.push(
                ConfigError::new(
                    file,
                    &path,
                    format!("unknown threshold; expected one of {}", names.join(", ")),
                )
                .suggest(nearest(key, names.iter().copied())),
            );
            continue;
        };
        let min = match value {
            Value::Float(f) => *f,
            Value::Integer(i) => *i as f64,
            other => {
                errors.push(ConfigError::new(
                    file,
                    &path,
                    format!(
                        "expected a number between 0 and 1, found {}",
                        other.type_str()
                    ),
                ));
                continue;
            }
        };
        if !(0.0..=1.0).contains(&min) {
            errors.push(ConfigError::new(
                file,
                &path,
                format!("expected a number between 0 and 1, found {min}"),
            ));
            continue;
        }
        config.thresholds.push(Threshold {
            key: path,
            metric: metric.to_string(),
            stat,
            min,
        });
    }
}

fn label_list(value: &Value) -> Result<Vec<String>, String> {
    let list: Option<Vec<String>> = value.as_array().and_then(|a| {
        a.iter()
            .map(|v| v.as_str().filter(|s| !s.is_empty()).map(str::to_string))
            .collect()
    });
    match list {
        Some(list) if !list.is_empty() => Ok(list),
        _ => Err(format!(
            "expected a non-empty array of label names, e.g. [\"region\", \"country\"], found {}",
            value
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        EvalConfig::parse("t.toml", text)
            .unwrap_err()
            .0
            .iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn reads_thresholds_and_mapping() {
        let c = EvalConfig::parse(
            "t.toml",
            r#"
[new_member_accession]
case_precision = 0.95
pair_recall = 1

[regional_threat]
place_f1 = 0.5
place_labels = ["country", "region"]
place_in_evidence = true

[countries]
precision = 0.99

[rules.sanctions]
recall = 0.8
"#,
        )
        .unwrap();
        let got: Vec<(&str, &str, &str, f64)> = c
            .thresholds
            .iter()
            .map(|t| (t.key.as_str(), t.metric.as_str(), t.stat, t.min))
            .collect();
        // Sorted by section and key.
        assert_eq!(
            got,
            [
                ("countries.precision", "countries", "precision", 0.99),
                (
                    "new_member_accession.case_precision",
                    "new_member_accession.case",
                    "precision",
                    0.95
                ),
                (
                    "new_member_accession.pair_recall",
                    "new_member_accession.pair",
                    "recall",
                    1.0
                ),
                (
                    "regional_threat.place_f1",
                    "regional_threat.place",
                    "f1",
                    0.5
                ),
                ("rules.sanctions.recall", "rules.sanctions", "recall", 0.8),
            ]
        );
        assert_eq!(c.place_labels, ["country", "region"]);
        assert!(c.place_in_evidence);
        assert_eq!(c.member_labels, ["member", "country"]);
    }

    #[test]
    fn unknown_names_get_the_nearest_valid_one() {
        let e = errors(
            r#"
[new_member_accession]
case_precison = 0.9

[regional_threats]
case_recall = 0.9

[countries]
precission = 0.9
recall = 1.5

[rules.sanctions]
recal = 0.9
"#,
        );
        assert_eq!(e.len(), 5, "{e:#?}");
        assert!(
            e[0].starts_with("t.toml: countries.precission: unknown threshold; expected one of precision, recall, f1")
                && e[0].ends_with("(did you mean \"precision\"?)"),
            "{}",
            e[0]
        );
        assert_eq!(
            e[1],
            "t.toml: countries.recall: expected a number between 0 and 1, found 1.5"
        );
        assert!(
            e[2].starts_with("t.toml: new_member_accession.case_precison: unknown threshold; expected one of case_precision,")
                && e[2].ends_with("(did you mean \"case_precision\"?)"),
            "{}",
            e[2]
        );
        assert!(
            e[3].starts_with("t.toml: regional_threats: unknown section")
                && e[3].ends_with("(did you mean \"regional_threat\"?)"),
            "{}",
            e[3]
        );
        assert!(
            e[4].starts_with("t.toml: rules.sanctions.recal: unknown threshold")
                && e[4].ends_with("(did you mean \"recall\"?)"),
            "{}",
            e[4]
        );
    }

    #[test]
    fn bad_values_and_toml_are_reported() {
        let e = errors("[countries]\nprecision = \"high\"\n");
        assert_eq!(
            e,
            ["t.toml: countries.precision: expected a number between 0 and 1, found string"]
        );
        let e = errors("[regional_threat]\nplace_labels = []\n");
        assert!(
            e[0].starts_with("t.toml: regional_threat.place_labels: expected a non-empty array")
        );
        let e = errors("[countries\n");
        assert!(e[0].starts_with("t.toml: TOML parse error"), "{}", e[0]);
    }
}
