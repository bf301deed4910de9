//! Integration tests of `hf-cache`, all against real directories under `tempfile` dirs.

mod entry;
mod env;
mod interop;
mod layout;
mod local_dir;
mod lock;
mod prune;
mod scan;
mod shared_store;
mod tree;

use std::path::Path;

use hf_types::{CommitOid, ETag, RepoId, RepoPath, Revision};

pub(crate) fn commit(n: u8) -> CommitOid {
    CommitOid::new(format!("{n:02x}").repeat(20)).unwrap()
}

pub(crate) fn id(s: &str) -> RepoId {
    RepoId::new(s).unwrap()
}

pub(crate) fn path(s: &str) -> RepoPath {
    RepoPath::new(s).unwrap()
}

pub(crate) fn rev(s: &str) -> Revision {
    Revision::new(s).unwrap()
}

pub(crate) fn etag(s: &str) -> ETag {
    ETag::new(s).unwrap()
}

/// Stores `content` as blob `etag` of `repo` and links it at `commit`/`file`, the way a
/// download does.
pub(crate) fn store(
    repo: &hf_cache::RepoCache,
    commit: &CommitOid,
    file: &str,
    tag: &str,
    content: &[u8],
) {
    use std::io::Write as _;
    let etag = etag(tag);
    let lock = repo.lock_blob(&etag).unwrap();
    if !lock.is_complete() {
        let mut partial = lock.open_incomplete().unwrap();
        partial.write_all(content).unwrap();
        partial.finish(Some(content.len() as u64)).unwrap();
    }
    repo.link_snapshot(commit, &path(file), &etag, hf_cache::BlobOrigin::New)
        .unwrap();
}

pub(crate) fn read_link(p: &Path) -> std::path::PathBuf {
    std::fs::read_link(p).unwrap()
}
