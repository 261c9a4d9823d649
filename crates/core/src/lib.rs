//! The vocabulary every part of commwatch shares.
//!
//! commwatch moves **communiqués** (diplomatic statements, press releases, wire items) through a
//! graph of **sources**, **stages** and **sinks**. This crate defines what a communiqué is once it
//! is inside the pipeline ([`Communique`]), what the pipeline learns about it ([`Span`] for an
//! entity or keyword found in the text, [`Alert`] for something an analyst asked to hear about),
//! and the three contracts a component implements ([`Source`], [`Transform`], [`Sink`]). It also
//! holds the one definition of case and diacritic folding ([`fold`](mod@fold)) that every matcher
//! and pattern shares.
//!
//! It knows nothing of threads, channels or configuration files: the runtime wires components
//! together, and the text and rule libraries only need these types. Keeping the model here, small
//! and serializable, is what lets a plugin, a sink and a test agree on what an event looks like.
//!
//! # Offsets
//!
//! Every [`Span`] points at **byte offsets of the raw text**, exactly as it arrived. Stages work on
//! a normalized copy ([`NormalizedText`]) and translate their findings back through its
//! [`OffsetMap`], so that evidence quoted to an analyst is always the bytes of the original.

mod ack;
mod component;
mod duration;
mod event;
pub mod fold;
mod ids;
mod offsets;

pub use ack::{Ack, AckLog, PendingAcks, Settle};
pub use component::{
    Checkpoints, Outcome, Position, RejectedInput, Sink, SinkError, Source, SourceError,
    SourceOutput, StageError, Transform,
};
pub use duration::{DurationError, format_duration, parse_duration};
pub use event::{Alert, Communique, NormalizedText, Origin, Severity, Span, Symbol, TextRange};
pub use fold::FoldedText;
pub use ids::{content_id, fingerprint};
pub use offsets::{OffsetCursor, OffsetMap, OffsetMapBuilder};
