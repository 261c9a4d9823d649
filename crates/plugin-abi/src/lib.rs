//! The binary interface between commwatch and its native stage plugins.
//!
//! A plugin is a shared library (`cdylib`) that exports one function,
//! [`commwatch_stage_descriptor_v1`](DESCRIPTOR_SYMBOL), returning a pointer to a static
//! [`Descriptor`]. Everything that crosses the boundary is defined here, as `#[repr(C)]` types of
//! integers, raw pointers and `extern "C"` function pointers, so that plugins built with another
//! Rust compiler, or written in C, agree with the host byte for byte. The design, and why it was
//! chosen over `abi_stable`, serialization or WASM, is in `docs/plugins.md`.
//!
//! # Rules of the boundary
//!
//! - **Borrowed views in, callbacks out.** The host lends an [`EventView`] for the duration of
//!   one `process` call; the plugin reports spans, alerts, metadata and errors through the
//!   [`Emitter`] callbacks, which copy and validate what they are given. Nothing is ever freed on
//!   the other side, so each side may use any allocator.
//! - **No unwinding across.** A Rust plugin catches its own panics (the SDK does) and returns
//!   [`STATUS_PANIC`]; since Rust 1.81 an unwind out of an `extern "C"` function aborts.
//! - **A frozen header.** The first fields of [`Descriptor`] (magic, ABI major and minor,
//!   struct size, layout hash) never change. The host reads them before anything else.
//! - **Minor versions append.** New fields go at the end of a struct and bump [`ABI_MINOR`]; the
//!   host reads a field only when the descriptor's `struct_size` covers it. Any other change
//!   bumps [`ABI_MAJOR`] and the symbol name (`…_v2`).
//!
//! This crate has no dependencies and is `no_std`, so a C header can be generated from it
//! (`include/commwatch_stage.h`).

#![no_std]

use core::ffi::c_void;
use core::mem::{align_of, offset_of, size_of};

/// `"CMWSTAGE"` read as a little-endian integer: the first field of every descriptor.
pub const MAGIC: u64 = 0x4547_4154_5357_4D43;
/// ABI major version. A plugin built for another major is refused.
pub const ABI_MAJOR: u32 = 1;
/// ABI minor version. A plugin built for a newer minor than the host's is refused, since it may
/// call callbacks the host does not have.
pub const ABI_MINOR: u32 = 0;
/// The name of the exported entry function for ABI major 1 (without the trailing NUL).
pub const DESCRIPTOR_SYMBOL: &str = "commwatch_stage_descriptor_v1";

/// The plugin's process function returned normally.
pub const STATUS_OK: Status = 0;
/// The plugin wants the event dropped (a filter said no).
pub const STATUS_DROP: Status = 1;
/// The plugin could not process this event; it goes to the dead-letter output. The instance
/// goes on.
pub const STATUS_EVENT_ERROR: Status = 2;
/// The instance is unusable; the host destroys it and makes a new one.
pub const STATUS_FATAL: Status = 3;
/// The plugin panicked (caught by its SDK); the host never calls that instance again.
pub const STATUS_PANIC: Status = 4;
/// Returned by a host callback that refused what it was given (out of bounds, not UTF-8, too
/// large). The whole call is then rejected.
pub const STATUS_REJECTED: Status = 5;

/// The plugin was built with `panic = "unwind"`, so its SDK can catch panics.
pub const CAP_PANIC_UNWIND: u64 = 1 << 0;
/// The plugin may emit spans.
pub const CAP_EMITS_SPANS: u64 = 1 << 1;
/// The plugin may emit alerts.
pub const CAP_EMITS_ALERTS: u64 = 1 << 2;
/// The plugin may drop events.
pub const CAP_MAY_DROP: u64 = 1 << 3;

/// Alert severities as integers, least urgent first.
pub const SEVERITY_INFO: u32 = 0;
/// Low urgency.
pub const SEVERITY_LOW: u32 = 1;
/// Medium urgency.
pub const SEVERITY_MEDIUM: u32 = 2;
/// High urgency.
pub const SEVERITY_HIGH: u32 = 3;
/// Needs attention now.
pub const SEVERITY_CRITICAL: u32 = 4;

/// The result of a call across the boundary: one of the `STATUS_*` constants.
pub type Status = i32;

/// A borrowed UTF-8 string: pointer and length in bytes, not NUL-terminated. Valid only for the
/// call it is passed to, unless it points at static data.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct StrRef {
    /// First byte; may be dangling when `len` is 0.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

impl StrRef {
    /// The empty string.
    pub const EMPTY: StrRef = StrRef {
        ptr: core::ptr::NonNull::<u8>::dangling().as_ptr(),
        len: 0,
    };

    /// A view of `s`.
    pub const fn new(s: &str) -> StrRef {
        StrRef {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }
}

/// A borrowed key/value pair.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct KvRef {
    /// The key.
    pub key: StrRef,
    /// The value.
    pub value: StrRef,
}

/// A span of the event's raw text: byte offsets and what was found there.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SpanRef {
    /// Start byte offset into [`EventView::raw`] (inclusive, on a character boundary).
    pub start: u64,
    /// End byte offset (exclusive, on a character boundary).
    pub end: u64,
    /// What was found: `country`, `region`, `organization`, `group`, `person`, ….
    pub kind: StrRef,
    /// Canonical id (`CD`, `sahel`, `isis`).
    pub id: StrRef,
    /// Display label.
    pub label: StrRef,
    /// Extra detail (a person's title as written), or empty.
    pub detail: StrRef,
}

/// A byte range of the raw text (a sentence).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct RangeRef {
    /// Start byte offset (inclusive).
    pub start: u64,
    /// End byte offset (exclusive).
    pub end: u64,
}

/// An alert: raised by a plugin through [`Emitter::emit_alert`], or shown to it in
/// [`EventView::alerts`].
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct AlertRef {
    /// Rule id (`[a-z0-9_]+`).
    pub rule: StrRef,
    /// One of the `SEVERITY_*` constants.
    pub severity: u32,
    /// One-line human summary.
    pub summary: StrRef,
    /// Labels describing the situation; the fingerprint is computed from the rule and these.
    pub labels: *const KvRef,
    /// Number of labels.
    pub labels_len: usize,
    /// Evidence spans in the raw text.
    pub evidence: *const SpanRef,
    /// Number of evidence spans.
    pub evidence_len: usize,
}

/// A read-only view of one communiqué, lent to the plugin for one `process` call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct EventView {
    /// The communiqué id.
    pub id: StrRef,
    /// The raw text; all offsets index into it.
    pub raw: StrRef,
    /// The title, or empty.
    pub title: StrRef,
    /// The language code (`en`), or empty.
    pub language: StrRef,
    /// Metadata pairs.
    pub meta: *const KvRef,
    /// Number of metadata pairs.
    pub meta_len: usize,
    /// Spans found by earlier stages, by start offset.
    pub spans: *const SpanRef,
    /// Number of spans.
    pub spans_len: usize,
    /// Sentences, in order.
    pub sentences: *const RangeRef,
    /// Number of sentences.
    pub sentences_len: usize,
    /// Alerts raised by earlier stages.
    pub alerts: *const AlertRef,
    /// Number of alerts.
    pub alerts_len: usize,
}

/// Host callbacks, valid for one call. Each copies and validates its input and returns
/// [`STATUS_OK`] or [`STATUS_REJECTED`]; once anything is rejected the whole call is.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Emitter {
    /// Host state; pass it back unchanged.
    pub ctx: *mut c_void,
    /// Adds a span to the event.
    pub emit_span: unsafe extern "C" fn(ctx: *mut c_void, span: *const SpanRef) -> Status,
    /// Adds an alert to the event.
    pub emit_alert: unsafe extern "C" fn(ctx: *mut c_void, alert: *const AlertRef) -> Status,
    /// Sets a metadata key.
    pub set_meta: unsafe extern "C" fn(ctx: *mut c_void, key: StrRef, value: StrRef) -> Status,
    /// Explains an error status (or a rejected configuration, during `create`).
    pub set_error: unsafe extern "C" fn(ctx: *mut c_void, message: StrRef),
}

/// What a plugin is and how to call it. Returned by the exported entry function; must be
/// `'static`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Descriptor {
    /// [`MAGIC`]. Frozen header, never changes.
    pub magic: u64,
    /// [`ABI_MAJOR`] the plugin was built for. Frozen header.
    pub abi_major: u32,
    /// [`ABI_MINOR`] the plugin was built for. Frozen header.
    pub abi_minor: u32,
    /// `size_of::<Descriptor>()` as the plugin knows it. Frozen header.
    pub struct_size: u32,
    /// Reserved, zero. Frozen header.
    pub reserved: u32,
    /// [`LAYOUT_HASH`] as the plugin computed it. Frozen header.
    pub layout_hash: u64,
    /// Plugin name, `[A-Za-z0-9_-]+`.
    pub name: StrRef,
    /// Plugin version, semver.
    pub version: StrRef,
    /// JSON Schema of the plugin's configuration (documentation for users; the plugin's
    /// `create` validates).
    pub config_schema: StrRef,
    /// `CAP_*` bits.
    pub capabilities: u64,
    /// Creates an instance from JSON configuration text, storing it in `*instance`. On failure,
    /// explains through `errors.set_error` and returns [`STATUS_FATAL`].
    pub create: unsafe extern "C" fn(
        config: StrRef,
        instance: *mut *mut c_void,
        errors: *const Emitter,
    ) -> Status,
    /// Processes one event.
    pub process: unsafe extern "C" fn(
        instance: *mut c_void,
        event: *const EventView,
        emitter: *const Emitter,
    ) -> Status,
    /// Frees an instance.
    pub destroy: unsafe extern "C" fn(instance: *mut c_void),
}

/// The type of the exported entry function.
pub type DescriptorFn = unsafe extern "C" fn() -> *const Descriptor;

/// A hash of the sizes, alignments and field offsets of every type above, computed separately
/// by host and plugin. Equal hashes mean both sides lay the types out the same way; a plugin
/// built against an edited ABI without a major bump, or for another pointer width, differs.
pub const LAYOUT_HASH: u64 = layout_hash();

const fn layout_hash() -> u64 {
    let facts: [usize; 67] = [
        size_of::<StrRef>(),
        align_of::<StrRef>(),
        offset_of!(StrRef, ptr),
        offset_of!(StrRef, len),
        size_of::<KvRef>(),
        offset_of!(KvRef, key),
        offset_of!(KvRef, value),
        size_of::<SpanRef>(),
        align_of::<SpanRef>(),
        offset_of!(SpanRef, start),
        offset_of!(SpanRef, end),
        offset_of!(SpanRef, kind),
        offset_of!(SpanRef, id),
        offset_of!(SpanRef, label),
        offset_of!(SpanRef, detail),
        size_of::<RangeRef>(),
        offset_of!(RangeRef, start),
        offset_of!(RangeRef, end),
        size_of::<AlertRef>(),
        offset_of!(AlertRef, rule),
        offset_of!(AlertRef, severity),
        offset_of!(AlertRef, summary),
        offset_of!(AlertRef, labels),
        offset_of!(AlertRef, labels_len),
        offset_of!(AlertRef, evidence),
        offset_of!(AlertRef, evidence_len),
        size_of::<EventView>(),
        offset_of!(EventView, id),
        offset_of!(EventView, raw),
        offset_of!(EventView, title),
        offset_of!(EventView, language),
        offset_of!(EventView, meta),
        offset_of!(EventView, meta_len),
        offset_of!(EventView, spans),
        offset_of!(EventView, spans_len),
        offset_of!(EventView, sentences),
        offset_of!(EventView, sentences_len),
        offset_of!(EventView, alerts),
        offset_of!(EventView, alerts_len),
        size_of::<Emitter>(),
        offset_of!(Emitter, ctx),
        offset_of!(Emitter, emit_span),
        offset_of!(Emitter, emit_alert),
        offset_of!(Emitter, set_meta),
        offset_of!(Emitter, set_error),
        size_of::<Descriptor>(),
        align_of::<Descriptor>(),
        offset_of!(Descriptor, magic),
        offset_of!(Descriptor, abi_major),
        offset_of!(Descriptor, abi_minor),
        offset_of!(Descriptor, struct_size),
        offset_of!(Descriptor, reserved),
        offset_of!(Descriptor, layout_hash),
        offset_of!(Descriptor, name),
        offset_of!(Descriptor, version),
        offset_of!(Descriptor, config_schema),
        offset_of!(Descriptor, capabilities),
        offset_of!(Descriptor, create),
        offset_of!(Descriptor, process),
        offset_of!(Descriptor, destroy),
        size_of::<usize>(),
        size_of::<*const u8>(),
        size_of::<u64>(),
        align_of::<u64>(),
        size_of::<Status>(),
        ABI_MAJOR as usize,
        ABI_MINOR as usize,
    ];
    // FNV-1a over the facts, each as 8 little-endian bytes.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < facts.len() {
        let bytes = (facts[i] as u64).to_le_bytes();
        let mut j = 0;
        while j < 8 {
            hash ^= bytes[j] as u64;
            hash = hash.wrapping_mul(0x0100_0000_01b3);
            j += 1;
        }
        i += 1;
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_frozen() {
        // These offsets are the contract every plugin ever built relies on.
        assert_eq!(offset_of!(Descriptor, magic), 0);
        assert_eq!(offset_of!(Descriptor, abi_major), 8);
        assert_eq!(offset_of!(Descriptor, abi_minor), 12);
        assert_eq!(offset_of!(Descriptor, struct_size), 16);
        assert_eq!(offset_of!(Descriptor, layout_hash), 24);
        assert_eq!(&MAGIC.to_le_bytes(), b"CMWSTAGE");
    }

    /// A change to this value means the ABI changed: bump the major version (and the entry
    /// symbol) unless only fields were appended, then update the value here and regenerate the
    /// C header.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn layout_hash_is_pinned_on_64_bit() {
        assert_eq!(LAYOUT_HASH, 0x1ea7_b926_9fe9_65f0);
    }
}
