//! The warnings Python's `create_commit` emits (`_warn_on_overwriting_operations`, data
//! files in a non-dataset repo), as `tracing` events of ours, captured from real commits
//! against the emulator.

use std::sync::{Arc, Mutex};

use hf_api::types::RepoType;
use hf_api::upload::{CommitOperation, CommitOperationAdd, CommitOperationDelete};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt as _};

use crate::api_support::{ALICE, client};
use crate::upload::upload_hub;

/// Records the level and message of every `hf_api` event.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<(Level, String)>>>);

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if !event.metadata().target().starts_with("hf_api") {
            return;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        self.0
            .lock()
            .unwrap()
            .push((*event.metadata().level(), message.0));
    }
}

impl Capture {
    fn warnings(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(l, _)| *l == Level::WARN)
            .map(|(_, m)| m.clone())
            .collect()
    }

    fn infos(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|(l, _)| *l == Level::INFO)
            .map(|(_, m)| m.clone())
            .collect()
    }
}

fn add(path: &str, content: &str) -> CommitOperation {
    CommitOperationAdd::from_bytes(path, content.to_owned())
        .unwrap()
        .into()
}

fn delete(path: &str) -> CommitOperation {
    CommitOperationDelete::new(path).unwrap().into()
}

/// Runs one commit to `repo` with a capturing subscriber; returns what it recorded.
/// The test runtime is single-threaded, so the commit future runs on this thread.
async fn commit(repo_type: RepoType, repo: &str, ops: Vec<CommitOperation>) -> Capture {
    let hub = upload_hub().await;
    let t = match repo_type {
        RepoType::Dataset => hf_testhub::RepoType::Dataset,
        _ => hf_testhub::RepoType::Model,
    };
    hub.create_repo(t, repo, false).unwrap();
    // A folder the commits may delete.
    hub.upload_file(t, repo, "main", "dir/old.txt", b"old")
        .unwrap();
    let api = client(&hub, Some(ALICE));
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    api.create_commit(repo, ops, "warnings")
        .repo_type(repo_type)
        .await
        .expect("the commit succeeds despite the warnings");
    capture
}

#[tokio::test]
async fn same_path_added_twice_warns() {
    let c = commit(
        RepoType::Model,
        "alice/w",
        vec![add("a.txt", "1"), add("b.txt", "2"), add("a.txt", "3")],
    )
    .await;
    let w = c.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("a.txt is added more than once"), "{w:?}");
}

#[tokio::test]
async fn added_then_deleted_warns() {
    let c = commit(
        RepoType::Model,
        "alice/w",
        vec![
            add("dir/x.txt", "1"),
            add("f.txt", "2"),
            delete("dir/"),
            delete("f.txt"),
        ],
    )
    .await;
    let w = c.warnings();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("the folder dir/ is deleted after files in it"),
        "{w:?}"
    );
    assert!(w[1].contains("f.txt is deleted after being added"), "{w:?}");
}

#[tokio::test]
async fn deleted_then_added_is_fine() {
    let c = commit(
        RepoType::Model,
        "alice/w",
        vec![delete("dir/"), add("dir/x.txt", "1"), add("y.txt", "2")],
    )
    .await;
    assert_eq!(c.warnings(), Vec::<String>::new());
}

#[tokio::test]
async fn data_file_in_a_model_repo_warns() {
    let c = commit(
        RepoType::Model,
        "alice/w",
        vec![add("train.parquet", "x"), add("t.arrow", "y")],
    )
    .await;
    let w = c.warnings();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(
        w[0].contains("train.parquet looks like a data file"),
        "{w:?}"
    );
    assert!(w[0].contains("model repo"), "{w:?}");

    let c = commit(
        RepoType::Dataset,
        "alice/d",
        vec![add("train.parquet", "x")],
    )
    .await;
    assert_eq!(c.warnings(), Vec::<String>::new());
}

#[tokio::test]
async fn gitignored_files_are_reported() {
    let c = commit(
        RepoType::Model,
        "alice/w",
        vec![
            add(".gitignore", "*.log\n"),
            add("run.log", "x"),
            add("k.txt", "y"),
        ],
    )
    .await;
    let i = c.infos();
    assert!(i.iter().any(|m| m.contains("skipped 1 file(s)")), "{i:?}");
    assert_eq!(c.warnings(), Vec::<String>::new());
}

#[tokio::test]
async fn unchanged_files_are_reported_and_an_empty_commit_warns() {
    let hub = upload_hub().await;
    hub.create_repo(hf_testhub::RepoType::Model, "alice/w", false)
        .unwrap();
    hub.upload_file(
        hf_testhub::RepoType::Model,
        "alice/w",
        "main",
        "same.txt",
        b"same",
    )
    .unwrap();
    let api = client(&hub, Some(ALICE));
    let capture = Capture::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));
    api.create_commit(
        "alice/w",
        vec![add("same.txt", "same"), add("new.txt", "n")],
        "one",
    )
    .await
    .unwrap();
    assert!(
        capture
            .infos()
            .iter()
            .any(|m| m.contains("leaving 1 file(s) that have not changed")),
        "{:?}",
        capture.infos()
    );
    assert_eq!(capture.warnings(), Vec::<String>::new());
    api.create_commit("alice/w", vec![add("same.txt", "same")], "none")
        .await
        .unwrap();
    let w = capture.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("no file changed since the last commit"),
        "{w:?}"
    );
}
