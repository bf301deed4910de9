//! `allow_patterns` / `ignore_patterns` follow Python's `fnmatch`: the same table of
//! (pattern, path) pairs through Python's `filter_repo_objects` (huggingface_hub
//! 0.26.5) and through [`PatternSet`], and a snapshot against the emulator.

use hf_api::download::PatternSet;

use crate::download::client;

/// Tricky (pattern, path) pairs: `**`, `/`, classes, literals, unclosed brackets,
/// folder patterns.
const CASES: &[(&str, &str)] = &[
    ("a/**/b", "a/b"),
    ("a/**/b", "a/x/b"),
    ("a/**/b", "a/x/y/b"),
    ("**/b", "b"),
    ("**", "x/y/z"),
    ("*.bin", "x/y.bin"),
    ("*.bin", "y.bin.tmp"),
    ("*.bin", ".bin"),
    ("x/*", "x/y/z"),
    ("?", "a"),
    ("?", "/"),
    ("?", "ab"),
    ("a?c", "a/c"),
    ("[!a]*", "b/a"),
    ("[!a]*", "a/b"),
    ("[a-c]x", "bx"),
    ("[a-c]x", "dx"),
    ("[b-a]x", "ax"),
    ("[!b-a]", "z"),
    ("[a-c-e]", "-"),
    ("[a-c-e]", "d"),
    ("[]]", "]"),
    ("[!]]", "]"),
    ("[!]]", "a"),
    ("[^a]", "^"),
    ("[^a]", "b"),
    ("[[]", "["),
    ("[\\]", "\\"),
    ("[&&]", "&"),
    ("[a-]", "-"),
    ("a[b", "a[b"),
    ("a[b", "ab"),
    ("a[!b*", "a[!bcd"),
    ("a.b", "axb"),
    ("a.b", "a.b"),
    ("f(1)+x$^|.txt", "f(1)+x$^|.txt"),
    ("f(1)+x", "f1x"),
    ("{a,b}", "a"),
    ("{a,b}", "{a,b}"),
    ("a\\*", "a\\bc"),
    ("onnx/", "onnx/model.onnx"),
    ("onnx/", "onnx"),
    ("onnx/", "x/onnx/y"),
    ("é?", "éü"),
    ("*SECRET*", "my_secret"),
];

fn ours(pattern: &str, path: &str) -> (bool, bool) {
    let allow = PatternSet::new([pattern], [] as [&str; 0]).unwrap();
    let ignore = PatternSet::new([] as [&str; 0], [pattern]).unwrap();
    (allow.is_match(path), ignore.is_match(path))
}

#[test]
fn pattern_table_unit() {
    // The answers Python gives (checked against the interpreter by the interop test).
    for (pattern, path, want) in [
        ("a/**/b", "a/b", false),
        ("a/**/b", "a/x/b", true),
        ("*.bin", "x/y.bin", true),
        ("[!a]*", "a/b", false),
        ("?", "/", true),
        ("a[b", "a[b", true),
        ("onnx/", "onnx/model.onnx", true),
    ] {
        assert_eq!(
            ours(pattern, path),
            (want, !want),
            "{pattern:?} vs {path:?}"
        );
    }
}

#[test]
fn patterns_match_python_filter_repo_objects() {
    let Some(py) = crate::interop_python("Python interop test") else {
        return;
    };
    let table: Vec<[&str; 2]> = CASES.iter().map(|&(p, s)| [p, s]).collect();
    let script = r"
import json, sys
from huggingface_hub.utils import filter_repo_objects
out = []
for pattern, path in json.load(sys.stdin):
    allowed = list(filter_repo_objects([path], allow_patterns=[pattern])) == [path]
    kept = list(filter_repo_objects([path], ignore_patterns=[pattern])) == [path]
    out.append([allowed, kept])
print(json.dumps(out))
";
    let mut child = std::process::Command::new(py)
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(serde_json::to_string(&table).unwrap().as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<(bool, bool)> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(theirs.len(), CASES.len());
    let mut differences = Vec::new();
    for (&(pattern, path), &want) in CASES.iter().zip(&theirs) {
        let got = ours(pattern, path);
        if got != want {
            differences.push(format!(
                "{pattern:?} vs {path:?}: python (allowed, kept) = {want:?}, ours = {got:?}"
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // The table is not trivially one-sided.
    assert!(theirs.iter().any(|t| t.0) && theirs.iter().any(|t| !t.0));
}

#[tokio::test]
async fn snapshot_double_star_needs_a_folder() {
    let hub = hf_testhub::TestHub::builder()
        .user("alice", crate::download::OWNER_TOKEN)
        .start()
        .await
        .unwrap();
    let m = hf_testhub::RepoType::Model;
    hub.create_repo(m, "alice/p", false).unwrap();
    for path in ["a/b", "a/x/b", "a/x/y/b", "b", "a/c"] {
        hub.upload_file(m, "alice/p", "main", path, path.as_bytes())
            .unwrap();
    }
    let cache = tempfile::tempdir().unwrap();
    let api = client(&hub.url(), cache.path());
    let dir = api
        .snapshot_download("alice/p")
        .allow_patterns(["a/**/b"])
        .await
        .unwrap();
    let mut got: Vec<String> = walkdir::WalkDir::new(&dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            e.path()
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    got.sort();
    assert_eq!(got, ["a/x/b", "a/x/y/b"]);
    // `a/b` was not fetched at all.
    assert!(
        !hub.requests().iter().any(|r| r.path().ends_with("/a/b")),
        "a/b was requested"
    );
}
