//! The blocking mirror, from plain `#[test]` functions (no tokio runtime on the calling
//! thread), from inside a runtime, and through the `blocking_main` example.

use hf_api::Error;
use hf_api::blocking::HfApi;
use hf_api::blocking::prelude::*;
use hf_testhub::{BlockingTestHub, RepoType as HubType, TestHub};
use hf_types::{ModelInfo, RepoType};

use crate::api_support::{ALICE, BOB};

fn hub() -> BlockingTestHub {
    TestHub::builder()
        .user("alice", ALICE)
        .user("bob", BOB)
        .page_size(2)
        .start_blocking()
        .unwrap()
}

fn api(hub: &TestHub, token: &str) -> HfApi {
    HfApi::from(
        hf_api::HfApiBuilder::new()
            .endpoint(hub.url())
            .token(hf_api::Token::new(token).unwrap())
            .build()
            .unwrap(),
    )
}

#[test]
fn blocking_calls_use_the_same_builders() {
    let hub = hub();
    let api = api(&hub, ALICE);
    let url = api.create_repo("alice/b").send().unwrap();
    assert_eq!(url.repo_id().as_str(), "alice/b");
    let err = api.create_repo("alice/b").send().unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    api.create_repo("alice/b").exist_ok(true).send().unwrap();
    hub.upload_file(HubType::Model, "alice/b", "main", "x.txt", b"hi")
        .unwrap();
    let info: ModelInfo = api
        .model_info("alice/b")
        .files_metadata(true)
        .send()
        .unwrap();
    assert_eq!(info.id, "alice/b");
    assert!(api.file_exists("alice/b", "x.txt").send().unwrap());
    assert!(!api.repo_exists("alice/nope").send().unwrap());
    let err = api
        .model_info("alice/b")
        .revision("nope")
        .send()
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    api.create_branch("alice/b", "dev").send().unwrap();
    let refs = api.list_repo_refs("alice/b").send().unwrap();
    assert_eq!(refs.branches.len(), 2);
    assert_eq!(api.whoami().send().unwrap().name, "alice");
    api.delete_repo("alice/b").send().unwrap();
}

#[test]
fn blocking_listings_are_lazy_iterators_across_pages() {
    let hub = hub();
    for i in 0..5 {
        hub.create_repo(HubType::Model, &format!("alice/m{i}"), false)
            .unwrap();
    }
    let api = api(&hub, BOB);
    let ids: Vec<String> = api.list_models().iter().map(|m| m.unwrap().id).collect();
    assert_eq!(ids.len(), 5);
    let mut n = 0;
    for model in api.list_models().author("alice").limit(3) {
        model.unwrap();
        n += 1;
    }
    assert_eq!(n, 3);
    hub.clear_requests();
    let first = api.list_models().send().next().unwrap().unwrap();
    assert_eq!(first.id, "alice/m0");
    let pages = hub
        .requests()
        .iter()
        .filter(|r| r.path_and_query.starts_with("/api/models"))
        .count();
    assert_eq!(pages, 1, "one item needs one page");
    let files: Vec<String> = api
        .list_repo_files("alice/m0")
        .iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(files, [".gitattributes"]);
    let err = api
        .list_repo_files("alice/none")
        .repo_type(RepoType::Dataset)
        .iter()
        .next()
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
}

#[test]
fn blocking_calls_work_inside_a_runtime_without_panicking() {
    // The hub runs on its own runtime: a blocking call holds the calling thread, so a
    // server on the caller's runtime could be starved.
    let hub = hub();
    hub.create_repo(HubType::Model, "alice/r", false).unwrap();
    let api = api(&hub, ALICE);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let info = api.model_info("alice/r").send().unwrap();
        assert_eq!(info.id, "alice/r");
        // the same client also works async, on this runtime
        assert_eq!(api.model_info("alice/r").await.unwrap().id, "alice/r");
        let files: Vec<String> = api
            .list_repo_files("alice/r")
            .iter()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(files, [".gitattributes"]);
    });
}

/// Runs `examples/blocking_main.rs` against the emulator, on a plain thread (no async
/// runtime anywhere), as its `fn main` does. The example is compiled here rather than
/// run as its own binary: building it apart from the test build would compile part of
/// the tree again with other features.
#[test]
fn the_blocking_example_runs_from_a_plain_main() {
    let hub = hub();
    hub.create_repo(HubType::Model, "alice/ex", false).unwrap();
    hub.upload_file(HubType::Model, "alice/ex", "main", "a.txt", b"a")
        .unwrap();
    let url = hub.url().clone();
    let v = std::thread::spawn(move || blocking_main::summary(Some(url), "alice/ex"))
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(v["id"], "alice/ex");
    assert_eq!(v["exists"], true);
    assert_eq!(v["files"], serde_json::json!([".gitattributes", "a.txt"]));
    assert_eq!(v["models"], serde_json::json!(["alice/ex"]));
}

#[path = "../../examples/blocking_main.rs"]
#[allow(dead_code)] // its `main` reads the process's arguments; the test calls `summary`
mod blocking_main;

/// `.send()` is not written per builder: the upload and download builders get it too.
#[test]
fn upload_and_download_builders_get_send_for_free() {
    let hub = hub();
    hub.create_repo(HubType::Model, "alice/ud", false).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let api = HfApi::from(
        hf_api::HfApiBuilder::new()
            .endpoint(hub.url())
            .token(hf_api::Token::new(ALICE).unwrap())
            .cache_dir(cache.path())
            .build()
            .unwrap(),
    );
    let commit = api
        .upload_file("alice/ud", "notes.txt", "hello from a plain thread\n")
        .send()
        .unwrap();
    assert_eq!(
        api.model_info("alice/ud").send().unwrap().sha,
        Some(commit.commit_oid)
    );
    let plan = api
        .hf_hub_download("alice/ud", "notes.txt")
        .dry_run()
        .send()
        .unwrap();
    assert!(plan.will_download);
    let path = api.hf_hub_download("alice/ud", "notes.txt").send().unwrap();
    assert_eq!(path, plan.local_path);
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        "hello from a plain thread\n"
    );
    let plan = api.snapshot_download("alice/ud").dry_run().send().unwrap();
    assert!(
        plan.iter()
            .all(|f| f.filename != "notes.txt" || !f.will_download)
    );
}

/// Free async helpers get `.send()` too: a multi-commit upload from plain blocking code.
#[test]
fn a_multi_commit_upload_runs_blocking() {
    use hf_api::upload::{CommitOperationAdd, MultiCommitLimits, plan_multi_commits};
    let hub = hub();
    let api = api(&hub, ALICE);
    api.create_repo("alice/mc").send().unwrap();
    let ops = ["a.txt", "b.txt", "c.txt"]
        .map(|p| {
            CommitOperationAdd::from_bytes(p, p.as_bytes().to_vec())
                .unwrap()
                .into()
        })
        .to_vec();
    let limits = MultiCommitLimits {
        max_operations_per_commit: 2,
        ..MultiCommitLimits::default()
    };
    let plan = plan_multi_commits(ops, limits).send().unwrap();
    assert_eq!(plan.addition_commits.len(), 2);
    let url = api
        .create_commits_on_pr("alice/mc", plan, "Three files")
        .send()
        .unwrap();
    assert!(url.ends_with("/alice/mc/discussions/1"), "{url}");
    let files: Vec<String> = api
        .list_repo_files("alice/mc")
        .iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(files.contains(&"c.txt".to_owned()), "{files:?}");
}
