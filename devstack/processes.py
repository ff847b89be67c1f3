"""Starts the whole bridge as local processes on loopback: sandbox (unless a real Dimelo is configured),
Dimelo adapter, AI service, orchestrator and gateway, each with the same `python -m <service>` entry point as
its container image."""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import httpx
from grpc_health.v1 import health_pb2

from service_kit.health_client import health_stub

START_TIMEOUT_SECONDS = 30.0


def free_port() -> int:
    """A loopback port free right now (the OS may give it to someone else later; fine on a dev machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Service:
    """One running service process, its log file, address, and Prometheus metrics URL (empty when it has none)."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    address: str
    metrics_url: str = ""

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, then SIGKILL if still running after `timeout`; returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL: a crash, for tests."""
        self.process.kill()
        self.process.wait()


@dataclass
class Stack:
    """The bridge's processes. Use as a context manager, or call start() and stop()."""

    workdir: Path
    # Extra environment for every service (e.g. ORCHESTRATOR settings for a test).
    env: dict[str, str] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    sandbox_url: str = ""
    webhook_url: str = ""
    world: dict[str, Any] = field(default_factory=dict)
    verify_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    webhook_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    # More than one needs a shared store: ORCHESTRATOR_DATABASE_URL in `env`.
    orchestrator_replicas: int = 1
    _launch_specs: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    _metrics_urls: dict[str, str] = field(default_factory=dict)

    def __enter__(self) -> "Stack":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def uses_sandbox(self) -> bool:
        return not os.environ.get("DIMELO_API_URL")

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.uses_sandbox:
            self._start_sandbox()
            dimelo = {"DIMELO_API_URL": self.sandbox_url, "DIMELO_ACCESS_TOKEN": self.world["bot_user"]["token"]}
            bot = {
                "AGENT_CATEGORY_IDS": ",".join(self.world["agent_category_ids"]),
                "BOT_CATEGORY_IDS": ",".join(self.world["bot_category_ids"]),
            }
        else:
            dimelo, bot = {}, {}
        adapter, ai, gateway_port = free_port(), free_port(), free_port()
        self._start(
            "dimelo_adapter",
            f"127.0.0.1:{adapter}",
            {**dimelo, "ADAPTER_LISTEN_ADDR": f"127.0.0.1:{adapter}", **self._metrics_address("dimelo_adapter")},
        )
        self._start("ai_service", f"127.0.0.1:{ai}", {"AI_LISTEN_ADDR": f"127.0.0.1:{ai}", **self._metrics_address("ai_service")})
        orchestrators = []
        for replica in range(self.orchestrator_replicas):
            address = f"127.0.0.1:{free_port()}"
            orchestrators.append(address)
            name = "orchestrator" if replica == 0 else f"orchestrator-{replica + 1}"
            self._start(
                name,
                address,
                {
                    **bot,
                    "ORCHESTRATOR_LISTEN_ADDR": address,
                    # Stable per replica, as a pod name: a restarted replica takes its own threads back at once.
                    "ORCHESTRATOR_REPLICA_ID": name,
                    "ORCHESTRATOR_DB_PATH": str(self.workdir / "orchestrator.sqlite3"),
                    "AI_ADDR": f"127.0.0.1:{ai}",
                    "DIMELO_ADAPTER_ADDR": f"127.0.0.1:{adapter}",
                    **self._metrics_address(name),
                },
                module="orchestrator",
            )
        self._metrics_urls["gateway"] = f"http://127.0.0.1:{gateway_port}/metrics"  # the gateway's own HTTP port
        self._start(
            "gateway",
            f"http://127.0.0.1:{gateway_port}",
            {
                "GATEWAY_HOST": "127.0.0.1",
                "GATEWAY_PORT": str(gateway_port),
                "GATEWAY_VERIFY_TOKEN": self.verify_token,
                "GATEWAY_WEBHOOK_SECRET": self.webhook_secret,
                # Several replicas: one gRPC target listing them all, balanced round robin by the gateway.
                "ORCHESTRATOR_ADDR": "ipv4:" + ",".join(orchestrators) if len(orchestrators) > 1 else orchestrators[0],
            },
        )
        for name in self.services:
            if name not in ("dimelo_sandbox", "gateway"):
                self.wait_grpc_serving(name)
        self.wait_http_ready("gateway")
        self.webhook_url = f"{self.services['gateway'].address}/dimelo/webhook"
        if self.uses_sandbox:
            self.subscribe_webhook()

    def _metrics_address(self, name: str) -> dict[str, str]:
        """The METRICS_HOST and METRICS_PORT settings of a gRPC service: loopback, and a free port whose URL the
        service's `metrics_url` gives."""
        port = free_port()
        self._metrics_urls[name] = f"http://127.0.0.1:{port}/metrics"
        return {"METRICS_HOST": "127.0.0.1", "METRICS_PORT": str(port)}

    def stop(self) -> None:
        """Stops the services in reverse start order."""
        for service in reversed(list(self.services.values())):
            service.stop()

    def restart(self, name: str) -> None:
        """Starts a stopped or killed service again, same address and settings."""
        old = self.services[name]
        old.stop()
        self._launch(name, old.address)
        if name == "gateway":
            self.wait_http_ready(name)
        elif name != "dimelo_sandbox":
            self.wait_grpc_serving(name)

    def subscribe_webhook(self) -> None:
        """Has the sandbox subscribe its webhook to the gateway (the handshake must pass)."""
        answer = httpx.put(
            f"{self.sandbox_url}/_sandbox/webhook",
            json={"url": self.webhook_url, "verify_token": self.verify_token, "secret": self.webhook_secret},
            timeout=10,
        ).json()
        if not answer.get("enabled"):
            raise RuntimeError(f"the sandbox could not subscribe the gateway: {answer.get('reason')}")

    def _start_sandbox(self) -> None:
        port = free_port()
        self._start("dimelo_sandbox", f"http://127.0.0.1:{port}", {"SANDBOX_HOST": "127.0.0.1", "SANDBOX_PORT": str(port)})
        self.sandbox_url = self.services["dimelo_sandbox"].address
        self._wait(lambda: httpx.get(f"{self.sandbox_url}/_sandbox/world", timeout=1).status_code == 200,
                   "dimelo_sandbox")  # fmt: skip
        self.world = httpx.get(f"{self.sandbox_url}/_sandbox/world", timeout=5).json()

    def _start(self, name: str, address: str, env: dict[str, str], module: str = "") -> None:
        self._launch_specs[name] = (module or name, {"LOG_LEVEL": "INFO", **env, **self.env})
        self._launch(name, address)

    def _launch(self, name: str, address: str) -> None:
        module, env = self._launch_specs[name]
        log_path = self.workdir / f"{name}.log"
        with open(log_path, "ab") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", module],
                env={**os.environ, **env},
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
            )
        self.services[name] = Service(name, process, log_path, address, self._metrics_urls.get(name, ""))

    def wait_grpc_serving(self, name: str) -> None:
        def serving() -> bool:
            with grpc.insecure_channel(self.services[name].address) as channel:
                stub = health_stub(channel)
                return stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == health_pb2.HealthCheckResponse.SERVING

        self._wait(serving, name)

    def wait_http_ready(self, name: str) -> None:
        self._wait(lambda: httpx.get(f"{self.services[name].address}/readyz", timeout=1).status_code == 200, name)

    def _wait(self, ready: Callable[[], bool], name: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        service = self.services[name]
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise RuntimeError(f"{name} exited with code {service.process.returncode}; see {service.log_path}")
            with contextlib.suppress(Exception):
                if ready():
                    return
            time.sleep(0.05)
        raise TimeoutError(f"{name} not ready after {START_TIMEOUT_SECONDS:g} s; see {service.log_path}")

    def logs(self) -> str:
        """Every service's log output so far."""
        return "\n".join(s.log_path.read_text(errors="replace") for s in self.services.values())
