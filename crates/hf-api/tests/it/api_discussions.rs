//! Discussions and pull requests against the emulator (page-index pagination included).

use futures_util::TryStreamExt;
use hf_api::Error;
use hf_api::api::discussions::{DiscussionStatusFilter, DiscussionType};
use hf_testhub::RepoType as HubType;
use hf_types::{Discussion, DiscussionEventKind, DiscussionStatus};

use crate::api_support::{ALICE, BOB, client, hub, requests};

#[tokio::test]
async fn discussions_pull_requests_comments_and_merge() {
    let hub = hub(2).await;
    hub.create_repo(HubType::Model, "alice/m", false).unwrap();
    let alice = client(&hub, Some(ALICE));
    let bob = client(&hub, Some(BOB));

    let d = bob
        .create_discussion("alice/m", "  A question ")
        .description("How do I use it?")
        .await
        .unwrap();
    assert_eq!(d.discussion.num, 1);
    assert_eq!(d.discussion.title, "A question");
    assert!(!d.discussion.is_pull_request);
    let first = d.events.first().unwrap();
    let DiscussionEventKind::Comment(c) = &first.kind else {
        panic!("{first:?}")
    };
    assert_eq!(c.latest.raw, "How do I use it?");

    let pr = bob
        .create_pull_request("alice/m", "Add notes")
        .await
        .unwrap();
    assert_eq!(pr.discussion.num, 2);
    assert!(pr.discussion.is_pull_request);
    for i in 0..3 {
        alice
            .create_discussion("alice/m", &format!("note {i}"))
            .await
            .unwrap();
    }

    // page-index pagination: 5 discussions in pages of 2
    let all: Vec<Discussion> = bob
        .get_repo_discussions("alice/m")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    let pages = requests(&hub)
        .iter()
        .filter(|r| r.starts_with("GET /api/models/alice/m/discussions?"))
        .count();
    assert_eq!(pages, 3);
    let prs: Vec<Discussion> = bob
        .get_repo_discussions("alice/m")
        .discussion_type(DiscussionType::PullRequest)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(prs.len(), 1);
    let mine: Vec<Discussion> = bob
        .get_repo_discussions("alice/m")
        .author("bob")
        .try_collect()
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);

    // comments, edits, hiding, renames, status
    let e = alice
        .comment_discussion("alice/m", 1, "Read the README")
        .await
        .unwrap();
    let id = e.id.clone();
    let e = alice
        .edit_discussion_comment("alice/m", 1, &id, "Read the README first")
        .await
        .unwrap();
    let DiscussionEventKind::Comment(c) = &e.kind else {
        panic!("{e:?}")
    };
    assert_eq!(
        (c.latest.raw.as_str(), c.edited),
        ("Read the README first", true)
    );
    let e = alice
        .hide_discussion_comment("alice/m", 1, &id)
        .await
        .unwrap();
    let DiscussionEventKind::Comment(c) = &e.kind else {
        panic!("{e:?}")
    };
    assert!(c.hidden);
    let e = bob
        .rename_discussion("alice/m", 1, "Usage question")
        .await
        .unwrap();
    assert!(
        matches!(e.kind, DiscussionEventKind::TitleChange(_)),
        "{e:?}"
    );
    let e = alice
        .change_discussion_status("alice/m", 1, DiscussionStatusFilter::Closed)
        .comment("answered")
        .await
        .unwrap();
    assert!(
        matches!(e.kind, DiscussionEventKind::StatusChange(_)),
        "{e:?}"
    );
    let closed: Vec<Discussion> = bob
        .get_repo_discussions("alice/m")
        .discussion_status(DiscussionStatusFilter::Closed)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(closed.len(), 1);
    let details = bob.get_discussion_details("alice/m", 1).await.unwrap();
    assert_eq!(details.discussion.title, "Usage question");
    assert_eq!(details.discussion.status, DiscussionStatus::Closed);

    // a commit on the PR ref, then the merge
    // (the emulator lets only writers push to a PR ref; the Hub also lets its author)
    alice
        .upload_file("alice/m", "notes.md", "notes\n")
        .revision("refs/pr/2")
        .await
        .unwrap();
    let err = bob.merge_pull_request("alice/m", 2).await.unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    alice
        .merge_pull_request("alice/m", 2)
        .comment("thanks")
        .await
        .unwrap();
    assert!(alice.file_exists("alice/m", "notes.md").await.unwrap());
    let pr = alice.get_discussion_details("alice/m", 2).await.unwrap();
    assert_eq!(pr.discussion.status, DiscussionStatus::Merged);

    // typed errors
    let err = bob.get_discussion_details("alice/m", 99).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = bob.get_discussion_details("alice/m", 0).await.unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    let err = bob
        .create_discussion("alice/none", "xyz")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
    let err = client(&hub, None)
        .create_discussion("alice/m", "xyz")
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err:?}");
}
