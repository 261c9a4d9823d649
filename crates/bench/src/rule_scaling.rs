//! How throughput scales with the number of rules.
//!
//! For each requested count, a generated pack ([`commwatch_rules::synthetic`]) is written to the
//! work directory as a rule file, the pipeline is derived with its `rules` stages loading only that
//! file, and it runs at the first worker count, confined like the main runs. The pack's build time
//! is measured apart, in process, on the same text after the runs, so it is not lost in the
//! pipeline's start-up (which also builds the tagger and loads plugins).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::Instant;

use commwatch_rules::RuleSet;
use commwatch_rules::synthetic::rule_pack;

use crate::corpus::Corpus;
use crate::pin::{Pin, Placement};
use crate::{BenchError, BenchOptions, PipelineRun, Variant, run_pipeline};

/// The pipeline run with one generated rule pack.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuleCountRun {
    /// Rules in the pack.
    pub rules: usize,
    /// Distinct literals in the pack's automaton.
    pub literals: usize,
    /// Time to parse, validate and compile the pack (`RuleSet::from_toml_str`), milliseconds.
    pub build_ms: f64,
    /// Workers per stage.
    pub threads: usize,
    /// Where the run's threads ran.
    pub placement: Placement,
    /// The run.
    pub pipeline: PipelineRun,
    /// Pipeline MB/s.
    pub pipeline_mb_s: f64,
    /// Pipeline MB/s divided by that with the smallest pack measured.
    pub ratio: f64,
    /// CPU time of the `rules` stages per document, microseconds.
    pub rules_cpu_us: f64,
    /// Alerts raised by the generated rules (`pipeline.alerts` also counts those of other
    /// stages, such as plugins).
    pub rule_alerts: u64,
}

/// Runs the pipeline with a generated pack of each of `options.rules` rules.
pub(crate) fn measure(
    options: &BenchOptions,
    corpus: &Corpus,
) -> Result<Vec<RuleCountRun>, BenchError> {
    let threads = options.threads.first().copied().unwrap_or(1);
    let mut runs = Vec::new();
    for &n in &options.rules {
        let path = options.work_dir.join(format!("rules-{n}.toml"));
        std::fs::write(&path, rule_pack(n)).map_err(|source| BenchError::Io {
            context: path.display().to_string(),
            source,
        })?;
        let pin = Pin::new(threads, options.pin);
        let name = format!("rules-{n}");
        let pipeline = run_pipeline(
            options,
            corpus,
            &name,
            threads,
            Variant {
                rules: Some(&path),
                // What rules cost, not the state store (`commwatch bench` reports that apart).
                without_state: true,
                rate: None,
            },
            pin.placement(),
        )?;
        let rules_cpu_us = pipeline
            .stages
            .iter()
            .filter(|s| s.ty == "rules")
            .map(|s| s.cpu_us)
            .sum();
        runs.push(RuleCountRun {
            rules: n,
            literals: 0,
            build_ms: 0.0,
            threads,
            placement: pin.placement().clone(),
            pipeline_mb_s: pipeline.bytes as f64 / 1e6 / pipeline.seconds,
            pipeline,
            ratio: 1.0,
            rules_cpu_us,
            rule_alerts: generated_alerts(&options.work_dir.join(name).join("alerts.jsonl"), n),
        });
    }
    // The packs are built in process only now, after every run, so that the memory a build
    // leaves in the allocator does not count in a run's peak RSS.
    for run in &mut runs {
        let text = rule_pack(run.rules);
        let started = Instant::now();
        let set = RuleSet::from_toml_str(&text, "generated").map_err(|e| {
            BenchError::Pipeline(format!("the generated pack of {} rules: {e}", run.rules))
        })?;
        run.build_ms = started.elapsed().as_secs_f64() * 1e3;
        run.literals = set.literal_count();
    }
    if let Some(reference) = runs.iter().min_by_key(|r| r.rules).map(|r| r.pipeline_mb_s) {
        for run in &mut runs {
            run.ratio = run.pipeline_mb_s / reference;
        }
    }
    Ok(runs)
}

/// The alerts of the JSONL alert file `path` raised by the rules of a generated pack of `n`
/// (ids `r0` to `r{n-1}`).
fn generated_alerts(path: &Path, n: usize) -> u64 {
    #[derive(serde::Deserialize)]
    struct Line {
        rule: String,
    }
    let Ok(file) = File::open(path) else {
        return 0;
    };
    BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str::<Line>(&line).ok())
        .filter(|line| {
            line.rule
                .strip_prefix('r')
                .and_then(|k| k.parse::<usize>().ok())
                .is_some_and(|k| k < n)
        })
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_generated_rules_alerts_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.jsonl");
        let lines = [
            r#"{"rule":"r0","summary":"x"}"#,
            r#"{"rule":"r9","summary":"x"}"#,
            r#"{"rule":"r10","summary":"x"}"#,
            r#"{"rule":"accession","summary":"x"}"#,
            r#"{"rule":"regional_threat","summary":"x"}"#,
            "not json",
        ];
        std::fs::write(&path, lines.join("\n")).unwrap();
        assert_eq!(generated_alerts(&path, 10), 2);
        assert_eq!(generated_alerts(&dir.path().join("missing"), 10), 0);
    }
}
