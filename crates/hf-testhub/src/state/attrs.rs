//! `.gitattributes` LFS rules and `.gitignore` rules, enough of each to decide upload modes
//! and `shouldIgnore` the way the Hub does.

use globset::{GlobBuilder, GlobMatcher};

/// LFS patterns of a new model repo on the Hub.
const MODEL_PATTERNS: &[&str] = &[
    "*.7z",
    "*.arrow",
    "*.bin",
    "*.bz2",
    "*.ckpt",
    "*.ftz",
    "*.gz",
    "*.h5",
    "*.joblib",
    "*.lfs.*",
    "*.mlmodel",
    "*.model",
    "*.msgpack",
    "*.npy",
    "*.npz",
    "*.onnx",
    "*.ot",
    "*.parquet",
    "*.pb",
    "*.pickle",
    "*.pkl",
    "*.pt",
    "*.pth",
    "*.rar",
    "*.safetensors",
    "saved_model/**/*",
    "*.tar.*",
    "*.tar",
    "*.tflite",
    "*.tgz",
    "*.wasm",
    "*.xz",
    "*.zip",
    "*.zst",
    "*tfevents*",
];

/// Extra groups a new dataset repo gets (comment line, patterns).
const DATASET_EXTRA: &[(&str, &[&str])] = &[
    ("", &["*.lz4", "*.mds"]),
    ("# Audio files - uncompressed", &["*.pcm", "*.sam", "*.raw"]),
    (
        "# Audio files - compressed",
        &["*.aac", "*.flac", "*.mp3", "*.ogg", "*.wav"],
    ),
    (
        "# Image files - uncompressed",
        &["*.bmp", "*.gif", "*.png", "*.tiff"],
    ),
    ("# Image files - compressed", &["*.jpg", "*.jpeg", "*.webp"]),
    ("# Video files - compressed", &["*.mp4", "*.webm"]),
];

/// The `.gitattributes` of the initial commit of a new repo.
pub(crate) fn default_gitattributes(dataset: bool) -> String {
    let line = |p: &str| format!("{p} filter=lfs diff=lfs merge=lfs -text\n");
    let mut out: String = MODEL_PATTERNS.iter().map(|p| line(p)).collect();
    if dataset {
        for (comment, pats) in DATASET_EXTRA {
            if !comment.is_empty() {
                out.push_str(comment);
                out.push('\n');
            }
            out.extend(pats.iter().map(|p| line(p)));
        }
    }
    out
}

/// A compiled git-style path pattern (used by both file kinds).
#[derive(Debug)]
struct Rule {
    matcher: GlobMatcher,
    negated: bool,
    dir_only: bool,
}

fn compile(pattern: &str) -> Option<(GlobMatcher, bool)> {
    let mut pat = pattern.trim();
    let dir_only = pat.ends_with('/');
    pat = pat.trim_end_matches('/');
    if pat.is_empty() {
        return None;
    }
    // Without an inner slash a pattern matches at any depth; with one it is anchored.
    let anchored = pat.trim_start_matches('/').contains('/') || pat.starts_with('/');
    let pat = pat.trim_start_matches('/');
    let full = if anchored {
        pat.to_owned()
    } else {
        format!("**/{pat}")
    };
    let glob = GlobBuilder::new(&full)
        .literal_separator(true)
        .build()
        .ok()?;
    Some((glob.compile_matcher(), dir_only))
}

/// LFS rules parsed from a `.gitattributes` text.
#[derive(Debug, Default)]
pub(crate) struct LfsRules(Vec<Rule>);

impl LfsRules {
    pub(crate) fn parse(text: &str) -> Self {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(pattern) = parts.next() else {
                continue;
            };
            let attrs: Vec<&str> = parts.collect();
            let lfs = if attrs.contains(&"filter=lfs") {
                true
            } else if attrs.iter().any(|a| *a == "-filter" || *a == "!filter") {
                false
            } else {
                continue;
            };
            if let Some((matcher, dir_only)) = compile(pattern) {
                rules.push(Rule {
                    matcher,
                    negated: !lfs,
                    dir_only,
                });
            }
        }
        Self(rules)
    }

    /// Whether `path` is tracked by LFS (the last matching rule wins, as in git).
    pub(crate) fn is_lfs(&self, path: &str) -> bool {
        let mut result = false;
        for rule in &self.0 {
            if !rule.dir_only && rule.matcher.is_match(path) {
                result = !rule.negated;
            }
        }
        result
    }
}

/// Rules parsed from a `.gitignore` text.
#[derive(Debug, Default)]
pub(crate) struct IgnoreRules(Vec<Rule>);

impl IgnoreRules {
    pub(crate) fn parse(text: &str) -> Self {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim_end();
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (negated, pat) = match line.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            if let Some((matcher, dir_only)) = compile(pat) {
                rules.push(Rule {
                    matcher,
                    negated,
                    dir_only,
                });
            }
        }
        Self(rules)
    }

    /// Whether `path` (a file) is ignored: the file itself or any parent directory matches.
    pub(crate) fn is_ignored(&self, path: &str) -> bool {
        let mut ignored = false;
        let parts: Vec<&str> = path.split('/').collect();
        for rule in &self.0 {
            let mut hit = !rule.dir_only && rule.matcher.is_match(path);
            for i in 1..parts.len() {
                if rule.matcher.is_match(parts[..i].join("/")) {
                    hit = true;
                }
            }
            if hit {
                ignored = !rule.negated;
            }
        }
        ignored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_lfs_patterns() {
        let rules = LfsRules::parse(&default_gitattributes(false));
        assert!(rules.is_lfs("model.safetensors"));
        assert!(rules.is_lfs("sub/dir/weights.bin"));
        assert!(rules.is_lfs("saved_model/a/b.txt"));
        assert!(rules.is_lfs("runs/events.out.tfevents.123"));
        assert!(!rules.is_lfs("config.json"));
        assert!(!rules.is_lfs("image.png"));
        assert!(LfsRules::parse(&default_gitattributes(true)).is_lfs("image.png"));
    }

    #[test]
    fn gitignore_rules() {
        let rules = IgnoreRules::parse("*.log\n/build/\n!keep.log\nsecret/\n");
        assert!(rules.is_ignored("a.log"));
        assert!(rules.is_ignored("x/y/a.log"));
        assert!(!rules.is_ignored("keep.log"));
        assert!(rules.is_ignored("build/out.txt"));
        assert!(!rules.is_ignored("x/build/out.txt"));
        assert!(rules.is_ignored("x/secret/key"));
        assert!(!rules.is_ignored("readme.md"));
    }
}
