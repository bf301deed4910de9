//! Repository listings: `list_models`, `list_datasets`, `list_spaces`. Each is a lazy
//! [`Stream`](futures_util::Stream) following `Link` pagination.

use futures_util::StreamExt;
use hf_http::Token;
use hf_types::{DatasetInfo, InferenceStatus, ModelInfo, SpaceInfo};

use super::expand::{ExpandDatasetProperty, ExpandModelProperty, ExpandSpaceProperty, names};
use super::{BoxStream, StreamSlot, error_stream, listing, paginate, push_all, py_bool, strings};
use crate::client::HfApi;
use crate::error::Error;

/// Options every listing shares.
#[derive(Debug, Clone, Default)]
struct Common {
    filter: Vec<String>,
    author: Option<String>,
    search: Vec<String>,
    sort: Option<String>,
    direction: Option<i32>,
    limit: Option<usize>,
    full: bool,
    token: Option<Token>,
}

impl Common {
    /// `filter`, then `author`, `search`, `sort`, `direction`, `limit`.
    fn query(&self, filter: Vec<String>, search: Vec<String>) -> Vec<(String, String)> {
        let mut q = Vec::new();
        push_all(&mut q, "filter", &filter);
        if let Some(a) = self.author.as_deref().filter(|a| !a.is_empty()) {
            q.push(("author".into(), a.to_owned()));
        }
        push_all(&mut q, "search", &search);
        if let Some(s) = &self.sort {
            let s = if s == "last_modified" {
                "lastModified"
            } else {
                s
            };
            q.push(("sort".into(), s.to_owned()));
        }
        if let Some(d) = self.direction {
            q.push(("direction".into(), d.to_string()));
        }
        if let Some(l) = self.limit {
            q.push(("limit".into(), l.to_string()));
        }
        q
    }
}

/// Setters shared by the three listing builders.
macro_rules! common_setters {
    () => {
        /// Keeps repos with all these tags (repeated `filter`).
        pub fn filter<I, S>(mut self, filter: I) -> Self
        where
            I: IntoIterator<Item = S>,
            S: Into<String>,
        {
            self.common.filter = strings(filter);
            self
        }

        /// Keeps repos of this user or organization.
        pub fn author(mut self, author: impl Into<String>) -> Self {
            self.common.author = Some(author.into());
            self
        }

        /// Keeps repos whose id contains this text.
        pub fn search(mut self, search: impl Into<String>) -> Self {
            self.common.search = vec![search.into()];
            self
        }

        /// Sorts by this property (`downloads`, `likes`, `lastModified` (or
        /// `last_modified`), `createdAt`, `trendingScore`, ...).
        pub fn sort(mut self, sort: impl Into<String>) -> Self {
            self.common.sort = Some(sort.into());
            self
        }

        /// `-1` sorts descending; anything else ascending.
        pub fn direction(mut self, direction: i32) -> Self {
            self.common.direction = Some(direction);
            self
        }

        /// Stops after this many repos (also sent to the Hub); no further page is fetched.
        pub fn limit(mut self, limit: usize) -> Self {
            self.common.limit = Some(limit);
            self
        }

        /// Returns every property the Hub has for each repo (`full=True`).
        pub fn full(mut self, full: bool) -> Self {
            self.common.full = full;
            self
        }

        /// Uses this token instead of the client's (private repos of its owner appear).
        pub fn token(mut self, token: Token) -> Self {
            self.common.token = Some(token);
            self
        }
    };
}

/// The listing built by [`HfApi::list_models`].
#[must_use = "a listing does nothing until it is polled"]
#[derive(Debug, Clone)]
pub struct ListModelsRequest {
    api: HfApi,
    common: Common,
    gated: Option<bool>,
    inference: Option<InferenceStatus>,
    library: Vec<String>,
    language: Vec<String>,
    model_name: Option<String>,
    task: Vec<String>,
    trained_dataset: Vec<String>,
    tags: Vec<String>,
    pipeline_tag: Option<String>,
    emissions_thresholds: Option<(Option<f64>, Option<f64>)>,
    expand: Vec<ExpandModelProperty>,
    card_data: bool,
    fetch_config: bool,
    started: StreamSlot<ModelInfo>,
}

impl HfApi {
    /// Models on the Hub: `GET /api/models`, paginated lazily.
    ///
    /// ```no_run
    /// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
    /// use futures_util::TryStreamExt;
    /// let mut models = api.list_models().author("google").sort("downloads").direction(-1).limit(10);
    /// while let Some(m) = models.try_next().await? {
    ///     println!("{}", m.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_models(&self) -> ListModelsRequest {
        ListModelsRequest {
            api: self.clone(),
            common: Common::default(),
            gated: None,
            inference: None,
            library: Vec::new(),
            language: Vec::new(),
            model_name: None,
            task: Vec::new(),
            trained_dataset: Vec::new(),
            tags: Vec::new(),
            pipeline_tag: None,
            emissions_thresholds: None,
            expand: Vec::new(),
            card_data: false,
            fetch_config: false,
            started: StreamSlot::default(),
        }
    }
}

impl ListModelsRequest {
    common_setters!();

    /// Keeps gated (`true`) or non-gated (`false`) models.
    pub fn gated(mut self, gated: bool) -> Self {
        self.gated = Some(gated);
        self
    }

    /// Keeps models with this inference status (`warm`, `cold`, `frozen`).
    pub fn inference(mut self, inference: impl Into<InferenceStatus>) -> Self {
        self.inference = Some(inference.into());
        self
    }

    /// Keeps models of these libraries (added to `filter`).
    pub fn library<I: IntoIterator<Item = S>, S: Into<String>>(mut self, library: I) -> Self {
        self.library = strings(library);
        self
    }

    /// Keeps models in these languages (added to `filter`).
    pub fn language<I: IntoIterator<Item = S>, S: Into<String>>(mut self, language: I) -> Self {
        self.language = strings(language);
        self
    }

    /// Keeps models whose name contains this text (the first `search`).
    pub fn model_name(mut self, name: impl Into<String>) -> Self {
        self.model_name = Some(name.into());
        self
    }

    /// Keeps models for these tasks (added to `filter`).
    pub fn task<I: IntoIterator<Item = S>, S: Into<String>>(mut self, task: I) -> Self {
        self.task = strings(task);
        self
    }

    /// Keeps models trained on these datasets (`dataset:` is prepended when missing).
    pub fn trained_dataset<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        datasets: I,
    ) -> Self {
        self.trained_dataset = strings(datasets);
        self
    }

    /// Keeps models with these tags (added last to `filter`).
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.tags = strings(tags);
        self
    }

    /// Keeps models with this pipeline tag.
    pub fn pipeline_tag(mut self, tag: impl Into<String>) -> Self {
        self.pipeline_tag = Some(tag.into());
        self
    }

    /// Keeps models whose card reports CO2 emissions (grams) within `[min, max]`
    /// (filtered here, from `cardData`; needs `cardData(true)`).
    pub fn emissions_thresholds(mut self, min: Option<f64>, max: Option<f64>) -> Self {
        self.emissions_thresholds = Some((min, max));
        self
    }

    /// Returns only these properties (and the id); excludes `full`, `cardData` and
    /// `fetch_config`.
    pub fn expand(mut self, props: impl IntoIterator<Item = ExpandModelProperty>) -> Self {
        self.expand = props.into_iter().collect();
        self
    }

    /// Also returns the model cards' metadata (`cardData=True`).
    #[allow(non_snake_case)]
    pub fn cardData(mut self, yes: bool) -> Self {
        self.card_data = yes;
        self
    }

    /// Also returns each model's config (`config=True`).
    pub fn fetch_config(mut self, yes: bool) -> Self {
        self.fetch_config = yes;
        self
    }

    fn make_stream(&self) -> BoxStream<ModelInfo> {
        if !self.expand.is_empty() && (self.common.full || self.card_data || self.fetch_config) {
            return error_stream(Error::invalid_argument(
                "`expand` cannot be used together with `full`, `cardData` or `fetch_config`",
                None,
            ));
        }
        if self.emissions_thresholds.is_some() && !self.card_data {
            return error_stream(Error::invalid_argument(
                "`emissions_thresholds` needs `cardData(true)` (emissions are read from the model cards)",
                None,
            ));
        }
        let mut filter = self.common.filter.clone();
        filter.extend(self.library.iter().cloned());
        filter.extend(self.task.iter().cloned());
        filter.extend(self.trained_dataset.iter().map(|d| {
            if d.starts_with("dataset:") {
                d.clone()
            } else {
                format!("dataset:{d}")
            }
        }));
        filter.extend(self.language.iter().cloned());
        filter.extend(self.tags.iter().cloned());
        let mut search: Vec<String> = self.model_name.iter().cloned().collect();
        search.extend(self.common.search.iter().cloned());
        let mut q = self.common.query(filter, search);
        if let Some(g) = self.gated {
            q.push(("gated".into(), py_bool(g)));
        }
        if let Some(i) = &self.inference {
            q.push(("inference".into(), i.as_str().to_owned()));
        }
        if let Some(p) = self.pipeline_tag.as_deref().filter(|p| !p.is_empty()) {
            q.push(("pipeline_tag".into(), p.to_owned()));
        }
        if self.common.full {
            q.push(("full".into(), py_bool(true)));
        }
        if self.fetch_config {
            q.push(("config".into(), py_bool(true)));
        }
        if self.card_data {
            q.push(("cardData".into(), py_bool(true)));
        }
        push_all(&mut q, "expand", &names(self.expand.iter().copied()));
        let stream = paginate::<ModelInfo>(
            &self.api,
            "/api/models",
            &q,
            super::token_auth(self.common.token.as_ref()),
            None,
            self.common.limit,
        );
        match self.emissions_thresholds {
            None => stream,
            Some((min, max)) => Box::pin(stream.filter(move |m| {
                std::future::ready(match m {
                    Ok(m) => emissions_within(m, min, max),
                    Err(_) => true,
                })
            })),
        }
    }
}

listing!(ListModelsRequest, ModelInfo);

/// Whether the card's `co2_eq_emissions` (a number, a text, or `{emissions: ..}`) is
/// within `[min, max]`; cards without it never match (as in Python).
fn emissions_within(model: &ModelInfo, min: Option<f64>, max: Option<f64>) -> bool {
    let Some(value) = model
        .card_data
        .as_ref()
        .and_then(|c| c.co2_eq_emissions.as_ref())
    else {
        return false;
    };
    let value = match value {
        serde_json::Value::Object(o) => o.get("emissions").cloned().unwrap_or_default(),
        v => v.clone(),
    };
    let text = match &value {
        serde_json::Value::Null | serde_json::Value::Bool(false) => return false,
        serde_json::Value::String(s) if s.is_empty() => return false,
        serde_json::Value::Number(n) if n.as_f64() == Some(0.0) => return false,
        serde_json::Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    let Some(number) = first_number(&text) else {
        return false;
    };
    min.unwrap_or(-1.0) <= number && number <= max.unwrap_or(f64::INFINITY)
}

/// The first `\d+\.\d+|\d+` of a text.
fn first_number(text: &str) -> Option<f64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let int_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let mut end = int_end;
    if rest[int_end..].starts_with('.') {
        let frac = &rest[int_end + 1..];
        let frac_len = frac
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(frac.len());
        if frac_len > 0 {
            end = int_end + 1 + frac_len;
        }
    }
    rest[..end].parse().ok()
}

/// The listing built by [`HfApi::list_datasets`].
#[must_use = "a listing does nothing until it is polled"]
#[derive(Debug, Clone)]
pub struct ListDatasetsRequest {
    api: HfApi,
    common: Common,
    benchmark: Vec<String>,
    dataset_name: Option<String>,
    gated: Option<bool>,
    language_creators: Vec<String>,
    language: Vec<String>,
    multilinguality: Vec<String>,
    size_categories: Vec<String>,
    tags: Vec<String>,
    task_categories: Vec<String>,
    task_ids: Vec<String>,
    expand: Vec<ExpandDatasetProperty>,
    started: StreamSlot<DatasetInfo>,
}

impl HfApi {
    /// Datasets on the Hub: `GET /api/datasets`, paginated lazily.
    pub fn list_datasets(&self) -> ListDatasetsRequest {
        ListDatasetsRequest {
            api: self.clone(),
            common: Common::default(),
            benchmark: Vec::new(),
            dataset_name: None,
            gated: None,
            language_creators: Vec::new(),
            language: Vec::new(),
            multilinguality: Vec::new(),
            size_categories: Vec::new(),
            tags: Vec::new(),
            task_categories: Vec::new(),
            task_ids: Vec::new(),
            expand: Vec::new(),
            started: StreamSlot::default(),
        }
    }
}

macro_rules! prefixed_setters {
    ($($(#[$m:meta])* $name:ident),+ $(,)?) => {
        $(
            $(#[$m])*
            pub fn $name<I: IntoIterator<Item = S>, S: Into<String>>(mut self, values: I) -> Self {
                self.$name = strings(values);
                self
            }
        )+
    };
}

impl ListDatasetsRequest {
    common_setters!();

    prefixed_setters!(
        /// Keeps datasets of these benchmarks (`benchmark:` is prepended when missing).
        benchmark,
        /// Keeps datasets with these language creators (`language_creators:` prefix).
        language_creators,
        /// Keeps datasets in these languages (`language:` prefix).
        language,
        /// Keeps datasets of this multilinguality (`multilinguality:` prefix).
        multilinguality,
        /// Keeps datasets in these size buckets (`size_categories:` prefix).
        size_categories,
        /// Keeps datasets of these task categories (`task_categories:` prefix).
        task_categories,
        /// Keeps datasets of these task ids (`task_ids:` prefix).
        task_ids,
        /// Keeps datasets with these tags (added last to `filter`, unprefixed).
        tags,
    );

    /// Keeps datasets whose name contains this text (the first `search`).
    pub fn dataset_name(mut self, name: impl Into<String>) -> Self {
        self.dataset_name = Some(name.into());
        self
    }

    /// Keeps gated (`true`) or non-gated (`false`) datasets.
    pub fn gated(mut self, gated: bool) -> Self {
        self.gated = Some(gated);
        self
    }

    /// Returns only these properties (and the id); excludes `full`.
    pub fn expand(mut self, props: impl IntoIterator<Item = ExpandDatasetProperty>) -> Self {
        self.expand = props.into_iter().collect();
        self
    }

    fn make_stream(&self) -> BoxStream<DatasetInfo> {
        if !self.expand.is_empty() && self.common.full {
            return error_stream(Error::invalid_argument(
                "`expand` cannot be used together with `full`",
                None,
            ));
        }
        let mut filter = self.common.filter.clone();
        for (key, values) in [
            ("benchmark", &self.benchmark),
            ("language_creators", &self.language_creators),
            ("language", &self.language),
            ("multilinguality", &self.multilinguality),
            ("size_categories", &self.size_categories),
            ("task_categories", &self.task_categories),
            ("task_ids", &self.task_ids),
        ] {
            let prefix = format!("{key}:");
            filter.extend(values.iter().map(|v| {
                if v.starts_with(&prefix) {
                    v.clone()
                } else {
                    format!("{prefix}{v}")
                }
            }));
        }
        filter.extend(self.tags.iter().cloned());
        let mut search: Vec<String> = self.dataset_name.iter().cloned().collect();
        search.extend(self.common.search.iter().cloned());
        let mut q = self.common.query(filter, search);
        if let Some(g) = self.gated {
            q.push(("gated".into(), py_bool(g)));
        }
        push_all(&mut q, "expand", &names(self.expand.iter().copied()));
        if self.common.full {
            q.push(("full".into(), py_bool(true)));
        }
        paginate(
            &self.api,
            "/api/datasets",
            &q,
            super::token_auth(self.common.token.as_ref()),
            None,
            self.common.limit,
        )
    }
}

listing!(ListDatasetsRequest, DatasetInfo);

/// The listing built by [`HfApi::list_spaces`].
#[must_use = "a listing does nothing until it is polled"]
#[derive(Debug, Clone)]
pub struct ListSpacesRequest {
    api: HfApi,
    common: Common,
    datasets: Vec<String>,
    models: Vec<String>,
    linked: bool,
    expand: Vec<ExpandSpaceProperty>,
    started: StreamSlot<SpaceInfo>,
}

impl HfApi {
    /// Spaces on the Hub: `GET /api/spaces`, paginated lazily.
    pub fn list_spaces(&self) -> ListSpacesRequest {
        ListSpacesRequest {
            api: self.clone(),
            common: Common::default(),
            datasets: Vec::new(),
            models: Vec::new(),
            linked: false,
            expand: Vec::new(),
            started: StreamSlot::default(),
        }
    }
}

impl ListSpacesRequest {
    common_setters!();

    /// Keeps Spaces that use these datasets (repeated `datasets`).
    pub fn datasets<I: IntoIterator<Item = S>, S: Into<String>>(mut self, datasets: I) -> Self {
        self.datasets = strings(datasets);
        self
    }

    /// Keeps Spaces that use these models (repeated `models`).
    pub fn models<I: IntoIterator<Item = S>, S: Into<String>>(mut self, models: I) -> Self {
        self.models = strings(models);
        self
    }

    /// Keeps Spaces linked to a model or dataset.
    pub fn linked(mut self, linked: bool) -> Self {
        self.linked = linked;
        self
    }

    /// Returns only these properties (and the id); excludes `full`.
    pub fn expand(mut self, props: impl IntoIterator<Item = ExpandSpaceProperty>) -> Self {
        self.expand = props.into_iter().collect();
        self
    }

    fn make_stream(&self) -> BoxStream<SpaceInfo> {
        if !self.expand.is_empty() && self.common.full {
            return error_stream(Error::invalid_argument(
                "`expand` cannot be used together with `full`",
                None,
            ));
        }
        let mut q = self
            .common
            .query(self.common.filter.clone(), self.common.search.clone());
        if self.linked {
            q.push(("linked".into(), py_bool(true)));
        }
        push_all(&mut q, "datasets", &self.datasets);
        push_all(&mut q, "models", &self.models);
        push_all(&mut q, "expand", &names(self.expand.iter().copied()));
        if self.common.full {
            q.push(("full".into(), py_bool(true)));
        }
        paginate(
            &self.api,
            "/api/spaces",
            &q,
            super::token_auth(self.common.token.as_ref()),
            None,
            self.common.limit,
        )
    }
}

listing!(ListSpacesRequest, SpaceInfo);

#[cfg(test)]
mod tests {
    use super::{emissions_within, first_number};
    use hf_types::ModelInfo;

    fn model(card: serde_json::Value) -> ModelInfo {
        serde_json::from_value(serde_json::json!({"id": "a/b", "cardData": card})).unwrap()
    }

    #[test]
    fn emissions_are_read_like_python() {
        let m = model(serde_json::json!({"co2_eq_emissions": 12.5}));
        assert!(emissions_within(&m, Some(10.0), Some(20.0)));
        assert!(!emissions_within(&m, None, Some(10.0)));
        let m = model(serde_json::json!({"co2_eq_emissions": {"emissions": "150 g"}}));
        assert!(emissions_within(&m, Some(100.0), None));
        let m = model(serde_json::json!({"co2_eq_emissions": 0}));
        assert!(!emissions_within(&m, None, None));
        let m = model(serde_json::json!({"license": "mit"}));
        assert!(!emissions_within(&m, None, None));
    }

    #[test]
    fn first_number_matches_the_python_regex() {
        assert_eq!(first_number("12.5 g"), Some(12.5));
        assert_eq!(first_number("about 7"), Some(7.0));
        assert_eq!(first_number("3."), Some(3.0));
        assert_eq!(first_number("none"), None);
    }
}
