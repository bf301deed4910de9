//! Dry runs (`.dry_run()` on `hf_hub_download` and `snapshot_download`): what a
//! download would do, checked against what it then does, and that they change nothing
//! on disk.

use std::path::{Path, PathBuf};

use hf_api::{DryRunFileInfo, Error};
use hf_testhub::{Listener, LoggedRequest};

use crate::download::{client, fixture, sha256_hex};

/// Every entry under `dir` with what it holds: a file's bytes, a symlink's target, or
/// nothing for a folder. Equal before and after means nothing changed.
fn state(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let p = e.path();
            let t = e.file_type().unwrap();
            let what = if t.is_symlink() {
                format!("-> {}", std::fs::read_link(&p).unwrap().display())
            } else if t.is_dir() {
                todo.push(p.clone());
                "dir".to_owned()
            } else {
                sha256_hex(&std::fs::read(&p).unwrap())
            };
            out.push((p, what));
        }
    }
    out.sort();
    out
}

fn is_content(r: &LoggedRequest) -> bool {
    r.method == http::Method::GET && (r.listener == Listener::Cdn || r.path().contains("/resolve/"))
}

fn heads(fx: &crate::download::Fx) -> usize {
    fx.hub
        .requests()
        .iter()
        .filter(|r| r.method == http::Method::HEAD)
        .count()
}

/// The parts of a dry run that say what would happen.
fn plan(i: &DryRunFileInfo) -> (&str, u64, bool, bool) {
    (
        i.filename.as_str(),
        i.file_size,
        i.is_cached,
        i.will_download,
    )
}

#[tokio::test]
async fn file_dry_run_predicts_the_download_and_changes_nothing() {
    let fx = fixture().await;
    let api = fx.api();
    let entry = fx.repo_dir().join("snapshots").join(&fx.commit);
    let w = fx.weights.len() as u64;

    // Nothing cached: one HEAD, no content, no folder created.
    let info = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .dry_run()
        .await
        .unwrap();
    assert_eq!(plan(&info), ("sub/w.bin", w, false, true));
    assert_eq!(info.commit_hash.as_ref().unwrap().as_str(), fx.commit);
    assert_eq!(info.local_path, entry.join("sub/w.bin"));
    assert_eq!(
        (
            heads(&fx),
            fx.hub.requests().iter().filter(|r| is_content(r)).count()
        ),
        (1, 0)
    );
    assert!(
        state(fx.cache.path()).is_empty(),
        "{:?}",
        state(fx.cache.path())
    );

    // The download lands where the dry run said.
    let path = api.hf_hub_download("alice/m", "sub/w.bin").await.unwrap();
    assert_eq!(path, info.local_path);

    // Cached: nothing to fetch, unless forced; a commit hash asks nothing of the Hub.
    let before = state(fx.cache.path());
    let info = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .dry_run()
        .await
        .unwrap();
    assert_eq!(plan(&info), ("sub/w.bin", w, true, false));
    let forced = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .force_download(true)
        .dry_run()
        .await
        .unwrap();
    assert_eq!(plan(&forced), ("sub/w.bin", w, true, true));
    fx.hub.clear_requests();
    let at_commit = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .revision(&fx.commit)
        .dry_run()
        .await
        .unwrap();
    assert_eq!(at_commit, info);
    assert!(fx.hub.requests().is_empty());

    // A new commit whose file has the same content: its blob is reused, not fetched.
    let m = hf_testhub::RepoType::Model;
    let new = fx
        .hub
        .upload_file(m, "alice/m", "main", "other.txt", b"x")
        .unwrap();
    let info = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .dry_run()
        .await
        .unwrap();
    assert_eq!(plan(&info), ("sub/w.bin", w, true, false));
    assert_eq!(info.commit_hash.as_ref().unwrap().as_str(), new);
    assert!(
        !info.local_path.exists(),
        "the new snapshot entry is not made"
    );

    // Offline: the cached file by its branch; otherwise the download's error.
    let offline = api
        .hf_hub_download("alice/m", "sub/w.bin")
        .offline(true)
        .dry_run()
        .await
        .unwrap();
    assert_eq!(plan(&offline), ("sub/w.bin", w, true, false));
    assert_eq!(offline.local_path, path);
    let err = api
        .hf_hub_download("alice/m", "big.bin")
        .local_files_only(true)
        .dry_run()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LocalEntryNotFound { .. }), "{err:?}");
    let dead = client("http://127.0.0.1:9", fx.cache.path());
    let info = dead
        .hf_hub_download("alice/m", "sub/w.bin")
        .dry_run()
        .await
        .unwrap();
    assert_eq!(plan(&info), ("sub/w.bin", w, true, false));

    // A missing file is the download's error, and is not recorded in `.no_exist/`.
    let err = api
        .hf_hub_download("alice/m", "nope.txt")
        .dry_run()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EntryNotFound(_)), "{err:?}");
    let err = api
        .hf_hub_download("alice/none", "x")
        .dry_run()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
    assert_eq!(state(fx.cache.path()), before, "no ref, no marker, no lock");
}

#[tokio::test]
async fn local_dir_dry_run_follows_the_up_to_date_rules() {
    let fx = fixture().await;
    let api = fx.api();
    let work = tempfile::tempdir().unwrap();
    let local = work.path().join("out");
    let dry = |file: &str| {
        api.hf_hub_download("alice/m", file)
            .local_dir(&local)
            .dry_run()
    };
    let (w, c) = (fx.weights.len() as u64, fx.config.len() as u64);

    let info = dry("sub/w.bin").await.unwrap();
    assert_eq!(plan(&info), ("sub/w.bin", w, false, true));
    assert_eq!(info.local_path, local.join("sub/w.bin"));
    assert!(!local.exists(), "the folder is not created");

    for file in ["sub/w.bin", "config.json"] {
        api.hf_hub_download("alice/m", file)
            .local_dir(&local)
            .await
            .unwrap();
    }
    let before = state(&local);
    assert_eq!(
        plan(&dry("sub/w.bin").await.unwrap()),
        ("sub/w.bin", w, true, false)
    );
    assert_eq!(
        plan(&dry("config.json").await.unwrap()),
        ("config.json", c, true, false)
    );
    fx.hub.clear_requests();
    let at_commit = api
        .hf_hub_download("alice/m", "config.json")
        .local_dir(&local)
        .revision(&fx.commit)
        .dry_run()
        .await
        .unwrap();
    assert_eq!(plan(&at_commit), ("config.json", c, true, false));
    assert!(fx.hub.requests().is_empty());
    assert_eq!(state(&local), before, "the metadata is not rewritten");

    // Without metadata, an LFS file is recognised by its hash; a regular one is not.
    std::fs::remove_dir_all(local.join(".cache")).unwrap();
    let before = state(&local);
    assert_eq!(
        plan(&dry("sub/w.bin").await.unwrap()),
        ("sub/w.bin", w, true, false)
    );
    assert_eq!(
        plan(&dry("config.json").await.unwrap()),
        ("config.json", c, true, true)
    );
    assert_eq!(state(&local), before);

    // Unreachable Hub: the existing file is what the download would return.
    let dead = client("http://127.0.0.1:9", fx.cache.path());
    let info = dead
        .hf_hub_download("alice/m", "config.json")
        .local_dir(&local)
        .dry_run()
        .await
        .unwrap();
    assert_eq!(plan(&info), ("config.json", c, true, false));
    assert_eq!(
        info.commit_hash, None,
        "no metadata says which commit it is"
    );

    // In the cache but not in the folder: copied, not fetched.
    api.hf_hub_download("alice/m", "big.bin").await.unwrap();
    let info = dry("big.bin").await.unwrap();
    assert_eq!(plan(&info), ("big.bin", fx.big.len() as u64, true, false));
    assert!(!info.local_path.exists());
}

#[tokio::test]
async fn snapshot_dry_run_lists_what_would_be_fetched_from_one_listing() {
    let fx = fixture().await;
    let api = fx.api();
    api.hf_hub_download("alice/m", "config.json").await.unwrap();
    let before = state(fx.cache.path());
    fx.hub.clear_requests();

    let infos = api.snapshot_download("alice/m").dry_run().await.unwrap();
    let mut plans: Vec<_> = infos.iter().map(plan).collect();
    plans.sort_unstable();
    // The repo's first commit added `.gitattributes`.
    let (size, cached, fetch) = (plans[0].1, plans[0].2, plans[0].3);
    assert_eq!(plans.remove(0), (".gitattributes", size, cached, fetch));
    assert!(size > 0 && !cached && fetch);
    assert_eq!(
        plans,
        [
            ("big.bin", fx.big.len() as u64, false, true),
            ("config.json", fx.config.len() as u64, true, false),
            ("sub/w.bin", fx.weights.len() as u64, false, true),
        ]
    );
    let entry = fx.repo_dir().join("snapshots").join(&fx.commit);
    for i in &infos {
        assert_eq!(i.local_path, entry.join(&i.filename));
        assert_eq!(i.commit_hash.as_ref().unwrap().as_str(), fx.commit);
    }
    // One listing: no HEAD (not even for files large enough for parallel ranges), no
    // content, nothing written.
    let requests = fx.hub.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(requests[0].path().contains("/revision/main"));
    assert_eq!(state(fx.cache.path()), before);

    // Patterns, `local_dir`, and what the download then does.
    let local = tempfile::tempdir().unwrap();
    let infos = api
        .snapshot_download("alice/m")
        .allow_patterns(["*.bin"])
        .ignore_patterns(["big*"])
        .local_dir(local.path())
        .dry_run()
        .await
        .unwrap();
    assert_eq!(
        infos.iter().map(plan).collect::<Vec<_>>(),
        [("sub/w.bin", fx.weights.len() as u64, false, true)]
    );
    assert_eq!(infos[0].local_path, local.path().join("sub/w.bin"));
    assert!(state(local.path()).is_empty());

    // The listing is required.
    let err = api
        .snapshot_download("alice/m")
        .local_files_only(true)
        .dry_run()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    assert!(err.to_string().contains("local_files_only"), "{err}");
    let err = api
        .snapshot_download("alice/m")
        .offline(true)
        .dry_run()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::OfflineMode { .. }), "{err:?}");
    let err = api
        .snapshot_download("alice/none")
        .dry_run()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
    let err = api
        .snapshot_download("alice/m")
        .revision("nobranch")
        .dry_run()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    assert_eq!(state(fx.cache.path()), before);
}
