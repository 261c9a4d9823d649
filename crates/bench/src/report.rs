//! The benchmark's results, as a table for people and JSON for tools.

use std::fmt;

use crate::baseline::BaselineRun;
use crate::{PipelineRun, Placement, RuleCountRun};

/// One worker count's results.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RunResult {
    /// Workers per stage (and baseline threads).
    pub threads: usize,
    /// Where the pipeline's and the baseline's threads ran.
    pub placement: Placement,
    /// The pipeline at full speed.
    pub pipeline: PipelineRun,
    /// The pipeline paced at half its full-speed throughput, when measured.
    pub half_load: Option<PipelineRun>,
    /// The raw scan.
    pub baseline: BaselineRun,
    /// Pipeline MB/s.
    pub pipeline_mb_s: f64,
    /// Baseline MB/s.
    pub baseline_mb_s: f64,
    /// Pipeline throughput / baseline throughput.
    pub ratio: f64,
}

impl RunResult {
    /// Combines the measurements of one worker count.
    pub fn new(
        threads: usize,
        placement: Placement,
        pipeline: PipelineRun,
        half_load: Option<PipelineRun>,
        baseline: BaselineRun,
    ) -> RunResult {
        let pipeline_mb_s = pipeline.bytes as f64 / 1e6 / pipeline.seconds;
        let baseline_mb_s = baseline.bytes as f64 / 1e6 / baseline.seconds;
        RunResult {
            threads,
            placement,
            pipeline,
            half_load,
            baseline,
            pipeline_mb_s,
            baseline_mb_s,
            ratio: pipeline_mb_s / baseline_mb_s,
        }
    }
}

/// All results of a benchmark.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BenchReport {
    /// What the corpus was.
    pub corpus: String,
    /// Gazetteer names in the baseline automaton.
    pub patterns: usize,
    /// The baseline automaton's kind, as aho-corasick names it (`DFA`, `ContiguousNFA`, …).
    pub baseline_automaton: String,
    /// Distinct folded names in the baseline automaton.
    pub baseline_patterns: usize,
    /// One entry per worker count.
    pub runs: Vec<RunResult>,
    /// What the state store costs, at the first worker count.
    pub state_cost: Option<StateCost>,
    /// One entry per generated rule pack measured (`--rules`), in the order requested.
    pub rule_scaling: Vec<RuleCountRun>,
}

/// The same pipeline with its state store (checkpoints, delivery records, acknowledged sinks
/// syncing) and without it, back to back.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StateCost {
    /// Workers per stage.
    pub threads: usize,
    /// Where the runs ran.
    pub placement: Placement,
    /// Pipeline MB/s with the state store.
    pub with_state_mb_s: f64,
    /// Pipeline MB/s without it.
    pub without_state_mb_s: f64,
    /// `with / without`.
    pub ratio: f64,
}

impl StateCost {
    pub(crate) fn new(
        threads: usize,
        placement: Placement,
        with: &PipelineRun,
        without: &PipelineRun,
    ) -> StateCost {
        let mb_s = |run: &PipelineRun| run.bytes as f64 / 1e6 / run.seconds;
        StateCost {
            threads,
            placement,
            with_state_mb_s: mb_s(with),
            without_state_mb_s: mb_s(without),
            ratio: mb_s(with) / mb_s(without),
        }
    }
}

/// "cores used 0.98 (other processes 0.91, 0.01 on these cores)", the second figure (other
/// processes on the CPUs the run was confined to) only when it was pinned.
fn cores_used(run: &PipelineRun, placement: &Placement) -> String {
    let mut text = format!(
        "cores used {:.2} (other processes {:.2}",
        run.cpu_cores, run.other_cores
    );
    if placement.cpus().is_some() {
        text.push_str(&format!(
            ", {:.2} on these cores",
            run.other_cores_same_cpus
        ));
    }
    text.push(')');
    text
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "corpus: {}", self.corpus)?;
        writeln!(
            f,
            "baseline: aho-corasick {} scan of the folded text (as the tagger's), leftmost-longest, {} gazetteer names folded to {} patterns",
            self.baseline_automaton, self.patterns, self.baseline_patterns
        )?;
        writeln!(
            f,
            "{:>7} {:>11} {:>10} {:>11} {:>8} {:>8} {:>9} {:>9} {:>8}",
            "workers",
            "pipeline",
            "docs/s",
            "baseline",
            "ratio",
            "p50 ms",
            "p99 ms",
            "peak RSS",
            "alerts"
        )?;
        for r in &self.runs {
            writeln!(
                f,
                "{:>7} {:>7.1} MB/s {:>10.0} {:>7.1} MB/s {:>8.3} {:>8.2} {:>8.2} {:>5.0} MiB {:>8}",
                r.threads,
                r.pipeline_mb_s,
                r.pipeline.docs_per_s,
                r.baseline_mb_s,
                r.ratio,
                r.pipeline.p50_ms,
                r.pipeline.p99_ms,
                r.pipeline.peak_rss_mib,
                r.pipeline.alerts
            )?;
            let stages: Vec<String> = r
                .pipeline
                .stages
                .iter()
                .map(|s| format!("{} {:.0}", s.id, s.cpu_us))
                .collect();
            writeln!(
                f,
                "{:>7} {}: cpu µs/doc: {}; {}",
                r.threads,
                r.placement,
                stages.join(", "),
                cores_used(&r.pipeline, &r.placement)
            )?;
            if let Some(h) = &r.half_load {
                writeln!(
                    f,
                    "{:>7} at half load ({:.0} docs/s): p50 {:.2} ms, p99 {:.2} ms; {}",
                    r.threads,
                    h.docs_per_s,
                    h.p50_ms,
                    h.p99_ms,
                    cores_used(h, &r.placement)
                )?;
            }
        }
        if let [one, two, ..] = self.runs.as_slice() {
            writeln!(
                f,
                "scaling: {} {} = {:.2} x {} {} (baseline {:.2} x)",
                workers(two.threads),
                two.placement.short(),
                two.pipeline_mb_s / one.pipeline_mb_s,
                workers(one.threads),
                one.placement.short(),
                two.baseline_mb_s / one.baseline_mb_s
            )?;
        }
        if let Some(c) = &self.state_cost {
            writeln!(
                f,
                "state store: {} {}: {:.1} MB/s with it, {:.1} MB/s without = {:.2} x",
                workers(c.threads),
                c.placement.short(),
                c.with_state_mb_s,
                c.without_state_mb_s,
                c.ratio
            )?;
        }
        if let Some(first) = self.rule_scaling.first() {
            writeln!(
                f,
                "rules: generated packs (commwatch_rules::synthetic) instead of the pipeline's \
                 rule files; {}, {}",
                workers(first.threads),
                first.placement
            )?;
            writeln!(
                f,
                "{:>7} {:>8} {:>9} {:>9} {:>11} {:>6} {:>9} {:>9} {:>9} {:>9} {:>6}",
                "rules",
                "literals",
                "build ms",
                "start ms",
                "pipeline",
                "ratio",
                "rules µs",
                "alerts",
                "all",
                "peak RSS",
                "other"
            )?;
            for r in &self.rule_scaling {
                writeln!(
                    f,
                    "{:>7} {:>8} {:>9.1} {:>9.0} {:>6.1} MB/s {:>6.2} {:>9.1} {:>9} {:>9} {:>5.0} MiB {:>6.2}",
                    r.rules,
                    r.literals,
                    r.build_ms,
                    r.pipeline.startup_s * 1e3,
                    r.pipeline_mb_s,
                    r.ratio,
                    r.rules_cpu_us,
                    r.rule_alerts,
                    r.pipeline.alerts,
                    r.pipeline.peak_rss_mib,
                    r.pipeline.other_cores_same_cpus
                )?;
            }
            writeln!(
                f,
                "        build ms: the pack alone, in process; start ms: the whole pipeline's \
                 start-up; ratio: MB/s to the smallest pack's;\n        rules µs: CPU per \
                 document of the rules stage; alerts: raised by the generated rules; all: by \
                 every stage;\n        other: cores other processes took from the run's cores"
            )?;
        }
        Ok(())
    }
}

/// "1 worker", "2 workers".
fn workers(n: usize) -> String {
    format!("{n} worker{}", if n == 1 { "" } else { "s" })
}
