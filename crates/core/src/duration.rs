//! Durations as people write them in configuration and on the command line: `"250ms"`, `"90s"`,
//! `"30m"`, `"24h"`, `"7d"`, `"1h30m"`, or a bare number of seconds. One parser for every
//! component, so a pipeline file means the same thing by "5m" everywhere.

use std::time::Duration;

/// Why a duration could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid duration {text:?}: expected a number of seconds or numbers with units ms, s, m, h, d \
     or w, such as \"250ms\", \"90s\", \"30m\", \"24h\", \"7d\" or \"1h30m\""
)]
pub struct DurationError {
    text: String,
}

/// Parses a duration: a whole number of seconds (`"90"`), or one or more whole numbers each
/// followed by a unit — `ms`, `s`, `m` (minutes), `h`, `d` (24 h) or `w` (weeks) — added up
/// (`"1h30m"`). Spaces around the text are ignored.
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
    let mut millis: u64 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, tail) = rest.split_at(digits);
        let n: u64 = number.parse().map_err(|_| invalid())?;
        let (per, unit_len) = if tail.starts_with("ms") {
            (1, 2)
        } else {
            let per = match tail.chars().next().ok_or_else(invalid)? {
                's' => 1_000,
                'm' => 60_000,
                'h' => 3_600_000,
                'd' => 86_400_000,
                'w' => 604_800_000,
                _ => return Err(invalid()),
            };
            (per, 1)
        };
        millis = n
            .checked_mul(per)
            .and_then(|m| millis.checked_add(m))
            .ok_or_else(invalid)?;
        rest = &tail[unit_len..];
    }
    Ok(Duration::from_millis(millis))
}

/// Formats a duration the way [`parse_duration`] reads it, with the largest units that divide it
/// (`"4h"`, `"1m30s"`, `"1d12h"`, `"250ms"`).
pub fn format_duration(duration: Duration) -> String {
    let mut millis = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    if millis == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, per) in [
        ("w", 604_800_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
        ("ms", 1),
    ] {
        if millis >= per {
            out.push_str(&format!("{}{unit}", millis / per));
            millis %= per;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_sums() {
        for (text, ms) in [
            ("90", 90_000),
            ("250ms", 250),
            (" 5m", 300_000),
            ("1h30m", 5_400_000),
            ("7d", 604_800_000),
            ("2w", 1_209_600_000),
            ("1s500ms", 1_500),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_millis(ms)),
                "{text}"
            );
        }
        for bad in ["", "5x", "m", "-1s", "1.5h", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn formats_what_it_parses() {
        for text in ["4h", "1m30s", "1d12h", "250ms", "0s", "1m1s"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
    }
}
