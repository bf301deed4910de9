//! Pure path arithmetic of the cache: folder names, blob names and the relative targets
//! of snapshot symlinks. Nothing here touches the filesystem.
//!
//! ```text
//! {HF_HUB_CACHE}/
//! ├── .locks/
//! │   └── models--{ns}--{name}/
//! │       └── {etag}.lock                      lock held while a blob is written
//! ├── models--{ns}--{name}/                    a "repo folder" (datasets--, spaces-- alike)
//! │   ├── blobs/
//! │   │   ├── {etag}                           file content, named by the normalized etag
//! │   │   └── {etag}.incomplete                partial download, resumable
//! │   ├── refs/
//! │   │   ├── main                             40-hex commit, no trailing newline
//! │   │   └── refs/pr/1                        revision names containing `/` nest
//! │   ├── snapshots/
//! │   │   └── {commit}/
//! │   │       ├── config.json -> ../../blobs/{etag}
//! │   │       └── sub/dir/w.bin -> ../../../../blobs/{etag}
//! │   └── .no_exist/
//! │       └── {commit}/
//! │           └── missing.json                 empty marker: absent at that commit
//! ├── datasets--{ns}--{name}/ ...
//! └── spaces--{ns}--{name}/ ...
//! ```

use std::path::{Component, Path, PathBuf};

use hf_types::{ETag, RepoId, RepoType};

use crate::error::{Error, Result};

/// Separator between the parts of a repo folder name; `--` cannot occur in repo ids.
pub const REPO_ID_SEPARATOR: &str = "--";

/// Name of the cache-wide lock directory.
pub const LOCKS_DIR: &str = ".locks";

/// Suffix of partially downloaded files.
pub const INCOMPLETE_SUFFIX: &str = ".incomplete";

/// The folder name of a repo in the cache: `models--gpt2`, `datasets--user--ds`,
/// `spaces--org--app`.
///
/// ```
/// use hf_types::{ETag, RepoId, RepoType};
/// let id = RepoId::new("google/bert-base").unwrap();
/// assert_eq!(hf_cache::layout::repo_folder_name(RepoType::Model, &id), "models--google--bert-base");
/// ```
pub fn repo_folder_name(repo_type: RepoType, repo_id: &RepoId) -> String {
    let mut name = String::from(repo_type.plural());
    for part in repo_id.as_str().split('/') {
        name.push_str(REPO_ID_SEPARATOR);
        name.push_str(part);
    }
    name
}

/// Parses a repo folder name back into its type and repo id, the way Python's
/// `scan_cache_dir` does: split once on `--`, drop the plural `s`, turn the remaining
/// `--` into `/`. The id is returned as found on disk, not validated.
pub fn parse_repo_folder_name(name: &str) -> Option<(RepoType, String)> {
    let (plural, id) = name.split_once(REPO_ID_SEPARATOR)?;
    let repo_type = RepoType::ALL.into_iter().find(|t| t.plural() == plural)?;
    Some((repo_type, id.replace(REPO_ID_SEPARATOR, "/")))
}

/// `path` with `suffix` appended to its file name (`a.bin` + `.lock` = `a.bin.lock`).
pub(crate) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Checks that `etag` can name a blob next to partial downloads: besides what
/// [`ETag::new`] already refuses, it must not end with `.incomplete`.
pub(crate) fn check_blob_name(etag: &ETag) -> Result<()> {
    if etag.as_str().ends_with(INCOMPLETE_SUFFIX) {
        return Err(Error::InvalidEtag {
            etag: etag.as_str().to_owned(),
            reason: "it ends with the partial-download suffix",
        });
    }
    Ok(())
}

/// Turns a `/`-separated repo path (a file name, or a revision such as `refs/pr/1`) into
/// a relative filesystem path, refusing anything that could leave its parent folder:
/// empty, `.` or `..` segments, absolute paths, drive prefixes, NUL bytes and (on
/// Windows) backslashes.
pub fn relative_fs_path(repo_path: &str) -> Result<PathBuf> {
    let unsafe_path = |reason| Error::UnsafePath {
        path: repo_path.to_owned(),
        reason,
    };
    if repo_path.is_empty() {
        return Err(unsafe_path("it is empty"));
    }
    if repo_path.contains('\0') {
        return Err(unsafe_path("it contains a NUL byte"));
    }
    if cfg!(windows) && repo_path.contains('\\') {
        return Err(unsafe_path("it contains a backslash"));
    }
    let mut out = PathBuf::new();
    for segment in repo_path.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(unsafe_path("it has an empty, '.' or '..' segment"));
        }
        let mut components = Path::new(segment).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(c)), None) => out.push(c),
            _ => return Err(unsafe_path("a segment is not a plain file name")),
        }
    }
    Ok(out)
}

/// The relative symlink target from `snapshots/{commit}/{path}` to `blobs/{etag}`:
/// `../../blobs/{etag}` for a top-level file, one more `../` per directory level.
///
/// ```
/// # use std::path::Path;
/// let etag = hf_types::ETag::new("abc").unwrap();
/// assert_eq!(hf_cache::layout::pointer_target(Path::new("a/b/c.bin"), &etag), Path::new("../../../../blobs/abc"));
/// ```
pub fn pointer_target(relative_file: &Path, etag: &ETag) -> PathBuf {
    // From the pointer's directory: up through the path's own directories, then the
    // commit folder and `snapshots/`, landing in the repo folder.
    let depth = relative_file.components().count() + 1;
    let mut target = PathBuf::new();
    for _ in 0..depth {
        target.push("..");
    }
    target.push("blobs");
    target.push(etag.as_str());
    target
}
