//! Repo info (`/api/{type}s/{id}[/revision/{rev}]`) and listings (`/api/{type}s`).

use std::sync::Arc;

use http::StatusCode;
use serde_json::{Map, Value, json};

use super::{
    Ctx, HubErr, HubResult, RepoRef, find_repo, json_response, ok_json, paginate, with_link,
};
use crate::Shared;
use crate::state::{CommitRec, HubState, Objects, Repo, RepoType};

/// A Space's runtime object (`SpaceRuntime` on the client side).
pub(crate) fn space_runtime_json(repo: &Repo) -> Value {
    let sp = &repo.space;
    let sub = repo.id.replace(['/', '_', '.'], "-").to_lowercase();
    json!({
        "stage": if sp.paused { "PAUSED" } else { "RUNNING" },
        "hardware": {
            "current": if sp.paused { Value::Null } else { json!(sp.hardware) },
            "requested": sp.hardware,
        },
        "storage": sp.storage,
        "gcTimeout": sp.sleep_time,
        "replicas": {"current": 1, "requested": 1},
        "devMode": sp.dev_mode,
        "domains": [{"domain": format!("{sub}.hf.space"), "stage": "READY"}],
    })
}

/// Siblings of a commit, with sizes and LFS details when `blobs` is set.
fn siblings(commit: &CommitRec, blobs: bool) -> Value {
    commit
        .files
        .iter()
        .map(|(path, f)| {
            let mut s = json!({"rfilename": path});
            if blobs {
                s["size"] = json!(f.size);
                s["blobId"] = json!(f.oid);
                if let Some(sha) = &f.lfs {
                    s["lfs"] =
                        json!({"size": f.size, "sha256": sha, "pointerSize": f.pointer_size()});
                }
            }
            s
        })
        .collect()
}

/// Every field the emulator knows for a repo at a commit.
fn full_json(
    objects: &Objects,
    repo: &Repo,
    commit: &CommitRec,
    blobs: bool,
) -> Map<String, Value> {
    let mut m = Map::new();
    let author = repo.namespace().to_owned();
    let used: u64 = commit.files.values().map(|f| f.size).sum();
    m.insert("_id".into(), json!(repo.object_id));
    m.insert("id".into(), json!(repo.id));
    m.insert("author".into(), json!(author));
    m.insert("sha".into(), json!(commit.id));
    m.insert("lastModified".into(), json!(commit.date));
    m.insert("createdAt".into(), json!(repo.created_at));
    m.insert("private".into(), json!(repo.private));
    m.insert("gated".into(), repo.gated.to_json());
    m.insert("disabled".into(), json!(false));
    m.insert("likes".into(), json!(repo.likes));
    m.insert("trendingScore".into(), json!(0));
    // README metadata becomes cardData, and feeds tags the way the Hub derives them.
    let card = commit
        .files
        .get("README.md")
        .filter(|f| f.lfs.is_none() && f.size < 1 << 20)
        .and_then(|f| std::fs::read(objects.blob_path(&f.oid)).ok())
        .and_then(|b| crate::state::card::card_data(&String::from_utf8_lossy(&b)));
    let mut tags = repo.tags.clone();
    if let Some(card) = &card {
        let mut add = |t: String| {
            if !tags.contains(&t) {
                tags.push(t);
            }
        };
        for key in ["library_name", "pipeline_tag"] {
            if let Some(v) = card.get(key).and_then(Value::as_str) {
                add(v.to_owned());
                if repo.repo_type == RepoType::Model {
                    m.insert(key.into(), json!(v));
                }
            }
        }
        match card.get("tags") {
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .for_each(|t| add(t.to_owned())),
            Some(Value::String(t)) => add(t.clone()),
            _ => {}
        }
        if let Some(l) = card.get("license").and_then(Value::as_str) {
            add(format!("license:{l}"));
        }
        m.insert("cardData".into(), card.clone());
    }
    m.insert("tags".into(), json!(tags));
    match repo.repo_type {
        RepoType::Model => {
            m.insert("downloads".into(), json!(repo.downloads));
            m.insert("downloadsAllTime".into(), json!(repo.downloads));
            m.insert("modelId".into(), json!(repo.id));
            m.insert("spaces".into(), json!([]));
        }
        RepoType::Kernel => {
            m.insert("downloads".into(), json!(repo.downloads));
        }
        RepoType::Dataset => {
            m.insert("downloads".into(), json!(repo.downloads));
            m.insert("downloadsAllTime".into(), json!(repo.downloads));
            m.insert("description".into(), json!(""));
            m.insert("citation".into(), json!(""));
            m.insert("paperswithcode_id".into(), Value::Null);
        }
        RepoType::Space => {
            let sub = repo.id.replace(['/', '_', '.'], "-").to_lowercase();
            m.insert("sdk".into(), json!(repo.sdk.as_deref().unwrap_or("static")));
            m.insert("subdomain".into(), json!(sub));
            m.insert("host".into(), json!(format!("https://{sub}.hf.space")));
            m.insert("runtime".into(), space_runtime_json(repo));
            m.insert("models".into(), json!([]));
            m.insert("datasets".into(), json!([]));
        }
    }
    m.insert("siblings".into(), siblings(commit, blobs));
    m.insert("usedStorage".into(), json!(used));
    m
}

/// Keeps `id`, `_id` and the requested fields.
fn expand_only(full: Map<String, Value>, expand: &[&str]) -> Value {
    let mut out = Map::new();
    for (k, v) in full {
        if k == "id" || k == "_id" || expand.contains(&k.as_str()) {
            out.insert(k, v);
        }
    }
    Value::Object(out)
}

fn expand_params(ctx: &Ctx) -> Vec<&str> {
    let mut e = ctx.q_all("expand");
    e.extend(ctx.q_all("expand[]"));
    e
}

/// `GET /api/{type}s/{id}` and `.../revision/{rev}`
pub(super) fn repo_info(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    rev: Option<&str>,
) -> HubResult {
    let st = shared.state();
    let repo = find_repo(&st, ctx, r)?;
    let rev = rev.unwrap_or("main");
    let commit = repo
        .resolve(rev)
        .ok_or_else(|| HubErr::revision_not_found(rev))?;
    let blobs = ctx.flag("blobs");
    let full = full_json(&shared.objects, repo, commit, blobs);
    let expand = expand_params(ctx);
    let mut body = if expand.is_empty() {
        Value::Object(full)
    } else {
        expand_only(full, &expand)
    };
    if ctx.flag("securityStatus") && repo.repo_type == RepoType::Model {
        body["securityRepoStatus"] = json!({"scansDone": true, "filesWithIssues": []});
    }
    ok_json(&body)
}

fn list_item(objects: &Objects, repo: &Repo, ctx: &Ctx, expand: &[&str]) -> Option<Value> {
    let head = repo.main_head()?;
    let full = full_json(objects, repo, head, false);
    // `filter` matches tags, including those derived from the README metadata.
    let tags = full.get("tags").and_then(Value::as_array);
    let tagged = |f: &str| tags.is_some_and(|t| t.iter().any(|x| x == f));
    if !ctx.q_all("filter").iter().all(|f| tagged(f)) {
        return None;
    }
    if !expand.is_empty() {
        return Some(expand_only(full, expand));
    }
    if ctx.flag("full") {
        return Some(Value::Object(full));
    }
    let keep: &[&str] = match repo.repo_type {
        RepoType::Model => &[
            "_id",
            "id",
            "likes",
            "trendingScore",
            "private",
            "downloads",
            "tags",
            "createdAt",
            "modelId",
        ],
        RepoType::Dataset | RepoType::Kernel => &[
            "_id",
            "id",
            "author",
            "sha",
            "lastModified",
            "private",
            "gated",
            "disabled",
            "likes",
            "trendingScore",
            "tags",
            "downloads",
            "createdAt",
        ],
        RepoType::Space => &[
            "_id",
            "id",
            "author",
            "sha",
            "lastModified",
            "private",
            "gated",
            "disabled",
            "likes",
            "trendingScore",
            "tags",
            "sdk",
            "createdAt",
        ],
    };
    Some(expand_only(
        full.into_iter()
            .filter(|(k, _)| keep.contains(&k.as_str()))
            .collect(),
        keep,
    ))
}

fn sort_key(repo: &Repo, key: &str) -> (String, u64) {
    match key {
        "lastModified" | "last_modified" => (
            repo.main_head().map(|c| c.date.clone()).unwrap_or_default(),
            0,
        ),
        "createdAt" | "created_at" => (repo.created_at.clone(), 0),
        "downloads" => (String::new(), repo.downloads),
        "likes" => (String::new(), repo.likes),
        _ => (repo.id.to_lowercase(), 0),
    }
}

fn matches(st: &HubState, ctx: &Ctx, repo: &Repo) -> bool {
    if !st.can_read(ctx.caller.as_ref(), repo) {
        return false;
    }
    let id = repo.id.to_lowercase();
    if !ctx
        .q_all("search")
        .iter()
        .all(|s| id.contains(&s.to_lowercase()))
    {
        return false;
    }
    if let Some(a) = ctx.q("author")
        && !repo.namespace().eq_ignore_ascii_case(a)
    {
        return false;
    }
    if let Some(g) = ctx.q("gated") {
        let gated = repo.gated != crate::state::Gated::No;
        if gated != super::truthy(g) {
            return false;
        }
    }
    true
}

/// `GET /api/models|datasets|spaces`
pub(super) fn list(shared: &Arc<Shared>, ctx: &Ctx, t: RepoType) -> HubResult {
    let st = shared.state();
    let mut repos: Vec<&Repo> = st
        .repos
        .values()
        .filter(|r| r.repo_type == t && matches(&st, ctx, r))
        .collect();
    if let Some(key) = ctx.q("sort") {
        repos.sort_by_key(|r| sort_key(r, key));
        // The Hub sorts descending (2.x dropped `direction`); only `direction=1` flips it.
        if ctx.q("direction") != Some("1") {
            repos.reverse();
        }
    }
    let expand = expand_params(ctx);
    let items: Vec<Value> = repos
        .iter()
        .filter_map(|r| list_item(&shared.objects, r, ctx, &expand))
        .collect();
    let mut size = shared.page_size(1000);
    if let Some(limit) = ctx.q("limit").and_then(|l| l.parse::<usize>().ok())
        && limit > 0
    {
        size = size.min(limit);
    }
    let path = format!("/api/{}", t.plural());
    let (page, link) = paginate(ctx, &path, &items, size, "cursor");
    Ok(with_link(
        json_response(StatusCode::OK, &Value::Array(page)),
        link,
    ))
}
