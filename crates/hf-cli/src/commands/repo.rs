//! `hf repo create|delete|move|settings`, `hf repo tag create|list|delete`,
//! `hf repo branch create|delete`.

use std::io::IsTerminal as _;

use anyhow::Context as _;
use clap::{Args, Subcommand};
use hf_types::GatedMode;

use super::{Ctx, RepoTypeArg, TokenArg, repo_url};
use crate::report::{self, Hint};

/// `hf repo ...`
#[derive(Debug, Subcommand)]
pub(crate) enum RepoCommand {
    /// Create a repo on the Hub; prints its URL.
    #[command(after_help = "\
Examples:
  hf repo create my-model                          under your own namespace
  hf repo create my-org/data --repo-type dataset --private
  hf repo create my-space --repo-type space --space-sdk gradio
  hf repo create me/m --exist-ok                   no error when it exists")]
    Create {
        /// The repo id (`name` for your namespace, or `namespace/name`).
        repo_id: String,
        #[command(flatten)]
        repo_type: RepoTypeArg,
        /// Make it private.
        #[arg(long)]
        private: bool,
        /// Do not fail when the repo already exists.
        #[arg(long)]
        exist_ok: bool,
        /// The Space SDK (needed for a Space): gradio, streamlit, docker or static.
        #[arg(long, value_name = "SDK")]
        space_sdk: Option<String>,
        #[command(flatten)]
        token: TokenArg,
    },
    /// Delete a repo from the Hub (asks first on a terminal; off one, needs --yes).
    #[command(after_help = "Example:\n  hf repo delete me/old-model --yes")]
    Delete {
        /// The repo id.
        repo_id: String,
        #[command(flatten)]
        repo_type: RepoTypeArg,
        /// Do not fail when the repo does not exist.
        #[arg(long)]
        missing_ok: bool,
        /// Do not ask for confirmation.
        #[arg(short, long)]
        yes: bool,
        #[command(flatten)]
        token: TokenArg,
    },
    /// Rename a repo or move it to another namespace.
    #[command(after_help = "Example:\n  hf repo move me/old-name my-org/new-name")]
    Move {
        /// The current repo id.
        from_id: String,
        /// The new repo id.
        to_id: String,
        #[command(flatten)]
        repo_type: RepoTypeArg,
        #[command(flatten)]
        token: TokenArg,
    },
    /// Change a repo's visibility or gating.
    #[command(after_help = "\
Examples:
  hf repo settings me/model --private true
  hf repo settings me/model --gated manual")]
    Settings {
        /// The repo id.
        repo_id: String,
        #[command(flatten)]
        repo_type: RepoTypeArg,
        /// Make it private (true) or public (false).
        #[arg(long, value_name = "BOOL")]
        private: Option<bool>,
        /// Gate access: auto, manual, or false to open it.
        #[arg(long, value_name = "MODE", value_parser = ["auto", "manual", "false"])]
        gated: Option<String>,
        #[command(flatten)]
        token: TokenArg,
    },
    /// Create, list or delete tags.
    #[command(subcommand)]
    Tag(TagCommand),
    /// Create or delete branches.
    #[command(subcommand)]
    Branch(BranchCommand),
}

/// `hf repo tag ...`
#[derive(Debug, Subcommand)]
pub(crate) enum TagCommand {
    /// Tag a revision (default: the head of main).
    #[command(after_help = "Example:\n  hf repo tag create me/model v1.0 -m \"first release\"")]
    Create {
        #[command(flatten)]
        target: RefTarget,
        /// The tag's message.
        #[arg(short, long, value_name = "MESSAGE")]
        message: Option<String>,
        /// The revision to tag.
        #[arg(long, value_name = "REVISION")]
        revision: Option<String>,
    },
    /// List the tags.
    List {
        /// The repo id.
        repo_id: String,
        #[command(flatten)]
        repo_type: RepoTypeArg,
        #[command(flatten)]
        token: TokenArg,
    },
    /// Delete a tag (asks first on a terminal; off one, needs --yes).
    Delete {
        #[command(flatten)]
        target: RefTarget,
        /// Do not ask for confirmation.
        #[arg(short, long)]
        yes: bool,
    },
}

/// `hf repo branch ...`
#[derive(Debug, Subcommand)]
pub(crate) enum BranchCommand {
    /// Create a branch (from a revision, default the head of main).
    #[command(after_help = "Example:\n  hf repo branch create me/model dev --revision v1.0")]
    Create {
        #[command(flatten)]
        target: RefTarget,
        /// Where the branch starts.
        #[arg(long, value_name = "REVISION")]
        revision: Option<String>,
        /// Do not fail when the branch already exists.
        #[arg(long)]
        exist_ok: bool,
    },
    /// Delete a branch.
    Delete {
        #[command(flatten)]
        target: RefTarget,
    },
}

/// A repo and a ref name.
#[derive(Debug, Args)]
pub(crate) struct RefTarget {
    /// The repo id.
    repo_id: String,
    /// The tag or branch name.
    name: String,
    #[command(flatten)]
    repo_type: RepoTypeArg,
    #[command(flatten)]
    token: TokenArg,
}

/// Asks before a destructive step: on a terminal unless `--yes`; off one `--yes` is needed.
fn confirm(yes: bool, question: &str) -> anyhow::Result<bool> {
    if yes {
        return Ok(true);
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(
            anyhow::anyhow!("refusing to {question} without confirmation")
                .context(Hint("pass --yes to confirm".into())),
        );
    }
    dialoguer::Confirm::new()
        .with_prompt(format!("{question}?"))
        .default(false)
        .interact()
        .context("could not read the answer from the terminal")
}

pub(crate) async fn run(ctx: &Ctx, cmd: RepoCommand) -> anyhow::Result<()> {
    match cmd {
        RepoCommand::Create {
            repo_id,
            repo_type,
            private,
            exist_ok,
            space_sdk,
            token,
        } => {
            let api = ctx.api(&token)?;
            let mut req = api
                .create_repo(&repo_id)
                .repo_type(repo_type.get())
                .private(private)
                .exist_ok(exist_ok);
            if let Some(sdk) = space_sdk {
                req = req.space_sdk(sdk);
            }
            let url = req.await?;
            println!("{url}");
        }
        RepoCommand::Delete {
            repo_id,
            repo_type,
            missing_ok,
            yes,
            token,
        } => {
            if !confirm(yes, &format!("delete {repo_id} permanently"))? {
                ctx.status("Nothing deleted.");
                return Ok(());
            }
            let api = ctx.api(&token)?;
            api.delete_repo(&repo_id)
                .repo_type(repo_type.get())
                .missing_ok(missing_ok)
                .await?;
            ctx.status(format!("Deleted {repo_id}."));
        }
        RepoCommand::Move {
            from_id,
            to_id,
            repo_type,
            token,
        } => {
            let api = ctx.api(&token)?;
            api.move_repo(&from_id, &to_id)
                .repo_type(repo_type.get())
                .await?;
            ctx.status(format!("Moved {from_id} to {to_id}."));
            println!("{}", repo_url(&api, repo_type.get(), &to_id));
        }
        RepoCommand::Settings {
            repo_id,
            repo_type,
            private,
            gated,
            token,
        } => {
            if private.is_none() && gated.is_none() {
                return Err(anyhow::anyhow!("no setting to change")
                    .context(Hint("pass --private and/or --gated".into())));
            }
            let api = ctx.api(&token)?;
            let mut req = api
                .update_repo_settings(&repo_id)
                .repo_type(repo_type.get());
            if let Some(p) = private {
                req = req.private(p);
            }
            if let Some(g) = gated.as_deref() {
                req = req.gated(match g {
                    "auto" => GatedMode::Auto,
                    "manual" => GatedMode::Manual,
                    _ => GatedMode::Off,
                });
            }
            req.await?;
            ctx.status(format!("Updated the settings of {repo_id}."));
        }
        RepoCommand::Tag(cmd) => tag(ctx, cmd).await?,
        RepoCommand::Branch(cmd) => branch(ctx, cmd).await?,
    }
    Ok(())
}

async fn tag(ctx: &Ctx, cmd: TagCommand) -> anyhow::Result<()> {
    match cmd {
        TagCommand::Create {
            target,
            message,
            revision,
        } => {
            let api = ctx.api(&target.token)?;
            let mut req = api
                .create_tag(&target.repo_id, &target.name)
                .repo_type(target.repo_type.get());
            if let Some(m) = message {
                req = req.tag_message(m);
            }
            if let Some(r) = &revision {
                req = req.revision(r);
            }
            req.await.map_err(|e| {
                report::repo_error(e, &repo_url(&api, target.repo_type.get(), &target.repo_id))
            })?;
            ctx.status(format!(
                "Tag {} created on {} at {}.",
                target.name,
                target.repo_id,
                revision.as_deref().unwrap_or("main")
            ));
        }
        TagCommand::List {
            repo_id,
            repo_type,
            token,
        } => {
            let api = ctx.api(&token)?;
            let refs = api
                .list_repo_refs(&repo_id)
                .repo_type(repo_type.get())
                .await
                .map_err(|e| report::repo_error(e, &repo_url(&api, repo_type.get(), &repo_id)))?;
            if refs.tags.is_empty() {
                ctx.status(format!("No tags in {repo_id}."));
            }
            for t in &refs.tags {
                println!("{}", t.name);
            }
        }
        TagCommand::Delete { target, yes } => {
            if !confirm(
                yes,
                &format!("delete tag {} of {}", target.name, target.repo_id),
            )? {
                ctx.status("Nothing deleted.");
                return Ok(());
            }
            let api = ctx.api(&target.token)?;
            api.delete_tag(&target.repo_id, &target.name)
                .repo_type(target.repo_type.get())
                .await?;
            ctx.status(format!("Tag {} deleted.", target.name));
        }
    }
    Ok(())
}

async fn branch(ctx: &Ctx, cmd: BranchCommand) -> anyhow::Result<()> {
    match cmd {
        BranchCommand::Create {
            target,
            revision,
            exist_ok,
        } => {
            let api = ctx.api(&target.token)?;
            let mut req = api
                .create_branch(&target.repo_id, &target.name)
                .repo_type(target.repo_type.get())
                .exist_ok(exist_ok);
            if let Some(r) = &revision {
                req = req.revision(r);
            }
            req.await?;
            ctx.status(format!(
                "Branch {} created on {}.",
                target.name, target.repo_id
            ));
        }
        BranchCommand::Delete { target } => {
            let api = ctx.api(&target.token)?;
            api.delete_branch(&target.repo_id, &target.name)
                .repo_type(target.repo_type.get())
                .await?;
            ctx.status(format!("Branch {} deleted.", target.name));
        }
    }
    Ok(())
}
