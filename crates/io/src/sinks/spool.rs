//! The on-disk notification queue of the HTTP sinks.
//!
//! A notification is written here, and synced to disk, before its first delivery attempt, and it
//! is removed only once the receiver accepted it. So a receiver that is down, or a commwatch that
//! is stopped or crashes, loses nothing: the next start reads the queue back and carries on in the
//! same order.
//!
//! Layout of a spool directory:
//!
//! ```text
//! <spool_dir>/00000000000000000042.spool       one queued notification (the queue is in name order)
//! <spool_dir>/00000000000000000043.spool.tmp   a notification being written (never read as queued)
//! <spool_dir>/failed/00000000000000000017.spool   refused for good by the receiver (a 4xx)
//! <spool_dir>/failed/00000000000000000017.error   why
//! ```
//!
//! A file is one JSON header line — `{"version":1,"delivery":…,"created":…,"body_bytes":N,
//! "body_sha256":…}` — followed by the exact body bytes to send. A file is written under a
//! `.tmp` name, synced, renamed into place and the directory synced, so a crash never leaves a
//! half-written `.spool` file. At start, a leftover `.tmp` file is **recovered** when it is
//! complete (its length and SHA-256 match its header: the crash came between the sync and the
//! rename) and **removed** otherwise (the write never finished, and the sink never accepted its
//! event). A `.spool` file whose content does not match its header (disk damage, manual edits) is
//! moved to `failed/` with an `.error` file saying so, never silently dropped.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tracing::warn;

const EXT: &str = "spool";
const TMP_EXT: &str = "spool.tmp";
const FAILED_DIR: &str = "failed";
const FORMAT_VERSION: u32 = 1;

/// The header line of a spool file.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    version: u32,
    delivery: String,
    created: DateTime<Utc>,
    body_bytes: u64,
    body_sha256: String,
}

/// One queued notification, read back from its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpoolEntry {
    /// Position in the queue (the file name).
    pub seq: u64,
    /// The unique delivery id, sent as `X-Commwatch-Delivery` on every attempt.
    pub delivery: String,
    /// When the notification was queued.
    pub created: DateTime<Utc>,
    /// The exact bytes to send.
    pub body: Vec<u8>,
}

#[derive(Debug)]
struct Queued {
    seq: u64,
    bytes: u64,
}

/// A bounded FIFO of notifications, one file each, in a directory.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    max_bytes: u64,
    queue: VecDeque<Queued>,
    bytes: u64,
    next_seq: u64,
    /// The head entry, read once and kept while it is being retried.
    head: Option<SpoolEntry>,
}

impl Spool {
    /// Opens (creating it if needed) the spool in `dir`, holding at most `max_bytes` of files,
    /// and reads back what an earlier run left: leftover `.tmp` files are recovered or removed,
    /// damaged files moved to `failed/` (see the module documentation).
    pub fn open(dir: &Path, max_bytes: u64) -> io::Result<Spool> {
        fs::create_dir_all(dir.join(FAILED_DIR))?;
        let mut spool = Spool {
            dir: dir.to_path_buf(),
            max_bytes,
            queue: VecDeque::new(),
            bytes: 0,
            next_seq: 1,
            head: None,
        };
        let mut max_seq = 0;
        let mut found = Vec::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(seq) = parse_name(name, TMP_EXT) {
                max_seq = max_seq.max(seq);
                let path = entry.path();
                if read_verified(&path).is_ok() {
                    fs::rename(&path, spool.path(seq))?;
                    warn!(file = %path.display(), "recovered a complete notification left unrenamed by a crash");
                    found.push(seq);
                } else {
                    fs::remove_file(&path)?;
                    warn!(file = %path.display(), "removed a partially written spool file");
                }
            } else if let Some(seq) = parse_name(name, EXT) {
                max_seq = max_seq.max(seq);
                found.push(seq);
            }
        }
        for entry in fs::read_dir(dir.join(FAILED_DIR))? {
            let name = entry?.file_name();
            if let Some(seq) = name.to_str().and_then(|n| parse_name(n, EXT)) {
                max_seq = max_seq.max(seq);
            }
        }
        found.sort_unstable();
        found.dedup();
        for seq in found {
            let path = spool.path(seq);
            match read_verified(&path) {
                Ok(_) => {
                    let bytes = fs::metadata(&path)?.len();
                    spool.bytes += bytes;
                    spool.queue.push_back(Queued { seq, bytes });
                }
                Err(err) => {
                    warn!(file = %path.display(), error = %err, "damaged spool file moved to failed/");
                    spool.quarantine(seq, &format!("damaged spool file, not delivered: {err}"))?;
                }
            }
        }
        spool.next_seq = max_seq + 1;
        sync_dir(dir)?;
        Ok(spool)
    }

    /// The spool directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where notifications the receiver refused for good are kept.
    pub fn failed_dir(&self) -> PathBuf {
        self.dir.join(FAILED_DIR)
    }

    /// Notifications queued.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Bytes of queued files.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The bound on [`bytes`](Self::bytes).
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The size on disk of a notification of `body_bytes` bytes: the body and its header line.
    pub fn file_size(body_bytes: usize) -> u64 {
        // The header line is under 320 bytes for any delivery id commwatch makes.
        body_bytes as u64 + 320
    }

    /// True when `extra` more bytes fit within the bound.
    pub fn has_room(&self, extra: u64) -> bool {
        self.bytes.saturating_add(extra) <= self.max_bytes
    }

    /// Appends a notification, durably: when this returns `Ok`, the file and its name are on disk.
    /// The bound is the caller's to check (with [`has_room`](Self::has_room)), so that a caller can
    /// refuse a whole event before writing any part of it.
    pub fn push(&mut self, delivery: &str, body: &[u8]) -> io::Result<u64> {
        let seq = self.next_seq;
        let header = Header {
            version: FORMAT_VERSION,
            delivery: delivery.to_owned(),
            created: Utc::now(),
            body_bytes: body.len() as u64,
            body_sha256: hex(&Sha256::digest(body)),
        };
        let mut data = serde_json::to_vec(&header).map_err(io::Error::other)?;
        data.push(b'\n');
        data.extend_from_slice(body);
        let tmp = self.dir.join(format!("{seq:020}.{TMP_EXT}"));
        {
            let mut file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            file.write_all(&data)?;
            file.sync_all()?;
        }
        fs::rename(&tmp, self.path(seq))?;
        sync_dir(&self.dir)?;
        self.next_seq += 1;
        let bytes = data.len() as u64;
        self.bytes += bytes;
        self.queue.push_back(Queued { seq, bytes });
        Ok(seq)
    }

    /// The oldest queued notification, read from disk once and then kept in memory until it is
    /// popped. A file that cannot be read back intact is moved to `failed/` and the next one
    /// tried.
    pub fn front(&mut self) -> io::Result<Option<&SpoolEntry>> {
        while self.head.is_none() {
            let Some(q) = self.queue.front() else {
                return Ok(None);
            };
            let seq = q.seq;
            match read_verified(&self.path(seq)) {
                Ok((header, body)) => {
                    self.head = Some(SpoolEntry {
                        seq,
                        delivery: header.delivery,
                        created: header.created,
                        body,
                    });
                }
                Err(err) => {
                    warn!(seq, error = %err, "damaged spool file moved to failed/");
                    self.drop_front();
                    self.quarantine(seq, &format!("damaged spool file, not delivered: {err}"))?;
                }
            }
        }
        Ok(self.head.as_ref())
    }

    /// Removes the oldest notification (it was delivered).
    pub fn pop_front(&mut self) -> io::Result<()> {
        if let Some(seq) = self.drop_front() {
            match fs::remove_file(self.path(seq)) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    /// Moves the oldest notification to `failed/`, with `reason` in a `.error` file next to it,
    /// and returns its new path.
    pub fn fail_front(&mut self, reason: &str) -> io::Result<Option<PathBuf>> {
        match self.drop_front() {
            Some(seq) => self.quarantine(seq, reason).map(Some),
            None => Ok(None),
        }
    }

    fn drop_front(&mut self) -> Option<u64> {
        let q = self.queue.pop_front()?;
        self.bytes -= q.bytes;
        self.head = None;
        Some(q.seq)
    }

    fn quarantine(&self, seq: u64, reason: &str) -> io::Result<PathBuf> {
        let failed = self.failed_dir();
        let target = failed.join(format!("{seq:020}.{EXT}"));
        fs::rename(self.path(seq), &target)?;
        fs::write(
            failed.join(format!("{seq:020}.error")),
            format!("{}  {reason}\n", Utc::now().to_rfc3339()),
        )?;
        Ok(target)
    }

    fn path(&self, seq: u64) -> PathBuf {
        self.dir.join(format!("{seq:020}.{EXT}"))
    }
}

/// The sequence number of a file named `<digits>.<ext>`.
fn parse_name(name: &str, ext: &str) -> Option<u64> {
    let stem = name.strip_suffix(ext)?.strip_suffix('.')?;
    if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stem.parse().ok()
}

/// Reads a spool file and checks its body against the header.
fn read_verified(path: &Path) -> io::Result<(Header, Vec<u8>)> {
    let data = fs::read(path)?;
    let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidData, msg);
    let newline = data
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| invalid("no header line".into()))?;
    let header: Header = serde_json::from_slice(&data[..newline])
        .map_err(|e| invalid(format!("unreadable header: {e}")))?;
    if header.version != FORMAT_VERSION {
        return Err(invalid(format!(
            "spool format version {} (this commwatch reads {FORMAT_VERSION})",
            header.version
        )));
    }
    let body = data[newline + 1..].to_vec();
    if body.len() as u64 != header.body_bytes {
        return Err(invalid(format!(
            "body is {} bytes, the header says {}",
            body.len(),
            header.body_bytes
        )));
    }
    if hex(&Sha256::digest(&body)) != header.body_sha256 {
        return Err(invalid("body does not match its SHA-256".into()));
    }
    Ok((header, body))
}

/// Syncs a directory, so that file creations and renames in it are durable.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn fifo_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::open(dir.path(), 1 << 20).unwrap();
        for i in 0..5 {
            spool
                .push(&format!("d{i}"), format!("body {i}").as_bytes())
                .unwrap();
        }
        assert_eq!(spool.front().unwrap().unwrap().delivery, "d0");
        spool.pop_front().unwrap();
        assert_eq!(spool.front().unwrap().unwrap().body, b"body 1");
        let bytes = spool.bytes();
        drop(spool);

        let mut spool = Spool::open(dir.path(), 1 << 20).unwrap();
        assert_eq!((spool.len(), spool.bytes()), (4, bytes));
        let mut got = Vec::new();
        while let Some(e) = spool.front().unwrap() {
            got.push(e.delivery.clone());
            spool.pop_front().unwrap();
        }
        assert_eq!(got, ["d1", "d2", "d3", "d4"]);
        assert_eq!(spool.bytes(), 0);
        // New entries continue the sequence, so order holds across restarts.
        spool.push("d5", b"x").unwrap();
        assert_eq!(spool.front().unwrap().unwrap().seq, 6);
    }

    #[test]
    fn the_bound_counts_queued_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::open(dir.path(), 1000).unwrap();
        assert!(spool.has_room(1000));
        assert!(!spool.has_room(1001));
        spool.push("a", &[b'x'; 400]).unwrap();
        let used = spool.bytes();
        assert!(used > 400 && used < Spool::file_size(400), "{used}");
        assert!(!spool.has_room(Spool::file_size(400)));
        spool.pop_front().unwrap();
        assert!(spool.has_room(1000));
    }

    #[test]
    fn failed_notifications_are_moved_aside_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::open(dir.path(), 1 << 20).unwrap();
        spool.push("a", b"one").unwrap();
        spool.push("b", b"two").unwrap();
        let moved = spool.fail_front("HTTP 400: bad").unwrap().unwrap();
        assert!(moved.starts_with(dir.path().join("failed")));
        let error = fs::read_to_string(moved.with_extension("error")).unwrap();
        assert!(error.contains("HTTP 400: bad"), "{error}");
        assert_eq!(spool.front().unwrap().unwrap().delivery, "b");
        // After a reopen, numbers continue after the failed files too, so none is reused
        // while its file is kept.
        spool.pop_front().unwrap();
        drop(spool);
        fs::rename(
            dir.path().join("failed/00000000000000000001.spool"),
            dir.path().join("failed/00000000000000000007.spool"),
        )
        .unwrap();
        let mut spool = Spool::open(dir.path(), 1 << 20).unwrap();
        assert!(spool.is_empty());
        assert_eq!(spool.push("c", b"three").unwrap(), 8);
    }

    #[test]
    fn partial_writes_are_removed_complete_ones_recovered_damaged_ones_quarantined() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::open(dir.path(), 1 << 20).unwrap();
        for d in ["a", "b", "c", "d"] {
            spool.push(d, d.repeat(50).as_bytes()).unwrap();
        }
        drop(spool);
        let path = |seq: u64, ext: &str| dir.path().join(format!("{seq:020}.{ext}"));
        // 2: a crash between sync and rename left a complete .tmp file.
        fs::rename(path(2, EXT), path(2, TMP_EXT)).unwrap();
        // 3: a crash mid-write left a truncated .tmp file.
        let data = fs::read(path(3, EXT)).unwrap();
        fs::remove_file(path(3, EXT)).unwrap();
        fs::write(path(3, TMP_EXT), &data[..data.len() - 10]).unwrap();
        // 4: a damaged .spool file.
        let mut data = fs::read(path(4, EXT)).unwrap();
        *data.last_mut().unwrap() = b'!';
        fs::write(path(4, EXT), data).unwrap();
        // 9: a .tmp file cut inside its header.
        fs::write(path(9, TMP_EXT), b"{\"version\":1,\"deli").unwrap();

        let mut spool = Spool::open(dir.path(), 1 << 20).unwrap();
        let mut got = Vec::new();
        while let Some(e) = spool.front().unwrap() {
            got.push(e.delivery.clone());
            spool.pop_front().unwrap();
        }
        assert_eq!(got, ["a", "b"]);
        assert_eq!(names(dir.path()), ["failed"]);
        assert_eq!(
            names(&dir.path().join("failed")),
            ["00000000000000000004.error", "00000000000000000004.spool"]
        );
        // The sequence continues after the highest number seen, even a removed one.
        assert_eq!(spool.push("e", b"e").unwrap(), 10);
    }

    #[test]
    fn a_file_damaged_while_queued_is_skipped_at_the_head() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::open(dir.path(), 1 << 20).unwrap();
        spool.push("a", b"one").unwrap();
        spool.push("b", b"two").unwrap();
        fs::write(dir.path().join(format!("{:020}.{EXT}", 1)), b"garbage").unwrap();
        assert_eq!(spool.front().unwrap().unwrap().delivery, "b");
        assert_eq!(spool.len(), 1);
    }
}
