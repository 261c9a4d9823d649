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
        LatencyProbe { latencies, pending: Vec::with_capacity(1024) }
    }
}

impl Sink for LatencyProbe {
    fn write(&mut self, event: &Communique) -> Result<(), SinkError> {
        let elapsed = Utc::now() - event.received_at;
        self.pending.push(elapsed.num_microseconds().unwrap_or(i64::MAX) as f64 / 1e3);
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
