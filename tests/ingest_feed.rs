//! Feeds polled over HTTP end to end: the test serves an RSS feed itself on 127.0.0.1 (a tiny
//! HTTP/1.1 server answering with an `ETag` and honouring `If-None-Match` with `304`), runs
//! `commwatch` with a `feed` source, and checks that each item arrives once, that unchanged polls
//! add nothing, and that a new item arrives once the feed changes.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use common::{commwatch, pipeline_file, read_jsonl};

/// The feed server's state, shared with the test.
#[derive(Default)]
struct Feed {
    /// Which version of the feed is served: 1 or 2.
    version: AtomicUsize,
    /// How many `200` and `304` responses were sent.
    full: AtomicUsize,
    not_modified: AtomicUsize,
    stop: AtomicBool,
}

/// Serves `versions[version - 1]` at any path until `feed.stop` is set.
fn serve(feed: Arc<Feed>, versions: [Vec<u8>; 2]) -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/press/feed.rss", listener.local_addr().unwrap());
    let handle = thread::spawn(move || {
        while !feed.stop.load(Ordering::SeqCst) {
            match listener.accept() {
                Ok((stream, _)) => answer(stream, &feed, &versions),
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                    thread::sleep(Duration::from_millis(20));
                }
                Err(err) => panic!("accept: {err}"),
            }
        }
    });
    (url, handle)
}

/// Answers one request: `304` when `If-None-Match` names the current version, else the feed.
fn answer(stream: TcpStream, feed: &Feed, versions: &[Vec<u8>; 2]) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut if_none_match = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(value.trim().to_owned());
        }
    }
    let version = feed.version.load(Ordering::SeqCst);
    let etag = format!("\"v{version}\"");
    let mut stream = stream;
    if if_none_match.as_deref() == Some(etag.as_str()) {
        feed.not_modified.fetch_add(1, Ordering::SeqCst);
        let _ = write!(
            stream,
            "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
        );
    } else {
        feed.full.fetch_add(1, Ordering::SeqCst);
        let body = &versions[version - 1];
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nETag: {etag}\r\nContent-Type: application/rss+xml; charset=utf-8\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(body);
    }
}

/// Waits until `ready()` holds, or panics after 30 s naming `what`.
fn wait_until(what: &str, child: &mut Child, ready: impl Fn() -> bool) {
    let started = Instant::now();
    while !ready() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("commwatch exited early with {status} while waiting for {what}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        thread::sleep(Duration::from_millis(100));
    }
}

fn ids(out: &Path) -> Vec<String> {
    read_jsonl(out)
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn feed_items_arrive_once_and_new_items_after_the_feed_changes() {
    let fixtures = common::root().join("tests/fixtures/ingest");
    let versions = [
        std::fs::read(fixtures.join("feed_v1.rss")).unwrap(),
        std::fs::read(fixtures.join("feed_v2.rss")).unwrap(),
    ];
    let feed = Arc::new(Feed::default());
    feed.version.store(1, Ordering::SeqCst);
    let (url, server) = serve(Arc::clone(&feed), versions);

    let dir = tempfile::tempdir().unwrap();
    let path = pipeline_file(
        dir.path(),
        &format!(
            r#"
[pipeline]
dead_letter = "dead.jsonl"

[sources.mfa]
type = "feed"
urls = ["{url}"]
interval = "1s"
timeout = "10s"

[stages.normalize]
type = "normalize"
inputs = ["mfa"]

[stages.tag]
type = "tag"
inputs = ["normalize"]

[sinks.out]
type = "jsonl"
inputs = ["tag"]
path = "out.jsonl"
content = "events"
"#
        ),
    );
    let out = dir.path().join("out.jsonl");
    let mut child = commwatch()
        .arg("run")
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // The first poll brings both items, once each.
    wait_until("the first two items", &mut child, || ids(&out).len() >= 2);
    // Later polls are answered 304 and add nothing.
    wait_until("a 304 poll", &mut child, || {
        feed.not_modified.load(Ordering::SeqCst) >= 1
    });
    let niger = "https://mfa.example.org/press/niger";
    assert_eq!(ids(&out), ["mfa-2024-101", niger]);
    assert_eq!(feed.full.load(Ordering::SeqCst), 1);

    // One more statement: only it arrives.
    feed.version.store(2, Ordering::SeqCst);
    wait_until("the new item", &mut child, || ids(&out).len() >= 3);
    let not_modified = feed.not_modified.load(Ordering::SeqCst);
    wait_until("a 304 poll of the new version", &mut child, || {
        feed.not_modified.load(Ordering::SeqCst) > not_modified
    });
    assert_eq!(ids(&out), ["mfa-2024-101", niger, "mfa-2024-102"]);

    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    feed.stop.store(true, Ordering::SeqCst);
    server.join().unwrap();

    let events = read_jsonl(&out);
    assert_eq!(events.len(), 3);
    let newest = &events[2];
    assert_eq!(newest["title"], "Statement on Burkina Faso");
    assert_eq!(newest["published"], "2024-03-13");
    assert_eq!(
        newest["origin"]["uri"],
        "https://mfa.example.org/press/burkina-faso"
    );
    assert_eq!(newest["metadata"]["feed_url"], url.as_str());
    assert_eq!(
        newest["metadata"]["feed"],
        "Ministry of Foreign Affairs — Press releases"
    );
    assert!(
        newest["spans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == "BF"),
        "{newest}"
    );
    assert!(read_jsonl(&dir.path().join("dead.jsonl")).is_empty());
}
