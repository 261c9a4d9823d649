use super::*;
use commwatch_plugin_sdk::testing::{Emitted, TestEvent, TestSpan, run};

const REGIONS: &str = r#"{"regions":[
    {"id":"africa","label":"Africa","members":["BF","ML","MR","NE","TD","KE","MZ","SO","ET","TZ","UG","NG","GH","DZ","EG"]},
    {"id":"sub-saharan-africa","label":"Sub-Saharan Africa","members":["BF","ML","MR","NE","TD","KE","MZ","SO","ET","TZ","UG","NG","GH"]},
    {"id":"west-africa","label":"Western Africa","members":["BF","ML","MR","NE","NG","GH"]},
    {"id":"sahel","label":"Sahel","members":["BF","ML","MR","NE","TD"]},
    {"id":"east-africa","label":"Eastern Africa","members":["KE","MZ","SO","ET","TZ","UG"]},
    {"id":"middle-east","label":"Middle East","members":["IQ","SY","JO","LB","IL","PS","YE","AE","IR"]},
    {"id":"northern-america","label":"Northern America","members":["US","CA"]},
    {"id":"gulf-of-aden","label":"Gulf of Aden","members":["SO","YE","DJ"]}
]}"#;

fn stage() -> RegionalThreat {
    RegionalThreat::new(REGIONS).unwrap()
}

/// An event over `raw` with spans (text, kind, id), in order: each over the first occurrence of
/// its text after the span before (inside it for the `…_in_name` kinds).
fn event(raw: &str, spans: &[(&str, &str, &str)]) -> TestEvent {
    let mut out: Vec<TestSpan> = Vec::new();
    for (text, kind, id) in spans {
        let from = match out.last() {
            Some(last) if kind.ends_with("_in_name") => last.start,
            Some(last) => last.end,
            None => 0,
        };
        let start = from + raw[from..].find(text).expect("span text in the raw text");
        out.push(TestSpan {
            start,
            end: start + text.len(),
            kind: kind.to_string(),
            id: id.to_string(),
            label: text.to_string(),
            detail: None,
        });
    }
    out.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    // Sentences end at a period followed by a space, outside the spans ("U.S.").
    let mut sentences = Vec::new();
    let mut start = 0;
    for (at, _) in raw.match_indices(". ") {
        if !out.iter().any(|s| s.start <= at && at < s.end) {
            sentences.push(start..at + 1);
            start = at + 2;
        }
    }
    sentences.push(start..raw.len());
    TestEvent {
        raw: raw.into(),
        spans: out,
        sentences,
        ..TestEvent::default()
    }
}

/// The places of the alerts: the region id, else the country code, with the group.
fn places(out: &Emitted) -> Vec<(String, String)> {
    out.alerts
        .iter()
        .map(|a| {
            let place = a.label("region").or(a.label("country")).unwrap_or("");
            (
                place.to_string(),
                a.label("group").unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn check(raw: &str, spans: &[(&str, &str, &str)], want: &[(&str, &str)]) {
    let out = run(&mut stage(), &event(raw, spans)).unwrap();
    assert_eq!(places(&out), pairs(want), "{raw}\n{:#?}", out.alerts);
}

#[test]
fn the_seed_sentence_reports_the_regions_named_and_mozambique() {
    let raw = "the Ministers noted with grave concern that Daesh/ISIS affiliates and networks within sub-Saharan \
               Africa threaten safety and stability, namely in the Sahel Region and in Eastern Africa/Mozambique.";
    let out = run(
        &mut stage(),
        &event(
            raw,
            &[
                ("Daesh/ISIS", "group", "isis"),
                ("sub-Saharan Africa", "region", "sub-saharan-africa"),
                ("Sahel Region", "region", "sahel"),
                ("Eastern Africa", "region", "east-africa"),
                ("Mozambique", "country", "MZ"),
            ],
        ),
    )
    .unwrap();
    assert_eq!(
        places(&out),
        pairs(&[
            ("sub-saharan-africa", "isis"),
            ("sahel", "isis"),
            ("east-africa", "isis"),
            ("MZ", "isis"),
        ])
    );
    let sahel = &out.alerts[1];
    assert_eq!(sahel.rule, "regional_threat");
    assert_eq!(sahel.label("place"), Some("Sahel Region"));
    assert_eq!(sahel.label("role"), Some("locative"));
    assert_eq!(sahel.label("actor"), Some("Daesh/ISIS"));
    assert_eq!(
        sahel.label("region_path"),
        Some("africa/sub-saharan-africa/sahel")
    );
    assert_eq!(sahel.label("country"), None);
    let mozambique = &out.alerts[3];
    assert_eq!(mozambique.label("region"), None);
    assert_eq!(
        mozambique.label("region_path"),
        Some("africa/sub-saharan-africa/east-africa")
    );
    // Evidence: the cue, the actor, the place.
    let evidence: Vec<(&str, &str)> = sahel
        .evidence
        .iter()
        .map(|e| (e.kind.as_str(), &raw[e.start..e.end]))
        .collect();
    assert_eq!(
        evidence,
        [
            ("group", "Daesh/ISIS"),
            ("keyword", "in"),
            ("region", "Sahel Region")
        ]
    );
    assert!(sahel.summary.contains("Sahel Region"), "{}", sahel.summary);
}

#[test]
fn no_non_state_armed_actor_no_alert() {
    for (raw, spans) in [
        (
            "Russian forces attacked civilians in Ukraine.",
            &[("Russian", "country", "RU"), ("Ukraine", "country", "UA")][..],
        ),
        (
            "Ransomware attacks threaten hospitals in the United States.",
            &[("United States", "country", "US")][..],
        ),
        (
            "The pandemic and debt threaten stability in Kenya.",
            &[("Kenya", "country", "KE")][..],
        ),
        (
            "These are threats to the UN Charter in Iraq.",
            &[("Iraq", "country", "IQ")][..],
        ),
        (
            "Cartels and gangs threaten communities in Mexico.",
            &[("Mexico", "country", "MX")][..],
        ),
        (
            "Russia's war kidnapped thousands of children in Ukraine.",
            &[("Russia", "country", "RU"), ("Ukraine", "country", "UA")][..],
        ),
        (
            "Cyber terrorism is a growing concern in Canada.",
            &[("Canada", "country", "CA")][..],
        ),
        (
            "The Sinaloa Cartel attacked police in Mexico.",
            &[
                ("Sinaloa Cartel", "group", "sinaloa-cartel"),
                ("Mexico", "country", "MX"),
            ][..],
        ),
    ] {
        check(raw, spans, &[]);
    }
}

#[test]
fn the_backer_the_victims_and_the_speaker_are_not_places() {
    check(
        "We condemn the Iranian-backed Houthi attacks on shipping near Yemen.",
        &[
            ("Iranian", "country", "IR"),
            ("Houthi", "group", "houthis"),
            ("Yemen", "country", "YE"),
        ],
        &[("YE", "houthis")],
    );
    check(
        "Militias backed by Iran attacked bases in Iraq.",
        &[("Iran", "country", "IR"), ("Iraq", "country", "IQ")],
        &[("IQ", "generic")],
    );
    check(
        "Hamas took 46 Americans and many Israeli citizens hostage in Israel.",
        &[
            ("Hamas", "group", "hamas"),
            ("Americans", "country", "US"),
            ("Israeli", "country", "IL"),
            ("Israel", "country", "IL"),
        ],
        &[("IL", "hamas")],
    );
    check(
        "The United States strongly condemns the al-Shabaab attack in Mogadishu, Somalia.",
        &[
            ("United States", "country", "US"),
            ("al-Shabaab", "group", "al-shabaab"),
            ("Somalia", "country", "SO"),
        ],
        &[("SO", "al-shabaab")],
    );
}

#[test]
fn forces_fighting_elsewhere_and_an_embassy_s_home_are_not_places() {
    check(
        "U.S. forces conducted counterterrorism operations against ISIS in Syria.",
        &[
            ("U.S.", "country", "US"),
            ("ISIS", "group", "isis"),
            ("Syria", "country", "SY"),
        ],
        &[("SY", "isis")],
    );
    check(
        "Militants attacked the U.S. Embassy in Kabul, Afghanistan.",
        &[("U.S.", "country", "US"), ("Afghanistan", "country", "AF")],
        &[("AF", "generic")],
    );
    check(
        "It was a terrorist attack of missiles launched from Yemen targeting civilian sites in the UAE.",
        &[("Yemen", "country", "YE"), ("UAE", "country", "AE")],
        &[("AE", "generic")],
    );
}

#[test]
fn counter_terrorism_wording_and_generic_actors_place_the_threat() {
    check(
        "France and the United States support counterterrorism operations in the Sahel.",
        &[
            ("France", "country", "FR"),
            ("United States", "country", "US"),
            ("Sahel", "region", "sahel"),
        ],
        &[("sahel", "generic")],
    );
    check(
        "Large parts of Mali were liberated from terrorist groups.",
        &[("Mali", "country", "ML")],
        &[("ML", "generic")],
    );
    check(
        "Aid workers were kidnapped in Niger last week.",
        &[("Niger", "country", "NE")],
        &[("NE", "generic")],
    );
    check(
        "Hamas fired rockets into Israel, which has the right to defend itself.",
        &[("Hamas", "group", "hamas"), ("Israel", "country", "IL")],
        &[("IL", "hamas")],
    );
}

#[test]
fn places_from_the_gazetteer_map_to_their_country_and_appositions_merge() {
    let raw = "Boko Haram attacked a school in Borno State. ISIS claimed the bombing in Peshawar, Pakistan.";
    let mut ev = event(
        raw,
        &[
            ("Boko Haram", "group", "boko-haram"),
            ("Borno State", "place", "borno-state"),
            ("ISIS", "group", "isis"),
            ("Peshawar", "place", "peshawar"),
            ("Pakistan", "country", "PK"),
        ],
    );
    ev.spans[1] = ev.spans[1].clone().with_detail("NG");
    ev.spans[3] = ev.spans[3].clone().with_detail("PK");
    let out = run(&mut stage(), &ev).unwrap();
    assert_eq!(
        places(&out),
        pairs(&[("NG", "boko-haram"), ("PK", "isis")]),
        "{:#?}",
        out.alerts
    );
    assert_eq!(out.alerts[0].label("place"), Some("Borno State"));
    assert_eq!(
        out.alerts[0].label("region_path"),
        Some("africa/sub-saharan-africa/west-africa")
    );
    assert_eq!(out.alerts[1].label("place"), Some("Peshawar"));
    assert!(out.alerts[1].evidence.iter().any(|e| e.id == "PK"));
    // Without its country, a place is still reported, with no country.
    let mut ev = event("Militants attacked Gao.", &[("Gao", "place", "gao")]);
    ev.sentences = std::iter::once(0..ev.raw.len()).collect();
    let out = run(&mut stage(), &ev).unwrap();
    assert_eq!(out.alerts.len(), 1);
    assert_eq!(out.alerts[0].label("country"), None);
    assert_eq!(out.alerts[0].label("place"), Some("Gao"));
}

#[test]
fn regions_and_countries_inside_a_group_s_name_are_places() {
    let raw = "Islamic State West Africa Province and ISIS-Somalia claimed responsibility.";
    let ev = event(
        raw,
        &[
            ("Islamic State West Africa Province", "group", "iswap"),
            ("West Africa", "region_in_name", "west-africa"),
            ("ISIS-Somalia", "group", "isis-somalia"),
            ("Somalia", "country_in_name", "SO"),
        ],
    );
    let out = run(&mut stage(), &ev).unwrap();
    assert_eq!(
        places(&out),
        pairs(&[("west-africa", "iswap"), ("SO", "isis-somalia")])
    );
    assert!(
        out.alerts
            .iter()
            .all(|a| a.label("role") == Some("in-name"))
    );
    assert_eq!(
        out.alerts[0].label("region_path"),
        Some("africa/sub-saharan-africa/west-africa")
    );
    // Not in the core group's name, which tells where it began.
    let raw = "The Islamic State of Iraq and the Levant claimed the attack in Kabul, Afghanistan.";
    let ev = event(
        raw,
        &[
            ("Islamic State of Iraq and the Levant", "group", "isis"),
            ("Iraq", "country_in_name", "IQ"),
            ("Levant", "region_in_name", "levant"),
            ("Afghanistan", "country", "AF"),
        ],
    );
    assert_eq!(
        places(&run(&mut stage(), &ev).unwrap()),
        pairs(&[("AF", "isis")])
    );
    // Inside an organization's name, no.
    let raw = "The Economic Community of West African States condemned terrorism.";
    let ev = event(
        raw,
        &[
            (
                "Economic Community of West African States",
                "organization",
                "ecowas",
            ),
            ("West African", "region_in_name", "west-africa"),
        ],
    );
    assert!(run(&mut stage(), &ev).unwrap().alerts.is_empty());
}

#[test]
fn one_alert_per_actor_and_place_and_named_groups_before_generic_actors() {
    let raw =
        "ISIS attacks in Iraq continue. Terrorists attacked a market in Iraq. ISIS threatens Iraq.";
    check(
        raw,
        &[
            ("ISIS", "group", "isis"),
            ("Iraq", "country", "IQ"),
            ("Iraq", "country", "IQ"),
            ("ISIS", "group", "isis"),
            ("Iraq", "country", "IQ"),
        ],
        &[("IQ", "isis")],
    );
}

#[test]
fn watch_limits_places_and_is_checked() {
    let config = REGIONS.replacen('{', r#"{"watch":["middle-east","sahel"],"#, 1);
    let raw = "ISIS attacks continue in Iraq, in Kenya and in the Sahel.";
    let out = run(
        &mut RegionalThreat::new(&config).unwrap(),
        &event(
            raw,
            &[
                ("ISIS", "group", "isis"),
                ("Iraq", "country", "IQ"),
                ("Kenya", "country", "KE"),
                ("Sahel", "region", "sahel"),
            ],
        ),
    )
    .unwrap();
    assert_eq!(places(&out), pairs(&[("IQ", "isis"), ("sahel", "isis")]));
    let bad = REGIONS.replacen('{', r#"{"watch":["atlantis"],"#, 1);
    assert!(
        RegionalThreat::new(&bad)
            .unwrap_err()
            .contains("config.watch[0]")
    );
}

#[test]
fn region_paths_follow_the_smallest_region_containing_each_and_countries_the_deepest() {
    let stage = stage();
    let path = |id: &str| stage.regions[stage.by_id[id]].path.as_str();
    assert_eq!(path("africa"), "africa");
    assert_eq!(path("sahel"), "africa/sub-saharan-africa/sahel");
    assert_eq!(path("east-africa"), "africa/sub-saharan-africa/east-africa");
    // Mali is in the Sahel and in Western Africa, equally deep: the larger.
    assert_eq!(stage.countries["ML"].0, path("west-africa"));
    assert_eq!(stage.countries["US"].0, "northern-america");
    // A sea is no country's home, though Somalia is on its coast.
    assert_eq!(stage.countries["SO"].0, path("east-africa"));
    assert_eq!(path("gulf-of-aden"), "gulf-of-aden");
}

/// Times `process` on the events of a JSONL file of pipeline output (spans and sentences
/// included): `RT_BENCH=out.jsonl cargo test --release -p regional-threat -- --ignored bench`.
#[test]
#[ignore]
fn bench_process() {
    use commwatch_plugin_sdk::testing::{TestEvent, TestSpan, run};
    let Ok(path) = std::env::var("RT_BENCH") else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let mut events = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let raw = v["raw"].as_str().unwrap().to_string();
        let spans = v["spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| TestSpan {
                start: s["start"].as_u64().unwrap() as usize,
                end: s["end"].as_u64().unwrap() as usize,
                kind: s["kind"].as_str().unwrap().into(),
                id: s["id"].as_str().unwrap().into(),
                label: s["label"].as_str().unwrap().into(),
                detail: s.get("detail").and_then(|d| d.as_str()).map(Into::into),
            })
            .collect();
        let sentences = v["sentences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize)
            .collect();
        events.push(TestEvent {
            raw,
            spans,
            sentences,
            ..TestEvent::default()
        });
    }
    let regions = std::env::var("RT_REGIONS").unwrap_or_else(|_| "{}".into());
    let mut stage = RegionalThreat::new(&regions).unwrap();
    let mut empty = TestEvent::default();
    let start = std::time::Instant::now();
    for e in &events {
        run(&mut stage, e).unwrap();
    }
    let _ = start.elapsed();
    let t0 = std::time::Instant::now();
    let mut alerts = 0;
    for _ in 0..5 {
        for e in &events {
            alerts += run(&mut stage, e).unwrap().alerts.len();
        }
    }
    let t = t0.elapsed().as_secs_f64() / (5 * events.len()) as f64;
    // The harness alone (an event with the same spans, no text to read).
    empty.raw = String::new();
    let t1 = std::time::Instant::now();
    for _ in 0..5 {
        for e in &events {
            let mut x = e.clone();
            x.spans.clear();
            x.sentences.clear();
            std::hint::black_box(run(&mut stage, &x).unwrap());
        }
    }
    let base = t1.elapsed().as_secs_f64() / (5 * events.len()) as f64;
    eprintln!(
        "BENCH {} events: {:.1} us/doc (harness without spans {:.1} us), {} alerts/pass",
        events.len(),
        t * 1e6,
        base * 1e6,
        alerts / 5
    );
}
