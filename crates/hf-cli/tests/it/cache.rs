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
