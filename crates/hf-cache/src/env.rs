//! Where the cache lives: `HF_HOME`, `HF_HUB_CACHE` and their legacy spellings, resolved
//! exactly as the Python client resolves them.
//!
//! Resolution is a pure function over an environment lookup closure
//! ([`CacheLocations::resolve`]) so callers and tests never mutate the process
//! environment; [`CacheLocations::from_env`] is the convenience over the real one.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Values Python's `_is_true` accepts (compared case-insensitively).
const TRUE_VALUES: [&str; 4] = ["1", "ON", "YES", "TRUE"];

/// Python's boolean environment parsing: `1`, `ON`, `YES`, `TRUE` in any case are true;
/// anything else, including an unset variable, is false.
///
/// ```
/// assert!(hf_cache::env::is_true(Some("yes")));
/// assert!(!hf_cache::env::is_true(Some("0")));
/// assert!(!hf_cache::env::is_true(None));
/// ```
pub fn is_true(value: Option<&str>) -> bool {
    value.is_some_and(|v| TRUE_VALUES.iter().any(|t| v.eq_ignore_ascii_case(t)))
}

/// Whether offline mode is on: `HF_HUB_OFFLINE`, falling back to `TRANSFORMERS_OFFLINE`
/// when the former is unset *or empty* (Python's `a or b`).
pub fn offline_mode(lookup: impl Fn(&str) -> Option<String>) -> bool {
    let value = lookup("HF_HUB_OFFLINE")
        .filter(|v| !v.is_empty())
        .or_else(|| lookup("TRANSFORMERS_OFFLINE"));
    is_true(value.as_deref())
}

/// The directories and files the Python client derives from the environment.
///
/// | Field | Variable | Default |
/// |---|---|---|
/// | `hf_home` | `HF_HOME` | `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface` |
/// | `hub_cache` | `HF_HUB_CACHE`, then legacy `HUGGINGFACE_HUB_CACHE` | `$HF_HOME/hub` |
/// | `assets_cache` | `HF_ASSETS_CACHE`, then legacy `HUGGINGFACE_ASSETS_CACHE` | `$HF_HOME/assets` |
/// | `token_path` | `HF_TOKEN_PATH` | `$HF_HOME/token` |
///
/// As in Python, a variable that is set but empty still counts as set (an empty
/// `HF_HOME` puts the hub cache at the relative path `hub`). A leading `~` or `~/` is
/// expanded in every value (Python 0.26.5 expands it in `HF_HOME` only, 2.x in all four;
/// the expanded form is the one every Python code path ends up using).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheLocations {
    /// Root of everything the client stores (`HF_HOME`).
    pub hf_home: PathBuf,
    /// The hub cache (`HF_HUB_CACHE`): the directory [`crate::HfCache`] manages.
    pub hub_cache: PathBuf,
    /// The assets cache (`HF_ASSETS_CACHE`).
    pub assets_cache: PathBuf,
    /// The active token file (`HF_TOKEN_PATH`).
    pub token_path: PathBuf,
    /// `HF_HUB_DISABLE_SYMLINKS_WARNING`: do not warn when symlinks are unsupported.
    pub disable_symlinks_warning: bool,
    /// `HF_HUB_DISABLE_SYMLINKS` (a Python 2.x variable): never create symlinks.
    pub disable_symlinks: bool,
}

impl CacheLocations {
    /// Resolves the locations from `lookup` (an environment) and `home` (the user's home
    /// directory, used for `~` and the defaults; `None` leaves `~` unexpanded, as Python
    /// does when it cannot find a home).
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use std::path::Path;
    /// use hf_cache::env::CacheLocations;
    ///
    /// let env = HashMap::from([("XDG_CACHE_HOME", "/xdg")]);
    /// let loc = CacheLocations::resolve(|k| env.get(k).map(|v| v.to_string()), Some(Path::new("/home/u")));
    /// assert_eq!(loc.hub_cache, Path::new("/xdg/huggingface/hub"));
    /// ```
    pub fn resolve(lookup: impl Fn(&str) -> Option<String>, home: Option<&Path>) -> CacheLocations {
        let expand = |value: String| expand_user(&value, home);
        let hf_home = lookup("HF_HOME").map_or_else(
            || {
                let cache_root = lookup("XDG_CACHE_HOME")
                    .map_or_else(|| expand("~".to_owned()).join(".cache"), PathBuf::from);
                expand_user_path(&cache_root.join("huggingface"), home)
            },
            &expand,
        );
        let hub_cache = lookup("HF_HUB_CACHE")
            .or_else(|| lookup("HUGGINGFACE_HUB_CACHE"))
            .map_or_else(|| hf_home.join("hub"), &expand);
        let assets_cache = lookup("HF_ASSETS_CACHE")
            .or_else(|| lookup("HUGGINGFACE_ASSETS_CACHE"))
            .map_or_else(|| hf_home.join("assets"), &expand);
        let token_path = lookup("HF_TOKEN_PATH").map_or_else(|| hf_home.join("token"), &expand);
        CacheLocations {
            disable_symlinks_warning: is_true(lookup("HF_HUB_DISABLE_SYMLINKS_WARNING").as_deref()),
            disable_symlinks: is_true(lookup("HF_HUB_DISABLE_SYMLINKS").as_deref()),
            hf_home,
            hub_cache,
            assets_cache,
            token_path,
        }
    }

    /// Resolves the locations from the process environment and home directory.
    pub fn from_env() -> CacheLocations {
        let home = std::env::home_dir();
        CacheLocations::resolve(|key| std::env::var(key).ok(), home.as_deref())
    }
}

impl CacheLocations {
    /// The folder a library may use for its own assets, like Python's
    /// `cached_assets_path`: `{assets_cache}/{library}/{namespace}/{subfolder}` with
    /// spaces, `/` and `\` replaced by `--` (namespace and subfolder default to
    /// `default`). The folder is created.
    pub fn assets_path(
        &self,
        library: &str,
        namespace: Option<&str>,
        subfolder: Option<&str>,
    ) -> Result<PathBuf> {
        let mut path = self.assets_cache.clone();
        for part in [
            library,
            namespace.unwrap_or("default"),
            subfolder.unwrap_or("default"),
        ] {
            let clean = part.replace([' ', '/', '\\'], "--");
            if clean.is_empty() || clean == "." || clean == ".." {
                return Err(Error::UnsafePath {
                    path: part.to_owned(),
                    reason: "an assets folder name must be a plain, non-empty name",
                });
            }
            path.push(clean);
        }
        fs_err::create_dir_all(&path).map_err(|e| Error::from_write(&path, e))?;
        Ok(path)
    }
}

/// Expands a leading `~` (alone or followed by a separator) like `os.path.expanduser`.
/// `~user` forms are left untouched.
fn expand_user(value: &str, home: Option<&Path>) -> PathBuf {
    let Some(home) = home else {
        return PathBuf::from(value);
    };
    if value == "~" {
        return home.to_path_buf();
    }
    let rest = value
        .strip_prefix("~/")
        .or_else(|| cfg!(windows).then(|| value.strip_prefix("~\\")).flatten());
    match rest {
        Some(rest) => home.join(rest),
        None => PathBuf::from(value),
    }
}

fn expand_user_path(path: &Path, home: Option<&Path>) -> PathBuf {
    match path.to_str() {
        Some(s) => expand_user(s, home),
        None => path.to_path_buf(),
    }
}
