//! Errors as one line on stderr: what failed, why, and what to do next.
//!
//! Commands return `anyhow::Error`s. A [`Hint`] attached as context is not printed where
//! it was attached but at the end of the line, after the cause; the Hub errors of
//! `hf-api` already end with their own hint (log in, check the repo id, ...).

use std::fmt;

/// A suggestion appended to the error line (attach it with `.context(Hint(...))`; only
/// the outermost one is shown).
#[derive(Debug)]
pub(crate) struct Hint(pub(crate) String);

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The error line, without the `hf: error: ` prefix.
pub(crate) fn line(err: &anyhow::Error) -> String {
    // anyhow finds a context of type `Hint` at any depth (the outermost one).
    let hint = err.downcast_ref::<Hint>().map(|h| h.0.as_str());
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        // Layers often repeat their source's text; keep each piece once.
        if part.is_empty() || Some(part.as_str()) == hint || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    if let Some(hint) = hint {
        text.push_str(if text.ends_with('.') { " " } else { ". " });
        // A hint starts a sentence.
        let mut chars = hint.chars();
        if let Some(first) = chars.next() {
            text.extend(first.to_uppercase());
            text.push_str(chars.as_str());
        }
    }
    // One line, whatever the causes contain.
    text.replace(['\n', '\r'], " ")
}

/// Prints the error line to stderr.
pub(crate) fn print(err: &anyhow::Error) {
    eprintln!("hf: error: {}", line(err));
}

/// The run was stopped by Ctrl-C; the message says what was kept. `hf` exits with 130,
/// the shell's status for a process ended by SIGINT.
#[derive(Debug)]
pub(crate) struct Interrupted(pub(crate) &'static str);

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "interrupted: {}", self.0)
    }
}

impl std::error::Error for Interrupted {}

/// The hint for a Hub error about a repo that the error itself cannot know: where to ask
/// for access to a gated repo.
pub(crate) fn repo_error(err: hf_api::Error, repo_url: &str) -> anyhow::Error {
    if matches!(err, hf_api::Error::GatedRepo(_)) {
        return anyhow::Error::new(err).context(Hint(format!("Request access at {repo_url}")));
    }
    anyhow::Error::new(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_go_last_and_repeats_are_dropped() {
        let err = anyhow::anyhow!("disk full")
            .context("writing blob")
            .context(Hint("free some space".into()))
            .context("download failed: writing blob");
        assert_eq!(
            line(&err),
            "download failed: writing blob: disk full. Free some space"
        );
    }
}
