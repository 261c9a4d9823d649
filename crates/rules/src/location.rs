//! Where a position inside a TOML string value is in the file.
//!
//! A query error knows a byte offset in the *decoded* query; the analyst needs the line and column
//! in the file. toml gives the byte range of the string value (with its quotes); this module walks
//! the value as written, undoing escapes, to find the file offset, then the line and column.

use std::ops::Range;

/// The file offset of byte `decoded` of the string value written at `span` in `file`. An offset at
/// the end of the value points at its closing quote.
pub(crate) fn file_offset(file: &str, span: Range<usize>, decoded: usize) -> usize {
    let Some(raw) = file.get(span.clone()) else {
        return span.start.min(file.len());
    };
    let (delim, literal, multiline) = if raw.starts_with("\"\"\"") {
        (3, false, true)
    } else if raw.starts_with("'''") {
        (3, true, true)
    } else if raw.starts_with('"') {
        (1, false, false)
    } else if raw.starts_with('\'') {
        (1, true, false)
    } else {
        return span.start;
    };
    let end = span.end.saturating_sub(delim).max(span.start + delim);
    let mut i = span.start + delim;
    if multiline {
        if file[i..].starts_with("\r\n") {
            i += 2;
        } else if file[i..].starts_with('\n') {
            i += 1;
        }
    }
    let mut d = 0;
    while i < end && d < decoded {
        let Some(c) = file[i..].chars().next() else {
            break;
        };
        if literal || c != '\\' {
            d += c.len_utf8();
            i += c.len_utf8();
            continue;
        }
        match file[i + 1..].chars().next() {
            Some(h @ ('u' | 'U')) => {
                let digits = if h == 'u' { 4 } else { 8 };
                let decoded_char = file
                    .get(i + 2..i + 2 + digits)
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                d += decoded_char.len_utf8();
                i += 2 + digits;
            }
            Some(w) if w.is_whitespace() => {
                // A line-ending backslash: it and the whitespace after it decode to nothing.
                i += 1;
                while let Some(w) = file[i..].chars().next().filter(|w| w.is_whitespace()) {
                    i += w.len_utf8();
                }
            }
            Some(e) => {
                d += 1;
                i += 1 + e.len_utf8();
            }
            None => break,
        }
    }
    i.min(end)
}

/// The 1-based line and column (in characters) of `offset` in `file`, and that line's text.
pub(crate) fn line_col(file: &str, offset: usize) -> (usize, usize, String) {
    let offset = offset.min(file.len());
    let before = &file[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_end = file[offset..].find('\n').map_or(file.len(), |i| offset + i);
    let line = before.matches('\n').count() + 1;
    let column = file[line_start..offset].chars().count() + 1;
    let text = file[line_start..line_end]
        .trim_end_matches('\r')
        .to_string();
    (line, column, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(file: &str, decoded: usize) -> usize {
        let start = file.find(['"', '\'']).unwrap();
        let end = file.rfind(['"', '\'']).unwrap() + 1;
        file_offset(file, start..end, decoded)
    }

    #[test]
    fn basic_strings_undo_escapes() {
        let file = r#"query = "a \"b\" \u00e9 c""#;
        // decoded: a "b" é c  — the `c` is at decoded byte 9.
        assert_eq!(&file[at(file, 9)..at(file, 9) + 1], "c");
        assert_eq!(&file[at(file, 2)..at(file, 3)], "\\\"");
        // The end points at the closing quote.
        assert_eq!(at(file, 10), file.len() - 1);
    }

    #[test]
    fn literal_and_multiline_strings() {
        let file = "query = 'a \\ b'";
        assert_eq!(&file[at(file, 2)..at(file, 3)], "\\");
        let file = "query = \"\"\"\nx AND\n  y\"\"\"";
        let o = at(file, 6);
        assert_eq!(&file[o..o + 1], " ");
        assert_eq!(line_col(file, o).0, 3);
    }

    #[test]
    fn line_and_column() {
        let file = "a\n\tquery = \"x\"\n";
        assert_eq!(line_col(file, 3), (2, 2, "\tquery = \"x\"".to_string()));
    }
}
