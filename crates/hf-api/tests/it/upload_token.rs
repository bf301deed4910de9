//! A per-call token on the upload builders: a client without a token uploads to a
//! private repo when the call has `.token(..)`, and is refused without it.

use hf_api::http::Token;
use hf_api::types::RepoType;
use hf_api::upload::{CommitOperation, CommitOperationAdd, CommitOperationCopy};
use hf_api::{Error, HfApi};
use hf_testhub::{Listener, TestHub};

use crate::api_support::{ALICE, client};
use crate::upload::{content, fetch, files, upload_hub};

fn alice() -> Token {
    Token::new(ALICE).unwrap()
}

async fn private_hub() -> TestHub {
    let hub = upload_hub().await;
    hub.create_repo(hf_testhub::RepoType::Model, "alice/priv", true)
        .unwrap();
    hub
}

fn assert_refused(err: &Error) {
    assert!(
        matches!(
            err,
            Error::RepositoryNotFound(_) | Error::Unauthorized(_) | Error::Forbidden(_)
        ),
        "expected a refusal, got {err:?}"
    );
}

/// Every request that reached the Hub's own listener carried a token; none of the
/// storage (CDN) requests did.
fn assert_token_only_to_the_hub(hub: &TestHub) {
    let requests = hub.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        match r.listener {
            Listener::Main => assert!(r.has_authorization(), "no token on {}", r.path()),
            Listener::Cdn => assert!(!r.has_authorization(), "token sent to {}", r.path()),
        }
    }
}

#[tokio::test]
async fn upload_file_and_create_commit_use_the_call_token() {
    let hub = private_hub().await;
    let api = client(&hub, None);
    let owner = client(&hub, Some(ALICE));

    let err = api
        .upload_file("alice/priv", "a.txt", "a")
        .await
        .unwrap_err();
    assert_refused(&err);
    hub.clear_requests();

    api.upload_file("alice/priv", "a.txt", "a")
        .token(alice())
        .await
        .unwrap();
    // Regular, basic LFS and multipart LFS content, a copy of an LFS and of a regular
    // file (paths-info and a download), and a README (validate-yaml).
    let big = content(200 * 1024, 3);
    let ops: Vec<CommitOperation> = vec![
        CommitOperationAdd::from_bytes("README.md", "# private\n")
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("small.bin", content(4096, 1))
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("big.bin", big.clone())
            .unwrap()
            .into(),
    ];
    api.create_commit("alice/priv", ops, "weights")
        .token(alice())
        .await
        .unwrap();
    let copies: Vec<CommitOperation> = vec![
        CommitOperationCopy::new("big.bin", "copy/big.bin")
            .unwrap()
            .into(),
        CommitOperationCopy::new("a.txt", "copy/a.txt")
            .unwrap()
            .into(),
    ];
    api.create_commit("alice/priv", copies, "copies")
        .token(alice())
        .await
        .unwrap();
    // Unchanged content: no commit, the head comes from repo_info (with the token).
    let head = api
        .upload_file("alice/priv", "a.txt", "a")
        .token(alice())
        .await
        .unwrap();
    assert_token_only_to_the_hub(&hub);

    assert_eq!(
        files(&owner, "alice/priv", "main").await,
        [
            ".gitattributes",
            "README.md",
            "a.txt",
            "big.bin",
            "copy/a.txt",
            "copy/big.bin",
            "small.bin"
        ]
    );
    assert_eq!(
        fetch(&owner, "", "alice/priv", "main", "copy/big.bin").await,
        big
    );
    assert_eq!(
        fetch(&owner, "", "alice/priv", "main", "copy/a.txt").await,
        b"a"
    );
    assert_eq!(
        owner.repo_info("alice/priv").await.unwrap().sha(),
        Some(&head.commit_oid)
    );
}

#[tokio::test]
async fn folder_deletes_and_preupload_use_the_call_token() {
    let hub = private_hub().await;
    let api = client(&hub, None);
    let owner = client(&hub, Some(ALICE));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.txt"), "x").unwrap();
    std::fs::write(dir.path().join("w.bin"), content(2048, 7)).unwrap();

    let adds = vec![CommitOperationAdd::from_bytes("pre.bin", content(3000, 9)).unwrap()];
    assert_refused(
        &api.upload_folder("alice/priv", dir.path())
            .await
            .unwrap_err(),
    );
    assert_refused(
        &api.preupload_lfs_files("alice/priv", adds.clone())
            .await
            .unwrap_err(),
    );
    assert_refused(&api.delete_file("alice/priv", "w.bin").await.unwrap_err());
    assert_refused(&api.delete_files("alice/priv", ["*"]).await.unwrap_err());
    hub.clear_requests();

    api.upload_folder("alice/priv", dir.path())
        .token(alice())
        .await
        .unwrap();

    // delete_patterns lists the repo's files with the token too.
    std::fs::remove_file(dir.path().join("x.txt")).unwrap();
    api.upload_folder("alice/priv", dir.path())
        .delete_patterns(["*.txt"])
        .token(alice())
        .await
        .unwrap();
    assert_eq!(
        files(&owner, "alice/priv", "main").await,
        [".gitattributes", "w.bin"]
    );

    let adds = api
        .preupload_lfs_files("alice/priv", adds)
        .token(alice())
        .await
        .unwrap();
    let ops: Vec<CommitOperation> = adds.into_iter().map(Into::into).collect();
    api.create_commit("alice/priv", ops, "preuploaded")
        .token(alice())
        .await
        .unwrap();

    api.delete_file("alice/priv", "w.bin")
        .token(alice())
        .await
        .unwrap();
    api.delete_files("alice/priv", ["*.bin"])
        .token(alice())
        .await
        .unwrap();
    assert_eq!(
        files(&owner, "alice/priv", "main").await,
        [".gitattributes"]
    );
    assert_token_only_to_the_hub(&hub);
}

#[tokio::test]
async fn upload_large_folder_uses_the_call_token() {
    let hub = private_hub().await;
    let api: HfApi = client(&hub, None);
    let owner = client(&hub, Some(ALICE));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.txt"), "r").unwrap();
    std::fs::write(dir.path().join("l.bin"), content(5000, 4)).unwrap();

    assert!(
        api.upload_large_folder("alice/priv", dir.path(), RepoType::Model)
            .await
            .is_err()
    );
    hub.clear_requests();
    api.upload_large_folder("alice/priv", dir.path(), RepoType::Model)
        .token(alice())
        .await
        .unwrap();
    assert_eq!(
        files(&owner, "alice/priv", "main").await,
        [".gitattributes", "l.bin", "r.txt"]
    );
    assert_token_only_to_the_hub(&hub);
}
