"""Each service of the image started alone by `docker run`, as its Kubernetes manifest runs it: the user and
group it declares, a read-only root, every capability dropped, no new privileges, writable /tmp (and /data for the
orchestrator) only. Command and settings come from docker-compose.yml (`docker-compose config`), with the
addresses moved to free ports on the host network. In: `docker run` of each service, its peers already up. Out:
each one ready (gRPC health SERVING, the gateway's /readyz 200) and still running; a service that cannot start
fails with its container's log. The time from `docker run` to ready is measured and printed against the 2 s
target, not asserted (speed is measured, not tested: a shared machine's load would make it flaky)."""

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest
import yaml

from devstack.processes import free_port

from .docker import (
    IMAGE,
    LABEL,
    REPORT,
    SANDBOX_IMAGE,
    compose,
    compose_env,
    docker,
    grpc_serving,
    http_ok,
    remove_labelled_containers,
    wait_until,
)
from .manifests import promise

pytestmark = pytest.mark.image

ORCHESTRATOR_VOLUME = "botbridge-image-test-orchestrator"  # its /data, as the manifest's PersistentVolumeClaim
READY_TARGET_SECONDS = 2.0  # from `docker run` to ready (issue #15), printed as met or not


@dataclass
class Started:
    """One service's container and how long it took to be ready."""

    container: str
    from_docker_run: float
    from_process_start: float


def start(service: str, spec: dict, image: str, settings: dict[str, str], probe: Callable[[], bool]) -> Started:
    """`docker run` of one compose service's command and environment (plus `settings`), hardened as its manifest
    declares; returns once `probe` answers, with the time since `docker run` and since the container's start."""
    if service == "dimelo-sandbox":
        user, writable = "10001:10001", {"/tmp"}
    else:
        declared = promise(service)
        user, writable = f"{declared.user}:{declared.group}", set(declared.writable_paths)
    volumes = []
    for path in sorted(writable):
        volumes += ["--tmpfs", path] if path == "/tmp" else ["--volume", f"{ORCHESTRATOR_VOLUME}:{path}"]
    environment = [f"--env={key}={value}" for key, value in {**spec["environment"], **settings}.items()]
    name = f"botbridge-image-test-{service}-{secrets.token_hex(3)}"
    started = time.monotonic()
    docker(
        "run",
        "--detach",
        "--name",
        name,
        "--label",
        LABEL,
        "--network",
        "host",
        "--user",
        user,
        "--read-only",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        *volumes,
        *environment,
        image,
        *spec["command"],
    )
    wait_until(probe, service, timeout=60, container=name)
    ready_at, from_docker_run = time.time(), time.monotonic() - started
    started_at = docker("inspect", "--format", "{{.State.StartedAt}}", name).stdout.strip()
    seconds, _, fraction = started_at.rstrip("Z").partition(".")  # RFC 3339 in UTC, up to nanoseconds
    process_start = datetime.fromisoformat(f"{seconds}.{fraction[:6]:0<6}+00:00").timestamp()
    return Started(name, from_docker_run, ready_at - process_start)


@pytest.fixture(scope="module")
def started() -> Iterator[dict[str, Started]]:
    """The four services and the sandbox, each started once its peers are ready; removed afterwards."""
    remove_labelled_containers()  # and the volume, whatever an interrupted run left
    docker("volume", "rm", "--force", ORCHESTRATOR_VOLUME, check=False)
    specs = yaml.safe_load(
        compose("botbridge-image-test", "config", env=compose_env(GATEWAY_VERIFY_TOKEN="x", GATEWAY_WEBHOOK_SECRET="x"))
    )
    specs = specs["services"]
    port = {service: free_port() for service in specs}
    addr = {service: f"127.0.0.1:{port[service]}" for service in port}
    token, secret = secrets.token_hex(8), secrets.token_hex(8)
    plan = [
        ("ai-service", IMAGE, {"AI_LISTEN_ADDR": addr["ai-service"], "METRICS_PORT": "0"}),
        (
            "dimelo-adapter",
            IMAGE,
            {
                "ADAPTER_LISTEN_ADDR": addr["dimelo-adapter"],
                "METRICS_PORT": "0",
                "DIMELO_API_URL": f"http://{addr['dimelo-sandbox']}",
            },
        ),
        (
            "orchestrator",
            IMAGE,
            {
                "ORCHESTRATOR_LISTEN_ADDR": addr["orchestrator"],
                "METRICS_PORT": "0",
                "AI_ADDR": addr["ai-service"],
                "DIMELO_ADAPTER_ADDR": addr["dimelo-adapter"],
            },
        ),
        (
            "gateway",
            IMAGE,
            {
                "GATEWAY_HOST": "127.0.0.1",
                "GATEWAY_PORT": str(port["gateway"]),
                "GATEWAY_VERIFY_TOKEN": token,
                "GATEWAY_WEBHOOK_SECRET": secret,
                "ORCHESTRATOR_ADDR": addr["orchestrator"],
            },
        ),
        (
            "dimelo-sandbox",
            SANDBOX_IMAGE,
            {
                "SANDBOX_HOST": "127.0.0.1",
                "SANDBOX_PORT": str(port["dimelo-sandbox"]),
                "SANDBOX_VERIFY_TOKEN": token,
                "SANDBOX_WEBHOOK_SECRET": secret,
                "SANDBOX_WEBHOOK_URL": f"http://{addr['gateway']}/dimelo/webhook",
            },
        ),
    ]
    probes = {
        "gateway": http_ok(f"http://{addr['gateway']}/readyz"),
        "dimelo-sandbox": http_ok(f"http://{addr['dimelo-sandbox']}/_sandbox/world"),
    }
    result: dict[str, Started] = {}
    try:
        for service, image, settings in plan:
            probe = probes.get(service) or grpc_serving(addr[service])
            result[service] = start(service, specs[service], image, settings, probe)
        REPORT.append(f"ready after `docker run` (after the container's start), target < {READY_TARGET_SECONDS:.0f} s:")
        for service, figures in result.items():
            verdict = "met" if figures.from_docker_run < READY_TARGET_SECONDS else "NOT met"
            REPORT.append(
                f"  {service:15} {figures.from_docker_run:5.2f} s ({figures.from_process_start:4.2f} s)  {verdict}"
            )
        yield result
    finally:
        remove_labelled_containers()
        docker("volume", "rm", "--force", ORCHESTRATOR_VOLUME, check=False)


@pytest.mark.parametrize("service", ["gateway", "orchestrator", "dimelo-adapter", "ai-service"])
def test_each_service_starts_from_the_image_hardened_as_deployed(started: dict[str, Started], service: str) -> None:
    """In: the service's `docker run`, hardened as its manifest declares. Out: it became ready (the fixture waited
    for it) and its container is still running after all five started."""
    state = docker("inspect", "--format", "{{.State.Status}}", started[service].container).stdout.strip()
    assert state == "running"
