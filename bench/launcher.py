"""Starts the bench's own processes (baselines, services timed alone) and waits for them to be ready."""

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.baselines import PATH
from devstack.processes import Service, free_port

READY_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.01
PROBE_TIMEOUT_SECONDS = 1.0

Probe = Callable[[], Awaitable[bool]]


def launch(name: str, args: list[str], env: dict[str, str], workdir: Path, address: str = "") -> Service:
    """`python <args>` with `env` added, output to `<workdir>/<name>.log`."""
    log_path = workdir / f"{name}.log"
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, *args],
            env={**os.environ, **env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=workdir,
        )
    return Service(name, process, log_path, address)


async def wait_ready(service: Service, probe: Probe) -> None:
    """Returns once `probe()` holds; RuntimeError if the process exits, TimeoutError after 30 s."""
    deadline = time.perf_counter() + READY_TIMEOUT_SECONDS
    while time.perf_counter() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(f"{service.name} exited with code {service.process.returncode}; see {service.log_path}")
        try:
            if await probe():
                return
        except (OSError, TimeoutError, httpx.HTTPError, grpc.aio.AioRpcError):
            pass
        await asyncio.sleep(POLL_SECONDS)
    raise TimeoutError(f"{service.name} not ready after {READY_TIMEOUT_SECONDS:g} s; see {service.log_path}")


def http_ok(url: str, method: str = "GET", **request) -> Probe:
    """Ready when `url` answers 200."""

    async def probe() -> bool:
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT_SECONDS) as client:
            return (await client.request(method, url, **request)).status_code == 200

    return probe


def grpc_serving(address: str) -> Probe:
    """Ready when the gRPC health service at `address` answers SERVING."""

    async def probe() -> bool:
        async with grpc.aio.insecure_channel(address) as channel:
            answer = await health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(), timeout=PROBE_TIMEOUT_SECONDS
            )
            return answer.status == health_pb2.HealthCheckResponse.SERVING

    return probe


def grpc_connects(address: str) -> Probe:
    """Ready when a gRPC channel to `address` connects (for servers without a health service)."""

    async def probe() -> bool:
        async with grpc.aio.insecure_channel(address) as channel:
            await asyncio.wait_for(channel.channel_ready(), PROBE_TIMEOUT_SECONDS)
            return True

    return probe


@dataclass(frozen=True)
class Server:
    """A bench server process: where to call it, and its pid (for its CPU)."""

    url: str
    pid: int


@dataclass(frozen=True)
class Baselines:
    """The baselines' servers (bench/baselines.py): the gRPC echo (its address), the bare FastAPI app and FastAPI +
    one grpc.aio call to the echo (their webhook URLs)."""

    echo: Server
    bare: Server
    one_hop: Server


@contextlib.asynccontextmanager
async def serving_baselines(workdir: Path) -> AsyncIterator[Baselines]:
    """Starts the three baselines' servers, each once ready; stops them on leaving."""
    echo, bare_port, hop_port = free_port(), free_port(), free_port()
    started: list[Service] = []
    try:
        started.append(launch("echo", ["-m", "bench.baselines", "echo", "--port", str(echo)], {}, workdir))
        await wait_ready(started[-1], grpc_connects(f"127.0.0.1:{echo}"))
        for name, port, extra in (("bare", bare_port, []), ("grpc", hop_port, ["--echo-addr", f"127.0.0.1:{echo}"])):
            started.append(launch(name, ["-m", "bench.baselines", name, "--port", str(port), *extra], {}, workdir))
            await wait_ready(started[-1], http_ok(f"http://127.0.0.1:{port}{PATH}", "POST", content=b"{}"))
        echo_pid, bare_pid, hop_pid = (service.process.pid for service in started)
        yield Baselines(
            Server(f"127.0.0.1:{echo}", echo_pid),
            Server(f"http://127.0.0.1:{bare_port}{PATH}", bare_pid),
            Server(f"http://127.0.0.1:{hop_port}{PATH}", hop_pid),
        )
    finally:
        for service in started:
            service.stop()
