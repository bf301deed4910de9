//! Environment resolution, in one place.
//!
//! [`Environment`] is a snapshot of environment variables; [`Settings::resolve`] is the
//! only function that interprets them. [`HfApi::builder`](crate::HfApi::builder) uses the
//! process environment; [`HfApiBuilder::new`](crate::HfApiBuilder::new) uses an empty one
//! (for tests and for applications that configure everything themselves), and
//! [`HfApiBuilder::with_environment`](crate::HfApiBuilder::with_environment) takes any.
//!
//! | variable | effect |
//! |---|---|
//! | `HF_ENDPOINT` | endpoint, if set and non-empty |
//! | `HUGGINGFACE_CO_STAGING` | truthy: `https://hub-ci.huggingface.co` (when `HF_ENDPOINT` is unset) |
//! | `HF_HOME` | root directory (default `$XDG_CACHE_HOME/huggingface` or `~/.cache/huggingface`) |
//! | `HF_HUB_CACHE`, legacy `HUGGINGFACE_HUB_CACHE` | cache directory (default `$HF_HOME/hub`) |
//! | `HF_TOKEN`, legacy `HUGGING_FACE_HUB_TOKEN`, `HF_TOKEN_PATH` | the token (see [`hf_http::auth::resolve_token`]) |
//! | `HF_HUB_DISABLE_IMPLICIT_TOKEN` | truthy: send no token unless one is given explicitly |
//! | `HF_HUB_OFFLINE`, legacy `TRANSFORMERS_OFFLINE` | truthy: offline mode, no request is sent (see [`HfApiBuilder::offline`](crate::HfApiBuilder::offline)) |
//! | `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY` (each also in lowercase, which wins) | proxies, as `requests` reads them (see [`ProxyConfig`]); under CGI (`REQUEST_METHOD` set) the uppercase `HTTP_PROXY` is ignored, as in Python |
//! | `REQUESTS_CA_BUNDLE`, else `CURL_CA_BUNDLE` | a PEM file (or folder) of the certificates to trust instead of the system's roots, as in Python (the system's roots honour `SSL_CERT_FILE` and `SSL_CERT_DIR`) |
//! | `HF_HUB_ETAG_TIMEOUT` | seconds: default limit of a download's metadata request (default 10) |
//! | `HF_HUB_DOWNLOAD_TIMEOUT` | seconds: limit on the wait for a file's content, to its headers and between two reads of its body (default 10); a download that stalls longer resumes where it stopped |
//!
//! "Truthy" is `1`, `ON`, `YES` or `TRUE`, in any case. A timeout that is not a number
//! (`abc`) is ignored with a warning; `0` (as in Python) and negative values mean the
//! default too.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use hf_http::auth::{expand_user, hf_home, is_truthy, token_path};
use hf_http::transport::ProxyConfig;

/// The default endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
/// The staging endpoint (`HUGGINGFACE_CO_STAGING`).
pub const STAGING_ENDPOINT: &str = "https://hub-ci.huggingface.co";
/// The default of `HF_HUB_ETAG_TIMEOUT`: 10 s, as in the Python client.
pub const DEFAULT_ETAG_TIMEOUT: Duration = Duration::from_secs(10);
/// The default of `HF_HUB_DOWNLOAD_TIMEOUT`: 10 s, as in the Python client.
pub const DEFAULT_DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(10);

/// A snapshot of environment variables.
#[derive(Clone, Default)]
pub struct Environment {
    vars: HashMap<String, String>,
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values may be secrets (HF_TOKEN): show names only.
        let mut names: Vec<&String> = self.vars.keys().collect();
        names.sort();
        f.debug_struct("Environment")
            .field("names", &names)
            .finish()
    }
}

impl Environment {
    /// No variables at all.
    pub fn empty() -> Self {
        Environment::default()
    }

    /// The process environment, now (values that are not UTF-8 are skipped).
    pub fn from_process() -> Self {
        Environment {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
        }
    }

    /// These variables.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Environment {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// One variable.
    pub fn get(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }
}

/// Everything the client takes from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Settings {
    /// The Hub endpoint.
    pub endpoint: String,
    /// `HF_HOME`.
    pub hf_home: PathBuf,
    /// The hub cache directory.
    pub cache_dir: PathBuf,
    /// The active token file.
    pub token_path: PathBuf,
    /// `HF_HUB_DISABLE_IMPLICIT_TOKEN`.
    pub disable_implicit_token: bool,
    /// `HF_HUB_OFFLINE` (or, when it is unset or empty, `TRANSFORMERS_OFFLINE`).
    pub offline: bool,
    /// `HF_HUB_ETAG_TIMEOUT`.
    pub etag_timeout: Duration,
    /// `HF_HUB_DOWNLOAD_TIMEOUT`.
    pub download_timeout: Duration,
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY`.
    pub proxy: ProxyConfig,
    /// `REQUESTS_CA_BUNDLE`, else `CURL_CA_BUNDLE`.
    pub ca_bundle: Option<PathBuf>,
}

impl Settings {
    /// Resolves the settings from `env`, with the Python client's rules.
    pub fn resolve(env: &Environment) -> Settings {
        let lookup = |name: &str| env.get(name);
        let endpoint = match env.get("HF_ENDPOINT").filter(|e| !e.is_empty()) {
            Some(e) => e,
            None if is_truthy(env.get("HUGGINGFACE_CO_STAGING").as_deref()) => {
                STAGING_ENDPOINT.to_owned()
            }
            None => DEFAULT_ENDPOINT.to_owned(),
        };
        let home = hf_home(&lookup);
        let cache_dir = env
            .get("HF_HUB_CACHE")
            .or_else(|| env.get("HUGGINGFACE_HUB_CACHE"))
            .map_or_else(|| home.join("hub"), |p| expand_user(&p, &lookup));
        Settings {
            endpoint,
            cache_dir,
            token_path: token_path(&lookup),
            hf_home: home,
            disable_implicit_token: is_truthy(env.get("HF_HUB_DISABLE_IMPLICIT_TOKEN").as_deref()),
            offline: hf_cache::env::offline_mode(lookup),
            etag_timeout: seconds(env, "HF_HUB_ETAG_TIMEOUT", DEFAULT_ETAG_TIMEOUT),
            download_timeout: seconds(env, "HF_HUB_DOWNLOAD_TIMEOUT", DEFAULT_DOWNLOAD_TIMEOUT),
            proxy: proxy_from(env),
            ca_bundle: ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"]
                .iter()
                .find_map(|name| env.get(name).filter(|v| !v.is_empty()))
                .map(|p| expand_user(&p, &lookup)),
        }
    }
}

/// The proxies, with Python's (`urllib`) reading of the variables: the lowercase name
/// wins, even when empty (which unsets it); under CGI, `HTTP_PROXY` may come from a
/// request header (httpoxy), so only `http_proxy` counts.
fn proxy_from(env: &Environment) -> ProxyConfig {
    let var = |lower: &str| match env.get(lower) {
        Some(v) => Some(v),
        None if lower == "http_proxy" && env.get("REQUEST_METHOD").is_some() => None,
        None => env.get(&lower.to_ascii_uppercase()),
    };
    // The setters take an empty value as unset.
    ProxyConfig::none()
        .all(var("all_proxy").unwrap_or_default())
        .http(var("http_proxy").unwrap_or_default())
        .https(var("https_proxy").unwrap_or_default())
        .no_proxy(var("no_proxy").unwrap_or_default())
}

/// A positive number of seconds from `name` (Python reads an integer; a fraction is
/// taken too), else `default`. Unset and empty mean the default, as in Python, where `0`
/// does too.
fn seconds(env: &Environment, name: &str, default: Duration) -> Duration {
    let Some(raw) = env.get(name).filter(|v| !v.trim().is_empty()) else {
        return default;
    };
    match raw.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 => Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX),
        Ok(_) => default,
        Err(_) => {
            tracing::warn!(
                "{name}={raw:?} is not a number of seconds; using the default of {}s",
                default.as_secs()
            );
            default
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let s = Settings::resolve(&Environment::from_pairs([("HOME", "/h")]));
        assert_eq!(s.endpoint, DEFAULT_ENDPOINT);
        assert_eq!(s.hf_home, PathBuf::from("/h/.cache/huggingface"));
        assert_eq!(s.cache_dir, PathBuf::from("/h/.cache/huggingface/hub"));
        assert_eq!(s.token_path, PathBuf::from("/h/.cache/huggingface/token"));
        assert!(!s.offline);

        let s = Settings::resolve(&Environment::from_pairs([
            ("HOME", "/h"),
            ("HF_ENDPOINT", ""),
            ("HUGGINGFACE_CO_STAGING", "true"),
            ("HF_HOME", "/hf"),
            ("HUGGINGFACE_HUB_CACHE", "~/legacy"),
        ]));
        assert_eq!(s.endpoint, STAGING_ENDPOINT);
        assert_eq!(s.cache_dir, PathBuf::from("/h/legacy"));
        assert_eq!(s.token_path, PathBuf::from("/hf/token"));

        let s = Settings::resolve(&Environment::from_pairs([
            ("HF_ENDPOINT", "http://127.0.0.1:9"),
            ("HF_HUB_CACHE", "/c"),
            ("HUGGINGFACE_HUB_CACHE", "/legacy"),
            ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1"),
        ]));
        assert_eq!(s.endpoint, "http://127.0.0.1:9");
        assert_eq!(s.cache_dir, PathBuf::from("/c"));
        assert!(s.disable_implicit_token);
        assert!(!s.offline);

        for (vars, offline) in [
            (&[("HF_HUB_OFFLINE", "1")][..], true),
            (
                &[("HF_HUB_OFFLINE", "0"), ("TRANSFORMERS_OFFLINE", "1")][..],
                false,
            ),
            (
                &[("HF_HUB_OFFLINE", ""), ("TRANSFORMERS_OFFLINE", "yes")][..],
                true,
            ),
        ] {
            let s = Settings::resolve(&Environment::from_pairs(vars.iter().copied()));
            assert_eq!(s.offline, offline, "{vars:?}");
        }
    }

    #[test]
    fn timeouts_are_seconds_with_python_defaults() {
        let s = Settings::resolve(&Environment::empty());
        assert_eq!(s.etag_timeout, DEFAULT_ETAG_TIMEOUT);
        assert_eq!(s.download_timeout, DEFAULT_DOWNLOAD_TIMEOUT);
        for (value, expected) in [
            ("30", Duration::from_secs(30)),
            (" 2.5 ", Duration::from_millis(2500)),
            ("", DEFAULT_ETAG_TIMEOUT),
            ("0", DEFAULT_ETAG_TIMEOUT),
            ("-3", DEFAULT_ETAG_TIMEOUT),
            ("ten", DEFAULT_ETAG_TIMEOUT),
            ("1e400", Duration::MAX),
        ] {
            let s = Settings::resolve(&Environment::from_pairs([
                ("HF_HUB_ETAG_TIMEOUT", value),
                ("HF_HUB_DOWNLOAD_TIMEOUT", value),
            ]));
            assert_eq!(s.etag_timeout, expected, "{value:?}");
            assert_eq!(s.download_timeout, expected, "{value:?}");
        }
    }

    #[test]
    fn proxies_are_read_as_python_reads_them() {
        let proxy = |vars: &[(&str, &str)]| {
            Settings::resolve(&Environment::from_pairs(vars.iter().copied())).proxy
        };
        assert!(proxy(&[]).is_none());
        assert_eq!(
            proxy(&[
                ("HTTPS_PROXY", "http://upper:1"),
                ("https_proxy", "http://lower:1"),
                ("HTTP_PROXY", "http://h:2"),
                ("ALL_PROXY", "socks5h://a:3"),
                ("NO_PROXY", "localhost"),
            ]),
            ProxyConfig::none()
                .all("socks5h://a:3")
                .http("http://h:2")
                .https("http://lower:1")
                .no_proxy("localhost")
        );
        // An empty lowercase variable unsets the uppercase one.
        assert!(proxy(&[("HTTPS_PROXY", "http://upper:1"), ("https_proxy", "")]).is_none());
        // CGI: HTTP_PROXY may be a request header; only http_proxy counts.
        assert!(proxy(&[("REQUEST_METHOD", "GET"), ("HTTP_PROXY", "http://evil:1")]).is_none());
        assert_eq!(
            proxy(&[("REQUEST_METHOD", "GET"), ("http_proxy", "http://ok:1")]),
            ProxyConfig::none().http("http://ok:1")
        );
    }

    #[test]
    fn ca_bundle_comes_from_requests_then_curl() {
        let bundle = |vars: &[(&str, &str)]| {
            Settings::resolve(&Environment::from_pairs(vars.iter().copied())).ca_bundle
        };
        assert_eq!(bundle(&[]), None);
        assert_eq!(
            bundle(&[("CURL_CA_BUNDLE", "/c.pem"), ("HOME", "/h")]),
            Some(PathBuf::from("/c.pem"))
        );
        assert_eq!(
            bundle(&[
                ("REQUESTS_CA_BUNDLE", "~/r.pem"),
                ("CURL_CA_BUNDLE", "/c.pem"),
                ("HOME", "/h")
            ]),
            Some(PathBuf::from("/h/r.pem"))
        );
        assert_eq!(
            bundle(&[("REQUESTS_CA_BUNDLE", ""), ("CURL_CA_BUNDLE", "/c.pem")]),
            Some(PathBuf::from("/c.pem"))
        );
    }

    #[test]
    fn debug_hides_values() {
        let env = Environment::from_pairs([("HF_TOKEN", "hf_secret")]);
        assert!(!format!("{env:?}").contains("hf_secret"));
    }
}
