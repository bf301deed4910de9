//! Content checks: the sha256 of LFS files and the git blob sha1 of regular files,
//! named by the etag.

use std::io::Read;

use hf_types::ETag;
use sha1::Digest as _;

/// How a file's content is checked, chosen from its etag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// 64 hex digits: the sha256 of the content (LFS).
    Sha256,
    /// 40 hex digits: `sha1("blob {size}\0" + content)` (a git blob id).
    GitSha1,
    /// Anything else: only the size is checked.
    SizeOnly,
}

impl Check {
    pub(crate) fn for_etag(etag: &ETag) -> Check {
        let s = etag.as_str();
        let hex = s.bytes().all(|b| b.is_ascii_hexdigit());
        match s.len() {
            64 if hex => Check::Sha256,
            40 if hex => Check::GitSha1,
            _ => Check::SizeOnly,
        }
    }

    /// A running hasher for a file of `size` bytes.
    pub(crate) fn hasher(self, size: u64) -> Hasher {
        match self {
            Check::Sha256 => Hasher::Sha256(Box::default()),
            Check::GitSha1 => {
                let mut h = sha1::Sha1::new();
                h.update(format!("blob {size}\0").as_bytes());
                Hasher::Sha1(Box::new(h))
            }
            Check::SizeOnly => Hasher::None,
        }
    }
}

/// An incremental content hash.
#[derive(Debug, Clone)]
pub(crate) enum Hasher {
    Sha256(Box<sha2::Sha256>),
    Sha1(Box<sha1::Sha1>),
    None,
}

impl Hasher {
    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha1(h) => h.update(data),
            Hasher::None => {}
        }
    }

    /// Feeds `len` bytes of `file` from `offset` (positioned reads in large blocks).
    pub(crate) fn update_from_file(
        &mut self,
        file: &std::fs::File,
        mut offset: u64,
        len: u64,
        buf: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        if matches!(self, Hasher::None) {
            return Ok(());
        }
        let end = offset + len;
        buf.resize(READ_BLOCK, 0);
        while offset < end {
            let want = usize::try_from(end - offset)
                .unwrap_or(usize::MAX)
                .min(buf.len());
            let n = read_at(file, &mut buf[..want], offset)?;
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the partial file is shorter than recorded",
                ));
            }
            self.update(&buf[..n]);
            offset += n as u64;
        }
        Ok(())
    }

    /// The hex digest, `None` when nothing is checked.
    pub(crate) fn finish_hex(self) -> Option<String> {
        match self {
            Hasher::Sha256(h) => Some(hex::encode(h.finalize())),
            Hasher::Sha1(h) => Some(hex::encode(h.finalize())),
            Hasher::None => None,
        }
    }
}

/// Block size when re-reading a file to hash it.
pub(crate) const READ_BLOCK: usize = 2 << 20;

#[cfg(unix)]
pub(crate) fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
pub(crate) fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

#[cfg(unix)]
pub(crate) fn write_all_at(file: &std::fs::File, buf: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(windows)]
pub(crate) fn write_all_at(
    file: &std::fs::File,
    mut buf: &[u8],
    mut offset: u64,
) -> std::io::Result<()> {
    while !buf.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(file, buf, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        buf = &buf[n..];
        offset += n as u64;
    }
    Ok(())
}

/// Reserves the disk blocks for `len` bytes of `file` from `offset`, before a download
/// writes them. A full disk then fails before any byte is fetched, and the file system
/// allocates the file once instead of on every write (on ext4, a 2 GiB download over 32
/// paced connections took 5% less time). With `keep_len` the file's length stays as it
/// is: a single-stream `.incomplete` file is resumed from its length, by Python too.
///
/// Only a full disk (or quota) is an error. Where the file system cannot preallocate
/// (NFS, FUSE, ...) or the system has no `fallocate`, the writes allocate as they go.
pub(crate) fn reserve(
    file: &std::fs::File,
    offset: u64,
    len: u64,
    keep_len: bool,
) -> std::io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if len > 0 {
        use rustix::{fs::FallocateFlags, io::Errno};
        let flags = if keep_len {
            FallocateFlags::KEEP_SIZE
        } else {
            FallocateFlags::empty()
        };
        match rustix::fs::fallocate(file, flags, offset, len) {
            Err(e) if e == Errno::NOSPC || e == Errno::DQUOT => return Err(e.into()),
            Err(e) => tracing::debug!(error = %e, "cannot preallocate; writing without"),
            Ok(()) => {}
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = (file, offset, len, keep_len);
    Ok(())
}

/// Hashes a whole file (`verify_repo_checksums`).
pub(crate) fn hash_file(path: &std::path::Path, check: Check) -> std::io::Result<Option<String>> {
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    let mut hasher = check.hasher(size);
    let mut buf = vec![0; READ_BLOCK];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish_hex())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_blob_sha1_and_sha256() {
        // `git hash-object` of "hello\n".
        let mut h = Check::GitSha1.hasher(6);
        h.update(b"hello\n");
        assert_eq!(
            h.finish_hex().unwrap(),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        let mut h = Check::Sha256.hasher(0);
        h.update(b"abc");
        assert_eq!(
            h.finish_hex().unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let etag = ETag::new("0".repeat(64)).unwrap();
        assert_eq!(Check::for_etag(&etag), Check::Sha256);
        assert_eq!(Check::for_etag(&ETag::new("xyz").unwrap()), Check::SizeOnly);
    }
}
