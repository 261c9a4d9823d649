//! The cost of a plugin call: the same stage run built in (a `Transform` called directly) and
//! loaded from a `.so` through the C ABI, on the same event. The difference is what the boundary
//! costs per event: building the borrowed view, the indirect call, and copying what comes back.
//!
//! `cargo bench -p commwatch-plugin-host --bench plugin_call`

use std::hint::black_box;
use std::sync::Arc;

use commwatch_core::{Communique, Origin, Outcome, Span, StageError, Transform};
use commwatch_plugin_host::{PanicPolicy, Plugin, PluginStage};
use commwatch_testkit::{plugin_file, rust_plugins};
use criterion::{Criterion, criterion_group, criterion_main};

/// A built-in stage doing nothing, the twin of the `fixture-noop` plugin.
struct BuiltinNoop;

impl Transform for BuiltinNoop {
    fn process(&mut self, _event: &mut Communique) -> Result<Outcome, StageError> {
        Ok(Outcome::Keep)
    }
}

/// A built-in stage tagging a keyword, the twin of the `fixture-good` plugin.
struct BuiltinKeyword(String);

impl Transform for BuiltinKeyword {
    fn process(&mut self, event: &mut Communique) -> Result<Outcome, StageError> {
        let spans: Vec<Span> = event
            .raw
            .match_indices(self.0.as_str())
            .map(|(start, w)| Span {
                kind: "keyword".into(),
                id: self.0.as_str().into(),
                label: self.0.as_str().into(),
                start,
                end: start + w.len(),
                detail: None,
            })
            .collect();
        event.spans.extend(spans);
        Ok(Outcome::Keep)
    }
}

/// A 10 KB communiqué with 20 spans and 10 metadata pairs, as in the ABI study.
fn event() -> Communique {
    let text =
        "The Ministers reaffirmed their support for the Sahel and Lake Chad Basin. ".repeat(140);
    let mut ev = Communique::new(Some("bench".into()), Origin::default(), text);
    for i in 0..20 {
        ev.spans.push(Span {
            kind: "country".into(),
            id: "ML".into(),
            label: "Mali".into(),
            start: i * 10,
            end: i * 10 + 4,
            detail: None,
        });
    }
    for i in 0..10 {
        ev.metadata.insert(format!("key{i}"), format!("value{i}"));
    }
    ev
}

fn bench(c: &mut Criterion) {
    let dir = rust_plugins(&["fixture-noop", "fixture-good"]);
    let load = |name: &str, config: &str| {
        let plugin = Plugin::load(&dir.join(plugin_file(name)), None).expect("plugin loads");
        PluginStage::new(plugin, Arc::from(config), PanicPolicy::Restart).expect("instance")
    };
    let base = event();

    let mut group = c.benchmark_group("plugin_call");
    let mut builtin = BuiltinNoop;
    let mut ev = base.clone();
    group.bench_function("noop/builtin", |b| {
        b.iter(|| builtin.process(black_box(&mut ev)))
    });
    let mut plugin = load("fixture-noop", "{}");
    let mut ev = base.clone();
    group.bench_function("noop/plugin", |b| {
        b.iter(|| plugin.process(black_box(&mut ev)))
    });

    // Tagging a keyword that occurs 140 times: the spans come back through the callbacks.
    let mut builtin = BuiltinKeyword("Sahel".into());
    group.bench_function("keyword/builtin", |b| {
        b.iter_batched_ref(
            || base.clone(),
            |ev| builtin.process(black_box(ev)),
            criterion::BatchSize::SmallInput,
        )
    });
    let mut plugin = load("fixture-good", r#"{"keyword":"Sahel"}"#);
    group.bench_function("keyword/plugin", |b| {
        b.iter_batched_ref(
            || base.clone(),
            |ev| plugin.process(black_box(ev)),
            criterion::BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
