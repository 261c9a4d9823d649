//! Language identification with [`whatlang`] (trigram statistics, no model files).
//!
//! whatlang scores every language written in the text's script; for Latin script that is 37
//! languages, most of the cost of identifying a communiqué. Only the Latin-script languages of
//! [`LATIN_CANDIDATES`] are scored (every language of every other script still is), on a sample of
//! the first [`MAX_LANGUAGE_CHARS`] characters.

use std::sync::LazyLock;

use whatlang::{Detector, Lang, Script};

/// Only this many characters from the start of the text are looked at, which bounds the cost on
/// long documents and is ample for a trigram model (whatlang's own profiles hold 300 trigrams).
pub const MAX_LANGUAGE_CHARS: usize = 400;

/// Below this many letters in the sample the text is too short to say.
pub const MIN_LANGUAGE_LETTERS: usize = 20;

/// The Latin-script languages a communiqué is identified as: English, French and Spanish (the
/// UN's Latin-script working languages), Portuguese, German, Italian, Dutch and Turkish. A text
/// in another Latin-script language is reported as the closest of these or, more often, as not
/// identified reliably. Each candidate costs about 1.5 µs per document.
pub const LATIN_CANDIDATES: [Lang; 8] = [
    Lang::Eng,
    Lang::Fra,
    Lang::Spa,
    Lang::Por,
    Lang::Deu,
    Lang::Ita,
    Lang::Nld,
    Lang::Tur,
];

/// whatlang restricted to [`LATIN_CANDIDATES`] among Latin-script languages.
static DETECTOR: LazyLock<Detector> = LazyLock::new(|| {
    let denied = Script::Latin
        .langs()
        .iter()
        .copied()
        .filter(|l| !LATIN_CANDIDATES.contains(l))
        .collect();
    Detector::with_denylist(denied)
});

/// The language of `text` as an ISO 639-1 code (`"en"`) where one exists, else whatlang's
/// ISO 639-3 code. `None` when the first [`MAX_LANGUAGE_CHARS`] characters hold fewer than
/// [`MIN_LANGUAGE_LETTERS`] letters or whatlang does not call its guess reliable.
pub fn detect_language(text: &str) -> Option<&'static str> {
    let mut end = text.len();
    let mut letters = 0;
    for (n, (i, c)) in text.char_indices().enumerate() {
        if n == MAX_LANGUAGE_CHARS {
            end = i;
            break;
        }
        letters += usize::from(c.is_alphabetic());
    }
    if letters < MIN_LANGUAGE_LETTERS {
        return None;
    }
    let info = DETECTOR.detect(&text[..end])?;
    info.is_reliable().then(|| language_code(info.lang()))
}

/// ISO 639-1 for each language whatlang knows (Mandarin `cmn` → `zh`, Iranian Persian `pes` →
/// `fa`, Norwegian Bokmål `nob` → `nb`); the ISO 639-3 code for any language added later.
fn language_code(lang: Lang) -> &'static str {
    match lang.code() {
        "afr" => "af",
        "aka" => "ak",
        "amh" => "am",
        "ara" => "ar",
        "aze" => "az",
        "bel" => "be",
        "ben" => "bn",
        "bul" => "bg",
        "cat" => "ca",
        "ces" => "cs",
        "cmn" => "zh",
        "cym" => "cy",
        "dan" => "da",
        "deu" => "de",
        "ell" => "el",
        "eng" => "en",
        "epo" => "eo",
        "est" => "et",
        "fin" => "fi",
        "fra" => "fr",
        "guj" => "gu",
        "heb" => "he",
        "hin" => "hi",
        "hrv" => "hr",
        "hun" => "hu",
        "hye" => "hy",
        "ind" => "id",
        "ita" => "it",
        "jav" => "jv",
        "jpn" => "ja",
        "kan" => "kn",
        "kat" => "ka",
        "khm" => "km",
        "kor" => "ko",
        "lat" => "la",
        "lav" => "lv",
        "lit" => "lt",
        "mal" => "ml",
        "mar" => "mr",
        "mkd" => "mk",
        "mya" => "my",
        "nep" => "ne",
        "nld" => "nl",
        "nob" => "nb",
        "ori" => "or",
        "pan" => "pa",
        "pes" => "fa",
        "pol" => "pl",
        "por" => "pt",
        "ron" => "ro",
        "rus" => "ru",
        "sin" => "si",
        "slk" => "sk",
        "slv" => "sl",
        "sna" => "sn",
        "spa" => "es",
        "srp" => "sr",
        "swe" => "sv",
        "tam" => "ta",
        "tel" => "te",
        "tgl" => "tl",
        "tha" => "th",
        "tuk" => "tk",
        "tur" => "tr",
        "ukr" => "uk",
        "urd" => "ur",
        "uzb" => "uz",
        "vie" => "vi",
        "yid" => "yi",
        "zul" => "zu",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifies_common_languages() {
        let cases = [
            (
                "en",
                "The Ministers reaffirmed their shared determination to continue the fight \
                 against Daesh/ISIS and to create conditions for its enduring defeat.",
            ),
            (
                "fr",
                "Les ministres ont réaffirmé leur détermination commune à poursuivre la lutte \
                 contre Daech et à créer les conditions de sa défaite durable.",
            ),
            (
                "es",
                "Los ministros reafirmaron su determinación compartida de continuar la lucha \
                 contra el Estado Islámico y de crear las condiciones para su derrota duradera.",
            ),
            (
                "ru",
                "Министры подтвердили свою общую решимость продолжать борьбу с терроризмом и \
                 создавать условия для его окончательного поражения.",
            ),
            (
                "ar",
                "أكد الوزراء عزمهم المشترك على مواصلة القتال ضد تنظيم داعش وتهيئة الظروف لهزيمته \
                 الدائمة.",
            ),
        ];
        for (code, text) in cases {
            assert_eq!(detect_language(text), Some(code), "{text}");
        }
    }

    #[test]
    fn other_candidates_and_other_scripts() {
        let cases = [
            (
                "de",
                "Die Minister bekräftigten ihre gemeinsame Entschlossenheit, den Kampf gegen den \
                 Terrorismus fortzusetzen und die Voraussetzungen für seine dauerhafte Niederlage \
                 zu schaffen.",
            ),
            (
                "pt",
                "Os ministros reafirmaram a sua determinação comum de continuar a luta contra o \
                 terrorismo e de criar as condições para a sua derrota duradoura.",
            ),
            (
                "it",
                "I ministri hanno ribadito la loro comune determinazione a proseguire la lotta \
                 contro il terrorismo e a creare le condizioni per la sua sconfitta duratura.",
            ),
            // Cyrillic is not restricted: Ukrainian stays Ukrainian.
            (
                "uk",
                "Міністри підтвердили свою спільну рішучість продовжувати боротьбу з тероризмом \
                 і створювати умови для його остаточної поразки.",
            ),
        ];
        for (code, text) in cases {
            assert_eq!(detect_language(text), Some(code), "{text}");
        }
        // Only the start of a long text is looked at.
        let english = "The Ministers reaffirmed their shared determination to continue the fight \
                       against Daesh/ISIS and to create conditions for its enduring defeat. They \
                       welcomed new members joining the Coalition and discussed the situation in \
                       Iraq and Syria, where stabilization efforts continue. ";
        let french = "Les ministres ont réaffirmé leur détermination commune à poursuivre la lutte \
                      contre Daech. ";
        let long = format!("{}{}", english.repeat(2), french.repeat(50));
        assert_eq!(detect_language(&long), Some("en"));
        assert_eq!(detect_language(&long[2 * english.len()..]), Some("fr"));
    }

    #[test]
    fn too_short_is_unknown() {
        assert_eq!(detect_language(""), None);
        assert_eq!(detect_language("Daesh/ISIS"), None);
        assert_eq!(detect_language("12345 67890 ... !!!"), None);
    }

    #[test]
    fn codes_map_to_iso_639_1() {
        assert_eq!(language_code(Lang::Eng), "en");
        assert_eq!(language_code(Lang::Cmn), "zh");
        assert_eq!(language_code(Lang::Deu), "de");
        assert_eq!(language_code(Lang::Pes), "fa");
        for lang in Lang::all() {
            assert_eq!(language_code(*lang).len(), 2, "{lang:?}");
        }
    }
}
