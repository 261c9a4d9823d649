//! Folding of rule terms. The fold itself is [`commwatch_core::fold`], the one the normalization
//! stage builds a communiqué's folded copy with
//! ([`Communique::folded`](commwatch_core::Communique::folded)): rule terms are folded once, when
//! the rule set is compiled, and compared byte for byte with that copy. [`fold`] is also what
//! [`run_tests`](crate::run_tests) uses to give test cases the folded copy a pipeline would.

pub use commwatch_core::fold::fold;

/// Folds a rule term for the automaton: [`fold`], then every run of whitespace becomes one space
/// and the ends are trimmed (the normalizer collapses whitespace in the text the same way).
pub(crate) fn fold_term(term: &str) -> String {
    let folded = fold(term).text;
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_like_the_text_crate() {
        assert_eq!(fold("Moçambique").text, "mocambique");
        assert_eq!(fold("CÔTE D'IVOIRE").text, "cote d'ivoire");
        assert_eq!(fold("Türkiye").text, "turkiye");
        assert_eq!(fold("İstanbul").text, "istanbul");
        let f = fold("Moçambique x");
        assert_eq!(f.map.to_raw_range(0, 10), (0, 11));
    }

    #[test]
    fn terms_collapse_whitespace() {
        assert_eq!(fold_term("  New\t Members "), "new members");
        assert_eq!(fold_term(" Côte\u{a0}D’IVOIRE "), "cote d’ivoire");
    }
}
