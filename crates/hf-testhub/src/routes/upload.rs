//! Uploads: preupload (upload-mode negotiation) and the NDJSON commit endpoint.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Body;
use base64::Engine;
use http::StatusCode;
use serde_json::{Value, json};

use super::{Ctx, HubErr, HubResult, RepoRef, find_repo, ok_json, read_json};
use crate::Shared;
use crate::state::attrs::{IgnoreRules, LfsRules};
use crate::state::{FileRec, Objects, Repo, new_commit};

/// LFS rules of the `.gitattributes` in a file map.
pub(crate) fn lfs_rules(objects: &Objects, files: &BTreeMap<String, FileRec>) -> LfsRules {
    LfsRules::parse(&read_small(objects, files, ".gitattributes"))
}

fn read_small(objects: &Objects, files: &BTreeMap<String, FileRec>, path: &str) -> String {
    files
        .get(path)
        .filter(|f| f.lfs.is_none())
        .and_then(|f| std::fs::read(objects.blob_path(&f.oid)).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

fn check_upload_access(
    st: &crate::state::HubState,
    ctx: &Ctx,
    repo: &Repo,
    create_pr: bool,
) -> Result<(), HubErr> {
    if !create_pr && !st.can_write(ctx.caller.as_ref(), repo) {
        return Err(HubErr::forbidden(&format!(
            "You don't have the rights to write to {} {}; open a pull request instead (create_pr=1)",
            repo.repo_type.as_str(),
            repo.id
        )));
    }
    if create_pr && ctx.caller.is_none() {
        return Err(HubErr::new(
            StatusCode::UNAUTHORIZED,
            None,
            "You must be authenticated to open a pull request",
        ));
    }
    Ok(())
}

/// `POST /api/{type}s/{id}/preupload/{rev}`
pub(super) async fn preupload(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    rev: &str,
    body: Body,
) -> HubResult {
    let body = read_json(body).await?;
    let st = shared.state();
    let repo = find_repo(&st, ctx, r)?;
    check_upload_access(&st, ctx, repo, ctx.flag("create_pr"))?;
    let commit = repo
        .resolve(rev)
        .ok_or_else(|| HubErr::revision_not_found(rev))?;
    let lfs = lfs_rules(&shared.objects, &commit.files);
    let ignore_text = match body.get("gitIgnore").and_then(Value::as_str) {
        Some(t) => t.to_owned(),
        None => read_small(&shared.objects, &commit.files, ".gitignore"),
    };
    let ignore = IgnoreRules::parse(&ignore_text);
    let threshold = shared.cfg.lfs_threshold.load(Ordering::Relaxed);
    let mut out = Vec::new();
    for f in body
        .get("files")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(path) = f.get("path").and_then(Value::as_str) else {
            return Err(HubErr::bad_request("every file needs a \"path\""));
        };
        let size = f.get("size").and_then(Value::as_u64).unwrap_or(0);
        let mode = if size > 0 && (lfs.is_lfs(path) || size >= threshold) {
            "lfs"
        } else {
            "regular"
        };
        let mut e =
            json!({"path": path, "uploadMode": mode, "shouldIgnore": ignore.is_ignored(path)});
        if let Some(existing) = commit.files.get(path) {
            e["oid"] = json!(existing.lfs.as_deref().unwrap_or(&existing.oid));
        }
        out.push(e);
    }
    ok_json(&json!({"files": out, "commitOid": commit.id}))
}

enum Op {
    Put(String, FileRec),
    DeleteFile(String),
    DeleteFolder(String),
}

struct Parsed {
    summary: String,
    description: String,
    parent: Option<String>,
    ops: Vec<Op>,
}

/// Reads the NDJSON payload line by line, storing regular contents as blobs.
fn parse_ndjson(file: &std::path::Path, objects: &Objects) -> Result<Parsed, HubErr> {
    let reader = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(file)?);
    let mut parsed = Parsed {
        summary: String::new(),
        description: String::new(),
        parent: None,
        ops: Vec::new(),
    };
    let mut saw_header = false;
    for (i, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(&line)
            .map_err(|e| HubErr::bad_request(&format!("line {}: invalid JSON: {e}", i + 1)))?;
        let key = v.get("key").and_then(Value::as_str).unwrap_or_default();
        let val = &v["value"];
        let path = || -> Result<String, HubErr> {
            let p = val.get("path").and_then(Value::as_str).ok_or_else(|| {
                HubErr::bad_request(&format!("line {}: \"path\" is required", i + 1))
            })?;
            let p = p.trim_start_matches('/');
            if p.split('/').any(|s| s == ".." || s == ".git") {
                return Err(HubErr::bad_request(&format!("Invalid path: {p}")));
            }
            Ok(p.to_owned())
        };
        match key {
            "header" => {
                saw_header = true;
                val.get("summary")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .clone_into(&mut parsed.summary);
                val.get("description")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .clone_into(&mut parsed.description);
                parsed.parent = val
                    .get("parentCommit")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
            }
            "file" => {
                let content = val
                    .get("content")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let bytes = match val.get("encoding").and_then(Value::as_str) {
                    Some("base64") => base64::engine::general_purpose::STANDARD
                        .decode(content)
                        .map_err(|e| {
                            HubErr::bad_request(&format!("line {}: invalid base64: {e}", i + 1))
                        })?,
                    _ => content.as_bytes().to_vec(),
                };
                let rec = objects.put_blob(&bytes)?;
                parsed.ops.push(Op::Put(path()?, rec));
            }
            "lfsFile" => {
                let oid = val.get("oid").and_then(Value::as_str).unwrap_or_default();
                let Some(stored) = objects.lfs_size(oid) else {
                    return Err(HubErr::bad_request(&format!(
                        "LFS object {oid} for {} was never uploaded; upload it through the LFS batch API first",
                        path()?
                    )));
                };
                if let Some(size) = val.get("size").and_then(Value::as_u64)
                    && size != stored
                {
                    return Err(HubErr::bad_request(&format!(
                        "LFS object {oid} has size {stored}, not {size}"
                    )));
                }
                parsed.ops.push(Op::Put(path()?, FileRec::lfs(oid, stored)));
            }
            "deletedFile" => parsed.ops.push(Op::DeleteFile(path()?)),
            "deletedFolder" => parsed.ops.push(Op::DeleteFolder(path()?)),
            other => {
                return Err(HubErr::bad_request(&format!(
                    "line {}: unknown key {other:?}",
                    i + 1
                )));
            }
        }
    }
    if !saw_header {
        return Err(HubErr::bad_request("the first line must be the header"));
    }
    if parsed.summary.trim().is_empty() {
        return Err(HubErr::bad_request("commit summary (title) is required"));
    }
    Ok(parsed)
}

fn apply(files: &mut BTreeMap<String, FileRec>, ops: Vec<Op>, commit: &str) -> Result<(), HubErr> {
    for op in ops {
        match op {
            Op::Put(p, rec) => {
                files.insert(p, rec);
            }
            Op::DeleteFile(p) => {
                if files.remove(&p).is_none() {
                    return Err(HubErr::new(
                        StatusCode::NOT_FOUND,
                        Some("EntryNotFound"),
                        &format!("A file with this name doesn't exist: {p}"),
                    )
                    .with_header("x-repo-commit", commit));
                }
            }
            Op::DeleteFolder(p) => {
                let prefix = format!("{}/", p.trim_end_matches('/'));
                let before = files.len();
                if prefix == "/" {
                    files.clear();
                } else {
                    files.retain(|k, _| !k.starts_with(&prefix));
                }
                if files.len() == before {
                    return Err(HubErr::new(
                        StatusCode::NOT_FOUND,
                        Some("EntryNotFound"),
                        &format!("A folder with this name doesn't exist: {p}"),
                    )
                    .with_header("x-repo-commit", commit));
                }
            }
        }
    }
    Ok(())
}

/// `POST /api/{type}s/{id}/commit/{rev}[?create_pr=1]` (NDJSON body)
pub(super) async fn commit(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    rev: &str,
    body: Body,
) -> HubResult {
    let create_pr = ctx.flag("create_pr");
    {
        let st = shared.state();
        let repo = find_repo(&st, ctx, r)?;
        check_upload_access(&st, ctx, repo, create_pr)?;
    }
    // Bodies can be large (base64 of regular files): spool to disk, then parse by line.
    let spooled = super::cdn::spool(body, &shared.objects.tmp_dir(), false).await?;
    let objects = shared.objects.clone();
    let parsed = tokio::task::spawn_blocking(move || parse_ndjson(spooled.file.path(), &objects))
        .await
        .map_err(HubErr::internal)??;
    let author = ctx
        .caller
        .as_ref()
        .map(|c| c.user.clone())
        .unwrap_or_default();
    let mut st = shared.state();
    let key = r.key();
    let repo = st
        .repos
        .get_mut(&key)
        .ok_or_else(|| HubErr::repo_not_found(ctx.caller.as_ref()))?;
    let branch_name = rev.strip_prefix("refs/heads/").unwrap_or(rev);
    let pr_num: Option<u64> = rev.strip_prefix("refs/pr/").and_then(|n| n.parse().ok());
    let head = if let Some(n) = pr_num {
        if create_pr {
            return Err(HubErr::bad_request(
                "Cannot open a pull request from a pull request",
            ));
        }
        repo.prs
            .get(&n)
            .cloned()
            .ok_or_else(|| HubErr::revision_not_found(rev))?
    } else if let Some(h) = repo.branches.get(branch_name) {
        h.clone()
    } else if repo.resolve_id(rev).is_some() {
        return Err(HubErr::bad_request(&format!(
            "Invalid rev id: {rev} is not a branch; commits go on branches or refs/pr/N"
        )));
    } else {
        return Err(HubErr::revision_not_found(rev));
    };
    let base = match &parsed.parent {
        Some(p) => {
            let resolved = repo
                .resolve_id(p)
                .filter(|c| c.starts_with(&p.to_ascii_lowercase()));
            match resolved {
                Some(c) if create_pr || c == head => c,
                _ => {
                    return Err(HubErr::new(
                        StatusCode::PRECONDITION_FAILED,
                        None,
                        "A commit has happened since. Please refresh and try again.",
                    ));
                }
            }
        }
        None => head,
    };
    let mut files = repo.commits[&base].files.clone();
    apply(&mut files, parsed.ops, &base)?;
    let id = new_commit(
        repo,
        vec![base],
        &author,
        &parsed.summary,
        &parsed.description,
        files,
    );
    let prefix = format!("{}/{}{}", ctx.base, r.repo_type.web_prefix(), r.id);
    let mut out = json!({
        "success": true,
        "commitOid": id,
        "commitUrl": format!("{prefix}/commit/{id}"),
        "hookOutput": "",
    });
    if create_pr {
        let n = repo.next_discussion;
        repo.next_discussion += 1;
        repo.prs.insert(n, id.clone());
        super::discussions::open_from_commit(
            repo,
            n,
            &author,
            branch_name,
            &parsed.summary,
            &parsed.description,
            &id,
        );
        out["pullRequestUrl"] = json!(format!("{prefix}/discussions/{n}"));
    } else if let Some(n) = pr_num {
        repo.prs.insert(n, id.clone());
        super::discussions::record_commit(repo, n, &author, &parsed.summary, &id);
    } else {
        repo.branches.insert(branch_name.to_owned(), id.clone());
    }
    shared.persist(&st)?;
    ok_json(&out)
}
