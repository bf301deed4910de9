"""Python half of the hf-cache interop tests (see interop.rs).

Modes:
  scan CACHE QUERIES_JSON     print scan_cache_dir + try_to_load_from_cache results as JSON
  write CACHE LOCAL_DIR       lay out a cache and a local_dir with the client's own helpers
  read-local LOCAL_DIR PATH   print read_download_metadata as JSON
  lock PATH                   hold the client's FileLock on PATH until stdin closes
"""

import json
import os
import sys
from pathlib import Path

from huggingface_hub import scan_cache_dir, try_to_load_from_cache
from huggingface_hub._local_folder import read_download_metadata, write_download_metadata
from huggingface_hub.file_download import (
    _CACHED_NO_EXIST,
    _cache_commit_hash_for_specific_revision,
    _create_symlink,
    _get_pointer_path,
    repo_folder_name,
)
from huggingface_hub.utils import WeakFileLock


def scan(cache, queries):
    info = scan_cache_dir(cache)
    repos = []
    for repo in sorted(info.repos, key=lambda r: str(r.repo_path)):
        revisions = []
        for rev in sorted(repo.revisions, key=lambda r: r.commit_hash):
            files = sorted(
                [f.file_path.relative_to(rev.snapshot_path).as_posix(), str(f.blob_path), f.size_on_disk]
                for f in rev.files
            )
            revisions.append(
                {
                    "commit_hash": rev.commit_hash,
                    "size_on_disk": rev.size_on_disk,
                    "nb_files": rev.nb_files,
                    "refs": sorted(rev.refs),
                    "last_modified": rev.last_modified,
                    "files": files,
                }
            )
        repos.append(
            {
                "repo_id": repo.repo_id,
                "repo_type": repo.repo_type,
                "repo_path": str(repo.repo_path),
                "size_on_disk": repo.size_on_disk,
                "nb_files": repo.nb_files,
                "last_accessed": repo.last_accessed,
                "last_modified": repo.last_modified,
                "revisions": revisions,
            }
        )
    lookups = []
    for repo_type, repo_id, filename, revision in queries:
        found = try_to_load_from_cache(repo_id, filename, cache_dir=cache, revision=revision, repo_type=repo_type)
        lookups.append("NO_EXIST" if found is _CACHED_NO_EXIST else found)
    return {
        "size_on_disk": info.size_on_disk,
        "repos": repos,
        "warnings": sorted(str(w) for w in info.warnings),
        "lookups": lookups,
    }


def put(cache, repo_type, repo_id, revision, commit, filename, etag, content):
    """The cache writes of `_hf_hub_download_to_cache_dir`, minus the HTTP."""
    storage = os.path.join(cache, repo_folder_name(repo_id=repo_id, repo_type=repo_type))
    blob = os.path.join(storage, "blobs", etag)
    pointer = _get_pointer_path(storage, commit, os.path.join(*filename.split("/")))
    os.makedirs(os.path.dirname(blob), exist_ok=True)
    os.makedirs(os.path.dirname(pointer), exist_ok=True)
    _cache_commit_hash_for_specific_revision(storage, revision, commit)
    if os.path.exists(pointer):
        return
    if os.path.exists(blob):
        _create_symlink(blob, pointer, new_blob=False)
        return
    lock = os.path.join(cache, ".locks", repo_folder_name(repo_id=repo_id, repo_type=repo_type), f"{etag}.lock")
    Path(lock).parent.mkdir(parents=True, exist_ok=True)
    with WeakFileLock(lock):
        with open(blob + ".incomplete", "ab") as f:
            f.write(content)
        os.replace(blob + ".incomplete", blob)
        _create_symlink(blob, pointer, new_blob=True)


def no_exist(cache, repo_type, repo_id, commit, filename):
    storage = os.path.join(cache, repo_folder_name(repo_id=repo_id, repo_type=repo_type))
    marker = Path(storage) / ".no_exist" / commit / filename
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()


def write(cache, local_dir):
    # Same commits as `commit(n)` in main.rs.
    c1, c2, c3 = (f"{n:02x}" * 20 for n in (1, 2, 3))
    put(cache, "model", "gpt2", "main", c1, "config.json", "e-cfg1", b"a" * 10)
    put(cache, "model", "gpt2", "main", c1, "model.bin", "e-model", b"m" * 100)
    put(cache, "model", "gpt2", "refs/pr/1", c2, "config.json", "e-cfg2", b"b" * 12)
    put(cache, "model", "gpt2", "refs/pr/1", c2, "model.bin", "e-model", b"m" * 100)
    put(cache, "dataset", "org/ds", "v1.0", c3, "data/train/part.csv", "e-csv", b"c" * 50)
    no_exist(cache, "model", "gpt2", c1, "missing.json")
    Path(local_dir, "sub").mkdir(parents=True, exist_ok=True)
    Path(local_dir, "sub", "f.txt").write_bytes(b"hello")
    write_download_metadata(local_dir=Path(local_dir), filename="sub/f.txt", commit_hash=c1, etag="e-local")


def main():
    mode = sys.argv[1]
    if mode == "scan":
        print(json.dumps(scan(sys.argv[2], json.loads(sys.argv[3]))))
    elif mode == "write":
        write(sys.argv[2], sys.argv[3])
    elif mode == "read-local":
        m = read_download_metadata(Path(sys.argv[2]), sys.argv[3])
        print(json.dumps(None if m is None else [m.commit_hash, m.etag, repr(m.timestamp)]))
    elif mode == "lock":
        with WeakFileLock(sys.argv[2]):
            print("LOCKED", flush=True)
            sys.stdin.read()
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
