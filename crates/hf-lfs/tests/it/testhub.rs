//! End to end against hf-testhub, the full Hub emulator: upload, commit, download back.

use hf_lfs::{CommitHeader, CommitOperation, CommitOperationAdd, TransferOptions, UploadTarget};
use hf_testhub::{FaultRule, Listener, TestHub};
use hf_types::{RepoId, RepoType};

use crate::hashing::pseudo_random;

const TOKEN: &str = "hf_alice_write_token";

async fn download(client: &hf_http::HubClient, path: &str) -> bytes::Bytes {
    let req = http::Request::get(
        client
            .url(&format!("/alice/up/resolve/main/{path}"))
            .unwrap(),
    )
    .body(hf_http::HfBody::empty())
    .unwrap();
    client
        .send(req)
        .await
        .unwrap()
        .into_body()
        .bytes()
        .await
        .unwrap()
}

#[tokio::test]
async fn commit_to_the_emulator_and_download_back() {
    let hub = TestHub::builder()
        .user("alice", TOKEN)
        .lfs_threshold(1024 * 1024)
        .multipart_chunk_size(5 * 1024 * 1024)
        .start()
        .await
        .unwrap();
    hub.create_repo(hf_testhub::RepoType::Model, "alice/up", false)
        .unwrap();
    // The second part of the multipart upload fails twice before landing.
    hub.fault(
        FaultRule::regex(Some(http::Method::PUT), r"^/multipart/[0-9a-f]{64}/2\b")
            .unwrap()
            .on(Listener::Cdn)
            .fail_times(2, 500),
    );
    let client = hf_http::HubClient::builder(hub.url())
        .token(hf_http::Token::new(TOKEN))
        .retry(hf_http::RetryConfig::default().backoff(
            std::time::Duration::from_millis(1),
            std::time::Duration::from_millis(4),
        ))
        .build()
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let big = pseudo_random(12 * 1024 * 1024 + 1, 21); // 3 parts
    let medium = pseudo_random(2 * 1024 * 1024, 22); // basic
    let big_path = dir.path().join("big.bin");
    std::fs::write(&big_path, &big).unwrap();
    let mut ops: Vec<CommitOperation> = vec![
        CommitOperationAdd::from_bytes("README.md", &b"# up\n"[..])
            .unwrap()
            .into(),
        CommitOperationAdd::from_path("weights/big.bin", &big_path)
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("weights/medium.bin", medium.clone())
            .unwrap()
            .into(),
    ];
    let target = UploadTarget::new(RepoType::Model, RepoId::new("alice/up").unwrap());
    hf_lfs::hash_additions(&mut ops).await.unwrap();
    hf_lfs::preupload(&client, &target, &mut ops, None)
        .await
        .unwrap();
    hf_lfs::upload_lfs_objects(&client, &target, &mut ops, &TransferOptions::default())
        .await
        .unwrap();
    let info = hf_lfs::send_commit(&client, &target, &CommitHeader::new("Add weights"), &ops)
        .await
        .unwrap();
    assert_eq!(info.commit_oid.as_str().len(), 40);

    assert_eq!(&download(&client, "README.md").await[..], b"# up\n");
    assert!(download(&client, "weights/big.bin").await == big);
    assert!(download(&client, "weights/medium.bin").await == medium);

    let log = hub.requests();
    let cdn: Vec<_> = log.iter().filter(|r| r.listener == Listener::Cdn).collect();
    assert!(
        cdn.iter().all(|r| !r.has_authorization()),
        "a CDN request carried the token"
    );
    let part2 = cdn
        .iter()
        .filter(|r| r.method == http::Method::PUT && r.path().ends_with("/2"))
        .count();
    assert_eq!(part2, 3, "part 2: two injected 500s, then success");
    let hub_side = log.iter().filter(|r| r.listener == Listener::Main);
    assert!(
        hub_side
            .filter(|r| r.path().starts_with("/api/"))
            .all(hf_testhub::LoggedRequest::has_authorization)
    );
}
