//! Events in flight and the finalizer that tells their source what became of them.
//!
//! A source emits a communiqué once, but fan-out may copy it to several branches. All copies share
//! one [`Finalizer`]; when the last copy is gone the finalizer reports one outcome for the
//! original (the worst of what happened to its copies) to the source's ledger. A copy is gone
//! only once it is durable somewhere: a sink acknowledged it ([`commwatch_core::Ack`]) or its
//! dead letter was written and flushed. Sources that need crash-safe checkpoints will commit
//! their read position from there.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use commwatch_core::{Communique, Position};
use crossbeam_channel::Sender;

use crate::checkpoint::{Passed, Watermark};

/// What finally happened to an emitted event, worst first when copies disagree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Delivery {
    /// Reached every sink downstream (or was dropped on purpose by a filter).
    Delivered = 0,
    /// Filtered out on purpose by a stage.
    Dropped = 1,
    /// At least one copy went to the dead-letter output (and its dead letter is written).
    DeadLettered = 2,
    /// At least one copy is in no durable place: a sink did not acknowledge it and its dead
    /// letter could not be written either.
    Lost = 3,
}

/// Per-source counts of emitted and finalized events.
#[derive(Debug, Default)]
pub(crate) struct SourceLedger {
    pub(crate) emitted: AtomicU64,
    pub(crate) delivered: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) dead_lettered: AtomicU64,
    pub(crate) lost: AtomicU64,
    /// The source's watermark and where it sends the positions it passes, when the pipeline
    /// commits checkpoints; taken (closing the channel) when the run is over.
    pub(crate) tracker: Mutex<Option<Tracker>>,
}

/// A source's [`Watermark`] and the channel to the committing thread.
#[derive(Debug)]
pub(crate) struct Tracker {
    pub(crate) source: usize,
    pub(crate) watermark: Watermark,
    pub(crate) passed: Sender<Passed>,
}

impl SourceLedger {
    /// A ledger whose positions go to the committing thread as source number `source`.
    pub(crate) fn tracked(source: usize, passed: Sender<Passed>) -> SourceLedger {
        SourceLedger {
            tracker: Mutex::new(Some(Tracker {
                source,
                watermark: Watermark::default(),
                passed,
            })),
            ..SourceLedger::default()
        }
    }

    fn finish(&self, seq: u64, lost: bool, position: Option<Position>) {
        let mut tracker = self.tracker.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(tracker) = tracker.as_mut() else {
            return;
        };
        let positions = tracker.watermark.finish(seq, lost, position);
        if !positions.is_empty() {
            // The committing thread outlives every event; a send fails only after the run.
            let _ = tracker.passed.send(Passed {
                source: tracker.source,
                positions,
            });
        }
    }
}

/// Shared by all copies of one emitted event; reports to the ledger when the last copy drops.
#[derive(Debug)]
pub(crate) struct Finalizer {
    worst: AtomicU8,
    ledger: Arc<SourceLedger>,
    /// The event's number in its source's emission order.
    seq: u64,
    /// The source's read position after the event, when it gave one.
    position: Option<Position>,
}

impl Finalizer {
    fn mark(&self, delivery: Delivery) {
        self.worst.fetch_max(delivery as u8, Ordering::AcqRel);
    }
}

impl Drop for Finalizer {
    fn drop(&mut self) {
        let worst = self.worst.load(Ordering::Acquire);
        let counter = match worst {
            0 => &self.ledger.delivered,
            1 => &self.ledger.dropped,
            2 => &self.ledger.dead_lettered,
            _ => &self.ledger.lost,
        };
        counter.fetch_add(1, Ordering::AcqRel);
        self.ledger.finish(
            self.seq,
            worst == Delivery::Lost as u8,
            self.position.take(),
        );
    }
}

/// A communiqué in flight, with the finalizer shared by its fan-out copies.
#[derive(Debug)]
pub struct Envelope {
    /// The event itself.
    pub event: Communique,
    finalizer: Arc<Finalizer>,
}

impl Envelope {
    pub(crate) fn new(
        event: Communique,
        ledger: Arc<SourceLedger>,
        position: Option<Position>,
    ) -> Envelope {
        let seq = ledger.emitted.fetch_add(1, Ordering::AcqRel);
        Envelope {
            event,
            finalizer: Arc::new(Finalizer {
                worst: AtomicU8::new(0),
                ledger,
                seq,
                position,
            }),
        }
    }

    /// A copy for another branch of a fan-out, sharing this envelope's finalizer.
    pub(crate) fn fork(&self) -> Envelope {
        Envelope {
            event: self.event.clone(),
            finalizer: Arc::clone(&self.finalizer),
        }
    }

    /// Records what happened to this copy; the worst outcome of all copies is reported.
    pub(crate) fn mark(&self, delivery: Delivery) {
        self.finalizer.mark(delivery);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commwatch_core::Origin;

    #[test]
    fn finalizer_reports_once_with_the_worst_outcome() {
        let ledger = Arc::new(SourceLedger::default());
        let ev = Communique::new(None, Origin::default(), "x".into());
        let a = Envelope::new(ev, Arc::clone(&ledger), None);
        let b = a.fork();
        b.mark(Delivery::DeadLettered);
        drop(a);
        assert_eq!(ledger.dead_lettered.load(Ordering::Acquire), 0);
        drop(b);
        assert_eq!(ledger.emitted.load(Ordering::Acquire), 1);
        assert_eq!(ledger.dead_lettered.load(Ordering::Acquire), 1);
        assert_eq!(ledger.delivered.load(Ordering::Acquire), 0);
    }
}
