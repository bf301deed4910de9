//! Inference Endpoints against the emulator's emulation of the service (served under
//! `/v2` of the emulator, set with `HfApiBuilder::inference_endpoints_url`).

use hf_api::{Error, HfApi, HfApiBuilder, Token};
use hf_testhub::TestHub;
use hf_types::{InferenceEndpointStatus, InferenceEndpointType};

use crate::api_support::{ALICE, BOB, hub, requests};

fn endpoints_client(hub: &TestHub, token: &str) -> HfApi {
    HfApiBuilder::new()
        .endpoint(hub.url())
        .inference_endpoints_url(format!("{}/v2", hub.url()))
        .token(Token::new(token).unwrap())
        .build()
        .unwrap()
}

#[tokio::test]
async fn endpoint_lifecycle() {
    let hub = hub(50).await;
    let api = endpoints_client(&hub, ALICE);
    let created = api
        .create_inference_endpoint("my-endpoint", "alice/model")
        .framework("pytorch")
        .compute("gpu", "x1", "nvidia-a10g")
        .provider("aws", "us-east-1")
        .task("text-generation")
        .secrets([("KEY", "value")])
        .await
        .unwrap();
    assert_eq!(created.name, "my-endpoint");
    assert_eq!(created.model.repository, "alice/model");
    assert_eq!(created.endpoint_type, InferenceEndpointType::Protected);
    let scaling = created.compute.as_ref().unwrap().scaling.clone().unwrap();
    // Python's defaults went on the wire.
    assert_eq!(
        (
            scaling.min_replica,
            scaling.max_replica,
            scaling.scale_to_zero_timeout
        ),
        (Some(0), Some(1), Some(15))
    );

    let got = api.get_inference_endpoint("my-endpoint").await.unwrap();
    assert_eq!(got.status.state, InferenceEndpointStatus::Running);
    let listed = api.list_inference_endpoints().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "my-endpoint");

    // An update sends only what is set; the rest stays.
    let updated = api
        .update_inference_endpoint("my-endpoint")
        .max_replica(3)
        .await
        .unwrap();
    let compute = updated.compute.unwrap();
    assert_eq!(compute.scaling.unwrap().max_replica, Some(3));
    assert_eq!(compute.instance_type, "nvidia-a10g");

    let paused = api.pause_inference_endpoint("my-endpoint").await.unwrap();
    assert_eq!(paused.status.state, InferenceEndpointStatus::Paused);
    let resumed = api.resume_inference_endpoint("my-endpoint").await.unwrap();
    assert_eq!(resumed.status.state, InferenceEndpointStatus::Running);
    // Already running: fine by default, an error when asked.
    let again = api.resume_inference_endpoint("my-endpoint").await.unwrap();
    assert_eq!(again.status.state, InferenceEndpointStatus::Running);
    let err = api
        .resume_inference_endpoint("my-endpoint")
        .running_ok(false)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BadRequest(_)), "{err:?}");
    let zero = api
        .scale_to_zero_inference_endpoint("my-endpoint")
        .await
        .unwrap();
    assert_eq!(zero.status.state, InferenceEndpointStatus::ScaledToZero);

    api.delete_inference_endpoint("my-endpoint").await.unwrap();
    let err = api.get_inference_endpoint("my-endpoint").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(api.list_inference_endpoints().await.unwrap().is_empty());
}

#[tokio::test]
async fn namespaces_and_errors() {
    let hub = hub(50).await;
    let alice = endpoints_client(&hub, ALICE);
    let bob = endpoints_client(&hub, BOB);
    alice
        .create_inference_endpoint("e1", "alice/model")
        .framework("pytorch")
        .compute("cpu", "x2", "intel-icl")
        .provider("aws", "us-east-1")
        .endpoint_type("public")
        .await
        .unwrap();
    // Bob has none, and may not look into alice's namespace.
    assert!(bob.list_inference_endpoints().await.unwrap().is_empty());
    let err = bob
        .get_inference_endpoint("e1")
        .namespace("alice")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    // The same name twice is a conflict.
    let err = alice
        .create_inference_endpoint("e1", "alice/model")
        .framework("pytorch")
        .compute("cpu", "x2", "intel-icl")
        .provider("aws", "us-east-1")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    // Missing settings fail before anything is sent (not even the whoami).
    hub.clear_requests();
    let err = alice
        .create_inference_endpoint("e2", "alice/model")
        .framework("pytorch")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
    assert!(err.to_string().contains(".compute("), "{err}");
    assert!(requests(&hub).is_empty(), "{:?}", requests(&hub));
    // "*": the user's namespace and their organizations'.
    let all = alice
        .list_inference_endpoints()
        .namespace("*")
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    // Without a token the service refuses.
    let anonymous = HfApiBuilder::new()
        .endpoint(hub.url())
        .inference_endpoints_url(format!("{}/v2", hub.url()))
        .no_token()
        .build()
        .unwrap();
    let err = anonymous
        .get_inference_endpoint("e1")
        .namespace("alice")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
}

/// Waiting: a running endpoint whose URL answers (here a 401 to the token-less probe of
/// a protected endpoint) is ready at once; a paused one times out with its own error.
/// The probe never carries the token.
#[tokio::test]
async fn wait_for_an_endpoint() {
    let hub = hub(50).await;
    let api = endpoints_client(&hub, ALICE);
    api.create_inference_endpoint("w", "alice/model")
        .framework("pytorch")
        .compute("cpu", "x2", "intel-icl")
        .provider("aws", "us-east-1")
        .await
        .unwrap();
    hub.clear_requests();
    let ready = api
        .wait_inference_endpoint("w")
        .refresh_every(std::time::Duration::from_millis(1))
        .await
        .unwrap();
    assert_eq!(ready.status.state, InferenceEndpointStatus::Running);
    let probes: Vec<_> = hub
        .requests()
        .into_iter()
        .filter(|r| r.path_and_query.starts_with("/_endpoints/"))
        .collect();
    assert_eq!(probes.len(), 1);
    assert!(probes[0].headers.get("authorization").is_none());

    api.pause_inference_endpoint("w").await.unwrap();
    let err = api
        .wait_inference_endpoint("w")
        .timeout(std::time::Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::InferenceEndpointTimeout { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("Paused"), "{err}");
}
