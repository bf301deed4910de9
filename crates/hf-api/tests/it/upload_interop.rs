//! Uploads interop with the Python client (`huggingface_hub` 0.26.5): what the Rust
//! client uploads (small, LFS, multipart-sized, a folder with patterns, deletes, copies,
//! a pull request) the Python client downloads with identical bytes and lists with the
//! same paths; what the Python client uploads the Rust client reads back.
//!
//! Runs only when `HF_INTEROP_PYTHON` names a Python with `huggingface_hub` 0.26.5
//! (`cargo xtask ci` sets it together with `HF_INTEROP_REQUIRED`, which turns a missing
//! interpreter into a failure).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use hf_api::types::RepoType;
use hf_api::upload::{
    CommitOperation, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete,
};
use hf_testhub::{RepoType as HubType, TestHub};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::api_support::{ALICE, BOB, client};
use crate::upload::{content, fetch, files, upload_hub};

const SCRIPT: &str = r#"
import hashlib, json, os, sys
from huggingface_hub import HfApi, hf_hub_download, CommitOperationCopy, CommitOperationDelete

api = HfApi()
cmd = json.load(sys.stdin)
out = {}
if cmd["mode"] == "read":
    for repo, rtype, rev in cmd["repos"]:
        digests = {}
        for f in sorted(api.list_repo_files(repo, repo_type=rtype, revision=rev)):
            p = hf_hub_download(repo, f, repo_type=rtype, revision=rev, cache_dir=cmd["cache"])
            with open(p, "rb") as fh:
                digests[f] = hashlib.sha256(fh.read()).hexdigest()
        out[f"{rtype}:{repo}@{rev}"] = digests
else:
    folder = cmd["folder"]
    api.create_repo("bob/pyup", exist_ok=True)
    api.upload_file(path_or_fileobj=os.path.join(folder, "big.bin"), path_in_repo="big.bin", repo_id="bob/pyup")
    api.upload_folder(folder_path=folder, repo_id="bob/pyup", path_in_repo="dir",
                      allow_patterns=["*.txt", "sub/"], ignore_patterns=["*.skip.txt"])
    api.create_commit("bob/pyup", [CommitOperationCopy("big.bin", "copy.bin"), CommitOperationDelete("dir/a.txt")],
                      commit_message="py ops")
    info = api.upload_file(path_or_fileobj=b"pr content", path_in_repo="pr.txt", repo_id="bob/pyup", create_pr=True)
    out["pr"] = str(info)
print(json.dumps(out))
"#;

/// Runs the script with `cmd` on stdin (on a blocking thread: the emulator keeps
/// serving on the runtime meanwhile) and parses its JSON output.
async fn run_python(python: PathBuf, hub: &TestHub, token: &str, cmd: Value) -> Value {
    let (url, token) = (hub.url(), token.to_owned());
    tokio::task::spawn_blocking(move || {
        let out = crate::python_script(&python, SCRIPT, &url, &token, cmd.to_string().as_bytes());
        assert!(
            out.status.success(),
            "python failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("the script prints JSON")
    })
    .await
    .unwrap()
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_downloads_what_rust_uploaded() {
    let Some(python) = crate::interop_python("Python upload interop test") else {
        return;
    };
    let hub = upload_hub().await;
    hub.create_repo(HubType::Model, "alice/rs", false).unwrap();
    hub.create_repo(HubType::Dataset, "alice/rsds", false)
        .unwrap();
    let api = client(&hub, Some(ALICE));
    let gitattributes = fetch(&api, "", "alice/rs", "main", ".gitattributes").await;
    let mut expected: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    expected.insert(".gitattributes".into(), gitattributes.clone());

    let (readme, lfs, big) = (b"# rs\n".to_vec(), content(4096, 1), content(200 * 1024, 2));
    let ops: Vec<CommitOperation> = vec![
        CommitOperationAdd::from_bytes("README.md", readme.clone())
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("lfs.bin", lfs.clone())
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("big.bin", big.clone())
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("empty.txt", Vec::new())
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("folder/old.txt", "old")
            .unwrap()
            .into(),
    ];
    api.create_commit("alice/rs", ops, "Rust adds")
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "a.txt", b"a");
    write(root, "b.json", b"{\"b\": 1}");
    write(root, "sub/c.bin", &content(2048, 3));
    write(root, "x.skip", b"skip");
    write(root, ".git/config", b"[core]");
    api.upload_folder("alice/rs", root)
        .path_in_repo("folder")
        .allow_patterns(["*.txt", "*.json", "sub/", "*.skip"])
        .ignore_patterns(["*.skip"])
        .delete_patterns(["old*"])
        .await
        .unwrap();

    let ops: Vec<CommitOperation> = vec![
        CommitOperationCopy::new("big.bin", "copies/big.bin")
            .unwrap()
            .into(),
        CommitOperationCopy::new("README.md", "copies/README.md")
            .unwrap()
            .into(),
        CommitOperationDelete::new("empty.txt").unwrap().into(),
    ];
    api.create_commit("alice/rs", ops, "Rust copies")
        .await
        .unwrap();
    api.delete_files("alice/rs", ["*.json"]).await.unwrap();

    for (p, c) in [
        ("README.md", readme.clone()),
        ("lfs.bin", lfs),
        ("big.bin", big.clone()),
        ("folder/a.txt", b"a".to_vec()),
        ("folder/sub/c.bin", content(2048, 3)),
        ("copies/big.bin", big),
        ("copies/README.md", readme),
    ] {
        expected.insert(p.into(), c);
    }

    let pr = api
        .upload_file("alice/rsds", "data/train.csv", content(3000, 4))
        .repo_type(RepoType::Dataset)
        .create_pr(true)
        .await
        .unwrap();
    assert_eq!(pr.pr_num(), Some(1));
    let ds_attrs = fetch(&api, "datasets/", "alice/rsds", "main", ".gitattributes").await;

    let cache = tempfile::tempdir().unwrap();
    let out = run_python(
        python,
        &hub,
        ALICE,
        json!({
            "mode": "read",
            "cache": cache.path(),
            "repos": [["alice/rs", "model", "main"], ["alice/rsds", "dataset", "refs/pr/1"]],
        }),
    )
    .await;
    let want: BTreeMap<String, String> =
        expected.iter().map(|(k, v)| (k.clone(), sha(v))).collect();
    assert_eq!(out["model:alice/rs@main"], json!(want));
    assert_eq!(
        out["dataset:alice/rsds@refs/pr/1"],
        json!({".gitattributes": sha(&ds_attrs), "data/train.csv": sha(&content(3000, 4))})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_reads_what_python_uploaded() {
    let Some(python) = crate::interop_python("Python upload interop test") else {
        return;
    };
    let hub = upload_hub().await;
    let api = client(&hub, Some(BOB));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let big = content(150 * 1024, 5);
    write(root, "big.bin", &big);
    write(root, "a.txt", b"a");
    write(root, "b.skip.txt", b"skip");
    write(root, "sub/c.bin", &content(3000, 6));
    write(root, "other.json", b"{}");
    let out = run_python(python, &hub, BOB, json!({"mode": "write", "folder": root})).await;
    // 0.26.5 answers the legacy blob URL of the file on the PR ref
    assert!(
        out["pr"]
            .as_str()
            .unwrap()
            .ends_with("/bob/pyup/blob/refs%2Fpr%2F1/pr.txt"),
        "{out}"
    );

    assert_eq!(
        files(&api, "bob/pyup", "main").await,
        [".gitattributes", "big.bin", "copy.bin", "dir/sub/c.bin"]
    );
    assert_eq!(fetch(&api, "", "bob/pyup", "main", "big.bin").await, big);
    assert_eq!(fetch(&api, "", "bob/pyup", "main", "copy.bin").await, big);
    assert_eq!(
        fetch(&api, "", "bob/pyup", "main", "dir/sub/c.bin").await,
        content(3000, 6)
    );
    assert_eq!(
        fetch(&api, "", "bob/pyup", "refs/pr/1", "pr.txt").await,
        b"pr content"
    );
    // and the Rust client can build on it: unchanged content makes no commit
    let head = api.repo_info("bob/pyup").await.unwrap();
    let again = api.upload_file("bob/pyup", "big.bin", big).await.unwrap();
    assert_eq!(Some(&again.commit_oid), head.sha());
}

const LARGE_SCRIPT: &str = r#"
import sys
from huggingface_hub import HfApi
HfApi().upload_large_folder(repo_id="alice/large", folder_path=sys.argv[1], repo_type="model",
                            num_workers=2, print_report=False)
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_resumes_a_large_folder_upload_started_by_rust() {
    use crate::upload_large::{LFS, REGULAR, folder};
    use hf_testhub::{FaultRule, Listener};

    let Some(python) = crate::interop_python("Python upload interop test") else {
        return;
    };
    let hub = upload_hub().await;
    let api = client(&hub, Some(ALICE));
    let dir = tempfile::tempdir().unwrap();
    let expected = folder(dir.path());
    // a complete run on the small files, then one that fails on an LFS file
    api.upload_large_folder("alice/large", dir.path(), RepoType::Model)
        .allow_patterns(["small/*"])
        .await
        .unwrap();
    let blocked = sha(&expected[REGULAR].1);
    hub.fault(
        FaultRule::regex(Some(http::Method::PUT), &format!("^/upload/{blocked}"))
            .unwrap()
            .on(Listener::Cdn)
            .fail(400),
    );
    api.upload_large_folder("alice/large", dir.path(), RepoType::Model)
        .num_workers(2)
        .max_files_per_commit(2, 3)
        .await
        .unwrap_err();
    hub.clear_faults();
    let meta_dir = dir.path().join(".cache/huggingface/upload");
    let read_meta = |p: &str| {
        std::fs::read_to_string(meta_dir.join(format!("{p}.metadata"))).unwrap_or_default()
    };
    let committed: Vec<(String, String)> = expected
        .iter()
        .map(|(p, _)| (p.clone(), read_meta(p)))
        .filter(|(_, m)| m.lines().nth(6) == Some("1"))
        .collect();
    assert!(committed.len() >= REGULAR && committed.len() < REGULAR + LFS);

    let root = dir.path().to_owned();
    let (url, home) = (hub.url(), tempfile::tempdir().unwrap());
    let home_path = home.path().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .args(["-c", LARGE_SCRIPT])
            .arg(&root)
            .env("HF_ENDPOINT", url)
            .env("HF_TOKEN", ALICE)
            .env("HF_HOME", home_path)
            .env("HF_HUB_DISABLE_TELEMETRY", "1")
            .env("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut want: Vec<String> = expected.iter().map(|(p, _)| p.clone()).collect();
    want.push(".gitattributes".into());
    want.sort();
    assert_eq!(files(&api, "alice/large", "main").await, want);
    for (p, c) in &expected {
        assert_eq!(&fetch(&api, "", "alice/large", "main", p).await, c, "{p}");
    }
    // what the Rust run committed, Python took from the metadata as done: untouched
    for (p, before) in committed {
        assert_eq!(read_meta(&p), before, "{p} was processed again");
    }
}
