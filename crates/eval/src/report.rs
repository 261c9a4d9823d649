//! The evaluation report: metrics, errors and threshold checks, as a table, a listing and JSON.

use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::config::EvalConfig;

/// Counts of one metric and the figures derived from them. A figure whose denominator is zero
/// (precision with nothing predicted, recall with nothing to find) is `None` (`null` in JSON,
/// `—` in the table).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metric {
    /// Labelled cases the metric was computed over (those carrying its label field).
    pub cases: usize,
    /// True positives.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: usize,
    /// TP / (TP + FP).
    pub precision: Option<f64>,
    /// TP / (TP + FN).
    pub recall: Option<f64>,
    /// 2·TP / (2·TP + FP + FN).
    pub f1: Option<f64>,
}

impl Metric {
    pub(crate) fn finish(&mut self) {
        let ratio = |num: usize, den: usize| (den > 0).then(|| num as f64 / den as f64);
        self.precision = ratio(self.tp, self.tp + self.fp);
        self.recall = ratio(self.tp, self.tp + self.fn_);
        self.f1 = ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_);
    }

    /// The figure named `stat` (`precision`, `recall`, `f1`).
    pub fn stat(&self, stat: &str) -> Option<f64> {
        match stat {
            "precision" => self.precision,
            "recall" => self.recall,
            "f1" => self.f1,
            _ => None,
        }
    }
}

/// The metrics of `new_member_accession`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AccessionMetrics {
    /// Per case: has ≥ 1 such alert vs. `accession` is non-empty.
    pub case: Metric,
    /// Per (case, organization, member).
    pub pair: Metric,
    /// Per (case, member), whatever the organization.
    pub member: Metric,
}

/// The metrics of `regional_threat`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ThreatMetrics {
    /// Per case: has ≥ 1 such alert vs. `threat_places` is non-empty.
    pub case: Metric,
    /// Per (case, place).
    pub place: Metric,
}

/// Another rule that fired or is labelled in `rules`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleReport {
    /// The rule id.
    pub rule: String,
    /// Cases on which it raised at least one alert.
    pub firing_cases: usize,
    /// Per case, over the records whose `rules` field names the rule; `None` when none does.
    pub labelled: Option<Metric>,
}

/// A case the pipeline gave nothing back for; it is scored as predicting nothing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unprocessed {
    /// The case id.
    pub case: String,
    /// Why.
    pub reason: String,
}

/// False positive or false negative.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Predicted, not in the labels.
    FalsePositive,
    /// In the labels, not predicted.
    FalseNegative,
}

impl ErrorKind {
    fn as_str(self) -> &'static str {
        match self {
            ErrorKind::FalsePositive => "false positive",
            ErrorKind::FalseNegative => "false negative",
        }
    }
}

/// What made the pipeline predict something: an alert (its summary and the text of its
/// evidence spans) or entity spans (their text).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    /// The alert's summary; `None` for entity spans.
    pub summary: Option<String>,
    /// The raw text of each span, whitespace collapsed.
    pub quotes: Vec<String>,
}

/// One false positive or false negative.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseError {
    /// The case id.
    pub case: String,
    /// The metric: `new_member_accession.pair`, `countries`, `rules.sanctions`, ….
    pub metric: String,
    /// False positive or negative.
    pub kind: ErrorKind,
    /// The value in error (`nato:FI`, `ML`); `None` for a case-level metric.
    pub value: Option<String>,
    /// The case's gold values for this metric (pairs, places, ids; the rule id when it should
    /// fire).
    pub gold: Vec<String>,
    /// The case's predicted values for this metric.
    pub predicted: Vec<String>,
    /// For an accession false positive: the record's `accession_negative` kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_kind: Option<String>,
    /// For a false positive: the alerts or spans behind it.
    pub evidence: Vec<Evidence>,
    /// The passage, shortened around the evidence (its beginning when there is none).
    pub passage: String,
}

/// The outcome of one threshold.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThresholdCheck {
    /// The key in the thresholds file, e.g. `new_member_accession.case_precision`.
    pub key: String,
    /// The least value accepted.
    pub threshold: f64,
    /// The value reached; `None` when undefined.
    pub value: Option<f64>,
    /// Whether the value reaches the threshold (an undefined value does not).
    pub met: bool,
    /// Why the value is undefined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undefined: Option<String>,
}

/// Everything `commwatch eval` measured.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EvalReport {
    /// The labels file.
    pub labels: String,
    /// The pipeline file.
    pub pipeline: String,
    /// The split evaluated, if one was chosen.
    pub split: Option<String>,
    /// Cases evaluated.
    pub cases: usize,
    /// `new_member_accession` metrics.
    pub new_member_accession: AccessionMetrics,
    /// `regional_threat` metrics.
    pub regional_threat: ThreatMetrics,
    /// `country` spans vs. `countries`.
    pub countries: Metric,
    /// `organization` spans vs. `organizations`.
    pub organizations: Metric,
    /// `group` spans vs. `groups`.
    pub groups: Metric,
    /// Other rules, by id.
    pub rules: Vec<RuleReport>,
    /// Cases the pipeline gave nothing back for.
    pub unprocessed: Vec<Unprocessed>,
    /// Threshold checks, sorted by key.
    pub thresholds: Vec<ThresholdCheck>,
    /// Every false positive and negative, by metric then case.
    pub errors: Vec<CaseError>,
}

impl EvalReport {
    /// The metrics by name, in report order: `new_member_accession.case`, …, `groups`, then
    /// `rules.<id>` for each labelled rule.
    pub fn metrics(&self) -> Vec<(String, &Metric)> {
        let mut out: Vec<(String, &Metric)> = vec![
            (
                "new_member_accession.case".into(),
                &self.new_member_accession.case,
            ),
            (
                "new_member_accession.pair".into(),
                &self.new_member_accession.pair,
            ),
            (
                "new_member_accession.member".into(),
                &self.new_member_accession.member,
            ),
            ("regional_threat.case".into(), &self.regional_threat.case),
            ("regional_threat.place".into(), &self.regional_threat.place),
            ("countries".into(), &self.countries),
            ("organizations".into(), &self.organizations),
            ("groups".into(), &self.groups),
        ];
        for r in &self.rules {
            if let Some(m) = &r.labelled {
                out.push((format!("rules.{}", r.rule), m));
            }
        }
        out
    }

    /// Checks the thresholds of `config`, recording the outcome in [`EvalReport::thresholds`].
    pub(crate) fn check(&mut self, config: &EvalConfig) {
        let mut checks = Vec::new();
        for t in &config.thresholds {
            let metrics = self.metrics();
            let metric = metrics
                .iter()
                .find(|(name, _)| *name == t.metric)
                .map(|(_, m)| *m);
            let value = metric.and_then(|m| m.stat(t.stat));
            let undefined = match (metric, value) {
                (_, Some(_)) => None,
                (None, _) => Some(format!(
                    "no case is labelled for {} (a `rules` field naming it)",
                    t.metric
                )),
                (Some(m), None) if m.cases == 0 => {
                    Some("no case carries the label field it needs".to_string())
                }
                (Some(_), None) => Some(match t.stat {
                    "precision" => "nothing was predicted".to_string(),
                    "recall" => "the labels have nothing to find".to_string(),
                    _ => "nothing was predicted and the labels have nothing to find".to_string(),
                }),
            };
            checks.push(ThresholdCheck {
                key: t.key.clone(),
                threshold: t.min,
                value,
                // A small tolerance: 19/20 and the threshold 0.95 are both rounded.
                met: value.is_some_and(|v| v + 1e-9 >= t.min),
                undefined,
            });
        }
        self.thresholds = checks;
    }

    /// The thresholds that were not met.
    pub fn failed_thresholds(&self) -> Vec<&ThresholdCheck> {
        self.thresholds.iter().filter(|t| !t.met).collect()
    }

    /// Every false positive and negative, one block each, for `--errors`.
    pub fn errors_listing(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "errors ({})", self.errors.len());
        for e in &self.errors {
            let _ = writeln!(out, "\n{}  {}  {}", e.kind.as_str(), e.metric, e.case);
            if let Some(v) = &e.value {
                let _ = writeln!(out, "  value      {v}");
            }
            let list = |v: &[String]| {
                if v.is_empty() {
                    "(none)".to_string()
                } else {
                    v.join(", ")
                }
            };
            let mut gold = list(&e.gold);
            if let Some(kind) = &e.negative_kind {
                gold.push_str(&format!(" (accession_negative: {kind})"));
            }
            let _ = writeln!(out, "  gold       {gold}");
            let _ = writeln!(out, "  predicted  {}", list(&e.predicted));
            for ev in &e.evidence {
                if let Some(s) = &ev.summary {
                    let _ = writeln!(out, "  alert      {s}");
                }
                let quotes: Vec<String> = ev.quotes.iter().map(|q| format!("{q:?}")).collect();
                let _ = writeln!(out, "  evidence   {}", quotes.join(" "));
            }
            let _ = writeln!(out, "  passage    {}", e.passage);
        }
        out
    }
}

fn figure(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.3}"))
}

impl fmt::Display for EvalReport {
    /// The table `commwatch eval` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let split = self
            .split
            .as_ref()
            .map(|s| format!(", split {s}"))
            .unwrap_or_default();
        writeln!(
            f,
            "{} case(s) from {}{split}, pipeline {}\n",
            self.cases, self.labels, self.pipeline
        )?;
        let metrics = self.metrics();
        let width = metrics
            .iter()
            .map(|(name, _)| name.chars().count())
            .chain(self.rules.iter().map(|r| r.rule.chars().count()))
            .chain([30])
            .max()
            .unwrap_or(30);
        writeln!(
            f,
            "{:<width$} {:>6} {:>5} {:>5} {:>5} {:>9} {:>7} {:>7}",
            "metric", "cases", "TP", "FP", "FN", "precision", "recall", "F1"
        )?;
        for (name, m) in &metrics {
            writeln!(
                f,
                "{:<width$} {:>6} {:>5} {:>5} {:>5} {:>9} {:>7} {:>7}",
                name,
                m.cases,
                m.tp,
                m.fp,
                m.fn_,
                figure(m.precision),
                figure(m.recall),
                figure(m.f1)
            )?;
        }
        if !self.rules.is_empty() {
            writeln!(f, "\n{:<width$} {:>12}", "rule", "firing cases")?;
            for r in &self.rules {
                writeln!(f, "{:<width$} {:>12}", r.rule, r.firing_cases)?;
            }
        }
        if !self.unprocessed.is_empty() {
            writeln!(
                f,
                "\n{} case(s) came back from no stage (scored as predicting nothing):",
                self.unprocessed.len()
            )?;
            for u in &self.unprocessed {
                writeln!(f, "  {}: {}", u.case, u.reason)?;
            }
        }
        if !self.thresholds.is_empty() {
            let failed = self.failed_thresholds().len();
            writeln!(
                f,
                "\nthresholds: {} met, {failed} not met",
                self.thresholds.len() - failed
            )?;
            let width = self
                .thresholds
                .iter()
                .map(|t| t.key.chars().count())
                .max()
                .unwrap_or(0);
            for t in &self.thresholds {
                let mark = if t.met { "ok  " } else { "FAIL" };
                let outcome = match (&t.value, &t.undefined) {
                    (Some(v), _) if t.met => format!("{v:.3} >= {}", t.threshold),
                    (Some(v), _) => format!("{v:.3} < {}", t.threshold),
                    (None, why) => format!(
                        "undefined ({}), threshold {}",
                        why.as_deref().unwrap_or("no value"),
                        t.threshold
                    ),
                };
                writeln!(f, "  {mark} {:<width$} {outcome}", t.key)?;
            }
        }
        Ok(())
    }
}
