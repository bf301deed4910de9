//! Gated-repo access requests against the emulator.

use hf_api::Error;
use hf_testhub::{Gated, RepoType as HubType};
use hf_types::AccessRequestStatus;

use crate::api_support::{ALICE, BOB, client, hub};

#[tokio::test]
async fn list_accept_reject_cancel_and_grant() {
    let hub = hub(50).await;
    hub.create_repo(HubType::Model, "alice/g", false).unwrap();
    hub.set_gated(HubType::Model, "alice/g", Gated::Manual)
        .unwrap();
    hub.create_repo(HubType::Model, "alice/open", false)
        .unwrap();
    for u in ["u1", "u2"] {
        hub.add_user(u);
        hub.request_access(HubType::Model, "alice/g", u).unwrap();
    }
    let api = client(&hub, Some(ALICE));
    let names = |v: Vec<hf_types::AccessRequest>| {
        let mut n: Vec<String> = v
            .iter()
            .filter_map(|r| r.username().map(str::to_owned))
            .collect();
        n.sort();
        n
    };
    let pending = api.list_pending_access_requests("alice/g").await.unwrap();
    assert!(
        pending
            .iter()
            .all(|r| r.status == AccessRequestStatus::Pending)
    );
    assert_eq!(names(pending), ["u1", "u2"]);

    api.accept_access_request("alice/g", "u1").await.unwrap();
    api.reject_access_request("alice/g", "u2").await.unwrap();
    assert_eq!(
        names(api.list_accepted_access_requests("alice/g").await.unwrap()),
        ["u1"]
    );
    assert_eq!(
        names(api.list_rejected_access_requests("alice/g").await.unwrap()),
        ["u2"]
    );
    api.cancel_access_request("alice/g", "u2").await.unwrap();
    assert_eq!(
        names(api.list_pending_access_requests("alice/g").await.unwrap()),
        ["u2"]
    );
    api.grant_access("alice/g", "bob").await.unwrap();
    client(&hub, Some(BOB)).auth_check("alice/g").await.unwrap();

    // typed errors
    let err = api.grant_access("alice/g", "bob").await.unwrap_err();
    assert!(matches!(err, Error::BadRequest(_)), "{err:?}");
    let err = api
        .list_pending_access_requests("alice/open")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BadRequest(_)), "{err:?}");
    let err = api
        .accept_access_request("alice/g", "nobody")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = client(&hub, Some(BOB))
        .list_pending_access_requests("alice/g")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
}
