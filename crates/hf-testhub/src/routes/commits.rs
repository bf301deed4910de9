//! Commit history: `GET /api/{type}s/{id}/commits/{rev}`, newest first, paginated with `p`.

use std::sync::Arc;

use http::StatusCode;
use serde_json::{Value, json};

use super::{Ctx, HubErr, HubResult, RepoRef, find_repo, json_response, with_link};
use crate::Shared;

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /api/{type}s/{id}/commits/{rev}[?expand[]=formatted][&p=N]`
pub(super) fn list_commits(shared: &Arc<Shared>, ctx: &Ctx, r: &RepoRef, rev: &str) -> HubResult {
    let st = shared.state();
    let repo = find_repo(&st, ctx, r)?;
    let head = repo
        .resolve_id(rev)
        .ok_or_else(|| HubErr::revision_not_found(rev))?;
    let formatted = ctx
        .q_all("expand[]")
        .into_iter()
        .chain(ctx.q_all("expand"))
        .any(|e| e == "formatted");
    let history = repo.history(&head);
    let size = shared.page_size(50);
    let page_no: usize = ctx.q("p").and_then(|p| p.parse().ok()).unwrap_or(0);
    let start = page_no * size;
    let items: Vec<Value> = history
        .iter()
        .skip(start)
        .take(size)
        .map(|c| {
            let mut e = json!({
                "id": c.id,
                "title": c.title,
                "message": c.message,
                "authors": [{"user": c.author, "avatar": "/avatars/default.svg"}],
                "date": c.date,
            });
            if formatted {
                e["formatted"] = json!({
                    "title": html_escape(&c.title),
                    "message": html_escape(&c.message),
                });
            }
            e
        })
        .collect();
    let link = (start + size < history.len()).then(|| {
        let mut q: Vec<(String, String)> = ctx
            .query
            .iter()
            .filter(|(k, _)| k != "p")
            .cloned()
            .collect();
        q.push(("p".into(), (page_no + 1).to_string()));
        let qs = serde_urlencoded::to_string(&q).unwrap_or_default();
        let rev_enc =
            percent_encoding::utf8_percent_encode(rev, percent_encoding::NON_ALPHANUMERIC);
        http::HeaderValue::from_str(&format!(
            "<{}/api/{}/{}/commits/{rev_enc}?{qs}>; rel=\"next\"",
            ctx.base,
            r.repo_type.plural(),
            r.id
        ))
        .expect("ascii")
    });
    let mut resp = with_link(json_response(StatusCode::OK, &Value::Array(items)), link);
    if let Ok(v) = http::HeaderValue::from_str(&history.len().to_string()) {
        resp.headers_mut().insert("x-total-count", v);
    }
    Ok(resp)
}
