//! The subcommands, one module per noun.

pub(crate) mod auth;
pub(crate) mod cache;
pub(crate) mod download;
pub(crate) mod env;
pub(crate) mod info;
pub(crate) mod ls;
pub(crate) mod repo;
pub(crate) mod upload;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use hf_api::config::{Environment, Settings};
use hf_api::http::RetryConfig;
use hf_api::http::retry::RetryEvent;
use hf_api::{HfApi, HfApiBuilder, Token};
use hf_types::RepoType;

/// Every subcommand of `hf`.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Log in and out, and manage the stored tokens (shared with the Python client).
    #[command(subcommand)]
    Auth(auth::AuthCommand),
    /// Download files or a whole repo into the cache (or a folder); prints the local path.
    Download(download::DownloadArgs),
    /// Upload a file or a folder in one commit (creating the repo when missing).
    Upload(upload::UploadArgs),
    /// Upload a very large folder in many resumable commits.
    UploadLargeFolder(upload::UploadLargeFolderArgs),
    /// Create, delete, move and configure repos; manage tags and branches.
    #[command(subcommand)]
    Repo(repo::RepoCommand),
    /// List the files of a repo.
    Ls(ls::LsArgs),
    /// Show a repo's info (JSON).
    Info(info::InfoArgs),
    /// Inspect and clean the local hub cache.
    #[command(subcommand)]
    Cache(cache::CacheCommand),
    /// Print versions, paths, the endpoint and whether a token is set (never the token).
    Env,
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  hf completions bash > ~/.local/share/bash-completion/completions/hf"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `--token`, for commands that talk to the Hub.
#[derive(Debug, Clone, Args)]
pub(crate) struct TokenArg {
    /// A token to use instead of HF_TOKEN or the stored one.
    #[arg(long, value_name = "TOKEN")]
    pub(crate) token: Option<String>,
}

/// The values of a `--repo-type` option (`model`, `dataset`, `space`, `kernel`), listed
/// in the help and parsed into a [`RepoType`].
pub(crate) fn repo_type_parser() -> impl clap::builder::TypedValueParser<Value = RepoType> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(RepoType::ALL.map(RepoType::as_str))
        .map(|name| name.parse::<RepoType>().expect("a RepoType name"))
}

/// `--repo-type`.
#[derive(Debug, Clone, Args)]
pub(crate) struct RepoTypeArg {
    /// The repo type (default: model).
    #[arg(long, visible_alias = "type", value_name = "TYPE", value_parser = repo_type_parser())]
    repo_type: Option<RepoType>,
}

impl RepoTypeArg {
    pub(crate) fn get(&self) -> RepoType {
        self.repo_type.unwrap_or_default()
    }

    /// Whether `--repo-type` was given.
    pub(crate) fn given(&self) -> bool {
        self.repo_type.is_some()
    }
}

/// What every command needs: the environment, resolved once, and the global flags.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub(crate) env: Environment,
    pub(crate) settings: Settings,
    pub(crate) verbose: u8,
    pub(crate) quiet: bool,
}

impl Ctx {
    pub(crate) fn from_process(verbose: u8, quiet: bool) -> Ctx {
        let env = Environment::from_process();
        let settings = Settings::resolve(&env);
        Ctx {
            env,
            settings,
            verbose,
            quiet,
        }
    }

    /// A Hub client; `token` (from `--token`) overrides the configured one.
    pub(crate) fn api(&self, token: &TokenArg) -> anyhow::Result<HfApi> {
        let mut builder = HfApiBuilder::with_environment(self.env.clone())
            .library_name("hf-cli")
            .library_version(env!("CARGO_PKG_VERSION"))
            .retry(RetryConfig::default().on_retry(retry_notice));
        if let Some(text) = &token.token {
            let token = Token::new(text).context("--token is empty")?;
            builder = builder.token(token);
        }
        builder.build().context("could not set up the Hub client")
    }

    /// Whether progress bars are drawn in this run.
    pub(crate) fn progress_on(&self) -> bool {
        let off =
            hf_api::http::auth::is_truthy(self.env.get("HF_HUB_DISABLE_PROGRESS_BARS").as_deref());
        crate::progress::enabled(self.quiet, off)
    }

    /// Prints a status line on stderr unless `--quiet`.
    pub(crate) fn status(&self, line: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }
}

/// Says on stderr that a request is retried, and why, so that a run waiting on a flaky
/// network (up to a minute with the default retries) does not look hung. Python's client
/// logs the same warnings.
fn retry_notice(event: &RetryEvent) {
    tracing::warn!("{event}");
}

/// Runs `work` to its end, or until Ctrl-C, which drops it and gives
/// [`Interrupted`](crate::report::Interrupted) with `kept` (what stays, and how to go
/// on): for work that leaves a resumable state when it is dropped, so that `hf` can say
/// so and exit cleanly.
pub(crate) async fn until_ctrl_c<T>(
    work: impl std::future::Future<Output = T>,
    kept: &'static str,
) -> anyhow::Result<T> {
    tokio::select! {
        done = work => Ok(done),
        _ = tokio::signal::ctrl_c() => Err(crate::report::Interrupted(kept).into()),
    }
}

/// Runs one command.
pub(crate) async fn run(ctx: &Ctx, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Auth(cmd) => auth::run(ctx, cmd).await,
        Command::Download(args) => download::run(ctx, args).await,
        Command::Upload(args) => upload::run(ctx, args).await,
        Command::UploadLargeFolder(args) => upload::run_large(ctx, args).await,
        Command::Repo(cmd) => repo::run(ctx, cmd).await,
        Command::Ls(args) => ls::run(ctx, args).await,
        Command::Info(args) => info::run(ctx, args).await,
        Command::Cache(cmd) => cache::run(ctx, cmd).await,
        Command::Env => env::run(ctx),
        // Handled before the runtime starts.
        Command::Completions { .. } => Ok(()),
    }
}

/// The repo's page on the Hub (where a gated repo's access is requested).
pub(crate) fn repo_url(api: &hf_api::HfApi, repo_type: RepoType, repo_id: &str) -> String {
    format!("{}/{}{repo_id}", api.endpoint(), repo_type.url_prefix())
}
