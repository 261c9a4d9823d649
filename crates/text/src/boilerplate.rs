//! Finding the article in a scraped web page: leading navigation crumbs and trailing social or
//! "related news" blocks are not part of the communiqué.
//!
//! Scrapers hand over the visible text of a page, so a communiqué can arrive as
//!
//! ```text
//! HomeCanadaMinisterial Meeting of the Global Coalition to Defeat Daesh/ISIS
//!
//! Ministerial Meeting of the Global Coalition to Defeat Daesh/ISIS
//!
//! The Ministers … under all circumstances.
//!
//! Source
//!
//! Stay Connected
//! 255FansLike
//! …
//! ```
//!
//! [`find_content`] returns the raw byte range of the article (here from "Ministerial" to
//! "circumstances.") and its title. The heuristics are deliberately conservative: every rule
//! needs a whole line to look like page furniture, and an ordinary document is returned whole.
//! They work on lines of the raw text, so the returned ranges point at raw bytes. See
//! `docs/text-analysis.md` for the rules and their limits.

use std::ops::Range;

use crate::Normalizer;

/// How many non-empty lines at the end of a page are searched for a trailing boilerplate block.
pub const TAIL_LINES: usize = 20;

/// How many non-empty lines at the start of a page may be navigation crumbs.
const HEAD_LINES: usize = 6;

/// A line longer than this (in bytes) is never boilerplate.
const MAX_BOILERPLATE_LINE: usize = 80;

/// A line after a boilerplate marker longer than this (in bytes), or ending like a sentence, is
/// article text, so the block cannot start at that marker.
const MAX_TAIL_LINE: usize = 100;

/// The article inside a raw text, as found by [`find_content`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    /// Raw byte range of the article. The whole text (`0..raw.len()`) when nothing was cut;
    /// otherwise it starts at the first kept line and ends at the end of the last kept line.
    pub range: Range<usize>,
    /// The title, when the page shows one.
    pub title: Option<Title>,
    /// Raw range (trimmed) of a first line rejected as a title: navigation crumbs glued in front
    /// of the real title ("HomeCanadaMinisterial Meeting…" before "Ministerial Meeting…").
    pub rejected_line: Option<Range<usize>>,
}

impl Content {
    /// True when nothing was cut from `raw`.
    pub fn is_whole(&self, raw: &str) -> bool {
        self.range == (0..raw.len())
    }
}

/// A title found by [`find_content`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Title {
    /// Raw byte range of the title line, without surrounding whitespace.
    pub range: Range<usize>,
    /// The title as normalized text (no-break and other odd spaces collapsed to one space).
    pub text: String,
    /// Why this line is taken for the title.
    pub source: TitleSource,
}

/// Why a line was taken for the title.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TitleSource {
    /// The page repeats it: the line before it is the same text with navigation crumbs glued in
    /// front. A strong signal.
    Repeated,
    /// The first line of the content stands alone (a blank line follows it) and looks like a
    /// heading: 2 to 20 words, at most 150 bytes, starting with a capital letter or digit and not
    /// ending in `.` `,` `;` `:` or a digit (before closing brackets), not a salutation
    /// (`Dear …`). A weak signal, used only when no title is known.
    FirstLine,
}

/// Finds the article in `raw` (see the [module documentation](self) and
/// `docs/text-analysis.md` for the rules). Never panics; costs one pass over the first and last
/// few lines.
pub fn find_content(raw: &str) -> Content {
    let mut start = 0;
    let mut end = raw.len();
    let mut rejected_line = None;
    let mut title = None;

    // Leading crumbs.
    let mut head = non_empty_lines(raw).take(HEAD_LINES + 2).peekable();
    let mut first = None;
    let mut dropped = 0;
    while let Some(line) = head.next() {
        if dropped < HEAD_LINES && is_crumb_line(&raw[line.clone()]) {
            dropped += 1;
            start = head.peek().map_or(line.end, |next| next.start);
            continue;
        }
        first = Some((line, head.next()));
        break;
    }
    if first.is_none() {
        // Nothing but crumbs (or nothing at all): leave the text alone.
        start = 0;
    }
    if let Some((line, next)) = &first {
        if let Some(next) = next.as_ref().filter(|n| ends_with_repeat(raw, line, n)) {
            rejected_line = Some(line.clone());
            start = next.start;
            title = Some(make_title(raw, next.clone(), TitleSource::Repeated));
        } else if is_standalone(raw, line) && looks_like_heading(&raw[line.clone()]) {
            title = Some(make_title(raw, line.clone(), TitleSource::FirstLine));
        }
    }

    // Trailing block.
    let mut tail: Vec<Range<usize>> = non_empty_lines(raw).rev().take(TAIL_LINES).collect();
    tail.reverse();
    let marker = (0..tail.len()).find(|&k| {
        is_boilerplate_line(&raw[tail[k].clone()])
            && tail[k + 1..]
                .iter()
                .all(|l| is_boilerplate_line(&raw[l.clone()]) || is_tail_line(&raw[l.clone()]))
    });
    if let Some(mut k) = marker {
        if k > 0 && is_source_line(&raw[tail[k - 1].clone()]) {
            k -= 1;
        }
        let cut = tail[k].start;
        // Keep at least one line of content: a page that is all furniture is left alone.
        let kept_end = raw[..cut].trim_end().len();
        if kept_end > start {
            end = kept_end;
        }
    }

    // A title the cut removed is no title.
    if title.as_ref().is_some_and(|t| t.range.end > end) {
        title = None;
    }
    Content {
        range: start..end.max(start),
        title,
        rejected_line,
    }
}

fn make_title(raw: &str, range: Range<usize>, source: TitleSource) -> Title {
    let text = Normalizer::new().normalize(&raw[range.clone()]).text;
    Title {
        range,
        text,
        source,
    }
}

/// Characters trimmed from line edges: whitespace and the byte-order mark.
fn is_edge(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}'
}

/// The raw ranges of the non-empty lines of `raw`, trimmed, in order (double-ended).
fn non_empty_lines(raw: &str) -> impl DoubleEndedIterator<Item = Range<usize>> + '_ {
    raw.split('\n').filter_map(move |line| {
        let trimmed = line.trim_matches(is_edge);
        if trimmed.is_empty() {
            return None;
        }
        let start = trimmed.as_ptr() as usize - raw.as_ptr() as usize;
        Some(start..start + trimmed.len())
    })
}

/// True when the line `line` is followed by a blank line (or the end of the text).
fn is_standalone(raw: &str, line: &Range<usize>) -> bool {
    let rest = &raw[line.end..];
    let mut lines = rest.split('\n').skip(1);
    match lines.next() {
        None => true,
        Some(l) => l.trim_matches(is_edge).is_empty(),
    }
}

/// True when `first` ends with the text of `next` (compared after normalization) and the part
/// in front is short: crumbs glued to a repeated title.
fn ends_with_repeat(raw: &str, first: &Range<usize>, next: &Range<usize>) -> bool {
    let (a, b) = (&raw[first.clone()], &raw[next.clone()]);
    if a.len() <= b.len() || a.len() > 300 || b.len() < 12 || !b.contains(char::is_whitespace) {
        return false;
    }
    let n = Normalizer::new();
    let (a, b) = (n.normalize(a).text, n.normalize(b).text);
    a.len() > b.len() && a.len() - b.len() <= MAX_BOILERPLATE_LINE && a.ends_with(&b)
}

/// A site-navigation line: `Home`, `Menu`, `Skip to content`, `Home > News > …`.
fn is_crumb_line(line: &str) -> bool {
    let l = strip_trailing_marks(line);
    if l.len() > MAX_BOILERPLATE_LINE {
        return false;
    }
    const EXACT: &[&str] = &[
        "home",
        "menu",
        "main menu",
        "skip to content",
        "skip to main content",
        "skip to navigation",
        "toggle navigation",
        "navigation",
        "search",
    ];
    if EXACT.iter().any(|e| l.eq_ignore_ascii_case(e)) {
        return true;
    }
    // Breadcrumbs: "Home > News > Canada", "Home / Newsroom", "Home » …", "You are here: …".
    if starts_with_ignore_case(l, "you are here") {
        return true;
    }
    if starts_with_ignore_case(l, "home") {
        let rest = l[4..].trim_start();
        return rest.starts_with(['>', '/', '|', '»', '›', '→']);
    }
    false
}

/// A line that marks the start of a trailing block of page furniture.
fn is_boilerplate_line(line: &str) -> bool {
    let l = strip_trailing_marks(line);
    if l.len() > MAX_BOILERPLATE_LINE {
        return false;
    }
    const EXACT: &[&str] = &[
        "stay connected",
        "must read",
        "related news",
        "related posts",
        "related articles",
        "related stories",
        "related content",
        "share this",
        "share this article",
        "share this post",
        "share this story",
        "share this page",
        "follow us",
        "read more",
        "advertisement",
        "subscribe to our newsletter",
        "sign up for our newsletter",
        "you may also like",
        "you might also like",
        "more from this author",
        "latest news",
        "latest posts",
        "popular posts",
        "most popular",
    ];
    if EXACT.iter().any(|e| l.eq_ignore_ascii_case(e)) {
        return true;
    }
    const PREFIX: &[&str] = &["follow us on ", "share on ", "share this on "];
    PREFIX.iter().any(|p| starts_with_ignore_case(l, p)) || is_social_count(l)
}

/// `255FansLike`, `473 Followers Follow`, `1.2K Subscribers`, `12,345 followers`.
fn is_social_count(line: &str) -> bool {
    let b = line.as_bytes();
    let digits = b
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b',' || **c == b'.')
        .count();
    if digits == 0 || !b[0].is_ascii_digit() {
        return false;
    }
    let mut rest = line[digits..].trim_start();
    if let Some(r) = rest.strip_prefix(['k', 'K', 'm', 'M']) {
        // "1.2K Followers" (but not "Members").
        if r.starts_with(|c: char| c.is_whitespace()) || r.starts_with(['F', 'S', 'f', 's']) {
            rest = r.trim_start();
        }
    }
    let Some(rest) = ["fans", "followers", "subscribers"]
        .iter()
        .find(|w| starts_with_ignore_case(rest, w))
        .map(|w| rest[w.len()..].trim_start())
    else {
        return false;
    };
    rest.is_empty()
        || ["like", "follow", "subscribe"]
            .iter()
            .any(|w| rest.eq_ignore_ascii_case(w))
}

/// A lone `Source` / `Sources` line (optionally with a colon), dropped when it stands directly
/// before a trailing block.
fn is_source_line(line: &str) -> bool {
    let l = line.trim_end_matches([':', ' ']);
    l.eq_ignore_ascii_case("source") || l.eq_ignore_ascii_case("sources")
}

/// A line that may follow a boilerplate marker inside the block: short and not ending like a
/// sentence (headlines, counts, button labels).
fn is_tail_line(line: &str) -> bool {
    line.len() <= MAX_TAIL_LINE && !line.ends_with(['.', ';', ',', ':'])
}

/// A first line that looks like a heading (see [`TitleSource::FirstLine`]).
fn looks_like_heading(line: &str) -> bool {
    let words = line.split_whitespace().count();
    // "Dear Madam Speaker: (Dear Mr. President:)" ends like a salutation inside its brackets.
    let inner = line.trim_end_matches([')', ']', '"', '\'', '*']);
    line.len() <= 150
        && (2..=20).contains(&words)
        && line.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
        && !starts_with_ignore_case(line, "dear ")
        && !inner.ends_with(|c: char| matches!(c, '.' | ',' | ';' | ':') || c.is_ascii_digit())
}

/// The line without trailing spaces, colons, dots, ellipses and arrows ("Read more »").
fn strip_trailing_marks(line: &str) -> &str {
    line.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | '.' | '…' | '»' | '›' | '>' | '→' | '|')
    })
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/communiques/coalition-ministerial-2021-06-28.txt"
    ));

    #[test]
    fn sample_loses_crumbs_and_social_block() {
        let c = find_content(SAMPLE);
        let body = &SAMPLE[c.range.clone()];
        assert!(body.starts_with("Ministerial Meeting\u{202f}of the Global Coalition"));
        assert!(body.ends_with("must be upheld under all circumstances."));
        assert!(!body.contains("HomeCanada"));
        assert!(!body.contains("Stay Connected"));
        assert!(!body.contains("\nSource"));
        let title = c.title.expect("title");
        assert_eq!(
            title.text,
            "Ministerial Meeting of the Global Coalition to Defeat Daesh/ISIS"
        );
        assert_eq!(title.source, TitleSource::Repeated);
        assert_eq!(title.range.start, c.range.start);
        assert!(SAMPLE[title.range].ends_with("Defeat\u{202f}Daesh/ISIS"));
        let rejected = c.rejected_line.expect("rejected line");
        assert!(SAMPLE[rejected].starts_with("HomeCanadaMinisterial"));
    }

    #[test]
    fn every_other_example_is_kept_whole() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/communiques");
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).expect("examples") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "txt") {
                continue;
            }
            let raw = std::fs::read_to_string(&path).expect("read");
            let c = find_content(&raw);
            let is_seed = path.ends_with("coalition-ministerial-2021-06-28.txt");
            assert_eq!(c.is_whole(&raw), !is_seed, "{}", path.display());
            if !is_seed {
                assert_eq!(c.rejected_line, None, "{}", path.display());
            }
            seen += 1;
        }
        assert!(seen >= 41, "only {seen} examples");
    }

    #[test]
    fn trailing_block_markers() {
        for line in [
            "Stay Connected",
            "255FansLike",
            "473FollowersFollow",
            "1.2K Subscribers Subscribe",
            "12,345 followers",
            "Must Read",
            "Related News",
            "Related Posts:",
            "Share this article",
            "Follow us on X",
            "Read more »",
            "ADVERTISEMENT",
            "Subscribe to our newsletter",
        ] {
            assert!(is_boilerplate_line(line), "{line}");
        }
        for line in [
            "Read more about the initiative at state.gov.",
            "255 Members",
            "Related awareness raising activities among consumers and relevant",
            "Sincerely,",
            "JOSEPH R. BIDEN JR.",
            "\\###",
            "1622(d)",
        ] {
            assert!(!is_boilerplate_line(line), "{line}");
        }
        assert!(is_source_line("Source"));
        assert!(is_source_line("Sources:"));
        assert!(!is_source_line("Source: Global Affairs Canada"));
    }

    #[test]
    fn block_must_run_to_the_end() {
        // A marker followed by article prose is not a trailing block.
        let raw = "Title line here\n\nFirst paragraph.\n\nRead more\n\nThe Ministers met in Rome \
                   and agreed on a long list of things that matter a great deal to everyone.\n";
        assert!(find_content(raw).is_whole(raw));
        // Headlines after the marker are part of the block.
        let raw = "Body text of the article.\n\nRelated News\nBiden meets Modi in Tokyo\nNATO \
                   summit opens\n";
        let c = find_content(raw);
        assert_eq!(&raw[c.range], "Body text of the article.");
        // A page that is only furniture is left alone.
        let raw = "Stay Connected\n255FansLike\n";
        assert!(find_content(raw).is_whole(raw));
    }

    #[test]
    fn leading_crumbs() {
        for line in [
            "Home",
            "Menu",
            "Skip to content",
            "Home > News > Canada",
            "Home » Newsroom",
            "Home / Statements",
        ] {
            assert!(is_crumb_line(line), "{line}");
        }
        for line in [
            "Homeland security remains a priority.",
            "Home Office statement",
            "HomeCanadaMinisterial Meeting",
        ] {
            assert!(!is_crumb_line(line), "{line}");
        }
        let raw = "Skip to content\nHome > News\n\nJoint Statement on Energy Security\n\nBody.";
        let c = find_content(raw);
        assert!(raw[c.range.clone()].starts_with("Joint Statement on Energy Security"));
        let t = c.title.expect("title");
        assert_eq!(t.text, "Joint Statement on Energy Security");
        assert_eq!(t.source, TitleSource::FirstLine);
        assert_eq!(c.rejected_line, None);
    }

    #[test]
    fn glued_line_needs_a_real_repeat() {
        // Identical lines or a short overlap are not crumbs glued to a title.
        let raw = "Statement on Syria\n\nStatement on Syria\n\nBody.";
        assert!(find_content(raw).is_whole(raw));
        let raw = "A statement about Syria\nSyria\nBody.";
        assert!(find_content(raw).is_whole(raw));
        let raw = "NewsJoint Statement on Iraq\nJoint Statement on Iraq\nBody.";
        let c = find_content(raw);
        assert_eq!(c.range.start, raw.find("\nJoint").map_or(0, |i| i + 1));
        assert_eq!(
            c.title.map(|t| t.text).as_deref(),
            Some("Joint Statement on Iraq")
        );
    }

    #[test]
    fn first_line_heading() {
        assert!(looks_like_heading(
            "Ministerial Meeting of the Global Coalition"
        ));
        assert!(!looks_like_heading("June 24, 2024"));
        assert!(!looks_like_heading("TO THE CONGRESS OF THE UNITED STATES:"));
        assert!(!looks_like_heading("Mr President,"));
        assert!(!looks_like_heading(
            "Dear Madam Speaker: (Dear Mr. President:)"
        ));
        assert!(!looks_like_heading("Dear Madam President"));
        assert!(!looks_like_heading(
            "*Progress report and outlook 2022-2023*"
        ));
        assert!(!looks_like_heading("Sincerely"));
    }
}
