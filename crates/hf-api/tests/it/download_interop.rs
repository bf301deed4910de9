//! Interop with the official Python client (`huggingface_hub` 0.26.5) on one cache and
//! one `local_dir`: what either client downloaded, the other finds offline.
//!
//! These tests run only when `HF_INTEROP_PYTHON` names a Python with huggingface_hub;
//! with `HF_INTEROP_REQUIRED` set (as `cargo xtask ci` does) a missing interpreter fails.

use std::path::Path;

use serde_json::Value;

use crate::download::{Fx, check_snapshot, fixture, sha256_hex};

/// Runs `script` with the emulator as `HF_ENDPOINT`; returns its stdout as JSON.
async fn run_python(python: &Path, endpoint: &str, home: &Path, script: &str) -> Value {
    run_python_with(python, endpoint, home, script, &[]).await
}

/// [`run_python`] with more environment variables.
async fn run_python_with(
    python: &Path,
    endpoint: &str,
    home: &Path,
    script: &str,
    env: &[(&str, &str)],
) -> Value {
    let mut cmd = std::process::Command::new(python);
    cmd.envs(env.iter().copied());
    cmd.arg("-c")
        .arg(script)
        .env("HF_ENDPOINT", endpoint)
        .env("HF_HOME", home)
        .env("HF_HUB_DISABLE_TELEMETRY", "1")
        .env("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        .env("HF_HUB_ENABLE_HF_TRANSFER", "0")
        .env_remove("HF_TOKEN")
        .env_remove("HF_HUB_OFFLINE")
        .env_remove("HF_HUB_CACHE");
    // The emulator runs on this runtime: wait for Python off its threads.
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    serde_json::from_str(text.lines().last().unwrap_or("null")).unwrap()
}

const FILES: [&str; 3] = ["config.json", "sub/w.bin", "big.bin"];

fn expected(fx: &Fx, name: &str) -> String {
    let data = match name {
        "config.json" => &fx.config,
        "sub/w.bin" => &fx.weights,
        _ => &fx.big,
    };
    sha256_hex(data)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_finds_what_rust_downloaded() {
    let Some(py) = crate::interop_python("Python interop test") else {
        return;
    };
    let fx = fixture().await;
    let api = fx.api();
    let dir = api.snapshot_download("alice/m").await.unwrap();
    check_snapshot(&fx, &dir);
    let local = tempfile::tempdir().unwrap();
    api.snapshot_download("alice/m")
        .local_dir(local.path())
        .await
        .unwrap();
    fx.hub.clear_requests();
    let home = tempfile::tempdir().unwrap();
    let script = format!(
        r#"
import hashlib, json, os
os.environ["HF_HUB_OFFLINE"] = "1"
from huggingface_hub import hf_hub_download, scan_cache_dir
cache, local, commit = {cache:?}, {local:?}, {commit:?}
out = {{"files": {{}}, "local": {{}}}}
for name in {files:?}:
    p = hf_hub_download("alice/m", name, cache_dir=cache, local_files_only=True)
    out["files"][name] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    p = hf_hub_download("alice/m", name, local_dir=local, revision=commit)
    out["local"][name] = hashlib.sha256(open(p, "rb").read()).hexdigest()
info = scan_cache_dir(cache)
out["warnings"] = [str(w) for w in info.warnings]
out["repos"] = [
    {{"id": r.repo_id, "type": r.repo_type, "size": r.size_on_disk, "nb_files": r.nb_files,
      "revisions": sorted(
          [{{"commit": v.commit_hash, "refs": sorted(v.refs),
             "files": sorted([f.file_path.relative_to(v.snapshot_path).as_posix(), f.size_on_disk] for f in v.files)}}
           for v in r.revisions], key=lambda v: v["commit"])}}
    for r in info.repos]
print(json.dumps(out))
"#,
        cache = fx.cache.path().display().to_string(),
        local = local.path().display().to_string(),
        commit = fx.commit,
        files = FILES,
    );
    let out = run_python(&py, &fx.hub.url(), home.path(), &script).await;
    for name in FILES {
        assert_eq!(out["files"][name], expected(&fx, name), "{name}");
        assert_eq!(out["local"][name], expected(&fx, name), "{name}");
    }
    assert_eq!(out["warnings"], serde_json::json!([]));
    let repos = out["repos"].as_array().unwrap();
    assert_eq!(repos.len(), 1, "{out}");
    let repo = &repos[0];
    assert_eq!(repo["id"], "alice/m");
    assert_eq!(repo["type"], "model");
    // Same numbers as our own scan.
    let ours = hf_cache::HfCache::new(fx.cache.path()).scan().unwrap();
    let ours = ours.repos.first().unwrap();
    assert_eq!(repo["size"], ours.size_on_disk);
    assert_eq!(repo["nb_files"], ours.nb_files);
    let rev = &repo["revisions"][0];
    assert_eq!(rev["commit"], fx.commit.as_str());
    assert_eq!(rev["refs"], serde_json::json!(["main"]));
    let files: Vec<(String, u64)> = serde_json::from_value(rev["files"].clone()).unwrap();
    assert!(
        files.contains(&("big.bin".to_owned(), fx.big.len() as u64)),
        "{files:?}"
    );
    assert!(
        files.contains(&("sub/w.bin".to_owned(), fx.weights.len() as u64)),
        "{files:?}"
    );
    // Python never needed the network.
    assert!(fx.hub.requests().is_empty(), "{:?}", fx.hub.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_finds_what_python_downloaded() {
    let Some(py) = crate::interop_python("Python interop test") else {
        return;
    };
    let fx = fixture().await;
    let home = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let script = format!(
        r#"
import json
from huggingface_hub import snapshot_download, hf_hub_download
d = snapshot_download("alice/m", cache_dir={cache:?})
hf_hub_download("alice/m", "sub/w.bin", local_dir={local:?})
print(json.dumps({{"dir": d}}))
"#,
        cache = fx.cache.path().display().to_string(),
        local = local.path().display().to_string(),
    );
    let out = run_python(&py, &fx.hub.url(), home.path(), &script).await;
    fx.hub.clear_requests();
    let api = fx.api();
    for name in FILES {
        // A branch whose ref Python cached, and the commit itself.
        for rev in ["main", fx.commit.as_str()] {
            let p = api
                .hf_hub_download("alice/m", name)
                .revision(rev)
                .offline(true)
                .await
                .unwrap();
            assert_eq!(sha256_hex(&std::fs::read(&p).unwrap()), expected(&fx, name));
        }
    }
    let dir = api
        .snapshot_download("alice/m")
        .offline(true)
        .await
        .unwrap();
    assert_eq!(dir.to_str().unwrap(), out["dir"].as_str().unwrap());
    // local_dir metadata written by Python: valid for us at that commit, offline.
    let p = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .local_dir(local.path())
        .revision(&fx.commit)
        .offline(true)
        .await
        .unwrap();
    assert_eq!(std::fs::read(p).unwrap(), fx.weights);
    assert!(fx.hub.requests().is_empty(), "{:?}", fx.hub.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_resumes_a_partial_rust_download() {
    let Some(py) = crate::interop_python("Python interop test") else {
        return;
    };
    let fx = fixture().await;
    // A single-stream partial file as we leave it: a prefix of the content.
    let blobs = fx.repo_dir().join("blobs");
    std::fs::create_dir_all(&blobs).unwrap();
    let etag = sha256_hex(&fx.weights);
    std::fs::write(
        blobs.join(format!("{etag}.incomplete")),
        &fx.weights[..100_000],
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let script = format!(
        r#"
import hashlib, json
from huggingface_hub import hf_hub_download
p = hf_hub_download("alice/m", "sub/w.bin", cache_dir={cache:?})
print(json.dumps({{"sha": hashlib.sha256(open(p, "rb").read()).hexdigest()}}))
"#,
        cache = fx.cache.path().display().to_string(),
    );
    let out = run_python(&py, &fx.hub.url(), home.path(), &script).await;
    assert_eq!(out["sha"], etag.as_str());
    let range = fx
        .hub
        .requests()
        .iter()
        .filter(|r| r.listener == hf_testhub::Listener::Cdn)
        .find_map(|r| r.header("range").map(str::to_owned));
    assert_eq!(range.as_deref(), Some("bytes=100000-"));
}

/// The proxy variables mean the same to both clients: each one's requests all go through
/// `http_proxy`, with its credentials, and `hf_testhub::TestProxy` serves Python as it
/// serves us.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_and_rust_go_through_the_same_proxy() {
    let Some(py) = crate::interop_python("Python interop test") else {
        return;
    };
    let fx = fixture().await;
    let proxy = hf_testhub::TestProxy::with_credentials("user", "pw")
        .await
        .unwrap();
    let url = proxy.url_with_credentials("user", "pw");
    // CI puts loopback in no_proxy; these runs must not skip the proxy.
    let vars = [
        ("http_proxy", url.as_str()),
        ("no_proxy", ""),
        ("NO_PROXY", ""),
    ];
    let home = tempfile::tempdir().unwrap();
    let py_cache = home.path().join("py-cache");
    let script = format!(
        r#"
import json
from huggingface_hub import snapshot_download
print(json.dumps(snapshot_download("alice/m", cache_dir={cache:?})))
"#,
        cache = py_cache.to_str().unwrap()
    );
    fx.hub.clear_requests();
    let out = run_python_with(&py, &fx.hub.url(), home.path(), &script, &vars).await;
    let dir = std::path::PathBuf::from(out.as_str().unwrap());
    assert_eq!(std::fs::read(dir.join("big.bin")).unwrap(), fx.big);
    let python_seen = proxy.requests();
    assert_eq!(
        python_seen.len(),
        fx.hub.requests().len(),
        "{python_seen:?}"
    );

    fx.hub.clear_requests();
    let env = hf_api::config::Environment::from_pairs(
        vars.iter()
            .copied()
            .chain([("HF_ENDPOINT", fx.hub.url().as_str())]),
    );
    let api = hf_api::HfApiBuilder::with_environment(env)
        .no_token()
        .cache_dir(fx.cache.path())
        .build()
        .unwrap();
    let dir = api.snapshot_download("alice/m").await.unwrap();
    check_snapshot(&fx, &dir);
    let ours = &proxy.requests()[python_seen.len()..];
    assert_eq!(ours.len(), fx.hub.requests().len(), "{ours:?}");
    for r in proxy.requests() {
        assert!(r.target.starts_with("http://127.0.0.1:"), "{r:?}");
        assert_eq!(r.proxy_authorization.as_deref(), Some("Basic dXNlcjpwdw=="));
    }
}

/// Runs `script` with the newest Python client against `fx`'s hub (Xet off: the
/// emulator serves plain LFS) in a fresh `HF_HOME`.
async fn run_newest(python: &Path, fx: &Fx, script: &str) -> Value {
    let home = tempfile::tempdir().unwrap();
    run_python_with(
        python,
        &fx.hub.url(),
        home.path(),
        script,
        &[("HF_HUB_DISABLE_XET", "1")],
    )
    .await
}

/// A dry run as JSON, in the shape the script below prints Python's.
fn dry_run_json(infos: &[hf_api::DryRunFileInfo]) -> Value {
    let mut items: Vec<Value> = infos
        .iter()
        .map(|i| {
            serde_json::json!({
                "filename": i.filename,
                "commit_hash": i.commit_hash.as_ref().map(hf_api::types::CommitOid::as_str),
                "file_size": i.file_size,
                "local_path": i.local_path.display().to_string(),
                "is_cached": i.is_cached,
                "will_download": i.will_download,
            })
        })
        .collect();
    items.sort_by_key(|v| v["filename"].as_str().unwrap().to_owned());
    Value::Array(items)
}

/// Python added `dry_run=True` after 0.26.5: this runs the newest release.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_runs_agree_with_the_newest_python_client() {
    let Some(py) = crate::interop_python_latest("dry-run interop test") else {
        return;
    };
    let fx = fixture().await;
    let api = fx.api();
    // Partly there: one file in the cache, one in a local_dir (with its metadata).
    api.hf_hub_download("alice/m", "config.json").await.unwrap();
    let local = tempfile::tempdir().unwrap();
    api.hf_hub_download("alice/m", "sub/w.bin")
        .local_dir(local.path())
        .await
        .unwrap();

    let ours = serde_json::json!({
        "snapshot": dry_run_json(&api.snapshot_download("alice/m").dry_run().await.unwrap()),
        "local": dry_run_json(
            &api.snapshot_download("alice/m")
                .local_dir(local.path())
                .dry_run()
                .await
                .unwrap()
        ),
        "files": dry_run_json(&[
            api.hf_hub_download("alice/m", "config.json").dry_run().await.unwrap(),
            api.hf_hub_download("alice/m", "big.bin").dry_run().await.unwrap(),
            api.hf_hub_download("alice/m", "sub/w.bin")
                .revision(&fx.commit)
                .force_download(true)
                .local_dir(local.path())
                .dry_run()
                .await
                .unwrap(),
        ]),
    });
    let script = format!(
        r#"
import json
from huggingface_hub import snapshot_download, hf_hub_download
def plain(infos):
    return sorted(({{"filename": i.filename, "commit_hash": i.commit_hash,
        "file_size": i.file_size, "local_path": i.local_path, "is_cached": i.is_cached,
        "will_download": i.will_download}} for i in infos), key=lambda v: v["filename"])
cache = {cache:?}
print(json.dumps({{
    "snapshot": plain(snapshot_download("alice/m", cache_dir=cache, dry_run=True)),
    "local": plain(snapshot_download("alice/m", cache_dir=cache, local_dir={local:?}, dry_run=True)),
    "files": plain([
        hf_hub_download("alice/m", "config.json", cache_dir=cache, dry_run=True),
        hf_hub_download("alice/m", "big.bin", cache_dir=cache, dry_run=True),
        hf_hub_download("alice/m", "sub/w.bin", revision={commit:?}, cache_dir=cache,
                        force_download=True, local_dir={local:?}, dry_run=True),
    ]),
}}))
"#,
        cache = fx.cache.path().display().to_string(),
        local = local.path().display().to_string(),
        commit = fx.commit,
    );
    let theirs = run_newest(&py, &fx, &script).await;
    for part in ["snapshot", "local", "files"] {
        assert_eq!(ours[part], theirs[part], "{part}");
    }
    // Something of each kind was compared.
    let flags: Vec<(bool, bool)> = ["snapshot", "local", "files"]
        .iter()
        .flat_map(|p| ours[*p].as_array().unwrap().clone())
        .map(|v| {
            (
                v["is_cached"].as_bool().unwrap(),
                v["will_download"].as_bool().unwrap(),
            )
        })
        .collect();
    for kind in [(true, false), (false, true), (true, true)] {
        assert!(flags.contains(&kind), "{kind:?} not in {flags:?}");
    }
}

/// `verify_repo_checksums` is a 2.x method: this runs the newest release on the same
/// damaged cache and compares the reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checksum_reports_agree_with_the_newest_python_client() {
    let Some(py) = crate::interop_python_latest("checksum interop test") else {
        return;
    };
    let fx = fixture().await;
    let api = fx.api();
    let snapshot = api.snapshot_download("alice/m").await.unwrap();
    std::fs::write(
        fx.repo_dir().join("blobs").join(sha256_hex(&fx.weights)),
        b"damaged",
    )
    .unwrap();
    std::fs::remove_file(snapshot.join("big.bin")).unwrap();
    std::fs::write(snapshot.join("extra.txt"), b"x").unwrap();

    let report = api.verify_repo_checksums("alice/m").await.unwrap();
    let ours = serde_json::json!({
        "revision": report.revision,
        "checked": report.checked_count,
        "mismatches": report.mismatches.iter().map(|m| {
            serde_json::json!([m.path, m.expected, m.actual, m.algorithm.to_string()])
        }).collect::<Vec<_>>(),
        "missing": report.missing_paths,
        "extra": report.extra_paths,
        "path": report.verified_path.display().to_string(),
    });
    let script = format!(
        r#"
import json
from huggingface_hub import HfApi
r = HfApi().verify_repo_checksums("alice/m", cache_dir={cache:?})
print(json.dumps({{
    "revision": r.revision, "checked": r.checked_count,
    "mismatches": [[m["path"], m["expected"], m["actual"], m["algorithm"]] for m in r.mismatches],
    "missing": r.missing_paths, "extra": r.extra_paths, "path": str(r.verified_path),
}}))
"#,
        cache = fx.cache.path().display().to_string(),
    );
    let theirs = run_newest(&py, &fx, &script).await;
    assert_eq!(ours, theirs);
    assert_eq!(ours["mismatches"].as_array().unwrap().len(), 1, "{ours}");
}

/// The cached tree listings (`trees/{commit}.json`) are a 2.x feature: each client
/// reads the other's, to find a cached snapshot incomplete offline and to skip the
/// listing at a cached commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tree_listings_are_shared_with_the_newest_python_client() {
    let Some(py) = crate::interop_python_latest("tree listing interop test") else {
        return;
    };
    let fx = fixture().await;
    let api = fx.api();
    api.snapshot_download("alice/m")
        .allow_patterns(["config.json"])
        .await
        .unwrap();
    let theirs_cache = tempfile::tempdir().unwrap();
    let script = format!(
        r#"
import json
from huggingface_hub import get_cached_repo_tree, snapshot_download
from huggingface_hub.errors import IncompleteSnapshotError
ours = {ours:?}
listed = sorted(f.path for f in get_cached_repo_tree("alice/m", revision={commit:?}, cache_dir=ours))
try:
    snapshot_download("alice/m", cache_dir=ours, local_files_only=True)
    incomplete = None
except IncompleteSnapshotError as e:
    incomplete = str(e)
partial = snapshot_download("alice/m", cache_dir=ours, local_files_only=True, allow_patterns=["config.json"])
full = snapshot_download("alice/m", cache_dir={theirs:?})
print(json.dumps({{"listed": listed, "incomplete": incomplete, "partial": partial, "full": full}}))
"#,
        ours = fx.cache.path().display().to_string(),
        theirs = theirs_cache.path().display().to_string(),
        commit = fx.commit,
    );
    let out = run_newest(&py, &fx, &script).await;
    let mut expected = FILES.to_vec();
    expected.push(".gitattributes");
    expected.sort_unstable();
    assert_eq!(out["listed"], serde_json::json!(expected));
    let incomplete = out["incomplete"].as_str().unwrap();
    assert!(incomplete.contains("3 file(s) are missing"), "{incomplete}");
    let snapshot = fx.repo_dir().join("snapshots").join(&fx.commit);
    assert_eq!(
        out["partial"],
        serde_json::json!(snapshot.display().to_string())
    );

    // Python's cache: a snapshot missing a file is incomplete for us too, offline; online
    // at the commit we fetch the file without listing the revision.
    let full = std::path::PathBuf::from(out["full"].as_str().unwrap());
    std::fs::remove_file(full.join("big.bin")).unwrap();
    let py_cache = crate::download::client(&fx.hub.url(), theirs_cache.path());
    let err = py_cache
        .snapshot_download("alice/m")
        .local_files_only(true)
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("is incomplete: 1 file(s) are missing (big.bin)"),
        "{err}"
    );
    fx.hub.clear_requests();
    py_cache
        .snapshot_download("alice/m")
        .revision(&fx.commit)
        .await
        .unwrap();
    assert_eq!(std::fs::read(full.join("big.bin")).unwrap(), fx.big);
    assert!(
        fx.hub
            .requests()
            .iter()
            .all(|r| !r.path().contains("/revision/") && !r.path().contains("/tree/")),
        "{:?}",
        fx.hub.requests()
    );
}

/// Kernel repos (`repo_type="kernel"`, `kernels--ns--name` in the cache) came after
/// 0.26.5: the newest Python client reads the emulator's kernel API and our cache, and
/// we read its cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kernel_repos_are_shared_with_the_newest_python_client() {
    let Some(py) = crate::interop_python_latest("kernel repo interop test") else {
        return;
    };
    let fx = fixture().await;
    let k = hf_testhub::RepoType::Kernel;
    fx.hub.create_repo(k, "alice/act", false).unwrap();
    let init = b"from ._ops import ops\n".to_vec();
    let lib = crate::download::content(7, 4096);
    fx.hub
        .upload_file(k, "alice/act", "main", "build/torch/__init__.py", &init)
        .unwrap();
    let commit = fx
        .hub
        .upload_file(k, "alice/act", "main", "build/torch/_ops.so", &lib)
        .unwrap();
    let api = fx.api();
    let kernel = hf_api::types::RepoType::Kernel;
    let info = api.kernel_info("alice/act").await.unwrap();
    assert_eq!(
        info.sha.as_ref().map(hf_api::types::CommitOid::as_str),
        Some(commit.as_str())
    );
    let snapshot = api
        .snapshot_download("alice/act")
        .repo_type(kernel)
        .await
        .unwrap();
    assert_eq!(
        snapshot,
        fx.cache
            .path()
            .join("kernels--alice--act/snapshots")
            .join(&commit)
    );
    assert_eq!(
        std::fs::read(snapshot.join("build/torch/_ops.so")).unwrap(),
        lib
    );

    let theirs = tempfile::tempdir().unwrap();
    let script = format!(
        r#"
import json
from huggingface_hub import HfApi, hf_hub_download, scan_cache_dir, snapshot_download
api = HfApi()
info = api.repo_info("alice/act", repo_type="kernel")
found = [hf_hub_download("alice/act", f, repo_type="kernel", cache_dir={ours:?}, local_files_only=True)
         for f in ["build/torch/__init__.py", "build/torch/_ops.so"]]
scan = scan_cache_dir({ours:?})
repos = sorted([r.repo_id, r.repo_type, r.nb_files, r.size_on_disk] for r in scan.repos)
full = snapshot_download("alice/act", repo_type="kernel", cache_dir={theirs:?})
print(json.dumps({{"kind": type(info).__name__, "sha": info.sha, "found": found, "repos": repos,
                  "warnings": [str(w) for w in scan.warnings], "full": full}}))
"#,
        ours = fx.cache.path().display().to_string(),
        theirs = theirs.path().display().to_string(),
    );
    let out = run_newest(&py, &fx, &script).await;
    assert_eq!(out["kind"], "KernelInfo");
    assert_eq!(out["sha"], commit.as_str());
    let in_snapshot = |f: &str| snapshot.join(f).display().to_string();
    assert_eq!(
        out["found"],
        serde_json::json!([
            in_snapshot("build/torch/__init__.py"),
            in_snapshot("build/torch/_ops.so")
        ])
    );
    // Our scan of our cache says the same (the files and `.gitattributes`).
    let ours = hf_cache::HfCache::new(fx.cache.path()).scan().unwrap();
    let mine: Vec<_> = ours
        .repos
        .iter()
        .map(|r| serde_json::json!([r.repo_id, r.repo_type.as_str(), r.nb_files, r.size_on_disk]))
        .collect();
    assert_eq!(out["repos"], serde_json::json!(mine));
    assert_eq!(out["repos"][0][2], 3);
    assert_eq!(out["warnings"], serde_json::json!([]));

    // Python's download, found by us offline and listed by our scan.
    let mine_on_theirs = crate::download::client(&fx.hub.url(), theirs.path());
    let path = mine_on_theirs
        .hf_hub_download("alice/act", "build/torch/_ops.so")
        .repo_type(kernel)
        .local_files_only(true)
        .await
        .unwrap();
    let full = std::path::PathBuf::from(out["full"].as_str().unwrap());
    assert_eq!(path, full.join("build/torch/_ops.so"));
    let scan = hf_cache::HfCache::new(theirs.path()).scan().unwrap();
    let repos: Vec<_> = scan
        .repos
        .iter()
        .map(|r| (r.repo_id.as_str(), r.repo_type, r.nb_files))
        .collect();
    assert_eq!(repos, [("alice/act", kernel, 3)]);
    assert!(scan.warnings.is_empty(), "{:?}", scan.warnings);
}

/// Over HTTPS (the emulator with its test certificate): Python trusts it through
/// `REQUESTS_CA_BUNDLE`, downloads the repo (the LFS files from the CDN listener, HTTPS
/// too), and we find its files offline; without the CA it refuses the certificate, as we
/// do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_downloads_over_https_into_a_cache_we_read() {
    let Some(py) = crate::interop_python("HTTPS interop test") else {
        return;
    };
    let fx = crate::download::tls_fixture().await;
    let ca = hf_testhub::TlsIdentity::test_files_dir().join("ca.pem");
    let home = tempfile::tempdir().unwrap();
    let script = format!(
        r#"
import json
from huggingface_hub import snapshot_download
path = snapshot_download("alice/m", cache_dir={cache:?})
print(json.dumps(path))
"#,
        cache = fx.cache.path().display().to_string(),
    );
    let ca_text = ca.display().to_string();
    let out = run_python_with(
        &py,
        &fx.hub.url(),
        home.path(),
        &script,
        &[("REQUESTS_CA_BUNDLE", &ca_text)],
    )
    .await;
    let dir = std::path::PathBuf::from(out.as_str().unwrap());
    check_snapshot(&fx, &dir);
    assert!(
        fx.hub
            .requests()
            .iter()
            .any(|r| r.listener == hf_testhub::Listener::Cdn),
        "the LFS files came from the CDN listener"
    );
    let api = fx.api();
    let offline = api
        .snapshot_download("alice/m")
        .local_files_only(true)
        .await
        .unwrap();
    assert_eq!(offline, dir);

    // Against the public roots alone (certifi's), Python refuses the certificate.
    let refused = format!(
        r#"
import certifi, json, requests
try:
    requests.get("{url}/api/models/alice/m", verify=certifi.where())
    print(json.dumps("accepted"))
except requests.exceptions.SSLError as e:
    print(json.dumps("refused" if "CERTIFICATE_VERIFY_FAILED" in str(e) else str(e)))
"#,
        url = fx.hub.url()
    );
    let out = run_python(&py, &fx.hub.url(), home.path(), &refused).await;
    assert_eq!(out, "refused");
}
