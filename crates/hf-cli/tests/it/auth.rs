//! `hf auth ...` against the emulator: the files it writes are the Python client's.

use hf_testhub::Role;

use crate::{ALICE_TOKEN, Sandbox, hub, read};

#[test]
fn login_with_flag_stores_both_files_then_whoami() {
    let hub = hub();
    let sb = Sandbox::new(&hub.url());
    let run = sb.run(&["auth", "login", "--token", ALICE_TOKEN]);
    run.ok();
    assert!(run.stderr.contains("Login successful"), "{run:#?}");
    assert!(!run.stderr.contains(ALICE_TOKEN) && !run.stdout.contains(ALICE_TOKEN));
    assert_eq!(read(&sb.hf_home().join("token")), ALICE_TOKEN);
    assert_eq!(
        read(&sb.hf_home().join("stored_tokens")),
        format!("[alice-write]\nhf_token = {ALICE_TOKEN}\n\n")
    );
    let who = sb.run(&["auth", "whoami"]);
    assert_eq!(who.ok(), "alice\n");
    assert!(who.stderr.contains("private endpoint"), "{who:#?}");
}

#[test]
fn login_reads_stdin_and_takes_a_name() {
    let hub = hub();
    let sb = Sandbox::new(&hub.url());
    sb.run_with_stdin(
        &["auth", "login", "--token-name", "laptop"],
        &format!("{ALICE_TOKEN}\n"),
    )
    .ok();
    assert_eq!(read(&sb.hf_home().join("token")), ALICE_TOKEN);
    assert!(read(&sb.hf_home().join("stored_tokens")).starts_with("[laptop]\n"));
}

#[test]
fn invalid_token_is_refused_and_nothing_is_stored() {
    let hub = hub();
    let sb = Sandbox::new(&hub.url());
    let run = sb.run(&["auth", "login", "--token", "hf_not_a_token"]);
    let line = run.err_line();
    assert!(line.contains("not accepted"), "{line}");
    assert!(line.contains("hf auth login"), "{line}");
    assert!(!line.contains("hf_not_a_token"), "{line}");
    assert!(!sb.hf_home().join("token").exists());
    assert!(!sb.hf_home().join("stored_tokens").exists());
}

#[test]
fn whoami_without_a_token_says_how_to_log_in() {
    let hub = hub();
    let sb = Sandbox::new(&hub.url());
    let line = sb.run(&["auth", "whoami"]).err_line().to_owned();
    assert_eq!(
        line,
        "hf: error: not logged in. Run `hf auth login` or set HF_TOKEN"
    );
    // An explicit token is used as given.
    assert_eq!(
        sb.run(&["auth", "whoami", "--token", ALICE_TOKEN]).ok(),
        "alice\n"
    );
}

#[test]
fn whoami_with_a_revoked_token_hints_at_login() {
    let hub = hub();
    let mut sb = Sandbox::new(&hub.url());
    sb.set("HF_TOKEN", "hf_revoked");
    let line = sb.run(&["auth", "whoami"]).err_line().to_owned();
    assert!(line.contains("401"), "{line}");
    assert!(
        line.contains("run `hf auth login` or set HF_TOKEN"),
        "{line}"
    );
}

#[test]
fn list_switch_and_logout() {
    let hub = hub();
    hub.add_user("bob");
    hub.add_token("bob", "hf_bob_read_token", Role::Read)
        .unwrap();
    let sb = Sandbox::new(&hub.url());
    sb.run(&["auth", "login", "--token", ALICE_TOKEN]).ok();
    sb.run(&[
        "auth",
        "login",
        "--token",
        "hf_bob_read_token",
        "--token-name",
        "bob",
    ])
    .ok();
    assert_eq!(sb.run(&["auth", "whoami"]).ok(), "bob\n");

    let list = sb.run(&["auth", "list"]);
    let expected = [
        "  name         | token          ",
        "---------------|---------------",
        "  alice-write  | hf_****oken    ",
        "* bob          | hf_****oken    ",
    ];
    assert_eq!(list.ok(), format!("{}\n", expected.join("\n")));

    sb.run(&["auth", "switch", "--token-name", "alice-write"])
        .ok();
    assert_eq!(sb.run(&["auth", "whoami"]).ok(), "alice\n");
    let missing = sb.run(&["auth", "switch", "--token-name", "nope"]);
    assert!(missing.err_line().contains("hf auth list"));

    // Forgetting the active token deactivates it; the other stays stored.
    sb.run(&["auth", "logout", "--token-name", "alice-write"])
        .ok();
    assert!(!sb.hf_home().join("token").exists());
    assert_eq!(
        read(&sb.hf_home().join("stored_tokens")),
        "[bob]\nhf_token = hf_bob_read_token\n\n"
    );
    sb.run(&["auth", "logout"]).ok();
    assert!(!sb.hf_home().join("stored_tokens").exists());
    let again = sb.run(&["auth", "logout"]);
    assert!(again.ok().is_empty() && again.stderr.contains("Not logged in"));
}

#[test]
fn env_shows_paths_but_never_the_token() {
    let hub = hub();
    let mut sb = Sandbox::new(&hub.url());
    sb.set("HF_TOKEN", ALICE_TOKEN);
    sb.set("HTTPS_PROXY", "http://me:proxy-secret@proxy.corp:3128");
    // (The lowercase name wins, and CI sets it.)
    sb.set("no_proxy", "localhost");
    sb.set("REQUESTS_CA_BUNDLE", "/corp/ca.pem");
    let run = sb.run(&["env"]);
    let out = run.ok();
    assert!(
        out.contains("- Proxies: https=http://proxy.corp:3128, no_proxy=localhost"),
        "{out}"
    );
    assert!(out.contains("- CA bundle: /corp/ca.pem"), "{out}");
    assert!(!out.contains("proxy-secret"), "{out}");
    assert!(out.contains(&format!("- ENDPOINT: {}", hub.url())), "{out}");
    assert!(
        out.contains(&format!("- HF_HUB_CACHE: {}", sb.cache().display())),
        "{out}"
    );
    assert!(out.contains("- Token: set (HF_TOKEN)"), "{out}");
    assert!(!out.contains(ALICE_TOKEN) && !run.stderr.contains(ALICE_TOKEN));
}

#[test]
fn verbose_shows_the_request_trail_without_the_token() {
    let hub = hub();
    let mut sb = Sandbox::new(&hub.url());
    sb.set("HF_TOKEN", ALICE_TOKEN);
    let run = sb.run(&["-v", "auth", "whoami"]);
    assert_eq!(run.ok(), "alice\n");
    let url = format!("{}/api/whoami-v2", hub.url());
    assert!(
        run.stderr
            .lines()
            .any(|l| l.contains("GET") && l.contains(&url)),
        "{run:#?}"
    );
    assert!(!run.stderr.contains(ALICE_TOKEN));
    assert!(!run.stderr.contains('\u{1b}'), "no colors off a terminal");
    // Without -v, nothing but the result.
    let quiet = sb.run(&["auth", "whoami"]);
    assert!(!quiet.stderr.contains("GET"), "{quiet:#?}");
}
