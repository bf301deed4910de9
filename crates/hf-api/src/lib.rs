//! A Rust client for the Hugging Face Hub: `HfApi` with the Python client's methods,
//! downloads into the shared cache, uploads and commits, and a blocking mirror.
