use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use hf_cache::{Error, HfCache, LockMode, LockedFile};
use hf_types::RepoType;

use crate::{commit, etag, id, store};

const CHILD_ENV: &str = "HF_CACHE_TEST_LOCK_PATH";

#[test]
fn exclusive_locks_exclude_and_shared_locks_share() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nested/dir/x.lock");
    let shared = LockedFile::acquire(&p, LockMode::Shared, None).unwrap();
    let shared2 = LockedFile::try_acquire(&p, LockMode::Shared).unwrap();
    assert!(shared2.is_some(), "shared locks coexist");
    assert!(
        LockedFile::try_acquire(&p, LockMode::Exclusive)
            .unwrap()
            .is_none()
    );
    drop((shared, shared2));
    let excl = LockedFile::try_acquire(&p, LockMode::Exclusive)
        .unwrap()
        .unwrap();
    assert!(
        LockedFile::try_acquire(&p, LockMode::Shared)
            .unwrap()
            .is_none()
    );
    assert_eq!(excl.path(), p);
    drop(excl);
    assert!(
        p.is_file(),
        "lock files stay in place, as with Python's filelock"
    );
}

#[test]
fn lock_timeout_names_the_lock_file() {
    let dir = tempfile::tempdir().unwrap();
    let cache = HfCache::new(dir.path()).with_lock_timeout(Some(Duration::from_millis(20)));
    let repo = cache.repo(RepoType::Model, &id("gpt2"));
    let held = repo.lock_blob(&etag("e1")).unwrap();
    let err = repo.lock_blob(&etag("e1")).unwrap_err();
    assert!(err.is_lock_timeout(), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains(&held.lock_path().display().to_string()),
        "{msg}"
    );
    assert!(msg.contains("raise the lock timeout"), "{msg}");
    // Another blob of the same repo is not blocked.
    assert!(repo.try_lock_blob(&etag("e2")).unwrap().is_some());
    drop(held);
    assert!(repo.try_lock_blob(&etag("e1")).unwrap().is_some());
}

#[test]
fn waiter_rechecks_after_acquiring_and_skips_the_download() {
    let dir = tempfile::tempdir().unwrap();
    let repo = HfCache::new(dir.path()).repo(RepoType::Model, &id("gpt2"));
    let e = etag("shared");
    let (locked_tx, locked_rx) = mpsc::channel();
    let (go_tx, go_rx) = mpsc::channel();
    std::thread::scope(|s| {
        let (repo, e) = (&repo, &e);
        let writer = s.spawn(move || {
            let lock = repo.lock_blob(e).unwrap();
            locked_tx.send(()).unwrap();
            go_rx.recv().unwrap();
            let mut partial = lock.open_incomplete().unwrap();
            partial.write_all(b"content").unwrap();
            partial.finish(Some(7)).unwrap();
        });
        locked_rx.recv().unwrap();
        // The writer holds the lock until we let it go: contention is certain.
        assert!(repo.try_lock_blob(e).unwrap().is_none());
        go_tx.send(()).unwrap();
        let lock = repo.lock_blob(e).unwrap();
        assert!(
            lock.is_complete(),
            "after the wait the blob is there: no second download"
        );
        writer.join().unwrap();
    });
}

#[test]
fn concurrent_threads_download_a_blob_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let repo = HfCache::new(dir.path()).repo(RepoType::Model, &id("gpt2"));
    let downloads = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..8u8 {
            let (repo, downloads) = (&repo, &downloads);
            s.spawn(move || {
                let e = etag("one");
                let lock = repo.lock_blob(&e).unwrap();
                if !lock.is_complete() {
                    downloads.fetch_add(1, Ordering::SeqCst);
                    let mut partial = lock.open_incomplete().unwrap();
                    partial.write_all(b"payload").unwrap();
                    partial.finish(Some(7)).unwrap();
                }
                repo.link_snapshot(
                    &commit(t + 1),
                    &crate::path("f.bin"),
                    &e,
                    hf_cache::BlobOrigin::Existing,
                )
                .unwrap();
            });
        }
    });
    assert_eq!(downloads.load(Ordering::SeqCst), 1);
    assert_eq!(
        std::fs::read(repo.blob_path(&etag("one")).unwrap()).unwrap(),
        b"payload"
    );
}

/// Not a test on its own: the child half of `lock_is_exclusive_across_processes`.
/// It takes the lock named by `HF_CACHE_TEST_LOCK_PATH`, prints `LOCKED`, and holds the
/// lock until its stdin closes. Run without that variable (`--include-ignored`), it
/// has nothing to do.
#[test]
#[ignore = "helper process for lock_is_exclusive_across_processes"]
fn lock_holder_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let lock = LockedFile::acquire(path, LockMode::Exclusive, None).unwrap();
    println!("LOCKED");
    std::io::stdout().flush().unwrap();
    let mut sink = String::new();
    while std::io::stdin().read_line(&mut sink).unwrap() > 0 {}
    drop(lock);
}

#[test]
fn lock_is_exclusive_across_processes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = HfCache::new(dir.path()).with_lock_timeout(Some(Duration::from_millis(10)));
    let repo = cache.repo(RepoType::Model, &id("gpt2"));
    let e = etag("e1");
    let lock_path = repo.lock_path(&e).unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "lock::lock_holder_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &lock_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = stdout.lines();
    loop {
        let line = lines.next().expect("child exited before locking").unwrap();
        if line.contains("LOCKED") {
            break;
        }
    }

    assert!(
        repo.try_lock_blob(&e).unwrap().is_none(),
        "the child process holds the lock"
    );
    let err = repo.lock_blob(&e).unwrap_err();
    assert!(matches!(err, Error::LockTimeout { .. }), "{err}");

    drop(child.stdin.take()); // let the child release and exit
    for _ in lines {}
    assert!(child.wait().unwrap().success());
    let lock = repo
        .try_lock_blob(&e)
        .unwrap()
        .expect("released when the child exits");
    assert!(!lock.is_complete());
    drop(lock);
    store(&repo, &commit(1), "f", "e1", b"x");
}
