//! The physical baseline: one Aho-Corasick scan of the same bytes with every gazetteer name,
//! leftmost-longest and case-insensitive, on the same number of threads. This is what any
//! gazetteer tagger must at least do; commwatch does much more, and the ratio says at what cost.
//!
//! The automaton is built, and scans, the way the tagger's own does (`commwatch_text::Tagger`):
//! a DFA, leftmost-longest, unanchored searches only, case-sensitive over the names folded with
//! [`commwatch_core::fold`], scanning the folded copy of each body — made before the clock
//! starts, as the pipeline's normalization stage makes it once for every matcher (and pays for
//! it there). Left to choose, aho-corasick picks a contiguous NFA for these names, which scans at
//! about half the DFA's speed and so flattered the pipeline about twofold; an ASCII
//! case-insensitive DFA over the raw names, scanning the raw bytes, finds the same names but is
//! twice the size and about 12% slower (`docs/performance.md`).

use std::time::Instant;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind, StartKind};
use commwatch_core::fold::{fold, fold_pattern};
use commwatch_text::Gazetteer;

use crate::BenchError;
use crate::corpus::Corpus;

/// What the baseline scan measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BaselineRun {
    /// Bytes scanned.
    pub bytes: u64,
    /// Wall-clock seconds (best of three).
    pub seconds: f64,
    /// Matches found.
    pub matches: u64,
}

fn patterns(gazetteer: &Gazetteer) -> Vec<String> {
    let mut all: Vec<String> = gazetteer
        .entities()
        .flat_map(|e| e.names().iter().chain(e.exact().iter()).cloned())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// Number of distinct gazetteer names.
pub fn pattern_count(gazetteer: &Gazetteer) -> usize {
    patterns(gazetteer).len()
}

/// The baseline automaton over every gazetteer name, folded: a DFA like the tagger's, or,
/// should a DFA fail to build (as the tagger, past its size budget), what aho-corasick chooses;
/// [`AhoCorasick::kind`] says which, [`AhoCorasick::patterns_len`] how many distinct folded names
/// it holds.
pub fn automaton(gazetteer: &Gazetteer) -> Result<AhoCorasick, BenchError> {
    let mut folded: Vec<String> = patterns(gazetteer)
        .iter()
        .map(|name| fold_pattern(name))
        .collect();
    folded.sort();
    folded.dedup();
    let build = |kind| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Unanchored)
            .kind(kind)
            .build(&folded)
    };
    build(Some(AhoCorasickKind::DFA))
        .or_else(|_| build(None))
        .map_err(|e| BenchError::Pipeline(e.to_string()))
}

/// Scans the folded copy of every body of `corpus` with `ac` (an [`automaton`]) on `threads`
/// threads; best of three passes. Throughput counts the bodies' own bytes.
pub fn scan(corpus: &Corpus, ac: &AhoCorasick, threads: usize) -> Result<BaselineRun, BenchError> {
    let bodies: Vec<String> = corpus.bodies()?.iter().map(|b| fold(b).text).collect();
    let threads = threads.max(1);
    let mut best = f64::INFINITY;
    let mut matches = 0;
    for _ in 0..3 {
        let started = Instant::now();
        matches = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let bodies = &bodies;
                    s.spawn(move || {
                        bodies
                            .iter()
                            .skip(t)
                            .step_by(threads)
                            .map(|b| ac.find_iter(b).count() as u64)
                            .sum::<u64>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or(0))
                .sum::<u64>()
        });
        best = best.min(started.elapsed().as_secs_f64());
    }
    Ok(BaselineRun {
        bytes: corpus.bytes,
        seconds: best,
        matches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_gazetteer_gets_a_dfa_finding_names_in_any_case() {
        let gazetteer = Gazetteer::builtin();
        let ac = automaton(&gazetteer).expect("automaton");
        assert_eq!(ac.kind(), AhoCorasickKind::DFA);
        assert_eq!(ac.match_kind(), MatchKind::LeftmostLongest);
        assert!(ac.patterns_len() <= pattern_count(&gazetteer));
        let text = fold("MALI and mali and Mali; MOÇAMBIQUE; Islamic State of Iraq and Syria").text;
        let found: Vec<&str> = ac.find_iter(&text).map(|m| &text[m.range()]).collect();
        assert_eq!(found[..4], ["mali", "mali", "mali", "mocambique"]);
        assert_eq!(found.last(), Some(&"islamic state of iraq and syria"));
        // What aho-corasick picks when left to choose (the baseline before it asked for a DFA).
        let default = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(true)
            .build(patterns(&gazetteer))
            .expect("automaton");
        assert_eq!(default.kind(), AhoCorasickKind::ContiguousNFA);
    }
}
