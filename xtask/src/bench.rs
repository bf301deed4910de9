//! `cargo xtask bench download`: our client against the Python client (0.26.5, the
//! newest, 0.26.5 with `hf_transfer`) and the `hf-hub` crate 1.0.0, on one machine and
//! one emulator, each run from an empty cache.
//!
//! Processes (release builds, or the `smoke` profile with `--quick`, built into
//! `target/bench/cargo-target`):
//! - `bench-hub` (`xtask/bench/hf-rs-bench`): `hf-testhub` with the benchmark repos,
//!   created once in `target/bench/hub-*`; it reports its own CPU time on request;
//! - `bench-client` (same project): our client, default settings;
//! - `hf-hub-compare` (`xtask/bench/hf-hub-compare`, its own workspace so its
//!   dependencies never enter ours);
//! - Python clients from venvs in `target/bench/venv-download-*`.
//!
//! Each run is measured with `/usr/bin/time` (wall, user + system CPU, peak RSS).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::util::{loopback_without_proxy, root, run, step};

/// Arguments of `cargo xtask bench`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Small sizes and one run per case, built with the quicker `smoke` profile: a smoke
    /// test whose numbers are not judged.
    #[arg(long)]
    quick: bool,
    /// Runs per case and client (default: 3, or 1 with --quick).
    #[arg(long)]
    runs: Option<usize>,
    /// Skip the Python clients (no venvs needed).
    #[arg(long)]
    no_python: bool,
    /// Skip the hf-hub comparator.
    #[arg(long)]
    no_hf_hub: bool,
    /// Only the clients whose name contains one of these (comma-separated), e.g.
    /// `--clients ours,hf-hub`.
    #[arg(long, value_delimiter = ',')]
    clients: Vec<String>,
    /// Only these cases (comma-separated): `big`, `small`, `medium`, `throttled`, `tls`.
    #[arg(long, value_delimiter = ',')]
    cases: Vec<String>,
    /// Write the markdown report here (default: docs/benchmarks.md for a full run of
    /// every case and client, nothing otherwise).
    #[arg(long)]
    write: Option<PathBuf>,
    /// Also run this `bench-client` binary, as `hf-rs (compare)`: an A/B run against a
    /// build of another commit (see docs/benchmarks.md).
    #[arg(long)]
    compare: Option<PathBuf>,
    /// Environment of the `hf-rs (compare)` client (`KEY=VALUE`, repeatable), e.g.
    /// `HF_RS_BENCH_INITIAL_CONNECTIONS=8`. Without `--compare`, it runs our build.
    #[arg(long, value_parser = parse_env)]
    compare_env: Vec<(String, String)>,
}

fn parse_env(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("expected KEY=VALUE, got {s:?}"))
}

#[derive(Clone, Copy)]
struct Sizes {
    big: u64,
    small_count: u64,
    medium_count: u64,
    medium: u64,
    throttle: u64,
}

const FULL: Sizes = Sizes {
    big: 2 << 30,
    small_count: 2000,
    medium_count: 20,
    medium: 50 << 20,
    throttle: 50_000_000,
};

const QUICK: Sizes = Sizes {
    big: 96 << 20,
    small_count: 200,
    medium_count: 4,
    medium: 8 << 20,
    throttle: 50_000_000,
};

#[derive(Clone)]
struct Client {
    name: &'static str,
    program: PathBuf,
    prefix: Vec<String>,
    env: Vec<(String, String)>,
}

struct Case {
    name: String,
    repo: &'static str,
    file: Option<&'static str>,
    bytes: u64,
    throttle: Option<u64>,
    /// Thousands of files: the run caches are deleted only after the case (see below).
    many_files: bool,
    /// Served over HTTPS (by a second emulator, with its test certificate).
    tls: bool,
}

#[derive(Default, Clone, Copy)]
struct Sample {
    wall: f64,
    cpu: f64,
    rss_kib: u64,
    hub_cpu: f64,
}

const BEGIN: &str = "<!-- download-bench:begin -->";
const END: &str = "<!-- download-bench:end -->";

/// Replaces (or appends) the download section of the report, keeping the rest.
fn write_section(path: &Path, report: &str) -> Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    let section = format!("{BEGIN}\n{report}{END}\n");
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(a), Some(b)) if a < b => format!(
            "{}{section}{}",
            &old[..a],
            old[b + END.len()..].trim_start_matches('\n')
        ),
        _ => format!("{}\n\n{section}", old.trim_end()),
    };
    std::fs::write(path, new).with_context(|| format!("cannot write {}", path.display()))
}

const PY_SCRIPT: &str = r#"
import sys
from huggingface_hub import snapshot_download, hf_hub_download
cache, repo, mode = sys.argv[2:5]
if mode == "snapshot":
    snapshot_download(repo, cache_dir=cache)
else:
    hf_hub_download(repo, sys.argv[5], cache_dir=cache)
"#;

pub(crate) fn run_bench(args: &Args) -> Result<()> {
    if !Path::new("/usr/bin/time").is_file() {
        bail!("/usr/bin/time is missing: install it (`apt-get install time`)");
    }
    let root = root();
    let bench = root.join("target").join("bench");
    std::fs::create_dir_all(&bench)?;
    let sizes = if args.quick { &QUICK } else { &FULL };
    let runs = args.runs.unwrap_or(if args.quick { 1 } else { 3 });
    let target = bench.join("cargo-target");
    let bin_dir = crate::util::build_bench(
        "the benchmark processes",
        &target,
        args.quick,
        &root.join("xtask/bench/hf-rs-bench/Cargo.toml"),
        &[],
    )?;
    let mut clients = vec![Client {
        name: "hf-rs (ours)",
        program: bin_dir.join("bench-client"),
        prefix: Vec::new(),
        env: Vec::new(),
    }];
    if args.compare.is_some() || !args.compare_env.is_empty() {
        let program = match &args.compare {
            Some(p) if p.is_file() => p.clone(),
            Some(p) => bail!("--compare {}: no such file", p.display()),
            None => bin_dir.join("bench-client"),
        };
        clients.push(Client {
            name: "hf-rs (compare)",
            program,
            prefix: Vec::new(),
            env: args.compare_env.clone(),
        });
    }
    if !args.no_hf_hub {
        crate::util::build_bench(
            "the hf-hub comparator",
            &target,
            args.quick,
            &root.join("xtask/bench/hf-hub-compare/Cargo.toml"),
            &[],
        )?;
        clients.push(Client {
            name: "hf-hub 1.0.0",
            program: bin_dir.join("hf-hub-compare"),
            prefix: Vec::new(),
            env: Vec::new(),
        });
    }
    if !args.no_python {
        for (name, label, reqs, transfer) in [
            (
                "python 0.26.5",
                "0.26.5",
                &["huggingface_hub==0.26.5"][..],
                false,
            ),
            ("python newest", "latest", &["huggingface_hub"][..], false),
            (
                "python 0.26.5 + hf_transfer",
                "0.26.5-hf_transfer",
                &["huggingface_hub==0.26.5", "hf_transfer"][..],
                true,
            ),
        ] {
            let python = venv(&bench, label, reqs)?;
            let env = [
                ("HF_HUB_DISABLE_TELEMETRY", "1".to_owned()),
                ("HF_HUB_DISABLE_PROGRESS_BARS", "1".to_owned()),
                ("HF_HUB_ENABLE_HF_TRANSFER", u8::from(transfer).to_string()),
                ("HF_HUB_DISABLE_XET", "1".to_owned()),
            ]
            .map(|(k, v)| (k.to_owned(), v))
            .to_vec();
            clients.push(Client {
                name,
                program: python,
                prefix: vec!["-c".to_owned(), PY_SCRIPT.to_owned()],
                env,
            });
        }
    }

    if !args.clients.is_empty() {
        clients.retain(|c| args.clients.iter().any(|f| c.name.contains(f.as_str())));
    }
    step("starting the emulator");
    let data = bench.join(format!(
        "hub-v2-{}-{}-{}x{}",
        sizes.big, sizes.small_count, sizes.medium_count, sizes.medium
    ));
    let mut hub = Hub::start(&bin_dir.join("bench-hub"), &data, sizes, false)?;
    // The HTTPS case's emulator, started when that case comes (its own data: the big
    // repo only).
    let mut tls_hub: Option<Hub> = None;
    let ca_bundle = root
        .join("crates/hf-testhub/tls/ca.pem")
        .display()
        .to_string();
    // Every client trusts the test CA through one of these (Python's requests, our
    // client, rustls-native-certs in hf-hub and hf_transfer).
    let tls_env: Vec<(String, String)> = ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"]
        .iter()
        .map(|k| ((*k).to_owned(), ca_bundle.clone()))
        .collect();
    let cases = [
        Case {
            name: format!("1 LFS file of {}", human(sizes.big)),
            repo: "bench/big",
            file: Some("big.bin"),
            bytes: sizes.big,
            throttle: None,
            many_files: false,
            tls: false,
        },
        Case {
            name: format!("{} files of 4 KiB", sizes.small_count),
            repo: "bench/small",
            file: None,
            bytes: sizes.small_count * 4096,
            throttle: None,
            many_files: true,
            tls: false,
        },
        Case {
            name: format!("{} files of {}", sizes.medium_count, human(sizes.medium)),
            repo: "bench/medium",
            file: None,
            bytes: sizes.medium_count * sizes.medium,
            throttle: None,
            many_files: false,
            tls: false,
        },
        Case {
            name: format!(
                "1 LFS file of {}, {} MB/s per connection",
                human(sizes.big),
                sizes.throttle / 1_000_000
            ),
            repo: "bench/big",
            file: Some("big.bin"),
            bytes: sizes.big,
            throttle: Some(sizes.throttle),
            many_files: false,
            tls: false,
        },
        Case {
            name: format!("1 LFS file of {} over HTTPS", human(sizes.big)),
            repo: "bench/big",
            file: Some("big.bin"),
            bytes: sizes.big,
            throttle: None,
            many_files: false,
            tls: true,
        },
    ];
    let cache = bench.join("run-cache");
    if cache.exists() {
        // A killed run's leftovers, maybe thousands of files.
        mass_delete(&bench, &cache);
    }
    let mut results: BTreeMap<(usize, usize), Vec<Sample>> = BTreeMap::new();
    let mut failures: BTreeMap<(usize, usize), String> = BTreeMap::new();
    let keys = ["big", "small", "medium", "throttled", "tls"];
    for (ci, case) in cases.iter().enumerate() {
        if !args.cases.is_empty() && !args.cases.iter().any(|k| k == keys[ci]) {
            continue;
        }
        step(&format!("case: {}", case.name));
        let (hub, extra_env) = if case.tls {
            if tls_hub.is_none() {
                let data = bench.join(format!("hub-v2-tls-{}", sizes.big));
                let tls_sizes = Sizes {
                    small_count: 0,
                    medium_count: 0,
                    ..*sizes
                };
                tls_hub = Some(Hub::start(
                    &bin_dir.join("bench-hub"),
                    &data,
                    &tls_sizes,
                    true,
                )?);
            }
            (tls_hub.as_mut().expect("started"), tls_env.as_slice())
        } else {
            (&mut hub, &[][..])
        };
        match case.throttle {
            Some(rate) => hub.command(&format!("throttle {rate}"))?,
            None => hub.command("clear")?,
        }
        // (The quick smoke run's numbers are not judged: no wait there.)
        if case.many_files && !args.quick {
            wait_after_mass_delete(&bench);
        }
        // The first run after a case change pays for the previous case's clean-up (the
        // freed pages, the deleted inodes): one run of the first client, not measured.
        // Its cache follows the rule of the measured runs' caches below.
        if let Some(client) = clients.first() {
            let warm_up = cache.join(format!("{ci}-warm-up"));
            std::fs::create_dir_all(&warm_up)?;
            flush_disk();
            measure(client, &hub.url, &warm_up, case, &bench, extra_env)
                .with_context(|| format!("{} on {} (warm-up)", client.name, case.name))?;
            if !case.many_files {
                let _ = std::fs::remove_dir_all(&warm_up);
            }
        }
        // Interleaved (run 1 of every client, then run 2, ...): the machine's state
        // drifts, and should not favour whichever client ran first. Each round starts
        // with the next client.
        for r in 0..runs {
            for k in 0..clients.len() {
                let ki = (k + r) % clients.len();
                let client = &clients[ki];
                if failures.contains_key(&(ci, ki)) {
                    continue;
                }
                // A fresh folder per run. Deleting thousands of files right before a run
                // slows the next run's file creations for every client (ext4 without a
                // journal scans past recently deleted inodes), so the caches of a
                // many-file case are deleted only after the case; big files, which take
                // disk space but few inodes, go right after their run.
                let run_cache = cache.join(format!("{ci}-{ki}-{r}"));
                std::fs::create_dir_all(&run_cache)?;
                flush_disk();
                let hub_before = hub.cpu()?;
                let measured = measure(client, &hub.url, &run_cache, case, &bench, extra_env)
                    .with_context(|| format!("{} on {}", client.name, case.name));
                // Over HTTPS another client may fail to trust the test CA: that is
                // reported, not fatal. Ours must work.
                let mut sample = match measured {
                    Ok(sample) => sample,
                    Err(e) if case.tls && ki != 0 => {
                        eprintln!("  {:<28} run {}: failed: {e:#}", client.name, r + 1);
                        failures.insert((ci, ki), format!("{:#}", e.root_cause()));
                        let _ = std::fs::remove_dir_all(&run_cache);
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                sample.hub_cpu = hub.cpu()? - hub_before;
                if !case.many_files {
                    let _ = std::fs::remove_dir_all(&run_cache);
                }
                eprintln!(
                    "  {:<28} run {}: {:>7.2} s  cpu {:>6.2} s  rss {:>7} KiB  hub cpu {:>6.2} s",
                    client.name,
                    r + 1,
                    sample.wall,
                    sample.cpu,
                    sample.rss_kib,
                    sample.hub_cpu
                );
                results.entry((ci, ki)).or_default().push(sample);
            }
        }
        if case.many_files {
            mass_delete(&bench, &cache);
        } else {
            let _ = std::fs::remove_dir_all(&cache);
        }
    }
    hub.command("clear")?;
    drop(tls_hub);
    let _ = std::fs::remove_dir_all(&cache);
    let report = report(args, &cases, &clients, &results, &failures, runs);
    println!("{report}");
    // Only a full run replaces the committed tables (unless --write says where to).
    let partial = args.quick
        || !args.cases.is_empty()
        || !args.clients.is_empty()
        || args.no_python
        || args.no_hf_hub
        || args.compare.is_some()
        || !args.compare_env.is_empty();
    let write = args
        .write
        .clone()
        .or_else(|| (!partial).then(|| root.join("docs").join("benchmarks.md")));
    match write {
        Some(path) => {
            write_section(&path, &report)?;
            step(&format!("report written to {}", path.display()));
        }
        None if partial => step("partial run: docs/benchmarks.md not updated"),
        None => {}
    }
    Ok(())
}

/// Where the bench notes when it last deleted a many-file case's caches.
fn mass_delete_marker(bench: &Path) -> PathBuf {
    bench.join("many-files-deleted-at")
}

/// How long ext4 keeps skipping freed inodes: for a few minutes after many files were
/// deleted, it skips the recently freed inodes when it allocates new ones
/// (`recently_deleted`: 60 s, plus 300 s while their inode-table block is dirty), and
/// creating a file and a symlink costs about 1 ms instead of 0.1 ms, for every client
/// (2000 files: 0.7 to 3 s instead of 0.15 s). Measured here: still slow 5 min 10 s
/// after the deletion, fast 5 min 20 s after it.
const INODE_SETTLE: Duration = Duration::from_mins(7);

/// Waits until the last mass deletion by a bench run (this one's or a previous one's)
/// is [`INODE_SETTLE`] old. (Deletions by others, such as `cargo clean`, have the same
/// effect: the docs say to leave the machine alone for a few minutes first.)
fn wait_after_mass_delete(bench: &Path) {
    let age = std::fs::metadata(mass_delete_marker(bench))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    if let Some(wait) = age.and_then(|age| INODE_SETTLE.checked_sub(age)) {
        eprintln!(
            "  waiting {:.0} s: the many files an earlier run deleted slow down the creation \
             of new ones for a few minutes (ext4's recently deleted inodes)",
            wait.as_secs_f64()
        );
        std::thread::sleep(wait);
    }
}

/// Deletes `dir` (a many-file case's caches) and notes when.
fn mass_delete(bench: &Path, dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::write(mass_delete_marker(bench), b"");
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

/// `target/bench/venv-{label}` with `requirements`, created once; returns its python.
fn venv(bench: &Path, label: &str, requirements: &[&str]) -> Result<PathBuf> {
    let dir = bench.join(format!("venv-download-{label}"));
    let python = dir.join("bin").join("python");
    if dir.join(".installed").is_file() {
        return Ok(python);
    }
    step(&format!("creating {}", dir.display()));
    run(Command::new("python3").args(["-m", "venv"]).arg(&dir))?;
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(requirements))?;
    std::fs::write(dir.join(".installed"), requirements.join("\n"))?;
    Ok(python)
}

struct Hub {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    url: String,
}

impl Hub {
    fn start(program: &Path, data: &Path, sizes: &Sizes, tls: bool) -> Result<Hub> {
        let mut child = Command::new(program)
            .arg(data)
            .args([
                sizes.big.to_string(),
                sizes.small_count.to_string(),
                sizes.medium_count.to_string(),
                sizes.medium.to_string(),
            ])
            .args(tls.then_some("tls"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start {}", program.display()))?;
        let stdin = child.stdin.take().expect("piped");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut url = String::new();
        stdout.read_line(&mut url)?;
        let url = url.trim().to_owned();
        if !url.starts_with("http://") && !url.starts_with("https://") {
            bail!("the emulator did not start (it printed {url:?})");
        }
        Ok(Hub {
            child,
            stdin,
            stdout,
            url,
        })
    }

    fn command(&mut self, line: &str) -> Result<()> {
        writeln!(self.stdin, "{line}")?;
        Ok(())
    }

    fn cpu(&mut self) -> Result<f64> {
        self.command("cpu")?;
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        line.trim()
            .parse()
            .with_context(|| format!("unexpected answer from the emulator: {line:?}"))
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn measure(
    client: &Client,
    url: &str,
    cache: &Path,
    case: &Case,
    bench: &Path,
    extra_env: &[(String, String)],
) -> Result<Sample> {
    let out = bench.join("time.txt");
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "%e %U %S %M", "-o"])
        .arg(&out)
        .arg(&client.program)
        .args(&client.prefix)
        .arg(url)
        .arg(cache)
        .arg(case.repo);
    match case.file {
        Some(f) => cmd.args(["file", f]),
        None => cmd.arg("snapshot"),
    };
    loopback_without_proxy(&mut cmd);
    cmd.env("HF_ENDPOINT", url)
        .env("HF_HUB_CACHE", cache)
        .env("HF_HOME", bench.join("hf-home"))
        .env_remove("HF_TOKEN")
        .stdout(Stdio::null());
    for (k, v) in client.env.iter().chain(extra_env) {
        cmd.env(k, v);
    }
    let status = cmd.status()?;
    if !status.success() {
        bail!("the client failed with {status}");
    }
    let text = std::fs::read_to_string(&out)?;
    let last = text.lines().last().unwrap_or_default();
    let f: Vec<&str> = last.split_whitespace().collect();
    let [wall, user, sys, rss] = f.as_slice() else {
        bail!("unexpected /usr/bin/time output {text:?}");
    };
    Ok(Sample {
        wall: wall.parse()?,
        cpu: user.parse::<f64>()? + sys.parse::<f64>()?,
        rss_kib: rss.parse()?,
        hub_cpu: 0.0,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        f64::midpoint(v[n / 2 - 1], v[n / 2])
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    format!("{cores} cores ({cpu})")
}

fn report(
    args: &Args,
    cases: &[Case],
    clients: &[Client],
    results: &BTreeMap<(usize, usize), Vec<Sample>>,
    failures: &BTreeMap<(usize, usize), String>,
    runs: usize,
) -> String {
    let mut s = String::new();
    let cmd = if args.quick {
        "cargo xtask bench download --quick"
    } else {
        "cargo xtask bench download"
    };
    let _ = writeln!(s, "## Downloads\n");
    let _ = writeln!(
        s,
        "Reproduce with `{cmd}` (release builds; Python venvs and the emulator data are \
         created under `target/bench/`). Machine: {}. Every run starts from an empty \
         cache; medians of {runs} run(s), taken in turns (run 1 of every client, then run 2, \
         ..., each round starting with the next client), after one unmeasured run per \
         case. The emulator (`hf-testhub`, same machine, \
         loopback) serves LFS files from its CDN listener with `Range` support. Our client \
         runs with its defaults (sha256 verification on; files from 64 MiB on use 16 MiB \
         ranges, the first and last 32 of them growing from and shrinking to 1 MiB, over \
         16 connections at first; every 250 ms the count doubles, up to 32, while each \
         doubling raises the throughput by 40%, or halves while that keeps 90% of it, when \
         each connection carries over 100 MB/s or a doubling did not pay; the runtime has \
         one worker fewer than the cores, as in the `hf` CLI). Each run \
         follows a `sync`; the caches of the 2000-file case are deleted after the case, \
         not between runs, and that case starts at least 7 minutes after a benchmark last \
         deleted such caches (ext4 creates files slowly for minutes after many were \
         deleted). The HTTPS case has a second emulator serve both its listeners over TLS \
         (rustls, HTTP/2 and HTTP/1.1 offered) with its test certificate, which every \
         client trusts through `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE` and `SSL_CERT_FILE`; \
         a client that cannot is reported as failed.\n",
        machine()
    );
    let _ = writeln!(
        s,
        "How our client verifies parallel downloads: each range is written in place at its \
         offset from 128 KiB buffers (two per connection, one filling while the other is \
         written by the file's one writer thread), and one task follows the contiguous \
         finished prefix of the file, re-reading it from the page cache in 2 MiB blocks to \
         feed the sha256. Hashing thus overlaps the transfer, and since the ranges at both \
         ends of the file are smaller the connections do not finish theirs all at once: \
         the prefix grows steadily and little is hashed after the last byte arrives, with \
         memory bounded by the buffers (not by the file size).\n"
    );
    for (ci, case) in cases.iter().enumerate() {
        let _ = writeln!(s, "### {}\n", case.name);
        let _ = writeln!(
            s,
            "| client | wall (s) | throughput (MB/s) | CPU user+sys (s) | peak RSS (MiB) | emulator CPU (s) |"
        );
        let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
        for (ki, client) in clients.iter().enumerate() {
            if let Some(why) = failures.get(&(ci, ki)) {
                let _ = writeln!(s, "| {} | failed: {why} | | | | |", client.name);
                continue;
            }
            let Some(samples) = results.get(&(ci, ki)) else {
                continue;
            };
            let wall = median(samples.iter().map(|x| x.wall).collect());
            let cpu = median(samples.iter().map(|x| x.cpu).collect());
            let rss = median(samples.iter().map(|x| x.rss_kib as f64).collect());
            let hub = median(samples.iter().map(|x| x.hub_cpu).collect());
            let mbps = if wall > 0.0 {
                case.bytes as f64 / 1e6 / wall
            } else {
                f64::NAN
            };
            let _ = writeln!(
                s,
                "| {} | {wall:.2} | {mbps:.0} | {cpu:.2} | {:.1} | {hub:.2} |",
                client.name,
                rss / 1024.0
            );
        }
        let _ = writeln!(s);
    }
    s
}

/// Writes dirty pages out before a run, so that a run does not pay (through the
/// kernel's write throttling) for what the previous one wrote. Best effort.
pub(crate) fn flush_disk() {
    let _ = Command::new("sync").status();
}
