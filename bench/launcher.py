"""Starts the bench's own processes (baselines, services timed alone) and waits for them to be ready."""

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from devstack.processes import Service

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
