//! The upload protocol by hand: preupload -> LFS batch -> PUT(s) -> verify -> commit -> resolve.

use bytes::Bytes;
use http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ALICE, Http, add_line, sha256_hex};
use hf_testhub::{Listener, RepoType, TestHub};

const LFS: &[(&str, &str)] = &[
    ("accept", "application/vnd.git-lfs+json"),
    ("content-type", "application/vnd.git-lfs+json"),
];

#[tokio::test]
async fn preupload_decides_modes_and_ignores() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .lfs_threshold(1000)
        .start()
        .await
        .unwrap();
    hub.create_repo(RepoType::Dataset, "alice/d", false)
        .unwrap();
    hub.upload_file(
        RepoType::Dataset,
        "alice/d",
        "main",
        ".gitignore",
        b"*.log\n",
    )
    .unwrap();
    hub.upload_file(RepoType::Dataset, "alice/d", "main", "same.txt", b"same")
        .unwrap();
    let http = Http::new();
    let r = http
        .post_json(
            &format!("{}/api/datasets/alice/d/preupload/main", hub.url()),
            Some(ALICE),
            &json!({"files": [
                {"path": "small.txt", "sample": "", "size": 10},
                {"path": "big.txt", "sample": "", "size": 1000},
                {"path": "img.png", "sample": "", "size": 10},
                {"path": "empty.bin", "sample": "", "size": 0},
                {"path": "x/run.log", "sample": "", "size": 10},
                {"path": "same.txt", "sample": "", "size": 4},
            ]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let files = r.json()["files"].clone();
    let mode = |i: usize| files[i]["uploadMode"].as_str().unwrap().to_owned();
    assert_eq!(
        [mode(0), mode(1), mode(2), mode(3)],
        ["regular", "lfs", "lfs", "regular"]
    );
    assert_eq!(files[4]["shouldIgnore"], true);
    assert_eq!(files[0]["shouldIgnore"], false);
    // An existing regular file reports its git blob id.
    assert_eq!(files[5]["oid"].as_str().map(str::len), Some(40));
    assert!(files[0].get("oid").is_none());
    // A gitIgnore sent with the request wins over the repo's.
    let r = http
        .post_json(
            &format!("{}/api/datasets/alice/d/preupload/main", hub.url()),
            Some(ALICE),
            &json!({"files": [{"path": "x/run.log", "sample": "", "size": 1}], "gitIgnore": "*.tmp\n"}),
        )
        .await;
    assert_eq!(r.json()["files"][0]["shouldIgnore"], false);
}

async fn batch(http: &Http, base: &str, objects: Value) -> Value {
    let body = json!({"operation": "upload", "transfers": ["basic", "multipart"], "objects": objects, "hash_algo": "sha256", "ref": {"name": "main"}});
    let r = http
        .send(
            Method::POST,
            &format!("{base}/alice/m.git/info/lfs/objects/batch"),
            Some(ALICE),
            LFS,
            body.to_string(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.git-lfs+json")
    );
    r.json()
}

#[tokio::test]
async fn upload_round_trip_basic_and_multipart() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .multipart_chunk_size(1000)
        .start()
        .await
        .unwrap();
    hub.create_repo(RepoType::Model, "alice/m", false).unwrap();
    let http = Http::new();
    let base = hub.url();
    let small: Vec<u8> = (0..700u32).map(|i| (i * 7) as u8).collect();
    let large: Vec<u8> = (0..2500u32).map(|i| (i * 13) as u8).collect();
    let (s_oid, l_oid) = (sha256_hex(&small), sha256_hex(&large));

    let resp = batch(
        &http,
        &base,
        json!([{"oid": s_oid, "size": 700}, {"oid": l_oid, "size": 2500}]),
    )
    .await;
    let objs = resp["objects"].as_array().unwrap();
    // Basic: a single pre-signed PUT, no chunk_size.
    let up = &objs[0]["actions"]["upload"];
    assert!(up.get("header").is_none());
    let put = http
        .send(
            Method::PUT,
            up["href"].as_str().unwrap(),
            None,
            &[],
            small.clone(),
        )
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    // Multipart: chunk_size + numbered part URLs + completion href.
    let up = &objs[1]["actions"]["upload"];
    assert_eq!(up["header"]["chunk_size"], "1000");
    let mut parts = Vec::new();
    for n in 1..=3usize {
        let url = up["header"][n.to_string()].as_str().unwrap();
        let chunk = large[(n - 1) * 1000..(n * 1000).min(2500)].to_vec();
        let r = http.send(Method::PUT, url, None, &[], chunk).await;
        assert_eq!(r.status, StatusCode::OK);
        parts.push(json!({"partNumber": n, "etag": r.header("etag").unwrap()}));
    }
    assert!(up["header"].get("4").is_none());
    let done = http
        .send(
            Method::POST,
            up["href"].as_str().unwrap(),
            None,
            LFS,
            json!({"oid": l_oid, "parts": parts}).to_string(),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    for o in objs {
        let v = &o["actions"]["verify"];
        let r = http
            .post_json(
                v["href"].as_str().unwrap(),
                Some(ALICE),
                &json!({"oid": o["oid"], "size": o["size"]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    // Uploaded objects need no action any more.
    let again = batch(&http, &base, json!([{"oid": s_oid, "size": 700}])).await;
    assert!(again["objects"][0].get("actions").is_none());

    let commit = http
        .commit(&base, "alice/m", "main", Some(ALICE), &json!({"summary": "upload", "description": "two LFS files"}), &[
            json!({"key": "lfsFile", "value": {"path": "s.bin", "algo": "sha256", "oid": s_oid, "size": 700}}),
            json!({"key": "lfsFile", "value": {"path": "dir/l.bin", "algo": "sha256", "oid": l_oid, "size": 2500}}),
            add_line("README.md", b"# m"),
        ])
        .await;
    assert_eq!(commit.status, StatusCode::OK, "{}", commit.text());
    let oid = commit.json()["commitOid"].as_str().unwrap().to_owned();
    // A copy of an LFS file is a pointer line without size.
    let copy = http
        .commit(&base, "alice/m", "main", Some(ALICE), &json!({"summary": "copy"}), &[
            json!({"key": "lfsFile", "value": {"path": "copy.bin", "algo": "sha256", "oid": l_oid}}),
        ])
        .await;
    assert_eq!(copy.status, StatusCode::OK, "{}", copy.text());

    for (path, data) in [
        ("s.bin", &small),
        ("dir/l.bin", &large),
        ("copy.bin", &large),
    ] {
        let head = http
            .head(
                &format!("{base}/alice/m/resolve/{oid}/{path}")
                    .replace(&oid, if path == "copy.bin" { "main" } else { &oid }),
                Some(ALICE),
            )
            .await;
        assert_eq!(head.status, StatusCode::FOUND, "{path}");
        let got = http.get(head.header("location").unwrap(), None).await;
        assert_eq!(got.bytes().as_ref(), data.as_slice(), "{path}");
    }
    let info = http
        .get(&format!("{base}/api/models/alice/m?blobs=True"), None)
        .await
        .json();
    let l = info["siblings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["rfilename"] == "dir/l.bin")
        .unwrap()
        .clone();
    assert_eq!(
        l["lfs"],
        json!({"size": 2500, "sha256": l_oid, "pointerSize": 129})
    );
    assert_eq!(l["size"], 2500);
    // Nothing that reached the CDN carried a token.
    assert!(
        hub.requests()
            .iter()
            .filter(|r| r.listener == Listener::Cdn)
            .all(|r| !r.has_authorization())
    );
    let put_bytes: u64 = hub
        .requests()
        .iter()
        .filter(|r| r.method == Method::PUT)
        .map(|r| r.body_bytes)
        .sum();
    assert_eq!(put_bytes, 3200);
}

#[tokio::test]
async fn corrupt_uploads_are_rejected() {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .start()
        .await
        .unwrap();
    hub.create_repo(RepoType::Model, "alice/m", false).unwrap();
    let http = Http::new();
    let oid = sha256_hex(b"good");
    let resp = batch(&http, &hub.url(), json!([{"oid": oid, "size": 4}])).await;
    let href = resp["objects"][0]["actions"]["upload"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = http
        .send(Method::PUT, &href, None, &[], Bytes::from_static(b"evil"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = http
        .post_json(
            &format!("{}/alice/m.git/info/lfs/objects/verify", hub.url()),
            Some(ALICE),
            &json!({"oid": oid, "size": 4}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// A hub with 4-byte parts (checking uploads in the request unless `defer`) and the
/// multipart upload action for `0123456789`: the hub, a client, the oid and the action.
async fn ten_bytes_in_parts_of_four(defer: bool) -> (TestHub, Http, String, Value) {
    let hub = TestHub::builder()
        .user("alice", ALICE)
        .multipart_chunk_size(4)
        .defer_upload_check(defer)
        .start()
        .await
        .unwrap();
    hub.create_repo(RepoType::Model, "alice/m", false).unwrap();
    let http = Http::new();
    let data = b"0123456789";
    let oid = sha256_hex(data);
    let resp = batch(&http, &hub.url(), json!([{"oid": oid, "size": 10}])).await;
    let up = resp["objects"][0]["actions"]["upload"].clone();
    (hub, http, oid, up)
}

/// Sends `parts` (numbered from 1) to the multipart action `up` and completes it; the
/// completion's status.
async fn upload_parts(http: &Http, oid: &str, up: &Value, parts: &[&[u8]]) -> StatusCode {
    let mut done_parts = Vec::new();
    for (i, body) in parts.iter().enumerate() {
        let n = i + 1;
        let r = http
            .send(
                Method::PUT,
                up["header"][n.to_string()].as_str().unwrap(),
                None,
                &[],
                body.to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        done_parts.push(json!({"partNumber": n, "etag": r.header("etag").unwrap()}));
    }
    http.send(
        Method::POST,
        up["href"].as_str().unwrap(),
        None,
        LFS,
        json!({"oid": oid, "parts": done_parts}).to_string(),
    )
    .await
    .status
}

#[tokio::test]
async fn multipart_with_a_wrong_part_is_rejected_at_completion() {
    let (hub, http, oid, up) = ten_bytes_in_parts_of_four(false).await;
    let done = upload_parts(&http, &oid, &up, &[b"0123", b"XXXX", b"89"]).await;
    assert_eq!(done, StatusCode::BAD_REQUEST);
    let again = batch(&http, &hub.url(), json!([{"oid": oid, "size": 10}])).await;
    assert!(
        again["objects"][0].get("actions").is_some(),
        "nothing was stored"
    );
}

/// Parts are hashed while they arrive; parts out of order and a part re-sent with other
/// content after it was hashed must still give the right answer at completion.
#[tokio::test]
async fn multipart_parts_out_of_order_and_resent_are_assembled_right() {
    let (hub, http, oid, up) = ten_bytes_in_parts_of_four(false).await;
    let mut etags = std::collections::BTreeMap::new();
    // Part 1 first goes out wrong and is hashed as such, then is sent again right;
    // parts 3 and 2 arrive in reverse order.
    for (n, body) in [(1, &b"XXXX"[..]), (3, b"89"), (2, b"4567"), (1, b"0123")] {
        let r = http
            .send(
                Method::PUT,
                up["header"][n.to_string()].as_str().unwrap(),
                None,
                &[],
                body.to_vec(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        etags.insert(n, r.header("etag").unwrap().to_owned());
    }
    let parts: Vec<Value> = etags
        .iter()
        .map(|(n, e)| json!({"partNumber": n, "etag": e}))
        .collect();
    let done = http
        .send(
            Method::POST,
            up["href"].as_str().unwrap(),
            None,
            LFS,
            json!({"oid": oid, "parts": parts}).to_string(),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let again = batch(&http, &hub.url(), json!([{"oid": oid, "size": 10}])).await;
    assert!(
        again["objects"][0].get("actions").is_none(),
        "the object is stored: {again}"
    );
}

/// With the check deferred, uploads are stored on their size alone and the control
/// route finds the ones whose content does not hash to their oid.
#[tokio::test]
async fn deferred_check_stores_on_size_and_reports_bad_content_later() {
    let (hub, http, oid, up) = ten_bytes_in_parts_of_four(true).await;
    let check = format!("{}/_testhub/check-lfs", hub.url());
    let r = http.post_json(&check, None, &json!({})).await;
    assert_eq!(
        (r.status, r.json()["checked"].as_u64()),
        (StatusCode::OK, Some(0))
    );
    assert_eq!(
        upload_parts(&http, &oid, &up, &[b"0123", b"XXXX", b"89"]).await,
        StatusCode::OK
    );
    // Basic uploads: one wrong, one right, one of the wrong size (refused at once).
    let (evil, fine, short) = (sha256_hex(b"good"), sha256_hex(b"fine"), sha256_hex(b"abc"));
    let resp = batch(
        &http,
        &hub.url(),
        json!([{"oid": evil, "size": 4}, {"oid": fine, "size": 4}, {"oid": short, "size": 4}]),
    )
    .await;
    for (i, body, status) in [
        (0, &b"evil"[..], StatusCode::OK),
        (1, b"fine", StatusCode::OK),
        (2, b"abc", StatusCode::BAD_REQUEST),
    ] {
        let href = resp["objects"][i]["actions"]["upload"]["href"]
            .as_str()
            .unwrap();
        let r = http.send(Method::PUT, href, None, &[], body.to_vec()).await;
        assert_eq!(r.status, status, "object {i}: {}", r.text());
    }
    let r = http.post_json(&check, None, &json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    let report = r.json();
    assert_eq!(report["checked"], 3, "{report}");
    let mut bad: Vec<(String, String)> = report["bad"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["oid"].as_str().unwrap().to_owned(),
                b["sha256"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    bad.sort();
    let mut want = vec![
        (oid, sha256_hex(b"0123XXXX89")),
        (evil, sha256_hex(b"evil")),
    ];
    want.sort();
    assert_eq!(bad, want);
}
