//! Tree listings and paths info against the emulator, across several pages.

use futures_util::TryStreamExt;
use hf_api::Error;
use hf_testhub::RepoType as HubType;
use hf_types::{RepoTreeEntry, RepoType};

use crate::api_support::{ALICE, BOB, client, hub, requests};

/// A repo with 7 files in 3 folders.
fn seed(hub: &hf_testhub::TestHub) -> String {
    hub.create_repo(HubType::Model, "alice/t", false).unwrap();
    for p in [
        "a.txt",
        "b.txt",
        "dir/c.txt",
        "dir/d.txt",
        "dir/sub/e.txt",
        "dir/sub/f g.txt",
    ] {
        hub.upload_file(HubType::Model, "alice/t", "main", p, p.as_bytes())
            .unwrap();
    }
    hub.upload_file(HubType::Model, "alice/t", "main", "w.bin", &[3u8; 5000])
        .unwrap()
}

#[tokio::test]
async fn list_repo_tree_pages_recursion_paths_and_expand() {
    let hub = hub(2).await;
    seed(&hub);
    let api = client(&hub, Some(BOB));

    let root: Vec<RepoTreeEntry> = api.list_repo_tree("alice/t").try_collect().await.unwrap();
    let mut paths: Vec<&str> = root.iter().map(RepoTreeEntry::path).collect();
    paths.sort_unstable();
    assert_eq!(
        paths,
        [".gitattributes", "a.txt", "b.txt", "dir", "w.bin"],
        "{root:?}"
    );
    assert!(matches!(
        root.iter().find(|e| e.path() == "dir"),
        Some(RepoTreeEntry::Folder(_))
    ));
    let tree_calls = requests(&hub)
        .iter()
        .filter(|r| r.starts_with("GET /api/models/alice/t/tree/main"))
        .count();
    assert_eq!(tree_calls, 3, "5 entries in pages of 2");
    assert!(
        requests(&hub)
            .iter()
            .any(|r| r == "GET /api/models/alice/t/tree/main?recursive=False&expand=False")
    );

    let all: Vec<RepoTreeEntry> = api
        .list_repo_tree("alice/t")
        .recursive(true)
        .try_collect()
        .await
        .unwrap();
    let files = all.iter().filter(|e| e.as_file().is_some()).count();
    assert_eq!(files, 8);
    let w = all
        .iter()
        .find_map(|e| e.as_file().filter(|f| f.path == "w.bin"))
        .unwrap();
    assert_eq!(w.size, 5000);

    let sub: Vec<RepoTreeEntry> = api
        .list_repo_tree("alice/t")
        .path_in_repo("dir/sub")
        .expand(true)
        .try_collect()
        .await
        .unwrap();
    let mut names: Vec<&str> = sub.iter().map(RepoTreeEntry::path).collect();
    names.sort_unstable();
    assert_eq!(names, ["dir/sub/e.txt", "dir/sub/f g.txt"]);
    assert!(sub[0].as_file().unwrap().last_commit.is_some());
    assert!(
        requests(&hub)
            .iter()
            .any(|r| r.starts_with("GET /api/models/alice/t/tree/main/dir%2Fsub?"))
    );
}

#[tokio::test]
async fn list_repo_tree_errors() {
    let hub = hub(2).await;
    seed(&hub);
    let api = client(&hub, Some(ALICE));
    let err = api
        .list_repo_tree("alice/none")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
    let err = api
        .list_repo_tree("alice/t")
        .revision("nope")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    let err = api
        .list_repo_tree("alice/t")
        .path_in_repo("missing")
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn list_repo_files_follows_pages_and_revisions() {
    let hub = hub(3).await;
    let head = seed(&hub);
    hub.create_repo(HubType::Dataset, "alice/ds", false)
        .unwrap();
    let api = client(&hub, Some(ALICE));
    let mut files: Vec<String> = api.list_repo_files("alice/t").try_collect().await.unwrap();
    files.sort();
    assert_eq!(
        files,
        [
            ".gitattributes",
            "a.txt",
            "b.txt",
            "dir/c.txt",
            "dir/d.txt",
            "dir/sub/e.txt",
            "dir/sub/f g.txt",
            "w.bin"
        ]
    );
    let at: Vec<String> = api
        .list_repo_files("alice/t")
        .revision(&head)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(at.len(), 8);
    let ds: Vec<String> = api
        .list_repo_files("alice/ds")
        .repo_type(RepoType::Dataset)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ds, [".gitattributes"]);
}

#[tokio::test]
async fn get_paths_info_returns_known_paths_only() {
    let hub = hub(2).await;
    seed(&hub);
    let api = client(&hub, Some(ALICE));
    let entries = api
        .get_paths_info("alice/t", ["a.txt", "dir", "missing", "w.bin"])
        .await
        .unwrap();
    let mut paths: Vec<&str> = entries.iter().map(RepoTreeEntry::path).collect();
    paths.sort_unstable();
    assert_eq!(paths, ["a.txt", "dir", "w.bin"]);
    let expanded = api
        .get_paths_info("alice/t", ["a.txt"])
        .expand(true)
        .revision("main")
        .await
        .unwrap();
    assert!(expanded[0].as_file().unwrap().last_commit.is_some());
    let post = hub
        .requests()
        .into_iter()
        .find(|r| r.path_and_query == "/api/models/alice/t/paths-info/main")
        .unwrap();
    assert_eq!(
        post.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    let err = api
        .get_paths_info("alice/t", ["a.txt"])
        .revision("nope")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
}
