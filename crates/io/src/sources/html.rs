//! Extracting the article from a scraped web page.
//!
//! A ministry's press-release page is mostly not the press release: menus listing every country
//! the ministry deals with, a footer of partner organisations, "related statements", share
//! buttons, cookie banners, scripts. Tagged as-is, every page would mention half the world and
//! fire every rule. [`extract_document`] keeps the text a reader would read: it drops page
//! furniture by element (`nav`, `footer`, `script`, …), by ARIA role and by the class and id
//! names sites use for it, prefers the `<article>` or `<main>` element when there is one, and
//! keeps paragraph structure so that sentence and paragraph scoping still works downstream.
//!
//! The extracted text becomes the communiqué's raw text, so every span offset points into it.
//! The traversal uses an explicit stack: a page of deeply nested `<div>`s cannot overflow the
//! thread's stack.

use scraper::node::Element;
use scraper::{ElementRef, Html, Node};

/// Elements never part of the article text.
const DROPPED_ELEMENTS: &[&str] = &[
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
    "template", "head", "button", "select", "textarea", "object", "canvas",
];

/// ARIA roles of page furniture.
const DROPPED_ROLES: &[&str] = &["navigation", "banner", "contentinfo"];

/// Substrings of `class` and `id` values that mark page furniture.
const DROPPED_NAMES: &[&str] = &[
    "nav",
    "menu",
    "footer",
    "sidebar",
    "cookie",
    "share",
    "social",
    "breadcrumb",
    "related",
    "comment",
    "subscribe",
];

/// Elements never dropped for their class or id: a `<body class="has-sidebar">` or a
/// `<main id="main-nav-target">` is still the content.
const PROTECTED_ELEMENTS: &[&str] = &["html", "body", "main", "article"];

/// Elements separated from their surroundings by a blank line.
const PARAGRAPH_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "body",
    "caption",
    "center",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "legend",
    "main",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
];

/// Elements that start a new line: list items, definition terms, table rows.
const LINE_ELEMENTS: &[&str] = &["li", "dt", "dd", "tr"];

/// What a web page says about itself, and its article text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HtmlDocument {
    /// The article text: paragraphs separated by a blank line, `<br>` as a line break, other
    /// whitespace collapsed to single spaces.
    pub text: String,
    /// `og:title`, else `<title>`, else the first `<h1>`.
    pub title: Option<String>,
    /// `article:published_time`, else the first `<time datetime>`, else `<meta name="date">`
    /// (or `dc.date`, `dcterms.date`), as `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`).
    pub published: Option<String>,
    /// `og:url`, else the canonical link.
    pub url: Option<String>,
}

/// Extracts the article text and metadata of a whole HTML page.
pub fn extract_document(html: &str) -> HtmlDocument {
    let doc = Html::parse_document(html);
    let mut meta = PageMeta::default();
    for el in doc.root_element().descendent_elements() {
        meta.observe(el);
    }
    HtmlDocument {
        text: extract_text(content_root(doc.root_element())),
        title: meta.og_title.or(meta.title).or(meta.h1),
        published: [meta.article_published, meta.time, meta.meta_date]
            .into_iter()
            .flatten()
            .find_map(|d| iso_date(&d)),
        url: meta.og_url.or(meta.canonical),
    }
}

/// The text of an HTML fragment (a feed entry's content), with the same rules as
/// [`extract_document`].
pub fn html_to_text(fragment: &str) -> String {
    let doc = Html::parse_fragment(fragment);
    extract_text(content_root(doc.root_element()))
}

/// The metadata candidates found in one pass over the page.
#[derive(Default)]
struct PageMeta {
    og_title: Option<String>,
    title: Option<String>,
    h1: Option<String>,
    article_published: Option<String>,
    time: Option<String>,
    meta_date: Option<String>,
    og_url: Option<String>,
    canonical: Option<String>,
}

impl PageMeta {
    fn observe(&mut self, el: ElementRef<'_>) {
        let e = el.value();
        match e.name() {
            "meta" => {
                let Some(content) = e.attr("content").and_then(non_empty) else {
                    return;
                };
                let key = e.attr("property").or_else(|| e.attr("name")).unwrap_or("");
                let slot = if key.eq_ignore_ascii_case("og:title") {
                    &mut self.og_title
                } else if key.eq_ignore_ascii_case("og:url") {
                    &mut self.og_url
                } else if key.eq_ignore_ascii_case("article:published_time") {
                    &mut self.article_published
                } else if ["date", "dc.date", "dcterms.date"]
                    .iter()
                    .any(|k| key.eq_ignore_ascii_case(k))
                {
                    &mut self.meta_date
                } else {
                    return;
                };
                slot.get_or_insert(content);
            }
            // Only the document's title: an `<svg><title>` is a tooltip.
            "title" if self.title.is_none() && parent_is(el, "head") => {
                self.title = non_empty(&collapse(el.text()));
            }
            "h1" if self.h1.is_none() => self.h1 = non_empty(&collapse(el.text())),
            "time" if self.time.is_none() => self.time = e.attr("datetime").and_then(non_empty),
            "link" if self.canonical.is_none() => {
                let canonical = e.attr("rel").is_some_and(|rel| {
                    rel.split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                });
                if canonical {
                    self.canonical = e.attr("href").and_then(non_empty);
                }
            }
            _ => {}
        }
    }
}

fn parent_is(el: ElementRef<'_>, name: &str) -> bool {
    el.parent()
        .and_then(ElementRef::wrap)
        .is_some_and(|p| p.value().name() == name)
}

fn non_empty(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// Text pieces joined with single spaces between words.
fn collapse<'a>(pieces: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for word in pieces.flat_map(str::split_whitespace) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The leading `YYYY-MM-DD`, `YYYY-MM` or `YYYY` of an ISO 8601 date or date-time.
pub(crate) fn iso_date(s: &str) -> Option<String> {
    let s = s.trim().as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        s.get(range)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| d.parse::<u32>().ok())
    };
    let year = digits(0..4)?;
    let month = (s.get(4) == Some(&b'-'))
        .then(|| digits(5..7))
        .flatten()
        .filter(|m| (1..=12).contains(m));
    let day = month
        .and_then(|_| (s.get(7) == Some(&b'-')).then(|| digits(8..10)).flatten())
        .filter(|d| (1..=31).contains(d));
    // A longer run of digits is not a year ("20240301").
    if month.is_none() && s.get(4).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some(match (month, day) {
        (Some(m), Some(d)) => format!("{year:04}-{m:02}-{d:02}"),
        (Some(m), None) => format!("{year:04}-{m:02}"),
        _ => format!("{year:04}"),
    })
}

/// How an element affects the extracted text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Not part of the text, nor anything inside it.
    Dropped,
    /// Separated by a blank line.
    Paragraph,
    /// Starts a new line.
    Line,
    /// `<br>`.
    Break,
    /// A table cell: separated by a space.
    Cell,
    /// `<pre>`: whitespace kept, separated by a blank line.
    Preformatted,
    /// Flows with the surrounding text.
    Inline,
}

fn role(e: &Element) -> Role {
    let name = e.name();
    if DROPPED_ELEMENTS.contains(&name) || is_furniture(e) {
        return Role::Dropped;
    }
    match name {
        "br" => Role::Break,
        "td" | "th" => Role::Cell,
        "pre" => Role::Preformatted,
        _ if PARAGRAPH_ELEMENTS.contains(&name) => Role::Paragraph,
        _ if LINE_ELEMENTS.contains(&name) => Role::Line,
        _ => Role::Inline,
    }
}

/// Page furniture recognised by attributes: hidden, a furniture ARIA role, or a class or id
/// naming furniture (except on the elements that hold the content itself).
fn is_furniture(e: &Element) -> bool {
    if e.attr("hidden").is_some() || e.attr("aria-hidden").is_some_and(|v| v.trim() == "true") {
        return true;
    }
    if e.attr("role").is_some_and(|r| {
        DROPPED_ROLES
            .iter()
            .any(|d| r.trim().eq_ignore_ascii_case(d))
    }) {
        return true;
    }
    if PROTECTED_ELEMENTS.contains(&e.name()) {
        return false;
    }
    [e.attr("class"), e.id()]
        .into_iter()
        .flatten()
        .any(|names| {
            DROPPED_NAMES
                .iter()
                .any(|d| super::decode::find_ignore_case(names.as_bytes(), d.as_bytes()).is_some())
        })
}

/// Whether an element or one of its ancestors is dropped.
fn in_dropped(el: ElementRef<'_>) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .chain(std::iter::once(el))
        .any(|a| role(a.value()) == Role::Dropped)
}

/// The element holding the content: the `<article>` with the most text, else the first
/// `<main>`, else `<body>`, else the whole document.
fn content_root(root: ElementRef<'_>) -> ElementRef<'_> {
    let elements = || root.descendent_elements();
    let best_article = elements()
        .filter(|el| el.value().name() == "article" && !in_dropped(*el))
        .map(|el| (extract_text(el).len(), el))
        .fold(
            None,
            |best: Option<(usize, ElementRef<'_>)>, (len, el)| match best {
                Some((best_len, _)) if best_len >= len => best,
                _ => Some((len, el)),
            },
        );
    if let Some((_, article)) = best_article {
        return article;
    }
    let named = |name: &str| elements().find(|el| el.value().name() == name && !in_dropped(*el));
    named("main").or_else(|| named("body")).unwrap_or(root)
}

/// The text under `root`, following the rules in the module docs.
fn extract_text(root: ElementRef<'_>) -> String {
    let mut w = TextWriter::default();
    // (node, closing): each element is visited when entered and again when left.
    let mut stack = vec![(*root, false)];
    while let Some((node, closing)) = stack.pop() {
        match node.value() {
            Node::Text(text) => w.text(text),
            Node::Element(e) => {
                let role = role(e);
                if closing {
                    w.close(role);
                } else if role != Role::Dropped || node.id() == root.id() {
                    w.open(role);
                    stack.push((node, true));
                    stack.extend(node.children().rev().map(|child| (child, false)));
                }
            }
            _ => {}
        }
    }
    w.out
}

/// The separation owed before the next text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
enum Gap {
    #[default]
    None,
    Space,
    Line,
    Paragraph,
}

/// Builds the extracted text: collapses whitespace and writes the strongest separation owed
/// only when more text follows, so the text has no leading or trailing whitespace.
#[derive(Default)]
struct TextWriter {
    out: String,
    gap: Gap,
    pre_depth: usize,
}

impl TextWriter {
    fn owe(&mut self, gap: Gap) {
        self.gap = self.gap.max(gap);
    }

    fn pay(&mut self) {
        if !self.out.is_empty() {
            self.out.push_str(match self.gap {
                Gap::None => "",
                Gap::Space => " ",
                Gap::Line => "\n",
                Gap::Paragraph => "\n\n",
            });
        }
        self.gap = Gap::None;
    }

    fn open(&mut self, role: Role) {
        match role {
            Role::Paragraph => self.owe(Gap::Paragraph),
            Role::Preformatted => {
                self.owe(Gap::Paragraph);
                self.pre_depth += 1;
            }
            Role::Line => self.owe(Gap::Line),
            // One `<br>` ends a line (replacing a pending space); a second makes a paragraph.
            Role::Break => {
                self.gap = if self.gap < Gap::Line {
                    Gap::Line
                } else {
                    Gap::Paragraph
                };
            }
            Role::Cell => self.owe(Gap::Space),
            Role::Dropped | Role::Inline => {}
        }
    }

    fn close(&mut self, role: Role) {
        match role {
            Role::Paragraph => self.owe(Gap::Paragraph),
            Role::Preformatted => {
                self.owe(Gap::Paragraph);
                self.pre_depth = self.pre_depth.saturating_sub(1);
            }
            Role::Line => self.owe(Gap::Line),
            Role::Cell => self.owe(Gap::Space),
            Role::Break | Role::Dropped | Role::Inline => {}
        }
    }

    fn text(&mut self, text: &str) {
        if self.pre_depth > 0 {
            let text = text.trim_end_matches(['\n', '\r']);
            if !text.is_empty() {
                self.pay();
                self.out.push_str(text);
            }
            return;
        }
        if text.starts_with(char::is_whitespace) {
            self.owe(Gap::Space);
        }
        let mut words = text.split_whitespace();
        if let Some(first) = words.next() {
            self.pay();
            self.out.push_str(first);
            for word in words {
                self.out.push(' ');
                self.out.push_str(word);
            }
            if text.ends_with(char::is_whitespace) {
                self.owe(Gap::Space);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEWS_PAGE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/ingest/news_page.html"
    ));

    #[test]
    fn news_page_keeps_the_article_and_drops_the_furniture() {
        let doc = extract_document(NEWS_PAGE);
        assert_eq!(
            doc.title.as_deref(),
            Some("Joint communiqué on the situation in Côte d’Ivoire")
        );
        assert_eq!(doc.published.as_deref(), Some("2024-03-14"));
        assert_eq!(
            doc.url.as_deref(),
            Some("https://mfa.example.org/press/2024/03/joint-communique-cote-divoire")
        );
        let text = &doc.text;
        assert!(
            text.starts_with("Joint communiqué on the situation in Côte d’Ivoire"),
            "{text}"
        );
        assert!(
            text.contains(
                "The Ministers of Foreign Affairs of Ghana and Côte d’Ivoire met in Accra"
            )
        );
        assert!(
            text.contains("\n\nBoth ministers"),
            "paragraphs kept: {text}"
        );
        assert!(
            text.contains("Accra\nRepublic of Ghana"),
            "<br> is a line break: {text}"
        );
        for furniture in [
            "Home",
            "Regions",
            "Share on",
            "cookies",
            "All rights reserved",
            "Related statements",
            "trackPageView",
            "color:",
            "Subscribe",
            "Leave a comment",
            "You are here",
            "Search",
        ] {
            assert!(
                !text.contains(furniture),
                "{furniture:?} leaked into:\n{text}"
            );
        }
        assert!(!text.contains("  "), "whitespace collapsed: {text:?}");
        assert_eq!(text.trim(), text);
    }

    #[test]
    fn main_then_body_when_there_is_no_article() {
        let doc = extract_document(
            "<html><head><title> Page  title </title></head><body class='has-sidebar'>\
             <div class='menu'>Menu</div><main id='main-nav-anchor'><h1>Statement</h1>\
             <p>Text <b>bold</b>\n and\tmore.</p></main><footer>Foot</footer></body></html>",
        );
        assert_eq!(doc.text, "Statement\n\nText bold and more.");
        assert_eq!(doc.title.as_deref(), Some("Page title"));
        let doc = extract_document("<p>One</p><p>Two<br>three</p><ul><li>a</li><li>b</li></ul>");
        assert_eq!(doc.text, "One\n\nTwo\nthree\n\na\nb");
        assert_eq!(doc.title, None);
    }

    #[test]
    fn title_falls_back_to_h1_and_dates_to_time_and_meta() {
        let doc = extract_document(
            "<svg><title>icon</title></svg><h1>Headline</h1><time datetime='2023-11-02T10:00Z'>\
             2 Nov</time><link rel='canonical' href='https://x.example/a'>",
        );
        assert_eq!(doc.title.as_deref(), Some("Headline"));
        assert_eq!(doc.published.as_deref(), Some("2023-11-02"));
        assert_eq!(doc.url.as_deref(), Some("https://x.example/a"));
        let doc = extract_document("<meta name='DC.date' content='2022-07'><p>x</p>");
        assert_eq!(doc.published.as_deref(), Some("2022-07"));
    }

    #[test]
    fn preformatted_tables_and_hidden_elements() {
        let text = html_to_text(
            "<p>Intro</p><pre>a  b\n  c\n</pre><table><tr><td>x</td><td>y</td></tr>\
             <tr><td>z</td></tr></table><div hidden>secret</div><span aria-hidden='true'>icon</span>",
        );
        assert_eq!(text, "Intro\n\na  b\n  c\n\nx y\nz");
    }

    #[test]
    fn deep_nesting_does_not_overflow_the_stack() {
        let html = format!("{}deep{}", "<div>".repeat(5_000), "</div>".repeat(5_000));
        let handle = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || html_to_text(&html))
            .unwrap();
        assert_eq!(handle.join().unwrap(), "deep");
    }

    #[test]
    fn iso_dates() {
        assert_eq!(
            iso_date("2024-03-14T09:30:00+01:00").as_deref(),
            Some("2024-03-14")
        );
        assert_eq!(iso_date(" 2024-03 ").as_deref(), Some("2024-03"));
        assert_eq!(iso_date("2024").as_deref(), Some("2024"));
        assert_eq!(iso_date("2024-13-01").as_deref(), Some("2024"));
        assert_eq!(iso_date("20240301"), None);
        assert_eq!(iso_date("March 2024"), None);
        assert_eq!(iso_date("2024-é"), Some("2024".into()));
    }
}
