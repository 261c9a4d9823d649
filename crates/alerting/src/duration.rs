//! Durations as people write them in configuration and on the command line: `"90s"`, `"30m"`,
//! `"24h"`, `"7d"`, `"1h30m"`.

use std::time::Duration;

use serde::{Deserialize, Deserializer, de};

pub use commwatch_core::{DurationError, format_duration, parse_duration};

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
