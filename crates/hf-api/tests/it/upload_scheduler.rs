//! The commit scheduler and its pushes against the emulator.

use futures_util::TryStreamExt;
use hf_api::Error;
use hf_testhub::Listener;
use http::Method;

use crate::api_support::{ALICE, client};
use crate::upload::{content, fetch, files, upload_hub};

fn commit_requests(hub: &hf_testhub::TestHub) -> usize {
    hub.requests()
        .iter()
        .filter(|r| {
            r.listener == Listener::Main
                && r.method == Method::POST
                && r.path().contains("/commit/")
        })
        .count()
}

#[tokio::test]
async fn scheduler_pushes_only_changes_and_a_final_commit_on_stop() {
    let hub = upload_hub().await;
    let api = client(&hub, Some(ALICE));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("runs");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("a.txt"), "first").unwrap();
    std::fs::write(root.join("skip.tmp"), "no").unwrap();

    let scheduler = api
        .commit_scheduler("alice/sched", &root)
        .path_in_repo("logs")
        .ignore_patterns(["*.tmp"])
        .every(std::time::Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    assert_eq!(
        files(&api, "alice/sched", "main").await,
        [".gitattributes", "logs/a.txt"]
    );
    let log: Vec<_> = api
        .list_repo_commits("alice/sched")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(log[0].title, "Scheduled Commit");

    hub.clear_requests();
    assert!(scheduler.push_to_hub().await.unwrap().is_none());
    assert_eq!(commit_requests(&hub), 0, "no change, no commit");

    std::fs::write(root.join("a.txt"), "first and more").unwrap();
    std::fs::write(root.join("w.bin"), content(5000, 1)).unwrap();
    let info = scheduler.push_to_hub().await.unwrap().expect("a commit");
    assert_eq!(commit_requests(&hub), 1);
    assert_eq!(
        fetch(
            &api,
            "",
            "alice/sched",
            info.commit_oid.as_str(),
            "logs/a.txt"
        )
        .await,
        b"first and more"
    );
    assert_eq!(
        fetch(&api, "", "alice/sched", "main", "logs/w.bin").await,
        content(5000, 1)
    );

    std::fs::write(root.join("last.txt"), "bye").unwrap();
    assert!(scheduler.stop().await.unwrap().is_some());
    assert_eq!(
        files(&api, "alice/sched", "main").await,
        [
            ".gitattributes",
            "logs/a.txt",
            "logs/last.txt",
            "logs/w.bin"
        ]
    );
}

#[tokio::test]
async fn scheduler_refuses_a_file_as_folder() {
    let hub = upload_hub().await;
    let api = client(&hub, Some(ALICE));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, "x").unwrap();
    let err = api
        .commit_scheduler("alice/s2", &file)
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
}
