//! Scriptable faults for reliability tests; see [`FaultRule`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use http::{Method, StatusCode};
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use regex::Regex;

use crate::log::Listener;

#[derive(Clone, Debug)]
enum PathMatch {
    Prefix(String),
    Regex(Regex),
}

/// A scripted fault. It matches requests by method, listener and path (prefix or regex) and
/// applies one or more effects to the next `times` matching requests (all of them when
/// `times` is not set):
///
/// | Effect | Builder | What the client sees |
/// |---|---|---|
/// | fail | [`FaultRule::fail_times`] / [`FaultRule::fail`] (+ [`FaultRule::retry_after`]) | that status, JSON error body, no handler runs (the request body is read first) |
/// | delay headers | [`FaultRule::delay`] | response headers after the delay |
/// | drop connection | [`FaultRule::drop_after`] | `K` body bytes, then the connection is aborted (`Content-Length` kept) |
/// | stall | [`FaultRule::stall_after`] | `K` body bytes, then nothing more while the connection stays open |
/// | truncate | [`FaultRule::truncate_after`] | a clean, chunked body of only `K` bytes (`Content-Length` removed) |
/// | corrupt | [`FaultRule::corrupt_at`] | the byte at that body offset is inverted |
/// | throttle | [`FaultRule::throttle`] | the body paced at that many bytes per second |
/// | ignore `Range` | [`FaultRule::ignore_range`] | the whole body with `200`, as from a server without range support |
/// | chaos | [`FaultRule::chaos`] | now and then, one of the faults above, drawn at random |
#[derive(Clone, Debug)]
pub struct FaultRule {
    method: Option<Method>,
    path: PathMatch,
    listener: Option<Listener>,
    remaining: Option<Arc<AtomicU32>>,
    pub(crate) status: Option<StatusCode>,
    pub(crate) retry_after: Option<u64>,
    pub(crate) delay: Option<Duration>,
    pub(crate) ignore_range: bool,
    pub(crate) body: BodyFault,
    chaos: Option<Arc<Chaos>>,
}

/// The random draw of a [`FaultRule::chaos`] rule, shared by its clones.
#[derive(Debug)]
struct Chaos {
    probability: f64,
    rng: Mutex<StdRng>,
    /// The faults drawn so far for requests other than `HEAD`, which take the kinds in turn.
    turns: AtomicU32,
    drawn: Mutex<BTreeMap<String, u32>>,
}

/// The statuses a chaos rule answers with: what a Hub or CDN under strain sends.
const CHAOS_STATUSES: [u16; 5] = [429, 500, 502, 503, 504];

/// The body effects of a rule.
#[derive(Clone, Debug, Default)]
pub(crate) struct BodyFault {
    pub(crate) drop_after: Option<u64>,
    pub(crate) stall_after: Option<u64>,
    pub(crate) truncate_after: Option<u64>,
    pub(crate) corrupt_at: Option<u64>,
    pub(crate) throttle_bps: Option<u64>,
}

impl BodyFault {
    fn is_empty(&self) -> bool {
        self.drop_after.is_none()
            && self.stall_after.is_none()
            && self.truncate_after.is_none()
            && self.corrupt_at.is_none()
            && self.throttle_bps.is_none()
    }
}

impl FaultRule {
    /// A rule for `method` requests whose path (without query) starts with `path_prefix`.
    pub fn new(method: Method, path_prefix: &str) -> Self {
        Self::build(Some(method), PathMatch::Prefix(path_prefix.to_owned()))
    }

    /// A rule for requests of any method whose path starts with `path_prefix`.
    pub fn any_method(path_prefix: &str) -> Self {
        Self::build(None, PathMatch::Prefix(path_prefix.to_owned()))
    }

    /// A rule for requests whose path and query (as sent, percent-encoded) match `pattern`.
    pub fn regex(method: Option<Method>, pattern: &str) -> Result<Self, crate::Error> {
        let re = Regex::new(pattern)
            .map_err(|e| crate::Error::Invalid(format!("invalid fault regex {pattern:?}: {e}")))?;
        Ok(Self::build(method, PathMatch::Regex(re)))
    }

    fn build(method: Option<Method>, path: PathMatch) -> Self {
        Self {
            method,
            path,
            listener: None,
            remaining: None,
            status: None,
            retry_after: None,
            delay: None,
            ignore_range: false,
            body: BodyFault::default(),
            chaos: None,
        }
    }

    /// Applies only to requests on this listener (default: both).
    pub fn on(mut self, listener: Listener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Applies to the next `n` matching requests only, then the rule is spent.
    pub fn times(mut self, n: u32) -> Self {
        self.remaining = Some(Arc::new(AtomicU32::new(n)));
        self
    }

    /// Answers matching requests with `status` instead of running the handler.
    pub fn fail(mut self, status: u16) -> Self {
        self.status = Some(StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE));
        self
    }

    /// Fails the next `n` matching requests with `status`.
    pub fn fail_times(self, n: u32, status: u16) -> Self {
        self.fail(status).times(n)
    }

    /// Adds `Retry-After: secs` to injected failures.
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    /// Delays the response headers.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Sends `bytes` bytes of the response body, then aborts the connection.
    pub fn drop_after(mut self, bytes: u64) -> Self {
        self.body.drop_after = Some(bytes);
        self
    }

    /// Sends `bytes` bytes of the response body, then stalls: nothing more is sent, and
    /// the connection stays open until the client gives up on it.
    pub fn stall_after(mut self, bytes: u64) -> Self {
        self.body.stall_after = Some(bytes);
        self
    }

    /// Ends the response body cleanly after `bytes` bytes (chunked, no `Content-Length`).
    pub fn truncate_after(mut self, bytes: u64) -> Self {
        self.body.truncate_after = Some(bytes);
        self
    }

    /// Inverts the response body byte at `offset`.
    pub fn corrupt_at(mut self, offset: u64) -> Self {
        self.body.corrupt_at = Some(offset);
        self
    }

    /// Serves matching requests as if they had no `Range` header (the request log
    /// still shows it).
    pub fn ignore_range(mut self) -> Self {
        self.ignore_range = true;
        self
    }

    /// Paces the response body at `bytes_per_sec`.
    pub fn throttle(mut self, bytes_per_sec: u64) -> Self {
        self.body.throttle_bps = Some(bytes_per_sec.max(1));
        self
    }

    /// Makes the rule random: each matching request gets, with this `probability`, one
    /// fault drawn from `seed`'s sequence, and otherwise none. The faults are those a
    /// flaky network or an overloaded Hub produce:
    /// - a status drawn from 429 (with `Retry-After: 0`), 500, 502, 503 and 504;
    /// - except for a `HEAD` (whose answer has no body), in turn with a status, a body
    ///   effect at an offset drawn between 0 and 4 MiB (small offsets as likely as large ones): the connection dropped, the
    ///   body cleanly cut short, a byte corrupted, or the body stalled (a client gets past
    ///   a stall only through its read timeout, so keep that short).
    ///
    /// The rule's other effects are ignored. Which request gets which fault depends on
    /// the order the requests arrive in; [`FaultRule::chaos_drawn`] says what was drawn.
    pub fn chaos(mut self, probability: f64, seed: u64) -> Self {
        self.chaos = Some(Arc::new(Chaos {
            probability: probability.clamp(0.0, 1.0),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            turns: AtomicU32::new(0),
            drawn: Mutex::new(BTreeMap::new()),
        }));
        self
    }

    /// How many faults of each kind a [`FaultRule::chaos`] rule (or any clone of it)
    /// has injected so far: `"status 503"`, `"drop"`, `"truncate"`, `"corrupt"`,
    /// `"stall"`. Empty for other rules.
    pub fn chaos_drawn(&self) -> BTreeMap<String, u32> {
        self.chaos.as_ref().map_or_else(BTreeMap::new, |c| {
            c.drawn.lock().expect("chaos lock").clone()
        })
    }

    /// The rule to apply to one matching request: itself, or for a chaos rule the
    /// fault drawn for this request (`None`: no fault this time).
    pub(crate) fn draw(self, method: &Method) -> Option<Self> {
        let Some(chaos) = self.chaos.clone() else {
            return Some(self);
        };
        let mut rng = chaos.rng.lock().expect("chaos lock");
        if !rng.random_bool(chaos.probability) {
            return None;
        }
        let mut rule = Self::build(None, PathMatch::Prefix(String::new()));
        let kinds: u32 = if *method == Method::HEAD { 1 } else { 5 };
        // An offset below 4 MiB, as likely below 1 KiB as between 1 and 2 MiB.
        let bits: u32 = rng.random_range(0..=22);
        let offset = rng.random_range(0..(1u64 << bits));
        // The kinds take turns, so that a few faults already cover them all.
        let turn = chaos.turns.fetch_add(1, Ordering::Relaxed);
        let kind = match if kinds == 1 { 0 } else { turn % kinds } {
            0 => {
                let status = CHAOS_STATUSES[rng.random_range(0..CHAOS_STATUSES.len())];
                rule = rule.fail(status);
                if status == 429 {
                    rule = rule.retry_after(0);
                }
                format!("status {status}")
            }
            1 => {
                rule = rule.drop_after(offset);
                "drop".to_owned()
            }
            2 => {
                rule = rule.truncate_after(offset);
                "truncate".to_owned()
            }
            3 => {
                rule = rule.corrupt_at(offset);
                "corrupt".to_owned()
            }
            _ => {
                rule = rule.stall_after(offset);
                "stall".to_owned()
            }
        };
        drop(rng);
        *chaos
            .drawn
            .lock()
            .expect("chaos lock")
            .entry(kind)
            .or_default() += 1;
        Some(rule)
    }

    /// Whether the rule matches; consumes one use when it does.
    pub(crate) fn take(&self, listener: Listener, method: &Method, path_and_query: &str) -> bool {
        if self.listener.is_some_and(|l| l != listener) {
            return false;
        }
        if self.method.as_ref().is_some_and(|m| m != method) {
            return false;
        }
        let path = path_and_query
            .split_once('?')
            .map_or(path_and_query, |(p, _)| p);
        let hit = match &self.path {
            PathMatch::Prefix(p) => path.starts_with(p.as_str()),
            PathMatch::Regex(r) => r.is_match(path_and_query),
        };
        if !hit {
            return false;
        }
        match &self.remaining {
            None => true,
            Some(n) => n
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
                .is_ok(),
        }
    }

    pub(crate) fn is_spent(&self) -> bool {
        self.remaining
            .as_ref()
            .is_some_and(|n| n.load(Ordering::SeqCst) == 0)
    }
}

fn dropped() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "injected fault: connection dropped",
    )
}

/// Wraps a response body with the body effects (returns it unchanged when there are none).
pub(crate) fn wrap_body(body: Body, fault: BodyFault) -> Body {
    if fault.is_empty() {
        return body;
    }
    struct St {
        inner: axum::body::BodyDataStream,
        pos: u64,
        fault: BodyFault,
        pending: Option<Bytes>,
        done: bool,
        /// When the throttled body may send its next slice.
        due: Option<tokio::time::Instant>,
    }
    let st = St {
        inner: body.into_data_stream(),
        pos: 0,
        fault,
        pending: None,
        done: false,
        due: None,
    };
    let stream = futures_util::stream::unfold(st, |mut st| async move {
        if st.done {
            return None;
        }
        if st.fault.stall_after.is_some_and(|s| s <= st.pos) {
            // Ends when the client drops the connection (or the hub stops).
            std::future::pending::<()>().await;
        }
        let chunk = match st.pending.take() {
            Some(c) => c,
            None => match st.inner.next().await {
                Some(Ok(c)) => c,
                Some(Err(e)) => {
                    st.done = true;
                    return Some((Err(std::io::Error::other(e)), st));
                }
                None if st.fault.drop_after.is_some() => {
                    // The body ended within the limit: still break the connection.
                    st.done = true;
                    tokio::task::yield_now().await;
                    return Some((Err(dropped()), st));
                }
                None => return None,
            },
        };
        // Limit how much of the body may still go out.
        let limit = [
            st.fault.drop_after,
            st.fault.truncate_after,
            st.fault.stall_after,
        ]
        .into_iter()
        .flatten()
        .min();
        let mut chunk = chunk;
        if let Some(limit) = limit {
            let room = limit.saturating_sub(st.pos);
            if room == 0 {
                st.done = true;
                return if st.fault.drop_after.is_some_and(|d| d <= st.pos) {
                    // Let hyper flush the headers and bytes sent so far before the abort.
                    tokio::task::yield_now().await;
                    Some((Err(dropped()), st))
                } else {
                    None
                };
            }
            if (chunk.len() as u64) > room {
                chunk.truncate(room as usize);
            }
        }
        if let Some(bps) = st.fault.throttle_bps {
            // Pace in slices of about a tenth of a second each, on a schedule (as a
            // traffic shaper does): the time spent reading and sending a slice counts
            // toward its share, so a busy machine does not slow the body below its rate.
            // A reader that stalled may catch up by one slice at most.
            let slice = (bps / 10).max(1) as usize;
            if chunk.len() > slice {
                st.pending = Some(chunk.split_off(slice));
            }
            let now = tokio::time::Instant::now();
            let credit = Duration::from_secs_f64(slice as f64 / bps as f64);
            let start = match st.due {
                Some(due) => due.max(now.checked_sub(credit).unwrap_or(now)),
                None => now,
            };
            let due = start + Duration::from_secs_f64(chunk.len() as f64 / bps as f64);
            st.due = Some(due);
            tokio::time::sleep_until(due).await;
        }
        if let Some(at) = st.fault.corrupt_at
            && at >= st.pos
            && at < st.pos + chunk.len() as u64
        {
            let mut m = BytesMut::from(&chunk[..]);
            m[(at - st.pos) as usize] ^= 0xFF;
            chunk = m.freeze();
        }
        st.pos += chunk.len() as u64;
        Some((Ok(chunk), st))
    });
    Body::from_stream(stream)
}
