//! Repo info and existence checks against the emulator.

use std::time::Duration;

use hf_api::api::expand::{ExpandDatasetProperty, ExpandModelProperty, ExpandSpaceProperty};
use hf_api::{Error, RepoInfo};
use hf_testhub::{FaultRule, Gated, RepoType as HubType};
use hf_types::RepoType;

use crate::api_support::{ALICE, BOB, client, hub, requests};

#[tokio::test]
async fn model_info_revisions_files_metadata_and_expand() {
    let hub = hub(50).await;
    let first = hub.create_repo(HubType::Model, "alice/m", false).unwrap();
    hub.upload_file(HubType::Model, "alice/m", "main", "config.json", b"{}")
        .unwrap();
    let head = hub
        .upload_file(HubType::Model, "alice/m", "main", "w.bin", &[7u8; 2048])
        .unwrap();
    let api = client(&hub, Some(ALICE));

    let info = api.model_info("alice/m").await.unwrap();
    assert_eq!(
        info.sha.as_ref().map(ToString::to_string),
        Some(head.clone())
    );
    let names: Vec<_> = info
        .siblings
        .unwrap()
        .iter()
        .map(|s| s.rfilename.clone())
        .collect();
    assert!(names.contains(&"w.bin".to_owned()), "{names:?}");

    let old = api.model_info("alice/m").revision(&first).await.unwrap();
    assert_eq!(old.sha.map(|s| s.to_string()), Some(first));

    let full = api
        .model_info("alice/m")
        .files_metadata(true)
        .await
        .unwrap();
    let w = full
        .siblings
        .unwrap()
        .into_iter()
        .find(|s| s.rfilename == "w.bin")
        .unwrap();
    assert_eq!(w.size, Some(2048));
    assert!(w.blob_id.is_some());

    let some = api
        .model_info("alice/m")
        .expand([ExpandModelProperty::Sha, ExpandModelProperty::Private])
        .await
        .unwrap();
    assert_eq!(some.sha.map(|s| s.to_string()), Some(head));
    assert_eq!(some.private, Some(false));
    assert!(some.siblings.is_none());
    assert!(
        requests(&hub)
            .iter()
            .any(|r| r.ends_with("/api/models/alice/m?expand=sha&expand=private"))
    );

    let before = requests(&hub).len();
    for req in [
        api.model_info("alice/m")
            .expand([ExpandModelProperty::Sha])
            .files_metadata(true),
        api.model_info("alice/m")
            .expand([ExpandModelProperty::Sha])
            .securityStatus(true),
    ] {
        let err = req.await.unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    }
    assert_eq!(requests(&hub).len(), before, "refused before sending");

    let sec = api
        .model_info("alice/m")
        .securityStatus(true)
        .await
        .unwrap();
    assert!(sec.security_repo_status.is_some());
}

#[tokio::test]
async fn info_errors_are_typed() {
    let hub = hub(50).await;
    hub.create_repo(HubType::Model, "alice/private", true)
        .unwrap();
    hub.create_repo(HubType::Model, "alice/public", false)
        .unwrap();
    let api = client(&hub, Some(ALICE));
    let bob = client(&hub, Some(BOB));
    let anon = client(&hub, None);

    let err = api.model_info("alice/none").await.unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
    assert!(err.is_not_found());
    let err = bob.model_info("alice/private").await.unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
    let err = anon.model_info("alice/private").await.unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
    let err = api
        .model_info("alice/public")
        .revision("nope")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    let err = api.model_info("not a/valid id").await.unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    // a bad token is reported as such
    let bad = client(&hub, Some("hf_not_a_token"));
    let err = bad.model_info("alice/public").await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
}

#[tokio::test]
async fn dataset_space_and_repo_info() {
    let hub = hub(50).await;
    hub.create_repo(HubType::Dataset, "alice/d", false).unwrap();
    hub.create_repo(HubType::Space, "alice/s", false).unwrap();
    let api = client(&hub, Some(ALICE));
    let d = api.dataset_info("alice/d").await.unwrap();
    assert_eq!(d.id, "alice/d");
    let d = api
        .dataset_info("alice/d")
        .expand([ExpandDatasetProperty::Sha])
        .await
        .unwrap();
    assert!(d.sha.is_some() && d.siblings.is_none());
    let s = api
        .space_info("alice/s")
        .expand([ExpandSpaceProperty::Sdk, ExpandSpaceProperty::Runtime])
        .await
        .unwrap();
    assert!(s.sdk.is_some() && s.runtime.is_some());
    // the model endpoint does not know the dataset
    let err = api.model_info("alice/d").await.unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");

    match api
        .repo_info("alice/d")
        .repo_type(RepoType::Dataset)
        .revision("main")
        .await
        .unwrap()
    {
        RepoInfo::Dataset(d) => assert_eq!(d.id, "alice/d"),
        other => panic!("{other:?}"),
    }
    let s = api
        .repo_info("alice/s")
        .repo_type(RepoType::Space)
        .await
        .unwrap();
    assert_eq!((s.repo_type(), s.id()), (RepoType::Space, "alice/s"));
    assert!(
        requests(&hub)
            .iter()
            .any(|r| r == "GET /api/datasets/alice/d/revision/main")
    );
}

#[tokio::test]
async fn info_timeout_is_a_timeout_error() {
    let hub = hub(50).await;
    hub.create_repo(HubType::Model, "alice/slow", false)
        .unwrap();
    hub.fault(
        FaultRule::new(http::Method::GET, "/api/models/alice/slow")
            .delay(Duration::from_secs(30))
            .times(1),
    );
    let api = client(&hub, Some(ALICE));
    let err = api
        .model_info("alice/slow")
        .timeout(Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");

    // A call whose attempts fail (here a 503 each time) stops retrying before its
    // timeout and reports the last answer, not a bare timeout.
    hub.fault(FaultRule::new(http::Method::GET, "/api/models/alice/slow").fail_times(50, 503));
    let api = hf_api::HfApiBuilder::new()
        .endpoint(hub.url())
        .retry(
            hf_api::http::RetryConfig::default()
                .max_retries(20)
                .backoff(Duration::from_millis(300), Duration::from_millis(300))
                .jitter(hf_api::http::retry::Jitter::None),
        )
        .build()
        .unwrap();
    let err = api
        .model_info("alice/slow")
        .timeout(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(!err.is_timeout(), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("503") && text.contains("after 3 retries"),
        "{text}"
    );
}

#[tokio::test]
async fn repo_and_revision_exists() {
    let hub = hub(50).await;
    hub.create_repo(HubType::Model, "alice/m", false).unwrap();
    hub.create_repo(HubType::Model, "alice/gated", false)
        .unwrap();
    hub.set_gated(HubType::Model, "alice/gated", Gated::Manual)
        .unwrap();
    hub.create_repo(HubType::Dataset, "alice/d", true).unwrap();
    let bob = client(&hub, Some(BOB));
    assert!(bob.repo_exists("alice/m").await.unwrap());
    assert!(!bob.repo_exists("alice/none").await.unwrap());
    assert!(bob.repo_exists("alice/gated").await.unwrap());
    assert!(
        !bob.repo_exists("alice/d")
            .repo_type(RepoType::Dataset)
            .await
            .unwrap()
    );
    let alice = client(&hub, Some(ALICE));
    assert!(
        alice
            .repo_exists("alice/d")
            .repo_type(RepoType::Dataset)
            .await
            .unwrap()
    );
    assert!(bob.revision_exists("alice/m", "main").await.unwrap());
    assert!(!bob.revision_exists("alice/m", "nope").await.unwrap());
    assert!(!bob.revision_exists("alice/none", "main").await.unwrap());
    // server failures are not "does not exist"
    hub.fault(FaultRule::new(http::Method::GET, "/api/models/alice/m").fail_times(1, 400));
    let err = bob.repo_exists("alice/m").await.unwrap_err();
    assert!(matches!(err, Error::BadRequest(_)), "{err:?}");
}

#[tokio::test]
async fn file_exists_and_auth_check() {
    let hub = hub(50).await;
    hub.create_repo(HubType::Model, "alice/m", false).unwrap();
    hub.upload_file(HubType::Model, "alice/m", "main", "dir/a b.txt", b"x")
        .unwrap();
    hub.upload_file(HubType::Model, "alice/m", "main", "big.bin", &[1u8; 4096])
        .unwrap();
    hub.create_repo(HubType::Model, "alice/gated", false)
        .unwrap();
    hub.upload_file(HubType::Model, "alice/gated", "main", "f", b"x")
        .unwrap();
    hub.set_gated(HubType::Model, "alice/gated", Gated::Manual)
        .unwrap();
    let bob = client(&hub, Some(BOB));
    assert!(bob.file_exists("alice/m", "dir/a b.txt").await.unwrap());
    assert!(bob.file_exists("alice/m", "big.bin").await.unwrap());
    assert!(!bob.file_exists("alice/m", "missing").await.unwrap());
    assert!(
        !bob.file_exists("alice/m", "dir/a b.txt")
            .revision("nope")
            .await
            .unwrap()
    );
    assert!(!bob.file_exists("alice/none", "x").await.unwrap());
    let err = bob.file_exists("alice/gated", "f").await.unwrap_err();
    assert!(matches!(err, Error::GatedRepo(_)), "{err:?}");

    bob.auth_check("alice/m").await.unwrap();
    let err = bob.auth_check("alice/gated").await.unwrap_err();
    assert!(matches!(err, Error::GatedRepo(_)), "{err:?}");
    let err = bob.auth_check("alice/none").await.unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
    hub.grant_access(HubType::Model, "alice/gated", "bob")
        .unwrap();
    bob.auth_check("alice/gated").await.unwrap();
    assert!(bob.file_exists("alice/gated", "f").await.unwrap());
}

#[tokio::test]
async fn kernel_info_and_what_kernels_do_not_have() {
    let hub = hub(50).await;
    hub.create_repo(HubType::Kernel, "alice/k", false).unwrap();
    let head = hub
        .upload_file(HubType::Kernel, "alice/k", "main", "build/x.py", b"x = 1\n")
        .unwrap();
    let api = client(&hub, Some(ALICE));
    let info = api.kernel_info("alice/k").await.unwrap();
    assert_eq!(
        (info.id.as_str(), info.sha.map(|s| s.to_string())),
        ("alice/k", Some(head.clone()))
    );
    // Through repo_info, the kernel API gets none of the model options (as in Python).
    let any = api
        .repo_info("alice/k")
        .repo_type(RepoType::Kernel)
        .revision(&head)
        .files_metadata(true)
        .await
        .unwrap();
    assert_eq!((any.repo_type(), any.id()), (RepoType::Kernel, "alice/k"));
    assert!(matches!(any, RepoInfo::Kernel(_)));
    assert!(
        requests(&hub)
            .iter()
            .any(|r| r == &format!("GET /api/kernels/alice/k/revision/{head}")),
        "{:?}",
        requests(&hub)
    );
    // The kernel endpoint is not the model endpoint.
    let err = api.model_info("alice/k").await.unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");

    // What the Hub offers only models, datasets and Spaces is refused before any request.
    let before = requests(&hub).len();
    let errors = [
        api.get_discussion_details("alice/k", 1)
            .repo_type(RepoType::Kernel)
            .await
            .err(),
        api.create_discussion("alice/k", "t")
            .repo_type(RepoType::Kernel)
            .await
            .err(),
        api.update_repo_settings("alice/k")
            .repo_type(RepoType::Kernel)
            .private(true)
            .await
            .err(),
        api.super_squash_history("alice/k")
            .repo_type(RepoType::Kernel)
            .await
            .err(),
        api.list_pending_access_requests("alice/k")
            .repo_type(RepoType::Kernel)
            .await
            .err(),
        api.grant_access("alice/k", "bob")
            .repo_type(RepoType::Kernel)
            .await
            .err(),
    ];
    for err in errors {
        let err = err.expect("refused");
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
        assert!(err.to_string().contains("kernel repos have no"), "{err}");
    }
    assert_eq!(requests(&hub).len(), before);
}
