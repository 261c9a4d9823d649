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
/// its text after the span before (inside it for the `…_in_name` kinds). A place's id may give
/// its country after a slash ("gaza/PS").
fn event(raw: &str, spans: &[(&str, &str, &str)]) -> TestEvent {
    let mut out: Vec<TestSpan> = Vec::new();
    for (text, kind, id) in spans {
        let from = match out.last() {
            Some(last) if kind.ends_with("_in_name") => last.start,
            Some(last) => last.end,
            None => 0,
        };
        let start = from + raw[from..].find(text).expect("span text in the raw text");
        let (id, detail) = match id.split_once('/') {
            Some((id, country)) => (id, Some(country.to_string())),
            None => (*id, None),
        };
        out.push(TestSpan {
            start,
            end: start + text.len(),
            kind: kind.to_string(),
            id: id.to_string(),
            label: text.to_string(),
            detail,
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
fn watch_keeps_a_region_whose_members_all_lie_in_watched_regions() {
    // Sub-Saharan Africa lies across the Sahel, West and East Africa; Africa does not (Algeria,
    // Egypt), nor the Gulf of Aden (Yemen, Djibouti).
    let config = REGIONS.replacen('{', r#"{"watch":["sahel","west-africa","east-africa"],"#, 1);
    let raw = "Militant groups are expanding across sub-Saharan Africa, across Africa and into the Gulf of Aden.";
    let out = run(
        &mut RegionalThreat::new(&config).unwrap(),
        &event(
            raw,
            &[
                ("sub-Saharan Africa", "region", "sub-saharan-africa"),
                ("Africa", "region", "africa"),
                ("Gulf of Aden", "region", "gulf-of-aden"),
            ],
        ),
    )
    .unwrap();
    assert_eq!(places(&out), pairs(&[("sub-saharan-africa", "generic")]));
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

// The actor must govern the place's role: in the same clause, with no new noun phrase or
// clause between them; an actor named after the place only when a word links them.

#[test]
fn a_place_of_another_noun_phrase_or_clause_than_the_actor_is_not_placed() {
    // The group's attack is on Israel; Gaza is named for its humanitarian situation.
    check(
        "They discussed Hamas's brutal terrorist attack against Israel and the humanitarian situation in Gaza.",
        &[
            ("Hamas", "group", "hamas"),
            ("Israel", "country", "IL"),
            ("Gaza", "place", "gaza"),
        ],
        &[("IL", "hamas")],
    );
    // ISIS is placed in Iraq; Afghanistan is named for NATO's mission.
    check(
        "He thanked Dutch troops in Iraq against ISIS and in NATO's mission in Afghanistan.",
        &[
            ("Dutch", "country", "NL"),
            ("Iraq", "country", "IQ"),
            ("ISIS", "group", "isis"),
            ("NATO", "organization", "nato"),
            ("Afghanistan", "country", "AF"),
        ],
        &[("IQ", "isis")],
    );
    // The coup is in Burma; counterterrorism is another topic of the talks.
    check(
        "They also discussed the coup in Burma, as well as issues related to human rights and counterterrorism.",
        &[("Burma", "country", "MM")],
        &[],
    );
    // Kenya leads in the Horn of Africa; its commitment to counterterrorism is another noun.
    check(
        "The President applauded Kenya's leadership in the Horn of Africa and commitment to counterterrorism.",
        &[
            ("Kenya", "country", "KE"),
            ("Horn of Africa", "region", "horn-of-africa"),
        ],
        &[],
    );
    // A list of troubled places, then a new clause about growing terrorism in general.
    check(
        "Beyond instability in the Horn of Africa, Yemen and Haiti, we are facing other issues, including growing terrorism.",
        &[
            ("Horn of Africa", "region", "horn-of-africa"),
            ("Yemen", "country", "YE"),
            ("Haiti", "country", "HT"),
        ],
        &[],
    );
    // A state's military regime is in Burma; the Taliban's repression is of women.
    check(
        "Freedoms are at risk, from the abuses by the military regime in Burma to the repression of women and girls by the Taliban in Afghanistan.",
        &[
            ("Burma", "country", "MM"),
            ("Taliban", "group", "taliban"),
            ("Afghanistan", "country", "AF"),
        ],
        &[],
    );
}

#[test]
fn an_actor_after_the_place_counts_when_a_word_links_them_or_the_place_opens_the_clause() {
    check(
        "In West Africa, we face persistent terrorist threats.",
        &[("West Africa", "region", "west-africa")],
        &[("west-africa", "generic")],
    );
    check(
        "U.S. forces struck facilities in Iraq and Syria that the IRGC and affiliated militia use to attack U.S. forces.",
        &[
            ("U.S.", "country", "US"),
            ("Iraq", "country", "IQ"),
            ("Syria", "country", "SY"),
            ("IRGC", "group", "irgc"),
            ("U.S.", "country", "US"),
        ],
        &[("IQ", "generic"), ("SY", "generic")],
    );
    // Technology named in Nigeria's experience, violent extremism in a clause of its own.
    check(
        "Our own experience in Nigeria, as in other countries, shows that new technologies, when not properly regulated, can facilitate organised crime and violent extremism.",
        &[("Nigeria", "country", "NG")],
        &[],
    );
    // A locative set off by commas opens a coordinated clause: the group named in it, not the
    // one of the clause before.
    check(
        "In February, we took out the head of ISIS in Syria, and last month, in Kabul, we eliminated the leader of al-Qaeda.",
        &[
            ("ISIS", "group", "isis"),
            ("Syria", "country", "SY"),
            ("Kabul", "place", "kabul/AF"),
            ("al-Qaeda", "group", "al-qaeda"),
        ],
        &[("SY", "isis"), ("AF", "al-qaeda")],
    );
    // A place that opens the clause where people meet or talk is a venue.
    check(
        "In Mauritania, the delegations will discuss our shared commitment to combatting terrorist groups.",
        &[("Mauritania", "country", "MR")],
        &[],
    );
}

#[test]
fn generic_terrorism_as_a_topic_is_no_actor_placed_somewhere() {
    for (raw, spans) in [
        // A designation, not an actor.
        (
            "Viet Nam calls on the United States to remove Cuba from the list of state sponsors of terrorism.",
            &[
                ("Viet Nam", "country", "VN"),
                ("United States", "country", "US"),
                ("Cuba", "country", "CU"),
            ][..],
        ),
        // Its money.
        (
            "The funds help banks in the Pacific Islands counter terrorist financing.",
            &[("Pacific Islands", "region", "pacific-islands")][..],
        ),
        // Part of a name.
        (
            "In Tashkent in March, we adopted a joint plan for the Global Counter-Terrorism Strategy in Central Asia.",
            &[
                ("Tashkent", "place", "tashkent"),
                ("Central Asia", "region", "central-asia"),
            ][..],
        ),
        (
            "They highlighted the Terrorist Financing Targeting Center, which is based in Saudi Arabia.",
            &[("Saudi Arabia", "country", "SA")][..],
        ),
        // An institution.
        (
            "We propose a United Nations counter-terrorism regional office in Central Asia.",
            &[("Central Asia", "region", "central-asia")][..],
        ),
        // A verb: what a state's troops do.
        (
            "Indian troops terrorise the people of Jammu and Kashmir.",
            &[
                ("Indian", "country", "IN"),
                ("Jammu and Kashmir", "place", "jammu-and-kashmir"),
            ][..],
        ),
        // Drug trafficking towards Europe funds terrorism: Europe is its destination.
        (
            "This terrorism derives its resources from drug trafficking towards Europe and Asia.",
            &[("Europe", "region", "europe"), ("Asia", "region", "asia")][..],
        ),
        // A fight against terrorism in general, then democracy maintained in places.
        (
            "We must act now to fight terror, protect civilians, and maintain democracy in Israel and Taiwan.",
            &[("Israel", "country", "IL"), ("Taiwan", "country", "TW")][..],
        ),
        // The world's fight, not the place's own.
        (
            "We appreciate Cuba's efforts to fight terrorism.",
            &[("Cuba", "country", "CU")][..],
        ),
    ] {
        check(raw, spans, &[]);
    }
    // Where it happens, it places.
    check(
        "We reiterate the importance of combating terrorism in Afghanistan.",
        &[("Afghanistan", "country", "AF")],
        &[("AF", "generic")],
    );
}

#[test]
fn a_state_at_war_is_not_placed_by_a_generic_actor_or_another_group() {
    // Putin's war is in Ukraine; Hamas attacked Israel.
    check(
        "The funds help civilians devastated by Putin's unjust war in Ukraine, Hamas' attack on Israel, and other crises.",
        &[
            ("Putin", "person", "vladimir-putin"),
            ("Ukraine", "country", "UA"),
            ("Hamas", "group", "hamas"),
            ("Israel", "country", "IL"),
        ],
        &[("IL", "hamas")],
    );
    check(
        "The session is held amid the war in Ukraine, the pandemic and diverse terrorist threats.",
        &[("Ukraine", "country", "UA")],
        &[],
    );
    check(
        "They condemned the Russian atrocities in Ukraine and terrorist attacks.",
        &[("Russian", "country", "RU"), ("Ukraine", "country", "UA")],
        &[],
    );
    // Ukraine defends itself against Russia, not against the group of the sentence before.
    check(
        "They discussed the release of hostages held by Hamas. They reiterated their support for Ukraine as it defends itself against Russia's continuing aggression.",
        &[
            ("Hamas", "group", "hamas"),
            ("Ukraine", "country", "UA"),
            ("Russia", "country", "RU"),
        ],
        &[],
    );
    // The people of Ukraine and Israel defend themselves against tyranny and terrorism: the
    // terrorism is the threat to Israel, the nearer.
    check(
        "We continue our support for the people of Ukraine and Israel as they defend themselves against tyranny and terrorism.",
        &[("Ukraine", "country", "UA"), ("Israel", "country", "IL")],
        &[("IL", "generic")],
    );
    check(
        "The aggression against Iraq created ISIS.",
        &[("Iraq", "country", "IQ"), ("ISIS", "group", "isis")],
        &[],
    );
}

#[test]
fn denied_or_alleged_presence_is_no_threat() {
    check(
        "The note makes clear that there are no links between the 46 mercenaries and the United Nations in Mali.",
        &[
            ("United Nations", "organization", "un"),
            ("Mali", "country", "ML"),
        ],
        &[],
    );
    check(
        "On the issue of the Wagner Group's presence in Burkina Faso, which is raised by some media, I say this.",
        &[
            ("Wagner Group", "group", "wagner-group"),
            ("Burkina Faso", "country", "BF"),
        ],
        &[],
    );
}

#[test]
fn meetings_and_plans_adopted_in_a_city_are_venues() {
    check(
        "They commended the Global Coalition to Defeat ISIS, established in Jeddah in 2014.",
        &[
            (
                "Global Coalition to Defeat ISIS",
                "organization",
                "d-isis-coalition",
            ),
            ("Jeddah", "place", "jeddah"),
        ],
        &[],
    );
    check(
        "Following her meetings with Arab leaders in Dubai, she discussed the conflict with Hamas.",
        &[
            ("Arab", "region", "arab-world"),
            ("Dubai", "place", "dubai"),
            ("Hamas", "group", "hamas"),
        ],
        &[],
    );
}

#[test]
fn a_place_named_for_aid_is_not_placed_by_the_group_beside_it() {
    check(
        "The first convoy of humanitarian assistance since Hamas's attack on Israel crossed the border into Gaza.",
        &[
            ("Hamas", "group", "hamas"),
            ("Israel", "country", "IL"),
            ("Gaza", "place", "gaza"),
        ],
        &[("IL", "hamas")],
    );
    // Hostages a group holds place it where the place named is (the settled question) …
    check(
        "They discussed the ongoing war in Gaza and their efforts to secure the release of all hostages held by Hamas.",
        &[("Gaza", "place", "gaza/PS"), ("Hamas", "group", "hamas")],
        &[("PS", "hamas")],
    );
    // … but hostages with no group named are no actor.
    check(
        "He thanked the Amir for his efforts to secure the release of all hostages held in Gaza.",
        &[("Gaza", "place", "gaza")],
        &[],
    );
}

#[test]
fn a_staging_base_for_operations_elsewhere_is_not_the_place() {
    check(
        "United States Armed Forces are deployed to Kenya to support counterterrorism operations in East Africa.",
        &[
            ("United States", "country", "US"),
            ("Kenya", "country", "KE"),
            ("East Africa", "region", "east-africa"),
        ],
        &[("east-africa", "generic")],
    );
    // Deployed to support operations there.
    check(
        "Approximately 91 United States military personnel are deployed to Lebanon to enhance the government's counterterrorism capabilities.",
        &[
            ("United States", "country", "US"),
            ("Lebanon", "country", "LB"),
        ],
        &[("LB", "generic")],
    );
}

#[test]
fn a_group_s_policies_are_not_attacks() {
    check(
        "We see it in Afghanistan, where the Taliban bars women and girls from attending school.",
        &[
            ("Afghanistan", "country", "AF"),
            ("Taliban", "group", "taliban"),
        ],
        &[],
    );
    check(
        "The Taliban attacked a checkpoint in Afghanistan.",
        &[
            ("Taliban", "group", "taliban"),
            ("Afghanistan", "country", "AF"),
        ],
        &[("AF", "taliban")],
    );
}

#[test]
fn a_place_after_a_comma_that_a_clause_goes_on_from_is_no_list_item() {
    check(
        "In Coastal West Africa, the United States aims to work with partners to prevent the expansion of terrorism.",
        &[
            ("Coastal West Africa", "region", "coastal-west-africa"),
            ("United States", "country", "US"),
        ],
        &[("coastal-west-africa", "generic")],
    );
    check(
        "If the Houthis cease their attacks in the Red Sea and Gulf of Aden, the United States will reevaluate this designation.",
        &[
            ("Houthis", "group", "houthis"),
            ("Red Sea", "region", "red-sea"),
            ("Gulf of Aden", "region", "gulf-of-aden"),
            ("United States", "country", "US"),
        ],
        &[("red-sea", "houthis"), ("gulf-of-aden", "houthis")],
    );
}

#[test]
fn a_place_that_fights_the_actor_or_risks_hosting_it() {
    check(
        "Ministers commend Iraq's continuing cooperation in countering Daesh in the region.",
        &[("Iraq", "country", "IQ"), ("Daesh", "group", "isis")],
        &[("IQ", "isis")],
    );
    check(
        "They expressed their solidarity with Burkina Faso in its fight against terrorism.",
        &[("Burkina Faso", "country", "BF")],
        &[("BF", "generic")],
    );
    let out = run(
        &mut stage(),
        &event(
            "Both leaders committed to prevent Sudan from attracting transnational terrorist networks once again.",
            &[("Sudan", "country", "SD")],
        ),
    )
    .unwrap();
    assert_eq!(places(&out), pairs(&[("SD", "generic")]));
    assert_eq!(out.alerts[0].label("role"), Some("haven"));
}

#[test]
fn self_defense_and_defending_its_territory() {
    check(
        "Hamas attacked on October 7. Israel, like any other state, has the right to self-defense.",
        &[("Hamas", "group", "hamas"), ("Israel", "country", "IL")],
        &[("IL", "hamas")],
    );
    check(
        "He reaffirmed the commitment to help Saudi Arabia protect and defend its territory and people from all external attacks, particularly those launched by the Houthis.",
        &[
            ("Saudi Arabia", "country", "SA"),
            ("Houthis", "group", "houthis"),
        ],
        &[("SA", "houthis")],
    );
    // The nearest place before is an adjective: no place defends itself.
    check(
        "The Taliban's offensive contradicts its claims; the United States will keep supporting the Afghan security forces to defend themselves.",
        &[
            ("Taliban", "group", "taliban"),
            ("United States", "country", "US"),
            ("Afghan", "country", "AF"),
        ],
        &[],
    );
}

#[test]
fn the_country_stands_for_the_country_named_last_before_it() {
    // Its own sentence, or the sentences just before.
    check(
        "Chad's government said that insurgents had raided villages across the\ncountry.",
        &[("Chad", "country", "TD")],
        &[("TD", "generic")],
    );
    check(
        "Mozambique asked for help. Militants have staged attacks across the country.",
        &[("Mozambique", "country", "MZ")],
        &[("MZ", "generic")],
    );
    // A country that only modifies a noun of its state or people is not the one meant.
    check(
        "Niger welcomed the U.S. troops who train units fighting terrorist groups throughout the country.",
        &[("Niger", "country", "NE"), ("U.S.", "country", "US")],
        &[("NE", "generic")],
    );
    // No country before it: nothing.
    check("Terrorist groups are active across the country.", &[], &[]);
}

#[test]
fn groups_operating_from_or_out_of_a_place_are_there() {
    check(
        "The ministers warned of terrorist networks operating out of Libya and northern Mali.",
        &[("Libya", "country", "LY"), ("Mali", "country", "ML")],
        &[("LY", "generic"), ("ML", "generic")],
    );
    check(
        "The strikes hit al-Shabaab cells operating from Somalia.",
        &[
            ("al-Shabaab", "group", "al-shabaab"),
            ("Somalia", "country", "SO"),
        ],
        &[("SO", "al-shabaab")],
    );
    // Where an attack is launched from is still the attacker's home.
    check(
        "The militia fired drones launched from Yemen.",
        &[("Yemen", "country", "YE")],
        &[],
    );
}

#[test]
fn a_direction_before_of_is_part_of_the_place() {
    // "in the north of X": the north is the head of "of", not a word to skip.
    check(
        "Militants have staged attacks in the east of Chad.",
        &[("Chad", "country", "TD")],
        &[("TD", "generic")],
    );
    check(
        "Hezbollah rockets turned towns in the north of Israel into ghost towns.",
        &[
            ("Hezbollah", "group", "hezbollah"),
            ("Israel", "country", "IL"),
        ],
        &[("IL", "hezbollah")],
    );
}

#[test]
fn a_subject_pronoun_after_a_named_group_stands_for_it() {
    check(
        "Al-Shabaab lost ground, and it now threatens Kenya.",
        &[
            ("Al-Shabaab", "group", "al-shabaab"),
            ("Kenya", "country", "KE"),
        ],
        &[("KE", "al-shabaab")],
    );
    check(
        "If the Houthis keep their weapons, they will attack Saudi Arabia again.",
        &[
            ("Houthis", "group", "houthis"),
            ("Saudi Arabia", "country", "SA"),
        ],
        &[("SA", "houthis")],
    );
}

#[test]
fn my_country_in_a_statement_is_the_speakers() {
    let raw = "Mali thanks its partners. Armed groups still stage attacks in our country.";
    let spans = [("Mali", "country", "ML")];
    let mut titled = event(raw, &spans);
    titled.title = Some("Statement by Mali in the General Debate".into());
    let out = run(&mut stage(), &titled).unwrap();
    assert_eq!(places(&out), pairs(&[("ML", "generic")]));
    // The speaker is only known from such a title.
    let untitled = run(&mut stage(), &event(raw, &spans)).unwrap();
    assert_eq!(places(&untitled), pairs(&[]));
    // Named after "my country", and beside "the country" of another.
    let raw = "Terrorists attack our nation daily. Mali and Niger met. Insurgents raid villages across the country.";
    let spans = [("Mali", "country", "ML"), ("Niger", "country", "NE")];
    let mut titled = event(raw, &spans);
    titled.title = Some("Statement by Mali in the General Debate".into());
    let out = run(&mut stage(), &titled).unwrap();
    assert_eq!(places(&out), pairs(&[("ML", "generic"), ("NE", "generic")]));
    let evidence: Vec<&str> = out.alerts[0]
        .evidence
        .iter()
        .map(|e| e.label.as_str())
        .collect();
    assert!(evidence.contains(&"Mali"), "{evidence:?}");
}

#[test]
fn the_removal_of_an_actor_from_a_place_says_it_is_there() {
    check(
        "The ministers called for the withdrawal of all foreign fighters and mercenaries from Libya.",
        &[("Libya", "country", "LY")],
        &[("LY", "generic")],
    );
    // Troops withdrawn are no actor.
    check(
        "The withdrawal of U.S. troops from Afghanistan ended a war against terrorists.",
        &[("U.S.", "country", "US"), ("Afghanistan", "country", "AF")],
        &[],
    );
}

#[test]
fn a_place_that_experienced_or_risks_becoming_a_haven() {
    check(
        "Last year Kenya experienced a wave of terrorist attacks.",
        &[("Kenya", "country", "KE")],
        &[("KE", "generic")],
    );
    check(
        "Without support, the Sahel risks becoming a sanctuary for terrorist groups.",
        &[("Sahel", "region", "sahel")],
        &[("sahel", "generic")],
    );
    // Not what it experienced: no threat.
    check(
        "Kenya experienced strong growth while fighting terrorism abroad.",
        &[("Kenya", "country", "KE")],
        &[],
    );
}

#[test]
fn a_place_that_is_a_victim_or_target_of_the_actor_faces_it() {
    check(
        "For decades Algeria was a victim of terrorism.",
        &[("Algeria", "country", "DZ")],
        &[("DZ", "generic")],
    );
    check(
        "Jordan, which has itself been a frequent target of ISIS, is a partner.",
        &[("Jordan", "country", "JO"), ("ISIS", "group", "isis")],
        &[("JO", "isis")],
    );
    // A victim of something else.
    check(
        "Cuba is a victim of a blockade, not of terrorism elsewhere.",
        &[("Cuba", "country", "CU")],
        &[],
    );
}

#[test]
fn a_city_naming_an_attack_is_where_it_was() {
    check(
        "They condemned terrorist attacks, including the Karachi and Quetta bombings.",
        &[
            ("Karachi", "place", "karachi/PK"),
            ("Quetta", "place", "quetta/PK"),
        ],
        &[("PK", "generic"), ("PK", "generic")],
    );
    // A country so named is the attacker's.
    check(
        "Terrorist groups praised the Iran attacks.",
        &[("Iran", "country", "IR")],
        &[],
    );
}

#[test]
fn directions_joined_by_and_before_a_place_are_skipped() {
    check(
        "Terrorist activities have expanded into southern and central Mali.",
        &[("Mali", "country", "ML")],
        &[("ML", "generic")],
    );
}
