//! `commwatch eval`: flags in, exit code out; the work is `commwatch-eval`'s.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use commwatch_eval::{EvalConfig, Labels};
use commwatch_pipeline::ProcessError;

use crate::PipelineArgs;

#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// The labelled passages: one JSON object per line (docs/labelling.md).
    labels: PathBuf,

    /// The pipeline whose stages are evaluated (its sources, `alerts` stages and sinks are left
    /// out).
    #[arg(long, default_value = "pipeline.toml", value_name = "FILE")]
    pipeline: PathBuf,

    /// Overrides a key of the pipeline file (as for `run`). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,

    /// Only the records of this split (records without a `split` field are kept).
    #[arg(long, value_parser = ["dev", "test"])]
    split: Option<String>,

    /// Lists every false positive and false negative: case, gold and predicted values, the
    /// alert's summary and evidence, and the passage around it.
    #[arg(long)]
    errors: bool,

    /// Writes every metric, threshold check and error as JSON to this file.
    #[arg(long, value_name = "OUT")]
    json: Option<PathBuf>,

    /// A TOML file of the least value each metric must reach (and the alert labels naming a
    /// member or a place); exits 1 when one is not met.
    #[arg(long, value_name = "FILE")]
    thresholds: Option<PathBuf>,
}

/// `commwatch eval LABELS [--pipeline FILE] [--split S] [--errors] [--json OUT] [--thresholds FILE]`
pub(crate) fn eval(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let bad_input = |e: &dyn std::fmt::Display| {
        eprintln!("{e}");
        Ok(ExitCode::from(2))
    };
    let config = match &args.thresholds {
        Some(path) => match EvalConfig::load(path) {
            Ok(c) => c,
            Err(e) => return bad_input(&e),
        },
        None => EvalConfig::default(),
    };
    let mut labels = match Labels::read(&args.labels) {
        Ok(l) => l,
        Err(e) => return bad_input(&e),
    };
    if let Some(split) = &args.split {
        labels = labels.only_split(split);
    }
    let pipeline = match crate::load(&PipelineArgs {
        pipeline: args.pipeline.clone(),
        sets: args.sets.clone(),
    }) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let report = match commwatch_eval::evaluate(pipeline, &labels, &config) {
        Ok(r) => r,
        Err(ProcessError::Config(e)) => return bad_input(&e),
        Err(e) => return Err(e).context("running the pipeline"),
    };

    let mut out = report.to_string();
    if args.errors {
        out.push('\n');
        out.push_str(&report.errors_listing());
    }
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(out.as_bytes());
    if let Some(path) = &args.json {
        let json = serde_json::to_string_pretty(&report)?;
        std::fs::write(path, json + "\n").with_context(|| format!("writing {}", path.display()))?;
    }
    let failed = report.failed_thresholds();
    if failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        let keys: Vec<&str> = failed.iter().map(|t| t.key.as_str()).collect();
        eprintln!("commwatch: threshold(s) not met: {}", keys.join(", "));
        Ok(ExitCode::from(1))
    }
}
