//! Uploads and commits against the in-process emulator: `create_commit`,
//! `preupload_lfs_files`, `upload_file`, `upload_folder`, the deletes, the background
//! queue, typed errors and transfer faults.

use std::path::Path;

use futures_util::TryStreamExt;
use hf_api::upload::{
    CommitOperation, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete,
};
use hf_api::{Error, HfApi};
use hf_testhub::{FaultRule, Listener, RepoType, TestHub};
use http::Method;

use crate::api_support::{ALICE, BOB, client};

/// A hub where files of 1 KiB or more go to LFS and multipart parts are 64 KiB.
pub(crate) async fn upload_hub() -> TestHub {
    TestHub::builder()
        .user("alice", ALICE)
        .user("bob", BOB)
        .lfs_threshold(1024)
        .multipart_chunk_size(64 * 1024)
        .start()
        .await
        .expect("the emulator starts")
}

/// `n` bytes of a pattern that differs per `seed`.
pub(crate) fn content(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// The bytes of `path` at `rev` (through the resolve endpoint, redirects followed).
pub(crate) async fn fetch(api: &HfApi, prefix: &str, repo: &str, rev: &str, path: &str) -> Vec<u8> {
    let url = api
        .http()
        .url(&format!(
            "/{prefix}{repo}/resolve/{}/{path}",
            rev.replace('/', "%2F")
        ))
        .unwrap();
    let req = http::Request::get(url)
        .body(hf_api::http::HfBody::empty())
        .unwrap();
    let res = api.http().send(req).await.expect("the file downloads");
    res.into_body().bytes().await.unwrap().to_vec()
}

/// The files of `repo` at `rev`, sorted.
pub(crate) async fn files(api: &HfApi, repo: &str, rev: &str) -> Vec<String> {
    let mut f: Vec<String> = api
        .list_repo_files(repo)
        .revision(rev)
        .try_collect()
        .await
        .unwrap();
    f.sort();
    f
}

fn count(hub: &TestHub, listener: Listener, method: &Method, path_prefix: &str) -> usize {
    hub.requests()
        .iter()
        .filter(|r| {
            r.listener == listener && r.method == method && r.path().starts_with(path_prefix)
        })
        .count()
}

fn commits(hub: &TestHub) -> usize {
    hub.requests()
        .iter()
        .filter(|r| {
            r.method == Method::POST && r.path().contains("/commit/") && r.status.is_success()
        })
        .count()
}

#[tokio::test]
async fn create_commit_adds_deletes_and_copies() {
    let hub = upload_hub().await;
    hub.create_repo(RepoType::Model, "alice/up", false).unwrap();
    let api = client(&hub, Some(ALICE));
    let big = content(200 * 1024, 1); // multipart: 4 parts
    let lfs = content(4096, 2); // basic LFS upload
    let ops: Vec<CommitOperation> = vec![
        CommitOperationAdd::from_bytes("README.md", "# up\n")
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("weights/small.bin", lfs.clone())
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("weights/big.bin", big.clone())
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("empty.txt", Vec::new())
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("tmp/a.txt", "a")
            .unwrap()
            .into(),
    ];
    let first = api
        .create_commit("alice/up", ops, "First")
        .commit_description("the body")
        .await
        .unwrap();
    assert!(first.commit_url.ends_with(first.commit_oid.as_str()));
    // README.md metadata is validated before anything is uploaded
    assert_eq!(hub.requests()[0].path(), "/api/validate-yaml");
    assert!(first.pull_request_url.is_none());
    assert_eq!(count(&hub, Listener::Cdn, &Method::PUT, "/multipart/"), 4);
    assert_eq!(count(&hub, Listener::Cdn, &Method::PUT, "/upload/"), 1);

    let ops: Vec<CommitOperation> = vec![
        CommitOperationCopy::new("weights/big.bin", "copy/big.bin")
            .unwrap()
            .into(),
        CommitOperationCopy::new("README.md", "copy/README.md")
            .unwrap()
            .into(),
        CommitOperationDelete::new("tmp/").unwrap().into(),
        CommitOperationDelete::new("weights/small.bin")
            .unwrap()
            .into(),
    ];
    let second = api
        .create_commit("alice/up", ops, "Second")
        .parent_commit(first.commit_oid.as_str())
        .await
        .unwrap();
    assert_ne!(second.commit_oid, first.commit_oid);
    assert_eq!(
        files(&api, "alice/up", "main").await,
        [
            ".gitattributes",
            "README.md",
            "copy/README.md",
            "copy/big.bin",
            "empty.txt",
            "weights/big.bin"
        ]
    );
    assert_eq!(
        fetch(&api, "", "alice/up", "main", "copy/big.bin").await,
        big
    );
    assert_eq!(
        fetch(&api, "", "alice/up", "main", "copy/README.md").await,
        b"# up\n"
    );
    assert!(
        fetch(&api, "", "alice/up", "main", "empty.txt")
            .await
            .is_empty()
    );
    let log: Vec<_> = api
        .list_repo_commits("alice/up")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(log[0].title, "Second");
    assert_eq!(log[1].title, "First");
    assert!(log[1].message.contains("the body"), "{:?}", log[1].message);
}

#[tokio::test]
async fn typed_errors_before_or_instead_of_a_commit() {
    let hub = upload_hub().await;
    let head = hub
        .create_repo(RepoType::Model, "alice/err", false)
        .unwrap();
    let api = client(&hub, Some(ALICE));

    // empty message: nothing is sent
    let err = api
        .create_commit(
            "alice/err",
            vec![CommitOperationDelete::new("x").unwrap().into()],
            "  ",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    assert!(hub.requests().is_empty());

    // paths escaping the repo or writing git internals
    for bad in ["../x", "a/../../x", ".git/config", "..", "a/.cache/x"] {
        let err = api.upload_file("alice/err", bad, "x").await.unwrap_err();
        assert!(
            matches!(err, Error::InvalidArgument { .. }),
            "{bad}: {err:?}"
        );
    }
    assert!(hub.requests().is_empty());

    // missing repo
    let err = api
        .upload_file("alice/missing", "a.txt", "x")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");

    // a concurrent commit moves the branch: parent_commit fails with 412, nothing lands
    hub.upload_file(RepoType::Model, "alice/err", "main", "other.txt", b"o")
        .unwrap();
    let err = api
        .upload_file("alice/err", "mine.txt", "m")
        .parent_commit(&head[..12])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::PreconditionFailed(_)), "{err:?}");
    assert_eq!(err.status(), Some(http::StatusCode::PRECONDITION_FAILED));
    assert_eq!(
        files(&api, "alice/err", "main").await,
        [".gitattributes", "other.txt"]
    );

    // a malformed parent commit is refused locally
    let err = api
        .upload_file("alice/err", "mine.txt", "m")
        .parent_commit("not-hex")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");

    // deleting a missing file
    let err = api.delete_file("alice/err", "nope.txt").await.unwrap_err();
    assert!(matches!(err, Error::EntryNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn upload_file_to_a_pull_request_and_branch() {
    let hub = upload_hub().await;
    hub.create_repo(RepoType::Dataset, "alice/ds", false)
        .unwrap();
    let api = client(&hub, Some(ALICE));
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("data.csv");
    std::fs::write(&local, content(3000, 7)).unwrap();
    let pr = api
        .upload_file("alice/ds", "data/data.csv", local.as_path())
        .repo_type(hf_api::types::RepoType::Dataset)
        .create_pr(true)
        .await
        .unwrap();
    assert_eq!(pr.pr_num(), Some(1));
    assert_eq!(pr.pr_revision().unwrap().as_str(), "refs/pr/1");
    assert!(pr.commit_url.contains("/datasets/alice/ds/commit/"));
    assert_eq!(
        fetch(&api, "datasets/", "alice/ds", "refs/pr/1", "data/data.csv").await,
        content(3000, 7)
    );
    let main: Vec<String> = api
        .list_repo_files("alice/ds")
        .repo_type(hf_api::types::RepoType::Dataset)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(main, [".gitattributes"]);
    let log: Vec<_> = api
        .list_repo_commits("alice/ds")
        .repo_type(hf_api::types::RepoType::Dataset)
        .revision("refs/pr/1")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(log[0].title, "Upload data/data.csv with huggingface_hub");
}

#[tokio::test]
async fn preuploaded_files_are_not_uploaded_again_and_unchanged_files_make_no_commit() {
    let hub = upload_hub().await;
    hub.create_repo(RepoType::Model, "alice/pre", false)
        .unwrap();
    let api = client(&hub, Some(ALICE));
    let adds = vec![
        CommitOperationAdd::from_bytes("a.bin", content(5000, 1)).unwrap(),
        CommitOperationAdd::from_bytes("b.txt", "small").unwrap(),
    ];
    let adds = api.preupload_lfs_files("alice/pre", adds).await.unwrap();
    assert!(adds[0].is_uploaded());
    assert_eq!(count(&hub, Listener::Cdn, &Method::PUT, "/upload/"), 1);
    hub.clear_requests();
    let ops: Vec<CommitOperation> = adds.into_iter().map(Into::into).collect();
    let c = api
        .create_commit("alice/pre", ops.clone(), "Add")
        .await
        .unwrap();
    assert!(hub.requests().iter().all(|r| r.listener == Listener::Main));
    assert!(!requests_contain(&hub, "/info/lfs/objects/batch"));
    assert_eq!(commits(&hub), 1);

    // same content again: no commit, the head is returned
    hub.clear_requests();
    let again = api
        .create_commit(
            "alice/pre",
            vec![
                CommitOperationAdd::from_bytes("a.bin", content(5000, 1))
                    .unwrap()
                    .into(),
                CommitOperationAdd::from_bytes("b.txt", "small")
                    .unwrap()
                    .into(),
            ],
            "Again",
        )
        .await
        .unwrap();
    assert_eq!(again.commit_oid, c.commit_oid);
    assert_eq!(commits(&hub), 0);
    assert_eq!(count(&hub, Listener::Cdn, &Method::PUT, "/"), 0);
}

fn requests_contain(hub: &TestHub, needle: &str) -> bool {
    hub.requests().iter().any(|r| r.path().contains(needle))
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

#[tokio::test]
async fn upload_folder_with_patterns_prefix_and_deletes() {
    let hub = upload_hub().await;
    hub.create_repo(RepoType::Model, "alice/folder", false)
        .unwrap();
    for (p, c) in [
        ("sub/old.bin", &b"old"[..]),
        ("sub/keep.txt", b"keep"),
        ("sub/.gitattributes", b"*.x filter=lfs"),
        ("top.bin", b"top"),
    ] {
        hub.upload_file(RepoType::Model, "alice/folder", "main", p, c)
            .unwrap();
    }
    let api = client(&hub, Some(ALICE));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "model.safetensors", &content(70_000, 3));
    write(root, "config.json", b"{}");
    write(root, "logs/run.log", b"log");
    write(root, "nested/deep/w.bin", &content(2048, 4));
    write(root, "nested/notes.md", b"notes");
    write(root, ".git/config", b"[core]");
    write(root, "nested/.git/HEAD", b"ref");
    write(root, ".cache/huggingface/upload/x.metadata", b"meta");
    write(root, "old.bin", b"replaced");

    api.upload_folder("alice/folder", root)
        .path_in_repo("/sub/")
        .allow_patterns(["*.safetensors", "*.json", "nested/", "*.bin"])
        .ignore_patterns(["*.md"])
        .delete_patterns(["*.bin", "*.txt", ".gitattributes"])
        .await
        .unwrap();
    // As in Python, only the root `.gitattributes` is protected: `sub/.gitattributes`
    // matched a delete pattern and is gone.
    assert_eq!(
        files(&api, "alice/folder", "main").await,
        [
            ".gitattributes",
            "sub/config.json",
            "sub/model.safetensors",
            "sub/nested/deep/w.bin",
            "sub/old.bin",
            "top.bin",
        ]
    );
    assert_eq!(
        fetch(&api, "", "alice/folder", "main", "sub/old.bin").await,
        b"replaced"
    );
    assert_eq!(
        fetch(&api, "", "alice/folder", "main", "sub/model.safetensors").await,
        content(70_000, 3)
    );
    let log: Vec<_> = api
        .list_repo_commits("alice/folder")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(log[0].title, "Upload folder using huggingface_hub");
}

#[tokio::test]
async fn delete_files_folder_and_file() {
    let hub = upload_hub().await;
    hub.create_repo(RepoType::Model, "alice/del", false)
        .unwrap();
    for p in [
        "a.bin",
        "b/c.bin",
        "b/d.txt",
        "e/f.txt",
        "e/g/h.txt",
        "keep.md",
    ] {
        hub.upload_file(RepoType::Model, "alice/del", "main", p, p.as_bytes())
            .unwrap();
    }
    let api = client(&hub, Some(ALICE));
    api.delete_files("alice/del", ["*.bin", ".gitattributes"])
        .await
        .unwrap();
    assert_eq!(
        files(&api, "alice/del", "main").await,
        [
            ".gitattributes",
            "b/d.txt",
            "e/f.txt",
            "e/g/h.txt",
            "keep.md"
        ]
    );
    api.delete_folder("alice/del", "e").await.unwrap();
    api.delete_file("alice/del", "b/d.txt")
        .commit_message("bye")
        .await
        .unwrap();
    assert_eq!(
        files(&api, "alice/del", "main").await,
        [".gitattributes", "keep.md"]
    );
    let log: Vec<_> = api
        .list_repo_commits("alice/del")
        .try_collect()
        .await
        .unwrap();
    let titles: Vec<&str> = log.iter().take(3).map(|c| c.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "bye",
            "Delete folder e with huggingface_hub",
            "Delete files *.bin .gitattributes with huggingface_hub"
        ]
    );
}

#[tokio::test]
async fn part_failing_twice_is_retried_and_committed_once() {
    let hub = upload_hub().await;
    hub.create_repo(RepoType::Model, "alice/flaky", false)
        .unwrap();
    hub.fault(
        FaultRule::new(Method::PUT, "/multipart/")
            .on(Listener::Cdn)
            .fail_times(2, 500),
    );
    let api = client(&hub, Some(ALICE));
    let big = content(150 * 1024, 9); // 3 parts
    api.upload_file("alice/flaky", "big.bin", big.clone())
        .await
        .unwrap();
    assert_eq!(
        count(&hub, Listener::Cdn, &Method::PUT, "/multipart/"),
        3 + 2
    );
    assert_eq!(commits(&hub), 1);
    assert_eq!(fetch(&api, "", "alice/flaky", "main", "big.bin").await, big);
}

#[tokio::test]
async fn dropped_connection_during_a_part_is_retried() {
    let hub = upload_hub().await;
    hub.create_repo(RepoType::Model, "alice/drop", false)
        .unwrap();
    hub.fault(
        FaultRule::new(Method::PUT, "/multipart/")
            .on(Listener::Cdn)
            .drop_after(0)
            .times(1),
    );
    let api = client(&hub, Some(ALICE));
    let big = content(130 * 1024, 5); // 3 parts
    api.upload_file("alice/drop", "big.bin", big.clone())
        .await
        .unwrap();
    assert!(count(&hub, Listener::Cdn, &Method::PUT, "/multipart/") >= 4);
    assert_eq!(commits(&hub), 1);
    assert_eq!(fetch(&api, "", "alice/drop", "main", "big.bin").await, big);
}

#[tokio::test]
async fn basic_upload_failing_is_retried() {
    let hub = upload_hub().await;
    hub.create_repo(RepoType::Model, "alice/basic", false)
        .unwrap();
    hub.fault(
        FaultRule::new(Method::PUT, "/upload/")
            .on(Listener::Cdn)
            .fail_times(2, 503),
    );
    let api = client(&hub, Some(ALICE));
    let data = content(10_000, 8);
    api.upload_file("alice/basic", "x.bin", data.clone())
        .await
        .unwrap();
    assert_eq!(count(&hub, Listener::Cdn, &Method::PUT, "/upload/"), 3);
    assert_eq!(commits(&hub), 1);
    assert_eq!(fetch(&api, "", "alice/basic", "main", "x.bin").await, data);
}

#[tokio::test]
async fn background_jobs_run_in_order() {
    let hub = upload_hub().await;
    hub.create_repo(RepoType::Model, "alice/bg", false).unwrap();
    let api = client(&hub, Some(ALICE));
    let queue = api.background();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            queue.spawn(
                api.upload_file(
                    "alice/bg",
                    &format!("f{i}.txt"),
                    format!("{i}").into_bytes(),
                )
                .commit_message(format!("c{i}")),
            )
        })
        .collect();
    let failing = queue.spawn(api.upload_file("alice/bg", "../bad", "x"));
    let mut oids = Vec::new();
    for h in handles {
        oids.push(h.await.unwrap().commit_oid);
    }
    assert!(matches!(failing.await, Err(Error::InvalidArgument { .. })));
    let log: Vec<_> = api
        .list_repo_commits("alice/bg")
        .try_collect()
        .await
        .unwrap();
    let titles: Vec<&str> = log.iter().take(4).map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["c3", "c2", "c1", "c0"]);
    assert_eq!(log[0].id, oids[3]);
}

#[tokio::test]
async fn large_commits_are_negotiated_in_groups_with_one_gitignore() {
    let hub = upload_hub().await;
    hub.create_repo(RepoType::Model, "alice/groups", false)
        .unwrap();
    let api = client(&hub, Some(ALICE));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".gitignore", b"*.log\n");
    for i in 0..300 {
        write(root, &format!("f{i:03}.txt"), format!("{i}").as_bytes());
    }
    write(
        root,
        "z.log",
        b"ignored by the .gitignore of the first group",
    );
    api.upload_folder("alice/groups", root).await.unwrap();
    let got = files(&api, "alice/groups", "main").await;
    assert_eq!(got.len(), 1 + 1 + 300, "{:?}", &got[..3]);
    assert!(!got.contains(&"z.log".to_owned()));
    let preuploads = hub
        .requests()
        .iter()
        .filter(|r| r.path().contains("/preupload/"))
        .count();
    assert_eq!(preuploads, 2, "302 additions: two groups");
    assert_eq!(
        fetch(&api, "", "alice/groups", "main", "f299.txt").await,
        b"299"
    );
}

#[test]
fn blocking_mirror_uploads_and_deletes() {
    use hf_api::blocking::prelude::*;

    let hub = TestHub::builder()
        .user("alice", ALICE)
        .lfs_threshold(1024)
        .start_blocking()
        .unwrap();
    hub.create_repo(RepoType::Model, "alice/sync", false)
        .unwrap();
    let api = hf_api::blocking::HfApi::from(client(&hub, Some(ALICE)));
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", b"a");
    write(dir.path(), "w.bin", &content(4000, 3));
    api.upload_folder("alice/sync", dir.path()).send().unwrap();
    api.upload_file("alice/sync", "b.txt", "b").send().unwrap();
    api.delete_file("alice/sync", "a.txt").send().unwrap();
    let mut files: Vec<String> = api
        .list_repo_files("alice/sync")
        .iter()
        .collect::<Result<_, _>>()
        .unwrap();
    files.sort();
    assert_eq!(files, [".gitattributes", "b.txt", "w.bin"]);
}

#[tokio::test]
async fn a_kernel_repo_is_created_uploaded_to_and_listed_like_the_others() {
    let hub = upload_hub().await;
    let api = client(&hub, Some(ALICE));
    let kernel = hf_api::types::RepoType::Kernel;
    let url = api
        .create_repo("alice/act")
        .repo_type(kernel)
        .await
        .unwrap();
    assert!(url.to_string().ends_with("/kernels/alice/act"), "{url}");
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("build/torch")).unwrap();
    std::fs::write(dir.path().join("build/torch/__init__.py"), b"ops = 1\n").unwrap();
    std::fs::write(dir.path().join("build/torch/_ops.so"), content(5000, 3)).unwrap();
    let commit = api
        .upload_folder("alice/act", dir.path())
        .repo_type(kernel)
        .await
        .unwrap();
    assert!(
        commit.commit_url.contains("/kernels/alice/act/commit/"),
        "{}",
        commit.commit_url
    );
    let mut files: Vec<String> = api
        .list_repo_files("alice/act")
        .repo_type(kernel)
        .try_collect()
        .await
        .unwrap();
    files.sort();
    assert_eq!(
        files,
        [
            ".gitattributes",
            "build/torch/__init__.py",
            "build/torch/_ops.so"
        ]
    );
    // The LFS file went through the kernel repo's batch endpoint.
    assert!(
        hub.requests()
            .iter()
            .any(|r| r.path() == "/kernels/alice/act.git/info/lfs/objects/batch"),
        "{:?}",
        hub.requests()
    );
    assert_eq!(
        fetch(&api, "kernels/", "alice/act", "main", "build/torch/_ops.so").await,
        content(5000, 3)
    );
    api.delete_repo("alice/act")
        .repo_type(kernel)
        .await
        .unwrap();
    assert!(
        !api.repo_exists("alice/act")
            .repo_type(kernel)
            .await
            .unwrap()
    );
}
