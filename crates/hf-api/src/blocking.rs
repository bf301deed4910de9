//! The blocking mirror of the API, for synchronous code (feature `blocking`).
//!
//! [`HfApi`] here derefs to the async [`crate::HfApi`], so it has every method with the
//! same names and the same builders. Bring [`prelude`] into scope and finish a builder
//! with `.send()` instead of `.await`; listings give an `Iterator` (`.iter()`, `.send()`
//! or a `for` loop) instead of a `Stream`:
//!
//! ```no_run
//! use hf_api::blocking::prelude::*;
//!
//! fn main() -> Result<(), hf_api::Error> {
//!     let api = hf_api::blocking::HfApi::new()?;
//!     let info = api.model_info("gpt2").revision("main").send()?;
//!     println!("{:?}", info.sha);
//!     for model in api.list_models().author("google").limit(5) {
//!         println!("{}", model?.id);
//!     }
//!     Ok(())
//! }
//! ```
//!
//! Nothing is written twice: `.send()` comes from [`BlockingRequest`], implemented for
//! every type whose `IntoFuture` output is `Result<T, hf_api::Error>` (so downloads,
//! uploads and any future builder get it for free), and `.iter()` from
//! [`BlockingListing`], implemented for every [`Listing`].
//!
//! # The runtime thread
//!
//! Requests run on one dedicated thread that owns a current-thread tokio runtime, started
//! the first time a blocking call is made and shared by every blocking client (its
//! connection pools are per client). The calling thread waits on a channel, so a
//! blocking call works from a plain `fn main`, from any thread, and even from inside
//! another tokio runtime, where it does not panic. It does block that runtime's worker
//! thread while it waits, though, and tasks queued on that thread wait with it (a server
//! running on the same runtime can be starved into a deadlock). In async code, `.await`
//! the builders instead, or wrap the call in `tokio::task::block_in_place`.
//!
//! Why one shared thread rather than one per client: a builder only knows how to make its
//! future, not which client made it, and this keeps `.send()` available on every builder
//! without each one carrying a handle.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::OnceLock;

use futures_util::StreamExt;

use crate::api::{BoxStream, Listing};
use crate::error::Error;

/// Everything needed to call the blocking API: [`BlockingRequest`] and
/// [`BlockingListing`].
pub mod prelude {
    pub use super::{BlockingListing, BlockingRequest};
}

type Job = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// The thread running every blocking call.
struct RuntimeThread {
    jobs: tokio::sync::mpsc::UnboundedSender<Job>,
}

static RUNTIME: OnceLock<Result<RuntimeThread, String>> = OnceLock::new();

impl RuntimeThread {
    fn start() -> Result<RuntimeThread, String> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("could not build the tokio runtime of the blocking API: {e}"))?;
        let (jobs, mut rx) = tokio::sync::mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("hf-api-blocking".into())
            .spawn(move || {
                rt.block_on(async move {
                    while let Some(job) = rx.recv().await {
                        tokio::spawn(job);
                    }
                });
            })
            .map_err(|e| format!("could not start the thread of the blocking API: {e}"))?;
        Ok(RuntimeThread { jobs })
    }

    fn get() -> Result<&'static RuntimeThread, Error> {
        RUNTIME
            .get_or_init(RuntimeThread::start)
            .as_ref()
            .map_err(|e| Error::BlockingRuntime { message: e.clone() })
    }
}

/// Runs `fut` on the runtime thread and waits for its output.
fn run<T: Send + 'static>(fut: impl Future<Output = T> + Send + 'static) -> Result<T, Error> {
    let rt = RuntimeThread::get()?;
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let job: Job = Box::pin(async move {
        let _ = tx.send(fut.await);
    });
    let lost = || Error::BlockingRuntime {
        message: "the blocking API's runtime thread dropped this request before answering \
                  (it panicked); see the panic message above"
            .to_owned(),
    };
    rt.jobs.send(job).map_err(|_| lost())?;
    rx.recv().map_err(|_| lost())
}

/// The blocking Hub client: the async [`crate::HfApi`] (which it derefs to) plus
/// `.send()` / `.iter()` finishers from [`prelude`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct HfApi {
    api: crate::HfApi,
}

impl HfApi {
    /// A client with every default from the process environment (as
    /// [`crate::HfApi::new`]).
    pub fn new() -> Result<HfApi, Error> {
        Ok(HfApi {
            api: crate::HfApi::new()?,
        })
    }

    /// The builder of the async client; finish it with
    /// [`build_blocking`](crate::HfApiBuilder::build_blocking).
    pub fn builder() -> crate::HfApiBuilder {
        crate::HfApi::builder()
    }

    /// The async client underneath.
    pub fn as_async(&self) -> &crate::HfApi {
        &self.api
    }

    /// Consumes this, returning the async client.
    pub fn into_async(self) -> crate::HfApi {
        self.api
    }
}

impl From<crate::HfApi> for HfApi {
    fn from(api: crate::HfApi) -> Self {
        HfApi { api }
    }
}

impl std::ops::Deref for HfApi {
    type Target = crate::HfApi;

    fn deref(&self) -> &crate::HfApi {
        &self.api
    }
}

/// `.send()` for every request builder: runs it on the blocking runtime thread and
/// waits for the result.
pub trait BlockingRequest: Sized {
    /// What the request returns.
    type Value;

    /// Sends the request and waits for its result.
    fn send(self) -> Result<Self::Value, Error>;
}

impl<B, T> BlockingRequest for B
where
    B: IntoFuture<Output = Result<T, Error>>,
    B::IntoFuture: Send + 'static,
    T: Send + 'static,
{
    type Value = T;

    fn send(self) -> Result<T, Error> {
        run(self.into_future())?
    }
}

/// `.iter()` (and `.send()`) for every listing: a lazy blocking [`Iterator`].
pub trait BlockingListing: Listing + Sized {
    /// The items as an iterator; each page is fetched when its items are wanted.
    fn iter(self) -> Iter<Self::Entry> {
        Iter {
            stream: Some(self.into_stream()),
        }
    }

    /// Same as [`iter`](BlockingListing::iter).
    fn send(self) -> Iter<Self::Entry> {
        self.iter()
    }
}

impl<L: Listing> BlockingListing for L {}

/// A blocking iterator over a listing (see [`BlockingListing`]).
#[must_use = "iterators are lazy"]
pub struct Iter<T> {
    stream: Option<BoxStream<T>>,
}

impl<T> fmt::Debug for Iter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("done", &self.stream.is_none())
            .finish()
    }
}

impl<T: Send + 'static> Iterator for Iter<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut stream = self.stream.take()?;
        match run(async move {
            let item = stream.next().await;
            (stream, item)
        }) {
            Ok((stream, item)) => {
                if item.is_some() {
                    self.stream = Some(stream);
                }
                item
            }
            Err(e) => Some(Err(e)),
        }
    }
}

/// `for item in listing { .. }` in blocking code.
macro_rules! blocking_into_iter {
    ($($ty:ty),+ $(,)?) => {
        $(
            impl IntoIterator for $ty {
                type Item = Result<<$ty as Listing>::Entry, Error>;
                type IntoIter = Iter<<$ty as Listing>::Entry>;

                fn into_iter(self) -> Self::IntoIter {
                    BlockingListing::iter(self)
                }
            }
        )+
    };
}

blocking_into_iter!(
    crate::api::listings::ListModelsRequest,
    crate::api::listings::ListDatasetsRequest,
    crate::api::listings::ListSpacesRequest,
    crate::api::files::ListRepoTreeRequest,
    crate::api::files::ListRepoFilesRequest,
    crate::api::git::ListRepoCommitsRequest,
    crate::api::users::UserListRequest,
    crate::api::likes::RepoLikersRequest,
    crate::api::discussions::RepoDiscussionsRequest,
    crate::api::collections::ListCollectionsRequest,
);
