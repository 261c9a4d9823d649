//! `commwatch bench --rules` end to end, on a tiny corpus: a pipeline of the built-in stages
//! (normalize → tag → rules) runs once per generated pack, and the report has a row for each.

use std::path::PathBuf;

use commwatch_bench::{BenchOptions, Placement, run};

const PIPELINE: &str = r#"
[sources.docs]
type = "files"
paths = ["*.txt"]

[stages.normalize]
type = "normalize"
inputs = ["docs"]

[stages.tag]
type = "tag"
inputs = ["normalize"]

[stages.alert]
type = "rules"
inputs = ["tag"]
rules = ["own.toml"]

[sinks.out]
type = "jsonl"
inputs = ["alert"]
path = "alerts.jsonl"
content = "alerts"
"#;

/// The pipeline's own rules, for the main run; the rule-scaling runs replace them.
const OWN_RULES: &str = r#"
[[rule]]
id = "own"
query = "sanctions"
severity = "low"
summary = "{title}"
"#;

fn examples() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/communiques"
    ))
}

#[test]
fn every_rule_count_gets_a_row_and_the_generated_rules_fire() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    std::fs::write(&pipeline, PIPELINE).unwrap();
    std::fs::write(dir.path().join("own.toml"), OWN_RULES).unwrap();
    let work_dir = dir.path().join("work");
    std::fs::create_dir_all(&work_dir).unwrap();
    let options = BenchOptions {
        pipeline,
        corpus: Some(examples()),
        size: 200_000,
        threads: vec![1],
        half_load: false,
        rules: vec![1_000, 10],
        pin: true,
        sets: Vec::new(),
        work_dir,
    };
    let report = run(&options).unwrap();

    let counts: Vec<usize> = report.rule_scaling.iter().map(|r| r.rules).collect();
    assert_eq!(counts, [1_000, 10], "one row per count, in the order asked");
    for row in &report.rule_scaling {
        assert_eq!(row.threads, 1);
        assert_eq!(row.placement, report.runs[0].placement);
        assert!(row.literals > 0 && row.build_ms > 0.0, "{row:?}");
        assert!(row.pipeline.docs > 0 && row.pipeline_mb_s > 0.0, "{row:?}");
        assert!(row.rules_cpu_us > 0.0, "the rules stage is found: {row:?}");
        assert_eq!(row.pipeline.dead_lettered, 0);
        // No other stage raises alerts in this pipeline.
        assert_eq!(row.rule_alerts, row.pipeline.alerts);
    }
    let small = &report.rule_scaling[1];
    assert_eq!(small.ratio, 1.0, "ratios are to the smallest pack");
    assert!(
        report.rule_scaling.iter().any(|r| r.rule_alerts > 0),
        "the generated rules fire on real communiqués"
    );
    assert!(report.rule_scaling[0].literals > small.literals);

    if cfg!(target_os = "linux") {
        assert_eq!(
            report.runs[0].placement,
            Placement::Pinned {
                cpus: vec![report.runs[0].placement.cpus().unwrap()[0]]
            }
        );
    }
    let text = report.to_string();
    assert!(text.contains("rules: generated packs"), "{text}");
    assert!(
        text.contains("pinned to 1 core") || text.contains("unpinned"),
        "{text}"
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["rule_scaling"][0]["rules"], 1_000);
}

#[test]
fn a_pipeline_without_a_rules_stage_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = dir.path().join("pipeline.toml");
    let without = PIPELINE
        .replace(
            "[stages.alert]\ntype = \"rules\"\ninputs = [\"tag\"]\nrules = [\"own.toml\"]\n",
            "",
        )
        .replace("inputs = [\"alert\"]", "inputs = [\"tag\"]");
    std::fs::write(&pipeline, without).unwrap();
    let options = BenchOptions {
        pipeline,
        corpus: Some(examples()),
        size: 10_000,
        threads: vec![1],
        half_load: false,
        rules: vec![10],
        pin: false,
        sets: Vec::new(),
        work_dir: dir.path().to_path_buf(),
    };
    let error = run(&options).unwrap_err().to_string();
    assert!(error.contains("no stage of type \"rules\""), "{error}");
}

#[test]
fn too_many_rules_are_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let options = BenchOptions {
        pipeline: dir.path().join("missing.toml"),
        corpus: Some(examples()),
        size: 10_000,
        threads: vec![1],
        half_load: false,
        rules: vec![commwatch_rules::synthetic::MAX_RULES + 1],
        pin: false,
        sets: Vec::new(),
        work_dir: dir.path().to_path_buf(),
    };
    let error = run(&options).unwrap_err().to_string();
    assert!(error.contains("at most"), "{error}");
}
