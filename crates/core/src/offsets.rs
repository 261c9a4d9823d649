//! Maps between byte offsets of a normalized text and of the raw text it was made from.
//!
//! Normalization rewrites text (NFKC, folded quotes and dashes, collapsed whitespace), yet every
//! span commwatch reports must point at the exact bytes an analyst can find in the original. An
//! [`OffsetMap`] records how the normalized text was produced as a run-length list of segments:
//! a *copied* segment is the same bytes on both sides (offsets inside it shift linearly), a
//! *replaced* segment is a stretch of raw text rewritten as something else (its inside maps to its
//! edges), and a deletion is a replaced segment whose normalized side is empty.
//!
//! The map stays small: plain ASCII prose produces one segment per rewritten character or
//! whitespace run, not one entry per byte, and lookups are a binary search — or, for many lookups
//! in increasing order (the spans of a document), a forward walk with an [`OffsetCursor`].

use serde::{Deserialize, Serialize};

/// One stretch of the mapping, serialized compactly as
/// `[norm_start, raw_start, norm_len, raw_len, copied]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Segment(usize, usize, usize, usize, bool);

impl Segment {
    fn norm(&self) -> usize {
        self.0
    }
    fn raw(&self) -> usize {
        self.1
    }
    fn norm_len(&self) -> usize {
        self.2
    }
    fn raw_len(&self) -> usize {
        self.3
    }
    fn copied(&self) -> bool {
        self.4
    }
}

/// Maps byte offsets of a normalized text back to the raw text, and the raw text forward.
///
/// Build one with [`OffsetMapBuilder`]. Offsets on a character boundary of the normalized text
/// map to character boundaries of the raw text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Segment>", into = "Vec<Segment>")]
pub struct OffsetMap {
    segments: Vec<Segment>,
}

/// Which side of the map an offset is given in.
#[derive(Clone, Copy)]
enum Side {
    Norm,
    Raw,
}

impl Side {
    /// (start, len) of a segment on this side, then (start, len) on the other side.
    fn view(self, s: &Segment) -> ((usize, usize), (usize, usize)) {
        match self {
            Side::Norm => ((s.norm(), s.norm_len()), (s.raw(), s.raw_len())),
            Side::Raw => ((s.raw(), s.raw_len()), (s.norm(), s.norm_len())),
        }
    }
}

impl OffsetMap {
    /// The identity map for a text of `len` bytes that normalization left unchanged.
    pub fn identity(len: usize) -> OffsetMap {
        let mut b = OffsetMapBuilder::new();
        b.copied(len);
        b.finish()
    }

    /// Length of the normalized text the map was built for.
    pub fn norm_len(&self) -> usize {
        self.segments.last().map_or(0, |s| s.norm() + s.norm_len())
    }

    /// Length of the raw text the map was built for.
    pub fn raw_len(&self) -> usize {
        self.segments.last().map_or(0, |s| s.raw() + s.raw_len())
    }

    /// True when the map is the identity: the text was not rewritten, every offset maps to
    /// itself.
    pub fn is_identity(&self) -> bool {
        self.segments.iter().all(Segment::copied)
    }

    /// Number of segments; a measure of how much normalization rewrote.
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Maps a normalized start offset to the raw offset of the first byte it stands for.
    pub fn to_raw_start(&self, norm: usize) -> usize {
        self.map_start(Side::Norm, norm)
    }

    /// Maps a normalized end offset (exclusive) to the raw offset just past what it stands for.
    pub fn to_raw_end(&self, norm: usize) -> usize {
        self.map_end(Side::Norm, norm)
    }

    /// Maps a normalized range to the smallest raw range that covers it.
    pub fn to_raw_range(&self, start: usize, end: usize) -> (usize, usize) {
        self.map_range(Side::Norm, start, end)
    }

    /// Maps a raw range to the normalized range that stands for it.
    pub fn to_norm_range(&self, start: usize, end: usize) -> (usize, usize) {
        self.map_range(Side::Raw, start, end)
    }

    /// A reader for many lookups in increasing order, such as the spans of one document.
    pub fn cursor(&self) -> OffsetCursor<'_> {
        OffsetCursor {
            map: self,
            start_hint: 0,
            end_hint: 0,
        }
    }

    fn map_range(&self, side: Side, start: usize, end: usize) -> (usize, usize) {
        let s = self.map_start(side, start);
        if end <= start {
            return (s, s);
        }
        let e = self.map_end(side, end);
        (s, e.max(s))
    }

    fn map_start(&self, side: Side, at: usize) -> usize {
        self.start_in(side, at, self.start_index(side, at, None))
    }

    fn map_end(&self, side: Side, at: usize) -> usize {
        self.end_in(side, at, self.end_index(side, at, None))
    }

    /// The index of the segment whose inside (on `side`) holds `at` (empty segments never do),
    /// or the number of segments. With a `hint`, the search starts there (see
    /// [`partition_from`]); without, it is a binary search.
    fn start_index(&self, side: Side, at: usize, hint: Option<usize>) -> usize {
        partition_from(&self.segments, hint, |s| {
            let ((start, len), _) = side.view(s);
            start + len <= at
        })
    }

    /// One past the index of the last segment that starts (on `side`) before `at`: `at` falls
    /// inside that segment or at its end. `hint` as for [`start_index`](Self::start_index).
    fn end_index(&self, side: Side, at: usize, hint: Option<usize>) -> usize {
        partition_from(&self.segments, hint, |s| side.view(s).0.0 < at)
    }

    /// [`map_start`](Self::map_start) once [`start_index`](Self::start_index) found `i`.
    fn start_in(&self, side: Side, at: usize, i: usize) -> usize {
        match self.segments.get(i) {
            None => self.segments.last().map_or(at, |s| {
                let (_, (other, other_len)) = side.view(s);
                other + other_len
            }),
            Some(seg) => {
                let ((start, _), (other, _)) = side.view(seg);
                if seg.copied() {
                    other + (at - start)
                } else {
                    other
                }
            }
        }
    }

    /// [`map_end`](Self::map_end) once [`end_index`](Self::end_index) found `n`.
    fn end_in(&self, side: Side, at: usize, n: usize) -> usize {
        let Some(seg) = n.checked_sub(1).and_then(|i| self.segments.get(i)) else {
            return 0;
        };
        let ((start, len), (other, other_len)) = side.view(seg);
        if seg.copied() {
            other + (at.min(start + len) - start)
        } else {
            other + other_len
        }
    }
}

/// The first index of `segments` at which `before` is false, for a `before` that is true on a
/// prefix of them ([`slice::partition_point`]). When `before` holds just before `hint`, the
/// search gallops forward from there (steps of 1, 2, 4, …, then a binary search of the last
/// step), so that it costs the logarithm of the distance from `hint`, not of the whole map;
/// otherwise, or without a hint, it is a binary search of all segments.
#[inline]
fn partition_from(
    segments: &[Segment],
    hint: Option<usize>,
    before: impl Fn(&Segment) -> bool,
) -> usize {
    let Some(hint) = hint else {
        return segments.partition_point(before);
    };
    let mut low = hint.min(segments.len());
    if low > 0 && !before(&segments[low - 1]) {
        return segments.partition_point(before);
    }
    // The answer is `low` or after it.
    let mut step = 1;
    loop {
        let probe = low + step - 1;
        match segments.get(probe) {
            Some(s) if before(s) => {
                low = probe + 1;
                step *= 2;
            }
            _ => {
                let high = probe.min(segments.len());
                return low + segments[low..high].partition_point(before);
            }
        }
    }
}

/// Maps normalized offsets of one [`OffsetMap`] to raw offsets like the map's own methods, with
/// the same results, cheaply when the lookups come in increasing order (the starts, and
/// separately the ends, of sorted spans): each costs the logarithm of its distance from the
/// previous one, in segments, instead of the logarithm of the whole map. Lookups out of order
/// stay correct; they cost a binary search, like the map's methods.
#[derive(Clone, Debug)]
pub struct OffsetCursor<'m> {
    map: &'m OffsetMap,
    /// Where the last start lookup ended.
    start_hint: usize,
    /// Where the last end lookup ended.
    end_hint: usize,
}

impl OffsetCursor<'_> {
    /// [`OffsetMap::to_raw_start`].
    #[inline]
    pub fn to_raw_start(&mut self, norm: usize) -> usize {
        let i = self
            .map
            .start_index(Side::Norm, norm, Some(self.start_hint));
        self.start_hint = i;
        self.map.start_in(Side::Norm, norm, i)
    }

    /// [`OffsetMap::to_raw_end`].
    #[inline]
    pub fn to_raw_end(&mut self, norm: usize) -> usize {
        let n = self.map.end_index(Side::Norm, norm, Some(self.end_hint));
        self.end_hint = n;
        self.map.end_in(Side::Norm, norm, n)
    }

    /// [`OffsetMap::to_raw_range`].
    #[inline]
    pub fn to_raw_range(&mut self, start: usize, end: usize) -> (usize, usize) {
        let s = self.to_raw_start(start);
        if end <= start {
            return (s, s);
        }
        let e = self.to_raw_end(end);
        (s, e.max(s))
    }
}

impl TryFrom<Vec<Segment>> for OffsetMap {
    type Error = String;

    fn try_from(segments: Vec<Segment>) -> Result<OffsetMap, String> {
        let (mut norm, mut raw) = (0, 0);
        for (i, s) in segments.iter().enumerate() {
            if s.norm() != norm || s.raw() != raw {
                return Err(format!(
                    "offset map segment {i} starts at ({}, {}), expected ({norm}, {raw})",
                    s.norm(),
                    s.raw()
                ));
            }
            if s.copied() && s.norm_len() != s.raw_len() {
                return Err(format!(
                    "offset map segment {i} is copied but changes length"
                ));
            }
            norm += s.norm_len();
            raw += s.raw_len();
        }
        Ok(OffsetMap { segments })
    }
}

impl From<OffsetMap> for Vec<Segment> {
    fn from(map: OffsetMap) -> Vec<Segment> {
        map.segments
    }
}

/// Builds an [`OffsetMap`] while a normalizer walks the raw text from start to end.
///
/// Report each step once, in order: [`copied`](Self::copied) for bytes passed through unchanged,
/// [`replaced`](Self::replaced) for bytes rewritten (or deleted, with `norm_len == 0`).
#[derive(Debug, Default)]
pub struct OffsetMapBuilder {
    segments: Vec<Segment>,
    norm: usize,
    raw: usize,
}

impl OffsetMapBuilder {
    /// A builder at offset zero on both sides.
    pub fn new() -> OffsetMapBuilder {
        OffsetMapBuilder::default()
    }

    /// A builder at offset zero on both sides, with room for about `segments` segments (each
    /// [`replaced`](Self::replaced) stretch and each run of [`copied`](Self::copied) bytes
    /// between them is one).
    pub fn with_capacity(segments: usize) -> OffsetMapBuilder {
        OffsetMapBuilder {
            segments: Vec::with_capacity(segments),
            ..OffsetMapBuilder::default()
        }
    }

    /// Records `len` bytes copied unchanged from the raw text.
    pub fn copied(&mut self, len: usize) {
        if len == 0 {
            return;
        }
        match self.segments.last_mut() {
            Some(last) if last.copied() => {
                last.2 += len;
                last.3 += len;
            }
            _ => self
                .segments
                .push(Segment(self.norm, self.raw, len, len, true)),
        }
        self.norm += len;
        self.raw += len;
    }

    /// Records `raw_len` raw bytes rewritten as `norm_len` normalized bytes (a deletion when
    /// `norm_len` is zero). Adjacent deletions merge.
    pub fn replaced(&mut self, raw_len: usize, norm_len: usize) {
        if raw_len == 0 && norm_len == 0 {
            return;
        }
        match self.segments.last_mut() {
            Some(last) if !last.copied() && last.norm_len() == 0 && norm_len == 0 => {
                last.3 += raw_len
            }
            _ => self
                .segments
                .push(Segment(self.norm, self.raw, norm_len, raw_len, false)),
        }
        self.norm += norm_len;
        self.raw += raw_len;
    }

    /// Bytes of normalized text recorded so far.
    pub fn norm_offset(&self) -> usize {
        self.norm
    }

    /// Bytes of raw text consumed so far.
    pub fn raw_offset(&self) -> usize {
        self.raw
    }

    /// The finished map.
    pub fn finish(self) -> OffsetMap {
        OffsetMap {
            segments: self.segments,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// raw "  a’b  c  " normalized to "a'b c".
    fn sample() -> OffsetMap {
        let mut b = OffsetMapBuilder::new();
        b.replaced(2, 0); // leading spaces deleted
        b.copied(1); // a
        b.replaced(3, 1); // ’ -> '
        b.copied(1); // b
        b.replaced(2, 1); // two spaces -> one
        b.copied(1); // c
        b.replaced(2, 0); // trailing spaces
        b.finish()
    }

    #[test]
    fn maps_copied_replaced_and_deleted_stretches() {
        let m = sample();
        assert_eq!(m.norm_len(), 5);
        assert_eq!(m.raw_len(), 12);
        assert_eq!(m.to_raw_range(0, 1), (2, 3)); // a
        assert_eq!(m.to_raw_range(1, 2), (3, 6)); // ’
        assert_eq!(m.to_raw_range(0, 5), (2, 10)); // whole text, no outer whitespace
        assert_eq!(m.to_raw_range(4, 5), (9, 10)); // c
        assert_eq!(m.to_norm_range(3, 6), (1, 2));
        assert_eq!(m.to_norm_range(2, 10), (0, 5));
    }

    #[test]
    fn identity_is_identity() {
        let m = OffsetMap::identity(10);
        assert!(m.is_identity() && OffsetMap::identity(0).is_identity());
        assert!(!sample().is_identity());
        for i in 0..=10 {
            assert_eq!(m.to_raw_range(i, 10), (i, 10));
        }
    }

    #[test]
    fn json_round_trip_validates() {
        let m = sample();
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<OffsetMap>(&json).unwrap(), m);
        assert!(serde_json::from_str::<OffsetMap>("[[0,1,1,1,true]]").is_err());
    }

    #[derive(Clone, Debug)]
    enum Op {
        Copy(usize),
        Replace(usize, usize),
    }

    fn ops() -> impl Strategy<Value = Vec<Op>> {
        prop::collection::vec(
            prop_oneof![
                (1usize..8).prop_map(Op::Copy),
                (0usize..5, 0usize..5).prop_map(|(r, n)| Op::Replace(r, n)),
            ],
            0..40,
        )
    }

    proptest! {
        /// Mapped ranges stay inside the raw text, keep start <= end, and grow with their input.
        #[test]
        fn ranges_are_monotone_and_in_bounds(ops in ops()) {
            let mut b = OffsetMapBuilder::new();
            for op in &ops {
                match *op {
                    Op::Copy(n) => b.copied(n),
                    Op::Replace(r, n) => b.replaced(r, n),
                }
            }
            let m = b.finish();
            let n = m.norm_len();
            // A cursor answers like the map, in order and out of order.
            let mut cursor = m.cursor();
            for s in (0..=n).chain((0..=n).rev()).chain([0, n, n / 2, n / 3]) {
                for e in [s, s + 1, s + 3, n] {
                    let e = e.min(n);
                    prop_assert_eq!(cursor.to_raw_range(s, e), m.to_raw_range(s, e));
                    prop_assert_eq!(cursor.to_raw_start(e), m.to_raw_start(e));
                    prop_assert_eq!(cursor.to_raw_end(s), m.to_raw_end(s));
                }
            }
            let mut last = (0, 0);
            for s in 0..=n {
                let (rs, re) = m.to_raw_range(s, n);
                prop_assert!(rs <= re && re <= m.raw_len());
                prop_assert!(rs >= last.0);
                last = (rs, re);
                let (rs2, re2) = m.to_raw_range(s, (s + 1).min(n));
                prop_assert!(rs2 <= re2 && re2 <= m.raw_len());
            }
        }
    }
}
