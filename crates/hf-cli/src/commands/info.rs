//! `hf info REPO`: the repo's info from the Hub, as JSON.

use clap::Args;
use hf_api::RepoInfo;

use super::{Ctx, RepoTypeArg, TokenArg, repo_url};
use crate::report;

/// Arguments of `hf info`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  hf info gpt2
  hf info squad --repo-type dataset --revision main --files-metadata")]
pub(crate) struct InfoArgs {
    /// The repo id.
    repo_id: String,
    /// A branch, tag or commit (default: main).
    #[arg(long, value_name = "REVISION")]
    revision: Option<String>,
    /// Include each file's size and LFS details.
    #[arg(long)]
    files_metadata: bool,
    #[command(flatten)]
    repo_type: RepoTypeArg,
    #[command(flatten)]
    token: TokenArg,
}

pub(crate) async fn run(ctx: &Ctx, args: InfoArgs) -> anyhow::Result<()> {
    let api = ctx.api(&args.token)?;
    let repo_type = args.repo_type.get();
    let mut req = api
        .repo_info(&args.repo_id)
        .repo_type(repo_type)
        .files_metadata(args.files_metadata);
    if let Some(r) = &args.revision {
        req = req.revision(r);
    }
    let info = req
        .await
        .map_err(|e| report::repo_error(e, &repo_url(&api, repo_type, &args.repo_id)))?;
    let json = match &info {
        RepoInfo::Model(i) => serde_json::to_string_pretty(i),
        RepoInfo::Dataset(i) => serde_json::to_string_pretty(i),
        RepoInfo::Space(i) => serde_json::to_string_pretty(i),
        RepoInfo::Kernel(i) => serde_json::to_string_pretty(i),
        _ => anyhow::bail!("this kind of repo info cannot be shown yet"),
    }?;
    println!("{json}");
    Ok(())
}
