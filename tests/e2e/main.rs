//! End-to-end tests that cross crates: `hf-api` (uploads and downloads) and `hf-cache`
//! (scan, offline look-ups) against a live `hf-testhub` on 127.0.0.1.
//!
//! One test binary for the whole suite, so the workspace links it once. Each crate's own
//! behaviour is tested in that crate; these tests check that the layers agree with each
//! other on one realistic flow.

use std::path::Path;

use hf_api::types::{RepoId, RepoPath, RepoType};
use hf_api::{HfApi, HfApiBuilder, Token};
use hf_cache::{CachedFile, HfCache};
use hf_testhub::TestHub;

const TOKEN: &str = "hf_e2e_alice_write";

fn client(hub: &TestHub, cache: &Path) -> HfApi {
    HfApiBuilder::new()
        .endpoint(hub.url())
        .token(Token::new(TOKEN).expect("a valid token"))
        .cache_dir(cache)
        .build()
        .expect("a client")
}

/// Deterministic bytes, larger than the emulator's LFS threshold.
fn weights(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(31) % 251) as u8).collect()
}

/// A training job pushes a checkpoint folder; a serving job on another machine (another
/// cache) pulls it, the cache scan accounts for it exactly, and it is found offline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushed_checkpoint_is_pulled_scanned_and_found_offline() {
    let hub = TestHub::builder()
        .user("alice", TOKEN)
        .page_size(2)
        .start()
        .await
        .expect("the emulator starts");
    let work = tempfile::tempdir().unwrap();
    let folder = work.path().join("checkpoint");
    std::fs::create_dir_all(folder.join("nested")).unwrap();
    let config = br#"{"hidden_size": 8}"#.to_vec();
    let model = weights(12 * 1024 * 1024 + 7);
    std::fs::write(folder.join("config.json"), &config).unwrap();
    std::fs::write(folder.join("nested/model.safetensors"), &model).unwrap();
    std::fs::write(folder.join("scratch.tmp"), b"not for the hub").unwrap();

    // The writer: create the repo and push the folder in one commit.
    let writer = client(&hub, &work.path().join("writer-cache"));
    writer.create_repo("alice/ckpt").await.expect("create_repo");
    let commit = writer
        .upload_folder("alice/ckpt", &folder)
        .ignore_patterns(["*.tmp"])
        .commit_message("checkpoint 1")
        .await
        .expect("upload_folder");

    // The reader: a fresh cache, a whole snapshot.
    let cache_dir = work.path().join("reader-cache");
    let reader = client(&hub, &cache_dir);
    let snapshot = reader
        .snapshot_download("alice/ckpt")
        .await
        .expect("snapshot_download");
    assert!(
        snapshot.ends_with(commit.commit_oid.as_str()),
        "the snapshot folder is named after the pushed commit: {}",
        snapshot.display()
    );
    assert_eq!(std::fs::read(snapshot.join("config.json")).unwrap(), config);
    assert_eq!(
        std::fs::read(snapshot.join("nested/model.safetensors")).unwrap(),
        model
    );
    assert!(!snapshot.join("scratch.tmp").exists());

    // hf-cache sees exactly what hf-api wrote.
    let cache = HfCache::new(&cache_dir);
    let info = cache.scan().expect("scan");
    assert!(info.warnings.is_empty(), "{:?}", info.warnings);
    assert_eq!(info.repos.len(), 1);
    let repo = &info.repos[0];
    assert_eq!(repo.repo_id, "alice/ckpt");
    assert_eq!(repo.repo_type, RepoType::Model);
    // .gitattributes, config.json and the weights, each blob counted once
    assert_eq!(repo.nb_files, 3);
    let gitattributes = std::fs::metadata(snapshot.join(".gitattributes"))
        .unwrap()
        .len();
    assert_eq!(
        repo.size_on_disk,
        config.len() as u64 + model.len() as u64 + gitattributes
    );
    assert_eq!(repo.refs().keys().copied().collect::<Vec<_>>(), ["main"]);

    // Offline look-ups, without any request.
    let id = RepoId::new("alice/ckpt").unwrap();
    let found = cache.try_to_load_from_cache(
        RepoType::Model,
        &id,
        &RepoPath::new("nested/model.safetensors").unwrap(),
        None,
    );
    let CachedFile::Found(path) = found else {
        panic!("the weights are in the cache: {found:?}")
    };
    assert_eq!(std::fs::metadata(&path).unwrap().len(), model.len() as u64);
    let missing = cache.try_to_load_from_cache(
        RepoType::Model,
        &id,
        &RepoPath::new("scratch.tmp").unwrap(),
        None,
    );
    assert!(matches!(missing, CachedFile::NotCached), "{missing:?}");

    hub.clear_requests();
    let offline = reader
        .hf_hub_download("alice/ckpt", "config.json")
        .local_files_only(true)
        .await
        .expect("found offline");
    assert_eq!(std::fs::read(offline).unwrap(), config);
    assert!(
        hub.requests().is_empty(),
        "local_files_only sends nothing: {:?}",
        hub.requests()
    );
}
