//! Measuring a run from inside: ingest-to-sink latency per event, and the process's peak memory.

use std::sync::{Arc, Mutex};

use chrono::Utc;
use commwatch_core::{Ack, Communique, Sink, SinkError};

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
    fn write(&mut self, event: &Communique, ack: Ack) -> Result<(), SinkError> {
        let elapsed = Utc::now() - event.received_at;
        self.pending
            .push(elapsed.num_microseconds().unwrap_or(i64::MAX) as f64 / 1e3);
        ack.done();
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
/// [`peak_rss_mib`] covers only what follows. First gives the memory earlier work freed back to
/// the system (glibc `malloc_trim`): the allocator keeps freed pages, which would otherwise count
/// in the peak of every later run (a run after a 100,000-rule pack would look 400 MiB larger).
pub fn reset_peak_rss() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's arenas.
    unsafe {
        libc::malloc_trim(0);
    }
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

/// CPU time used so far by this process, by the whole machine and by each CPU, in clock ticks
/// (Linux `/proc`; zeros elsewhere).
pub struct Cpu {
    process: u64,
    machine: u64,
    per_cpu: Vec<u64>,
}

/// How many cores were kept busy during a run, and by whom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cores {
    /// By this process.
    pub ours: f64,
    /// By other processes, anywhere on the machine.
    pub others: f64,
    /// By other processes on the CPUs the run was confined to (all of them when it was not).
    pub others_same_cpus: f64,
}

/// Busy ticks of a `/proc/stat` line's counters: "user nice system idle iowait irq softirq steal
/// ..." minus idle and iowait.
fn busy(fields: &[u64]) -> u64 {
    [0, 1, 2, 5, 6, 7]
        .iter()
        .map(|&i| fields.get(i).copied().unwrap_or(0))
        .sum()
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
        // /proc/stat: "cpu …" for the whole machine, then "cpu0 …", "cpu1 …".
        let all = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let (mut machine, mut per_cpu) = (0, Vec::new());
        for line in all.lines() {
            let mut words = line.split_whitespace();
            let Some(name) = words.next() else { continue };
            let Some(which) = name.strip_prefix("cpu") else {
                continue;
            };
            let ticks = busy(&words.filter_map(|f| f.parse().ok()).collect::<Vec<u64>>());
            if which.is_empty() {
                machine = ticks;
            } else if let Ok(cpu) = which.parse::<usize>() {
                if per_cpu.len() <= cpu {
                    per_cpu.resize(cpu + 1, 0);
                }
                per_cpu[cpu] = ticks;
            }
        }
        Cpu {
            process,
            machine,
            per_cpu,
        }
    }

    /// How many cores were busy between `before` and now, over `seconds` of wall-clock time, with
    /// the run confined to `cpus` (`None`: not confined). Assumes the usual 100 ticks per second.
    pub fn cores_since(&self, before: &Cpu, seconds: f64, cpus: Option<&[usize]>) -> Cores {
        const TICKS_PER_SECOND: f64 = 100.0;
        let ticks = |now: u64, then: u64| now.saturating_sub(then) as f64 / TICKS_PER_SECOND;
        let per_second = |t: f64| if seconds > 0.0 { t / seconds } else { 0.0 };
        let ours = ticks(self.process, before.process);
        let others = (ticks(self.machine, before.machine) - ours).max(0.0);
        let others_same_cpus = match cpus {
            None => others,
            Some(cpus) => {
                let on = |counts: &[u64], cpu: usize| counts.get(cpu).copied().unwrap_or(0);
                let busy: f64 = cpus
                    .iter()
                    .map(|&c| ticks(on(&self.per_cpu, c), on(&before.per_cpu, c)))
                    .sum();
                (busy - ours).max(0.0)
            }
        };
        Cores {
            ours: per_second(ours),
            others: per_second(others),
            others_same_cpus: per_second(others_same_cpus),
        }
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

    #[test]
    fn busy_time_is_split_between_us_and_others_on_our_cpus() {
        let before = Cpu {
            process: 0,
            machine: 0,
            per_cpu: vec![0, 0],
        };
        // Over 2 s: we used 150 ticks, all on cpu 0; cpu 0 was busy 180 ticks, cpu 1 100.
        let after = Cpu {
            process: 150,
            machine: 280,
            per_cpu: vec![180, 100],
        };
        let pinned = after.cores_since(&before, 2.0, Some(&[0]));
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(pinned.ours, 0.75), "{pinned:?}");
        assert!(close(pinned.others, 0.65), "{pinned:?}");
        assert!(close(pinned.others_same_cpus, 0.15), "{pinned:?}");
        let free = after.cores_since(&before, 2.0, None);
        assert_eq!(free.others_same_cpus, free.others);
    }

    #[test]
    fn the_counters_can_be_read() {
        let cpu = Cpu::now();
        if cfg!(target_os = "linux") {
            assert!(!cpu.per_cpu.is_empty());
            assert!(cpu.machine >= cpu.per_cpu.iter().max().copied().unwrap_or(0));
        }
    }
}
