//! Runs a commwatch pipeline: a graph of sources, stages and sinks joined by bounded channels.
//!
//! The components themselves ([`Source`](commwatch_core::Source),
//! [`Transform`](commwatch_core::Transform), [`Sink`](commwatch_core::Sink)) know nothing of
//! threads. This crate gives each of them threads, moves events between them and guarantees the
//! properties an operator relies on:
//!
//! - **Backpressure, never drops.** Every edge is a bounded `crossbeam-channel`; a full channel
//!   blocks the sender.
//! - **Nothing is lost silently.** An event a stage or sink fails on, and input a source cannot
//!   parse, goes to the dead-letter output with the component id and the reason. A panic inside a
//!   component is caught and treated the same way.
//! - **Order per source.** A stage with `workers = N` processes batches in parallel and a
//!   collector re-sequences them, so downstream sees events in the order they arrived.
//! - **Clean shutdown.** At end of input or on the first SIGINT/SIGTERM ([`Shutdown`]), sources
//!   stop, in-flight events drain to the sinks, and sinks flush. A second signal exits at once.
//! - **Acknowledged delivery.** A sink acknowledges an event when it is durable where it went
//!   ([`Ack`](commwatch_core::Ack)), not when `write` returns; a dead letter counts once it is
//!   flushed and synced.
//! - **Accounting and checkpoints.** Every event carries a finalizer shared by its fan-out copies
//!   ([`Envelope`]); when the last copy is acknowledged, dropped or durably dead-lettered the
//!   source's ledger is told, and a source's read position is committed
//!   ([`Checkpoints`](commwatch_core::Checkpoints)) once
//!   every event before it is done. Per-component counters are returned in a [`RunReport`].
//!
//! Build a graph with [`GraphBuilder`], then call [`Graph::run`].

mod checkpoint;
mod dead_letter;
mod envelope;
mod graph;
mod reload;
mod run;
mod shutdown;
mod stats;

pub use checkpoint::COMMIT_EVERY;
pub use dead_letter::{DeadLetter, DeadLetterWriter, JsonlDeadLetterWriter};
pub use envelope::{Delivery, Envelope};
pub use graph::{
    Graph, GraphBuilder, GraphError, GraphOptions, NodeOptions, NodeSpec, StageFactory, nearest,
    validate_topology,
};
pub use reload::Reloadable;
pub use run::RunError;
pub use shutdown::Shutdown;
pub use stats::{ComponentKind, ComponentReport, RunReport, SourceLedgerReport};
