//! Integration tests of hf-lfs: one binary, one module per area.

mod hashing;
mod paths;
mod payload;
mod server;
mod testhub;
mod upload;
