//! Why a rule file was rejected.
//!
//! Rule files are written by analysts, not programmers, so every error says where to look: the
//! file (its *origin*), the rule's position and id, and the field at fault. A set with one bad rule
//! is rejected as a whole: running half a rule pack silently would hide alerts.

/// A rule file that could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// The rule file could not be read.
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
    /// One rule breaks a rule of the format (a bad id, an unknown severity, an empty phrase, …).
    #[error("{origin}: rule #{index} (id {id:?}), field `{field}`: {problem}")]
    Invalid {
        /// Where the text came from.
        origin: String,
        /// The rule's position in the file, counting `[[rule]]` tables from 1.
        index: usize,
        /// The rule's id as written.
        id: String,
        /// The field at fault, with an element index for lists (`any[2]`).
        field: String,
        /// What is wrong and, where it helps, what is allowed.
        problem: String,
    },
    /// The automaton for all phrases could not be built (in practice: far too many phrases).
    #[error("{origin}: cannot compile the rule phrases: {source}")]
    Automaton {
        /// Where the text came from.
        origin: String,
        /// The automaton builder's error.
        source: aho_corasick::BuildError,
    },
}
