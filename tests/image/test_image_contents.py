"""What the services' image holds, read from the image itself: its user, its size, and no test tools, build
tools, project files it does not run, or secrets. In: the image `make image` built. Out: each promise below."""

import json

import pytest

from .docker import IMAGE, REPORT, docker
from .manifests import promise

pytestmark = pytest.mark.image

# How the tests run a container of the image: as its user, read-only, no network, no capabilities.
HARDENED = ("--read-only", "--network", "none", "--cap-drop", "ALL")
SIZE_BUDGET_MB = 350  # Debian bookworm with Python (about 170 MB) plus the venv; growth past this is a regression
SERVICE_UID = 10001  # the Kubernetes manifests' runAsUser and runAsGroup (test_compose_demo checks them there)
RUN_TIME_TREE = {"botbridge", "service_kit", "gateway", "orchestrator", "dimelo_adapter", "ai_service"}
BUILD_AND_TEST_MODULES = ["pip", "setuptools", "wheel", "grpc_tools", "pytest", "_pytest", "pytest_asyncio"]
BUILD_AND_TEST_PROGRAMS = ["pip", "pip3", "gcc", "cc", "c++", "make", "protoc", "git", "pytest"]
# Names of files that hold secrets or local state; none may be in the image.
# (Certificates, public, are allowed; a private key is found by its header below.)
SECRET_FILE_PATTERNS = ["*.env", ".env*", "*.key", "id_rsa*", "id_ed25519*", "*.sqlite3", ".netrc", ".pypirc", ".git"]


def run_python(code: str) -> object:
    """Runs `code` in the image (as its user, read-only, no network) and returns what it prints as JSON."""
    result = docker("run", "--rm", *HARDENED, "--entrypoint", "python", IMAGE, "-c", code)
    return json.loads(result.stdout)


def test_the_image_runs_as_the_non_root_user_of_the_manifests() -> None:
    """In: the image's configuration and `id` in a container. Out: USER 10001:10001, the process is not root."""
    assert json.loads(docker("image", "inspect", "--format", "{{json .Config.User}}", IMAGE).stdout) == "10001:10001"
    uid, gid = run_python("import os, json; print(json.dumps([os.getuid(), os.getgid()]))")
    assert uid == gid == SERVICE_UID


def test_the_image_reports_its_size_within_budget() -> None:
    """In: the image. Out: its size, printed in the run's summary, under the budget."""
    size_mb = int(docker("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout) / 1e6
    REPORT.append(f"image {IMAGE}: {size_mb:.0f} MB (budget {SIZE_BUDGET_MB} MB)")
    assert size_mb < SIZE_BUDGET_MB


def test_no_build_or_test_tool_is_in_the_image() -> None:
    """In: the image's Python and PATH. Out: none of pip, setuptools, wheel, grpcio-tools, pytest imports, and
    no installer, compiler, protoc or git is on the PATH."""
    found = run_python(
        "import importlib.util, json, shutil;"
        f"print(json.dumps([m for m in {BUILD_AND_TEST_MODULES!r} if importlib.util.find_spec(m)]"
        f" + [p for p in {BUILD_AND_TEST_PROGRAMS!r} if shutil.which(p)]))"
    )
    assert found == []


def test_the_gateway_manifests_pre_stop_command_runs_in_the_image() -> None:
    """In: the gateway Deployment's preStop command (deploy/base/gateway.yaml), run in the image as its user, read-only.
    Out: it exits 0 (a program missing from the image would fail the hook, and the pod would stop without its wait)."""
    program, *arguments = promise("gateway").pre_stop
    docker("run", "--rm", *HARDENED, "--entrypoint", program, IMAGE, *arguments)


def test_the_app_tree_holds_only_what_the_services_run() -> None:
    """In: /app. Out: the services' packages and the generated stubs; no tests, devstack, sandbox or conformance
    kit (the sandbox has its own image)."""
    assert set(run_python("import json, os; print(json.dumps(os.listdir('/app')))")) == RUN_TIME_TREE


def test_no_secret_is_in_the_image() -> None:
    """In: the image's environment and its whole filesystem. Out: no variable names a token, secret, password or
    key; no file looks like a secret, a key or local state (.env, keys, databases, .git); no private key's
    header in our application tree or its dependencies."""
    env = json.loads(docker("image", "inspect", "--format", "{{json .Config.Env}}", IMAGE).stdout)
    names = [entry.split("=", 1)[0] for entry in env]
    assert not [n for n in names if any(word in n for word in ("TOKEN", "SECRET", "PASSWORD", "KEY", "DATABASE"))]
    found = run_python(
        "import fnmatch, json, os;"
        "skip = ('/proc', '/sys', '/dev');"
        f"patterns = {SECRET_FILE_PATTERNS!r};"
        "names = [os.path.join(d, n) for d, dirs, files in os.walk('/') if not d.startswith(skip)"
        " for n in dirs + files if any(fnmatch.fnmatch(n, p) for p in patterns)];"
        "keys = [os.path.join(d, n) for top in ('/app', '/opt/venv') for d, _, files in os.walk(top) for n in files"
        " if b'PRIVATE KEY-----' in open(os.path.join(d, n), 'rb').read()];"
        "print(json.dumps(names + keys))"
    )
    assert found == []
