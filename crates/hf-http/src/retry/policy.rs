//! [`HubRetryPolicy`]: backoff and budget around the classifier.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::{Method, Request, Response};
use rand::{Rng, SeedableRng};
use tokio::time::Instant;

use super::classify::{Classification, RetryReason, classify};
use crate::body::HfBody;
use crate::error::{Error, RetryStats};
use crate::redact::RedactedUrl;

/// How backoff delays are randomised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Jitter {
    /// Exactly the exponential delay (deterministic; for tests).
    None,
    /// "Equal jitter": half the delay plus a random part up to the other half.
    Equal,
    /// Equal jitter from a random generator seeded with this value (deterministic).
    Seeded(u64),
}

/// A retry that is about to happen, reported to [`RetryConfig::on_retry`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RetryEvent {
    /// 1 for the first retry.
    pub retry: u32,
    /// The wait before it.
    pub delay: Duration,
    /// Why.
    pub reason: RetryReason,
    /// The server's `Retry-After`, if any (then `delay` equals it).
    pub retry_after: Option<Duration>,
    /// The request's method.
    pub method: Method,
    /// The request's URL, redacted.
    pub url: RedactedUrl,
}

impl RetryEvent {
    /// An event for a retry decided outside the stack (see
    /// [`RetryConfig::notify`]); the URL is redacted here.
    pub fn new(
        retry: u32,
        delay: Duration,
        reason: RetryReason,
        method: Method,
        uri: &http::Uri,
    ) -> Self {
        RetryEvent {
            retry,
            delay,
            reason,
            retry_after: None,
            method,
            url: RedactedUrl::new(uri),
        }
    }
}

/// One line for a log: `HEAD https://hub.example/x: could not connect; retrying in 1.0s
/// (retry 1)`. The URL is redacted.
impl fmt::Display for RetryEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}; retrying in {:.1}s (retry {})",
            self.method,
            self.url,
            self.reason,
            self.delay.as_secs_f64(),
            self.retry
        )
    }
}

/// Retry settings: count and time budget, exponential backoff with jitter.
#[derive(Clone)]
#[non_exhaustive]
pub struct RetryConfig {
    /// Most retries (attempts minus one). Default 5.
    pub max_retries: u32,
    /// No retry starts once this much time has passed since the first attempt (including
    /// the wait before it). Default 60 s: signed URLs and tokens expire.
    pub max_elapsed: Duration,
    /// The first backoff delay; it doubles on every retry. Default 1 s.
    pub initial_backoff: Duration,
    /// The longest backoff delay. Default 8 s (the Python client's cap).
    pub max_backoff: Duration,
    /// Randomisation of backoff delays. Default [`Jitter::Equal`].
    pub jitter: Jitter,
    /// A `Retry-After` longer than this is not waited for: the response is returned.
    /// Default 60 s.
    pub max_retry_after: Duration,
    on_retry: Option<RetryHook>,
}

type RetryHook = Arc<dyn Fn(&RetryEvent) + Send + Sync>;

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_retries: 5,
            max_elapsed: Duration::from_secs(60),
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(8),
            jitter: Jitter::Equal,
            max_retry_after: Duration::from_secs(60),
            on_retry: None,
        }
    }
}

impl fmt::Debug for RetryConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryConfig")
            .field("max_retries", &self.max_retries)
            .field("max_elapsed", &self.max_elapsed)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("jitter", &self.jitter)
            .field("max_retry_after", &self.max_retry_after)
            .field("on_retry", &self.on_retry.as_ref().map(|_| "Fn"))
            .finish()
    }
}

impl RetryConfig {
    /// Never retry.
    pub fn disabled() -> Self {
        RetryConfig {
            max_retries: 0,
            ..RetryConfig::default()
        }
    }

    /// Sets the most retries.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets the time budget.
    pub fn max_elapsed(mut self, d: Duration) -> Self {
        self.max_elapsed = d;
        self
    }

    /// Sets the first and the longest backoff delay.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Sets the jitter.
    pub fn jitter(mut self, jitter: Jitter) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets the longest `Retry-After` that is waited for.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    /// A hook called before every retry (for metrics, to observe the chosen delays, or
    /// to tell a user what is going on: a [`RetryEvent`] displays as one log line).
    ///
    /// **When**: after a retryable outcome, before the wait. **Available information**:
    /// the [`RetryEvent`]. **Errors**: none; the hook must not block.
    ///
    /// ```
    /// use hf_http::RetryConfig;
    /// let config = RetryConfig::default().on_retry(|event| eprintln!("warning: {event}"));
    /// # let _ = config;
    /// ```
    pub fn on_retry(mut self, hook: impl Fn(&RetryEvent) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(hook));
        self
    }

    /// Calls the [`on_retry`](RetryConfig::on_retry) hook, if any, with `event`: for a
    /// retry loop outside the stack (a streamed upload sent again), so that its retries
    /// are reported as the stack's are.
    ///
    /// ```
    /// use std::time::Duration;
    /// use hf_http::retry::{RetryConfig, RetryEvent, RetryReason};
    /// let config = RetryConfig::default().on_retry(|event| eprintln!("warning: {event}"));
    /// let uri: http::Uri = "https://storage.example/part/1?sig=secret".parse().unwrap();
    /// let event = RetryEvent::new(1, Duration::from_secs(1), RetryReason::Transport, http::Method::PUT, &uri);
    /// config.notify(&event); // warning: PUT https://storage.example/part/1?sig=[redacted]: ...
    /// ```
    pub fn notify(&self, event: &RetryEvent) {
        if let Some(hook) = &self.on_retry {
            hook(event);
        }
    }

    /// The backoff before retry number `retry` (1-based), before jitter: initial × 2^(retry-1),
    /// capped.
    pub fn base_delay(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// The wait before retry number `retry` (1-based): [`base_delay`](Self::base_delay)
    /// with the configured jitter, as the stack waits. Retry loops outside the stack use
    /// it too, so that parts failing together do not all come back at once.
    pub fn delay(&self, retry: u32) -> Duration {
        let base = self.base_delay(retry);
        let half = base / 2;
        let spread = base.saturating_sub(half).as_nanos() as u64;
        let random = match self.jitter {
            Jitter::None => return base,
            Jitter::Equal => rand::rng().random_range(0..=spread),
            Jitter::Seeded(seed) => {
                rand::rngs::StdRng::seed_from_u64(seed ^ u64::from(retry)).random_range(0..=spread)
            }
        };
        half + Duration::from_nanos(random)
    }
}

/// A request extension that lowers the retry time budget
/// ([`RetryConfig::max_elapsed`]) for one request. A caller that bounds the whole request
/// by a deadline sets it to that deadline, so that the retries stop before it: the caller
/// then gets the last attempt's error ("could not connect: connection refused, after 3
/// retries in 8.9 s") rather than a bare timeout.
///
/// ```
/// use std::time::Duration;
/// use hf_http::retry::RetryBudget;
/// let mut req = http::Request::head("https://hub.example/gpt2/resolve/main/config.json")
///     .body(hf_http::HfBody::empty())
///     .unwrap();
/// req.extensions_mut().insert(RetryBudget(Duration::from_secs(10)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryBudget(pub Duration);

impl RetryBudget {
    /// No retries at all: for a request whose failure has a quick local answer (a
    /// cached file), and which the caller sends again, with retries, only when that
    /// answer is missing.
    pub const NONE: RetryBudget = RetryBudget(Duration::ZERO);
}

/// A request extension that bounds, for one request, the time spent in retries the
/// client decides on (network failures, timeouts, statuses without `Retry-After`), but
/// not the waits the server asks for with `Retry-After` (those keep
/// [`RetryConfig::max_elapsed`] and [`RetryConfig::max_retry_after`]). For a request
/// without a hard deadline that should still fail fast when the network is down: a
/// throttled one still waits as long as the Hub asks.
///
/// ```
/// use std::time::Duration;
/// use hf_http::retry::BackoffBudget;
/// let mut req = http::Request::get("https://hub.example/api/models/gpt2/revision/main")
///     .body(hf_http::HfBody::empty())
///     .unwrap();
/// req.extensions_mut().insert(BackoffBudget(Duration::from_secs(10)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffBudget(pub Duration);

/// The tower retry [`Policy`](tower::retry::Policy) of the Hub stack.
///
/// Cloned once per request (tower's `Retry` does that), so the attempt count and start
/// time are per request; the configuration is shared behind an `Arc`.
///
/// ```
/// use std::time::Duration;
/// use hf_http::retry::{HubRetryPolicy, Jitter, RetryConfig};
/// let layer = HubRetryPolicy::layer(
///     RetryConfig::default().max_retries(3).jitter(Jitter::None),
/// );
/// # let _ = layer;
/// ```
#[derive(Clone)]
pub struct HubRetryPolicy {
    config: Arc<RetryConfig>,
    retries: u32,
    started: Option<Instant>,
}

impl fmt::Debug for HubRetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubRetryPolicy")
            .field("config", &self.config)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

impl HubRetryPolicy {
    /// A policy with this configuration.
    pub fn new(config: RetryConfig) -> Self {
        HubRetryPolicy {
            config: Arc::new(config),
            retries: 0,
            started: None,
        }
    }

    /// tower's `RetryLayer` with this policy.
    pub fn layer(config: RetryConfig) -> tower::retry::RetryLayer<HubRetryPolicy> {
        tower::retry::RetryLayer::new(HubRetryPolicy::new(config))
    }

    fn elapsed(&self) -> Duration {
        self.started.map_or(Duration::ZERO, |s| s.elapsed())
    }

    fn annotate<B>(&self, result: &mut Result<Response<B>, Error>) {
        if self.retries == 0 {
            return;
        }
        let stats = RetryStats::new(self.retries, self.elapsed());
        match result {
            Ok(res) => {
                res.extensions_mut().insert(stats);
            }
            Err(err) => err.set_retries(stats),
        }
    }
}

impl<B> tower::retry::Policy<Request<HfBody>, Response<B>, Error> for HubRetryPolicy {
    type Future = tokio::time::Sleep;

    fn retry(
        &mut self,
        req: &mut Request<HfBody>,
        result: &mut Result<Response<B>, Error>,
    ) -> Option<Self::Future> {
        let Classification::Retry { reason, after } = classify(req, result, SystemTime::now())
        else {
            self.annotate(result);
            return None;
        };
        if self.retries >= self.config.max_retries {
            self.annotate(result);
            return None;
        }
        let delay = match after {
            Some(after) if after > self.config.max_retry_after => {
                tracing::debug!(?after, "Retry-After is longer than allowed; not retrying");
                self.annotate(result);
                return None;
            }
            Some(after) => after,
            None => self.config.delay(self.retries + 1),
        };
        let mut budget = self.config.max_elapsed;
        if let Some(b) = req.extensions().get::<RetryBudget>() {
            budget = budget.min(b.0);
        }
        if let (None, Some(b)) = (after, req.extensions().get::<BackoffBudget>()) {
            budget = budget.min(b.0);
        }
        if budget.is_zero() || self.elapsed() + delay > budget {
            self.annotate(result);
            return None;
        }
        self.retries += 1;
        let url = RedactedUrl::new(req.uri());
        tracing::debug!(
            method = %req.method(),
            url = %url,
            retry = self.retries,
            ?delay,
            ?reason,
            "retrying request"
        );
        if let Some(hook) = &self.config.on_retry {
            hook(&RetryEvent {
                retry: self.retries,
                delay,
                reason,
                retry_after: after,
                method: req.method().clone(),
                url,
            });
        }
        Some(tokio::time::sleep(delay))
    }

    fn clone_request(&mut self, req: &Request<HfBody>) -> Option<Request<HfBody>> {
        if self.started.is_none() {
            self.started = Some(Instant::now());
        }
        let body = req.body().try_clone()?;
        let mut clone = Request::new(body);
        *clone.method_mut() = req.method().clone();
        *clone.uri_mut() = req.uri().clone();
        *clone.version_mut() = req.version();
        *clone.headers_mut() = req.headers().clone();
        *clone.extensions_mut() = req.extensions().clone();
        Some(clone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::retry::Policy;

    #[test]
    fn backoff_doubles_and_caps() {
        let c =
            RetryConfig::default().backoff(Duration::from_millis(100), Duration::from_millis(350));
        assert_eq!(c.base_delay(1), Duration::from_millis(100));
        assert_eq!(c.base_delay(2), Duration::from_millis(200));
        assert_eq!(c.base_delay(3), Duration::from_millis(350));
        assert_eq!(c.base_delay(40), Duration::from_millis(350));
        let seeded = c.clone().jitter(Jitter::Seeded(7));
        assert_eq!(seeded.delay(2), seeded.delay(2));
        assert!(seeded.delay(2) >= Duration::from_millis(100));
        assert!(seeded.delay(2) <= Duration::from_millis(200));
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_retry_after_on_paused_clock() {
        let mut policy = HubRetryPolicy::new(RetryConfig::default().jitter(Jitter::None));
        let mut req = Request::get("http://h/").body(HfBody::empty()).unwrap();
        let _clone = Policy::<_, Response<()>, Error>::clone_request(&mut policy, &req).unwrap();
        let mut result: Result<Response<()>, Error> = Ok(Response::builder()
            .status(429)
            .header("retry-after", "3")
            .body(())
            .unwrap());
        let start = Instant::now();
        let sleep = policy.retry(&mut req, &mut result).expect("retries a 429");
        sleep.await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn time_budget_stops_retries_and_annotates_the_result() {
        let config = RetryConfig::default()
            .max_retries(10)
            .max_elapsed(Duration::from_secs(5))
            .backoff(Duration::from_secs(2), Duration::from_secs(60))
            .jitter(Jitter::None);
        let mut policy = HubRetryPolicy::new(config);
        let mut req = Request::get("http://h/").body(HfBody::empty()).unwrap();
        let _clone = Policy::<_, Response<()>, Error>::clone_request(&mut policy, &req).unwrap();
        let unavailable = || -> Result<Response<()>, Error> {
            Ok(Response::builder().status(503).body(()).unwrap())
        };
        let mut result = unavailable();
        policy
            .retry(&mut req, &mut result)
            .expect("first retry fits")
            .await;
        let mut result = unavailable();
        // the next wait (4 s) would end after the 5 s budget
        assert!(policy.retry(&mut req, &mut result).is_none());
        let stats = result
            .unwrap()
            .extensions()
            .get::<RetryStats>()
            .copied()
            .unwrap();
        assert_eq!(stats, RetryStats::new(1, Duration::from_secs(2)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_budget_stops_retries_before_its_deadline() {
        let config = RetryConfig::default()
            .max_retries(10)
            .backoff(Duration::from_secs(1), Duration::from_secs(60))
            .jitter(Jitter::None);
        let mut policy = HubRetryPolicy::new(config);
        let mut req = Request::head("http://h/").body(HfBody::empty()).unwrap();
        req.extensions_mut()
            .insert(RetryBudget(Duration::from_secs(2)));
        let _clone = Policy::<_, Response<()>, Error>::clone_request(&mut policy, &req).unwrap();
        let refused = || -> Result<Response<()>, Error> {
            Err(Error::new(
                crate::ErrorKind::Connect,
                std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
            ))
        };
        let mut result = refused();
        policy
            .retry(&mut req, &mut result)
            .expect("the first wait (1 s) fits")
            .await;
        let mut result = refused();
        // The next wait (2 s) would end after the 2 s budget: the error is returned, with
        // the retries it took.
        assert!(policy.retry(&mut req, &mut result).is_none());
        let err = result.unwrap_err();
        assert!(err.is_connect(), "{err}");
        assert!(err.to_string().contains("after 1 retry in 1.0s"), "{err}");
    }

    #[tokio::test(start_paused = true)]
    async fn no_budget_means_no_retry_even_when_the_server_asks_for_none_of_a_wait() {
        let mut policy = HubRetryPolicy::new(RetryConfig::default());
        let mut req = Request::head("http://h/").body(HfBody::empty()).unwrap();
        req.extensions_mut().insert(RetryBudget::NONE);
        let _clone = Policy::<_, Response<()>, Error>::clone_request(&mut policy, &req).unwrap();
        let mut refused: Result<Response<()>, Error> = Err(Error::new(
            crate::ErrorKind::Connect,
            std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        ));
        assert!(policy.retry(&mut req, &mut refused).is_none());
        let mut throttled: Result<Response<()>, Error> = Ok(Response::builder()
            .status(429)
            .header("retry-after", "0")
            .body(())
            .unwrap());
        assert!(policy.retry(&mut req, &mut throttled).is_none());
        // Without the extension, both would be retried.
        req.extensions_mut().remove::<RetryBudget>();
        assert!(policy.retry(&mut req, &mut throttled).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn a_backoff_budget_does_not_cut_the_waits_the_server_asks_for() {
        let mut policy = HubRetryPolicy::new(RetryConfig::default().jitter(Jitter::None));
        let mut req = Request::get("http://h/").body(HfBody::empty()).unwrap();
        req.extensions_mut()
            .insert(BackoffBudget(Duration::from_millis(500)));
        let _clone = Policy::<_, Response<()>, Error>::clone_request(&mut policy, &req).unwrap();
        // Asked to wait 5 s: beyond the budget, within the client's limits, so it waits.
        let mut throttled: Result<Response<()>, Error> = Ok(Response::builder()
            .status(429)
            .header("retry-after", "5")
            .body(())
            .unwrap());
        assert!(policy.retry(&mut req, &mut throttled).is_some());
        // A refused connection's backoff (1 s) is past the budget: no retry.
        let mut refused: Result<Response<()>, Error> = Err(Error::new(
            crate::ErrorKind::Connect,
            std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        ));
        assert!(policy.retry(&mut req, &mut refused).is_none());
    }

    #[test]
    fn a_retry_event_reads_as_one_log_line() {
        let event = RetryEvent {
            retry: 2,
            delay: Duration::from_millis(1500),
            reason: RetryReason::Status(http::StatusCode::SERVICE_UNAVAILABLE),
            retry_after: None,
            method: Method::GET,
            url: RedactedUrl::new(&"https://cdn.example/blob?sig=secret".parse().unwrap()),
        };
        assert_eq!(
            event.to_string(),
            "GET https://cdn.example/blob?sig=[redacted]: answered 503 Service Unavailable; \
             retrying in 1.5s (retry 2)"
        );
        let event = RetryEvent {
            reason: RetryReason::Connect,
            ..event
        };
        assert!(
            event.to_string().contains(": could not connect; "),
            "{event}"
        );
    }

    #[test]
    fn one_shot_bodies_are_not_cloned() {
        let mut policy = HubRetryPolicy::new(RetryConfig::default());
        let body =
            HfBody::from_stream(futures_util::stream::empty::<Result<bytes::Bytes, Error>>());
        let req = Request::post("http://h/").body(body).unwrap();
        assert!(Policy::<_, Response<()>, Error>::clone_request(&mut policy, &req).is_none());
    }
}
