//! The request log: one entry per request on either listener, for tests to assert on.

use std::fmt;

use http::{HeaderMap, Method, StatusCode};

/// Which listener served a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Listener {
    /// The Hub itself (API, resolve, LFS batch).
    Main,
    /// The "CDN" origin on another port (signed downloads, LFS upload targets).
    Cdn,
}

/// One logged request.
///
/// `Debug` prints header values except `authorization`, which is redacted.
#[derive(Clone)]
pub struct LoggedRequest {
    /// Listener that received the request.
    pub listener: Listener,
    /// Request method.
    pub method: Method,
    /// Path and query exactly as sent (still percent-encoded).
    pub path_and_query: String,
    /// Request headers.
    pub headers: HeaderMap,
    /// Bytes of request body the emulator read.
    pub body_bytes: u64,
    /// Response status.
    pub status: StatusCode,
    /// The client's address: requests with the same one came over the same connection.
    pub peer: Option<std::net::SocketAddr>,
}

impl LoggedRequest {
    /// The path without the query string.
    pub fn path(&self) -> &str {
        self.path_and_query
            .split_once('?')
            .map_or(self.path_and_query.as_str(), |(p, _)| p)
    }

    /// Whether the request carried an `Authorization` header.
    pub fn has_authorization(&self) -> bool {
        self.headers.contains_key(http::header::AUTHORIZATION)
    }

    /// A header value as text, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl fmt::Debug for LoggedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let value = if k == http::header::AUTHORIZATION {
                    "***".to_owned()
                } else {
                    String::from_utf8_lossy(v.as_bytes()).into_owned()
                };
                (k.as_str().to_owned(), value)
            })
            .collect();
        f.debug_struct("LoggedRequest")
            .field("listener", &self.listener)
            .field("method", &self.method)
            .field("path_and_query", &self.path_and_query)
            .field("headers", &headers)
            .field("body_bytes", &self.body_bytes)
            .field("status", &self.status)
            .field("peer", &self.peer)
            .finish()
    }
}
