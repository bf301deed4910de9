//! Uploads to the Hub: commit operations (add, delete, copy), sha256 hashing, upload-mode
//! negotiation (preupload), LFS batch transfers (basic and multipart) and the NDJSON
//! commit payload.
//!
//! Work in progress: filled by the uploads issue.
