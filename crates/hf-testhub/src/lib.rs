//! A local Hugging Face Hub emulator (axum) for tests, benchmarks and the demo.
//!
//! It writes the Hub's wire format by itself and depends on none of the client crates, so
//! a client bug and an emulator bug cannot cancel out. Its fidelity is checked by running
//! the official Python client against it.
//!
//! # Quick start
//!
//! ```no_run
//! # async fn demo() -> Result<(), hf_testhub::Error> {
//! use hf_testhub::{FaultRule, RepoType, Role, TestHub};
//!
//! let hub = TestHub::builder().user("alice", "hf_alice_write").page_size(50).start().await?;
//! hub.add_user("bob");
//! hub.add_token("bob", "hf_bob_read", Role::Read)?;
//! hub.create_repo(RepoType::Model, "alice/tiny", false)?;
//! hub.upload_file(RepoType::Model, "alice/tiny", "main", "config.json", b"{}")?;
//! hub.fault(FaultRule::new(http::Method::GET, "/api/models").fail_times(2, 503).retry_after(1));
//! println!("Hub at {} (CDN at {})", hub.url(), hub.cdn_url());
//! assert!(hub.requests().is_empty());
//! # Ok(()) }
//! ```
//!
//! # What it emulates
//!
//! Two listeners on 127.0.0.1: the Hub itself ([`TestHub::url`]) and a "CDN" origin
//! ([`TestHub::cdn_url`]) that serves LFS content through signed, expiring URLs (HMAC-SHA256
//! over path and query) and receives LFS uploads (basic and multipart). Users, organizations,
//! read/write/fine-grained tokens, private and gated repos, git-like commits, branches, tags,
//! pull-request refs, listings with `Link` pagination, the preupload / LFS batch / NDJSON commit
//! protocol and resolve downloads with `Range` are served as the Hub serves them. Faults
//! ([`FaultRule`]) and a request log ([`LoggedRequest`]) cover reliability tests. Both
//! listeners serve plain HTTP, or HTTPS with [`TestHubBuilder::tls`] (HTTP/2 and HTTP/1.1
//! offered; [`TlsIdentity::test`] is a certificate for 127.0.0.1 whose CA tests trust).
//!
//! # Routes
//!
//! Main listener (`{rt}` is `models`, `datasets`, `spaces` or `kernels`; `{prefix}` is empty,
//! `datasets/`, `spaces/` or `kernels/`; ids have one or two segments; revisions are one `%2F`-quoted
//! segment):
//!
//! - `GET /api/whoami-v2`; `POST /api/repos/create`, `DELETE /api/repos/delete`,
//!   `POST /api/repos/move`; `POST /api/validate-yaml`; `HEAD|GET /api/telemetry/...`
//! - `GET /api/{rt}` (search, author, filter, gated, sort, direction, limit, full, expand,
//!   `Link` pagination)
//! - `GET /api/{rt}/{id}[/revision/{rev}]` (blobs, expand / expand[], securityStatus);
//!   `PUT .../settings`; `GET .../auth-check[/write]`
//! - `GET .../tree/{rev}[/{path}]` (recursive, expand, cursor pagination);
//!   `POST .../paths-info/{rev}`; `GET .../refs[?include_prs=1]`; `GET .../commits/{rev}`
//!   (`p` pagination, `expand[]=formatted`); `POST|DELETE .../branch/{b}`;
//!   `POST .../tag/{rev}`, `DELETE .../tag/{tag}`; `POST .../super-squash/{b}`
//! - `POST .../preupload/{rev}`; `POST .../commit/{rev}[?create_pr=1]` (NDJSON)
//! - `GET|POST .../discussions`, `GET .../discussions/{n}`,
//!   `POST .../discussions/{n}/{comment,title,status,merge}`,
//!   `POST .../discussions/{n}/comment/{id}/{edit,hide}`
//! - `GET .../user-access-request/{pending,accepted,rejected}`,
//!   `POST .../user-access-request/{handle,grant}`
//! - `POST|DELETE .../like`, `GET .../likers`, `GET /api/users/{u}/{overview,likes,followers,following}`,
//!   `GET /api/organizations/{o}/{overview,members,followers}`
//! - `GET /api/spaces/{id}/{runtime,variables,secrets}`,
//!   `POST /api/spaces/{id}/{variables,secrets,hardware,sleeptime,pause,restart,storage,dev-mode}`,
//!   `DELETE /api/spaces/{id}/{variables,secrets,storage}`; `POST /api/{rt}/{id}/duplicate`
//! - `GET|POST /api/collections`, `GET|PATCH|DELETE /api/collections/{slug}`,
//!   `POST /api/collections/{slug}/items`, `PATCH|DELETE /api/collections/{slug}/items/{id}`;
//!   `GET /api/{models,datasets}-tags-by-type` and `/api/metrics` (empty catalogues);
//!   `GET /api/papers/{id}`, `/api/papers/search?q=`, `/api/daily_papers` (papers seeded with
//!   [`TestHub::add_paper`])
//! - `GET|POST /api/settings/webhooks`, `GET|POST|DELETE /api/settings/webhooks/{id}`,
//!   `POST /api/settings/webhooks/{id}/{enable,disable}` (stored, never delivered)
//! - Inference Endpoints (the `https://api.endpoints.huggingface.cloud/v2` API, so point a
//!   client at `{url}/v2`): `GET|POST /v2/endpoint/{ns}`,
//!   `GET|PUT|DELETE /v2/endpoint/{ns}/{name}`,
//!   `POST /v2/endpoint/{ns}/{name}/{pause,resume,scale-to-zero}` (token required; `{ns}` must
//!   be the caller or one of their orgs, and changes need a write token); new endpoints are
//!   `running` at once, and `GET /_endpoints/{ns}/{name}` (their `status.url`) answers 200
//!   while running, 503 otherwise
//! - `HEAD|GET /{prefix}{id}/resolve/{rev}/{path}` (Range; LFS files answer 302 to the CDN)
//! - `POST /{prefix}{id}.git/info/lfs/objects/{batch,verify}`
//!
//! CDN listener (signed URLs only): `HEAD|GET /lfs/{sha256}`, `PUT /upload/{sha256}`,
//! `PUT /multipart/{sha256}/{n}`, `POST /multipart/{sha256}/complete`.
//!
//! Also served: discussions and pull requests (create, comment, rename, status, merge),
//! gated-repo access requests, likes, user and organization pages, Space runtime settings,
//! variables and secrets, and repo duplication.
//!
//! Differences from the Hub that tests may notice: no Xet (2.x clients need
//! `HF_HUB_DISABLE_XET=1` when `hf_xet` is installed), Inference Endpoints deploy nothing
//! (no `pending`/`initializing` states, and their URL serves no model), Spaces never build
//! (their stage is `RUNNING` or `PAUSED`), listings sort by id unless `sort` is given (then
//! descending unless `direction=1`), and uploads are
//! `lfs` for `.gitattributes` LFS patterns or from 10 MiB (no binary sniffing).
//!
//! # Out-of-process use
//!
//! The `hf-testhub serve [--data DIR] [--port N] [--user NAME --token TOKEN]` binary prints
//! `listening on http://127.0.0.1:PORT` once it accepts connections. Tests in another process
//! (the Python interop suite) script it through a control API under `/_testhub/` on the main
//! listener. It needs no token, is never logged and never faulted:
//!
//! | Request | Body | Effect |
//! |---|---|---|
//! | `POST /_testhub/faults` | `{"method"?, "path"? \| "regex"?, "listener"? ("main"\|"cdn"), "times"?, "status"?, "retry_after"?, "delay_ms"?, "drop_after"?, "stall_after"?, "truncate_after"?, "corrupt_at"?, "throttle_bps"?, "chaos"? (a probability), "seed"?}` | adds a [`FaultRule`] |
//! | `DELETE /_testhub/faults` | — | removes every rule |
//! | `GET /_testhub/requests` | — | the request log as JSON: `listener`, `method`, `path`, `headers` (`authorization` redacted), `body_bytes`, `status`, `peer` (the client's address: one per connection) |
//! | `DELETE /_testhub/requests` | — | clears the log |
//! | `POST /_testhub/users` | `{"name", "token"?, "role"? ("read"\|"write"), "org"? (bool), "members"?}` | adds a user (and token) or an org |
//! | `POST /_testhub/grant` | `{"repo_type"?, "repo_id", "user"}` | accepts an access request to a gated repo |
//! | `POST /_testhub/request-access` | same | files an access request (accepted at once when gating is `auto`) |
//! | `POST /_testhub/papers` | `{"id", "title"?, "summary"?, "authors"?}` | adds a paper |
//! | `POST /_testhub/page-size` | `{"page_size"}` | sets the listing page size (0 = Hub defaults) |
//! | `POST /_testhub/check-lfs` | — | hashes every stored LFS object: `{"checked": n, "bad": [{"oid", "sha256"}]}`, status 409 when `bad` is not empty (see [`TestHubBuilder::defer_upload_check`]) |
//!
//! # Performance
//!
//! Files are streamed from disk in 1 MiB reads; uploads are spooled to disk while a blocking
//! thread hashes and writes, and multipart parts are written in place so completion only
//! hashes. On a disk-bound machine put `--data` on a tmpfs for benchmarks, and
//! `--defer-upload-check` keeps the emulator's sha256 of uploads out of the clients' way
//! (see [`TestHubBuilder::defer_upload_check`]).
//!
//! State lives in a data directory (a temp dir owned by the handle unless one is given):
//! see the `state` module docs for its format. Every mutation rewrites `state.json`
//! atomically.
//!
//! [`TestProxy`] is a logging HTTP proxy (forward and `CONNECT`), for testing clients
//! behind one.

mod faults;
mod log;
mod proxy;
mod routes;
mod state;
mod tls;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::middleware;
use axum::serve::ListenerExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub use faults::FaultRule;
pub use log::{Listener, LoggedRequest};
pub use proxy::{ProxyRequest, TestProxy};
pub use state::{Gated, RepoType, Role, ScopeTarget, TokenScope};
pub use tls::TlsIdentity;

use state::{HubState, Objects};

/// Errors of the library API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error on the data directory or a socket.
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A named user, repo or revision does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with existing state (e.g. the repo already exists).
    #[error("{0}")]
    Conflict(String),
    /// An argument is invalid (e.g. a fault rule's regex).
    #[error("{0}")]
    Invalid(String),
}

fn io_err(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
    let context = context.into();
    move |source| Error::Io { context, source }
}

/// Runtime settings (not persisted).
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) page_size: AtomicUsize,
    pub(crate) chunk_size: AtomicU64,
    pub(crate) lfs_threshold: AtomicU64,
    pub(crate) url_ttl_secs: AtomicU64,
    /// LFS uploads are stored after a size check only; `/_testhub/check-lfs` hashes them.
    pub(crate) defer_upload_check: bool,
}

/// State shared by every handler.
pub(crate) struct Shared {
    state: Mutex<HubState>,
    pub(crate) objects: Objects,
    state_path: PathBuf,
    pub(crate) faults: Mutex<Vec<FaultRule>>,
    pub(crate) log: Mutex<std::collections::VecDeque<LoggedRequest>>,
    pub(crate) log_capacity: usize,
    pub(crate) cfg: Config,
    secret: [u8; 32],
    pub(crate) main_addr: SocketAddr,
    pub(crate) cdn_addr: SocketAddr,
    /// `http` or `https` (with [`TestHubBuilder::tls`]).
    pub(crate) scheme: &'static str,
    /// Multipart objects being hashed while their parts arrive, by oid.
    pub(crate) assemblies: Mutex<std::collections::HashMap<String, routes::cdn::Assembly>>,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("main_addr", &self.main_addr)
            .field("cdn_addr", &self.cdn_addr)
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, HubState> {
        // A handler that panicked leaves consistent data (mutations are applied last).
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Saves the state after a mutation.
    pub(crate) fn persist(&self, st: &HubState) -> std::io::Result<()> {
        st.save(&self.state_path)
    }

    /// Page size for a listing whose Hub default is `default`.
    pub(crate) fn page_size(&self, default: usize) -> usize {
        match self.cfg.page_size.load(Ordering::Relaxed) {
            0 => default,
            n => n,
        }
    }

    fn mac(&self, text: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("any key length");
        mac.update(text.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// A signed CDN URL for `path` with extra query pairs; expires after the configured TTL.
    pub(crate) fn signed_cdn_url(&self, path: &str, extra: &[(&str, String)]) -> String {
        let exp = jiff::Timestamp::now().as_second()
            + self.cfg.url_ttl_secs.load(Ordering::Relaxed) as i64;
        let mut pairs: Vec<(&str, String)> = extra.to_vec();
        pairs.push(("exp", exp.to_string()));
        let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        let sig = self.mac(&format!("{path}?{qs}"));
        format!("{}://{}{path}?{qs}&sig={sig}", self.scheme, self.cdn_addr)
    }

    /// Checks a CDN request's signature and expiry.
    ///
    /// The signature covers the path and the decoded query pairs re-encoded canonically, so
    /// clients that normalise percent-encoding (as `requests` does for `~`) still match.
    pub(crate) fn verify_signed(&self, path: &str, raw_query: &str) -> Result<(), &'static str> {
        let mut pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(raw_query).map_err(|_| "malformed query")?;
        let Some(pos) = pairs.iter().rposition(|(k, _)| k == "sig") else {
            return Err("missing signature");
        };
        let (_, sig) = pairs.remove(pos);
        let canonical = serde_urlencoded::to_string(&pairs).map_err(|_| "malformed query")?;
        // Constant-time comparison is not a concern for a test server.
        if self.mac(&format!("{path}?{canonical}")) != sig {
            return Err("signature does not match");
        }
        let exp: i64 = pairs
            .iter()
            .find(|(k, _)| k == "exp")
            .and_then(|(_, v)| v.parse().ok())
            .ok_or("missing expiry")?;
        if jiff::Timestamp::now().as_second() >= exp {
            return Err("URL expired");
        }
        Ok(())
    }
}

/// Builder of a [`TestHub`].
#[derive(Debug, Default, Clone)]
pub struct TestHubBuilder {
    users: Vec<(String, Option<String>)>,
    page_size: Option<usize>,
    chunk_size: Option<u64>,
    lfs_threshold: Option<u64>,
    url_ttl: Option<Duration>,
    data_dir: Option<PathBuf>,
    log_capacity: Option<usize>,
    port: Option<u16>,
    cdn_port: Option<u16>,
    defer_upload_check: bool,
    tls: Option<TlsIdentity>,
}

impl TestHubBuilder {
    /// Serves HTTPS on both listeners with this identity (default: plain HTTP), as the
    /// Hub and its CDN do; clients must trust its CA ([`TlsIdentity::test`] has one).
    /// Both HTTP/2 and HTTP/1.1 are offered.
    pub fn tls(mut self, identity: TlsIdentity) -> Self {
        self.tls = Some(identity);
        self
    }

    /// Creates user `name` (when absent) with a write token `token`.
    pub fn user(mut self, name: &str, token: &str) -> Self {
        self.users.push((name.to_owned(), Some(token.to_owned())));
        self
    }

    /// Page size of every paginated listing (default: the Hub's, 1000 for trees and
    /// repo listings, 50 for commits and expanded trees).
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = Some(n.max(1));
        self
    }

    /// Part size of multipart LFS uploads; objects larger than this use multipart
    /// (default 10 MiB).
    pub fn multipart_chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = Some(bytes.max(1));
        self
    }

    /// Size from which preupload answers `lfs` for files no `.gitattributes` rule
    /// tracks (default 10 MiB).
    pub fn lfs_threshold(mut self, bytes: u64) -> Self {
        self.lfs_threshold = Some(bytes);
        self
    }

    /// Stores LFS uploads once their size and parts check out, and leaves the sha256 check
    /// to a later `POST /_testhub/check-lfs` (default: uploads whose content does not hash
    /// to their oid are refused at once).
    ///
    /// The storage behind the Hub's pre-signed URLs (S3) keeps the bytes without checking
    /// them against the oid, on machines of its own. Benchmarks use this
    /// so that the emulator's own check (a second of CPU per 2 GiB) neither shares the
    /// client's cores nor counts in its time, and run the check after each timed run.
    pub fn defer_upload_check(mut self, defer: bool) -> Self {
        self.defer_upload_check = defer;
        self
    }

    /// Lifetime of signed CDN URLs (default one hour; zero makes them expire at once).
    pub fn signed_url_ttl(mut self, ttl: Duration) -> Self {
        self.url_ttl = Some(ttl);
        self
    }

    /// Keeps state in `dir` (created if needed) instead of a temp dir; reloads what is there.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// How many requests the log keeps; older ones are dropped (default 100 000).
    pub fn request_log_capacity(mut self, n: usize) -> Self {
        self.log_capacity = Some(n);
        self
    }

    /// Port of the main listener (default: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Port of the CDN listener (default: any free port).
    pub fn cdn_port(mut self, port: u16) -> Self {
        self.cdn_port = Some(port);
        self
    }

    /// Binds both listeners on 127.0.0.1 and starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<TestHub, Error> {
        let (tmp, dir) = if let Some(d) = &self.data_dir {
            (None, d.clone())
        } else {
            let t = tempfile::Builder::new()
                .prefix("hf-testhub-")
                .tempdir()
                .map_err(io_err("could not create a temp data dir"))?;
            let p = t.path().to_path_buf();
            (Some(t), p)
        };
        std::fs::create_dir_all(&dir).map_err(io_err(format!(
            "could not create data dir {}",
            dir.display()
        )))?;
        let objects = Objects::new(&dir).map_err(io_err(format!(
            "could not create {}/objects",
            dir.display()
        )))?;
        let state_path = dir.join("state.json");
        let mut st = HubState::load(&state_path)
            .map_err(io_err(format!("could not load {}", state_path.display())))?;
        for (name, token) in &self.users {
            st.add_account(name, false, &[]);
            if let Some(token) = token
                && !st.tokens.contains_key(token)
            {
                st.tokens.insert(
                    token.clone(),
                    state::TokenRec {
                        user: name.clone(),
                        role: Role::Write,
                        display_name: format!("{name}-write"),
                        created_at: state::now().0,
                    },
                );
            }
        }
        st.save(&state_path)
            .map_err(io_err(format!("could not write {}", state_path.display())))?;

        let main = tokio::net::TcpListener::bind(("127.0.0.1", self.port.unwrap_or(0)))
            .await
            .map_err(io_err("could not bind the main listener"))?;
        let cdn = tokio::net::TcpListener::bind(("127.0.0.1", self.cdn_port.unwrap_or(0)))
            .await
            .map_err(io_err("could not bind the CDN listener"))?;
        let main_addr = main.local_addr().map_err(io_err("main listener address"))?;
        let cdn_addr = cdn.local_addr().map_err(io_err("CDN listener address"))?;
        let mut secret = [0u8; 32];
        rand::Rng::fill(&mut rand::rng(), &mut secret[..]);
        let mib10 = 10 * 1024 * 1024;
        let shared = Arc::new(Shared {
            state: Mutex::new(st),
            objects,
            state_path,
            faults: Mutex::new(Vec::new()),
            log: Mutex::new(std::collections::VecDeque::new()),
            log_capacity: self.log_capacity.unwrap_or(100_000).max(1),
            cfg: Config {
                page_size: AtomicUsize::new(self.page_size.unwrap_or(0)),
                chunk_size: AtomicU64::new(self.chunk_size.unwrap_or(mib10)),
                lfs_threshold: AtomicU64::new(self.lfs_threshold.unwrap_or(mib10)),
                url_ttl_secs: AtomicU64::new(self.url_ttl.map_or(3600, |d| d.as_secs())),
                defer_upload_check: self.defer_upload_check,
            },
            secret,
            main_addr,
            cdn_addr,
            scheme: if self.tls.is_some() { "https" } else { "http" },
            assemblies: Mutex::new(std::collections::HashMap::new()),
        });
        let main_app = Router::new()
            .fallback(routes::main_dispatch)
            .with_state(shared.clone())
            .layer(middleware::from_fn_with_state(
                (shared.clone(), Listener::Main),
                routes::observe,
            ));
        let cdn_app = Router::new()
            .fallback(routes::cdn_dispatch)
            .with_state(shared.clone())
            .layer(middleware::from_fn_with_state(
                (shared.clone(), Listener::Cdn),
                routes::observe,
            ));
        let tasks = match &self.tls {
            None => vec![serve_plain(main, main_app), serve_plain(cdn, cdn_app)],
            Some(identity) => {
                let acceptor = identity
                    .acceptor()
                    .map_err(io_err("could not set up TLS"))?;
                let main = tls::TlsListener {
                    tcp: main,
                    acceptor: acceptor.clone(),
                };
                let cdn = tls::TlsListener { tcp: cdn, acceptor };
                vec![serve_tls(main, main_app), serve_tls(cdn, cdn_app)]
            }
        };
        Ok(TestHub {
            shared,
            tasks,
            _tmp: tmp,
            dir,
        })
    }

    /// Starts the hub on its own thread and runtime; the handle shuts it down on drop.
    pub fn start_blocking(self) -> Result<BlockingTestHub, Error> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hf-testhub")
            .enable_all()
            .build()
            .map_err(io_err("could not build a tokio runtime"))?;
        let hub = rt.block_on(self.start())?;
        Ok(BlockingTestHub {
            hub: Some(hub),
            rt: Some(rt),
        })
    }
}

/// A running emulator. Dropping it stops both listeners (and removes its temp data dir).
#[derive(Debug)]
pub struct TestHub {
    shared: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    _tmp: Option<tempfile::TempDir>,
    dir: PathBuf,
}

impl Drop for TestHub {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Serves `app` on a plain TCP listener.
fn serve_plain(listener: tokio::net::TcpListener, app: Router) -> tokio::task::JoinHandle<()> {
    // No Nagle delay between response headers and a streamed body.
    let listener = listener.tap_io(|tcp: &mut tokio::net::TcpStream| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, app).await;
    })
}

/// Serves `app` over TLS.
fn serve_tls(listener: tls::TlsListener, app: Router) -> tokio::task::JoinHandle<()> {
    // `tap_io` only to have the remote address as connect info.
    let listener = listener.tap_io(|_| {});
    tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, app).await;
    })
}

impl TestHub {
    /// A builder with default settings and no users.
    pub fn builder() -> TestHubBuilder {
        TestHubBuilder::default()
    }

    /// Base URL of the Hub, e.g. `http://127.0.0.1:41234` (use as `HF_ENDPOINT`);
    /// `https://` with [`TestHubBuilder::tls`].
    pub fn url(&self) -> String {
        format!("{}://{}", self.shared.scheme, self.shared.main_addr)
    }

    /// Base URL of the CDN listener.
    pub fn cdn_url(&self) -> String {
        format!("{}://{}", self.shared.scheme, self.shared.cdn_addr)
    }

    /// Address of the main listener.
    pub fn addr(&self) -> SocketAddr {
        self.shared.main_addr
    }

    /// Address of the CDN listener.
    pub fn cdn_addr(&self) -> SocketAddr {
        self.shared.cdn_addr
    }

    /// The data directory (`state.json`, `objects/`).
    pub fn data_dir(&self) -> &Path {
        &self.dir
    }

    fn mutate<T>(&self, f: impl FnOnce(&mut HubState) -> Result<T, Error>) -> Result<T, Error> {
        let mut st = self.shared.state();
        let out = f(&mut st)?;
        self.shared
            .persist(&st)
            .map_err(io_err("could not save state.json"))?;
        Ok(out)
    }

    /// Adds a user (no-op when it exists).
    pub fn add_user(&self, name: &str) {
        let _ = self.mutate(|st| {
            st.add_account(name, false, &[]);
            Ok(())
        });
    }

    /// Adds an organization with members (members are added when it exists).
    pub fn add_org(&self, name: &str, members: &[&str]) {
        let _ = self.mutate(|st| {
            st.add_account(name, true, members);
            Ok(())
        });
    }

    /// Adds (or replaces) a token for an existing user.
    pub fn add_token(&self, user: &str, token: &str, role: Role) -> Result<(), Error> {
        self.mutate(|st| {
            if st.accounts.get(user).is_none_or(|a| a.is_org) {
                return Err(Error::NotFound(format!(
                    "no user {user}; call add_user first"
                )));
            }
            let display_name = format!("{user}-token-{}", st.tokens.len() + 1);
            st.tokens.insert(
                token.to_owned(),
                state::TokenRec {
                    user: user.to_owned(),
                    role,
                    display_name,
                    created_at: state::now().0,
                },
            );
            Ok(())
        })
    }

    /// Creates a repo (with the Hub's initial commit) owned by its namespace; returns the
    /// initial commit id. The namespace becomes a user if it is not an account yet.
    pub fn create_repo(
        &self,
        repo_type: RepoType,
        repo_id: &str,
        private: bool,
    ) -> Result<String, Error> {
        let objects = self.shared.objects.clone();
        self.mutate(|st| {
            if st.repos.contains_key(&state::repo_key(repo_type, repo_id)) {
                return Err(Error::Conflict(format!(
                    "{} {repo_id} already exists",
                    repo_type.as_str()
                )));
            }
            let ns = repo_id
                .split_once('/')
                .map_or(repo_id, |(ns, _)| ns)
                .to_owned();
            if !st.accounts.contains_key(&ns) {
                st.add_account(&ns, false, &[]);
            }
            let sdk = (repo_type == RepoType::Space).then(|| "static".to_owned());
            let repo = st
                .create_repo(&objects, repo_type, repo_id, private, &ns, sdk)
                .map_err(io_err("could not store the initial commit"))?;
            Ok(repo.branches["main"].clone())
        })
    }

    fn with_repo<T>(
        &self,
        repo_type: RepoType,
        repo_id: &str,
        f: impl FnOnce(&mut state::Repo) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.mutate(|st| {
            let repo = st
                .repos
                .get_mut(&state::repo_key(repo_type, repo_id))
                .ok_or_else(|| Error::NotFound(format!("no {} {repo_id}", repo_type.as_str())))?;
            f(repo)
        })
    }

    /// Commits one file on `branch` (LFS when `.gitattributes` tracks it or it is at least
    /// the LFS threshold); returns the new commit id.
    pub fn upload_file(
        &self,
        repo_type: RepoType,
        repo_id: &str,
        branch: &str,
        path: &str,
        content: &[u8],
    ) -> Result<String, Error> {
        self.upload_files(repo_type, repo_id, branch, &[(path, content)])
    }

    /// Commits several files on `branch` in one commit (each LFS as in
    /// [`upload_file`](Self::upload_file)); returns the new commit id. Much faster than
    /// a commit per file for thousands of files.
    pub fn upload_files(
        &self,
        repo_type: RepoType,
        repo_id: &str,
        branch: &str,
        uploads: &[(&str, &[u8])],
    ) -> Result<String, Error> {
        let objects = self.shared.objects.clone();
        let threshold = self.shared.cfg.lfs_threshold.load(Ordering::Relaxed);
        self.with_repo(repo_type, repo_id, |repo| {
            let head = repo
                .branches
                .get(branch)
                .cloned()
                .ok_or_else(|| Error::NotFound(format!("no branch {branch} in {repo_id}")))?;
            let mut files = repo.commits[&head].files.clone();
            let rules = routes::lfs_rules(&objects, &files);
            for (path, content) in uploads {
                let rec = if !content.is_empty()
                    && (rules.is_lfs(path) || content.len() as u64 >= threshold)
                {
                    objects
                        .put_lfs(content)
                        .map_err(io_err("could not store the LFS object"))?
                } else {
                    objects
                        .put_blob(content)
                        .map_err(io_err("could not store the blob"))?
                };
                files.insert((*path).to_owned(), rec);
            }
            let message = match uploads {
                [(path, _)] => format!("Upload {path}"),
                _ => format!("Upload {} files", uploads.len()),
            };
            let id = state::new_commit(
                repo,
                vec![head],
                repo.namespace().to_owned().as_str(),
                &message,
                "",
                files,
            );
            repo.branches.insert(branch.to_owned(), id.clone());
            Ok(id)
        })
    }

    /// Sets a repo's gating mode.
    pub fn set_gated(&self, repo_type: RepoType, repo_id: &str, gated: Gated) -> Result<(), Error> {
        self.with_repo(repo_type, repo_id, |r| {
            r.gated = gated;
            Ok(())
        })
    }

    /// Makes a repo private or public.
    pub fn set_private(
        &self,
        repo_type: RepoType,
        repo_id: &str,
        private: bool,
    ) -> Result<(), Error> {
        self.with_repo(repo_type, repo_id, |r| {
            r.private = private;
            Ok(())
        })
    }

    /// Accepts `user`'s access request to a gated repo.
    pub fn grant_access(
        &self,
        repo_type: RepoType,
        repo_id: &str,
        user: &str,
    ) -> Result<(), Error> {
        self.with_repo(repo_type, repo_id, |r| {
            r.set_access(user, "accepted");
            Ok(())
        })
    }

    /// Files `user`'s access request to a gated repo: accepted at once for `auto` gating,
    /// pending for `manual` (then use [`TestHub::grant_access`] or the access-request API).
    pub fn request_access(
        &self,
        repo_type: RepoType,
        repo_id: &str,
        user: &str,
    ) -> Result<(), Error> {
        self.with_repo(repo_type, repo_id, |r| {
            let status = if r.gated == Gated::Auto {
                "accepted"
            } else {
                "pending"
            };
            r.set_access(user, status);
            Ok(())
        })
    }

    /// Adds (or replaces) a paper served by `/api/papers/{id}`, `/api/papers/search` and
    /// `/api/daily_papers`.
    pub fn add_paper(&self, id: &str, title: &str, summary: &str, authors: &[&str]) {
        let _ = self.mutate(|st| {
            let date = state::now().0;
            let authors: Vec<serde_json::Value> = authors
                .iter()
                .map(|a| serde_json::json!({"name": a, "hidden": false}))
                .collect();
            st.papers.insert(
                id.to_owned(),
                serde_json::json!({
                    "id": id,
                    "title": title,
                    "summary": summary,
                    "authors": authors,
                    "publishedAt": date,
                    "submittedOnDailyAt": date,
                    "upvotes": 0,
                    "numComments": 0,
                    "discussionId": state::object_id(&format!("paper:{id}")),
                }),
            );
            Ok(())
        });
    }

    /// Sets the tags a repo reports (and that `filter=` listings match).
    pub fn set_repo_tags(
        &self,
        repo_type: RepoType,
        repo_id: &str,
        tags: &[&str],
    ) -> Result<(), Error> {
        self.with_repo(repo_type, repo_id, |r| {
            r.tags = tags.iter().map(|t| (*t).to_owned()).collect();
            Ok(())
        })
    }

    /// Points `refs/convert/{name}` at a revision of the repo.
    pub fn set_convert_ref(
        &self,
        repo_type: RepoType,
        repo_id: &str,
        name: &str,
        revision: &str,
    ) -> Result<(), Error> {
        self.with_repo(repo_type, repo_id, |r| {
            let c = r
                .resolve_id(revision)
                .ok_or_else(|| Error::NotFound(format!("no revision {revision} in {repo_id}")))?;
            r.converts.insert(name.to_owned(), c);
            Ok(())
        })
    }

    /// Changes the page size of every paginated listing (0 restores the Hub's defaults).
    pub fn set_page_size(&self, n: usize) {
        self.shared.cfg.page_size.store(n, Ordering::Relaxed);
    }

    /// The requests seen so far on both listeners, oldest first (at most the log capacity).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared
            .log
            .lock()
            .expect("log lock")
            .iter()
            .cloned()
            .collect()
    }

    /// Forgets the logged requests.
    pub fn clear_requests(&self) {
        self.shared.log.lock().expect("log lock").clear();
    }

    /// Adds a fault rule. Every rule that matches a request applies (and uses one of its
    /// `times`); when several fail it, the earliest added rule's status wins.
    pub fn fault(&self, rule: FaultRule) {
        self.shared.faults.lock().expect("faults lock").push(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults.lock().expect("faults lock").clear();
    }
}

/// A [`TestHub`] running on its own runtime, for synchronous callers; derefs to the hub.
#[derive(Debug)]
pub struct BlockingTestHub {
    hub: Option<TestHub>,
    rt: Option<tokio::runtime::Runtime>,
}

impl std::ops::Deref for BlockingTestHub {
    type Target = TestHub;
    fn deref(&self) -> &TestHub {
        self.hub.as_ref().expect("present until drop")
    }
}

impl Drop for BlockingTestHub {
    fn drop(&mut self) {
        drop(self.hub.take());
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}
