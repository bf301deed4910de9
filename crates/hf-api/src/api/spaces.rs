//! Space management: secrets, variables, runtime, hardware, sleep time, pause/restart,
//! storage and duplication (`/api/spaces/{repo_id}/...`).

use std::future::IntoFuture;

use hf_http::hub_error::NotFoundHint;
use hf_http::{Idempotency, Token};
use hf_types::{RepoType, RepoUrl, SpaceHardware, SpaceRuntime, SpaceStorage, SpaceVariables};
use serde_json::{Map, Value, json};

use super::parse_repo_id;
use super::repos::SpaceEntry;
use super::token_auth;
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// `/api/spaces/{repo_id}/{what}`.
fn space_path(repo_id: &str, what: &str) -> Result<String, Error> {
    let id = parse_repo_id(repo_id)?;
    Ok(format!("/api/spaces/{}/{what}", id.as_str()))
}

fn request(
    api: &HfApi,
    method: hf_http::http::Method,
    path: String,
    token: Option<&Token>,
    body: Option<&Value>,
) -> Result<ApiRequest, Error> {
    let idempotent = matches!(
        method,
        hf_http::http::Method::GET | hf_http::http::Method::DELETE
    );
    let req = ApiRequest::new(api, method, path)
        .auth(token_auth(token))
        .extension(NotFoundHint::Repository)
        .idempotency(if idempotent {
            Idempotency::Idempotent
        } else {
            Idempotency::NotIdempotent
        });
    match body {
        Some(b) => req.json_body(b),
        None => Ok(req),
    }
}

fn entry_body(key: &str, value: &str, description: Option<&String>) -> Value {
    let mut body = json!({"key": key, "value": value});
    if let Some(d) = description {
        body["description"] = json!(d);
    }
    body
}

/// The request built by [`HfApi::add_space_secret`] and [`HfApi::delete_space_secret`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct SpaceSecretRequest {
    api: HfApi,
    repo_id: String,
    key: String,
    value: Option<String>,
    description: Option<String>,
    token: Option<Token>,
}

impl HfApi {
    /// Adds or replaces a secret of a Space: `POST /api/spaces/{repo_id}/secrets`.
    pub fn add_space_secret(&self, repo_id: &str, key: &str, value: &str) -> SpaceSecretRequest {
        SpaceSecretRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            key: key.to_owned(),
            value: Some(value.to_owned()),
            description: None,
            token: None,
        }
    }

    /// Deletes a secret of a Space: `DELETE /api/spaces/{repo_id}/secrets` (JSON body).
    pub fn delete_space_secret(&self, repo_id: &str, key: &str) -> SpaceSecretRequest {
        SpaceSecretRequest {
            value: None,
            ..self.add_space_secret(repo_id, key, "")
        }
    }
}

impl SpaceSecretRequest {
    /// What the secret is for (`add_space_secret` only).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for SpaceSecretRequest {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let path = space_path(&self.repo_id, "secrets")?;
            let (method, body) = match &self.value {
                Some(v) => (
                    hf_http::http::Method::POST,
                    entry_body(&self.key, v, self.description.as_ref()),
                ),
                None => (hf_http::http::Method::DELETE, json!({"key": self.key})),
            };
            request(&self.api, method, path, self.token.as_ref(), Some(&body))?
                .send_unit()
                .await
        })
    }
}

/// The request built by [`HfApi::get_space_variables`], [`HfApi::add_space_variable`] and
/// [`HfApi::delete_space_variable`]; resolves to the Space's variables afterwards.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct SpaceVariablesRequest {
    api: HfApi,
    repo_id: String,
    op: VariableOp,
    description: Option<String>,
    token: Option<Token>,
}

#[derive(Debug, Clone)]
enum VariableOp {
    Get,
    Add(String, String),
    Delete(String),
}

impl HfApi {
    fn variables(&self, repo_id: &str, op: VariableOp) -> SpaceVariablesRequest {
        SpaceVariablesRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            op,
            description: None,
            token: None,
        }
    }

    /// The public variables of a Space: `GET /api/spaces/{repo_id}/variables`.
    pub fn get_space_variables(&self, repo_id: &str) -> SpaceVariablesRequest {
        self.variables(repo_id, VariableOp::Get)
    }

    /// Adds or replaces a variable: `POST /api/spaces/{repo_id}/variables`.
    pub fn add_space_variable(
        &self,
        repo_id: &str,
        key: &str,
        value: &str,
    ) -> SpaceVariablesRequest {
        self.variables(repo_id, VariableOp::Add(key.to_owned(), value.to_owned()))
    }

    /// Deletes a variable: `DELETE /api/spaces/{repo_id}/variables` (JSON body).
    pub fn delete_space_variable(&self, repo_id: &str, key: &str) -> SpaceVariablesRequest {
        self.variables(repo_id, VariableOp::Delete(key.to_owned()))
    }
}

impl SpaceVariablesRequest {
    /// What the variable is for (`add_space_variable` only).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for SpaceVariablesRequest {
    type Output = Result<SpaceVariables, Error>;
    type IntoFuture = BoxFuture<SpaceVariables>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let path = space_path(&self.repo_id, "variables")?;
            let (method, body) = match &self.op {
                VariableOp::Get => (hf_http::http::Method::GET, None),
                VariableOp::Add(k, v) => (
                    hf_http::http::Method::POST,
                    Some(entry_body(k, v, self.description.as_ref())),
                ),
                VariableOp::Delete(k) => (hf_http::http::Method::DELETE, Some(json!({"key": k}))),
            };
            request(&self.api, method, path, self.token.as_ref(), body.as_ref())?
                .send_json()
                .await
        })
    }
}

#[derive(Debug, Clone)]
enum RuntimeOp {
    Get,
    Hardware(SpaceHardware),
    SleepTime(u64),
    Pause,
    Restart,
    Storage(SpaceStorage),
    DeleteStorage,
}

/// The request built by [`HfApi::get_space_runtime`], [`HfApi::request_space_hardware`],
/// [`HfApi::set_space_sleep_time`], [`HfApi::pause_space`], [`HfApi::restart_space`],
/// [`HfApi::request_space_storage`] and [`HfApi::delete_space_storage`]; resolves to the
/// Space's runtime afterwards.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct SpaceRuntimeRequest {
    api: HfApi,
    repo_id: String,
    op: RuntimeOp,
    sleep_time: Option<u64>,
    factory_reboot: bool,
    token: Option<Token>,
}

impl HfApi {
    fn runtime(&self, repo_id: &str, op: RuntimeOp) -> SpaceRuntimeRequest {
        SpaceRuntimeRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            op,
            sleep_time: None,
            factory_reboot: false,
            token: None,
        }
    }

    /// Stage, hardware, sleep time and storage of a Space: `GET /api/spaces/{repo_id}/runtime`.
    pub fn get_space_runtime(&self, repo_id: &str) -> SpaceRuntimeRequest {
        self.runtime(repo_id, RuntimeOp::Get)
    }

    /// Asks for other hardware: `POST /api/spaces/{repo_id}/hardware` (`{"flavor"}`).
    pub fn request_space_hardware(
        &self,
        repo_id: &str,
        hardware: impl Into<SpaceHardware>,
    ) -> SpaceRuntimeRequest {
        self.runtime(repo_id, RuntimeOp::Hardware(hardware.into()))
    }

    /// Seconds of inactivity before the Space sleeps: `POST /api/spaces/{repo_id}/sleeptime`.
    pub fn set_space_sleep_time(&self, repo_id: &str, sleep_time: u64) -> SpaceRuntimeRequest {
        self.runtime(repo_id, RuntimeOp::SleepTime(sleep_time))
    }

    /// Pauses a Space until it is restarted: `POST /api/spaces/{repo_id}/pause`.
    pub fn pause_space(&self, repo_id: &str) -> SpaceRuntimeRequest {
        self.runtime(repo_id, RuntimeOp::Pause)
    }

    /// Restarts a Space: `POST /api/spaces/{repo_id}/restart`.
    pub fn restart_space(&self, repo_id: &str) -> SpaceRuntimeRequest {
        self.runtime(repo_id, RuntimeOp::Restart)
    }

    /// Asks for persistent storage: `POST /api/spaces/{repo_id}/storage` (`{"tier"}`).
    pub fn request_space_storage(
        &self,
        repo_id: &str,
        storage: impl Into<SpaceStorage>,
    ) -> SpaceRuntimeRequest {
        self.runtime(repo_id, RuntimeOp::Storage(storage.into()))
    }

    /// Deletes the persistent storage (and its data): `DELETE /api/spaces/{repo_id}/storage`.
    pub fn delete_space_storage(&self, repo_id: &str) -> SpaceRuntimeRequest {
        self.runtime(repo_id, RuntimeOp::DeleteStorage)
    }
}

impl SpaceRuntimeRequest {
    /// The sleep time sent with a hardware request (`request_space_hardware` only).
    pub fn sleep_time(mut self, seconds: u64) -> Self {
        self.sleep_time = Some(seconds);
        self
    }

    /// Rebuilds from scratch, without cache (`restart_space` only; `factory=true`).
    pub fn factory_reboot(mut self, yes: bool) -> Self {
        self.factory_reboot = yes;
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for SpaceRuntimeRequest {
    type Output = Result<SpaceRuntime, Error>;
    type IntoFuture = BoxFuture<SpaceRuntime>;

    fn into_future(self) -> Self::IntoFuture {
        use hf_http::http::Method;
        Box::pin(async move {
            let (method, what, body) = match &self.op {
                RuntimeOp::Get => (Method::GET, "runtime", None),
                RuntimeOp::Hardware(h) => {
                    let mut body = json!({ "flavor": h });
                    if let Some(s) = self.sleep_time {
                        body["sleepTimeSeconds"] = json!(s);
                    }
                    (Method::POST, "hardware", Some(body))
                }
                RuntimeOp::SleepTime(s) => {
                    (Method::POST, "sleeptime", Some(json!({ "seconds": s })))
                }
                RuntimeOp::Pause => (Method::POST, "pause", None),
                RuntimeOp::Restart => (Method::POST, "restart", None),
                RuntimeOp::Storage(t) => (Method::POST, "storage", Some(json!({ "tier": t }))),
                RuntimeOp::DeleteStorage => (Method::DELETE, "storage", None),
            };
            let path = space_path(&self.repo_id, what)?;
            let mut req = request(&self.api, method, path, self.token.as_ref(), body.as_ref())?;
            if matches!(self.op, RuntimeOp::Restart) && self.factory_reboot {
                req = req.query(&[("factory", "true")])?;
            }
            req.send_json().await
        })
    }
}

/// The request built by [`HfApi::duplicate_space`]; resolves to the new Space's URL.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct DuplicateSpaceRequest {
    api: HfApi,
    from_id: String,
    to_id: Option<String>,
    private: Option<bool>,
    exist_ok: bool,
    hardware: Option<SpaceHardware>,
    storage: Option<SpaceStorage>,
    sleep_time: Option<u64>,
    secrets: Option<Vec<SpaceEntry>>,
    variables: Option<Vec<SpaceEntry>>,
    token: Option<Token>,
}

impl HfApi {
    /// Copies a Space: `POST /api/spaces/{from_id}/duplicate`. The target defaults to the
    /// token owner's namespace (one `whoami` call) and the source's name.
    ///
    /// Errors: [`Error::Conflict`] when the target exists (unless `exist_ok`).
    pub fn duplicate_space(&self, from_id: &str) -> DuplicateSpaceRequest {
        DuplicateSpaceRequest {
            api: self.clone(),
            from_id: from_id.to_owned(),
            to_id: None,
            private: None,
            exist_ok: false,
            hardware: None,
            storage: None,
            sleep_time: None,
            secrets: None,
            variables: None,
            token: None,
        }
    }
}

impl DuplicateSpaceRequest {
    /// The new Space's id (`name` or `namespace/name`).
    pub fn to_id(mut self, to_id: impl Into<String>) -> Self {
        self.to_id = Some(to_id.into());
        self
    }

    /// Visibility of the copy (default: the source's).
    pub fn private(mut self, private: bool) -> Self {
        self.private = Some(private);
        self
    }

    /// Succeeds when the target exists.
    pub fn exist_ok(mut self, exist_ok: bool) -> Self {
        self.exist_ok = exist_ok;
        self
    }

    /// Hardware of the copy.
    pub fn hardware(mut self, hardware: impl Into<SpaceHardware>) -> Self {
        self.hardware = Some(hardware.into());
        self
    }

    /// Persistent storage of the copy.
    pub fn storage(mut self, storage: impl Into<SpaceStorage>) -> Self {
        self.storage = Some(storage.into());
        self
    }

    /// Sleep time of the copy, in seconds.
    pub fn sleep_time(mut self, seconds: u64) -> Self {
        self.sleep_time = Some(seconds);
        self
    }

    /// Secrets of the copy.
    pub fn secrets(mut self, secrets: impl IntoIterator<Item = SpaceEntry>) -> Self {
        self.secrets = Some(secrets.into_iter().collect());
        self
    }

    /// Variables of the copy.
    pub fn variables(mut self, variables: impl IntoIterator<Item = SpaceEntry>) -> Self {
        self.variables = Some(variables.into_iter().collect());
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

#[derive(serde::Deserialize)]
struct UrlBody {
    url: String,
}

impl IntoFuture for DuplicateSpaceRequest {
    type Output = Result<RepoUrl, Error>;
    type IntoFuture = BoxFuture<RepoUrl>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let from = parse_repo_id(&self.from_id)?;
            let (ns, name) = match self.to_id.as_deref().map(parse_repo_id).transpose()? {
                Some(to) if to.namespace().is_some() => (
                    to.namespace().unwrap_or_default().to_owned(),
                    to.name().to_owned(),
                ),
                to => {
                    let who = self.api.whoami();
                    let who = match &self.token {
                        Some(t) => who.token(t.clone()),
                        None => who,
                    };
                    let name = to.map_or_else(|| from.name().to_owned(), |t| t.name().to_owned());
                    (who.await?.name, name)
                }
            };
            let target = parse_repo_id(&format!("{ns}/{name}"))?;
            let mut body = Map::new();
            body.insert("repository".into(), json!(target.as_str()));
            if let Some(p) = self.private {
                body.insert("private".into(), json!(p));
            }
            if let Some(h) = &self.hardware {
                body.insert("hardware".into(), json!(h));
            }
            if let Some(s) = &self.storage {
                body.insert("storageTier".into(), json!(s));
            }
            if let Some(s) = self.sleep_time {
                body.insert("sleepTimeSeconds".into(), json!(s));
            }
            if let Some(s) = &self.secrets {
                body.insert("secrets".into(), json!(s));
            }
            if let Some(v) = &self.variables {
                body.insert("variables".into(), json!(v));
            }
            let path = format!("/api/spaces/{}/duplicate", from.as_str());
            let res = request(
                &self.api,
                hf_http::http::Method::POST,
                path,
                self.token.as_ref(),
                Some(&Value::Object(body)),
            )?
            .send_json::<UrlBody>()
            .await;
            let url = match res {
                Ok(b) => b.url,
                // The Hub's 409 body carries the URL; ours is built the same way.
                Err(Error::Conflict(_)) if self.exist_ok => format!(
                    "{}/{}{}",
                    self.api.endpoint(),
                    RepoType::Space.url_prefix(),
                    target.as_str()
                ),
                Err(e) => return Err(e),
            };
            RepoUrl::parse_with_endpoint(&url, self.api.endpoint()).map_err(|e| {
                Error::InvalidResponse {
                    message: format!("the Hub answered with an unexpected Space URL {url:?}: {e}"),
                }
            })
        })
    }
}
