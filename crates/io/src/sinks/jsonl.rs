//! The JSON Lines sink: events or alerts, one JSON object per line.
//!
//! JSON Lines is what downstream tools (`jq`, log shippers, the dead-letter replay) read, and a
//! line per record means a reader never sees half a record once a line is complete. Files are
//! opened for appending, so restarting a pipeline never destroys the alerts of earlier runs.
//!
//! An event is acknowledged once its lines are written and the file synced (`fdatasync`): at each
//! flush (the runtime flushes whenever the input goes quiet), and under steady load at most every
//! 50 ms (a full buffer is written out at once, and synced with what follows it).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use commwatch_alerting::AlertStore;
use commwatch_core::{Ack, Communique, PendingAcks, Sink, SinkError};

/// Bytes of output a [`JsonlSink`] collects before writing them out, unless flushed first. The
/// runtime flushes a sink whenever its input goes quiet, so under load this is what one write
/// system call carries: the alert lines of about a batch of 32 events (~1.7 KB an event), or
/// about six whole events (~10 KB each).
const BUFFER_BYTES: usize = 64 * 1024;

/// Under steady load (no flush), how often written lines are synced and acknowledged: a group
/// commit, so a busy sink pays one `fdatasync` per interval rather than one per buffer.
const SYNC_EVERY: Duration = Duration::from_millis(50);

/// What a [`JsonlSink`] writes for each event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonlContent {
    /// The whole event, one line per event.
    Events,
    /// The event's alerts, one line per alert; events without alerts write nothing.
    Alerts,
}

/// Writes events or alerts as JSON Lines to a writer, buffered until [`Sink::flush`] (or until
/// 64 KiB are waiting, then written out as whole lines).
pub struct JsonlSink {
    out: BufWriter<Box<dyn Write + Send>>,
    what: JsonlContent,
    /// What is being written, for error messages: a path, `stdout`.
    target: String,
    /// The lines of the current event, serialized before any of them is written, so a
    /// serialization failure never leaves part of an event in the output.
    scratch: Vec<u8>,
    /// This sink's pipeline id: in alerts mode, only alerts it
    /// [notifies](commwatch_core::Alert::notifies) are written.
    id: String,
    /// The file written, to sync; `None` for streams (stdout, devices, pipes), which have
    /// nothing to sync.
    file: Option<File>,
    /// Acks of the events whose lines are not synced yet.
    pending: PendingAcks,
    /// When the file was last synced.
    last_sync: Instant,
    /// What this sink delivered, when it writes each alert once (see
    /// [`with_deliveries`](JsonlSink::with_deliveries)).
    deliveries: Option<Deliveries>,
}

/// A file sink's delivery records in the state store.
struct Deliveries {
    store: AlertStore,
    /// The file's device and inode, recorded with its committed length.
    file: String,
    /// Identities of the lines written since the last record.
    written: Vec<String>,
}

impl Deliveries {
    /// True when `sink` delivered the line of `identity` in an earlier run.
    fn recorded(deliveries: Option<&Deliveries>, sink: &str, identity: &str) -> bool {
        deliveries.is_some_and(|d| {
            d.store.delivered(sink, identity).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "cannot read delivery records; writing the line");
                false
            })
        })
    }
}

/// What identifies the file written across runs: device and inode.
fn file_identity(meta: &fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    format!("{}:{}", meta.dev(), meta.ino())
}

impl JsonlSink {
    /// A sink writing `what` to `writer`.
    pub fn new(writer: Box<dyn Write + Send>, what: JsonlContent) -> JsonlSink {
        JsonlSink::with_target(writer, what, "JSON Lines output".to_owned())
    }

    /// A sink writing `what` to the file at `path`, or to stdout when `path` is `-`.
    ///
    /// Missing parent directories are created. An existing file is **appended to**, never
    /// truncated, so a restart keeps earlier output; if it ends with an incomplete line (an
    /// earlier run died mid-write), a newline is added first so new lines stay parseable.
    pub fn create(path: &Path, what: JsonlContent) -> Result<JsonlSink, SinkError> {
        if path == Path::new("-") {
            return Ok(JsonlSink::with_target(
                Box::new(io::stdout()),
                what,
                "stdout".to_owned(),
            ));
        }
        let target = path.display().to_string();
        let opening = |source| SinkError::Io {
            context: format!("opening {target}"),
            source,
        };
        let file = open_for_append(path).map_err(opening)?;
        // Only a regular file has anything to sync (`/dev/null` and pipes refuse).
        let sync = match file.metadata().map_err(opening)?.is_file() {
            true => Some(file.try_clone().map_err(opening)?),
            false => None,
        };
        let mut sink = JsonlSink::with_target(Box::new(file), what, target);
        sink.file = sync;
        Ok(sink)
    }

    fn with_target(writer: Box<dyn Write + Send>, what: JsonlContent, target: String) -> JsonlSink {
        JsonlSink {
            out: BufWriter::with_capacity(BUFFER_BYTES, writer),
            what,
            target,
            scratch: Vec::new(),
            id: String::new(),
            file: None,
            pending: PendingAcks::default(),
            last_sync: Instant::now(),
            deliveries: None,
        }
    }

    /// Writes each alert (each event, in events mode) once across restarts, with its delivery
    /// records in `store` under this sink's id: after every sync, one transaction records the
    /// identities written and the file's length. On opening, the file is cut back to the length
    /// last recorded — lines written after it were never recorded, and the replay of their
    /// communiqués writes them again — and what is recorded is never written again.
    ///
    /// Only for a file sink (not standard output); call after [`with_id`](Self::with_id).
    pub fn with_deliveries(mut self, mut store: AlertStore) -> Result<JsonlSink, SinkError> {
        let Some(file) = &self.file else {
            return Ok(self);
        };
        let failed = |e: &dyn std::fmt::Display| {
            SinkError::Other(format!("{}: delivery records: {e}", self.target))
        };
        let meta = file.metadata().map_err(|e| failed(&e))?;
        let identity = file_identity(&meta);
        let recorded = |key| store.sink_state(&self.id, key).map_err(|e| failed(&e));
        let same_file = recorded("file")?.as_deref() == Some(identity.as_str());
        match recorded("length")?.and_then(|l| l.parse::<u64>().ok()) {
            Some(length) if same_file && meta.len() > length => {
                tracing::warn!(
                    file = %self.target,
                    bytes = meta.len() - length,
                    "removing output written after the last commit; it is written again"
                );
                file.set_len(length).map_err(|e| failed(&e))?;
                file.sync_data().map_err(|e| failed(&e))?;
            }
            Some(_) if same_file => {}
            // A file this store has not seen: what it holds now is where a crash goes back to.
            _ => {
                let state = [
                    ("file", identity.clone()),
                    ("length", meta.len().to_string()),
                ];
                store
                    .record_delivered(&self.id, &[], &state)
                    .map_err(|e| failed(&e))?;
            }
        }
        self.deliveries = Some(Deliveries {
            store,
            file: identity,
            written: Vec::new(),
        });
        Ok(self)
    }

    /// Sets the sink's pipeline id, so that in alerts mode only the alerts routed to it (or to
    /// every sink) and not held back by the alerts stage are written.
    pub fn with_id(mut self, id: impl Into<String>) -> JsonlSink {
        self.id = id.into();
        self
    }

    /// Writes out what is buffered, syncs the file, and acknowledges the events written.
    fn make_durable(&mut self) -> Result<(), SinkError> {
        let flushed = self.out.flush();
        flushed.map_err(|err| self.io_error(err))?;
        if let Some(file) = &self.file
            && !self.pending.is_empty()
        {
            let synced = file.sync_data();
            synced.map_err(|err| self.io_error(err))?;
            let length = file.metadata().map(|m| m.len());
            if let Some(d) = &mut self.deliveries
                && !d.written.is_empty()
            {
                let length = length.map_err(|source| SinkError::Io {
                    context: format!("writing {}", self.target),
                    source,
                })?;
                let state = [("file", d.file.clone()), ("length", length.to_string())];
                d.store
                    .record_delivered(&self.id, &d.written, &state)
                    .map_err(|e| SinkError::Other(format!("{}: {e}", self.target)))?;
                d.written.clear();
            }
        }
        self.pending.done();
        self.last_sync = Instant::now();
        Ok(())
    }

    fn io_error(&self, source: io::Error) -> SinkError {
        SinkError::Io {
            context: format!("writing {}", self.target),
            source,
        }
    }
}

/// Opens `path` for appending, creating it and its parent directories, and ends an incomplete
/// last line.
fn open_for_append(path: &Path) -> io::Result<File> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    if file.metadata()?.len() > 0 {
        let mut last = [0u8];
        file.seek(SeekFrom::End(-1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            // Appending ignores the read position: this goes to the end.
            file.write_all(b"\n")?;
        }
    }
    Ok(file)
}

impl Sink for JsonlSink {
    fn write(&mut self, event: &Communique, ack: Ack) -> Result<(), SinkError> {
        self.scratch.clear();
        let mut identities = Vec::new();
        let (scratch, id, deliveries) = (&mut self.scratch, &self.id, self.deliveries.as_ref());
        let serialized = match self.what {
            JsonlContent::Events if Deliveries::recorded(deliveries, id, &event.id) => Ok(()),
            JsonlContent::Events => {
                identities.push(event.id.clone());
                append_line(scratch, event)
            }
            JsonlContent::Alerts => event
                .alerts
                .iter()
                .filter(|a| a.notifies(id))
                .map(|a| (a, a.identity()))
                .filter(|(_, identity)| !Deliveries::recorded(deliveries, id, identity))
                .try_for_each(|(alert, identity)| {
                    identities.push(identity);
                    append_line(scratch, alert)
                }),
        };
        serialized.map_err(|err| {
            SinkError::Other(format!("cannot serialize communiqué {}: {err}", event.id))
        })?;
        if self.scratch.is_empty() {
            ack.done();
            return Ok(());
        }
        if self.out.buffer().len() + self.scratch.len() > BUFFER_BYTES {
            // A full buffer goes to the file at once; syncing (and acknowledging) waits for the
            // next flush or until SYNC_EVERY has passed, so steady load pays a sync per interval.
            if self.last_sync.elapsed() >= SYNC_EVERY {
                self.make_durable()?;
            } else {
                let flushed = self.out.flush();
                flushed.map_err(|err| self.io_error(err))?;
            }
        }
        let written = self.out.write_all(&self.scratch);
        written.map_err(|err| self.io_error(err))?;
        if let Some(d) = &mut self.deliveries {
            d.written.append(&mut identities);
        }
        self.pending.push(ack);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        self.make_durable()
    }
}

/// Appends `value` as one JSON line to `buf`.
fn append_line(buf: &mut Vec<u8>, value: &impl serde::Serialize) -> serde_json::Result<()> {
    serde_json::to_writer(&mut *buf, value)?;
    buf.push(b'\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::SharedBuf;
    use commwatch_core::{Alert, Origin, Severity};
    use std::collections::BTreeMap;

    fn event_with_alerts(n: usize) -> Communique {
        let mut ev = Communique::new(
            Some("doc-1".into()),
            Origin {
                name: "t".into(),
                uri: None,
            },
            "Mali joined.".into(),
        );
        for i in 0..n {
            ev.alerts.push(Alert {
                rule: format!("rule_{i}"),
                severity: Severity::High,
                fingerprint: format!("fp{i}"),
                labels: BTreeMap::new(),
                summary: "s".into(),
                evidence: Vec::new(),
                communique: "doc-1".into(),
                suppressed: None,
                routes: Vec::new(),
            });
        }
        ev
    }

    #[test]
    fn events_mode_writes_each_event_as_a_line() {
        let buf = SharedBuf::default();
        let mut sink = JsonlSink::new(Box::new(buf.clone()), JsonlContent::Events);
        let ev = event_with_alerts(1);
        sink.write(&ev, Ack::detached()).unwrap();
        sink.write(&event_with_alerts(0), Ack::detached()).unwrap();
        assert_eq!(buf.text(), "", "buffered until flush");
        sink.flush().unwrap();
        let text = buf.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(serde_json::from_str::<Communique>(lines[0]).unwrap(), ev);
    }

    #[test]
    fn alerts_mode_writes_a_line_per_alert() {
        let buf = SharedBuf::default();
        let mut sink = JsonlSink::new(Box::new(buf.clone()), JsonlContent::Alerts);
        sink.write(&event_with_alerts(2), Ack::detached()).unwrap();
        sink.write(&event_with_alerts(0), Ack::detached()).unwrap();
        sink.flush().unwrap();
        let text = buf.text();
        let alerts: Vec<Alert> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(alerts, event_with_alerts(2).alerts);
    }

    #[test]
    fn an_event_is_acknowledged_once_its_lines_are_synced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.jsonl");
        let log = commwatch_core::AckLog::new();
        let mut sink = JsonlSink::create(&path, JsonlContent::Alerts).unwrap();
        sink.write(&event_with_alerts(2), log.ack(1)).unwrap();
        sink.write(&event_with_alerts(0), log.ack(2)).unwrap();
        assert_eq!(
            log.done(),
            [2],
            "nothing to write is done at once; lines wait"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "");
        sink.flush().unwrap();
        assert_eq!(log.done(), [2, 1]);
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 2);
        // Under load a full buffer is written out at once, and synced (acknowledged) with what
        // follows once SYNC_EVERY has passed.
        let mut big = event_with_alerts(1);
        big.alerts[0].summary = "x".repeat(BUFFER_BYTES / 3);
        for t in 10..14 {
            sink.write(&big, log.ack(t)).unwrap();
        }
        assert!(fs::read_to_string(&path).unwrap().lines().count() >= 4);
        std::thread::sleep(SYNC_EVERY);
        for t in 14..16 {
            sink.write(&big, log.ack(t)).unwrap();
        }
        let done = log.done();
        assert!(done.starts_with(&[2, 1, 10, 11, 12]), "{done:?}");
    }

    #[test]
    fn with_delivery_records_a_restart_cuts_unrecorded_lines_and_skips_recorded_alerts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alerts.jsonl");
        let state = dir.path().join("state.db");
        let open = || {
            JsonlSink::create(&path, JsonlContent::Alerts)
                .unwrap()
                .with_id("alerts")
                .with_deliveries(AlertStore::open(&state).unwrap())
                .unwrap()
        };
        let event = |id: &str| {
            let mut ev = event_with_alerts(1);
            ev.id = id.into();
            ev.alerts[0].communique = id.into();
            ev
        };
        // A crash before the first sync: what reached the file is cut back to what the file
        // held when the sink first opened it with this store (nothing).
        {
            let mut sink = open();
            sink.write(&event("a"), Ack::detached()).unwrap();
            sink.out.flush().unwrap();
            std::mem::forget(sink);
        }
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 1);
        {
            let mut sink = open();
            assert_eq!(fs::read_to_string(&path).unwrap(), "");
            sink.write(&event("a"), Ack::detached()).unwrap();
            sink.flush().unwrap(); // synced and recorded
            sink.write(&event("b"), Ack::detached()).unwrap();
            // A crash after the bytes reached the file, before they were synced and recorded:
            // the buffer goes out (as the kernel would keep it), the record never happens.
            sink.out.flush().unwrap();
            std::mem::forget(sink);
        }
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 2);
        let mut sink = open();
        assert_eq!(
            fs::read_to_string(&path).unwrap().lines().count(),
            1,
            "b's line cut"
        );
        // The replay: a is recorded (skipped), b is written again, once.
        sink.write(&event("a"), Ack::detached()).unwrap();
        sink.write(&event("b"), Ack::detached()).unwrap();
        sink.flush().unwrap();
        let ids: Vec<String> = fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<Alert>(l).unwrap().communique)
            .collect();
        assert_eq!(ids, ["a", "b"]);
    }

    /// Records the bytes of every write call.
    #[derive(Clone, Default)]
    struct Writes(std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>);

    impl Write for Writes {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().push(buf.to_vec());
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn output_is_written_in_large_pieces_of_whole_lines() {
        let writes = Writes::default();
        let mut sink = JsonlSink::new(Box::new(writes.clone()), JsonlContent::Events);
        let mut ev = event_with_alerts(2);
        ev.raw = "The ministers met. ".repeat(500);
        for _ in 0..40 {
            sink.write(&ev, Ack::detached()).unwrap();
        }
        let before_flush = writes.0.lock().unwrap().len();
        sink.flush().unwrap();
        let writes = writes.0.lock().unwrap();
        // 40 lines of ~10 KB: a handful of writes, not one (or two) per event.
        assert!(
            before_flush > 0 && writes.len() <= 10,
            "{} writes",
            writes.len()
        );
        let mut lines = 0;
        for piece in writes.iter() {
            assert_eq!(piece.last(), Some(&b'\n'), "a write ends with a whole line");
            for line in piece.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                assert_eq!(serde_json::from_slice::<Communique>(line).unwrap(), ev);
                lines += 1;
            }
        }
        assert_eq!(lines, 40);
    }

    #[test]
    fn create_makes_parents_and_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/nested/alerts.jsonl");
        for _ in 0..2 {
            let mut sink = JsonlSink::create(&path, JsonlContent::Alerts).unwrap();
            sink.write(&event_with_alerts(1), Ack::detached()).unwrap();
            sink.flush().unwrap();
        }
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 2);

        // An incomplete last line from a crashed run is ended before appending.
        fs::write(&path, "{\"trunc").unwrap();
        let mut sink = JsonlSink::create(&path, JsonlContent::Alerts).unwrap();
        sink.write(&event_with_alerts(1), Ack::detached()).unwrap();
        sink.flush().unwrap();
        let text = fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "{\"trunc");
        assert!(serde_json::from_str::<Alert>(lines[1]).is_ok());
    }

    #[test]
    fn create_fails_with_the_path_in_the_message() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        fs::write(&blocker, "").unwrap();
        let Err(err) = JsonlSink::create(&blocker.join("x.jsonl"), JsonlContent::Events) else {
            panic!("a file cannot be a parent directory");
        };
        assert!(err.to_string().contains("opening"), "{err}");
    }
}
