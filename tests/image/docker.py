"""What the image tests share: the docker CLI, the images under test, probes, and the figures they report."""

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

REPO = Path(__file__).resolve().parents[2]
# The tags `make image` builds (docker-compose.yml names the same); another tag tests another build.
IMAGE = os.environ.get("BOTBRIDGE_IMAGE", "botbridge:local")
SANDBOX_IMAGE = os.environ.get("BOTBRIDGE_SANDBOX_IMAGE", "botbridge-sandbox:local")
# Each test's containers carry this label, so that a run cleans up what an interrupted run left behind.
LABEL = "io.botbridge.image-test=1"
# Settings of a real Dimelo account that docker-compose.yml reads from the environment.
ACCOUNT_SETTINGS = ("DIMELO_API_URL", "DIMELO_ACCESS_TOKEN", "AGENT_CATEGORY_IDS", "BOT_CATEGORY_IDS", "BOT_SOURCE_IDS")
# What the tests measured, printed at the end of the run (conftest.py).
REPORT: list[str] = []


def docker(*args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    """Runs the docker CLI; with `check`, a failure raises with docker's own message."""
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed ({result.returncode}):\n{result.stderr}{result.stdout}")
    return result


def compose(project: str, *args: str, env: dict[str, str]) -> str:
    """docker-compose on the repository's own compose file, under `project`; fails with its message. Its output."""
    command = ["docker-compose", "--project-name", project, "--file", str(REPO / "docker-compose.yml"), *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=REPO)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr}{result.stdout}"
    return result.stdout


def compose_env(**settings: str) -> dict[str, str]:
    """The environment compose runs with: the caller's, without the account settings the demo must not take from
    it (so the sandbox's defaults apply), plus `settings`."""
    env = {k: v for k, v in os.environ.items() if k not in ACCOUNT_SETTINGS}
    return {**env, **settings}


def logs(container: str) -> str:
    result = docker("logs", "--tail", "30", container, check=False)
    return result.stdout + result.stderr


def remove_labelled_containers() -> None:
    """Removes every container an image test started (running or not)."""
    ids = docker("ps", "--all", "--quiet", "--filter", f"label={LABEL}").stdout.split()
    if ids:
        docker("rm", "--force", "--volumes", *ids)


def grpc_serving(address: str) -> Callable[[], bool]:
    """A probe: does the gRPC health service at `address` answer SERVING (overall status)?"""

    def probe() -> bool:
        with grpc.insecure_channel(address) as channel:
            try:
                reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=1)
            except grpc.RpcError:
                return False
        return reply.status == health_pb2.HealthCheckResponse.SERVING

    return probe


def http_ok(url: str) -> Callable[[], bool]:
    """A probe: does `url` answer 200?"""

    def probe() -> bool:
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    return probe


def wait_until(probe: Callable[[], bool], what: str, timeout: float, container: str) -> None:
    """Polls `probe` every 10 ms; on `timeout` (a guard against hanging, not a speed check) fails with the logs."""
    deadline = time.monotonic() + timeout
    while not probe():
        state = docker("inspect", "--format", "{{.State.Status}}", container, check=False).stdout.strip()
        if state not in ("created", "running"):
            raise AssertionError(f"{what}: container {container} is {state or 'gone'}:\n{logs(container)}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not ready after {timeout} s:\n{logs(container)}")
        time.sleep(0.01)
