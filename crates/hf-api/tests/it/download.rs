//! Downloads against the in-process Hub emulator (`hf-testhub`): revisions, repo types,
//! cache reuse, `local_dir`, offline mode, `.no_exist`, typed errors, faults, parallel
//! ranges, concurrency and snapshots.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hf_api::config::Environment;
use hf_api::download::ParallelConfig;
use hf_api::http::retry::Jitter;
use hf_api::http::{RetryConfig, Token};
use hf_api::progress::{Progress, ProgressEvent};
use hf_api::types::RepoType;
use hf_api::{Error, HfApi, HfApiBuilder};
use hf_testhub::{FaultRule, Gated, Listener, LoggedRequest, TestHub};

pub(crate) const OWNER_TOKEN: &str = "hf_alice_write";

/// Deterministic bytes that differ at every offset (so misplaced ranges are caught).
pub(crate) fn content(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..len)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) as u8
        })
        .collect()
}

pub(crate) fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(data))
}

/// A hub with `alice/m`: `config.json` (regular), `sub/w.bin` (LFS, 300 KiB) and
/// `big.bin` (LFS, 3 MiB); LFS from 1 KiB on.
pub(crate) struct Fx {
    pub(crate) hub: TestHub,
    pub(crate) cache: tempfile::TempDir,
    pub(crate) commit: String,
    pub(crate) config: Vec<u8>,
    pub(crate) weights: Vec<u8>,
    pub(crate) big: Vec<u8>,
}

pub(crate) async fn fixture() -> Fx {
    fixture_on(TestHub::builder()).await
}

/// [`fixture`] served over HTTPS (the emulator's test certificate).
pub(crate) async fn tls_fixture() -> Fx {
    fixture_on(TestHub::builder().tls(hf_testhub::TlsIdentity::test())).await
}

async fn fixture_on(builder: hf_testhub::TestHubBuilder) -> Fx {
    let hub = builder
        .user("alice", OWNER_TOKEN)
        .lfs_threshold(1024)
        .start()
        .await
        .unwrap();
    hub.create_repo(hf_testhub::RepoType::Model, "alice/m", false)
        .unwrap();
    let config = br#"{"model_type": "tiny"}"#.to_vec();
    let weights = content(1, 300 * 1024);
    let big = content(2, 3 << 20);
    let m = hf_testhub::RepoType::Model;
    hub.upload_file(m, "alice/m", "main", "config.json", &config)
        .unwrap();
    hub.upload_file(m, "alice/m", "main", "sub/w.bin", &weights)
        .unwrap();
    let commit = hub
        .upload_file(m, "alice/m", "main", "big.bin", &big)
        .unwrap();
    Fx {
        hub,
        cache: tempfile::tempdir().unwrap(),
        commit,
        config,
        weights,
        big,
    }
}

pub(crate) fn fast_retry() -> RetryConfig {
    RetryConfig::default()
        .backoff(Duration::from_millis(5), Duration::from_millis(20))
        .jitter(Jitter::None)
}

pub(crate) fn client(hub_url: &str, cache: &Path) -> HfApi {
    HfApiBuilder::new()
        .endpoint(hub_url)
        .cache_dir(cache)
        .retry(fast_retry())
        .build()
        .unwrap()
}

impl Fx {
    pub(crate) fn api(&self) -> HfApi {
        client(&self.hub.url(), self.cache.path())
    }

    pub(crate) fn repo_dir(&self) -> PathBuf {
        self.cache.path().join("models--alice--m")
    }

    fn count(&self, pred: impl Fn(&LoggedRequest) -> bool) -> usize {
        self.hub.requests().iter().filter(|r| pred(r)).count()
    }
}

fn is_head(r: &LoggedRequest) -> bool {
    r.method == http::Method::HEAD
}

fn is_get_file(r: &LoggedRequest) -> bool {
    r.method == http::Method::GET && (r.listener == Listener::Cdn || r.path().contains("/resolve/"))
}

/// A fault rule for the LFS bodies the CDN serves.
fn cdn_lfs() -> FaultRule {
    FaultRule::any_method("/lfs/").on(Listener::Cdn)
}

/// Paces every LFS body the CDN serves at `bytes_per_sec`.
pub(crate) fn pace_cdn(hub: &TestHub, bytes_per_sec: u64) {
    hub.fault(cdn_lfs().throttle(bytes_per_sec));
}

/// The first byte of a `bytes={start}-{end}` header.
pub(crate) fn range_start(range: &str) -> u64 {
    range["bytes=".len()..]
        .split('-')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The `Range` header of every request the CDN listener got, in order (`None`
/// without one).
pub(crate) fn cdn_range_headers(hub: &TestHub) -> Vec<Option<String>> {
    hub.requests()
        .iter()
        .filter(|r| r.listener == Listener::Cdn)
        .map(|r| r.header("range").map(str::to_owned))
        .collect()
}

/// Where the ranges the CDN listener was asked for start, in request order.
pub(crate) fn cdn_range_starts(hub: &TestHub) -> Vec<u64> {
    cdn_range_headers(hub)
        .iter()
        .flatten()
        .map(|r| range_start(r))
        .collect()
}

/// The `Range` headers of the requests the CDN listener got, in order.
fn cdn_ranges(fx: &Fx) -> Vec<String> {
    cdn_range_headers(&fx.hub).into_iter().flatten().collect()
}

fn small_chunks() -> ParallelConfig {
    ParallelConfig::default()
        .with_connections(4)
        .with_chunk_size(256 * 1024)
        .with_threshold(1 << 20)
}

fn blobs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("blobs"))
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn by_branch_tag_and_commit() {
    let fx = fixture().await;
    let api = fx.api();
    let p = api.hf_hub_download("alice/m", "config.json").await.unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), fx.config);
    assert_eq!(
        p,
        fx.repo_dir()
            .join("snapshots")
            .join(&fx.commit)
            .join("config.json")
    );
    assert!(
        std::fs::symlink_metadata(&p)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(fx.repo_dir().join("refs/main")).unwrap(),
        fx.commit
    );

    // A tag: refs/{tag} is written too.
    let owner = HfApiBuilder::new()
        .endpoint(fx.hub.url())
        .token(Token::new(OWNER_TOKEN).unwrap())
        .build()
        .unwrap();
    let req = http::Request::post(owner.http().url("/api/models/alice/m/tag/main").unwrap())
        .header("content-type", "application/json")
        .body(hf_api::http::HfBody::full(r#"{"tag": "v1"}"#))
        .unwrap();
    owner.http().send(req).await.unwrap();
    let p = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .revision("v1")
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), fx.weights);
    assert_eq!(
        std::fs::read_to_string(fx.repo_dir().join("refs/v1")).unwrap(),
        fx.commit
    );
    // The LFS blob is named by its sha256.
    assert!(blobs(&fx.repo_dir()).contains(&sha256_hex(&fx.weights)));

    // A cached commit needs no request at all.
    fx.hub.clear_requests();
    let again = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .revision(&fx.commit)
        .await
        .unwrap();
    assert_eq!(again, p);
    assert!(fx.hub.requests().is_empty(), "{:?}", fx.hub.requests());

    // A branch costs one HEAD and no body.
    let _ = api.hf_hub_download("alice/m", "sub/w.bin").await.unwrap();
    assert_eq!(fx.count(is_head), 1);
    assert_eq!(fx.count(is_get_file), 0);
}

#[tokio::test]
async fn subfolder_dataset_and_space() {
    let fx = fixture().await;
    let api = fx.api();
    let p = api
        .hf_hub_download("alice/m", "w.bin")
        .subfolder("sub")
        .await
        .unwrap();
    assert!(p.ends_with("sub/w.bin"));
    assert_eq!(std::fs::read(&p).unwrap(), fx.weights);

    for (t, tt, folder) in [
        (
            hf_testhub::RepoType::Dataset,
            RepoType::Dataset,
            "datasets--alice--d",
        ),
        (
            hf_testhub::RepoType::Space,
            RepoType::Space,
            "spaces--alice--d",
        ),
    ] {
        fx.hub.create_repo(t, "alice/d", false).unwrap();
        let data = content(9, 5000);
        fx.hub
            .upload_file(t, "alice/d", "main", "data/x.bin", &data)
            .unwrap();
        let p = api
            .hf_hub_download("alice/d", "data/x.bin")
            .repo_type(tt)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), data);
        assert!(
            p.starts_with(fx.cache.path().join(folder)),
            "{}",
            p.display()
        );
    }
    assert_eq!(
        api.hf_hub_url("alice/d", "x y+z.txt")
            .repo_type(RepoType::Dataset)
            .revision("refs/pr/1")
            .to_url()
            .unwrap(),
        format!(
            "{}/datasets/alice/d/resolve/refs%2Fpr%2F1/x%20y%2Bz.txt",
            fx.hub.url()
        )
    );
}

#[tokio::test]
async fn metadata_of_regular_and_lfs_files() {
    let fx = fixture().await;
    let api = fx.api();
    let m = api
        .get_hf_file_metadata("alice/m", "big.bin")
        .await
        .unwrap();
    assert_eq!(m.etag.as_str(), sha256_hex(&fx.big));
    assert_eq!(m.size, fx.big.len() as u64);
    assert_eq!(m.commit_hash.as_str(), fx.commit);
    assert!(m.location.starts_with(&fx.hub.cdn_url()), "{}", m.location);
    let m = api
        .get_hf_file_metadata("alice/m", "config.json")
        .await
        .unwrap();
    assert_eq!(m.etag.as_str().len(), 40);
    assert_eq!(m.size, fx.config.len() as u64);
}

#[tokio::test]
async fn force_download_fetches_again() {
    let fx = fixture().await;
    let api = fx.api();
    api.hf_hub_download("alice/m", "sub/w.bin").await.unwrap();
    fx.hub.clear_requests();
    let p = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .force_download(true)
        .await
        .unwrap();
    assert_eq!(std::fs::read(p).unwrap(), fx.weights);
    assert_eq!(fx.count(is_get_file), 1);
    assert_eq!(
        blobs(&fx.repo_dir()).len(),
        1,
        "{:?}",
        blobs(&fx.repo_dir())
    );
}

#[tokio::test]
async fn local_dir_writes_files_and_metadata() {
    let fx = fixture().await;
    let api = fx.api();
    let local = tempfile::tempdir().unwrap();
    let p = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .local_dir(local.path())
        .await
        .unwrap();
    assert_eq!(p, local.path().join("sub/w.bin"));
    assert!(
        !std::fs::symlink_metadata(&p)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&p).unwrap(), fx.weights);
    let meta = std::fs::read_to_string(
        local
            .path()
            .join(".cache/huggingface/download/sub/w.bin.metadata"),
    )
    .unwrap();
    let lines: Vec<&str> = meta.lines().collect();
    assert_eq!(lines[0], fx.commit);
    assert_eq!(lines[1], sha256_hex(&fx.weights));
    assert_eq!(
        std::fs::read_to_string(local.path().join(".cache/huggingface/.gitignore")).unwrap(),
        "*"
    );
    // At the commit: no network.
    fx.hub.clear_requests();
    let again = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .local_dir(local.path())
        .revision(&fx.commit)
        .await
        .unwrap();
    assert_eq!(again, p);
    assert!(fx.hub.requests().is_empty());
    // From a branch: one HEAD, no body.
    api.hf_hub_download("alice/m", "sub/w.bin")
        .local_dir(local.path())
        .await
        .unwrap();
    assert_eq!(fx.count(is_get_file), 0);
    // A file already in the cache is copied, not downloaded.
    api.hf_hub_download("alice/m", "config.json").await.unwrap();
    fx.hub.clear_requests();
    let copied = api
        .hf_hub_download("alice/m", "config.json")
        .local_dir(local.path())
        .await
        .unwrap();
    assert_eq!(std::fs::read(copied).unwrap(), fx.config);
    assert_eq!(fx.count(is_get_file), 0);
}

#[tokio::test]
async fn offline_uses_the_cache() {
    let fx = fixture().await;
    let api = fx.api();
    api.hf_hub_download("alice/m", "config.json").await.unwrap();
    fx.hub.clear_requests();
    // A commit hash, and a branch whose ref is cached.
    for rev in [fx.commit.as_str(), "main"] {
        let p = api
            .hf_hub_download("alice/m", "config.json")
            .revision(rev)
            .offline(true)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), fx.config);
        let p = api
            .hf_hub_download("alice/m", "config.json")
            .revision(rev)
            .local_files_only(true)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), fx.config);
    }
    assert!(fx.hub.requests().is_empty());

    // Nothing cached: typed errors that say what to do.
    let err = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .offline(true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OfflineMode { .. }), "{err:?}");
    assert!(err.to_string().contains("HF_HUB_OFFLINE"), "{err}");
    let err = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .local_files_only(true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LocalEntryNotFound { .. }), "{err:?}");
    assert!(err.is_not_found());
    let err = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .local_files_only(true)
        .force_download(true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    assert!(fx.hub.requests().is_empty());

    // The Hub is unreachable: the cached branch still answers.
    let dead = client("http://127.0.0.1:9", fx.cache.path());
    let p = dead
        .hf_hub_download("alice/m", "config.json")
        .await
        .unwrap();
    assert_eq!(std::fs::read(p).unwrap(), fx.config);
    let err = dead
        .hf_hub_download("alice/m", "sub/w.bin")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::LocalEntryNotFound {
                source: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn missing_files_are_recorded_in_no_exist() {
    let fx = fixture().await;
    let api = fx.api();
    let err = api
        .hf_hub_download("alice/m", "nope.json")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EntryNotFound(_)), "{err:?}");
    let marker = fx
        .repo_dir()
        .join(".no_exist")
        .join(&fx.commit)
        .join("nope.json");
    assert!(marker.is_file());
    let cache = hf_cache::HfCache::new(fx.cache.path());
    assert_eq!(
        cache.try_to_load_from_cache(
            hf_api::types::RepoType::Model,
            &hf_api::types::RepoId::new("alice/m").unwrap(),
            &hf_api::types::RepoPath::new("nope.json").unwrap(),
            None
        ),
        hf_cache::CachedFile::NonExistent
    );
    // By commit too.
    let err = api
        .hf_hub_download("alice/m", "sub/nope.bin")
        .revision(&fx.commit)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EntryNotFound(_)), "{err:?}");
    assert!(
        fx.repo_dir()
            .join(".no_exist")
            .join(&fx.commit)
            .join("sub/nope.bin")
            .is_file()
    );
}

#[tokio::test]
async fn missing_repo_revision_and_gated_are_typed() {
    let fx = fixture().await;
    let api = fx.api();
    let err = api.hf_hub_download("alice/none", "x").await.unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
    let err = api
        .hf_hub_download("alice/m", "config.json")
        .revision("nobranch")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    let err = api
        .snapshot_download("alice/m")
        .revision("nobranch")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    fx.hub
        .set_gated(hf_testhub::RepoType::Model, "alice/m", Gated::Manual)
        .unwrap();
    fx.hub.add_user("bob");
    fx.hub
        .add_token("bob", "hf_bob", hf_testhub::Role::Read)
        .unwrap();
    let err = api
        .hf_hub_download("alice/m", "config.json")
        .token(Token::new("hf_bob").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::GatedRepo(_)), "{err:?}");
    // Nothing partial was left behind.
    assert!(!fx.repo_dir().join("blobs").exists() || blobs(&fx.repo_dir()).is_empty());
}

#[tokio::test]
async fn retries_5xx_bursts_and_429() {
    let fx = fixture().await;
    let api = fx.api();
    fx.hub
        .fault(FaultRule::new(http::Method::HEAD, "/alice/m/resolve/").fail_times(2, 503));
    fx.hub.fault(cdn_lfs().fail_times(1, 429).retry_after(1));
    let p = api.hf_hub_download("alice/m", "sub/w.bin").await.unwrap();
    assert_eq!(std::fs::read(p).unwrap(), fx.weights);
    let cdn: Vec<u16> = fx
        .hub
        .requests()
        .iter()
        .filter(|r| r.listener == Listener::Cdn)
        .map(|r| r.status.as_u16())
        .collect();
    assert_eq!(cdn, [429, 200]);
    assert_eq!(fx.count(is_head), 3);
}

#[tokio::test]
async fn dropped_body_resumes_from_where_it_stopped() {
    let fx = fixture().await;
    let api = fx.api();
    fx.hub.fault(cdn_lfs().times(1).drop_after(100_000));
    let p = api.hf_hub_download("alice/m", "sub/w.bin").await.unwrap();
    assert_eq!(std::fs::read(p).unwrap(), fx.weights);
    let ranges = cdn_range_headers(&fx.hub);
    assert_eq!(ranges.len(), 2, "{ranges:?}");
    assert_eq!(ranges[0], None);
    // The resume starts exactly where the body stopped (all of it reached the disk).
    let resumed_at: u64 = ranges[1]
        .as_deref()
        .unwrap()
        .strip_prefix("bytes=")
        .unwrap()
        .trim_end_matches('-')
        .parse()
        .unwrap();
    assert_eq!(resumed_at, 100_000);
}

/// A client of `fx`'s hub configured from these environment variables.
fn client_with_env(fx: &Fx, vars: &[(&str, &str)]) -> HfApi {
    let mut pairs = vec![("HF_ENDPOINT", fx.hub.url())];
    pairs.extend(vars.iter().map(|(k, v)| (*k, (*v).to_owned())));
    HfApiBuilder::with_environment(Environment::from_pairs(pairs))
        .no_token()
        .cache_dir(fx.cache.path())
        .retry(fast_retry())
        .build()
        .unwrap()
}

#[tokio::test]
async fn stalled_body_resumes_after_hf_hub_download_timeout() {
    let fx = fixture().await;
    // The body stops after 100 000 bytes and the connection stays open: only the
    // download timeout (0.2 s here, from the environment) gets the file going again.
    let api = client_with_env(&fx, &[("HF_HUB_DOWNLOAD_TIMEOUT", "0.2")]);
    assert_eq!(api.download_timeout(), Duration::from_millis(200));
    fx.hub.fault(cdn_lfs().times(1).stall_after(100_000));
    let p = api.hf_hub_download("alice/m", "sub/w.bin").await.unwrap();
    assert_eq!(std::fs::read(p).unwrap(), fx.weights);
    assert_eq!(
        cdn_range_headers(&fx.hub),
        [None, Some("bytes=100000-".to_owned())]
    );
}

#[tokio::test]
async fn stalled_parallel_range_resumes_after_the_download_timeout() {
    let fx = fixture().await;
    let api = HfApiBuilder::new()
        .endpoint(fx.hub.url())
        .cache_dir(fx.cache.path())
        .retry(fast_retry())
        .download_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    fx.hub.fault(cdn_lfs().times(1).stall_after(1000));
    let p = api
        .hf_hub_download("alice/m", "big.bin")
        .parallel(small_chunks())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), fx.big);
    // 12 chunks of 256 KiB, and the stalled one again from its 1000th byte.
    let starts = cdn_range_starts(&fx.hub);
    assert_eq!(starts.len(), 13, "{starts:?}");
    let resumed: Vec<u64> = starts
        .iter()
        .copied()
        .filter(|s| s % (256 * 1024) != 0)
        .collect();
    assert_eq!(resumed.len(), 1, "{starts:?}");
    assert_eq!(resumed[0] % (256 * 1024), 1000, "{starts:?}");
    assert_eq!(blobs(&fx.repo_dir()), [sha256_hex(&fx.big)]);
}

#[tokio::test]
async fn hf_hub_etag_timeout_bounds_the_metadata_request() {
    let fx = fixture().await;
    let api = client_with_env(&fx, &[("HF_HUB_ETAG_TIMEOUT", "0.1")]);
    assert_eq!(api.etag_timeout(), Duration::from_millis(100));
    // Cached once; then the Hub answers `HEAD` too late, and the cache serves the file.
    let cached = api.hf_hub_download("alice/m", "config.json").await.unwrap();
    let delay = Duration::from_millis(600);
    fx.hub.fault(
        FaultRule::new(http::Method::HEAD, "/alice/m/resolve/")
            .delay(delay)
            .times(3),
    );
    let started = std::time::Instant::now();
    let p = api.hf_hub_download("alice/m", "config.json").await.unwrap();
    assert_eq!(p, cached);
    assert!(started.elapsed() < delay, "{:?}", started.elapsed());

    // Not cached: the error says what timed out and how to wait longer.
    let err = api.hf_hub_download("alice/m", "big.bin").await.unwrap_err();
    let Error::LocalEntryNotFound {
        source: Some(source),
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert!(
        source.to_string().contains("HF_HUB_ETAG_TIMEOUT"),
        "{source}"
    );

    // A download's own `etag_timeout` wins over the client's (this `HEAD` is late too).
    let p = api
        .hf_hub_download("alice/m", "big.bin")
        .etag_timeout(Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(std::fs::read(p).unwrap(), fx.big);
}

/// The network error under a "not cached, and the Hub could not be reached" error.
fn why_unreachable(err: &Error) -> &hf_api::HttpError {
    let Error::LocalEntryNotFound {
        source: Some(source),
        ..
    } = err
    else {
        panic!("{err:?}");
    };
    let Error::Http(http) = source.as_ref() else {
        panic!("{source:?}");
    };
    http
}

/// An endpoint on a port nothing listens on.
fn refused_endpoint() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn without_network_cached_files_answer_at_once_and_the_rest_is_retried() {
    let fx = fixture().await;
    let api = fx.api();
    let file = api.hf_hub_download("alice/m", "config.json").await.unwrap();
    let dir = api.snapshot_download("alice/m").await.unwrap();
    let local = tempfile::tempdir().unwrap();
    let local_file = api
        .hf_hub_download("alice/m", "config.json")
        .local_dir(local.path())
        .await
        .unwrap();
    let local_snapshot = tempfile::tempdir().unwrap();
    api.snapshot_download("alice/m")
        .local_dir(local_snapshot.path())
        .await
        .unwrap();

    // The same cache, and a Hub that cannot be reached (as on a machine without network).
    let retries = Arc::new(AtomicU64::new(0));
    let counted = retries.clone();
    let unreachable = HfApiBuilder::new()
        .endpoint(refused_endpoint())
        .cache_dir(fx.cache.path())
        .retry(fast_retry().max_retries(4).on_retry(move |_| {
            counted.fetch_add(1, Ordering::SeqCst);
        }))
        .build()
        .unwrap();
    let retried = || retries.load(Ordering::SeqCst);
    // What is cached answers after one failed attempt, with no retry to wait through.
    let got = unreachable.hf_hub_download("alice/m", "config.json");
    assert_eq!(got.await.unwrap(), file);
    assert_eq!(unreachable.snapshot_download("alice/m").await.unwrap(), dir);
    let got = unreachable
        .hf_hub_download("alice/m", "config.json")
        .local_dir(local.path());
    assert_eq!(got.await.unwrap(), local_file);
    let got = unreachable
        .snapshot_download("alice/m")
        .local_dir(local_snapshot.path());
    assert_eq!(
        got.await.unwrap(),
        local_snapshot.path().canonicalize().unwrap()
    );
    let info = unreachable
        .hf_hub_download("alice/m", "config.json")
        .dry_run()
        .await
        .unwrap();
    assert!(info.is_cached && !info.will_download, "{info:?}");
    assert_eq!(retried(), 0);

    // What is not cached is asked for again, with the retries, before the error.
    let err = unreachable
        .hf_hub_download("alice/m", "missing.txt")
        .await
        .unwrap_err();
    assert!(why_unreachable(&err).is_connect(), "{err:?}");
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(retried(), 4);
    let err = unreachable
        .snapshot_download("alice/other")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LocalEntryNotFound { .. }), "{err:?}");
    assert_eq!(retried(), 8);
    // As is a forced download, which no cached file may answer.
    let err = unreachable
        .hf_hub_download("alice/m", "config.json")
        .force_download(true)
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Http(e) if e.is_connect()), "{err:?}");
    assert_eq!(retried(), 12);
}

#[tokio::test]
async fn a_snapshot_not_cached_rides_out_a_burst_of_503s_on_its_listing() {
    let fx = fixture().await;
    let api = fx.api();
    fx.hub.fault(
        FaultRule::new(http::Method::GET, "/api/models/alice/m/revision/").fail_times(2, 503),
    );
    let dir = api.snapshot_download("alice/m").await.unwrap();
    assert_eq!(std::fs::read(dir.join("big.bin")).unwrap(), fx.big);
    let listings: Vec<u16> = fx
        .hub
        .requests()
        .iter()
        .filter(|r| r.path().starts_with("/api/models/alice/m/revision/"))
        .map(|r| r.status.as_u16())
        .collect();
    // The first attempt, alone (no cached snapshot could answer), then with retries.
    assert_eq!(listings, [503, 503, 200]);
}

/// A listing broken off half-way (the connection dropped) is retried like a failed
/// request; one cut short cleanly, as a proxy may, cannot be read and is asked for again.
#[tokio::test]
async fn a_listing_broken_off_or_cut_short_is_asked_for_again() {
    let fx = fixture().await;
    let api = fx.api();
    let rule = || FaultRule::new(http::Method::GET, "/api/models/alice/m/revision/");
    let listings = || {
        fx.hub
            .requests()
            .iter()
            .filter(|r| r.path().starts_with("/api/models/alice/m/revision/"))
            .count()
    };
    // Broken off twice: the single attempt, then the first of the retried ones.
    fx.hub.fault(rule().times(2).drop_after(300));
    let dir = api.snapshot_download("alice/m").await.unwrap();
    assert_eq!(std::fs::read(dir.join("big.bin")).unwrap(), fx.big);
    assert_eq!(listings(), 3);

    // Cut short three times, with nothing cached (another cache): asked for again
    // until it comes whole.
    let other = tempfile::tempdir().unwrap();
    let api = client(&fx.hub.url(), other.path());
    fx.hub.clear_requests();
    fx.hub.fault(rule().times(3).truncate_after(300));
    let dir = api.snapshot_download("alice/m").await.unwrap();
    assert_eq!(std::fs::read(dir.join("big.bin")).unwrap(), fx.big);
    assert_eq!(listings(), 4);

    // Cut short every time: asked for a bounded number of times (the first try, then
    // four more), then the error says the answer could not be read.
    let api = client(&fx.hub.url(), tempfile::tempdir().unwrap().path());
    fx.hub.clear_requests();
    fx.hub.fault(rule().truncate_after(300));
    let err = api.snapshot_download("alice/m").await.unwrap_err();
    assert_eq!(listings(), 5);
    assert!(
        err.to_string()
            .starts_with("the Hub's answer could not be read and no snapshot"),
        "{err}"
    );
}

#[tokio::test]
async fn a_hub_error_with_nothing_cached_says_what_the_hub_answered() {
    let fx = fixture().await;
    let api = fx.api();
    fx.hub
        .fault(FaultRule::new(http::Method::HEAD, "/alice/m/resolve/").fail(503));
    fx.hub
        .fault(FaultRule::new(http::Method::GET, "/api/models/alice/m/revision/").fail(503));
    let err = api
        .hf_hub_download("alice/m", "config.json")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("the Hub answered 503 Service Unavailable to locate config.json"),
        "{text}"
    );
    assert!(text.contains("try again later"), "{text}");
    assert!(err.is_transient(), "{err:?}");
    let err = api.snapshot_download("alice/m").await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("the Hub answered 503 Service Unavailable and no snapshot of alice/m"),
        "{text}"
    );
    assert!(matches!(err, Error::LocalEntryNotFound { .. }), "{err:?}");
    assert!(err.is_transient(), "{err:?}");
    // A file that does not exist is not worth trying again.
    fx.hub.clear_faults();
    let err = api
        .hf_hub_download("alice/m", "nope.txt")
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::EntryNotFound(_)) && !err.is_transient(),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_throttled_listing_waits_as_long_as_the_hub_asks_beyond_the_etag_timeout() {
    let fx = fixture().await;
    let api = client_with_env(&fx, &[("HF_HUB_ETAG_TIMEOUT", "0.1")]);
    fx.hub.fault(
        FaultRule::new(http::Method::GET, "/api/models/alice/m/revision/")
            .fail_times(2, 429)
            .retry_after(1),
    );
    let dir = api.snapshot_download("alice/m").await.unwrap();
    assert_eq!(std::fs::read(dir.join("config.json")).unwrap(), fx.config);
    let listings = fx
        .hub
        .requests()
        .iter()
        .filter(|r| r.path().starts_with("/api/models/alice/m/revision/"))
        .count();
    // The single attempt, then a retry after the 1 s the Hub asked for (ten times the
    // 100 ms within which the client's own retries would stop).
    assert_eq!(listings, 3);
}

#[tokio::test]
async fn a_refused_connection_is_reported_as_such_within_the_metadata_deadline() {
    let cache = tempfile::tempdir().unwrap();
    let retries = Arc::new(AtomicU64::new(0));
    let counted = retries.clone();
    let api = HfApiBuilder::new()
        .endpoint(refused_endpoint())
        .cache_dir(cache.path())
        .etag_timeout(Duration::from_secs(1))
        .retry(
            RetryConfig::default()
                .max_retries(20)
                .backoff(Duration::from_millis(300), Duration::from_millis(300))
                .jitter(Jitter::None)
                .on_retry(move |_| {
                    counted.fetch_add(1, Ordering::SeqCst);
                }),
        )
        .build()
        .unwrap();
    let err = api
        .hf_hub_download("alice/m", "config.json")
        .await
        .unwrap_err();
    // The retries stopped before the 1 s deadline (3 waits of 300 ms fit, a fourth would
    // not), and the error is the last attempt's: a refused connection, not a timeout.
    let http = why_unreachable(&err);
    assert!(http.is_connect(), "{http}");
    assert!(http.to_string().contains("after 3 retries"), "{http}");
    assert_eq!(retries.load(Ordering::SeqCst), 3);

    // A snapshot's listing retries within the same deadline (the client's own retry
    // budget, 20 retries, would have taken 6 s).
    let err = api.snapshot_download("alice/m").await.unwrap_err();
    let http = why_unreachable(&err);
    assert!(http.is_connect(), "{http}");
    assert!(http.to_string().contains("after 3 retries"), "{http}");
    assert_eq!(retries.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn downloads_go_through_the_proxy_the_environment_names() {
    let fx = fixture().await;
    let proxy = hf_testhub::TestProxy::with_credentials("user", "pw")
        .await
        .unwrap();
    let url = proxy.url_with_credentials("user", "pw");
    let api = client_with_env(&fx, &[("http_proxy", url.as_str())]);
    let p = api
        .hf_hub_download("alice/m", "big.bin")
        .parallel(small_chunks())
        .await
        .unwrap();
    assert_eq!(std::fs::read(p).unwrap(), fx.big);
    let dir = api.snapshot_download("alice/m").await.unwrap();
    assert_eq!(std::fs::read(dir.join("sub/w.bin")).unwrap(), fx.weights);
    // Every request the Hub and its CDN got came through the proxy, with its credentials.
    let seen = proxy.requests();
    let hub_seen = fx.hub.requests();
    assert_eq!(seen.len(), hub_seen.len(), "{seen:?}");
    assert!(hub_seen.iter().any(|r| r.listener == Listener::Cdn));
    assert!(
        seen.iter()
            .all(|r| r.target.starts_with("http://127.0.0.1:")
                && r.proxy_authorization.as_deref() == Some("Basic dXNlcjpwdw=="))
    );

    // NO_PROXY: straight to the Hub.
    let before = proxy.requests().len();
    let api = client_with_env(
        &fx,
        &[("HTTP_PROXY", url.as_str()), ("NO_PROXY", "127.0.0.1")],
    );
    api.hf_hub_download("alice/m", "config.json")
        .force_download(true)
        .await
        .unwrap();
    assert_eq!(proxy.requests().len(), before);
}

#[tokio::test]
async fn the_ca_bundle_the_environment_names_is_used() {
    // An https endpoint and a bundle that does not exist: the request fails before any
    // connection, naming the bundle (so the variable reached the transport).
    let missing = tempfile::tempdir().unwrap().path().join("corp-ca.pem");
    let missing = missing.to_str().unwrap();
    let api = HfApiBuilder::with_environment(Environment::from_pairs([
        ("HF_ENDPOINT", "https://127.0.0.1:9"),
        ("REQUESTS_CA_BUNDLE", missing),
    ]))
    .no_token()
    .build()
    .unwrap();
    let err = api.model_info("alice/m").await.unwrap_err();
    let text = format!(
        "{err} {:?}",
        std::error::Error::source(&err).map(ToString::to_string)
    );
    assert!(text.contains(missing), "{text}");
}

#[tokio::test]
async fn corrupted_body_is_rejected_and_retried() {
    let fx = fixture().await;
    let api = fx.api();
    fx.hub.fault(cdn_lfs().times(1).corrupt_at(1234));
    let p = api.hf_hub_download("alice/m", "sub/w.bin").await.unwrap();
    assert_eq!(std::fs::read(p).unwrap(), fx.weights);
    assert_eq!(fx.count(|r| r.listener == Listener::Cdn), 2);

    // Always corrupted: a typed error, and nothing in blobs/ or snapshots/.
    fx.hub.fault(cdn_lfs().corrupt_at(10));
    let err = api.hf_hub_download("alice/m", "big.bin").await.unwrap_err();
    assert!(matches!(err, Error::Integrity { .. }), "{err:?}");
    let names = blobs(&fx.repo_dir());
    assert!(!names.contains(&sha256_hex(&fx.big)), "{names:?}");
    assert!(
        !fx.repo_dir()
            .join("snapshots")
            .join(&fx.commit)
            .join("big.bin")
            .exists()
    );
}

#[tokio::test]
async fn corrupted_parallel_chunk_is_rejected() {
    let fx = fixture().await;
    let api = fx.api();
    fx.hub.fault(cdn_lfs().times(1).corrupt_at(5));
    let p = api
        .hf_hub_download("alice/m", "big.bin")
        .parallel(small_chunks())
        .await
        .unwrap();
    assert_eq!(std::fs::read(p).unwrap(), fx.big);
}

#[derive(Debug, Default)]
struct Counter {
    advanced: AtomicU64,
    started: AtomicU64,
    done: AtomicU64,
}

impl Progress for Counter {
    fn on_event(&self, event: ProgressEvent<'_>) {
        match event {
            ProgressEvent::Start { .. } => self.started.fetch_add(1, Ordering::Relaxed),
            ProgressEvent::Advance { bytes, .. } => {
                self.advanced.fetch_add(bytes, Ordering::Relaxed)
            }
            ProgressEvent::Done { .. } => self.done.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
    }
}

#[tokio::test]
async fn parallel_ranges_assemble_verify_and_report_progress() {
    let fx = fixture().await;
    let api = fx.api();
    let counter = Arc::new(Counter::default());
    // One range body breaks mid-way: that chunk resumes.
    fx.hub.fault(cdn_lfs().times(1).drop_after(1000));
    let p = api
        .hf_hub_download("alice/m", "big.bin")
        .parallel(small_chunks())
        .progress(counter.clone())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), fx.big);
    let cdn = cdn_ranges(&fx);
    // 12 chunks of 256 KiB, plus the resumed one.
    assert_eq!(cdn.len(), 13, "{cdn:?}");
    assert_eq!(counter.started.load(Ordering::Relaxed), 1);
    assert_eq!(counter.done.load(Ordering::Relaxed), 1);
    assert_eq!(
        counter.advanced.load(Ordering::Relaxed),
        fx.big.len() as u64
    );
    // No leftovers.
    assert_eq!(blobs(&fx.repo_dir()), [sha256_hex(&fx.big)]);
}

/// With chunks larger than 1 MiB, the first ranges of a file grow to the chunk size
/// and the last ones shrink from it (so that the connections do not all finish at
/// once); the file still assembles and verifies, written by the one writer thread.
#[tokio::test]
async fn parallel_ranges_grow_at_the_start_and_shrink_at_the_end() {
    let fx = fixture().await;
    const MIB: u64 = 1 << 20;
    let huge = content(7, 24 << 20);
    fx.hub
        .upload_file(
            hf_testhub::RepoType::Model,
            "alice/m",
            "main",
            "huge.bin",
            &huge,
        )
        .unwrap();
    fx.hub.clear_requests();
    let p = fx
        .api()
        .hf_hub_download("alice/m", "huge.bin")
        .parallel(
            ParallelConfig::default()
                .with_connections(4)
                .with_chunk_size(4 * MIB)
                .with_threshold(MIB),
        )
        .await
        .unwrap();
    assert!(std::fs::read(&p).unwrap() == huge, "content differs");
    let mut got = cdn_ranges(&fx);
    got.sort_by_key(|r| range_start(r));
    // 4 steps of 1 MiB up to 4 MiB, one whole chunk, and the same steps down.
    let sizes = [1, 2, 3, 4, 4, 4, 3, 2, 1];
    let mut at = 0;
    let want: Vec<String> = sizes
        .iter()
        .map(|s| {
            let r = format!("bytes={}-{}", at, at + s * MIB - 1);
            at += s * MIB;
            r
        })
        .collect();
    assert_eq!(got, want);
    // No partial file or record left.
    assert_eq!(blobs(&fx.repo_dir()), [sha256_hex(&huge)]);
}

#[tokio::test]
async fn concurrent_tasks_share_one_blob() {
    let fx = fixture().await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let api = fx.api();
        let parallel = if i % 2 == 0 {
            small_chunks()
        } else {
            ParallelConfig::disabled()
        };
        tasks.spawn(async move {
            api.snapshot_download("alice/m")
                .parallel(parallel)
                .await
                .unwrap()
        });
    }
    let mut dirs = Vec::new();
    while let Some(d) = tasks.join_next().await {
        dirs.push(d.unwrap());
    }
    assert!(dirs.windows(2).all(|w| w[0] == w[1]));
    check_snapshot(&fx, &dirs[0]);
}

pub(crate) fn check_snapshot(fx: &Fx, dir: &Path) {
    assert_eq!(std::fs::read(dir.join("config.json")).unwrap(), fx.config);
    assert_eq!(std::fs::read(dir.join("sub/w.bin")).unwrap(), fx.weights);
    assert_eq!(std::fs::read(dir.join("big.bin")).unwrap(), fx.big);
    // One blob per file (plus .gitattributes), no partial files.
    let names = blobs(&fx.repo_dir());
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.iter().all(|n| !n.contains('.')), "{names:?}");
}

/// The record of finished chunks names byte ranges: a download resumed with other
/// chunk settings skips every chunk those ranges cover whole, and fetches the rest.
#[tokio::test]
async fn resume_with_other_chunk_settings_skips_the_covered_chunks() {
    let fx = fixture().await;
    const KIB: u64 = 1024;
    let etag = sha256_hex(&fx.big);
    let blobs_dir = fx.repo_dir().join("blobs");
    std::fs::create_dir_all(&blobs_dir).unwrap();
    // A partial file from a run with 256 KiB chunks: [0, 1 MiB) and [1.5, 2 MiB) are
    // done, and so is a range that covers no 512 KiB chunk whole. Elsewhere: zeros.
    let done = [
        (0, 1024 * KIB),
        (1536 * KIB, 2048 * KIB),
        (2200 * KIB, 2300 * KIB),
    ];
    let mut partial = vec![0u8; fx.big.len()];
    let mut lines = vec![format!("v2 {}", fx.big.len())];
    for (a, b) in done {
        let (a, b) = (a as usize, b as usize);
        partial[a..b].copy_from_slice(&fx.big[a..b]);
        lines.push(format!("{a} {b}"));
    }
    let record = lines.join("\n") + "\n";
    std::fs::write(
        blobs_dir.join(format!("{etag}.parallel.incomplete")),
        &partial,
    )
    .unwrap();
    std::fs::write(blobs_dir.join(format!("{etag}.parallel.ranges")), record).unwrap();
    fx.hub.clear_requests();
    let p = fx
        .api()
        .hf_hub_download("alice/m", "big.bin")
        .parallel(
            ParallelConfig::default()
                .with_connections(2)
                .with_chunk_size(512 * KIB)
                .with_threshold(1 << 20),
        )
        .await
        .unwrap();
    assert!(std::fs::read(&p).unwrap() == fx.big, "content differs");
    let mut starts = cdn_range_starts(&fx.hub);
    starts.sort_unstable();
    // 3 MiB in 512 KiB chunks: those at 0, 512 KiB and 1.5 MiB are covered.
    assert_eq!(starts, [1024 * KIB, 2048 * KIB, 2560 * KIB]);
    assert_eq!(blobs(&fx.repo_dir()), [etag]);
}

#[tokio::test]
async fn a_server_that_ignores_range_gets_one_stream_and_no_parallel_leftovers() {
    let fx = fixture().await;
    fx.hub.fault(cdn_lfs().ignore_range());
    fx.hub.clear_requests();
    let p = fx
        .api()
        .hf_hub_download("alice/m", "big.bin")
        .parallel(small_chunks())
        .await
        .unwrap();
    assert!(std::fs::read(&p).unwrap() == fx.big, "content differs");
    // Range requests first; the whole body answered them, so one stream took over.
    let cdn = cdn_range_headers(&fx.hub);
    assert!(cdn.first().is_some_and(Option::is_some), "{cdn:?}");
    assert_eq!(cdn.last(), Some(&None), "{cdn:?}");
    // The parallel partial file (its blocks reserved) and its record are gone.
    assert_eq!(blobs(&fx.repo_dir()), [sha256_hex(&fx.big)]);
}

#[tokio::test]
async fn dropped_future_resumes_without_refetching() {
    let fx = fixture().await;
    let api = fx.api();
    // Slow bodies so the future is dropped mid-way.
    pace_cdn(&fx.hub, 2 << 20);
    let counter = Arc::new(Counter::default());
    let fut = api
        .hf_hub_download("alice/m", "big.bin")
        .parallel(
            ParallelConfig::default()
                .with_connections(2)
                .with_chunk_size(256 * 1024)
                .with_threshold(1 << 20),
        )
        .progress(counter.clone())
        .into_future();
    // Boxed, so that dropping it really drops the download.
    let mut fut = Box::pin(fut);
    // Poll until at least 1 MiB is on disk, then drop the future.
    let progressed = async {
        loop {
            tokio::task::yield_now().await;
            if counter.advanced.load(Ordering::Relaxed) >= 1 << 20 {
                break;
            }
        }
    };
    tokio::select! {
        r = &mut fut => panic!("finished too early: {r:?}"),
        () = progressed => {}
    }
    drop(fut);
    let ranges_file = fx
        .repo_dir()
        .join("blobs")
        .join(format!("{}.parallel.ranges", sha256_hex(&fx.big)));
    let done: Vec<u64> = std::fs::read_to_string(&ranges_file)
        .unwrap()
        .lines()
        .skip(1)
        // `{start} {end}` per finished chunk.
        .map(|l| l.split_once(' ').unwrap().0.parse::<u64>().unwrap())
        .collect();
    assert!(!done.is_empty());
    fx.hub.clear_faults();
    fx.hub.clear_requests();
    let p = api
        .hf_hub_download("alice/m", "big.bin")
        .parallel(small_chunks())
        .await
        .unwrap();
    assert_eq!(std::fs::read(p).unwrap(), fx.big);
    // The second run never asked again for a finished chunk.
    for start in cdn_range_starts(&fx.hub) {
        assert!(!done.contains(&start), "chunk at {start} fetched again");
    }
}

/// The partial files one way of downloading leaves (a dropped parallel download, a
/// Python `.incomplete` too short to adopt) are removed when the other way completes
/// the file: nothing but blobs stays in `blobs/`.
#[tokio::test]
async fn partial_files_left_by_the_other_way_go_once_the_blob_is_complete() {
    let fx = fixture().await;
    let api = fx.api();
    let blob = sha256_hex(&fx.big);
    pace_cdn(&fx.hub, 2 << 20);
    let counter = Arc::new(Counter::default());
    let mut fut = Box::pin(
        api.hf_hub_download("alice/m", "big.bin")
            .parallel(small_chunks())
            .progress(counter.clone())
            .into_future(),
    );
    let progressed = async {
        while counter.advanced.load(Ordering::Relaxed) < 512 * 1024 {
            tokio::task::yield_now().await;
        }
    };
    tokio::select! {
        r = &mut fut => panic!("finished too early: {r:?}"),
        () = progressed => {}
    }
    drop(fut);
    let left = blobs(&fx.repo_dir());
    assert_eq!(
        left,
        [
            format!("{blob}.parallel.incomplete"),
            format!("{blob}.parallel.ranges")
        ]
    );
    fx.hub.clear_faults();
    // One stream this time.
    let p = api
        .hf_hub_download("alice/m", "big.bin")
        .parallel(ParallelConfig::disabled())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), fx.big);
    assert_eq!(blobs(&fx.repo_dir()), std::slice::from_ref(&blob));

    // A short `.incomplete` (as Python leaves it), then a parallel download.
    std::fs::remove_file(&p).unwrap();
    let blobs_dir = fx.repo_dir().join("blobs");
    std::fs::remove_file(blobs_dir.join(&blob)).unwrap();
    std::fs::write(
        blobs_dir.join(format!("{blob}.incomplete")),
        &fx.big[..1000],
    )
    .unwrap();
    let p = api
        .hf_hub_download("alice/m", "big.bin")
        .parallel(small_chunks())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), fx.big);
    assert_eq!(blobs(&fx.repo_dir()), [blob]);

    // A small file (fetched into memory), with a partial file of an earlier try.
    let small = sha256_hex(&fx.weights);
    std::fs::write(
        blobs_dir.join(format!("{small}.incomplete")),
        &fx.weights[..1000],
    )
    .unwrap();
    let p = api.hf_hub_download("alice/m", "sub/w.bin").await.unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), fx.weights);
    assert!(!blobs_dir.join(format!("{small}.incomplete")).exists());
}

use std::future::IntoFuture as _;

#[tokio::test]
async fn snapshot_with_patterns_sends_no_head() {
    let fx = fixture().await;
    let api = fx.api();
    let dir = api
        .snapshot_download("alice/m")
        .allow_patterns(["*.json", "sub/"])
        .await
        .unwrap();
    assert_eq!(dir, fx.repo_dir().join("snapshots").join(&fx.commit));
    assert!(dir.join("config.json").is_file());
    assert!(dir.join("sub/w.bin").is_file());
    assert!(!dir.join("big.bin").exists());
    assert_eq!(fx.count(is_head), 0);
    let dir = api
        .snapshot_download("alice/m")
        .ignore_patterns(["*.json", ".git*"])
        .await
        .unwrap();
    assert!(dir.join("big.bin").is_file());
    assert_eq!(fx.count(is_head), 0);
    // Offline: the cached snapshot of the branch, if it has every file asked for (the
    // cached listing of the commit says which): `.gitattributes` was never fetched.
    fx.hub.clear_requests();
    let off = api
        .snapshot_download("alice/m")
        .ignore_patterns([".git*"])
        .offline(true)
        .await
        .unwrap();
    assert_eq!(off, dir);
    let err = api
        .snapshot_download("alice/m")
        .offline(true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LocalEntryNotFound { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("is incomplete: 1 file(s) are missing (.gitattributes)"),
        "{err}"
    );
    assert!(fx.hub.requests().is_empty());
    let err = api
        .snapshot_download("alice/other")
        .local_files_only(true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LocalEntryNotFound { .. }), "{err:?}");

    // local_dir.
    let local = tempfile::tempdir().unwrap();
    let out = api
        .snapshot_download("alice/m")
        .local_dir(local.path())
        .await
        .unwrap();
    assert_eq!(out, local.path().canonicalize().unwrap());
    assert_eq!(std::fs::read(out.join("big.bin")).unwrap(), fx.big);
    assert!(
        out.join(".cache/huggingface/download/big.bin.metadata")
            .is_file()
    );
}

/// A repo listing that names paths outside the repo is refused before any write.
#[tokio::test]
async fn snapshot_refuses_unsafe_listing() {
    for bad in ["../x", "/etc/passwd", "a/../../x"] {
        let listing = serde_json::json!({
            "id": "evil/m",
            "sha": "0123456789abcdef0123456789abcdef01234567",
            "siblings": [
                {"rfilename": "ok.txt", "size": 2, "blobId": "0123456789abcdef0123456789abcdef01234567"},
                {"rfilename": bad, "size": 2, "blobId": "0123456789abcdef0123456789abcdef01234567"}
            ]
        });
        let app = axum::Router::new().fallback(move || {
            let listing = listing.clone();
            async move { axum::Json(listing) }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let root = tempfile::tempdir().unwrap();
        let cache = root.path().join("cache");
        let api = client(&format!("http://{addr}"), &cache);
        let local = root.path().join("local");
        for local_dir in [None, Some(local.clone())] {
            let mut req = api.snapshot_download("evil/m");
            if let Some(l) = &local_dir {
                req = req.local_dir(l);
            }
            let err = req.await.unwrap_err();
            assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
            assert!(err.to_string().contains("unsafe path"), "{err}");
        }
        // Nothing was written anywhere: no file in the cache, the local dir, or next to them.
        let written: Vec<_> = walk(root.path());
        assert!(written.is_empty(), "{written:?}");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// A small tmpfs mounted for one test (needs root, as CI runs); unmounted on drop.
#[cfg(target_os = "linux")]
struct Tmpfs {
    dir: tempfile::TempDir,
}

#[cfg(target_os = "linux")]
impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("cannot mount a tmpfs (not root?): skipping the disk test");
            return None;
        }
        Some(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount_read_only(&self) {
        let ok = std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.dir.path())
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

#[cfg(target_os = "linux")]
impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazy: a file still open by an aborted task must not keep it mounted.
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn full_disk_is_typed_found_before_fetching_and_leaves_no_partial_file() {
    let fx = fixture().await;
    let Some(disk) = Tmpfs::mount("1m") else {
        return;
    };
    let api = client(&fx.hub.url(), disk.path());
    for parallel in [ParallelConfig::disabled(), small_chunks()] {
        fx.hub.clear_requests();
        let err = api
            .hf_hub_download("alice/m", "big.bin")
            .parallel(parallel)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NoSpace { .. }), "{err:?}");
        assert!(err.to_string().contains("no space left"), "{err}");
        // The file's blocks are reserved first: not one byte of it was fetched.
        let cdn = fx.hub.requests().into_iter();
        assert_eq!(cdn.filter(|r| r.listener == Listener::Cdn).count(), 0);
        let repo = disk.path().join("models--alice--m");
        assert!(blobs(&repo).is_empty(), "{:?}", blobs(&repo));
        assert!(
            !repo
                .join("snapshots")
                .join(&fx.commit)
                .join("big.bin")
                .exists()
        );
    }
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn read_only_cache_serves_cached_files_and_says_so_otherwise() {
    let fx = fixture().await;
    let Some(disk) = Tmpfs::mount("8m") else {
        return;
    };
    let api = client(&fx.hub.url(), disk.path());
    api.hf_hub_download("alice/m", "config.json").await.unwrap();
    disk.remount_read_only();
    // Cached: by commit (no request) and by branch (the ref is already up to date).
    for rev in [fx.commit.as_str(), "main"] {
        let p = api
            .hf_hub_download("alice/m", "config.json")
            .revision(rev)
            .await
            .unwrap();
        assert_eq!(std::fs::read(p).unwrap(), fx.config);
    }
    let err = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Cache(c) if c.is_read_only()),
        "{err:?}"
    );
    assert!(err.to_string().contains("read-only"), "{err}");
}

#[tokio::test]
async fn credentials_never_reach_the_cdn() {
    let fx = fixture().await;
    let api = HfApiBuilder::new()
        .endpoint(fx.hub.url())
        .cache_dir(fx.cache.path())
        .token(Token::new(OWNER_TOKEN).unwrap())
        .build()
        .unwrap();
    api.hf_hub_download("alice/m", "sub/w.bin")
        .header(
            http::header::COOKIE,
            http::HeaderValue::from_static("session=secret"),
        )
        .await
        .unwrap();
    api.hf_hub_download("alice/m", "big.bin")
        .parallel(small_chunks())
        .await
        .unwrap();
    let log = fx.hub.requests();
    assert!(log.iter().any(|r| r.listener == Listener::Cdn));
    for r in &log {
        let on_cdn = r.listener == Listener::Cdn;
        assert_eq!(r.has_authorization(), !on_cdn, "{r:?}");
        if on_cdn {
            assert!(r.header("cookie").is_none(), "{r:?}");
        }
    }
}

/// Starting with one connection on paced bodies, the download adds connections as it
/// goes (the ramp; its decisions are unit-tested in the crate). A connection that slow
/// always gets company after the first window, and every chunk is still asked for
/// exactly once and the content verified.
#[tokio::test]
async fn parallel_ramp_adds_connections_without_refetching() {
    let fx = fixture().await;
    let api = fx.api();
    pace_cdn(&fx.hub, 4 << 20);
    let p = api
        .hf_hub_download("alice/m", "big.bin")
        .parallel(
            small_chunks()
                .with_connections(8)
                .with_initial_connections(1),
        )
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), fx.big);
    let mut ranges = cdn_ranges(&fx);
    ranges.sort();
    let before = ranges.len();
    ranges.dedup();
    assert_eq!(
        before,
        ranges.len(),
        "a chunk was fetched twice: {ranges:?}"
    );
    assert_eq!(ranges.len(), 12, "{ranges:?}");
    let connections: std::collections::HashSet<_> = fx
        .hub
        .requests()
        .iter()
        .filter(|r| r.listener == Listener::Cdn && r.header("range").is_some())
        .filter_map(|r| r.peer)
        .collect();
    assert!(
        connections.len() >= 2,
        "the ramp added connections: {connections:?}"
    );
}

#[tokio::test]
async fn a_snapshot_at_a_cached_commit_asks_nothing_of_the_hub() {
    let fx = fixture().await;
    let api = fx.api();
    let dir = api.snapshot_download("alice/m").await.unwrap();
    // The listing is kept as Python 2.x keeps it.
    let tree_file = fx
        .repo_dir()
        .join("trees")
        .join(format!("{}.json", fx.commit));
    let tree: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&tree_file).unwrap()).unwrap();
    assert_eq!(tree["format_version"], 1);
    assert_eq!(
        tree["files"]["sub/w.bin"],
        serde_json::json!({
            "size": fx.weights.len(),
            "blob_id": tree["files"]["sub/w.bin"]["blob_id"],
            "lfs_sha256": sha256_hex(&fx.weights),
            "lfs_size": fx.weights.len(),
        })
    );

    fx.hub.clear_requests();
    let again = api
        .snapshot_download("alice/m")
        .revision(&fx.commit)
        .await
        .unwrap();
    assert_eq!(again, dir);
    assert!(fx.hub.requests().is_empty(), "{:?}", fx.hub.requests());

    // A file gone from the snapshot is fetched again, without listing the revision.
    std::fs::remove_file(dir.join("config.json")).unwrap();
    api.snapshot_download("alice/m")
        .revision(&fx.commit)
        .await
        .unwrap();
    assert_eq!(std::fs::read(dir.join("config.json")).unwrap(), fx.config);
    assert!(
        fx.hub
            .requests()
            .iter()
            .all(|r| !r.path().contains("/revision/")),
        "{:?}",
        fx.hub.requests()
    );

    // The same in a local_dir, whose listing lives in its bookkeeping folder.
    let local = tempfile::tempdir().unwrap();
    api.snapshot_download("alice/m")
        .local_dir(local.path())
        .await
        .unwrap();
    assert!(
        local
            .path()
            .join(".cache/huggingface/trees")
            .join(format!("{}.json", fx.commit))
            .is_file()
    );
    fx.hub.clear_requests();
    api.snapshot_download("alice/m")
        .local_dir(local.path())
        .revision(&fx.commit)
        .await
        .unwrap();
    assert!(fx.hub.requests().is_empty(), "{:?}", fx.hub.requests());

    // A forced download asks the Hub again.
    api.snapshot_download("alice/m")
        .revision(&fx.commit)
        .allow_patterns(["config.json"])
        .force_download(true)
        .await
        .unwrap();
    assert!(
        fx.hub
            .requests()
            .iter()
            .any(|r| r.path().contains("/revision/"))
    );
}

/// A snapshot of several large files keeps at most `total_connections` range requests
/// in flight across them, and every file still completes.
#[tokio::test]
async fn a_snapshot_shares_one_budget_of_range_requests() {
    let fx = fixture().await;
    let m = hf_testhub::RepoType::Model;
    fx.hub.create_repo(m, "alice/shards", false).unwrap();
    let shards: Vec<Vec<u8>> = (0..4).map(|i| content(10 + i, 2 << 20)).collect();
    for (i, data) in shards.iter().enumerate() {
        fx.hub
            .upload_file(m, "alice/shards", "main", &format!("s{i}.bin"), data)
            .unwrap();
    }
    // Paced, so that the files' chunks overlap in time.
    pace_cdn(&fx.hub, 8 << 20);
    let parallel = small_chunks().with_initial_connections(4);
    let distinct_cdn_connections = |hub: &TestHub| {
        hub.requests()
            .iter()
            .filter(|r| r.listener == Listener::Cdn && r.header("range").is_some())
            .filter_map(|r| r.peer)
            .collect::<std::collections::HashSet<_>>()
            .len()
    };
    for (budget, cache) in [
        (3, tempfile::tempdir().unwrap()),
        (64, tempfile::tempdir().unwrap()),
    ] {
        fx.hub.clear_requests();
        let dir = client(&fx.hub.url(), cache.path())
            .snapshot_download("alice/shards")
            .allow_patterns(["*.bin"])
            .parallel(parallel.with_total_connections(budget))
            .await
            .unwrap();
        for (i, data) in shards.iter().enumerate() {
            assert_eq!(&std::fs::read(dir.join(format!("s{i}.bin"))).unwrap(), data);
        }
        let connections = distinct_cdn_connections(&fx.hub);
        if budget == 3 {
            assert!(
                connections <= 3,
                "{connections} connections with a budget of 3"
            );
        } else {
            assert!(
                connections > 3,
                "without the budget: {connections} connections"
            );
        }
    }
}

/// After a snapshot kept its listing, a file at that commit is fetched without a `HEAD`.
#[tokio::test]
async fn a_file_at_a_listed_commit_needs_no_head() {
    let fx = fixture().await;
    let local = tempfile::tempdir().unwrap();
    for dir in [None, Some(local.path())] {
        // A fresh cache each time: a local_dir would otherwise copy from the cache.
        let cache = tempfile::tempdir().unwrap();
        let api = client(&fx.hub.url(), cache.path());
        let mut snap = api.snapshot_download("alice/m").allow_patterns(["big.bin"]);
        if let Some(d) = dir {
            snap = snap.local_dir(d);
        }
        snap.await.unwrap();
        fx.hub.clear_requests();
        for (name, data) in [("config.json", &fx.config), ("sub/w.bin", &fx.weights)] {
            let mut req = api.hf_hub_download("alice/m", name).revision(&fx.commit);
            if let Some(d) = dir {
                req = req.local_dir(d);
            }
            let path = req.await.unwrap();
            assert_eq!(&std::fs::read(path).unwrap(), data);
        }
        assert_eq!(fx.count(is_head), 0, "{:?}", fx.hub.requests());
        assert_eq!(fx.count(is_get_file), 3, "{:?}", fx.hub.requests());
        // A file the listing does not have is asked about, and is missing.
        let err = api
            .hf_hub_download("alice/m", "nope.txt")
            .revision(&fx.commit)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::EntryNotFound(_)), "{err:?}");
        assert_eq!(fx.count(is_head), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_over_https_check_the_certificate() {
    let fx = tls_fixture().await;
    assert!(fx.hub.url().starts_with("https://127.0.0.1:"));
    let ca = hf_testhub::TlsIdentity::test_files_dir().join("ca.pem");
    let api = HfApiBuilder::new()
        .endpoint(fx.hub.url())
        .cache_dir(fx.cache.path())
        .retry(fast_retry())
        .ca_bundle(Some(ca))
        .build()
        .unwrap();
    // The LFS files are redirected to the CDN listener, HTTPS too; the largest one in
    // parallel ranges.
    let dir = api
        .snapshot_download("alice/m")
        .parallel(small_chunks())
        .await
        .unwrap();
    check_snapshot(&fx, &dir);
    let ranges = cdn_ranges(&fx);
    assert!(ranges.len() > 4, "{ranges:?}");
    assert!(
        fx.hub
            .requests()
            .iter()
            .any(|r| r.listener == Listener::Cdn)
    );

    // Without the CA the certificate is refused, as a configuration error (which is not
    // retried), saying what to do; nothing is written.
    let retries = Arc::new(AtomicU64::new(0));
    let counted = retries.clone();
    let untrusting = |cache: &Path| {
        let counted = counted.clone();
        HfApiBuilder::new()
            .endpoint(fx.hub.url())
            .cache_dir(cache)
            .ca_bundle(None)
            .retry(fast_retry().on_retry(move |_| {
                counted.fetch_add(1, Ordering::SeqCst);
            }))
            .build()
            .unwrap()
    };
    let other = tempfile::tempdir().unwrap();
    let err = untrusting(other.path())
        .hf_hub_download("alice/m", "config.json")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("TLS certificate was refused (UnknownIssuer)")
            && text.contains("REQUESTS_CA_BUNDLE"),
        "{text}"
    );
    assert!(!other.path().join("models--alice--m/snapshots").exists());
    // Nor is the problem hidden behind the cache: the cached files are not returned, as
    // Python raises its SSLError.
    let on_cache = untrusting(fx.cache.path());
    let err = on_cache
        .hf_hub_download("alice/m", "config.json")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let err = on_cache.snapshot_download("alice/m").await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_eq!(
        retries.load(Ordering::SeqCst),
        0,
        "a refused certificate is not retried"
    );
}
