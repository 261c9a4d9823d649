//! Keyword rules that raise alerts on communiqués.
//!
//! Analysts say what they want to hear about — a country joins a coalition, an armed group
//! threatens a region — as *rules* in a TOML file, so a new situation can be watched without a
//! new release. A rule names phrases that must (`any`, `all`) or must not (`none`) occur, and
//! optionally an entity kind (`country`) that must be mentioned near them; when it fires it
//! produces one [`Alert`](commwatch_core::Alert) with labels, a one-line summary, the evidence
//! spans and a stable fingerprint. The file format and semantics are described in `docs/rules.md`.
//!
//! The principal types are [`RuleSet`] (a validated rule file compiled for matching: load it once,
//! then [`RuleSet::evaluate`] each event), [`Rule`] (a read-only view of one rule), [`Scratch`]
//! (buffers to reuse across evaluations) and [`RuleError`] (why a file was rejected, naming the
//! file, rule and field).
//!
//! All phrases of all rules are compiled into **one** Aho-Corasick automaton, and only rules whose
//! phrases occur in a text are evaluated, so the cost of evaluating an event grows with the length
//! of its text, not with the number of rules.
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
//!     description = "A country joins a coalition."
//!     severity = "high"
//!     any = ["joined the"]
//!     entity = "country"
//!     within = 100
//!     labels = { category = "accession" }
//!     summary = "{entities} joined ({category})"
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
//! assert_eq!(alerts[0].labels["entities"], "MR");
//! assert_eq!(alerts[0].summary, "Mauritania joined (accession)");
//! # Ok::<(), commwatch_rules::RuleError>(())
//! ```

#![warn(missing_docs)]

mod alert;
mod error;
mod phrases;
mod rule;
mod ruleset;
mod spec;
mod template;

pub use error::RuleError;
pub use rule::Rule;
pub use ruleset::{RuleSet, Scratch};
