//! Ingestion of real-world files end to end: scraped HTML pages, legacy encodings, feed files,
//! and files that cannot be used (binary, oversized), which are dead-lettered while the rest of
//! the run goes on.

mod common;

use std::path::{Path, PathBuf};

use common::{commwatch, pipeline_file, read_jsonl, text};
use serde_json::Value;

/// A fixture from tests/fixtures/ingest.
fn fixture(name: &str) -> PathBuf {
    common::root().join("tests/fixtures/ingest").join(name)
}

/// Runs files → normalize → tag → jsonl (events) on `inbox/` under `dir`, with extra options
/// for the files source; returns the events, the dead letters and stderr.
fn run_files(dir: &Path, options: &str) -> (Vec<Value>, Vec<Value>, String) {
    let path = pipeline_file(
        dir,
        &format!(
            r#"
[pipeline]
dead_letter = "dead.jsonl"

[sources.in]
type = "files"
paths = ["inbox"]
{options}

[stages.normalize]
type = "normalize"
inputs = ["in"]

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
    let output = commwatch().arg("run").arg(&path).output().unwrap();
    let (_, stderr) = text(&output);
    assert!(
        output.status.success(),
        "exit {:?}: {stderr}",
        output.status
    );
    (
        read_jsonl(&dir.join("out.jsonl")),
        read_jsonl(&dir.join("dead.jsonl")),
        stderr,
    )
}

fn copy_into_inbox(dir: &Path, names: &[&str]) {
    let inbox = dir.join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    for name in names {
        std::fs::copy(fixture(name), inbox.join(name)).unwrap();
    }
}

/// The ids of the countries tagged in an event.
fn tagged(event: &Value) -> Vec<&str> {
    event["spans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "country")
        .map(|s| s["id"].as_str().unwrap())
        .collect()
}

#[test]
fn an_html_page_reaches_the_sink_as_its_article_text() {
    let dir = tempfile::tempdir().unwrap();
    copy_into_inbox(dir.path(), &["news_page.html"]);
    let (events, dead, _) = run_files(dir.path(), "");
    assert!(dead.is_empty(), "{dead:#?}");
    assert_eq!(events.len(), 1);
    let ev = &events[0];
    let raw = ev["raw"].as_str().unwrap();

    assert!(
        raw.starts_with("Joint communiqué on the situation in Côte d’Ivoire"),
        "{raw}"
    );
    assert!(
        raw.contains("The Ministers of Foreign Affairs of Ghana and Côte d’Ivoire met in Accra")
    );
    assert!(
        raw.contains("\n\nBoth ministers condemned the attacks"),
        "{raw}"
    );
    for furniture in [
        "cookies",
        "Press releases",
        "You are here",
        "Share on",
        "Related statements",
        "Leave a comment",
        "Most read",
        "Subscribe",
        "All rights reserved",
        "trackPageView",
        "dataLayer",
        "font-family",
    ] {
        assert!(
            !raw.contains(furniture),
            "{furniture:?} leaked into:\n{raw}"
        );
    }
    assert_eq!(
        ev["title"],
        "Joint communiqué on the situation in Côte d’Ivoire"
    );
    assert_eq!(ev["published"], "2024-03-14");
    assert_eq!(ev["metadata"]["format"], "html");
    assert_eq!(ev["metadata"]["encoding"], "UTF-8");
    assert_eq!(
        ev["metadata"]["url"],
        "https://mfa.example.org/press/2024/03/joint-communique-cote-divoire"
    );
    assert!(
        ev["origin"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/inbox/news_page.html")
    );

    // Only the article's countries are tagged, at offsets into the extracted text; the ones in
    // the menu, the sidebar, the comments and the scripts are gone with them.
    let ids = tagged(ev);
    assert!(ids.contains(&"CI") && ids.contains(&"GH"), "{ids:?}");
    for furniture_country in ["DZ", "AO", "DE", "BR", "RU", "FR", "NG", "ML"] {
        assert!(!ids.contains(&furniture_country), "{ids:?}");
    }
    for span in ev["spans"].as_array().unwrap() {
        let (start, end) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        if span["id"] == "GH" {
            assert!(raw[start..end].ends_with("Ghana"), "{}", &raw[start..end]);
        }
    }
}

#[test]
fn legacy_encodings_are_decoded_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    copy_into_inbox(
        dir.path(),
        &["cote_divoire_cp1252.txt", "cote_divoire_utf16le.txt"],
    );
    let (events, dead, _) = run_files(dir.path(), "");
    assert!(dead.is_empty(), "{dead:#?}");
    assert_eq!(events.len(), 2);
    for (ev, encoding, neighbour) in [
        (&events[0], "windows-1252", "SN"),
        (&events[1], "UTF-16LE", "LR"),
    ] {
        let raw = ev["raw"].as_str().unwrap();
        assert!(
            raw.starts_with("Joint statement on Côte d’Ivoire\n"),
            "{raw:?}"
        );
        assert!(!raw.contains('\u{fffd}'));
        assert_eq!(ev["title"], "Joint statement on Côte d’Ivoire");
        assert_eq!(ev["metadata"]["encoding"], encoding);
        assert_eq!(ev["metadata"]["format"], "text");
        assert!(ev["metadata"].get("decode_replacements").is_none());
        let ids = tagged(ev);
        assert_eq!(ids.iter().filter(|id| **id == "CI").count(), 2, "{ids:?}");
        assert!(ids.contains(&neighbour), "{ids:?}");
    }

    // Forcing the wrong encoding damages the text, and the damage is counted. (A new state
    // store: the one of the first run records the file as done.)
    std::fs::remove_file(dir.path().join("out.jsonl")).unwrap();
    std::fs::remove_file(dir.path().join("state.db")).unwrap();
    std::fs::remove_file(dir.path().join("inbox/cote_divoire_utf16le.txt")).unwrap();
    let (events, _, _) = run_files(dir.path(), r#"encoding = "utf-8""#);
    assert_eq!(events[0]["metadata"]["encoding"], "UTF-8");
    assert_eq!(events[0]["metadata"]["decode_replacements"], "4");
}

#[test]
fn feed_files_become_one_communique_per_entry() {
    let dir = tempfile::tempdir().unwrap();
    copy_into_inbox(dir.path(), &["statements.atom"]);
    let (events, dead, _) = run_files(dir.path(), "");
    assert!(dead.is_empty(), "{dead:#?}");
    let ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "urn:uuid:5b1c8a52-0f39-4a39-9b7a-3a1c2b4d0001",
            "urn:uuid:5b1c8a52-0f39-4a39-9b7a-3a1c2b4d0002"
        ]
    );
    assert_eq!(events[0]["metadata"]["feed"], "African Union statements");
    assert_eq!(events[0]["title"], "Communiqué on Sudan");
    assert!(tagged(&events[0]).contains(&"SD"));
    assert!(tagged(&events[1]).contains(&"CI"));
}

#[test]
fn binary_and_oversized_files_are_dead_lettered_and_the_rest_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(inbox.join("a.txt"), "Statement on Mali.").unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    png.extend(std::iter::repeat_n(0xA5u8, 500));
    std::fs::write(inbox.join("b-scan.txt"), &png).unwrap();
    std::fs::write(inbox.join("c-huge.txt"), "Niger. ".repeat(300)).unwrap();
    std::fs::write(inbox.join("d.txt"), "Statement on Chad.").unwrap();

    let (events, dead, stderr) = run_files(dir.path(), "max_bytes = 1000");
    let raws: Vec<&str> = events.iter().map(|e| e["raw"].as_str().unwrap()).collect();
    assert_eq!(raws, ["Statement on Mali.", "Statement on Chad."]);

    assert_eq!(dead.len(), 2, "{dead:#?}");
    let binary = inbox.join("b-scan.txt").display().to_string();
    let huge = inbox.join("c-huge.txt").display().to_string();
    assert_eq!(dead[0]["component"], "in");
    assert_eq!(dead[0]["location"], binary.as_str());
    assert_eq!(
        dead[0]["error"],
        format!("{binary}: looks like a binary file (NUL byte at offset 8); not read").as_str()
    );
    assert_eq!(dead[1]["location"], huge.as_str());
    assert_eq!(
        dead[1]["error"],
        format!("{huge}: 2100 bytes, over the limit of 1000 (max_bytes)").as_str()
    );
    assert!(stderr.contains("2 input record(s) rejected"), "{stderr}");
}

#[test]
fn options_are_validated_with_their_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("inbox")).unwrap();
    std::fs::write(dir.path().join("inbox/a.txt"), "a").unwrap();
    let check = |options: &str| {
        let path = pipeline_file(
            dir.path(),
            &format!(
                "[sources.in]\ntype = \"files\"\n{options}\n\n\
                 [sinks.out]\ntype = \"jsonl\"\ninputs = [\"in\"]\npath = \"-\"\n"
            ),
        );
        let output = commwatch().arg("validate").arg(&path).output().unwrap();
        (output.status.code(), text(&output).1)
    };
    let (code, err) = check("paths = [\"inbox\"]\nencoding = \"klingon\"");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("sources.in.encoding") && err.contains("klingon"),
        "{err}"
    );
    let (code, err) = check("paths = [\"inbox\"]\nformat = \"pdf\"");
    assert_eq!(code, Some(2));
    assert!(err.contains("sources.in.format"), "{err}");
    let (code, err) = check("paths = [\"inbox\"]\nmax_bytes = 0");
    assert_eq!(code, Some(2));
    assert!(err.contains("sources.in.max_bytes"), "{err}");
    // Watching: nothing needs to match yet, but the directory must exist.
    let (code, err) = check("paths = [\"inbox/*.html\"]\nwatch = true");
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = check("paths = [\"outbox/*.html\"]\nwatch = true");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("sources.in.paths")
            && err.contains("outbox")
            && err.contains("does not exist"),
        "{err}"
    );
    let (code, err) = check("paths = [\"inbox/*.html\"]");
    assert_eq!(code, Some(2));
    assert!(err.contains("no file matches"), "{err}");
}
