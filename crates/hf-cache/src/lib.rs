//! The Hugging Face Hub cache on disk, byte-compatible with the Python client's:
//! `models--ns--name/{blobs,refs,snapshots}`, `.no_exist` markers, `.locks`, cache scans
//! and deletion strategies, and `local_dir` metadata. std::fs only; no HTTP.
//!
//! Work in progress: the cache is filled by the downloads issue.
