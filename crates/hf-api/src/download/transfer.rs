//! Moving bytes from the Hub to a partial file: one resumable stream, or concurrent
//! range requests written in place; both verified (see the [module docs](super)).

use std::collections::VecDeque;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt as _;
use hf_http::http::header::{CONTENT_RANGE, RANGE};
use hf_http::http::{HeaderValue, Method, StatusCode, Uri};
use hf_http::timeout::{AttemptTimeout, ReadTimeout};
use hf_types::ETag;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::metadata::request;
use super::verify::{Check, Hasher, READ_BLOCK, reserve, write_all_at};
use super::{DownloadOptions, blocking, io_error};
use crate::client::HfApi;
use crate::error::Error;
use crate::progress::{ProgressEvent, Reporter};

/// The least a connection of a parallel download gathers from the body before one
/// positioned write (two such buffers exist per connection, one being filled while the
/// other is written).
const WRITE_BLOCK: usize = 128 << 10;
/// The block buffers of a parallel download, all connections together: each one's
/// blocks are this divided by the connections running, within [`WRITE_BLOCK`] and
/// [`STREAM_BLOCK`].
const PARALLEL_BUFFERS: usize = 4 << 20;
/// Bytes per write of a single stream (and the most for a parallel connection). Each
/// block costs a hand-off to a blocking task (and to the hash thread), which adds up
/// at 1 GB/s; a few larger buffers per file cost little memory.
const STREAM_BLOCK: usize = 512 << 10;
/// The largest body frame the transport hands over (its read buffer, see hf-http). A
/// block is written once it holds at least its size, so its buffer has room for one
/// more frame: blocks are not cut at a fixed size (this keeps the buffers from growing
/// when frames are large, and the writes from all being aligned powers of two, which
/// the page cache may back with large folios that are slow to allocate in a VM).
const FRAME_MAX: usize = 128 << 10;
/// Consecutive body failures without progress before giving up.
const MAX_STREAM_FAILURES: u32 = 5;
/// Attempts of a whole file whose content failed verification.
const MAX_VERIFY_ATTEMPTS: u32 = 3;
/// Single-stream files of at least this size are hashed on a thread of their own, so
/// hashing (about 2 GB/s for sha256) overlaps both the receive and the writes instead
/// of following each write; smaller files are not worth the extra thread.
const HASH_THREAD_MIN: u64 = 4 << 20;
/// Write buffers queued for the hash thread (bounds the memory it may lag behind by).
const HASH_QUEUE: usize = 8;

/// The partial files of one download.
#[derive(Debug, Clone)]
pub(crate) struct PartialPaths {
    /// Python-compatible `.incomplete` file, resumed by appending.
    pub(crate) single: PathBuf,
    /// Partial file of parallel range requests (may have holes).
    pub(crate) parallel: PathBuf,
    /// Record of the finished chunks of `parallel`.
    pub(crate) ranges: PathBuf,
}

impl PartialPaths {
    /// Derives the parallel paths from the `.incomplete` path.
    pub(crate) fn from_incomplete(single: PathBuf) -> PartialPaths {
        let text = single.to_string_lossy();
        let base = text.strip_suffix(".incomplete").unwrap_or(&text).to_owned();
        PartialPaths {
            parallel: PathBuf::from(format!("{base}.parallel.incomplete")),
            ranges: PathBuf::from(format!("{base}.parallel.ranges")),
            single,
        }
    }

    /// Removes every partial file (a forced download starts from nothing).
    pub(crate) fn discard(&self) -> std::io::Result<()> {
        remove_files(&[&self.single, &self.parallel, &self.ranges])
    }

    /// Removes the partial files but `keep` (the finished one, about to be moved into
    /// place), once the file is complete; a failure is only logged.
    pub(crate) fn discard_leftovers(&self, keep: Option<&Path>) {
        let others: Vec<&Path> = [&self.single, &self.parallel, &self.ranges]
            .into_iter()
            .map(PathBuf::as_path)
            .filter(|f| Some(*f) != keep)
            .collect();
        if let Err(e) = remove_files(&others) {
            tracing::debug!(error = %e, "could not remove a leftover partial file");
        }
    }

    /// Removes the parallel partial file and its record.
    fn discard_parallel(&self) -> Result<(), Error> {
        remove_files(&[&self.parallel, &self.ranges])
            .map_err(|e| io_error(&self.parallel, "cannot remove", e))
    }
}

fn remove_files(paths: &[&Path]) -> std::io::Result<()> {
    for p in paths {
        match std::fs::remove_file(p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// One file to fetch.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) api: HfApi,
    pub(crate) url: Uri,
    pub(crate) size: u64,
    pub(crate) etag: ETag,
    /// The file's path in the repo, for progress and messages.
    pub(crate) display: Arc<str>,
    pub(crate) options: Arc<DownloadOptions>,
    pub(crate) reporter: Reporter,
}

/// Fetches the file into one of `paths` and verifies it; returns the complete,
/// verified partial file for the caller to rename into place. The caller holds the lock.
pub(crate) async fn fetch(job: &Job, paths: &PartialPaths) -> Result<PathBuf, Error> {
    let check = Check::for_etag(&job.etag);
    let parallel = job.options.parallel;
    let done = if job.size >= parallel.threshold
        && parallel.connections > 1
        && job.size > parallel.chunk_size
    {
        match fetch_parallel(job, paths, check).await {
            Err(Fallback::NoRanges) => {
                tracing::debug!(file = %job.display, "the server ignores Range; using one stream");
                // Nothing in the parallel file can be resumed from such a server, and its
                // blocks are reserved: free them before the single stream reserves its own.
                let p = paths.clone();
                blocking(move || p.discard_parallel()).await?;
                fetch_single(job, &paths.single, check).await?
            }
            Err(Fallback::Failed(e)) => return Err(e),
            Ok(path) => path,
        }
    } else {
        fetch_single(job, &paths.single, check).await?
    };
    // What the other way left (an earlier run or another process with other settings,
    // Python's `.incomplete` too short to adopt) is of no use once the file is complete,
    // and a parallel file may hold the whole size on disk.
    let (p, keep) = (paths.clone(), done.clone());
    blocking(move || {
        p.discard_leftovers(Some(&keep));
        Ok(())
    })
    .await?;
    Ok(done)
}

/// Files up to this size are fetched into memory and written in one step (see
/// [`fetch_small`]).
pub(crate) const SMALL_MAX: u64 = 1 << 20;

/// What [`fetch_small`] got.
pub(crate) enum Small {
    /// The whole, verified content.
    Complete(Vec<u8>),
    /// The body broke off after these bytes: worth keeping in `.incomplete` for the
    /// resumable path to continue from.
    Partial(Vec<u8>),
    /// Anything else off (a wrong length, a hash mismatch, a range answer): the
    /// resumable path, with its retries and messages, starts afresh.
    Unusable,
}

/// Fetches a small file into memory in one request and verifies it. Snapshots of many
/// small files pay per file for each blocking task, so this lets the caller lock,
/// write, rename and link in one.
pub(crate) async fn fetch_small(job: &Job) -> Result<Small, Error> {
    let res = job.api.http().send(ranged_request(job, 0, None)).await?;
    if res.status() != StatusCode::OK {
        return Ok(Small::Unusable);
    }
    let cap = usize::try_from(job.size).unwrap_or(0);
    let mut data = Vec::with_capacity(cap);
    let mut stream = Box::pin(res.into_body().into_stream());
    while let Some(frame) = stream.next().await {
        let Ok(bytes) = frame else {
            return Ok(Small::Partial(data));
        };
        if data.len() + bytes.len() > cap {
            return Ok(Small::Unusable);
        }
        data.extend_from_slice(&bytes);
    }
    if data.len() != cap {
        return Ok(Small::Partial(data));
    }
    let mut hasher = Check::for_etag(&job.etag).hasher(job.size);
    hasher.update(&data);
    if hasher
        .finish_hex()
        .is_some_and(|actual| actual != job.etag.as_str())
    {
        return Ok(Small::Unusable);
    }
    Ok(Small::Complete(data))
}

fn mismatch_error(job: &Job, actual: &str) -> Error {
    Error::Integrity {
        message: format!(
            "{}: the downloaded content hashes to {actual} but the Hub announced {} \
             (tried {MAX_VERIFY_ATTEMPTS} times); the connection or a proxy corrupts data, \
             try again later or from another network",
            job.display,
            job.etag.as_str()
        ),
    }
}

fn ranged_request(
    job: &Job,
    start: u64,
    end: Option<u64>,
) -> hf_http::http::Request<hf_http::HfBody> {
    let mut req = request(Method::GET, job.url.clone(), &job.options);
    // `HF_HUB_DOWNLOAD_TIMEOUT` bounds the wait for the headers and for each read of the
    // body, as in Python; a stalled body then resumes from where it stopped.
    let limit = job.api.download_timeout();
    req.extensions_mut().insert(AttemptTimeout(Some(limit)));
    req.extensions_mut().insert(ReadTimeout(Some(limit)));
    // A CDN URL is pre-signed: credentials the caller put in `headers` stay with the
    // Hub (the client's own token is only ever sent to the Hub's origin anyway).
    let endpoint = job.api.http().endpoint_uri();
    if job.url.scheme() != endpoint.scheme() || job.url.authority() != endpoint.authority() {
        let headers = req.headers_mut();
        headers.remove(hf_http::http::header::AUTHORIZATION);
        headers.remove(hf_http::http::header::COOKIE);
    }
    if start > 0 || end.is_some() {
        let value = match end {
            Some(end) => format!("bytes={start}-{end}"),
            None => format!("bytes={start}-"),
        };
        req.headers_mut().insert(
            RANGE,
            HeaderValue::from_str(&value).expect("digits are a valid header"),
        );
    }
    req
}

/// The start offset of a `Content-Range: bytes a-b/n` answer.
fn content_range_start(res: &hf_http::http::Response<hf_http::ResponseBody>) -> Option<u64> {
    let v = res.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    let spec = v.trim().strip_prefix("bytes ")?;
    spec.split('-').next()?.trim().parse().ok()
}

fn backoff(failures: u32) -> Duration {
    Duration::from_millis(250 * u64::from(failures.min(8)))
}

// ---------------------------------------------------------------------------------------
// Sequential writer with double buffering

/// A write in flight: gives back its buffer (and, on a blocking task, the hasher).
enum PendingWrite {
    Task(JoinHandle<std::io::Result<(Vec<u8>, Hasher)>>),
    Sink(tokio::sync::oneshot::Receiver<std::io::Result<Vec<u8>>>),
}

/// A block for a [`FileSink`]: written at `offset`, then handed back through `done`.
struct SinkWrite {
    buf: Vec<u8>,
    offset: u64,
    done: tokio::sync::oneshot::Sender<std::io::Result<Vec<u8>>>,
}

/// One thread that writes every block of a parallel download. Writers of one file
/// only take turns on its lock in the kernel (spinning while they wait), and a
/// blocking task per block costs two thread hand-offs; one thread fed by a queue
/// writes as fast, with neither.
struct FileSink {
    tx: tokio::sync::mpsc::Sender<SinkWrite>,
    task: JoinHandle<()>,
}

impl FileSink {
    fn start(file: Arc<std::fs::File>, queue: usize) -> FileSink {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<SinkWrite>(queue.max(1));
        let task = tokio::task::spawn_blocking(move || {
            while let Some(SinkWrite {
                mut buf,
                offset,
                done,
            }) = rx.blocking_recv()
            {
                let res = write_all_at(&file, &buf, offset).map(|()| {
                    buf.clear();
                    buf
                });
                // The connection that sent it may have been cancelled; nothing to do.
                let _ = done.send(res);
            }
        });
        FileSink { tx, task }
    }

    /// Waits for the thread once every sender is gone.
    async fn finish(self) {
        drop(self.tx);
        // A panic there already failed the write that caused it.
        let _ = self.task.await;
    }
}

/// A hash thread fed with the write buffers (shared with the writes, not copied).
struct HashFeed {
    tx: tokio::sync::mpsc::Sender<Arc<Vec<u8>>>,
    task: JoinHandle<Hasher>,
}

impl HashFeed {
    fn start(mut hasher: Hasher) -> HashFeed {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Arc<Vec<u8>>>(HASH_QUEUE);
        let task = tokio::task::spawn_blocking(move || {
            while let Some(frame) = rx.blocking_recv() {
                hasher.update(&frame);
            }
            hasher
        });
        HashFeed { tx, task }
    }

    async fn finish(self) -> Result<Hasher, Error> {
        drop(self.tx);
        self.task.await.map_err(|e| Error::Io {
            context: "the hash task failed".to_owned(),
            source: std::io::Error::other(e),
        })
    }
}

/// Writes buffers at increasing offsets on a blocking thread while the next buffer
/// fills; hashes them in order, either after each write or, with a [`HashFeed`], on a
/// thread of its own while they are written.
struct SeqWriter {
    file: Arc<std::fs::File>,
    path: Arc<Path>,
    hasher: Option<Hasher>,
    feed: Option<HashFeed>,
    /// Buffers shared with the hash thread and the writes, reused once both let go.
    pool: Vec<Arc<Vec<u8>>>,
    /// Writes go to this thread instead of a blocking task each (no hashing then).
    sink: Option<tokio::sync::mpsc::Sender<SinkWrite>>,
    pending: Option<PendingWrite>,
    /// Bytes per write.
    block: usize,
}

impl SeqWriter {
    fn new(file: Arc<std::fs::File>, path: Arc<Path>, hasher: Hasher) -> SeqWriter {
        SeqWriter {
            file,
            path,
            hasher: Some(hasher),
            feed: None,
            pool: Vec::new(),
            sink: None,
            pending: None,
            block: STREAM_BLOCK,
        }
    }

    /// A writer of `block`-byte blocks that go to `sink` (no hashing).
    fn to_sink(
        file: Arc<std::fs::File>,
        path: Arc<Path>,
        sink: tokio::sync::mpsc::Sender<SinkWrite>,
        block: usize,
    ) -> SeqWriter {
        SeqWriter {
            sink: Some(sink),
            block,
            ..SeqWriter::new(file, path, Hasher::None)
        }
    }

    /// A writer for a file of `size` bytes: large files that need a hash get a hash
    /// thread.
    fn for_size(file: Arc<std::fs::File>, path: Arc<Path>, hasher: Hasher, size: u64) -> SeqWriter {
        if size < HASH_THREAD_MIN || matches!(hasher, Hasher::None) {
            return SeqWriter::new(file, path, hasher);
        }
        SeqWriter {
            file,
            path,
            hasher: Some(Hasher::None),
            feed: Some(HashFeed::start(hasher)),
            pool: Vec::new(),
            sink: None,
            pending: None,
            block: STREAM_BLOCK,
        }
    }

    /// Waits for the write in flight; returns its (emptied) buffer.
    async fn wait(&mut self) -> Result<Option<Vec<u8>>, Error> {
        fn failed(e: impl std::error::Error + Send + Sync + 'static) -> Error {
            Error::Io {
                context: "a write task failed".to_owned(),
                source: std::io::Error::other(e),
            }
        }
        let buf = match self.pending.take() {
            None => return Ok(None),
            Some(PendingWrite::Task(handle)) => {
                let joined = handle.await.map_err(failed)?;
                let (buf, hasher) = joined.map_err(|e| io_error(&self.path, "cannot write", e))?;
                self.hasher = Some(hasher);
                buf
            }
            Some(PendingWrite::Sink(done)) => done
                .await
                .map_err(failed)?
                .map_err(|e| io_error(&self.path, "cannot write", e))?,
        };
        Ok(Some(buf))
    }

    /// Starts writing `buf` at `offset`; returns an empty buffer to fill next.
    async fn submit(&mut self, buf: Vec<u8>, offset: u64) -> Result<Vec<u8>, Error> {
        if self.feed.is_some() {
            return self.submit_shared(buf, offset).await;
        }
        let spare = self.wait().await?;
        if let Some(sink) = &self.sink {
            let (done, rx) = tokio::sync::oneshot::channel();
            if sink.send(SinkWrite { buf, offset, done }).await.is_err() {
                return Err(Error::Io {
                    context: "the write thread stopped".to_owned(),
                    source: std::io::Error::other("the write thread ended early"),
                });
            }
            self.pending = Some(PendingWrite::Sink(rx));
            return Ok(spare.unwrap_or_else(|| Vec::with_capacity(self.block + FRAME_MAX)));
        }
        let mut hasher = self.hasher.take().expect("no write in flight");
        let file = self.file.clone();
        self.pending = Some(PendingWrite::Task(tokio::task::spawn_blocking(move || {
            let mut buf = buf;
            write_all_at(&file, &buf, offset)?;
            hasher.update(&buf);
            buf.clear();
            Ok((buf, hasher))
        })));
        Ok(spare.unwrap_or_else(|| Vec::with_capacity(self.block + FRAME_MAX)))
    }

    /// `submit` with a hash thread: the buffer goes to the hash thread and the write at
    /// the same time.
    async fn submit_shared(&mut self, buf: Vec<u8>, offset: u64) -> Result<Vec<u8>, Error> {
        self.wait().await?;
        let shared = Arc::new(buf);
        let feed = self.feed.as_ref().expect("checked by the caller");
        if feed.tx.send(shared.clone()).await.is_err() {
            // The thread only stops early by panicking; `finish` reports how.
            let feed = self.feed.take().expect("checked by the caller");
            feed.finish().await?;
            return Err(Error::Io {
                context: "the hash task stopped".to_owned(),
                source: std::io::Error::other("the hash task ended early"),
            });
        }
        let hasher = self.hasher.take().expect("no write in flight");
        let (file, data) = (self.file.clone(), shared.clone());
        self.pending = Some(PendingWrite::Task(tokio::task::spawn_blocking(move || {
            write_all_at(&file, &data, offset)?;
            Ok((Vec::new(), hasher))
        })));
        self.pool.push(shared);
        let free = self.pool.iter().position(|b| Arc::strong_count(b) == 1);
        if let Some(Ok(mut spare)) = free.map(|i| Arc::try_unwrap(self.pool.swap_remove(i))) {
            spare.clear();
            return Ok(spare);
        }
        Ok(Vec::with_capacity(self.block + FRAME_MAX))
    }

    /// Waits for every write; returns the hasher.
    async fn finish(mut self) -> Result<Hasher, Error> {
        self.wait().await?;
        let inline = self.hasher.take().expect("no write in flight");
        match self.feed.take() {
            Some(feed) => feed.finish().await,
            None => Ok(inline),
        }
    }
}

/// Streams `res`'s body into `writer` from `offset`, up to `limit` (exclusive); returns
/// the new offset, and the body error that stopped it early, if any.
async fn pump(
    job: &Job,
    res: hf_http::http::Response<hf_http::ResponseBody>,
    writer: &mut SeqWriter,
    (mut offset, limit): (u64, u64),
    spare: &mut Vec<u8>,
    received: Option<&AtomicU64>,
) -> Result<(u64, Option<hf_http::Error>), Error> {
    let mut stream = Box::pin(res.into_body().into_stream());
    let mut buf = std::mem::take(spare);
    let mut buf_start = offset;
    let mut failure = None;
    while let Some(frame) = stream.next().await {
        match frame {
            Ok(bytes) => {
                let room = limit - (buf_start + buf.len() as u64);
                if bytes.len() as u64 > room {
                    return Err(Error::InvalidResponse {
                        message: format!(
                            "{}: the server sent more bytes than the announced size ({}); \
                             the file changed on the Hub or a proxy interferes, try again",
                            job.display, job.size
                        ),
                    });
                }
                if let Some(received) = received {
                    received.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                }
                buf.extend_from_slice(&bytes);
                if buf.len() >= writer.block {
                    let n = buf.len() as u64;
                    let next = writer.submit(buf, buf_start).await?;
                    buf = next;
                    buf_start += n;
                    job.reporter.emit(ProgressEvent::Advance {
                        path: &job.display,
                        bytes: n,
                    });
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    if !buf.is_empty() {
        let n = buf.len() as u64;
        buf = writer.submit(buf, buf_start).await?;
        buf_start += n;
        job.reporter.emit(ProgressEvent::Advance {
            path: &job.display,
            bytes: n,
        });
    }
    *spare = buf;
    offset = buf_start;
    Ok((offset, failure))
}

// ---------------------------------------------------------------------------------------
// One stream

/// Opens a single-stream partial file (one longer than `size` starts over) and reserves
/// the rest of its `size`; returns the file and its length, where the download resumes.
async fn open_for_write(path: &Path, size: u64) -> Result<(Arc<std::fs::File>, u64), Error> {
    let path = path.to_owned();
    blocking(move || {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(parent, "cannot create", e))?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .read(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| io_error(&path, "cannot open", e))?;
        let mut len = file
            .metadata()
            .map_err(|e| io_error(&path, "cannot stat", e))?
            .len();
        if len > size {
            file.set_len(0)
                .map_err(|e| io_error(&path, "cannot truncate", e))?;
            len = 0;
        }
        reserve(&file, len, size - len, true).map_err(|e| io_error(&path, "cannot reserve", e))?;
        Ok((Arc::new(file), len))
    })
    .await
}

async fn seed_hasher(
    file: Arc<std::fs::File>,
    path: Arc<Path>,
    mut hasher: Hasher,
    len: u64,
) -> Result<Hasher, Error> {
    if len == 0 {
        return Ok(hasher);
    }
    blocking(move || {
        let mut buf = Vec::new();
        hasher
            .update_from_file(&file, 0, len, &mut buf)
            .map_err(|e| io_error(&path, "cannot read", e))?;
        Ok(hasher)
    })
    .await
}

async fn truncate(file: &Arc<std::fs::File>, path: &Arc<Path>) -> Result<(), Error> {
    let (file, path) = (file.clone(), path.clone());
    blocking(move || {
        file.set_len(0)
            .map_err(|e| io_error(&path, "cannot truncate", e))
    })
    .await
}

async fn fetch_single(job: &Job, path: &Path, check: Check) -> Result<PathBuf, Error> {
    let path: Arc<Path> = Arc::from(path);
    for attempt in 1..=MAX_VERIFY_ATTEMPTS {
        let (file, len) = open_for_write(&path, job.size).await?;
        let hasher = seed_hasher(file.clone(), path.clone(), check.hasher(job.size), len).await?;
        if attempt == 1 {
            job.reporter.emit(ProgressEvent::Start {
                path: &job.display,
                total: job.size,
                resumed: len,
            });
        } else {
            job.reporter.emit(ProgressEvent::Restart {
                path: &job.display,
                resumed: len,
            });
        }
        let mut writer = SeqWriter::for_size(file.clone(), path.clone(), hasher, job.size);
        let mut offset = len;
        let mut failures = 0;
        let mut spare = Vec::with_capacity(STREAM_BLOCK + FRAME_MAX);
        while offset < job.size {
            let res = job
                .api
                .http()
                .send(ranged_request(job, offset, None))
                .await?;
            let start = match res.status() {
                StatusCode::PARTIAL_CONTENT => content_range_start(&res).unwrap_or(u64::MAX),
                _ => 0,
            };
            if start != offset {
                if start != 0 {
                    return Err(Error::InvalidResponse {
                        message: format!(
                            "{}: asked for bytes from {offset} but the server answered a range \
                             from {start}; try again",
                            job.display
                        ),
                    });
                }
                // The server ignored `Range`: start over from the first byte.
                let hasher = writer.finish().await?;
                drop(hasher);
                truncate(&file, &path).await?;
                job.reporter.emit(ProgressEvent::Restart {
                    path: &job.display,
                    resumed: 0,
                });
                writer = SeqWriter::for_size(
                    file.clone(),
                    path.clone(),
                    check.hasher(job.size),
                    job.size,
                );
                offset = 0;
            }
            let (next, failure) =
                pump(job, res, &mut writer, (offset, job.size), &mut spare, None).await?;
            if next > offset {
                failures = 0;
            }
            offset = next;
            if let Some(err) = failure {
                failures += 1;
                if failures > MAX_STREAM_FAILURES {
                    writer.finish().await?;
                    return Err(Error::Http(err));
                }
                tracing::debug!(file = %job.display, offset, error = %err, "body interrupted; resuming");
                tokio::time::sleep(backoff(failures)).await;
            } else if offset < job.size {
                failures += 1;
                if failures > MAX_STREAM_FAILURES {
                    writer.finish().await?;
                    return Err(Error::Integrity {
                        message: format!(
                            "{}: the server keeps ending the body at {offset} of {} bytes; \
                             try again later",
                            job.display, job.size
                        ),
                    });
                }
            }
        }
        let hasher = writer.finish().await?;
        match hasher.finish_hex() {
            Some(actual) if actual != job.etag.as_str() => {
                tracing::warn!(file = %job.display, attempt, "content does not match its hash; downloading again");
                let (f, p) = (file.clone(), path.clone());
                blocking(move || {
                    drop(f);
                    std::fs::remove_file(&p).map_err(|e| io_error(&p, "cannot remove", e))
                })
                .await?;
                if attempt == MAX_VERIFY_ATTEMPTS {
                    return Err(mismatch_error(job, &actual));
                }
            }
            _ => return Ok(path.to_path_buf()),
        }
    }
    unreachable!("the loop returns on its last attempt")
}

// ---------------------------------------------------------------------------------------
// Parallel range requests

enum Fallback {
    /// The server answered a range request with the whole body.
    NoRanges,
    Failed(Error),
}

impl From<Error> for Fallback {
    fn from(e: Error) -> Self {
        Fallback::Failed(e)
    }
}

/// The smallest chunk of a plan (see [`chunk_starts`]) when the chunk size is larger:
/// smaller range requests would cost more in round trips than they save.
const MIN_CHUNK: u64 = 1 << 20;

/// Where the chunks of a parallel download start: `n` chunks growing in equal steps up
/// to `chunk` bytes, then whole chunks, then `n` chunks shrinking in the same steps
/// (fewer steps when the file is small).
///
/// Connections fetch chunks in order, so with equal chunks they all finish theirs at
/// about the same time, again and again: the finished prefix of the file, which the
/// hash follows, then jumps by `n` chunks at once, the first jump only after a whole
/// chunk's time, and the last `n` chunks are left to hash after the last byte. Growing
/// first chunks spread the connections' finishing times from the start (the hash
/// starts at once and its input arrives steadily), and shrinking last chunks bring them
/// back together at the end, so that no connection idles and little is left to hash.
fn chunk_starts(size: u64, chunk: u64, n: usize) -> Vec<u64> {
    let chunk = chunk.max(1);
    let floor = chunk.min(MIN_CHUNK);
    let mut steps = (n as u64).min((size / chunk).saturating_sub(1));
    let (ramp, middle) = loop {
        let ramp: Vec<u64> = (1..=steps)
            .map(|k| (chunk * k / steps).max(floor))
            .collect();
        // Whole chunks in between, or none; not a sliver that rounding left over.
        match size.checked_sub(2 * ramp.iter().sum::<u64>()) {
            Some(middle) if steps == 0 || middle == 0 || middle >= floor => break (ramp, middle),
            _ => steps -= 1,
        }
    };
    let mut sizes = ramp.clone();
    let count = middle.div_ceil(chunk);
    // Equal middle chunks (no short one left over to spoil the spread).
    sizes.extend((0..count).map(|j| middle / count + u64::from(j < middle % count)));
    sizes.extend(ramp.iter().rev());
    sizes
        .iter()
        .scan(0, |at, len| {
            let start = *at;
            *at += len;
            Some(start)
        })
        .collect()
}

/// Which chunks are on disk; the hasher follows the contiguous prefix.
struct Chunks {
    done: Vec<bool>,
    /// Where each chunk starts; the last one ends at `size`.
    starts: Vec<u64>,
    size: u64,
}

impl Chunks {
    fn bounds(&self, i: usize) -> (u64, u64) {
        let end = self.starts.get(i + 1).copied().unwrap_or(self.size);
        (self.starts[i], end)
    }

    fn prefix(&self) -> u64 {
        match self.done.iter().position(|d| !d) {
            Some(i) => self.bounds(i).0,
            None => self.size,
        }
    }
}

/// Reads the record of finished byte ranges (a header `v2 {size}`, then one
/// `{start} {end}` per line) and marks the chunks of `starts` that they cover. The
/// record names bytes, not chunk numbers, so it still counts after the chunk settings
/// changed. Anything unexpected in the header means "start over".
fn read_ranges(path: &Path, chunks: &Chunks) -> Option<Vec<bool>> {
    let size = chunks.size;
    let text = std::fs::read_to_string(path).ok()?;
    let mut lines = text.lines();
    if lines.next()? != format!("v2 {size}") {
        return None;
    }
    let mut ranges: Vec<(u64, u64)> = lines
        .filter_map(|line| {
            // A torn last line (killed mid-write) is ignored.
            let (a, b) = line.split_once(' ')?;
            let (a, b) = (a.parse::<u64>().ok()?, b.parse::<u64>().ok()?);
            (a < b && b <= size).then_some((a, b))
        })
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    Some(
        (0..chunks.starts.len())
            .map(|i| {
                let (a, b) = chunks.bounds(i);
                // The last merged range starting at or before `a` must reach `b`.
                let k = merged.partition_point(|r| r.0 <= a);
                k > 0 && merged[k - 1].1 >= b
            })
            .collect(),
    )
}

/// Opens the parallel partial file and the finished-chunk record, adopting a
/// single-stream `.incomplete` prefix if that is all there is.
/// (`chunks.done` is ignored and set.)
fn prepare_parallel(
    paths: &PartialPaths,
    mut chunks: Chunks,
) -> Result<(std::fs::File, std::fs::File, Chunks), Error> {
    let (count, size) = (chunks.starts.len(), chunks.size);
    if let Some(parent) = paths.parallel.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io_error(parent, "cannot create", e))?;
    }
    let mut done = if paths.parallel.is_file() {
        read_ranges(&paths.ranges, &chunks)
    } else {
        None
    };
    let mut adopted = 0;
    if done.is_none()
        && let Ok(meta) = std::fs::metadata(&paths.single)
        && meta.len() >= chunks.bounds(0).1
        && meta.len() <= size
    {
        // A contiguous prefix from a single-stream download (ours or Python's).
        std::fs::rename(&paths.single, &paths.parallel)
            .map_err(|e| io_error(&paths.parallel, "cannot rename to", e))?;
        adopted = (0..count)
            .take_while(|&i| chunks.bounds(i).1 <= meta.len())
            .count();
    }
    let fresh = done.is_none();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .read(true)
        .truncate(fresh && adopted == 0)
        .open(&paths.parallel)
        .map_err(|e| io_error(&paths.parallel, "cannot open", e))?;
    // Holes only: the chunks already written keep their blocks.
    reserve(&file, 0, size, false).map_err(|e| io_error(&paths.parallel, "cannot reserve", e))?;
    let mut record = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .truncate(false)
        .open(&paths.ranges)
        .map_err(|e| io_error(&paths.ranges, "cannot open", e))?;
    if fresh {
        record
            .set_len(0)
            .map_err(|e| io_error(&paths.ranges, "cannot truncate", e))?;
        let text = match adopted {
            0 => format!("v2 {size}\n"),
            n => format!("v2 {size}\n0 {}\n", chunks.bounds(n - 1).1),
        };
        record
            .write_all(text.as_bytes())
            .map_err(|e| io_error(&paths.ranges, "cannot write", e))?;
        let mut d = vec![false; count];
        d[..adopted].fill(true);
        done = Some(d);
    }
    chunks.done = done.expect("set above");
    Ok((file, record, chunks))
}

async fn fetch_parallel(
    job: &Job,
    paths: &PartialPaths,
    check: Check,
) -> Result<PathBuf, Fallback> {
    let cfg = job.options.parallel;
    for attempt in 1..=MAX_VERIFY_ATTEMPTS {
        let plan = Chunks {
            done: Vec::new(),
            starts: chunk_starts(job.size, cfg.chunk_size, cfg.connections),
            size: job.size,
        };
        let p = paths.clone();
        let (file, record, chunks) = blocking(move || prepare_parallel(&p, plan)).await?;
        let resumed: u64 = (0..chunks.done.len())
            .filter(|&i| chunks.done[i])
            .map(|i| {
                let (a, b) = chunks.bounds(i);
                b - a
            })
            .sum();
        if attempt == 1 {
            job.reporter.emit(ProgressEvent::Start {
                path: &job.display,
                total: job.size,
                resumed,
            });
        } else {
            job.reporter.emit(ProgressEvent::Restart {
                path: &job.display,
                resumed,
            });
        }
        let todo: VecDeque<usize> = (0..chunks.done.len())
            .filter(|&i| !chunks.done[i])
            .collect();
        let file = Arc::new(file);
        let sink = FileSink::start(file.clone(), cfg.connections);
        let (prefix_tx, prefix_rx) = watch::channel(chunks.prefix());
        let first = cfg.first_connections();
        let shared = Arc::new(Shared {
            chunks: Mutex::new(chunks),
            todo: Mutex::new(todo),
            record: Mutex::new(record),
            sink: sink.tx.clone(),
            prefix: prefix_tx,
            received: AtomicU64::new(0),
            running: AtomicUsize::new(0),
            wanted: AtomicUsize::new(first),
        });
        // The hasher follows the finished prefix, overlapping the transfer.
        let hash_task = tokio::spawn(hash_prefix(
            file.clone(),
            Arc::from(paths.parallel.as_path()),
            check.hasher(job.size),
            job.size,
            prefix_rx,
        ));
        let mut workers = JoinSet::new();
        let spawn = |workers: &mut JoinSet<_>, n: usize| {
            for _ in 0..n {
                shared.running.fetch_add(1, Ordering::SeqCst);
                let (job, shared, file) = (job.clone(), shared.clone(), file.clone());
                let path: Arc<Path> = Arc::from(paths.parallel.as_path());
                let ranges: Arc<Path> = Arc::from(paths.ranges.as_path());
                workers.spawn(async move { worker(&job, &shared, file, path, ranges).await });
            }
        };
        spawn(&mut workers, first);
        let mut ramp = Ramp::new(first, cfg.connections.max(1));
        let mut ticks =
            tokio::time::interval_at(tokio::time::Instant::now() + RAMP_WINDOW, RAMP_WINDOW);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_tick = tokio::time::Instant::now();
        let mut outcome = Ok(());
        loop {
            let joined = tokio::select! {
                joined = workers.join_next() => joined,
                now = ticks.tick(), if ramp.watching() && outcome.is_ok() => {
                    let seconds = now.duration_since(last_tick).as_secs_f64();
                    last_tick = now;
                    let received = shared.received.load(Ordering::Relaxed);
                    let running = shared.running.load(Ordering::SeqCst);
                    if running > shared.wanted.load(Ordering::SeqCst) {
                        // Connections asked to leave still finish their chunk: this
                        // window says nothing about the new count.
                        ramp.restart(received);
                        continue;
                    }
                    let want = ramp.observe(received, seconds);
                    let before = shared.wanted.swap(want, Ordering::SeqCst);
                    if want < before {
                        tracing::debug!(file = %job.display, connections = want, "fewer connections");
                    }
                    // Only add workers while chunks remain; extra workers leave by themselves.
                    if want > before && want > running && !shared.todo.lock().expect("poisoned").is_empty() {
                        tracing::debug!(file = %job.display, connections = want, "more connections");
                        spawn(&mut workers, want - running);
                    }
                    continue;
                }
            };
            let Some(joined) = joined else { break };
            let res = match joined {
                Ok(res) => res,
                // Aborted after another worker failed: that failure is the outcome.
                Err(e) if e.is_cancelled() => continue,
                Err(e) => Err(Fallback::Failed(Error::Io {
                    context: "a download task failed".to_owned(),
                    source: std::io::Error::other(e),
                })),
            };
            if let Err(e) = res
                && outcome.is_ok()
            {
                workers.abort_all();
                outcome = Err(e);
            }
        }
        // Every worker is gone: the last sender goes with `shared`.
        drop(shared);
        sink.finish().await;
        if let Err(e) = outcome {
            hash_task.abort();
            return Err(e);
        }
        tracing::debug!(file = %job.display, "all ranges written");
        let hasher = hash_task.await.map_err(|e| Error::Io {
            context: "the hashing task failed".to_owned(),
            source: std::io::Error::other(e),
        })??;
        match hasher.finish_hex() {
            Some(actual) if actual != job.etag.as_str() => {
                tracing::warn!(file = %job.display, attempt, "content does not match its hash; downloading again");
                let p = paths.clone();
                blocking(move || {
                    p.discard()
                        .map_err(|e| io_error(&p.parallel, "cannot remove", e))
                })
                .await?;
                if attempt == MAX_VERIFY_ATTEMPTS {
                    return Err(mismatch_error(job, &actual).into());
                }
            }
            _ => {
                let p = paths.ranges.clone();
                // The record is only bookkeeping; a leftover is harmless.
                let _ = blocking(move || Ok(std::fs::remove_file(p))).await;
                return Ok(paths.parallel.clone());
            }
        }
    }
    unreachable!("the loop returns on its last attempt")
}

struct Shared {
    chunks: Mutex<Chunks>,
    todo: Mutex<VecDeque<usize>>,
    record: Mutex<std::fs::File>,
    /// The thread writing the blocks (see [`FileSink`]).
    sink: tokio::sync::mpsc::Sender<SinkWrite>,
    prefix: watch::Sender<u64>,
    /// Body bytes received so far (the throughput the [`Ramp`] watches).
    received: AtomicU64,
    /// Workers running, and how many the ramp wants.
    running: AtomicUsize,
    wanted: AtomicUsize,
}

impl Shared {
    /// Whether this worker should stop (before taking another chunk) because the ramp
    /// went back to fewer connections; if so, it is no longer counted as running.
    fn leave(&self) -> bool {
        let wanted = self.wanted.load(Ordering::SeqCst);
        self.running
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |r| {
                (r > wanted).then(|| r - 1)
            })
            .is_ok()
    }
}

/// How often the ramp looks at the throughput.
const RAMP_WINDOW: Duration = Duration::from_millis(250);
/// The throughput gain a doubling of the connections must bring to be kept.
const RAMP_GAIN: f64 = 1.4;
/// The gain the doubling that reaches the maximum must bring. Less than [`RAMP_GAIN`]:
/// by then a paced link may be short of CPU as well and gain less from it, though
/// still some; a link that was already full gains nothing, and goes back.
const MAX_GAIN: f64 = 1.2;
/// The share of the best throughput so far that a halving must keep to be kept.
const RAMP_KEEP: f64 = 0.9;
/// A finished search starts again (upwards) after [`REVIVE_AFTER`] windows in a row
/// below this share of the best throughput seen: the link changed, or its pacing began
/// late, and the few connections that suited it before may no longer do.
const REVIVE_BELOW: f64 = 0.5;
/// See [`REVIVE_BELOW`].
const REVIVE_AFTER: u32 = 2;
/// Bytes per second per connection above which connections are not paced (about
/// 1 Gbit/s each): fewer of them may well carry as much, with less work on both ends.
const FAST_CONNECTION: f64 = 100e6;

/// Where a [`Ramp`] is in its search.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// The first window, at the starting count.
    Start,
    /// Doubling; the previous window's throughput and count.
    Up {
        rate: f64,
        count: usize,
    },
    /// Halving; the best throughput seen and the lowest count that kept it, and
    /// whether doubling is still to be tried (the first halving, from the start).
    Down {
        best: f64,
        count: usize,
        then_up: bool,
    },
    Done,
}

/// Decides the connection count of a parallel download from its throughput, one
/// window at a time.
///
/// Paced connections (each slower than [`FAST_CONNECTION`]): the count doubles after
/// every window in which the last doubling paid off (by [`RAMP_GAIN`]), and goes back
/// to the previous count once one does not. When the connections are fast, or the
/// very first doubling does not pay, the starting count may already be more than the
/// link needs: the count then halves while that keeps the throughput (within
/// [`RAMP_KEEP`]), down to one, since on a fast link every extra stream only costs CPU
/// on both ends. If the very first halving loses throughput, doubling is tried instead.
/// Once settled, the ramp keeps watching: if the throughput collapses (see
/// [`REVIVE_BELOW`]), it searches upwards again from the current count.
#[derive(Debug)]
struct Ramp {
    count: usize,
    start: usize,
    max: usize,
    /// Bytes received at the start of the window.
    bytes: u64,
    phase: Phase,
    /// Fewer connections than the start were tried already.
    went_down: bool,
    /// The best throughput since the search last (re)started.
    peak: f64,
    /// Windows in a row, once settled, below [`REVIVE_BELOW`] of `peak`.
    slow: u32,
}

impl Ramp {
    fn new(count: usize, max: usize) -> Ramp {
        Ramp {
            count,
            start: count,
            max,
            bytes: 0,
            // One connection that may not grow has nothing to search.
            phase: if count >= max && count <= 1 {
                Phase::Done
            } else {
                Phase::Start
            },
            went_down: false,
            peak: 0.0,
            slow: 0,
        }
    }

    /// Whether the search is over (the ramp may still start another, see
    /// [`watching`](Self::watching)).
    fn done(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Whether a window can still change anything (the count can grow, or the search
    /// is not over).
    fn watching(&self) -> bool {
        !self.done() || self.count < self.max
    }

    /// Starts a new window at `bytes` received in total without judging the last one
    /// (used while connections that were asked to leave are still finishing a chunk).
    fn restart(&mut self, bytes: u64) {
        self.bytes = bytes;
    }

    /// Halves the count from `count` (the one to come back to), keeping `best`.
    fn step_down(&mut self, best: f64, count: usize, then_up: bool) {
        self.count = count / 2;
        self.went_down = true;
        self.phase = Phase::Down {
            best,
            count,
            then_up,
        };
    }

    /// Doubles the count from the window at `rate`.
    fn step_up(&mut self, rate: f64) {
        if self.count >= self.max {
            self.finish(self.count);
            return;
        }
        self.phase = Phase::Up {
            rate,
            count: self.count,
        };
        self.count = (self.count * 2).min(self.max);
    }

    /// The gain the doubling under way must bring to be kept: [`RAMP_GAIN`], or
    /// [`MAX_GAIN`] for the one that reached the maximum.
    fn gain_needed(&self) -> f64 {
        if self.count >= self.max {
            MAX_GAIN
        } else {
            RAMP_GAIN
        }
    }

    fn finish(&mut self, count: usize) {
        self.count = count;
        self.phase = Phase::Done;
    }

    /// The end of a window of `seconds` at `bytes` received in total: the connection
    /// count wanted from now on.
    fn observe(&mut self, bytes: u64, seconds: f64) -> usize {
        let rate = bytes.saturating_sub(self.bytes) as f64 / seconds.max(1e-3);
        self.bytes = bytes;
        match self.phase {
            Phase::Done if self.count < self.max => {
                self.slow = if rate < self.peak * REVIVE_BELOW {
                    self.slow + 1
                } else {
                    0
                };
                if self.slow >= REVIVE_AFTER {
                    self.slow = 0;
                    self.peak = 0.0;
                    self.step_up(rate);
                }
            }
            Phase::Done => {}
            Phase::Start if self.count > 1 && rate / self.count as f64 >= FAST_CONNECTION => {
                self.step_down(rate, self.count, true);
            }
            Phase::Start => self.step_up(rate),
            Phase::Up {
                rate: before,
                count,
            } if rate < before * self.gain_needed() => {
                if count == self.start && count > 1 && !self.went_down {
                    self.step_down(before.max(rate), count, false);
                } else {
                    self.finish(count);
                }
            }
            Phase::Up { .. } => self.step_up(rate),
            Phase::Down {
                best,
                count,
                then_up,
            } if rate < best * RAMP_KEEP => {
                // Fewer connections carry less: back to the last count that kept the
                // throughput, and from the start, see whether more carry more.
                self.count = count;
                if then_up {
                    self.step_up(best);
                } else {
                    self.finish(count);
                }
            }
            Phase::Down { best, .. } if self.count > 1 => {
                let count = self.count;
                self.step_down(best.max(rate), count, false);
            }
            Phase::Down { .. } => self.finish(1),
        }
        self.peak = self.peak.max(rate);
        self.count
    }
}

/// Takes chunks until none is left.
async fn worker(
    job: &Job,
    shared: &Arc<Shared>,
    file: Arc<std::fs::File>,
    path: Arc<Path>,
    ranges: Arc<Path>,
) -> Result<(), Fallback> {
    let mut spare = Vec::with_capacity(WRITE_BLOCK + FRAME_MAX);
    loop {
        if shared.leave() {
            return Ok(());
        }
        // A snapshot's files share a budget of requests in flight (taken before the
        // chunk, so a chunk never waits once taken: the hash follows the file's prefix).
        let _permit = match &job.options.range_budget {
            Some(budget) => Some(
                budget
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("the budget is never closed"),
            ),
            None => None,
        };
        if shared.leave() {
            return Ok(());
        }
        let next = shared.todo.lock().expect("poisoned").pop_front();
        let Some(i) = next else { return Ok(()) };
        let (start, end) = shared.chunks.lock().expect("poisoned").bounds(i);
        fetch_chunk(job, shared, (&file, &path), (start, end), &mut spare).await?;
        // Record the chunk only once its bytes are written.
        let sh = shared.clone();
        let ranges = ranges.clone();
        blocking(move || {
            let mut rec = sh.record.lock().expect("poisoned");
            rec.write_all(format!("{start} {end}\n").as_bytes())
                .map_err(|e| io_error(&ranges, "cannot write", e))
        })
        .await?;
        let prefix = {
            let mut chunks = shared.chunks.lock().expect("poisoned");
            chunks.done[i] = true;
            chunks.prefix()
        };
        shared.prefix.send_replace(prefix);
    }
}

/// Fetches bytes `[start, end)` into place, resuming after broken bodies.
async fn fetch_chunk(
    job: &Job,
    shared: &Shared,
    (file, path): (&Arc<std::fs::File>, &Arc<Path>),
    (start, end): (u64, u64),
    spare: &mut Vec<u8>,
) -> Result<(), Fallback> {
    // Few connections write larger blocks (fewer hand-offs), many smaller ones: the
    // buffers of a file stay within about the same memory.
    let running = shared.running.load(Ordering::Relaxed).max(1);
    let block = (PARALLEL_BUFFERS / running).clamp(WRITE_BLOCK, STREAM_BLOCK);
    let mut writer = SeqWriter::to_sink(file.clone(), path.clone(), shared.sink.clone(), block);
    let mut offset = start;
    let mut failures = 0;
    while offset < end {
        let res = job
            .api
            .http()
            .send(ranged_request(job, offset, Some(end - 1)))
            .await
            .map_err(|e| Fallback::Failed(e.into()))?;
        if res.status() != StatusCode::PARTIAL_CONTENT {
            return Err(Fallback::NoRanges);
        }
        if content_range_start(&res) != Some(offset) {
            return Err(Fallback::Failed(Error::InvalidResponse {
                message: format!(
                    "{}: asked for bytes from {offset} but the server answered another range; \
                     try again",
                    job.display
                ),
            }));
        }
        let (next, failure) = pump(
            job,
            res,
            &mut writer,
            (offset, end),
            spare,
            Some(&shared.received),
        )
        .await?;
        if next > offset {
            failures = 0;
        }
        offset = next;
        if offset < end {
            failures += 1;
            if failures > MAX_STREAM_FAILURES {
                writer.finish().await?;
                return Err(Fallback::Failed(match failure {
                    Some(e) => Error::Http(e),
                    None => Error::Integrity {
                        message: format!(
                            "{}: the server keeps ending range bodies early; try again later",
                            job.display
                        ),
                    },
                }));
            }
            tracing::debug!(file = %job.display, offset, "range body interrupted; resuming");
            tokio::time::sleep(backoff(failures)).await;
        }
    }
    writer.finish().await?;
    Ok(())
}

/// Hashes the file in order as its finished prefix grows.
async fn hash_prefix(
    file: Arc<std::fs::File>,
    path: Arc<Path>,
    hasher: Hasher,
    size: u64,
    mut prefix: watch::Receiver<u64>,
) -> Result<Hasher, Error> {
    let mut hashed = 0u64;
    let mut hasher = Some(hasher);
    let mut buf = Some(Vec::with_capacity(READ_BLOCK));
    loop {
        let target = *prefix.borrow_and_update();
        if hashed < target {
            let (f, p) = (file.clone(), path.clone());
            let (mut h, mut b) = (hasher.take().expect("set"), buf.take().expect("set"));
            let from = hashed;
            let (h, b) = blocking(move || {
                h.update_from_file(&f, from, target - from, &mut b)
                    .map_err(|e| io_error(&p, "cannot read", e))?;
                Ok((h, b))
            })
            .await?;
            hasher = Some(h);
            buf = Some(b);
            hashed = target;
            continue;
        }
        if hashed >= size {
            return Ok(hasher.expect("set"));
        }
        if prefix.changed().await.is_err() {
            // Every worker finished or gave up; hash whatever the last value allows.
            let last = *prefix.borrow();
            if last <= hashed {
                return Ok(hasher.expect("set"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Chunks, MIN_CHUNK, Ramp, chunk_starts, read_ranges};

    const MIB: u64 = 1 << 20;

    fn sizes(size: u64, chunk: u64, n: usize) -> Vec<u64> {
        let starts = chunk_starts(size, chunk, n);
        assert_eq!(starts.first(), Some(&0));
        let mut ends = starts[1..].to_vec();
        ends.push(size);
        starts.iter().zip(ends).map(|(a, b)| b - a).collect()
    }

    /// A large file: 32 growing chunks, equal whole ones, 32 shrinking ones.
    #[test]
    fn chunks_grow_and_shrink_at_the_ends_of_a_large_file() {
        let s = sizes(2048 * MIB, 16 * MIB, 32);
        assert_eq!(s.iter().sum::<u64>(), 2048 * MIB);
        let (head, rest) = s.split_at(32);
        let (middle, tail) = rest.split_at(rest.len() - 32);
        assert!(head.windows(2).all(|w| w[0] <= w[1]), "{head:?}");
        assert_eq!(head[..3], [MIN_CHUNK, MIN_CHUNK, 3 * MIB / 2], "the floor");
        assert_eq!(head[31], 16 * MIB);
        assert_eq!(tail.iter().rev().copied().collect::<Vec<_>>(), head);
        let (lo, hi) = (middle.iter().min().unwrap(), middle.iter().max().unwrap());
        assert!(*hi <= 16 * MIB && hi - lo <= 1, "{lo} {hi}");
        // 2 GiB minus the two ramps (about 16 MiB x 33 in all), in whole chunks.
        assert_eq!(middle.len(), 95);
    }

    /// Small files get fewer steps, tiny chunk settings plain equal chunks, and every
    /// plan covers the file exactly with chunks of at most the chunk size.
    #[test]
    fn chunk_plans_cover_the_file_whatever_the_settings() {
        let m = |v: &[u64]| v.iter().map(|x| x * MIB).collect::<Vec<_>>();
        assert_eq!(sizes(64 * MIB, 16 * MIB, 32), m(&[8, 16, 16, 16, 8]));
        assert_eq!(sizes(4 * MIB, 256 << 10, 4), vec![256 << 10; 16]);
        assert_eq!(sizes(20 * MIB, 16 * MIB, 32), vec![10 * MIB; 2]);
        for size in [MIB + 1, 3 * MIB + 7, 64 * MIB, 100 * MIB + 3, 5000 * MIB] {
            for chunk in [64 << 10, MIB, 16 * MIB] {
                for n in [1, 2, 7, 32] {
                    let s = sizes(size, chunk, n);
                    assert_eq!(s.iter().sum::<u64>(), size, "{size} {chunk} {n}");
                    assert!(s.iter().all(|&c| c > 0 && c <= chunk), "{size} {chunk} {n}");
                }
            }
        }
    }

    /// The record names byte ranges: touching ranges merge, a chunk counts only when
    /// covered whole, a torn or stray line is ignored, another size means none.
    #[test]
    fn the_record_marks_the_chunks_its_ranges_cover() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.parallel.ranges");
        let chunks = Chunks {
            done: Vec::new(),
            starts: vec![0, 10, 20, 35],
            size: 50,
        };
        std::fs::write(&path, "v2 50\n10 20\n0 10\n20 30\n35 50\n60 70\n3").unwrap();
        assert_eq!(
            read_ranges(&path, &chunks),
            Some(vec![true, true, false, true])
        );
        std::fs::write(&path, "v2 51\n0 10\n").unwrap();
        assert_eq!(read_ranges(&path, &chunks), None);
        std::fs::write(&path, "v1 50 10\n0\n").unwrap();
        assert_eq!(read_ranges(&path, &chunks), None);
    }

    const MB: u64 = 1_000_000;

    /// Paced connections (50 MB/s each): every doubling pays off, up to the maximum.
    #[test]
    fn ramp_grows_while_connections_add_throughput() {
        let mut ramp = Ramp::new(16, 64);
        assert_eq!(ramp.observe(200 * MB, 0.25), 32);
        assert_eq!(ramp.observe(600 * MB, 0.25), 64);
        // The maximum is judged too, and kept since it pays.
        assert!(!ramp.done());
        assert_eq!(ramp.observe(1400 * MB, 0.25), 64);
        assert!(ramp.done());
        assert!(!ramp.watching());
    }

    /// The doubling to the maximum needs a smaller gain (a paced link short of CPU
    /// still keeps it), but a link that was full already goes back, then down.
    #[test]
    fn ramp_judges_the_doubling_to_the_maximum() {
        // 16 paced connections carry 800 MB/s; 32 only 1 GB/s, the CPU being short.
        let mut paced = Ramp::new(16, 32);
        assert_eq!(paced.observe(200 * MB, 0.25), 32);
        assert_eq!(paced.observe(450 * MB, 0.25), 32);
        assert!(paced.done());
        // 16 unpaced connections fill the link (80 MB/s each); 32 carry no more.
        let mut full = Ramp::new(16, 32);
        assert_eq!(full.observe(320 * MB, 0.25), 32);
        assert_eq!(full.observe(640 * MB, 0.25), 8);
        assert_eq!(full.observe(960 * MB, 0.25), 4);
    }

    /// A link saturated by the first connections, each under 100 MB/s: one doubling is
    /// tried and does not pay off, so fewer connections are tried; they carry less, and
    /// the count goes back to the start.
    #[test]
    fn ramp_goes_back_when_neither_more_nor_fewer_connections_pay() {
        let mut ramp = Ramp::new(16, 64);
        assert_eq!(ramp.observe(300 * MB, 0.25), 32);
        assert_eq!(ramp.observe(620 * MB, 0.25), 8);
        assert!(!ramp.done());
        assert_eq!(ramp.observe(800 * MB, 0.25), 16);
        assert!(ramp.done());
        assert_eq!(ramp.observe(1100 * MB, 0.25), 16);
    }

    /// Fast connections (an unpaced link, e.g. loopback): the count halves while the
    /// throughput holds, down to one.
    #[test]
    fn ramp_steps_down_to_one_while_the_throughput_holds() {
        let mut ramp = Ramp::new(8, 32);
        // 8 connections at 1.2 GB/s: 150 MB/s each.
        assert_eq!(ramp.observe(300 * MB, 0.25), 4);
        assert_eq!(ramp.observe(600 * MB, 0.25), 2);
        // Within 10% of the best (1.2 GB/s) still counts as holding.
        assert_eq!(ramp.observe(880 * MB, 0.25), 1);
        assert!(!ramp.done());
        assert_eq!(ramp.observe(1180 * MB, 0.25), 1);
        assert!(ramp.done());
    }

    /// Fast connections whose number still matters: the halving loses throughput, and
    /// the count goes back to the last one that kept it.
    #[test]
    fn ramp_steps_back_up_when_a_halving_loses_throughput() {
        let mut ramp = Ramp::new(8, 32);
        assert_eq!(ramp.observe(300 * MB, 0.25), 4);
        assert_eq!(ramp.observe(590 * MB, 0.25), 2);
        assert_eq!(ramp.observe(790 * MB, 0.25), 4);
        assert!(ramp.done());
    }

    /// Fast connections on a link wider still: the first halving loses throughput, so
    /// doubling from the start is tried, and kept while it pays.
    #[test]
    fn ramp_doubles_when_the_first_halving_loses_throughput() {
        let mut ramp = Ramp::new(8, 32);
        // 8 x 150 MB/s; 4 carry 600 MB/s.
        assert_eq!(ramp.observe(300 * MB, 0.25), 4);
        assert_eq!(ramp.observe(450 * MB, 0.25), 16);
        // 16 carry 2 GB/s: kept, and the maximum follows (and pays).
        assert_eq!(ramp.observe(950 * MB, 0.25), 32);
        assert_eq!(ramp.observe(1700 * MB, 0.25), 32);
        assert!(ramp.done());
        // Had the doubling not paid either, the count would stay at the start.
        let mut ramp = Ramp::new(8, 32);
        assert_eq!(ramp.observe(300 * MB, 0.25), 4);
        assert_eq!(ramp.observe(450 * MB, 0.25), 16);
        assert_eq!(ramp.observe(760 * MB, 0.25), 8);
        assert!(ramp.done());
    }

    /// The first doubling does not pay although each connection is under 100 MB/s:
    /// the start was already more than the link needs, so fewer are tried, down to the
    /// count that still keeps the throughput.
    #[test]
    fn ramp_steps_down_after_a_first_doubling_that_does_not_pay() {
        let mut ramp = Ramp::new(8, 32);
        // 8 x 80 MB/s, then 16 connections carry no more.
        assert_eq!(ramp.observe(160 * MB, 0.25), 16);
        assert_eq!(ramp.observe(325 * MB, 0.25), 4);
        assert_eq!(ramp.observe(490 * MB, 0.25), 2);
        assert_eq!(ramp.observe(580 * MB, 0.25), 4);
        assert!(ramp.done());
    }

    /// Settled at one connection, the throughput halves for two windows in a row: the
    /// ramp searches upwards again, and settles where doubling stops paying. One slow
    /// window alone changes nothing.
    #[test]
    fn ramp_searches_again_when_the_throughput_collapses() {
        let mut ramp = Ramp::new(8, 32);
        assert_eq!(ramp.observe(300 * MB, 0.25), 4);
        assert_eq!(ramp.observe(600 * MB, 0.25), 2);
        assert_eq!(ramp.observe(900 * MB, 0.25), 1);
        assert_eq!(ramp.observe(1200 * MB, 0.25), 1);
        assert!(ramp.done());
        // One window at a third of the peak, then back to normal: nothing changes.
        assert_eq!(ramp.observe(1300 * MB, 0.25), 1);
        assert_eq!(ramp.observe(1600 * MB, 0.25), 1);
        // Two in a row: doubling is tried again, and kept while it pays.
        assert_eq!(ramp.observe(1700 * MB, 0.25), 1);
        assert_eq!(ramp.observe(1800 * MB, 0.25), 2);
        assert!(!ramp.done());
        assert_eq!(ramp.observe(2000 * MB, 0.25), 4);
        assert_eq!(ramp.observe(2250 * MB, 0.25), 2);
        assert!(ramp.done());
        // At the maximum, once it paid, there is nothing left to watch.
        let mut paced = Ramp::new(16, 32);
        assert_eq!(paced.observe(200 * MB, 0.25), 32);
        assert!(paced.watching());
        assert_eq!(paced.observe(600 * MB, 0.25), 32);
        assert!(!paced.watching());
    }

    /// A window in which connections were still leaving is not judged: the next one
    /// starts where it ended.
    #[test]
    fn ramp_restart_ignores_the_settling_window() {
        let mut ramp = Ramp::new(8, 32);
        assert_eq!(ramp.observe(300 * MB, 0.25), 4);
        // The settling window carried 8 connections' worth; only what follows counts.
        ramp.restart(700 * MB);
        assert_eq!(ramp.observe(1000 * MB, 0.25), 2);
    }

    /// Stops at the maximum even when it is not a power of two of the start, and does
    /// nothing when it starts there.
    #[test]
    fn ramp_respects_the_maximum() {
        let mut ramp = Ramp::new(3, 10);
        assert_eq!(ramp.observe(MB, 0.25), 6);
        assert_eq!(ramp.observe(3 * MB, 0.25), 10);
        assert_eq!(ramp.observe(7 * MB, 0.25), 10);
        assert!(ramp.done());
        // Starting at the maximum: slow connections stay, fast ones may step down.
        let mut fixed = Ramp::new(4, 4);
        assert_eq!(fixed.observe(MB, 0.25), 4);
        assert!(fixed.done());
        let mut single = Ramp::new(1, 1);
        assert!(single.done());
        assert_eq!(single.observe(1000 * MB, 0.25), 1);
    }
}
