//! The feed source: RSS, Atom and JSON feeds polled over HTTP.
//!
//! Most foreign ministries and international organisations publish their statements as feeds.
//! Polling them is the cheapest way to hear about a statement minutes after it is out, provided
//! the poller is polite and robust: it sends conditional requests (`If-None-Match`,
//! `If-Modified-Since`) so an unchanged feed costs the publisher a `304`, emits each entry once
//! however many polls see it (a bounded set of entry ids per URL), caps what it downloads, and
//! treats a server that is down or answers with an error as a reason to try again at the next
//! interval, never as a reason to stop.
//!
//! What a restart needs survives it: each entry emitted commits the position `<url> <entry id>`
//! once it is done (see `SourceOutput::emit_at`), and `resume` reads those back as the entries
//! seen, so a restart emits only what was not done. The `ETag` and `Last-Modified` of the last
//! response are not kept: a conditional request after a restart could be answered `304` while
//! entries of that response were still in flight, and they would never come again; a restart's
//! first poll of each URL is a full request instead.
//!
//! Requests block for up to the timeout, so they run on a helper thread (`feed-fetch`), as stdin
//! reads do: `run` waits for each response in short slices and checks between them whether it
//! should stop. When it stops mid-request it returns at once; the helper finishes that request,
//! finds nobody listening, and ends.

use std::fmt;
use std::hash::{DefaultHasher, Hasher};
use std::thread;
use std::time::{Duration, Instant};

use commwatch_core::{Position, RejectedInput, Source, SourceError, SourceOutput};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use super::DEFAULT_MAX_BYTES;
use super::bounded::BoundedMap;
use super::decode::{DecodeHints, Markup, TextEncoding, decode};
use super::feed::parse_feed;

/// The default time between two polls of a feed: 5 minutes.
pub const DEFAULT_FEED_INTERVAL: Duration = Duration::from_secs(5 * 60);

/// The default limit on one HTTP request, connection to last byte: 30 seconds.
pub const DEFAULT_FEED_TIMEOUT: Duration = Duration::from_secs(30);

/// How many entry ids are remembered per URL.
const SEEN_ENTRIES: usize = 10_000;

/// How often `run` checks whether it should stop while it waits.
const POLL_SLICE: Duration = Duration::from_millis(100);

/// What feeds are asked for.
const ACCEPT: &str = "application/rss+xml, application/atom+xml, application/feed+json, \
                      application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8";

pub use commwatch_core::parse_duration;

/// Polls feed URLs and emits each entry once.
///
/// Every interval, each URL is fetched in turn with `If-None-Match` and `If-Modified-Since`
/// taken from its last response. A `304 Not Modified` emits nothing; a `2xx` response is
/// decoded (its `Content-Type` charset first, then the XML declaration; see
/// [`decode`](crate::decode)), parsed as RSS, Atom or JSON Feed, and the entries whose id was not
/// seen before from that URL are emitted (as described in the `feed` module, with metadata
/// `feed_url`, `encoding` and, when bytes were replaced, `decode_replacements`). A body identical
/// to the previous one is not parsed again.
///
/// Network errors, timeouts, other statuses and bodies over the byte limit are logged as
/// warnings and the URL is tried again at the next interval. A body that is not a feed is
/// rejected once (until it changes), as is an entry without text. The source runs until the
/// pipeline stops.
#[derive(Debug)]
pub struct FeedSource {
    name: String,
    feeds: Vec<Feed>,
    interval: Duration,
    timeout: Duration,
    max_bytes: usize,
}

/// One polled URL and what is remembered about it.
#[derive(Debug)]
struct Feed {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    last_body: Option<u64>,
    seen: BoundedMap<String, ()>,
}

impl FeedSource {
    /// A source named `name` polling `urls` every [`DEFAULT_FEED_INTERVAL`], with requests
    /// limited to [`DEFAULT_FEED_TIMEOUT`] and bodies to 16 MiB.
    pub fn new(name: String, urls: Vec<String>) -> FeedSource {
        FeedSource {
            name,
            feeds: urls
                .into_iter()
                .map(|url| Feed {
                    url,
                    etag: None,
                    last_modified: None,
                    last_body: None,
                    seen: BoundedMap::new(SEEN_ENTRIES),
                })
                .collect(),
            interval: DEFAULT_FEED_INTERVAL,
            timeout: DEFAULT_FEED_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// Polls every `interval` (measured from the start of one round of polls to the next).
    pub fn with_interval(mut self, interval: Duration) -> FeedSource {
        self.interval = interval;
        self
    }

    /// Gives up on a request after `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> FeedSource {
        self.timeout = timeout;
        self
    }

    /// Refuses response bodies larger than `max_bytes` bytes, without downloading them whole.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> FeedSource {
        self.max_bytes = max_bytes;
        self
    }
}

impl Source for FeedSource {
    fn resume(&mut self, checkpoint: &[Position]) {
        for feed in &mut self.feeds {
            let prefix = format!("{} ", feed.url);
            for p in checkpoint {
                if let Some(id) = p.key.strip_prefix(&prefix) {
                    feed.seen.insert(id.to_owned(), ());
                }
            }
        }
    }

    fn run(&mut self, out: &mut dyn SourceOutput) -> Result<(), SourceError> {
        let fetcher = Fetcher::spawn(self.timeout, self.max_bytes)?;
        loop {
            let round = Instant::now();
            for feed in &mut self.feeds {
                if out.should_stop() {
                    return Ok(());
                }
                let request = Request {
                    url: feed.url.clone(),
                    etag: feed.etag.clone(),
                    last_modified: feed.last_modified.clone(),
                };
                let Some(response) = fetcher.fetch(request, out)? else {
                    return Ok(()); // asked to stop while waiting
                };
                if !feed.handle(&self.name, self.interval, response, out) {
                    return Ok(());
                }
            }
            // About to wait for the next round: hand over what was read.
            out.flush();
            while round.elapsed() < self.interval {
                if out.should_stop() {
                    return Ok(());
                }
                thread::sleep(POLL_SLICE.min(self.interval.saturating_sub(round.elapsed())));
            }
        }
    }
}

impl Feed {
    /// Acts on one poll's outcome. Returns `false` when the pipeline asked the source to stop.
    fn handle(
        &mut self,
        name: &str,
        interval: Duration,
        response: Result<Response, String>,
        out: &mut dyn SourceOutput,
    ) -> bool {
        let retry = HumanDuration(interval);
        let body = match response {
            Err(err) => {
                tracing::warn!(source = %name, url = %self.url, "poll failed: {err}; retrying in {retry}");
                return true;
            }
            Ok(Response::NotModified) => {
                tracing::debug!(source = %name, url = %self.url, "not modified");
                return true;
            }
            Ok(Response::Status(status)) => {
                tracing::warn!(source = %name, url = %self.url, "HTTP status {status}; retrying in {retry}");
                return true;
            }
            Ok(Response::Body(body)) => body,
        };
        self.etag = body.etag;
        self.last_modified = body.last_modified;
        let mut hasher = DefaultHasher::new();
        hasher.write(&body.bytes);
        let hash = Some(hasher.finish());
        if hash == self.last_body {
            tracing::debug!(source = %name, url = %self.url, "feed unchanged");
            return true;
        }
        self.last_body = hash;
        let hints = DecodeHints {
            content_type: body.content_type.as_deref(),
            ..DecodeHints::new(TextEncoding::Auto, Markup::Xml)
        };
        let parsed = decode(body.bytes, &hints)
            .map_err(|err| err.to_string())
            .and_then(|decoded| {
                parse_feed(&decoded.text, name, Some(&self.url)).map(|entries| (decoded, entries))
            });
        let (decoded, entries) = match parsed {
            Ok(parsed) => parsed,
            Err(err) => {
                out.reject(RejectedInput {
                    location: self.url.clone(),
                    reason: format!("{}: {err}", self.url),
                    input: String::new(),
                });
                return true;
            }
        };
        for entry in entries {
            match entry {
                Ok(mut event) => {
                    if self.seen.contains_key(&event.id) {
                        continue;
                    }
                    self.seen.insert(event.id.clone(), ());
                    decoded.annotate(&mut event.metadata);
                    event
                        .metadata
                        .insert("feed_url".to_owned(), self.url.clone());
                    let position = Position {
                        key: format!("{} {}", self.url, event.id),
                        value: "done".to_owned(),
                    };
                    if !out.emit_at(event, position) {
                        return false;
                    }
                }
                Err(err) => {
                    if self.seen.contains_key(&err.entry) {
                        continue;
                    }
                    self.seen.insert(err.entry.clone(), ());
                    out.reject(RejectedInput {
                        location: format!("{}#{}", self.url, err.entry),
                        reason: format!("{}: {}: {}", self.url, err.entry, err.reason),
                        input: String::new(),
                    });
                }
            }
        }
        true
    }
}

/// A duration for log messages: `5m`, `30s`, `1500ms`.
struct HumanDuration(Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        match ms {
            _ if ms > 0 && ms.is_multiple_of(3_600_000) => write!(f, "{}h", ms / 3_600_000),
            _ if ms > 0 && ms.is_multiple_of(60_000) => write!(f, "{}m", ms / 60_000),
            _ if ms.is_multiple_of(1_000) => write!(f, "{}s", ms / 1_000),
            _ => write!(f, "{ms}ms"),
        }
    }
}

/// One conditional GET.
struct Request {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
}

/// What a poll returned.
#[derive(Debug)]
enum Response {
    /// `304 Not Modified`.
    NotModified,
    /// A status other than 2xx and 304.
    Status(u16),
    /// A 2xx body.
    Body(Body),
}

/// A 2xx response.
#[derive(Debug)]
struct Body {
    bytes: Vec<u8>,
    etag: Option<String>,
    last_modified: Option<String>,
    content_type: Option<String>,
}

/// The `feed-fetch` helper thread and the channels to it.
struct Fetcher {
    requests: Sender<Request>,
    responses: Receiver<Result<Response, String>>,
}

impl Fetcher {
    fn spawn(timeout: Duration, max_bytes: usize) -> Result<Fetcher, SourceError> {
        let (requests, incoming) = crossbeam_channel::bounded::<Request>(1);
        let (outgoing, responses) = crossbeam_channel::bounded(1);
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(concat!("commwatch/", env!("CARGO_PKG_VERSION")))
            .build();
        let agent = ureq::Agent::new_with_config(config);
        thread::Builder::new()
            .name("feed-fetch".to_owned())
            .spawn(move || {
                for request in incoming {
                    if outgoing.send(get(&agent, &request, max_bytes)).is_err() {
                        return; // the source stopped
                    }
                }
            })
            .map_err(|source| SourceError::Io {
                context: "starting the feed-fetch thread".to_owned(),
                source,
            })?;
        Ok(Fetcher {
            requests,
            responses,
        })
    }

    /// Sends a request and waits for its response, checking whether to stop. `None` when asked
    /// to stop first.
    fn fetch(
        &self,
        request: Request,
        out: &dyn SourceOutput,
    ) -> Result<Option<Result<Response, String>>, SourceError> {
        let gone = || SourceError::Other("the feed-fetch thread ended".to_owned());
        self.requests.send(request).map_err(|_| gone())?;
        loop {
            if out.should_stop() {
                return Ok(None);
            }
            match self.responses.recv_timeout(POLL_SLICE) {
                Ok(response) => return Ok(Some(response)),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err(gone()),
            }
        }
    }
}

/// Performs one conditional GET, reading at most `max_bytes` of the body.
fn get(agent: &ureq::Agent, request: &Request, max_bytes: usize) -> Result<Response, String> {
    let mut builder = agent.get(&request.url).header("Accept", ACCEPT);
    if let Some(etag) = &request.etag {
        builder = builder.header("If-None-Match", etag);
    }
    if let Some(last_modified) = &request.last_modified {
        builder = builder.header("If-Modified-Since", last_modified);
    }
    let mut response = builder.call().map_err(|err| err.to_string())?;
    let status = response.status().as_u16();
    if status == 304 {
        return Ok(Response::NotModified);
    }
    if !(200..300).contains(&status) {
        return Ok(Response::Status(status));
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let etag = header("etag");
    let last_modified = header("last-modified");
    let content_type = header("content-type");
    let declared = header("content-length").and_then(|n| n.trim().parse::<u64>().ok());
    if let Some(len) = declared.filter(|len| *len > max_bytes as u64) {
        return Err(format!(
            "response of {len} bytes is over the limit of {max_bytes} (max_bytes)"
        ));
    }
    let bytes = response
        .body_mut()
        .with_config()
        .limit(max_bytes as u64)
        .read_to_vec()
        .map_err(|err| match err {
            ureq::Error::BodyExceedsLimit(_) => format!(
                "response is more than {max_bytes} bytes, over the limit of {max_bytes} \
                 (max_bytes)"
            ),
            other => format!("reading the response: {other}"),
        })?;
    Ok(Response::Body(Body {
        bytes,
        etag,
        last_modified,
        content_type,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::FakeOutput;
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::atomic::Ordering;
    use std::sync::{Arc, Mutex};

    #[test]
    fn durations() {
        assert_eq!(HumanDuration(Duration::from_secs(300)).to_string(), "5m");
        assert_eq!(
            HumanDuration(Duration::from_millis(1500)).to_string(),
            "1500ms"
        );
    }

    /// Serves `responses` in turn (status line and headers, body), one per connection, and
    /// records the requests' header blocks.
    fn serve(responses: Vec<(String, Vec<u8>)>) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/feed", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        thread::spawn(move || {
            for (head, body) in responses {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    request.push_str(&line);
                }
                log.lock().unwrap().push(request);
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            }
        });
        (url, seen)
    }

    /// Runs the source on a thread for `time`, then stops it and returns what it output.
    fn run_for(mut source: FeedSource, time: Duration) -> FakeOutput {
        let mut out = FakeOutput::default();
        let stop = Arc::clone(&out.stop);
        let runner = thread::spawn(move || {
            source.run(&mut out).unwrap();
            out
        });
        thread::sleep(time);
        let stopped = Instant::now();
        stop.store(true, Ordering::SeqCst);
        let out = runner.join().unwrap();
        assert!(
            stopped.elapsed() < Duration::from_secs(2),
            "stopped promptly"
        );
        out
    }

    #[test]
    fn polls_conditionally_and_emits_each_entry_once() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/ingest");
        let v1 = std::fs::read(format!("{fixtures}/feed_v1.rss")).unwrap();
        let v2 = std::fs::read(format!("{fixtures}/feed_v2.rss")).unwrap();
        let ok = |etag: &str| {
            format!(
                "HTTP/1.1 200 OK\r\nETag: \"{etag}\"\r\nContent-Type: application/rss+xml; charset=utf-8"
            )
        };
        let (url, requests) = serve(vec![
            (ok("v1"), v1.clone()),
            (
                "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"".into(),
                Vec::new(),
            ),
            ("HTTP/1.1 503 Service Unavailable".into(), Vec::new()),
            (ok("v2"), v2),
            (ok("junk"), b"<html>maintenance</html>".to_vec()),
        ]);
        let source = FeedSource::new("mfa".into(), vec![url.clone()])
            .with_interval(Duration::from_millis(200))
            .with_timeout(Duration::from_secs(5));
        let out = run_for(source, Duration::from_secs(2));
        let ids: Vec<&str> = out.events.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "mfa-2024-101",
                "https://mfa.example.org/press/niger",
                "mfa-2024-102"
            ]
        );
        assert_eq!(out.events[0].metadata["feed_url"], url);
        assert_eq!(out.events[0].metadata["encoding"], "UTF-8");
        assert_eq!(out.rejects.len(), 1, "{:?}", out.rejects);
        assert!(
            out.rejects[0]
                .reason
                .contains("not a valid RSS, Atom or JSON feed")
        );
        let requests = requests.lock().unwrap();
        assert!(!requests[0].to_ascii_lowercase().contains("if-none-match"));
        assert!(requests[1].contains("\"v1\""), "{}", requests[1]);
        assert!(requests[3].contains("\"v1\""), "{}", requests[3]);
        assert!(requests[4].contains("\"v2\""), "{}", requests[4]);
    }

    #[test]
    fn a_restart_emits_only_the_entries_not_done() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/ingest");
        let v2 = std::fs::read(format!("{fixtures}/feed_v2.rss")).unwrap();
        let ok = "HTTP/1.1 200 OK\r\nETag: \"v2\"\r\nContent-Type: application/rss+xml".to_owned();
        let (url, _) = serve(vec![(ok.clone(), v2.clone())]);
        let source =
            FeedSource::new("mfa".into(), vec![url.clone()]).with_interval(Duration::from_secs(60));
        let first = run_for(source, Duration::from_millis(500));
        assert_eq!(first.events.len(), 3);
        assert_eq!(first.positions.len(), 3);
        assert!(first.positions[0].key.starts_with(&format!("{url} ")));
        // The first entry was done before the restart; the others were not.
        let (url_again, requests) = serve(vec![(ok, v2)]);
        let mut source = FeedSource::new("mfa".into(), vec![url_again.clone()])
            .with_interval(Duration::from_secs(60));
        let done: Vec<Position> = first.positions[..1]
            .iter()
            .map(|p| Position {
                key: p.key.replacen(&url, &url_again, 1),
                value: p.value.clone(),
            })
            .collect();
        source.resume(&done);
        let again = run_for(source, Duration::from_millis(500));
        let ids = |out: &FakeOutput| out.events.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&again), ids(&first)[1..]);
        // The first poll after a restart is unconditional.
        let requests = requests.lock().unwrap();
        assert!(!requests[0].to_ascii_lowercase().contains("if-none-match"));
    }

    #[test]
    fn oversized_and_unreachable_feeds_are_retried_not_fatal() {
        let (url, requests) = serve(vec![("HTTP/1.1 200 OK".into(), vec![b'x'; 4096])]);
        // A port nobody listens on.
        let closed = TcpListener::bind("127.0.0.1:0").unwrap();
        let dead = format!("http://{}/", closed.local_addr().unwrap());
        drop(closed);
        let source = FeedSource::new("f".into(), vec![dead, url])
            .with_interval(Duration::from_millis(100))
            .with_max_bytes(1024);
        let out = run_for(source, Duration::from_secs(1));
        assert!(out.events.is_empty() && out.rejects.is_empty());
        assert!(!requests.lock().unwrap().is_empty());
    }
}
