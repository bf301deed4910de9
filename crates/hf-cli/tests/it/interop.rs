//! Interop with the Python client (`huggingface_hub` 0.26.5) through shared files: a login
//! made by either tool is used by the other, and `hf cache scan` prints the same table as
//! Python for a cache Python filled.
//!
//! These tests run only when `HF_INTEROP_PYTHON` names a Python interpreter with
//! `huggingface_hub` installed (`cargo xtask ci` sets it). Without it they return at once,
//! unless `HF_INTEROP_REQUIRED` is set: then they fail.

use std::path::PathBuf;
use std::process::Command;

use hf_testhub::RepoType;

use crate::{ALICE_TOKEN, Sandbox, hub};

fn python() -> Option<PathBuf> {
    let python = std::env::var_os("HF_INTEROP_PYTHON").map(PathBuf::from);
    if python.is_none() {
        assert!(
            std::env::var_os("HF_INTEROP_REQUIRED").is_none(),
            "HF_INTEROP_REQUIRED is set but HF_INTEROP_PYTHON is not"
        );
        eprintln!("HF_INTEROP_PYTHON is not set: skipping the Python interop test");
    }
    python
}

/// Runs a Python snippet in the sandbox's environment (same HF_HOME and endpoint as `hf`)
/// and returns its stdout.
fn py(python: &PathBuf, sb: &Sandbox, code: &str) -> String {
    let hf = sb.command(&[]);
    let mut cmd = Command::new(python);
    cmd.args(["-c", code]);
    cmd.env_clear();
    for (k, v) in hf.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    for keep in ["PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR"] {
        if let Some(v) = std::env::var_os(keep) {
            cmd.env(keep, v);
        }
    }
    cmd.env("HF_HUB_DISABLE_TELEMETRY", "1");
    let out = cmd.output().expect("python runs");
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn python_uses_the_token_stored_by_hf_auth_login() {
    let Some(python) = python() else { return };
    let hub = hub();
    let sb = Sandbox::new(&hub.url());
    sb.run(&["auth", "login", "--token", ALICE_TOKEN]).ok();
    let out = py(
        &python,
        &sb,
        "from huggingface_hub import HfApi, get_token\n\
         from huggingface_hub.utils import get_stored_tokens\n\
         print(HfApi().whoami()['name'])\n\
         print(sorted(get_stored_tokens()))\n\
         print(get_token() == get_stored_tokens()['alice-write'])",
    );
    assert_eq!(out, "alice\n['alice-write']\nTrue\n");
}

#[test]
fn hf_uses_the_token_stored_by_python_login() {
    let Some(python) = python() else { return };
    let hub = hub();
    let sb = Sandbox::new(&hub.url());
    py(
        &python,
        &sb,
        &format!(
            "import huggingface_hub\n\
             huggingface_hub.login(token='{ALICE_TOKEN}', add_to_git_credential=False)"
        ),
    );
    assert_eq!(sb.run(&["auth", "whoami"]).ok(), "alice\n");
    let list = sb.run(&["auth", "list"]);
    assert!(list.ok().contains("* alice-write"), "{list:#?}");
    // And a logout by name here is seen by Python.
    sb.run(&["auth", "logout", "--token-name", "alice-write"])
        .ok();
    let out = py(
        &python,
        &sb,
        "from huggingface_hub.utils import get_stored_tokens, get_token\n\
         print(get_token(), get_stored_tokens())",
    );
    assert_eq!(out, "None {}\n");
}

#[test]
fn scan_matches_python_on_a_cache_python_filled() {
    let Some(python) = python() else { return };
    let hub = hub();
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
        "sub/weights.bin",
        &[7u8; 4096],
    )
    .unwrap();
    hub.create_repo(RepoType::Dataset, "alice/data", false)
        .unwrap();
    hub.upload_file(
        RepoType::Dataset,
        "alice/data",
        "main",
        "train.csv",
        b"a,b\n1,2\n",
    )
    .unwrap();
    let mut sb = Sandbox::new(&hub.url());
    sb.set("HF_TOKEN", ALICE_TOKEN);
    let tables = py(
        &python,
        &sb,
        "from huggingface_hub import snapshot_download, hf_hub_download, scan_cache_dir\n\
         from huggingface_hub.commands.scan_cache import get_table\n\
         snapshot_download('alice/tiny')\n\
         hf_hub_download('alice/data', 'train.csv', repo_type='dataset')\n\
         info = scan_cache_dir()\n\
         print(get_table(info, verbosity=0))\n\
         print('=====')\n\
         print(get_table(info, verbosity=1))",
    );
    let (python_repos, python_revisions) = tables.split_once("\n=====\n").unwrap();
    let table = |args: &[&str]| {
        let run = sb.run(args);
        let out = run.ok();
        out.split("\n\nDone in ").next().unwrap().to_owned()
    };
    assert_eq!(table(&["cache", "scan"]), python_repos);
    assert_eq!(
        format!("{}\n", table(&["cache", "scan", "-v"])),
        python_revisions
    );

    // Deleting the dataset's only revision removes the repo; Python's scan agrees.
    let commit = python_revisions
        .lines()
        .find(|l| l.starts_with("alice/data"))
        .and_then(|l| l.split_whitespace().nth(2))
        .unwrap()
        .to_owned();
    let dry = sb.run(&["cache", "delete", "--revision", &commit, "--dry-run"]);
    assert!(dry.ok().contains("would delete repo"), "{dry:#?}");
    sb.run(&["cache", "delete", "--revision", &commit]).ok();
    let left = py(
        &python,
        &sb,
        "from huggingface_hub import scan_cache_dir\n\
         print(sorted(r.repo_id for r in scan_cache_dir().repos))",
    );
    assert_eq!(left, "['alice/tiny']\n");
}

#[test]
fn downloads_are_shared_with_python_both_ways() {
    let Some(python) = python() else { return };
    let hub = hub();
    hub.create_repo(RepoType::Model, "alice/tiny", false)
        .unwrap();
    hub.upload_file(RepoType::Model, "alice/tiny", "main", "a.json", b"{}")
        .unwrap();
    hub.upload_file(RepoType::Model, "alice/tiny", "main", "b.txt", b"bee")
        .unwrap();
    let mut sb = Sandbox::new(&hub.url());
    sb.set("HF_TOKEN", ALICE_TOKEN);
    // hf downloads a.json; Python finds it offline, at the same path.
    let ours = sb.run(&["download", "alice/tiny", "a.json"]);
    let ours = ours.ok().trim_end().to_owned();
    let theirs = py(
        &python,
        &sb,
        "from huggingface_hub import hf_hub_download\n\
         print(hf_hub_download('alice/tiny', 'a.json', local_files_only=True))",
    );
    assert_eq!(theirs.trim_end(), ours);
    // Python downloads b.txt; hf finds it offline.
    let theirs = py(
        &python,
        &sb,
        "from huggingface_hub import hf_hub_download\n\
         print(hf_hub_download('alice/tiny', 'b.txt'))",
    );
    sb.set("HF_HUB_OFFLINE", "1");
    let ours = sb.run(&["download", "alice/tiny", "b.txt"]);
    assert_eq!(ours.ok(), theirs);
}

/// The newest Python client (`HF_INTEROP_PYTHON_LATEST`), for commands 0.26.5 lacks.
fn python_latest() -> Option<PathBuf> {
    let python = std::env::var_os("HF_INTEROP_PYTHON_LATEST").map(PathBuf::from);
    if python.is_none() {
        eprintln!("HF_INTEROP_PYTHON_LATEST is not set: skipping the newest-Python interop test");
    }
    python
}

/// Runs the newest Python `hf` CLI with `args` and returns its stdout, colors removed.
fn python_hf(python: &PathBuf, sb: &Sandbox, args: &[&str]) -> String {
    python_hf_with(python, sb, args, &[])
}

/// [`python_hf`] with more environment variables.
fn python_hf_with(python: &PathBuf, sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(python)
        .args(["-m", "huggingface_hub.cli.hf"])
        .args(args)
        .env("HF_HOME", sb.hf_home())
        .env("HF_HUB_DISABLE_TELEMETRY", "1")
        .env("NO_COLOR", "1")
        .env_remove("HF_HUB_CACHE")
        .envs(env.iter().copied())
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "python hf {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // Strip ANSI escapes (ESC [ ... letter).
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            chars.by_ref().find(char::is_ascii_alphabetic);
        } else {
            plain.push(c);
        }
    }
    plain
}

/// Every file and folder under `dir`, relative, sorted.
fn tree(dir: &std::path::Path) -> Vec<String> {
    let mut all = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            all.push(path.strip_prefix(dir).unwrap().display().to_string());
            if path.is_dir() && !path.is_symlink() {
                stack.push(path);
            }
        }
    }
    all.sort();
    all
}

#[test]
fn cache_ls_and_rm_match_the_newest_python_cli() {
    let Some(python) = python_latest() else {
        return;
    };
    let sb = Sandbox::new("http://127.0.0.1:9");
    crate::cache::fill_aged(&sb.cache());
    let cache = sb.cache().display().to_string();
    for args in [
        &[][..],
        &["--revisions"],
        &["--sort", "size:asc"],
        &["--sort", "name:desc", "--revisions"],
        &["--filter", "accessed>5d"],
        &["--filter", "refs=v1"],
        &["--filter", "type=model", "--revisions"],
        &["--filter", "size>1k", "--limit", "1"],
        &["--filter", "size>1TB"],
    ] {
        let mut ours = vec!["cache", "ls", "--dir", &cache];
        ours.extend(args);
        let mut theirs = vec!["cache", "ls", "--cache-dir", &cache];
        theirs.extend(args);
        let human: Vec<&str> = [&theirs[..], &["--format", "human", "--no-truncate"]].concat();
        assert_eq!(
            sb.run(&ours).ok(),
            python_hf(&python, &sb, &human),
            "{args:?}"
        );
        let json = |text: &str| serde_json::from_str::<serde_json::Value>(text).unwrap();
        let ours_json: Vec<&str> = [&ours[..], &["--json"]].concat();
        let theirs_json: Vec<&str> = [&theirs[..], &["--json"]].concat();
        assert_eq!(
            json(sb.run(&ours_json).ok()),
            json(&python_hf(&python, &sb, &theirs_json)),
            "{args:?}"
        );
        let ours_quiet: Vec<&str> = [&ours[..], &["-q"]].concat();
        let theirs_quiet: Vec<&str> = [&theirs[..], &["-q"]].concat();
        assert_eq!(
            sb.run(&ours_quiet).ok(),
            python_hf(&python, &sb, &theirs_quiet),
            "{args:?}"
        );
    }

    // Narrow terminals: the same cells are shortened the same way.
    for (columns, args) in [("50", &[][..]), ("70", &["--revisions"][..])] {
        let mut ours = vec!["cache", "ls", "--dir", &cache];
        ours.extend(args);
        let out = sb.command(&ours).env("COLUMNS", columns).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        let mut theirs = vec!["cache", "ls", "--cache-dir", &cache, "--format", "human"];
        theirs.extend(args);
        let python_out = python_hf_with(&python, &sb, &theirs, &[("COLUMNS", columns)]);
        assert!(python_out.contains("..."), "{python_out}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            python_out,
            "{columns} {args:?}"
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("--no-truncate"));
    }

    // The same deletions leave the same caches, after the same plan.
    let b = "b".repeat(40);
    for targets in [
        vec!["model/gpt2"],
        vec![b.as_str()],
        vec!["hf://datasets/org/ds", b.as_str()],
        vec!["hf://datasets/org/ds/data/train.csv"],
        vec!["hf://gpt2x/m/config.json"],
    ] {
        let (mine, python_side) = (
            Sandbox::new("http://127.0.0.1:9"),
            Sandbox::new("http://127.0.0.1:9"),
        );
        crate::cache::fill_aged(&mine.cache());
        crate::cache::fill_aged(&python_side.cache());
        let dir = mine.cache().display().to_string();
        let ours: Vec<&str> = [&["cache", "rm", "--dir", &dir, "-y"][..], &targets].concat();
        let out = mine.run(&ours);
        let dir = python_side.cache().display().to_string();
        let theirs: Vec<&str> = [
            &[
                "cache",
                "rm",
                "--cache-dir",
                &dir,
                "-y",
                "--format",
                "human",
            ][..],
            &targets,
        ]
        .concat();
        let python_out = python_hf(&python, &python_side, &theirs);
        let plan = |text: &str| -> Vec<String> {
            text.lines()
                .take_while(|l| !l.contains("Deleted"))
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(plan(out.ok()), plan(&python_out), "{targets:?}");
        assert_eq!(
            tree(&mine.cache()),
            tree(&python_side.cache()),
            "{targets:?}"
        );
    }
}

/// `hf://` URIs are taken apart as the newest Python client's `parse_hf_uri` does, and
/// refused where it refuses them.
#[test]
fn hf_uris_parse_as_in_the_newest_python_client() {
    let Some(python) = python_latest() else {
        return;
    };
    let uris = [
        "hf://org/model",
        "hf://models/org/model/",
        "hf://org/m/sub/w.bin",
        "hf://org/m/file@1.txt",
        "hf://a/b/c@v1",
        "hf://org/m@v1/a/b.txt",
        "hf://org/m@feature%2Fx/a",
        "hf://org/m@refs/pr/12/c.json",
        "hf://org/m@refs/pr/x/y",
        "hf://datasets/o/d@refs/convert/parquet/default/train/0.parquet",
        "hf://spaces/o/s",
        "hf://kernels/o/k/build/",
        "hf://",
        "hf://datasets",
        "hf://datasets/",
        "hf://gpt2",
        "hf://dataset/o/d",
        "hf://o/m@",
        "hf://o/a--b",
    ];
    let script = format!(
        r"
import json
from huggingface_hub.utils import parse_hf_uri
out = []
for u in {uris}:
    try:
        x = parse_hf_uri(u)
        out.append([x.type, x.id, x.revision, x.path_in_repo])
    except Exception:
        out.append(None)
print(json.dumps(out))
",
        uris = serde_json::to_string(&uris).unwrap()
    );
    let output = Command::new(&python)
        .args(["-c", &script])
        .output()
        .expect("python runs");
    assert!(output.status.success(), "{output:?}");
    let theirs: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let ours: Vec<serde_json::Value> = uris
        .iter()
        .map(|u| match hf_types::HfUri::parse(u) {
            Ok(x) => serde_json::json!([
                x.repo_type().as_str(),
                x.repo_id().as_str(),
                x.revision().map(hf_types::Revision::as_str),
                x.path_in_repo()
            ]),
            Err(_) => serde_json::Value::Null,
        })
        .collect();
    assert_eq!(serde_json::Value::Array(ours), theirs);
}
