//! Scanning the cache: what is stored, how much space it takes, and what is broken.
//!
//! The report matches Python's `scan_cache_dir` (`HFCacheInfo`, `CachedRepoInfo`,
//! `CachedRevisionInfo`, `CachedFileInfo`): sizes count blobs only, each distinct blob
//! once per repo; timestamps come from the blobs (or the folder itself when it holds no
//! file); broken repos become warnings and are left out of the totals.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use hf_types::RepoType;

use crate::entry::HfCache;
use crate::error::{Error, Result};
use crate::layout::{self, LOCKS_DIR};
use crate::shared;

/// OS-created helper files, ignored at the cache root and directly under `snapshots/`.
const FILES_TO_IGNORE: [&str; 3] = [".DS_Store", "Thumbs.db", "desktop.ini"];

/// The tag the newest Python clients put at the cache root for backup tools
/// (<https://bford.info/cachedir/>); not a repo.
const CACHEDIR_TAG: &str = "CACHEDIR.TAG";

/// The result of [`HfCache::scan`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CacheInfo {
    /// The scanned cache directory, resolved.
    pub cache_dir: PathBuf,
    /// Bytes the valid repos take on disk: the sum of their sizes, except that a
    /// content kept once in the cache-wide store of the newest Python clients (see
    /// [`CachedFileInfo::blob_path`]) counts once, as does one no repo uses any more.
    pub size_on_disk: u64,
    /// Valid repos, sorted by path.
    pub repos: Vec<CachedRepoInfo>,
    /// Corrupted entries that were skipped, in scan order.
    pub warnings: Vec<CorruptedCacheEntry>,
    /// Partial downloads in the repos' `blobs/` folders (`*.incomplete`), sorted by
    /// path: interrupted downloads, or ones running now. Not part of any size above.
    pub incomplete_files: Vec<CachedIncompleteFile>,
}

/// A partial download in a repo's `blobs/` folder (Python's
/// `CachedIncompleteFileInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CachedIncompleteFile {
    /// The `.incomplete` file.
    pub file_path: PathBuf,
    /// Its size.
    pub size_on_disk: u64,
}

/// One cached repo.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CachedRepoInfo {
    /// The repo id as encoded in the folder name (`--` turned back into `/`).
    pub repo_id: String,
    /// The repo type.
    pub repo_type: RepoType,
    /// The repo folder.
    pub repo_path: PathBuf,
    /// Sum of the sizes of the distinct blobs used by any revision.
    pub size_on_disk: u64,
    /// Number of distinct blobs used by any revision.
    pub nb_files: usize,
    /// Cached revisions, sorted by commit hash.
    pub revisions: Vec<CachedRevisionInfo>,
    /// Latest access time of its blobs (the folder's own when it has none).
    pub last_accessed: SystemTime,
    /// Latest modification time of its blobs (the folder's own when it has none).
    pub last_modified: SystemTime,
}

impl CachedRepoInfo {
    /// Ref name (`main`, `refs/pr/1`, …) to the revision it points to.
    pub fn refs(&self) -> BTreeMap<&str, &CachedRevisionInfo> {
        self.revisions
            .iter()
            .flat_map(|rev| rev.refs.iter().map(move |r| (r.as_str(), rev)))
            .collect()
    }
}

/// One snapshot folder of a repo.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CachedRevisionInfo {
    /// The snapshot folder's name: the commit hash.
    pub commit_hash: String,
    /// The snapshot folder.
    pub snapshot_path: PathBuf,
    /// Sum of the sizes of the distinct blobs its files point to.
    pub size_on_disk: u64,
    /// Its files, sorted by path.
    pub files: Vec<CachedFileInfo>,
    /// The refs pointing to it (`/`-separated names); empty for a detached revision.
    pub refs: BTreeSet<String>,
    /// Latest modification time of its blobs (the folder's own when it has none).
    pub last_modified: SystemTime,
}

impl CachedRevisionInfo {
    /// Number of files in the snapshot.
    pub fn nb_files(&self) -> usize {
        self.files.len()
    }
}

/// One file of a snapshot.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CachedFileInfo {
    /// The file's base name (`config.json`).
    pub file_name: String,
    /// The entry in the snapshot folder (usually a symlink).
    pub file_path: PathBuf,
    /// The blob it points to: the target of the snapshot entry's symlink, taken
    /// literally (`{repo}/blobs/{etag}`), or the entry itself when it is a plain file.
    /// Python 0.26.5 resolved every link; 2.x stops at the first, because that blob may
    /// itself link into the cache-wide store (`{cache}/blobs/ab/ab12…`) that the
    /// newest clients keep for Xet files. Deleting the blob then removes the repo's
    /// link, not the content other repos share. In a cache without that store both
    /// give the same path.
    pub blob_path: PathBuf,
    /// The blob's size (of the content it links to).
    pub size_on_disk: u64,
    /// The blob's last access time.
    pub blob_last_accessed: SystemTime,
    /// The blob's last modification time.
    pub blob_last_modified: SystemTime,
}

/// A cache entry the scan skipped, and why (Python's `CorruptedCacheException`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CorruptedCacheEntry {
    /// The skipped repo folder (or top-level entry).
    pub repo_path: PathBuf,
    /// What is wrong, naming the offending path.
    pub message: String,
}

impl std::fmt::Display for CorruptedCacheEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl HfCache {
    /// Scans the whole cache. Fails only when the cache directory is missing or is a
    /// file; every problem inside it becomes a [`CorruptedCacheEntry`] in
    /// [`CacheInfo::warnings`].
    pub fn scan(&self) -> Result<CacheInfo> {
        let root = self.root();
        if !root.exists() {
            return Err(Error::CacheNotFound {
                path: root.to_path_buf(),
            });
        }
        if !root.is_dir() {
            return Err(Error::NotADirectory {
                path: root.to_path_buf(),
            });
        }
        // Python reports paths under the resolved cache directory.
        let root = fs_err::canonicalize(root)?;
        let mut entries: Vec<PathBuf> = fs_err::read_dir(&root)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<io::Result<_>>()?;
        entries.sort();

        let mut repos = Vec::new();
        let mut warnings = Vec::new();
        let store = root.join(shared::STORE_DIR);
        let has_store = shared::is_store(&store);
        let mut incomplete_files = Vec::new();
        for repo_path in &entries {
            if repo_path.file_name().is_some_and(|n| n == LOCKS_DIR) || *repo_path == store {
                continue;
            }
            for file in shared::read_dir(&repo_path.join("blobs")) {
                let partial = file
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(layout::INCOMPLETE_SUFFIX));
                if let Ok(meta) = std::fs::symlink_metadata(&file)
                    && partial
                    && meta.is_file()
                {
                    incomplete_files.push(CachedIncompleteFile {
                        file_path: file,
                        size_on_disk: meta.len(),
                    });
                }
            }
        }
        incomplete_files.sort_by(|a, b| a.file_path.cmp(&b.file_path));
        for repo_path in entries {
            let name = repo_path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name == LOCKS_DIR
                || name == CACHEDIR_TAG
                || FILES_TO_IGNORE.contains(&name)
                || (has_store && repo_path == store)
            {
                continue;
            }
            match scan_repo(&repo_path) {
                Ok(repo) => repos.push(repo),
                Err(message) => warnings.push(CorruptedCacheEntry { repo_path, message }),
            }
        }
        let size_on_disk = if has_store {
            // Each content once: the repos' own blobs, and everything in the store.
            let own = repos
                .iter()
                .flat_map(|r| &r.revisions)
                .flat_map(|rev| &rev.files)
                .filter(|f| shared::target(&f.blob_path, &root).is_none())
                .map(|f| (f.blob_path.clone(), f.size_on_disk));
            let stored = shared::payloads(&root).into_iter().map(|p| {
                let size = std::fs::symlink_metadata(&p).map_or(0, |m| m.len());
                (p, size)
            });
            own.chain(stored).collect::<HashMap<_, _>>().values().sum()
        } else {
            repos.iter().map(|r| r.size_on_disk).sum()
        };
        Ok(CacheInfo {
            cache_dir: root,
            size_on_disk,
            repos,
            warnings,
            incomplete_files,
        })
    }
}

#[derive(Clone, Copy)]
struct BlobStat {
    size: u64,
    accessed: SystemTime,
    modified: SystemTime,
}

impl BlobStat {
    fn of(meta: &std::fs::Metadata) -> BlobStat {
        BlobStat {
            size: meta.len(),
            accessed: meta.accessed().unwrap_or(SystemTime::UNIX_EPOCH),
            modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        }
    }
}

/// Scans one repo folder; `Err` carries the warning message.
fn scan_repo(repo_path: &Path) -> Result<CachedRepoInfo, String> {
    // Io failures inside a repo (permissions, races with a deletion) make the repo a
    // warning like any other corruption instead of failing the whole scan.
    let io = |err: io::Error| format!("Could not scan {}: {err}", repo_path.display());

    if !repo_path.is_dir() {
        return Err(format!(
            "Repo path is not a directory: {}",
            repo_path.display()
        ));
    }
    let name = repo_path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if !name.contains(layout::REPO_ID_SEPARATOR) {
        return Err(format!(
            "Repo path is not a valid HuggingFace cache directory: {}",
            repo_path.display()
        ));
    }
    let Some((repo_type, repo_id)) = layout::parse_repo_folder_name(name) else {
        let prefix = name
            .split(layout::REPO_ID_SEPARATOR)
            .next()
            .unwrap_or_default();
        // Python drops the last character whatever it is.
        let singular = prefix
            .char_indices()
            .last()
            .map_or("", |(i, _)| &prefix[..i]);
        return Err(format!(
            "Repo type must be `dataset`, `model` or `space`, found `{singular}` ({}).",
            repo_path.display()
        ));
    };

    let snapshots_path = repo_path.join("snapshots");
    let refs_path = repo_path.join("refs");
    if !snapshots_path.is_dir() {
        return Err(format!(
            "Snapshots dir doesn't exist in cached repo: {}",
            snapshots_path.display()
        ));
    }

    // Commit hash (raw ref content) -> ref names.
    let mut refs_by_hash: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    if refs_path.exists() {
        if refs_path.is_file() {
            return Err(format!(
                "Refs directory cannot be a file: {}",
                refs_path.display()
            ));
        }
        for entry in walkdir::WalkDir::new(&refs_path).min_depth(1) {
            let entry = entry.map_err(|e| io(e.into()))?;
            if entry.path().is_dir() {
                continue;
            }
            let ref_name = relative_name(entry.path(), &refs_path);
            let content = fs_err::read(entry.path()).map_err(io)?;
            let commit = String::from_utf8(content)
                .map_err(|_| format!("Ref is not valid UTF-8: {}", entry.path().display()))?;
            refs_by_hash.entry(commit).or_default().insert(ref_name);
        }
    }

    let mut blob_stats: HashMap<PathBuf, BlobStat> = HashMap::new();
    let mut revision_dirs: Vec<PathBuf> = fs_err::read_dir(&snapshots_path)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<_>>()
        .map_err(io)?;
    revision_dirs.sort();

    let mut revisions = Vec::new();
    for revision_path in revision_dirs {
        let revision_name = revision_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if FILES_TO_IGNORE.contains(&revision_name.as_str()) {
            continue;
        }
        if revision_path.is_file() {
            return Err(format!(
                "Snapshots folder corrupted. Found a file: {}",
                revision_path.display()
            ));
        }

        let mut files = Vec::new();
        for entry in walkdir::WalkDir::new(&revision_path)
            .min_depth(1)
            .sort_by_file_name()
        {
            let entry = entry.map_err(|e| io(e.into()))?;
            let file_path = entry.path();
            if file_path.is_dir() {
                continue;
            }
            // The first hop only (see `CachedFileInfo::blob_path`).
            let blob_path = if entry.path_is_symlink() {
                let link = fs_err::read_link(file_path).map_err(io)?;
                shared::lexical(&file_path.parent().unwrap_or(file_path).join(link))
            } else {
                file_path.to_path_buf()
            };
            if !blob_path.exists() {
                return Err(format!(
                    "Blob missing (broken symlink): {}",
                    blob_path.display()
                ));
            }
            let stat = if let Some(stat) = blob_stats.get(&blob_path) {
                *stat
            } else {
                let stat = BlobStat::of(&fs_err::metadata(&blob_path).map_err(io)?);
                blob_stats.insert(blob_path.clone(), stat);
                stat
            };
            files.push(CachedFileInfo {
                file_name: entry.file_name().to_string_lossy().into_owned(),
                file_path: file_path.to_path_buf(),
                blob_path,
                size_on_disk: stat.size,
                blob_last_accessed: stat.accessed,
                blob_last_modified: stat.modified,
            });
        }

        let last_modified = match files.iter().map(|f| f.blob_last_modified).max() {
            Some(t) => t,
            None => fs_err::metadata(&revision_path)
                .map_err(io)?
                .modified()
                .unwrap_or(SystemTime::UNIX_EPOCH),
        };
        let distinct: HashMap<&Path, u64> = files
            .iter()
            .map(|f| (f.blob_path.as_path(), f.size_on_disk))
            .collect();
        revisions.push(CachedRevisionInfo {
            refs: refs_by_hash.remove(&revision_name).unwrap_or_default(),
            commit_hash: revision_name,
            snapshot_path: revision_path,
            size_on_disk: distinct.values().sum(),
            files,
            last_modified,
        });
    }

    if !refs_by_hash.is_empty() {
        // Same text as Python's `dict(refs_by_hash)` repr.
        let dangling: Vec<String> = refs_by_hash
            .iter()
            .map(|(commit, names)| {
                let names: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
                format!("'{commit}': {{{}}}", names.join(", "))
            })
            .collect();
        return Err(format!(
            "Reference(s) refer to missing commit hashes: {{{}}} ({}).",
            dangling.join(", "),
            repo_path.display()
        ));
    }

    let (last_accessed, last_modified) = if blob_stats.is_empty() {
        let meta = fs_err::metadata(repo_path).map_err(io)?;
        (
            meta.accessed().unwrap_or(SystemTime::UNIX_EPOCH),
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        )
    } else {
        (
            blob_stats
                .values()
                .map(|s| s.accessed)
                .max()
                .unwrap_or(SystemTime::UNIX_EPOCH),
            blob_stats
                .values()
                .map(|s| s.modified)
                .max()
                .unwrap_or(SystemTime::UNIX_EPOCH),
        )
    };

    Ok(CachedRepoInfo {
        repo_id,
        repo_type,
        repo_path: repo_path.to_path_buf(),
        size_on_disk: blob_stats.values().map(|s| s.size).sum(),
        nb_files: blob_stats.len(),
        revisions,
        last_accessed,
        last_modified,
    })
}

/// `path` relative to `base`, `/`-separated on every platform.
fn relative_name(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Formats a byte count the way Python's `scan-cache` prints sizes: one decimal and a
/// decimal (1000-based) unit, e.g. `0.0`, `999.0`, `42.2K`, `3.4G`.
///
/// ```
/// assert_eq!(hf_cache::format_size(42_200), "42.2K");
/// assert_eq!(hf_cache::format_size(512), "512.0");
/// ```
pub fn format_size(bytes: u64) -> String {
    let mut value = bytes as f64;
    for unit in ["", "K", "M", "G", "T", "P", "E", "Z"] {
        if value.abs() < 1000.0 {
            return format!("{value:3.1}{unit}");
        }
        value /= 1000.0;
    }
    format!("{value:.1}Y")
}

/// Formats how long ago `time` was, relative to `now`, the way Python's `scan-cache`
/// does: `a few seconds ago`, `1 minute ago`, `3 weeks ago`, `2 years ago`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let now = UNIX_EPOCH + Duration::from_secs(10_000_000);
/// assert_eq!(hf_cache::format_timesince(now - Duration::from_secs(5), now), "a few seconds ago");
/// assert_eq!(hf_cache::format_timesince(now - Duration::from_secs(3 * 3600), now), "3 hours ago");
/// ```
pub fn format_timesince(time: SystemTime, now: SystemTime) -> String {
    // (label, seconds per unit, largest value before switching to the next unit)
    const CHUNKS: [(&str, f64, Option<f64>); 7] = [
        ("second", 1.0, Some(60.0)),
        ("minute", 60.0, Some(60.0)),
        ("hour", 3600.0, Some(24.0)),
        ("day", 86_400.0, Some(6.0)),
        ("week", 604_800.0, Some(6.0)),
        ("month", 2_592_000.0, Some(11.0)),
        ("year", 31_536_000.0, None),
    ];
    let delta = match now.duration_since(time) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    };
    if delta < 20.0 {
        return "a few seconds ago".to_owned();
    }
    let mut shown = (0.0, "second");
    for (label, divider, max) in CHUNKS {
        // Python's round() rounds half to even.
        let value = (delta / divider).round_ties_even();
        shown = (value, label);
        if max.is_some_and(|max| value <= max) {
            break;
        }
    }
    let (value, label) = shown;
    let plural = if value > 1.0 { "s" } else { "" };
    format!("{value} {label}{plural} ago")
}
