//! Generates `docs/api-coverage.md` from the code and fails when the committed file is
//! stale. Regenerate with `UPDATE_API_COVERAGE=1 cargo test -p hf-api --test it api_coverage`.
//!
//! The spec side is the method index of hub-protocol.md §4.0 (every public `HfApi`
//! method of the Python client 0.26.5, with the section describing it). The Rust side is
//! read from the source: every `pub fn` inside an `impl HfApi` block of `crates/hf-api/src`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// `(python method, hub-protocol.md section)`, in the order of §4.0.
const SPEC: &[(&str, &str)] = &[
    ("run_as_future", "4.0"),
    ("whoami", "4.1"),
    ("get_token_permission", "4.1"),
    ("auth_check", "4.1"),
    ("get_model_tags", "4.2"),
    ("get_dataset_tags", "4.2"),
    ("list_metrics", "4.2"),
    ("list_models", "4.3"),
    ("list_datasets", "4.3"),
    ("list_spaces", "4.3"),
    ("model_info", "4.4"),
    ("dataset_info", "4.4"),
    ("space_info", "4.4"),
    ("repo_info", "4.4"),
    ("repo_exists", "4.4"),
    ("revision_exists", "4.4"),
    ("file_exists", "4.4"),
    ("list_repo_files", "4.5"),
    ("list_repo_tree", "4.5"),
    ("get_paths_info", "4.5"),
    ("get_hf_file_metadata", "5.2"),
    ("list_repo_refs", "4.6"),
    ("list_repo_commits", "4.6"),
    ("create_branch", "4.6"),
    ("delete_branch", "4.6"),
    ("create_tag", "4.6"),
    ("delete_tag", "4.6"),
    ("super_squash_history", "4.6"),
    ("create_repo", "4.7"),
    ("delete_repo", "4.7"),
    ("update_repo_visibility", "4.7"),
    ("update_repo_settings", "4.7"),
    ("move_repo", "4.7"),
    ("get_full_repo_name", "4.7"),
    ("create_commit", "8"),
    ("preupload_lfs_files", "8"),
    ("upload_file", "8.7"),
    ("upload_folder", "8.7"),
    ("delete_file", "8.7"),
    ("delete_files", "8.7"),
    ("delete_folder", "8.7"),
    ("create_commits_on_pr", "8.11"),
    ("upload_large_folder", "8.9"),
    ("hf_hub_download", "5"),
    ("snapshot_download", "5.7"),
    ("get_safetensors_metadata", "9.2"),
    ("parse_safetensors_file_metadata", "9.1"),
    ("like", "4.8"),
    ("unlike", "4.8"),
    ("list_liked_repos", "4.8"),
    ("list_repo_likers", "4.8"),
    ("get_user_overview", "4.8"),
    ("list_organization_members", "4.8"),
    ("list_user_followers", "4.8"),
    ("list_user_following", "4.8"),
    ("get_repo_discussions", "4.9"),
    ("get_discussion_details", "4.9"),
    ("create_discussion", "4.9"),
    ("create_pull_request", "4.9"),
    ("comment_discussion", "4.9"),
    ("rename_discussion", "4.9"),
    ("change_discussion_status", "4.9"),
    ("merge_pull_request", "4.9"),
    ("edit_discussion_comment", "4.9"),
    ("hide_discussion_comment", "4.9"),
    ("add_space_secret", "4.13"),
    ("delete_space_secret", "4.13"),
    ("get_space_variables", "4.13"),
    ("add_space_variable", "4.13"),
    ("delete_space_variable", "4.13"),
    ("get_space_runtime", "4.13"),
    ("request_space_hardware", "4.13"),
    ("set_space_sleep_time", "4.13"),
    ("pause_space", "4.13"),
    ("restart_space", "4.13"),
    ("duplicate_space", "4.13"),
    ("request_space_storage", "4.13"),
    ("delete_space_storage", "4.13"),
    ("list_inference_endpoints", "4.14"),
    ("create_inference_endpoint", "4.14"),
    ("get_inference_endpoint", "4.14"),
    ("update_inference_endpoint", "4.14"),
    ("delete_inference_endpoint", "4.14"),
    ("pause_inference_endpoint", "4.14"),
    ("resume_inference_endpoint", "4.14"),
    ("scale_to_zero_inference_endpoint", "4.14"),
    ("list_collections", "4.10"),
    ("get_collection", "4.10"),
    ("create_collection", "4.10"),
    ("update_collection_metadata", "4.10"),
    ("delete_collection", "4.10"),
    ("add_collection_item", "4.10"),
    ("update_collection_item", "4.10"),
    ("delete_collection_item", "4.10"),
    ("list_pending_access_requests", "4.12"),
    ("list_accepted_access_requests", "4.12"),
    ("list_rejected_access_requests", "4.12"),
    ("cancel_access_request", "4.12"),
    ("accept_access_request", "4.12"),
    ("reject_access_request", "4.12"),
    ("grant_access", "4.12"),
    ("get_webhook", "4.15"),
    ("list_webhooks", "4.15"),
    ("create_webhook", "4.15"),
    ("update_webhook", "4.15"),
    ("enable_webhook", "4.15"),
    ("disable_webhook", "4.15"),
    ("delete_webhook", "4.15"),
    ("list_papers", "4.11"),
    ("paper_info", "4.11"),
];

/// Spec methods implemented under another name: `(python, rust, what it is)`.
const RENAMED: &[(&str, &str, &str)] = &[(
    "run_as_future",
    "background",
    "a `BackgroundQueue`: jobs run one at a time in the order spawned, each `spawn` hands back a handle to await (async only, as it needs a tokio runtime; a lone request future can also be `tokio::spawn`ed)",
)];

/// Spec methods deliberately without a Rust method, and why.
const NOT_NEEDED: &[(&str, &str)] = &[];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `method -> file` for every `pub fn` directly inside an `impl HfApi {` block.
fn rust_methods() -> BTreeMap<String, String> {
    let src = crate_dir().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut out = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let rel = file
            .strip_prefix(crate_dir())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let mut inside = false;
        for line in text.lines() {
            if line == "impl HfApi {" {
                inside = true;
            } else if inside && line == "}" {
                inside = false;
            } else if inside && let Some(rest) = line.strip_prefix("    pub fn ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.entry(name).or_insert_with(|| rel.clone());
            }
        }
    }
    out
}

/// The Rust method (and a note when it has another name) implementing `python`, if any.
fn rust_name(
    python: &'static str,
    methods: &BTreeMap<String, String>,
) -> Option<(&'static str, &'static str)> {
    match RENAMED.iter().find(|(p, _, _)| *p == python) {
        Some((_, rust, note)) => Some((*rust, *note)),
        None => Some((python, "")),
    }
    .filter(|(rust, _)| methods.contains_key(*rust))
}

fn render() -> String {
    let methods = rust_methods();
    let rust_name = |python: &'static str| rust_name(python, &methods);
    let done = SPEC.iter().filter(|(m, _)| rust_name(m).is_some()).count();
    let mut md = String::new();
    md.push_str("# API coverage\n\n");
    md.push_str(
        "<!-- GENERATED by crates/hf-api/tests/it/api_coverage.rs; do not edit. Regenerate with\n     UPDATE_API_COVERAGE=1 cargo test -p hf-api --test it api_coverage -->\n\n",
    );
    let _ = write!(
        md,
        "Every public method of the Python client's `HfApi` (0.26.5, hub-protocol.md §4.0) and the \
         `hf_api::HfApi` method implementing it: {done} of {} implemented. Each one is also \
         available in the blocking mirror (`hf_api::blocking::HfApi`, `.send()` / `.iter()`).\n\n",
        SPEC.len()
    );
    md.push_str("| Python method | spec § | Rust | source |\n|---|---|---|---|\n");
    for (name, section) in SPEC {
        match rust_name(name) {
            Some((rust, note)) => {
                let note = if note.is_empty() {
                    String::new()
                } else {
                    format!(": {note}")
                };
                let _ = writeln!(
                    md,
                    "| `{name}` | {section} | `HfApi::{rust}`{note} | `crates/hf-api/{}` |",
                    methods[rust]
                );
            }
            None => match NOT_NEEDED.iter().find(|(m, _)| m == name) {
                Some((_, why)) => {
                    let _ = writeln!(md, "| `{name}` | {section} | {why} | |");
                }
                None => {
                    let _ = writeln!(md, "| `{name}` | {section} | missing | |");
                }
            },
        }
    }
    md
}

#[test]
fn api_coverage_doc_is_up_to_date() {
    let path = crate_dir().join("../../docs/api-coverage.md");
    let want = render();
    if std::env::var_os("UPDATE_API_COVERAGE").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/api-coverage.md is stale: run `UPDATE_API_COVERAGE=1 cargo test -p hf-api --test it api_coverage` and commit it"
    );
}

#[test]
fn coverage_scan_finds_this_crates_methods() {
    let methods = rust_methods();
    for m in [
        "whoami",
        "model_info",
        "list_models",
        "get_safetensors_metadata",
    ] {
        assert!(methods.contains_key(m), "{m} not found by the scan");
    }
}
