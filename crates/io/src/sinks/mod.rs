//! Sinks: where events and alerts leave commwatch.
//!
//! One module per kind. Machines get JSON Lines ([`JsonlSink`]), people get the console
//! ([`ConsoleSink`]); both write to any [`Write`](std::io::Write) so tests need no terminal or
//! file.

mod console;
mod jsonl;

pub use console::{ConsoleSink, format_alert};
pub use jsonl::{JsonlContent, JsonlSink};
