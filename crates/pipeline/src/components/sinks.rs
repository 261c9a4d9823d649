//! Sink types: `console`, `jsonl`, `webhook`, `alertmanager`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use commwatch_alerting::{AlertStore, SqliteSink};
use commwatch_core::Sink;
use commwatch_io::{
    AlertmanagerConfig, AlertmanagerSink, ConsoleSink, DEFAULT_DRAIN_TIMEOUT,
    DEFAULT_NOTIFY_TIMEOUT, DEFAULT_RESOLVE_AFTER, DEFAULT_RETRY_INITIAL, DEFAULT_RETRY_MAX,
    DEFAULT_SPOOL_MAX_BYTES, DeliveryOptions, Grouping, JsonlContent, JsonlSink, Secret,
    WebhookConfig, WebhookFormat, WebhookSink,
};
use serde::Deserialize;

use super::{Ctx, DurationOption};
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

/// `type = "webhook"`: notifications POSTed as JSON (signed) or as Slack/Mattermost messages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookOptions {
    /// Where to POST, `http://` or `https://`.
    url: String,
    /// `json` (default) or `slack`.
    #[serde(default)]
    format: WebhookFormatOption,
    /// Name of the environment variable holding the signing secret.
    secret_env: Option<String>,
    /// File holding the signing secret, relative to the pipeline file's directory.
    secret_file: Option<String>,
    /// Label names whose values group alerts into one notification (`...`: every label; `[]`:
    /// one group). Default `["rule"]`.
    group_by: Option<Vec<String>>,
    /// How long a new group waits for more alerts. Default `"0s"`.
    group_wait: Option<DurationOption>,
    /// Least time between two notifications of one group. Default `"0s"`.
    group_interval: Option<DurationOption>,
    /// Spool directory. Default `spool/<sink id>` next to the pipeline file.
    spool_dir: Option<String>,
    /// Bound of the spool in bytes. Default 64 MiB.
    spool_max_bytes: Option<u64>,
    /// Longest one attempt may take. Default `"10s"`.
    timeout: Option<DurationOption>,
    /// Delay before the first retry. Default `"500ms"`.
    retry_initial: Option<DurationOption>,
    /// Longest delay between retries. Default `"30s"`.
    retry_max: Option<DurationOption>,
    /// Time spent at the end of the run delivering what is left. Default `"10s"`.
    drain_timeout: Option<DurationOption>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
enum WebhookFormatOption {
    #[default]
    Json,
    Slack,
}

/// `type = "alertmanager"`: alerts POSTed to Prometheus Alertmanager's `/api/v2/alerts`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlertmanagerOptions {
    /// Alertmanager's base URL, e.g. `http://127.0.0.1:9093`.
    url: String,
    /// Time after which an alert resolves on its own. Default `"24h"`.
    resolve_after: Option<DurationOption>,
    /// Spool directory. Default `spool/<sink id>` next to the pipeline file.
    spool_dir: Option<String>,
    /// Bound of the spool in bytes. Default 64 MiB.
    spool_max_bytes: Option<u64>,
    /// Longest one attempt may take. Default `"10s"`.
    timeout: Option<DurationOption>,
    /// Delay before the first retry. Default `"500ms"`.
    retry_initial: Option<DurationOption>,
    /// Longest delay between retries. Default `"30s"`.
    retry_max: Option<DurationOption>,
    /// Time spent at the end of the run delivering what is left. Default `"10s"`.
    drain_timeout: Option<DurationOption>,
}

/// Spool and retry options shared by the HTTP sinks (each sink's options repeat them, so that
/// `deny_unknown_fields` checks them).
struct DeliveryFields<'a> {
    spool_dir: &'a Option<String>,
    spool_max_bytes: Option<u64>,
    timeout: Option<DurationOption>,
    retry_initial: Option<DurationOption>,
    retry_max: Option<DurationOption>,
    drain_timeout: Option<DurationOption>,
}

macro_rules! delivery_fields {
    ($o:expr) => {
        DeliveryFields {
            spool_dir: &$o.spool_dir,
            spool_max_bytes: $o.spool_max_bytes,
            timeout: $o.timeout,
            retry_initial: $o.retry_initial,
            retry_max: $o.retry_max,
            drain_timeout: $o.drain_timeout,
        }
    };
}

/// Why `secret = "…"` is refused.
const LITERAL_SECRET: &str = "a literal secret is not accepted: pipeline files end up in version \
     control, backups, `commwatch validate` output and --set command lines (visible in the \
     process list). Put the secret in an environment variable and set `secret_env = \"NAME\"`, \
     or in a file only commwatch can read and set `secret_file = \"path\"`";

/// A checked sink, ready to build.
pub(crate) enum SinkSpec {
    Console(ColorOption, String),
    Sqlite {
        path: PathBuf,
        key: String,
        origin: String,
    },
    Jsonl {
        id: String,
        path: PathBuf,
        stdout: bool,
        content: JsonlContent,
        key: String,
        origin: String,
    },
    Webhook {
        config: WebhookConfig,
        key: String,
        origin: String,
    },
    Alertmanager {
        config: AlertmanagerConfig,
        key: String,
        origin: String,
    },
}

/// `type = "sqlite"`: the alert history, an embedded SQLite database (no server) recording every
/// alert of every communiqué — notified, held back as a repeat, or a near-duplicate — read back
/// by `commwatch alerts`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SqliteOptions {
    /// The database file, relative to the pipeline file's directory. Default `alerts.db`.
    #[serde(default = "default_sqlite_path")]
    path: String,
}

fn default_sqlite_path() -> String {
    "alerts.db".to_string()
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
            Ok(SinkSpec::Console(o.color, sink_id(ctx)))
        }
        "sqlite" => {
            let o: SqliteOptions = ctx.options(options)?;
            Ok(SinkSpec::Sqlite {
                path: ctx.resolve(&o.path),
                key: format!("{}.path", ctx.key),
                origin: ctx.origin.clone(),
            })
        }
        "jsonl" => {
            let o: JsonlOptions = ctx.options(options)?;
            let content = match o.content {
                ContentOption::Alerts => JsonlContent::Alerts,
                ContentOption::Events => JsonlContent::Events,
            };
            Ok(SinkSpec::Jsonl {
                id: sink_id(ctx),
                stdout: o.path == "-",
                path: ctx.resolve(&o.path),
                content,
                key: format!("{}.path", ctx.key),
                origin: ctx.origin.clone(),
            })
        }
        "webhook" => {
            refuse_literal_secret(&options, ctx)?;
            let o: WebhookOptions = ctx.options(options)?;
            let id = sink_id(ctx);
            let secret = match (&o.secret_env, &o.secret_file) {
                (Some(_), Some(_)) => {
                    return Err(ctx.error(
                        "secret_file",
                        "give either `secret_env` or `secret_file`, not both",
                    ));
                }
                (Some(name), None) => Some(secret_from_env(ctx, name)?),
                (None, Some(path)) => Some(secret_from_file(ctx, path)?),
                (None, None) => None,
            };
            let defaults = Grouping::default();
            let group_by = o.group_by.clone().unwrap_or(defaults.by);
            for (i, name) in group_by.iter().enumerate() {
                if name.trim().is_empty() {
                    return Err(ctx.error(&format!("group_by[{i}]"), "must not be empty"));
                }
                if group_by[..i].contains(name) {
                    return Err(ctx.error(
                        &format!("group_by[{i}]"),
                        format!("{name:?} is listed twice"),
                    ));
                }
            }
            let grouping = Grouping {
                by: group_by,
                wait: o.group_wait.map_or(defaults.wait, |d| d.0),
                interval: o.group_interval.map_or(defaults.interval, |d| d.0),
            };
            Ok(SinkSpec::Webhook {
                config: WebhookConfig {
                    url: http_url(ctx, &o.url)?,
                    format: match o.format {
                        WebhookFormatOption::Json => WebhookFormat::Json,
                        WebhookFormatOption::Slack => WebhookFormat::Slack,
                    },
                    secret,
                    grouping,
                    delivery: delivery_options(ctx, &id, delivery_fields!(o))?,
                    id,
                },
                key: format!("{}.spool_dir", ctx.key),
                origin: ctx.origin.clone(),
            })
        }
        "alertmanager" => {
            let o: AlertmanagerOptions = ctx.options(options)?;
            let id = sink_id(ctx);
            let resolve_after = o.resolve_after.map_or(DEFAULT_RESOLVE_AFTER, |d| d.0);
            if resolve_after.is_zero() {
                return Err(ctx.error("resolve_after", "must be more than zero"));
            }
            Ok(SinkSpec::Alertmanager {
                config: AlertmanagerConfig {
                    url: http_url(ctx, &o.url)?,
                    resolve_after,
                    delivery: delivery_options(ctx, &id, delivery_fields!(o))?,
                    id,
                },
                key: format!("{}.spool_dir", ctx.key),
                origin: ctx.origin.clone(),
            })
        }
        other => unreachable!("sink type {other} was checked against SINK_TYPES"),
    }
}

/// The sink's id: the last part of its key (`sinks.<id>`).
fn sink_id(ctx: &Ctx<'_>) -> String {
    ctx.key
        .strip_prefix("sinks.")
        .unwrap_or(&ctx.key)
        .to_owned()
}

/// Refuses `secret = "…"` with the reason, before serde would call it an unknown option.
fn refuse_literal_secret(options: &serde_json::Value, ctx: &Ctx<'_>) -> Result<(), ConfigError> {
    if options.get("secret").is_some() {
        return Err(ctx.error("secret", LITERAL_SECRET));
    }
    Ok(())
}

/// Checks that `url` is an `http://` or `https://` URL with a host.
fn http_url(ctx: &Ctx<'_>, url: &str) -> Result<String, ConfigError> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("https://"));
    match rest {
        Some(rest) if !rest.starts_with(['/', '?', '#']) && !rest.is_empty() => {
            if url.chars().any(char::is_whitespace) {
                Err(ctx.error("url", "must not contain white space"))
            } else {
                Ok(url.to_owned())
            }
        }
        _ => Err(ctx.error(
            "url",
            format!("{url:?} is not an http:// or https:// URL with a host"),
        )),
    }
}

/// Reads the signing secret from the environment variable `name`.
fn secret_from_env(ctx: &Ctx<'_>, name: &str) -> Result<Secret, ConfigError> {
    if name.is_empty() || name.contains('=') || name.contains('\0') {
        return Err(ctx.error(
            "secret_env",
            format!("{name:?} is not an environment variable name"),
        ));
    }
    let value = std::env::var_os(name).ok_or_else(|| {
        ctx.error(
            "secret_env",
            format!("the environment variable {name} is not set"),
        )
    })?;
    let bytes = value.into_encoded_bytes();
    if bytes.is_empty() {
        return Err(ctx.error(
            "secret_env",
            format!("the environment variable {name} is empty"),
        ));
    }
    Ok(Secret::new(bytes))
}

/// Reads the signing secret from a file; one trailing line ending is not part of it.
fn secret_from_file(ctx: &Ctx<'_>, path: &str) -> Result<Secret, ConfigError> {
    let path = ctx.existing_file("secret_file", path)?;
    let mut bytes = std::fs::read(&path).map_err(|e| {
        ctx.error(
            "secret_file",
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    if bytes.ends_with(b"\n") {
        bytes.pop();
        if bytes.ends_with(b"\r") {
            bytes.pop();
        }
    }
    if bytes.is_empty() {
        return Err(ctx.error("secret_file", format!("{} is empty", path.display())));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(&path)
            && meta.permissions().mode() & 0o004 != 0
        {
            tracing::warn!(
                file = %path.display(),
                "the webhook secret file is readable by every user; consider chmod 600"
            );
        }
    }
    Ok(Secret::new(bytes))
}

/// The spool and retry options, checked, with their defaults.
fn delivery_options(
    ctx: &Ctx<'_>,
    id: &str,
    f: DeliveryFields<'_>,
) -> Result<DeliveryOptions, ConfigError> {
    let spool_dir = match f.spool_dir {
        Some(dir) if dir.trim().is_empty() => {
            return Err(ctx.error("spool_dir", "must not be empty"));
        }
        Some(dir) => ctx.resolve(dir),
        None => ctx.resolve(&format!("spool/{id}")),
    };
    let spool_max_bytes = f.spool_max_bytes.unwrap_or(DEFAULT_SPOOL_MAX_BYTES);
    if spool_max_bytes == 0 {
        return Err(ctx.error("spool_max_bytes", "must be at least 1"));
    }
    let get = |d: Option<DurationOption>, default: Duration| d.map_or(default, |d| d.0);
    let timeout = get(f.timeout, DEFAULT_NOTIFY_TIMEOUT);
    let retry_initial = get(f.retry_initial, DEFAULT_RETRY_INITIAL);
    let retry_max = get(f.retry_max, DEFAULT_RETRY_MAX);
    if timeout.is_zero() {
        return Err(ctx.error("timeout", "must be more than zero"));
    }
    if retry_initial.is_zero() {
        return Err(ctx.error("retry_initial", "must be more than zero"));
    }
    if retry_max < retry_initial {
        return Err(ctx.error(
            "retry_max",
            format!("must be at least retry_initial ({retry_initial:?}), found {retry_max:?}"),
        ));
    }
    Ok(DeliveryOptions {
        spool_dir,
        spool_max_bytes,
        timeout,
        retry_initial,
        retry_max,
        drain_timeout: get(f.drain_timeout, DEFAULT_DRAIN_TIMEOUT),
    })
}

impl SinkSpec {
    /// True for sinks that keep delivery records in the state store (JSONL files).
    pub(crate) fn keeps_state(&self) -> bool {
        matches!(self, SinkSpec::Jsonl { stdout: false, .. })
    }

    /// The running sink; opens its output. With a `state` store, a JSONL file sink writes each
    /// alert once across restarts (its delivery records are there).
    pub(crate) fn build(self, state: Option<&Path>) -> Result<Box<dyn Sink>, ConfigError> {
        match self {
            SinkSpec::Console(color, id) => Ok(Box::new(
                match color {
                    ColorOption::Auto => ConsoleSink::stdout(),
                    ColorOption::Always => ConsoleSink::new(Box::new(std::io::stdout()), true),
                    ColorOption::Never => ConsoleSink::new(Box::new(std::io::stdout()), false),
                }
                .with_id(id),
            )),
            SinkSpec::Sqlite { path, key, origin } => SqliteSink::open(&path)
                .map(|s| Box::new(s) as Box<dyn Sink>)
                .map_err(|e| ConfigError::new(origin, key, format!("{}: {e}", path.display()))),
            SinkSpec::Jsonl {
                id,
                path,
                stdout,
                content,
                key,
                origin,
            } => {
                if stdout {
                    return Ok(Box::new(
                        JsonlSink::new(Box::new(std::io::stdout()), content).with_id(id),
                    ));
                }
                let cannot_open = |e: &dyn std::fmt::Display| {
                    ConfigError::new(
                        origin.clone(),
                        key.clone(),
                        format!("cannot open {}: {e}", path.display()),
                    )
                };
                let sink = JsonlSink::create(&path, content)
                    .map_err(|e| cannot_open(&e))?
                    .with_id(id);
                let sink = match state {
                    Some(state) => {
                        let store = AlertStore::open(state).map_err(|e| cannot_open(&e))?;
                        sink.with_deliveries(store).map_err(|e| cannot_open(&e))?
                    }
                    None => sink,
                };
                Ok(Box::new(sink))
            }
            SinkSpec::Webhook {
                config,
                key,
                origin,
            } => WebhookSink::open(config)
                .map(|s| Box::new(s) as Box<dyn Sink>)
                .map_err(|e| ConfigError::new(origin, key, e.to_string())),
            SinkSpec::Alertmanager {
                config,
                key,
                origin,
            } => AlertmanagerSink::open(config)
                .map(|s| Box::new(s) as Box<dyn Sink>)
                .map_err(|e| ConfigError::new(origin, key, e.to_string())),
        }
    }
}
