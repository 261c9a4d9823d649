//! A fake [`SourceOutput`] shared by the source tests, so each test can look at exactly what a
//! source emitted and rejected, and decide when it should stop.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use commwatch_core::{Communique, Position, RejectedInput, SourceOutput};

/// Collects emitted events and rejected input.
#[derive(Default)]
pub struct FakeOutput {
    /// Events emitted, in order.
    pub events: Vec<Communique>,
    /// Input rejected, in order.
    pub rejects: Vec<RejectedInput>,
    /// The positions given with events, in order.
    pub positions: Vec<Position>,
    /// When set, `emit` returns `false` once this many events were accepted.
    pub accept_limit: Option<usize>,
    /// What `should_stop` returns; another thread may set it.
    pub stop: Arc<AtomicBool>,
}

impl SourceOutput for FakeOutput {
    fn emit(&mut self, event: Communique) -> bool {
        self.events.push(event);
        self.accept_limit.is_none_or(|n| self.events.len() < n)
    }

    fn emit_at(&mut self, event: Communique, position: Position) -> bool {
        self.positions.push(position);
        self.emit(event)
    }

    fn reject(&mut self, rejected: RejectedInput) {
        self.rejects.push(rejected);
    }

    fn should_stop(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

/// A writer whose bytes a test can read while a sink still owns it.
#[derive(Clone, Default)]
pub struct SharedBuf(pub Arc<std::sync::Mutex<Vec<u8>>>);

impl SharedBuf {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
