//! A local Hugging Face Hub emulator (axum) for tests, benchmarks and the demo.
//! It writes the Hub's wire format by itself and depends on none of the client crates.
