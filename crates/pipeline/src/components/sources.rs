//! Source types: `files`, `jsonl`, `stdin`.

use commwatch_core::Source;
use commwatch_io::{DEFAULT_MAX_LINE_BYTES, FilesSource, JsonlSource, StdinFormat, StdinSource};
use serde::Deserialize;

use super::Ctx;
use crate::error::ConfigError;

/// `type = "files"`: every file matching the glob patterns is one communiqué.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilesOptions {
    /// Glob patterns (`**` recurses), relative to the pipeline file's directory.
    paths: Vec<String>,
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
        "files" => {
            let o: FilesOptions = ctx.options(options)?;
            if o.paths.is_empty() {
                return Err(ctx.error("paths", "is empty; expected at least one glob pattern"));
            }
            let source = FilesSource::new(id.to_string(), o.paths, ctx.base_dir.to_path_buf());
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
            Ok(SourceSpec::Files(source))
        }
        "jsonl" => {
            let o: JsonlOptions = ctx.options(options)?;
            let path = ctx.existing_file("path", &o.path)?;
            Ok(SourceSpec::Jsonl(
                JsonlSource::from_path(id.to_string(), path).with_max_line_bytes(o.max_line_bytes),
            ))
        }
        "stdin" => {
            let o: StdinOptions = ctx.options(options)?;
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

impl SourceSpec {
    /// The running source.
    pub(crate) fn build(self) -> Box<dyn Source> {
        match self {
            SourceSpec::Files(s) => Box::new(s),
            SourceSpec::Jsonl(s) => Box::new(s),
            SourceSpec::Stdin(s) => Box::new(s),
        }
    }
}
