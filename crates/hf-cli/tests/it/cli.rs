//! The command line itself: help text, completions, usage errors.

use crate::Sandbox;

fn sandbox() -> Sandbox {
    Sandbox::new("http://127.0.0.1:9")
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!(sandbox().run(&["--help"]).ok());
}

#[test]
fn subcommand_help_has_examples() {
    let sb = sandbox();
    for args in [
        &["auth", "login", "--help"][..],
        &["cache", "scan", "--help"],
        &["cache", "delete", "--help"],
        &["download", "--help"],
        &["upload", "--help"],
        &["repo", "create", "--help"],
        &["repo", "settings", "--help"],
        &["ls", "--help"],
        &["info", "--help"],
    ] {
        let out = sb.run(args);
        assert!(out.ok().contains("Examples:"), "{args:?}: {out:#?}");
    }
    insta::assert_snapshot!(sb.run(&["cache", "delete", "--help"]).ok());
}

#[test]
fn completions_for_every_shell() {
    let sb = sandbox();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = sb.run(&["completions", shell]);
        assert!(run.ok().contains("hf"), "{shell}");
    }
    assert!(sb.run(&["completions", "bash"]).ok().contains("cache"));
}

#[test]
fn usage_errors_exit_with_2() {
    let run = sandbox().run(&["cache", "frobnicate"]);
    assert_eq!(run.code, Some(2), "{run:#?}");
    assert!(run.stderr.contains("unrecognized subcommand"), "{run:#?}");
}

#[test]
fn version() {
    let out = sandbox().run(&["--version"]).ok().to_owned();
    assert_eq!(out, format!("hf {}\n", env!("CARGO_PKG_VERSION")));
}
