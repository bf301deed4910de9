//! Repo card metadata (the YAML header of README.md), as sent in `cardData`.
//!
//! README metadata is written by hand, so the known keys are typed leniently: a key
//! whose value does not fit its type stays in `extra` instead of failing the whole
//! payload, and every other key is kept in `extra` too.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::de::OneOrMany;

/// Removes `key` from `map` when its value fits `T`; otherwise leaves it there.
fn take<T: DeserializeOwned>(map: &mut Map<String, Value>, key: &str) -> Option<T> {
    let value = map.remove(key)?;
    if let Ok(typed) = T::deserialize(&value) {
        Some(typed)
    } else {
        map.insert(key.to_owned(), value);
        None
    }
}

macro_rules! card_data {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $key:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        #[serde(from = "Map<String, Value>", into = "Map<String, Value>")]
        #[non_exhaustive]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: Option<$ty>, )+
            /// Every other key, and known keys whose value had an unexpected type.
            pub extra: Map<String, Value>,
        }

        impl From<Map<String, Value>> for $name {
            fn from(mut map: Map<String, Value>) -> Self {
                $( let $field = take(&mut map, $key); )+
                $name { $( $field, )+ extra: map }
            }
        }

        impl From<$name> for Map<String, Value> {
            fn from(card: $name) -> Self {
                let mut map = card.extra;
                $(
                    if let Some(v) = card.$field.and_then(|v| serde_json::to_value(v).ok()) {
                        map.insert($key.to_owned(), v);
                    }
                )+
                map
            }
        }
    };
}

card_data! {
    /// Metadata of a model card (`cardData` of `GET /api/models/{repo_id}`).
    pub struct ModelCardData {
        /// Languages (`language`).
        language: OneOrMany<String> = "language",
        /// License identifier (`license`), e.g. `apache-2.0` or `other`.
        license: String = "license",
        /// Name of a custom license (`license_name`).
        license_name: String = "license_name",
        /// Link to a custom license (`license_link`).
        license_link: String = "license_link",
        /// Library the model is meant for (`library_name`).
        library_name: String = "library_name",
        /// Tags (`tags`).
        tags: OneOrMany<String> = "tags",
        /// Training datasets (`datasets`).
        datasets: OneOrMany<String> = "datasets",
        /// Metrics (`metrics`).
        metrics: OneOrMany<String> = "metrics",
        /// Base model(s) this one derives from (`base_model`).
        base_model: OneOrMany<String> = "base_model",
        /// Task (`pipeline_tag`).
        pipeline_tag: String = "pipeline_tag",
        /// Model name used in evaluation results (`model_name`).
        model_name: String = "model_name",
        /// Newer version of this model (`new_version`).
        new_version: String = "new_version",
        /// Thumbnail URL (`thumbnail`).
        thumbnail: String = "thumbnail",
        /// Evaluation results, as written (`model-index`).
        model_index: Value = "model-index",
        /// Widget examples, as written (`widget`).
        widget: Value = "widget",
        /// Inference widget settings, as written (`inference`: a bool or an object).
        inference: Value = "inference",
        /// CO2 emissions report, as written (`co2_eq_emissions`).
        co2_eq_emissions: Value = "co2_eq_emissions",
    }
}

card_data! {
    /// Metadata of a dataset card (`cardData` of `GET /api/datasets/{repo_id}`).
    pub struct DatasetCardData {
        /// Languages (`language`).
        language: OneOrMany<String> = "language",
        /// License identifier(s) (`license`).
        license: OneOrMany<String> = "license",
        /// How annotations were created (`annotations_creators`).
        annotations_creators: OneOrMany<String> = "annotations_creators",
        /// How the text was created (`language_creators`).
        language_creators: OneOrMany<String> = "language_creators",
        /// `monolingual`, `multilingual`, ... (`multilinguality`).
        multilinguality: OneOrMany<String> = "multilinguality",
        /// Size buckets, e.g. `10K<n<100K` (`size_categories`).
        size_categories: OneOrMany<String> = "size_categories",
        /// Source datasets (`source_datasets`).
        source_datasets: OneOrMany<String> = "source_datasets",
        /// Task categories (`task_categories`).
        task_categories: OneOrMany<String> = "task_categories",
        /// Task ids (`task_ids`).
        task_ids: OneOrMany<String> = "task_ids",
        /// Papers with Code id (`paperswithcode_id`).
        paperswithcode_id: String = "paperswithcode_id",
        /// Human-readable name (`pretty_name`).
        pretty_name: String = "pretty_name",
        /// Tags (`tags`).
        tags: OneOrMany<String> = "tags",
        /// Config names (`config_names`).
        config_names: OneOrMany<String> = "config_names",
        /// Data file configurations, as written (`configs`).
        configs: Value = "configs",
        /// Features and splits, as written (`dataset_info`).
        dataset_info: Value = "dataset_info",
        /// Evaluation settings, as written (`train-eval-index`).
        train_eval_index: Value = "train-eval-index",
    }
}

card_data! {
    /// Metadata of a Space card (`cardData` of `GET /api/spaces/{repo_id}`).
    pub struct SpaceCardData {
        /// Display title (`title`).
        title: String = "title",
        /// Emoji shown with the Space (`emoji`).
        emoji: String = "emoji",
        /// Gradient start colour (`colorFrom`).
        color_from: String = "colorFrom",
        /// Gradient end colour (`colorTo`).
        color_to: String = "colorTo",
        /// SDK: `gradio`, `streamlit`, `docker` or `static` (`sdk`).
        sdk: String = "sdk",
        /// SDK version (`sdk_version`).
        sdk_version: String = "sdk_version",
        /// Python version (`python_version`).
        python_version: String = "python_version",
        /// Entry point (`app_file`).
        app_file: String = "app_file",
        /// Port of a Docker Space (`app_port`).
        app_port: u64 = "app_port",
        /// License identifier (`license`).
        license: String = "license",
        /// Space this one was duplicated from (`duplicated_from`).
        duplicated_from: String = "duplicated_from",
        /// Models used (`models`).
        models: OneOrMany<String> = "models",
        /// Datasets used (`datasets`).
        datasets: OneOrMany<String> = "datasets",
        /// Tags (`tags`).
        tags: OneOrMany<String> = "tags",
        /// Whether the Space is pinned on its owner's profile (`pinned`).
        pinned: bool = "pinned",
        /// One-line description (`short_description`).
        short_description: String = "short_description",
    }
}
