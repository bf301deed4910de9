use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hf_cache::local_dir::parse_download_metadata;
use hf_cache::{LocalDir, UploadMetadata, UploadMode};

use crate::{commit, etag, path, rev};

const SHA256_OF_HELLO: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

fn set_mtime(p: &Path, secs: f64) {
    let t = UNIX_EPOCH + Duration::from_secs_f64(secs);
    std::fs::File::options()
        .write(true)
        .open(p)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[test]
fn paths_and_gitignore_match_python() {
    let dir = tempfile::tempdir().unwrap();
    let local = LocalDir::new(dir.path());
    let p = local
        .download_paths(&path("sub/model.safetensors"))
        .unwrap();
    let hf = dir.path().join(".cache/huggingface");
    assert_eq!(p.file_path, dir.path().join("sub/model.safetensors"));
    assert_eq!(
        p.metadata_path,
        hf.join("download/sub/model.safetensors.metadata")
    );
    assert_eq!(p.lock_path, hf.join("download/sub/model.safetensors.lock"));
    assert_eq!(
        p.incomplete_path(&etag("e1")),
        hf.join("download/sub/model.safetensors.e1.incomplete")
    );
    assert!(dir.path().join("sub").is_dir() && hf.join("download/sub").is_dir());
    assert_eq!(std::fs::read(hf.join(".gitignore")).unwrap(), b"*");
    assert!(!hf.join(".gitignore.lock").exists());

    let u = local.upload_paths(&path("README")).unwrap();
    assert_eq!(u.metadata_path, hf.join("upload/README.metadata"));
    assert_eq!(u.lock_path, hf.join("upload/README.lock"));
}

#[test]
fn download_metadata_round_trips_in_pythons_format() {
    let dir = tempfile::tempdir().unwrap();
    let local = LocalDir::new(dir.path());
    let file = path("config.json");
    let paths = local.download_paths(&file).unwrap();
    std::fs::write(&paths.file_path, b"{}").unwrap();
    let before = now();
    let written = local
        .write_download_metadata(&file, &commit(1), &etag("abc"))
        .unwrap();

    let text = std::fs::read_to_string(&paths.metadata_path).unwrap();
    let lines: Vec<&str> = text.split('\n').collect();
    assert_eq!(lines.len(), 4, "three newline-terminated lines: {text:?}");
    assert_eq!(
        (lines[0], lines[1], lines[3]),
        (commit(1).as_str(), "abc", "")
    );
    assert!(lines[2].contains('.'), "Python float text: {}", lines[2]);
    let ts: f64 = lines[2].parse().unwrap();
    assert!(ts >= before - 1.0);
    assert_eq!(
        lines[2],
        format!("{:?}", written.timestamp),
        "the text is the exact float"
    );

    let read = local.read_download_metadata(&file).unwrap().unwrap();
    assert_eq!(read, written);
    // What Python itself writes parses too (integral float, trailing spaces).
    let py = parse_download_metadata("c0ffee\n e1 \n1712656091.0\n").unwrap();
    assert_eq!(
        (py.commit_hash.as_str(), py.etag.as_str(), py.timestamp),
        ("c0ffee", "e1", 1_712_656_091.0)
    );
}

#[test]
fn metadata_is_valid_only_while_the_file_is_unmodified() {
    let dir = tempfile::tempdir().unwrap();
    let local = LocalDir::new(dir.path());
    let file = path("w.bin");
    let paths = local.download_paths(&file).unwrap();
    assert_eq!(
        local.read_download_metadata(&file).unwrap(),
        None,
        "no metadata"
    );
    std::fs::write(&paths.file_path, b"x").unwrap();
    let m = local
        .write_download_metadata(&file, &commit(1), &etag("e"))
        .unwrap();

    set_mtime(&paths.file_path, m.timestamp + 0.9);
    assert!(
        local.read_download_metadata(&file).unwrap().is_some(),
        "1 s of slack"
    );
    set_mtime(&paths.file_path, m.timestamp + 1.5);
    assert_eq!(
        local.read_download_metadata(&file).unwrap(),
        None,
        "edited after download"
    );
    assert!(
        paths.metadata_path.exists(),
        "outdated metadata is ignored, not deleted"
    );

    std::fs::remove_file(&paths.file_path).unwrap();
    assert_eq!(
        local.read_download_metadata(&file).unwrap(),
        None,
        "file gone"
    );

    std::fs::write(&paths.file_path, b"x").unwrap();
    std::fs::write(&paths.metadata_path, "c\ne\nnot-a-float\n").unwrap();
    assert_eq!(local.read_download_metadata(&file).unwrap(), None);
    assert!(
        !paths.metadata_path.exists(),
        "unparsable metadata is deleted"
    );
}

#[test]
fn up_to_date_rules_of_local_dir_downloads() {
    let dir = tempfile::tempdir().unwrap();
    let local = LocalDir::new(dir.path());
    let file = path("weights.bin");
    let paths = local.download_paths(&file).unwrap();
    let c1 = rev(commit(1).as_str());

    // Nothing local: never up to date.
    assert_eq!(local.up_to_date_at_commit(&file, &c1).unwrap(), None);
    assert!(
        !local
            .refresh_if_up_to_date(&file, &etag("e1"), &commit(1))
            .unwrap()
    );

    std::fs::write(&paths.file_path, b"hello").unwrap();
    // No metadata, git-sha1-style etag: cannot tell, download again.
    assert!(
        !local
            .refresh_if_up_to_date(&file, &etag("e1"), &commit(1))
            .unwrap()
    );
    // No metadata, sha256 etag equal to the file's hash: up to date, metadata written.
    let lfs = etag(SHA256_OF_HELLO);
    assert!(
        local
            .refresh_if_up_to_date(&file, &lfs, &commit(1))
            .unwrap()
    );
    let m = local.read_download_metadata(&file).unwrap().unwrap();
    assert_eq!(
        (m.commit_hash.as_str(), m.etag.as_str()),
        (commit(1).as_str(), SHA256_OF_HELLO)
    );

    // Fast path by commit.
    assert_eq!(
        local.up_to_date_at_commit(&file, &c1).unwrap(),
        Some(paths.file_path.clone())
    );
    assert_eq!(
        local
            .up_to_date_at_commit(&file, &rev(commit(2).as_str()))
            .unwrap(),
        None
    );
    assert_eq!(
        local.up_to_date_at_commit(&file, &rev("main")).unwrap(),
        None
    );

    // Same etag at a newer commit: up to date, metadata moves to the new commit.
    assert!(
        local
            .refresh_if_up_to_date(&file, &lfs, &commit(2))
            .unwrap()
    );
    let m = local.read_download_metadata(&file).unwrap().unwrap();
    assert_eq!(m.commit_hash, commit(2).as_str());
    // A different etag: stale.
    assert!(
        !local
            .refresh_if_up_to_date(&file, &etag("other"), &commit(3))
            .unwrap()
    );
}

/// Every file and folder under `root`, to show that a look changed nothing.
fn tree(root: &Path) -> Vec<(std::path::PathBuf, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut todo = vec![root.to_owned()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                todo.push(p.clone());
                out.push((p, None));
            } else {
                let bytes = std::fs::read(&p).unwrap();
                out.push((p, Some(bytes)));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn dry_run_looks_follow_the_same_rules_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("local");
    let local = LocalDir::new(&root);
    let file = path("sub/weights.bin");
    let lfs = etag(SHA256_OF_HELLO);

    // A folder that does not exist stays that way.
    let p = local.paths_of(&file).unwrap();
    let hf = root.join(".cache/huggingface/download/sub");
    assert_eq!(p.file_path, root.join("sub/weights.bin"));
    assert_eq!(p.metadata_path, hf.join("weights.bin.metadata"));
    assert_eq!(p.lock_path, hf.join("weights.bin.lock"));
    assert_eq!(local.peek_download_metadata(&file).unwrap(), None);
    assert!(!local.holds(&file, &lfs).unwrap());
    assert!(!root.exists(), "nothing created");

    // No metadata: an LFS file is recognised by its hash, a git etag is not.
    let paths = local.download_paths(&file).unwrap();
    std::fs::write(&paths.file_path, b"hello").unwrap();
    let before = tree(&root);
    assert!(local.holds(&file, &lfs).unwrap());
    assert!(!local.holds(&file, &etag("e1")).unwrap());
    assert_eq!(tree(&root), before, "no metadata written");

    // Valid metadata decides by its etag, as the locked read does.
    local
        .write_download_metadata(&file, &commit(1), &etag("e1"))
        .unwrap();
    assert_eq!(
        local.peek_download_metadata(&file).unwrap(),
        local.read_download_metadata(&file).unwrap()
    );
    assert!(local.holds(&file, &etag("e1")).unwrap());
    assert!(
        !local.holds(&file, &lfs).unwrap(),
        "metadata wins over the hash"
    );

    // Edited since: the metadata is ignored, and the hash decides again.
    let m = local.peek_download_metadata(&file).unwrap().unwrap();
    set_mtime(&paths.file_path, m.timestamp + 5.0);
    assert_eq!(local.peek_download_metadata(&file).unwrap(), None);
    assert!(local.holds(&file, &lfs).unwrap());

    // Unparsable metadata is ignored but left in place, and no lock file appears.
    std::fs::write(&paths.metadata_path, "c\ne\nnot-a-float\n").unwrap();
    let _ = std::fs::remove_file(&paths.lock_path);
    let before = tree(&root);
    assert_eq!(local.peek_download_metadata(&file).unwrap(), None);
    assert!(local.holds(&file, &lfs).unwrap());
    assert_eq!(tree(&root), before);
}

#[test]
fn incomplete_local_file_is_moved_into_place() {
    let dir = tempfile::tempdir().unwrap();
    let local = LocalDir::new(dir.path());
    let file = path("a/b.txt");
    let _lock = local.lock(&file).unwrap();
    let mut partial = local.open_incomplete(&file, &etag("e9")).unwrap();
    assert!(
        partial
            .path()
            .ends_with(".cache/huggingface/download/a/b.txt.e9.incomplete")
    );
    partial.write_all(b"data").unwrap();
    let dest = partial.finish(Some(4)).unwrap();
    assert_eq!(dest, dir.path().join("a/b.txt"));
    assert_eq!(std::fs::read(dest).unwrap(), b"data");
}

#[test]
fn upload_metadata_round_trip_and_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let local = LocalDir::new(dir.path());
    let file = path("big.bin");
    let paths = local.upload_paths(&file).unwrap();
    std::fs::write(&paths.file_path, b"12345").unwrap();
    set_mtime(&paths.file_path, now() - 10.0);

    let fresh = local.read_upload_metadata(&file).unwrap();
    assert_eq!(fresh, UploadMetadata::new(5));

    let mut m = UploadMetadata::new(5);
    m.should_ignore = Some(false);
    m.sha256 = Some(SHA256_OF_HELLO.to_owned());
    m.upload_mode = Some(UploadMode::Lfs);
    m.is_uploaded = true;
    local.write_upload_metadata(&file, &mut m).unwrap();
    let text = std::fs::read_to_string(&paths.metadata_path).unwrap();
    let ts = m.timestamp.unwrap();
    assert_eq!(
        text,
        format!("{ts:?}\n5\n0\n{SHA256_OF_HELLO}\nlfs\n1\n0\n")
    );
    assert_eq!(local.read_upload_metadata(&file).unwrap(), m);

    // Uploaded 21 h ago but never committed: the object is presumed gone.
    let old = now() - 21.0 * 3600.0;
    std::fs::write(
        &paths.metadata_path,
        format!("{old:?}\n5\n\n\nregular\n1\n0\n"),
    )
    .unwrap();
    set_mtime(&paths.file_path, old - 5.0);
    let expired = local.read_upload_metadata(&file).unwrap();
    assert!(!expired.is_uploaded);
    assert_eq!(
        (expired.upload_mode, expired.should_ignore, expired.sha256),
        (Some(UploadMode::Regular), None, None)
    );

    // File modified after the metadata: start over.
    set_mtime(&paths.file_path, old + 5.0);
    assert_eq!(
        local.read_upload_metadata(&file).unwrap(),
        UploadMetadata::new(5)
    );
}

#[test]
fn copy_from_cache_fills_the_folder_and_records_metadata() {
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = hf_cache::HfCache::new(cache_dir.path());
    let repo = cache.repo(hf_types::RepoType::Model, &crate::id("gpt2"));
    crate::store(&repo, &commit(1), "sub/tok.json", "tok", b"{\"v\":1}");
    let hf_cache::CachedFile::Found(cached) = cache.try_to_load_from_cache(
        hf_types::RepoType::Model,
        &crate::id("gpt2"),
        &path("sub/tok.json"),
        Some(&rev(commit(1).as_str())),
    ) else {
        panic!("just stored")
    };

    let dir = tempfile::tempdir().unwrap();
    let local = LocalDir::new(dir.path());
    let file = local
        .copy_from_cache(&path("sub/tok.json"), &cached, &commit(1), &etag("tok"))
        .unwrap();
    assert_eq!(file, dir.path().join("sub/tok.json"));
    assert!(
        !std::fs::symlink_metadata(&file)
            .unwrap()
            .file_type()
            .is_symlink(),
        "a real copy"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"{\"v\":1}");
    let m = local
        .read_download_metadata(&path("sub/tok.json"))
        .unwrap()
        .unwrap();
    assert_eq!(
        (m.commit_hash.as_str(), m.etag.as_str()),
        (commit(1).as_str(), "tok")
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("sub"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["tok.json"]);
}
