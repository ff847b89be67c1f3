"""The demo conversation through the containers, brought up by docker-compose from docker-compose.yml itself: the
images `make image` built, on the compose file's own network, with its healthchecks and start order. In: a
customer question and a request for a human, played on the sandbox container's control API. Out: the bot's answer
and the handover in the sandbox's transcripts, every container healthy, and each deployed service running as
its Kubernetes manifest declares (user, read-only root, no capabilities, writable only where mounted)."""

import json
import secrets
import time
from collections.abc import Iterator

import pytest

from devstack.demo import HUMAN_PLEASE, QUESTION, play
from devstack.sandbox_client import SandboxClient
from orchestrator.settings import Settings

from .docker import compose, compose_env, docker, logs
from .manifests import DEPLOYED, promise

pytestmark = pytest.mark.image

PROJECT = "botbridge-image-test"
SANDBOX_URL = "http://127.0.0.1:8700"  # the port docker-compose.yml publishes on loopback
SERVICES = (*DEPLOYED, "dimelo-sandbox")


def health(container: str) -> str:
    """Docker's healthcheck verdict for a running container (starting, healthy, unhealthy), else its state."""
    state = json.loads(docker("inspect", "--format", "{{json .State}}", container).stdout)
    return state.get("Health", {}).get("Status", "none") if state["Status"] == "running" else state["Status"]


def wait_healthy(container: str, timeout: float = 180) -> None:
    """Waits for the compose file's own healthcheck (run by the engine every 10 s) to report healthy."""
    deadline = time.monotonic() + timeout
    while (status := health(container)) != "healthy":
        assert status == "starting", f"{container} is {status}:\n{logs(container)}"
        assert time.monotonic() < deadline, f"{container} still starting after {timeout} s:\n{logs(container)}"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def stack() -> Iterator[dict[str, str]]:
    """The compose demo, up and healthy: its containers' names by service. Taken down, volumes too, afterwards."""
    env = compose_env(GATEWAY_VERIFY_TOKEN=secrets.token_hex(16), GATEWAY_WEBHOOK_SECRET=secrets.token_hex(16))
    compose(PROJECT, "down", "--volumes", "--remove-orphans", env=env)  # whatever an interrupted run left
    try:
        # --no-build: the images `make image` built from the same Dockerfile, under the tags the compose file names.
        # Compose starts each service once those it depends on are healthy; the sandbox comes last.
        compose(PROJECT, "up", "--detach", "--no-build", env=env)
        names = {service: f"{PROJECT}_{service}_1" for service in SERVICES}
        for name in names.values():
            wait_healthy(name)
        yield names
    finally:
        compose(PROJECT, "down", "--volumes", "--remove-orphans", env=env)


def test_the_demo_is_answered_and_handed_over_through_the_containers(stack: dict[str, str]) -> None:
    """In: the demo's question and its request for a human, written as customers on the sandbox container. Out:
    the sandbox's transcripts hold the bot's answer to the first, and the second thread moved to the agents'
    categories with the handover message and the bot's intervention closed: every hop (sandbox → gateway →
    orchestrator → AI and adapter → sandbox) crossed the containers' network."""
    sandbox = SandboxClient(SANDBOX_URL)
    try:
        answered, handed_over = play(sandbox)
        world = sandbox.world()
    finally:
        sandbox.close()
    by_author = [(c["author_kind"], c["body"]) for c in answered["contents"] if c["author_kind"] != "company"]
    assert by_author[0] == ("customer", QUESTION) and by_author[1][0] == "bot", answered  # the welcome left out
    assert "30 days" in by_author[1][1]  # the FAQ's answer on returns (ai_service's default FAQ)
    by_author = [(c["author_kind"], c["body"]) for c in handed_over["contents"] if c["author_kind"] != "company"]
    assert by_author == [("customer", HUMAN_PLEASE), ("bot", Settings.model_fields["handover_message"].default)]
    assert set(world["agent_category_ids"]) <= set(handed_over["thread"]["thread_category_ids"])
    assert [i["closed"] for i in handed_over["interventions"]] == [True]  # the bot's, closed on the handover


def test_every_container_reports_healthy(stack: dict[str, str]) -> None:
    """In: each container of the demo after the conversation. Out: the compose healthcheck says healthy."""
    assert {service: health(name) for service, name in stack.items()} == dict.fromkeys(stack, "healthy")


@pytest.mark.parametrize("service", DEPLOYED)
def test_each_service_runs_as_its_kubernetes_manifest_declares(stack: dict[str, str], service: str) -> None:
    """In: the running container and deploy/base/<service>.yaml. Out: the process runs as the manifest's user and
    group, the root filesystem is read-only and every capability dropped as declared, and the container can write
    exactly where the manifest mounts a volume (and nowhere else it tried)."""
    declared = promise(service)
    name = stack[service]
    config = json.loads(docker("inspect", name).stdout)[0]
    assert docker("exec", name, "id", "-u").stdout.strip() == str(declared.user)
    assert docker("exec", name, "id", "-g").stdout.strip() == str(declared.group)
    assert config["HostConfig"]["ReadonlyRootfs"] is declared.read_only_root is True
    assert tuple(config["HostConfig"]["CapDrop"]) == declared.dropped_capabilities == ("ALL",)
    mounted = {m["Destination"] for m in config["Mounts"]} | set(config["HostConfig"].get("Tmpfs") or {})
    assert mounted == declared.writable_paths
    for path in ("/", "/app", "/opt/venv", *sorted(declared.writable_paths)):
        writable = docker("exec", name, "sh", "-c", f"touch {path}/.probe && rm {path}/.probe", check=False)
        assert (writable.returncode == 0) == (path in declared.writable_paths), (path, writable.stderr)
    status = docker("exec", name, "grep", "^CapEff:", "/proc/1/status").stdout.split()[1]
    assert int(status, 16) == 0, f"effective capabilities {status}"
