//! The webhook sink through the real binary, against a receiver written here that refuses
//! connections, then fails, then recovers: every alert arrives exactly once, in order, signed;
//! what could not be delivered stays in the spool and goes out at the next start.

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{commwatch, pipeline_file, text};
use commwatch_testkit::{plugin_file, rust_plugins};
use serde_json::Value;

const SECRET: &str = "test-webhook-secret";
const SECRET_VAR: &str = "COMMWATCH_TEST_WEBHOOK_SECRET";

/// Generous bound for things that take well under a second.
const LIVENESS: Duration = Duration::from_secs(120);

// ---- HMAC-SHA256, written out here so the test does not trust the code it checks ----

fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for chunk in msg.chunks(64) {
        let mut w = [0u32; 64];
        for i in 0..16 {
            w[i] = u32::from_be_bytes(chunk[i * 4..i * 4 + 4].try_into().unwrap());
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let mut v = h;
        for i in 0..64 {
            let s1 = v[4].rotate_right(6) ^ v[4].rotate_right(11) ^ v[4].rotate_right(25);
            let ch = (v[4] & v[5]) ^ (!v[4] & v[6]);
            let t1 = v[7]
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = v[0].rotate_right(2) ^ v[0].rotate_right(13) ^ v[0].rotate_right(22);
            let maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
            let t2 = s0.wrapping_add(maj);
            v = [
                t1.wrapping_add(t2),
                v[0],
                v[1],
                v[2],
                v[3].wrapping_add(t1),
                v[4],
                v[5],
                v[6],
            ];
        }
        for (a, b) in h.iter_mut().zip(v) {
            *a = a.wrapping_add(b);
        }
    }
    let mut out = [0u8; 32];
    for (i, word) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&word.to_be_bytes());
    }
    out
}

fn hmac_sha256_hex(key: &[u8], data: &[u8]) -> String {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&sha256(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let mut inner = pad(0x36);
    inner.extend_from_slice(data);
    let mut outer = pad(0x5c);
    outer.extend_from_slice(&sha256(&inner));
    sha256(&outer).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_reference_hmac_matches_rfc_4231() {
    assert_eq!(
        hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

// ---- A small HTTP/1.1 receiver ----

/// One request the receiver read, and the status it answered.
#[derive(Clone, Debug)]
struct Request {
    path: String,
    delivery: String,
    signature: Option<String>,
    content_type: String,
    body: Vec<u8>,
    status: u16,
}

impl Request {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// A receiver on a port: `status(n)` is the answer to the n-th request (from 0).
struct Receiver {
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
}

impl Receiver {
    /// A receiver on a port of its own, for tests that start it before the pipeline.
    fn bind(status: impl Fn(usize) -> u16 + Send + 'static) -> (Receiver, u16) {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a receiver");
        let port = listener.local_addr().unwrap().port();
        (Receiver::serve(listener, status), port)
    }

    /// A receiver on `port`, chosen earlier by [`free_port`]. Between the two, a test running in
    /// parallel may briefly hold the port as the local end of an outgoing connection: binding is
    /// retried for a while before the test fails.
    fn start(port: u16, status: impl Fn(usize) -> u16 + Send + 'static) -> Receiver {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(listener) => break listener,
                Err(_) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("bind the receiver's port {port}: {e}"),
            }
        };
        Receiver::serve(listener, status)
    }

    fn serve(listener: TcpListener, status: impl Fn(usize) -> u16 + Send + 'static) -> Receiver {
        listener.set_nonblocking(true).unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (log, halt) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            while !halt.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let n = log.lock().unwrap().len();
                        if let Some(request) = handle(stream, status(n)) {
                            log.lock().unwrap().push(request);
                        }
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Receiver { requests, stop }
    }

    fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// The requests answered with a 2xx.
    fn accepted(&self) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| (200..300).contains(&r.status))
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads one request from `stream` and answers `status`, closing the connection.
fn handle(stream: TcpStream, status: u16) -> Option<Request> {
    stream.set_nonblocking(false).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let len: usize = header("content-length")
        .expect("a Content-Length")
        .parse()
        .ok()?;
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    let reason = if status < 300 { "OK" } else { "Nope" };
    let answer = "{\"ok\":false}";
    let mut out = stream;
    write!(
        out,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    )
    .ok()?;
    out.flush().ok()?;
    Some(Request {
        path,
        delivery: header("x-commwatch-delivery").unwrap_or_default(),
        signature: header("x-commwatch-signature"),
        content_type: header("content-type").unwrap_or_default(),
        body,
        status,
    })
}

/// A port nothing listens on (yet).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---- The pipeline ----

/// Writes `n` communiqués, `doc-0` … , each mentioning the fixture plugin's keyword once.
fn communiques(dir: &Path, n: usize) {
    let lines: Vec<String> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("doc-{i}"),
                "title": format!("Communiqué {i}"),
                "url": format!("https://example.org/c/{i}"),
                "body": format!("Ministers met on day {i} to discuss the Sahel."),
            })
            .to_string()
        })
        .collect();
    let text = if n == 0 {
        String::new()
    } else {
        lines.join("\n") + "\n"
    };
    std::fs::write(dir.join("in.jsonl"), text).unwrap();
}

/// JSONL in → the `fixture-good` plugin (one `keyword_seen` alert per communiqué) → webhook
/// `hook` at `port`, with `extra` sink options.
fn pipeline(dir: &Path, port: u16, extra: &str) -> PathBuf {
    let plugin = rust_plugins(&["fixture-good"]).join(plugin_file("fixture-good"));
    pipeline_file(
        dir,
        &format!(
            r#"
[pipeline]
dead_letter = "dead.jsonl"

[sources.in]
type = "jsonl"
path = "in.jsonl"

[stages.p]
type = "plugin"
inputs = ["in"]
path = {plugin:?}
config = {{ keyword = "Sahel" }}

[sinks.hook]
type = "webhook"
inputs = ["p"]
url = "http://127.0.0.1:{port}/hook"
secret_env = "{SECRET_VAR}"
timeout = "5s"
retry_initial = "50ms"
retry_max = "250ms"
{extra}
"#,
            plugin = plugin.display().to_string()
        ),
    )
}

fn run(path: &Path) -> std::process::Command {
    let mut cmd = commwatch();
    cmd.arg("run").arg(path).env(SECRET_VAR, SECRET);
    cmd
}

/// The `.spool` files queued in `dir`, in queue order.
fn spooled(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "spool"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < LIVENESS, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Checks the accepted requests: signed, one delivery id each, and together exactly the
/// alerts of `doc-0` … `doc-{n-1}`, in order.
fn assert_exactly_once_in_order(accepted: &[Request], n: usize) {
    let ids: HashSet<&str> = accepted.iter().map(|r| r.delivery.as_str()).collect();
    assert_eq!(ids.len(), accepted.len(), "each delivery id accepted once");
    assert!(ids.iter().all(|id| id.len() == 36), "{ids:?}");
    let mut communiques = Vec::new();
    for r in accepted {
        assert_eq!(r.path, "/hook");
        assert_eq!(r.content_type, "application/json");
        let expected = format!("sha256={}", hmac_sha256_hex(SECRET.as_bytes(), &r.body));
        assert_eq!(r.signature.as_deref(), Some(expected.as_str()), "signature");
        let body = r.json();
        assert_eq!(body["version"], "1");
        assert_eq!(body["sink"], "hook");
        assert_eq!(
            body["group_key"],
            serde_json::json!({"rule": "keyword_seen"})
        );
        for alert in body["alerts"].as_array().unwrap() {
            assert_eq!(alert["rule"], "keyword_seen");
            assert_eq!(alert["quotes"], serde_json::json!(["Sahel"]));
            let id = alert["communique"].as_str().unwrap().to_owned();
            assert_eq!(alert["title"], format!("Communiqué {}", &id[4..]));
            assert!(alert["received_at"].is_string());
            communiques.push(id);
        }
    }
    let expected: Vec<String> = (0..n).map(|i| format!("doc-{i}")).collect();
    assert_eq!(communiques, expected, "every alert once, in order");
}

#[test]
fn alerts_survive_a_refusing_then_failing_receiver_exactly_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    communiques(dir.path(), 20);
    let port = free_port();
    let path = pipeline(dir.path(), port, r#"drain_timeout = "120s""#);
    let mut child = run(&path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let spool = dir.path().join("spool/hook");

    // Connections are refused: all 20 notifications wait in the spool.
    wait_for("20 spooled notifications", || spooled(&spool).len() == 20);
    // The receiver comes up, fails the first six requests with a 500, then takes everything.
    let receiver = Receiver::start(port, |n| if n < 6 { 500 } else { 200 });

    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < LIVENESS, "commwatch did not finish");
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("will retry"), "{stderr}");

    let requests = receiver.requests();
    let failed: Vec<&Request> = requests.iter().filter(|r| r.status == 500).collect();
    assert_eq!(failed.len(), 6);
    // Strict order: the 500s were all retries of the first notification.
    assert!(failed.iter().all(|r| r.delivery == failed[0].delivery));
    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 20, "one notification per communiqué");
    assert_eq!(accepted[0].delivery, failed[0].delivery);
    assert_eq!(
        accepted[0].body, failed[0].body,
        "a retry sends the same bytes"
    );
    assert_exactly_once_in_order(&accepted, 20);
    assert!(
        spooled(&spool).is_empty(),
        "delivered notifications leave the spool"
    );
    assert!(!dir.path().join("dead.jsonl").exists());
}

#[test]
fn a_restart_delivers_what_the_spool_kept() {
    let dir = tempfile::tempdir().unwrap();
    communiques(dir.path(), 5);
    let port = free_port();
    let path = pipeline(dir.path(), port, r#"drain_timeout = "1s""#);
    let spool = dir.path().join("spool/hook");

    // The receiver is down for the whole run: the notifications stay in the spool.
    let output = run(&path).output().unwrap();
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("stay in the spool"), "{stderr}");
    let files = spooled(&spool);
    assert_eq!(files.len(), 5, "{files:?}");
    let queued: Vec<String> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let header: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
            header["delivery"].as_str().unwrap().to_owned()
        })
        .collect();

    // The receiver is back; commwatch starts again with no new input.
    let receiver = Receiver::start(port, |_| 200);
    communiques(dir.path(), 0);
    let output = run(&path)
        .args(["--set", "sinks.hook.drain_timeout=60s"])
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let accepted = receiver.accepted();
    assert_eq!(receiver.requests().len(), 5, "no retries were needed");
    let delivered: Vec<String> = accepted.iter().map(|r| r.delivery.clone()).collect();
    assert_eq!(
        delivered, queued,
        "the spooled notifications, with their ids, in order"
    );
    assert_exactly_once_in_order(&accepted, 5);
    assert!(spooled(&spool).is_empty());
}

#[test]
fn a_refused_notification_is_kept_in_failed_and_the_rest_delivered() {
    let dir = tempfile::tempdir().unwrap();
    communiques(dir.path(), 3);
    let (receiver, port) = Receiver::bind(|n| if n == 1 { 422 } else { 200 });
    let path = pipeline(dir.path(), port, "");
    let output = run(&path).output().unwrap();
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("refused a notification for good"),
        "{stderr}"
    );
    assert!(stderr.contains("HTTP 422"), "{stderr}");
    let accepted = receiver.accepted();
    let ids: Vec<Value> = accepted
        .iter()
        .map(|r| r.json()["alerts"][0]["communique"].clone())
        .collect();
    assert_eq!(ids, ["doc-0", "doc-2"]);
    let failed = dir.path().join("spool/hook/failed");
    let kept = spooled(&failed);
    assert_eq!(kept.len(), 1);
    assert!(
        std::fs::read_to_string(&kept[0])
            .unwrap()
            .contains("\"doc-1\"")
    );
    let error = std::fs::read_to_string(kept[0].with_extension("error")).unwrap();
    assert!(error.contains("HTTP 422"), "{error}");
    assert_eq!(
        receiver.requests().len(),
        3,
        "a refused notification is not retried"
    );
}

#[test]
fn slack_format_posts_a_readable_message() {
    let dir = tempfile::tempdir().unwrap();
    communiques(dir.path(), 1);
    let (receiver, port) = Receiver::bind(|_| 200);
    let path = pipeline(dir.path(), port, r#"format = "slack""#);
    let output = run(&path).output().unwrap();
    assert!(output.status.success(), "{}", text(&output).1);
    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 1);
    let body = accepted[0].json();
    assert_eq!(
        body["text"],
        "*[LOW] keyword_seen* · keyword seen\n\
         <https://example.org/c/0|Communiqué 0> — in\n\
         > Ministers met on day 0 to discuss the Sahel."
    );
    assert_eq!(body["blocks"][0]["text"]["text"], body["text"]);
}

#[test]
fn configuration_mistakes_are_reported_at_their_keys() {
    let dir = tempfile::tempdir().unwrap();
    communiques(dir.path(), 1);
    let validate = |extra: &str, url: &str| {
        let path = pipeline(dir.path(), 9, extra);
        let toml = std::fs::read_to_string(&path)
            .unwrap()
            .replace("http://127.0.0.1:9/hook", url);
        std::fs::write(&path, toml).unwrap();
        let output = commwatch()
            .arg("validate")
            .arg(&path)
            .env(SECRET_VAR, SECRET)
            .output()
            .unwrap();
        (output.status.code(), text(&output).1)
    };
    let ok = validate("", "http://127.0.0.1:9/hook");
    assert_eq!(ok.0, Some(0), "{}", ok.1);

    let (code, err) = validate(r#"secret = "hunter2""#, "http://127.0.0.1:9/hook");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("sinks.hook.secret: a literal secret is not accepted"),
        "{err}"
    );
    assert!(
        err.contains("secret_env") && err.contains("secret_file"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "the secret is not echoed: {err}");

    let (code, err) = validate("", "ftp://example.org/x");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("sinks.hook.url: \"ftp://example.org/x\" is not an http:// or https:// URL"),
        "{err}"
    );

    let (_, err) = validate(r#"retry_intial = "1s""#, "http://127.0.0.1:9/hook");
    assert!(
        err.contains("sinks.hook.retry_intial: unknown option")
            && err.contains("did you mean \"retry_initial\""),
        "{err}"
    );

    let (_, err) = validate(r#"group_wait = "soon""#, "http://127.0.0.1:9/hook");
    assert!(
        err.contains("sinks.hook.group_wait: invalid duration \"soon\""),
        "{err}"
    );

    let (_, err) = validate(r#"secret_file = "key.txt""#, "http://127.0.0.1:9/hook");
    assert!(
        err.contains("sinks.hook.secret_file: give either `secret_env` or `secret_file`, not both"),
        "{err}"
    );

    let output = commwatch()
        .arg("validate")
        .arg(pipeline(dir.path(), 9, ""))
        .env_remove(SECRET_VAR)
        .output()
        .unwrap();
    let err = text(&output).1;
    assert!(
        err.contains(&format!(
            "sinks.hook.secret_env: the environment variable {SECRET_VAR} is not set"
        )),
        "{err}"
    );
}
