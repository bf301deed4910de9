//! Interop with the Python client (`huggingface_hub` 0.26.5): each side reads the cache
//! and `local_dir` metadata the other wrote, and their file locks exclude each other.
//!
//! These tests run only when `HF_INTEROP_PYTHON` names a Python interpreter with
//! `huggingface_hub` installed; CI's interop suite (`cargo xtask interop`) sets it.
//! Without it they return immediately.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use hf_cache::{CachedFile, HfCache, LocalDir};
use hf_types::RepoType;
use serde_json::{Value, json};

use crate::{commit, etag, id, path, rev};

const HELPER: &str = include_str!("interop_helper.py");

fn python() -> Option<PathBuf> {
    python_from("HF_INTEROP_PYTHON")
}

/// The Python interpreter the variable `var` names, if set.
pub(crate) fn python_from(var: &str) -> Option<PathBuf> {
    let python = std::env::var_os(var).map(PathBuf::from);
    if python.is_none() {
        // `cargo xtask ci` sets HF_INTEROP_REQUIRED so CI can never skip these silently.
        assert!(
            std::env::var_os("HF_INTEROP_REQUIRED").is_none(),
            "HF_INTEROP_REQUIRED is set but {var} is not"
        );
        eprintln!("{var} is not set: skipping the Python interop test");
    }
    python
}

fn helper_command(python: &Path, scratch: &Path, args: &[&str]) -> Command {
    let script = scratch.join("interop_helper.py");
    std::fs::write(&script, HELPER).unwrap();
    let mut cmd = Command::new(python);
    cmd.arg(script).args(args);
    cmd
}

fn run_helper(python: &Path, args: &[&str]) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let out = helper_command(python, scratch.path(), args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python helper {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `(repo_type, repo_id, filename, revision)` lookups both sides answer.
fn queries() -> Vec<(RepoType, &'static str, &'static str, String)> {
    vec![
        (RepoType::Model, "gpt2", "config.json", "main".to_owned()),
        (
            RepoType::Model,
            "gpt2",
            "config.json",
            "refs/pr/1".to_owned(),
        ),
        (RepoType::Model, "gpt2", "model.bin", commit(2).to_string()),
        (RepoType::Model, "gpt2", "missing.txt", "main".to_owned()),
        (RepoType::Model, "gpt2", "missing.json", "main".to_owned()),
        (RepoType::Model, "gpt2", "nope.json", "main".to_owned()),
        (
            RepoType::Dataset,
            "org/ds",
            "data/train/part.csv",
            "main".to_owned(),
        ),
        (
            RepoType::Dataset,
            "org/ds",
            "data/train/part.csv",
            "v1.0".to_owned(),
        ),
        (
            RepoType::Dataset,
            "org/ds",
            "data/train/part.csv",
            commit(3).to_string(),
        ),
        (RepoType::Space, "org/app", "app.py", commit(6).to_string()),
        (RepoType::Model, "absent", "config.json", "main".to_owned()),
    ]
}

fn python_view(python: &Path, cache: &Path) -> Value {
    let queries: Vec<Value> = queries()
        .into_iter()
        .map(|(t, i, f, r)| json!([t.as_str(), i, f, r]))
        .collect();
    let out = run_helper(
        python,
        &[
            "scan",
            cache.to_str().unwrap(),
            &Value::Array(queries).to_string(),
        ],
    );
    serde_json::from_str(&out).unwrap()
}

fn secs(t: std::time::SystemTime) -> f64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn our_view(cache_dir: &Path) -> Value {
    let cache = HfCache::new(cache_dir);
    let info = cache.scan().unwrap();
    let repos: Vec<Value> = info
        .repos
        .iter()
        .map(|repo| {
            let revisions: Vec<Value> = repo
                .revisions
                .iter()
                .map(|r| {
                    let mut files: Vec<Value> = r
                        .files
                        .iter()
                        .map(|f| {
                            let rel = f.file_path.strip_prefix(&r.snapshot_path).unwrap();
                            json!([
                                rel.to_str().unwrap(),
                                f.blob_path.to_str().unwrap(),
                                f.size_on_disk
                            ])
                        })
                        .collect();
                    files.sort_by_key(ToString::to_string);
                    json!({
                        "commit_hash": r.commit_hash,
                        "size_on_disk": r.size_on_disk,
                        "nb_files": r.nb_files(),
                        "refs": r.refs.iter().collect::<Vec<_>>(),
                        "last_modified": secs(r.last_modified),
                        "files": files,
                    })
                })
                .collect();
            json!({
                "repo_id": repo.repo_id,
                "repo_type": repo.repo_type.as_str(),
                "repo_path": repo.repo_path.to_str().unwrap(),
                "size_on_disk": repo.size_on_disk,
                "nb_files": repo.nb_files,
                "last_accessed": secs(repo.last_accessed),
                "last_modified": secs(repo.last_modified),
                "revisions": revisions,
            })
        })
        .collect();
    let mut warnings: Vec<String> = info.warnings.iter().map(ToString::to_string).collect();
    warnings.sort();
    let lookups: Vec<Value> = queries()
        .into_iter()
        .map(|(t, i, f, r)| {
            match cache.try_to_load_from_cache(t, &id(i), &path(f), Some(&rev(&r))) {
                CachedFile::Found(p) => json!(p.to_str().unwrap()),
                CachedFile::NonExistent => json!("NO_EXIST"),
                CachedFile::NotCached => Value::Null,
            }
        })
        .collect();
    json!({ "size_on_disk": info.size_on_disk, "repos": repos, "warnings": warnings, "lookups": lookups })
}

/// Equal, except that floats (timestamps) may differ by rounding.
fn assert_same(ours: &Value, theirs: &Value, at: &str) {
    match (ours, theirs) {
        (Value::Number(a), Value::Number(b)) if a.is_f64() || b.is_f64() => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!((a - b).abs() < 1e-3, "{at}: {a} != {b}");
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{at}: {ours} vs {theirs}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                assert_same(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            assert_eq!(
                a.keys().collect::<Vec<_>>(),
                b.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, x) in a {
                assert_same(x, &b[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(ours, theirs, "{at}"),
    }
}

#[test]
fn python_reads_a_cache_we_wrote() {
    let Some(python) = python() else { return };
    let dir = crate::scan::realistic_cache();
    let theirs = python_view(&python, dir.path());
    let ours = our_view(dir.path());
    assert_eq!(theirs["repos"].as_array().unwrap().len(), 3, "{theirs}");
    assert_eq!(theirs["warnings"].as_array().unwrap().len(), 7, "{theirs}");
    assert_same(&ours, &theirs, "$");
}

#[test]
fn we_read_a_cache_python_wrote() {
    let Some(python) = python() else { return };
    let cache = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    run_helper(
        &python,
        &[
            "write",
            cache.path().to_str().unwrap(),
            local.path().to_str().unwrap(),
        ],
    );

    // Python's own layout, checked byte for byte.
    let gpt2 = cache.path().join("models--gpt2");
    assert_eq!(
        std::fs::read_to_string(gpt2.join("refs/refs/pr/1")).unwrap(),
        commit(2).as_str()
    );
    let pointer = gpt2
        .join("snapshots")
        .join(commit(1).as_str())
        .join("config.json");
    assert_eq!(
        std::fs::read_link(pointer).unwrap(),
        Path::new("../../blobs/e-cfg1")
    );

    let theirs = python_view(&python, cache.path());
    let ours = our_view(cache.path());
    assert_eq!(theirs["repos"].as_array().unwrap().len(), 2, "{theirs}");
    assert_same(&ours, &theirs, "$");

    let metadata = LocalDir::new(local.path())
        .read_download_metadata(&path("sub/f.txt"))
        .unwrap()
        .expect("python's metadata is valid for us");
    assert_eq!(
        (metadata.commit_hash.as_str(), metadata.etag.as_str()),
        (commit(1).as_str(), "e-local")
    );
}

#[test]
fn python_reads_local_dir_metadata_we_wrote() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let local = LocalDir::new(dir.path());
    let file = path("sub/w.bin");
    std::fs::write(local.download_paths(&file).unwrap().file_path, b"w").unwrap();
    let written = local
        .write_download_metadata(&file, &commit(4), &etag("e4"))
        .unwrap();
    let out = run_helper(
        &python,
        &["read-local", dir.path().to_str().unwrap(), "sub/w.bin"],
    );
    let theirs: Value = serde_json::from_str(&out).unwrap();
    // Python's repr of the float it parsed is the very text we wrote.
    let text = format!("{:?}", written.timestamp);
    assert_eq!(theirs, json!([commit(4).as_str(), "e4", text]));
}

#[test]
fn python_lock_holders_exclude_us() {
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let repo = HfCache::new(dir.path()).repo(RepoType::Model, &id("gpt2"));
    let lock_path = repo.lock_path(&etag("e1")).unwrap();
    std::fs::create_dir_all(lock_path.parent().unwrap()).unwrap();

    let scratch = tempfile::tempdir().unwrap();
    let mut child = helper_command(
        &python,
        scratch.path(),
        &["lock", lock_path.to_str().unwrap()],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .spawn()
    .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "LOCKED");
    assert!(
        repo.try_lock_blob(&etag("e1")).unwrap().is_none(),
        "Python holds the lock"
    );
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
    assert!(repo.try_lock_blob(&etag("e1")).unwrap().is_some());
}
