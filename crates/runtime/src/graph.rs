//! The pipeline graph: which components exist and who reads from whom, checked before anything
//! starts.
//!
//! Validation happens in one place ([`validate_topology`]) so that `commwatch validate` and
//! `commwatch run` reject exactly the same graphs, before a single thread is spawned or a file is
//! written.

use std::collections::{HashMap, HashSet};

use commwatch_core::{Checkpoints, Sink, Source, Transform};

use crate::dead_letter::DeadLetterWriter;
use crate::stats::ComponentKind;

/// Creates one instance of a stage. Called once per worker thread, on that thread, and again to
/// replace an instance that panicked.
pub type StageFactory = Box<dyn Fn() -> Result<Box<dyn Transform>, String> + Send + Sync>;

/// Settings that apply to the whole graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphOptions {
    /// Capacity of each edge, in batches. A full edge blocks its sender.
    pub channel_capacity: usize,
    /// The most events a source or stage puts in one batch. Batches form only when downstream is
    /// busy; an idle pipeline sends each event as soon as it is ready.
    pub batch_size: usize,
}

impl Default for GraphOptions {
    fn default() -> GraphOptions {
        GraphOptions {
            channel_capacity: 8,
            batch_size: 32,
        }
    }
}

/// Settings of one stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeOptions {
    /// Worker threads, each with its own stage instance. Output order is preserved.
    pub workers: usize,
    /// Capacity of this node's input edge, overriding [`GraphOptions::channel_capacity`].
    pub capacity: Option<usize>,
}

impl Default for NodeOptions {
    fn default() -> NodeOptions {
        NodeOptions {
            workers: 1,
            capacity: None,
        }
    }
}

pub(crate) enum NodeBody {
    Source(Box<dyn Source>),
    Stage {
        factory: StageFactory,
        workers: usize,
    },
    Sink(Box<dyn Sink>),
}

pub(crate) struct Node {
    pub(crate) id: String,
    pub(crate) inputs: Vec<String>,
    pub(crate) capacity: Option<usize>,
    pub(crate) body: NodeBody,
}

impl Node {
    pub(crate) fn kind(&self) -> ComponentKind {
        match self.body {
            NodeBody::Source(_) => ComponentKind::Source,
            NodeBody::Stage { .. } => ComponentKind::Stage,
            NodeBody::Sink(_) => ComponentKind::Sink,
        }
    }
}

/// Why a graph cannot run. Each variant names the component ids involved.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// The graph has no source.
    #[error("the pipeline has no source; add at least one [sources.<id>] table")]
    NoSources,
    /// Two components share an id.
    #[error(
        "id {id:?} is used by more than one component; ids must be unique across sources, stages and sinks"
    )]
    DuplicateId {
        /// The shared id.
        id: String,
    },
    /// A stage or sink reads from an id that does not exist.
    #[error("{node}: input {input:?} is not a source or stage id{}", suggestion_text(.suggestion))]
    UnknownInput {
        /// The reading component.
        node: String,
        /// The unknown id.
        input: String,
        /// The nearest existing id, if one is close.
        suggestion: Option<String>,
    },
    /// A component reads from a sink, which has no output.
    #[error("{node}: input {input:?} is a sink, and sinks have no output to read")]
    InputIsSink {
        /// The reading component.
        node: String,
        /// The sink id.
        input: String,
    },
    /// A component lists the same input twice.
    #[error("{node}: input {input:?} is listed twice")]
    DuplicateInput {
        /// The reading component.
        node: String,
        /// The repeated id.
        input: String,
    },
    /// A stage or sink has no inputs.
    #[error("{node}: `inputs` is empty; a {kind} must read from at least one source or stage")]
    NoInputs {
        /// The component.
        node: String,
        /// Its kind.
        kind: ComponentKind,
    },
    /// A source or stage whose output nobody reads: its events would be discarded.
    #[error(
        "{node}: nothing reads this {kind}'s output, so its events would be lost; list it in the `inputs` of a stage or sink"
    )]
    Unconsumed {
        /// The component.
        node: String,
        /// Its kind.
        kind: ComponentKind,
    },
    /// Stages read from each other in a loop.
    #[error("stages form a cycle: {}", .path.join(" -> "))]
    Cycle {
        /// The ids on the cycle, the first repeated at the end.
        path: Vec<String>,
    },
}

fn suggestion_text(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" (did you mean {s:?}?)"))
        .unwrap_or_default()
}

/// The shape of one component, enough to validate the graph without building anything.
#[derive(Clone, Copy, Debug)]
pub struct NodeSpec<'a> {
    /// Component id.
    pub id: &'a str,
    /// Its kind.
    pub kind: ComponentKind,
    /// The ids it reads from.
    pub inputs: &'a [String],
}

/// Checks ids, inputs and cycles. Returns every problem found, not just the first.
pub fn validate_topology(nodes: &[NodeSpec<'_>]) -> Result<(), Vec<GraphError>> {
    let mut errors = Vec::new();
    if !nodes.iter().any(|n| n.kind == ComponentKind::Source) {
        errors.push(GraphError::NoSources);
    }
    let mut by_id: HashMap<&str, ComponentKind> = HashMap::new();
    for n in nodes {
        if by_id.insert(n.id, n.kind).is_some() {
            errors.push(GraphError::DuplicateId {
                id: n.id.to_string(),
            });
        }
    }
    let mut consumed: HashSet<&str> = HashSet::new();
    for n in nodes {
        if n.kind != ComponentKind::Source && n.inputs.is_empty() {
            errors.push(GraphError::NoInputs {
                node: n.id.to_string(),
                kind: n.kind,
            });
        }
        let mut seen = HashSet::new();
        for input in n.inputs {
            if !seen.insert(input.as_str()) {
                errors.push(GraphError::DuplicateInput {
                    node: n.id.to_string(),
                    input: input.clone(),
                });
                continue;
            }
            match by_id.get(input.as_str()) {
                None => errors.push(GraphError::UnknownInput {
                    node: n.id.to_string(),
                    input: input.clone(),
                    suggestion: nearest(
                        input,
                        nodes
                            .iter()
                            .filter(|m| m.kind != ComponentKind::Sink)
                            .map(|m| m.id),
                    ),
                }),
                Some(ComponentKind::Sink) => errors.push(GraphError::InputIsSink {
                    node: n.id.to_string(),
                    input: input.clone(),
                }),
                Some(_) => {
                    consumed.insert(input.as_str());
                }
            }
        }
    }
    for n in nodes {
        if n.kind != ComponentKind::Sink && !consumed.contains(n.id) {
            errors.push(GraphError::Unconsumed {
                node: n.id.to_string(),
                kind: n.kind,
            });
        }
    }
    if let Some(path) = find_cycle(nodes) {
        errors.push(GraphError::Cycle { path });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The closest candidate to `name`, if it is close enough to be a likely typo (Jaro-Winkler
/// similarity of at least 0.8, which favours a shared beginning: `tagger` → `tag`).
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

/// A cycle among stages, as a path of ids whose last element repeats the first.
fn find_cycle(nodes: &[NodeSpec<'_>]) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let index: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let mut marks = vec![Mark::New; nodes.len()];
    // Iterative depth-first search along `inputs` edges, keeping the open path for the report.
    for root in 0..nodes.len() {
        if marks[root] != Mark::New {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        marks[root] = Mark::Open;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let inputs = nodes[node].inputs;
            if *next < inputs.len() {
                let input = &inputs[*next];
                *next += 1;
                let Some(&j) = index.get(input.as_str()) else {
                    continue;
                };
                match marks[j] {
                    Mark::New => {
                        marks[j] = Mark::Open;
                        stack.push((j, 0));
                    }
                    Mark::Open => {
                        let start = stack.iter().position(|&(n, _)| n == j).unwrap_or(0);
                        // Edges point from reader to input; report in data-flow order.
                        let mut path: Vec<String> = stack[start..]
                            .iter()
                            .rev()
                            .map(|&(n, _)| nodes[n].id.to_string())
                            .collect();
                        path.push(nodes[stack[stack.len() - 1].0].id.to_string());
                        return Some(path);
                    }
                    Mark::Done => {}
                }
            } else {
                marks[node] = Mark::Done;
                stack.pop();
            }
        }
    }
    None
}

/// Assembles a graph from components.
pub struct GraphBuilder {
    options: GraphOptions,
    nodes: Vec<Node>,
    checkpoints: Option<Box<dyn Checkpoints>>,
}

impl GraphBuilder {
    /// An empty graph with the given options.
    pub fn new(options: GraphOptions) -> GraphBuilder {
        GraphBuilder {
            options,
            nodes: Vec::new(),
            checkpoints: None,
        }
    }

    /// Adds a source.
    pub fn source(&mut self, id: impl Into<String>, source: Box<dyn Source>) -> &mut Self {
        self.nodes.push(Node {
            id: id.into(),
            inputs: Vec::new(),
            capacity: None,
            body: NodeBody::Source(source),
        });
        self
    }

    /// Adds a stage reading from `inputs`, with one instance from `factory` per worker.
    pub fn stage(
        &mut self,
        id: impl Into<String>,
        inputs: Vec<String>,
        options: NodeOptions,
        factory: StageFactory,
    ) -> &mut Self {
        self.nodes.push(Node {
            id: id.into(),
            inputs,
            capacity: options.capacity,
            body: NodeBody::Stage {
                factory,
                workers: options.workers.max(1),
            },
        });
        self
    }

    /// Adds a sink reading from `inputs`.
    pub fn sink(
        &mut self,
        id: impl Into<String>,
        inputs: Vec<String>,
        capacity: Option<usize>,
        sink: Box<dyn Sink>,
    ) -> &mut Self {
        self.nodes.push(Node {
            id: id.into(),
            inputs,
            capacity,
            body: NodeBody::Sink(sink),
        });
        self
    }

    /// Commits the sources' read positions to `store` as their events are done (see
    /// [`SourceOutput::emit_at`](commwatch_core::SourceOutput::emit_at)).
    pub fn checkpoints(&mut self, store: Box<dyn Checkpoints>) -> &mut Self {
        self.checkpoints = Some(store);
        self
    }

    /// Validates the graph and readies it to run, with `dead_letter` receiving everything that
    /// fails.
    pub fn build(self, dead_letter: Box<dyn DeadLetterWriter>) -> Result<Graph, Vec<GraphError>> {
        let specs: Vec<NodeSpec<'_>> = self
            .nodes
            .iter()
            .map(|n| NodeSpec {
                id: &n.id,
                kind: n.kind(),
                inputs: &n.inputs,
            })
            .collect();
        validate_topology(&specs)?;
        Ok(Graph {
            options: self.options,
            nodes: self.nodes,
            dead_letter,
            checkpoints: self.checkpoints,
        })
    }
}

/// A validated graph, ready to [`run`](Graph::run).
pub struct Graph {
    pub(crate) options: GraphOptions,
    pub(crate) nodes: Vec<Node>,
    pub(crate) dead_letter: Box<dyn DeadLetterWriter>,
    pub(crate) checkpoints: Option<Box<dyn Checkpoints>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec<'a>(id: &'a str, kind: ComponentKind, inputs: &'a [String]) -> NodeSpec<'a> {
        NodeSpec { id, kind, inputs }
    }

    fn v(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn accepts_fan_out_and_fan_in() {
        let (none, a, bc) = (v(&[]), v(&["src"]), v(&["b", "c"]));
        let nodes = [
            spec("src", ComponentKind::Source, &none),
            spec("b", ComponentKind::Stage, &a),
            spec("c", ComponentKind::Stage, &a),
            spec("out", ComponentKind::Sink, &bc),
        ];
        assert_eq!(validate_topology(&nodes), Ok(()));
    }

    #[test]
    fn reports_unknown_input_with_suggestion() {
        let (none, src, bad) = (v(&[]), v(&["src"]), v(&["normalise"]));
        let nodes = [
            spec("src", ComponentKind::Source, &none),
            spec("normalize", ComponentKind::Stage, &src),
            spec("out", ComponentKind::Sink, &bad),
        ];
        let errs = validate_topology(&nodes).unwrap_err();
        assert!(errs.contains(&GraphError::UnknownInput {
            node: "out".into(),
            input: "normalise".into(),
            suggestion: Some("normalize".into())
        }));
        let text = errs
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(text.contains("did you mean \"normalize\""), "{text}");
    }

    #[test]
    fn reports_cycles_in_flow_order() {
        let (none, a_in, b_in, c_in) = (v(&[]), v(&["src", "c"]), v(&["a"]), v(&["b"]));
        let nodes = [
            spec("src", ComponentKind::Source, &none),
            spec("a", ComponentKind::Stage, &a_in),
            spec("b", ComponentKind::Stage, &b_in),
            spec("c", ComponentKind::Stage, &c_in),
            spec("out", ComponentKind::Sink, &c_in),
        ];
        let errs = validate_topology(&nodes).unwrap_err();
        let cycle = errs.iter().find_map(|e| match e {
            GraphError::Cycle { path } => Some(path.clone()),
            _ => None,
        });
        let path = cycle.expect("cycle reported");
        assert_eq!(path.first(), path.last());
        assert_eq!(path.len(), 4);
        assert!(errs.iter().any(|e| e.to_string().contains("cycle")));
    }

    #[test]
    fn reports_duplicates_sinks_as_inputs_and_unread_outputs() {
        let (none, src, sink_in) = (v(&[]), v(&["src"]), v(&["out"]));
        let nodes = [
            spec("src", ComponentKind::Source, &none),
            spec("src", ComponentKind::Stage, &src),
            spec("lonely", ComponentKind::Stage, &src),
            spec("out", ComponentKind::Sink, &src),
            spec("out2", ComponentKind::Sink, &sink_in),
            spec("empty", ComponentKind::Sink, &none),
        ];
        let errs = validate_topology(&nodes).unwrap_err();
        assert!(errs.contains(&GraphError::DuplicateId { id: "src".into() }));
        assert!(errs.contains(&GraphError::InputIsSink {
            node: "out2".into(),
            input: "out".into()
        }));
        assert!(errs.contains(&GraphError::Unconsumed {
            node: "lonely".into(),
            kind: ComponentKind::Stage
        }));
        assert!(errs.contains(&GraphError::NoInputs {
            node: "empty".into(),
            kind: ComponentKind::Sink
        }));
    }
}
