//! Confining a run to as many CPUs as it has workers.
//!
//! With one worker per stage, the stages of a pipeline still run in parallel with each other, so
//! "one worker" keeps every core of a small machine busy: compared with a one-thread baseline it
//! looks cheap, and a second worker has no core left to gain. So a run with N workers, and its
//! baseline on N threads, are confined to N CPUs: the calling thread's affinity is set before the
//! run spawns its threads (which inherit it) and restored afterwards. Linux only; elsewhere, or
//! when fewer than N CPUs are available, the run is unpinned and the report says why.

use std::fmt;

/// Where a run's threads were allowed to run.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Placement {
    /// Confined to these CPUs.
    Pinned {
        /// CPU numbers, ascending.
        cpus: Vec<usize>,
    },
    /// Free to run on every CPU the process may use.
    Unpinned {
        /// Why the run was not confined.
        reason: String,
    },
}

impl Placement {
    /// The CPUs the run was confined to, if it was.
    pub fn cpus(&self) -> Option<&[usize]> {
        match self {
            Placement::Pinned { cpus } => Some(cpus),
            Placement::Unpinned { .. } => None,
        }
    }

    /// "on 2 cores" or "unpinned", for a comparison.
    pub fn short(&self) -> String {
        match self {
            Placement::Pinned { cpus } => format!("on {}", cores(cpus.len())),
            Placement::Unpinned { .. } => "unpinned".to_string(),
        }
    }
}

fn cores(n: usize) -> String {
    format!("{n} core{}", if n == 1 { "" } else { "s" })
}

impl fmt::Display for Placement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Placement::Pinned { cpus } => {
                let list: Vec<String> = cpus.iter().map(usize::to_string).collect();
                write!(
                    f,
                    "pinned to {} (cpu {})",
                    cores(cpus.len()),
                    list.join(", ")
                )
            }
            Placement::Unpinned { reason } => write!(f, "unpinned ({reason})"),
        }
    }
}

/// The calling thread, and every thread it spawns while this lives, confined to some CPUs; the
/// thread's former affinity comes back on drop.
pub(crate) struct Pin {
    placement: Placement,
    #[cfg(target_os = "linux")]
    restore: Option<linux::Mask>,
}

impl Pin {
    /// Confines the calling thread to the first `n` CPUs it may run on, if `enabled`, on Linux,
    /// and if there are that many.
    pub(crate) fn new(n: usize, enabled: bool) -> Pin {
        let unpinned = |reason: String| Pin {
            placement: Placement::Unpinned { reason },
            #[cfg(target_os = "linux")]
            restore: None,
        };
        if !enabled {
            return unpinned("--no-pin".to_string());
        }
        #[cfg(target_os = "linux")]
        {
            let original = match linux::Mask::current() {
                Ok(mask) => mask,
                Err(e) => return unpinned(format!("reading the CPU affinity: {e}")),
            };
            let allowed = original.cpus();
            let n = n.max(1);
            if allowed.len() < n {
                return unpinned(format!("{n} workers, {} available", cores(allowed.len())));
            }
            let cpus = allowed[..n].to_vec();
            if let Err(e) = linux::Mask::only(&cpus).apply() {
                return unpinned(format!("setting the CPU affinity: {e}"));
            }
            Pin {
                placement: Placement::Pinned { cpus },
                restore: Some(original),
            }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = n;
            unpinned("CPU pinning is implemented on Linux only".to_string())
        }
    }

    /// Where threads spawned now run.
    pub(crate) fn placement(&self) -> &Placement {
        &self.placement
    }
}

#[cfg(target_os = "linux")]
impl Drop for Pin {
    fn drop(&mut self) {
        if let Some(mask) = &self.restore {
            // Restoring a mask the thread had a moment ago cannot reasonably fail; if it did, the
            // rest of the benchmark would run confined, which its reports would show.
            let _ = mask.apply();
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::mem::size_of;

    /// A CPU affinity mask.
    pub(super) struct Mask(libc::cpu_set_t);

    impl Mask {
        /// The calling thread's mask.
        pub(super) fn current() -> io::Result<Mask> {
            // SAFETY: an all-zero cpu_set_t is a valid (empty) set.
            let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
            // SAFETY: `set` is a cpu_set_t of the size passed; pid 0 is the calling thread.
            let rc = unsafe { libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set) };
            if rc == 0 {
                Ok(Mask(set))
            } else {
                Err(io::Error::last_os_error())
            }
        }

        /// A mask of exactly `cpus` (each below `CPU_SETSIZE`).
        pub(super) fn only(cpus: &[usize]) -> Mask {
            // SAFETY: an all-zero cpu_set_t is a valid (empty) set.
            let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
            for &cpu in cpus {
                // SAFETY: `cpu` comes from `cpus()` of a mask, so it is below CPU_SETSIZE.
                unsafe { libc::CPU_SET(cpu, &mut set) };
            }
            Mask(set)
        }

        /// The CPUs in the mask, ascending.
        pub(super) fn cpus(&self) -> Vec<usize> {
            (0..libc::CPU_SETSIZE as usize)
                // SAFETY: every index is below CPU_SETSIZE.
                .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &self.0) })
                .collect()
        }

        /// Makes this the calling thread's mask.
        pub(super) fn apply(&self) -> io::Result<()> {
            // SAFETY: `self.0` is a cpu_set_t of the size passed; pid 0 is the calling thread.
            let rc = unsafe { libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &self.0) };
            if rc == 0 {
                Ok(())
            } else {
                Err(io::Error::last_os_error())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placements_read_well() {
        let one = Placement::Pinned { cpus: vec![0] };
        assert_eq!(one.to_string(), "pinned to 1 core (cpu 0)");
        assert_eq!(one.short(), "on 1 core");
        let two = Placement::Pinned { cpus: vec![0, 1] };
        assert_eq!(two.to_string(), "pinned to 2 cores (cpu 0, 1)");
        let free = Placement::Unpinned {
            reason: "--no-pin".into(),
        };
        assert_eq!(free.to_string(), "unpinned (--no-pin)");
        assert_eq!(free.short(), "unpinned");
        assert_eq!(free.cpus(), None);
    }

    #[test]
    fn disabled_pinning_changes_nothing() {
        let pin = Pin::new(1, false);
        assert_eq!(pin.placement().cpus(), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_pin_confines_new_threads_and_is_undone_on_drop() {
        let before = linux::Mask::current().unwrap().cpus();
        {
            let pin = Pin::new(1, true);
            let cpus = pin.placement().cpus().unwrap().to_vec();
            assert_eq!(cpus, before[..1]);
            let seen = std::thread::spawn(|| linux::Mask::current().unwrap().cpus())
                .join()
                .unwrap();
            assert_eq!(seen, cpus, "a thread spawned under the pin inherits it");
        }
        assert_eq!(linux::Mask::current().unwrap().cpus(), before);
        let too_many = Pin::new(before.len() + 1, true);
        assert!(matches!(too_many.placement(), Placement::Unpinned { .. }));
    }
}
