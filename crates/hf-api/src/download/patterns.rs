//! `allow_patterns` / `ignore_patterns` with Python's `fnmatch` semantics.
//!
//! Each pattern is translated to a [`regex::Regex`] the way Python's
//! `fnmatch.translate` does it (Python 3.11), so a pattern selects exactly the paths
//! Python's `filter_repo_objects` selects. Globbing crates are not used on purpose: they
//! give `**` and `/` meanings that `fnmatch` does not have.

use regex::Regex;

use crate::error::Error;

/// Allow and ignore patterns, matched like Python's `filter_repo_objects`:
///
/// - `fnmatch` rules, on the whole path: `*` matches any run of characters
///   **including `/`** (so `**` is just two stars, and `a/**/b` needs a folder between
///   `a` and `b`), `?` one character, `[seq]` / `[!seq]` a class (`a-z` ranges; a `[`
///   without a closing `]` is a plain character); everything else, `\` and `{}`
///   included, is literal;
/// - a pattern ending in `/` means "everything under that folder" (`pattern + "*"`);
/// - a path is kept when it matches at least one allow pattern (or there is none) and
///   no ignore pattern. An empty allow list means "no allow list" (Python would treat
///   an explicit `[]` as "allow nothing").
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
    allow: Option<Matcher>,
    ignore: Option<Matcher>,
}

/// Some patterns, compiled into one alternation. `None`: every pattern is one that
/// can never match (an empty class such as `[b-a]`).
#[derive(Debug, Clone)]
struct Matcher(Option<Regex>);

impl Matcher {
    fn is_match(&self, path: &str) -> bool {
        self.0.as_ref().is_some_and(|r| r.is_match(path))
    }
}

/// One piece of a translated pattern.
enum Piece {
    /// `*`: any run of characters.
    Star,
    /// A regex fragment matching exactly one character.
    One(String),
    /// A class that matches nothing (Python emits `(?!)`).
    Never,
}

/// `\x{..}`: one literal character, valid inside and outside a class.
fn hex(c: char) -> String {
    format!("\\x{{{:x}}}", u32::from(c))
}

/// Python's `fnmatch.translate`, as a Rust regex body (without anchors). `None` when
/// the pattern can never match.
fn translate(pattern: &str) -> Result<Option<String>, String> {
    let pat: Vec<char> = pattern.chars().collect();
    let n = pat.len();
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < n {
        let c = pat[i];
        i += 1;
        match c {
            '*' => {
                if !matches!(pieces.last(), Some(Piece::Star)) {
                    pieces.push(Piece::Star);
                }
            }
            '?' => pieces.push(Piece::One("(?s:.)".to_owned())),
            '[' => {
                // Find the closing `]`: a `]` right after `[` or `[!` is a member.
                let mut j = i;
                if j < n && pat[j] == '!' {
                    j += 1;
                }
                if j < n && pat[j] == ']' {
                    j += 1;
                }
                while j < n && pat[j] != ']' {
                    j += 1;
                }
                if j >= n {
                    pieces.push(Piece::One(hex('[')));
                } else {
                    pieces.push(class(&pat[i..j])?);
                    i = j + 1;
                }
            }
            c => pieces.push(Piece::One(hex(c))),
        }
    }
    let mut body = String::new();
    for piece in pieces {
        match piece {
            // Python wraps interior stars in atomic groups; for a whole-string match
            // that only avoids backtracking, the language is the same as `.*`.
            Piece::Star => body.push_str("(?s:.*)"),
            Piece::One(one) => body.push_str(&one),
            Piece::Never => return Ok(None),
        }
    }
    Ok(Some(body))
}

/// The class `[stuff]` (`stuff` is what lies between the brackets), following
/// `fnmatch.translate` and then how Python's `re` reads the set it writes.
fn class(stuff: &[char]) -> Result<Piece, String> {
    let negated = stuff.first() == Some(&'!');
    // Python splits the set at the hyphens that make ranges. The first member (after
    // `!`) is never a range operator, and a range end is never the start of another.
    let mut chunks: Vec<Vec<char>> = Vec::new();
    if stuff.contains(&'-') {
        let mut start = 0;
        let mut k = if negated { 2 } else { 1 };
        while let Some(off) = stuff
            .get(k..)
            .and_then(|s| s.iter().position(|&c| c == '-'))
        {
            let hyphen = k + off;
            chunks.push(stuff[start..hyphen].to_vec());
            start = hyphen + 1;
            k = hyphen + 3;
        }
        let last = &stuff[start..];
        if last.is_empty() {
            // A trailing hyphen is a member.
            if let Some(prev) = chunks.last_mut() {
                prev.push('-');
            }
        } else {
            chunks.push(last.to_vec());
        }
        // Ranges that run backwards (`z-a`) are dropped, as Python does.
        for k in (1..chunks.len()).rev() {
            let (end, next) = (chunks[k - 1].last().copied(), chunks[k].first().copied());
            if let (Some(a), Some(b)) = (end, next)
                && a > b
            {
                let tail: Vec<char> = chunks[k][1..].to_vec();
                chunks[k - 1].pop();
                chunks[k - 1].extend(tail);
                chunks.remove(k);
            }
        }
    } else {
        chunks.push(stuff.to_vec());
    }
    // The set as Python's `re` reads it: members, with a range operator between chunks.
    enum Tok {
        Char(char),
        Range,
    }
    let mut toks: Vec<Tok> = Vec::new();
    for (k, chunk) in chunks.iter().enumerate() {
        if k > 0 {
            toks.push(Tok::Range);
        }
        toks.extend(chunk.iter().map(|&c| Tok::Char(c)));
    }
    if toks.is_empty() {
        return Ok(Piece::Never);
    }
    if negated {
        // The `!` is the first member of the first chunk.
        toks.remove(0);
        if toks.is_empty() {
            // `[!]]`-like leftovers aside, a negated empty set matches any character.
            return Ok(Piece::One("(?s:.)".to_owned()));
        }
    }
    let ch = |t: &Tok| match t {
        Tok::Char(c) => *c,
        Tok::Range => '-',
    };
    let mut items = String::new();
    let mut t = 0;
    while t < toks.len() {
        let lo = ch(&toks[t]);
        if matches!(toks.get(t + 1), Some(Tok::Range)) {
            if let Some(end) = toks.get(t + 2) {
                let hi = ch(end);
                if lo > hi {
                    return Err(format!("the range {lo}-{hi} runs backwards"));
                }
                items.push_str(&hex(lo));
                items.push('-');
                items.push_str(&hex(hi));
                t += 3;
                continue;
            }
            // A range operator at the very end is a member.
            items.push_str(&hex(lo));
            items.push_str(&hex('-'));
            t += 2;
            continue;
        }
        items.push_str(&hex(lo));
        t += 1;
    }
    Ok(Piece::One(if negated {
        format!("[^{items}]")
    } else {
        format!("[{items}]")
    }))
}

fn compile<I, S>(patterns: I) -> Result<Option<Matcher>, Error>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut bodies = Vec::new();
    let mut any = false;
    for pattern in patterns {
        any = true;
        let pattern = pattern.as_ref();
        // `filter_repo_objects`: a folder pattern selects what is under it.
        let text = if pattern.ends_with('/') {
            format!("{pattern}*")
        } else {
            pattern.to_owned()
        };
        let body = translate(&text).map_err(|why| {
            Error::invalid_argument(
                format!("the pattern {pattern:?} is not a valid fnmatch pattern: {why}"),
                None,
            )
        })?;
        bodies.extend(body);
    }
    if !any {
        return Ok(None);
    }
    if bodies.is_empty() {
        return Ok(Some(Matcher(None)));
    }
    let alternation = format!("\\A(?:{})\\z", bodies.join("|"));
    let regex = Regex::new(&alternation).map_err(|e| {
        Error::invalid_argument(
            "the patterns cannot be compiled (too many or too long?)",
            Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
        )
    })?;
    Ok(Some(Matcher(Some(regex))))
}

impl PatternSet {
    /// Compiles the patterns (empty lists: allow everything, ignore nothing). Fails only
    /// on a class with a backwards range that Python's `re` rejects too.
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

    fn allows(pattern: &str, path: &str) -> bool {
        PatternSet::new([pattern], [] as [&str; 0])
            .unwrap()
            .is_match(path)
    }

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

    #[test]
    fn double_star_is_two_stars() {
        assert!(!allows("a/**/b", "a/b"));
        assert!(allows("a/**/b", "a/x/b"));
        assert!(allows("a/**/b", "a/x/y/b"));
        assert!(allows("**.bin", "x/y.bin"));
        assert!(allows("*.bin", "x/y.bin"));
        assert!(!allows("*.bin", "x/y.bin.tmp"));
    }

    #[test]
    fn question_mark_and_classes() {
        assert!(allows("?", "a"));
        assert!(allows("?", "/"));
        assert!(!allows("?", "ab"));
        assert!(!allows("?", ""));
        assert!(allows("[!a]*", "b/a"));
        assert!(!allows("[!a]*", "a/b"));
        assert!(allows("[a-c]x", "bx"));
        assert!(!allows("[a-c]x", "dx"));
        assert!(allows("[]]", "]"));
        assert!(allows("[!]]", "a"));
        assert!(!allows("[!]]", "]"));
        assert!(allows("[a-]", "-"));
        assert!(allows("[-a]", "-"));
        assert!(allows("[^a]", "^"));
        assert!(!allows("[^a]", "b"));
        assert!(allows("[[]", "["));
        assert!(allows("[\\]", "\\"));
        assert!(allows("[&&]", "&"));
        assert!(allows("[a-c-e]", "-"));
        assert!(allows("[a-c-e]", "e"));
        assert!(!allows("[a-c-e]", "d"));
        // A backwards range is dropped, leaving a class that matches nothing.
        assert!(!allows("[b-a]x", "ax"));
        assert!(!allows("[b-a]x", "x"));
        assert!(allows("[!b-a]", "z"));
    }

    #[test]
    fn everything_else_is_literal() {
        assert!(allows("a.b", "a.b"));
        assert!(!allows("a.b", "axb"));
        assert!(allows("f(1)+x$^|.txt", "f(1)+x$^|.txt"));
        assert!(!allows("f(1)+x", "f1x"));
        assert!(allows("a\\*", "a\\bc"));
        assert!(allows("{a,b}", "{a,b}"));
        assert!(!allows("{a,b}", "a"));
        // A `[` with no closing `]` is a plain character.
        assert!(allows("a[b", "a[b"));
        assert!(allows("a[!b*", "a[!bcd"));
        assert!(!allows("a[b", "ab"));
        assert!(allows("é?", "éü"));
    }

    #[test]
    fn trailing_slash_selects_the_folder() {
        assert!(allows("onnx/", "onnx/model.onnx"));
        assert!(allows("onnx/", "onnx/deep/x"));
        assert!(!allows("onnx/", "onnx"));
        assert!(!allows("onnx/", "x/onnx/y"));
    }

    #[test]
    fn allow_and_ignore() {
        let p = PatternSet::new(["*.json", "[b-a]"], ["*/secret*"]).unwrap();
        assert!(p.is_match("config.json"));
        assert!(!p.is_match("a/secret.json"));
        let never = PatternSet::new(["[b-a]"], [] as [&str; 0]).unwrap();
        assert!(!never.is_match("a"));
    }
}
