//! Rule terms and communiqué text are folded by one definition (`commwatch_core::fold`): the
//! rules crate's `fold` (terms, and the folded copy `run_tests` gives test cases) and the text
//! crate's (the folded copy the normalizer builds, which the rules stage scans) agree.

use commwatch_text::Normalizer;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Same text, same map, on arbitrary strings (ASCII runs of any length, accents, combining
    /// marks, other scripts, KELVIN SIGN, long s, dotted capital I).
    #[test]
    fn text_and_rules_fold_alike(
        s in "(\\PC{0,8}|[ -~]{0,24}|[\u{300}-\u{36F}İ\u{212A}\u{17F}ẞΣς]{0,3}){0,6}"
    ) {
        let rules = commwatch_rules::fold(&s);
        let text = commwatch_text::fold::fold(&s);
        prop_assert_eq!(&rules.text, &text.text);
        prop_assert_eq!(&rules.map, &text.map);
        prop_assert_eq!(commwatch_text::fold::fold_pattern(&s), rules.text);
    }

    /// The folded copy the normalizer stores is the rules crate's fold of the normalized text.
    #[test]
    fn the_normalizers_folded_copy_is_the_rules_fold(s in "\\PC{0,60}") {
        let normalized = Normalizer::new().normalize(&s);
        let folded = normalized.folded.clone().expect("folded copy");
        prop_assert_eq!(folded, commwatch_rules::fold(&normalized.text));
    }
}
