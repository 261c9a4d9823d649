//! The benchmark's results, as a table for people and JSON for tools.

use std::fmt;

use crate::PipelineRun;
use crate::baseline::BaselineRun;

/// One worker count's results.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RunResult {
    /// Workers per stage (and baseline threads).
    pub threads: usize,
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
        pipeline: PipelineRun,
        half_load: Option<PipelineRun>,
        baseline: BaselineRun,
    ) -> RunResult {
        let pipeline_mb_s = pipeline.bytes as f64 / 1e6 / pipeline.seconds;
        let baseline_mb_s = baseline.bytes as f64 / 1e6 / baseline.seconds;
        RunResult {
            threads,
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
    /// One entry per worker count.
    pub runs: Vec<RunResult>,
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "corpus: {}", self.corpus)?;
        writeln!(
            f,
            "baseline: raw aho-corasick scan, leftmost-longest, ASCII case-insensitive, {} gazetteer names",
            self.patterns
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
                "{:>7} cpu µs/doc: {}; cores used {:.2} (other processes {:.2})",
                r.threads,
                stages.join(", "),
                r.pipeline.cpu_cores,
                r.pipeline.other_cores
            )?;
            if let Some(h) = &r.half_load {
                writeln!(
                    f,
                    "{:>7} at half load ({:.0} docs/s): p50 {:.2} ms, p99 {:.2} ms; cores used {:.2} (other processes {:.2})",
                    r.threads, h.docs_per_s, h.p50_ms, h.p99_ms, h.cpu_cores, h.other_cores
                )?;
            }
        }
        if let [one, two, ..] = self.runs.as_slice() {
            writeln!(
                f,
                "scaling: {} workers = {:.2} x {} worker(s)",
                two.threads,
                two.pipeline_mb_s / one.pipeline_mb_s,
                one.threads
            )?;
        }
        Ok(())
    }
}
