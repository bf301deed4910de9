//! Git object arithmetic: blob, tree and commit ids computed exactly as `git hash-object`
//! would, so that ids the emulator hands out look and behave like the Hub's.

use std::collections::BTreeMap;
use std::fmt::Write;

use sha1::{Digest, Sha1};

use super::FileRec;

/// Git blob id of `content`: `sha1("blob {len}\0" + content)`, lower-case hex.
pub(crate) fn blob_sha1(content: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", content.len()).as_bytes());
    h.update(content);
    hex::encode(h.finalize())
}

/// The text of a Git LFS pointer file for an object.
pub(crate) fn lfs_pointer(sha256: &str, size: u64) -> String {
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n")
}

/// Git ids of every directory of a flat file map, keyed by directory path (`""` is the root).
pub(crate) fn tree_oids(files: &BTreeMap<String, FileRec>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    tree_oid_rec(files, "", &mut out);
    out
}

/// Computes the id of directory `dir` (with a trailing `/` unless root) and records it and
/// every subdirectory in `out`; returns the raw 20-byte id.
fn tree_oid_rec(
    files: &BTreeMap<String, FileRec>,
    dir: &str,
    out: &mut BTreeMap<String, String>,
) -> [u8; 20] {
    // (sort key, mode, name, id): git sorts directory names as if they ended with '/'.
    let mut entries: Vec<(String, &'static str, String, [u8; 20])> = Vec::new();
    let mut seen_dirs = std::collections::BTreeSet::new();
    for (path, rec) in files.range(dir.to_owned()..) {
        let Some(rest) = path.strip_prefix(dir) else {
            break;
        };
        match rest.split_once('/') {
            None => {
                let mut id = [0u8; 20];
                hex::decode_to_slice(&rec.oid, &mut id).unwrap_or_default();
                entries.push((rest.to_owned(), "100644", rest.to_owned(), id));
            }
            Some((sub, _)) => {
                if seen_dirs.insert(sub.to_owned()) {
                    let id = tree_oid_rec(files, &format!("{dir}{sub}/"), out);
                    entries.push((format!("{sub}/"), "40000", sub.to_owned(), id));
                }
            }
        }
    }
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut body = Vec::new();
    for (_, mode, name, id) in &entries {
        body.extend_from_slice(mode.as_bytes());
        body.push(b' ');
        body.extend_from_slice(name.as_bytes());
        body.push(0);
        body.extend_from_slice(id);
    }
    let mut h = Sha1::new();
    h.update(format!("tree {}\0", body.len()).as_bytes());
    h.update(&body);
    let id: [u8; 20] = h.finalize().into();
    out.insert(dir.trim_end_matches('/').to_owned(), hex::encode(id));
    id
}

/// Git commit id over the given fields (author = committer, UTC).
pub(crate) fn commit_sha1(
    tree: &str,
    parents: &[String],
    author: &str,
    epoch_secs: i64,
    title: &str,
    message: &str,
) -> String {
    let mut text = format!("tree {tree}\n");
    for p in parents {
        let _ = writeln!(text, "parent {p}");
    }
    let who = format!("{author} <{author}@users.noreply.huggingface.co> {epoch_secs} +0000");
    let _ = write!(text, "author {who}\ncommitter {who}\n\n{title}\n");
    if !message.is_empty() {
        let _ = write!(text, "\n{message}\n");
    }
    let mut h = Sha1::new();
    h.update(format!("commit {}\0", text.len()).as_bytes());
    h.update(text.as_bytes());
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_id_matches_git() {
        assert_eq!(
            blob_sha1(b"Hello, World!"),
            "b45ef6fec89518d314f546fd6c3025367b721684"
        );
    }

    #[test]
    fn empty_tree_matches_git() {
        let ids = tree_oids(&BTreeMap::new());
        assert_eq!(ids[""], "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    }
}
