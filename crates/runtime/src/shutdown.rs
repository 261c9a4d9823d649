//! Shutdown requests: end of input, or a signal from the operator.
//!
//! The first SIGINT or SIGTERM asks sources to stop; everything already read drains through the
//! pipeline and sinks flush, so the process exits 0 with nothing lost. A second signal means the
//! operator will not wait: the process exits at once with status 130.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A shared flag that asks sources to stop reading.
#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    requested: Arc<AtomicBool>,
}

impl Shutdown {
    /// A flag that is not set.
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Asks sources to stop; in-flight events still drain.
    pub fn request(&self) {
        self.requested.store(true, Ordering::Release);
    }

    /// True once shutdown was requested.
    pub fn is_requested(&self) -> bool {
        self.requested.load(Ordering::Acquire)
    }

    /// Sets this flag on SIGINT and SIGTERM, and makes a second such signal exit the process at
    /// once with status 130.
    pub fn install_signal_handlers(&self) -> io::Result<()> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        for signal in [SIGINT, SIGTERM] {
            // Order matters: the conditional exit is registered first, so it sees the flag as it
            // was before this signal set it.
            signal_hook::flag::register_conditional_shutdown(
                signal,
                130,
                Arc::clone(&self.requested),
            )?;
            signal_hook::flag::register(signal, Arc::clone(&self.requested))?;
        }
        Ok(())
    }
}
