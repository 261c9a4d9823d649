//! Stage types: `normalize`, `tag`, `rules`.
//!
//! The text and rule libraries know nothing of pipelines; these adapters give them the
//! [`Transform`] face, and hold their compiled state behind a [`Reloadable`] handle so it can be
//! swapped between events.

use std::sync::Arc;

use commwatch_core::{Communique, Outcome, StageError, Transform};
use commwatch_rules::{RuleSet, Scratch};
use commwatch_runtime::{Reloadable, StageFactory};
use commwatch_text::{Analyzer, Gazetteer, Recognizers, Tagger};
use serde::Deserialize;

use super::Ctx;
use crate::error::ConfigError;

/// Default for `max_bytes`: documents over 16 MiB are dead-lettered.
const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

/// `type = "normalize"`: boilerplate removal, then NFKC, folded quotes and dashes, collapsed
/// whitespace (with an offset map back to the raw text) and the folded copy for matching; then
/// sentences, dates and the dateline (published date, place, issuer), title and language.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NormalizeOptions {
    /// Largest document accepted, in bytes; larger ones go to the dead-letter output.
    #[serde(default = "default_max_bytes")]
    max_bytes: usize,
}

fn default_max_bytes() -> usize {
    DEFAULT_MAX_BYTES
}

/// `type = "tag"`: tags gazetteer entities (countries, …) with one automaton.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TagOptions {
    /// Include the bundled gazetteer (all ISO 3166-1 countries). Default true.
    #[serde(default = "yes")]
    builtin: bool,
    /// Extra gazetteer files (see docs/gazetteer.md), relative to the pipeline file's directory.
    #[serde(default)]
    gazetteers: Vec<String>,
}

fn yes() -> bool {
    true
}

/// `type = "rules"`: evaluates alert rules and attaches the alerts they raise.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RulesOptions {
    /// Rule files (see docs/rules.md), relative to the pipeline file's directory.
    rules: Vec<String>,
}

/// A checked stage, ready to build.
pub(crate) enum StageSpec {
    Normalize {
        max_bytes: usize,
    },
    Tag {
        tagger: Reloadable<Tagger>,
        gazetteer: Arc<Gazetteer>,
    },
    Rules(Reloadable<RuleSet>),
    Plugin(Box<super::plugin::PluginSpec>),
    Alerts(Box<super::alerts::AlertsSpec>),
}

/// Parses and checks the options of a stage of type `ty`, loading the files it names.
pub(crate) fn prepare(
    ty: &str,
    options: serde_json::Value,
    ctx: &Ctx<'_>,
) -> Result<StageSpec, ConfigError> {
    match ty {
        "normalize" => {
            let o: NormalizeOptions = ctx.options(options)?;
            if o.max_bytes == 0 {
                return Err(ctx.error("max_bytes", "must be greater than 0"));
            }
            Ok(StageSpec::Normalize {
                max_bytes: o.max_bytes,
            })
        }
        "tag" => {
            let o: TagOptions = ctx.options(options)?;
            let mut gazetteer = if o.builtin {
                Gazetteer::builtin()
            } else {
                Gazetteer::default()
            };
            for (i, file) in o.gazetteers.iter().enumerate() {
                let field = format!("gazetteers[{i}]");
                let path = ctx.existing_file(&field, file)?;
                gazetteer
                    .extend(Gazetteer::load(&path).map_err(|e| ctx.error(&field, e.to_string()))?);
            }
            if gazetteer.is_empty() {
                return Err(ctx.error(
                    "gazetteers",
                    "no entities to tag: set builtin = true or name gazetteer files",
                ));
            }
            let tagger =
                Tagger::new(&gazetteer).map_err(|e| ctx.error("gazetteers", e.to_string()))?;
            Ok(StageSpec::Tag {
                tagger: Reloadable::new(tagger),
                gazetteer: Arc::new(gazetteer),
            })
        }
        "rules" => {
            let o: RulesOptions = ctx.options(options)?;
            if o.rules.is_empty() {
                return Err(ctx.error("rules", "is empty; expected at least one rule file"));
            }
            let mut sources = Vec::new();
            for (i, file) in o.rules.iter().enumerate() {
                let field = format!("rules[{i}]");
                let path = ctx.existing_file(&field, file)?;
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| ctx.error(&field, format!("{}: {e}", path.display())))?;
                sources.push((path.display().to_string(), text));
            }
            let rules = RuleSet::from_sources(
                sources
                    .iter()
                    .map(|(origin, text)| (origin.as_str(), text.as_str())),
            )
            .map_err(|e| ctx.error("rules", e.to_string()))?;
            Ok(StageSpec::Rules(Reloadable::new(rules)))
        }
        "plugin" => Ok(StageSpec::Plugin(Box::new(super::plugin::prepare(
            options,
            ctx,
            ctx.plugin_dirs,
        )?))),
        "alerts" => Ok(StageSpec::Alerts(Box::new(super::alerts::prepare(
            options, ctx,
        )?))),
        other => unreachable!("stage type {other} was checked against STAGE_TYPES"),
    }
}

impl StageSpec {
    /// A factory making one stage instance per worker thread.
    /// The stage's factory; `keep_decisions` is for the alerts stage (see
    /// [`AlertsSpec::factory`](super::alerts::AlertsSpec::factory)).
    pub(crate) fn factory(self, keep_decisions: bool) -> StageFactory {
        match self {
            StageSpec::Normalize { max_bytes } => {
                // Building an analyzer compiles its patterns: once per stage, shared by workers.
                let analyzer = Arc::new(Analyzer::new());
                Box::new(move || {
                    Ok(Box::new(NormalizeStage {
                        analyzer: Arc::clone(&analyzer),
                        max_bytes,
                    }) as Box<dyn Transform>)
                })
            }
            StageSpec::Plugin(spec) => spec.factory(),
            StageSpec::Alerts(spec) => spec.factory(keep_decisions),
            StageSpec::Tag { tagger, .. } => {
                let recognizers = Arc::new(Recognizers::new());
                Box::new(move || {
                    Ok(Box::new(TagStage {
                        tagger: tagger.clone(),
                        recognizers: Arc::clone(&recognizers),
                    }) as Box<dyn Transform>)
                })
            }
            StageSpec::Rules(rules) => Box::new(move || {
                Ok(Box::new(RulesStage {
                    rules: rules.clone(),
                    scratch: Scratch::default(),
                }) as Box<dyn Transform>)
            }),
        }
    }
}

struct NormalizeStage {
    analyzer: Arc<Analyzer>,
    max_bytes: usize,
}

impl Transform for NormalizeStage {
    fn process(&mut self, event: &mut Communique) -> Result<Outcome, StageError> {
        if event.raw.len() > self.max_bytes {
            return Err(StageError::new(format!(
                "document is {} bytes, over the limit of {} (max_bytes)",
                event.raw.len(),
                self.max_bytes
            )));
        }
        self.analyzer.analyze(event);
        Ok(Outcome::Keep)
    }
}

struct TagStage {
    tagger: Reloadable<Tagger>,
    recognizers: Arc<Recognizers>,
}

impl Transform for TagStage {
    fn process(&mut self, event: &mut Communique) -> Result<Outcome, StageError> {
        self.tagger.load().tag_event(event);
        // Pattern-shaped entities the gazetteer cannot list: UN Security Council resolutions.
        self.recognizers.tag_event(event);
        Ok(Outcome::Keep)
    }
}

struct RulesStage {
    rules: Reloadable<RuleSet>,
    scratch: Scratch,
}

impl Transform for RulesStage {
    fn process(&mut self, event: &mut Communique) -> Result<Outcome, StageError> {
        let alerts = self.rules.load().evaluate_with(event, &mut self.scratch);
        event.alerts.extend(alerts);
        Ok(Outcome::Keep)
    }
}
