//! `upload_large_folder`: a resumable, multi-worker, multi-commit folder upload.
//!
//! Per-file progress is kept in the folder's `.cache/huggingface/upload/{path}.metadata`
//! in the Python client's format (through [`hf_cache::LocalDir`]), so an interrupted
//! run (by either client) resumes without hashing, negotiating or uploading again what
//! was done. Workers pick jobs with the Python client's priorities (hub-protocol §8.9).

use crate::fs_task::blocking;
use std::collections::VecDeque;
use std::fmt;
use std::future::IntoFuture;
use std::io::Read as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hf_cache::{LocalDir, UploadMetadata};
use hf_lfs::{
    CommitHeader, CommitOperation, CommitOperationAdd, TransferOptions, UploadInfo, UploadMode,
    UploadTarget,
};
use hf_types::{LfsOid, RepoPath, RepoType};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::folder::list_folder;
use crate::api::{parse_repo_id, parse_revision};
use crate::client::HfApi;
use crate::error::Error;
use crate::request::BoxFuture;

/// The message of every commit `upload_large_folder` makes (as in Python).
const COMMIT_MESSAGE: &str = "Add files using upload-large-folder tool";
/// Files negotiated per preupload call.
const MODE_BATCH: usize = 50;
/// A job that failed this many times for the same file ends the run with its error.
const MAX_FAILURES: u32 = 3;

type ReportHook = Arc<dyn Fn(&LargeFolderReport) + Send + Sync>;

/// Progress of [`HfApi::upload_large_folder`], given to the report callback and
/// returned at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LargeFolderReport {
    /// Files selected for upload.
    pub total_files: usize,
    /// Their total size in bytes.
    pub total_bytes: u64,
    /// Files whose sha256 is known.
    pub hashed: usize,
    /// Files whose upload mode is known.
    pub upload_mode_known: usize,
    /// Files the Hub said to ignore (`.gitignore`).
    pub ignored: usize,
    /// LFS files uploaded (or already on the Hub).
    pub lfs_uploaded: usize,
    /// Files committed.
    pub committed: usize,
    /// Files hashed by this run (not restored from metadata).
    pub hashed_this_run: usize,
    /// LFS files uploaded by this run.
    pub uploaded_this_run: usize,
    /// Files committed by this run.
    pub committed_this_run: usize,
    /// Commits made by this run.
    pub commits_this_run: usize,
    /// Time since the run started.
    pub elapsed: Duration,
}

impl fmt::Display for LargeFolderReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} files ({} bytes): {} hashed, {} negotiated, {} ignored, {} LFS uploaded, {} committed ({} commits this run) after {:.0?}",
            self.total_files,
            self.total_bytes,
            self.hashed,
            self.upload_mode_known,
            self.ignored,
            self.lfs_uploaded,
            self.committed,
            self.commits_this_run,
            self.elapsed
        )
    }
}

/// The request built by [`HfApi::upload_large_folder`]; resolves to the final report.
#[must_use = "an upload does nothing until it is awaited"]
#[derive(Clone)]
pub struct UploadLargeFolderRequest {
    api: HfApi,
    repo_id: String,
    folder: PathBuf,
    repo_type: RepoType,
    revision: Option<String>,
    private: Option<bool>,
    allow: Vec<String>,
    ignore: Vec<String>,
    num_workers: usize,
    report_every: Duration,
    on_report: Option<ReportHook>,
    max_lfs_per_commit: usize,
    max_regular_per_commit: usize,
    transfer: TransferOptions,
    token: Option<hf_http::Token>,
}

impl fmt::Debug for UploadLargeFolderRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadLargeFolderRequest")
            .field("repo_id", &self.repo_id)
            .field("folder", &self.folder)
            .field("repo_type", &self.repo_type)
            .field("revision", &self.revision)
            .field("num_workers", &self.num_workers)
            .finish_non_exhaustive()
    }
}

impl HfApi {
    /// Uploads a large folder in several commits, resumably (Python's
    /// `upload_large_folder`): creates the repo if needed, then workers hash files,
    /// negotiate upload modes (50 files per call), upload LFS content and commit
    /// batches of at most 150 LFS or 75 regular files, with the Python client's job
    /// priorities. Progress of every file is saved under
    /// `{folder}/.cache/huggingface/upload/`; run it again after an interruption and it
    /// continues where it stopped (files hashed, uploaded or committed are not
    /// processed again). `repo_type` is required, as in Python.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// use hf_api::types::RepoType;
    /// let report = api
    ///     .upload_large_folder("alice/big-ds", "data/", RepoType::Dataset)
    ///     .num_workers(8)
    ///     .on_report(|r| eprintln!("{r}"))
    ///     .await?;
    /// println!("{} commits", report.commits_this_run);
    /// # Ok(()) }
    /// ```
    pub fn upload_large_folder(
        &self,
        repo_id: &str,
        folder_path: impl Into<PathBuf>,
        repo_type: RepoType,
    ) -> UploadLargeFolderRequest {
        let cpus = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        UploadLargeFolderRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            folder: folder_path.into(),
            repo_type,
            revision: None,
            private: None,
            allow: Vec::new(),
            ignore: Vec::new(),
            num_workers: cpus.saturating_sub(2).max(2),
            report_every: Duration::from_secs(60),
            on_report: None,
            max_lfs_per_commit: 150,
            max_regular_per_commit: 75,
            transfer: TransferOptions::default().max_concurrent_files(1),
            token: None,
        }
    }
}

impl UploadLargeFolderRequest {
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

    /// Uploads only files matching at least one pattern (Python's `fnmatch` rules).
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

    /// Jobs run at once (default: CPUs − 2, at least 2).
    pub fn num_workers(mut self, n: usize) -> Self {
        self.num_workers = n.max(1);
        self
    }

    /// Calls `hook` with a [`LargeFolderReport`] every
    /// [`report_every`](UploadLargeFolderRequest::report_every) and after each commit.
    /// It runs on the upload's tasks: keep it quick.
    pub fn on_report(mut self, hook: impl Fn(&LargeFolderReport) + Send + Sync + 'static) -> Self {
        self.on_report = Some(Arc::new(hook));
        self
    }

    /// The period of the report (default 60 s, as Python's `print_report_every`).
    pub fn report_every(mut self, every: Duration) -> Self {
        self.report_every = every.max(Duration::from_millis(10));
        self
    }

    /// The most LFS and regular files per commit (default 150 and 75, as in Python).
    pub fn max_files_per_commit(mut self, lfs: usize, regular: usize) -> Self {
        self.max_lfs_per_commit = lfs.max(1);
        self.max_regular_per_commit = regular.max(1);
        self
    }

    /// Uses this token instead of the client's for every request of this upload
    /// (still sent to the endpoint's origin only).
    pub fn token(mut self, token: hf_http::Token) -> Self {
        self.token = Some(token);
        self
    }

    /// Transfer settings of each LFS upload (default: one object per job, parts in
    /// parallel).
    pub fn transfer_options(mut self, options: TransferOptions) -> Self {
        self.transfer = options;
        self
    }
}

impl IntoFuture for UploadLargeFolderRequest {
    type Output = Result<LargeFolderReport, Error>;
    type IntoFuture = BoxFuture<LargeFolderReport>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run(self))
    }
}

/// One file and its saved progress.
struct Item {
    repo_path: RepoPath,
    abs: PathBuf,
    meta: UploadMetadata,
    failures: u32,
}

impl Item {
    fn is_done(&self) -> bool {
        self.meta.is_committed || self.meta.should_ignore == Some(true)
    }
}

#[derive(Default)]
struct Running {
    hash: usize,
    mode: usize,
    lfs: usize,
    commit: bool,
    busy: usize,
}

struct State {
    items: Vec<Item>,
    hash_q: VecDeque<usize>,
    mode_q: VecDeque<usize>,
    lfs_q: VecDeque<usize>,
    commit_q: VecDeque<usize>,
    running: Running,
    last_commit_attempt: Option<Instant>,
    failure: Option<Error>,
    report: LargeFolderReport,
}

enum Job {
    Hash(usize),
    Mode(Vec<usize>),
    Lfs(usize),
    Commit(Vec<usize>),
    Wait,
    Done,
}

struct Shared {
    state: Mutex<State>,
    changed: watch::Sender<u64>,
    api: HfApi,
    target: UploadTarget,
    local: LocalDir,
    transfer: TransferOptions,
    max_lfs: usize,
    max_regular: usize,
    started: Instant,
    on_report: Option<ReportHook>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn report(&self) -> LargeFolderReport {
        let st = self.lock();
        snapshot(&st, self.started)
    }

    fn emit(&self) {
        if let Some(hook) = &self.on_report {
            hook(&self.report());
        }
    }
}

fn snapshot(st: &State, started: Instant) -> LargeFolderReport {
    let mut r = st.report.clone();
    r.total_files = st.items.len();
    r.total_bytes = st.items.iter().map(|i| i.meta.size).sum();
    r.hashed = st.items.iter().filter(|i| i.meta.sha256.is_some()).count();
    r.upload_mode_known = st
        .items
        .iter()
        .filter(|i| i.meta.upload_mode.is_some())
        .count();
    r.ignored = st
        .items
        .iter()
        .filter(|i| i.meta.should_ignore == Some(true))
        .count();
    r.lfs_uploaded = st.items.iter().filter(|i| i.meta.is_uploaded).count();
    r.committed = st.items.iter().filter(|i| i.meta.is_committed).count();
    r.elapsed = started.elapsed();
    r
}

async fn run(req: UploadLargeFolderRequest) -> Result<LargeFolderReport, Error> {
    // Before scanning or hashing anything.
    req.api.ensure_online("upload_large_folder")?;
    let id = parse_repo_id(&req.repo_id)?;
    let revision = parse_revision(req.revision.as_deref())?;
    let mut create = req
        .api
        .create_repo(&req.repo_id)
        .repo_type(req.repo_type)
        .exist_ok(true);
    if let Some(p) = req.private {
        create = create.private(p);
    }
    if let Some(token) = &req.token {
        create = create.token(token.clone());
    }
    create.await?;

    let (folder, allow, ignore) = (req.folder.clone(), req.allow.clone(), req.ignore.clone());
    let local = LocalDir::new(&req.folder);
    let local2 = local.clone();
    let items = blocking(move || -> Result<Vec<Item>, Error> {
        let files = list_folder(&folder, &allow, &ignore)?;
        let mut items = Vec::with_capacity(files.len());
        for f in files {
            let repo_path = crate::api::parse_path(&f.rel)?;
            let meta = local2.read_upload_metadata(&repo_path)?;
            items.push(Item {
                repo_path,
                abs: f.abs,
                meta,
                failures: 0,
            });
        }
        Ok(items)
    })
    .await?;

    let mut st = State {
        items,
        hash_q: VecDeque::new(),
        mode_q: VecDeque::new(),
        lfs_q: VecDeque::new(),
        commit_q: VecDeque::new(),
        running: Running::default(),
        last_commit_attempt: None,
        failure: None,
        report: LargeFolderReport::default(),
    };
    for (i, item) in st.items.iter().enumerate() {
        let m = &item.meta;
        if item.is_done() {
            continue;
        }
        if m.sha256.is_none() {
            st.hash_q.push_back(i);
        } else if m.upload_mode.is_none() || m.should_ignore.is_none() {
            st.mode_q.push_back(i);
        } else if m.upload_mode == Some(hf_cache::UploadMode::Lfs) && !m.is_uploaded {
            st.lfs_q.push_back(i);
        } else {
            st.commit_q.push_back(i);
        }
    }
    let (changed, _) = watch::channel(0u64);
    let shared = Arc::new(Shared {
        state: Mutex::new(st),
        changed,
        target: match req.token {
            Some(token) => UploadTarget::new(req.repo_type, id)
                .revision(revision)
                .auth(hf_http::auth::RequestAuth::Token(token)),
            None => UploadTarget::new(req.repo_type, id).revision(revision),
        },
        api: req.api,
        local,
        transfer: req.transfer,
        max_lfs: req.max_lfs_per_commit,
        max_regular: req.max_regular_per_commit,
        started: Instant::now(),
        on_report: req.on_report,
    });

    let mut workers = JoinSet::new();
    for _ in 0..req.num_workers {
        workers.spawn(worker(shared.clone()));
    }
    let reporter = {
        let shared = shared.clone();
        let every = req.report_every;
        async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                shared.emit();
            }
        }
    };
    let join_all = async {
        while let Some(r) = workers.join_next().await {
            if let Err(e) = r
                && e.is_panic()
            {
                std::panic::resume_unwind(e.into_panic());
            }
        }
    };
    tokio::select! {
        () = join_all => {}
        () = reporter => {}
    }
    let failure = shared.lock().failure.take();
    if let Some(e) = failure {
        return Err(e);
    }
    let report = shared.report();
    if let Some(hook) = &shared.on_report {
        hook(&report);
    }
    Ok(report)
}

/// Takes up to `n` items from the front of `q`.
fn take(q: &mut VecDeque<usize>, n: usize) -> Vec<usize> {
    let n = n.min(q.len());
    q.drain(..n).collect()
}

/// Picks the next job by the Python client's rules (hub-protocol §8.9) and marks it
/// running.
fn choose(st: &mut State, max_lfs: usize, max_regular: usize) -> Job {
    let commit_idle = !st.running.commit;
    let since_commit = st.last_commit_attempt.map(|t| t.elapsed());
    let commit_due = |after: Duration| since_commit.is_none_or(|d| d > after);
    let job = if commit_idle && !st.commit_q.is_empty() && commit_due(Duration::from_secs(300))
        || commit_idle && st.commit_q.len() >= max_lfs
    {
        Some(commit_batch(st, max_lfs, max_regular))
    } else if st.mode_q.len() >= 10 {
        Some(Job::Mode(take(&mut st.mode_q, MODE_BATCH)))
    } else if !st.lfs_q.is_empty() && st.running.lfs == 0 {
        st.lfs_q.pop_front().map(Job::Lfs)
    } else if !st.hash_q.is_empty() && st.running.hash == 0 {
        st.hash_q.pop_front().map(Job::Hash)
    } else if !st.mode_q.is_empty() && st.running.mode == 0 {
        Some(Job::Mode(take(&mut st.mode_q, MODE_BATCH)))
    } else if let Some(i) = st.lfs_q.pop_front() {
        Some(Job::Lfs(i))
    } else if let Some(i) = st.hash_q.pop_front() {
        Some(Job::Hash(i))
    } else if !st.mode_q.is_empty() {
        Some(Job::Mode(take(&mut st.mode_q, MODE_BATCH)))
    } else if commit_idle && !st.commit_q.is_empty() && commit_due(Duration::from_secs(60))
        || commit_idle
            && !st.commit_q.is_empty()
            && st.hash_q.is_empty()
            && st.mode_q.is_empty()
            && st.lfs_q.is_empty()
            && st.running.busy == 0
    {
        Some(commit_batch(st, max_lfs, max_regular))
    } else if st.items.iter().all(Item::is_done) {
        Some(Job::Done)
    } else {
        None
    };
    let job = job.unwrap_or(Job::Wait);
    match &job {
        Job::Hash(_) => st.running.hash += 1,
        Job::Mode(_) => st.running.mode += 1,
        Job::Lfs(_) => st.running.lfs += 1,
        Job::Commit(_) => {
            st.running.commit = true;
            st.last_commit_attempt = Some(Instant::now());
        }
        Job::Wait | Job::Done => return job,
    }
    st.running.busy += 1;
    job
}

/// Items for one commit: until `max_lfs` LFS or `max_regular` regular files.
fn commit_batch(st: &mut State, max_lfs: usize, max_regular: usize) -> Job {
    let (mut lfs, mut regular) = (0, 0);
    let mut batch = Vec::new();
    while lfs < max_lfs && regular < max_regular {
        let Some(i) = st.commit_q.pop_front() else {
            break;
        };
        if st.items[i].meta.upload_mode == Some(hf_cache::UploadMode::Lfs) {
            lfs += 1;
        } else {
            regular += 1;
        }
        batch.push(i);
    }
    Job::Commit(batch)
}

async fn worker(shared: Arc<Shared>) {
    let mut changed = shared.changed.subscribe();
    loop {
        changed.borrow_and_update();
        let job = {
            let mut st = shared.lock();
            if st.failure.is_some() {
                return;
            }
            choose(&mut st, shared.max_lfs, shared.max_regular)
        };
        match job {
            Job::Done => {
                shared.changed.send_modify(|v| *v += 1);
                return;
            }
            Job::Wait => {
                // Woken by any state change; the timeout lets time-based commit rules fire.
                let _ = tokio::time::timeout(Duration::from_secs(10), changed.changed()).await;
            }
            job => {
                let committed = matches!(job, Job::Commit(_));
                run_job(&shared, job).await;
                shared.changed.send_modify(|v| *v += 1);
                if committed {
                    shared.emit();
                }
            }
        }
    }
}

/// An addition for item `i` with its known hash (and, when known, mode).
fn prepared_op(item: &Item, sample: Bytes) -> Result<CommitOperationAdd, Error> {
    let mut op = CommitOperationAdd::from_path(item.repo_path.as_str(), &item.abs)?;
    if let Some(sha) = &item.meta.sha256 {
        let oid = LfsOid::new(sha.clone()).map_err(|e| Error::InvalidResponse {
            message: format!(
                "the saved sha256 of {} is invalid ({e}); delete its metadata under .cache/huggingface/upload/ and run again",
                item.repo_path
            ),
        })?;
        op.set_upload_info(UploadInfo::new(item.meta.size, oid, sample));
    }
    match item.meta.upload_mode {
        Some(hf_cache::UploadMode::Lfs) => op.set_upload_mode(UploadMode::Lfs),
        Some(hf_cache::UploadMode::Regular) => op.set_upload_mode(UploadMode::Regular),
        None => {}
    }
    Ok(op)
}

/// The first 512 bytes of a file (what preupload needs).
fn read_sample(path: &std::path::Path) -> Result<Bytes, Error> {
    let mut f = std::fs::File::open(path).map_err(|source| Error::Io {
        context: format!("could not open {}", path.display()),
        source,
    })?;
    let mut buf = Vec::with_capacity(hf_lfs::SAMPLE_SIZE);
    f.by_ref()
        .take(hf_lfs::SAMPLE_SIZE as u64)
        .read_to_end(&mut buf)
        .map_err(|source| Error::Io {
            context: format!("could not read {}", path.display()),
            source,
        })?;
    Ok(buf.into())
}

/// Snapshot of what a job needs from items (read under the lock).
fn snapshot_items(
    shared: &Shared,
    idx: &[usize],
) -> Vec<(usize, RepoPath, PathBuf, UploadMetadata)> {
    let st = shared.lock();
    idx.iter()
        .map(|&i| {
            let it = &st.items[i];
            (i, it.repo_path.clone(), it.abs.clone(), it.meta.clone())
        })
        .collect()
}

/// Builds prepared ops for items, off the runtime (reads samples).
async fn ops_for(
    items: Vec<(usize, RepoPath, PathBuf, UploadMetadata)>,
) -> Result<Vec<CommitOperation>, Error> {
    blocking(move || {
        items
            .into_iter()
            .map(|(_, repo_path, abs, meta)| {
                let sample = read_sample(&abs)?;
                let item = Item {
                    repo_path,
                    abs,
                    meta,
                    failures: 0,
                };
                prepared_op(&item, sample).map(CommitOperation::from)
            })
            .collect()
    })
    .await
}

/// Saves the metadata of items (under their locks, off the runtime).
async fn save(shared: &Shared, idx: &[usize]) -> Result<(), Error> {
    let metas: Vec<(usize, RepoPath, UploadMetadata)> = {
        let st = shared.lock();
        idx.iter()
            .map(|&i| (i, st.items[i].repo_path.clone(), st.items[i].meta.clone()))
            .collect()
    };
    let local = shared.local.clone();
    let saved = blocking(move || -> Result<Vec<(usize, UploadMetadata)>, Error> {
        let mut out = Vec::with_capacity(metas.len());
        for (i, path, mut meta) in metas {
            local.write_upload_metadata(&path, &mut meta)?;
            out.push((i, meta));
        }
        Ok(out)
    })
    .await?;
    let mut st = shared.lock();
    for (i, meta) in saved {
        st.items[i].meta.timestamp = meta.timestamp;
    }
    Ok(())
}

async fn run_job(shared: &Shared, job: Job) {
    let (kind, idx) = match &job {
        Job::Hash(i) => (0, vec![*i]),
        Job::Mode(v) => (1, v.clone()),
        Job::Lfs(i) => (2, vec![*i]),
        Job::Commit(v) => (3, v.clone()),
        Job::Wait | Job::Done => return,
    };
    let result = match job {
        Job::Hash(i) => hash_job(shared, i).await,
        Job::Mode(v) => mode_job(shared, &v).await,
        Job::Lfs(i) => lfs_job(shared, i).await,
        Job::Commit(v) => commit_job(shared, &v).await,
        Job::Wait | Job::Done => Ok(()),
    };
    let mut st = shared.lock();
    match kind {
        0 => st.running.hash -= 1,
        1 => st.running.mode -= 1,
        2 => st.running.lfs -= 1,
        _ => st.running.commit = false,
    }
    st.running.busy -= 1;
    if let Err(e) = result {
        tracing::warn!(error = %e, "upload_large_folder job failed; its files go back in the queue");
        let mut give_up = false;
        for &i in &idx {
            st.items[i].failures += 1;
            give_up |= st.items[i].failures >= MAX_FAILURES;
            let q = match kind {
                0 => &mut st.hash_q,
                1 => &mut st.mode_q,
                2 => &mut st.lfs_q,
                _ => &mut st.commit_q,
            };
            q.push_back(i);
        }
        if give_up && st.failure.is_none() {
            st.failure = Some(e);
        }
    }
}

async fn hash_job(shared: &Shared, i: usize) -> Result<(), Error> {
    let items = snapshot_items(shared, &[i]);
    let (_, repo_path, abs, _) = items.into_iter().next().expect("one item");
    let info = blocking(move || -> Result<UploadInfo, Error> {
        let mut ops = [CommitOperation::from(CommitOperationAdd::from_path(
            repo_path.as_str(),
            abs,
        )?)];
        hf_lfs::hash_additions_blocking(&mut ops, 1)?;
        Ok(ops[0]
            .as_add()
            .and_then(CommitOperationAdd::upload_info)
            .cloned()
            .expect("hashed above"))
    })
    .await?;
    {
        let mut st = shared.lock();
        let m = &mut st.items[i].meta;
        m.size = info.size;
        m.sha256 = Some(info.sha256.as_str().to_owned());
        st.report.hashed_this_run += 1;
    }
    save(shared, &[i]).await?;
    shared.lock().mode_q.push_back(i);
    Ok(())
}

async fn mode_job(shared: &Shared, idx: &[usize]) -> Result<(), Error> {
    let mut ops = ops_for(snapshot_items(shared, idx)).await?;
    hf_lfs::preupload(shared.api.http(), &shared.target, &mut ops, None).await?;
    {
        let mut st = shared.lock();
        for (&i, op) in idx.iter().zip(&ops) {
            let add = op.as_add().expect("additions only");
            let m = &mut st.items[i].meta;
            m.should_ignore = Some(add.should_ignore());
            m.upload_mode = Some(match add.upload_mode() {
                Some(UploadMode::Lfs) => hf_cache::UploadMode::Lfs,
                _ => hf_cache::UploadMode::Regular,
            });
        }
    }
    save(shared, idx).await?;
    let mut st = shared.lock();
    for &i in idx {
        let m = &st.items[i].meta;
        if m.should_ignore == Some(true) {
            continue;
        }
        if m.upload_mode == Some(hf_cache::UploadMode::Lfs) && !m.is_uploaded {
            st.lfs_q.push_back(i);
        } else {
            st.commit_q.push_back(i);
        }
    }
    Ok(())
}

async fn lfs_job(shared: &Shared, i: usize) -> Result<(), Error> {
    let mut ops = ops_for(snapshot_items(shared, &[i])).await?;
    hf_lfs::upload_lfs_objects(
        shared.api.http(),
        &shared.target,
        &mut ops,
        &shared.transfer,
    )
    .await?;
    {
        let mut st = shared.lock();
        st.items[i].meta.is_uploaded = true;
        st.report.uploaded_this_run += 1;
    }
    save(shared, &[i]).await?;
    shared.lock().commit_q.push_back(i);
    Ok(())
}

async fn commit_job(shared: &Shared, idx: &[usize]) -> Result<(), Error> {
    let mut ops = ops_for(snapshot_items(shared, idx)).await?;
    for op in &mut ops {
        if let CommitOperation::Add(add) = op
            && add.upload_mode() == Some(UploadMode::Lfs)
        {
            add.mark_uploaded();
        }
    }
    hf_lfs::send_commit(
        shared.api.http(),
        &shared.target,
        &CommitHeader::new(COMMIT_MESSAGE),
        &ops,
    )
    .await?;
    {
        let mut st = shared.lock();
        for &i in idx {
            st.items[i].meta.is_committed = true;
        }
        st.report.committed_this_run += idx.len();
        st.report.commits_this_run += 1;
    }
    // The commit landed: a failed save must not put the files back in the queue (they
    // would be committed twice); at worst a later run commits them again.
    if let Err(e) = save(shared, idx).await {
        tracing::warn!(error = %e, "could not save the upload state after a commit");
    }
    Ok(())
}
