use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use hf_http::{HfBody, HubClient, ResponseBody, Token};
use http::{Request, Response};
use tower::util::MapRequestLayer;

use crate::server::TestServer;
use crate::{builder, get};

#[tokio::test]
async fn custom_layer_sees_every_attempt_and_every_hop() {
    let hub = TestServer::start().await;
    let cdn = TestServer::start().await;
    hub.push(503, &[], "");
    hub.push(307, &[("location", "/moved")], "");
    hub.push(302, &[("location", &cdn.url("/blob"))], "");
    cdn.push(200, &[], "ok");
    let seen: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let sink = seen.clone();
    let client = builder(&hub.base())
        .token(Token::new("hf_layer"))
        .layer(MapRequestLayer::new(move |req: Request<HfBody>| {
            sink.lock().unwrap().push((
                req.uri().to_string(),
                req.headers().contains_key(http::header::AUTHORIZATION),
            ));
            req
        }))
        .build()
        .unwrap();
    let res = client.send(get(&hub.url("/start"))).await.unwrap();
    assert_eq!(res.status(), 200);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            (hub.url("/start"), true),
            (hub.url("/start"), true),
            (hub.url("/moved"), true),
            (cdn.url("/blob"), false),
        ]
    );
}

#[tokio::test]
async fn transport_can_be_replaced() {
    let svc = tower::service_fn(|req: Request<HfBody>| async move {
        let auth = req.headers().get("authorization").cloned();
        let body = format!(
            "{} {} auth={}",
            req.method(),
            req.uri().path(),
            auth.is_some()
        );
        Ok::<_, Infallible>(Response::new(ResponseBody::full(body)))
    });
    let client = HubClient::builder("https://hub.invalid")
        .token(Token::new("hf_x"))
        .transport(svc)
        .build()
        .unwrap();
    let res = client.send(get("https://hub.invalid/api/x")).await.unwrap();
    let body = res.into_body().bytes().await.unwrap();
    assert_eq!(body, "GET /api/x auth=true");
}

#[tokio::test]
async fn endpoint_is_validated() {
    let err = HubClient::builder("not a url").build().unwrap_err();
    assert_eq!(err.kind(), hf_http::ErrorKind::Config);
    let client = HubClient::builder("https://hub.example/").build().unwrap();
    assert_eq!(client.endpoint(), "https://hub.example");
    let _ = TestServer::start; // keep the helper referenced in every module
}
