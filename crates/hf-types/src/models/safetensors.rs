//! Safetensors metadata: the summary in model info and the parsed file headers.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Parameter counts of a model's safetensors weights (`safetensors` of
/// `GET /api/models/{repo_id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SafeTensorsInfo {
    /// Number of parameters per dtype (`F32`, `BF16`, ...).
    #[serde(default)]
    pub parameters: BTreeMap<String, u64>,
    /// Total number of parameters.
    pub total: u64,
}

/// One tensor of a safetensors header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TensorInfo {
    /// Element type, e.g. `F32`, `BF16`, `I64`, `BOOL`.
    pub dtype: String,
    /// Shape; empty for a scalar.
    pub shape: Vec<u64>,
    /// Byte range `[begin, end)` of the tensor data, relative to the end of the header.
    pub data_offsets: (u64, u64),
}

impl TensorInfo {
    /// Number of elements (product of the shape; 1 for a scalar).
    pub fn parameter_count(&self) -> u64 {
        self.shape.iter().product()
    }
}

/// The parsed JSON header of one `.safetensors` file (read with a range request on
/// `/resolve/{rev}/{file}`: an 8-byte little-endian length, then this JSON).
///
/// The optional `__metadata__` key becomes [`metadata`](Self::metadata); every other
/// key is a tensor. Serializes back to the same header shape.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SafetensorsFileMetadata {
    /// Free-form string metadata (`__metadata__`).
    pub metadata: BTreeMap<String, String>,
    /// Tensors by name.
    pub tensors: BTreeMap<String, TensorInfo>,
}

const METADATA_KEY: &str = "__metadata__";

impl SafetensorsFileMetadata {
    /// Number of parameters per dtype in this file.
    pub fn parameter_count(&self) -> BTreeMap<String, u64> {
        let mut counts = BTreeMap::new();
        for tensor in self.tensors.values() {
            *counts.entry(tensor.dtype.clone()).or_insert(0) += tensor.parameter_count();
        }
        counts
    }
}

impl<'de> Deserialize<'de> for SafetensorsFileMetadata {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Entry {
            Tensor(TensorInfo),
            Metadata(BTreeMap<String, String>),
        }
        let raw = BTreeMap::<String, Entry>::deserialize(deserializer)?;
        let mut out = SafetensorsFileMetadata::default();
        for (name, entry) in raw {
            match (name.as_str(), entry) {
                (METADATA_KEY, Entry::Metadata(m)) => out.metadata = m,
                (METADATA_KEY, Entry::Tensor(_)) => {
                    return Err(serde::de::Error::custom(
                        "__metadata__ must be an object of strings",
                    ));
                }
                (_, Entry::Tensor(t)) => {
                    out.tensors.insert(name, t);
                }
                (_, Entry::Metadata(_)) => {
                    return Err(serde::de::Error::custom(format!(
                        "tensor {name:?} lacks dtype, shape or data_offsets"
                    )));
                }
            }
        }
        Ok(out)
    }
}

impl Serialize for SafetensorsFileMetadata {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let with_meta = usize::from(!self.metadata.is_empty());
        let mut map = serializer.serialize_map(Some(self.tensors.len() + with_meta))?;
        if with_meta == 1 {
            map.serialize_entry(METADATA_KEY, &self.metadata)?;
        }
        for (name, tensor) in &self.tensors {
            map.serialize_entry(name, tensor)?;
        }
        map.end()
    }
}

/// The `model.safetensors.index.json` file of a sharded checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SafetensorsIndex {
    /// Free-form metadata (often `total_size`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Tensor name to shard file name.
    pub weight_map: BTreeMap<String, String>,
}

/// Safetensors metadata of a whole repo, assembled by the client from
/// `model.safetensors` or from `model.safetensors.index.json` and its shards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SafetensorsRepoMetadata {
    /// The index's `metadata`, for sharded repos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Whether the weights are split across several files.
    pub sharded: bool,
    /// Tensor name to file name.
    #[serde(default)]
    pub weight_map: BTreeMap<String, String>,
    /// Parsed header of each file.
    #[serde(default)]
    pub files_metadata: BTreeMap<String, SafetensorsFileMetadata>,
}

impl SafetensorsRepoMetadata {
    /// Builds the repo view from its parts.
    pub fn new(
        metadata: Option<serde_json::Map<String, serde_json::Value>>,
        sharded: bool,
        weight_map: BTreeMap<String, String>,
        files_metadata: BTreeMap<String, SafetensorsFileMetadata>,
    ) -> SafetensorsRepoMetadata {
        SafetensorsRepoMetadata {
            metadata,
            sharded,
            weight_map,
            files_metadata,
        }
    }

    /// Number of parameters per dtype over all files.
    pub fn parameter_count(&self) -> BTreeMap<String, u64> {
        let mut counts = BTreeMap::new();
        for file in self.files_metadata.values() {
            for (dtype, n) in file.parameter_count() {
                *counts.entry(dtype).or_insert(0) += n;
            }
        }
        counts
    }
}
