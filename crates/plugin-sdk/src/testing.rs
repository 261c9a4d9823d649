//! Unit-testing a stage without a host: build a [`TestEvent`], [`run`] the stage on it, and look
//! at what it [`Emitted`]. The event is lent to the stage through the same borrowed view and
//! callbacks the host uses, so what passes here behaves the same when loaded by commwatch
//! (the host additionally rejects out-of-bounds spans, which [`run`] reports as an error too).

use std::ffi::c_void;
use std::ops::Range;

use crate::abi::{
    AlertRef, Emitter, EventView, KvRef, RangeRef, STATUS_OK, STATUS_REJECTED, SpanRef, Status,
    StrRef,
};
use crate::{Event, Outcome, Output, Stage};

/// An owned span, for test input and output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestSpan {
    /// Start byte offset.
    pub start: usize,
    /// End byte offset.
    pub end: usize,
    /// Kind.
    pub kind: String,
    /// Canonical id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Detail (a person's title, a place's country code), or `None`.
    pub detail: Option<String>,
}

impl TestSpan {
    /// A span of `kind`/`id` over the first occurrence of `text` in `raw`.
    ///
    /// # Panics
    /// If `text` does not occur in `raw` (a mistake in the test).
    pub fn find(raw: &str, text: &str, kind: &str, id: &str) -> TestSpan {
        let start = raw
            .find(text)
            .unwrap_or_else(|| panic!("{text:?} not in the test text"));
        TestSpan {
            start,
            end: start + text.len(),
            kind: kind.into(),
            id: id.into(),
            label: text.into(),
            detail: None,
        }
    }

    /// The same span with a detail.
    pub fn with_detail(mut self, detail: &str) -> TestSpan {
        self.detail = Some(detail.into());
        self
    }
}

/// An owned alert, as emitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestAlert {
    /// Rule id.
    pub rule: String,
    /// Severity (0 info … 4 critical).
    pub severity: u32,
    /// Summary.
    pub summary: String,
    /// Labels.
    pub labels: Vec<(String, String)>,
    /// Evidence.
    pub evidence: Vec<TestSpan>,
}

impl TestAlert {
    /// The value of a label.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A communiqué to test a stage on.
#[derive(Clone, Debug, Default)]
pub struct TestEvent {
    /// Id.
    pub id: String,
    /// Raw text.
    pub raw: String,
    /// Title.
    pub title: Option<String>,
    /// Spans from "earlier stages".
    pub spans: Vec<TestSpan>,
    /// Sentences as byte ranges.
    pub sentences: Vec<Range<usize>>,
    /// Metadata.
    pub metadata: Vec<(String, String)>,
}

/// What a stage emitted for one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Emitted {
    /// Keep or drop.
    pub outcome: Outcome,
    /// Spans emitted.
    pub spans: Vec<TestSpan>,
    /// Alerts emitted.
    pub alerts: Vec<TestAlert>,
    /// Metadata set.
    pub metadata: Vec<(String, String)>,
}

struct Collector {
    raw_len: usize,
    emitted: Emitted,
    problem: Option<String>,
}

fn owned(s: StrRef) -> String {
    if s.len == 0 {
        return String::new();
    }
    // SAFETY: the SDK's own Output passes views of live strings.
    String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(s.ptr, s.len) }).into_owned()
}

fn owned_span(c: &mut Collector, s: &SpanRef) -> TestSpan {
    if s.start > s.end || s.end as usize > c.raw_len {
        c.problem.get_or_insert(format!(
            "invalid span {}..{} (the text is {} bytes)",
            s.start, s.end, c.raw_len
        ));
    }
    TestSpan {
        start: s.start as usize,
        end: s.end as usize,
        kind: owned(s.kind),
        id: owned(s.id),
        label: owned(s.label),
        detail: (s.detail.len != 0).then(|| owned(s.detail)),
    }
}

fn collector<'a>(ctx: *mut c_void) -> &'a mut Collector {
    // SAFETY: ctx is the Collector `run` created for this call.
    unsafe { &mut *ctx.cast::<Collector>() }
}

unsafe extern "C" fn emit_span(ctx: *mut c_void, span: *const SpanRef) -> Status {
    let c = collector(ctx);
    // SAFETY: from the SDK's Output, valid for the call.
    let span = owned_span(c, unsafe { &*span });
    c.emitted.spans.push(span);
    if c.problem.is_some() {
        STATUS_REJECTED
    } else {
        STATUS_OK
    }
}

unsafe extern "C" fn emit_alert(ctx: *mut c_void, alert: *const AlertRef) -> Status {
    let c = collector(ctx);
    // SAFETY: from the SDK's Output, valid for the call.
    let a = unsafe { &*alert };
    let labels = unsafe { crate::slice_of(a.labels, a.labels_len) }
        .iter()
        .map(|kv| (owned(kv.key), owned(kv.value)))
        .collect();
    let evidence = unsafe { crate::slice_of(a.evidence, a.evidence_len) }
        .iter()
        .map(|s| owned_span(c, s))
        .collect();
    c.emitted.alerts.push(TestAlert {
        rule: owned(a.rule),
        severity: a.severity,
        summary: owned(a.summary),
        labels,
        evidence,
    });
    if c.problem.is_some() {
        STATUS_REJECTED
    } else {
        STATUS_OK
    }
}

unsafe extern "C" fn set_meta(ctx: *mut c_void, key: StrRef, value: StrRef) -> Status {
    collector(ctx)
        .emitted
        .metadata
        .push((owned(key), owned(value)));
    STATUS_OK
}

unsafe extern "C" fn set_error(_ctx: *mut c_void, _message: StrRef) {}

/// Runs `stage` on `event` as the host would, returning what it emitted, or the stage's error
/// (or a description of an invalid item it emitted).
pub fn run<T: Stage>(stage: &mut T, event: &TestEvent) -> Result<Emitted, String> {
    let str_ref = |s: &str| StrRef::new(s);
    let spans: Vec<SpanRef> = event
        .spans
        .iter()
        .map(|s| SpanRef {
            start: s.start as u64,
            end: s.end as u64,
            kind: str_ref(&s.kind),
            id: str_ref(&s.id),
            label: str_ref(&s.label),
            detail: s.detail.as_deref().map_or(StrRef::EMPTY, str_ref),
        })
        .collect();
    let sentences: Vec<RangeRef> = event
        .sentences
        .iter()
        .map(|r| RangeRef {
            start: r.start as u64,
            end: r.end as u64,
        })
        .collect();
    let meta: Vec<KvRef> = event
        .metadata
        .iter()
        .map(|(k, v)| KvRef {
            key: str_ref(k),
            value: str_ref(v),
        })
        .collect();
    let view = EventView {
        id: str_ref(&event.id),
        raw: str_ref(&event.raw),
        title: event.title.as_deref().map_or(StrRef::EMPTY, str_ref),
        language: StrRef::EMPTY,
        meta: meta.as_ptr(),
        meta_len: meta.len(),
        spans: spans.as_ptr(),
        spans_len: spans.len(),
        sentences: sentences.as_ptr(),
        sentences_len: sentences.len(),
        alerts: std::ptr::null(),
        alerts_len: 0,
    };
    let mut collector = Collector {
        raw_len: event.raw.len(),
        emitted: Emitted {
            outcome: Outcome::Keep,
            spans: Vec::new(),
            alerts: Vec::new(),
            metadata: Vec::new(),
        },
        problem: None,
    };
    let emitter = Emitter {
        ctx: (&mut collector as *mut Collector).cast::<c_void>(),
        emit_span,
        emit_alert,
        set_meta,
        set_error,
    };
    let outcome = stage.process(&Event { view: &view }, &mut Output { emitter: &emitter })?;
    if let Some(problem) = collector.problem {
        return Err(problem);
    }
    collector.emitted.outcome = outcome;
    Ok(collector.emitted)
}
