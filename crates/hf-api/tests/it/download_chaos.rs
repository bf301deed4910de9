//! Downloads under random faults: every request to the Hub and to its CDN may get a 5xx or
//! a 429, a dropped connection, a body cut short, a corrupted byte or a stall
//! ([`FaultRule::chaos`]). Whatever happens, nothing wrong may land in the cache or the
//! `local_dir`, and running the download again ends with the repo's exact files.

use std::future::IntoFuture as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hf_api::download::ParallelConfig;
use hf_api::{HfApi, HfApiBuilder};
use hf_testhub::FaultRule;
use sha1::Digest as _;

use super::download::{Fx, content, fast_retry, fixture, sha256_hex};

/// The fixture's repo plus eight more LFS files of 2 to 37 KiB in `small/`.
async fn chaos_fixture() -> (Fx, Vec<(String, Vec<u8>)>) {
    let mut fx = fixture().await;
    let mut files = vec![
        ("config.json".to_owned(), fx.config.clone()),
        ("sub/w.bin".to_owned(), fx.weights.clone()),
        ("big.bin".to_owned(), fx.big.clone()),
    ];
    for i in 0..8u64 {
        let (path, data) = (
            format!("small/{i}.bin"),
            content(100 + i, 2048 + 5000 * i as usize),
        );
        fx.commit = fx
            .hub
            .upload_file(hf_testhub::RepoType::Model, "alice/m", "main", &path, &data)
            .unwrap();
        files.push((path, data));
    }
    (fx, files)
}

/// A client that gives up on a stalled body after 0.3 s and retries quickly, with the
/// parallel ranges of big files small enough that `big.bin` takes 12 of them.
fn chaos_client(fx: &Fx) -> HfApi {
    HfApiBuilder::new()
        .endpoint(fx.hub.url())
        .cache_dir(fx.cache.path())
        .retry(fast_retry())
        .download_timeout(Duration::from_millis(300))
        .etag_timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

fn parallel() -> ParallelConfig {
    ParallelConfig::default()
        .with_connections(4)
        .with_chunk_size(256 * 1024)
        .with_threshold(1 << 20)
}

/// Runs `attempt` until it succeeds, checking `invariant` after each failure; at most
/// 15 times (each attempt retries every request several times itself, so more failures
/// than that mean the download makes no progress).
async fn until_done<F, Fut>(mut attempt: F, invariant: impl Fn()) -> (PathBuf, Vec<String>)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<PathBuf, hf_api::Error>>,
{
    let mut failures = Vec::new();
    loop {
        match attempt().await {
            Ok(dir) => return (dir, failures),
            Err(e) => {
                failures.push(e.to_string());
                invariant();
                assert!(failures.len() < 15, "no progress: {failures:#?}");
            }
        }
    }
}

/// Every complete blob in `repo_dir` holds what its name says (the sha256 of an LFS
/// file, the git blob sha1 of a regular one), and every file of every snapshot is a
/// relative symlink to such a blob.
fn cache_is_sound(repo_dir: &Path) {
    for entry in std::fs::read_dir(repo_dir.join("blobs"))
        .into_iter()
        .flatten()
    {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".incomplete") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let git_sha1 = {
            let mut h = sha1::Sha1::new();
            h.update(format!("blob {}\0", data.len()));
            h.update(&data);
            hex::encode(h.finalize())
        };
        assert!(
            name == sha256_hex(&data) || name == git_sha1,
            "blob {name} holds other content ({} bytes)",
            data.len()
        );
    }
    for file in walkdir::WalkDir::new(repo_dir.join("snapshots"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
    {
        let target = std::fs::read_link(file.path()).unwrap();
        assert!(target.is_relative(), "{}", file.path().display());
        let blob = file.path().parent().unwrap().join(&target);
        assert!(
            blob.is_file(),
            "{} -> {}",
            file.path().display(),
            target.display()
        );
        assert!(!target.to_string_lossy().ends_with(".incomplete"));
    }
}

/// The cache is sound and its snapshot of `fx.commit` holds `files`, with one blob per
/// file and `.gitattributes` and no partial file left.
fn snapshot_is_complete(fx: &Fx, files: &[(String, Vec<u8>)]) {
    let repo_dir = fx.repo_dir();
    cache_is_sound(&repo_dir);
    let dir = repo_dir.join("snapshots").join(&fx.commit);
    for (path, data) in files {
        assert_eq!(&std::fs::read(dir.join(path)).unwrap(), data, "{path}");
    }
    let blobs: Vec<_> = std::fs::read_dir(repo_dir.join("blobs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(blobs.len(), files.len() + 1, "{blobs:?}");
    assert!(blobs.iter().all(|b| !b.contains('.')), "{blobs:?}");
}

/// What the chaos rule injected, and the check that it covered every kind of fault.
fn report(rule: &FaultRule, failures: &[String]) {
    let drawn = rule.chaos_drawn();
    eprintln!("faults injected: {drawn:?}; attempts that failed: {failures:#?}");
    for kind in ["drop", "truncate", "corrupt", "stall"] {
        assert!(drawn.contains_key(kind), "no {kind} was drawn: {drawn:?}");
    }
    assert!(drawn.keys().any(|k| k.starts_with("status")), "{drawn:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_under_random_faults_ends_complete_and_the_cache_is_never_wrong() {
    let (fx, files) = chaos_fixture().await;
    let rule = FaultRule::any_method("/").chaos(0.3, 7);
    fx.hub.fault(rule.clone());
    let api = chaos_client(&fx);
    let repo_dir = fx.repo_dir();
    let (dir, failures) = until_done(
        || {
            api.snapshot_download("alice/m")
                .parallel(parallel())
                .into_future()
        },
        || cache_is_sound(&repo_dir),
    )
    .await;
    assert_eq!(dir, repo_dir.join("snapshots").join(&fx.commit));
    snapshot_is_complete(&fx, &files);
    assert_eq!(
        std::fs::read_to_string(repo_dir.join("refs/main")).unwrap(),
        fx.commit
    );
    report(&rule, &failures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_dir_snapshot_under_random_faults_ends_complete_with_its_metadata() {
    let (fx, files) = chaos_fixture().await;
    let rule = FaultRule::any_method("/").chaos(0.3, 11);
    fx.hub.fault(rule.clone());
    let api = chaos_client(&fx);
    let local = tempfile::tempdir().unwrap();
    // Nothing but the repo's files and the metadata folder, and no partial file outside
    // that folder (a file is written beside its metadata, then moved into place).
    let local_is_sound = || {
        for e in walkdir::WalkDir::new(local.path())
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
        {
            let rel = e.path().strip_prefix(local.path()).unwrap();
            let rel = rel.to_string_lossy().into_owned();
            if rel.starts_with(".cache/huggingface/") || rel == ".gitattributes" {
                continue;
            }
            let expected = files
                .iter()
                .find(|(p, _)| *p == rel)
                .map(|(_, d)| d.as_slice());
            assert_eq!(
                std::fs::read(e.path()).ok().as_deref(),
                expected,
                "{rel} in local_dir"
            );
        }
    };
    let (dir, failures) = until_done(
        || {
            api.snapshot_download("alice/m")
                .local_dir(local.path())
                .parallel(parallel())
                .into_future()
        },
        local_is_sound,
    )
    .await;
    local_is_sound();
    for (path, data) in &files {
        assert_eq!(&std::fs::read(dir.join(path)).unwrap(), data, "{path}");
        let meta = std::fs::read_to_string(
            dir.join(".cache/huggingface/download")
                .join(format!("{path}.metadata")),
        )
        .unwrap();
        assert_eq!(meta.lines().next(), Some(fx.commit.as_str()), "{path}");
    }
    let partial: Vec<_> = walkdir::WalkDir::new(dir.join(".cache/huggingface/download"))
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".incomplete"))
        .collect();
    assert!(partial.is_empty(), "{partial:?}");
    // Nothing went to the cache.
    assert!(!fx.repo_dir().join("blobs").exists());
    report(&rule, &failures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_snapshots_at_once_under_random_faults_share_one_sound_cache() {
    let (fx, files) = chaos_fixture().await;
    let rule = FaultRule::any_method("/").chaos(0.3, 3);
    fx.hub.fault(rule.clone());
    let repo_dir = fx.repo_dir();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..4 {
        let api = chaos_client(&fx);
        let repo_dir = repo_dir.clone();
        tasks.spawn(async move {
            let parallel = if i % 2 == 0 {
                parallel()
            } else {
                ParallelConfig::disabled()
            };
            until_done(
                || {
                    api.snapshot_download("alice/m")
                        .parallel(parallel)
                        .into_future()
                },
                || cache_is_sound(&repo_dir),
            )
            .await
        });
    }
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (dir, f) = done.unwrap();
        assert_eq!(dir, repo_dir.join("snapshots").join(&fx.commit));
        failures.extend(f);
    }
    snapshot_is_complete(&fx, &files);
    report(&rule, &failures);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_one_by_one_under_random_faults_end_complete_in_the_cache_and_a_local_dir() {
    let (fx, files) = chaos_fixture().await;
    // The `HEAD` of each file gets faults too.
    let rule = FaultRule::any_method("/").chaos(0.3, 21);
    fx.hub.fault(rule.clone());
    let api = chaos_client(&fx);
    let local = tempfile::tempdir().unwrap();
    let repo_dir = fx.repo_dir();
    let mut failures = Vec::new();
    for (path, data) in &files {
        let (p, f) = until_done(
            || {
                api.hf_hub_download("alice/m", path)
                    .parallel(parallel())
                    .into_future()
            },
            || cache_is_sound(&repo_dir),
        )
        .await;
        assert_eq!(&std::fs::read(&p).unwrap(), data, "{path}");
        failures.extend(f);
        let (p, f) = until_done(
            || {
                api.hf_hub_download("alice/m", path)
                    .local_dir(local.path())
                    .parallel(parallel())
                    .into_future()
            },
            || {},
        )
        .await;
        assert_eq!(&std::fs::read(&p).unwrap(), data, "{path}");
        failures.extend(f);
    }
    // The cache has one blob per file (no `.gitattributes` this time), none partial.
    cache_is_sound(&repo_dir);
    let blobs = std::fs::read_dir(repo_dir.join("blobs")).unwrap().count();
    assert_eq!(blobs, files.len());
    report(&rule, &failures);
}
