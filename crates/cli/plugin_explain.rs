//! `commwatch explain --plugin STAGE DOC`: why a plugin stage raised its alerts on a document, or
//! did not — as `explain --rule` does for a rule.
//!
//! The document goes through the pipeline's stages in memory ([`Pipeline::process`]: no sources,
//! sinks, alert history or lifecycle), with `explain = true` set in the plugin stage's `config`:
//! a plugin that supports it (the bundled `accession` and `regional-threat` do) then emits one
//! `explain` span per cue it read, saying which roles it kept (actor, place, organization,
//! members) or why it dropped the cue. The command prints the plugin's alerts with their labels
//! and evidence, then every cue with its note and the sentence around it.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use commwatch_core::{Communique, Origin};
use commwatch_pipeline::ProcessError;

use crate::PipelineArgs;

/// Runs the explanation.
pub(crate) fn explain(
    stage: &str,
    pipeline: &Path,
    sets: &[String],
    doc: &Path,
) -> anyhow::Result<ExitCode> {
    let raw = if doc.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading standard input")?
    } else {
        std::fs::read_to_string(doc).with_context(|| format!("reading {}", doc.display()))?
    };
    let mut sets = sets.to_vec();
    sets.push(format!("stages.{stage}.config.explain=true"));
    let pipeline = match crate::load(&PipelineArgs {
        pipeline: PathBuf::from(pipeline),
        sets,
    }) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let event = Communique::new(
        None,
        Origin {
            name: "explain".into(),
            uri: Some(doc.display().to_string()),
        },
        raw,
    );
    let processed = match pipeline.process(vec![event]) {
        Ok(p) => p,
        Err(ProcessError::Config(e)) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e).context("running the pipeline"),
    };
    if let Some(failed) = processed.failed.first() {
        eprintln!(
            "the document failed in stage {}: {}",
            failed.component, failed.error
        );
        return Ok(ExitCode::from(1));
    }
    let Some(event) = processed.events.first() else {
        eprintln!("a stage dropped the document");
        return Ok(ExitCode::from(1));
    };
    print!("{}", render(stage, event, color()));
    Ok(ExitCode::SUCCESS)
}

fn color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The explanation of `event` as processed, for the plugin stage `stage`.
fn render(stage: &str, event: &Communique, color: bool) -> String {
    let raw = &event.raw;
    let mark = |s: usize, e: usize| {
        if color {
            format!("\x1b[1;7m{}\x1b[0m", &raw[s..e])
        } else {
            format!("[[{}]]", &raw[s..e])
        }
    };
    let sentence_of = |at: usize| {
        event
            .sentences
            .iter()
            .find(|s| s.start <= at && at < s.end)
            .map_or(at..at, |s| s.start..s.end)
    };
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = format!("stage     {stage}\n");
    let notes: Vec<_> = event
        .spans
        .iter()
        .filter(|s| &*s.kind == "explain")
        .collect();
    out.push_str(&format!(
        "result    {} alert(s), {} cue(s) read\n",
        event.alerts.len(),
        notes.len()
    ));
    for alert in &event.alerts {
        out.push_str(&format!(
            "\nalert     [{}] {} ({})\n",
            alert.severity, alert.summary, alert.rule
        ));
        let labels: Vec<String> = alert
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out.push_str(&format!("labels    {}\n", labels.join(" ")));
        for ev in &alert.evidence {
            out.push_str(&format!(
                "evidence  {:<12} {:<24} {:?}\n",
                ev.kind.as_ref() as &str,
                ev.id.as_ref() as &str,
                &raw[ev.start..ev.end]
            ));
        }
    }
    if notes.is_empty() {
        out.push_str(
            "\nno cue notes: the stage found no cue, or its plugin does not support `explain`\n",
        );
    } else {
        out.push_str("\ncues\n");
    }
    for note in notes {
        let sentence = sentence_of(note.start);
        let context = if sentence.is_empty() {
            mark(note.start, note.end)
        } else {
            format!(
                "{}{}{}",
                &raw[sentence.start..note.start],
                mark(note.start, note.end),
                &raw[note.end..sentence.end.max(note.end)]
            )
        };
        out.push_str(&format!(
            "  {} ({}): {}\n      {}\n",
            one_line(&raw[note.start..note.end]),
            note.id.as_ref() as &str,
            note.label.as_ref() as &str,
            one_line(&context)
        ));
    }
    out
}
