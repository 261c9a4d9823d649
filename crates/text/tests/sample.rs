//! The project's seed sample, end to end through the text layer: normalize, tag with the bundled
//! gazetteer, recognize resolutions. The sample is scraped and word-spun ("Democratic Republic
//! from the Congo", "UN Security Authorities Resolution 2254", "U. S. Admin of State"), and its
//! spaces include narrow no-break spaces, so it exercises normalization, folding and the
//! function-word rule at once.

use std::path::Path;

use commwatch_core::{Communique, Origin, Span};
use commwatch_text::{COUNTRY_IN_NAME, Gazetteer, Normalizer, REGION_IN_NAME, Recognizers, Tagger};

fn sample() -> Communique {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/communiques/coalition-ministerial-2021-06-28.txt");
    let raw = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut event = Communique::new(None, Origin::default(), raw.clone());
    event.normalized = Some(Normalizer::new().normalize(&raw));
    let tagger = Tagger::new(&Gazetteer::builtin()).expect("builtin gazetteer compiles");
    tagger.tag_event(&mut event);
    Recognizers::new().tag_event(&mut event);
    event
}

/// The spans of this kind and id, as (exact raw text, detail).
fn found<'e>(event: &'e Communique, kind: &str, id: &str) -> Vec<(String, Option<&'e str>)> {
    event
        .spans
        .iter()
        .filter(|s| &*s.kind == kind && &*s.id == id)
        .map(|s| (event.span_text(s).to_owned(), s.detail.as_deref()))
        .collect()
}

fn assert_has(event: &Communique, kind: &str, id: &str, text: &str) {
    let spans = found(event, kind, id);
    assert!(
        spans.iter().any(|(t, _)| t == text),
        "no {kind} {id} spanning {text:?}; found {spans:?}"
    );
}

#[test]
fn sample_yields_every_expected_entity() {
    let event = sample();
    for (id, text) in [
        ("CF", "Central African Republic"),
        ("CD", "Democratic Republic from the Congo"),
        ("MR", "Mauritania"),
        ("YE", "Yemen"),
        ("IQ", "Iraq"),
        ("IQ", "Iraqi"),
        ("SY", "Syria"),
        ("SY", "Syrian"),
        ("AF", "Afghanistan"),
        ("MZ", "Mozambique"),
        ("IT", "Italian"),
        ("CA", "Canada"),
    ] {
        assert_has(&event, "country", id, text);
    }
    assert_has(&event, "region", "sahel", "Sahel Region");
    assert_has(&event, "region", "east-africa", "Eastern Africa");
    for (id, text) in [
        ("nato", "NATO"),
        ("eu", "EU"),
        ("euam-iraq", "EUAM Iraq"),
        ("interpol", "INTERPOL"),
        ("unsc", "UN Security Council"),
        ("gctf", "Global Counter-Terrorism Forum"),
        ("coalition-for-the-sahel", "Coalition for the Sahel"),
        ("d-isis-coalition", "Global Coalition to Defeat Daesh/ISIS"),
    ] {
        assert_has(&event, "organization", id, text);
    }
    assert_has(&event, "group", "isis", "Daesh/ISIS");
    assert_has(
        &event,
        "group",
        "isis-k",
        "Islamic State within Iraq and Syria-Khurasan",
    );
    assert_has(&event, "group", "isis-k", "ISIS-K");

    assert_eq!(
        found(&event, "person", "luigi-di-maio"),
        [(
            "Luigi Di Maio".to_owned(),
            Some("Italian Minister of Foreign Affairs and International Cooperation")
        )]
    );
    assert_eq!(
        found(&event, "person", "antony-blinken"),
        [("Antony L. Blinken".to_owned(), Some("U. S. Admin of State"))]
    );

    // "UN Security Authorities Resolution 2254" (spun) and "UN Security Council Resolution
    // 2254": both resolution spans start at "Resolution", after the organization span.
    let resolutions = found(&event, "resolution", "S/RES/2254");
    assert_eq!(
        resolutions,
        [
            ("Resolution 2254".to_owned(), None),
            ("Resolution 2254".to_owned(), None)
        ]
    );
    let council = event
        .spans
        .iter()
        .position(|s| &*s.id == "unsc")
        .expect("UN Security Council span");
    assert_eq!(&*event.spans[council + 1].id, "S/RES/2254");
}

#[test]
fn sample_spans_are_sorted_disjoint_and_raw() {
    let event = sample();
    assert!(event.spans.is_sorted_by_key(|s| s.start));
    // Mentions never overlap; a country or region inside an organization's or group's name
    // lies inside the span of that name, right after it.
    let mut last_end = 0;
    let mut holder: Option<&Span> = None;
    for span in &event.spans {
        if [COUNTRY_IN_NAME, REGION_IN_NAME].contains(&&*span.kind) {
            let h = holder.unwrap_or_else(|| panic!("no holder before {span:?}"));
            assert!(
                h.start <= span.start && span.end <= h.end,
                "{span:?} not in {h:?}"
            );
            assert!(["organization", "group"].contains(&&*h.kind), "{h:?}");
        } else {
            assert!(span.start >= last_end, "overlap at {span:?}");
            last_end = span.end;
            holder = Some(span);
        }
        assert!(span.start < span.end && span.end <= event.raw.len());
        assert!(event.raw.is_char_boundary(span.start) && event.raw.is_char_boundary(span.end));
    }
    // "EUAM Iraq" is the mission, and Iraq is named inside it: not a mention of Iraq.
    let iraq_in_name = event
        .spans
        .iter()
        .filter(|s| &*s.kind == COUNTRY_IN_NAME && &*s.id == "IQ")
        .count();
    assert!(iraq_in_name >= 1);
    // "Canada" inside "HomeCanadaMinisterial" (the scraped breadcrumb) is not a word.
    let canada: Vec<&Span> = event.spans.iter().filter(|s| &*s.id == "CA").collect();
    assert_eq!(canada.len(), 1, "{canada:?}");
    // Acronyms match in capitals only: nothing from "us", "is", "who", "eu", "un".
    for span in &event.spans {
        let text = event.span_text(span);
        assert!(
            !["us", "is", "who", "eu", "un", "Us", "Is", "Who"].contains(&text),
            "{span:?} {text:?}"
        );
    }
}
