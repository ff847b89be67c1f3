"""Starts the whole bridge as local processes on loopback: sandbox (unless a real Dimelo is configured),
Dimelo adapter, AI service, orchestrator and gateway, each with the same `python -m <service>` entry point as
its container image. Each binds port 0 and says which port it got: our services in their READY_FILE
(service_kit/service.py), the sandbox in its SANDBOX_READY line; a restarted one binds the port it had."""

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import grpc
import httpx
from grpc_health.v1 import health_pb2

from orchestrator.intake_filter import WEBHOOK_EVENTS
from service_kit.health_client import health_stub

START_TIMEOUT_SECONDS = 30.0
LOOPBACK = "127.0.0.1"
SANDBOX_READY = "SANDBOX_READY "
T = TypeVar("T")


def free_port() -> int:
    """A loopback port free right now (the OS may give it to someone else later; fine on a dev machine)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def grpc_listen(variable: str) -> Callable[[int], dict[str, str]]:
    """The settings that make a gRPC service listen on a loopback port (0: any free one)."""
    return lambda port: {variable: f"{LOOPBACK}:{port}"}


def http_listen(prefix: str) -> Callable[[int], dict[str, str]]:
    """The settings that make an HTTP service (`GATEWAY_`, `SANDBOX_`) listen on a loopback port."""
    return lambda port: {f"{prefix}HOST": LOOPBACK, f"{prefix}PORT": str(port)}


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
class _Launch:
    """How a service is started: its module, settings, and the settings that set its listening port."""

    module: str
    env: dict[str, str]
    listen: Callable[[int], dict[str, str]]
    # The ports it bound the first time (service, metrics): a restart binds them again.
    port: int = 0
    metrics_port: int = 0


@dataclass
class Stack:
    """The bridge's processes. Use as a context manager, or call start() and stop(); `launch` and `serving` start
    one service more (the tests' own set-ups)."""

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
    _launches: dict[str, _Launch] = field(default_factory=dict)
    # Where each service's log stood at its last start: the sandbox's SANDBOX_READY line is read from there.
    _log_offsets: dict[str, int] = field(default_factory=dict)

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
            self.start_sandbox()
            dimelo = {"DIMELO_API_URL": self.sandbox_url, "DIMELO_ACCESS_TOKEN": self.world["bot_user"]["token"]}
            bot = {
                "AGENT_CATEGORY_IDS": ",".join(self.world["agent_category_ids"]),
                "BOT_CATEGORY_IDS": ",".join(self.world["bot_category_ids"]),
            }
        else:
            dimelo, bot = {}, {}
        self.launch("dimelo_adapter", dimelo, grpc_listen("ADAPTER_LISTEN_ADDR"))
        self.launch("ai_service", {}, grpc_listen("AI_LISTEN_ADDR"))
        adapter, ai = self.serving("dimelo_adapter").address, self.serving("ai_service").address
        names = ["orchestrator"] + [f"orchestrator-{replica + 1}" for replica in range(1, self.orchestrator_replicas)]
        for name in names:
            settings = {
                **bot,
                # Stable per replica, as a pod name: a restarted replica takes its own threads back at once.
                "ORCHESTRATOR_REPLICA_ID": name,
                "ORCHESTRATOR_DB_PATH": str(self.workdir / "orchestrator.sqlite3"),
                "AI_ADDR": ai,
                "DIMELO_ADAPTER_ADDR": adapter,
            }
            self.launch(name, settings, grpc_listen("ORCHESTRATOR_LISTEN_ADDR"), module="orchestrator")
        orchestrators = [self.serving(name).address for name in names]
        gateway = {
            "GATEWAY_VERIFY_TOKEN": self.verify_token,
            "GATEWAY_WEBHOOK_SECRET": self.webhook_secret,
            # Several replicas: one gRPC target listing them all, balanced round robin by the gateway.
            "ORCHESTRATOR_ADDR": "ipv4:" + ",".join(orchestrators) if len(orchestrators) > 1 else orchestrators[0],
        }
        self.launch("gateway", gateway, http_listen("GATEWAY_"))
        self.webhook_url = f"{self.serving('gateway').address}/dimelo/webhook"
        if self.uses_sandbox:
            self.subscribe_webhook()

    def start_sandbox(self, env: dict[str, str] | None = None) -> None:
        """Starts the sandbox (with `env` as extra settings) and reads its world."""
        self.launch("dimelo_sandbox", env or {}, http_listen("SANDBOX_"))
        self.sandbox_url = self.serving("dimelo_sandbox").address
        self.world = httpx.get(f"{self.sandbox_url}/_sandbox/world", timeout=5).json()

    def stop(self) -> None:
        """Stops the services in reverse start order."""
        for service in reversed(list(self.services.values())):
            service.stop()

    def restart(self, name: str) -> None:
        """Starts a stopped or killed service again, same settings and ports."""
        self.services[name].stop()
        self._start_process(name)
        self.serving(name)

    def subscribe_webhook(self) -> None:
        """Has the sandbox subscribe its webhook to the gateway for the events the bridge uses (the handshake must
        pass)."""
        subscription = {
            "url": self.webhook_url,
            "verify_token": self.verify_token,
            "secret": self.webhook_secret,
            "events": list(WEBHOOK_EVENTS),
        }
        answer = httpx.put(f"{self.sandbox_url}/_sandbox/webhook", json=subscription, timeout=10).json()
        if not answer.get("enabled"):
            raise RuntimeError(f"the sandbox could not subscribe the gateway: {answer.get('reason')}")

    def launch(self, name: str, env: dict[str, str], listen: Callable[[int], dict[str, str]], module: str = "") -> None:
        """Starts `python -m <module or name>` with `env`, the stack's `env` and `listen(0)`, its metrics on a free
        loopback port; `serving(name)` waits for it."""
        settings = {"LOG_LEVEL": "INFO", "METRICS_HOST": LOOPBACK, **env, **self.env}
        self._launches[name] = _Launch(module or name, settings, listen)
        self._start_process(name)

    def serving(self, name: str) -> Service:
        """The service once it serves, its address and metrics URL read from what it wrote; RuntimeError if it
        exits first, TimeoutError if it does not serve in START_TIMEOUT_SECONDS."""
        launch, service = self._launches[name], self.services[name]
        if name == "dimelo_sandbox":
            service.address = self._wait(lambda: self._sandbox_url(name), name)
        else:
            facts = self._wait(lambda: self._ready_facts(name), name)
            launch.metrics_port = facts.get("metrics_port", 0)
            service.address = facts.get("url") or f"{LOOPBACK}:{facts['port']}"
        launch.port = int(service.address.rsplit(":", 1)[1])
        if launch.metrics_port:
            service.metrics_url = f"http://{LOOPBACK}:{launch.metrics_port}/metrics"
        if name == "gateway":
            service.metrics_url = f"{service.address}/metrics"  # the gateway's own HTTP port
            self._wait(lambda: httpx.get(f"{service.address}/readyz", timeout=1).status_code == 200, name)
        elif name != "dimelo_sandbox":
            self._wait(lambda: _grpc_serving(service.address), name)
        return service

    def _start_process(self, name: str) -> None:
        launch = self._launches[name]
        ready_file = self._ready_file(name)
        ready_file.unlink(missing_ok=True)
        env = {**launch.env, **launch.listen(launch.port), "METRICS_PORT": str(launch.metrics_port)}
        log_path = self.workdir / f"{name}.log"
        with open(log_path, "ab") as log_file:
            offset = log_file.tell()
            process = subprocess.Popen(
                [sys.executable, "-m", launch.module],
                env={**os.environ, **env, "READY_FILE": str(ready_file)},
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
            )
        self.services[name] = Service(name, process, log_path, address="")
        self._log_offsets[name] = offset

    def _ready_file(self, name: str) -> Path:
        return self.workdir / f"{name}.ready"

    def _ready_facts(self, name: str) -> dict[str, Any] | None:
        path = self._ready_file(name)
        facts: dict[str, Any] | None = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        return facts

    def _sandbox_url(self, name: str) -> str | None:
        """The URL on the sandbox's SANDBOX_READY line, written since its last start."""
        with open(self.services[name].log_path, encoding="utf-8", errors="replace") as log:
            log.seek(self._log_offsets[name])
            for line in log:
                if line.startswith(SANDBOX_READY):
                    return line.removeprefix(SANDBOX_READY).strip()
        return None

    def _wait(self, ready: Callable[[], T | None], name: str) -> T:
        """Asks `ready` until it answers; the answer."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        service = self.services[name]
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise RuntimeError(f"{name} exited with code {service.process.returncode}; see {service.log_path}")
            with contextlib.suppress(Exception):
                if answer := ready():
                    return answer
            time.sleep(0.02)
        raise TimeoutError(f"{name} not ready after {START_TIMEOUT_SECONDS:g} s; see {service.log_path}")

    def logs(self) -> str:
        """Every service's log output so far."""
        return "\n".join(s.log_path.read_text(errors="replace") for s in self.services.values())


def _grpc_serving(address: str) -> bool:
    with grpc.insecure_channel(address) as channel:
        stub = health_stub(channel)
        return stub.Check(health_pb2.HealthCheckRequest(), timeout=1).status == health_pb2.HealthCheckResponse.SERVING
