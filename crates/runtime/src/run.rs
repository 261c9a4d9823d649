//! Running a graph: one thread per source and sink, one per stage worker, bounded channels between.
//!
//! Events travel in batches (`Vec<Envelope>`) so that a busy pipeline pays for channel handoffs
//! per batch rather than per event; an idle pipeline sends batches of one, so latency stays low.
//! A stage takes every batch already waiting on its input (up to `batch_size` events) as one, so
//! batches grow where a queue forms, whatever the producer sent; while it works through a long
//! batch it sends on, every millisecond or so, what it has finished if downstream has room, so
//! the first events of a batch are not held back by the last.
//!
//! A stage with several workers is a small pool of exactly that many threads sharing one input:
//! a worker takes the next batch and its sequence number under a lock, processes it, and releases
//! it downstream in sequence order (the worker that completes the oldest batch sends it and any
//! later ones already done). A window bounds how far ahead of the oldest unreleased batch workers
//! may take new ones, so the reorder buffer is bounded too.

use std::collections::{BTreeMap, HashMap};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Instant;

use commwatch_core::{
    Ack, Communique, Outcome, Position, RejectedInput, Settle, Sink, SinkError, Source,
    SourceOutput, Transform,
};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError, bounded};
use tracing::{debug, error, info_span, warn};

use crate::checkpoint::{Passed, commit_checkpoints};
use crate::dead_letter::{DeadLetter, DeadLetterWriter};
use crate::envelope::{Delivery, Envelope, SourceLedger};
use crate::graph::{Graph, NodeBody, StageFactory};
use crate::shutdown::Shutdown;
use crate::stats::{ComponentKind, Counters, RunReport, SourceLedgerReport};

type Batch = Vec<Envelope>;

/// A stage working through a batch for longer than this sends on the events it has finished
/// (when downstream has room) instead of holding them until the batch is done.
const EARLY_SEND_AFTER: std::time::Duration = std::time::Duration::from_millis(1);

/// How often an idle sink is polled for time-driven work.
const SINK_POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

/// A failure that prevented a run from starting.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A thread could not be spawned.
    #[error("could not start a thread for {component}: {source}")]
    Spawn {
        /// The component.
        component: String,
        /// The OS error.
        source: std::io::Error,
    },
}

/// What the dead-letter thread receives.
enum Payload {
    Event(Box<Envelope>),
    Input(RejectedInput),
}

struct DeadLetterMsg {
    component: Arc<str>,
    kind: ComponentKind,
    error: String,
    payload: Payload,
}

/// A component's handle on the dead-letter output.
#[derive(Clone)]
struct DeadLetters {
    component: Arc<str>,
    kind: ComponentKind,
    tx: Sender<DeadLetterMsg>,
    counters: Arc<Counters>,
}

impl DeadLetters {
    fn event(&self, error: String, envelope: Envelope) {
        envelope.mark(Delivery::DeadLettered);
        Counters::add(&self.counters.dead_lettered, 1);
        self.send(error, Payload::Event(Box::new(envelope)));
    }

    fn input(&self, rejected: RejectedInput) {
        Counters::add(&self.counters.dead_lettered, 1);
        self.send(rejected.reason.clone(), Payload::Input(rejected));
    }

    fn send(&self, error: String, payload: Payload) {
        let msg = DeadLetterMsg {
            component: Arc::clone(&self.component),
            kind: self.kind,
            error,
            payload,
        };
        if self.tx.send(msg).is_err() {
            // The dead-letter thread only ends after every sender is gone, so this is unreachable
            // unless that thread panicked; say so loudly rather than lose the record quietly.
            error!(component = %self.component, "dead-letter output is gone; a record was lost");
        }
    }
}

/// The channels a producer sends to, one per downstream consumer.
struct Outputs {
    senders: Vec<Sender<Batch>>,
}

impl Outputs {
    /// True when every downstream edge has room, so sending now will not block.
    fn has_room(&self) -> bool {
        self.senders.iter().all(|s| !s.is_full())
    }

    /// Sends a batch to every consumer: copies to all but the last, the batch itself to the last.
    fn send(&self, batch: Batch, dead: &DeadLetters) {
        if batch.is_empty() {
            return;
        }
        let Some((last, rest)) = self.senders.split_last() else {
            return;
        };
        for tx in rest {
            let copy: Batch = batch.iter().map(Envelope::fork).collect();
            Self::send_one(tx, copy, dead);
        }
        Self::send_one(last, batch, dead);
    }

    fn send_one(tx: &Sender<Batch>, batch: Batch, dead: &DeadLetters) {
        if let Err(err) = tx.send(batch) {
            for envelope in err.into_inner() {
                dead.event(
                    "downstream component stopped before the event reached it".into(),
                    envelope,
                );
            }
        }
    }
}

/// The [`SourceOutput`] a source writes to.
struct SourceEmitter {
    outputs: Outputs,
    pending: Batch,
    batch_size: usize,
    shutdown: Shutdown,
    ledger: Arc<SourceLedger>,
    counters: Arc<Counters>,
    dead: DeadLetters,
}

impl SourceEmitter {
    fn flush_pending(&mut self) {
        if !self.pending.is_empty() {
            let batch = std::mem::replace(&mut self.pending, Vec::with_capacity(self.batch_size));
            self.outputs.send(batch, &self.dead);
        }
    }
}

impl SourceEmitter {
    fn send(&mut self, event: Communique, position: Option<Position>) -> bool {
        Counters::add(&self.counters.emitted, 1);
        self.pending
            .push(Envelope::new(event, Arc::clone(&self.ledger), position));
        if self.pending.len() >= self.batch_size || self.outputs.has_room() {
            self.flush_pending();
        }
        !self.shutdown.is_requested()
    }
}

impl SourceOutput for SourceEmitter {
    fn emit(&mut self, event: Communique) -> bool {
        self.send(event, None)
    }

    fn emit_at(&mut self, event: Communique, position: Position) -> bool {
        self.send(event, Some(position))
    }

    fn reject(&mut self, rejected: RejectedInput) {
        Counters::add(&self.counters.errors, 1);
        self.dead.input(rejected);
    }

    fn should_stop(&self) -> bool {
        self.shutdown.is_requested()
    }

    fn flush(&mut self) {
        self.flush_pending();
    }
}

/// Processes one batch with one stage instance, sending failures to the dead-letter output.
struct StageWorker {
    factory: Arc<StageFactory>,
    instance: Option<Box<dyn Transform>>,
    counters: Arc<Counters>,
    dead: DeadLetters,
    /// Asked to stop the pipeline when the stage reports a fatal error.
    shutdown: Shutdown,
    /// The first fatal error, reported as a failure of the run.
    fatal: Option<String>,
}

impl StageWorker {
    /// Processes `batch`, calling `ready` with the events kept so far after each one is kept
    /// (it may take them to send them on); returns the kept events `ready` left.
    fn process_with(&mut self, batch: Batch, mut ready: impl FnMut(&mut Batch)) -> Batch {
        Counters::add(&self.counters.received, batch.len() as u64);
        let started = Instant::now();
        let mut kept = Vec::with_capacity(batch.len());
        let mut kept_count = 0;
        for mut envelope in batch {
            let instance = match self.instance.as_mut() {
                Some(instance) => instance,
                None => match (self.factory)() {
                    Ok(instance) => self.instance.insert(instance),
                    Err(e) => {
                        Counters::add(&self.counters.errors, 1);
                        self.dead
                            .event(format!("stage could not be started: {e}"), envelope);
                        continue;
                    }
                },
            };
            match catch_unwind(AssertUnwindSafe(|| instance.process(&mut envelope.event))) {
                Ok(Ok(Outcome::Keep)) => {
                    kept.push(envelope);
                    kept_count += 1;
                    ready(&mut kept);
                }
                Ok(Ok(Outcome::Drop)) => {
                    envelope.mark(Delivery::Dropped);
                    Counters::add(&self.counters.dropped, 1);
                }
                Ok(Err(e)) => {
                    Counters::add(&self.counters.errors, 1);
                    if e.is_fatal() {
                        error!(stage = %self.dead.component, error = %e, "fatal stage error; stopping the pipeline");
                        self.fatal
                            .get_or_insert_with(|| format!("stage {}: {e}", self.dead.component));
                        self.shutdown.request();
                    }
                    self.dead.event(e.to_string(), envelope);
                }
                Err(panic) => {
                    Counters::add(&self.counters.errors, 1);
                    // The instance may be left inconsistent: drop it and start a fresh one.
                    self.instance = None;
                    self.dead.event(
                        format!("stage panicked: {}", panic_message(&panic)),
                        envelope,
                    );
                }
            }
        }
        self.counters.add_busy(started.elapsed());
        Counters::add(&self.counters.emitted, kept_count);
        kept
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

impl Graph {
    /// Runs the graph until every source has ended (end of input, or `shutdown` requested) and
    /// every event in flight has reached a sink or the dead-letter output. Sinks are flushed
    /// before this returns.
    pub fn run(self, shutdown: &Shutdown) -> Result<RunReport, RunError> {
        let started = Instant::now();
        let Graph {
            options,
            nodes,
            dead_letter,
            checkpoints,
        } = self;

        // One input channel per consumer; producers get senders to each consumer reading them.
        let mut receivers: HashMap<String, Receiver<Batch>> = HashMap::new();
        let mut senders: HashMap<String, Vec<Sender<Batch>>> = HashMap::new();
        for node in &nodes {
            if node.kind() == ComponentKind::Source {
                continue;
            }
            let (tx, rx) = bounded(node.capacity.unwrap_or(options.channel_capacity).max(1));
            receivers.insert(node.id.clone(), rx);
            for input in &node.inputs {
                senders.entry(input.clone()).or_default().push(tx.clone());
            }
        }
        let (dead_tx, dead_rx) = bounded::<DeadLetterMsg>(1024);
        let counters: Vec<Arc<Counters>> = nodes.iter().map(|_| Arc::default()).collect();
        let meta: Vec<(String, ComponentKind, usize)> = nodes
            .iter()
            .map(|n| {
                let workers = match n.body {
                    NodeBody::Stage { workers, .. } => workers,
                    _ => 1,
                };
                (n.id.clone(), n.kind(), workers)
            })
            .collect();
        let mut ledgers: Vec<(String, Arc<SourceLedger>)> = Vec::new();
        let mut failures: Vec<String> = Vec::new();
        let mut dead_letters_written = 0;

        let (passed_tx, passed_rx) = bounded::<Passed>(1024);
        let source_ids: Vec<String> = nodes
            .iter()
            .filter(|n| n.kind() == ComponentKind::Source)
            .map(|n| n.id.clone())
            .collect();

        thread::scope(|scope| -> Result<(), RunError> {
            let dead_thread = spawn(scope, "dead-letter", move || {
                write_dead_letters(dead_letter, dead_rx)
            })?;
            let checkpoint_thread = match checkpoints {
                Some(store) => {
                    let stop = shutdown.clone();
                    Some(spawn(scope, "checkpoints", move || {
                        commit_checkpoints(store, source_ids, passed_rx, || stop.request())
                    })?)
                }
                None => None,
            };
            let mut handles = Vec::new();
            for (node, counters) in nodes.into_iter().zip(&counters) {
                let kind = node.kind();
                let dead = DeadLetters {
                    component: Arc::from(node.id.as_str()),
                    kind,
                    tx: dead_tx.clone(),
                    counters: Arc::clone(counters),
                };
                let outputs = Outputs {
                    senders: senders.remove(&node.id).unwrap_or_default(),
                };
                let counters = Arc::clone(counters);
                let id = node.id;
                match node.body {
                    NodeBody::Source(source) => {
                        let ledger = Arc::new(match checkpoint_thread {
                            Some(_) => SourceLedger::tracked(ledgers.len(), passed_tx.clone()),
                            None => SourceLedger::default(),
                        });
                        ledgers.push((id.clone(), Arc::clone(&ledger)));
                        let emitter = SourceEmitter {
                            outputs,
                            pending: Vec::with_capacity(options.batch_size),
                            batch_size: options.batch_size.max(1),
                            shutdown: shutdown.clone(),
                            ledger,
                            counters,
                            dead,
                        };
                        let name = id.clone();
                        handles.push(spawn(scope, &format!("src-{id}"), move || {
                            run_source(&name, source, emitter)
                        })?);
                    }
                    NodeBody::Stage { factory, workers } => {
                        let input = receivers.remove(&id).expect("every consumer has a channel");
                        let factory = Arc::new(factory);
                        let make_worker = || StageWorker {
                            factory: Arc::clone(&factory),
                            instance: None,
                            counters: Arc::clone(&counters),
                            dead: dead.clone(),
                            shutdown: shutdown.clone(),
                            fatal: None,
                        };
                        if workers <= 1 {
                            let mut worker = make_worker();
                            let name = id.clone();
                            let limit = options.batch_size.max(1);
                            handles.push(spawn(scope, &format!("stage-{id}"), move || {
                                let _span = info_span!("stage", id = %name).entered();
                                let dead = worker.dead.clone();
                                while let Some(batch) = recv_coalesced(&input, limit) {
                                    // A long batch sends what it has done every so often when
                                    // downstream has room, so that taking many events at once
                                    // does not hold the first ones back.
                                    let mut flushed = Instant::now();
                                    let out = worker.process_with(batch, |kept| {
                                        if flushed.elapsed() >= EARLY_SEND_AFTER
                                            && outputs.has_room()
                                        {
                                            outputs.send(std::mem::take(kept), &dead);
                                            flushed = Instant::now();
                                        }
                                    });
                                    outputs.send(out, &dead);
                                }
                                worker.counters.add_thread_cpu();
                                worker.fatal
                            })?);
                        } else {
                            handles.extend(spawn_pool(
                                scope,
                                &id,
                                workers,
                                options.batch_size.max(1),
                                input,
                                outputs,
                                make_worker,
                            )?);
                        }
                    }
                    NodeBody::Sink(sink) => {
                        let input = receivers.remove(&id).expect("every consumer has a channel");
                        let name = id.clone();
                        handles.push(spawn(scope, &format!("sink-{id}"), move || {
                            run_sink(&name, sink, input, counters, dead)
                        })?);
                    }
                }
            }
            drop(dead_tx);
            drop(senders);
            drop(receivers);
            for handle in handles {
                match handle.join() {
                    Ok(Some(failure)) => failures.push(failure),
                    Ok(None) => {}
                    Err(panic) => failures.push(format!(
                        "a pipeline thread panicked: {}",
                        panic_message(&*panic)
                    )),
                }
            }
            match dead_thread.join() {
                Ok((written, failure)) => {
                    dead_letters_written = written;
                    failures.extend(failure);
                }
                Err(panic) => failures.push(format!(
                    "the dead-letter thread panicked: {}",
                    panic_message(&*panic)
                )),
            }
            // Every event is finished: close the watermarks' channel, then the last commit.
            drop(passed_tx);
            for (_, ledger) in &ledgers {
                lock(&ledger.tracker).take();
            }
            if let Some(handle) = checkpoint_thread {
                match handle.join() {
                    Ok(failure) => failures.extend(failure),
                    Err(panic) => failures.push(format!(
                        "the checkpoint thread panicked: {}",
                        panic_message(&*panic)
                    )),
                }
            }
            Ok(())
        })?;

        let load = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Acquire);
        Ok(RunReport {
            elapsed_ms: started.elapsed().as_secs_f64() * 1e3,
            interrupted: shutdown.is_requested(),
            components: meta
                .iter()
                .zip(&counters)
                .map(|((id, kind, workers), c)| c.report(id, *kind, *workers))
                .collect(),
            sources: ledgers
                .iter()
                .map(|(id, l)| SourceLedgerReport {
                    source: id.clone(),
                    emitted: load(&l.emitted),
                    delivered: load(&l.delivered),
                    dropped: load(&l.dropped),
                    dead_lettered: load(&l.dead_lettered),
                    lost: load(&l.lost),
                })
                .collect(),
            dead_letters_written,
            failures,
        })
    }
}

fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    name: &str,
    f: impl FnOnce() -> T + Send + 'scope,
) -> Result<thread::ScopedJoinHandle<'scope, T>, RunError> {
    thread::Builder::new()
        .name(format!("cw-{name}"))
        .spawn_scoped(scope, f)
        .map_err(|source| RunError::Spawn {
            component: name.to_string(),
            source,
        })
}

fn run_source(id: &str, mut source: Box<dyn Source>, mut emitter: SourceEmitter) -> Option<String> {
    let _span = info_span!("source", id = %id).entered();
    let result = catch_unwind(AssertUnwindSafe(|| source.run(&mut emitter)));
    emitter.flush_pending();
    emitter.counters.add_thread_cpu();
    match result {
        Ok(Ok(())) => {
            debug!("source finished");
            None
        }
        Ok(Err(e)) => {
            error!(error = %e, "source failed");
            Some(format!("source {id}: {e}"))
        }
        Err(panic) => Some(format!("source {id} panicked: {}", panic_message(&*panic))),
    }
}

fn run_sink(
    id: &str,
    sink: Box<dyn Sink>,
    input: Receiver<Batch>,
    counters: Arc<Counters>,
    dead: DeadLetters,
) -> Option<String> {
    let _span = info_span!("sink", id = %id).entered();
    let mut sink = AckedSink::new(sink, counters, dead);
    let mut failure = None;
    loop {
        let batch = match input.recv_timeout(SINK_POLL_INTERVAL) {
            Ok(batch) => batch,
            Err(RecvTimeoutError::Timeout) => {
                // Quiet input: time-driven work (notification groups, spool retries).
                if let Err(e) = sink.inner.poll() {
                    warn!(error = %e, "sink poll failed");
                }
                sink.settle();
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        Counters::add(&sink.counters.received, batch.len() as u64);
        let started = Instant::now();
        for envelope in batch {
            sink.write(envelope);
        }
        // Flush when nothing else is waiting, so a quiet stream's alerts show up at once.
        if input.is_empty()
            && let Err(e) = sink.inner.flush()
        {
            warn!(error = %e, "sink flush failed");
            failure = Some(format!("sink {id}: flush failed: {e}"));
        }
        sink.settle();
        sink.counters.add_busy(started.elapsed());
    }
    // Last chance for time-driven work (a notification group still waiting) before the flush.
    if let Err(e) = sink.inner.poll() {
        warn!(error = %e, "sink poll failed");
    }
    if let Err(e) = sink.inner.flush() {
        failure = Some(format!("sink {id}: final flush failed: {e}"));
    }
    sink.counters.add_thread_cpu();
    sink.finish();
    failure
}

/// Where a sink's [`Ack`]s land: the settled tickets, taken by the sink's thread between calls.
#[derive(Default)]
struct Settled(Mutex<Vec<(u64, Result<(), String>)>>);

impl Settle for Settled {
    fn settle(&self, ticket: u64, outcome: Result<(), String>) {
        lock(&self.0).push((ticket, outcome));
    }
}

/// A sink and the events it took but has not yet acknowledged.
///
/// An event stays here, its finalizer alive, until the sink settles its ack: done, it counts as
/// delivered; failed (or dropped unsettled), it goes to the dead-letter output with the reason.
struct AckedSink {
    inner: Box<dyn Sink>,
    counters: Arc<Counters>,
    dead: DeadLetters,
    settled: Arc<Settled>,
    /// Settlements taken out of `settled`, kept to reuse the allocation.
    taken: Vec<(u64, Result<(), String>)>,
    pending: HashMap<u64, Envelope>,
    next_ticket: u64,
}

impl AckedSink {
    fn new(inner: Box<dyn Sink>, counters: Arc<Counters>, dead: DeadLetters) -> AckedSink {
        AckedSink {
            inner,
            counters,
            dead,
            settled: Arc::default(),
            taken: Vec::new(),
            pending: HashMap::new(),
            next_ticket: 0,
        }
    }

    fn write(&mut self, envelope: Envelope) {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        let to: Arc<dyn Settle> = Arc::clone(&self.settled) as Arc<dyn Settle>;
        let ack = Ack::new(ticket, to);
        let inner = &mut self.inner;
        let error = match catch_unwind(AssertUnwindSafe(|| inner.write(&envelope.event, ack))) {
            Ok(Ok(())) => {
                self.pending.insert(ticket, envelope);
                return;
            }
            Ok(Err(e)) => e.to_string(),
            Err(panic) => format!("sink panicked: {}", panic_message(&*panic)),
        };
        Counters::add(&self.counters.errors, 1);
        self.dead.event(error, envelope);
    }

    /// Counts the events acknowledged since the last call as delivered, and dead-letters those
    /// whose ack failed.
    fn settle(&mut self) {
        std::mem::swap(&mut *lock(&self.settled.0), &mut self.taken);
        for (ticket, outcome) in self.taken.drain(..) {
            // Not pending: the write itself failed, and the event is dead-lettered already.
            let Some(envelope) = self.pending.remove(&ticket) else {
                continue;
            };
            match outcome {
                Ok(()) => Counters::add(&self.counters.emitted, 1),
                Err(reason) => {
                    Counters::add(&self.counters.errors, 1);
                    self.dead
                        .event(format!("not delivered: {reason}"), envelope);
                }
            }
        }
    }

    /// The end of the run: the sink is dropped (its unsettled acks fail), and whatever it never
    /// settled is dead-lettered.
    fn finish(mut self) {
        drop(std::mem::replace(&mut self.inner, Box::new(Closed)));
        self.settle();
        for (_, envelope) in self.pending.drain() {
            Counters::add(&self.counters.errors, 1);
            self.dead.event(
                "not delivered: the sink never acknowledged the event".to_owned(),
                envelope,
            );
        }
    }
}

/// What stands in for a sink once it has been dropped.
struct Closed;

impl Sink for Closed {
    fn write(&mut self, _: &Communique, _: Ack) -> Result<(), SinkError> {
        Err(SinkError::Other("the sink is closed".into()))
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// Dead letters written but not yet flushed hold their events: an event counts as dead-lettered
/// only once its record is durable. After this many, the writer is flushed even under load.
const DEAD_LETTER_FLUSH_EVERY: usize = 256;

fn write_dead_letters(
    mut writer: Box<dyn DeadLetterWriter>,
    input: Receiver<DeadLetterMsg>,
) -> (u64, Option<String>) {
    let _span = info_span!("dead_letter").entered();
    let (mut written, mut lost, mut first_error) = (0u64, 0u64, None);
    let mut held: Vec<Envelope> = Vec::new();
    let mut unflushed = 0usize;
    loop {
        let msg = if unflushed == 0 {
            match input.recv() {
                Ok(msg) => msg,
                Err(_) => break,
            }
        } else {
            match input.try_recv() {
                Ok(msg) => msg,
                Err(TryRecvError::Empty) => {
                    flush_dead_letters(&mut *writer, &mut held, &mut lost, &mut first_error);
                    unflushed = 0;
                    continue;
                }
                Err(TryRecvError::Disconnected) => break,
            }
        };
        let record = match &msg.payload {
            Payload::Event(envelope) => {
                DeadLetter::for_event(&msg.component, msg.kind, &msg.error, &envelope.event)
            }
            Payload::Input(rejected) => DeadLetter::for_input(&msg.component, rejected),
        };
        let result = writer.write(&record);
        match result {
            Ok(()) => {
                written += 1;
                unflushed += 1;
                if let Payload::Event(envelope) = msg.payload {
                    held.push(*envelope);
                }
            }
            Err(e) => {
                lost += 1;
                error!(error = %e, "could not write a dead letter");
                first_error.get_or_insert_with(|| e.to_string());
                if let Payload::Event(envelope) = &msg.payload {
                    envelope.mark(Delivery::Lost);
                }
            }
        }
        if unflushed >= DEAD_LETTER_FLUSH_EVERY {
            flush_dead_letters(&mut *writer, &mut held, &mut lost, &mut first_error);
            unflushed = 0;
        }
    }
    flush_dead_letters(&mut *writer, &mut held, &mut lost, &mut first_error);
    let failure = first_error
        .map(|e| format!("dead-letter output: {lost} record(s) could not be written: {e}"));
    (written, failure)
}

/// Flushes the dead-letter output and lets go of the events it held: dead-lettered when the
/// flush succeeded, lost when it did not.
fn flush_dead_letters(
    writer: &mut dyn DeadLetterWriter,
    held: &mut Vec<Envelope>,
    lost: &mut u64,
    first_error: &mut Option<String>,
) {
    if let Err(e) = writer.flush() {
        error!(error = %e, "could not flush the dead-letter output");
        first_error.get_or_insert_with(|| e.to_string());
        *lost += held.len().max(1) as u64;
        for envelope in held.iter() {
            envelope.mark(Delivery::Lost);
        }
    }
    held.clear();
}

/// Receives the next batch, and appends to it the batches already waiting behind it while it
/// holds fewer than `limit` events. `None` once the input is closed and drained.
fn recv_coalesced(input: &Receiver<Batch>, limit: usize) -> Option<Batch> {
    let mut batch = input.recv().ok()?;
    while batch.len() < limit {
        match input.try_recv() {
            Ok(more) => batch.extend(more),
            Err(_) => break,
        }
    }
    Some(batch)
}

/// Locks `m`, ignoring poisoning: the pool's state stays consistent across a panic (stage panics
/// are caught inside [`StageWorker::process`]; nothing else panics while holding these locks).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The state a stage's workers share.
struct Pool {
    /// The input and the sequence number of the next batch taken from it.
    intake: Mutex<(Receiver<Batch>, u64)>,
    /// Batches processed ahead of their turn, by sequence number, and the next one to release.
    order: Mutex<Release>,
    /// The sequence number of the oldest batch not yet released (a copy for the window check).
    released: Mutex<u64>,
    /// Signalled when `released` advances.
    room: Condvar,
    /// At most this many batches between intake and release.
    window: u64,
    /// Most events taken as one batch.
    batch_size: usize,
}

struct Release {
    next: u64,
    parked: BTreeMap<u64, Batch>,
    outputs: Outputs,
}

impl Pool {
    /// The next batch (waiting batches coalesced) and its sequence number; `None` at the end of
    /// the input. Waits while the window is full.
    fn take(&self) -> Option<(u64, Batch)> {
        let mut intake = lock(&self.intake);
        let seq = intake.1;
        let mut released = lock(&self.released);
        while seq >= *released + self.window {
            released = self
                .room
                .wait(released)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(released);
        let batch = recv_coalesced(&intake.0, self.batch_size)?;
        intake.1 += 1;
        Some((seq, batch))
    }

    /// Sends events of batch `seq` ahead of the rest of it, when it is the oldest batch not yet
    /// released (no other worker sends until it is) and downstream has room; else leaves them.
    fn send_early(&self, seq: u64, kept: &mut Batch, dead: &DeadLetters) -> bool {
        if *lock(&self.released) != seq {
            return false;
        }
        let order = lock(&self.order);
        let room = order.outputs.has_room();
        if room {
            order.outputs.send(std::mem::take(kept), dead);
        }
        room
    }

    /// Hands in processed batch `seq`; sends downstream, in order, every batch whose turn it is.
    fn release(&self, seq: u64, batch: Batch, dead: &DeadLetters) {
        let mut order = lock(&self.order);
        order.parked.insert(seq, batch);
        let before = order.next;
        loop {
            let next = order.next;
            let Some(batch) = order.parked.remove(&next) else {
                break;
            };
            // Sending under the lock keeps the order; a full downstream edge blocks the others
            // here too, which is the backpressure wanted.
            order.outputs.send(batch, dead);
            order.next += 1;
        }
        if order.next != before {
            *lock(&self.released) = order.next;
            self.room.notify_all();
        }
    }
}

/// Runs a stage on `workers` threads, preserving the order of batches.
#[allow(clippy::too_many_arguments)]
fn spawn_pool<'scope>(
    scope: &'scope thread::Scope<'scope, '_>,
    id: &str,
    workers: usize,
    batch_size: usize,
    input: Receiver<Batch>,
    outputs: Outputs,
    make_worker: impl Fn() -> StageWorker,
) -> Result<Vec<thread::ScopedJoinHandle<'scope, Option<String>>>, RunError> {
    let pool = Arc::new(Pool {
        intake: Mutex::new((input, 0)),
        order: Mutex::new(Release {
            next: 0,
            parked: BTreeMap::new(),
            outputs,
        }),
        released: Mutex::new(0),
        room: Condvar::new(),
        window: (workers * 2) as u64,
        batch_size,
    });
    let mut handles = Vec::new();
    for n in 0..workers {
        let mut worker = make_worker();
        let pool = Arc::clone(&pool);
        let name = id.to_string();
        handles.push(spawn(scope, &format!("stage-{id}-{n}"), move || {
            let _span = info_span!("stage", id = %name, worker = n).entered();
            let dead = worker.dead.clone();
            while let Some((seq, batch)) = pool.take() {
                let mut flushed = Instant::now();
                let out = worker.process_with(batch, |kept| {
                    if flushed.elapsed() >= EARLY_SEND_AFTER && pool.send_early(seq, kept, &dead) {
                        flushed = Instant::now();
                    }
                });
                pool.release(seq, out, &dead);
            }
            // The last worker out drops the pool and with it the outputs: downstream sees the end.
            worker.counters.add_thread_cpu();
            worker.fatal
        })?);
    }
    Ok(handles)
}
