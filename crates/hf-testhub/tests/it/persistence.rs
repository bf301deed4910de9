//! The binary keeps its state in `--data` across restarts.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

use http::StatusCode;
use serde_json::json;

use crate::support::Http;

/// Starts `hf-testhub serve` and returns it with its base URL (read from its first line).
fn serve(data: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hf-testhub"))
        .args(["serve", "--data"])
        .arg(data)
        .args(["--user", "carol", "--token", "hf_carol"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn hf-testhub");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, url)
}

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let http = Http::new();
    let (child, base) = serve(dir.path());
    let first = Kill(child);
    let r = http
        .post_json(
            &format!("{base}/api/repos/create"),
            Some("hf_carol"),
            &json!({"name": "kept", "organization": null, "private": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let commit = commit_files_as(&http, &base, "carol/kept").await;
    drop(first);

    let (child, base2) = serve(dir.path());
    let _second = Kill(child);
    let r = http
        .get(
            &format!("{base2}/carol/kept/resolve/main/keep.txt"),
            Some("hf_carol"),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text(), "persisted");
    assert_eq!(r.header("x-repo-commit"), Some(commit.as_str()));
    let who = http
        .get(&format!("{base2}/api/whoami-v2"), Some("hf_carol"))
        .await;
    assert_eq!(who.json()["name"], "carol");
    assert!(dir.path().join("state.json").is_file());
}

async fn commit_files_as(http: &Http, base: &str, repo: &str) -> String {
    let lines = [crate::support::add_line("keep.txt", b"persisted")];
    let r = http
        .commit(
            base,
            repo,
            "main",
            Some("hf_carol"),
            &json!({"summary": "keep"}),
            &lines,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["commitOid"].as_str().unwrap().to_owned()
}
