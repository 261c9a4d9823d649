//! Turning a syndication feed into communiqués, one per entry.
//!
//! Ministries and international organisations publish their statements as RSS or Atom feeds
//! (and a few as JSON Feed). `feed-rs` parses all of them into one model; this module maps that
//! model to communiqués the same way whether the feed came from a file ([`FilesSource`]) or was
//! polled over HTTP ([`FeedSource`]). Entry content is usually HTML, so it goes through the same
//! extractor as scraped pages, and the entry's own id is kept so that a feed polled again and
//! again yields each statement once.
//!
//! [`FilesSource`]: crate::FilesSource
//! [`FeedSource`]: crate::FeedSource

use commwatch_core::{Communique, Origin};
use feed_rs::model::{Entry, Link, Text};

use super::html::html_to_text;

/// What each entry of a feed became, in feed order: a communiqué, or why it could not be one.
pub(crate) type FeedEntries = Vec<Result<Communique, EntryError>>;

/// A feed entry that cannot become a communiqué.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct EntryError {
    /// The entry's id, link or position (`entry 3`), to locate it.
    pub(crate) entry: String,
    /// Why.
    pub(crate) reason: String,
}

/// Parses feed text (RSS 0.9x/1.0/2.0, Atom or JSON Feed) into communiqués from the source
/// named `name`.
///
/// For each entry: the id is the entry's id or guid, else its link, else the content hash; the
/// raw text is the entry's content, else its summary, converted from HTML when it is HTML; the
/// title is the entry's title; `published` is the entry's publication (else update) date as
/// `YYYY-MM-DD`; `origin.uri` is the entry's link, else `fallback_uri` (the feed's URL or file).
/// Metadata `format` is `feed` and `feed` the feed's title. An entry with no text at all is an
/// [`EntryError`].
///
/// The text must be already decoded: an XML declaration naming an encoding is ignored.
pub(crate) fn parse_feed(
    text: &str,
    name: &str,
    fallback_uri: Option<&str>,
) -> Result<FeedEntries, String> {
    // Leave missing ids empty, so that the fallbacks below decide, instead of feed-rs's
    // generated hash or random UUID (which would change on every poll).
    let parser = feed_rs::parser::Builder::new()
        .id_generator(|_, _, _| String::new())
        .build();
    let feed = parser
        .parse(without_xml_declaration(text).as_bytes())
        .map_err(|err| format!("not a valid RSS, Atom or JSON feed: {err}"))?;
    let title = feed.title.as_ref().map(text_of).filter(|t| !t.is_empty());
    Ok(feed
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let context = Context {
                name,
                fallback_uri,
                feed_title: title.as_deref(),
                feed_language: feed.language.as_deref(),
            };
            communique(entry, i + 1, &context)
        })
        .collect())
}

/// The text after an XML declaration, which names the encoding of bytes the text no longer is.
/// Without one, XML is UTF-8, which is what `feed-rs` is given.
fn without_xml_declaration(text: &str) -> &str {
    let trimmed = text.trim_start();
    match trimmed
        .strip_prefix("<?xml")
        .and_then(|rest| rest.find("?>").map(|end| (rest, end)))
    {
        Some((rest, end)) => &rest[end + 2..],
        None => text,
    }
}

/// What every entry of one feed shares.
struct Context<'a> {
    name: &'a str,
    fallback_uri: Option<&'a str>,
    feed_title: Option<&'a str>,
    feed_language: Option<&'a str>,
}

fn communique(entry: Entry, position: usize, cx: &Context<'_>) -> Result<Communique, EntryError> {
    let link = entry_link(&entry.links).map(str::to_owned);
    let id = Some(entry.id.trim())
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .or_else(|| link.clone());
    let title = entry.title.as_ref().map(text_of).filter(|t| !t.is_empty());
    let content = entry.content.as_ref().and_then(|c| {
        let body = c.body.as_deref()?;
        let ty = c.content_type.as_str();
        if ty.contains("html") {
            Some(html_to_text(body))
        } else if ty.starts_with("text/") {
            Some(body.trim().to_owned())
        } else {
            None
        }
    });
    let raw = content.filter(|t| !t.is_empty()).or_else(|| {
        entry
            .summary
            .as_ref()
            .map(text_of)
            .filter(|t| !t.is_empty())
    });
    let Some(raw) = raw else {
        return Err(EntryError {
            entry: id.unwrap_or_else(|| format!("entry {position}")),
            reason: "feed entry has no content or summary".to_owned(),
        });
    };
    let origin = Origin {
        name: cx.name.to_owned(),
        uri: link.or_else(|| cx.fallback_uri.map(str::to_owned)),
    };
    let mut event = Communique::new(id, origin, raw);
    event.title = title;
    event.published = entry
        .published
        .or(entry.updated)
        .map(|at| at.date_naive().to_string());
    event.language = entry
        .language
        .as_deref()
        .or(cx.feed_language)
        .and_then(primary_language);
    event
        .metadata
        .insert("format".to_owned(), "feed".to_owned());
    if let Some(feed_title) = cx.feed_title {
        event
            .metadata
            .insert("feed".to_owned(), feed_title.to_owned());
    }
    Ok(event)
}

/// The primary subtag of a language tag, lowercased: `en-US` → `en`.
fn primary_language(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?;
    (!primary.is_empty()).then(|| primary.to_ascii_lowercase())
}

/// The entry's own page: the first link without a relation or with `alternate`, else the first.
fn entry_link(links: &[Link]) -> Option<&str> {
    links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| links.first())
        .map(|l| l.href.trim())
        .filter(|href| !href.is_empty())
}

/// A feed text as plain text: HTML converted, plain text trimmed.
fn text_of(text: &Text) -> String {
    if text.content_type.as_str().contains("html") {
        html_to_text(&text.content)
    } else {
        text.content.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/../../tests/fixtures/ingest/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn events(feed: &FeedEntries) -> Vec<&Communique> {
        feed.iter().map(|e| e.as_ref().unwrap()).collect()
    }

    #[test]
    fn rss2_entries_become_communiques() {
        let feed = parse_feed(&fixture("feed_v1.rss"), "mfa", None).unwrap();
        let ev = events(&feed);
        assert_eq!(ev.len(), 2);
        let first = ev[0];
        assert_eq!(first.id, "mfa-2024-101");
        assert_eq!(first.title.as_deref(), Some("Statement on Mali"));
        assert_eq!(first.published.as_deref(), Some("2024-03-12"));
        assert_eq!(
            first.origin.uri.as_deref(),
            Some("https://mfa.example.org/press/mali")
        );
        assert_eq!(first.origin.name, "mfa");
        // HTML content converted with the page extractor.
        assert_eq!(
            first.raw,
            "The Ministry is concerned about the situation in Mali.\n\nIt calls for dialogue."
        );
        assert_eq!(
            first.metadata["feed"],
            "Ministry of Foreign Affairs — Press releases"
        );
        assert_eq!(first.metadata["format"], "feed");
        assert_eq!(first.language.as_deref(), Some("en"));
        // No guid: the link is the id.
        assert_eq!(ev[1].id, "https://mfa.example.org/press/niger");
        assert_eq!(ev[1].raw, "Talks with Niger resumed in Niamey.");
    }

    #[test]
    fn atom_entries_become_communiques() {
        let feed = parse_feed(&fixture("statements.atom"), "au", Some("file:///x.atom")).unwrap();
        let ev = events(&feed);
        assert_eq!(ev[0].metadata["feed"], "African Union statements");
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[0].id, "urn:uuid:5b1c8a52-0f39-4a39-9b7a-3a1c2b4d0001");
        assert_eq!(ev[0].title.as_deref(), Some("Communiqué on Sudan"));
        assert_eq!(ev[0].published.as_deref(), Some("2024-02-20"));
        assert_eq!(
            ev[0].origin.uri.as_deref(),
            Some("https://au.example.int/statements/sudan")
        );
        assert!(
            ev[0].raw.starts_with("The Peace and Security Council"),
            "{}",
            ev[0].raw
        );
        assert!(ev[0].raw.contains("\n\nThe Council"), "{}", ev[0].raw);
        // Only an updated date, a plain-text summary, no link.
        assert_eq!(ev[1].published.as_deref(), Some("2024-02-21"));
        assert_eq!(
            ev[1].raw,
            "The Commission welcomed the ceasefire in Côte d’Ivoire."
        );
        assert_eq!(ev[1].origin.uri.as_deref(), Some("file:///x.atom"));
        assert_eq!(ev[1].language.as_deref(), Some("en"));
    }

    #[test]
    fn json_feed_and_fallback_ids() {
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"Wire",
            "items":[{"id":"w1","content_text":"Chad and Cameroon."},
                     {"id":"","content_html":"<p>Gabon</p>"},
                     {"id":"w3","title":"Empty"}]}"#;
        let feed = parse_feed(json, "wire", None).unwrap();
        assert_eq!(feed.len(), 3);
        let first = feed[0].as_ref().unwrap();
        assert_eq!(
            (first.id.as_str(), first.raw.as_str()),
            ("w1", "Chad and Cameroon.")
        );
        let second = feed[1].as_ref().unwrap();
        assert_eq!(second.raw, "Gabon");
        assert_eq!(second.id, commwatch_core::content_id("Gabon"));
        assert_eq!(
            feed[2].as_ref().unwrap_err(),
            &EntryError {
                entry: "w3".into(),
                reason: "feed entry has no content or summary".into()
            }
        );
    }

    #[test]
    fn declared_encoding_of_already_decoded_text_is_ignored() {
        let xml = "<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<rss version=\"2.0\">\
                   <channel><title>T</title><item><guid>1</guid><description>Côte d’Ivoire\
                   </description></item></channel></rss>";
        let feed = parse_feed(xml, "f", None).unwrap();
        assert_eq!(events(&feed)[0].raw, "Côte d’Ivoire");
    }

    #[test]
    fn not_a_feed_is_an_error() {
        let err = parse_feed("<html><body>no</body></html>", "f", None).unwrap_err();
        assert!(
            err.starts_with("not a valid RSS, Atom or JSON feed"),
            "{err}"
        );
        assert!(parse_feed("", "f", None).is_err());
    }
}
