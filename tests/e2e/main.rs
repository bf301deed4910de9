//! End-to-end tests: the client crates against a live `hf-testhub` on 127.0.0.1.
//!
//! One test binary for the whole suite, so the workspace links it once.
