//! Uploads under random faults ([`FaultRule::chaos`]): statuses, and answers broken off,
//! cut short, corrupted or stalled, on the Hub's API and on the storage the LFS parts go
//! to. Running the upload again until it succeeds must end with the folder's exact files
//! in the repo, whatever was committed or sent before.

use std::future::IntoFuture as _;
use std::path::Path;
use std::time::Duration;

use hf_api::http::Token;
use hf_api::types::RepoType;
use hf_api::{HfApi, HfApiBuilder};
use hf_testhub::{FaultRule, TestHub};

use crate::api_support::ALICE;
use crate::download::fast_retry;
use crate::upload::{content, fetch, files, upload_hub};

/// Small text files and LFS files of one to five multipart parts (64 KiB each).
fn chaos_folder(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for i in 0..6u8 {
        out.push((format!("text/{i}.txt"), format!("text {i}").into_bytes()));
    }
    for i in 0..6u8 {
        let len = 50_000 + 40_000 * usize::from(i);
        out.push((format!("weights/{i}.bin"), content(len, i)));
    }
    for (p, c) in &out {
        let f = root.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, c).unwrap();
    }
    out
}

/// alice's client, retrying quickly, giving up on a stalled answer after 0.5 s.
fn chaos_client(hub: &TestHub) -> HfApi {
    HfApiBuilder::new()
        .endpoint(hub.url())
        .token(Token::new(ALICE).unwrap())
        .retry(fast_retry())
        .attempt_timeout(Some(Duration::from_millis(500)))
        .read_timeout(Some(Duration::from_millis(500)))
        .build()
        .unwrap()
}

/// Says what the chaos `rule` injected and which tries failed, then checks that `repo`
/// holds `expected` and `.gitattributes`.
async fn repo_holds(
    hub: &TestHub,
    repo: &str,
    expected: &[(String, Vec<u8>)],
    (rule, failures): (&FaultRule, &[String]),
) {
    let drawn = rule.chaos_drawn();
    eprintln!("faults injected: {drawn:?}; attempts that failed: {failures:#?}");
    assert!(drawn.values().sum::<u32>() >= 5, "{drawn:?}");
    hub.clear_faults();
    let api = chaos_client(hub);
    let mut want: Vec<String> = expected.iter().map(|(p, _)| p.clone()).collect();
    want.push(".gitattributes".into());
    want.sort();
    assert_eq!(files(&api, repo, "main").await, want);
    for (p, c) in expected {
        assert_eq!(&fetch(&api, "", repo, "main", p).await, c, "{p}");
    }
}

/// Runs `attempt` until it succeeds (at most 15 times) and returns the failures.
async fn until_done<F, Fut, T>(mut attempt: F) -> Vec<String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, hf_api::Error>>,
{
    let mut failures = Vec::new();
    while let Err(e) = attempt().await {
        // The whole chain, as the CLI prints it.
        let mut text = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            text = format!("{text}: {c}");
            cause = c.source();
        }
        failures.push(text);
        assert!(failures.len() < 15, "no progress: {failures:#?}");
    }
    failures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_folder_under_random_faults_ends_with_the_folders_files() {
    let hub = upload_hub().await;
    let api = chaos_client(&hub);
    api.create_repo("alice/chaos").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let expected = chaos_folder(dir.path());
    let rule = FaultRule::any_method("/").chaos(0.35, 5);
    hub.fault(rule.clone());
    let failures = until_done(|| {
        api.upload_folder("alice/chaos", dir.path())
            .commit_message("chaos")
            .into_future()
    })
    .await;
    repo_holds(&hub, "alice/chaos", &expected, (&rule, &failures)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_large_folder_under_random_faults_ends_with_the_folders_files() {
    let hub = upload_hub().await;
    let api = chaos_client(&hub);
    let dir = tempfile::tempdir().unwrap();
    let expected = chaos_folder(dir.path());
    let rule = FaultRule::any_method("/").chaos(0.35, 9);
    hub.fault(rule.clone());
    let failures = until_done(|| {
        api.upload_large_folder("alice/large-chaos", dir.path(), RepoType::Model)
            .num_workers(2)
            .max_files_per_commit(2, 3)
            .into_future()
    })
    .await;
    repo_holds(&hub, "alice/large-chaos", &expected, (&rule, &failures)).await;
}

fn completions(hub: &TestHub) -> Vec<u16> {
    hub.requests()
        .iter()
        .filter(|r| r.method == http::Method::POST && r.path().ends_with("/complete"))
        .map(|r| r.status.as_u16())
        .collect()
}

/// The call that completes a multipart upload, after every part is sent, is retried
/// after a 5xx; and when its answer is lost after the upload was completed (the retry is
/// then refused, as the upload is finished), the object is found there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multipart_completion_is_retried_and_a_lost_answer_is_checked() {
    let hub = upload_hub().await;
    let api = chaos_client(&hub);
    api.create_repo("alice/complete").await.unwrap();
    let completion = || {
        FaultRule::regex(
            Some(http::Method::POST),
            "^/multipart/[0-9a-f]{64}/complete",
        )
        .unwrap()
        .times(1)
    };
    hub.fault(completion().fail(503));
    let big = content(150 * 1024, 3); // 3 parts
    api.upload_file("alice/complete", "big.bin", big.clone())
        .await
        .unwrap();
    assert_eq!(completions(&hub), [503, 200]);
    assert_eq!(
        fetch(&api, "", "alice/complete", "main", "big.bin").await,
        big
    );

    hub.clear_requests();
    hub.fault(completion().drop_after(0));
    let other = content(150 * 1024, 4);
    api.upload_file("alice/complete", "other.bin", other.clone())
        .await
        .unwrap();
    // The first one completed the upload (its answer was lost), the retry was refused.
    assert_eq!(completions(&hub), [200, 400]);
    assert_eq!(
        fetch(&api, "", "alice/complete", "main", "other.bin").await,
        other
    );
}

/// The parts of a multipart upload, and basic uploads, are sent again with the client's
/// retry settings, after a 429 too (storage throttling an upload), and each retry is
/// announced through the settings' hook as the stack's own retries are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_uploads_retry_with_the_clients_settings_and_announce_it() {
    let hub = upload_hub().await;
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = events.clone();
    let api = HfApiBuilder::new()
        .endpoint(hub.url())
        .token(Token::new(ALICE).unwrap())
        .retry(fast_retry().on_retry(move |e| sink.lock().unwrap().push(e.to_string())))
        .build()
        .unwrap();
    api.create_repo("alice/throttled").await.unwrap();
    let put = |prefix: &str| {
        FaultRule::new(http::Method::PUT, prefix)
            .on(hf_testhub::Listener::Cdn)
            .times(1)
    };
    hub.fault(put("/multipart/").fail(429));
    hub.fault(put("/upload/").fail(503));
    let big = content(150 * 1024, 7); // 3 parts
    let small = content(10_000, 8); // one basic upload
    api.upload_file("alice/throttled", "big.bin", big.clone())
        .await
        .unwrap();
    api.upload_file("alice/throttled", "small.bin", small.clone())
        .await
        .unwrap();
    assert_eq!(
        fetch(&api, "", "alice/throttled", "main", "big.bin").await,
        big
    );
    assert_eq!(
        fetch(&api, "", "alice/throttled", "main", "small.bin").await,
        small
    );
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 2, "{events:#?}");
    assert!(
        events[0].starts_with("PUT http://127.0.0.1:")
            && events[0].contains("/multipart/")
            && events[0].contains("sig=[redacted]")
            && events[0].ends_with("answered 429 Too Many Requests; retrying in 0.0s (retry 1)"),
        "{events:#?}"
    );
    assert!(
        events[1].contains("/upload/") && events[1].contains("answered 503"),
        "{events:#?}"
    );
}

/// A commit refused with 429 (the Hub throttling its callers) was not carried out: it is
/// sent again once the wait the Hub asks for is over, and made once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_refused_with_429_is_sent_again_after_the_wait() {
    let commit_statuses = |hub: &TestHub| -> Vec<u16> {
        let commits = hub.requests().into_iter();
        commits
            .filter(|r| r.path().starts_with("/api/models/alice/busy/commit/"))
            .map(|r| r.status.as_u16())
            .collect()
    };
    let hub = upload_hub().await;
    let api = chaos_client(&hub);
    api.create_repo("alice/busy").await.unwrap();
    hub.fault(
        FaultRule::regex(Some(http::Method::POST), "^/api/models/alice/busy/commit/")
            .unwrap()
            .fail_times(1, 429)
            .retry_after(0),
    );
    api.upload_file("alice/busy", "a.txt", b"hello".to_vec())
        .await
        .unwrap();
    assert_eq!(commit_statuses(&hub), [429, 200]);
    assert_eq!(
        fetch(&api, "", "alice/busy", "main", "a.txt").await,
        b"hello"
    );

    // Regular files from disk, streamed into the payload (24 MB of base64, more than
    // anyone would hold in memory to send again): read again for the second sending.
    // (An emulator that takes files up to 10 MiB inline, and a client without the short
    // timeouts above.)
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    let api = HfApiBuilder::new()
        .endpoint(hub.url())
        .token(Token::new(ALICE).unwrap())
        .retry(fast_retry())
        .build()
        .unwrap();
    api.create_repo("alice/busy").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<(String, Vec<u8>)> = (0..3)
        .map(|i| {
            let content = format!("file {i} ").repeat(900_000).into_bytes();
            (format!("f{i}.txt"), content)
        })
        .collect();
    for (name, content) in &files {
        std::fs::write(dir.path().join(name), content).unwrap();
    }
    hub.fault(
        FaultRule::regex(Some(http::Method::POST), "^/api/models/alice/busy/commit/")
            .unwrap()
            .fail_times(1, 429)
            .retry_after(0),
    );
    api.upload_folder("alice/busy", dir.path()).await.unwrap();
    assert!(
        !hub.requests()
            .iter()
            .any(|r| r.path().contains("/info/lfs/"))
    );
    assert_eq!(commit_statuses(&hub), [429, 200]);
    for (name, content) in &files {
        assert_eq!(&fetch(&api, "", "alice/busy", "main", name).await, content);
    }
}
