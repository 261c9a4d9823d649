//! Watching folders: the files source keeps running and reads new and changed files.
//!
//! Scrapers and analysts drop communiqués into shared folders all day; re-running the pipeline
//! for each would re-read everything. A watching [`FilesSource`] asks the operating system to
//! report changes (`notify`'s recommended watcher: inotify, FSEvents, ReadDirectoryChangesW) in
//! the directories its patterns can match in, and reads a matching file once it is complete.
//!
//! "Complete" cannot be known from outside, so a file is read only after its size and
//! modification time have stayed the same for the settle time: a download or a copy still in
//! progress keeps changing both. Files named like work in progress (`*.part`, `*.tmp`, editor
//! swap and lock files) are ignored altogether. A file changed after it was read is read again,
//! and emitted again only if its content changed, which a bounded map of content hashes decides.
//!
//! Change notifications arrive on the watcher's thread and are handed over through a bounded
//! queue without ever blocking it. When the queue is full, or the operating system says events
//! were lost, the source rescans every pattern instead: a rescan costs a `stat` per file, since a
//! file whose size and modification time are those it had when read is not read again.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use commwatch_core::{SourceError, SourceOutput};
use crossbeam_channel::RecvTimeoutError;
use glob::Pattern;
use notify::{EventKind, RecursiveMode, Watcher};

use super::files::{FilesSource, Reader, Stamp, Target, is_candidate, reject_unlisted, stamp};

/// How long the source waits for a change before checking whether it should stop and whether
/// pending files have settled.
const TICK: Duration = Duration::from_millis(100);

/// Change notifications queued between the watcher's thread and the source.
const QUEUE: usize = 4096;

/// What the watcher's thread reports.
enum Change {
    /// These paths were created or modified.
    Paths(Vec<PathBuf>),
    /// Events were lost: everything must be looked at again.
    Rescan,
    /// The watcher failed (for example, a directory could not be watched).
    Failed(String),
}

/// A file seen changing, not read yet.
struct Pending {
    /// Size and modification time at the last look.
    stamp: Option<Stamp>,
    /// When they were first seen with these values.
    since: Instant,
}

/// Runs a watching files source: watch, first pass, then react to changes until asked to stop.
pub(super) fn run(
    source: &FilesSource,
    targets: &[Target],
    settle: Duration,
    out: &mut dyn SourceOutput,
) -> Result<(), SourceError> {
    let (tx, rx) = crossbeam_channel::bounded(QUEUE);
    let overflow = Arc::new(AtomicBool::new(false));
    let overflowed = Arc::clone(&overflow);
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let change = match res {
            Ok(event) if event.need_rescan() => Change::Rescan,
            Ok(event) if matches!(event.kind, EventKind::Access(_) | EventKind::Remove(_)) => {
                return;
            }
            Ok(event) => Change::Paths(event.paths),
            Err(err) => Change::Failed(err.to_string()),
        };
        // Never block the watcher's thread: a full queue means "rescan" instead.
        if tx.try_send(change).is_err() {
            overflowed.store(true, Ordering::SeqCst);
        }
    })
    .map_err(|err| {
        SourceError::Other(format!(
            "source {:?}: cannot start watching: {err}",
            source.name()
        ))
    })?;
    for (dir, recursive) in roots(targets) {
        let mode = if recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        watcher.watch(&dir, mode).map_err(|err| {
            SourceError::Other(format!(
                "source {:?}: cannot watch directory {}: {err}",
                source.name(),
                dir.display()
            ))
        })?;
        tracing::debug!(source = %source.name(), dir = %dir.display(), recursive, "watching");
    }

    let mut state = State {
        source,
        targets,
        settle,
        reader: Reader::new(source),
        pending: HashMap::new(),
    };
    // The first pass starts once the watch is set, so a file written meanwhile is not missed.
    let resolved = source.scan(targets)?;
    reject_unlisted(resolved.unlisted, out);
    for path in resolved.paths {
        if out.should_stop() {
            return Ok(());
        }
        if recently_modified(&path, settle) {
            state.note_file(path);
        } else if !state.reader.read(&path, out) {
            return Ok(());
        }
    }
    out.flush();

    while !out.should_stop() {
        match rx.recv_timeout(TICK) {
            Ok(change) => state.apply(change, out),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(SourceError::Other(format!(
                    "source {:?}: the file watcher stopped",
                    source.name()
                )));
            }
        }
        for change in rx.try_iter().take(QUEUE) {
            state.apply(change, out);
        }
        if overflow.swap(false, Ordering::SeqCst) {
            state.rescan(out);
        }
        if !state.read_settled(out) {
            break;
        }
        // About to wait for more changes: hand over what was read.
        out.flush();
    }
    Ok(())
}

/// What a watching source tracks between changes.
struct State<'a> {
    source: &'a FilesSource,
    targets: &'a [Target],
    settle: Duration,
    reader: Reader<'a>,
    pending: HashMap<PathBuf, Pending>,
}

impl State<'_> {
    fn apply(&mut self, change: Change, out: &mut dyn SourceOutput) {
        match change {
            Change::Paths(paths) => {
                for path in paths {
                    self.note(path);
                }
            }
            Change::Rescan => {
                tracing::info!(source = %self.source.name(), "file events were lost; rescanning");
                self.rescan(out);
            }
            Change::Failed(err) => {
                tracing::warn!(source = %self.source.name(), "file watcher: {err}");
            }
        }
    }

    /// A path reported changed: a matching file becomes pending; a new directory is scanned,
    /// since files may have been written in it before it was watched.
    fn note(&mut self, path: PathBuf) {
        let Ok(meta) = fs::metadata(&path) else {
            return; // gone again
        };
        if meta.is_dir() {
            self.note_directory(&path);
        } else if self.targets.iter().any(|t| t.admits(&path, true)) {
            self.note_file(path);
        }
    }

    fn note_directory(&mut self, dir: &Path) {
        let Some(dir_str) = dir.to_str() else {
            return;
        };
        let pattern = Path::new(&Pattern::escape(dir_str)).join("**/*");
        let Ok(entries) = glob::glob(&pattern.to_string_lossy()) else {
            return;
        };
        for path in entries.flatten() {
            if is_candidate(&path) && self.targets.iter().any(|t| t.admits(&path, true)) {
                self.note_file(path);
            }
        }
    }

    fn note_file(&mut self, path: PathBuf) {
        self.pending.entry(path).or_insert_with(|| Pending {
            stamp: None,
            since: Instant::now(),
        });
    }

    /// Rescans every pattern; every match becomes pending, and those unchanged since they were
    /// read are skipped when they settle.
    fn rescan(&mut self, out: &mut dyn SourceOutput) {
        match self.source.scan(self.targets) {
            Ok(resolved) => {
                reject_unlisted(resolved.unlisted, out);
                for path in resolved.paths {
                    self.note_file(path);
                }
            }
            Err(err) => tracing::warn!(source = %self.source.name(), "rescan failed: {err}"),
        }
    }

    /// Reads the pending files whose size and modification time have not changed for the
    /// settle time, in path order. Returns `false` when the pipeline asked the source to stop.
    fn read_settled(&mut self, out: &mut dyn SourceOutput) -> bool {
        let now = Instant::now();
        let settle = self.settle;
        let mut ready = BTreeMap::new();
        self.pending.retain(|path, pending| {
            let Ok(meta) = fs::metadata(path) else {
                return false; // deleted or renamed away
            };
            if !meta.is_file() {
                return false;
            }
            let current = stamp(&meta);
            if pending.stamp != Some(current) {
                pending.stamp = Some(current);
                pending.since = now;
                return true;
            }
            if now.duration_since(pending.since) < settle {
                return true;
            }
            ready.insert(path.clone(), current);
            false
        });
        for (path, current) in ready {
            if out.should_stop() {
                return false;
            }
            let read_as_is = self
                .reader
                .seen
                .as_ref()
                .and_then(|seen| seen.get(&path))
                .is_some_and(|seen| seen.stamp == current);
            if read_as_is {
                continue;
            }
            if !self.reader.read(&path, out) {
                return false;
            }
        }
        true
    }
}

/// Whether a file was modified less than `settle` ago (or has a modification time in the
/// future), so it may still be being written.
fn recently_modified(path: &Path, settle: Duration) -> bool {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|at| SystemTime::now().duration_since(at).ok())
        .is_none_or(|age| age < settle)
}

/// The directories to watch: one per distinct directory, recursive when any pattern in it
/// recurses, leaving out those inside a directory watched recursively.
fn roots(targets: &[Target]) -> Vec<(PathBuf, bool)> {
    let mut dirs: BTreeMap<PathBuf, bool> = BTreeMap::new();
    for target in targets {
        *dirs.entry(target.dir.clone()).or_default() |= target.recursive;
    }
    let recursive: Vec<PathBuf> = dirs
        .iter()
        .filter(|(_, recursive)| **recursive)
        .map(|(dir, _)| dir.clone())
        .collect();
    dirs.into_iter()
        .filter(|(dir, _)| !recursive.iter().any(|r| r != dir && dir.starts_with(r)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::FakeOutput;
    use commwatch_core::Source;
    use std::thread;

    fn sleep_ms(ms: u64) {
        thread::sleep(Duration::from_millis(ms));
    }

    #[test]
    fn reads_new_and_changed_files_once_they_settle() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().to_path_buf();
        fs::write(base.join("old.txt"), "Old statement").unwrap();
        // Old enough to be read in the first pass, without waiting for it to settle.
        fs::File::options()
            .write(true)
            .open(base.join("old.txt"))
            .unwrap()
            .set_modified(SystemTime::now() - Duration::from_secs(3600))
            .unwrap();
        let mut source = FilesSource::new("w".into(), vec!["**/*.txt".into()], base.clone())
            .watch(Duration::from_millis(500));
        let mut out = FakeOutput::default();
        let stop = Arc::clone(&out.stop);
        let runner = thread::spawn(move || {
            source.run(&mut out).unwrap();
            out
        });
        sleep_ms(500);
        // Written in two steps: the half-written file is never read.
        fs::write(base.join("new.txt"), "First half").unwrap();
        sleep_ms(100);
        fs::write(base.join("new.txt"), "First half, second half").unwrap();
        // Ignored: temporary and hidden files.
        fs::write(base.join("draft.txt.tmp"), "tmp").unwrap();
        fs::write(base.join(".hidden.txt"), "hidden").unwrap();
        // A new directory with a file already in it.
        fs::create_dir(base.join("sub")).unwrap();
        fs::write(base.join("sub/inner.txt"), "Inner").unwrap();
        sleep_ms(2000);
        // Rewritten with the same content: not emitted again. Changed: emitted again.
        fs::write(base.join("old.txt"), "Old statement").unwrap();
        fs::write(base.join("sub/inner.txt"), "Inner, revised").unwrap();
        sleep_ms(2000);
        let started = Instant::now();
        stop.store(true, Ordering::SeqCst);
        let out = runner.join().unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "stopped promptly"
        );

        let mut raws: Vec<&str> = out.events.iter().map(|e| e.raw.as_str()).collect();
        assert_eq!(raws.first(), Some(&"Old statement"), "first pass first");
        raws.sort_unstable();
        assert_eq!(
            raws,
            [
                "First half, second half",
                "Inner",
                "Inner, revised",
                "Old statement",
            ]
        );
        assert!(out.rejects.is_empty(), "{:?}", out.rejects);
    }

    #[test]
    fn a_missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut source = FilesSource::new(
            "w".into(),
            vec!["nope/*.txt".into()],
            dir.path().to_path_buf(),
        )
        .watch(Duration::from_millis(10));
        let err = source.run(&mut FakeOutput::default()).unwrap_err();
        assert!(err.to_string().contains("cannot watch directory"), "{err}");
    }

    #[test]
    fn roots_merge_and_nest() {
        let base = Path::new("/b");
        let targets: Vec<Target> = ["a/*.txt", "a/**/*.html", "a/x/*.txt", "c/*.txt"]
            .iter()
            .map(|p| Target::new(p, base).unwrap())
            .collect();
        assert_eq!(
            roots(&targets),
            [
                (PathBuf::from("/b/a"), true),
                (PathBuf::from("/b/c"), false)
            ]
        );
    }
}
