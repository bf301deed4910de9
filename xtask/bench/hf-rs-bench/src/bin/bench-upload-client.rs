//! The Rust client of `cargo xtask bench upload`: creates the repo, then one
//! `upload_file` (`file`) or `upload_folder` (`folder`), with default settings.
//!
//! Usage: `bench-upload-client ENDPOINT TOKEN file|folder REPO PATH`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    hf_rs_bench::block_on(run())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [endpoint, token, case, repo, path] = &args[..] else {
        return Err("usage: bench-upload-client ENDPOINT TOKEN file|folder REPO PATH".into());
    };
    let api = hf_api::HfApiBuilder::new()
        .endpoint(endpoint)
        .token(hf_api::Token::new(token.as_str()).ok_or("invalid token")?)
        .build()?;
    api.create_repo(repo).exist_ok(true).await?;
    let path = PathBuf::from(path);
    // Tuning knobs for experiments (the benchmark itself uses the defaults).
    let mut transfer = hf_api::upload::TransferOptions::default();
    if let Some(n) = std::env::var("BENCH_PARTS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        transfer = transfer.max_concurrent_parts(n);
    }
    if let Some(n) = std::env::var("BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        transfer = transfer.max_concurrent_files(n);
    }
    if let Some(n) = std::env::var("BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        transfer = transfer.max_concurrent_requests(n);
    }
    if case == "file" {
        api.upload_file(repo, "big.bin", path.as_path())
            .transfer_options(transfer)
            .await?;
    } else {
        api.upload_folder(repo, path)
            .transfer_options(transfer)
            .await?;
    }
    Ok(())
}
