//! Tag and metric catalogues: `get_model_tags`, `get_dataset_tags`, `list_metrics`.
//! Sent without a token, as the Python client does.

use std::future::IntoFuture;

use hf_http::auth::RequestAuth;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::HfApi;
use crate::error::Error;
use crate::request::{ApiRequest, BoxFuture};

/// A metric of the Hub's (legacy) metric catalogue (`GET /api/metrics`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MetricInfo {
    /// Metric id.
    pub id: String,
    /// The Space implementing it.
    pub space_id: String,
    /// What it measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Other keys, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The request built by [`HfApi::get_model_tags`], [`HfApi::get_dataset_tags`] and
/// [`HfApi::list_metrics`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct CatalogRequest<T> {
    api: HfApi,
    path: &'static str,
    kind: std::marker::PhantomData<fn() -> T>,
}

impl HfApi {
    fn catalog<T>(&self, path: &'static str) -> CatalogRequest<T> {
        CatalogRequest {
            api: self.clone(),
            path,
            kind: std::marker::PhantomData,
        }
    }

    /// Every model tag, by tag type: `GET /api/models-tags-by-type` (as sent).
    pub fn get_model_tags(&self) -> CatalogRequest<Map<String, Value>> {
        self.catalog("/api/models-tags-by-type")
    }

    /// Every dataset tag, by tag type: `GET /api/datasets-tags-by-type` (as sent).
    pub fn get_dataset_tags(&self) -> CatalogRequest<Map<String, Value>> {
        self.catalog("/api/datasets-tags-by-type")
    }

    /// The metric catalogue: `GET /api/metrics`.
    pub fn list_metrics(&self) -> CatalogRequest<Vec<MetricInfo>> {
        self.catalog("/api/metrics")
    }
}

impl<T: serde::de::DeserializeOwned + Send + 'static> IntoFuture for CatalogRequest<T> {
    type Output = Result<T, Error>;
    type IntoFuture = BoxFuture<T>;

    fn into_future(self) -> Self::IntoFuture {
        ApiRequest::get(&self.api, self.path)
            .auth(Some(RequestAuth::Disabled))
            .send_json()
    }
}
