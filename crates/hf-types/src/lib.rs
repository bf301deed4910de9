//! Plain data of the Hugging Face Hub: repo ids, repo types, revisions and every payload
//! the Hub API returns. Serde only: no I/O, no HTTP, no async runtime.
