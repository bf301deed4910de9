//! Tokens: where they come from, and the layer that sends them only to the Hub.
//!
//! [`resolve_token`] follows the Python client's order (explicit token, `HF_TOKEN`,
//! legacy `HUGGING_FACE_HUB_TOKEN`, then the token file). It reads the environment only
//! through the closure it is given, so tests never touch the process environment.
//!
//! [`AddHubTokenLayer`] adds `Authorization: Bearer <token>` only when the request's
//! origin (scheme, host and port) is the endpoint's origin. It sits inside the redirect
//! layer, so the decision is made again on every hop: a redirect to a CDN never carries
//! the token.

use std::fmt;
use std::path::{Path, PathBuf};
use std::task::{Context, Poll};

use http::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use http::{Request, Uri};
use secrecy::{ExposeSecret, SecretString};
use tower_layer::Layer;
use tower_service::Service;

/// A Hub access token. Its `Debug` prints `Token(***)`; it is zeroed on drop.
///
/// ```
/// let token = hf_http::Token::new("hf_secret").unwrap();
/// assert_eq!(format!("{token:?}"), "Token(***)");
/// ```
#[derive(Clone)]
pub struct Token(SecretString);

impl Token {
    /// A token from its text, cleaned like the Python client does (every `\r` and `\n`
    /// removed, surrounding whitespace trimmed). `None` when nothing is left.
    pub fn new(text: impl AsRef<str>) -> Option<Self> {
        let cleaned: String = text
            .as_ref()
            .chars()
            .filter(|c| *c != '\r' && *c != '\n')
            .collect();
        let trimmed = cleaned.trim();
        if trimmed.is_empty() {
            None
        } else {
            Some(Token(SecretString::from(trimmed.to_owned())))
        }
    }

    /// The token text. Do not log it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The `Authorization` header value, marked sensitive.
    pub fn to_header_value(&self) -> Option<HeaderValue> {
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.expose_secret())).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// Which token a client sends.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum TokenSource {
    /// Never send a token.
    None,
    /// Send this token.
    Explicit(Token),
    /// Use the locally configured token (`HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`, token file),
    /// unless `HF_HUB_DISABLE_IMPLICIT_TOKEN` is truthy. Python's `token=None`.
    #[default]
    Implicit,
    /// Use the locally configured token even when `HF_HUB_DISABLE_IMPLICIT_TOKEN` is set.
    /// Python's `token=True`.
    Stored,
}

/// Where a resolved token came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenOrigin {
    /// Given explicitly.
    Explicit,
    /// The `HF_TOKEN` environment variable.
    EnvHfToken,
    /// The legacy `HUGGING_FACE_HUB_TOKEN` environment variable.
    EnvLegacy,
    /// The token file at this path.
    File(PathBuf),
}

/// Whether an environment value is "truthy" for the Python client (`1`, `ON`, `YES`,
/// `TRUE`, any case).
pub fn is_truthy(value: Option<&str>) -> bool {
    value.is_some_and(|v| {
        let v = v.to_ascii_uppercase();
        matches!(v.as_str(), "1" | "ON" | "YES" | "TRUE")
    })
}

fn home_dir(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    env("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(std::env::home_dir)
        .unwrap_or_else(|| PathBuf::from("~"))
}

/// Expands a leading `~` like Python's `os.path.expanduser`.
pub fn expand_user(path: &str, env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    if path == "~" {
        home_dir(env)
    } else if let Some(rest) = path.strip_prefix("~/") {
        home_dir(env).join(rest)
    } else {
        PathBuf::from(path)
    }
}

/// The Hugging Face home directory: `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else
/// `~/.cache/huggingface` (with `~` expanded), exactly as the Python client computes it.
pub fn hf_home(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(home) = env("HF_HOME") {
        return expand_user(&home, env);
    }
    let base = match env("XDG_CACHE_HOME") {
        Some(xdg) => PathBuf::from(xdg),
        None => home_dir(env).join(".cache"),
    };
    // Python expands `~` after joining, so `XDG_CACHE_HOME=~/x` works too.
    let joined = base.join("huggingface");
    match joined.to_str() {
        Some(s) => expand_user(s, env),
        None => joined,
    }
}

/// The active token file: `HF_TOKEN_PATH`, else `$HF_HOME/token`.
pub fn token_path(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    match env("HF_TOKEN_PATH") {
        Some(p) => PathBuf::from(p),
        None => hf_home(env).join("token"),
    }
}

/// Resolves which token to send, reading the environment only through `env` (and the
/// token file from disk).
///
/// Order, as in the Python client (0.26.5, without the Colab secret): an explicit token;
/// `HF_TOKEN`; `HUGGING_FACE_HUB_TOKEN` (only consulted when `HF_TOKEN` is unset or
/// empty); the token file ([`token_path`]). An environment value that cleans to nothing
/// falls through to the file, as in Python. With [`TokenSource::Implicit`], a truthy
/// `HF_HUB_DISABLE_IMPLICIT_TOKEN` means no token at all.
///
/// ```
/// use hf_http::auth::{resolve_token, TokenOrigin, TokenSource};
/// let env = |name: &str| (name == "HF_TOKEN").then(|| "hf_abc\n".to_owned());
/// let (token, origin) = resolve_token(&TokenSource::Implicit, &env).unwrap();
/// assert_eq!(token.expose_secret(), "hf_abc");
/// assert_eq!(origin, TokenOrigin::EnvHfToken);
/// ```
pub fn resolve_token(
    source: &TokenSource,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<(Token, TokenOrigin)> {
    match source {
        TokenSource::None => return None,
        TokenSource::Explicit(token) => return Some((token.clone(), TokenOrigin::Explicit)),
        TokenSource::Implicit => {
            if is_truthy(env("HF_HUB_DISABLE_IMPLICIT_TOKEN").as_deref()) {
                return None;
            }
        }
        TokenSource::Stored => {}
    }
    // Python: `os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")`,
    // so an empty HF_TOKEN falls back to the legacy variable, but a whitespace-only one
    // does not (it is chosen, cleans to nothing, and the file is read next).
    let from_env = match env("HF_TOKEN").filter(|v| !v.is_empty()) {
        Some(v) => Some((v, TokenOrigin::EnvHfToken)),
        None => env("HUGGING_FACE_HUB_TOKEN")
            .filter(|v| !v.is_empty())
            .map(|v| (v, TokenOrigin::EnvLegacy)),
    };
    if let Some((text, origin)) = from_env
        && let Some(token) = Token::new(text)
    {
        return Some((token, origin));
    }
    let path = token_path(env);
    read_token_file(&path).map(|t| (t, TokenOrigin::File(path)))
}

fn read_token_file(path: &Path) -> Option<Token> {
    match std::fs::read_to_string(path) {
        Ok(text) => Token::new(text),
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::debug!(path = %path.display(), error = %e, "cannot read the token file");
            }
            None
        }
    }
}

/// The origin of a URL: scheme, lower-cased host and port (default ports filled in).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of `uri`, or `None` for a relative URI or an unknown scheme without port.
    pub fn of(uri: &Uri) -> Option<Origin> {
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let host = uri.host()?.to_ascii_lowercase();
        let port = match (uri.port_u16(), scheme.as_str()) {
            (Some(p), _) => p,
            (None, "https") => 443,
            (None, "http") => 80,
            (None, _) => return None,
        };
        Some(Origin { scheme, host, port })
    }

    /// Whether `uri` has this origin.
    pub fn matches(&self, uri: &Uri) -> bool {
        Origin::of(uri).as_ref() == Some(self)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

/// Per-request override of the client's token, as a request extension.
///
/// ```
/// let mut req = http::Request::new(hf_http::HfBody::empty());
/// req.extensions_mut().insert(hf_http::auth::RequestAuth::Disabled);
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum RequestAuth {
    /// Use the client's token (the default).
    #[default]
    Default,
    /// Send no token with this request.
    Disabled,
    /// Send this token instead of the client's (still only to the endpoint's origin).
    Token(Token),
}

/// Adds the Hub token, and any credential headers configured for the Hub, to requests
/// for the endpoint's origin only.
#[derive(Clone)]
pub struct AddHubTokenLayer {
    origin: Origin,
    /// Other services of the same account that get the token (not the credentials).
    also: Vec<Origin>,
    value: Option<HeaderValue>,
    credentials: HeaderMap,
}

impl AddHubTokenLayer {
    /// A layer for the `endpoint` origin sending `token` (if any).
    pub fn new(endpoint: &Uri, token: Option<&Token>) -> Result<Self, crate::Error> {
        let origin = Origin::of(endpoint).ok_or_else(|| {
            crate::Error::bare(crate::ErrorKind::Config)
                .with_detail("the endpoint must be an absolute http or https URL")
        })?;
        let value = match token {
            Some(t) => Some(t.to_header_value().ok_or_else(|| {
                crate::Error::bare(crate::ErrorKind::Config)
                    .with_detail("the token contains characters not allowed in a header")
            })?),
            None => None,
        };
        Ok(AddHubTokenLayer {
            origin,
            also: Vec::new(),
            value,
            credentials: HeaderMap::new(),
        })
    }

    /// Extra credential headers (for example a user-supplied `Authorization` or `Cookie`)
    /// that, like the token, are sent only to the endpoint's origin. They are marked
    /// sensitive and override the token header.
    pub fn credentials(mut self, headers: HeaderMap) -> Self {
        self.credentials = headers
            .into_iter()
            .filter_map(|(k, mut v)| {
                v.set_sensitive(true);
                k.map(|k| (k, v))
            })
            .collect();
        self
    }

    /// The origin tokens are sent to.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Also sends the token (not the extra credential headers) to `url`'s origin: a
    /// second service of the same account, such as the Inference Endpoints API.
    pub fn also_for(mut self, url: &Uri) -> Result<Self, crate::Error> {
        let origin = Origin::of(url).ok_or_else(|| {
            crate::Error::bare(crate::ErrorKind::Config)
                .with_detail("a token origin must be an absolute http or https URL")
        })?;
        if origin != self.origin && !self.also.contains(&origin) {
            self.also.push(origin);
        }
        Ok(self)
    }
}

impl fmt::Debug for AddHubTokenLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddHubTokenLayer")
            .field("origin", &self.origin)
            .field("token", &self.value.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl<S> Layer<S> for AddHubTokenLayer {
    type Service = AddHubToken<S>;

    fn layer(&self, inner: S) -> AddHubToken<S> {
        AddHubToken {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service of [`AddHubTokenLayer`].
pub struct AddHubToken<S> {
    inner: S,
    layer: AddHubTokenLayer,
}

impl<S: Clone> Clone for AddHubToken<S> {
    fn clone(&self) -> Self {
        AddHubToken {
            inner: self.inner.clone(),
            layer: self.layer.clone(),
        }
    }
}

impl<S> fmt::Debug for AddHubToken<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddHubToken")
            .field("layer", &self.layer)
            .finish_non_exhaustive()
    }
}

inner_service_accessors!(AddHubToken);

impl<S, B> Service<Request<B>> for AddHubToken<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> S::Future {
        let primary = self.layer.origin.matches(req.uri());
        if primary || self.layer.also.iter().any(|o| o.matches(req.uri())) {
            let value = match req.extensions().get::<RequestAuth>() {
                None | Some(RequestAuth::Default) => self.layer.value.clone(),
                Some(RequestAuth::Disabled) => None,
                Some(RequestAuth::Token(t)) => t.to_header_value(),
            };
            if let Some(value) = value
                && !req.headers().contains_key(AUTHORIZATION)
            {
                req.headers_mut().insert(AUTHORIZATION, value);
            }
            if primary {
                for (name, value) in &self.layer.credentials {
                    req.headers_mut().insert(name.clone(), value.clone());
                }
            }
        }
        self.inner.call(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn precedence_explicit_env_legacy_file() {
        let dir = std::env::temp_dir().join(format!("hf-http-auth-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "hf_file\n").unwrap();
        let file_s = file.to_str().unwrap();

        let explicit = TokenSource::Explicit(Token::new("hf_explicit").unwrap());
        let env = env_of(&[
            ("HF_TOKEN", "hf_env"),
            ("HUGGING_FACE_HUB_TOKEN", "hf_legacy"),
            ("HF_TOKEN_PATH", file_s),
        ]);
        let (t, o) = resolve_token(&explicit, &env).unwrap();
        assert_eq!(
            (t.expose_secret(), o),
            ("hf_explicit", TokenOrigin::Explicit)
        );
        let (t, o) = resolve_token(&TokenSource::Implicit, &env).unwrap();
        assert_eq!((t.expose_secret(), o), ("hf_env", TokenOrigin::EnvHfToken));

        let env = env_of(&[
            ("HF_TOKEN", ""),
            ("HUGGING_FACE_HUB_TOKEN", "hf_legacy"),
            ("HF_TOKEN_PATH", file_s),
        ]);
        let (t, o) = resolve_token(&TokenSource::Implicit, &env).unwrap();
        assert_eq!(
            (t.expose_secret(), o),
            ("hf_legacy", TokenOrigin::EnvLegacy)
        );

        // whitespace-only HF_TOKEN is chosen, cleans to nothing, then the file is read
        let env = env_of(&[
            ("HF_TOKEN", " \n"),
            ("HUGGING_FACE_HUB_TOKEN", "hf_legacy"),
            ("HF_TOKEN_PATH", file_s),
        ]);
        let (t, o) = resolve_token(&TokenSource::Implicit, &env).unwrap();
        assert_eq!(t.expose_secret(), "hf_file");
        assert_eq!(o, TokenOrigin::File(file.clone()));

        // HF_HOME/token
        let env = env_of(&[("HF_HOME", dir.to_str().unwrap())]);
        let (t, _) = resolve_token(&TokenSource::Implicit, &env).unwrap();
        assert_eq!(t.expose_secret(), "hf_file");

        // disabled implicit token, but Stored still reads it
        let env = env_of(&[
            ("HF_TOKEN", "hf_env"),
            ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "yes"),
        ]);
        assert!(resolve_token(&TokenSource::Implicit, &env).is_none());
        assert!(resolve_token(&TokenSource::Stored, &env).is_some());
        assert!(resolve_token(&TokenSource::None, &env).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn hf_home_rules() {
        let env = env_of(&[("HOME", "/home/u")]);
        assert_eq!(hf_home(&env), PathBuf::from("/home/u/.cache/huggingface"));
        let env = env_of(&[("HOME", "/home/u"), ("XDG_CACHE_HOME", "/xdg")]);
        assert_eq!(hf_home(&env), PathBuf::from("/xdg/huggingface"));
        let env = env_of(&[("HOME", "/home/u"), ("HF_HOME", "~/hf")]);
        assert_eq!(hf_home(&env), PathBuf::from("/home/u/hf"));
        assert_eq!(token_path(&env), PathBuf::from("/home/u/hf/token"));
    }

    #[test]
    fn origin_normalizes_default_ports_and_case() {
        let a = Origin::of(&"https://HuggingFace.co/api".parse().unwrap()).unwrap();
        assert!(a.matches(&"https://huggingface.co:443/x".parse().unwrap()));
        assert!(!a.matches(&"http://huggingface.co/x".parse().unwrap()));
        assert!(!a.matches(&"https://cdn-lfs.huggingface.co/x".parse().unwrap()));
        assert!(!a.matches(&"/relative".parse().unwrap()));
    }

    #[test]
    fn token_cleaning() {
        assert!(Token::new(" \r\n ").is_none());
        assert_eq!(Token::new("a\nb ").unwrap().expose_secret(), "ab");
    }
}
