use std::collections::BTreeSet;
use std::fs::FileTimes;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use hf_cache::{CacheInfo, CachedFileInfo, Error, HfCache};
use hf_types::{RepoType, Revision};

use crate::{commit, id, rev, store};

fn at(secs: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
}

fn set_times(path: &Path, accessed: u64, modified: u64) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_times(
        FileTimes::new()
            .set_accessed(at(accessed))
            .set_modified(at(modified)),
    )
    .unwrap();
}

/// A cache with three healthy repos (shared blobs, several refs, a detached revision, a
/// nested file, an orphan blob, a copied-not-linked snapshot) and every kind of corrupted
/// entry Python reports.
pub(crate) fn realistic_cache() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let cache = HfCache::new(root);

    let gpt2 = cache.repo(RepoType::Model, &id("gpt2"));
    gpt2.write_ref(&Revision::main(), &commit(1)).unwrap();
    gpt2.write_ref(&rev("refs/pr/1"), &commit(2)).unwrap();
    store(&gpt2, &commit(1), "config.json", "cfg1", &[b'a'; 10]);
    store(&gpt2, &commit(1), "model.bin", "model", &[b'm'; 100]);
    store(&gpt2, &commit(2), "config.json", "cfg2", &[b'b'; 12]);
    store(&gpt2, &commit(2), "model.bin", "model", &[b'm'; 100]);
    store(&gpt2, &commit(3), "config.json", "cfg1", &[b'a'; 10]);
    gpt2.mark_no_exist(&commit(1), &crate::path("missing.txt"))
        .unwrap();
    std::fs::write(gpt2.blobs_dir().join("orphan"), [0u8; 1000]).unwrap();
    std::fs::write(gpt2.snapshots_dir().join(".DS_Store"), b"mac").unwrap();
    set_times(&gpt2.blobs_dir().join("cfg1"), 5_000, 1_000);
    set_times(&gpt2.blobs_dir().join("cfg2"), 4_000, 2_000);
    set_times(&gpt2.blobs_dir().join("model"), 3_000, 1_500);

    let ds = cache.repo(RepoType::Dataset, &id("org/ds"));
    ds.write_ref(&Revision::main(), &commit(4)).unwrap();
    ds.write_ref(&rev("v1.0"), &commit(4)).unwrap();
    store(&ds, &commit(4), "data/train/part.csv", "csv", &[b'c'; 50]);
    std::fs::create_dir_all(ds.snapshot_dir(&commit(5))).unwrap();

    let space = HfCache::new(root)
        .with_symlinks(false)
        .repo(RepoType::Space, &id("org/app"));
    store(&space, &commit(6), "app.py", "app", b"print()");

    // Corrupted entries.
    std::fs::write(root.join("version.txt"), b"1").unwrap();
    std::fs::create_dir(root.join("not-a-repo")).unwrap();
    std::fs::create_dir(root.join("widgets--a--b")).unwrap();
    std::fs::create_dir_all(root.join("models--nosnap/blobs")).unwrap();
    let broken = cache.repo(RepoType::Model, &id("broken"));
    store(&broken, &commit(7), "w.bin", "gone", b"x");
    std::fs::remove_file(broken.blobs_dir().join("gone")).unwrap();
    let dangling = cache.repo(RepoType::Model, &id("dangling"));
    store(&dangling, &commit(8), "f", "f", b"f");
    dangling.write_ref(&rev("v2"), &commit(9)).unwrap();
    std::fs::create_dir_all(root.join("models--fileinsnap/snapshots")).unwrap();
    std::fs::write(root.join("models--fileinsnap/snapshots/oops"), b"").unwrap();
    dir
}

fn repo<'a>(info: &'a CacheInfo, id: &str) -> &'a hf_cache::CachedRepoInfo {
    info.repos.iter().find(|r| r.repo_id == id).unwrap()
}

#[test]
fn scan_reports_repos_revisions_files_and_sizes_like_python() {
    let dir = realistic_cache();
    let info = HfCache::new(dir.path()).scan().unwrap();
    let root = dir.path().canonicalize().unwrap();

    let ids: Vec<&str> = info.repos.iter().map(|r| r.repo_id.as_str()).collect();
    assert_eq!(ids, ["org/ds", "gpt2", "org/app"], "sorted by folder name");
    assert_eq!(info.size_on_disk, 122 + 50 + 7);

    let gpt2 = repo(&info, "gpt2");
    assert_eq!(gpt2.repo_type, RepoType::Model);
    assert_eq!(gpt2.repo_path, root.join("models--gpt2"));
    assert_eq!(
        gpt2.size_on_disk, 122,
        "distinct blobs once; the orphan blob is not counted"
    );
    assert_eq!(gpt2.nb_files, 3);
    assert_eq!(gpt2.last_modified, at(2_000));
    assert_eq!(gpt2.last_accessed, at(5_000));
    let refs: Vec<(&str, &str)> = gpt2
        .refs()
        .into_iter()
        .map(|(r, rev)| (r, rev.commit_hash.as_str()))
        .collect();
    assert_eq!(
        refs,
        [
            ("main", commit(1).as_str()),
            ("refs/pr/1", commit(2).as_str())
        ]
    );

    let revs: Vec<(&str, u64, usize)> = gpt2
        .revisions
        .iter()
        .map(|r| (r.commit_hash.as_str(), r.size_on_disk, r.nb_files()))
        .collect();
    assert_eq!(
        revs,
        [
            (commit(1).as_str(), 110, 2),
            (commit(2).as_str(), 112, 2),
            (commit(3).as_str(), 10, 1)
        ]
    );
    let c3 = &gpt2.revisions[2];
    assert!(c3.refs.is_empty(), "detached revision");
    assert_eq!(c3.last_modified, at(1_000));
    let file = &c3.files[0];
    assert_eq!(file.file_name, "config.json");
    assert_eq!(
        file.file_path,
        root.join("models--gpt2/snapshots")
            .join(commit(3).as_str())
            .join("config.json")
    );
    assert_eq!(file.blob_path, root.join("models--gpt2/blobs/cfg1"));
    assert_eq!(
        (
            file.size_on_disk,
            file.blob_last_accessed,
            file.blob_last_modified
        ),
        (10, at(5_000), at(1_000))
    );

    let ds = repo(&info, "org/ds");
    assert_eq!(ds.repo_type, RepoType::Dataset);
    assert_eq!((ds.size_on_disk, ds.nb_files), (50, 1));
    let main = ds.refs()["main"];
    assert_eq!(
        main.refs,
        BTreeSet::from(["main".to_owned(), "v1.0".to_owned()])
    );
    assert_eq!(main.files[0].file_name, "part.csv");
    assert!(main.files[0].file_path.ends_with("data/train/part.csv"));
    let empty = &ds.revisions[1];
    assert_eq!((empty.nb_files(), empty.size_on_disk), (0, 0));
    assert_eq!(
        empty.last_modified,
        std::fs::metadata(&empty.snapshot_path)
            .unwrap()
            .modified()
            .unwrap()
    );

    let app = repo(&info, "org/app");
    assert_eq!(app.repo_type, RepoType::Space);
    let f = &app.revisions[0].files[0];
    assert_eq!(f.blob_path, f.file_path, "a copied file is its own blob");
    assert_eq!(app.size_on_disk, 7);
}

#[test]
fn scan_collects_corrupted_entries_as_warnings() {
    let dir = realistic_cache();
    let info = HfCache::new(dir.path()).scan().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let warnings: Vec<(PathBuf, &str)> = info
        .warnings
        .iter()
        .map(|w| {
            (
                w.repo_path.strip_prefix(&root).unwrap().to_path_buf(),
                w.message.as_str(),
            )
        })
        .collect();
    let expect = |name: &str, fragment: &str| {
        let found = warnings.iter().find(|(p, _)| p == Path::new(name));
        let (_, msg) = found.unwrap_or_else(|| panic!("no warning for {name}: {warnings:?}"));
        assert!(msg.contains(fragment), "{name}: {msg}");
    };
    expect("version.txt", "Repo path is not a directory");
    expect("not-a-repo", "not a valid HuggingFace cache directory");
    expect(
        "widgets--a--b",
        "Repo type must be `dataset`, `model` or `space`, found `widget`",
    );
    expect(
        "models--nosnap",
        "Snapshots dir doesn't exist in cached repo",
    );
    expect("models--broken", "Blob missing (broken symlink)");
    expect("models--broken", "blobs/gone");
    expect(
        "models--dangling",
        "Reference(s) refer to missing commit hashes",
    );
    expect(
        "models--fileinsnap",
        "Snapshots folder corrupted. Found a file",
    );
    assert_eq!(warnings.len(), 7, "{warnings:?}");
    assert!(!warnings.iter().any(|(p, _)| p == Path::new(".locks")));
}

#[test]
fn scan_fails_only_for_a_missing_or_non_directory_cache() {
    let dir = tempfile::tempdir().unwrap();
    let missing = HfCache::new(dir.path().join("nope")).scan().unwrap_err();
    assert!(matches!(missing, Error::CacheNotFound { .. }), "{missing}");
    assert!(missing.to_string().contains("HF_HUB_CACHE"));
    std::fs::write(dir.path().join("file"), b"").unwrap();
    let file = HfCache::new(dir.path().join("file")).scan().unwrap_err();
    assert!(matches!(file, Error::NotADirectory { .. }), "{file}");
    let empty = HfCache::new(dir.path()).scan().unwrap();
    assert_eq!(empty.size_on_disk, 0);
}

#[test]
fn delete_strategy_keeps_blobs_still_used_by_other_revisions() {
    let dir = realistic_cache();
    let info = HfCache::new(dir.path()).scan().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let gpt2 = root.join("models--gpt2");

    // c1's blobs are both used elsewhere (cfg1 by c3, model by c2): nothing is freed.
    let s = info.delete_revisions([commit(1).as_str()]);
    assert_eq!(
        s.snapshots,
        BTreeSet::from([gpt2.join("snapshots").join(commit(1).as_str())])
    );
    assert_eq!(s.refs, BTreeSet::from([gpt2.join("refs/main")]));
    assert!(s.blobs.is_empty() && s.repos.is_empty());
    assert_eq!(s.expected_freed_size, 0);

    // With c3 gone too, cfg1 is alone.
    let s = info.delete_revisions([commit(1).as_str(), commit(3).as_str()]);
    assert_eq!(s.blobs, BTreeSet::from([gpt2.join("blobs/cfg1")]));
    assert_eq!(s.expected_freed_size, 10);

    // Every revision of a repo: the whole folder.
    let s = info.delete_revisions(
        [commit(1), commit(2), commit(3)]
            .iter()
            .map(hf_types::CommitOid::as_str),
    );
    assert_eq!(s.repos, BTreeSet::from([gpt2.clone()]));
    assert!(s.snapshots.is_empty() && s.refs.is_empty() && s.blobs.is_empty());
    assert_eq!(s.expected_freed_size, 122);

    // Across repos, with an unknown hash.
    let unknown = "f".repeat(40);
    let s = info.delete_revisions([commit(4).as_str(), commit(2).as_str(), unknown.as_str()]);
    let ds = root.join("datasets--org--ds");
    assert_eq!(
        s.refs,
        BTreeSet::from([
            ds.join("refs/main"),
            ds.join("refs/v1.0"),
            gpt2.join("refs/refs/pr/1")
        ])
    );
    assert_eq!(
        s.blobs,
        BTreeSet::from([ds.join("blobs/csv"), gpt2.join("blobs/cfg2")])
    );
    assert_eq!(s.expected_freed_size, 50 + 12);
    assert_eq!(s.not_found, BTreeSet::from([unknown]));
}

#[test]
fn executing_a_strategy_leaves_a_consistent_cache() {
    let dir = realistic_cache();
    let cache = HfCache::new(dir.path());
    let before = cache.scan().unwrap();
    let strategy =
        before.delete_revisions([commit(1).as_str(), commit(3).as_str(), commit(6).as_str()]);
    assert!(strategy.execute().is_empty());

    let after = cache.scan().unwrap();
    assert_eq!(
        after.size_on_disk,
        before.size_on_disk - strategy.expected_freed_size
    );
    assert!(
        after.repos.iter().all(|r| r.repo_id != "org/app"),
        "whole repo deleted"
    );
    let gpt2 = repo(&after, "gpt2");
    let commits: Vec<&str> = gpt2
        .revisions
        .iter()
        .map(|r| r.commit_hash.as_str())
        .collect();
    assert_eq!(commits, [commit(2).as_str()]);
    assert_eq!(
        gpt2.refs().keys().copied().collect::<Vec<_>>(),
        ["refs/pr/1"]
    );
    assert_eq!(gpt2.size_on_disk, 112);
    let root = dir.path();
    assert!(!root.join("models--gpt2/blobs/cfg1").exists());
    assert!(
        root.join("models--gpt2/blobs/orphan").exists(),
        "unreferenced blobs are not the strategy's business"
    );
    assert!(
        root.join("models--gpt2/.no_exist")
            .join(commit(1).as_str())
            .join("missing.txt")
            .exists()
    );
    assert_eq!(after.warnings.len(), before.warnings.len());

    // Executing again reports what is already gone instead of failing.
    let failures = strategy.execute();
    assert_eq!(
        failures.len(),
        strategy.repos.len()
            + strategy.snapshots.len()
            + strategy.refs.len()
            + strategy.blobs.len()
    );
    assert!(
        failures
            .iter()
            .all(|f| f.error.kind() == std::io::ErrorKind::NotFound)
    );
}

fn file<'a>(info: &'a CacheInfo, repo_id: &str, commit: u8, name: &str) -> &'a CachedFileInfo {
    repo(info, repo_id)
        .revisions
        .iter()
        .find(|r| r.commit_hash == crate::commit(commit).as_str())
        .and_then(|r| {
            r.files
                .iter()
                .find(|f| f.file_path == r.snapshot_path.join(name))
        })
        .unwrap()
}

#[test]
fn deleting_files_removes_their_entries_and_only_the_blobs_nothing_else_uses() {
    let dir = realistic_cache();
    let cache = HfCache::new(dir.path());
    let before = cache.scan().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let gpt2 = root.join("models--gpt2");
    let snap = |n: u8| gpt2.join("snapshots").join(commit(n).as_str());

    // c1's config.json shares its blob with c3: the entry goes, the blob stays.
    let s = before.delete_files([file(&before, "gpt2", 1, "config.json")]);
    assert_eq!(s.files, BTreeSet::from([snap(1).join("config.json")]));
    assert!(s.blobs.is_empty() && s.snapshots.is_empty() && s.refs.is_empty());
    assert!(s.repos.is_empty());
    assert_eq!(s.expected_freed_size, 0);

    // Both entries of that blob: the blob goes too.
    let s = before.delete_files([
        file(&before, "gpt2", 1, "config.json"),
        file(&before, "gpt2", 3, "config.json"),
    ]);
    assert_eq!(s.blobs, BTreeSet::from([gpt2.join("blobs/cfg1")]));
    assert_eq!(s.expected_freed_size, 10);

    // A copy (a cache without symlinks) is its own blob.
    let app = file(&before, "org/app", 6, "app.py");
    let s = before.delete_files([app]);
    assert_eq!(s.files, BTreeSet::from([app.file_path.clone()]));
    assert!(s.blobs.is_empty());
    assert_eq!(s.expected_freed_size, 7);

    // Executed: c2's config.json (alone), c1's model.bin (shared with c2), a nested
    // file and the copy.
    let chosen = [
        file(&before, "gpt2", 2, "config.json"),
        file(&before, "gpt2", 1, "model.bin"),
        file(&before, "org/ds", 4, "data/train/part.csv"),
        app,
    ];
    let s = before.delete_files(chosen);
    assert_eq!(
        s.blobs,
        BTreeSet::from([
            gpt2.join("blobs/cfg2"),
            root.join("datasets--org--ds/blobs/csv")
        ])
    );
    assert_eq!(s.expected_freed_size, 12 + 50 + 7);
    assert!(s.execute().is_empty());
    let after = cache.scan().unwrap();
    assert_eq!(
        after.size_on_disk,
        before.size_on_disk - s.expected_freed_size
    );
    let names = |info: &CacheInfo, id: &str, n: u8| -> Vec<String> {
        repo(info, id)
            .revisions
            .iter()
            .find(|r| r.commit_hash == commit(n).as_str())
            .map(|r| r.files.iter().map(|f| f.file_name.clone()).collect())
            .unwrap()
    };
    assert_eq!(names(&after, "gpt2", 1), ["config.json"]);
    assert!(names(&after, "gpt2", 2).contains(&"model.bin".to_owned()));
    assert!(!names(&after, "gpt2", 2).contains(&"config.json".to_owned()));
    // Snapshots and refs stay, even emptied ones.
    assert!(names(&after, "org/ds", 4).is_empty());
    assert!(names(&after, "org/app", 6).is_empty());
    assert_eq!(repo(&after, "gpt2").refs().len(), 2);
    assert_eq!(repo(&after, "org/ds").refs().len(), 2);
    assert!(gpt2.join("blobs/model").exists());
    assert_eq!(after.warnings.len(), before.warnings.len());
    // Again: entries already gone are not failures (the blobs are).
    let failures = s.execute();
    assert_eq!(failures.len(), s.blobs.len());
}

#[test]
fn sizes_and_ages_format_like_python_scan_cache() {
    use hf_cache::{format_size, format_timesince};
    let cases = [
        (0, "0.0"),
        (999, "999.0"),
        (1000, "1.0K"),
        (42_200, "42.2K"),
        (893_800_000, "893.8M"),
        (3_400_000_000, "3.4G"),
    ];
    for (bytes, text) in cases {
        assert_eq!(format_size(bytes), text, "{bytes}");
    }
    let now = at(100_000_000);
    let ago = |secs: u64| format_timesince(now - Duration::from_secs(secs), now);
    assert_eq!(ago(19), "a few seconds ago");
    assert_eq!(ago(20), "20 seconds ago");
    assert_eq!(ago(90), "2 minutes ago", "round half to even: 1.5 -> 2");
    assert_eq!(ago(150), "2 minutes ago", "round half to even: 2.5 -> 2");
    assert_eq!(ago(3600), "60 minutes ago");
    assert_eq!(ago(86_400), "24 hours ago");
    assert_eq!(ago(86_400 + 3600 * 12 + 60), "2 days ago");
    assert_eq!(ago(14 * 86_400), "2 weeks ago");
    assert_eq!(ago(7 * 604_800), "2 months ago");
    assert_eq!(ago(3 * 31_536_000), "3 years ago");
}
