//! `hf-hub-compare ENDPOINT CACHE_DIR OWNER/NAME (snapshot | file NAME)`: one download
//! with the `hf-hub` crate 1.0.0, for `cargo xtask bench download`.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [endpoint, cache, repo, mode, rest @ ..] = args.as_slice() else {
        return Err(
            "usage: hf-hub-compare ENDPOINT CACHE_DIR OWNER/NAME (snapshot | file NAME)".into(),
        );
    };
    let (owner, name) = repo.split_once('/').ok_or("repo must be OWNER/NAME")?;
    let client = hf_hub::HFClient::builder()
        .endpoint(endpoint.as_str())
        .cache_dir(cache.as_str())
        .build()?;
    let model = client.model(owner, name);
    let path = match (mode.as_str(), rest) {
        ("snapshot", []) => model.snapshot_download().send().await?,
        ("file", [file]) => model.download_file().filename(file.as_str()).send().await?,
        _ => return Err("mode must be `snapshot` or `file NAME`".into()),
    };
    println!("{}", path.display());
    Ok(())
}
