//! The files source: communiqués from files matched by glob patterns or found below directories.
//!
//! Analysts keep statements as files in directory trees: plain text, pages saved from ministry
//! web sites, feed exports. A glob such as `archive/**/*.txt` or a directory names them without a
//! manifest. All patterns are resolved and the paths sorted before any file is read, so a run
//! visits files in a reproducible order and reads a file matched by several patterns only once.
//!
//! Real folders hold surprises, and none of them may stop a run or go unnoticed: a PDF matched by
//! a loose pattern, a 2 GB log file, a page in Windows-1252. Each file is checked before it is
//! used (its size from its metadata, then a capped read; its first bytes for binary content) and
//! a file that cannot be used is rejected to the dead-letter output with the reason, while the
//! run goes on. Hidden files and directories are skipped unless a pattern names them, so a
//! `.git` folder or an editor's `.#draft` never becomes a communiqué.
//!
//! With watching enabled the source keeps running after the first pass and reads new and
//! changed files as they appear (see the `watch` module).

use std::collections::{BTreeSet, HashMap};
use std::fs::{self, File};
use std::hash::{DefaultHasher, Hasher};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use commwatch_core::{
    Communique, Origin, Position, RejectedInput, Source, SourceError, SourceOutput,
};
use glob::{GlobError, MatchOptions, Pattern};

use super::bounded::BoundedMap;
use super::decode::{DecodeHints, Decoded, Markup, TextEncoding, decode, find_ignore_case};
use super::feed::parse_feed;
use super::html::extract_document;
use super::{DEFAULT_MAX_BYTES, title_from_text};

/// How long a watched file must keep the same size and modification time before it is read:
/// 500 ms.
pub const DEFAULT_SETTLE: Duration = Duration::from_millis(500);

/// How many files a watching source remembers (path and content hash), so that a file read in
/// this run is not emitted again unless its content changed.
const SEEN_FILES: usize = 100_000;

/// How many feed entry ids the source remembers, so that an entry is emitted once per run even
/// when its feed file is rewritten with new entries.
const SEEN_ENTRIES: usize = 10_000;

/// How much of a file is looked at to decide whether it is HTML or a feed.
const SNIFF_PREFIX: usize = 1024;

/// Options for scanning: `*` may match a leading dot here (the glob crate would otherwise panic
/// on file names that are not UTF-8); hidden paths are filtered afterwards by [`VISIBLE`].
const SCAN: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// Options for deciding whether a path belongs to a pattern: wildcards match neither `/` nor a
/// leading `.`, so hidden files and directories match only when the pattern names them.
const VISIBLE: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: true,
};

/// What the files read by a [`FilesSource`] contain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FileFormat {
    /// Decide per file: `.html`, `.htm`, `.xhtml` are HTML; `.xml`, `.rss`, `.atom` are feeds;
    /// any other file is HTML when it starts with `<!DOCTYPE html` or `<html`, a feed when it
    /// starts with `<rss` or `<feed` (possibly after an XML declaration), else plain text.
    #[default]
    Auto,
    /// Plain text: one communiqué per file, the text as it is.
    Text,
    /// A web page: one communiqué per file, its article text (see [`extract_document`]).
    Html,
    /// An RSS, Atom or JSON feed: one communiqué per entry.
    Feed,
}

/// The format of one file, once decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Html,
    Feed,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Html => "html",
            Kind::Feed => "feed",
        }
    }

    fn markup(self) -> Markup {
        match self {
            Kind::Text => Markup::Plain,
            Kind::Html => Markup::Html,
            Kind::Feed => Markup::Xml,
        }
    }
}

/// Reads the files matched by a set of patterns: one communiqué per text or HTML file, one per
/// entry of a feed file.
///
/// Each pattern is a glob in the syntax of the `glob` crate (`*`, `?`, `[...]`, and `**` for any
/// number of directories) or a path. A path naming a directory means every file below it, at any
/// depth. Wildcards do not match names starting with a dot, and the files below a directory do
/// not include hidden ones: a hidden file or directory is read only when the pattern spells out
/// its name (`.drafts/*.txt`). Relative patterns are resolved against the base directory.
/// Directories and other non-regular files that a pattern matches are skipped.
///
/// Every file is decoded with [`decode`] (the configured [`TextEncoding`], `auto` by default) and
/// read in its [`FileFormat`]. A file that cannot be read, is larger than the byte limit
/// (16 MiB unless set with [`with_max_bytes`](Self::with_max_bytes)), looks binary, is an HTML
/// page without text or a feed that does not parse is rejected with the reason, and the source
/// carries on.
///
/// A text or HTML communiqué has the content hash of its text as id, the source name and a
/// `file://` URI of the absolute path as origin, and metadata `path` (the absolute path),
/// `format`, `encoding` and, when bytes were replaced, `decode_replacements`. A text file's title
/// is its first non-blank line when that line is short. An HTML communiqué's raw text is the
/// extracted article; its title and publication date come from the page, and its canonical URL
/// is metadata `url`. Feed entries are described in the `feed` module; an entry whose id was
/// already emitted in this run is skipped.
///
/// With [`watch`](Self::watch) the source keeps running after the first pass, reading new and
/// changed files until asked to stop.
#[derive(Clone, Debug)]
pub struct FilesSource {
    name: String,
    patterns: Vec<String>,
    base_dir: PathBuf,
    format: FileFormat,
    encoding: TextEncoding,
    max_bytes: usize,
    settle: Option<Duration>,
    /// What an earlier run finished, by file (absolute path): its identity when read and how
    /// many of its communiqués were done (see [`FileDone`]).
    done: HashMap<String, FileDone>,
}

/// A file's checkpoint: `<identity>#<communiqués done>/<communiqués in the file>`, the identity
/// being the device, inode, size and modification time, so an edited or replaced file is read
/// again.
#[derive(Clone, Debug, PartialEq, Eq)]
struct FileDone {
    identity: String,
    emitted: usize,
    total: usize,
}

impl FileDone {
    fn parse(value: &str) -> Option<FileDone> {
        let (identity, counts) = value.rsplit_once('#')?;
        let (emitted, total) = counts.split_once('/')?;
        Some(FileDone {
            identity: identity.to_owned(),
            emitted: emitted.parse().ok()?,
            total: total.parse().ok()?,
        })
    }

    fn position(path: &str, identity: &str, emitted: usize, total: usize) -> Position {
        Position {
            key: path.to_owned(),
            value: format!("{identity}#{emitted}/{total}"),
        }
    }
}

/// What identifies a file's content across runs without reading it: device, inode, size and
/// modification time.
fn identity(meta: &fs::Metadata) -> String {
    use std::os::unix::fs::MetadataExt;
    format!(
        "{}:{}:{}:{}.{}",
        meta.dev(),
        meta.ino(),
        meta.len(),
        meta.mtime(),
        meta.mtime_nsec()
    )
}

/// A directory a watching [`FilesSource`] watches for one of its patterns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchRoot {
    /// The pattern as configured.
    pub pattern: String,
    /// The deepest directory of the pattern without wildcards.
    pub dir: PathBuf,
    /// Whether files in subdirectories can match (the pattern has `**`, a wildcard directory,
    /// or names a directory).
    pub recursive: bool,
}

/// One pattern, resolved against the base directory.
#[derive(Debug)]
pub(super) struct Target {
    /// The pattern as configured.
    given: String,
    /// The absolute glob that lists its files.
    glob: String,
    /// `glob`, compiled, to test paths reported by the watcher.
    matcher: Pattern,
    /// The deepest directory without wildcards.
    pub(super) dir: PathBuf,
    /// Whether matches can be below subdirectories of `dir`.
    pub(super) recursive: bool,
}

impl Target {
    /// Resolves the pattern `given` against the absolute directory `base`.
    pub(super) fn new(given: &str, base: &Path) -> Result<Target, String> {
        let pattern = Path::new(given);
        let mut dir = if pattern.is_absolute() {
            PathBuf::new()
        } else {
            base.to_path_buf()
        };
        let mut rest: Vec<String> = Vec::new();
        for component in pattern.components() {
            if component == Component::CurDir {
                continue;
            }
            let part = component.as_os_str().to_string_lossy();
            if rest.is_empty() && !part.contains(['*', '?', '[']) {
                dir.push(component);
            } else {
                rest.push(part.into_owned());
            }
        }
        let literal_dir = dir.to_str().ok_or_else(|| {
            format!(
                "directory {} is not valid UTF-8, so pattern {given:?} cannot be resolved",
                dir.display()
            )
        })?;
        let escaped = Pattern::escape(literal_dir);
        let (glob, dir, recursive) = if !rest.is_empty() {
            let recursive = rest.len() > 1 || rest.iter().any(|r| r.contains("**"));
            let glob = Path::new(&escaped).join(rest.join("/"));
            (glob.to_string_lossy().into_owned(), dir, recursive)
        } else if dir.is_dir() {
            let glob = Path::new(&escaped).join("**/*");
            (glob.to_string_lossy().into_owned(), dir, true)
        } else {
            let parent = dir.parent().map_or_else(|| dir.clone(), Path::to_path_buf);
            (escaped, parent, false)
        };
        let matcher =
            Pattern::new(&glob).map_err(|err| format!("invalid glob pattern {given:?}: {err}"))?;
        Ok(Target {
            given: given.to_owned(),
            glob,
            matcher,
            dir,
            recursive,
        })
    }

    /// Whether `path` belongs to this pattern: it matches without wildcards matching hidden
    /// names, and (when watching) is not an editor's or downloader's temporary file. Paths that
    /// are not UTF-8 cannot be tested and are admitted.
    pub(super) fn admits(&self, path: &Path, watching: bool) -> bool {
        if watching && is_temporary(path) {
            return false;
        }
        path.to_str()
            .is_none_or(|p| self.matcher.matches_with(p, VISIBLE))
    }
}

/// Whether a file name is an editor's or downloader's work in progress: `*.tmp`, `*.part`,
/// `*.swp`, `*~`, `.#*`.
pub(super) fn is_temporary(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".tmp")
        || lower.ends_with(".part")
        || lower.ends_with(".swp")
        || lower.ends_with('~')
        || lower.starts_with(".#")
}

/// The outcome of resolving every pattern.
pub(super) struct Resolved {
    /// Candidate files, sorted and without duplicates.
    pub(super) paths: Vec<PathBuf>,
    /// Directories that could not be listed while matching.
    pub(super) unlisted: Vec<GlobError>,
}

impl FilesSource {
    /// A source named `name` that reads the files matched by `patterns`, relative patterns being
    /// resolved against `base_dir` (usually the directory of the pipeline file). The format is
    /// [`FileFormat::Auto`], the encoding [`TextEncoding::Auto`], the limit 16 MiB, and the
    /// source reads each file once and returns.
    pub fn new(name: String, patterns: Vec<String>, base_dir: PathBuf) -> FilesSource {
        FilesSource {
            name,
            patterns,
            base_dir,
            format: FileFormat::Auto,
            encoding: TextEncoding::Auto,
            max_bytes: DEFAULT_MAX_BYTES,
            settle: None,
            done: HashMap::new(),
        }
    }

    /// Reads every file in `format`.
    pub fn with_format(mut self, format: FileFormat) -> FilesSource {
        self.format = format;
        self
    }

    /// Decodes every file with `encoding`.
    pub fn with_encoding(mut self, encoding: TextEncoding) -> FilesSource {
        self.encoding = encoding;
        self
    }

    /// Rejects files larger than `max_bytes` bytes without reading them whole.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> FilesSource {
        self.max_bytes = max_bytes;
        self
    }

    /// Keeps running after the first pass: new and changed files that match are read once their
    /// size and modification time have not changed for `settle` (so a file still being written
    /// is not read half-way), until the pipeline stops. Files whose names mark them as temporary
    /// (`*.tmp`, `*.part`, `*.swp`, `*~`, `.#*`) are ignored. A file read in this run is read
    /// again when it changes, and emitted again only if its content changed.
    pub fn watch(mut self, settle: Duration) -> FilesSource {
        self.settle = Some(settle);
        self
    }

    /// The files the source would read now, in the order it would read them. Lets
    /// `commwatch validate` warn about patterns that match nothing.
    ///
    /// Fails with [`SourceError::Other`] naming the first syntactically invalid pattern.
    pub fn matching_paths(&self) -> Result<Vec<PathBuf>, SourceError> {
        let resolved = self.scan(&self.targets()?)?;
        for err in &resolved.unlisted {
            tracing::warn!(source = %self.name, "{err}");
        }
        Ok(resolved.paths)
    }

    /// The directory each pattern is watched in, which must exist for watching to start.
    ///
    /// Fails with [`SourceError::Other`] naming the first syntactically invalid pattern.
    pub fn watch_roots(&self) -> Result<Vec<WatchRoot>, SourceError> {
        Ok(self
            .targets()?
            .into_iter()
            .map(|t| WatchRoot {
                pattern: t.given,
                dir: t.dir,
                recursive: t.recursive,
            })
            .collect())
    }

    pub(super) fn name(&self) -> &str {
        &self.name
    }

    fn targets(&self) -> Result<Vec<Target>, SourceError> {
        let base = std::path::absolute(&self.base_dir).unwrap_or_else(|_| self.base_dir.clone());
        self.patterns
            .iter()
            .map(|p| Target::new(p, &base))
            .collect::<Result<_, _>>()
            .map_err(|err| SourceError::Other(format!("source {:?}: {err}", self.name)))
    }

    /// Every file the targets match now.
    pub(super) fn scan(&self, targets: &[Target]) -> Result<Resolved, SourceError> {
        let mut paths = BTreeSet::new();
        let mut unlisted = Vec::new();
        let watching = self.settle.is_some();
        for target in targets {
            let matches = glob::glob_with(&target.glob, SCAN).map_err(|err| {
                SourceError::Other(format!(
                    "source {:?}: invalid glob pattern {:?}: {err}",
                    self.name, target.given
                ))
            })?;
            for m in matches {
                match m {
                    Ok(path) if target.admits(&path, watching) && is_candidate(&path) => {
                        paths.insert(path);
                    }
                    Ok(path) => {
                        tracing::trace!(path = %path.display(), "skipped");
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
}

/// Whether a matched path should be read: regular files, and paths whose type cannot be
/// determined (a dangling symlink), which are then rejected with the reason when read.
pub(super) fn is_candidate(path: &Path) -> bool {
    fs::metadata(path).map_or(true, |m| m.is_file())
}

/// A file's size and modification time: when both are unchanged, so is the file (as far as a
/// watcher can tell without reading it).
pub(super) type Stamp = (u64, Option<SystemTime>);

/// The size and modification time of a file's metadata.
pub(super) fn stamp(meta: &fs::Metadata) -> Stamp {
    (meta.len(), meta.modified().ok())
}

/// What a watching source remembers about a file it read.
#[derive(Clone, Copy, Debug)]
pub(super) struct Seen {
    /// Size and modification time when read.
    pub(super) stamp: Stamp,
    /// Hash of the content, when it could be read.
    hash: Option<u64>,
}

/// Reads files and emits what they contain. Holds what the source remembers across files.
pub(super) struct Reader<'a> {
    source: &'a FilesSource,
    /// Files read in this run, when watching.
    pub(super) seen: Option<BoundedMap<PathBuf, Seen>>,
    /// Feed entry ids emitted in this run.
    entries: BoundedMap<String, ()>,
}

/// The file being emitted: its checkpoint key and identity, and how many of its communiqués an
/// earlier run finished.
struct ReadFile {
    key: String,
    identity: String,
    already: usize,
}

/// A file's content, read within the byte limit.
struct Loaded {
    bytes: Vec<u8>,
    stamp: Stamp,
    identity: String,
}

impl<'a> Reader<'a> {
    pub(super) fn new(source: &'a FilesSource) -> Reader<'a> {
        Reader {
            source,
            seen: source.settle.map(|_| BoundedMap::new(SEEN_FILES)),
            entries: BoundedMap::new(SEEN_ENTRIES),
        }
    }

    /// Rejects what could not be listed, then reads every resolved file in order. Returns
    /// `false` when the pipeline asked the source to stop.
    pub(super) fn read_all(&mut self, resolved: Resolved, out: &mut dyn SourceOutput) -> bool {
        reject_unlisted(resolved.unlisted, out);
        for path in resolved.paths {
            if out.should_stop() || !self.read(&path, out) {
                return false;
            }
        }
        true
    }

    /// Reads one file and emits its communiqués, or rejects it. Returns `false` when the
    /// pipeline asked the source to stop.
    pub(super) fn read(&mut self, path: &Path, out: &mut dyn SourceOutput) -> bool {
        let loaded = match self.load(path) {
            Ok(loaded) => loaded,
            Err(reason) => {
                if let (Some(seen), Ok(meta)) = (&mut self.seen, fs::metadata(path)) {
                    let stamp = stamp(&meta);
                    seen.insert(path.to_path_buf(), Seen { stamp, hash: None });
                }
                out.reject(rejection(path, reason));
                return true;
            }
        };
        if let Some(seen) = &mut self.seen {
            let mut hasher = DefaultHasher::new();
            hasher.write(&loaded.bytes);
            let hash = Some(hasher.finish());
            let unchanged = seen.get(path).is_some_and(|s| s.hash == hash);
            seen.insert(
                path.to_path_buf(),
                Seen {
                    stamp: loaded.stamp,
                    hash,
                },
            );
            if unchanged {
                tracing::debug!(path = %path.display(), "content unchanged, not emitted again");
                return true;
            }
        }
        let key = std::path::absolute(path)
            .unwrap_or_else(|_| path.to_path_buf())
            .display()
            .to_string();
        let already = match self.source.done.get(&key) {
            Some(done) if done.identity == loaded.identity => {
                if done.emitted >= done.total {
                    tracing::debug!(path = %path.display(), "done in an earlier run, not read again");
                    return true;
                }
                done.emitted
            }
            _ => 0,
        };
        let file = ReadFile {
            key,
            identity: loaded.identity,
            already,
        };
        self.emit(path, &file, loaded.bytes, out)
    }

    /// Opens a file and reads it, unless it is over the byte limit. The limit is checked on the
    /// metadata first, and the read is capped in case the file grows meanwhile.
    fn load(&self, path: &Path) -> Result<Loaded, String> {
        let max = self.source.max_bytes;
        let file = File::open(path).map_err(|err| cannot_read(path, &err))?;
        let meta = file.metadata().map_err(|err| cannot_read(path, &err))?;
        if !meta.is_file() {
            return Err(format!("{}: not a regular file; not read", path.display()));
        }
        if meta.len() > max as u64 {
            return Err(over_limit(path, Some(meta.len()), max));
        }
        let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
        file.take(max as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|err| cannot_read(path, &err))?;
        if bytes.len() > max {
            return Err(over_limit(path, None, max));
        }
        Ok(Loaded {
            bytes,
            stamp: stamp(&meta),
            identity: identity(&meta),
        })
    }

    /// Decodes a file and emits its communiqués in its format.
    fn emit(
        &mut self,
        path: &Path,
        file: &ReadFile,
        bytes: Vec<u8>,
        out: &mut dyn SourceOutput,
    ) -> bool {
        let (kind, sniffed) = match self.source.format {
            FileFormat::Text => (Kind::Text, false),
            FileFormat::Html => (Kind::Html, false),
            FileFormat::Feed => (Kind::Feed, false),
            FileFormat::Auto => match kind_by_extension(path) {
                Some(kind) => (kind, false),
                None => (sniff(&bytes), true),
            },
        };
        let hints = DecodeHints::new(self.source.encoding, kind.markup());
        let decoded = match decode(bytes, &hints) {
            Ok(decoded) => decoded,
            Err(err) => {
                out.reject(rejection(path, format!("{}: {err}", path.display())));
                return true;
            }
        };
        // Sniff again once decoded: a UTF-16 page only reads as `<html` now.
        let kind = if sniffed {
            sniff(decoded.text.as_bytes())
        } else {
            kind
        };
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let uri = format!("file://{}", absolute.display());
        match kind {
            Kind::Text | Kind::Html => match self.document(path, kind, uri, decoded) {
                Ok(event) => {
                    out.emit_at(event, FileDone::position(&file.key, &file.identity, 1, 1))
                }
                Err(reason) => {
                    out.reject(rejection(path, reason));
                    true
                }
            },
            Kind::Feed => self.feed(path, file, uri, &decoded, out),
        }
    }

    /// The communiqué of a text or HTML file.
    fn document(
        &self,
        path: &Path,
        kind: Kind,
        uri: String,
        decoded: Decoded,
    ) -> Result<Communique, String> {
        let origin = Origin {
            name: self.source.name.clone(),
            uri: Some(uri),
        };
        let mut metadata = std::collections::BTreeMap::new();
        decoded.annotate(&mut metadata);
        let mut event = if kind == Kind::Html {
            let page = extract_document(&decoded.text);
            if page.text.is_empty() {
                return Err(format!(
                    "{}: no article text found in the HTML page",
                    path.display()
                ));
            }
            let mut event = Communique::new(None, origin, page.text);
            event.title = page.title;
            event.published = page.published;
            if let Some(url) = page.url {
                metadata.insert("url".to_owned(), url);
            }
            event
        } else {
            let title = title_from_text(&decoded.text);
            let mut event = Communique::new(None, origin, decoded.text);
            event.title = title;
            event
        };
        metadata.insert("path".to_owned(), path.display().to_string());
        metadata.insert("format".to_owned(), kind.name().to_owned());
        event.metadata.append(&mut metadata);
        Ok(event)
    }

    /// Emits the entries of a feed file not emitted before in this run; rejects the file when it
    /// does not parse, and entries without text.
    fn feed(
        &mut self,
        path: &Path,
        file: &ReadFile,
        uri: String,
        decoded: &Decoded,
        out: &mut dyn SourceOutput,
    ) -> bool {
        let entries = match parse_feed(&decoded.text, &self.source.name, Some(&uri)) {
            Ok(entries) => entries,
            Err(err) => {
                out.reject(rejection(path, format!("{}: {err}", path.display())));
                return true;
            }
        };
        let total = entries.len();
        for (i, entry) in entries.into_iter().enumerate() {
            if i < file.already {
                continue;
            }
            match entry {
                Ok(mut event) => {
                    if self.entries.contains_key(&event.id) {
                        tracing::debug!(id = %event.id, "feed entry already emitted");
                        continue;
                    }
                    self.entries.insert(event.id.clone(), ());
                    decoded.annotate(&mut event.metadata);
                    event
                        .metadata
                        .insert("path".to_owned(), path.display().to_string());
                    let position = FileDone::position(&file.key, &file.identity, i + 1, total);
                    if !out.emit_at(event, position) {
                        return false;
                    }
                }
                Err(err) => out.reject(RejectedInput {
                    location: format!("{}#{}", path.display(), err.entry),
                    reason: format!("{}: {}: {}", path.display(), err.entry, err.reason),
                    input: String::new(),
                }),
            }
        }
        true
    }
}

fn rejection(path: &Path, reason: String) -> RejectedInput {
    RejectedInput {
        location: path.display().to_string(),
        reason,
        input: String::new(),
    }
}

fn cannot_read(path: &Path, err: &std::io::Error) -> String {
    format!("{}: cannot read file: {err}", path.display())
}

/// Why a file over the byte limit was rejected; `size` is unknown when the file grew past the
/// limit while being read.
fn over_limit(path: &Path, size: Option<u64>, max: usize) -> String {
    let size = match size {
        Some(size) => format!("{size} bytes"),
        None => format!("more than {max} bytes"),
    };
    format!(
        "{}: {size}, over the limit of {max} (max_bytes)",
        path.display()
    )
}

/// Rejects each directory that could not be listed, so its files are not silently missing.
pub(super) fn reject_unlisted(unlisted: Vec<GlobError>, out: &mut dyn SourceOutput) {
    for err in unlisted {
        out.reject(RejectedInput {
            location: err.path().display().to_string(),
            reason: format!(
                "{}: cannot list directory: {}",
                err.path().display(),
                err.error()
            ),
            input: String::new(),
        });
    }
}

/// The format a file's extension implies, if any.
fn kind_by_extension(path: &Path) -> Option<Kind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" | "xhtml" => Some(Kind::Html),
        "xml" | "rss" | "atom" => Some(Kind::Feed),
        _ => None,
    }
}

/// The format the first bytes of a file suggest: HTML, a feed, or plain text.
fn sniff(bytes: &[u8]) -> Kind {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = bytes.trim_ascii_start();
    let head = &head[..head.len().min(SNIFF_PREFIX)];
    let starts = |prefix: &[u8]| {
        head.get(..prefix.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(prefix))
    };
    let contains = |needle: &[u8]| find_ignore_case(head, needle).is_some();
    let feed_root =
        |found: &dyn Fn(&[u8]) -> bool| found(b"<rss") || found(b"<feed") || found(b"<rdf:rdf");
    let declared_xml = starts(b"<?xml");
    if starts(b"<!doctype html") || starts(b"<html") {
        Kind::Html
    } else if feed_root(&starts) || (declared_xml && feed_root(&contains)) {
        Kind::Feed
    } else if declared_xml && contains(b"<html") {
        Kind::Html
    } else {
        Kind::Text
    }
}

impl Source for FilesSource {
    fn resume(&mut self, checkpoint: &[Position]) {
        self.done = checkpoint
            .iter()
            .filter_map(|p| Some((p.key.clone(), FileDone::parse(&p.value)?)))
            .collect();
    }

    fn run(&mut self, out: &mut dyn SourceOutput) -> Result<(), SourceError> {
        let targets = self.targets()?;
        if let Some(settle) = self.settle {
            return super::watch::run(self, &targets, settle, out);
        }
        let resolved = self.scan(&targets)?;
        tracing::debug!(source = %self.name, files = resolved.paths.len(), "patterns resolved");
        Reader::new(self).read_all(resolved, out);
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

    fn run(src: FilesSource) -> FakeOutput {
        let mut out = FakeOutput::default();
        let mut src = src;
        src.run(&mut out).unwrap();
        out
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
    fn a_restart_skips_files_done_and_reads_changed_ones_and_unfinished_feeds() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        write(base, "a.txt", b"first");
        write(base, "b.txt", b"second");
        write(
            base,
            "c.rss",
            b"<rss version=\"2.0\"><channel><title>F</title>\
              <item><guid>g1</guid><description>One</description></item>\
              <item><guid>g2</guid><description>Two</description></item>\
              <item><guid>g3</guid><description>Three</description></item></channel></rss>",
        );
        let first = run(source(base, &["*"]));
        assert_eq!(first.events.len(), 5);
        assert_eq!(first.positions.len(), 5);
        // An earlier run finished a.txt, b.txt and the feed's first entry; then b.txt changed.
        let done: Vec<Position> = [0, 1, 2].map(|i| first.positions[i].clone()).to_vec();
        assert!(done[2].value.ends_with("#1/3"), "{:?}", done[2]);
        write(base, "b.txt", b"second, edited");
        let mut again = source(base, &["*"]);
        again.resume(&done);
        let out = run(again);
        let raws: Vec<&str> = out.events.iter().map(|e| e.raw.as_str()).collect();
        assert_eq!(raws, ["second, edited", "Two", "Three"]);
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
        let src = source(base, &["**/*.txt", "a/*.txt"]);
        assert_eq!(src.matching_paths().unwrap().len(), 4);
        let out = run(src);

        assert_eq!(
            rel_paths(base, &out),
            ["a/1.txt", "a/deep/3.txt", "b/2.txt", "top.txt"]
        );
        assert!(out.rejects.is_empty());

        let first = &out.events[0];
        assert_eq!(first.raw, "\n  First title  \nbody");
        assert_eq!(first.id, commwatch_core::content_id(&first.raw));
        assert_eq!(first.title.as_deref(), Some("First title"));
        assert_eq!(first.origin.name, "archive");
        assert_eq!(first.metadata["format"], "text");
        assert_eq!(first.metadata["encoding"], "UTF-8");
        assert!(!first.metadata.contains_key("decode_replacements"));
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
    fn directories_recurse_and_hidden_paths_need_naming() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        write(base, "inbox/a.txt", b"a");
        write(base, "inbox/2024/b.html", b"<p>b</p>");
        write(base, "inbox/.git/config", b"hidden dir");
        write(base, "inbox/.hidden.txt", b"hidden file");
        write(base, "inbox/2024/.cache/c.txt", b"hidden below");
        write(base, ".drafts/d.txt", b"named");
        let out = run(source(base, &["inbox", "./.drafts/*.txt", "*/*.txt"]));
        assert_eq!(
            rel_paths(base, &out),
            [".drafts/d.txt", "inbox/2024/b.html", "inbox/a.txt"]
        );
        assert_eq!(out.events[1].raw, "b");
        let roots = source(base, &["inbox", "inbox/*.txt", "x/**/*.txt", "inbox/a.txt"])
            .watch_roots()
            .unwrap();
        let roots: Vec<(PathBuf, bool)> = roots.into_iter().map(|r| (r.dir, r.recursive)).collect();
        assert_eq!(
            roots,
            [
                (base.join("inbox"), true),
                (base.join("inbox"), false),
                (base.join("x"), true),
                (base.join("inbox"), false),
            ]
        );
    }

    #[test]
    fn encodings_are_detected_and_recorded() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "cp1252.txt", b"C\xF4te d\x92Ivoire");
        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend("Côte d’Ivoire".encode_utf16().flat_map(u16::to_le_bytes));
        write(dir.path(), "utf16.txt", &utf16);
        write(dir.path(), "damaged.txt", b"Caf\xC3\xA9 \xFF na\xC3\xAFve");
        let out = run(source(dir.path(), &["*.txt"]));
        let by_name = |name: &str| {
            out.events
                .iter()
                .find(|e| e.metadata["path"].ends_with(name))
                .unwrap()
        };
        assert_eq!(by_name("cp1252.txt").raw, "Côte d’Ivoire");
        assert_eq!(by_name("cp1252.txt").metadata["encoding"], "windows-1252");
        assert_eq!(by_name("utf16.txt").raw, "Côte d’Ivoire");
        assert_eq!(by_name("utf16.txt").metadata["encoding"], "UTF-16LE");
        let damaged = by_name("damaged.txt");
        assert_eq!(damaged.raw, "Café \u{fffd} naïve");
        assert_eq!(damaged.metadata["decode_replacements"], "1");

        let out = run(source(dir.path(), &["cp1252.txt"]).with_encoding("utf-8".parse().unwrap()));
        assert_eq!(out.events[0].raw, "C\u{fffd}te d\u{fffd}Ivoire");
        assert_eq!(out.events[0].metadata["decode_replacements"], "2");
    }

    #[test]
    fn binary_and_oversized_files_are_rejected_and_the_rest_read() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"good a");
        write(dir.path(), "b.txt", b"GIF89a\x01\x00\x00\x00binary");
        write(dir.path(), "c.txt", &vec![b'x'; 2000]);
        write(dir.path(), "d.txt", b"good d");
        let out = run(source(dir.path(), &["*.txt"]).with_max_bytes(1000));
        assert_eq!(rel_paths(dir.path(), &out), ["a.txt", "d.txt"]);
        assert_eq!(out.rejects.len(), 2);
        let b = dir.path().join("b.txt");
        assert_eq!(out.rejects[0].location, b.display().to_string());
        assert_eq!(
            out.rejects[0].reason,
            format!(
                "{}: looks like a binary file (NUL byte at offset 7); not read",
                b.display()
            )
        );
        let c = dir.path().join("c.txt");
        assert_eq!(
            out.rejects[1].reason,
            format!(
                "{}: 2000 bytes, over the limit of 1000 (max_bytes)",
                c.display()
            )
        );
    }

    #[test]
    fn formats_by_extension_sniffing_or_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let page = "<!DOCTYPE html><html><head><title>T</title></head><body>\
                    <nav>Menu</nav><p>Body text.</p></body></html>";
        write(dir.path(), "page.htm", page.as_bytes());
        write(dir.path(), "saved.txt", page.as_bytes());
        write(
            dir.path(),
            "feed.dat",
            b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>F</title>\
              <item><guid>g1</guid><description>One</description></item>\
              <item><guid>g2</guid><description>Two</description></item>\
              <item><guid>g3</guid></item></channel></rss>",
        );
        write(
            dir.path(),
            "empty.html",
            b"<html><script>x()</script></html>",
        );
        let out = run(source(dir.path(), &["*"]));
        let summary: Vec<(String, String, String)> = out
            .events
            .iter()
            .map(|e| {
                (
                    e.metadata["format"].clone(),
                    e.raw.clone(),
                    e.title.clone().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("feed".into(), "One".into(), "".into()),
                ("feed".into(), "Two".into(), "".into()),
                ("html".into(), "Body text.".into(), "T".into()),
                ("html".into(), "Body text.".into(), "T".into()),
            ]
        );
        assert_eq!(out.events[0].id, "g1");
        assert_eq!(out.events[0].metadata["feed"], "F");
        let reasons: Vec<&str> = out.rejects.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons[0].ends_with("no article text found in the HTML page"));
        assert!(reasons[1].ends_with("feed.dat: g3: feed entry has no content or summary"));
        assert!(out.rejects[1].location.ends_with("feed.dat#g3"));

        // Forced formats: a page read as text stays markup; text read as a feed is rejected.
        let out = run(source(dir.path(), &["page.htm"]).with_format(FileFormat::Text));
        assert_eq!(out.events[0].raw, page);
        let out = run(source(dir.path(), &["saved.txt"]).with_format(FileFormat::Feed));
        assert!(out.events.is_empty());
        assert!(
            out.rejects[0]
                .reason
                .contains("not a valid RSS, Atom or JSON feed")
        );
    }

    #[test]
    fn feed_entries_are_emitted_once_per_run() {
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/ingest");
        fs::copy(root.join("feed_v1.rss"), dir.path().join("1.rss")).unwrap();
        fs::copy(root.join("feed_v2.rss"), dir.path().join("2.rss")).unwrap();
        let out = run(source(dir.path(), &["*.rss"]));
        let ids: Vec<&str> = out.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "mfa-2024-101",
                "https://mfa.example.org/press/niger",
                "mfa-2024-102"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_file_is_rejected_and_the_rest_still_read() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"a");
        write(dir.path(), "c.txt", b"c");
        let dangling = dir.path().join("b.txt");
        std::os::unix::fs::symlink(dir.path().join("missing"), &dangling).unwrap();
        let out = run(source(dir.path(), &["*.txt"]));
        assert_eq!(rel_paths(dir.path(), &out), ["a.txt", "c.txt"]);
        assert_eq!(out.rejects.len(), 1);
        assert_eq!(out.rejects[0].location, dangling.display().to_string());
        assert!(
            out.rejects[0]
                .reason
                .starts_with(&format!("{}: cannot read file", dangling.display()))
        );
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

    #[test]
    fn sniffing_and_temporary_names() {
        assert_eq!(sniff(b"\xEF\xBB\xBF \n<!doctype HTML><p>"), Kind::Html);
        assert_eq!(sniff(b"<HTML>"), Kind::Html);
        assert_eq!(
            sniff(b"<?xml version='1.0'?>\n<!-- c -->\n<feed xmlns=''>"),
            Kind::Feed
        );
        assert_eq!(sniff(b"<rss version='2.0'>"), Kind::Feed);
        assert_eq!(sniff(b"<?xml version='1.0'?><html>"), Kind::Html);
        assert_eq!(sniff(b"<?xml version='1.0'?><doc/>"), Kind::Text);
        assert_eq!(sniff(b"Plain <html> mention"), Kind::Text);
        for name in ["a.tmp", "a.PART", ".a.swp", "a~", ".#a.txt"] {
            assert!(is_temporary(Path::new(name)), "{name}");
        }
        assert!(!is_temporary(Path::new("a.txt")));
    }
}
