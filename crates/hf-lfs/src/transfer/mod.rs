//! LFS transfers: basic (one PUT of the whole content) and multipart (pre-signed part
//! URLs, parts in parallel, then a completion call), followed by the optional verify.

mod basic;
mod multipart;

pub(crate) use multipart::completion_may_have_succeeded;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use hf_http::{HubClient, RetryConfig};
use hf_types::LfsBatchObject;
use http::Method;
use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::batch::PendingObject;
use crate::error::{Error, Result};
use crate::source::BlockPool;
use crate::target::{fix_endpoint, json_request, parse_uri, send_discard};

/// Concurrency and retry settings of LFS transfers.
///
/// Every transfer streams its content from the source in 2 MiB blocks: memory use is
/// about two blocks per request in flight, and at most `max_concurrent_requests`
/// requests (a basic upload or one part of a multipart upload) are in flight at once.
#[derive(Clone)]
#[non_exhaustive]
pub struct TransferOptions {
    /// LFS objects transferred at once. Default 5 (the Python client's `num_threads`).
    pub max_concurrent_files: usize,
    /// Parts of one multipart object uploaded at once. Default 4 (Python sends them one
    /// by one).
    pub max_concurrent_parts: usize,
    /// Upload requests in flight at once over all objects: a basic upload or one part
    /// counts as one. Default 10, so that a lone large file sends
    /// `max_concurrent_parts` parts at once while five files share the budget (two
    /// parts each) instead of opening twenty connections: beyond a saturated link, more
    /// streams only add memory and per-connection work on both ends. Never fewer than
    /// `max_concurrent_files`, so that every object in flight can send.
    pub max_concurrent_requests: usize,
    /// Retries of streamed uploads (basic uploads and multipart parts), whose body the
    /// HTTP stack cannot replay: the content is read again from the source on each
    /// attempt, after 429, a 5xx or a failed connection. Default (`None`): the client's
    /// own settings ([`HubClient::retry_config`]), by default 5 retries, 1 s doubling
    /// to 8 s, as the Python client retries LFS `PUT`s; its `on_retry` hook hears of
    /// each one.
    pub retry: Option<RetryConfig>,
    on_progress: Option<ProgressHook>,
}

type ProgressHook = Arc<dyn Fn(&TransferEvent<'_>) + Send + Sync>;

/// Progress of LFS transfers, reported to [`TransferOptions::on_progress`].
///
/// **When**: per object, `Skipped` (the server already has it) or `Started`, then
/// `Progress` as bytes go out (one event per 2 MiB block of a basic upload, one per part
/// of a multipart upload), `Restarted` if a basic upload is retried from the start
/// (count its bytes from zero again), and `Finished` once uploaded and verified. Objects
/// run concurrently, so events of different files interleave.
///
/// **Available information**: the file's path in the repo and byte counts; nothing is
/// allocated per event.
///
/// **Errors**: none are reported here; a failed object makes
/// [`upload_lfs_objects`](crate::upload_lfs_objects) return the error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransferEvent<'a> {
    /// The server already has this content; nothing is sent.
    Skipped {
        /// The file.
        path_in_repo: &'a str,
        /// Its size.
        size: u64,
    },
    /// The upload of an object starts.
    Started {
        /// The file.
        path_in_repo: &'a str,
        /// Its size.
        size: u64,
    },
    /// `bytes` more bytes were handed to the connection (basic) or accepted (a part).
    Progress {
        /// The file.
        path_in_repo: &'a str,
        /// Bytes since the previous event of this object.
        bytes: u64,
    },
    /// A basic upload is sent again from the start after a retryable failure.
    Restarted {
        /// The file.
        path_in_repo: &'a str,
    },
    /// The object is uploaded (and verified when the server asked for it).
    Finished {
        /// The file.
        path_in_repo: &'a str,
    },
}

impl fmt::Debug for TransferOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransferOptions")
            .field("max_concurrent_files", &self.max_concurrent_files)
            .field("max_concurrent_parts", &self.max_concurrent_parts)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field("retry", &self.retry)
            .field("on_progress", &self.on_progress.as_ref().map(|_| "Fn"))
            .finish()
    }
}

impl Default for TransferOptions {
    fn default() -> Self {
        TransferOptions {
            max_concurrent_files: 5,
            max_concurrent_parts: 4,
            max_concurrent_requests: 10,
            retry: None,
            on_progress: None,
        }
    }
}

impl TransferOptions {
    /// Sets [`max_concurrent_files`](TransferOptions::max_concurrent_files).
    pub fn max_concurrent_files(mut self, n: usize) -> Self {
        self.max_concurrent_files = n.max(1);
        self
    }

    /// Sets [`max_concurrent_parts`](TransferOptions::max_concurrent_parts).
    pub fn max_concurrent_parts(mut self, n: usize) -> Self {
        self.max_concurrent_parts = n.max(1);
        self
    }

    /// Sets [`max_concurrent_requests`](TransferOptions::max_concurrent_requests).
    pub fn max_concurrent_requests(mut self, n: usize) -> Self {
        self.max_concurrent_requests = n.max(1);
        self
    }

    /// Sets the retry settings of streamed uploads.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// The retry settings of streamed uploads through `client`.
    pub(crate) fn retry_for(&self, client: &HubClient) -> RetryConfig {
        self.retry
            .clone()
            .unwrap_or_else(|| client.retry_config().clone())
    }

    /// Calls `hook` with every [`TransferEvent`]. The hook runs on the upload tasks: it
    /// must be quick and must not block.
    pub fn on_progress(
        mut self,
        hook: impl Fn(&TransferEvent<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.on_progress = Some(Arc::new(hook));
        self
    }

    pub(crate) fn emit(&self, event: TransferEvent<'_>) {
        if let Some(hook) = &self.on_progress {
            hook(&event);
        }
    }
}

/// What the objects of one [`upload_lfs_objects`](crate::upload_lfs_objects) call share.
#[derive(Clone)]
pub(crate) struct CallShared {
    /// Read buffers, reused from one block to the next.
    pub(crate) blocks: BlockPool,
    /// One permit per upload request in flight
    /// ([`TransferOptions::max_concurrent_requests`]).
    pub(crate) requests: Arc<Semaphore>,
}

impl CallShared {
    pub(crate) fn new(options: &TransferOptions) -> Self {
        CallShared {
            blocks: BlockPool::default(),
            requests: Arc::new(Semaphore::new(
                options
                    .max_concurrent_requests
                    .max(options.max_concurrent_files)
                    .max(1),
            )),
        }
    }

    /// Waits for room for one more request.
    pub(crate) async fn request_permit(&self) -> OwnedSemaphorePermit {
        self.requests
            .clone()
            .acquire_owned()
            .await
            .expect("the semaphore is never closed")
    }
}

#[derive(Serialize)]
struct VerifyBody<'a> {
    oid: &'a str,
    size: u64,
}

/// Transfers one object as the batch answer says, then verifies it if asked to.
pub(crate) async fn upload_object(
    client: &HubClient,
    object: &PendingObject,
    answer: LfsBatchObject,
    options: &TransferOptions,
    auth: Option<&hf_http::auth::RequestAuth>,
    slot: OwnedSemaphorePermit,
    shared: &CallShared,
) -> Result<()> {
    let Some(actions) = answer.actions else {
        return Ok(());
    };
    let Some(upload) = actions.upload else {
        return Ok(());
    };
    let endpoint = client.endpoint();
    let href = fix_endpoint(&upload.href, endpoint);
    options.emit(TransferEvent::Started {
        path_in_repo: &object.path_in_repo,
        size: object.size,
    });
    if let Some(raw) = upload.header.get("chunk_size") {
        let chunk_size: u64 = raw.trim().parse().ok().filter(|c| *c > 0).ok_or_else(|| {
            Error::malformed(
                "LFS batch request",
                format!("chunk_size should be a positive integer, got {raw:?}"),
            )
        })?;
        let parts: Vec<String> = upload
            .part_urls()
            .into_iter()
            .map(|(_, url)| fix_endpoint(url, endpoint))
            .collect();
        let action = multipart::Action {
            href: &href,
            chunk_size,
            part_urls: parts,
        };
        multipart::upload(client, object, action, options, auth, slot, shared).await?;
    } else {
        basic::upload(client, object, &href, options, shared).await?;
        drop(slot);
    }
    if let Some(verify) = actions.verify {
        let href = fix_endpoint(&verify.href, endpoint);
        let uri = parse_uri("LFS batch request", &href)?;
        let body = crate::json::to_vec(&VerifyBody {
            oid: object.oid.as_str(),
            size: object.size,
        });
        // Verification only checks state: safe to retry.
        let mut req = json_request(Method::POST, uri, body, "application/json", None, true);
        crate::target::authorize(&mut req, auth);
        send_discard(client, "LFS verify request", req).await?;
    }
    options.emit(TransferEvent::Finished {
        path_in_repo: &object.path_in_repo,
    });
    Ok(())
}

/// Whether a failed transfer request is worth sending again: the statuses and failures
/// the Python client retries LFS `PUT`s on (500, 502, 503, 504; connection failures and
/// timeouts), plus 429 (storage throttling an upload) and a broken connection.
fn is_retryable(err: &hf_http::Error) -> bool {
    use hf_http::ErrorKind;
    match err.status() {
        Some(status) => matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504),
        None => matches!(
            err.kind(),
            // `Body`: the answer broke off after the upload was sent.
            ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Transport | ErrorKind::Body
        ),
    }
}

/// The per-attempt limit of a request uploading `bytes`: its answer only comes once the
/// whole body is sent, so the stack's default (300 s) is extended by the time the body
/// takes at a slow 256 KiB/s.
pub(crate) fn upload_timeout(bytes: u64) -> hf_http::timeout::AttemptTimeout {
    const SLOW_BYTES_PER_SEC: u64 = 256 * 1024;
    hf_http::timeout::AttemptTimeout(Some(
        Duration::from_secs(300) + Duration::from_secs(bytes / SLOW_BYTES_PER_SEC),
    ))
}

/// After `retries` retries of a streamed upload to `uri` failed with `err`: the wait
/// before sending it again, or `None` when that is not worth it (or allowed). The retry
/// is announced through the settings' `on_retry` hook, as the stack announces its own.
pub(crate) fn next_retry(
    retry: &RetryConfig,
    retries: u32,
    err: &hf_http::Error,
    uri: &http::Uri,
) -> Option<Duration> {
    use hf_http::ErrorKind;
    use hf_http::retry::{RetryEvent, RetryReason};
    if retries >= retry.max_retries || !is_retryable(err) {
        return None;
    }
    let delay = retry.delay(retries + 1);
    let reason = match (err.status(), err.kind()) {
        (Some(status), _) => RetryReason::Status(status),
        (None, _) if err.is_connect() => RetryReason::Connect,
        (None, ErrorKind::Timeout) => RetryReason::Timeout,
        (None, _) => RetryReason::Transport,
    };
    retry.notify(&RetryEvent::new(
        retries + 1,
        delay,
        reason,
        http::Method::PUT,
        uri,
    ));
    Some(delay)
}
