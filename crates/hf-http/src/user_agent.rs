//! The user-agent string, in the Python client's format.
//!
//! `{library_name}/{library_version}` (or `unknown/None`), then `hf-rs/{our version}`,
//! `rust/{compiler version}`, then caller extras, joined with `; ` and de-duplicated
//! (first occurrence wins), e.g. `unknown/None; hf-rs/0.1.0; rust/1.95.0`.
//! It is applied with tower-http's `SetRequestHeader` (see [`UserAgent::layer`]).

use http::HeaderValue;
use http::header::USER_AGENT;
use tower_http::set_header::SetRequestHeaderLayer;

/// Our own library name in the user agent (the Python client sends `hf_hub/<version>`).
pub const LIBRARY_NAME: &str = "hf-rs";
/// Our version.
pub const LIBRARY_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The compiler version this crate was built with.
pub const RUST_VERSION: &str = env!("HF_HTTP_RUSTC_VERSION");

/// Builder of the user-agent string.
///
/// ```
/// let ua = hf_http::UserAgent::new()
///     .library("my-app", Some("1.2"))
///     .push_kv("feature", "x")
///     .to_string();
/// assert!(ua.starts_with("my-app/1.2; hf-rs/"));
/// assert!(ua.ends_with("; feature/x"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct UserAgent {
    library: Option<(String, Option<String>)>,
    extra: Vec<String>,
}

impl UserAgent {
    /// The default user agent (`unknown/None; hf-rs/...; rust/...`).
    pub fn new() -> Self {
        UserAgent::default()
    }

    /// The calling library's name and version (a missing version shows as `None`, like
    /// Python).
    pub fn library(mut self, name: impl Into<String>, version: Option<impl Into<String>>) -> Self {
        self.library = Some((name.into(), version.map(Into::into)));
        self
    }

    /// Appends a verbatim part (it may itself contain `; `-separated parts).
    pub fn push(mut self, part: impl Into<String>) -> Self {
        self.extra.push(part.into());
        self
    }

    /// Appends a `key/value` part.
    pub fn push_kv(mut self, key: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.extra
            .push(format!("{}/{}", key.as_ref(), value.as_ref()));
        self
    }

    /// The header value; characters not allowed in a header are replaced by `?`.
    pub fn to_header_value(&self) -> HeaderValue {
        let text: String = self
            .to_string()
            .chars()
            .map(|c| {
                if c == '\t' || (' '..='~').contains(&c) {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        HeaderValue::try_from(text).unwrap_or_else(|_| HeaderValue::from_static("unknown/None"))
    }

    /// A tower-http layer that sets this user agent on requests that have none.
    pub fn layer(&self) -> SetRequestHeaderLayer<HeaderValue> {
        SetRequestHeaderLayer::if_not_present(USER_AGENT, self.to_header_value())
    }
}

impl std::fmt::Display for UserAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut raw = match &self.library {
            Some((name, version)) => {
                format!("{name}/{}", version.as_deref().unwrap_or("None"))
            }
            None => "unknown/None".to_owned(),
        };
        raw.push_str("; ");
        raw.push_str(LIBRARY_NAME);
        raw.push('/');
        raw.push_str(LIBRARY_VERSION);
        raw.push_str("; rust/");
        raw.push_str(RUST_VERSION);
        for part in &self.extra {
            raw.push_str("; ");
            raw.push_str(part);
        }
        let mut seen: Vec<&str> = Vec::new();
        for piece in raw.split(';').map(str::trim) {
            if !seen.contains(&piece) {
                seen.push(piece);
            }
        }
        f.write_str(&seen.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_format() {
        let ua = UserAgent::new().to_string();
        assert_eq!(
            ua,
            format!("unknown/None; hf-rs/{LIBRARY_VERSION}; rust/{RUST_VERSION}")
        );
    }

    #[test]
    fn library_without_version_and_dedup() {
        let ua = UserAgent::new()
            .library("transformers", None::<String>)
            .push("a/1; b/2")
            .push_kv("a", "1")
            .to_string();
        assert_eq!(
            ua,
            format!("transformers/None; hf-rs/{LIBRARY_VERSION}; rust/{RUST_VERSION}; a/1; b/2")
        );
    }
}
