//! Webhooks of the token's owner: `list_webhooks`, `get_webhook`, `create_webhook`,
//! `update_webhook`, `enable_webhook`, `disable_webhook`, `delete_webhook`
//! (`/api/settings/webhooks`).

use std::future::IntoFuture;

use hf_http::{Idempotency, Token};
use hf_types::{WebhookDomain, WebhookEnvelope, WebhookInfo, WebhookWatchedItem};
use serde_json::{Value, json};

use super::token_auth;
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

const BASE: &str = "/api/settings/webhooks";

/// The request built by [`HfApi::list_webhooks`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct ListWebhooksRequest {
    api: HfApi,
    token: Option<Token>,
}

impl HfApi {
    /// The webhooks of the token's owner: `GET /api/settings/webhooks`.
    pub fn list_webhooks(&self) -> ListWebhooksRequest {
        ListWebhooksRequest {
            api: self.clone(),
            token: None,
        }
    }
}

impl ListWebhooksRequest {
    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for ListWebhooksRequest {
    type Output = Result<Vec<WebhookInfo>, Error>;
    type IntoFuture = BoxFuture<Vec<WebhookInfo>>;

    fn into_future(self) -> Self::IntoFuture {
        ApiRequest::get(&self.api, BASE)
            .auth(token_auth(self.token.as_ref()))
            .send_json()
    }
}

#[derive(Debug, Clone)]
enum Op {
    Get,
    Create,
    Update,
    Enable,
    Disable,
    Delete,
}

/// The request built by [`HfApi::get_webhook`], [`HfApi::create_webhook`],
/// [`HfApi::update_webhook`], [`HfApi::enable_webhook`], [`HfApi::disable_webhook`] and
/// [`HfApi::delete_webhook`]; resolves to the webhook (for `delete_webhook`, the one that
/// was deleted is not returned: `None`).
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct WebhookRequest {
    api: HfApi,
    op: Op,
    id: Option<String>,
    url: Option<String>,
    watched: Vec<WebhookWatchedItem>,
    domains: Option<Vec<WebhookDomain>>,
    secret: Option<String>,
    token: Option<Token>,
}

impl HfApi {
    fn webhook(&self, op: Op, id: Option<&str>) -> WebhookRequest {
        WebhookRequest {
            api: self.clone(),
            op,
            id: id.map(str::to_owned),
            url: None,
            watched: Vec::new(),
            domains: None,
            secret: None,
            token: None,
        }
    }

    /// One webhook: `GET /api/settings/webhooks/{id}`.
    pub fn get_webhook(&self, webhook_id: &str) -> WebhookRequest {
        self.webhook(Op::Get, Some(webhook_id))
    }

    /// Creates a webhook calling `url` when the watched repos or accounts change:
    /// `POST /api/settings/webhooks`.
    pub fn create_webhook(
        &self,
        url: &str,
        watched: impl IntoIterator<Item = WebhookWatchedItem>,
    ) -> WebhookRequest {
        let mut r = self.webhook(Op::Create, None);
        r.url = Some(url.to_owned());
        r.watched = watched.into_iter().collect();
        r
    }

    /// Replaces a webhook's settings: `POST /api/settings/webhooks/{id}` (every setting is
    /// sent: unset ones become empty).
    pub fn update_webhook(&self, webhook_id: &str) -> WebhookRequest {
        self.webhook(Op::Update, Some(webhook_id))
    }

    /// Enables a webhook: `POST /api/settings/webhooks/{id}/enable`.
    pub fn enable_webhook(&self, webhook_id: &str) -> WebhookRequest {
        self.webhook(Op::Enable, Some(webhook_id))
    }

    /// Disables a webhook: `POST /api/settings/webhooks/{id}/disable`.
    pub fn disable_webhook(&self, webhook_id: &str) -> WebhookRequest {
        self.webhook(Op::Disable, Some(webhook_id))
    }

    /// Deletes a webhook: `DELETE /api/settings/webhooks/{id}`.
    pub fn delete_webhook(&self, webhook_id: &str) -> WebhookRequest {
        self.webhook(Op::Delete, Some(webhook_id))
    }
}

impl WebhookRequest {
    /// The URL called (`create_webhook`, `update_webhook`).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// What is watched (`update_webhook`; `create_webhook` takes it positionally).
    pub fn watched(mut self, watched: impl IntoIterator<Item = WebhookWatchedItem>) -> Self {
        self.watched = watched.into_iter().collect();
        self
    }

    /// Which events: repo changes and/or discussions (default: both).
    pub fn domains(mut self, domains: impl IntoIterator<Item = WebhookDomain>) -> Self {
        self.domains = Some(domains.into_iter().collect());
        self
    }

    /// Sent back in the `X-Webhook-Secret` header of each call.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for WebhookRequest {
    type Output = Result<Option<WebhookInfo>, Error>;
    type IntoFuture = BoxFuture<Option<WebhookInfo>>;

    fn into_future(self) -> Self::IntoFuture {
        use hf_http::http::Method;
        Box::pin(async move {
            let id = self.id.as_deref().map(|id| {
                hf_types::Revision::new(id).map_or_else(|_| id.to_owned(), |r| r.url_segment())
            });
            let settings = || -> Value {
                json!({
                    "watched": self.watched,
                    "url": self.url,
                    "domains": self.domains,
                    "secret": self.secret,
                })
            };
            let (method, path, body) = match (&self.op, id) {
                (Op::Create, _) => (Method::POST, BASE.to_owned(), Some(settings())),
                (Op::Get, Some(id)) => (Method::GET, format!("{BASE}/{id}"), None),
                (Op::Update, Some(id)) => (Method::POST, format!("{BASE}/{id}"), Some(settings())),
                (Op::Enable, Some(id)) => (Method::POST, format!("{BASE}/{id}/enable"), None),
                (Op::Disable, Some(id)) => (Method::POST, format!("{BASE}/{id}/disable"), None),
                (Op::Delete, Some(id)) => (Method::DELETE, format!("{BASE}/{id}"), None),
                (_, None) => return Err(Error::invalid_argument("a webhook id is needed", None)),
            };
            let delete = method == Method::DELETE;
            let mut req = ApiRequest::new(&self.api, method, path)
                .auth(token_auth(self.token.as_ref()))
                .idempotency(if matches!(self.op, Op::Create) {
                    Idempotency::NotIdempotent
                } else {
                    Idempotency::Idempotent
                });
            if let Some(b) = body {
                req = req.json_body(&b)?;
            }
            if delete {
                req.send_unit().await?;
                return Ok(None);
            }
            let env: WebhookEnvelope = req.send_json().await?;
            Ok(Some(env.webhook))
        })
    }
}
