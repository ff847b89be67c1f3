"""Readiness from named checks (the store answers, a peer answers), each health service needing some of them."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping

import grpc
from grpc_health.v1 import health_pb2
from prometheus_client import Gauge

from service_kit.health_client import health_stub

log = logging.getLogger(__name__)

# Raises when the dependency is not ready; the exception's text says why.
Check = Callable[[], Awaitable[object]]

DEPENDENCY_UP = Gauge(
    "botbridge_dependency_up", "1 while the last readiness check of a dependency passed.", ["dependency"]
)


class PeerNotServing(Exception):
    """A peer answered its health check with another status than SERVING."""


def peer_answers(channel: grpc.aio.Channel, timeout: float) -> Check:
    """A check that the peer's gRPC health check answers SERVING within `timeout` seconds; a peer that cannot be
    connected to fails at once (no waiting for it to come up: the next check will see it).

    A peer without the health service (UNIMPLEMENTED) answered all the same: it counts as ready."""
    stub = health_stub(channel)

    async def check() -> None:
        try:
            reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=timeout, wait_for_ready=False)
        except grpc.aio.AioRpcError as error:
            if error.code() is grpc.StatusCode.UNIMPLEMENTED:
                return
            raise
        if reply.status != health_pb2.HealthCheckResponse.SERVING:
            raise PeerNotServing(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))

    return check


class ReadinessChecks:
    """Runs every check at once; a health service (by name) is ready when the checks it `needs` all passed.

    The overall status ("") needs every check unless `needs` says otherwise."""

    def __init__(self, checks: Mapping[str, Check], needs: Mapping[str, Collection[str]], timeout: float) -> None:
        self._checks = dict(checks)
        self._needs = {"": list(self._checks), **needs}
        self._timeout = timeout
        self._passed: dict[str, bool] = {}

    async def run(self) -> dict[str, bool]:
        """Each health service's readiness; logs every check that starts or stops passing."""
        results = await asyncio.gather(*(self._run(name, check) for name, check in self._checks.items()))
        self._passed = dict(zip(self._checks, results, strict=True))
        return {service: all(self._passed[name] for name in needed) for service, needed in self._needs.items()}

    async def _run(self, name: str, check: Check) -> bool:
        try:
            await asyncio.wait_for(check(), self._timeout)
        except Exception as error:  # noqa: BLE001 - any failure means "not ready", and says why
            if self._passed.get(name, True):
                log.warning("not ready: %s check failed: %s", name, _describe(error), extra={"dependency": name})
            DEPENDENCY_UP.labels(name).set(0)
            return False
        if not self._passed.get(name, True):
            log.info("ready again: %s check passed", name, extra={"dependency": name})
        DEPENDENCY_UP.labels(name).set(1)
        return True


def _describe(error: BaseException) -> str:
    if isinstance(error, grpc.aio.AioRpcError):
        return f"{error.code().name}: {error.details()}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
