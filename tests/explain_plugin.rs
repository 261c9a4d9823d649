//! `commwatch explain --plugin STAGE DOC`: the real binary, the bundled accession plugin loaded
//! from its `.so`, on a document with one completed and one pending accession.

mod common;

use common::{commwatch, plugin_dirs_override, text};

#[test]
fn explain_plugin_shows_kept_and_dropped_cues_with_their_roles() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("doc.txt");
    std::fs::write(
        &doc,
        "Sweden will become a member of NATO soon. Finland joined NATO in April 2023.\n",
    )
    .unwrap();
    let out = commwatch()
        .args(["explain", "--plugin", "accession"])
        .arg(&doc)
        .args(plugin_dirs_override())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    // The completed accession is an alert, with its roles.
    assert!(
        stdout.contains("[high] Finland joins North Atlantic Treaty Organization"),
        "{stdout}"
    );
    assert!(stdout.contains("member=FI"), "{stdout}");
    assert!(stdout.contains("kept: members FI joined nato"), "{stdout}");
    assert!(
        stdout.contains("Finland [[joined]] NATO in April 2023."),
        "{stdout}"
    );
    // The pending one is a cue dropped with its reason.
    assert!(stdout.contains("dropped: "), "{stdout}");
    assert!(!stdout.contains("Sweden joins"), "{stdout}");
}

#[test]
fn explain_plugin_names_an_unknown_stage() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("doc.txt");
    std::fs::write(&doc, "Finland joined NATO.\n").unwrap();
    let out = commwatch()
        .args(["explain", "--plugin", "acession"])
        .arg(&doc)
        .args(plugin_dirs_override())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("acession"), "{stderr}");
}
