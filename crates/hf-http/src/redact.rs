//! A URL display that is safe to put in logs and error messages.

use std::fmt;

use http::Uri;

/// The query parameters of the Hub's API whose values [`RedactedUrl`] shows: they say
/// what was asked (a listing's filters, its page) and never carry a credential. Any
/// other parameter's value is hidden.
const SHOWN_PARAMETERS: &[&str] = &[
    "author",
    "blobs",
    "cardData",
    "config",
    "cursor",
    "direction",
    "expand",
    "expand[]",
    "expand%5B%5D",
    "fetch_config",
    "filter",
    "full",
    "limit",
    "p",
    "recursive",
    "search",
    "sort",
    "type",
];

/// A URL with its user info and fragment removed, and the values of its query parameters
/// hidden, except those of the Hub API's own parameters (`blobs`, `expand`, `limit`,
/// `search`, `cursor`, ...).
///
/// Signed CDN and LFS URLs carry their credentials in the query string
/// (`X-Amz-Signature=...`); every URL that reaches a log line or an error message goes
/// through this type so those never leak, while an error about a listing still shows
/// what was asked.
///
/// ```
/// let uri: http::Uri = "https://cdn.example/blob?X-Amz-Signature=secret&Expires=1".parse().unwrap();
/// let shown = hf_http::RedactedUrl::new(&uri);
/// assert_eq!(shown.to_string(), "https://cdn.example/blob?X-Amz-Signature=[redacted]&Expires=[redacted]");
/// let uri: http::Uri = "https://hub.example/api/models?search=bert&limit=10".parse().unwrap();
/// assert_eq!(hf_http::RedactedUrl::new(&uri).as_str(), "https://hub.example/api/models?search=bert&limit=10");
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
        if let Some(query) = uri.query() {
            out.push('?');
            for (i, pair) in query.split('&').enumerate() {
                if i > 0 {
                    out.push('&');
                }
                match pair.split_once('=') {
                    Some((name, value)) => {
                        out.push_str(name);
                        out.push('=');
                        let shown = SHOWN_PARAMETERS.contains(&name);
                        out.push_str(if shown { value } else { "[redacted]" });
                    }
                    // A bare name (`?full`) has no value to hide.
                    None => out.push_str(pair),
                }
            }
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
            "https://host:8080/a/b?sig=[redacted]"
        );
        let uri: Uri = "http://h/api/models/a/b/revision/main?blobs=true&token=x&full"
            .parse()
            .unwrap();
        assert_eq!(
            RedactedUrl::new(&uri).as_str(),
            "http://h/api/models/a/b/revision/main?blobs=true&token=[redacted]&full"
        );
        let uri: Uri = "http://h/x".parse().unwrap();
        assert_eq!(RedactedUrl::new(&uri).as_str(), "http://h/x");
    }
}
