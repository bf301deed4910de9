//! The Rust and Python clients read the same emulator state and must agree.
//!
//! Runs only when `HF_INTEROP_PYTHON` names a Python with `huggingface_hub` 0.26.5
//! (`cargo xtask ci` sets it, and sets `HF_INTEROP_REQUIRED`, in which case a missing
//! interpreter fails the test instead of skipping it). The Python side is one process
//! running the script below with `HF_ENDPOINT` set to the in-process emulator; it prints,
//! for each call, a JSON projection of the result (ids, shas, sizes, paths, refs, commit
//! ids) or the name of the exception; the Rust side builds the same projection.

use std::path::Path;

use futures_util::TryStreamExt;
use hf_api::{Error, HfApi, RepoInfo};
use hf_testhub::{Gated, RepoType as HubType, TestHub};
use hf_types::{
    GitCommitInfo, GitRefInfo, GitRefs, RepoSibling, RepoTreeEntry, RepoType,
    SafetensorsFileMetadata, SafetensorsRepoMetadata, User,
};
use serde_json::{Value, json};

use crate::api_support::{ALICE, BOB, client, hub, safetensors};

const SCRIPT: &str = r#"
import json, sys
from huggingface_hub import HfApi
from huggingface_hub.hf_api import RepoFile

api = HfApi()

def sib(s):
    return [s.rfilename, s.size, s.blob_id, s.lfs.sha256 if s.lfs else None]

def info(i):
    files = sorted((sib(s) for s in (i.siblings or [])), key=lambda x: x[0])
    return {"id": i.id, "sha": i.sha, "private": i.private, "files": files}

def entry(e):
    if isinstance(e, RepoFile):
        return ["file", e.path, e.size, e.blob_id, e.lfs.sha256 if e.lfs else None]
    return ["folder", e.path, e.tree_id]

def refs(r):
    f = lambda l: sorted([x.name, x.ref, x.target_commit] for x in l)
    prs = None if r.pull_requests is None else f(r.pull_requests)
    return {"branches": f(r.branches), "tags": f(r.tags), "converts": f(r.converts), "pull_requests": prs}

def st_file(m):
    return {
        "metadata": m.metadata,
        "tensors": {k: [t.dtype, list(t.shape), list(t.data_offsets)] for k, t in m.tensors.items()},
        "parameter_count": m.parameter_count,
    }

def st_repo(m):
    return {
        "metadata": m.metadata, "sharded": m.sharded, "weight_map": m.weight_map,
        "files": {k: st_file(v) for k, v in m.files_metadata.items()},
        "parameter_count": m.parameter_count,
    }

def user(u):
    return [u.username, u.fullname]

out = []
for name, kw in json.load(sys.stdin):
    try:
        r = getattr(api, name)(**kw)
        if name in ("model_info", "dataset_info", "space_info", "repo_info"):
            r = info(r)
        elif name in ("list_models", "list_datasets", "list_spaces"):
            r = [info(x) for x in r]
        elif name in ("list_repo_tree", "get_paths_info"):
            r = sorted((entry(e) for e in r), key=lambda x: x[1])
        elif name == "list_repo_files":
            r = sorted(r)
        elif name == "list_repo_refs":
            r = refs(r)
        elif name == "list_repo_commits":
            r = [[c.commit_id, c.title, c.authors] for c in r]
        elif name == "get_user_overview":
            r = user(r)
        elif name in ("list_organization_members", "list_user_followers", "list_user_following"):
            r = sorted(user(u) for u in r)
        elif name == "list_repo_likers":
            r = sorted(user(u) for u in r)
        elif name == "list_liked_repos":
            r = [r.user, r.total, r.models, r.datasets, r.spaces]
        elif name.endswith("_access_requests"):
            r = sorted([a.username, a.status] for a in r)
        elif name == "get_repo_discussions":
            r = [[d.num, d.title, d.status, d.author, d.is_pull_request] for d in r]
        elif name == "get_discussion_details":
            r = [r.num, r.title, r.status, r.author, r.is_pull_request, [e.type for e in r.events], [e.id for e in r.events]]
        elif name == "get_space_runtime":
            r = [r.stage, r.hardware, r.requested_hardware, r.sleep_time, r.storage]
        elif name == "get_space_variables":
            r = {k: [v.value, v.description] for k, v in r.items()}
        elif name == "list_papers":
            r = sorted([p.id, p.title, p.authors] for p in r)
        elif name == "paper_info":
            r = [r.id, r.title, r.authors]
        elif name == "list_webhooks":
            r = sorted([w.id, w.url, [[x.type, x.name] for x in w.watched], w.domains, w.disabled] for w in r)
        elif name == "get_collection":
            r = [r.slug, r.title, r.position, r.private, [[i.item_id, i.item_type, i.position, i.note] for i in r.items]]
        elif name == "list_collections":
            r = [[c.slug, c.title, c.position, c.private, len(c.items)] for c in r]
        elif name == "list_metrics":
            r = [[m.id, m.space_id] for m in r]
        elif name == "whoami":
            r = r["name"]
        elif name == "parse_safetensors_file_metadata":
            r = st_file(r)
        elif name == "get_safetensors_metadata":
            r = st_repo(r)
        elif isinstance(r, str):
            r = str(r)
        elif isinstance(r, dict):
            pass
        elif name in ("repo_exists", "revision_exists", "file_exists") or r is None:
            pass
        else:
            r = repr(type(r))
        out.append({"ok": r})
    except Exception as e:
        out.append({"error": type(e).__name__})
print(json.dumps(out))
"#;

/// Runs the calls in Python against `hub` with `token`; one JSON value per call.
fn run_python(python: &Path, hub: &TestHub, token: &str, calls: &[(&str, Value)]) -> Vec<Value> {
    let input = serde_json::to_vec(calls).unwrap();
    let out = crate::python_script(python, SCRIPT, &hub.url(), token, &input);
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn err_name(e: &Error) -> &'static str {
    match e {
        Error::RepositoryNotFound(_) => "RepositoryNotFoundError",
        Error::RevisionNotFound(_) => "RevisionNotFoundError",
        Error::EntryNotFound(_) => "EntryNotFoundError",
        Error::GatedRepo(_) => "GatedRepoError",
        Error::NotASafetensorsRepo { .. } => "NotASafetensorsRepoError",
        Error::SafetensorsParsing { .. } => "SafetensorsParsingError",
        _ => "HfHubHTTPError",
    }
}

fn wrap<T>(r: Result<T, Error>, f: impl FnOnce(T) -> Value) -> Value {
    match r {
        Ok(v) => json!({ "ok": f(v) }),
        Err(e) => json!({ "error": err_name(&e) }),
    }
}

fn sib(s: &RepoSibling) -> Value {
    json!([
        s.rfilename,
        s.size,
        s.blob_id,
        s.lfs.as_ref().map(|l| &l.sha256)
    ])
}

fn info_proj(
    id: &str,
    sha: Option<&hf_types::CommitOid>,
    private: Option<bool>,
    sibs: Option<&[RepoSibling]>,
) -> Value {
    let mut files: Vec<&RepoSibling> = sibs.unwrap_or_default().iter().collect();
    files.sort_by(|a, b| a.rfilename.cmp(&b.rfilename));
    json!({
        "id": id,
        "sha": sha.map(ToString::to_string),
        "private": private,
        "files": files.into_iter().map(sib).collect::<Vec<_>>(),
    })
}

fn repo_info_proj(i: &RepoInfo) -> Value {
    let private = match i {
        RepoInfo::Model(m) => m.private,
        RepoInfo::Dataset(d) => d.private,
        RepoInfo::Space(s) => s.private,
        _ => None,
    };
    info_proj(i.id(), i.sha(), private, i.siblings())
}

fn entries_proj(mut v: Vec<RepoTreeEntry>) -> Value {
    v.sort_by(|a, b| a.path().cmp(b.path()));
    Value::Array(
        v.iter()
            .map(|e| match e {
                RepoTreeEntry::File(f) => json!([
                    "file",
                    f.path,
                    f.size,
                    f.blob_id,
                    f.lfs.as_ref().map(|l| &l.sha256)
                ]),
                RepoTreeEntry::Folder(d) => json!(["folder", d.path, d.tree_id]),
            })
            .collect(),
    )
}

fn refs_proj(r: &GitRefs) -> Value {
    let f = |l: &[GitRefInfo]| {
        let mut v: Vec<Value> = l
            .iter()
            .map(|x| json!([x.name, x.git_ref, x.target_commit.to_string()]))
            .collect();
        v.sort_by_key(ToString::to_string);
        v
    };
    json!({
        "branches": f(&r.branches),
        "tags": f(&r.tags),
        "converts": f(&r.converts),
        "pull_requests": r.pull_requests.as_deref().map(f),
    })
}

fn commits_proj(v: Vec<GitCommitInfo>) -> Value {
    Value::Array(
        v.iter()
            .map(|c| {
                json!([
                    c.id.to_string(),
                    c.title,
                    c.authors.iter().map(|a| a.user.clone()).collect::<Vec<_>>()
                ])
            })
            .collect(),
    )
}

fn discussions_proj(v: Vec<hf_types::Discussion>) -> Value {
    Value::Array(
        v.iter()
            .map(|d| {
                json!([
                    d.num,
                    d.title,
                    d.status.as_str(),
                    d.author_name(),
                    d.is_pull_request
                ])
            })
            .collect(),
    )
}

fn papers_proj(v: Vec<hf_types::PaperInfo>) -> Value {
    let mut out: Vec<Value> = v
        .iter()
        .map(|p| json!([p.paper_id(), p.title, p.author_names()]))
        .collect();
    out.sort_by_key(ToString::to_string);
    Value::Array(out)
}

fn likes_proj(l: hf_types::UserLikes) -> Value {
    json!([l.user, l.total, l.models, l.datasets, l.spaces])
}

fn user_proj(u: &User) -> Value {
    json!([
        u.username.clone().unwrap_or_default(),
        u.fullname.clone().unwrap_or_default()
    ])
}

fn users_proj(v: Vec<User>) -> Value {
    let mut out: Vec<Value> = v.iter().map(user_proj).collect();
    out.sort_by_key(ToString::to_string);
    Value::Array(out)
}

fn st_file(m: &SafetensorsFileMetadata) -> Value {
    let tensors: serde_json::Map<String, Value> = m
        .tensors
        .iter()
        .map(|(k, t)| {
            (
                k.clone(),
                json!([t.dtype, t.shape, [t.data_offsets.0, t.data_offsets.1]]),
            )
        })
        .collect();
    json!({"metadata": m.metadata, "tensors": tensors, "parameter_count": m.parameter_count()})
}

fn st_repo(m: &SafetensorsRepoMetadata) -> Value {
    let files: serde_json::Map<String, Value> = m
        .files_metadata
        .iter()
        .map(|(k, v)| (k.clone(), st_file(v)))
        .collect();
    json!({
        "metadata": m.metadata, "sharded": m.sharded, "weight_map": m.weight_map,
        "files": files, "parameter_count": m.parameter_count(),
    })
}

/// The shared state: public repos of alice with files (one LFS), branches, tags,
/// a gated repo, a dataset, a Space, safetensors files and an organization.
async fn seeded() -> (TestHub, String) {
    let hub = hub(2).await;
    let first = hub.create_repo(HubType::Model, "alice/m", false).unwrap();
    for (p, c) in [
        ("a.txt", &b"a"[..]),
        ("dir/b c.txt", b"bc"),
        ("dir/sub/d.txt", b"d"),
    ] {
        hub.upload_file(HubType::Model, "alice/m", "main", p, c)
            .unwrap();
    }
    hub.upload_file(HubType::Model, "alice/m", "main", "w.bin", &[9u8; 2048])
        .unwrap();
    hub.set_repo_tags(HubType::Model, "alice/m", &["pytorch"])
        .unwrap();
    hub.create_repo(HubType::Model, "alice/gated", false)
        .unwrap();
    hub.upload_file(HubType::Model, "alice/gated", "main", "f", b"x")
        .unwrap();
    hub.set_gated(HubType::Model, "alice/gated", Gated::Manual)
        .unwrap();
    hub.create_repo(HubType::Model, "alice/st", false).unwrap();
    hub.upload_file(
        HubType::Model,
        "alice/st",
        "main",
        "model.safetensors",
        &safetensors(&[("w", "F16", &[4, 4]), ("b", "F32", &[4])], Some("meta")),
    )
    .unwrap();
    hub.create_repo(HubType::Dataset, "alice/d", false).unwrap();
    hub.upload_file(HubType::Dataset, "alice/d", "main", "data.csv", b"x,y\n")
        .unwrap();
    hub.create_repo(HubType::Space, "alice/s", false).unwrap();
    hub.add_user("carol");
    hub.add_org("acme", &["alice", "bob", "carol"]);
    let api = client(&hub, Some(ALICE));
    api.create_branch("alice/m", "dev")
        .revision(&first)
        .await
        .unwrap();
    api.create_tag("alice/m", "v1").await.unwrap();
    let bob = client(&hub, Some(BOB));
    bob.like("alice/m").await.unwrap();
    bob.like("alice/d")
        .repo_type(RepoType::Dataset)
        .await
        .unwrap();
    api.like("alice/m").await.unwrap();
    bob.create_discussion("alice/m", "A question")
        .description("how?")
        .await
        .unwrap();
    bob.create_pull_request("alice/m", "A change")
        .await
        .unwrap();
    api.comment_discussion("alice/m", 1, "like this")
        .await
        .unwrap();
    api.rename_discussion("alice/m", 1, "A usage question")
        .await
        .unwrap();
    api.add_space_variable("alice/s", "MODEL", "gpt2")
        .description("which")
        .await
        .unwrap();
    api.set_space_sleep_time("alice/s", 600).await.unwrap();
    hub.add_paper("2401.00001", "Tiny transformers", "small", &["Ada", "Alan"]);
    hub.add_paper("2401.00002", "Big diffusion", "large", &["Grace"]);
    bob.create_webhook(
        "https://example.com/hook",
        [hf_types::WebhookWatchedItem::new(
            hf_types::WebhookWatchedType::Model,
            "alice/m",
        )],
    )
    .await
    .unwrap();
    (hub, first)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_and_python_clients_agree_on_reads() {
    let Some(py) = crate::interop_python("Python comparison") else {
        return;
    };
    let (hub, first) = seeded().await;
    let api: HfApi = client(&hub, Some(BOB));
    let alice = client(&hub, Some(ALICE));
    let coll = alice.create_collection("Picks").await.unwrap();
    alice
        .add_collection_item(&coll.slug, "alice/m", hf_types::CollectionItemType::Model)
        .note("first")
        .await
        .unwrap();
    alice
        .add_collection_item(&coll.slug, "alice/d", hf_types::CollectionItemType::Dataset)
        .await
        .unwrap();
    alice.create_collection("More").await.unwrap();

    let calls: Vec<(&str, Value)> = vec![
        (
            "model_info",
            json!({"repo_id": "alice/m", "files_metadata": true}),
        ),
        (
            "model_info",
            json!({"repo_id": "alice/m", "revision": first}),
        ),
        ("model_info", json!({"repo_id": "alice/none"})),
        (
            "model_info",
            json!({"repo_id": "alice/m", "revision": "nope"}),
        ),
        (
            "dataset_info",
            json!({"repo_id": "alice/d", "files_metadata": true}),
        ),
        ("space_info", json!({"repo_id": "alice/s"})),
        (
            "repo_info",
            json!({"repo_id": "alice/d", "repo_type": "dataset"}),
        ),
        ("repo_exists", json!({"repo_id": "alice/gated"})),
        ("repo_exists", json!({"repo_id": "alice/none"})),
        (
            "revision_exists",
            json!({"repo_id": "alice/m", "revision": "dev"}),
        ),
        (
            "revision_exists",
            json!({"repo_id": "alice/m", "revision": "nope"}),
        ),
        (
            "file_exists",
            json!({"repo_id": "alice/m", "filename": "dir/b c.txt"}),
        ),
        (
            "file_exists",
            json!({"repo_id": "alice/m", "filename": "w.bin"}),
        ),
        (
            "file_exists",
            json!({"repo_id": "alice/m", "filename": "missing"}),
        ),
        (
            "file_exists",
            json!({"repo_id": "alice/gated", "filename": "f"}),
        ),
        ("list_repo_files", json!({"repo_id": "alice/m"})),
        (
            "list_repo_files",
            json!({"repo_id": "alice/m", "revision": "dev"}),
        ),
        (
            "list_repo_tree",
            json!({"repo_id": "alice/m", "recursive": true}),
        ),
        (
            "list_repo_tree",
            json!({"repo_id": "alice/m", "path_in_repo": "dir"}),
        ),
        (
            "get_paths_info",
            json!({"repo_id": "alice/m", "paths": ["a.txt", "dir", "missing", "w.bin"]}),
        ),
        (
            "list_repo_refs",
            json!({"repo_id": "alice/m", "include_pull_requests": true}),
        ),
        ("list_repo_commits", json!({"repo_id": "alice/m"})),
        ("list_models", json!({"author": "alice"})),
        (
            "list_models",
            json!({"search": "a", "limit": 3, "sort": "last_modified", "direction": -1}),
        ),
        ("list_models", json!({"filter": "pytorch", "full": true})),
        ("list_datasets", json!({})),
        ("list_spaces", json!({})),
        ("whoami", json!({})),
        ("get_token_permission", json!({})),
        ("get_user_overview", json!({"username": "alice"})),
        ("list_organization_members", json!({"organization": "acme"})),
        ("list_user_followers", json!({"username": "alice"})),
        ("auth_check", json!({"repo_id": "alice/gated"})),
        ("auth_check", json!({"repo_id": "alice/m"})),
        ("get_full_repo_name", json!({"model_id": "x"})),
        (
            "parse_safetensors_file_metadata",
            json!({"repo_id": "alice/st", "filename": "model.safetensors"}),
        ),
        ("get_safetensors_metadata", json!({"repo_id": "alice/st"})),
        ("get_safetensors_metadata", json!({"repo_id": "alice/m"})),
        ("list_liked_repos", json!({})),
        ("list_liked_repos", json!({"user": "alice"})),
        ("list_repo_likers", json!({"repo_id": "alice/m"})),
        ("get_model_tags", json!({})),
        ("get_dataset_tags", json!({})),
        ("list_metrics", json!({})),
        ("get_repo_discussions", json!({"repo_id": "alice/m"})),
        (
            "get_repo_discussions",
            json!({"repo_id": "alice/m", "discussion_type": "pull_request"}),
        ),
        (
            "get_discussion_details",
            json!({"repo_id": "alice/m", "discussion_num": 1}),
        ),
        ("get_space_runtime", json!({"repo_id": "alice/s"})),
        ("get_space_variables", json!({"repo_id": "alice/s"})),
        ("list_papers", json!({"query": "transformers"})),
        ("list_papers", json!({})),
        ("paper_info", json!({"id": "2401.00002"})),
        ("list_webhooks", json!({})),
        ("get_collection", json!({"collection_slug": coll.slug})),
        ("list_collections", json!({"owner": "alice"})),
    ];
    let python_results = tokio::task::block_in_place(|| run_python(&py, &hub, BOB, &calls));

    let models = |v: Vec<hf_types::ModelInfo>| {
        Value::Array(
            v.iter()
                .map(|m| info_proj(&m.id, m.sha.as_ref(), m.private, m.siblings.as_deref()))
                .collect(),
        )
    };
    let rust_results = vec![
        wrap(api.model_info("alice/m").files_metadata(true).await, |m| {
            info_proj(&m.id, m.sha.as_ref(), m.private, m.siblings.as_deref())
        }),
        wrap(api.model_info("alice/m").revision(&first).await, |m| {
            info_proj(&m.id, m.sha.as_ref(), m.private, m.siblings.as_deref())
        }),
        wrap(api.model_info("alice/none").await, |_| Value::Null),
        wrap(api.model_info("alice/m").revision("nope").await, |_| {
            Value::Null
        }),
        wrap(
            api.dataset_info("alice/d").files_metadata(true).await,
            |d| info_proj(&d.id, d.sha.as_ref(), d.private, d.siblings.as_deref()),
        ),
        wrap(api.space_info("alice/s").await, |s| {
            info_proj(&s.id, s.sha.as_ref(), s.private, s.siblings.as_deref())
        }),
        wrap(
            api.repo_info("alice/d").repo_type(RepoType::Dataset).await,
            |i| repo_info_proj(&i),
        ),
        wrap(api.repo_exists("alice/gated").await, |b| json!(b)),
        wrap(api.repo_exists("alice/none").await, |b| json!(b)),
        wrap(api.revision_exists("alice/m", "dev").await, |b| json!(b)),
        wrap(api.revision_exists("alice/m", "nope").await, |b| json!(b)),
        wrap(api.file_exists("alice/m", "dir/b c.txt").await, |b| {
            json!(b)
        }),
        wrap(api.file_exists("alice/m", "w.bin").await, |b| json!(b)),
        wrap(api.file_exists("alice/m", "missing").await, |b| json!(b)),
        wrap(api.file_exists("alice/gated", "f").await, |b| json!(b)),
        wrap(
            api.list_repo_files("alice/m").try_collect::<Vec<_>>().await,
            |mut v| {
                v.sort();
                json!(v)
            },
        ),
        wrap(
            api.list_repo_files("alice/m")
                .revision("dev")
                .try_collect::<Vec<_>>()
                .await,
            |mut v| {
                v.sort();
                json!(v)
            },
        ),
        wrap(
            api.list_repo_tree("alice/m")
                .recursive(true)
                .try_collect()
                .await,
            entries_proj,
        ),
        wrap(
            api.list_repo_tree("alice/m")
                .path_in_repo("dir")
                .try_collect()
                .await,
            entries_proj,
        ),
        wrap(
            api.get_paths_info("alice/m", ["a.txt", "dir", "missing", "w.bin"])
                .await,
            entries_proj,
        ),
        wrap(
            api.list_repo_refs("alice/m")
                .include_pull_requests(true)
                .await,
            |r| refs_proj(&r),
        ),
        wrap(
            api.list_repo_commits("alice/m").try_collect().await,
            commits_proj,
        ),
        wrap(
            api.list_models().author("alice").try_collect().await,
            models,
        ),
        wrap(
            api.list_models()
                .search("a")
                .limit(3)
                .sort("last_modified")
                .direction(-1)
                .try_collect()
                .await,
            models,
        ),
        wrap(
            api.list_models()
                .filter(["pytorch"])
                .full(true)
                .try_collect()
                .await,
            models,
        ),
        wrap(api.list_datasets().try_collect::<Vec<_>>().await, |v| {
            Value::Array(
                v.iter()
                    .map(|d| info_proj(&d.id, d.sha.as_ref(), d.private, d.siblings.as_deref()))
                    .collect(),
            )
        }),
        wrap(api.list_spaces().try_collect::<Vec<_>>().await, |v| {
            Value::Array(
                v.iter()
                    .map(|s| info_proj(&s.id, s.sha.as_ref(), s.private, s.siblings.as_deref()))
                    .collect(),
            )
        }),
        wrap(api.whoami().await, |w| json!(w.name)),
        wrap(api.get_token_permission().await, |r| {
            json!(r.map(|r| r.as_str().to_owned()))
        }),
        wrap(api.get_user_overview("alice").await, |u| user_proj(&u)),
        wrap(
            api.list_organization_members("acme").try_collect().await,
            users_proj,
        ),
        wrap(
            api.list_user_followers("alice").try_collect().await,
            users_proj,
        ),
        wrap(api.auth_check("alice/gated").await, |()| Value::Null),
        wrap(api.auth_check("alice/m").await, |()| Value::Null),
        wrap(api.get_full_repo_name("x").await, |n| json!(n)),
        wrap(
            api.parse_safetensors_file_metadata("alice/st", "model.safetensors")
                .await,
            |m| st_file(&m),
        ),
        wrap(api.get_safetensors_metadata("alice/st").await, |m| {
            st_repo(&m)
        }),
        wrap(api.get_safetensors_metadata("alice/m").await, |m| {
            st_repo(&m)
        }),
        wrap(api.list_liked_repos().await, likes_proj),
        wrap(api.list_liked_repos().user("alice").await, likes_proj),
        wrap(
            api.list_repo_likers("alice/m")
                .try_collect::<Vec<_>>()
                .await,
            |v| {
                let mut out: Vec<Value> = v
                    .iter()
                    .map(|l| json!([l.user, l.fullname.clone().unwrap_or_default()]))
                    .collect();
                out.sort_by_key(ToString::to_string);
                Value::Array(out)
            },
        ),
        wrap(api.get_model_tags().await, Value::Object),
        wrap(api.get_dataset_tags().await, Value::Object),
        wrap(api.list_metrics().await, |v| {
            Value::Array(v.iter().map(|m| json!([m.id, m.space_id])).collect())
        }),
        wrap(
            api.get_repo_discussions("alice/m").try_collect().await,
            discussions_proj,
        ),
        wrap(
            api.get_repo_discussions("alice/m")
                .discussion_type(hf_api::api::discussions::DiscussionType::PullRequest)
                .try_collect()
                .await,
            discussions_proj,
        ),
        wrap(api.get_discussion_details("alice/m", 1).await, |d| {
            let kinds: Vec<&str> = d
                .events
                .iter()
                .map(|e| match &e.kind {
                    hf_types::DiscussionEventKind::Comment(_) => "comment",
                    hf_types::DiscussionEventKind::StatusChange(_) => "status-change",
                    hf_types::DiscussionEventKind::TitleChange(_) => "title-change",
                    hf_types::DiscussionEventKind::Commit(_) => "commit",
                    hf_types::DiscussionEventKind::Other { event_type, .. } => event_type,
                    _ => "?",
                })
                .collect();
            let ids: Vec<&str> = d.events.iter().map(|e| e.id.as_str()).collect();
            let x = &d.discussion;
            json!([
                x.num,
                x.title,
                x.status.as_str(),
                x.author_name(),
                x.is_pull_request,
                kinds,
                ids
            ])
        }),
        wrap(api.get_space_runtime("alice/s").await, |r| {
            let hw = r.hardware.unwrap_or_default();
            json!([
                r.stage.as_str(),
                hw.current.map(|h| h.as_str().to_owned()),
                hw.requested.map(|h| h.as_str().to_owned()),
                r.gc_timeout,
                r.storage.map(|s| s.as_str().to_owned())
            ])
        }),
        wrap(api.get_space_variables("alice/s").await, |v| {
            let m: serde_json::Map<String, Value> = v
                .into_iter()
                .map(|(k, v)| (k, json!([v.value, v.description])))
                .collect();
            Value::Object(m)
        }),
        wrap(api.list_papers().query("transformers").await, papers_proj),
        wrap(api.list_papers().await, papers_proj),
        wrap(api.paper_info("2401.00002").await, |p| {
            json!([p.paper_id(), p.title, p.author_names()])
        }),
        wrap(api.list_webhooks().await, |v| {
            let mut out: Vec<Value> = v
                .iter()
                .map(|w| {
                    let watched: Vec<Value> = w
                        .watched
                        .iter()
                        .map(|x| json!([x.item_type.as_str(), x.name]))
                        .collect();
                    let domains: Vec<&str> = w
                        .domains
                        .iter()
                        .map(hf_types::WebhookDomain::as_str)
                        .collect();
                    json!([w.id, w.url, watched, domains, w.disabled])
                })
                .collect();
            out.sort_by_key(ToString::to_string);
            Value::Array(out)
        }),
        wrap(api.get_collection(&coll.slug).await, |c| {
            let items: Vec<Value> = c
                .items
                .iter()
                .map(|i| {
                    json!([
                        i.item_id,
                        i.item_type.as_str(),
                        i.position,
                        i.note.as_ref().map(|n| n.text.clone())
                    ])
                })
                .collect();
            json!([c.slug, c.title, c.position, c.private, items])
        }),
        wrap(
            api.list_collections()
                .owner(["alice"])
                .try_collect::<Vec<_>>()
                .await,
            |v| {
                Value::Array(
                    v.iter()
                        .map(|c| json!([c.slug, c.title, c.position, c.private, c.items.len()]))
                        .collect(),
                )
            },
        ),
    ];
    assert_eq!(rust_results.len(), calls.len());
    assert_eq!(python_results.len(), calls.len());
    // a sanity check that the comparison is not vacuous
    assert_eq!(python_results[15]["ok"][0], ".gitattributes");
    assert_eq!(python_results[2]["error"], "RepositoryNotFoundError");
    let by_name = |name: &str| -> Vec<&Value> {
        calls
            .iter()
            .zip(&python_results)
            .filter(|(c, _)| c.0 == name)
            .map(|(_, r)| &r["ok"])
            .collect()
    };
    assert_eq!(by_name("get_space_variables")[0]["MODEL"][0], "gpt2");
    assert_eq!(by_name("get_space_runtime")[0][3], 600);
    assert_eq!(by_name("paper_info")[0][1], "Big diffusion");
    assert_eq!(
        by_name("list_webhooks")[0].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        by_name("get_repo_discussions")[0].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(by_name("list_liked_repos")[0][1], 2);
    assert_eq!(by_name("get_collection")[0][4][0][3], "first");
    assert_eq!(
        by_name("list_collections")[0].as_array().map(Vec::len),
        Some(2)
    );
    let errors: Vec<&Value> = python_results
        .iter()
        .filter_map(|v| v.get("error"))
        .collect();
    assert_eq!(
        errors,
        [
            "RepositoryNotFoundError",
            "RevisionNotFoundError",
            "GatedRepoError",
            "GatedRepoError",
            "NotASafetensorsRepoError"
        ],
        "only the calls meant to fail fail: {:?}",
        calls
            .iter()
            .zip(&python_results)
            .filter(|(_, r)| r.get("error").is_some())
            .map(|(c, _)| c.0)
            .collect::<Vec<_>>()
    );
    for ((call, py), rs) in calls.iter().zip(&python_results).zip(&rust_results) {
        assert_eq!(rs, py, "{call:?}: Rust (left) and Python (right) disagree");
    }
}

/// The same mutations, applied by each client to its own repo of the same emulator,
/// give the same results and errors (repo names are replaced by `R` and `R2`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_and_python_clients_agree_on_mutations() {
    let Some(py) = crate::interop_python("Python comparison") else {
        return;
    };
    let hub = hub(2).await;
    let calls = |r: &str, r2: &str| -> Vec<(&'static str, Value)> {
        vec![
            ("create_repo", json!({"repo_id": r})),
            ("create_repo", json!({"repo_id": r})),
            ("create_repo", json!({"repo_id": r, "exist_ok": true})),
            (
                "create_repo",
                json!({"repo_id": format!("{r}-d"), "repo_type": "dataset", "private": true}),
            ),
            ("create_branch", json!({"repo_id": r, "branch": "dev"})),
            ("create_branch", json!({"repo_id": r, "branch": "dev"})),
            (
                "create_branch",
                json!({"repo_id": r, "branch": "dev", "exist_ok": true}),
            ),
            (
                "create_branch",
                json!({"repo_id": r, "branch": "x", "revision": "nope"}),
            ),
            (
                "create_tag",
                json!({"repo_id": r, "tag": "v1", "tag_message": "m"}),
            ),
            ("create_tag", json!({"repo_id": r, "tag": "v1"})),
            (
                "create_tag",
                json!({"repo_id": r, "tag": "v1", "exist_ok": true}),
            ),
            ("revision_exists", json!({"repo_id": r, "revision": "dev"})),
            ("revision_exists", json!({"repo_id": r, "revision": "v1"})),
            ("delete_tag", json!({"repo_id": r, "tag": "v1"})),
            ("delete_branch", json!({"repo_id": r, "branch": "dev"})),
            ("revision_exists", json!({"repo_id": r, "revision": "dev"})),
            (
                "update_repo_settings",
                json!({"repo_id": r, "gated": "auto"}),
            ),
            (
                "update_repo_settings",
                json!({"repo_id": r, "private": true, "gated": false}),
            ),
            ("super_squash_history", json!({"repo_id": r})),
            ("move_repo", json!({"from_id": r, "to_id": r2})),
            ("repo_exists", json!({"repo_id": r2})),
            ("delete_repo", json!({"repo_id": r2})),
            ("delete_repo", json!({"repo_id": r2})),
            ("delete_repo", json!({"repo_id": r2, "missing_ok": true})),
        ]
    };
    let py_calls = calls("bob/py", "bob/py2");
    let py_out = tokio::task::block_in_place(|| run_python(&py, &hub, BOB, &py_calls));

    let api = client(&hub, Some(BOB));
    let (r, r2) = ("bob/rs", "bob/rs2");
    let unit = |(): ()| Value::Null;
    let url = |u: hf_types::RepoUrl| json!(u.url());
    let flag = |b: bool| json!(b);
    let rs_out = vec![
        wrap(api.create_repo(r).await, url),
        wrap(api.create_repo(r).await, url),
        wrap(api.create_repo(r).exist_ok(true).await, url),
        wrap(
            api.create_repo(&format!("{r}-d"))
                .repo_type(RepoType::Dataset)
                .private(true)
                .await,
            url,
        ),
        wrap(api.create_branch(r, "dev").await, unit),
        wrap(api.create_branch(r, "dev").await, unit),
        wrap(api.create_branch(r, "dev").exist_ok(true).await, unit),
        wrap(api.create_branch(r, "x").revision("nope").await, unit),
        wrap(api.create_tag(r, "v1").tag_message("m").await, unit),
        wrap(api.create_tag(r, "v1").await, unit),
        wrap(api.create_tag(r, "v1").exist_ok(true).await, unit),
        wrap(api.revision_exists(r, "dev").await, flag),
        wrap(api.revision_exists(r, "v1").await, flag),
        wrap(api.delete_tag(r, "v1").await, unit),
        wrap(api.delete_branch(r, "dev").await, unit),
        wrap(api.revision_exists(r, "dev").await, flag),
        wrap(
            api.update_repo_settings(r)
                .gated(hf_types::GatedMode::Auto)
                .await,
            unit,
        ),
        wrap(
            api.update_repo_settings(r)
                .private(true)
                .gated(hf_types::GatedMode::Off)
                .await,
            unit,
        ),
        wrap(api.super_squash_history(r).await, unit),
        wrap(api.move_repo(r, r2).await, unit),
        wrap(api.repo_exists(r2).await, flag),
        wrap(api.delete_repo(r2).await, unit),
        wrap(api.delete_repo(r2).await, unit),
        wrap(api.delete_repo(r2).missing_ok(true).await, unit),
    ];
    assert_eq!(py_out.len(), rs_out.len());
    assert!(py_out[1].get("error").is_some(), "{py_out:?}");
    assert_eq!(py_out[20]["ok"], true, "{py_out:?}");
    let norm = |v: &Value, a: &str, b: &str| {
        Value::from(
            v.to_string()
                .replace(&format!("{a}\""), "R\"")
                .replace(&format!("{a}-d"), "R-d")
                .replace(b, "R2"),
        )
    };
    for ((call, p), r) in py_calls.iter().zip(&py_out).zip(&rs_out) {
        assert_eq!(
            norm(r, "bob/rs", "bob/rs2"),
            norm(p, "bob/py", "bob/py2"),
            "{call:?}: Rust (left) and Python (right) disagree"
        );
    }
}

/// Access requests seen by the repo owner, then handled by each client in turn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_and_python_clients_agree_on_access_requests() {
    let Some(py) = crate::interop_python("Python comparison") else {
        return;
    };
    let hub = hub(50).await;
    hub.create_repo(HubType::Model, "alice/g", false).unwrap();
    hub.set_gated(HubType::Model, "alice/g", Gated::Manual)
        .unwrap();
    for u in ["u1", "u2", "u3"] {
        hub.add_user(u);
        hub.request_access(HubType::Model, "alice/g", u).unwrap();
    }
    let api = client(&hub, Some(ALICE));
    let proj = |v: Vec<hf_types::AccessRequest>| {
        let mut out: Vec<Value> = v
            .iter()
            .map(|a| json!([a.username(), a.status.as_str()]))
            .collect();
        out.sort_by_key(ToString::to_string);
        Value::Array(out)
    };
    let read = |api: &HfApi| {
        let api = api.clone();
        async move {
            vec![
                wrap(api.list_pending_access_requests("alice/g").await, proj),
                wrap(api.list_accepted_access_requests("alice/g").await, proj),
                wrap(api.list_rejected_access_requests("alice/g").await, proj),
            ]
        }
    };
    let reads: Vec<(&str, Value)> = vec![
        (
            "list_pending_access_requests",
            json!({"repo_id": "alice/g"}),
        ),
        (
            "list_accepted_access_requests",
            json!({"repo_id": "alice/g"}),
        ),
        (
            "list_rejected_access_requests",
            json!({"repo_id": "alice/g"}),
        ),
    ];
    // Python handles u1 and u2, Rust handles u3 and re-grants u2: both read the same lists.
    let mut py_calls: Vec<(&str, Value)> = vec![
        (
            "accept_access_request",
            json!({"repo_id": "alice/g", "user": "u1"}),
        ),
        (
            "reject_access_request",
            json!({"repo_id": "alice/g", "user": "u2"}),
        ),
    ];
    py_calls.extend(reads.iter().cloned());
    let py_out = tokio::task::block_in_place(|| run_python(&py, &hub, ALICE, &py_calls));
    let rs_reads = read(&api).await;
    assert_eq!(&py_out[2..], &rs_reads[..]);
    assert_eq!(py_out[3]["ok"], json!([["u1", "accepted"]]));

    api.reject_access_request("alice/g", "u3").await.unwrap();
    api.cancel_access_request("alice/g", "u2").await.unwrap();
    let py_out = tokio::task::block_in_place(|| run_python(&py, &hub, ALICE, &reads));
    let rs_reads = read(&api).await;
    assert_eq!(py_out, rs_reads);
    assert_eq!(rs_reads[2]["ok"], json!([["u3", "rejected"]]));
}
