//! Turning the bytes a source read into text, whatever encoding they came in.
//!
//! Communiqués arrive from ministries' web sites, wire feeds and file shares in UTF-8, UTF-16 and
//! the legacy single-byte encodings of older Windows systems. Reading them all as UTF-8 turns
//! "Côte d’Ivoire" into "C\u{fffd}te d\u{fffd}Ivoire", which no gazetteer matches. Every source
//! that reads bytes therefore goes through [`decode`], which picks the encoding the way a browser
//! does (byte order mark, then what the transport or the document declares, then the content
//! itself), replaces what cannot be decoded with U+FFFD **and counts it**, so an operator can see
//! which documents were damaged in transit instead of finding out from a missed alert.
//!
//! It also refuses input that is not text at all (a PDF or an image matched by a loose glob): its
//! decoded bytes would be megabytes of noise flowing through every stage.

use std::collections::BTreeMap;
use std::str::FromStr;

use encoding_rs::{DecoderResult, Encoding, REPLACEMENT, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// How much of the input is examined to decide whether it is binary: 8 KiB.
pub const SNIFF_BYTES: usize = 8 * 1024;

/// How far into a document an in-document charset declaration is looked for: 1024 bytes, as
/// browsers do.
const DECLARATION_BYTES: usize = 1024;

/// Metadata key holding the name of the encoding a communiqué was decoded from.
pub const ENCODING_KEY: &str = "encoding";

/// Metadata key holding how many undecodable byte sequences were replaced with U+FFFD (present
/// only when there were some).
pub const REPLACEMENTS_KEY: &str = "decode_replacements";

/// Which encoding to read input in: detected, or fixed by configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TextEncoding {
    /// Detect it: byte order mark, then the declared charset (HTTP `Content-Type`, HTML
    /// `<meta charset>`, XML declaration), then UTF-8 when the bytes are (mostly) valid UTF-8,
    /// else Windows-1252.
    #[default]
    Auto,
    /// Always this encoding, except that a byte order mark still wins (as in the WHATWG
    /// `decode` algorithm browsers use).
    Fixed(&'static Encoding),
}

impl FromStr for TextEncoding {
    type Err = String;

    /// Parses `auto` or any WHATWG encoding label (`utf-8`, `windows-1252`, `latin1`,
    /// `iso-8859-1`, `utf-16le`, `shift_jis`, …), case-insensitively.
    fn from_str(s: &str) -> Result<TextEncoding, String> {
        let label = s.trim();
        if label.eq_ignore_ascii_case("auto") {
            return Ok(TextEncoding::Auto);
        }
        match Encoding::for_label(label.as_bytes()) {
            Some(encoding) if encoding != REPLACEMENT => Ok(TextEncoding::Fixed(encoding)),
            _ => Err(format!(
                "unknown encoding {s:?}; expected \"auto\" or an encoding label such as \
                 \"utf-8\", \"windows-1252\", \"iso-8859-1\" or \"utf-16le\""
            )),
        }
    }
}

/// Which in-document charset declaration the bytes may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Markup {
    /// Plain text: no declaration is looked for.
    Plain,
    /// HTML: a `<meta charset>` or `<meta http-equiv="Content-Type" content="…; charset=…">`
    /// in the first 1024 bytes.
    Html,
    /// XML (feeds): the `encoding` of an `<?xml …?>` declaration.
    Xml,
}

/// What is known about the bytes besides the bytes themselves.
#[derive(Clone, Copy, Debug)]
pub struct DecodeHints<'a> {
    /// The configured encoding.
    pub encoding: TextEncoding,
    /// Which declaration to look for in the document.
    pub markup: Markup,
    /// The HTTP `Content-Type` header, whose `charset` parameter beats an in-document
    /// declaration.
    pub content_type: Option<&'a str>,
}

impl DecodeHints<'_> {
    /// Hints for input with no transport metadata.
    pub fn new(encoding: TextEncoding, markup: Markup) -> DecodeHints<'static> {
        DecodeHints {
            encoding,
            markup,
            content_type: None,
        }
    }
}

/// Decoded text and how it was obtained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without a byte order mark.
    pub text: String,
    /// The encoding the bytes were read in.
    pub encoding: &'static Encoding,
    /// How many malformed byte sequences were replaced with U+FFFD.
    pub replacements: usize,
}

impl Decoded {
    /// Records the encoding (always) and the replacement count (when not zero) in a
    /// communiqué's metadata, under [`ENCODING_KEY`] and [`REPLACEMENTS_KEY`].
    pub fn annotate(&self, metadata: &mut BTreeMap<String, String>) {
        metadata.insert(ENCODING_KEY.to_owned(), self.encoding.name().to_owned());
        if self.replacements > 0 {
            metadata.insert(REPLACEMENTS_KEY.to_owned(), self.replacements.to_string());
        }
    }
}

/// Why bytes were not decoded: they do not look like text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A NUL byte in the first [`SNIFF_BYTES`], which text other than UTF-16 never has.
    #[error("looks like a binary file (NUL byte at offset {offset}); not read")]
    NulByte {
        /// Offset of the first NUL byte.
        offset: usize,
    },
    /// More than a tenth of the first [`SNIFF_BYTES`] are control characters.
    #[error("looks like a binary file ({controls} control bytes in the first {sampled}); not read")]
    ControlBytes {
        /// How many control bytes were found.
        controls: usize,
        /// How many bytes were examined.
        sampled: usize,
    },
}

/// Decodes `bytes` to UTF-8 text.
///
/// The encoding is, in order of precedence: the one a byte order mark names (UTF-8, UTF-16LE,
/// UTF-16BE); the configured one ([`TextEncoding::Fixed`]); the `charset` of the HTTP
/// `Content-Type`; the declaration [`Markup`] says to look for (a declaration of UTF-16 in
/// bytes that could be read as ASCII means UTF-8, as in browsers); UTF-8 when the bytes are
/// valid UTF-8, or when valid multi-byte sequences outnumber invalid ones (a UTF-8 document with
/// a few corrupt bytes); else Windows-1252, which also reads Latin-1 (ISO-8859-1) text.
///
/// Malformed sequences become U+FFFD and are counted in [`Decoded::replacements`]. Input that
/// does not look like text is refused (see [`DecodeError`]), unless it is UTF-16, whose ASCII
/// characters contain NUL bytes. Valid UTF-8 is not copied.
pub fn decode(bytes: Vec<u8>, hints: &DecodeHints<'_>) -> Result<Decoded, DecodeError> {
    let bom = Encoding::for_bom(&bytes);
    let utf16 = match (bom, hints.encoding) {
        (Some((encoding, _)), _) | (None, TextEncoding::Fixed(encoding)) => {
            encoding == UTF_16LE || encoding == UTF_16BE
        }
        (None, TextEncoding::Auto) => false,
    };
    if !utf16 {
        check_text(&bytes[..bytes.len().min(SNIFF_BYTES)])?;
    }
    let (encoding, bom_len) = match bom {
        Some(found) => found,
        None => (choose(&bytes, hints), 0),
    };
    if encoding == UTF_8 {
        if bom_len == 0 {
            return Ok(match String::from_utf8(bytes) {
                Ok(text) => Decoded {
                    text,
                    encoding,
                    replacements: 0,
                },
                Err(err) => decode_counting(encoding, err.as_bytes()),
            });
        }
        if let Ok(text) = std::str::from_utf8(&bytes[bom_len..]) {
            return Ok(Decoded {
                text: text.to_owned(),
                encoding,
                replacements: 0,
            });
        }
    }
    Ok(decode_counting(encoding, &bytes[bom_len..]))
}

/// The encoding of input without a byte order mark.
fn choose(bytes: &[u8], hints: &DecodeHints<'_>) -> &'static Encoding {
    if let TextEncoding::Fixed(encoding) = hints.encoding {
        return encoding;
    }
    let from_http = hints
        .content_type
        .and_then(|ct| charset_param(ct.as_bytes()))
        .and_then(Encoding::for_label)
        .filter(|e| *e != REPLACEMENT);
    if let Some(encoding) = from_http {
        return encoding;
    }
    let head = &bytes[..bytes.len().min(DECLARATION_BYTES)];
    let declared = match hints.markup {
        Markup::Plain => None,
        Markup::Html => meta_charset(head),
        Markup::Xml => xml_encoding(head),
    };
    if let Some(encoding) = declared.and_then(Encoding::for_label) {
        // The declaration was readable as ASCII, so the document is not UTF-16.
        if encoding == UTF_16LE || encoding == UTF_16BE {
            return UTF_8;
        }
        if encoding != REPLACEMENT {
            return encoding;
        }
    }
    if mostly_utf8(bytes) {
        UTF_8
    } else {
        WINDOWS_1252
    }
}

/// Whether bytes are valid UTF-8, or UTF-8 with fewer invalid sequences than valid multi-byte
/// characters. Windows-1252 text almost never forms valid multi-byte sequences, so this keeps a
/// slightly damaged UTF-8 document from being read as mojibake.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().bytes().filter(|b| *b >= 0xC0).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    invalid == 0 || multibyte > invalid
}

/// Decodes with `encoding`, replacing and counting malformed sequences.
fn decode_counting(encoding: &'static Encoding, bytes: &[u8]) -> Decoded {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 4 + 16);
    let (mut read, mut replacements) = (0, 0);
    loop {
        let (result, consumed) =
            decoder.decode_to_string_without_replacement(&bytes[read..], &mut text, true);
        read += consumed;
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::OutputFull => {
                let rest = bytes.len() - read;
                let needed = decoder
                    .max_utf8_buffer_length_without_replacement(rest)
                    .unwrap_or(rest);
                text.reserve(needed.max(16));
            }
            DecoderResult::Malformed(_, _) => {
                replacements += 1;
                text.push('\u{fffd}');
            }
        }
    }
    Decoded {
        text,
        encoding,
        replacements,
    }
}

/// Refuses a sample that contains a NUL byte or is more than a tenth control characters.
fn check_text(sample: &[u8]) -> Result<(), DecodeError> {
    if let Some(offset) = sample.iter().position(|&b| b == 0) {
        return Err(DecodeError::NulByte { offset });
    }
    let controls = sample.iter().filter(|&&b| is_control(b)).count();
    if controls * 10 > sample.len() {
        return Err(DecodeError::ControlBytes {
            controls,
            sampled: sample.len(),
        });
    }
    Ok(())
}

/// C0 controls and DEL, except those text uses: tab, line feed, vertical tab, form feed,
/// carriage return and escape (terminal colours in logs).
fn is_control(b: u8) -> bool {
    matches!(b, 0x01..=0x08 | 0x0E..=0x1A | 0x1C..=0x1F | 0x7F)
}

/// The charset an HTML document declares in a `<meta>` tag of `head`.
fn meta_charset(head: &[u8]) -> Option<&[u8]> {
    let mut rest = head;
    while let Some(start) = find_ignore_case(rest, b"<meta") {
        let tag = &rest[start + 5..];
        let end = tag.iter().position(|&b| b == b'>').unwrap_or(tag.len());
        if let Some(label) = charset_param(&tag[..end]) {
            return Some(label);
        }
        rest = &tag[end..];
    }
    None
}

/// The `encoding` of an XML declaration at the start of `head`.
fn xml_encoding(head: &[u8]) -> Option<&[u8]> {
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    let decl = head[start..].strip_prefix(b"<?xml")?;
    let decl = &decl[..find_ignore_case(decl, b"?>")?];
    let at = find_ignore_case(decl, b"encoding")?;
    attribute_value(&decl[at + 8..])
}

/// The value of a `charset=` parameter (of a `Content-Type` value or a `<meta>` tag).
fn charset_param(text: &[u8]) -> Option<&[u8]> {
    let mut rest = text;
    while let Some(at) = find_ignore_case(rest, b"charset") {
        rest = &rest[at + 7..];
        if let Some(value) = attribute_value(rest) {
            return Some(value);
        }
    }
    None
}

/// Parses `= value`, `="value"` or `='value'` (with optional spaces) at the start of `text`.
fn attribute_value(text: &[u8]) -> Option<&[u8]> {
    let text = text
        .trim_ascii_start()
        .strip_prefix(b"=")?
        .trim_ascii_start();
    let (value, quote) = match text.first() {
        Some(&q @ (b'"' | b'\'')) => (&text[1..], Some(q)),
        _ => (text, None),
    };
    let end = value
        .iter()
        .position(|b| match quote {
            Some(q) => *b == q,
            None => b" \t\r\n;\"'>/".contains(b),
        })
        .unwrap_or(value.len());
    let value = value[..end].trim_ascii();
    (!value.is_empty()).then_some(value)
}

/// The offset of the first ASCII-case-insensitive occurrence of `needle` in `haystack`.
pub(crate) fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto(bytes: &[u8]) -> Decoded {
        decode(
            bytes.to_vec(),
            &DecodeHints::new(TextEncoding::Auto, Markup::Plain),
        )
        .unwrap()
    }

    fn with(bytes: &[u8], hints: DecodeHints<'_>) -> Decoded {
        decode(bytes.to_vec(), &hints).unwrap()
    }

    fn utf16le(text: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
        out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let d = auto("Côte d’Ivoire".as_bytes());
        assert_eq!(
            (d.text.as_str(), d.encoding, d.replacements),
            ("Côte d’Ivoire", UTF_8, 0)
        );
        let d = auto(b"\xEF\xBB\xBFC\xC3\xB4te");
        assert_eq!((d.text.as_str(), d.encoding), ("Côte", UTF_8));
    }

    #[test]
    fn utf16_with_bom_either_order() {
        let d = auto(&utf16le("Côte d’Ivoire", true));
        assert_eq!((d.text.as_str(), d.encoding), ("Côte d’Ivoire", UTF_16LE));
        let mut be = vec![0xFE, 0xFF];
        be.extend("Niger".encode_utf16().flat_map(u16::to_be_bytes));
        let d = auto(&be);
        assert_eq!((d.text.as_str(), d.encoding), ("Niger", UTF_16BE));
    }

    #[test]
    fn utf16_without_bom_only_when_configured() {
        let bytes = utf16le("Mali", false);
        let err = decode(
            bytes.clone(),
            &DecodeHints::new(TextEncoding::Auto, Markup::Plain),
        );
        assert_eq!(err, Err(DecodeError::NulByte { offset: 1 }));
        let d = with(
            &bytes,
            DecodeHints::new("utf-16le".parse().unwrap(), Markup::Plain),
        );
        assert_eq!(d.text, "Mali");
    }

    #[test]
    fn windows_1252_is_the_fallback() {
        // "Côte d’Ivoire" in Windows-1252: ô is 0xF4, the right single quote 0x92.
        let d = auto(b"C\xF4te d\x92Ivoire");
        assert_eq!(d.text, "Côte d’Ivoire");
        assert_eq!((d.encoding, d.replacements), (WINDOWS_1252, 0));
        let mut meta = BTreeMap::new();
        d.annotate(&mut meta);
        assert_eq!(meta["encoding"], "windows-1252");
        assert!(!meta.contains_key("decode_replacements"));
    }

    #[test]
    fn mostly_utf8_keeps_utf8_and_counts_the_damage() {
        let d = auto(b"C\xC3\xB4te d\xE2\x80\x99Ivoire \xFF end");
        assert_eq!(d.encoding, UTF_8);
        assert_eq!(d.text, "Côte d’Ivoire \u{fffd} end");
        assert_eq!(d.replacements, 1);
        let mut meta = BTreeMap::new();
        d.annotate(&mut meta);
        assert_eq!(meta["decode_replacements"], "1");
        // Configured UTF-8 never falls back: every bad sequence is counted.
        let d = with(
            b"caf\xE9 \xFF\xFE",
            DecodeHints::new("utf-8".parse().unwrap(), Markup::Plain),
        );
        assert_eq!(d.text, "caf\u{fffd} \u{fffd}\u{fffd}");
        assert_eq!(d.replacements, 3);
    }

    #[test]
    fn declarations_beat_the_content_and_http_beats_declarations() {
        let html = b"<html><head><meta http-equiv=\"Content-Type\" \
                     content=\"text/html; charset=ISO-8859-1\"></head>caf\xC3\xA9</html>";
        // Valid UTF-8, but declared Latin-1: the declaration wins.
        let d = with(html, DecodeHints::new(TextEncoding::Auto, Markup::Html));
        assert_eq!(d.encoding, WINDOWS_1252);
        assert!(d.text.contains("cafÃ©"));
        let d = with(
            html,
            DecodeHints {
                content_type: Some("text/html; charset=\"utf-8\""),
                ..DecodeHints::new(TextEncoding::Auto, Markup::Html)
            },
        );
        assert_eq!(d.encoding, UTF_8);
        let d = with(
            b"<!doctype html><meta charset='windows-1251'>\xC0",
            DecodeHints::new(TextEncoding::Auto, Markup::Html),
        );
        assert_eq!(d.encoding.name(), "windows-1251");
        let d = with(
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?><rss>\xA4</rss>",
            DecodeHints::new(TextEncoding::Auto, Markup::Xml),
        );
        assert_eq!(d.encoding.name(), "ISO-8859-15");
        assert!(d.text.contains('€'));
        // A UTF-16 declaration in ASCII-readable bytes means UTF-8.
        let d = with(
            "<meta charset=utf-16>é".as_bytes(),
            DecodeHints::new(TextEncoding::Auto, Markup::Html),
        );
        assert_eq!((d.encoding, d.text.ends_with('é')), (UTF_8, true));
        // Plain text is not searched for declarations.
        let d = with(html, DecodeHints::new(TextEncoding::Auto, Markup::Plain));
        assert_eq!(d.encoding, UTF_8);
    }

    #[test]
    fn binary_input_is_refused_with_the_offset() {
        let err = decode(
            b"%PDF-1.7\n\x00\x01".to_vec(),
            &DecodeHints::new(TextEncoding::Auto, Markup::Plain),
        );
        assert_eq!(err, Err(DecodeError::NulByte { offset: 9 }));
        assert_eq!(
            DecodeError::NulByte { offset: 12 }.to_string(),
            "looks like a binary file (NUL byte at offset 12); not read"
        );
        let noise: Vec<u8> = (0..200u8)
            .map(|i| if i % 3 == 0 { 0x02 } else { b'a' })
            .collect();
        let err = decode(noise, &DecodeHints::new(TextEncoding::Auto, Markup::Plain));
        assert!(
            matches!(err, Err(DecodeError::ControlBytes { sampled: 200, .. })),
            "{err:?}"
        );
        // A NUL beyond the sniffed prefix is decoded, not refused.
        let mut late = vec![b'a'; SNIFF_BYTES];
        late.push(0);
        assert_eq!(auto(&late).text.len(), SNIFF_BYTES + 1);
        // Tabs, form feeds and escapes are text.
        assert_eq!(auto(b"a\tb\x0c\x1b[0m").replacements, 0);
    }

    #[test]
    fn encoding_labels() {
        assert_eq!("auto".parse(), Ok(TextEncoding::Auto));
        assert_eq!("Latin1".parse(), Ok(TextEncoding::Fixed(WINDOWS_1252)));
        assert_eq!("iso-8859-1".parse(), Ok(TextEncoding::Fixed(WINDOWS_1252)));
        assert_eq!(" UTF-16LE ".parse(), Ok(TextEncoding::Fixed(UTF_16LE)));
        assert!(
            "klingon"
                .parse::<TextEncoding>()
                .unwrap_err()
                .contains("\"klingon\"")
        );
        // The "replacement" encoding decodes everything to U+FFFD: not a useful choice.
        assert!("iso-2022-kr".parse::<TextEncoding>().is_err());
    }

    #[test]
    fn never_panics_on_odd_input() {
        for bytes in [
            &b""[..],
            b"\xFF\xFE",
            b"\xFE\xFF\x00",
            b"\xEF\xBB",
            b"<meta charset=",
            b"<meta charset=\"",
            b"<?xml encoding='",
            b"\xC3",
        ] {
            for markup in [Markup::Plain, Markup::Html, Markup::Xml] {
                let _ = decode(
                    bytes.to_vec(),
                    &DecodeHints::new(TextEncoding::Auto, markup),
                );
            }
        }
        assert_eq!(auto(b"").text, "");
    }
}
