//! The runtime's central promise, checked on random graphs: every event a source emits reaches
//! each sink downstream of it — once per path — or the dead-letter output, exactly once, in the
//! order the source emitted it, whatever the graph shape, worker counts and channel capacities.

use std::collections::BTreeMap;
use std::io;
use std::sync::{Arc, Mutex};

use commwatch_core::{
    Ack, Communique, Origin, Outcome, Sink, SinkError, Source, SourceError, SourceOutput,
    StageError, Transform,
};
use commwatch_runtime::{
    DeadLetter, DeadLetterWriter, GraphBuilder, GraphOptions, NodeOptions, Shutdown,
};
use proptest::prelude::*;

/// Emits `count` events with ids `<name>-<seq>`.
struct VecSource {
    name: String,
    count: usize,
}

impl Source for VecSource {
    fn run(&mut self, out: &mut dyn SourceOutput) -> Result<(), SourceError> {
        for seq in 0..self.count {
            let mut ev = Communique::new(
                Some(format!("{}-{seq}", self.name)),
                Origin::default(),
                "x".into(),
            );
            ev.metadata.insert("source".into(), self.name.clone());
            ev.metadata.insert("seq".into(), seq.to_string());
            ev.metadata.insert("path".into(), self.name.clone());
            if !out.emit(ev) {
                break;
            }
        }
        Ok(())
    }
}

/// Appends its id to the event's path; fails the events `fails(stage, seq)` selects.
struct PathStage {
    id: String,
    failing: bool,
}

fn fails(stage: &str, failing: bool, seq: usize) -> bool {
    failing
        && (seq * 31 + stage.len() * 7 + stage.bytes().map(usize::from).sum::<usize>())
            .is_multiple_of(5)
}

impl Transform for PathStage {
    fn process(&mut self, event: &mut Communique) -> Result<Outcome, StageError> {
        let seq: usize = event.metadata["seq"]
            .parse()
            .expect("seq set by the source");
        let path = event
            .metadata
            .get_mut("path")
            .expect("path set by the source");
        if fails(&self.id, self.failing, seq) {
            return Err(StageError::new(format!("{} refuses {seq}", self.id)));
        }
        path.push('>');
        path.push_str(&self.id);
        Ok(Outcome::Keep)
    }
}

/// (source, seq, path) of an event that reached a sink.
type Arrival = (String, usize, String);
type Arrivals = Arc<Mutex<Vec<Arrival>>>;
/// (component, source, seq, path) of a dead-lettered event.
type Dead = (String, String, usize, String);
type DeadList = Arc<Mutex<Vec<Dead>>>;

/// Records (source, seq, path) of every event it receives. Acknowledges like a batching sink,
/// late and out of order: every third event at once, the others at the next flush, newest first.
struct CollectSink(Arrivals, Vec<Ack>);

impl Sink for CollectSink {
    fn write(&mut self, event: &Communique, ack: Ack) -> Result<(), SinkError> {
        let m = &event.metadata;
        let seq: usize = m["seq"].parse().unwrap();
        self.0
            .lock()
            .unwrap()
            .push((m["source"].clone(), seq, m["path"].clone()));
        if seq.is_multiple_of(3) {
            ack.done();
        } else {
            self.1.push(ack);
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        self.1.drain(..).rev().for_each(Ack::done);
        Ok(())
    }
}

/// Records (component, source, seq, path) of every dead letter.
struct CollectDeadLetters(DeadList);

impl DeadLetterWriter for CollectDeadLetters {
    fn write(&mut self, record: &DeadLetter<'_>) -> io::Result<()> {
        let ev = record.event.expect("only events are dead-lettered here");
        let m = &ev.metadata;
        self.0.lock().unwrap().push((
            record.component.to_string(),
            m["source"].clone(),
            m["seq"].parse().unwrap(),
            m["path"].clone(),
        ));
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A random pipeline shape.
#[derive(Clone, Debug)]
struct Shape {
    sources: Vec<usize>,                    // events per source
    stages: Vec<(Vec<usize>, usize, bool)>, // (inputs as node indexes, workers, failing)
    sinks: Vec<Vec<usize>>,                 // inputs as node indexes
    capacity: usize,
    batch_size: usize,
}

impl Shape {
    fn name(&self, node: usize) -> String {
        let s = self.sources.len();
        if node < s {
            format!("src{node}")
        } else {
            format!("st{}", node - s)
        }
    }
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        1usize..=3,
        0usize..=5,
        1usize..=3,
        any::<u64>(),
        1usize..=4,
        1usize..=8,
    )
        .prop_map(|(n_src, n_stage, n_sink, seed, capacity, batch_size)| {
            let mut rng = seed | 1;
            let mut next = move |n: usize| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                (rng % n as u64) as usize
            };
            let sources: Vec<usize> = (0..n_src).map(|_| next(60)).collect();
            let pick_inputs = |available: usize, next: &mut dyn FnMut(usize) -> usize| {
                let mut inputs: Vec<usize> = (0..available).filter(|_| next(3) == 0).collect();
                if inputs.is_empty() {
                    inputs.push(next(available));
                }
                inputs
            };
            let mut stages = Vec::new();
            for j in 0..n_stage {
                let inputs = pick_inputs(n_src + j, &mut next);
                stages.push((inputs, 1 + next(4), next(2) == 0));
            }
            let producers = n_src + n_stage;
            let mut sinks: Vec<Vec<usize>> = (0..n_sink)
                .map(|_| pick_inputs(producers, &mut next))
                .collect();
            // Every producer must be read by someone; give orphans to the first sink.
            for p in 0..producers {
                let read = stages.iter().any(|(i, _, _)| i.contains(&p))
                    || sinks.iter().any(|i| i.contains(&p));
                if !read {
                    sinks[0].push(p);
                }
            }
            Shape {
                sources,
                stages,
                sinks,
                capacity,
                batch_size,
            }
        })
}

/// Every path from a source to `target` (a node index, or `usize::MAX - k` for sink k), as node
/// index lists.
fn paths_into(shape: &Shape, inputs: &[usize]) -> Vec<Vec<usize>> {
    let n_src = shape.sources.len();
    let mut out = Vec::new();
    for &input in inputs {
        if input < n_src {
            out.push(vec![input]);
        } else {
            for mut p in paths_into(shape, &shape.stages[input - n_src].0) {
                p.push(input);
                out.push(p);
            }
        }
    }
    out
}

fn path_string(shape: &Shape, path: &[usize]) -> String {
    path.iter()
        .map(|&n| shape.name(n))
        .collect::<Vec<_>>()
        .join(">")
}

fn run_shape(shape: &Shape) -> (Vec<Vec<Arrival>>, Vec<Dead>, commwatch_runtime::RunReport) {
    let mut g = GraphBuilder::new(GraphOptions {
        channel_capacity: shape.capacity,
        batch_size: shape.batch_size,
    });
    for (i, &count) in shape.sources.iter().enumerate() {
        g.source(
            shape.name(i),
            Box::new(VecSource {
                name: shape.name(i),
                count,
            }),
        );
    }
    let n_src = shape.sources.len();
    for (j, (inputs, workers, failing)) in shape.stages.iter().enumerate() {
        let id = shape.name(n_src + j);
        let inputs = inputs.iter().map(|&n| shape.name(n)).collect();
        let (factory_id, failing) = (id.clone(), *failing);
        g.stage(
            id,
            inputs,
            NodeOptions {
                workers: *workers,
                capacity: None,
            },
            Box::new(move || {
                Ok(Box::new(PathStage {
                    id: factory_id.clone(),
                    failing,
                }) as Box<dyn Transform>)
            }),
        );
    }
    let mut arrivals = Vec::new();
    for (k, inputs) in shape.sinks.iter().enumerate() {
        let got: Arrivals = Arc::default();
        arrivals.push(Arc::clone(&got));
        g.sink(
            format!("sink{k}"),
            inputs.iter().map(|&n| shape.name(n)).collect(),
            None,
            Box::new(CollectSink(got, Vec::new())),
        );
    }
    let dead: DeadList = Arc::default();
    let graph = g
        .build(Box::new(CollectDeadLetters(Arc::clone(&dead))))
        .expect("generated graphs are valid");
    let report = graph.run(&Shutdown::new()).expect("run starts");
    let arrivals = arrivals
        .into_iter()
        .map(|a| a.lock().unwrap().clone())
        .collect();
    let dead = dead.lock().unwrap().clone();
    (arrivals, dead, report)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_event_reaches_each_downstream_sink_or_dead_letter_exactly_once(shape in shape()) {
        let (arrivals, dead, report) = run_shape(&shape);
        let n_src = shape.sources.len();
        prop_assert!(report.is_clean(), "{:?}", report.failures);

        // Expected arrivals per sink: one per (event, path) with no failing stage on the path.
        for (k, inputs) in shape.sinks.iter().enumerate() {
            let mut expected: BTreeMap<(String, usize, String), usize> = BTreeMap::new();
            for path in paths_into(&shape, inputs) {
                let source = shape.name(path[0]);
                for seq in 0..shape.sources[path[0]] {
                    let survives = path[1..].iter().all(|&st| {
                        let (_, _, failing) = shape.stages[st - n_src];
                        !fails(&shape.name(st), failing, seq)
                    });
                    if survives {
                        *expected.entry((source.clone(), seq, path_string(&shape, &path))).or_default() += 1;
                    }
                }
            }
            let mut got: BTreeMap<(String, usize, String), usize> = BTreeMap::new();
            for a in &arrivals[k] {
                *got.entry(a.clone()).or_default() += 1;
            }
            prop_assert_eq!(&got, &expected, "sink{}", k);

            // Order: along any one path, a source's events arrive in the order emitted.
            let mut last: BTreeMap<(String, String), usize> = BTreeMap::new();
            for (source, seq, path) in &arrivals[k] {
                if let Some(prev) = last.insert((source.clone(), path.clone()), *seq) {
                    prop_assert!(prev < *seq, "sink{} got {}#{} after #{} on path {}", k, source, seq, prev, path);
                }
            }
        }

        // Expected dead letters: one per (event, path prefix) that ends at the first failing stage.
        let mut expected: BTreeMap<(String, String, usize, String), usize> = BTreeMap::new();
        for (j, (inputs, _, failing)) in shape.stages.iter().enumerate() {
            let stage = shape.name(n_src + j);
            for path in paths_into(&shape, inputs) {
                for seq in 0..shape.sources[path[0]] {
                    let reaches = path[1..].iter().all(|&st| {
                        let (_, _, f) = shape.stages[st - n_src];
                        !fails(&shape.name(st), f, seq)
                    });
                    if reaches && fails(&stage, *failing, seq) {
                        let key = (stage.clone(), shape.name(path[0]), seq, path_string(&shape, &path));
                        *expected.entry(key).or_default() += 1;
                    }
                }
            }
        }
        let mut got: BTreeMap<(String, String, usize, String), usize> = BTreeMap::new();
        for d in &dead {
            *got.entry(d.clone()).or_default() += 1;
        }
        prop_assert_eq!(got, expected);

        // Every emitted event is finalized exactly once.
        for ledger in &report.sources {
            prop_assert_eq!(ledger.emitted, ledger.delivered + ledger.dropped + ledger.dead_lettered);
            prop_assert_eq!(ledger.lost, 0);
        }
        prop_assert_eq!(report.dead_letters_written as usize, dead.len());
    }
}

#[test]
fn a_panicking_stage_dead_letters_the_event_and_goes_on() {
    struct Panicky;
    impl Transform for Panicky {
        fn process(&mut self, event: &mut Communique) -> Result<Outcome, StageError> {
            if event.metadata["seq"] == "3" {
                panic!("bad luck on 3");
            }
            Ok(Outcome::Keep)
        }
    }
    let got: Arrivals = Arc::default();
    let dead: DeadList = Arc::default();
    let mut g = GraphBuilder::new(GraphOptions::default());
    g.source(
        "s",
        Box::new(VecSource {
            name: "s".into(),
            count: 10,
        }),
    );
    g.stage(
        "p",
        vec!["s".into()],
        NodeOptions {
            workers: 2,
            capacity: Some(1),
        },
        Box::new(|| Ok(Box::new(Panicky) as Box<dyn Transform>)),
    );
    g.sink(
        "out",
        vec!["p".into()],
        None,
        Box::new(CollectSink(Arc::clone(&got), Vec::new())),
    );
    let report = g
        .build(Box::new(CollectDeadLetters(Arc::clone(&dead))))
        .unwrap()
        .run(&Shutdown::new())
        .unwrap();
    assert_eq!(got.lock().unwrap().len(), 9);
    let dead = dead.lock().unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].2, 3);
    let stage = report.component("p").unwrap();
    assert_eq!(
        (
            stage.received,
            stage.emitted,
            stage.errors,
            stage.dead_lettered
        ),
        (10, 9, 1, 1)
    );
    assert_eq!(report.sources[0].delivered, 9);
    assert_eq!(report.sources[0].dead_lettered, 1);
}

/// A sink that fails the ack of seq 2, never settles seq 5 (holds it until dropped), and makes
/// everything else durable only at flush.
struct FlakySink(Vec<Ack>, Option<Ack>);

impl Sink for FlakySink {
    fn write(&mut self, event: &Communique, ack: Ack) -> Result<(), SinkError> {
        match event.metadata["seq"].as_str() {
            "2" => ack.fail("disk full"),
            "5" => self.1 = Some(ack),
            _ => self.0.push(ack),
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        self.0.drain(..).for_each(Ack::done);
        Ok(())
    }
}

#[test]
fn an_event_counts_as_delivered_only_once_acknowledged() {
    let dead: DeadList = Arc::default();
    let mut g = GraphBuilder::new(GraphOptions::default());
    g.source(
        "s",
        Box::new(VecSource {
            name: "s".into(),
            count: 8,
        }),
    );
    g.sink(
        "out",
        vec!["s".into()],
        None,
        Box::new(FlakySink(Vec::new(), None)),
    );
    let report = g
        .build(Box::new(CollectDeadLetters(Arc::clone(&dead))))
        .unwrap()
        .run(&Shutdown::new())
        .unwrap();
    let ledger = &report.sources[0];
    assert_eq!(
        (ledger.emitted, ledger.delivered, ledger.dead_lettered),
        (8, 6, 2)
    );
    let mut seqs: Vec<usize> = dead.lock().unwrap().iter().map(|d| d.2).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, [2, 5]);
    let sink = report.component("out").unwrap();
    assert_eq!((sink.received, sink.emitted, sink.errors), (8, 6, 2));
}
