//! `hf upload` and `hf upload-large-folder` against the emulator.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::Stdio;

use hf_testhub::{RepoType, TestHub};

use crate::{ALICE_TOKEN, Sandbox};

/// A hub where files over 1 KiB go through LFS.
fn hub() -> hf_testhub::BlockingTestHub {
    TestHub::builder()
        .user("alice", ALICE_TOKEN)
        .lfs_threshold(1024)
        .start_blocking()
        .unwrap()
}

fn alice(hub: &hf_testhub::TestHub) -> Sandbox {
    let mut sb = Sandbox::new(&hub.url());
    sb.set("HF_TOKEN", ALICE_TOKEN);
    sb
}

fn folder(root: &Path) -> std::path::PathBuf {
    let dir = root.join("out");
    std::fs::create_dir_all(dir.join("weights")).unwrap();
    std::fs::write(dir.join("config.json"), "{\"a\": 1}").unwrap();
    std::fs::write(dir.join("notes.md"), "draft").unwrap();
    std::fs::write(dir.join("weights/model.bin"), vec![3u8; 5000]).unwrap();
    dir
}

/// The repo's files at `revision`, one `size  path` line each.
fn tree(sb: &Sandbox, repo: &str, revision: &str) -> Vec<String> {
    sb.run(&["ls", repo, "-R", "--revision", revision])
        .ok()
        .lines()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.ends_with('/') && !l.ends_with(".gitattributes"))
        .collect()
}

#[test]
fn folder_with_patterns_creates_the_repo_then_deletes_by_pattern() {
    let hub = hub();
    let sb = alice(&hub);
    let dir = folder(sb.home.path());
    let dir_s = dir.display().to_string();
    let run = sb.run(&[
        "upload",
        "alice/fresh",
        &dir_s,
        "--include",
        "*.json",
        "*.bin",
        "-m",
        "first upload",
    ]);
    let url = run.ok().trim_end().to_owned();
    assert!(
        url.starts_with(&format!("{}/alice/fresh/commit/", hub.url())),
        "{url}"
    );
    assert_eq!(
        tree(&sb, "alice/fresh", "main"),
        ["8  config.json", "5000  weights/model.bin  lfs"]
    );

    // Round trip: the LFS file comes back byte for byte.
    let back = sb.run(&["download", "alice/fresh", "weights/model.bin"]);
    assert_eq!(
        std::fs::read(back.ok().trim_end()).unwrap(),
        vec![3u8; 5000]
    );

    // Add notes.md and delete the .bin files in the same commit.
    sb.run(&[
        "upload",
        "alice/fresh",
        &dir_s,
        "--exclude",
        "*.bin",
        "--delete",
        "*.bin",
    ])
    .ok();
    assert_eq!(
        tree(&sb, "alice/fresh", "main"),
        ["8  config.json", "5  notes.md"]
    );
    // Under a folder of the repo; --delete only looks under it.
    sb.run(&[
        "upload",
        "alice/fresh",
        &dir_s,
        "docs",
        "--include",
        "*.md",
        "--delete",
        "*.json",
    ])
    .ok();
    assert_eq!(
        tree(&sb, "alice/fresh", "main"),
        ["8  config.json", "5  docs/notes.md", "5  notes.md"]
    );
}

#[test]
fn single_file_to_a_new_branch_and_as_a_pull_request() {
    let hub = hub();
    hub.create_repo(RepoType::Model, "alice/tiny", false)
        .unwrap();
    let sb = alice(&hub);
    let dir = folder(sb.home.path());
    let config = dir.join("config.json").display().to_string();

    sb.run(&["upload", "alice/tiny", &config, "--revision", "dev"])
        .ok();
    assert_eq!(tree(&sb, "alice/tiny", "dev"), ["8  config.json"]);
    assert!(tree(&sb, "alice/tiny", "main").is_empty());

    let pr = sb.run(&[
        "upload",
        "alice/tiny",
        &config,
        "conf/c.json",
        "--create-pr",
        "--commit-description",
        "please merge",
    ]);
    let pr_url = pr.ok().trim_end().to_owned();
    assert_eq!(pr_url, format!("{}/alice/tiny/discussions/1", hub.url()));
    assert_eq!(tree(&sb, "alice/tiny", "refs/pr/1"), ["8  conf/c.json"]);
    assert!(
        tree(&sb, "alice/tiny", "main").is_empty(),
        "main is untouched"
    );
}

#[test]
fn upload_errors_are_one_line() {
    let hub = hub();
    let sb = alice(&hub);
    let missing = sb.run(&["upload", "alice/x", "/definitely/not/here"]);
    assert!(missing.err_line().contains("no such file or folder"));
    // Without a token the Hub refuses to create the repo.
    let anon = Sandbox::new(&hub.url());
    let dir = folder(anon.home.path());
    let line = anon
        .run(&["upload", "alice/x", &dir.display().to_string()])
        .err_line()
        .to_owned();
    assert!(line.contains("hf auth login"), "{line}");
}

#[test]
fn large_folder_upload() {
    let hub = hub();
    let sb = alice(&hub);
    let dir = folder(sb.home.path());
    let run = sb.run(&[
        "upload-large-folder",
        "alice/big",
        &dir.display().to_string(),
        "--repo-type",
        "dataset",
        "--exclude",
        "notes.md",
        "--no-report",
    ]);
    assert_eq!(run.ok(), format!("{}/datasets/alice/big\n", hub.url()));
    let files = sb
        .run(&["ls", "alice/big", "-R", "--repo-type", "dataset"])
        .ok()
        .to_owned();
    assert!(
        files.contains("config.json") && files.contains("weights/model.bin"),
        "{files}"
    );
    assert!(!files.contains("notes.md"), "{files}");
    // --repo-type is required.
    let usage = sb.run(&["upload-large-folder", "alice/big", "."]);
    assert_eq!(usage.code, Some(2));
}

#[test]
fn scheduled_upload_pushes_on_ctrl_c() {
    let hub = hub();
    let sb = alice(&hub);
    let dir = folder(sb.home.path());
    let mut child = sb
        .command(&[
            "upload",
            "alice/sched",
            &dir.display().to_string(),
            "--every",
            "60",
            "--include",
            "*.json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait (by reading, not sleeping) until the scheduler runs.
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("Scheduling commits every") {
        line.clear();
        assert_ne!(stderr.read_line(&mut line).unwrap(), 0, "hf exited early");
    }
    std::fs::write(dir.join("late.json"), "{}").unwrap();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let files = tree(&sb, "alice/sched", "main");
    assert_eq!(files, ["8  config.json", "2  late.json"]);
}
