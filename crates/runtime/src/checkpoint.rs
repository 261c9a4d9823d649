//! Source checkpoints: a read position is committed only once every event before it is done.
//!
//! Events finish out of order — fan-out copies wait on different sinks, a webhook group holds its
//! ack while a JSONL line syncs at once — so a source may not commit the position of the latest
//! event done. Each source's [`Watermark`] numbers its events and passes a position on only when
//! it and every earlier event are done (delivered, dropped, or durably dead-lettered). An event
//! that is lost (not even its dead letter could be written) holds the watermark for the rest of
//! the run, so a restart reads it again. One thread commits what the watermarks pass, coalesced
//! to the latest value per key, every [`COMMIT_EVERY`] and at the end of the run.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use commwatch_core::{Checkpoints, Position};
use crossbeam_channel::{Receiver, RecvTimeoutError};
use tracing::{error, info_span};

/// How often passed positions are committed while events flow.
pub const COMMIT_EVERY: Duration = Duration::from_millis(200);

/// One source's events in emission order: the oldest not yet done, and those done after it.
#[derive(Debug, Default)]
pub(crate) struct Watermark {
    /// Sequence number of the oldest event not yet done.
    next: u64,
    /// Events done ahead of `next`: their positions, or `Err(())` for a lost event.
    ahead: BTreeMap<u64, Result<Option<Position>, ()>>,
}

impl Watermark {
    /// Records that event `seq` finished (`lost` when it is nowhere durable); returns the
    /// positions the watermark passed, oldest first.
    pub(crate) fn finish(
        &mut self,
        seq: u64,
        lost: bool,
        position: Option<Position>,
    ) -> Vec<Position> {
        self.ahead
            .insert(seq, if lost { Err(()) } else { Ok(position) });
        let mut passed = Vec::new();
        while let Some(Ok(_)) = self.ahead.get(&self.next) {
            if let Some(Ok(Some(position))) = self.ahead.remove(&self.next) {
                passed.push(position);
            }
            self.next += 1;
        }
        passed
    }
}

/// Positions passed by a source's watermark, on their way to the committing thread.
pub(crate) struct Passed {
    pub(crate) source: usize,
    pub(crate) positions: Vec<Position>,
}

/// The committing thread: coalesces what the watermarks pass and commits it every
/// [`COMMIT_EVERY`] and when every source is done. Returns the first failure.
pub(crate) fn commit_checkpoints(
    mut store: Box<dyn Checkpoints>,
    sources: Vec<String>,
    input: Receiver<Passed>,
    on_failure: impl Fn(),
) -> Option<String> {
    let _span = info_span!("checkpoints").entered();
    let mut waiting: Vec<(Vec<Position>, HashMap<String, usize>)> =
        sources.iter().map(|_| Default::default()).collect();
    let mut failure = None;
    let mut commit = |waiting: &mut Vec<(Vec<Position>, HashMap<String, usize>)>| {
        for (source, (positions, _)) in sources.iter().zip(waiting.iter()) {
            if positions.is_empty() || failure.is_some() {
                continue;
            }
            if let Err(e) = store.commit(source, positions) {
                error!(%source, error = %e, "could not commit the source's checkpoint; stopping");
                failure = Some(format!("checkpoint of source {source}: {e}"));
                on_failure();
            }
        }
        waiting.iter_mut().for_each(|(p, at)| {
            p.clear();
            at.clear();
        });
    };
    let mut last = std::time::Instant::now();
    loop {
        match input.recv_timeout(COMMIT_EVERY) {
            Ok(passed) => {
                let (positions, at) = &mut waiting[passed.source];
                for position in passed.positions {
                    // The latest value per key, kept where the key first appeared.
                    match at.get(&position.key) {
                        Some(&i) => positions[i] = position,
                        None => {
                            at.insert(position.key.clone(), positions.len());
                            positions.push(position);
                        }
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if last.elapsed() >= COMMIT_EVERY {
            commit(&mut waiting);
            last = std::time::Instant::now();
        }
    }
    commit(&mut waiting);
    failure
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn at(v: &str) -> Option<Position> {
        Some(Position {
            key: "offset".into(),
            value: v.into(),
        })
    }

    fn values(p: Vec<Position>) -> Vec<String> {
        p.into_iter().map(|p| p.value).collect()
    }

    proptest::proptest! {
        /// Whatever the finishing order: positions pass in emission order, each once, exactly
        /// those before the first lost event, and each only after every earlier event finished.
        #[test]
        fn positions_pass_in_order_up_to_the_first_lost_event(
            order in proptest::sample::subsequence((0u64..40).collect::<Vec<_>>(), 40)
                .prop_shuffle(),
            lost in proptest::option::of(0u64..40),
        ) {
            let mut w = Watermark::default();
            let mut finished = std::collections::BTreeSet::new();
            let mut passed = Vec::new();
            for &seq in &order {
                finished.insert(seq);
                for p in w.finish(seq, Some(seq) == lost, at(&seq.to_string())) {
                    let v: u64 = p.value.parse().unwrap();
                    proptest::prop_assert!((0..=v).all(|e| finished.contains(&e)));
                    passed.push(v);
                }
            }
            let expected: Vec<u64> = (0..lost.unwrap_or(40)).collect();
            proptest::prop_assert_eq!(passed, expected);
        }
    }

    #[test]
    fn a_position_passes_only_when_every_earlier_event_is_done() {
        let mut w = Watermark::default();
        assert!(w.finish(1, false, at("20")).is_empty(), "0 is not done");
        assert!(w.finish(2, false, None).is_empty());
        assert_eq!(values(w.finish(0, false, at("10"))), ["10", "20"]);
        assert_eq!(values(w.finish(3, false, at("40"))), ["40"]);
        // A lost event holds everything after it.
        assert!(w.finish(4, true, at("50")).is_empty());
        assert!(w.finish(5, false, at("60")).is_empty());
    }
}
