//! Atomic replacement of small files and symlinks: write a temporary entry, then rename
//! it over the destination, so readers see either the old or the new entry, never a
//! truncated one.

use std::io::Write as _;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `contents` to `dest` atomically. The temporary file is created in `tmp_dir`,
/// which must be on the same filesystem as `dest` and outside any folder that is
/// scanned entry by entry (a crash must not leave a stray file in `refs/`).
pub(crate) fn write_atomic(dest: &Path, tmp_dir: &Path, contents: &[u8]) -> Result<()> {
    if let Some(parent) = dest.parent() {
        create_dir_all(parent)?;
    }
    let mut tmp = temp_builder()
        .tempfile_in(tmp_dir)
        .map_err(|e| Error::from_write(tmp_dir, e))?;
    tmp.write_all(contents)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::from_write(tmp.path(), e))?;
    tmp.persist(dest)
        .map_err(|e| Error::from_write(dest, e.error))?;
    Ok(())
}

/// Writes `contents` to a new, uniquely named file `{prefix}{random}{suffix}` in `dir`
/// (created when missing), then renames it to `dest`. No sync: for cache entries that
/// can be fetched again, where only "never a partial file under `dest`" matters.
pub(crate) fn write_renamed(
    dir: &Path,
    (prefix, suffix): (&str, &str),
    contents: &[u8],
    dest: &Path,
) -> Result<()> {
    let mut builder = temp_builder();
    builder.prefix(prefix).suffix(suffix).rand_bytes(8);
    let tmp =
        in_existing_dir(dir, || builder.tempfile_in(dir)).map_err(|e| Error::from_write(dir, e))?;
    tmp.as_file()
        .write_all(contents)
        .map_err(|e| Error::from_write(tmp.path(), e))?;
    tmp.persist(dest)
        .map_err(|e| Error::from_write(dest, e.error))?;
    Ok(())
}

/// Runs `create` (which makes an entry in `dir`), creating `dir` and trying again only
/// when the first try says it is missing: the folder usually exists, and a `mkdir` per
/// entry costs a call and contends on the parent folder.
///
/// ```
/// # let tmp = tempfile::tempdir().unwrap();
/// let dir = tmp.path().join("a/b");
/// let file = dir.join("f");
/// hf_cache::in_existing_dir(&dir, || std::fs::write(&file, b"x")).unwrap();
/// assert_eq!(std::fs::read(&file).unwrap(), b"x");
/// ```
pub fn in_existing_dir<T>(
    dir: &Path,
    mut create: impl FnMut() -> std::io::Result<T>,
) -> std::io::Result<T> {
    match create() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs_err::create_dir_all(dir)?;
            create()
        }
        other => other,
    }
}

/// Creates `dest` as a symlink to `target`, replacing whatever was there atomically.
///
/// The usual case (nothing there yet) is one `symlink` call: no placeholder entry is
/// created and deleted per file, which matters for snapshots of thousands of files
/// (on ext4 without a journal, recently deleted inodes make later creations scan).
/// The parent folder is created only when missing.
pub(crate) fn symlink_atomic(target: &Path, dest: &Path, tmp_dir: &Path) -> std::io::Result<()> {
    let parent = dest.parent().unwrap_or(Path::new(""));
    match in_existing_dir(parent, || symlink(target, dest)) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    if std::fs::read_link(dest).is_ok_and(|current| current == target) {
        return Ok(());
    }
    // Something else is there: link under a fresh name, then rename over it.
    let tmp = temp_builder().make_in(tmp_dir, |path| symlink(target, path))?;
    tmp.persist(dest).map(drop).map_err(|e| e.error)
}

/// Copies `src` to `dest` atomically (temp file in `tmp_dir`, then rename).
pub(crate) fn copy_atomic(src: &Path, dest: &Path, tmp_dir: &Path) -> Result<()> {
    let tmp = temp_builder()
        .tempfile_in(tmp_dir)
        .map_err(|e| Error::from_write(tmp_dir, e))?;
    let mut reader = fs_err::File::open(src)?;
    let mut writer = tmp.as_file();
    std::io::copy(&mut reader, &mut writer)
        .and_then(|_| writer.sync_all())
        .map_err(|e| Error::from_write(tmp.path(), e))?;
    tmp.persist(dest)
        .map_err(|e| Error::from_write(dest, e.error))?;
    Ok(())
}

pub(crate) fn create_dir_all(dir: &Path) -> Result<()> {
    fs_err::create_dir_all(dir).map_err(|e| Error::from_write(dir, e))
}

fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tmp-hf-");
    // tempfile defaults to 0o600; cache files must stay readable by whoever the umask
    // allows, like files Python creates.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_file(target, link)
}

#[cfg(not(any(unix, windows)))]
fn symlink(_target: &Path, _link: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "symlinks are not supported on this platform",
    ))
}
