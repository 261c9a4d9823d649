//! Alert summary templates.
//!
//! A summary is the one line an analyst reads first, so it is written in the rule file with
//! placeholders rather than built in code. Templates are parsed once when the rule loads: a typo in
//! a placeholder is a load error, not a literal `{entites}` in every alert, and static labels are
//! substituted right then, leaving only the per-event values for [`Template::render`].

use std::collections::BTreeMap;

/// Placeholder names filled from the event; static labels may not use them (nor `entities:…`).
pub(crate) const RESERVED: [&str; 2] = ["title", "phrase"];

/// A parsed summary template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Template {
    pieces: Vec<Piece>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Title,
    Phrase,
    /// `{entities:KIND}`
    Entities(String),
    /// `{KIND}`: a label computed from the entities of a kind the query refers to.
    Label(String),
}

/// The per-event values a template may refer to.
pub(crate) struct Values<'a> {
    /// The event title, or its id when it has none.
    pub(crate) title: &'a str,
    /// The raw text of the first phrase hit of the evidence.
    pub(crate) phrase: &'a str,
    /// The alert's labels (static and computed).
    pub(crate) labels: &'a BTreeMap<String, String>,
    /// For a kind: the labels of the matched entities, in text order, one per id, joined by `, `.
    pub(crate) entities: &'a dyn Fn(&str) -> String,
}

impl Template {
    /// Parses `src`. `{{` and `}}` stand for literal braces; `{name}` is `{title}`, `{phrase}`,
    /// `{entities:KIND}` or `{KIND}` for a kind in `kinds` (the kinds whose ids become labels), or
    /// a static label, substituted now. The error is a message for the `summary` field.
    pub(crate) fn parse(
        src: &str,
        labels: &BTreeMap<String, String>,
        kinds: &[String],
    ) -> Result<Template, String> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut rest = src;
        while let Some(at) = rest.find(['{', '}']) {
            text.push_str(&rest[..at]);
            let (brace, after) = rest[at..].split_at(1);
            if let Some(after_double) = after.strip_prefix(brace) {
                text.push_str(brace);
                rest = after_double;
                continue;
            }
            if brace == "}" {
                return Err("unmatched `}`; write `}}` for a literal brace".to_string());
            }
            let Some(close) = after.find('}') else {
                return Err("unclosed `{`; write `{{` for a literal brace".to_string());
            };
            let name = &after[..close];
            rest = &after[close + 1..];
            let piece = if name == "title" {
                Piece::Title
            } else if name == "phrase" {
                Piece::Phrase
            } else if let Some(kind) = name.strip_prefix("entities:") {
                if !kinds.iter().any(|k| k == kind) {
                    return Err(format!(
                        "placeholder {{{name}}} needs the query to refer to @{kind} (outside NOT)"
                    ));
                }
                Piece::Entities(kind.to_string())
            } else if kinds.iter().any(|k| k == name) {
                Piece::Label(name.to_string())
            } else if let Some(value) = labels.get(name) {
                text.push_str(value);
                continue;
            } else {
                return Err(unknown_placeholder(name, labels, kinds));
            };
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(piece);
        }
        text.push_str(rest);
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Template { pieces })
    }

    /// Fills in the per-event values.
    pub(crate) fn render(&self, values: &Values<'_>) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Title => out.push_str(values.title),
                Piece::Phrase => out.push_str(values.phrase),
                Piece::Entities(kind) => out.push_str(&(values.entities)(kind)),
                Piece::Label(name) => {
                    out.push_str(values.labels.get(name).map_or("", String::as_str))
                }
            }
        }
        out
    }
}

fn unknown_placeholder(name: &str, labels: &BTreeMap<String, String>, kinds: &[String]) -> String {
    let known: Vec<String> = RESERVED
        .iter()
        .map(|b| format!("{{{b}}}"))
        .chain(kinds.iter().map(|k| format!("{{{k}}}, {{entities:{k}}}")))
        .chain(labels.keys().map(|k| format!("{{{k}}}")))
        .collect();
    format!(
        "unknown placeholder {{{name}}}; known: {}",
        known.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> BTreeMap<String, String> {
        BTreeMap::from([("category".to_string(), "accession".to_string())])
    }

    fn kinds() -> Vec<String> {
        vec!["country".to_string()]
    }

    #[test]
    fn renders_builtins_labels_and_escaped_braces() {
        let t = Template::parse(
            "[{category}] {title}: {phrase} — {entities:country} ({country}) {{x}}",
            &labels(),
            &kinds(),
        )
        .unwrap();
        let computed = BTreeMap::from([("country".to_string(), "CD,MR".to_string())]);
        let entities = |kind: &str| format!("labels of {kind}");
        let values = Values {
            title: "Doc",
            phrase: "New members",
            labels: &computed,
            entities: &entities,
        };
        assert_eq!(
            t.render(&values),
            "[accession] Doc: New members — labels of country (CD,MR) {x}"
        );
    }

    #[test]
    fn static_labels_are_substituted_at_parse_time() {
        let t = Template::parse("a {category} b", &labels(), &[]).unwrap();
        assert_eq!(t.pieces, vec![Piece::Text("a accession b".into())]);
    }

    #[test]
    fn rejects_bad_templates() {
        let err = |src: &str, kinds: &[String]| Template::parse(src, &labels(), kinds).unwrap_err();
        assert_eq!(
            err("{countries}", &kinds()),
            "unknown placeholder {countries}; known: {title}, {phrase}, {country}, \
             {entities:country}, {category}"
        );
        assert_eq!(
            err("{entities:group}", &kinds()),
            "placeholder {entities:group} needs the query to refer to @group (outside NOT)"
        );
        assert!(err("oops {title", &[]).starts_with("unclosed `{`"));
        assert!(err("oops } here", &[]).starts_with("unmatched `}`"));
    }
}
