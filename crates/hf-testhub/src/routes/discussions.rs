//! Discussions and pull requests: `/api/{type}s/{id}/discussions[/{num}[/...]]`.

use std::sync::Arc;

use axum::body::Body;
use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Ctx, HubErr, HubResult, RepoRef, find_repo, ok_json, read_json};
use crate::Shared;
use crate::state::{Discussion, HubState, Repo, comment_event, event, new_commit, now};

fn summary(repo: &Repo, d: &Discussion) -> Value {
    json!({
        "num": d.num,
        "title": d.title,
        "status": d.status,
        "createdAt": d.created_at,
        "isPullRequest": d.is_pr,
        "author": {"name": d.author, "fullname": d.author, "avatarUrl": "/avatars/default.svg", "type": "user"},
        "repo": {"name": repo.id, "type": repo.repo_type.as_str()},
        "numComments": d.events.iter().filter(|e| e["type"] == "comment").count(),
        "pinned": false,
        "topReactions": [],
    })
}

fn details(repo: &Repo, d: &Discussion) -> Value {
    let mut v = summary(repo, d);
    v["events"] = json!(d.events);
    if d.is_pr {
        let mut changes =
            json!({"base": format!("refs/heads/{}", d.base.as_deref().unwrap_or("main"))});
        if let Some(m) = &d.merge_commit {
            changes["mergeCommitId"] = json!(m);
        }
        v["changes"] = changes;
        v["filesWithConflicts"] = json!([]);
        v["diff"] = json!("");
    }
    v
}

/// Records a pull request opened by a `create_pr=1` commit.
pub(crate) fn open_from_commit(
    repo: &mut Repo,
    num: u64,
    author: &str,
    base: &str,
    title: &str,
    description: &str,
    commit: &str,
) {
    let (date, _) = now();
    let text = if description.trim().is_empty() {
        title
    } else {
        description
    };
    repo.discussions.insert(
        num,
        Discussion {
            num,
            title: title.to_owned(),
            status: "open".to_owned(),
            is_pr: true,
            author: author.to_owned(),
            created_at: date,
            base: Some(base.to_owned()),
            merge_commit: None,
            events: vec![
                comment_event(author, text),
                event("commit", author, json!({"subject": title, "oid": commit})),
            ],
        },
    );
}

/// Records a commit pushed to `refs/pr/{num}`.
pub(crate) fn record_commit(repo: &mut Repo, num: u64, author: &str, title: &str, commit: &str) {
    if let Some(d) = repo.discussions.get_mut(&num) {
        d.events.push(event(
            "commit",
            author,
            json!({"subject": title, "oid": commit}),
        ));
    }
}

fn need_user(ctx: &Ctx) -> Result<String, HubErr> {
    ctx.caller.as_ref().map(|c| c.user.clone()).ok_or_else(|| {
        HubErr::new(
            StatusCode::UNAUTHORIZED,
            None,
            "You must be authenticated to do this",
        )
    })
}

fn repo_mut<'a>(st: &'a mut HubState, ctx: &Ctx, r: &RepoRef) -> Result<&'a mut Repo, HubErr> {
    find_repo(st, ctx, r)?;
    Ok(st.repos.get_mut(&r.key()).expect("found above"))
}

/// Dispatches everything under `.../discussions`.
pub(super) async fn route(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    rest: &[&str],
    body: Body,
) -> HubResult {
    match (ctx.method.clone(), rest) {
        (Method::GET, []) => list(shared, ctx, r),
        (Method::POST, []) => create(shared, ctx, r, body).await,
        (Method::GET, [num]) => {
            let st = shared.state();
            let repo = find_repo(&st, ctx, r)?;
            let d = lookup(repo, num)?;
            ok_json(&details(repo, d))
        }
        (Method::POST, [num, action @ ..]) => mutate(shared, ctx, r, num, action, body).await,
        _ => Err(HubErr::not_found(
            "Sorry, we can't find the page you are looking for",
        )),
    }
}

fn lookup<'a>(repo: &'a Repo, num: &str) -> Result<&'a Discussion, HubErr> {
    num.parse::<u64>()
        .ok()
        .and_then(|n| repo.discussions.get(&n))
        .ok_or_else(|| HubErr::not_found(&format!("Discussion {num} not found")))
}

fn list(shared: &Arc<Shared>, ctx: &Ctx, r: &RepoRef) -> HubResult {
    let st = shared.state();
    let repo = find_repo(&st, ctx, r)?;
    let kind = ctx.q("type").unwrap_or("all");
    let status = ctx.q("status").unwrap_or("all");
    let author = ctx.q("author");
    let mut all: Vec<&Discussion> = repo
        .discussions
        .values()
        .rev()
        .filter(|d| match kind {
            "discussion" => !d.is_pr,
            "pull_request" => d.is_pr,
            _ => true,
        })
        .filter(|d| match status {
            "open" => d.status == "open" || d.status == "draft",
            "closed" => d.status == "closed" || d.status == "merged",
            _ => true,
        })
        .filter(|d| author.is_none_or(|a| a == d.author))
        .collect();
    let size = shared.page_size(50);
    let page: usize = ctx.q("p").and_then(|p| p.parse().ok()).unwrap_or(0);
    let count = all.len();
    let start = (page * size).min(count);
    all = all.into_iter().skip(start).take(size).collect();
    let items: Vec<Value> = all.iter().map(|d| summary(repo, d)).collect();
    let closed = repo
        .discussions
        .values()
        .filter(|d| d.status == "closed" || d.status == "merged")
        .count();
    ok_json(
        &json!({"discussions": items, "count": count, "start": start, "numClosedDiscussions": closed}),
    )
}

async fn create(shared: &Arc<Shared>, ctx: &Ctx, r: &RepoRef, body: Body) -> HubResult {
    let user = need_user(ctx)?;
    let body = read_json(body).await?;
    let title = body
        .get("title")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_owned();
    if title.len() < 3 {
        return Err(HubErr::bad_request(
            "The title must be at least 3 characters long",
        ));
    }
    let description = body
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let is_pr = body
        .get("pullRequest")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut st = shared.state();
    let repo = repo_mut(&mut st, ctx, r)?;
    let num = repo.next_discussion;
    repo.next_discussion += 1;
    if is_pr {
        let head = repo.branches.get("main").cloned().unwrap_or_default();
        repo.prs.insert(num, head);
    }
    let (date, _) = now();
    repo.discussions.insert(
        num,
        Discussion {
            num,
            title,
            status: if is_pr { "draft" } else { "open" }.to_owned(),
            is_pr,
            author: user.clone(),
            created_at: date,
            base: is_pr.then(|| "main".to_owned()),
            merge_commit: None,
            events: vec![comment_event(&user, &description)],
        },
    );
    let out = json!({"num": num, "url": {"web": format!("{}/{}{}/discussions/{num}", ctx.base, r.repo_type.web_prefix(), r.id)}});
    shared.persist(&st)?;
    ok_json(&out)
}

async fn mutate(
    shared: &Arc<Shared>,
    ctx: &Ctx,
    r: &RepoRef,
    num: &str,
    action: &[&str],
    body: Body,
) -> HubResult {
    let user = need_user(ctx)?;
    let body = read_json(body).await?;
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut st = shared.state();
    let can_write = {
        let repo = find_repo(&st, ctx, r)?;
        st.can_write(ctx.caller.as_ref(), repo)
    };
    let repo = repo_mut(&mut st, ctx, r)?;
    let n = lookup(repo, num)?.num;
    let is_author = repo.discussions[&n].author == user;
    let out = match action {
        ["comment"] => {
            let e = comment_event(&user, &text("comment"));
            repo.discussions
                .get_mut(&n)
                .expect("exists")
                .events
                .push(e.clone());
            json!({"newMessage": e})
        }
        ["title"] => {
            if !(can_write || is_author) {
                return Err(HubErr::forbidden(
                    "Only the author or a repo writer can rename",
                ));
            }
            let d = repo.discussions.get_mut(&n).expect("exists");
            let e = event(
                "title-change",
                &user,
                json!({"from": d.title, "to": text("title")}),
            );
            d.title = text("title");
            d.events.push(e.clone());
            json!({"newTitle": e})
        }
        ["status"] => {
            if !(can_write || is_author) {
                return Err(HubErr::forbidden(
                    "Only the author or a repo writer can change the status",
                ));
            }
            let status = text("status");
            if status != "open" && status != "closed" {
                return Err(HubErr::bad_request("status must be \"open\" or \"closed\""));
            }
            let d = repo.discussions.get_mut(&n).expect("exists");
            let comment = text("comment");
            if !comment.trim().is_empty() {
                d.events.push(comment_event(&user, &comment));
            }
            let e = event("status-change", &user, json!({"status": status}));
            d.status = status;
            d.events.push(e.clone());
            json!({"newStatus": e})
        }
        ["merge"] => {
            if !can_write {
                return Err(HubErr::forbidden("You need write access to merge"));
            }
            let d = &repo.discussions[&n];
            if !d.is_pr || d.status == "merged" || d.status == "closed" {
                return Err(HubErr::bad_request("This pull request cannot be merged"));
            }
            let base = d.base.clone().unwrap_or_else(|| "main".to_owned());
            let title = d.title.clone();
            let pr_head = repo.prs.get(&n).cloned().unwrap_or_default();
            let base_head = repo
                .branches
                .get(&base)
                .cloned()
                .ok_or_else(|| HubErr::revision_not_found(&base))?;
            let pr_files = repo.commits[&pr_head].files.clone();
            if pr_files == repo.commits[&base_head].files {
                return Err(HubErr::bad_request(
                    "This Pull Request has no associated changes",
                ));
            }
            let id = new_commit(
                repo,
                vec![base_head, pr_head],
                &user,
                &title,
                &format!("Merge refs/pr/{n}"),
                pr_files,
            );
            repo.branches.insert(base, id.clone());
            let d = repo.discussions.get_mut(&n).expect("exists");
            let comment = text("comment");
            if !comment.trim().is_empty() {
                d.events.push(comment_event(&user, &comment));
            }
            "merged".clone_into(&mut d.status);
            d.merge_commit = Some(id);
            d.events
                .push(event("status-change", &user, json!({"status": "merged"})));
            json!({})
        }
        ["comment", id, verb @ ("edit" | "hide")] => {
            let d = repo.discussions.get_mut(&n).expect("exists");
            let Some(e) = d
                .events
                .iter_mut()
                .find(|e| e["id"].as_str() == Some(id) && e["type"] == "comment")
            else {
                return Err(HubErr::not_found(&format!("Comment {id} not found")));
            };
            if *verb == "edit" {
                e["data"]["latest"]["raw"] = json!(text("content"));
                e["data"]["edited"] = json!(true);
            } else {
                if !can_write {
                    return Err(HubErr::forbidden("You need write access to hide comments"));
                }
                e["data"]["hidden"] = json!(true);
            }
            json!({"updatedComment": e.clone()})
        }
        _ => {
            return Err(HubErr::not_found(
                "Sorry, we can't find the page you are looking for",
            ));
        }
    };
    shared.persist(&st)?;
    ok_json(&out)
}
