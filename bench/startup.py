"""Start-up time of each service alone on the machine: from launching `python -m <service>` to SERVING / ready."""

import secrets
import time
from pathlib import Path

from bench.launcher import Probe, grpc_serving, http_ok, launch, wait_ready
from devstack.processes import Service, free_port

SANDBOX_TOKEN = "sandbox-bot-token"  # the sandbox's default bot token
# Production's log level; metrics (where a service serves them) on any free port, never a fixed one.
COMMON_ENV = {"LOG_LEVEL": "INFO", "METRICS_PORT": "0"}


async def startup_seconds(workdir: Path, repeats: int) -> dict[str, list[float]]:
    """Starts sandbox, adapter, AI, orchestrator and gateway one after the other (each waits for the one before:
    the gateway is ready only once its orchestrator answers), `repeats` times; the seconds each took."""
    times: dict[str, list[float]] = {}
    for repeat in range(repeats):
        run_dir = workdir / f"startup-{repeat}"
        run_dir.mkdir(parents=True)
        running: list[Service] = []

        async def start(
            name: str, env: dict[str, str], probe: Probe, run_dir: Path = run_dir, running: list[Service] = running
        ) -> None:
            began = time.perf_counter()
            service = launch(name, ["-m", name], {**COMMON_ENV, **env}, run_dir)
            running.append(service)
            await wait_ready(service, probe)
            times.setdefault(name, []).append(time.perf_counter() - began)

        try:
            sandbox_port, gateway_port = free_port(), free_port()
            sandbox_url = f"http://127.0.0.1:{sandbox_port}"
            adapter, ai, orchestrator = (f"127.0.0.1:{free_port()}" for _ in range(3))
            sandbox_env = {"SANDBOX_HOST": "127.0.0.1", "SANDBOX_PORT": str(sandbox_port)}
            await start("dimelo_sandbox", sandbox_env, http_ok(f"{sandbox_url}/_sandbox/world"))
            adapter_env = {
                "DIMELO_API_URL": sandbox_url,
                "DIMELO_ACCESS_TOKEN": SANDBOX_TOKEN,
                "ADAPTER_LISTEN_ADDR": adapter,
            }
            await start("dimelo_adapter", adapter_env, grpc_serving(adapter))
            await start("ai_service", {"AI_LISTEN_ADDR": ai}, grpc_serving(ai))
            orchestrator_env = {
                "ORCHESTRATOR_LISTEN_ADDR": orchestrator,
                "ORCHESTRATOR_DB_PATH": str(run_dir / "orchestrator.sqlite3"),
                "AI_ADDR": ai,
                "DIMELO_ADAPTER_ADDR": adapter,
                "AGENT_CATEGORY_IDS": "bench-agents",
            }
            await start("orchestrator", orchestrator_env, grpc_serving(orchestrator))
            gateway_env = {
                "GATEWAY_HOST": "127.0.0.1",
                "GATEWAY_PORT": str(gateway_port),
                "GATEWAY_VERIFY_TOKEN": secrets.token_urlsafe(16),
                "GATEWAY_WEBHOOK_SECRET": secrets.token_urlsafe(16),
                "ORCHESTRATOR_ADDR": orchestrator,
            }
            await start("gateway", gateway_env, http_ok(f"http://127.0.0.1:{gateway_port}/readyz"))
        finally:
            for service in reversed(running):
                service.stop()
    return times
