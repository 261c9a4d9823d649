//! Events in flight and the finalizer that tells their source what became of them.
//!
//! A source emits a communiqué once, but fan-out may copy it to several branches. All copies share
//! one [`Finalizer`]; when the last copy is gone the finalizer reports one outcome for the
//! original (the worst of what happened to its copies) to the source's ledger. A copy is gone
//! only once it is durable somewhere: a sink acknowledged it ([`commwatch_core::Ack`]) or its
//! dead letter was written and flushed. Sources that need crash-safe checkpoints will commit
//! their read position from there.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use commwatch_core::Communique;

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
}

/// Shared by all copies of one emitted event; reports to the ledger when the last copy drops.
#[derive(Debug)]
pub(crate) struct Finalizer {
    worst: AtomicU8,
    ledger: Arc<SourceLedger>,
}

impl Finalizer {
    fn mark(&self, delivery: Delivery) {
        self.worst.fetch_max(delivery as u8, Ordering::AcqRel);
    }
}

impl Drop for Finalizer {
    fn drop(&mut self) {
        let counter = match self.worst.load(Ordering::Acquire) {
            0 => &self.ledger.delivered,
            1 => &self.ledger.dropped,
            2 => &self.ledger.dead_lettered,
            _ => &self.ledger.lost,
        };
        counter.fetch_add(1, Ordering::AcqRel);
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
    pub(crate) fn new(event: Communique, ledger: Arc<SourceLedger>) -> Envelope {
        ledger.emitted.fetch_add(1, Ordering::AcqRel);
        Envelope {
            event,
            finalizer: Arc::new(Finalizer {
                worst: AtomicU8::new(0),
                ledger,
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
        let a = Envelope::new(ev, Arc::clone(&ledger));
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
