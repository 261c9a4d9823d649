//! Running a pipeline's stages over events held in memory, for tools that score or inspect what
//! the stages do (`commwatch eval`) rather than deliver it.
//!
//! The graph is the pipeline's own — the same prepared stages, factories, worker counts and
//! channel capacities that `commwatch run` builds — with three changes: the file's sources are
//! replaced by one source emitting the given events, the `alerts` stages (the alert lifecycle:
//! near-duplicate merging, repeat suppression, routing, the alert history) are left out, a stage
//! that read one reading that stage's inputs instead, and the sinks are not built at all. Each
//! event is captured after its last stage, and events a stage fails on are collected instead of
//! being written to the dead-letter output. Nothing is written to disk.

use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use commwatch_core::{Ack, Communique, Sink, SinkError, Source, SourceError, SourceOutput};
use commwatch_runtime::{
    ComponentKind, DeadLetter, DeadLetterWriter, GraphBuilder, RunError, Shutdown,
};

use crate::components::stages::StageSpec;
use crate::error::ConfigErrors;
use crate::pipeline::{Pipeline, Prepared, finish_graph};

/// What [`Pipeline::process`] returns.
#[derive(Debug, Default)]
pub struct Processed {
    /// The events as their last stage left them, in input order. An event that reached the end
    /// by several paths (a stage read by two others) appears once, with the spans, alerts and
    /// metadata of every path.
    pub events: Vec<Communique>,
    /// Events a stage failed on (they would have gone to the dead-letter output), in the order
    /// of the failures.
    pub failed: Vec<FailedEvent>,
    /// Ids of input events that neither came out nor failed: a stage dropped them on purpose
    /// (a filter), or the run stopped early (see `failures`).
    pub dropped: Vec<String>,
    /// Errors that ended the run early, such as a plugin configured with `on_panic = "stop"`
    /// that panicked. Empty when every event was processed.
    pub failures: Vec<String>,
}

/// An event a stage failed on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedEvent {
    /// The event's id.
    pub id: String,
    /// The id of the stage that failed.
    pub component: String,
    /// The stage's error message.
    pub error: String,
}

/// Why [`Pipeline::process`] could not run.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// Two input events share an id; events are told apart by id.
    #[error("two events have the id {0:?}; ids must be unique")]
    DuplicateId(String),
    /// The graph could not be built.
    #[error("{0}")]
    Config(#[from] ConfigErrors),
    /// The graph could not start.
    #[error(transparent)]
    Run(#[from] RunError),
}

impl Pipeline {
    /// Runs this pipeline's stages over `events` in memory and returns each event after its
    /// last stage, before any `alerts` stage: the file's sources are replaced by `events`,
    /// `alerts` stages are skipped (their readers read their inputs), and sinks are neither
    /// built nor written, nor is the dead-letter output or any alert history. Events must have
    /// unique ids.
    pub fn process(self, events: Vec<Communique>) -> Result<Processed, ProcessError> {
        let mut order: HashMap<String, usize> = HashMap::with_capacity(events.len());
        for (i, e) in events.iter().enumerate() {
            if order.insert(e.id.clone(), i).is_some() {
                return Err(ProcessError::DuplicateId(e.id.clone()));
            }
        }

        let taken: HashSet<String> = self.components.iter().map(|c| c.id.clone()).collect();
        let input = fresh_id("input", &taken);
        let capture = fresh_id("capture", &taken);
        let sources: HashSet<String> = self
            .components
            .iter()
            .filter(|c| c.kind == ComponentKind::Source)
            .map(|c| c.id.clone())
            .collect();
        let lifecycle: HashMap<String, Vec<String>> = self
            .components
            .iter()
            .filter(|c| {
                matches!(
                    c.prepared,
                    Prepared::Stage {
                        spec: StageSpec::Alerts(_),
                        ..
                    }
                )
            })
            .map(|c| (c.id.clone(), c.inputs.clone()))
            .collect();
        // What an input id becomes: the one source for any source, an `alerts` stage's own
        // inputs (resolved the same way) for that stage, else itself.
        let resolve = |inputs: &[String]| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            let mut todo: Vec<&String> = inputs.iter().rev().collect();
            while let Some(id) = todo.pop() {
                let id = if sources.contains(id) { &input } else { id };
                if let Some(inner) = lifecycle.get(id) {
                    todo.extend(inner.iter().rev());
                } else if !out.contains(id) {
                    out.push(id.clone());
                }
            }
            out
        };

        let mut builder = GraphBuilder::new(self.options.graph);
        builder.source(input.clone(), Box::new(MemorySource { events }));
        let mut stages: Vec<String> = Vec::new();
        let mut read: HashSet<String> = HashSet::new();
        for c in self.components {
            let Prepared::Stage { spec, node } = c.prepared else {
                continue;
            };
            if matches!(spec, StageSpec::Alerts(_)) {
                continue;
            }
            let inputs = resolve(&c.inputs);
            read.extend(inputs.iter().cloned());
            builder.stage(c.id.clone(), inputs, node, spec.factory(false));
            stages.push(c.id);
        }
        // The capture reads every stage whose output no other stage reads: the ends of the graph.
        let mut ends: Vec<String> = stages.into_iter().filter(|s| !read.contains(s)).collect();
        if ends.is_empty() {
            ends.push(input);
        }
        let arrived = Arc::new(Mutex::new(Vec::new()));
        let failed = Arc::new(Mutex::new(Vec::new()));
        builder.sink(capture, ends, None, Box::new(Capture(Arc::clone(&arrived))));
        let graph = finish_graph(
            &self.file,
            builder,
            Box::new(CollectFailures(Arc::clone(&failed))),
        )?;
        let report = graph.run(&Shutdown::new())?;

        // One event per id, in input order, the copies of every path merged.
        let mut merged: Vec<Option<Communique>> = vec![None; order.len()];
        for event in take(&arrived) {
            let Some(&i) = order.get(&event.id) else {
                continue;
            };
            match &mut merged[i] {
                Some(first) => merge(first, event),
                slot @ None => *slot = Some(event),
            }
        }
        let failed = take(&failed);
        let mut dropped: Vec<(usize, String)> = order
            .into_iter()
            .filter(|(id, i)| merged[*i].is_none() && !failed.iter().any(|f| &f.id == id))
            .map(|(id, i)| (i, id))
            .collect();
        dropped.sort();
        Ok(Processed {
            events: merged.into_iter().flatten().collect(),
            failed,
            dropped: dropped.into_iter().map(|(_, id)| id).collect(),
            failures: report.failures,
        })
    }
}

/// `base`, or `base_2`, `base_3`, … : the first that is not a component id.
fn fresh_id(base: &str, taken: &HashSet<String>) -> String {
    let mut id = base.to_string();
    let mut n = 1;
    while taken.contains(&id) {
        n += 1;
        id = format!("{base}_{n}");
    }
    id
}

fn take<T>(list: &Mutex<Vec<T>>) -> Vec<T> {
    std::mem::take(&mut *list.lock().unwrap_or_else(PoisonError::into_inner))
}

/// Adds what `other`, a copy of `event` that took another path, has and `event` lacks.
fn merge(event: &mut Communique, other: Communique) {
    for span in other.spans {
        if !event.spans.contains(&span) {
            event.spans.push(span);
        }
    }
    event.spans.sort_by_key(|s| (s.start, s.end));
    for alert in other.alerts {
        if !event.alerts.contains(&alert) {
            event.alerts.push(alert);
        }
    }
    for (key, value) in other.metadata {
        event.metadata.entry(key).or_insert(value);
    }
}

/// Emits the given events, in order.
struct MemorySource {
    events: Vec<Communique>,
}

impl Source for MemorySource {
    fn run(&mut self, out: &mut dyn SourceOutput) -> Result<(), SourceError> {
        for event in std::mem::take(&mut self.events) {
            if !out.emit(event) {
                break;
            }
        }
        Ok(())
    }
}

/// Keeps every event it receives.
struct Capture(Arc<Mutex<Vec<Communique>>>);

impl Sink for Capture {
    fn write(&mut self, event: &Communique, ack: Ack) -> Result<(), SinkError> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event.clone());
        ack.done();
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// Keeps the id, component and error of every event a stage failed on.
struct CollectFailures(Arc<Mutex<Vec<FailedEvent>>>);

impl DeadLetterWriter for CollectFailures {
    fn write(&mut self, record: &DeadLetter<'_>) -> io::Result<()> {
        let id = record
            .event
            .map(|e| e.id.clone())
            .or_else(|| record.location.map(str::to_string))
            .unwrap_or_default();
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(FailedEvent {
                id,
                component: record.component.to_string(),
                error: record.error.to_string(),
            });
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commwatch_core::Origin;

    fn event(id: &str, text: &str) -> Communique {
        Communique::new(Some(id.into()), Origin::default(), text.into())
    }

    fn pipeline(dir: &std::path::Path, text: &str) -> Pipeline {
        let path = dir.join("pipeline.toml");
        std::fs::write(dir.join("docs.txt"), "x").unwrap();
        std::fs::write(
            dir.join("rules.toml"),
            r#"
[[rule]]
id = "joins"
query = 'joined'
severity = "low"
summary = "joined"
"#,
        )
        .unwrap();
        Pipeline::load_text(&path, text, &[]).unwrap()
    }

    const PIPELINE: &str = r#"
[pipeline]
dead_letter = "dead.jsonl"

[sources.docs]
type = "files"
paths = ["docs.txt"]

[stages.normalize]
type = "normalize"
inputs = ["docs"]
workers = 2
max_bytes = 100

[stages.tag]
type = "tag"
inputs = ["normalize"]

[stages.alert]
type = "rules"
inputs = ["tag"]
rules = ["rules.toml"]

[stages.alerting]
type = "alerts"
inputs = ["alert"]
history = "alerts.db"

[sinks.lines]
type = "jsonl"
inputs = ["alerting"]
path = "alerts.jsonl"

[sinks.history]
type = "sqlite"
inputs = ["alerting"]
path = "alerts.db"
"#;

    #[test]
    fn events_come_out_after_the_last_stage_before_the_lifecycle_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let p = pipeline(dir.path(), PIPELINE);
        // The same text twice: the alerts stage would hold the second back as a repeat.
        let text = "Finland joined NATO. Sweden joined NATO.";
        let out = p
            .process(vec![
                event("a", text),
                event("b", &"long ".repeat(30)),
                event("c", text),
            ])
            .unwrap();
        let ids: Vec<&str> = out.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        for e in &out.events {
            assert!(e.spans.iter().any(|s| &*s.id == "FI"), "tagged");
            assert_eq!(e.alerts.len(), 1, "{:?}", e.alerts);
            assert_eq!(e.alerts[0].suppressed, None, "no lifecycle");
        }
        assert_eq!(out.failed.len(), 1);
        assert_eq!(out.failed[0].id, "b");
        assert_eq!(out.failed[0].component, "normalize");
        assert!(out.failed[0].error.contains("max_bytes"));
        assert!(out.dropped.is_empty() && out.failures.is_empty());
        let mut written: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        written.sort();
        assert_eq!(
            written,
            ["docs.txt", "rules.toml"],
            "no dead letters, alerts or history"
        );
    }

    #[test]
    fn copies_from_several_paths_are_merged() {
        let dir = tempfile::tempdir().unwrap();
        let text = r#"
[sources.docs]
type = "files"
paths = ["docs.txt"]

[stages.normalize]
type = "normalize"
inputs = ["docs"]

[stages.tag]
type = "tag"
inputs = ["normalize"]

[stages.alert]
type = "rules"
inputs = ["normalize"]
rules = ["rules.toml"]

[sinks.a]
type = "jsonl"
inputs = ["tag", "alert"]
path = "out.jsonl"
"#;
        let out = pipeline(dir.path(), text)
            .process(vec![event("a", "Finland joined NATO.")])
            .unwrap();
        assert_eq!(out.events.len(), 1);
        let e = &out.events[0];
        assert!(e.spans.iter().any(|s| &*s.id == "FI"), "from the tag path");
        assert_eq!(e.alerts.len(), 1, "from the rules path");
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = pipeline(dir.path(), PIPELINE)
            .process(vec![event("a", "x"), event("a", "y")])
            .unwrap_err();
        assert!(matches!(err, ProcessError::DuplicateId(id) if id == "a"));
    }
}
