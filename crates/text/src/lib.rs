//! The text layer of commwatch: normalize a communiqué, then find the entities it names.
//!
//! Everything the pipeline concludes about a communiqué starts from recognizing names in text
//! that arrives in every typographic variant, so this crate exists to make that one step fast,
//! predictable and traceable back to the original bytes. It is a pure library: no threads, no
//! channels, no I/O except [`Gazetteer::load`].
//!
//! - [`Normalizer`] turns raw text into one canonical form (NFKC, ASCII quotes and dashes, no
//!   invisible characters, collapsed whitespace) with an offset map back to the raw bytes.
//! - [`Gazetteer`] holds named [`Entity`]s read from TOML files (format in `docs/gazetteer.md`);
//!   [`Gazetteer::builtin`] bundles every ISO 3166-1 country, the UN M49, geopolitical and
//!   maritime regions, international organizations, armed groups, senior officials and places
//!   (capitals, cities, provinces) with their countries, and the word lists of the tagger's
//!   rules ([`WordList`]: function words, titles, …), which gazetteer files may extend.
//! - [`Analyzer`] runs the analysis before tagging in one call (`docs/text-analysis.md`): the
//!   article inside a scraped page ([`find_content`]), its title, normalized text, sentences
//!   ([`split_sentences`]), dates and dateline ([`DateFinder`]), publication date and language
//!   ([`detect_language`]).
//! - [`Tagger`] compiles a gazetteer into one automaton and reports each entity found, as a
//!   [`Tag`] in the normalized text or as a [`Span`](commwatch_core::Span) with raw offsets on a
//!   [`Communique`](commwatch_core::Communique); on an event also the countries and regions named
//!   inside organization and group names ([`COUNTRY_IN_NAME`], [`REGION_IN_NAME`]).
//! - [`Recognizers`] find entities by their shape after the tagger: UN resolutions
//!   ("UNSCR 2254" → `S/RES/2254`).
//!
//! # Example
//!
//! ```
//! use commwatch_core::{Communique, Origin};
//! use commwatch_text::{Gazetteer, Normalizer, Tagger};
//!
//! let tagger = Tagger::new(&Gazetteer::builtin())?;
//! let raw = "Talks on Iraq’s  border with the  Syrian Arab Republic — and us.";
//!
//! // Low level: tag normalized text, then map each tag back to the raw bytes.
//! let normalized = Normalizer::new().normalize(raw);
//! let mut tags = Vec::new();
//! tagger.tag(&normalized.text, &mut tags);
//! let found: Vec<(&str, &str)> = tags
//!     .iter()
//!     .map(|t| {
//!         let (start, end) = normalized.map.to_raw_range(t.start, t.end);
//!         (&**t.entity.id(), &raw[start..end])
//!     })
//!     .collect();
//! assert_eq!(found, [("IQ", "Iraq"), ("SY", "Syrian Arab Republic")]);
//!
//! // On an event: spans carry raw offsets.
//! let mut event = Communique::new(None, Origin::default(), raw.to_owned());
//! event.normalized = Some(normalized);
//! tagger.tag_event(&mut event);
//! assert_eq!(event.span_text(&event.spans[1]), "Syrian Arab Republic");
//! # Ok::<(), commwatch_text::TaggerError>(())
//! ```

#![warn(missing_docs)]

mod analyze;
pub mod boilerplate;
pub mod dates;
pub mod fold;
mod gazetteer;
pub mod language;
mod normalize;
pub mod recognize;
pub mod sentences;
mod tagger;
mod words;

pub use analyze::{Analyzer, DATE_KIND};
pub use boilerplate::{Content, Title, TitleSource, find_content};
pub use dates::{DateFinder, DateMatch, Dateline, IsoDate, published_date};
pub use gazetteer::{Ambiguity, Entity, Gazetteer, GazetteerError};
pub use language::detect_language;
pub use normalize::Normalizer;
pub use recognize::{Recognized, Recognizers};
pub use sentences::split_sentences;
pub use tagger::{COUNTRY_IN_NAME, PLACE, REGION_IN_NAME, Tag, Tagger, TaggerError};
pub use words::WordList;
