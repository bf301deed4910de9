//! The blocking API from a plain `fn main` (no async runtime anywhere).
//!
//! Usage: `cargo run -p hf-api --features blocking --example blocking_main -- <endpoint> <repo_id>`
//! (the endpoint defaults to `HF_ENDPOINT`). Prints one JSON line with what it saw (the
//! integration tests run [`summary`] against the emulator).

use hf_api::blocking::prelude::*;

fn main() -> Result<(), hf_api::Error> {
    let mut args = std::env::args().skip(1);
    let endpoint = args.next();
    let repo_id = args.next().unwrap_or_else(|| "gpt2".to_owned());
    println!("{}", summary(endpoint, &repo_id)?);
    Ok(())
}

/// A few calls of the blocking API on `repo_id`, and what they returned.
pub(crate) fn summary(
    endpoint: Option<String>,
    repo_id: &str,
) -> Result<serde_json::Value, hf_api::Error> {
    let mut builder = hf_api::blocking::HfApi::builder();
    if let Some(e) = endpoint {
        builder = builder.endpoint(e);
    }
    let api = builder.build_blocking()?;

    let info = api.model_info(repo_id).files_metadata(true).send()?;
    let files: Vec<String> = api
        .list_repo_files(repo_id)
        .iter()
        .collect::<Result<_, _>>()?;
    let mut models = Vec::new();
    for model in api.list_models().limit(3) {
        models.push(model?.id);
    }
    let exists = api.repo_exists(repo_id).send()?;
    Ok(serde_json::json!({
        "id": info.id,
        "sha": info.sha.map(|s| s.to_string()),
        "files": files,
        "models": models,
        "exists": exists,
    }))
}
