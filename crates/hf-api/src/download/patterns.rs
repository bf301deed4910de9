//! `allow_patterns` / `ignore_patterns` with Python's `fnmatch` semantics.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::error::Error;

/// Allow and ignore patterns, matched like Python's `filter_repo_objects`:
///
/// - `fnmatch` rules: `*` matches any run of characters **including `/`**, `?` one
///   character, `[seq]` / `[!seq]` a class; `\` and `{}` are plain characters;
/// - a pattern ending in `/` means "everything under that folder" (`pattern + "*"`);
/// - a path is kept when it matches at least one allow pattern (or there is none) and
///   no ignore pattern.
///
/// One difference remains: globset reads `**` between separators as "any number of
/// folders, including none", so `a/**/b` also matches `a/b` (fnmatch would not).
///
/// ```
/// use hf_api::download::PatternSet;
/// let p = PatternSet::new(["*.json", "onnx/"], ["*secret*"])?;
/// assert!(p.is_match("config.json"));
/// assert!(p.is_match("sub/dir/config.json")); // `*` crosses `/`
/// assert!(p.is_match("onnx/model.onnx"));
/// assert!(!p.is_match("model.bin"));
/// assert!(!p.is_match("secret.json"));
/// # Ok::<(), hf_api::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct PatternSet {
    allow: Option<GlobSet>,
    ignore: Option<GlobSet>,
}

fn compile<I, S>(patterns: I) -> Result<Option<GlobSet>, Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut builder = GlobSetBuilder::new();
    let mut any = false;
    for pattern in patterns {
        let pattern = pattern.as_ref();
        let mut text = String::with_capacity(pattern.len() + 4);
        // `{` and `}` are literal in fnmatch; globset would read alternations.
        for c in pattern.chars() {
            match c {
                '{' => text.push_str("[{]"),
                '}' => text.push_str("[}]"),
                c => text.push(c),
            }
        }
        if text.ends_with('/') {
            text.push('*');
        }
        let glob = GlobBuilder::new(&text)
            .literal_separator(false)
            .backslash_escape(false)
            .build()
            .map_err(|e| {
                Error::invalid_argument(
                    format!("the pattern {pattern:?} is not a valid fnmatch pattern"),
                    Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
                )
            })?;
        builder.add(glob);
        any = true;
    }
    if !any {
        return Ok(None);
    }
    builder.build().map(Some).map_err(|e| {
        Error::invalid_argument(
            "the patterns cannot be compiled",
            Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
        )
    })
}

impl PatternSet {
    /// Compiles the patterns (empty lists: allow everything, ignore nothing).
    pub fn new<A, I, S, T>(allow: A, ignore: I) -> Result<PatternSet, Error>
    where
        A: IntoIterator<Item = S>,
        I: IntoIterator<Item = T>,
        S: AsRef<str>,
        T: AsRef<str>,
    {
        Ok(PatternSet {
            allow: compile(allow)?,
            ignore: compile(ignore)?,
        })
    }

    /// Whether `path` (a repo path, `/`-separated) is selected.
    pub fn is_match(&self, path: &str) -> bool {
        self.allow.as_ref().is_none_or(|a| a.is_match(path))
            && !self.ignore.as_ref().is_some_and(|i| i.is_match(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_rules() {
        let p = PatternSet::new(["*.bin", "a?c.txt", "[!x]y", "{a}"], [] as [&str; 0]).unwrap();
        assert!(p.is_match("deep/er/w.bin"));
        assert!(p.is_match("abc.txt"));
        assert!(p.is_match("zy"));
        assert!(!p.is_match("xy"));
        assert!(p.is_match("{a}"));
        assert!(!p.is_match("a"));
        let none = PatternSet::new([] as [&str; 0], ["*"]).unwrap();
        assert!(!none.is_match("x"));
        let all = PatternSet::default();
        assert!(all.is_match("anything/at/all"));
    }
}
