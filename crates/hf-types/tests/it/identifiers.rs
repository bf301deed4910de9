//! Identifier parsing and encodings through the public API: RepoUrl, Revision,
//! RepoPath and Timestamp.

use hf_types::{RepoId, RepoPath, RepoType, RepoUrl, Revision, Timestamp};

#[test]
fn repo_url_forms() {
    for (url, endpoint, repo_type, id) in [
        (
            "https://huggingface.co/user/model",
            Some("https://huggingface.co"),
            RepoType::Model,
            "user/model",
        ),
        (
            "https://huggingface.co/datasets/ns/name",
            Some("https://huggingface.co"),
            RepoType::Dataset,
            "ns/name",
        ),
        (
            "https://huggingface.co/spaces/ns/app/",
            Some("https://huggingface.co"),
            RepoType::Space,
            "ns/app",
        ),
        (
            "https://huggingface.co/models/ns/m",
            Some("https://huggingface.co"),
            RepoType::Model,
            "ns/m",
        ),
        (
            "https://huggingface.co/gpt2",
            Some("https://huggingface.co"),
            RepoType::Model,
            "gpt2",
        ),
        (
            "https://huggingface.co/datasets/squad",
            Some("https://huggingface.co"),
            RepoType::Dataset,
            "squad",
        ),
        (
            "http://127.0.0.1:8123/spaces/u/s",
            Some("http://127.0.0.1:8123"),
            RepoType::Space,
            "u/s",
        ),
        ("hf://datasets/ns/name", None, RepoType::Dataset, "ns/name"),
        ("hf://ns/name", None, RepoType::Model, "ns/name"),
        ("hf://spaces/ns/name", None, RepoType::Space, "ns/name"),
        ("hf://kernels/ns/name", None, RepoType::Kernel, "ns/name"),
    ] {
        let parsed = RepoUrl::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
        assert_eq!(parsed.endpoint(), endpoint, "{url}");
        assert_eq!(parsed.repo_type(), repo_type, "{url}");
        assert_eq!(parsed.repo_id(), &RepoId::new(id).unwrap(), "{url}");
        assert_eq!(parsed.url(), url);
        assert_eq!(parsed.to_string(), url);
    }
}

#[test]
fn repo_url_with_path_prefixed_endpoint() {
    let url = RepoUrl::parse_with_endpoint(
        "https://mirror.example/hf/datasets/ns/name",
        "https://mirror.example/hf/",
    )
    .unwrap();
    assert_eq!(url.endpoint(), Some("https://mirror.example/hf"));
    assert_eq!(
        (url.repo_type(), url.repo_id().as_str()),
        (RepoType::Dataset, "ns/name")
    );
    // Without the endpoint hint the extra segment is reported, with what to do.
    let err = RepoUrl::parse("https://mirror.example/hf/datasets/ns/name").unwrap_err();
    assert!(err.to_string().contains("parse_with_endpoint"), "{err}");
}

#[test]
fn repo_url_rejections() {
    for (bad, needle) in [
        ("huggingface.co/user/model", "http(s)://"),
        ("https://huggingface.co", "no repo path"),
        ("https://huggingface.co//x", "empty segment"),
        (
            "https://huggingface.co/buckets/ns/name",
            "unknown repo type",
        ),
        ("https://huggingface.co/user/a--b", "'--'"),
        ("hf://", "no repo path"),
        ("https://huggingface.co/", "no repo path"),
        ("https://huggingface.co/a/b/c/d", "parse_with_endpoint"),
    ] {
        let err = RepoUrl::parse(bad).unwrap_err();
        assert_eq!(err.url(), bad);
        assert!(err.to_string().contains(needle), "{bad}: {err}");
    }
}

#[test]
fn repo_url_serde() {
    let url: RepoUrl = serde_json::from_str("\"https://huggingface.co/spaces/u/s\"").unwrap();
    assert_eq!(url.repo_type(), RepoType::Space);
    assert_eq!(
        serde_json::to_string(&url).unwrap(),
        "\"https://huggingface.co/spaces/u/s\""
    );
    assert!(serde_json::from_str::<RepoUrl>("\"not a url\"").is_err());
}

#[test]
fn revision_url_segment() {
    for (rev, encoded) in [
        ("main", "main"),
        ("refs/pr/3", "refs%2Fpr%2F3"),
        ("refs/convert/parquet", "refs%2Fconvert%2Fparquet"),
        ("v1.0", "v1.0"),
        ("my branch", "my%20branch"),
        ("feature/ü", "feature%2F%C3%BC"),
        ("a~b_c-d", "a~b_c-d"),
    ] {
        assert_eq!(Revision::new(rev).unwrap().url_segment(), encoded, "{rev}");
    }
}

#[test]
fn repo_path_url_encoded() {
    for (path, encoded) in [
        ("config.json", "config.json"),
        ("onnx/model.onnx", "onnx/model.onnx"),
        ("sub dir/file name.txt", "sub%20dir/file%20name.txt"),
        (
            "data/train-00000-of-00001.parquet",
            "data/train-00000-of-00001.parquet",
        ),
        ("weird/#hash?.bin", "weird/%23hash%3F.bin"),
        ("ünï/çødé.md", "%C3%BCn%C3%AF/%C3%A7%C3%B8d%C3%A9.md"),
    ] {
        let p = RepoPath::new(path).unwrap();
        assert_eq!(p.url_encoded(), encoded, "{path}");
        assert_eq!(p.url_segment(), encoded.replace('/', "%2F"), "{path}");
    }
}

#[test]
fn timestamp_forms() {
    let expected: Timestamp = "2024-01-02T03:04:05Z".parse().unwrap();
    for form in [
        "2024-01-02T03:04:05.000Z",
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.000000Z",
        "2024-01-02T03:04:05+00:00",
        "2024-01-02T04:04:05+01:00",
        "2024-01-02T03:04:05",
    ] {
        let t: Timestamp = serde_json::from_value(serde_json::Value::from(form)).unwrap();
        assert_eq!(t, expected, "{form}");
        assert_eq!(t.to_string(), "2024-01-02T03:04:05.000Z");
    }
    let nanos: Timestamp = "2023-10-26T12:41:53.263078506Z".parse().unwrap();
    assert_eq!(nanos.to_string(), "2023-10-26T12:41:53.263078506Z");
    let jiff = expected.as_jiff();
    assert_eq!(Timestamp::from_jiff(jiff), expected);
    assert_eq!(jiff.as_second(), 1_704_164_645);
    assert!(serde_json::from_str::<Timestamp>("\"02/01/2024\"").is_err());
    assert!(serde_json::from_str::<Timestamp>("1704164645").is_err());
}
