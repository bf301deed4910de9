//! `hf auth login|logout|whoami|list|switch`.

pub(crate) mod store;

use std::io::{IsTerminal as _, Read as _};

use anyhow::{Context as _, bail};
use clap::Subcommand;
use hf_api::Token;
use hf_api::http::auth::{TokenSource, resolve_token};

use self::store::TokenStore;
use super::{Ctx, TokenArg};
use crate::report::Hint;

/// `hf auth ...`
#[derive(Debug, Subcommand)]
pub(crate) enum AuthCommand {
    /// Log in with an access token (create one at huggingface.co/settings/tokens).
    ///
    /// The token is checked with the Hub, stored under its name in `stored_tokens` and
    /// made the active token (`$HF_HOME/token`), the same files the Python client uses.
    #[command(after_help = "\
Examples:
  hf auth login                          prompt for the token (hidden input)
  hf auth login --token hf_xxx
  echo \"$TOKEN\" | hf auth login          read it from stdin
  hf auth login --token hf_xxx --token-name ci")]
    Login {
        /// The token (else read from stdin when it is not a terminal, else prompted).
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
        /// The name to store it under (default: the token's name on the Hub).
        #[arg(long, value_name = "NAME")]
        token_name: Option<String>,
    },
    /// Log out: forget every stored token, or only the named one.
    #[command(after_help = "\
Examples:
  hf auth logout                         delete the active token and all stored tokens
  hf auth logout --token-name ci         forget only the token named `ci`")]
    Logout {
        /// Forget only this stored token (it stops being active if it was).
        #[arg(long, value_name = "NAME")]
        token_name: Option<String>,
    },
    /// Print the account the current token belongs to, and its organizations.
    Whoami {
        #[command(flatten)]
        token: TokenArg,
    },
    /// List the stored tokens (masked); `*` marks the active one.
    List,
    /// Make another stored token the active one.
    #[command(after_help = "Example:\n  hf auth switch --token-name ci")]
    Switch {
        /// The stored token to activate (else chosen from a list on a terminal).
        #[arg(long, value_name = "NAME")]
        token_name: Option<String>,
    },
}

pub(crate) async fn run(ctx: &Ctx, cmd: AuthCommand) -> anyhow::Result<()> {
    let store = TokenStore::new(ctx.settings.token_path.clone());
    match cmd {
        AuthCommand::Login { token, token_name } => login(ctx, &store, token, token_name).await,
        AuthCommand::Logout { token_name } => logout(ctx, &store, token_name.as_deref()),
        AuthCommand::Whoami { token } => whoami(ctx, &token).await,
        AuthCommand::List => list(ctx, &store),
        AuthCommand::Switch { token_name } => switch(ctx, &store, token_name),
    }
}

/// The token from `HF_TOKEN` / `HUGGING_FACE_HUB_TOKEN`, which wins over the files.
fn env_token(ctx: &Ctx) -> Option<Token> {
    ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"]
        .into_iter()
        .filter_map(|name| ctx.env.get(name))
        .find(|v| !v.is_empty())
        .and_then(Token::new)
}

/// The token the Python client's `get_token()` would return (environment, then file).
fn current_token(ctx: &Ctx) -> Option<Token> {
    let lookup = |name: &str| ctx.env.get(name);
    resolve_token(&TokenSource::Stored, &lookup).map(|(t, _)| t)
}

fn read_token_input(given: Option<String>) -> anyhow::Result<Token> {
    let text = match given {
        Some(t) => t,
        None if std::io::stdin().is_terminal() => {
            eprintln!(
                "To log in, paste a token from https://huggingface.co/settings/tokens \
                 (it is checked with the Hub, then stored)."
            );
            dialoguer::Password::new()
                .with_prompt("Enter your token (input will not be visible)")
                .interact()
                .context("could not read the token from the terminal")?
        }
        None => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("could not read the token from stdin")?;
            text
        }
    };
    Token::new(text).context("no token given").context(Hint(
        "pass --token, pipe the token on stdin, or run on a terminal to be prompted".into(),
    ))
}

async fn login(
    ctx: &Ctx,
    store: &TokenStore,
    token: Option<String>,
    token_name: Option<String>,
) -> anyhow::Result<()> {
    let token = read_token_input(token)?;
    if token.expose_secret().starts_with("api_org") {
        bail!("organization tokens cannot log in: use a personal access token");
    }
    let api = ctx.api(&TokenArg { token: None })?;
    let me = api
        .whoami()
        .token(token.clone())
        .await
        .context("the token was not accepted by the Hub")?;
    let info = me.auth.as_ref().and_then(|a| a.access_token.as_ref());
    let role = info
        .and_then(|i| i.role.as_ref())
        .map_or_else(|| "unknown".to_owned(), ToString::to_string);
    ctx.status(format!("Token is valid (permission: {role})."));
    let name = match token_name {
        Some(n) => n,
        None => info
            .and_then(|i| i.display_name.clone())
            .context("the Hub did not report the token's name")
            .context(Hint("pass --token-name to choose one".into()))?,
    };
    if name.is_empty() || name.contains(['[', ']', '\n', '\r']) {
        bail!("invalid token name {name:?}: it must be non-empty, without brackets or newlines");
    }
    store
        .save(&name, &token)
        .context("could not store the token")?;
    store
        .set_active(&token)
        .context("could not save the active token")?;
    ctx.status(format!(
        "Your token has been saved to {}",
        store.token_path.display()
    ));
    ctx.status(format!("Login successful: logged in as {}.", me.name));
    if env_token(ctx).is_some() {
        eprintln!(
            "warning: the HF_TOKEN environment variable is set and is used instead of the \
             token you just stored"
        );
    } else {
        ctx.status(format!("The current active token is: `{name}`"));
    }
    Ok(())
}

fn logout(ctx: &Ctx, store: &TokenStore, token_name: Option<&str>) -> anyhow::Result<()> {
    if current_token(ctx).is_none() && store.stored()?.is_empty() {
        ctx.status("Not logged in!");
        return Ok(());
    }
    match token_name {
        None => {
            store.clear_active()?;
            store.clear_stored()?;
            ctx.status("Successfully logged out from all access tokens.");
        }
        Some(name) => {
            let Some(token) = store.remove(name)? else {
                return Err(anyhow::anyhow!("no stored token is named `{name}`")
                    .context(Hint("`hf auth list` shows the stored names".into())));
            };
            let was_active = store
                .active()?
                .is_some_and(|a| a.expose_secret() == token.expose_secret());
            if was_active {
                store.clear_active()?;
                ctx.status(format!("Active token '{name}' has been deleted."));
            }
            ctx.status(format!(
                "Successfully logged out from access token: {name}."
            ));
        }
    }
    if env_token(ctx).is_some() {
        return Err(anyhow::anyhow!(
            "the stored token was deleted, but a token is still set in the environment"
        )
        .context(Hint(
            "unset HF_TOKEN and HUGGING_FACE_HUB_TOKEN to log out completely".into(),
        )));
    }
    Ok(())
}

async fn whoami(ctx: &Ctx, token: &TokenArg) -> anyhow::Result<()> {
    if token.token.is_none() && current_token(ctx).is_none() {
        return Err(anyhow::anyhow!("not logged in")
            .context(Hint("run `hf auth login` or set HF_TOKEN".into())));
    }
    let api = ctx.api(token)?;
    let me = api.whoami().await?;
    println!("{}", me.name);
    let orgs: Vec<&str> = me.orgs.iter().map(|o| o.name.as_str()).collect();
    if !orgs.is_empty() {
        println!("orgs: {}", orgs.join(","));
    }
    if api.endpoint() != hf_api::config::DEFAULT_ENDPOINT {
        ctx.status(format!(
            "Authenticated through private endpoint: {}",
            api.endpoint()
        ));
    }
    Ok(())
}

fn list(ctx: &Ctx, store: &TokenStore) -> anyhow::Result<()> {
    let tokens = store.stored()?;
    if tokens.is_empty() {
        ctx.status("No access tokens found.");
        return Ok(());
    }
    let current = current_token(ctx);
    let is_current = |t: &Token| {
        current
            .as_ref()
            .is_some_and(|c| c.expose_secret() == t.expose_secret())
    };
    let width = tokens
        .iter()
        .map(|(n, _)| n.chars().count())
        .chain([5])
        .max()
        .unwrap_or(5)
        + 2;
    println!("  {:<width$}| {:<15}", "name", "token");
    println!("{}|{}", "-".repeat(width + 2), "-".repeat(15));
    for (name, token) in &tokens {
        let mark = if is_current(token) { '*' } else { ' ' };
        println!("{mark} {name:<width$}| {:<15}", store::mask(token));
    }
    if env_token(ctx).is_some() {
        eprintln!(
            "\nNote: the HF_TOKEN environment variable is set and is the active token, \
             whatever the stored tokens above."
        );
    } else if !tokens.iter().any(|(_, t)| is_current(t)) {
        eprintln!("\nNote: no stored token is active. Use `hf auth login` or `hf auth switch`.");
    }
    Ok(())
}

fn switch(ctx: &Ctx, store: &TokenStore, token_name: Option<String>) -> anyhow::Result<()> {
    let tokens = store.stored()?;
    if tokens.is_empty() {
        return Err(anyhow::anyhow!("no stored tokens")
            .context(Hint("log in first with `hf auth login`".into())));
    }
    let name = match token_name {
        Some(n) => n,
        None if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() => {
            let names: Vec<&str> = tokens.iter().map(|(n, _)| n.as_str()).collect();
            let picked = dialoguer::Select::new()
                .with_prompt("Select a token to switch to")
                .items(&names)
                .default(0)
                .interact_opt()
                .context("could not read the choice from the terminal")?;
            let Some(i) = picked else {
                ctx.status("No token selected; nothing changed.");
                return Ok(());
            };
            names[i].to_owned()
        }
        None => {
            return Err(anyhow::anyhow!("no token name given")
                .context(Hint("pass --token-name (see `hf auth list`)".into())));
        }
    };
    let Some(token) = store.by_name(&name)? else {
        return Err(anyhow::anyhow!(
            "no stored token is named `{name}` in {}",
            store.stored_path.display()
        )
        .context(Hint("`hf auth list` shows the stored names".into())));
    };
    store.set_active(&token)?;
    ctx.status(format!("The current active token is: {name}"));
    if env_token(ctx).is_some_and(|e| e.expose_secret() != token.expose_secret()) {
        eprintln!(
            "warning: the HF_TOKEN environment variable is set and overrides the token you \
             switched to"
        );
    }
    Ok(())
}
