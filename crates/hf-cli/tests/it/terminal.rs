//! The paths `hf` takes only on a terminal: the hidden token prompt, the pickers, the
//! confirmation prompts and the progress bars. Each test runs the real binary inside a
//! pseudo-terminal and drives it by keystrokes, waiting for what it draws (with a timeout,
//! never a fixed sleep).
//!
//! `ptyprocess` gives the terminal; the waiting is a reader thread and a condition variable
//! rather than `expectrl`'s expect loop, which spins on non-blocking reads and would take a
//! whole core of a loaded 2-core machine from the `hf` process it waits for.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hf_testhub::{RepoType, Role};
use ptyprocess::{PtyProcess, WaitStatus};

use crate::cache::fill;
use crate::{ALICE_TOKEN, Sandbox, hub, read};

/// The revisions `cache::fill` lays out: gpt2 main and detached, and a dataset's main.
const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const C: &str = "cccccccccccccccccccccccccccccccccccccccc";

/// How long to wait for anything `hf` should draw: generous, for a loaded machine.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Keystrokes.
const ENTER: &str = "\r";
const DOWN: &str = "j";

/// What the terminal has shown so far.
#[derive(Default)]
struct Screen {
    bytes: Vec<u8>,
    /// Everything before this offset was matched already.
    seen: usize,
    /// `hf` and everything holding the terminal is gone.
    eof: bool,
}

/// `hf` running on a pseudo-terminal.
struct Term {
    process: PtyProcess,
    keys: File,
    screen: Arc<(Mutex<Screen>, Condvar)>,
}

impl Term {
    /// Runs `hf args...` in the sandbox on a fresh terminal, with echo on as a login
    /// terminal has it (so anything a prompt fails to hide shows up in the transcript).
    fn spawn(sb: &Sandbox, args: &[&str]) -> Term {
        let base = sb.command(args);
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "stty echo && exec \"$0\" \"$@\""])
            .arg(base.get_program())
            .args(base.get_args());
        for (name, value) in base.get_envs() {
            match value {
                Some(v) => cmd.env(name, v),
                None => cmd.env_remove(name),
            };
        }
        // ptyprocess points the standard streams at the terminal before exec: keep them.
        cmd.env("TERM", "xterm")
            .stdin(Stdio::inherit())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit());
        let process = PtyProcess::spawn(cmd).expect("hf starts on a pseudo-terminal");
        let keys = process
            .get_raw_handle()
            .expect("the terminal's master side");
        let mut output = keys.try_clone().expect("a second handle on the terminal");
        let screen = Arc::new((Mutex::new(Screen::default()), Condvar::new()));
        let shared = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                // Linux answers EIO once the last process holding the terminal has gone.
                let n = output.read(&mut buf).unwrap_or(0);
                let (lock, changed) = &*shared;
                let mut s = lock.lock().unwrap_or_else(PoisonError::into_inner);
                if n == 0 {
                    s.eof = true;
                } else {
                    s.bytes.extend_from_slice(&buf[..n]);
                }
                changed.notify_all();
                if n == 0 {
                    return;
                }
            }
        });
        Term {
            process,
            keys,
            screen,
        }
    }

    /// Waits until `done` finds something in the unmatched output (returning where the
    /// match ends), and returns the output up to there.
    fn wait_for(&self, what: &str, done: impl Fn(&[u8], bool) -> Option<usize>) -> String {
        let (lock, changed) = &*self.screen;
        let deadline = Instant::now() + TIMEOUT;
        let mut s = lock.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            // Matching on bytes: a read may end inside a multi-byte character.
            if let Some(end) = done(&s.bytes[s.seen..], s.eof) {
                let start = s.seen;
                s.seen += end;
                return String::from_utf8_lossy(&s.bytes[start..s.seen]).into_owned();
            }
            let now = Instant::now();
            assert!(
                !s.eof && now < deadline,
                "{} waiting for {what}; the terminal showed:\n{}",
                if s.eof { "hf exited" } else { "timed out" },
                String::from_utf8_lossy(&s.bytes)
            );
            s = changed
                .wait_timeout(s, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Waits for `needle` and returns the output up to its end.
    fn expect(&self, needle: &str) -> String {
        self.wait_for(&format!("{needle:?}"), |out, _| find_end(out, needle))
    }

    /// Waits until every one of `needles` has appeared; returns the output up to the last.
    fn expect_all(&self, needles: &[&str]) -> String {
        self.wait_for(&format!("all of {needles:?}"), |out, _| {
            needles
                .iter()
                .map(|n| find_end(out, n))
                .collect::<Option<Vec<usize>>>()
                .and_then(|ends| ends.into_iter().max())
        })
    }

    /// Types `keys`.
    fn send(&mut self, keys: &str) {
        self.keys.write_all(keys.as_bytes()).unwrap();
        self.keys.flush().unwrap();
    }

    /// Waits until the terminal's echo is off (a prompt that hides what is typed turns it
    /// off just after drawing itself; typing earlier would be echoed by the terminal).
    fn wait_echo_off(&self) {
        let deadline = Instant::now() + TIMEOUT;
        while self.process.get_echo().expect("the terminal's mode") {
            let s = self.screen.0.lock().unwrap_or_else(PoisonError::into_inner);
            assert!(
                !s.eof && Instant::now() < deadline,
                "the prompt never turned the terminal's echo off; the terminal showed:\n{}",
                String::from_utf8_lossy(&s.bytes)
            );
            drop(s);
            std::thread::yield_now();
        }
    }

    /// Waits for `hf` to exit; returns its exit code and everything the terminal showed.
    fn finish(self) -> (i32, String) {
        self.wait_for("the end of the output", |out, eof| eof.then_some(out.len()));
        let (lock, _) = &*self.screen;
        let all =
            String::from_utf8_lossy(&lock.lock().unwrap_or_else(PoisonError::into_inner).bytes)
                .into_owned();
        match self.process.wait().expect("hf's exit status") {
            WaitStatus::Exited(_, code) => (code, all),
            other => panic!("hf did not exit normally: {other:?}\n{all}"),
        }
    }
}

/// Where the first `needle` in `out` ends.
fn find_end(out: &[u8], needle: &str) -> Option<usize> {
    out.windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .map(|i| i + needle.len())
}

fn logged_in_alice(hub: &hf_testhub::TestHub) -> Sandbox {
    let mut sb = Sandbox::new(&hub.url());
    sb.set("HF_TOKEN", ALICE_TOKEN);
    sb
}

/// The commit hashes `hf cache scan -v` lists.
fn cached_revisions(sb: &Sandbox) -> Vec<String> {
    let mut hashes: Vec<String> = sb
        .run(&["cache", "scan", "-v"])
        .ok()
        .split_whitespace()
        .filter(|w| w.len() == 40 && w.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
        .collect();
    hashes.sort();
    hashes
}

/// Where `item` is among `items`, ordered by where each first appears in `shown`.
fn position(shown: &str, items: &[&str], item: &str) -> usize {
    let mut order: Vec<(usize, &str)> = items
        .iter()
        .map(|i| (shown.find(i).expect("every item is drawn"), *i))
        .collect();
    order.sort_unstable();
    order.iter().position(|(_, i)| *i == item).unwrap()
}

#[test]
fn login_prompt_hides_the_token_and_stores_it() {
    let hub = hub();
    let sb = Sandbox::new(&hub.url());
    let mut term = Term::spawn(&sb, &["auth", "login"]);
    term.expect("Enter your token (input will not be visible)");
    term.wait_echo_off();
    term.send(&format!("{ALICE_TOKEN}\n"));
    term.expect("Login successful");
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert!(
        !shown.contains(ALICE_TOKEN),
        "the token was echoed:\n{shown}"
    );
    assert_eq!(read(&sb.hf_home().join("token")), ALICE_TOKEN);
    assert!(read(&sb.hf_home().join("stored_tokens")).starts_with("[alice-write]\n"));
}

#[test]
fn login_prompt_refuses_a_bad_token_without_showing_it() {
    let hub = hub();
    let sb = Sandbox::new(&hub.url());
    let mut term = Term::spawn(&sb, &["auth", "login"]);
    term.expect("Enter your token (input will not be visible)");
    term.wait_echo_off();
    term.send("hf_not_a_token\n");
    term.expect("hf: error: ");
    term.expect("not accepted");
    let (code, shown) = term.finish();
    assert_ne!(code, 0, "{shown}");
    assert!(!shown.contains("hf_not_a_token"), "{shown}");
    assert!(!sb.hf_home().join("token").exists());
    assert!(!sb.hf_home().join("stored_tokens").exists());
}

#[test]
fn cache_picker_deletes_exactly_the_chosen_revision() {
    let sb = Sandbox::new("http://127.0.0.1:9");
    fill(&sb.cache());
    let mut term = Term::spawn(&sb, &["cache", "delete"]);
    term.expect("Select revisions to delete");
    let labels = [&A[..8], &B[..8], &C[..8]];
    let shown = term.expect_all(&labels);
    term.send(&DOWN.repeat(position(&shown, &labels, &B[..8])));
    term.send(" ");
    term.expect("[x]");
    term.send(ENTER);
    term.expect("1 revision(s) selected");
    term.expect("Confirm deletion?");
    term.send("y");
    term.expect("Done. Deleted 0 repo(s) and 1 revision(s)");
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert_eq!(cached_revisions(&sb), [A, C]);
}

#[test]
fn cache_picker_cancelled_or_declined_deletes_nothing() {
    let sb = Sandbox::new("http://127.0.0.1:9");
    fill(&sb.cache());
    let mut term = Term::spawn(&sb, &["cache", "delete"]);
    term.expect("Select revisions to delete");
    term.expect_all(&[&A[..8], &B[..8], &C[..8]]);
    term.send("q");
    term.expect("Deletion is cancelled. Do nothing.");
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert_eq!(cached_revisions(&sb), [A, B, C]);

    // Everything chosen, then "n" at the confirmation.
    let mut term = Term::spawn(&sb, &["cache", "delete"]);
    term.expect("Select revisions to delete");
    term.expect_all(&[&A[..8], &B[..8], &C[..8]]);
    term.send("a");
    term.expect("[x]");
    term.send(ENTER);
    term.expect("3 revision(s) selected");
    term.expect("Confirm deletion?");
    term.send("n");
    term.expect("Deletion is cancelled. Do nothing.");
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert_eq!(cached_revisions(&sb), [A, B, C]);
}

#[test]
fn auth_switch_picker_activates_the_chosen_token() {
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
    let token_file = sb.hf_home().join("token");
    assert_eq!(read(&token_file), "hf_bob_read_token");

    // "q" leaves the active token alone.
    let mut term = Term::spawn(&sb, &["auth", "switch"]);
    term.expect("Select a token to switch to");
    term.expect_all(&["alice-write", "bob"]);
    term.send("q");
    term.expect("No token selected; nothing changed.");
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert_eq!(read(&token_file), "hf_bob_read_token");

    let mut term = Term::spawn(&sb, &["auth", "switch"]);
    term.expect("Select a token to switch to");
    let names = ["alice-write", "bob"];
    let shown = term.expect_all(&names);
    term.send(&DOWN.repeat(position(&shown, &names, "alice-write")));
    term.send(ENTER);
    term.expect("The current active token is: alice-write");
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert!(!shown.contains(ALICE_TOKEN), "{shown}");
    assert_eq!(read(&token_file), ALICE_TOKEN);
    assert_eq!(sb.run(&["auth", "whoami"]).ok(), "alice\n");
}

#[test]
fn repo_delete_asks_and_only_yes_deletes() {
    let hub = hub();
    hub.create_repo(RepoType::Model, "alice/doomed", false)
        .unwrap();
    let sb = logged_in_alice(&hub);

    let mut term = Term::spawn(&sb, &["repo", "delete", "alice/doomed"]);
    term.expect("delete alice/doomed permanently?");
    term.send("n");
    term.expect("Nothing deleted.");
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    sb.run(&["info", "alice/doomed"]).ok();

    let mut term = Term::spawn(&sb, &["repo", "delete", "alice/doomed"]);
    term.expect("delete alice/doomed permanently?");
    term.send("y");
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    let gone = sb.run(&["info", "alice/doomed"]);
    assert!(gone.err_line().contains("not found"), "{gone:#?}");
}

#[test]
fn tag_delete_asks_and_only_yes_deletes() {
    let hub = hub();
    hub.create_repo(RepoType::Model, "alice/tiny", false)
        .unwrap();
    hub.upload_file(RepoType::Model, "alice/tiny", "main", "a.txt", b"a")
        .unwrap();
    let sb = logged_in_alice(&hub);
    sb.run(&["repo", "tag", "create", "alice/tiny", "v1"]).ok();

    let mut term = Term::spawn(&sb, &["repo", "tag", "delete", "alice/tiny", "v1"]);
    term.expect("delete tag v1 of alice/tiny?");
    term.send("n");
    term.expect("Nothing deleted.");
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert_eq!(sb.run(&["repo", "tag", "list", "alice/tiny"]).ok(), "v1\n");

    let mut term = Term::spawn(&sb, &["repo", "tag", "delete", "alice/tiny", "v1"]);
    term.expect("delete tag v1 of alice/tiny?");
    term.send("y");
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert_eq!(sb.run(&["repo", "tag", "list", "alice/tiny"]).ok(), "");
}

/// What a drawn bar for the 2 MiB file shows: its byte count out of the total.
const BAR: &str = "/2.00 MiB";

fn big(hub: &hf_testhub::TestHub) {
    hub.create_repo(RepoType::Model, "alice/big", false)
        .unwrap();
    hub.upload_file(
        RepoType::Model,
        "alice/big",
        "main",
        "w.bin",
        &vec![5u8; 2 << 20],
    )
    .unwrap();
}

#[test]
fn download_on_a_terminal_draws_a_progress_bar() {
    let hub = hub();
    big(&hub);
    let sb = Sandbox::new(&hub.url());
    let term = Term::spawn(&sb, &["download", "alice/big", "w.bin"]);
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains(BAR), "no progress bar drawn:\n{shown}");
    assert!(shown.contains("w.bin"), "{shown}");
    let path = sb.cache().join("models--alice--big").join("snapshots");
    assert!(shown.contains(&path.display().to_string()), "{shown}");
}

/// Rules for the GETs of `alice/big`'s content: from the Hub, or from its CDN if the file
/// is stored with LFS.
fn content_gets() -> [hf_testhub::FaultRule; 2] {
    let get = hf_api::http::http::Method::GET;
    [
        hf_testhub::FaultRule::new(get.clone(), "/alice/big/resolve/"),
        hf_testhub::FaultRule::new(get, "/lfs/").on(hf_testhub::Listener::Cdn),
    ]
}

#[test]
fn a_retry_notice_is_printed_with_the_bars_on_screen() {
    let hub = hub();
    big(&hub);
    // The content's first GET fails once, wherever it is served from.
    for rule in content_gets() {
        hub.fault(rule.fail_times(1, 503).retry_after(0));
    }
    let sb = Sandbox::new(&hub.url());
    let term = Term::spawn(&sb, &["download", "alice/big", "w.bin"]);
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains(BAR), "no progress bar drawn:\n{shown}");
    // The bar was cleared for the notice (`suspend`) and drawn again below it.
    assert!(shown.contains("\u{1b}[2K WARN GET http://"), "{shown}");
    assert!(
        shown.contains("answered 503 Service Unavailable; retrying in 0.0s (retry 1)"),
        "{shown}"
    );
}

#[test]
fn ctrl_c_stops_a_download_keeps_what_it_fetched_and_the_rerun_resumes() {
    let hub = hub();
    big(&hub);
    // Paced at 256 KiB/s (8 s for the file), so that Ctrl-C comes in the middle.
    for rule in content_gets() {
        hub.fault(rule.throttle(256 * 1024));
    }
    let sb = Sandbox::new(&hub.url());
    let mut term = Term::spawn(&sb, &["download", "alice/big", "w.bin"]);
    // Some bytes arrived (less than 1 MiB: the count is in KiB).
    term.expect(" KiB/2.00 MiB");
    term.send("\u{3}");
    let (code, shown) = term.finish();
    assert_eq!(code, 130, "{shown}");
    assert!(
        shown.contains("hf: interrupted: what was downloaded is kept"),
        "{shown}"
    );
    let blobs = sb.cache().join("models--alice--big").join("blobs");
    let partial: Vec<u64> = std::fs::read_dir(&blobs)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".incomplete"))
        .map(|e| e.metadata().unwrap().len())
        .collect();
    assert!(
        matches!(partial[..], [n] if n > 0 && n < 2 << 20),
        "{partial:?}"
    );

    // Run again: the content request starts where the partial file ends.
    hub.clear_faults();
    let before = hub.requests().len();
    let path = sb.run(&["download", "alice/big", "w.bin"]).ok().to_owned();
    assert_eq!(std::fs::read(path.trim_end()).unwrap(), vec![5u8; 2 << 20]);
    let ranges: Vec<String> = hub.requests()[before..]
        .iter()
        .filter(|r| r.method == hf_api::http::http::Method::GET)
        .filter_map(|r| r.headers.get("range")?.to_str().ok().map(str::to_owned))
        .collect();
    assert!(
        ranges
            .iter()
            .any(|r| r.starts_with("bytes=") && !r.starts_with("bytes=0-")),
        "{ranges:?}"
    );
}

/// How many requests of `log` have `method` and a path starting with `prefix`.
fn count(log: &[hf_testhub::LoggedRequest], method: &str, prefix: &str) -> usize {
    log.iter()
        .filter(|r| r.method.as_str() == method && r.path().starts_with(prefix))
        .count()
}

#[test]
fn ctrl_c_stops_a_large_folder_upload_and_the_rerun_goes_on() {
    let hub = hub();
    let sb = logged_in_alice(&hub);
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("notes.txt"), "hello").unwrap();
    for i in 1..3u8 {
        std::fs::write(folder.path().join(format!("f{i}.bin")), vec![i; 2_000_000]).unwrap();
    }
    let dir = folder.path().to_str().unwrap();
    let args = [
        "upload-large-folder",
        "alice/lf",
        dir,
        "--repo-type",
        "model",
    ];
    // The small text file is committed; the contents of the two LFS files never arrive.
    hub.fault(
        hf_testhub::FaultRule::new(hf_api::http::http::Method::PUT, "/upload/")
            .on(hf_testhub::Listener::Cdn)
            .delay(Duration::from_secs(60)),
    );
    let mut term = Term::spawn(&sb, &args);
    term.expect("1 committed");
    term.send("\u{3}");
    let (code, shown) = term.finish();
    assert_eq!(code, 130, "{shown}");
    assert!(
        shown.contains("hf: interrupted: the upload's progress is kept in the folder's"),
        "{shown}"
    );

    // Run again: it goes on with the two LFS files.
    hub.clear_faults();
    let before = hub.requests().len();
    sb.run(&args).ok();
    let rerun = &hub.requests()[before..];
    assert_eq!(count(rerun, "PUT", "/upload/"), 2, "{rerun:?}");
    assert!(
        count(rerun, "POST", "/api/models/alice/lf/commit/") >= 1,
        "{rerun:?}"
    );
    let files = sb.run(&["ls", "alice/lf"]).ok().to_owned();
    for name in ["notes.txt", "f1.bin", "f2.bin"] {
        assert!(files.contains(name), "{files}");
    }
}

#[test]
fn ctrl_c_stops_a_folder_upload_before_its_commit_and_the_rerun_sends_only_the_rest() {
    let hub = hub();
    let sb = logged_in_alice(&hub);
    let folder = tempfile::tempdir().unwrap();
    for i in 1..3u8 {
        std::fs::write(folder.path().join(format!("f{i}.bin")), vec![i; 2_000_000]).unwrap();
    }
    let dir = folder.path().to_str().unwrap();
    let args = ["upload", "alice/up", dir];
    let puts = |log: &[hf_testhub::LoggedRequest]| count(log, "PUT", "/upload/");
    let commits =
        |log: &[hf_testhub::LoggedRequest]| count(log, "POST", "/api/models/alice/up/commit/");
    // The content of one of the two LFS files never arrives; the other one does.
    hub.fault(
        hf_testhub::FaultRule::new(hf_api::http::http::Method::PUT, "/upload/")
            .on(hf_testhub::Listener::Cdn)
            .times(1)
            .delay(Duration::from_secs(60)),
    );
    let before = hub.requests().len();
    let mut term = Term::spawn(&sb, &args);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while puts(&hub.requests()[before..]) == 0 {
        assert!(std::time::Instant::now() < deadline, "no LFS upload ended");
        std::thread::sleep(Duration::from_millis(20));
    }
    term.send("\u{3}");
    let (code, shown) = term.finish();
    assert_eq!(code, 130, "{shown}");
    assert!(
        shown.contains("hf: interrupted: no commit was made"),
        "{shown}"
    );
    assert_eq!(commits(&hub.requests()[before..]), 0);

    // Run again: only the file that did not arrive is sent, then the commit.
    hub.clear_faults();
    let before = hub.requests().len();
    sb.run(&args).ok();
    let rerun = &hub.requests()[before..];
    assert_eq!(puts(rerun), 1, "{rerun:?}");
    assert_eq!(commits(rerun), 1, "{rerun:?}");
    let files = sb.run(&["ls", "alice/up"]).ok().to_owned();
    for name in ["f1.bin", "f2.bin"] {
        assert!(files.contains(name), "{files}");
    }
}

#[test]
fn quiet_or_the_environment_switch_draws_no_progress_bar() {
    let hub = hub();
    big(&hub);
    let sb = Sandbox::new(&hub.url());
    let term = Term::spawn(&sb, &["download", "alice/big", "w.bin", "--quiet"]);
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert!(
        !shown.contains("MiB"),
        "a bar was drawn with --quiet:\n{shown}"
    );
    assert!(
        shown.contains("w.bin"),
        "the path is still printed:\n{shown}"
    );

    let mut sb = Sandbox::new(&hub.url());
    sb.set("HF_HUB_DISABLE_PROGRESS_BARS", "1");
    let term = Term::spawn(&sb, &["download", "alice/big", "w.bin"]);
    let (code, shown) = term.finish();
    assert_eq!(code, 0, "{shown}");
    assert!(
        !shown.contains("MiB"),
        "a bar was drawn with HF_HUB_DISABLE_PROGRESS_BARS=1:\n{shown}"
    );
    assert!(
        shown.contains("w.bin"),
        "the path is still printed:\n{shown}"
    );
}
