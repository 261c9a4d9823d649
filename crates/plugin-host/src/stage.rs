//! Running a plugin instance as a pipeline stage.
//!
//! Each call lends the plugin a borrowed view of the event (pointers into the host's own data,
//! built in buffers reused across events, so a call allocates nothing on the host side) and
//! collects what the plugin emits through callbacks that validate everything: offsets inside the
//! raw text and on character boundaries, UTF-8 strings of bounded size, bounded counts. One bad
//! item rejects the whole call, so an event is never half-updated. Faults are contained: an error
//! status or a panic caught by the plugin's SDK dead-letters the event, and a panicked instance is
//! never called again.

use std::collections::BTreeMap;
use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use commwatch_core::{Alert, Communique, Outcome, Severity, Span, StageError, Symbol, fingerprint};
use commwatch_plugin_abi::{
    AlertRef, Emitter, EventView, KvRef, RangeRef, STATUS_DROP, STATUS_EVENT_ERROR, STATUS_FATAL,
    STATUS_OK, STATUS_PANIC, STATUS_REJECTED, SpanRef, Status, StrRef,
};

use crate::loader::{LoadError, Plugin};

/// Longest string (kind, id, label, key, value, rule, summary) a plugin may emit, in bytes.
pub const MAX_STRING_BYTES: usize = 1024;
/// Most items (spans, alerts, metadata keys) a plugin may emit for one event.
pub const MAX_ITEMS_PER_EVENT: usize = 100_000;

/// What to do when a plugin instance panics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PanicPolicy {
    /// Replace the instance and retry the event once on the fresh one; dead-letter it if it
    /// panics again.
    #[default]
    Restart,
    /// Dead-letter the event; a fresh instance handles the next one.
    DeadLetter,
    /// Dead-letter the event and stop the pipeline (draining what is in flight).
    Stop,
}

/// One plugin instance running as a stage. Created and used on one worker thread.
pub struct PluginStage {
    plugin: Arc<Plugin>,
    config: Arc<str>,
    policy: PanicPolicy,
    instance: Option<*mut c_void>,
    buffers: ViewBuffers,
    /// Strings of emitted spans, shared across calls (kinds, ids and labels repeat).
    symbols: Interner,
}

// SAFETY: the instance pointer is only used by the thread that currently owns this value; the
// runtime never shares a stage between threads. View buffers hold pointers only during a call.
unsafe impl Send for PluginStage {}

impl PluginStage {
    /// An instance of `plugin` with `config` (JSON text). Fails if the plugin rejects it.
    pub fn new(
        plugin: Arc<Plugin>,
        config: Arc<str>,
        policy: PanicPolicy,
    ) -> Result<PluginStage, LoadError> {
        let instance = create(&plugin, &config)?;
        Ok(PluginStage {
            plugin,
            config,
            policy,
            instance: Some(instance),
            buffers: ViewBuffers::default(),
            symbols: Interner::default(),
        })
    }

    fn instance(&mut self) -> Result<*mut c_void, StageError> {
        if let Some(i) = self.instance {
            return Ok(i);
        }
        let i = create(&self.plugin, &self.config).map_err(|e| StageError::new(e.to_string()))?;
        self.instance = Some(i);
        Ok(i)
    }

    /// One call of the plugin on `event`: the status and what it emitted.
    fn call(&mut self, event: &Communique) -> Result<(Status, Collected), StageError> {
        let instance = self.instance()?;
        let mut collected = Collected::new(&event.raw);
        collected.symbols = std::mem::take(&mut self.symbols);
        let view = self.buffers.fill(event);
        let emitter = collected.emitter();
        // SAFETY: `instance` came from this plugin's `create`; the view and emitter point at data
        // that outlives the call; the SDK never unwinds across the boundary.
        let status = unsafe { (self.plugin.descriptor().process)(instance, &view, &emitter) };
        self.buffers.clear();
        collected.text = None;
        self.symbols = std::mem::take(&mut collected.symbols);
        Ok((status, collected))
    }

    fn poison(&mut self) {
        // A panicked instance may be corrupt: never call it again, not even `destroy`; leak it.
        self.instance = None;
    }
}

impl Drop for PluginStage {
    fn drop(&mut self) {
        if let Some(instance) = self.instance.take() {
            // SAFETY: a live instance from this plugin's `create`, destroyed once.
            unsafe { (self.plugin.descriptor().destroy)(instance) };
        }
    }
}

fn create(plugin: &Plugin, config: &str) -> Result<*mut c_void, LoadError> {
    let mut collected = Collected::new("");
    let errors = collected.emitter();
    let mut instance: *mut c_void = std::ptr::null_mut();
    // SAFETY: a valid config view, out-pointer and emitter for the duration of the call.
    let status =
        unsafe { (plugin.descriptor().create)(StrRef::new(config), &mut instance, &errors) };
    if status == STATUS_OK && !instance.is_null() {
        return Ok(instance);
    }
    let message = collected.error.take().unwrap_or_else(|| match status {
        STATUS_PANIC => "panicked while reading its configuration".to_string(),
        STATUS_OK => "returned no instance".to_string(),
        other => format!("failed with status {other}"),
    });
    Err(LoadError::Config {
        path: plugin.path().to_path_buf(),
        name: plugin.name().to_string(),
        message,
    })
}

impl commwatch_core::Transform for PluginStage {
    fn process(&mut self, event: &mut Communique) -> Result<Outcome, StageError> {
        let plugin = Arc::clone(&self.plugin);
        let name = plugin.name();
        let mut retried = false;
        loop {
            let (status, mut collected) = self.call(event)?;
            if let Some(problem) = collected.rejected.take() {
                return Err(StageError::new(format!(
                    "plugin {name} emitted {problem}; nothing it emitted was applied"
                )));
            }
            let reason = || {
                collected
                    .error
                    .clone()
                    .unwrap_or_else(|| "no reason given".to_string())
            };
            return match status {
                STATUS_OK => {
                    collected.apply(event);
                    Ok(Outcome::Keep)
                }
                STATUS_DROP => Ok(Outcome::Drop),
                STATUS_EVENT_ERROR => Err(StageError::new(format!("plugin {name}: {}", reason()))),
                STATUS_FATAL => {
                    if let Some(instance) = self.instance.take() {
                        // SAFETY: the plugin declared this instance unusable but not corrupt.
                        unsafe { (self.plugin.descriptor().destroy)(instance) };
                    }
                    Err(StageError::new(format!(
                        "plugin {name} failed and was restarted: {}",
                        reason()
                    )))
                }
                STATUS_PANIC => {
                    self.poison();
                    let message = format!("plugin {name} panicked: {}", reason());
                    tracing::error!(plugin = %name, "{message}");
                    match self.policy {
                        PanicPolicy::Restart if !retried => {
                            retried = true;
                            continue;
                        }
                        PanicPolicy::Stop => Err(StageError::fatal(message)),
                        _ => Err(StageError::new(message)),
                    }
                }
                other => {
                    self.poison();
                    Err(StageError::new(format!(
                        "plugin {name} returned unknown status {other}"
                    )))
                }
            };
        }
    }
}

/// Buffers for the borrowed view, reused across calls. They hold pointers only during a call.
#[derive(Default)]
struct ViewBuffers {
    meta: Vec<KvRef>,
    spans: Vec<SpanRef>,
    sentences: Vec<RangeRef>,
    alerts: Vec<AlertRef>,
    alert_labels: Vec<KvRef>,
    alert_evidence: Vec<SpanRef>,
}

fn span_ref(s: &Span) -> SpanRef {
    SpanRef {
        start: s.start as u64,
        end: s.end as u64,
        kind: StrRef::new(&s.kind),
        id: StrRef::new(&s.id),
        label: StrRef::new(&s.label),
        detail: s.detail.as_deref().map_or(StrRef::EMPTY, StrRef::new),
    }
}

impl ViewBuffers {
    fn fill(&mut self, event: &Communique) -> EventView {
        let opt = |s: &Option<String>| s.as_deref().map_or(StrRef::EMPTY, StrRef::new);
        self.meta.extend(event.metadata.iter().map(|(k, v)| KvRef {
            key: StrRef::new(k),
            value: StrRef::new(v),
        }));
        self.spans.extend(event.spans.iter().map(span_ref));
        self.sentences
            .extend(event.sentences.iter().map(|r| RangeRef {
                start: r.start as u64,
                end: r.end as u64,
            }));
        // Labels and evidence of all alerts go in two flat buffers; fill them completely before
        // taking pointers, since growing a Vec moves it.
        let mut offsets = Vec::with_capacity(event.alerts.len());
        for alert in &event.alerts {
            offsets.push((self.alert_labels.len(), self.alert_evidence.len()));
            self.alert_labels
                .extend(alert.labels.iter().map(|(k, v)| KvRef {
                    key: StrRef::new(k),
                    value: StrRef::new(v),
                }));
            self.alert_evidence
                .extend(alert.evidence.iter().map(span_ref));
        }
        for (alert, (labels_at, evidence_at)) in event.alerts.iter().zip(offsets) {
            self.alerts.push(AlertRef {
                rule: StrRef::new(&alert.rule),
                severity: alert.severity as u32,
                summary: StrRef::new(&alert.summary),
                labels: self.alert_labels[labels_at..].as_ptr(),
                labels_len: alert.labels.len(),
                evidence: self.alert_evidence[evidence_at..].as_ptr(),
                evidence_len: alert.evidence.len(),
            });
        }
        EventView {
            id: StrRef::new(&event.id),
            raw: StrRef::new(&event.raw),
            title: opt(&event.title),
            language: opt(&event.language),
            meta: self.meta.as_ptr(),
            meta_len: self.meta.len(),
            spans: self.spans.as_ptr(),
            spans_len: self.spans.len(),
            sentences: self.sentences.as_ptr(),
            sentences_len: self.sentences.len(),
            alerts: self.alerts.as_ptr(),
            alerts_len: self.alerts.len(),
        }
    }

    fn clear(&mut self) {
        self.meta.clear();
        self.spans.clear();
        self.sentences.clear();
        self.alerts.clear();
        self.alert_labels.clear();
        self.alert_evidence.clear();
    }
}

/// An alert as emitted, before the event it belongs to is known.
struct PendingAlert {
    rule: String,
    severity: Severity,
    summary: String,
    labels: BTreeMap<String, String>,
    evidence: Vec<Span>,
}

/// What the plugin emitted during one call, validated.
struct Collected {
    raw_len: usize,
    /// The raw text, for character-boundary checks; set only while the call runs.
    text: Option<*const str>,
    spans: Vec<Span>,
    alerts: Vec<PendingAlert>,
    meta: Vec<(String, String)>,
    error: Option<String>,
    rejected: Option<String>,
    items: usize,
    /// Where span strings are interned during the call (the stage's, lent for the call).
    symbols: Interner,
}

impl Collected {
    fn new(raw: &str) -> Collected {
        Collected {
            raw_len: raw.len(),
            text: Some(raw as *const str),
            spans: Vec::new(),
            alerts: Vec::new(),
            meta: Vec::new(),
            error: None,
            rejected: None,
            items: 0,
            symbols: Interner::default(),
        }
    }

    fn emitter(&mut self) -> Emitter {
        Emitter {
            ctx: (self as *mut Collected).cast::<c_void>(),
            emit_span: cb_emit_span,
            emit_alert: cb_emit_alert,
            set_meta: cb_set_meta,
            set_error: cb_set_error,
        }
    }

    fn reject(&mut self, problem: String) -> Status {
        self.rejected.get_or_insert(problem);
        STATUS_REJECTED
    }

    fn count(&mut self) -> Result<(), String> {
        self.items += 1;
        if self.items > MAX_ITEMS_PER_EVENT {
            return Err(format!(
                "more than {MAX_ITEMS_PER_EVENT} items for one event"
            ));
        }
        Ok(())
    }

    fn apply(self, event: &mut Communique) {
        // Each span goes after the spans already there that start where it starts or before.
        // With the event's spans in order (as stages keep them), that is a stable sort of the
        // old spans followed by the new ones: linear on two sorted runs, where inserting one by
        // one moves the tail of the list for every span.
        if event.spans.is_sorted_by_key(|s| s.start) {
            event.spans.extend(self.spans);
            event.spans.sort_by_key(|s| s.start);
        } else {
            for span in self.spans {
                let at = event.spans.partition_point(|s| s.start <= span.start);
                event.spans.insert(at, span);
            }
        }
        for a in self.alerts {
            let fp = fingerprint(
                &a.rule,
                a.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            );
            event.alerts.push(Alert {
                rule: a.rule,
                severity: a.severity,
                fingerprint: fp,
                labels: a.labels,
                summary: a.summary,
                evidence: a.evidence,
                communique: event.id.clone(),
                suppressed: None,
                routes: Vec::new(),
            });
        }
        for (k, v) in self.meta {
            event.metadata.insert(k, v);
        }
    }
}

/// A string the plugin passed, checked: UTF-8 and at most [`MAX_STRING_BYTES`].
///
/// # Safety
/// `s` must point at `s.len` readable bytes (the plugin's promise for the call).
unsafe fn checked_str(s: StrRef, what: &str, allow_empty: bool) -> Result<String, String> {
    // SAFETY: the caller's promise.
    unsafe { checked_str_ref(s, what, allow_empty) }.map(str::to_string)
}

/// [`checked_str`] without the copy: the string as the plugin passed it, for the call.
///
/// # Safety
/// `s` must point at `s.len` readable bytes, which stay valid for `'a` (the call).
unsafe fn checked_str_ref<'a>(s: StrRef, what: &str, allow_empty: bool) -> Result<&'a str, String> {
    if s.len > MAX_STRING_BYTES {
        return Err(format!(
            "a {what} of {} bytes (the limit is {MAX_STRING_BYTES})",
            s.len
        ));
    }
    if s.len == 0 {
        return if allow_empty {
            Ok("")
        } else {
            Err(format!("an empty {what}"))
        };
    }
    if s.ptr.is_null() {
        return Err(format!("a {what} with a null pointer"));
    }
    // SAFETY: the caller's promise.
    let bytes = unsafe { std::slice::from_raw_parts(s.ptr, s.len) };
    std::str::from_utf8(bytes).map_err(|_| format!("a {what} that is not UTF-8"))
}

/// Checks a span against the raw text: in bounds, on character boundaries.
///
/// # Safety
/// `span` must be readable; the collector's text pointer must be live.
unsafe fn checked_span(c: &mut Collected, span: &SpanRef) -> Result<Span, String> {
    // SAFETY: the callers' promise.
    let text = unsafe { &*c.text.ok_or("a span outside of an event")? };
    let (start, end) = (span.start, span.end);
    if start > end || end > c.raw_len as u64 {
        return Err(format!(
            "an invalid span {start}..{end} (the text is {} bytes)",
            c.raw_len
        ));
    }
    let (start, end) = (start as usize, end as usize);
    if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return Err(format!(
            "an invalid span {start}..{end} that is not on UTF-8 character boundaries"
        ));
    }
    // SAFETY: the span's strings are readable for the call (the plugin's promise).
    let (kind, id, label, detail) = unsafe {
        (
            checked_str_ref(span.kind, "span kind", false)?,
            checked_str_ref(span.id, "span id", false)?,
            checked_str_ref(span.label, "span label", true)?,
            checked_str_ref(span.detail, "span detail", true)?,
        )
    };
    Ok(Span {
        kind: c.symbols.get(kind),
        id: c.symbols.get(id),
        label: c.symbols.get(label),
        start,
        end,
        detail: (!detail.is_empty()).then(|| c.symbols.get(detail)),
    })
}

/// Span strings emitted recently, so that a kind, id or label emitted again is a reference
/// count rather than an allocation: a few entries compared directly, which costs less than
/// hashing for the handful of distinct kinds and labels a plugin emits.
#[derive(Default)]
struct Interner {
    recent: Vec<Symbol>,
    /// The entry to replace next once `recent` is full.
    next: usize,
}

impl Interner {
    const SIZE: usize = 16;

    fn get(&mut self, s: &str) -> Symbol {
        if let Some(symbol) = self.recent.iter().find(|r| ***r == *s) {
            return Arc::clone(symbol);
        }
        let symbol = Symbol::from(s);
        if self.recent.len() < Self::SIZE {
            self.recent.push(Arc::clone(&symbol));
        } else {
            self.recent[self.next] = Arc::clone(&symbol);
            self.next = (self.next + 1) % Self::SIZE;
        }
        symbol
    }
}

/// Runs a callback body, turning a (host-side) panic into a rejection instead of an abort.
fn guarded(ctx: *mut c_void, f: impl FnOnce(&mut Collected) -> Result<(), String>) -> Status {
    if ctx.is_null() {
        return STATUS_REJECTED;
    }
    // SAFETY: ctx is the `Collected` this host passed in for the current call.
    let c = unsafe { &mut *ctx.cast::<Collected>() };
    match catch_unwind(AssertUnwindSafe(|| f(c))) {
        Ok(Ok(())) => STATUS_OK,
        Ok(Err(problem)) => c.reject(problem),
        Err(_) => c.reject("an item that made the host's validation fail".to_string()),
    }
}

unsafe extern "C" fn cb_emit_span(ctx: *mut c_void, span: *const SpanRef) -> Status {
    guarded(ctx, |c| {
        c.count()?;
        if span.is_null() {
            return Err("a null span".into());
        }
        // SAFETY: non-null, and the plugin's promise for the call.
        let span = unsafe { checked_span(c, &*span)? };
        c.spans.push(span);
        Ok(())
    })
}

unsafe extern "C" fn cb_emit_alert(ctx: *mut c_void, alert: *const AlertRef) -> Status {
    guarded(ctx, |c| {
        c.count()?;
        if alert.is_null() {
            return Err("a null alert".into());
        }
        // SAFETY: non-null, and the plugin's promise for the call.
        let a = unsafe { &*alert };
        // SAFETY: as above for every pointer in the alert.
        let rule = unsafe { checked_str(a.rule, "alert rule", false)? };
        if !rule
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        {
            return Err(format!("an alert rule id {rule:?} that is not [a-z0-9_]+"));
        }
        let severity = *Severity::ALL
            .get(a.severity as usize)
            .ok_or(format!("an alert severity {}", a.severity))?;
        let summary = unsafe { checked_str(a.summary, "alert summary", true)? };
        if a.labels_len > 64 || a.evidence_len > 1024 {
            return Err("an alert with too many labels or evidence spans".into());
        }
        let mut labels = BTreeMap::new();
        if a.labels_len > 0 {
            if a.labels.is_null() {
                return Err("alert labels with a null pointer".into());
            }
            // SAFETY: the plugin's promise for the call.
            for kv in unsafe { std::slice::from_raw_parts(a.labels, a.labels_len) } {
                let key = unsafe { checked_str(kv.key, "label key", false)? };
                let value = unsafe { checked_str(kv.value, "label value", true)? };
                labels.insert(key, value);
            }
        }
        let mut evidence = Vec::with_capacity(a.evidence_len);
        if a.evidence_len > 0 {
            if a.evidence.is_null() {
                return Err("alert evidence with a null pointer".into());
            }
            // SAFETY: the plugin's promise for the call.
            for span in unsafe { std::slice::from_raw_parts(a.evidence, a.evidence_len) } {
                evidence.push(unsafe { checked_span(c, span)? });
            }
        }
        c.alerts.push(PendingAlert {
            rule,
            severity,
            summary,
            labels,
            evidence,
        });
        Ok(())
    })
}

unsafe extern "C" fn cb_set_meta(ctx: *mut c_void, key: StrRef, value: StrRef) -> Status {
    guarded(ctx, |c| {
        c.count()?;
        // SAFETY: the plugin's promise for the call.
        let (key, value) = unsafe {
            (
                checked_str(key, "metadata key", false)?,
                checked_str(value, "metadata value", true)?,
            )
        };
        c.meta.push((key, value));
        Ok(())
    })
}

unsafe extern "C" fn cb_set_error(ctx: *mut c_void, message: StrRef) {
    if ctx.is_null() {
        return;
    }
    // SAFETY: ctx is this call's `Collected`.
    let c = unsafe { &mut *ctx.cast::<Collected>() };
    let len = message.len.min(4096);
    let text = if message.ptr.is_null() || len == 0 {
        String::new()
    } else {
        // SAFETY: the plugin's promise for the call; invalid UTF-8 is replaced.
        String::from_utf8_lossy(unsafe { std::slice::from_raw_parts(message.ptr, len) })
            .into_owned()
    };
    c.error = Some(text);
}
