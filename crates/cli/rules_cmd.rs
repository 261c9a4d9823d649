//! `commwatch rules check`, `commwatch test` and `commwatch explain`: the rule author's loop.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use commwatch_core::{Communique, Origin};
use commwatch_rules::RuleSet;
use commwatch_text::{Analyzer, Gazetteer, Recognizers, Tagger};

/// Loads rule files into one set, printing the parse error (with its caret) on failure.
fn load(files: &[PathBuf]) -> anyhow::Result<Result<RuleSet, String>> {
    let mut texts = Vec::new();
    for f in files {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        texts.push((f.display().to_string(), text));
    }
    Ok(
        RuleSet::from_sources(texts.iter().map(|(o, t)| (o.as_str(), t.as_str())))
            .map_err(|e| e.to_string()),
    )
}

fn print(text: &str) {
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// `commwatch rules check FILE…`
pub fn check(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    match load(files)? {
        Ok(set) => {
            let enabled = set.rules().iter().filter(|r| r.is_enabled()).count();
            print(&format!(
                "ok: {} rule(s), {enabled} enabled, {} distinct literal(s) in one automaton\n",
                set.len(),
                set.literal_count()
            ));
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(2))
        }
    }
}

/// The rules file a test file sits beside: `X.tests.toml` → `X.toml`.
fn rules_beside(tests: &Path) -> Option<PathBuf> {
    let name = tests.file_name()?.to_str()?;
    let stem = name.strip_suffix(".tests.toml")?;
    Some(tests.with_file_name(format!("{stem}.toml")))
}

/// `commwatch test TESTS [--rules FILE…]`
pub fn test(tests: &Path, rules: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let rules: Vec<PathBuf> = if rules.is_empty() {
        match rules_beside(tests) {
            Some(r) if r.is_file() => vec![r],
            _ => bail!(
                "{}: name the rules with --rules (or keep X.toml beside X.tests.toml)",
                tests.display()
            ),
        }
    } else {
        rules.to_vec()
    };
    let set = match load(&rules)? {
        Ok(set) => set,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let cases =
        std::fs::read_to_string(tests).with_context(|| format!("reading {}", tests.display()))?;
    let report = match commwatch_rules::run_tests(&set, &cases, &tests.display().to_string()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    print(&report.to_string());
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `commwatch explain --rule ID [--rules FILE…] DOC`: normalizes and tags the document as the
/// default pipeline does, then shows each term of the rule's query and where it matched.
pub fn explain(rule: &str, rules: &[PathBuf], doc: &Path) -> anyhow::Result<ExitCode> {
    let set = match load(rules)? {
        Ok(set) => set,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let raw = if doc.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading standard input")?
    } else {
        std::fs::read_to_string(doc).with_context(|| format!("reading {}", doc.display()))?
    };
    let mut event = Communique::new(
        None,
        Origin {
            name: "explain".into(),
            uri: None,
        },
        raw,
    );
    Analyzer::new().analyze(&mut event);
    Tagger::new(&Gazetteer::builtin())
        .context("building the tagger")?
        .tag_event(&mut event);
    Recognizers::new().tag_event(&mut event);
    let Some(x) = set.explain(rule, &event) else {
        let ids: Vec<&str> = set.rules().iter().map(|r| r.id()).collect();
        bail!("no rule {rule:?}; the rules are: {}", ids.join(", "));
    };
    let color = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut out = String::new();
    out.push_str(&format!(
        "rule      {}\nquery     {}\nscope     {:?}\n",
        x.rule, x.query, x.scope
    ));
    out.push_str(&format!(
        "result    {}{}\n\nterms\n",
        if x.fired { "FIRES" } else { "does not fire" },
        if x.candidate {
            ""
        } else {
            " (not a candidate: no required literal occurs)"
        }
    ));
    let mut highlights = Vec::new();
    for t in &x.terms {
        let mark = if t.matched { "✓" } else { "✗" };
        let neg = if t.negated { " (negated)" } else { "" };
        let quotes: Vec<String> = t
            .ranges
            .iter()
            .take(5)
            .map(|r| format!("{:?} at {}..{}", &event.raw[r.start..r.end], r.start, r.end))
            .collect();
        out.push_str(&format!(
            "  {mark} {}{neg}  {}\n",
            t.term,
            quotes.join(", ")
        ));
        if !t.negated {
            highlights.extend(t.ranges.iter().map(|r| (r.start, r.end)));
        }
    }
    if let Some(alert) = &x.alert {
        out.push_str(&format!(
            "\nalert     [{}] {}\n",
            alert.severity, alert.summary
        ));
        let labels: Vec<String> = alert
            .labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out.push_str(&format!("labels    {}\n", labels.join(" ")));
    }
    // The text of the scopes where something matched, with the matches highlighted.
    highlights.sort();
    highlights.dedup();
    out.push_str("\nevidence in context\n");
    for scope in &x.scopes {
        let inside: Vec<&(usize, usize)> = highlights
            .iter()
            .filter(|(s, e)| *s >= scope.start && *e <= scope.end)
            .collect();
        if inside.is_empty() {
            continue;
        }
        let mut line = String::new();
        let mut at = scope.start;
        for &&(s, e) in &inside {
            if s < at {
                continue;
            }
            line.push_str(&event.raw[at..s]);
            let (open, close) = if color {
                ("\x1b[1;7m", "\x1b[0m")
            } else {
                ("[[", "]]")
            };
            line.push_str(open);
            line.push_str(&event.raw[s..e]);
            line.push_str(close);
            at = e;
        }
        line.push_str(&event.raw[at..scope.end]);
        out.push_str(&format!(
            "  {}\n",
            line.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
    print(&out);
    Ok(ExitCode::SUCCESS)
}
