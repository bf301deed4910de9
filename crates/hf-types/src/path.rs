//! [`RepoPath`]: a validated file path inside a repository.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::encode::{QUOTE_NO_SAFE, QUOTE_PATH};
use crate::revision::string_newtype_impls;

/// Which path rule a string broke; see [`InvalidRepoPath`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RepoPathRule {
    /// The path is empty.
    Empty,
    /// The path starts with `/`; repo paths are relative to the repo root.
    Absolute,
    /// Two consecutive `/` or a trailing `/` (an empty segment).
    EmptySegment,
    /// A `.` or `..` segment.
    DotSegment,
    /// A backslash, which Windows would read as a separator.
    Backslash,
    /// A NUL byte.
    Nul,
}

impl RepoPathRule {
    fn describe(self) -> &'static str {
        match self {
            RepoPathRule::Empty => "it is empty",
            RepoPathRule::Absolute => "it starts with '/' (give it relative to the repo root)",
            RepoPathRule::EmptySegment => "it has an empty segment ('//' or a trailing '/')",
            RepoPathRule::DotSegment => "it has a '.' or '..' segment",
            RepoPathRule::Backslash => "it contains a backslash (use '/' as the separator)",
            RepoPathRule::Nul => "it contains a NUL character",
        }
    }
}

/// Error returned by [`RepoPath::new`]: names the rejected path and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path in repo {path:?}: {}", rule.describe())]
pub struct InvalidRepoPath {
    path: String,
    rule: RepoPathRule,
}

impl InvalidRepoPath {
    /// The rejected string.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The rule it broke.
    pub fn rule(&self) -> RepoPathRule {
        self.rule
    }
}

/// A file path inside a repository, such as `config.json` or `onnx/model.onnx`.
///
/// Always relative and `/`-separated, with no empty, `.` or `..` segment, no backslash
/// and no NUL, so it can be joined under a local directory without escaping it.
///
/// ```
/// use hf_types::RepoPath;
/// let p = RepoPath::new("sub dir/model.bin")?;
/// assert_eq!(p.url_encoded(), "sub%20dir/model.bin");
/// assert!(RepoPath::new("../etc/passwd").is_err());
/// # Ok::<(), hf_types::InvalidRepoPath>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoPath(String);

impl RepoPath {
    /// Validates `p` and wraps it.
    pub fn new(p: impl Into<String>) -> Result<RepoPath, InvalidRepoPath> {
        let path = p.into();
        match check_path(&path) {
            Ok(()) => Ok(RepoPath(path)),
            Err(rule) => Err(InvalidRepoPath { path, rule }),
        }
    }

    /// The path as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path percent-encoded for `/resolve/{rev}/{path}` URLs, like Python's
    /// `quote(path)`: `/` is kept, everything outside `A-Za-z0-9_.-~` is encoded.
    pub fn url_encoded(&self) -> String {
        percent_encoding::utf8_percent_encode(&self.0, QUOTE_PATH).to_string()
    }

    /// The path as one URL segment, like Python's `quote(path, safe="")` (`/` becomes
    /// `%2F`), as `list_repo_tree` sends it after `/tree/{rev}/`.
    pub fn url_segment(&self) -> String {
        percent_encoding::utf8_percent_encode(&self.0, QUOTE_NO_SAFE).to_string()
    }

    /// The `/`-separated segments, in order.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// The last segment (the file name).
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or(&self.0)
    }

    /// Consumes the path, returning the inner string.
    pub fn into_string(self) -> String {
        self.0
    }
}

fn check_path(path: &str) -> Result<(), RepoPathRule> {
    if path.is_empty() {
        return Err(RepoPathRule::Empty);
    }
    if path.contains('\0') {
        return Err(RepoPathRule::Nul);
    }
    if path.contains('\\') {
        return Err(RepoPathRule::Backslash);
    }
    if path.starts_with('/') {
        return Err(RepoPathRule::Absolute);
    }
    for segment in path.split('/') {
        match segment {
            "" => return Err(RepoPathRule::EmptySegment),
            "." | ".." => return Err(RepoPathRule::DotSegment),
            _ => {}
        }
    }
    Ok(())
}

string_newtype_impls!(RepoPath, InvalidRepoPath);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_paths() {
        for ok in [
            "config.json",
            "onnx/model.onnx",
            ".gitattributes",
            "a/.hidden/b",
            "..a/b..",
            "sp ace/ü.txt",
            "...",
        ] {
            assert_eq!(RepoPath::new(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejects_with_named_rule() {
        for (bad, rule) in [
            ("", RepoPathRule::Empty),
            ("/abs", RepoPathRule::Absolute),
            ("a//b", RepoPathRule::EmptySegment),
            ("dir/", RepoPathRule::EmptySegment),
            (".", RepoPathRule::DotSegment),
            ("..", RepoPathRule::DotSegment),
            ("../etc/passwd", RepoPathRule::DotSegment),
            ("a/./b", RepoPathRule::DotSegment),
            ("a/../../b", RepoPathRule::DotSegment),
            ("a/..", RepoPathRule::DotSegment),
            ("..\\evil", RepoPathRule::Backslash),
            ("a\\b", RepoPathRule::Backslash),
            ("a\0b", RepoPathRule::Nul),
        ] {
            let err = RepoPath::new(bad).unwrap_err();
            assert_eq!(err.rule(), rule, "{bad:?}: {err}");
            assert_eq!(err.path(), bad);
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn url_encodings_match_python_quote() {
        for (path, resolve, tree) in [
            ("config.json", "config.json", "config.json"),
            ("a b/c.txt", "a%20b/c.txt", "a%20b%2Fc.txt"),
            (
                "dir/sub/f~_-.bin",
                "dir/sub/f~_-.bin",
                "dir%2Fsub%2Ff~_-.bin",
            ),
            (
                "q?#%&+=.txt",
                "q%3F%23%25%26%2B%3D.txt",
                "q%3F%23%25%26%2B%3D.txt",
            ),
            ("ü.txt", "%C3%BC.txt", "%C3%BC.txt"),
        ] {
            let p = RepoPath::new(path).unwrap();
            assert_eq!(p.url_encoded(), resolve, "{path}");
            assert_eq!(p.url_segment(), tree, "{path}");
        }
    }

    #[test]
    fn segments_and_serde() {
        let p = RepoPath::new("a/b/c.txt").unwrap();
        assert_eq!(p.segments().collect::<Vec<_>>(), ["a", "b", "c.txt"]);
        assert_eq!(p.file_name(), "c.txt");
        assert_eq!(RepoPath::new("x").unwrap().file_name(), "x");
        let back: RepoPath = serde_json::from_str("\"a/b/c.txt\"").unwrap();
        assert_eq!(back, p);
        assert!(serde_json::from_str::<RepoPath>("\"../x\"").is_err());
    }
}
