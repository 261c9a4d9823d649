//! The tagger's behaviour, through its API: the matching rules of `docs/gazetteer.md` on the
//! bundled gazetteer.

use super::*;
use crate::gazetteer::GazetteerError;
use commwatch_core::Origin;
use proptest::prelude::*;
use std::sync::OnceLock;

fn builtin() -> &'static Tagger {
    static TAGGER: OnceLock<Tagger> = OnceLock::new();
    TAGGER.get_or_init(|| match Tagger::new(&Gazetteer::builtin()) {
        Ok(t) => t,
        Err(e) => panic!("builtin gazetteer does not compile: {e}"),
    })
}

/// (id, matched text) for each tag of `text`.
fn ids(text: &str) -> Vec<(String, String)> {
    let mut tags = Vec::new();
    builtin().tag(text, &mut tags);
    tags.iter()
        .map(|t| (t.entity.id().to_string(), text[t.start..t.end].to_owned()))
        .collect()
}

fn id_list(text: &str) -> Vec<String> {
    ids(text).into_iter().map(|(id, _)| id).collect()
}

/// A normalized, tagged event.
fn tagged_event(raw: &str) -> Communique {
    let mut event = Communique::new(None, Origin::default(), raw.to_owned());
    event.normalized = Some(Normalizer::new().normalize(raw));
    builtin().tag_event(&mut event);
    event
}

#[test]
fn tags_the_coalition_sentence_with_raw_offsets() {
    let raw = "The Ministers welcomed new members joining the particular Coalition – \
               Central African Republic, Democratic Republic from the Congo, Mauritania, \
               and Yemen.";
    let event = tagged_event(raw);
    let found: Vec<(&str, &str)> = event
        .spans
        .iter()
        .map(|s| (&*s.id, event.span_text(s)))
        .collect();
    assert_eq!(
        found,
        [
            ("CF", "Central African Republic"),
            ("CD", "Democratic Republic from the Congo"),
            ("MR", "Mauritania"),
            ("YE", "Yemen"),
        ]
    );
    assert!(event.spans.iter().all(|s| &*s.kind == "country"));
    assert_eq!(&*event.spans[1].label, "Democratic Republic of the Congo");
}

#[test]
fn respects_word_boundaries() {
    assert_eq!(id_list("Nigeria and Niger"), ["NG", "NE"]);
    assert_eq!(id_list("Nigerian troops"), ["NG"]);
    assert!(id_list("Nigeriaa Irakq").is_empty());
    assert_eq!(ids("Iraq's forces"), [("IQ".into(), "Iraq".into())]);
    assert_eq!(ids("a Syria-wide truce"), [("SY".into(), "Syria".into())]);
    assert_eq!(id_list("Iraqi forces"), ["IQ"]);
    assert!(id_list("_Iraq Iraq_ 2Iraq").is_empty());
}

#[test]
fn applies_case_rules() {
    assert_eq!(id_list("US forces"), ["US"]);
    assert!(id_list("let us go; Us and them").is_empty());
    assert!(id_list("roast turkey and chad").is_empty());
    assert_eq!(id_list("TURKEY Turkey Chad"), ["TR", "TR", "TD"]);
    assert_eq!(id_list("the DRC and the drc"), ["CD"]);
    // Every capitalized word of a name must be capitalized in the text.
    assert_eq!(id_list("an Islamic State fighter"), ["isis"]);
    assert!(id_list("an Islamic state").is_empty());
    assert_eq!(
        id_list("al-Shabaab, Al-Shabaab and AL-SHABAAB"),
        ["al-shabaab"; 3]
    );
    assert!(id_list("al-shabaab").is_empty());
}

#[test]
fn folds_case_and_diacritics() {
    assert_eq!(
        id_list("Moçambique, Mocambique, MOZAMBIQUE, Mozambique"),
        ["MZ"; 4]
    );
    assert_eq!(id_list("TÜRKIYE and Turkiye"), ["TR", "TR"]);
    assert_eq!(
        ids("Sauli Niinisto"),
        [("sauli-niinisto".into(), "Sauli Niinisto".into())]
    );
    // Offsets are in the (unfolded) text, whatever folding did to lengths.
    assert_eq!(ids("İİ Moçambique"), [("MZ".into(), "Moçambique".into())]);
}

#[test]
fn prefers_the_longest_name_across_kinds() {
    assert_eq!(
        ids("the Democratic Republic of the Congo and the Republic of the Congo"),
        [
            ("CD".into(), "Democratic Republic of the Congo".into()),
            ("CG".into(), "Republic of the Congo".into()),
        ]
    );
    assert_eq!(id_list("South Sudan and Sudan"), ["SS", "SD"]);
    assert_eq!(
        id_list("the Islamic State of Iraq and Syria in Iraq"),
        ["isis", "IQ"]
    );
    assert_eq!(
        id_list("the Lake Chad Basin and Chad"),
        ["lake-chad-basin", "TD"]
    );
    assert_eq!(id_list("EUAM Iraq and Iraq"), ["euam-iraq", "IQ"]);
}

#[test]
fn tags_seas_straits_and_analyst_regions() {
    assert_eq!(
        id_list("North Africa, Northern Africa and the North African coast"),
        ["north-africa"; 3]
    );
    // Seas win over the countries inside their names.
    assert_eq!(
        id_list("the South China Sea, the Gulf of Oman and the Indian Ocean"),
        ["south-china-sea", "gulf-of-oman", "indian-ocean"]
    );
    assert_eq!(
        id_list("in the Red Sea, the Bab al-Mandeb Strait, and the Gulf of Aden"),
        ["red-sea", "bab-el-mandeb", "gulf-of-aden"]
    );
    assert_eq!(
        id_list("piracy in the Gulf of Guinea and the Mediterranean Sea"),
        ["gulf-of-guinea", "mediterranean"]
    );
    assert_eq!(
        id_list("the Black Sea, the Strait of Hormuz and the Persian Gulf"),
        ["black-sea", "strait-of-hormuz", "persian-gulf"]
    );
    // The political Gulf (the GCC states) is not the sea.
    assert_eq!(
        id_list("the Gulf States and the Arabian Gulf"),
        ["gulf", "persian-gulf"]
    );
    assert_eq!(
        id_list("the Liptako-Gourma, the three borders area and the central Sahel"),
        ["liptako-gourma", "liptako-gourma", "central-sahel"]
    );
    assert_eq!(
        id_list("the Sahel and the Central Sahel"),
        ["sahel", "central-sahel"]
    );
    // Ambiguous between the Sahel and South America: not a name.
    assert!(id_list("the tri-border area").is_empty());
    assert_eq!(id_list("Kashmir"), ["kashmir"]);
}

/// (kind, id, text, detail) of each span of a tagged event.
fn spans_of(raw: &str) -> Vec<(String, String, String, Option<String>)> {
    let event = tagged_event(raw);
    event
        .spans
        .iter()
        .map(|s| {
            (
                s.kind.to_string(),
                s.id.to_string(),
                event.span_text(s).to_owned(),
                s.detail.as_deref().map(str::to_owned),
            )
        })
        .collect()
}

fn span(
    kind: &str,
    id: &str,
    text: &str,
    detail: Option<&str>,
) -> (String, String, String, Option<String>) {
    (
        kind.into(),
        id.into(),
        text.into(),
        detail.map(str::to_owned),
    )
}

#[test]
fn tags_places_with_their_country_and_no_country_span() {
    for (text, id, country) in [
        ("Borno State", "borno", "NG"),
        ("Borno state", "borno", "NG"),
        ("Mogadishu", "mogadishu", "SO"),
        ("Cabo Delgado", "cabo-delgado", "MZ"),
        ("Gaza", "gaza", "PS"),
        ("the Gaza Strip", "gaza", "PS"),
        ("Kurdistan Region", "kurdistan-region", "IQ"),
        ("the Kurdistan Region of Iraq", "kurdistan-region", "IQ"),
        ("Iraqi Kurdistan", "kurdistan-region", "IQ"),
        ("Idlib", "idlib", "SY"),
        ("Mexico City", "mexico-city", "MX"),
        ("Kuwait City", "kuwait-city", "KW"),
        ("Guatemala City", "guatemala-city", "GT"),
        ("Port Sudan", "port-sudan", "SD"),
        ("the Somali Region", "somali-region", "ET"),
        ("North Sinai", "north-sinai", "EG"),
        ("Jammu and Kashmir", "jammu-and-kashmir", "IN"),
        ("Niger State", "niger-state", "NG"),
        ("the Niger Delta", "niger-delta", "NG"),
        ("the Inner Niger Delta", "inner-niger-delta", "ML"),
    ] {
        let spans = spans_of(text);
        assert_eq!(spans.len(), 1, "{text}: {spans:?}");
        let (kind, found, _, detail) = &spans[0];
        assert_eq!(
            (kind.as_str(), found.as_str(), detail.as_deref()),
            (PLACE, id, Some(country)),
            "{text}"
        );
    }
    // Niger State is in Nigeria; Niger is a country, and so is Niger with a lowercase
    // "state" after it (its state media).
    assert_eq!(
        spans_of("attacks in Niger State and in Niger; Niger state media said"),
        [
            span(PLACE, "niger-state", "Niger State", Some("NG")),
            span("country", "NE", "Niger", None),
            span("country", "NE", "Niger", None),
        ]
    );
    // A name that is a country's is the country: Djibouti, Kuwait, Mexico.
    assert_eq!(id_list("Djibouti, Kuwait and Mexico"), ["DJ", "KW", "MX"]);
    assert_eq!(
        id_list("from Mogadishu, Somalia to Maiduguri, Nigeria"),
        ["mogadishu", "SO", "maiduguri", "NG"]
    );
    // Treaties named after a city are not the city; the city alone is.
    assert_eq!(id_list("the Paris Agreement, signed in Paris"), ["paris"]);
    // Direction words before a country are not places.
    assert_eq!(id_list("northeast Syria"), ["SY"]);
}

#[test]
fn every_bundled_place_name_is_that_place() {
    let g = Gazetteer::builtin();
    let normalizer = Normalizer::new();
    for place in g.entities().filter(|e| &**e.kind() == PLACE) {
        for name in place.names() {
            let text = normalizer.normalize(name).text;
            let mut tags = Vec::new();
            builtin().tag(&text, &mut tags);
            let found: Vec<(&str, &str)> = tags
                .iter()
                .map(|t| (&**t.entity.kind(), &**t.entity.id()))
                .collect();
            assert_eq!(found, [(PLACE, &**place.id())], "{name:?}");
            assert_eq!((tags[0].start, tags[0].end), (0, text.len()), "{name:?}");
        }
    }
}

#[test]
fn finds_regions_and_countries_inside_group_and_organization_names() {
    assert_eq!(
        spans_of("Islamic State West Africa Province attacks"),
        [
            span("group", "iswap", "Islamic State West Africa Province", None),
            span(REGION_IN_NAME, "west-africa", "West Africa", Some("iswap")),
        ]
    );
    assert_eq!(
        spans_of("ISIS-Somalia fighters in Puntland"),
        [
            span("group", "isis-somalia", "ISIS-Somalia", None),
            span(COUNTRY_IN_NAME, "SO", "Somalia", Some("isis-somalia")),
            span(PLACE, "puntland", "Puntland", Some("SO")),
        ]
    );
    assert_eq!(
        spans_of("al-Qa'ida in the Arabian Peninsula (AQAP)"),
        [
            span("group", "aqap", "al-Qa'ida in the Arabian Peninsula", None),
            span(
                REGION_IN_NAME,
                "arabian-peninsula",
                "Arabian Peninsula",
                Some("aqap")
            ),
            span("group", "aqap", "AQAP", None),
        ]
    );
    assert_eq!(
        spans_of("al-Qaida in the Islamic Maghreb"),
        [
            span("group", "aqim", "al-Qaida in the Islamic Maghreb", None),
            span(REGION_IN_NAME, "maghreb", "Maghreb", Some("aqim")),
        ]
    );
    // Several inside one name, in order; an organization's name too.
    assert_eq!(
        spans_of("the Islamic State of Iraq and the Levant and EUAM Iraq"),
        [
            span(
                "group",
                "isis",
                "Islamic State of Iraq and the Levant",
                None
            ),
            span(COUNTRY_IN_NAME, "IQ", "Iraq", Some("isis")),
            span(REGION_IN_NAME, "levant", "Levant", Some("isis")),
            span("organization", "euam-iraq", "EUAM Iraq", None),
            span(COUNTRY_IN_NAME, "IQ", "Iraq", Some("euam-iraq")),
        ]
    );
    // Nothing the gazetteer knows inside: no extra span. Places are not looked for.
    assert_eq!(
        spans_of("ISIS-Khorasan and ISIS-Sinai"),
        [
            span("group", "isis-k", "ISIS-Khorasan", None),
            span("group", "isis-sinai", "ISIS-Sinai", None),
        ]
    );
    // "American" in the OAS's name is the Americas, not the United States.
    assert_eq!(
        spans_of("the Organization of American States"),
        [span(
            "organization",
            "oas",
            "Organization of American States",
            None
        )]
    );
    // `tag` reports mentions only, disjoint.
    assert_eq!(id_list("ISIS-Somalia"), ["isis-somalia"]);
    // The names inside a name follow the usual rules: capitals, whole words.
    assert_eq!(
        spans_of("Economic Community of West African States"),
        [
            span(
                "organization",
                "ecowas",
                "Economic Community of West African States",
                None
            ),
            span(
                REGION_IN_NAME,
                "west-africa",
                "West African",
                Some("ecowas")
            ),
        ]
    );
}

#[test]
fn names_inside_names_keep_spans_sorted_and_nested() {
    let raw = "Talks on ISIS-Somalia, al-Shabaab and the Lake Chad Basin Commission \
               with Nigeria and the African Union Mission in Somalia.";
    let event = tagged_event(raw);
    assert!(event.spans.is_sorted_by_key(|s| s.start));
    let mut holder: Option<&Span> = None;
    let mut last_end = 0;
    for s in &event.spans {
        if matches!(&*s.kind, COUNTRY_IN_NAME | REGION_IN_NAME) {
            let h = holder.expect("a holder before");
            assert!(h.start <= s.start && s.end <= h.end, "{s:?} in {h:?}");
            assert_eq!(s.detail.as_deref(), Some(&*h.id));
        } else {
            assert!(s.start >= last_end, "mentions overlap at {s:?}");
            last_end = s.end;
            holder = Some(s);
        }
    }
    let kinds: Vec<&str> = event.spans.iter().map(|s| &*s.kind).collect();
    assert_eq!(
        kinds,
        [
            "group",
            COUNTRY_IN_NAME,
            "group",
            "organization",
            REGION_IN_NAME,
            "country",
            "organization",
            REGION_IN_NAME,
            COUNTRY_IN_NAME,
        ]
    );
}

#[test]
fn tags_groupings_partnerships_and_their_long_forms() {
    assert_eq!(
        id_list("the Group of 7, the Group of Seven, the Group of 20 and the G20"),
        ["g7", "g7", "g20", "g20"]
    );
    assert_eq!(
        id_list("the Minerals Security Partnership and the MSP Forum"),
        ["minerals-security-partnership", "msp-forum"]
    );
    for name in [
        "Coalition to Defeat ISIS",
        "D-ISIS Coalition",
        "Global Coalition Against Daesh",
        "Global Coalition to Defeat ISIS",
        "anti-ISIS coalition",
    ] {
        assert_eq!(id_list(name), ["d-isis-coalition"], "{name}");
    }
    assert_eq!(
        id_list("Croatia joined the euro area and the Schengen area"),
        ["HR", "euro-area", "schengen-area"]
    );
    assert_eq!(id_list("the Schengen Agreement"), Vec::<String>::new());
    assert_eq!(
        id_list("the Five Eyes, the Commonwealth and OPEC+"),
        ["five-eyes", "commonwealth", "opec-plus"]
    );
    assert_eq!(
        id_list("the Commonwealth of Virginia"),
        Vec::<String>::new()
    );
    assert_eq!(id_list("the Commonwealth of Australia"), ["AU"]);
    assert_eq!(
        id_list("the Counter Ransomware Initiative and the PGII"),
        ["cri", "pgii"]
    );
}

#[test]
fn resumes_after_a_rejected_match() {
    // "democratic Republic of the Congo" fails the capital rule as a whole; the shorter
    // name inside it is still found.
    assert_eq!(id_list("democratic Republic of the Congo"), ["CG"]);
    // A shorter name at the same start is tried too: "Global Coalition in" is no name.
    assert_eq!(
        id_list("the mission of the Global Coalition in Iraq"),
        ["d-isis-coalition", "IQ"]
    );
}

#[test]
fn first_entity_wins_a_shared_name() -> Result<(), Box<dyn std::error::Error>> {
    let g = Gazetteer::from_toml_str(
        r#"
[[entity]]
id = "GE"
kind = "country"
label = "Georgia"
names = ["Georgia"]
[[entity]]
id = "US-GA"
kind = "state"
label = "Georgia"
names = ["GEORGIA"]
exact = ["GA"]
[[entity]]
id = "US-GA2"
kind = "state"
label = "Georgia"
exact = ["georgia"]
"#,
        "t.toml",
    )?;
    let tagger = Tagger::new(&g)?;
    let mut tags = Vec::new();
    tagger.tag("Georgia, GA, georgia", &mut tags);
    let found: Vec<&str> = tags.iter().map(|t| &**t.entity.id()).collect();
    assert_eq!(found, ["GE", "US-GA", "US-GA2"]);
    Ok(())
}

#[test]
fn matches_swapped_function_words_and_articles() {
    // The canonical form itself is tested in `function_words`.
    assert_eq!(id_list("the Republic with Korea"), ["KR"]);
    assert_eq!(id_list("Democratic Republic of Congo"), ["CD"]);
    assert_eq!(
        ids("the Islamic State within Iraq and Syria-Khurasan (ISIS-K)"),
        [
            (
                "isis-k".into(),
                "Islamic State within Iraq and Syria-Khurasan".into()
            ),
            ("isis-k".into(), "ISIS-K".into()),
        ]
    );
    assert_eq!(id_list("Coalition for Sahel"), ["coalition-for-the-sahel"]);
    // Only articles may be added: "the particular" is no article, so this is no name.
    assert_eq!(id_list("the Coalition for the particular Sahel"), ["sahel"]);
    // Only function words vary: other words must be the name's.
    assert!(id_list("Democratic Republic of the Kongo").is_empty());
}

#[test]
fn applies_context_rules() {
    // person-name
    assert!(id_list("the player Michael Jordan scored").is_empty());
    // A capitalized word that starts the sentence says nothing.
    assert_eq!(id_list("Visit Jordan. Michael Jordan scored"), ["JO", "JO"]);
    assert!(id_list("the coach Chad Smith said").is_empty());
    assert_eq!(id_list("troops in Jordan and Chad"), ["JO", "TD"]);
    assert_eq!(id_list("Jordan, Chad and Georgia"), ["JO", "TD", "GE"]);
    assert_eq!(id_list("King Abdullah of Jordan"), ["JO"]);
    assert_eq!(id_list("Visiting Jordan, the minister"), ["JO"]);
    assert_eq!(id_list("the Jordan Valley"), ["JO"]);
    assert_eq!(id_list("the Government of Chad. Jordan said"), ["TD", "JO"]);
    assert_eq!(id_list("Jordanian Armed Forces"), ["JO"]);
    // us-state
    assert!(id_list("Alliance Theatre, Atlanta, Georgia").is_empty());
    assert_eq!(id_list("Delaware, Georgia, Kansas"), Vec::<String>::new());
    assert_eq!(id_list("Armenia, Georgia, Azerbaijan"), ["AM", "GE", "AZ"]);
    assert_eq!(id_list("However, Georgia signed"), ["GE"]);
    // A place tagged before the comma is no US city: Tbilisi is in Georgia.
    assert_eq!(id_list("in Tbilisi, Georgia"), ["tbilisi", "GE"]);
    // common-word
    assert!(id_list("WHO WE ARE").is_empty());
    assert!(id_list("THIS IS US").is_empty());
    assert_eq!(id_list("the WHO and IS fighters"), ["who", "isis"]);
    assert_eq!(id_list("US, UK and France"), ["US", "GB", "FR"]);
    // Longer acronyms are no English words: kept in capitals.
    assert_eq!(id_list("THE FIGHT AGAINST ISIS"), ["isis"]);
    // not_within
    assert!(id_list("the White House National Security Council").is_empty());
    assert_eq!(id_list("the Security Council"), ["unsc"]);
    assert_eq!(
        id_list("Security Council of the Russian Federation"),
        ["RU"]
    );
}

#[test]
fn finds_person_titles() {
    let event = tagged_event(
        "met today within Rome at the invitation of Italian Minister of Foreign Affairs and \
         International Cooperation Luigi Di Maio and U. S. Admin of State Antony L. Blinken. \
         NATO Secretary General Stoltenberg and Biden spoke.",
    );
    let people: Vec<(&str, Option<&str>)> = event
        .spans
        .iter()
        .filter(|s| &*s.kind == "person")
        .map(|s| (event.span_text(s), s.detail.as_deref()))
        .collect();
    assert_eq!(
        people,
        [
            (
                "Luigi Di Maio",
                Some("Italian Minister of Foreign Affairs and International Cooperation")
            ),
            ("Antony L. Blinken", Some("U. S. Admin of State")),
            ("Stoltenberg", Some("NATO Secretary General")),
            ("Biden", None),
        ]
    );
    let event = tagged_event(
        "I welcomed Prime Minister Andersson and President Niinistö to the White House. \
         Assistant to the President for National Security Affairs Jake Sullivan hosted \
         President Hassan Sheikh Mohamud. In Iraq. President Biden spoke.",
    );
    let details: Vec<Option<&str>> = event
        .spans
        .iter()
        .filter(|s| &*s.kind == "person")
        .map(|s| s.detail.as_deref())
        .collect();
    assert_eq!(
        details,
        [
            Some("President"),
            Some("Assistant to the President for National Security Affairs"),
            Some("President"),
            Some("President"),
        ]
    );
}

#[test]
fn a_gazetteer_file_extends_the_word_lists() -> Result<(), Box<dyn std::error::Error>> {
    const ENTITIES: &str = r#"
[[entity]]
id = "TD"
kind = "country"
label = "Chad"
names = ["Chad"]
ambiguous = "person-name"
[[entity]]
id = "jane-doe"
kind = "person"
label = "Jane Doe"
names = ["Jane Doe"]
[[entity]]
id = "ohr"
kind = "organization"
label = "Office of Human Rights"
names = ["Office of Human Rights"]
"#;
    const WORDS: &str = r#"
[title_heads]
words = ["Ombudsman"]
[not_surnames]
words = ["Stadium"]
[function_words]
words = ["in respect of"]
"#;
    let text = "the Chad Stadium; Ombudsman Jane Doe; the Office in respect of Human Rights";
    let found = |gazetteer: &Gazetteer| -> Result<Vec<(String, Option<String>)>, TaggerError> {
        let mut event = Communique::new(None, Origin::default(), text.to_owned());
        Tagger::new(gazetteer)?.tag_event(&mut event);
        Ok(event
            .spans
            .iter()
            .map(|s| (s.id.to_string(), s.detail.as_deref().map(str::to_owned)))
            .collect())
    };
    // The bundled lists: "Chad Stadium" looks like a person, "Ombudsman" is no title head,
    // "in respect of" no function word.
    let bundled = Gazetteer::from_toml_str(ENTITIES, "entities.toml")?;
    assert_eq!(found(&bundled)?, [("jane-doe".to_owned(), None)]);
    // The same file with the word tables added.
    let extended = Gazetteer::from_toml_str(&format!("{ENTITIES}{WORDS}"), "local.toml")?;
    assert_eq!(
        found(&extended)?,
        [
            ("TD".to_owned(), None),
            ("jane-doe".to_owned(), Some("Ombudsman".to_owned())),
            ("ohr".to_owned(), None),
        ]
    );
    Ok(())
}

#[test]
fn keeps_event_spans_sorted() {
    let mut event = Communique::new(None, Origin::default(), "Mali and Chad".to_owned());
    event.spans.push(Span {
        kind: "keyword".into(),
        id: "and".into(),
        label: "and".into(),
        start: 5,
        end: 8,
        detail: None,
    });
    builtin().tag_event(&mut event);
    let starts: Vec<usize> = event.spans.iter().map(|s| s.start).collect();
    assert_eq!(starts, [0, 5, 9]);
}

#[test]
fn rejects_names_empty_once_normalized() -> Result<(), GazetteerError> {
    let g = Gazetteer::from_toml_str(
        "[[entity]]\nid = \"X\"\nkind = \"k\"\nlabel = \"X\"\nnames = [\"\u{200B}\"]\n",
        "t.toml",
    )?;
    let e = Tagger::new(&g).map(|_| ()).map_err(|e| e.to_string());
    assert_eq!(
        e,
        Err("k \"X\": name \"\\u{200b}\" is empty once normalized".into())
    );
    Ok(())
}

fn name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "Iraq",
        "Côte d’Ivoire",
        "Cote d'Ivoire",
        "Democratic Republic of the Congo",
        "Republic  of\nthe Congo",
        "Türkiye",
        "TÜRKIYE",
        "US",
        "Syrian",
        "Congo–Brazzaville",
        "São Tomé and Príncipe",
        "Sa\u{303}o Tome\u{301} and Pri\u{301}ncipe",
        "Democratic Republic from the Congo",
        "Daesh/ISIS",
        "Sahel Region",
    ])
}

proptest! {
    #[test]
    fn spans_map_back_to_the_matched_text(
        parts in prop::collection::vec((name(), any::<String>()), 0..6),
    ) {
        let raw: String = parts
            .iter()
            .map(|(name, filler)| format!("{filler} {name} "))
            .collect();
        let norm = Normalizer::new().normalize(&raw);
        let mut tags = Vec::new();
        builtin().tag(&norm.text, &mut tags);
        prop_assert!(parts.is_empty() || !tags.is_empty());
        let mut last_end = 0;
        for tag in &tags {
            prop_assert!(tag.start >= last_end, "tags overlap");
            last_end = tag.end;
            prop_assert!(norm.text.is_char_boundary(tag.start));
            prop_assert!(norm.text.is_char_boundary(tag.end));
            let (s, e) = norm.map.to_raw_range(tag.start, tag.end);
            let back = Normalizer::new().normalize(&raw[s..e]).text;
            prop_assert_eq!(back.as_str(), &norm.text[tag.start..tag.end]);
        }
    }
}
