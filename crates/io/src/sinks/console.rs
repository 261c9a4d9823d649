//! The console sink: alerts as blocks of text for a person watching a terminal.
//!
//! An analyst needs to see at a glance what fired, how urgent it is, which communiqué it came
//! from and the exact words that triggered it, so each alert becomes a short block quoting its
//! evidence from the raw text with some context. The formatting is the pure function
//! [`format_alert`], so it is tested without a terminal.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::{self, BufWriter, IsTerminal, Write};

use commwatch_core::{Ack, Alert, Communique, Severity, Sink, SinkError, Span};

/// Evidence lines shown per alert; the rest are counted. The JSONL sink keeps them all.
const MAX_EVIDENCE_LINES: usize = 6;

/// Bytes of raw text quoted on each side of a piece of evidence.
const CONTEXT_BYTES: usize = 40;

/// Hex digits of a content-hash id shown in the block.
const SHORT_HASH_DIGITS: usize = 8;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const NOT_BOLD: &str = "\x1b[22m";

/// Prints a block per alert (see [`format_alert`]), blocks separated by a blank line. Events
/// without alerts print nothing. Output is flushed after every event that printed something,
/// so alerts show up as they are raised.
pub struct ConsoleSink {
    out: BufWriter<Box<dyn Write + Send>>,
    color: bool,
    printed_any: bool,
    /// This sink's pipeline id: only alerts it [notifies](commwatch_core::Alert::notifies) print.
    id: String,
    /// The blocks of the current event, formatted into one reused buffer and written at once.
    blocks: String,
}

impl ConsoleSink {
    /// A sink printing to `writer`, with ANSI colors when `color` is true.
    pub fn new(writer: Box<dyn Write + Send>, color: bool) -> ConsoleSink {
        ConsoleSink {
            out: BufWriter::new(writer),
            color,
            printed_any: false,
            id: String::new(),
            blocks: String::new(),
        }
    }

    /// Sets the sink's pipeline id, so that only the alerts routed to it (or to every sink) and
    /// not held back by the alerts stage (repeats, near-duplicates) are printed.
    pub fn with_id(mut self, id: impl Into<String>) -> ConsoleSink {
        self.id = id.into();
        self
    }

    /// A sink printing to stdout, in color when stdout is a terminal and the `NO_COLOR`
    /// environment variable is unset or empty (<https://no-color.org>).
    pub fn stdout() -> ConsoleSink {
        let color = color_wanted(
            io::stdout().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        );
        ConsoleSink::new(Box::new(io::stdout()), color)
    }

    fn print(&mut self, event: &Communique) -> io::Result<()> {
        self.blocks.clear();
        for alert in event.alerts.iter().filter(|a| a.notifies(&self.id)) {
            if self.printed_any || !self.blocks.is_empty() {
                self.blocks.push('\n');
            }
            write_alert(&mut self.blocks, event, alert, self.color);
        }
        if self.blocks.is_empty() {
            return Ok(());
        }
        self.out.write_all(self.blocks.as_bytes())?;
        self.printed_any = true;
        self.out.flush()
    }
}

/// Whether to color output: only on a terminal, and not when `NO_COLOR` is set to anything.
fn color_wanted(is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    is_terminal && no_color.is_none_or(OsStr::is_empty)
}

impl Sink for ConsoleSink {
    fn write(&mut self, event: &Communique, ack: Ack) -> Result<(), SinkError> {
        self.print(event).map_err(|source| SinkError::Io {
            context: "writing to the console".to_owned(),
            source,
        })?;
        // Printed and flushed: as far as a terminal goes.
        ack.done();
        Ok(())
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        self.out.flush().map_err(|source| SinkError::Io {
            context: "writing to the console".to_owned(),
            source,
        })
    }
}

/// The human-readable block for one alert raised on `event`, ending with a newline:
///
/// ```text
/// [HIGH] new_member_accession · New members joining: Mauritania, Yemen
///   communiqué  Ministerial Meeting of the Global Coalition  (sha256:5e71ab20…)
///   source      examples  file:///data/coalition.txt
///   labels      entities=MR,YE
///   evidence    "…welcomed new members joining the Coalition – Mauritania and Yemen…"  [bytes 7530..7540]
/// ```
///
/// Each evidence span is quoted from the raw text with up to 40 bytes of context on each side,
/// cut between words where possible, `…` marking where the context was cut; the `labels` and `evidence` lines are left out when
/// there are none. Control characters (newlines included) are shown as spaces, so text from a
/// communiqué cannot break the layout or send escape sequences to the terminal. With `color`,
/// the severity is colored and the evidence itself is bold.
pub fn format_alert(event: &Communique, alert: &Alert, color: bool) -> String {
    let mut block = String::new();
    write_alert(&mut block, event, alert, color);
    block
}

/// Appends the block of [`format_alert`] to `block`, without allocating beyond its growth.
fn write_alert(block: &mut String, event: &Communique, alert: &Alert, color: bool) {
    if color {
        block.push_str(severity_style(alert.severity));
    }
    block.push('[');
    push_upper(block, alert.severity.as_str());
    block.push(']');
    if color {
        block.push_str(RESET);
    }
    block.push(' ');
    clean_into(block, &alert.rule);
    block.push_str(" · ");
    clean_into(block, &alert.summary);
    block.push('\n');

    field_name(block, "communiqué");
    match event.title.as_deref() {
        Some(title) => clean_into(block, title),
        None => block.push_str("(untitled)"),
    }
    block.push_str("  (");
    short_id_into(block, &event.id);
    block.push_str(")\n");

    field_name(block, "source");
    clean_into(block, &event.origin.name);
    if let Some(uri) = &event.origin.uri {
        block.push_str("  ");
        clean_into(block, uri);
    }
    block.push('\n');

    if !alert.labels.is_empty() {
        field_name(block, "labels");
        for (i, (k, v)) in alert.labels.iter().enumerate() {
            if i > 0 {
                block.push(' ');
            }
            clean_into(block, k);
            block.push('=');
            clean_into(block, v);
        }
        block.push('\n');
    }
    for (i, span) in alert.evidence.iter().take(MAX_EVIDENCE_LINES).enumerate() {
        field_name(block, if i == 0 { "evidence" } else { "" });
        quote_into(block, &event.raw, span, color);
        // Writing to a String cannot fail.
        let _ = writeln!(block, "  [bytes {}..{}]", span.start, span.end);
    }
    if let Some(more) = alert
        .evidence
        .len()
        .checked_sub(MAX_EVIDENCE_LINES)
        .filter(|&n| n > 0)
    {
        field_name(block, "");
        let _ = writeln!(block, "… and {more} more evidence span(s)");
    }
}

/// Width of the field-name column, in characters.
const FIELD_WIDTH: usize = 10;

/// Starts one indented `name  value` line: the value follows, then a newline.
fn field_name(block: &mut String, name: &str) {
    block.push_str("  ");
    block.push_str(name);
    for _ in name.chars().count()..FIELD_WIDTH {
        block.push(' ');
    }
    block.push_str("  ");
}

/// Appends `text` (ASCII, like a severity name) in upper case.
fn push_upper(block: &mut String, text: &str) {
    block.extend(text.chars().map(|c| c.to_ascii_uppercase()));
}

fn severity_style(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "\x1b[1;31m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[36m",
        Severity::Info => "\x1b[2m",
    }
}

/// Appends a content-hash id shortened to its first hex digits; any other id as given.
fn short_id_into(block: &mut String, id: &str) {
    match id.strip_prefix("sha256:") {
        Some(hash) if hash.chars().count() > SHORT_HASH_DIGITS => {
            block.push_str("sha256:");
            let end = hash
                .char_indices()
                .nth(SHORT_HASH_DIGITS)
                .map_or(hash.len(), |(i, _)| i);
            // An id comes from the input: its digits are cleaned like any other text.
            clean_into(block, &hash[..end]);
            block.push('…');
        }
        _ => clean_into(block, id),
    }
}

/// Appends the evidence of `span` in double quotes with context from `raw`, or a note when the
/// span does not fit the text (which a validated pipeline never produces).
fn quote_into(block: &mut String, raw: &str, span: &Span, color: bool) {
    let Some(evidence) = raw.get(span.start..span.end) else {
        block.push_str("(not within the text)");
        return;
    };
    let mut from = ceil_char_boundary(raw, span.start.saturating_sub(CONTEXT_BYTES));
    let mut to = floor_char_boundary(raw, span.end.saturating_add(CONTEXT_BYTES));
    // Where the context is cut, drop the partial word at the cut when there is a whole one.
    if from > 0
        && let Some((i, c)) = raw[from..span.start]
            .char_indices()
            .find(|(_, c)| c.is_whitespace())
    {
        from += i + c.len_utf8();
    }
    if to < raw.len()
        && let Some(i) = raw[span.end..to].rfind(char::is_whitespace)
    {
        to = span.end + i;
    }
    block.push('"');
    if from > 0 {
        block.push('…');
    }
    clean_into(block, &raw[from..span.start]);
    if color {
        block.push_str(BOLD);
    }
    clean_into(block, evidence);
    if color {
        block.push_str(NOT_BOLD);
    }
    clean_into(block, &raw[span.end..to]);
    if to < raw.len() {
        block.push('…');
    }
    block.push('"');
}

/// The first character boundary at or after `at` (at most `text.len()`).
fn ceil_char_boundary(text: &str, at: usize) -> usize {
    (at..text.len())
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(text.len())
}

/// The last character boundary at or before `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    (0..=at)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

/// Appends `text` on one line and safe for a terminal: control characters and bidirectional
/// overrides become spaces, and runs of white space (hard-wrapped lines, indentation) fold to
/// one space — the first white-space character of the run, counting only `text` itself.
fn clean_into(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut after_space = false;
    let mut i = 0;
    while i < bytes.len() {
        // Printable ASCII other than the space is copied as it is, a run at a time.
        let run = bytes[i..]
            .iter()
            .position(|b| !matches!(b, 0x21..=0x7e))
            .unwrap_or(bytes.len() - i);
        if run > 0 {
            out.push_str(&text[i..i + run]);
            after_space = false;
            i += run;
            continue;
        }
        let c = text[i..].chars().next().expect("at a character boundary");
        i += c.len_utf8();
        let unsafe_char =
            c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        let c = if unsafe_char { ' ' } else { c };
        if c.is_whitespace() {
            if !after_space {
                out.push(c);
            }
            after_space = true;
        } else {
            out.push(c);
            after_space = false;
        }
    }
}

/// `text` cleaned as by [`clean_into`].
#[cfg(test)]
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    clean_into(&mut out, text);
    out
}

/// The evidence of `span` quoted as by [`quote_into`].
#[cfg(test)]
fn quote(raw: &str, span: &Span, color: bool) -> String {
    let mut out = String::new();
    quote_into(&mut out, raw, span, color);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::SharedBuf;
    use commwatch_core::Origin;
    use std::collections::BTreeMap;

    fn span(start: usize, end: usize) -> Span {
        Span {
            kind: "country".into(),
            id: "XX".into(),
            label: "X".into(),
            start,
            end,
            detail: None,
        }
    }

    fn sample() -> (Communique, Alert) {
        let raw = "Ministerial Meeting\n\nThe ministers welcomed new members joining the \
                   Coalition: Mauritania and Yemen. They also discussed other matters at length."
            .to_owned();
        let mut ev = Communique::new(
            None,
            Origin {
                name: "examples".into(),
                uri: Some("file:///data/coalition.txt".into()),
            },
            raw.clone(),
        );
        ev.title = Some("Ministerial Meeting".into());
        let start = raw.find("Mauritania").unwrap();
        let yemen = raw.find("Yemen").unwrap();
        let alert = Alert {
            rule: "new_member_accession".into(),
            severity: Severity::High,
            fingerprint: "f".into(),
            labels: BTreeMap::from([("entities".to_owned(), "MR,YE".to_owned())]),
            summary: "New members joining: Mauritania, Yemen".into(),
            evidence: vec![span(start, start + 10), span(yemen, yemen + 5)],
            communique: ev.id.clone(),
            suppressed: None,
            routes: Vec::new(),
        };
        (ev, alert)
    }

    #[test]
    fn formats_a_block_without_color() {
        let (ev, alert) = sample();
        let hash = &ev.id["sha256:".len().."sha256:".len() + 8];
        let expected = format!(
            "[HIGH] new_member_accession · New members joining: Mauritania, Yemen
  communiqué  Ministerial Meeting  (sha256:{hash}…)
  source      examples  file:///data/coalition.txt
  labels      entities=MR,YE
  evidence    \"…new members joining the Coalition: Mauritania and Yemen. They also discussed other…\"  [bytes 79..89]
              \"…joining the Coalition: Mauritania and Yemen. They also discussed other matters at…\"  [bytes 94..99]
"
        );
        assert_eq!(format_alert(&ev, &alert, false), expected);
    }

    #[test]
    fn context_is_cut_on_char_boundaries_and_kept_on_one_line() {
        // No whitespace to cut at: 40 bytes back lands inside an 'é' (60 bytes precede "Key").
        let raw = format!("{}Key{}", "é".repeat(30), "ü".repeat(30));
        let start = raw.find("Key").unwrap();
        let q = quote(&raw, &span(start, start + 3), false);
        assert_eq!(q, format!("\"…{}Key{}…\"", "é".repeat(20), "ü".repeat(20)));
        // With whitespace, the partial word at each cut is dropped.
        let raw = format!(
            "xxxxxxxxx {} Key {} yyyyyyyyy",
            "a".repeat(30),
            "b".repeat(30)
        );
        let start = raw.find("Key").unwrap();
        let q = quote(&raw, &span(start, start + 3), false);
        assert_eq!(
            q,
            format!("\"…{} Key {}…\"", "a".repeat(30), "b".repeat(30))
        );
        // Newlines show as spaces, and runs of white space fold to one.
        assert_eq!(quote("a\nKey\r\nb", &span(2, 5), false), "\"a Key b\"");
        assert_eq!(quote("short", &span(0, 5), false), "\"short\"");
        assert_eq!(quote("short", &span(3, 9), false), "(not within the text)");
        assert_eq!(quote("é", &span(1, 2), false), "(not within the text)");
    }

    #[test]
    fn color_marks_severity_and_evidence() {
        let (ev, alert) = sample();
        let block = format_alert(&ev, &alert, true);
        assert!(block.starts_with("\x1b[31m[HIGH]\x1b[0m new_member_accession"));
        assert!(block.contains("\x1b[1mMauritania\x1b[22m"));
    }

    #[test]
    fn long_evidence_lists_are_cut_and_counted() {
        let (ev, mut alert) = sample();
        let first = alert.evidence[0].clone();
        alert.evidence = vec![first; MAX_EVIDENCE_LINES + 3];
        let block = format_alert(&ev, &alert, false);
        assert_eq!(block.matches("[bytes ").count(), MAX_EVIDENCE_LINES);
        assert!(block.contains("… and 3 more evidence span(s)"), "{block}");
    }

    #[test]
    fn untrusted_text_cannot_break_the_layout() {
        let (mut ev, mut alert) = sample();
        ev.title = None;
        ev.id = "doc\n7".into();
        alert.summary = "two\nlines \x1b[2J".into();
        alert.labels.clear();
        alert.evidence.clear();
        let block = format_alert(&ev, &alert, false);
        assert_eq!(block.lines().count(), 3, "{block}");
        assert!(block.contains("two lines [2J"));
        assert!(block.contains("(untitled)  (doc 7)"));
    }

    #[test]
    fn sink_separates_blocks_and_skips_events_without_alerts() {
        let (ev, alert) = sample();
        let mut two = ev.clone();
        two.alerts = vec![alert.clone(), alert.clone()];
        let mut none = ev.clone();
        none.alerts.clear();
        let buf = SharedBuf::default();
        let mut sink = ConsoleSink::new(Box::new(buf.clone()), false);
        sink.write(&none, Ack::detached()).unwrap();
        assert_eq!(buf.text(), "");
        sink.write(&two, Ack::detached()).unwrap();
        assert_eq!(buf.text(), {
            let block = format_alert(&ev, &alert, false);
            format!("{block}\n{block}")
        });
        let mut one = ev;
        one.alerts = vec![alert.clone()];
        sink.write(&one, Ack::detached()).unwrap();
        sink.flush().unwrap();
        assert_eq!(buf.text().matches("[HIGH]").count(), 3);
        assert!(buf.text().contains("\n\n[HIGH]"));
    }

    /// The definition `clean_into` implements with its ASCII fast path: character by character,
    /// a white-space character dropped when the last one kept is white space.
    fn clean_by_char(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            let unsafe_char =
                c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
            let c = if unsafe_char { ' ' } else { c };
            if !(c.is_whitespace() && out.ends_with(|p: char| p.is_whitespace())) {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn clean_matches_its_character_by_character_definition() {
        let pieces = [
            "a",
            " ",
            "  ",
            "\t",
            "\n",
            "\r\n",
            "\x1b[2J",
            "\u{a0}",
            "\u{2003}",
            "\u{202e}",
            "\u{2067}",
            "é",
            "Ü",
            "–",
            "…",
            "😀",
            "~",
            "!",
            "\u{7f}",
            "\u{85}",
            "\u{200b}",
            "Mauritania",
            "x=y",
        ];
        let mut cases: Vec<String> = vec![String::new()];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    cases.push(format!("{a}{b}{c}"));
                }
            }
        }
        cases.push("  Ministers\n\n\tmet \u{a0} in\u{202e} Paris.\r\n".to_owned());
        for case in &cases {
            assert_eq!(clean(case), clean_by_char(case), "{case:?}");
        }
        // Each piece folds its own white space: appending to a line ending in a space keeps
        // the piece's leading space.
        let mut line = "name  ".to_owned();
        clean_into(&mut line, " value");
        assert_eq!(line, "name   value");
    }

    #[test]
    fn a_hash_id_from_the_input_cannot_reach_the_terminal_raw() {
        let mut block = String::new();
        short_id_into(&mut block, "sha256:ab\u{1b}[2Jcdef0123456789");
        assert_eq!(block, "sha256:ab [2Jcd…");
        block.clear();
        short_id_into(&mut block, "sha256:0123456789abcdef");
        assert_eq!(block, "sha256:01234567…");
    }

    #[test]
    fn color_only_on_a_terminal_without_no_color() {
        assert!(color_wanted(true, None));
        assert!(color_wanted(true, Some(OsStr::new(""))));
        assert!(!color_wanted(true, Some(OsStr::new("1"))));
        assert!(!color_wanted(false, None));
    }
}
