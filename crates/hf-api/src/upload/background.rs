//! A queue of background jobs run one after the other (Python's `run_as_future=True`).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::sync::{mpsc, oneshot};

use crate::client::HfApi;
use crate::error::Error;

type Job = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Runs request builders in the background, strictly one at a time in the order they
/// were spawned, as the Python client's `run_as_future=True` does with its
/// single-thread executor. Get one with [`HfApi::background`].
///
/// Each [`spawn`](BackgroundQueue::spawn) returns a [`JoinHandle`] to await the result.
/// Dropping a handle does not cancel its job. Jobs left when the last clone of the
/// queue is dropped still run, as long as the runtime does.
///
/// ```no_run
/// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
/// let queue = api.background();
/// let first = queue.spawn(api.upload_file("alice/tiny", "a.txt", "a"));
/// let second = queue.spawn(api.upload_file("alice/tiny", "b.txt", "b"));
/// // ... do other work ...
/// let (a, b) = (first.await?, second.await?);
/// assert_ne!(a.commit_oid, b.commit_oid);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct BackgroundQueue {
    tx: mpsc::UnboundedSender<Job>,
}

impl fmt::Debug for BackgroundQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackgroundQueue")
            .field("closed", &self.tx.is_closed())
            .finish()
    }
}

impl HfApi {
    /// A new queue of background jobs, run in order by one task on the current tokio
    /// runtime (so this must be called within one).
    pub fn background(&self) -> BackgroundQueue {
        BackgroundQueue::new()
    }
}

impl BackgroundQueue {
    /// A new queue; its worker task runs on the current tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub fn new() -> BackgroundQueue {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        tokio::spawn(async move {
            while let Some(job) = rx.recv().await {
                job.await;
            }
        });
        BackgroundQueue { tx }
    }

    /// Queues `request` (any request builder, or any future of a `Result`); it runs
    /// after every job queued before it has finished.
    pub fn spawn<R, T>(&self, request: R) -> JoinHandle<T>
    where
        R: IntoFuture<Output = Result<T, Error>>,
        R::IntoFuture: Send + 'static,
        T: Send + 'static,
    {
        let (done, rx) = oneshot::channel();
        let fut = request.into_future();
        let job: Job = Box::pin(async move {
            // The caller may have dropped its handle: the job still counts as done.
            let _ = done.send(fut.await);
        });
        if let Err(mpsc::error::SendError(job)) = self.tx.send(job) {
            // The worker is gone (its runtime shut down): run nowhere, report it.
            drop(job);
        }
        JoinHandle { rx }
    }
}

impl Default for BackgroundQueue {
    fn default() -> Self {
        BackgroundQueue::new()
    }
}

/// The result of a job queued on a [`BackgroundQueue`]; await it.
#[must_use = "await the handle to get the job's result"]
#[derive(Debug)]
pub struct JoinHandle<T> {
    rx: oneshot::Receiver<Result<T, Error>>,
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.rx).poll(cx).map(|r| match r {
            Ok(out) => out,
            Err(_) => Err(Error::Io {
                context: "the background job was dropped before it finished (its runtime shut down); run it again".to_owned(),
                source: std::io::Error::from(std::io::ErrorKind::Interrupted),
            }),
        })
    }
}
