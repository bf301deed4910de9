//! Blocking filesystem work run off the async threads (`hf-cache` and `std::fs` are
//! synchronous), with one mapping of a failed task to [`Error::Io`].

use crate::error::Error;

/// Runs blocking filesystem work on tokio's blocking pool.
pub(crate) async fn blocking<T, F>(f: F) -> Result<T, Error>
where
    F: FnOnce() -> Result<T, Error> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Io {
            context: "a filesystem task failed".to_owned(),
            source: std::io::Error::other(e),
        })?
}
