//! `hf ls REPO [PATH]`: the repo's file tree.

use clap::Args;
use futures_util::TryStreamExt as _;
use hf_types::RepoTreeEntry;

use super::{Ctx, RepoTypeArg, TokenArg, repo_url};
use crate::report;

/// Arguments of `hf ls`.
#[derive(Debug, Args)]
#[command(after_help = "\
Examples:
  hf ls gpt2                      the top-level entries
  hf ls gpt2 onnx -R              everything under onnx/
  hf ls squad --repo-type dataset --revision refs/convert/parquet

Output: one entry per line, the size in bytes (`-` for a folder) then the path; folders
end with `/`, LFS files are marked `lfs`.")]
pub(crate) struct LsArgs {
    /// The repo id.
    repo_id: String,
    /// A folder in the repo (default: the root).
    path: Option<String>,
    /// List the whole subtree, not only direct entries.
    #[arg(short = 'R', long)]
    recursive: bool,
    /// A branch, tag or commit (default: main).
    #[arg(long, value_name = "REVISION")]
    revision: Option<String>,
    #[command(flatten)]
    repo_type: RepoTypeArg,
    #[command(flatten)]
    token: TokenArg,
}

pub(crate) async fn run(ctx: &Ctx, args: LsArgs) -> anyhow::Result<()> {
    let api = ctx.api(&args.token)?;
    let repo_type = args.repo_type.get();
    let mut req = api
        .list_repo_tree(&args.repo_id)
        .repo_type(repo_type)
        .recursive(args.recursive);
    if let Some(p) = &args.path {
        req = req.path_in_repo(p);
    }
    if let Some(r) = &args.revision {
        req = req.revision(r);
    }
    let mut stream = req;
    while let Some(entry) = stream
        .try_next()
        .await
        .map_err(|e| report::repo_error(e, &repo_url(&api, repo_type, &args.repo_id)))?
    {
        println!("{}", line(&entry));
    }
    Ok(())
}

fn line(entry: &RepoTreeEntry) -> String {
    match entry.as_file() {
        Some(file) => {
            let lfs = if file.lfs.is_some() { "  lfs" } else { "" };
            format!("{:>12}  {}{lfs}", file.size, file.path)
        }
        None => format!("{:>12}  {}/", "-", entry.path()),
    }
}
