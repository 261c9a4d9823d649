//! The stdin source: communiqués piped into `commwatch`.
//!
//! Reading stdin blocks until input arrives, possibly forever (an idle producer, a terminal).
//! Shutdown must not wait for it, so the blocking reads happen on a helper thread named
//! `stdin-reader`, which parses what it reads and sends it over a bounded channel; `run` waits
//! on that channel in short slices and checks between them whether it should stop. When it
//! stops early, `run` returns at once and the helper thread stays blocked in `read` until input
//! or end of file arrives (it then finds nobody listening and ends) or the process exits. That
//! thread holds nothing but stdin, so leaving it behind is harmless.

use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::thread;
use std::time::Duration;

use commwatch_core::{Communique, Origin, RejectedInput, Source, SourceError, SourceOutput};
use crossbeam_channel::{RecvTimeoutError, Sender};

use super::decode::{DecodeHints, Markup, TextEncoding, decode};
use super::jsonl::{DEFAULT_MAX_LINE_BYTES, JsonlReader, JsonlRecord};
use super::title_from_text;

/// How long `run` waits for input before checking again whether it should stop.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Records parsed ahead of the pipeline. Small, because a JSON Lines record may be as large as
/// the line limit.
const CHANNEL_CAPACITY: usize = 16;

/// What standard input holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StdinFormat {
    /// Decide from the first non-whitespace byte: `{` means JSON Lines, anything else (or no
    /// input at all) plain text.
    #[default]
    Auto,
    /// One JSON object per line, as read by [`JsonlReader`].
    Jsonl,
    /// The whole of stdin is one communiqué.
    Text,
}

/// Reads communiqués from standard input (or any reader, for tests), in a [`StdinFormat`].
///
/// JSON Lines input is parsed exactly as by [`JsonlSource`](crate::JsonlSource), with rejected
/// lines located as `stdin:<line>`. Text input becomes one communiqué whose id is the content
/// hash, whose title is its first non-blank line when short, and whose origin has no URI; input
/// that is empty or only whitespace produces nothing. Text input is decoded like a file (see
/// [`decode`](crate::decode)), with metadata `encoding` (and `decode_replacements`); binary input
/// is rejected.
///
/// Stdin can be read once: a second `run` fails.
pub struct StdinSource {
    name: String,
    format: StdinFormat,
    reader: Option<Box<dyn Read + Send>>,
    max_line_bytes: usize,
}

impl StdinSource {
    /// A source named `name` reading the process's standard input.
    pub fn new(name: String, format: StdinFormat) -> StdinSource {
        StdinSource::with_reader(name, format, Box::new(io::stdin()))
    }

    /// A source named `name` reading `reader` as if it were standard input.
    pub fn with_reader(
        name: String,
        format: StdinFormat,
        reader: Box<dyn Read + Send>,
    ) -> StdinSource {
        StdinSource {
            name,
            format,
            reader: Some(reader),
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
        }
    }

    /// Rejects JSON Lines lines longer than `max_line_bytes` bytes instead of the default 16 MiB.
    pub fn with_max_line_bytes(mut self, max_line_bytes: usize) -> StdinSource {
        self.max_line_bytes = max_line_bytes;
        self
    }
}

impl Source for StdinSource {
    fn run(&mut self, out: &mut dyn SourceOutput) -> Result<(), SourceError> {
        let reader = self.reader.take().ok_or_else(|| {
            SourceError::Other(format!(
                "source {:?}: stdin was already read by an earlier run",
                self.name
            ))
        })?;
        let (tx, rx) = crossbeam_channel::bounded(CHANNEL_CAPACITY);
        let helper = Helper {
            name: self.name.clone(),
            format: self.format,
            max_line_bytes: self.max_line_bytes,
            tx,
        };
        let handle = thread::Builder::new()
            .name("stdin-reader".to_owned())
            .spawn(move || helper.read(reader))
            .map_err(|source| SourceError::Io {
                context: "starting the stdin-reader thread".to_owned(),
                source,
            })?;
        loop {
            if out.should_stop() {
                // The helper may be blocked in `read`; it is left behind (see the module docs).
                return Ok(());
            }
            match rx.recv_timeout(POLL_INTERVAL) {
                Ok(Ok(JsonlRecord::Event(event))) => {
                    if !out.emit(event) {
                        return Ok(());
                    }
                }
                Ok(Ok(JsonlRecord::Rejected(rejected))) => out.reject(rejected),
                Ok(Err(source)) => {
                    return Err(SourceError::Io {
                        context: "reading stdin".to_owned(),
                        source,
                    });
                }
                // Input is quiet: hand over anything held back for batching.
                Err(RecvTimeoutError::Timeout) => out.flush(),
                Err(RecvTimeoutError::Disconnected) => {
                    // The helper is done, so joining does not block.
                    return handle.join().map_err(|_| {
                        SourceError::Other("the stdin-reader thread panicked".to_owned())
                    });
                }
            }
        }
    }
}

/// The state the `stdin-reader` thread needs.
struct Helper {
    name: String,
    format: StdinFormat,
    max_line_bytes: usize,
    tx: Sender<io::Result<JsonlRecord>>,
}

impl Helper {
    /// Reads and parses all of `reader`, sending records until input ends, a read fails, or
    /// `run` stops listening.
    fn read(self, reader: Box<dyn Read + Send>) {
        let mut reader = BufReader::new(reader);
        let (jsonl, skipped) = match self.format {
            StdinFormat::Jsonl => (true, Vec::new()),
            StdinFormat::Text => (false, Vec::new()),
            StdinFormat::Auto => match sniff(&mut reader) {
                Ok(found) => found,
                Err(err) => {
                    self.send(Err(err));
                    return;
                }
            },
        };
        // Put back the whitespace the sniffing consumed: it counts as lines, or as text.
        let reader = Cursor::new(skipped).chain(reader);
        if jsonl {
            let records = JsonlReader::new(self.name.clone(), reader)
                .with_location("stdin".to_owned())
                .with_max_line_bytes(self.max_line_bytes);
            for record in records {
                if !self.send(record) {
                    return;
                }
            }
        } else {
            match self.text(reader) {
                Ok(Some(record)) => {
                    self.send(Ok(record));
                }
                Ok(None) => {}
                Err(err) => {
                    self.send(Err(err));
                }
            }
        }
    }

    /// The whole of `reader` as one communiqué (or its rejection, when it is not text); `None`
    /// when it is empty or only whitespace.
    fn text(&self, mut reader: impl Read) -> io::Result<Option<JsonlRecord>> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let decoded = match decode(bytes, &DecodeHints::new(TextEncoding::Auto, Markup::Plain)) {
            Ok(decoded) => decoded,
            Err(err) => {
                return Ok(Some(JsonlRecord::Rejected(RejectedInput {
                    location: "stdin".to_owned(),
                    reason: format!("stdin: {err}"),
                    input: String::new(),
                })));
            }
        };
        let origin = Origin {
            name: self.name.clone(),
            uri: None,
        };
        let title = title_from_text(&decoded.text);
        let mut metadata = std::collections::BTreeMap::new();
        decoded.annotate(&mut metadata);
        let mut event = Communique::new(None, origin, decoded.text);
        event.title = title;
        event.metadata = metadata;
        Ok(Some(JsonlRecord::Event(event)))
    }

    /// Sends one item to `run`; `false` when `run` has returned and nobody is listening.
    fn send(&self, item: io::Result<JsonlRecord>) -> bool {
        let sent = self.tx.send(item).is_ok();
        if !sent {
            tracing::debug!(source = %self.name, "stdin-reader stopping: the source has stopped");
        }
        sent
    }
}

/// Consumes leading ASCII whitespace and says whether the first other byte is `{` (JSON Lines),
/// returning the whitespace consumed so it can be put back.
fn sniff(reader: &mut impl BufRead) -> io::Result<(bool, Vec<u8>)> {
    let mut skipped = Vec::new();
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        let Some(&first) = available.first() else {
            return Ok((false, skipped));
        };
        let ws = available
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        if ws == 0 {
            return Ok((first == b'{', skipped));
        }
        skipped.extend_from_slice(&available[..ws]);
        reader.consume(ws);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::FakeOutput;
    use std::io::Write;
    use std::sync::atomic::Ordering;
    use std::time::Instant;

    fn run(format: StdinFormat, input: &str) -> FakeOutput {
        let reader = Box::new(Cursor::new(input.as_bytes().to_vec()));
        let mut out = FakeOutput::default();
        StdinSource::with_reader("in".into(), format, reader)
            .run(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn auto_detects_jsonl() {
        let out = run(
            StdinFormat::Auto,
            " \n\t{\"body\":\"a\"}\nnot json\n{\"text\":\"b\"}\n",
        );
        let bodies: Vec<&str> = out.events.iter().map(|e| e.raw.as_str()).collect();
        assert_eq!(bodies, ["a", "b"]);
        assert_eq!(out.events[0].origin.name, "in");
        assert_eq!(out.rejects.len(), 1);
        assert_eq!(out.rejects[0].location, "stdin:3");
    }

    #[test]
    fn auto_detects_text_and_keeps_it_exact() {
        let input = "\n  Joint Statement\n{not a json line}\n";
        let out = run(StdinFormat::Auto, input);
        assert_eq!(out.events.len(), 1);
        let ev = &out.events[0];
        assert_eq!(ev.raw, input);
        assert_eq!(ev.title.as_deref(), Some("Joint Statement"));
        assert_eq!(ev.id, commwatch_core::content_id(input));
        assert_eq!(ev.origin.uri, None);
        assert!(out.rejects.is_empty());
    }

    #[test]
    fn text_is_decoded_and_binary_rejected() {
        let reader = Box::new(Cursor::new(b"C\xF4te d\x92Ivoire".to_vec()));
        let mut out = FakeOutput::default();
        StdinSource::with_reader("in".into(), StdinFormat::Text, reader)
            .run(&mut out)
            .unwrap();
        assert_eq!(out.events[0].raw, "Côte d’Ivoire");
        assert_eq!(out.events[0].metadata["encoding"], "windows-1252");
        let reader = Box::new(Cursor::new(b"PK\x03\x04\x00\x00".to_vec()));
        let mut out = FakeOutput::default();
        StdinSource::with_reader("in".into(), StdinFormat::Text, reader)
            .run(&mut out)
            .unwrap();
        assert!(out.events.is_empty());
        assert_eq!(out.rejects[0].location, "stdin");
        assert_eq!(
            out.rejects[0].reason,
            "stdin: looks like a binary file (NUL byte at offset 4); not read"
        );
    }

    #[test]
    fn explicit_formats_do_not_sniff() {
        let out = run(StdinFormat::Text, "{\"body\":\"a\"}\n");
        assert_eq!(out.events[0].raw, "{\"body\":\"a\"}\n");
        let out = run(StdinFormat::Jsonl, "plain\n{\"body\":\"a\"}");
        assert_eq!(out.events.len(), 1);
        assert_eq!(out.rejects[0].location, "stdin:1");
    }

    #[test]
    fn empty_input_produces_nothing() {
        for format in [StdinFormat::Auto, StdinFormat::Text, StdinFormat::Jsonl] {
            let out = run(format, " \n ");
            assert!(out.events.is_empty() && out.rejects.is_empty());
        }
    }

    #[test]
    fn reads_only_once() {
        let mut src = StdinSource::with_reader(
            "in".into(),
            StdinFormat::Text,
            Box::new(Cursor::new(b"x".to_vec())),
        );
        src.run(&mut FakeOutput::default()).unwrap();
        assert!(src.run(&mut FakeOutput::default()).is_err());
    }

    struct Failing;

    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("device gone"))
        }
    }

    #[test]
    fn read_error_ends_the_source() {
        for format in [StdinFormat::Auto, StdinFormat::Text, StdinFormat::Jsonl] {
            let mut src = StdinSource::with_reader("in".into(), format, Box::new(Failing));
            let err = src.run(&mut FakeOutput::default()).unwrap_err();
            assert_eq!(err.to_string(), "reading stdin: device gone");
        }
    }

    #[test]
    fn stops_promptly_while_the_reader_is_blocked() {
        let (reader, mut writer) = io::pipe().unwrap();
        // One line arrives, then the writer stays open and silent.
        writer.write_all(b"{\"body\":\"a\"}\n").unwrap();
        let mut out = FakeOutput::default();
        let stop = out.stop.clone();
        let stopper = thread::spawn(move || {
            thread::sleep(Duration::from_millis(300));
            let at = Instant::now();
            stop.store(true, Ordering::SeqCst);
            at
        });
        let mut src = StdinSource::with_reader("in".into(), StdinFormat::Auto, Box::new(reader));
        src.run(&mut out).unwrap();
        let returned = Instant::now();
        let stopped = stopper.join().unwrap();
        assert!(returned >= stopped, "run returned before the stop request");
        assert!(
            returned.duration_since(stopped) < Duration::from_secs(1),
            "run returned {:?} after the stop request",
            returned.duration_since(stopped)
        );
        assert_eq!(out.events.len(), 1);
        drop(writer); // lets the abandoned stdin-reader thread see end of file
    }
}
