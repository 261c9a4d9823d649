//! Sink types: `console`, `jsonl`.

use std::path::PathBuf;

use commwatch_core::Sink;
use commwatch_io::{ConsoleSink, JsonlContent, JsonlSink};
use serde::Deserialize;

use super::Ctx;
use crate::error::ConfigError;

/// `type = "console"`: a human-readable block per alert on standard output.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsoleOptions {
    /// `auto` (colour when standard output is a terminal and `NO_COLOR` is unset), `always`, `never`.
    #[serde(default)]
    color: ColorOption,
}

#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ColorOption {
    #[default]
    Auto,
    Always,
    Never,
}

/// `type = "jsonl"`: one JSON object per line, appended to a file or written to standard output.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct JsonlOptions {
    /// Output file, relative to the pipeline file's directory, or `-` for standard output.
    path: String,
    /// `alerts` (one line per alert) or `events` (one line per communiqué, with its entities and
    /// alerts). Default `alerts`.
    #[serde(default)]
    content: ContentOption,
}

#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ContentOption {
    #[default]
    Alerts,
    Events,
}

/// A checked sink, ready to build.
pub(crate) enum SinkSpec {
    Console(ColorOption),
    Jsonl {
        path: PathBuf,
        stdout: bool,
        content: JsonlContent,
        key: String,
        origin: String,
    },
}

/// Parses and checks the options of a sink of type `ty`.
pub(crate) fn prepare(
    ty: &str,
    options: serde_json::Value,
    ctx: &Ctx<'_>,
) -> Result<SinkSpec, ConfigError> {
    match ty {
        "console" => {
            let o: ConsoleOptions = ctx.options(options)?;
            Ok(SinkSpec::Console(o.color))
        }
        "jsonl" => {
            let o: JsonlOptions = ctx.options(options)?;
            let content = match o.content {
                ContentOption::Alerts => JsonlContent::Alerts,
                ContentOption::Events => JsonlContent::Events,
            };
            Ok(SinkSpec::Jsonl {
                stdout: o.path == "-",
                path: ctx.resolve(&o.path),
                content,
                key: format!("{}.path", ctx.key),
                origin: ctx.origin.clone(),
            })
        }
        other => unreachable!("sink type {other} was checked against SINK_TYPES"),
    }
}

impl SinkSpec {
    /// The running sink; opens its output.
    pub(crate) fn build(self) -> Result<Box<dyn Sink>, ConfigError> {
        match self {
            SinkSpec::Console(color) => Ok(Box::new(match color {
                ColorOption::Auto => ConsoleSink::stdout(),
                ColorOption::Always => ConsoleSink::new(Box::new(std::io::stdout()), true),
                ColorOption::Never => ConsoleSink::new(Box::new(std::io::stdout()), false),
            })),
            SinkSpec::Jsonl {
                path,
                stdout,
                content,
                key,
                origin,
            } => {
                if stdout {
                    return Ok(Box::new(JsonlSink::new(
                        Box::new(std::io::stdout()),
                        content,
                    )));
                }
                JsonlSink::create(&path, content)
                    .map(|s| Box::new(s) as Box<dyn Sink>)
                    .map_err(|e| {
                        ConfigError::new(
                            origin,
                            key,
                            format!("cannot open {}: {e}", path.display()),
                        )
                    })
            }
        }
    }
}
