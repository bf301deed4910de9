//! `hf://` URIs ([`HfUri`]): a repo, a revision and a path in one string, as the newest
//! Python clients write them (`hf download hf://datasets/org/ds@v1/train/`).

use std::fmt;
use std::str::FromStr;

use crate::{RepoId, RepoType, Revision};

/// Error returned by [`HfUri::parse`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid hf:// URI {uri:?}: {reason}")]
pub struct InvalidHfUri {
    uri: String,
    reason: String,
}

impl InvalidHfUri {
    fn new(uri: &str, reason: impl Into<String>) -> InvalidHfUri {
        InvalidHfUri {
            uri: uri.to_owned(),
            reason: reason.into(),
        }
    }

    /// The rejected string.
    pub fn uri(&self) -> &str {
        &self.uri
    }
}

/// A location on the Hub: `hf://[TYPE/]NAMESPACE/NAME[@REVISION][/PATH]`, the grammar of
/// the newest Python clients' `parse_hf_uri` for repositories.
///
/// - `TYPE` is a plural prefix (`models/`, `datasets/`, `spaces/`, `kernels/`); without
///   it the repo is a model. A singular prefix (`dataset/`) is refused with a hint.
/// - The id is always `namespace/name`.
/// - `@REVISION` follows the id; `refs/pr/N` and `refs/convert/NAME` keep their slashes,
///   other revisions end at the next `/` (write `%2F` for a slash in a branch name).
/// - `PATH` is the rest, a file or a folder in the repo (empty for the repo itself).
///
/// ```
/// use hf_types::{HfUri, RepoType};
/// let uri = HfUri::parse("hf://datasets/org/data@refs/pr/3/train/part-0.parquet")?;
/// assert_eq!(uri.repo_type(), RepoType::Dataset);
/// assert_eq!(uri.repo_id().as_str(), "org/data");
/// assert_eq!(uri.revision().map(|r| r.as_str()), Some("refs/pr/3"));
/// assert_eq!(uri.path_in_repo(), "train/part-0.parquet");
/// assert_eq!(uri.to_string(), "hf://datasets/org/data@refs%2Fpr%2F3/train/part-0.parquet");
/// # Ok::<(), hf_types::InvalidHfUri>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HfUri {
    repo_type: RepoType,
    repo_id: RepoId,
    revision: Option<Revision>,
    path_in_repo: String,
}

/// The revisions that keep their slashes in a URI (Python's special refs).
fn special_ref(s: &str) -> Option<&str> {
    let rest = s.strip_prefix("refs/")?;
    let (kind, tail) = rest.split_once('/')?;
    let len = match kind {
        "pr" => tail
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(tail.len()),
        "convert" => tail
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-')))
            .unwrap_or(tail.len()),
        _ => return None,
    };
    (len > 0).then(|| &s[.."refs/".len() + kind.len() + 1 + len])
}

impl HfUri {
    /// Parses an `hf://` URI naming a repository (buckets are refused).
    pub fn parse(uri: &str) -> Result<HfUri, InvalidHfUri> {
        let err = |reason: String| InvalidHfUri::new(uri, reason);
        let body = uri.strip_prefix("hf://").ok_or_else(|| {
            err("it must start with 'hf://' (hf://[TYPE/]NAMESPACE/NAME[@REVISION][/PATH])".into())
        })?;
        if body.is_empty() {
            return Err(err("nothing follows 'hf://'".into()));
        }
        let (first, rest) = body.split_once('/').unwrap_or((body, ""));
        let plural = RepoType::ALL.into_iter().find(|t| t.plural() == first);
        let singular = RepoType::ALL.into_iter().find(|t| t.as_str() == first);
        let (repo_type, location) = if first == "buckets" {
            return Err(err("buckets are not repositories".into()));
        } else if let Some(t) = plural {
            if rest.trim_matches('/').is_empty() {
                return Err(err(format!("no repository id follows '{first}/'")));
            }
            (t, rest)
        } else if let (Some(t), false) = (singular, rest.is_empty()) {
            return Err(err(format!(
                "the type prefix must be plural: '{}/', not '{first}/'",
                t.plural()
            )));
        } else {
            (RepoType::Model, body)
        };
        let location = location.trim_matches('/');
        let at = location
            .find('@')
            .filter(|&at| location[..at].matches('/').count() <= 1);
        let (id, revision, path) = match at {
            None => {
                let mut parts = location.splitn(3, '/');
                let (ns, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                if ns.is_empty() || name.is_empty() {
                    return Err(err(format!(
                        "the repository id must be 'namespace/name', got '{location}'"
                    )));
                }
                (format!("{ns}/{name}"), None, parts.next().unwrap_or(""))
            }
            Some(at) => {
                let (id, rev_and_path) = (&location[..at], &location[at + 1..]);
                if id.matches('/').count() != 1 || id.starts_with('/') || id.ends_with('/') {
                    return Err(err(format!(
                        "the repository id must be 'namespace/name', got '{id}'"
                    )));
                }
                let (rev, path) = match special_ref(rev_and_path) {
                    Some(rev) => (rev, rev_and_path[rev.len()..].trim_start_matches('/')),
                    None => rev_and_path.split_once('/').unwrap_or((rev_and_path, "")),
                };
                let rev = percent_encoding::percent_decode_str(rev).decode_utf8_lossy();
                if rev.is_empty() {
                    return Err(err("no revision follows '@'".into()));
                }
                let rev = Revision::new(rev.into_owned()).map_err(|e| err(e.to_string()))?;
                (id.to_owned(), Some(rev), path)
            }
        };
        let repo_id = RepoId::new(id).map_err(|e| err(e.to_string()))?;
        Ok(HfUri {
            repo_type,
            repo_id,
            revision,
            path_in_repo: path.to_owned(),
        })
    }

    /// The repository type (model when the URI has no type prefix).
    pub fn repo_type(&self) -> RepoType {
        self.repo_type
    }

    /// The repository id (`namespace/name`).
    pub fn repo_id(&self) -> &RepoId {
        &self.repo_id
    }

    /// The revision after `@`, if any.
    pub fn revision(&self) -> Option<&Revision> {
        self.revision.as_ref()
    }

    /// The file or folder in the repo; empty for the repo itself.
    pub fn path_in_repo(&self) -> &str {
        &self.path_in_repo
    }
}

impl fmt::Display for HfUri {
    /// The canonical form: the type prefix only for non-models, the revision as one
    /// percent-encoded segment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = match self.repo_type {
            RepoType::Model => "",
            other => other.url_prefix(),
        };
        write!(f, "hf://{prefix}{}", self.repo_id)?;
        if let Some(rev) = &self.revision {
            write!(f, "@{}", rev.url_segment())?;
        }
        if !self.path_in_repo.is_empty() {
            write!(f, "/{}", self.path_in_repo)?;
        }
        Ok(())
    }
}

impl FromStr for HfUri {
    type Err = InvalidHfUri;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HfUri::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str) -> (RepoType, String, Option<String>, String) {
        let u = HfUri::parse(uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
        (
            u.repo_type(),
            u.repo_id().to_string(),
            u.revision().map(|r| r.as_str().to_owned()),
            u.path_in_repo().to_owned(),
        )
    }

    #[test]
    fn uris_parse_like_pythons_parse_hf_uri() {
        let m = RepoType::Model;
        let some = |s: &str| Some(s.to_owned());
        for (uri, expected) in [
            ("hf://org/model", (m, "org/model", None, "")),
            ("hf://models/org/model/", (m, "org/model", None, "")),
            ("hf://org/m/sub/w.bin", (m, "org/m", None, "sub/w.bin")),
            ("hf://org/m/file@1.txt", (m, "org/m", None, "file@1.txt")),
            ("hf://a/b/c@v1", (m, "a/b", None, "c@v1")),
            ("hf://org/m@v1", (m, "org/m", some("v1"), "")),
            ("hf://org/m@v1/a/b.txt", (m, "org/m", some("v1"), "a/b.txt")),
            (
                "hf://org/m@feature%2Fx/a",
                (m, "org/m", some("feature/x"), "a"),
            ),
            (
                "hf://org/m@refs/pr/12",
                (m, "org/m", some("refs/pr/12"), ""),
            ),
            (
                "hf://org/m@refs/pr/12/c.json",
                (m, "org/m", some("refs/pr/12"), "c.json"),
            ),
            (
                "hf://datasets/o/d@refs/convert/parquet/default/train/0.parquet",
                (
                    RepoType::Dataset,
                    "o/d",
                    some("refs/convert/parquet"),
                    "default/train/0.parquet",
                ),
            ),
            ("hf://spaces/o/s", (RepoType::Space, "o/s", None, "")),
            (
                "hf://kernels/o/k/build/",
                (RepoType::Kernel, "o/k", None, "build"),
            ),
        ] {
            let (t, id, rev, path) = expected;
            assert_eq!(
                parts(uri),
                (t, id.to_owned(), rev, path.to_owned()),
                "{uri}"
            );
        }
    }

    #[test]
    fn bad_uris_say_what_is_wrong() {
        for (uri, why) in [
            ("org/model", "must start with 'hf://'"),
            ("hf://", "nothing follows"),
            ("hf://datasets", "no repository id"),
            ("hf://datasets/", "no repository id"),
            ("hf://gpt2", "'namespace/name'"),
            ("hf://dataset/o/d", "must be plural: 'datasets/'"),
            ("hf://buckets/o/b", "buckets are not repositories"),
            ("hf://o/m@", "no revision follows '@'"),
            ("hf://o/a--b", "--"),
        ] {
            let err = HfUri::parse(uri).unwrap_err();
            assert_eq!(err.uri(), uri);
            assert!(err.to_string().contains(why), "{uri}: {err}");
        }
    }

    #[test]
    fn display_is_canonical_and_parses_back() {
        for uri in [
            "hf://org/m",
            "hf://datasets/o/d@v1/train.csv",
            "hf://spaces/o/s@refs%2Fpr%2F1",
            "hf://kernels/o/k/build/x.so",
        ] {
            let parsed = HfUri::parse(uri).unwrap();
            assert_eq!(parsed.to_string(), uri);
            assert_eq!(parsed.to_string().parse::<HfUri>().unwrap(), parsed);
        }
        assert_eq!(
            HfUri::parse("hf://models/o/m/").unwrap().to_string(),
            "hf://o/m"
        );
    }
}
