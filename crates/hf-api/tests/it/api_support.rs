//! Shared setup of the API tests: an in-process `hf-testhub` with two users.

use hf_api::{HfApi, HfApiBuilder, Token};
use hf_testhub::TestHub;

/// alice's write token.
pub(crate) const ALICE: &str = "hf_alice_write";
/// bob's write token.
pub(crate) const BOB: &str = "hf_bob_write";

/// A hub with users `alice` and `bob` (write tokens) and the given page size.
pub(crate) async fn hub(page_size: usize) -> TestHub {
    TestHub::builder()
        .user("alice", ALICE)
        .user("bob", BOB)
        .page_size(page_size)
        .start()
        .await
        .expect("the emulator starts")
}

/// A client of `hub` with `token` (or none).
pub(crate) fn client(hub: &TestHub, token: Option<&str>) -> HfApi {
    let b = HfApiBuilder::new().endpoint(hub.url());
    let b = match token {
        Some(t) => b.token(Token::new(t).unwrap()),
        None => b.no_token(),
    };
    b.build().unwrap()
}

/// Paths and queries of the requests the hub saw on its main listener.
pub(crate) fn requests(hub: &TestHub) -> Vec<String> {
    hub.requests()
        .into_iter()
        .filter(|r| r.listener == hf_testhub::Listener::Main)
        .map(|r| format!("{} {}", r.method, r.path_and_query))
        .collect()
}

/// A safetensors file: the 8-byte header length, the JSON header, then zeroed data.
/// `tensors` are `(name, dtype, shape)`; each element takes 2 bytes.
pub(crate) fn safetensors(tensors: &[(&str, &str, &[u64])], metadata: Option<&str>) -> Vec<u8> {
    let mut header = serde_json::Map::new();
    if let Some(m) = metadata {
        header.insert("__metadata__".into(), serde_json::json!({ "note": m }));
    }
    let mut offset = 0u64;
    for (name, dtype, shape) in tensors {
        let n: u64 = shape.iter().product::<u64>() * 2;
        header.insert(
            (*name).to_owned(),
            serde_json::json!({"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + n]}),
        );
        offset += n;
    }
    let text = serde_json::to_vec(&header).unwrap();
    let mut out = (text.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&text);
    out.resize(out.len() + offset as usize, 0);
    out
}

#[tokio::test]
async fn api_futures_are_boxed_and_small() {
    let hub = hub(50).await;
    let api = client(&hub, None);
    let two_words = 2 * std::mem::size_of::<usize>();
    let sizes = [
        std::mem::size_of_val(&std::future::IntoFuture::into_future(api.model_info("a/b"))),
        std::mem::size_of_val(&std::future::IntoFuture::into_future(
            api.create_repo("a/b"),
        )),
        std::mem::size_of_val(&std::future::IntoFuture::into_future(
            api.get_safetensors_metadata("a/b"),
        )),
        std::mem::size_of_val(&std::future::IntoFuture::into_future(
            api.create_branch("a/b", "c"),
        )),
    ];
    assert!(sizes.iter().all(|s| *s == two_words), "{sizes:?}");
}
