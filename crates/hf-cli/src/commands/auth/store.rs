//! The token files, in the Python client's formats so either tool sees the other's login:
//!
//! * the active token, `HF_TOKEN_PATH` (default `$HF_HOME/token`): the token text, no
//!   trailing newline;
//! * the named tokens, `stored_tokens` beside it: an INI file (Python's `configparser`),
//!   one section per name with an `hf_token` key, sections written in sorted order.
//!
//! Files are replaced atomically and created readable by the owner only.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use hf_api::Token;

/// The two token files.
#[derive(Debug, Clone)]
pub(crate) struct TokenStore {
    /// The active token.
    pub(crate) token_path: PathBuf,
    /// The named tokens.
    pub(crate) stored_path: PathBuf,
}

impl TokenStore {
    /// The files for an active-token path (`stored_tokens` lives in the same folder).
    pub(crate) fn new(token_path: PathBuf) -> TokenStore {
        let dir = token_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        TokenStore {
            stored_path: dir.join("stored_tokens"),
            token_path,
        }
    }

    /// The active token, if the file exists and holds one.
    pub(crate) fn active(&self) -> anyhow::Result<Option<Token>> {
        match fs_err::read_to_string(&self.token_path) {
            Ok(text) => Ok(Token::new(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Makes `token` the active token.
    pub(crate) fn set_active(&self, token: &Token) -> anyhow::Result<()> {
        write_private(&self.token_path, token.expose_secret())
    }

    /// Deletes the active-token file; `false` when there was none.
    pub(crate) fn clear_active(&self) -> anyhow::Result<bool> {
        remove_if_exists(&self.token_path)
    }

    /// The named tokens, in file order. A file that cannot be parsed counts as empty, as
    /// in Python.
    pub(crate) fn stored(&self) -> anyhow::Result<Vec<(String, Token)>> {
        match fs_err::read_to_string(&self.stored_path) {
            Ok(text) => Ok(parse_stored_tokens(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e.into()),
        }
    }

    /// The token stored under `name`.
    pub(crate) fn by_name(&self, name: &str) -> anyhow::Result<Option<Token>> {
        Ok(self
            .stored()?
            .into_iter()
            .find_map(|(n, t)| (n == name).then_some(t)))
    }

    /// Stores `token` under `name`, replacing a same-named entry.
    pub(crate) fn save(&self, name: &str, token: &Token) -> anyhow::Result<()> {
        let mut tokens = self.stored()?;
        tokens.retain(|(n, _)| n != name);
        tokens.push((name.to_owned(), token.clone()));
        self.write_stored(tokens)
    }

    /// Removes the entry `name`; returns its token, `None` when there was none.
    pub(crate) fn remove(&self, name: &str) -> anyhow::Result<Option<Token>> {
        let mut tokens = self.stored()?;
        let Some(pos) = tokens.iter().position(|(n, _)| n == name) else {
            return Ok(None);
        };
        let (_, token) = tokens.remove(pos);
        self.write_stored(tokens)?;
        Ok(Some(token))
    }

    /// Deletes the stored-tokens file; `false` when there was none.
    pub(crate) fn clear_stored(&self) -> anyhow::Result<bool> {
        remove_if_exists(&self.stored_path)
    }

    fn write_stored(&self, tokens: Vec<(String, Token)>) -> anyhow::Result<()> {
        write_private(&self.stored_path, &render_stored_tokens(tokens))
    }
}

/// Parses the INI text the way Python's `configparser` reads `stored_tokens`: section
/// headers `[name]`, `key = value` or `key: value` lines (keys compared case-insensitively),
/// `#` and `;` comment lines. Sections without an `hf_token` are skipped. Malformed text
/// yields no tokens at all, as Python's reader does on a parse error.
pub(crate) fn parse_stored_tokens(text: &str) -> Vec<(String, Token)> {
    let mut out: Vec<(String, Option<Token>)> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let Some(end) = rest.rfind(']') else {
                return Vec::new();
            };
            let name = rest[..end].to_owned();
            out.retain(|(n, _)| *n != name);
            out.push((name, None));
            continue;
        }
        let Some(split) = line.find(['=', ':']) else {
            return Vec::new();
        };
        let Some(section) = out.last_mut() else {
            return Vec::new(); // a key before any section
        };
        let key = line[..split].trim();
        if key.eq_ignore_ascii_case("hf_token") {
            section.1 = Token::new(line[split + 1..].trim());
        }
    }
    out.into_iter()
        .filter_map(|(name, token)| Some((name, token?)))
        .collect()
}

/// Renders the tokens as Python's `configparser` writes them, sections sorted by name.
pub(crate) fn render_stored_tokens(mut tokens: Vec<(String, Token)>) -> String {
    tokens.sort_by(|a, b| a.0.cmp(&b.0));
    let mut text = String::new();
    for (name, token) in &tokens {
        text.push('[');
        text.push_str(name);
        text.push_str("]\nhf_token = ");
        text.push_str(token.expose_secret());
        text.push_str("\n\n");
    }
    text
}

/// Writes `contents` to `path` atomically, readable by the owner only (a temp file in the
/// same folder, then a rename).
fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs_err::create_dir_all(dir)?;
    // tempfile creates the file with mode 0600 on Unix.
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("could not create a file in {}", dir.display()))?;
    tmp.write_all(contents.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("could not write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("could not replace {}", path.display()))?;
    Ok(())
}

fn remove_if_exists(path: &Path) -> anyhow::Result<bool> {
    match fs_err::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// `hf_****abcd`-style masking: the first 3 and last 4 characters (Python's `auth list`).
pub(crate) fn mask(token: &Token) -> String {
    let chars: Vec<char> = token.expose_secret().chars().collect();
    if chars.len() < 8 {
        return "****".to_owned();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(s: &str) -> Token {
        Token::new(s).unwrap()
    }

    #[test]
    fn renders_like_configparser_and_reads_back() {
        let text = render_stored_tokens(vec![
            ("zeta".into(), tok("hf_zzz")),
            ("alpha".into(), tok("hf_aaa")),
        ]);
        assert_eq!(
            text,
            "[alpha]\nhf_token = hf_aaa\n\n[zeta]\nhf_token = hf_zzz\n\n"
        );
        let back = parse_stored_tokens(&text);
        let names: Vec<&str> = back.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["alpha", "zeta"]);
        assert_eq!(back[1].1.expose_secret(), "hf_zzz");
    }

    #[test]
    fn parses_other_configparser_spellings() {
        let text = "# comment\n[a b]\nHF_TOKEN: hf_x  \nother = 1\n[empty]\n";
        let got = parse_stored_tokens(text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "a b");
        assert_eq!(got[0].1.expose_secret(), "hf_x");
        assert!(parse_stored_tokens("hf_token = orphan\n").is_empty());
        assert!(parse_stored_tokens("[broken\n").is_empty());
    }

    #[test]
    fn masks_like_python() {
        assert_eq!(mask(&tok("hf_abcdefgh1234")), "hf_****1234");
        assert_eq!(mask(&tok("short")), "****");
    }

    #[test]
    fn save_remove_and_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(dir.path().join("hf/token"));
        store.save("b", &tok("hf_b")).unwrap();
        store.save("a", &tok("hf_a")).unwrap();
        store.save("b", &tok("hf_b2")).unwrap();
        store.set_active(&tok("hf_a")).unwrap();
        assert_eq!(
            fs_err::read_to_string(&store.token_path).unwrap(),
            "hf_a",
            "no trailing newline"
        );
        assert_eq!(
            store.by_name("b").unwrap().unwrap().expose_secret(),
            "hf_b2"
        );
        assert!(store.remove("a").unwrap().is_some());
        assert!(store.remove("a").unwrap().is_none());
        assert_eq!(store.stored().unwrap().len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs_err::metadata(&store.stored_path)
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "stored_tokens is private");
        }
        assert!(store.clear_active().unwrap());
        assert!(!store.clear_active().unwrap());
    }
}
