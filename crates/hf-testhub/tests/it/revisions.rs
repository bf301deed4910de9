//! Revision resolution on the resolve and info routes.

use http::StatusCode;
use serde_json::json;

use crate::support::{ALICE, Http, commit_files, hub_with_repo};

#[tokio::test]
async fn resolves_branch_tag_full_and_short_sha_pr_and_quoted_refs() {
    let hub = hub_with_repo().await;
    let http = Http::new();
    let base = hub.url();
    let c1 = commit_files(&http, &base, "alice/repo", "one", &[("f.txt", b"v1")]).await;
    // A tag on c1, then a newer commit on main.
    let r = http
        .post_json(
            &format!("{base}/api/models/alice/repo/tag/main"),
            Some(ALICE),
            &json!({"tag": "v1", "message": "first"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let c2 = commit_files(&http, &base, "alice/repo", "two", &[("f.txt", b"v2")]).await;
    // A pull request with a third version.
    let pr = http
        .commit(
            &base,
            "alice/repo",
            "main?create_pr=1",
            Some(ALICE),
            &json!({"summary": "pr"}),
            &[crate::support::add_line("f.txt", b"pr")],
        )
        .await;
    assert_eq!(pr.status, StatusCode::OK, "{}", pr.text());
    assert!(
        pr.json()["pullRequestUrl"]
            .as_str()
            .unwrap()
            .ends_with("/alice/repo/discussions/1")
    );
    hub.set_convert_ref(hf_testhub::RepoType::Model, "alice/repo", "parquet", &c1)
        .unwrap();

    let cases: &[(&str, &str, &str)] = &[
        ("main", "v2", c2.as_str()),
        ("v1", "v1", c1.as_str()),
        ("refs%2Ftags%2Fv1", "v1", c1.as_str()),
        ("refs%2Fheads%2Fmain", "v2", c2.as_str()),
        (c1.as_str(), "v1", c1.as_str()),
        (&c1[..7], "v1", c1.as_str()),
        ("refs%2Fpr%2F1", "pr", ""),
        ("refs%2Fconvert%2Fparquet", "v1", c1.as_str()),
    ];
    for (rev, content, commit) in cases {
        let r = http
            .get(&format!("{base}/alice/repo/resolve/{rev}/f.txt"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "rev {rev}");
        assert_eq!(r.text(), *content, "rev {rev}");
        if !commit.is_empty() {
            assert_eq!(r.header("x-repo-commit"), Some(*commit), "rev {rev}");
        }
        let info = http
            .get(
                &format!("{base}/api/models/alice/repo/revision/{rev}"),
                None,
            )
            .await;
        assert_eq!(info.status, StatusCode::OK, "info rev {rev}");
        assert_eq!(info.json()["sha"].as_str(), r.header("x-repo-commit"));
    }

    let missing = http
        .get(&format!("{base}/alice/repo/resolve/nope/f.txt"), None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.header("x-error-code"), Some("RevisionNotFound"));
    let missing = http
        .get(&format!("{base}/api/models/alice/repo/revision/nope"), None)
        .await;
    assert_eq!(missing.header("x-error-code"), Some("RevisionNotFound"));
}

#[tokio::test]
async fn resolve_headers_match_the_hub() {
    let hub = hub_with_repo().await;
    let http = Http::new();
    let base = hub.url();
    let c = commit_files(
        &http,
        &base,
        "alice/repo",
        "hello",
        &[("dir x/Hello.txt", b"Hello, World!")],
    )
    .await;
    let r = http
        .head(
            &format!("{base}/alice/repo/resolve/main/dir%20x/Hello.txt"),
            Some(ALICE),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("x-repo-commit"), Some(c.as_str()));
    assert_eq!(
        r.header("etag"),
        Some("\"b45ef6fec89518d314f546fd6c3025367b721684\"")
    );
    assert_eq!(r.header("content-length"), Some("13"));
    assert_eq!(r.header("accept-ranges"), Some("bytes"));

    let r = http
        .head(&format!("{base}/alice/repo/resolve/main/absent.txt"), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.header("x-error-code"), Some("EntryNotFound"));
    assert_eq!(r.header("x-error-message"), Some("Entry not found"));
    assert_eq!(r.header("x-repo-commit"), Some(c.as_str()));

    // API routes answer HEAD too (existence checks).
    let info = http
        .head(&format!("{base}/api/models/alice/repo"), None)
        .await;
    assert_eq!(info.status, StatusCode::OK);
    assert!(info.bytes().is_empty());
    let missing = http
        .head(&format!("{base}/api/models/alice/nope"), None)
        .await;
    assert_eq!(missing.header("x-error-code"), Some("RepoNotFound"));

    // The initial commit holds the Hub's default .gitattributes (its well-known blob id).
    let r = http
        .head(
            &format!("{base}/alice/repo/resolve/main/.gitattributes"),
            None,
        )
        .await;
    assert_eq!(
        r.header("etag"),
        Some("\"a6344aac8c09253b3b630fb776ae94478aa0275b\"")
    );
}

#[tokio::test]
async fn readme_metadata_becomes_card_data_and_tags() {
    let hub = hub_with_repo().await;
    let http = Http::new();
    let base = hub.url();
    let readme = b"---\nlicense: mit\nlibrary_name: diffusers\ntags:\n- art\n---\n# Model\n";
    commit_files(&http, &base, "alice/repo", "card", &[("README.md", readme)]).await;
    let info = http
        .get(&format!("{base}/api/models/alice/repo"), None)
        .await
        .json();
    assert_eq!(
        info["cardData"],
        json!({"license": "mit", "library_name": "diffusers", "tags": ["art"]})
    );
    assert_eq!(info["library_name"], "diffusers");
    assert_eq!(info["tags"], json!(["diffusers", "art", "license:mit"]));
    let list = http
        .get(&format!("{base}/api/models?filter=license:mit"), None)
        .await
        .json();
    assert_eq!(list[0]["id"], "alice/repo");
    let none = http
        .get(
            &format!("{base}/api/models?filter=license:apache-2.0"),
            None,
        )
        .await
        .json();
    assert_eq!(none, json!([]));
}
