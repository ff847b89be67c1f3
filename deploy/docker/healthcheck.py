#!/usr/bin/env python
"""Container health probe: `botbridge-healthcheck grpc HOST:PORT [SERVICE]` or `... http URL`.

Exits 0 when the gRPC health service answers SERVING (for SERVICE, else the overall status) or the URL answers 200;
otherwise exits 1 with the reason on stderr, which `docker inspect` shows. The gRPC check speaks TLS (mutual TLS
too) when the service's GRPC_TLS_* settings are in the environment, so it probes a service as its peers reach it.
Kubernetes probes gRPC natively, except over TLS: the TLS overlay runs this probe instead.
"""

import sys
import urllib.request

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from service_kit.grpc_tls import GrpcTlsSettings

TIMEOUT_SECONDS = 3.0
USAGE = "usage: botbridge-healthcheck grpc HOST:PORT [SERVICE] | http URL"


def check_grpc(address: str, service: str = "") -> str | None:
    """None when SERVING, else what was seen."""
    credentials = GrpcTlsSettings().channel_credentials()
    channel = grpc.insecure_channel(address) if credentials is None else grpc.secure_channel(address, credentials)
    with channel:
        request = health_pb2.HealthCheckRequest(service=service)
        status = health_pb2_grpc.HealthStub(channel).Check(request, timeout=TIMEOUT_SECONDS).status
    if status == health_pb2.HealthCheckResponse.SERVING:
        return None
    return f"{address} is {health_pb2.HealthCheckResponse.ServingStatus.Name(status)}"


def check_http(url: str) -> str | None:
    """None on a 200, else what was seen (urllib raises on 4xx and 5xx)."""
    with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
        return None if response.status == 200 else f"{url} answered HTTP {response.status}"


CHECKS = {"grpc": check_grpc, "http": check_http}


def main(argv: list[str]) -> int | str:
    if len(argv) not in (2, 3) or argv[0] not in CHECKS or (len(argv) == 3 and argv[0] != "grpc"):
        return USAGE
    kind, target, *service = argv
    try:
        problem = CHECKS[kind](target, *service)
    except grpc.RpcError as error:
        problem = f"{target}: {error.code().name} {error.details()}"
    except OSError as error:  # refused, timed out, or an HTTP error status
        problem = f"{target}: {error}"
    return problem or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
