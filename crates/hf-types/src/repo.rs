//! Repository identifiers: [`RepoType`] and [`RepoId`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The kind of a Hub repository.
///
/// Serialized as `"model"`, `"dataset"`, `"space"` or `"kernel"`; parsing also accepts
/// the plural forms used in API paths (`"models"`, ...) and ignores ASCII case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum RepoType {
    /// A model repository (the default when no type is given).
    #[default]
    Model,
    /// A dataset repository.
    Dataset,
    /// A Space (hosted application) repository.
    Space,
    /// A kernel repository (compiled compute kernels, `/api/kernels/...`; the newest
    /// Python clients' `repo_type="kernel"`).
    Kernel,
}

impl RepoType {
    /// Every repository type, in a stable order.
    pub const ALL: [RepoType; 4] = [
        RepoType::Model,
        RepoType::Dataset,
        RepoType::Space,
        RepoType::Kernel,
    ];

    /// The singular name: `"model"`, `"dataset"`, `"space"` or `"kernel"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RepoType::Model => "model",
            RepoType::Dataset => "dataset",
            RepoType::Space => "space",
            RepoType::Kernel => "kernel",
        }
    }

    /// The plural name used in API paths (`/api/{plural}/{repo_id}`): `"models"`,
    /// `"datasets"`, `"spaces"` or `"kernels"`.
    pub fn plural(self) -> &'static str {
        match self {
            RepoType::Model => "models",
            RepoType::Dataset => "datasets",
            RepoType::Space => "spaces",
            RepoType::Kernel => "kernels",
        }
    }

    /// The prefix of web and resolve URLs (`{endpoint}/{prefix}{repo_id}/...`): empty for
    /// models, `"datasets/"` or `"spaces/"` otherwise.
    pub fn url_prefix(self) -> &'static str {
        match self {
            RepoType::Model => "",
            RepoType::Dataset => "datasets/",
            RepoType::Space => "spaces/",
            RepoType::Kernel => "kernels/",
        }
    }
}

impl fmt::Display for RepoType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error returned when a string is not a repository type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown repo type '{0}': expected one of model, dataset, space, kernel (or their plurals)"
)]
pub struct InvalidRepoType(pub String);

impl FromStr for RepoType {
    type Err = InvalidRepoType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RepoType::ALL
            .into_iter()
            .find(|t| s.eq_ignore_ascii_case(t.as_str()) || s.eq_ignore_ascii_case(t.plural()))
            .ok_or_else(|| InvalidRepoType(s.to_owned()))
    }
}

impl Serialize for RepoType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RepoType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Maximum length of the name part of a repo id (after the optional `namespace/`).
const MAX_NAME_LEN: usize = 96;

/// Which repo-id rule a string broke; see [`InvalidRepoId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RepoIdRule {
    /// The id (or one of its two parts) is empty.
    Empty,
    /// More than one `/`: the repo type goes in a separate argument, not in the id.
    TooManySlashes,
    /// A character other than ASCII letters, digits, `-`, `_` and `.`.
    InvalidChar,
    /// A part starts or ends with `-` or `.`.
    BadBoundary,
    /// The name is longer than 96 characters.
    TooLong,
    /// The id contains `--` or `..`.
    DoubleSeparator,
    /// The id ends with `.git`.
    EndsWithGit,
}

impl RepoIdRule {
    fn describe(self) -> &'static str {
        match self {
            RepoIdRule::Empty => "the id and each of its parts must be non-empty",
            RepoIdRule::TooManySlashes => {
                "a repo id is 'name' or 'namespace/name' (pass the repo type separately \
                 instead of a 'datasets/' or 'spaces/' prefix)"
            }
            RepoIdRule::InvalidChar => "only ASCII letters, digits, '-', '_' and '.' are allowed",
            RepoIdRule::BadBoundary => "the namespace and name cannot start or end with '-' or '.'",
            RepoIdRule::TooLong => "the name is limited to 96 characters",
            RepoIdRule::DoubleSeparator => "'--' and '..' are forbidden",
            RepoIdRule::EndsWithGit => "a repo id cannot end with '.git'",
        }
    }
}

/// Error returned by [`RepoId::new`]: names the rejected id and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid repo id '{id}': {}", rule.describe())]
pub struct InvalidRepoId {
    id: String,
    rule: RepoIdRule,
}

impl InvalidRepoId {
    /// The rejected string.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The rule it broke.
    pub fn rule(&self) -> RepoIdRule {
        self.rule
    }
}

/// A validated repository id, `name` or `namespace/name` (for example `gpt2` or
/// `google/gemma-2b`).
///
/// Validation follows the Python client's `validate_repo_id`: at most one `/`; each part
/// made of ASCII letters, digits, `-`, `_` and `.`, neither starting nor ending with `-`
/// or `.`; a name of 1 to 96 characters; no `--` or `..`; no trailing `.git`. (Python
/// 0.26.5 also lets non-ASCII letters through; the Hub rejects them, so we do too.)
///
/// ```
/// use hf_types::RepoId;
/// let id: RepoId = "google/gemma-2b".parse()?;
/// assert_eq!(id.namespace(), Some("google"));
/// assert_eq!(id.name(), "gemma-2b");
/// assert!(RepoId::new("datasets/user/x").is_err());
/// # Ok::<(), hf_types::InvalidRepoId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoId(String);

impl RepoId {
    /// Validates `id` and wraps it.
    pub fn new(id: impl Into<String>) -> Result<RepoId, InvalidRepoId> {
        let id = id.into();
        match check_repo_id(&id) {
            Ok(()) => Ok(RepoId(id)),
            Err(rule) => Err(InvalidRepoId { id, rule }),
        }
    }

    /// The id as given, `name` or `namespace/name`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `/`, if any (a user or organization name).
    pub fn namespace(&self) -> Option<&str> {
        self.0.split_once('/').map(|(ns, _)| ns)
    }

    /// The part after the `/`, or the whole id when it has no namespace.
    pub fn name(&self) -> &str {
        self.0
            .split_once('/')
            .map_or(self.0.as_str(), |(_, name)| name)
    }

    /// Consumes the id, returning the inner string.
    pub fn into_string(self) -> String {
        self.0
    }
}

fn check_repo_id(id: &str) -> Result<(), RepoIdRule> {
    if id.is_empty() {
        return Err(RepoIdRule::Empty);
    }
    if id.matches('/').count() > 1 {
        return Err(RepoIdRule::TooManySlashes);
    }
    let (namespace, name) = match id.split_once('/') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, id),
    };
    for part in namespace.into_iter().chain(std::iter::once(name)) {
        check_part(part)?;
    }
    if name.len() > MAX_NAME_LEN {
        return Err(RepoIdRule::TooLong);
    }
    if id.contains("--") || id.contains("..") {
        return Err(RepoIdRule::DoubleSeparator);
    }
    // Case-sensitive on purpose, like the Python client ("x.GIT" is allowed).
    #[allow(clippy::case_sensitive_file_extension_comparisons)]
    if id.ends_with(".git") {
        return Err(RepoIdRule::EndsWithGit);
    }
    Ok(())
}

/// One part (namespace or name): the `\b[\w\-.]+\b` of the Python regex, ASCII only.
fn check_part(part: &str) -> Result<(), RepoIdRule> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    if part.is_empty() {
        return Err(RepoIdRule::Empty);
    }
    if !part.chars().all(|c| is_word(c) || c == '-' || c == '.') {
        return Err(RepoIdRule::InvalidChar);
    }
    let first = part.chars().next().is_some_and(is_word);
    let last = part.chars().next_back().is_some_and(is_word);
    if !(first && last) {
        return Err(RepoIdRule::BadBoundary);
    }
    Ok(())
}

impl fmt::Display for RepoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RepoId {
    type Err = InvalidRepoId;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RepoId::new(s)
    }
}

impl TryFrom<String> for RepoId {
    type Error = InvalidRepoId;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        RepoId::new(s)
    }
}

impl TryFrom<&str> for RepoId {
    type Error = InvalidRepoId;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        RepoId::new(s)
    }
}

impl AsRef<str> for RepoId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<RepoId> for String {
    fn from(id: RepoId) -> String {
        id.0
    }
}

impl Serialize for RepoId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RepoId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        RepoId::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Error returned by [`RepoUrl::parse`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot read a repo from URL {url:?}: {reason}")]
pub struct InvalidRepoUrl {
    url: String,
    reason: String,
}

impl InvalidRepoUrl {
    fn new(url: &str, reason: impl Into<String>) -> InvalidRepoUrl {
        InvalidRepoUrl {
            url: url.to_owned(),
            reason: reason.into(),
        }
    }

    /// The rejected URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// The URL of a repository, split into endpoint, repo type and repo id.
///
/// Accepted forms: `https://host/ns/name` (model), `https://host/datasets/ns/name`,
/// `https://host/spaces/ns/name` (also `models/`, and canonical ids without a namespace
/// such as `https://host/gpt2` or `https://host/datasets/squad`), and the filesystem forms
/// `hf://ns/name`, `hf://datasets/ns/name`. The `url` of `POST /api/repos/create` and the
/// repo part of a commit's `commitUrl` have this shape.
///
/// ```
/// use hf_types::{RepoType, RepoUrl};
/// let url = RepoUrl::parse("https://huggingface.co/datasets/user/data")?;
/// assert_eq!(url.endpoint(), Some("https://huggingface.co"));
/// assert_eq!(url.repo_type(), RepoType::Dataset);
/// assert_eq!(url.repo_id().as_str(), "user/data");
/// # Ok::<(), hf_types::InvalidRepoUrl>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RepoUrl {
    url: String,
    endpoint: Option<String>,
    repo_type: RepoType,
    repo_id: RepoId,
}

impl RepoUrl {
    /// Parses a repo URL, taking the scheme and authority (`https://host[:port]`) as the
    /// endpoint. For an endpoint with a path prefix, use [`RepoUrl::parse_with_endpoint`].
    pub fn parse(url: &str) -> Result<RepoUrl, InvalidRepoUrl> {
        Self::parse_inner(url, None)
    }

    /// Parses a repo URL served under `endpoint` (which may carry a path prefix, such as
    /// `https://mirror.example/hf`). URLs on other hosts are parsed like
    /// [`RepoUrl::parse`].
    pub fn parse_with_endpoint(url: &str, endpoint: &str) -> Result<RepoUrl, InvalidRepoUrl> {
        Self::parse_inner(url, Some(endpoint))
    }

    fn parse_inner(url: &str, endpoint: Option<&str>) -> Result<RepoUrl, InvalidRepoUrl> {
        let known_endpoint = endpoint.map(|e| e.trim_end_matches('/')).and_then(|e| {
            url.strip_prefix(e)
                .and_then(|rest| rest.strip_prefix('/'))
                .map(|rest| (e, rest))
        });
        let (endpoint, rest) = if let Some(rest) = url.strip_prefix("hf://") {
            (None, rest)
        } else if let Some((endpoint, rest)) = known_endpoint {
            (Some(endpoint.to_owned()), rest)
        } else {
            let scheme_len = if url.starts_with("https://") {
                "https://".len()
            } else if url.starts_with("http://") {
                "http://".len()
            } else {
                return Err(InvalidRepoUrl::new(
                    url,
                    "expected an http(s):// or hf:// URL",
                ));
            };
            let slash = url[scheme_len..]
                .find('/')
                .map(|i| i + scheme_len)
                .ok_or_else(|| InvalidRepoUrl::new(url, "it has no repo path after the host"))?;
            (Some(url[..slash].to_owned()), &url[slash + 1..])
        };
        let rest = rest.trim_end_matches('/');
        if rest.is_empty() {
            return Err(InvalidRepoUrl::new(
                url,
                "it has no repo path after the host",
            ));
        }
        let segments: Vec<&str> = rest.split('/').collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Err(InvalidRepoUrl::new(url, "its path has an empty segment"));
        }
        let plural_type = |s: &str| RepoType::ALL.into_iter().find(|t| t.plural() == s);
        let (repo_type, id) = match segments.as_slice() {
            [name] => (RepoType::Model, (*name).to_owned()),
            [first, name] => match plural_type(first) {
                Some(t) => (t, (*name).to_owned()),
                None => (RepoType::Model, format!("{first}/{name}")),
            },
            [kind, ns, name] => {
                let t = kind
                    .parse::<RepoType>()
                    .map_err(|e| InvalidRepoUrl::new(url, e.to_string()))?;
                (t, format!("{ns}/{name}"))
            }
            _ => {
                return Err(InvalidRepoUrl::new(
                    url,
                    "expected [type/]namespace/name after the endpoint (an endpoint with a \
                     path prefix needs RepoUrl::parse_with_endpoint)",
                ));
            }
        };
        let repo_id = RepoId::new(id).map_err(|e| InvalidRepoUrl::new(url, e.to_string()))?;
        Ok(RepoUrl {
            url: url.to_owned(),
            endpoint,
            repo_type,
            repo_id,
        })
    }

    /// The URL as given.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The endpoint (`https://host[:port]` or the prefix given to
    /// [`RepoUrl::parse_with_endpoint`]); `None` for `hf://` URLs.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// The repository type (model when the URL has no type segment).
    pub fn repo_type(&self) -> RepoType {
        self.repo_type
    }

    /// The repository id.
    pub fn repo_id(&self) -> &RepoId {
        &self.repo_id
    }
}

impl fmt::Display for RepoUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url)
    }
}

impl FromStr for RepoUrl {
    type Err = InvalidRepoUrl;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RepoUrl::parse(s)
    }
}

impl Serialize for RepoUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.url)
    }
}

impl<'de> Deserialize<'de> for RepoUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        RepoUrl::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_type_names() {
        assert_eq!(RepoType::default(), RepoType::Model);
        let forms: Vec<_> = RepoType::ALL
            .iter()
            .map(|t| (t.as_str(), t.plural(), t.url_prefix()))
            .collect();
        assert_eq!(
            forms,
            [
                ("model", "models", ""),
                ("dataset", "datasets", "datasets/"),
                ("space", "spaces", "spaces/"),
                ("kernel", "kernels", "kernels/")
            ]
        );
        assert_eq!(RepoType::Space.to_string(), "space");
    }

    #[test]
    fn repo_type_parses_singular_plural_any_case() {
        for (s, t) in [
            ("model", RepoType::Model),
            ("Models", RepoType::Model),
            ("DATASET", RepoType::Dataset),
            ("datasets", RepoType::Dataset),
            ("space", RepoType::Space),
            ("Spaces", RepoType::Space),
            ("kernel", RepoType::Kernel),
            ("Kernels", RepoType::Kernel),
        ] {
            assert_eq!(s.parse::<RepoType>().unwrap(), t, "{s}");
        }
        let err = "bucket".parse::<RepoType>().unwrap_err();
        assert!(err.to_string().contains("'bucket'"), "{err}");
        assert!("".parse::<RepoType>().is_err());
    }

    #[test]
    fn repo_type_serde() {
        assert_eq!(
            serde_json::to_string(&RepoType::Dataset).unwrap(),
            "\"dataset\""
        );
        let t: RepoType = serde_json::from_str("\"spaces\"").unwrap();
        assert_eq!(t, RepoType::Space);
        assert!(serde_json::from_str::<RepoType>("\"repo\"").is_err());
    }

    #[test]
    fn repo_id_accepts_python_examples() {
        for ok in [
            "foo",
            "foo/bar",
            "123",
            "Foo-BAR_foo.bar123",
            "gpt2",
            "user/model",
            "Org-1/My_model.v2",
            "valid_repo_id",
            "_/_",
            "a.b-c/d_e.f",
            "x.gitx",
        ] {
            let id = RepoId::new(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(id.as_str(), ok);
        }
        let max = "a".repeat(96);
        assert!(RepoId::new(max.as_str()).is_ok());
        // Python 0.26.5 does not bound the namespace length.
        assert!(RepoId::new(format!("{}/{max}", "n".repeat(200))).is_ok());
    }

    #[test]
    fn repo_id_rejects_with_named_rule() {
        for (bad, rule) in [
            ("", RepoIdRule::Empty),
            ("/foo", RepoIdRule::Empty),
            ("foo/", RepoIdRule::Empty),
            ("datasets/foo/bar", RepoIdRule::TooManySlashes),
            ("a/b/c", RepoIdRule::TooManySlashes),
            (".repo_id", RepoIdRule::BadBoundary),
            ("user/-x", RepoIdRule::BadBoundary),
            ("-user/x", RepoIdRule::BadBoundary),
            ("user./x", RepoIdRule::BadBoundary),
            ("x-", RepoIdRule::BadBoundary),
            ("x.", RepoIdRule::BadBoundary),
            ("foo--bar", RepoIdRule::DoubleSeparator),
            ("other..repo..id", RepoIdRule::DoubleSeparator),
            ("a--b/c", RepoIdRule::DoubleSeparator),
            ("foo.git", RepoIdRule::EndsWithGit),
            ("user/x.git", RepoIdRule::EndsWithGit),
            ("has space", RepoIdRule::InvalidChar),
            ("user/caf\u{e9}", RepoIdRule::InvalidChar),
            ("a\\b", RepoIdRule::InvalidChar),
            ("a:b", RepoIdRule::InvalidChar),
        ] {
            let err = RepoId::new(bad).unwrap_err();
            assert_eq!(err.rule(), rule, "{bad:?}: {err}");
            assert_eq!(err.id(), bad);
            assert!(err.to_string().contains(&format!("'{bad}'")), "{err}");
        }
        let err = RepoId::new("a".repeat(97)).unwrap_err();
        assert_eq!(err.rule(), RepoIdRule::TooLong);
        assert!(err.to_string().contains("96"));
    }

    #[test]
    fn repo_id_parts_and_conversions() {
        let id: RepoId = "google/gemma".parse().unwrap();
        assert_eq!(id.namespace(), Some("google"));
        assert_eq!(id.name(), "gemma");
        let bare = RepoId::try_from("gpt2").unwrap();
        assert_eq!(bare.namespace(), None);
        assert_eq!(bare.name(), "gpt2");
        assert_eq!(
            RepoId::try_from(String::from("a/b")).unwrap().to_string(),
            "a/b"
        );
        assert!(id < bare, "ordered as strings");
    }

    #[test]
    fn repo_id_serde_validates() {
        let id: RepoId = serde_json::from_str("\"user/model\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"user/model\"");
        let err = serde_json::from_str::<RepoId>("\"a--b\"").unwrap_err();
        assert!(err.to_string().contains("'a--b'"), "{err}");
    }
}
