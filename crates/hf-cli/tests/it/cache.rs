//! `hf cache scan|delete` on a cache laid out by hand, exactly as the Python client
//! writes it (blobs, refs, relative symlinks).

use std::path::Path;

use crate::Sandbox;

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const C: &str = "cccccccccccccccccccccccccccccccccccccccc";

fn blob(repo: &Path, etag: &str, size: usize) {
    std::fs::create_dir_all(repo.join("blobs")).unwrap();
    std::fs::write(repo.join("blobs").join(etag), vec![b'x'; size]).unwrap();
}

fn link(repo: &Path, commit: &str, file: &str, etag: &str) {
    let entry = repo.join("snapshots").join(commit).join(file);
    std::fs::create_dir_all(entry.parent().unwrap()).unwrap();
    let depth = file.matches('/').count() + 2;
    let target = format!("{}blobs/{etag}", "../".repeat(depth));
    std::os::unix::fs::symlink(target, entry).unwrap();
}

fn reference(repo: &Path, name: &str, commit: &str) {
    let path = repo.join("refs").join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, commit).unwrap();
}

/// gpt2 (model): main = A {config.json, model.bin}, detached B {config.json', model.bin};
/// org/ds (dataset): main = C {data/train.csv}.
pub(crate) fn fill(cache: &Path) {
    let gpt2 = cache.join("models--gpt2");
    blob(&gpt2, "e1", 10);
    blob(&gpt2, "e2", 2000);
    blob(&gpt2, "e4", 300);
    reference(&gpt2, "main", A);
    link(&gpt2, A, "config.json", "e1");
    link(&gpt2, A, "model.bin", "e2");
    link(&gpt2, B, "config.json", "e4");
    link(&gpt2, B, "model.bin", "e2");
    let ds = cache.join("datasets--org--ds");
    blob(&ds, "e3", 500);
    reference(&ds, "main", C);
    link(&ds, C, "data/train.csv", "e3");
}

fn rows(out: &str) -> Vec<Vec<&str>> {
    out.lines()
        .skip(2)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().collect())
        .collect()
}

#[test]
fn scan_per_repo_and_per_revision() {
    let sb = Sandbox::new("http://127.0.0.1:9");
    fill(&sb.cache());
    let run = sb.run(&["cache", "scan"]);
    let out = run.ok();
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap().split_whitespace().collect::<Vec<_>>(),
        [
            "REPO",
            "ID",
            "REPO",
            "TYPE",
            "SIZE",
            "ON",
            "DISK",
            "NB",
            "FILES",
            "LAST_ACCESSED",
            "LAST_MODIFIED",
            "REFS",
            "LOCAL",
            "PATH"
        ]
    );
    let gpt2_path = sb.cache().join("models--gpt2").display().to_string();
    let ds_path = sb.cache().join("datasets--org--ds").display().to_string();
    assert_eq!(
        rows(out),
        [
            vec![
                "org/ds", "dataset", "500.0", "1", "a", "few", "seconds", "ago", "a", "few",
                "seconds", "ago", "main", &ds_path
            ],
            vec![
                "gpt2", "model", "2.3K", "3", "a", "few", "seconds", "ago", "a", "few", "seconds",
                "ago", "main", &gpt2_path
            ],
        ]
    );
    assert!(
        out.contains("\nDone in 0.0s. Scanned 2 repo(s) for a total of 2.8K.\n")
            || out.contains("Scanned 2 repo(s) for a total of 2.8K."),
        "{out}"
    );
    // Every line of the table ends with the separator space, as in Python.
    assert!(out.lines().take(4).all(|l| l.ends_with(' ')));

    let verbose = sb.run(&["cache", "scan", "-v"]);
    let rows = rows(verbose.ok());
    let summary: Vec<(&str, &str, &str, &str)> =
        rows.iter().map(|r| (r[0], r[2], r[3], r[4])).collect();
    assert_eq!(
        summary,
        [
            ("org/ds", C, "500.0", "1"),
            ("gpt2", A, "2.0K", "2"),
            ("gpt2", B, "2.3K", "2"),
        ]
    );
    assert_eq!(
        rows[2][rows[2].len() - 2],
        "ago",
        "a detached revision has no refs"
    );
}

#[test]
fn scan_of_a_missing_cache_says_so() {
    let sb = Sandbox::new("http://127.0.0.1:9");
    let out = sb.run(&["cache", "scan"]).ok().to_owned();
    assert_eq!(
        out,
        format!("Cache directory not found: {}\n", sb.cache().display())
    );
}

#[test]
fn delete_revision_dry_run_then_for_real() {
    let sb = Sandbox::new("http://127.0.0.1:9");
    fill(&sb.cache());
    let gpt2 = sb.cache().join("models--gpt2");

    let dry = sb.run(&["cache", "delete", "--revision", "bbbbbbbb", "--dry-run"]);
    let out = dry.ok();
    assert!(
        out.starts_with("1 revision(s) selected counting for 300.0.\n"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "would delete snapshot {}",
            gpt2.join("snapshots").join(B).display()
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "would delete blob {}",
            gpt2.join("blobs/e4").display()
        )),
        "{out}"
    );
    assert!(
        !out.contains("blobs/e2"),
        "a blob still used by main stays: {out}"
    );
    assert!(
        out.ends_with("Dry run: nothing was deleted; 300.0 would be freed.\n"),
        "{out}"
    );
    assert!(gpt2.join("snapshots").join(B).exists() && gpt2.join("blobs/e4").exists());

    let real = sb.run(&["cache", "delete", "--revision", B]);
    assert!(
        real.ok()
            .ends_with("Done. Deleted 0 repo(s) and 1 revision(s) for a total of 300.0.\n"),
        "{real:#?}"
    );
    assert!(!gpt2.join("snapshots").join(B).exists());
    assert!(!gpt2.join("blobs/e4").exists());
    assert!(gpt2.join("blobs/e2").exists() && gpt2.join("snapshots").join(A).exists());

    // A whole repo, chosen by id and type.
    let wrong_type = sb.run(&[
        "cache",
        "delete",
        "--repo",
        "org/ds",
        "--repo-type",
        "model",
    ]);
    assert!(wrong_type.err_line().contains("not in the cache"));
    let repo = sb.run(&[
        "cache",
        "delete",
        "--repo",
        "org/ds",
        "--repo-type",
        "dataset",
        "-y",
    ]);
    assert!(
        repo.ok()
            .contains("Deleted 1 repo(s) and 0 revision(s) for a total of 500.0.")
    );
    assert!(!sb.cache().join("datasets--org--ds").exists());
}

#[test]
fn delete_without_a_choice_off_a_terminal_fails_with_a_hint() {
    let sb = Sandbox::new("http://127.0.0.1:9");
    fill(&sb.cache());
    let line = sb.run(&["cache", "delete"]).err_line().to_owned();
    assert_eq!(
        line,
        "hf: error: nothing selected to delete. Choose with --repo or --revision (the \
         interactive picker needs a terminal)"
    );
    let ambiguous = sb.run(&["cache", "delete", "--revision", "ab"]);
    assert!(ambiguous.err_line().contains("too short"));
}

#[test]
fn prune_removes_detached_revisions_and_partial_downloads() {
    let sb = Sandbox::new("http://127.0.0.1:9");
    fill(&sb.cache());
    let gpt2 = sb.cache().join("models--gpt2");
    std::fs::write(gpt2.join("blobs/e9.incomplete"), [0u8; 50]).unwrap();

    let dry = sb.run(&["cache", "prune", "--dry-run"]);
    assert_eq!(
        dry.ok(),
        format!(
            "About to delete 1 unreferenced revision(s) and 1 incomplete download(s) (350.0 total).\n  \
             - model/gpt2:\n      {B} [(detached)] 2.3K\n\
             Dry run: no files were deleted.\n"
        )
    );
    assert!(gpt2.join("snapshots").join(B).exists() && gpt2.join("blobs/e9.incomplete").exists());

    let real = sb.run(&["cache", "prune", "-y"]);
    assert!(
        real.ok().ends_with(
            "Deleted 1 unreferenced revision(s) and 1 incomplete download(s); freed 350.0.\n"
        ),
        "{real:#?}"
    );
    assert!(!gpt2.join("snapshots").join(B).exists());
    assert!(!gpt2.join("blobs/e4").exists() && !gpt2.join("blobs/e9.incomplete").exists());
    assert!(gpt2.join("blobs/e2").exists(), "still used by main");
    assert_eq!(
        sb.run(&["cache", "prune"]).ok(),
        "No unreferenced revisions, incomplete downloads or shared blobs found. Nothing to prune.\n"
    );
}

/// Sets a blob's access and modification times to so many days ago.
fn age_blob(blob: &Path, accessed_days: u64, modified_days: u64) {
    use std::time::{Duration, SystemTime};
    let ago = |days: u64| SystemTime::now() - Duration::from_secs(days * 86_400);
    let file = std::fs::File::options().write(true).open(blob).unwrap();
    file.set_times(
        std::fs::FileTimes::new()
            .set_accessed(ago(accessed_days))
            .set_modified(ago(modified_days)),
    )
    .unwrap();
}

/// [`fill`], with a second ref on org/ds and blob times that make stable ages: gpt2
/// accessed 10 days and modified 20 days ago, org/ds 2 and 40 days ago.
pub(crate) fn fill_aged(cache: &Path) {
    fill(cache);
    reference(&cache.join("datasets--org--ds"), "v1", C);
    for etag in ["e1", "e2", "e4"] {
        age_blob(&cache.join("models--gpt2/blobs").join(etag), 10, 20);
    }
    age_blob(&cache.join("datasets--org--ds/blobs/e3"), 2, 40);
}

#[test]
fn ls_lists_filters_sorts_and_prints_json() {
    let sb = Sandbox::new("http://127.0.0.1:9");
    fill_aged(&sb.cache());
    assert_eq!(
        sb.run(&["cache", "ls"]).ok(),
        "ID              SIZE LAST_ACCESSED LAST_MODIFIED REFS    \n\
         -------------- ----- ------------- ------------- --------\n\
         dataset/org/ds 500.0 2 days ago    6 weeks ago   main, v1\n\
         model/gpt2      2.3K 1 week ago    3 weeks ago   main    \n\
         \n\
         Found 2 repo(s) for a total of 3 revision(s) and 2.8K on disk.\n"
    );
    assert_eq!(
        sb.run(&["cache", "list", "--revisions", "--sort", "size"])
            .ok(),
        format!(
            "ID             REVISION                                  SIZE LAST_MODIFIED REFS    \n\
             -------------- ---------------------------------------- ----- ------------- --------\n\
             model/gpt2     {B}  2.3K 3 weeks ago           \n\
             model/gpt2     {A}  2.0K 3 weeks ago   main    \n\
             dataset/org/ds {C} 500.0 6 weeks ago   main, v1\n\
             \n\
             Found 2 repo(s) for a total of 3 revision(s) and 4.8K on disk.\n"
        )
    );
    // Filters (all must hold), a limit, the names alone.
    let names = |args: &[&str]| {
        let mut all = vec!["cache", "ls", "-q"];
        all.extend(args);
        sb.run(&all).ok().to_owned()
    };
    assert_eq!(names(&["--filter", "accessed>5d"]), "model/gpt2\n");
    assert_eq!(
        names(&["-f", "size<1k", "-f", "modified>1mo"]),
        "dataset/org/ds\n"
    );
    assert_eq!(names(&["--filter", "refs=V1"]), "dataset/org/ds\n");
    assert_eq!(
        names(&["--filter", "type=model", "--revisions"]),
        format!("{A}\n{B}\n")
    );
    assert_eq!(
        names(&["--sort", "name:desc", "--limit", "1"]),
        "model/gpt2\n"
    );
    assert_eq!(names(&["--format", "quiet", "--filter", "size>1TB"]), "");
    assert_eq!(
        sb.run(&["cache", "ls", "--filter", "size>1TB"]).ok(),
        "No results found.\n"
    );
    // With a filter the total is the listed repos'.
    assert!(
        sb.run(&["cache", "ls", "--filter", "accessed>5d"])
            .ok()
            .ends_with("Found 1 repo(s) for a total of 2 revision(s) and 2.3K on disk.\n")
    );

    let json: serde_json::Value =
        serde_json::from_str(sb.run(&["cache", "ls", "--json"]).ok()).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"id": "dataset/org/ds", "repo_id": "org/ds", "repo_type": "dataset", "size": "500.0",
             "last_accessed": "2 days ago", "last_modified": "6 weeks ago", "refs": ["main", "v1"]},
            {"id": "model/gpt2", "repo_id": "gpt2", "repo_type": "model", "size": "2.3K",
             "last_accessed": "1 week ago", "last_modified": "3 weeks ago", "refs": ["main"]},
        ])
    );
    let json: serde_json::Value = serde_json::from_str(
        sb.run(&[
            "cache",
            "ls",
            "--revisions",
            "--format",
            "json",
            "--limit",
            "1",
        ])
        .ok(),
    )
    .unwrap();
    let snapshot = sb.cache().join("datasets--org--ds/snapshots").join(C);
    assert_eq!(json[0]["snapshot_path"], snapshot.display().to_string());
    assert_eq!(json[0]["revision"], C);

    // Bad expressions are usage errors (exit 2) that say what is wrong.
    for (bad, why) in [
        ("size==1", "unsupported operator '=='"),
        ("color=red", "unsupported filter key 'color'"),
        ("type!=model", "only '=' is supported for 'type'"),
    ] {
        let run = sb.run(&["cache", "ls", "--filter", bad]);
        assert_eq!(run.code, Some(2), "{run:#?}");
        assert!(run.stderr.contains(why), "{run:#?}");
    }
    let run = sb.run(&["cache", "ls", "--sort", "files"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("unsupported sort key 'files'"));

    // Corrupted entries and partial downloads are reported on stderr.
    std::fs::create_dir(sb.cache().join("not-a-repo")).unwrap();
    std::fs::write(
        sb.cache().join("models--gpt2/blobs/e9.incomplete"),
        [0u8; 40],
    )
    .unwrap();
    let run = sb.run(&["cache", "ls", "-q"]);
    assert_eq!(
        run.stderr,
        "Warning: Found 1 cache inconsistencies. Re-run with `--show-warnings` to display them.\n"
    );
    let run = sb.run(&["cache", "ls", "--show-warnings"]);
    assert!(run.stderr.contains("Repo ignored.\n"), "{run:#?}");
    assert!(
        run.stderr.contains(
            "Hint: Found 1 incomplete download(s) totalling 40.0. Remove them with 'hf cache prune'.\n"
        ),
        "{run:#?}"
    );
}

#[test]
fn rm_deletes_repos_revisions_and_files_by_name() {
    let sb = Sandbox::new("http://127.0.0.1:9");
    fill_aged(&sb.cache());
    let gpt2 = sb.cache().join("models--gpt2");
    let ds = sb.cache().join("datasets--org--ds");

    let dry = sb.run(&[
        "cache",
        "rm",
        "model/gpt2",
        B,
        "hf://datasets/org/nope",
        "--dry-run",
    ]);
    assert_eq!(
        dry.ok(),
        "About to delete 1 repo(s) totalling 2.3K.\n  \
         - model/gpt2 (entire repo)\n\
         Dry run: no files were deleted.\n"
    );
    assert_eq!(
        dry.stderr,
        "Warning: Could not find in cache:\n  - hf://datasets/org/nope\n"
    );
    assert!(gpt2.join("snapshots").join(B).exists());

    // One revision: its snapshot and the blob no other revision uses.
    let run = sb.run(&["cache", "rm", B, "-y"]);
    assert_eq!(
        run.ok(),
        format!(
            "About to delete 1 revision(s) totalling 300.0.\n  \
             - model/gpt2:\n      {B} [(detached)] 2.3K\n\
             Deleted 0 repo(s) and 1 revision(s); freed 300.0.\n"
        )
    );
    assert!(!gpt2.join("snapshots").join(B).exists() && !gpt2.join("blobs/e4").exists());
    assert!(gpt2.join("blobs/e2").exists());

    // A file: its entry and its blob; the snapshot and the refs stay.
    let run = sb.run(&["cache", "rm", "hf://datasets/org/ds/data/train.csv", "-y"]);
    assert_eq!(
        run.ok(),
        format!(
            "About to delete 1 file(s) totalling 500.0.\n  \
             - dataset/org/ds@{C}/data/train.csv\n\
             Deleted 1 file(s); freed 500.0.\n"
        )
    );
    assert!(!ds.join("blobs/e3").exists());
    assert!(ds.join("snapshots").join(C).join("data").is_dir() && ds.join("refs/v1").exists());

    // Targets that cannot work.
    let mixed = sb.run(&["cache", "rm", "hf://gpt2x/m/config.json", "model/gpt2"]);
    assert!(mixed.err_line().contains("cannot be mixed"), "{mixed:#?}");
    let pinned = sb.run(&["cache", "rm", "hf://org/ds@main"]);
    assert!(pinned.err_line().contains("Pass the revision hash instead"));
    let nothing = sb.run(&["cache", "rm", "model/none"]);
    assert_eq!(nothing.ok(), "Nothing to delete.\n");

    // The whole repo; names are matched without regard to case.
    let run = sb.run(&["cache", "rm", "model/GPT2", "-y"]);
    assert!(
        run.ok()
            .ends_with("Deleted 1 repo(s) and 1 revision(s); freed 2.0K.\n"),
        "{run:#?}"
    );
    assert!(!gpt2.exists());
}
