//! The emulator's data model: users, organizations, tokens, repositories with their refs
//! and commits, persisted as one JSON document plus content-addressed object files.
//!
//! # Format
//!
//! ```text
//! DIR/state.json          every user, token, repo, ref and commit (file maps per commit)
//! DIR/objects/blobs/<sha1>   regular file contents, by git blob id
//! DIR/objects/lfs/<sha256>   LFS object contents, by sha256
//! DIR/objects/tmp/           uploads in progress
//! ```

pub(crate) mod attrs;
pub(crate) mod card;
pub(crate) mod endpoints;
pub(crate) mod git;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The kind of a repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RepoType {
    /// A model repository (`/api/models`, no web prefix).
    Model,
    /// A dataset repository (`/api/datasets`, web prefix `datasets/`).
    Dataset,
    /// A Space (`/api/spaces`, web prefix `spaces/`).
    Space,
    /// A kernel (`/api/kernels`, web prefix `kernels/`).
    Kernel,
}

impl RepoType {
    /// `model`, `dataset`, `space` or `kernel`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Model => "model",
            Self::Dataset => "dataset",
            Self::Space => "space",
            Self::Kernel => "kernel",
        }
    }

    /// The API path segment: `models`, `datasets`, `spaces` or `kernels`.
    pub fn plural(self) -> &'static str {
        match self {
            Self::Model => "models",
            Self::Dataset => "datasets",
            Self::Space => "spaces",
            Self::Kernel => "kernels",
        }
    }

    /// The web/resolve URL prefix: empty, `datasets/`, `spaces/` or `kernels/`.
    pub fn web_prefix(self) -> &'static str {
        match self {
            Self::Model => "",
            Self::Dataset => "datasets/",
            Self::Space => "spaces/",
            Self::Kernel => "kernels/",
        }
    }

    pub(crate) fn from_plural(s: &str) -> Option<Self> {
        match s {
            "models" => Some(Self::Model),
            "datasets" => Some(Self::Dataset),
            "spaces" => Some(Self::Space),
            "kernels" => Some(Self::Kernel),
            _ => None,
        }
    }

    pub(crate) fn from_singular(s: &str) -> Option<Self> {
        match s {
            "model" => Some(Self::Model),
            "dataset" => Some(Self::Dataset),
            "space" => Some(Self::Space),
            "kernel" => Some(Self::Kernel),
            _ => None,
        }
    }
}

/// What a fine-grained token scope applies to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScopeTarget {
    /// One repository (type and full id).
    Repo(RepoType, String),
    /// Every repository of a user or organization namespace, and creating repos in it.
    Namespace(String),
}

/// One permission entry of a fine-grained token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenScope {
    /// What the entry applies to.
    pub target: ScopeTarget,
    /// `true` for read and write, `false` for read only.
    pub write: bool,
}

impl TokenScope {
    /// A scope on one repository.
    pub fn repo(repo_type: RepoType, repo_id: &str, write: bool) -> Self {
        Self {
            target: ScopeTarget::Repo(repo_type, repo_id.to_owned()),
            write,
        }
    }

    /// A scope on a whole namespace.
    pub fn namespace(namespace: &str, write: bool) -> Self {
        Self {
            target: ScopeTarget::Namespace(namespace.to_owned()),
            write,
        }
    }
}

/// A token's role, as `whoami-v2` reports it in `auth.accessToken.role`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// Reads everything its user can see.
    Read,
    /// Reads and writes everything its user can.
    Write,
    /// Only what its scopes grant (public repos stay readable).
    FineGrained(Vec<TokenScope>),
}

/// A user or an organization.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Account {
    pub(crate) name: String,
    pub(crate) fullname: String,
    pub(crate) is_org: bool,
    /// Members (organizations only).
    pub(crate) members: BTreeSet<String>,
    pub(crate) object_id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct TokenRec {
    pub(crate) user: String,
    pub(crate) role: Role,
    pub(crate) display_name: String,
    pub(crate) created_at: String,
}

/// One file of a commit's tree. `oid` is the git blob id of what git stores (for LFS files,
/// of the pointer); `lfs` is the sha256 of the real content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileRec {
    pub(crate) oid: String,
    pub(crate) size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) lfs: Option<String>,
}

impl FileRec {
    pub(crate) fn regular(content: &[u8]) -> Self {
        Self {
            oid: git::blob_sha1(content),
            size: content.len() as u64,
            lfs: None,
        }
    }

    pub(crate) fn lfs(sha256: &str, size: u64) -> Self {
        Self {
            oid: git::blob_sha1(git::lfs_pointer(sha256, size).as_bytes()),
            size,
            lfs: Some(sha256.to_owned()),
        }
    }

    pub(crate) fn pointer_size(&self) -> u64 {
        self.lfs
            .as_deref()
            .map_or(0, |s| git::lfs_pointer(s, self.size).len() as u64)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct CommitRec {
    pub(crate) id: String,
    pub(crate) parents: Vec<String>,
    pub(crate) author: String,
    pub(crate) date: String,
    pub(crate) title: String,
    pub(crate) message: String,
    pub(crate) files: BTreeMap<String, FileRec>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct TagRec {
    pub(crate) target: String,
    pub(crate) message: Option<String>,
}

/// Gating mode of a repo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gated {
    /// Not gated.
    No,
    /// Access requests are accepted automatically (grant through the library API).
    Auto,
    /// Access requests are reviewed by the owners (grant through the library API).
    Manual,
}

impl Gated {
    pub(crate) fn to_json(self) -> serde_json::Value {
        match self {
            Self::No => serde_json::Value::Bool(false),
            Self::Auto => "auto".into(),
            Self::Manual => "manual".into(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Repo {
    pub(crate) repo_type: RepoType,
    pub(crate) id: String,
    pub(crate) object_id: String,
    pub(crate) private: bool,
    pub(crate) gated: Gated,
    pub(crate) created_at: String,
    pub(crate) sdk: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) downloads: u64,
    pub(crate) likes: u64,
    pub(crate) branches: BTreeMap<String, String>,
    pub(crate) tag_refs: BTreeMap<String, TagRec>,
    pub(crate) prs: BTreeMap<u64, String>,
    pub(crate) converts: BTreeMap<String, String>,
    /// Persisted as diffs against each commit's first parent (see [`commit_store`]).
    #[serde(with = "commit_store")]
    pub(crate) commits: BTreeMap<String, CommitRec>,
    /// Users whose access request to a gated repo was accepted.
    pub(crate) granted: BTreeSet<String>,
    pub(crate) next_discussion: u64,
    #[serde(default)]
    pub(crate) discussions: BTreeMap<u64, Discussion>,
    /// Runtime settings, variables and secrets (Spaces only).
    #[serde(default)]
    pub(crate) space: SpaceState,
    /// Users who liked the repo, with the date.
    #[serde(default)]
    pub(crate) likers: BTreeMap<String, String>,
    /// Access requests to a gated repo, by user.
    #[serde(default)]
    pub(crate) access_requests: BTreeMap<String, AccessRequest>,
}

/// A Space's emulated runtime.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct SpaceState {
    pub(crate) paused: bool,
    pub(crate) hardware: String,
    pub(crate) sleep_time: Option<u64>,
    pub(crate) storage: Option<String>,
    pub(crate) dev_mode: bool,
    /// name -> (value, description, updatedAt)
    pub(crate) variables: BTreeMap<String, (String, Option<String>, String)>,
    /// name -> (description, updatedAt); values are write-only.
    pub(crate) secrets: BTreeMap<String, (Option<String>, String)>,
}

impl Default for SpaceState {
    fn default() -> Self {
        Self {
            paused: false,
            hardware: "cpu-basic".to_owned(),
            sleep_time: Some(172_800),
            storage: None,
            dev_mode: false,
            variables: BTreeMap::new(),
            secrets: BTreeMap::new(),
        }
    }
}

/// One user's access request to a gated repo.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AccessRequest {
    pub(crate) id: String,
    /// `pending`, `accepted` or `rejected`.
    pub(crate) status: String,
    pub(crate) timestamp: String,
}

impl Repo {
    /// Sets a user's access-request status (creating the request); `accepted` opens the gate.
    pub(crate) fn set_access(&mut self, user: &str, status: &str) {
        let (date, _) = now();
        let entry = self
            .access_requests
            .entry(user.to_owned())
            .or_insert_with(|| AccessRequest {
                id: object_id(&format!("access:{}:{user}:{date}", self.id)),
                status: String::new(),
                timestamp: date.clone(),
            });
        status.clone_into(&mut entry.status);
        entry.timestamp = date;
        if status == "accepted" {
            self.granted.insert(user.to_owned());
        } else {
            self.granted.remove(user);
        }
    }
}

/// A discussion or pull request and its events.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Discussion {
    pub(crate) num: u64,
    pub(crate) title: String,
    /// `open`, `closed`, `merged` or `draft`.
    pub(crate) status: String,
    pub(crate) is_pr: bool,
    pub(crate) author: String,
    pub(crate) created_at: String,
    /// Target branch of a pull request.
    pub(crate) base: Option<String>,
    pub(crate) merge_commit: Option<String>,
    pub(crate) events: Vec<serde_json::Value>,
}

/// A discussion event in the Hub's shape.
pub(crate) fn event(kind: &str, author: &str, data: serde_json::Value) -> serde_json::Value {
    let (date, _) = now();
    let id = object_id(&format!(
        "event:{kind}:{author}:{date}:{data}:{}",
        rand::random::<u64>()
    ));
    serde_json::json!({
        "id": id,
        "type": kind,
        "createdAt": date,
        "author": {"name": author, "fullname": author, "avatarUrl": "/avatars/default.svg", "type": "user"},
        "data": data,
    })
}

/// A comment event.
pub(crate) fn comment_event(author: &str, text: &str) -> serde_json::Value {
    let (date, _) = now();
    event(
        "comment",
        author,
        serde_json::json!({
            "edited": false,
            "hidden": false,
            "latest": {"raw": text, "html": format!("<p>{text}</p>"), "updatedAt": date, "author": {"name": author}},
            "numEdits": 0,
            "editors": [author],
            "reactions": [],
            "identifiedLanguage": {"language": "en", "probability": 1.0},
            "isReport": false,
        }),
    )
}

impl Repo {
    pub(crate) fn namespace(&self) -> &str {
        self.id.split_once('/').map_or("", |(ns, _)| ns)
    }

    pub(crate) fn main_head(&self) -> Option<&CommitRec> {
        self.branches.get("main").and_then(|c| self.commits.get(c))
    }

    /// Resolves a revision (branch, tag, `refs/...`, full or short commit id) to a commit.
    pub(crate) fn resolve(&self, rev: &str) -> Option<&CommitRec> {
        let id = self.resolve_id(rev)?;
        self.commits.get(&id)
    }

    pub(crate) fn resolve_id(&self, rev: &str) -> Option<String> {
        if let Some(c) = self.branches.get(rev) {
            return Some(c.clone());
        }
        if let Some(t) = self.tag_refs.get(rev) {
            return Some(t.target.clone());
        }
        if let Some(b) = rev.strip_prefix("refs/heads/") {
            return self.branches.get(b).cloned();
        }
        if let Some(t) = rev.strip_prefix("refs/tags/") {
            return self.tag_refs.get(t).map(|t| t.target.clone());
        }
        if let Some(n) = rev.strip_prefix("refs/pr/") {
            return n.parse().ok().and_then(|n: u64| self.prs.get(&n).cloned());
        }
        if let Some(c) = rev.strip_prefix("refs/convert/") {
            return self.converts.get(c).cloned();
        }
        let lower = rev.to_ascii_lowercase();
        if lower.len() >= 4 && lower.len() <= 40 && lower.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut hits = self
                .commits
                .range(lower.clone()..)
                .take_while(|(k, _)| k.starts_with(&lower));
            if let Some((k, _)) = hits.next()
                && hits.next().is_none()
            {
                return Some(k.clone());
            }
        }
        None
    }

    /// First-parent history from `head`, newest first.
    pub(crate) fn history(&self, head: &str) -> Vec<&CommitRec> {
        let mut out = Vec::new();
        let mut cur = self.commits.get(head);
        while let Some(c) = cur {
            out.push(c);
            cur = c.parents.first().and_then(|p| self.commits.get(p));
        }
        out
    }
}

/// Everything persisted in `state.json`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct HubState {
    pub(crate) accounts: BTreeMap<String, Account>,
    pub(crate) tokens: BTreeMap<String, TokenRec>,
    /// Keyed by `{type}/{id}`.
    pub(crate) repos: BTreeMap<String, Repo>,
    /// Old `{type}/{id}` -> new id, after a move.
    pub(crate) redirects: BTreeMap<String, String>,
    /// Collections by slug.
    #[serde(default)]
    pub(crate) collections: BTreeMap<String, CollectionRec>,
    /// Papers by arXiv id, as the Hub's paper objects (seeded through the library API).
    #[serde(default)]
    pub(crate) papers: BTreeMap<String, serde_json::Value>,
    /// Webhooks by id: (owner, webhook object in the Hub's shape).
    #[serde(default)]
    pub(crate) webhooks: BTreeMap<String, (String, serde_json::Value)>,
    /// Inference Endpoints by namespace, then by name.
    #[serde(default)]
    pub(crate) endpoints: BTreeMap<String, BTreeMap<String, endpoints::EndpointRec>>,
}

/// A collection of repos and papers.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct CollectionRec {
    pub(crate) slug: String,
    pub(crate) title: String,
    pub(crate) namespace: String,
    pub(crate) description: Option<String>,
    pub(crate) private: bool,
    pub(crate) theme: String,
    pub(crate) position: u64,
    pub(crate) last_updated: String,
    pub(crate) items: Vec<CollectionItem>,
}

/// One item of a collection.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct CollectionItem {
    pub(crate) object_id: String,
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) note: Option<String>,
}

pub(crate) fn repo_key(t: RepoType, id: &str) -> String {
    format!("{}/{id}", t.as_str())
}

/// The caller of a request, from its token.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub(crate) user: String,
    pub(crate) role: Role,
}

/// Current time as the Hub writes it: `2024-05-01T12:00:00.000Z`, plus epoch seconds.
pub(crate) fn now() -> (String, i64) {
    let ts = jiff::Timestamp::now();
    (
        ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        ts.as_second(),
    )
}

/// A 24-hex id in the style of the Hub's `_id`, derived from a seed.
pub(crate) fn object_id(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(seed.as_bytes())[..12])
}

impl HubState {
    pub(crate) fn load(path: &Path) -> std::io::Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "{} is not a valid emulator state ({e}); delete it to start afresh",
                        path.display()
                    ),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(e),
        }
    }

    /// Writes the state atomically (temp file in the same directory, then rename).
    pub(crate) fn save(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        // One write, not one syscall per JSON token (the state holds every file of
        // every commit, so that was ~100k writes per commit).
        let json = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        tmp.write_all(&json)?;
        tmp.flush()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }

    pub(crate) fn caller(&self, token: &str) -> Option<Caller> {
        self.tokens.get(token).map(|t| Caller {
            user: t.user.clone(),
            role: t.role.clone(),
        })
    }

    pub(crate) fn add_account(&mut self, name: &str, is_org: bool, members: &[&str]) {
        let entry = self
            .accounts
            .entry(name.to_owned())
            .or_insert_with(|| Account {
                name: name.to_owned(),
                fullname: name.to_owned(),
                is_org,
                members: BTreeSet::new(),
                object_id: object_id(&format!("account:{name}")),
            });
        entry
            .members
            .extend(members.iter().map(|m| (*m).to_owned()));
    }

    /// Whether `user` owns `namespace` (is it, or is a member of that organization).
    pub(crate) fn is_member(&self, user: &str, namespace: &str) -> bool {
        user == namespace
            || self
                .accounts
                .get(namespace)
                .is_some_and(|a| a.is_org && a.members.contains(user))
    }

    /// Orgs of a user.
    pub(crate) fn orgs_of(&self, user: &str) -> Vec<&Account> {
        self.accounts
            .values()
            .filter(|a| a.is_org && a.members.contains(user))
            .collect()
    }

    fn scope_allows(scopes: &[TokenScope], repo: &Repo, write: bool) -> bool {
        scopes.iter().any(|s| {
            (s.write || !write)
                && match &s.target {
                    ScopeTarget::Repo(t, id) => *t == repo.repo_type && *id == repo.id,
                    ScopeTarget::Namespace(ns) => ns == repo.namespace(),
                }
        })
    }

    /// Whether the caller may see the repo at all (private repos are invisible otherwise).
    pub(crate) fn can_read(&self, caller: Option<&Caller>, repo: &Repo) -> bool {
        if !repo.private {
            return true;
        }
        let Some(c) = caller else { return false };
        if !self.is_member(&c.user, repo.namespace()) {
            return false;
        }
        match &c.role {
            Role::Read | Role::Write => true,
            Role::FineGrained(s) => Self::scope_allows(s, repo, false),
        }
    }

    pub(crate) fn can_write(&self, caller: Option<&Caller>, repo: &Repo) -> bool {
        let Some(c) = caller else { return false };
        if !self.is_member(&c.user, repo.namespace()) {
            return false;
        }
        match &c.role {
            Role::Read => false,
            Role::Write => true,
            Role::FineGrained(s) => Self::scope_allows(s, repo, true),
        }
    }

    /// Whether the caller may create repos in `namespace`.
    pub(crate) fn can_create_in(&self, caller: &Caller, namespace: &str) -> bool {
        if !self.is_member(&caller.user, namespace) {
            return false;
        }
        match &caller.role {
            Role::Read => false,
            Role::Write => true,
            Role::FineGrained(scopes) => scopes
                .iter()
                .any(|s| s.write && s.target == ScopeTarget::Namespace(namespace.to_owned())),
        }
    }

    /// Whether the caller passed the gate of a gated repo.
    pub(crate) fn passes_gate(&self, caller: Option<&Caller>, repo: &Repo) -> bool {
        if repo.gated == Gated::No {
            return true;
        }
        caller.is_some_and(|c| {
            self.is_member(&c.user, repo.namespace()) || repo.granted.contains(&c.user)
        })
    }

    /// Creates a repo with the Hub's initial commit; the `.gitattributes` blob is written
    /// to `objects`.
    pub(crate) fn create_repo(
        &mut self,
        objects: &Objects,
        repo_type: RepoType,
        id: &str,
        private: bool,
        author: &str,
        sdk: Option<String>,
    ) -> std::io::Result<&Repo> {
        let (date, epoch) = now();
        let attrs = attrs::default_gitattributes(repo_type == RepoType::Dataset);
        let rec = objects.put_blob(attrs.as_bytes())?;
        let mut files = BTreeMap::new();
        files.insert(".gitattributes".to_owned(), rec);
        let tree = git::tree_oids(&files).remove("").unwrap_or_default();
        let title = "initial commit".to_owned();
        let cid = git::commit_sha1(&tree, &[], author, epoch, &title, "");
        let commit = CommitRec {
            id: cid.clone(),
            parents: vec![],
            author: author.to_owned(),
            date: date.clone(),
            title,
            message: String::new(),
            files,
        };
        let repo = Repo {
            repo_type,
            id: id.to_owned(),
            object_id: object_id(&format!("repo:{repo_type:?}:{id}:{date}")),
            private,
            gated: Gated::No,
            created_at: date,
            sdk,
            tags: vec![],
            downloads: 0,
            likes: 0,
            branches: BTreeMap::from([("main".to_owned(), cid.clone())]),
            tag_refs: BTreeMap::new(),
            prs: BTreeMap::new(),
            converts: BTreeMap::new(),
            commits: BTreeMap::from([(cid, commit)]),
            granted: BTreeSet::new(),
            next_discussion: 1,
            discussions: BTreeMap::new(),
            access_requests: BTreeMap::new(),
            likers: BTreeMap::new(),
            space: SpaceState::default(),
        };
        let key = repo_key(repo_type, id);
        self.redirects.remove(&key);
        self.repos.insert(key.clone(), repo);
        Ok(&self.repos[&key])
    }
}

/// Adds a commit on top of `parent` with the given file map; returns its id.
pub(crate) fn new_commit(
    repo: &mut Repo,
    parents: Vec<String>,
    author: &str,
    title: &str,
    message: &str,
    files: BTreeMap<String, FileRec>,
) -> String {
    let (date, epoch) = now();
    let tree = git::tree_oids(&files).remove("").unwrap_or_default();
    let id = git::commit_sha1(&tree, &parents, author, epoch, title, message);
    repo.commits.insert(
        id.clone(),
        CommitRec {
            id: id.clone(),
            parents,
            author: author.to_owned(),
            date,
            title: title.to_owned(),
            message: message.to_owned(),
            files,
        },
    );
    id
}

/// The content-addressed object store under `DIR/objects`.
#[derive(Debug, Clone)]
pub(crate) struct Objects {
    pub(crate) root: PathBuf,
}

impl Objects {
    pub(crate) fn new(data_dir: &Path) -> std::io::Result<Self> {
        let root = data_dir.join("objects");
        // Uploads cut short by a previous run leave files here; nothing refers to them.
        let _ = std::fs::remove_dir_all(root.join("tmp"));
        for sub in ["blobs", "lfs", "tmp"] {
            std::fs::create_dir_all(root.join(sub))?;
        }
        Ok(Self { root })
    }

    pub(crate) fn blob_path(&self, sha1: &str) -> PathBuf {
        self.root.join("blobs").join(sha1)
    }

    pub(crate) fn lfs_dir(&self) -> PathBuf {
        self.root.join("lfs")
    }

    pub(crate) fn lfs_path(&self, sha256: &str) -> PathBuf {
        self.lfs_dir().join(sha256)
    }

    pub(crate) fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Stores a regular file's content (idempotent) and returns its record.
    pub(crate) fn put_blob(&self, content: &[u8]) -> std::io::Result<FileRec> {
        let rec = FileRec::regular(content);
        let path = self.blob_path(&rec.oid);
        if !path.exists() {
            let mut tmp = tempfile::NamedTempFile::new_in(self.tmp_dir())?;
            std::io::Write::write_all(&mut tmp, content)?;
            tmp.persist(&path).map_err(|e| e.error)?;
        }
        Ok(rec)
    }

    /// Stores an LFS object from memory (library seeding) and returns its record.
    pub(crate) fn put_lfs(&self, content: &[u8]) -> std::io::Result<FileRec> {
        use sha2::{Digest, Sha256};
        let sha = hex::encode(Sha256::digest(content));
        let path = self.lfs_path(&sha);
        if !path.exists() {
            let mut tmp = tempfile::NamedTempFile::new_in(self.tmp_dir())?;
            std::io::Write::write_all(&mut tmp, content)?;
            tmp.persist(&path).map_err(|e| e.error)?;
        }
        Ok(FileRec::lfs(&sha, content.len() as u64))
    }

    /// Size of a stored LFS object, if present.
    pub(crate) fn lfs_size(&self, sha256: &str) -> Option<u64> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        std::fs::metadata(self.lfs_path(sha256))
            .ok()
            .map(|m| m.len())
    }

    /// Where the bytes of a file record live.
    pub(crate) fn content_path(&self, rec: &FileRec) -> PathBuf {
        match &rec.lfs {
            Some(sha) => self.lfs_path(sha),
            None => self.blob_path(&rec.oid),
        }
    }
}

/// Stores commits as changes against their first parent, so `state.json` grows with the
/// number of changed files rather than with commits times files.
mod commit_store {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{CommitRec, FileRec};

    #[derive(Serialize, Deserialize)]
    struct Stored {
        id: String,
        parents: Vec<String>,
        author: String,
        date: String,
        title: String,
        message: String,
        /// Path -> new record, or `null` when the path was removed (relative to `parents[0]`).
        changes: BTreeMap<String, Option<FileRec>>,
    }

    pub(super) fn serialize<S: Serializer>(
        commits: &BTreeMap<String, CommitRec>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let empty = BTreeMap::new();
        let stored: Vec<Stored> = commits
            .values()
            .map(|c| {
                let base = c
                    .parents
                    .first()
                    .and_then(|p| commits.get(p))
                    .map_or(&empty, |p| &p.files);
                let mut changes: BTreeMap<String, Option<FileRec>> = c
                    .files
                    .iter()
                    .filter(|(k, v)| base.get(*k) != Some(*v))
                    .map(|(k, v)| (k.clone(), Some(v.clone())))
                    .collect();
                for k in base.keys().filter(|k| !c.files.contains_key(*k)) {
                    changes.insert(k.clone(), None);
                }
                Stored {
                    id: c.id.clone(),
                    parents: c.parents.clone(),
                    author: c.author.clone(),
                    date: c.date.clone(),
                    title: c.title.clone(),
                    message: c.message.clone(),
                    changes,
                }
            })
            .collect();
        stored.serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, CommitRec>, D::Error> {
        let mut pending: BTreeMap<String, Stored> = Vec::<Stored>::deserialize(d)?
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        let mut done: BTreeMap<String, CommitRec> = BTreeMap::new();
        // Resolve parents before children without recursion (histories can be long).
        while let Some(start) = pending.keys().next().cloned() {
            let mut chain = vec![start];
            loop {
                let top = chain.last().expect("non-empty");
                let parent = pending[top].parents.first().cloned();
                match parent {
                    Some(p) if pending.contains_key(&p) && !chain.contains(&p) => chain.push(p),
                    _ => break,
                }
            }
            while let Some(id) = chain.pop() {
                let s = pending.remove(&id).expect("pending");
                let mut files = s
                    .parents
                    .first()
                    .and_then(|p| done.get(p))
                    .map(|p| p.files.clone())
                    .unwrap_or_default();
                for (k, v) in s.changes {
                    match v {
                        Some(f) => {
                            files.insert(k, f);
                        }
                        None => {
                            files.remove(&k);
                        }
                    }
                }
                done.insert(
                    id.clone(),
                    CommitRec {
                        id,
                        parents: s.parents,
                        author: s.author,
                        date: s.date,
                        title: s.title,
                        message: s.message,
                        files,
                    },
                );
            }
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_round_trip_through_diffs() {
        let dir = tempfile::tempdir().unwrap();
        let objects = Objects::new(dir.path()).unwrap();
        let mut st = HubState::default();
        st.add_account("a", false, &[]);
        st.create_repo(&objects, RepoType::Model, "a/r", false, "a", None)
            .unwrap();
        let repo = st.repos.get_mut("model/a/r").unwrap();
        let mut head = repo.branches["main"].clone();
        for i in 0..50u64 {
            let mut files = repo.commits[&head].files.clone();
            files.insert(format!("f{}", i % 7), FileRec::regular(&i.to_le_bytes()));
            if i % 5 == 0 {
                files.remove(".gitattributes");
            }
            head = new_commit(repo, vec![head], "a", &format!("c{i}"), "", files);
        }
        // A branch off an older commit and a root commit (super-squash) too.
        let old = repo.history(&head)[20].id.clone();
        let side = new_commit(repo, vec![old], "a", "side", "", BTreeMap::new());
        let root = new_commit(
            repo,
            vec![],
            "a",
            "root",
            "",
            repo.commits[&head].files.clone(),
        );
        let path = dir.path().join("state.json");
        st.save(&path).unwrap();
        let back = HubState::load(&path).unwrap();
        let (a, b) = (&st.repos["model/a/r"], &back.repos["model/a/r"]);
        assert_eq!(a.commits.len(), b.commits.len());
        for (id, c) in &a.commits {
            assert_eq!(c.files, b.commits[id].files, "commit {id}");
            assert_eq!(c.parents, b.commits[id].parents);
        }
        assert!(b.commits[&side].files.is_empty());
        assert_eq!(b.commits[&root].files, a.commits[&head].files);
    }
}
