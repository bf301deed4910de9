"""Shared fixtures of the interop suite: one hf-testhub process per test session.

The emulator is started before `huggingface_hub` is imported, because the client reads
HF_ENDPOINT and friends at import time.
"""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

import pytest

TOKEN = "hf_interop_alice_write_token"
USER = "alice"

_workdir = tempfile.mkdtemp(prefix="hf-interop-")
_bin = os.environ.get("HF_TESTHUB_BIN")
if not _bin:
    sys.exit("HF_TESTHUB_BIN must name the hf-testhub binary (cargo xtask interop sets it)")

_proc = subprocess.Popen(
    [_bin, "serve", "--data", os.path.join(_workdir, "hub"), "--port", "0", "--user", USER, "--token", TOKEN,
     # small pages so every listing paginates; 5 MiB parts so LFS files upload in multipart
     "--page-size", "3", "--chunk-size", str(5 * 1024 * 1024)],
    stdout=subprocess.PIPE,
    stderr=sys.stderr,
    text=True,
)
_line = _proc.stdout.readline().strip()
if not _line.startswith("listening on "):
    _proc.kill()
    sys.exit(f"hf-testhub did not start: {_line!r}")
ENDPOINT = _line.removeprefix("listening on ").strip()


def _stop():
    _proc.terminate()
    try:
        _proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        _proc.kill()
    shutil.rmtree(_workdir, ignore_errors=True)


atexit.register(_stop)

os.environ["HF_ENDPOINT"] = ENDPOINT
os.environ["HF_TOKEN"] = TOKEN
os.environ["HF_HOME"] = os.path.join(_workdir, "hf-home")
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["HF_HUB_DISABLE_XET"] = "1"
os.environ.pop("HF_HUB_OFFLINE", None)

import huggingface_hub  # noqa: E402  (must come after the environment is set)


@pytest.fixture(scope="session")
def api():
    return huggingface_hub.HfApi(endpoint=ENDPOINT, token=TOKEN)


@pytest.fixture(scope="session")
def endpoint():
    return ENDPOINT


@pytest.fixture()
def repo_name():
    """A fresh repo id in alice's namespace."""
    return f"{USER}/interop-{uuid.uuid4().hex[:10]}"


@pytest.fixture()
def tmp_cache(tmp_path):
    return str(tmp_path / "cache")


def major_version():
    return int(huggingface_hub.__version__.split(".")[0])


def control(method, what, body=None):
    """Calls the emulator's `/_testhub/` control API (users, grants, faults, request log)."""
    import json
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{ENDPOINT}/_testhub/{what}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as resp:
        text = resp.read()
    return json.loads(text) if text else None
