//! Uploads split into several commits on a draft pull request, resumable: Python's
//! experimental `plan_multi_commits` and `create_commits_on_pr` (deprecated there since
//! 0.24 in favour of `upload_large_folder`, which is [`HfApi::upload_large_folder`]).
//!
//! Each commit of the plan is a *step* with an id (a sha256 of its operations), and the
//! plan has an id made of its steps'. The pull request carries the plan's id in its title
//! and one checkbox line per step in its first comment; each step is pushed as a commit
//! whose title is the step's id. A run that stops part-way is resumed by calling again
//! with the same plan: the pull request is found by the plan's id and the steps already
//! pushed are skipped. The ids, the title and the checkbox lines are those of the Python
//! client, so either client can resume a run the other started.

use std::collections::HashSet;
use std::future::IntoFuture;

use futures_util::TryStreamExt;
use hf_http::Token;
use hf_lfs::{
    CommitOperation, CommitOperationAdd, CommitOperationDelete, TransferOptions, UploadInfo,
};
use hf_types::{DiscussionEventKind, DiscussionStatus, DiscussionWithDetails, RepoType};
use sha2::{Digest, Sha256};

use super::commit::{CommitOptions, header, run_commit};
use crate::api::discussions::DiscussionStatusFilter;
use crate::client::HfApi;
use crate::error::Error;
use crate::request::BoxFuture;

/// The limits [`plan_multi_commits`] splits by (Python's defaults).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultiCommitLimits {
    /// Operations per commit (default 50).
    pub max_operations_per_commit: usize,
    /// Bytes added per commit (default 2 GiB); a larger file gets a commit of its own.
    pub max_upload_size_per_commit: u64,
}

impl Default for MultiCommitLimits {
    fn default() -> Self {
        MultiCommitLimits {
            max_operations_per_commit: 50,
            max_upload_size_per_commit: 2 << 30,
        }
    }
}

/// The commits [`HfApi::create_commits_on_pr`] pushes: deletions first, then additions.
#[derive(Debug, Clone, Default)]
pub struct MultiCommitPlan {
    /// One commit per inner list.
    pub addition_commits: Vec<Vec<CommitOperationAdd>>,
    /// One commit per inner list, pushed before the additions.
    pub deletion_commits: Vec<Vec<CommitOperationDelete>>,
}

/// Splits `operations` into commits as Python's `plan_multi_commits` does: deletions in
/// groups of at most `max_operations_per_commit`; each addition of at least
/// `max_upload_size_per_commit` bytes alone; the other additions in order, in groups
/// closed when either limit is reached. Additions are hashed first (their size and
/// sha256 name the steps). Copies are refused.
///
/// ```no_run
/// use hf_api::upload::{CommitOperationAdd, MultiCommitLimits, plan_multi_commits};
/// # async fn demo(api: hf_api::HfApi) -> Result<(), hf_api::Error> {
/// let ops = vec![
///     CommitOperationAdd::from_path("a.bin", "out/a.bin")?.into(),
///     CommitOperationAdd::from_path("b.bin", "out/b.bin")?.into(),
/// ];
/// let plan = plan_multi_commits(ops, MultiCommitLimits::default()).await?;
/// let pr_url = api.create_commits_on_pr("alice/big", plan, "Add the weights").await?;
/// # Ok(()) }
/// ```
pub async fn plan_multi_commits(
    mut operations: Vec<CommitOperation>,
    limits: MultiCommitLimits,
) -> Result<MultiCommitPlan, Error> {
    if let Some(op) = operations
        .iter()
        .find(|op| !matches!(op, CommitOperation::Add(_) | CommitOperation::Delete(_)))
    {
        return Err(Error::invalid_argument(
            format!(
                "multi-commit plans take additions and deletions only, not the copy to {:?}; \
                 commit copies with create_commit",
                op.path_in_repo()
            ),
            None,
        ));
    }
    hf_lfs::hash_additions(&mut operations).await?;
    let max_ops = limits.max_operations_per_commit.max(1);
    let max_size = limits.max_upload_size_per_commit;
    let mut plan = MultiCommitPlan::default();
    let (mut additions, mut additions_size, mut deletions) = (Vec::new(), 0u64, Vec::new());
    for op in operations {
        match op {
            CommitOperation::Delete(d) => {
                deletions.push(d);
                if deletions.len() >= max_ops {
                    plan.deletion_commits.push(std::mem::take(&mut deletions));
                }
            }
            CommitOperation::Add(a) => {
                let size = hashed(&a)?.size;
                if size >= max_size {
                    plan.addition_commits.push(vec![a]);
                } else if additions_size + size < max_size {
                    additions.push(a);
                    additions_size += size;
                } else {
                    plan.addition_commits
                        .push(std::mem::replace(&mut additions, vec![a]));
                    additions_size = size;
                }
                if additions.len() >= max_ops {
                    plan.addition_commits.push(std::mem::take(&mut additions));
                    additions_size = 0;
                }
            }
            _ => unreachable!("copies are refused above"),
        }
    }
    if !additions.is_empty() {
        plan.addition_commits.push(additions);
    }
    if !deletions.is_empty() {
        plan.deletion_commits.push(deletions);
    }
    Ok(plan)
}

/// The size and sha256 of an addition, which must have been hashed.
fn hashed(a: &CommitOperationAdd) -> Result<&UploadInfo, Error> {
    a.upload_info().ok_or_else(|| {
        Error::invalid_argument(format!("{:?} was not hashed", a.path_in_repo()), None)
    })
}

/// One commit of a plan.
#[derive(Debug)]
struct Step {
    operations: Vec<CommitOperation>,
    id: String,
    completed: bool,
}

impl Step {
    /// A step of hashed additions or of deletions; its id hashes, per operation, its kind,
    /// path and content (an addition's raw sha256, a deletion's folder flag as Python
    /// prints a bool).
    fn new(operations: Vec<CommitOperation>) -> Result<Step, Error> {
        if operations.is_empty() {
            return Err(Error::invalid_argument(
                "a multi-commit step needs at least one operation",
                None,
            ));
        }
        let mut sha = Sha256::new();
        for op in &operations {
            match op {
                CommitOperation::Add(a) => {
                    let info = hashed(a)?;
                    sha.update(b"ADD");
                    sha.update(a.path_in_repo().as_bytes());
                    sha.update(hex::decode(info.sha256.as_str()).expect("an LfsOid is hex"));
                }
                CommitOperation::Delete(d) => {
                    sha.update(b"DELETE");
                    sha.update(d.path_in_repo().as_bytes());
                    sha.update(if d.is_folder() { "True" } else { "False" });
                }
                _ => {
                    return Err(Error::invalid_argument(
                        "multi-commit steps take additions and deletions only",
                        None,
                    ));
                }
            }
        }
        Ok(Step {
            operations,
            id: hex::encode(sha.finalize()),
            completed: false,
        })
    }

    /// The step's checkbox line in the pull request's first comment.
    fn line(&self) -> String {
        let mark = if self.completed { 'x' } else { ' ' };
        let adds: Vec<u64> = self
            .operations
            .iter()
            .filter_map(|op| op.as_add().and_then(|a| a.upload_info()).map(|i| i.size))
            .collect();
        if adds.is_empty() {
            let folders = self
                .operations
                .iter()
                .filter(|op| matches!(op, CommitOperation::Delete(d) if d.is_folder()))
                .count();
            let files = self.operations.len() - folders;
            format!(
                "- [{mark}] Delete {files} file(s) and {folders} folder(s) ({})",
                self.id
            )
        } else {
            format!(
                "- [{mark}] Upload {} file(s) totalling {} ({})",
                adds.len(),
                hf_cache::format_size(adds.iter().sum()),
                self.id
            )
        }
    }
}

/// Every step of a plan and the plan's id.
#[derive(Debug)]
struct Strategy {
    /// Deletions first, the order they are pushed in.
    steps: Vec<Step>,
    /// How many of `steps` are deletions.
    deletions: usize,
    id: String,
}

impl Strategy {
    async fn new(plan: MultiCommitPlan) -> Result<Strategy, Error> {
        let deletions = plan.deletion_commits.len();
        let mut steps = Vec::with_capacity(deletions + plan.addition_commits.len());
        for group in plan.deletion_commits {
            steps.push(Step::new(group.into_iter().map(Into::into).collect())?);
        }
        for group in plan.addition_commits {
            let mut ops: Vec<CommitOperation> = group.into_iter().map(Into::into).collect();
            hf_lfs::hash_additions(&mut ops).await?;
            steps.push(Step::new(ops)?);
        }
        // The plan's id runs over the additions, then the deletions (as in Python).
        let mut sha = Sha256::new();
        let mut seen = HashSet::new();
        for step in steps[deletions..].iter().chain(&steps[..deletions]) {
            if !seen.insert(step.id.as_str()) {
                return Err(Error::invalid_argument(
                    "the plan has the same commit twice; every step must differ",
                    None,
                ));
            }
            sha.update(b"new step");
            sha.update(step.id.as_bytes());
        }
        if seen.is_empty() {
            return Err(Error::invalid_argument(
                "the plan has no commit; nothing to push",
                None,
            ));
        }
        let id = hex::encode(sha.finalize());
        Ok(Strategy {
            steps,
            deletions,
            id,
        })
    }

    /// The pull request's first comment: the message, the plan's id and a checkbox line
    /// per step.
    fn comment(&self, message: &str, description: Option<&str>) -> String {
        let steps: Vec<String> = self.steps.iter().map(Step::line).collect();
        format!(
            "\n## {message}\n\n{}\n\n**Multi commit ID:** {}\n\nScheduled commits:\n\n{}\n\n\
             _Opened by a multi-commit upload: each step below is pushed as one commit whose \
             title is its id, and ticked once pushed. Editing this comment, changing the \
             status of this pull request or pushing to it while the upload runs breaks \
             resuming it._\n",
            description.unwrap_or_default(),
            self.id,
            steps.join("\n")
        )
    }
}

/// The step ids listed in a pull request comment: on each `- [ ]`, `- [x]` (or `- [|]`)
/// checkbox, the last 64 hex digits on its line (Python's `STEP_ID_REGEX`).
fn listed_step_ids(comment: &str) -> HashSet<String> {
    static STEP: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?m)- \[(?:[ |x])\].*([a-fA-F0-9]{64})").expect("valid")
    });
    STEP.captures_iter(comment)
        .map(|c| c[1].to_owned())
        .collect()
}

const COMPLETED_COMMENT: &str = "\nEvery step of the multi-commit upload is pushed: this pull \
request is ready for review, and can be commented on or changed like any other.\n";
const MERGED_COMMENT: &str =
    "\nMerged at the end of the multi-commit upload, as asked (`merge_pr`).\n";
const NO_CHANGES_COMMENT: &str = "\nThe multi-commit upload changed nothing in the repo, so \
there is nothing to merge: this pull request is closed.\n";

/// The request built by [`HfApi::create_commits_on_pr`]; resolves to the pull request's URL.
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct CreateCommitsOnPrRequest {
    api: HfApi,
    repo_id: String,
    plan: MultiCommitPlan,
    /// The message (the pull request's title), description, repo type, token and
    /// transfer settings; each step's commit takes them with its own message and branch.
    options: CommitOptions,
    merge_pr: bool,
}

impl HfApi {
    /// Pushes `plan` as several commits on a draft pull request, then opens it for review
    /// and (by default) merges it: Python's experimental `create_commits_on_pr`.
    ///
    /// The pull request is titled `[WIP] {commit_message} (multi-commit {plan id})`, and
    /// its first comment lists the steps. Each step becomes a commit titled with its id,
    /// and its checkbox is ticked. When every step is pushed, the pull request is renamed
    /// to `commit_message`, set to open and, with [`merge_pr`](CreateCommitsOnPrRequest::merge_pr)
    /// (the default), merged. If it turns out to change nothing, it is closed instead.
    ///
    /// Calling again with the same plan after a failure resumes: the draft pull request
    /// is found by the plan's id and the steps already pushed are not pushed again
    /// (Python's client resumes ours and ours resumes Python's). A pull request whose
    /// comment or commits do not match the plan is an [`Error::MultiCommit`].
    ///
    /// The repo must exist. Python deprecates this for [`HfApi::upload_large_folder`],
    /// which resumes without a pull request.
    pub fn create_commits_on_pr(
        &self,
        repo_id: &str,
        plan: MultiCommitPlan,
        commit_message: impl Into<String>,
    ) -> CreateCommitsOnPrRequest {
        let options = CommitOptions {
            commit_message: Some(commit_message.into()),
            ..CommitOptions::default()
        };
        CreateCommitsOnPrRequest::with_options(self.clone(), repo_id, plan, options)
    }
}

impl CreateCommitsOnPrRequest {
    /// The request with the settings of another upload (`upload_folder`): its message,
    /// description, repo type, token and transfer settings. Merged unless it asked for a
    /// pull request.
    pub(crate) fn with_options(
        api: HfApi,
        repo_id: &str,
        plan: MultiCommitPlan,
        options: CommitOptions,
    ) -> Self {
        CreateCommitsOnPrRequest {
            api,
            repo_id: repo_id.to_owned(),
            plan,
            merge_pr: !options.create_pr,
            options,
        }
    }

    /// The description, shown under the message in the pull request's first comment.
    pub fn commit_description(mut self, description: impl Into<String>) -> Self {
        self.options.commit_description = Some(description.into());
        self
    }

    /// The repo type (default: model).
    pub fn repo_type(mut self, repo_type: RepoType) -> Self {
        self.options.repo_type = repo_type;
        self
    }

    /// Uses this token instead of the client's for every request of this call.
    pub fn token(mut self, token: Token) -> Self {
        self.options.token = Some(token);
        self
    }

    /// Whether the pull request is merged once every step is pushed (default `true`).
    pub fn merge_pr(mut self, merge: bool) -> Self {
        self.merge_pr = merge;
        self
    }

    /// LFS files uploaded at once within a step (default 5, as Python's `num_threads`).
    pub fn num_threads(mut self, n: usize) -> Self {
        self.options.transfer = self.options.transfer.max_concurrent_files(n);
        self
    }

    /// Transfer settings (concurrency, retries, progress hook) of the LFS uploads.
    pub fn transfer_options(mut self, options: TransferOptions) -> Self {
        self.options.transfer = options;
        self
    }
}

impl IntoFuture for CreateCommitsOnPrRequest {
    type Output = Result<String, Error>;
    type IntoFuture = BoxFuture<String>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(run(self))
    }
}

/// Applies the request's repo type and token to a request builder.
macro_rules! scoped {
    ($req:expr, $builder:expr) => {{
        let b = $builder.repo_type($req.options.repo_type);
        match &$req.options.token {
            Some(t) => b.token(t.clone()),
            None => b,
        }
    }};
}

async fn run(mut req: CreateCommitsOnPrRequest) -> Result<String, Error> {
    // The message becomes the pull request's title: checked as a commit's would be.
    header(&req.options)?;
    let message = req.options.commit_message.clone().unwrap_or_default();
    let mut strategy = Strategy::new(std::mem::take(&mut req.plan)).await?;
    let api = &req.api;
    let repo = req.repo_id.as_str();
    let description = req.options.commit_description.as_deref();
    let pr = find_or_open_pr(&req, &strategy, &message).await?;
    let num = pr.discussion.num;
    let fail = |what: String| Error::MultiCommit {
        message: format!(
            "pull request #{num} does not match this plan: {what}; close it to start over"
        ),
    };
    let (comment_id, listed) = pr
        .events
        .iter()
        .find_map(|e| match &e.kind {
            DiscussionEventKind::Comment(c) => Some((e.id.clone(), listed_step_ids(&c.latest.raw))),
            _ => None,
        })
        .ok_or_else(|| fail("it has no comment listing the steps".to_owned()))?;
    let planned: HashSet<String> = strategy.steps.iter().map(|s| s.id.clone()).collect();
    if listed != planned {
        return Err(fail(if listed.len() == planned.len() {
            "its comment lists other steps than the plan's".to_owned()
        } else {
            format!(
                "its comment lists {} step(s), the plan has {}",
                listed.len(),
                planned.len()
            )
        }));
    }

    // The commits on the pull request that are not on main, by title.
    let git_ref = format!("refs/pr/{num}");
    let on_main: HashSet<String> = scoped!(req, api.list_repo_commits(repo).revision("main"))
        .map_ok(|c| c.id.to_string())
        .try_collect()
        .await?;
    let pushed: Vec<String> = scoped!(req, api.list_repo_commits(repo).revision(&git_ref))
        .try_filter(|c| std::future::ready(!on_main.contains(c.id.as_str())))
        .map_ok(|c| c.title)
        .try_collect()
        .await?;
    if pushed.len() > planned.len() {
        return Err(fail(format!(
            "{} commits were pushed to it for {} step(s)",
            pushed.len(),
            planned.len()
        )));
    }
    for step in &mut strategy.steps {
        step.completed = pushed.contains(&step.id);
    }
    let (deletions, additions) = strategy.steps.split_at(strategy.deletions);
    if deletions.iter().any(|s| !s.completed) && additions.iter().any(|s| s.completed) {
        return Err(fail(
            "additions were pushed before every deletion was".to_owned(),
        ));
    }
    let left = strategy.steps.iter().filter(|s| !s.completed).count();
    if left < planned.len() {
        tracing::info!(pr = num, left, "resuming a multi-commit upload");
    }

    for i in 0..strategy.steps.len() {
        let step = &strategy.steps[i];
        if step.completed {
            continue;
        }
        // Each step is a commit to the pull request titled with the step's id.
        let options = CommitOptions {
            revision: Some(git_ref.clone()),
            commit_message: Some(step.id.clone()),
            commit_description: None,
            create_pr: false,
            parent_commit: None,
            ..req.options.clone()
        };
        run_commit(
            api.clone(),
            req.repo_id.clone(),
            options,
            step.operations.clone(),
        )
        .await?;
        tracing::info!(pr = num, step = %step.id, "multi-commit step pushed");
        strategy.steps[i].completed = true;
        let text = strategy.comment(&message, description);
        scoped!(
            req,
            api.edit_discussion_comment(repo, num, &comment_id, &text)
        )
        .await?;
    }

    scoped!(req, api.rename_discussion(repo, num, &message)).await?;
    scoped!(
        req,
        api.change_discussion_status(repo, num, DiscussionStatusFilter::Open)
            .comment(COMPLETED_COMMENT)
    )
    .await?;
    if req.merge_pr {
        match scoped!(
            req,
            api.merge_pull_request(repo, num).comment(MERGED_COMMENT)
        )
        .await
        {
            Ok(()) => {}
            Err(Error::BadRequest(e))
                if e.server_message()
                    .is_some_and(|m| m.contains("no associated changes")) =>
            {
                tracing::warn!(
                    pr = num,
                    "nothing to merge: the pull request changes nothing"
                );
                scoped!(
                    req,
                    api.change_discussion_status(repo, num, DiscussionStatusFilter::Closed)
                        .comment(NO_CHANGES_COMMENT)
                )
                .await?;
            }
            Err(e) => {
                let why = e.to_string();
                let note = format!(
                    "\nThe multi-commit upload could not merge this pull request: `{why}`.\n"
                );
                // The comment is a courtesy; the merge error is what the caller needs.
                let _ = scoped!(req, api.comment_discussion(repo, num, &note)).await;
                return Err(e);
            }
        }
    }
    Ok(format!(
        "{}/{}{}/discussions/{num}",
        api.endpoint(),
        req.options.repo_type.url_prefix(),
        req.repo_id
    ))
}

/// The draft pull request whose title names the plan's id, or a new one.
async fn find_or_open_pr(
    req: &CreateCommitsOnPrRequest,
    strategy: &Strategy,
    message: &str,
) -> Result<DiscussionWithDetails, Error> {
    let api = &req.api;
    let repo = req.repo_id.as_str();
    let mut discussions = scoped!(req, api.get_repo_discussions(repo));
    while let Some(d) = discussions.try_next().await? {
        if d.is_pull_request
            && d.status == DiscussionStatus::Draft
            && d.title.contains(&strategy.id)
        {
            tracing::info!(pr = d.num, "found the pull request of this plan");
            return scoped!(req, api.get_discussion_details(repo, d.num)).await;
        }
    }
    let title = format!("[WIP] {message} (multi-commit {})", strategy.id);
    let comment = strategy.comment(message, req.options.commit_description.as_deref());
    scoped!(
        req,
        api.create_pull_request(repo, &title).description(comment)
    )
    .await
}
