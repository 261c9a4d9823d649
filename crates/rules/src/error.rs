//! Why a rule file (or a rule test file) was rejected.
//!
//! Rule files are written by analysts, not programmers, so every error says where to look: the
//! file (its *origin*), the rule's position and id, and the field at fault; a query that does not
//! parse is shown with its line and a caret under the column. A set with one bad rule is rejected
//! as a whole: running half a rule pack silently would hide alerts.

/// A rule file or rule test file that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// The file could not be read.
    #[error("{origin}: cannot read rule file: {source}")]
    Read {
        /// The path that was read.
        origin: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The text is not TOML, or not shaped like a rule file (an unknown field, a missing `id`, a
    /// number where a string belongs). toml's message gives the line and column.
    #[error("{origin}: {source}")]
    Parse {
        /// Where the text came from.
        origin: String,
        /// toml's error.
        source: toml::de::Error,
    },
    /// One rule breaks a rule of the format (a bad id, an unknown severity, a bad template, …).
    #[error("{origin}: rule #{index} (id {id:?}), field `{field}`: {problem}")]
    Invalid {
        /// Where the text came from.
        origin: String,
        /// The rule's position in the file, counting `[[rule]]` tables from 1.
        index: usize,
        /// The rule's id as written.
        id: String,
        /// The field at fault (`severity`, `labels.country`, `scope`).
        field: String,
        /// What is wrong and, where it helps, what is allowed.
        problem: String,
    },
    /// A rule's query does not parse. Displayed as
    /// `file:line:column: rule "id": message`, then the file's line and a caret under the column.
    #[error(
        "{origin}:{line}:{column}: rule {id:?}: {message}\n    {line_text}\n    {pad}^",
        pad = caret_padding(.line_text, *.column)
    )]
    Query {
        /// Where the text came from.
        origin: String,
        /// 1-based line in the file.
        line: usize,
        /// 1-based column (in characters) in that line.
        column: usize,
        /// The rule's id.
        id: String,
        /// What is wrong.
        message: String,
        /// The text of that line of the file.
        line_text: String,
    },
    /// The automaton for all terms could not be built (in practice: far too many terms).
    #[error("{origin}: cannot compile the rule terms: {source}")]
    Automaton {
        /// Where the text came from.
        origin: String,
        /// The automaton builder's error.
        source: aho_corasick::BuildError,
    },
    /// A case of a rule test file is malformed (an unknown rule id, an entity whose text is not
    /// in the case's text, …).
    #[error("{origin}: case {case:?}: {problem}")]
    Test {
        /// Where the test file came from.
        origin: String,
        /// The case's name (or `#N` when it has none).
        case: String,
        /// What is wrong.
        problem: String,
    },
}

/// Whitespace that puts a caret under `column` (1-based) of `line`, keeping tabs as tabs.
fn caret_padding(line: &str, column: usize) -> String {
    line.chars()
        .take(column.saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect()
}
