//! A cache holding the store of shared contents that the newest Python clients (2.x)
//! keep for Xet files (`{cache}/blobs/`, repo blobs linking into it) and their
//! `CACHEDIR.TAG`. The store is made by that Python client's own functions; the scan
//! and the deletions must agree with its `scan_cache_dir` and must never delete a
//! content another repo still links to.
//!
//! Runs when `HF_INTEROP_PYTHON_LATEST` names a Python with the newest
//! `huggingface_hub` (`cargo xtask ci` sets it).

use std::collections::BTreeMap;
use std::path::Path;

use hf_cache::HfCache;
use hf_types::RepoType;
use serde_json::{Value, json};

use crate::{commit, id, store};

/// A 64-hex Xet hash (the store's file name).
const XET: &str = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";
const SHARED_ETAG: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
/// The content of a repo deleted by hand.
const XET3: &str = "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd";
const THREE_ETAG: &str = "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e";

fn run(python: &Path, script: &str) -> Value {
    let out = std::process::Command::new(python)
        .args(["-c", script])
        .env_remove("HF_HUB_DISABLE_XET")
        .env_remove("HF_HUB_DISABLE_SHARED_BLOBS")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}

/// Python's scan of `cache` and the freed sizes it predicts for deleting `plans`
/// (lists of commit hashes) and `file_plans` (lists of snapshot file paths), in the
/// shape [`ours`] gives.
fn theirs(python: &Path, cache: &Path, plans: &[Vec<String>], file_plans: &[Vec<String>]) -> Value {
    run(
        python,
        &format!(
            r#"
import json
from huggingface_hub import scan_cache_dir
from huggingface_hub.utils import _shared_blobs
info = scan_cache_dir({cache:?})
print(json.dumps({{
    "size": info.size_on_disk,
    "incomplete": sorted([str(f.file_path), f.size_on_disk] for f in info.incomplete_files),
    "unreferenced": sorted([str(p), n] for p, n in _shared_blobs.unreferenced_shared_blobs({cache:?}).items()),
    "warnings": sorted(str(w) for w in info.warnings),
    "repos": {{r.repo_id: {{
        "size": r.size_on_disk, "nb_files": r.nb_files,
        "files": sorted([f.file_name, str(f.blob_path), f.size_on_disk]
                        for v in r.revisions for f in v.files),
    }} for r in info.repos}},
    "freed": [info.delete_revisions(*p).expected_freed_size for p in {plans}],
    "freed_files": [info.delete_files(*[f for r in info.repos for v in r.revisions
                                        for f in v.files if str(f.file_path) in p]).expected_freed_size
                    for p in {file_plans}],
}}))
"#,
            cache = cache.display().to_string(),
            plans = serde_json::to_string(plans).unwrap(),
            file_plans = serde_json::to_string(file_plans).unwrap(),
        ),
    )
}

fn ours(cache: &Path, plans: &[Vec<String>], file_plans: &[Vec<String>]) -> Value {
    let info = HfCache::new(cache).scan().unwrap();
    let repos: BTreeMap<String, Value> = info
        .repos
        .iter()
        .map(|r| {
            let mut files: Vec<Value> = r
                .revisions
                .iter()
                .flat_map(|v| &v.files)
                .map(|f| {
                    json!([
                        f.file_name,
                        f.blob_path.display().to_string(),
                        f.size_on_disk
                    ])
                })
                .collect();
            files.sort_by_key(Value::to_string);
            let repo = json!({"size": r.size_on_disk, "nb_files": r.nb_files, "files": files});
            (r.repo_id.clone(), repo)
        })
        .collect();
    let mut warnings: Vec<String> = info.warnings.iter().map(ToString::to_string).collect();
    warnings.sort();
    let prune = info.prune();
    let incomplete: Vec<Value> = info
        .incomplete_files
        .iter()
        .map(|f| json!([f.file_path.display().to_string(), f.size_on_disk]))
        .collect();
    let unreferenced: Vec<Value> = prune
        .shared_contents
        .iter()
        .map(|(p, n)| json!([p.display().to_string(), n]))
        .collect();
    json!({
        "size": info.size_on_disk,
        "incomplete": incomplete,
        "unreferenced": unreferenced,
        "warnings": warnings,
        "repos": repos,
        "freed": plans.iter().map(|p| info.delete_revisions(p).expected_freed_size).collect::<Vec<_>>(),
        "freed_files": file_plans.iter().map(|p| {
            let files = info.repos.iter().flat_map(|r| &r.revisions).flat_map(|v| &v.files)
                .filter(|f| p.contains(&f.file_path.display().to_string()));
            info.delete_files(files).expected_freed_size
        }).collect::<Vec<_>>(),
    })
}

fn sorted_files(v: &Value) -> Value {
    let mut v = v.clone();
    for repo in v["repos"].as_object_mut().unwrap().values_mut() {
        let files = repo["files"].as_array_mut().unwrap();
        files.sort_by_key(Value::to_string);
    }
    v
}

#[test]
fn scan_and_delete_agree_with_python_and_keep_shared_contents() {
    let Some(py) = crate::interop::python_from("HF_INTEROP_PYTHON_LATEST") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Resolved, as both scans report paths under the resolved cache folder.
    let cache_dir = std::fs::canonicalize(dir.path()).unwrap();
    let cache = HfCache::new(&cache_dir);
    let shared = vec![7u8; 5000];
    let (one, two) = (
        cache.repo(RepoType::Model, &id("a/one")),
        cache.repo(RepoType::Model, &id("a/two")),
    );
    // Both repos hold the same content (one blob each); `one` has a second revision
    // without it.
    store(&one, &commit(1), "w.bin", SHARED_ETAG, &shared);
    store(&one, &commit(1), "own.txt", "0a0a", b"only in one");
    store(&one, &commit(2), "own.txt", "0a0a", b"only in one");
    store(&two, &commit(3), "w.bin", SHARED_ETAG, &shared);
    store(&two, &commit(3), "two.txt", "0b0b", b"two");
    // A third repo, deleted by hand after the store took its content: nothing links to
    // that content any more. And a partial download in `two`.
    let three = cache.repo(RepoType::Model, &id("a/three"));
    store(&three, &commit(4), "t.bin", THREE_ETAG, &[9u8; 300]);
    std::fs::write(two.blobs_dir().join("0c0c.incomplete"), [0u8; 9]).unwrap();

    // The Python client moves the content into its store and links both repos to it.
    let blob = |repo: &str| cache_dir.join(repo).join("blobs").join(SHARED_ETAG);
    let made = run(
        &py,
        &format!(
            r"
import json
from pathlib import Path
from huggingface_hub.utils import _shared_blobs as s
from huggingface_hub._local_folder import _create_cachedir_tag
a = s.publish_blob_to_shared_store(blob_path={one:?}, xet_hash={XET:?}, cache_dir={cache:?}, expected_size=5000)
b = s.try_link_from_shared_store(blob_path={two:?}, xet_hash={XET:?}, cache_dir={cache:?}, expected_size=5000)
c = s.publish_blob_to_shared_store(blob_path={three:?}, xet_hash={XET3:?}, cache_dir={cache:?}, expected_size=300)
_create_cachedir_tag(Path({cache:?}))
print(json.dumps([a, b, c]))
",
            one = blob("models--a--one").display().to_string(),
            two = blob("models--a--two").display().to_string(),
            three = cache_dir
                .join("models--a--three/blobs")
                .join(THREE_ETAG)
                .display()
                .to_string(),
            cache = cache_dir.display().to_string(),
        ),
    );
    assert_eq!(made, json!([true, true, true]));
    std::fs::remove_dir_all(three.path()).unwrap();
    let stored = cache_dir.join("blobs").join(&XET[..2]).join(XET);
    assert!(stored.is_file() && cache_dir.join("CACHEDIR.TAG").is_file());
    assert!(
        std::fs::symlink_metadata(blob("models--a--one"))
            .unwrap()
            .file_type()
            .is_symlink()
    );

    let hex = |n: u8| commit(n).as_str().to_owned();
    let plans = vec![
        vec![hex(1)],                 // w.bin's link in `one` goes; two still links it
        vec![hex(1), hex(2)],         // all of `one`: its own.txt only
        vec![hex(1), hex(2), hex(3)], // everything: the shared content too
    ];
    let snapshot_file = |repo: &str, n: u8, name: &str| {
        let path = cache_dir
            .join(repo)
            .join("snapshots")
            .join(hex(n))
            .join(name);
        path.display().to_string()
    };
    let file_plans = vec![
        // two still links the content
        vec![snapshot_file("models--a--one", 1, "w.bin")],
        // both links: the content goes
        vec![
            snapshot_file("models--a--one", 1, "w.bin"),
            snapshot_file("models--a--two", 3, "w.bin"),
        ],
        // the blob c2 still uses
        vec![snapshot_file("models--a--one", 1, "own.txt")],
    ];
    let mine = ours(&cache_dir, &plans, &file_plans);
    assert_eq!(
        sorted_files(&mine),
        sorted_files(&theirs(&py, &cache_dir, &plans, &file_plans))
    );
    assert_eq!(mine["freed_files"], json!([0, 5000, 0]));
    assert_eq!(
        mine["warnings"],
        json!([]),
        "the store and the tag are not repos"
    );
    // The shared content counts once in the total, and in each repo's own size; the
    // content nothing links to counts too, until it is pruned.
    assert_eq!(mine["size"], json!(5000 + 11 + 3 + 300));
    assert_eq!(mine["unreferenced"].as_array().unwrap().len(), 1);
    assert_eq!(mine["incomplete"].as_array().unwrap().len(), 1);
    assert_eq!(mine["repos"]["a/one"]["size"], json!(5000 + 11));
    assert_eq!(mine["freed"], json!([0, 11, 5000 + 11 + 3]));

    // Deleting the revision of `one` that has w.bin removes `one`'s link to the
    // content, not the content `two` links to; then the rest of `one`.
    let info = cache.scan().unwrap();
    let plan = info.delete_revisions([hex(1)]);
    assert!(plan.blobs.contains(&blob("models--a--one")), "{plan:?}");
    assert!(plan.execute().is_empty());
    assert!(!blob("models--a--one").exists() && stored.is_file());
    let info = cache.scan().unwrap();
    let failures = info.delete_revisions([hex(2)]).execute();
    assert!(failures.is_empty(), "{failures:?}");
    assert!(stored.is_file(), "still linked from two");
    let manifest = std::fs::read_to_string(stored.with_file_name(format!("{XET}.refs"))).unwrap();
    assert_eq!(manifest, format!("models--a--two/blobs/{SHARED_ETAG}\n"));
    let after = theirs(&py, &cache_dir, &[], &[]);
    assert_eq!(after["warnings"], json!([]));
    assert_eq!(after["size"], json!(5000 + 3 + 300));
    assert_eq!(after["repos"]["a/two"]["size"], json!(5000 + 3));
    assert_eq!(
        sorted_files(&ours(&cache_dir, &[], &[])),
        sorted_files(&after)
    );

    // Deleting the last file that links to it frees the content; the rest of the
    // snapshot stays.
    let info = cache.scan().unwrap();
    let last_link = info
        .repos
        .iter()
        .flat_map(|r| &r.revisions)
        .flat_map(|v| &v.files)
        .filter(|f| f.file_name == "w.bin");
    let plan = info.delete_files(last_link);
    assert_eq!(plan.expected_freed_size, 5000);
    assert!(plan.execute().is_empty());
    assert!(!stored.exists() && !blob("models--a--two").exists());
    let after = theirs(&py, &cache_dir, &[], &[]);
    assert_eq!(after["warnings"], json!([]));
    assert_eq!(after["repos"]["a/two"]["size"], json!(3));
    let info = cache.scan().unwrap();
    assert_eq!(info.delete_revisions([hex(3)]).expected_freed_size, 3);
    assert!(info.delete_revisions([hex(3)]).execute().is_empty());
    // Pruning collects the content nothing links to (the partial download went with
    // its repo).
    let plan = cache.scan().unwrap().prune();
    assert_eq!(plan.shared_contents.len(), 1);
    assert!(plan.execute().failures.is_empty());
    let last = theirs(&py, &cache_dir, &[], &[]);
    assert_eq!(
        (last["size"].clone(), last["warnings"].clone()),
        (json!(0), json!([]))
    );
    assert_eq!(last["unreferenced"], json!([]));
}
