//! The commit request: an NDJSON payload streamed from the operations.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use futures_util::stream::{self, BoxStream};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::operation::{AddSource, CommitOperation, CopySource, UploadMode};
use crate::source::{BlockPool, stream_range};

/// Bytes of content read per base64 chunk: a multiple of 3, so chunks encode without
/// padding and concatenate into one valid base64 string.
const B64_READ_BLOCK: usize = 3 * 512 * 1024;

/// The first line of a commit payload: message and optional parent commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitHeader {
    summary: String,
    description: String,
    #[serde(rename = "parentCommit", skip_serializing_if = "Option::is_none")]
    parent_commit: Option<String>,
}

impl CommitHeader {
    /// A header with commit title `summary` (must not be empty) and no description.
    pub fn new(summary: impl Into<String>) -> Self {
        CommitHeader {
            summary: summary.into(),
            description: String::new(),
            parent_commit: None,
        }
    }

    /// Sets the commit description (the body of the message).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Makes the commit fail unless the branch head is `oid` (5 to 40 hex digits, a
    /// prefix is enough). With `create_pr`, the pull request is based on it.
    pub fn parent_commit(mut self, oid: impl Into<String>) -> Result<Self> {
        let oid = oid.into();
        if !(5..=40).contains(&oid.len()) || !oid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::InvalidCommit(format!(
                "parent commit {oid:?} is not a commit id: expected 5 to 40 hexadecimal digits"
            )));
        }
        self.parent_commit = Some(oid);
        Ok(self)
    }

    /// The commit title.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// The commit description (empty if none).
    pub fn get_description(&self) -> &str {
        &self.description
    }

    /// The expected parent commit, if any.
    pub fn get_parent_commit(&self) -> Option<&str> {
        self.parent_commit.as_deref()
    }
}

#[derive(Serialize)]
struct Line<'a, V: Serialize> {
    key: &'a str,
    value: V,
}

#[derive(Serialize)]
struct LfsFileValue<'a> {
    path: &'a str,
    algo: &'a str,
    oid: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
}

#[derive(Serialize)]
struct PathValue<'a> {
    path: &'a str,
}

/// Prefix of a `file` line, up to the opening quote of the base64 content.
const FILE_LINE_PREFIX: &[u8] = br#"{"key": "file", "value": {"content": ""#;

#[derive(Clone)]
enum Part {
    Bytes(Bytes),
    Base64 {
        source: AddSource,
        size: u64,
        path_in_repo: String,
    },
}

/// The body of `POST /api/{type}s/{id}/commit/{rev}`: one JSON object per line (the
/// header, then one line per operation in the caller's order), serialised exactly as
/// the Python client does.
///
/// Regular files are base64-encoded while the body is sent, reading the content in
/// blocks: the payload never holds a whole file. Its length is known up front
/// ([`content_length`](CommitPayload::content_length)), so it is sent with a
/// `Content-Length` rather than chunked.
///
/// ```
/// use futures_util::TryStreamExt;
/// use hf_lfs::{CommitHeader, CommitOperation, CommitOperationDelete, CommitPayload};
/// # async fn demo() -> Result<(), hf_lfs::Error> {
/// let ops: Vec<CommitOperation> = vec![CommitOperationDelete::new("old.txt")?.into()];
/// let payload = CommitPayload::new(&CommitHeader::new("Remove old.txt"), &ops)?;
/// let len = payload.content_length();
/// let body: Vec<bytes::Bytes> = payload.into_stream().try_collect().await?;
/// assert_eq!(body.concat().len() as u64, len);
/// # Ok(()) }
/// ```
///
/// Cloning is cheap: bytes are shared, and files are read only when the payload is
/// streamed.
#[derive(Clone)]
pub struct CommitPayload {
    parts: Vec<Part>,
    len: u64,
}

impl std::fmt::Debug for CommitPayload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommitPayload")
            .field("parts", &self.parts.len())
            .field("len", &self.len)
            .finish()
    }
}

impl CommitPayload {
    /// Builds the payload of `ops`.
    ///
    /// Every addition must be hashed and have an upload mode (see
    /// [`preupload`](crate::preupload)); additions the server said to ignore are left
    /// out; every copy must be [resolved](crate::CommitOperationCopy::resolve). Empty
    /// content is always sent as a regular file.
    pub fn new(header: &CommitHeader, ops: &[CommitOperation]) -> Result<Self> {
        if header.summary.is_empty() {
            return Err(Error::InvalidCommit(
                "the commit summary (message) is empty; pass a commit message".to_owned(),
            ));
        }
        let mut b = Builder::default();
        json_line(&mut b.buf, "header", header);
        for op in ops {
            match op {
                CommitOperation::Add(add) => {
                    if add.should_ignore {
                        continue;
                    }
                    let info = add.info_or_err()?;
                    let mode = if info.size == 0 {
                        UploadMode::Regular
                    } else {
                        add.mode_or_err()?
                    };
                    match mode {
                        UploadMode::Regular => {
                            b.regular_file(add.source.clone(), info.size, &add.path_in_repo);
                        }
                        UploadMode::Lfs => json_line(
                            &mut b.buf,
                            "lfsFile",
                            &LfsFileValue {
                                path: &add.path_in_repo,
                                algo: "sha256",
                                oid: info.sha256.as_str(),
                                size: Some(info.size),
                            },
                        ),
                    }
                }
                CommitOperation::Delete(del) => json_line(
                    &mut b.buf,
                    if del.is_folder() {
                        "deletedFolder"
                    } else {
                        "deletedFile"
                    },
                    &PathValue {
                        path: del.path_in_repo(),
                    },
                ),
                CommitOperation::Copy(copy) => match copy.resolved() {
                    Some(CopySource::Lfs { oid }) => json_line(
                        &mut b.buf,
                        "lfsFile",
                        &LfsFileValue {
                            path: copy.path_in_repo(),
                            algo: "sha256",
                            oid: oid.as_str(),
                            size: None,
                        },
                    ),
                    Some(CopySource::Regular(content)) => {
                        let size = content.len() as u64;
                        b.regular_file(
                            AddSource(crate::operation::SourceKind::Bytes(content.clone())),
                            size,
                            copy.path_in_repo(),
                        );
                    }
                    None => {
                        return Err(Error::NotPrepared {
                            path_in_repo: copy.path_in_repo().to_owned(),
                            missing: "copy source not resolved; call CommitOperationCopy::resolve first",
                        });
                    }
                },
            }
        }
        Ok(b.finish())
    }

    /// The exact length of the body in bytes.
    pub fn content_length(&self) -> u64 {
        self.len
    }

    /// The body as a stream of chunks: runs of small lines are merged into one chunk;
    /// regular file content comes in base64 chunks of 2 MiB read from the source as the
    /// stream is polled.
    pub fn into_stream(self) -> PayloadStream {
        let pool = BlockPool::default();
        let inner = stream::iter(self.parts)
            .flat_map(move |part| -> BoxStream<'static, Result<Bytes>> {
                match part {
                    Part::Bytes(b) => stream::once(async move { Ok(b) }).boxed(),
                    Part::Base64 {
                        source,
                        size,
                        path_in_repo,
                    } => stream_range(source, 0, size, B64_READ_BLOCK, pool.clone())
                        .map(move |chunk| match chunk {
                            Ok(chunk) => Ok(Bytes::from(BASE64.encode(&chunk))),
                            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                                Err(Error::ContentChanged {
                                    path_in_repo: path_in_repo.clone(),
                                    expected: size,
                                })
                            }
                            Err(source) => Err(Error::Read {
                                path_in_repo: path_in_repo.clone(),
                                source,
                            }),
                        })
                        .boxed(),
                }
            })
            .boxed();
        PayloadStream {
            inner,
            remaining: self.len,
        }
    }
}

/// The stream of [`CommitPayload::into_stream`]; knows how many bytes remain.
pub struct PayloadStream {
    inner: BoxStream<'static, Result<Bytes>>,
    remaining: u64,
}

impl std::fmt::Debug for PayloadStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayloadStream")
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

impl PayloadStream {
    /// Bytes not yet yielded.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }
}

impl Stream for PayloadStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let item = self.inner.poll_next_unpin(cx);
        if let Poll::Ready(Some(Ok(chunk))) = &item {
            self.remaining = self.remaining.saturating_sub(chunk.len() as u64);
        }
        item
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

#[derive(Default)]
struct Builder {
    parts: Vec<Part>,
    buf: Vec<u8>,
    len: u64,
}

impl Builder {
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            let b = Bytes::from(std::mem::take(&mut self.buf));
            self.len += b.len() as u64;
            self.parts.push(Part::Bytes(b));
        }
    }

    fn regular_file(&mut self, source: AddSource, size: u64, path_in_repo: &str) {
        self.buf.extend_from_slice(FILE_LINE_PREFIX);
        self.flush();
        if size > 0 {
            self.len += size.div_ceil(3) * 4;
            self.parts.push(Part::Base64 {
                source,
                size,
                path_in_repo: path_in_repo.to_owned(),
            });
        }
        self.buf.extend_from_slice(b"\", \"path\": ");
        self.buf
            .extend_from_slice(&crate::json::to_vec(path_in_repo));
        self.buf
            .extend_from_slice(b", \"encoding\": \"base64\"}}\n");
    }

    fn finish(mut self) -> CommitPayload {
        self.flush();
        CommitPayload {
            parts: self.parts,
            len: self.len,
        }
    }
}

fn json_line<V: Serialize>(buf: &mut Vec<u8>, key: &str, value: V) {
    crate::json::to_line(&Line { key, value }, buf);
}

impl CommitPayload {
    /// The payload as a request body with an exact length (sent with `Content-Length`,
    /// never chunked). It is replayable: each sending reads the sources again, so a
    /// retry needs no copy of the payload in memory.
    ///
    /// If reading a file fails while sending, the transport reports a body error; use
    /// [`send_commit`] to get the underlying [`Error`] instead.
    pub fn into_body(self) -> hf_http::HfBody {
        self.into_body_reporting(crate::body::BodyFailure::default())
    }

    /// [`into_body`](Self::into_body), leaving the error that stops any of its sendings
    /// in `failure`.
    fn into_body_reporting(self, failure: crate::body::BodyFailure) -> hf_http::HfBody {
        let len = self.len;
        hf_http::HfBody::replayable(move || {
            let stream = self.clone().into_stream().boxed();
            crate::body::SizedBody::with_failure(stream, len, failure.clone())
        })
    }
}

/// Sends the commit: `POST {endpoint}/api/{type}s/{repo_id}/commit/{revision}` (with
/// `?create_pr=1` for a pull request) with the NDJSON payload of `ops`, and returns the
/// Hub's answer (new commit id and URL, pull request URL).
///
/// The request is sent again only when the Hub refuses it with 429 (a commit is not
/// idempotent; the payload is read again from its sources). Run
/// [`hash_additions`](crate::hash_additions), [`preupload`](crate::preupload) and
/// [`upload_lfs_objects`](crate::upload_lfs_objects) first, and resolve copies.
pub async fn send_commit(
    client: &hf_http::HubClient,
    target: &crate::UploadTarget,
    header: &CommitHeader,
    ops: &[CommitOperation],
) -> Result<hf_types::CommitInfo> {
    const WHAT: &str = "commit request";
    let payload = CommitPayload::new(header, ops)?;
    let uri = client
        .url(&target.commit_path())
        .map_err(|e| Error::http(WHAT, e))?;
    let len = payload.content_length();
    // The payload is made again for each sending, so the stack can send it again after
    // a 429 (the Hub refused it to throttle, once the wait it asks for is over), in
    // bounded memory whatever its size. A file that fails to read stops it for good.
    let failure = crate::body::BodyFailure::default();
    let body = payload.into_body_reporting(failure.clone());
    let mut req = http::Request::new(body);
    *req.method_mut() = http::Method::POST;
    *req.uri_mut() = uri;
    let headers = req.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-ndjson"),
    );
    headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(len));
    req.extensions_mut()
        .insert(hf_http::retry::Idempotency::NotIdempotent);
    crate::target::authorize(&mut req, target.get_auth());
    // The answer comes after the whole payload (up to 1 GB of base64) is sent.
    req.extensions_mut()
        .insert(crate::transfer::upload_timeout(len));
    crate::target::send_json(client, WHAT, req)
        .await
        .map_err(|e| failure.take().unwrap_or(e))
}

/// Runs every step of a commit on `ops`: [`hash_additions`](crate::hash_additions),
/// [`preupload`](crate::preupload), [`upload_lfs_objects`](crate::upload_lfs_objects)
/// and [`send_commit`]. Copies must be [resolved](crate::CommitOperationCopy::resolve)
/// beforehand.
///
/// Returns `None`, without sending a commit, when `ops` is empty or every operation is
/// an addition whose content the revision already has (the Python client then reports
/// the revision's current head, which takes a `repo_info` call this crate does not
/// make). Steps already done on `ops` (hashing, LFS uploads) are not repeated, so a
/// failed commit can be retried with the same operations.
pub async fn create_commit(
    client: &hf_http::HubClient,
    target: &crate::UploadTarget,
    header: &CommitHeader,
    ops: &mut [CommitOperation],
    options: &crate::TransferOptions,
) -> Result<Option<hf_types::CommitInfo>> {
    if header.summary.is_empty() {
        return Err(Error::InvalidCommit(
            "the commit summary (message) is empty; pass a commit message".to_owned(),
        ));
    }
    crate::hash_additions(ops).await?;
    crate::preupload(client, target, ops, None).await?;
    crate::upload_lfs_objects(client, target, ops, options).await?;
    let nothing_to_do = ops.iter().all(|op| {
        op.as_add()
            .is_some_and(crate::CommitOperationAdd::is_unchanged)
    });
    if nothing_to_do {
        tracing::info!("no file changed since the last commit; skipping the empty commit");
        return Ok(None);
    }
    send_commit(client, target, header, ops).await.map(Some)
}
