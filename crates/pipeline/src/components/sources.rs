//! Source types: `files`, `feed`, `jsonl`, `stdin`.

use std::time::Duration;

use commwatch_core::Source;
use commwatch_io::{
    DEFAULT_FEED_INTERVAL, DEFAULT_FEED_TIMEOUT, DEFAULT_MAX_BYTES, DEFAULT_MAX_LINE_BYTES,
    DEFAULT_SETTLE, FeedSource, FileFormat, FilesSource, JsonlSource, StdinFormat, StdinSource,
    TextEncoding,
};
use serde::Deserialize;

use super::{Ctx, DurationOption};
use crate::error::ConfigError;

/// `type = "files"`: text, HTML and feed files matched by glob patterns or below directories.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilesOptions {
    /// Glob patterns (`**` recurses) or directories (read recursively), relative to the pipeline
    /// file's directory.
    paths: Vec<String>,
    /// `auto` (by extension, then by content), `text`, `html` or `feed`.
    #[serde(default)]
    format: FormatOption,
    /// `auto` or an encoding label (`windows-1252`, `utf-16le`, …).
    #[serde(default = "default_encoding")]
    encoding: String,
    /// Largest file read, in bytes; larger files are dead-lettered. Default 16 MiB.
    #[serde(default = "default_max_bytes")]
    max_bytes: usize,
    /// Keep running and read new and changed files. Default false.
    #[serde(default)]
    watch: bool,
    /// With `watch`, how long a file's size and modification time must stay unchanged before it
    /// is read, in milliseconds. Default 500.
    #[serde(default = "default_settle_ms")]
    settle_ms: u64,
}

#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum FormatOption {
    #[default]
    Auto,
    Text,
    Html,
    Feed,
}

fn default_encoding() -> String {
    "auto".to_owned()
}

fn default_max_bytes() -> usize {
    DEFAULT_MAX_BYTES
}

fn default_settle_ms() -> u64 {
    DEFAULT_SETTLE.as_millis() as u64
}

/// `type = "feed"`: RSS, Atom and JSON feeds polled over HTTP.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FeedOptions {
    /// The feed URLs (`http://` or `https://`).
    urls: Vec<String>,
    /// Time between polls: `"30s"`, `"5m"`, `"1h"`, or a number of seconds. Default 5 minutes.
    #[serde(default = "default_interval")]
    interval: DurationOption,
    /// Longest a request may take. Default 30 seconds.
    #[serde(default = "default_timeout")]
    timeout: DurationOption,
    /// Largest response body read, in bytes. Default 16 MiB.
    #[serde(default = "default_max_bytes")]
    max_bytes: usize,
}

fn default_interval() -> DurationOption {
    DurationOption(DEFAULT_FEED_INTERVAL)
}

fn default_timeout() -> DurationOption {
    DurationOption(DEFAULT_FEED_TIMEOUT)
}

/// `type = "jsonl"`: one communiqué per line of a JSONL file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct JsonlOptions {
    /// The JSONL file, relative to the pipeline file's directory.
    path: String,
    /// Longest line accepted, in bytes; longer lines are dead-lettered. Default 16 MiB.
    #[serde(default = "default_max_line_bytes")]
    max_line_bytes: usize,
    /// Replay pace: at most this many communiqués per second. Default: as fast as the pipeline
    /// takes them.
    max_rate: Option<f64>,
}

fn default_max_line_bytes() -> usize {
    DEFAULT_MAX_LINE_BYTES
}

/// `type = "stdin"`: communiqués from standard input.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StdinOptions {
    /// `auto` (JSONL if the first non-blank byte is `{`, else one text document), `jsonl` or `text`.
    #[serde(default)]
    format: StdinFormatOption,
    /// Longest JSONL line accepted, in bytes. Default 16 MiB.
    #[serde(default = "default_max_line_bytes")]
    max_line_bytes: usize,
}

#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum StdinFormatOption {
    #[default]
    Auto,
    Jsonl,
    Text,
}

/// A checked source, ready to build.
pub(crate) enum SourceSpec {
    Files(FilesSource),
    Feed(FeedSource),
    Jsonl(JsonlSource),
    Stdin(StdinSource),
}

/// Parses and checks the options of a source of type `ty`.
pub(crate) fn prepare(
    ty: &str,
    id: &str,
    options: serde_json::Value,
    ctx: &Ctx<'_>,
) -> Result<SourceSpec, ConfigError> {
    match ty {
        "files" => prepare_files(id, ctx.options(options)?, ctx).map(SourceSpec::Files),
        "feed" => prepare_feed(id, ctx.options(options)?, ctx).map(SourceSpec::Feed),
        "jsonl" => {
            let o: JsonlOptions = ctx.options(options)?;
            let path = ctx.existing_file("path", &o.path)?;
            at_least_one(ctx, "max_line_bytes", o.max_line_bytes)?;
            let mut source =
                JsonlSource::from_path(id.to_string(), path).with_max_line_bytes(o.max_line_bytes);
            if let Some(rate) = o.max_rate {
                if !(rate.is_finite() && rate > 0.0) {
                    return Err(ctx.error(
                        "max_rate",
                        "must be a positive number of communiqués per second",
                    ));
                }
                source = source.with_max_rate(rate);
            }
            Ok(SourceSpec::Jsonl(source))
        }
        "stdin" => {
            let o: StdinOptions = ctx.options(options)?;
            at_least_one(ctx, "max_line_bytes", o.max_line_bytes)?;
            let format = match o.format {
                StdinFormatOption::Auto => StdinFormat::Auto,
                StdinFormatOption::Jsonl => StdinFormat::Jsonl,
                StdinFormatOption::Text => StdinFormat::Text,
            };
            Ok(SourceSpec::Stdin(
                StdinSource::new(id.to_string(), format).with_max_line_bytes(o.max_line_bytes),
            ))
        }
        other => unreachable!("source type {other} was checked against SOURCE_TYPES"),
    }
}

fn prepare_files(id: &str, o: FilesOptions, ctx: &Ctx<'_>) -> Result<FilesSource, ConfigError> {
    if o.paths.is_empty() {
        return Err(ctx.error(
            "paths",
            "is empty; expected at least one glob pattern or directory",
        ));
    }
    at_least_one(ctx, "max_bytes", o.max_bytes)?;
    let encoding: TextEncoding = o
        .encoding
        .parse()
        .map_err(|message: String| ctx.error("encoding", message))?;
    let format = match o.format {
        FormatOption::Auto => FileFormat::Auto,
        FormatOption::Text => FileFormat::Text,
        FormatOption::Html => FileFormat::Html,
        FormatOption::Feed => FileFormat::Feed,
    };
    let mut source = FilesSource::new(id.to_string(), o.paths, ctx.base_dir.to_path_buf())
        .with_format(format)
        .with_encoding(encoding)
        .with_max_bytes(o.max_bytes);
    if o.watch {
        source = source.watch(Duration::from_millis(o.settle_ms));
        // Nothing needs to match yet, but there must be somewhere to watch.
        let roots = source
            .watch_roots()
            .map_err(|e| ctx.error("paths", e.to_string()))?;
        if let Some(missing) = roots.iter().find(|r| !r.dir.is_dir()) {
            return Err(ctx.error(
                "paths",
                format!(
                    "pattern {:?}: directory {} does not exist, so it cannot be watched \
                     (patterns are relative to {})",
                    missing.pattern,
                    missing.dir.display(),
                    ctx.base_dir.display()
                ),
            ));
        }
        return Ok(source);
    }
    let matched = source
        .matching_paths()
        .map_err(|e| ctx.error("paths", e.to_string()))?;
    if matched.is_empty() {
        return Err(ctx.error(
            "paths",
            format!(
                "no file matches (patterns are relative to {})",
                ctx.base_dir.display()
            ),
        ));
    }
    Ok(source)
}

fn prepare_feed(id: &str, o: FeedOptions, ctx: &Ctx<'_>) -> Result<FeedSource, ConfigError> {
    if o.urls.is_empty() {
        return Err(ctx.error("urls", "is empty; expected at least one feed URL"));
    }
    for (i, url) in o.urls.iter().enumerate() {
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        let host = url.split_once("://").map_or("", |(_, rest)| rest);
        if !matches!(scheme.as_deref(), Some("http" | "https")) || host.is_empty() {
            return Err(ctx.error(
                &format!("urls[{i}]"),
                format!("{url:?} is not an http:// or https:// URL"),
            ));
        }
    }
    if o.interval.0.is_zero() {
        return Err(ctx.error("interval", "must be more than zero"));
    }
    if o.timeout.0.is_zero() {
        return Err(ctx.error("timeout", "must be more than zero"));
    }
    at_least_one(ctx, "max_bytes", o.max_bytes)?;
    Ok(FeedSource::new(id.to_string(), o.urls)
        .with_interval(o.interval.0)
        .with_timeout(o.timeout.0)
        .with_max_bytes(o.max_bytes))
}

/// Refuses a zero size limit, which would reject every input.
fn at_least_one(ctx: &Ctx<'_>, field: &str, value: usize) -> Result<(), ConfigError> {
    if value == 0 {
        Err(ctx.error(field, "must be at least 1"))
    } else {
        Ok(())
    }
}

impl SourceSpec {
    /// True for sources that commit checkpoints to the state store (and read them back).
    pub(crate) fn keeps_state(&self) -> bool {
        matches!(
            self,
            SourceSpec::Files(_) | SourceSpec::Jsonl(_) | SourceSpec::Feed(_)
        )
    }

    /// The running source.
    pub(crate) fn build(self) -> Box<dyn Source> {
        match self {
            SourceSpec::Files(s) => Box::new(s),
            SourceSpec::Feed(s) => Box::new(s),
            SourceSpec::Jsonl(s) => Box::new(s),
            SourceSpec::Stdin(s) => Box::new(s),
        }
    }
}
