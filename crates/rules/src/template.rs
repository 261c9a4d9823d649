//! Alert summary templates.
//!
//! A summary is the one line an analyst reads first, so it is written in the rule file with
//! placeholders rather than built in code. Templates are parsed once when the rule loads: a typo in
//! a placeholder is a load error, not a literal `{entites}` in every alert, and static labels are
//! substituted right then, leaving only the per-event values for [`Template::render`].

use std::collections::BTreeMap;

/// Placeholders filled from the event. Static label names may not shadow them.
pub(crate) const BUILTIN_PLACEHOLDERS: [&str; 4] = ["entities", "entity_ids", "phrase", "title"];

/// A parsed summary template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Template {
    pieces: Vec<Piece>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Piece {
    Text(String),
    Entities,
    EntityIds,
    Phrase,
    Title,
}

/// The per-event values a template may refer to.
pub(crate) struct Values<'a> {
    /// Labels of the qualifying entities, in text order, deduplicated.
    pub(crate) entities: &'a [&'a str],
    /// Sorted, deduplicated, comma-joined canonical ids.
    pub(crate) entity_ids: &'a str,
    /// The raw text of the first qualifying phrase hit.
    pub(crate) phrase: &'a str,
    /// The event title, or its id when it has none.
    pub(crate) title: &'a str,
}

impl Template {
    /// Parses `src`. `{{` and `}}` stand for literal braces; `{name}` is a placeholder: one of
    /// [`BUILTIN_PLACEHOLDERS`] (`entities` and `entity_ids` only when `has_entity`) or a key of
    /// `labels`, whose value is substituted now. The error is a message for the `summary` field.
    pub(crate) fn parse(
        src: &str,
        labels: &BTreeMap<String, String>,
        has_entity: bool,
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
            let piece = match name {
                "entities" | "entity_ids" if !has_entity => {
                    return Err(format!("placeholder {{{name}}} needs `entity` to be set"));
                }
                "entities" => Piece::Entities,
                "entity_ids" => Piece::EntityIds,
                "phrase" => Piece::Phrase,
                "title" => Piece::Title,
                _ => match labels.get(name) {
                    Some(value) => {
                        text.push_str(value);
                        continue;
                    }
                    None => return Err(unknown_placeholder(name, labels, has_entity)),
                },
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
                Piece::Entities => {
                    for (i, label) in values.entities.iter().enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        out.push_str(label);
                    }
                }
                Piece::EntityIds => out.push_str(values.entity_ids),
                Piece::Phrase => out.push_str(values.phrase),
                Piece::Title => out.push_str(values.title),
            }
        }
        out
    }
}

fn unknown_placeholder(name: &str, labels: &BTreeMap<String, String>, has_entity: bool) -> String {
    let known: Vec<String> = BUILTIN_PLACEHOLDERS
        .iter()
        .filter(|b| has_entity || !b.starts_with("entit"))
        .map(|b| format!("{{{b}}}"))
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

    fn values<'a>(entities: &'a [&'a str]) -> Values<'a> {
        Values {
            entities,
            entity_ids: "CD,MR",
            phrase: "New members",
            title: "Doc",
        }
    }

    #[test]
    fn renders_builtins_labels_and_escaped_braces() {
        let t = Template::parse(
            "[{category}] {title}: {phrase} — {entities} ({entity_ids}) {{x}}",
            &labels(),
            true,
        )
        .unwrap();
        let entities = ["Mauritania", "Democratic Republic of the Congo"];
        assert_eq!(
            t.render(&values(&entities)),
            "[accession] Doc: New members — Mauritania, Democratic Republic of the Congo (CD,MR) {x}"
        );
    }

    #[test]
    fn static_labels_are_substituted_at_parse_time() {
        let t = Template::parse("a {category} b", &labels(), false).unwrap();
        assert_eq!(t.pieces, vec![Piece::Text("a accession b".into())]);
    }

    #[test]
    fn rejects_bad_templates() {
        let err = |src: &str, has_entity| Template::parse(src, &labels(), has_entity).unwrap_err();
        assert_eq!(
            err("{countries}", true),
            "unknown placeholder {countries}; known: {entities}, {entity_ids}, {phrase}, {title}, {category}"
        );
        assert_eq!(
            err("{countries}", false),
            "unknown placeholder {countries}; known: {phrase}, {title}, {category}"
        );
        assert_eq!(
            err("{entities}", false),
            "placeholder {entities} needs `entity` to be set"
        );
        assert!(err("oops {title", true).starts_with("unclosed `{`"));
        assert!(err("oops } here", true).starts_with("unmatched `}`"));
    }
}
