//! `hf download` against the emulator: into the cache, into a folder, and its errors.

use hf_testhub::{Gated, RepoType};

use crate::{ALICE_TOKEN, Sandbox, hub, read};

fn tiny(hub: &hf_testhub::TestHub) {
    hub.create_repo(RepoType::Model, "alice/tiny", false)
        .unwrap();
    hub.upload_file(
        RepoType::Model,
        "alice/tiny",
        "main",
        "config.json",
        b"{\"a\": 1}",
    )
    .unwrap();
    hub.upload_file(
        RepoType::Model,
        "alice/tiny",
        "main",
        "sub/w.bin",
        &[7u8; 3000],
    )
    .unwrap();
    hub.upload_file(RepoType::Model, "alice/tiny", "main", "notes.txt", b"hello")
        .unwrap();
}

#[test]
fn one_file_into_the_cache_prints_its_path() {
    let hub = hub();
    tiny(&hub);
    let sb = Sandbox::new(&hub.url());
    let run = sb.run(&["download", "alice/tiny", "config.json"]);
    let path = run.ok().trim_end().to_owned();
    let snapshots = sb.cache().join("models--alice--tiny").join("snapshots");
    assert!(path.starts_with(&snapshots.display().to_string()), "{path}");
    assert!(path.ends_with("/config.json"), "{path}");
    assert_eq!(read(path.as_ref()), "{\"a\": 1}");
    // Not a terminal: no progress bars, nothing else on stdout.
    assert_eq!(run.stdout.lines().count(), 1);
    assert!(!run.stderr.contains('\u{1b}'), "{run:#?}");

    // Cached now: offline mode still answers.
    let mut offline = Sandbox::new(&hub.url());
    offline.home = sb.home;
    offline.set("HF_HUB_OFFLINE", "1");
    assert_eq!(
        offline
            .run(&["download", "alice/tiny", "config.json"])
            .ok()
            .trim_end(),
        path
    );
}

#[test]
fn snapshot_with_patterns_into_a_local_dir() {
    let hub = hub();
    tiny(&hub);
    let sb = Sandbox::new(&hub.url());
    let dir = sb.home.path().join("out");
    let dir_s = dir.display().to_string();
    let run = sb.run(&[
        "download",
        "alice/tiny",
        "--include",
        "*.json",
        "*.bin",
        "--exclude",
        "notes*",
        "--local-dir",
        &dir_s,
        "--quiet",
    ]);
    assert_eq!(run.ok(), format!("{dir_s}\n"));
    assert_eq!(read(&dir.join("config.json")), "{\"a\": 1}");
    assert_eq!(
        std::fs::read(dir.join("sub/w.bin")).unwrap(),
        vec![7u8; 3000]
    );
    assert!(!dir.join("notes.txt").exists());

    // Named files win over patterns (with a warning).
    let two = sb.home.path().join("two");
    let two_s = two.display().to_string();
    let run = sb.run(&[
        "download",
        "alice/tiny",
        "notes.txt",
        "config.json",
        "--include",
        "*.bin",
        "--local-dir",
        &two_s,
    ]);
    run.ok();
    assert!(run.stderr.contains("ignored"), "{run:#?}");
    assert!(two.join("notes.txt").exists() && two.join("config.json").exists());
    assert!(!two.join("sub").exists());
}

#[test]
fn a_retried_request_is_announced_on_stderr() {
    let hub = hub();
    tiny(&hub);
    // Nothing is cached, so after its single attempt the `HEAD` is sent with retries.
    hub.fault(
        hf_testhub::FaultRule::new(hf_api::http::http::Method::HEAD, "/alice/tiny/resolve/")
            .fail_times(2, 503)
            .retry_after(0),
    );
    let sb = Sandbox::new(&hub.url());
    let run = sb.run(&["download", "alice/tiny", "config.json"]);
    assert!(run.ok().trim_end().ends_with("/config.json"), "{run:#?}");
    let notice = format!(
        "WARN HEAD {}/alice/tiny/resolve/main/config.json: answered 503 Service \
         Unavailable; retrying in 0.0s (retry 1)",
        hub.url()
    );
    assert!(run.stderr.contains(&notice), "{run:#?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:#?}");
}

#[test]
fn missing_repo_fails_with_one_line_and_a_hint() {
    let hub = hub();
    let sb = Sandbox::new(&hub.url());
    let run = sb.run(&["download", "alice/nope", "config.json"]);
    let line = run.err_line();
    assert!(line.contains("repository not found"), "{line}");
    assert!(line.contains("hf auth login"), "{line}");
    assert_eq!(run.code, Some(1));
}

#[test]
fn gated_repo_names_the_page_to_request_access() {
    let hub = hub();
    tiny(&hub);
    hub.add_user("bob");
    hub.add_token("bob", "hf_bob_token", hf_testhub::Role::Read)
        .unwrap();
    hub.set_gated(RepoType::Model, "alice/tiny", Gated::Manual)
        .unwrap();
    let mut sb = Sandbox::new(&hub.url());
    sb.set("HF_TOKEN", "hf_bob_token");
    let run = sb.run(&["download", "alice/tiny", "config.json"]);
    let line = run.err_line();
    assert!(
        line.ends_with(&format!("Request access at {}/alice/tiny", hub.url())),
        "{line}"
    );
    // The owner is not gated out.
    let mut owner = Sandbox::new(&hub.url());
    owner.set("HF_TOKEN", ALICE_TOKEN);
    owner.run(&["download", "alice/tiny", "config.json"]).ok();
}

#[test]
fn offline_with_nothing_cached_says_so() {
    let hub = hub();
    tiny(&hub);
    let mut sb = Sandbox::new(&hub.url());
    sb.set("HF_HUB_OFFLINE", "1");
    let line = sb
        .run(&["download", "alice/tiny", "config.json"])
        .err_line()
        .to_owned();
    assert!(line.contains("offline"), "{line}");
    let line = sb.run(&["download", "alice/tiny"]).err_line().to_owned();
    assert!(line.contains("offline"), "{line}");
}

/// Every path under `dir`, sorted.
fn paths_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            if e.file_type().unwrap().is_dir() {
                todo.push(e.path());
            }
            out.push(e.path());
        }
    }
    out.sort();
    out
}

#[test]
fn dry_run_lists_what_would_be_fetched_and_writes_nothing() {
    let hub = hub();
    tiny(&hub);
    let sb = Sandbox::new(&hub.url());
    sb.run(&["download", "alice/tiny", "config.json"]).ok();
    let before = paths_under(sb.home.path());

    let run = sb.run(&["download", "alice/tiny", "--dry-run"]);
    let out = run.ok();
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    assert!(
        lines[0].starts_with("[dry-run] Will download 3 files (out of 4) totalling "),
        "{out}"
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["FILE", "SIZE"]
    );
    let rows: Vec<Vec<&str>> = lines[3..]
        .iter()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0][0], ".gitattributes", "{out}");
    assert_eq!(
        rows[1..],
        [
            vec!["config.json", "-"],
            vec!["notes.txt", "5.0"],
            vec!["sub/w.bin", "3.0K"],
        ],
        "{out}"
    );

    // One file; --quiet names only what would be fetched.
    let one = sb.run(&[
        "download",
        "alice/tiny",
        "sub/w.bin",
        "--dry-run",
        "--quiet",
    ]);
    assert_eq!(one.ok(), "sub/w.bin\n");
    let cached = sb.run(&[
        "download",
        "alice/tiny",
        "config.json",
        "--dry-run",
        "--quiet",
    ]);
    assert_eq!(cached.ok(), "");
    let forced = sb.run(&[
        "download",
        "alice/tiny",
        "config.json",
        "--dry-run",
        "--force-download",
    ]);
    assert!(
        forced
            .ok()
            .starts_with("[dry-run] Will download 1 files (out of 1) totalling 8.0."),
        "{forced:#?}"
    );
    assert_eq!(paths_under(sb.home.path()), before, "nothing written");

    // Errors are the download's.
    let run = sb.run(&["download", "alice/nope", "--dry-run"]);
    assert!(run.err_line().contains("repository not found"), "{run:#?}");
}

#[test]
fn cache_verify_reports_damaged_missing_and_extra_files() {
    let hub = hub();
    tiny(&hub);
    let sb = Sandbox::new(&hub.url());
    let snapshot = sb
        .run(&["download", "alice/tiny", "--quiet"])
        .ok()
        .trim_end()
        .to_owned();
    let snapshot = std::path::Path::new(&snapshot);
    let ok = sb.run(&["cache", "verify", "alice/tiny"]);
    assert_eq!(
        ok.ok(),
        "Verified 4 file(s) for model 'alice/tiny'. All checksums match.\n"
    );

    // A damaged blob fails the check; a missing file only warns, unless asked.
    let blob = std::fs::canonicalize(snapshot.join("notes.txt")).unwrap();
    std::fs::write(&blob, b"HELLO").unwrap();
    std::fs::remove_file(snapshot.join("config.json")).unwrap();
    let bad = sb.run(&["cache", "verify", "alice/tiny"]);
    assert_eq!(bad.code, Some(1), "{bad:#?}");
    assert!(
        bad.stdout.starts_with(
            "[FAIL] Checksum verification failed for the following file(s):\n  - notes.txt: expected "
        ),
        "{bad:#?}"
    );
    assert!(bad.stdout.contains("(git-sha1), got "), "{bad:#?}");
    assert!(
        bad.stderr
            .contains("1 remote file(s) are missing locally. Use --fail-on-missing-files"),
        "{bad:#?}"
    );
    assert!(
        bad.err_line()
            .contains("verification failed for 'alice/tiny'")
    );

    std::fs::write(&blob, b"hello").unwrap();
    let missing = sb.run(&["cache", "verify", "alice/tiny", "--fail-on-missing-files"]);
    assert_eq!(missing.code, Some(1), "{missing:#?}");
    assert!(
        missing.stdout.contains(
            "[FAIL] Missing files (present remotely, absent locally):\n  - config.json\n"
        ),
        "{missing:#?}"
    );
    let run = sb.run(&["cache", "verify", "alice/nope"]);
    assert!(run.err_line().contains("not in the cache"), "{run:#?}");
}

#[test]
fn hf_uris_and_folders_name_what_to_download() {
    let hub = hub();
    tiny(&hub);
    hub.create_repo(RepoType::Dataset, "alice/data", false)
        .unwrap();
    for file in ["train/a.csv", "train/deep/b.csv", "test/c.csv"] {
        hub.upload_file(RepoType::Dataset, "alice/data", "main", file, b"x,y\n")
            .unwrap();
    }
    let v1 = hub
        .upload_file(
            RepoType::Dataset,
            "alice/data",
            "main",
            "README.md",
            b"# d\n",
        )
        .unwrap();
    let sb = Sandbox::new(&hub.url());
    // The files of a local_dir, relative, without its metadata folder.
    let files_in = |dir: &std::path::Path| -> Vec<String> {
        paths_under(dir)
            .iter()
            .filter(|p| p.is_file())
            .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
            .filter(|p| !p.starts_with(".cache"))
            .collect()
    };

    // A folder (a name ending in /), with --type.
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("a");
    let dir_arg = dir.display().to_string();
    sb.run(&[
        "download",
        "alice/data",
        "train/",
        "--type",
        "dataset",
        "--local-dir",
        &dir_arg,
        "-q",
    ])
    .ok();
    assert_eq!(files_in(&dir), ["train/a.csv", "train/deep/b.csv"]);

    // The same as a URI, at a revision; and one file of a model.
    let dir = out.path().join("b");
    let dir_arg = dir.display().to_string();
    let uri = format!("hf://datasets/alice/data@{v1}/train/");
    sb.run(&["download", &uri, "--local-dir", &dir_arg, "-q"])
        .ok();
    assert_eq!(files_in(&dir), ["train/a.csv", "train/deep/b.csv"]);
    let path = sb
        .run(&["download", "hf://alice/tiny/sub/w.bin"])
        .ok()
        .trim_end()
        .to_owned();
    assert!(
        path.ends_with("/sub/w.bin") && path.contains("models--alice--tiny"),
        "{path}"
    );
    // A whole repo by URI: the snapshot folder.
    let snapshot = sb
        .run(&["download", "hf://datasets/alice/data"])
        .ok()
        .trim_end()
        .to_owned();
    assert!(
        snapshot.ends_with(&format!("datasets--alice--data/snapshots/{v1}")),
        "{snapshot}"
    );

    // What cannot be combined, refused before any request.
    hub.clear_requests();
    for (args, why) in [
        (
            &["download", "hf://datasets/alice/data", "--type", "dataset"][..],
            "--repo-type cannot be used",
        ),
        (
            &["download", "hf://datasets/alice/data", "--revision", "main"],
            "--revision cannot be used",
        ),
        (
            &["download", "hf://alice/tiny/config.json", "notes.txt"],
            "cannot be combined with FILES",
        ),
        (
            &["download", "alice/tiny", "sub/", "--include", "*.bin"],
            "use --include \"sub/*\"",
        ),
        (
            &["download", "alice/tiny", "sub/", "--exclude", "*.bin"],
            "with --exclude instead",
        ),
        (
            &[
                "download",
                "hf://alice/tiny",
                "--local-dir",
                "x",
                "--cache-dir",
                "y",
            ],
            "cannot be used together",
        ),
        (&["download", "hf://gpt2"], "'namespace/name'"),
        (
            &["download", "hf://buckets/alice/b"],
            "buckets are not repositories",
        ),
    ] {
        let run = sb.run(args);
        assert!(run.err_line().contains(why), "{args:?}: {run:#?}");
    }
    assert!(hub.requests().is_empty(), "{:?}", hub.requests());
}
