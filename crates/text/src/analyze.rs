//! The analysis an analyst expects before tagging, in one call: content, title, normalized text,
//! sentences, dates, dateline, publication date and language.

use std::sync::Arc;

use commwatch_core::{Communique, Span, Symbol, TextRange};

use crate::dates::{DateFinder, IsoDate, published_date};
use crate::{Normalizer, detect_language, find_content, split_sentences};

/// The span kind of dates found by the [`Analyzer`].
pub const DATE_KIND: &str = "date";

/// Runs every analysis step on a [`Communique`]. Build it once (it compiles the date patterns)
/// and reuse it for every event; it holds no per-event state.
///
/// See [`analyze_at`](Self::analyze_at) for what it sets.
#[derive(Clone, Debug)]
pub struct Analyzer {
    normalizer: Normalizer,
    dates: DateFinder,
    date_kind: Symbol,
}

impl Default for Analyzer {
    fn default() -> Analyzer {
        Analyzer::new()
    }
}

impl Analyzer {
    /// An analyzer with the default normalizer.
    pub fn new() -> Analyzer {
        Analyzer {
            normalizer: Normalizer::new(),
            dates: DateFinder::new(),
            date_kind: Symbol::from(DATE_KIND),
        }
    }

    /// Analyzes `event`, taking the day it was received (`received_at`, UTC) as "now".
    pub fn analyze(&self, event: &mut Communique) {
        let now = event
            .received_at
            .format("%Y-%m-%d")
            .to_string()
            .parse()
            .unwrap_or(IsoDate {
                year: 2999,
                month: 12,
                day: Some(31),
            });
        self.analyze_at(event, now);
    }

    /// Analyzes `event`; no date after `now` becomes its publication date.
    ///
    /// - **Content and normalization.** [`find_content`] drops navigation crumbs and trailing
    ///   social blocks; `event.normalized` is replaced by the normalization of the content alone
    ///   (its map still indexes the whole raw text, its folded copy is built).
    /// - **Title.** Set from the page's title when `event.title` is `None`, or when it is the
    ///   first line that boilerplate removal rejected (a source that titles events by their first
    ///   line would otherwise keep "HomeCanadaMinisterial Meeting…").
    /// - **Sentences.** `event.sentences` is replaced by the sentences of the normalized text,
    ///   as raw ranges.
    /// - **Dates.** Every date becomes a [`Span`] of kind [`DATE_KIND`] whose `id` and `label`
    ///   are the ISO value (`2021-06-28`, `2021-06`); the text as written is the span's raw
    ///   range. Date spans from an earlier run are replaced, other spans kept, and all are kept
    ///   ordered by start.
    /// - **Dateline.** When there is one, `metadata["dateline_place"]` and
    ///   `metadata["issuer"]` are recorded, unless the input already gave them.
    /// - **Publication date.** When `event.published` is `None`: the dateline's date, else the
    ///   first full date in the first sentences (see [`published_date`]).
    /// - **Language.** `event.language` is set when the language is identified reliably, and
    ///   left as it was otherwise.
    pub fn analyze_at(&self, event: &mut Communique, now: IsoDate) {
        let raw = event.raw.as_str();
        let content = find_content(raw);
        let normalized = self.normalizer.normalize_range(raw, content.range.clone());
        let text = normalized.text.as_str();
        let map = &normalized.map;

        if let Some(title) = &content.title {
            let rejected = content.rejected_line.clone().map(|r| clean_line(&raw[r]));
            let replace = match &event.title {
                None => true,
                Some(current) => rejected.is_some_and(|r| r == clean_line(current)),
            };
            if replace {
                event.title = Some(title.text.clone());
            }
        }

        let sentences = split_sentences(text);
        // Sentences, and then dates, come in text order: a cursor maps each from the last.
        let mut cursor = map.cursor();
        let mut raw_range = |r: &std::ops::Range<usize>| {
            let (start, end) = cursor.to_raw_range(r.start, r.end);
            TextRange { start, end }
        };
        event.sentences = sentences.iter().map(&mut raw_range).collect();

        let dates = self.dates.find_dates(text);
        let dateline = self.dates.find_dateline(text, &sentences, &dates);
        event.spans.retain(|s| &*s.kind != DATE_KIND);
        let mut cursor = map.cursor();
        for d in &dates {
            let (start, end) = cursor.to_raw_range(d.range.start, d.range.end);
            let r = TextRange { start, end };
            let value: Symbol = Arc::from(d.date.to_string());
            event.spans.push(Span {
                kind: self.date_kind.clone(),
                id: value.clone(),
                label: value,
                start: r.start,
                end: r.end,
                detail: None,
            });
        }
        // Dates come in order: spans from before (if any) are the only reason to sort.
        if !event.spans.is_sorted_by_key(|s| s.start) {
            event.spans.sort_by_key(|s| s.start);
        }

        if event.published.is_none() {
            event.published =
                published_date(dateline.as_ref(), &dates, &sentences, now).map(|d| d.to_string());
        }
        if let Some(dl) = &dateline {
            event
                .metadata
                .entry("dateline_place".to_owned())
                .or_insert_with(|| text[dl.place.clone()].to_owned());
            if let Some(issuer) = &dl.issuer {
                event
                    .metadata
                    .entry("issuer".to_owned())
                    .or_insert_with(|| text[issuer.clone()].to_owned());
            }
        }

        if let Some(lang) = detect_language(text) {
            event.language = Some(lang.to_owned());
        }
        event.normalized = Some(normalized);
    }
}

/// A line as a source would give it for a title: trimmed, without a byte-order mark.
fn clean_line(line: &str) -> &str {
    line.trim().trim_start_matches('\u{feff}').trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use commwatch_core::Origin;
    use proptest::prelude::*;

    const SAMPLE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/communiques/coalition-ministerial-2021-06-28.txt"
    ));

    fn event(raw: &str) -> Communique {
        Communique::new(None, Origin::default(), raw.to_owned())
    }

    /// One analyzer for all tests: building one compiles the date patterns.
    static ANALYZER: std::sync::LazyLock<Analyzer> = std::sync::LazyLock::new(Analyzer::new);

    fn analyzed(raw: &str) -> Communique {
        let mut ev = event(raw);
        ANALYZER.analyze(&mut ev);
        ev
    }

    fn raw_sentences(ev: &Communique) -> Vec<&str> {
        ev.sentences
            .iter()
            .map(|r| &ev.raw[r.start..r.end])
            .collect()
    }

    #[test]
    fn sample_title_text_and_dateline() {
        let ev = analyzed(SAMPLE);
        assert_eq!(
            ev.title.as_deref(),
            Some("Ministerial Meeting of the Global Coalition to Defeat Daesh/ISIS")
        );
        let n = ev.normalized.as_ref().expect("normalized");
        assert!(!n.text.contains("Stay Connected"));
        assert!(!n.text.contains("HomeCanada"));
        assert!(!n.text.contains("Related News"));
        assert!(
            n.text
                .starts_with("Ministerial Meeting of the Global Coalition")
        );
        assert!(n.text.ends_with("must be upheld under all circumstances."));
        assert!(n.folded.is_some());
        assert_eq!(n.map.raw_len(), SAMPLE.len());
        assert_eq!(ev.published.as_deref(), Some("2021-06-28"));
        assert_eq!(
            ev.metadata.get("dateline_place").map(String::as_str),
            Some("Ottawa, Ontario")
        );
        assert_eq!(
            ev.metadata.get("issuer").map(String::as_str),
            Some("Global Affairs Canada")
        );
        assert_eq!(ev.language.as_deref(), Some("en"));
    }

    #[test]
    fn sample_date_spans() {
        let ev = analyzed(SAMPLE);
        let dates: Vec<(&str, &str)> = ev
            .spans
            .iter()
            .filter(|s| &*s.kind == DATE_KIND)
            .map(|s| (ev.span_text(s), &*s.id))
            .collect();
        assert_eq!(
            dates,
            [("June 2022", "2022-06"), ("June 28, 2021", "2021-06-28")]
        );
        let span = ev
            .spans
            .iter()
            .find(|s| ev.span_text(s) == "June 28, 2021")
            .expect("dateline date span");
        assert_eq!(&*span.label, "2021-06-28");
    }

    #[test]
    fn sample_sentences() {
        let ev = analyzed(SAMPLE);
        let sentences = raw_sentences(&ev);
        assert_eq!(
            sentences[0],
            "Ministerial Meeting\u{202f}of the Global Coalition to Defeat\u{202f}Daesh/ISIS"
        );
        let joining: Vec<&&str> = sentences
            .iter()
            .filter(|s| s.contains("new members joining"))
            .collect();
        assert_eq!(joining.len(), 1);
        let s = joining[0];
        assert!(
            s.starts_with("The Ministers\u{202f}welcomed\u{202f}new members"),
            "{s}"
        );
        assert!(s.ends_with("Mauritania, and Yemen."), "{s}");
        assert_eq!(
            Normalizer::new().normalize(s).text,
            "The Ministers welcomed new members joining the particular Coalition - Central \
             African Republic, Democratic Republic from the Congo, Mauritania, and Yemen."
        );
        assert!(sentences.iter().any(|s| s.ends_with("Antony L. Blinken.")));
        assert!(
            !sentences
                .iter()
                .any(|s| s.ends_with(" L.") || s.ends_with(" U."))
        );
        assert!(!sentences.iter().any(|s| s.contains("Stay Connected")));
        assert!(
            sentences
                .last()
                .is_some_and(|s| s.ends_with("under all circumstances."))
        );
    }

    #[test]
    fn title_from_first_line_is_replaced_other_titles_kept() {
        let first_line = SAMPLE.lines().next().expect("first line").trim().to_owned();
        let mut ev = event(SAMPLE);
        ev.title = Some(first_line);
        Analyzer::new().analyze(&mut ev);
        assert_eq!(
            ev.title.as_deref(),
            Some("Ministerial Meeting of the Global Coalition to Defeat Daesh/ISIS")
        );
        let mut ev = event(SAMPLE);
        ev.title = Some("Given by the feed".into());
        ev.published = Some("2021-06-29".into());
        ev.metadata.insert("issuer".into(), "GAC".into());
        Analyzer::new().analyze(&mut ev);
        assert_eq!(ev.title.as_deref(), Some("Given by the feed"));
        assert_eq!(ev.published.as_deref(), Some("2021-06-29"));
        assert_eq!(ev.metadata.get("issuer").map(String::as_str), Some("GAC"));
    }

    #[test]
    fn publication_date_is_never_in_the_future() {
        let mut ev = event(SAMPLE);
        Analyzer::new().analyze_at(&mut ev, "2021-06-27".parse().expect("date"));
        assert_eq!(ev.published, None);
        // The dateline is still recorded.
        assert_eq!(
            ev.metadata.get("issuer").map(String::as_str),
            Some("Global Affairs Canada")
        );
    }

    #[test]
    fn spans_stay_sorted_and_reanalysis_is_stable() {
        let raw = "Talks on 1 May 2021 in Iraq. On 2 May 2021 they ended.";
        let mut ev = event(raw);
        ev.spans.push(Span {
            kind: "country".into(),
            id: "IQ".into(),
            label: "Iraq".into(),
            start: 23,
            end: 27,
            detail: None,
        });
        let a = Analyzer::new();
        a.analyze(&mut ev);
        let once = ev.clone();
        a.analyze(&mut ev);
        assert_eq!(ev, once);
        let kinds: Vec<(&str, &str)> = ev
            .spans
            .iter()
            .map(|s| (&*s.kind, ev.span_text(s)))
            .collect();
        assert_eq!(
            kinds,
            [
                ("date", "1 May 2021"),
                ("country", "Iraq"),
                ("date", "2 May 2021")
            ]
        );
        assert_eq!(ev.published.as_deref(), Some("2021-05-01"));
        assert_eq!(
            raw_sentences(&ev),
            ["Talks on 1 May 2021 in Iraq.", "On 2 May 2021 they ended."]
        );
    }

    #[test]
    fn ordinary_documents_keep_their_text_and_titles() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/communiques");
        let a = Analyzer::new();
        for entry in std::fs::read_dir(dir).expect("examples") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "txt")
                || path.ends_with("coalition-ministerial-2021-06-28.txt")
            {
                continue;
            }
            let raw = std::fs::read_to_string(&path).expect("read");
            let mut ev = event(&raw);
            ev.title = Some("From the source".into());
            a.analyze(&mut ev);
            let n = ev.normalized.as_ref().expect("normalized");
            assert_eq!(
                n.text,
                Normalizer::new().normalize(&raw).text,
                "{}",
                path.display()
            );
            assert_eq!(ev.title.as_deref(), Some("From the source"));
            assert_eq!(ev.language.as_deref(), Some("en"), "{}", path.display());
            assert!(!ev.sentences.is_empty());
        }
    }

    /// Arbitrary text biased towards what the analysis looks at.
    fn text() -> impl Strategy<Value = String> {
        let special = prop::sample::select(vec![
            "Home",
            "HomeX",
            "\n",
            "\n\n",
            " ",
            ". ",
            "Mr. ",
            "L. ",
            "U.S. ",
            "June 28, 2021",
            "28 June 2021",
            "2021-06-28",
            " : ",
            " - ",
            "–",
            "Ottawa, Ontario",
            "Global Affairs",
            "Stay Connected",
            "255FansLike",
            "Source",
            "Related News",
            "WASHINGTON, ",
            "(Reuters)",
            "\u{202f}",
            "\u{301}",
            "é",
            "’",
            "\u{feff}",
            "\u{200B}",
            "?",
            "\"",
        ]);
        let piece = prop_oneof![
            special.prop_map(str::to_owned),
            any::<String>(),
            "[A-Za-z ]{0,8}",
        ];
        prop::collection::vec(piece, 0..16).prop_map(|v| v.concat())
    }

    proptest! {
        /// Never panics; every sentence and date span lies inside raw on character boundaries.
        #[test]
        fn analysis_ranges_map_into_raw(raw in text()) {
            let ev = analyzed(&raw);
            let mut last = 0;
            for r in &ev.sentences {
                prop_assert!(r.start <= r.end && r.end <= raw.len());
                prop_assert!(raw.is_char_boundary(r.start) && raw.is_char_boundary(r.end));
                prop_assert!(r.start >= last);
                last = r.end;
            }
            for s in &ev.spans {
                prop_assert!(s.start <= s.end && s.end <= raw.len());
                prop_assert!(raw.is_char_boundary(s.start) && raw.is_char_boundary(s.end));
            }
            prop_assert!(ev.spans.windows(2).all(|w| w[0].start <= w[1].start));
            let n = ev.normalized.as_ref().expect("normalized");
            prop_assert_eq!(n.map.raw_len(), raw.len());
            prop_assert_eq!(n.map.norm_len(), n.text.len());
        }

        #[test]
        fn analyze_never_panics_on_any_string(raw in any::<String>()) {
            analyzed(&raw);
        }
    }
}
