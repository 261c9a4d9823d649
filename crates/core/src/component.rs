//! The contracts of the three kinds of pipeline component.
//!
//! A [`Source`] produces communiqués, a [`Transform`] (a *stage*) enriches or filters them one at a
//! time, and a [`Sink`] delivers them somewhere. None of them sees a thread or a channel: the
//! runtime calls them, moves events between them, counts what happens, and sends anything that
//! fails to the dead-letter output with the reason. That keeps each component testable with a
//! plain function call.

use crate::ack::Ack;
use crate::event::Communique;

/// What a [`Transform`] decided about an event it processed successfully.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Pass the (possibly modified) event downstream.
    Keep,
    /// Drop the event on purpose (a filter said no). It is counted, not dead-lettered.
    Drop,
}

/// A stage that processes one event at a time.
///
/// The runtime creates one instance per worker thread (see `workers` in `pipeline.toml`), so an
/// implementation may keep mutable scratch state without locks.
pub trait Transform: Send {
    /// Processes one event in place. An `Err` sends the event, unchanged by this call's partial
    /// work being discarded or not, to the dead-letter output with the error's message.
    fn process(&mut self, event: &mut Communique) -> Result<Outcome, StageError>;
}

/// Why a stage could not process an event. The event goes to the dead-letter output.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct StageError {
    message: String,
    fatal: bool,
}

impl StageError {
    /// An error about this event; the stage carries on with the next one.
    pub fn new(message: impl Into<String>) -> StageError {
        StageError {
            message: message.into(),
            fatal: false,
        }
    }

    /// An error after which the pipeline must not go on (a plugin configured with
    /// `on_panic = "stop"` panicked): the event is dead-lettered and the pipeline shuts down,
    /// draining what is in flight, and the run reports a failure.
    pub fn fatal(message: impl Into<String>) -> StageError {
        StageError {
            message: message.into(),
            fatal: true,
        }
    }

    /// True for [`StageError::fatal`] errors.
    pub fn is_fatal(&self) -> bool {
        self.fatal
    }
}

/// Where a [`Source`] sends what it reads.
pub trait SourceOutput {
    /// Sends one event downstream, blocking while downstream is full (backpressure). Returns
    /// `false` when the pipeline is shutting down and the source should return.
    fn emit(&mut self, event: Communique) -> bool;

    /// Sends one event downstream, like [`emit`](Self::emit), with the source's read position
    /// after it. The runtime commits the position (to the pipeline's checkpoint store, when it
    /// has one) once this event and every event the source emitted before it are done — each
    /// delivered, dropped on purpose, or durably dead-lettered — so a restart resumes there.
    fn emit_at(&mut self, event: Communique, position: Position) -> bool {
        let _ = position;
        self.emit(event)
    }

    /// Records input that could not become an event (an unparseable line, a file that could not
    /// be read) in the dead-letter output, so nothing is lost silently.
    fn reject(&mut self, rejected: RejectedInput);

    /// True once shutdown was requested (end of run or a signal). A source checks this between
    /// documents and returns promptly.
    fn should_stop(&self) -> bool;

    /// Hands over events held back for batching. A source that is about to wait for more input
    /// (a quiet stdin, a watched folder) calls this so that what it already read is not delayed.
    fn flush(&mut self) {}
}

/// Where a source is in its input: one entry of its checkpoint, `key` (a file path, `offset`, a
/// feed URL) set to `value` (an offset, a file's identity, an item id). Later positions with the
/// same key replace earlier ones; a source reads its committed entries back when it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// What the position is of.
    pub key: String,
    /// Where in it.
    pub value: String,
}

/// Where the runtime commits sources' read positions: the pipeline's state store.
pub trait Checkpoints: Send {
    /// Durably records `positions` (the latest per key, in emission order) of `source`. An `Err`
    /// stops the pipeline: nothing may be marked done that is not.
    fn commit(&mut self, source: &str, positions: &[Position]) -> Result<(), String>;
}

/// Input a source could not turn into a communiqué.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedInput {
    /// Where the input was: a path, `path:line`, `stdin:line`.
    pub location: String,
    /// Why it was rejected.
    pub reason: String,
    /// The input itself (possibly truncated), so it can be replayed.
    pub input: String,
}

/// A producer of communiqués.
pub trait Source: Send {
    /// Called before [`run`](Self::run) with the positions this source committed in an earlier
    /// run (see [`SourceOutput::emit_at`]), so that it goes on after what is done. Sources
    /// without positions ignore it.
    fn resume(&mut self, checkpoint: &[Position]) {
        let _ = checkpoint;
    }

    /// Reads input until it is exhausted or [`SourceOutput::should_stop`] turns true, sending
    /// every communiqué to `out`. An `Err` ends this source and is reported; events already
    /// emitted still drain through the pipeline.
    fn run(&mut self, out: &mut dyn SourceOutput) -> Result<(), SourceError>;
}

/// Why a source had to stop.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Reading the input failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being read.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Any other failure.
    #[error("{0}")]
    Other(String),
}

/// A consumer that delivers communiqués or their alerts somewhere.
pub trait Sink: Send {
    /// Delivers one event, and settles `ack` once the event is durable where it went (now, or
    /// after a later sync, commit or answer; see [`Ack`]). The event counts as delivered only
    /// then. An `Err` sends the event to the dead-letter output with the reason (`ack` is then
    /// ignored).
    fn write(&mut self, event: &Communique, ack: Ack) -> Result<(), SinkError>;

    /// Flushes buffered output and makes it durable, settling the acks of what it holds. Called
    /// when the input goes quiet, when it ends, and before the process exits.
    fn flush(&mut self) -> Result<(), SinkError>;

    /// Called at least every 100 ms while the sink waits for input, for work driven by time:
    /// sending a notification group whose wait is over, retrying a delivery from a spool. An
    /// `Err` is logged and the sink goes on.
    fn poll(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// Why a sink could not deliver.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// Writing failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being written.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Any other failure.
    #[error("{0}")]
    Other(String),
}
