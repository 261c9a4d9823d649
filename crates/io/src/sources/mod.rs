//! Sources: the components that turn outside input into [`Communique`]s.
//!
//! Each kind lives in its own module: [`files`](FilesSource) (text, HTML and feed files, once or
//! watched), [`feed_url`](FeedSource) (feeds polled over HTTP), [`jsonl`](JsonlSource) and
//! [`stdin`](StdinSource). What several of them need is shared instead of repeated: [`decode`]
//! turns bytes in any encoding into text for every source that reads bytes, `html` extracts the
//! article from a web page (for HTML files and for feed entries), `feed` maps feed entries to
//! communiqués (for feed files and polled feeds), `bounded` is the capped memory of long-running
//! sources, and the title heuristic below gives a plain-text communiqué the same title whether
//! it came from a file or from stdin.

mod bounded;
mod decode;
mod feed;
mod feed_url;
mod files;
mod html;
mod jsonl;
mod stdin;
mod watch;

pub use decode::{
    DecodeError, DecodeHints, Decoded, ENCODING_KEY, Markup, REPLACEMENTS_KEY, SNIFF_BYTES,
    TextEncoding, decode,
};
pub use feed_url::{DEFAULT_FEED_INTERVAL, DEFAULT_FEED_TIMEOUT, FeedSource, parse_duration};
pub use files::{DEFAULT_SETTLE, FileFormat, FilesSource, WatchRoot};
pub use html::{HtmlDocument, extract_document, html_to_text};
pub use jsonl::{DEFAULT_MAX_LINE_BYTES, JsonlReader, JsonlRecord, JsonlSource};
pub use stdin::{StdinFormat, StdinSource};

/// The default largest input, in bytes, a file-reading or feed source accepts: 16 MiB. Larger
/// input is rejected without being read whole.
pub const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

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
