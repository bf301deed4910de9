//! `Link`-header pagination as a lazy, owned [`Stream`].
//!
//! The Hub pages listings with `Link: <url>; rel="next"`. [`next_link`] parses the header
//! properly (several values, quoted parameters, several relation types) and resolves a
//! relative target against the URL of the request that returned it. [`paginate`] turns
//! a first request into a `'static` stream of decoded items that fetches the next page
//! only when the items of the current one are used up; errors are mapped like single
//! calls (the stream runs through the same service).

use std::collections::VecDeque;

use futures_core::Stream;
use http::header::LINK;
use http::{HeaderMap, Request, Uri};
use serde::de::DeserializeOwned;

use crate::body::HfBody;
use crate::error::{Error, ErrorKind};
use crate::stack::HubClient;

/// The `rel="next"` target of the `Link` headers, resolved against `base`.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// headers.insert("link", r#"</api/models?cursor=abc>; rel="next""#.parse().unwrap());
/// let base: http::Uri = "https://hub.example/api/models?limit=2".parse().unwrap();
/// let next = hf_http::pagination::next_link(&headers, &base).unwrap();
/// assert_eq!(next, "https://hub.example/api/models?cursor=abc");
/// ```
pub fn next_link(headers: &HeaderMap, base: &Uri) -> Option<Uri> {
    for value in headers.get_all(LINK) {
        let Ok(text) = value.to_str() else { continue };
        for (target, params) in parse_link_values(text) {
            let is_next = params.iter().any(|(name, value)| {
                name.eq_ignore_ascii_case("rel")
                    && value
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("next"))
            });
            if is_next {
                return resolve(base, target);
            }
        }
    }
    None
}

fn resolve(base: &Uri, target: &str) -> Option<Uri> {
    let base = url::Url::parse(&base.to_string()).ok()?;
    let joined = base.join(target).ok()?;
    joined.as_str().parse().ok()
}

/// Splits a `Link` header into `(target, [(param, value)])`, honouring `<...>` and quoted
/// strings (commas inside them do not separate links).
fn parse_link_values(text: &str) -> Vec<(&str, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let Some(after_lt) = rest.strip_prefix('<') else {
            break;
        };
        let Some(end) = after_lt.find('>') else { break };
        let target = &after_lt[..end];
        rest = &after_lt[end + 1..];
        let mut params = Vec::new();
        loop {
            rest = rest.trim_start();
            let Some(after_semi) = rest.strip_prefix(';') else {
                break;
            };
            rest = after_semi.trim_start();
            let name_end = rest.find(['=', ';', ',']).unwrap_or(rest.len());
            let name = rest[..name_end].trim().to_owned();
            rest = &rest[name_end..];
            let mut value = String::new();
            if let Some(after_eq) = rest.strip_prefix('=') {
                rest = after_eq.trim_start();
                if let Some(quoted) = rest.strip_prefix('"') {
                    let mut chars = quoted.char_indices();
                    let mut consumed = quoted.len();
                    while let Some((i, c)) = chars.next() {
                        match c {
                            '\\' => {
                                if let Some((_, escaped)) = chars.next() {
                                    value.push(escaped);
                                }
                            }
                            '"' => {
                                consumed = i + 1;
                                break;
                            }
                            c => value.push(c),
                        }
                    }
                    rest = &quoted[consumed..];
                } else {
                    let end = rest.find([';', ',']).unwrap_or(rest.len());
                    rest[..end].trim().clone_into(&mut value);
                    rest = &rest[end..];
                }
            }
            params.push((name, value));
        }
        out.push((target, params));
        // skip anything up to the next link-value
        match rest.find(',') {
            Some(i) => rest = &rest[i..],
            None => break,
        }
    }
    out
}

enum Next {
    First(Request<HfBody>),
    Page(Uri),
    Done,
}

struct PageState<T> {
    client: HubClient,
    template: Request<()>,
    items: VecDeque<T>,
    next: Next,
}

/// A lazy stream of the items of every page, starting with `first` (a GET whose response
/// is a JSON array). The next page is requested with the same headers and extensions.
///
/// The stream owns everything it needs (`'static`), so it can be moved into a task.
/// Stop early with `StreamExt::take`: no page is fetched before its items are wanted.
pub fn paginate<T>(
    client: HubClient,
    first: Request<()>,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static
where
    T: DeserializeOwned + Send + 'static,
{
    let template = clone_parts(&first);
    let state = PageState {
        client,
        template,
        items: VecDeque::new(),
        next: Next::First(first.map(|()| HfBody::empty())),
    };
    futures_util::stream::try_unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.items.pop_front() {
                return Ok(Some((item, state)));
            }
            let req = match std::mem::replace(&mut state.next, Next::Done) {
                Next::Done => return Ok(None),
                Next::First(req) => req,
                Next::Page(uri) => {
                    let mut req = clone_parts(&state.template).map(|()| HfBody::empty());
                    *req.uri_mut() = uri;
                    req
                }
            };
            let uri = req.uri().clone();
            let method = req.method().clone();
            let mut req = req;
            req.extensions_mut().insert(crate::retry::BufferBody);
            let res = state.client.send(req).await?;
            let final_uri = res
                .extensions()
                .get::<tower_http::follow_redirect::RequestUri>()
                .map_or_else(|| uri.clone(), |u| u.0.clone());
            if let Some(next) = next_link(res.headers(), &final_uri) {
                state.next = Next::Page(next);
            }
            let body = res.into_body().bytes().await?;
            let page: Vec<T> = decode_json(&body).map_err(|e| e.with_request(&method, &uri))?;
            state.items.extend(page);
        }
    })
}

fn clone_parts(req: &Request<()>) -> Request<()> {
    let mut clone = Request::new(());
    *clone.method_mut() = req.method().clone();
    *clone.uri_mut() = req.uri().clone();
    *clone.version_mut() = req.version();
    *clone.headers_mut() = req.headers().clone();
    *clone.extensions_mut() = req.extensions().clone();
    clone
}

/// Decodes JSON; the error names the path of the field that failed.
pub fn decode_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        Error::new(ErrorKind::Decode, e.into_inner()).with_detail(format!("at JSON path `{path}`"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(LINK, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn parses_many_forms() {
        let base: Uri = "https://hub/api/models?x=1".parse().unwrap();
        let h = headers(&[
            r#"<https://hub/p?c=1,2>; rel="prev", <https://hub/p?c=3>; title="a, b; c"; rel="next""#,
        ]);
        assert_eq!(next_link(&h, &base).unwrap(), "https://hub/p?c=3");
        let h = headers(&[
            r"<https://hub/first>; rel=first",
            r#"<?cursor=z>; rel="last next""#,
        ]);
        assert_eq!(
            next_link(&h, &base).unwrap(),
            "https://hub/api/models?cursor=z"
        );
        let h = headers(&[r#"<https://hub/first>; rel="prev""#]);
        assert!(next_link(&h, &base).is_none());
        assert!(next_link(&HeaderMap::new(), &base).is_none());
        let h = headers(&[r"<page2>; REL=NEXT"]);
        assert_eq!(
            next_link(&h, &"https://hub/api/list".parse().unwrap()).unwrap(),
            "https://hub/api/page2"
        );
    }

    #[test]
    fn decode_errors_name_the_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            id: String,
        }
        let err = decode_json::<Vec<Item>>(br#"[{"id": "a"}, {"id": 3}]"#).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Decode);
        assert!(err.to_string().contains("[1].id"), "{err}");
    }
}
