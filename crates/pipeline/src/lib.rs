//! From `pipeline.toml` to a runnable graph.
//!
//! A pipeline file declares sources, stages and sinks as tables keyed by id:
//!
//! ```toml
//! [sources.communiques]
//! type = "files"
//! paths = ["communiques/*.txt"]
//!
//! [stages.normalize]
//! type = "normalize"
//! inputs = ["communiques"]
//!
//! [sinks.out]
//! type = "jsonl"
//! inputs = ["normalize"]
//! path = "-"
//! content = "events"
//! ```
//!
//! [`Pipeline::load`] reads it with the `config` crate in three layers — the file, then
//! environment variables `COMMWATCH__<KEY>__<PATH>`, then `--set key.path=value` overrides —
//! and checks everything before anything starts: component types (suggesting the nearest valid
//! name), option names and value types, referenced files, and the graph's shape (unknown inputs,
//! cycles, duplicate ids, outputs nobody reads). Every [`ConfigError`] names the file, the key
//! path and what was expected. [`Pipeline::into_graph`] then opens outputs and returns a
//! [`commwatch_runtime::Graph`]; [`Pipeline::process`] instead runs the stages over events held
//! in memory and returns them, writing nothing (for `commwatch eval`).
//!
//! Relative paths in a pipeline file are resolved against the file's own directory, so a
//! pipeline means the same thing whatever directory it is run from.
//!
//! Each component type lives in `components/` with its options struct, whose doc comments are the
//! reference for `docs/configuration.md`.

mod components;
mod error;
mod layers;
mod pipeline;
mod process;

pub use components::{SINK_TYPES, SOURCE_TYPES, STAGE_TYPES};
pub use error::{ConfigError, ConfigErrors};
pub use pipeline::{DeadLetterTarget, Pipeline, PipelineOptions};
pub use process::{FailedEvent, ProcessError, Processed};
