//! Stable identifiers: content ids for documents without one, fingerprints for alerts.
//!
//! Both are truncated SHA-256 digests in lowercase hex. They must never change between
//! releases: stored alert histories and deduplication across instances rely on them.

use sha2::{Digest, Sha256};

/// The id of a document that does not carry one: `sha256:` and the first 128 bits of the SHA-256
/// of its text, in hex. The same text always gets the same id.
pub fn content_id(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!("sha256:{}", hex(&digest[..16]))
}

/// The fingerprint of an alert: a digest of the rule id and its key labels (name and value, in
/// the order given), so the same situation gets the same fingerprint in every run and instance.
///
/// Fields are length-prefixed before hashing, so `("ab", "c")` and `("a", "bc")` differ.
pub fn fingerprint<'a>(
    rule: &str,
    key_labels: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut hasher = Sha256::new();
    let mut field = |s: &str| {
        hasher.update((s.len() as u64).to_le_bytes());
        hasher.update(s.as_bytes());
    };
    field(rule);
    for (name, value) in key_labels {
        field(name);
        field(value);
    }
    hex(&hasher.finalize()[..8])
}

/// Lowercase hex, two digits a byte (by table: `format!` per byte cost more than the hashing
/// of a short fingerprint).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_id_is_a_known_digest() {
        // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assert_eq!(content_id("abc"), "sha256:ba7816bf8f01cfea414140de5dae2223");
    }

    #[test]
    fn fingerprint_separates_fields() {
        let a = fingerprint("r", [("ab", "c")]);
        let b = fingerprint("r", [("a", "bc")]);
        assert_ne!(a, b);
        assert_eq!(a, fingerprint("r", [("ab", "c")]));
        assert_eq!(a.len(), 16);
    }
}
