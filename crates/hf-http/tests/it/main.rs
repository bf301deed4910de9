//! Integration tests of the hf-http stack against a real HTTP server on 127.0.0.1.

mod auth;
mod errors;
mod layers;
mod pagination;
mod proxy;
mod redirect;
mod retry;
mod server;
mod timeouts;
mod tls;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hf_http::retry::{Jitter, RetryConfig, RetryEvent};
use hf_http::{HfBody, HubClient, StackBuilder};
use http::Request;

/// A builder for `server` with fast deterministic backoff.
pub(crate) fn builder(base: &str) -> StackBuilder {
    HubClient::builder(base).retry(fast_retry())
}

/// Fast, jitter-free backoff.
pub(crate) fn fast_retry() -> RetryConfig {
    RetryConfig::default()
        .backoff(Duration::from_millis(1), Duration::from_millis(4))
        .jitter(Jitter::None)
}

/// A retry config that records every retry event.
pub(crate) fn recording_retry() -> (RetryConfig, Arc<Mutex<Vec<RetryEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let config = fast_retry().on_retry(move |e| sink.lock().unwrap().push(e.clone()));
    (config, events)
}

/// A GET with an empty body.
pub(crate) fn get(url: &str) -> Request<HfBody> {
    Request::get(url).body(HfBody::empty()).unwrap()
}
