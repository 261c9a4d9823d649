//! Recognizers: entities found by their shape rather than by a list of names.
//!
//! A gazetteer cannot list every UN Security Council resolution, but "resolution 2254",
//! "UNSCR 2254" and "UN Security Council Resolution 2254 (2015)" all have a recognizable shape
//! and one canonical id (`S/RES/2254`). [`Recognizers`] runs such recognizers over the
//! normalized text, after the gazetteer [`Tagger`](crate::Tagger), and adds their spans without
//! ever overlapping a span already there.
//!
//! Today there is one recognizer, for UN resolutions ([`resolutions`]).

pub mod resolutions;

use commwatch_core::{Communique, Span, Symbol};

pub use resolutions::{RESOLUTION_KIND, Resolutions};

/// An entity a recognizer found, in offsets of the text it was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recognized {
    /// Start byte offset (inclusive).
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
    /// The span kind (`resolution`).
    pub kind: &'static str,
    /// The canonical id (`S/RES/2254`).
    pub id: String,
    /// A human label ("UN Security Council resolution 2254").
    pub label: String,
    /// Extra detail the text gives (the adoption year of a resolution, "2015").
    pub detail: Option<String>,
}

/// Every recognizer, ready to run. Build once and share: recognizing takes `&self`.
#[derive(Clone, Debug, Default)]
pub struct Recognizers {
    resolutions: Resolutions,
}

impl Recognizers {
    /// All recognizers.
    pub fn new() -> Recognizers {
        Recognizers::default()
    }

    /// Appends to `out` what the recognizers find in `text` (normalized text), ordered by start,
    /// without overlaps.
    pub fn find(&self, text: &str, out: &mut Vec<Recognized>) {
        self.resolutions.find(text, out);
    }

    /// Recognizes [`Communique::matching_text`] and adds a [`Span`] with raw offsets for each
    /// entity found that does not overlap a span already on the event (gazetteer spans win; a
    /// resolution span starts at "Resolution", so "UN Security Council" before it keeps its own
    /// organization span). `event.spans` stays sorted by start.
    pub fn tag_event(&self, event: &mut Communique) {
        let mut found = Vec::new();
        self.find(event.matching_text(), &mut found);
        if found.is_empty() {
            return;
        }
        let mut added = false;
        for r in found {
            let (start, end) = event.to_raw_range(r.start, r.end);
            if event.spans.iter().any(|s| s.start < end && start < s.end) {
                continue;
            }
            event.spans.push(Span {
                kind: Symbol::from(r.kind),
                id: Symbol::from(r.id),
                label: Symbol::from(r.label),
                start,
                end,
                detail: r.detail.map(Symbol::from),
            });
            added = true;
        }
        if added {
            event.spans.sort_by_key(|span| span.start);
        }
    }
}
