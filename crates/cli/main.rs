//! The `commwatch` command: flag parsing and wiring, nothing else.
//!
//! Reading and checking `pipeline.toml` is `commwatch-pipeline`'s job, running the graph is
//! `commwatch-runtime`'s; this file turns flags into calls to them and results into exit codes:
//! 0 for a clean run, 1 when a run lost or could not deliver something, 2 for a configuration
//! error.

mod eval_cmd;
mod plugin_explain;
mod rules_cmd;
mod scaffold;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use commwatch_pipeline::{DeadLetterTarget, Pipeline};
use commwatch_runtime::{RunReport, Shutdown};
use tracing_subscriber::EnvFilter;

/// Watches streams of diplomatic communiqués, press releases and news wires, and raises alerts
/// when something you care about happens.
#[derive(Debug, Parser)]
#[command(name = "commwatch", version, propagate_version = true)]
struct Cli {
    /// Log level (error, warn, info, debug, trace) or a tracing filter such as
    /// `commwatch_runtime=debug`. Overrides RUST_LOG. Logs go to standard error.
    #[arg(long, global = true, value_name = "LEVEL")]
    log_level: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs a pipeline until its input ends (or SIGINT/SIGTERM), then drains and flushes.
    ///
    /// The first SIGINT or SIGTERM stops the sources; everything already read still reaches the
    /// sinks or the dead-letter output, and the process exits 0. A second signal exits at once.
    Run(RunArgs),
    /// Checks a pipeline file without running it: component types and options, referenced
    /// files, rule and gazetteer files, and the graph's shape. Exits non-zero on any error.
    Validate(PipelineArgs),
    /// Works with native stage plugins.
    #[command(subcommand)]
    Plugins(PluginsCommand),
    /// Creates a new stage plugin crate (a cdylib with a `Stage` implementation and tests) that
    /// builds and loads as generated.
    NewPlugin(NewPluginArgs),
    /// Lists the alert history kept in the SQLite store (the `sqlite` sink), newest first.
    Alerts(AlertsArgs),
    /// Works with rule files.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Runs the rule test cases of a test file (`X.tests.toml`, beside the rules `X.toml`) and
    /// prints a pass/fail table; exits 1 if any case fails.
    Test {
        /// The test file.
        tests: PathBuf,
        /// The rule files to test (default: the `.toml` beside the test file).
        #[arg(long = "rules", value_name = "FILE")]
        rules: Vec<PathBuf>,
    },
    /// Shows why a rule fires or not on a document: each term of its query, where it matched, and
    /// the evidence highlighted in the text (tagged as the default pipeline tags). With
    /// `--plugin STAGE`, why a plugin stage of the pipeline raised its alerts or not: each cue it
    /// read, the roles it kept (actor, place, organization, members) or why it dropped the cue.
    Explain {
        /// The rule id.
        #[arg(long, required_unless_present = "plugin", conflicts_with = "plugin")]
        rule: Option<String>,
        /// The id of a plugin stage of the pipeline (e.g. `accession`, `threats`).
        #[arg(long, value_name = "STAGE")]
        plugin: Option<String>,
        /// The pipeline of the plugin stage.
        #[arg(long, default_value = "pipeline.toml", value_name = "FILE")]
        pipeline: PathBuf,
        /// Overrides a key of the pipeline file (as for `run`). Repeatable.
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
        /// The rule files.
        #[arg(
            long = "rules",
            value_name = "FILE",
            default_value = "examples/rules/default.toml"
        )]
        rules: Vec<PathBuf>,
        /// The document (a text file, or `-` for standard input).
        document: PathBuf,
    },
    /// Measures the whole pipeline end to end (MB/s, communiqués/s, latency, peak memory)
    /// against a raw Aho-Corasick scan of the same bytes in the same process, and prints the
    /// ratio. Release builds only give meaningful numbers.
    Bench(BenchArgs),
    /// Scores a pipeline's alerts and entities against labelled passages (one JSON object per
    /// line, docs/labelling.md): precision, recall, F1, TP/FP/FN per rule and label field.
    ///
    /// Each passage is one event, run through the pipeline's stages on its own: the pipeline's
    /// sources are replaced by the passages, its `alerts` stages (near-duplicates, repeats,
    /// history) and sinks are left out, and nothing is written but --json. Exits 0, 1 when a
    /// threshold is not met, 2 on bad input (labels, thresholds or pipeline).
    Eval(eval_cmd::EvalArgs),
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Parses and compiles rule files; exits 2 with the file, line, column and a caret on error.
    Check {
        /// Rule files, checked together (ids must be unique across them).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
struct AlertsArgs {
    /// The SQLite alert store (the `path` of the pipeline's `sqlite` sink).
    #[arg(long, default_value = "alerts.db")]
    db: PathBuf,

    /// Only alerts raised within this long before now: `90s`, `30m`, `24h`, `7d`.
    #[arg(long, value_name = "DURATION")]
    since: Option<String>,

    /// Only alerts of this rule.
    #[arg(long, value_name = "ID")]
    rule: Option<String>,

    /// At most this many alerts.
    #[arg(long, default_value_t = 100)]
    limit: usize,

    /// One JSON object per line instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// The pipeline whose stages are measured (its source is replaced; its JSONL and SQLite sinks
    /// write into the run directory, its other sinks are left out).
    #[arg(default_value = "pipeline.toml")]
    pipeline: PathBuf,

    /// Documents to cycle through: a folder of .txt/.html files or a JSONL file. Default: the
    /// examples/communiques folder next to the pipeline.
    #[arg(long)]
    corpus: Option<PathBuf>,

    /// Corpus size in megabytes of document text.
    #[arg(long, default_value_t = 50.0)]
    size_mb: f64,

    /// Worker counts to measure, comma-separated. A run with N workers per stage, and its
    /// baseline on N threads, are confined to N CPUs (see --no-pin).
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    threads: Vec<usize>,

    /// Lets every run use every CPU, whatever its worker count (without it, N workers run on N
    /// CPUs, so that one worker is not helped by the other cores and two workers can scale).
    #[arg(long)]
    no_pin: bool,

    /// Rule counts to measure throughput with, comma-separated (e.g. 10,1000,10000,100000): for
    /// each, a generated rule pack replaces the rule files of the pipeline's `rules` stages and
    /// the pipeline runs at the first worker count; reports the pack's build time, MB/s, the
    /// ratio to the smallest pack, rules-stage CPU per document, alerts and peak RSS.
    #[arg(long, value_delimiter = ',', value_name = "COUNTS")]
    rules: Vec<usize>,

    /// Also measure latency at half the maximum throughput.
    #[arg(long)]
    half_load: bool,

    /// Writes the report as JSON to this file too.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,

    /// Overrides a key of the derived pipeline (as for `run`). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum PluginsCommand {
    /// Loads a plugin with every check the pipeline applies and prints its name, version, ABI
    /// version, capabilities, SHA-256 (for pinning) and configuration schema, or why it was
    /// refused.
    Inspect {
        /// The plugin file (`lib<name>.so`).
        path: PathBuf,
    },
}

#[derive(Debug, Args)]
struct NewPluginArgs {
    /// The plugin's name (a-z, 0-9, '-', '_'); also the crate's directory name.
    name: String,

    /// Where to create the crate.
    #[arg(long, default_value = ".")]
    dir: PathBuf,

    /// Path of the commwatch-plugin-sdk crate to depend on. Defaults to the SDK in the commwatch
    /// source tree this binary was built from, when it exists, else the published version.
    #[arg(long)]
    sdk: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct PipelineArgs {
    /// The pipeline file.
    #[arg(default_value = "pipeline.toml")]
    pub(crate) pipeline: PathBuf,

    /// Overrides a key of the pipeline file, e.g. `--set stages.tag.workers=2`. Applied after
    /// the file and the COMMWATCH__… environment variables. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub(crate) sets: Vec<String>,
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    pipeline: PipelineArgs,

    /// Prints per-component counters (received, emitted, errors, dropped, dead-lettered, busy
    /// time) to standard error at the end of the run.
    #[arg(long)]
    stats: bool,

    /// Writes the same counters as JSON to FILE at the end of the run (standard error if no
    /// FILE is given).
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "-")]
    stats_json: Option<PathBuf>,

    /// Reads all the input again, ignoring what earlier runs committed as done in the state
    /// store. Sinks still deliver nothing they recorded as delivered.
    #[arg(long)]
    from_start: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_level.as_deref());
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Validate(args) => validate(args),
        Command::Plugins(PluginsCommand::Inspect { path }) => inspect(&path),
        Command::NewPlugin(args) => new_plugin(args),
        Command::Bench(args) => bench(args),
        Command::Eval(args) => eval_cmd::eval(args),
        Command::Alerts(args) => alerts(args),
        Command::Rules(RulesCommand::Check { files }) => rules_cmd::check(&files),
        Command::Test { tests, rules } => rules_cmd::test(&tests, &rules),
        Command::Explain {
            rule,
            plugin,
            pipeline,
            sets,
            rules,
            document,
        } => match (rule, plugin) {
            (Some(rule), _) => rules_cmd::explain(&rule, &rules, &document),
            (None, Some(stage)) => plugin_explain::explain(&stage, &pipeline, &sets, &document),
            (None, None) => unreachable!("clap requires --rule or --plugin"),
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("commwatch: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn init_logging(level: Option<&str>) {
    let filter = match level {
        Some(level) => EnvFilter::new(level),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

pub(crate) fn load(args: &PipelineArgs) -> Result<Pipeline, ExitCode> {
    Pipeline::load(&args.pipeline, &args.sets).map_err(|errors| {
        eprintln!("{errors}");
        ExitCode::from(2)
    })
}

fn validate(args: PipelineArgs) -> anyhow::Result<ExitCode> {
    Ok(match load(&args) {
        Ok(pipeline) => {
            println!("{}: ok ({})", pipeline.file().display(), pipeline.summary());
            ExitCode::SUCCESS
        }
        Err(code) => code,
    })
}

fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let pipeline = match load(&args.pipeline) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let dead_letter = pipeline.options().dead_letter.clone();
    // Whether sources go on from an earlier run's checkpoints, to say so in the summary.
    let resumed_from = pipeline
        .options()
        .state
        .clone()
        .filter(|state| !args.from_start && state.is_file())
        .filter(|state| {
            commwatch_alerting::AlertStore::open(state)
                .and_then(|s| s.has_checkpoints())
                .unwrap_or(false)
        });
    let pipeline = match args.from_start {
        true => pipeline.from_start(),
        false => pipeline,
    };
    let graph = match pipeline.into_graph() {
        Ok(g) => g,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(ExitCode::from(2));
        }
    };
    let shutdown = Shutdown::new();
    shutdown
        .install_signal_handlers()
        .context("installing signal handlers")?;
    let report = graph.run(&shutdown)?;

    let mut summary = summary_line(&report, &dead_letter);
    if let Some(state) = resumed_from {
        summary.push_str(&format!(
            "\ncommwatch: went on from the checkpoints in {}: input done in earlier runs was not read again (--from-start reads it)",
            state.display()
        ));
    }
    eprintln!("{summary}");
    if args.stats {
        eprint!("{report}");
    }
    if let Some(path) = &args.stats_json {
        let json = serde_json::to_string_pretty(&report)?;
        if path.as_os_str() == "-" {
            eprintln!("{json}");
        } else {
            let mut file = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            writeln!(file, "{json}").with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        for failure in &report.failures {
            eprintln!("commwatch: {failure}");
        }
        ExitCode::from(1)
    })
}

fn inspect(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let plugin = match commwatch_plugin_host::Plugin::load(path, None) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("commwatch: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let (major, minor) = plugin.abi();
    let schema = serde_json::from_str::<serde_json::Value>(plugin.config_schema())
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| plugin.config_schema().to_string());
    let mut text = format!(
        "path          {}\nname          {}\nversion       {}\nabi           {major}.{minor}\n\
         capabilities  {}\nsha256        {}\nconfig schema\n",
        plugin.path().display(),
        plugin.name(),
        plugin.version(),
        plugin.capability_names().join(", "),
        plugin.sha256()
    );
    for line in schema.lines() {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}

fn new_plugin(args: NewPluginArgs) -> anyhow::Result<ExitCode> {
    let bundled = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/crates/plugin-sdk"));
    let sdk = args.sdk.or_else(|| bundled.is_dir().then_some(bundled));
    let root = scaffold::new_plugin(&args.name, &args.dir, sdk.as_deref())?;
    println!("created {}", root.display());
    println!(
        "build it:  (cd {} && cargo build --release)",
        root.display()
    );
    println!(
        "load it:   [stages.{}] type = \"plugin\", path = \"{}/target/release/lib{}.so\"",
        args.name,
        root.display(),
        args.name.replace('-', "_")
    );
    Ok(ExitCode::SUCCESS)
}

fn alerts(args: AlertsArgs) -> anyhow::Result<ExitCode> {
    use commwatch_alerting::{AlertQuery, AlertStore, parse_duration};
    if !args.db.exists() {
        anyhow::bail!(
            "{}: no alert store here (it is created by a pipeline's `sqlite` sink); pass --db PATH",
            args.db.display()
        );
    }
    let since = match &args.since {
        Some(text) => {
            let d = parse_duration(text).with_context(|| format!("--since {text}"))?;
            Some(
                chrono::Utc::now()
                    - chrono::Duration::from_std(d).context("--since is too long")?,
            )
        }
        None => None,
    };
    let store =
        AlertStore::open(&args.db).with_context(|| format!("opening {}", args.db.display()))?;
    let rows = store
        .query(&AlertQuery {
            since,
            rule: args.rule.clone(),
            limit: args.limit,
        })
        .with_context(|| format!("reading {}", args.db.display()))?;
    let mut out = String::new();
    if args.json {
        for row in &rows {
            out.push_str(&serde_json::to_string(row)?);
            out.push('\n');
        }
    } else {
        out.push_str(&format!(
            "{:<20} {:<8} {:<10} {:<30} {}\n",
            "raised (UTC)", "severity", "status", "rule", "summary"
        ));
        for row in &rows {
            let a = &row.record.alert;
            out.push_str(&format!(
                "{:<20} {:<8} {:<10} {:<30} {}\n",
                row.record.raised_at.format("%Y-%m-%d %H:%M:%S"),
                a.severity,
                row.status.as_str(),
                a.rule,
                a.summary
            ));
        }
        out.push_str(&format!("{} alert(s)\n", rows.len()));
    }
    let _ = std::io::stdout().write_all(out.as_bytes());
    Ok(ExitCode::SUCCESS)
}

fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let work = std::env::temp_dir().join(format!("commwatch-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let options = commwatch_bench::BenchOptions {
        pipeline: args.pipeline,
        corpus: args.corpus,
        size: (args.size_mb * 1e6) as u64,
        threads: args.threads,
        half_load: args.half_load,
        rules: args.rules,
        pin: !args.no_pin,
        sets: args.sets,
        work_dir: work.clone(),
    };
    let result = commwatch_bench::run(&options);
    let _ = std::fs::remove_dir_all(&work);
    let report = result?;
    print!("{report}");
    if let Some(path) = args.json {
        std::fs::write(&path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// One line for the end of every run: what came in and where it went.
fn summary_line(report: &RunReport, dead_letter: &DeadLetterTarget) -> String {
    let sum = |f: fn(&commwatch_runtime::SourceLedgerReport) -> u64| {
        report.sources.iter().map(f).sum::<u64>()
    };
    let (emitted, delivered, dropped, dead) = (
        sum(|s| s.emitted),
        sum(|s| s.delivered),
        sum(|s| s.dropped),
        sum(|s| s.dead_lettered),
    );
    let mut line = format!(
        "commwatch: {emitted} communiqué(s) read: {delivered} delivered, {dropped} filtered, {dead} dead-lettered"
    );
    let rejected: u64 = report
        .components
        .iter()
        .filter(|c| c.kind == commwatch_runtime::ComponentKind::Source)
        .map(|c| c.errors)
        .sum();
    if rejected > 0 {
        line.push_str(&format!("; {rejected} input record(s) rejected"));
    }
    if report.dead_letters_written > 0 {
        match dead_letter {
            DeadLetterTarget::File(path) => line.push_str(&format!(" (see {})", path.display())),
            DeadLetterTarget::Stderr => line.push_str(" (written to standard error)"),
        }
    }
    line.push_str(&format!(" in {:.2} s", report.elapsed_ms / 1e3));
    if report.interrupted {
        // The pipeline asks itself to stop after a failure that must not go on (a fatal stage
        // error, a checkpoint that cannot be committed); otherwise a signal asked.
        line.push_str(match report.is_clean() {
            true => " (stopped by signal, drained)",
            false => " (stopped after a failure, drained)",
        });
    }
    line
}
