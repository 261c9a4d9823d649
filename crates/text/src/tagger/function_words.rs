//! Function words: the small words that may stand in for one another inside a name.
//!
//! Word-spinning sites and machine translations swap the small words inside long names
//! ("Democratic Republic *from* the Congo", "defeat *associated with* Daesh"). Rather than
//! compile every variant of every name, names and text are both scanned in a *canonical* form in
//! which each run of a function word and an optional article is written `of`, with a map back
//! to the folded text. Every word of every document is looked at here, so the lookup is built
//! for the common case, a word that is no function word: two table lookups and no branch.

use commwatch_core::{OffsetMap, OffsetMapBuilder};

use crate::fold::fold;

/// The function words that may stand in for one another inside a name, as folded words.
///
/// Word-spinning sites and machine translations swap the small words inside long names
/// ("Democratic Republic *from* the Congo", "Islamic State *within* Iraq and Syria", "defeat
/// *associated with* Daesh"). Inside a name, any of these (a multi-word entry counts as one)
/// matches any other, with or without an article after it (see [`ARTICLES`]).
pub const FUNCTION_WORDS: [&str; 23] = [
    "of",
    "from",
    "for",
    "in",
    "on",
    "to",
    "at",
    "with",
    "by",
    "within",
    "into",
    "among",
    "over",
    "across",
    "regarding",
    "against",
    "upon",
    "towards",
    "toward",
    "through",
    "under",
    "associated with",
    "contrary to",
];

/// Articles that may follow a function word, or be missing, inside a name ("Republic of Congo",
/// "Coalition for the particular Sahel").
pub const ARTICLES: [&str; 4] = ["the particular", "the", "an", "a"];

/// A folded text with its function words collapsed, and the map back to the folded text.
pub(super) struct Canonical {
    pub(super) text: String,
    /// Maps canonical offsets ("normalized" side) to folded offsets ("raw" side).
    pub(super) map: OffsetMap,
    /// Where each rewritten run (an `of` standing for other words) starts in `text`, in order.
    pub(super) runs: Vec<usize>,
}

/// Rewrites every run of a function word (see [`FUNCTION_WORDS`]) with an optional article
/// after it (see [`ARTICLES`]) as `of`, on whole space-separated words of a folded text. Names
/// and text are both canonicalized, so names match whatever function words the text uses.
pub(super) fn canonicalize(folded: &str) -> Canonical {
    let bytes = folded.as_bytes();
    // English prose has a run to rewrite every 50 bytes or so, and two segments per run.
    let runs = folded.len() / 48 + 1;
    let mut rewriter = Rewriter {
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
            found += usize::from(may_be_function_word(bytes, word_start, space));
            word_start = space + 1;
        }
        for &(at, word_end) in &candidates[..found] {
            rewriter.word(at, word_end);
        }
    }
    if word_start < bytes.len() && may_be_function_word(bytes, word_start, bytes.len()) {
        rewriter.word(word_start, bytes.len());
    }
    rewriter.finish()
}

/// The output of [`canonicalize`] as it is written.
struct Rewriter<'a> {
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
        match function_run_at(self.folded, at, word_end) {
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

/// False when the word `text[at..word_end]` cannot start a run of function words: its first two
/// bytes and its length are those of no [`FUNCTION_WORDS`] entry's first word. Two table lookups
/// and no branch, so that the many words that are no function word cost next to nothing.
#[inline]
fn may_be_function_word(text: &[u8], at: usize, word_end: usize) -> bool {
    let len = word_end - at;
    let group = FUNCTION_GROUP[usize::from(text[at])];
    // Any byte will do for words shorter than two bytes: no shape has their length.
    let second = text.get(at + 1).copied().unwrap_or(0);
    FUNCTION_SHAPES[usize::from(group)][usize::from(second)] >> len.min(15) & 1 != 0
}

/// The first letters of the [`FUNCTION_WORDS`], by byte value.
static FUNCTION_INITIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < FUNCTION_WORDS.len() {
        table[FUNCTION_WORDS[i].as_bytes()[0] as usize] = true;
        i += 1;
    }
    table
};

/// Number of distinct first letters of the [`FUNCTION_WORDS`], plus one.
const FUNCTION_GROUPS: usize = {
    let mut seen = [false; 256];
    let mut groups = 1;
    let mut i = 0;
    while i < FUNCTION_WORDS.len() {
        let b = FUNCTION_WORDS[i].as_bytes()[0] as usize;
        if !seen[b] {
            seen[b] = true;
            groups += 1;
        }
        i += 1;
    }
    groups
};

/// By byte value, a number for each first letter of the [`FUNCTION_WORDS`] (from 1), or 0.
static FUNCTION_GROUP: [u8; 256] = {
    let mut table = [0; 256];
    let mut next = 1;
    let mut i = 0;
    while i < FUNCTION_WORDS.len() {
        let b = FUNCTION_WORDS[i].as_bytes()[0] as usize;
        if table[b] == 0 {
            table[b] = next;
            next += 1;
        }
        i += 1;
    }
    table
};

/// By [`FUNCTION_GROUP`] of a word's first byte and by its second byte: bit `n` set when the
/// first word of a [`FUNCTION_WORDS`] entry starts with those two bytes and is `n` bytes long.
static FUNCTION_SHAPES: [[u16; 256]; FUNCTION_GROUPS] = {
    let mut table = [[0; 256]; FUNCTION_GROUPS];
    let mut i = 0;
    while i < FUNCTION_WORDS.len() {
        let word = FUNCTION_WORDS[i].as_bytes();
        let mut len = 0;
        while len < word.len() && word[len] != b' ' {
            len += 1;
        }
        assert!(2 <= len && len < 16);
        table[FUNCTION_GROUP[word[0] as usize] as usize][word[1] as usize] |= 1 << len;
        i += 1;
    }
    table
};

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

/// The end of the run "function word \[article\]" starting at word start `at`, if one starts
/// there. The article is taken only when a word follows it.
///
/// Equivalent to trying every entry of [`FUNCTION_WORDS`] and [`ARTICLES`] with [`words_at`] and
/// keeping the longest, but looks at the word at `at` once instead of comparing 27 strings at
/// every word of every document.
#[inline]
pub(super) fn function_run(text: &str, at: usize) -> Option<usize> {
    let rest = text.as_bytes().get(at..)?;
    // No function word is longer than 10 bytes: look no further.
    let word = first_word(&rest[..rest.len().min(11)]);
    function_run_at(text, at, at + word.len())
}

/// [`function_run`] for the word `text[at..word_end]` (`word_end` is the next space or the end
/// of the text).
#[inline]
fn function_run_at(text: &str, at: usize, word_end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let word = &bytes[at..word_end];
    if !word
        .first()
        .is_some_and(|&b| FUNCTION_INITIAL[usize::from(b)])
    {
        return None;
    }
    let end = match *word {
        [b'o', b'f'] | [b'i', b'n'] | [b'o', b'n'] | [b't', b'o'] | [b'a', b't'] | [b'b', b'y'] => {
            word_end
        }
        [_, _, _] if word == b"for" => word_end,
        [_, _, _, _] if matches!(word, b"from" | b"with" | b"into" | b"over" | b"upon") => word_end,
        [_, _, _, _, _] if matches!(word, b"among" | b"under") => word_end,
        [_, _, _, _, _, _] if matches!(word, b"within" | b"across" | b"toward") => word_end,
        [_, _, _, _, _, _, _] if matches!(word, b"against" | b"towards" | b"through") => word_end,
        [_, _, _, _, _, _, _, _, _] if word == b"regarding" => word_end,
        [_, _, _, _, _, _, _, _, _, _] if word == b"associated" => {
            second_word_is(bytes, word_end, b"with")?
        }
        [_, _, _, _, _, _, _, _] if word == b"contrary" => second_word_is(bytes, word_end, b"to")?,
        _ => return None,
    };
    debug_assert_eq!(
        Some(end),
        FUNCTION_WORDS
            .iter()
            .filter_map(|w| words_at(text, at, w))
            .max()
    );
    // An article after it, itself followed by a space and something more.
    if bytes.get(end) != Some(&b' ') {
        return Some(end);
    }
    let start = end + 1;
    let rest = &bytes[start..];
    let article_end = |len: usize| {
        let e = start + len;
        (bytes.get(e) == Some(&b' ') && e + 1 < bytes.len()).then_some(e)
    };
    let after = if rest.starts_with(b"the ") {
        rest.starts_with(b"the particular")
            .then(|| article_end(14))
            .flatten()
            .or_else(|| article_end(3))
    } else if rest.starts_with(b"an ") {
        article_end(2)
    } else if rest.starts_with(b"a ") {
        article_end(1)
    } else {
        None
    };
    Some(after.unwrap_or(end))
}

/// The bytes of `text` up to its first space (all of it when there is none).
fn first_word(text: &[u8]) -> &[u8] {
    // Words are short: a plain loop beats setting up a vectorized search.
    let len = text.iter().position(|&b| b == b' ').unwrap_or(text.len());
    &text[..len]
}

/// When `text[at..]` is a space and then exactly the word `word` (followed by a space or the end
/// of the text), the end of that word.
fn second_word_is(text: &[u8], at: usize, word: &[u8]) -> Option<usize> {
    let rest = text.get(at..)?.strip_prefix(b" ")?;
    (first_word(rest) == word).then_some(at + 1 + word.len())
}

/// The end of `words` if the text at `at` is exactly those words, ending at a word end.
#[cfg_attr(not(debug_assertions), allow(dead_code))]
fn words_at(text: &str, at: usize, words: &str) -> Option<usize> {
    let rest = text.get(at..)?;
    let end = at + words.len();
    (rest.starts_with(words) && matches!(text.as_bytes().get(end), None | Some(b' ')))
        .then_some(end)
}

/// Calls `f` with each word of a name or matched text (split at spaces) that is not a function
/// word or its article. `folded` is a buffer for the folded text.
pub(super) fn for_each_content_word<'t>(
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
            run_end = function_run(folded, offset);
            if run_end.is_none() {
                f(word);
            }
        }
        offset += folded_word.len() + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn collapses_function_words_and_articles() {
        let c = |s: &str| canonicalize(s).text;
        assert_eq!(
            c("democratic republic from the congo"),
            "democratic republic of congo"
        );
        assert_eq!(c("defeat associated with daesh"), "defeat of daesh");
        assert_eq!(
            c("coalition for the particular sahel"),
            "coalition of sahel"
        );
        assert_eq!(c("of"), "of");
        assert_eq!(c("the end of the"), "the end of the");
        assert_eq!(c("often info ofx"), "often info ofx");
    }

    /// [`canonicalize`] as first written: every word of the text tried with [`function_run`].
    fn canonicalize_reference(folded: &str) -> Canonical {
        let mut out = String::new();
        let mut map = OffsetMapBuilder::new();
        let mut copied_from = 0;
        let mut at = 0;
        while at < folded.len() {
            let word_end = folded[at..].find(' ').map_or(folded.len(), |i| at + i);
            if at >= copied_from
                && let Some(end) = function_run(folded, at)
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

    proptest! {
        /// The word-at-a-time canonicalization equals the definition: every word tried.
        #[test]
        fn canonicalize_matches_its_definition(
            words in prop::collection::vec(
                prop_oneof![
                    prop::sample::select(FUNCTION_WORDS.to_vec()).prop_map(str::to_owned),
                    prop::sample::select(ARTICLES.to_vec()).prop_map(str::to_owned),
                    prop::sample::select(vec![
                        "of", "off", "o", "wit", "withins", "regardin", "toward s", "", "é", "ün",
                        "associated", "contrary", "the", "thé", "congo", "a a", "x",
                    ]).prop_map(str::to_owned),
                    "[a-z]{1,12}",
                ],
                0..40,
            ),
            separators in prop::collection::vec(
                prop::sample::select(vec![" ", " ", " ", "  ", "-"]),
                40,
            ),
        ) {
            let text: String = words
                .iter()
                .zip(&separators)
                .flat_map(|(w, s)| [w.as_str(), s])
                .collect();
            let fast = canonicalize(&text);
            let reference = canonicalize_reference(&text);
            prop_assert_eq!(&fast.text, &reference.text);
            prop_assert_eq!(&fast.map, &reference.map);
            prop_assert_eq!(&fast.runs, &reference.runs);
        }

        /// The canonical text maps onto the whole folded text, word for word.
        #[test]
        fn canonical_maps_onto_the_folded_text(s in "[a-z ]{0,40}|((of|the|in|a|x|associated|with) ){0,8}") {
            let c = canonicalize(&s);
            prop_assert_eq!(c.map.norm_len(), c.text.len());
            prop_assert_eq!(c.map.raw_len(), s.len());
            prop_assert!(c.text.len() <= s.len());
            // Words other than function words and articles survive, in order.
            let small: Vec<&str> = FUNCTION_WORDS.iter().chain(&ARTICLES).flat_map(|w| w.split(' ')).collect();
            let kept = |t: &str| t.split(' ').filter(|w| !w.is_empty() && !small.contains(w)).map(str::to_owned).collect::<Vec<_>>();
            prop_assert_eq!(kept(&c.text), kept(&s));
        }
    }
}
