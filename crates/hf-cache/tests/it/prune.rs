//! `CacheInfo::prune`: detached revisions, partial downloads no one is writing, and
//! shared contents no repo links to.

use std::path::Path;

use hf_cache::HfCache;
use hf_types::{RepoType, Revision};

use crate::{commit, etag, id, store};

const XET: &str = "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";

/// A store (as the newest Python client lays it out) holding `XET`, whose manifest
/// lists a link that no longer exists, and a second content without a manifest.
fn unlinked_store(root: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let store = root.join("blobs");
    std::fs::create_dir_all(store.join("cd")).unwrap();
    std::fs::write(store.join(".huggingface-shared-blobs"), "1\n").unwrap();
    let unlinked = store.join("cd").join(XET);
    std::fs::write(&unlinked, vec![1u8; 700]).unwrap();
    std::fs::write(
        store.join("cd").join(format!("{XET}.refs")),
        "models--gone--repo/blobs/abcd\n",
    )
    .unwrap();
    let other = "cdee".repeat(16);
    let no_manifest = store.join("cd").join(&other);
    std::fs::write(&no_manifest, vec![2u8; 50]).unwrap();
    (unlinked, no_manifest)
}

#[test]
fn prune_removes_what_nothing_needs_and_keeps_what_a_download_writes() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let cache = HfCache::new(&root);
    // gpt2: main at 1, commit 2 detached (its own blob "old", and "shared" with main).
    let gpt2 = cache.repo(RepoType::Model, &id("gpt2"));
    gpt2.write_ref(&Revision::main(), &commit(1)).unwrap();
    store(&gpt2, &commit(1), "w.bin", "shared", &[1; 100]);
    store(&gpt2, &commit(2), "w.bin", "shared", &[1; 100]);
    store(&gpt2, &commit(2), "old.txt", "old", &[2; 30]);
    // org/x: only a detached revision, so the whole repo goes.
    let x = cache.repo(RepoType::Dataset, &id("org/x"));
    store(&x, &commit(3), "d.csv", "csv", &[3; 40]);
    // Partial downloads: two abandoned (one parallel, with its range record), one
    // being written right now (its lock is held).
    let blobs = gpt2.blobs_dir();
    std::fs::write(blobs.join("a1.incomplete"), [0; 5]).unwrap();
    std::fs::write(blobs.join("b2.parallel.incomplete"), [0; 7]).unwrap();
    std::fs::write(blobs.join("b2.parallel.ranges"), "0-7\n").unwrap();
    // A small file's lock-less temporary, just written (kept), and one from a crash.
    std::fs::write(blobs.join("d4.0a1b2c3d.incomplete"), [0; 3]).unwrap();
    let crashed = blobs.join("d5.9f8e7d6c.incomplete");
    std::fs::write(&crashed, [0; 2]).unwrap();
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&crashed)
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    let busy = gpt2.lock_blob(&etag("c3")).unwrap();
    std::fs::write(busy.incomplete_path(), [0; 11]).unwrap();
    let (unlinked, no_manifest) = unlinked_store(&root);

    let info = cache.scan().unwrap();
    assert!(info.warnings.is_empty(), "{:?}", info.warnings);
    let names: Vec<_> = info
        .incomplete_files
        .iter()
        .map(|f| (f.file_path.file_name().unwrap().to_owned(), f.size_on_disk))
        .collect();
    assert_eq!(
        names,
        [
            ("a1.incomplete".into(), 5),
            ("b2.parallel.incomplete".into(), 7),
            ("c3.incomplete".into(), 11),
            ("d4.0a1b2c3d.incomplete".into(), 3),
            ("d5.9f8e7d6c.incomplete".into(), 2),
        ]
    );
    let plan = info.prune();
    let detached: Vec<&str> = plan.revisions.iter().map(String::as_str).collect();
    assert_eq!(detached, [commit(2).as_str(), commit(3).as_str()]);
    assert_eq!(plan.strategy.repos.len(), 1);
    assert_eq!(plan.shared_contents, [(unlinked.clone(), 700)]);
    // old.txt 30 + org/x 40 + partial 5 + 7 + 11 + 3 + 2 + unlinked content 700.
    assert_eq!(plan.expected_freed_size, 30 + 40 + 5 + 7 + 11 + 3 + 2 + 700);

    let outcome = plan.execute();
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    assert_eq!(
        outcome.in_use,
        [
            busy.incomplete_path().to_owned(),
            blobs.join("d4.0a1b2c3d.incomplete")
        ]
    );
    assert!(!crashed.exists());
    assert!(
        busy.incomplete_path().exists(),
        "a running download keeps its file"
    );
    for gone in [
        "a1.incomplete",
        "b2.parallel.incomplete",
        "b2.parallel.ranges",
        "old",
    ] {
        assert!(!blobs.join(gone).exists(), "{gone}");
    }
    assert!(blobs.join("shared").exists() && !x.path().exists());
    assert!(
        !unlinked.exists() && no_manifest.exists(),
        "no manifest: kept"
    );
    drop(busy);

    // What is left needs nothing more, except the partial file now free.
    let plan = cache.scan().unwrap().prune();
    assert!(plan.revisions.is_empty() && plan.shared_contents.is_empty());
    assert_eq!(plan.incomplete_files.len(), 2);
    assert_eq!(
        plan.execute().in_use.len(),
        1,
        "the fresh temporary is still kept"
    );
}

/// Without symlinks, a snapshot holds copies: deleting the revision deletes them with
/// its folder (and counts them), without a second, failing deletion of each "blob".
#[test]
fn copied_files_go_with_their_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let cache = HfCache::new(dir.path()).with_symlinks(false);
    let app = cache.repo(RepoType::Space, &id("org/app"));
    app.write_ref(&Revision::main(), &commit(2)).unwrap();
    store(&app, &commit(1), "app.py", "a1", &[1; 25]);
    store(&app, &commit(2), "app.py", "a2", &[2; 30]);
    let info = cache.scan().unwrap();
    let plan = info.delete_revisions([commit(1).as_str()]);
    assert_eq!(plan.expected_freed_size, 25);
    assert!(plan.blobs.is_empty(), "{plan:?}");
    assert!(plan.execute().is_empty());
    assert!(!app.snapshot_dir(&commit(1)).exists() && app.snapshot_dir(&commit(2)).exists());
}
