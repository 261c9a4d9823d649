//! Near-duplicate communiqués: the same statement republished, reflowed or lightly reworded by
//! aggregator sites.
//!
//! Each text is reduced to a **128-bit [SimHash](https://en.wikipedia.org/wiki/SimHash)** of its
//! 3-word shingles: texts that share most shingles get hashes that differ in few bits, so "is this
//! a copy of something recent?" becomes "is there a stored hash within Hamming distance `d`?".
//! [`NearDuplicates`] keeps a bounded window of recent hashes, finds those within the distance with
//! one fast pass, and confirms each candidate with a small **bottom-k sketch** that estimates the
//! share of shingles the two texts have in common.
//!
//! Words are maximal runs of alphanumeric characters, lowercased, so whitespace, line wrapping,
//! punctuation and case never change a hash. Words are hashed with FNV-1a 64, shingles by
//! combining their words' hashes, and every hash is finished with the MurmurHash3 64-bit mixer: pure integer arithmetic, identical on every run and platform, so a hash may be
//! stored and compared later.
//!
//! # Why 128 bits and a second check
//!
//! Measured on `examples/communiques/` (numbers in `docs/alerting.md`): a spun copy (5% of the
//! words replaced, a new header and footer, reflowed) changes about 15% of its shingles. With 64
//! bits, such copies land up to 21 bits from their original while unrelated statements come as
//! close as 17, and an unrelated pair falls within 14 bits about once in 20 000 comparisons: with a
//! window of 10 000 communiqués, a false merge every other document. 128 bits narrow the spread
//! relative to the mean by √2: spun copies of the long documents lie at a median of 20 and within
//! 33 in 99% of trials, distinct documents at 44 or more (mean 62).
//!
//! Statements of one genre on one topic still sit closer to each other than random texts, so a
//! candidate within the distance must also pass the **resemblance** check: its estimated share of
//! common shingles (from 32 minimum hashes per text) must be at least [`MIN_RESEMBLANCE`]. Spun
//! copies share 62% or more of their shingles with the original (median 70%), distinct statements
//! at most 12%. The SimHash finds candidates quickly; the sketch makes sure that only texts which
//! really are mostly the same text merge.

use std::collections::{HashMap, VecDeque};

/// Words per shingle.
const SHINGLE_WORDS: usize = 3;

/// Texts with fewer shingles than this are never reported as near-duplicates nor remembered:
/// short texts ("No comment.") share too few features for a distance to mean anything.
pub const MIN_SHINGLES: usize = 8;

/// The default greatest Hamming distance between 128-bit SimHashes at which two communiqués can
/// be near-duplicates.
///
/// Measured on `examples/communiques/` (see `docs/alerting.md`): the test's spun copy of the
/// sample lies at 19 from it, random spins of the long documents within 33 in 99% of trials,
/// distinct documents at 44 or more (except two War Powers reports that share 58% of their text,
/// at 17): 31 leaves about 12 bits of margin on each side.
pub const DEFAULT_MAX_DISTANCE: u32 = 31;

/// The largest usable distance: half the bits. Texts further apart are less alike than unrelated
/// texts are on average.
pub const MAX_DISTANCE_LIMIT: u32 = 64;

/// The least estimated share of common shingles (Jaccard resemblance of the shingle sets) for a
/// candidate within the distance to count as a near-duplicate.
pub const MIN_RESEMBLANCE: f64 = 0.35;

/// The default number of communiqués [`NearDuplicates`] remembers.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// Minimum hashes kept per text for the resemblance check.
const SKETCH: usize = 32;

/// The 128-bit SimHash of `text`: bit `i` is the sign of the sum, over the text's 3-word shingles
/// (each occurrence counted), of +1 or −1 according to bit `i` of the shingle's hash. Texts
/// shorter than three words are one shingle; the empty text hashes to 0.
pub fn simhash(text: &str) -> u128 {
    Fingerprint::of(text).hash
}

/// The number of bits in which `a` and `b` differ.
#[inline]
pub fn hamming(a: u128, b: u128) -> u32 {
    (a ^ b).count_ones()
}

/// What is kept of a text: its SimHash, the smallest distinct values of a third hash of its
/// shingles (a bottom-k sketch), and its number of shingles.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Fingerprint {
    hash: u128,
    /// The smallest distinct shingle hashes, ascending; `sketch_len` of them are valid.
    sketch: [u32; SKETCH],
    sketch_len: u8,
    shingles: usize,
}

impl Fingerprint {
    /// Computes the fingerprint in one pass over the text, without allocating.
    ///
    /// ASCII bytes, most of a communiqué, are classified and lowercased through one table; other
    /// characters go through Unicode's classes and lowercasing. Both produce the same words as
    /// [`char::is_alphanumeric`] and [`char::to_lowercase`] would (a test checks it against that
    /// definition).
    fn of(text: &str) -> Fingerprint {
        let mut b = Builder::new();
        let bytes = text.as_bytes();
        let mut word = Fnv::new();
        let mut in_word = false;
        let mut i = 0;
        while i < bytes.len() {
            let byte = bytes[i];
            let alphanumeric = if byte.is_ascii() {
                let lower = ASCII_WORD_BYTE[usize::from(byte)];
                if lower != 0 {
                    word.write_byte(lower);
                }
                i += 1;
                lower != 0
            } else {
                let c = text[i..].chars().next().unwrap_or_default();
                i += c.len_utf8().max(1);
                let alphanumeric = c.is_alphanumeric();
                if alphanumeric {
                    for lower in c.to_lowercase() {
                        let mut buf = [0u8; 4];
                        word.write(lower.encode_utf8(&mut buf).as_bytes());
                    }
                }
                alphanumeric
            };
            if alphanumeric {
                in_word = true;
            } else if in_word {
                b.push_word(word.finish());
                word = Fnv::new();
                in_word = false;
            }
        }
        if in_word {
            b.push_word(word.finish());
        }
        if b.seen > 0 && b.seen < SHINGLE_WORDS {
            // Too short for a full shingle: the whole text is one.
            b.add_shingle(b.seen);
        }
        b.finish()
    }

    fn sketch(&self) -> &[u32] {
        &self.sketch[..usize::from(self.sketch_len)]
    }

    /// The estimated Jaccard resemblance of the two texts' shingle sets: among the `SKETCH`
    /// smallest values of the union of both sketches, the share present in both.
    fn resemblance(&self, other: &Fingerprint) -> f64 {
        let (a, b) = (self.sketch(), other.sketch());
        let (mut i, mut j, mut taken, mut common) = (0, 0, 0usize, 0usize);
        while taken < SKETCH && (i < a.len() || j < b.len()) {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x == y => {
                    common += 1;
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x < y => i += 1,
                (Some(_), None) => i += 1,
                _ => j += 1,
            }
            taken += 1;
        }
        if taken == 0 {
            return 0.0;
        }
        common as f64 / taken as f64
    }
}

struct Builder {
    /// How many shingles had each hash bit set.
    ones: BitCounts,
    /// Hashes of the last `SHINGLE_WORDS` words (a ring indexed by `seen`).
    window: [u64; SHINGLE_WORDS],
    /// Words seen so far.
    seen: usize,
    fp: Fingerprint,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            ones: BitCounts::default(),
            window: [0; SHINGLE_WORDS],
            seen: 0,
            fp: Fingerprint {
                hash: 0,
                sketch: [0; SKETCH],
                sketch_len: 0,
                shingles: 0,
            },
        }
    }

    fn push_word(&mut self, hash: u64) {
        self.window[self.seen % SHINGLE_WORDS] = hash;
        self.seen += 1;
        if self.seen >= SHINGLE_WORDS {
            self.add_shingle(SHINGLE_WORDS);
        }
    }

    /// Adds the shingle of the last `len` words.
    fn add_shingle(&mut self, len: usize) {
        let words = (self.seen - len..self.seen).map(|i| self.window[i % SHINGLE_WORDS]);
        let shingle = shingle_hash(words);
        // Three independent hashes of the shingle: the mixer of three different inputs.
        // Bits 0..64 from the first mix, 64..128 from the second.
        self.ones.add(fmix64(shingle), fmix64(shingle ^ SEED_HIGH));
        // Truncation keeps the mixer's high 32 bits.
        self.add_to_sketch((fmix64(shingle ^ SEED_SKETCH) >> 32) as u32);
        self.fp.shingles += 1;
    }

    /// The fingerprint: bit `i` of the SimHash is set when more than half of the shingles had
    /// it set, that is when the sum of +1 (set) and −1 (clear) over the shingles is positive.
    fn finish(mut self) -> Fingerprint {
        let ones = self.ones.totals();
        let shingles = self.fp.shingles as u64;
        self.fp.hash = ones
            .iter()
            .enumerate()
            .filter(|&(_, &n)| 2 * n > shingles)
            .fold(0u128, |h, (bit, _)| h | (1 << bit));
        self.fp
    }

    /// Keeps `value` if it is among the `SKETCH` smallest distinct values seen.
    fn add_to_sketch(&mut self, value: u32) {
        let fp = &mut self.fp;
        let len = usize::from(fp.sketch_len);
        if len == SKETCH && value > fp.sketch[SKETCH - 1] {
            return; // larger than all kept, and the sketch is full: the common case
        }
        let Err(pos) = fp.sketch[..len].binary_search(&value) else {
            return; // already kept
        };
        if pos >= SKETCH {
            return; // larger than all kept, and the sketch is full
        }
        let end = if len < SKETCH {
            fp.sketch_len += 1;
            len
        } else {
            SKETCH - 1
        };
        fp.sketch.copy_within(pos..end, pos + 1);
        fp.sketch[pos] = value;
    }
}

/// The hash of a shingle from its words' hashes, in order: two multiplications a word, where
/// hashing the words' bytes again (FNV over 24 bytes) took 24 dependent ones. The three hashes
/// taken from it go through [`fmix64`], which spreads every input bit over the output.
fn shingle_hash(words: impl Iterator<Item = u64>) -> u64 {
    words.fold(SEED_SHINGLE, |h, w| {
        (h.rotate_left(23) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    })
}

/// Per-bit counts of set bits over many 128-bit hashes.
///
/// Counting bit by bit costs 128 shifts, masks and additions a shingle, the bulk of hashing a
/// text. Instead each byte of a hash is spread through [`BYTE_BITS`] into a word holding its
/// eight bits as eight one-byte counters, and sixteen such words are added at once: sixteen
/// lookups and additions a shingle. The one-byte counters are emptied into the totals every 255
/// hashes, before any can overflow.
struct BitCounts {
    /// Byte `j` of `lanes[k]` counts bit `8 * k + j` since the last flush.
    lanes: [u64; 16],
    /// Hashes added to `lanes` since the last flush.
    pending: u32,
    /// Counts flushed so far, per bit.
    totals: [u64; 128],
}

impl Default for BitCounts {
    fn default() -> BitCounts {
        BitCounts {
            lanes: [0; 16],
            pending: 0,
            totals: [0; 128],
        }
    }
}

impl BitCounts {
    fn add(&mut self, low: u64, high: u64) {
        for (k, lane) in self.lanes[..8].iter_mut().enumerate() {
            *lane += BYTE_BITS[((low >> (8 * k)) & 0xff) as usize];
        }
        for (k, lane) in self.lanes[8..].iter_mut().enumerate() {
            *lane += BYTE_BITS[((high >> (8 * k)) & 0xff) as usize];
        }
        self.pending += 1;
        if self.pending == 255 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (k, lane) in self.lanes.iter_mut().enumerate() {
            for (j, total) in self.totals[8 * k..8 * k + 8].iter_mut().enumerate() {
                *total += (*lane >> (8 * j)) & 0xff;
            }
            *lane = 0;
        }
        self.pending = 0;
    }

    /// The number of hashes that had each bit set.
    fn totals(&mut self) -> [u64; 128] {
        self.flush();
        self.totals
    }
}

/// `BYTE_BITS[b]` holds bit `j` of `b` in its byte `j`: `0b101` → `0x01_00_01`.
const BYTE_BITS: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut j = 0;
        while j < 8 {
            table[b] |= ((b as u64 >> j) & 1) << (8 * j);
            j += 1;
        }
        b += 1;
    }
    table
};

/// For each ASCII byte: its lowercase form if it is a letter or digit (what
/// [`char::is_alphanumeric`] accepts among ASCII characters), else 0.
const ASCII_WORD_BYTE: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0u8;
    while b < 128 {
        if b.is_ascii_alphanumeric() {
            table[b as usize] = b.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

/// Distinguishes the inputs of the three shingle hashes (digits of π and e), and starts a shingle
/// hash (digits of √2).
const SEED_HIGH: u64 = 0x243f_6a88_85a3_08d3;
const SEED_SHINGLE: u64 = 0x6a09_e667_f3bc_c908;
const SEED_SKETCH: u64 = 0xb7e1_5162_8aed_2a6a;

/// FNV-1a, 64 bits.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_byte(b);
        }
    }

    fn write_byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// MurmurHash3's 64-bit finalizer: spreads FNV's weak high bits over all 64, which SimHash needs
/// (each bit must be an independent coin).
fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

/// A bounded window of recent communiqué fingerprints, answering "is this text a near-duplicate of
/// one seen before?".
///
/// A stored text matches when its SimHash is within `max_distance` bits of the new text's **and**
/// their estimated resemblance is at least [`MIN_RESEMBLANCE`] (see the module documentation).
///
/// **Eviction.** At most `capacity` fingerprints are kept; inserting one more evicts the oldest
/// (first in, first out). A text found to be a near-duplicate is *not* inserted: later copies are
/// matched against the first copy, so a chain of small rewrites never drifts away from it, and
/// copies do not push originals out of the window. A text whose id is already stored is neither
/// reported (an event seen again is not a copy of itself) nor inserted twice. Memory is about
/// 250 bytes plus twice the id per entry.
///
/// **Lookup.** The SimHashes are kept in one contiguous ring, oldest first, and scanned with an
/// XOR and a population count each (the POPCNT instruction where the processor has it); only
/// hashes within the distance are checked for resemblance, and the first (oldest) match ends the
/// scan. At the default distance (31 of 128 bits) this beats a band index: multi-index hashing
/// (8 bands of 16 bits, every band value within 3 bits probed) touches 5 576 buckets holding about
/// 8% of the window, each a cache miss, and measured 3 ms a lookup with 100 000 stored against
/// 0.3 ms for a plain scan without POPCNT. `cargo bench -p commwatch-alerting` measures a lookup in a
/// full default window (see `docs/performance.md`).
#[derive(Debug)]
pub struct NearDuplicates {
    max_distance: u32,
    capacity: usize,
    /// The stored SimHashes, oldest first; `hashes[i]` belongs to `entries[i]`.
    hashes: VecDeque<u128>,
    /// The stored fingerprints, oldest first; `entries[i]` has sequence number `first_seq + i`.
    entries: VecDeque<Entry>,
    first_seq: u64,
    /// Ids stored, with their sequence numbers.
    ids: HashMap<String, u64>,
}

#[derive(Debug)]
struct Entry {
    id: String,
    fp: Fingerprint,
}

impl Default for NearDuplicates {
    fn default() -> NearDuplicates {
        NearDuplicates::new(DEFAULT_MAX_DISTANCE, DEFAULT_CAPACITY)
    }
}

impl NearDuplicates {
    /// A window of at most `capacity` fingerprints (at least 1), matching texts whose SimHashes
    /// differ in at most `max_distance` bits (lowered to [`MAX_DISTANCE_LIMIT`] when larger).
    pub fn new(max_distance: u32, capacity: usize) -> NearDuplicates {
        NearDuplicates {
            max_distance: max_distance.min(MAX_DISTANCE_LIMIT),
            capacity: capacity.max(1),
            hashes: VecDeque::new(),
            entries: VecDeque::new(),
            first_seq: 0,
            ids: HashMap::new(),
        }
    }

    /// The greatest SimHash distance at which texts can be near-duplicates.
    pub fn max_distance(&self) -> u32 {
        self.max_distance
    }

    /// The number of fingerprints stored.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Returns the id of the earliest stored communiqué that `text` is a near-duplicate of; when
    /// there is none, stores `text`'s fingerprint under `id` and returns `None` (see the type's
    /// documentation for what is stored and evicted). Texts with fewer than [`MIN_SHINGLES`]
    /// shingles return `None` and are not stored.
    pub fn check_and_insert(&mut self, id: &str, text: &str) -> Option<String> {
        let fp = Fingerprint::of(text);
        if fp.shingles < MIN_SHINGLES {
            return None;
        }
        if let Some(first) = self.find(id, &fp) {
            return Some(first);
        }
        if !self.ids.contains_key(id) {
            self.insert(id, fp);
        }
        None
    }

    /// The id of the earliest stored entry that `fp` is a near-duplicate of, other than `id`.
    fn find(&self, id: &str, fp: &Fingerprint) -> Option<String> {
        let (older, newer) = self.hashes.as_slices();
        let matches = |i: usize| {
            let entry = &self.entries[i];
            entry.id != id && entry.fp.resemblance(fp) >= MIN_RESEMBLANCE
        };
        let scan = |hashes: &[u128], offset: usize| {
            let mut start = 0;
            while let Some(i) = next_within(&hashes[start..], fp.hash, self.max_distance) {
                if matches(offset + start + i) {
                    return Some(offset + start + i);
                }
                start += i + 1;
            }
            None
        };
        scan(older, 0)
            .or_else(|| scan(newer, older.len()))
            .map(|i| self.entries[i].id.clone())
    }

    fn insert(&mut self, id: &str, fp: Fingerprint) {
        if self.entries.len() >= self.capacity {
            self.evict_oldest();
        }
        let seq = self.first_seq + self.entries.len() as u64;
        self.ids.insert(id.to_owned(), seq);
        self.hashes.push_back(fp.hash);
        self.entries.push_back(Entry {
            id: id.to_owned(),
            fp,
        });
    }

    fn evict_oldest(&mut self) {
        self.hashes.pop_front();
        let Some(old) = self.entries.pop_front() else {
            return;
        };
        if self.ids.get(&old.id) == Some(&self.first_seq) {
            self.ids.remove(&old.id);
        }
        self.first_seq += 1;
    }
}

/// The position of the first of `hashes` within `max_distance` bits of `target`.
///
/// This scan is most of a lookup, and a population count is one instruction on every x86-64
/// processor of the last fifteen years but not in the baseline instruction set the compiler
/// targets, where it takes about twenty: the loop is compiled a second time with the
/// instruction enabled and used when the processor has it.
fn next_within(hashes: &[u128], target: u128, max_distance: u32) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("popcnt") {
        // SAFETY: the processor supports POPCNT, checked just above; that is the only
        // requirement of a function compiled with `target_feature(enable = "popcnt")`.
        return unsafe { next_within_popcnt(hashes, target, max_distance) };
    }
    next_within_portable(hashes, target, max_distance)
}

/// [`next_within_portable`] compiled with the POPCNT instruction.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "popcnt")]
fn next_within_popcnt(hashes: &[u128], target: u128, max_distance: u32) -> Option<usize> {
    next_within_portable(hashes, target, max_distance)
}

/// Tests hashes eight at a time without a branch between them, so that the processor overlaps
/// their population counts; the chunk holding a match is searched again one by one.
#[inline(always)]
fn next_within_portable(hashes: &[u128], target: u128, max_distance: u32) -> Option<usize> {
    const CHUNK: usize = 8;
    let within = |h: &u128| hamming(*h, target) <= max_distance;
    let mut chunks = hashes.chunks_exact(CHUNK);
    for (c, chunk) in (&mut chunks).enumerate() {
        if chunk.iter().fold(false, |any, h| any | within(h)) {
            return chunk.iter().position(within).map(|i| c * CHUNK + i);
        }
    }
    let rest = chunks.remainder();
    rest.iter()
        .position(within)
        .map(|i| hashes.len() - rest.len() + i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TEXT: &str = "The Ministers reaffirmed their commitment to the Coalition and to the \
        lasting defeat of Daesh in Iraq and Syria, and welcomed the progress made since the \
        last meeting of the Small Group in Rome.";

    /// A text of 40 words that shares no shingle with another `unrelated(j)`.
    fn unrelated(i: usize) -> String {
        (0..40)
            .map(|w| format!("w{i}x{w}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A fingerprint with the given hash and a sketch of `0..SKETCH` shifted by `sketch_base`.
    fn synthetic(hash: u128, sketch_base: u32) -> Fingerprint {
        let mut sketch = [0; SKETCH];
        for (i, s) in sketch.iter_mut().enumerate() {
            *s = sketch_base + i as u32;
        }
        Fingerprint {
            hash,
            sketch,
            sketch_len: SKETCH as u8,
            shingles: 100,
        }
    }

    fn spread(i: u64) -> u128 {
        u128::from(fmix64(i)) | u128::from(fmix64(!i)) << 64
    }

    #[test]
    fn whitespace_case_and_punctuation_do_not_change_the_hash() {
        let reflowed = TEXT.to_uppercase().replace(' ', "\n  ").replace(',', " ;");
        assert_eq!(simhash(TEXT), simhash(&reflowed));
        assert_eq!(simhash(""), 0);
        assert_eq!(simhash(" ,. "), 0);
    }

    #[test]
    fn hash_is_stable_across_releases() {
        // Fingerprints may be stored and compared by other instances: this must never change.
        assert_eq!(
            format!("{:032x}", simhash("one two three four")),
            "810a091204010280da03344c6810a491"
        );
        // FNV-1a 64 test vectors.
        let fnv = |s: &str| {
            let mut h = Fnv::new();
            h.write(s.as_bytes());
            h.finish()
        };
        assert_eq!(fnv(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_sketch_keeps_the_smallest_distinct_values() {
        let mut b = Builder::new();
        for v in (0..100u32).rev().chain([5, 5, 7]) {
            b.add_to_sketch(v * 3);
        }
        let expected: Vec<u32> = (0..SKETCH as u32).map(|v| v * 3).collect();
        assert_eq!(b.fp.sketch(), expected.as_slice());
        let fp = Fingerprint::of(TEXT);
        assert!(fp.sketch().windows(2).all(|w| w[0] < w[1]));
        assert_eq!(fp.sketch().len(), fp.shingles.min(SKETCH));
    }

    #[test]
    fn resemblance_estimates_shared_shingles() {
        let a = Fingerprint::of(TEXT);
        assert_eq!(a.resemblance(&a), 1.0);
        assert_eq!(synthetic(0, 0).resemblance(&synthetic(0, 1_000)), 0.0);
        // Of the union's 32 smallest values (0..32), the upper half is in both sketches.
        let half = synthetic(0, SKETCH as u32 / 2);
        assert_eq!(synthetic(0, 0).resemblance(&half), 0.5);
        assert_eq!(Fingerprint::of("").resemblance(&Fingerprint::of("")), 0.0);
    }

    #[test]
    fn near_copy_is_found_and_unrelated_text_is_not() {
        let mut nd = NearDuplicates::default();
        assert_eq!(nd.check_and_insert("a", TEXT), None);
        let copy = TEXT.replace("welcomed", "praised");
        assert_eq!(nd.check_and_insert("b", &copy), Some("a".into()));
        let other = "Heavy rain fell over the capital on Tuesday, flooding streets and closing \
            schools while the weather service warned of more storms before the weekend arrives.";
        assert_eq!(nd.check_and_insert("c", other), None);
        assert_eq!(nd.len(), 2, "the copy is not stored");
    }

    #[test]
    fn the_earliest_match_wins() {
        let mut nd = NearDuplicates::new(3, 10);
        nd.insert("first", Fingerprint::of(TEXT));
        nd.insert("second", Fingerprint::of(TEXT));
        assert_eq!(nd.check_and_insert("third", TEXT), Some("first".into()));
    }

    #[test]
    fn same_id_is_not_its_own_duplicate_and_is_stored_once() {
        let mut nd = NearDuplicates::new(3, 10);
        assert_eq!(nd.check_and_insert("a", TEXT), None);
        assert_eq!(nd.check_and_insert("a", TEXT), None);
        assert_eq!(nd.len(), 1);
        assert_eq!(nd.check_and_insert("b", TEXT), Some("a".into()));
    }

    #[test]
    fn short_texts_are_ignored() {
        let mut nd = NearDuplicates::new(3, 10);
        assert_eq!(nd.check_and_insert("a", "No comment."), None);
        assert_eq!(nd.check_and_insert("b", "No comment."), None);
        assert!(nd.is_empty());
    }

    #[test]
    fn oldest_fingerprint_is_evicted_first() {
        let mut nd = NearDuplicates::new(3, 2);
        for i in 0..3 {
            assert_eq!(nd.check_and_insert(&format!("t{i}"), &unrelated(i)), None);
        }
        assert_eq!(nd.len(), 2);
        // t0 was evicted: its text is new again. t2 is still there.
        assert_eq!(nd.check_and_insert("again0", &unrelated(0)), None);
        assert_eq!(
            nd.check_and_insert("again2", &unrelated(2)),
            Some("t2".into())
        );
        assert_eq!(nd.len(), 2);
        assert_eq!(nd.hashes.len(), 2);
        assert_eq!(nd.ids.len(), 2);
    }

    #[test]
    fn every_hash_within_the_distance_is_found() {
        for d in [0, 3, 16, DEFAULT_MAX_DISTANCE, MAX_DISTANCE_LIMIT] {
            let mut nd = NearDuplicates::new(d, 4);
            let base = synthetic(spread(7), 0);
            nd.insert("base", base.clone());
            let flips = (0..d).fold(0u128, |m, i| m | 1 << (i * 37 % 128));
            let near = synthetic(base.hash ^ flips, 0);
            assert_eq!(hamming(near.hash, base.hash), d);
            assert_eq!(nd.find("x", &near), Some("base".into()), "d = {d}");
            let far = synthetic(!base.hash, 0);
            assert_eq!(nd.find("x", &far), None, "d = {d}");
        }
        assert_eq!(
            NearDuplicates::new(99, 1).max_distance(),
            MAX_DISTANCE_LIMIT
        );
    }

    #[test]
    fn close_hashes_must_also_resemble() {
        let mut nd = NearDuplicates::new(DEFAULT_MAX_DISTANCE, 4);
        nd.insert("base", synthetic(spread(1), 0));
        assert_eq!(nd.find("x", &synthetic(spread(1), 1_000)), None);
        assert_eq!(nd.find("x", &synthetic(spread(1), 4)), Some("base".into()));
    }

    #[test]
    fn a_full_window_of_100_000_wraps_and_finds() {
        let mut nd = NearDuplicates::new(DEFAULT_MAX_DISTANCE, 100_000);
        for i in 0..100_000u64 {
            nd.insert(&format!("d{i}"), synthetic(spread(i), 0));
        }
        // Wrap the ring so that the scan covers both of its slices.
        for i in 0..50_000u64 {
            nd.insert(&format!("e{i}"), synthetic(spread(i + 500_000), 0));
        }
        for i in 0..200u64 {
            assert_eq!(nd.find("x", &synthetic(spread(i + 1_000_000), 0)), None);
        }
        let near = synthetic(spread(60_000) ^ 0b1011_0001 ^ 1 << 100, 0);
        assert_eq!(nd.find("x", &near), Some("d60000".into()));
        let near = synthetic(spread(500_042) ^ 1 << 99, 0);
        assert_eq!(nd.find("x", &near), Some("e42".into()));
        assert_eq!(nd.len(), 100_000);
        assert_eq!(nd.find("x", &synthetic(spread(3), 0)), None, "evicted");
    }

    /// The fingerprint by its definition, bit by bit and character by character: what the fast
    /// path of [`Fingerprint::of`] must reproduce exactly.
    fn fingerprint_by_definition(text: &str) -> Fingerprint {
        let mut words: Vec<u64> = Vec::new();
        let mut word: Option<Fnv> = None;
        for c in text.chars() {
            if c.is_alphanumeric() {
                let w = word.get_or_insert_with(Fnv::new);
                for lower in c.to_lowercase() {
                    w.write(lower.encode_utf8(&mut [0u8; 4]).as_bytes());
                }
            } else if let Some(w) = word.take() {
                words.push(w.finish());
            }
        }
        words.extend(word.map(|w| w.finish()));
        let mut b = Builder::new();
        let mut weights = [0i64; 128];
        let shingles: Vec<&[u64]> = match words.len() {
            0 => vec![],
            n if n < SHINGLE_WORDS => vec![&words[..]],
            _ => words.windows(SHINGLE_WORDS).collect(),
        };
        for shingle in shingles {
            let h = shingle_hash(shingle.iter().copied());
            let bits = u128::from(fmix64(h)) | u128::from(fmix64(h ^ SEED_HIGH)) << 64;
            for (bit, weight) in weights.iter_mut().enumerate() {
                *weight += if bits >> bit & 1 == 1 { 1 } else { -1 };
            }
            b.add_to_sketch((fmix64(h ^ SEED_SKETCH) >> 32) as u32);
            b.fp.shingles += 1;
        }
        let mut fp = b.fp;
        fp.hash = (0..128)
            .filter(|&bit| weights[bit] > 0)
            .fold(0u128, |h, bit| h | 1 << bit);
        fp
    }

    #[test]
    fn long_texts_match_the_definition() {
        // More than 255 shingles, so the byte counters are flushed mid-text.
        let long = format!("{TEXT} {} {TEXT}", unrelated(1)).repeat(9);
        for text in [
            TEXT,
            long.as_str(),
            "Ünïcode ÉCRIT ǅemal Σίσυφος İstanbul ﬁne",
        ] {
            assert_eq!(Fingerprint::of(text), fingerprint_by_definition(text));
        }
    }

    proptest! {
        #[test]
        fn the_fast_path_matches_the_definition(text in "(\\PC|[a-zA-Z0-9 ,.]){0,600}") {
            prop_assert_eq!(Fingerprint::of(&text), fingerprint_by_definition(&text));
        }

        #[test]
        fn simhash_is_deterministic(text in "\\PC{0,400}") {
            let a = simhash(&text);
            prop_assert_eq!(a, simhash(&text.clone()));
            prop_assert_eq!(hamming(a, simhash(&text)), 0);
            prop_assert_eq!(Fingerprint::of(&text), Fingerprint::of(&text));
        }

        #[test]
        fn the_chunked_scan_finds_the_first_hash_within_the_distance(
            hashes in proptest::collection::vec(any::<u128>(), 0..40),
            target in any::<u128>(),
            max_distance in 50u32..80,
        ) {
            let expected = hashes.iter().position(|&h| hamming(h, target) <= max_distance);
            prop_assert_eq!(next_within(&hashes, target, max_distance), expected);
            prop_assert_eq!(next_within_portable(&hashes, target, max_distance), expected);
        }

        #[test]
        fn distance_is_a_metric(a in any::<u128>(), b in any::<u128>(), c in any::<u128>()) {
            prop_assert_eq!(hamming(a, a), 0);
            prop_assert_eq!(hamming(a, b), hamming(b, a));
            prop_assert!(hamming(a, c) <= hamming(a, b) + hamming(b, c));
        }
    }
}
