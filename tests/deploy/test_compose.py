"""docker-compose.yml: valid for the compose specification and for docker-compose, a required setting fails with
its message, healthchecks gate the start order, the token reaches the adapter only, and the demo's category ids
are those of the sandbox's seeded default world."""

import os
import re
import shutil

import httpx
import pytest
import yaml

from orchestrator.intake_filter import WEBHOOK_EVENTS

from .tooling import REPO, deploy_tool, run

COMPOSE_FILE = REPO / "docker-compose.yml"
# Each setting without a default, with the start of its message.
REQUIRED = {
    "GATEWAY_VERIFY_TOKEN": "set GATEWAY_VERIFY_TOKEN to a random string",
    "GATEWAY_WEBHOOK_SECRET": "set GATEWAY_WEBHOOK_SECRET to a random string",
}
# Every variable the file reads from the caller's environment, cleared so the host's own cannot leak into a check.
CALLER_VARIABLES = sorted(set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text())))
GRPC_PORTS = {"orchestrator": 50051, "ai-service": 50052, "dimelo-adapter": 50053}
HARDENED = {"gateway", "orchestrator", "dimelo-adapter", "ai-service", "dimelo-sandbox"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def compose_env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CALLER_VARIABLES and not k.startswith("COMPOSE_")}
    return {**env, **values}


def docker_compose() -> str:
    """Debian's docker-compose; skipped where tools/deploy_tools.sh could not install it (it needs root and apt)."""
    path = shutil.which("docker-compose")
    if path is None:
        pytest.skip("docker-compose is not installed (tools/deploy_tools.sh installs it with apt when run as root)")
    return path


def test_the_file_validates_against_the_compose_specification() -> None:
    """In: docker-compose.yml. Out: check-jsonschema passes with the compose-spec schema it bundles."""
    result = run([deploy_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("profile", [None, "postgres"])
def test_docker_compose_accepts_the_file_once_the_required_setting_is_given(profile: str | None) -> None:
    """In: the verify token and webhook secret set, with and without the postgres profile. Out: `docker-compose
    config -q` passes."""
    profiles = ["--profile", profile] if profile else []
    command = [docker_compose(), "--file", str(COMPOSE_FILE), *profiles, "config", "-q"]
    result = run(command, env=compose_env(**dict.fromkeys(REQUIRED, "a-random-string")))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_a_missing_required_setting_stops_compose_with_its_message(missing: str) -> None:
    """In: one required setting missing. Out: docker-compose refuses, naming the variable and what it is for."""
    given = {name: "a-random-string" for name in REQUIRED if name != missing}
    result = run([docker_compose(), "--file", str(COMPOSE_FILE), "config", "-q"], env=compose_env(**given))
    assert result.returncode != 0
    assert REQUIRED[missing] in result.stderr


def test_required_settings_use_the_failing_form(compose: dict) -> None:
    """In: the gateway's and sandbox's verify token and webhook secret. Out: each reads ${VARIABLE:?message}."""
    services = compose["services"]
    for name in REQUIRED:
        pattern = re.compile(rf"^\$\{{{name}:\?.+\}}$")
        assert pattern.match(services["gateway"]["environment"][name])
        assert pattern.match(services["dimelo-sandbox"]["environment"][name.replace("GATEWAY_", "SANDBOX_")])


def test_every_service_has_a_healthcheck_and_waits_for_healthy_dependencies(compose: dict) -> None:
    """In: each service. Out: a healthcheck; gRPC services probe their own port with botbridge-healthcheck; every
    dependency is awaited with condition service_healthy."""
    for name, service in compose["services"].items():
        test = service["healthcheck"]["test"]
        assert test[0] == "CMD", name
        if name in GRPC_PORTS:
            assert test[1:] == ["botbridge-healthcheck", "grpc", f"localhost:{GRPC_PORTS[name]}"], name
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition == {"condition": "service_healthy"}, (name, dependency)


def test_the_start_order_puts_the_sandbox_after_the_gateway(compose: dict) -> None:
    """In: depends_on. Out: adapter and AI first, then orchestrator, gateway, and the sandbox, which subscribes its
    webhook to the gateway at start-up."""
    services = compose["services"]
    assert set(services["orchestrator"]["depends_on"]) == {"ai-service", "dimelo-adapter"}
    assert set(services["gateway"]["depends_on"]) == {"orchestrator"}
    assert set(services["dimelo-sandbox"]["depends_on"]) == {"gateway"}
    assert services["dimelo-sandbox"]["environment"]["SANDBOX_WEBHOOK_URL"] == "http://gateway:8080/dimelo/webhook"


def test_the_sandbox_registers_the_events_the_bridge_uses(compose: dict) -> None:
    """In: the sandbox's SANDBOX_WEBHOOK_EVENTS. Out: exactly orchestrator/intake_filter.py's WEBHOOK_EVENTS, so the
    compose stack gets the deliveries a real webhook registered as the README says would get, no more."""
    registered = compose["services"]["dimelo-sandbox"]["environment"]["SANDBOX_WEBHOOK_EVENTS"]
    assert registered.split(",") == list(WEBHOOK_EVENTS)


def test_the_dimelo_token_is_in_the_adapters_environment_only(compose: dict) -> None:
    """In: every service's environment. Out: DIMELO_ACCESS_TOKEN is set for the adapter and no other service."""
    services = compose["services"]
    holders = [name for name, service in services.items() if "DIMELO_ACCESS_TOKEN" in yaml.safe_dump(service)]
    assert holders == ["dimelo-adapter"]


def test_services_run_hardened_and_publish_on_loopback_only(compose: dict) -> None:
    """In: our services. Out: read-only root filesystem, all capabilities dropped, no new privileges; published
    ports bound to 127.0.0.1."""
    for name in HARDENED:
        service = compose["services"][name]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
    for name, service in compose["services"].items():
        assert all(str(port).startswith("127.0.0.1:") for port in service.get("ports", [])), name


def test_postgres_is_opt_in(compose: dict) -> None:
    """In: the postgres service. Out: only in the `postgres` profile; the orchestrator defaults to SQLite."""
    assert compose["services"]["postgres"]["profiles"] == ["postgres"]
    orchestrator = compose["services"]["orchestrator"]
    assert orchestrator["environment"]["ORCHESTRATOR_DATABASE_URL"] == "${ORCHESTRATOR_DATABASE_URL:-}"


async def test_the_demo_category_ids_are_the_seeded_sandbox_worlds(compose: dict) -> None:
    """In: the sandbox's seed in docker-compose.yml. Out: its default world's agent and bot category ids are the
    orchestrator's defaults, so the demo hands over to the sandbox's agent category."""
    from dimelo_sandbox.app import create_app
    from dimelo_sandbox.config import SandboxConfig

    services = compose["services"]
    seed = int(services["dimelo-sandbox"]["environment"]["SANDBOX_SEED"])
    app = create_app(SandboxConfig(seed=seed))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        world = (await client.get("/_sandbox/world")).json()

    def default(variable: str) -> str:
        return re.fullmatch(rf"\$\{{{variable}:-(.*)\}}", services["orchestrator"]["environment"][variable]).group(1)

    expected = {name: ",".join(world[name.lower()]) for name in ("AGENT_CATEGORY_IDS", "BOT_CATEGORY_IDS")}
    assert {name: default(name) for name in expected} == expected, (
        f"the sandbox's default world changed: set these defaults in docker-compose.yml: {expected}"
    )
