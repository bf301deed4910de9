//! `cargo xtask bench upload`: the Rust client (`hf-api`, release build) and the Python
//! client (`huggingface_hub` 0.26.5, venv under `target/bench/`) upload the same data to
//! the same emulator (`hf-testhub serve`, release build, its own process, a fresh data
//! directory per run). The Rust client is `bench-upload-client` of
//! `xtask/bench/hf-rs-bench`. Cases: one 2 GiB LFS file, 2000 files of 4 KiB in one commit,
//! 20 files of 50 MiB. Each client run is a separate process measured with
//! `/usr/bin/time` (CPU, peak RSS) and a wall clock; the median of the runs goes into
//! the upload section of `docs/benchmarks.md`.
//!
//! `--quick` runs smaller cases once, as a smoke test built with the `smoke` profile (nothing
//! is written to the docs).

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::util::{loopback_without_proxy, root, run, step};

const TOKEN: &str = "hf_bench_write";
const USER: &str = "bench";
const PYTHON_REQUIREMENT: &str = "huggingface_hub==0.26.5";
const BEGIN: &str = "<!-- upload-bench:begin -->";
const END: &str = "<!-- upload-bench:end -->";

const PY_CLIENT: &str = r#"
import sys
from huggingface_hub import HfApi
case, repo, path = sys.argv[1:4]
api = HfApi()
api.create_repo(repo, exist_ok=True)
if case == "file":
    api.upload_file(path_or_fileobj=path, path_in_repo="big.bin", repo_id=repo)
else:
    api.upload_folder(folder_path=path, repo_id=repo)
"#;

/// Options of `cargo xtask bench upload`.
#[derive(clap::Args, Debug, Default)]
pub(crate) struct Args {
    /// Small cases, one run each, results only printed.
    #[arg(long)]
    quick: bool,
    /// Runs per case and client (default 3; 1 with --quick).
    #[arg(long)]
    runs: Option<usize>,
    /// Only the Rust client.
    #[arg(long)]
    skip_python: bool,
    /// Only these cases (comma-separated): `big`, `small`, `medium`.
    #[arg(long, value_delimiter = ',')]
    cases: Vec<String>,
}

struct Case {
    name: &'static str,
    kind: &'static str,
    files: usize,
    file_size: u64,
    target: &'static str,
}

fn cases(quick: bool) -> Vec<Case> {
    let mib = 1024 * 1024;
    if quick {
        vec![
            Case {
                name: "1 x 64 MiB LFS file",
                kind: "file",
                files: 1,
                file_size: 64 * mib,
                target: "smoke",
            },
            Case {
                name: "200 x 4 KiB, one commit",
                kind: "folder",
                files: 200,
                file_size: 4096,
                target: "smoke",
            },
            Case {
                name: "4 x 16 MiB",
                kind: "folder",
                files: 4,
                file_size: 16 * mib,
                target: "smoke",
            },
        ]
    } else {
        vec![
            Case {
                name: "1 x 2 GiB LFS file",
                kind: "file",
                files: 1,
                file_size: 2048 * mib,
                target: ">= 1.5x faster, peak RSS <= 100 MiB",
            },
            Case {
                name: "2000 x 4 KiB, one commit",
                kind: "folder",
                files: 2000,
                file_size: 4096,
                target: ">= 2x faster",
            },
            Case {
                name: "20 x 50 MiB",
                kind: "folder",
                files: 20,
                file_size: 50 * mib,
                target: ">= 1.5x faster",
            },
        ]
    }
}

/// One measured client run.
#[derive(Clone, Copy)]
struct Sample {
    wall: f64,
    cpu: f64,
    rss_kib: u64,
    /// CPU seconds the emulator spent during the run.
    hub_cpu: f64,
}

/// Runs the benchmark.
pub(crate) fn run_bench(args: &Args) -> Result<()> {
    let root = root();
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let bench = target.join("bench");
    std::fs::create_dir_all(&bench)?;
    // Release builds (`smoke` with --quick) in the benchmark's own target dir, shared with
    // `bench download`: the client and the emulator's `serve` binary, both from
    // `xtask/bench/hf-rs-bench`.
    let cargo_target = bench.join("cargo-target");
    let bin_dir = crate::util::build_bench(
        "the Rust client and hf-testhub",
        &cargo_target,
        args.quick,
        &root.join("xtask/bench/hf-rs-bench/Cargo.toml"),
        &[
            "--quiet",
            "--bin",
            "bench-upload-client",
            "--bin",
            "hf-testhub",
        ],
    )?;
    let hub_bin = bin_dir.join("hf-testhub");
    let rust_bin = bin_dir.join("bench-upload-client");
    let python = if args.skip_python {
        None
    } else {
        Some(python_venv(&bench)?)
    };
    let runs = args.runs.unwrap_or(if args.quick { 1 } else { 3 }).max(1);

    let mut table = String::new();
    let mut verdicts = String::new();
    let keys = ["big", "small", "medium"];
    // The emulator stands in for the Hub, whose storage is not on this machine: its data
    // goes to memory (tmpfs) where there is one, so that the emulator's own disk writes
    // (page-cache writes here throttle to about 450 MB/s once dirty memory piles up)
    // are not what the clients wait for.
    let shm = Path::new("/dev/shm");
    let hub_data = if shm.is_dir() {
        shm.join(format!("hf-rs-bench-upload-{}", std::process::id()))
    } else {
        bench.join("hub-data")
    };
    let _ = std::fs::remove_dir_all(&hub_data);
    for (i, case) in cases(args.quick).iter().enumerate() {
        if !args.cases.is_empty() && !args.cases.iter().any(|k| k == keys[i]) {
            continue;
        }
        step(&format!("case: {}", case.name));
        let data = bench
            .join(format!(
                "upload-data-{}",
                if args.quick { "quick" } else { "full" }
            ))
            .join(format!("case{i}"));
        let path = make_data(&data, case)?;
        let total = case.files as u64 * case.file_size;
        let mut rust = Vec::new();
        let mut py = Vec::new();
        // A fresh emulator data folder per run. The folders of a many-file case are
        // deleted after the case, not right before the next run: on ext4 without a
        // journal, thousands of just-deleted inodes slow the next run's file creations.
        let many_files = case.files >= 100;
        let data_dir = |who: &str, r: usize| hub_data.join(format!("{i}-{who}-{r}"));
        for r in 0..runs {
            let cmd = Command::new(&rust_bin);
            let repo = format!("{USER}/rs-{i}-{r}");
            rust.push(measure(
                &hub_bin,
                &data_dir("rs", r),
                many_files,
                cmd,
                |c, url| {
                    c.args([url, TOKEN, case.kind, &repo]).arg(&path);
                },
            )?);
            if let Some(python) = &python {
                let mut cmd = Command::new(python);
                cmd.args(["-c", PY_CLIENT, case.kind, &format!("{USER}/py-{i}-{r}")])
                    .arg(&path);
                py.push(measure(
                    &hub_bin,
                    &data_dir("py", r),
                    many_files,
                    cmd,
                    |c, url| {
                        c.env("HF_ENDPOINT", url)
                            .env("HF_TOKEN", TOKEN)
                            .env("HF_HUB_DISABLE_TELEMETRY", "1")
                            .env("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                            .env("HF_HOME", bench.join("hf-home"));
                    },
                )?);
            }
        }
        let _ = std::fs::remove_dir_all(&hub_data);
        let r = median(&rust);
        let _ = writeln!(
            table,
            "{}",
            row(case.name, "hf-api (Rust)", total, &r, &rust)
        );
        if !py.is_empty() {
            let p = median(&py);
            let _ = writeln!(
                table,
                "{}",
                row(case.name, "huggingface_hub 0.26.5", total, &p, &py)
            );
            let best = |v: &[Sample]| v.iter().map(|s| s.wall).fold(f64::INFINITY, f64::min);
            let _ = writeln!(
                verdicts,
                "- {}: Rust {:.2}x the Python client's speed at the median, {:.2}x best against best (target {}); Rust peak RSS {:.0} MiB",
                case.name,
                p.wall / r.wall,
                best(&py) / best(&rust),
                case.target,
                peak(&rust) as f64 / 1024.0
            );
        }
    }
    let header = "| case | client | median wall (s) | best wall (s) | throughput at median (MiB/s) | CPU user+sys (s) | peak RSS (MiB) | emulator CPU (s) |\n|---|---|---|---|---|---|---|---|\n";
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    let report = format!(
        "{header}{table}\n{verdicts}\nLoad average when the runs ended: {load} (other work on the machine \
         makes single runs vary; the emulator shares the cores with the client). The emulator runs with \
         `--defer-upload-check`: it stores each LFS upload once its size and parts check out, and hashes \
         every stored object after the timed run (`POST /_testhub/check-lfs`); \
         a run whose uploads do not hash to their oids fails.\n"
    );
    println!("\n{report}");
    if args.quick || !args.cases.is_empty() {
        println!("(--quick or --cases: partial run, docs/benchmarks.md not updated)");
        return Ok(());
    }
    write_docs(&root, &report, runs)
}

fn row(case: &str, client: &str, total: u64, m: &Sample, all: &[Sample]) -> String {
    let best = all.iter().map(|s| s.wall).fold(f64::INFINITY, f64::min);
    format!(
        "| {case} | {client} | {:.2} | {best:.2} | {:.1} | {:.2} | {:.0} | {:.2} |",
        m.wall,
        total as f64 / (1024.0 * 1024.0) / m.wall,
        m.cpu,
        peak(all) as f64 / 1024.0,
        m.hub_cpu
    )
}

fn peak(all: &[Sample]) -> u64 {
    all.iter().map(|s| s.rss_kib).max().unwrap_or(0)
}

/// The run with the median wall time.
fn median(all: &[Sample]) -> Sample {
    let mut v = all.to_vec();
    v.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    v[v.len() / 2]
}

fn write_docs(root: &Path, report: &str, runs: usize) -> Result<()> {
    let path = root.join("docs").join("benchmarks.md");
    let old = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_default();
    let section = format!(
        "{BEGIN}\n## Uploads\n\nMeasured with `cargo xtask bench upload` ({runs} runs per case and client, median; \
         peak RSS is the maximum over the runs) on {} core(s) ({cpu}), client and emulator (`hf-testhub serve`, \
         release build, a fresh data directory per run, in /dev/shm so that the emulator's disk writes are not measured) on the same machine over loopback. \
         Each client run is its own process (Python's interpreter start-up included).\n\n{report}{END}\n",
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    );
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(a), Some(b)) if a < b => format!(
            "{}{section}{}",
            &old[..a],
            old[b + END.len()..].trim_start_matches('\n')
        ),
        _ => format!("{}\n{section}", old.trim_end()),
    };
    std::fs::write(&path, new).with_context(|| format!("could not write {}", path.display()))?;
    step(&format!("wrote {}", path.display()));
    Ok(())
}

/// Starts a fresh emulator, runs `cmd` under `/usr/bin/time`, stops the emulator.
/// The emulator's data folder `data` is deleted afterwards unless `keep_data`.
fn measure(
    hub_bin: &Path,
    data: &Path,
    keep_data: bool,
    mut cmd: Command,
    endpoint: impl Fn(&mut Command, &str),
) -> Result<Sample> {
    let _ = std::fs::remove_dir_all(data);
    let (mut hub, url) = start_hub(hub_bin, data)?;
    endpoint(&mut cmd, &url);
    let times = data.with_extension("time.txt");
    let mut timed = Command::new("/usr/bin/time");
    loopback_without_proxy(&mut timed);
    timed
        .args(["-f", "%U %S %M", "-o"])
        .arg(&times)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    crate::bench::flush_disk();
    let hub_before = process_cpu(hub.id())?;
    let start = Instant::now();
    let out = timed.output().context("could not run /usr/bin/time")?;
    let wall = start.elapsed().as_secs_f64();
    let hub_cpu = process_cpu(hub.id())? - hub_before;
    // Outside the timed window: every uploaded LFS object must hash to its oid.
    let checked = if out.status.success() {
        check_lfs(&url)
    } else {
        Ok(())
    };
    let _ = hub.kill();
    let _ = hub.wait();
    if !keep_data {
        let _ = std::fs::remove_dir_all(data);
    }
    if !out.status.success() {
        bail!(
            "client run failed: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    checked?;
    let text = std::fs::read_to_string(&times)?;
    let last = text.lines().last().unwrap_or_default();
    let nums: Vec<f64> = last
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    let [user, sys, rss] = nums[..] else {
        bail!("unexpected /usr/bin/time output {text:?}");
    };
    eprintln!(
        "    {:<40} wall {wall:7.2}s cpu {:6.2}s rss {:6.0} MiB, emulator cpu {hub_cpu:5.2}s",
        cmd.get_program().to_string_lossy(),
        user + sys,
        rss / 1024.0
    );
    Ok(Sample {
        wall,
        cpu: user + sys,
        rss_kib: rss as u64,
        hub_cpu,
    })
}

/// User + system CPU seconds of process `pid` so far (Linux `/proc`).
fn process_cpu(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("could not read the CPU time of process {pid}"))?;
    // utime and stime are fields 14 and 15; the name (field 2) may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let ticks: f64 = fields[11..13]
        .iter()
        .map(|v| v.parse::<f64>())
        .sum::<Result<f64, _>>()
        .context("unexpected /proc stat line")?;
    Ok(ticks / 100.0)
}

/// Asks the emulator to hash every LFS object it stored (`POST /_testhub/check-lfs`);
/// an error names those whose content does not match their oid.
fn check_lfs(url: &str) -> Result<()> {
    use std::io::Read as _;
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut conn = std::net::TcpStream::connect(addr)
        .with_context(|| format!("could not connect to the emulator at {addr}"))?;
    write!(
        conn,
        "POST /_testhub/check-lfs HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    conn.read_to_string(&mut answer)?;
    if !answer.starts_with("HTTP/1.1 200") {
        bail!("uploaded content does not match its oid: {answer}");
    }
    Ok(())
}

fn start_hub(hub_bin: &Path, data: &Path) -> Result<(Child, String)> {
    let mut child = Command::new(hub_bin)
        // The emulator's own sha256 check of each upload runs after the timed window
        // (`check_lfs`): the storage behind the Hub's pre-signed URLs (S3) only keeps the
        // bytes, on machines of its own, so hashing here would only slow both clients down.
        .args([
            "serve",
            "--defer-upload-check",
            "--user",
            USER,
            "--token",
            TOKEN,
        ])
        .arg("--data")
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("could not start hf-testhub")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let Some(url) = line.trim().strip_prefix("listening on ") else {
        let _ = child.kill();
        bail!("hf-testhub did not start: {line:?}");
    };
    Ok((child, url.to_owned()))
}

/// `target/bench/venv-0.26.5` with the pinned Python client, created once.
fn python_venv(bench: &Path) -> Result<PathBuf> {
    let dir = bench.join("venv-0.26.5");
    let python = dir.join("bin").join("python");
    let marker = dir.join(".installed");
    if !marker.is_file() {
        step(&format!("creating {}", dir.display()));
        run(Command::new("python3").args(["-m", "venv"]).arg(&dir))?;
        run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            PYTHON_REQUIREMENT,
        ]))?;
        std::fs::write(&marker, PYTHON_REQUIREMENT)?;
    }
    Ok(python)
}

/// Writes the case's files once (pseudo-random content, so nothing compresses or
/// deduplicates); returns the file (single-file case) or the folder.
fn make_data(dir: &Path, case: &Case) -> Result<PathBuf> {
    let marker = dir.join(".complete");
    let target = if case.kind == "file" {
        dir.join("big.bin")
    } else {
        dir.join("files")
    };
    if marker.is_file() {
        return Ok(target);
    }
    step(&format!(
        "writing {} file(s) of {} bytes under {}",
        case.files,
        case.file_size,
        dir.display()
    ));
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("files"))?;
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    for n in 0..case.files {
        let path = if case.kind == "file" {
            target.clone()
        } else {
            target.join(format!("{:02}/f{n:05}.bin", n % 50))
        };
        std::fs::create_dir_all(path.parent().unwrap_or(dir))?;
        let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
        let mut left = case.file_size;
        let mut block = vec![0u8; 1 << 20];
        while left > 0 {
            let n = usize::try_from(left.min(block.len() as u64)).unwrap_or(block.len());
            for chunk in block[..n].chunks_mut(8) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
            }
            f.write_all(&block[..n])?;
            left -= n as u64;
        }
        f.flush()?;
    }
    std::fs::write(&marker, "")?;
    Ok(target)
}
