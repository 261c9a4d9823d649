//! Deriving the benchmark pipeline from a user's pipeline file.
//!
//! The stages stay exactly as configured; what changes is where documents come from (the corpus
//! file), where results go (a JSONL alert file, plus the latency probe the runner adds), how many
//! workers each parallelizable stage gets, and where dead letters go.

use std::path::Path;

use toml::{Table, Value};

use crate::BenchError;

/// Stage types that may run with several workers.
const PARALLEL_STAGE_TYPES: &[&str] = &["normalize", "tag", "rules", "plugin"];

/// A derived pipeline.
pub struct Derived {
    /// The pipeline text (TOML).
    pub text: String,
    /// What the original sinks read from; the probe reads the same.
    pub sink_inputs: Vec<String>,
}

/// Derives the benchmark pipeline from `pipeline`: source = `corpus` (paced at `rate` documents
/// per second if given), sinks = an alert file in `out_dir`, `threads` workers per stage.
pub fn derive(
    pipeline: &Path,
    corpus: &Path,
    out_dir: &Path,
    threads: usize,
    rate: Option<f64>,
) -> Result<Derived, BenchError> {
    let text = std::fs::read_to_string(pipeline).map_err(|source| BenchError::Io {
        context: pipeline.display().to_string(),
        source,
    })?;
    let mut table: Table = text
        .parse()
        .map_err(|e| BenchError::Pipeline(format!("{}: {e}", pipeline.display())))?;
    let old_sources: Vec<String> = table
        .get("sources")
        .and_then(Value::as_table)
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default();

    let mut source = Table::new();
    source.insert("type".into(), "jsonl".into());
    source.insert("path".into(), corpus.display().to_string().into());
    if let Some(rate) = rate {
        source.insert("max_rate".into(), Value::Float(rate));
    }
    let mut sources = Table::new();
    sources.insert("bench_corpus".into(), Value::Table(source));
    table.insert("sources".into(), Value::Table(sources));

    let rename = |inputs: &mut Value| {
        if let Some(list) = inputs.as_array_mut() {
            let mut renamed: Vec<Value> = Vec::new();
            for v in list.iter() {
                let v = match v.as_str() {
                    Some(id) if old_sources.iter().any(|s| s == id) => Value::from("bench_corpus"),
                    _ => v.clone(),
                };
                if !renamed.contains(&v) {
                    renamed.push(v);
                }
            }
            *list = renamed;
        }
    };
    if let Some(stages) = table.get_mut("stages").and_then(Value::as_table_mut) {
        for stage in stages
            .iter_mut()
            .map(|(_, v)| v)
            .filter_map(Value::as_table_mut)
        {
            if let Some(inputs) = stage.get_mut("inputs") {
                rename(inputs);
            }
            let parallel = stage
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| PARALLEL_STAGE_TYPES.contains(&t));
            if parallel {
                stage.insert("workers".into(), Value::Integer(threads as i64));
            }
        }
    }

    let mut sink_inputs: Vec<String> = Vec::new();
    if let Some(sinks) = table.get_mut("sinks").and_then(Value::as_table_mut) {
        for sink in sinks
            .iter_mut()
            .map(|(_, v)| v)
            .filter_map(Value::as_table_mut)
        {
            if let Some(inputs) = sink.get_mut("inputs") {
                rename(inputs);
                for id in inputs
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !sink_inputs.iter().any(|s| s == id) {
                        sink_inputs.push(id.to_string());
                    }
                }
            }
        }
    }
    if sink_inputs.is_empty() {
        return Err(BenchError::Pipeline(format!(
            "{}: no sink reads anything; nothing to measure",
            pipeline.display()
        )));
    }
    let mut alerts = Table::new();
    alerts.insert("type".into(), "jsonl".into());
    alerts.insert(
        "inputs".into(),
        Value::Array(
            sink_inputs
                .iter()
                .map(|s| Value::from(s.as_str()))
                .collect(),
        ),
    );
    alerts.insert(
        "path".into(),
        out_dir.join("alerts.jsonl").display().to_string().into(),
    );
    alerts.insert("content".into(), "alerts".into());
    let mut sinks = Table::new();
    sinks.insert("bench_alerts".into(), Value::Table(alerts));
    table.insert("sinks".into(), Value::Table(sinks));

    let section = table
        .entry("pipeline")
        .or_insert_with(|| Value::Table(Table::new()));
    if let Some(section) = section.as_table_mut() {
        section.insert(
            "dead_letter".into(),
            out_dir
                .join("dead-letter.jsonl")
                .display()
                .to_string()
                .into(),
        );
    }
    Ok(Derived {
        text: toml::to_string(&table).map_err(|e| BenchError::Pipeline(e.to_string()))?,
        sink_inputs,
    })
}
