//! Source checkpoints against the real runtime: a position is committed only when every event
//! emitted before it is done, however late or out of order the sinks acknowledge.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use commwatch_core::{
    Ack, Checkpoints, Communique, Origin, Position, Sink, SinkError, Source, SourceError,
    SourceOutput,
};
use commwatch_runtime::{DeadLetter, DeadLetterWriter, GraphBuilder, GraphOptions, Shutdown};

/// Emits `count` events slowly, each with its sequence number as its position.
struct SlowSource(usize);

impl Source for SlowSource {
    fn run(&mut self, out: &mut dyn SourceOutput) -> Result<(), SourceError> {
        for seq in 0..self.0 {
            let mut ev = Communique::new(Some(format!("e{seq}")), Origin::default(), "x".into());
            ev.metadata.insert("seq".into(), seq.to_string());
            let position = Position {
                key: "offset".into(),
                value: seq.to_string(),
            };
            if !out.emit_at(ev, position) {
                break;
            }
            std::thread::sleep(Duration::from_millis(15));
        }
        Ok(())
    }
}

/// Acknowledges at once, except the event `held`, whose ack it keeps until the run ends (and
/// the events `failing`, whose acks fail).
struct HoldingSink {
    held: usize,
    failing: usize,
    kept: Option<Ack>,
}

impl Sink for HoldingSink {
    fn write(&mut self, event: &Communique, ack: Ack) -> Result<(), SinkError> {
        let seq: usize = event.metadata["seq"].parse().unwrap();
        if seq == self.held {
            self.kept = Some(ack);
        } else if seq == self.failing {
            ack.fail("refused");
        } else {
            ack.done();
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
}

impl Drop for HoldingSink {
    fn drop(&mut self) {
        if let Some(ack) = self.kept.take() {
            ack.done();
        }
    }
}

/// Every commit, in order: (source, key, value).
type Log = Arc<Mutex<Vec<(String, String, String)>>>;

struct RecordingStore(Log);

impl Checkpoints for RecordingStore {
    fn commit(&mut self, source: &str, positions: &[Position]) -> Result<(), String> {
        let mut log = self.0.lock().unwrap();
        for p in positions {
            log.push((source.to_owned(), p.key.clone(), p.value.clone()));
        }
        Ok(())
    }
}

struct NoDeadLetters;

impl DeadLetterWriter for NoDeadLetters {
    fn write(&mut self, _: &DeadLetter<'_>) -> io::Result<()> {
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_position_is_committed_only_after_every_earlier_event_is_done() {
    let log: Log = Arc::default();
    let mut g = GraphBuilder::new(GraphOptions::default());
    g.source("s", Box::new(SlowSource(30)));
    g.sink(
        "out",
        vec!["s".into()],
        None,
        Box::new(HoldingSink {
            held: 4,
            failing: 9,
            kept: None,
        }),
    );
    g.checkpoints(Box::new(RecordingStore(Arc::clone(&log))));
    let report = g
        .build(Box::new(NoDeadLetters))
        .unwrap()
        .run(&Shutdown::new())
        .unwrap();
    assert!(report.is_clean(), "{:?}", report.failures);
    let log = log.lock().unwrap();
    let values: Vec<usize> = log.iter().map(|(_, _, v)| v.parse().unwrap()).collect();
    // While event 4 was held (the whole run), nothing at or after it was committed; the last
    // commit, once the sink let go at the end, covers everything (9 was dead-lettered: done).
    let last = *values.last().expect("something was committed");
    assert_eq!(last, 29);
    assert!(
        values[..values.len() - 1].iter().all(|&v| v < 4),
        "{values:?}"
    );
    assert!(values.windows(2).all(|w| w[0] < w[1]), "{values:?}");
    assert!(log.iter().all(|(s, k, _)| s == "s" && k == "offset"));
    assert!(
        values.len() < 30,
        "positions are coalesced between commits: {values:?}"
    );
}
