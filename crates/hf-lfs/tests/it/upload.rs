//! Preupload, LFS batch, basic and multipart transfers, verify and commit over real
//! HTTP against the scripted servers of `server.rs`.

use std::collections::HashMap;

use std::sync::{Arc, Mutex};

use hf_lfs::{
    CommitHeader, CommitOperation, CommitOperationAdd, CommitOperationDelete, Error, TransferEvent,
    TransferOptions, UploadMode, UploadTarget,
};
use hf_types::{RepoId, RepoType, Revision};
use serde_json::json;

use crate::hashing::pseudo_random;
use crate::server::{Recorded, Script, Servers, TOKEN};

fn target() -> UploadTarget {
    UploadTarget::new(RepoType::Model, RepoId::new("alice/repo").unwrap())
}

fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

/// Runs every step of a commit; returns the operations as left by the steps.
async fn run(
    servers: &Servers,
    target: &UploadTarget,
    mut ops: Vec<CommitOperation>,
) -> Result<(Vec<CommitOperation>, hf_types::CommitInfo), Error> {
    let client = servers.client();
    hf_lfs::hash_additions(&mut ops).await?;
    hf_lfs::preupload(&client, target, &mut ops, None).await?;
    hf_lfs::upload_lfs_objects(&client, target, &mut ops, &TransferOptions::default()).await?;
    let info = hf_lfs::send_commit(&client, target, &CommitHeader::new("Upload"), &ops).await?;
    Ok((ops, info))
}

/// Events as `(kind, path, bytes)`.
type Events = Arc<Mutex<Vec<(&'static str, String, u64)>>>;

fn recording(options: TransferOptions) -> (TransferOptions, Events) {
    let events: Events = Arc::default();
    let sink = events.clone();
    let options = options.on_progress(move |e| {
        let row = match *e {
            TransferEvent::Skipped { path_in_repo, size } => ("skipped", path_in_repo, size),
            TransferEvent::Started { path_in_repo, size } => ("started", path_in_repo, size),
            TransferEvent::Progress {
                path_in_repo,
                bytes,
            } => ("progress", path_in_repo, bytes),
            TransferEvent::Restarted { path_in_repo } => ("restarted", path_in_repo, 0),
            TransferEvent::Finished { path_in_repo } => ("finished", path_in_repo, 0),
            _ => ("other", "", 0),
        };
        sink.lock().unwrap().push((row.0, row.1.to_owned(), row.2));
    });
    (options, events)
}

fn assert_no_auth_on_storage(servers: &Servers) {
    for r in servers.requests("storage") {
        assert!(
            r.header("authorization").is_none(),
            "{} {} carried an Authorization header",
            r.method,
            r.path
        );
    }
}

#[tokio::test]
async fn basic_upload_end_to_end() {
    let servers = Servers::start(Script::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let big = pseudo_random(3 * 1024 * 1024 + 17, 5);
    let big_path = dir.path().join("model.bin");
    std::fs::write(&big_path, &big).unwrap();
    let oid = hf_lfs::sha256(&big);
    let readme = b"# hello\n".to_vec();
    let ops = vec![
        CommitOperationAdd::from_bytes("README.md", readme.clone())
            .unwrap()
            .into(),
        CommitOperationAdd::from_path("model.bin", &big_path)
            .unwrap()
            .into(),
        CommitOperationDelete::new("old/").unwrap().into(),
    ];
    let (ops, info) = run(&servers, &target(), ops).await.unwrap();

    // Preupload: one request, exact Python-style JSON, authenticated.
    let hub = servers.requests("hub");
    let pre = &hub[0];
    assert_eq!(pre.path, "/api/models/alice/repo/preupload/main");
    assert_eq!(pre.query, None);
    assert_eq!(pre.header("authorization"), Some(bearer().as_str()));
    assert_eq!(pre.header("content-type"), Some("application/json"));
    let sample = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &big[..512]);
    assert_eq!(
        pre.text(),
        format!(
            r#"{{"files": [{{"path": "README.md", "sample": "IyBoZWxsbwo=", "size": 8}}, {{"path": "model.bin", "sample": "{sample}", "size": {}}}]}}"#,
            big.len()
        )
    );

    // LFS batch: headers and body as in hub-protocol §8.3.
    let batch = &hub[1];
    assert_eq!(batch.path, "/alice/repo.git/info/lfs/objects/batch");
    assert_eq!(batch.header("accept"), Some("application/vnd.git-lfs+json"));
    assert_eq!(
        batch.header("content-type"),
        Some("application/vnd.git-lfs+json")
    );
    assert_eq!(batch.header("authorization"), Some(bearer().as_str()));
    assert_eq!(
        batch.text(),
        format!(
            r#"{{"operation": "upload", "transfers": ["basic", "multipart"], "objects": [{{"oid": "{}", "size": {}}}], "hash_algo": "sha256", "ref": {{"name": "main"}}}}"#,
            oid.as_str(),
            big.len()
        )
    );

    // Basic PUT: the whole file, with Content-Length, no token.
    let storage = servers.requests("storage");
    assert_eq!(storage.len(), 1);
    assert_eq!(storage[0].method, http::Method::PUT);
    assert_eq!(storage[0].path, format!("/basic/{}", oid.as_str()));
    assert_eq!(
        storage[0].header("content-length"),
        Some(big.len().to_string().as_str())
    );
    assert!(storage[0].header("transfer-encoding").is_none());
    assert!(
        storage[0].body == big,
        "uploaded bytes differ from the file"
    );
    assert_no_auth_on_storage(&servers);

    // Verify, with the token (same origin as the endpoint).
    let verify = &hub[2];
    assert_eq!(verify.path, format!("/verify/{}", oid.as_str()));
    assert_eq!(
        verify.json(),
        json!({"oid": oid.as_str(), "size": big.len()})
    );
    assert_eq!(verify.header("authorization"), Some(bearer().as_str()));

    // Commit.
    let commit = &hub[3];
    assert_eq!(commit.path, "/api/models/alice/repo/commit/main");
    assert_eq!(commit.header("content-type"), Some("application/x-ndjson"));
    assert_eq!(
        commit.header("content-length"),
        Some(commit.body.len().to_string().as_str())
    );
    assert_eq!(
        commit.text(),
        format!(
            concat!(
                "{{\"key\": \"header\", \"value\": {{\"summary\": \"Upload\", \"description\": \"\"}}}}\n",
                "{{\"key\": \"file\", \"value\": {{\"content\": \"IyBoZWxsbwo=\", \"path\": \"README.md\", \"encoding\": \"base64\"}}}}\n",
                "{{\"key\": \"lfsFile\", \"value\": {{\"path\": \"model.bin\", \"algo\": \"sha256\", \"oid\": \"{}\", \"size\": {}}}}}\n",
                "{{\"key\": \"deletedFolder\", \"value\": {{\"path\": \"old/\"}}}}\n",
            ),
            oid.as_str(),
            big.len()
        )
    );
    assert_eq!(hub.len(), 4);
    assert_eq!(
        info.commit_oid.as_str(),
        "c0ffee0000000000000000000000000000000001"
    );

    // State left on the operations.
    let adds: Vec<_> = ops.iter().filter_map(CommitOperation::as_add).collect();
    assert_eq!(adds[0].upload_mode(), Some(UploadMode::Regular));
    assert!(!adds[0].is_uploaded());
    assert_eq!(adds[1].upload_mode(), Some(UploadMode::Lfs));
    assert!(adds[1].is_uploaded());
}

#[tokio::test]
async fn multipart_upload_retries_a_failing_part_and_completes() {
    let script = Script {
        failing_part: Some((2, 2, 500)),
        ..Script::default()
    };
    let servers = Servers::start(script).await;
    let dir = tempfile::tempdir().unwrap();
    // 3 parts of 4 MiB: 4 + 4 + (2 MiB + 5)
    let data = pseudo_random(10 * 1024 * 1024 + 5, 9);
    let path = dir.path().join("big.safetensors");
    std::fs::write(&path, &data).unwrap();
    let oid = hf_lfs::sha256(&data);
    let ops = vec![
        CommitOperationAdd::from_path("big.safetensors", &path)
            .unwrap()
            .into(),
    ];
    let (ops, _) = run(&servers, &target(), ops).await.unwrap();
    assert!(ops[0].as_add().unwrap().is_uploaded());

    let storage = servers.requests("storage");
    let puts: Vec<&Recorded> = storage
        .iter()
        .filter(|r| r.method == http::Method::PUT)
        .collect();
    let attempts = |n: u32| {
        puts.iter()
            .filter(|r| r.path == format!("/part/{}/{n}", oid.as_str()))
            .count()
    };
    // Part 2 failed twice with 500 and landed on the third attempt; the others once.
    assert_eq!((attempts(1), attempts(2), attempts(3)), (1, 3, 1));
    for r in &puts {
        assert_eq!(r.query.as_deref(), Some("X-Signature=secret"));
        assert_eq!(
            r.header("content-length"),
            Some(r.body.len().to_string().as_str())
        );
    }

    // The parts, in order, rebuild the file.
    let mut rebuilt = Vec::new();
    for n in 1..=3 {
        let last = puts
            .iter()
            .rev()
            .find(|r| r.path == format!("/part/{}/{n}", oid.as_str()))
            .unwrap();
        let expected_len = if n < 3 {
            4 * 1024 * 1024
        } else {
            2 * 1024 * 1024 + 5
        };
        assert_eq!(last.body.len(), expected_len, "part {n}");
        rebuilt.extend_from_slice(&last.body);
    }
    assert!(rebuilt == data, "parts do not rebuild the file");

    // Completion: LFS headers, exact body, after every part.
    let completion = storage.last().unwrap();
    assert_eq!(completion.method, http::Method::POST);
    assert_eq!(completion.path, format!("/complete/{}", oid.as_str()));
    assert_eq!(
        completion.header("accept"),
        Some("application/vnd.git-lfs+json")
    );
    assert_eq!(
        completion.header("content-type"),
        Some("application/vnd.git-lfs+json")
    );
    assert_eq!(
        completion.text(),
        format!(
            r#"{{"oid": "{}", "parts": [{{"partNumber": 1, "etag": "\"etag-1\""}}, {{"partNumber": 2, "etag": "\"etag-2\""}}, {{"partNumber": 3, "etag": "\"etag-3\""}}]}}"#,
            oid.as_str()
        )
    );
    assert_no_auth_on_storage(&servers);
}

#[tokio::test]
async fn streamed_basic_upload_is_re_read_and_retried() {
    let script = Script {
        failing_basic: Some((2, 503)),
        ..Script::default()
    };
    let servers = Servers::start(script).await;
    let dir = tempfile::tempdir().unwrap();
    let data = pseudo_random(5 * 1024 * 1024 + 3, 12);
    let path = dir.path().join("w.bin");
    std::fs::write(&path, &data).unwrap();
    let client = servers.client();
    let mut ops = vec![
        CommitOperationAdd::from_path("w.bin", &path)
            .unwrap()
            .into(),
    ];
    hf_lfs::hash_additions(&mut ops).await.unwrap();
    hf_lfs::preupload(&client, &target(), &mut ops, None)
        .await
        .unwrap();
    let options = TransferOptions::default().retry(hf_http::RetryConfig::default().backoff(
        std::time::Duration::from_millis(1),
        std::time::Duration::from_millis(2),
    ));
    hf_lfs::upload_lfs_objects(&client, &target(), &mut ops, &options)
        .await
        .unwrap();
    let puts = servers.requests("storage");
    assert_eq!(puts.len(), 3, "two 503s, then success");
    for put in &puts {
        // every attempt carried the whole file again
        assert!(put.body == data);
    }
    assert!(ops[0].as_add().unwrap().is_uploaded());

    // Without retries, the 503 surfaces with the file's name.
    let servers = Servers::start(Script {
        failing_basic: Some((1, 503)),
        ..Script::default()
    })
    .await;
    let client = servers.client();
    let mut ops = vec![
        CommitOperationAdd::from_path("w.bin", &path)
            .unwrap()
            .into(),
    ];
    hf_lfs::hash_additions(&mut ops).await.unwrap();
    hf_lfs::preupload(&client, &target(), &mut ops, None)
        .await
        .unwrap();
    let options = TransferOptions::default().retry(hf_http::RetryConfig::disabled());
    let err = hf_lfs::upload_lfs_objects(&client, &target(), &mut ops, &options)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Upload { path_in_repo, .. } if path_in_repo == "w.bin"),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert!(!ops[0].as_add().unwrap().is_uploaded());
}

/// Servers taking 1 MiB parts from 1 MiB on, and `files` (name, MiB, seed) hashed and
/// preuploaded, ready for `upload_lfs_objects`.
async fn multipart_ready(
    files: &[(&str, usize, u64)],
) -> (Servers, hf_http::HubClient, Vec<CommitOperation>) {
    let script = Script {
        chunk_size: 1024 * 1024,
        multipart_from: 1024 * 1024,
        ..Script::default()
    };
    let servers = Servers::start(script).await;
    let client = servers.client();
    let mut ops: Vec<CommitOperation> = files
        .iter()
        .map(|(name, mib, seed)| {
            CommitOperationAdd::from_bytes(name, pseudo_random(mib * 1024 * 1024, *seed))
                .unwrap()
                .into()
        })
        .collect();
    hf_lfs::hash_additions(&mut ops).await.unwrap();
    hf_lfs::preupload(&client, &target(), &mut ops, None)
        .await
        .unwrap();
    (servers, client, ops)
}

#[tokio::test]
async fn parts_in_flight_never_exceed_the_limit() {
    let (servers, client, mut ops) = multipart_ready(&[("p.bin", 12, 13)]).await; // 12 parts
    let (options, events) = recording(TransferOptions::default().max_concurrent_parts(3));
    hf_lfs::upload_lfs_objects(&client, &target(), &mut ops, &options)
        .await
        .unwrap();
    let events = events.lock().unwrap().clone();
    let progress: Vec<u64> = events
        .iter()
        .filter(|e| e.0 == "progress")
        .map(|e| e.2)
        .collect();
    assert_eq!(progress, vec![1024 * 1024; 12], "one event per part");
    assert_eq!(events.first().unwrap().0, "started");
    assert_eq!(events.last().unwrap().0, "finished");
    let puts = servers
        .requests("storage")
        .iter()
        .filter(|r| r.method == http::Method::PUT)
        .count();
    assert_eq!(puts, 12);
    let max = servers.max_parts_in_flight();
    assert!((1..=3).contains(&max), "{max} parts in flight at once");
}

/// `max_concurrent_requests` bounds the parts in flight over all objects of a call,
/// below `max_concurrent_files x max_concurrent_parts`.
#[tokio::test]
async fn parts_of_all_objects_share_the_request_budget() {
    let files = [("f0.bin", 4, 0), ("f1.bin", 4, 1), ("f2.bin", 4, 2)];
    let (servers, client, mut ops) = multipart_ready(&files).await;
    let options = TransferOptions::default()
        .max_concurrent_files(3)
        .max_concurrent_parts(4)
        .max_concurrent_requests(5);
    hf_lfs::upload_lfs_objects(&client, &target(), &mut ops, &options)
        .await
        .unwrap();
    let puts = servers
        .requests("storage")
        .iter()
        .filter(|r| r.method == http::Method::PUT)
        .count();
    assert_eq!(puts, 12, "every part of every object, once");
    assert!(ops.iter().all(|op| op.as_add().unwrap().is_uploaded()));
    let max = servers.max_parts_in_flight();
    assert!((1..=5).contains(&max), "{max} parts in flight at once");
}

#[tokio::test]
async fn a_part_failing_for_good_names_the_file_and_part() {
    let script = Script {
        failing_part: Some((3, u32::MAX, 403)),
        ..Script::default()
    };
    let servers = Servers::start(script).await;
    let data = pseudo_random(9 * 1024 * 1024, 1);
    let ops = vec![
        CommitOperationAdd::from_bytes("w/big.bin", data)
            .unwrap()
            .into(),
    ];
    let err = run(&servers, &target(), ops).await.unwrap_err();
    let Error::Upload {
        path_in_repo,
        source,
        ..
    } = &err
    else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(path_in_repo, "w/big.bin");
    assert!(source.to_string().contains("part 3"), "{source}");
    assert_eq!(err.status(), Some(http::StatusCode::FORBIDDEN));
    // 403 is not retried, and no completion or commit was sent.
    let storage = servers.requests("storage");
    assert!(storage.iter().all(|r| !r.path.starts_with("/complete/")));
    assert!(
        servers
            .requests("hub")
            .iter()
            .all(|r| !r.path.contains("/commit/"))
    );
}

#[tokio::test]
async fn objects_already_present_are_skipped() {
    let data = pseudo_random(64 * 1024, 2);
    let oid = hf_lfs::sha256(&data);
    let script = Script {
        present: [oid.as_str().to_owned()].into(),
        ..Script::default()
    };
    let servers = Servers::start(script).await;
    let ops = vec![
        CommitOperationAdd::from_bytes("a.bin", data.clone())
            .unwrap()
            .into(),
        // Same content under another name: one object in the batch.
        CommitOperationAdd::from_bytes("b.bin", data)
            .unwrap()
            .into(),
    ];
    let client = servers.client();
    let mut ops = ops;
    hf_lfs::hash_additions(&mut ops).await.unwrap();
    hf_lfs::preupload(&client, &target(), &mut ops, None)
        .await
        .unwrap();
    let (options, events) = recording(TransferOptions::default());
    hf_lfs::upload_lfs_objects(&client, &target(), &mut ops, &options)
        .await
        .unwrap();
    assert_eq!(
        *events.lock().unwrap(),
        [("skipped", "a.bin".to_owned(), 64 * 1024)]
    );
    assert!(servers.requests("storage").is_empty());
    let hub = servers.requests("hub");
    let batch = hub.iter().find(|r| r.path.ends_with("/batch")).unwrap();
    assert_eq!(batch.json()["objects"].as_array().unwrap().len(), 1);
    assert!(hub.iter().all(|r| !r.path.starts_with("/verify/")));
    assert!(ops.iter().all(|op| op.as_add().unwrap().is_uploaded()));
    // A second round does not ask again.
    let before = servers.requests("hub").len();
    hf_lfs::upload_lfs_objects(&client, &target(), &mut ops, &TransferOptions::default())
        .await
        .unwrap();
    assert_eq!(servers.requests("hub").len(), before);
}

#[tokio::test]
async fn batch_errors_name_the_file() {
    let data = pseudo_random(4096, 3);
    let oid = hf_lfs::sha256(&data);
    let script = Script {
        refused: [oid.as_str().to_owned()].into(),
        ..Script::default()
    };
    let servers = Servers::start(script).await;
    let ops = vec![
        CommitOperationAdd::from_bytes("x/refused.bin", data)
            .unwrap()
            .into(),
    ];
    let err = run(&servers, &target(), ops).await.unwrap_err();
    let Error::LfsBatch { errors } = &err else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].path_in_repo.as_deref(), Some("x/refused.bin"));
    assert_eq!(errors[0].code, 422);
    assert!(err.to_string().contains("\"x/refused.bin\""), "{err}");
    assert!(servers.requests("storage").is_empty());
}

#[tokio::test]
async fn create_pr_adds_the_query_and_drops_the_ref() {
    let servers = Servers::start(Script::default()).await;
    let target = target()
        .revision(Revision::new("dev/branch").unwrap())
        .create_pr(true);
    let ops = vec![
        CommitOperationAdd::from_bytes("m.bin", pseudo_random(5000, 4))
            .unwrap()
            .into(),
    ];
    let (_, info) = run(&servers, &target, ops).await.unwrap();
    let hub = servers.requests("hub");
    assert_eq!(hub[0].path, "/api/models/alice/repo/preupload/dev%2Fbranch");
    assert_eq!(hub[0].query.as_deref(), Some("create_pr=1"));
    assert!(hub[1].json().get("ref").is_none(), "{}", hub[1].text());
    let commit = hub.iter().find(|r| r.path.contains("/commit/")).unwrap();
    assert_eq!(commit.path, "/api/models/alice/repo/commit/dev%2Fbranch");
    assert_eq!(commit.query.as_deref(), Some("create_pr=1"));
    assert_eq!(info.pr_num(), Some(7));
}

#[tokio::test]
async fn ignored_and_unchanged_files() {
    let same = b"unchanged content\n".to_vec();
    let lfs_same = pseudo_random(2048, 8);
    let script = Script {
        ignored: ["ignored.bin".to_owned()].into(),
        remote_oids: HashMap::from([
            ("same.txt".to_owned(), hf_lfs::git_blob_sha1(&same)),
            (
                "same.bin".to_owned(),
                hf_lfs::sha256(&lfs_same).as_str().to_owned(),
            ),
            ("changed.txt".to_owned(), hf_lfs::git_blob_sha1(b"old")),
        ]),
        ..Script::default()
    };
    let servers = Servers::start(script).await;
    let ops = vec![
        CommitOperationAdd::from_bytes(".gitignore", &b"*.log\n"[..])
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("ignored.bin", pseudo_random(4096, 1))
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("same.txt", same)
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("same.bin", lfs_same)
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("changed.txt", &b"new"[..])
            .unwrap()
            .into(),
    ];
    let (ops, _) = run(&servers, &target(), ops).await.unwrap();
    let by_path = |p: &str| {
        ops.iter()
            .filter_map(CommitOperation::as_add)
            .find(|a| a.path_in_repo() == p)
            .unwrap()
    };
    assert!(by_path("ignored.bin").should_ignore());
    assert!(!by_path("ignored.bin").is_uploaded());
    assert!(by_path("same.txt").is_unchanged());
    assert!(by_path("same.bin").is_unchanged());
    assert!(!by_path("changed.txt").is_unchanged());

    let hub = servers.requests("hub");
    // The .gitignore among the additions is sent as gitIgnore.
    assert_eq!(hub[0].json()["gitIgnore"], json!("*.log\n"));
    // The ignored LFS file is neither uploaded nor committed.
    let batch = hub.iter().find(|r| r.path.ends_with("/batch")).unwrap();
    let objects = batch.json()["objects"].as_array().unwrap().len();
    assert_eq!(objects, 1, "only same.bin goes through the batch");
    let commit = hub.iter().find(|r| r.path.contains("/commit/")).unwrap();
    assert!(!commit.text().contains("ignored.bin"));
    // Unchanged additions stay in the payload, as the Python client sends them.
    assert!(commit.text().contains("\"same.txt\""));
}

#[tokio::test]
async fn hrefs_on_the_public_hub_are_rewritten_to_the_endpoint() {
    let script = Script {
        verify_on_public_hub: true,
        ..Script::default()
    };
    let servers = Servers::start(script).await;
    let ops = vec![
        CommitOperationAdd::from_bytes("m.bin", pseudo_random(5000, 4))
            .unwrap()
            .into(),
    ];
    run(&servers, &target(), ops).await.unwrap();
    let verify = servers
        .requests("hub")
        .into_iter()
        .find(|r| r.path.starts_with("/verify/"))
        .expect("the verify call reached the configured endpoint");
    assert_eq!(verify.header("authorization"), Some(bearer().as_str()));
}

#[tokio::test]
async fn preupload_is_sent_in_batches_of_256() {
    let servers = Servers::start(Script::default()).await;
    let client = servers.client();
    let mut ops: Vec<CommitOperation> = (0..600)
        .map(|i| {
            CommitOperationAdd::from_bytes(&format!("f/{i}.txt"), format!("{i}"))
                .unwrap()
                .into()
        })
        .collect();
    hf_lfs::hash_additions(&mut ops).await.unwrap();
    hf_lfs::preupload(&client, &target(), &mut ops, None)
        .await
        .unwrap();
    let sizes: Vec<usize> = servers
        .requests("hub")
        .iter()
        .map(|r| r.json()["files"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [256, 256, 88]);
    assert!(
        ops.iter()
            .all(|op| op.as_add().unwrap().upload_mode() == Some(UploadMode::Regular))
    );
}

#[tokio::test]
async fn create_commit_runs_every_step_and_skips_no_op_commits() {
    let content = pseudo_random(3000, 31);
    let script = Script {
        remote_oids: HashMap::from([(
            "same.bin".to_owned(),
            hf_lfs::sha256(&content).as_str().to_owned(),
        )]),
        ..Script::default()
    };
    let servers = Servers::start(script).await;
    let client = servers.client();
    let header = CommitHeader::new("Add");

    // Only an unchanged file: no commit is sent.
    let mut ops = vec![
        CommitOperationAdd::from_bytes("same.bin", content.clone())
            .unwrap()
            .into(),
    ];
    let info = hf_lfs::create_commit(
        &client,
        &target(),
        &header,
        &mut ops,
        &TransferOptions::default(),
    )
    .await
    .unwrap();
    assert!(info.is_none());
    assert!(
        servers
            .requests("hub")
            .iter()
            .all(|r| !r.path.contains("/commit/"))
    );

    // With a real change, the commit goes out (and includes the unchanged file, as
    // Python does).
    let mut ops: Vec<CommitOperation> = vec![
        CommitOperationAdd::from_bytes("same.bin", content)
            .unwrap()
            .into(),
        CommitOperationAdd::from_bytes("new.txt", &b"new"[..])
            .unwrap()
            .into(),
    ];
    let info = hf_lfs::create_commit(
        &client,
        &target(),
        &header,
        &mut ops,
        &TransferOptions::default(),
    )
    .await
    .unwrap()
    .expect("a commit");
    assert_eq!(
        info.commit_oid.as_str(),
        "c0ffee0000000000000000000000000000000001"
    );
    let commit = servers
        .requests("hub")
        .into_iter()
        .find(|r| r.path.contains("/commit/"))
        .unwrap();
    assert_eq!(commit.text().lines().count(), 3);
}

#[tokio::test]
async fn a_file_changed_after_hashing_fails_without_retries() {
    let servers = Servers::start(Script::default()).await;
    let client = servers.client();
    let dir = tempfile::tempdir().unwrap();
    let lfs_path = dir.path().join("w.bin");
    let regular_path = dir.path().join("r.txt");
    std::fs::write(&lfs_path, pseudo_random(3 * 1024 * 1024, 40)).unwrap();
    std::fs::write(&regular_path, b"short text").unwrap();
    let mut ops: Vec<CommitOperation> = vec![
        CommitOperationAdd::from_path("w.bin", &lfs_path)
            .unwrap()
            .into(),
        CommitOperationAdd::from_path("r.txt", &regular_path)
            .unwrap()
            .into(),
    ];
    hf_lfs::hash_additions(&mut ops).await.unwrap();
    hf_lfs::preupload(&client, &target(), &mut ops, None)
        .await
        .unwrap();
    std::fs::write(&lfs_path, pseudo_random(1024 * 1024, 40)).unwrap();
    std::fs::write(&regular_path, b"short").unwrap();

    let err = hf_lfs::upload_lfs_objects(&client, &target(), &mut ops, &TransferOptions::default())
        .await
        .unwrap_err();
    let Error::Upload {
        path_in_repo,
        source,
        ..
    } = &err
    else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(path_in_repo, "w.bin");
    assert!(
        matches!(**source, Error::ContentChanged { .. }),
        "{source:?}"
    );
    assert!(
        servers.requests("storage").len() <= 1,
        "a local failure is not retried"
    );

    // The commit payload streams r.txt; its change surfaces as such too.
    let err = hf_lfs::send_commit(&client, &target(), &CommitHeader::new("x"), &ops[1..])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ContentChanged { path_in_repo, .. } if path_in_repo == "r.txt"),
        "{err:?}"
    );
}
