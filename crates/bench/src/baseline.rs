//! The physical baseline: one raw Aho-Corasick scan of the same bytes with every gazetteer name,
//! leftmost-longest and ASCII-case-insensitive, on the same number of threads. This is what any
//! gazetteer tagger must at least do; commwatch does much more, and the ratio says at what cost.

use std::time::Instant;

use aho_corasick::{AhoCorasick, MatchKind};
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

/// Scans every body of `corpus` on `threads` threads; best of three passes.
pub fn scan(
    corpus: &Corpus,
    gazetteer: &Gazetteer,
    threads: usize,
) -> Result<BaselineRun, BenchError> {
    let ac = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .ascii_case_insensitive(true)
        .build(patterns(gazetteer))
        .map_err(|e| BenchError::Pipeline(e.to_string()))?;
    let bodies = corpus.bodies()?;
    let threads = threads.max(1);
    let mut best = f64::INFINITY;
    let mut matches = 0;
    for _ in 0..3 {
        let started = Instant::now();
        matches = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (ac, bodies) = (&ac, &bodies);
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
