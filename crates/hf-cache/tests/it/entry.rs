use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use hf_cache::{BlobOrigin, CachedFile, Error, HfCache};
use hf_types::{RepoType, Revision};

use crate::{commit, etag, id, path, read_link, rev, store};

#[test]
fn download_layout_matches_python_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let cache = HfCache::new(dir.path());
    let repo = cache.repo(RepoType::Dataset, &id("user/ds"));
    let c = commit(1);
    assert!(repo.write_ref(&Revision::main(), &c).unwrap());
    store(&repo, &c, "config.json", "aaa", b"{}");
    store(&repo, &c, "data/train/part-0.parquet", "bbb", b"rows");

    let root = dir.path().join("datasets--user--ds");
    assert_eq!(repo.path(), root);
    assert_eq!(
        std::fs::read(root.join("refs/main")).unwrap(),
        c.as_str().as_bytes()
    );
    assert_eq!(std::fs::read(root.join("blobs/aaa")).unwrap(), b"{}");
    let snap = root.join("snapshots").join(c.as_str());
    assert_eq!(
        read_link(&snap.join("config.json")),
        Path::new("../../blobs/aaa")
    );
    assert_eq!(
        read_link(&snap.join("data/train/part-0.parquet")),
        Path::new("../../../../blobs/bbb")
    );
    assert_eq!(
        std::fs::read(snap.join("data/train/part-0.parquet")).unwrap(),
        b"rows"
    );
    assert!(
        dir.path()
            .join(".locks/datasets--user--ds/aaa.lock")
            .is_file()
    );

    // Nothing else: no temporary entries left anywhere in the repo folder.
    let mut entries: Vec<String> = walkdir::WalkDir::new(&root)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            e.unwrap()
                .path()
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    entries.sort();
    let snap_rel = format!("snapshots/{c}");
    let expected = [
        "blobs".to_owned(),
        "blobs/aaa".to_owned(),
        "blobs/bbb".to_owned(),
        "refs".to_owned(),
        "refs/main".to_owned(),
        "snapshots".to_owned(),
        snap_rel.clone(),
        format!("{snap_rel}/config.json"),
        format!("{snap_rel}/data"),
        format!("{snap_rel}/data/train"),
        format!("{snap_rel}/data/train/part-0.parquet"),
    ];
    assert_eq!(entries, expected);
}

#[test]
fn refs_nest_and_are_written_only_when_they_change() {
    let dir = tempfile::tempdir().unwrap();
    let repo = HfCache::new(dir.path()).repo(RepoType::Model, &id("org/m"));
    let pr = rev("refs/pr/1");
    assert!(repo.write_ref(&pr, &commit(1)).unwrap());
    let file = dir.path().join("models--org--m/refs/refs/pr/1");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), commit(1).as_str());
    assert_eq!(repo.read_ref(&pr).unwrap(), Some(commit(1)));
    assert_eq!(repo.resolve_revision(&pr).unwrap(), Some(commit(1)));
    assert_eq!(repo.read_ref(&rev("v1")).unwrap(), None);

    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let inode = std::fs::metadata(&file).unwrap().ino();
        assert!(
            !repo.write_ref(&pr, &commit(1)).unwrap(),
            "unchanged ref must not be rewritten"
        );
        assert_eq!(std::fs::metadata(&file).unwrap().ino(), inode);
        assert!(repo.write_ref(&pr, &commit(2)).unwrap());
        assert_ne!(
            std::fs::metadata(&file).unwrap().ino(),
            inode,
            "replaced by rename"
        );
    }
    // A revision that is the commit itself is never stored as a ref.
    let c3 = commit(3);
    assert!(!repo.write_ref(&Revision::from(c3.clone()), &c3).unwrap());
    assert_eq!(
        repo.resolve_revision(&Revision::from(c3.clone())).unwrap(),
        Some(c3)
    );

    let err = repo.ref_path(&rev("../../escape")).unwrap_err();
    assert!(matches!(err, Error::UnsafePath { .. }), "{err}");
}

#[test]
fn concurrent_readers_never_see_a_partial_ref() {
    let dir = tempfile::tempdir().unwrap();
    let repo = HfCache::new(dir.path()).repo(RepoType::Model, &id("gpt2"));
    let main = Revision::main();
    repo.write_ref(&main, &commit(1)).unwrap();
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let mut reads = 0u32;
            while !done.load(Ordering::Relaxed) || reads == 0 {
                let got = repo.read_ref(&main).expect("a reader saw a partial ref");
                assert!(got == Some(commit(1)) || got == Some(commit(2)), "{got:?}");
                reads += 1;
            }
            reads
        });
        for i in 0..300u32 {
            repo.write_ref(&main, &commit(1 + u8::from(i % 2 == 1)))
                .unwrap();
        }
        done.store(true, Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    });
}

#[test]
fn corrupted_ref_is_reported_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let repo = HfCache::new(dir.path()).repo(RepoType::Model, &id("gpt2"));
    std::fs::create_dir_all(repo.refs_dir()).unwrap();
    std::fs::write(repo.refs_dir().join("main"), format!("{}\n", commit(1))).unwrap();
    let err = repo.read_ref(&Revision::main()).unwrap_err();
    assert!(matches!(err, Error::Corrupted { .. }), "{err}");
    assert!(err.to_string().contains("refs/main"), "{err}");
}

#[test]
fn incomplete_blob_resumes_and_is_renamed_only_when_complete() {
    let dir = tempfile::tempdir().unwrap();
    let repo = HfCache::new(dir.path()).repo(RepoType::Model, &id("gpt2"));
    let e = etag("cafe");
    let lock = repo.lock_blob(&e).unwrap();
    assert!(!lock.is_complete());

    let mut partial = lock.open_incomplete().unwrap();
    assert_eq!(partial.resume_offset(), 0);
    assert_eq!(
        partial.path(),
        dir.path().join("models--gpt2/blobs/cafe.incomplete")
    );
    partial.write_all(b"hello ").unwrap();
    drop(partial); // interrupted download
    assert!(!repo.has_blob(&e).unwrap());

    let mut partial = lock.open_incomplete().unwrap();
    assert_eq!(
        partial.resume_offset(),
        6,
        "resume from the bytes already on disk"
    );
    partial.write_all(b"world").unwrap();
    let err = lock
        .open_incomplete()
        .unwrap()
        .finish(Some(99))
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::SizeMismatch {
                expected: 99,
                actual: 11,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        lock.incomplete_path().is_file(),
        "a wrong size keeps the partial file"
    );

    let blob = partial.finish(Some(11)).unwrap();
    assert_eq!(blob, lock.blob_path());
    assert_eq!(std::fs::read(&blob).unwrap(), b"hello world");
    assert!(!lock.incomplete_path().exists());
    assert!(lock.is_complete());
}

#[test]
fn restart_and_discard_drop_partial_content() {
    let dir = tempfile::tempdir().unwrap();
    let repo = HfCache::new(dir.path()).repo(RepoType::Model, &id("gpt2"));
    let lock = repo.lock_blob(&etag("beef")).unwrap();
    let mut partial = lock.open_incomplete().unwrap();
    partial.write_all(b"garbage").unwrap();
    partial.restart().unwrap();
    assert_eq!(partial.resume_offset(), 0);
    partial.write_all(b"ok").unwrap();
    assert_eq!(std::fs::read(partial.finish(None).unwrap()).unwrap(), b"ok");

    let lock = repo.lock_blob(&etag("dead")).unwrap();
    lock.open_incomplete().unwrap().write_all(b"x").unwrap();
    lock.discard_incomplete().unwrap();
    assert!(!lock.incomplete_path().exists());
    lock.discard_incomplete().unwrap();
}

#[test]
fn relinking_replaces_a_stale_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let repo = HfCache::new(dir.path()).repo(RepoType::Model, &id("gpt2"));
    let c = commit(1);
    store(&repo, &c, "a.txt", "e1", b"one");
    store(&repo, &c, "b.txt", "e2", b"two");
    let p = repo
        .link_snapshot(&c, &path("a.txt"), &etag("e2"), BlobOrigin::Existing)
        .unwrap();
    assert_eq!(read_link(&p), Path::new("../../blobs/e2"));
    assert_eq!(std::fs::read(&p).unwrap(), b"two");
    assert_eq!(repo.cached_pointer(&c, &path("a.txt")).unwrap(), Some(p));
    assert_eq!(
        repo.cached_file(&rev(c.as_str()), &path("b.txt"))
            .unwrap()
            .unwrap(),
        repo.snapshot_path(&c, &path("b.txt")).unwrap()
    );
}

#[test]
fn without_symlinks_new_blobs_move_and_existing_blobs_copy() {
    let dir = tempfile::tempdir().unwrap();
    let cache = HfCache::new(dir.path()).with_symlinks(false);
    let repo = cache.repo(RepoType::Model, &id("gpt2"));
    let c = commit(1);
    store(&repo, &c, "new.bin", "n1", b"fresh");
    let pointer = repo.snapshot_path(&c, &path("new.bin")).unwrap();
    assert!(
        !std::fs::symlink_metadata(&pointer)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&pointer).unwrap(), b"fresh");
    assert!(
        !repo.has_blob(&etag("n1")).unwrap(),
        "a fresh blob is moved, like Python"
    );

    let blob = repo.blob_path(&etag("x1")).unwrap();
    std::fs::create_dir_all(blob.parent().unwrap()).unwrap();
    std::fs::write(&blob, b"shared").unwrap();
    let copy = repo
        .link_snapshot(&c, &path("sub/old.bin"), &etag("x1"), BlobOrigin::Existing)
        .unwrap();
    assert!(
        !std::fs::symlink_metadata(&copy)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&copy).unwrap(), b"shared");
    assert!(
        blob.is_file(),
        "an existing blob is copied, it may back other entries"
    );
}

#[test]
fn try_to_load_from_cache_has_pythons_three_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let cache = HfCache::new(dir.path());
    let gpt2 = id("gpt2");
    let cfg = path("config.json");
    assert_eq!(
        cache.try_to_load_from_cache(RepoType::Model, &gpt2, &cfg, None),
        CachedFile::NotCached
    );

    let repo = cache.repo(RepoType::Model, &gpt2);
    let c1 = commit(1);
    repo.write_ref(&Revision::main(), &c1).unwrap();
    store(&repo, &c1, "config.json", "e1", b"{}");
    let expected = dir
        .path()
        .join("models--gpt2/snapshots")
        .join(c1.as_str())
        .join("config.json");
    assert_eq!(
        cache.try_to_load_from_cache(RepoType::Model, &gpt2, &cfg, None),
        CachedFile::Found(expected.clone())
    );
    assert_eq!(
        cache.try_to_load_from_cache(RepoType::Model, &gpt2, &cfg, Some(&rev(c1.as_str()))),
        CachedFile::Found(expected)
    );
    // Same id, other repo type: a different folder.
    assert_eq!(
        cache.try_to_load_from_cache(RepoType::Dataset, &gpt2, &cfg, None),
        CachedFile::NotCached
    );
    // A file absent from the snapshot, and an unknown revision.
    assert_eq!(
        cache.try_to_load_from_cache(RepoType::Model, &gpt2, &path("other.json"), None),
        CachedFile::NotCached
    );
    assert_eq!(
        cache.try_to_load_from_cache(RepoType::Model, &gpt2, &cfg, Some(&rev("v2"))),
        CachedFile::NotCached
    );

    // `.no_exist` wins, resolved through the ref.
    let missing = path("sub/missing.json");
    assert!(!repo.is_no_exist(&c1, &missing).unwrap());
    repo.mark_no_exist(&c1, &missing).unwrap();
    assert!(
        dir.path()
            .join("models--gpt2/.no_exist")
            .join(c1.as_str())
            .join("sub/missing.json")
            .is_file()
    );
    assert!(repo.is_no_exist(&c1, &missing).unwrap());
    assert_eq!(
        cache.try_to_load_from_cache(RepoType::Model, &gpt2, &missing, None),
        CachedFile::NonExistent
    );
    assert_eq!(
        cache.try_to_load_from_cache(RepoType::Model, &gpt2, &missing, Some(&rev(c1.as_str()))),
        CachedFile::NonExistent
    );
    // Moving main to a commit without marker makes it unknown again.
    repo.write_ref(&Revision::main(), &commit(2)).unwrap();
    assert_eq!(
        cache.try_to_load_from_cache(RepoType::Model, &gpt2, &missing, None),
        CachedFile::NotCached
    );
    // A ref whose content would escape the repo folder is simply not cached.
    std::fs::write(repo.refs_dir().join("evil"), "../../..").unwrap();
    assert_eq!(
        cache.try_to_load_from_cache(RepoType::Model, &gpt2, &cfg, Some(&rev("evil"))),
        CachedFile::NotCached
    );
}

#[test]
fn pointer_from_cache_reuses_blobs_shared_by_another_revision() {
    let dir = tempfile::tempdir().unwrap();
    let repo = HfCache::new(dir.path()).repo(RepoType::Model, &id("gpt2"));
    let (c1, c2) = (commit(1), commit(2));
    let f = path("sub/w.bin");
    assert_eq!(
        repo.pointer_from_cache(&c1, &f, &etag("w")).unwrap(),
        None,
        "download needed"
    );
    store(&repo, &c1, "sub/w.bin", "w", b"weights");
    let existing = repo
        .pointer_from_cache(&c1, &f, &etag("w"))
        .unwrap()
        .unwrap();
    assert_eq!(existing, repo.snapshot_path(&c1, &f).unwrap());
    // Same content at another commit: linked, not downloaded.
    let linked = repo
        .pointer_from_cache(&c2, &f, &etag("w"))
        .unwrap()
        .unwrap();
    assert_eq!(read_link(&linked), Path::new("../../../blobs/w"));
    assert_eq!(std::fs::read(linked).unwrap(), b"weights");
}

#[cfg(unix)]
#[test]
fn incomplete_files_accept_positioned_writes() {
    use std::os::unix::fs::FileExt as _;
    let dir = tempfile::tempdir().unwrap();
    let repo = HfCache::new(dir.path()).repo(RepoType::Model, &id("gpt2"));
    let lock = repo.lock_blob(&etag("ranges")).unwrap();
    let partial = lock.open_incomplete().unwrap();
    // Two "range requests" landing out of order.
    partial.as_file().write_at(b"world", 6).unwrap();
    partial.as_file().write_at(b"hello ", 0).unwrap();
    let blob = partial.finish(Some(11)).unwrap();
    assert_eq!(std::fs::read(blob).unwrap(), b"hello world");
}

/// `write_blob` puts the bytes in place (creating `blobs/`), leaves no temporary file,
/// gives the blob the permissions a plain file created here gets, and can run again
/// over an existing blob (a concurrent writer of the same bytes).
#[test]
fn write_blob_lands_whole_with_plain_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let cache = HfCache::new(dir.path());
    let repo = cache.repo(RepoType::Model, &id("user/m"));
    let e = etag("abc123");
    let blob = repo.write_blob(&e, b"content").unwrap();
    assert_eq!(blob, repo.blob_path(&e).unwrap());
    assert_eq!(std::fs::read(&blob).unwrap(), b"content");
    assert!(repo.has_blob(&e).unwrap());
    repo.write_blob(&e, b"content").unwrap();
    let names: Vec<String> = std::fs::read_dir(repo.blobs_dir())
        .unwrap()
        .map(|d| d.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["abc123"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&blob), mode(&plain));
    }
}
