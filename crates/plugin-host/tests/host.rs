//! The plugin host against real plugins loaded from real `.so` files: Rust fixtures built with
//! the SDK, and C plugins built with `cc` against the generated header.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use commwatch_core::{Communique, Origin, Outcome, Transform};
use commwatch_plugin_host::{LoadError, PanicPolicy, Plugin, PluginStage};
use commwatch_testkit::{c_plugin, plugin_file, rust_plugins};

const FIXTURES: &[&str] = &["fixture-good", "fixture-panicky", "fixture-garbage"];

fn rust_fixture(package: &str) -> PathBuf {
    rust_plugins(FIXTURES).join(plugin_file(package))
}

/// C plugins, compiled once into a temporary directory kept for the whole test run.
fn c_fixture(variant: &str) -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"));
    let path = dir.path().join(format!("lib{variant}.so"));
    if !path.exists() {
        if variant == "acronym" {
            c_plugin("plugins/c-example/acronym.c", variant, &[], dir.path());
        } else {
            c_plugin(
                "plugins/fixtures/c/variants.c",
                variant,
                &[variant],
                dir.path(),
            );
        }
    }
    path
}

fn event(text: &str) -> Communique {
    Communique::new(Some("ev-1".into()), Origin::default(), text.to_string())
}

fn stage(path: &std::path::Path, config: &str, policy: PanicPolicy) -> PluginStage {
    let plugin = Plugin::load(path, None).expect("plugin loads");
    PluginStage::new(plugin, Arc::from(config), policy).expect("instance")
}

#[test]
fn good_plugin_reports_itself_and_its_spans_alerts_and_metadata_arrive_with_offsets() {
    let path = rust_fixture("fixture-good");
    let plugin = Plugin::load(&path, None).unwrap();
    assert_eq!((plugin.name(), plugin.version()), ("good", "1.2.3"));
    assert_eq!(plugin.abi(), (1, 0));
    assert_eq!(
        plugin.capability_names(),
        ["panic-unwind", "emits-spans", "emits-alerts"]
    );
    assert!(plugin.config_schema().contains("keyword"));

    let mut stage = PluginStage::new(
        plugin,
        Arc::from(r#"{"keyword":"Sahel"}"#),
        PanicPolicy::Restart,
    )
    .unwrap();
    let mut ev = event("Forces in the Sahel — the Sahel again, and Mali.");
    assert_eq!(stage.process(&mut ev).unwrap(), Outcome::Keep);
    let spans: Vec<(&str, &str)> = ev
        .spans
        .iter()
        .map(|s| (&*s.kind, ev.span_text(s)))
        .collect();
    assert_eq!(spans, [("keyword", "Sahel"), ("keyword", "Sahel")]);
    assert_eq!(ev.alerts.len(), 1);
    let alert = &ev.alerts[0];
    assert_eq!(alert.rule, "keyword_seen");
    assert_eq!(alert.labels["keyword"], "Sahel");
    assert_eq!(alert.communique, "ev-1");
    assert_eq!(alert.evidence.len(), 2);
    assert_eq!(
        alert.fingerprint,
        commwatch_core::fingerprint("keyword_seen", [("keyword", "Sahel")])
    );
    assert_eq!(ev.metadata["good.count"], "2");
}

#[test]
fn configuration_rejected_by_the_plugin_names_the_key() {
    let plugin = Plugin::load(&rust_fixture("fixture-good"), None).unwrap();
    let err = PluginStage::new(
        Arc::clone(&plugin),
        Arc::from(r#"{"keyword":""}"#),
        PanicPolicy::Restart,
    )
    .err()
    .expect("rejected");
    assert!(matches!(err, LoadError::Config { .. }));
    assert!(
        err.to_string()
            .contains("plugin good rejected its configuration: config.keyword: must not be empty"),
        "{err}"
    );
    let err = PluginStage::new(plugin, Arc::from(r#"{"keywrd":"x"}"#), PanicPolicy::Restart)
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("config.keywrd: unknown field `keywrd`, expected `keyword`"),
        "{err}"
    );
}

#[test]
fn a_panic_is_contained_reported_and_the_instance_replaced() {
    let path = rust_fixture("fixture-panicky");
    let mut stage = stage(&path, "{}", PanicPolicy::DeadLetter);
    let mut ok = event("fine");
    assert_eq!(stage.process(&mut ok).unwrap(), Outcome::Keep);
    assert_eq!(ok.metadata["panicky.calls"], "1");

    let mut bad = event("PANIC now");
    let err = stage.process(&mut bad).unwrap_err();
    assert!(!err.is_fatal());
    let message = err.to_string();
    assert!(
        message.contains("plugin panicky panicked: index out of bounds"),
        "{message}"
    );
    assert!(
        message.contains("src/lib.rs"),
        "the location is reported: {message}"
    );

    // A fresh instance (call count restarted) handles the next event.
    let mut next = event("fine again");
    assert_eq!(stage.process(&mut next).unwrap(), Outcome::Keep);
    assert_eq!(next.metadata["panicky.calls"], "1");

    // An error status dead-letters the event but keeps the instance.
    let err = stage.process(&mut event("ERROR here")).unwrap_err();
    assert!(
        err.to_string()
            .contains("plugin panicky: this event says ERROR"),
        "{err}"
    );
    let mut after = event("fine");
    stage.process(&mut after).unwrap();
    assert_eq!(after.metadata["panicky.calls"], "3");
}

#[test]
fn panic_policies_restart_retries_once_and_stop_is_fatal() {
    let path = rust_fixture("fixture-panicky");
    let mut restart = stage(&path, "{}", PanicPolicy::Restart);
    let err = restart.process(&mut event("PANIC")).unwrap_err();
    assert!(!err.is_fatal() && err.to_string().contains("panicked"));
    let mut stop = stage(&path, "{}", PanicPolicy::Stop);
    let err = stop.process(&mut event("PANIC")).unwrap_err();
    assert!(err.is_fatal(), "stop policy makes the error fatal");
}

#[test]
fn garbage_spans_are_refused_and_nothing_from_the_call_is_applied() {
    let path = rust_fixture("fixture-garbage");
    let mut stage = stage(&path, "{}", PanicPolicy::Restart);
    let mut ev = event("no accents here");
    let err = stage.process(&mut ev).unwrap_err();
    assert!(
        err.to_string()
            .contains("plugin garbage emitted an invalid span 0..25 (the text is 15 bytes)"),
        "{err}"
    );
    assert!(
        ev.spans.is_empty(),
        "the valid span of the same call was not applied"
    );

    let mut ev = event("Café");
    let err = stage.process(&mut ev).unwrap_err();
    assert!(
        err.to_string()
            .contains("not on UTF-8 character boundaries"),
        "{err}"
    );
    assert!(ev.spans.is_empty());
}

#[test]
fn load_failures_are_refused_with_precise_messages() {
    let check = |path: PathBuf, expected: &str| {
        let err = Plugin::load(&path, None).expect_err("refused");
        let text = err.to_string();
        assert!(
            text.starts_with(&path.display().to_string()),
            "names the file: {text}"
        );
        assert!(
            text.contains(expected),
            "{text}\n  should contain: {expected}"
        );
    };
    check(
        PathBuf::from("/nonexistent/libnothing.so"),
        "cannot open the plugin file",
    );
    check(
        c_fixture("NOT_A_PLUGIN"),
        "not a commwatch stage plugin (no symbol commwatch_stage_descriptor_v1)",
    );
    check(
        c_fixture("FUTURE_MAJOR"),
        "built for stage ABI v2, this host supports ABI v1",
    );
    check(
        c_fixture("NEWER_MINOR"),
        "needs stage ABI 1.1, this host has ABI 1.0",
    );
    check(
        c_fixture("BAD_LAYOUT"),
        "ABI layout hash mismatch: plugin 0x1ea7b9269fe965f1, host 0x1ea7b9269fe965f0",
    );
    check(
        c_fixture("BAD_MAGIC"),
        "magic is 0x0000000000001234, expected 0x45474154535",
    );
    check(
        c_fixture("NO_UNWIND"),
        "built without unwinding (panic = \"abort\")",
    );
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("not-a-library.so");
    std::fs::write(&text, "just text").unwrap();
    check(text, "not a loadable shared library");
}

#[test]
fn sha256_pins_and_writable_files_are_refused_before_loading() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("libcopy.so");
    std::fs::copy(rust_fixture("fixture-good"), &copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    let wrong = "0".repeat(64);
    let err = Plugin::load(&copy, Some(&wrong)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "sha256 mismatch: the pipeline pins {wrong}, the file is "
        )),
        "{text}"
    );
    let actual = match err {
        LoadError::Sha256Mismatch { actual, .. } => actual,
        other => panic!("{other}"),
    };
    assert_eq!(
        Plugin::load(&copy, Some(&actual.to_uppercase()))
            .unwrap()
            .sha256(),
        actual
    );

    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o666)).unwrap();
    let err = Plugin::load(&copy, None).unwrap_err();
    assert!(
        err.to_string()
            .contains("group- or world-writable (mode 666)"),
        "{err}"
    );
}

#[test]
fn the_c_example_plugin_runs_end_to_end() {
    let path = c_fixture("acronym");
    let plugin = Plugin::load(&path, None).unwrap();
    assert_eq!((plugin.name(), plugin.version()), ("acronym", "1.0.0"));
    let mut stage = PluginStage::new(
        Arc::clone(&plugin),
        Arc::from(r#"{"min_length": 3}"#),
        PanicPolicy::Restart,
    )
    .unwrap();
    let mut ev = event("NATO and the EU met ECOWAS in Abuja; UNSCR2254 is not a word.");
    stage.process(&mut ev).unwrap();
    let found: Vec<&str> = ev.spans.iter().map(|s| ev.span_text(s)).collect();
    assert_eq!(found, ["NATO", "ECOWAS"]);
    let err = PluginStage::new(
        plugin,
        Arc::from(r#"{"min_length": 1}"#),
        PanicPolicy::Restart,
    )
    .err()
    .unwrap();
    assert!(
        err.to_string()
            .contains("config.min_length: expected an integer of at least 2"),
        "{err}"
    );
}

#[test]
fn many_threads_each_with_their_own_instance_give_exact_counts() {
    let plugin = Plugin::load(&rust_fixture("fixture-good"), None).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let plugin = Arc::clone(&plugin);
            std::thread::spawn(move || {
                let mut stage = PluginStage::new(
                    plugin,
                    Arc::from(r#"{"keyword":"x"}"#),
                    PanicPolicy::Restart,
                )
                .unwrap();
                let mut spans = 0;
                for i in 0..2000 {
                    let mut ev = event(&"x ".repeat(1 + (i + t) % 5));
                    stage.process(&mut ev).unwrap();
                    spans += ev.spans.len();
                }
                spans
            })
        })
        .collect();
    let total: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let expected: usize = (0..4)
        .map(|t| (0..2000).map(|i| 1 + (i + t) % 5).sum::<usize>())
        .sum();
    assert_eq!(total, expected);
}
