//! Retries: a tower [`Policy`](tower::retry::Policy) ([`HubRetryPolicy`]) driven by a
//! separate classifier ([`classify()`]) and `Retry-After` parser ([`retry_after`]).
//!
//! What is retried (see [`classify()`] for the reasons):
//!
//! | outcome | idempotent request | non-idempotent request (a POST) |
//! |---|---|---|
//! | connect error / connect timeout (never sent) | yes | yes |
//! | 429 (refused, not carried out) | yes, honouring `Retry-After` | yes, honouring `Retry-After` |
//! | 408, 500, 502, 503, 504 | yes, honouring `Retry-After` | no |
//! | timeout or connection loss after sending | yes | no |
//! | the body broken off or stalled, when read within the attempt ([`BufferBody`]) | yes | no |
//! | anything else | no | no |
//!
//! A request whose body cannot be replayed (a one-shot stream) is never retried.
//! Retries are bounded by a count *and* by the elapsed time, lowered per request by a
//! [`RetryBudget`] extension (for calls bounded by a deadline) or a [`BackoffBudget`]
//! (which leaves the waits the server asks for alone); the final error (or the
//! final response, through a [`RetryStats`](crate::RetryStats) extension) says "after N
//! retries in T".

mod buffer;
mod classify;
mod policy;
pub mod retry_after;

pub use buffer::{BufferBody, BufferBodyLayer, BufferBodyService};
pub use classify::{
    Classification, Idempotency, RetryReason, classify, is_idempotent, is_retryable_status,
};
pub use policy::{BackoffBudget, HubRetryPolicy, Jitter, RetryBudget, RetryConfig, RetryEvent};
