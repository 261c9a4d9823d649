//! Measuring a run from inside: ingest-to-sink latency per event, and the process's peak memory.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use commwatch_core::{Communique, Sink, SinkError};

/// A sink that records, for every event, the time from its ingestion (`received_at`, set by the
/// source) to its arrival at the sinks, in milliseconds.
pub struct LatencyProbe {
    latencies: Arc<Mutex<Vec<f64>>>,
    pending: Vec<f64>,
}

impl LatencyProbe {
    /// A probe appending to `latencies`.
    pub fn new(latencies: Arc<Mutex<Vec<f64>>>) -> LatencyProbe {
        LatencyProbe {
            latencies,
            pending: Vec::with_capacity(1024),
        }
    }
}

impl Sink for LatencyProbe {
    fn write(&mut self, event: &Communique) -> Result<(), SinkError> {
        let elapsed = Utc::now() - event.received_at;
        self.pending
            .push(elapsed.num_microseconds().unwrap_or(i64::MAX) as f64 / 1e3);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        if let Ok(mut all) = self.latencies.lock() {
            all.append(&mut self.pending);
        }
        Ok(())
    }
}

/// The 50th and 99th percentiles of `values` (sorted in place), or zeros when empty.
pub fn percentiles(values: &mut [f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    (at(0.50), at(0.99))
}

/// Resets the kernel's record of this process's peak RSS (Linux `clear_refs`), so the next
/// [`peak_rss_mib`] covers only what follows.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The peak resident set size since the last reset, in MiB (0 where `/proc` is unavailable).
pub fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time used so far by this process and by the whole machine, in clock ticks (Linux
/// `/proc`; zeros elsewhere).
pub struct Cpu {
    process: u64,
    machine: u64,
}

impl Cpu {
    /// The counters now.
    pub fn now() -> Cpu {
        // utime and stime are fields 14 and 15 of /proc/self/stat, after the parenthesized name.
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let field = |i: usize| {
            fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0)
        };
        // Field 3 (the state) is the first after the name: utime is field 14, stime field 15.
        let process = field(14 - 3) + field(15 - 3);
        // The first line of /proc/stat: "cpu user nice system idle iowait irq softirq steal ...".
        let all = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let cpu: Vec<u64> = all
            .lines()
            .next()
            .unwrap_or("")
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        let busy = |i: usize| cpu.get(i).copied().unwrap_or(0);
        let machine = busy(0) + busy(1) + busy(2) + busy(5) + busy(6) + busy(7);
        Cpu { process, machine }
    }

    /// (cores this process kept busy, cores the rest of the machine kept busy) between `before`
    /// and now, over `seconds` of wall-clock time. Assumes the usual 100 ticks per second.
    pub fn cores_since(&self, before: &Cpu, seconds: f64) -> (f64, f64) {
        const TICKS_PER_SECOND: f64 = 100.0;
        let ours = self.process.saturating_sub(before.process) as f64 / TICKS_PER_SECOND;
        let all = self.machine.saturating_sub(before.machine) as f64 / TICKS_PER_SECOND;
        let per_second = |t: f64| if seconds > 0.0 { t / seconds } else { 0.0 };
        (per_second(ours), per_second((all - ours).max(0.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_distribution() {
        let mut v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentiles(&mut v), (51.0, 99.0));
        assert_eq!(percentiles(&mut []), (0.0, 0.0));
    }
}
