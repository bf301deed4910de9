//! `hf env`: what a bug report needs to know about this setup. Never prints a token.

use hf_api::http::auth::{TokenOrigin, TokenSource, resolve_token};

use super::Ctx;
use super::auth::store::TokenStore;

/// Environment variables whose values are shown as set (they are not secrets).
const SHOWN_VARS: [&str; 8] = [
    "HF_HUB_OFFLINE",
    "HF_HUB_DISABLE_PROGRESS_BARS",
    "HF_HUB_DISABLE_SYMLINKS_WARNING",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN",
    "HF_HUB_ETAG_TIMEOUT",
    "HF_HUB_DOWNLOAD_TIMEOUT",
    "HF_HUB_DISABLE_TELEMETRY",
    "RUST_LOG",
];

pub(crate) fn run(ctx: &Ctx) -> anyhow::Result<()> {
    let s = &ctx.settings;
    let store = TokenStore::new(s.token_path.clone());
    let lookup = |name: &str| ctx.env.get(name);
    let token = match resolve_token(&TokenSource::Stored, &lookup).map(|(_, o)| o) {
        None => "none".to_owned(),
        Some(TokenOrigin::EnvHfToken) => "set (HF_TOKEN)".to_owned(),
        Some(TokenOrigin::EnvLegacy) => "set (HUGGING_FACE_HUB_TOKEN)".to_owned(),
        Some(TokenOrigin::File(p)) => format!("set (file {})", p.display()),
        Some(_) => "set".to_owned(),
    };
    let stored = store.stored().map_or(0, |t| t.len());
    let mut lines = vec![
        ("hf version", env!("CARGO_PKG_VERSION").to_owned()),
        (
            "Platform",
            format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        ),
        ("ENDPOINT", s.endpoint.clone()),
        ("HF_HOME", s.hf_home.display().to_string()),
        ("HF_HUB_CACHE", s.cache_dir.display().to_string()),
        ("HF_TOKEN_PATH", s.token_path.display().to_string()),
        (
            "HF_STORED_TOKENS_PATH",
            store.stored_path.display().to_string(),
        ),
        ("Token", token),
        ("Stored tokens", stored.to_string()),
        // Shown without the credentials a proxy URL may hold.
        ("Proxies", s.proxy.to_string()),
        (
            "CA bundle",
            s.ca_bundle
                .as_ref()
                .map_or_else(|| "system roots".to_owned(), |p| p.display().to_string()),
        ),
    ];
    for name in SHOWN_VARS {
        if let Some(v) = ctx.env.get(name) {
            lines.push((name, v));
        }
    }
    println!();
    println!("Copy-and-paste the text below in your GitHub issue.");
    println!();
    for (k, v) in lines {
        println!("- {k}: {v}");
    }
    println!();
    Ok(())
}
