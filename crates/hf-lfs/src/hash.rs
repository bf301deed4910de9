//! Hashing additions: sha256 + size + 512-byte sample in one pass over the content,
//! several files in parallel; and the git blob sha1 of regular files.

use std::io;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use hf_types::LfsOid;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::operation::{AddSource, CommitOperation, UploadInfo, additions_mut};
use crate::source::{
    BLOCK_SIZE, BlockPool, SourceReader, for_each_block, for_each_block_read_ahead,
};

/// Length of the sample sent to the preupload endpoint.
pub const SAMPLE_SIZE: usize = 512;

/// Hashes one content: size, sha256 and sample, reading it once in blocks of
/// 2 MiB (blocking).
pub fn hash_source(source: &AddSource) -> io::Result<UploadInfo> {
    hash_source_with(source, false)
}

/// [`hash_source`]; `read_ahead` reads a file on a second thread (see
/// [`for_each_block_read_ahead`]), for when there are fewer files than cores.
fn hash_source_with(source: &AddSource, read_ahead: bool) -> io::Result<UploadInfo> {
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut sample = Vec::with_capacity(SAMPLE_SIZE);
    let each = |block: &[u8]| {
        if sample.len() < SAMPLE_SIZE {
            let take = (SAMPLE_SIZE - sample.len()).min(block.len());
            sample.extend_from_slice(&block[..take]);
        }
        hasher.update(block);
        size += block.len() as u64;
    };
    match source.local_path() {
        Some(path) if read_ahead => for_each_block_read_ahead(path, each)?,
        _ => for_each_block(source, each)?,
    }
    Ok(UploadInfo {
        size,
        sha256: lfs_oid(&hasher.finalize()),
        sample: sample.into(),
    })
}

fn lfs_oid(digest: &[u8]) -> LfsOid {
    LfsOid::new(hex::encode(digest)).expect("a sha256 digest is 64 hex digits")
}

/// The sha256 of `data` as an [`LfsOid`].
///
/// ```
/// assert_eq!(
///     hf_lfs::sha256(b"abc").as_str(),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn sha256(data: &[u8]) -> LfsOid {
    lfs_oid(&Sha256::digest(data))
}

/// The git blob id of `data`: sha1 of `"blob {len}\0"` followed by the content, as
/// `git hash-object` computes it. The Hub reports it as the oid of regular files.
///
/// ```
/// assert_eq!(
///     hf_lfs::git_blob_sha1(b"Hello, World!"),
///     "b45ef6fec89518d314f546fd6c3025367b721684"
/// );
/// ```
pub fn git_blob_sha1(data: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", data.len()).as_bytes());
    h.update(data);
    hex::encode(h.finalize())
}

/// The git blob id of a content of known `size`, streamed in blocks (blocking).
pub(crate) fn git_blob_sha1_source(source: &AddSource, size: u64) -> io::Result<String> {
    let mut reader: SourceReader = source.open()?;
    let pool = BlockPool::default();
    let mut h = Sha1::new();
    h.update(format!("blob {size}\0").as_bytes());
    let mut pos = 0;
    while pos < size {
        let want = usize::try_from(size - pos)
            .unwrap_or(usize::MAX)
            .min(BLOCK_SIZE);
        let block = reader.read_at(pos, want, &pool)?;
        if block.len() < want {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the content is shorter than when it was hashed",
            ));
        }
        h.update(&block);
        pos += block.len() as u64;
    }
    Ok(hex::encode(h.finalize()))
}

/// How many files to hash at once: one per core.
fn default_parallelism() -> usize {
    std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// Hashes `sources` on up to `threads` threads (blocking). Each content is read once;
/// results come back in input order.
pub fn hash_sources(sources: &[AddSource], threads: usize) -> Vec<io::Result<UploadInfo>> {
    // Cores left over once every file has one: files read ahead on a second thread.
    let read_ahead = threads > sources.len();
    let threads = threads.clamp(1, sources.len().max(1));
    if threads == 1 {
        return sources
            .iter()
            .map(|s| hash_source_with(s, read_ahead))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<io::Result<UploadInfo>>>> =
        Mutex::new((0..sources.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(source) = sources.get(i) else { break };
                    let r = hash_source_with(source, read_ahead);
                    results
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .map(|r| r.expect("every index is claimed by exactly one worker"))
        .collect()
}

/// Hashes every addition of `ops` that is not hashed yet, files in parallel across
/// cores, on tokio's blocking pool. Nothing is held in memory beyond one block per
/// file being hashed.
pub async fn hash_additions(ops: &mut [CommitOperation]) -> Result<()> {
    let pending: Vec<(String, AddSource)> = additions_mut(ops)
        .filter(|a| a.info.is_none())
        .map(|a| (a.path_in_repo.clone(), a.source.clone()))
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    let sources: Vec<AddSource> = pending.iter().map(|(_, s)| s.clone()).collect();
    let threads = default_parallelism();
    let results = tokio::task::spawn_blocking(move || hash_sources(&sources, threads))
        .await
        .map_err(|e| Error::Read {
            path_in_repo: pending[0].0.clone(),
            source: io::Error::other(e),
        })?;
    let mut results = pending.into_iter().zip(results);
    for add in additions_mut(ops).filter(|a| a.info.is_none()) {
        let ((path, _), result) = results.next().expect("one result per pending addition");
        debug_assert_eq!(path, add.path_in_repo);
        add.info = Some(result.map_err(|source| Error::Read {
            path_in_repo: path,
            source,
        })?);
    }
    Ok(())
}

/// The blocking twin of [`hash_additions`], using up to `threads` threads.
pub fn hash_additions_blocking(ops: &mut [CommitOperation], threads: usize) -> Result<()> {
    let pending: Vec<AddSource> = additions_mut(ops)
        .filter(|a| a.info.is_none())
        .map(|a| a.source.clone())
        .collect();
    let mut results = hash_sources(&pending, threads).into_iter();
    for add in additions_mut(ops).filter(|a| a.info.is_none()) {
        let result = results.next().expect("one result per pending addition");
        add.info = Some(result.map_err(|source| Error::Read {
            path_in_repo: add.path_in_repo.clone(),
            source,
        })?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::SourceKind;

    /// Reading ahead on a second thread hashes the same bytes in the same order, for
    /// sizes around the block boundaries, and reports a missing file as an error.
    #[test]
    fn read_ahead_gives_the_same_answer() {
        let dir = tempfile::tempdir().unwrap();
        for size in [0, 1, BLOCK_SIZE - 1, BLOCK_SIZE, 3 * BLOCK_SIZE + 17] {
            let data: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            let path = dir.path().join(format!("f{size}"));
            std::fs::write(&path, &data).unwrap();
            let source = AddSource(SourceKind::Path(path.clone()));
            let plain = hash_source_with(&source, false).unwrap();
            let ahead = hash_source_with(&source, true).unwrap();
            assert_eq!(ahead.sha256, plain.sha256, "size {size}");
            assert_eq!(ahead.sha256, sha256(&data), "size {size}");
            assert_eq!((ahead.size, &ahead.sample), (plain.size, &plain.sample));
        }
        let missing = AddSource(SourceKind::Path(dir.path().join("missing")));
        assert!(hash_source_with(&missing, true).is_err());
    }
}
