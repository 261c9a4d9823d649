//! `commwatch eval`: how well a pipeline's rules and plugins do on labelled passages.
//!
//! A labels file ([`Labels`]) holds one passage per line with what a reader found in it (the
//! record format of `docs/labelling.md`). [`evaluate`] runs the pipeline's stages over the
//! passages with [`Pipeline::process`] — each passage one event, processed independently: no
//! sources, no sinks, no alert lifecycle or history — and scores what comes out against the
//! labels ([`EvalReport`]): `new_member_accession` per case, per (organization, member) and per
//! member; `regional_threat` per case and per place; the `country`, `organization` and `group`
//! entities; and every other rule that fires, with precision and recall where the labels say
//! whether it should (`rules`). [`EvalConfig`] holds the thresholds each metric must reach and
//! the alert labels that name a member or a place. `docs/eval.md` defines every metric.

mod config;
mod labels;
mod report;
mod score;

use commwatch_pipeline::{Pipeline, ProcessError};

pub use config::{EvalConfig, Threshold};
pub use labels::{AccessionLabel, LabelError, LabelErrors, LabelRecord, Labels, MemberKind};
pub use report::{
    AccessionMetrics, CaseError, ErrorKind, EvalReport, Evidence, Metric, RuleReport,
    ThreatMetrics, ThresholdCheck, Unprocessed,
};
pub use score::slug;

/// Runs `pipeline` over the passages of `labels` and scores the result, checking the
/// thresholds of `config`.
pub fn evaluate(
    pipeline: Pipeline,
    labels: &Labels,
    config: &EvalConfig,
) -> Result<EvalReport, ProcessError> {
    let pipeline_file = pipeline.file().display().to_string();
    let events = labels.records.iter().map(LabelRecord::to_event).collect();
    let processed = pipeline.process(events)?;
    let mut report = score::score(&labels.records, &processed, config);
    report.labels = labels.path.display().to_string();
    report.pipeline = pipeline_file;
    report.split = labels.split.clone();
    report.check(config);
    Ok(report)
}
