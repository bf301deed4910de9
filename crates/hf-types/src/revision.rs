//! Git revisions: [`Revision`] (anything a user may name) and [`CommitOid`] (a commit hash).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::encode::QUOTE_NO_SAFE;

/// Error returned by [`Revision::new`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid revision {rev:?}: {reason}; use a branch, tag, commit hash or refs/pr/N")]
pub struct InvalidRevision {
    rev: String,
    reason: &'static str,
}

impl InvalidRevision {
    /// The rejected string.
    pub fn revision(&self) -> &str {
        &self.rev
    }
}

/// A git revision as the Hub accepts it: a branch, a tag, a commit hash or `refs/pr/N`.
///
/// Only obviously broken values are rejected (empty, or containing control characters);
/// the Hub decides whether the revision exists.
///
/// ```
/// use hf_types::Revision;
/// let pr = Revision::new("refs/pr/3")?;
/// assert_eq!(pr.url_segment(), "refs%2Fpr%2F3");
/// assert_eq!(Revision::main().as_str(), "main");
/// # Ok::<(), hf_types::InvalidRevision>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Revision(String);

impl Revision {
    /// Validates `rev` and wraps it.
    pub fn new(rev: impl Into<String>) -> Result<Revision, InvalidRevision> {
        let rev = rev.into();
        let reason = if rev.is_empty() {
            "it is empty"
        } else if rev.chars().any(char::is_control) {
            "it contains a control character"
        } else {
            return Ok(Revision(rev));
        };
        Err(InvalidRevision { rev, reason })
    }

    /// The default branch, `main`.
    pub fn main() -> Revision {
        Revision("main".to_owned())
    }

    /// The revision as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The revision as one URL path segment, percent-encoded like Python's
    /// `quote(rev, safe="")`: `refs/pr/3` becomes `refs%2Fpr%2F3`, a space `%20`.
    pub fn url_segment(&self) -> String {
        percent_encoding::utf8_percent_encode(&self.0, QUOTE_NO_SAFE).to_string()
    }

    /// Whether this is a full commit hash (40 lowercase hex digits), which the cache
    /// and downloads treat as immutable.
    pub fn is_commit_hash(&self) -> bool {
        self.0.len() == 40
            && self
                .0
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }

    /// Consumes the revision, returning the inner string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl Default for Revision {
    fn default() -> Self {
        Revision::main()
    }
}

impl From<CommitOid> for Revision {
    fn from(oid: CommitOid) -> Self {
        Revision(oid.0)
    }
}

/// Error returned by [`CommitOid::new`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid commit hash {0:?}: expected exactly 40 hexadecimal digits")]
pub struct InvalidCommitOid(String);

impl InvalidCommitOid {
    /// The rejected string.
    pub fn value(&self) -> &str {
        &self.0
    }
}

/// A full git commit hash: exactly 40 hexadecimal digits (as sent by the Hub in
/// `X-Repo-Commit`, `sha` and `commitOid`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommitOid(String);

impl CommitOid {
    /// Validates `oid` and wraps it.
    pub fn new(oid: impl Into<String>) -> Result<CommitOid, InvalidCommitOid> {
        let oid = oid.into();
        if oid.len() == 40 && oid.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(CommitOid(oid))
        } else {
            Err(InvalidCommitOid(oid))
        }
    }

    /// The hash as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_newtype_impls {
    ($ty:ident, $err:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $ty {
            type Err = $err;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::new(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $err;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                $ty::new(s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = $err;

            fn try_from(s: &str) -> Result<Self, Self::Error> {
                $ty::new(s)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $ty::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_newtype_impls;

string_newtype_impls!(Revision, InvalidRevision);
string_newtype_impls!(CommitOid, InvalidCommitOid);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_validation() {
        for ok in [
            "main",
            "v1.0",
            "refs/pr/3",
            "my branch",
            "refs/convert/parquet",
            "é",
        ] {
            assert_eq!(Revision::new(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "ma\nin", "a\u{0}b", "tab\there"] {
            let err = Revision::new(bad).unwrap_err();
            assert_eq!(err.revision(), bad);
            assert!(err.to_string().contains("invalid revision"), "{err}");
        }
        assert_eq!(Revision::default(), Revision::main());
    }

    #[test]
    fn url_segment_matches_python_quote_safe_empty() {
        for (rev, enc) in [
            ("main", "main"),
            ("refs/pr/3", "refs%2Fpr%2F3"),
            ("v1.0", "v1.0"),
            ("my branch", "my%20branch"),
            ("a_b-c~d", "a_b-c~d"),
            ("a+b&c?d#e%f", "a%2Bb%26c%3Fd%23e%25f"),
            ("é", "%C3%A9"),
        ] {
            assert_eq!(Revision::new(rev).unwrap().url_segment(), enc, "{rev}");
        }
    }

    #[test]
    fn commit_hash_detection() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert!(Revision::new(sha).unwrap().is_commit_hash());
        assert!(!Revision::new(sha.to_uppercase()).unwrap().is_commit_hash());
        assert!(!Revision::new(&sha[..39]).unwrap().is_commit_hash());
        assert!(!Revision::main().is_commit_hash());
        let oid = CommitOid::new(sha).unwrap();
        assert!(Revision::from(oid).is_commit_hash());
    }

    #[test]
    fn commit_oid_validation_and_serde() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(CommitOid::new(sha).unwrap().as_str(), sha);
        assert!(CommitOid::new(sha.to_uppercase()).is_ok());
        for bad in [
            "",
            &sha[..39],
            "g123456789abcdef0123456789abcdef01234567",
            "main",
        ] {
            let err = CommitOid::new(bad).unwrap_err();
            assert!(err.to_string().contains("40 hexadecimal"), "{err}");
        }
        let parsed: CommitOid = serde_json::from_str(&format!("\"{sha}\"")).unwrap();
        assert_eq!(parsed.to_string(), sha);
        assert!(serde_json::from_str::<CommitOid>("\"abc\"").is_err());
    }
}
