//! Sources: the components that turn outside input into [`Communique`]s.
//!
//! Each kind lives in its own module. They share only the title heuristic below, so that a
//! plain-text communiqué gets the same title whether it came from a file or from stdin.

mod files;
mod jsonl;
mod stdin;

pub use files::FilesSource;
pub use jsonl::{DEFAULT_MAX_LINE_BYTES, JsonlReader, JsonlRecord, JsonlSource};
pub use stdin::{StdinFormat, StdinSource};

#[cfg(doc)]
use commwatch_core::Communique;

/// Longest first line, in characters, still taken as a plain-text communiqué's title. A longer
/// first line is body text that happens to have no line break, not a heading.
const MAX_TITLE_CHARS: usize = 200;

/// The title of a plain-text communiqué: its first non-blank line, trimmed (a leading byte order
/// mark included), when it is at most [`MAX_TITLE_CHARS`] characters long.
fn title_from_text(text: &str) -> Option<String> {
    let line = text
        .lines()
        .map(|l| l.trim_start_matches('\u{feff}').trim())
        .find(|l| !l.is_empty())?;
    (line.chars().count() <= MAX_TITLE_CHARS).then(|| line.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_the_first_non_blank_line_when_short() {
        assert_eq!(
            title_from_text("\n  \n  Joint Statement  \nBody").as_deref(),
            Some("Joint Statement")
        );
        assert_eq!(title_from_text("\u{feff}Title\n").as_deref(), Some("Title"));
        assert_eq!(title_from_text(" \n\t\n"), None);
        let long = "é".repeat(MAX_TITLE_CHARS + 1);
        assert_eq!(title_from_text(&long), None);
        let limit = "é".repeat(MAX_TITLE_CHARS);
        assert_eq!(title_from_text(&limit), Some(limit));
    }
}
