//! `hf-testhub serve`: runs the Hub emulator as a process, keeping its state on disk.

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "hf-testhub",
    version,
    about = "A local Hugging Face Hub emulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the emulator until interrupted.
    Serve {
        /// Directory holding state.json and objects/ (a temp dir, deleted on exit, if absent).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Port of the Hub listener on 127.0.0.1 (0 = any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Port of the CDN listener on 127.0.0.1 (0 = any free port).
        #[arg(long, default_value_t = 0)]
        cdn_port: u16,
        /// User to create when absent (needs --token).
        #[arg(long, requires = "token")]
        user: Option<String>,
        /// Write token for --user.
        #[arg(long, requires = "user")]
        token: Option<String>,
        /// Page size of every paginated listing (default: the Hub's).
        #[arg(long)]
        page_size: Option<usize>,
        /// Part size of multipart LFS uploads, in bytes.
        #[arg(long)]
        chunk_size: Option<u64>,
        /// Size from which preupload answers `lfs` for untracked paths, in bytes.
        #[arg(long)]
        lfs_threshold: Option<u64>,
        /// Lifetime of signed CDN URLs, in seconds.
        #[arg(long)]
        url_ttl_secs: Option<u64>,
        /// Store LFS uploads after a size check only; `POST /_testhub/check-lfs` hashes them
        /// later (for benchmarks).
        #[arg(long)]
        defer_upload_check: bool,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let Command::Serve {
        data,
        port,
        cdn_port,
        user,
        token,
        page_size,
        chunk_size,
        lfs_threshold,
        url_ttl_secs,
        defer_upload_check,
    } = Cli::parse().command;
    let mut b = hf_testhub::TestHub::builder()
        .port(port)
        .cdn_port(cdn_port)
        .defer_upload_check(defer_upload_check);
    if let Some(d) = data {
        b = b.data_dir(d);
    }
    if let (Some(u), Some(t)) = (&user, &token) {
        b = b.user(u, t);
    }
    if let Some(n) = page_size {
        b = b.page_size(n);
    }
    if let Some(n) = chunk_size {
        b = b.multipart_chunk_size(n);
    }
    if let Some(n) = lfs_threshold {
        b = b.lfs_threshold(n);
    }
    if let Some(s) = url_ttl_secs {
        b = b.signed_url_ttl(std::time::Duration::from_secs(s));
    }
    let hub = match b.start().await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("hf-testhub: {e}");
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                eprintln!("  caused by: {s}");
                src = s.source();
            }
            return std::process::ExitCode::FAILURE;
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", hub.url());
        let _ = out.flush();
    }
    eprintln!(
        "hf-testhub: CDN on {}, data in {}",
        hub.cdn_url(),
        hub.data_dir().display()
    );
    shutdown_signal().await;
    drop(hub);
    std::process::ExitCode::SUCCESS
}

/// Waits for Ctrl-C or (on Unix) SIGTERM, so a temp data dir is removed on either.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
