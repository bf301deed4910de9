//! The cache-wide store of file contents that the newest Python clients (2.x) keep for
//! Xet files, so that repos sharing a file keep one copy:
//!
//! ```text
//! {cache}/blobs/                               the store (a plain "blobs" folder at the root)
//! ├── .huggingface-shared-blobs                marker, content "1\n"
//! └── ab/
//!     ├── ab12…(64 hex)                        the content, a regular file
//!     ├── ab12….refs                           manifest: "models--x--y/blobs/{etag}\n" lines
//!     └── ab12….lock                           held while the entry changes
//! {cache}/models--x--y/blobs/{etag} -> ../../blobs/ab/ab12…
//! ```
//!
//! This client never writes to the store, but it must read a cache that has one: a
//! scan reports the repos' files (not the store) and counts each stored content once,
//! and a deletion removes the repos' links, then the stored content only when the
//! manifest shows that no other repo still links to it. A missing or unreadable
//! manifest keeps the content (a leak rather than a loss), as in Python.

use std::collections::BTreeSet;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::layout::{parse_repo_folder_name, with_suffix};
use crate::lock::{LockMode, LockedFile};

/// The store's folder name, at the cache root.
pub(crate) const STORE_DIR: &str = "blobs";
const MARKER: &str = ".huggingface-shared-blobs";
const LAYOUT_VERSION: &str = "1\n";

/// Whether `dir` is a store this layout describes (a real folder with the marker).
pub(crate) fn is_store(dir: &Path) -> bool {
    is_real_dir(dir)
        && is_regular_file(&dir.join(MARKER))
        && std::fs::read_to_string(dir.join(MARKER)).is_ok_and(|m| m == LAYOUT_VERSION)
}

/// `path` made absolute and normalized without following symlinks (Python's
/// `os.path.abspath`): `..` removes the previous component.
pub(crate) fn lexical(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The stored content that `blob` (a repo's `blobs/{etag}` entry under `root`) links
/// to, when it is such a link and the content is there.
pub(crate) fn target(blob: &Path, root: &Path) -> Option<PathBuf> {
    link_target(blob, root)
        .ok()
        .flatten()
        .filter(|t| is_regular_file(t))
}

/// The store entry `blob` links to (whether it exists or not); `Ok(None)` when `blob`
/// is not a repo blob linking into the store, an error when it cannot be read.
fn link_target(blob: &Path, root: &Path) -> io::Result<Option<PathBuf>> {
    let (blob, root) = (lexical(blob), lexical(root));
    let Ok(relative) = blob.strip_prefix(&root) else {
        return Ok(None);
    };
    let parts: Vec<&str> = relative.iter().filter_map(|p| p.to_str()).collect();
    let is_repo_dir =
        |name: &str| parse_repo_folder_name(name).is_some_and(|(_, id)| !id.is_empty());
    if relative.iter().count() != 3
        || parts.len() != 3
        || !is_repo_dir(parts[0])
        || parts[1] != "blobs"
        || parts[2].contains(['\n', '\r'])
    {
        return Ok(None);
    }
    let link = match std::fs::symlink_metadata(&blob) {
        Ok(meta) if meta.file_type().is_symlink() => std::fs::read_link(&blob),
        Ok(_) => return Ok(None),
        Err(e) => Err(e),
    };
    let link = match link {
        Ok(link) => link,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let target = lexical(&blob.parent().unwrap_or(&root).join(link));
    let store = root.join(STORE_DIR);
    let Ok(in_store) = target.strip_prefix(&store) else {
        return Ok(None);
    };
    let parts: Vec<&str> = in_store.iter().filter_map(|p| p.to_str()).collect();
    match parts.as_slice() {
        [prefix, hash] if is_xet_hash(hash) && hash.starts_with(prefix) && prefix.len() == 2 => {
            Ok(Some(store.join(prefix).join(hash)))
        }
        _ => Ok(None),
    }
}

/// Every stored content of the store under `root` (none when there is no store).
pub(crate) fn payloads(root: &Path) -> BTreeSet<PathBuf> {
    let store = root.join(STORE_DIR);
    let mut out = BTreeSet::new();
    if !is_store(&store) {
        return out;
    }
    for prefix in read_dir(&store) {
        let Some(name) = prefix
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
        else {
            continue;
        };
        if name.len() != 2 || !name.bytes().all(is_lower_hex) || !is_real_dir(&prefix) {
            continue;
        }
        for entry in read_dir(&prefix) {
            let ok = entry
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| is_xet_hash(n) && n.starts_with(&name));
            if ok && is_regular_file(&entry) {
                out.insert(entry);
            }
        }
    }
    out
}

/// The stored contents no repo links to any more (their manifest lists no valid link),
/// with their sizes. A content whose manifest is missing or unreadable is not listed:
/// it cannot be told apart from one still in use.
pub(crate) fn unreferenced(root: &Path) -> Vec<(PathBuf, u64)> {
    payloads(root)
        .into_iter()
        .filter(|p| references(p, root).is_some_and(|r| r.is_empty()))
        .filter_map(|p| {
            let size = std::fs::symlink_metadata(&p).ok()?.len();
            Some((p, size))
        })
        .collect()
}

/// The repo blobs under `root` the manifest of `stored` lists and that still link to
/// it; `None` when the manifest is missing or unreadable (nothing may then be deleted).
fn references(stored: &Path, root: &Path) -> Option<BTreeSet<PathBuf>> {
    let manifest = manifest_path(stored);
    if !is_regular_file(&manifest) {
        return None;
    }
    let text = std::fs::read_to_string(&manifest).ok()?;
    let root = lexical(root);
    let mut refs = BTreeSet::new();
    for line in text.lines() {
        let relative = Path::new(line);
        if relative.is_absolute() || relative.components().any(|c| c == Component::ParentDir) {
            continue;
        }
        let candidate = root.join(relative);
        match link_target(&candidate, &root) {
            Ok(Some(t)) if t == stored => {
                refs.insert(candidate);
            }
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    Some(refs)
}

/// The bytes freed for `stored` when the repo blobs in `deleting` go: its size when
/// they include every link the manifest knows, else nothing.
pub(crate) fn freed_by(stored: &Path, deleting: &BTreeSet<PathBuf>, root: &Path) -> u64 {
    match references(stored, root) {
        Some(refs) if !refs.is_empty() && refs.is_subset(deleting) => {
            std::fs::symlink_metadata(stored)
                .ok()
                .filter(std::fs::Metadata::is_file)
                .map_or(0, |m| m.len())
        }
        _ => 0,
    }
}

/// After repo blobs were deleted: removes `stored` (and its manifest) when no valid
/// link to it remains, or rewrites the manifest with the remaining ones. Under the
/// entry's lock, the one Python takes. Returns the bytes freed.
pub(crate) fn sweep(stored: &Path, root: &Path) -> u64 {
    let lock_path = with_suffix(stored, ".lock");
    // Refuse a planted symlink, as Python does (it opens the lock with O_NOFOLLOW).
    if std::fs::symlink_metadata(&lock_path).is_ok_and(|m| !m.is_file()) {
        return 0;
    }
    let Ok(lock) = LockedFile::acquire(&lock_path, LockMode::Exclusive, None) else {
        return 0;
    };
    let result = (|| -> io::Result<u64> {
        let Some(refs) = references(stored, root) else {
            return Ok(0);
        };
        let manifest = manifest_path(stored);
        if !refs.is_empty() {
            let root = lexical(root);
            let mut text = String::new();
            for r in refs.iter().filter_map(|r| r.strip_prefix(&root).ok()) {
                let parts: Vec<_> = r.iter().map(|p| p.to_string_lossy()).collect();
                text.push_str(&parts.join("/"));
                text.push('\n');
            }
            let dir = manifest.parent().unwrap_or(&root);
            crate::atomic::write_atomic(&manifest, dir, text.as_bytes())
                .map_err(io::Error::other)?;
            return Ok(0);
        }
        let meta = std::fs::symlink_metadata(stored)?;
        if !meta.is_file() {
            return Ok(0);
        }
        std::fs::remove_file(stored)?;
        match std::fs::remove_file(&manifest) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        Ok(meta.len())
    })();
    drop(lock);
    result.unwrap_or_else(|err| {
        tracing::debug!(path = %stored.display(), %err, "could not collect a shared blob");
        0
    })
}

fn manifest_path(stored: &Path) -> PathBuf {
    with_suffix(stored, ".refs")
}

/// The entries of `dir` (none when it cannot be read).
pub(crate) fn read_dir(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default()
}

fn is_regular_file(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
}

fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

fn is_xet_hash(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(is_lower_hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_normalizes_without_the_filesystem() {
        assert_eq!(
            lexical(Path::new("/c/models--a--b/blobs/../../blobs/ab/x")),
            Path::new("/c/blobs/ab/x")
        );
        assert_eq!(lexical(Path::new("/c/./d/..")), Path::new("/c"));
    }
}
