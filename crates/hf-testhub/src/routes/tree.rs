//! Tree listings (`/tree/{rev}/{path}`) and `paths-info`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::Body;
use http::StatusCode;
use serde_json::{Value, json};

use super::{
    Ctx, HubErr, HubResult, RepoRef, find_repo, json_response, ok_json, paginate, read_body,
    truthy, with_link,
};
use crate::Shared;
use crate::state::{CommitRec, FileRec, Repo, git};

/// A file or a directory at a commit.
enum Node<'a> {
    File(&'a FileRec),
    Dir(String),
}

struct View<'a> {
    repo: &'a Repo,
    commit: &'a CommitRec,
    dirs: BTreeMap<String, String>,
}

impl<'a> View<'a> {
    fn new(repo: &'a Repo, commit: &'a CommitRec) -> Self {
        Self {
            repo,
            commit,
            dirs: git::tree_oids(&commit.files),
        }
    }

    fn node(&self, path: &str) -> Option<Node<'a>> {
        if let Some(f) = self.commit.files.get(path) {
            return Some(Node::File(f));
        }
        self.dirs.get(path).map(|oid| Node::Dir(oid.clone()))
    }

    /// Entries below `dir` ("" = root), direct children or all descendants.
    fn children(&self, dir: &str, recursive: bool) -> Vec<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut out = BTreeSet::new();
        for path in self.commit.files.keys().chain(self.dirs.keys()) {
            if path.is_empty() {
                continue;
            }
            let Some(rest) = path.strip_prefix(&prefix) else {
                continue;
            };
            if rest.is_empty() || (!recursive && rest.contains('/')) {
                continue;
            }
            out.insert(path.clone());
        }
        out.into_iter().collect()
    }

    /// The newest commit (first-parent history) that changed `path`.
    fn last_commit(
        &self,
        path: &str,
        cache: &mut Vec<(&'a CommitRec, BTreeMap<String, String>)>,
    ) -> Option<&'a CommitRec> {
        if cache.is_empty() {
            for c in self.repo.history(&self.commit.id) {
                cache.push((c, git::tree_oids(&c.files)));
            }
        }
        let value = |i: usize| -> Option<String> {
            let (c, dirs) = cache.get(i)?;
            c.files
                .get(path)
                .map(|f| f.oid.clone())
                .or_else(|| dirs.get(path).cloned())
        };
        (0..cache.len())
            .find(|&i| value(i) != value(i + 1))
            .map(|i| cache[i].0)
    }

    fn entry(
        &self,
        path: &str,
        expand: bool,
        cache: &mut Vec<(&'a CommitRec, BTreeMap<String, String>)>,
    ) -> Option<Value> {
        let mut e = match self.node(path)? {
            Node::File(f) => {
                let mut e = json!({"type": "file", "oid": f.oid, "size": f.size, "path": path});
                if let Some(sha) = &f.lfs {
                    e["lfs"] = json!({"oid": sha, "size": f.size, "pointerSize": f.pointer_size()});
                }
                if expand {
                    e["securityFileStatus"] = json!({
                        "status": "safe",
                        "avScan": {"virusFound": false, "virusNames": null},
                        "pickleImportScan": null,
                    });
                }
                e
            }
            Node::Dir(oid) => json!({"type": "directory", "oid": oid, "size": 0, "path": path}),
        };
        if expand && let Some(c) = self.last_commit(path, cache) {
            e["lastCommit"] = json!({"id": c.id, "title": c.title, "date": c.date});
        }
        Some(e)
    }
}

/// `GET /api/{type}s/{id}/tree/{rev}[/{path}]`
pub(super) fn list_tree(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    rev: &str,
    path: &str,
) -> HubResult {
    let st = shared.state();
    let repo = find_repo(&st, ctx, r)?;
    let commit = repo
        .resolve(rev)
        .ok_or_else(|| HubErr::revision_not_found(rev))?;
    let view = View::new(repo, commit);
    let path = path.trim_matches('/');
    if !path.is_empty() && !matches!(view.node(path), Some(Node::Dir(_))) {
        return Err(HubErr::entry_not_found(Some(&commit.id)));
    }
    let expand = ctx.flag("expand");
    let paths = view.children(path, ctx.flag("recursive"));
    let size = shared.page_size(if expand { 50 } else { 1000 });
    let raw_path = format!(
        "/api/{}/{}/tree/{}{}",
        r.repo_type.plural(),
        r.id,
        percent_encoding::utf8_percent_encode(rev, percent_encoding::NON_ALPHANUMERIC),
        if path.is_empty() {
            String::new()
        } else {
            format!(
                "/{}",
                percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC)
            )
        }
    );
    let (page, link) = paginate(ctx, &raw_path, &paths, size, "cursor");
    let mut cache = Vec::new();
    let items: Vec<Value> = page
        .iter()
        .filter_map(|p| view.entry(p, expand, &mut cache))
        .collect();
    Ok(with_link(
        json_response(StatusCode::OK, &Value::Array(items)),
        link,
    ))
}

/// `POST /api/{type}s/{id}/paths-info/{rev}` (form-encoded `paths`, `expand`)
pub(super) async fn paths_info(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    rev: &str,
    body: Body,
) -> HubResult {
    let bytes = read_body(body).await?;
    let form: Vec<(String, String)> = if bytes.first() == Some(&b'{') {
        // Some clients send JSON; accept it too.
        let v: Value =
            serde_json::from_slice(&bytes).map_err(|e| HubErr::bad_request(&e.to_string()))?;
        let mut out: Vec<(String, String)> = v["paths"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p.as_str().map(|p| ("paths".to_owned(), p.to_owned())))
            .collect();
        if v["expand"].as_bool() == Some(true) {
            out.push(("expand".into(), "true".into()));
        }
        out
    } else {
        serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| HubErr::bad_request(&format!("invalid form body: {e}")))?
    };
    let expand = form.iter().any(|(k, v)| k == "expand" && truthy(v));
    let st = shared.state();
    let repo = find_repo(&st, ctx, r)?;
    let commit = repo
        .resolve(rev)
        .ok_or_else(|| HubErr::revision_not_found(rev))?;
    let view = View::new(repo, commit);
    let mut cache = Vec::new();
    let mut seen = BTreeSet::new();
    let items: Vec<Value> = form
        .iter()
        .filter(|(k, _)| k == "paths")
        .map(|(_, p)| p.trim_matches('/').to_owned())
        .filter(|p| !p.is_empty() && seen.insert(p.clone()))
        .filter_map(|p| view.entry(&p, expand, &mut cache))
        .collect();
    ok_json(&Value::Array(items))
}
