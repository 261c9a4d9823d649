//! Word lists: the small vocabularies the tagger's rules use, kept as data beside the names.
//!
//! Besides names, the tagger's rules need lists of ordinary words: the function words that may
//! swap inside a name, the titles that start before a person's name, the words that show a
//! "Jordan" to be no person. They are data for the same reason names are: an analyst who meets
//! a title or a place word the lists lack adds it without rebuilding anything. The bundled lists
//! are `data/words.toml`; every [`Gazetteer`](crate::Gazetteer) starts with them, and a
//! gazetteer file may add words to any list with the same tables (`docs/gazetteer.md`). Files
//! only add: the bundled words always apply, with or without the bundled entities.
//!
//! This module reads and merges the lists; the tagger compiles them into its own tables.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::gazetteer::GazetteerError;

/// The bundled word lists.
const BUNDLED: &str = include_str!("../data/words.toml");

/// One of the word lists of the tagger's rules, named in gazetteer files by
/// [`as_str`](Self::as_str) (`[title_heads]`). See `docs/gazetteer.md` for what each is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WordList {
    /// `function_words`: words that stand in for one another inside a name ("Republic *from*
    /// the Congo"); an entry may have several words ("associated with").
    FunctionWords,
    /// `articles`: words that may follow a function word inside a name, or be missing.
    Articles,
    /// `not_given_names`: capitalized words that, right before a `person-name` name, are no
    /// sign of a person ("King", "Northern").
    NotGivenNames,
    /// `not_surnames`: capitalized words that, right after a `person-name` name, make a place
    /// or an institution rather than a surname ("Valley", "Basin").
    NotSurnames,
    /// `honorifics`: words that make the name after them a person's ("Mr.", "Dr.").
    Honorifics,
    /// `us_states`: US states, for the `us-state` rule ("New Mexico", "D.C.").
    UsStates,
    /// `title_heads`: words a person's title starts with ("Minister", "Secretary").
    TitleHeads,
    /// `title_connectors`: lowercase words allowed inside a title ("of", "and").
    TitleConnectors,
    /// `title_abbreviations`: words ending in "." allowed inside a title ("Gen.").
    TitleAbbreviations,
}

impl WordList {
    /// Every list, in the order of `data/words.toml`.
    pub const ALL: [WordList; 9] = [
        WordList::FunctionWords,
        WordList::Articles,
        WordList::NotGivenNames,
        WordList::NotSurnames,
        WordList::Honorifics,
        WordList::UsStates,
        WordList::TitleHeads,
        WordList::TitleConnectors,
        WordList::TitleAbbreviations,
    ];

    /// The name of the list's table in gazetteer files.
    pub fn as_str(self) -> &'static str {
        match self {
            WordList::FunctionWords => "function_words",
            WordList::Articles => "articles",
            WordList::NotGivenNames => "not_given_names",
            WordList::NotSurnames => "not_surnames",
            WordList::Honorifics => "honorifics",
            WordList::UsStates => "us_states",
            WordList::TitleHeads => "title_heads",
            WordList::TitleConnectors => "title_connectors",
            WordList::TitleAbbreviations => "title_abbreviations",
        }
    }

    /// The list whose table is named `name`.
    fn parse(name: &str) -> Option<WordList> {
        WordList::ALL.into_iter().find(|l| l.as_str() == name)
    }

    /// Whether an entry may have several words. The other lists are compared one word of the
    /// text at a time, so an entry with a space in it could never match.
    fn takes_phrases(self) -> bool {
        matches!(
            self,
            WordList::FunctionWords | WordList::Articles | WordList::UsStates
        )
    }
}

/// The word lists of a gazetteer: per [`WordList`], its words in the order they were added.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Words {
    lists: [Vec<String>; WordList::ALL.len()],
}

/// One word-list table as written in a file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListDoc {
    words: Vec<String>,
}

impl Words {
    /// The bundled lists (`data/words.toml`).
    pub(crate) fn bundled() -> &'static Words {
        static WORDS: OnceLock<Words> = OnceLock::new();
        WORDS.get_or_init(|| {
            // The file is part of the crate and a unit test reads it, so failing here is a bug
            // in the build, not a condition a caller could handle.
            let parsed = toml::from_str(BUNDLED)
                .map_err(|e| GazetteerError::Parse {
                    origin: "builtin words.toml".to_owned(),
                    message: e.to_string(),
                })
                .and_then(|tables| Words::from_tables(tables, "builtin words.toml"));
            match parsed {
                Ok(words) => words,
                Err(e) => panic!("the bundled word lists are invalid: {e}"),
            }
        })
    }

    /// The words of `list`.
    pub(crate) fn get(&self, list: WordList) -> &[String] {
        &self.lists[list as usize]
    }

    /// Reads the word-list tables of a gazetteer file: `tables` is the file's top level without
    /// its `entity` array. `origin` names the file in errors.
    pub(crate) fn from_tables(tables: toml::Table, origin: &str) -> Result<Words, GazetteerError> {
        let mut words = Words::default();
        for (name, value) in tables {
            let Some(list) = WordList::parse(&name) else {
                let lists: Vec<&str> = WordList::ALL.iter().map(|l| l.as_str()).collect();
                return Err(GazetteerError::Parse {
                    origin: origin.to_owned(),
                    message: format!(
                        "unknown field `{name}`, expected `entity` or a word list: {}",
                        lists.join(", ")
                    ),
                });
            };
            let fail = |problem: String| GazetteerError::Words {
                origin: origin.to_owned(),
                list,
                problem,
            };
            let doc: ListDoc = value
                .try_into()
                .map_err(|e: toml::de::Error| fail(e.message().trim_end().to_owned()))?;
            for (i, word) in doc.words.iter().enumerate() {
                let word = word.trim();
                if word.is_empty() {
                    return Err(fail(format!("`words[{i}]` is empty")));
                }
                if !list.takes_phrases() && word.contains(char::is_whitespace) {
                    return Err(fail(format!(
                        "`words[{i}]` ({word:?}) has a space, but this list holds single words"
                    )));
                }
                words.add(list, word);
            }
        }
        Ok(words)
    }

    /// Adds the words of `other` that this one lacks, after its own.
    pub(crate) fn extend(&mut self, other: &Words) {
        for list in WordList::ALL {
            for word in other.get(list) {
                self.add(list, word);
            }
        }
    }

    fn add(&mut self, list: WordList, word: &str) {
        let words = &mut self.lists[list as usize];
        if !words.iter().any(|w| w == word) {
            words.push(word.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Words, String> {
        let tables = toml::from_str(text).map_err(|e: toml::de::Error| e.to_string())?;
        Words::from_tables(tables, "test.toml").map_err(|e| e.to_string())
    }

    #[test]
    fn bundled_lists_are_all_there() {
        let words = Words::bundled();
        for list in WordList::ALL {
            assert!(!words.get(list).is_empty(), "{}", list.as_str());
        }
        let function_words = words.get(WordList::FunctionWords);
        assert!(function_words.iter().any(|w| w == "of"));
        assert!(function_words.iter().any(|w| w == "associated with"));
        assert!(
            words
                .get(WordList::TitleHeads)
                .iter()
                .any(|w| w == "Minister")
        );
        assert_eq!(words.get(WordList::UsStates).len(), 50);
    }

    #[test]
    fn reads_and_merges_lists() -> Result<(), String> {
        let mut words = Words::bundled().clone();
        let more = read(
            "[title_heads]\nwords = [\" Ombudsman \", \"Minister\"]\n\
             [function_words]\nwords = [\"in respect of\"]\n",
        )?;
        assert_eq!(more.get(WordList::TitleHeads), ["Ombudsman", "Minister"]);
        assert!(more.get(WordList::Articles).is_empty());
        let heads = words.get(WordList::TitleHeads).len();
        words.extend(&more);
        assert_eq!(words.get(WordList::TitleHeads).len(), heads + 1);
        assert_eq!(
            words.get(WordList::TitleHeads).last().map(String::as_str),
            Some("Ombudsman")
        );
        assert_eq!(
            words
                .get(WordList::FunctionWords)
                .last()
                .map(String::as_str),
            Some("in respect of")
        );
        Ok(())
    }

    #[test]
    fn errors_name_the_list_and_the_word() {
        let e = read("[title_head]\nwords = [\"X\"]\n")
            .err()
            .unwrap_or_default();
        assert!(
            e.starts_with(
                "test.toml: unknown field `title_head`, expected `entity` or a word list"
            ),
            "{e}"
        );
        let e = read("[honorifics]\nword = [\"Sr.\"]\n")
            .err()
            .unwrap_or_default();
        assert!(
            e.starts_with("test.toml: [honorifics]: unknown field `word`"),
            "{e}"
        );
        let e = read("[articles]\nwords = [\"the\", \" \"]\n")
            .err()
            .unwrap_or_default();
        assert_eq!(e, "test.toml: [articles]: `words[1]` is empty");
        let e = read("[title_heads]\nwords = [\"Vice President\"]\n")
            .err()
            .unwrap_or_default();
        assert_eq!(
            e,
            "test.toml: [title_heads]: `words[0]` (\"Vice President\") has a space, but this \
             list holds single words"
        );
        assert!(read("[us_states]\nwords = [\"District of Columbia\"]\n").is_ok());
    }
}
