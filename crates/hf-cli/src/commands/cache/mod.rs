//! `hf cache scan|delete|ls|rm|prune|verify`.

mod delete;
mod ls;
mod prune;
mod rm;
mod scan;
mod verify;

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::Ctx;

/// `hf cache ...`
#[derive(Debug, Subcommand)]
pub(crate) enum CacheCommand {
    /// Show what the cache holds: one row per repo (per revision with -v).
    ///
    /// The table matches the Python client's `scan-cache`; it reads a cache filled by
    /// either client.
    #[command(after_help = "\
Examples:
  hf cache scan                       one row per repo
  hf cache scan -v                    one row per revision
  hf cache scan -vvv                  also print the details of skipped (corrupted) entries
  hf cache scan --dir /data/hf/hub")]
    Scan(scan::ScanArgs),
    /// Delete cached revisions or whole repos, and show how much space it frees.
    ///
    /// Choose with --repo and --revision; on a terminal without them, pick from a list.
    /// A repo whose every revision is deleted is removed whole; a blob is deleted only
    /// when no remaining revision uses it.
    #[command(after_help = "\
Examples:
  hf cache delete                             pick revisions interactively
  hf cache delete --repo gpt2 --dry-run       show what deleting gpt2 would free
  hf cache delete --revision 1a2b3c4d -y      delete one revision without asking
  hf cache delete --repo squad --repo-type dataset")]
    Delete(delete::DeleteArgs),
    /// List the cached repos (or revisions), with filters, sorting and JSON output.
    ///
    /// The newest Python CLI's `hf cache ls`. Repos are named `type/id` (`model/gpt2`),
    /// the names `hf cache rm` takes.
    #[command(
        visible_alias = "list",
        after_help = "\
Examples:
  hf cache ls
  hf cache ls --revisions
  hf cache ls --filter \"size>1GB\" --limit 20
  hf cache ls --filter \"accessed>30d\" --sort size
  hf cache ls --format json
  hf cache ls -q                      only the names, one per line"
    )]
    Ls(ls::LsArgs),
    /// Delete cached repos, revisions or single files, named as `hf cache ls` lists them.
    ///
    /// The newest Python CLI's `hf cache rm`. A file target deletes that file from every
    /// cached revision (and its blob when nothing else uses it); its snapshot and refs
    /// stay.
    #[command(after_help = "\
Examples:
  hf cache rm model/gpt2 --dry-run
  hf cache rm hf://datasets/org/ds -y
  hf cache rm hf://org/model/model.safetensors
  hf cache rm 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b")]
    Rm(rm::RmArgs),
    /// Delete what nothing needs: revisions no ref points to (detached), partial
    /// downloads no download is writing, and shared contents no repo links to.
    #[command(after_help = "\
Examples:
  hf cache prune --dry-run            what would go, and how much it frees
  hf cache prune -y                   prune without asking")]
    Prune(prune::PruneArgs),
    /// Check a cached snapshot (or a --local-dir folder) against the Hub's checksums.
    ///
    /// Hashes every file present on both sides (sha256 for LFS files, the git blob id
    /// for the others) and lists the files only one side has. Exits with 1 when a
    /// checksum differs (or, with the --fail-on flags, when files are missing or extra).
    #[command(after_help = "\
Examples:
  hf cache verify gpt2
  hf cache verify gpt2 --revision refs/pr/1
  hf cache verify my-dataset --repo-type dataset
  hf cache verify org/model --local-dir ./model --fail-on-missing-files")]
    Verify(verify::VerifyArgs),
}

/// `--dir`: the cache to work on.
#[derive(Debug, Clone, Args)]
pub(crate) struct CacheDirArg {
    /// The cache directory (default: HF_HUB_CACHE, else $HF_HOME/hub).
    #[arg(long = "dir", visible_alias = "cache-dir", value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
}

impl CacheDirArg {
    fn resolve(&self, ctx: &Ctx) -> PathBuf {
        self.dir
            .clone()
            .unwrap_or_else(|| ctx.settings.cache_dir.clone())
    }
}

pub(crate) async fn run(ctx: &Ctx, cmd: CacheCommand) -> anyhow::Result<()> {
    match cmd {
        CacheCommand::Verify(args) => verify::run(ctx, args).await,
        CacheCommand::Scan(args) => scan::run(ctx, &args),
        CacheCommand::Delete(args) => delete::run(ctx, &args),
        CacheCommand::Ls(args) => ls::run(ctx, &args),
        CacheCommand::Rm(args) => rm::run(ctx, &args),
        CacheCommand::Prune(args) => prune::run(ctx, &args),
    }
}

/// A repo's name in `hf cache ls` and `hf cache rm`: `type/id` (`model/gpt2`).
pub(super) fn cache_id(repo: &hf_cache::CachedRepoInfo) -> String {
    cache_id_of(repo.repo_type, &repo.repo_id)
}

/// [`cache_id`] of a repo named by its type and id.
pub(super) fn cache_id_of(repo_type: hf_types::RepoType, repo_id: &str) -> String {
    format!("{repo_type}/{repo_id}")
}

/// Colors like the Python CLI's (bold red, gray), only for a terminal and without
/// `NO_COLOR`.
pub(super) struct Paint {
    on: bool,
}

impl Paint {
    pub(super) fn stdout(ctx: &Ctx) -> Paint {
        use std::io::IsTerminal as _;
        Paint {
            on: std::io::stdout().is_terminal()
                && ctx.env.get("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    pub(super) fn red(&self, s: &str) -> String {
        self.wrap(s, "\u{1b}[1m\u{1b}[31m")
    }

    pub(super) fn bold(&self, s: &str) -> String {
        self.wrap(s, "\u{1b}[1m")
    }

    pub(super) fn gray(&self, s: &str) -> String {
        self.wrap(s, "\u{1b}[90m")
    }

    fn wrap(&self, s: &str, code: &str) -> String {
        if self.on {
            format!("{code}{s}\u{1b}[0m")
        } else {
            s.to_owned()
        }
    }
}
