//! Function words: the small words that may stand in for one another inside a name.
//!
//! Word-spinning sites and machine translations swap the small words inside long names
//! ("Democratic Republic *from* the Congo", "defeat *associated with* Daesh"). Rather than
//! compile every variant of every name, names and text are both scanned in a *canonical* form in
//! which each run of a function word and an optional article is written `of`, with a map back
//! to the folded text. Every word of every document is looked at here, so the lookup is built
//! for the common case, a word that is no function word: two table lookups and no branch.

use std::ops::Range;

use commwatch_core::{OffsetMap, OffsetMapBuilder};

use super::TaggerError;
use crate::fold::fold;
use crate::gazetteer::Gazetteer;
use crate::normalize::Normalizer;
use crate::words::WordList;

/// The function words and articles of a gazetteer ([`WordList::FunctionWords`],
/// [`WordList::Articles`]), folded, and the tables that find them, built once with the tagger.
///
/// Inside a name, any function word (an entry of several words counts as one) matches any
/// other, with or without an article after it.
#[derive(Clone, Debug)]
pub(super) struct FunctionWords {
    /// By byte value, a number for each first byte of a function word (from 1), or 0. At most
    /// 179 bytes start a UTF-8 character, so the numbers fit.
    group: [u8; 256],
    /// By [`group`](Self::group) of a word's first byte and by its second byte (a space or 0
    /// for a one-byte word): bit `n` set when the first word of an entry starts with those bytes
    /// and is `n` bytes long (`n` = 15 for 15 bytes or more).
    shapes: Box<[[u16; 256]]>,
    /// The entries, by group: `entries[by_group[g]]` start with a byte of group `g`.
    entries: Box<[Entry]>,
    by_group: Box<[Range<usize>]>,
    /// The length of the longest first word of an entry.
    longest: usize,
    /// The articles, longest first.
    articles: Box<[Box<[u8]>]>,
}

/// A function word, split at its first space.
#[derive(Clone, Debug)]
struct Entry {
    /// Its first word.
    first: Box<[u8]>,
    /// The rest, with the space before it ("` with`" of "associated with"); empty for a word.
    rest: Box<[u8]>,
}

impl FunctionWords {
    /// Folds the function words and articles of `gazetteer` (normalized first, like text) and
    /// builds the tables.
    pub(super) fn new(
        gazetteer: &Gazetteer,
        normalizer: &Normalizer,
    ) -> Result<FunctionWords, TaggerError> {
        let folded = |list: WordList| {
            gazetteer
                .words(list)
                .iter()
                .map(|word| {
                    let folded = fold(&normalizer.normalize(word).text).text;
                    let folded = folded.trim();
                    if folded.is_empty() {
                        return Err(TaggerError::EmptyWord {
                            list,
                            word: word.clone(),
                        });
                    }
                    Ok(Box::<[u8]>::from(folded.as_bytes()))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let mut entries: Vec<Entry> = folded(WordList::FunctionWords)?
            .into_iter()
            .map(|word| {
                let split = first_word(&word).len();
                Entry {
                    first: word[..split].into(),
                    rest: word[split..].into(),
                }
            })
            .collect();
        let mut group = [0u8; 256];
        let mut groups = 1;
        for entry in &entries {
            let b = usize::from(entry.first[0]);
            if group[b] == 0 {
                // See `group`: fewer than 256 groups.
                group[b] = groups as u8;
                groups += 1;
            }
        }
        let mut shapes = vec![[0u16; 256]; groups].into_boxed_slice();
        for entry in &entries {
            let row = &mut shapes[usize::from(group[usize::from(entry.first[0])])];
            let len = entry.first.len();
            match entry.first.get(1) {
                Some(&second) => row[usize::from(second)] |= 1 << len.min(15),
                // A one-byte word is followed by a space or by the end of the text.
                None => {
                    row[usize::from(b' ')] |= 1 << 1;
                    row[0] |= 1 << 1;
                }
            }
        }
        entries.sort_by_key(|e| group[usize::from(e.first[0])]);
        let mut by_group = Vec::with_capacity(groups);
        let mut start = 0;
        for g in 0..groups {
            let end = start
                + entries[start..]
                    .iter()
                    .take_while(|e| usize::from(group[usize::from(e.first[0])]) == g)
                    .count();
            by_group.push(start..end);
            start = end;
        }
        let longest = entries.iter().map(|e| e.first.len()).max().unwrap_or(0);
        let mut articles = folded(WordList::Articles)?;
        articles.sort_by_key(|a| std::cmp::Reverse(a.len()));
        Ok(FunctionWords {
            group,
            shapes,
            entries: entries.into(),
            by_group: by_group.into(),
            longest,
            articles: articles.into(),
        })
    }

    /// Rewrites every run of a function word with an optional article after it as `of`, on whole
    /// space-separated words of a folded text. Names and text are both canonicalized, so names
    /// match whatever function words the text uses.
    pub(super) fn canonicalize(&self, folded: &str) -> Canonical {
        let bytes = folded.as_bytes();
        // English prose has a run to rewrite every 50 bytes or so, and two segments per run.
        let runs = folded.len() / 48 + 1;
        let mut rewriter = Rewriter {
            words: self,
            folded,
            out: String::with_capacity(folded.len()),
            map: OffsetMapBuilder::with_capacity(2 * runs + 1),
            runs: Vec::with_capacity(runs),
            copied_from: 0,
        };
        // Words start at 0 and after every space; a run of function words covers whole words, and
        // the word after it starts after the space that ends it.
        let mut word_start = 0;
        // Per 64 bytes: the words that may be function words, gathered without a branch per word
        // (which would be mispredicted for one word in seven), then rewritten in order.
        let mut candidates = [(0, 0); 64];
        for (index, chunk) in bytes.chunks(64).enumerate() {
            let mut spaces = match <&[u8; 64]>::try_from(chunk) {
                Ok(full) => space_mask(full),
                Err(_) => chunk
                    .iter()
                    .enumerate()
                    .fold(0, |m, (k, &b)| m | (u64::from(b == b' ') << k)),
            };
            let mut found = 0;
            while spaces != 0 {
                let space = index * 64 + spaces.trailing_zeros() as usize;
                spaces &= spaces - 1;
                candidates[found] = (word_start, space);
                found += usize::from(self.may_be_function_word(bytes, word_start, space));
                word_start = space + 1;
            }
            for &(at, word_end) in &candidates[..found] {
                rewriter.word(at, word_end);
            }
        }
        if word_start < bytes.len() && self.may_be_function_word(bytes, word_start, bytes.len()) {
            rewriter.word(word_start, bytes.len());
        }
        rewriter.finish()
    }

    /// False when the word `text[at..word_end]` cannot start a run of function words: its first
    /// two bytes and its length are those of no entry's first word. Two table lookups and no
    /// branch, so that the many words that are no function word cost next to nothing.
    #[inline]
    fn may_be_function_word(&self, text: &[u8], at: usize, word_end: usize) -> bool {
        let len = word_end - at;
        let group = self.group[usize::from(text[at])];
        // A one-byte word has a space after it, or nothing (0).
        let second = text.get(at + 1).copied().unwrap_or(0);
        self.shapes[usize::from(group)][usize::from(second)] >> len.min(15) & 1 != 0
    }

    /// The end of the run "function word \[article\]" starting at word start `at`, if one
    /// starts there: the longest entry that the text has there, whole words, and after it the
    /// longest article that a space and something more follow.
    #[inline]
    pub(super) fn function_run(&self, text: &str, at: usize) -> Option<usize> {
        let rest = text.as_bytes().get(at..)?;
        // A longer word is no function word: look no further.
        let word = first_word(&rest[..rest.len().min(self.longest + 1)]);
        self.function_run_at(text, at, at + word.len())
    }

    /// [`function_run`](Self::function_run) for the word `text[at..word_end]` (`word_end` is
    /// the next space or the end of the text).
    #[inline]
    fn function_run_at(&self, text: &str, at: usize, word_end: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        let word = &bytes[at..word_end];
        let group = self.group[usize::from(*word.first()?)];
        let mut end = None;
        for entry in &self.entries[self.by_group[usize::from(group)].clone()] {
            if !same_bytes(&entry.first, word) {
                continue;
            }
            let entry_end = word_end + entry.rest.len();
            if bytes
                .get(word_end..entry_end)
                .is_some_and(|rest| same_bytes(rest, &entry.rest))
                && matches!(bytes.get(entry_end), None | Some(b' '))
            {
                end = end.max(Some(entry_end));
            }
        }
        let end = end?;
        // An article after it, itself followed by a space and something more.
        if bytes.get(end) != Some(&b' ') {
            return Some(end);
        }
        let start = end + 1;
        let after = self.articles.iter().find_map(|article| {
            let e = start + article.len();
            let starts_with = bytes
                .get(start..e)
                .is_some_and(|text| same_bytes(text, article));
            (starts_with && bytes.get(e) == Some(&b' ') && e + 1 < bytes.len()).then_some(e)
        });
        Some(after.unwrap_or(end))
    }

    /// Calls `f` with each word of a name or matched text (split at spaces) that is not a function
    /// word or its article. `folded` is a buffer for the folded text.
    pub(super) fn for_each_content_word<'t>(
        &self,
        text: &'t str,
        folded: &mut String,
        mut f: impl FnMut(&'t str),
    ) {
        // Folding works character by character and never makes or removes a space, so the folded
        // text splits into the folded words, in order.
        folded.clear();
        if text.is_ascii() {
            folded.push_str(text);
            folded.make_ascii_lowercase();
        } else {
            folded.push_str(&fold(text).text);
        }
        let mut offset = 0;
        let mut run_end = None;
        for (word, folded_word) in text.split(' ').zip(folded.split(' ')) {
            let covered = run_end.is_some_and(|end| offset < end);
            if !covered {
                run_end = self.function_run(folded, offset);
                if run_end.is_none() {
                    f(word);
                }
            }
            offset += folded_word.len() + 1;
        }
    }
}

/// A folded text with its function words collapsed, and the map back to the folded text.
pub(super) struct Canonical {
    pub(super) text: String,
    /// Maps canonical offsets ("normalized" side) to folded offsets ("raw" side).
    pub(super) map: OffsetMap,
    /// Where each rewritten run (an `of` standing for other words) starts in `text`, in order.
    pub(super) runs: Vec<usize>,
}

/// The output of [`FunctionWords::canonicalize`] as it is written.
struct Rewriter<'a> {
    words: &'a FunctionWords,
    folded: &'a str,
    out: String,
    map: OffsetMapBuilder,
    /// [`Canonical::runs`].
    runs: Vec<usize>,
    /// `folded[..copied_from]` has been written.
    copied_from: usize,
}

impl Rewriter<'_> {
    /// Rewrites the run of function words that starts at word `folded[at..word_end]`, if one
    /// does and it is not inside the previous run. Out of line, so that the loop over every
    /// word stays small.
    #[inline(never)]
    fn word(&mut self, at: usize, word_end: usize) {
        if at < self.copied_from {
            return;
        }
        match self.words.function_run_at(self.folded, at, word_end) {
            // A lone "of" stays as it is: nothing to rewrite.
            Some(end) if &self.folded.as_bytes()[at..end] == b"of" => {}
            Some(end) => {
                self.out.push_str(&self.folded[self.copied_from..at]);
                self.map.copied(at - self.copied_from);
                self.map.replaced(end - at, 2);
                self.runs.push(self.out.len());
                self.out.push_str("of");
                self.copied_from = end;
            }
            None => {}
        }
    }

    fn finish(mut self) -> Canonical {
        self.out.push_str(&self.folded[self.copied_from..]);
        self.map.copied(self.folded.len() - self.copied_from);
        Canonical {
            text: self.out,
            map: self.map.finish(),
            runs: self.runs,
        }
    }
}

/// Bit `k` set when `chunk[k]` is a space.
#[inline]
fn space_mask(chunk: &[u8; 64]) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut mask = 0;
    for (k, word) in chunk.chunks_exact(8).enumerate() {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(word);
        // Bytes equal to a space become zero; the high bit of each byte of `zero` is set exactly
        // for those ("Bit Twiddling Hacks"); the multiplication gathers the eight bits.
        let x = u64::from_le_bytes(bytes) ^ 0x2020_2020_2020_2020;
        let zero = !(((x & LOW7) + LOW7) | x | LOW7);
        let bits = ((zero >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        mask |= bits << (8 * k);
    }
    mask
}

/// `a == b`, for the short words compared here: a loop, where `==` would call `memcmp` (which
/// made the scan half again as slow).
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// The bytes of `text` up to its first space (all of it when there is none).
fn first_word(text: &[u8]) -> &[u8] {
    // Words are short: a plain loop beats setting up a vectorized search.
    let len = text.iter().position(|&b| b == b' ').unwrap_or(text.len());
    &text[..len]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    /// Words a user file adds in [`extended`]: a phrase sharing a first word with a bundled
    /// entry, a one-letter function word, a word folded from diacritics, a two-word article.
    const ADDED: &str = r#"
[function_words]
words = ["in respect of", "à", "Über", "versus"]
[articles]
words = ["this", "the said"]
"#;

    /// The bundled lists, compiled.
    fn bundled() -> &'static FunctionWords {
        static WORDS: OnceLock<FunctionWords> = OnceLock::new();
        WORDS.get_or_init(|| compile(&Gazetteer::default()))
    }

    /// The bundled lists and [`ADDED`], compiled.
    fn extended() -> &'static FunctionWords {
        static WORDS: OnceLock<FunctionWords> = OnceLock::new();
        WORDS.get_or_init(|| match Gazetteer::from_toml_str(ADDED, "added.toml") {
            Ok(g) => compile(&g),
            Err(e) => panic!("{e}"),
        })
    }

    fn compile(gazetteer: &Gazetteer) -> FunctionWords {
        match FunctionWords::new(gazetteer, &Normalizer::new()) {
            Ok(words) => words,
            Err(e) => panic!("{e}"),
        }
    }

    /// The folded entries of a list, as the definition reads them.
    fn folded(gazetteer: &Gazetteer, list: WordList) -> Vec<String> {
        gazetteer.words(list).iter().map(|w| fold(w).text).collect()
    }

    #[test]
    fn collapses_function_words_and_articles() {
        let c = |s: &str| bundled().canonicalize(s).text;
        assert_eq!(
            c("democratic republic from the congo"),
            "democratic republic of congo"
        );
        assert_eq!(c("defeat associated with daesh"), "defeat of daesh");
        // "particular" is no article ("the particular Sahel" is a word-spinner's "the Sahel").
        assert_eq!(
            c("coalition for the particular sahel"),
            "coalition of particular sahel"
        );
        assert_eq!(c("of"), "of");
        assert_eq!(c("the end of the"), "the end of the");
        assert_eq!(c("often info ofx"), "often info ofx");
        // Added words: phrases, one letter, folded, articles of two words.
        let c = |s: &str| extended().canonicalize(s).text;
        assert_eq!(c("rights in respect of the sahel"), "rights of sahel");
        assert_eq!(c("rights in the sahel"), "rights of sahel");
        assert_eq!(c("coalition uber this sahel"), "coalition of sahel");
        assert_eq!(c("coalition a the said sahel"), "coalition of sahel");
        assert_eq!(c("a"), "of");
    }

    #[test]
    fn rejects_words_empty_once_normalized() -> Result<(), String> {
        let g = Gazetteer::from_toml_str("[articles]\nwords = [\"\u{200B}\"]\n", "t.toml")
            .map_err(|e| e.to_string())?;
        let e = FunctionWords::new(&g, &Normalizer::new())
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert_eq!(
            e,
            Err("[articles] \"\\u{200b}\" is empty once normalized".into())
        );
        Ok(())
    }

    /// The end of `words` if the text at `at` is exactly those words, ending at a word end.
    fn words_at(text: &str, at: usize, words: &str) -> Option<usize> {
        let rest = text.get(at..)?;
        let end = at + words.len();
        (rest.starts_with(words) && matches!(text.as_bytes().get(end), None | Some(b' ')))
            .then_some(end)
    }

    /// [`FunctionWords::function_run`] by its definition: the longest entry of `words` at `at`,
    /// then the longest of `articles` that a space and something more follow.
    fn function_run_reference(
        words: &[String],
        articles: &[String],
        text: &str,
        at: usize,
    ) -> Option<usize> {
        let end = words.iter().filter_map(|w| words_at(text, at, w)).max()?;
        let after = (text.as_bytes().get(end) == Some(&b' '))
            .then(|| {
                articles
                    .iter()
                    .filter_map(|a| words_at(text, end + 1, a))
                    .filter(|&e| e + 1 < text.len())
                    .max()
            })
            .flatten();
        Some(after.unwrap_or(end))
    }

    /// [`FunctionWords::canonicalize`] by its definition: every word of the text tried with
    /// [`function_run_reference`].
    fn canonicalize_reference(gazetteer: &Gazetteer, folded: &str) -> Canonical {
        let words = self::folded(gazetteer, WordList::FunctionWords);
        let articles = self::folded(gazetteer, WordList::Articles);
        let mut out = String::new();
        let mut map = OffsetMapBuilder::new();
        let mut copied_from = 0;
        let mut at = 0;
        while at < folded.len() {
            let word_end = folded[at..].find(' ').map_or(folded.len(), |i| at + i);
            if at >= copied_from
                && let Some(end) = function_run_reference(&words, &articles, folded, at)
            {
                out.push_str(&folded[copied_from..at]);
                map.copied(at - copied_from);
                if &folded[at..end] == "of" {
                    map.copied(2);
                } else {
                    map.replaced(end - at, 2);
                }
                out.push_str("of");
                copied_from = end;
            }
            at = word_end + 1;
        }
        out.push_str(&folded[copied_from..]);
        map.copied(folded.len() - copied_from);
        let map = map.finish();
        // Inside a rewritten run, offsets map to the run's start; elsewhere they step by one.
        let runs = (0..out.len().saturating_sub(1))
            .filter(|&p| map.to_raw_start(p + 1) == map.to_raw_start(p))
            .collect();
        Canonical {
            text: out,
            map,
            runs,
        }
    }

    /// Words of folded text: every function word and article, bundled or added, and near
    /// misses.
    fn word() -> impl Strategy<Value = String> {
        let added = match Gazetteer::from_toml_str(ADDED, "added.toml") {
            Ok(g) => g,
            Err(e) => panic!("{e}"),
        };
        let mut lists = folded(&added, WordList::FunctionWords);
        lists.extend(folded(&added, WordList::Articles));
        prop_oneof![
            prop::sample::select(lists),
            prop::sample::select(vec![
                "of",
                "off",
                "o",
                "wit",
                "withins",
                "regardin",
                "toward s",
                "",
                "é",
                "ün",
                "associated",
                "contrary",
                "the",
                "thé",
                "congo",
                "a a",
                "x",
                "in respect",
                "this",
                "the said",
                "respect of",
            ])
            .prop_map(str::to_owned),
            "[a-z]{1,12}",
        ]
    }

    proptest! {
        /// The word-at-a-time canonicalization equals the definition: every word tried, with
        /// the bundled lists and with words added.
        #[test]
        fn canonicalize_matches_its_definition(
            words in prop::collection::vec(word(), 0..40),
            separators in prop::collection::vec(
                prop::sample::select(vec![" ", " ", " ", "  ", "-"]),
                40,
            ),
            added in any::<bool>(),
        ) {
            let text: String = words
                .iter()
                .zip(&separators)
                .flat_map(|(w, s)| [w.as_str(), s])
                .collect();
            let (compiled, gazetteer) = if added {
                (extended(), Gazetteer::from_toml_str(ADDED, "added.toml").map_err(|e| TestCaseError::fail(e.to_string()))?)
            } else {
                (bundled(), Gazetteer::default())
            };
            let fast = compiled.canonicalize(&text);
            let reference = canonicalize_reference(&gazetteer, &text);
            prop_assert_eq!(&fast.text, &reference.text);
            prop_assert_eq!(&fast.map, &reference.map);
            prop_assert_eq!(&fast.runs, &reference.runs);
        }

        /// The canonical text maps onto the whole folded text, word for word.
        #[test]
        fn canonical_maps_onto_the_folded_text(s in "[a-z ]{0,40}|((of|the|in|a|x|associated|with) ){0,8}") {
            let c = bundled().canonicalize(&s);
            prop_assert_eq!(c.map.norm_len(), c.text.len());
            prop_assert_eq!(c.map.raw_len(), s.len());
            prop_assert!(c.text.len() <= s.len());
            // Words other than function words and articles survive, in order.
            let gazetteer = Gazetteer::default();
            let lists = [WordList::FunctionWords, WordList::Articles];
            let small: Vec<String> = lists
                .iter()
                .flat_map(|&l| folded(&gazetteer, l))
                .flat_map(|w| w.split(' ').map(str::to_owned).collect::<Vec<_>>())
                .collect();
            let kept = |t: &str| t.split(' ').filter(|w| !w.is_empty() && !small.iter().any(|s| s == w)).map(str::to_owned).collect::<Vec<_>>();
            prop_assert_eq!(kept(&c.text), kept(&s));
        }
    }
}
