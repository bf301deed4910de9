//! Repository lifecycle: `create_repo`, `delete_repo`, `move_repo`,
//! `update_repo_settings`, `update_repo_visibility`, `get_full_repo_name`.

use std::future::IntoFuture;

use hf_http::hub_error::NotFoundHint;
use hf_http::{Idempotency, Token};
use hf_types::{GatedMode, RepoId, RepoType, RepoUrl, SpaceHardware, SpaceSdk, SpaceStorage};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::{parse_repo_id, repo_api_path, token_auth};
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// A Space secret or variable given at creation (`key`, `value`, optional `description`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpaceEntry {
    /// The name.
    pub key: String,
    /// The value.
    pub value: String,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl SpaceEntry {
    /// An entry without description.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> SpaceEntry {
        SpaceEntry {
            key: key.into(),
            value: value.into(),
            description: None,
        }
    }

    /// Adds a description.
    pub fn description(mut self, description: impl Into<String>) -> SpaceEntry {
        self.description = Some(description.into());
        self
    }
}

/// `name` and `organization` (null when the id has no namespace) of a repo id.
fn name_and_org(id: &RepoId) -> (String, Value) {
    (
        id.name().to_owned(),
        id.namespace().map_or(Value::Null, |ns| json!(ns)),
    )
}

/// The URL of a repo, as the Hub writes it: `{endpoint}/{prefix}{repo_id}`.
fn local_repo_url(api: &HfApi, repo_type: RepoType, id: &RepoId) -> Result<RepoUrl, Error> {
    let url = format!(
        "{}/{}{}",
        api.endpoint(),
        repo_type.url_prefix(),
        id.as_str()
    );
    RepoUrl::parse_with_endpoint(&url, api.endpoint()).map_err(|e| {
        Error::invalid_argument(
            format!("could not build the URL of {id}"),
            Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
        )
    })
}

/// The request built by [`HfApi::create_repo`]; resolves to the repo's URL.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct CreateRepoRequest {
    api: HfApi,
    repo_id: String,
    repo_type: Option<RepoType>,
    private: bool,
    exist_ok: bool,
    resource_group_id: Option<String>,
    space_sdk: Option<SpaceSdk>,
    space_hardware: Option<SpaceHardware>,
    space_storage: Option<SpaceStorage>,
    space_sleep_time: Option<u64>,
    space_secrets: Vec<SpaceEntry>,
    space_variables: Vec<SpaceEntry>,
    token: Option<Token>,
}

impl HfApi {
    /// Creates a repo: `POST /api/repos/create`.
    ///
    /// Errors: [`Error::Conflict`] when it exists (unless `exist_ok`),
    /// [`Error::Forbidden`] when the token cannot create in that namespace,
    /// [`Error::InvalidArgument`] for a Space without `space_sdk`.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// let url = api.create_repo("me/my-model").private(true).exist_ok(true).await?;
    /// println!("{url}");
    /// # Ok(()) }
    /// ```
    pub fn create_repo(&self, repo_id: &str) -> CreateRepoRequest {
        CreateRepoRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            repo_type: None,
            private: false,
            exist_ok: false,
            resource_group_id: None,
            space_sdk: None,
            space_hardware: None,
            space_storage: None,
            space_sleep_time: None,
            space_secrets: Vec::new(),
            space_variables: Vec::new(),
            token: None,
        }
    }
}

impl CreateRepoRequest {
    /// The repo type (default: model; the `type` key is then omitted, as in Python).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = Some(repo_type);
        self
    }

    /// Creates it private (default `false`).
    pub fn private(mut self, private: bool) -> Self {
        self.private = private;
        self
    }

    /// Succeeds when it already exists (default `false`).
    pub fn exist_ok(mut self, exist_ok: bool) -> Self {
        self.exist_ok = exist_ok;
        self
    }

    /// The Enterprise resource group to create it in.
    pub fn resource_group_id(mut self, id: impl Into<String>) -> Self {
        self.resource_group_id = Some(id.into());
        self
    }

    /// The SDK of a Space (required for Spaces).
    pub fn space_sdk(mut self, sdk: impl Into<SpaceSdk>) -> Self {
        self.space_sdk = Some(sdk.into());
        self
    }

    /// The hardware of a Space.
    pub fn space_hardware(mut self, hardware: impl Into<SpaceHardware>) -> Self {
        self.space_hardware = Some(hardware.into());
        self
    }

    /// The persistent storage tier of a Space.
    pub fn space_storage(mut self, storage: impl Into<SpaceStorage>) -> Self {
        self.space_storage = Some(storage.into());
        self
    }

    /// Seconds of inactivity before a Space on upgraded hardware sleeps.
    pub fn space_sleep_time(mut self, seconds: u64) -> Self {
        self.space_sleep_time = Some(seconds);
        self
    }

    /// Secrets of a Space.
    pub fn space_secrets(mut self, secrets: impl IntoIterator<Item = SpaceEntry>) -> Self {
        self.space_secrets = secrets.into_iter().collect();
        self
    }

    /// Public variables of a Space.
    pub fn space_variables(mut self, variables: impl IntoIterator<Item = SpaceEntry>) -> Self {
        self.space_variables = variables.into_iter().collect();
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }

    fn body(&self, id: &RepoId) -> Result<Value, Error> {
        let (name, org) = name_and_org(id);
        let mut body = Map::new();
        body.insert("name".into(), json!(name));
        body.insert("organization".into(), org);
        body.insert("private".into(), json!(self.private));
        if let Some(t) = self.repo_type {
            body.insert("type".into(), json!(t.as_str()));
        }
        if self.repo_type == Some(RepoType::Space) {
            let Some(sdk) = &self.space_sdk else {
                return Err(Error::invalid_argument(
                    "a Space needs an SDK: call `.space_sdk(..)` with gradio, streamlit, docker or static",
                    None,
                ));
            };
            if sdk.is_unknown() {
                return Err(Error::invalid_argument(
                    format!(
                        "unknown Space SDK {:?}: use gradio, streamlit, docker or static",
                        sdk.as_str()
                    ),
                    None,
                ));
            }
            body.insert("sdk".into(), json!(sdk));
            if let Some(h) = &self.space_hardware {
                body.insert("hardware".into(), json!(h));
            }
            if let Some(s) = &self.space_storage {
                body.insert("storageTier".into(), json!(s));
            }
            if let Some(t) = self.space_sleep_time {
                body.insert("sleepTimeSeconds".into(), json!(t));
            }
            if !self.space_secrets.is_empty() {
                body.insert("secrets".into(), json!(self.space_secrets));
            }
            if !self.space_variables.is_empty() {
                body.insert("variables".into(), json!(self.space_variables));
            }
        }
        if let Some(g) = &self.resource_group_id {
            body.insert("resourceGroupId".into(), json!(g));
        }
        Ok(Value::Object(body))
    }
}

#[derive(serde::Deserialize)]
struct UrlBody {
    url: String,
}

/// The Hub's answer while another operation on the same repo is running.
const CONFLICTING_OPERATION: &str = "another conflicting operation is in progress";

impl IntoFuture for CreateRepoRequest {
    type Output = Result<RepoUrl, Error>;
    type IntoFuture = BoxFuture<RepoUrl>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let id = parse_repo_id(&self.repo_id)?;
            let body = self.body(&id)?;
            let repo_type = self.repo_type.unwrap_or_default();
            // The Hub asks to resend while a conflicting operation runs; Python loops
            // without bound, we give up after a few tries.
            let mut tries = 0;
            loop {
                tries += 1;
                let req =
                    ApiRequest::new(&self.api, hf_http::http::Method::POST, "/api/repos/create")
                        .auth(token_auth(self.token.as_ref()))
                        .idempotency(Idempotency::NotIdempotent)
                        .json_body(&body)?;
                match req.send_json::<UrlBody>().await {
                    Ok(b) => {
                        return RepoUrl::parse_with_endpoint(&b.url, self.api.endpoint()).map_err(
                            |e| {
                                Error::invalid_argument(
                                    format!(
                                        "the Hub answered with an unexpected repo URL {:?}",
                                        b.url
                                    ),
                                    Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
                                )
                            },
                        );
                    }
                    Err(Error::Conflict(e))
                        if e.server_message()
                            .is_some_and(|m| m.contains(CONFLICTING_OPERATION))
                            && tries < 10 => {}
                    Err(Error::Conflict(_)) if self.exist_ok => {
                        return local_repo_url(&self.api, repo_type, &id);
                    }
                    Err(Error::Forbidden(e)) if self.exist_ok => {
                        // No right to create here; fine if the repo is already there.
                        let info = self.api.repo_info(id.as_str()).repo_type(repo_type);
                        let info = match &self.token {
                            Some(t) => info.token(t.clone()),
                            None => info,
                        };
                        return match info.await {
                            Ok(_) => local_repo_url(&self.api, repo_type, &id),
                            Err(_) => Err(Error::Forbidden(e)),
                        };
                    }
                    Err(e) => return Err(e),
                }
            }
        })
    }
}

/// The request built by [`HfApi::delete_repo`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct DeleteRepoRequest {
    api: HfApi,
    repo_id: String,
    repo_type: Option<RepoType>,
    missing_ok: bool,
    token: Option<Token>,
}

impl HfApi {
    /// Deletes a repo: `DELETE /api/repos/delete` (with a JSON body). Cannot be undone.
    ///
    /// Errors: [`Error::RepositoryNotFound`] when it does not exist (unless `missing_ok`),
    /// [`Error::Forbidden`] without write access.
    pub fn delete_repo(&self, repo_id: &str) -> DeleteRepoRequest {
        DeleteRepoRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            repo_type: None,
            missing_ok: false,
            token: None,
        }
    }
}

impl DeleteRepoRequest {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = Some(repo_type);
        self
    }

    /// Succeeds when the repo does not exist (default `false`).
    pub fn missing_ok(mut self, missing_ok: bool) -> Self {
        self.missing_ok = missing_ok;
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for DeleteRepoRequest {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let id = parse_repo_id(&self.repo_id)?;
            let (name, org) = name_and_org(&id);
            let mut body = json!({"name": name, "organization": org});
            if let Some(t) = self.repo_type {
                body["type"] = json!(t.as_str());
            }
            let res = ApiRequest::new(
                &self.api,
                hf_http::http::Method::DELETE,
                "/api/repos/delete",
            )
            .auth(token_auth(self.token.as_ref()))
            .extension(NotFoundHint::Repository)
            .json_body(&body)?
            .send_unit()
            .await;
            match res {
                Err(Error::RepositoryNotFound(_)) if self.missing_ok => Ok(()),
                other => other,
            }
        })
    }
}

/// The request built by [`HfApi::move_repo`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct MoveRepoRequest {
    api: HfApi,
    from_id: String,
    to_id: String,
    repo_type: RepoType,
    token: Option<Token>,
}

impl HfApi {
    /// Renames or transfers a repo: `POST /api/repos/move`. Both ids need a namespace;
    /// the old name redirects to the new one afterwards.
    ///
    /// Errors: [`Error::Conflict`] when the target exists, [`Error::RepositoryNotFound`],
    /// [`Error::Forbidden`].
    pub fn move_repo(&self, from_id: &str, to_id: &str) -> MoveRepoRequest {
        MoveRepoRequest {
            api: self.clone(),
            from_id: from_id.to_owned(),
            to_id: to_id.to_owned(),
            repo_type: RepoType::Model,
            token: None,
        }
    }
}

impl MoveRepoRequest {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for MoveRepoRequest {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let from = parse_repo_id(&self.from_id)?;
            let to = parse_repo_id(&self.to_id)?;
            for id in [&from, &to] {
                if id.namespace().is_none() {
                    return Err(Error::invalid_argument(
                        format!("{id} has no namespace: `move_repo` needs `namespace/name` ids"),
                        None,
                    ));
                }
            }
            let body = json!({
                "fromRepo": from.as_str(),
                "toRepo": to.as_str(),
                "type": self.repo_type.as_str(),
            });
            ApiRequest::new(&self.api, hf_http::http::Method::POST, "/api/repos/move")
                .auth(token_auth(self.token.as_ref()))
                .extension(NotFoundHint::Repository)
                .json_body(&body)?
                .send_unit()
                .await
        })
    }
}

/// The request built by [`HfApi::update_repo_settings`] and
/// [`HfApi::update_repo_visibility`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct UpdateRepoSettingsRequest {
    api: HfApi,
    repo_id: String,
    repo_type: RepoType,
    gated: Option<GatedMode>,
    private: Option<bool>,
    token: Option<Token>,
}

impl HfApi {
    /// Changes gating and/or visibility: `PUT /api/{type}s/{repo_id}/settings`.
    ///
    /// Set at least one of `gated` (`GatedMode::Auto`, `Manual` or `Off`) and `private`.
    pub fn update_repo_settings(&self, repo_id: &str) -> UpdateRepoSettingsRequest {
        UpdateRepoSettingsRequest {
            api: self.clone(),
            repo_id: repo_id.to_owned(),
            repo_type: RepoType::Model,
            gated: None,
            private: None,
            token: None,
        }
    }

    /// Makes a repo private or public (the Python client's deprecated
    /// `update_repo_visibility`; same request as
    /// [`update_repo_settings`](HfApi::update_repo_settings) with `private`).
    pub fn update_repo_visibility(
        &self,
        repo_id: &str,
        private: bool,
    ) -> UpdateRepoSettingsRequest {
        self.update_repo_settings(repo_id).private(private)
    }
}

impl UpdateRepoSettingsRequest {
    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.repo_type = repo_type;
        self
    }

    /// Gating: `GatedMode::Auto`, `GatedMode::Manual` or `GatedMode::Off`.
    pub fn gated(mut self, gated: GatedMode) -> Self {
        self.gated = Some(gated);
        self
    }

    /// Visibility.
    pub fn private(mut self, private: bool) -> Self {
        self.private = Some(private);
        self
    }

    /// Uses this token instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for UpdateRepoSettingsRequest {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            super::not_for_kernels(self.repo_type, "settings to update")?;
            let id = parse_repo_id(&self.repo_id)?;
            let mut body = Map::new();
            match &self.gated {
                None => {}
                Some(GatedMode::Unknown(g)) => {
                    return Err(Error::invalid_argument(
                        format!("invalid gated mode {g:?}: use GatedMode::Auto, Manual or Off"),
                        None,
                    ));
                }
                Some(g) => {
                    body.insert("gated".into(), json!(g));
                }
            }
            if let Some(p) = self.private {
                body.insert("private".into(), json!(p));
            }
            if body.is_empty() {
                return Err(Error::invalid_argument(
                    "nothing to update: set `gated` and/or `private`",
                    None,
                ));
            }
            ApiRequest::new(
                &self.api,
                hf_http::http::Method::PUT,
                format!("{}/settings", repo_api_path(self.repo_type, &id)),
            )
            .auth(token_auth(self.token.as_ref()))
            .json_body(&Value::Object(body))?
            .send_unit()
            .await
        })
    }
}

/// The request built by [`HfApi::get_full_repo_name`]; resolves to `namespace/name`.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct FullRepoNameRequest {
    api: HfApi,
    model_id: String,
    organization: Option<String>,
    token: Option<Token>,
}

impl HfApi {
    /// The full `namespace/name` of a repo name: `{organization}/{model_id}` when an
    /// organization is given, `model_id` when it already has a namespace, else the
    /// token owner's name (one `whoami` call) before it.
    pub fn get_full_repo_name(&self, model_id: &str) -> FullRepoNameRequest {
        FullRepoNameRequest {
            api: self.clone(),
            model_id: model_id.to_owned(),
            organization: None,
            token: None,
        }
    }
}

impl FullRepoNameRequest {
    /// The organization (namespace) to put before the name.
    pub fn organization(mut self, organization: impl Into<String>) -> Self {
        self.organization = Some(organization.into());
        self
    }

    /// Uses this token (for `whoami`) instead of the client's.
    pub fn token(mut self, token: Token) -> Self {
        self.token = Some(token);
        self
    }
}

impl IntoFuture for FullRepoNameRequest {
    type Output = Result<String, Error>;
    type IntoFuture = BoxFuture<String>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            if let Some(org) = self.organization {
                return Ok(format!("{org}/{}", self.model_id));
            }
            if self.model_id.contains('/') {
                return Ok(self.model_id);
            }
            let who = self.api.whoami();
            let who = match self.token {
                Some(t) => who.token(t),
                None => who,
            };
            Ok(format!("{}/{}", who.await?.name, self.model_id))
        })
    }
}
