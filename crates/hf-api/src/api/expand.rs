//! Typed `expand` property names for info and listing calls, one enum per repo type
//! (the values the 0.26.5 client accepts).
//!
//! When `expand` is used, the Hub returns only `id` plus the expanded properties.

/// A property name that can be sent as `expand=`.
pub trait ExpandProperty: Copy + Send + Sync + 'static {
    /// The wire name.
    fn as_str(self) -> &'static str;
}

macro_rules! expand_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $(
                #[doc = concat!("`", $wire, "`")]
                $variant,
            )+
        }

        impl $name {
            /// Every property, in the order of the Python client's list.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
        }

        impl ExpandProperty for $name {
            fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

expand_enum! {
    /// A model property for `expand` (`model_info`, `list_models`).
    ExpandModelProperty {
        Author = "author",
        BaseModels = "baseModels",
        CardData = "cardData",
        ChildrenModelCount = "childrenModelCount",
        Config = "config",
        CreatedAt = "createdAt",
        Disabled = "disabled",
        Downloads = "downloads",
        DownloadsAllTime = "downloadsAllTime",
        Gated = "gated",
        Gguf = "gguf",
        Inference = "inference",
        LastModified = "lastModified",
        LibraryName = "library_name",
        Likes = "likes",
        MaskToken = "mask_token",
        ModelIndex = "model-index",
        PipelineTag = "pipeline_tag",
        Private = "private",
        Safetensors = "safetensors",
        Sha = "sha",
        Siblings = "siblings",
        Spaces = "spaces",
        Tags = "tags",
        TransformersInfo = "transformersInfo",
        TrendingScore = "trendingScore",
        WidgetData = "widgetData",
    }
}

expand_enum! {
    /// A dataset property for `expand` (`dataset_info`, `list_datasets`).
    ExpandDatasetProperty {
        Author = "author",
        CardData = "cardData",
        Citation = "citation",
        CreatedAt = "createdAt",
        Disabled = "disabled",
        Description = "description",
        Downloads = "downloads",
        DownloadsAllTime = "downloadsAllTime",
        Gated = "gated",
        LastModified = "lastModified",
        Likes = "likes",
        PaperswithcodeId = "paperswithcode_id",
        Private = "private",
        Siblings = "siblings",
        Sha = "sha",
        TrendingScore = "trendingScore",
        Tags = "tags",
    }
}

expand_enum! {
    /// A Space property for `expand` (`space_info`, `list_spaces`).
    ExpandSpaceProperty {
        Author = "author",
        CardData = "cardData",
        CreatedAt = "createdAt",
        Datasets = "datasets",
        Disabled = "disabled",
        LastModified = "lastModified",
        Likes = "likes",
        Models = "models",
        Private = "private",
        Runtime = "runtime",
        Sdk = "sdk",
        Siblings = "siblings",
        Sha = "sha",
        Subdomain = "subdomain",
        Tags = "tags",
        TrendingScore = "trendingScore",
    }
}

pub(crate) fn names<P: ExpandProperty>(props: impl IntoIterator<Item = P>) -> Vec<String> {
    props.into_iter().map(|p| p.as_str().to_owned()).collect()
}
