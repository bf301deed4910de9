use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use hf_api::config::Environment;
use hf_api::{Error, HfApi, HfApiBuilder, Token};
use hf_http::HfBody;
use http::Request;

use crate::Hub;

#[tokio::test]
async fn whoami_decodes_the_hub_payload_and_sends_token_and_user_agent() {
    let hub = Hub::start().await;
    let api = HfApiBuilder::new()
        .endpoint(hub.url())
        .token(Token::new("hf_good").unwrap())
        .library_name("my-lib")
        .library_version("1.0")
        .user_agent("extra/2")
        .build()
        .unwrap();
    let me = api.whoami().await.unwrap();
    assert_eq!(me.name, "hub.js");
    assert_eq!(
        me.token_role().map(|r| format!("{r:?}")),
        Some("Write".to_owned())
    );
    let headers = &hub.seen()[0];
    assert_eq!(headers["authorization"], "Bearer hf_good");
    let ua = headers["user-agent"].to_str().unwrap();
    assert!(ua.starts_with("my-lib/1.0; hf-rs/"), "{ua}");
    assert!(ua.ends_with("; extra/2"), "{ua}");
}

#[tokio::test]
async fn whoami_without_token_is_unauthorized_with_a_hint() {
    let hub = Hub::start().await;
    let api = HfApiBuilder::new()
        .endpoint(hub.url())
        .no_token()
        .build()
        .unwrap();
    let err = api.whoami().await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
    assert_eq!(err.status(), Some(http::StatusCode::UNAUTHORIZED));
    assert_eq!(err.request_id(), Some("rid-1"));
    assert!(!err.is_not_found());
    let text = err.to_string();
    assert!(
        text.contains("run `hf auth login` or set HF_TOKEN"),
        "{text}"
    );
    assert!(
        text.contains("Invalid credentials in Authorization header"),
        "{text}"
    );
    assert!(hub.seen()[0].get("authorization").is_none());
}

#[tokio::test]
async fn token_and_endpoint_from_the_environment() {
    let hub = Hub::start().await;
    let env = Environment::from_pairs([
        ("HF_ENDPOINT", hub.url()),
        ("HF_TOKEN", "hf_good\n".to_owned()),
        ("HF_HOME", "/nonexistent/hf".to_owned()),
    ]);
    let api = HfApiBuilder::with_environment(env).build().unwrap();
    assert_eq!(api.endpoint(), hub.url());
    assert_eq!(api.cache_dir(), std::path::Path::new("/nonexistent/hf/hub"));
    assert_eq!(
        api.token_origin(),
        Some(&hf_http::auth::TokenOrigin::EnvHfToken)
    );
    assert_eq!(api.whoami().await.unwrap().name, "hub.js");

    // With implicit tokens disabled the client sends none, but whoami still uses it.
    let env = Environment::from_pairs([
        ("HF_ENDPOINT", hub.url()),
        ("HF_TOKEN", "hf_good".to_owned()),
        ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1".to_owned()),
    ]);
    let api = HfApiBuilder::with_environment(env).build().unwrap();
    assert_eq!(api.token_origin(), None);
    assert_eq!(api.whoami().await.unwrap().name, "hub.js");
}

#[tokio::test]
async fn per_call_token_custom_layer_and_spawnable_future() {
    let hub = Hub::start().await;
    let count = Arc::new(AtomicUsize::new(0));
    let counter = count.clone();
    let api = HfApiBuilder::new()
        .endpoint(hub.url())
        .token(Token::new("hf_wrong").unwrap())
        .layer(tower::util::MapRequestLayer::new(
            move |req: Request<HfBody>| {
                counter.fetch_add(1, Ordering::SeqCst);
                req
            },
        ))
        .build()
        .unwrap();
    // the boxed future is Send + 'static: it can be spawned
    let task = tokio::spawn(
        api.whoami()
            .token(Token::new("hf_good").unwrap())
            .into_future(),
    );
    assert_eq!(task.await.unwrap().unwrap().name, "hub.js");
    assert_eq!(count.load(Ordering::SeqCst), 1);
    assert!(matches!(api.whoami().await, Err(Error::Unauthorized(_))));
}

#[tokio::test]
async fn wrong_payload_names_the_json_path() {
    let hub = Hub::start().await;
    let api = HfApiBuilder::new()
        .endpoint(hub.url())
        .token(Token::new("hf_badjson").unwrap())
        .build()
        .unwrap();
    let err = api.whoami().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(err.to_string().contains("`name`"), "{err}");
}

#[test]
fn request_futures_are_small_send_and_static() {
    let api = HfApiBuilder::new().build().unwrap();
    fn assert_send_static<T: Send + 'static>(_: &T) {}
    let request = api.whoami();
    assert_send_static(&request);
    let fut = request.into_future();
    assert_send_static(&fut);
    // boxed: one fat pointer, whatever the state machine inside
    assert_eq!(
        std::mem::size_of_val(&fut),
        2 * std::mem::size_of::<usize>()
    );
}

#[test]
fn builder_and_client_debug_hide_the_token() {
    let builder = HfApiBuilder::new().token(Token::new("hf_very_secret").unwrap());
    assert!(!format!("{builder:?}").contains("hf_very_secret"));
    let api = builder.build().unwrap();
    assert!(!format!("{api:?}").contains("hf_very_secret"));
    assert_eq!(api.endpoint(), "https://huggingface.co");
    let _: fn() -> HfApiBuilder = HfApi::builder;
}

use std::future::IntoFuture;
