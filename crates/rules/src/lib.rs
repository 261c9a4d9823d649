//! Alert rules for communiqués: a small query language, compiled into one automaton.
//!
//! Analysts say what they want to hear about — an attack on a convoy, sanctions on a country, a
//! state joining an alliance — as *rules* in TOML files, so a new situation can be watched without
//! a new release. A rule has a [`Query`] (`"new members" NEAR/10 @country AND NOT "member
//! states"`), a [`Scope`] (document, sentence, first N sentences), a severity, labels and a
//! summary template; when it fires it produces one [`Alert`](commwatch_core::Alert) with labels,
//! a summary, the evidence spans and a stable fingerprint. The file format, grammar and semantics
//! are described in `docs/rules.md`.
//!
//! The principal types are [`RuleSet`] (validated rule files compiled for matching: load once,
//! then [`RuleSet::evaluate`] each event, or [`RuleSet::explain`] one rule on one event),
//! [`Rule`] (a read-only view of one rule), [`Query`] (the parsed query, printable in canonical
//! form), [`Scratch`] (buffers to reuse across evaluations), [`run_tests`] (rule test files) and
//! [`RuleError`] (why a file was rejected, naming the file, rule and field, or the line and
//! column of a query error). [`synthetic`] generates deterministic, realistic rule packs (up to
//! [`synthetic::MAX_RULES`]) for benchmarks and scale tests.
//!
//! All literal terms of all rules are compiled into **one** Aho-Corasick automaton, and only rules
//! whose required terms occur in a text are evaluated, so the cost of evaluating an event grows
//! with the length of its text, not with the number of rules. The crate is a pure library: no
//! threads, no I/O beyond [`RuleSet::load`].
//!
//! # Example
//!
//! ```
//! use commwatch_core::{Communique, Origin, Span};
//! use commwatch_rules::RuleSet;
//!
//! let rules = RuleSet::from_toml_str(
//!     r#"
//!     [[rule]]
//!     id = "accession"
//!     query = '"joined the" NEAR/5 @country'
//!     severity = "high"
//!     labels = { category = "accession" }
//!     summary = "{entities:country} joined ({category})"
//!     "#,
//!     "example",
//! )?;
//!
//! let text = "Mauritania joined the Coalition.";
//! let mut event = Communique::new(Some("doc-1".into()), Origin::default(), text.into());
//! event.spans.push(Span {
//!     kind: "country".into(),
//!     id: "MR".into(),
//!     label: "Mauritania".into(),
//!     start: 0,
//!     end: 10,
//!     detail: None,
//! });
//!
//! let alerts = rules.evaluate(&event);
//! assert_eq!(alerts.len(), 1);
//! assert_eq!(alerts[0].labels["country"], "MR");
//! assert_eq!(alerts[0].summary, "Mauritania joined (accession)");
//! # Ok::<(), commwatch_rules::RuleError>(())
//! ```

#![warn(missing_docs)]

mod alert;
mod error;
mod eval;
mod fold;
mod literals;
mod location;
mod plan;
pub mod query;
mod rule;
mod ruleset;
mod spec;
pub mod synthetic;
mod template;
mod testfile;

pub use error::RuleError;
pub use eval::{Explanation, Scratch, TermMatch};
pub use fold::fold;
pub use query::{Query, QueryError};
pub use rule::{Rule, Scope};
pub use ruleset::RuleSet;
pub use testfile::{CaseResult, TestReport, run_tests};
