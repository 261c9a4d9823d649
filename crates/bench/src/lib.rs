//! The end-to-end benchmark behind `commwatch bench`.
//!
//! Absolute throughput on a shared two-core machine says little; a ratio to a physical baseline
//! measured in the same process, on the same bytes, a moment later, says a lot. So a run:
//!
//! 1. builds a corpus of the requested size as a JSONL file ([`corpus`]), from the bundled
//!    examples, a folder of documents or a JSONL file, cycling documents with fresh ids;
//! 2. derives a pipeline from the given `pipeline.toml` ([`derive`](mod@derive)): its source
//!    replaced by the corpus file, its file sinks (JSONL, SQLite) writing into the run's
//!    directory, other sinks (console, servers) replaced by a JSONL alert file and a latency
//!    probe, every stage given the requested number of workers — everything else (normalization,
//!    tagging, plugins, rules, alerting) as configured;
//! 3. runs it, confined to as many CPUs as it has workers ([`Placement`]), and reports MB/s,
//!    communiqués/s, p50/p99 ingest-to-sink latency and peak RSS;
//! 4. times the baseline: one leftmost-longest Aho-Corasick scan of the same document bodies
//!    with every gazetteer name, built and run as the tagger's own scan (a DFA over the folded
//!    names, scanning the folded text), on the same number of threads and CPUs, and prints the
//!    automaton's kind and the ratio pipeline / baseline;
//! 5. at the first worker count, runs it again without its state store (no checkpoints,
//!    delivery records or replayed decisions: `[pipeline] state = "off"`) and reports what the
//!    store costs ([`StateCost`]); every other run has its own fresh store, as a user's would;
//! 6. optionally repeats the pipeline at half its measured throughput, the load at which the
//!    latency target is stated;
//! 7. optionally measures how throughput scales with the number of rules: for each requested
//!    count, a generated pack ([`commwatch_rules::synthetic`]) replaces the rule files of the
//!    `rules` stages, and the pipeline runs again at the first worker count ([`RuleCountRun`]).

mod baseline;
pub mod corpus;
pub mod derive;
mod pin;
mod probe;
mod report;
mod rule_scaling;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use pin::Placement;
pub use report::{BenchReport, RunResult, StateCost};
pub use rule_scaling::RuleCountRun;

/// What to measure.
#[derive(Clone, Debug)]
pub struct BenchOptions {
    /// The pipeline to run (its stages; source and sinks are replaced).
    pub pipeline: PathBuf,
    /// Where documents come from: a folder of `.txt`/`.html` files or a JSONL file. `None`: the
    /// `examples/communiques` folder next to the pipeline.
    pub corpus: Option<PathBuf>,
    /// Corpus size in bytes of document text.
    pub size: u64,
    /// Worker counts to run with (each a full run plus its own baseline).
    pub threads: Vec<usize>,
    /// Also run at half the measured throughput to report latency under moderate load.
    pub half_load: bool,
    /// Rule counts to measure the pipeline with, each a generated pack in place of the pipeline's
    /// rule files, at the first worker count (empty: none). At most
    /// [`commwatch_rules::synthetic::MAX_RULES`] each.
    pub rules: Vec<usize>,
    /// Confine each run to as many CPUs as it has workers (and the baseline to as many as it has
    /// threads). Without it, every run may use every CPU.
    pub pin: bool,
    /// Extra `--set` overrides applied to the derived pipeline.
    pub sets: Vec<String>,
    /// A directory for the corpus and outputs.
    pub work_dir: PathBuf,
}

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// Reading or writing files failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
    /// The pipeline could not be derived or loaded.
    #[error("{0}")]
    Pipeline(String),
}

/// Runs the benchmark.
pub fn run(options: &BenchOptions) -> Result<BenchReport, BenchError> {
    if let Some(n) = options
        .rules
        .iter()
        .find(|&&n| n > commwatch_rules::synthetic::MAX_RULES)
    {
        return Err(BenchError::Pipeline(format!(
            "--rules {n}: generated packs have at most {} rules",
            commwatch_rules::synthetic::MAX_RULES
        )));
    }
    let corpus_source = match &options.corpus {
        Some(p) => p.clone(),
        None => options
            .pipeline
            .parent()
            .unwrap_or(Path::new("."))
            .join("examples/communiques"),
    };
    let corpus = corpus::build(
        &corpus_source,
        options.size,
        &options.work_dir.join("corpus.jsonl"),
    )?;
    let gazetteer = commwatch_text::Gazetteer::builtin();
    let automaton = baseline::automaton(&gazetteer)?;
    let mut runs = Vec::new();
    let mut state_cost = None;
    for &threads in &options.threads {
        let pin = pin::Pin::new(threads, options.pin);
        let placement = pin.placement();
        let name = format!("run-{threads}-max");
        let plain = Variant::default();
        let measured = run_pipeline(options, &corpus, &name, threads, plain, placement)?;
        if state_cost.is_none() {
            let name = format!("run-{threads}-no-state");
            let variant = Variant {
                without_state: true,
                ..plain
            };
            let off = run_pipeline(options, &corpus, &name, threads, variant, placement)?;
            state_cost = Some(StateCost::new(threads, placement.clone(), &measured, &off));
        }
        let half = if options.half_load {
            let rate = (measured.docs_per_s / 2.0).max(1.0);
            let name = format!("run-{threads}-half");
            Some(run_pipeline(
                options,
                &corpus,
                &name,
                threads,
                Variant {
                    rate: Some(rate),
                    ..Variant::default()
                },
                placement,
            )?)
        } else {
            None
        };
        let baseline = baseline::scan(&corpus, &automaton, threads)?;
        runs.push(RunResult::new(
            threads,
            placement.clone(),
            measured,
            half,
            baseline,
        ));
    }
    let rule_scaling = if options.rules.is_empty() {
        Vec::new()
    } else {
        rule_scaling::measure(options, &corpus)?
    };
    Ok(BenchReport {
        corpus: corpus.describe(&corpus_source),
        patterns: baseline::pattern_count(&gazetteer),
        baseline_automaton: format!("{:?}", automaton.kind()),
        baseline_patterns: automaton.patterns_len(),
        runs,
        state_cost,
        rule_scaling,
    })
}

/// What one pipeline run measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PipelineRun {
    /// Documents delivered.
    pub docs: u64,
    /// Bytes of document text.
    pub bytes: u64,
    /// Seconds to make the pipeline ready to run: loading and checking it, building every stage
    /// (tagger, rule sets, plugins) and the graph.
    pub startup_s: f64,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
    /// Documents per second.
    pub docs_per_s: f64,
    /// Median ingest-to-sink latency, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile ingest-to-sink latency, milliseconds.
    pub p99_ms: f64,
    /// Peak resident set size during the run, MiB.
    pub peak_rss_mib: f64,
    /// Alerts written.
    pub alerts: u64,
    /// Documents sent to the dead-letter output.
    pub dead_lettered: u64,
    /// CPU time of this process during the run divided by wall-clock time: how many cores the
    /// pipeline kept busy.
    pub cpu_cores: f64,
    /// Cores kept busy by other processes during the run (machine-wide busy time minus ours):
    /// a figure above ~0.1 means the run shared the machine and is not representative.
    pub other_cores: f64,
    /// Of `other_cores`, those on the CPUs the run was confined to (all of them when it was not):
    /// time other processes took from the pipeline's own cores.
    pub other_cores_same_cpus: f64,
    /// Cost per document of each stage.
    pub stages: Vec<StageCost>,
}

/// What one component cost: a stage per document it received, a source or sink per corpus
/// document.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StageCost {
    /// Component id.
    pub id: String,
    /// Stage type (`normalize`, `tag`, `rules`, `plugin`, `alerts`), or `source` / `sink`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Worker threads.
    pub workers: usize,
    /// CPU time of its threads per document, microseconds.
    pub cpu_us: f64,
    /// Wall-clock time inside the stage per document, summed over workers, microseconds (more
    /// than `cpu_us` when threads waited for a core).
    pub busy_us: f64,
}

/// How a run differs from a plain one.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Variant<'a> {
    /// Source paced at this many documents per second.
    pub(crate) rate: Option<f64>,
    /// The `rules` stages load this rule file instead.
    pub(crate) rules: Option<&'a Path>,
    /// No state store (`[pipeline] state = "off"`).
    pub(crate) without_state: bool,
}

/// Runs the pipeline once with `threads` workers per stage, its outputs in the work directory's
/// `name` folder, as `variant` says; `placement` is where the calling thread's affinity lets the
/// run's threads go.
fn run_pipeline(
    options: &BenchOptions,
    corpus: &corpus::Corpus,
    name: &str,
    threads: usize,
    variant: Variant<'_>,
    placement: &Placement,
) -> Result<PipelineRun, BenchError> {
    let Variant {
        rate,
        rules,
        without_state,
    } = variant;
    let out_dir = options.work_dir.join(name);
    // A fresh directory: an alert history left by an earlier benchmark would hold alerts back
    // as repeats. (Absent is fine.)
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).map_err(|source| BenchError::Io {
        context: out_dir.display().to_string(),
        source,
    })?;
    let derived = derive::derive(
        &options.pipeline,
        &corpus.path,
        &out_dir,
        threads,
        rate,
        rules,
        !without_state,
    )?;
    let starting = Instant::now();
    let pipeline =
        commwatch_pipeline::Pipeline::load_text(&options.pipeline, &derived.text, &options.sets)
            .map_err(|e| BenchError::Pipeline(e.to_string()))?;
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(corpus.docs as usize)));
    let probe = probe::LatencyProbe::new(Arc::clone(&latencies));
    let graph = pipeline
        .into_graph_with(vec![(
            "bench_latency".to_string(),
            derived.sink_inputs.clone(),
            Box::new(probe),
        )])
        .map_err(|e| BenchError::Pipeline(e.to_string()))?;
    let startup_s = starting.elapsed().as_secs_f64();
    probe::reset_peak_rss();
    let cpu_before = probe::Cpu::now();
    let started = Instant::now();
    let report = graph
        .run(&commwatch_runtime::Shutdown::new())
        .map_err(|e| BenchError::Pipeline(e.to_string()))?;
    let seconds = started.elapsed().as_secs_f64();
    let cores = probe::Cpu::now().cores_since(&cpu_before, seconds, placement.cpus());
    if !report.is_clean() {
        return Err(BenchError::Pipeline(format!(
            "the run failed: {}",
            report.failures.join("; ")
        )));
    }
    let mut latencies = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    let (p50_ms, p99_ms) = probe::percentiles(&mut latencies);
    let alerts = count_lines(&out_dir.join("alerts.jsonl"));
    let dead_lettered = report.sources.iter().map(|s| s.dead_lettered).sum();
    let docs = report.sources.iter().map(|s| s.emitted).sum::<u64>();
    let stages = report
        .components
        .iter()
        .map(|c| {
            // A stage's cost per document it received; a source's or sink's per corpus document.
            let stage = c.kind == commwatch_runtime::ComponentKind::Stage;
            let per = if stage { c.received } else { docs };
            let per_doc = |ms: f64| {
                if per == 0 { 0.0 } else { ms * 1e3 / per as f64 }
            };
            StageCost {
                id: c.id.clone(),
                ty: derived
                    .stage_types
                    .iter()
                    .find(|(id, _)| *id == c.id)
                    .map_or_else(|| c.kind.to_string(), |(_, ty)| ty.clone()),
                workers: c.workers,
                cpu_us: per_doc(c.cpu_ms),
                busy_us: per_doc(c.busy_ms),
            }
        })
        .collect();
    Ok(PipelineRun {
        docs,
        bytes: corpus.bytes,
        startup_s,
        seconds,
        docs_per_s: docs as f64 / seconds,
        p50_ms,
        p99_ms,
        peak_rss_mib: probe::peak_rss_mib(),
        alerts,
        dead_lettered,
        cpu_cores: cores.ours,
        other_cores: cores.others,
        other_cores_same_cpus: cores.others_same_cpus,
        stages,
    })
}

fn count_lines(path: &Path) -> u64 {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count() as u64)
        .unwrap_or(0)
}
