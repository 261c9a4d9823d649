//! Deriving the benchmark pipeline from a user's pipeline file.
//!
//! The stages stay exactly as configured; what changes is where documents come from (the corpus
//! file), where results go (the pipeline's file sinks — JSONL and SQLite — write into the run's
//! directory, other sinks are left out, and a JSONL alert file and the latency probe the runner
//! adds read what they read), which alert history an `alerts` stage consults (the run's, never
//! the user's), how many workers each parallelizable stage gets, where dead letters go and, to measure how throughput
//! scales with the number of rules, which rule file the `rules` stages load.

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
    /// Each stage's id and type (`normalize`, `tag`, `rules`, `plugin`, `alerts`).
    pub stage_types: Vec<(String, String)>,
}

/// Derives the benchmark pipeline from `pipeline`: source = `corpus` (paced at `rate` documents
/// per second if given), sinks = the file sinks moved into `out_dir` plus an alert file there,
/// `threads` workers per stage and, if
/// `rules` is given, that one rule file for every `rules` stage (an error if there is none).
pub fn derive(
    pipeline: &Path,
    corpus: &Path,
    out_dir: &Path,
    threads: usize,
    rate: Option<f64>,
    rules: Option<&Path>,
    state: bool,
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
    // The pipeline's file sinks stay, writing into the run's directory; the others (console,
    // webhook, Alertmanager, NATS) are left out: they measure a terminal or a server, not us.
    let mut sink_inputs: Vec<String> = Vec::new();
    let mut sinks = Table::new();
    // Where each moved sink's file went (old path, new path).
    let mut moved_files: Vec<(String, String)> = Vec::new();
    if let Some(old_sinks) = table.get_mut("sinks").and_then(Value::as_table_mut) {
        for (id, sink) in old_sinks
            .iter_mut()
            .filter_map(|(id, v)| Some((id, v.as_table_mut()?)))
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
            let file = match sink.get("type").and_then(Value::as_str) {
                Some("jsonl") => out_dir.join(format!("sink-{id}.jsonl")),
                Some("sqlite") => out_dir.join(format!("sink-{id}.db")),
                _ => continue,
            };
            let file = file.display().to_string();
            if let Some(old) = sink.get("path").and_then(Value::as_str) {
                moved_files.push((old.to_string(), file.clone()));
            }
            sink.insert("path".into(), file.into());
            sinks.insert(format!("bench_{id}"), Value::Table(sink.clone()));
        }
    }
    if sink_inputs.is_empty() {
        return Err(BenchError::Pipeline(format!(
            "{}: no sink reads anything; nothing to measure",
            pipeline.display()
        )));
    }
    let mut stage_types = Vec::new();
    if let Some(stages) = table.get_mut("stages").and_then(Value::as_table_mut) {
        for (id, stage) in stages
            .iter_mut()
            .filter_map(|(id, v)| Some((id, v.as_table_mut()?)))
        {
            if let Some(inputs) = stage.get_mut("inputs") {
                rename(inputs);
            }
            let ty = stage
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if PARALLEL_STAGE_TYPES.contains(&ty.as_str()) {
                stage.insert("workers".into(), Value::Integer(threads as i64));
            }
            if let (Some(file), "rules") = (rules, ty.as_str()) {
                stage.insert(
                    "rules".into(),
                    Value::Array(vec![file.display().to_string().into()]),
                );
            }
            // An `alerts` stage reads the alert history its `sqlite` sink writes: the same file,
            // moved with it, or a fresh one in the run's directory (never the user's history).
            if let Some(old) = stage.get("history").and_then(Value::as_str) {
                let file = moved_files
                    .iter()
                    .find(|(from, _)| from == old)
                    .map(|(_, to)| to.clone())
                    .unwrap_or_else(|| {
                        out_dir
                            .join(format!("history-{id}.db"))
                            .display()
                            .to_string()
                    });
                stage.insert("history".into(), file.into());
            }
            stage_types.push((id.clone(), ty));
        }
    }
    if rules.is_some() && !stage_types.iter().any(|(_, ty)| ty == "rules") {
        return Err(BenchError::Pipeline(format!(
            "{}: no stage of type \"rules\" to load the generated rules",
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
    sinks.insert("bench_alerts".into(), Value::Table(alerts));
    table.insert("sinks".into(), Value::Table(sinks));

    let section = table
        .entry("pipeline")
        .or_insert_with(|| Value::Table(Table::new()));
    if let Some(section) = section.as_table_mut() {
        // The run's own state store (fresh, so it reads the whole corpus), or none.
        let state_path = out_dir.join("state.db").display().to_string();
        section.insert(
            "state".into(),
            if state { state_path } else { "off".into() }.into(),
        );
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
        stage_types,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIPELINE: &str = r#"
[sources.docs]
type = "files"
paths = ["*.txt"]

[stages.tag]
type = "tag"
inputs = ["docs"]

[stages.alert]
type = "rules"
inputs = ["tag"]
rules = ["own.toml"]

[stages.alerting]
type = "alerts"
inputs = ["alert"]
history = "alerts.db"

[sinks.out]
type = "console"
inputs = ["alerting"]

[sinks.lines]
type = "jsonl"
inputs = ["alerting"]
path = "alerts.jsonl"

[sinks.history]
type = "sqlite"
inputs = ["alerting"]
path = "alerts.db"
"#;

    fn derived(rules: Option<&Path>) -> (Table, Vec<(String, String)>) {
        let dir = tempfile::tempdir().unwrap();
        let pipeline = dir.path().join("pipeline.toml");
        std::fs::write(&pipeline, PIPELINE).unwrap();
        let out = Path::new("/tmp/out");
        let d = derive(
            &pipeline,
            Path::new("/tmp/c.jsonl"),
            out,
            2,
            None,
            rules,
            true,
        )
        .unwrap();
        (d.text.parse().unwrap(), d.stage_types)
    }

    fn rule_files(table: &Table) -> &Vec<Value> {
        table["stages"]["alert"]["rules"].as_array().unwrap()
    }

    #[test]
    fn the_rules_stages_load_only_the_given_file() {
        let (table, types) = derived(Some(Path::new("/tmp/generated.toml")));
        assert_eq!(
            rule_files(&table),
            &vec![Value::from("/tmp/generated.toml")]
        );
        assert_eq!(table["stages"]["alert"]["workers"].as_integer(), Some(2));
        assert_eq!(
            types,
            [("alert", "rules"), ("alerting", "alerts"), ("tag", "tag")]
                .map(|(id, ty)| (id.to_string(), ty.to_string()))
        );

        let (table, _) = derived(None);
        assert_eq!(rule_files(&table), &vec![Value::from("own.toml")]);
    }

    #[test]
    fn file_sinks_and_the_history_move_into_the_run_directory() {
        let (table, _) = derived(None);
        let sinks = table["sinks"].as_table().unwrap();
        let mut ids: Vec<&str> = sinks.keys().map(String::as_str).collect();
        ids.sort();
        assert_eq!(
            ids,
            ["bench_alerts", "bench_history", "bench_lines"],
            "console left out"
        );
        assert_eq!(
            sinks["bench_history"]["path"].as_str(),
            Some("/tmp/out/sink-history.db")
        );
        assert_eq!(
            sinks["bench_lines"]["path"].as_str(),
            Some("/tmp/out/sink-lines.jsonl")
        );
        assert_eq!(
            table["stages"]["alerting"]["history"].as_str(),
            Some("/tmp/out/sink-history.db"),
            "the stage reads the history its sink writes, not the user's"
        );
    }
}
