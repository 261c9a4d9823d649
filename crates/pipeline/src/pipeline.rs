//! A whole pipeline: its global options and its components, checked and ready to build.

use std::path::{Path, PathBuf};

use commwatch_alerting::AlertStore;
use commwatch_core::Sink;
use commwatch_runtime::{
    ComponentKind, DeadLetterWriter, Graph, GraphBuilder, GraphError, GraphOptions,
    JsonlDeadLetterWriter, NodeOptions, NodeSpec, nearest, validate_topology,
};
use config::{Value, ValueKind};
use serde::Deserialize;

use crate::components::{Ctx, SINK_TYPES, SOURCE_TYPES, STAGE_TYPES, sinks, sources, stages};
use crate::error::{ConfigError, ConfigErrors};
use crate::layers::{self, Layered, to_json};

/// Top-level tables of a pipeline file.
const SECTIONS: &[&str] = &["pipeline", "sources", "stages", "sinks"];

/// The `[pipeline]` table: settings for the whole graph.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PipelineSection {
    /// Capacity of every edge, in batches. Default 8.
    channel_capacity: Option<usize>,
    /// Most events per batch. Default 32.
    batch_size: Option<usize>,
    /// Dead-letter output: a JSONL file path (relative to the pipeline file), or `-` for standard
    /// error. Default `dead-letter.jsonl`.
    dead_letter: Option<String>,
    /// Directories searched, in order, for plugins named by `plugin = "…"`, relative to the
    /// pipeline file. Default `["target/release", "target/debug"]`.
    plugin_dirs: Option<Vec<String>>,
    /// The state store (an SQLite file, relative to the pipeline file): sources' checkpoints
    /// and sinks' delivery records, so a restart goes on after what is done and delivers nothing
    /// twice. `"off"`: none (every run reads all its input). Default `state.db`.
    state: Option<String>,
}

/// The state store's default path, relative to the pipeline file.
pub const DEFAULT_STATE: &str = "state.db";
/// The value of `[pipeline] state` that turns the state store off.
pub const STATE_OFF: &str = "off";

/// Where dead letters go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeadLetterTarget {
    /// Appended to this JSONL file.
    File(PathBuf),
    /// Written to standard error.
    Stderr,
}

/// Settings for the whole pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelineOptions {
    /// Edge capacity and batch size.
    pub graph: GraphOptions,
    /// Where dead letters go.
    pub dead_letter: DeadLetterTarget,
    /// Where plugins named by `plugin = "…"` are looked up.
    pub plugin_dirs: Vec<PathBuf>,
    /// The state store holding the sources' checkpoints, when there is one.
    pub state: Option<PathBuf>,
}

pub(crate) enum Prepared {
    Source(sources::SourceSpec),
    Stage {
        spec: stages::StageSpec,
        node: NodeOptions,
    },
    Sink {
        spec: sinks::SinkSpec,
        capacity: Option<usize>,
    },
}

pub(crate) struct Component {
    pub(crate) id: String,
    pub(crate) kind: ComponentKind,
    pub(crate) inputs: Vec<String>,
    pub(crate) prepared: Prepared,
}

/// A checked pipeline, ready to turn into a graph.
pub struct Pipeline {
    pub(crate) file: PathBuf,
    pub(crate) options: PipelineOptions,
    pub(crate) components: Vec<Component>,
    /// Sources read all their input, whatever their committed checkpoints say.
    pub(crate) from_start: bool,
}

/// Keys every stage table accepts besides the stage's own options.
const STAGE_COMMON: &[&str] = &["type", "inputs", "workers", "capacity"];
/// Keys every sink table accepts besides the sink's own options.
const SINK_COMMON: &[&str] = &["type", "inputs", "capacity"];
/// Keys every source table accepts besides the source's own options.
const SOURCE_COMMON: &[&str] = &["type"];

impl Pipeline {
    /// Reads and checks the pipeline at `path`, with environment overrides and then `sets`
    /// (`key.path=value`) on top. Returns every problem found.
    pub fn load(path: &Path, sets: &[String]) -> Result<Pipeline, ConfigErrors> {
        let layered = layers::load(path, sets)?;
        let base_dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Pipeline::from_layered(path, layered, base_dir)
    }

    /// Reads and checks pipeline `text` as if it were the file `path` (relative paths resolve
    /// against `path`'s directory); for tools that derive a pipeline from another, like the
    /// benchmark.
    pub fn load_text(path: &Path, text: &str, sets: &[String]) -> Result<Pipeline, ConfigErrors> {
        let layered = layers::load_text(&path.display().to_string(), text, sets)?;
        let base_dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Pipeline::from_layered(path, layered, base_dir)
    }

    fn from_layered(
        path: &Path,
        layered: Layered,
        base_dir: PathBuf,
    ) -> Result<Pipeline, ConfigErrors> {
        let mut errors = Vec::new();

        for key in layered.root.keys() {
            if !SECTIONS.contains(&key.as_str()) {
                errors.push(
                    ConfigError::new(
                        layered.origin(&[key]),
                        key.as_str(),
                        format!("unknown section; expected one of {}", SECTIONS.join(", ")),
                    )
                    .suggest(nearest(key, SECTIONS.iter().copied())),
                );
            }
        }

        let options = match pipeline_options(&layered, &base_dir) {
            Ok(o) => o,
            Err(e) => {
                errors.push(e);
                PipelineOptions {
                    graph: GraphOptions::default(),
                    dead_letter: DeadLetterTarget::Stderr,
                    plugin_dirs: Vec::new(),
                    state: None,
                }
            }
        };

        let mut components = Vec::new();
        for (section, kind) in [
            ("sources", ComponentKind::Source),
            ("stages", ComponentKind::Stage),
            ("sinks", ComponentKind::Sink),
        ] {
            let Some(table) = layered.root.get(section) else {
                continue;
            };
            let ValueKind::Table(entries) = &table.kind else {
                errors.push(ConfigError::new(
                    layered.origin(&[section]),
                    section,
                    format!("expected a table of {section} keyed by id, e.g. [{section}.my_id]"),
                ));
                continue;
            };
            for (id, value) in entries {
                match prepare_component(
                    &layered,
                    &base_dir,
                    &options.plugin_dirs,
                    section,
                    kind,
                    id,
                    value,
                ) {
                    Ok(c) => components.push(c),
                    Err(e) => errors.push(e),
                }
            }
        }

        // Plugins that take their regions from a tag stage's gazetteer, then a trial instance;
        // alert routes that must name sinks of this pipeline.
        if errors.is_empty() {
            errors.extend(finish_plugins(&mut components));
            let sinks: Vec<&str> = components
                .iter()
                .filter(|c| c.kind == ComponentKind::Sink)
                .map(|c| c.id.as_str())
                .collect();
            for c in &components {
                if let Prepared::Stage {
                    spec: stages::StageSpec::Alerts(alerts),
                    ..
                } = &c.prepared
                    && let Err(e) = alerts.check_routes(&sinks)
                {
                    errors.push(e);
                }
            }
        }

        // The graph's shape, checked only when every component parsed (else ids may be missing).
        if errors.is_empty() {
            let specs: Vec<NodeSpec<'_>> = components
                .iter()
                .map(|c| NodeSpec {
                    id: &c.id,
                    kind: c.kind,
                    inputs: &c.inputs,
                })
                .collect();
            if let Err(graph_errors) = validate_topology(&specs) {
                errors.extend(
                    graph_errors
                        .into_iter()
                        .map(|e| graph_error(&layered, &components, e)),
                );
            }
        }

        if errors.is_empty() {
            Ok(Pipeline {
                file: path.to_path_buf(),
                options,
                components,
                from_start: false,
            })
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// The pipeline file this was read from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Global settings.
    pub fn options(&self) -> &PipelineOptions {
        &self.options
    }

    /// Component ids by kind, in file order: a one-line overview for `commwatch validate`.
    pub fn summary(&self) -> String {
        let list = |kind: ComponentKind| {
            self.components
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "sources: {}; stages: {}; sinks: {}",
            list(ComponentKind::Source),
            list(ComponentKind::Stage),
            list(ComponentKind::Sink)
        )
    }

    /// Makes the sources read all their input again, ignoring the checkpoints committed by
    /// earlier runs (they are committed anew as this run goes). Sinks still deliver nothing
    /// they recorded as delivered.
    pub fn from_start(mut self) -> Pipeline {
        self.from_start = true;
        self
    }

    /// Builds the runnable graph, opening sink outputs.
    pub fn into_graph(self) -> Result<Graph, ConfigErrors> {
        self.into_graph_with(Vec::new())
    }

    /// Builds the runnable graph with extra sinks that are not described in the file, each as
    /// `(id, inputs, sink)`: a tool's own probe, such as the benchmark's latency recorder.
    pub fn into_graph_with(
        self,
        extra_sinks: Vec<(String, Vec<String>, Box<dyn Sink>)>,
    ) -> Result<Graph, ConfigErrors> {
        let mut builder = GraphBuilder::new(self.options.graph);
        for (id, inputs, sink) in extra_sinks {
            builder.sink(id, inputs, None, sink);
        }
        let mut errors = Vec::new();
        // The store is opened (and created) only for a pipeline with a component that keeps
        // state in it: a Unix filter (stdin to stdout) leaves no file behind.
        let keeps_state = self.components.iter().any(|c| match &c.prepared {
            Prepared::Source(spec) => spec.keeps_state(),
            Prepared::Sink { spec, .. } => spec.keeps_state(),
            Prepared::Stage { .. } => false,
        });
        let state = match self.options.state.as_ref().filter(|_| keeps_state) {
            Some(path) => Some(AlertStore::open(path).map_err(|e| {
                ConfigErrors(vec![ConfigError::new(
                    self.file.display().to_string(),
                    "pipeline.state",
                    format!(
                        "{e}. The state store is never reset silently: repair the file, or move \
                         it aside to start afresh (sources then read all their input again, and \
                         sinks may deliver again what they delivered before)"
                    ),
                )])
            })?),
            None => None,
        };
        for c in self.components {
            match c.prepared {
                Prepared::Source(spec) => {
                    let mut source = spec.build();
                    if let Some(state) = state.as_ref().filter(|_| !self.from_start) {
                        match state.checkpoint(&c.id) {
                            Ok(checkpoint) => source.resume(&checkpoint),
                            Err(e) => errors.push(ConfigError::new(
                                self.file.display().to_string(),
                                "pipeline.state",
                                e.to_string(),
                            )),
                        }
                    }
                    builder.source(c.id, source);
                }
                Prepared::Stage { spec, node } => {
                    builder.stage(c.id, c.inputs, node, spec.factory(state.is_some()));
                }
                Prepared::Sink { spec, capacity } => {
                    match spec.build(self.options.state.as_deref()) {
                        Ok(sink) => {
                            builder.sink(c.id, c.inputs, capacity, sink);
                        }
                        Err(e) => errors.push(e),
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(ConfigErrors(errors));
        }
        if let Some(state) = state {
            builder.checkpoints(Box::new(state));
        }
        let dead_letter = match &self.options.dead_letter {
            DeadLetterTarget::File(path) => JsonlDeadLetterWriter::new(path),
            DeadLetterTarget::Stderr => {
                JsonlDeadLetterWriter::to_stream(Box::new(std::io::stderr()))
            }
        };
        finish_graph(&self.file, builder, Box::new(dead_letter))
    }
}

/// Validates the assembled graph; its errors (which a checked pipeline does not have) become
/// configuration errors of `file`.
pub(crate) fn finish_graph(
    file: &Path,
    builder: GraphBuilder,
    dead_letter: Box<dyn DeadLetterWriter>,
) -> Result<Graph, ConfigErrors> {
    let file = file.display().to_string();
    builder.build(dead_letter).map_err(|errs| {
        ConfigErrors(
            errs.into_iter()
                .map(|e| ConfigError::new(&file, "", e.to_string()))
                .collect(),
        )
    })
}

fn pipeline_options(layered: &Layered, base_dir: &Path) -> Result<PipelineOptions, ConfigError> {
    let ctx = Ctx {
        base_dir,
        origin: layered.origin(&["pipeline"]),
        key: "pipeline".into(),
        common_keys: &[],
        plugin_dirs: &[],
    };
    let section: PipelineSection = match layered.root.get("pipeline") {
        Some(v) => ctx.options(to_json(v))?,
        None => PipelineSection::default(),
    };
    let defaults = GraphOptions::default();
    let positive = |field: &str, v: Option<usize>, default: usize| match v {
        Some(0) => Err(ctx.error(field, "must be at least 1")),
        Some(n) => Ok(n),
        None => Ok(default),
    };
    let graph = GraphOptions {
        channel_capacity: positive(
            "channel_capacity",
            section.channel_capacity,
            defaults.channel_capacity,
        )?,
        batch_size: positive("batch_size", section.batch_size, defaults.batch_size)?,
    };
    let dead_letter = match section.dead_letter.as_deref() {
        Some("-") => DeadLetterTarget::Stderr,
        Some(path) => DeadLetterTarget::File(ctx.resolve(path)),
        None => DeadLetterTarget::File(ctx.resolve("dead-letter.jsonl")),
    };
    let plugin_dirs = match section.plugin_dirs {
        Some(dirs) => dirs.iter().map(|d| ctx.resolve(d)).collect(),
        None => ["target/release", "target/debug"]
            .iter()
            .map(|d| ctx.resolve(d))
            .collect(),
    };
    Ok(PipelineOptions {
        graph,
        dead_letter,
        plugin_dirs,
        state: match section.state.as_deref() {
            Some(STATE_OFF) => None,
            Some(path) => Some(ctx.resolve(path)),
            None => Some(ctx.resolve(DEFAULT_STATE)),
        },
    })
}

/// Common keys of a stage or sink table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Common {
    #[serde(default)]
    inputs: Vec<String>,
    workers: Option<usize>,
    capacity: Option<usize>,
}

fn prepare_component(
    layered: &Layered,
    base_dir: &Path,
    plugin_dirs: &[PathBuf],
    section: &str,
    kind: ComponentKind,
    id: &str,
    value: &Value,
) -> Result<Component, ConfigError> {
    let key = format!("{section}.{id}");
    let origin = layered.origin(&[section, id]);
    let (types, common_keys) = match kind {
        ComponentKind::Source => (SOURCE_TYPES, SOURCE_COMMON),
        ComponentKind::Stage => (STAGE_TYPES, STAGE_COMMON),
        ComponentKind::Sink => (SINK_TYPES, SINK_COMMON),
    };
    let ctx = Ctx {
        base_dir,
        origin: origin.clone(),
        key: key.clone(),
        common_keys,
        plugin_dirs,
    };
    let serde_json::Value::Object(mut table) = to_json(value) else {
        return Err(ctx.error(
            "",
            format!("expected a table, e.g. [{key}] with a `type` key"),
        ));
    };

    let expected = format!("expected one of {}", types.join(", "));
    let ty = match table.remove("type") {
        Some(serde_json::Value::String(t)) => t,
        Some(other) => {
            return Err(ctx.error(
                "type",
                format!("expected a string, found {other}; {expected}"),
            ));
        }
        None => return Err(ctx.error("type", format!("missing; {expected}"))),
    };
    if !types.contains(&ty.as_str()) {
        let kind_name = kind.to_string();
        return Err(ConfigError::new(
            layered.origin(&[section, id, "type"]),
            format!("{key}.type"),
            format!("unknown {kind_name} type {ty:?}; {expected}"),
        )
        .suggest(nearest(&ty, types.iter().copied())));
    }

    // Split the table: keys shared by all components of this kind, and the type's own options.
    let mut common = serde_json::Map::new();
    for k in &common_keys[1..] {
        if let Some(v) = table.remove(*k) {
            common.insert(k.to_string(), v);
        }
    }
    let common: Common = ctx.options(serde_json::Value::Object(common))?;
    if common.workers == Some(0) {
        return Err(ctx.error("workers", "must be at least 1"));
    }
    if ty == "alerts" && common.workers.is_some_and(|w| w > 1) {
        return Err(ctx.error(
            "workers",
            "the alerts stage keeps state across events (what was sent when); it runs with workers = 1",
        ));
    }
    if common.capacity == Some(0) {
        return Err(ctx.error("capacity", "must be at least 1"));
    }
    let options = serde_json::Value::Object(table);
    let prepared = match kind {
        ComponentKind::Source => Prepared::Source(sources::prepare(&ty, id, options, &ctx)?),
        ComponentKind::Stage => Prepared::Stage {
            spec: stages::prepare(&ty, options, &ctx)?,
            node: NodeOptions {
                workers: common.workers.unwrap_or(1),
                capacity: common.capacity,
            },
        },
        ComponentKind::Sink => Prepared::Sink {
            spec: sinks::prepare(&ty, options, &ctx)?,
            capacity: common.capacity,
        },
    };
    Ok(Component {
        id: id.to_string(),
        kind,
        inputs: common.inputs,
        prepared,
    })
}

/// Gives each plugin stage its regions (from the tag stage named by `regions_from`) and tries
/// its configuration by creating one instance.
fn finish_plugins(components: &mut [Component]) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    for i in 0..components.len() {
        let Prepared::Stage {
            spec: stages::StageSpec::Plugin(plugin),
            ..
        } = &components[i].prepared
        else {
            continue;
        };
        let regions = match &plugin.regions_from {
            None => Ok(None),
            Some(from) => match components
                .iter()
                .find(|c| &c.id == from)
                .map(|c| &c.prepared)
            {
                Some(Prepared::Stage {
                    spec: stages::StageSpec::Tag { gazetteer, .. },
                    ..
                }) => Ok(Some(crate::components::plugin::regions_json(gazetteer))),
                _ => Err(plugin.error(
                    "regions_from",
                    format!("{from:?} is not the id of a `tag` stage"),
                )),
            },
        };
        let Prepared::Stage {
            spec: stages::StageSpec::Plugin(plugin),
            ..
        } = &mut components[i].prepared
        else {
            continue;
        };
        if let Err(e) = regions.and_then(|r| plugin.finish(r)) {
            errors.push(e);
        }
    }
    errors
}

/// A graph error as a configuration error at the key that causes it.
fn graph_error(layered: &Layered, components: &[Component], e: GraphError) -> ConfigError {
    let section_of = |id: &str| {
        components
            .iter()
            .find(|c| c.id == id)
            .map(|c| match c.kind {
                ComponentKind::Source => "sources",
                ComponentKind::Stage => "stages",
                ComponentKind::Sink => "sinks",
            })
    };
    let at = |id: &str, field: &str| {
        let section = section_of(id).unwrap_or("stages");
        let key = if field.is_empty() {
            format!("{section}.{id}")
        } else {
            format!("{section}.{id}.{field}")
        };
        (layered.origin(&[section, id]), key)
    };
    let (origin, key) = match &e {
        GraphError::UnknownInput { node, .. }
        | GraphError::InputIsSink { node, .. }
        | GraphError::DuplicateInput { node, .. }
        | GraphError::NoInputs { node, .. } => at(node, "inputs"),
        GraphError::Unconsumed { node, .. } => at(node, ""),
        GraphError::Cycle { path } => at(path.first().map(String::as_str).unwrap_or(""), "inputs"),
        GraphError::DuplicateId { id } => at(id, ""),
        GraphError::NoSources => (layered.file.clone(), "sources".to_string()),
    };
    // The runtime's message starts with the node id, which the key already names.
    let message = e.to_string();
    let message = match &e {
        GraphError::UnknownInput { node, input, .. } => {
            format!(
                "{input:?} is not a source or stage id (defined ids: {})",
                ids(components, node)
            )
        }
        _ => message
            .split_once(": ")
            .filter(|_| message.starts_with(&format!("{}:", node_of(&e))))
            .map_or(message.clone(), |(_, m)| m.to_string()),
    };
    let suggestion = match e {
        GraphError::UnknownInput { suggestion, .. } => suggestion,
        _ => None,
    };
    ConfigError::new(origin, key, message).suggest(suggestion)
}

fn node_of(e: &GraphError) -> &str {
    match e {
        GraphError::UnknownInput { node, .. }
        | GraphError::InputIsSink { node, .. }
        | GraphError::DuplicateInput { node, .. }
        | GraphError::NoInputs { node, .. }
        | GraphError::Unconsumed { node, .. } => node,
        _ => "",
    }
}

fn ids(components: &[Component], except: &str) -> String {
    components
        .iter()
        .filter(|c| c.kind != ComponentKind::Sink && c.id != except)
        .map(|c| c.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
