//! The JSON Lines source: one communiqué per line of a file.
//!
//! Scrapers and wire feeds write one JSON object per line, so a line is the unit of both parsing
//! and failure: a bad line is rejected with its line number and the rest of the file still
//! flows. Line framing and parsing live in [`JsonlReader`], generic over any [`BufRead`], so the
//! stdin source parses exactly as the file source does. Lines are read into a buffer that stops
//! growing at a limit, so one huge or unterminated line cannot exhaust memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Seek, SeekFrom};
use std::path::PathBuf;

use commwatch_core::{
    Communique, Origin, Position, RejectedInput, Source, SourceError, SourceOutput,
};
use serde_json::{Map, Value};

/// The default longest line, in bytes, that JSON Lines input may contain: 16 MiB. Longer lines
/// are rejected without being held in memory whole.
pub const DEFAULT_MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// How much of a rejected line is kept in [`RejectedInput::input`]: 64 KiB.
const MAX_REJECTED_INPUT_BYTES: usize = 64 * 1024;

/// What one non-blank line of JSON Lines input became.
#[derive(Clone, Debug, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "nearly every record is an event; boxing it would cost an allocation per line"
)]
pub enum JsonlRecord {
    /// The line was a communiqué.
    Event(Communique),
    /// The line could not become a communiqué; the reason and the (truncated) line.
    Rejected(RejectedInput),
}

/// Parses JSON Lines from any [`BufRead`], yielding one [`JsonlRecord`] per non-blank line.
///
/// Each line is an object with the fields `id` (string or number; the content hash when
/// missing), `source` (the publisher, stored as metadata `publisher`), `title`, `published`
/// (alias `date`), `url` (the origin URI) and `body` (alias `text`, required, a string). When
/// both a field and its alias are present the field wins and the alias is kept as metadata. Any
/// other top-level string, number or bool is stored as metadata under its own name; `source`
/// wins over a top-level `publisher`. The origin name is always the pipeline source name.
///
/// A line that is not JSON, not an object, lacks a body, gives a field the wrong type, or is
/// longer than the limit ([`DEFAULT_MAX_LINE_BYTES`] unless set with
/// [`with_max_line_bytes`](Self::with_max_line_bytes)) becomes [`JsonlRecord::Rejected`] with
/// location `<location>:<line>` (1-based, blank lines counted). Iteration ends at the end of
/// input or after the first read error.
#[derive(Debug)]
pub struct JsonlReader<R> {
    name: String,
    location: String,
    reader: R,
    max_line_bytes: usize,
    line_number: u64,
    /// Bytes of input consumed, counted from where reading started ([`with_start`](Self::with_start)).
    offset: u64,
    buf: Vec<u8>,
    done: bool,
}

/// How the last line read ended.
enum LineRead {
    /// The whole line is in the buffer.
    Complete,
    /// The line was `len` bytes long, over the limit; the buffer holds its beginning.
    TooLong { len: u64 },
}

impl<R: BufRead> JsonlReader<R> {
    /// A reader for the source named `name`. Rejections are located as `<name>:<line>` until
    /// [`with_location`](Self::with_location) says otherwise; the line limit is
    /// [`DEFAULT_MAX_LINE_BYTES`].
    pub fn new(name: String, reader: R) -> JsonlReader<R> {
        JsonlReader {
            location: name.clone(),
            name,
            reader,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            line_number: 0,
            offset: 0,
            buf: Vec::new(),
            done: false,
        }
    }

    /// Counts offsets from `offset` and lines from `line_number` (lines already read): for a
    /// reader positioned there, resuming an earlier run.
    pub fn with_start(mut self, offset: u64, line_number: u64) -> JsonlReader<R> {
        self.offset = offset;
        self.line_number = line_number;
        self
    }

    /// The byte offset after the last line read and the number of lines read, from the start
    /// of the input.
    pub fn position(&self) -> (u64, u64) {
        (self.offset, self.line_number)
    }

    /// Locates rejected lines as `<location>:<line>` (a path, `stdin`).
    pub fn with_location(mut self, location: String) -> JsonlReader<R> {
        self.location = location;
        self
    }

    /// Rejects lines longer than `max_line_bytes` bytes (not counting the newline).
    pub fn with_max_line_bytes(mut self, max_line_bytes: usize) -> JsonlReader<R> {
        self.max_line_bytes = max_line_bytes;
        self
    }

    /// Reads the next line (without its `\n`) into `self.buf`, keeping at most
    /// `max_line_bytes` of it. `None` at the end of input.
    fn read_line(&mut self) -> io::Result<Option<LineRead>> {
        self.buf.clear();
        let mut len: u64 = 0;
        let mut read_any = false;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(bytes) => bytes,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Err(err),
            };
            if available.is_empty() {
                break;
            }
            read_any = true;
            let newline = available.iter().position(|&b| b == b'\n');
            let chunk = newline.unwrap_or(available.len());
            let room = self.max_line_bytes.saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&available[..chunk.min(room)]);
            len += chunk as u64;
            let consumed = chunk + usize::from(newline.is_some());
            self.reader.consume(consumed);
            self.offset += consumed as u64;
            if newline.is_some() {
                break;
            }
        }
        if !read_any {
            return Ok(None);
        }
        if len > self.max_line_bytes as u64 {
            return Ok(Some(LineRead::TooLong { len }));
        }
        Ok(Some(LineRead::Complete))
    }

    /// A rejection of the line in the buffer, which holds only its beginning when `too_long`.
    fn rejected(&self, reason: String, too_long: bool) -> RejectedInput {
        let line = if too_long {
            &self.buf[..]
        } else {
            self.buf.strip_suffix(b"\r").unwrap_or(&self.buf)
        };
        RejectedInput {
            location: format!("{}:{}", self.location, self.line_number),
            reason,
            input: truncated_lossy(line, MAX_REJECTED_INPUT_BYTES, too_long),
        }
    }
}

impl<R: BufRead> Iterator for JsonlReader<R> {
    type Item = io::Result<JsonlRecord>;

    fn next(&mut self) -> Option<io::Result<JsonlRecord>> {
        while !self.done {
            let read = match self.read_line() {
                Ok(Some(read)) => read,
                Ok(None) => break,
                Err(err) => {
                    self.done = true;
                    return Some(Err(err));
                }
            };
            self.line_number += 1;
            let record = match read {
                LineRead::TooLong { len } => JsonlRecord::Rejected(self.rejected(
                    format!(
                        "line is {len} bytes long, over the limit of {} bytes",
                        self.max_line_bytes
                    ),
                    true,
                )),
                LineRead::Complete if self.buf.iter().all(u8::is_ascii_whitespace) => continue,
                LineRead::Complete => match parse_line(&self.name, &self.buf) {
                    Ok(event) => JsonlRecord::Event(event),
                    Err(reason) => JsonlRecord::Rejected(self.rejected(reason, false)),
                },
            };
            return Some(Ok(record));
        }
        self.done = true;
        None
    }
}

/// The beginning of a line as text for [`RejectedInput::input`]: at most `max` bytes, cut back
/// to a character boundary when the line (or `bytes`, when `bytes` is already just the
/// beginning of a longer line) was cut; invalid UTF-8 replaced with U+FFFD.
fn truncated_lossy(bytes: &[u8], max: usize, already_cut: bool) -> String {
    let (bytes, cut) = if bytes.len() > max {
        (&bytes[..max], true)
    } else {
        (bytes, already_cut)
    };
    let end = if cut {
        char_start_at_or_before(bytes, bytes.len())
    } else {
        bytes.len()
    };
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// `end`, or the start of the UTF-8 sequence that `end` splits.
fn char_start_at_or_before(bytes: &[u8], end: usize) -> usize {
    for i in (end.saturating_sub(4)..end).rev() {
        let b = bytes[i];
        if b & 0xC0 == 0x80 {
            continue; // continuation byte
        }
        let width = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if i + width > end { i } else { end };
    }
    end
}

/// Turns one JSON Lines line into a communiqué from the source named `name`, or says why not.
/// See [`JsonlReader`] for the fields.
fn parse_line(name: &str, line: &[u8]) -> Result<Communique, String> {
    let value: Value =
        serde_json::from_slice(line).map_err(|err| format!("invalid JSON: {err}"))?;
    let Value::Object(mut fields) = value else {
        return Err(format!("expected a JSON object, found {}", kind(&value)));
    };
    let body = match take(&mut fields, "body", "text") {
        None => return Err("missing `body` (or its alias `text`)".to_owned()),
        Some((_, Value::String(body))) => body,
        Some((key, other)) => {
            return Err(format!("`{key}` must be a string, found {}", kind(&other)));
        }
    };
    let id = match fields.remove("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id).filter(|id| !id.is_empty()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            return Err(format!(
                "`id` must be a string or a number, found {}",
                kind(&other)
            ));
        }
    };
    let publisher = scalar_field(&mut fields, "source", "source")?;
    let title = scalar_field(&mut fields, "title", "title")?;
    let published = scalar_field(&mut fields, "published", "date")?;
    let uri = scalar_field(&mut fields, "url", "url")?;

    let origin = Origin {
        name: name.to_owned(),
        uri,
    };
    let mut event = Communique::new(id, origin, body);
    event.title = title;
    event.published = published;
    for (key, value) in fields {
        if let Some(text) = scalar(&value) {
            event.metadata.insert(key, text);
        }
    }
    if let Some(publisher) = publisher {
        event.metadata.insert("publisher".to_owned(), publisher);
    }
    Ok(event)
}

/// Removes `field`, or `alias` when `field` is missing or null, returning which key was used and
/// its value. Null counts as missing.
fn take(
    fields: &mut Map<String, Value>,
    field: &'static str,
    alias: &'static str,
) -> Option<(&'static str, Value)> {
    [field, alias]
        .into_iter()
        .find_map(|key| match fields.remove(key) {
            None | Some(Value::Null) => None,
            Some(value) => Some((key, value)),
        })
}

/// Like [`take`], for a field whose value must be a string, number or bool, returned as text.
fn scalar_field(
    fields: &mut Map<String, Value>,
    field: &'static str,
    alias: &'static str,
) -> Result<Option<String>, String> {
    match take(fields, field, alias) {
        None => Ok(None),
        Some((key, value)) => scalar(&value).map(Some).ok_or_else(|| {
            format!(
                "`{key}` must be a string, number or bool, found {}",
                kind(&value)
            )
        }),
    }
}

/// A string, number or bool as text; `None` for null, arrays and objects.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// The JSON type of a value, for error messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads a JSON Lines file, one communiqué per line (see [`JsonlReader`] for the format).
///
/// Rejected lines are located as `<path>:<line>`. A file that cannot be opened or read ends the
/// source with [`SourceError::Io`].
#[derive(Clone, Debug)]
pub struct JsonlSource {
    name: String,
    path: PathBuf,
    max_line_bytes: usize,
    max_rate: Option<f64>,
    /// Where an earlier run's committed checkpoint says to go on: (file identity, offset, line).
    resume: Option<(String, u64, u64)>,
}

/// The position key of a JSONL source's checkpoint.
const OFFSET_KEY: &str = "offset";

/// What identifies a file across runs, whatever its name: its device and inode.
fn file_identity(file: &File) -> io::Result<String> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata()?;
    Ok(format!("{}:{}", meta.dev(), meta.ino()))
}

impl JsonlSource {
    /// A source named `name` reading the file at `path`, with the line limit
    /// [`DEFAULT_MAX_LINE_BYTES`].
    pub fn from_path(name: String, path: PathBuf) -> JsonlSource {
        JsonlSource {
            name,
            path,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_rate: None,
            resume: None,
        }
    }

    /// Emits at most `per_second` communiqués per second (a replay at a steady pace), instead of
    /// as fast as downstream accepts them.
    pub fn with_max_rate(mut self, per_second: f64) -> JsonlSource {
        self.max_rate = Some(per_second).filter(|r| r.is_finite() && *r > 0.0);
        self
    }

    /// Rejects lines longer than `max_line_bytes` bytes instead of the default 16 MiB.
    pub fn with_max_line_bytes(mut self, max_line_bytes: usize) -> JsonlSource {
        self.max_line_bytes = max_line_bytes;
        self
    }
}

impl JsonlSource {
    /// Opens the file, positioned after what an earlier run finished when it is the same file
    /// (same identity, at least as long); from the start otherwise.
    fn open(&self) -> io::Result<(String, JsonlReader<BufReader<File>>)> {
        let mut file = File::open(&self.path)?;
        let identity = file_identity(&file)?;
        let (offset, line) = match &self.resume {
            Some((id, offset, line)) if *id == identity && file.metadata()?.len() >= *offset => {
                file.seek(SeekFrom::Start(*offset))?;
                tracing::info!(path = %self.path.display(), line, "resuming after the last line done");
                (*offset, *line)
            }
            Some(_) => {
                tracing::info!(path = %self.path.display(), "a different file than the checkpoint's: reading from the start");
                (0, 0)
            }
            None => (0, 0),
        };
        let reader = JsonlReader::new(self.name.clone(), BufReader::new(file))
            .with_location(self.path.display().to_string())
            .with_max_line_bytes(self.max_line_bytes)
            .with_start(offset, line);
        Ok((identity, reader))
    }
}

impl Source for JsonlSource {
    fn resume(&mut self, checkpoint: &[Position]) {
        self.resume = checkpoint
            .iter()
            .filter(|p| p.key == OFFSET_KEY)
            .find_map(|p| {
                let (identity, rest) = p.value.rsplit_once('@')?;
                let (offset, line) = rest.split_once(':')?;
                Some((
                    identity.to_owned(),
                    offset.parse().ok()?,
                    line.parse().ok()?,
                ))
            });
    }

    fn run(&mut self, out: &mut dyn SourceOutput) -> Result<(), SourceError> {
        let (identity, mut records) = self.open().map_err(|source| SourceError::Io {
            context: format!("opening {}", self.path.display()),
            source,
        })?;
        let started = std::time::Instant::now();
        let mut emitted = 0u64;
        while !out.should_stop() {
            match records.next() {
                None => break,
                Some(Ok(JsonlRecord::Event(mut event))) => {
                    if let Some(rate) = self.max_rate {
                        // Wait for this event's slot in the schedule, then stamp it as received.
                        let due = std::time::Duration::from_secs_f64(emitted as f64 / rate);
                        if let Some(wait) = due.checked_sub(started.elapsed()) {
                            out.flush();
                            std::thread::sleep(wait);
                        }
                        event.received_at = chrono::Utc::now();
                    }
                    emitted += 1;
                    let (offset, line) = records.position();
                    let position = Position {
                        key: OFFSET_KEY.to_owned(),
                        value: format!("{identity}@{offset}:{line}"),
                    };
                    if !out.emit_at(event, position) {
                        break;
                    }
                }
                Some(Ok(JsonlRecord::Rejected(rejected))) => out.reject(rejected),
                Some(Err(source)) => {
                    return Err(SourceError::Io {
                        context: format!("reading {}", self.path.display()),
                        source,
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::FakeOutput;
    use std::io::Cursor;

    fn parse(line: &str) -> Result<Communique, String> {
        parse_line("feed", line.as_bytes())
    }

    fn records(input: &str, max: usize) -> Vec<JsonlRecord> {
        // A tiny buffer makes lines span several `fill_buf` calls.
        let reader = BufReader::with_capacity(4, Cursor::new(input.as_bytes().to_vec()));
        JsonlReader::new("feed".into(), reader)
            .with_max_line_bytes(max)
            .map(Result::unwrap)
            .collect()
    }

    fn rejected(record: &JsonlRecord) -> &RejectedInput {
        match record {
            JsonlRecord::Rejected(r) => r,
            JsonlRecord::Event(e) => panic!("expected a rejection, got {e:?}"),
        }
    }

    fn event(record: &JsonlRecord) -> &Communique {
        match record {
            JsonlRecord::Event(e) => e,
            JsonlRecord::Rejected(r) => panic!("expected an event, got {r:?}"),
        }
    }

    #[test]
    fn a_restart_goes_on_after_the_last_line_done_of_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.jsonl");
        let lines: String = (0..5)
            .map(|i| format!("{{\"id\":\"d{i}\",\"body\":\"text {i}\"}}\n"))
            .collect();
        std::fs::write(&path, &lines).unwrap();
        let mut out = FakeOutput::default();
        JsonlSource::from_path("in".into(), path.clone())
            .run(&mut out)
            .unwrap();
        assert_eq!(out.positions.len(), 5);
        let mut source = JsonlSource::from_path("in".into(), path.clone());
        source.resume(std::slice::from_ref(&out.positions[2]));
        let mut again = FakeOutput::default();
        source.run(&mut again).unwrap();
        let ids: Vec<&str> = again.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["d3", "d4"]);
        assert_eq!(again.positions.last(), out.positions.last());
        // Another file renamed over the path (a new inode: both exist when it is made) is read
        // from the start.
        let other = dir.path().join("other.jsonl");
        std::fs::write(&other, &lines).unwrap();
        std::fs::rename(&other, &path).unwrap();
        let mut source = JsonlSource::from_path("in".into(), path);
        source.resume(std::slice::from_ref(&out.positions[2]));
        let mut fresh = FakeOutput::default();
        source.run(&mut fresh).unwrap();
        assert_eq!(fresh.events.len(), 5);
    }

    #[test]
    fn good_line() {
        let ev = parse(
            r#"{"id":"au-17","source":"African Union","title":"Communiqué","published":"2024-03-01",
               "url":"https://au.int/x","body":"The PSC met.","lang":"en","page":3,"final":true,
               "tags":["a"],"extra":null}"#
                .replace('\n', "")
                .as_str(),
        )
        .unwrap();
        assert_eq!(ev.id, "au-17");
        assert_eq!(ev.origin.name, "feed");
        assert_eq!(ev.origin.uri.as_deref(), Some("https://au.int/x"));
        assert_eq!(ev.title.as_deref(), Some("Communiqué"));
        assert_eq!(ev.published.as_deref(), Some("2024-03-01"));
        assert_eq!(ev.raw, "The PSC met.");
        let meta: Vec<(&str, &str)> = ev
            .metadata
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            meta,
            [
                ("final", "true"),
                ("lang", "en"),
                ("page", "3"),
                ("publisher", "African Union")
            ]
        );
    }

    #[test]
    fn alias_fields() {
        let ev = parse(r#"{"date":"2023","text":"Body"}"#).unwrap();
        assert_eq!(ev.published.as_deref(), Some("2023"));
        assert_eq!(ev.raw, "Body");
        assert_eq!(ev.id, commwatch_core::content_id("Body"));
        assert!(ev.metadata.is_empty());

        // The field wins over its alias, which is kept as metadata.
        let ev = parse(r#"{"body":"B","text":"T","published":"2024","date":"x"}"#).unwrap();
        assert_eq!(ev.raw, "B");
        assert_eq!(ev.published.as_deref(), Some("2024"));
        assert_eq!(ev.metadata["text"], "T");
        assert_eq!(ev.metadata["date"], "x");

        // A null field falls back to its alias.
        assert_eq!(parse(r#"{"body":null,"text":"T"}"#).unwrap().raw, "T");
    }

    #[test]
    fn numeric_id() {
        assert_eq!(parse(r#"{"id":42,"body":"x"}"#).unwrap().id, "42");
        assert_eq!(
            parse(r#"{"id":"","body":"x"}"#).unwrap().id,
            commwatch_core::content_id("x")
        );
        let err = parse(r#"{"id":true,"body":"x"}"#).unwrap_err();
        assert_eq!(err, "`id` must be a string or a number, found a bool");
    }

    #[test]
    fn bad_json() {
        let err = parse(r#"{"body": "x""#).unwrap_err();
        assert!(err.starts_with("invalid JSON: EOF while parsing"), "{err}");
        assert_eq!(
            parse(r#"["body"]"#).unwrap_err(),
            "expected a JSON object, found an array"
        );
    }

    #[test]
    fn missing_body_or_wrong_types() {
        assert_eq!(
            parse(r#"{"title":"t"}"#).unwrap_err(),
            "missing `body` (or its alias `text`)"
        );
        assert_eq!(
            parse(r#"{"text":7}"#).unwrap_err(),
            "`text` must be a string, found a number"
        );
        assert_eq!(
            parse(r#"{"body":"b","title":{"en":"t"}}"#).unwrap_err(),
            "`title` must be a string, number or bool, found an object"
        );
    }

    #[test]
    fn reader_counts_lines_and_rejects_bad_ones() {
        let input =
            "{\"body\":\"one\"}\n\n  \nnot json\r\n[1]\n{\"title\":\"x\"}\n{\"body\":\"seven\"}";
        let recs = records(input, DEFAULT_MAX_LINE_BYTES);
        assert_eq!(recs.len(), 5);
        assert_eq!(event(&recs[0]).raw, "one");
        let bad = rejected(&recs[1]);
        assert_eq!(bad.location, "feed:4");
        assert_eq!(bad.input, "not json");
        assert!(bad.reason.starts_with("invalid JSON"), "{}", bad.reason);
        assert_eq!(rejected(&recs[2]).location, "feed:5");
        assert_eq!(rejected(&recs[3]).location, "feed:6");
        assert_eq!(rejected(&recs[3]).input, r#"{"title":"x"}"#);
        assert_eq!(event(&recs[4]).raw, "seven");
    }

    #[test]
    fn over_long_line_is_rejected_and_the_next_line_parsed() {
        let long = format!("{{\"body\":\"{}\"}}", "x".repeat(100));
        let input = format!("{{\"body\":\"a\"}}\n{long}\n{{\"body\":\"c\"}}\n");
        let recs = records(&input, 32);
        assert_eq!(recs.len(), 3);
        assert_eq!(event(&recs[0]).raw, "a");
        let r = rejected(&recs[1]);
        assert_eq!(r.location, "feed:2");
        assert_eq!(
            r.reason,
            "line is 111 bytes long, over the limit of 32 bytes"
        );
        assert_eq!(r.input, &long[..32]);
        assert_eq!(event(&recs[2]).raw, "c");
    }

    #[test]
    fn rejected_input_is_truncated_on_a_char_boundary() {
        let line = "é".repeat(MAX_REJECTED_INPUT_BYTES); // 2 bytes each, not JSON
        let recs = records(&line, DEFAULT_MAX_LINE_BYTES);
        let input = &rejected(&recs[0]).input;
        assert_eq!(input.len(), MAX_REJECTED_INPUT_BYTES);
        assert!(input.chars().all(|c| c == 'é'));
        assert_eq!(truncated_lossy("aé".as_bytes(), 2, false), "a");
        assert_eq!(truncated_lossy("aé".as_bytes(), 3, false), "aé");
        assert_eq!(truncated_lossy("aé".as_bytes(), 3, true), "aé");
        assert_eq!(truncated_lossy(&"aé".as_bytes()[..2], 9, true), "a");
        assert_eq!(truncated_lossy(b"a\xff", 9, false), "a\u{fffd}");
    }

    #[test]
    fn source_reads_a_file_and_locates_rejects_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feed.jsonl");
        std::fs::write(&path, "{\"body\":\"a\"}\nnope\n{\"body\":\"b\"}\n").unwrap();
        let mut out = FakeOutput::default();
        JsonlSource::from_path("wire".into(), path.clone())
            .run(&mut out)
            .unwrap();
        assert_eq!(out.events.len(), 2);
        assert_eq!(out.events[1].origin.name, "wire");
        assert_eq!(out.rejects.len(), 1);
        assert_eq!(out.rejects[0].location, format!("{}:2", path.display()));

        let mut out = FakeOutput {
            accept_limit: Some(1),
            ..FakeOutput::default()
        };
        JsonlSource::from_path("wire".into(), path)
            .run(&mut out)
            .unwrap();
        assert_eq!(out.events.len(), 1);
        assert!(out.rejects.is_empty());
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut src = JsonlSource::from_path("wire".into(), dir.path().join("none.jsonl"));
        let err = src.run(&mut FakeOutput::default()).unwrap_err();
        assert!(matches!(err, SourceError::Io { .. }), "{err}");
    }
}
