//! Inference Endpoints, a separate service of the account
//! ([`INFERENCE_ENDPOINTS_URL`], set with
//! [`HfApiBuilder::inference_endpoints_url`](crate::HfApiBuilder::inference_endpoints_url)):
//! `list_inference_endpoints`, `get_inference_endpoint`, `create_inference_endpoint`,
//! `update_inference_endpoint`, `delete_inference_endpoint`, `pause_inference_endpoint`,
//! `resume_inference_endpoint`, `scale_to_zero_inference_endpoint`.
//!
//! The namespace defaults to the token owner's name, as in Python (an organization
//! token must name its namespace).
//!
//! ```no_run
//! # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
//! let endpoint = api
//!     .create_inference_endpoint("my-endpoint", "gpt2")
//!     .framework("pytorch")
//!     .compute("gpu", "x1", "nvidia-a10g")
//!     .provider("aws", "us-east-1")
//!     .await?;
//! println!("{} is {:?}", endpoint.name, endpoint.status.state);
//! api.pause_inference_endpoint("my-endpoint").await?;
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::future::IntoFuture;

use hf_http::http::Method;
use hf_http::{Idempotency, Token};
use hf_types::{AccountType, InferenceEndpoint, InferenceEndpointList};
use serde_json::{Map, Value, json};

use super::token_auth;
use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// The public Inference Endpoints API (Python's `INFERENCE_ENDPOINTS_ENDPOINT`).
pub const INFERENCE_ENDPOINTS_URL: &str = "https://api.endpoints.huggingface.cloud/v2";

/// One path segment, percent-encoded (namespaces and names are plain, but never trust).
fn segment(s: &str) -> String {
    crate::upload::commit::percent_encode(s)
}

/// `namespace` and `token` setters of a request type.
macro_rules! setters {
    ($ty:ty, $namespace_doc:literal) => {
        impl $ty {
            #[doc = $namespace_doc]
            pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
                self.namespace = Some(namespace.into());
                self
            }

            /// Uses this token instead of the client's.
            pub fn token(mut self, token: Token) -> Self {
                self.token = Some(token);
                self
            }
        }
    };
}

/// `whoami` with the call's token, if it has one.
async fn whoami(api: &HfApi, token: Option<&Token>) -> Result<hf_types::WhoAmI, Error> {
    let request = api.whoami();
    match token {
        Some(t) => request.token(t.clone()).await,
        None => request.await,
    }
}

/// The namespace to use: the given one, or the token owner's name (a user).
async fn namespace(
    api: &HfApi,
    given: Option<&str>,
    token: Option<&Token>,
) -> Result<String, Error> {
    if let Some(ns) = given {
        return Ok(ns.to_owned());
    }
    let me = whoami(api, token).await?;
    match me.account_type {
        Some(AccountType::User) | None => Ok(me.name),
        Some(_) => Err(Error::InvalidArgument {
            message: format!(
                "cannot tell the default namespace: the token belongs to {} (not a user); \
                 pass .namespace(...)",
                me.name
            ),
            source: None,
        }),
    }
}

/// The request built by [`HfApi::list_inference_endpoints`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct ListInferenceEndpointsRequest {
    api: HfApi,
    namespace: Option<String>,
    token: Option<Token>,
}

impl HfApi {
    /// The Inference Endpoints of a namespace (default: the token owner's):
    /// `GET {IE}/endpoint/{namespace}`. `.namespace("*")` lists the user's and those of
    /// every organization they belong to (organizations that refuse are skipped).
    pub fn list_inference_endpoints(&self) -> ListInferenceEndpointsRequest {
        ListInferenceEndpointsRequest {
            api: self.clone(),
            namespace: None,
            token: None,
        }
    }
}

setters!(
    ListInferenceEndpointsRequest,
    "The namespace, or `\"*\"` for the user and all their organizations."
);

async fn list_in(
    api: &HfApi,
    ns: &str,
    token: Option<&Token>,
) -> Result<Vec<InferenceEndpoint>, Error> {
    let url = format!("{}/endpoint/{}", api.inference_endpoints_url(), segment(ns));
    let list: InferenceEndpointList = ApiRequest::get(api, url)
        .auth(token_auth(token))
        .send_json()
        .await?;
    Ok(list.items)
}

impl IntoFuture for ListInferenceEndpointsRequest {
    type Output = Result<Vec<InferenceEndpoint>, Error>;
    type IntoFuture = BoxFuture<Vec<InferenceEndpoint>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let token = self.token.as_ref();
            if self.namespace.as_deref() != Some("*") {
                let ns = namespace(&self.api, self.namespace.as_deref(), token).await?;
                return list_in(&self.api, &ns, token).await;
            }
            let me = whoami(&self.api, token).await?;
            let mut all = list_in(&self.api, &me.name, token).await?;
            for org in &me.orgs {
                match list_in(&self.api, &org.name, token).await {
                    Ok(items) => all.extend(items),
                    // As in Python: an organization that does not let us list is skipped.
                    Err(Error::Unauthorized(_) | Error::Forbidden(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(all)
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Get,
    Create,
    Update,
    Pause,
    Resume,
    ScaleToZero,
}

/// The request built by [`HfApi::get_inference_endpoint`],
/// [`HfApi::create_inference_endpoint`], [`HfApi::update_inference_endpoint`],
/// [`HfApi::pause_inference_endpoint`], [`HfApi::resume_inference_endpoint`] and
/// [`HfApi::scale_to_zero_inference_endpoint`]; resolves to the endpoint as the service
/// returns it.
///
/// The settings are those of Python's `create_inference_endpoint` and
/// `update_inference_endpoint`. A create sends every setting (with Python's defaults:
/// 0 to 1 replicas, scale to zero after 15 minutes, type `protected`); an update sends
/// only the settings that were set.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct InferenceEndpointRequest {
    api: HfApi,
    op: Op,
    name: String,
    namespace: Option<String>,
    token: Option<Token>,
    running_ok: bool,
    repository: Option<String>,
    framework: Option<String>,
    accelerator: Option<String>,
    instance_size: Option<String>,
    instance_type: Option<String>,
    vendor: Option<String>,
    region: Option<String>,
    account_id: Option<String>,
    min_replica: Option<u64>,
    max_replica: Option<u64>,
    scale_to_zero_timeout: Option<u64>,
    revision: Option<String>,
    task: Option<String>,
    custom_image: Option<Value>,
    secrets: Option<BTreeMap<String, String>>,
    endpoint_type: Option<String>,
}

impl HfApi {
    fn inference_endpoint(&self, op: Op, name: &str) -> InferenceEndpointRequest {
        InferenceEndpointRequest {
            api: self.clone(),
            op,
            name: name.to_owned(),
            namespace: None,
            token: None,
            running_ok: true,
            repository: None,
            framework: None,
            accelerator: None,
            instance_size: None,
            instance_type: None,
            vendor: None,
            region: None,
            account_id: None,
            min_replica: None,
            max_replica: None,
            scale_to_zero_timeout: None,
            revision: None,
            task: None,
            custom_image: None,
            secrets: None,
            endpoint_type: None,
        }
    }

    /// One endpoint: `GET {IE}/endpoint/{namespace}/{name}`.
    pub fn get_inference_endpoint(&self, name: &str) -> InferenceEndpointRequest {
        self.inference_endpoint(Op::Get, name)
    }

    /// Creates an endpoint serving `repository`: `POST {IE}/endpoint/{namespace}`.
    /// `.framework(..)`, `.compute(..)` and `.provider(..)` are required, as in Python;
    /// without them the call fails before sending anything.
    pub fn create_inference_endpoint(
        &self,
        name: &str,
        repository: &str,
    ) -> InferenceEndpointRequest {
        let mut r = self.inference_endpoint(Op::Create, name);
        r.repository = Some(repository.to_owned());
        r
    }

    /// Changes the settings that are set on the request:
    /// `PUT {IE}/endpoint/{namespace}/{name}`.
    pub fn update_inference_endpoint(&self, name: &str) -> InferenceEndpointRequest {
        self.inference_endpoint(Op::Update, name)
    }

    /// Pauses an endpoint: `POST {IE}/endpoint/{namespace}/{name}/pause`.
    pub fn pause_inference_endpoint(&self, name: &str) -> InferenceEndpointRequest {
        self.inference_endpoint(Op::Pause, name)
    }

    /// Resumes a paused endpoint: `POST {IE}/endpoint/{namespace}/{name}/resume`. An
    /// endpoint already running is not an error (see
    /// [`running_ok`](InferenceEndpointRequest::running_ok)).
    pub fn resume_inference_endpoint(&self, name: &str) -> InferenceEndpointRequest {
        self.inference_endpoint(Op::Resume, name)
    }

    /// Scales an endpoint to zero replicas:
    /// `POST {IE}/endpoint/{namespace}/{name}/scale-to-zero`.
    pub fn scale_to_zero_inference_endpoint(&self, name: &str) -> InferenceEndpointRequest {
        self.inference_endpoint(Op::ScaleToZero, name)
    }

    /// Deletes an endpoint: `DELETE {IE}/endpoint/{namespace}/{name}`.
    pub fn delete_inference_endpoint(&self, name: &str) -> DeleteInferenceEndpointRequest {
        DeleteInferenceEndpointRequest {
            api: self.clone(),
            name: name.to_owned(),
            namespace: None,
            token: None,
        }
    }
}

setters!(
    InferenceEndpointRequest,
    "The namespace (default: the token owner's name)."
);

impl InferenceEndpointRequest {
    /// Resume only: whether an endpoint that is already running is fine (default
    /// `true`: its current state is returned).
    pub fn running_ok(mut self, running_ok: bool) -> Self {
        self.running_ok = running_ok;
        self
    }

    /// The model repository to serve.
    pub fn repository(mut self, repository: impl Into<String>) -> Self {
        self.repository = Some(repository.into());
        self
    }

    /// The framework, e.g. `pytorch`.
    pub fn framework(mut self, framework: impl Into<String>) -> Self {
        self.framework = Some(framework.into());
        self
    }

    /// The hardware: accelerator (`cpu`, `gpu`), instance size (`x1`) and type
    /// (`nvidia-a10g`).
    pub fn compute(
        mut self,
        accelerator: impl Into<String>,
        instance_size: impl Into<String>,
        instance_type: impl Into<String>,
    ) -> Self {
        self.accelerator = Some(accelerator.into());
        self.instance_size = Some(instance_size.into());
        self.instance_type = Some(instance_type.into());
        self
    }

    /// The accelerator alone (updates).
    pub fn accelerator(mut self, accelerator: impl Into<String>) -> Self {
        self.accelerator = Some(accelerator.into());
        self
    }

    /// The instance size alone (updates).
    pub fn instance_size(mut self, instance_size: impl Into<String>) -> Self {
        self.instance_size = Some(instance_size.into());
        self
    }

    /// The instance type alone (updates).
    pub fn instance_type(mut self, instance_type: impl Into<String>) -> Self {
        self.instance_type = Some(instance_type.into());
        self
    }

    /// The cloud vendor (`aws`) and region (`us-east-1`).
    pub fn provider(mut self, vendor: impl Into<String>, region: impl Into<String>) -> Self {
        self.vendor = Some(vendor.into());
        self.region = Some(region.into());
        self
    }

    /// The account of a private endpoint's link.
    pub fn account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into());
        self
    }

    /// Fewest replicas (create default 0).
    pub fn min_replica(mut self, n: u64) -> Self {
        self.min_replica = Some(n);
        self
    }

    /// Most replicas (create default 1).
    pub fn max_replica(mut self, n: u64) -> Self {
        self.max_replica = Some(n);
        self
    }

    /// Minutes without requests before scaling to zero (create default 15).
    pub fn scale_to_zero_timeout(mut self, minutes: u64) -> Self {
        self.scale_to_zero_timeout = Some(minutes);
        self
    }

    /// The model revision.
    pub fn revision(mut self, revision: impl Into<String>) -> Self {
        self.revision = Some(revision.into());
        self
    }

    /// The task, e.g. `text-generation`.
    pub fn task(mut self, task: impl Into<String>) -> Self {
        self.task = Some(task.into());
        self
    }

    /// A custom container image (sent as `{"custom": image}`).
    pub fn custom_image(mut self, image: Value) -> Self {
        self.custom_image = Some(image);
        self
    }

    /// Secrets given to the container.
    pub fn secrets<K: Into<String>, V: Into<String>>(
        mut self,
        secrets: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.secrets = Some(
            secrets
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// The access type: `public`, `protected` (create default) or `private`.
    pub fn endpoint_type(mut self, endpoint_type: impl Into<String>) -> Self {
        self.endpoint_type = Some(endpoint_type.into());
        self
    }

    /// The body of a create: every setting, Python's defaults for the unset ones.
    fn create_body(&self) -> Result<Value, Error> {
        let need = |v: &Option<String>, what: &str| {
            v.clone().ok_or_else(|| Error::InvalidArgument {
                message: format!("create_inference_endpoint({:?}) needs {what}", self.name),
                source: None,
            })
        };
        let framework = need(&self.framework, ".framework(..)")?;
        let accelerator = need(&self.accelerator, ".compute(accelerator, size, type)")?;
        let instance_size = need(&self.instance_size, ".compute(accelerator, size, type)")?;
        let instance_type = need(&self.instance_type, ".compute(accelerator, size, type)")?;
        let vendor = need(&self.vendor, ".provider(vendor, region)")?;
        let region = need(&self.region, ".provider(vendor, region)")?;
        let image = match &self.custom_image {
            Some(image) => json!({ "custom": image }),
            None => json!({ "huggingface": {} }),
        };
        let mut model = json!({
            "framework": framework,
            "repository": self.repository,
            "revision": self.revision,
            "task": self.task,
            "image": image,
        });
        if let Some(secrets) = self.secrets.as_ref().filter(|s| !s.is_empty()) {
            model["secrets"] = json!(secrets);
        }
        Ok(json!({
            "accountId": self.account_id,
            "compute": {
                "accelerator": accelerator,
                "instanceSize": instance_size,
                "instanceType": instance_type,
                "scaling": {
                    "maxReplica": self.max_replica.unwrap_or(1),
                    "minReplica": self.min_replica.unwrap_or(0),
                    "scaleToZeroTimeout": self.scale_to_zero_timeout.unwrap_or(15),
                },
            },
            "model": model,
            "name": self.name,
            "provider": { "region": region, "vendor": vendor },
            "type": self.endpoint_type.as_deref().unwrap_or("protected"),
        }))
    }

    /// The body of an update: only what was set, nested as in a create.
    fn update_body(&self) -> Value {
        let text = |v: &Option<String>| v.clone().map(Value::from);
        let set = |pairs: Vec<(&str, Option<Value>)>| -> Map<String, Value> {
            pairs
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
                .collect()
        };
        let scaling = set(vec![
            ("maxReplica", self.max_replica.map(Value::from)),
            ("minReplica", self.min_replica.map(Value::from)),
            (
                "scaleToZeroTimeout",
                self.scale_to_zero_timeout.map(Value::from),
            ),
        ]);
        let mut compute = set(vec![
            ("accelerator", text(&self.accelerator)),
            ("instanceSize", text(&self.instance_size)),
            ("instanceType", text(&self.instance_type)),
        ]);
        if !scaling.is_empty() {
            compute.insert("scaling".to_owned(), Value::Object(scaling));
        }
        let model = set(vec![
            ("repository", text(&self.repository)),
            ("framework", text(&self.framework)),
            ("revision", text(&self.revision)),
            ("task", text(&self.task)),
            (
                "image",
                self.custom_image.clone().map(|i| json!({ "custom": i })),
            ),
            ("secrets", self.secrets.as_ref().map(|s| json!(s))),
        ]);
        let body = set(vec![
            (
                "compute",
                (!compute.is_empty()).then_some(Value::Object(compute)),
            ),
            ("model", (!model.is_empty()).then_some(Value::Object(model))),
        ]);
        Value::Object(body)
    }
}

impl IntoFuture for InferenceEndpointRequest {
    type Output = Result<InferenceEndpoint, Error>;
    type IntoFuture = BoxFuture<InferenceEndpoint>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            // Bad input fails before any request (the whoami included).
            let create = if self.op == Op::Create {
                Some(self.create_body()?)
            } else {
                None
            };
            let token = self.token.as_ref();
            let ns = namespace(&self.api, self.namespace.as_deref(), token).await?;
            let base = format!(
                "{}/endpoint/{}",
                self.api.inference_endpoints_url(),
                segment(&ns)
            );
            let one = format!("{base}/{}", segment(&self.name));
            let request = match self.op {
                Op::Get => ApiRequest::get(&self.api, one),
                Op::Create => ApiRequest::new(&self.api, Method::POST, base)
                    .json_body(&create.expect("built above"))?,
                Op::Update => {
                    ApiRequest::new(&self.api, Method::PUT, one).json_body(&self.update_body())?
                }
                Op::Pause => ApiRequest::new(&self.api, Method::POST, format!("{one}/pause")),
                Op::Resume => ApiRequest::new(&self.api, Method::POST, format!("{one}/resume")),
                Op::ScaleToZero => {
                    ApiRequest::new(&self.api, Method::POST, format!("{one}/scale-to-zero"))
                }
            };
            let request = request.auth(token_auth(token));
            let request = match self.op {
                // Setting a state again does no harm.
                Op::Pause | Op::Resume | Op::ScaleToZero | Op::Update => {
                    request.idempotency(Idempotency::Idempotent)
                }
                Op::Get | Op::Create => request,
            };
            match request.send_json::<InferenceEndpoint>().await {
                Err(Error::BadRequest(e))
                    if self.op == Op::Resume
                        && self.running_ok
                        && e.to_string().contains("already running") =>
                {
                    get(&self.api, &ns, &self.name, token).await
                }
                other => other,
            }
        })
    }
}

/// `get_inference_endpoint` in a known namespace, with the call's token.
async fn get(
    api: &HfApi,
    ns: &str,
    name: &str,
    token: Option<&Token>,
) -> Result<InferenceEndpoint, Error> {
    let mut request = api.get_inference_endpoint(name).namespace(ns);
    request.token = token.cloned();
    request.await
}

/// The request built by [`HfApi::delete_inference_endpoint`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct DeleteInferenceEndpointRequest {
    api: HfApi,
    name: String,
    namespace: Option<String>,
    token: Option<Token>,
}

setters!(
    DeleteInferenceEndpointRequest,
    "The namespace (default: the token owner's name)."
);

impl IntoFuture for DeleteInferenceEndpointRequest {
    type Output = Result<(), Error>;
    type IntoFuture = BoxFuture<()>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let token = self.token.as_ref();
            let ns = namespace(&self.api, self.namespace.as_deref(), token).await?;
            let url = format!(
                "{}/endpoint/{}/{}",
                self.api.inference_endpoints_url(),
                segment(&ns),
                segment(&self.name)
            );
            ApiRequest::new(&self.api, Method::DELETE, url)
                .auth(token_auth(token))
                .send_unit()
                .await
        })
    }
}

/// The request built by [`HfApi::wait_inference_endpoint`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct WaitInferenceEndpointRequest {
    api: HfApi,
    name: String,
    namespace: Option<String>,
    token: Option<Token>,
    timeout: Option<std::time::Duration>,
    refresh_every: std::time::Duration,
}

impl HfApi {
    /// Waits until an endpoint is deployed and answers, like Python's
    /// `InferenceEndpoint.wait()`: polls [`get_inference_endpoint`](HfApi::get_inference_endpoint)
    /// until its state is `running` with a URL, then probes that URL until it answers
    /// (a 2xx, or a 401/403 of a protected endpoint: unlike Python, the probe never
    /// carries the token, which only goes to the Hub and the Endpoints API). A `failed`
    /// or `updateFailed` state ends the wait with an error.
    pub fn wait_inference_endpoint(&self, name: &str) -> WaitInferenceEndpointRequest {
        WaitInferenceEndpointRequest {
            api: self.clone(),
            name: name.to_owned(),
            namespace: None,
            token: None,
            timeout: None,
            refresh_every: std::time::Duration::from_secs(5),
        }
    }
}

setters!(
    WaitInferenceEndpointRequest,
    "The namespace (default: the token owner's name)."
);

impl WaitInferenceEndpointRequest {
    /// Gives up after this long (default: wait forever, as Python).
    pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time between two checks (default 5 s).
    pub fn refresh_every(mut self, every: std::time::Duration) -> Self {
        self.refresh_every = every;
        self
    }
}

/// Whether the deployed endpoint at `url` answers (see
/// [`HfApi::wait_inference_endpoint`]).
async fn answers(api: &HfApi, url: &str) -> bool {
    let probe = ApiRequest::get(api, url)
        .auth(Some(hf_http::auth::RequestAuth::Disabled))
        // One try per check: the wait loop is the retry.
        .idempotency(Idempotency::NotIdempotent)
        .send()
        .await;
    match probe {
        Ok(_) => true,
        Err(e) => matches!(e, Error::Unauthorized(_) | Error::Forbidden(_)),
    }
}

impl IntoFuture for WaitInferenceEndpointRequest {
    type Output = Result<InferenceEndpoint, Error>;
    type IntoFuture = BoxFuture<InferenceEndpoint>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let start = std::time::Instant::now();
            let ns = namespace(&self.api, self.namespace.as_deref(), self.token.as_ref()).await?;
            loop {
                let endpoint = get(&self.api, &ns, &self.name, self.token.as_ref()).await?;
                use hf_types::InferenceEndpointStatus as S;
                match (&endpoint.status.state, endpoint.status.url.as_deref()) {
                    (S::Failed | S::UpdateFailed, _) => {
                        return Err(Error::InferenceEndpointFailed {
                            message: format!(
                                "Inference Endpoint {ns}/{} failed to deploy ({}); see its logs \
                                 on the Hub",
                                self.name,
                                endpoint.status.message.as_deref().unwrap_or("no message")
                            ),
                        });
                    }
                    (S::Running, Some(url)) if answers(&self.api, url).await => {
                        return Ok(endpoint);
                    }
                    _ => {}
                }
                if self.timeout.is_some_and(|t| start.elapsed() >= t) {
                    return Err(Error::InferenceEndpointTimeout {
                        message: format!(
                            "Inference Endpoint {ns}/{} is still {:?} after {:?}; wait longer \
                             or check it on the Hub",
                            self.name,
                            endpoint.status.state,
                            self.timeout.unwrap_or_default()
                        ),
                    });
                }
                tokio::time::sleep(self.refresh_every).await;
            }
        })
    }
}
