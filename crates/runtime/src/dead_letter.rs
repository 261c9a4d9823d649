//! The dead-letter output: where everything the pipeline could not process goes, with the reason.
//!
//! An operator reads it to find out what failed and why, and can replay it: each record holds the
//! whole event (or the raw input a source could not parse), the id and kind of the component that
//! failed, and the error message.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use commwatch_core::{Communique, RejectedInput};
use serde::Serialize;

use crate::stats::ComponentKind;

/// One record of the dead-letter output.
#[derive(Debug, Serialize)]
pub struct DeadLetter<'a> {
    /// When the failure happened.
    pub at: DateTime<Utc>,
    /// The id of the component that failed.
    pub component: &'a str,
    /// Its kind.
    pub kind: ComponentKind,
    /// What went wrong.
    pub error: &'a str,
    /// The event that failed, when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<&'a Communique>,
    /// Where the unparseable input was, for input a source rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<&'a str>,
    /// The unparseable input itself, for input a source rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<&'a str>,
}

impl<'a> DeadLetter<'a> {
    pub(crate) fn for_event(
        component: &'a str,
        kind: ComponentKind,
        error: &'a str,
        event: &'a Communique,
    ) -> Self {
        DeadLetter {
            at: Utc::now(),
            component,
            kind,
            error,
            event: Some(event),
            location: None,
            input: None,
        }
    }

    pub(crate) fn for_input(component: &'a str, rejected: &'a RejectedInput) -> Self {
        DeadLetter {
            at: Utc::now(),
            component,
            kind: ComponentKind::Source,
            error: &rejected.reason,
            event: None,
            location: Some(&rejected.location),
            input: Some(&rejected.input),
        }
    }
}

/// Where dead letters are written. The runtime calls it from one thread.
pub trait DeadLetterWriter: Send {
    /// Writes one record.
    fn write(&mut self, record: &DeadLetter<'_>) -> io::Result<()>;
    /// Flushes buffered records and makes them durable (a file is synced). The events of the
    /// records count as dead-lettered only after this succeeds.
    fn flush(&mut self) -> io::Result<()>;
}

/// Writes dead letters as JSON lines: appended to a file that is created (with its parent
/// directories) on the first record, so a clean run leaves no empty file behind, or to a stream
/// such as standard error.
pub struct JsonlDeadLetterWriter {
    target: Target,
}

enum Target {
    File {
        path: PathBuf,
        file: Option<BufWriter<File>>,
    },
    Stream(Box<dyn Write + Send>),
}

impl JsonlDeadLetterWriter {
    /// A writer appending to `path`.
    pub fn new(path: impl AsRef<Path>) -> JsonlDeadLetterWriter {
        JsonlDeadLetterWriter {
            target: Target::File {
                path: path.as_ref().to_path_buf(),
                file: None,
            },
        }
    }

    /// A writer to a stream, e.g. standard error for a pipeline used as a Unix filter.
    pub fn to_stream(stream: Box<dyn Write + Send>) -> JsonlDeadLetterWriter {
        JsonlDeadLetterWriter {
            target: Target::Stream(stream),
        }
    }

    fn out(&mut self) -> io::Result<&mut dyn Write> {
        match &mut self.target {
            Target::Stream(stream) => Ok(stream.as_mut()),
            Target::File { path, file } => {
                if file.is_none() {
                    let open = || -> io::Result<File> {
                        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                            std::fs::create_dir_all(dir)?;
                        }
                        OpenOptions::new().create(true).append(true).open(&*path)
                    };
                    let opened = open().map_err(|e| {
                        io::Error::new(e.kind(), format!("{}: {e}", path.display()))
                    })?;
                    *file = Some(BufWriter::new(opened));
                }
                Ok(file.as_mut().expect("opened above"))
            }
        }
    }
}

impl DeadLetterWriter for JsonlDeadLetterWriter {
    fn write(&mut self, record: &DeadLetter<'_>) -> io::Result<()> {
        let mut line = serde_json::to_vec(record)?;
        line.push(b'\n');
        self.out()?.write_all(&line)
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.target {
            Target::Stream(stream) => stream.flush(),
            Target::File { file: Some(f), .. } => {
                f.flush()?;
                // Only a regular file has anything to sync (`/dev/null` refuses).
                match f.get_ref().metadata()?.is_file() {
                    true => f.get_ref().sync_data(),
                    false => Ok(()),
                }
            }
            Target::File { file: None, .. } => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use commwatch_core::Origin;

    #[test]
    fn writes_json_lines_lazily_and_appends() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dl.jsonl");
        let mut w = JsonlDeadLetterWriter::new(&path);
        w.flush().unwrap();
        assert!(!path.exists(), "no file before the first record");
        let ev = Communique::new(Some("a".into()), Origin::default(), "text".into());
        w.write(&DeadLetter::for_event(
            "tag",
            ComponentKind::Stage,
            "boom",
            &ev,
        ))
        .unwrap();
        w.flush().unwrap();
        let rejected = RejectedInput {
            location: "in:3".into(),
            reason: "bad json".into(),
            input: "{".into(),
        };
        let mut w = JsonlDeadLetterWriter::new(&path);
        w.write(&DeadLetter::for_input("src", &rejected)).unwrap();
        w.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["component"], "tag");
        assert_eq!(lines[0]["kind"], "stage");
        assert_eq!(lines[0]["event"]["id"], "a");
        assert_eq!(lines[1]["location"], "in:3");
        assert_eq!(lines[1]["input"], "{");
    }
}
