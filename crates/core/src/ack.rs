//! Acknowledgements: how a sink tells the runtime that an event is safe where it put it.
//!
//! Returning from [`Sink::write`](crate::Sink::write) does not make an event durable: a sink may
//! buffer lines, hold alerts in a notification group, or wait for a transaction to commit. A
//! source may only forget an event (commit its checkpoint past it) once every sink downstream has
//! made it durable, so each `write` carries an [`Ack`] that the sink settles at that moment —
//! at once, or later, in any order, for a whole batch together. An `Ack` dropped unsettled counts
//! as a failure: whatever path loses an event (an error, a panic, the end of the run) never counts
//! as delivered.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// Receives the outcome of [`Ack`]s. The runtime implements it; a sink never needs to.
pub trait Settle: Send + Sync {
    /// The event behind `ticket` is durable (`Ok`) or could not be made so (`Err`, the reason).
    fn settle(&self, ticket: u64, outcome: Result<(), String>);
}

/// A sink's receipt for one event, settled once the event is durable where the sink put it.
///
/// A JSON Lines file settles after the bytes are written and synced, the SQLite history after its
/// transaction commits, an HTTP notifier after a `2xx` answer or once the notification is in its
/// synced spool. Dropping it unsettled reports a failure with a generic reason.
#[must_use = "an Ack dropped unsettled reports the event as not delivered"]
pub struct Ack {
    ticket: u64,
    to: Option<Arc<dyn Settle>>,
}

impl Ack {
    /// An acknowledgement that reports to `to` under `ticket`.
    pub fn new(ticket: u64, to: Arc<dyn Settle>) -> Ack {
        Ack {
            ticket,
            to: Some(to),
        }
    }

    /// An acknowledgement nobody waits for: for sinks driven outside a pipeline (tests, tools).
    pub fn detached() -> Ack {
        Ack {
            ticket: 0,
            to: None,
        }
    }

    /// The event is durable.
    pub fn done(mut self) {
        self.settle(Ok(()));
    }

    /// The event could not be made durable, for `reason`.
    pub fn fail(mut self, reason: impl Into<String>) {
        self.settle(Err(reason.into()));
    }

    fn settle(&mut self, outcome: Result<(), String>) {
        if let Some(to) = self.to.take() {
            to.settle(self.ticket, outcome);
        }
    }
}

impl Drop for Ack {
    fn drop(&mut self) {
        self.settle(Err(
            "the sink let go of the event without making it durable".into(),
        ));
    }
}

impl fmt::Debug for Ack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ack")
            .field("ticket", &self.ticket)
            .field("settled", &self.to.is_none())
            .finish()
    }
}

/// The [`Ack`]s of events written but not yet durable, settled together when they become so.
///
/// A sink that makes its output durable in batches (a sync, a commit) keeps its pending acks
/// here and calls [`done`](Self::done) after each durable point.
#[derive(Debug, Default)]
pub struct PendingAcks(Vec<Ack>);

impl PendingAcks {
    /// Holds `ack` until the next durable point.
    pub fn push(&mut self, ack: Ack) {
        self.0.push(ack);
    }

    /// Acknowledgements waiting.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when none is waiting.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Everything held is durable.
    pub fn done(&mut self) {
        self.0.drain(..).for_each(Ack::done);
    }
}

/// Records how acks settle: for testing a sink's acknowledgements outside a pipeline.
#[derive(Debug, Default)]
pub struct AckLog(Mutex<Vec<(u64, Result<(), String>)>>);

impl AckLog {
    /// A new log, shared with the acks it hands out.
    pub fn new() -> Arc<AckLog> {
        Arc::default()
    }

    /// An ack reporting to this log under `ticket`.
    pub fn ack(self: &Arc<Self>, ticket: u64) -> Ack {
        Ack::new(ticket, Arc::clone(self) as Arc<dyn Settle>)
    }

    /// What settled so far, in order: (ticket, outcome).
    pub fn settled(&self) -> Vec<(u64, Result<(), String>)> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The tickets settled `done`, in order.
    pub fn done(&self) -> Vec<u64> {
        self.settled()
            .into_iter()
            .filter_map(|(t, o)| o.is_ok().then_some(t))
            .collect()
    }
}

impl Settle for AckLog {
    fn settle(&self, ticket: u64, outcome: Result<(), String>) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((ticket, outcome));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_ack_settles_once_and_a_dropped_one_fails() {
        let log = AckLog::new();
        log.ack(1).done();
        log.ack(2).fail("disk full");
        drop(log.ack(3));
        let mut pending = PendingAcks::default();
        pending.push(log.ack(4));
        pending.done();
        Ack::detached().done();
        let got = log.settled();
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], (1, Ok(())));
        assert_eq!(got[1], (2, Err("disk full".into())));
        assert_eq!(got[2].0, 3);
        assert!(got[2].1.is_err());
        assert_eq!(got[3], (4, Ok(())));
    }
}
