//! Per-component counters and the report of a finished run.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

/// The kind of a pipeline component.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ComponentKind {
    /// Produces events.
    Source,
    /// Processes events.
    Stage,
    /// Delivers events.
    Sink,
}

impl fmt::Display for ComponentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ComponentKind::Source => "source",
            ComponentKind::Stage => "stage",
            ComponentKind::Sink => "sink",
        })
    }
}

/// Live counters of one component, shared by its worker threads.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) received: AtomicU64,
    pub(crate) emitted: AtomicU64,
    pub(crate) errors: AtomicU64,
    pub(crate) dead_lettered: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) busy_nanos: AtomicU64,
    pub(crate) cpu_nanos: AtomicU64,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Adds the CPU time the calling thread has used so far; call once, as the thread ends.
    pub(crate) fn add_thread_cpu(&self) {
        if let Some(nanos) = thread_cpu_nanos() {
            self.cpu_nanos.fetch_add(nanos, Ordering::Relaxed);
        }
    }

    pub(crate) fn add_busy(&self, elapsed: Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.busy_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    pub(crate) fn report(&self, id: &str, kind: ComponentKind, workers: usize) -> ComponentReport {
        let get = |c: &AtomicU64| c.load(Ordering::Acquire);
        ComponentReport {
            id: id.to_string(),
            kind,
            workers,
            received: get(&self.received),
            emitted: get(&self.emitted),
            errors: get(&self.errors),
            dead_lettered: get(&self.dead_lettered),
            dropped: get(&self.dropped),
            busy_ms: get(&self.busy_nanos) as f64 / 1e6,
            cpu_ms: get(&self.cpu_nanos) as f64 / 1e6,
        }
    }
}

/// CPU time the calling thread has used, in nanoseconds (Linux `/proc/thread-self/schedstat`).
fn thread_cpu_nanos() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// What one component did during a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentReport {
    /// Component id from the pipeline.
    pub id: String,
    /// Source, stage or sink.
    pub kind: ComponentKind,
    /// Worker threads it ran on.
    pub workers: usize,
    /// Events received (stages and sinks).
    pub received: u64,
    /// Events sent downstream (sources, stages) or delivered (sinks).
    pub emitted: u64,
    /// Failures: events a stage or sink failed on, input a source rejected.
    pub errors: u64,
    /// Records this component sent to the dead-letter output.
    pub dead_lettered: u64,
    /// Events a stage filtered out on purpose.
    pub dropped: u64,
    /// Time spent inside the component's own code, summed over workers, in milliseconds (wall
    /// clock: on a machine with more busy threads than cores it includes time spent waiting for
    /// a core).
    pub busy_ms: f64,
    /// CPU time of the component's threads, summed, in milliseconds: everything the threads did,
    /// including waiting on channels without blocking. Measured on Linux only (0 elsewhere).
    pub cpu_ms: f64,
}

/// What became of the events one source emitted; once a run has ended,
/// `emitted == delivered + dropped + dead_lettered + lost`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceLedgerReport {
    /// Source id.
    pub source: String,
    /// Events emitted.
    pub emitted: u64,
    /// Events that reached every sink downstream.
    pub delivered: u64,
    /// Events a stage filtered out.
    pub dropped: u64,
    /// Events of which at least one copy was dead-lettered.
    pub dead_lettered: u64,
    /// Events of which at least one copy is nowhere durable: not acknowledged by a sink, and
    /// its dead letter could not be written.
    pub lost: u64,
}

/// The result of a finished run.
#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    /// Wall-clock duration of the run in milliseconds.
    pub elapsed_ms: f64,
    /// Whether the run ended because shutdown was requested (a signal) rather than end of input.
    pub interrupted: bool,
    /// Per-component counters, sources first, in pipeline order.
    pub components: Vec<ComponentReport>,
    /// Per-source accounting of emitted events.
    pub sources: Vec<SourceLedgerReport>,
    /// Dead-letter records written.
    pub dead_letters_written: u64,
    /// Errors that ended a component early or lost data (a source that failed, a sink that
    /// could not flush, a dead-letter output that could not be written). Empty on a clean run.
    pub failures: Vec<String>,
}

impl RunReport {
    /// True when nothing failed in a way that lost data or ended a component early.
    pub fn is_clean(&self) -> bool {
        self.failures.is_empty()
    }

    /// The report of one component by id.
    pub fn component(&self, id: &str) -> Option<&ComponentReport> {
        self.components.iter().find(|c| c.id == id)
    }
}

impl fmt::Display for RunReport {
    /// A table for humans, as printed by `commwatch run --stats`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<20} {:<6} {:>3} {:>9} {:>9} {:>7} {:>7} {:>7} {:>10} {:>10}",
            "component",
            "kind",
            "wrk",
            "received",
            "emitted",
            "errors",
            "dropped",
            "dead",
            "busy ms",
            "cpu ms"
        )?;
        for c in &self.components {
            writeln!(
                f,
                "{:<20} {:<6} {:>3} {:>9} {:>9} {:>7} {:>7} {:>7} {:>10.1} {:>10.1}",
                c.id,
                c.kind,
                c.workers,
                c.received,
                c.emitted,
                c.errors,
                c.dropped,
                c.dead_lettered,
                c.busy_ms,
                c.cpu_ms
            )?;
        }
        for s in &self.sources {
            writeln!(
                f,
                "source {}: {} emitted = {} delivered + {} dropped + {} dead-lettered{}",
                s.source,
                s.emitted,
                s.delivered,
                s.dropped,
                s.dead_lettered,
                if s.lost > 0 {
                    format!(" + {} LOST (in no durable place)", s.lost)
                } else {
                    String::new()
                }
            )?;
        }
        writeln!(
            f,
            "dead letters written: {}; elapsed {:.1} ms",
            self.dead_letters_written, self.elapsed_ms
        )?;
        for failure in &self.failures {
            writeln!(f, "FAILURE: {failure}")?;
        }
        Ok(())
    }
}
