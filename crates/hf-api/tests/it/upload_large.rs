//! `upload_large_folder` against the emulator: several bounded commits, Python's
//! metadata files, and resuming after a failed or dropped run without hashing,
//! uploading or committing finished files again.

use std::path::Path;
use std::sync::Arc;

use hf_api::types::RepoType;
use hf_cache::LocalDir;
use hf_testhub::{FaultRule, Listener, TestHub};
use http::Method;
use sha2::{Digest, Sha256};

use crate::api_support::{ALICE, client};
use crate::upload::{content, fetch, files, upload_hub};

pub(crate) const REGULAR: usize = 7;
pub(crate) const LFS: usize = 6;

/// A folder with `REGULAR` small files, `LFS` files over the hub's LFS threshold, and
/// files that must never be uploaded.
pub(crate) fn folder(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for i in 0..REGULAR {
        out.push((format!("small/{i}.txt"), format!("small {i}").into_bytes()));
    }
    for i in 0..LFS {
        out.push((format!("big/{i}.bin"), content(3000 + i * 100, i as u8)));
    }
    for (p, c) in &out {
        let f = root.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, c).unwrap();
    }
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join(".git/config"), "[core]").unwrap();
    out
}

fn puts(hub: &TestHub) -> Vec<String> {
    hub.requests()
        .into_iter()
        .filter(|r| r.listener == Listener::Cdn && r.method == Method::PUT)
        .map(|r| r.path().to_owned())
        .collect()
}

fn oid(c: &[u8]) -> String {
    hex::encode(Sha256::digest(c))
}

async fn check_repo(hub: &TestHub, expected: &[(String, Vec<u8>)]) {
    let api = client(hub, Some(ALICE));
    let mut want: Vec<String> = expected.iter().map(|(p, _)| p.clone()).collect();
    want.push(".gitattributes".into());
    want.sort();
    assert_eq!(files(&api, "alice/large", "main").await, want);
    for (p, c) in expected {
        assert_eq!(&fetch(&api, "", "alice/large", "main", p).await, c, "{p}");
    }
}

/// From a [`saved_state`] taken after an interrupted run: how many files were
/// committed, how many were not hashed yet, and the oids already uploaded.
fn progress(
    expected: &[(String, Vec<u8>)],
    state: &[(String, bool, bool, bool)],
) -> (usize, usize, Vec<String>) {
    let committed = state.iter().filter(|s| s.3).count();
    let not_hashed = state.iter().filter(|s| !s.1).count();
    let uploaded = expected
        .iter()
        .zip(state)
        .filter(|(_, s)| s.2)
        .map(|((_, c), _)| oid(c))
        .collect();
    (committed, not_hashed, uploaded)
}

/// (hashed, LFS uploaded, committed) per file, from the saved metadata.
fn saved_state(root: &Path, expected: &[(String, Vec<u8>)]) -> Vec<(String, bool, bool, bool)> {
    let local = LocalDir::new(root);
    expected
        .iter()
        .map(|(p, _)| {
            let m = local
                .read_upload_metadata(&hf_api::types::RepoPath::new(p.as_str()).unwrap())
                .unwrap();
            (p.clone(), m.sha256.is_some(), m.is_uploaded, m.is_committed)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_in_bounded_commits_and_a_rerun_does_nothing() {
    let hub = upload_hub().await;
    let api = client(&hub, Some(ALICE));
    let dir = tempfile::tempdir().unwrap();
    let expected = folder(dir.path());
    let reports = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = reports.clone();
    let report = api
        .upload_large_folder("alice/large", dir.path(), RepoType::Model)
        .num_workers(3)
        .max_files_per_commit(2, 3)
        .on_report(move |r| seen.lock().unwrap().push(r.clone()))
        .await
        .unwrap();
    assert_eq!(report.total_files, REGULAR + LFS);
    assert_eq!(report.committed, REGULAR + LFS);
    assert_eq!(report.hashed_this_run, REGULAR + LFS);
    assert_eq!(report.uploaded_this_run, LFS);
    assert!(
        report.commits_this_run >= (LFS / 2).max(REGULAR / 3),
        "{report:?}"
    );
    assert!(!reports.lock().unwrap().is_empty());
    check_repo(&hub, &expected).await;
    let lfs_files = std::fs::read_to_string(
        dir.path()
            .join(".cache/huggingface/upload/big/0.bin.metadata"),
    )
    .unwrap();
    let lines: Vec<&str> = lfs_files.lines().collect();
    assert_eq!(lines.len(), 7, "{lfs_files:?}");
    assert_eq!(
        &lines[1..],
        ["3000", "0", &oid(&expected[REGULAR].1), "lfs", "1", "1"]
    );

    hub.clear_requests();
    let again = api
        .upload_large_folder("alice/large", dir.path(), RepoType::Model)
        .await
        .unwrap();
    assert_eq!(again.commits_this_run, 0);
    assert_eq!(again.hashed_this_run, 0);
    let paths: Vec<String> = hub.requests().iter().map(|r| r.path().to_owned()).collect();
    assert_eq!(paths, ["/api/repos/create"], "only the create_repo call");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_run_resumes_without_redoing_finished_files() {
    let hub = upload_hub().await;
    let api = client(&hub, Some(ALICE));
    let dir = tempfile::tempdir().unwrap();
    let expected = folder(dir.path());
    // two LFS objects cannot be uploaded: the run fails after retrying them
    let blocked = [oid(&expected[REGULAR].1), oid(&expected[REGULAR + 1].1)];
    hub.fault(
        FaultRule::regex(
            Some(Method::PUT),
            &format!("^/upload/({}|{})", blocked[0], blocked[1]),
        )
        .unwrap()
        .on(Listener::Cdn)
        .fail(400),
    );
    let err = api
        .upload_large_folder("alice/large", dir.path(), RepoType::Model)
        .num_workers(2)
        .max_files_per_commit(2, 3)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("big/"), "{err}");
    let after_first = saved_state(dir.path(), &expected);
    let committed_first = after_first.iter().filter(|s| s.3).count();
    let not_hashed = after_first.iter().filter(|s| !s.1).count();
    let uploaded: Vec<String> = expected
        .iter()
        .zip(&after_first)
        .filter(|(_, s)| s.2)
        .map(|((_, c), _)| oid(c))
        .collect();
    assert!(committed_first < REGULAR + LFS);

    hub.clear_faults();
    hub.clear_requests();
    let report = api
        .upload_large_folder("alice/large", dir.path(), RepoType::Model)
        .num_workers(2)
        .max_files_per_commit(2, 3)
        .await
        .unwrap();
    check_repo(&hub, &expected).await;
    // every file committed exactly once over the two runs
    assert_eq!(committed_first + report.committed_this_run, REGULAR + LFS);
    assert_eq!(report.hashed_this_run, not_hashed);
    let second_puts = puts(&hub);
    for o in &uploaded {
        assert!(
            !second_puts.iter().any(|p| p.contains(o.as_str())),
            "{o} was uploaded again"
        );
    }
    for b in &blocked {
        assert!(second_puts.iter().any(|p| p.contains(b.as_str())));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_run_resumes_without_uploading_finished_files_again() {
    let hub = upload_hub().await;
    let api = client(&hub, Some(ALICE));
    let dir = tempfile::tempdir().unwrap();
    let expected = folder(dir.path());
    let stop = Arc::new(tokio::sync::Notify::new());
    let signal = stop.clone();
    let run = api
        .upload_large_folder("alice/large", dir.path(), RepoType::Model)
        .num_workers(2)
        .max_files_per_commit(2, 2)
        .on_report(move |r| {
            if r.committed >= 3 {
                signal.notify_one();
            }
        });
    tokio::select! {
        r = run => { r.unwrap(); }
        () = stop.notified() => {} // drops the upload mid-run
    }
    let after_first = saved_state(dir.path(), &expected);
    let (committed_first, not_hashed, uploaded) = progress(&expected, &after_first);
    assert!(committed_first >= 3);

    hub.clear_requests();
    let report = api
        .upload_large_folder("alice/large", dir.path(), RepoType::Model)
        .num_workers(2)
        .await
        .unwrap();
    check_repo(&hub, &expected).await;
    assert_eq!(report.hashed_this_run, not_hashed);
    assert!(report.committed_this_run <= REGULAR + LFS - committed_first);
    let second_puts = puts(&hub);
    for o in &uploaded {
        assert!(
            !second_puts.iter().any(|p| p.contains(o.as_str())),
            "{o} was uploaded again"
        );
    }
}

/// Run by [`a_killed_process_resumes`] in a child copy of this test binary: uploads the
/// folder named by `HF_LARGE_CHILD_FOLDER` to `HF_LARGE_CHILD_ENDPOINT`, printing
/// `committed N` after every report. Returns at once in a normal test run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_uploader() {
    let (Ok(endpoint), Ok(folder)) = (
        std::env::var("HF_LARGE_CHILD_ENDPOINT"),
        std::env::var("HF_LARGE_CHILD_FOLDER"),
    ) else {
        return;
    };
    let api = hf_api::HfApiBuilder::new()
        .endpoint(endpoint)
        .token(hf_api::Token::new(ALICE).unwrap())
        .build()
        .unwrap();
    api.upload_large_folder("alice/large", folder, RepoType::Model)
        .num_workers(2)
        .max_files_per_commit(2, 2)
        .on_report(|r| {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "committed {}", r.committed);
            let _ = out.flush();
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_process_resumes() {
    use std::io::BufRead as _;

    let hub = upload_hub().await;
    let api = client(&hub, Some(ALICE));
    let dir = tempfile::tempdir().unwrap();
    let expected = folder(dir.path());
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "upload_large::child_uploader",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("HF_LARGE_CHILD_ENDPOINT", hub.url())
        .env("HF_LARGE_CHILD_FOLDER", dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Read the child's reports on a blocking thread; SIGKILL it after 3 committed files.
    let killed = tokio::task::spawn_blocking(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line.unwrap();
            if let Some(n) = line.strip_prefix("committed ")
                && n.trim().parse::<usize>().unwrap() >= 3
            {
                child.kill().unwrap(); // SIGKILL: no destructor runs
                break;
            }
        }
        child.wait().unwrap()
    })
    .await
    .unwrap();
    assert!(!killed.success(), "the child was killed before it finished");

    let after_kill = saved_state(dir.path(), &expected);
    let (committed_first, not_hashed, uploaded) = progress(&expected, &after_kill);
    assert!(committed_first >= 3);

    hub.clear_requests();
    let report = api
        .upload_large_folder("alice/large", dir.path(), RepoType::Model)
        .num_workers(2)
        .await
        .unwrap();
    check_repo(&hub, &expected).await;
    assert_eq!(report.hashed_this_run, not_hashed);
    assert_eq!(committed_first + report.committed_this_run, REGULAR + LFS);
    let second_puts = puts(&hub);
    for o in &uploaded {
        assert!(
            !second_puts.iter().any(|p| p.contains(o.as_str())),
            "{o} was uploaded again"
        );
    }
}
