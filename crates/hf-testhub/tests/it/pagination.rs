//! `Link: <...>; rel="next"` pagination of listings, trees and commits.

use std::collections::BTreeSet;

use http::StatusCode;
use serde_json::Value;

use crate::support::{ALICE, Http, Resp, commit_files};
use hf_testhub::{RepoType, TestHub};

/// Follows `rel="next"` links from `url`, checking each page's size; returns all items.
async fn walk(http: &Http, url: &str, max_page: usize) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut next = Some(url.to_owned());
    while let Some(u) = next {
        let r: Resp = http.get(&u, Some(ALICE)).await;
        assert_eq!(r.status, StatusCode::OK, "{u}: {}", r.text());
        let page = r.json().as_array().expect("array page").clone();
        assert!(
            page.len() <= max_page,
            "page of {} > {max_page}",
            page.len()
        );
        items.extend(page);
        pages += 1;
        next = r.next_link();
        if let Some(n) = &next {
            assert!(
                n.starts_with("http://127.0.0.1:"),
                "absolute next link: {n}"
            );
        }
    }
    (items, pages)
}

#[tokio::test]
async fn listings_trees_and_commits_paginate_with_link_headers() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .page_size(2)
        .start()
        .await
        .unwrap();
    hub.add_user("bob");
    for name in [
        "alice/a1", "alice/a2", "alice/a3", "alice/a4", "alice/a5", "bob/b1",
    ] {
        hub.create_repo(RepoType::Model, name, false).unwrap();
    }
    hub.create_repo(RepoType::Dataset, "alice/d1", false)
        .unwrap();
    hub.set_repo_tags(RepoType::Model, "alice/a3", &["text-classification"])
        .unwrap();
    let http = Http::new();
    let base = hub.url();

    let (items, pages) = walk(&http, &format!("{base}/api/models?author=alice"), 2).await;
    let ids: Vec<&str> = items.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["alice/a1", "alice/a2", "alice/a3", "alice/a4", "alice/a5"]
    );
    assert_eq!(pages, 3);

    let (items, _) = walk(&http, &format!("{base}/api/models?search=A4&full=True"), 2).await;
    assert_eq!(items.len(), 1);
    assert!(items[0]["siblings"].is_array() && items[0]["sha"].is_string());

    let (items, _) = walk(
        &http,
        &format!("{base}/api/models?filter=text-classification"),
        2,
    )
    .await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], "alice/a3");

    let (items, _) = walk(
        &http,
        &format!("{base}/api/models?sort=id&direction=-1&limit=1"),
        1,
    )
    .await;
    assert_eq!(items[0]["id"], "bob/b1");

    let (items, _) = walk(
        &http,
        &format!("{base}/api/datasets?expand=private&expand=sha"),
        2,
    )
    .await;
    assert_eq!(items.len(), 1);
    let keys: BTreeSet<&str> = items[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, BTreeSet::from(["_id", "id", "private", "sha"]));

    // Tree: 5 files + 1 directory at the root, more below.
    let files: Vec<(String, Vec<u8>)> = (0..5)
        .map(|i| (format!("f{i}.txt"), vec![b'x'; i]))
        .chain([("sub/deep/g.txt".to_owned(), b"g".to_vec())])
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    commit_files(&http, &base, "alice/a1", "files", &refs).await;
    let (items, pages) = walk(
        &http,
        &format!("{base}/api/models/alice/a1/tree/main?recursive=False&expand=False"),
        2,
    )
    .await;
    let paths: Vec<&str> = items.iter().map(|v| v["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        [
            ".gitattributes",
            "f0.txt",
            "f1.txt",
            "f2.txt",
            "f3.txt",
            "f4.txt",
            "sub"
        ]
    );
    assert_eq!(pages, 4);
    assert_eq!(items[6]["type"], "directory");
    let (items, _) = walk(
        &http,
        &format!("{base}/api/models/alice/a1/tree/main/sub?recursive=True&expand=True"),
        2,
    )
    .await;
    let paths: Vec<&str> = items.iter().map(|v| v["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["sub/deep", "sub/deep/g.txt"]);
    assert_eq!(items[1]["lastCommit"]["title"], "files");

    // Commits: 1 initial + 4 more.
    for i in 0..4 {
        commit_files(
            &http,
            &base,
            "alice/a2",
            &format!("c{i}"),
            &[("x", format!("{i}").as_bytes())],
        )
        .await;
    }
    let (items, pages) = walk(
        &http,
        &format!("{base}/api/models/alice/a2/commits/main"),
        2,
    )
    .await;
    let titles: Vec<&str> = items.iter().map(|v| v["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["c3", "c2", "c1", "c0", "initial commit"]);
    assert_eq!(pages, 3);
    assert!(
        items
            .iter()
            .all(|c| c["date"].as_str().unwrap().ends_with('Z'))
    );

    // The page size can change at runtime.
    hub.set_page_size(0);
    let (_, pages) = walk(&http, &format!("{base}/api/models"), 1000).await;
    assert_eq!(pages, 1);
}
