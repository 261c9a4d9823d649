//! The alertmanager sink against a real Prometheus Alertmanager: the default pipeline, with an
//! `alertmanager` sink added from the command line, puts the sample communiqué's alerts into
//! Alertmanager with our labels and annotations.
//!
//! Needs `prometheus-alertmanager` (Debian) or `alertmanager` on the PATH; without it the test
//! prints `SKIP` and passes, unless `COMMWATCH_REQUIRE_SERVICES=1`.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{commwatch, text};
use serde_json::Value;

const SEED: &str = "coalition-ministerial-2021-06-28.txt";

/// Generous bound for a service to come up.
const LIVENESS: Duration = Duration::from_secs(60);

/// The Alertmanager binary, if installed.
fn alertmanager_binary() -> Option<PathBuf> {
    let debian = PathBuf::from("/usr/bin/prometheus-alertmanager");
    if debian.is_file() {
        return Some(debian);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["prometheus-alertmanager", "alertmanager"]
                .into_iter()
                .map(move |name| dir.join(name))
        })
        .find(|p| p.is_file())
}

/// Kills and reaps Alertmanager when the test ends, panicking or not.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A plain HTTP/1.0 GET (no chunked answers): the status and the body.
fn get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    Ok((status, body))
}

/// Starts Alertmanager on `port` with a one-receiver configuration and waits until it is ready.
fn start_alertmanager(binary: &Path, port: u16, dir: &Path) -> Service {
    let config = dir.join("alertmanager.yml");
    std::fs::write(
        &config,
        "route:\n  receiver: \"null\"\nreceivers:\n  - name: \"null\"\n",
    )
    .unwrap();
    let log = std::fs::File::create(dir.join("alertmanager.log")).unwrap();
    let child = Command::new(binary)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start alertmanager");
    let mut service = Service(child);
    let start = Instant::now();
    loop {
        if let Ok((200, _)) = get(port, "/-/ready") {
            return service;
        }
        if let Some(status) = service.0.try_wait().unwrap() {
            let log = std::fs::read_to_string(dir.join("alertmanager.log")).unwrap_or_default();
            panic!("alertmanager exited with {status}:\n{log}");
        }
        assert!(
            start.elapsed() < LIVENESS,
            "alertmanager did not become ready"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_default_pipeline_sends_the_sample_alerts_to_alertmanager() {
    let Some(binary) = alertmanager_binary() else {
        if std::env::var("COMMWATCH_REQUIRE_SERVICES").as_deref() == Ok("1") {
            panic!(
                "prometheus-alertmanager not installed, and COMMWATCH_REQUIRE_SERVICES=1 requires it"
            );
        }
        eprintln!("SKIP: prometheus-alertmanager not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _alertmanager = start_alertmanager(&binary, port, dir.path());

    let output = commwatch()
        .args(["run", "pipeline.toml"])
        .arg("--set")
        .arg(format!(
            "sinks.alerts.path={}",
            dir.path().join("alerts.jsonl").display()
        ))
        .arg("--set")
        .arg(format!(
            "pipeline.dead_letter={}",
            dir.path().join("dead.jsonl").display()
        ))
        .args([
            "--set",
            "sinks.am.type=alertmanager",
            "--set",
            r#"sinks.am.inputs=["alert"]"#,
        ])
        .arg("--set")
        .arg(format!("sinks.am.url=http://127.0.0.1:{port}"))
        .arg("--set")
        .arg(format!(
            "sinks.am.spool_dir={}",
            dir.path().join("spool").display()
        ))
        .args(["--set", "sinks.am.drain_timeout=60s"])
        .args(common::default_pipeline_overrides(dir.path()))
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "stderr:\n{stderr}");
    assert!(
        !stderr.contains("not delivered"),
        "every notification was accepted:\n{stderr}"
    );

    let (status, body) = get(port, "/api/v2/alerts").unwrap();
    assert_eq!(status, 200, "{body}");
    let alerts: Vec<Value> = serde_json::from_str(&body).unwrap();
    let seed: Vec<&Value> = alerts
        .iter()
        .filter(|a| {
            a["annotations"]["communique_uri"]
                .as_str()
                .is_some_and(|u| u.ends_with(SEED))
        })
        .collect();
    assert!(
        !seed.is_empty(),
        "no alert of the sample communiqué: {body}"
    );

    let accession = seed
        .iter()
        .find(|a| {
            a["labels"]["alertname"] == "new_member_accession" && a["labels"]["country"] == "MR"
        })
        .unwrap_or_else(|| panic!("no accession alert for MR: {seed:#?}"));
    let labels = &accession["labels"];
    assert_eq!(labels["severity"], "high");
    assert_eq!(labels["organization"], "d-isis-coalition");
    assert!(
        labels["communique"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert!(!labels["fingerprint_commwatch"].as_str().unwrap().is_empty());
    let annotations = &accession["annotations"];
    assert!(
        !annotations["summary"].as_str().unwrap().is_empty(),
        "{annotations}"
    );
    assert_eq!(annotations["source"], "communiques");
    let title = annotations["communique_title"].as_str().unwrap();
    assert!(!title.is_empty());
    let description = annotations["description"].as_str().unwrap();
    // The title, then the first evidence in context, quoted.
    assert!(
        description.starts_with(&format!("{title}\n\"")) && description.ends_with('"'),
        "{description}"
    );
    assert_eq!(accession["status"]["state"], "active");
    let starts = chrono_free_seconds(accession["startsAt"].as_str().unwrap());
    let ends = chrono_free_seconds(accession["endsAt"].as_str().unwrap());
    assert_eq!(ends - starts, 24 * 3600, "resolve_after defaults to 24h");

    let threats: Vec<&&Value> = seed
        .iter()
        .filter(|a| a["labels"]["alertname"] == "regional_threat")
        .collect();
    assert!(!threats.is_empty(), "no regional_threat alert: {seed:#?}");
    assert!(threats.iter().all(|a| a["labels"]["group"] == "isis"));
}

/// Seconds since an arbitrary epoch of an RFC 3339 UTC time (`2026-01-02T03:04:05.678Z`), enough
/// to subtract two of them within a few days of each other.
fn chrono_free_seconds(time: &str) -> i64 {
    let n = |range: std::ops::Range<usize>| time[range].parse::<i64>().unwrap();
    let (year, month, day) = (n(0..4), n(5..7), n(8..10));
    let (hour, minute, second) = (n(11..13), n(14..16), n(17..19));
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 24 + hour) * 60 + minute) * 60 + second
}
