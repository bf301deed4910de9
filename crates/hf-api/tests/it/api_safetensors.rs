//! Safetensors headers read with range requests, single-file and sharded repos.

use hf_api::Error;
use hf_testhub::RepoType as HubType;

use crate::api_support::{ALICE, client, hub, safetensors};

fn ranges(hub: &hf_testhub::TestHub, file: &str) -> Vec<String> {
    hub.requests()
        .iter()
        .filter(|r| r.method == http::Method::GET && r.path_and_query.ends_with(file))
        .filter(|r| r.listener == hf_testhub::Listener::Main)
        .map(|r| {
            r.headers
                .get("range")
                .map_or_else(|| "-".to_owned(), |v| v.to_str().unwrap().to_owned())
        })
        .collect()
}

#[tokio::test]
async fn parse_file_metadata_with_one_or_two_range_requests() {
    let hub = hub(50).await;
    hub.create_repo(HubType::Model, "alice/st", false).unwrap();
    let small = safetensors(
        &[
            ("a", "F32", &[2, 3]),
            ("b", "BF16", &[4]),
            ("c", "F32", &[]),
        ],
        Some("hello"),
    );
    hub.upload_file(
        HubType::Model,
        "alice/st",
        "main",
        "small.safetensors",
        &small,
    )
    .unwrap();
    let long_note = "x".repeat(150_000);
    let big = safetensors(&[("t", "I8", &[5, 5])], Some(&long_note));
    hub.upload_file(HubType::Model, "alice/st", "main", "big.safetensors", &big)
        .unwrap();
    let api = client(&hub, Some(ALICE));

    let meta = api
        .parse_safetensors_file_metadata("alice/st", "small.safetensors")
        .await
        .unwrap();
    assert_eq!(meta.metadata["note"], "hello");
    assert_eq!(meta.tensors["a"].shape, [2, 3]);
    let counts = meta.parameter_count();
    assert_eq!((counts["F32"], counts["BF16"]), (7, 4));
    assert_eq!(ranges(&hub, "/small.safetensors"), ["bytes=0-100000"]);

    let meta = api
        .parse_safetensors_file_metadata("alice/st", "big.safetensors")
        .revision("main")
        .await
        .unwrap();
    assert_eq!(meta.metadata["note"].len(), 150_000);
    assert_eq!(meta.parameter_count()["I8"], 25);
    let header_len = u64::from_le_bytes(big[..8].try_into().unwrap());
    assert_eq!(
        ranges(&hub, "/big.safetensors"),
        [
            "bytes=0-100000".to_owned(),
            format!("bytes=8-{}", header_len + 7)
        ]
    );
}

#[tokio::test]
async fn parse_file_metadata_errors_are_typed() {
    let hub = hub(50).await;
    hub.create_repo(HubType::Model, "alice/bad", false).unwrap();
    let mut huge = 30_000_000u64.to_le_bytes().to_vec();
    huge.extend_from_slice(b"{}");
    hub.upload_file(
        HubType::Model,
        "alice/bad",
        "main",
        "huge.safetensors",
        &huge,
    )
    .unwrap();
    let mut junk = 5u64.to_le_bytes().to_vec();
    junk.extend_from_slice(b"nope!");
    hub.upload_file(
        HubType::Model,
        "alice/bad",
        "main",
        "junk.safetensors",
        &junk,
    )
    .unwrap();
    hub.upload_file(
        HubType::Model,
        "alice/bad",
        "main",
        "tiny.safetensors",
        b"abc",
    )
    .unwrap();
    let api = client(&hub, Some(ALICE));
    for file in ["huge.safetensors", "junk.safetensors", "tiny.safetensors"] {
        let err = api
            .parse_safetensors_file_metadata("alice/bad", file)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::SafetensorsParsing { .. }),
            "{file}: {err:?}"
        );
    }
    // the too-big header is refused after the first request
    assert_eq!(ranges(&hub, "/huge.safetensors").len(), 1);
    let err = api
        .parse_safetensors_file_metadata("alice/bad", "missing.safetensors")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EntryNotFound(_)), "{err:?}");
    let err = api
        .parse_safetensors_file_metadata("alice/none", "x.safetensors")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepositoryNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn repo_metadata_single_sharded_and_missing() {
    let hub = hub(50).await;
    hub.create_repo(HubType::Model, "alice/single", false)
        .unwrap();
    hub.upload_file(
        HubType::Model,
        "alice/single",
        "main",
        "model.safetensors",
        &safetensors(&[("w", "F16", &[10, 10]), ("b", "F16", &[10])], None),
    )
    .unwrap();
    hub.create_repo(HubType::Model, "alice/sharded", false)
        .unwrap();
    let shard1 = safetensors(&[("l1.w", "F32", &[8, 8])], None);
    // large enough to be stored in LFS and served through the CDN
    let shard2 = safetensors(
        &[("l2.w", "BF16", &[64, 512]), ("l2.b", "F32", &[64])],
        None,
    );
    for (name, bytes) in [
        ("model-00001-of-00002.safetensors", &shard1),
        ("model-00002-of-00002.safetensors", &shard2),
    ] {
        hub.upload_file(HubType::Model, "alice/sharded", "main", name, bytes)
            .unwrap();
    }
    let index = serde_json::json!({
        "metadata": {"total_size": 1234},
        "weight_map": {
            "l1.w": "model-00001-of-00002.safetensors",
            "l2.w": "model-00002-of-00002.safetensors",
            "l2.b": "model-00002-of-00002.safetensors",
        }
    });
    hub.upload_file(
        HubType::Model,
        "alice/sharded",
        "main",
        "model.safetensors.index.json",
        index.to_string().as_bytes(),
    )
    .unwrap();
    hub.create_repo(HubType::Model, "alice/plain", false)
        .unwrap();
    let api = client(&hub, Some(ALICE));

    let single = api.get_safetensors_metadata("alice/single").await.unwrap();
    assert!(!single.sharded);
    assert_eq!(single.weight_map["w"], "model.safetensors");
    assert_eq!(single.parameter_count()["F16"], 110);
    assert!(single.metadata.is_none());

    let sharded = api.get_safetensors_metadata("alice/sharded").await.unwrap();
    assert!(sharded.sharded);
    assert_eq!(sharded.files_metadata.len(), 2);
    let counts = sharded.parameter_count();
    assert_eq!((counts["F32"], counts["BF16"]), (64 + 64, 64 * 512));
    assert_eq!(sharded.metadata.unwrap()["total_size"], 1234);

    let err = api
        .get_safetensors_metadata("alice/plain")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotASafetensorsRepo { .. }), "{err:?}");
    let err = api
        .get_safetensors_metadata("alice/single")
        .revision("nope")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotASafetensorsRepo { .. }), "{err:?}");
}
