"""The standard gRPC health service's client, typed: typeshed's HealthStub (types-grpcio-health-checking) declares
no methods, so without these mypy would see nothing of Check."""

from typing import Protocol, cast, overload

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

Request = health_pb2.HealthCheckRequest
Response = health_pb2.HealthCheckResponse


class AsyncHealthStub(Protocol):
    """grpc_health's HealthStub on an asyncio channel."""

    Check: grpc.aio.UnaryUnaryMultiCallable[Request, Response]


class HealthStub(Protocol):
    """grpc_health's HealthStub on a blocking channel."""

    Check: "grpc.UnaryUnaryMultiCallable[Request, Response]"  # not subscriptable at run time


@overload
def health_stub(channel: grpc.aio.Channel) -> AsyncHealthStub: ...
@overload
def health_stub(channel: grpc.Channel) -> HealthStub: ...
def health_stub(channel: grpc.aio.Channel | grpc.Channel) -> AsyncHealthStub | HealthStub:
    """grpc_health's own stub on `channel`, with the types its published stubs leave out."""
    return cast(AsyncHealthStub | HealthStub, health_pb2_grpc.HealthStub(channel))
