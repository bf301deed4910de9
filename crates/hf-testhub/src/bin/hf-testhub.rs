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
        /// Serve HTTPS with the built-in test certificate (for 127.0.0.1; clients trust
        /// it through the `ca.pem` next to it, see `TlsIdentity::test_files_dir`).
        #[arg(long, conflicts_with = "tls_cert")]
        tls: bool,
        /// Serve HTTPS with this certificate chain (PEM; needs --tls-key).
        #[arg(long, requires = "tls_key", value_name = "PEM")]
        tls_cert: Option<PathBuf>,
        /// The private key (PEM) of --tls-cert.
        #[arg(long, requires = "tls_cert", value_name = "PEM")]
        tls_key: Option<PathBuf>,
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
        tls,
        tls_cert,
        tls_key,
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
    if tls {
        b = b.tls(hf_testhub::TlsIdentity::test());
    }
    if let (Some(cert), Some(key)) = (tls_cert, tls_key) {
        match (std::fs::read(&cert), std::fs::read(&key)) {
            (Ok(c), Ok(k)) => b = b.tls(hf_testhub::TlsIdentity::from_pem(c, k)),
            (Err(e), _) | (_, Err(e)) => {
                eprintln!("hf-testhub: could not read the TLS certificate or key: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
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
