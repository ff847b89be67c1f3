"""gRPC server start-up shared by the services: health (readiness when the service has checks), reflection,
metrics and traces of every call, and a graceful stop on SIGTERM."""

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from service_kit.grpc_client import MAX_MESSAGE_BYTES
from service_kit.grpc_telemetry import ServerTelemetry
from service_kit.grpc_tls import GrpcTlsSettings

log = logging.getLogger(__name__)

# Each health service's readiness by name ("" is the overall status); a name left out takes the overall one.
Readiness = Callable[[], Awaitable[Mapping[str, bool]]]
# While not ready, readiness is checked again this often, so a service becomes ready soon after its dependencies.
NOT_READY_RECHECK_SECONDS = 0.5

# Clients reconnect every few minutes, so replicas added by scaling out soon get their share of the calls.
# Messages up to MAX_MESSAGE_BYTES: a webhook body of a few MiB grows as it is parsed (raw JSON beside typed fields).
SERVER_OPTIONS = (
    ("grpc.max_connection_age_ms", 300_000),
    ("grpc.max_connection_age_grace_ms", 30_000),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
)


class GrpcServer:
    """A grpc.aio server with the standard health and reflection services beside the service's own.

    Without `readiness`, the health status is SERVING from start to stop. With it, `readiness()` runs at start and
    then every `readiness_interval` seconds in the background, and sets each service's status. What the service
    opened for its servicers (`close_on_stop`) is closed once the server has stopped."""

    def __init__(
        self,
        service_names: Sequence[str],
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
        readiness: Readiness | None = None,
        readiness_interval: float = 5.0,
    ) -> None:
        self.server = grpc.aio.server(interceptors=[ServerTelemetry(), *interceptors], options=SERVER_OPTIONS)
        self.health = health.aio.HealthServicer()
        self._service_names = list(service_names)
        self._readiness = readiness
        self._readiness_interval = readiness_interval
        self._readiness_task: asyncio.Task[None] | None = None
        self._statuses: dict[str, int] = {}
        self._opened = contextlib.AsyncExitStack()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            [*self._service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], self.server
        )
        self.port = 0

    def bind(self, address: str, tls: GrpcTlsSettings | None = None) -> int:
        """Listens on `address` (host:port, port 0 for any free one), with TLS when `tls` names a certificate, and
        returns the bound port."""
        credentials = tls.server_credentials() if tls is not None else None
        try:
            if credentials is None:
                self.port = self.server.add_insecure_port(address)
            else:
                self.port = self.server.add_secure_port(address, credentials)
        except RuntimeError:  # gRPC's word for "address in use" or "not an address here"
            raise OSError(f"cannot listen on {address} (in use, or not an address of this host)") from None
        return self.port

    def close_on_stop(self, opened: contextlib.AbstractAsyncContextManager[Any]) -> None:
        """Closes `opened` (a client, or an AsyncExitStack of them) after the server has stopped."""
        self._opened.push_async_exit(opened)

    async def start(self) -> None:
        await self.server.start()
        if self._readiness is None:
            await self.set_serving(True)
            return
        ready = await self._check_readiness(self._readiness)
        self._readiness_task = asyncio.create_task(self._watch_readiness(self._readiness, ready), name="readiness")

    async def set_serving(self, serving: bool) -> None:
        """Sets the overall health and each service's to SERVING or NOT_SERVING."""
        await self._set_statuses({"": serving})

    async def _set_statuses(self, readiness: Mapping[str, bool]) -> None:
        """Sets the statuses that changed (watchers of the health service hear of changes only)."""
        overall = readiness.get("", all(readiness.values()))
        for name in ["", *self._service_names]:
            serving = readiness.get(name, overall)
            status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
            if self._statuses.get(name) != status:
                self._statuses[name] = status
                await self.health.set(name, status)

    async def _check_readiness(self, checks: Readiness) -> bool:
        """Runs the readiness checks once and sets the statuses; True when the overall status is SERVING."""
        try:
            readiness = await checks()
        except Exception:  # checks that cannot run mean "not ready"
            log.warning("readiness checks failed", exc_info=True)
            readiness = {"": False}
        await self._set_statuses(readiness)
        return readiness.get("", all(readiness.values()))

    async def _watch_readiness(self, checks: Readiness, ready: bool) -> None:
        while True:
            await asyncio.sleep(self._readiness_interval if ready else NOT_READY_RECHECK_SECONDS)
            ready = await self._check_readiness(checks)

    async def stop(self, grace: float) -> None:
        """Reports NOT_SERVING, stops taking calls and lets in-flight calls finish for `grace` seconds."""
        if self._readiness_task is not None:
            self._readiness_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._readiness_task
        await self.set_serving(False)
        await self.server.stop(grace)
        await self._opened.aclose()


async def wait_for_termination_signal() -> None:
    """Returns on the first SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("termination signal received, draining")
