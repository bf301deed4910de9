"""The official Python client against hf-testhub.

Every call here must succeed exactly as it would against the real Hub, and the bytes and
metadata it gets back are checked. Runs under huggingface_hub 0.26.5 and the newest release.
"""

import hashlib
import uuid
import os

import pytest
from conftest import ENDPOINT, USER, major_version

import huggingface_hub
from huggingface_hub import (
    CommitOperationAdd,
    CommitOperationCopy,
    CommitOperationDelete,
    hf_hub_download,
    hf_hub_url,
    get_hf_file_metadata,
    snapshot_download,
)
from huggingface_hub.utils import (
    EntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

LFS_SIZE = 12 * 1024 * 1024  # above the 10 MB threshold: uploaded through LFS


def lfs_bytes(seed=b"interop"):
    """Deterministic pseudo-random bytes, LFS_SIZE long."""
    out = bytearray()
    block = hashlib.sha256(seed).digest()
    while len(out) < LFS_SIZE:
        block = hashlib.sha256(block).digest()
        out += block * 64
    return bytes(out[:LFS_SIZE])


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def read(path):
    with open(path, "rb") as f:
        return f.read()


# ----------------------------------------------------------------------------- identity


def test_whoami(api):
    me = api.whoami()
    assert me["name"] == USER
    assert me["type"] == "user"
    assert me["auth"]["accessToken"]["role"] == "write"


# ----------------------------------------------------------------------------- repos


def test_create_repos_of_each_kind(api, repo_name):
    url = api.create_repo(repo_name)
    assert url.repo_id == repo_name
    assert url.repo_type == "model"
    assert url.endpoint == ENDPOINT

    ds = api.create_repo(repo_name + "-ds", repo_type="dataset")
    assert ds.repo_type == "dataset"
    assert str(ds).startswith(f"{ENDPOINT}/datasets/{repo_name}-ds")

    private = api.create_repo(repo_name + "-private", private=True)
    info = api.model_info(private.repo_id)
    assert info.private is True

    # exist_ok: a second create answers the existing repo; without it, a conflict
    again = api.create_repo(repo_name, exist_ok=True)
    assert again.repo_id == repo_name
    with pytest.raises(huggingface_hub.utils.HfHubHTTPError) as err:
        api.create_repo(repo_name)
    assert err.value.response.status_code == 409

    assert api.repo_exists(repo_name)
    assert api.repo_exists(repo_name + "-ds", repo_type="dataset")
    assert not api.repo_exists(repo_name + "-missing")


def test_new_repo_has_initial_commit_with_gitattributes(api, repo_name):
    api.create_repo(repo_name)
    files = api.list_repo_files(repo_name)
    assert files == [".gitattributes"]
    commits = api.list_repo_commits(repo_name)
    assert len(commits) == 1
    assert commits[0].title == "initial commit"
    assert len(commits[0].commit_id) == 40


# ----------------------------------------------------------------------------- uploads


def test_upload_file_small_and_lfs_and_download(api, repo_name, tmp_cache, tmp_path):
    api.create_repo(repo_name)
    small = b"hello from the interop suite\n"
    info = api.upload_file(path_or_fileobj=small, path_in_repo="docs/hello.txt", repo_id=repo_name,
                           commit_message="add hello")
    assert len(info.oid) == 40
    assert info.commit_message == "add hello"

    big = lfs_bytes()
    big_path = tmp_path / "weights.bin"
    big_path.write_bytes(big)
    api.upload_file(path_or_fileobj=str(big_path), path_in_repo="weights.bin", repo_id=repo_name)

    # metadata: sizes, blob ids and LFS info
    model = api.model_info(repo_name, files_metadata=True)
    siblings = {s.rfilename: s for s in model.siblings}
    assert set(siblings) == {".gitattributes", "docs/hello.txt", "weights.bin"}
    assert siblings["docs/hello.txt"].size == len(small)
    assert siblings["docs/hello.txt"].blob_id == git_blob_sha1(small)
    assert siblings["docs/hello.txt"].lfs is None
    lfs = siblings["weights.bin"].lfs
    assert lfs is not None
    assert lfs.sha256 == hashlib.sha256(big).hexdigest()
    assert lfs.size == len(big)
    assert siblings["weights.bin"].size == len(big)

    # downloads: bytes identical; LFS went through the CDN redirect
    path = hf_hub_download(repo_name, "docs/hello.txt", cache_dir=tmp_cache)
    assert read(path) == small
    path = hf_hub_download(repo_name, "weights.bin", cache_dir=tmp_cache)
    assert read(path) == big

    meta = get_hf_file_metadata(hf_hub_url(repo_name, "weights.bin"))
    assert meta.commit_hash == model.sha
    assert meta.etag == hashlib.sha256(big).hexdigest()
    assert meta.size == len(big)
    meta = get_hf_file_metadata(hf_hub_url(repo_name, "docs/hello.txt"))
    assert meta.etag == git_blob_sha1(small)
    assert meta.size == len(small)


def test_upload_folder_with_patterns(api, repo_name, tmp_path):
    api.create_repo(repo_name)
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("a")
    (folder / "b.json").write_text("{}")
    (folder / "sub" / "c.txt").write_text("c")
    (folder / "skip.log").write_text("log")
    api.upload_folder(folder_path=str(folder), repo_id=repo_name, allow_patterns=["*.txt", "*.json"],
                      ignore_patterns=["b.*"])
    assert sorted(api.list_repo_files(repo_name)) == [".gitattributes", "a.txt", "sub/c.txt"]

    # delete_patterns removes remote files that the new upload does not bring back
    (folder / "d.txt").write_text("d")
    api.upload_folder(folder_path=str(folder), repo_id=repo_name, allow_patterns=["d.txt"],
                      delete_patterns=["*.txt"])
    assert sorted(api.list_repo_files(repo_name)) == [".gitattributes", "d.txt"]


def test_create_commit_add_delete_copy(api, repo_name, tmp_cache):
    api.create_repo(repo_name)
    big = lfs_bytes(b"copy-source")
    api.create_commit(repo_name, operations=[
        CommitOperationAdd("model.bin", big),
        CommitOperationAdd("old.txt", b"old"),
        CommitOperationAdd("folder/x.txt", b"x"),
        CommitOperationAdd("folder/y.txt", b"y"),
    ], commit_message="first")
    info = api.create_commit(repo_name, operations=[
        CommitOperationDelete("old.txt"),
        CommitOperationDelete("folder/"),
        CommitOperationCopy("model.bin", "copies/model-copy.bin"),
        CommitOperationAdd("new.txt", b"new"),
    ], commit_message="second", commit_description="with a description")
    assert sorted(api.list_repo_files(repo_name)) == [".gitattributes", "copies/model-copy.bin", "model.bin",
                                                       "new.txt"]
    path = hf_hub_download(repo_name, "copies/model-copy.bin", cache_dir=tmp_cache)
    assert read(path) == big
    commits = api.list_repo_commits(repo_name)
    assert [c.title for c in commits[:2]] == ["second", "first"]
    assert commits[0].commit_id == info.oid
    assert commits[0].message.strip().endswith("with a description")


def test_parent_commit_mismatch_is_refused(api, repo_name):
    api.create_repo(repo_name)
    first = api.list_repo_commits(repo_name)[0].commit_id
    api.upload_file(path_or_fileobj=b"1", path_in_repo="one.txt", repo_id=repo_name)
    with pytest.raises(huggingface_hub.utils.HfHubHTTPError) as err:
        api.create_commit(repo_name, operations=[CommitOperationAdd("two.txt", b"2")], commit_message="stale",
                          parent_commit=first)
    assert err.value.response.status_code == 412
    assert "two.txt" not in api.list_repo_files(repo_name)


def test_create_pr(api, repo_name, tmp_cache):
    api.create_repo(repo_name)
    info = api.create_commit(repo_name, operations=[CommitOperationAdd("pr.txt", b"from a PR")],
                             commit_message="propose", create_pr=True)
    assert info.pr_num == 1
    assert info.pr_revision == "refs/pr/1"
    assert info.pr_url.endswith(f"/{repo_name}/discussions/1")
    assert "pr.txt" not in api.list_repo_files(repo_name)
    assert "pr.txt" in api.list_repo_files(repo_name, revision="refs/pr/1")
    refs = api.list_repo_refs(repo_name, include_pull_requests=True)
    assert [r.ref for r in refs.pull_requests] == ["refs/pr/1"]
    path = hf_hub_download(repo_name, "pr.txt", revision="refs/pr/1", cache_dir=tmp_cache)
    assert read(path) == b"from a PR"


# ----------------------------------------------------------------------------- trees


def _tree_repo(api, repo_name):
    api.create_repo(repo_name)
    api.create_commit(repo_name, operations=[
        CommitOperationAdd("README.md", b"# readme\n"),
        CommitOperationAdd("data/train.csv", b"a,b\n1,2\n"),
        CommitOperationAdd("data/nested/deep.txt", b"deep"),
        CommitOperationAdd("big.bin", lfs_bytes(b"tree")),
    ], commit_message="tree content")


def test_list_repo_tree(api, repo_name):
    _tree_repo(api, repo_name)
    top = {e.path: e for e in api.list_repo_tree(repo_name)}
    assert set(top) == {".gitattributes", "README.md", "data", "big.bin"}
    assert type(top["data"]).__name__ == "RepoFolder"
    assert top["README.md"].size == len(b"# readme\n")
    assert top["big.bin"].lfs.size == LFS_SIZE

    recursive = sorted(e.path for e in api.list_repo_tree(repo_name, recursive=True))
    assert recursive == [".gitattributes", "README.md", "big.bin", "data", "data/nested", "data/nested/deep.txt",
                         "data/train.csv"]
    sub = sorted(e.path for e in api.list_repo_tree(repo_name, path_in_repo="data"))
    assert sub == ["data/nested", "data/train.csv"]

    expanded = {e.path: e for e in api.list_repo_tree(repo_name, expand=True)}
    readme = expanded["README.md"]
    assert readme.last_commit is not None
    assert readme.last_commit.title == "tree content"
    assert len(readme.last_commit.oid) == 40

    with pytest.raises(EntryNotFoundError):
        list(api.list_repo_tree(repo_name, path_in_repo="nope"))


def test_get_paths_info(api, repo_name):
    _tree_repo(api, repo_name)
    infos = {e.path: e for e in api.get_paths_info(repo_name, ["README.md", "data", "missing.txt", "big.bin"])}
    assert set(infos) == {"README.md", "data", "big.bin"}
    assert infos["README.md"].blob_id == git_blob_sha1(b"# readme\n")
    assert infos["big.bin"].lfs.sha256 == hashlib.sha256(lfs_bytes(b"tree")).hexdigest()
    expanded = api.get_paths_info(repo_name, ["README.md"], expand=True)
    assert expanded[0].last_commit.title == "tree content"


# ----------------------------------------------------------------------------- refs


def test_branches_tags_and_revisions(api, repo_name, tmp_cache):
    api.create_repo(repo_name)
    api.upload_file(path_or_fileobj=b"v1", path_in_repo="file.txt", repo_id=repo_name)
    v1 = api.model_info(repo_name).sha
    api.create_tag(repo_name, tag="v1.0", tag_message="first release")
    api.create_branch(repo_name, branch="dev")
    api.upload_file(path_or_fileobj=b"v2", path_in_repo="file.txt", repo_id=repo_name)
    api.upload_file(path_or_fileobj=b"dev", path_in_repo="file.txt", repo_id=repo_name, revision="dev")

    refs = api.list_repo_refs(repo_name)
    branches = {b.name: b.target_commit for b in refs.branches}
    assert set(branches) == {"main", "dev"}
    assert {t.name: t.target_commit for t in refs.tags} == {"v1.0": v1}

    assert read(hf_hub_download(repo_name, "file.txt", revision="v1.0", cache_dir=tmp_cache)) == b"v1"
    assert read(hf_hub_download(repo_name, "file.txt", revision=v1, cache_dir=tmp_cache)) == b"v1"
    assert read(hf_hub_download(repo_name, "file.txt", revision="dev", cache_dir=tmp_cache)) == b"dev"
    assert read(hf_hub_download(repo_name, "file.txt", cache_dir=tmp_cache)) == b"v2"

    assert api.revision_exists(repo_name, "dev")
    assert api.revision_exists(repo_name, "v1.0")
    assert not api.revision_exists(repo_name, "nope")
    assert api.file_exists(repo_name, "file.txt")
    assert not api.file_exists(repo_name, "other.txt")
    assert api.file_exists(repo_name, "file.txt", revision="v1.0")

    with pytest.raises(huggingface_hub.utils.HfHubHTTPError) as err:
        api.create_branch(repo_name, branch="dev")
    assert err.value.response.status_code == 409
    api.create_branch(repo_name, branch="dev", exist_ok=True)
    api.create_tag(repo_name, tag="v1.0", exist_ok=True)

    api.delete_branch(repo_name, branch="dev")
    api.delete_tag(repo_name, tag="v1.0")
    refs = api.list_repo_refs(repo_name)
    assert [b.name for b in refs.branches] == ["main"]
    assert refs.tags == []
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(repo_name, "file.txt", revision="dev", cache_dir=tmp_cache, force_download=True)


def test_commits_listing_and_super_squash(api, repo_name):
    api.create_repo(repo_name)
    for i in range(3):
        api.upload_file(path_or_fileobj=f"{i}".encode(), path_in_repo=f"f{i}.txt", repo_id=repo_name,
                        commit_message=f"commit {i}")
    commits = api.list_repo_commits(repo_name)
    assert [c.title for c in commits] == ["commit 2", "commit 1", "commit 0", "initial commit"]
    assert all(USER in c.authors for c in commits[:3])
    formatted = api.list_repo_commits(repo_name, formatted=True)
    assert formatted[0].formatted_title is not None

    api.super_squash_history(repo_name, commit_message="squashed")
    commits = api.list_repo_commits(repo_name)
    assert len(commits) == 1
    assert commits[0].title == "squashed"
    assert sorted(api.list_repo_files(repo_name)) == [".gitattributes", "f0.txt", "f1.txt", "f2.txt"]


# ----------------------------------------------------------------------------- downloads


def test_snapshot_download_with_patterns(api, repo_name, tmp_cache, tmp_path):
    _tree_repo(api, repo_name)
    folder = snapshot_download(repo_name, cache_dir=tmp_cache, allow_patterns=["*.md", "data/*"],
                               ignore_patterns=["*.csv"])
    got = sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs)
    assert got == ["README.md", "data/nested/deep.txt"]
    assert read(os.path.join(folder, "README.md")) == b"# readme\n"

    full = snapshot_download(repo_name, cache_dir=tmp_cache)
    assert read(os.path.join(full, "big.bin")) == lfs_bytes(b"tree")

    local = tmp_path / "local"
    snapshot_download(repo_name, local_dir=str(local))
    assert read(local / "data" / "train.csv") == b"a,b\n1,2\n"
    assert (local / ".cache" / "huggingface" / "download").is_dir()


def test_missing_things_raise_typed_errors(api, repo_name, tmp_cache):
    api.create_repo(repo_name)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(repo_name + "-nope", "x.txt", cache_dir=tmp_cache)
    with pytest.raises(RevisionNotFoundError):
        hf_hub_download(repo_name, "x.txt", revision="nope", cache_dir=tmp_cache)
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(repo_name, "x.txt", cache_dir=tmp_cache)
    with pytest.raises(RepositoryNotFoundError):
        api.model_info(repo_name + "-nope")


def test_private_repo_invisible_without_token(api, repo_name, tmp_cache):
    api.create_repo(repo_name, private=True)
    api.upload_file(path_or_fileobj=b"secret", path_in_repo="s.txt", repo_id=repo_name)
    anonymous = huggingface_hub.HfApi(endpoint=ENDPOINT, token=False)
    with pytest.raises(RepositoryNotFoundError):
        anonymous.model_info(repo_name)
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download(repo_name, "s.txt", cache_dir=tmp_cache, token=False)
    assert not anonymous.repo_exists(repo_name)


# ----------------------------------------------------------------------------- listings


def test_list_models_search_author_limit(api, repo_name):
    for suffix in ("-alpha", "-beta", "-gamma"):
        api.create_repo(repo_name + suffix)
    found = [m.id for m in api.list_models(search=repo_name.split("/")[1])]
    assert sorted(found) == sorted(repo_name + s for s in ("-alpha", "-beta", "-gamma"))
    assert len(list(api.list_models(search=repo_name.split("/")[1], limit=2))) == 2
    by_author = [m.id for m in api.list_models(author=USER)]
    assert repo_name + "-beta" in by_author
    assert all(m.startswith(USER + "/") for m in by_author)


# ----------------------------------------------------------------------------- lifecycle


def test_move_and_delete_repo(api, repo_name):
    api.create_repo(repo_name)
    api.upload_file(path_or_fileobj=b"moved", path_in_repo="m.txt", repo_id=repo_name)
    new_name = repo_name + "-moved"
    api.move_repo(from_id=repo_name, to_id=new_name)
    assert api.list_repo_files(new_name) == [".gitattributes", "m.txt"]
    # the old name redirects to the new one
    assert api.model_info(repo_name).id == new_name

    api.delete_repo(new_name)
    assert not api.repo_exists(new_name)
    with pytest.raises(RepositoryNotFoundError):
        api.delete_repo(new_name)
    api.delete_repo(new_name, missing_ok=True)


def test_update_settings(api, repo_name):
    api.create_repo(repo_name)
    api.update_repo_settings(repo_name, private=True)
    assert api.model_info(repo_name).private is True
    api.update_repo_settings(repo_name, gated="auto")
    assert api.model_info(repo_name).gated == "auto"
    if major_version() < 1:
        api.update_repo_visibility(repo_name, private=False)
        assert api.model_info(repo_name).private is False


# ----------------------------------------------------------------------------- datasets, multipart


def test_dataset_round_trip_multipart(api, repo_name, tmp_cache):
    """A dataset repo, with an LFS file larger than the emulator's 5 MiB part size."""
    api.create_repo(repo_name, repo_type="dataset")
    big = lfs_bytes(b"dataset")
    api.upload_file(path_or_fileobj=big, path_in_repo="data/train.bin", repo_id=repo_name, repo_type="dataset")
    api.upload_file(path_or_fileobj=b"id,text\n", path_in_repo="data/meta.csv", repo_id=repo_name,
                    repo_type="dataset")
    info = api.dataset_info(repo_name, files_metadata=True)
    siblings = {s.rfilename: s for s in info.siblings}
    assert siblings["data/train.bin"].lfs.sha256 == hashlib.sha256(big).hexdigest()
    path = hf_hub_download(repo_name, "data/train.bin", repo_type="dataset", cache_dir=tmp_cache)
    assert read(path) == big
    assert "datasets--" + repo_name.replace("/", "--") in path
    folder = snapshot_download(repo_name, repo_type="dataset", cache_dir=tmp_cache, allow_patterns="*.csv")
    assert read(os.path.join(folder, "data", "meta.csv")) == b"id,text\n"


def test_pagination_over_many_commits(api, repo_name):
    """The emulator serves pages of 3: the client must follow Link headers to see all 8."""
    api.create_repo(repo_name)
    for i in range(7):
        api.upload_file(path_or_fileobj=b"%d" % i, path_in_repo="counter.txt", repo_id=repo_name,
                        commit_message=f"count {i}")
    commits = api.list_repo_commits(repo_name)
    assert len(commits) == 8
    assert len({c.commit_id for c in commits}) == 8
    tree = list(api.list_repo_tree(repo_name))
    assert sorted(e.path for e in tree) == [".gitattributes", "counter.txt"]


# ----------------------------------------------------------------------------- gated repos, CDN auth


def test_gated_repo_refuses_until_access_is_granted(api, repo_name, tmp_cache):
    from conftest import control
    from huggingface_hub.utils import GatedRepoError

    bob_token = "hf_interop_bob_read_" + repo_name.split("-")[-1]
    control("POST", "users", {"name": "bob-" + repo_name.split("-")[-1], "token": bob_token, "role": "read"})
    api.create_repo(repo_name)
    api.upload_file(path_or_fileobj=b"weights", path_in_repo="w.txt", repo_id=repo_name)
    api.update_repo_settings(repo_name, gated="manual")

    with pytest.raises(GatedRepoError):
        hf_hub_download(repo_name, "w.txt", cache_dir=tmp_cache, token=bob_token)
    control("POST", "grant", {"repo_id": repo_name, "user": "bob-" + repo_name.split("-")[-1]})
    path = hf_hub_download(repo_name, "w.txt", cache_dir=tmp_cache, token=bob_token, force_download=True)
    assert read(path) == b"weights"


def test_lfs_download_reaches_the_cdn_without_authorization(api, repo_name, tmp_cache):
    from conftest import control

    api.create_repo(repo_name)
    big = lfs_bytes(b"cdn")
    api.upload_file(path_or_fileobj=big, path_in_repo="big.bin", repo_id=repo_name)
    control("DELETE", "requests")
    assert read(hf_hub_download(repo_name, "big.bin", cache_dir=tmp_cache)) == big
    log = control("GET", "requests")
    cdn = [r for r in log if r["listener"] == "cdn"]
    main = [r for r in log if r["listener"] == "main" and "/resolve/" in r["path"]]
    assert cdn, "the LFS body must come from the CDN listener"
    assert main, "the resolve request must reach the Hub"
    assert all("authorization" not in {k.lower() for k in r["headers"]} for r in cdn)
    assert any("authorization" in {k.lower() for k in r["headers"]} for r in main)


def test_inference_endpoints_lifecycle(api, endpoint, monkeypatch):
    """The emulator's Inference Endpoints service (the real one is a fixed external host,
    so the client's constant is pointed at the emulator's `/v2`)."""
    from huggingface_hub import constants
    from huggingface_hub.utils import HfHubHTTPError

    monkeypatch.setattr(constants, "INFERENCE_ENDPOINTS_ENDPOINT", f"{endpoint}/v2")
    name = f"ep-{uuid.uuid4().hex[:8]}"
    ep = api.create_inference_endpoint(
        name,
        repository="alice/some-model",
        framework="pytorch",
        accelerator="gpu",
        instance_size="x1",
        instance_type="nvidia-a10g",
        region="us-east-1",
        vendor="aws",
        task="text-generation",
    )
    assert ep.name == name and ep.namespace == USER
    assert ep.repository == "alice/some-model" and ep.framework == "pytorch"
    assert ep.status == "running" and ep.url
    assert name in [e.name for e in api.list_inference_endpoints()]
    assert api.get_inference_endpoint(name).task == "text-generation"
    ep = api.update_inference_endpoint(name, max_replica=3)
    assert ep.raw["compute"]["scaling"]["maxReplica"] == 3
    assert ep.raw["compute"]["instanceType"] == "nvidia-a10g"
    assert api.pause_inference_endpoint(name).status == "paused"
    assert api.resume_inference_endpoint(name).status == "running"
    # Already running: accepted by default (the 400 names it).
    assert api.resume_inference_endpoint(name).status == "running"
    assert api.scale_to_zero_inference_endpoint(name).status == "scaledToZero"
    api.delete_inference_endpoint(name)
    with pytest.raises(HfHubHTTPError) as err:
        api.get_inference_endpoint(name)
    assert err.value.response.status_code == 404
