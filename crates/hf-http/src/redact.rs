//! A URL display that is safe to put in logs and error messages.

use std::fmt;

use http::Uri;

/// A URL with its query string, fragment and user info removed.
///
/// Signed CDN and LFS URLs carry their credentials in the query string
/// (`X-Amz-Signature=...`); every URL that reaches a log line or an error message goes
/// through this type so those never leak.
///
/// ```
/// let uri: http::Uri = "https://cdn.example/blob?X-Amz-Signature=secret".parse().unwrap();
/// let shown = hf_http::RedactedUrl::new(&uri);
/// assert_eq!(shown.to_string(), "https://cdn.example/blob?[redacted]");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedactedUrl(String);

impl RedactedUrl {
    /// Redacts `uri`.
    pub fn new(uri: &Uri) -> Self {
        let mut out = String::new();
        if let Some(scheme) = uri.scheme_str() {
            out.push_str(scheme);
            out.push_str("://");
        }
        if let Some(authority) = uri.authority() {
            // Drop `user:password@` if present.
            let text = authority.as_str();
            let host = text.rsplit_once('@').map_or(text, |(_, host)| host);
            out.push_str(host);
        }
        out.push_str(uri.path());
        if uri.query().is_some() {
            out.push_str("?[redacted]");
        }
        RedactedUrl(out)
    }

    /// The redacted text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&Uri> for RedactedUrl {
    fn from(uri: &Uri) -> Self {
        RedactedUrl::new(uri)
    }
}

impl fmt::Display for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_query_and_userinfo() {
        let uri: Uri = "https://user:pw@host:8080/a/b?sig=1#frag".parse().unwrap();
        assert_eq!(
            RedactedUrl::new(&uri).as_str(),
            "https://host:8080/a/b?[redacted]"
        );
        let uri: Uri = "http://h/x".parse().unwrap();
        assert_eq!(RedactedUrl::new(&uri).as_str(), "http://h/x");
    }
}
