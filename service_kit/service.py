"""The one start and stop of every service (`python -m <service>`): JSON logs that never carry a secret of its
settings, traces, metrics, serving until SIGTERM or SIGINT (or a failure beyond repair), draining, clean-up."""

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import uvloop
from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from service_kit.grpc_server import wait_for_termination_signal
from service_kit.logs import configure_logging
from service_kit.metrics import Page, serve_metrics
from service_kit.settings import ServiceSettings
from service_kit.tracing import TracingSettings, configure_tracing, shutdown_tracing

log = logging.getLogger(__name__)


# A service's settings.
S = TypeVar("S", bound=ServiceSettings)


@dataclass
class Service:
    """A service built but not serving yet, as `run_service` runs it; each service says only what is its own."""

    start: Callable[[], Awaitable[None]]
    # Drains in-flight work, then releases what the service holds.
    stop: Callable[[], Awaitable[None]]
    # What the "serving" log line says once started (the port, ...).
    facts: Callable[[], Mapping[str, object]]
    # Where /metrics is served on a port of its own (host, port), and a page beside it; None: no metrics port.
    metrics: tuple[str, int] | None = None
    metrics_page: Page | None = None
    # Returns what broke when the service fails beyond repair: then it is stopped and the process exits 1.
    failed: Callable[[], Awaitable[object]] | None = None


class ReadySettings(BaseSettings):
    """READY_FILE: where a process that starts the service (devstack, the tests) learns the ports it bound."""

    model_config = SettingsConfigDict(extra="ignore")

    ready_file: str = ""


def write_ready_file(path: str, facts: Mapping[str, object]) -> None:
    """Writes `facts` as one JSON object to `path`, whole or not at all (a reader polling it never sees half)."""
    partial = f"{path}.partial"
    with open(partial, "w", encoding="utf-8") as file:
        json.dump(facts, file)
    os.replace(partial, path)


def setting_secrets(settings: BaseModel) -> list[str]:
    """The values of every SecretStr field of `settings`: what its logs must never show."""
    values = (getattr(settings, name) for name in type(settings).model_fields)
    return [value.get_secret_value() for value in values if isinstance(value, SecretStr) and value.get_secret_value()]


def run_service(
    name: str,
    settings: S,
    build: Callable[[S], Awaitable[Service]],
    run: Callable[[Coroutine[Any, Any, int]], int] = uvloop.run,
) -> int:
    """Configures logs and traces for `name`, builds the service from `settings` and serves until a signal or its
    failure, on uvloop's event loop; returns the exit code (0 after a signal, 1 after a failure).

    uvloop, as `uvicorn.run` picks it for a FastAPI app: a gRPC call over loopback costs a third less CPU on it than
    on asyncio's own loop (docs/benchmarks.md)."""
    configure_logging(name, settings.log_level, setting_secrets(settings))
    configure_tracing(name, TracingSettings())
    try:
        return run(_serve(name, build(settings), ReadySettings().ready_file))
    finally:
        shutdown_tracing()


async def _serve(name: str, building: Awaitable[Service], ready_file: str) -> int:
    service = await building
    ports: dict[str, object] = {}
    if service.metrics is not None:
        ports["metrics_port"] = serve_metrics(*service.metrics, page=service.metrics_page)
    await service.start()
    log.info("%s serving", name, extra=dict(service.facts()))
    if ready_file:
        write_ready_file(ready_file, {**service.facts(), **ports})
    signal = asyncio.create_task(wait_for_termination_signal())
    waits: list[asyncio.Future[Any]] = [signal]
    if service.failed is not None:
        waits.append(asyncio.ensure_future(service.failed()))
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    crashed = not signal.done()
    if crashed:
        log.critical("stopping: %s", waits[1].result())
    for wait in waits:
        wait.cancel()
    await service.stop()
    log.info("%s stopped", name)
    return 1 if crashed else 0
