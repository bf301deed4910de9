//! Content identifiers: [`LfsOid`] (sha256 of an LFS object) and [`ETag`] (the blob name
//! the Hub reports for a file, used as the cache file name).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::revision::string_newtype_impls;

/// Error returned by [`LfsOid::new`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid LFS oid {0:?}: expected a sha256 as exactly 64 hexadecimal digits")]
pub struct InvalidLfsOid(String);

impl InvalidLfsOid {
    /// The rejected string.
    pub fn value(&self) -> &str {
        &self.0
    }
}

/// The sha256 of an LFS object: exactly 64 hexadecimal digits (the `oid` of the LFS
/// batch API and of `lfs.sha256` in tree listings).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LfsOid(String);

impl LfsOid {
    /// Validates `oid` and wraps it.
    pub fn new(oid: impl Into<String>) -> Result<LfsOid, InvalidLfsOid> {
        let oid = oid.into();
        if is_hex(&oid, 64) {
            Ok(LfsOid(oid))
        } else {
            Err(InvalidLfsOid(oid))
        }
    }

    /// The hash as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Error returned by [`ETag::new`] and [`ETag::from_header`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid etag {etag:?}: {reason}")]
pub struct InvalidETag {
    etag: String,
    reason: &'static str,
}

impl InvalidETag {
    /// The rejected string.
    pub fn value(&self) -> &str {
        &self.etag
    }
}

/// A normalized entity tag (no `W/` prefix, no quotes): the git blob sha1 of a regular
/// file or the sha256 of an LFS file, as reported by the `/resolve/` metadata request.
///
/// It names the blob in the cache, so the constructor rejects anything that could not
/// be a single, harmless file name (empty, `.`/`..`, separators, quotes, control
/// characters).
///
/// ```
/// use hf_types::ETag;
/// let etag = ETag::from_header("W/\"0123abcd\"")?;
/// assert_eq!(etag.as_str(), "0123abcd");
/// # Ok::<(), hf_types::InvalidETag>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ETag(String);

impl ETag {
    /// Validates an already normalized etag and wraps it.
    pub fn new(etag: impl Into<String>) -> Result<ETag, InvalidETag> {
        let etag = etag.into();
        let reason = if etag.is_empty() {
            "it is empty"
        } else if etag == "." || etag == ".." {
            "it is a relative path component"
        } else if etag.contains(['/', '\\']) {
            "it contains a path separator"
        } else if etag.contains('"') {
            "it contains a quote (normalize header values with ETag::from_header)"
        } else if etag.chars().any(char::is_control) {
            "it contains a control character"
        } else {
            return Ok(ETag(etag));
        };
        Err(InvalidETag { etag, reason })
    }

    /// Normalizes a raw `ETag` / `X-Linked-Etag` header value the way the Python client
    /// does (strip a leading run of `W` and `/` characters, then `"` at both ends) and
    /// validates the result.
    pub fn from_header(value: &str) -> Result<ETag, InvalidETag> {
        let stripped = value.trim_start_matches(['W', '/']).trim_matches('"');
        ETag::new(stripped)
    }

    /// The normalized etag.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this looks like an LFS sha256 (64 hex digits).
    pub fn is_sha256(&self) -> bool {
        is_hex(&self.0, 64)
    }

    /// The etag as an [`LfsOid`], when it is a sha256.
    pub fn as_lfs_oid(&self) -> Option<LfsOid> {
        LfsOid::new(self.0.clone()).ok()
    }
}

string_newtype_impls!(LfsOid, InvalidLfsOid);
string_newtype_impls!(ETag, InvalidETag);

#[cfg(test)]
mod tests {
    use super::*;

    const SHA256: &str = "a3f5c1e2b4d6f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";

    #[test]
    fn lfs_oid_validation() {
        assert_eq!(LfsOid::new(SHA256).unwrap().as_str(), SHA256);
        assert!(LfsOid::new(SHA256.to_uppercase()).is_ok());
        for bad in [
            "",
            &SHA256[..63],
            "z".repeat(64).as_str(),
            &format!("{SHA256}0"),
        ] {
            let err = LfsOid::new(bad).unwrap_err();
            assert!(err.to_string().contains("64 hexadecimal"), "{err}");
        }
        let parsed: LfsOid = serde_json::from_str(&format!("\"{SHA256}\"")).unwrap();
        assert_eq!(parsed.to_string(), SHA256);
    }

    #[test]
    fn etag_normalization_like_python() {
        for (raw, norm) in [
            ("\"abc123\"", "abc123"),
            ("W/\"abc123\"", "abc123"),
            ("abc123", "abc123"),
            ("WW//\"x\"", "x"),
        ] {
            assert_eq!(ETag::from_header(raw).unwrap().as_str(), norm, "{raw}");
        }
        let lfs = ETag::from_header(&format!("\"{SHA256}\"")).unwrap();
        assert!(lfs.is_sha256());
        assert_eq!(lfs.as_lfs_oid().unwrap().as_str(), SHA256);
        let sha1 = ETag::new("0123456789abcdef0123456789abcdef01234567").unwrap();
        assert!(!sha1.is_sha256());
        assert!(sha1.as_lfs_oid().is_none());
    }

    #[test]
    fn etag_rejects_unsafe_names() {
        for bad in ["", "\"\"", ".", "..", "a/b", "a\\b", "a\nb", "x\"y"] {
            assert!(ETag::from_header(bad).is_err(), "{bad:?}");
        }
        assert!(ETag::new("\"quoted\"").is_err());
    }
}
