//! Durations as people write them in configuration and on the command line: `"90s"`, `"30m"`,
//! `"24h"`, `"7d"`, `"1h30m"`.

use std::time::Duration;

use serde::{Deserialize, Deserializer, de};

/// Why a duration could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid duration {text:?}: expected a number of seconds or numbers with units s, m, h, d or w, \
     such as \"90s\", \"30m\", \"24h\", \"7d\" or \"1h30m\""
)]
pub struct DurationError {
    text: String,
}

/// Parses a duration: a whole number of seconds (`"90"`), or one or more whole numbers each
/// followed by a unit, `s` (seconds), `m` (minutes), `h` (hours), `d` (days, 24 h) or `w` (weeks),
/// added up (`"1h30m"`). Spaces around the text are ignored.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let invalid = || DurationError {
        text: text.to_owned(),
    };
    let t = text.trim();
    if t.is_empty() {
        return Err(invalid());
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().map(Duration::from_secs).map_err(|_| invalid());
    }
    let mut rest = t;
    let mut secs: u64 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, tail) = rest.split_at(digits);
        let n: u64 = number.parse().map_err(|_| invalid())?;
        let unit = tail.chars().next().ok_or_else(invalid)?;
        let per = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(invalid()),
        };
        secs = n
            .checked_mul(per)
            .and_then(|s| secs.checked_add(s))
            .ok_or_else(invalid)?;
        rest = &tail[unit.len_utf8()..];
    }
    Ok(Duration::from_secs(secs))
}

/// Formats a duration the way [`parse_duration`] reads it, with the largest units that divide it
/// (`"4h"`, `"90s"`, `"1d12h"`), sub-second parts dropped.
pub fn format_duration(duration: Duration) -> String {
    let mut secs = duration.as_secs();
    if secs == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, per) in [
        ("w", 604_800),
        ("d", 86_400),
        ("h", 3_600),
        ("m", 60),
        ("s", 1),
    ] {
        if secs >= per {
            out.push_str(&format!("{}{unit}", secs / per));
            secs %= per;
        }
    }
    out
}

/// Deserializes a [`Duration`] from a string [`parse_duration`] accepts or a number of seconds,
/// for `#[serde(deserialize_with = "…")]`.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Duration, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Secs(u64),
        Text(String),
    }
    match Raw::deserialize(deserializer)? {
        Raw::Secs(secs) => Ok(Duration::from_secs(secs)),
        Raw::Text(text) => parse_duration(&text).map_err(de::Error::custom),
    }
}

/// Serializes a [`Duration`] with [`format_duration`], for `#[serde(serialize_with = "…")]`.
pub(crate) fn serialize<S: serde::Serializer>(
    duration: &Duration,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format_duration(*duration))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_units() {
        let cases = [
            ("90s", 90),
            ("30m", 1_800),
            ("24h", 86_400),
            ("7d", 604_800),
            ("2w", 1_209_600),
            ("1h30m", 5_400),
            (" 45 ", 45),
            ("0s", 0),
        ];
        for (text, secs) in cases {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_secs(secs)),
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        for text in [
            "",
            "h",
            "4x",
            "4 h",
            "-4h",
            "1.5h",
            "99999999999999999999w",
            "4hh",
        ] {
            let err = parse_duration(text).unwrap_err();
            assert!(
                err.to_string().contains("invalid duration"),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn formats_what_it_parses() {
        for secs in [
            0,
            1,
            59,
            60,
            90,
            3_600,
            14_400,
            86_400 + 43_200,
            604_800 + 1,
        ] {
            let d = Duration::from_secs(secs);
            assert_eq!(parse_duration(&format_duration(d)), Ok(d));
        }
        assert_eq!(format_duration(Duration::from_secs(14_400)), "4h");
    }
}
