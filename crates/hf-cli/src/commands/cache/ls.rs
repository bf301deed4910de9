//! `hf cache ls`: the newest Python CLI's listing of the cache, with its filters, sort
//! keys and JSON output.

use std::cmp::Ordering;
use std::time::SystemTime;

use clap::{Args, ValueEnum};
use hf_cache::{CacheInfo, CachedRepoInfo, CachedRevisionInfo, HfCache, format_size};
use serde_json::{Value, json};

use super::{CacheDirArg, Ctx, Paint, cache_id};
use crate::table::{Cell, fit, tabulate_joined};

/// Arguments of `hf cache ls`.
#[derive(Debug, Args)]
pub(crate) struct LsArgs {
    #[command(flatten)]
    dir: CacheDirArg,
    /// One row per cached revision instead of one per repo.
    #[arg(long)]
    revisions: bool,
    /// Keep only the entries that match: `size>1GB`, `type=model`, `accessed>7d`,
    /// `modified<1w`, `refs=main` (repeatable; all must match).
    #[arg(short = 'f', long = "filter", value_name = "EXPR", value_parser = Filter::parse)]
    filters: Vec<Filter>,
    /// Sort by `accessed`, `modified`, `name` or `size`, with `:asc` or `:desc` (the
    /// default is newest or biggest first, and names A to Z).
    #[arg(long, value_name = "KEY[:ORDER]", value_parser = Sort::parse)]
    sort: Option<Sort>,
    /// Show only the first N entries (after sorting).
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Print every entry the scan skipped as corrupted, not just how many.
    #[arg(long)]
    show_warnings: bool,
    /// `table` for people, `json` for programs (one array of objects), `quiet` for
    /// the names alone (as `-q`).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// The same as `--format json`.
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Do not shorten cells to fit the terminal (tables are shortened only on a terminal,
    /// or to `COLUMNS` when it is set).
    #[arg(long)]
    no_truncate: bool,
}

/// How `hf cache ls` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns and a summary (`human` and `auto` in the Python CLI).
    #[value(alias = "human", alias = "auto")]
    Table,
    /// A JSON array.
    Json,
    /// The repo names (or commit hashes with --revisions), one per line.
    Quiet,
}

/// What a `--filter` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Accessed,
    Modified,
    Refs,
    Size,
    Type,
}

/// One `--filter` expression, checked when parsed.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    key: Key,
    op: Op,
    /// Bytes or seconds for numeric keys.
    number: u64,
    /// The lower-cased value for `type` and `refs`.
    text: String,
}

/// A comparison operator of a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
}

impl Op {
    /// Whether `left OP right` holds, given how left compares to right.
    fn holds(self, order: Ordering) -> bool {
        match self {
            Op::Eq => order.is_eq(),
            Op::Ne => order.is_ne(),
            Op::Gt => order.is_gt(),
            Op::Lt => order.is_lt(),
            Op::Ge => order.is_ge(),
            Op::Le => order.is_le(),
        }
    }
}

/// Python's size units (decimal) for `size` filters.
const BYTE_UNITS: &[(&str, u64)] = &[
    ("k", 1_000),
    ("kb", 1_000),
    ("m", 1_000_000),
    ("mb", 1_000_000),
    ("g", 1_000_000_000),
    ("gb", 1_000_000_000),
    ("t", 1_000_000_000_000),
    ("tb", 1_000_000_000_000),
    ("p", 1_000_000_000_000_000),
    ("pb", 1_000_000_000_000_000),
];

/// Python's duration units for `accessed` and `modified` filters.
const TIME_UNITS: &[(&str, u64)] = &[
    ("s", 1),
    ("m", 60),
    ("h", 3_600),
    ("d", 86_400),
    ("w", 604_800),
    ("mo", 2_592_000),
    ("y", 31_536_000),
];

/// `10`, `10GB`, `7d`: a whole number and an optional unit (case-insensitive).
fn with_unit(value: &str, units: &[(&str, u64)]) -> Result<u64, String> {
    let value = value.trim();
    if value.is_empty() {
        return Err("the value is empty".into());
    }
    let digits = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(digits);
    let number: u64 = number.parse().map_err(|_| {
        format!("invalid value '{value}': expected a number with a unit, like 10GB or 7d")
    })?;
    if unit.is_empty() {
        return Ok(number);
    }
    let unit = unit.to_ascii_lowercase();
    let names: Vec<&str> = units.iter().map(|(name, _)| *name).collect();
    let factor = units
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|(_, factor)| *factor)
        .ok_or_else(|| format!("unknown unit '{unit}': use one of {}", names.join(", ")))?;
    number
        .checked_mul(factor)
        .ok_or_else(|| format!("'{value}' is too large"))
}

impl Filter {
    fn parse(expr: &str) -> Result<Filter, String> {
        let expr = expr.trim();
        let key_end = expr
            .find(|c: char| !(c.is_ascii_alphabetic() || c == '_'))
            .unwrap_or(expr.len());
        let (key, rest) = expr.split_at(key_end);
        let rest = rest.trim_start();
        let ops = [
            ("==", None),
            ("!=", Some(Op::Ne)),
            (">=", Some(Op::Ge)),
            ("<=", Some(Op::Le)),
            (">", Some(Op::Gt)),
            ("<", Some(Op::Lt)),
            ("=", Some(Op::Eq)),
        ];
        let Some((op_text, op, value)) = ops.iter().find_map(|(text, op)| {
            rest.strip_prefix(text)
                .map(|value| (*text, *op, value.trim()))
        }) else {
            return Err(format!(
                "invalid filter '{expr}': expected KEY OP VALUE, like size>1GB or type=model"
            ));
        };
        if key.is_empty() || value.is_empty() {
            return Err(format!(
                "invalid filter '{expr}': expected KEY OP VALUE, like size>1GB or type=model"
            ));
        }
        let op = op.ok_or_else(|| {
            format!("unsupported operator '{op_text}' in '{expr}': use =, !=, >, <, >= or <=")
        })?;
        let key = match key.to_ascii_lowercase().as_str() {
            "accessed" => Key::Accessed,
            "modified" => Key::Modified,
            "refs" => Key::Refs,
            "size" => Key::Size,
            "type" => Key::Type,
            other => {
                return Err(format!(
                    "unsupported filter key '{other}' in '{expr}': use accessed, modified, refs, size or type"
                ));
            }
        };
        let number = match key {
            Key::Size => with_unit(value, BYTE_UNITS)?,
            Key::Accessed | Key::Modified => with_unit(value, TIME_UNITS)?,
            Key::Refs | Key::Type => {
                if op != Op::Eq {
                    return Err(format!(
                        "only '=' is supported for '{}' filters, got '{op_text}'",
                        if key == Key::Refs { "refs" } else { "type" }
                    ));
                }
                0
            }
        };
        Ok(Filter {
            key,
            op,
            number,
            text: value.to_lowercase(),
        })
    }

    fn matches(&self, entry: &Entry<'_>, now: SystemTime) -> bool {
        // An age in (fractional) seconds against whole seconds, as Python compares them.
        let age = |t: SystemTime| {
            let age = now.duration_since(t).unwrap_or_default();
            age.cmp(&std::time::Duration::from_secs(self.number))
        };
        match self.key {
            Key::Size => self.op.holds(entry.size().cmp(&self.number)),
            Key::Accessed => self.op.holds(age(entry.repo.last_accessed)),
            Key::Modified => self.op.holds(age(entry.modified())),
            Key::Type => entry.repo.repo_type.to_string() == self.text,
            Key::Refs => entry.refs().iter().any(|r| r.to_lowercase() == self.text),
        }
    }
}

/// A `--sort` key and its order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sort {
    key: SortKey,
    descending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortKey {
    Accessed,
    Modified,
    Name,
    Size,
}

impl Sort {
    fn parse(expr: &str) -> Result<Sort, String> {
        let expr = expr.trim().to_ascii_lowercase();
        let (key, order) = match expr.split_once(':') {
            Some((key, order)) => (key, Some(order)),
            None => (expr.as_str(), None),
        };
        let key = match key {
            "accessed" => SortKey::Accessed,
            "modified" => SortKey::Modified,
            "name" => SortKey::Name,
            "size" => SortKey::Size,
            other => {
                return Err(format!(
                    "unsupported sort key '{other}': use accessed, modified, name or size"
                ));
            }
        };
        let descending = match order {
            None => key != SortKey::Name,
            Some("desc") => true,
            Some("asc") => false,
            Some(other) => return Err(format!("unknown order '{other}': use asc or desc")),
        };
        Ok(Sort { key, descending })
    }

    fn compare(self, a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
        let order = match self.key {
            SortKey::Name => a.id().to_lowercase().cmp(&b.id().to_lowercase()),
            SortKey::Size => a.size().cmp(&b.size()),
            SortKey::Accessed => a.repo.last_accessed.cmp(&b.repo.last_accessed),
            SortKey::Modified => a.modified().cmp(&b.modified()),
        };
        if self.descending {
            order.reverse()
        } else {
            order
        }
    }
}

/// A row: a repo, or one of its revisions with `--revisions`.
struct Entry<'a> {
    repo: &'a CachedRepoInfo,
    revision: Option<&'a CachedRevisionInfo>,
}

impl Entry<'_> {
    fn id(&self) -> String {
        cache_id(self.repo)
    }

    fn size(&self) -> u64 {
        self.revision
            .map_or(self.repo.size_on_disk, |r| r.size_on_disk)
    }

    fn modified(&self) -> SystemTime {
        self.revision
            .map_or(self.repo.last_modified, |r| r.last_modified)
    }

    /// The revision's refs, or every ref of the repo.
    fn refs(&self) -> Vec<&str> {
        let mut refs: Vec<&str> = match self.revision {
            Some(r) => r.refs.iter().map(String::as_str).collect(),
            None => self
                .repo
                .revisions
                .iter()
                .flat_map(|r| r.refs.iter().map(String::as_str))
                .collect(),
        };
        refs.sort_unstable();
        refs.dedup();
        refs
    }
}

pub(super) fn run(ctx: &Ctx, args: &LsArgs) -> anyhow::Result<()> {
    let root = args.dir.resolve(ctx);
    let info = match HfCache::new(&root).scan() {
        Ok(info) => info,
        Err(hf_cache::Error::CacheNotFound { path }) => {
            anyhow::bail!("cache directory not found: {}", path.display())
        }
        Err(e) => return Err(e.into()),
    };
    let now = SystemTime::now();
    let entries = select(&info, args, now);
    let quiet = ctx.quiet || args.format == Format::Quiet;
    if args.json || args.format == Format::Json {
        let items: Vec<Value> = entries.iter().map(|e| item(e, now)).collect();
        println!("{}", Value::Array(items));
    } else if quiet {
        for entry in &entries {
            match entry.revision {
                Some(r) => println!("{}", r.commit_hash),
                None => println!("{}", entry.id()),
            }
        }
    } else if entries.is_empty() {
        println!("No results found.");
    } else {
        let paint = Paint::stdout(ctx);
        let width = if args.no_truncate {
            None
        } else {
            terminal_width(ctx)
        };
        println!("{}", table(&entries, args.revisions, now, width));
        println!("\n{}", paint.bold(&summary(&info, &entries, args)));
    }
    report_leftovers(&info, args.show_warnings, quiet);
    Ok(())
}

/// The entries to print, filtered, sorted and cut as asked.
fn select<'a>(info: &'a CacheInfo, args: &LsArgs, now: SystemTime) -> Vec<Entry<'a>> {
    let mut entries: Vec<Entry<'a>> = Vec::new();
    for repo in &info.repos {
        if args.revisions {
            entries.extend(repo.revisions.iter().map(|r| Entry {
                repo,
                revision: Some(r),
            }));
        } else {
            entries.push(Entry {
                repo,
                revision: None,
            });
        }
    }
    entries.sort_by_cached_key(|e| (e.id(), e.revision.map(|r| r.commit_hash.clone())));
    entries.retain(|e| args.filters.iter().all(|f| f.matches(e, now)));
    if let Some(sort) = &args.sort {
        entries.sort_by(|a, b| sort.compare(a, b));
    }
    if let Some(limit) = args.limit {
        entries.truncate(limit);
    }
    entries
}

fn ago(time: SystemTime, now: SystemTime) -> String {
    hf_cache::format_timesince(time, now)
}

/// The JSON object of an entry (the newest Python CLI's keys).
fn item(entry: &Entry<'_>, now: SystemTime) -> Value {
    let repo = entry.repo;
    match entry.revision {
        Some(r) => json!({
            "id": entry.id(),
            "repo_id": repo.repo_id,
            "repo_type": repo.repo_type.to_string(),
            "revision": r.commit_hash,
            "snapshot_path": r.snapshot_path.display().to_string(),
            "size": format_size(r.size_on_disk),
            "last_modified": ago(r.last_modified, now),
            "refs": entry.refs(),
        }),
        None => json!({
            "id": entry.id(),
            "repo_id": repo.repo_id,
            "repo_type": repo.repo_type.to_string(),
            "size": format_size(repo.size_on_disk),
            "last_accessed": ago(repo.last_accessed, now),
            "last_modified": ago(repo.last_modified, now),
            "refs": entry.refs(),
        }),
    }
}

/// The width to fit tables to: `COLUMNS` when set, else the terminal's; none when the
/// output is not a terminal (a pipe keeps every character).
fn terminal_width(ctx: &Ctx) -> Option<usize> {
    if let Some(columns) = ctx.env.get("COLUMNS").and_then(|c| c.trim().parse().ok()) {
        return Some(columns);
    }
    let term = console::Term::stdout();
    term.is_term()
        .then(|| term.size_checked().map(|(_, cols)| usize::from(cols)))
        .flatten()
}

fn table(entries: &[Entry<'_>], revisions: bool, now: SystemTime, width: Option<usize>) -> String {
    let mut rows: Vec<Vec<Cell>> = entries
        .iter()
        .map(|e| {
            let mut row = vec![Cell::Text(e.id())];
            match e.revision {
                Some(r) => row.extend([
                    Cell::Text(r.commit_hash.clone()),
                    Cell::Right(format_size(r.size_on_disk)),
                    Cell::Text(ago(r.last_modified, now)),
                ]),
                None => row.extend([
                    Cell::Right(format_size(e.repo.size_on_disk)),
                    Cell::Text(ago(e.repo.last_accessed, now)),
                    Cell::Text(ago(e.repo.last_modified, now)),
                ]),
            }
            row.push(Cell::Text(e.refs().join(", ")));
            row
        })
        .collect();
    let headers: &[&str] = if revisions {
        &["ID", "REVISION", "SIZE", "LAST_MODIFIED", "REFS"]
    } else {
        &["ID", "SIZE", "LAST_ACCESSED", "LAST_MODIFIED", "REFS"]
    };
    if let Some(width) = width
        && fit(&mut rows, headers, width)
    {
        eprintln!("Hint: Use `--no-truncate` or `--format json` to display full values.");
    }
    tabulate_joined(rows, headers)
}

/// "Found 2 repo(s) for a total of 3 revision(s) and 2.8K on disk."
fn summary(info: &CacheInfo, entries: &[Entry<'_>], args: &LsArgs) -> String {
    let mut repos: Vec<&CachedRepoInfo> = entries.iter().map(|e| e.repo).collect();
    repos.sort_by(|a, b| a.repo_path.cmp(&b.repo_path));
    repos.dedup_by(|a, b| a.repo_path == b.repo_path);
    let (revisions, size) = if args.revisions {
        (entries.len(), entries.iter().map(Entry::size).sum())
    } else if args.filters.is_empty() && args.limit.is_none() {
        // Repo sizes count a content shared between repos in each; the scan's total
        // counts it once.
        let revisions = repos.iter().map(|r| r.revisions.len()).sum();
        (revisions, info.size_on_disk)
    } else {
        let revisions = repos.iter().map(|r| r.revisions.len()).sum();
        (revisions, repos.iter().map(|r| r.size_on_disk).sum())
    };
    format!(
        "Found {} repo(s) for a total of {revisions} revision(s) and {} on disk.",
        repos.len(),
        format_size(size)
    )
}

/// Warnings, partial downloads and unlinked shared contents, on stderr.
fn report_leftovers(info: &CacheInfo, show_warnings: bool, quiet: bool) {
    if !info.warnings.is_empty() {
        if show_warnings {
            for w in &info.warnings {
                eprintln!(
                    "Warning: {}. Repo ignored.",
                    w.to_string().trim_end_matches('.')
                );
            }
        } else {
            eprintln!(
                "Warning: Found {} cache inconsistencies. Re-run with `--show-warnings` to display them.",
                info.warnings.len()
            );
        }
    }
    if quiet {
        return;
    }
    if !info.incomplete_files.is_empty() {
        let size: u64 = info.incomplete_files.iter().map(|f| f.size_on_disk).sum();
        eprintln!(
            "Hint: Found {} incomplete download(s) totalling {}. Remove them with 'hf cache prune'.",
            info.incomplete_files.len(),
            format_size(size)
        );
    }
    let unlinked = info.unreferenced_shared_contents();
    if !unlinked.is_empty() {
        let size: u64 = unlinked.iter().map(|(_, n)| n).sum();
        eprintln!(
            "Hint: Found {} unreferenced shared blob(s) totalling {}. Remove them with 'hf cache prune'.",
            unlinked.len(),
            format_size(size)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_like_python() {
        let f = Filter::parse("size>1GB").unwrap();
        assert_eq!((f.key, f.op, f.number), (Key::Size, Op::Gt, 1_000_000_000));
        let f = Filter::parse(" accessed >= 7d ").unwrap();
        assert_eq!((f.key, f.op, f.number), (Key::Accessed, Op::Ge, 7 * 86_400));
        assert_eq!(Filter::parse("modified<2mo").unwrap().number, 60 * 86_400);
        assert_eq!(Filter::parse("size!=100").unwrap().number, 100);
        assert_eq!(Filter::parse("TYPE=Dataset").unwrap().text, "dataset");
        for (bad, why) in [
            ("size==1", "unsupported operator '=='"),
            ("type!=model", "only '=' is supported for 'type'"),
            ("refs>main", "only '=' is supported for 'refs'"),
            ("name=gpt2", "unsupported filter key 'name'"),
            ("size>1XB", "unknown unit 'xb'"),
            ("size>GB", "invalid value 'GB'"),
            ("size", "expected KEY OP VALUE"),
            ("size>", "expected KEY OP VALUE"),
        ] {
            let err = Filter::parse(bad).unwrap_err();
            assert!(err.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn sort_keys_default_to_newest_biggest_first_and_names_a_to_z() {
        let s = |e| Sort::parse(e).unwrap();
        assert!(s("size").descending && s("accessed").descending && s("modified").descending);
        assert!(!s("name").descending && !s("size:asc").descending && s("NAME:desc").descending);
        assert!(Sort::parse("files").is_err() && Sort::parse("size:up").is_err());
    }
}
