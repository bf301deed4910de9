//! Downloads from real processes sharing one cache: this test binary re-runs itself
//! (the ignored `child_download` entry point) as the other processes.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use hf_api::download::ParallelConfig;
use hf_api::progress::{Progress, ProgressEvent};
use hf_testhub::Listener;

use crate::download::{check_snapshot, client, fixture, pace_cdn, range_start, sha256_hex};

fn chunks() -> ParallelConfig {
    ParallelConfig::default()
        .with_connections(2)
        .with_chunk_size(256 * 1024)
        .with_threshold(1 << 20)
}

/// Prints the bytes written so far, one line per event, for the parent to follow.
#[derive(Debug, Default)]
struct Printer(AtomicU64);

impl Progress for Printer {
    fn on_event(&self, event: ProgressEvent<'_>) {
        if let ProgressEvent::Advance { bytes, .. } = event {
            let total = self.0.fetch_add(bytes, Ordering::Relaxed) + bytes;
            println!("advanced {total}");
        }
    }
}

/// Entry point of the child processes (`HF_DL_CHILD_*` tell it what to do); ignored
/// in normal runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run by the process tests as a child process"]
async fn child_download() {
    let endpoint = std::env::var("HF_DL_CHILD_ENDPOINT").expect("run by a parent test");
    let cache = std::env::var("HF_DL_CHILD_CACHE").unwrap();
    let api = client(&endpoint, cache.as_ref());
    // "snapshot" or "big" (the file `big.bin`), in parallel; with " single", in one stream.
    let mode = std::env::var("HF_DL_CHILD_MODE").unwrap_or_default();
    let parallel = if mode.ends_with("single") {
        ParallelConfig::disabled()
    } else {
        chunks()
    };
    if mode.starts_with("snapshot") {
        api.snapshot_download("alice/m")
            .parallel(parallel)
            .await
            .unwrap();
    } else {
        api.hf_hub_download("alice/m", "big.bin")
            .parallel(parallel)
            .progress(std::sync::Arc::new(Printer::default()))
            .await
            .unwrap();
    }
    println!("child done");
}

fn spawn_child(endpoint: &str, cache: &std::path::Path, mode: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "download_process::child_download",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("HF_DL_CHILD_ENDPOINT", endpoint)
        .env("HF_DL_CHILD_CACHE", cache)
        .env("HF_DL_CHILD_MODE", mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_and_two_tasks_share_one_cache() {
    let fx = fixture().await;
    // Bodies slow enough that the downloads overlap (and meet on the blob locks).
    pace_cdn(&fx.hub, 4 << 20);
    let children: Vec<Child> = (0..8)
        .map(|i| {
            let mode = if i % 2 == 0 {
                "snapshot"
            } else {
                "snapshot single"
            };
            spawn_child(&fx.hub.url(), fx.cache.path(), mode)
        })
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..2 {
        let api = fx.api();
        let parallel = if i % 2 == 0 {
            chunks()
        } else {
            ParallelConfig::disabled()
        };
        tasks.spawn(async move { api.snapshot_download("alice/m").parallel(parallel).await });
    }
    while let Some(res) = tasks.join_next().await {
        res.unwrap().unwrap();
    }
    for child in children {
        let out = tokio::task::spawn_blocking(move || child.wait_with_output())
            .await
            .unwrap()
            .unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("child done"));
    }
    let dir = fx.repo_dir().join("snapshots").join(&fx.commit);
    check_snapshot(&fx, &dir);
}

/// Starts a child downloading `big.bin` (`mode`: "big" in parallel, "big single" in
/// one stream) from a slow CDN, and SIGKILLs it once it has received `bytes`.
async fn kill_mid_download(fx: &crate::download::Fx, mode: &str, bytes: u64) {
    // Slow bodies, so the child is killed mid-download.
    pace_cdn(&fx.hub, 1 << 20);
    let mut child = spawn_child(&fx.hub.url(), fx.cache.path(), mode);
    let stdout = child.stdout.take().unwrap();
    // Wait (on the child's own reports), then SIGKILL it.
    let reached = tokio::task::spawn_blocking(move || {
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(n) = line.strip_prefix("advanced ")
                && n.parse::<u64>().unwrap() >= bytes
            {
                return true;
            }
        }
        false
    })
    .await
    .unwrap();
    assert!(reached);
    child.kill().unwrap();
    child.wait().unwrap();
    fx.hub.clear_faults();
}

/// Marks the requests of the run that resumes: the emulator may still log a request the
/// killed child sent just before it died.
const RESUMING: &str = "x-test-resuming";

/// Resumes the download of `big.bin` in this process (requests marked [`RESUMING`]).
async fn resume(fx: &crate::download::Fx, parallel: ParallelConfig) {
    let p = fx
        .api()
        .hf_hub_download("alice/m", "big.bin")
        .parallel(parallel)
        .header(
            http::HeaderName::from_static(RESUMING),
            http::HeaderValue::from_static("1"),
        )
        .await
        .unwrap();
    assert!(std::fs::read(p).unwrap() == fx.big, "content differs");
}

/// The `Range` header of every CDN request of the resuming run (`None` without one).
fn resumed_ranges(fx: &crate::download::Fx) -> Vec<Option<String>> {
    fx.hub
        .requests()
        .iter()
        .filter(|r| r.listener == Listener::Cdn && r.header(RESUMING).is_some())
        .map(|r| r.header("range").map(str::to_owned))
        .collect()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_single_stream_resumes_from_the_length_written() {
    let fx = fixture().await;
    // Received bytes may still be in the write buffers: with 2 MiB received, some
    // are on disk.
    kill_mid_download(&fx, "big single", 2 << 20).await;
    // The file's blocks were reserved up front, but its length is still the bytes
    // written: that is where we (and Python) resume.
    let etag = sha256_hex(&fx.big);
    let partial = fx
        .repo_dir()
        .join("blobs")
        .join(format!("{etag}.incomplete"));
    let written = std::fs::read(&partial).unwrap();
    assert!(!written.is_empty() && written.len() < fx.big.len());
    assert!(
        written == fx.big[..written.len()],
        "not a prefix of the file"
    );
    resume(&fx, ParallelConfig::disabled()).await;
    let resumed_at = format!("bytes={}-", written.len());
    assert_eq!(resumed_ranges(&fx), [Some(resumed_at)]);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_process_resumes_without_refetching() {
    let fx = fixture().await;
    kill_mid_download(&fx, "big", 1 << 20).await;

    let etag = sha256_hex(&fx.big);
    let ranges = fx
        .repo_dir()
        .join("blobs")
        .join(format!("{etag}.parallel.ranges"));
    let done: Vec<u64> = std::fs::read_to_string(&ranges)
        .unwrap()
        .lines()
        .skip(1)
        // `{start} {end}` per finished chunk (a torn last line is skipped).
        .filter_map(|l| l.split_once(' ')?.0.parse::<u64>().ok())
        .collect();
    assert!(!done.is_empty(), "{done:?}");
    resume(&fx, chunks()).await;
    let starts: Vec<u64> = resumed_ranges(&fx)
        .iter()
        .flatten()
        .map(|r| range_start(r))
        .collect();
    for s in &starts {
        assert!(!done.contains(s), "chunk at {s} fetched again: {starts:?}");
    }
    assert_eq!(starts.len(), 12 - done.len(), "{starts:?}");
}
