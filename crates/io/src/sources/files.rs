//! The files source: one communiqué per file matched by glob patterns.
//!
//! Analysts keep statements as text files in directory trees, and a glob such as
//! `archive/**/*.txt` names them without a manifest. All patterns are resolved and the paths
//! sorted before any file is read, so a run visits files in a reproducible order and reads a file
//! matched by several patterns only once.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use commwatch_core::{Communique, Origin, RejectedInput, Source, SourceError, SourceOutput};
use glob::{GlobError, Pattern};

use super::title_from_text;

/// Reads every regular file matched by a set of glob patterns, one communiqué per file.
///
/// Patterns use the syntax of the `glob` crate: `*`, `?`, `[...]` and `**` for any number of
/// directories. `*` also matches names that start with a dot. Relative patterns are resolved
/// against the base directory. Directories and other non-regular files that a pattern matches
/// are skipped; a file that cannot be read is rejected and the source carries on.
///
/// Each communiqué has the content hash as its id, the source name and a `file://` URI of the
/// absolute path as its origin, the first non-blank line as its title when that line is short,
/// and the path as matched in metadata `path`. Bytes that are not UTF-8 are replaced with U+FFFD.
#[derive(Clone, Debug)]
pub struct FilesSource {
    name: String,
    patterns: Vec<String>,
    base_dir: PathBuf,
}

/// The outcome of resolving every pattern.
struct Resolved {
    /// Candidate files, sorted and without duplicates.
    paths: Vec<PathBuf>,
    /// Directories that could not be listed while matching.
    unlisted: Vec<GlobError>,
}

impl FilesSource {
    /// A source named `name` that reads the files matched by `patterns`, relative patterns being
    /// resolved against `base_dir` (usually the directory of the pipeline file).
    pub fn new(name: String, patterns: Vec<String>, base_dir: PathBuf) -> FilesSource {
        FilesSource {
            name,
            patterns,
            base_dir,
        }
    }

    /// The files the source would read now, in the order it would read them. Lets
    /// `commwatch validate` warn about patterns that match nothing.
    ///
    /// Fails with [`SourceError::Other`] naming the first syntactically invalid pattern.
    pub fn matching_paths(&self) -> Result<Vec<PathBuf>, SourceError> {
        let resolved = self.resolve()?;
        for err in &resolved.unlisted {
            tracing::warn!(source = %self.name, "{err}");
        }
        Ok(resolved.paths)
    }

    fn resolve(&self) -> Result<Resolved, SourceError> {
        let full_patterns = self
            .patterns
            .iter()
            .map(|p| self.full_pattern(p))
            .collect::<Result<Vec<_>, _>>()?;
        let mut paths = BTreeSet::new();
        let mut unlisted = Vec::new();
        for (pattern, full) in self.patterns.iter().zip(&full_patterns) {
            let matches = glob::glob(full).map_err(|err| {
                SourceError::Other(format!(
                    "source {:?}: invalid glob pattern {pattern:?}: {err}",
                    self.name
                ))
            })?;
            for m in matches {
                match m {
                    Ok(path) if is_candidate(&path) => {
                        paths.insert(path);
                    }
                    Ok(path) => {
                        tracing::debug!(path = %path.display(), "skipping, not a regular file");
                    }
                    Err(err) => unlisted.push(err),
                }
            }
        }
        Ok(Resolved {
            paths: paths.into_iter().collect(),
            unlisted,
        })
    }

    /// The pattern as given when absolute, else joined to the base directory. The base directory
    /// is escaped, so characters such as `[` in its name are taken literally.
    fn full_pattern(&self, pattern: &str) -> Result<String, SourceError> {
        if Path::new(pattern).is_absolute() {
            return Ok(pattern.to_owned());
        }
        let base = self.base_dir.to_str().ok_or_else(|| {
            SourceError::Other(format!(
                "source {:?}: base directory {} is not valid UTF-8, so pattern {pattern:?} \
                 cannot be resolved against it",
                self.name,
                self.base_dir.display()
            ))
        })?;
        let joined = Path::new(&Pattern::escape(base)).join(pattern);
        // Both halves are UTF-8, so the join is too.
        Ok(joined.to_string_lossy().into_owned())
    }

    fn communique(&self, path: &Path, bytes: Vec<u8>) -> Communique {
        let raw = String::from_utf8(bytes)
            .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned());
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let origin = Origin {
            name: self.name.clone(),
            uri: Some(format!("file://{}", absolute.display())),
        };
        let title = title_from_text(&raw);
        let mut event = Communique::new(None, origin, raw);
        event.title = title;
        event
            .metadata
            .insert("path".to_owned(), path.display().to_string());
        event
    }
}

/// Whether a matched path should be read: regular files, and paths whose type cannot be
/// determined (a dangling symlink), which are then rejected with the reason when read.
fn is_candidate(path: &Path) -> bool {
    fs::metadata(path).map_or(true, |m| m.is_file())
}

impl Source for FilesSource {
    fn run(&mut self, out: &mut dyn SourceOutput) -> Result<(), SourceError> {
        let resolved = self.resolve()?;
        tracing::debug!(source = %self.name, files = resolved.paths.len(), "patterns resolved");
        for err in resolved.unlisted {
            out.reject(RejectedInput {
                location: err.path().display().to_string(),
                reason: format!("cannot list directory: {}", err.error()),
                input: String::new(),
            });
        }
        for path in resolved.paths {
            if out.should_stop() {
                return Ok(());
            }
            match fs::read(&path) {
                Ok(bytes) => {
                    if !out.emit(self.communique(&path, bytes)) {
                        return Ok(());
                    }
                }
                Err(err) => out.reject(RejectedInput {
                    location: path.display().to_string(),
                    reason: format!("cannot read file: {err}"),
                    input: String::new(),
                }),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::FakeOutput;
    use std::sync::atomic::Ordering;

    fn write(dir: &Path, rel: &str, text: &[u8]) {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn source(base: &Path, patterns: &[&str]) -> FilesSource {
        FilesSource::new(
            "archive".into(),
            patterns.iter().map(|p| p.to_string()).collect(),
            base.to_path_buf(),
        )
    }

    fn rel_paths(base: &Path, out: &FakeOutput) -> Vec<String> {
        out.events
            .iter()
            .map(|e| {
                Path::new(&e.metadata["path"])
                    .strip_prefix(base)
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn double_star_sorted_and_each_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        write(base, "b/2.txt", b"Second\nbody");
        write(base, "a/1.txt", b"\n  First title  \nbody");
        write(base, "a/deep/3.txt", b"third");
        write(base, "top.txt", b"top");
        write(base, "c.md", b"not matched");
        let mut src = source(base, &["**/*.txt", "a/*.txt"]);
        let mut out = FakeOutput::default();
        src.run(&mut out).unwrap();

        assert_eq!(
            rel_paths(base, &out),
            ["a/1.txt", "a/deep/3.txt", "b/2.txt", "top.txt"]
        );
        assert!(out.rejects.is_empty());
        assert_eq!(src.matching_paths().unwrap().len(), 4);

        let first = &out.events[0];
        assert_eq!(first.raw, "\n  First title  \nbody");
        assert_eq!(first.id, commwatch_core::content_id(&first.raw));
        assert_eq!(first.title.as_deref(), Some("First title"));
        assert_eq!(first.origin.name, "archive");
        let abs = std::path::absolute(base.join("a/1.txt")).unwrap();
        assert_eq!(
            first.origin.uri.as_deref(),
            Some(format!("file://{}", abs.display()).as_str())
        );
    }

    #[test]
    fn base_dir_is_literal_and_absolute_patterns_ignore_it() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("we[ir]d *dir");
        write(&base, "x.txt", b"x");
        write(dir.path(), "other/y.txt", b"y");
        let abs = format!("{}/other/*.txt", dir.path().display());
        let paths = source(&base, &["*.txt", &abs]).matching_paths().unwrap();
        assert_eq!(paths.len(), 2, "{paths:?}");
        assert!(paths.contains(&base.join("x.txt")));
        assert!(paths.contains(&dir.path().join("other/y.txt")));
    }

    #[test]
    fn directories_are_skipped_and_invalid_utf8_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "d.txt/inner", b"inner");
        write(dir.path(), "bad.txt", b"caf\xe9");
        let mut out = FakeOutput::default();
        source(dir.path(), &["*.txt"]).run(&mut out).unwrap();
        assert_eq!(out.events.len(), 1);
        assert_eq!(out.events[0].raw, "caf\u{fffd}");
        assert!(out.rejects.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_file_is_rejected_and_the_rest_still_read() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"a");
        write(dir.path(), "c.txt", b"c");
        let dangling = dir.path().join("b.txt");
        std::os::unix::fs::symlink(dir.path().join("missing"), &dangling).unwrap();
        let mut out = FakeOutput::default();
        source(dir.path(), &["*.txt"]).run(&mut out).unwrap();
        assert_eq!(rel_paths(dir.path(), &out), ["a.txt", "c.txt"]);
        assert_eq!(out.rejects.len(), 1);
        assert_eq!(out.rejects[0].location, dangling.display().to_string());
        assert!(out.rejects[0].reason.starts_with("cannot read file"));
        assert_eq!(out.rejects[0].input, "");
    }

    #[test]
    fn invalid_pattern_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = source(dir.path(), &["*.txt", "a/[b"])
            .matching_paths()
            .unwrap_err();
        assert!(
            matches!(&err, SourceError::Other(m) if m.contains("\"a/[b\"")),
            "{err}"
        );
        let mut out = FakeOutput::default();
        assert!(source(dir.path(), &["a/[b"]).run(&mut out).is_err());
    }

    #[test]
    fn stops_when_asked_or_when_emit_refuses() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["1.txt", "2.txt", "3.txt"] {
            write(dir.path(), name, name.as_bytes());
        }
        let mut out = FakeOutput {
            accept_limit: Some(2),
            ..FakeOutput::default()
        };
        source(dir.path(), &["*.txt"]).run(&mut out).unwrap();
        assert_eq!(out.events.len(), 2);

        let mut out = FakeOutput::default();
        out.stop.store(true, Ordering::SeqCst);
        source(dir.path(), &["*.txt"]).run(&mut out).unwrap();
        assert!(out.events.is_empty());
    }
}
