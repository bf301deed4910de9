//! [`CommitScheduler`]: commits a local folder every few minutes (Python's
//! `CommitScheduler`).

use crate::fs_task::blocking;
use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hf_lfs::{CommitOperation, CommitOperationAdd};
use hf_types::{CommitInfo, RepoType};
use tokio::sync::{Mutex, oneshot};

use super::commit::{CommitOptions, run_commit};
use super::folder::{list_folder, repo_prefix};
use crate::client::HfApi;
use crate::error::Error;

/// The message of every scheduled commit (as in Python).
const COMMIT_MESSAGE: &str = "Scheduled Commit";

/// Builder of a [`CommitScheduler`], from [`HfApi::commit_scheduler`].
#[must_use = "call .start().await to start the scheduler"]
#[derive(Debug, Clone)]
pub struct CommitSchedulerBuilder {
    api: HfApi,
    repo_id: String,
    folder: PathBuf,
    every: Duration,
    path_in_repo: String,
    repo_type: RepoType,
    revision: Option<String>,
    private: Option<bool>,
    allow: Vec<String>,
    ignore: Vec<String>,
    squash_history: bool,
}

impl HfApi {
    /// A scheduler that commits the files of `folder` that changed (by modification
    /// time) to `repo_id` every 5 minutes; see [`CommitScheduler`].
    pub fn commit_scheduler(
        &self,
        repo_id: &str,
        folder: impl Into<PathBuf>,
    ) -> CommitSchedulerBuilder {
        CommitSchedulerBuilder {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            folder: folder.into(),
            every: Duration::from_secs(300),
            path_in_repo: String::new(),
            repo_type: RepoType::Model,
            revision: None,
            private: None,
            allow: Vec::new(),
            ignore: Vec::new(),
            squash_history: false,
        }
    }
}

impl CommitSchedulerBuilder {
    /// Time between two pushes (default 5 minutes; at least one second).
    pub fn every(mut self, every: Duration) -> Self {
        self.every = every.max(Duration::from_secs(1));
        self
    }

    /// The folder in the repo to commit into (default: the root).
    pub fn path_in_repo(mut self, path: impl Into<String>) -> Self {
        self.path_in_repo = path.into();
        self
    }

    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// The branch to commit to (default `main`).
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
        self
    }

    /// Visibility of the repo if it has to be created.
    pub fn private(mut self, private: bool) -> Self {
        self.private = Some(private);
        self
    }

    /// Commits only files matching at least one pattern.
    pub fn allow_patterns<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allow = patterns.into_iter().map(Into::into).collect();
        self
    }

    /// Skips files matching any pattern (`.git/` and `.cache/huggingface/` always are).
    pub fn ignore_patterns<I, S>(mut self, patterns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ignore = patterns.into_iter().map(Into::into).collect();
        self
    }

    /// Squashes the branch history into one commit after every push.
    pub fn squash_history(mut self, squash: bool) -> Self {
        self.squash_history = squash;
        self
    }

    /// Creates the folder (if missing) and the repo (if missing), makes the first push,
    /// then pushes every [`every`](CommitSchedulerBuilder::every) on a tokio task.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub async fn start(self) -> Result<CommitScheduler, Error> {
        if self.folder.is_file() {
            return Err(Error::invalid_argument(
                format!(
                    "{} is a file; the scheduler needs a folder",
                    self.folder.display()
                ),
                None,
            ));
        }
        std::fs::create_dir_all(&self.folder).map_err(|source| Error::Io {
            context: format!("could not create {}", self.folder.display()),
            source,
        })?;
        let mut create = self
            .api
            .create_repo(&self.repo_id)
            .repo_type(self.repo_type)
            .exist_ok(true);
        if let Some(p) = self.private {
            create = create.private(p);
        }
        create.await?;
        let every = self.every;
        let inner = Arc::new(Inner {
            config: self,
            last_mtimes: Mutex::new(HashMap::new()),
        });
        if let Err(e) = inner.push().await {
            tracing::warn!(error = %e, "the first scheduled push failed; retrying at the next one");
        }
        let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
        let task_inner = inner.clone();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await; // the first tick is immediate: that push was made above
            loop {
                tokio::select! {
                    _ = &mut stop_rx => return,
                    _ = tick.tick() => {
                        if let Err(e) = task_inner.push().await {
                            tracing::warn!(error = %e, "scheduled push failed; retrying at the next one");
                        }
                    }
                }
            }
        });
        Ok(CommitScheduler {
            inner,
            task: Some(task),
            stop_tx: Some(stop_tx),
        })
    }
}

struct Inner {
    config: CommitSchedulerBuilder,
    /// Modification times (and sizes, for coarse clocks) at the last successful push, by path in the repo. The async
    /// mutex also serialises pushes.
    last_mtimes: Mutex<HashMap<String, (SystemTime, u64)>>,
}

/// Commits the changed files of a local folder to a repo every few minutes, as Python's
/// `CommitScheduler` does: only files whose modification time (or size) changed since
/// the last successful push are sent, each capped at the size it had when listed (data appended
/// during the upload waits for the next push), with the message `Scheduled Commit`.
/// No change, no request.
///
/// Stop it with [`stop`](CommitScheduler::stop), which cancels the timer and makes a
/// final push. Dropping it cannot wait for a push: on drop the timer stops and, if a
/// tokio runtime is running, a final push is spawned on it best-effort (it is lost if
/// the runtime shuts down first; errors are only logged). Prefer `stop().await`.
///
/// ```no_run
/// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
/// let scheduler = api
///     .commit_scheduler("alice/logs", "runs/")
///     .repo_type(hf_api::types::RepoType::Dataset)
///     .every(std::time::Duration::from_secs(600))
///     .start()
///     .await?;
/// // ... write files under runs/ ...
/// scheduler.stop().await?;
/// # Ok(()) }
/// ```
pub struct CommitScheduler {
    inner: Arc<Inner>,
    task: Option<tokio::task::JoinHandle<()>>,
    stop_tx: Option<oneshot::Sender<()>>,
}

impl fmt::Debug for CommitScheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommitScheduler")
            .field("repo_id", &self.inner.config.repo_id)
            .field("folder", &self.inner.config.folder)
            .field("every", &self.inner.config.every)
            .field("running", &self.task.is_some())
            .finish_non_exhaustive()
    }
}

impl CommitScheduler {
    /// Pushes the changed files now (waiting for a push in progress first). `None`
    /// when nothing changed.
    pub async fn push_to_hub(&self) -> Result<Option<CommitInfo>, Error> {
        self.inner.push().await
    }

    /// Stops the timer, then makes a final push.
    pub async fn stop(mut self) -> Result<Option<CommitInfo>, Error> {
        self.halt().await;
        self.inner.push().await
    }

    async fn halt(&mut self) {
        if let Some(tx) = self.stop_tx.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            // A push in progress finishes first; the task never panics on its own.
            let _ = task.await;
        }
    }

    /// The local folder.
    pub fn folder(&self) -> &Path {
        &self.inner.config.folder
    }
}

impl Drop for CommitScheduler {
    fn drop(&mut self) {
        let Some(tx) = self.stop_tx.take() else {
            return; // stopped with stop()
        };
        let _ = tx.send(());
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            let inner = self.inner.clone();
            handle.spawn(async move {
                if let Err(e) = inner.push().await {
                    tracing::warn!(error = %e, "the final push of a dropped CommitScheduler failed");
                }
            });
        } else {
            tracing::warn!(
                "CommitScheduler dropped outside a tokio runtime: no final push; call stop().await"
            );
        }
    }
}

impl Inner {
    async fn push(&self) -> Result<Option<CommitInfo>, Error> {
        let mut last = self.last_mtimes.lock().await;
        let c = &self.config;
        let (folder, allow, ignore) = (c.folder.clone(), c.allow.clone(), c.ignore.clone());
        let prefix = repo_prefix(&c.path_in_repo);
        let previous = last.clone();
        let changed = blocking(move || -> Result<_, Error> {
            let mut out = Vec::new();
            for f in list_folder(&folder, &allow, &ignore)? {
                let meta = std::fs::metadata(&f.abs).map_err(|source| Error::Io {
                    context: format!("could not read {}", f.abs.display()),
                    source,
                })?;
                let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                let path_in_repo = format!("{prefix}{}", f.rel);
                if previous.get(&path_in_repo) != Some(&(mtime, meta.len())) {
                    out.push((path_in_repo, f.abs, meta.len(), mtime));
                }
            }
            Ok(out)
        })
        .await?;
        if changed.is_empty() {
            tracing::debug!("scheduled push: nothing changed");
            return Ok(None);
        }
        let mut ops: Vec<CommitOperation> = Vec::with_capacity(changed.len());
        for (path_in_repo, abs, size, _) in &changed {
            let file = CappedFile::open(abs, *size)?;
            ops.push(CommitOperationAdd::from_reader(path_in_repo, file)?.into());
        }
        let options = CommitOptions {
            repo_type: c.repo_type,
            revision: c.revision.clone(),
            commit_message: Some(COMMIT_MESSAGE.to_owned()),
            ..CommitOptions::default()
        };
        let info = run_commit(c.api.clone(), c.repo_id.clone(), options, ops).await?;
        for (path_in_repo, _, size, mtime) in changed {
            last.insert(path_in_repo, (mtime, size));
        }
        if c.squash_history {
            let mut squash = c
                .api
                .super_squash_history(&c.repo_id)
                .repo_type(c.repo_type);
            if let Some(rev) = &c.revision {
                squash = squash.branch(rev.clone());
            }
            squash.await?;
        }
        Ok(Some(info))
    }
}

/// A file read only up to the size it had when listed.
struct CappedFile {
    file: std::fs::File,
    len: u64,
    pos: u64,
}

impl CappedFile {
    fn open(path: &Path, len: u64) -> Result<CappedFile, Error> {
        let file = std::fs::File::open(path).map_err(|source| Error::Io {
            context: format!("could not open {}", path.display()),
            source,
        })?;
        Ok(CappedFile { file, len, pos: 0 })
    }
}

impl Read for CappedFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.len.saturating_sub(self.pos);
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        self.file.seek(SeekFrom::Start(self.pos))?;
        let n = self.file.read(&mut buf[..want])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for CappedFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        let target = target.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        self.pos = target;
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_file_reads_only_the_listed_size() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log.txt");
        std::fs::write(&p, b"0123456789").unwrap();
        let mut f = CappedFile::open(&p, 4).unwrap();
        assert_eq!(f.seek(SeekFrom::End(0)).unwrap(), 4);
        f.seek(SeekFrom::Start(1)).unwrap();
        let mut out = Vec::new();
        f.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"123");
    }
}
