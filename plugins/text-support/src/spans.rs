//! Finding the spans of a sentence without looking at every span of the document.

use std::cell::Cell;
use std::ops::Range;

use commwatch_plugin_sdk::SpanView;

/// Spans of a document in the event's order, ready to be asked which of them lie within a byte
/// range: when they are sorted by start (as the host keeps them), and the ranges are asked in
/// order (as sentences come), each span is looked at about once; otherwise every span is.
#[derive(Debug)]
pub struct Spans<'a> {
    list: Vec<SpanView<'a>>,
    sorted: bool,
    /// Where the last search started, and the index of the first span that starts there or
    /// after: ranges asked in order (sentences) look only at what follows.
    last: Cell<(usize, usize)>,
}

impl<'a> Spans<'a> {
    /// The spans of `list`, in its order.
    #[inline]
    pub fn new(list: Vec<SpanView<'a>>) -> Spans<'a> {
        let sorted = list.is_sorted_by_key(|s| s.start);
        Spans {
            list,
            sorted,
            last: Cell::new((0, 0)),
        }
    }

    /// All the spans, in order.
    #[inline]
    pub fn as_slice(&self) -> &[SpanView<'a>] {
        &self.list
    }

    /// The spans that lie within `range` (start at or after its start, end at or before its
    /// end), in order: the same as filtering [`Spans::as_slice`].
    #[inline]
    pub fn within(&self, range: &Range<usize>) -> impl Iterator<Item = &SpanView<'a>> {
        let (first, last_start) = if self.sorted {
            let (from, mut first) = self.last.get();
            if range.start < from {
                first = 0;
            }
            while self.list.get(first).is_some_and(|s| s.start < range.start) {
                first += 1;
            }
            self.last.set((range.start, first));
            (first, range.end)
        } else {
            (0, usize::MAX)
        };
        let (start, end) = (range.start, range.end);
        self.list[first..]
            .iter()
            .take_while(move |s| s.start <= last_start)
            .filter(move |s| s.start >= start && s.end <= end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize) -> SpanView<'static> {
        SpanView {
            start,
            end,
            kind: "country",
            id: "XX",
            label: "X",
            detail: None,
        }
    }

    #[test]
    fn within_is_the_filter_sorted_or_not_in_any_order() {
        let sorted: Vec<SpanView<'_>> =
            [(0, 4), (2, 9), (5, 5), (5, 8), (8, 12), (10, 11), (12, 20)]
                .iter()
                .map(|&(s, e)| span(s, e))
                .collect();
        let mut unsorted = sorted.clone();
        unsorted.reverse();
        unsorted.swap(0, 3);
        for list in [sorted, unsorted, Vec::new()] {
            let spans = Spans::new(list.clone());
            assert_eq!(spans.as_slice(), &list[..]);
            // In order, as sentences come, and backwards.
            for start in (0..22).chain((0..22).rev()) {
                for end in start..22 {
                    let range = start..end;
                    let want: Vec<_> = list
                        .iter()
                        .filter(|s| s.start >= range.start && s.end <= range.end)
                        .collect();
                    let got: Vec<_> = spans.within(&range).collect();
                    assert_eq!(got, want, "{range:?}");
                }
            }
        }
    }
}
