//! Write commwatch stage plugins in safe Rust.
//!
//! A plugin is a `cdylib` crate that implements [`Stage`] and calls [`export_stage!`] once. The
//! SDK does everything that needs `unsafe`: it reads the host's borrowed [`Event`] view, reports
//! what the stage finds through the host's callbacks ([`Output`]), catches panics before they
//! reach the C boundary (where they would abort commwatch), and exports the versioned descriptor
//! the host checks before first use. See `docs/plugins.md` for building, configuring and pinning.
//!
//! ```
//! use commwatch_plugin_sdk::{Event, NewSpan, Outcome, Output, Stage, export_stage};
//!
//! /// Tags every occurrence of a keyword.
//! struct Keyword {
//!     word: String,
//! }
//!
//! #[derive(serde::Deserialize)]
//! struct Config {
//!     word: String,
//! }
//!
//! impl Stage for Keyword {
//!     const NAME: &'static str = "keyword";
//!     const VERSION: &'static str = "1.0.0";
//!
//!     fn new(config: &str) -> Result<Self, String> {
//!         let config: Config = commwatch_plugin_sdk::parse_config(config)?;
//!         Ok(Keyword { word: config.word })
//!     }
//!
//!     fn process(&mut self, event: &Event<'_>, out: &mut Output<'_>) -> Result<Outcome, String> {
//!         for (start, _) in event.raw().match_indices(self.word.as_str()) {
//!             let span = NewSpan::new(start, start + self.word.len(), "keyword", &self.word, &self.word);
//!             out.span(&span).map_err(|e| e.to_string())?;
//!         }
//!         Ok(Outcome::Keep)
//!     }
//! }
//!
//! export_stage!(Keyword);
//! ```
//!
//! # Threading
//!
//! The host creates one instance per worker thread and calls it from that thread only, so a
//! stage may keep mutable state without locks. Globals in the plugin must be thread-safe.

use std::cell::RefCell;
use std::ffi::c_void;
use std::fmt;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

pub use commwatch_plugin_abi as abi;

pub mod testing;
use commwatch_plugin_abi::{
    AlertRef, Emitter, EventView, KvRef, RangeRef, STATUS_DROP, STATUS_EVENT_ERROR, STATUS_FATAL,
    STATUS_OK, STATUS_PANIC, SpanRef, Status, StrRef,
};

/// A stage implemented by a plugin.
pub trait Stage: Sized + Send + 'static {
    /// The plugin's name, `[A-Za-z0-9_-]+`.
    const NAME: &'static str;
    /// The plugin's version, semver.
    const VERSION: &'static str;
    /// JSON Schema of the configuration, shown by `commwatch plugins inspect`.
    const CONFIG_SCHEMA: &'static str = r#"{"type":"object"}"#;
    /// What the stage may do: `abi::CAP_EMITS_SPANS`, `abi::CAP_EMITS_ALERTS`, `abi::CAP_MAY_DROP`.
    /// The SDK adds `CAP_PANIC_UNWIND` itself when the plugin is built to unwind.
    const CAPABILITIES: u64 = abi::CAP_EMITS_SPANS | abi::CAP_EMITS_ALERTS;

    /// Creates an instance from the configuration (JSON text of the stage's `config` table). An
    /// `Err` is shown to the user as the reason the configuration was rejected; name the key.
    fn new(config: &str) -> Result<Self, String>;

    /// Processes one event. An `Err` sends the event to the dead-letter output with the message;
    /// the instance carries on.
    fn process(&mut self, event: &Event<'_>, out: &mut Output<'_>) -> Result<Outcome, String>;
}

/// What a stage decided about an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Pass the event on, with whatever the stage emitted.
    Keep,
    /// Drop the event on purpose (declare `CAP_MAY_DROP`).
    Drop,
}

/// Parses a configuration into `T`, naming the offending key in the error
/// (`config.keywords[2]: invalid type: integer, expected a string`).
pub fn parse_config<T: serde::de::DeserializeOwned>(config: &str) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(config);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            format!("config: {}", e.inner())
        } else {
            format!("config.{path}: {}", e.inner())
        }
    })
}

/// # Safety
/// `s` must point at `len` bytes of UTF-8 that live for `'a` (the host's guarantee for views).
unsafe fn str_of<'a>(s: StrRef) -> &'a str {
    if s.len == 0 {
        return "";
    }
    // SAFETY: the host lends valid UTF-8 for the duration of the call.
    unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(s.ptr, s.len)) }
}

/// # Safety
/// `ptr` must point at `len` initialized values that live for `'a`, or `len` must be 0.
unsafe fn slice_of<'a, T>(ptr: *const T, len: usize) -> &'a [T] {
    if len == 0 || ptr.is_null() {
        return &[];
    }
    // SAFETY: the host lends `len` values for the duration of the call.
    unsafe { std::slice::from_raw_parts(ptr, len) }
}

/// A read-only view of the communiqué being processed, valid during one `process` call.
pub struct Event<'a> {
    view: &'a EventView,
}

/// A span found by an earlier stage (or to be emitted): raw byte offsets and what is there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanView<'a> {
    /// Start byte offset into [`Event::raw`].
    pub start: usize,
    /// End byte offset.
    pub end: usize,
    /// Kind: `country`, `region`, `organization`, `group`, `person`, `date`, `resolution`, ….
    pub kind: &'a str,
    /// Canonical id.
    pub id: &'a str,
    /// Display label.
    pub label: &'a str,
    /// Extra detail, if any: a person's title, a `place`'s country (ISO 3166-1 alpha-2), the id
    /// of the organization or group whose name holds a `country_in_name` or `region_in_name`
    /// span, a resolution's year.
    pub detail: Option<&'a str>,
}

/// An alert raised by an earlier stage.
#[derive(Clone, Copy, Debug)]
pub struct AlertView<'a> {
    raw: &'a AlertRef,
}

impl<'a> AlertView<'a> {
    /// The rule id.
    pub fn rule(&self) -> &'a str {
        // SAFETY: views from the host are valid for the call.
        unsafe { str_of(self.raw.rule) }
    }

    /// The summary.
    pub fn summary(&self) -> &'a str {
        // SAFETY: as above.
        unsafe { str_of(self.raw.summary) }
    }

    /// The labels.
    pub fn labels(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        // SAFETY: as above.
        let labels = unsafe { slice_of(self.raw.labels, self.raw.labels_len) };
        labels
            .iter()
            .map(|kv| unsafe { (str_of(kv.key), str_of(kv.value)) })
    }
}

fn span_view<'a>(s: &'a SpanRef) -> SpanView<'a> {
    // SAFETY: views from the host are valid for the call.
    unsafe {
        let detail = str_of(s.detail);
        SpanView {
            start: s.start as usize,
            end: s.end as usize,
            kind: str_of(s.kind),
            id: str_of(s.id),
            label: str_of(s.label),
            detail: (!detail.is_empty()).then_some(detail),
        }
    }
}

impl<'a> Event<'a> {
    /// The communiqué id.
    pub fn id(&self) -> &'a str {
        // SAFETY: views from the host are valid for the call.
        unsafe { str_of(self.view.id) }
    }

    /// The raw text; all offsets index into it.
    pub fn raw(&self) -> &'a str {
        // SAFETY: as above.
        unsafe { str_of(self.view.raw) }
    }

    /// The title, if known.
    pub fn title(&self) -> Option<&'a str> {
        // SAFETY: as above.
        let t = unsafe { str_of(self.view.title) };
        (!t.is_empty()).then_some(t)
    }

    /// The language code, if known.
    pub fn language(&self) -> Option<&'a str> {
        // SAFETY: as above.
        let l = unsafe { str_of(self.view.language) };
        (!l.is_empty()).then_some(l)
    }

    /// Metadata pairs.
    pub fn metadata(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        // SAFETY: as above.
        let meta = unsafe { slice_of(self.view.meta, self.view.meta_len) };
        meta.iter()
            .map(|kv| unsafe { (str_of(kv.key), str_of(kv.value)) })
    }

    /// One metadata value.
    pub fn meta(&self, key: &str) -> Option<&'a str> {
        self.metadata().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Spans found by earlier stages, by start offset.
    pub fn spans(&self) -> impl Iterator<Item = SpanView<'a>> + 'a {
        // SAFETY: as above.
        let spans = unsafe { slice_of(self.view.spans, self.view.spans_len) };
        spans.iter().map(span_view)
    }

    /// Spans of one kind.
    pub fn spans_of(&self, kind: &'a str) -> impl Iterator<Item = SpanView<'a>> + 'a {
        self.spans().filter(move |s| s.kind == kind)
    }

    /// Sentences as raw byte ranges, in order.
    pub fn sentences(&self) -> impl Iterator<Item = Range<usize>> + 'a {
        // SAFETY: as above.
        let sentences: &'a [RangeRef] =
            unsafe { slice_of(self.view.sentences, self.view.sentences_len) };
        sentences.iter().map(|r| r.start as usize..r.end as usize)
    }

    /// Sentences as raw byte ranges: the host's sentences when a normalization stage found them,
    /// else a simple split at `.`, `!`, `?` or a blank line followed by white space, so a plugin
    /// can scope its matches either way.
    pub fn sentence_ranges(&self) -> Vec<Range<usize>> {
        let found: Vec<Range<usize>> = self.sentences().collect();
        if !found.is_empty() {
            return found;
        }
        let raw = self.raw();
        let bytes = raw.as_bytes();
        let mut out = Vec::new();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let end_mark = matches!(b, b'.' | b'!' | b'?')
                && bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace());
            let blank_line = b == b'\n' && bytes.get(i + 1) == Some(&b'\n');
            if end_mark || blank_line {
                if raw[start..=i].trim().len() > 1 {
                    out.push(start..i + 1);
                }
                start = i + 1;
            }
        }
        if raw[start..].trim().len() > 1 {
            out.push(start..raw.len());
        }
        out
    }

    /// Alerts raised by earlier stages.
    pub fn alerts(&self) -> impl Iterator<Item = AlertView<'a>> + 'a {
        // SAFETY: as above.
        let alerts: &'a [AlertRef] = unsafe { slice_of(self.view.alerts, self.view.alerts_len) };
        alerts.iter().map(|raw| AlertView { raw })
    }

    /// The raw text of a span (empty if it does not fit, which the host never produces).
    pub fn text(&self, span: &SpanView<'_>) -> &'a str {
        self.raw().get(span.start..span.end).unwrap_or("")
    }
}

/// The host refused something the stage emitted (out of bounds, off a character boundary, too
/// large). The whole call is then rejected and the event dead-lettered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejected;

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the host rejected an emitted item")
    }
}

impl std::error::Error for Rejected {}

/// A span to emit: raw byte offsets into [`Event::raw`] and what is there.
#[derive(Clone, Copy, Debug)]
pub struct NewSpan<'a> {
    /// Start byte offset (on a character boundary).
    pub start: usize,
    /// End byte offset (on a character boundary).
    pub end: usize,
    /// Kind.
    pub kind: &'a str,
    /// Canonical id.
    pub id: &'a str,
    /// Label.
    pub label: &'a str,
    /// Detail, or `None`.
    pub detail: Option<&'a str>,
}

impl<'a> NewSpan<'a> {
    /// A span without detail.
    pub fn new(
        start: usize,
        end: usize,
        kind: &'a str,
        id: &'a str,
        label: &'a str,
    ) -> NewSpan<'a> {
        NewSpan {
            start,
            end,
            kind,
            id,
            label,
            detail: None,
        }
    }

    fn to_ref(self) -> SpanRef {
        SpanRef {
            start: self.start as u64,
            end: self.end as u64,
            kind: StrRef::new(self.kind),
            id: StrRef::new(self.id),
            label: StrRef::new(self.label),
            detail: self.detail.map_or(StrRef::EMPTY, StrRef::new),
        }
    }
}

impl<'a> From<SpanView<'a>> for NewSpan<'a> {
    fn from(s: SpanView<'a>) -> NewSpan<'a> {
        NewSpan {
            start: s.start,
            end: s.end,
            kind: s.kind,
            id: s.id,
            label: s.label,
            detail: s.detail,
        }
    }
}

/// Alert severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth recording.
    Info,
    /// Low urgency.
    Low,
    /// Medium urgency.
    Medium,
    /// High urgency.
    High,
    /// Needs attention now.
    Critical,
}

/// An alert to emit. The host computes its fingerprint from the rule and the labels.
#[derive(Clone, Debug)]
pub struct NewAlert<'a> {
    /// Rule id, `[a-z0-9_]+`.
    pub rule: &'a str,
    /// Severity.
    pub severity: Severity,
    /// One-line summary.
    pub summary: &'a str,
    /// Labels (key, value), e.g. `("country", "ML")`.
    pub labels: Vec<(&'a str, &'a str)>,
    /// Evidence spans in the raw text.
    pub evidence: Vec<NewSpan<'a>>,
}

/// Where a stage reports what it found, valid during one `process` call.
pub struct Output<'a> {
    emitter: &'a Emitter,
}

impl Output<'_> {
    /// Adds a span to the event.
    pub fn span(&mut self, span: &NewSpan<'_>) -> Result<(), Rejected> {
        let r = span.to_ref();
        // SAFETY: the emitter and its ctx come from the host and are valid for this call.
        let status = unsafe { (self.emitter.emit_span)(self.emitter.ctx, &r) };
        if status == STATUS_OK {
            Ok(())
        } else {
            Err(Rejected)
        }
    }

    /// Adds an alert to the event.
    pub fn alert(&mut self, alert: &NewAlert<'_>) -> Result<(), Rejected> {
        let labels: Vec<KvRef> = alert
            .labels
            .iter()
            .map(|(k, v)| KvRef {
                key: StrRef::new(k),
                value: StrRef::new(v),
            })
            .collect();
        let evidence: Vec<SpanRef> = alert.evidence.iter().map(|s| s.to_ref()).collect();
        let severity = match alert.severity {
            Severity::Info => abi::SEVERITY_INFO,
            Severity::Low => abi::SEVERITY_LOW,
            Severity::Medium => abi::SEVERITY_MEDIUM,
            Severity::High => abi::SEVERITY_HIGH,
            Severity::Critical => abi::SEVERITY_CRITICAL,
        };
        let r = AlertRef {
            rule: StrRef::new(alert.rule),
            severity,
            summary: StrRef::new(alert.summary),
            labels: labels.as_ptr(),
            labels_len: labels.len(),
            evidence: evidence.as_ptr(),
            evidence_len: evidence.len(),
        };
        // SAFETY: as above; `labels` and `evidence` outlive the call.
        let status = unsafe { (self.emitter.emit_alert)(self.emitter.ctx, &r) };
        if status == STATUS_OK {
            Ok(())
        } else {
            Err(Rejected)
        }
    }

    /// Sets a metadata key on the event.
    pub fn meta(&mut self, key: &str, value: &str) -> Result<(), Rejected> {
        // SAFETY: as above.
        let status = unsafe {
            (self.emitter.set_meta)(self.emitter.ctx, StrRef::new(key), StrRef::new(value))
        };
        if status == STATUS_OK {
            Ok(())
        } else {
            Err(Rejected)
        }
    }
}

thread_local! {
    /// The message of the last panic on this thread, captured by the SDK's panic hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once per plugin) a panic hook that records the message for the host instead of
/// printing it; the host logs it with the stage id.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic with a non-string payload".to_string());
            let located = match info.location() {
                Some(l) => format!("{message} (at {}:{})", l.file(), l.line()),
                None => message,
            };
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(located));
        }));
    });
}

fn report_error(emitter: &Emitter, message: &str) {
    // SAFETY: the emitter and its ctx come from the host and are valid for this call.
    unsafe { (emitter.set_error)(emitter.ctx, StrRef::new(message)) }
}

fn report_panic(emitter: &Emitter) {
    let message = LAST_PANIC
        .with(|p| p.borrow_mut().take())
        .unwrap_or_else(|| "panicked".to_string());
    report_error(emitter, &message);
}

#[doc(hidden)]
pub mod __private {
    //! What [`export_stage!`](crate::export_stage) expands to. Not a public API.

    use super::*;

    /// The descriptor, in a static the host can read from any thread.
    #[repr(transparent)]
    pub struct DescriptorCell(pub abi::Descriptor);

    // SAFETY: the descriptor only points at 'static immutable data (string literals, functions).
    unsafe impl Sync for DescriptorCell {}

    impl DescriptorCell {
        /// The descriptor of stage `T`.
        pub const fn new<T: Stage>() -> DescriptorCell {
            let unwind = if cfg!(panic = "unwind") {
                abi::CAP_PANIC_UNWIND
            } else {
                0
            };
            DescriptorCell(abi::Descriptor {
                magic: abi::MAGIC,
                abi_major: abi::ABI_MAJOR,
                abi_minor: abi::ABI_MINOR,
                struct_size: std::mem::size_of::<abi::Descriptor>() as u32,
                reserved: 0,
                layout_hash: abi::LAYOUT_HASH,
                name: StrRef::new(T::NAME),
                version: StrRef::new(T::VERSION),
                config_schema: StrRef::new(T::CONFIG_SCHEMA),
                capabilities: T::CAPABILITIES | unwind,
                create: create::<T>,
                process: process::<T>,
                destroy: destroy::<T>,
            })
        }
    }

    /// `create` for stage `T`.
    ///
    /// # Safety
    /// Called by the host with a valid config view, an out-pointer and an emitter.
    pub unsafe extern "C" fn create<T: Stage>(
        config: StrRef,
        instance: *mut *mut c_void,
        errors: *const Emitter,
    ) -> Status {
        install_panic_hook();
        // SAFETY: the host passes a valid emitter and config view for this call.
        let errors = unsafe { &*errors };
        let config = unsafe { str_of(config) };
        match catch_unwind(|| T::new(config)) {
            Ok(Ok(stage)) => {
                // SAFETY: the host passes a valid out-pointer.
                unsafe { *instance = Box::into_raw(Box::new(stage)).cast::<c_void>() };
                STATUS_OK
            }
            Ok(Err(message)) => {
                report_error(errors, &message);
                STATUS_FATAL
            }
            Err(_) => {
                report_panic(errors);
                STATUS_PANIC
            }
        }
    }

    /// `process` for stage `T`.
    ///
    /// # Safety
    /// Called by the host with an instance made by `create::<T>`, a valid event view and emitter.
    pub unsafe extern "C" fn process<T: Stage>(
        instance: *mut c_void,
        event: *const EventView,
        emitter: *const Emitter,
    ) -> Status {
        // SAFETY: the host passes the instance `create` made, and views valid for this call.
        let (stage, view, emitter) = unsafe { (&mut *instance.cast::<T>(), &*event, &*emitter) };
        let result = catch_unwind(AssertUnwindSafe(|| {
            let event = Event { view };
            let mut out = Output { emitter };
            stage.process(&event, &mut out)
        }));
        match result {
            Ok(Ok(Outcome::Keep)) => STATUS_OK,
            Ok(Ok(Outcome::Drop)) => STATUS_DROP,
            Ok(Err(message)) => {
                report_error(emitter, &message);
                STATUS_EVENT_ERROR
            }
            Err(_) => {
                report_panic(emitter);
                STATUS_PANIC
            }
        }
    }

    /// `destroy` for stage `T`.
    ///
    /// # Safety
    /// Called by the host once with an instance made by `create::<T>`.
    pub unsafe extern "C" fn destroy<T: Stage>(instance: *mut c_void) {
        if !instance.is_null() {
            // SAFETY: `instance` came from `Box::into_raw` in `create::<T>`; dropping may panic,
            // which must not unwind into the host.
            let _ = catch_unwind(AssertUnwindSafe(|| {
                drop(unsafe { Box::from_raw(instance.cast::<T>()) })
            }));
        }
    }
}

/// Exports a [`Stage`] as a commwatch plugin: generates the static descriptor and the
/// `commwatch_stage_descriptor_v1` entry function. Call it once per plugin crate.
#[macro_export]
macro_rules! export_stage {
    ($stage:ty) => {
        static __COMMWATCH_STAGE_DESCRIPTOR: $crate::__private::DescriptorCell =
            $crate::__private::DescriptorCell::new::<$stage>();

        /// The plugin's entry point, called by the commwatch host.
        #[unsafe(no_mangle)]
        pub extern "C" fn commwatch_stage_descriptor_v1() -> *const $crate::abi::Descriptor {
            &__COMMWATCH_STAGE_DESCRIPTOR.0
        }
    };
}
